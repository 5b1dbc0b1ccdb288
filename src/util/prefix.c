/* Prefixes, ranges and socket addresses: parsing, formatting, set algebra. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "linegate/types.h"

int lg_addr_parse(const char *s, int *family, uint8_t addr[16])
{
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, s, addr) == 1) {
		*family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, addr) == 1) {
		*family = AF_INET6;
		return 0;
	}
	return -EINVAL;
}

const char *lg_addr_format(int family, const uint8_t *addr, char *out, size_t n)
{
	if (!inet_ntop(family, addr, out, (socklen_t)n))
		snprintf(out, n, "?");
	return out;
}

static bool host_bits_zero(const uint8_t *addr, size_t bytes, unsigned len)
{
	for (size_t i = 0; i < bytes; i++) {
		unsigned bit0 = (unsigned)i * 8;
		uint8_t mask = bit0 >= len ? 0xff : (len - bit0 >= 8 ? 0 : (uint8_t)(0xff >> (len - bit0)));
		if (addr[i] & mask)
			return false;
	}
	return true;
}

int lg_prefix_parse(const char *s, struct lg_prefix *out)
{
	char buf[LG_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	int family;

	if (alen == 0 || alen >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	memset(out, 0, sizeof(*out));
	if (lg_addr_parse(buf, &family, out->addr))
		return -EINVAL;
	unsigned max = family == AF_INET ? 32 : 128;
	unsigned len = max;
	if (slash) {
		char *end;
		if (!slash[1] || slash[1] == '-' || slash[1] == '+')
			return -EINVAL;
		unsigned long v = strtoul(slash + 1, &end, 10);
		if (*end || v > max)
			return -EINVAL;
		len = (unsigned)v;
	}
	if (!host_bits_zero(out->addr, lg_family_addr_len(family), len))
		return -EINVAL;
	out->family = (uint8_t)family;
	out->len = (uint8_t)len;
	return 0;
}

const char *lg_prefix_format(const struct lg_prefix *p, char *out, size_t n)
{
	char a[LG_ADDRSTRLEN];
	snprintf(out, n, "%s/%u", lg_addr_format(p->family, p->addr, a, sizeof(a)), p->len);
	return out;
}

static bool bits_equal(const uint8_t *a, const uint8_t *b, unsigned len)
{
	size_t full = len / 8;
	if (memcmp(a, b, full))
		return false;
	if (len % 8) {
		uint8_t mask = (uint8_t)(0xff << (8 - len % 8));
		return (a[full] & mask) == (b[full] & mask);
	}
	return true;
}

bool lg_prefix_contains_addr(const struct lg_prefix *p, int family, const uint8_t *addr)
{
	return p->family == family && bits_equal(p->addr, addr, p->len);
}

bool lg_prefix_within(const struct lg_prefix *inner, const struct lg_prefix *outer)
{
	return inner->family == outer->family && inner->len >= outer->len &&
	       bits_equal(inner->addr, outer->addr, outer->len);
}

bool lg_prefix_overlap(const struct lg_prefix *a, const struct lg_prefix *b)
{
	return lg_prefix_within(a, b) || lg_prefix_within(b, a);
}

bool lg_prefix_equal(const struct lg_prefix *a, const struct lg_prefix *b)
{
	return a->family == b->family && a->len == b->len &&
	       !memcmp(a->addr, b->addr, lg_family_addr_len(a->family));
}

void lg_prefix_to_range(const struct lg_prefix *p, struct lg_range *r)
{
	size_t n = lg_family_addr_len(p->family);
	memset(r, 0, sizeof(*r));
	r->family = p->family;
	memcpy(r->start, p->addr, n);
	memcpy(r->end, p->addr, n);
	for (size_t i = 0; i < n; i++) {
		unsigned bit0 = (unsigned)i * 8;
		if (bit0 >= p->len)
			r->end[i] = 0xff;
		else if (p->len - bit0 < 8)
			r->end[i] |= (uint8_t)(0xff >> (p->len - bit0));
	}
}

bool lg_range_intersect(const struct lg_range *a, const struct lg_range *b, struct lg_range *out)
{
	if (a->family != b->family)
		return false;
	size_t n = lg_family_addr_len(a->family);
	memset(out, 0, sizeof(*out));
	out->family = a->family;
	memcpy(out->start, memcmp(a->start, b->start, n) > 0 ? a->start : b->start, n);
	memcpy(out->end, memcmp(a->end, b->end, n) < 0 ? a->end : b->end, n);
	return memcmp(out->start, out->end, n) <= 0;
}

/* Largest prefix that starts at `start` and does not pass `end`. */
static unsigned largest_block(const uint8_t *start, const uint8_t *end, size_t n)
{
	unsigned max = (unsigned)n * 8;
	for (unsigned len = 0; len <= max; len++) {
		struct lg_prefix p = { .family = n == 4 ? AF_INET : AF_INET6, .len = (uint8_t)len };
		memcpy(p.addr, start, n);
		if (!host_bits_zero(p.addr, n, len))
			continue;
		struct lg_range r;
		lg_prefix_to_range(&p, &r);
		if (memcmp(r.end, end, n) <= 0)
			return len;
	}
	return max;
}

/* Adds 1 to a big-endian number; returns true on overflow. */
static bool increment(uint8_t *a, size_t n)
{
	for (size_t i = n; i-- > 0;)
		if (++a[i] != 0)
			return false;
	return true;
}

size_t lg_range_to_prefixes(const struct lg_range *r, struct lg_prefix *out, size_t max)
{
	size_t n = lg_family_addr_len(r->family), count = 0;
	uint8_t cur[16];

	memcpy(cur, r->start, 16);
	if (memcmp(cur, r->end, n) > 0)
		return 0;
	for (;;) {
		struct lg_prefix p = { .family = r->family };
		p.len = (uint8_t)largest_block(cur, r->end, n);
		memcpy(p.addr, cur, n);
		if (count < max)
			out[count] = p;
		count++;
		struct lg_range pr;
		lg_prefix_to_range(&p, &pr);
		if (!memcmp(pr.end, r->end, n))
			break;
		memcpy(cur, pr.end, n);
		if (increment(cur, n))
			break;
	}
	return count;
}

int lg_sockaddr_parse(const char *s, uint16_t default_port, union lg_sockaddr *out)
{
	char host[LG_ADDRSTRLEN];
	const char *port = NULL;
	size_t hlen;

	memset(out, 0, sizeof(*out));
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (!close)
			return -EINVAL;
		hlen = (size_t)(close - s - 1);
		s++;
		if (close[1] == ':')
			port = close + 2;
		else if (close[1])
			return -EINVAL;
	} else {
		const char *colon = strchr(s, ':');
		if (colon && strchr(colon + 1, ':'))
			colon = NULL; /* bare IPv6 without port */
		hlen = colon ? (size_t)(colon - s) : strlen(s);
		if (colon)
			port = colon + 1;
	}
	if (hlen == 0 || hlen >= sizeof(host))
		return -EINVAL;
	memcpy(host, s, hlen);
	host[hlen] = '\0';

	unsigned long p = default_port;
	if (port) {
		char *end;
		if (!*port || *port == '-' || *port == '+')
			return -EINVAL;
		p = strtoul(port, &end, 10);
		if (*end || p == 0 || p > 65535)
			return -EINVAL;
	}
	if (inet_pton(AF_INET, host, &out->in4.sin_addr) == 1) {
		out->in4.sin_family = AF_INET;
		out->in4.sin_port = htons((uint16_t)p);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &out->in6.sin6_addr) == 1) {
		out->in6.sin6_family = AF_INET6;
		out->in6.sin6_port = htons((uint16_t)p);
		return 0;
	}
	return -EINVAL;
}

const uint8_t *lg_sockaddr_addr(const union lg_sockaddr *a)
{
	return a->sa.sa_family == AF_INET6 ? (const uint8_t *)&a->in6.sin6_addr
					   : (const uint8_t *)&a->in4.sin_addr;
}

uint16_t lg_sockaddr_port(const union lg_sockaddr *a)
{
	return ntohs(a->sa.sa_family == AF_INET6 ? a->in6.sin6_port : a->in4.sin_port);
}

void lg_sockaddr_set_port(union lg_sockaddr *a, uint16_t port)
{
	if (a->sa.sa_family == AF_INET6)
		a->in6.sin6_port = htons(port);
	else
		a->in4.sin_port = htons(port);
}

socklen_t lg_sockaddr_len(const union lg_sockaddr *a)
{
	return a->sa.sa_family == AF_INET6 ? sizeof(a->in6) : sizeof(a->in4);
}

const char *lg_sockaddr_format(const union lg_sockaddr *a, char *out, size_t n)
{
	char h[LG_ADDRSTRLEN];
	if (a->sa.sa_family != AF_INET && a->sa.sa_family != AF_INET6) {
		snprintf(out, n, "-");
		return out;
	}
	lg_addr_format(a->sa.sa_family, lg_sockaddr_addr(a), h, sizeof(h));
	if (a->sa.sa_family == AF_INET6)
		snprintf(out, n, "[%s]:%u", h, lg_sockaddr_port(a));
	else
		snprintf(out, n, "%s:%u", h, lg_sockaddr_port(a));
	return out;
}

bool lg_sockaddr_equal(const union lg_sockaddr *a, const union lg_sockaddr *b)
{
	if (a->sa.sa_family != b->sa.sa_family)
		return false;
	return lg_sockaddr_port(a) == lg_sockaddr_port(b) &&
	       !memcmp(lg_sockaddr_addr(a), lg_sockaddr_addr(b), lg_family_addr_len(a->sa.sa_family));
}

/* IPv4 hidden inside IPv6: every standard form that carries an IPv4 address
 * in an IPv6 one. An address or prefix in one of these ranges is judged by
 * the IPv4 it embeds as well (stricter wins), so that ::ffff:198.51.100.20,
 * 2002:c633:6414::1 or a Teredo client cannot pass for something else. */
#include <string.h>
#include "policy_internal.h"

/* Where the 32 IPv4 bits sit: up to two runs of IPv6 bits, optionally
 * inverted (Teredo obfuscates the client address, RFC 4380 §4). */
struct embedding {
	struct lg_prefix range;
	uint8_t start[2], bits[2];   /* IPv6 bit offset and length of each run */
	bool inverted;
};

static const struct embedding embeddings[] = {
	/* IPv4-mapped ::ffff:0:0/96 (RFC 4291 §2.5.5.2) */
	{ { AF_INET6, 96, { [10] = 0xff, [11] = 0xff } }, { 96, 0 }, { 32, 0 }, false },
	/* IPv4-compatible ::/96 (deprecated, RFC 4291 §2.5.5.1) */
	{ { AF_INET6, 96, { 0 } }, { 96, 0 }, { 32, 0 }, false },
	/* NAT64 well-known prefix 64:ff9b::/96 (RFC 6052) */
	{ { AF_INET6, 96, { 0x00, 0x64, 0xff, 0x9b } }, { 96, 0 }, { 32, 0 }, false },
	/* NAT64 local use 64:ff9b:1::/48 (RFC 8215): the operator picks the
	 * length, so both the /48 layout (u octet skipped) and the /96 one */
	{ { AF_INET6, 48, { 0x00, 0x64, 0xff, 0x9b, 0x00, 0x01 } }, { 48, 72 }, { 16, 16 }, false },
	{ { AF_INET6, 48, { 0x00, 0x64, 0xff, 0x9b, 0x00, 0x01 } }, { 96, 0 }, { 32, 0 }, false },
	/* 6to4 2002::/16 (RFC 3056): bits 16-47 */
	{ { AF_INET6, 16, { 0x20, 0x02 } }, { 16, 0 }, { 32, 0 }, false },
	/* Teredo 2001::/32 (RFC 4380): server at bits 32-63, client at 96-127 inverted */
	{ { AF_INET6, 32, { 0x20, 0x01 } }, { 32, 0 }, { 32, 0 }, false },
	{ { AF_INET6, 32, { 0x20, 0x01 } }, { 96, 0 }, { 32, 0 }, true },
};

static unsigned v6_bit(const struct embedding *e, unsigned i)
{
	return i < e->bits[0] ? e->start[0] + i : e->start[1] + (i - e->bits[0]);
}

static bool get_bit(const uint8_t *a, unsigned bit)
{
	return (a[bit / 8] >> (7 - bit % 8)) & 1;
}

size_t policy_embedded_v4(const struct lg_prefix *p, struct lg_prefix *out, size_t max)
{
	size_t n = 0;
	bool whole = false;   /* one 0.0.0.0/0 is enough for every range p covers */
	if (p->family != AF_INET6)
		return 0;
	for (size_t k = 0; k < sizeof(embeddings) / sizeof(embeddings[0]); k++) {
		const struct embedding *e = &embeddings[k];
		struct lg_prefix v4 = { .family = AF_INET };
		if (lg_prefix_within(&e->range, p) && p->len < e->range.len) {
			/* p holds the whole range: every IPv4 address */
			if (whole)
				continue;
			whole = true;
		} else if (lg_prefix_within(p, &e->range)) {
			unsigned len = 0;
			while (len < 32 && v6_bit(e, len) < p->len)
				len++;
			for (unsigned i = 0; i < len; i++)
				if (get_bit(p->addr, v6_bit(e, i)) != e->inverted)
					v4.addr[i / 8] |= (uint8_t)(0x80 >> (i % 8));
			v4.len = (uint8_t)len;
		} else {
			continue;
		}
		if (n < max)
			out[n] = v4;
		n++;
	}
	return n < max ? n : max;
}

size_t policy_addr_embedded_v4(const uint8_t v6[16], uint8_t out[][4], size_t max)
{
	struct lg_prefix p = { .family = AF_INET6, .len = 128 }, v4[POLICY_MAX_EMBEDDED];
	memcpy(p.addr, v6, 16);
	size_t n = policy_embedded_v4(&p, v4, POLICY_MAX_EMBEDDED);
	for (size_t i = 0; i < n && i < max; i++)
		memcpy(out[i], v4[i].addr, 4);
	return n < max ? n : max;
}

size_t policy_v4_forms(const uint8_t v4[4], uint8_t out[][16], size_t max)
{
	/* mapped, compatible, NAT64 well-known, 6to4 (subnet and host zero) */
	static const struct { uint8_t head[16]; unsigned at; } forms[] = {
		{ { [10] = 0xff, [11] = 0xff }, 12 },
		{ { 0 }, 12 },
		{ { 0x00, 0x64, 0xff, 0x9b }, 12 },
		{ { 0x20, 0x02 }, 2 },
	};
	size_t n = 0;
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]) && n < max; i++, n++) {
		memcpy(out[n], forms[i].head, 16);
		memcpy(out[n] + forms[i].at, v4, 4);
	}
	return n;
}

/* Address types shared by every module: prefixes, ranges, socket addresses.
 * Addresses are kept in network byte order, IPv4 in the first 4 bytes. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/socket.h>

struct lg_prefix {
	uint8_t family;   /* AF_INET or AF_INET6 */
	uint8_t len;      /* prefix length in bits */
	uint8_t addr[16]; /* host bits are zero */
};

/* An inclusive address range, as IKEv2 traffic selectors carry them. */
struct lg_range {
	uint8_t family;
	uint8_t start[16];
	uint8_t end[16];
};

union lg_sockaddr {
	struct sockaddr sa;
	struct sockaddr_in in4;
	struct sockaddr_in6 in6;
	struct sockaddr_storage ss;
};

enum { LG_ADDRSTRLEN = 64 /* "[v6]:port" and "v6/len" fit */ };

static inline size_t lg_family_addr_len(int family)
{
	return family == AF_INET6 ? 16 : 4;
}

/* "10.0.0.0/8", "fd00::/8"; a bare address is a host prefix. Host bits must
 * be zero. Returns 0 or -EINVAL. */
int lg_prefix_parse(const char *s, struct lg_prefix *out);
/* Writes "a.b.c.d/len"; returns out. */
const char *lg_prefix_format(const struct lg_prefix *p, char *out, size_t n);
bool lg_prefix_contains_addr(const struct lg_prefix *p, int family, const uint8_t *addr);
/* inner lies wholly inside outer. */
bool lg_prefix_within(const struct lg_prefix *inner, const struct lg_prefix *outer);
bool lg_prefix_overlap(const struct lg_prefix *a, const struct lg_prefix *b);
bool lg_prefix_equal(const struct lg_prefix *a, const struct lg_prefix *b);
void lg_prefix_to_range(const struct lg_prefix *p, struct lg_range *r);
/* Intersection of two ranges of one family; false when empty. */
bool lg_range_intersect(const struct lg_range *a, const struct lg_range *b, struct lg_range *out);
/* Splits a range into the minimal list of prefixes; returns how many were
 * needed (may exceed max: only max are written). */
size_t lg_range_to_prefixes(const struct lg_range *r, struct lg_prefix *out, size_t max);

/* "1.2.3.4:500", "[2001:db8::1]:4500"; the port is optional (default_port). */
int lg_sockaddr_parse(const char *s, uint16_t default_port, union lg_sockaddr *out);
const char *lg_sockaddr_format(const union lg_sockaddr *a, char *out, size_t n);
/* Address only, no port. */
const char *lg_addr_format(int family, const uint8_t *addr, char *out, size_t n);
int lg_addr_parse(const char *s, int *family, uint8_t addr[16]);
uint16_t lg_sockaddr_port(const union lg_sockaddr *a);
void lg_sockaddr_set_port(union lg_sockaddr *a, uint16_t port);
/* Pointer to the raw address bytes inside a (4 or 16 of them). */
const uint8_t *lg_sockaddr_addr(const union lg_sockaddr *a);
socklen_t lg_sockaddr_len(const union lg_sockaddr *a);
bool lg_sockaddr_equal(const union lg_sockaddr *a, const union lg_sockaddr *b);

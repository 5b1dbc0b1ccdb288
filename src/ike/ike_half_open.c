/* Admission of half-open SAs (responder state before any authentication,
 * RFC 7296 §2.6). Cookies make a spoofed source cost nothing, but a flooder
 * that receives at its address echoes them; so half-open state is also
 * bounded per source address and per /24 (IPv4) or /64 (IPv6), and every
 * configured peer's address keeps room of its own, so one flooding source
 * can lock out no other peer. Every refusal is counted by name. */
#include <string.h>
#include "ike_internal.h"

/* Half-open SAs are indexed by source prefix (/24 or /64): counting one
 * source's walks only its prefix's entries, at most the per-prefix bound
 * plus the configured peers' reserve, whatever else is established. */
static size_t prefix_len(int family)
{
	return family == AF_INET ? 3 : 8;
}

static uint64_t prefix_hash(const union lg_sockaddr *a)
{
	uint8_t f = (uint8_t)a->sa.sa_family;
	return lg_hash_bytes2(&f, 1, lg_sockaddr_addr(a), prefix_len(a->sa.sa_family));
}

void ike_half_open_track(struct ike_sa *sa, bool entering)
{
	struct ike *ike = sa->ike;

	if (entering) {
		ike->half_open++;
		sa->half_open_hash = prefix_hash(&sa->remote);
		/* room for IKE_HALF_OPEN_MAX was made at ike_new: no allocation
		 * below it; above, an entry we cannot add is not counted per
		 * prefix, the global count still is */
		(void)lg_hash_add(&ike->half_open_idx, sa->half_open_hash, sa);
		return;
	}
	if (ike->half_open > 0)
		ike->half_open--;
	lg_hash_del(&ike->half_open_idx, sa->half_open_hash, sa);
}

/* Half-open SAs from the address of `a`, and from its prefix. */
static void count_from(const struct ike *ike, const union lg_sockaddr *a, size_t *addr,
		       size_t *prefix)
{
	int family = a->sa.sa_family;
	size_t alen = lg_family_addr_len(family), plen = prefix_len(family), pos = 0;
	const struct ike_sa *s;

	*addr = *prefix = 0;
	while ((s = lg_hash_next(&ike->half_open_idx, prefix_hash(a), &pos))) {
		if (s->state != IKE_SA_HALF_OPEN || s->remote.sa.sa_family != family)
			continue;
		const uint8_t *x = lg_sockaddr_addr(&s->remote), *y = lg_sockaddr_addr(a);
		if (memcmp(x, y, plen) != 0)
			continue;
		(*prefix)++;
		*addr += memcmp(x, y, alen) == 0;
	}
}

bool ike_half_open_cookie_needed(const struct ike *ike, const union lg_sockaddr *from)
{
	size_t addr, prefix;

	if (ike->half_open >= IKE_COOKIE_THRESHOLD)
		return true;
	/* one spoofer with a peer's address gets no more than this without
	 * a cookie round trip it cannot make */
	count_from(ike, from, &addr, &prefix);
	return addr >= IKE_COOKIE_PER_SOURCE;
}

int ike_half_open_admit(struct ike *ike, const union lg_sockaddr *from, bool configured)
{
	size_t addr, prefix;

	count_from(ike, from, &addr, &prefix);
	if (addr >= IKE_HALF_OPEN_PER_ADDR) {
		ike_count_drop(ike, IKE_DROP_HALF_OPEN_SOURCE, "address");
		return -EAGAIN;
	}
	/* a configured peer's address always has its first few, whatever its
	 * neighbours or the rest of the world do */
	if (configured && addr < IKE_HALF_OPEN_RESERVED)
		return 0;
	if (prefix >= IKE_HALF_OPEN_PER_PREFIX) {
		ike_count_drop(ike, IKE_DROP_HALF_OPEN_SOURCE, "prefix");
		return -EAGAIN;
	}
	if (ike->half_open >= IKE_HALF_OPEN_MAX) {
		ike_count_drop(ike, IKE_DROP_HALF_OPEN_LIMIT, NULL);
		return -EAGAIN;
	}
	return 0;
}

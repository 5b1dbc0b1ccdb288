/* Pacing toward a peer: a "drained at" time per peer, advanced by each
 * message's bytes at the configured rate. A peer that reads one datagram at
 * a time (strongSwan's libipsec) gets a GSO burst queued at once; bursts
 * spaced by their drain time leave its socket buffer room for the next. */
#include <string.h>
#include "pace.h"

uint64_t dp_pace_drain_ns(size_t bytes, uint32_t mbit)
{
	/* bytes * 8 bits / (mbit * 1e6 bit/s) in ns */
	return mbit ? (uint64_t)bytes * 8000u / mbit : 0;
}

static unsigned hash_peer(int uplink, const union lg_sockaddr *a)
{
	const uint8_t *b;
	size_t n;
	uint16_t port;
	if (a->sa.sa_family == AF_INET6) {
		b = (const uint8_t *)&a->in6.sin6_addr;
		n = sizeof(a->in6.sin6_addr);
		port = a->in6.sin6_port;
	} else {
		b = (const uint8_t *)&a->in4.sin_addr;
		n = sizeof(a->in4.sin_addr);
		port = a->in4.sin_port;
	}
	uint32_t h = 2166136261u ^ (uint32_t)uplink ^ ((uint32_t)port << 8);   /* FNV-1a */
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;
	return h % DP_PACE_PEERS;
}

struct dp_pace_peer *dp_pace_find(struct dp_pace *p, int uplink, const union lg_sockaddr *peer)
{
	struct dp_pace_peer *e = &p->e[hash_peer(uplink, peer)];
	if (e->uplink != uplink || !lg_sockaddr_equal(&e->peer, peer)) {
		memset(e, 0, sizeof(*e));
		e->peer = *peer;
		e->uplink = uplink;
	}
	return e;
}

uint64_t dp_pace_send(struct dp_pace_peer *e, uint64_t now_ns, size_t bytes, uint32_t mbit)
{
	uint64_t start = e->free_ns > now_ns ? e->free_ns : now_ns;
	e->free_ns = start + dp_pace_drain_ns(bytes, mbit);
	/* a short wait is not worth a sleep: the peer holds that much more */
	return start - now_ns < DP_PACE_SLACK_NS ? 0 : start - now_ns;
}

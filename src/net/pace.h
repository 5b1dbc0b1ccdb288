/* Pacing of the sends toward one peer (issue 11): a message of B bytes
 * keeps the peer busy for B / rate, and the next message to that peer
 * waits until the previous ones can have drained. Arithmetic only: the
 * caller reads the clock once per batch and sleeps when told to. */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include "linegate/types.h"

enum {
	DP_PACE_PEERS = 64,          /* peers remembered per worker (hashed) */
	DP_PACE_SLACK_NS = 50000,    /* a wait shorter than this is not slept */
};

struct dp_pace_peer {
	union lg_sockaddr peer;
	int uplink;
	uint64_t free_ns;            /* when what was sent so far has drained */
};

struct dp_pace {
	struct dp_pace_peer e[DP_PACE_PEERS];
};

/* ns that BYTES take at MBIT Mbit/s */
uint64_t dp_pace_drain_ns(size_t bytes, uint32_t mbit);
/* The entry of (uplink, peer); a peer that hashes onto another one's entry
 * takes it over with nothing to drain. */
struct dp_pace_peer *dp_pace_find(struct dp_pace *p, int uplink, const union lg_sockaddr *peer);
/* A message of BYTES to E at NOW: the ns to wait before sending it (0: send
 * now), and E's backlog counts it from then on. */
uint64_t dp_pace_send(struct dp_pace_peer *e, uint64_t now_ns, size_t bytes, uint32_t mbit);

/* The retry schedule of an initiator peer: after a failed attempt the next
 * one waits retry-min, doubling up to retry-max, each wait jittered by ±20 %
 * so that the branches of a restarted hub do not all return in the same
 * second; an established IKE SA resets it. The next attempt and the last
 * failure are kept per peer for `linegatectl peers`. Also the schedule of
 * one request's retransmissions (§2.1), jittered for the same reason. */
#include <sodium.h>
#include <string.h>
#include "ike_internal.h"
#include "linegate/log.h"

uint32_t ike_retry_backoff(uint32_t prev_ms, uint32_t min_s, uint32_t max_s)
{
	uint64_t min = (uint64_t)(min_s ? min_s : 1) * 1000, max = (uint64_t)max_s * 1000;
	uint64_t b = prev_ms ? (uint64_t)prev_ms * 2 : min;

	if (max < min)
		max = min;
	return (uint32_t)(b < min ? min : b > max ? max : b);
}

uint32_t ike_retry_jitter(uint32_t ms, uint32_t rnd)
{
	/* ms * (0.8 + 0.4 * rnd / 2^32) */
	uint64_t span = (uint64_t)ms * 2 / 5;
	return (uint32_t)((uint64_t)ms - span / 2 + ((span * rnd) >> 32));
}

void ike_req_schedule(struct ike_request *r, uint64_t now)
{
	uint32_t wait = (uint32_t)IKE_RETRANSMIT_BASE_MS << r->tries;
	uint32_t span = wait / 100 * IKE_RETRANSMIT_JITTER_PCT;   /* each side */

	r->next_ms = now + wait - span + randombytes_uniform(2 * span + 1);
}

void ike_retry_failed(struct ike *ike, const struct conf_peer *peer, const char *reason,
		      bool retry)
{
	int i = ike_peer_index(ike, peer);
	struct ike_peer_state *ps;

	if (i < 0)
		return;
	ps = &ike->peers[i];
	snprintf(ps->last_failure, sizeof(ps->last_failure), "%s", reason);
	ps->last_failure_ms = ike->now_ms ? ike->now_ms : 1;
	ps->last_failure_wall_ms = lg_wall_ms();
	ps->failures++;
	ps->counts.ike_failures++;
	if (!retry || peer->role == CONF_ROLE_RESPONDER || ps->admin_down)
		return;
	ps->backoff_ms = ike_retry_backoff(ps->backoff_ms, peer->retry_min_s, peer->retry_max_s);
	uint32_t wait = ike_retry_jitter(ps->backoff_ms, randombytes_random());
	lg_log(LOG_INFO, "event=ike_retry peer=%s reason=%s in_ms=%u failures=%u", peer->name,
	       reason, wait, ps->failures);
	ike_schedule_initiate(ike, peer, wait);
}

void ike_retry_reset(struct ike *ike, const struct conf_peer *peer)
{
	int i = ike_peer_index(ike, peer);

	if (i < 0)
		return;
	ike->peers[i].backoff_ms = 0;
	ike->peers[i].failures = 0;
}

struct ike_peer_counts *ike_peer_counts_of(struct ike *ike, const struct conf_peer *peer)
{
	int i = ike_peer_index(ike, peer);
	return i < 0 ? NULL : &ike->peers[i].counts;
}

int ike_peer_retry(struct ike *ike, const char *peer_name, struct ike_peer_retry *out)
{
	const struct conf_peer *p = config_find_peer(ike->cfg, peer_name);
	const struct ike_peer_state *ps;

	memset(out, 0, sizeof(*out));
	if (!p)
		return -ENOENT;
	ps = &ike->peers[ike_peer_index(ike, p)];
	out->next_attempt_ms = ps->next_initiate_ms;
	out->backoff_ms = ps->backoff_ms;
	out->failures = ps->failures;
	out->admin_down = ps->admin_down;
	out->last_failure_ms = ps->last_failure_ms;
	out->last_failure_wall_ms = ps->last_failure_wall_ms;
	memcpy(out->last_failure, ps->last_failure, sizeof(out->last_failure));
	out->counts = ps->counts;
	return 0;
}

/* Everything driven by time (ike_tick, every 100 ms, for the SAs whose next
 * deadline in ike->timers has come): retransmission
 * with exponential back-off and a give-up limit (§2.1, §2.4), half-open
 * expiry, soft/hard lifetimes of IKE and CHILD SAs (rekey, then delete),
 * liveness checks after dpd seconds without inbound traffic (§2.4),
 * NAT-T keepalives, and the (re)initiation of initiator peers. */
#include <stdlib.h>
#include <string.h>
#include "linegate/audit.h"
#include "ike_internal.h"
#include "linegate/log.h"

/* Returns false when the SA was destroyed. */
static bool retransmit(struct ike_sa *sa, uint64_t now)
{
	struct ike_request *r = &sa->req;

	if (!r->active || now < r->next_ms)
		return true;
	if (r->tries >= IKE_RETRANSMIT_TRIES) {
		const char *why = r->task == IKE_TASK_DPD ? "dpd_timeout" : "peer_unreachable";
		lg_log(LOG_WARNING, "event=ike_give_up peer=%s task=%d reason=%s", sa->peer_name,
		       r->task, why);
		if (r->task == IKE_TASK_DELETE_IKE && !sa->reinitiate) {
			ike_sa_destroy(sa, sa->replaced_by ? "rekeyed" : "deleted");
			return false;
		}
		if (r->task == IKE_TASK_DPD && sa->peer->dpd_action == CONF_ACTION_CLEAR) {
			const struct conf_peer *p = sa->peer;
			struct ike *ike = sa->ike;
			ike_sa_destroy(sa, why);
			ike_retry_failed(ike, p, why, false);   /* dpd-action clear */
			return false;
		}
		ike_sa_fail(sa, why);
		return false;
	}
	r->tries++;
	ike_req_schedule(r, now);
	ike_send_all(sa, r->msg, r->len);   /* every fragment again (RFC 7383 §2.6.1) */
	return true;
}

/* Inbound ESP counts as a sign of life, so idle tunnels only get checks. */
static void note_esp_activity(struct ike_sa *sa, uint64_t now)
{
	struct ike *ike = sa->ike;

	if (!ike->child.stats)
		return;
	for (struct child_sa *c = sa->children; c; c = c->next) {
		struct esp_child_stats st;
		if (!c->in_datapath || ike->child.stats(ike->child.ctx, c->child_id, &st) < 0)
			continue;
		if (st.packets_in != c->last_packets_in) {
			c->last_packets_in = st.packets_in;
			sa->last_in_ms = now;
		}
		if (st.rekey_wanted && c->state == CHILD_SA_INSTALLED && c->rekey_ms > now)
			c->rekey_ms = now;
	}
}

/* Lifetimes of the children; at most one request is started. */
static bool child_timers(struct ike_sa *sa, uint64_t now)
{
	struct child_sa *c, *next;

	for (c = sa->children; c; c = next) {
		next = c->next;
		if (c->expire_ms && now >= c->expire_ms && c->state != CHILD_SA_DELETING) {
			if (!sa->req.active && ike_info_delete_child_start(sa, c) == 0)
				return true;
			if (now >= c->expire_ms + IKE_DELETE_GRACE_MS)
				child_sa_remove(sa, c, "hard_lifetime");
			continue;
		}
		if (c->state == CHILD_SA_REKEYED && c->delete_ms && now >= c->delete_ms) {
			if (!sa->req.active && ike_info_delete_child_start(sa, c) == 0)
				return true;
			continue;
		}
		if (c->state == CHILD_SA_INSTALLED && c->rekey_ms && now >= c->rekey_ms &&
		    !sa->req.active && sa->state == IKE_SA_ESTABLISHED) {
			if (ike_child_rekey_start(sa, c) == 0)
				return true;
			c->rekey_ms = now + 10000;
		}
	}
	return false;
}

/* An IKE SA we initiated that lost its last CHILD SA (hard lifetime, the
 * peer's DELETE, a refused rekey) carries nothing: start over. */
static bool childless(struct ike_sa *sa, uint64_t now)
{
	if (sa->children || !sa->initiator || sa->peer->role == CONF_ROLE_RESPONDER) {
		sa->childless_since = 0;
		return false;
	}
	if (!sa->childless_since) {
		sa->childless_since = now;
		return false;
	}
	if (now < sa->childless_since + IKE_CHILDLESS_GRACE_MS)
		return false;
	sa->reinitiate = true;
	return ike_info_delete_ike_start(sa) == 0;
}

/* Starts the next wished-for exchange when the window is free. */
static void start_pending(struct ike_sa *sa, uint64_t now)
{
	const struct conf_peer *p = sa->peer;

	if (sa->req.active)
		return;
	if (sa->want_delete || (sa->expire_ms && now >= sa->expire_ms)) {
		if (sa->state != IKE_SA_DELETING)
			ike_info_delete_ike_start(sa);
		return;
	}
	if (sa->state != IKE_SA_ESTABLISHED)
		return;
	if (sa->rekey_ms && now >= sa->rekey_ms) {
		if (ike_rekey_ike_start(sa) == 0)
			return;
		sa->rekey_ms = now + 10000;
	}
	if (child_timers(sa, now))
		return;
	if (childless(sa, now))
		return;
	if (p->dpd_s && now >= sa->last_in_ms + (uint64_t)p->dpd_s * 1000 &&
	    now >= sa->last_out_ms + (uint64_t)p->dpd_s * 1000)
		ike_info_dpd_start(sa);
}

/* Behind a NAT our mapping must not expire between IKE messages (RFC 3948
 * §4): a keepalive after IKE_KEEPALIVE_MS of silence from us. */
static void keepalive(struct ike_sa *sa, uint64_t now)
{
	struct ike *ike = sa->ike;

	if (!sa->nat_local || !sa->natt || !ike->tx.send_keepalive)
		return;
	if (now < sa->last_out_ms + IKE_KEEPALIVE_MS || now < sa->keepalive_ms + IKE_KEEPALIVE_MS)
		return;
	sa->keepalive_ms = now;
	ike->tx.send_keepalive(ike->tx.ctx, sa->uplink, &sa->remote);
}

/* Rekey responder: the peer's DELETE of the old SA is late; the new one
 * carries our traffic anyway (the peer has had it for a while). */
static void activate_late(struct ike_sa *sa, uint64_t now)
{
	for (struct child_sa *c = sa->children; c; c = c->next)
		if (c->out_pending && now >= c->activate_ms)
			child_sa_activate_outbound(sa, c);
}

/* Returns false when the SA was destroyed. */
static bool sa_tick(struct ike_sa *sa, uint64_t now)
{
	if (!retransmit(sa, now))
		return false;
	if (sa->state == IKE_SA_HALF_OPEN && now >= sa->created_ms + IKE_HALF_OPEN_TIMEOUT_MS) {
		ike_sa_destroy(sa, "half_open_timeout");
		return false;
	}
	if (sa->state == IKE_SA_REKEYED && sa->delete_ms && now >= sa->delete_ms &&
	    !sa->req.active) {
		ike_info_delete_ike_start(sa);
		return true;
	}
	activate_late(sa, now);
	ike_reasm_expire(sa, now);
	if (sa->state == IKE_SA_ESTABLISHED || sa->state == IKE_SA_REKEYING) {
		note_esp_activity(sa, now);
		keepalive(sa, now);
	}
	start_pending(sa, now);
	return true;
}

static void initiate_peers(struct ike *ike, uint64_t now)
{
	ike->initiate_min_ms = UINT64_MAX;
	for (size_t i = 0; i < ike->cfg->n_peers; i++) {
		struct ike_peer_state *ps = &ike->peers[i];
		const struct conf_peer *p = &ike->cfg->peers[i];

		if (!ps->next_initiate_ms || ps->admin_down || p->role == CONF_ROLE_RESPONDER)
			continue;
		if (now < ps->next_initiate_ms) {
			ike_initiate_note(ike, ps->next_initiate_ms);
			continue;
		}
		ps->next_initiate_ms = 0;
		const struct ike_sa *sa = ike_sa_by_peer(ike, p->name);
		if (sa) {
			/* an exchange of ours in flight, or an SA on its way out:
			 * look again later (an established SA reschedules us
			 * itself when it goes) */
			if (!sa->established_ms || sa->replaced_by || sa->state == IKE_SA_DELETING)
				ps->next_initiate_ms = now + IKE_INITIATE_BACKOFF_MS;
			if (ps->next_initiate_ms)
				ike_initiate_note(ike, ps->next_initiate_ms);
			continue;
		}
		int rc = ike_sa_init_initiator_start(ike, p, now);
		/* refused by policy or no memory: try again later (-EIO went
		 * through ike_sa_fail, which scheduled the next attempt) */
		if (rc < 0 && rc != -EIO)
			ike_retry_failed(ike, p, rc == -EPERM ? ike->refused : "internal_error", true);
	}
}

static void at(uint64_t *due, uint64_t t)
{
	if (t < *due)
		*due = t;
}

/* The earliest moment sa_tick could act on sa: every condition it tests,
 * as a deadline. Too early costs a look; too late would be a bug, so what
 * cannot be foreseen (ESP's soft limits) is looked at regularly. */
static uint64_t child_due(const struct ike_sa *sa, uint64_t now, uint64_t due)
{
	const struct conf_peer *p = sa->peer;
	bool polled = false;

	for (const struct child_sa *c = sa->children; c; c = c->next) {
		if (c->out_pending)
			at(&due, c->activate_ms);
		if (c->expire_ms)
			at(&due, c->expire_ms);
		if (c->state == CHILD_SA_REKEYED && c->delete_ms)
			at(&due, c->delete_ms);
		if (c->state == CHILD_SA_INSTALLED && c->rekey_ms)
			at(&due, c->rekey_ms);
		polled |= c->in_datapath;
	}
	if (polled && (p->child_lifetime_bytes || p->child_lifetime_packets))
		at(&due, now + IKE_ESP_POLL_MS);
	return due;
}

static uint64_t sa_due(const struct ike_sa *sa, uint64_t now)
{
	const struct conf_peer *p = sa->peer;
	uint64_t due = now + IKE_TIMER_MAX_SLEEP_MS;

	if (sa->req.active)
		at(&due, sa->req.next_ms);
	if (sa->state == IKE_SA_HALF_OPEN)
		at(&due, sa->created_ms + IKE_HALF_OPEN_TIMEOUT_MS);
	if (sa->state == IKE_SA_REKEYED && sa->delete_ms)
		at(&due, sa->delete_ms);
	at(&due, ike_reasm_deadline(sa));
	due = child_due(sa, now, due);
	if ((sa->state == IKE_SA_ESTABLISHED || sa->state == IKE_SA_REKEYING) && sa->nat_local &&
	    sa->natt) {
		uint64_t quiet = sa->last_out_ms > sa->keepalive_ms ? sa->last_out_ms : sa->keepalive_ms;
		at(&due, quiet + IKE_KEEPALIVE_MS);
	}
	if (sa->want_delete && !sa->req.active)   /* else the answer touches it */
		at(&due, now);
	if (sa->expire_ms)
		at(&due, sa->expire_ms);
	if (sa->rekey_ms)
		at(&due, sa->rekey_ms);
	if (sa->state == IKE_SA_ESTABLISHED && !sa->children && sa->initiator &&
	    p->role != CONF_ROLE_RESPONDER)
		at(&due, sa->childless_since ? sa->childless_since + IKE_CHILDLESS_GRACE_MS : now);
	if (p->dpd_s) {
		uint64_t quiet = sa->last_in_ms > sa->last_out_ms ? sa->last_in_ms : sa->last_out_ms;
		at(&due, quiet + (uint64_t)p->dpd_s * 1000);
	}
	return due;
}

static void sa_schedule(struct ike_sa *sa, uint64_t now)
{
	uint64_t due = sa_due(sa, now);

	/* what is due but waits (a busy window, a refused start) is looked at
	 * again on the next tick, as every SA used to be */
	if (due <= now)
		due = now + 1;
	lg_timer_set(&sa->ike->timers, &sa->timer, due);   /* room reserved by ike_sa_new */
}

void ike_sa_touch(struct ike_sa *sa)
{
	struct ike *ike = sa->ike;

	/* during a tick: the next one (two SAs touching each other must not
	 * keep one tick going) */
	lg_timer_by(&ike->timers, &sa->timer, ike->now_ms + ike->in_tick);
}

void ike_initiate_note(struct ike *ike, uint64_t at_ms)
{
	if (at_ms < ike->initiate_min_ms)
		ike->initiate_min_ms = at_ms;
}

void ike_tick(struct ike *ike, uint64_t now_ms)
{
	struct lg_timer *t;

	ike->now_ms = now_ms;
	ike->in_tick = true;
	/* only the SAs that are due; each is rescheduled after now, so the
	 * loop ends (touches during the tick are for the next one) */
	while ((t = lg_timer_pop_due(&ike->timers, now_ms))) {
		struct ike_sa *sa = (struct ike_sa *)((char *)t - offsetof(struct ike_sa, timer));
		sa_tick(sa, now_ms);
		if (!sa->gone)
			sa_schedule(sa, now_ms);
	}
	ike->in_tick = false;
	while (ike->graveyard) {
		struct ike_sa *g = ike->graveyard;
		ike->graveyard = g->next;
		free(g);
	}
	if (now_ms >= ike->initiate_min_ms)
		initiate_peers(ike, now_ms);
}

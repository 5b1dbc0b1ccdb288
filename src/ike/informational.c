/* INFORMATIONAL (RFC 7296 §1.4): liveness checks (an empty request, §2.4),
 * DELETE of CHILD SAs (answered with our inbound SPIs of the same pairs,
 * §1.4.1) and of the IKE SA (with all its CHILD SAs), error notifies. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include "linegate/audit.h"
#include "ike_internal.h"
#include "linegate/log.h"

/* ------------------------------------------------------------------ */
/* Initiator                                                           */
/* ------------------------------------------------------------------ */

int ike_info_dpd_start(struct ike_sa *sa)
{
	struct ike_builder *b = malloc(sizeof(*b));
	int r;

	if (!b)
		return -ENOMEM;
	ike_req_start(sa, b, IKEV2_EXCHANGE_INFORMATIONAL);
	r = ike_req_send(sa, b, IKE_TASK_DPD);
	free(b);
	return r;
}

int ike_info_delete_child_start(struct ike_sa *sa, struct child_sa *c)
{
	struct ike_builder *b;
	int r;

	if (sa->req.active) {
		/* the window is busy: the tick deletes it once it is free */
		c->delete_ms = sa->ike->now_ms;
		return -EBUSY;
	}
	b = malloc(sizeof(*b));
	if (!b)
		return -ENOMEM;
	ike_req_start(sa, b, IKEV2_EXCHANGE_INFORMATIONAL);
	ike_build_delete_esp(b, &c->spi_in, 1);
	r = ike_req_send(sa, b, IKE_TASK_DELETE_CHILD);
	free(b);
	if (r < 0)
		return r;
	sa->req.child_id = c->child_id;
	child_sa_set_state(sa, c, CHILD_SA_DELETING);
	return 0;
}

int ike_info_delete_ike_start(struct ike_sa *sa)
{
	struct ike_builder *b;
	int r;

	if (sa->req.active) {
		sa->want_delete = true;
		return -EBUSY;
	}
	b = malloc(sizeof(*b));
	if (!b)
		return -ENOMEM;
	ike_req_start(sa, b, IKEV2_EXCHANGE_INFORMATIONAL);
	ike_build_delete_ike(b);
	r = ike_req_send(sa, b, IKE_TASK_DELETE_IKE);
	free(b);
	if (r < 0)
		return r;
	sa->want_delete = false;
	ike_sa_set_state(sa, IKE_SA_DELETING);
	return 0;
}

void ike_info_initiator_response(struct ike_sa *sa, const struct ike_payload_list *pl)
{
	enum ike_task task = sa->req.task;
	uint32_t child_id = sa->req.child_id;
	struct child_sa *c;

	(void)pl;
	ike_req_clear(sa);
	switch (task) {
	case IKE_TASK_DELETE_CHILD:
		c = child_sa_by_id(sa, child_id);
		if (c)
			child_sa_remove(sa, c, "deleted");
		break;
	case IKE_TASK_DELETE_IKE:
		if (sa->reinitiate)
			ike_sa_fail(sa, "no_child_sa");   /* back-off, then again */
		else
			ike_sa_destroy(sa, sa->replaced_by ? "rekeyed" : "deleted");
		break;
	default:   /* liveness answered: last_in_ms already moved */
		break;
	}
}

/* ------------------------------------------------------------------ */
/* Responder                                                           */
/* ------------------------------------------------------------------ */

/* Removes the children the peer deletes; collects our SPIs of them. */
static size_t delete_children(struct ike_sa *sa, const struct ike_delete *d, uint32_t *ours)
{
	size_t n = 0;

	for (size_t i = 0; i < d->n_spis; i++) {
		struct child_sa *c = child_sa_by_spi_out(sa, d->esp_spis[i]);
		if (!c)
			continue;   /* §1.4.1: unknown SPIs are ignored */
		ours[n++] = c->spi_in;
		if (c->child_id == sa->req.child_id && sa->req.task == IKE_TASK_DELETE_CHILD)
			sa->req.child_id = 0;   /* both deleted it at once */
		child_sa_remove(sa, c, "deleted_by_peer");
	}
	return n;
}

void ike_info_responder(struct ike_sa *sa, uint32_t msg_id, const struct ike_payload_list *pl)
{
	struct ike_builder *b = malloc(sizeof(*b));
	uint32_t ours[IKE_MAX_DELETE_SPIS * 2];
	size_t n_ours = 0;
	bool delete_ike = false;
	struct ike_delete *d = malloc(sizeof(*d));

	if (!b || !d)
		goto out;
	for (size_t i = 0; i < pl->n; i++) {
		if (pl->p[i].type != IKEV2_PAYLOAD_DELETE || ike_decode_delete(&pl->p[i], d) < 0)
			continue;
		if (d->protocol == IKEV2_PROTO_IKE)
			delete_ike = true;
		else if (d->protocol == IKEV2_PROTO_ESP && n_ours < IKE_MAX_DELETE_SPIS)
			n_ours += delete_children(sa, d, ours + n_ours);
	}
	ike_resp_start(sa, b, IKEV2_EXCHANGE_INFORMATIONAL, msg_id);
	if (n_ours && !delete_ike)
		ike_build_delete_esp(b, ours, n_ours);
	ike_resp_send(sa, b);
	if (delete_ike) {
		struct ike *ike = sa->ike;
		const struct conf_peer *peer = sa->peer;
		bool rekeyed = sa->replaced_by != NULL;

		lg_log(LOG_INFO, "event=ike_delete_received peer=%s", sa->peer_name);
		ike_sa_destroy(sa, rekeyed ? "rekeyed" : "deleted_by_peer");
		/* a site-to-site tunnel is meant to be up: with close-action
		 * restart an initiator peer tries again by its retry schedule
		 * (a restarting peer is back within seconds, one that meant it
		 * is asked at most every retry-max) */
		if (!rekeyed && !ike_sa_by_peer(ike, peer->name))
			ike_retry_failed(ike, peer, "deleted_by_peer",
					 peer->close_action == CONF_ACTION_RESTART);
	}
out:
	free(d);
	free(b);
}

/* CREATE_CHILD_SA (RFC 7296 §1.3): CHILD SA rekey (§1.3.3, §2.8) make
 * before break, optional PFS, new CHILD SAs, IKE SA rekey (§1.3.2, §2.18:
 * the new SA's message IDs start at 0 and its initiator is the rekey's
 * initiator), and simultaneous-rekey collisions (§2.8.1, §2.8.2: the
 * exchange that produced the lowest of the four nonces is redundant and its
 * initiator deletes what it created). */
#include <arpa/inet.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include "linegate/audit.h"
#include "ike_internal.h"
#include "linegate/log.h"

static uint32_t spi_of(const struct ike_proposal *p)
{
	return (uint32_t)p->spi[0] << 24 | (uint32_t)p->spi[1] << 16 | (uint32_t)p->spi[2] << 8 |
	       p->spi[3];
}

/* Lexicographic nonce order of §2.8.1 (shorter = smaller on a common prefix). */
int ike_nonce_cmp(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
	int r = memcmp(a, b, al < bl ? al : bl);

	return r ? r : (al > bl) - (al < bl);
}

void ike_nonce_min(const uint8_t *a, size_t al, const uint8_t *b, size_t bl, uint8_t *out,
		   size_t *outl)
{
	bool a_min = ike_nonce_cmp(a, al, b, bl) <= 0;

	memcpy(out, a_min ? a : b, a_min ? al : bl);
	*outl = a_min ? al : bl;
}

/* A collision's lower nonce, kept until it is settled (malloc); without
 * memory none is kept and ours counts as the higher. */
static void keep_min_nonce(uint8_t **slot, size_t *slot_len, const uint8_t *a, size_t al,
			   const uint8_t *b, size_t bl)
{
	uint8_t min[IKEV2_NONCE_MAX];
	size_t len;

	ike_nonce_min(a, al, b, bl, min, &len);
	ike_sa_set_bytes(slot, slot_len, min, len);
}

static bool pfs_wanted(const struct conf_peer *p)
{
	return p->n_esp_proposals && p->esp_proposals[0].dh != IKEV2_DH_NONE;
}

static void audit_rekeyed(struct ike_sa *sa, enum audit_event ev, uint32_t old_spi,
			  uint32_t new_spi, const char *by)
{
	char o[9], n[9];

	snprintf(o, sizeof(o), "%08x", old_spi);
	snprintf(n, sizeof(n), "%08x", new_spi);
	audit_emit(ev, AUDIT_SUCCESS, sa->peer_id, sa->peer_name, "old_spi_in", o,
		   "new_spi_in", n, "started_by", by, NULL);
}

/* ------------------------------------------------------------------ */
/* CHILD SA rekey, initiator                                           */
/* ------------------------------------------------------------------ */

int ike_child_rekey_start(struct ike_sa *sa, struct child_sa *old)
{
	const struct conf_peer *p = sa->peer;
	struct ike_builder *b = malloc(sizeof(*b));
	struct child_sa *c = child_sa_new(sa);
	bool pfs = pfs_wanted(p);
	uint32_t spi_old = htonl(old->spi_in), spi_new;
	int r = -ENOMEM;

	if (!b || !c)
		goto out;
	ike_req_start(sa, b, IKEV2_EXCHANGE_CREATE_CHILD_SA);
	ike_build_notify(b, IKEV2_PROTO_ESP, (uint8_t *)&spi_old, 4, IKEV2_NOTIFY_REKEY_SA, NULL, 0);
	spi_new = htonl(c->spi_in);
	ike_build_sa(b, p->esp_proposals, p->n_esp_proposals, IKEV2_PROTO_ESP, (uint8_t *)&spi_new,
		     4, true);
	randombytes_buf(sa->req.nonce, sizeof(sa->req.nonce));
	ike_build_nonce(b, sa->req.nonce, sizeof(sa->req.nonce));
	if (pfs) {
		uint16_t g = p->esp_proposals[0].dh;
		uint8_t pub[IKE_DH_PUB_MAX];
		struct ike_exch_secret *sec = ike_sa_sec(sa);
		r = sec ? ike_dh_keypair(g, &sec->dh, pub, sizeof(pub)) : -ENOMEM;
		if (r < 0)
			goto out;
		ike_build_ke(b, g, pub, ike_dh_pub_len(g));
	}
	/* the same selectors as the SA it replaces */
	ike_build_ts(b, IKEV2_PAYLOAD_TSi, old->local_ts, old->n_local_ts);
	ike_build_ts(b, IKEV2_PAYLOAD_TSr, old->remote_ts, old->n_remote_ts);
	r = ike_req_send(sa, b, IKE_TASK_CHILD_REKEY);
	if (r < 0)
		goto out;
	sa->req.child_id = old->child_id;
	sa->req.new_child = c;
	c = NULL;
	child_sa_set_state(sa, old, CHILD_SA_REKEYING);
out:
	free(c);
	free(b);
	return r;
}

static void rekey_failed(struct ike_sa *sa, struct child_sa *old, const char *why)
{
	if (old && old->state == CHILD_SA_REKEYING) {
		child_sa_set_state(sa, old, CHILD_SA_INSTALLED);
		old->rekey_ms = sa->ike->now_ms + 10000;   /* try again soon */
	}
	audit_emit(AUDIT_IKE_EXCHANGE_FAILED, AUDIT_FAILURE, sa->peer_id, sa->peer_name,
		   "exchange", "CREATE_CHILD_SA", "reason", why, NULL);
	ike_req_clear(sa);
}

/* Which negotiated child shall live after a collision (§2.8.1)? */
static void settle_child_rekey(struct ike_sa *sa, struct child_sa *old, struct child_sa *ours,
			       const uint8_t *nr, size_t nr_len)
{
	uint8_t our_min[IKEV2_NONCE_MAX];
	size_t our_min_len;
	struct child_sa *theirs = old->peer_rekey_child ?
				  child_sa_by_id(sa, old->peer_rekey_child) : NULL;

	child_sa_set_state(sa, old, CHILD_SA_REKEYED);
	if (!theirs) {
		ike_info_delete_child_start(sa, old);
		return;
	}
	ike_nonce_min(sa->req.nonce, sizeof(sa->req.nonce), nr, nr_len, our_min, &our_min_len);
	if (ike_nonce_cmp(our_min, our_min_len, old->peer_rekey_min_nonce, old->peer_rekey_min_len) < 0) {
		/* ours holds the lowest nonce: redundant, we delete it; the
		 * peer deletes the old one */
		lg_log(LOG_INFO, "event=child_rekey_collision peer=%s winner=peer", sa->peer_name);
		child_sa_set_state(sa, ours, CHILD_SA_REKEYED);
		ike_info_delete_child_start(sa, ours);
		old->delete_ms = sa->ike->now_ms + IKE_DELETE_GRACE_MS * 6;
	} else {
		lg_log(LOG_INFO, "event=child_rekey_collision peer=%s winner=us", sa->peer_name);
		/* the peer deletes its redundant SA: it never carries our traffic */
		old->successor = 0;
		theirs->activate_ms = UINT64_MAX;
		ike_info_delete_child_start(sa, old);
	}
}

static void child_rekey_response(struct ike_sa *sa, const struct ike_payload_list *pl)
{
	struct child_sa *old = child_sa_by_id(sa, sa->req.child_id);
	struct child_sa *c = sa->req.new_child;
	const struct ike_payload *sap = ike_payload_find(pl, IKEV2_PAYLOAD_SA);
	const struct ike_payload *np = ike_payload_find(pl, IKEV2_PAYLOAD_NONCE);
	const struct ike_payload *kep = ike_payload_find(pl, IKEV2_PAYLOAD_KE);
	struct ike_sa_payload *reply = malloc(sizeof(*reply));
	struct ike_exch_secret *sec = ike_sa_sec(sa);   /* the PFS key of our request */
	const struct ike_proposal *which;
	struct conf_proposal chosen;
	const uint8_t *nr = NULL;
	size_t nr_len = 0;
	struct ike_ke ke;
	uint16_t err = ike_first_error_notify(pl);
	const char *why = NULL;

	if (!reply || !sec)
		why = "internal_error";
	else if (err)
		why = ike_notify_name(err);
	else if (!sap || !np || ike_decode_sa(sap, reply) < 0 || ike_decode_nonce(np, &nr, &nr_len) ||
		 !ike_proposal_accept_reply(sa->peer->esp_proposals, sa->peer->n_esp_proposals, reply,
					    IKEV2_PROTO_ESP, false, &chosen, &which))
		why = "NO_PROPOSAL_CHOSEN";
	else if (chosen.dh && (!kep || ike_decode_ke(kep, &ke) < 0 || ke.group != chosen.dh ||
			       ke.group != sec->dh.group ||
			       ike_dh_shared(&sec->dh, ke.data, ke.len, sec->gir,
					     sizeof(sec->gir), &sec->gir_len) < 0))
		why = "INVALID_KE_PAYLOAD";
	else if (ike_narrow_ts(sa->ike, sa->peer, sa->peer_id, true, pl, c) != 0)
		why = "TS_UNACCEPTABLE";
	if (!why)
		c->spi_out = spi_of(which);   /* which points into reply */
	free(reply);
	if (why) {
		rekey_failed(sa, old, why);
		return;
	}
	c->encr = chosen.encr;
	c->keybits = chosen.encr_keybits;
	c->integ = chosen.integ;
	c->dh = chosen.dh;
	sa->req.new_child = NULL;
	child_sa_attach(sa, c);
	if (child_sa_install(sa, c, true, false, chosen.dh ? sec->gir : NULL,
			     chosen.dh ? sec->gir_len : 0,
			     sa->req.nonce, sizeof(sa->req.nonce), nr, nr_len, "rekey") < 0) {
		child_sa_remove(sa, c, "install_failed");
		rekey_failed(sa, old, "datapath_install_failed");
		return;
	}
	sodium_memzero(sec->gir, sizeof(sec->gir));
	if (old)
		audit_rekeyed(sa, AUDIT_CHILD_SA_REKEYED, old->spi_in, c->spi_in, "us");
	/* keep the nonce for the collision check, then free the window */
	uint8_t ni[IKEV2_NONCE_LEN];
	memcpy(ni, sa->req.nonce, sizeof(ni));
	ike_req_clear(sa);
	memcpy(sa->req.nonce, ni, sizeof(ni));
	if (old && old->state == CHILD_SA_REKEYING)
		settle_child_rekey(sa, old, c, nr, nr_len);
	else if (old && old->state == CHILD_SA_INSTALLED)
		ike_info_delete_child_start(sa, old);
}

/* ------------------------------------------------------------------ */
/* IKE SA rekey, initiator                                             */
/* ------------------------------------------------------------------ */

int ike_rekey_ike_start(struct ike_sa *sa)
{
	const struct conf_peer *p = sa->peer;
	struct ike_builder *b = malloc(sizeof(*b));
	struct ike_sa *n = ike_sa_new(sa->ike, p, true);
	uint16_t g = sa->prop.dh;        /* the group this SA agreed on */
	uint8_t pub[IKE_DH_PUB_MAX];
	int r = -ENOMEM;

	if (!b || !n)
		goto fail;
	r = ike_sa_set_bytes(&n->ni, &n->ni_len, NULL, IKEV2_NONCE_LEN);
	if (r == 0)
		r = n->sec ? ike_dh_keypair(g, &n->sec->dh, pub, sizeof(pub)) : -ENOMEM;
	if (r < 0)
		goto fail;
	ike_req_start(sa, b, IKEV2_EXCHANGE_CREATE_CHILD_SA);
	ike_build_sa(b, p->ike_proposals, p->n_ike_proposals, IKEV2_PROTO_IKE, n->spi_i, 8, true);
	ike_build_nonce(b, n->ni, n->ni_len);
	ike_build_ke(b, g, pub, ike_dh_pub_len(g));
	r = ike_req_send(sa, b, IKE_TASK_IKE_REKEY);
	if (r < 0)
		goto fail;
	sa->req.new_ike = n;
	ike_sa_set_state(sa, IKE_SA_REKEYING);
	free(b);
	return 0;
fail:
	if (n)
		ike_sa_unlink_free(n);
	free(b);
	return r;
}

/* New IKE SA keys: SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr) (§2.18). */
static int rekey_derive(struct ike_sa *old, struct ike_sa *n, const uint8_t *peer_pub, size_t len)
{
	struct ike_exch_secret *s = n->sec;   /* its key pair's (ike_sa_new) */
	int r = -EINVAL;

	if (s && n->prop.dh == s->dh.group)
		r = ike_dh_shared(&s->dh, peer_pub, len, s->gir, sizeof(s->gir), &s->gir_len);
	if (r == 0)
		r = ike_skeyseed_rekey(old->keys->prf, old->keys->sk_d, old->keys->prf_len, s->gir,
				       s->gir_len, n->ni, n->ni_len, n->nr, n->nr_len, s->skeyseed);
	if (r == 0)
		r = ike_derive_keys(n->prop.prf, n->prop.encr, n->prop.encr_keybits, n->prop.integ,
				    s->skeyseed,
				    n->ni, n->ni_len, n->nr, n->nr_len, n->spi_i, n->spi_r, n->keys);
	ike_sa_sec_drop(n);
	return r;
}

/* The new SA inherits the old one's path and peer facts. */
static void rekey_inherit(struct ike_sa *n, const struct ike_sa *old)
{
	n->remote = old->remote;
	n->local = old->local;
	n->uplink = old->uplink;
	n->natt = old->natt;
	n->nat_local = old->nat_local;
	n->frag = old->frag;             /* RFC 7383 §2.3: negotiated once per IKE SA chain */
	n->peer_identity = old->peer_identity;
	memcpy(n->peer_id, old->peer_id, sizeof(n->peer_id));
	if (old->peer_cert && (n->peer_cert = malloc(sizeof(*n->peer_cert))))
		*n->peer_cert = *old->peer_cert;
	n->msg_id_in = n->msg_id_out = 0;
	ike_sa_set_state(n, IKE_SA_ESTABLISHED);
	n->established_ms = n->ike->now_ms ? n->ike->now_ms : 1;
	n->established_wall_ms = lg_wall_ms();
	n->last_in_ms = n->ike->now_ms;
	ike_jitter_lifetimes(n, n->ike->now_ms);
}

void ike_sa_adopt_children(struct ike_sa *to, struct ike_sa *from)
{
	while (from->children) {
		struct child_sa *c = from->children;
		from->children = c->next;
		child_sa_attach(to, c);
	}
}

static void audit_ike_rekeyed(struct ike_sa *old, struct ike_sa *n, const char *by)
{
	char o[17], s[17];

	struct ike_peer_counts *k = ike_peer_counts_of(old->ike, old->peer);
	if (k)
		k->ike_rekeys++;
	lg_hex(ike_sa_our_spi(old), 8, o);
	lg_hex(ike_sa_our_spi(n), 8, s);
	audit_emit(AUDIT_IKE_SA_REKEYED, AUDIT_SUCCESS, old->peer_id, old->peer_name,
		   "old_spi", o, "new_spi", s, "encr", ike_encr_name(n->prop.encr, n->prop.encr_keybits),
		   "prf", ike_prf_name(n->prop.prf), "started_by", by, NULL);
}

static void ike_rekey_response(struct ike_sa *sa, const struct ike_payload_list *pl)
{
	struct ike_sa *n = sa->req.new_ike;
	const struct ike_payload *sap = ike_payload_find(pl, IKEV2_PAYLOAD_SA);
	const struct ike_payload *np = ike_payload_find(pl, IKEV2_PAYLOAD_NONCE);
	const struct ike_payload *kep = ike_payload_find(pl, IKEV2_PAYLOAD_KE);
	struct ike_sa_payload *reply = malloc(sizeof(*reply));
	const struct ike_proposal *which;
	const uint8_t *nr;
	size_t nr_len;
	struct ike_ke ke;
	bool ok = reply && n && sap && np && kep && !ike_first_error_notify(pl) &&
		  ike_decode_sa(sap, reply) == 0 && ike_decode_nonce(np, &nr, &nr_len) == 0 &&
		  ike_decode_ke(kep, &ke) == 0 &&
		  ike_proposal_accept_reply(sa->peer->ike_proposals, sa->peer->n_ike_proposals, reply,
					    IKEV2_PROTO_IKE, false, &n->prop, &which) &&
		  which->spi_len == 8 && ke.group == n->prop.dh;

	if (ok) {
		memcpy(n->spi_r, which->spi, 8);
		ok = ike_sa_set_bytes(&n->nr, &n->nr_len, nr, nr_len) == 0 &&
		     rekey_derive(sa, n, ke.data, ke.len) == 0;
	}
	free(reply);
	if (!ok) {
		uint16_t e = ike_first_error_notify(pl);
		audit_emit(AUDIT_IKE_EXCHANGE_FAILED, AUDIT_FAILURE, sa->peer_id, sa->peer_name,
			   "exchange", "CREATE_CHILD_SA", "reason", e ? ike_notify_name(e) : "ike_rekey",
			   NULL);
		ike_req_clear(sa);                  /* frees the new SA */
		ike_sa_set_state(sa, IKE_SA_ESTABLISHED);
		sa->rekey_ms = sa->ike->now_ms + 10000;
		return;
	}
	sa->req.new_ike = NULL;
	ike_req_clear(sa);
	rekey_inherit(n, sa);
	struct ike_sa *theirs = sa->peer_rekey_sa;
	uint8_t our_min[IKEV2_NONCE_MAX];
	size_t our_min_len;
	ike_nonce_min(n->ni, n->ni_len, n->nr, n->nr_len, our_min, &our_min_len);
	if (theirs && ike_nonce_cmp(our_min, our_min_len, sa->peer_rekey_min_nonce,
				sa->peer_rekey_min_len) < 0) {
		/* §2.8.2: ours is redundant; the peer's new SA takes the children */
		lg_log(LOG_INFO, "event=ike_rekey_collision peer=%s winner=peer", sa->peer_name);
		ike_sa_adopt_children(theirs, sa);
		ike_sa_set_state(sa, IKE_SA_REKEYED);
		sa->replaced_by = theirs;
		sa->delete_ms = sa->ike->now_ms + IKE_DELETE_GRACE_MS * 6;
		audit_ike_rekeyed(sa, theirs, "peer");
		ike_info_delete_ike_start(n);
		return;
	}
	if (theirs)
		lg_log(LOG_INFO, "event=ike_rekey_collision peer=%s winner=us", sa->peer_name);
	ike_sa_adopt_children(n, sa);
	audit_ike_rekeyed(sa, n, "us");
	ike_sa_set_state(sa, IKE_SA_REKEYED);
	sa->replaced_by = n;
	ike_info_delete_ike_start(sa);
}

void ike_create_child_initiator_response(struct ike_sa *sa, const struct ike_payload_list *pl)
{
	if (sa->req.task == IKE_TASK_IKE_REKEY)
		ike_rekey_response(sa, pl);
	else
		child_rekey_response(sa, pl);
}

/* ------------------------------------------------------------------ */
/* Responder                                                           */
/* ------------------------------------------------------------------ */

static void respond_error(struct ike_sa *sa, uint32_t msg_id, uint16_t type, const uint8_t *data,
			  size_t len)
{
	struct ike_builder *b = malloc(sizeof(*b));

	if (!b)
		return;
	ike_resp_start(sa, b, IKEV2_EXCHANGE_CREATE_CHILD_SA, msg_id);
	ike_build_notify(b, 0, NULL, 0, type, data, len);
	ike_resp_send(sa, b);
	free(b);
	audit_emit(AUDIT_IKE_EXCHANGE_FAILED, AUDIT_FAILURE, sa->peer_id, sa->peer_name,
		   "exchange", "CREATE_CHILD_SA", "reason", ike_notify_name(type), "role", "responder",
		   NULL);
}

static void ike_rekey_adopt(struct ike_sa *sa, struct ike_sa *n);

static void ike_rekey_responder(struct ike_sa *sa, uint32_t msg_id, const struct ike_payload_list *pl,
				const struct ike_sa_payload *offer)
{
	const struct ike_payload *np = ike_payload_find(pl, IKEV2_PAYLOAD_NONCE);
	const struct ike_payload *kep = ike_payload_find(pl, IKEV2_PAYLOAD_KE);
	const struct ike_proposal *which;
	struct conf_proposal chosen;
	const uint8_t *ni;
	size_t ni_len;
	struct ike_ke ke;
	uint8_t pub[IKE_DH_PUB_MAX];

	/* §2.25.2: not while one of our CHILD SA exchanges is in flight (its
	 * response would land on an SA whose children have moved) */
	if (sa->req.active && sa->req.task != IKE_TASK_IKE_REKEY) {
		respond_error(sa, msg_id, IKEV2_NOTIFY_TEMPORARY_FAILURE, NULL, 0);
		return;
	}
	if (!np || !kep || ike_decode_nonce(np, &ni, &ni_len) < 0 || ike_decode_ke(kep, &ke) < 0 ||
	    !ike_proposal_match(sa->peer->ike_proposals, sa->peer->n_ike_proposals, offer,
				IKEV2_PROTO_IKE, false, &chosen, &which) || which->spi_len != 8) {
		respond_error(sa, msg_id, IKEV2_NOTIFY_NO_PROPOSAL_CHOSEN, NULL, 0);
		return;
	}
	if (ke.group != chosen.dh) {
		uint8_t g[2] = { chosen.dh >> 8, chosen.dh & 0xff };
		respond_error(sa, msg_id, IKEV2_NOTIFY_INVALID_KE_PAYLOAD, g, 2);
		return;
	}
	struct ike_sa *n = ike_sa_new(sa->ike, sa->peer, false);
	if (!n)
		return;
	memcpy(n->spi_i, which->spi, 8);
	n->prop = chosen;
	if (ike_sa_set_bytes(&n->ni, &n->ni_len, ni, ni_len) < 0 ||
	    ike_sa_set_bytes(&n->nr, &n->nr_len, NULL, IKEV2_NONCE_LEN) < 0 || !n->sec ||
	    ike_dh_keypair(chosen.dh, &n->sec->dh, pub, sizeof(pub)) < 0 ||
	    rekey_derive(sa, n, ke.data, ke.len) < 0) {
		ike_sa_unlink_free(n);
		respond_error(sa, msg_id, IKEV2_NOTIFY_NO_PROPOSAL_CHOSEN, NULL, 0);
		return;
	}
	struct ike_builder *b = malloc(sizeof(*b));
	if (!b) {
		ike_sa_unlink_free(n);
		return;
	}
	ike_resp_start(sa, b, IKEV2_EXCHANGE_CREATE_CHILD_SA, msg_id);
	ike_build_sa_one(b, which->num, &chosen, IKEV2_PROTO_IKE, n->spi_r, 8, true);
	ike_build_nonce(b, n->nr, n->nr_len);
	ike_build_ke(b, chosen.dh, pub, ike_dh_pub_len(chosen.dh));
	ike_resp_send(sa, b);
	free(b);
	ike_rekey_adopt(sa, n);
}

/* The new IKE SA (peer's rekey) is answered: it takes over, unless our own
 * rekey of the same SA is in flight (collision, settled by its response). */
static void ike_rekey_adopt(struct ike_sa *sa, struct ike_sa *n)
{
	rekey_inherit(n, sa);
	if (sa->state == IKE_SA_REKEYING) {
		/* collision: decided when our own response arrives */
		sa->peer_rekey_sa = n;
		keep_min_nonce(&sa->peer_rekey_min_nonce, &sa->peer_rekey_min_len, n->ni, n->ni_len,
			       n->nr, n->nr_len);
		return;
	}
	ike_sa_adopt_children(n, sa);
	audit_ike_rekeyed(sa, n, "peer");
	ike_sa_set_state(sa, IKE_SA_REKEYED);
	sa->replaced_by = n;
	sa->delete_ms = sa->ike->now_ms + IKE_DELETE_GRACE_MS * 6;
}

static void send_child_response(struct ike_sa *sa, uint32_t msg_id, const struct child_sa *c,
				uint8_t num, const struct conf_proposal *chosen, const uint8_t *nr,
				const uint8_t *pub)
{
	struct ike_builder *b = malloc(sizeof(*b));
	uint32_t spi = htonl(c->spi_in);

	if (!b)
		return;
	ike_resp_start(sa, b, IKEV2_EXCHANGE_CREATE_CHILD_SA, msg_id);
	ike_build_sa_one(b, num, chosen, IKEV2_PROTO_ESP, (uint8_t *)&spi, 4, true);
	ike_build_nonce(b, nr, IKEV2_NONCE_LEN);
	if (pub)
		ike_build_ke(b, chosen->dh, pub, ike_dh_pub_len(chosen->dh));
	/* TSi is the exchange initiator's (the peer's) side */
	ike_build_ts(b, IKEV2_PAYLOAD_TSi, c->remote_ts, c->n_remote_ts);
	ike_build_ts(b, IKEV2_PAYLOAD_TSr, c->local_ts, c->n_local_ts);
	ike_resp_send(sa, b);
	free(b);
}

/* A CHILD SA (new or rekeying `old`) proposed by the peer. */
/* The peer rekeyed `old` into `c` (we answered): record it, or, when we are
 * rekeying `old` ourselves, keep what decides the collision (§2.8.1). */
static void peer_rekeyed(struct ike_sa *sa, struct child_sa *old, struct child_sa *c,
			 const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len)
{
	audit_rekeyed(sa, AUDIT_CHILD_SA_REKEYED, old->spi_in, c->spi_in, "peer");
	old->successor = c->child_id;
	if (old->state == CHILD_SA_REKEYING) {
		/* collision (§2.8.1): remembered until our response arrives */
		old->peer_rekey_child = c->child_id;
		keep_min_nonce(&old->peer_rekey_min_nonce, &old->peer_rekey_min_len, ni, ni_len, nr,
			       nr_len);
		return;
	}
	/* the peer deletes the old SA; if it never does, we do */
	child_sa_set_state(sa, old, CHILD_SA_REKEYED);
	old->delete_ms = sa->ike->now_ms + IKE_DELETE_GRACE_MS * 6;
}

static void child_responder_keyed(struct ike_sa *sa, uint32_t msg_id, const struct ike_payload_list *pl,
				  const struct ike_sa_payload *offer, struct child_sa *old);

/* Whatever happens in the exchange, the PFS secrets do not outlive it. */
static void child_responder(struct ike_sa *sa, uint32_t msg_id, const struct ike_payload_list *pl,
			    const struct ike_sa_payload *offer, struct child_sa *old)
{
	child_responder_keyed(sa, msg_id, pl, offer, old);
	ike_sa_sec_drop(sa);
}

static void child_responder_keyed(struct ike_sa *sa, uint32_t msg_id, const struct ike_payload_list *pl,
				  const struct ike_sa_payload *offer, struct child_sa *old)
{
	const struct ike_payload *np = ike_payload_find(pl, IKEV2_PAYLOAD_NONCE);
	const struct ike_payload *kep = ike_payload_find(pl, IKEV2_PAYLOAD_KE);
	const struct ike_proposal *which;
	struct conf_proposal chosen;
	const uint8_t *ni;
	size_t ni_len;
	struct ike_ke ke;
	uint8_t pub[IKE_DH_PUB_MAX], nr[IKEV2_NONCE_LEN];
	struct child_sa *c;

	if (!np || ike_decode_nonce(np, &ni, &ni_len) < 0 ||
	    !ike_proposal_match(sa->peer->esp_proposals, sa->peer->n_esp_proposals, offer,
				IKEV2_PROTO_ESP, false, &chosen, &which)) {
		respond_error(sa, msg_id, IKEV2_NOTIFY_NO_PROPOSAL_CHOSEN, NULL, 0);
		return;
	}
	if (chosen.dh && (!kep || ike_decode_ke(kep, &ke) < 0 || ke.group != chosen.dh ||
			  ke.len != ike_dh_pub_len(chosen.dh))) {
		uint8_t g[2] = { chosen.dh >> 8, chosen.dh & 0xff };
		respond_error(sa, msg_id, IKEV2_NOTIFY_INVALID_KE_PAYLOAD, g, 2);
		return;
	}
	c = child_sa_new(sa);
	if (!c)
		return;
	if (ike_narrow_ts(sa->ike, sa->peer, sa->peer_id, false, pl, c) != 0) {
		free(c);
		respond_error(sa, msg_id, IKEV2_NOTIFY_TS_UNACCEPTABLE, NULL, 0);
		return;
	}
	c->spi_out = spi_of(which);
	c->encr = chosen.encr;
	c->keybits = chosen.encr_keybits;
	c->integ = chosen.integ;
	c->dh = chosen.dh;
	randombytes_buf(nr, sizeof(nr));
	struct ike_exch_secret *sec = ike_sa_sec(sa);   /* child_responder drops it */
	if (!sec || (chosen.dh && (ike_dh_keypair(chosen.dh, &sec->dh, pub, sizeof(pub)) < 0 ||
				   ike_dh_shared(&sec->dh, ke.data, ke.len, sec->gir,
						 sizeof(sec->gir), &sec->gir_len) < 0))) {
		free(c);
		respond_error(sa, msg_id, IKEV2_NOTIFY_INVALID_KE_PAYLOAD, NULL, 0);
		return;
	}
	child_sa_attach(sa, c);
	/* make before break: the new SA decrypts before the peer can use it */
	if (child_sa_install(sa, c, false, old != NULL, chosen.dh ? sec->gir : NULL,
			     chosen.dh ? sec->gir_len : 0, ni,
			     ni_len, nr, sizeof(nr), old ? "rekey" : "create_child_sa") < 0) {
		child_sa_remove(sa, c, "install_failed");
		respond_error(sa, msg_id, IKEV2_NOTIFY_TEMPORARY_FAILURE, NULL, 0);
		return;
	}
	send_child_response(sa, msg_id, c, which->num, &chosen, nr, chosen.dh ? pub : NULL);
	if (old)
		peer_rekeyed(sa, old, c, ni, ni_len, nr, sizeof(nr));
}

void ike_create_child_responder(struct ike_sa *sa, uint32_t msg_id, const struct ike_payload_list *pl)
{
	const struct ike_payload *sap = ike_payload_find(pl, IKEV2_PAYLOAD_SA);
	struct ike_sa_payload *offer = malloc(sizeof(*offer));
	struct ike_notify rk;
	struct child_sa *old = NULL;

	if (!offer)
		return;
	if (!sap || ike_decode_sa(sap, offer) < 0) {
		respond_error(sa, msg_id, IKEV2_NOTIFY_INVALID_SYNTAX, NULL, 0);
		goto out;
	}
	/* §2.25.2: this IKE SA is being replaced or deleted; the peer retries
	 * on the new one */
	if (sa->state != IKE_SA_ESTABLISHED && sa->state != IKE_SA_REKEYING) {
		respond_error(sa, msg_id, IKEV2_NOTIFY_TEMPORARY_FAILURE, NULL, 0);
		goto out;
	}
	if (offer->p[0].protocol == IKEV2_PROTO_IKE) {
		/* an IKE rekey chain without DELETEs: the old SAs go first (§2.25) */
		if (ike_sa_count_peer(sa->ike, sa->peer_name) >= IKE_MAX_IKE_SAS_PER_PEER)
			respond_error(sa, msg_id, IKEV2_NOTIFY_TEMPORARY_FAILURE, NULL, 0);
		else
			ike_rekey_responder(sa, msg_id, pl, offer);
		goto out;
	}
	if (ike_find_notify(pl, IKEV2_NOTIFY_REKEY_SA, &rk)) {
		uint32_t spi = rk.spi_len == 4 ? (uint32_t)rk.spi[0] << 24 | (uint32_t)rk.spi[1] << 16 |
						 (uint32_t)rk.spi[2] << 8 | rk.spi[3] : 0;
		old = child_sa_by_spi_out(sa, spi);
		if (!old || old->state == CHILD_SA_DELETING || old->state == CHILD_SA_REKEYED) {
			respond_error(sa, msg_id, IKEV2_NOTIFY_CHILD_SA_NOT_FOUND, NULL, 0);
			goto out;
		}
		if (child_sa_count(sa) >= IKE_MAX_CHILDREN_REKEYING) {
			respond_error(sa, msg_id, IKEV2_NOTIFY_NO_ADDITIONAL_SAS, NULL, 0);
			goto out;
		}
	} else if (child_sa_count(sa) >= IKE_MAX_CHILDREN) {
		respond_error(sa, msg_id, IKEV2_NOTIFY_NO_ADDITIONAL_SAS, NULL, 0);
		goto out;
	}
	child_responder(sa, msg_id, pl, offer, old);
out:
	free(offer);
}

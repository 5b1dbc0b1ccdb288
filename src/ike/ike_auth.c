/* IKE_AUTH (RFC 7296 §1.2, §2.15 AUTH, §2.9 selectors; RFC 7427 + 8420
 * Ed25519; X.509 certificates, ike_cert.c): identities checked against the configured peer and the
 * organisation (policy), AUTH verified in constant time, then the first
 * CHILD SA. A failed authentication installs nothing. */
#include <arpa/inet.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include "linegate/audit.h"
#include "ike_internal.h"
#include "linegate/conf.h"
#include "linegate/log.h"

/* ID payload body: type, 3 reserved bytes, data (§3.5). */
static size_t id_body(const struct conf_identity *id, uint8_t *out)
{
	out[0] = (uint8_t)id->type;
	out[1] = out[2] = out[3] = 0;
	memcpy(out + 4, id->data, id->len);
	return 4 + (size_t)id->len;
}

/* AUTH octets of one side (§2.15): its first message | the other side's
 * nonce | prf(SK_p, its ID body). */
static int octets_of(struct ike_sa *sa, bool of_initiator, const uint8_t *idb, size_t idlen,
		     uint8_t **oct, size_t *olen)
{
	return ike_auth_octets(sa->keys->prf, of_initiator ? sa->keys->sk_pi : sa->keys->sk_pr,
			       of_initiator ? sa->init_i : sa->init_r,
			       of_initiator ? sa->init_i_len : sa->init_r_len,
			       of_initiator ? sa->nr : sa->ni, of_initiator ? sa->nr_len : sa->ni_len,
			       idb, idlen, oct, olen);
}

/* Our AUTH payload data; method 2 (PSK) or 14 (RFC 7427: Ed25519, or the
 * key of our certificate). */
static int make_auth(struct ike_sa *sa, const uint8_t *idb, size_t idlen, uint8_t *out,
		     size_t *out_len, uint8_t *method)
{
	const struct ike_peer_secret *s = ike_credentials_find(sa->ike->creds, sa->peer_name);
	uint8_t *oct = NULL;
	size_t olen;
	int r;

	if (!s)
		return -ENOKEY;
	r = octets_of(sa, sa->initiator, idb, idlen, &oct, &olen);
	if (r < 0)
		return r;
	if (sa->peer->auth == CONF_AUTH_PSK && s->has_psk) {
		*method = IKEV2_AUTH_SHARED_KEY_MIC;
		*out_len = sa->keys->prf_len;
		r = ike_auth_psk(sa->keys->prf, s->psk, s->psk_len, oct, olen, out);
	} else if (sa->peer->auth == CONF_AUTH_ED25519 && s->has_sk) {
		*method = IKEV2_AUTH_DIGITAL_SIGNATURE;
		*out_len = IKE_ED25519_AUTH_LEN;
		r = ike_auth_ed25519_sign(s->sk, oct, olen, out);
	} else if (sa->peer->auth == CONF_AUTH_CERTIFICATE && s->key) {
		*method = IKEV2_AUTH_DIGITAL_SIGNATURE;
		r = ike_x509_sign_auth(s->key, oct, olen, out, IKE_X509_AUTH_MAX, out_len);
	} else {
		r = -ENOKEY;
	}
	free(oct);
	return r;
}

/* The peer's AUTH; with certificates also its CERTs and the identity's
 * binding (*cert_why says which failed, *cert gets the end certificate). */
static bool verify_auth(struct ike_sa *sa, const struct ike_payload_list *pl,
			const struct ike_id *id, const struct ike_auth *auth,
			struct ike_peer_cert *cert, const char **cert_why)
{
	const struct ike_peer_secret *s = ike_credentials_find(sa->ike->creds, sa->peer_name);
	uint8_t *oct = NULL;
	size_t olen;
	bool ok = false;

	if (!s || octets_of(sa, !sa->initiator, id->body, id->body_len, &oct, &olen) < 0)
		return false;
	if (sa->peer->auth == CONF_AUTH_PSK && s->has_psk)
		ok = auth->method == IKEV2_AUTH_SHARED_KEY_MIC &&
		     ike_auth_psk_verify(sa->keys->prf, s->psk, s->psk_len, oct, olen,
					 auth->data, auth->len);
	else if (sa->peer->auth == CONF_AUTH_ED25519 && s->has_pk)
		ok = auth->method == IKEV2_AUTH_DIGITAL_SIGNATURE &&
		     ike_auth_ed25519_verify(s->pk, oct, olen, auth->data, auth->len);
	else if (sa->peer->auth == CONF_AUTH_CERTIFICATE)
		ok = !(*cert_why = ike_cert_verify(sa, s, pl, id, oct, olen, auth, cert));
	free(oct);
	return ok;
}

static void to_conf_identity(const struct ike_id *id, struct conf_identity *out)
{
	memset(out, 0, sizeof(*out));
	out->type = (enum conf_id_type)id->type;
	out->len = (uint8_t)(id->len > CONF_ID_MAX ? CONF_ID_MAX : id->len);
	memcpy(out->data, id->data, out->len);
}

/* Identity (policy) and AUTH (crypto) of the peer; audits the outcome. */
bool ike_auth_verify_peer(struct ike_sa *sa, const struct ike_payload_list *pl,
			  const struct ike_id *id, const struct ike_auth *auth)
{
	struct ike_peer_cert cert;
	const char *cert_why = NULL;
	struct conf_identity presented;
	struct policy_verdict v;
	char shown[CONF_ID_MAX + 1], remote[LG_ADDRSTRLEN];
	const char *why = NULL;

	to_conf_identity(id, &presented);
	ike_identity_format(&presented, shown, sizeof(shown));
	lg_sockaddr_format(&sa->remote, remote, sizeof(remote));
	if (id->len > CONF_ID_MAX)
		why = "identity_too_long";
	if (!why) {
		v = policy_check_identity(sa->ike->cfg, sa->peer, &presented);
		if (!policy_allowed(&v))
			why = policy_reason_name(v.reason);
	}
	/* the signature is checked even for a refused identity: same timing */
	bool auth_ok = verify_auth(sa, pl, id, auth, &cert, &cert_why);
	if (!why && !auth_ok && cert_why) {
		/* anyone who completed a DH can send certificates: refusals are
		 * counted and summarised, never one record each */
		lg_log(LOG_INFO, "event=cert_auth_failed peer=%s remote=%s reason=%s subject=\"%s\"",
		       sa->peer_name, remote, cert_why, cert.subject);
		ike_audit_unauth(sa->ike, AUDIT_AUTH_FAILURE, cert_why, NULL);
		ike_count_drop(sa->ike, IKE_DROP_CERT, cert_why);
		return false;
	}
	if (!why && !auth_ok)
		why = "auth_verify_failed";
	if (why) {
		audit_emit(AUDIT_AUTH_FAILURE, AUDIT_FAILURE, shown, sa->peer_name, "remote", remote,
			   "method", conf_auth_name(sa->peer->auth),
			   "reason", why, NULL);
		return false;
	}
	sa->peer_identity = presented;
	snprintf(sa->peer_id, sizeof(sa->peer_id), "%s", shown);
	if (sa->peer->auth == CONF_AUTH_CERTIFICATE) {
		free(sa->peer_cert);
		sa->peer_cert = malloc(sizeof(*sa->peer_cert));
		if (sa->peer_cert)
			*sa->peer_cert = cert;
	}
	audit_emit(AUDIT_AUTH_SUCCESS, AUDIT_SUCCESS, shown, sa->peer_name, "remote", remote,
		   "method", conf_auth_name(sa->peer->auth), NULL);
	return true;
}

/* Both ends initiated at once (a responder-side half-open SA does not hold
 * our own initiation back): two IKE SAs with one peer. Both ends keep the
 * SA whose lower nonce is the higher one (the order of §2.8.2, so both
 * choose alike without a word), and the initiator of the redundant SA
 * deletes it, with its CHILD SA. */
static void settle_duplicate(struct ike_sa *sa)
{
	uint8_t a[IKEV2_NONCE_MAX], b[IKEV2_NONCE_MAX];
	size_t al, bl, pos = 0;
	struct ike_sa *s;

	while ((s = ike_sa_peer_next(sa->ike, sa->peer_name, &pos))) {
		if (s == sa || !s->established_ms ||
		    (s->state != IKE_SA_ESTABLISHED && s->state != IKE_SA_REKEYING))
			continue;
		ike_nonce_min(sa->ni, sa->ni_len, sa->nr, sa->nr_len, a, &al);
		ike_nonce_min(s->ni, s->ni_len, s->nr, s->nr_len, b, &bl);
		struct ike_sa *loser = ike_nonce_cmp(a, al, b, bl) < 0 ? sa : s;
		lg_log(LOG_INFO, "event=ike_sa_duplicate peer=%s redundant=%s", sa->peer_name,
		       loser->initiator ? "ours" : "peers");
		if (loser->initiator) {
			loser->want_delete = true;   /* sent when its window is free */
			ike_sa_touch(loser);
		}
		return;
	}
}

static void established(struct ike_sa *sa)
{
	char spi_i[17], spi_r[17], remote[LG_ADDRSTRLEN];

	ike_sa_set_state(sa, IKE_SA_ESTABLISHED);
	sa->established_ms = sa->ike->now_ms ? sa->ike->now_ms : 1;
	sa->established_wall_ms = lg_wall_ms();
	sa->last_in_ms = sa->ike->now_ms;
	ike_jitter_lifetimes(sa, sa->ike->now_ms);
	ike_retry_reset(sa->ike, sa->peer);
	struct ike_peer_counts *n = ike_peer_counts_of(sa->ike, sa->peer);
	if (n)
		n->ike_setups++;
	lg_hex(sa->spi_i, 8, spi_i);
	lg_hex(sa->spi_r, 8, spi_r);
	lg_sockaddr_format(&sa->remote, remote, sizeof(remote));
	audit_emit(AUDIT_IKE_SA_UP, AUDIT_SUCCESS, sa->peer_id, sa->peer_name,
		   "role", sa->initiator ? "initiator" : "responder", "remote", remote,
		   "spi_i", spi_i, "spi_r", spi_r,
		   "encr", ike_encr_name(sa->prop.encr, sa->prop.encr_keybits),
		   "prf", ike_prf_name(sa->prop.prf), "dh", ike_dh_name(sa->prop.dh),
		   "auth", conf_auth_name(sa->peer->auth),
		   "nat", sa->nat_local ? "local" : "none", "uplink",
		   sa->uplink >= 0 && (size_t)sa->uplink < sa->ike->cfg->n_uplinks
		   ? sa->ike->cfg->uplinks[sa->uplink].name : "-", NULL);
	settle_duplicate(sa);
}

static bool same_identity(const struct ike_sa *a, const struct ike_sa *b)
{
	return strcmp(a->peer_name, b->peer_name) == 0 &&
	       a->peer_identity.type == b->peer_identity.type &&
	       a->peer_identity.len == b->peer_identity.len &&
	       memcmp(a->peer_identity.data, b->peer_identity.data, a->peer_identity.len) == 0;
}

/* A stale SA of sa's identity (see initial_contact), from its peer's SAs. */
static struct ike_sa *stale_of_identity(struct ike_sa *sa)
{
	struct ike_sa *s;
	size_t pos = 0;

	while ((s = ike_sa_peer_next(sa->ike, sa->peer_name, &pos)))
		if (s != sa && same_identity(s, sa) && s->established_ms &&
		    s->established_ms < sa->created_ms)
			return s;
	return NULL;
}

/* INITIAL_CONTACT (§2.4), in the IKE_AUTH request or its response: the
 * peer holds no other SA between the two authenticated identities (it
 * rebooted), so ours are stale. Only SAs of the same identity (a peer block
 * may admit several) established before this SA was begun: one that came
 * up while it was negotiated is a simultaneous initiation (settle_duplicate).
 * Called before established(), so a stale SA is never taken for a duplicate. */
static void initial_contact(struct ike_sa *sa, const struct ike_payload_list *pl)
{
	struct ike_sa *s;

	if (!ike_find_notify(pl, IKEV2_NOTIFY_INITIAL_CONTACT, NULL))
		return;
	/* one at a time: a destroy changes the index being walked */
	while ((s = stale_of_identity(sa)))
		ike_sa_destroy(s, "initial_contact");
}

/* A DN local-id goes as our certificate's own subject DER when it is that
 * name (checked at load): a peer that compares the bytes with the subject,
 * not the names, then agrees whatever string types the CA chose. */
static void local_identity(struct ike_sa *sa, struct conf_identity *me)
{
	const struct ike_peer_secret *s;
	uint8_t der[CONF_ID_MAX];
	int n;

	*me = sa->peer->local_id;
	if (me->type != CONF_ID_DER_ASN1_DN || sa->peer->auth != CONF_AUTH_CERTIFICATE ||
	    !(s = ike_credentials_find(sa->ike->creds, sa->peer_name)) || !s->cert)
		return;
	n = ike_x509_subject_der(s->cert, der, sizeof(der));
	if (n > 0 && conf_dn_equal(der, (size_t)n, me->data, me->len)) {
		memcpy(me->data, der, (size_t)n);
		me->len = (uint8_t)n;
	}
}

static void build_id_auth(struct ike_sa *sa, struct ike_builder *b, uint8_t idtype_payload,
			  int *err)
{
	uint8_t idb[4 + CONF_ID_MAX], auth[IKE_X509_AUTH_MAX];
	struct conf_identity me;
	local_identity(sa, &me);
	size_t idlen = id_body(&me, idb), alen = 0;
	uint8_t method = 0;

	ike_build_begin(b, idtype_payload);
	ike_build_bytes(b, idb, idlen);
	ike_build_end(b);
	if (sa->peer->auth == CONF_AUTH_CERTIFICATE) {
		const struct ike_peer_secret *s = ike_credentials_find(sa->ike->creds, sa->peer_name);
		ike_cert_build(b, s);
		/* §3.7: the initiator asks in IKE_AUTH, the responder did in IKE_SA_INIT */
		if (idtype_payload == IKEV2_PAYLOAD_IDi)
			ike_cert_build_certreq(b, s);
	}
	*err = make_auth(sa, idb, idlen, auth, &alen, &method);
	if (*err == 0)
		ike_build_auth(b, method, auth, alen);
	sodium_memzero(auth, sizeof(auth));
}

static bool other_sa_with_peer(const struct ike_sa *sa)
{
	const struct ike_sa *s;
	size_t pos = 0;

	while ((s = ike_sa_peer_next(sa->ike, sa->peer_name, &pos)))
		if (s != sa && s->established_ms)
			return true;
	return false;
}

/* ------------------------------------------------------------------ */
/* Initiator                                                           */
/* ------------------------------------------------------------------ */

int ike_auth_initiator_start(struct ike_sa *sa)
{
	const struct conf_peer *p = sa->peer;
	struct ike_builder *b = malloc(sizeof(*b));
	struct child_sa *c = child_sa_new(sa);
	uint8_t idr[4 + CONF_ID_MAX];
	uint32_t spi;
	int err = -ENOMEM;

	if (!b || !c)
		goto out;
	ike_req_start(sa, b, IKEV2_EXCHANGE_IKE_AUTH);
	build_id_auth(sa, b, IKEV2_PAYLOAD_IDi, &err);
	if (err < 0)
		goto out;
	/* we hold no other SA with this peer: tell it so (§2.4) */
	if (!other_sa_with_peer(sa))
		ike_build_notify(b, 0, NULL, 0, IKEV2_NOTIFY_INITIAL_CONTACT, NULL, 0);
	if (p->remote_id.type != CONF_ID_NONE) {
		size_t n = id_body(&p->remote_id, idr);
		ike_build_begin(b, IKEV2_PAYLOAD_IDr);
		ike_build_bytes(b, idr, n);
		ike_build_end(b);
	}
	spi = htonl(c->spi_in);
	ike_build_sa(b, p->esp_proposals, p->n_esp_proposals, IKEV2_PROTO_ESP, (uint8_t *)&spi, 4,
		     false);
	ike_build_ts(b, IKEV2_PAYLOAD_TSi, p->local_ts, p->n_local_ts);
	ike_build_ts(b, IKEV2_PAYLOAD_TSr, p->remote_ts, p->n_remote_ts);
	err = ike_req_send(sa, b, IKE_TASK_AUTH);
	if (err < 0)
		goto out;
	sa->req.new_child = c;
	c = NULL;
	ike_sa_set_state(sa, IKE_SA_AUTH_SENT);
out:
	free(c);
	free(b);
	return err;
}

/* The CHILD SA part of the IKE_AUTH response (we initiated it). */
static void initiator_child(struct ike_sa *sa, const struct ike_payload_list *pl,
			    struct child_sa *c)
{
	const struct ike_payload *sap = ike_payload_find(pl, IKEV2_PAYLOAD_SA);
	struct ike_sa_payload *reply = malloc(sizeof(*reply));
	const struct ike_proposal *which;
	struct conf_proposal chosen;
	uint16_t err = ike_first_error_notify(pl);
	const char *why = NULL;

	if (!reply)
		why = "internal_error";
	else if (err)
		why = ike_notify_name(err);
	else if (!sap || ike_decode_sa(sap, reply) < 0 ||
		 !ike_proposal_accept_reply(sa->peer->esp_proposals, sa->peer->n_esp_proposals,
					    reply, IKEV2_PROTO_ESP, true, &chosen, &which))
		why = "NO_PROPOSAL_CHOSEN";
	else if (ike_narrow_ts(sa->ike, sa->peer, sa->peer_id, true, pl, c) != 0)
		why = "TS_UNACCEPTABLE";
	if (!why) {
		c->spi_out = (uint32_t)which->spi[0] << 24 | (uint32_t)which->spi[1] << 16 |
			     (uint32_t)which->spi[2] << 8 | which->spi[3];
		c->encr = chosen.encr;
		c->keybits = chosen.encr_keybits;
		c->integ = chosen.integ;
		child_sa_attach(sa, c);
		if (child_sa_install(sa, c, true, false, NULL, 0, sa->ni, sa->ni_len, sa->nr, sa->nr_len,
				     "ike_auth") < 0) {
			child_sa_remove(sa, c, "install_failed");
			why = "datapath_install_failed";
		}
	} else {
		child_sa_free_unlinked(c);
	}
	free(reply);
	if (why) {
		/* an IKE SA without its tunnel serves nobody: close it and retry */
		audit_emit(AUDIT_IKE_EXCHANGE_FAILED, AUDIT_FAILURE, sa->peer_id, sa->peer_name,
			   "exchange", "IKE_AUTH", "reason", why, NULL);
		sa->want_delete = true;
		sa->reinitiate = true;
	}
}

void ike_auth_initiator_response(struct ike_sa *sa, const struct ike_payload_list *pl)
{
	const struct ike_payload *idp = ike_payload_find(pl, IKEV2_PAYLOAD_IDr);
	const struct ike_payload *ap = ike_payload_find(pl, IKEV2_PAYLOAD_AUTH);
	struct child_sa *c = sa->req.new_child;
	struct ike_id id;
	struct ike_auth auth;

	if (!idp || !ap || ike_decode_id(idp, &id) < 0 || ike_decode_auth(ap, &auth) < 0) {
		uint16_t err = ike_first_error_notify(pl);
		if (err == IKEV2_NOTIFY_AUTHENTICATION_FAILED)
			audit_emit(AUDIT_AUTH_FAILURE, AUDIT_FAILURE, sa->peer_id, sa->peer_name,
				   "reason", "rejected_by_peer", NULL);
		ike_sa_fail(sa, err ? ike_notify_name(err) : "invalid_ike_auth_response");
		return;
	}
	if (!ike_auth_verify_peer(sa, pl, &id, &auth)) {
		ike_sa_fail(sa, "AUTHENTICATION_FAILED");
		return;
	}
	sa->req.new_child = NULL;
	ike_req_clear(sa);
	initial_contact(sa, pl);
	established(sa);
	initiator_child(sa, pl, c);
	/* the IKE_SA_INIT messages (kept for the AUTH payloads), our DH
	 * public value and the exchange secrets: a hub holds thousands of SAs */
	ike_sa_exchange_done(sa);
}

/* ------------------------------------------------------------------ */
/* Responder                                                           */
/* ------------------------------------------------------------------ */

/* Negotiates the first CHILD SA; returns the error notify, or 0 with c ready. */
static uint16_t responder_child(struct ike_sa *sa, const struct ike_payload_list *pl,
				struct child_sa *c, uint8_t *num)
{
	const struct ike_payload *sap = ike_payload_find(pl, IKEV2_PAYLOAD_SA);
	struct ike_sa_payload *offer = malloc(sizeof(*offer));
	const struct ike_proposal *which;
	struct conf_proposal chosen;
	uint16_t err = 0;

	if (!offer)
		return IKEV2_NOTIFY_TEMPORARY_FAILURE;
	if (!sap || ike_decode_sa(sap, offer) < 0 ||
	    !ike_proposal_match(sa->peer->esp_proposals, sa->peer->n_esp_proposals, offer,
				IKEV2_PROTO_ESP, true, &chosen, &which))
		err = IKEV2_NOTIFY_NO_PROPOSAL_CHOSEN;
	else if (ike_narrow_ts(sa->ike, sa->peer, sa->peer_id, false, pl, c) != 0)
		err = IKEV2_NOTIFY_TS_UNACCEPTABLE;
	if (!err) {
		*num = which->num;
		c->spi_out = (uint32_t)which->spi[0] << 24 | (uint32_t)which->spi[1] << 16 |
			     (uint32_t)which->spi[2] << 8 | which->spi[3];
		c->encr = chosen.encr;
		c->keybits = chosen.encr_keybits;
		c->integ = chosen.integ;
	}
	free(offer);
	return err;
}

static void send_auth_failed(struct ike_sa *sa, uint32_t msg_id)
{
	struct ike_builder *b = malloc(sizeof(*b));

	if (!b)
		return;
	ike_resp_start(sa, b, IKEV2_EXCHANGE_IKE_AUTH, msg_id);
	ike_build_notify(b, 0, NULL, 0, IKEV2_NOTIFY_AUTHENTICATION_FAILED, NULL, 0);
	ike_resp_send(sa, b);
	free(b);
}

/* A template's SA learns which branch it is from IDi: the instance of that
 * identity (its own key file) among the templates of the uplink the
 * IKE_SA_INIT was judged on. An identity without a key file is refused as
 * an authentication failure (audited with the identity and address). */
static bool bind_instance(struct ike_sa *sa, const struct ike_id *id)
{
	const struct config *cfg = sa->ike->cfg;
	const struct conf_peer *inst = NULL;
	struct conf_identity presented;
	char shown[CONF_ID_MAX + 1], remote[LG_ADDRSTRLEN];

	if (!sa->peer->is_template)
		return true;
	to_conf_identity(id, &presented);
	for (size_t i = 0; !inst && id->len <= CONF_ID_MAX && i < cfg->n_templates; i++) {
		const struct conf_peer *t = &cfg->peers[cfg->templates[i]];
		if (t->uplink == sa->peer->uplink)
			inst = config_find_instance(cfg, t, &presented);
	}
	if (inst && ike_sa_set_peer(sa, inst) == 0) {
		lg_log(LOG_INFO, "event=ike_template_instance template=%s peer=%s", inst->template_name,
		       inst->name);
		return true;
	}
	ike_identity_format(&presented, shown, sizeof(shown));
	lg_sockaddr_format(&sa->remote, remote, sizeof(remote));
	audit_emit(AUDIT_AUTH_FAILURE, AUDIT_FAILURE, shown, sa->peer_name, "remote", remote,
		   "method", conf_auth_name(sa->peer->auth),
		   "reason", inst ? "out_of_memory" : "no_template_identity", NULL);
	return false;
}

void ike_auth_responder(struct ike_sa *sa, uint32_t msg_id, const struct ike_payload_list *pl)
{
	const struct ike_payload *idp = ike_payload_find(pl, IKEV2_PAYLOAD_IDi);
	const struct ike_payload *ap = ike_payload_find(pl, IKEV2_PAYLOAD_AUTH);
	struct ike_builder *b;
	struct child_sa *c;
	struct ike_id id;
	struct ike_auth auth;
	uint16_t child_err;
	uint8_t num = 1;
	int err = 0;

	if (!idp || !ap || ike_decode_id(idp, &id) < 0 || ike_decode_auth(ap, &auth) < 0 ||
	    !bind_instance(sa, &id) || !ike_auth_verify_peer(sa, pl, &id, &auth)) {
		send_auth_failed(sa, msg_id);
		ike_sa_fail(sa, "AUTHENTICATION_FAILED");
		return;
	}
	b = malloc(sizeof(*b));
	c = child_sa_new(sa);
	if (!b || !c) {
		free(b);
		free(c);
		return;
	}
	initial_contact(sa, pl);
	established(sa);
	child_err = responder_child(sa, pl, c, &num);
	if (!child_err) {
		/* make before the response: the initiator sends ESP at once */
		child_sa_attach(sa, c);
		if (child_sa_install(sa, c, false, false, NULL, 0, sa->ni, sa->ni_len, sa->nr, sa->nr_len,
				     "ike_auth") < 0) {
			child_sa_remove(sa, c, "install_failed");
			child_err = IKEV2_NOTIFY_NO_PROPOSAL_CHOSEN;
		}
	} else {
		audit_emit(AUDIT_IKE_EXCHANGE_FAILED, AUDIT_FAILURE, sa->peer_id, sa->peer_name,
			   "exchange", "IKE_AUTH", "reason", ike_notify_name(child_err), NULL);
		child_sa_free_unlinked(c);
	}
	ike_resp_start(sa, b, IKEV2_EXCHANGE_IKE_AUTH, msg_id);
	build_id_auth(sa, b, IKEV2_PAYLOAD_IDr, &err);
	/* the responder may say it too (§2.4): after our restart the
	 * initiator may still hold SAs with us that we no longer know */
	if (!other_sa_with_peer(sa))
		ike_build_notify(b, 0, NULL, 0, IKEV2_NOTIFY_INITIAL_CONTACT, NULL, 0);
	if (!child_err) {
		uint32_t spi = htonl(c->spi_in);
		struct conf_proposal cp = { .encr = c->encr, .encr_keybits = c->keybits,
					    .integ = c->integ };
		ike_build_sa_one(b, num, &cp, IKEV2_PROTO_ESP, (uint8_t *)&spi, 4, false);
		ike_build_ts(b, IKEV2_PAYLOAD_TSi, c->remote_ts, c->n_remote_ts);
		ike_build_ts(b, IKEV2_PAYLOAD_TSr, c->local_ts, c->n_local_ts);
	} else {
		ike_build_notify(b, 0, NULL, 0, child_err, NULL, 0);
	}
	if (err == 0)
		err = ike_resp_send(sa, b);
	free(b);
	if (err < 0)
		ike_sa_fail(sa, "internal_error");
	else
		ike_sa_exchange_done(sa);   /* as the initiator's, above */
}

/* IKE_SA_INIT (RFC 7296 §1.2, §2.6 cookies, §2.23 NAT detection, §1.3 +
 * §3.10.1 INVALID_KE_PAYLOAD). Initiator half first, then responder half.
 * We always announce a NAT in front of us (a random NAT_DETECTION_SOURCE_IP,
 * as strongSwan's encap=yes does) because our datapath only speaks
 * ESP-in-UDP (RFC 3948): the peer must encapsulate, and both ends float to
 * the NAT-T port after this exchange. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include "linegate/audit.h"
#include "ike_internal.h"
#include "linegate/log.h"

static const uint8_t zero_spi[8];

/* RFC 7427 §4: the hashes we verify signatures with: SHA-2 for RSA and
 * ECDSA certificates, Identity for Ed25519. A peer that sees no SHA-2 here
 * (Libreswan) falls back to the RFC 7296 methods (RSA with SHA-1). */
static const uint8_t sig_hash_algs[] = { 0, IKEV2_HASH_SHA2_256, 0, IKEV2_HASH_SHA2_384,
					 0, IKEV2_HASH_SHA2_512, 0, IKEV2_HASH_IDENTITY };

void ike_build_natd(struct ike_builder *b, struct ike_sa *sa)
{
	uint8_t h[IKE_NATD_LEN];

	/* fake source hash: forces UDP encapsulation on the peer (see top) */
	randombytes_buf(h, sizeof(h));
	ike_build_notify(b, 0, NULL, 0, IKEV2_NOTIFY_NAT_DETECTION_SOURCE_IP, h, sizeof(h));
	if (ike_natd_hash(sa->spi_i, sa->spi_r, &sa->remote, h) < 0)
		randombytes_buf(h, sizeof(h));
	ike_build_notify(b, 0, NULL, 0, IKEV2_NOTIFY_NAT_DETECTION_DESTINATION_IP, h, sizeof(h));
}

/* The peer's DESTINATION_IP hash names the address it sent to: when it is
 * not ours, a NAT sits in front of us and we send keepalives (RFC 3948 §4). */
void ike_nat_detect(struct ike_sa *sa, const struct ike_payload_list *pl,
		    const union lg_sockaddr *local)
{
	struct ike_notify n;
	uint8_t h[IKE_NATD_LEN];

	sa->nat_local = false;
	if (!local || local->sa.sa_family == AF_UNSPEC)
		return;
	if (!ike_find_notify(pl, IKEV2_NOTIFY_NAT_DETECTION_DESTINATION_IP, &n) ||
	    n.data_len != IKE_NATD_LEN)
		return;
	/* a request's hashes are over SPIr = 0 (§2.23) */
	if (ike_natd_hash(sa->spi_i, sa->initiator ? sa->spi_r : zero_spi, local, h) == 0 &&
	    memcmp(h, n.data, sizeof(h)) != 0)
		sa->nat_local = true;
}

static bool offers_identity_hash(const struct ike_payload_list *pl)
{
	struct ike_notify n;

	if (!ike_find_notify(pl, IKEV2_NOTIFY_SIGNATURE_HASH_ALGORITHMS, &n))
		return false;
	for (size_t i = 0; i + 1 < n.data_len; i += 2)
		if ((n.data[i] << 8 | n.data[i + 1]) == IKEV2_HASH_IDENTITY)
			return true;
	return false;
}

static int new_keypair(struct ike_sa *sa, uint16_t group)
{
	struct ike_exch_secret *s = ike_sa_sec(sa);
	size_t len = ike_dh_pub_len(group);

	sa->dh_group = group;
	free(sa->dh_pub);
	sa->dh_pub = len ? malloc(len) : NULL;
	if (!s || !sa->dh_pub)
		return len ? -ENOMEM : -ENOTSUP;
	return ike_dh_keypair(group, &s->dh, sa->dh_pub, len);
}

int ike_sa_init_compute_keys(struct ike_sa *sa, const uint8_t *peer_pub, size_t peer_len)
{
	struct ike_exch_secret *s = sa->sec;   /* new_keypair's */
	int r;

	if (!s || sa->prop.dh != sa->dh_group || s->dh.group != sa->dh_group)
		return -EINVAL;
	r = ike_dh_shared(&s->dh, peer_pub, peer_len, s->gir, sizeof(s->gir), &s->gir_len);
	if (r == 0)
		r = ike_skeyseed(sa->prop.prf, sa->ni, sa->ni_len, sa->nr, sa->nr_len, s->gir,
				 s->gir_len, s->skeyseed);
	if (r == 0)
		r = ike_derive_keys(sa->prop.prf, sa->prop.encr, sa->prop.encr_keybits,
				    sa->prop.integ, s->skeyseed,
				    sa->ni, sa->ni_len, sa->nr, sa->nr_len, sa->spi_i, sa->spi_r,
				    sa->keys);
	ike_sa_sec_drop(sa);
	return r;
}

/* §3.3.1: in IKE_SA_INIT the SPI Size of every proposal is zero (the SPIs
 * are in the header); an 8-byte SPI there is a malformed offer. */
static bool no_spi(const struct ike_sa_payload *o)
{
	for (size_t i = 0; i < o->n; i++)
		if (o->p[i].spi_len != 0)
			return false;
	return true;
}

/* RFC 7383 §2.3: fragmentation is used when both sides offered it. */
static bool offers_fragmentation(const struct conf_peer *peer, const struct ike_payload_list *pl)
{
	return peer->fragmentation &&
	       ike_find_notify(pl, IKEV2_NOTIFY_IKEV2_FRAGMENTATION_SUPPORTED, NULL);
}

static uint8_t *dup_bytes(const uint8_t *p, size_t n)
{
	uint8_t *d = malloc(n);

	if (d)
		memcpy(d, p, n);
	return d;
}

/* ------------------------------------------------------------------ */
/* Initiator                                                           */
/* ------------------------------------------------------------------ */

static int send_init_request(struct ike_sa *sa)
{
	const struct conf_peer *p = sa->peer;
	struct ike_builder *b = malloc(sizeof(*b));
	int r;

	if (!b)
		return -ENOMEM;
	ike_build_start(b, sa->spi_i, zero_spi, IKEV2_EXCHANGE_IKE_SA_INIT, IKEV2_FLAG_INITIATOR, 0);
	if (sa->cookie_len)   /* §2.6: COOKIE comes first */
		ike_build_notify(b, 0, NULL, 0, IKEV2_NOTIFY_COOKIE, sa->cookie, sa->cookie_len);
	ike_build_sa(b, p->ike_proposals, p->n_ike_proposals, IKEV2_PROTO_IKE, NULL, 0, true);
	ike_build_ke(b, sa->dh_group, sa->dh_pub, ike_dh_pub_len(sa->dh_group));
	ike_build_nonce(b, sa->ni, sa->ni_len);
	ike_build_natd(b, sa);
	ike_build_notify(b, 0, NULL, 0, IKEV2_NOTIFY_SIGNATURE_HASH_ALGORITHMS, sig_hash_algs,
			 sizeof(sig_hash_algs));
	if (p->fragmentation)
		ike_build_notify(b, 0, NULL, 0, IKEV2_NOTIFY_IKEV2_FRAGMENTATION_SUPPORTED, NULL, 0);
	r = ike_build_finish(b);
	if (r == 0) {
		free(sa->init_i);
		sa->init_i = dup_bytes(b->buf, b->len);
		sa->init_i_len = b->len;
		r = sa->init_i ? ike_req_send_plain(sa, b, IKE_TASK_SA_INIT) : -ENOMEM;
	}
	free(b);
	return r;
}

int ike_sa_init_initiator_start(struct ike *ike, const struct conf_peer *peer, uint64_t now)
{
	struct ike_sa *sa;

	ike->now_ms = now;
	/* -EPERM: why is in ike->refused, for the peer's last failure */
	if (!peer->n_ike_proposals) {
		ike->refused = "no_ike_proposal";
		return -EPERM;
	}
	enum policy_reason r = ike_runtime_check(ike, peer, NULL);
	if (r != POLICY_OK) {
		ike->refused = policy_reason_name(r);
		return -EPERM;
	}
	sa = ike_sa_new(ike, peer, true);
	if (!sa)
		return -ENOMEM;
	/* an endpoint on the NAT-T port: start there directly (RFC 3948 §2.2) */
	sa->natt = lg_sockaddr_port(&sa->remote) == (peer->natt_port ? peer->natt_port
								   : IKEV2_NATT_PORT);
	if (ike_sa_set_bytes(&sa->ni, &sa->ni_len, NULL, IKEV2_NONCE_LEN) < 0 ||
	    new_keypair(sa, peer->ike_proposals[0].dh) < 0 || send_init_request(sa) < 0) {
		ike_sa_fail(sa, "internal_error");
		return -EIO;
	}
	ike_sa_set_state(sa, IKE_SA_INIT_SENT);
	lg_log(LOG_INFO, "event=ike_initiate peer=%s", peer->name);
	return 0;
}

static bool our_group(const struct conf_peer *p, uint16_t g)
{
	for (size_t i = 0; i < p->n_ike_proposals; i++)
		if (p->ike_proposals[i].dh == g)
			return ike_dh_supported(g);
	return false;
}

/* Error answers to our request: cookie, other group, or give up. */
static void init_error(struct ike_sa *sa, const struct ike_payload_list *pl)
{
	struct ike_notify n;

	if (ike_find_notify(pl, IKEV2_NOTIFY_COOKIE, &n) && n.data_len >= 1 &&
	    n.data_len <= IKE_COOKIE_MAX && sa->cookie_len == 0) {
		memcpy(sa->cookie, n.data, n.data_len);
		sa->cookie_len = n.data_len;
		send_init_request(sa);
		return;
	}
	if (ike_find_notify(pl, IKEV2_NOTIFY_INVALID_KE_PAYLOAD, &n) && n.data_len == 2) {
		uint16_t g = (uint16_t)(n.data[0] << 8 | n.data[1]);
		/* §1.3: retry once with the group the responder asked for */
		if (g != sa->dh_group && our_group(sa->peer, g)) {
			lg_log(LOG_INFO, "event=ike_invalid_ke peer=%s group=%u retry=yes",
			       sa->peer_name, g);
			if (new_keypair(sa, g) < 0 || send_init_request(sa) < 0)
				ike_sa_fail(sa, "internal_error");
			return;
		}
	}
	uint16_t err = ike_first_error_notify(pl);
	ike_sa_fail(sa, err ? ike_notify_name(err) : "invalid_response");
}

void ike_sa_init_initiator_response(struct ike_sa *sa, const struct ike_header *h,
				    const uint8_t *msg, size_t len, const struct ike_payload_list *pl)
{
	const struct ike_payload *sap = ike_payload_find(pl, IKEV2_PAYLOAD_SA);
	const struct ike_payload *kep = ike_payload_find(pl, IKEV2_PAYLOAD_KE);
	const struct ike_payload *np = ike_payload_find(pl, IKEV2_PAYLOAD_NONCE);
	struct ike_sa_payload *offer = malloc(sizeof(*offer));
	const struct ike_proposal *which;
	const uint8_t *nonce;
	size_t nonce_len;
	struct ike_ke ke;

	if (!offer)
		return;
	if (!sap || !kep || !np) {
		free(offer);
		init_error(sa, pl);
		return;
	}
	if (ike_decode_sa(sap, offer) < 0 || !no_spi(offer) || ike_decode_ke(kep, &ke) < 0 ||
	    ike_decode_nonce(np, &nonce, &nonce_len) < 0 || memcmp(h->spi_r, zero_spi, 8) == 0 ||
	    !ike_proposal_accept_reply(sa->peer->ike_proposals, sa->peer->n_ike_proposals, offer,
				       IKEV2_PROTO_IKE, false, &sa->prop, &which) ||
	    ke.group != sa->prop.dh || ke.group != sa->dh_group) {
		free(offer);
		ike_sa_fail(sa, "invalid_ike_sa_init_response");
		return;
	}
	free(offer);
	if (ike_sa_set_bytes(&sa->nr, &sa->nr_len, nonce, nonce_len) < 0) {
		ike_sa_fail(sa, "internal_error");
		return;
	}
	memcpy(sa->spi_r, h->spi_r, 8);
	sa->peer_sig_identity = offers_identity_hash(pl);
	sa->frag = offers_fragmentation(sa->peer, pl);
	ike_nat_detect(sa, pl, &sa->local);
	free(sa->init_r);
	sa->init_r = dup_bytes(msg, len);
	sa->init_r_len = len;
	if (!sa->init_r || ike_sa_init_compute_keys(sa, ke.data, ke.len) < 0) {
		ike_sa_fail(sa, "key_derivation_failed");
		return;
	}
	ike_req_clear(sa);
	sa->msg_id_out = 1;
	/* §2.23: after IKE_SA_INIT everything moves to the NAT-T port */
	sa->natt = true;
	lg_sockaddr_set_port(&sa->remote, sa->peer->natt_port ? sa->peer->natt_port
							       : IKEV2_NATT_PORT);
	if (ike_auth_initiator_start(sa) < 0)
		ike_sa_fail(sa, "internal_error");
}

/* ------------------------------------------------------------------ */
/* Responder                                                           */
/* ------------------------------------------------------------------ */

/* §2.6: cookie = version | BLAKE2b(secret, Ni | IPi | SPIi); stateless. */
static void make_cookie(struct ike *ike, const struct ike_datagram *d, const uint8_t spi_i[8],
			const uint8_t *ni, size_t ni_len, uint8_t out[33])
{
	crypto_generichash_state st;
	const uint8_t *a = lg_sockaddr_addr(&d->remote);

	out[0] = 1;
	crypto_generichash_init(&st, ike->cookie_secret, sizeof(ike->cookie_secret), 32);
	crypto_generichash_update(&st, ni, ni_len);
	crypto_generichash_update(&st, a, lg_family_addr_len(d->remote.sa.sa_family));
	crypto_generichash_update(&st, spi_i, 8);
	crypto_generichash_final(&st, out + 1, 32);
}

static bool cookie_ok(struct ike *ike, const struct ike_datagram *d, const struct ike_header *h,
		      const struct ike_payload_list *pl, const uint8_t *ni, size_t ni_len)
{
	uint8_t want[33];
	struct ike_notify n;

	if (!ike_half_open_cookie_needed(ike, &d->remote))
		return true;
	make_cookie(ike, d, h->spi_i, ni, ni_len, want);
	if (pl->n && pl->p[0].type == IKEV2_PAYLOAD_NOTIFY &&
	    ike_decode_notify(&pl->p[0], &n) == 0 && n.type == IKEV2_NOTIFY_COOKIE &&
	    n.data_len == sizeof(want) && sodium_memcmp(n.data, want, sizeof(want)) == 0)
		return true;
	ike_count_drop(ike, IKE_DROP_COOKIE, NULL);
	ike_send_stateless(ike, d, h, IKEV2_NOTIFY_COOKIE, want, sizeof(want));
	return false;
}

static int send_init_response(struct ike_sa *sa, uint8_t num, const struct ike_datagram *d)
{
	struct ike_builder *b = malloc(sizeof(*b));
	int r;

	if (!b)
		return -ENOMEM;
	ike_build_start(b, sa->spi_i, sa->spi_r, IKEV2_EXCHANGE_IKE_SA_INIT, IKEV2_FLAG_RESPONSE, 0);
	ike_build_sa_one(b, num, &sa->prop, IKEV2_PROTO_IKE, NULL, 0, true);
	ike_build_ke(b, sa->dh_group, sa->dh_pub, ike_dh_pub_len(sa->dh_group));
	ike_build_nonce(b, sa->nr, sa->nr_len);
	ike_build_natd(b, sa);
	ike_build_notify(b, 0, NULL, 0, IKEV2_NOTIFY_SIGNATURE_HASH_ALGORITHMS, sig_hash_algs,
			 sizeof(sig_hash_algs));
	if (sa->frag)   /* RFC 7383 §2.3: only when the initiator offered it */
		ike_build_notify(b, 0, NULL, 0, IKEV2_NOTIFY_IKEV2_FRAGMENTATION_SUPPORTED, NULL, 0);
	/* §3.7: the responder asks for the initiator's certificate here */
	if (sa->peer->auth == CONF_AUTH_CERTIFICATE)
		ike_cert_build_certreq(b, ike_credentials_find(sa->ike->creds, sa->peer_name));
	r = ike_build_finish(b);
	if (r == 0) {
		sa->init_r = dup_bytes(b->buf, b->len);
		sa->init_r_len = b->len;
		r = sa->init_r ? ike_resp_send_plain(sa, b) : -ENOMEM;
	}
	(void)d;
	free(b);
	return r;
}

/* An unauthenticated IKE_SA_INIT refused: anyone can send one from the
 * peer's address, so it is summarised, not recorded per packet. */
static void audit_refused(struct ike *ike, const char *notify)
{
	char reason[64];

	snprintf(reason, sizeof(reason), "ike_sa_init_%s", notify);
	ike_audit_unauth(ike, AUDIT_IKE_EXCHANGE_FAILED, reason, NULL);
}

/* The half-open SA: our nonce and key pair, keys, the response. NULL when
 * anything fails (nothing is left behind). */
static struct ike_sa *responder_sa(struct ike *ike, const struct ike_datagram *d,
				   const struct ike_header *h, const struct ike_payload_list *pl,
				   const struct conf_peer *peer, const struct conf_proposal *chosen,
				   uint8_t num, const uint8_t *nonce, size_t nonce_len,
				   const struct ike_ke *ke)
{
	struct ike_sa *sa = ike_sa_new(ike, peer, false);

	if (!sa)
		return NULL;
	memcpy(sa->spi_i, h->spi_i, 8);
	sa->prop = *chosen;
	sa->remote = d->remote;
	ike_sa_index_remote(sa);
	sa->local = d->local;
	sa->uplink = d->uplink;
	sa->natt = d->natt;
	if (ike_sa_set_bytes(&sa->ni, &sa->ni_len, nonce, nonce_len) < 0 ||
	    ike_sa_set_bytes(&sa->nr, &sa->nr_len, NULL, IKEV2_NONCE_LEN) < 0) {
		ike_sa_destroy(sa, "internal_error");
		return NULL;
	}
	sa->peer_sig_identity = offers_identity_hash(pl);
	sa->frag = offers_fragmentation(peer, pl);
	sa->init_i = dup_bytes(d->data, d->len);
	sa->init_i_len = d->len;
	ike_nat_detect(sa, pl, &d->local);
	/* the response only needs our public value: derive first, so a
	 * failure never leaves an answered half-open SA behind */
	if (!sa->init_i || new_keypair(sa, chosen->dh) < 0 ||
	    ike_sa_init_compute_keys(sa, ke->data, ke->len) < 0 ||
	    send_init_response(sa, num, d) < 0) {
		ike_sa_destroy(sa, "key_derivation_failed");
		return NULL;
	}
	return sa;
}

void ike_sa_init_responder(struct ike *ike, const struct ike_datagram *d, const struct ike_header *h,
			   const struct ike_payload_list *pl)
{
	const struct conf_peer *peer = ike_peer_by_endpoint(ike, &d->remote);
	bool dynamic = !peer && (peer = ike_template_for(ike, d)) != NULL;
	const struct ike_payload *sap = ike_payload_find(pl, IKEV2_PAYLOAD_SA);
	const struct ike_payload *kep = ike_payload_find(pl, IKEV2_PAYLOAD_KE);
	const struct ike_payload *np = ike_payload_find(pl, IKEV2_PAYLOAD_NONCE);
	struct ike_sa_payload *offer;
	const struct ike_proposal *which;
	struct conf_proposal chosen;
	const uint8_t *nonce;
	size_t nonce_len;
	struct ike_ke ke;
	struct ike_sa *sa;

	if (!peer) {
		ike_count_drop(ike, IKE_DROP_UNKNOWN_PEER, "ike_sa_init");
		return;
	}
	if (!sap || !kep || !np || ike_decode_ke(kep, &ke) < 0 ||
	    ike_decode_nonce(np, &nonce, &nonce_len) < 0) {
		ike_count_drop(ike, IKE_DROP_MALFORMED, "ike_sa_init");
		return;
	}
	if (!cookie_ok(ike, d, h, pl, nonce, nonce_len))
		return;
	if (ike_half_open_admit(ike, &d->remote, true) < 0)
		return;
	if (dynamic ? !ike_template_allowed(ike, peer, d)
		    : !ike_runtime_allowed(ike, peer, d->ifname[0] ? d->ifname : NULL)) {
		ike_count_drop(ike, IKE_DROP_POLICY, peer->name);
		return;
	}
	offer = malloc(sizeof(*offer));
	if (!offer)
		return;
	if (ike_decode_sa(sap, offer) < 0 || !no_spi(offer)) {
		free(offer);
		ike_count_drop(ike, IKE_DROP_MALFORMED, "ike_sa_init_spi_size");
		return;
	}
	if (!ike_proposal_match(peer->ike_proposals, peer->n_ike_proposals, offer, IKEV2_PROTO_IKE,
				false, &chosen, &which)) {
		free(offer);
		audit_refused(ike, "NO_PROPOSAL_CHOSEN");
		ike_send_stateless(ike, d, h, IKEV2_NOTIFY_NO_PROPOSAL_CHOSEN, NULL, 0);
		return;
	}
	uint8_t num = which->num;
	free(offer);
	if (ke.group != chosen.dh) {
		uint8_t g[2] = { chosen.dh >> 8, chosen.dh & 0xff };
		audit_refused(ike, "INVALID_KE_PAYLOAD");
		ike_send_stateless(ike, d, h, IKEV2_NOTIFY_INVALID_KE_PAYLOAD, g, sizeof(g));
		return;
	}
	sa = responder_sa(ike, d, h, pl, peer, &chosen, num, nonce, nonce_len, &ke);
	if (!sa)
		return;
	ike_sa_set_state(sa, IKE_SA_HALF_OPEN);
	if (ike->half_open == IKE_COOKIE_THRESHOLD)
		audit_emit(AUDIT_DOS_DEFENCE, AUDIT_SUCCESS, "linegated", "ike",
			   "defence", "cookies", "half_open", "threshold", NULL);
}

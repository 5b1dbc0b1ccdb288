/* Sending IKE messages: our requests with retransmission (window of one,
 * RFC 7296 §2.1, §2.3), our responses cached for duplicate requests, the
 * helpers every exchange shares (drop counters, failure handling, policy
 * checks, identities, lifetimes). */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "linegate/audit.h"
#include "linegate/conf.h"
#include "ike_internal.h"
#include "linegate/log.h"
#include "linegate/secpool.h"

static const char *const drop_names[IKE_DROP_COUNT] = {
	[IKE_DROP_MALFORMED] = "malformed",
	[IKE_DROP_VERSION] = "bad_version",
	[IKE_DROP_NO_SA] = "no_sa",
	[IKE_DROP_MSG_ID] = "bad_message_id",
	[IKE_DROP_DECRYPT] = "decrypt_failed",
	[IKE_DROP_UNKNOWN_PEER] = "unknown_peer",
	[IKE_DROP_POLICY] = "policy_refused",
	[IKE_DROP_COOKIE] = "cookie_required",
	[IKE_DROP_STATE] = "unexpected_in_state",
	[IKE_DROP_CRITICAL] = "unsupported_critical",
	[IKE_DROP_PLACEMENT] = "payload_placement",
	[IKE_DROP_HALF_OPEN_SOURCE] = "half_open_per_source",
	[IKE_DROP_HALF_OPEN_LIMIT] = "half_open_limit",
	[IKE_DROP_AMPLIFY] = "reply_too_large",
	[IKE_DROP_FRAGMENT] = "fragment_refused",
	[IKE_DROP_CERT] = "cert_refused",
};

const char *ike_drop_name(enum ike_drop d)
{
	return (unsigned)d < IKE_DROP_COUNT ? drop_names[d] : "unknown";
}

size_t ike_get_drops(const struct ike *ike, const char **names, uint64_t *counts, size_t max)
{
	for (size_t i = 0; i < IKE_DROP_COUNT && i < max; i++) {
		names[i] = drop_names[i];
		counts[i] = ike ? ike->drops[i] : 0;
	}
	return IKE_DROP_COUNT;
}

/* The one place an IKE drop is counted (and logged, rate-limited). */
void ike_count_drop(struct ike *ike, enum ike_drop d, const char *detail)
{
	static struct lg_ratelimit rl = LG_RATELIMIT_INIT(10000, 20);

	ike->drops[d]++;
	lg_log_ratelimited(&rl, LOG_INFO, "event=ike_drop reason=%s detail=%s count=%llu",
			   ike_drop_name(d), detail ? detail : "-",
			   (unsigned long long)ike->drops[d]);
	if (!ike->rx || ike->rx_summarised)
		return;
	char region[3] = "", reason[48];
	const union lg_sockaddr *src = &ike->rx->remote;
	/* an unconfigured address: which region it is in (cross-border?) */
	if (d == IKE_DROP_UNKNOWN_PEER && ike->db &&
	    !policy_addr_region(ike->cfg->site.region, ike->db, src->sa.sa_family,
				lg_sockaddr_addr(src), region, NULL, NULL))
		region[0] = '\0';
	snprintf(reason, sizeof(reason), "ike_%s", ike_drop_name(d));
	ike_audit_unauth(ike, AUDIT_PACKETS_DROPPED, reason, region[0] ? region : NULL);
}

void ike_audit_unauth(struct ike *ike, int audit_event, const char *reason, const char *region)
{
	const struct ike_datagram *d = ike->rx;
	char src[LG_ADDRSTRLEN] = "unknown";
	const char *uplink = NULL;

	if (d) {
		audit_source_prefix(&d->remote, src, sizeof(src));
		if (d->uplink >= 0 && (size_t)d->uplink < ike->cfg->n_uplinks)
			uplink = ike->cfg->uplinks[d->uplink].name;
	}
	ike->rx_summarised = true;
	audit_summarize((enum audit_event)audit_event, reason, uplink, src, region, lg_wall_ms());
}

void ike_send_stateless(struct ike *ike, const struct ike_datagram *d, const struct ike_header *h,
			uint16_t type, const uint8_t *data, size_t len)
{
	struct ike_builder *b;

	if (ike_hdr_is_response(h) || !ike->tx.send)
		return;
	b = malloc(sizeof(*b));
	if (!b)
		return;
	ike_build_start(b, h->spi_i, h->spi_r, h->exchange, IKEV2_FLAG_RESPONSE, h->msg_id);
	ike_build_notify(b, 0, NULL, 0, type, data, len);
	if (ike_build_finish(b) == 0) {
		/* a bare notify (a version refusal) may outgrow a header-only
		 * request by a few bytes; nothing else may */
		if (b->len <= d->len || b->len <= IKE_STATELESS_MIN)
			ike->tx.send(ike->tx.ctx, d->uplink, &d->remote, d->natt, b->buf, b->len);
		else
			ike_count_drop(ike, IKE_DROP_AMPLIFY, ike_notify_name(type));
	}
	free(b);
}

int ike_send_raw(struct ike_sa *sa, const uint8_t *msg, size_t len)
{
	struct ike *ike = sa->ike;

	sa->last_out_ms = ike->now_ms;
	if (!ike->tx.send)
		return -ENOTCONN;
	return ike->tx.send(ike->tx.ctx, sa->uplink, &sa->remote, sa->natt, msg, len);
}

static struct ike_sk_key sk_key(const struct ike_sa *sa, bool initiators)
{
	const struct ike_keys *k = sa->keys;
	return (struct ike_sk_key){
		.encr = k->encr, .keybits = k->encr_keybits, .integ = k->integ,
		.ekey = initiators ? k->sk_ei : k->sk_er,
		.akey = initiators ? k->sk_ai : k->sk_ar,
	};
}

struct ike_sk_key ike_sk_key_out(const struct ike_sa *sa)
{
	return sk_key(sa, sa->initiator);
}

struct ike_sk_key ike_sk_key_in(const struct ike_sa *sa)
{
	return sk_key(sa, !sa->initiator);
}

static struct lg_secpool secret_pool = LG_SECPOOL_INIT(sizeof(struct ike_exch_secret));

struct ike_exch_secret *ike_exch_secret_new(void)
{
	return lg_secpool_alloc(&secret_pool);
}

void ike_exch_secret_free(struct ike_exch_secret *s)
{
	lg_secpool_free(&secret_pool, s);
}

size_t ike_exch_secret_in_use(void)
{
	size_t used, slots, slabs;

	lg_secpool_stats(&secret_pool, &used, &slots, &slabs);
	return used;
}

void ike_exch_secret_wipe(struct ike_exch_secret *s)
{
	if (!s)
		return;
	ike_dh_clear(&s->dh);
	sodium_memzero(s, sizeof(*s));
}

void ike_req_clear(struct ike_sa *sa)
{
	struct ike_request *r = &sa->req;

	free(r->msg);
	if (r->new_child)
		child_sa_free_unlinked(r->new_child);
	if (r->new_ike) {
		struct ike_sa *n = r->new_ike;
		r->new_ike = NULL;
		ike_sa_unlink_free(n);
	}
	memset(r, 0, sizeof(*r));
	/* whatever ended the request (response, error, failure), its DH
	 * private value and shared secret (PFS) do not outlive it, nor does
	 * their slot: the next exchange takes one again (ike_sa_sec) */
	ike_sa_sec_drop(sa);
}

void ike_req_start(struct ike_sa *sa, struct ike_builder *b, uint8_t exchange)
{
	ike_build_start(b, sa->spi_i, sa->spi_r, exchange,
			sa->initiator ? IKEV2_FLAG_INITIATOR : 0, sa->msg_id_out);
	ike_build_sk_begin(b);
}

/* Stores the message as our outstanding request and sends it. */
static int req_arm(struct ike_sa *sa, const uint8_t *msg, size_t len, enum ike_task task)
{
	struct ike_request *r = &sa->req;
	uint8_t *copy = malloc(len);

	if (!copy)
		return -ENOMEM;
	memcpy(copy, msg, len);
	free(r->msg);
	r->msg = copy;
	r->len = len;
	r->task = task;
	r->active = true;
	r->msg_id = sa->msg_id_out;
	r->tries = 0;
	ike_req_schedule(r, sa->ike->now_ms);
	ike_sa_touch(sa);
	ike_send_all(sa, copy, len);
	return 0;
}

int ike_req_send(struct ike_sa *sa, struct ike_builder *b, enum ike_task task)
{
	uint8_t *msgs;
	size_t len;
	int r = ike_frag_seal(sa, b, &msgs, &len);

	if (r < 0)
		return r;
	r = req_arm(sa, msgs, len, task);
	free(msgs);
	return r;
}

int ike_req_send_plain(struct ike_sa *sa, struct ike_builder *b, enum ike_task task)
{
	int r = ike_build_finish(b);

	if (r < 0)
		return r;
	return req_arm(sa, b->buf, b->len, task);
}

void ike_resp_start(struct ike_sa *sa, struct ike_builder *b, uint8_t exchange, uint32_t msg_id)
{
	ike_build_start(b, sa->spi_i, sa->spi_r, exchange,
			IKEV2_FLAG_RESPONSE | (sa->initiator ? IKEV2_FLAG_INITIATOR : 0), msg_id);
	ike_build_sk_begin(b);
}

/* Keeps the response for a retransmitted request (§2.1: a duplicate request
 * is answered with the same response, never processed twice). */
static int cache_response(struct ike_sa *sa, const uint8_t *msg, size_t len)
{
	uint8_t *copy = malloc(len);

	if (!copy)
		return -ENOMEM;
	memcpy(copy, msg, len);
	free(sa->last_resp);
	sa->last_resp = copy;
	sa->last_resp_len = len;
	sa->have_last_resp = true;
	sa->msg_id_in++;
	return 0;
}

int ike_resp_send(struct ike_sa *sa, struct ike_builder *b)
{
	uint8_t *msgs;
	size_t len;
	int r = ike_frag_seal(sa, b, &msgs, &len);

	if (r < 0)
		return r;
	cache_response(sa, msgs, len);
	r = ike_send_all(sa, msgs, len);
	free(msgs);
	return r;
}

int ike_resp_send_plain(struct ike_sa *sa, struct ike_builder *b)
{
	int r = ike_build_finish(b);

	if (r < 0)
		return r;
	cache_response(sa, b->buf, b->len);
	return ike_send_raw(sa, b->buf, b->len);
}

int ike_peer_index(const struct ike *ike, const struct conf_peer *peer)
{
	const struct config *cfg = ike->cfg;

	/* the configuration's own peer: its place in the array */
	if (cfg->n_peers && (uintptr_t)peer >= (uintptr_t)cfg->peers &&
	    (uintptr_t)peer < (uintptr_t)(cfg->peers + cfg->n_peers))
		return (int)(peer - cfg->peers);
	const struct conf_peer *q = config_find_peer(cfg, peer->name);
	return q ? (int)(q - cfg->peers) : -1;
}

void ike_schedule_initiate(struct ike *ike, const struct conf_peer *peer, uint64_t delay_ms)
{
	int i = ike_peer_index(ike, peer);

	if (i < 0 || peer->role == CONF_ROLE_RESPONDER || ike->peers[i].admin_down)
		return;
	ike->peers[i].next_initiate_ms = ike->now_ms + delay_ms;
	if (!ike->peers[i].next_initiate_ms)
		ike->peers[i].next_initiate_ms = 1;
	ike_initiate_note(ike, ike->peers[i].next_initiate_ms);
}

/* A failed or dead IKE SA: audit, remove with its children, and have an
 * initiator peer try again with back-off. */
void ike_sa_fail(struct ike_sa *sa, const char *reason)
{
	struct ike *ike = sa->ike;
	const struct conf_peer *peer = sa->peer;
	char remote[LG_ADDRSTRLEN];

	lg_sockaddr_format(&sa->remote, remote, sizeof(remote));
	if (!sa->established_ms)
		audit_emit(AUDIT_IKE_EXCHANGE_FAILED, AUDIT_FAILURE, sa->peer_id, sa->peer_name,
			   "remote", remote, "state", ike_sa_state_name(sa->state), "reason", reason,
			   NULL);
	ike_sa_destroy(sa, reason);
	ike_retry_failed(ike, peer, reason, true);
}

void ike_identity_format(const struct conf_identity *id, char *out, size_t n)
{
	switch (id->type) {
	case CONF_ID_FQDN:
		snprintf(out, n, "%.*s", (int)id->len, (const char *)id->data);
		for (size_t i = 0; out[i]; i++)   /* printable only: it goes into logs */
			if (out[i] < 0x21 || out[i] > 0x7e)
				out[i] = '?';
		break;
	case CONF_ID_IPV4_ADDR:
	case CONF_ID_IPV6_ADDR:
		lg_addr_format(id->type == CONF_ID_IPV4_ADDR ? AF_INET : AF_INET6, id->data, out, n);
		break;
	case CONF_ID_KEY_ID: {
		char hex[2 * CONF_ID_MAX + 1];
		snprintf(out, n, "keyid:%s", lg_hex(id->data, id->len, hex));
		break;
	}
	case CONF_ID_DER_ASN1_DN:   /* OpenSSL's text: escaped, valid UTF-8, no controls */
		conf_dn_format(id->data, id->len, out, n);
		break;
	default:
		snprintf(out, n, "none");
	}
}

/* policy_check_peer_runtime with the facts of the moment. */
static struct policy_verdict runtime_verdict(struct ike *ike, const struct conf_peer *peer,
					     const char *ingress, struct policy_link_facts *f)
{
	memset(f, 0, sizeof(*f));
	f->uplink_up = true;
	if (ike->have_link && ike->link.uplink_up)
		f->uplink_up = ike->link.uplink_up(ike->link.ctx, peer->uplink);
	if (ike->have_link && ike->link.route_egress &&
	    ike->link.route_egress(ike->link.ctx, &peer->endpoint, f->egress_ifname,
				   &f->egress_source) < 0)
		f->egress_ifname[0] = '\0';
	if (ingress)
		snprintf(f->ingress_ifname, sizeof(f->ingress_ifname), "%s", ingress);
	return policy_check_peer_runtime(ike->cfg, peer, ike->db, f);
}

/* A refusal is audited with its reason code, the expected uplink interface
 * and the actual egress (fail closed); returns the reason (POLICY_OK). */
enum policy_reason ike_runtime_check(struct ike *ike, const struct conf_peer *peer, const char *ingress)
{
	struct policy_link_facts f;
	struct policy_verdict v = runtime_verdict(ike, peer, ingress, &f);
	char id[CONF_ID_MAX + 1], src[LG_ADDRSTRLEN] = "";
	const struct conf_uplink *u = peer->uplink >= 0 && (size_t)peer->uplink < ike->cfg->n_uplinks ?
		&ike->cfg->uplinks[peer->uplink] : NULL;

	if (policy_allowed(&v))
		return POLICY_OK;
	if (ike->rx) {   /* a datagram nobody authenticated: summarised */
		ike_audit_unauth(ike, AUDIT_COMPLIANCE_REFUSED, policy_reason_name(v.reason), NULL);
		return v.reason;
	}
	if (f.egress_source.sa.sa_family != AF_UNSPEC)
		lg_addr_format(f.egress_source.sa.sa_family, lg_sockaddr_addr(&f.egress_source), src,
			       sizeof(src));
	ike_identity_format(&peer->remote_id, id, sizeof(id));
	audit_emit(AUDIT_COMPLIANCE_REFUSED, AUDIT_FAILURE, id, peer->name,
		   "reason", policy_reason_name(v.reason), "message", v.message,
		   "uplink_up", f.uplink_up ? "yes" : "no", "expected", u ? u->ifname : "",
		   "egress", f.egress_ifname, "egress_source", src,
		   "ingress", f.ingress_ifname, NULL);
	return v.reason;
}

/* The endpoint in use is the endpoint judged: the same checks on the peer
 * with its endpoint replaced by the address an SA uses or would move to
 * (issue 9, class 2). A refusal names both addresses. */
enum policy_reason ike_endpoint_check(struct ike *ike, const struct ike_sa *sa, const union lg_sockaddr *to,
				      const char *ingress)
{
	struct conf_peer *at = malloc(sizeof(*at));
	struct policy_link_facts f;
	struct policy_verdict v;
	char id[CONF_ID_MAX + 1], from_s[LG_ADDRSTRLEN], to_s[LG_ADDRSTRLEN];

	if (!at)
		return POLICY_UNKNOWN_PEER;   /* fail closed */
	*at = *sa->peer;
	at->endpoint = *to;
	v = runtime_verdict(ike, at, ingress, &f);
	free(at);
	if (policy_allowed(&v))
		return POLICY_OK;
	lg_sockaddr_format(&sa->remote, from_s, sizeof(from_s));
	lg_sockaddr_format(to, to_s, sizeof(to_s));
	ike_identity_format(&sa->peer->remote_id, id, sizeof(id));
	audit_emit(AUDIT_COMPLIANCE_REFUSED, AUDIT_FAILURE, id, sa->peer->name,
		   "reason", policy_reason_name(v.reason), "message", v.message,
		   "from", from_s, "to", to_s, "uplink_up", f.uplink_up ? "yes" : "no",
		   "egress", f.egress_ifname, "ingress", f.ingress_ifname, NULL);
	lg_log(LOG_WARNING, "event=ike_endpoint_refused peer=%s from=%s to=%s reason=%s", sa->peer->name,
	       from_s, to_s, policy_reason_name(v.reason));
	return v.reason;
}

const struct conf_peer *ike_template_for(const struct ike *ike, const struct ike_datagram *d)
{
	const struct config *cfg = ike->cfg;

	for (size_t i = 0; i < cfg->n_templates; i++)
		if (cfg->peers[cfg->templates[i]].uplink == d->uplink)
			return &cfg->peers[cfg->templates[i]];
	return cfg->n_templates ? &cfg->peers[cfg->templates[0]] : NULL;
}

bool ike_template_allowed(struct ike *ike, const struct conf_peer *tmpl, const struct ike_datagram *d)
{
	struct conf_peer *at = malloc(sizeof(*at));
	const char *ingress = d->ifname[0] ? d->ifname : NULL;

	if (!at)
		return false;   /* fail closed */
	if (!ingress && d->uplink >= 0 && (size_t)d->uplink < ike->cfg->n_uplinks)
		ingress = ike->cfg->uplinks[d->uplink].ifname;
	*at = *tmpl;
	at->endpoint = d->remote;   /* the address in use is the address judged */
	bool ok = ike_runtime_check(ike, at, ingress) == POLICY_OK;
	free(at);
	return ok;
}

bool ike_runtime_allowed(struct ike *ike, const struct conf_peer *peer, const char *ingress)
{
	return ike_runtime_check(ike, peer, ingress) == POLICY_OK;
}

/* The same judgement without a record: may an initiation start now? */
bool ike_runtime_would_allow(struct ike *ike, const struct conf_peer *peer)
{
	struct policy_link_facts f;
	struct policy_verdict v = runtime_verdict(ike, peer, NULL, &f);
	return policy_allowed(&v);
}

void ike_jitter_lifetimes(struct ike_sa *sa, uint64_t now)
{
	uint64_t life = (uint64_t)sa->peer->ike_lifetime_s * 1000;

	if (!life) {
		sa->rekey_ms = sa->expire_ms = 0;
		return;
	}
	uint64_t j = life / 10;
	sa->rekey_ms = now + life * 85 / 100 + (j ? randombytes_uniform(j > UINT32_MAX ? UINT32_MAX
										 : (uint32_t)j) : 0);
	sa->expire_ms = now + life + life / 10;
	ike_sa_touch(sa);
}

/* Proposal selection (RFC 7296 §2.7, §3.3.6) in the configured order, and
 * traffic selector narrowing (§2.9) through the policy module, which keeps
 * every selector inside the site's declared internal space. */
#include <string.h>
#include "ike_internal.h"
#include "linegate/audit.h"
#include "linegate/log.h"

static bool has(const struct ike_proposal *p, uint8_t type, uint16_t id, uint16_t keybits)
{
	for (size_t i = 0; i < p->n_transforms; i++)
		if (p->t[i].type == type && p->t[i].id == id && p->t[i].keybits == keybits)
			return true;
	return false;
}

static bool has_type(const struct ike_proposal *p, uint8_t type)
{
	for (size_t i = 0; i < p->n_transforms; i++)
		if (p->t[i].type == type)
			return true;
	return false;
}

/* Does offer `p` contain every transform of conf proposal `c`, and nothing
 * of a type we cannot choose from? */
static bool proposal_fits(const struct conf_proposal *c, const struct ike_proposal *p,
			  uint8_t protocol, bool ignore_dh)
{
	if (p->protocol != protocol)
		return false;
	if (protocol == IKEV2_PROTO_IKE && p->spi_len != 0 && p->spi_len != 8)
		return false;
	if (protocol == IKEV2_PROTO_ESP && p->spi_len != ESP_SPI_LEN)
		return false;
	if (!ike_encr_supported(c->encr, c->encr_keybits))
		return false;
	if (!has(p, IKEV2_TRANSFORM_ENCR, c->encr, c->encr_keybits))
		return false;
	/* AES-CBC: our integrity algorithm must be offered. An AEAD: an offer
	 * that insists on integrity (no NONE among its INTEG transforms) does
	 * not fit (RFC 5282 §8, RFC 7296 §3.3.3). */
	if (c->integ && !has(p, IKEV2_TRANSFORM_INTEG, c->integ, 0))
		return false;
	if (!c->integ && has_type(p, IKEV2_TRANSFORM_INTEG) && !has(p, IKEV2_TRANSFORM_INTEG, 0, 0))
		return false;
	if (protocol == IKEV2_PROTO_IKE) {
		return has(p, IKEV2_TRANSFORM_PRF, c->prf, 0) &&
		       has(p, IKEV2_TRANSFORM_DH, c->dh, 0);
	}
	/* ESP: no ESN; DH only when PFS is configured (ignored in IKE_AUTH, §1.2) */
	if (has_type(p, IKEV2_TRANSFORM_ESN) && !has(p, IKEV2_TRANSFORM_ESN, IKEV2_ESN_NO, 0))
		return false;
	if (ignore_dh)
		return true;
	if (c->dh == IKEV2_DH_NONE)
		return !has_type(p, IKEV2_TRANSFORM_DH) || has(p, IKEV2_TRANSFORM_DH, IKEV2_DH_NONE, 0);
	return has(p, IKEV2_TRANSFORM_DH, c->dh, 0);
}

bool ike_proposal_match(const struct conf_proposal *conf, size_t n_conf,
			const struct ike_sa_payload *offer, uint8_t protocol, bool ignore_dh,
			struct conf_proposal *chosen, const struct ike_proposal **which)
{
	for (size_t i = 0; i < n_conf; i++)
		for (size_t j = 0; j < offer->n; j++)
			if (proposal_fits(&conf[i], &offer->p[j], protocol, ignore_dh)) {
				*chosen = conf[i];
				if (ignore_dh && protocol == IKEV2_PROTO_ESP)
					chosen->dh = IKEV2_DH_NONE;
				*which = &offer->p[j];
				return true;
			}
	return false;
}

bool ike_proposal_accept_reply(const struct conf_proposal *conf, size_t n_conf,
			       const struct ike_sa_payload *reply, uint8_t protocol, bool ignore_dh,
			       struct conf_proposal *chosen, const struct ike_proposal **which)
{
	/* §2.7: the response carries exactly one proposal, one of ours */
	if (reply->n != 1)
		return false;
	return ike_proposal_match(conf, n_conf, reply, protocol, ignore_dh, chosen, which);
}

int ike_ts_to_ranges(const struct ike_ts_payload *ts, struct lg_range *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < ts->n && n < max; i++)
		out[n++] = ts->ts[i].range;
	return (int)n;
}

static int narrow_one(struct ike *ike, const struct lg_prefix *conf, size_t n_conf,
		      const struct ike_payload *pl, struct lg_prefix *out, size_t *n_out)
{
	struct ike_ts_payload ts;
	struct lg_range ranges[IKE_MAX_TS];
	struct policy_verdict v;

	if (!pl || ike_decode_ts(pl, &ts) < 0)
		return IKEV2_NOTIFY_INVALID_SYNTAX;
	int n = ike_ts_to_ranges(&ts, ranges, IKE_MAX_TS);
	v = policy_narrow_selectors(ike->cfg, conf, n_conf, ranges, (size_t)n, out, ESP_MAX_TS,
				    n_out);
	if (!policy_allowed(&v) || *n_out == 0)
		return IKEV2_NOTIFY_TS_UNACCEPTABLE;
	if (*n_out > ESP_MAX_TS)
		*n_out = ESP_MAX_TS;
	return 0;
}

/* A hub's branches share a template's pool: a branch (valid key, own
 * identity) must not take another branch's subnet, nor a part of it that the
 * datapath's longest match would prefer. Refused whatever the configuration
 * binds; summarised (it may retry at will) under the refused peer's name and
 * authenticated identity, with the selector it claimed and whose it is. */
static int refuse_claimed(struct ike *ike, const struct conf_peer *peer, const char *identity,
			  const struct child_sa *c)
{
	static struct lg_ratelimit rl = LG_RATELIMIT_INIT(10000, 20);
	char a[LG_ADDRSTRLEN], b[LG_ADDRSTRLEN];
	const struct ts_claim *other = NULL;
	size_t i;

	for (i = 0; !other && i < c->n_remote_ts; i++)
		other = ts_claims_conflict(&ike->claims, peer->name, &c->remote_ts[i]);
	if (!other)
		return 0;
	lg_prefix_format(&c->remote_ts[i - 1], a, sizeof(a));
	lg_prefix_format(&other->p, b, sizeof(b));
	lg_log_ratelimited(&rl, LOG_WARNING, "event=child_ts_refused peer=%s remote_ts=%s "
			   "reason=selectors_claimed owner=%s claimed=%s", peer->name, a, other->owner, b);
	audit_summarize_peer(AUDIT_COMPLIANCE_REFUSED, "selectors_claimed",
			     peer->uplink >= 0 && (size_t)peer->uplink < ike->cfg->n_uplinks ?
			     ike->cfg->uplinks[peer->uplink].name : NULL, peer->name, identity,
			     lg_wall_ms(), "claimed", a, "owner", other->owner, "owner_selector", b,
			     NULL);
	return IKEV2_NOTIFY_TS_UNACCEPTABLE;
}

int ike_narrow_ts(struct ike *ike, const struct conf_peer *peer, const char *identity,
		  bool we_initiator, const struct ike_payload_list *pl, struct child_sa *c)
{
	const struct ike_payload *tsi = ike_payload_find(pl, IKEV2_PAYLOAD_TSi);
	const struct ike_payload *tsr = ike_payload_find(pl, IKEV2_PAYLOAD_TSr);
	/* TSi is the exchange initiator's side */
	const struct ike_payload *local = we_initiator ? tsi : tsr;
	const struct ike_payload *remote = we_initiator ? tsr : tsi;
	int r;

	r = narrow_one(ike, peer->local_ts, peer->n_local_ts, local, c->local_ts, &c->n_local_ts);
	if (r)
		return r;
	r = narrow_one(ike, peer->remote_ts, peer->n_remote_ts, remote, c->remote_ts,
		       &c->n_remote_ts);
	return r ? r : refuse_claimed(ike, peer, identity, c);
}

/* One site with one IKE peer, built in memory the way the unit suites' mock
 * bed, the fuzz targets and the bench swarm all need it: so a new field of
 * struct conf_peer gets its test default in one place. Header-only and
 * without Check, because the fuzzers and the swarm link no test runner. */
#pragma once
#include <stdio.h>
#include <string.h>
#include "linegate/conf.h"
#include "linegate/ikev2.h"

/* What every test peer offers unless the test says otherwise: ChaCha20-
 * Poly1305 with PRF-SHA256 and X25519 (RFC 7634, RFC 8031). */
static const struct conf_proposal FIXTURE_IKE_CHACHA = { IKEV2_ENCR_CHACHA20_POLY1305, 0,
							 IKEV2_PRF_HMAC_SHA2_256, IKEV2_DH_CURVE25519, 0 };
static const struct conf_proposal FIXTURE_ESP_CHACHA = { IKEV2_ENCR_CHACHA20_POLY1305, 0, 0, 0, 0 };

/* The few values that differ between fixtures; a NULL string leaves the
 * field empty (zero). */
struct ike_fixture {
	const char *site;              /* site name */
	const char *domain;            /* the site's identity domain */
	const char *uplink_if;         /* the one uplink's interface */
	const char *peer;              /* the peer's name */
	const char *endpoint;          /* its address, port 500 unless given */
	const char *local_id, *remote_id;   /* FQDN identities */
	const char *local_ts, *remote_ts;   /* one prefix each */
	const char *psk_file;
	enum conf_role role;
};

static inline void ike_fixture_id(struct conf_identity *id, const char *fqdn)
{
	memset(id, 0, sizeof(*id));
	id->type = CONF_ID_FQDN;
	if (!fqdn)
		return;
	id->len = (uint8_t)strnlen(fqdn, sizeof(id->data));
	memcpy(id->data, fqdn, id->len);
}

#define FIXTURE_SET(dst, s) snprintf((dst), sizeof(dst), "%s", (s) ? (s) : "")

/* Fills c (zeroed first: release an old one before) with a CN site whose
 * internal space is 10.0.0.0/8, one uplink "internet" and one PSK peer with
 * the defaults above. Returns the peer, NULL if it cannot be added or a
 * given address or prefix does not parse. */
static inline struct conf_peer *ike_fixture_config(struct config *c, const struct ike_fixture *f)
{
	struct conf_peer *p;

	memset(c, 0, sizeof(*c));
	if (!(p = config_add_peer(c)))
		return NULL;
	FIXTURE_SET(c->site.name, f->site);
	FIXTURE_SET(c->site.region, "CN");
	FIXTURE_SET(c->site.identity_domain, f->domain);
	c->site.n_internal = 1;
	c->n_uplinks = 1;
	FIXTURE_SET(c->uplinks[0].name, "internet");
	FIXTURE_SET(c->uplinks[0].ifname, f->uplink_if);
	FIXTURE_SET(p->name, f->peer);
	FIXTURE_SET(p->region, "CN");
	FIXTURE_SET(p->psk_file, f->psk_file);
	p->uplink = 0;
	ike_fixture_id(&p->local_id, f->local_id);
	ike_fixture_id(&p->remote_id, f->remote_id);
	p->auth = CONF_AUTH_PSK;
	p->n_local_ts = p->n_remote_ts = 1;
	p->ike_proposals[0] = FIXTURE_IKE_CHACHA;
	p->n_ike_proposals = 1;
	p->esp_proposals[0] = FIXTURE_ESP_CHACHA;
	p->n_esp_proposals = 1;
	p->ike_lifetime_s = 4 * 3600;
	p->child_lifetime_s = 3600;
	p->dpd_s = 30;
	p->retry_min_s = 1;
	p->retry_max_s = 30;
	p->natt_port = 4500;
	p->role = f->role;
	if (lg_prefix_parse("10.0.0.0/8", &c->site.internal[0]) != 0 ||
	    (f->endpoint && lg_sockaddr_parse(f->endpoint, 500, &p->endpoint) != 0) ||
	    (f->local_ts && lg_prefix_parse(f->local_ts, &p->local_ts[0]) != 0) ||
	    (f->remote_ts && lg_prefix_parse(f->remote_ts, &p->remote_ts[0]) != 0))
		return NULL;
	return p;
}

#undef FIXTURE_SET

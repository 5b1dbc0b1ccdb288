/* Hand-keyed CHILD SAs for the lab (config "lab-only yes" + static-sa
 * blocks): the datapath can be tested and benchmarked apart from IKE. They
 * have no key exchange, no rekeying and no forward secrecy, so every one is
 * audited and logged loudly. They pass the same guardrails as IKE peers, at
 * load (policy_check_config) and here at run time before and while they
 * carry traffic (policy_check_static_sa_runtime): no fallback path around
 * the law table. Their keys leave the config as soon as the daemon takes
 * them (daemon_lab_take_keys): from then on the only copy is in guarded
 * sodium memory, readable only while an SA is being installed from it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "linegate/audit.h"
#include "linegate/datapath.h"
#include "linegate/log.h"
#include "daemon.h"

struct daemon_lab_key {
	uint8_t in[CONF_SA_KEY_MAX], out[CONF_SA_KEY_MAX];   /* as written */
};

int daemon_lab_take_keys(struct daemon *d, struct config *cfg)
{
	size_t n = cfg->n_static_sas ? cfg->n_static_sas : 1;

	daemon_lab_free_keys(d);
	d->lab_keys = sodium_allocarray(n, sizeof(*d->lab_keys));
	if (!d->lab_keys) {
		conf_wipe_keys(cfg);
		return -ENOMEM;
	}
	d->n_lab_keys = cfg->n_static_sas;
	sodium_memzero(d->lab_keys, n * sizeof(*d->lab_keys));
	for (size_t i = 0; i < cfg->n_static_sas; i++) {
		memcpy(d->lab_keys[i].in, cfg->static_sas[i].key_in, sizeof(d->lab_keys[i].in));
		memcpy(d->lab_keys[i].out, cfg->static_sas[i].key_out, sizeof(d->lab_keys[i].out));
	}
	conf_wipe_keys(cfg);
	sodium_mprotect_noaccess(d->lab_keys);
	return 0;
}

/* Same keys as the ones taken (constant time); cfg's are still in it. */
static bool lab_keys_equal(struct daemon *d, const struct config *cfg)
{
	bool same = true;
	if (!d->lab_keys || d->n_lab_keys != cfg->n_static_sas)
		return cfg->n_static_sas == 0;
	sodium_mprotect_readonly(d->lab_keys);
	for (size_t i = 0; i < cfg->n_static_sas; i++)
		same &= sodium_memcmp(d->lab_keys[i].in, cfg->static_sas[i].key_in,
				      CONF_SA_KEY_MAX) == 0 &&
			sodium_memcmp(d->lab_keys[i].out, cfg->static_sas[i].key_out,
				      CONF_SA_KEY_MAX) == 0;
	sodium_mprotect_noaccess(d->lab_keys);
	return same;
}

bool daemon_lab_changed(struct daemon *d, const struct config *a, const struct config *b)
{
	if (a->lab_only != b->lab_only || a->n_static_sas != b->n_static_sas)
		return true;
	for (size_t i = 0; i < a->n_static_sas; i++)
		if (!conf_static_sa_equal(&a->static_sas[i], &b->static_sas[i]))
			return true;
	return !lab_keys_equal(d, b);
}

void daemon_lab_free_state(struct daemon *d)
{
	daemon_lab_free_keys(d);
	free(d->lab_installed);
	free(d->lab_refused);
	d->lab_installed = NULL;
	d->lab_refused = NULL;
}

void daemon_lab_free_keys(struct daemon *d)
{
	sodium_free(d->lab_keys);   /* wipes */
	d->lab_keys = NULL;
	d->n_lab_keys = 0;
}

static void lab_params(const struct daemon *d, const struct conf_static_sa *s, size_t idx,
		       struct esp_child_params *p)
{
	memset(p, 0, sizeof(*p));
	p->child_id = DAEMON_LAB_CHILD_BASE + (uint32_t)idx;
	p->cipher = (enum esp_cipher)s->encr;
	p->cipher_keybits = s->encr_keybits;
	p->integ = s->integ;
	p->spi_in = s->spi_in;
	p->spi_out = s->spi_out;
	sodium_mprotect_readonly(d->lab_keys);
	if (s->encr == IKEV2_ENCR_AES_CBC) {
		/* AES key || HMAC key, lengths checked at load (conf/block_misc.c) */
		size_t ek = s->encr_keybits / 8, ak = sizeof(p->integ_in);
		memcpy(p->key_in, d->lab_keys[idx].in, ek);
		memcpy(p->integ_in, d->lab_keys[idx].in + ek, ak);
		memcpy(p->key_out, d->lab_keys[idx].out, ek);
		memcpy(p->integ_out, d->lab_keys[idx].out + ek, ak);
	} else {
		memcpy(p->key_in, d->lab_keys[idx].in, 32);
		memcpy(p->salt_in, d->lab_keys[idx].in + 32, 4);
		memcpy(p->key_out, d->lab_keys[idx].out, 32);
		memcpy(p->salt_out, d->lab_keys[idx].out + 32, 4);
	}
	sodium_mprotect_noaccess(d->lab_keys);
	/* Both ends are linegate: 64-bit sequence numbers, never a wrap. */
	p->esn = true;
	for (size_t i = 0; i < s->n_local_ts && i < ESP_MAX_TS; i++)
		p->local_ts[p->n_local_ts++] = s->local_ts[i];
	for (size_t i = 0; i < s->n_remote_ts && i < ESP_MAX_TS; i++)
		p->remote_ts[p->n_remote_ts++] = s->remote_ts[i];
	p->peer = s->peer;
	p->uplink = s->uplink;
	snprintf(p->owner, sizeof(p->owner), "%s", s->name);
}

/* The run-time verdict with the facts of the moment; a new refusal (not the
 * one already audited for this SA) is audited with its reason code. */
static bool lab_allowed(struct daemon *d, const struct config *cfg, const struct regiondb *db, size_t i)
{
	const struct conf_static_sa *s = &cfg->static_sas[i];
	struct policy_link_facts f = { .uplink_up = datapath_uplink_up(d->dp, s->uplink) };
	struct conf_peer view;
	struct policy_region r;
	char ep[LG_ADDRSTRLEN];

	/* the route lookup only where the verdict depends on it (cross-border) */
	policy_static_sa_view(s, &view);
	policy_peer_region(cfg, &view, db, &r);
	if (r.cross_border && datapath_route_egress(d->dp, &s->peer, f.egress_ifname, &f.egress_source) != 0)
		f.egress_ifname[0] = '\0';
	struct policy_verdict v = policy_check_static_sa_runtime(cfg, s, db, &f);
	if (policy_allowed(&v)) {
		d->lab_refused[i] = POLICY_OK;
		return true;
	}
	if (d->lab_refused[i] != v.reason) {
		lg_sockaddr_format(&s->peer, ep, sizeof(ep));
		audit_emit(AUDIT_COMPLIANCE_REFUSED, AUDIT_FAILURE, "linegated", s->name,
			   "reason", policy_reason_name(v.reason), "message", v.message,
			   "endpoint", ep, "uplink_up", f.uplink_up ? "yes" : "no",
			   "egress", f.egress_ifname, NULL);
		lg_log(LOG_ERR, "event=compliance_refused static_sa=%s reason=%s detail=\"%s\"", s->name,
		       policy_reason_name(v.reason), v.message);
	}
	d->lab_refused[i] = v.reason;
	return false;
}

/* The SA alone: the routes of its remote subnets stay into the tunnel device
 * while the SA is refused, so that traffic is dropped and counted (no_sa),
 * never sent in the clear by another route. */
static int lab_install_one(struct daemon *d, const struct config *cfg, size_t i)
{
	const struct conf_static_sa *s = &cfg->static_sas[i];
	struct esp_child_params p;
	char spi_in[9], spi_out[9], peer[LG_ADDRSTRLEN];

	if (!d->lab_keys)
		return -ENOKEY;
	lab_params(d, s, i, &p);
	int rc = esp_table_install(d->esp, &p);
	sodium_memzero(&p, sizeof(p));
	d->lab_installed[i] = rc == 0;
	snprintf(spi_in, sizeof(spi_in), "%08x", s->spi_in);
	snprintf(spi_out, sizeof(spi_out), "%08x", s->spi_out);
	lg_sockaddr_format(&s->peer, peer, sizeof(peer));
	audit_emit(AUDIT_LAB_STATIC_SA, rc ? AUDIT_FAILURE : AUDIT_SUCCESS, "linegated", s->name,
		   "spi_in", spi_in, "spi_out", spi_out, "peer", peer,
		   "warning", "hand-keyed SA without key exchange: lab only", NULL);
	lg_log(rc ? LOG_ERR : LOG_WARNING,
	       "event=lab_static_sa name=%s spi_in=%s spi_out=%s peer=%s result=%s "
	       "warning=\"LAB ONLY: hand-keyed SA, no key exchange, no rekey, no forward secrecy\"",
	       s->name, spi_in, spi_out, peer, rc ? "failed" : "installed");
	return rc;
}

static void lab_remove_one(struct daemon *d, size_t i)
{
	if (d->lab_installed[i])
		esp_table_remove(d->esp, DAEMON_LAB_CHILD_BASE + (uint32_t)i);
	d->lab_installed[i] = false;
}

int daemon_lab_install(struct daemon *d, struct config *cfg, const struct regiondb *db)
{
	int rc = daemon_lab_take_keys(d, cfg);
	size_t n = cfg->n_static_sas ? cfg->n_static_sas : 1;

	free(d->lab_installed);
	free(d->lab_refused);
	d->lab_installed = calloc(n, sizeof(*d->lab_installed));
	d->lab_refused = calloc(n, sizeof(*d->lab_refused));   /* POLICY_OK */
	if (!d->lab_installed || !d->lab_refused)
		rc = -ENOMEM;
	/* load-time guardrails passed (the config was refused otherwise) */
	for (size_t i = 0; i < cfg->n_static_sas && rc == 0; i++) {
		const struct conf_static_sa *s = &cfg->static_sas[i];
		for (size_t j = 0; rc == 0 && j < s->n_remote_ts; j++)
			rc = datapath_route_add(d->dp, &s->remote_ts[j]);
		if (rc == 0 && lab_allowed(d, cfg, db, i))   /* refused: held down, rechecked */
			rc = lab_install_one(d, cfg, i);
	}
	return rc;
}

void daemon_lab_remove(struct daemon *d, const struct config *cfg)
{
	for (size_t i = 0; i < cfg->n_static_sas; i++) {
		const struct conf_static_sa *s = &cfg->static_sas[i];
		for (size_t j = 0; j < s->n_remote_ts; j++)
			datapath_route_del(d->dp, &s->remote_ts[j]);
		lab_remove_one(d, i);
	}
}

void daemon_lab_recheck(struct daemon *d)
{
	const struct config *cfg = d->cfg;
	if (!cfg->lab_only || !d->dp || !d->esp)
		return;
	for (size_t i = 0; i < cfg->n_static_sas; i++) {
		bool ok = lab_allowed(d, cfg, d->db, i);
		if (!ok && d->lab_installed[i]) {
			lab_remove_one(d, i);
			lg_log(LOG_WARNING, "event=lab_static_sa name=%s result=removed reason=%s",
			       cfg->static_sas[i].name, policy_reason_name(d->lab_refused[i]));
		} else if (ok && !d->lab_installed[i]) {
			lab_install_one(d, cfg, i);
		}
	}
}

/* The peer block: one remote gateway, its identities, credentials (key file
 * paths only, the secrets stay on disk), selectors, proposals and timers. */
#include <stdio.h>
#include <string.h>
#include "linegate/hash.h"
#include "linegate/ikev2.h"
#include "parser.h"

#define PEER(obj) ((struct conf_peer *)(obj))

static struct peer_extra *extra(struct parser *p, void *obj)
{
	if (obj == &p->defaults)
		return &p->defaults_x;
	return &p->peer_x[PEER(obj) - p->cfg->peers];
}

static void peer_init(struct conf_peer *peer)
{
	peer->uplink = -1;
	peer->ike_lifetime_s = 4 * 3600;
	peer->child_lifetime_s = 3600;
	peer->dpd_s = 30;
	peer->retry_min_s = 1;
	peer->retry_max_s = 30;
	peer->natt_port = 4500;
	peer->fragmentation = true;
	peer->fragment_size = 1280;
	peer->role = CONF_ROLE_BOTH;
}

static void *peer_open(struct parser *p, const struct value *name)
{
	struct config *cfg = p->cfg;
	char n[CONF_NAME_MAX];
	if (conf_val_name(p, name, n, sizeof(n)))
		return NULL;
	const struct conf_peer *prev = config_find_peer(cfg, n);
	if (prev) {
		char w[128];
		conf_error(p, name->line, name->col, "duplicate peer '%s' (first defined at %s)",
			   n, conf_where(p, prev->line, w, sizeof(w)));
		return NULL;
	}
	struct conf_peer *peer = config_add_peer(cfg);
	if (!peer || lg_grow((void **)&p->peer_x, &p->cap_peer_x, cfg->n_peers,
			     sizeof(*p->peer_x))) {
		conf_error(p, name->line, name->col, "out of memory for peer '%s'", n);
		if (peer)
			cfg->n_peers--;
		return NULL;
	}
	memset(&p->peer_x[cfg->n_peers - 1], 0, sizeof(*p->peer_x));
	if (p->have_defaults) {
		*peer = p->defaults;
		p->peer_x[peer - cfg->peers] = p->defaults_x;
	} else {
		peer_init(peer);
	}
	memcpy(peer->name, n, sizeof(n));
	config_index_peer(cfg, peer);   /* on -ENOMEM lookups fall back to a scan */
	peer->line = p->blk_pos.line;
	peer->at = (struct conf_at){ name->line, name->col };
	return peer;
}

static int peer_endpoint(struct parser *p, void *obj, const struct value *v, size_t n)
{
	(void)n;
	PEER(obj)->endpoint_at = (struct conf_at){ v->line, v->col };
	if (!strcmp(v->text, "%any")) {   /* strongSwan's word for any address */
		PEER(obj)->is_template = true;
		memset(&PEER(obj)->endpoint, 0, sizeof(PEER(obj)->endpoint));
		return 0;
	}
	if (conf_val_endpoint(p, v, 500, &PEER(obj)->endpoint))
		return -1;
	extra(p, obj)->endpoint = (struct conf_pos){ v->line, v->col };
	return 0;
}

static int peer_region(struct parser *p, void *obj, const struct value *v, size_t n)
{
	(void)n;
	PEER(obj)->region_at = (struct conf_at){ v->line, v->col };
	return conf_val_region(p, v, PEER(obj)->region);
}

/* Resolved after the whole file is read: uplinks may be defined later. */
static int peer_uplink(struct parser *p, void *obj, const struct value *v, size_t n)
{
	struct uplink_ref *ref = &extra(p, obj)->uplink;
	(void)n;
	if (conf_val_name(p, v, ref->name, sizeof(ref->name)))
		return -1;
	ref->pos = (struct conf_pos){ v->line, v->col };
	PEER(obj)->uplink_at = (struct conf_at){ v->line, v->col };
	return 0;
}

static int peer_local_id(struct parser *p, void *obj, const struct value *v, size_t n)
{
	(void)n;
	return conf_val_identity(p, v, &PEER(obj)->local_id);
}

static int peer_remote_id(struct parser *p, void *obj, const struct value *v, size_t n)
{
	(void)n;
	PEER(obj)->remote_id_at = (struct conf_at){ v->line, v->col };
	return conf_val_identity_pattern(p, v, &PEER(obj)->remote_id);
}

static int peer_auth(struct parser *p, void *obj, const struct value *v, size_t n)
{
	static const char *const words[] = { "psk", "ed25519", "certificate", NULL };
	static const enum conf_auth_method methods[] = { CONF_AUTH_PSK, CONF_AUTH_ED25519,
							 CONF_AUTH_CERTIFICATE };
	int i;
	(void)n;
	if (conf_val_choice(p, v, words, &i))
		return -1;
	PEER(obj)->auth = methods[i];
	return 0;
}

static int key_file(struct parser *p, void *obj, const struct value *v, int which, char *out)
{
	if (conf_val_path(p, v, out, CONF_PATH_MAX))
		return -1;
	extra(p, obj)->key_file[which] = (struct conf_pos){ v->line, v->col };
	return 0;
}

static int peer_psk_file(struct parser *p, void *obj, const struct value *v, size_t n)
{
	(void)n;
	return key_file(p, obj, v, 0, PEER(obj)->psk_file);
}

static int peer_private_key(struct parser *p, void *obj, const struct value *v, size_t n)
{
	(void)n;
	PEER(obj)->private_key_at = (struct conf_at){ v->line, v->col };
	return key_file(p, obj, v, 1, PEER(obj)->private_key_file);
}

static int peer_public_key(struct parser *p, void *obj, const struct value *v, size_t n)
{
	(void)n;
	return key_file(p, obj, v, 2, PEER(obj)->peer_public_key_file);
}

static int peer_key_dir(struct parser *p, void *obj, const struct value *v, size_t n)
{
	(void)n;
	PEER(obj)->key_dir_at = (struct conf_at){ v->line, v->col };
	return conf_val_path(p, v, PEER(obj)->key_dir, CONF_PATH_MAX);
}

static int peer_certificate(struct parser *p, void *obj, const struct value *v, size_t n)
{
	(void)n;
	PEER(obj)->certificate_at = (struct conf_at){ v->line, v->col };
	return key_file(p, obj, v, 3, PEER(obj)->certificate_file);
}

static int peer_ca_dir(struct parser *p, void *obj, const struct value *v, size_t n)
{
	(void)n;
	PEER(obj)->ca_dir_at = (struct conf_at){ v->line, v->col };
	return key_file(p, obj, v, 4, PEER(obj)->ca_dir);
}

static int peer_crl_dir(struct parser *p, void *obj, const struct value *v, size_t n)
{
	(void)n;
	PEER(obj)->crl_dir_at = (struct conf_at){ v->line, v->col };
	return key_file(p, obj, v, 5, PEER(obj)->crl_dir);
}

static int peer_local_ts(struct parser *p, void *obj, const struct value *v, size_t n)
{
	struct conf_peer *peer = obj;
	struct conf_pos pos[CONF_MAX_TS];
	int rc = conf_val_prefixes(p, v, n, peer->local_ts, &peer->n_local_ts, pos);
	for (size_t i = 0; i < peer->n_local_ts && i < CONF_MAX_TS; i++)
		peer->local_ts_at[i] = (struct conf_at){ pos[i].line, pos[i].col };
	return rc;
}

static int peer_remote_ts(struct parser *p, void *obj, const struct value *v, size_t n)
{
	struct conf_peer *peer = obj;
	struct conf_pos *pos = extra(p, obj)->remote_ts;
	int rc = conf_val_prefixes(p, v, n, peer->remote_ts, &peer->n_remote_ts, pos);
	for (size_t i = 0; i < peer->n_remote_ts && i < CONF_MAX_TS; i++)
		peer->remote_ts_at[i] = (struct conf_at){ pos[i].line, pos[i].col };
	return rc;
}

static int proposals(struct parser *p, const struct value *v, size_t n, bool ike,
		     struct conf_proposal *out, size_t *n_out)
{
	int rc = 0;
	*n_out = 0;
	for (size_t i = 0; i < n; i++) {
		if (conf_val_proposal(p, &v[i], ike, &out[*n_out]))
			rc = -1;
		else
			(*n_out)++;
	}
	return rc;
}

static int peer_ike_proposals(struct parser *p, void *obj, const struct value *v, size_t n)
{
	return proposals(p, v, n, true, PEER(obj)->ike_proposals, &PEER(obj)->n_ike_proposals);
}

static int peer_esp_proposals(struct parser *p, void *obj, const struct value *v, size_t n)
{
	return proposals(p, v, n, false, PEER(obj)->esp_proposals, &PEER(obj)->n_esp_proposals);
}

/* Under 10 s a rekey could not finish before the next one under loss (tests
 * use short lifetimes to exercise rekeying); above 30 days keys outlive any
 * sane rotation policy. */
static int lifetime(struct parser *p, const struct value *v, uint32_t *out)
{
	uint32_t s;
	if (conf_val_duration(p, v, &s))
		return -1;
	if (s < 10 || s > 30 * 86400) {
		conf_error(p, v->line, v->col, "lifetime '%.32s' out of range: expected 10s to 30d",
			   v->text);
		return -1;
	}
	*out = s;
	return 0;
}

static int peer_ike_lifetime(struct parser *p, void *obj, const struct value *v, size_t n)
{
	(void)n;
	return lifetime(p, v, &PEER(obj)->ike_lifetime_s);
}

static int peer_child_lifetime(struct parser *p, void *obj, const struct value *v, size_t n)
{
	(void)n;
	return lifetime(p, v, &PEER(obj)->child_lifetime_s);
}

static int peer_child_bytes(struct parser *p, void *obj, const struct value *v, size_t n)
{
	(void)n;
	return conf_val_size(p, v, &PEER(obj)->child_lifetime_bytes);
}

static int peer_child_packets(struct parser *p, void *obj, const struct value *v, size_t n)
{
	(void)n;
	return conf_val_size(p, v, &PEER(obj)->child_lifetime_packets);
}

static int peer_dpd(struct parser *p, void *obj, const struct value *v, size_t n)
{
	uint32_t s;
	(void)n;
	if (conf_val_duration(p, v, &s))
		return -1;
	if (s > 3600) {
		conf_error(p, v->line, v->col, "dpd '%.32s' out of range: expected 0 (off) to 1h",
			   v->text);
		return -1;
	}
	PEER(obj)->dpd_s = s;
	return 0;
}

static int peer_action(struct parser *p, const struct value *v, enum conf_action *out)
{
	static const char *const words[] = { "restart", "clear", NULL };
	int i;
	if (conf_val_choice(p, v, words, &i))
		return -1;
	*out = i ? CONF_ACTION_CLEAR : CONF_ACTION_RESTART;
	return 0;
}

static int peer_dpd_action(struct parser *p, void *obj, const struct value *v, size_t n)
{
	(void)n;
	return peer_action(p, v, &PEER(obj)->dpd_action);
}

static int peer_close_action(struct parser *p, void *obj, const struct value *v, size_t n)
{
	(void)n;
	return peer_action(p, v, &PEER(obj)->close_action);
}

/* The retry schedule's bounds: at least a second (no hammering), at most a
 * day (a peer is never given up). */
static int retry_bound(struct parser *p, void *obj, const struct value *v, int which,
		       uint32_t *out)
{
	const char *key = which ? "retry-max" : "retry-min";
	uint32_t s;
	extra(p, obj)->retry[which] = (struct conf_pos){ v->line, v->col };
	if (conf_val_duration(p, v, &s))
		return -1;
	if (s < 1 || s > 86400) {
		conf_error(p, v->line, v->col, "%s '%.32s' out of range: expected 1s to 1d", key,
			   v->text);
		return -1;
	}
	*out = s;
	return 0;
}

static int peer_retry_min(struct parser *p, void *obj, const struct value *v, size_t n)
{
	(void)n;
	return retry_bound(p, obj, v, 0, &PEER(obj)->retry_min_s);
}

static int peer_retry_max(struct parser *p, void *obj, const struct value *v, size_t n)
{
	(void)n;
	return retry_bound(p, obj, v, 1, &PEER(obj)->retry_max_s);
}

static int peer_natt_port(struct parser *p, void *obj, const struct value *v, size_t n)
{
	uint64_t x;
	(void)n;
	if (conf_val_uint(p, v, 1, 65535, &x))
		return -1;
	PEER(obj)->natt_port = (uint16_t)x;
	return 0;
}

static int peer_fragmentation(struct parser *p, void *obj, const struct value *v, size_t n)
{
	(void)n;
	return conf_val_bool(p, v, &PEER(obj)->fragmentation);
}

/* RFC 7383 §2.5.1: 1280 is the IPv6 minimum MTU, what strongSwan assumes for
 * both families; 576 is the IPv4 minimum. Below 256 a fragment would carry
 * too little to fit a message in IKE_FRAG_MAX fragments. */
static int peer_fragment_size(struct parser *p, void *obj, const struct value *v, size_t n)
{
	uint64_t x;
	(void)n;
	if (conf_val_uint(p, v, 256, 65535, &x))
		return -1;
	PEER(obj)->fragment_size = (uint16_t)x;
	return 0;
}

static int peer_mode(struct parser *p, void *obj, const struct value *v, size_t n)
{
	static const char *const words[] = { "both", "initiator", "responder", NULL };
	static const enum conf_role roles[] = { CONF_ROLE_BOTH, CONF_ROLE_INITIATOR,
						CONF_ROLE_RESPONDER };
	int i;
	(void)n;
	if (conf_val_choice(p, v, words, &i))
		return -1;
	extra(p, obj)->mode = (struct conf_pos){ v->line, v->col };
	PEER(obj)->role = roles[i];
	return 0;
}

static const struct key_def peer_keys[] = {
	{ "endpoint", 1, 1, true, peer_endpoint },
	{ "region", 1, 1, true, peer_region },
	{ "uplink", 1, 1, true, peer_uplink },
	{ "local-id", 1, 1, true, peer_local_id },
	{ "remote-id", 1, 1, true, peer_remote_id },
	{ "auth", 1, 1, true, peer_auth },
	{ "psk-file", 1, 1, false, peer_psk_file },
	{ "private-key", 1, 1, false, peer_private_key },
	{ "peer-public-key", 1, 1, false, peer_public_key },
	{ "key-dir", 1, 1, false, peer_key_dir },
	{ "certificate", 1, 1, false, peer_certificate },
	{ "ca-dir", 1, 1, false, peer_ca_dir },
	{ "crl-dir", 1, 1, false, peer_crl_dir },
	{ "local-subnets", 1, CONF_MAX_TS, true, peer_local_ts },
	{ "remote-subnets", 1, CONF_MAX_TS, true, peer_remote_ts },
	{ "ike-proposals", 1, CONF_MAX_PROPOSALS, false, peer_ike_proposals },
	{ "esp-proposals", 1, CONF_MAX_PROPOSALS, false, peer_esp_proposals },
	{ "ike-lifetime", 1, 1, false, peer_ike_lifetime },
	{ "child-lifetime", 1, 1, false, peer_child_lifetime },
	{ "child-lifetime-bytes", 1, 1, false, peer_child_bytes },
	{ "child-lifetime-packets", 1, 1, false, peer_child_packets },
	{ "dpd", 1, 1, false, peer_dpd },
	{ "dpd-action", 1, 1, false, peer_dpd_action },
	{ "close-action", 1, 1, false, peer_close_action },
	{ "retry-min", 1, 1, false, peer_retry_min },
	{ "retry-max", 1, 1, false, peer_retry_max },
	{ "natt-port", 1, 1, false, peer_natt_port },
	{ "fragmentation", 1, 1, false, peer_fragmentation },
	{ "fragment-size", 1, 1, false, peer_fragment_size },
	{ "mode", 1, 1, false, peer_mode },
	{ NULL, 0, 0, false, NULL },
};

/* Keys that belong to the other authentication method are mistakes: the
 * admin believes a secret is in use that is not. */
static void check_auth(struct parser *p, struct conf_peer *peer)
{
	static const char *const files[] = { "psk-file", "private-key", "peer-public-key",
					     "certificate", "ca-dir", "crl-dir" };
	/* per method: the keys it requires, the keys it may have */
	static const struct { const char *name; unsigned need, allow; } m[] = {
		[CONF_AUTH_PSK] = { "psk", 1u << 0, 1u << 0 },
		[CONF_AUTH_ED25519] = { "ed25519", 1u << 1 | 1u << 2, 1u << 1 | 1u << 2 },
		[CONF_AUTH_CERTIFICATE] = { "certificate", 1u << 1 | 1u << 3 | 1u << 4,
					    1u << 1 | 1u << 3 | 1u << 4 | 1u << 5 },
	};
	struct conf_pos pos[6], auth = parser_key_pos(p, "auth");
	for (size_t i = 0; i < 6; i++)
		pos[i] = parser_key_pos(p, files[i]);
	if (!peer->auth)
		return;
	if (peer->is_template && peer->auth == CONF_AUTH_CERTIFICATE) {
		/* its instances are per key-dir file; certificates are not yet */
		conf_error(p, auth.line, auth.col, "auth certificate does not apply to a template "
			   "peer (endpoint %%any)");
		return;
	}
	/* a template's peer secret is in key-dir, one file per identity */
	unsigned tmpl = peer->is_template ? ~(1u << 0 | 1u << 2) : ~0u;
	unsigned need = m[peer->auth].need & tmpl, allow = m[peer->auth].allow & tmpl;
	for (size_t i = 0; i < 6; i++) {
		if ((need >> i & 1) && !pos[i].line)
			conf_error(p, auth.line, auth.col, "auth %s requires '%s'",
				   m[peer->auth].name, files[i]);
		else if (!(allow >> i & 1) && pos[i].line)
			conf_error(p, pos[i].line, pos[i].col, "'%s' does not apply to auth %s",
				   files[i], m[peer->auth].name);
	}
}

/* Defaults follow RFC 8247's recommendations: AEAD only, Curve25519. */
static void default_proposals(struct conf_peer *peer)
{
	static const struct conf_proposal ike[] = {
		{ IKEV2_ENCR_CHACHA20_POLY1305, 0, IKEV2_PRF_HMAC_SHA2_256, IKEV2_DH_CURVE25519, 0 },
		{ IKEV2_ENCR_AES_GCM_16, 256, IKEV2_PRF_HMAC_SHA2_256, IKEV2_DH_CURVE25519, 0 },
	};
	static const struct conf_proposal esp[] = {
		{ IKEV2_ENCR_CHACHA20_POLY1305, 0, 0, 0, 0 },
		{ IKEV2_ENCR_AES_GCM_16, 256, 0, 0, 0 },
	};
	if (!peer->n_ike_proposals) {
		memcpy(peer->ike_proposals, ike, sizeof(ike));
		peer->n_ike_proposals = 2;
	}
	if (!peer->n_esp_proposals) {
		memcpy(peer->esp_proposals, esp, sizeof(esp));
		peer->n_esp_proposals = 2;
	}
}

static void check_retry(struct parser *p, struct conf_peer *peer)
{
	const struct peer_extra *x = extra(p, peer);
	struct conf_pos at = x->retry[1].line ? x->retry[1] : x->retry[0];
	if (peer->retry_max_s >= peer->retry_min_s)
		return;
	conf_error(p, at.line, at.col, "retry-max (%us) below retry-min (%us)", peer->retry_max_s,
		   peer->retry_min_s);
}

/* A template answers branches from wherever they connect: it cannot
 * initiate (no address), its identities are a pattern and its secrets a
 * directory. A fixed peer has neither. */
static void check_template(struct parser *p, struct conf_peer *peer)
{
	struct conf_pos dir = parser_key_pos(p, "key-dir");
	struct conf_pos mode = extra(p, peer)->mode;
	bool wild = peer->remote_id.type == CONF_ID_FQDN && peer->remote_id.len > 2 &&
		    !memcmp(peer->remote_id.data, "*.", 2);

	if (!peer->is_template) {
		if (dir.line)
			conf_error(p, dir.line, dir.col, "'key-dir' applies to a template peer only "
				   "(endpoint %%any)");
		if (wild)
			conf_error(p, peer->remote_id_at.line, peer->remote_id_at.col,
				   "a remote-id pattern applies to a template peer only (endpoint %%any)");
		return;
	}
	if (p->cfg->n_templates == CONF_MAX_TEMPLATES)
		conf_error(p, peer->endpoint_at.line, peer->endpoint_at.col, "more than %d template "
			   "peers: expected one per uplink and kind of branch", CONF_MAX_TEMPLATES);
	else
		p->cfg->templates[p->cfg->n_templates++] = (size_t)(peer - p->cfg->peers);
	if (!dir.line)
		conf_error(p, p->blk_pos.line, p->blk_pos.col, "template peer '%s' (endpoint %%any) "
			   "requires 'key-dir': one key file per branch identity", peer->name);
	if (peer->role == CONF_ROLE_INITIATOR)
		conf_error(p, mode.line, mode.col, "template peer '%s' has no address to initiate "
			   "to: expected mode responder", peer->name);
	peer->role = CONF_ROLE_RESPONDER;
	if (peer->remote_id.type != CONF_ID_FQDN)
		conf_error(p, peer->remote_id_at.line, peer->remote_id_at.col, "template peer '%s': "
			   "expected a host name or *.domain remote-id (key files are named by it)",
			   peer->name);
}

static void peer_close(struct parser *p, void *obj)
{
	check_template(p, obj);
	check_auth(p, obj);
	check_retry(p, obj);
	default_proposals(obj);
}

const struct block_def conf_block_peer = { "peer", true, true, peer_keys, peer_open, peer_close,
					  false };

/* `defaults { ... }`: what a hub's peers share (local-id, local-subnets,
 * uplink, proposals, timers, ...), written once before them. What names one
 * peer (its address, identity, subnets, secret) stays in the peer block. */
static void *defaults_open(struct parser *p, const struct value *name)
{
	(void)name;
	if (p->cfg->n_peers) {
		char w[128];
		conf_error(p, p->blk_pos.line, p->blk_pos.col, "defaults block after peer '%s' "
			   "(%s): expected it before the peers it applies to",
			   p->cfg->peers[0].name, conf_where(p, p->cfg->peers[0].line, w, sizeof(w)));
		return NULL;
	}
	memset(&p->defaults, 0, sizeof(p->defaults));
	memset(&p->defaults_x, 0, sizeof(p->defaults_x));
	peer_init(&p->defaults);
	return &p->defaults;
}

static void defaults_close(struct parser *p, void *obj)
{
	static const char *const own[] = { "endpoint", "remote-id", "remote-subnets", "psk-file",
					   "peer-public-key", "key-dir" };
	(void)obj;
	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++) {
		struct conf_pos at = parser_key_pos(p, own[i]);
		if (at.line)
			conf_error(p, at.line, at.col, "'%s' cannot be a default: it belongs in "
				   "each peer block", own[i]);
	}
	memcpy(p->defaults_key_pos, p->key_pos, sizeof(p->defaults_key_pos));
	p->have_defaults = true;
}

const struct block_def conf_block_defaults = { "defaults", false, false, peer_keys, defaults_open,
					       defaults_close, true };

/* CHILD SAs: KEYMAT (RFC 7296 §2.17), installation in the ESP datapath
 * through child_ops, routes for the remote selectors, removal and the audit
 * events of both. Make before break: a rekeyed child's routes stay while any
 * other child still carries the same prefix. */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "linegate/audit.h"
#include "ike_internal.h"
#include "linegate/log.h"
#include "linegate/secpool.h"

const char *ike_encr_name(uint16_t encr, uint16_t keybits)
{
	if (encr == IKEV2_ENCR_CHACHA20_POLY1305)
		return "chacha20poly1305";
	if (encr == IKEV2_ENCR_AES_GCM_16)
		return keybits == 128 ? "aes128gcm16" : keybits == 192 ? "aes192gcm16" : "aes256gcm16";
	if (encr == IKEV2_ENCR_AES_CBC)
		return keybits == 128 ? "aes128" : "aes256";
	return "unknown";
}

/* strongSwan's integrity names; "none" for an AEAD. */
const char *ike_integ_name(uint16_t integ)
{
	switch (integ) {
	case IKEV2_INTEG_HMAC_SHA2_256_128: return "sha256";
	case IKEV2_INTEG_HMAC_SHA2_384_192: return "sha384";
	case IKEV2_INTEG_HMAC_SHA2_512_256: return "sha512";
	default: return integ ? "unknown" : "none";
	}
}

const char *ike_prf_name(uint16_t prf)
{
	switch (prf) {
	case IKEV2_PRF_HMAC_SHA2_256: return "prfsha256";
	case IKEV2_PRF_HMAC_SHA2_384: return "prfsha384";
	case IKEV2_PRF_HMAC_SHA2_512: return "prfsha512";
	default: return "unknown";
	}
}

struct child_sa *child_sa_new(struct ike_sa *sa)
{
	struct child_sa *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->state = CHILD_SA_NEW;
	c->ike = sa->ike;
	c->spi_in = ike_random_esp_spi(sa->ike);
	if (lg_hash_add(&sa->ike->esp_spis, lg_hash_bytes(&c->spi_in, 4), c)) {
		free(c);
		return NULL;
	}
	if (++sa->ike->next_child_id == 0)
		sa->ike->next_child_id = 1;
	c->child_id = sa->ike->next_child_id;
	return c;
}

void child_sa_attach(struct ike_sa *sa, struct child_sa *c)
{
	c->next = sa->children;
	sa->children = c;
}

struct child_sa *child_sa_by_spi_in(struct ike_sa *sa, uint32_t spi_in)
{
	for (struct child_sa *c = sa->children; c; c = c->next)
		if (c->spi_in == spi_in)
			return c;
	return NULL;
}

struct child_sa *child_sa_by_spi_out(struct ike_sa *sa, uint32_t spi_out)
{
	for (struct child_sa *c = sa->children; c; c = c->next)
		if (c->spi_out == spi_out)
			return c;
	return NULL;
}

struct child_sa *child_sa_by_id(struct ike_sa *sa, uint32_t id)
{
	for (struct child_sa *c = sa->children; c; c = c->next)
		if (c->child_id == id)
			return c;
	return NULL;
}

size_t child_sa_count(const struct ike_sa *sa)
{
	size_t n = 0;

	for (const struct child_sa *c = sa->children; c; c = c->next)
		n++;
	return n;
}

static void format_ts(const struct lg_prefix *p, size_t n, char *out, size_t len)
{
	size_t off = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n && off < len; i++) {
		char buf[LG_ADDRSTRLEN];
		int w = snprintf(out + off, len - off, "%s%s", i ? "," : "",
				 lg_prefix_format(&p[i], buf, sizeof(buf)));
		if (w < 0)
			break;
		off += (size_t)w;
	}
}

void child_sa_set_lifetimes(struct ike_sa *sa, struct child_sa *c, uint64_t now)
{
	uint64_t life = (uint64_t)sa->peer->child_lifetime_s * 1000;

	c->installed_ms = now;
	if (!life) {
		c->rekey_ms = c->expire_ms = 0;
		return;
	}
	/* soft limit 85-95 % of the lifetime so both ends rarely collide (§2.8.1) */
	uint64_t jitter = life / 10 ? randombytes_uniform((uint32_t)(life / 10 > UINT32_MAX ?
								    UINT32_MAX : life / 10)) : 0;
	c->rekey_ms = now + life * 85 / 100 + jitter;
	c->expire_ms = now + life + life / 10;
	ike_sa_touch(sa);
}

/* ESP's outer destination: the peer's NAT-T port, or the port its NAT
 * really uses once we floated (RFC 3948 §2.2, RFC 7296 §2.23). */
static void child_peer(const struct ike_sa *sa, union lg_sockaddr *out)
{
	*out = sa->remote;
	lg_sockaddr_set_port(out, sa->peer->natt_port ? sa->peer->natt_port : IKEV2_NATT_PORT);
	if (sa->natt)
		lg_sockaddr_set_port(out, lg_sockaddr_port(&sa->remote));
}

static int build_params(struct ike_sa *sa, struct child_sa *c, bool we_initiated,
			const uint8_t *ki, const uint8_t *kr, struct esp_child_params *p)
{
	const uint8_t *kin = we_initiated ? kr : ki;
	const uint8_t *kout = we_initiated ? ki : kr;
	size_t ekey = ike_encr_key_len(c->encr, c->keybits), akey = ike_integ_key_len(c->integ);

	memset(p, 0, sizeof(*p));
	p->child_id = c->child_id;
	p->cipher = c->encr == IKEV2_ENCR_AES_GCM_16 ? ESP_CIPHER_AES256_GCM16 :
		    c->encr == IKEV2_ENCR_AES_CBC ? ESP_CIPHER_AES_CBC : ESP_CIPHER_CHACHA20_POLY1305;
	p->cipher_keybits = c->keybits;
	p->integ = c->integ;
	p->spi_in = c->spi_in;
	p->spi_out = c->spi_out;
	if (p->cipher == ESP_CIPHER_AES_CBC) {
		/* §2.17: per direction the encryption key, then the integrity key */
		memcpy(p->key_in, kin, ekey);
		memcpy(p->integ_in, kin + ekey, akey);
		memcpy(p->key_out, kout, ekey);
		memcpy(p->integ_out, kout + ekey, akey);
	} else {
		memcpy(p->key_in, kin, 32);
		memcpy(p->salt_in, kin + 32, 4);
		memcpy(p->key_out, kout, 32);
		memcpy(p->salt_out, kout + 32, 4);
	}
	memcpy(p->local_ts, c->local_ts, c->n_local_ts * sizeof(c->local_ts[0]));
	p->n_local_ts = c->n_local_ts;
	memcpy(p->remote_ts, c->remote_ts, c->n_remote_ts * sizeof(c->remote_ts[0]));
	p->n_remote_ts = c->n_remote_ts;
	child_peer(sa, &p->peer);
	p->uplink = sa->uplink;
	snprintf(p->owner, sizeof(p->owner), "%s", sa->peer->name);
	p->hard_bytes = sa->peer->child_lifetime_bytes;
	p->hard_packets = sa->peer->child_lifetime_packets;
	return 0;
}

static void audit_child(struct ike_sa *sa, struct child_sa *c, enum audit_event ev,
			enum audit_outcome oc, const char *reason)
{
	char in[9], out[9], lts[256], rts[256], obj[CONF_NAME_MAX + 16];

	snprintf(in, sizeof(in), "%08x", c->spi_in);
	snprintf(out, sizeof(out), "%08x", c->spi_out);
	format_ts(c->local_ts, c->n_local_ts, lts, sizeof(lts));
	format_ts(c->remote_ts, c->n_remote_ts, rts, sizeof(rts));
	snprintf(obj, sizeof(obj), "%s", sa->peer_name);
	audit_emit(ev, oc, sa->peer_id, obj, "spi_in", in, "spi_out", out,
		   "encr", ike_encr_name(c->encr, c->keybits), "integ", ike_integ_name(c->integ),
		   "pfs", ike_dh_name(c->dh),
		   "local_ts", lts, "remote_ts", rts, "reason", reason, NULL);
}

static void release(struct ike *ike, const char *owner, const struct child_sa *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ts_claims_del(&ike->claims, owner, &c->remote_ts[i]);
}

/* The child's remote selectors become its peer's (ike_narrow_ts refuses
 * another peer's). 0 or -ENOMEM, nothing claimed then. */
static int claim(struct ike *ike, const char *owner, const struct child_sa *c)
{
	for (size_t i = 0; i < c->n_remote_ts; i++)
		if (ts_claims_add(&ike->claims, owner, &c->remote_ts[i]) < 0) {
			release(ike, owner, c, i);
			return -ENOMEM;
		}
	return 0;
}

/* The keys handed to the datapath, wiped as soon as it has them. */
static struct lg_secpool params_pool = LG_SECPOOL_INIT(sizeof(struct esp_child_params));

int child_sa_install(struct ike_sa *sa, struct child_sa *c, bool we_initiated,
		     bool defer_outbound, const uint8_t *gir, size_t gir_len,
		     const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
		     const char *event_reason)
{
	struct ike *ike = sa->ike;
	struct esp_child_params *p = lg_secpool_alloc(&params_pool);
	struct ike_exch_secret *sec = ike_sa_sec(sa);   /* KEYMAT, wiped below */
	/* one direction's key material: AEAD key + salt, or AES key + HMAC key */
	size_t enc_len = c->encr == IKEV2_ENCR_AES_CBC ?
			 ike_encr_key_len(c->encr, c->keybits) + ike_integ_key_len(c->integ) :
			 ike_aead_keymat_len(c->encr, c->keybits);
	int r = -ENOMEM;

	if (!p || !sec)
		goto fail;
	r = ike_child_keymat(sa->keys->prf, sa->keys->sk_d, sa->keys->prf_len, gir, gir_len,
			     ni, ni_len, nr, nr_len, enc_len, sec->keymat_i, sec->keymat_r);
	if (r < 0)
		goto wipe;
	build_params(sa, c, we_initiated, sec->keymat_i, sec->keymat_r, p);
	r = claim(ike, sa->peer_name, c);
	if (r < 0)
		goto wipe;
	defer_outbound = defer_outbound && ike->child.install_inbound && ike->child.activate_outbound;
	if (defer_outbound)
		r = ike->child.install_inbound(ike->child.ctx, p);
	else
		r = ike->child.install ? ike->child.install(ike->child.ctx, p) : 0;
	if (r < 0) {
		release(ike, sa->peer_name, c, c->n_remote_ts);
		goto wipe;
	}
	c->in_datapath = true;
	c->out_pending = defer_outbound;
	c->activate_ms = ike->now_ms + IKE_OUTBOUND_GRACE_MS;
	for (size_t i = 0; i < c->n_remote_ts && ike->child.route_add; i++)
		ike->child.route_add(ike->child.ctx, &c->remote_ts[i]);
	child_sa_set_state(sa, c, CHILD_SA_INSTALLED);
	child_sa_set_lifetimes(sa, c, ike->now_ms);
	audit_child(sa, c, AUDIT_CHILD_SA_UP, AUDIT_SUCCESS, event_reason);
	struct ike_peer_counts *k = ike_peer_counts_of(ike, sa->peer);
	if (k && strcmp(event_reason, "rekey") == 0)
		k->child_rekeys++;
wipe:
	sodium_memzero(sec->keymat_i, sizeof(sec->keymat_i));
	sodium_memzero(sec->keymat_r, sizeof(sec->keymat_r));
fail:
	lg_secpool_free(&params_pool, p);   /* wipes */
	if (r < 0) {
		lg_log(LOG_ERR, "event=child_install_failed peer=%s spi_in=%08x error=%d",
		       sa->peer_name, c->spi_in, r);
		audit_child(sa, c, AUDIT_CHILD_SA_UP, AUDIT_FAILURE, "datapath_install_failed");
	}
	return r;
}

/* Does any other installed child still route this prefix? Only the same
 * peer's can: remote subnets of two peers never overlap (conf/validate.c
 * for configured peers, the claims for a template's branches). */
static bool prefix_still_used(struct ike *ike, const char *peer_name,
			      const struct child_sa *except, const struct lg_prefix *p)
{
	struct ike_sa *s;
	size_t pos = 0;

	while ((s = ike_sa_peer_next(ike, peer_name, &pos)))
		for (struct child_sa *c = s->children; c; c = c->next) {
			if (c == except || !c->in_datapath)
				continue;
			for (size_t i = 0; i < c->n_remote_ts; i++)
				if (lg_prefix_equal(&c->remote_ts[i], p))
					return true;
		}
	return false;
}

void child_sa_activate_outbound(struct ike_sa *sa, struct child_sa *c)
{
	struct ike *ike = sa->ike;

	if (!c->out_pending)
		return;
	c->out_pending = false;
	if (ike->child.activate_outbound(ike->child.ctx, c->child_id) < 0)
		lg_log(LOG_ERR, "event=child_activate_failed peer=%s spi_in=%08x", sa->peer_name,
		       c->spi_in);
}

void child_sa_update_peers(struct ike_sa *sa)
{
	struct ike *ike = sa->ike;
	union lg_sockaddr peer;

	if (!ike->child.update_peer)
		return;
	child_peer(sa, &peer);
	for (struct child_sa *c = sa->children; c; c = c->next)
		if (c->in_datapath && ike->child.update_peer(ike->child.ctx, c->child_id, &peer) < 0)
			lg_log(LOG_ERR, "event=child_update_peer_failed peer=%s spi_in=%08x",
			       sa->peer_name, c->spi_in);
}

void child_sa_free_unlinked(struct child_sa *c)
{
	if (!c)
		return;
	lg_hash_del(&c->ike->esp_spis, lg_hash_bytes(&c->spi_in, 4), c);
	free(c->peer_rekey_min_nonce);
	free(c);
}

void child_sa_remove(struct ike_sa *sa, struct child_sa *c, const char *reason)
{
	struct ike *ike = sa->ike;

	for (struct child_sa **pp = &sa->children; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	/* the old SA leaves: its successor carries our traffic from now on */
	if (c->successor) {
		struct child_sa *n = child_sa_by_id(sa, c->successor);
		if (n)
			child_sa_activate_outbound(sa, n);
	}
	if (c->in_datapath) {
		if (ike->child.remove)
			ike->child.remove(ike->child.ctx, c->child_id);
		c->in_datapath = false;
		release(ike, sa->peer_name, c, c->n_remote_ts);
		for (size_t i = 0; i < c->n_remote_ts && ike->child.route_del; i++)
			if (!prefix_still_used(ike, sa->peer_name, c, &c->remote_ts[i]))
				ike->child.route_del(ike->child.ctx, &c->remote_ts[i]);
		audit_child(sa, c, AUDIT_CHILD_SA_DOWN, AUDIT_SUCCESS, reason);
	}
	if (c->state != CHILD_SA_DEAD)
		child_sa_set_state(sa, c, CHILD_SA_DEAD);
	child_sa_free_unlinked(c);
}

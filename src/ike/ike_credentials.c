/* Per-peer secrets loaded from the key files named in the config: PSKs and
 * our Ed25519 secret key in sodium memory, the peer's Ed25519 public key.
 * One sodium allocation holds every peer's secrets: sodium_malloc costs
 * guard pages and a few mappings each, which a hub's thousands of peers
 * would turn into megabytes and hit vm.max_map_count. */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "linegate/hash.h"
#include "ike_internal.h"

/* A peer's slot in the sodium arena. */
struct secret_slot {
	uint8_t psk[IKE_PSK_MAX];
	uint8_t sk[64];
};

struct ike_credentials {
	size_t n;
	struct secret_slot *arena;       /* n slots, sodium memory */
	struct ike_peer_secret *s;
	char (*names)[CONF_NAME_MAX];    /* peer of s[i] */
	struct lg_hash by_name;          /* -> names[i] */
};

static uint64_t name_hash(const char *name)
{
	return lg_hash_bytes(name, strlen(name));
}

/* ca-dir (and crl-dir), our certificate and key, the intermediates we
 * send; the daemon has checked they fit together (daemon/certs.c). */
static int load_certificate(const struct conf_peer *p, struct ike_peer_secret *s, char *err,
			    size_t errlen)
{
	int r = ike_x509_store_load(p->ca_dir, p->crl_dir[0] ? p->crl_dir : NULL, &s->store, err,
				    errlen);

	if (r == 0)
		r = ike_x509_load_cert(p->certificate_file, &s->cert, err, errlen);
	if (r == 0)
		r = ike_x509_load_key(p->private_key_file, &s->key, err, errlen);
	if (r == 0 && !ike_x509_key_matches(s->cert, s->key)) {
		snprintf(err, errlen, "private-key is not the key of the certificate");
		r = -EINVAL;
	}
	if (r == 0)
		s->n_chain = ike_x509_chain_of(s->store, s->cert, time(NULL), s->chain,
					       IKE_X509_CHAIN_MAX);
	return r;
}

static void free_certificate(struct ike_peer_secret *s)
{
	ike_x509_store_free(s->store);
	ike_x509_free(s->cert);
	for (size_t i = 0; i < s->n_chain; i++)
		ike_x509_free(s->chain[i]);
	ike_x509_key_free(s->key);
	s->store = NULL;
	s->cert = NULL;
	s->key = NULL;
	s->n_chain = 0;
}

static int load_peer(const struct conf_peer *p, struct ike_peer_secret *s,
		     struct secret_slot *slot, char *err, size_t errlen)
{
	if (p->is_template)
		return 0;   /* its branches' secrets are its instances' */
	if (p->auth == CONF_AUTH_PSK) {
		s->psk = slot->psk;
		int r = ike_load_psk(p->psk_file, s->psk, IKE_PSK_MAX, &s->psk_len, err, errlen);
		if (r < 0)
			return r;
		s->has_psk = true;
		return 0;
	}
	if (p->auth == CONF_AUTH_CERTIFICATE)
		return load_certificate(p, s, err, errlen);
	s->sk = slot->sk;
	int r = ike_load_ed25519_private(p->private_key_file, s->sk, err, errlen);
	if (r < 0)
		return r;
	s->has_sk = true;
	r = ike_load_ed25519_public(p->peer_public_key_file, s->pk, err, errlen);
	if (r < 0)
		return r;
	s->has_pk = true;
	return 0;
}

int ike_credentials_load(const struct config *cfg, struct ike_credentials **out,
			 char *err, size_t errlen)
{
	struct ike_credentials *c = calloc(1, sizeof(*c));
	size_t n = cfg->n_peers ? cfg->n_peers : 1;

	if (!c)
		return -ENOMEM;
	if (sodium_init() < 0) {
		free(c);
		return -EIO;
	}
	c->s = calloc(n, sizeof(*c->s));
	c->names = calloc(n, sizeof(*c->names));
	c->arena = sodium_allocarray(n, sizeof(*c->arena));
	if (!c->s || !c->names || !c->arena || lg_hash_init(&c->by_name, n)) {
		ike_credentials_free(c);
		return -ENOMEM;
	}
	sodium_memzero(c->arena, n * sizeof(*c->arena));
	for (size_t i = 0; i < cfg->n_peers; i++) {
		char e[200] = "";
		int r = load_peer(&cfg->peers[i], &c->s[i], &c->arena[i], e, sizeof(e));

		snprintf(c->names[i], CONF_NAME_MAX, "%s", cfg->peers[i].name);
		c->n = i + 1;
		if (r == 0 && lg_hash_add(&c->by_name, name_hash(c->names[i]), c->names[i]))
			r = -ENOMEM;
		if (r < 0) {
			if (err)
				snprintf(err, errlen, "peer %s: %s", cfg->peers[i].name,
					 e[0] ? e : strerror(-r));
			ike_credentials_free(c);
			return r;
		}
	}
	*out = c;
	return 0;
}

void ike_credentials_free(struct ike_credentials *c)
{
	if (!c)
		return;
	sodium_free(c->arena);   /* sodium_free wipes */
	for (size_t i = 0; c->s && i < c->n; i++)
		free_certificate(&c->s[i]);
	free(c->s);
	free(c->names);
	lg_hash_free(&c->by_name);
	free(c);
}

const struct ike_peer_secret *ike_credentials_find(const struct ike_credentials *c,
						   const char *peer_name)
{
	char (*name)[CONF_NAME_MAX];
	size_t pos = 0;

	if (!c)
		return NULL;
	while ((name = lg_hash_next(&c->by_name, name_hash(peer_name), &pos)))
		if (strcmp(*name, peer_name) == 0)
			return &c->s[name - c->names];
	return NULL;
}

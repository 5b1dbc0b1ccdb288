/* Per-peer secrets loaded from the key files named in the config: PSKs and
 * our Ed25519 secret key in sodium memory, the peer's Ed25519 public key. */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ike_internal.h"

struct ike_credentials {
	size_t n;
	char names[CONF_MAX_PEERS][CONF_NAME_MAX];
	struct ike_peer_secret s[CONF_MAX_PEERS];
};

static int load_peer(const struct conf_peer *p, struct ike_peer_secret *s, char *err, size_t errlen)
{
	if (p->auth == CONF_AUTH_PSK) {
		s->psk = sodium_malloc(IKE_PSK_MAX);
		if (!s->psk)
			return -ENOMEM;
		int r = ike_load_psk(p->psk_file, s->psk, IKE_PSK_MAX, &s->psk_len, err, errlen);
		if (r < 0)
			return r;
		s->has_psk = true;
		return 0;
	}
	s->sk = sodium_malloc(64);
	if (!s->sk)
		return -ENOMEM;
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

	if (!c)
		return -ENOMEM;
	if (sodium_init() < 0) {
		free(c);
		return -EIO;
	}
	for (size_t i = 0; i < cfg->n_peers; i++) {
		char e[200] = "";
		int r = load_peer(&cfg->peers[i], &c->s[i], e, sizeof(e));

		snprintf(c->names[i], CONF_NAME_MAX, "%s", cfg->peers[i].name);
		c->n = i + 1;
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
	for (size_t i = 0; i < c->n; i++) {
		sodium_free(c->s[i].psk);   /* sodium_free wipes */
		sodium_free(c->s[i].sk);
	}
	sodium_memzero(c, sizeof(*c));
	free(c);
}

const struct ike_peer_secret *ike_credentials_find(const struct ike_credentials *c,
						   const char *peer_name)
{
	if (!c)
		return NULL;
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->names[i], peer_name) == 0)
			return &c->s[i];
	return NULL;
}

/* Growing a config's peers and static SAs, and name lookups in it. */
#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "linegate/config.h"
#include "linegate/hash.h"
#include "parser.h"

static uint64_t name_hash(const char *name)
{
	return lg_hash_bytes(name, strlen(name));
}

/* The name index holds positions (index + 1, never NULL), not pointers: the
 * array may move as it doubles, and re-indexing every peer each time walked
 * a cold 3 KiB struct per peer, a tenth of loading a hub's 10,000. */
struct conf_peer *config_add_peer(struct config *cfg)
{
	if (lg_grow((void **)&cfg->peers, &cfg->cap_peers, cfg->n_peers + 1, sizeof(*cfg->peers)))
		return NULL;
	memset(&cfg->peers[cfg->n_peers], 0, sizeof(*cfg->peers));
	return &cfg->peers[cfg->n_peers++];
}

int config_index_peer(struct config *cfg, const struct conf_peer *peer)
{
	size_t i = (size_t)(peer - cfg->peers);
	return lg_hash_add(&cfg->peer_names, name_hash(peer->name), (void *)(uintptr_t)(i + 1));
}

/* Not realloc: the old copy holds keys and must be wiped, not just freed. */
struct conf_static_sa *config_add_static_sa(struct config *cfg)
{
	if (cfg->n_static_sas == cfg->cap_static_sas) {
		size_t cap = cfg->cap_static_sas ? 2 * cfg->cap_static_sas : 4;
		struct conf_static_sa *n = calloc(cap, sizeof(*n));
		if (!n)
			return NULL;
		if (cfg->n_static_sas) {
			memcpy(n, cfg->static_sas, cfg->n_static_sas * sizeof(*n));
			sodium_memzero(cfg->static_sas, cfg->n_static_sas * sizeof(*n));
		}
		free(cfg->static_sas);
		cfg->static_sas = n;
		cfg->cap_static_sas = cap;
	}
	return &cfg->static_sas[cfg->n_static_sas++];
}

const struct conf_peer *config_find_peer(const struct config *cfg, const char *name)
{
	if (cfg->n_peers && cfg->peer_names.n == cfg->n_peers) {
		void *v;
		size_t pos = 0;
		while ((v = lg_hash_next(&cfg->peer_names, name_hash(name), &pos))) {
			size_t i = (size_t)(uintptr_t)v - 1;
			if (i < cfg->n_peers && !strcmp(cfg->peers[i].name, name))
				return &cfg->peers[i];
		}
		return NULL;
	}
	for (size_t i = 0; i < cfg->n_peers; i++)
		if (!strcmp(cfg->peers[i].name, name))
			return &cfg->peers[i];
	return NULL;
}

static bool same_fqdn(const uint8_t *a, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (tolower(a[i]) != tolower(b[i]))
			return false;
	return true;
}

bool config_identity_matches(const struct conf_identity *pattern, const struct conf_identity *id)
{
	if (pattern->type != id->type)
		return false;
	if (pattern->type != CONF_ID_FQDN)
		return pattern->len == id->len && !memcmp(pattern->data, id->data, id->len);
	if (pattern->len < 2 || memcmp(pattern->data, "*.", 2) != 0)
		return pattern->len == id->len && same_fqdn(pattern->data, id->data, id->len);
	size_t suffix = pattern->len - 1;   /* ".domain" */
	if (id->len <= suffix)
		return false;
	size_t label = id->len - suffix;
	if (memchr(id->data, '.', label) || memchr(id->data, '*', label))
		return false;
	return same_fqdn(id->data + label, pattern->data + 1, suffix);
}

const struct conf_peer *config_find_instance(const struct config *cfg, const struct conf_peer *tmpl,
					     const struct conf_identity *id)
{
	char name[CONF_NAME_MAX];
	const struct conf_peer *q;

	if (id->type != CONF_ID_FQDN || !config_identity_matches(&tmpl->remote_id, id))
		return NULL;
	int w = snprintf(name, sizeof(name), "%s/%.*s", tmpl->name, (int)id->len, (const char *)id->data);
	if (w < 0 || (size_t)w >= sizeof(name))
		return NULL;
	/* instances are named in lower case (conf/template.c): DNS ignores case */
	for (size_t i = strlen(tmpl->name) + 1; name[i]; i++)
		name[i] = (char)tolower((unsigned char)name[i]);
	q = config_find_peer(cfg, name);
	return q && !strcmp(q->template_name, tmpl->name) &&
	       config_identity_matches(&q->remote_id, id) ? q : NULL;
}

int config_find_uplink(const struct config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_uplinks; i++)
		if (!strcmp(cfg->uplinks[i].name, name))
			return (int)i;
	return -1;
}

const char *conf_auth_name(enum conf_auth_method m)
{
	return m == CONF_AUTH_PSK ? "psk" : m == CONF_AUTH_ED25519 ? "ed25519" : "certificate";
}

int config_line(int line)
{
	return CONF_LINE_OF(line);
}

const char *config_at_format(const struct config *cfg, struct conf_at at, char *out, size_t n)
{
	int f = CONF_FILE_OF(at.line);
	const char *file = f > 0 && (size_t)f <= cfg->n_included ? cfg->included[f - 1] : cfg->path;
	snprintf(out, n, "%s:%d:%d", file, CONF_LINE_OF(at.line), at.col);
	return out;
}

/* The only secrets a config holds are the lab-only static-SA keys (every
 * other key lives in a file loaded into sodium memory by ike/). Whoever
 * holds a struct config ends it here, so no copy of them outlives it. */
#include <sodium.h>
#include <stdlib.h>
#include "linegate/conf.h"

void conf_wipe_keys(struct config *cfg)
{
	for (size_t i = 0; i < cfg->n_static_sas; i++) {
		sodium_memzero(cfg->static_sas[i].key_in, sizeof(cfg->static_sas[i].key_in));
		sodium_memzero(cfg->static_sas[i].key_out, sizeof(cfg->static_sas[i].key_out));
	}
}

void conf_release(struct config *cfg)
{
	conf_wipe_keys(cfg);
	free(cfg->peers);
	lg_hash_free(&cfg->peer_names);
	free(cfg->static_sas);
	cfg->peers = NULL;
	cfg->static_sas = NULL;
	cfg->n_peers = cfg->cap_peers = 0;
	cfg->n_static_sas = cfg->cap_static_sas = 0;
}

void conf_free(struct config *cfg)
{
	if (!cfg)
		return;
	conf_release(cfg);
	free(cfg);
}

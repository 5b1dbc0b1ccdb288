/* The only secrets a config holds are the lab-only static-SA keys (every
 * other key lives in a file loaded into sodium memory by ike/). Whoever
 * holds a struct config ends it here, so no copy of them outlives it. */
#include <sodium.h>
#include <stdlib.h>
#include "linegate/conf.h"

void conf_wipe_keys(struct config *cfg)
{
	for (size_t i = 0; i < CONF_MAX_STATIC_SAS; i++) {
		sodium_memzero(cfg->static_sas[i].key_in, sizeof(cfg->static_sas[i].key_in));
		sodium_memzero(cfg->static_sas[i].key_out, sizeof(cfg->static_sas[i].key_out));
	}
}

void conf_free(struct config *cfg)
{
	if (!cfg)
		return;
	conf_wipe_keys(cfg);
	free(cfg);
}

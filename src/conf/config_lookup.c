/* Name lookups in a loaded config. */
#include <string.h>
#include "linegate/config.h"

const struct conf_peer *config_find_peer(const struct config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_peers; i++)
		if (!strcmp(cfg->peers[i].name, name))
			return &cfg->peers[i];
	return NULL;
}

int config_find_uplink(const struct config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_uplinks; i++)
		if (!strcmp(cfg->uplinks[i].name, name))
			return (int)i;
	return -1;
}

/* Name lookups in a loaded config. */
#include <stdio.h>
#include <string.h>
#include "linegate/config.h"
#include "parser.h"

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

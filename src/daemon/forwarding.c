/* The families whose forwarding is off here although the configuration
 * routes them through the tunnel: IPv4 always, IPv6 when a peer has an IPv6
 * subnet (a site without one need not forward IPv6). Said at start, reload
 * and in `status`. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include "linegate/datapath.h"
#include "linegate/log.h"
#include "daemon.h"

static bool has_v6(const struct config *cfg)
{
	for (size_t i = 0; i < cfg->n_peers; i++) {
		const struct conf_peer *p = &cfg->peers[i];
		for (size_t k = 0; k < p->n_local_ts; k++)
			if (p->local_ts[k].family == AF_INET6)
				return true;
		for (size_t k = 0; k < p->n_remote_ts; k++)
			if (p->remote_ts[k].family == AF_INET6)
				return true;
	}
	return false;
}

const char *daemon_forwarding_off(const struct config *cfg, char out[16])
{
	bool v4 = datapath_forwarding(AF_INET) == 0;
	bool v6 = has_v6(cfg) && datapath_forwarding(AF_INET6) == 0;

	snprintf(out, 16, "%s%s%s", v4 ? "ipv4" : "", v4 && v6 ? "," : "", v6 ? "ipv6" : "");
	return out;
}

void daemon_warn_forwarding(const struct config *cfg)
{
	char off[16];

	if (*daemon_forwarding_off(cfg, off))
		lg_log(LOG_WARNING, "event=forwarding_off families=%s hint=\"tunnels come up but "
		       "carry no LAN traffic: sysctl net.ipv4.ip_forward=1%s\"", off,
		       strstr(off, "ipv6") ? ", net.ipv6.conf.all.forwarding=1" : "");
}

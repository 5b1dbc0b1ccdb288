/* Uplink link monitoring: a libnl cache manager keeps the link table in
 * sync through RTNLGRP_LINK notifications on a netlink socket watched by
 * the libevent loop; a change of an uplink's state (admin up and carrier)
 * is reported through datapath_link_fn, so a licensed circuit going down
 * takes its tunnels down instead of letting them reroute (fail closed). */
#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <event2/event.h>
#include <netlink/netlink.h>
#include <netlink/cache.h>
#include <netlink/route/link.h>
#include "dp_internal.h"

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000   /* linux/if.h: carrier (RFC 2863 oper up) */
#endif

static bool link_is_up(struct datapath *dp, int uplink)
{
	const char *name = dp->cfg.uplinks[uplink].ifname;
	struct rtnl_link *link;
	unsigned flags;

	if (!name[0])
		return true;     /* not bound to a device: nothing to watch */
	/* The kernel's answer, not the cache's: libnl merges a notification into
	 * the cached object, and a carrier loss on the far end of a link (only
	 * IFF_LOWER_UP changes) was seen to leave the cached flags as they were.
	 * A message on the socket is the cue to ask; links change rarely. */
	link = NULL;
	if (!dp->nl || rtnl_link_get_kernel(dp->nl, 0, name, &link) < 0) {
		if (!dp->links)
			return false;
		link = rtnl_link_get_by_name(dp->links, name);
	}
	if (!link)
		return false;
	flags = rtnl_link_get_flags(link);
	dp->uplink_ifindex[uplink] = rtnl_link_get_ifindex(link);
	rtnl_link_put(link);
	return (flags & IFF_UP) && (flags & IFF_LOWER_UP);
}

static void refresh(struct datapath *dp, bool notify)
{
	size_t i;
	for (i = 0; i < dp->cfg.n_uplinks; i++) {
		bool up = link_is_up(dp, (int)i);
		if (up == dp->uplink_up[i])
			continue;
		dp->uplink_up[i] = up;
		lg_log(LOG_NOTICE, "event=uplink_link uplink=%zu dev=%s state=%s", i,
		       dp->cfg.uplinks[i].ifname, up ? "up" : "down");
		if (notify && dp->on_link)
			dp->on_link(dp->ctx, (int)i, up);
	}
}

static void on_change(struct nl_cache *cache, struct nl_object *obj, int action, void *arg)
{
	(void)cache;
	(void)obj;
	(void)action;
	dp_ifname_invalidate();   /* a rename is a change */
	refresh(arg, true);
}

static void on_readable(evutil_socket_t fd, short what, void *arg)
{
	struct datapath *dp = arg;
	(void)fd;
	(void)what;
	/* Never blocks: the socket is non-blocking under the cache manager */
	if (nl_cache_mngr_data_ready(dp->mngr) < 0)
		lg_log(LOG_WARNING, "event=linkmon_read_failed");
}

int dp_linkmon_start(struct datapath *dp)
{
	int err = nl_cache_mngr_alloc(NULL, NETLINK_ROUTE, NL_AUTO_PROVIDE, &dp->mngr);
	if (err < 0)
		return -ENOMEM;
	err = nl_cache_mngr_add(dp->mngr, "route/link", on_change, dp, &dp->links);
	if (err < 0)
		goto free_mngr;
	dp->ev_nl = event_new(dp->base, nl_cache_mngr_get_fd(dp->mngr), EV_READ | EV_PERSIST,
			      on_readable, dp);
	if (!dp->ev_nl || event_add(dp->ev_nl, NULL) < 0)
		goto free_mngr;
	/* Initial states, without callbacks: the caller asks datapath_uplink_up */
	refresh(dp, false);
	return 0;

free_mngr:
	lg_log(LOG_ERR, "event=linkmon_failed err=%s", nl_geterror(err));
	if (dp->ev_nl)
		event_free(dp->ev_nl);
	dp->ev_nl = NULL;
	nl_cache_mngr_free(dp->mngr);
	dp->mngr = NULL;
	dp->links = NULL;
	return -EIO;
}

void dp_linkmon_stop(struct datapath *dp)
{
	if (dp->ev_nl)
		event_free(dp->ev_nl);
	dp->ev_nl = NULL;
	if (dp->mngr)
		nl_cache_mngr_free(dp->mngr);
	dp->mngr = NULL;
	dp->links = NULL;
}

bool datapath_uplink_up(struct datapath *dp, int uplink)
{
	if (uplink < 0 || (size_t)uplink >= dp->cfg.n_uplinks)
		return false;
	if (!dp->cfg.uplinks[uplink].ifname[0])
		return true;
	return dp->uplink_up[uplink];
}

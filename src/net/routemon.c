/* Route monitoring: a netlink socket subscribed to RTNLGRP_IPV4_ROUTE and
 * RTNLGRP_IPV6_ROUTE, watched by the libevent loop like the link monitor
 * (linkmon.c). Any change is reported through datapath_route_fn once the
 * burst settles (a reload or a routing daemon changes many routes at once),
 * so egress to a cross-border peer is judged again at once when its route
 * leaves the circuit, and a tunnel waiting for its route comes back as soon
 * as the route is fixed, not at the end of a back-off. */
#include <errno.h>
#include <event2/event.h>
#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/msg.h>
#include "dp_internal.h"

enum { ROUTEMON_SETTLE_MS = 50 };

static int on_msg(struct nl_msg *msg, void *arg)
{
	struct datapath *dp = arg;
	struct nlmsghdr *h = nlmsg_hdr(msg);

	if (h->nlmsg_type == RTM_NEWROUTE || h->nlmsg_type == RTM_DELROUTE)
		dp->route_changed = true;
	return NL_OK;
}

static void on_settled(evutil_socket_t fd, short what, void *arg)
{
	struct datapath *dp = arg;
	(void)fd, (void)what;
	if (dp->on_route)
		dp->on_route(dp->ctx);
}

static void on_readable(evutil_socket_t fd, short what, void *arg)
{
	struct datapath *dp = arg;
	struct timeval settle = { 0, ROUTEMON_SETTLE_MS * 1000 };
	(void)fd, (void)what;

	dp->route_changed = false;
	int err = nl_recvmsgs_default(dp->rt_sk);
	/* an overrun lost notifications: assume a change */
	if (err == -NLE_NOMEM || err == -NLE_DUMP_INTR)
		dp->route_changed = true;
	else if (err < 0 && err != -NLE_AGAIN)
		lg_log(LOG_WARNING, "event=routemon_read_failed err=%s", nl_geterror(err));
	if (dp->route_changed && !evtimer_pending(dp->ev_rt_settle, NULL))
		evtimer_add(dp->ev_rt_settle, &settle);
}

int dp_routemon_start(struct datapath *dp)
{
	dp->rt_sk = nl_socket_alloc();
	if (!dp->rt_sk)
		return -ENOMEM;
	nl_socket_disable_seq_check(dp->rt_sk);
	nl_socket_modify_cb(dp->rt_sk, NL_CB_VALID, NL_CB_CUSTOM, on_msg, dp);
	if (nl_connect(dp->rt_sk, NETLINK_ROUTE) < 0 ||
	    nl_socket_add_memberships(dp->rt_sk, RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE, 0) < 0 ||
	    nl_socket_set_nonblocking(dp->rt_sk) < 0)
		goto fail;
	dp->ev_rt = event_new(dp->base, nl_socket_get_fd(dp->rt_sk), EV_READ | EV_PERSIST,
			      on_readable, dp);
	dp->ev_rt_settle = evtimer_new(dp->base, on_settled, dp);
	if (!dp->ev_rt || !dp->ev_rt_settle || event_add(dp->ev_rt, NULL) < 0)
		goto fail;
	return 0;
fail:
	lg_log(LOG_ERR, "event=routemon_failed");
	dp_routemon_stop(dp);
	return -EIO;
}

void dp_routemon_stop(struct datapath *dp)
{
	if (dp->ev_rt)
		event_free(dp->ev_rt);
	if (dp->ev_rt_settle)
		event_free(dp->ev_rt_settle);
	dp->ev_rt = dp->ev_rt_settle = NULL;
	if (dp->rt_sk)
		nl_socket_free(dp->rt_sk);
	dp->rt_sk = NULL;
}

void datapath_set_route_fn(struct datapath *dp, datapath_route_fn fn)
{
	dp->on_route = fn;
}

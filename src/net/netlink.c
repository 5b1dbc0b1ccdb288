/* Kernel configuration through libnl-route: the TUN link (up, MTU),
 * its addresses, routes of the remote subnets through it, and route
 * lookups (RTM_GETROUTE) that tell which uplink the kernel would use. */
#include <errno.h>
#include <net/if.h>
#include <pthread.h>
#include <string.h>
#include <netlink/netlink.h>
#include <netlink/msg.h>
#include <netlink/cache.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>
#include <netlink/route/nexthop.h>
#include "dp_internal.h"

int dp_nl_open(struct datapath *dp)
{
	int err;
	dp->nl = nl_socket_alloc();
	if (!dp->nl)
		return -ENOMEM;
	err = nl_connect(dp->nl, NETLINK_ROUTE);
	if (err < 0) {
		nl_socket_free(dp->nl);
		dp->nl = NULL;
		return -EIO;
	}
	return 0;
}

static pthread_mutex_t lookup_lock = PTHREAD_MUTEX_INITIALIZER;

void dp_nl_close(struct datapath *dp)
{
	if (dp->nl)
		nl_socket_free(dp->nl);
	dp->nl = NULL;
	pthread_mutex_lock(&lookup_lock);
	if (dp->nl_lookup)
		nl_socket_free(dp->nl_lookup);
	dp->nl_lookup = NULL;
	pthread_mutex_unlock(&lookup_lock);
}

static struct nl_addr *prefix_to_nl(const struct lg_prefix *p)
{
	struct nl_addr *a = nl_addr_build(p->family, p->addr, lg_family_addr_len(p->family));
	if (a)
		nl_addr_set_prefixlen(a, p->len);
	return a;
}

static int add_address(struct datapath *dp, const struct lg_prefix *p)
{
	struct rtnl_addr *addr = rtnl_addr_alloc();
	struct nl_addr *local = prefix_to_nl(p);
	int err = -ENOMEM;

	if (!addr || !local)
		goto free_addr;
	rtnl_addr_set_ifindex(addr, dp->tun_ifindex);
	rtnl_addr_set_family(addr, p->family);
	rtnl_addr_set_local(addr, local);
	rtnl_addr_set_prefixlen(addr, p->len);
	/* No duplicate address detection on a point-to-point tunnel: the
	 * address must be usable at once, not after DAD's second. */
	if (p->family == AF_INET6)
		rtnl_addr_set_flags(addr, IFA_F_NODAD);
	err = rtnl_addr_add(dp->nl, addr, NLM_F_REPLACE);
	err = err < 0 && err != -NLE_EXIST ? -EIO : 0;
free_addr:
	if (local)
		nl_addr_put(local);
	if (addr)
		rtnl_addr_put(addr);
	return err;
}

/* Link up with the configured MTU, then the addresses. */
int dp_nl_configure_tun(struct datapath *dp)
{
	struct rtnl_link *link = NULL, *change = NULL;
	char buf[LG_ADDRSTRLEN];
	int err;
	size_t i;

	err = rtnl_link_get_kernel(dp->nl, 0, dp->tun_name, &link);
	if (err < 0)
		return -ENODEV;
	dp->tun_ifindex = rtnl_link_get_ifindex(link);
	change = rtnl_link_alloc();
	if (!change) {
		err = -ENOMEM;
		goto put_link;
	}
	rtnl_link_set_flags(change, IFF_UP);
	if (dp->cfg.mtu)
		rtnl_link_set_mtu(change, dp->cfg.mtu);
	/* Our own queue: deep enough for a burst of super-packets */
	rtnl_link_set_txqlen(change, 1000);
	err = rtnl_link_change(dp->nl, link, change, 0);
	if (err < 0) {
		lg_log(LOG_ERR, "event=tun_link_failed dev=%s err=%s", dp->tun_name, nl_geterror(err));
		err = -EIO;
		goto put_link;
	}
	for (i = 0; i < dp->cfg.n_tun_addrs; i++) {
		err = add_address(dp, &dp->cfg.tun_addrs[i]);
		if (err < 0) {
			lg_log(LOG_ERR, "event=tun_address_failed dev=%s addr=%s", dp->tun_name,
			       lg_prefix_format(&dp->cfg.tun_addrs[i], buf, sizeof(buf)));
			goto put_link;
		}
	}
	lg_log(LOG_INFO, "event=tun_up dev=%s ifindex=%d mtu=%u addrs=%zu tso=%d", dp->tun_name,
	       dp->tun_ifindex, dp->cfg.mtu, dp->cfg.n_tun_addrs, dp->tso);
	err = 0;
put_link:
	if (change)
		rtnl_link_put(change);
	rtnl_link_put(link);
	return err;
}

/* A route of dst in the main table: through the TUN device, or (guard) an
 * unreachable route of our own protocol and a metric no real route uses,
 * which outlives the TUN device. Replace on add so installing twice is
 * harmless; a missing route on delete is fine. */
static int nl_route(struct datapath *dp, const struct lg_prefix *dst, bool add, bool guard)
{
	struct rtnl_route *r = rtnl_route_alloc();
	struct rtnl_nexthop *nh = guard ? NULL : rtnl_route_nh_alloc();
	struct nl_addr *a = prefix_to_nl(dst);
	int err = -ENOMEM;

	if (!r || (!guard && !nh) || !a)
		goto free_all;
	rtnl_route_set_family(r, dst->family);
	rtnl_route_set_table(r, RT_TABLE_MAIN);
	rtnl_route_set_dst(r, a);
	if (guard) {
		rtnl_route_set_protocol(r, DP_RTPROT_LINEGATE);
		rtnl_route_set_priority(r, DP_GUARD_METRIC);
		rtnl_route_set_type(r, RTN_UNREACHABLE);
	} else {
		rtnl_route_set_protocol(r, RTPROT_STATIC);
		rtnl_route_set_scope(r, RT_SCOPE_LINK);
		rtnl_route_set_type(r, RTN_UNICAST);
		rtnl_route_nh_set_ifindex(nh, dp->tun_ifindex);
		rtnl_route_add_nexthop(r, nh);
		nh = NULL;   /* owned by the route now */
	}
	err = add ? rtnl_route_add(dp->nl, r, NLM_F_REPLACE) : rtnl_route_delete(dp->nl, r, 0);
	if (!add && (err == -NLE_OBJ_NOTFOUND || err == -NLE_NOADDR))
		err = 0;
	if (err < 0) {
		char buf[LG_ADDRSTRLEN];
		lg_log(LOG_ERR, "event=route_%s_failed dst=%s dev=%s err=%s", add ? "add" : "del",
		       lg_prefix_format(dst, buf, sizeof(buf)), guard ? "unreachable" : dp->tun_name,
		       nl_geterror(err));
		err = -EIO;
	}
free_all:
	if (nh)
		rtnl_route_nh_free(nh);
	if (a)
		nl_addr_put(a);
	if (r)
		rtnl_route_put(r);
	return err;
}

int dp_nl_route(struct datapath *dp, const struct lg_prefix *dst, bool add)
{
	return nl_route(dp, dst, add, false);
}

int dp_nl_guard(struct datapath *dp, const struct lg_prefix *dst, bool add)
{
	return nl_route(dp, dst, add, true);
}

struct sweep {
	struct datapath *dp;
	bool (*keep)(struct datapath *dp, const struct lg_prefix *p);
	size_t removed;
};

static void sweep_one(struct nl_object *obj, void *arg)
{
	struct rtnl_route *r = (struct rtnl_route *)obj;
	struct sweep *sw = arg;
	struct nl_addr *dst = rtnl_route_get_dst(r);
	struct lg_prefix p = { 0 };

	if (rtnl_route_get_protocol(r) != DP_RTPROT_LINEGATE ||
	    rtnl_route_get_type(r) != RTN_UNREACHABLE || !dst ||
	    nl_addr_get_len(dst) > sizeof(p.addr))
		return;
	p.family = (uint8_t)nl_addr_get_family(dst);
	p.len = (uint8_t)nl_addr_get_prefixlen(dst);
	memcpy(p.addr, nl_addr_get_binary_addr(dst), nl_addr_get_len(dst));
	if (sw->keep(sw->dp, &p))
		return;
	if (rtnl_route_delete(sw->dp->nl, r, 0) == 0)
		sw->removed++;
}

/* Guards left by an earlier run (a crash, a stop, then a peer removed from
 * the file) whose prefix keep() no longer wants. */
size_t dp_nl_guard_sweep(struct datapath *dp,
			 bool (*keep)(struct datapath *dp, const struct lg_prefix *p))
{
	struct sweep sw = { dp, keep, 0 };
	static const int families[] = { AF_INET, AF_INET6 };

	for (size_t i = 0; i < 2; i++) {
		struct nl_cache *cache = NULL;
		if (rtnl_route_alloc_cache(dp->nl, families[i], 0, &cache) < 0)
			continue;
		nl_cache_foreach(cache, sweep_one, &sw);
		nl_cache_free(cache);
	}
	return sw.removed;
}

struct lookup_result {
	int ifindex;
	int err;
	union lg_sockaddr src;       /* RTA_PREFSRC, AF_UNSPEC if none */
};

static int parse_route(struct nl_msg *msg, void *arg)
{
	struct lookup_result *res = arg;
	struct rtnl_route *route = NULL;
	struct rtnl_nexthop *nh;

	if (rtnl_route_parse(nlmsg_hdr(msg), &route) < 0 || !route) {
		res->err = -EIO;
		return NL_STOP;
	}
	struct nl_addr *pref = rtnl_route_get_pref_src(route);
	int fam = pref ? nl_addr_get_family(pref) : AF_UNSPEC;
	if ((fam == AF_INET || fam == AF_INET6) &&
	    nl_addr_get_len(pref) == lg_family_addr_len(fam)) {
		res->src.sa.sa_family = (sa_family_t)fam;
		memcpy((void *)lg_sockaddr_addr(&res->src), nl_addr_get_binary_addr(pref),
		       nl_addr_get_len(pref));
	}
	nh = rtnl_route_nexthop_n(route, 0);
	if (nh)
		res->ifindex = rtnl_route_nh_get_ifindex(nh);
	else
		res->err = -ENETUNREACH;
	rtnl_route_put(route);
	return NL_STOP;
}

/* The lookup socket: dp's, opened on first use (a new one without dp).
 * One answer per request: no ACK asked for (the route or the error is the
 * answer), and no peek at each answer's size first (libnl's default, one
 * more system call): the buffer holds a route. */
static struct nl_sock *lookup_socket(struct datapath *dp)
{
	struct nl_sock *sk = dp ? dp->nl_lookup : NULL;

	if (sk)
		return sk;
	sk = nl_socket_alloc();
	if (!sk || nl_connect(sk, NETLINK_ROUTE) < 0) {
		if (sk)
			nl_socket_free(sk);
		return NULL;
	}
	nl_socket_disable_auto_ack(sk);
	nl_socket_disable_msg_peek(sk);
	nl_socket_set_msg_buf_size(sk, 16384);
	if (dp)
		dp->nl_lookup = sk;
	return sk;
}

/* RTM_GETROUTE for one destination (what `ip route get` asks). Its own
 * socket: the control thread may do this while dp->nl is in use. */
int datapath_route_egress(struct datapath *dp, const union lg_sockaddr *dst,
			  char ifname[IF_NAMESIZE], union lg_sockaddr *src)
{
	struct rtmsg rtm = { .rtm_family = dst->sa.sa_family };
	struct lookup_result res;
	struct nl_sock *sk;
	struct nl_msg *msg = NULL;
	int alen = dst->sa.sa_family == AF_INET6 ? 16 : 4, err = -ENOMEM;
	bool keep = dp != NULL;

	memset(&res, 0, sizeof(res));
	if (src)
		memset(src, 0, sizeof(*src));
	if (dst->sa.sa_family != AF_INET && dst->sa.sa_family != AF_INET6)
		return -EAFNOSUPPORT;
	pthread_mutex_lock(&lookup_lock);
	sk = lookup_socket(dp);
	if (!sk)
		goto out;
	rtm.rtm_dst_len = alen * 8;
	msg = nlmsg_alloc_simple(RTM_GETROUTE, NLM_F_REQUEST);
	if (!msg || nlmsg_append(msg, &rtm, sizeof(rtm), NLMSG_ALIGNTO) < 0 ||
	    nla_put(msg, RTA_DST, alen, lg_sockaddr_addr(dst)) < 0)
		goto out;
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, parse_route, &res);
	err = nl_send_auto(sk, msg);
	if (err >= 0)
		err = nl_recvmsgs_default(sk);
	if (err < 0) {
		/* an error answer, or anything else: a fresh socket next time,
		 * nothing left unread on it */
		keep = false;
		err = err == -NLE_OBJ_NOTFOUND || err == -NLE_NOADDR ? -ENETUNREACH : -EHOSTUNREACH;
	} else if (res.err) {
		err = res.err;
	} else if (res.ifindex <= 0 || !dp_ifname((unsigned)res.ifindex, ifname)) {
		err = -ENODEV;
	} else {
		err = 0;
	}
	if (err == 0 && src)
		*src = res.src;
out:
	if (msg)
		nlmsg_free(msg);
	if (sk && !keep) {
		if (dp)
			dp->nl_lookup = NULL;
		nl_socket_free(sk);
	}
	pthread_mutex_unlock(&lookup_lock);
	return err;
}

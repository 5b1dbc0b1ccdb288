/* The routes of remote subnets through the TUN device. Two owners: the SAs
 * (a CHILD SA's remote selectors, while it lives) and the configuration
 * (every configured peer's remote subnets, for the daemon's whole life).
 * The second is what makes fail closed hold: when an SA goes, its traffic
 * still enters the TUN device and is dropped there for want of an SA,
 * instead of following the default route out of an uplink in the clear.
 * Each held prefix also gets a guard, an unreachable route that outlives
 * the device: after a stop or a crash the kernel answers "unreachable"
 * rather than forwarding by the default route. */
#include <errno.h>
#include <string.h>
#include "dp_internal.h"

static struct dp_route_entry *find(struct datapath *dp, const struct lg_prefix *dst)
{
	for (int i = 0; i < DP_MAX_ROUTES; i++)
		if ((dp->routes[i].used || dp->routes[i].held) &&
		    lg_prefix_equal(&dp->routes[i].dst, dst))
			return &dp->routes[i];
	return NULL;
}

static struct dp_route_entry *find_or_new(struct datapath *dp, const struct lg_prefix *dst)
{
	struct dp_route_entry *e = find(dp, dst);
	for (int i = 0; !e && i < DP_MAX_ROUTES; i++)
		if (!dp->routes[i].used && !dp->routes[i].held) {
			e = &dp->routes[i];
			e->dst = *dst;
		}
	return e;
}

int datapath_route_add(struct datapath *dp, const struct lg_prefix *dst)
{
	struct dp_route_entry *e = find_or_new(dp, dst);
	if (!e)
		return -ENOSPC;
	int err = dp_nl_route(dp, dst, true);
	if (err == 0)
		e->used = true;
	return err;
}

/* The SA is gone; a held prefix keeps its route (fail closed). */
int datapath_route_del(struct datapath *dp, const struct lg_prefix *dst)
{
	struct dp_route_entry *e = find(dp, dst);
	if (e) {
		e->used = false;
		if (e->held)
			return 0;
	}
	return dp_nl_route(dp, dst, false);
}

static bool in_set(const struct lg_prefix *p, const struct lg_prefix *set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (lg_prefix_equal(p, &set[i]))
			return true;
	return false;
}

static bool held(struct datapath *dp, const struct lg_prefix *p)
{
	struct dp_route_entry *e = find(dp, p);
	return e && e->held;
}

int datapath_routes_hold(struct datapath *dp, const struct lg_prefix *set, size_t n)
{
	int rc = 0;

	/* prefixes no longer configured: guard and (unless an SA uses it) route go */
	for (int i = 0; i < DP_MAX_ROUTES; i++) {
		struct dp_route_entry *e = &dp->routes[i];
		if (!e->held || in_set(&e->dst, set, n))
			continue;
		e->held = false;
		(void)dp_nl_guard(dp, &e->dst, false);
		if (!e->used)
			(void)dp_nl_route(dp, &e->dst, false);
	}
	for (size_t i = 0; i < n; i++) {
		struct dp_route_entry *e = find_or_new(dp, &set[i]);
		int err = e ? 0 : -ENOSPC;
		/* guard first: there is no instant without one or the other */
		if (!err)
			err = dp_nl_guard(dp, &set[i], true);
		if (!err)
			err = dp_nl_route(dp, &set[i], true);
		if (!err)
			e->held = true;
		else if (!rc)
			rc = err;
	}
	size_t swept = dp_nl_guard_sweep(dp, held);
	if (swept)
		lg_log(LOG_NOTICE, "event=route_guards_swept count=%zu", swept);
	return rc;
}

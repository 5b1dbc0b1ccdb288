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
#include <stdlib.h>
#include <string.h>
#include "dp_internal.h"

/* family, length and address bytes: the prefix as it is compared */
static uint64_t prefix_hash(const struct lg_prefix *p)
{
	return lg_hash_bytes(p, 2 + lg_family_addr_len(p->family));
}

static struct dp_route_entry *find(struct datapath *dp, const struct lg_prefix *dst)
{
	struct dp_route_entry *e;
	size_t pos = 0;

	while ((e = lg_hash_next(&dp->routes, prefix_hash(dst), &pos)))
		if (lg_prefix_equal(&e->dst, dst))
			return e;
	return NULL;
}

static struct dp_route_entry *find_or_new(struct datapath *dp, const struct lg_prefix *dst)
{
	struct dp_route_entry *e = find(dp, dst);

	if (e)
		return e;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->dst = *dst;
	if (lg_hash_add(&dp->routes, prefix_hash(dst), e)) {
		free(e);
		return NULL;
	}
	return e;
}

/* Neither an SA nor the configuration wants it: the entry goes. */
static void drop_if_unwanted(struct datapath *dp, struct dp_route_entry *e)
{
	if (e->used || e->held)
		return;
	lg_hash_del(&dp->routes, prefix_hash(&e->dst), e);
	free(e);
}

int datapath_route_add(struct datapath *dp, const struct lg_prefix *dst)
{
	struct dp_route_entry *e = find_or_new(dp, dst);
	if (!e)
		return -ENOMEM;
	int err = dp_nl_route(dp, dst, true);
	if (err == 0)
		e->used = true;
	drop_if_unwanted(dp, e);
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
		drop_if_unwanted(dp, e);
	}
	return dp_nl_route(dp, dst, false);
}

static bool in_set(const struct lg_hash *set, const struct lg_prefix *p)
{
	const struct lg_prefix *q;
	size_t pos = 0;

	while ((q = lg_hash_next(set, prefix_hash(p), &pos)))
		if (lg_prefix_equal(p, q))
			return true;
	return false;
}

static bool held(struct datapath *dp, const struct lg_prefix *p)
{
	struct dp_route_entry *e = find(dp, p);
	return e && e->held;
}

/* Held entries whose prefix is not in set (collected first: dropping an
 * entry moves others in the table). */
static size_t unheld(struct datapath *dp, const struct lg_hash *set, struct dp_route_entry **out)
{
	size_t n = 0;

	for (size_t i = 0; dp->routes.slots && i <= dp->routes.mask; i++) {
		struct dp_route_entry *e = dp->routes.slots[i].v;
		if (e && e->held && !in_set(set, &e->dst))
			out[n++] = e;
	}
	return n;
}

void dp_routes_free(struct datapath *dp)
{
	for (size_t i = 0; dp->routes.slots && i <= dp->routes.mask; i++) {
		struct dp_route_entry *e = dp->routes.slots[i].v;
		if (e && dp->nl)
			(void)dp_nl_route(dp, &e->dst, false);
		free(e);
	}
	lg_hash_free(&dp->routes);
}

int datapath_routes_hold(struct datapath *dp, const struct lg_prefix *set, size_t n)
{
	struct dp_route_entry **gone = calloc(dp->routes.n + 1, sizeof(*gone));
	struct lg_hash want;
	int rc = 0;

	if (!gone || lg_hash_init(&want, n)) {
		free(gone);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		if (lg_hash_add(&want, prefix_hash(&set[i]), (void *)&set[i]))
			rc = -ENOMEM;
	/* prefixes no longer configured: guard and (unless an SA uses it) route go */
	size_t n_gone = rc ? 0 : unheld(dp, &want, gone);
	lg_hash_free(&want);
	for (size_t i = 0; i < n_gone; i++) {
		struct dp_route_entry *e = gone[i];
		e->held = false;
		(void)dp_nl_guard(dp, &e->dst, false);
		if (!e->used)
			(void)dp_nl_route(dp, &e->dst, false);
		drop_if_unwanted(dp, e);
	}
	free(gone);
	for (size_t i = 0; i < n; i++) {
		struct dp_route_entry *e = find_or_new(dp, &set[i]);
		int err = e ? 0 : -ENOMEM;
		/* guard first: there is no instant without one or the other */
		if (!err)
			err = dp_nl_guard(dp, &set[i], true);
		if (!err)
			err = dp_nl_route(dp, &set[i], true);
		if (!err)
			e->held = true;
		else if (!rc)
			rc = err;
		if (e)
			drop_if_unwanted(dp, e);
	}
	size_t swept = dp_nl_guard_sweep(dp, held);
	if (swept)
		lg_log(LOG_NOTICE, "event=route_guards_swept count=%zu", swept);
	return rc;
}

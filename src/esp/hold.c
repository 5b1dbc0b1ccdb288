/* Holds: the remote subnets of every configured peer, whatever the state of
 * its SAs. The daemon keeps their routes on the TUN device, so a packet for
 * a peer without an SA reaches us (and not the default route, in the clear);
 * here it is dropped as no_sa and counted under the peer, which is what an
 * operator needs to see while a circuit is down. Counting happens only on
 * the drop path: the packet path of an established SA never looks here. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "esp_internal.h"

static int cmp_hold(const void *a, const void *b)
{
	const struct hold_entry *x = a, *y = b;
	return x->m.len == y->m.len ? 0 : x->m.len > y->m.len ? -1 : 1;
}

bool snapshot_add_holds(struct esp_snapshot *s, const struct esp_table *t)
{
	for (int f = 0; f < 2; f++) {
		int family = f ? AF_INET6 : AF_INET;
		s->holds[f] = calloc(t->n_holds ? t->n_holds : 1, sizeof(struct hold_entry));
		if (!s->holds[f])
			return false;
		for (size_t i = 0; i < t->n_holds; i++) {
			if (t->holds[i].dst.family != family)
				continue;
			struct hold_entry *e = &s->holds[f][s->n_holds[f]++];
			ts_match_from_prefix(&e->m, &t->holds[i].dst);
			/* the table outlives every snapshot: the pointer stays valid */
			e->drops = (_Atomic uint64_t *)&t->hold_drops[t->holds[i].tag];
		}
		qsort(s->holds[f], s->n_holds[f], sizeof(struct hold_entry), cmp_hold);
	}
	return true;
}

void snapshot_count_hold(const struct esp_snapshot *s, int family, const uint64_t dst[2])
{
	int f = family == AF_INET6;
	for (size_t i = 0; i < s->n_holds[f]; i++) {
		if (ts_match_addr(&s->holds[f][i].m, dst)) {
			/* several workers may hold packets of one peer: a real RMW */
			atomic_fetch_add_explicit(s->holds[f][i].drops, 1, memory_order_relaxed);
			return;
		}
	}
}

static bool holds_valid(const struct esp_hold *h, size_t n)
{
	if (n > ESP_MAX_HOLDS)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((h[i].dst.family != AF_INET && h[i].dst.family != AF_INET6) ||
		    h[i].dst.len > 8 * lg_family_addr_len(h[i].dst.family) ||
		    h[i].tag >= ESP_MAX_HOLD_TAGS)
			return false;
	return true;
}

int esp_table_set_holds(struct esp_table *t, const struct esp_hold *h, size_t n)
{
	struct esp_hold *copy = NULL, *old;
	int rc;

	if (!holds_valid(h, n))
		return -EINVAL;
	if (n && !(copy = malloc(n * sizeof(*copy))))
		return -ENOMEM;
	if (n)
		memcpy(copy, h, n * sizeof(*copy));
	pthread_mutex_lock(&t->lock);
	old = t->holds;
	size_t old_n = t->n_holds;
	t->holds = copy;
	t->n_holds = n;
	rc = table_publish_locked(t, NULL);
	if (rc) {
		t->holds = old;
		t->n_holds = old_n;
		old = copy;
	} else {
		for (size_t i = 0; i < ESP_MAX_HOLD_TAGS; i++)
			atomic_store(&t->hold_drops[i], 0);
	}
	pthread_mutex_unlock(&t->lock);
	free(old);
	return rc;
}

void esp_table_hold_drops(struct esp_table *t, uint64_t out[ESP_MAX_HOLD_TAGS])
{
	for (size_t i = 0; i < ESP_MAX_HOLD_TAGS; i++)
		out[i] = atomic_load_explicit(&t->hold_drops[i], memory_order_relaxed);
}

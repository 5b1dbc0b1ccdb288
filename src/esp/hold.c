/* Holds: the remote subnets of every configured peer, whatever the state of
 * its SAs, hashed by (family, length, network) and built only when they
 * change. The daemon keeps their routes on the TUN device, so a packet for
 * a peer without an SA reaches us (and not the default route, in the clear);
 * here it is dropped as no_sa and counted under the peer, which is what an
 * operator needs to see while a circuit is down. Counting happens only on
 * the drop path: the packet path of an established SA never looks here. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "esp_internal.h"

void hold_set_free(struct hold_set *h)
{
	if (!h)
		return;
	lg_hash_free(&h->idx);
	free(h);
}

/* The lookup structure of a set of holds, counting into drops[tag]. */
static struct hold_set *hold_set_build(const struct esp_hold *h, size_t n, _Atomic uint64_t *drops)
{
	struct hold_set *s = calloc(1, sizeof(*s) + n * sizeof(s->e[0]));

	if (!s || lg_hash_init(&s->idx, n)) {
		free(s);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		struct hold_entry *e = &s->e[i];
		ts_match_from_prefix(&e->m, &h[i].dst);
		e->drops = &drops[h[i].tag];
		s->lens[e->m.family == AF_INET6][e->m.len]++;
		lg_hash_add(&s->idx, snap_key_hash(e->m.family, e->m.len, e->m.net), e);
	}
	s->n = n;
	return s;
}

void snapshot_count_hold(const struct esp_snapshot *s, int family, const uint64_t dst[2])
{
	const struct hold_set *hs = s->holds;
	int f = family == AF_INET6;

	for (int len = f ? 128 : 32; hs && len >= 0; len--) {
		uint64_t net[2];
		const struct hold_entry *e;
		size_t pos = 0;
		if (!hs->lens[f][len])
			continue;
		snap_mask(dst, (unsigned)len, net);
		uint64_t h = snap_key_hash((uint8_t)family, (uint8_t)len, net);
		while ((e = lg_hash_next(&hs->idx, h, &pos))) {
			if (e->m.family != family || e->m.len != len || !ts_match_addr(&e->m, dst))
				continue;
			/* several workers may hold packets of one peer: a real RMW */
			atomic_fetch_add_explicit(e->drops, 1, memory_order_relaxed);
			return;
		}
	}
}

/* How many tag counters the holds need (highest tag + 1), 0 if invalid. */
static size_t holds_valid(const struct esp_hold *h, size_t n)
{
	size_t tags = 1;

	for (size_t i = 0; i < n; i++) {
		if ((h[i].dst.family != AF_INET && h[i].dst.family != AF_INET6) ||
		    h[i].dst.len > 8 * lg_family_addr_len(h[i].dst.family) ||
		    h[i].tag >= ESP_HOLD_TAG_LIMIT)
			return 0;
		if (h[i].tag >= tags)
			tags = h[i].tag + 1;
	}
	return tags;
}

/* New holds come with new zeroed counters; the old ones go with the old
 * snapshot (a worker may still be counting into them). */
int esp_table_set_holds(struct esp_table *t, const struct esp_hold *h, size_t n)
{
	struct esp_hold *copy = NULL, *old;
	size_t tags = holds_valid(h, n);
	int rc;

	if (!tags)
		return -EINVAL;
	_Atomic uint64_t *drops = calloc(tags, sizeof(*drops)), *old_drops;
	struct hold_set *set = drops ? hold_set_build(h, n, drops) : NULL, *old_set;
	if (!drops || !set || (n && !(copy = malloc(n * sizeof(*copy))))) {
		free((void *)drops);
		hold_set_free(set);
		return -ENOMEM;
	}
	if (n)
		memcpy(copy, h, n * sizeof(*copy));
	pthread_mutex_lock(&t->lock);
	old = t->holds;
	old_drops = t->hold_drops;
	old_set = t->hold_set;
	size_t old_n = t->n_holds, old_tags = t->n_hold_tags;
	t->holds = copy;
	t->n_holds = n;
	t->hold_drops = drops;
	t->n_hold_tags = tags;
	t->hold_set = set;
	rc = table_publish_retire_locked(t, NULL, (void *)old_drops, old_set);
	if (rc) {
		t->holds = old;
		t->n_holds = old_n;
		t->hold_drops = old_drops;
		t->n_hold_tags = old_tags;
		t->hold_set = old_set;
		old = copy;
		free((void *)drops);
		hold_set_free(set);
	}
	pthread_mutex_unlock(&t->lock);
	free(old);
	return rc;
}

uint64_t esp_table_hold_drops(struct esp_table *t, uint32_t tag)
{
	if (tag >= t->n_hold_tags)
		return 0;
	return atomic_load_explicit(&t->hold_drops[tag], memory_order_relaxed);
}

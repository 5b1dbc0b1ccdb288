/* The read-only lookup structure the workers use without a lock: inbound
 * SPIs, and the remote selectors of every child keyed by (family, prefix
 * length, network), both in keyed hash tables split into SNAP_SHARDS
 * immutable shards. A change rebuilds only the shards it touches and copies
 * the small top level, so installing the 20,000th child costs what the
 * second did; the outbound longest-prefix match probes one table per prefix
 * length in use (a handful), not a list of every child. Never modified once
 * published; replaced shards are retired with the top level (table.c). */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "esp_internal.h"

/* (family, length, network words): the key of a selector or of an address
 * masked to a length, as the packet path computes it. */
uint64_t snap_key_hash(uint8_t family, uint8_t len, const uint64_t net[2])
{
	uint8_t k[18];

	k[0] = family;
	k[1] = len;
	memcpy(k + 2, net, 16);
	return lg_hash_bytes(k, sizeof(k));
}

uint64_t snap_spi_hash(uint32_t spi)
{
	return lg_hash_bytes(&spi, sizeof(spi));
}

/* Which shard a hash lives in: the top bits (the table inside a shard
 * uses the low ones). */
static size_t shard_of(uint64_t h)
{
	return (size_t)(h >> 56) & (SNAP_SHARDS - 1);
}

size_t snap_spi_shard(uint32_t spi)
{
	return shard_of(snap_spi_hash(spi));
}

size_t snap_key_shard(const struct ts_match *m)
{
	return shard_of(snap_key_hash(m->family, m->len, m->net));
}

struct snap_member snap_member_of(struct esp_sa *sa, uint32_t j, bool lpm)
{
	struct snap_member m = { .e.sa = sa, .j = j };

	if (lpm) {
		m.e.m = sa->remote[j];
		m.e.h = snap_key_hash(m.e.m.family, m.e.m.len, m.e.m.net);
	} else {
		m.e.h = snap_spi_hash(sa->p.spi_in);
	}
	return m;
}

/* One shard from the control side's members: a copy of each entry and an
 * index over them (values point into e[]). */
struct snap_shard *snap_shard_build(const struct snap_member *m, size_t n, bool lpm)
{
	struct snap_shard *s;

	if (!n)
		return NULL;   /* an empty shard is no shard */
	s = calloc(1, sizeof(*s) + n * sizeof(s->e[0]));
	if (!s || lg_hash_init(&s->idx, n)) {
		free(s);
		return SNAP_SHARD_NOMEM;
	}
	(void)lpm;   /* the members say */
	for (size_t i = 0; i < n; i++) {
		s->e[i] = m[i].e;
		lg_hash_add(&s->idx, s->e[i].h, &s->e[i]);   /* sized for n: no allocation */
	}
	s->n = n;
	return s;
}

void snap_shard_free(struct snap_shard *s)
{
	if (!s || s == SNAP_SHARD_NOMEM)
		return;
	lg_hash_free(&s->idx);
	free(s);
}

/* The top level only: its shards may live on in the next snapshot. */
void snapshot_free(struct esp_snapshot *s)
{
	free(s);
}

void snapshot_free_all(struct esp_snapshot *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < SNAP_SHARDS; i++) {
		snap_shard_free(s->spi[i]);
		snap_shard_free(s->lpm[i]);
	}
	free(s);
}

struct esp_sa *snapshot_find_spi(const struct esp_snapshot *s, uint32_t spi)
{
	uint64_t h = snap_spi_hash(spi);
	const struct snap_shard *sh = s->spi[shard_of(h)];
	const struct snap_entry *e;
	size_t pos = 0;

	if (!sh)
		return NULL;
	while ((e = lg_hash_next(&sh->idx, h, &pos)))
		if (e->sa->p.spi_in == spi)
			return e->sa;
	return NULL;
}

/* addr masked to len bits (memory-order words, like ts_match). */
void snap_mask(const uint64_t a[2], unsigned len, uint64_t out[2])
{
	uint8_t mask[16] = { 0 };

	for (size_t i = 0; i < 16 && len; i++) {
		unsigned bits = len >= 8 ? 8 : len;
		mask[i] = (uint8_t)(0xff00u >> bits);
		len -= bits;
	}
	uint64_t m[2];
	memcpy(m, mask, sizeof(m));
	out[0] = a[0] & m[0];
	out[1] = a[1] & m[1];
}

/* Children whose remote selector is exactly (family, len, net of dst):
 * the newest whose local selectors hold src, and the newest of all. */
static bool route_at(const struct esp_snapshot *s, int family, unsigned len,
		     const uint64_t src[2], const uint64_t dst[2], struct esp_sa **best,
		     struct esp_sa **any)
{
	uint64_t net[2];

	snap_mask(dst, len, net);
	uint64_t h = snap_key_hash((uint8_t)family, (uint8_t)len, net);
	const struct snap_shard *sh = s->lpm[shard_of(h)];
	const struct snap_entry *e;
	size_t pos = 0;

	if (!sh)
		return false;
	while ((e = lg_hash_next(&sh->idx, h, &pos))) {
		if (e->m.family != family || e->m.len != len || !ts_match_addr(&e->m, dst))
			continue;
		if (!*any || e->sa->order > (*any)->order)
			*any = e->sa;
		if (sa_local_has(e->sa, family, src) && (!*best || e->sa->order > (*best)->order))
			*best = e->sa;
	}
	return *any != NULL;
}

struct esp_sa *snapshot_route(const struct esp_snapshot *s, int family,
			      const uint64_t src[2], const uint64_t dst[2],
			      struct esp_sa **selector_sa)
{
	int f = family == AF_INET6;
	struct esp_sa *best = NULL, *any = NULL;

	*selector_sa = NULL;
	/* only the longest matching prefix decides */
	for (int len = f ? 128 : 32; len >= 0; len--) {
		if (!s->lens[f][len] || !route_at(s, family, (unsigned)len, src, dst, &best, &any))
			continue;
		if (!best)
			*selector_sa = any;
		return best;
	}
	return NULL;
}

/* A snapshot of sas built whole (tests compare it with a naive search):
 * the same shards the table would build one change at a time. */
struct esp_snapshot *snapshot_build(struct esp_sa *const *sas, size_t n)
{
	struct esp_snapshot *s = calloc(1, sizeof(*s));
	struct snap_member *m = calloc(n * (ESP_MAX_TS + 1) + 1, sizeof(*m));
	bool ok = s && m;

	for (size_t shard = 0; ok && shard < SNAP_SHARDS; shard++) {
		size_t k = 0, l = 0;
		for (size_t i = 0; i < n; i++)
			if (snap_spi_shard(sas[i]->p.spi_in) == shard)
				m[k++] = snap_member_of(sas[i], 0, false);
		s->spi[shard] = snap_shard_build(m, k, false);
		for (size_t i = 0; i < n; i++)
			for (uint32_t j = 0; j < sas[i]->n_remote && !sas[i]->inbound_only; j++)
				if (snap_key_shard(&sas[i]->remote[j]) == shard)
					m[l++] = snap_member_of(sas[i], j, true);
		s->lpm[shard] = snap_shard_build(m, l, true);
		ok = s->spi[shard] != SNAP_SHARD_NOMEM && s->lpm[shard] != SNAP_SHARD_NOMEM;
	}
	for (size_t i = 0; ok && i < n; i++)
		for (uint32_t j = 0; j < sas[i]->n_remote && !sas[i]->inbound_only; j++)
			s->lens[sas[i]->remote[j].family == AF_INET6][sas[i]->remote[j].len]++;
	free(m);
	if (!ok) {
		snapshot_free_all(s);
		return NULL;
	}
	return s;
}

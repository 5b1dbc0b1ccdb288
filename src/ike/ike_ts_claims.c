/* Remote selectors installed, by owner: on a hub, one peer's CHILD SA must
 * never route another peer's subnet (a branch with a valid key proposing its
 * neighbour's subnet would take its traffic: the datapath routes by the most
 * specific prefix). Claims are hashed by exact prefix; an overlap test looks
 * up the prefixes containing the candidate at the lengths in use, and those
 * inside it by enumerating its subprefixes at each length in use, or walking
 * the claims when that would cost more (min(2^k, claims) per length). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "ike_internal.h"

static size_t fam(uint8_t family)
{
	return family == AF_INET6;
}

static uint8_t max_len(uint8_t family)
{
	return family == AF_INET6 ? 128 : 32;
}

/* p cut to len bits, every byte past them zero (so the hash is canonical). */
static void cut(const struct lg_prefix *p, uint8_t len, struct lg_prefix *out)
{
	memset(out, 0, sizeof(*out));
	out->family = p->family;
	out->len = len;
	memcpy(out->addr, p->addr, len / 8);
	if (len % 8)
		out->addr[len / 8] = (uint8_t)(p->addr[len / 8] & (0xff00 >> (len % 8)));
}

static uint64_t key_of(const struct lg_prefix *p)
{
	return lg_hash_bytes(p, sizeof(*p));   /* bytes only: no padding */
}

static struct ts_claim *find(const struct ts_claims *t, const char *owner,
			     const struct lg_prefix *p, bool other)
{
	struct ts_claim *c;
	size_t pos = 0;

	while ((c = lg_hash_next(&t->by_prefix, key_of(p), &pos)))
		if (lg_prefix_equal(&c->p, p) && (strcmp(c->owner, owner) != 0) == other)
			return c;
	return NULL;
}

int ts_claims_init(struct ts_claims *t, size_t expect)
{
	memset(t, 0, sizeof(*t));
	return lg_hash_init(&t->by_prefix, expect);
}

void ts_claims_free(struct ts_claims *t)
{
	for (size_t i = 0; t->by_prefix.slots && i <= t->by_prefix.mask; i++)
		free(t->by_prefix.slots[i].v);
	lg_hash_free(&t->by_prefix);
	memset(t, 0, sizeof(*t));
}

int ts_claims_add(struct ts_claims *t, const char *owner, const struct lg_prefix *p)
{
	struct lg_prefix q;
	struct ts_claim *c;

	cut(p, p->len, &q);
	c = find(t, owner, &q, false);
	if (c) {
		c->refs++;
		return 0;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->p = q;
	c->refs = 1;
	snprintf(c->owner, sizeof(c->owner), "%s", owner);
	if (lg_hash_add(&t->by_prefix, key_of(&q), c)) {
		free(c);
		return -ENOMEM;
	}
	t->n++;
	t->at_len[fam(q.family)][q.len]++;
	return 0;
}

void ts_claims_del(struct ts_claims *t, const char *owner, const struct lg_prefix *p)
{
	struct lg_prefix q;
	struct ts_claim *c;

	cut(p, p->len, &q);
	c = find(t, owner, &q, false);
	if (!c || --c->refs)
		return;
	lg_hash_del(&t->by_prefix, key_of(&q), c);
	t->n--;
	t->at_len[fam(q.family)][q.len]--;
	free(c);
}

/* Another owner's claim strictly inside p at length len: by enumerating
 * p's 2^(len - p->len) subprefixes of that length. */
static const struct ts_claim *inside_by_lookup(const struct ts_claims *t, const char *owner,
					       const struct lg_prefix *p, uint8_t len)
{
	unsigned k = len - p->len;
	const struct ts_claim *c;
	struct lg_prefix q;

	for (uint64_t i = 0; i < (1ull << k); i++) {
		cut(p, len, &q);
		for (unsigned b = 0; b < k; b++)   /* bit b of i at position len - 1 - b */
			if (i >> b & 1) {
				unsigned at = len - 1 - b;
				q.addr[at / 8] |= (uint8_t)(0x80 >> (at % 8));
			}
		if ((c = find(t, owner, &q, true)))
			return c;
	}
	return NULL;
}

/* ... or by walking every claim (cheaper when 2^k exceeds their number). */
static const struct ts_claim *inside_by_walk(const struct ts_claims *t, const char *owner,
					     const struct lg_prefix *p)
{
	for (size_t i = 0; t->by_prefix.slots && i <= t->by_prefix.mask; i++) {
		const struct ts_claim *c = t->by_prefix.slots[i].v;
		if (c && c->p.len > p->len && lg_prefix_within(&c->p, p) && strcmp(c->owner, owner))
			return c;
	}
	return NULL;
}

const struct ts_claim *ts_claims_conflict(const struct ts_claims *t, const char *owner,
					  const struct lg_prefix *p)
{
	const uint32_t *at = t->at_len[fam(p->family)];
	const struct ts_claim *c;
	struct lg_prefix q;

	for (unsigned len = 0; len <= p->len; len++) {   /* claims containing p, or p itself */
		if (!at[len])
			continue;
		cut(p, (uint8_t)len, &q);
		if ((c = find(t, owner, &q, true)))
			return c;
	}
	for (unsigned len = p->len + 1u; len <= max_len(p->family); len++) {
		if (!at[len])
			continue;
		unsigned k = len - p->len;
		if (k >= 63 || (1ull << k) > t->n)
			return inside_by_walk(t, owner, p);   /* covers every longer length */
		if ((c = inside_by_lookup(t, owner, p, (uint8_t)len)))
			return c;
	}
	return NULL;
}

/* The one hash table (see hash.h) and the growing array. Keyed SipHash: the
 * keys it indexes (SPIs, addresses, identities, names) are partly chosen by
 * whoever sends us packets (hash flooding, CVE-2011-4885 and friends). */
#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include "linegate/hash.h"

int lg_grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	size_t c = *cap ? *cap : 8;

	if (need <= *cap)
		return 0;
	while (c < need) {
		if (c > SIZE_MAX / 2 / elem)
			return -ENOMEM;
		c *= 2;
	}
	void *n = realloc(*arr, c * elem);
	if (!n)
		return -ENOMEM;
	*arr = n;
	*cap = c;
	return 0;
}

static uint8_t hash_key[crypto_shorthash_KEYBYTES];
static pthread_once_t hash_key_once = PTHREAD_ONCE_INIT;

static void hash_key_init(void)
{
	if (sodium_init() < 0)
		abort();   /* no randomness: nothing safe to key the tables with */
	randombytes_buf(hash_key, sizeof(hash_key));
}

uint64_t lg_hash_bytes(const void *p, size_t n)
{
	uint8_t out[crypto_shorthash_BYTES];
	uint64_t h;

	pthread_once(&hash_key_once, hash_key_init);
	crypto_shorthash(out, p, n, hash_key);
	memcpy(&h, out, sizeof(h));
	return h;
}

uint64_t lg_hash_bytes2(const void *a, size_t na, const void *b, size_t nb)
{
	uint8_t buf[256];

	if (na + nb > sizeof(buf))   /* callers hash short keys; fold longer ones */
		return lg_hash_bytes(a, na) ^ (lg_hash_bytes(b, nb) * 0x9e3779b97f4a7c15ull);
	memcpy(buf, a, na);
	memcpy(buf + na, b, nb);
	return lg_hash_bytes(buf, na + nb);
}

int lg_hash_init(struct lg_hash *t, size_t expect)
{
	size_t slots = 8;

	memset(t, 0, sizeof(*t));
	while (slots < 2 * expect)
		slots *= 2;
	t->slots = calloc(slots, sizeof(*t->slots));
	if (!t->slots)
		return -ENOMEM;
	t->mask = slots - 1;
	return 0;
}

void lg_hash_free(struct lg_hash *t)
{
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

static void put(struct lg_hash_slot *slots, size_t mask, uint64_t h, void *v)
{
	size_t i = h & mask;

	while (slots[i].v)
		i = (i + 1) & mask;
	slots[i] = (struct lg_hash_slot){ h, v };
}

static int resize(struct lg_hash *t, size_t slots)
{
	struct lg_hash_slot *n = calloc(slots, sizeof(*n));

	if (!n)
		return -ENOMEM;
	for (size_t i = 0; t->slots && i <= t->mask; i++)
		if (t->slots[i].v)
			put(n, slots - 1, t->slots[i].h, t->slots[i].v);
	free(t->slots);
	t->slots = n;
	t->mask = slots - 1;
	return 0;
}

int lg_hash_add(struct lg_hash *t, uint64_t h, void *v)
{
	/* at most half full: probes stay short and an empty slot ends each */
	if (!t->slots || 2 * (t->n + 1) > t->mask + 1) {
		size_t slots = t->slots ? 2 * (t->mask + 1) : 8;
		if (resize(t, slots))
			return -ENOMEM;
	}
	put(t->slots, t->mask, h, v);
	t->n++;
	return 0;
}

/* Knuth's algorithm R (TAOCP 6.4): later entries of the probe run move back
 * into the hole unless their home slot lies cyclically in (hole, j]. */
static void shift_back(struct lg_hash *t, size_t hole)
{
	for (size_t j = (hole + 1) & t->mask; t->slots[j].v; j = (j + 1) & t->mask) {
		size_t home = t->slots[j].h & t->mask;
		bool stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
		if (stays)
			continue;
		t->slots[hole] = t->slots[j];
		hole = j;
	}
	t->slots[hole] = (struct lg_hash_slot){ 0, NULL };
}

bool lg_hash_del(struct lg_hash *t, uint64_t h, const void *v)
{
	if (!t->slots)
		return false;
	for (size_t i = h & t->mask; t->slots[i].v; i = (i + 1) & t->mask) {
		if (t->slots[i].v == v && t->slots[i].h == h) {
			shift_back(t, i);
			t->n--;
			return true;
		}
	}
	return false;
}

void *lg_hash_next(const struct lg_hash *t, uint64_t h, size_t *pos)
{
	if (!t->slots)
		return NULL;
	/* *pos counts the slots walked from h's home, so a walk resumes */
	for (size_t k = *pos; k <= t->mask; k++) {
		const struct lg_hash_slot *s = &t->slots[(h + k) & t->mask];
		if (!s->v)
			return NULL;
		if (s->h == h) {
			*pos = k + 1;
			return s->v;
		}
	}
	return NULL;
}

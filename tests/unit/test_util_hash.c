/* util: the hash table against a deliberately naive reference (an array
 * scanned linearly), step by step through random insert/delete/lookup
 * sequences, with hashes from SipHash and with hashes squeezed into a few
 * values so that probe runs collide, wrap around and shift back. */
#include <check.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include "linegate/hash.h"
#include "check_main.h"

enum { KEYS = 1024, OPS = 20000 };

struct obj {
	uint32_t key;
	bool in;
};

static struct obj objs[KEYS];

static uint64_t hash_of(uint32_t key, uint64_t squeeze)
{
	uint64_t h = lg_hash_bytes(&key, sizeof(key));
	return squeeze ? h % squeeze : h;
}

/* The table's answer for key: how many live objects carry it (0 or 1). */
static size_t table_count(const struct lg_hash *t, uint32_t key, uint64_t squeeze)
{
	size_t pos = 0, n = 0;
	struct obj *o;

	while ((o = lg_hash_next(t, hash_of(key, squeeze), &pos)))
		n += o->key == key;
	return n;
}

static void run_sequence(uint64_t squeeze, uint32_t seed)
{
	struct lg_hash t;
	size_t live = 0;

	srandom(seed);
	for (uint32_t i = 0; i < KEYS; i++)
		objs[i] = (struct obj){ .key = i * 2654435761u, .in = false };
	ck_assert_int_eq(lg_hash_init(&t, 0), 0);
	for (int step = 0; step < OPS; step++) {
		struct obj *o = &objs[random() % KEYS];
		int op = (int)(random() % 3);
		if (op == 0 && !o->in) {
			ck_assert_int_eq(lg_hash_add(&t, hash_of(o->key, squeeze), o), 0);
			o->in = true;
			live++;
		} else if (op == 1) {
			bool was = o->in;
			ck_assert_msg(lg_hash_del(&t, hash_of(o->key, squeeze), o) == was,
				      "step %d: delete of key %u", step, o->key);
			o->in = false;
			live -= was;
		}
		/* lookup: the reference (the flag, found by scanning) decides */
		struct obj *q = &objs[random() % KEYS];
		ck_assert_msg(table_count(&t, q->key, squeeze) == (q->in ? 1u : 0u),
			      "step %d: lookup of key %u", step, q->key);
		ck_assert_uint_eq(t.n, live);
	}
	for (uint32_t i = 0; i < KEYS; i++)   /* everything, at the end */
		ck_assert_uint_eq(table_count(&t, objs[i].key, squeeze), objs[i].in ? 1u : 0u);
	lg_hash_free(&t);
}

START_TEST(hash_against_reference)
{
	static const uint64_t squeeze[] = { 0, 7, 1 };   /* 0: the full hash */
	run_sequence(squeeze[_i], 1234 + (uint32_t)_i);
}
END_TEST

/* A multimap: several objects under one key are all found, each removable. */
START_TEST(hash_duplicates)
{
	struct lg_hash t;
	int a, b, c;
	size_t pos = 0, n = 0;
	void *v;

	ck_assert_int_eq(lg_hash_init(&t, 100), 0);
	ck_assert_int_eq(lg_hash_add(&t, 42, &a), 0);
	ck_assert_int_eq(lg_hash_add(&t, 42, &b), 0);
	ck_assert_int_eq(lg_hash_add(&t, 43, &c), 0);
	while ((v = lg_hash_next(&t, 42, &pos)))
		n += v == &a || v == &b;
	ck_assert_uint_eq(n, 2);
	ck_assert(lg_hash_del(&t, 42, &a));
	ck_assert(!lg_hash_del(&t, 42, &a));
	ck_assert(!lg_hash_del(&t, 43, &b));   /* right object, wrong hash */
	pos = 0;
	ck_assert_ptr_eq(lg_hash_next(&t, 42, &pos), &b);
	ck_assert_ptr_null(lg_hash_next(&t, 42, &pos));
	lg_hash_free(&t);
}
END_TEST

/* The key is per process and secret: the hash is not a fixed function an
 * attacker can precompute (two keys differ), yet stable within a process. */
START_TEST(hash_keyed)
{
	uint8_t key[crypto_shorthash_KEYBYTES] = { 0 }, out[8];
	uint32_t spi = 0x01020304;
	uint64_t unkeyed;

	crypto_shorthash(out, (const uint8_t *)&spi, 4, key);
	memcpy(&unkeyed, out, 8);
	ck_assert_uint_eq(lg_hash_bytes(&spi, 4), lg_hash_bytes(&spi, 4));
	ck_assert_uint_ne(lg_hash_bytes(&spi, 4), unkeyed);
	ck_assert_uint_eq(lg_hash_bytes2("ab", 2, "cd", 2), lg_hash_bytes("abcd", 4));
}
END_TEST

START_TEST(grow_doubles_and_keeps)
{
	uint32_t *a = NULL;
	size_t cap = 0;

	ck_assert_int_eq(lg_grow((void **)&a, &cap, 1, sizeof(*a)), 0);
	ck_assert_uint_eq(cap, 8);
	a[7] = 7;
	ck_assert_int_eq(lg_grow((void **)&a, &cap, 9, sizeof(*a)), 0);
	ck_assert_uint_eq(cap, 16);
	ck_assert_uint_eq(a[7], 7);
	a[15] = 15;   /* the new room is there (ASan checks the write) */
	ck_assert_int_eq(lg_grow((void **)&a, &cap, SIZE_MAX / 2, sizeof(*a)), -12);
	ck_assert_uint_eq(cap, 16);
	free(a);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("util_hash");
	TCase *tc = tcase_create("core");
	tcase_add_loop_test(tc, hash_against_reference, 0, 3);
	tcase_add_test(tc, hash_duplicates);
	tcase_add_test(tc, hash_keyed);
	tcase_add_test(tc, grow_doubles_and_keeps);
	suite_add_tcase(s, tc);
	return lg_check_run(s);
}

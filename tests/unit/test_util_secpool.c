/* util: the secret pool. Slots are zeroed, aligned and distinct; a freed
 * slot is wiped (the same slot handed out again is all zeros); when every
 * slot is taken the pool grows by a slab, so thousands of keys cost a
 * handful of mappings (sodium_malloc alone: one each); threads may share
 * a pool. */
#include <check.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "linegate/secpool.h"
#include "check_main.h"

enum { SIZE = 200, MANY = 5000 };

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static int maps_count(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	int n = 0, c;

	ck_assert_ptr_nonnull(f);
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

START_TEST(alloc_zeroed_aligned_and_wiped_on_free)
{
	struct lg_secpool p = LG_SECPOOL_INIT(SIZE);
	uint8_t *a = lg_secpool_alloc(&p), *b = lg_secpool_alloc(&p);
	size_t used, slots, slabs;

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_ne(a, b);
	ck_assert_uint_eq((uintptr_t)a % 64, 0);
	ck_assert_uint_eq((uintptr_t)b % 64, 0);
	ck_assert(all_zero(a, SIZE) && all_zero(b, SIZE));
	/* no overlap: the slot is the size rounded up to 64 */
	ck_assert_uint_ge((size_t)(a > b ? a - b : b - a), 256);
	memset(a, 0xa5, SIZE);
	memset(b, 0x5a, SIZE);
	lg_secpool_stats(&p, &used, &slots, &slabs);
	ck_assert_uint_eq(used, 2);
	ck_assert_uint_eq(slabs, 1);
	lg_secpool_free(&p, a);
	/* the free list is LIFO: the wiped slot comes back, all zeros */
	uint8_t *c = lg_secpool_alloc(&p);
	ck_assert_ptr_eq(c, a);
	ck_assert(all_zero(c, SIZE));
	ck_assert_uint_eq(b[0], 0x5a);
	ck_assert_uint_eq(b[SIZE - 1], 0x5a);
	lg_secpool_free(&p, b);
	lg_secpool_free(&p, c);
	lg_secpool_free(&p, NULL);
	lg_secpool_stats(&p, &used, NULL, NULL);
	ck_assert_uint_eq(used, 0);
	lg_secpool_release(&p);
}
END_TEST

static int cmp_ptr(const void *x, const void *y)
{
	uintptr_t a = (uintptr_t)*(void *const *)x, b = (uintptr_t)*(void *const *)y;
	return a < b ? -1 : a > b;
}

START_TEST(exhaustion_grows_by_slabs)
{
	struct lg_secpool p = LG_SECPOOL_INIT(SIZE);
	static uint8_t *s[MANY], *sorted[MANY];
	size_t used, slots, slabs;
	int maps0 = maps_count();

	for (size_t i = 0; i < MANY; i++) {
		s[i] = lg_secpool_alloc(&p);
		ck_assert_ptr_nonnull(s[i]);
		ck_assert(all_zero(s[i], SIZE));
		memset(s[i], (int)(i & 0xff), SIZE);
	}
	lg_secpool_stats(&p, &used, &slots, &slabs);
	ck_assert_uint_eq(used, MANY);
	ck_assert_uint_ge(slots, MANY);
	ck_assert_uint_gt(slabs, 1);       /* it had to grow */
	ck_assert_uint_le(slabs, 8);       /* doubling slabs: 16 KiB .. 1 MiB */
	/* a slab is one sodium mapping (its header page and two guard pages
	 * split it in up to four) */
	ck_assert_int_le(maps_count() - maps0, 4 * (int)slabs + 4);
	memcpy(sorted, s, sizeof(s));
	qsort(sorted, MANY, sizeof(sorted[0]), cmp_ptr);
	for (size_t i = 1; i < MANY; i++)
		ck_assert_uint_ge((uintptr_t)sorted[i] - (uintptr_t)sorted[i - 1], SIZE);
	for (size_t i = 0; i < MANY; i++) {   /* nothing overwrote anything */
		ck_assert_uint_eq(s[i][0], i & 0xff);
		ck_assert_uint_eq(s[i][SIZE - 1], i & 0xff);
	}
	/* freed slots are reused before the pool grows again */
	for (size_t i = 0; i < MANY; i += 2)
		lg_secpool_free(&p, s[i]);
	for (size_t i = 0; i < MANY; i += 2) {
		s[i] = lg_secpool_alloc(&p);
		ck_assert(all_zero(s[i], SIZE));
	}
	size_t slabs2;
	lg_secpool_stats(&p, &used, NULL, &slabs2);
	ck_assert_uint_eq(used, MANY);
	ck_assert_uint_eq(slabs2, slabs);
	for (size_t i = 0; i < MANY; i++)
		lg_secpool_free(&p, s[i]);
	lg_secpool_release(&p);
	lg_secpool_stats(&p, &used, &slots, &slabs);
	ck_assert_uint_eq(slots + slabs + used, 0);
}
END_TEST

static struct lg_secpool shared = LG_SECPOOL_INIT(48);

static void *churn(void *arg)
{
	uint8_t *mine[64];
	int tag = (int)(intptr_t)arg;

	for (int round = 0; round < 200; round++) {
		for (int i = 0; i < 64; i++) {
			mine[i] = lg_secpool_alloc(&shared);
			if (!mine[i] || !all_zero(mine[i], 48))
				return (void *)1;
			memset(mine[i], tag, 48);
		}
		for (int i = 0; i < 64; i++) {
			if (mine[i][0] != tag || mine[i][47] != tag)
				return (void *)1;
			lg_secpool_free(&shared, mine[i]);
		}
	}
	return NULL;
}

START_TEST(threads_share_a_pool)
{
	pthread_t t[4];
	void *rc;
	size_t used;

	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, churn, (void *)(intptr_t)(i + 1)), 0);
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(pthread_join(t[i], &rc), 0);
		ck_assert_ptr_null(rc);
	}
	lg_secpool_stats(&shared, &used, NULL, NULL);
	ck_assert_uint_eq(used, 0);
	lg_secpool_release(&shared);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("util_secpool");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, alloc_zeroed_aligned_and_wiped_on_free);
	tcase_add_test(tc, exhaustion_grows_by_slabs);
	tcase_add_test(tc, threads_share_a_pool);
	suite_add_tcase(s, tc);
	return lg_check_run(s);
}

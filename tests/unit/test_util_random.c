/* util: the pooled random bytes. After lg_random_init() libsodium's
 * randombytes_* use it; small requests come from the calling thread's pool
 * (one kernel call per kilobyte), large ones straight from the kernel; each
 * thread has its own pool; a forked child does not repeat its parent's
 * bytes; the output looks uniform. */
#include <check.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <sodium.h>
#include "linegate/random.h"
#include "check_main.h"

START_TEST(in_force_after_init)
{
	ck_assert_int_eq(lg_random_init(), 0);
	ck_assert_int_eq(lg_random_init(), 0);
	ck_assert_str_eq(randombytes_implementation_name(), LG_RANDOM_NAME);
	ck_assert_int_ge(sodium_init(), 0);   /* a later sodium_init keeps it */
	ck_assert_str_eq(randombytes_implementation_name(), LG_RANDOM_NAME);
}
END_TEST

START_TEST(small_from_pool_large_direct)
{
	uint8_t a[32], b[32], big[4096];
	ck_assert_int_eq(lg_random_init(), 0);
	randombytes_stir();                   /* an empty pool */
	ck_assert_uint_eq(lg_random_pooled(), 0);
	randombytes_buf(a, sizeof(a));
	ck_assert_uint_eq(lg_random_pooled(), 1024 - 32);
	randombytes_buf(b, sizeof(b));
	ck_assert_uint_eq(lg_random_pooled(), 1024 - 64);
	ck_assert(memcmp(a, b, sizeof(a)) != 0);
	randombytes_buf(big, sizeof(big));
	ck_assert_uint_eq(lg_random_pooled(), 1024 - 64);
	(void)randombytes_random();
	ck_assert_uint_eq(lg_random_pooled(), 1024 - 68);
	for (int i = 0; i < 1000; i++)
		ck_assert_uint_lt(randombytes_uniform(7), 7);
	/* drawing past the end refills */
	for (int i = 0; i < 40; i++)
		randombytes_buf(a, sizeof(a));
	ck_assert_uint_lt(lg_random_pooled(), 1024);
}
END_TEST

static void *thread_draw(void *arg)
{
	uint8_t *out = arg;
	size_t before = lg_random_pooled();
	randombytes_buf(out, 16);
	return (void *)(uintptr_t)(before == 0 && lg_random_pooled() == 1024 - 16);
}

START_TEST(a_pool_per_thread)
{
	uint8_t x[16], y[16];
	pthread_t t1, t2;
	void *r1, *r2;
	ck_assert_int_eq(lg_random_init(), 0);
	randombytes_buf(x, 8);                /* this thread's pool in use */
	ck_assert_int_eq(pthread_create(&t1, NULL, thread_draw, x), 0);
	ck_assert_int_eq(pthread_create(&t2, NULL, thread_draw, y), 0);
	ck_assert_int_eq(pthread_join(t1, &r1), 0);
	ck_assert_int_eq(pthread_join(t2, &r2), 0);
	ck_assert_ptr_nonnull(r1);            /* each started empty */
	ck_assert_ptr_nonnull(r2);
	ck_assert(memcmp(x, y, sizeof(x)) != 0);
}
END_TEST

START_TEST(forked_child_does_not_repeat)
{
	uint8_t mine[16], theirs[16];
	int p[2], status;
	ck_assert_int_eq(lg_random_init(), 0);
	randombytes_buf(mine, 4);             /* a full pool that the child inherits */
	ck_assert_int_eq(pipe(p), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		randombytes_buf(theirs, sizeof(theirs));
		_exit(write(p[1], theirs, sizeof(theirs)) == (ssize_t)sizeof(theirs) ? 0 : 1);
	}
	randombytes_buf(mine, sizeof(mine));
	ck_assert_int_eq(read(p[0], theirs, sizeof(theirs)), (ssize_t)sizeof(theirs));
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert(memcmp(mine, theirs, sizeof(mine)) != 0);
	close(p[0]);
	close(p[1]);
}
END_TEST

/* 1 MiB in 24-byte requests: every byte value within 8 standard
 * deviations of its expected 4,096 (sd 64): a stuck or repeating pool
 * would be far outside. */
START_TEST(output_looks_uniform)
{
	static uint32_t count[256];
	uint8_t b[24];
	ck_assert_int_eq(lg_random_init(), 0);
	for (int i = 0; i < (1 << 20) / 24; i++) {
		randombytes_buf(b, sizeof(b));
		for (size_t k = 0; k < sizeof(b); k++)
			count[b[k]]++;
	}
	for (int v = 0; v < 256; v++) {
		ck_assert_uint_gt(count[v], 4096 - 512);
		ck_assert_uint_lt(count[v], 4096 + 512);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("util_random");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, in_force_after_init);
	tcase_add_test(tc, small_from_pool_large_direct);
	tcase_add_test(tc, a_pool_per_thread);
	tcase_add_test(tc, forked_child_does_not_repeat);
	tcase_add_test(tc, output_looks_uniform);
	suite_add_tcase(s, tc);
	return lg_check_run(s);
}

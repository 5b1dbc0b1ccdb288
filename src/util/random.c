/* Pooled kernel randomness for libsodium (see random.h). Why this is as safe
 * as libsodium's default (one getrandom(2) per call):
 *  - every byte handed out is the kernel CSPRNG's own output, unchanged: no
 *    generator of ours to get wrong; getrandom without GRND_NONBLOCK waits
 *    for the kernel pool to be seeded at boot, as the default does;
 *  - a byte is wiped from the pool as it is handed out, so the pool never
 *    holds a copy of anything used; what it holds was never used by anyone;
 *  - the pool is per thread (no lock, no two threads given the same bytes);
 *  - a child of fork(2) would start with its parent's pool and so repeat
 *    the parent's next values: pthread_atfork empties it in the child (the
 *    daemon never forks; this holds for any caller that does);
 *  - a failing getrandom aborts, as libsodium's default does.
 * libsodium's own "internal" generator was not taken: it calls getpid(2)
 * for every request to notice a fork (one system call traded for another)
 * and aborts in a forked child. */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sodium.h>
#include "linegate/random.h"

enum { POOL_BYTES = 1024, DIRECT_FROM = 256 };

static __thread struct {
	uint8_t b[POOL_BYTES];
	size_t left;                /* bytes [0, left) not yet handed out */
} pool;

/* All of buf from the kernel; getrandom returns at most 32 MiB a call and
 * may be interrupted before the pool is seeded. */
static void kernel_bytes(void *buf, size_t n)
{
	uint8_t *p = buf;
	while (n) {
		ssize_t r = getrandom(p, n, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			abort();   /* no randomness: nothing safe to do (as libsodium) */
		p += r;
		n -= (size_t)r;
	}
}

static void pool_buf(void *const buf, const size_t n)
{
	if (n >= DIRECT_FROM) {
		kernel_bytes(buf, n);
		return;
	}
	if (pool.left < n) {
		kernel_bytes(pool.b, sizeof(pool.b));
		pool.left = sizeof(pool.b);
	}
	pool.left -= n;
	memcpy(buf, pool.b + pool.left, n);
	sodium_memzero(pool.b + pool.left, n);
}

static uint32_t pool_random(void)
{
	uint32_t v;
	pool_buf(&v, sizeof(v));
	return v;
}

static void pool_drop(void)
{
	sodium_memzero(&pool, sizeof(pool));
}

static int pool_close(void)
{
	pool_drop();
	return 0;
}

static const char *pool_name(void)
{
	return LG_RANDOM_NAME;
}

static randombytes_implementation pooled = {
	.implementation_name = pool_name,
	.random = pool_random,
	.stir = pool_drop,          /* the next request draws afresh */
	.uniform = NULL,            /* libsodium's rejection sampling over .random */
	.buf = pool_buf,
	.close = pool_close,
};

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int init_rc;

static void init_once(void)
{
	if (pthread_atfork(NULL, NULL, pool_drop) || randombytes_set_implementation(&pooled) ||
	    sodium_init() < 0)
		init_rc = -EIO;
}

int lg_random_init(void)
{
	pthread_once(&once, init_once);
	return init_rc;
}

size_t lg_random_pooled(void)
{
	return pool.left;
}

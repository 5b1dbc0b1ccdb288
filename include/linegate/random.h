/* libsodium's random bytes, as every randombytes_* caller of the daemon gets
 * them: from the kernel (getrandom(2)), a kilobyte at a time into a pool
 * per thread, instead of one system call per randombytes_buf (nine per IKE
 * and CHILD setup; a system call costs ~1 us on a virtual machine). */
#pragma once
#include <stddef.h>

/* The implementation's name as randombytes_implementation_name() says it. */
#define LG_RANDOM_NAME "linegate-getrandom-pool"

/* Installs the pooled implementation and runs sodium_init(); call it first
 * in main(), before any thread starts. 0, or -EIO when libsodium cannot
 * start. Idempotent. */
int lg_random_init(void);
/* Bytes in the calling thread's pool (for the tests). */
size_t lg_random_pooled(void);

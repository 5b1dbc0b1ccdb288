/* Secret memory for many small objects (the keys of every IKE and ESP SA).
 * sodium_malloc costs one mapping of at least three pages per object (guard
 * pages, mlock): 20,000 tunnels would need ~100,000 mappings, beyond the
 * kernel's default vm.max_map_count of 65530, and 16 KiB or more each. A
 * pool takes slabs from sodium_malloc (guarded at both ends, locked, kept
 * out of core dumps) and hands out fixed-size slots from a free list; a
 * slot is wiped when freed. Thread-safe (a mutex: allocation happens when
 * an SA is made or dropped, never per packet). */
#pragma once
#include <pthread.h>
#include <stddef.h>

struct lg_secslab;
struct lg_secpool {
	pthread_mutex_t lock;
	size_t size;               /* what the caller asked for */
	size_t slot;               /* size rounded up to 64 bytes (alignment) */
	void *free_list;           /* wiped slots; the first word links them */
	struct lg_secslab *slabs;
	size_t n_slots, n_used, n_slabs;
};
/* A pool of objects of `size` bytes, usable at once (static storage). */
#define LG_SECPOOL_INIT(size_) { PTHREAD_MUTEX_INITIALIZER, (size_), 0, NULL, NULL, 0, 0, 0 }

/* A zeroed, 64-byte aligned slot; NULL when out of memory. Grows by a
 * slab (each twice the last, up to 1 MiB) when every slot is in use. */
void *lg_secpool_alloc(struct lg_secpool *p);
/* Wipes the slot and returns it to the pool (NULL is fine). */
void lg_secpool_free(struct lg_secpool *p, void *slot);
/* Slots in use and slots in all slabs. */
void lg_secpool_stats(struct lg_secpool *p, size_t *used, size_t *slots, size_t *slabs);
/* Unmaps every slab (tests, exit); no slot may be in use. */
void lg_secpool_release(struct lg_secpool *p);

/* Fixed-size secret slots in sodium_malloc'd slabs (see secpool.h). Free
 * slots are wiped, then linked through their first word; under
 * AddressSanitizer they are also poisoned, so a use after free of a key
 * is still caught although the memory stays mapped. */
#include <errno.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "linegate/secpool.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

enum { SLOT_ALIGN = 64, FIRST_SLAB = 16 * 1024, MAX_SLAB = 1024 * 1024 };

struct lg_secslab {
	struct lg_secslab *next;
	uint8_t *mem;              /* sodium_malloc'd */
	size_t bytes;
};

/* One more slab, its slots on the free list. Called with the lock held. */
static int grow(struct lg_secpool *p)
{
	size_t bytes = p->slabs ? p->slabs->bytes * 2 : FIRST_SLAB;
	struct lg_secslab *s;

	if (!p->slot) {
		if (!p->size || p->size > SIZE_MAX - SLOT_ALIGN)
			return -EINVAL;
		p->slot = (p->size + SLOT_ALIGN - 1) / SLOT_ALIGN * SLOT_ALIGN;
	}
	if (bytes > MAX_SLAB)
		bytes = MAX_SLAB;
	if (bytes < p->slot)
		bytes = p->slot;
	bytes = bytes / p->slot * p->slot;   /* a multiple of 64: sodium_malloc
					      * then returns 64-aligned memory */
	if (sodium_init() < 0 || !(s = malloc(sizeof(*s))))
		return -ENOMEM;
	s->mem = sodium_malloc(bytes);
	if (!s->mem || ((uintptr_t)s->mem & (SLOT_ALIGN - 1))) {
		if (s->mem)
			sodium_free(s->mem);
		free(s);
		return -ENOMEM;
	}
	s->bytes = bytes;
	s->next = p->slabs;
	p->slabs = s;
	p->n_slabs++;
	sodium_memzero(s->mem, bytes);
	for (size_t off = bytes; off >= p->slot; off -= p->slot) {
		void *slot = s->mem + off - p->slot;
		memcpy(slot, &p->free_list, sizeof(void *));
		p->free_list = slot;
		POISON(slot, p->slot);
		p->n_slots++;
	}
	return 0;
}

void *lg_secpool_alloc(struct lg_secpool *p)
{
	void *slot = NULL;

	pthread_mutex_lock(&p->lock);
	if (p->free_list || grow(p) == 0) {
		slot = p->free_list;
		UNPOISON(slot, p->slot);
		memcpy(&p->free_list, slot, sizeof(void *));
		sodium_memzero(slot, sizeof(void *));
		p->n_used++;
	}
	pthread_mutex_unlock(&p->lock);
	return slot;
}

void lg_secpool_free(struct lg_secpool *p, void *slot)
{
	if (!slot)
		return;
	pthread_mutex_lock(&p->lock);
	sodium_memzero(slot, p->slot);
	memcpy(slot, &p->free_list, sizeof(void *));
	p->free_list = slot;
	POISON(slot, p->slot);
	p->n_used--;
	pthread_mutex_unlock(&p->lock);
}

void lg_secpool_stats(struct lg_secpool *p, size_t *used, size_t *slots, size_t *slabs)
{
	pthread_mutex_lock(&p->lock);
	if (used)
		*used = p->n_used;
	if (slots)
		*slots = p->n_slots;
	if (slabs)
		*slabs = p->n_slabs;
	pthread_mutex_unlock(&p->lock);
}

void lg_secpool_release(struct lg_secpool *p)
{
	pthread_mutex_lock(&p->lock);
	while (p->slabs) {
		struct lg_secslab *s = p->slabs;
		p->slabs = s->next;
		UNPOISON(s->mem, s->bytes);
		sodium_free(s->mem);   /* wipes */
		free(s);
	}
	p->free_list = NULL;
	p->n_slots = p->n_used = p->n_slabs = 0;
	pthread_mutex_unlock(&p->lock);
}

/* Containers shared by every table of the daemon: an array that grows by
 * doubling (sizes come from the configuration and the peers, never from a
 * compile-time cap) and one hash table that indexes IKE SAs, peers and ESP
 * SAs. Hashes are SipHash-2-4 (libsodium crypto_shorthash) under a key drawn
 * at random once per process, so a remote peer choosing SPIs, addresses or
 * identities cannot engineer collisions and turn lookups linear. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Makes room for `need` elements of `elem` bytes in *arr (capacity *cap),
 * doubling; the new room is not initialised (the caller fills what it
 * uses: zeroing the whole doubled room would touch every page of it).
 * 0 or -ENOMEM (*arr unchanged). */
int lg_grow(void **arr, size_t *cap, size_t need, size_t elem);

/* SipHash-2-4 of bytes under the per-process key (any thread). */
uint64_t lg_hash_bytes(const void *p, size_t n);
/* Of two byte strings one after the other (e.g. SPI then address). */
uint64_t lg_hash_bytes2(const void *a, size_t na, const void *b, size_t nb);

/* A multimap from 64-bit hashes to non-NULL pointers: open addressing with
 * linear probing, at most half full, backward-shift deletion (no
 * tombstones). The caller keeps the key in the object pointed to and checks
 * it on each candidate; several objects may share a hash or a key. A table
 * that is only read (lg_hash_next) may be read by many threads at once. */
struct lg_hash_slot {
	uint64_t h;
	void *v;               /* NULL = empty */
};
struct lg_hash {
	struct lg_hash_slot *slots;
	size_t mask;           /* slots - 1; 0 with slots == NULL */
	size_t n;
};

/* An empty table sized for `expect` entries without growing (0 is fine). */
int lg_hash_init(struct lg_hash *t, size_t expect);
void lg_hash_free(struct lg_hash *t);
/* 0 or -ENOMEM (the table unchanged). */
int lg_hash_add(struct lg_hash *t, uint64_t h, void *v);
/* Removes the entry (h, v); false if it is not there. */
bool lg_hash_del(struct lg_hash *t, uint64_t h, const void *v);
/* Candidates with hash h, one per call: start with *pos = 0; NULL at the end.
 * The table must not change during the walk. */
void *lg_hash_next(const struct lg_hash *t, uint64_t h, size_t *pos);

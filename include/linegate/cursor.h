/* The one bounded reader for untrusted bytes (IKE, ESP, config blobs).
 * A read past the end sets the error flag, returns zeros and never moves
 * past the end; callers check cursor_ok() once after a group of reads. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cursor {
	const uint8_t *data;
	size_t len;
	size_t pos;
	bool error;
};

static inline void cursor_init(struct cursor *c, const void *data, size_t len)
{
	c->data = data;
	c->len = len;
	c->pos = 0;
	c->error = false;
}

static inline size_t cursor_remaining(const struct cursor *c)
{
	return c->error ? 0 : c->len - c->pos;
}

static inline bool cursor_ok(const struct cursor *c) { return !c->error; }

uint8_t cursor_get_u8(struct cursor *c);
uint16_t cursor_get_u16(struct cursor *c);   /* network order */
uint32_t cursor_get_u32(struct cursor *c);   /* network order */
uint64_t cursor_get_u64(struct cursor *c);   /* network order */
/* Copies n bytes out; on error out is zeroed. */
bool cursor_get_bytes(struct cursor *c, void *out, size_t n);
/* Returns a pointer to the next n bytes and advances, or NULL. */
const uint8_t *cursor_get_ref(struct cursor *c, size_t n);
/* A sub-cursor over the next n bytes (advances c past them). */
bool cursor_get_sub(struct cursor *c, size_t n, struct cursor *sub);
bool cursor_skip(struct cursor *c, size_t n);
/* Everything that is left, as a reference (advances to the end). */
const uint8_t *cursor_get_tail(struct cursor *c, size_t *n);
/* Peek without advancing. */
bool cursor_peek_bytes(const struct cursor *c, void *out, size_t n);

/* The bounded reader: the only code that walks untrusted packet bytes. */
#include <string.h>
#include "linegate/cursor.h"

static const uint8_t *take(struct cursor *c, size_t n)
{
	if (c->error || n > c->len - c->pos) {
		c->error = true;
		return NULL;
	}
	const uint8_t *p = c->data + c->pos;
	c->pos += n;
	return p;
}

uint8_t cursor_get_u8(struct cursor *c)
{
	const uint8_t *p = take(c, 1);
	return p ? p[0] : 0;
}

uint16_t cursor_get_u16(struct cursor *c)
{
	const uint8_t *p = take(c, 2);
	return p ? (uint16_t)(p[0] << 8 | p[1]) : 0;
}

uint32_t cursor_get_u32(struct cursor *c)
{
	const uint8_t *p = take(c, 4);
	return p ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3] : 0;
}

uint64_t cursor_get_u64(struct cursor *c)
{
	uint64_t hi = cursor_get_u32(c);
	return hi << 32 | cursor_get_u32(c);
}

bool cursor_get_bytes(struct cursor *c, void *out, size_t n)
{
	const uint8_t *p = take(c, n);
	if (!p) {
		memset(out, 0, n);
		return false;
	}
	memcpy(out, p, n);
	return true;
}

const uint8_t *cursor_get_ref(struct cursor *c, size_t n)
{
	return take(c, n);
}

bool cursor_get_sub(struct cursor *c, size_t n, struct cursor *sub)
{
	const uint8_t *p = take(c, n);
	cursor_init(sub, p, p ? n : 0);
	sub->error = p == NULL;
	return p != NULL;
}

bool cursor_skip(struct cursor *c, size_t n)
{
	return take(c, n) != NULL;
}

const uint8_t *cursor_get_tail(struct cursor *c, size_t *n)
{
	*n = cursor_remaining(c);
	return take(c, *n);
}

bool cursor_peek_bytes(const struct cursor *c, void *out, size_t n)
{
	if (c->error || n > c->len - c->pos)
		return false;
	memcpy(out, c->data + c->pos, n);
	return true;
}

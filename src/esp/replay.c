/* Anti-replay window (RFC 4303 §3.4.3) as the RFC 6479 ring of 64-bit blocks,
 * and the inference of the high 32 bits of an extended sequence number
 * (RFC 4303 Appendix A2.2). Callers hold the SA's replay lock; the check runs
 * before decryption and the update only after the ICV verified, so forged
 * packets can never move the window. */
#include "esp_internal.h"

_Static_assert((REPLAY_BLOCKS & (REPLAY_BLOCKS - 1)) == 0, "RFC 6479 ring needs 2^n blocks");

uint64_t replay_infer(const struct replay_window *r, uint32_t seq_lo, bool esn)
{
	if (!esn)
		return seq_lo;   /* 0 is never sent (RFC 4303 §3.3.3) */
	uint32_t th = (uint32_t)(r->top >> 32);
	uint32_t tl = (uint32_t)r->top;
	uint32_t bottom = tl - (uint32_t)REPLAY_SIZE + 1;   /* mod 2^32 */
	uint64_t hi;

	if (tl >= (uint32_t)REPLAY_SIZE - 1) {
		/* Case A: the window lies within one 2^32 subspace. */
		if (seq_lo >= bottom)
			hi = th;
		else
			hi = (uint64_t)th + 1;
	} else {
		/* Case B: the window spans two subspaces. */
		if (seq_lo >= bottom) {
			if (th == 0)
				return 0;   /* would be before sequence number 1 */
			hi = th - 1;
		} else {
			hi = th;
		}
	}
	if (hi > UINT32_MAX)
		return 0;
	return hi << 32 | seq_lo;
}

bool replay_check(const struct replay_window *r, uint64_t seq)
{
	if (seq == 0)
		return false;
	if (seq > r->top)
		return true;
	if (r->top - seq >= REPLAY_SIZE)
		return false;   /* left of the window */
	uint64_t block = r->bitmap[(seq / REPLAY_BLOCK_BITS) & (REPLAY_BLOCKS - 1)];
	return !(block >> (seq % REPLAY_BLOCK_BITS) & 1);
}

bool replay_update(struct replay_window *r, uint64_t seq)
{
	if (!replay_check(r, seq))
		return false;
	if (seq > r->top) {
		/* Slide: clear every block the window moves onto (RFC 6479 §3). */
		uint64_t cur = r->top / REPLAY_BLOCK_BITS;
		uint64_t diff = seq / REPLAY_BLOCK_BITS - cur;
		if (diff > REPLAY_BLOCKS)
			diff = REPLAY_BLOCKS;
		for (uint64_t i = 1; i <= diff; i++)
			r->bitmap[(cur + i) & (REPLAY_BLOCKS - 1)] = 0;
		r->top = seq;
	}
	r->bitmap[(seq / REPLAY_BLOCK_BITS) & (REPLAY_BLOCKS - 1)] |=
		UINT64_C(1) << (seq % REPLAY_BLOCK_BITS);
	return true;
}

/* Reassembly of IKE fragments (RFC 7383 §2.6): the plaintext of each
 * fragment, kept per IKE SA and message until all Total Fragments are there.
 * Only fragments that passed their integrity check reach this file, so a
 * forger can neither fill nor reset a reassembly; a peer is still bounded
 * in count (IKE_FRAG_MAX), bytes (IKE_REASM_MAX) and time. */
#include <stdlib.h>
#include <string.h>
#include "ike_internal.h"

struct ike_reasm {
	uint32_t msg_id;
	uint16_t total, have;
	uint8_t first_np;                /* Next Payload of fragment 1 */
	size_t bytes;
	uint64_t started_ms;
	uint8_t *part[IKE_FRAG_MAX];     /* fragment i + 1, NULL until it came */
	size_t len[IKE_FRAG_MAX];
};

void ike_reasm_free(struct ike_reasm **slot)
{
	struct ike_reasm *r = *slot;

	if (!r)
		return;
	for (size_t i = 0; i < IKE_FRAG_MAX; i++)
		free(r->part[i]);
	free(r);
	*slot = NULL;
}

static bool starts_over(const struct ike_reasm *r, uint32_t msg_id, uint16_t total, uint64_t now)
{
	/* §2.6: a larger Total Fragments means the sender fragmented the
	 * message again (smaller pieces after losses): what we kept is void */
	return r->msg_id != msg_id || total > r->total || now - r->started_ms > IKE_REASM_TIMEOUT_MS;
}

enum ike_reasm_result ike_reasm_add(struct ike_reasm **slot, uint32_t msg_id, uint16_t num,
				    uint16_t total, uint8_t np, const uint8_t *data, size_t len,
				    uint64_t now_ms)
{
	struct ike_reasm *r = *slot;

	if (r && starts_over(r, msg_id, total, now_ms))
		ike_reasm_free(slot);
	else if (r && total < r->total)
		return IKE_REASM_STALE;   /* a fragment of an older fragmentation */
	if (!*slot) {
		*slot = calloc(1, sizeof(**slot));
		if (!*slot)
			return IKE_REASM_NOMEM;
		(*slot)->msg_id = msg_id;
		(*slot)->total = total;
		(*slot)->started_ms = now_ms;
	}
	r = *slot;
	if (r->part[num - 1])
		return IKE_REASM_DUPLICATE;
	if (len > IKE_REASM_MAX - r->bytes) {
		ike_reasm_free(slot);
		return IKE_REASM_TOO_LARGE;
	}
	r->part[num - 1] = malloc(len ? len : 1);
	if (!r->part[num - 1])
		return IKE_REASM_NOMEM;
	memcpy(r->part[num - 1], data, len);
	r->len[num - 1] = len;
	r->bytes += len;
	if (num == 1)
		r->first_np = np;
	return ++r->have == r->total ? IKE_REASM_COMPLETE : IKE_REASM_KEPT;
}

int ike_reasm_take(struct ike_reasm **slot, uint8_t **out, size_t *len, uint8_t *first)
{
	struct ike_reasm *r = *slot;
	size_t off = 0;
	uint8_t *buf;

	if (!r || r->have != r->total)
		return -EINVAL;
	buf = malloc(r->bytes ? r->bytes : 1);
	if (!buf) {
		ike_reasm_free(slot);
		return -ENOMEM;
	}
	for (size_t i = 0; i < r->total; i++) {
		memcpy(buf + off, r->part[i], r->len[i]);
		off += r->len[i];
	}
	*out = buf;
	*len = off;
	*first = r->first_np;
	ike_reasm_free(slot);
	return 0;
}

uint64_t ike_reasm_deadline(const struct ike_sa *sa)
{
	uint64_t due = UINT64_MAX;

	for (size_t i = 0; i < 2; i++)
		if (sa->reasm[i] && sa->reasm[i]->started_ms + IKE_REASM_TIMEOUT_MS + 1 < due)
			due = sa->reasm[i]->started_ms + IKE_REASM_TIMEOUT_MS + 1;
	return due;
}

void ike_reasm_expire(struct ike_sa *sa, uint64_t now_ms)
{
	for (size_t i = 0; i < 2; i++)
		if (sa->reasm[i] && now_ms - sa->reasm[i]->started_ms > IKE_REASM_TIMEOUT_MS)
			ike_reasm_free(&sa->reasm[i]);
}

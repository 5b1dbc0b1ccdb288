/* libFuzzer target for the AES-CBC + HMAC-SHA2 SK payload (ike_sk_open with
 * a classic suite). Input: flags byte, AAD length byte, message.
 *   flags bits 0-1: suite (aes128-sha256, aes256-sha256, aes256-sha384,
 *                   aes256-sha512), fixed keys;
 *   flags bit 7: 0 = open the message as received: only 0, -EINVAL or
 *                -EBADMSG, and on -EBADMSG the buffer is untouched (the ICV
 *                is checked before a block is decrypted);
 *                1 = the bytes after the AAD are the plaintext: seal, open
 *                again, and the same plaintext must come back. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "linegate/ike_crypto.h"
#include "linegate/ikev2.h"

static const struct { unsigned bits; int integ; } suites[4] = {
	{ 128, IKEV2_INTEG_HMAC_SHA2_256_128 },
	{ 256, IKEV2_INTEG_HMAC_SHA2_256_128 },
	{ 256, IKEV2_INTEG_HMAC_SHA2_384_192 },
	{ 256, IKEV2_INTEG_HMAC_SHA2_512_256 },
};
static const uint8_t ekey[32] = "linegate-fuzz-cbc-encryption-k!";
static const uint8_t akey[64] = "linegate-fuzz-cbc-integrity-key-0123456789abcdef0123456789abcde";

static void round_trip(const struct ike_sk_key *k, const uint8_t *in, size_t aad_len,
		       size_t plain_len)
{
	size_t cap = aad_len + plain_len + ike_sk_cbc_overhead(k->integ, plain_len), out = 0;
	uint8_t *msg = calloc(1, cap);
	const uint8_t *plain = NULL;
	size_t got = 0;

	if (!msg)
		return;
	memcpy(msg, in, aad_len);
	memcpy(msg + aad_len + IKEV2_CBC_IV_LEN, in + aad_len, plain_len);
	if (ike_sk_seal(k, msg, aad_len, plain_len, cap, &out) == 0) {
		if (out != cap || ike_sk_open(k, msg, aad_len, out, &plain, &got) != 0 ||
		    got != plain_len || memcmp(plain, in + aad_len, plain_len) != 0)
			abort();
	}
	free(msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ike_sk_key k;
	const uint8_t *plain = NULL;
	size_t aad_len, len, plain_len = 0;
	uint8_t *msg, *copy;
	int rc;

	if (size < 2)
		return 0;
	k = (struct ike_sk_key){ IKEV2_ENCR_AES_CBC, suites[data[0] & 3].bits,
				 suites[data[0] & 3].integ, ekey, akey };
	aad_len = data[1];
	len = size - 2;
	if (data[0] & 0x80) {
		if (aad_len >= IKEV2_GENERIC_PAYLOAD_HEADER_LEN && aad_len <= len)
			round_trip(&k, data + 2, aad_len, len - aad_len);
		return 0;
	}
	msg = malloc(len ? len : 1);
	copy = malloc(len ? len : 1);
	if (!msg || !copy)
		goto out;
	memcpy(msg, data + 2, len);
	memcpy(copy, data + 2, len);
	rc = ike_sk_open(&k, msg, aad_len, len, &plain, &plain_len);
	if (rc == 0) {
		if (plain != msg + aad_len + IKEV2_CBC_IV_LEN || plain_len > len)
			abort();
	} else if (rc == -EBADMSG) {
		if (memcmp(msg, copy, len) != 0)
			abort();   /* decrypted before the ICV was checked */
	} else if (rc != -EINVAL) {
		abort();
	}
out:
	free(msg);
	free(copy);
	return 0;
}

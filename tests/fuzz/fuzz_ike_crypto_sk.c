/* libFuzzer target for ike_sk_decrypt, the first code that touches an SK
 * payload from the network. Input: flags byte, AAD length byte, message.
 *   flags bit 0: 0 = ChaCha20-Poly1305, 1 = AES-256-GCM
 *   flags bit 7: 0 = decrypt the message as received, with a fixed key (SK_ei
 *                of the captured ChaCha20 / AES-GCM PSK session, so the
 *                captures' initiator messages in the seed corpus decrypt and
 *                mutations of them exercise the ICV check);
 *                1 = the bytes after the AAD are IV | plaintext (padding and
 *                pad length included): seal them here with libsodium, then
 *                check that ike_sk_decrypt accepts exactly the well-padded
 *                ones and returns the right slice (reaches the code after
 *                the ICV). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "linegate/ike_crypto.h"
#include "linegate/ikev2.h"

static const uint8_t key_chacha[IKE_AEAD_KEYMAX] = {
	0x24, 0x86, 0x18, 0x6e, 0x95, 0xc5, 0x22, 0x88, 0x49, 0x30, 0x99, 0xd8,
	0x28, 0xe8, 0x1b, 0x54, 0x3a, 0xb2, 0xfb, 0x8f, 0x47, 0x3f, 0x9f, 0x69,
	0xb7, 0xf7, 0xfb, 0x09, 0x05, 0x6d, 0x2d, 0xfd, 0xb5, 0xef, 0x3b, 0xa3,
};
static const uint8_t key_gcm[IKE_AEAD_KEYMAX] = {
	0x3a, 0x30, 0x50, 0x48, 0xa5, 0xa2, 0xc7, 0x06, 0xc1, 0xf5, 0x30, 0xff,
	0x7a, 0xb7, 0x65, 0x42, 0x5f, 0xcf, 0x3d, 0xca, 0x86, 0x83, 0x59, 0x8c,
	0xd1, 0x48, 0x33, 0x91, 0x2a, 0x8b, 0xb2, 0x08, 0x92, 0x16, 0xad, 0x80,
};

static void seal_and_check(int encr, const uint8_t *key, uint8_t *msg, size_t aad_len, size_t len)
{
	uint8_t nonce[12];
	const uint8_t *plain = NULL;
	size_t ct_len, plain_len = 0, pad;
	uint8_t *body;
	int rc;

	if (len < aad_len + IKEV2_AEAD_IV_LEN + 1 + IKEV2_AEAD_ICV_LEN)
		return;
	ct_len = len - aad_len - IKEV2_AEAD_IV_LEN - IKEV2_AEAD_ICV_LEN;
	body = msg + aad_len + IKEV2_AEAD_IV_LEN;
	memcpy(nonce, key + 32, 4);
	memcpy(nonce + 4, msg + aad_len, 8);
	pad = body[ct_len - 1];
	if (encr == IKEV2_ENCR_CHACHA20_POLY1305)
		crypto_aead_chacha20poly1305_ietf_encrypt_detached(body, body + ct_len, NULL, body,
								   ct_len, msg, aad_len, NULL,
								   nonce, key);
	else
		crypto_aead_aes256gcm_encrypt_detached(body, body + ct_len, NULL, body, ct_len, msg,
						       aad_len, NULL, nonce, key);
	rc = ike_sk_decrypt(encr, key, msg, aad_len, len, &plain, &plain_len);
	if (pad + 1 > ct_len) {
		if (rc != -EINVAL)
			abort();
		return;
	}
	if (rc != 0 || plain != body || plain_len != ct_len - 1 - pad)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *plain = NULL;
	size_t aad_len, len, plain_len = 0;
	const uint8_t *key;
	uint8_t *msg;
	int encr, rc;

	if (size < 2 || sodium_init() < 0)
		return 0;
	encr = data[0] & 1 ? IKEV2_ENCR_AES_GCM_16 : IKEV2_ENCR_CHACHA20_POLY1305;
	key = data[0] & 1 ? key_gcm : key_chacha;
	if (!ike_encr_supported(encr, 256))
		return 0;
	aad_len = data[1];
	len = size - 2;
	msg = malloc(len ? len : 1);
	if (!msg)
		return 0;
	memcpy(msg, data + 2, len);
	if (data[0] & 0x80) {
		if (aad_len >= IKEV2_GENERIC_PAYLOAD_HEADER_LEN)
			seal_and_check(encr, key, msg, aad_len, len);
	} else {
		rc = ike_sk_decrypt(encr, key, msg, aad_len, len, &plain, &plain_len);
		if (rc == 0) {
			/* The plaintext must lie inside the message, after the IV. */
			if (plain != msg + aad_len + IKEV2_AEAD_IV_LEN ||
			    plain_len + aad_len + ike_sk_overhead() > len)
				abort();
			volatile uint8_t sink = 0;
			for (size_t i = 0; i < plain_len; i++)
				sink ^= plain[i];
			(void)sink;
		} else if (rc != -EINVAL && rc != -EBADMSG) {
			abort();
		}
	}
	free(msg);
	return 0;
}

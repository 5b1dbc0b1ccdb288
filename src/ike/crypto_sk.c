/* The Encrypted payload with an AEAD cipher (RFC 5282 §3-5 for AES-GCM,
 * RFC 7634 §3-4 for ChaCha20-Poly1305): nonce = 4-byte salt from the key
 * material | 8-byte explicit IV, AAD = IKE header through the SK generic
 * header, 16-byte ICV. Decryption verifies the ICV before a byte of
 * plaintext is used, and then checks the padding. */
#include <errno.h>
#include <string.h>
#include <sodium.h>

#include "linegate/ike_crypto.h"
#include "linegate/ikev2.h"
#include "crypto_internal.h"

enum { AEAD_KEY_LEN = 32, NONCE_LEN = IKEV2_AEAD_SALT_LEN + IKEV2_AEAD_IV_LEN };

size_t ike_aead_keymat_len(int encr, unsigned keybits)
{
	switch (encr) {
	case IKEV2_ENCR_CHACHA20_POLY1305:
		/* RFC 7634 §3: no Key Length attribute (0); accept an explicit 256. */
		return keybits == 0 || keybits == 256 ? AEAD_KEY_LEN + IKEV2_AEAD_SALT_LEN : 0;
	case IKEV2_ENCR_AES_GCM_16:
		return keybits == 256 ? AEAD_KEY_LEN + IKEV2_AEAD_SALT_LEN : 0;
	default:
		return 0;
	}
}

bool ike_encr_is_aead(int encr)
{
	return encr == IKEV2_ENCR_CHACHA20_POLY1305 || encr == IKEV2_ENCR_AES_GCM_16;
}

size_t ike_encr_key_len(int encr, unsigned keybits)
{
	if (encr == IKEV2_ENCR_AES_CBC)
		return keybits == 128 || keybits == 256 ? keybits / 8 : 0;
	return ike_aead_keymat_len(encr, keybits);
}

size_t ike_sk_iv_len(int encr)
{
	return encr == IKEV2_ENCR_AES_CBC ? IKEV2_CBC_IV_LEN : IKEV2_AEAD_IV_LEN;
}

int ike_sk_seal(const struct ike_sk_key *k, uint8_t *msg, size_t aad_len, size_t plain_len,
		size_t cap, size_t *out_len)
{
	if (!k)
		return -EINVAL;
	if (k->encr == IKEV2_ENCR_AES_CBC)
		return ike_sk_cbc_encrypt(k, msg, aad_len, plain_len, cap, out_len);
	if (k->integ)
		return -EINVAL;   /* an AEAD takes no integrity transform */
	return ike_sk_encrypt(k->encr, k->ekey, msg, aad_len, plain_len, cap, out_len);
}

int ike_sk_open(const struct ike_sk_key *k, uint8_t *msg, size_t aad_len, size_t msg_len,
		const uint8_t **plain, size_t *plain_len)
{
	if (!k)
		return -EINVAL;
	if (k->encr == IKEV2_ENCR_AES_CBC)
		return ike_sk_cbc_decrypt(k, msg, aad_len, msg_len, plain, plain_len);
	if (k->integ)
		return -EINVAL;
	return ike_sk_decrypt(k->encr, k->ekey, msg, aad_len, msg_len, plain, plain_len);
}

bool ike_encr_supported(int encr, unsigned keybits)
{
	if (encr == IKEV2_ENCR_AES_CBC)
		return ike_encr_key_len(encr, keybits) != 0;
	if (!ike_aead_keymat_len(encr, keybits) || ike_crypto_init())
		return false;
	/* libsodium's AES-GCM exists only with AES-NI + PCLMUL. */
	if (encr == IKEV2_ENCR_AES_GCM_16)
		return crypto_aead_aes256gcm_is_available() == 1;
	return true;
}

size_t ike_sk_overhead(void)
{
	return IKEV2_AEAD_IV_LEN + 1 + IKEV2_AEAD_ICV_LEN;
}

static int aead_seal(int encr, const uint8_t *key, const uint8_t *nonce, uint8_t *buf,
		     size_t len, const uint8_t *aad, size_t aad_len, uint8_t *icv)
{
	unsigned long long maclen = 0;

	if (encr == IKEV2_ENCR_CHACHA20_POLY1305)
		return crypto_aead_chacha20poly1305_ietf_encrypt_detached(
			buf, icv, &maclen, buf, len, aad, aad_len, NULL, nonce, key) ? -EIO : 0;
	if (encr == IKEV2_ENCR_AES_GCM_16 && ike_encr_supported(encr, 256))
		return crypto_aead_aes256gcm_encrypt_detached(
			buf, icv, &maclen, buf, len, aad, aad_len, NULL, nonce, key) ? -EIO : 0;
	return -ENOTSUP;
}

static int aead_open(int encr, const uint8_t *key, const uint8_t *nonce, uint8_t *buf,
		     size_t len, const uint8_t *aad, size_t aad_len, const uint8_t *icv)
{
	if (encr == IKEV2_ENCR_CHACHA20_POLY1305)
		return crypto_aead_chacha20poly1305_ietf_decrypt_detached(
			buf, NULL, buf, len, icv, aad, aad_len, nonce, key) ? -EBADMSG : 0;
	if (encr == IKEV2_ENCR_AES_GCM_16 && ike_encr_supported(encr, 256))
		return crypto_aead_aes256gcm_decrypt_detached(
			buf, NULL, buf, len, icv, aad, aad_len, nonce, key) ? -EBADMSG : 0;
	return -ENOTSUP;
}

static void make_nonce(uint8_t nonce[NONCE_LEN], const uint8_t *key_salt, const uint8_t *iv)
{
	memcpy(nonce, key_salt + AEAD_KEY_LEN, IKEV2_AEAD_SALT_LEN);
	memcpy(nonce + IKEV2_AEAD_SALT_LEN, iv, IKEV2_AEAD_IV_LEN);
}

int ike_sk_encrypt(int encr, const uint8_t *key_salt, uint8_t *msg, size_t aad_len,
		   size_t plain_len, size_t cap, size_t *out_len)
{
	uint8_t nonce[NONCE_LEN];
	uint8_t *iv, *body;
	size_t total;
	int rc;

	if (!key_salt || !msg || !out_len || aad_len < IKEV2_GENERIC_PAYLOAD_HEADER_LEN)
		return -EINVAL;
	if (!ike_aead_keymat_len(encr, 256))
		return -ENOTSUP;
	if (plain_len > IKEV2_MAX_MESSAGE || aad_len > IKEV2_MAX_MESSAGE)
		return -EMSGSIZE;
	total = aad_len + ike_sk_overhead() + plain_len;
	if (total > cap || total > IKEV2_MAX_MESSAGE)
		return -EMSGSIZE;
	if (ike_crypto_init())
		return -EIO;
	iv = msg + aad_len;
	body = iv + IKEV2_AEAD_IV_LEN;
	/* RFC 5282 §3 / RFC 7634 §2: the IV must never repeat under one key;
	 * 64 random bits over an IKE SA's few thousand messages is safe. */
	randombytes_buf(iv, IKEV2_AEAD_IV_LEN);
	body[plain_len] = 0; /* pad length: AEADs need no padding (RFC 5282 §3) */
	make_nonce(nonce, key_salt, iv);
	rc = aead_seal(encr, key_salt, nonce, body, plain_len + 1, msg, aad_len,
		       body + plain_len + 1);
	sodium_memzero(nonce, sizeof(nonce));
	if (rc)
		return rc;
	*out_len = total;
	return 0;
}

int ike_sk_decrypt(int encr, const uint8_t *key_salt, uint8_t *msg, size_t aad_len,
		   size_t msg_len, const uint8_t **plain, size_t *plain_len)
{
	uint8_t nonce[NONCE_LEN];
	uint8_t *body;
	size_t ct_len, pad;
	int rc;

	if (!key_salt || !msg || !plain || !plain_len || aad_len < IKEV2_GENERIC_PAYLOAD_HEADER_LEN)
		return -EINVAL;
	if (!ike_aead_keymat_len(encr, 256))
		return -ENOTSUP;
	/* At least IV, the pad-length byte and the ICV (RFC 7296 §3.14). */
	if (msg_len < aad_len || msg_len - aad_len < ike_sk_overhead())
		return -EINVAL;
	if (ike_crypto_init())
		return -EIO;
	ct_len = msg_len - aad_len - IKEV2_AEAD_IV_LEN - IKEV2_AEAD_ICV_LEN;
	body = msg + aad_len + IKEV2_AEAD_IV_LEN;
	make_nonce(nonce, key_salt, msg + aad_len);
	rc = aead_open(encr, key_salt, nonce, body, ct_len, msg, aad_len, body + ct_len);
	sodium_memzero(nonce, sizeof(nonce));
	if (rc)
		return rc;
	/* Authenticated, yet the pad length must still fit (§3.14). */
	pad = body[ct_len - 1];
	if (pad + 1 > ct_len)
		return -EINVAL;
	*plain = body;
	*plain_len = ct_len - 1 - pad;
	return 0;
}

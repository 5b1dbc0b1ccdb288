/* The two ESP AEADs on libsodium's detached APIs: ChaCha20-Poly1305 (RFC 7634)
 * and AES-256-GCM with a 16-byte ICV (RFC 4106). Both build the 12-byte nonce
 * as salt(4) || IV(8) (RFC 7634 §2, RFC 4106 §4); AES-GCM keys are expanded
 * once at install (crypto_aead_aes256gcm_beforenm), not per packet. */
#include <errno.h>
#include <string.h>
#include "esp_internal.h"

const char *esp_verdict_name(enum esp_verdict v)
{
	static const char *const names[ESP_VERDICT_COUNT] = {
		[ESP_OK] = "ok",
		[ESP_DROP_MALFORMED] = "malformed",
		[ESP_DROP_NO_SA] = "no_sa",
		[ESP_DROP_BAD_SPI] = "bad_spi",
		[ESP_DROP_REPLAY] = "replay",
		[ESP_DROP_AUTH] = "auth",
		[ESP_DROP_PADDING] = "padding",
		[ESP_DROP_SELECTOR] = "selector",
		[ESP_DROP_SEQ_EXHAUSTED] = "seq_exhausted",
		[ESP_DROP_LIFETIME] = "lifetime",
		[ESP_DROP_NEXT_HEADER] = "next_header",
		[ESP_DROP_DUMMY] = "dummy",
	};
	return (unsigned)v < ESP_VERDICT_COUNT ? names[v] : "unknown";
}

bool esp_cipher_available(enum esp_cipher c)
{
	if (sodium_init() < 0)
		return false;
	switch (c) {
	case ESP_CIPHER_CHACHA20_POLY1305:
	case ESP_CIPHER_AES_CBC:   /* nettle, with or without AES-NI */
		return true;
	case ESP_CIPHER_AES256_GCM16:
		/* libsodium's AES-GCM needs AES-NI + PCLMUL; no slow fallback. */
		return crypto_aead_aes256gcm_is_available() == 1;
	}
	return false;
}

int esp_aead_init(struct esp_aead *a, enum esp_cipher c, const uint8_t key[32],
		  const uint8_t salt[4])
{
	if (c != ESP_CIPHER_CHACHA20_POLY1305 && c != ESP_CIPHER_AES256_GCM16)
		return -EINVAL;
	if (!esp_cipher_available(c))
		return -ENOTSUP;
	sodium_memzero(a, sizeof(*a));
	a->cipher = c;
	memcpy(a->salt, salt, sizeof(a->salt));
	if (c == ESP_CIPHER_AES256_GCM16)
		crypto_aead_aes256gcm_beforenm(&a->k.gcm, key);
	else
		memcpy(a->k.chacha, key, sizeof(a->k.chacha));
	return 0;
}

static void make_nonce(const struct esp_aead *a, const uint8_t iv[ESP_IV_LEN], uint8_t nonce[12])
{
	memcpy(nonce, a->salt, IKEV2_AEAD_SALT_LEN);
	memcpy(nonce + IKEV2_AEAD_SALT_LEN, iv, ESP_IV_LEN);
}

void esp_aead_seal(const struct esp_aead *a, const uint8_t iv[ESP_IV_LEN],
		   const uint8_t *aad, size_t aad_len, uint8_t *buf, size_t len,
		   uint8_t icv[ESP_ICV_LEN])
{
	uint8_t nonce[12];
	unsigned long long maclen;

	make_nonce(a, iv, nonce);
	if (a->cipher == ESP_CIPHER_AES256_GCM16)
		crypto_aead_aes256gcm_encrypt_detached_afternm(buf, icv, &maclen, buf, len,
							       aad, aad_len, NULL, nonce,
							       &a->k.gcm);
	else
		crypto_aead_chacha20poly1305_ietf_encrypt_detached(buf, icv, &maclen, buf, len,
								   aad, aad_len, NULL, nonce,
								   a->k.chacha);
}

bool esp_aead_open(const struct esp_aead *a, const uint8_t iv[ESP_IV_LEN],
		   const uint8_t *aad, size_t aad_len, uint8_t *buf, size_t len,
		   const uint8_t icv[ESP_ICV_LEN])
{
	uint8_t nonce[12];
	int rc;

	make_nonce(a, iv, nonce);
	/* Both verify the tag (constant time) before releasing plaintext. */
	if (a->cipher == ESP_CIPHER_AES256_GCM16)
		rc = crypto_aead_aes256gcm_decrypt_detached_afternm(buf, NULL, buf, len, icv,
								    aad, aad_len, nonce,
								    &a->k.gcm);
	else
		rc = crypto_aead_chacha20poly1305_ietf_decrypt_detached(buf, NULL, buf, len, icv,
									aad, aad_len, nonce,
									a->k.chacha);
	return rc == 0;
}

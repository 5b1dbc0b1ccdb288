/* ESP with a classic suite: AES-CBC (RFC 3602) then HMAC-SHA2 (RFC 4868)
 * over SPI .. ciphertext, encrypt-then-MAC (RFC 4303 §3.3.2); with ESN the
 * high half of the sequence number is appended to what the MAC covers but
 * never sent (§3.3.2.1). nettle's key schedules and HMAC states are plain
 * structs set up once at install and only read per packet, so any number of
 * workers share them without a lock, nothing is allocated per packet and
 * the per-packet copies of the HMAC state are wiped (docs/crypto.md).
 *
 * The IV must be unpredictable (RFC 3602 §2.1): it is the encryption of the
 * sequence number under a random per-SA key (NIST SP 800-38A appendix C),
 * unique because the number never repeats on an SA, and costs one AES
 * block instead of a getrandom() per packet. */
#include <endian.h>
#include <errno.h>
#include <string.h>
#include <nettle/cbc.h>
#include "esp_internal.h"

static size_t integ_key_len(int integ)
{
	switch (integ) {
	case IKEV2_INTEG_HMAC_SHA2_256_128: return 32;
	case IKEV2_INTEG_HMAC_SHA2_384_192: return 48;
	case IKEV2_INTEG_HMAC_SHA2_512_256: return 64;
	default: return 0;
	}
}

size_t esp_cbc_key_len(unsigned keybits, int integ, size_t *integ_len)
{
	*integ_len = integ_key_len(integ);
	return (keybits == 128 || keybits == 256) && *integ_len ? keybits / 8 : 0;
}

int esp_cbc_init(struct esp_cbc *c, unsigned keybits, int integ, const uint8_t *key,
		 const uint8_t *integ_key, bool outbound)
{
	size_t alen;

	if (!esp_cbc_key_len(keybits, integ, &alen))
		return -EINVAL;
	sodium_memzero(c, sizeof(*c));
	c->keybits = (uint16_t)keybits;
	c->integ = (uint16_t)integ;
	c->icv_len = (uint8_t)(alen / 2);   /* RFC 4868 §2.3: half the output */
	c->outbound = outbound;
	if (keybits == 128 && outbound)
		aes128_set_encrypt_key(&c->aes.a128, key);
	else if (keybits == 128)
		aes128_set_decrypt_key(&c->aes.a128, key);
	else if (outbound)
		aes256_set_encrypt_key(&c->aes.a256, key);
	else
		aes256_set_decrypt_key(&c->aes.a256, key);
	if (outbound) {
		uint8_t ivk[32];
		randombytes_buf(ivk, sizeof(ivk));
		aes256_set_encrypt_key(&c->ivk, ivk);
		sodium_memzero(ivk, sizeof(ivk));
	}
	if (integ == IKEV2_INTEG_HMAC_SHA2_256_128)
		hmac_sha256_set_key(&c->mac.s256, alen, integ_key);
	else if (integ == IKEV2_INTEG_HMAC_SHA2_384_192)
		hmac_sha384_set_key(&c->mac.s512, alen, integ_key);
	else
		hmac_sha512_set_key(&c->mac.s512, alen, integ_key);
	return 0;
}

/* HMAC over pkt[0..len) (+ seq_hi with ESN), truncated to the ICV length. */
static void mac(const struct esp_cbc *c, const uint8_t *pkt, size_t len, bool esn,
		uint32_t seq_hi, uint8_t *icv)
{
	uint32_t hi = htobe32(seq_hi);
	union esp_cbc_mac m = c->mac;   /* the shared state stays untouched */

	if (c->integ == IKEV2_INTEG_HMAC_SHA2_256_128) {
		hmac_sha256_update(&m.s256, len, pkt);
		if (esn)
			hmac_sha256_update(&m.s256, 4, (const uint8_t *)&hi);
		hmac_sha256_digest(&m.s256, c->icv_len, icv);
	} else {
		hmac_sha512_update(&m.s512, len, pkt);   /* SHA-384 shares it */
		if (esn)
			hmac_sha512_update(&m.s512, 4, (const uint8_t *)&hi);
		if (c->integ == IKEV2_INTEG_HMAC_SHA2_384_192)
			hmac_sha384_digest(&m.s512, c->icv_len, icv);
		else
			hmac_sha512_digest(&m.s512, c->icv_len, icv);
	}
	sodium_memzero(&m, sizeof(m));
}

void esp_cbc_seal(const struct esp_cbc *c, uint8_t *pkt, uint64_t seq, bool esn, size_t ct_len)
{
	uint8_t *iv = pkt + ESP_HEADER_LEN, *ct = iv + ESP_CBC_IV_LEN, chain[ESP_CBC_IV_LEN];
	uint64_t block[2] = { 0, htobe64(seq) };

	aes256_encrypt(&c->ivk, ESP_CBC_IV_LEN, iv, (const uint8_t *)block);
	memcpy(chain, iv, sizeof(chain));   /* nettle advances the IV it is given */
	if (c->keybits == 128)
		cbc_aes128_encrypt(&c->aes.a128, chain, ct_len, ct, ct);
	else
		cbc_aes256_encrypt(&c->aes.a256, chain, ct_len, ct, ct);
	mac(c, pkt, ESP_CBC_HEADROOM + ct_len, esn, (uint32_t)(seq >> 32), ct + ct_len);
}

bool esp_cbc_open(const struct esp_cbc *c, uint8_t *pkt, uint64_t seq, bool esn, size_t ct_len)
{
	uint8_t *ct = pkt + ESP_CBC_HEADROOM, want[ESP_CBC_ICV_MAX], chain[ESP_CBC_IV_LEN];

	mac(c, pkt, ESP_CBC_HEADROOM + ct_len, esn, (uint32_t)(seq >> 32), want);
	bool ok = sodium_memcmp(want, ct + ct_len, c->icv_len) == 0;   /* constant time */
	if (!ok)
		return false;   /* not a block decrypted */
	memcpy(chain, pkt + ESP_HEADER_LEN, sizeof(chain));
	if (c->keybits == 128)
		cbc_decrypt(&c->aes.a128, (nettle_cipher_func *)aes128_decrypt, ESP_CBC_BLOCK, chain,
			    ct_len, ct, ct);
	else
		cbc_decrypt(&c->aes.a256, (nettle_cipher_func *)aes256_decrypt, ESP_CBC_BLOCK, chain,
			    ct_len, ct, ct);
	return true;
}

/* The Encrypted payload with a classic suite (RFC 7296 §3.14): AES-CBC
 * (RFC 3602, 16-byte random IV, padding to the block) and HMAC-SHA2
 * integrity (RFC 4868: -256-128, -384-192, -512-256) over the whole message
 * from the IKE header to the end of the ciphertext. The ICV is checked, in
 * constant time, before a block is decrypted. nettle's contexts are plain
 * structs (docs/crypto.md), so nothing is allocated and all is wiped. */
#include <errno.h>
#include <string.h>
#include <nettle/aes.h>
#include <nettle/cbc.h>
#include <nettle/hmac.h>
#include <sodium.h>

#include "linegate/ike_crypto.h"
#include "linegate/ikev2.h"
#include "crypto_internal.h"

enum { BLOCK = 16 };

size_t ike_integ_key_len(int integ)
{
	switch (integ) {
	case IKEV2_INTEG_HMAC_SHA2_256_128: return 32;
	case IKEV2_INTEG_HMAC_SHA2_384_192: return 48;
	case IKEV2_INTEG_HMAC_SHA2_512_256: return 64;
	default: return 0;
	}
}

size_t ike_integ_icv_len(int integ)
{
	return ike_integ_key_len(integ) / 2;   /* RFC 4868 §2.3: half the output */
}

/* HMAC(key, a | b) truncated to the ICV length (nettle truncates). */
int ike_crypto_hmac(int integ, const uint8_t *key, const uint8_t *a, size_t alen,
		    const uint8_t *b, size_t blen, uint8_t *icv)
{
	size_t klen = ike_integ_key_len(integ), n = ike_integ_icv_len(integ);
	union {
		struct hmac_sha256_ctx s256;
		struct hmac_sha512_ctx s512;   /* also SHA-384's */
	} c;

	switch (integ) {
	case IKEV2_INTEG_HMAC_SHA2_256_128:
		hmac_sha256_set_key(&c.s256, klen, key);
		hmac_sha256_update(&c.s256, alen, a);
		hmac_sha256_update(&c.s256, blen, b);
		hmac_sha256_digest(&c.s256, n, icv);
		break;
	case IKEV2_INTEG_HMAC_SHA2_384_192:
		hmac_sha384_set_key(&c.s512, klen, key);
		hmac_sha384_update(&c.s512, alen, a);
		hmac_sha384_update(&c.s512, blen, b);
		hmac_sha384_digest(&c.s512, n, icv);
		break;
	case IKEV2_INTEG_HMAC_SHA2_512_256:
		hmac_sha512_set_key(&c.s512, klen, key);
		hmac_sha512_update(&c.s512, alen, a);
		hmac_sha512_update(&c.s512, blen, b);
		hmac_sha512_digest(&c.s512, n, icv);
		break;
	default:
		return -ENOTSUP;
	}
	sodium_memzero(&c, sizeof(c));
	return 0;
}

/* AES-CBC in place; len is a multiple of the block. iv is consumed. */
static void cbc(bool enc, unsigned keybits, const uint8_t *key, uint8_t *iv, uint8_t *buf,
		size_t len)
{
	union {
		struct aes128_ctx a128;
		struct aes256_ctx a256;
	} c;

	if (keybits == 128 && enc) {
		aes128_set_encrypt_key(&c.a128, key);
		cbc_aes128_encrypt(&c.a128, iv, len, buf, buf);
	} else if (keybits == 128) {
		aes128_set_decrypt_key(&c.a128, key);
		cbc_decrypt(&c.a128, (nettle_cipher_func *)aes128_decrypt, BLOCK, iv, len, buf, buf);
	} else if (enc) {
		aes256_set_encrypt_key(&c.a256, key);
		cbc_aes256_encrypt(&c.a256, iv, len, buf, buf);
	} else {
		aes256_set_decrypt_key(&c.a256, key);
		cbc_decrypt(&c.a256, (nettle_cipher_func *)aes256_decrypt, BLOCK, iv, len, buf, buf);
	}
	sodium_memzero(&c, sizeof(c));
}

static bool suite_ok(const struct ike_sk_key *k)
{
	return k->encr == IKEV2_ENCR_AES_CBC && (k->keybits == 128 || k->keybits == 256) &&
	       ike_integ_key_len(k->integ) && k->ekey && k->akey;
}

size_t ike_sk_cbc_overhead(int integ, size_t plain_len)
{
	size_t body = plain_len + 1, pad = (BLOCK - body % BLOCK) % BLOCK;
	return IKEV2_CBC_IV_LEN + pad + 1 + ike_integ_icv_len(integ);
}

int ike_sk_cbc_encrypt(const struct ike_sk_key *k, uint8_t *msg, size_t aad_len,
		       size_t plain_len, size_t cap, size_t *out_len)
{
	size_t total, ct_len, icv_len;
	uint8_t iv[IKEV2_CBC_IV_LEN], *body;

	if (!k || !suite_ok(k) || !msg || !out_len || aad_len < IKEV2_GENERIC_PAYLOAD_HEADER_LEN)
		return -EINVAL;
	if (plain_len > IKEV2_MAX_MESSAGE || aad_len > IKEV2_MAX_MESSAGE)
		return -EMSGSIZE;
	total = aad_len + ike_sk_cbc_overhead(k->integ, plain_len) + plain_len;
	if (total > cap || total > IKEV2_MAX_MESSAGE)
		return -EMSGSIZE;
	if (ike_crypto_init())
		return -EIO;
	icv_len = ike_integ_icv_len(k->integ);
	ct_len = total - aad_len - IKEV2_CBC_IV_LEN - icv_len;
	body = msg + aad_len + IKEV2_CBC_IV_LEN;
	/* RFC 3602 §2.1: an unpredictable IV for every message */
	randombytes_buf(msg + aad_len, IKEV2_CBC_IV_LEN);
	memcpy(iv, msg + aad_len, sizeof(iv));
	memset(body + plain_len, 0, ct_len - plain_len - 1);
	body[ct_len - 1] = (uint8_t)(ct_len - plain_len - 1);   /* pad length */
	cbc(true, k->keybits, k->ekey, iv, body, ct_len);
	/* encrypt-then-MAC: the ICV covers header, IV and ciphertext */
	ike_crypto_hmac(k->integ, k->akey, msg, total - icv_len, NULL, 0, msg + total - icv_len);
	*out_len = total;
	return 0;
}

int ike_sk_cbc_decrypt(const struct ike_sk_key *k, uint8_t *msg, size_t aad_len,
		       size_t msg_len, const uint8_t **plain, size_t *plain_len)
{
	uint8_t icv[IKE_INTEG_KEYMAX / 2], iv[IKEV2_CBC_IV_LEN], *body;
	size_t icv_len, ct_len, pad;
	int ok;

	if (!k || !suite_ok(k) || !msg || !plain || !plain_len ||
	    aad_len < IKEV2_GENERIC_PAYLOAD_HEADER_LEN)
		return -EINVAL;
	icv_len = ike_integ_icv_len(k->integ);
	/* IV, at least one block, ICV; whole blocks only (§3.14) */
	if (msg_len < aad_len || msg_len - aad_len < IKEV2_CBC_IV_LEN + BLOCK + icv_len)
		return -EINVAL;
	ct_len = msg_len - aad_len - IKEV2_CBC_IV_LEN - icv_len;
	if (ct_len % BLOCK)
		return -EINVAL;
	ike_crypto_hmac(k->integ, k->akey, msg, msg_len - icv_len, NULL, 0, icv);
	ok = sodium_memcmp(icv, msg + msg_len - icv_len, icv_len) == 0;
	sodium_memzero(icv, sizeof(icv));
	if (!ok)
		return -EBADMSG;
	body = msg + aad_len + IKEV2_CBC_IV_LEN;
	memcpy(iv, msg + aad_len, sizeof(iv));
	cbc(false, k->keybits, k->ekey, iv, body, ct_len);
	pad = body[ct_len - 1];
	if (pad + 1 > ct_len)
		return -EINVAL;
	*plain = body;
	*plain_len = ct_len - 1 - pad;
	return 0;
}

/* IKEv2 pseudo-random functions (RFC 7296 §2.13, RFC 4868): HMAC-SHA2-256/512
 * through libsodium's streaming API, HMAC-SHA2-384 through nettle's (which accepts keys of any length, as a
 * PRF keyed with Ni | Nr needs), and prf+ built on top. */
#include <errno.h>
#include <string.h>
#include <nettle/hmac.h>
#include <sodium.h>

#include "linegate/ike_crypto.h"
#include "linegate/ikev2.h"
#include "crypto_internal.h"

size_t ike_prf_len(int prf)
{
	switch (prf) {
	case IKEV2_PRF_HMAC_SHA2_256:
		return crypto_auth_hmacsha256_BYTES;
	case IKEV2_PRF_HMAC_SHA2_384:
		return SHA384_DIGEST_SIZE;
	case IKEV2_PRF_HMAC_SHA2_512:
		return crypto_auth_hmacsha512_BYTES;
	default:
		return 0;
	}
}

/* One PRF invocation over up to three concatenated pieces, so that callers
 * never need a temporary buffer holding secret concatenations. */
static int prf3(int prf, const uint8_t *key, size_t klen, const uint8_t *a, size_t alen,
		const uint8_t *b, size_t blen, const uint8_t *c, size_t clen, uint8_t *out)
{
	if (!key && klen)
		return -EINVAL;
	switch (prf) {
	case IKEV2_PRF_HMAC_SHA2_256: {
		crypto_auth_hmacsha256_state st;
		crypto_auth_hmacsha256_init(&st, key, klen);
		if (alen)
			crypto_auth_hmacsha256_update(&st, a, alen);
		if (blen)
			crypto_auth_hmacsha256_update(&st, b, blen);
		if (clen)
			crypto_auth_hmacsha256_update(&st, c, clen);
		crypto_auth_hmacsha256_final(&st, out);
		sodium_memzero(&st, sizeof(st));
		return 0;
	}
	case IKEV2_PRF_HMAC_SHA2_512: {
		crypto_auth_hmacsha512_state st;
		crypto_auth_hmacsha512_init(&st, key, klen);
		if (alen)
			crypto_auth_hmacsha512_update(&st, a, alen);
		if (blen)
			crypto_auth_hmacsha512_update(&st, b, blen);
		if (clen)
			crypto_auth_hmacsha512_update(&st, c, clen);
		crypto_auth_hmacsha512_final(&st, out);
		sodium_memzero(&st, sizeof(st));
		return 0;
	}
	case IKEV2_PRF_HMAC_SHA2_384: {
		/* not in libsodium: nettle's HMAC, which takes any key length too */
		struct hmac_sha384_ctx st;
		hmac_sha384_set_key(&st, klen, key);
		hmac_sha384_update(&st, alen, a);
		hmac_sha384_update(&st, blen, b);
		hmac_sha384_update(&st, clen, c);
		hmac_sha384_digest(&st, SHA384_DIGEST_SIZE, out);
		sodium_memzero(&st, sizeof(st));
		return 0;
	}
	default:
		return -ENOTSUP;
	}
}

int ike_prf(int prf, const uint8_t *key, size_t klen, const uint8_t *data, size_t dlen,
	    uint8_t *out)
{
	if (!out || (!data && dlen))
		return -EINVAL;
	return prf3(prf, key, klen, data, dlen, NULL, 0, NULL, 0, out);
}

/* prf+ (K,S) = T1 | T2 | ... with T1 = prf(K, S | 0x01),
 * Tn = prf(K, Tn-1 | S | n); the counter must not wrap (§2.13). */
int ike_prf_plus(int prf, const uint8_t *key, size_t klen, const uint8_t *seed, size_t slen,
		 uint8_t *out, size_t outlen)
{
	size_t plen = ike_prf_len(prf);
	uint8_t t[IKE_PRF_MAX];
	size_t done = 0, tlen = 0;
	uint8_t n = 1;
	int rc = 0;

	if (!plen)
		return -ENOTSUP;
	if (!out || (!seed && slen) || outlen > 255 * plen)
		return -EINVAL;
	while (done < outlen) {
		rc = prf3(prf, key, klen, t, tlen, seed, slen, &n, 1, t);
		if (rc)
			goto wipe;
		tlen = plen;
		size_t take = outlen - done < plen ? outlen - done : plen;
		memcpy(out + done, t, take);
		done += take;
		n++;
	}
wipe:
	sodium_memzero(t, sizeof(t));
	return rc;
}

int ike_crypto_prf3(int prf, const uint8_t *key, size_t klen, const uint8_t *a, size_t alen,
		    const uint8_t *b, size_t blen, const uint8_t *c, size_t clen, uint8_t *out)
{
	return prf3(prf, key, klen, a, alen, b, blen, c, clen, out);
}

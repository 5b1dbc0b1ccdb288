/* The AUTH payload (RFC 7296 §2.15): the signed octets, the PSK MIC with a
 * constant-time check, and Ed25519 signatures in the RFC 7427 Digital
 * Signature format with the id-Ed25519 AlgorithmIdentifier (RFC 8420 §2). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "linegate/ike_crypto.h"
#include "linegate/ikev2.h"
#include "crypto_internal.h"

/* RFC 7427 §3: one length byte, then SEQUENCE { OID 1.3.101.112 } (RFC 8410:
 * parameters absent for Ed25519). */
const uint8_t IKE_ED25519_ALGID[8] = { 0x07, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70 };

static const char key_pad[] = "Key Pad for IKEv2"; /* §2.15, 17 octets, no NUL */

int ike_auth_octets(int prf, const uint8_t *sk_p, const uint8_t *first_msg, size_t first_len,
		    const uint8_t *peer_nonce, size_t nonce_len,
		    const uint8_t *id_body, size_t id_len, uint8_t **out, size_t *out_len)
{
	size_t plen = ike_prf_len(prf), total;
	uint8_t *buf;
	int rc;

	if (!plen)
		return -ENOTSUP;
	if (!sk_p || !first_msg || !peer_nonce || !id_body || !out || !out_len)
		return -EINVAL;
	if (first_len > IKEV2_MAX_MESSAGE || nonce_len > IKEV2_NONCE_MAX ||
	    id_len > IKEV2_MAX_MESSAGE)
		return -EINVAL;
	total = first_len + nonce_len + plen;
	buf = malloc(total);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, first_msg, first_len);
	memcpy(buf + first_len, peer_nonce, nonce_len);
	/* MACedIDFor{I,R} = prf(SK_p{i,r}, RestOf{I,R}IDPayload) */
	rc = ike_prf(prf, sk_p, plen, id_body, id_len, buf + first_len + nonce_len);
	if (rc) {
		free(buf);
		return rc;
	}
	*out = buf;
	*out_len = total;
	return 0;
}

int ike_auth_psk(int prf, const uint8_t *psk, size_t psk_len, const uint8_t *octets,
		 size_t octets_len, uint8_t *out)
{
	uint8_t k[IKE_PRF_MAX];
	int rc;

	if (!psk || !psk_len || !octets || !out)
		return -EINVAL;
	rc = ike_prf(prf, psk, psk_len, (const uint8_t *)key_pad, sizeof(key_pad) - 1, k);
	if (!rc)
		rc = ike_prf(prf, k, ike_prf_len(prf), octets, octets_len, out);
	sodium_memzero(k, sizeof(k));
	return rc;
}

bool ike_auth_psk_verify(int prf, const uint8_t *psk, size_t psk_len, const uint8_t *octets,
			 size_t octets_len, const uint8_t *auth, size_t auth_len)
{
	uint8_t want[IKE_PRF_MAX];
	size_t plen = ike_prf_len(prf);
	bool ok;

	/* The length is public (it is the PRF's); the bytes are compared in
	 * constant time so a forger learns nothing from timing. */
	if (!plen || !auth || auth_len != plen)
		return false;
	if (ike_auth_psk(prf, psk, psk_len, octets, octets_len, want))
		return false;
	ok = sodium_memcmp(want, auth, plen) == 0;
	sodium_memzero(want, sizeof(want));
	return ok;
}

int ike_auth_ed25519_sign(const uint8_t sk[64], const uint8_t *octets, size_t octets_len,
			  uint8_t out[IKE_ED25519_AUTH_LEN])
{
	if (!sk || !octets || !out)
		return -EINVAL;
	if (ike_crypto_init())
		return -EIO;
	memcpy(out, IKE_ED25519_ALGID, sizeof(IKE_ED25519_ALGID));
	/* RFC 8420 §2: pure Ed25519 over the whole octets, no prehash. */
	if (crypto_sign_detached(out + sizeof(IKE_ED25519_ALGID), NULL, octets, octets_len, sk))
		return -EIO;
	return 0;
}

bool ike_auth_ed25519_verify(const uint8_t pk[32], const uint8_t *octets, size_t octets_len,
			     const uint8_t *auth, size_t auth_len)
{
	if (!pk || !octets || !auth || auth_len != IKE_ED25519_AUTH_LEN)
		return false;
	if (ike_crypto_init())
		return false;
	/* Only id-Ed25519 is acceptable for an Ed25519 key (RFC 7427 §3). */
	if (memcmp(auth, IKE_ED25519_ALGID, sizeof(IKE_ED25519_ALGID)) != 0)
		return false;
	return crypto_sign_verify_detached(auth + sizeof(IKE_ED25519_ALGID), octets, octets_len,
					   pk) == 0;
}

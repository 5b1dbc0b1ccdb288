/* Key exchange group 31, Curve25519 (RFC 8031): 32-byte public values, and
 * an all-zero shared secret (a small-order peer value) is refused (§2.3). */
#include <errno.h>
#include <sodium.h>

#include "linegate/ike_crypto.h"
#include "crypto_internal.h"

int ike_x25519_keypair(uint8_t pub[IKE_X25519_LEN], uint8_t priv[IKE_X25519_LEN])
{
	if (!pub || !priv)
		return -EINVAL;
	if (ike_crypto_init())
		return -EIO;
	randombytes_buf(priv, IKE_X25519_LEN);
	if (crypto_scalarmult_base(pub, priv)) {
		sodium_memzero(priv, IKE_X25519_LEN);
		return -EIO;
	}
	return 0;
}

int ike_x25519_shared(uint8_t out[IKE_X25519_LEN], const uint8_t priv[IKE_X25519_LEN],
		      const uint8_t peer_pub[IKE_X25519_LEN])
{
	if (!out || !priv || !peer_pub)
		return -EINVAL;
	if (ike_crypto_init())
		return -EIO;
	/* libsodium returns -1 on an all-zero result; check again anyway so the
	 * refusal does not depend on the library version. */
	if (crypto_scalarmult(out, priv, peer_pub) || sodium_is_zero(out, IKE_X25519_LEN)) {
		sodium_memzero(out, IKE_X25519_LEN);
		return -EINVAL;
	}
	return 0;
}

/* libFuzzer target for the RFC 7427 AUTH check of a certificate peer
 * (crypto_x509_auth.c, through ike_x509_verify_auth_der, the entry point
 * vector tests use): the certificate DER decoded (exact, bounded), the AUTH
 * payload body's method and AlgorithmIdentifier length byte matched
 * against the known blobs, the key type checked against the scheme, and
 * the signature verified by EVP over fixed octets. The seed corpus holds a
 * valid signature of each key type (RSA PKCS#1 v1.5, RSA-PSS, P-256, P-384,
 * Ed25519) from a test PKI, so mutations reach every verifier.
 * Input: certificate length u16 | DER | AUTH payload body. */
#include <stdint.h>
#include <string.h>

#include "linegate/ike_x509.h"

/* what the seeds signed: "linegate fuzz octets" repeated to 64 bytes */
static uint8_t octets[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n;

	if (!octets[0])
		for (size_t i = 0; i < sizeof(octets); i++)
			octets[i] = (uint8_t)"linegate fuzz octets"[i % 20];
	if (size < 2)
		return 0;
	n = (size_t)data[0] << 8 | data[1];
	if (n > size - 2)
		return 0;
	(void)ike_x509_verify_auth_der(data + 2, n, octets, sizeof(octets), data + 2 + n,
				       size - 2 - n);
	return 0;
}

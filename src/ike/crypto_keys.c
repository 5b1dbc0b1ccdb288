/* IKE SA and CHILD SA key derivation (RFC 7296 §2.14, §2.17, §2.18). The
 * SA's keys live in a slot of a secret pool (util/secpool.c: sodium_malloc'd
 * slabs, guard pages, mlock) that is wiped when freed. */
#include <errno.h>
#include <string.h>
#include <sodium.h>

#include "linegate/ike_crypto.h"
#include "linegate/ikev2.h"
#include "linegate/secpool.h"
#include "crypto_internal.h"

int ike_crypto_init(void)
{
	return sodium_init() < 0 ? -EIO : 0;
}

static struct lg_secpool keys_pool = LG_SECPOOL_INIT(sizeof(struct ike_keys));

struct ike_keys *ike_keys_new(void)
{
	if (ike_crypto_init())
		return NULL;
	return lg_secpool_alloc(&keys_pool);   /* zeroed */
}

void ike_keys_free(struct ike_keys *k)
{
	lg_secpool_free(&keys_pool, k);   /* wipes */
}

int ike_skeyseed(int prf, const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
		 const uint8_t *gir, size_t gir_len, uint8_t *skeyseed)
{
	uint8_t key[2 * IKEV2_NONCE_MAX];
	int rc;

	/* §2.14: the PRF key is Ni | Nr; nonces are at most 256 bytes each. */
	if (!ni || !nr || !gir || !skeyseed || ni_len > IKEV2_NONCE_MAX ||
	    nr_len > IKEV2_NONCE_MAX || !gir_len)
		return -EINVAL;
	memcpy(key, ni, ni_len);
	memcpy(key + ni_len, nr, nr_len);
	rc = ike_crypto_prf3(prf, key, ni_len + nr_len, gir, gir_len, NULL, 0, NULL, 0,
			     skeyseed);
	sodium_memzero(key, sizeof(key));
	return rc;
}

int ike_skeyseed_rekey(int old_prf, const uint8_t *old_sk_d, size_t old_sk_d_len,
		       const uint8_t *gir, size_t gir_len, const uint8_t *ni, size_t ni_len,
		       const uint8_t *nr, size_t nr_len, uint8_t *skeyseed)
{
	/* §2.18: the PRF is the OLD SA's, keyed with its SK_d. */
	if (!old_sk_d || !old_sk_d_len || !gir || !gir_len || !ni || !nr || !skeyseed)
		return -EINVAL;
	return ike_crypto_prf3(old_prf, old_sk_d, old_sk_d_len, gir, gir_len, ni, ni_len,
			       nr, nr_len, skeyseed);
}

/* Builds Ni | Nr [| SPIi | SPIr] for prf+. */
static int build_seed(uint8_t *seed, size_t cap, const uint8_t *ni, size_t ni_len,
		      const uint8_t *nr, size_t nr_len, const uint8_t *spi_i,
		      const uint8_t *spi_r, size_t *len)
{
	size_t need = ni_len + nr_len + (spi_i ? 2 * IKEV2_SPI_LEN : 0);

	if (!ni || !nr || ni_len > IKEV2_NONCE_MAX || nr_len > IKEV2_NONCE_MAX || need > cap)
		return -EINVAL;
	memcpy(seed, ni, ni_len);
	memcpy(seed + ni_len, nr, nr_len);
	if (spi_i) {
		memcpy(seed + ni_len + nr_len, spi_i, IKEV2_SPI_LEN);
		memcpy(seed + ni_len + nr_len + IKEV2_SPI_LEN, spi_r, IKEV2_SPI_LEN);
	}
	*len = need;
	return 0;
}

int ike_derive_keys(int prf, int encr, unsigned keybits, int integ, const uint8_t *skeyseed,
		    const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
		    const uint8_t spi_i[8], const uint8_t spi_r[8], struct ike_keys *out)
{
	size_t plen = ike_prf_len(prf), elen = ike_encr_key_len(encr, keybits);
	size_t alen = ike_integ_key_len(integ);
	uint8_t seed[2 * IKEV2_NONCE_MAX + 2 * IKEV2_SPI_LEN];
	uint8_t km[3 * IKE_PRF_MAX + 2 * IKE_INTEG_KEYMAX + 2 * IKE_AEAD_KEYMAX];
	size_t slen, off = 0;
	int rc;

	if (!plen || !elen)
		return -ENOTSUP;
	/* an AEAD has no integrity transform; AES-CBC needs one (§3.3.3) */
	if (ike_encr_is_aead(encr) ? integ != 0 : !alen)
		return -ENOTSUP;
	if (!skeyseed || !spi_i || !spi_r || !out)
		return -EINVAL;
	rc = build_seed(seed, sizeof(seed), ni, ni_len, nr, nr_len, spi_i, spi_r, &slen);
	if (rc)
		return rc;
	rc = ike_prf_plus(prf, skeyseed, plen, seed, slen, km, 3 * plen + 2 * alen + 2 * elen);
	if (rc)
		goto wipe;
	out->prf = prf;
	out->encr = encr;
	out->integ = integ;
	out->encr_keybits = keybits;
	out->prf_len = plen;
	out->enc_len = elen;
	out->integ_len = alen;
	/* §2.14 order; AEAD suites have no SK_ai / SK_ar (alen 0). */
	memcpy(out->sk_d, km + off, plen), off += plen;
	memcpy(out->sk_ai, km + off, alen), off += alen;
	memcpy(out->sk_ar, km + off, alen), off += alen;
	memcpy(out->sk_ei, km + off, elen), off += elen;
	memcpy(out->sk_er, km + off, elen), off += elen;
	memcpy(out->sk_pi, km + off, plen), off += plen;
	memcpy(out->sk_pr, km + off, plen);
wipe:
	sodium_memzero(km, sizeof(km));
	sodium_memzero(seed, sizeof(seed));
	return rc;
}

int ike_child_keymat(int prf, const uint8_t *sk_d, size_t sk_d_len,
		     const uint8_t *gir, size_t gir_len,
		     const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
		     size_t enc_len, uint8_t *encr_i, uint8_t *encr_r)
{
	uint8_t seed[IKE_DH_SHARED_MAX + 2 * IKEV2_NONCE_MAX];
	uint8_t km[2 * IKE_CHILD_KEYMAX];
	size_t glen = gir ? gir_len : 0, slen;
	int rc;

	if (!ike_prf_len(prf))
		return -ENOTSUP;
	if (!sk_d || !sk_d_len || !encr_i || !encr_r || !enc_len || enc_len > IKE_CHILD_KEYMAX ||
	    glen > IKE_DH_SHARED_MAX)
		return -EINVAL;
	/* §2.17: g^ir (new) comes first, then Ni | Nr. */
	if (glen)
		memcpy(seed, gir, glen);
	rc = build_seed(seed + glen, sizeof(seed) - glen, ni, ni_len, nr, nr_len, NULL, NULL,
			&slen);
	if (rc)
		goto wipe;
	/* initiator's outbound keys first; per direction encryption then
	 * integrity key (§2.17), none for an AEAD */
	rc = ike_prf_plus(prf, sk_d, sk_d_len, seed, glen + slen, km, 2 * enc_len);
	if (rc)
		goto wipe;
	memcpy(encr_i, km, enc_len);
	memcpy(encr_r, km + enc_len, enc_len);
wipe:
	sodium_memzero(km, sizeof(km));
	sodium_memzero(seed, sizeof(seed));
	return rc;
}

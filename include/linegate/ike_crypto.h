/* IKEv2 cryptography (RFC 7296 §2.13-2.17, §2.15, §2.23; RFC 7634, 5282,
 * 8031, 7427, 8420), all through libsodium except SHA-1 for NAT detection
 * (nettle). Pure functions over buffers: no I/O except the PEM/PSK loaders.
 * Secret outputs are written to caller memory the caller wipes; struct
 * ike_keys lives in sodium_malloc memory (ike_keys_new / ike_keys_free). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "linegate/types.h"

enum {
	IKE_PRF_MAX = 64,          /* HMAC-SHA2-512 output */
	IKE_AEAD_KEYMAX = 36,      /* 32-byte key + 4-byte salt */
	IKE_INTEG_KEYMAX = 64,     /* HMAC-SHA2-512-256 */
	IKE_CHILD_KEYMAX = IKE_AEAD_KEYMAX + IKE_INTEG_KEYMAX, /* one direction */
	IKE_X25519_LEN = 32,
	IKE_DH_PUB_MAX = 384,      /* MODP-3072 */
	IKE_DH_SHARED_MAX = 384,
	IKE_ED25519_SIG_LEN = 64,
	IKE_ED25519_AUTH_LEN = 8 + 64, /* RFC 7427 AlgorithmIdentifier + signature */
	IKE_NATD_LEN = 20,         /* SHA-1 */
	IKE_PSK_MAX = 256,
};

/* RFC 7427 §3 + RFC 8420: ASN.1 length byte + AlgorithmIdentifier id-Ed25519 */
extern const uint8_t IKE_ED25519_ALGID[8]; /* 07 30 05 06 03 2b 65 70 */

size_t ike_prf_len(int prf);                      /* 32, 48, 64; 0 if unsupported */
/* AEAD key material length (key + salt): 36 for both supported AEADs. */
size_t ike_aead_keymat_len(int encr, unsigned keybits);
bool ike_encr_supported(int encr, unsigned keybits); /* AES-GCM needs AES-NI */
/* Encryption key material of any supported cipher: AEAD key + salt, or the
 * AES-CBC key (16 / 32); 0 if unsupported. */
size_t ike_encr_key_len(int encr, unsigned keybits);
bool ike_encr_is_aead(int encr);
/* HMAC-SHA2 integrity (RFC 4868): key 32/48/64, ICV 16/24/32; 0 if unknown. */
size_t ike_integ_key_len(int integ);
size_t ike_integ_icv_len(int integ);

int ike_prf(int prf, const uint8_t *key, size_t klen, const uint8_t *data, size_t dlen,
	    uint8_t *out);
/* prf+ (§2.13): T1 | T2 | ... up to outlen (at most 255 * prf_len). */
int ike_prf_plus(int prf, const uint8_t *key, size_t klen, const uint8_t *seed, size_t slen,
		 uint8_t *out, size_t outlen);

/* X25519 (RFC 8031): public value is 32 bytes; the shared secret is
 * rejected when all-zero. */
int ike_x25519_keypair(uint8_t pub[IKE_X25519_LEN], uint8_t priv[IKE_X25519_LEN]);
int ike_x25519_shared(uint8_t out[IKE_X25519_LEN], const uint8_t priv[IKE_X25519_LEN],
		      const uint8_t peer_pub[IKE_X25519_LEN]);

/* Key exchange groups: 31 (X25519), 19/20 (ECP-256/384, RFC 5903), 14/15
 * (MODP-2048/3072, RFC 3526). A private value lives in struct ike_dh (in
 * the caller's sodium memory; pkey is OpenSSL's, freed by ike_dh_clear). */
struct ike_dh {
	uint16_t group;
	uint8_t x25519[IKE_X25519_LEN];
	void *pkey;                /* EVP_PKEY for the OpenSSL groups */
};
bool ike_dh_supported(int group);
size_t ike_dh_pub_len(int group);    /* KE data length; 0 if unsupported */
size_t ike_dh_shared_len(int group); /* g^ir length */
const char *ike_dh_name(int group);  /* strongSwan's name: ecp256, modp2048... */
/* New private value (any previous one cleared); pub gets ike_dh_pub_len bytes. */
int ike_dh_keypair(int group, struct ike_dh *dh, uint8_t *pub, size_t cap);
/* g^ir; -EINVAL when the peer's value has the wrong length or fails the
 * group's public value check (nothing is computed with it then). */
int ike_dh_shared(const struct ike_dh *dh, const uint8_t *peer_pub, size_t peer_len,
		  uint8_t *out, size_t cap, size_t *out_len);
void ike_dh_clear(struct ike_dh *dh); /* frees and wipes; safe on a zeroed one */
/* Test vectors only: a known private value (big-endian; X25519 raw). */
int ike_dh_set_private(int group, struct ike_dh *dh, const uint8_t *priv, size_t len);

/* The SA's keys (AEAD suites: no SK_a*, integ 0, integ_len 0). */
struct ike_keys {
	int prf, encr, integ;
	unsigned encr_keybits;
	size_t prf_len, enc_len;   /* enc_len = key + salt (AEAD) or key (CBC) */
	size_t integ_len;          /* SK_ai / SK_ar length */
	uint8_t sk_d[IKE_PRF_MAX];
	uint8_t sk_ai[IKE_INTEG_KEYMAX], sk_ar[IKE_INTEG_KEYMAX];
	uint8_t sk_ei[IKE_AEAD_KEYMAX], sk_er[IKE_AEAD_KEYMAX];
	uint8_t sk_pi[IKE_PRF_MAX], sk_pr[IKE_PRF_MAX];
};
struct ike_keys *ike_keys_new(void);          /* sodium_malloc, zeroed */
void ike_keys_free(struct ike_keys *k);       /* wipes */

/* SKEYSEED = prf(Ni | Nr, g^ir) (§2.14). */
int ike_skeyseed(int prf, const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
		 const uint8_t *gir, size_t gir_len, uint8_t *skeyseed);
/* Rekeyed IKE SA (§2.18): SKEYSEED = prf(SK_d(old), g^ir (new) | Ni | Nr). */
int ike_skeyseed_rekey(int old_prf, const uint8_t *old_sk_d, size_t old_sk_d_len,
		       const uint8_t *gir, size_t gir_len, const uint8_t *ni, size_t ni_len,
		       const uint8_t *nr, size_t nr_len, uint8_t *skeyseed);
/* {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr} = prf+(SKEYSEED,
 * Ni | Nr | SPIi | SPIr); SPIs in wire order (8 bytes each). integ is 0
 * with an AEAD (no SK_a*), an HMAC-SHA2 transform with AES-CBC. */
int ike_derive_keys(int prf, int encr, unsigned keybits, int integ, const uint8_t *skeyseed,
		    const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
		    const uint8_t spi_i[8], const uint8_t spi_r[8], struct ike_keys *out);
/* CHILD SA KEYMAT = prf+(SK_d, [g^ir (new) |] Ni | Nr) (§2.17); gir may be
 * NULL (no PFS). encr_i is what the initiator sends with (key || salt, or
 * for AES-CBC the encryption key then the integrity key: enc_len is their
 * sum), encr_r what the responder sends with. At most IKE_CHILD_KEYMAX. */
int ike_child_keymat(int prf, const uint8_t *sk_d, size_t sk_d_len,
		     const uint8_t *gir, size_t gir_len,
		     const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
		     size_t enc_len, uint8_t *encr_i, uint8_t *encr_r);

/* The SK payload with an AEAD (RFC 5282 §5, RFC 7634 §3):
 *   msg[0 .. aad_len)   IKE header + SK generic payload header = AAD
 *   then IV (8) | ciphertext of (inner payloads | padding | pad length) | ICV (16)
 * The lengths in the header must already be final when encrypting. */
size_t ike_sk_overhead(void);  /* IV + pad-length byte + ICV = 25 */
/* Plaintext inner payloads are at msg[aad_len + 8 ..][0..plain_len); writes
 * IV (random), pad length 0, encrypts in place, ICV; total length in *out_len.
 * cap is the capacity of msg. */
int ike_sk_encrypt(int encr, const uint8_t *key_salt, uint8_t *msg, size_t aad_len,
		   size_t plain_len, size_t cap, size_t *out_len);
/* Decrypts msg[0..msg_len) in place; on success *plain points at the inner
 * payloads (padding stripped) inside msg. -EBADMSG on ICV failure, -EINVAL on
 * bad lengths. After -EBADMSG the bytes after the IV are unspecified (libsodium
 * wipes what it decrypted): keep a copy if the raw message is still needed. */
int ike_sk_decrypt(int encr, const uint8_t *key_salt, uint8_t *msg, size_t aad_len,
		   size_t msg_len, const uint8_t **plain, size_t *plain_len);

/* Any suite's SK payload: AEAD (ekey = key || salt, integ 0) or AES-CBC
 * with HMAC-SHA2 (ekey, akey = SK_e*, SK_a* of one direction). The IV is
 * ike_sk_iv_len(encr) bytes at msg[aad_len], the plaintext after it. */
struct ike_sk_key {
	int encr;
	unsigned keybits;
	int integ;
	const uint8_t *ekey, *akey;
};
size_t ike_sk_iv_len(int encr);                   /* 8 (AEAD) or 16 (CBC) */
int ike_sk_seal(const struct ike_sk_key *k, uint8_t *msg, size_t aad_len, size_t plain_len,
		size_t cap, size_t *out_len);
/* -EBADMSG when the ICV does not verify (nothing was decrypted then). */
int ike_sk_open(const struct ike_sk_key *k, uint8_t *msg, size_t aad_len, size_t msg_len,
		const uint8_t **plain, size_t *plain_len);
/* AES-CBC + HMAC-SHA2 (RFC 7296 §3.14, RFC 3602, RFC 4868): IV (16) |
 * E(payloads | padding | pad length) | ICV over everything before it. */
size_t ike_sk_cbc_overhead(int integ, size_t plain_len); /* IV + pad + 1 + ICV */
int ike_sk_cbc_encrypt(const struct ike_sk_key *k, uint8_t *msg, size_t aad_len,
		       size_t plain_len, size_t cap, size_t *out_len);
int ike_sk_cbc_decrypt(const struct ike_sk_key *k, uint8_t *msg, size_t aad_len,
		       size_t msg_len, const uint8_t **plain, size_t *plain_len);

/* AUTH (§2.15): octets = the sender's whole first message (IKE_SA_INIT) |
 * the peer's nonce | prf(SK_p, ID payload body). Allocates *out (free()). */
int ike_auth_octets(int prf, const uint8_t *sk_p, const uint8_t *first_msg, size_t first_len,
		    const uint8_t *peer_nonce, size_t nonce_len,
		    const uint8_t *id_body, size_t id_len, uint8_t **out, size_t *out_len);
/* AUTH = prf(prf(PSK, "Key Pad for IKEv2"), octets); out gets prf_len bytes. */
int ike_auth_psk(int prf, const uint8_t *psk, size_t psk_len, const uint8_t *octets,
		 size_t octets_len, uint8_t *out);
/* Constant-time comparison of a received PSK AUTH. */
bool ike_auth_psk_verify(int prf, const uint8_t *psk, size_t psk_len, const uint8_t *octets,
			 size_t octets_len, const uint8_t *auth, size_t auth_len);
/* RFC 8420 + 7427: out = IKE_ED25519_ALGID | Ed25519(octets); 72 bytes. */
int ike_auth_ed25519_sign(const uint8_t sk[64], const uint8_t *octets, size_t octets_len,
			  uint8_t out[IKE_ED25519_AUTH_LEN]);
bool ike_auth_ed25519_verify(const uint8_t pk[32], const uint8_t *octets, size_t octets_len,
			     const uint8_t *auth, size_t auth_len);

/* Key files. PEM as strongSwan's `pki --gen --type ed25519 --outform pem`
 * (PKCS#8 "PRIVATE KEY") and `pki --pub` (SubjectPublicKeyInfo "PUBLIC KEY").
 * sk gets libsodium's 64-byte secret key (seed | public). The PSK file holds
 * the secret (trailing newline stripped; "0x..." = hex). Secrets go into
 * caller-provided sodium memory. 0 or -errno; err gets a reason. */
int ike_load_ed25519_private(const char *path, uint8_t sk[64], char *err, size_t errlen);
int ike_load_ed25519_public(const char *path, uint8_t pk[32], char *err, size_t errlen);
int ike_parse_ed25519_private_pem(const char *pem, size_t len, uint8_t sk[64]);
int ike_parse_ed25519_public_pem(const char *pem, size_t len, uint8_t pk[32]);
int ike_load_psk(const char *path, uint8_t *psk, size_t cap, size_t *psk_len, char *err, size_t errlen);

/* NAT detection hash (§2.23): SHA-1(SPIi | SPIr | IP | port). */
int ike_natd_hash(const uint8_t spi_i[8], const uint8_t spi_r[8], const union lg_sockaddr *addr,
		  uint8_t out[IKE_NATD_LEN]);

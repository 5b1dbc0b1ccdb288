/* X.509 certificates for IKE authentication (RFC 7296 §3.6, RFC 5280,
 * RFC 4945 §3.1) through OpenSSL 3 libcrypto (docs/crypto.md says why):
 * trust anchors and intermediates from a directory, CRLs from another,
 * chain validation at a given time, the binding of an IKE identity to the
 * end certificate, and our own certificate and private key. Certificates
 * are untrusted input: each DER is bounded and must decode exactly. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct x509_st;              /* OpenSSL's X509 */
struct evp_pkey_st;          /* OpenSSL's EVP_PKEY */
struct ike_x509_store;

enum {
	IKE_X509_DER_MAX = 16384,    /* one certificate or identity, DER */
	IKE_X509_SUBJECT_MAX = 256,  /* printable subject kept for display */
	IKE_X509_AUTH_MAX = 1024,    /* RFC 7427 AUTH data: RSA 4096 + PSS AlgorithmIdentifier */
	IKE_X509_CHAIN_MAX = 4,      /* intermediates we send, and accept, besides the end */
	IKE_X509_KEYID_LEN = 20,     /* CERTREQ: SHA-1 of a trust anchor's SubjectPublicKeyInfo */
};

/* Why a certificate was refused; the names are audit detail values
 * (docs/audit-events.md, cert_auth_failed). */
enum ike_x509_verdict {
	IKE_X509_OK,
	IKE_X509_MALFORMED,        /* does not decode as one certificate */
	IKE_X509_UNTRUSTED,        /* no chain to a trust anchor */
	IKE_X509_EXPIRED,
	IKE_X509_NOT_YET_VALID,
	IKE_X509_REVOKED,
	IKE_X509_NO_CRL,           /* CRL checking on, a CA of the chain has none */
	IKE_X509_CRL_EXPIRED,
	IKE_X509_BAD_SIGNATURE,
	IKE_X509_NOT_CA,           /* an issuer that may not issue */
	IKE_X509_ID_MISMATCH,      /* the IKE identity is not the certificate's */
	IKE_X509_VERDICT_COUNT
};
const char *ike_x509_verdict_name(enum ike_x509_verdict v);

struct ike_x509_info {
	char subject[IKE_X509_SUBJECT_MAX];   /* RFC 2253, control characters as '?' */
	time_t not_before, not_after;
};

/* Loads every file of ca_dir (PEM or DER certificates: the self-signed are
 * trust anchors, the others intermediates) and, when crl_dir is set, every
 * CRL there; with CRLs every CA of a chain must have a current one. At
 * least one anchor. 0 or -errno with err naming the file. */
int ike_x509_store_load(const char *ca_dir, const char *crl_dir, struct ike_x509_store **out,
			char *err, size_t errlen);
/* The CRLs of crl_dir into s, which from now on checks revocation (the
 * second half of ike_x509_store_load, for a caller that tells the two
 * directories' problems apart). 0 or -errno with err naming the file. */
int ike_x509_store_add_crls(struct ike_x509_store *s, const char *crl_dir, char *err,
			    size_t errlen);
void ike_x509_store_free(struct ike_x509_store *s);
/* Anchors; *intermediates and *crls counted too (either may be NULL). */
size_t ike_x509_store_counts(const struct ike_x509_store *s, size_t *intermediates, size_t *crls);

/* One DER certificate (exactly len bytes, at most IKE_X509_DER_MAX), or NULL. */
struct x509_st *ike_x509_from_der(const uint8_t *der, size_t len);
/* The DER of x into out (cap bytes); its length or -EMSGSIZE. */
int ike_x509_to_der(struct x509_st *x, uint8_t *out, size_t cap);
void ike_x509_free(struct x509_st *x);
/* The first certificate of a PEM or DER file. 0 or -errno, err says why. */
int ike_x509_load_cert(const char *path, struct x509_st **out, char *err, size_t errlen);
/* A PKCS#8 / traditional PEM private key (RSA, EC P-256/P-384, Ed25519)
 * under the key files' owner and mode rules. 0 or -errno. */
int ike_x509_load_key(const char *path, struct evp_pkey_st **out, char *err, size_t errlen);
void ike_x509_key_free(struct evp_pkey_st *k);
/* Whether key is the private half of x's public key. */
bool ike_x509_key_matches(struct x509_st *x, struct evp_pkey_st *key);

/* Validates end (with the peer's extra certificates chain[0..n), untrusted
 * intermediates) against the store at time now. info, if not NULL, gets
 * end's subject and validity whatever the verdict. */
enum ike_x509_verdict ike_x509_verify(const struct ike_x509_store *s, struct x509_st *end,
				      struct x509_st *const *chain, size_t n_chain, time_t now,
				      struct ike_x509_info *info);
void ike_x509_describe(struct x509_st *x, struct ike_x509_info *info);
/* The IKE identity (RFC 7296 §3.5 type and data) names x: ID_FQDN a
 * dNSName, ID_RFC822_ADDR an rfc822Name, ID_IPV4/6_ADDR an iPAddress
 * subjectAltName, ID_DER_ASN1_DN the subject. Exact, no wildcards. */
bool ike_x509_id_matches(struct x509_st *x, uint8_t id_type, const uint8_t *id, size_t id_len);
/* The DER of x's subject into out (cap bytes): its length, or -EMSGSIZE. */
int ike_x509_subject_der(struct x509_st *x, uint8_t *out, size_t cap);

/* The intermediates of ca-dir between end and its anchor (what we send in
 * CERT payloads), at most max, each up-referenced (ike_x509_free each). */
size_t ike_x509_chain_of(const struct ike_x509_store *s, struct x509_st *end, time_t now,
			 struct x509_st **out, size_t max);
/* CERTREQ data (RFC 7296 §3.7): the SHA-1 of each trust anchor's
 * SubjectPublicKeyInfo, as many as fit in cap; the byte count. */
int ike_x509_anchor_keyids(const struct ike_x509_store *s, uint8_t *out, size_t cap);

/* RFC 7427 AUTH data (method 14) over octets with key: the length byte,
 * the AlgorithmIdentifier (RSA PKCS#1 v1.5 SHA-256, RSASSA-PSS SHA-256 for
 * an RSA-PSS key, ECDSA with SHA-256/384 by curve, Ed25519), the signature.
 * 0 or -errno. */
int ike_x509_sign_auth(struct evp_pkey_st *key, const uint8_t *octets, size_t octets_len,
		       uint8_t *out, size_t cap, size_t *out_len);
/* Whether AUTH data of method is a signature of octets by cert's key:
 * method 14 with a known AlgorithmIdentifier fitting the key type, or
 * RFC 4754's 9/10/11 (ECDSA P-256/SHA-256, P-384/SHA-384, P-521/SHA-512,
 * r | s) with a key on that curve. */
bool ike_x509_verify_auth(struct x509_st *cert, uint8_t method, const uint8_t *octets,
			  size_t octets_len, const uint8_t *data, size_t len);
/* A method ike_x509_verify_auth takes: 14, 9, 10, 11. */
bool ike_x509_auth_method_known(uint8_t method);
/* The same from wire bytes, for vector tests: the peer's certificate DER,
 * the signed octets (RFC 7296 §2.15) and the AUTH payload body (method, 3
 * reserved bytes, data). */
bool ike_x509_verify_auth_der(const uint8_t *cert_der, size_t cert_len, const uint8_t *octets,
			      size_t octets_len, const uint8_t *auth_body, size_t auth_len);

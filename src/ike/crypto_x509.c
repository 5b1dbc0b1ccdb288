/* X.509 certificates (RFC 5280) through OpenSSL 3 libcrypto: the trust
 * store (anchors and intermediates from a directory, CRLs from another),
 * chain validation at a given time with revocation checked for every CA of
 * the chain, and the binding of an IKE identity to the end certificate
 * (RFC 7296 §3.5, RFC 4945 §3.1: a subjectAltName, or the subject DN for
 * ID_DER_ASN1_DN). No ASN.1 is parsed here by hand. Certificates are
 * untrusted input: every DER has a size bound and must decode exactly. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "linegate/ike_x509.h"
#include "linegate/ikev2.h"
#include "crypto_internal.h"

enum { FILE_MAX = 1 << 20, DIR_FILES_MAX = 256 };

struct ike_x509_store {
	X509_STORE *store;               /* trust anchors and CRLs */
	STACK_OF(X509) *intermediates;   /* CAs from the directory that are not self-signed */
	bool crls;
	size_t n_anchors, n_crls;
};

const char *ike_x509_verdict_name(enum ike_x509_verdict v)
{
	static const char *const names[] = {
		[IKE_X509_OK] = "ok", [IKE_X509_MALFORMED] = "cert_malformed",
		[IKE_X509_UNTRUSTED] = "cert_untrusted", [IKE_X509_EXPIRED] = "cert_expired",
		[IKE_X509_NOT_YET_VALID] = "cert_not_yet_valid", [IKE_X509_REVOKED] = "cert_revoked",
		[IKE_X509_NO_CRL] = "cert_crl_missing", [IKE_X509_CRL_EXPIRED] = "cert_crl_expired",
		[IKE_X509_BAD_SIGNATURE] = "cert_bad_signature", [IKE_X509_NOT_CA] = "cert_bad_ca",
		[IKE_X509_ID_MISMATCH] = "cert_id_mismatch",
	};
	return (unsigned)v < sizeof(names) / sizeof(names[0]) && names[v] ? names[v] : "cert_invalid";
}

/* Reads a whole regular file of at most FILE_MAX bytes. */
static uint8_t *read_file(const char *path, size_t *len)
{
	struct stat st;
	uint8_t *buf = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size <= FILE_MAX &&
	    (buf = malloc((size_t)st.st_size + 1)) != NULL &&
	    read(fd, buf, (size_t)st.st_size) == st.st_size) {
		*len = (size_t)st.st_size;
	} else {
		free(buf);
		buf = NULL;
	}
	close(fd);
	return buf;
}

X509 *ike_x509_from_der(const uint8_t *der, size_t len)
{
	const unsigned char *p = der;
	X509 *x;

	if (!der || len == 0 || len > IKE_X509_DER_MAX)
		return NULL;
	x = d2i_X509(NULL, &p, (long)len);
	if (x && p != der + len) {   /* trailing bytes: not one certificate */
		X509_free(x);
		return NULL;
	}
	return x;
}

/* PEM (one or more blocks) or one DER certificate; each kept one counted. */
static int load_certs(const uint8_t *buf, size_t len, STACK_OF(X509) *out)
{
	BIO *bio = BIO_new_mem_buf(buf, (int)len);
	X509 *x;
	int n = 0;

	if (!bio)
		return -ENOMEM;
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		if (!sk_X509_push(out, x)) {
			X509_free(x);
			break;
		}
		n++;
	}
	BIO_free(bio);
	if (n == 0 && (x = ike_x509_from_der(buf, len)) != NULL) {
		if (sk_X509_push(out, x))
			n++;
		else
			X509_free(x);
	}
	return n > 0 ? n : -EINVAL;
}

static int load_crls(struct ike_x509_store *s, const uint8_t *buf, size_t len)
{
	BIO *bio = BIO_new_mem_buf(buf, (int)len);
	const unsigned char *p = buf;
	X509_CRL *c;
	int n = 0;

	if (!bio)
		return -ENOMEM;
	while ((c = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL)) != NULL) {
		n += X509_STORE_add_crl(s->store, c) == 1;
		X509_CRL_free(c);
	}
	BIO_free(bio);
	if (n == 0 && (c = d2i_X509_CRL(NULL, &p, (long)len)) != NULL) {
		n += p == buf + len && X509_STORE_add_crl(s->store, c) == 1;
		X509_CRL_free(c);
	}
	s->n_crls += (size_t)n;
	return n > 0 ? 0 : -EINVAL;
}

static bool self_signed(X509 *x)
{
	return X509_check_issued(x, x) == X509_V_OK;
}

static int add_ca_file(struct ike_x509_store *s, const uint8_t *buf, size_t len)
{
	STACK_OF(X509) *certs = sk_X509_new_null();
	int r = certs ? load_certs(buf, len, certs) : -ENOMEM;

	for (int i = 0; r > 0 && i < sk_X509_num(certs); i++) {
		X509 *x = sk_X509_value(certs, i);
		if (self_signed(x)) {
			X509_STORE_add_cert(s->store, x);
			s->n_anchors++;
		} else if (X509_up_ref(x) == 1 && !sk_X509_push(s->intermediates, x)) {
			X509_free(x);
		}
	}
	sk_X509_pop_free(certs, X509_free);
	return r > 0 ? 0 : r;
}

/* Every regular file of dir (sorted order does not matter: a set). */
static int load_dir(struct ike_x509_store *s, const char *dir, bool crl, char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t files = 0;
	int r = 0;

	if (!d) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -errno;
	}
	while (r == 0 && (e = readdir(d)) != NULL) {
		char path[1024];
		uint8_t *buf;
		size_t len;

		if (e->d_name[0] == '.')
			continue;
		if (++files > DIR_FILES_MAX) {
			snprintf(err, errlen, "%s: more than %d files", dir, DIR_FILES_MAX);
			r = -E2BIG;
			break;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		buf = read_file(path, &len);
		if (!buf) {
			snprintf(err, errlen, "%s: unreadable or not a file under 1 MiB", path);
			r = -EINVAL;
			break;
		}
		r = crl ? load_crls(s, buf, len) : add_ca_file(s, buf, len);
		if (r < 0)
			snprintf(err, errlen, "%s: no %s in it", path, crl ? "CRL" : "certificate");
		free(buf);
	}
	closedir(d);
	return r;
}

int ike_x509_store_add_crls(struct ike_x509_store *s, const char *crl_dir, char *err,
			    size_t errlen)
{
	/* a CRL directory asks for revocation checks of every CA of a
	 * chain: a CA without a CRL fails closed (cert_crl_missing) */
	s->crls = true;
	X509_STORE_set_flags(s->store, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
	return load_dir(s, crl_dir, true, err, errlen);
}

int ike_x509_store_load(const char *ca_dir, const char *crl_dir, struct ike_x509_store **out,
			char *err, size_t errlen)
{
	struct ike_x509_store *s = calloc(1, sizeof(*s));
	int r;

	*out = NULL;
	if (!s || !(s->store = X509_STORE_new()) || !(s->intermediates = sk_X509_new_null())) {
		ike_x509_store_free(s);
		return -ENOMEM;
	}
	r = load_dir(s, ca_dir, false, err, errlen);
	if (r == 0 && !s->n_anchors) {
		snprintf(err, errlen, "%s: no self-signed CA certificate (trust anchor)", ca_dir);
		r = -ENOENT;
	}
	if (r == 0 && crl_dir && crl_dir[0])
		r = ike_x509_store_add_crls(s, crl_dir, err, errlen);
	if (r < 0) {
		ike_x509_store_free(s);
		return r;
	}
	*out = s;
	return 0;
}

void ike_x509_store_free(struct ike_x509_store *s)
{
	if (!s)
		return;
	X509_STORE_free(s->store);
	sk_X509_pop_free(s->intermediates, X509_free);
	free(s);
}

static enum ike_x509_verdict verdict_of(int err)
{
	switch (err) {
	case X509_V_ERR_CERT_HAS_EXPIRED: return IKE_X509_EXPIRED;
	case X509_V_ERR_CERT_NOT_YET_VALID: return IKE_X509_NOT_YET_VALID;
	case X509_V_ERR_CERT_REVOKED: return IKE_X509_REVOKED;
	case X509_V_ERR_UNABLE_TO_GET_CRL: return IKE_X509_NO_CRL;
	case X509_V_ERR_CRL_HAS_EXPIRED:
	case X509_V_ERR_CRL_NOT_YET_VALID: return IKE_X509_CRL_EXPIRED;
	case X509_V_ERR_CERT_SIGNATURE_FAILURE:
	case X509_V_ERR_CRL_SIGNATURE_FAILURE: return IKE_X509_BAD_SIGNATURE;
	case X509_V_ERR_INVALID_CA:
	case X509_V_ERR_INVALID_PURPOSE: return IKE_X509_NOT_CA;
	default: return IKE_X509_UNTRUSTED;
	}
}

static time_t asn1_time(const ASN1_TIME *t)
{
	struct tm tm;

	if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
		return 0;
	return timegm(&tm);
}

void ike_x509_describe(X509 *x, struct ike_x509_info *info)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *p = NULL;
	long n;

	memset(info, 0, sizeof(*info));
	info->not_after = asn1_time(X509_get0_notAfter(x));
	info->not_before = asn1_time(X509_get0_notBefore(x));
	if (!bio)
		return;
	/* RFC 2253 order, UTF-8 escaped to printable: it goes into logs */
	X509_NAME_print_ex(bio, X509_get_subject_name(x), 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
	n = BIO_get_mem_data(bio, &p);
	snprintf(info->subject, sizeof(info->subject), "%.*s", (int)(n > 0 ? n : 0), p ? p : "");
	for (char *c = info->subject; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	BIO_free(bio);
}

enum ike_x509_verdict ike_x509_verify(const struct ike_x509_store *s, X509 *end,
				      X509 *const *chain, size_t n_chain, time_t now,
				      struct ike_x509_info *info)
{
	STACK_OF(X509) *untrusted = sk_X509_dup(s->intermediates);
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	enum ike_x509_verdict v = IKE_X509_UNTRUSTED;

	if (info)
		ike_x509_describe(end, info);
	for (size_t i = 0; untrusted && i < n_chain; i++)
		sk_X509_push(untrusted, chain[i]);
	if (untrusted && ctx && X509_STORE_CTX_init(ctx, s->store, end, untrusted) == 1) {
		X509_STORE_CTX_set_time(ctx, 0, now);
		v = X509_verify_cert(ctx) == 1 ? IKE_X509_OK : verdict_of(X509_STORE_CTX_get_error(ctx));
	}
	X509_STORE_CTX_free(ctx);
	sk_X509_free(untrusted);   /* references only */
	return v;
}

bool ike_x509_id_matches(X509 *x, uint8_t id_type, const uint8_t *id, size_t id_len)
{
	const unsigned int flags = X509_CHECK_FLAG_NO_WILDCARDS | X509_CHECK_FLAG_NEVER_CHECK_SUBJECT;
	const unsigned char *p = id;
	X509_NAME *dn;
	bool ok;

	if (!id || id_len == 0 || id_len > IKE_X509_DER_MAX)
		return false;
	switch (id_type) {
	case IKEV2_ID_FQDN:  /* a: a dNSName, exactly (no wildcards: one gateway, one name) */
		return X509_check_host(x, (const char *)id, id_len, flags, NULL) == 1;
	case IKEV2_ID_RFC822_ADDR:
		return X509_check_email(x, (const char *)id, id_len, flags) == 1;
	case IKEV2_ID_IPV4_ADDR:
		return id_len == 4 && X509_check_ip(x, id, 4, 0) == 1;
	case IKEV2_ID_IPV6_ADDR:
		return id_len == 16 && X509_check_ip(x, id, 16, 0) == 1;
	case IKEV2_ID_DER_ASN1_DN:  /* the subject, compared as names */
		dn = d2i_X509_NAME(NULL, &p, (long)id_len);
		ok = dn && p == id + id_len && X509_NAME_cmp(dn, X509_get_subject_name(x)) == 0;
		X509_NAME_free(dn);
		return ok;
	default:
		return false;
	}
}

int ike_x509_subject_der(X509 *x, uint8_t *out, size_t cap)
{
	const X509_NAME *dn = X509_get_subject_name(x);
	int n = i2d_X509_NAME(dn, NULL);
	unsigned char *p = out;

	if (n <= 0 || (size_t)n > cap)
		return -EMSGSIZE;
	return i2d_X509_NAME(dn, &p) == n ? n : -EINVAL;
}

int ike_x509_load_cert(const char *path, X509 **out, char *err, size_t errlen)
{
	STACK_OF(X509) *certs = sk_X509_new_null();
	size_t len;
	uint8_t *buf = read_file(path, &len);
	int r = -EINVAL;

	*out = NULL;
	if (!buf) {
		snprintf(err, errlen, "%s: unreadable or not a file under 1 MiB", path);
	} else if (!certs || load_certs(buf, len, certs) <= 0) {
		snprintf(err, errlen, "%s: no certificate in it", path);
	} else {
		*out = sk_X509_shift(certs);
		r = 0;
	}
	sk_X509_pop_free(certs, X509_free);
	free(buf);
	return r;
}

size_t ike_x509_store_counts(const struct ike_x509_store *s, size_t *intermediates, size_t *crls)
{
	if (intermediates)
		*intermediates = (size_t)sk_X509_num(s->intermediates);
	if (crls)
		*crls = s->n_crls;
	return s->n_anchors;
}

int ike_x509_to_der(X509 *x, uint8_t *out, size_t cap)
{
	int n = i2d_X509(x, NULL);
	unsigned char *p = out;

	if (n <= 0 || (size_t)n > cap)
		return -EMSGSIZE;
	return i2d_X509(x, &p) == n ? n : -EINVAL;
}

void ike_x509_free(X509 *x)
{
	X509_free(x);
}

int ike_x509_load_key(const char *path, EVP_PKEY **out, char *err, size_t errlen)
{
	char *buf;
	size_t len;
	BIO *bio;
	int r;

	*out = NULL;
	if (ike_crypto_init())
		return -EIO;
	r = ike_key_file_read(path, &buf, &len, err, errlen);
	if (r)
		return r;
	bio = BIO_new_mem_buf(buf, (int)len);
	/* no passphrase callback: an encrypted key is refused, not prompted for */
	if (bio)
		*out = PEM_read_bio_PrivateKey(bio, NULL, NULL, (void *)"");
	BIO_free(bio);
	ike_key_file_release(buf);
	if (!*out) {
		snprintf(err, errlen, "%s: not an unencrypted PEM private key", path);
		return -EINVAL;
	}
	switch (EVP_PKEY_get_base_id(*out)) {
	case EVP_PKEY_RSA:
	case EVP_PKEY_RSA_PSS:
	case EVP_PKEY_ED25519:
		return 0;
	case EVP_PKEY_EC: {
		char curve[32];
		if (EVP_PKEY_get_utf8_string_param(*out, "group", curve, sizeof(curve), NULL) == 1 &&
		    (!strcmp(curve, "prime256v1") || !strcmp(curve, "secp384r1")))
			return 0;
		break;
	}
	default:
		break;
	}
	snprintf(err, errlen, "%s: not an RSA, ECDSA P-256/P-384 or Ed25519 key", path);
	EVP_PKEY_free(*out);
	*out = NULL;
	return -EINVAL;
}

void ike_x509_key_free(EVP_PKEY *k)
{
	EVP_PKEY_free(k);
}

bool ike_x509_key_matches(X509 *x, EVP_PKEY *key)
{
	EVP_PKEY *pub = x ? X509_get0_pubkey(x) : NULL;

	return pub && key && EVP_PKEY_eq(pub, key) == 1;
}

int ike_x509_anchor_keyids(const struct ike_x509_store *s, uint8_t *out, size_t cap)
{
	STACK_OF(X509_OBJECT) *objs = X509_STORE_get0_objects(s->store);
	size_t n = 0;

	for (int i = 0; objs && i < sk_X509_OBJECT_num(objs); i++) {
		X509 *x = X509_OBJECT_get0_X509(sk_X509_OBJECT_value(objs, i));
		uint8_t *spki = NULL;
		int len;

		if (!x || n + SHA_DIGEST_LENGTH > cap)
			continue;
		/* RFC 7296 §3.7: SHA-1 of the anchor's SubjectPublicKeyInfo */
		len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &spki);
		if (len > 0 && SHA1(spki, (size_t)len, out + n))
			n += SHA_DIGEST_LENGTH;
		OPENSSL_free(spki);
	}
	return (int)n;
}

size_t ike_x509_chain_of(const struct ike_x509_store *s, X509 *end, time_t now, X509 **out,
			 size_t max)
{
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	size_t n = 0;

	if (ctx && X509_STORE_CTX_init(ctx, s->store, end, s->intermediates) == 1) {
		X509_STORE_CTX_set_time(ctx, 0, now);
		if (X509_verify_cert(ctx) == 1) {
			STACK_OF(X509) *chain = X509_STORE_CTX_get0_chain(ctx);
			/* between the end certificate and the anchor */
			for (int i = 1; i + 1 < sk_X509_num(chain) && n < max; i++) {
				X509 *x = sk_X509_value(chain, i);
				if (X509_up_ref(x) == 1)
					out[n++] = x;
			}
		}
	}
	X509_STORE_CTX_free(ctx);
	return n;
}

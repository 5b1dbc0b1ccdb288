/* Key files: Ed25519 keys in the PEM forms strongSwan's `pki` writes
 * (RFC 8410: PKCS#8 "PRIVATE KEY", SubjectPublicKeyInfo "PUBLIC KEY") and PSK
 * files. Ed25519 DER is fixed-size, so the whole DER is compared against the
 * one valid prefix instead of being parsed: anything else is refused. Key
 * bytes only ever sit in sodium_malloc'd buffers that are wiped. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sodium.h>

#include "linegate/ike_crypto.h"
#include "crypto_internal.h"

enum { KEY_LEN = 32, FILE_MAX = 8192 };

/* RFC 8410 §7: SEQUENCE { INTEGER 0, SEQUENCE { OID id-Ed25519 },
 * OCTET STRING { OCTET STRING (32) } } */
static const uint8_t pkcs8_prefix[16] = { 0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06,
					  0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20 };
/* RFC 8410 §4: SEQUENCE { SEQUENCE { OID id-Ed25519 }, BIT STRING (0 unused) } */
static const uint8_t spki_prefix[12] = { 0x30, 0x2a, 0x30, 0x05, 0x06, 0x03,
					 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00 };

static bool only_space(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\n')
			return false;
	return true;
}

/* Decodes the one "-----BEGIN <label>-----" block of pem into der, which must
 * come out exactly der_len bytes long. Only whitespace may surround it. */
static int pem_decode(const char *pem, size_t len, const char *label, uint8_t *der,
		      size_t der_len)
{
	char begin[64], end[64];
	const char *b, *e, *body;
	size_t blen, elen, got = 0;
	const char *stop = NULL;

	if (!pem)
		return -EINVAL;
	blen = (size_t)snprintf(begin, sizeof(begin), "-----BEGIN %s-----", label);
	elen = (size_t)snprintf(end, sizeof(end), "-----END %s-----", label);
	b = memmem(pem, len, begin, blen);
	if (!b || !only_space(pem, (size_t)(b - pem)))
		return -EINVAL;
	body = b + blen;
	e = memmem(body, len - (size_t)(body - pem), end, elen);
	if (!e || !only_space(e + elen, len - (size_t)(e + elen - pem)))
		return -EINVAL;
	if (sodium_base642bin(der, der_len, body, (size_t)(e - body), " \t\r\n", &got, &stop,
			      sodium_base64_VARIANT_ORIGINAL) != 0)
		return -EINVAL;
	/* Trailing garbage inside the block, or a short DER, is refused. */
	if (got != der_len || !stop || !only_space(stop, (size_t)(e - stop)))
		return -EINVAL;
	return 0;
}

int ike_parse_ed25519_private_pem(const char *pem, size_t len, uint8_t sk[64])
{
	uint8_t *der, pk[KEY_LEN];
	size_t der_len = sizeof(pkcs8_prefix) + KEY_LEN;
	int rc;

	if (!sk || ike_crypto_init())
		return -EINVAL;
	der = sodium_malloc(der_len + 16); /* +16: base64 may decode a partial group */
	if (!der)
		return -ENOMEM;
	rc = pem_decode(pem, len, "PRIVATE KEY", der, der_len);
	if (!rc && sodium_memcmp(der, pkcs8_prefix, sizeof(pkcs8_prefix)) != 0)
		rc = -EINVAL;
	/* libsodium's secret key is seed | public key. */
	if (!rc && crypto_sign_seed_keypair(pk, sk, der + sizeof(pkcs8_prefix)) != 0)
		rc = -EINVAL;
	sodium_free(der);
	if (rc)
		sodium_memzero(sk, 64);
	return rc;
}

int ike_parse_ed25519_public_pem(const char *pem, size_t len, uint8_t pk[32])
{
	uint8_t der[sizeof(spki_prefix) + KEY_LEN + 16];
	int rc;

	if (!pk)
		return -EINVAL;
	rc = pem_decode(pem, len, "PUBLIC KEY", der, sizeof(spki_prefix) + KEY_LEN);
	if (rc)
		return rc;
	if (memcmp(der, spki_prefix, sizeof(spki_prefix)) != 0)
		return -EINVAL;
	memcpy(pk, der + sizeof(spki_prefix), KEY_LEN);
	return 0;
}

/* The descriptor that is read is the one judged (the config check looked
 * at the path earlier; the file may have been replaced since): owned by
 * root or by us, as sshd's StrictModes asks, and writable by nobody else.
 * That a secret is readable by nobody else is the config loader's check,
 * with the value's file:line:col (conf/load.c). */
static int check_owner_mode(const char *path, const struct stat *st, char *err, size_t errlen)
{
	if (st->st_uid != 0 && st->st_uid != geteuid()) {
		snprintf(err, errlen, "%s: owned by uid %u: expected root or the daemon's user", path,
			 (unsigned)st->st_uid);
		return -EPERM;
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(err, errlen, "%s: mode %04o: writable by group or others", path,
			 (unsigned)(st->st_mode & 07777));
		return -EPERM;
	}
	return 0;
}

/* One sodium buffer for every key file, wiped after each: sodium_malloc
 * and sodium_free cost guard-page mprotects and munmaps (TLB shootdowns on
 * every CPU), which made loading a hub's thousands of PSK files take
 * seconds. Held by ike_key_file_read until ike_key_file_release. */
static char *scratch;
static size_t scratch_used;   /* bytes read into it (and its NUL): what a release wipes */
static pthread_mutex_t scratch_lock = PTHREAD_MUTEX_INITIALIZER;

void ike_key_file_release(char *buf)
{
	sodium_memzero(buf, scratch_used);   /* not all 8 KiB for a 67-byte PSK file */
	scratch_used = 0;
	pthread_mutex_unlock(&scratch_lock);
}

/* Reads a whole small file into the scratch buffer (NUL added). */
int ike_key_file_read(const char *path, char **out, size_t *out_len, char *err, size_t errlen)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	ssize_t n;
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK); /* a FIFO must not hang */
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(-rc));
		return rc;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > FILE_MAX) {
		snprintf(err, errlen, "%s: not a regular file of at most %d bytes", path, FILE_MAX);
		rc = -EINVAL;
		goto close_fd;
	}
	rc = check_owner_mode(path, &st, err, errlen);
	if (rc)
		goto close_fd;
	pthread_mutex_lock(&scratch_lock);
	if (!scratch)
		scratch = sodium_malloc(FILE_MAX + 1);   /* kept: process lifetime */
	buf = scratch;
	if (!buf) {
		pthread_mutex_unlock(&scratch_lock);
		rc = -ENOMEM;
		goto close_fd;
	}
	scratch_used = FILE_MAX + 1;   /* until we know what was read */
	while ((n = read(fd, buf + got, FILE_MAX - got)) > 0)
		got += (size_t)n;
	if (n >= 0)
		scratch_used = got + 1;
	if (n < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(-rc));
		ike_key_file_release(buf);
		goto close_fd;
	}
	buf[got] = '\0';
	*out = buf;
	*out_len = got;
close_fd:
	close(fd);
	return rc;
}

int ike_load_ed25519_private(const char *path, uint8_t sk[64], char *err, size_t errlen)
{
	char *buf;
	size_t len;
	int rc;

	if (!path || !sk || !err || ike_crypto_init())
		return -EINVAL;
	rc = ike_key_file_read(path, &buf, &len, err, errlen);
	if (rc)
		return rc;
	rc = ike_parse_ed25519_private_pem(buf, len, sk);
	if (rc)
		snprintf(err, errlen, "%s: not an Ed25519 PKCS#8 PEM private key", path);
	ike_key_file_release(buf);
	return rc;
}

int ike_load_ed25519_public(const char *path, uint8_t pk[32], char *err, size_t errlen)
{
	char *buf;
	size_t len;
	int rc;

	if (!path || !pk || !err || ike_crypto_init())
		return -EINVAL;
	rc = ike_key_file_read(path, &buf, &len, err, errlen);
	if (rc)
		return rc;
	rc = ike_parse_ed25519_public_pem(buf, len, pk);
	if (rc)
		snprintf(err, errlen, "%s: not an Ed25519 SubjectPublicKeyInfo PEM public key",
			 path);
	ike_key_file_release(buf);
	return rc;
}

int ike_load_psk(const char *path, uint8_t *psk, size_t cap, size_t *psk_len, char *err,
		 size_t errlen)
{
	char *buf;
	size_t len, got = 0;
	int rc;

	if (!path || !psk || !psk_len || !err || ike_crypto_init())
		return -EINVAL;
	rc = ike_key_file_read(path, &buf, &len, err, errlen);
	if (rc)
		return rc;
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		len--;
	if (len > 2 && buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X')) {
		if (sodium_hex2bin(psk, cap, buf + 2, len - 2, NULL, &got, NULL) != 0 ||
		    got * 2 != len - 2)
			rc = -EINVAL;
	} else if (len <= cap) {
		memcpy(psk, buf, len);
		got = len;
	} else {
		rc = -EINVAL;
	}
	ike_key_file_release(buf);
	/* An empty or oversized PSK is a configuration error, never a key. */
	if (!rc && (got == 0 || got > IKE_PSK_MAX))
		rc = -EINVAL;
	if (rc) {
		sodium_memzero(psk, cap);
		snprintf(err, errlen, "%s: PSK empty, too long (max %d bytes) or bad hex", path,
			 IKE_PSK_MAX);
		return rc;
	}
	*psk_len = got;
	return 0;
}

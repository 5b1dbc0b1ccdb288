/* Detached Ed25519 signatures of report files by the journal's audit key.
 * Who signs: linegatectl itself, run as root, reading audit.key (0600) from
 * the journal directory; the daemon is not involved, so a report of a
 * stopped gateway can be signed too, and a member of the audit group (who
 * cannot read the key) gets an unsigned report and is told so.
 * The signed message is "linegate-report-v1\0" followed by the exact file
 * bytes: the prefix keeps a report signature from ever passing for a
 * journal checkpoint signature by the same key (and the other way round). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sodium.h>
#include "linegate/log.h"
#include "audit_internal.h"

#define REPORT_SIG_DOMAIN "linegate-report-v1"
#define REPORT_SIG_MAGIC "linegate-report-signature v1"

static unsigned char *message(const void *data, size_t len, size_t *mlen)
{
	size_t dl = sizeof(REPORT_SIG_DOMAIN);   /* with its NUL */
	unsigned char *m = malloc(dl + len + 1);
	if (!m)
		return NULL;
	memcpy(m, REPORT_SIG_DOMAIN, dl);
	if (len)
		memcpy(m + dl, data, len);
	*mlen = dl + len;
	return m;
}

static int read_secret(const char *dir, unsigned char *sk)
{
	char path[CONF_PATH_MAX + 16];
	snprintf(path, sizeof(path), "%s/%s", dir, AUDIT_KEY_FILE);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, sk, crypto_sign_SECRETKEYBYTES);
	int rc = n == crypto_sign_SECRETKEYBYTES ? 0 : n < 0 ? -errno : -EINVAL;
	close(fd);
	return rc;
}

int audit_report_sign(const char *journal_dir, const void *data, size_t len, FILE *sig_out)
{
	unsigned char sig[crypto_sign_BYTES], pk[32], digest[32];
	char hex[2 * crypto_sign_BYTES + 1], t[LG_TIME_MAX];
	size_t mlen;
	if (sodium_init() < 0)
		return -ENOMEM;
	unsigned char *sk = sodium_malloc(crypto_sign_SECRETKEYBYTES);
	unsigned char *m = message(data, len, &mlen);
	int rc = sk && m ? read_secret(journal_dir, sk) : -ENOMEM;
	if (rc == 0) {
		crypto_sign_ed25519_sk_to_pk(pk, sk);
		crypto_sign_detached(sig, NULL, m, mlen, sk);
		crypto_generichash(digest, sizeof(digest), data, len, NULL, 0);
		lg_time_format(lg_wall_ms(), t, sizeof(t));
		fprintf(sig_out, "%s\nalgorithm: ed25519\nkey-id: %s\n", REPORT_SIG_MAGIC, lg_hex(pk, 8, hex));
		fprintf(sig_out, "public-key: %s\nsigned: %s\nbytes: %zu\n", lg_hex(pk, 32, hex), t, len);
		fprintf(sig_out, "blake2b: %s\n", lg_hex(digest, 32, hex));
		fprintf(sig_out, "signature: %s\n", lg_hex(sig, sizeof(sig), hex));
		rc = ferror(sig_out) ? -EIO : 0;
	}
	if (sk)
		sodium_free(sk);   /* wiped */
	free(m);
	return rc;
}

/* "name: value" of the signature file, copied into out (hex only). */
static bool sig_field(const char *text, const char *name, char *out, size_t cap)
{
	size_t nl = strlen(name);
	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (strncmp(p, name, nl) || strncmp(p + nl, ": ", 2))
			continue;
		p += nl + 2;
		size_t n = strspn(p, "0123456789abcdef");
		if (n == 0 || n >= cap || (p[n] != '\n' && p[n] != '\0'))
			return false;
		memcpy(out, p, n);
		out[n] = '\0';
		return true;
	}
	return false;
}

int audit_report_verify(const void *data, size_t len, const char *sig_text, const uint8_t trusted[32],
			uint8_t signer[32])
{
	char pkhex[65], sighex[2 * crypto_sign_BYTES + 1];
	unsigned char sig[crypto_sign_BYTES];
	size_t mlen;
	if (sodium_init() < 0)
		return -ENOMEM;

	if (strncmp(sig_text, REPORT_SIG_MAGIC "\n", sizeof(REPORT_SIG_MAGIC)) ||
	    !sig_field(sig_text, "public-key", pkhex, sizeof(pkhex)) ||
	    !sig_field(sig_text, "signature", sighex, sizeof(sighex)) ||
	    lg_unhex(pkhex, signer, 32) || lg_unhex(sighex, sig, sizeof(sig)))
		return -EINVAL;
	if (sodium_memcmp(signer, trusted, 32))
		return -EKEYREJECTED;   /* signed, but not by the key we trust */
	unsigned char *m = message(data, len, &mlen);
	if (!m)
		return -ENOMEM;
	int rc = crypto_sign_verify_detached(sig, m, mlen, trusted) == 0 ? 0 : -EBADMSG;
	free(m);
	return rc;
}

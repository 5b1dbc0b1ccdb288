/* The Ed25519 audit key that signs journal checkpoints. Created on first
 * start (0600, O_EXCL so two daemons cannot race), the public half written
 * beside it as "ed25519 <hex>" so the security officer can copy it off the
 * box: only an externally kept copy catches a journal rewritten with a new
 * key (docs/audit-events.md, "What verify detects"). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sodium.h>
#include "linegate/log.h"
#include "audit_internal.h"

static int read_all_at(int dirfd, const char *name, uint8_t *buf, size_t cap, size_t *n)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	ssize_t r = read(fd, buf, cap);
	int err = r < 0 ? -errno : 0;
	close(fd);
	*n = r < 0 ? 0 : (size_t)r;
	return err;
}

static int write_file_at(int dirfd, const char *name, const void *buf, size_t n, mode_t mode)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return -errno;
	int err = 0;
	if (fchmod(fd, mode) || write(fd, buf, n) != (ssize_t)n || fsync(fd))
		err = errno ? -errno : -EIO;
	close(fd);
	if (err)
		unlinkat(dirfd, name, 0);
	return err;
}

static int parse_pub(const char *text, uint8_t pk[32])
{
	char hex[AUDIT_HEX_HASH + 1];
	const char *p = text;
	if (strncmp(p, "ed25519 ", 8) == 0)
		p += 8;
	size_t n = strspn(p, "0123456789abcdefABCDEF");
	if (n != AUDIT_HEX_HASH || (p[n] != '\0' && p[n] != '\n'))
		return -EINVAL;
	memcpy(hex, p, n);
	hex[n] = '\0';
	return lg_unhex(hex, pk, 32);
}

int audit_pubkey_read_at(int dirfd, const char *name, uint8_t pk[32])
{
	uint8_t buf[160];
	size_t n;
	int rc = read_all_at(dirfd, name, buf, sizeof(buf) - 1, &n);
	if (rc)
		return rc;
	buf[n] = '\0';
	return parse_pub((const char *)buf, pk);
}

int audit_pubkey_read(const char *path, uint8_t pk[32])
{
	return audit_pubkey_read_at(AT_FDCWD, path, pk);
}

static int write_pub(int dirfd, const uint8_t pk[32])
{
	char line[16 + AUDIT_HEX_HASH];
	char hex[AUDIT_HEX_HASH + 1];
	snprintf(line, sizeof(line), "ed25519 %s\n", lg_hex(pk, 32, hex));
	unlinkat(dirfd, AUDIT_PUB_FILE, 0);  /* a stale one would mislead verify */
	int rc = write_file_at(dirfd, AUDIT_PUB_FILE, line, strlen(line), 0644);
	if (rc == 0)
		fsync(dirfd);
	return rc;
}

static int create_key(int dirfd, struct audit_key *key)
{
	crypto_sign_keypair(key->pk, key->sk);
	int rc = write_file_at(dirfd, AUDIT_KEY_FILE, key->sk, crypto_sign_SECRETKEYBYTES, 0600);
	return rc ? rc : write_pub(dirfd, key->pk);
}

int audit_key_load_or_create(int dirfd, struct audit_key *key, bool *created)
{
	size_t n = 0;
	*created = false;
	key->sk = sodium_malloc(crypto_sign_SECRETKEYBYTES);
	if (!key->sk)
		return -ENOMEM;
	int rc = read_all_at(dirfd, AUDIT_KEY_FILE, key->sk, crypto_sign_SECRETKEYBYTES, &n);
	if (rc == -ENOENT) {
		rc = create_key(dirfd, key);
		*created = rc == 0;
	} else if (rc == 0 && n != crypto_sign_SECRETKEYBYTES) {
		rc = -EINVAL;
	} else if (rc == 0) {
		crypto_sign_ed25519_sk_to_pk(key->pk, key->sk);
		uint8_t seed[32], pk2[32];
		/* the stored pk half must match the seed, or signatures fail later */
		crypto_sign_ed25519_sk_to_seed(seed, key->sk);
		uint8_t *tmp = sodium_malloc(crypto_sign_SECRETKEYBYTES);
		if (!tmp)
			rc = -ENOMEM;
		else if (crypto_sign_seed_keypair(pk2, tmp, seed) || sodium_memcmp(pk2, key->pk, 32))
			rc = -EINVAL;
		sodium_free(tmp);
		sodium_memzero(seed, sizeof(seed));
		if (rc == 0 && faccessat(dirfd, AUDIT_PUB_FILE, F_OK, 0) != 0)
			rc = write_pub(dirfd, key->pk);   /* lost: write it again */
	}
	if (rc)
		audit_key_free(key);
	return rc;
}

void audit_key_free(struct audit_key *key)
{
	if (key->sk)
		sodium_free(key->sk);   /* sodium_free wipes before freeing */
	key->sk = NULL;
}

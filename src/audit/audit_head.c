/* The signed head: where the trail ended (last seq, its hash, its time),
 * signed with the audit key and kept outside the daily files (audit.head),
 * so a verifier and the daemon at start know how far the trail went: a cut,
 * an emptied or a removed newest file is caught, not only an edit. Written
 * with every checkpoint (tmp + rename, durable); the file is untrusted bytes,
 * so it is read through the bounded cursor. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sodium.h>
#include "linegate/cursor.h"
#include "linegate/log.h"
#include "audit_internal.h"

#define HEAD_TMP AUDIT_HEAD_FILE ".tmp"

void audit_head_message(const struct audit_head *h, uint8_t msg[AUDIT_HEAD_MSG_LEN])
{
	size_t d = sizeof(AUDIT_HEAD_DOMAIN) - 1;
	memcpy(msg, AUDIT_HEAD_DOMAIN, d);
	audit_put_be64(msg + d, h->seq);
	memcpy(msg + d + 8, h->hash, AUDIT_HASH_LEN);
	audit_put_be64(msg + d + 8 + AUDIT_HASH_LEN, (uint64_t)h->ts_ms);
}

void audit_head_sign(struct audit_head *h, const uint8_t *sk)
{
	uint8_t msg[AUDIT_HEAD_MSG_LEN];
	audit_head_message(h, msg);
	crypto_sign_detached(h->sig, NULL, msg, sizeof(msg), sk);
}

bool audit_head_verify(const struct audit_head *h, const uint8_t pk[32])
{
	uint8_t msg[AUDIT_HEAD_MSG_LEN];
	audit_head_message(h, msg);
	return crypto_sign_verify_detached(h->sig, msg, sizeof(msg), pk) == 0;
}

int audit_head_format(const struct audit_head *h, char *out, size_t cap)
{
	char hash[AUDIT_HEX_HASH + 1], sig[2 * crypto_sign_BYTES + 1];
	return snprintf(out, cap, "%s seq=%llu hash=%s ts=%lld sig=%s\n", AUDIT_HEAD_DOMAIN,
			(unsigned long long)h->seq, lg_hex(h->hash, AUDIT_HASH_LEN, hash),
			(long long)h->ts_ms, lg_hex(h->sig, sizeof(h->sig), sig));
}

static bool get_lit(struct cursor *c, const char *lit)
{
	size_t n = strlen(lit);
	const uint8_t *p = cursor_get_ref(c, n);
	return p && memcmp(p, lit, n) == 0;
}

static bool get_dec(struct cursor *c, uint64_t *out)
{
	uint64_t v = 0;
	int digits = 0;
	uint8_t ch;
	while (cursor_peek_bytes(c, &ch, 1) && ch >= '0' && ch <= '9') {
		if (v > (UINT64_MAX - 9) / 10 || (digits == 1 && v == 0))
			return false;   /* overflow or a leading zero: one spelling */
		v = v * 10 + (uint64_t)(ch - '0');
		cursor_skip(c, 1);
		digits++;
	}
	*out = v;
	return digits > 0;
}

static bool get_hex(struct cursor *c, uint8_t *out, size_t n)
{
	char hex[2 * crypto_sign_BYTES + 1];
	const uint8_t *p = cursor_get_ref(c, 2 * n);
	if (!p || 2 * n >= sizeof(hex))
		return false;
	for (size_t i = 0; i < 2 * n; i++)
		if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')))
			return false;   /* lower case only, as written: one spelling */
	memcpy(hex, p, 2 * n);
	hex[2 * n] = '\0';
	return lg_unhex(hex, out, n) == 0;
}

int audit_head_parse(const char *text, size_t len, struct audit_head *h)
{
	struct cursor c;
	uint64_t ts;
	memset(h, 0, sizeof(*h));
	cursor_init(&c, text, len);
	if (!get_lit(&c, AUDIT_HEAD_DOMAIN " seq=") || !get_dec(&c, &h->seq) ||
	    !get_lit(&c, " hash=") || !get_hex(&c, h->hash, AUDIT_HASH_LEN) ||
	    !get_lit(&c, " ts=") || !get_dec(&c, &ts) || ts > INT64_MAX ||
	    !get_lit(&c, " sig=") || !get_hex(&c, h->sig, sizeof(h->sig)) || !get_lit(&c, "\n") ||
	    cursor_remaining(&c) != 0)
		return -EINVAL;
	h->ts_ms = (int64_t)ts;
	return 0;
}

int audit_head_read_at(int dirfd, const char *name, struct audit_head *h)
{
	char buf[AUDIT_HEAD_TEXT_MAX + 1];
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, buf, sizeof(buf));
	int err = n < 0 ? -errno : 0;
	close(fd);
	if (err)
		return err;
	if ((size_t)n >= sizeof(buf))
		return -EINVAL;   /* longer than any head the writer makes */
	return audit_head_parse(buf, (size_t)n, h);
}

int audit_head_read(int dirfd, struct audit_head *h)
{
	return audit_head_read_at(dirfd, AUDIT_HEAD_FILE, h);
}

/* Replaced atomically (rename) and made durable before the caller goes on:
 * after a crash the head is the old or the new one, never half of one. */
int audit_head_write(int dirfd, const struct audit_head *h)
{
	char text[AUDIT_HEAD_TEXT_MAX + 1];
	int n = audit_head_format(h, text, sizeof(text));
	int fd = openat(dirfd, HEAD_TMP, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (fd < 0)
		return -errno;
	int err = 0;
	audit_fix_mode(fd, false);
	if (write(fd, text, (size_t)n) != n || fdatasync(fd))
		err = errno ? -errno : -EIO;
	close(fd);
	if (!err && renameat(dirfd, HEAD_TMP, dirfd, AUDIT_HEAD_FILE))
		err = -errno;
	if (err) {
		unlinkat(dirfd, HEAD_TMP, 0);
		return err;
	}
	return fsync(dirfd) ? -errno : 0;
}

static const char *const state_names[] = {
	[AUDIT_HEAD_OK] = "ok",
	[AUDIT_HEAD_FRESH] = "fresh",
	[AUDIT_HEAD_MISSING] = "head_missing",
	[AUDIT_HEAD_INVALID] = "head_invalid",
	[AUDIT_HEAD_AHEAD] = "trail_behind_head",
	[AUDIT_HEAD_MISMATCH] = "head_mismatch",
};

const char *audit_head_state_name(enum audit_head_state s)
{
	return (unsigned)s < sizeof(state_names) / sizeof(state_names[0]) ? state_names[s] : "?";
}

/* At start: does the trail on disk reach the head the daemon signed last
 * time, and is the record there the one it signed? */
void journal_check_head(struct journal *j, const uint8_t pk[32], struct audit_head_check *out)
{
	uint8_t hash[AUDIT_HASH_LEN];
	memset(out, 0, sizeof(*out));
	int rc = audit_head_read(j->dirfd, &out->head);
	if (rc == -ENOENT) {
		out->state = j->seq ? AUDIT_HEAD_MISSING : AUDIT_HEAD_FRESH;
		return;
	}
	if (rc || !audit_head_verify(&out->head, pk)) {
		out->state = AUDIT_HEAD_INVALID;
		return;
	}
	if (out->head.seq > j->seq) {
		out->state = AUDIT_HEAD_AHEAD;
		return;
	}
	if (out->head.seq == j->seq)
		memcpy(hash, j->head, AUDIT_HASH_LEN);
	else if (journal_find_record(j, out->head.seq, hash))
		memset(hash, 0, sizeof(hash));   /* gone: cannot be the signed one */
	if (sodium_memcmp(hash, out->head.hash, AUDIT_HASH_LEN)) {
		out->state = AUDIT_HEAD_MISMATCH;
		return;
	}
	out->state = AUDIT_HEAD_OK;
	out->unsigned_records = j->seq - out->head.seq;
}

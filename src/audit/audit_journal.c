/* The journal files: one per UTC day (audit-YYYY-MM-DD.jsonl), append-only,
 * one record per line. Opening resumes the chain after the last good record
 * and cuts a torn tail (reported, so the caller records an audit_gap); an
 * append that fails is cut back so the file never keeps half a record. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sodium.h>
#include "audit_internal.h"

void audit_file_name(int64_t day, char *out, size_t cap)
{
	int y;
	unsigned m, d;
	audit_civil_from_days(day, &y, &m, &d);
	snprintf(out, cap, AUDIT_FILE_PREFIX "%04d-%02u-%02u" AUDIT_FILE_SUFFIX, y, m, d);
}

bool audit_file_name_day(const char *name, int64_t *day)
{
	char date[11], back[AUDIT_NAME_MAX];
	int64_t ms;
	size_t pl = sizeof(AUDIT_FILE_PREFIX) - 1;
	if (strlen(name) != pl + 10 + sizeof(AUDIT_FILE_SUFFIX) - 1 ||
	    strncmp(name, AUDIT_FILE_PREFIX, pl) != 0 ||
	    strcmp(name + pl + 10, AUDIT_FILE_SUFFIX) != 0)
		return false;
	memcpy(date, name + pl, 10);
	date[10] = '\0';
	if (audit_time_parse(date, &ms))
		return false;
	*day = audit_day_of_ms(ms);
	audit_file_name(*day, back, sizeof(back));
	return strcmp(back, name) == 0;    /* one spelling per day */
}

int audit_read_lines(int fd, audit_line_fn fn, void *ctx, size_t *partial)
{
	char *line = malloc(AUDIT_LINE_MAX + 1);
	char chunk[65536];
	size_t have = 0;
	uint64_t off = 0, start = 0;
	ssize_t r;
	int rc = 0;
	bool go = true;
	if (!line)
		return -ENOMEM;
	while (go && (r = read(fd, chunk, sizeof(chunk))) > 0) {
		for (size_t i = 0; go && i < (size_t)r;) {
			const char *nl = memchr(chunk + i, '\n', (size_t)r - i);
			size_t take = nl ? (size_t)(nl - chunk) - i : (size_t)r - i;
			size_t room = AUDIT_LINE_MAX - have;
			memcpy(line + have, chunk + i, take < room ? take : room);
			have += take < room ? take : room;
			i += take;
			off += take;
			if (!nl)
				break;
			i++;
			off++;
			go = fn(ctx, line, have, start);
			have = 0;
			start = off;
		}
	}
	if (go && r < 0)
		rc = -errno;
	*partial = go ? (size_t)(off - start) : 0;
	free(line);
	return rc;
}

struct scan {
	struct audit_record rec;
	bool found, want_found;
	uint64_t seq, good_end, bad_lines, bad_pending;
	uint64_t want;                 /* a record looked for (0: none) */
	uint8_t hash[AUDIT_HASH_LEN], want_hash[AUDIT_HASH_LEN];
};

static bool scan_line(void *ctx, const char *line, size_t len, uint64_t offset)
{
	struct scan *s = ctx;
	if (audit_record_parse(line, len, &s->rec) != 0) {
		s->bad_pending++;
		return true;
	}
	s->found = true;
	s->seq = s->rec.seq;
	if (s->want && s->rec.seq == s->want) {
		s->want_found = true;
		memcpy(s->want_hash, s->rec.hash, AUDIT_HASH_LEN);
	}
	memcpy(s->hash, s->rec.hash, AUDIT_HASH_LEN);
	s->good_end = offset + len + 1;
	s->bad_lines += s->bad_pending;
	s->bad_pending = 0;
	return true;
}

static int scan_file(int dirfd, const char *name, int flags, struct scan *s, int *fd_out)
{
	size_t partial;
	int fd = openat(dirfd, name, flags | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	s->found = s->want_found = false;
	s->seq = s->good_end = s->bad_lines = s->bad_pending = 0;
	int rc = audit_read_lines(fd, scan_line, s, &partial);
	if (rc || !fd_out)
		close(fd);
	else
		*fd_out = fd;
	return rc;
}

int journal_file_tail(int dirfd, const char *name, uint64_t *seq, uint8_t hash[AUDIT_HASH_LEN])
{
	struct scan *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	int rc = scan_file(dirfd, name, O_RDONLY, s, NULL);
	if (rc == 0 && !s->found)
		rc = -ENOENT;
	if (rc == 0) {
		*seq = s->seq;
		memcpy(hash, s->hash, AUDIT_HASH_LEN);
	}
	free(s);
	return rc;
}

int journal_find_record(struct journal *j, uint64_t seq, uint8_t hash[AUDIT_HASH_LEN])
{
	char (*names)[AUDIT_NAME_MAX] = NULL;
	size_t n = 0;
	struct scan *s = calloc(1, sizeof(*s));
	int rc = s ? audit_list_files(j->dir, &names, &n) : -ENOMEM;
	/* newest first; a file whose last record is older ends the search */
	for (size_t i = n; rc == 0 && i-- > 0;) {
		s->want = seq;
		if ((rc = scan_file(j->dirfd, names[i], O_RDONLY, s, NULL)))
			break;
		if (s->want_found) {
			memcpy(hash, s->want_hash, AUDIT_HASH_LEN);
			break;
		}
		if (s->found && s->seq < seq)
			rc = -ENOENT;
	}
	if (rc == 0 && !s->want_found)
		rc = -ENOENT;
	free(s);
	free(names);
	return rc;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(a, b);
}

int audit_list_files(const char *dir, char (**names)[AUDIT_NAME_MAX], size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t cap = 0;
	int64_t day;
	*names = NULL;
	*n = 0;
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		if (!audit_file_name_day(e->d_name, &day))
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 64;
			void *p = realloc(*names, cap * AUDIT_NAME_MAX);
			if (!p) {
				closedir(d);
				return -ENOMEM;
			}
			*names = p;
		}
		/* audit_file_name_day() accepted it: it fits */
		memcpy((*names)[(*n)++], e->d_name, strlen(e->d_name) + 1);
	}
	closedir(d);
	if (*n)   /* names sort by date: the order of the chain */
		qsort(*names, *n, AUDIT_NAME_MAX, cmp_names);
	return 0;
}

int audit_read_range(const char *dir, int64_t lo_day, int64_t hi_day, audit_line_fn fn, void *ctx)
{
	const struct audit_range_hooks h = { .line = fn };
	return audit_read_range_hooks(dir, lo_day, hi_day, &h, ctx);
}

int audit_read_range_hooks(const char *dir, int64_t lo_day, int64_t hi_day,
			   const struct audit_range_hooks *h, void *ctx)
{
	char (*names)[AUDIT_NAME_MAX] = NULL;
	char path[CONF_PATH_MAX + AUDIT_NAME_MAX];
	size_t n = 0, partial;
	int64_t day;
	int rc = audit_list_files(dir, &names, &n);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if (!audit_file_name_day(names[i], &day) || day < lo_day || day > hi_day)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0) {
			rc = -errno;
			break;
		}
		if (h->begin)
			h->begin(ctx, names[i]);
		rc = audit_read_lines(fd, h->line, ctx, &partial);
		close(fd);
		if (rc == 0 && h->end)
			h->end(ctx, partial);
	}
	free(names);
	return rc;
}

void journal_init(struct journal *j)
{
	memset(j, 0, sizeof(*j));
	j->dirfd = -1;
	j->fd = -1;
	j->day = INT64_MIN;
	j->watch.fd = -1;
}

static int mkdir_p(const char *path)
{
	char tmp[CONF_PATH_MAX];
	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0750) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, 0750) && errno != EEXIST)
		return -errno;
	return 0;
}

/* Cuts what follows the last good record of a file; the cut bytes are
 * hashed so the audit_gap record can name exactly what was removed. */
static int cut_tail(struct journal *j, const char *name, uint64_t good_end,
		    struct journal_resume *res)
{
	int fd = openat(j->dirfd, name, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || (uint64_t)st.st_size <= good_end) {
		close(fd);
		return 0;
	}
	crypto_generichash_state h;
	uint8_t buf[4096];
	uint64_t left = (uint64_t)st.st_size - good_end;
	crypto_generichash_init(&h, NULL, 0, AUDIT_HASH_LEN);
	for (uint64_t at = good_end; left;) {
		ssize_t r = pread(fd, buf, left < sizeof(buf) ? left : sizeof(buf), (off_t)at);
		if (r <= 0)
			break;
		crypto_generichash_update(&h, buf, (size_t)r);
		at += (uint64_t)r;
		left -= (uint64_t)r;
	}
	crypto_generichash_final(&h, res->torn_hash, AUDIT_HASH_LEN);
	res->torn = true;
	snprintf(res->file, sizeof(res->file), "%s", name);
	res->torn_offset = good_end;
	res->torn_bytes = (uint64_t)st.st_size - good_end;
	int rc = ftruncate(fd, (off_t)good_end) || fdatasync(fd) ? -errno : 0;
	close(fd);
	return rc;
}

int journal_open(struct journal *j, const char *dir, struct journal_resume *res)
{
	char (*names)[AUDIT_NAME_MAX] = NULL;
	size_t n = 0;
	int rc;
	memset(res, 0, sizeof(*res));
	journal_close(j);
	snprintf(j->dir, sizeof(j->dir), "%s", dir);
	if ((rc = mkdir_p(dir)))
		return rc;
	j->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (j->dirfd < 0)
		return -errno;
	audit_fix_tree(j->dirfd, dir);
	if ((rc = audit_list_files(dir, &names, &n)))
		return rc;
	struct scan *s = calloc(1, sizeof(*s));
	if (!s) {
		free(names);
		return -ENOMEM;
	}
	/* newest first: a file with no good record at all is wholly torn */
	for (size_t i = n; i-- > 0 && rc == 0;) {
		rc = scan_file(j->dirfd, names[i], O_RDONLY, s, NULL);
		if (rc == 0)
			rc = cut_tail(j, names[i], s->found ? s->good_end : 0, res);
		if (rc == 0 && s->found) {
			j->seq = s->seq;
			memcpy(j->head, s->hash, AUDIT_HASH_LEN);
			audit_file_name_day(names[i], &j->day);
			res->bad_lines = s->bad_lines;
			break;
		}
	}
	free(s);
	free(names);
	return rc;
}

static int open_day(struct journal *j, int64_t day)
{
	struct stat st;
	char name[AUDIT_NAME_MAX];
	audit_file_name(day, name, sizeof(name));
	int fd = openat(j->dirfd, name, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		int rc = -errno;
		close(fd);
		return rc;
	}
	if (st.st_size == 0)
		audit_fix_mode(fd, false);   /* new: the umask does not decide who reads */
	if (j->fd >= 0) {
		fdatasync(j->fd);    /* the old day is complete: make it durable */
		close(j->fd);
	}
	fsync(j->dirfd);         /* the new name itself must survive a crash */
	j->fd = fd;
	j->day = day;
	j->good_size = st.st_size;
	snprintf(j->name, sizeof(j->name), "%s", name);
	journal_watch_arm(&j->watch, j->dirfd, fd);
	return 0;
}

int journal_check_live(struct journal *j, uint64_t *open_size, uint64_t *path_size)
{
	struct stat a, b;
	*open_size = *path_size = 0;
	if (j->fd < 0 || journal_watch_quiet(&j->watch))
		return 0;
	if (fstat(j->fd, &a))
		return 0;   /* nothing open, or cannot tell: the write will say */
	*open_size = (uint64_t)a.st_size;
	if (fstatat(j->dirfd, j->name, &b, AT_SYMLINK_NOFOLLOW))
		return errno == ENOENT ? -ENOENT : 0;
	*path_size = (uint64_t)b.st_size;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino ? 0 : -ESTALE;
}

int journal_reopen(struct journal *j)
{
	int64_t day = j->day;
	if (j->fd >= 0)
		close(j->fd);   /* the replaced inode: nobody can read it any more */
	j->fd = -1;
	return open_day(j, day);
}

int journal_append(struct journal *j, const char *line, size_t len, int64_t day, bool sync)
{
	int rc;
	if (j->dirfd < 0)
		return -EBADF;
	if (day < j->day)
		day = j->day;    /* the clock went back: never write into an older file */
	if ((j->fd < 0 || day != j->day) && (rc = open_day(j, day)))
		return rc;
	/* a previous failure may have left bytes that the cut did not remove */
	struct stat st;
	if (fstat(j->fd, &st) == 0 && st.st_size != j->good_size &&
	    ftruncate(j->fd, j->good_size))
		return -errno;
	errno = 0;
	ssize_t w = write(j->fd, line, len);
	if (w == (ssize_t)len) {
		if (!sync || fdatasync(j->fd) == 0) {
			j->good_size += (off_t)len;
			return 0;
		}
		rc = -errno;   /* EIO on sync: the record may not be on disk */
	} else {
		rc = w < 0 && errno ? -errno : -ENOSPC;
	}
	if (ftruncate(j->fd, j->good_size) == 0)
		fdatasync(j->fd);
	return rc;
}

int journal_sync(struct journal *j)
{
	if (j->fd >= 0 && fdatasync(j->fd))
		return -errno;
	return 0;
}

void journal_close(struct journal *j)
{
	if (j->fd >= 0) {
		fdatasync(j->fd);
		close(j->fd);
	}
	if (j->dirfd >= 0)
		close(j->dirfd);
	journal_watch_close(&j->watch);
	j->fd = -1;
	j->dirfd = -1;
	j->day = INT64_MIN;
}

/* Region database: IPv4/IPv6 prefixes to ISO 3166-1 alpha-2 codes, parsed
 * from the plain-text format of docs/regiondb.md and answered by longest-
 * prefix match. Entries live in one array sorted by (family, length
 * descending, address); a lookup binary-searches the slice of each length
 * present, longest first, so a lookup costs at most ~30 binary searches
 * whatever the size of the database (a full RIR dump is ~300k prefixes). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "linegate/cursor.h"
#include "policy_internal.h"

enum {
	RDB_LINE_MAX = 256,                  /* longest accepted line */
	RDB_MAX_ENTRIES = 4 * 1024 * 1024,   /* bounds memory on a hostile file */
	RDB_FILE_MAX = 128 * 1024 * 1024,
};

struct rdb_entry {
	uint8_t addr[16];
	uint8_t family;
	uint8_t len;
	char cc[2];
	uint32_t line;
};

struct rdb_slice {
	uint32_t start, count;
};

struct regiondb {
	struct rdb_entry *e;
	size_t n, cap;
	struct rdb_slice slice[2][129];      /* [0] IPv4, [1] IPv6, by length */
	uint8_t lengths[2][129];             /* lengths present, longest first */
	size_t n_lengths[2];
};

static int fam_index(int family) { return family == AF_INET6 ? 1 : 0; }

static int entry_cmp(const void *pa, const void *pb)
{
	const struct rdb_entry *a = pa, *b = pb;
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if (a->len != b->len)
		return a->len > b->len ? -1 : 1;
	int c = memcmp(a->addr, b->addr, 16);
	if (c)
		return c;
	return a->line < b->line ? -1 : a->line > b->line;
}

static int db_append(struct regiondb *db, const struct rdb_entry *e)
{
	if (db->n == db->cap) {
		if (db->cap >= RDB_MAX_ENTRIES)
			return -E2BIG;
		size_t ncap = db->cap ? db->cap * 2 : 256;
		struct rdb_entry *ne = realloc(db->e, ncap * sizeof(*ne));
		if (!ne)
			return -ENOMEM;
		db->e = ne;
		db->cap = ncap;
	}
	db->e[db->n++] = *e;
	return 0;
}

/* "prefix CC [# comment]" -> entry; returns a static error text or NULL. */
static const char *parse_line(char *line, struct rdb_entry *e)
{
	char *hash = strchr(line, '#');
	if (hash)
		*hash = '\0';
	char *save = NULL;
	char *pfx = strtok_r(line, " \t\r", &save);
	if (!pfx)
		return "";   /* blank or comment-only: not an error, no entry */
	char *cc = strtok_r(NULL, " \t\r", &save);
	if (!cc)
		return "expected \"prefix CC\", the country code is missing";
	if (strtok_r(NULL, " \t\r", &save))
		return "unexpected text after the country code";
	struct lg_prefix p;
	if (lg_prefix_parse(pfx, &p))
		return "invalid prefix (address/length with host bits zero expected)";
	if (strlen(cc) != 2 || !isalpha((unsigned char)cc[0]) || !isalpha((unsigned char)cc[1]))
		return "country code must be two letters (ISO 3166-1 alpha-2)";
	memset(e, 0, sizeof(*e));
	memcpy(e->addr, p.addr, 16);
	e->family = p.family;
	e->len = p.len;
	e->cc[0] = (char)toupper((unsigned char)cc[0]);
	e->cc[1] = (char)toupper((unsigned char)cc[1]);
	return NULL;
}

/* Sorts, removes exact duplicates with the same code, refuses duplicates
 * that disagree (the file would then have no single answer). */
static int db_finish(struct regiondb *db, const char *name, char *err, size_t errlen)
{
	if (db->n)
		qsort(db->e, db->n, sizeof(*db->e), entry_cmp);
	size_t w = 0;
	for (size_t i = 0; i < db->n; i++) {
		struct rdb_entry *cur = &db->e[i];
		if (w && db->e[w - 1].family == cur->family && db->e[w - 1].len == cur->len &&
		    !memcmp(db->e[w - 1].addr, cur->addr, 16)) {
			if (memcmp(db->e[w - 1].cc, cur->cc, 2)) {
				struct lg_prefix p = { .family = cur->family, .len = cur->len };
				char buf[LG_ADDRSTRLEN];
				memcpy(p.addr, cur->addr, 16);
				snprintf(err, errlen, "%s:%u: %s is mapped to %.2s here but to %.2s at line %u",
					 name, cur->line, lg_prefix_format(&p, buf, sizeof(buf)), cur->cc,
					 db->e[w - 1].cc, db->e[w - 1].line);
				return -EINVAL;
			}
			continue;
		}
		db->e[w++] = *cur;
	}
	db->n = w;
	for (size_t i = 0; i < db->n; i++) {
		int f = fam_index(db->e[i].family);
		struct rdb_slice *s = &db->slice[f][db->e[i].len];
		if (s->count == 0) {
			s->start = (uint32_t)i;
			db->lengths[f][db->n_lengths[f]++] = db->e[i].len;
		}
		s->count++;
	}
	return 0;
}

/* Next line through the bounded cursor; false at the end. */
int regiondb_parse(const char *name, const char *buf, size_t len, struct regiondb **out,
		   char *err, size_t errlen)
{
	struct regiondb *db = calloc(1, sizeof(*db));
	struct cursor c;
	const char *line;
	size_t llen;
	unsigned lineno = 0;
	int rc = 0;

	*out = NULL;
	if (errlen)
		err[0] = '\0';
	if (!db)
		return -ENOMEM;
	cursor_init(&c, buf, len);
	while (policy_next_line(&c, &line, &llen)) {
		char copy[RDB_LINE_MAX + 1];
		struct rdb_entry e;
		lineno++;
		if (llen > RDB_LINE_MAX || memchr(line, '\0', llen)) {
			snprintf(err, errlen, "%s:%u: %s", name, lineno,
				 llen > RDB_LINE_MAX ? "line too long" : "NUL byte in line");
			rc = -EINVAL;
			goto fail_db;
		}
		memcpy(copy, line, llen);
		copy[llen] = '\0';
		const char *msg = parse_line(copy, &e);
		if (msg && *msg) {
			snprintf(err, errlen, "%s:%u: %s", name, lineno, msg);
			rc = -EINVAL;
			goto fail_db;
		}
		if (msg)
			continue;
		e.line = lineno;
		rc = db_append(db, &e);
		if (rc) {
			snprintf(err, errlen, "%s:%u: %s", name, lineno,
				 rc == -E2BIG ? "too many prefixes" : "out of memory");
			goto fail_db;
		}
	}
	rc = db_finish(db, name, err, errlen);
	if (rc)
		goto fail_db;
	*out = db;
	return 0;
fail_db:
	regiondb_free(db);
	return rc;
}

int regiondb_load(const char *path, struct regiondb **out, char *err, size_t errlen)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	int rc;

	*out = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK); /* a FIFO must not hang */
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(-rc));
		return rc;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > RDB_FILE_MAX) {
		rc = -EINVAL;
		snprintf(err, errlen, "%s: not a regular file of at most %d MiB", path,
			 RDB_FILE_MAX >> 20);
		goto close_fd;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		rc = -ENOMEM;
		snprintf(err, errlen, "%s: out of memory", path);
		goto close_fd;
	}
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			rc = r < 0 ? -errno : -EIO;
			snprintf(err, errlen, "%s: read error", path);
			goto free_buf;
		}
		got += (size_t)r;
	}
	rc = regiondb_parse(path, buf, got, out, err, errlen);
free_buf:
	free(buf);
close_fd:
	close(fd);
	return rc;
}

void regiondb_free(struct regiondb *db)
{
	if (!db)
		return;
	free(db->e);
	free(db);
}

size_t regiondb_size(const struct regiondb *db)
{
	return db ? db->n : 0;
}

static void mask_to(uint8_t *a, unsigned len, size_t bytes)
{
	for (size_t i = 0; i < bytes; i++) {
		unsigned bit0 = (unsigned)i * 8;
		if (bit0 >= len)
			a[i] = 0;
		else if (len - bit0 < 8)
			a[i] &= (uint8_t)(0xff << (8 - (len - bit0)));
	}
}

static const struct rdb_entry *slice_find(const struct regiondb *db, const struct rdb_slice *s,
					  const uint8_t *key)
{
	size_t lo = s->start, hi = (size_t)s->start + s->count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = memcmp(db->e[mid].addr, key, 16);
		if (c == 0)
			return &db->e[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

bool regiondb_lookup(const struct regiondb *db, int family, const uint8_t *addr, char cc[3])
{
	return regiondb_lookup_prefix(db, family, addr, cc, NULL);
}

bool regiondb_lookup_prefix(const struct regiondb *db, int family, const uint8_t *addr, char cc[3],
			    struct lg_prefix *matched)
{
	cc[0] = '\0';
	if (matched)
		memset(matched, 0, sizeof(*matched));
	if (!db || (family != AF_INET && family != AF_INET6))
		return false;
	int f = fam_index(family);
	size_t bytes = lg_family_addr_len(family);
	for (size_t i = 0; i < db->n_lengths[f]; i++) {
		uint8_t key[16] = { 0 };
		unsigned len = db->lengths[f][i];
		memcpy(key, addr, bytes);
		mask_to(key, len, 16);
		const struct rdb_entry *e = slice_find(db, &db->slice[f][len], key);
		if (e) {
			cc[0] = e->cc[0];
			cc[1] = e->cc[1];
			cc[2] = '\0';
			if (matched) {
				matched->family = e->family;
				matched->len = e->len;
				memcpy(matched->addr, e->addr, 16);
			}
			return true;
		}
	}
	return false;
}

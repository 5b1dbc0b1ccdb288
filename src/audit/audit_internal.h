/* Internal interfaces of the audit module: record formatting and parsing,
 * civil time, the journal writer, the signing key and the verifier. Only
 * src/audit/ and its tests include this. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <stdio.h>
#include <sys/uio.h>
#include "linegate/audit.h"

enum {
	AUDIT_HASH_LEN = 32,           /* BLAKE2b-256 */
	AUDIT_HEX_HASH = 64,
	AUDIT_LINE_MAX = 8192,         /* one journal record, with '\n' */
	AUDIT_MAX_DETAILS = 32,
	AUDIT_VALUE_MAX = 512,         /* a value after unescaping, with NUL */
	AUDIT_FIELD_MAX = 256,
	AUDIT_KEY_MAX = 40,
	AUDIT_NAME_MAX = 48,           /* event / outcome / file names */
	/* every line ends in ,"hash":"<64 hex>"} and the hash covers what precedes */
	AUDIT_HASH_SUFFIX_LEN = 75,
	AUDIT_MIN_RETENTION_DAYS = 180,
};

/* v2 signs the checkpoint's own time too: an edited last checkpoint time
 * (re-hashed, nothing after it) no longer verifies */
#define AUDIT_SIG_DOMAIN "linegate-audit-checkpoint-v2"
#define AUDIT_HEAD_DOMAIN "linegate-audit-head-v1"
#define AUDIT_HEAD_FILE "audit.head"
#define AUDIT_FILE_PREFIX "audit-"
#define AUDIT_FILE_SUFFIX ".jsonl"
#define AUDIT_KEY_FILE "audit.key"
#define AUDIT_PUB_FILE "audit.pub"
#define AUDIT_DEFAULT_DIR "/var/lib/linegate/audit"
#define AUDIT_CONFIG_DIR "configs"         /* the configuration store, in the journal dir */

/* ---- audit_perms.c: the auditors' group and the modes (02750 / 0640) */
/* A group name, or a number; "" or NULL: none. -ENOENT: no such group. */
int audit_perms_set_group(const char *name);
void audit_fix_mode(int fd, bool dir);
void audit_fix_mode_at(int dirfd, const char *name);
void audit_fix_tree(int dirfd, const char *dir);

/* ---- audit_config_store.c */
/* The hash of a stored configuration (configs/<hex>.tar) recomputed from
 * its members; *files: how many. 0, or -EINVAL for anything not a store. */
int audit_config_tar_hash(int fd, uint8_t out[32], size_t *files);
/* The hex hash of the configuration last stored by this process ("" none). */
void audit_config_current(char out[AUDIT_HEX_HASH + 1]);

/* ---- audit_config_prune.c: the store follows journal retention */
/* Deletes every configs/<hex>.tar that no config_loaded/config_reloaded
 * record left in dir names, except the current configuration and any
 * stored or re-stored while the scan ran. Returns how many, or -errno (a
 * journal that cannot be read whole prunes nothing). */
int audit_config_prune(const char *dir);

/* ---- audit_cli.c: `audit verify`'s transcript for a directory, to out
 * (INT64_MIN / INT64_MAX: no bound; no upper bound checks the signed head). */
int audit_verify_report(FILE *out, const char *dir, const char *pubkey, const char *head,
			int64_t since_ms, int64_t until_ms);

/* ---- audit_config_refs.c: the configurations the journal names */
struct audit_config_refs {
	char (*hex)[AUDIT_HEX_HASH + 1];
	size_t n;
};
/* Every blake2b of config_loaded / config_reloaded records in the journal
 * files of dir whose day lies in [lo_day, hi_day], once each, in order. */
int audit_config_refs_scan(const char *dir, int64_t lo_day, int64_t hi_day,
			   struct audit_config_refs *out);
void audit_config_refs_free(struct audit_config_refs *r);
bool audit_config_refs_has(const struct audit_config_refs *r, const char *hex);

/* ---- audit_export.c, audit_archive.c: the assessor's archive */
#define AUDIT_EXPORT_MAGIC "linegate-audit-export v1"
#define AUDIT_EXPORT_SIG_DOMAIN "linegate-audit-export-v1"
struct audit_export_args {
	const char *dir, *out, *report;
	int64_t since_ms, until_ms;     /* INT64_MIN / INT64_MAX: no bound */
};
/* `audit export`: the archive at out, with the members added by
 * audit_export_add_member. Exit code 0 written, 2 usage/IO. */
int audit_export_write(const struct audit_export_args *a);
/* `audit verify --archive FILE`: exit code 0 passed, 1 a fault, 2 usage/IO. */
int audit_archive_verify(const char *archive, const char *pubkey);

/* ---- audit_event.c */
bool audit_event_parse(const char *name, enum audit_event *ev);

/* ---- audit_time.c: proleptic Gregorian arithmetic, independent of TZ */
int64_t audit_days_from_civil(int y, unsigned m, unsigned d);
void audit_civil_from_days(int64_t days, int *y, unsigned *m, unsigned *d);
int64_t audit_day_of_ms(int64_t wall_ms);          /* UTC day number */
/* RFC 3339 with Z or +hh:mm, optional fraction; or "YYYY-MM-DD" (UTC). */
int audit_time_parse(const char *s, int64_t *wall_ms);

/* ---- audit_format.c */
struct audit_kv {
	const char *key;
	const char *value;
};

struct audit_rec_in {
	uint64_t seq;                  /* 0: not chained (before audit_open) */
	const uint8_t *prev;           /* previous record's hash, NULL = zeros */
	uint64_t wall_ms;
	const char *host, *subject, *object;
	enum audit_event ev;
	enum audit_outcome outcome;
	const struct audit_kv *kv;
	size_t n_kv;
};

/* The journal line ending in '\n'; its hash goes to hash_out. Returns the
 * length, or -ENOSPC when even a truncated record does not fit. */
int audit_format_json(const struct audit_rec_in *r, char *out, size_t cap,
		      uint8_t hash_out[AUDIT_HASH_LEN]);
/* The syslog message: type=audit seq=.. ts=.. host=.. event=.. outcome=..
 * subject=.. object=.. then details, then `extra` (already key=value). */
int audit_format_syslog(const struct audit_rec_in *r, const char *extra, char *out, size_t cap);
/* ---- audit_journald.c: structured fields under systemd */
enum { AUDIT_JFIELDS_MAX = 12, AUDIT_JFIELD_LEN = 4200 /* MESSAGE: a syslog line */ };
struct audit_jfields {
	char buf[AUDIT_JFIELDS_MAX][AUDIT_JFIELD_LEN];
	struct iovec iov[AUDIT_JFIELDS_MAX];
	size_t n;
};
/* $JOURNAL_STREAM is our stderr: journald is listening. */
bool audit_journald_detect(void);
/* The fields of one event (a pure function, tested by table): MESSAGE (the
 * syslog line), PRIORITY, SYSLOG_FACILITY, SYSLOG_IDENTIFIER and
 * LINEGATE_EVENT, _OUTCOME, _SUBJECT, _OBJECT, _PEER, _REASON, _SEQ. */
void audit_journald_fields(const struct audit_rec_in *r, int facility, int sev,
			   const char *message, struct audit_jfields *f);
int audit_journald_send(const struct audit_jfields *f);   /* sd_journal_sendv */

/* Escapers, exposed for tests. Return bytes written (out is NUL-terminated),
 * truncating at an escape boundary when cap is short. */
size_t audit_escape_json(const char *in, char *out, size_t cap);
size_t audit_escape_kv(const char *in, char *out, size_t cap);
/* Keys that may carry secret material: their values are never written. */
bool audit_key_is_secret(const char *key);

/* ---- audit_record.c: the parser of journal lines (untrusted bytes) */
struct audit_record {
	uint64_t seq;
	char ts[AUDIT_NAME_MAX];
	int64_t ts_ms;
	char host[AUDIT_FIELD_MAX];
	char subject[AUDIT_FIELD_MAX];
	char object[AUDIT_FIELD_MAX];
	char event[AUDIT_NAME_MAX];
	char outcome[AUDIT_NAME_MAX];
	uint8_t prev[AUDIT_HASH_LEN];
	uint8_t hash[AUDIT_HASH_LEN];  /* as stated in the line */
	size_t n_details;
	char dkey[AUDIT_MAX_DETAILS][AUDIT_KEY_MAX];
	char dval[AUDIT_MAX_DETAILS][AUDIT_VALUE_MAX];
};

/* 0: well formed and the hash matches; -EBADMSG: well formed but the hash
 * does not match the bytes (r is filled); -EINVAL: malformed. */
int audit_record_parse(const char *line, size_t len, struct audit_record *r);
const char *audit_record_detail(const struct audit_record *r, const char *key);
enum { AUDIT_SIG_MSG_LEN = sizeof(AUDIT_SIG_DOMAIN) - 1 + 8 + AUDIT_HASH_LEN + 8 };
/* domain || seq || prev || time (ms), integers big endian */
void audit_checkpoint_message(uint64_t seq, const uint8_t prev[AUDIT_HASH_LEN], int64_t ts_ms,
			      uint8_t msg[AUDIT_SIG_MSG_LEN]);
void audit_put_be64(uint8_t *p, uint64_t v);

/* ---- audit_head.c: the signed head, outside the daily files */
struct audit_head {
	uint64_t seq;                  /* the last record when it was written */
	uint8_t hash[AUDIT_HASH_LEN];  /* its hash */
	int64_t ts_ms;                 /* its time */
	uint8_t sig[64];
};
enum {
	AUDIT_HEAD_MSG_LEN = sizeof(AUDIT_HEAD_DOMAIN) - 1 + 8 + AUDIT_HASH_LEN + 8,
	AUDIT_HEAD_TEXT_MAX = 320,
};
void audit_head_message(const struct audit_head *h, uint8_t msg[AUDIT_HEAD_MSG_LEN]);
void audit_head_sign(struct audit_head *h, const uint8_t *sk);
bool audit_head_verify(const struct audit_head *h, const uint8_t pk[32]);
/* "linegate-audit-head-v1 seq=N hash=<64 hex> ts=<ms> sig=<128 hex>\n" */
int audit_head_format(const struct audit_head *h, char *out, size_t cap);
int audit_head_parse(const char *text, size_t len, struct audit_head *h);
/* -ENOENT: no head; -EINVAL: not a head. */
int audit_head_read(int dirfd, struct audit_head *h);
int audit_head_read_at(int dirfd, const char *name, struct audit_head *h);
int audit_head_write(int dirfd, const struct audit_head *h);
enum audit_head_state {
	AUDIT_HEAD_OK,                 /* the trail reaches the head and agrees */
	AUDIT_HEAD_FRESH,              /* no head, no records: a new journal */
	AUDIT_HEAD_MISSING,            /* records but no head */
	AUDIT_HEAD_INVALID,            /* malformed, or not signed by the key */
	AUDIT_HEAD_AHEAD,              /* the trail ends before its head: cut */
	AUDIT_HEAD_MISMATCH,           /* the record at the head's seq differs */
};
struct audit_head_check {
	enum audit_head_state state;
	struct audit_head head;
	uint64_t unsigned_records;     /* OK: records after the head */
};
const char *audit_head_state_name(enum audit_head_state s);
struct journal;
void journal_check_head(struct journal *j, const uint8_t pk[32], struct audit_head_check *out);

/* ---- audit_key.c: the Ed25519 audit key */
struct audit_key {
	uint8_t *sk;                   /* sodium_malloc'ed, 64 bytes */
	uint8_t pk[32];
};
/* Loads dirfd/audit.key or creates it (0600) with audit.pub beside it.
 * *created tells which. */
int audit_key_load_or_create(int dirfd, struct audit_key *key, bool *created);
void audit_key_free(struct audit_key *key);
/* audit_pubkey_read: in audit.h (report verify uses it). */
int audit_pubkey_read_at(int dirfd, const char *name, uint8_t pk[32]);

/* ---- audit_watch.c: has the live file's path changed since the last look? */
struct journal_watch {
	int fd;                        /* inotify, -1: none (stat every record) */
	bool fresh;                    /* armed, not yet checked in full */
};
/* Watches the journal directory and the open file (either may be missing
 * afterwards: then every check is a full one). */
void journal_watch_arm(struct journal_watch *w, int dirfd, int fd);
/* true: nothing happened since the last call, the full check may be
 * skipped; false: look (an event, an overflow, an error, no watch). */
bool journal_watch_quiet(struct journal_watch *w);
void journal_watch_close(struct journal_watch *w);

/* ---- audit_journal.c: the append-only files */
struct journal {
	int dirfd;
	int fd;
	char dir[CONF_PATH_MAX];
	char name[AUDIT_NAME_MAX];     /* current file */
	int64_t day;                   /* its UTC day */
	off_t good_size;               /* end of the last complete record */
	uint64_t seq;                  /* last record written */
	uint8_t head[AUDIT_HASH_LEN];  /* its hash */
	struct journal_watch watch;    /* on dirfd and fd, for journal_check_live */
};

struct journal_resume {
	bool torn;                     /* bytes after the last good record cut */
	char file[AUDIT_NAME_MAX];
	uint64_t torn_offset, torn_bytes;
	uint8_t torn_hash[AUDIT_HASH_LEN];
	uint64_t bad_lines;            /* unparseable lines before good ones */
};

void journal_init(struct journal *j);
int journal_open(struct journal *j, const char *dir, struct journal_resume *res);
/* Appends one whole line to the file of `day` (rotating forward only). On
 * failure the file is cut back to the last good record: no torn lines. */
int journal_append(struct journal *j, const char *line, size_t len, int64_t day, bool sync);
int journal_sync(struct journal *j);
/* Is the file at the current path still the one open (st_dev, st_ino)? An
 * editor's rename (sed -i) or an unlink would leave every later record in a
 * file nobody can read. 0; -ESTALE replaced; -ENOENT removed. */
int journal_check_live(struct journal *j, uint64_t *open_size, uint64_t *path_size);
/* Opens the file at the path again (created if it was removed). */
int journal_reopen(struct journal *j);
void journal_close(struct journal *j);
bool audit_file_name_day(const char *name, int64_t *day);
void audit_file_name(int64_t day, char *out, size_t cap);
/* Calls fn for every '\n'-terminated line of fd (without the '\n'; lines
 * longer than AUDIT_LINE_MAX are passed cut to AUDIT_LINE_MAX bytes, which
 * no parser accepts). *partial: bytes after the last '\n'. fn returns false
 * to stop. */
typedef bool (*audit_line_fn)(void *ctx, const char *line, size_t len, uint64_t offset);
int audit_read_lines(int fd, audit_line_fn fn, void *ctx, size_t *partial);
/* audit_read_lines over every journal file of dir whose day lies in
 * [lo_day, hi_day], in order. */
int audit_read_range(const char *dir, int64_t lo_day, int64_t hi_day, audit_line_fn fn, void *ctx);
/* The same walk with per-file hooks (either may be NULL): begin before a
 * file's first line, end after its last with the bytes after its last
 * '\n' (a torn tail); end is not called for a file that failed to read. */
struct audit_range_hooks {
	audit_line_fn line;
	void (*begin)(void *ctx, const char *name);
	void (*end)(void *ctx, size_t partial);
};
int audit_read_range_hooks(const char *dir, int64_t lo_day, int64_t hi_day,
			   const struct audit_range_hooks *h, void *ctx);
/* The last good record of a file (for retention anchors); -ENOENT if none. */
int journal_file_tail(int dirfd, const char *name, uint64_t *seq, uint8_t hash[AUDIT_HASH_LEN]);
/* The hash of record seq, newest file first; -ENOENT if it is not there. */
int journal_find_record(struct journal *j, uint64_t seq, uint8_t hash[AUDIT_HASH_LEN]);

/* ---- audit_summary.c: the per-interval records (audit_tick, audit_close) */
void audit_summary_flush(uint64_t now_ms, uint64_t interval_ms, bool force);

/* ---- audit_retention.c */
/* A file holding UTC day `day` is wholly older than `days` days at now. */
bool audit_retention_expired(int64_t day, int64_t now_ms, uint32_t days);

/* ---- audit_verify.c */
enum audit_fault_kind {
	AUDIT_FAULT_ALTERED,
	AUDIT_FAULT_REMOVED,
	AUDIT_FAULT_REORDERED,
	AUDIT_FAULT_TRUNCATED,
	AUDIT_FAULT_MALFORMED,
	AUDIT_FAULT_SIGNATURE,
	AUDIT_FAULT_KEY,
	AUDIT_FAULT_HEAD,
	AUDIT_FAULT_CUT,               /* the trail ends before its signed head */
	AUDIT_FAULT_EMPTY,             /* no record at all */
	AUDIT_FAULT_UNANCHORED,        /* records but no (valid) signed head */
	AUDIT_FAULT_APPENDED,          /* records after a clean stop's final checkpoint */
};
const char *audit_fault_kind_name(enum audit_fault_kind k);

struct audit_finding {
	enum audit_fault_kind kind;
	char file[AUDIT_NAME_MAX];
	uint64_t line;
	uint64_t seq;
	char msg[384];
};

typedef void (*audit_finding_fn)(void *ctx, const struct audit_finding *f);
typedef void (*audit_note_fn)(void *ctx, const char *file, uint64_t line, const char *msg);

struct audit_verifier {
	/* settings */
	bool have_trusted;
	uint8_t trusted[32];
	bool anchored_start;           /* --since: the first record is an anchor */
	bool check_end;                /* the trail must reach its signed head */
	const char *head_file;         /* an exported head instead of dir/audit.head */
	int head_err;                  /* reading audit.head: 0, -ENOENT, -EINVAL */
	struct audit_head signed_head;
	audit_finding_fn on_finding;
	audit_note_fn on_note;
	void *ctx;
	/* state */
	char file[AUDIT_NAME_MAX];
	uint64_t line;
	bool started, resync;
	uint64_t expect;
	uint8_t head[AUDIT_HASH_LEN];
	bool have_key;
	uint8_t key[32];
	bool pending;                  /* seq jump seen, removed or reordered? */
	struct audit_finding pending_f;
	uint64_t pending_lo, pending_hi;
	uint64_t first_seq;
	uint8_t first_prev[AUDIT_HASH_LEN];
	char first_file[AUDIT_NAME_MAX];
	bool head_ok;
	uint64_t since_checkpoint;
	uint64_t last_seq;             /* highest seq seen, and where */
	int64_t first_ms, last_ms;     /* times of the first and the highest record */
	char last_file[AUDIT_NAME_MAX];
	uint64_t last_line;
	bool head_seen;
	bool after_final;              /* a final checkpoint, no audit_open yet */
	uint64_t final_seq;
	/* results */
	uint64_t files, records, checkpoints, gaps, faults;
	uint64_t unsigned_records;     /* after the last checkpoint */
	bool have_first;
	struct audit_finding first;
	struct audit_record rec;       /* scratch, large */
};

void audit_verify_init(struct audit_verifier *v);
void audit_verify_begin_file(struct audit_verifier *v, const char *name);
void audit_verify_line(struct audit_verifier *v, const char *line, size_t len);
/* partial: the file ended with `partial` bytes not ending in '\n'. */
void audit_verify_end_file(struct audit_verifier *v, size_t partial);
/* Final checks; returns the number of faults. */
uint64_t audit_verify_finish(struct audit_verifier *v);
/* Every journal file of dir whose day lies in [since_day, until_day]. */
int audit_verify_dir(struct audit_verifier *v, const char *dir, int64_t since_day, int64_t until_day);
/* The journal files of dir, sorted; caller frees with free(). */
int audit_list_files(const char *dir, char (**names)[AUDIT_NAME_MAX], size_t *n);

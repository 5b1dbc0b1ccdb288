/* The MLPS audit trail. audit_emit() is the one way a security event is
 * recorded: it formats one record (RFC 3339 time with zone, host, subject,
 * event, object, outcome, details), sends it to syslog as one key=value line
 * and appends it to the hash-chained journal. Nothing else writes the journal.
 * Thread-safe; before audit_open() records go to syslog/stderr only. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include "linegate/config.h"

/* Stable names (audit_event_name) are the contract with log pipelines:
 * never rename one, only add. The catalogue is documented in docs/audit-events.md. */
enum audit_event {
	AUDIT_DAEMON_START,
	AUDIT_DAEMON_STOP,
	AUDIT_CONFIG_LOADED,
	AUDIT_CONFIG_RELOADED,
	AUDIT_CONFIG_REFUSED,
	AUDIT_IKE_SA_UP,
	AUDIT_IKE_SA_DOWN,
	AUDIT_IKE_SA_REKEYED,
	AUDIT_CHILD_SA_UP,
	AUDIT_CHILD_SA_DOWN,
	AUDIT_CHILD_SA_REKEYED,
	AUDIT_AUTH_SUCCESS,
	AUDIT_AUTH_FAILURE,
	AUDIT_IKE_EXCHANGE_FAILED,   /* proposal/TS/KE mismatch, timeouts */
	AUDIT_COMPLIANCE_REFUSED,    /* policy refusal: reason code + facts */
	AUDIT_REGION_MISMATCH,       /* declared region != region database */
	AUDIT_UPLINK_UP,
	AUDIT_UPLINK_DOWN,
	AUDIT_PACKETS_DROPPED,       /* per-interval summary by reason */
	AUDIT_ESP_INTEGRITY,         /* per-interval replay / ICV failures */
	AUDIT_DOS_DEFENCE,           /* cookies engaged, rate limits hit */
	AUDIT_ADMIN_ACTION,          /* linegatectl command, subject uid=N */
	AUDIT_AUDIT_FAULT,           /* journal write failure, alarm */
	AUDIT_AUDIT_GAP,             /* records lost / torn tail recovered */
	AUDIT_AUDIT_RETENTION_DELETE,
	AUDIT_AUDIT_KEY_CREATED,
	AUDIT_FLOW_RECORD,           /* per CHILD SA traffic summary */
	AUDIT_LAB_STATIC_SA,         /* hand-keyed SA installed (lab only) */
	AUDIT_AUDIT_OPEN,            /* journal opened: pins the audit public key */
	AUDIT_AUDIT_CHECKPOINT,      /* signed checkpoint (written by audit/ itself) */
	AUDIT_ICP_UNRECORDED_LISTENER, /* web port reachable without ICP recordal: open / gone */
	AUDIT_CLOCK_SYNC,            /* NTP sync state of the system clock: at start, on change */
	AUDIT_EVENT_COUNT
};

enum audit_outcome { AUDIT_SUCCESS = 0, AUDIT_FAILURE = 1 };

const char *audit_event_name(enum audit_event ev);     /* "ike_sa_up" */
int audit_event_severity(enum audit_event ev, enum audit_outcome outcome); /* LOG_* */

/* subject: who acted (peer identity, "uid=0", "linegated"); object: what was
 * acted on (peer name, "child:<spi>", file). The varargs are key, value
 * string pairs ending in NULL; values are escaped by the emitter.
 *   audit_emit(AUDIT_CHILD_SA_UP, AUDIT_SUCCESS, "gw-b.example", "peer-b",
 *              "spi_in", "c1a2b3c4", "encr", "chacha20poly1305", NULL); */
void audit_emit(enum audit_event ev, enum audit_outcome outcome,
		const char *subject, const char *object, ...) __attribute__((sentinel));

/* Unauthenticated events (a forged or stray packet, a refused caller) are
 * never recorded one by one: counted per event, reason, uplink and source
 * (a prefix, audit_source_prefix, or "uid=N"), with first and last time; one
 * record per kind at the end of each checkpoint interval, the first of an
 * (event, reason) the last written interval did not have at once. Bounded (64 kinds an interval,
 * the rest counted in one dos_defence reason=summary_table_full record).
 * uplink and region may be NULL. Thread-safe. */
void audit_summarize(enum audit_event ev, const char *reason, const char *uplink,
		     const char *source, const char *region, uint64_t now_wall_ms);
/* An authenticated peer's refusal it may repeat at will (a CHILD SA asking
 * for selectors another peer holds): summarised as above, keyed by the peer
 * (name, the record's object and source) and its authenticated identity (the
 * subject); the varargs are up to AUDIT_SUMMARY_DETAILS key, value pairs
 * ending in NULL (what it asked for: the interval's last request), values
 * cut to CONF_NAME_MAX - 1 bytes, keys to 23. */
enum { AUDIT_SUMMARY_DETAILS = 3 };
void audit_summarize_peer(enum audit_event ev, const char *reason, const char *uplink,
			  const char *peer, const char *identity, uint64_t now_wall_ms, ...)
	__attribute__((sentinel));
/* "203.0.113.0/24" (IPv4 /24, IPv6 /48) of an address. */
void audit_source_prefix(const union lg_sockaddr *a, char *out, size_t cap);
/* Events counted by audit_summarize since start. */
uint64_t audit_summary_total(void);

/* Opens (creating if needed) the journal in cfg->journal_dir: loads or creates
 * the Ed25519 audit key, resumes the chain after the last good record (a torn
 * tail is recorded as an audit_gap), applies retention. hostname may be NULL. */
int audit_open(const struct conf_audit *cfg, const char *hostname);
/* The configuration store: the files of a loaded configuration (main_path,
 * then cfg->included) exactly as hashed into cfg->hash, kept as
 * <journal_dir>/configs/<blake2b hex>.tar (0640, the journal's group; 0600
 * when a file of it is readable by its owner only, as inline keys must be),
 * so a config_loaded record's hash resolves years later. The files are read
 * again and hashed: one changed since the load is not stored (-ESTALE). out
 * gets "configs/<hex>.tar" or "failed: why" for the record. */
int audit_config_store(const struct config *cfg, const char *main_path, char *out, size_t cap);
/* Applies a reloaded audit section (facility, intervals, retention). */
void audit_reconfigure(const struct conf_audit *cfg);
/* Periodic work from the control loop: flush, signed checkpoint, daily
 * rotation, retention sweep, retry after a write fault. */
void audit_tick(uint64_t now_wall_ms);
/* Signs a checkpoint now if anything is unsigned (every reload does). */
void audit_checkpoint(void);
void audit_close(void);

struct audit_status {
	bool journal_ok;
	uint64_t records;           /* written since start */
	uint64_t last_seq;
	uint64_t unwritten;         /* records that could not be written (fault) */
	char alarm[32];             /* "" or why the trail is not as signed:
				       trail_behind_head, head_missing, ... */
	char current_file[CONF_PATH_MAX];
};
void audit_get_status(struct audit_status *out);

/* `linegatectl monitor`: every record as it is emitted, as the journal's
 * JSON line and as the syslog line (neither holds a secret: nothing secret
 * is ever recorded). Called with the audit lock held, on the emitting
 * thread: it must not emit, block or take long. NULL removes it. */
typedef void (*audit_listener_fn)(void *ctx, const char *json_line, const char *syslog_line);
void audit_set_listener(audit_listener_fn fn, void *ctx);

/* Tests: every record also goes to this callback (the formatted JSON line). */
typedef void (*audit_sink_fn)(void *ctx, enum audit_event ev, enum audit_outcome outcome,
			      const char *json_line);
void audit_set_test_sink(audit_sink_fn fn, void *ctx);

/* Tests: a copy of every syslog line (priority includes the facility). */
typedef void (*audit_syslog_fn)(void *ctx, int priority, const char *line);
void audit_set_syslog_hook(audit_syslog_fn fn, void *ctx);
/* Tests: the wall clock used for record timestamps (NULL = lg_wall_ms). */
void audit_set_clock(uint64_t (*wall_ms)(void));

/* `linegatectl audit ...`: argv[0] is "audit", argv[1] "verify" or "show".
 *   verify [--dir D] [--since T] [--until T] [--pubkey F] [--head F] [--json]
 *   show   [--dir D] [--since T] [--until T] [--event E] [--peer P] [--json]
 * T is RFC 3339 ("2026-11-28T10:00:00+08:00") or a date ("2026-11-28", UTC).
 * Returns the exit code: 0 clean, 1 tampering or fault found, 2 usage/IO error. */
int audit_cli_main(int argc, char **argv);

/* The facts a compliance report states about itself (report_meta.h): time,
 * host, version, config and region-database BLAKE2b, NTP state, the audit
 * public key and, with with_journal, the journal verified end to end (as
 * `audit verify` does; needs read access to the journal directory). */
struct lg_report_meta;
void audit_report_facts(const struct config *cfg, bool with_journal, struct lg_report_meta *m);

/* "ed25519 <64 hex>" (or bare hex), as audit.pub holds it. 0 or -errno. */
int audit_pubkey_read(const char *path, uint8_t pk[32]);

/* Report signatures (audit_report_sig.c): a detached Ed25519 signature by
 * the audit key in journal_dir (root: audit.key is 0600) of exactly these
 * bytes, written to sig_out as a small text file naming the key id and the
 * public key. 0, or -errno (-EACCES: not root, -ENOENT: no key yet). */
int audit_report_sign(const char *journal_dir, const void *data, size_t len, FILE *sig_out);
/* 0 good; -EKEYREJECTED signed by another key than trusted; -EBADMSG the
 * bytes or the signature were changed; -EINVAL not a signature file.
 * signer gets the public key the file names. */
int audit_report_verify(const void *data, size_t len, const char *sig_text, const uint8_t trusted[32],
			uint8_t signer[32]);

/* A member `audit export` adds to the archive as it is (linegatectl gives the
 * compliance report, which the audit module cannot make itself). Up to 4;
 * name is a plain file name; data is copied. */
int audit_export_add_member(const char *name, const void *data, size_t len);
/* A line "key text" in the export's MANIFEST header (e.g. "report" and where
 * the compliance report came from); up to 4, one line each. */
int audit_export_add_note(const char *key, const char *text);

/* audit_emit(): the one way a security event is recorded (MLPS security
 * audit: date/time, subject, event type, outcome). Every record goes to
 * syslog and, once audit_open() ran, to the hash-chained journal.
 * Flush policy (docs/audit-events.md): write(2) per record; fdatasync before
 * returning for LOG_ERR and worse, the audit_* events, daemon stop and
 * checkpoints; notice/warning records at most one second later (so a flood
 * of peer-driven auth failures cannot turn into a flood of disk syncs); info
 * records (SA up/down, flow records) at the next checkpoint. When the journal
 * cannot be written the record still reaches syslog, with journal=failed and
 * the count of unwritten records: the audit process is never silently
 * interrupted (GB/T 22239-2019 level 3). */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <sodium.h>
#include "linegate/log.h"
#include "audit_internal.h"
#include "audit_retention.h"

enum { ALARM_REPEAT_MS = 60000, SYSLOG_LINE_MAX = 4096, SYNC_COALESCE_MS = 1000 };

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static struct {
	bool open;
	struct conf_audit cfg;
	char host[256];
	struct journal j;
	struct audit_key key;
	bool faulted;
	int fault_err;
	char alarm[32];             /* head / live-file alarm, "" when none */
	uint64_t unwritten, fault_since_ms, last_alarm_ms;
	uint64_t records, since_checkpoint, last_checkpoint_ms;
	uint64_t last_sync_ms;
	bool sync_due;              /* a notice/warning record awaits its sync */
	int64_t last_sweep_day;
	audit_sink_fn sink;
	void *sink_ctx;
	audit_syslog_fn slhook;
	void *sl_ctx;
	audit_listener_fn listener;
	void *listener_ctx;
	uint64_t (*clock)(void);
	bool journald;              /* under systemd: structured fields (audit_journald.c) */
} st = { .j = { .dirfd = -1, .fd = -1, .watch = { .fd = -1 } }, .cfg = { .syslog_facility = LOG_DAEMON } };

static uint64_t now_ms(void)
{
	return st.clock ? st.clock() : lg_wall_ms();
}

static void send_syslog(int sev, const char *line)
{
	int fac = st.cfg.syslog_facility ? st.cfg.syslog_facility : LOG_DAEMON;
	lg_syslog(fac | sev, line);
	if (st.slhook)
		st.slhook(st.sl_ctx, fac | sev, line);
}

/* An event's line: to journald with its fields under systemd (syslog(3) if
 * that fails), else to syslog(3). */
static void send_event(const struct audit_rec_in *r, int sev, const char *line)
{
	static struct audit_jfields f;
	int fac = st.cfg.syslog_facility ? st.cfg.syslog_facility : LOG_DAEMON;

	if (!st.journald) {
		send_syslog(sev, line);
		return;
	}
	audit_journald_fields(r, fac, sev, line, &f);
	if (audit_journald_send(&f) < 0)
		lg_syslog(fac | sev, line);
	if (st.slhook)
		st.slhook(st.sl_ctx, fac | sev, line);
}

static void enter_fault(int err, uint64_t now);
static int emit_locked(enum audit_event ev, enum audit_outcome outcome, const char *subject,
		       const char *object, const struct audit_kv *kv, size_t n_kv, bool retry,
		       uint64_t wall_ms);
static void alarm_raise(const char *what, const char *err, uint64_t now);

/* Before every record: the live file must still be the one at its path.
 * If not, alarm, reopen the path and record the gap there; seq and prev go
 * on from memory, so no sequence number is used twice. */
static void check_live_locked(uint64_t now)
{
	uint64_t was, found;
	char name[AUDIT_NAME_MAX], n1[24], n2[24];
	int rc = journal_check_live(&st.j, &was, &found);
	if (rc == 0)
		return;
	const char *why = rc == -ENOENT ? "file_removed" : "file_replaced";
	snprintf(st.alarm, sizeof(st.alarm), "%s", why);
	snprintf(name, sizeof(name), "%s", st.j.name);
	alarm_raise(why, rc == -ENOENT ? "ENOENT" : "ESTALE", now);
	lg_log(LOG_ALERT, "event=audit_live_file_alarm reason=%s file=%s", why, name);
	rc = journal_reopen(&st.j);
	if (rc) {
		enter_fault(rc, now);
		return;
	}
	snprintf(n1, sizeof(n1), "%llu", (unsigned long long)was);
	snprintf(n2, sizeof(n2), "%llu", (unsigned long long)found);
	struct audit_kv kv[] = { { "reason", why }, { "written_bytes", n1 }, { "found_bytes", n2 } };
	emit_locked(AUDIT_AUDIT_GAP, AUDIT_FAILURE, "linegated", name, kv, 3, false, now);
}

static bool must_sync(enum audit_event ev, int sev, uint64_t now)
{
	if (sev <= LOG_ERR || ev == AUDIT_DAEMON_STOP || ev == AUDIT_AUDIT_CHECKPOINT ||
	    ev == AUDIT_AUDIT_OPEN || ev == AUDIT_AUDIT_KEY_CREATED || ev == AUDIT_AUDIT_GAP ||
	    ev == AUDIT_AUDIT_RETENTION_DELETE)
		return true;
	return sev <= LOG_NOTICE && now - st.last_sync_ms >= SYNC_COALESCE_MS;
}
static void close_locked(void);

/* Formats, appends and logs one record; the lock is held. Returns 0 when the
 * record is in the journal. retry: the journal is faulted and this record
 * (the gap) probes whether it works again; if not, nothing is logged. */
static int emit_locked(enum audit_event ev, enum audit_outcome outcome, const char *subject,
		       const char *object, const struct audit_kv *kv, size_t n_kv, bool retry,
		       uint64_t wall_ms)
{
	static char line[AUDIT_LINE_MAX], sline[SYSLOG_LINE_MAX];
	uint8_t hash[AUDIT_HASH_LEN];
	char extra[96] = "";
	struct audit_rec_in r = {
		.wall_ms = wall_ms ? wall_ms : now_ms(), .host = st.host, .subject = subject ? subject : "",
		.object = object ? object : "", .ev = ev, .outcome = outcome, .kv = kv, .n_kv = n_kv,
	};
	int sev = audit_event_severity(ev, outcome);
	int rc = -ENOTCONN;
	if (st.open && !st.faulted && !retry)
		check_live_locked(r.wall_ms);   /* may write the gap first */
	if (st.open && (!st.faulted || retry)) {
		r.seq = st.j.seq + 1;
		r.prev = st.j.head;
		int len = audit_format_json(&r, line, sizeof(line), hash);
		bool sync = must_sync(ev, sev, r.wall_ms);
		rc = len < 0 ? len : journal_append(&st.j, line, (size_t)len,
						    audit_day_of_ms((int64_t)r.wall_ms), sync);
		if (rc == 0) {
			st.j.seq++;
			memcpy(st.j.head, hash, AUDIT_HASH_LEN);
			st.records++;
			st.since_checkpoint++;
			st.faulted = false;
			if (sync) {
				st.last_sync_ms = r.wall_ms;
				st.sync_due = false;
			} else if (sev <= LOG_NOTICE) {
				st.sync_due = true;
			}
		} else if (retry) {
			st.fault_err = rc;
			return rc;
		}
	}
	if (rc) {
		if (st.open)
			st.unwritten++;
		if (st.open && !st.faulted)
			enter_fault(rc, r.wall_ms);   /* the alarm counts this record */
		r.seq = 0;   /* not in the chain */
		r.prev = NULL;
		audit_format_json(&r, line, sizeof(line), hash);
	}
	if (st.faulted)
		snprintf(extra, sizeof(extra), "journal=failed unwritten=%llu",
			 (unsigned long long)st.unwritten);
	audit_format_syslog(&r, extra, sline, sizeof(sline));
	send_event(&r, sev, sline);
	if (st.sink)
		st.sink(st.sink_ctx, ev, outcome, line);
	if (st.listener)
		st.listener(st.listener_ctx, line, sline);
	return rc;
}

static void alarm_raise(const char *what, const char *err, uint64_t now)
{
	char ts[64], host[300], obj[120], line[768];
	lg_time_format(now, ts, sizeof(ts));
	audit_escape_kv(st.host, host, sizeof(host));
	audit_escape_kv(st.j.name[0] ? st.j.name : "journal", obj, sizeof(obj));
	/* the alarm cannot go to the journal (that is what failed): syslog only */
	snprintf(line, sizeof(line),
		 "type=audit seq=0 ts=%s host=%s event=audit_fault outcome=failure subject=linegated "
		 "object=%s error=%s state=%s journal=%s unwritten=%llu", ts, host, obj,
		 err ? err : "unknown", what, st.faulted ? "failed" : "degraded",
		 (unsigned long long)st.unwritten);
	send_syslog(LOG_ALERT, line);
	st.last_alarm_ms = now;
}

static void alarm_line(const char *what, uint64_t now)
{
	alarm_raise(what, strerrorname_np(-st.fault_err), now);
}

static void enter_fault(int err, uint64_t now)
{
	st.faulted = true;
	st.fault_err = err;
	st.fault_since_ms = now;
	alarm_line("started", now);
}

static int emit_v(enum audit_event ev, enum audit_outcome outcome, const char *subject,
		  const char *object, va_list ap)
{
	struct audit_kv kv[AUDIT_MAX_DETAILS + 1];
	size_t n = 0;
	const char *k;
	while ((k = va_arg(ap, const char *)) != NULL) {
		const char *v = va_arg(ap, const char *);
		if (!v)
			break;   /* a NULL value ends the list: never read past it */
		if (n < AUDIT_MAX_DETAILS + 1)
			kv[n++] = (struct audit_kv){ k, v };
	}
	return emit_locked(ev, outcome, subject, object, kv, n, false, 0);
}

void audit_emit(enum audit_event ev, enum audit_outcome outcome, const char *subject,
		const char *object, ...)
{
	va_list ap;
	va_start(ap, object);
	pthread_mutex_lock(&lock);
	emit_v(ev, outcome, subject, object, ap);
	pthread_mutex_unlock(&lock);
	va_end(ap);
}

static int emit_l(enum audit_event ev, enum audit_outcome outcome, const char *object, ...)
{
	va_list ap;
	va_start(ap, object);
	int rc = emit_v(ev, outcome, "linegated", object, ap);
	va_end(ap);
	return rc;
}

/* The checkpoint just written becomes the signed head outside the files. */
static void write_head_locked(uint64_t ts_ms)
{
	struct audit_head h = { .seq = st.j.seq, .ts_ms = (int64_t)ts_ms };
	memcpy(h.hash, st.j.head, AUDIT_HASH_LEN);
	audit_head_sign(&h, st.key.sk);
	int rc = audit_head_write(st.j.dirfd, &h);
	if (rc)
		alarm_raise("head_write_failed", strerrorname_np(-rc), ts_ms);
}

/* Signs seq||prev||time of the checkpoint record itself: through the chain
 * the signature covers every record before it. final: the last record of
 * a clean stop, so anything after it and before the next audit_open was
 * not written by linegated (verify: appended). */
static int checkpoint_locked(bool final)
{
	uint8_t msg[AUDIT_SIG_MSG_LEN], sig[crypto_sign_BYTES];
	char sighex[2 * crypto_sign_BYTES + 1], count[24], pk[65];
	uint64_t now = now_ms();
	audit_checkpoint_message(st.j.seq + 1, st.j.head, (int64_t)now, msg);
	crypto_sign_detached(sig, NULL, msg, sizeof(msg), st.key.sk);
	lg_hex(sig, sizeof(sig), sighex);
	snprintf(count, sizeof(count), "%llu", (unsigned long long)st.since_checkpoint);
	/* the key travels with the checkpoint: after retention has deleted the
	 * file with the last audit_open pin, verify still knows what to check */
	struct audit_kv kv[] = {
		{ "records", count }, { "pubkey", lg_hex(st.key.pk, 32, pk) }, { "sig", sighex },
		{ "final", "true" },
	};
	int rc = emit_locked(AUDIT_AUDIT_CHECKPOINT, AUDIT_SUCCESS, "linegated", st.j.name, kv,
			     final ? 4 : 3, false, now);
	if (rc == 0) {
		st.since_checkpoint = 0;
		st.last_checkpoint_ms = now;
		write_head_locked(now);
	}
	return rc;
}

static int retention_record(void *ctx, const char *file, int err, uint64_t last_seq,
			    const uint8_t *last_hash)
{
	(void)ctx;
	char seq[24], hex[AUDIT_HEX_HASH + 1] = "";
	snprintf(seq, sizeof(seq), "%llu", (unsigned long long)last_seq);
	if (last_hash)
		lg_hex(last_hash, AUDIT_HASH_LEN, hex);
	if (err)
		return emit_l(AUDIT_AUDIT_RETENTION_DELETE, AUDIT_FAILURE, file,
			      "error", strerrorname_np(-err) ? strerrorname_np(-err) : "unknown", NULL);
	/* last_seq/last_hash anchor the journal that remains (verify) */
	return emit_l(AUDIT_AUDIT_RETENTION_DELETE, AUDIT_SUCCESS, file, "last_seq", seq,
		      "last_hash", hex, NULL);
}

/* true when a file went: the configuration store is pruned after the
 * lock is released (prune_store), as it reads the whole journal */
static bool sweep_locked(uint64_t now)
{
	int64_t today = audit_day_of_ms((int64_t)now);
	st.last_sweep_day = today;
	int64_t current = st.j.day > today ? st.j.day : today;
	return audit_retention_sweep(st.j.dirfd, st.j.dir, current, (int64_t)now,
				     st.cfg.retention_days, retention_record, NULL) > 0;
}

static void prune_store(const char *dir)
{
	int rc = audit_config_prune(dir);
	if (rc < 0)
		lg_log(LOG_WARNING, "event=audit_config_prune_failed dir=%s error=%s", dir,
		       strerrorname_np(-rc) ? strerrorname_np(-rc) : "unknown");
}

/* The trail on disk is not where the signed head says it ended: alarm, and
 * the gap goes into the chain. A trail shorter than its head resumes after
 * the head, so no sequence number is ever used twice. */
static void head_records(const struct audit_head_check *hc, uint64_t found_seq)
{
	char hseq[24], fseq[24], hh[AUDIT_HEX_HASH + 1], ht[64];
	const char *why = audit_head_state_name(hc->state);
	snprintf(hseq, sizeof(hseq), "%llu", (unsigned long long)hc->head.seq);
	snprintf(fseq, sizeof(fseq), "%llu", (unsigned long long)found_seq);
	lg_hex(hc->head.hash, AUDIT_HASH_LEN, hh);
	lg_time_format((uint64_t)hc->head.ts_ms, ht, sizeof(ht));
	snprintf(st.alarm, sizeof(st.alarm), "%s", why);
	alarm_raise(why, "EBADMSG", now_ms());
	lg_log(LOG_ALERT, "event=audit_head_alarm reason=%s found_seq=%s head_seq=%s dir=%s", why,
	       fseq, hc->state == AUDIT_HEAD_AHEAD || hc->state == AUDIT_HEAD_MISMATCH ? hseq : "-",
	       st.j.dir);
	if (hc->state == AUDIT_HEAD_AHEAD || hc->state == AUDIT_HEAD_MISMATCH)
		emit_l(AUDIT_AUDIT_GAP, AUDIT_FAILURE, AUDIT_HEAD_FILE, "reason", why,
		       "found_seq", fseq, "head_seq", hseq, "head_hash", hh, "head_time", ht, NULL);
	else
		emit_l(AUDIT_AUDIT_GAP, AUDIT_FAILURE, AUDIT_HEAD_FILE, "reason", why,
		       "found_seq", fseq, NULL);
}

static void open_records(bool created, const struct journal_resume *res,
			 const struct audit_head_check *hc)
{
	char pk[65], seq[24], n1[24], n2[24], h[AUDIT_HEX_HASH + 1];
	uint64_t found_seq = st.j.seq;
	lg_hex(st.key.pk, 32, pk);
	if (hc->state == AUDIT_HEAD_AHEAD) {
		st.j.seq = hc->head.seq;   /* never reuse a seq: go on after the head */
		memcpy(st.j.head, hc->head.hash, AUDIT_HASH_LEN);
	}
	snprintf(seq, sizeof(seq), "%llu", (unsigned long long)st.j.seq);
	snprintf(n2, sizeof(n2), "%llu", (unsigned long long)hc->unsigned_records);
	if (created)
		emit_l(AUDIT_AUDIT_KEY_CREATED, AUDIT_SUCCESS, AUDIT_KEY_FILE, "pubkey", pk, NULL);
	/* pins the key on every start, in the chain and on syslog; unsigned:
	 * records after the last head (a crash), signed by the next checkpoint */
	emit_l(AUDIT_AUDIT_OPEN, AUDIT_SUCCESS, st.j.dir, "pubkey", pk, "resumed_seq", seq,
	       "retention_days", (snprintf(n1, sizeof(n1), "%u", st.cfg.retention_days), n1),
	       "unsigned", n2, NULL);
	if (hc->state != AUDIT_HEAD_OK && hc->state != AUDIT_HEAD_FRESH)
		head_records(hc, found_seq);
	if (res->torn) {
		snprintf(n1, sizeof(n1), "%llu", (unsigned long long)res->torn_offset);
		snprintf(n2, sizeof(n2), "%llu", (unsigned long long)res->torn_bytes);
		emit_l(AUDIT_AUDIT_GAP, AUDIT_FAILURE, res->file, "reason", "torn_tail",
		       "offset", n1, "bytes", n2, "bytes_hash",
		       lg_hex(res->torn_hash, AUDIT_HASH_LEN, h), NULL);
	}
	if (res->bad_lines) {
		snprintf(n1, sizeof(n1), "%llu", (unsigned long long)res->bad_lines);
		emit_l(AUDIT_AUDIT_GAP, AUDIT_FAILURE, "journal", "reason", "corrupt_lines",
		       "lines", n1, NULL);
	}
}

int audit_open(const struct conf_audit *cfg, const char *hostname)
{
	struct journal_resume res;
	bool created = false;
	int rc;
	if (cfg->retention_days < AUDIT_MIN_RETENTION_DAYS)
		return -EINVAL;   /* Cybersecurity Law: no less than six months */
	if (sodium_init() < 0)
		return -EIO;
	pthread_mutex_lock(&lock);
	if (st.open) {
		close_locked();
		audit_key_free(&st.key);
		st.open = false;
	}
	st.cfg = *cfg;
	st.journald = audit_journald_detect();
	if (!st.cfg.journal_dir[0])
		snprintf(st.cfg.journal_dir, sizeof(st.cfg.journal_dir), "%s", AUDIT_DEFAULT_DIR);
	if (hostname)
		snprintf(st.host, sizeof(st.host), "%s", hostname);
	else if (gethostname(st.host, sizeof(st.host) - 1))
		snprintf(st.host, sizeof(st.host), "localhost");
	if (audit_perms_set_group(st.cfg.journal_group))
		lg_log(LOG_WARNING, "event=audit_group_missing group=%s action=\"journal readable by "
		       "its owner only\"", st.cfg.journal_group);
	journal_init(&st.j);
	rc = journal_open(&st.j, st.cfg.journal_dir, &res);
	if (rc == 0)
		rc = audit_key_load_or_create(st.j.dirfd, &st.key, &created);
	struct audit_head_check hc = { .state = AUDIT_HEAD_FRESH };
	if (rc == 0)
		journal_check_head(&st.j, st.key.pk, &hc);
	if (hc.state == AUDIT_HEAD_FRESH && !created)
		hc.state = AUDIT_HEAD_MISSING;   /* a key but no trail: it was emptied */
	if (rc) {
		journal_close(&st.j);
		pthread_mutex_unlock(&lock);
		return rc;
	}
	st.open = true;
	st.faulted = false;
	st.unwritten = st.records = st.since_checkpoint = 0;
	st.alarm[0] = '\0';
	st.last_checkpoint_ms = now_ms();
	open_records(created, &res, &hc);
	if (!st.faulted)
		write_head_locked(now_ms());   /* the pins are anchored from the start */
	bool prune = sweep_locked(now_ms());
	char dir[sizeof(st.j.dir)];
	snprintf(dir, sizeof(dir), "%s", st.j.dir);
	pthread_mutex_unlock(&lock);
	if (prune)
		prune_store(dir);
	return 0;
}

void audit_reconfigure(const struct conf_audit *cfg)
{
	pthread_mutex_lock(&lock);
	/* the directory is fixed at open: moving the journal needs a restart */
	st.cfg.syslog_facility = cfg->syslog_facility;
	st.cfg.flow_interval_s = cfg->flow_interval_s;
	st.cfg.checkpoint_interval_s = cfg->checkpoint_interval_s;
	st.cfg.on_failure = cfg->on_failure;
	st.cfg.mlps_level = cfg->mlps_level;
	if (cfg->retention_days >= AUDIT_MIN_RETENTION_DAYS)
		st.cfg.retention_days = cfg->retention_days;
	pthread_mutex_unlock(&lock);
}

/* After a write fault the first record that gets through is the gap, so
 * the chain itself says what is missing and when. */
static void recover_locked(uint64_t now)
{
	char lost[24], since[64], until[64];
	snprintf(lost, sizeof(lost), "%llu", (unsigned long long)st.unwritten);
	lg_time_format(st.fault_since_ms, since, sizeof(since));
	lg_time_format(now, until, sizeof(until));
	const char *err = strerrorname_np(-st.fault_err);
	struct audit_kv kv[] = {
		{ "reason", "write_fault" }, { "error", err ? err : "unknown" },
		{ "lost", lost }, { "since", since }, { "until", until },
	};
	if (emit_locked(AUDIT_AUDIT_GAP, AUDIT_FAILURE, "linegated", st.j.name, kv,
			sizeof(kv) / sizeof(kv[0]), true, 0) == 0) {
		st.unwritten = 0;
		return;
	}
	if (now - st.last_alarm_ms >= ALARM_REPEAT_MS)
		alarm_line("still_failing", now);
}

static uint64_t checkpoint_interval_ms(void)
{
	return (uint64_t)(st.cfg.checkpoint_interval_s ? st.cfg.checkpoint_interval_s : 60) * 1000;
}

void audit_tick(uint64_t now_wall_ms)
{
	pthread_mutex_lock(&lock);
	uint64_t summary_ms = checkpoint_interval_ms();
	pthread_mutex_unlock(&lock);
	/* summaries first (they emit, so outside the lock), then signed */
	audit_summary_flush(now_wall_ms, summary_ms, false);
	pthread_mutex_lock(&lock);
	if (!st.open)
		goto out;
	if (st.faulted)
		recover_locked(now_wall_ms);
	if (st.faulted)
		goto out;
	if (st.sync_due && now_wall_ms - st.last_sync_ms >= SYNC_COALESCE_MS) {
		int rc = journal_sync(&st.j);
		if (rc == 0) {
			st.last_sync_ms = now_wall_ms;
			st.sync_due = false;
		} else {
			st.fault_err = rc;   /* EIO on sync: records may be lost, say so */
			alarm_line("sync_failed", now_wall_ms);
		}
	}
	if (st.since_checkpoint && now_wall_ms - st.last_checkpoint_ms >= checkpoint_interval_ms())
		checkpoint_locked(false);
	if (!st.faulted && audit_day_of_ms((int64_t)now_wall_ms) != st.last_sweep_day &&
	    sweep_locked(now_wall_ms)) {
		char dir[sizeof(st.j.dir)];
		snprintf(dir, sizeof(dir), "%s", st.j.dir);
		pthread_mutex_unlock(&lock);
		prune_store(dir);
		return;
	}
out:
	pthread_mutex_unlock(&lock);
}

/* Shutdown (or re-open): sign what is unsigned; a fault still open gets one
 * last try to record its gap, else the loss is at least on syslog. */
static void close_locked(void)
{
	if (st.open && st.faulted) {
		recover_locked(now_ms());
		if (st.faulted) {
			st.last_alarm_ms = 0;
			alarm_line("closed_with_loss", now_ms());
		}
	}
	if (st.open && !st.faulted)
		checkpoint_locked(true);
	journal_close(&st.j);
}

void audit_checkpoint(void)
{
	pthread_mutex_lock(&lock);
	if (st.open && !st.faulted && st.since_checkpoint)
		checkpoint_locked(false);
	pthread_mutex_unlock(&lock);
}

void audit_close(void)
{
	audit_summary_flush(now_ms(), 0, true);   /* nothing counted is left unsaid */
	pthread_mutex_lock(&lock);
	close_locked();
	audit_key_free(&st.key);
	st.open = false;
	st.faulted = false;
	pthread_mutex_unlock(&lock);
}

void audit_get_status(struct audit_status *out)
{
	pthread_mutex_lock(&lock);
	memset(out, 0, sizeof(*out));
	out->journal_ok = st.open && !st.faulted;
	out->records = st.records;
	out->last_seq = st.j.seq;
	out->unwritten = st.unwritten;
	snprintf(out->alarm, sizeof(out->alarm), "%s", st.alarm);
	snprintf(out->current_file, sizeof(out->current_file), "%s", st.j.name);
	pthread_mutex_unlock(&lock);
}

void audit_set_test_sink(audit_sink_fn fn, void *ctx)
{
	pthread_mutex_lock(&lock);
	st.sink = fn;
	st.sink_ctx = ctx;
	pthread_mutex_unlock(&lock);
}

void audit_set_listener(audit_listener_fn fn, void *ctx)
{
	pthread_mutex_lock(&lock);
	st.listener = fn;
	st.listener_ctx = ctx;
	pthread_mutex_unlock(&lock);
}

void audit_set_syslog_hook(audit_syslog_fn fn, void *ctx)
{
	pthread_mutex_lock(&lock);
	st.slhook = fn;
	st.sl_ctx = ctx;
	pthread_mutex_unlock(&lock);
}

void audit_set_clock(uint64_t (*wall_ms)(void))
{
	pthread_mutex_lock(&lock);
	st.clock = wall_ms;
	pthread_mutex_unlock(&lock);
}

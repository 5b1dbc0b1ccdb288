/* The journal verifier: re-computes every record hash, follows the chain
 * (seq + prev) across files, checks every checkpoint signature against the
 * pinned or externally supplied key, and names the first record or file that
 * was altered, removed, reordered or truncated. Streaming, so the fuzzer and
 * `linegatectl audit verify` run the same code. */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sodium.h>
#include "linegate/log.h"
#include "audit_internal.h"

static const char *const kind_names[] = {
	[AUDIT_FAULT_ALTERED] = "altered",     [AUDIT_FAULT_REMOVED] = "removed",
	[AUDIT_FAULT_REORDERED] = "reordered", [AUDIT_FAULT_TRUNCATED] = "truncated",
	[AUDIT_FAULT_MALFORMED] = "malformed", [AUDIT_FAULT_SIGNATURE] = "signature",
	[AUDIT_FAULT_KEY] = "key",             [AUDIT_FAULT_HEAD] = "head",
	[AUDIT_FAULT_CUT] = "cut",             [AUDIT_FAULT_EMPTY] = "empty",
	[AUDIT_FAULT_UNANCHORED] = "unanchored", [AUDIT_FAULT_APPENDED] = "appended",
};

const char *audit_fault_kind_name(enum audit_fault_kind k)
{
	return (unsigned)k < sizeof(kind_names) / sizeof(kind_names[0]) ? kind_names[k] : "fault";
}

void audit_verify_init(struct audit_verifier *v)
{
	memset(v, 0, offsetof(struct audit_verifier, rec));
	if (sodium_init() < 0)
		abort();   /* no usable randomness/CPU features: nothing can be checked */
}

static void make_finding(struct audit_verifier *v, struct audit_finding *f,
			 enum audit_fault_kind kind, uint64_t seq, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void make_finding(struct audit_verifier *v, struct audit_finding *f,
			 enum audit_fault_kind kind, uint64_t seq, const char *fmt, ...)
{
	va_list ap;
	memset(f, 0, sizeof(*f));
	f->kind = kind;
	snprintf(f->file, sizeof(f->file), "%s", v->file);
	f->line = v->line;
	f->seq = seq;
	va_start(ap, fmt);
	vsnprintf(f->msg, sizeof(f->msg), fmt, ap);
	va_end(ap);
}

static void report(struct audit_verifier *v, const struct audit_finding *f)
{
	if (!v->have_first)
		v->first = *f;
	v->have_first = true;
	v->faults++;
	if (v->on_finding)
		v->on_finding(v->ctx, f);
}

static void note(struct audit_verifier *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct audit_verifier *v, const char *fmt, ...)
{
	char msg[384];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (v->on_note)
		v->on_note(v->ctx, v->file, v->line, msg);
}

static void flush_pending(struct audit_verifier *v)
{
	if (v->pending)
		report(v, &v->pending_f);
	v->pending = false;
}

void audit_verify_begin_file(struct audit_verifier *v, const char *name)
{
	snprintf(v->file, sizeof(v->file), "%s", name);
	v->line = 0;
	v->files++;
}

/* Checkpoint signatures and the key pins of audit_open / audit_key_created. */
static void check_crypto(struct audit_verifier *v, const struct audit_record *r)
{
	uint8_t pk[32], sig[crypto_sign_BYTES], msg[AUDIT_SIG_MSG_LEN];
	struct audit_finding f;
	if (!strcmp(r->event, "audit_open") || !strcmp(r->event, "audit_key_created")) {
		const char *hex = audit_record_detail(r, "pubkey");
		if (!hex || lg_unhex(hex, pk, 32)) {
			make_finding(v, &f, AUDIT_FAULT_KEY, r->seq, "%s record without a valid pubkey", r->event);
			report(v, &f);
			return;
		}
		if (v->have_trusted && sodium_memcmp(pk, v->trusted, 32)) {
			make_finding(v, &f, AUDIT_FAULT_KEY, r->seq,
				     "audit key pinned at seq %llu is not the trusted key (key replaced?)",
				     (unsigned long long)r->seq);
			report(v, &f);
		} else if (v->have_key && sodium_memcmp(pk, v->key, 32)) {
			make_finding(v, &f, AUDIT_FAULT_KEY, r->seq,
				     "audit key changed at seq %llu", (unsigned long long)r->seq);
			report(v, &f);
		}
		memcpy(v->key, pk, 32);
		v->have_key = true;
		return;
	}
	if (strcmp(r->event, "audit_checkpoint"))
		return;
	v->checkpoints++;
	v->since_checkpoint = 0;
	const char *hex = audit_record_detail(r, "sig");
	const char *pkhex = audit_record_detail(r, "pubkey");
	bool have_cpk = pkhex && lg_unhex(pkhex, pk, 32) == 0;
	const uint8_t *key = v->have_key ? v->key : v->have_trusted ? v->trusted : have_cpk ? pk : NULL;
	audit_checkpoint_message(r->seq, r->prev, r->ts_ms, msg);
	if (!key) {
		make_finding(v, &f, AUDIT_FAULT_KEY, r->seq, "checkpoint seq %llu but no key is known",
			     (unsigned long long)r->seq);
		report(v, &f);
	} else if (have_cpk && sodium_memcmp(pk, key, 32)) {
		make_finding(v, &f, AUDIT_FAULT_KEY, r->seq,
			     "checkpoint seq %llu names a key that is not the pinned or trusted one",
			     (unsigned long long)r->seq);
		report(v, &f);
	} else if (!hex || lg_unhex(hex, sig, sizeof(sig)) ||
		   crypto_sign_verify_detached(sig, msg, sizeof(msg), key)) {
		make_finding(v, &f, AUDIT_FAULT_SIGNATURE, r->seq,
			     "checkpoint seq %llu: signature does not verify", (unsigned long long)r->seq);
		report(v, &f);
	}
	if (key && !v->have_key) {
		memcpy(v->key, key, 32);   /* from here on every checkpoint must match it */
		v->have_key = true;
	}
}

/* A clean stop ends with a final checkpoint; the next record must be the
 * next start's: anything between was written while linegated was down. */
static void check_final(struct audit_verifier *v, const struct audit_record *r)
{
	struct audit_finding f;
	const char *fin = audit_record_detail(r, "final");
	if (!strcmp(r->event, "audit_open") || !strcmp(r->event, "audit_key_created")) {
		v->after_final = false;
	} else if (v->after_final) {
		make_finding(v, &f, AUDIT_FAULT_APPENDED, r->seq,
			     "seq %llu follows the final checkpoint of a clean stop (seq %llu) before any "
			     "restart: not written by linegated", (unsigned long long)r->seq,
			     (unsigned long long)v->final_seq);
		report(v, &f);
		v->after_final = false;   /* once per stretch */
	}
	if (!strcmp(r->event, "audit_checkpoint") && fin && !strcmp(fin, "true")) {
		v->after_final = true;
		v->final_seq = r->seq;
	}
}

static void check_meta(struct audit_verifier *v, const struct audit_record *r)
{
	if (!strcmp(r->event, "audit_gap")) {
		const char *why = audit_record_detail(r, "reason");
		const char *lost = audit_record_detail(r, "lost");
		v->gaps++;
		note(v, "recorded gap at seq %llu: reason=%s%s%s", (unsigned long long)r->seq,
		     why ? why : "?", lost ? " lost=" : "", lost ? lost : "");
		/* the daemon found its trail not as it had signed it: as with a
		 * key change, that stays visible on every later verify */
		if (why && (!strcmp(why, "file_replaced") || !strcmp(why, "file_removed"))) {
			struct audit_finding f;
			make_finding(v, &f, AUDIT_FAULT_ALTERED, r->seq,
				     "seq %llu: linegated found its live file %s while writing it "
				     "(edited with a rename, e.g. sed -i, or deleted)",
				     (unsigned long long)r->seq, why + 5);
			report(v, &f);
		}
		if (why && (!strcmp(why, "trail_behind_head") || !strncmp(why, "head_", 5))) {
			struct audit_finding f;
			make_finding(v, &f, AUDIT_FAULT_CUT, r->seq,
				     "seq %llu: at start linegated found the trail not as signed (%s, "
				     "found seq %s): records removed or the head replaced",
				     (unsigned long long)r->seq, why,
				     audit_record_detail(r, "found_seq") ? audit_record_detail(r, "found_seq") : "?");
			report(v, &f);
		}
	}
	/* a deletion by retention explains a journal that starts after seq 1 */
	if (!strcmp(r->event, "audit_retention_delete") && !strcmp(r->outcome, "success") &&
	    !v->head_ok) {
		const char *s = audit_record_detail(r, "last_seq");
		const char *h = audit_record_detail(r, "last_hash");
		uint8_t hash[AUDIT_HASH_LEN];
		if (s && h && strtoull(s, NULL, 10) + 1 == v->first_seq &&
		    lg_unhex(h, hash, sizeof(hash)) == 0 &&
		    sodium_memcmp(hash, v->first_prev, sizeof(hash)) == 0)
			v->head_ok = true;
	}
}

/* seq/prev against what the chain expects; returns false if the record
 * cannot be trusted as the new head. */
static void check_chain(struct audit_verifier *v, const struct audit_record *r)
{
	struct audit_finding f;
	static const uint8_t zero[AUDIT_HASH_LEN];
	if (!v->started || v->resync) {
		if (!v->started) {
			v->first_seq = r->seq;
			v->first_ms = r->ts_ms;
			memcpy(v->first_file, v->file, sizeof(v->file));
			memcpy(v->first_prev, r->prev, AUDIT_HASH_LEN);
			v->head_ok = v->anchored_start ||
				     (r->seq == 1 && sodium_memcmp(r->prev, zero, AUDIT_HASH_LEN) == 0);
		}
		v->started = true;
		v->resync = false;
	} else if (v->pending && r->seq >= v->pending_lo && r->seq <= v->pending_hi) {
		/* the "missing" record turned up later: the two were swapped */
		v->pending_f.kind = AUDIT_FAULT_REORDERED;
		snprintf(v->pending_f.msg, sizeof(v->pending_f.msg),
			 "seq %llu appears after seq %llu (records reordered)",
			 (unsigned long long)r->seq, (unsigned long long)v->pending_hi + 1);
		flush_pending(v);
		return;   /* keep the head: the records after it chain to it */
	} else if (r->seq < v->expect) {
		flush_pending(v);
		make_finding(v, &f, AUDIT_FAULT_REORDERED, r->seq,
			     "seq %llu after seq %llu (reordered or duplicated)",
			     (unsigned long long)r->seq, (unsigned long long)v->expect - 1);
		report(v, &f);
		return;
	} else if (r->seq > v->expect) {
		flush_pending(v);
		v->pending = true;
		v->pending_lo = v->expect;
		v->pending_hi = r->seq - 1;
		char range[48];
		if (r->seq - 1 == v->expect)
			snprintf(range, sizeof(range), "record seq %llu", (unsigned long long)v->expect);
		else
			snprintf(range, sizeof(range), "records seq %llu..%llu",
				 (unsigned long long)v->expect, (unsigned long long)r->seq - 1);
		make_finding(v, &v->pending_f, AUDIT_FAULT_REMOVED, r->seq, "%s missing before seq %llu%s",
			     range, (unsigned long long)r->seq,
			     v->line == 1 ? " (file removed or the previous one truncated)" : "");
	} else {
		flush_pending(v);
		if (sodium_memcmp(r->prev, v->head, AUDIT_HASH_LEN)) {
			make_finding(v, &f, AUDIT_FAULT_ALTERED, r->seq,
				     "seq %llu does not chain to seq %llu: one of the two was altered",
				     (unsigned long long)r->seq, (unsigned long long)r->seq - 1);
			report(v, &f);
		}
	}
	v->expect = r->seq + 1;
	memcpy(v->head, r->hash, AUDIT_HASH_LEN);
}

void audit_verify_line(struct audit_verifier *v, const char *line, size_t len)
{
	struct audit_record *r = &v->rec;
	struct audit_finding f;
	v->line++;
	int rc = audit_record_parse(line, len, r);
	if (rc == -EINVAL) {
		flush_pending(v);
		make_finding(v, &f, AUDIT_FAULT_MALFORMED, 0, "line is not a journal record");
		report(v, &f);
		v->resync = v->started;
		return;
	}
	v->records++;
	v->since_checkpoint++;
	if (rc == -EBADMSG) {
		flush_pending(v);
		make_finding(v, &f, AUDIT_FAULT_ALTERED, r->seq,
			     "seq %llu: record hash does not match its content", (unsigned long long)r->seq);
		report(v, &f);
		/* the stated hash is what the next record chains to */
	}
	check_chain(v, r);
	if (r->seq >= v->last_seq) {
		v->last_seq = r->seq;
		v->last_ms = r->ts_ms;
		memcpy(v->last_file, v->file, sizeof(v->file));
		v->last_line = v->line;
	}
	if (v->check_end && v->head_err == 0 && r->seq == v->signed_head.seq) {
		v->head_seen = true;
		if (sodium_memcmp(r->hash, v->signed_head.hash, AUDIT_HASH_LEN)) {
			make_finding(v, &f, AUDIT_FAULT_ALTERED, r->seq,
				     "seq %llu is not the record the signed head names (rewritten)",
				     (unsigned long long)r->seq);
			report(v, &f);
		}
	}
	if (rc == 0) {
		check_crypto(v, r);
		check_meta(v, r);
		check_final(v, r);
	}
}

void audit_verify_end_file(struct audit_verifier *v, size_t partial)
{
	struct audit_finding f;
	if (!partial)
		return;
	flush_pending(v);
	v->line++;
	make_finding(v, &f, AUDIT_FAULT_TRUNCATED, 0,
		     "file ends inside a record (%zu bytes without a newline): truncated", partial);
	report(v, &f);
	v->resync = v->started;
}

static void end_finding(struct audit_verifier *v, enum audit_fault_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void end_finding(struct audit_verifier *v, enum audit_fault_kind kind, const char *fmt, ...)
{
	struct audit_finding f;
	va_list ap;
	memset(&f, 0, sizeof(f));
	f.kind = kind;
	snprintf(f.file, sizeof(f.file), "%s", AUDIT_HEAD_FILE);
	f.seq = v->signed_head.seq;
	va_start(ap, fmt);
	vsnprintf(f.msg, sizeof(f.msg), fmt, ap);
	va_end(ap);
	report(v, &f);
}

/* The end of the trail against its signed head (DESIGN: the end is
 * anchored): an empty trail, a missing or forged head, a trail that stops
 * before the head are faults, not a clean result. */
static void check_end(struct audit_verifier *v)
{
	char t[64];
	const uint8_t *key = v->have_trusted ? v->trusted : v->have_key ? v->key : NULL;
	if (v->records == 0) {
		end_finding(v, AUDIT_FAULT_EMPTY, "no journal records%s: the trail is empty or every file "
			    "was removed", v->head_err ? "" : " although a signed head exists");
		return;
	}
	if (v->head_err) {
		end_finding(v, AUDIT_FAULT_UNANCHORED, "%s: %s: the end of the trail cannot be checked "
			    "(head removed or forged?)", AUDIT_HEAD_FILE,
			    v->head_err == -ENOENT ? "missing" : "not a signed head");
		return;
	}
	if (!key || !audit_head_verify(&v->signed_head, key)) {
		end_finding(v, AUDIT_FAULT_SIGNATURE, "%s: signature does not verify with the %s key",
			    AUDIT_HEAD_FILE, v->have_trusted ? "trusted" : "pinned");
		return;
	}
	lg_time_format((uint64_t)v->signed_head.ts_ms, t, sizeof(t));
	if (v->last_seq < v->signed_head.seq)
		end_finding(v, AUDIT_FAULT_CUT, "the trail ends at seq %llu (%s line %llu) but the head "
			    "signed at %s names seq %llu: records %llu..%llu removed (newest file "
			    "deleted or cut)", (unsigned long long)v->last_seq, v->last_file,
			    (unsigned long long)v->last_line, t,
			    (unsigned long long)v->signed_head.seq,
			    (unsigned long long)v->last_seq + 1, (unsigned long long)v->signed_head.seq);
	else if (!v->head_seen)
		end_finding(v, AUDIT_FAULT_CUT, "the record the signed head names (seq %llu, %s) is "
			    "missing", (unsigned long long)v->signed_head.seq, t);
}

uint64_t audit_verify_finish(struct audit_verifier *v)
{
	struct audit_finding f;
	flush_pending(v);
	if (v->check_end)
		check_end(v);
	if (v->started && !v->head_ok) {
		memset(&f, 0, sizeof(f));
		f.kind = AUDIT_FAULT_HEAD;
		f.seq = v->first_seq;
		f.line = 1;
		memcpy(f.file, v->first_file, sizeof(f.file));
		snprintf(f.msg, sizeof(f.msg),
			 "journal starts at seq %llu and no retention record explains the earlier ones "
			 "(first file removed or truncated?)", (unsigned long long)v->first_seq);
		report(v, &f);
		v->first = f;   /* the head precedes every other position */
	}
	v->unsigned_records = v->since_checkpoint;
	if (v->since_checkpoint && v->on_note)
		note(v, "UNSIGNED: %llu records at the end (seq %llu..%llu) follow the last signed "
		     "checkpoint: chained, but no signature covers them yet",
		     (unsigned long long)v->since_checkpoint,
		     (unsigned long long)(v->last_seq - v->since_checkpoint + 1),
		     (unsigned long long)v->last_seq);
	return v->faults;
}

static bool verify_line_cb(void *ctx, const char *line, size_t len, uint64_t offset)
{
	(void)offset;
	audit_verify_line(ctx, line, len);
	return true;
}

static void verify_begin_cb(void *ctx, const char *name)
{
	audit_verify_begin_file(ctx, name);
}

static void verify_end_cb(void *ctx, size_t partial)
{
	audit_verify_end_file(ctx, partial);
}

int audit_verify_dir(struct audit_verifier *v, const char *dir, int64_t since_day, int64_t until_day)
{
	static const struct audit_range_hooks hooks = {
		.line = verify_line_cb, .begin = verify_begin_cb, .end = verify_end_cb,
	};
	/* the head first: the daemon writes it after the records it names */
	v->check_end = until_day == INT64_MAX;
	if (v->check_end && v->head_file) {
		v->head_err = audit_head_read_at(AT_FDCWD, v->head_file, &v->signed_head);
	} else if (v->check_end) {
		int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		v->head_err = dfd < 0 ? -errno : audit_head_read(dfd, &v->signed_head);
		if (dfd >= 0)
			close(dfd);
	}
	return audit_read_range_hooks(dir, since_day, until_day, &hooks, v);
}

/* audit: the journal. Chain and signatures verify; every kind of tampering
 * is caught at the right file and line; a torn tail is recovered with an
 * audit_gap; the chain survives restarts and rotation; retention deletes
 * only wholly expired files, audited, whatever the time zone. */
#include <pthread.h>
#include <stdint.h>
#include "test_audit.h"
#include "check_main.h"

START_TEST(clean_journal_verifies)
{
	char dir[64];
	uint8_t pk[32];
	struct audit_verifier *v = malloc(sizeof(*v));
	setenv("TZ", "UTC", 1);
	tzset();
	make_tmpdir(dir, sizeof(dir));
	build_journal(dir);
	ck_assert_int_eq(verify(dir, NULL, v), 0);
	ck_assert_int_eq(v->files, 4);
	ck_assert_int_eq(v->records, 31);
	ck_assert_int_eq(v->checkpoints, 5);
	ck_assert_int_eq(v->unsigned_records, 0);
	ck_assert_int_eq(v->gaps, 0);
	for (int i = 0; i < 4; i++) {
		char p[128];
		path_of(p, sizeof(p), dir, day_files[i]);
		ck_assert_msg(access(p, F_OK) == 0, "%s", day_files[i]);   /* one file per UTC day */
	}
	/* the key file is private, the public half is beside it */
	char p[128];
	struct stat st;
	path_of(p, sizeof(p), dir, AUDIT_KEY_FILE);
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	path_of(p, sizeof(p), dir, AUDIT_PUB_FILE);
	ck_assert_int_eq(audit_pubkey_read(p, pk), 0);
	ck_assert_int_eq(verify(dir, pk, v), 0);
	rm_rf(dir);
	free(v);
}
END_TEST

/* ---- tampering: each case edits a fresh journal, then verify must name
 * the first fault with the right kind, file and line. */
enum op { FLIP, DELETE_LINE, SWAP, TRUNCATE_MID, DELETE_FILE, DELETE_FIRST_FILE, REWRITE_CHAIN };

static const struct {
	const char *what;
	enum op op;
	int file, line;           /* where the edit happens (0-based file, 1-based line) */
	enum audit_fault_kind kind;
	int ffile, fline;         /* where the finding must point */
} tamper[] = {
	{ "flip a byte", FLIP, 1, 3, AUDIT_FAULT_ALTERED, 1, 3 },
	{ "flip a byte in a checkpoint", FLIP, 2, 7, AUDIT_FAULT_ALTERED, 2, 7 },
	{ "delete a record", DELETE_LINE, 1, 3, AUDIT_FAULT_REMOVED, 1, 3 },
	{ "delete the first record of a file", DELETE_LINE, 2, 1, AUDIT_FAULT_REMOVED, 2, 1 },
	{ "reorder two records", SWAP, 1, 3, AUDIT_FAULT_REORDERED, 1, 3 },
	{ "reorder across the checkpoint", SWAP, 3, 6, AUDIT_FAULT_REORDERED, 3, 6 },
	{ "truncate a file mid-record", TRUNCATE_MID, 1, 5, AUDIT_FAULT_TRUNCATED, 1, 5 },
	{ "delete a whole middle file", DELETE_FILE, 2, 0, AUDIT_FAULT_REMOVED, 3, 1 },
	{ "delete the first file", DELETE_FIRST_FILE, 0, 0, AUDIT_FAULT_HEAD, 1, 1 },
	{ "alter and re-hash the rest of the chain", REWRITE_CHAIN, 1, 3, AUDIT_FAULT_SIGNATURE, 1, 7 },
};

/* What an attacker without the key can do: edit a record and recompute
 * every later hash and prev so the chain is consistent again. */
static void rewrite_chain(const char *dir, int file, int line)
{
	struct audit_record *r = malloc(sizeof(*r));
	uint8_t head[AUDIT_HASH_LEN];
	bool started = false;
	static char out[1 << 16], buf[AUDIT_LINE_MAX];
	for (int f = file; f < 4; f++) {
		char p[128];
		size_t n, o = 0, pos = 0;
		path_of(p, sizeof(p), dir, day_files[f]);
		char *b = slurp(p, &n);
		for (int l = 1; pos < n; l++) {
			char *nl = memchr(b + pos, '\n', n - pos);
			size_t len = (size_t)(nl - (b + pos));
			ck_assert_int_eq(audit_record_parse(b + pos, len, r), 0);
			if (f == file && l == line) {
				snprintf(r->subject, sizeof(r->subject), "someone-else.example");
				started = true;
			}
			if (started) {
				struct audit_kv kv[AUDIT_MAX_DETAILS];
				for (size_t k = 0; k < r->n_details; k++)
					kv[k] = (struct audit_kv){ r->dkey[k], r->dval[k] };
				enum audit_event ev;
				ck_assert(audit_event_parse(r->event, &ev));
				struct audit_rec_in in = {
					.seq = r->seq, .prev = (f == file && l == line) ? r->prev : head,
					.wall_ms = (uint64_t)r->ts_ms, .host = r->host, .subject = r->subject,
					.object = r->object, .ev = ev,
					.outcome = strcmp(r->outcome, "success") ? AUDIT_FAILURE : AUDIT_SUCCESS,
					.kv = kv, .n_kv = r->n_details,
				};
				int k = audit_format_json(&in, buf, sizeof(buf), head);
				ck_assert_int_gt(k, 0);
				memcpy(out + o, buf, (size_t)k);
				o += (size_t)k;
			} else {
				memcpy(out + o, b + pos, len + 1);
				o += len + 1;
			}
			pos += len + 1;
		}
		spit(p, out, o);
		free(b);
	}
	free(r);
}

static void apply(const char *dir, int i)
{
	char p[128];
	size_t n;
	path_of(p, sizeof(p), dir, day_files[tamper[i].file]);
	if (tamper[i].op == DELETE_FILE || tamper[i].op == DELETE_FIRST_FILE) {
		ck_assert_int_eq(unlink(p), 0);
		return;
	}
	if (tamper[i].op == REWRITE_CHAIN) {
		rewrite_chain(dir, tamper[i].file, tamper[i].line);
		return;
	}
	char *b = slurp(p, &n);
	size_t a = line_off(b, n, tamper[i].line);
	size_t e = line_off(b, n, tamper[i].line + 1);
	size_t e2 = line_off(b, n, tamper[i].line + 2);
	ck_assert(a < e && e <= n);
	switch (tamper[i].op) {
	case FLIP:
		b[a + 40] ^= 0x01;   /* inside the record, not its newline */
		spit(p, b, n);
		break;
	case DELETE_LINE:
		memmove(b + a, b + e, n - e);
		spit(p, b, n - (e - a));
		break;
	case SWAP: {
		char *tmp = malloc(n);
		size_t l1 = e - a, l2 = e2 - e;
		memcpy(tmp, b + e, l2);
		memcpy(tmp + l2, b + a, l1);
		memcpy(b + a, tmp, l1 + l2);
		free(tmp);
		spit(p, b, n);
		break;
	}
	case TRUNCATE_MID:
		spit(p, b, a + (e - a) / 2);
		break;
	default:
		break;
	}
	free(b);
}

START_TEST(tampering_detected)
{
	char dir[64];
	struct audit_verifier *v = malloc(sizeof(*v));
	setenv("TZ", "UTC", 1);
	tzset();
	make_tmpdir(dir, sizeof(dir));
	build_journal(dir);
	apply(dir, _i);
	uint64_t faults = verify(dir, NULL, v);
	ck_assert_msg(faults > 0, "%s: not detected", tamper[_i].what);
	ck_assert_msg(v->first.kind == tamper[_i].kind, "%s: kind %s (%s)", tamper[_i].what,
		      audit_fault_kind_name(v->first.kind), v->first.msg);
	ck_assert_str_eq(v->first.file, day_files[tamper[_i].ffile]);
	ck_assert_msg(v->first.line == (uint64_t)tamper[_i].fline, "%s: line %llu (%s)",
		      tamper[_i].what, (unsigned long long)v->first.line, v->first.msg);
	rm_rf(dir);
	free(v);
}
END_TEST

/* Replace the audit key: the attacker rewrites the whole journal with a key
 * of their own. Only a public key kept elsewhere catches it. */
START_TEST(replaced_key_detected)
{
	char good[64], evil[64], p[128];
	uint8_t pk_good[32], pk_evil[32];
	struct audit_verifier *v = malloc(sizeof(*v));
	setenv("TZ", "UTC", 1);
	tzset();
	make_tmpdir(good, sizeof(good));
	make_tmpdir(evil, sizeof(evil));
	build_journal(good);
	build_journal(evil);   /* same events, new key: a perfect forgery */
	path_of(p, sizeof(p), good, AUDIT_PUB_FILE);
	ck_assert_int_eq(audit_pubkey_read(p, pk_good), 0);
	path_of(p, sizeof(p), evil, AUDIT_PUB_FILE);
	ck_assert_int_eq(audit_pubkey_read(p, pk_evil), 0);
	ck_assert(memcmp(pk_good, pk_evil, 32) != 0);

	/* with the externally kept key: caught at the first pin, line 1 */
	ck_assert_int_gt(verify(evil, pk_good, v), 0);
	ck_assert_int_eq(v->first.kind, AUDIT_FAULT_KEY);
	ck_assert_str_eq(v->first.file, day_files[0]);
	ck_assert_int_eq(v->first.line, 1);
	/* without it the forgery is self-consistent: documented limit */
	ck_assert_int_eq(verify(evil, pk_evil, v), 0);

	/* only the key files swapped (journal kept): the pins disagree */
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "cp %s/audit.pub %s/audit.key %s/", evil, evil, good);
	ck_assert_int_eq(system(cmd), 0);
	path_of(p, sizeof(p), good, AUDIT_PUB_FILE);
	ck_assert_int_eq(audit_pubkey_read(p, pk_good), 0);
	ck_assert_int_gt(verify(good, pk_good, v), 0);
	ck_assert_int_eq(v->first.kind, AUDIT_FAULT_KEY);
	ck_assert_int_eq(v->first.line, 1);
	/* and a daemon restarted on the swapped key pins a key change */
	struct conf_audit cfg;
	test_cfg(&cfg, good);
	test_now_ms = (uint64_t)ms_of("2026-11-28T12:00:00Z");
	ck_assert_int_eq(audit_open(&cfg, "gw-a"), 0);
	audit_close();
	ck_assert_int_gt(verify(good, NULL, v), 0);
	ck_assert_int_eq(v->first.kind, AUDIT_FAULT_KEY);
	rm_rf(good);
	rm_rf(evil);
	free(v);
}
END_TEST

/* A crash mid-write leaves a torn last line: verify calls it truncated;
 * the next start cuts it, records an audit_gap, and the chain verifies. */
static const struct {
	const char *what;
	const char *tail;
	size_t len;
} torn[] = {
	{ "half a record", "{\"seq\":31,\"ts\":\"2026-11-28T10:0", 31 },
	{ "zeros after a power cut", "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16 },
	{ "a garbage line and half", "garbage\n{\"seq\":", 15 },
};

START_TEST(torn_tail_recovered)
{
	char dir[64], p[128];
	struct audit_verifier *v = malloc(sizeof(*v));
	struct audit_record *r = malloc(sizeof(*r));
	struct conf_audit cfg;
	setenv("TZ", "UTC", 1);
	tzset();
	make_tmpdir(dir, sizeof(dir));
	build_journal(dir);
	path_of(p, sizeof(p), dir, day_files[3]);
	size_t n;
	char *b = slurp(p, &n);
	char *nb = malloc(n + torn[_i].len);
	memcpy(nb, b, n);
	memcpy(nb + n, torn[_i].tail, torn[_i].len);
	spit(p, nb, n + torn[_i].len);
	ck_assert_int_gt(verify(dir, NULL, v), 0);
	ck_assert_str_eq(v->first.file, day_files[3]);
	ck_assert_int_eq(v->first.line, 9);

	test_cfg(&cfg, dir);
	cap_reset();
	test_now_ms = (uint64_t)ms_of("2026-11-28T11:00:00Z");
	ck_assert_int_eq(audit_open(&cfg, "gw-a"), 0);
	int gap = -1;
	for (size_t i = 0; i < cap.n_json; i++)
		if (cap.ev[i] == AUDIT_AUDIT_GAP)
			gap = (int)i;
	ck_assert_int_ge(gap, 0);
	ck_assert_int_eq(audit_record_parse(cap.json[gap], strlen(cap.json[gap]) - 1, r), 0);
	ck_assert_str_eq(audit_record_detail(r, "reason"), "torn_tail");
	char want[24];
	snprintf(want, sizeof(want), "%zu", torn[_i].len);
	ck_assert_str_eq(audit_record_detail(r, "bytes"), want);
	snprintf(want, sizeof(want), "%zu", n);
	ck_assert_str_eq(audit_record_detail(r, "offset"), want);
	ck_assert_int_eq(r->seq, 33);   /* 31 + audit_open; the torn bytes took no seq */
	ck_assert_int_ge(cap_find_sys("event=audit_gap"), 0);
	audit_emit(AUDIT_DAEMON_STOP, AUDIT_SUCCESS, "linegated", "gw-a", NULL);
	audit_close();
	ck_assert_int_eq(verify(dir, NULL, v), 0);
	ck_assert_int_eq(v->gaps, 1);
	free(b);
	free(nb);
	free(r);
	free(v);
	rm_rf(dir);
}
END_TEST

/* Garbage in the middle of the newest file is not a crash: it is left in
 * place (evidence), the restart says so in the chain, verify still fails. */
START_TEST(corrupt_middle_reported)
{
	char dir[64], p[128];
	struct audit_verifier *v = malloc(sizeof(*v));
	struct audit_record *r = malloc(sizeof(*r));
	struct conf_audit cfg;
	setenv("TZ", "UTC", 1);
	tzset();
	make_tmpdir(dir, sizeof(dir));
	build_journal(dir);
	path_of(p, sizeof(p), dir, day_files[3]);
	size_t n;
	char *b = slurp(p, &n);
	size_t a = line_off(b, n, 3);
	char *nb = malloc(n + 16);
	memcpy(nb, b, a);
	memcpy(nb + a, "not a record\n", 13);
	memcpy(nb + a + 13, b + a, n - a);
	spit(p, nb, n + 13);
	/* audit.pub lost too: it is written again from the key */
	path_of(p, sizeof(p), dir, AUDIT_PUB_FILE);
	ck_assert_int_eq(unlink(p), 0);
	test_cfg(&cfg, dir);
	cap_reset();
	test_now_ms = (uint64_t)ms_of("2026-11-28T11:00:00Z");
	ck_assert_int_eq(audit_open(&cfg, "gw-a"), 0);
	audit_close();
	ck_assert_int_eq(access(p, F_OK), 0);
	int gap = -1;
	for (size_t i = 0; i < cap.n_json; i++)
		if (cap.ev[i] == AUDIT_AUDIT_GAP)
			gap = (int)i;
	ck_assert_int_ge(gap, 0);
	ck_assert_int_eq(audit_record_parse(cap.json[gap], strlen(cap.json[gap]) - 1, r), 0);
	ck_assert_str_eq(audit_record_detail(r, "reason"), "corrupt_lines");
	ck_assert_str_eq(audit_record_detail(r, "lines"), "1");
	ck_assert_int_gt(verify(dir, NULL, v), 0);
	ck_assert_int_eq(v->first.kind, AUDIT_FAULT_MALFORMED);
	ck_assert_str_eq(v->first.file, day_files[3]);
	ck_assert_int_eq(v->first.line, 3);
	free(b);
	free(nb);
	free(r);
	free(v);
	rm_rf(dir);
}
END_TEST

/* Restarts on the same and on later days: one continuous chain. */
START_TEST(chain_survives_restarts)
{
	char dir[64];
	struct conf_audit cfg;
	struct audit_status s;
	struct audit_verifier *v = malloc(sizeof(*v));
	setenv("TZ", "Asia/Shanghai", 1);
	tzset();
	make_tmpdir(dir, sizeof(dir));
	test_cfg(&cfg, dir);
	cap_reset();
	uint64_t last = 0;
	for (int run = 0; run < 5; run++) {
		/* 23:59:59.5 UTC then past midnight: rotation inside one run too */
		test_now_ms = (uint64_t)ms_of("2026-11-20T23:59:59.500Z") + (uint64_t)run * 43200000;
		ck_assert_int_eq(audit_open(&cfg, "gw-a"), 0);
		audit_get_status(&s);
		ck_assert_int_eq(s.last_seq, last + (run == 0 ? 2 : 1));
		audit_emit(AUDIT_DAEMON_START, AUDIT_SUCCESS, "linegated", "gw-a", NULL);
		test_now_ms += 1000;
		audit_emit(AUDIT_FLOW_RECORD, AUDIT_SUCCESS, "gw-b", "child:1", "pkts_in", "5", NULL);
		audit_emit(AUDIT_DAEMON_STOP, AUDIT_SUCCESS, "linegated", "gw-a", NULL);
		audit_close();   /* writes the final checkpoint */
		audit_get_status(&s);
		last = s.last_seq;
	}
	ck_assert_int_eq(verify(dir, NULL, v), 0);
	ck_assert_int_eq(v->records, last);
	ck_assert_int_eq(v->checkpoints, 5);
	ck_assert_int_ge(v->files, 3);
	free(v);
	rm_rf(dir);
}
END_TEST

/* ---- retention: file day, "now" (any offset), days, expired? */
static const struct {
	const char *file_day, *now;
	uint32_t days;
	bool expired;
} ret_cases[] = {
	{ "2026-01-31", "2026-07-30T23:59:59.999Z", 180, false },
	{ "2026-01-31", "2026-07-31T00:00:00.000Z", 180, true },
	{ "2026-01-31", "2026-07-31T07:59:59+08:00", 180, false },   /* = 07-30T23:59:59Z */
	{ "2026-01-31", "2026-07-31T08:00:00+08:00", 180, true },
	{ "2026-02-28", "2026-08-27T23:59:59Z", 180, false },         /* not a leap year */
	{ "2026-02-28", "2026-08-28T00:00:00Z", 180, true },
	{ "2028-02-28", "2028-08-26T23:59:59Z", 180, false },         /* leap: Feb 29 exists */
	{ "2028-02-29", "2028-08-27T23:59:59Z", 180, false },
	{ "2028-02-29", "2028-08-28T00:00:00Z", 180, true },
	{ "2026-12-31", "2027-06-29T23:59:59Z", 180, false },         /* across a year */
	{ "2026-12-31", "2027-06-30T00:00:00Z", 180, true },
	{ "2026-03-01", "2027-03-01T23:59:59Z", 365, false },
	{ "2026-03-01", "2027-03-02T00:00:00Z", 365, true },
	{ "2026-10-25", "2027-04-24T01:59:59+02:00", 180, false },    /* a DST changeover day */
	{ "2026-10-25", "2027-04-24T02:00:00+02:00", 180, true },
	{ "2026-11-28", "2026-11-28T12:00:00Z", 180, false },
};

static const char *const zones[] = { "UTC", "Asia/Shanghai", "America/New_York",
				     "Europe/Berlin", "Pacific/Kiritimati", "Pacific/Pago_Pago" };

START_TEST(retention_arithmetic)
{
	for (size_t z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
		setenv("TZ", zones[z], 1);
		tzset();
		for (size_t i = 0; i < sizeof(ret_cases) / sizeof(ret_cases[0]); i++) {
			int64_t day = audit_day_of_ms(ms_of(ret_cases[i].file_day));
			char name[AUDIT_NAME_MAX];
			int64_t back;
			audit_file_name(day, name, sizeof(name));
			ck_assert(audit_file_name_day(name, &back) && back == day);
			ck_assert_msg(audit_retention_expired(day, ms_of(ret_cases[i].now), ret_cases[i].days) ==
				      ret_cases[i].expired, "case %zu in %s", i, zones[z]);
		}
	}
}
END_TEST

static const struct {
	const char *name;
	bool ok;
} names[] = {
	{ "audit-2026-11-28.jsonl", true }, { "audit-2028-02-29.jsonl", true },
	{ "audit-2026-02-29.jsonl", false }, { "audit-2026-11-28.jsonl.bak", false },
	{ "audit-2026-1-28.jsonl", false }, { "audit.key", false }, { "audit.pub", false },
	{ "audit-2026-11-28T00.jsonl", false }, { "xaudit-2026-11-28.jsonl", false },
};

START_TEST(file_names)
{
	int64_t day;
	ck_assert_msg(audit_file_name_day(names[_i].name, &day) == names[_i].ok, "%s", names[_i].name);
}
END_TEST

/* Six months on: the two wholly expired files go, each deletion first in
 * the journal; the remaining journal still verifies (anchored head). */
START_TEST(retention_sweep)
{
	char dir[64], p[128];
	struct conf_audit cfg;
	struct audit_verifier *v = malloc(sizeof(*v));
	struct audit_record *r = malloc(sizeof(*r));
	setenv("TZ", "Asia/Shanghai", 1);
	tzset();
	make_tmpdir(dir, sizeof(dir));
	build_journal(dir);
	test_cfg(&cfg, dir);
	cap_reset();
	test_now_ms = (uint64_t)ms_of("2027-05-26T12:00:00Z");
	ck_assert_int_eq(audit_open(&cfg, "gw-a"), 0);
	int deletions = 0;
	for (size_t i = 0; i < cap.n_json; i++) {
		if (cap.ev[i] != AUDIT_AUDIT_RETENTION_DELETE)
			continue;
		ck_assert_int_eq(audit_record_parse(cap.json[i], strlen(cap.json[i]) - 1, r), 0);
		ck_assert_str_eq(r->object, day_files[deletions]);
		ck_assert_str_eq(audit_record_detail(r, "last_seq"), deletions == 0 ? "9" : "16");
		deletions++;
	}
	ck_assert_int_eq(deletions, 2);
	for (int i = 0; i < 4; i++) {
		path_of(p, sizeof(p), dir, day_files[i]);
		ck_assert_int_eq(access(p, F_OK) == 0, i >= 2);
	}
	/* nothing more to delete until the next day */
	test_now_ms += 3600000;
	audit_tick(test_now_ms);
	path_of(p, sizeof(p), dir, day_files[2]);
	ck_assert_int_eq(access(p, F_OK), 0);
	test_now_ms += 86400000;
	audit_tick(test_now_ms);
	ck_assert_int_ne(access(p, F_OK), 0);
	audit_close();
	ck_assert_msg(verify(dir, NULL, v) == 0, "%s:%llu %s", v->first.file,
		      (unsigned long long)v->first.line, v->first.msg);
	ck_assert(v->records > 0);
	free(r);
	free(v);
	rm_rf(dir);
}
END_TEST

/* verify and show through the CLI entry point linegatectl calls. */
START_TEST(cli_verify_show)
{
	char dir[64], p[128];
	setenv("TZ", "UTC", 1);
	tzset();
	make_tmpdir(dir, sizeof(dir));
	build_journal(dir);
	char *ok[] = { "audit", "verify", "--dir", dir, NULL };
	ck_assert_int_eq(audit_cli_main(4, ok), 0);
	char *js[] = { "audit", "verify", "--dir", dir, "--json", "--since", "2026-11-26", "--until", "2026-11-27", NULL };
	char out[128];
	snprintf(out, sizeof(out), "%s/out.json", dir);
	fflush(stdout);
	int saved = dup(1), fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 1);
	int code = audit_cli_main(9, js);
	fflush(stdout);
	dup2(saved, 1);
	close(fd);
	close(saved);
	ck_assert_int_eq(code, 0);
	size_t olen;
	char *json = slurp(out, &olen);
	/* the two days asked for, 14 records, both checkpoints, clean */
	ck_assert_msg(strstr(json, "\"files\":2,\"records\":14,\"checkpoints\":2,\"gaps\":0,\"faults\":0,\"ok\":true"), "%s", json);
	free(json);
	char *show[] = { "audit", "show", "--dir", dir, "--event", "child_sa_up", "--peer", "peer-2-3", NULL };
	ck_assert_int_eq(audit_cli_main(8, show), 0);
	char direq[96];
	snprintf(direq, sizeof(direq), "--dir=%s", dir);
	char *eqform[] = { "audit", "verify", direq, "--since=2026-11-27", NULL };
	ck_assert_int_eq(audit_cli_main(4, eqform), 0);
	char *noval[] = { "audit", "verify", "--dir", NULL };
	ck_assert_int_eq(audit_cli_main(3, noval), 2);
	char *bad[] = { "audit", "show", "--dir", dir, "--event", "no_such_event", NULL };
	ck_assert_int_eq(audit_cli_main(6, bad), 2);
	char *none[] = { "audit", "verify", "--dir", "/nonexistent/lg-audit", NULL };
	ck_assert_int_eq(audit_cli_main(4, none), 2);
	path_of(p, sizeof(p), dir, day_files[1]);
	size_t n;
	char *b = slurp(p, &n);
	b[100] ^= 4;
	spit(p, b, n);
	free(b);
	ck_assert_int_eq(audit_cli_main(4, ok), 1);
	/* a range that excludes the damaged file is clean */
	char *later[] = { "audit", "verify", "--dir", dir, "--since", "2026-11-28T05:00:00Z", NULL };
	ck_assert_int_eq(audit_cli_main(6, later), 0);
	/* an externally kept key that is not the journal's: exit 1 */
	char otherpub[128];
	snprintf(otherpub, sizeof(otherpub), "%s/other.pub", dir);
	spit(otherpub, "ed25519 4242424242424242424242424242424242424242424242424242424242424242\n", 73);
	char *other[] = { "audit", "verify", "--dir", dir, "--since", "2026-11-28", "--pubkey", otherpub, NULL };
	ck_assert_int_eq(audit_cli_main(8, other), 1);
	char pubarg[] = "--pubkey";
	char *wrongkey[] = { "audit", "verify", "--dir", dir, pubarg, "/nonexistent.pub", NULL };
	ck_assert_int_eq(audit_cli_main(6, wrongkey), 2);
	rm_rf(dir);
}
END_TEST

/* Four threads emitting at once: one intact chain, nothing lost. */
static void *emitter(void *arg)
{
	char obj[32];
	for (int i = 0; i < 300; i++) {
		snprintf(obj, sizeof(obj), "t%ld-%d", (long)(intptr_t)arg, i);
		audit_emit(i % 7 ? AUDIT_FLOW_RECORD : AUDIT_AUTH_FAILURE, AUDIT_SUCCESS,
			   "gw-b.example", obj, "n", "1", NULL);
		if (i % 50 == 0)
			audit_tick(test_now_ms + (uint64_t)i * 2000);
	}
	return NULL;
}

START_TEST(threads_one_chain)
{
	char dir[64];
	struct conf_audit cfg;
	pthread_t t[4];
	struct audit_status s;
	struct audit_verifier *v = malloc(sizeof(*v));
	make_tmpdir(dir, sizeof(dir));
	test_cfg(&cfg, dir);
	cap_reset();
	audit_set_test_sink(NULL, NULL);
	audit_set_syslog_hook(NULL, NULL);
	test_now_ms = (uint64_t)ms_of("2026-11-28T10:00:00Z");
	ck_assert_int_eq(audit_open(&cfg, "gw-a"), 0);
	for (long i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, emitter, (void *)(intptr_t)i), 0);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	audit_get_status(&s);
	ck_assert_int_eq(s.unwritten, 0);
	audit_close();
	ck_assert_msg(verify(dir, NULL, v) == 0, "%s", v->first.msg);
	ck_assert_int_eq(v->records - v->checkpoints, 2 + 4 * 300);
	free(v);
	rm_rf(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("audit_journal");
	TCase *tc = tcase_create("journal");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, clean_journal_verifies);
	tcase_add_loop_test(tc, tampering_detected, 0, sizeof(tamper) / sizeof(tamper[0]));
	tcase_add_test(tc, replaced_key_detected);
	tcase_add_loop_test(tc, torn_tail_recovered, 0, sizeof(torn) / sizeof(torn[0]));
	tcase_add_test(tc, chain_survives_restarts);
	tcase_add_test(tc, corrupt_middle_reported);
	tcase_add_test(tc, retention_arithmetic);
	tcase_add_loop_test(tc, file_names, 0, sizeof(names) / sizeof(names[0]));
	tcase_add_test(tc, retention_sweep);
	tcase_add_test(tc, cli_verify_show);
	tcase_add_test(tc, threads_one_chain);
	suite_add_tcase(s, tc);
	return lg_check_run(s);
}

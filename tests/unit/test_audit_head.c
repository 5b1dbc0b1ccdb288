/* audit: the end of the trail. A signed head outside the daily files lets
 * verify catch a trail that ends early (newest file removed, records cut
 * at a line boundary, every file removed), a forged or missing head, a
 * record appended after a clean stop and an edited last checkpoint; the
 * daemon compares the head at start, raises the alarm, records the gap and
 * never reuses a sequence number; the unsigned tail is counted. Every case
 * passed verify before the head existed. */
#include "test_audit.h"
#include "check_main.h"

enum end_op {
	DEL_NEWEST, DEL_ALL, DEL_ALL_AND_HEAD, CUT_LINES, APPEND_FORGED, EDIT_LAST_CP_TIME,
	DEL_HEAD, FLIP_HEAD, FIX_HEAD_TO_CUT, EMPTY_DIR,
};

static void head_path(char *out, size_t n, const char *dir)
{
	path_of(out, n, dir, AUDIT_HEAD_FILE);
}

/* Parses line (no '\n'), lets `edit` change it, writes it back re-hashed
 * with its own prev: what an attacker without the key can do. */
static size_t reformat(const char *line, size_t len, uint64_t new_seq, const uint8_t *new_prev,
		       int64_t ts_shift_ms, char *out, uint8_t hash[AUDIT_HASH_LEN])
{
	struct audit_record *r = malloc(sizeof(*r));
	struct audit_kv kv[AUDIT_MAX_DETAILS];
	enum audit_event ev;
	ck_assert_int_eq(audit_record_parse(line, len, r), 0);
	for (size_t k = 0; k < r->n_details; k++)
		kv[k] = (struct audit_kv){ r->dkey[k], r->dval[k] };
	ck_assert(audit_event_parse(r->event, &ev));
	struct audit_rec_in in = {
		.seq = new_seq ? new_seq : r->seq, .prev = new_prev ? new_prev : r->prev,
		.wall_ms = (uint64_t)(r->ts_ms + ts_shift_ms), .host = r->host, .subject = r->subject,
		.object = r->object, .ev = ev,
		.outcome = strcmp(r->outcome, "success") ? AUDIT_FAILURE : AUDIT_SUCCESS,
		.kv = kv, .n_kv = r->n_details,
	};
	int k = audit_format_json(&in, out, AUDIT_LINE_MAX, hash);
	ck_assert_int_gt(k, 0);
	free(r);
	return (size_t)k;
}

/* The last line of the newest file: start offset and length (no '\n'). */
static void last_line(const char *b, size_t n, size_t *start, size_t *len)
{
	size_t e = n - 1;   /* the final '\n' */
	size_t a = e;
	while (a > 0 && b[a - 1] != '\n')
		a--;
	*start = a;
	*len = e - a;
}

static void append_forged(const char *p, const char *b, size_t n)
{
	static char out[AUDIT_LINE_MAX];
	struct audit_record *r = malloc(sizeof(*r));
	size_t a, len;
	uint8_t h[AUDIT_HASH_LEN];
	last_line(b, n, &a, &len);
	ck_assert_int_eq(audit_record_parse(b + a, len, r), 0);
	/* a copy of the record before, moved on by one and chained to the end */
	size_t pa = a - 1;
	while (pa > 0 && b[pa - 1] != '\n')
		pa--;
	size_t k = reformat(b + pa, a - 1 - pa, r->seq + 1, r->hash, 1000, out, h);
	char *nb = malloc(n + k);
	memcpy(nb, b, n);
	memcpy(nb + n, out, k);
	spit(p, nb, n + k);
	free(nb);
	free(r);
}

static void edit_last_time(const char *p, char *b, size_t n)
{
	static char out[AUDIT_LINE_MAX];
	size_t a, len;
	uint8_t h[AUDIT_HASH_LEN];
	last_line(b, n, &a, &len);
	size_t k = reformat(b + a, len, 0, NULL, 3600000, out, h);   /* an hour later */
	memcpy(b + a, out, k);
	spit(p, b, a + k);
}

static void apply_end(const char *dir, enum end_op op)
{
	char p[128], hp[128];
	size_t n;
	path_of(p, sizeof(p), dir, day_files[3]);
	head_path(hp, sizeof(hp), dir);
	switch (op) {
	case DEL_ALL_AND_HEAD:
		ck_assert_int_eq(unlink(hp), 0);
		/* fall through */
	case DEL_ALL:
		for (int i = 0; i < 4; i++) {
			path_of(p, sizeof(p), dir, day_files[i]);
			ck_assert_int_eq(unlink(p), 0);
		}
		return;
	case DEL_NEWEST:
		ck_assert_int_eq(unlink(p), 0);
		return;
	case DEL_HEAD:
		ck_assert_int_eq(unlink(hp), 0);
		return;
	default:
		break;
	}
	char *b = slurp(op == FLIP_HEAD ? hp : p, &n);
	if (op == CUT_LINES) {
		spit(p, b, line_off(b, n, 7));   /* lines 7-8: two checkpoints gone */
	} else if (op == APPEND_FORGED) {
		append_forged(p, b, n);
	} else if (op == EDIT_LAST_CP_TIME) {
		edit_last_time(p, b, n);
	} else if (op == FLIP_HEAD) {
		b[n - 3] = b[n - 3] == '0' ? '1' : '0';   /* a signature digit */
		spit(hp, b, n);
	} else if (op == FIX_HEAD_TO_CUT) {
		/* cut the last record and point the head at the new end: the
		 * signature cannot follow without the key */
		struct audit_head h;
		struct audit_record *r = malloc(sizeof(*r));
		char text[AUDIT_HEAD_TEXT_MAX];
		size_t a, len;
		spit(p, b, line_off(b, n, 8));
		free(b);
		b = slurp(p, &n);
		last_line(b, n, &a, &len);
		ck_assert_int_eq(audit_record_parse(b + a, len, r), 0);
		int dfd = open(dir, O_RDONLY | O_DIRECTORY);
		ck_assert_int_eq(audit_head_read(dfd, &h), 0);
		h.seq = r->seq;
		memcpy(h.hash, r->hash, AUDIT_HASH_LEN);
		h.ts_ms = r->ts_ms;
		int k = audit_head_format(&h, text, sizeof(text));
		spit(hp, text, (size_t)k);
		close(dfd);
		free(r);
	}
	free(b);
}

static const struct {
	const char *what;
	enum end_op op;
	enum audit_fault_kind kind;   /* must be among the findings */
} end_cases[] = {
	{ "remove the newest daily file", DEL_NEWEST, AUDIT_FAULT_CUT },
	{ "remove every daily file", DEL_ALL, AUDIT_FAULT_EMPTY },
	{ "remove every daily file and the head", DEL_ALL_AND_HEAD, AUDIT_FAULT_EMPTY },
	{ "cut the last two records at a line boundary", CUT_LINES, AUDIT_FAULT_CUT },
	{ "append a chained record after the final checkpoint", APPEND_FORGED, AUDIT_FAULT_APPENDED },
	{ "edit the last checkpoint's time and re-hash it", EDIT_LAST_CP_TIME, AUDIT_FAULT_SIGNATURE },
	{ "remove the signed head", DEL_HEAD, AUDIT_FAULT_UNANCHORED },
	{ "forge a byte of the head's signature", FLIP_HEAD, AUDIT_FAULT_SIGNATURE },
	{ "cut a record and move the head to the new end", FIX_HEAD_TO_CUT, AUDIT_FAULT_SIGNATURE },
	{ "an empty journal directory", EMPTY_DIR, AUDIT_FAULT_EMPTY },
};

static unsigned kinds_seen;
static void on_kind(void *ctx, const struct audit_finding *f)
{
	(void)ctx;
	kinds_seen |= 1u << f->kind;
}

START_TEST(end_tampering_detected)
{
	char dir[64];
	struct audit_verifier *v = malloc(sizeof(*v));
	setenv("TZ", "UTC", 1);
	tzset();
	make_tmpdir(dir, sizeof(dir));
	if (end_cases[_i].op != EMPTY_DIR) {
		build_journal(dir);
		ck_assert_int_eq(verify(dir, NULL, v), 0);   /* clean before the edit */
		apply_end(dir, end_cases[_i].op);
	}
	kinds_seen = 0;
	audit_verify_init(v);
	v->on_finding = on_kind;
	ck_assert_int_eq(audit_verify_dir(v, dir, INT64_MIN, INT64_MAX), 0);
	uint64_t faults = audit_verify_finish(v);
	ck_assert_msg(faults > 0, "%s: passed verify", end_cases[_i].what);
	ck_assert_msg(kinds_seen & (1u << end_cases[_i].kind), "%s: no %s finding (first: %s: %s)",
		      end_cases[_i].what, audit_fault_kind_name(end_cases[_i].kind),
		      audit_fault_kind_name(v->first.kind), v->first.msg);
	/* and through the CLI: exit 1, never "result: OK" */
	char *argv[] = { "audit", "verify", "--dir", dir, NULL };
	ck_assert_int_eq(audit_cli_main(4, argv), 1);
	rm_rf(dir);
	free(v);
}
END_TEST

/* ---- the daemon at start: the same cuts, seen before anything is written */
static const struct {
	const char *what;
	enum end_op op;
	const char *alarm;
	uint64_t min_next_seq;      /* the first new record's seq is at least this */
} start_cases[] = {
	{ "newest file removed", DEL_NEWEST, "trail_behind_head", 32 },
	{ "every file removed", DEL_ALL, "trail_behind_head", 32 },
	{ "last two records cut", CUT_LINES, "trail_behind_head", 32 },
	{ "head removed", DEL_HEAD, "head_missing", 32 },
	{ "head forged", FLIP_HEAD, "head_invalid", 32 },
	{ "last record rewritten", EDIT_LAST_CP_TIME, "head_mismatch", 32 },
	{ "every file and the head removed, key kept", DEL_ALL_AND_HEAD, "head_missing", 1 },
};

START_TEST(start_compares_head)
{
	char dir[64];
	struct conf_audit cfg;
	struct audit_status s;
	struct audit_record *r = malloc(sizeof(*r));
	struct audit_verifier *v = malloc(sizeof(*v));
	setenv("TZ", "UTC", 1);
	tzset();
	make_tmpdir(dir, sizeof(dir));
	build_journal(dir);
	apply_end(dir, start_cases[_i].op);
	test_cfg(&cfg, dir);
	cap_reset();
	test_now_ms = (uint64_t)ms_of("2026-11-28T12:00:00Z");
	ck_assert_int_eq(audit_open(&cfg, "gw-a"), 0);
	audit_get_status(&s);
	ck_assert_msg(!strcmp(s.alarm, start_cases[_i].alarm), "%s: alarm '%s'", start_cases[_i].what,
		      s.alarm);
	int a = cap_find_sys("event=audit_fault");
	ck_assert_int_ge(a, 0);
	ck_assert_int_eq(cap.prio[a] & 7, LOG_ALERT);
	bool gap = false;
	for (size_t i = 0; i < cap.n_json; i++) {
		ck_assert_int_eq(audit_record_parse(cap.json[i], strlen(cap.json[i]) - 1, r), 0);
		ck_assert_msg(r->seq >= start_cases[_i].min_next_seq, "%s: seq %llu reused",
			      start_cases[_i].what, (unsigned long long)r->seq);
		if (cap.ev[i] == AUDIT_AUDIT_GAP)
			gap = !strcmp(audit_record_detail(r, "reason"), start_cases[_i].alarm);
	}
	ck_assert_msg(gap, "%s: no audit_gap with the reason", start_cases[_i].what);
	audit_close();
	/* what the daemon found stays a fault for every later verify */
	ck_assert_int_gt(verify(dir, NULL, v), 0);
	free(r);
	free(v);
	rm_rf(dir);
}
END_TEST

/* After a crash the records after the last head are unsigned: counted by
 * verify (not a fault), named at the next start, signed by the next
 * checkpoint; a clean restart has none. */
START_TEST(unsigned_tail_counted)
{
	char dir[64], hp[128], saved[AUDIT_HEAD_TEXT_MAX + 1];
	struct conf_audit cfg;
	struct audit_record *r = malloc(sizeof(*r));
	struct audit_verifier *v = malloc(sizeof(*v));
	size_t n;
	setenv("TZ", "UTC", 1);
	tzset();
	make_tmpdir(dir, sizeof(dir));
	build_journal(dir);
	head_path(hp, sizeof(hp), dir);
	char *h = slurp(hp, &n);
	ck_assert_uint_lt(n, sizeof(saved));
	memcpy(saved, h, n);
	saved[n] = '\0';
	free(h);
	test_cfg(&cfg, dir);
	cap_reset();
	test_now_ms = (uint64_t)ms_of("2026-11-28T12:00:00Z");
	ck_assert_int_eq(audit_open(&cfg, "gw-a"), 0);
	for (int i = 0; i < 3; i++)
		audit_emit(AUDIT_CHILD_SA_UP, AUDIT_SUCCESS, "gw-b.example", "b", "spi_in", "1", NULL);
	/* while running: audit_open and three records after the last checkpoint */
	ck_assert_int_eq(verify(dir, NULL, v), 0);
	ck_assert_int_eq(v->unsigned_records, 4);
	audit_close();
	/* a crash: as if the final checkpoint and its head never happened */
	char p[128];
	path_of(p, sizeof(p), dir, day_files[3]);
	char *b = slurp(p, &n);
	spit(p, b, line_off(b, n, 13));   /* 8 + audit_open + 3 records */
	free(b);
	spit(hp, saved, n = strlen(saved));
	ck_assert_msg(verify(dir, NULL, v) == 0, "%s", v->first.msg);
	ck_assert_int_eq(v->unsigned_records, 4);
	cap_reset();
	ck_assert_int_eq(audit_open(&cfg, "gw-a"), 0);
	struct audit_status s;
	audit_get_status(&s);
	ck_assert_str_eq(s.alarm, "");
	ck_assert_int_eq(audit_record_parse(cap.json[0], strlen(cap.json[0]) - 1, r), 0);
	ck_assert_str_eq(r->event, "audit_open");
	ck_assert_str_eq(audit_record_detail(r, "unsigned"), "4");
	audit_close();
	ck_assert_int_eq(verify(dir, NULL, v), 0);
	ck_assert_int_eq(v->unsigned_records, 0);
	free(r);
	free(v);
	rm_rf(dir);
}
END_TEST

/* Every reload signs: audit_checkpoint() leaves nothing unsigned. */
START_TEST(checkpoint_on_demand)
{
	char dir[64];
	struct conf_audit cfg;
	struct audit_verifier *v = malloc(sizeof(*v));
	setenv("TZ", "UTC", 1);
	tzset();
	make_tmpdir(dir, sizeof(dir));
	test_cfg(&cfg, dir);
	cap_reset();
	test_now_ms = (uint64_t)ms_of("2026-11-28T12:00:00Z");
	ck_assert_int_eq(audit_open(&cfg, "gw-a"), 0);
	audit_emit(AUDIT_CONFIG_RELOADED, AUDIT_SUCCESS, "uid=0", "linegate.conf", NULL);
	ck_assert_int_eq(verify(dir, NULL, v), 0);
	ck_assert_int_gt(v->unsigned_records, 0);
	audit_checkpoint();
	ck_assert_int_eq(verify(dir, NULL, v), 0);
	ck_assert_int_eq(v->unsigned_records, 0);
	ck_assert_int_eq(v->signed_head.seq, v->last_seq);
	audit_close();
	free(v);
	rm_rf(dir);
}
END_TEST

/* Root with the key can cut the trail and re-sign the head: on the box it
 * verifies (documented); a head exported earlier (--head) catches it. */
START_TEST(exported_head_catches_resigned_cut)
{
	char dir[64], hp[128], exported[128], p[128], text[AUDIT_HEAD_TEXT_MAX];
	struct audit_verifier *v = malloc(sizeof(*v));
	struct audit_record *r = malloc(sizeof(*r));
	struct audit_head h;
	struct audit_key key;
	bool created;
	size_t n, a, len;
	setenv("TZ", "UTC", 1);
	tzset();
	make_tmpdir(dir, sizeof(dir));
	build_journal(dir);
	head_path(hp, sizeof(hp), dir);
	snprintf(exported, sizeof(exported), "%s.exported", dir);
	char *b = slurp(hp, &n);
	spit(exported, b, n);
	free(b);
	/* the attacker: cut two records, sign a head for the new end */
	path_of(p, sizeof(p), dir, day_files[3]);
	b = slurp(p, &n);
	spit(p, b, line_off(b, n, 7));
	free(b);
	b = slurp(p, &n);
	last_line(b, n, &a, &len);
	ck_assert_int_eq(audit_record_parse(b + a, len, r), 0);
	int dfd = open(dir, O_RDONLY | O_DIRECTORY);
	ck_assert_int_eq(audit_key_load_or_create(dfd, &key, &created), 0);
	h = (struct audit_head){ .seq = r->seq, .ts_ms = r->ts_ms };
	memcpy(h.hash, r->hash, AUDIT_HASH_LEN);
	audit_head_sign(&h, key.sk);
	audit_key_free(&key);
	close(dfd);
	spit(hp, text, (size_t)audit_head_format(&h, text, sizeof(text)));
	ck_assert_int_eq(verify(dir, NULL, v), 0);   /* the documented limit */
	audit_verify_init(v);
	v->head_file = exported;
	ck_assert_int_eq(audit_verify_dir(v, dir, INT64_MIN, INT64_MAX), 0);
	ck_assert_int_gt(audit_verify_finish(v), 0);
	ck_assert_int_eq(v->first.kind, AUDIT_FAULT_CUT);
	char *argv[] = { "audit", "verify", "--dir", dir, "--head", exported, NULL };
	ck_assert_int_eq(audit_cli_main(6, argv), 1);
	unlink(exported);
	free(b);
	free(r);
	free(v);
	rm_rf(dir);
}
END_TEST

/* The live file replaced under the daemon (sed -i renames a new file over
 * it) or removed: noticed at the next record, alarm, gap recorded in the file
 * now at the path, seq goes on (never reused), verify fails. */
START_TEST(live_file_replaced_or_removed)
{
	char dir[64], p[128], tmp[160];
	struct conf_audit cfg;
	struct audit_status s;
	struct audit_record *r = malloc(sizeof(*r));
	struct audit_verifier *v = malloc(sizeof(*v));
	size_t n;
	setenv("TZ", "UTC", 1);
	tzset();
	make_tmpdir(dir, sizeof(dir));
	test_cfg(&cfg, dir);
	cap_reset();
	test_now_ms = (uint64_t)ms_of("2026-11-28T12:00:00Z");
	ck_assert_int_eq(audit_open(&cfg, "gw-a"), 0);
	for (int i = 0; i < 3; i++)
		audit_emit(AUDIT_CHILD_SA_UP, AUDIT_SUCCESS, "gw-b.example", "b", "spi_in", "1", NULL);
	path_of(p, sizeof(p), dir, "audit-2026-11-28.jsonl");
	char *b = slurp(p, &n);
	char *hit = strstr(b, "gw-b.example");
	ck_assert_ptr_nonnull(hit);
	memcpy(hit, "gw-x", 4);   /* the edit */
	snprintf(tmp, sizeof(tmp), "%s.sedtmp", p);
	spit(tmp, b, n);
	ck_assert_int_eq(rename(tmp, p), 0);
	free(b);
	size_t before = cap.n_json;
	audit_emit(AUDIT_CHILD_SA_UP, AUDIT_SUCCESS, "gw-b.example", "b", "spi_in", "2", NULL);
	audit_get_status(&s);
	ck_assert_str_eq(s.alarm, "file_replaced");
	ck_assert_int_eq(cap.ev[before], AUDIT_AUDIT_GAP);
	ck_assert_ptr_nonnull(strstr(cap.json[before], "\"reason\":\"file_replaced\""));
	ck_assert_int_ge(cap_find_sys("state=file_replaced"), 0);
	/* both the gap and the record are in the file at the path */
	b = slurp(p, &n);
	ck_assert_ptr_nonnull(strstr(b, "file_replaced"));
	ck_assert_ptr_nonnull(strstr(b, "\"spi_in\":\"2\""));
	free(b);
	/* removed: a new file at the path, the chain goes on */
	ck_assert_int_eq(unlink(p), 0);
	audit_emit(AUDIT_CHILD_SA_UP, AUDIT_SUCCESS, "gw-b.example", "b", "spi_in", "3", NULL);
	audit_get_status(&s);
	ck_assert_str_eq(s.alarm, "file_removed");
	b = slurp(p, &n);
	ck_assert_ptr_nonnull(strstr(b, "file_removed"));
	free(b);
	audit_close();
	/* every seq written is unique and increasing */
	uint64_t last = 0;
	for (size_t i = 0; i < cap.n_json; i++) {
		ck_assert_int_eq(audit_record_parse(cap.json[i], strlen(cap.json[i]) - 1, r), 0);
		ck_assert_uint_gt(r->seq, last);
		last = r->seq;
	}
	ck_assert_int_gt(verify(dir, NULL, v), 0);
	free(r);
	free(v);
	rm_rf(dir);
}
END_TEST

/* The head file is untrusted bytes: only the one shape parses. */
static const char *const bad_heads[] = {
	"",
	"linegate-audit-head-v1 seq=1",
	"linegate-audit-head-v2 seq=1 hash=" "00000000000000000000000000000000"
	"00000000000000000000000000000000 ts=1 sig=" "0000000000000000000000000000000000000000000000000000000000000000"
	"0000000000000000000000000000000000000000000000000000000000000000\n",
	"linegate-audit-head-v1 seq=01 hash=" "00000000000000000000000000000000"
	"00000000000000000000000000000000 ts=1 sig=" "0000000000000000000000000000000000000000000000000000000000000000"
	"0000000000000000000000000000000000000000000000000000000000000000\n",
	"linegate-audit-head-v1 seq=1 hash=" "00000000000000000000000000000000"
	"00000000000000000000000000000000 ts=1 sig=" "0000000000000000000000000000000000000000000000000000000000000000"
	"0000000000000000000000000000000000000000000000000000000000000000\nextra",
	"linegate-audit-head-v1 seq=99999999999999999999 hash=" "00000000000000000000000000000000"
	"00000000000000000000000000000000 ts=1 sig=" "0000000000000000000000000000000000000000000000000000000000000000"
	"0000000000000000000000000000000000000000000000000000000000000000\n",
	"linegate-audit-head-v1 seq=1 hash=" "0000000000000000000000000000000g"
	"00000000000000000000000000000000 ts=1 sig=" "0000000000000000000000000000000000000000000000000000000000000000"
	"0000000000000000000000000000000000000000000000000000000000000000\n",
};

START_TEST(head_parse_strict)
{
	struct audit_head h = { .seq = 7, .ts_ms = 1234 }, back;
	char text[AUDIT_HEAD_TEXT_MAX];
	int k = audit_head_format(&h, text, sizeof(text));
	ck_assert_int_eq(audit_head_parse(text, (size_t)k, &back), 0);
	ck_assert_int_eq(back.seq, 7);
	ck_assert_int_eq(back.ts_ms, 1234);
	for (size_t i = 0; i < sizeof(bad_heads) / sizeof(bad_heads[0]); i++)
		ck_assert_msg(audit_head_parse(bad_heads[i], strlen(bad_heads[i]), &back) == -EINVAL,
			      "bad head %zu parsed", i);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("audit_head");
	TCase *tc = tcase_create("head");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, end_tampering_detected, 0, sizeof(end_cases) / sizeof(end_cases[0]));
	tcase_add_loop_test(tc, start_compares_head, 0, sizeof(start_cases) / sizeof(start_cases[0]));
	tcase_add_test(tc, unsigned_tail_counted);
	tcase_add_test(tc, checkpoint_on_demand);
	tcase_add_test(tc, head_parse_strict);
	tcase_add_test(tc, live_file_replaced_or_removed);
	tcase_add_test(tc, exported_head_catches_resigned_cut);
	suite_add_tcase(s, tc);
	return lg_check_run(s);
}

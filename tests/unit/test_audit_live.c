/* audit: the live file's liveness check with its inotify shortcut. Each way
 * of taking the live file away from its path (unlink, a rename over it, a
 * hard link kept elsewhere and the path unlinked, a rename away, a link
 * and a new file at the path) is noticed before the next record, again
 * after the daemon reopened, and with no watch at all (the fallback: a
 * stat before every record); a quiet directory or an unrelated name in it
 * raises nothing; the watch says "look" once after arming, then only
 * after an event. */
#include "test_audit.h"
#include "check_main.h"

enum op { REMOVE, RENAME_OVER, LINK_UNLINK, RENAME_AWAY, LINK_UNLINK_NEW, NOTHING, OTHER_NAME };

static const struct {
	const char *name;
	enum op op;
	const char *alarm;      /* "" none */
} ops[] = {
	{ "unlink", REMOVE, "file_removed" },
	{ "rename over (sed -i)", RENAME_OVER, "file_replaced" },
	{ "hard link elsewhere, unlink", LINK_UNLINK, "file_removed" },
	{ "rename away", RENAME_AWAY, "file_removed" },
	{ "hard link elsewhere, unlink, new file", LINK_UNLINK_NEW, "file_replaced" },
	{ "nothing", NOTHING, "" },
	{ "an unrelated name created and removed", OTHER_NAME, "" },
};

static void tamper(const char *dir, const char *p, enum op op)
{
	static int n;
	char q[160];
	snprintf(q, sizeof(q), "%s/elsewhere-%d", dir, n++);
	switch (op) {
	case REMOVE:
		ck_assert_int_eq(unlink(p), 0);
		break;
	case RENAME_OVER:
		spit(q, "x\n", 2);
		ck_assert_int_eq(rename(q, p), 0);
		break;
	case LINK_UNLINK:
	case LINK_UNLINK_NEW:
		ck_assert_int_eq(link(p, q), 0);
		ck_assert_int_eq(unlink(p), 0);
		if (op == LINK_UNLINK_NEW)
			spit(p, "", 0);
		break;
	case RENAME_AWAY:
		ck_assert_int_eq(rename(p, q), 0);
		break;
	case OTHER_NAME:
		spit(q, "x\n", 2);
		ck_assert_int_eq(unlink(q), 0);
		break;
	case NOTHING:
		break;
	}
}

/* Through audit_emit: the alarm and the gap record come before the record
 * that follows the change, twice in a row (the watch is armed anew on the
 * reopened file). */
START_TEST(noticed_before_next_record)
{
	char dir[64], p[128];
	struct conf_audit cfg;
	struct audit_status s;
	setenv("TZ", "UTC", 1);
	tzset();
	make_tmpdir(dir, sizeof(dir));
	test_cfg(&cfg, dir);
	cap_reset();
	test_now_ms = (uint64_t)ms_of("2026-11-28T12:00:00Z");
	ck_assert_int_eq(audit_open(&cfg, "gw-a"), 0);
	path_of(p, sizeof(p), dir, "audit-2026-11-28.jsonl");
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < 3; i++)
			audit_emit(AUDIT_CHILD_SA_UP, AUDIT_SUCCESS, "gw-b.example", "b", "n", "1", NULL);
		tamper(dir, p, ops[_i].op);
		size_t before = cap.n_json;
		audit_emit(AUDIT_CHILD_SA_UP, AUDIT_SUCCESS, "gw-b.example", "b", "n", "2", NULL);
		audit_get_status(&s);
		ck_assert_msg(strcmp(s.alarm, ops[_i].alarm) == 0, "%s round %d: alarm '%s'",
			      ops[_i].name, round, s.alarm);
		if (*ops[_i].alarm) {
			ck_assert_int_eq(cap.n_json, before + 2);
			ck_assert_int_eq(cap.ev[before], AUDIT_AUDIT_GAP);
			size_t n;
			char *b = slurp(p, &n);   /* the gap and the record at the path */
			ck_assert_ptr_nonnull(strstr(b, ops[_i].alarm));
			ck_assert_ptr_nonnull(strstr(b, "\"n\":\"2\""));
			free(b);
		} else {
			ck_assert_int_eq(cap.n_json, before + 1);
		}
	}
	audit_close();
	rm_rf(dir);
}
END_TEST

/* journal_check_live itself, with the watch and without (every check a
 * full one): the same verdicts. */
START_TEST(check_live_with_and_without_watch)
{
	static const struct { enum op op; int rc; } want[] = {
		{ REMOVE, -ENOENT }, { RENAME_OVER, -ESTALE }, { LINK_UNLINK, -ENOENT },
		{ RENAME_AWAY, -ENOENT }, { LINK_UNLINK_NEW, -ESTALE }, { NOTHING, 0 }, { OTHER_NAME, 0 },
	};
	for (int watched = 0; watched < 2; watched++) {
		for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
			char dir[64], p[128];
			struct journal j;
			struct journal_resume res;
			uint64_t a, b;
			make_tmpdir(dir, sizeof(dir));
			journal_init(&j);
			ck_assert_int_eq(journal_open(&j, dir, &res), 0);
			ck_assert_int_eq(journal_append(&j, "{}\n", 3, 20000, false), 0);
			if (watched)
				ck_assert_int_ge(j.watch.fd, 0);   /* inotify works here */
			else
				journal_watch_close(&j.watch);
			ck_assert_int_eq(journal_check_live(&j, &a, &b), 0);
			ck_assert_int_eq(journal_check_live(&j, &a, &b), 0);
			path_of(p, sizeof(p), dir, j.name);
			tamper(dir, p, want[i].op);
			ck_assert_msg(journal_check_live(&j, &a, &b) == want[i].rc, "op %d watched %d",
				      (int)want[i].op, watched);
			journal_close(&j);
			rm_rf(dir);
		}
	}
}
END_TEST

START_TEST(watch_says_look_after_arming_and_events)
{
	char dir[64], p[128];
	struct journal_watch w = { .fd = -1 };
	make_tmpdir(dir, sizeof(dir));
	ck_assert(!journal_watch_quiet(&w));        /* no watch: always look */
	int dfd = open(dir, O_RDONLY | O_DIRECTORY);
	path_of(p, sizeof(p), dir, "f");
	int fd = open(p, O_WRONLY | O_CREAT, 0600);
	ck_assert_int_ge(dfd, 0);
	ck_assert_int_ge(fd, 0);
	journal_watch_arm(&w, dfd, fd);
	ck_assert_int_ge(w.fd, 0);
	ck_assert(!journal_watch_quiet(&w));        /* fresh: look once */
	ck_assert(journal_watch_quiet(&w));
	ck_assert_int_eq(write(fd, "x", 1), 1);     /* our own appends are no event */
	ck_assert_int_eq(fdatasync(fd), 0);
	ck_assert(journal_watch_quiet(&w));
	ck_assert_int_eq(fchmod(fd, 0640), 0);      /* IN_ATTRIB */
	ck_assert(!journal_watch_quiet(&w));
	ck_assert(journal_watch_quiet(&w));
	/* more events than one read takes: all drained by one look */
	for (int i = 0; i < 200; i++) {
		char q[160];
		snprintf(q, sizeof(q), "%s/a-rather-long-name-to-fill-the-buffer-%03d", dir, i);
		spit(q, "", 0);
		ck_assert_int_eq(unlink(q), 0);
	}
	ck_assert(!journal_watch_quiet(&w));
	ck_assert(journal_watch_quiet(&w));
	journal_watch_close(&w);
	ck_assert(!journal_watch_quiet(&w));
	close(fd);
	close(dfd);
	rm_rf(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("audit_live");
	TCase *tc = tcase_create("core");
	tcase_add_loop_test(tc, noticed_before_next_record, 0, sizeof(ops) / sizeof(ops[0]));
	tcase_add_test(tc, check_live_with_and_without_watch);
	tcase_add_test(tc, watch_says_look_after_arming_and_events);
	suite_add_tcase(s, tc);
	return lg_check_run(s);
}

/* audit: the journal on a 64 KiB tmpfs (private mount namespace) fills up.
 * Expect: an alarm at LOG_ALERT, every later syslog line flagged
 * journal=failed with the count, no torn record on disk, retries that do
 * not add to the loss; when space returns, one audit_gap record with the
 * exact count, and a journal that verifies. */
#include <sched.h>
#include <sys/mount.h>
#include "test_audit.h"
#include "check_main.h"

static bool private_tmpfs(const char *dir)
{
	if (unshare(CLONE_NEWNS) != 0) {
		fprintf(stderr, "SKIP disk_full: unshare(CLONE_NEWNS): %s (needs root)\n", strerror(errno));
		return false;
	}
	ck_assert_int_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
	ck_assert_int_eq(mount("lg-audit-test", dir, "tmpfs", 0, "size=64k,mode=0700"), 0);
	return true;
}

static int fill(const char *path)
{
	static char block[4096];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	memset(block, 'F', sizeof(block));
	int err = 0;
	for (int i = 0; i < 1000 && !err; i++) {
		if (write(fd, block, sizeof(block)) < 0)
			err = errno;
	}
	/* and the last partial page */
	while (!err && write(fd, block, 1) == 1)
		;
	close(fd);
	return err ? err : ENOSPC;
}

START_TEST(disk_full_alarm_gap_recovery)
{
	char mnt[64], dir[96], filler[96];
	struct conf_audit cfg;
	struct audit_status s;
	struct audit_verifier *v = malloc(sizeof(*v));
	struct audit_record *r = malloc(sizeof(*r));
	make_tmpdir(mnt, sizeof(mnt));
	if (!private_tmpfs(mnt)) {
		rmdir(mnt);
		free(v);
		free(r);
		return;
	}
	snprintf(dir, sizeof(dir), "%s/audit", mnt);
	snprintf(filler, sizeof(filler), "%s/filler", mnt);
	test_cfg(&cfg, dir);
	cap_reset();
	test_now_ms = (uint64_t)ms_of("2026-11-28T10:00:00Z");
	ck_assert_int_eq(audit_open(&cfg, "gw-a"), 0);
	audit_emit(AUDIT_DAEMON_START, AUDIT_SUCCESS, "linegated", "gw-a", NULL);
	ck_assert_int_eq(fill(filler), ENOSPC);

	/* records until the page slack is used up and a write fails */
	int i;
	for (i = 0; i < 500; i++) {
		audit_emit(AUDIT_FLOW_RECORD, AUDIT_SUCCESS, "gw-b.example", "child:c1a2b3c4",
			   "pkts_in", "123456", "bytes_in", "987654321", "pkts_out", "1", NULL);
		audit_get_status(&s);
		if (!s.journal_ok)
			break;
	}
	ck_assert_msg(!s.journal_ok, "journal never failed");
	ck_assert_int_eq(s.unwritten, 1);
	int alarm = cap_find_sys("event=audit_fault");
	ck_assert_int_ge(alarm, 0);
	ck_assert_int_eq(cap.prio[alarm] & 7, LOG_ALERT);
	ck_assert_ptr_nonnull(strstr(cap.sys[alarm], "error=ENOSPC"));
	/* the failing record itself still went to syslog, flagged */
	ck_assert_ptr_nonnull(strstr(cap.sys[cap.n_sys - 1], "journal=failed unwritten=1"));

	for (int k = 0; k < 3; k++)
		audit_emit(AUDIT_AUTH_FAILURE, AUDIT_FAILURE, "evil.example", "peer-b", "method", "psk", NULL);
	ck_assert_ptr_nonnull(strstr(cap.sys[cap.n_sys - 1], "journal=failed unwritten=4"));
	/* retries while still full: nothing lost in addition, re-alarm later */
	size_t before = cap.n_sys;
	test_now_ms += 1000;
	audit_tick(test_now_ms);
	test_now_ms += 61000;
	audit_tick(test_now_ms);
	audit_get_status(&s);
	ck_assert(!s.journal_ok);
	ck_assert_int_eq(s.unwritten, 4);
	ck_assert_int_ge(cap_find_sys("state=still_failing"), (int)before);

	/* space returns */
	ck_assert_int_eq(unlink(filler), 0);
	test_now_ms += 1000;
	cap.n_json = 0;
	audit_tick(test_now_ms);
	audit_get_status(&s);
	ck_assert(s.journal_ok);
	ck_assert_int_eq(s.unwritten, 0);
	ck_assert_int_ge(cap.n_json, 1);
	ck_assert_int_eq(cap.ev[0], AUDIT_AUDIT_GAP);
	ck_assert_int_eq(audit_record_parse(cap.json[0], strlen(cap.json[0]) - 1, r), 0);
	ck_assert_str_eq(audit_record_detail(r, "reason"), "write_fault");
	ck_assert_str_eq(audit_record_detail(r, "lost"), "4");
	ck_assert_str_eq(audit_record_detail(r, "error"), "ENOSPC");
	ck_assert_int_ge(cap_find_sys("event=audit_gap"), 0);

	audit_emit(AUDIT_DAEMON_STOP, AUDIT_SUCCESS, "linegated", "gw-a", NULL);
	audit_close();
	audit_verify_init(v);
	ck_assert_int_eq(audit_verify_dir(v, dir, INT64_MIN, INT64_MAX), 0);
	ck_assert_msg(audit_verify_finish(v) == 0, "%s", v->first.msg);
	ck_assert_int_eq(v->gaps, 1);
	/* key, open, start, the flows that fit, gap, checkpoint (tick), stop, checkpoint (close) */
	ck_assert_int_eq(v->records, 3 + (uint64_t)i + 4);
	umount(mnt);
	rmdir(mnt);
	free(v);
	free(r);
}
END_TEST

/* Shut down while the disk is still full: the loss must at least reach
 * syslog at LOG_ALERT, and the journal left behind must still verify. */
START_TEST(close_while_full)
{
	char mnt[64], dir[96], filler[96];
	struct conf_audit cfg;
	struct audit_status s;
	struct audit_verifier *v = malloc(sizeof(*v));
	make_tmpdir(mnt, sizeof(mnt));
	if (!private_tmpfs(mnt)) {
		rmdir(mnt);
		free(v);
		return;
	}
	snprintf(dir, sizeof(dir), "%s/audit", mnt);
	snprintf(filler, sizeof(filler), "%s/filler", mnt);
	test_cfg(&cfg, dir);
	cap_reset();
	test_now_ms = (uint64_t)ms_of("2026-11-28T10:00:00Z");
	ck_assert_int_eq(audit_open(&cfg, "gw-a"), 0);
	ck_assert_int_eq(fill(filler), ENOSPC);
	for (int i = 0; i < 500; i++) {
		audit_emit(AUDIT_ADMIN_ACTION, AUDIT_SUCCESS, "uid=0", "status", "args", "", NULL);
		audit_get_status(&s);
		if (!s.journal_ok)
			break;
	}
	ck_assert(!s.journal_ok);
	audit_emit(AUDIT_DAEMON_STOP, AUDIT_SUCCESS, "linegated", "gw-a", NULL);
	audit_close();
	int a = cap_find_sys("state=closed_with_loss");
	ck_assert_int_ge(a, 0);
	ck_assert_int_eq(cap.prio[a] & 7, LOG_ALERT);
	ck_assert_ptr_nonnull(strstr(cap.sys[a], "unwritten=2"));
	audit_verify_init(v);
	ck_assert_int_eq(audit_verify_dir(v, dir, INT64_MIN, INT64_MAX), 0);
	ck_assert_msg(audit_verify_finish(v) == 0, "%s", v->first.msg);
	umount(mnt);
	rmdir(mnt);
	free(v);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("audit_fault");
	TCase *tc = tcase_create("fault");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, disk_full_alarm_gap_recovery);
	tcase_add_test(tc, close_while_full);
	suite_add_tcase(s, tc);
	return lg_check_run(s);
}

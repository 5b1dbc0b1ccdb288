/* audit: crash consistency (issue 11). A writer process emits records as fast
 * as it can (info records, notice records, checkpoints) and is killed with
 * SIGKILL, 20 times; every other time half a record is left at the end as a
 * power cut would. After every kill the next start resumes the chain, a torn
 * tail becomes an audit_gap, the signed head never runs ahead of the trail,
 * and verify finds no fault: nothing is reported as tampering that was not.
 * Prints the figure for docs/robustness.md. */
#include <signal.h>
#include <sys/wait.h>
#include "linegate/log.h"
#include "test_audit.h"
#include "check_main.h"

enum { KILLS = 20 };

static void writer(const char *dir)
{
	struct conf_audit cfg;
	test_cfg(&cfg, dir);
	cfg.checkpoint_interval_s = 1;
	audit_set_clock(NULL);   /* the real clock: checkpoints every second */
	if (audit_open(&cfg, "gw-a"))
		_exit(2);
	for (unsigned i = 0;; i++) {
		audit_emit(i % 8 ? AUDIT_FLOW_RECORD : AUDIT_AUTH_FAILURE, AUDIT_SUCCESS, "gw-b.example",
			   "peer-b", "spi_in", "c1a2b3c4", "packets_in", "12345", NULL);
		if (i % 64 == 0)
			audit_tick(lg_wall_ms());
	}
}

static off_t dir_bytes(const char *dir)
{
	char (*names)[AUDIT_NAME_MAX] = NULL, p[256];
	size_t n = 0;
	off_t total = 0;
	struct stat st;
	if (audit_list_files(dir, &names, &n))
		return 0;
	for (size_t i = 0; i < n; i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		if (stat(p, &st) == 0)
			total += st.st_size;
	}
	free(names);
	return total;
}

START_TEST(kill9_repeatedly)
{
	char dir[64];
	struct audit_verifier *v = malloc(sizeof(*v));
	uint64_t torn = 0, t0 = lg_wall_ms();
	make_tmpdir(dir, sizeof(dir));
	for (int k = 0; k < KILLS; k++) {
		off_t before = dir_bytes(dir);
		pid_t pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0)
			writer(dir);
		/* until it has written 64 KiB more and lived past a checkpoint
		 * (1 s), so kills land anywhere, also around a checkpoint and its
		 * head (bounded: 60 s) */
		uint64_t born = lg_wall_ms();
		for (int w = 0; w < 6000 && (dir_bytes(dir) < before + 65536 ||
					     lg_wall_ms() - born < 1300 + (uint64_t)k * 30); w++)
			usleep(10000);
		kill(pid, SIGKILL);
		int status;
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		ck_assert(WIFSIGNALED(status));
		if (k % 2) {   /* a power cut's torn line on top */
			char (*names)[AUDIT_NAME_MAX] = NULL, p[256];
			size_t n = 0;
			ck_assert_int_eq(audit_list_files(dir, &names, &n), 0);
			snprintf(p, sizeof(p), "%s/%s", dir, names[n - 1]);
			FILE *f = fopen(p, "ab");
			fputs("{\"seq\":999999,\"ts\":\"2026-", f);
			fclose(f);
			free(names);
		}
		/* before the restart: chained, at most a torn end, never tampering.
		 * SIGKILL itself can tear the last record: the kernel stops a
		 * write(2) between pages when a fatal signal is pending, so an
		 * even kill may leave one torn tail too; each is counted. */
		audit_verify_init(v);
		ck_assert_int_eq(audit_verify_dir(v, dir, INT64_MIN, INT64_MAX), 0);
		audit_verify_finish(v);
		ck_assert_msg(v->faults == 1 || (v->faults == 0 && k % 2 == 0),
			      "kill %d: %llu faults, first %s: %s", k, (unsigned long long)v->faults,
			      audit_fault_kind_name(v->first.kind), v->first.msg);
		if (v->faults) {
			ck_assert_int_eq(v->first.kind, AUDIT_FAULT_TRUNCATED);
			torn++;
		}
	}
	/* the last restart cuts the last torn tail; a clean stop */
	struct conf_audit cfg;
	test_cfg(&cfg, dir);
	audit_set_clock(NULL);
	ck_assert_int_eq(audit_open(&cfg, "gw-a"), 0);
	struct audit_status s;
	audit_get_status(&s);
	ck_assert_str_eq(s.alarm, "");
	audit_close();
	audit_verify_init(v);
	ck_assert_int_eq(audit_verify_dir(v, dir, INT64_MIN, INT64_MAX), 0);
	ck_assert_msg(audit_verify_finish(v) == 0, "%s", v->first.msg);
	ck_assert_int_eq(v->gaps, torn);   /* each torn tail is one recorded gap */
	printf("figure: %d kill -9 during writing, %llu records, %llu checkpoints, %llu torn tails "
	       "recovered as gaps, 0 faults, %.1f s\n", KILLS, (unsigned long long)v->records,
	       (unsigned long long)v->checkpoints, (unsigned long long)torn,
	       (double)(lg_wall_ms() - t0) / 1000.0);
	rm_rf(dir);
	free(v);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("audit_crash");
	TCase *tc = tcase_create("crash");
	tcase_set_timeout(tc, 280);
	tcase_add_test(tc, kill9_repeatedly);
	suite_add_tcase(s, tc);
	return lg_check_run(s);
}

/* audit: the syslog path through the real syslog(3). In a private mount
 * namespace /dev/log is our own datagram socket; the datagrams must carry
 * the facility and severity of the event and one intact key=value line.
 *
 * Also a helper for tests/net/audit_rsyslog.sh:
 *   test_audit_syslog --emit DIR     every event once (facility local4)
 *   test_audit_syslog --cli ARGS...  audit_cli_main (linegatectl audit ...) */
#include <sched.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "linegate/log.h"
#include "test_audit.h"
#include "check_main.h"

static const char hostile_subject[] = "evil\nevent=forged outcome=success \"x\" \xe5\xbc\xa0\xe4\xbc\x9f";

/* The full catalogue with plausible details; the hostile value rides on
 * auth_failure, as a peer identity would. */
static int emit_all(const char *dir)
{
	struct conf_audit cfg;
	test_cfg(&cfg, dir);
	openlog("linegate-audit-test", LOG_PID | LOG_NDELAY, LOG_LOCAL4);
	int rc = audit_open(&cfg, "gw-test");
	if (rc) {
		fprintf(stderr, "audit_open: %s\n", strerror(-rc));
		return 1;
	}
	for (int ev = 0; ev < AUDIT_EVENT_COUNT; ev++) {
		if (ev == AUDIT_AUDIT_CHECKPOINT || ev == AUDIT_AUDIT_OPEN ||
		    ev == AUDIT_AUDIT_KEY_CREATED)
			continue;   /* written by audit/ itself, below and at open */
		enum audit_outcome o = audit_event_severity(ev, AUDIT_SUCCESS) <= LOG_WARNING ?
				       AUDIT_FAILURE : AUDIT_SUCCESS;
		const char *subject = ev == AUDIT_AUTH_FAILURE ? hostile_subject : "gw-b.example";
		audit_emit(ev, o, subject, "peer-b", "detail", "value with spaces",
			   "officer", "\xe5\xbc\xa0\xe4\xbc\x9f", "n", "42", NULL);
	}
	audit_tick(lg_wall_ms() + 61000);   /* a signed checkpoint */
	audit_close();
	closelog();
	return 0;
}

START_TEST(syslog_datagrams)
{
	char buf[4096];
	if (unshare(CLONE_NEWNS) != 0) {
		fprintf(stderr, "SKIP syslog_datagrams: unshare: %s (needs root)\n", strerror(errno));
		return;
	}
	ck_assert_int_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
	ck_assert_int_eq(mount("lg-audit-dev", "/dev", "tmpfs", 0, "size=64k,mode=0755"), 0);
	int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sun = { .sun_family = AF_UNIX, .sun_path = "/dev/log" };
	ck_assert_int_eq(bind(s, (struct sockaddr *)&sun, sizeof(sun)), 0);
	struct timeval tv = { 0, 500000 };
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));

	char dir[64];
	struct conf_audit cfg;
	make_tmpdir(dir, sizeof(dir));
	test_cfg(&cfg, dir);
	audit_set_clock(NULL);
	openlog("lg-audit-unit", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	ck_assert_int_eq(audit_open(&cfg, "gw-a"), 0);
	audit_emit(AUDIT_AUTH_FAILURE, AUDIT_FAILURE, hostile_subject, "peer-b", "method", "psk", NULL);
	audit_close();
	closelog();

	bool seen_open = false, seen_fail = false;
	for (int i = 0; i < 10; i++) {
		ssize_t n = recv(s, buf, sizeof(buf) - 1, 0);
		if (n <= 0)
			break;
		buf[n] = '\0';
		ck_assert_ptr_null(strchr(buf, '\n'));   /* one record, one line */
		if (strstr(buf, "event=audit_open")) {
			/* <local4.notice>, and the key pinned on syslog at every start */
			ck_assert_msg(strncmp(buf, "<165>", 5) == 0, "%s", buf);
			ck_assert_ptr_nonnull(strstr(buf, " pubkey="));
			seen_open = true;
		}
		if (strstr(buf, "event=auth_failure")) {
			ck_assert_msg(strncmp(buf, "<164>", 5) == 0, "%s", buf);   /* local4.warning */
			ck_assert_ptr_nonnull(strstr(buf, "lg-audit-unit["));
			ck_assert_ptr_nonnull(strstr(buf, " subject=\"evil\\x0aevent=forged outcome=success \\\"x\\\" "
							  "\xe5\xbc\xa0\xe4\xbc\x9f\" "));
			ck_assert_ptr_nonnull(strstr(buf, " outcome=failure "));
			seen_fail = true;
		}
	}
	ck_assert(seen_open && seen_fail);
	close(s);
	rm_rf(dir);
}
END_TEST

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--emit") == 0)
		return emit_all(argv[2]);
	if (argc >= 2 && strcmp(argv[1], "--cli") == 0) {
		argv[1] = "audit";
		return audit_cli_main(argc - 1, argv + 1);
	}
	Suite *s = suite_create("audit_syslog");
	TCase *tc = tcase_create("syslog");
	tcase_add_test(tc, syslog_datagrams);
	suite_add_tcase(s, tc);
	return lg_check_run(s);
}

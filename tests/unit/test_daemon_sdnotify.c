/* sd_notify by hand (src/daemon/sdnotify.c) against real unix datagram
 * sockets, path and abstract namespace, plus the watchdog environment and the
 * JSON escaping of control answers. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "daemon.h"
#include "sdnotify.h"
#include "linegate/log.h"
#include "check_main.h"

static int bind_dgram(const char *name, bool abstract)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	socklen_t len;
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	ck_assert_int_ge(fd, 0);
	if (abstract) {
		memcpy(sun.sun_path + 1, name, strlen(name));
		len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
	} else {
		strcpy(sun.sun_path, name);
		len = sizeof(sun);
	}
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, len), 0);
	struct timeval tv = { 2, 0 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

static void expect_datagram(int fd, const char *want)
{
	char buf[512];
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_str_eq(buf, want);
}

START_TEST(notify_path_socket)
{
	char dir[] = "/tmp/lg-sdn-XXXXXX", path[128];
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/notify", dir);
	int fd = bind_dgram(path, false);
	ck_assert_int_eq(sdnotify_send_to(path, "READY=1"), 0);
	expect_datagram(fd, "READY=1");
	setenv("NOTIFY_SOCKET", path, 1);
	ck_assert_int_eq(sdnotify_send("STOPPING=1"), 0);
	expect_datagram(fd, "STOPPING=1");
	unsetenv("NOTIFY_SOCKET");
	close(fd);
	unlink(path);
	rmdir(dir);
}
END_TEST

START_TEST(notify_abstract_socket)
{
	char name[64], at[72];
	snprintf(name, sizeof(name), "lg-sdnotify-test-%d", (int)getpid());
	snprintf(at, sizeof(at), "@%s", name);
	int fd = bind_dgram(name, true);
	setenv("NOTIFY_SOCKET", at, 1);
	ck_assert_int_eq(sdnotify_send("WATCHDOG=1"), 0);
	expect_datagram(fd, "WATCHDOG=1");
	unsetenv("NOTIFY_SOCKET");
	close(fd);
}
END_TEST

START_TEST(notify_unset_and_bad)
{
	unsetenv("NOTIFY_SOCKET");
	ck_assert_int_eq(sdnotify_send("READY=1"), 0);        /* not under systemd: no-op */
	ck_assert_int_eq(sdnotify_send_to("relative/path", "READY=1"), -EINVAL);
	ck_assert_int_eq(sdnotify_send_to("@", "READY=1"), -EINVAL);
	ck_assert_int_eq(sdnotify_send_to("/nonexistent/notify", "READY=1"), -ENOENT);
	char longp[200];
	memset(longp, 'a', sizeof(longp) - 1);
	longp[0] = '/';
	longp[sizeof(longp) - 1] = '\0';
	ck_assert_int_eq(sdnotify_send_to(longp, "READY=1"), -EINVAL);
}
END_TEST

START_TEST(notify_formats)
{
	char buf[128];
	ck_assert_int_gt(sdnotify_format_reloading(buf, sizeof(buf), 123456789), 0);
	ck_assert_str_eq(buf, "RELOADING=1\nMONOTONIC_USEC=123456789");
	ck_assert_int_eq(sdnotify_format_reloading(buf, 10, 1), -ENOSPC);
	ck_assert_int_gt(sdnotify_format_status(buf, sizeof(buf), "2/3 peers\nup"), 0);
	ck_assert_str_eq(buf, "STATUS=2/3 peers up");
	uint64_t a = sdnotify_monotonic_usec(), b = sdnotify_monotonic_usec();
	ck_assert(a > 0 && b >= a);
}
END_TEST

START_TEST(watchdog_env)
{
	char pid[16];
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	ck_assert_uint_eq(sdnotify_watchdog_usec(), 0);
	setenv("WATCHDOG_USEC", "30000000", 1);
	ck_assert_uint_eq(sdnotify_watchdog_usec(), 30000000);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	setenv("WATCHDOG_PID", pid, 1);
	ck_assert_uint_eq(sdnotify_watchdog_usec(), 30000000);
	setenv("WATCHDOG_PID", "1", 1);                     /* meant for another process */
	ck_assert_uint_eq(sdnotify_watchdog_usec(), 0);
	unsetenv("WATCHDOG_PID");
	setenv("WATCHDOG_USEC", "30s", 1);
	ck_assert_uint_eq(sdnotify_watchdog_usec(), 0);
	unsetenv("WATCHDOG_USEC");
}
END_TEST

START_TEST(time_format)
{
	char t[40];
	ck_assert_str_eq(daemon_format_time(0, t), "never");
	char u[LG_TIME_MAX];
	/* one notation with the audit records: the local zone's offset, never Z */
	setenv("TZ", "UTC", 1);
	tzset();
	ck_assert_str_eq(daemon_format_time(1764369180123ULL, t), "2025-11-28T22:33:00.123+00:00");
	setenv("TZ", "Asia/Shanghai", 1);
	tzset();
	ck_assert_str_eq(daemon_format_time(1764369180123ULL, t), "2025-11-29T06:33:00.123+08:00");
	lg_time_format(1764369180123ULL, u, sizeof(u));
	ck_assert_str_eq(t, u);
	setenv("TZ", "America/St_Johns", 1);   /* a half-hour zone, west of UTC */
	tzset();
	ck_assert_str_eq(daemon_format_time(1764369180123ULL, t), "2025-11-28T19:03:00.123-03:30");
	unsetenv("TZ");
	tzset();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("daemon_sdnotify");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, notify_path_socket);
	tcase_add_test(tc, notify_abstract_socket);
	tcase_add_test(tc, notify_unset_and_bad);
	tcase_add_test(tc, notify_formats);
	tcase_add_test(tc, watchdog_env);
	tcase_add_test(tc, time_format);
	suite_add_tcase(s, tc);
	return lg_check_run(s);
}

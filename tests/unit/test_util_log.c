/* log-level: operational lines above the level are not written (debug off
 * by default), the rest are, on stderr here (no syslog opened). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "linegate/log.h"
#include "check_main.h"

/* What lg_log writes to stderr at each priority with the level set. */
static void capture(int level, char *out, size_t cap)
{
	FILE *tmp = tmpfile();
	int saved = dup(STDERR_FILENO);

	ck_assert_ptr_nonnull(tmp);
	fflush(stderr);
	dup2(fileno(tmp), STDERR_FILENO);
	lg_log_set_level(level);
	lg_log(LOG_DEBUG, "event=d");
	lg_log(LOG_INFO, "event=i");
	lg_log(LOG_WARNING, "event=w");
	lg_log(LOG_ERR, "event=e");
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(tmp);
	size_t n = fread(out, 1, cap - 1, tmp);
	out[n] = '\0';
	fclose(tmp);
}

START_TEST(levels)
{
	char buf[512];

	ck_assert(!lg_log_enabled(LOG_DEBUG));   /* the default: info */
	ck_assert(lg_log_enabled(LOG_INFO));
	capture(LOG_INFO, buf, sizeof(buf));
	ck_assert_ptr_null(strstr(buf, "event=d"));
	ck_assert_ptr_nonnull(strstr(buf, "event=i"));
	capture(LOG_DEBUG, buf, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(buf, "event=d"));
	capture(LOG_WARNING, buf, sizeof(buf));
	ck_assert_ptr_null(strstr(buf, "event=i"));
	ck_assert_ptr_nonnull(strstr(buf, "event=w"));
	capture(LOG_ERR, buf, sizeof(buf));
	ck_assert_ptr_null(strstr(buf, "event=w"));
	ck_assert_ptr_nonnull(strstr(buf, "event=e"));
	lg_log_set_level(LOG_INFO);
}
END_TEST

/* A syslog socket found is trusted for a second; a missing one is looked
 * for at every line, so one that appears is used at once. */
START_TEST(syslog_socket_probed)
{
	char dir[] = "/tmp/lg-log-test-XXXXXX", path[64];

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/log", dir);
	lg_log_set_syslog_path(path);
	ck_assert(!lg_syslog_reachable(5000));           /* missing */
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	ck_assert(lg_syslog_reachable(5001));            /* there at the next line */
	ck_assert_int_eq(unlink(path), 0);
	ck_assert(lg_syslog_reachable(6000));            /* trusted for a second */
	ck_assert(!lg_syslog_reachable(6001));           /* then looked at again: gone */
	ck_assert(!lg_syslog_reachable(6002));
	lg_log_set_syslog_path(NULL);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("util_log");
	TCase *t = tcase_create("log");

	tcase_add_test(t, levels);
	tcase_add_test(t, syslog_socket_probed);
	suite_add_tcase(s, t);
	return lg_check_run(s);
}

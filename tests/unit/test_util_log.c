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

int main(void)
{
	Suite *s = suite_create("util_log");
	TCase *t = tcase_create("log");

	tcase_add_test(t, levels);
	suite_add_tcase(s, t);
	return lg_check_run(s);
}

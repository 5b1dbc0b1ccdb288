/* audit: the catalogue in docs/audit-events.md and the records agree. The
 * checker (tools/check_audit_catalogue.py) reads every audit_emit() call in
 * src/ and fails on a detail key its event's row does not list; it must pass
 * on the tree, and fail on a copy whose catalogue lost a key. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include "test_audit.h"
#include "check_main.h"

static int run(const char *tree)
{
	char cmd[1024];
	const char *src = getenv("LG_SOURCE_DIR");
	snprintf(cmd, sizeof(cmd), "python3 '%s/tools/check_audit_catalogue.py' '%s'", src ? src : ".",
		 tree);
	int rc = system(cmd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

START_TEST(catalogue_matches_records)
{
	const char *src = getenv("LG_SOURCE_DIR");
	ck_assert_int_eq(run(src ? src : "."), 0);
}
END_TEST

START_TEST(checker_fails_on_a_missing_key)
{
	char dir[64], cmd[512];
	const char *src = getenv("LG_SOURCE_DIR");
	make_tmpdir(dir, sizeof(dir));
	snprintf(cmd, sizeof(cmd), "cp -r '%s/src' '%s/docs' '%s/' && sed -i 's/`spi_i`, `spi_r`, `remote`, `reason`/`reason`/' '%s/docs/audit-events.md'",
		 src ? src : ".", src ? src : ".", dir, dir);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(run(dir), 1);
	rm_rf(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("audit_catalogue");
	TCase *tc = tcase_create("catalogue");
	tcase_add_test(tc, catalogue_matches_records);
	tcase_add_test(tc, checker_fails_on_a_missing_key);
	suite_add_tcase(s, tc);
	return lg_check_run(s);
}

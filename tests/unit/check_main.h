/* The one main() body of every Check suite: run, report, exit status. */
#pragma once
#include <check.h>
#include <stdlib.h>

static inline int lg_check_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* Clock evidence (src/daemon/clock.c): the change rule by table (the
 * synchronised flag, the kernel's state code and whether it could be read
 * count; maxerror, esterror and offset drifting every second do not), and
 * over the real adjtimex(2) of this machine: one clock_sync record at start,
 * none for 100 polls of an unchanged clock, one after a (simulated) change. */
#include <check.h>
#include <errno.h>
#include <string.h>
#include <sys/timex.h>
#include "linegate/audit.h"
#include "daemon.h"
#include "check_main.h"

static const struct {
	int line;
	bool known;
	bool was_sync; int was_state; int was_err; long was_maxerr;
	bool now_sync; int now_state; int now_err; long now_maxerr;
	bool changed;
} cases[] = {
	{ __LINE__, false, false, 0, 0, 0, true, TIME_OK, 0, 10, true },        /* start: always */
	{ __LINE__, true, true, TIME_OK, 0, 10, true, TIME_OK, 0, 500, false },  /* maxerror drifts */
	{ __LINE__, true, true, TIME_OK, 0, 10, false, TIME_ERROR, 0, 16000000, true },  /* lost sync */
	{ __LINE__, true, false, TIME_ERROR, 0, 16000000, true, TIME_OK, 0, 20, true },  /* regained */
	{ __LINE__, true, true, TIME_OK, 0, 10, true, TIME_INS, 0, 10, true },  /* leap second due */
	{ __LINE__, true, true, TIME_OK, 0, 10, false, 0, -EPERM, 0, true },    /* cannot read any more */
	{ __LINE__, true, false, 0, -EPERM, 0, false, 0, -EPERM, 0, false },    /* still cannot */
	{ __LINE__, true, false, 0, -EPERM, 0, false, TIME_ERROR, 0, 0, true }, /* readable again */
};

START_TEST(change_rule)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct lg_clock_sync was = { .synchronised = cases[i].was_sync, .state = cases[i].was_state,
					     .maxerror_us = cases[i].was_maxerr };
		struct lg_clock_sync now = { .synchronised = cases[i].now_sync, .state = cases[i].now_state,
					     .maxerror_us = cases[i].now_maxerr };
		ck_assert_msg(daemon_clock_changed(cases[i].known, &was, cases[i].was_err, &now,
						   cases[i].now_err) == cases[i].changed,
			      "case at line %d", cases[i].line);
	}
}
END_TEST

static int records;
static char last[4096];

static void sink(void *ctx, enum audit_event ev, enum audit_outcome outcome, const char *json)
{
	(void)ctx, (void)outcome;
	if (ev != AUDIT_CLOCK_SYNC)
		return;
	records++;
	snprintf(last, sizeof(last), "%s", json);
}

START_TEST(one_record_per_change)
{
	struct daemon d;
	memset(&d, 0, sizeof(d));
	audit_set_test_sink(sink, NULL);
	daemon_clock_check(&d, "start");
	ck_assert_int_eq(records, 1);
	ck_assert_ptr_nonnull(strstr(last, "\"trigger\":\"start\""));
	ck_assert_ptr_nonnull(strstr(last, "\"synchronised\":\""));
	for (int i = 0; i < 100; i++)
		daemon_clock_check(&d, "change");
	ck_assert_int_eq(records, 1);   /* this machine's clock did not change state */
	/* what the trail last said was the opposite: the next poll records the truth */
	d.clock.synchronised = !d.clock.synchronised;
	d.clock_err = 0;
	daemon_clock_check(&d, "change");
	ck_assert_int_eq(records, 2);
	ck_assert_ptr_nonnull(strstr(last, "\"trigger\":\"change\""));
	daemon_clock_check(&d, "change");
	ck_assert_int_eq(records, 2);
	audit_set_test_sink(NULL, NULL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("daemon_clock");
	TCase *tc = tcase_create("clock");
	tcase_add_test(tc, change_rule);
	tcase_add_test(tc, one_record_per_change);
	suite_add_tcase(s, tc);
	return lg_check_run(s);
}

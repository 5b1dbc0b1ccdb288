/* util/clock_sync: the synchronised verdict from adjtimex fields, and a live
 * read that agrees with its own decode. */
#include <check.h>
#include <string.h>
#include <sys/timex.h>
#include "linegate/clock_sync.h"
#include "check_main.h"

static const struct {
	int state;
	unsigned status;
	long offset;
	bool synced;
	int64_t offset_ns;
} cases[] = {
	{ TIME_OK, STA_PLL, 250, true, 250000 },                     /* microseconds */
	{ TIME_OK, STA_PLL | STA_NANO, 250, true, 250 },             /* nanoseconds */
	{ TIME_ERROR, STA_UNSYNC, 0, false, 0 },                     /* boot, no NTP */
	{ TIME_ERROR, STA_PLL, 0, false, 0 },                        /* kernel says error */
	{ TIME_OK, STA_UNSYNC | STA_NANO, -7, false, -7 },           /* flag alone decides */
	{ TIME_INS, STA_PLL | STA_INS, 0, true, 0 },                 /* leap second pending */
	{ TIME_WAIT, STA_PLL | STA_NANO, 0, true, 0 },
};

START_TEST(decode_table)
{
	struct lg_clock_sync c;
	lg_clock_sync_decode(cases[_i].state, cases[_i].status, 16000, 5, cases[_i].offset, &c);
	ck_assert_msg(c.synchronised == cases[_i].synced, "case %d", _i);
	ck_assert_int_eq(c.offset_ns, cases[_i].offset_ns);
	ck_assert_int_eq(c.maxerror_us, 16000);
	ck_assert_int_eq(c.esterror_us, 5);
	ck_assert_str_eq(lg_clock_sync_word(&c), cases[_i].synced ? "synchronised" : "unsynchronised");
}
END_TEST

START_TEST(live_read)
{
	struct lg_clock_sync c;
	struct timex tx;
	memset(&tx, 0, sizeof(tx));
	ck_assert_int_eq(lg_clock_sync_read(&c), 0);
	int state = adjtimex(&tx);
	ck_assert_int_ge(state, 0);
	/* STA_UNSYNC can only change under an NTP daemon between the reads. */
	ck_assert_int_eq(c.synchronised, !(tx.status & STA_UNSYNC) && state != TIME_ERROR);
	ck_assert_str_ne(lg_clock_sync_state_name(c.state), "unknown");
}
END_TEST

START_TEST(state_names)
{
	ck_assert_str_eq(lg_clock_sync_state_name(TIME_OK), "ok");
	ck_assert_str_eq(lg_clock_sync_state_name(TIME_ERROR), "error");
	ck_assert_str_eq(lg_clock_sync_state_name(99), "unknown");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("util_clock_sync");
	TCase *tc = tcase_create("core");
	tcase_add_loop_test(tc, decode_table, 0, sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, live_read);
	tcase_add_test(tc, state_names);
	suite_add_tcase(s, tc);
	return lg_check_run(s);
}

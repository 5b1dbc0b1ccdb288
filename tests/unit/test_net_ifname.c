/* net: interface names by index, cached per thread (ifname.c): the same
 * answer as if_indextoname, none for an index that does not exist, and a
 * fresh look after the link monitor's invalidation. */
#include <check.h>
#include <net/if.h>
#include <string.h>
#include "dp_internal.h"
#include "check_main.h"

START_TEST(same_as_if_indextoname)
{
	char want[IF_NAMESIZE], got[IF_NAMESIZE];
	unsigned lo = if_nametoindex("lo");

	ck_assert_uint_ne(lo, 0);
	ck_assert_ptr_nonnull(if_indextoname(lo, want));
	for (int i = 0; i < 3; i++) {   /* the first asks the kernel, then the cache */
		memset(got, 'x', sizeof(got));
		ck_assert(dp_ifname(lo, got));
		ck_assert_str_eq(got, want);
	}
	dp_ifname_invalidate();
	ck_assert(dp_ifname(lo, got));
	ck_assert_str_eq(got, want);
}
END_TEST

START_TEST(no_such_interface)
{
	char got[IF_NAMESIZE] = "stale";

	ck_assert(!dp_ifname(0, got));
	ck_assert_str_eq(got, "");
	strcpy(got, "stale");
	ck_assert(!dp_ifname(0x7ffffff0u, got));
	ck_assert_str_eq(got, "");
}
END_TEST

/* More interfaces than slots: each is still answered rightly. */
START_TEST(more_indexes_than_slots)
{
	char want[IF_NAMESIZE], got[IF_NAMESIZE];
	unsigned lo = if_nametoindex("lo");

	ck_assert_ptr_nonnull(if_indextoname(lo, want));
	for (unsigned i = 0; i < 40; i++) {
		ck_assert(!dp_ifname(0x7fffff00u + i, got));
		ck_assert(dp_ifname(lo, got));
		ck_assert_str_eq(got, want);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("net_ifname");
	TCase *t = tcase_create("ifname");

	tcase_add_test(t, same_as_if_indextoname);
	tcase_add_test(t, no_such_interface);
	tcase_add_test(t, more_indexes_than_slots);
	suite_add_tcase(s, t);
	return lg_check_run(s);
}

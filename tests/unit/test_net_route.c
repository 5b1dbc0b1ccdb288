/* net: the route lookup the IKE layer uses to learn which interface the
 * kernel would send to a peer by (RTM_GETROUTE through libnl). Loopback
 * destinations only: answered from the local table of whatever namespace
 * the test runs in, no packet is sent. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "linegate/datapath.h"
#include "linegate/types.h"
#include "check_main.h"

static const struct {
	const char *dst;
	int rc;
	const char *ifname;
	const char *src;               /* the route's preferred source */
} cases[] = {
	{ "127.0.0.1", 0, "lo", "127.0.0.1" },
	{ "127.1.2.3", 0, "lo", "127.0.0.1" },      /* all of 127/8 is local */
	{ "[::1]", 0, "lo", "[::1]" },
};

START_TEST(egress_table)
{
	union lg_sockaddr a, src;
	char ifname[IF_NAMESIZE] = "";
	ck_assert_int_eq(lg_sockaddr_parse(cases[_i].dst, 500, &a), 0);
	int rc = datapath_route_egress(NULL, &a, ifname, &src);
	if (rc == -ENETUNREACH && a.sa.sa_family == AF_INET6)
		return;   /* IPv6 disabled on this host */
	ck_assert_int_eq(rc, cases[_i].rc);
	ck_assert_str_eq(ifname, cases[_i].ifname);
	union lg_sockaddr want;
	ck_assert_int_eq(lg_sockaddr_parse(cases[_i].src, 500, &want), 0);
	ck_assert_int_eq(src.sa.sa_family, a.sa.sa_family);
	ck_assert_mem_eq(lg_sockaddr_addr(&src), lg_sockaddr_addr(&want), lg_family_addr_len(a.sa.sa_family));
}
END_TEST

START_TEST(egress_bad_family)
{
	union lg_sockaddr a;
	char ifname[IF_NAMESIZE];
	memset(&a, 0, sizeof(a));
	ck_assert_int_eq(datapath_route_egress(NULL, &a, ifname, NULL), -EAFNOSUPPORT);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("net_route");
	TCase *tc = tcase_create("egress");
	tcase_add_loop_test(tc, egress_table, 0, sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, egress_bad_family);
	suite_add_tcase(s, tc);
	return lg_check_run(s);
}

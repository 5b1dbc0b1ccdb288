/* ike: the peer-by-endpoint index (an IKE_SA_INIT's source address ->
 * configured peer) against the naive reference, policy_peer_by_endpoint's
 * linear search: many IPv4 and IPv6 peers, some without an endpoint, two
 * sharing an address (the first in configuration order wins in both),
 * queried with configured and unconfigured addresses on any port, before
 * and after a reconfiguration. */
#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "linegate/conf.h"
#include "linegate/ike.h"
#include "ike_internal.h"
#include "check_main.h"

enum { PEERS = 3000, QUERIES = 20000 };

static void addr_of(uint32_t i, bool v6, uint16_t port, union lg_sockaddr *a)
{
	char s[64];

	if (v6)
		snprintf(s, sizeof(s), "[2001:db8::%x:%x]:%u", i >> 16, i & 0xffff, port);
	else
		snprintf(s, sizeof(s), "100.%u.%u.%u:%u", 64 + (i >> 16), (i >> 8) & 0xff, i & 0xff, port);
	ck_assert_int_eq(lg_sockaddr_parse(s, port, a), 0);
}

static void fill(struct config *c, uint32_t salt)
{
	memset(c, 0, sizeof(*c));
	for (uint32_t i = 0; i < PEERS; i++) {
		struct conf_peer *p = config_add_peer(c);
		ck_assert_ptr_nonnull(p);
		snprintf(p->name, sizeof(p->name), "p%u", i);
		if (i % 17 == 0)
			continue;             /* no endpoint (AF_UNSPEC) */
		/* every 101st peer shares the address of the one before it */
		uint32_t a = (i % 101 == 0 ? i - 1 : i) * 7 + salt;
		addr_of(a, i % 3 == 0, 500, &p->endpoint);
	}
}

static void compare(struct ike *ike, const struct config *c, uint32_t salt)
{
	srandom(salt + 1);
	for (int q = 0; q < QUERIES; q++) {
		union lg_sockaddr a;
		uint32_t i = (uint32_t)random() % (PEERS * 8);
		addr_of(i, random() % 3 == 0, random() % 2 ? 500 : 4500, &a);
		const struct conf_peer *want = policy_peer_by_endpoint(c, &a);
		const struct conf_peer *got = ike_peer_by_endpoint(ike, &a);
		ck_assert_msg(got == want, "query %d: index %s, linear %s", q,
			      got ? got->name : "-", want ? want->name : "-");
	}
	/* every configured endpoint is found, with its first peer */
	for (size_t i = 0; i < c->n_peers; i++) {
		const union lg_sockaddr *ep = &c->peers[i].endpoint;
		if (ep->sa.sa_family == AF_UNSPEC) {
			ck_assert_ptr_null(ike_peer_by_endpoint(ike, ep));
			continue;
		}
		ck_assert_ptr_eq(ike_peer_by_endpoint(ike, ep), policy_peer_by_endpoint(c, ep));
	}
}

START_TEST(endpoint_index_matches_linear_search)
{
	static struct config a, b;
	struct ike *ike;

	fill(&a, 0);
	ike = ike_new(&a, NULL, NULL, NULL, NULL, NULL);
	ck_assert_ptr_nonnull(ike);
	compare(ike, &a, 0);
	fill(&b, 5);   /* other addresses: the index follows the configuration */
	ck_assert_int_eq(ike_reconfigure(ike, &b, NULL, NULL, 1000), 0);
	compare(ike, &b, 5);
	ike_free(ike);
	conf_release(&a);
	conf_release(&b);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ike_endpoints");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, endpoint_index_matches_linear_search);
	suite_add_tcase(s, tc);
	return lg_check_run(s);
}

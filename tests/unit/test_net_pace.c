/* net: pacing toward a peer (tunnel pace-rate). A numbered table of sends
 * (time, bytes) with the wait each must get, checked against the rule "a
 * message waits until everything before it to that peer can have drained",
 * then the per-peer table: peers are apart, a colliding one takes over. */
#include <arpa/inet.h>
#include <check.h>
#include <string.h>
#include "pace.h"
#include "check_main.h"

static union lg_sockaddr v4(const char *ip, uint16_t port)
{
	union lg_sockaddr a;
	memset(&a, 0, sizeof(a));
	a.in4.sin_family = AF_INET;
	a.in4.sin_port = htons(port);
	inet_pton(AF_INET, ip, &a.in4.sin_addr);
	return a;
}

START_TEST(drain_arithmetic)
{
	/* 1000 bytes at 8 Mbit/s: 1 ms; 65,000 at 1,000 Mbit/s: 520 us */
	ck_assert_uint_eq(dp_pace_drain_ns(1000, 8), 1000000);
	ck_assert_uint_eq(dp_pace_drain_ns(65000, 1000), 520000);
	ck_assert_uint_eq(dp_pace_drain_ns(16 * 1436, 400), 459520);
	ck_assert_uint_eq(dp_pace_drain_ns(65000, 0), 0);          /* off */
	/* the largest message at the lowest rate accepted: 52 ms, no overflow */
	ck_assert_uint_eq(dp_pace_drain_ns(65000, 10), 52000000);
}
END_TEST

/* One peer at 100 Mbit/s (80 ns per byte): each row sends at `now`, the
 * previous rows' drain decides the wait. */
static const struct {
	uint64_t now;
	size_t bytes;
	uint64_t wait;     /* expected */
	uint64_t free_ns;  /* expected drained-at time after the row */
} rows[] = {
	/* 0 */ { 1000000, 20000, 0, 2600000 },          /* idle: goes now, drains 1.6 ms */
	/* 1 */ { 1000000, 20000, 1600000, 4200000 },    /* right behind: waits for #0 */
	/* 2 */ { 4160000, 1000, 0, 4280000 },           /* 40 us early: under the slack */
	/* 3 */ { 4200000, 1000, 80000, 4360000 },       /* 80 us early: waits */
	/* 4 */ { 9000000, 65000, 0, 14200000 },         /* idle again: no debt kept */
	/* 5 */ { 14200000, 100, 0, 14208000 },          /* exactly drained */
};

START_TEST(wait_table)
{
	struct dp_pace p;
	memset(&p, 0, sizeof(p));
	union lg_sockaddr a = v4("192.0.2.1", 4500);
	struct dp_pace_peer *e = dp_pace_find(&p, 0, &a);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint64_t w = dp_pace_send(e, rows[i].now, rows[i].bytes, 100);
		ck_assert_msg(w == rows[i].wait, "row %zu: wait %llu, expected %llu", i,
			      (unsigned long long)w, (unsigned long long)rows[i].wait);
		ck_assert_msg(e->free_ns == rows[i].free_ns, "row %zu: drained at %llu, expected %llu",
			      i, (unsigned long long)e->free_ns, (unsigned long long)rows[i].free_ns);
	}
}
END_TEST

/* A burst per loop turn, slept as the worker does (now moves by the wait):
 * the rate over a second of bursts is the configured one. */
START_TEST(rate_held)
{
	struct dp_pace p;
	memset(&p, 0, sizeof(p));
	union lg_sockaddr a = v4("192.0.2.1", 4500);
	uint64_t now = 5000000000ull, start = now, sent = 0;
	while (now - start < 1000000000ull) {
		struct dp_pace_peer *e = dp_pace_find(&p, 0, &a);
		now += dp_pace_send(e, now, 16 * 1436, 400);
		sent += 16 * 1436;
		now += 1000;   /* the send itself */
	}
	/* 400 Mbit/s = 50 MB/s, within one burst */
	ck_assert_uint_le(sent, 50000000 + 2 * 16 * 1436);
	ck_assert_uint_ge(sent, 50000000 - 2 * 16 * 1436);
}
END_TEST

START_TEST(peers_apart)
{
	struct dp_pace p;
	memset(&p, 0, sizeof(p));
	union lg_sockaddr a = v4("192.0.2.1", 4500), b = v4("192.0.2.2", 4500);
	struct dp_pace_peer *ea = dp_pace_find(&p, 0, &a);
	ck_assert_uint_eq(dp_pace_send(ea, 1000000, 65000, 100), 0);
	/* another peer, or the same address on another uplink or port, owes nothing */
	union lg_sockaddr a2 = v4("192.0.2.1", 4501);
	const struct { int uplink; union lg_sockaddr *addr; } other[] = { { 0, &b }, { 1, &a }, { 0, &a2 } };
	for (size_t i = 0; i < 3; i++) {
		struct dp_pace_peer *e = dp_pace_find(&p, other[i].uplink, other[i].addr);
		if (e == ea)   /* same slot: taken over, so nothing to drain either */
			ck_assert(lg_sockaddr_equal(&e->peer, other[i].addr));
		ck_assert_uint_eq(dp_pace_send(e, 1000000, 100, 100), 0);
		ea = dp_pace_find(&p, 0, &a);
	}
	/* found again while it kept its slot: still owes */
	struct dp_pace q;
	memset(&q, 0, sizeof(q));
	ea = dp_pace_find(&q, 0, &a);
	dp_pace_send(ea, 1000000, 65000, 100);
	ck_assert_uint_gt(dp_pace_send(dp_pace_find(&q, 0, &a), 1000000, 100, 100), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("net_pace");
	TCase *tc = tcase_create("pace");
	tcase_add_test(tc, drain_arithmetic);
	tcase_add_test(tc, wait_table);
	tcase_add_test(tc, rate_held);
	tcase_add_test(tc, peers_apart);
	suite_add_tcase(s, tc);
	return lg_check_run(s);
}

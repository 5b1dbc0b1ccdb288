/* Recovery (issue 12 item 6): the retry schedule of an initiator peer
 * (retry-min doubling to retry-max, ±20 % jitter, reset on success, the next
 * attempt and last failure readable for `peers`), dpd-action and
 * close-action, and the IKE rekey responder keeping the old SA until the
 * peer deletes it (RFC 7296 §2.8) or a grace period ends. */
#include "test_ike_mock.h"
#include "check_main.h"

static struct mock_bed bed;

static const struct {
	uint32_t prev_ms, min_s, max_s, want_ms;
} backoff_cases[] = {
	{ 0, 1, 30, 1000 },         /* 1: first failure waits retry-min */
	{ 1000, 1, 30, 2000 },      /* 2: then doubles */
	{ 16000, 1, 30, 30000 },    /* 3: capped at retry-max */
	{ 30000, 1, 30, 30000 },    /* 4: stays there */
	{ 0, 5, 5, 5000 },          /* 5: min = max: a fixed interval */
	{ 1000, 5, 60, 5000 },      /* 6: a raised retry-min applies at once */
	{ 0, 0, 0, 1000 },          /* 7: unset bounds: one second, never 0 */
	{ 0x80000000u, 1, 86400, 86400000 },  /* 8: no overflow near the top */
};

START_TEST(backoff_table)
{
	uint32_t got = ike_retry_backoff(backoff_cases[_i].prev_ms, backoff_cases[_i].min_s,
					 backoff_cases[_i].max_s);
	ck_assert_msg(got == backoff_cases[_i].want_ms, "case %d: got %u", _i + 1, got);
}
END_TEST

START_TEST(jitter_bounds)
{
	ck_assert_uint_eq(ike_retry_jitter(1000, 0), 800);
	ck_assert_uint_eq(ike_retry_jitter(1000, 0x80000000u), 1000);
	ck_assert_uint_eq(ike_retry_jitter(1000, UINT32_MAX), 1199);
	ck_assert_uint_eq(ike_retry_jitter(86400000, UINT32_MAX), 103679999);
	for (int i = 0; i < 1000; i++) {
		uint32_t j = ike_retry_jitter(30000, randombytes_random());
		ck_assert(j >= 24000 && j < 36000);
	}
}
END_TEST

static struct ike_peer_retry retry_of(int node)
{
	struct ike_peer_retry r;
	ck_assert_int_eq(ike_peer_retry(bed.node[node].ike, node ? "site-a" : "site-b", &r), 0);
	return r;
}

/* Ticks until A's retransmissions give up (B does not answer). */
static void until_failures(uint32_t n)
{
	for (int i = 0; i < 400 && retry_of(0).failures < n; i++) {
		mock_tick(&bed, 250);
		while (bed.n)
			mock_deliver(&bed);
	}
	ck_assert_uint_eq(retry_of(0).failures, n);
}

START_TEST(schedule_doubles_and_resets)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	bed.node[0].cfg.peers[0].retry_max_s = 4;
	mock_start(&bed);
	bed.dead[1] = true;
	ck_assert_int_eq(ike_peer_retry(bed.node[0].ike, "nobody", &(struct ike_peer_retry){ 0 }),
			 -ENOENT);
	static const uint32_t want[] = { 1000, 2000, 4000, 4000 };
	for (uint32_t k = 0; k < 4; k++) {
		until_failures(k + 1);
		struct ike_peer_retry r = retry_of(0);
		ck_assert_str_eq(r.last_failure, "peer_unreachable");
		ck_assert_uint_eq(r.backoff_ms, want[k]);
		/* the next attempt, jittered ±20 % around the back-off */
		ck_assert_uint_ge(r.next_attempt_ms, bed.now + want[k] * 4 / 5 - 250);
		ck_assert_uint_le(r.next_attempt_ms, bed.now + want[k] * 6 / 5);
		ck_assert_uint_ne(r.last_failure_wall_ms, 0);
	}
	bed.dead[1] = false;
	for (int i = 0; i < 100 && !ike_peer_up(bed.node[0].ike, "site-b"); i++) {
		mock_tick(&bed, 250);
		while (bed.n)
			mock_deliver(&bed);
	}
	ck_assert(ike_peer_up(bed.node[0].ike, "site-b"));
	struct ike_peer_retry r = retry_of(0);
	ck_assert_uint_eq(r.failures, 0);       /* reset by the success */
	ck_assert_uint_eq(r.backoff_ms, 0);
	ck_assert_str_eq(r.last_failure, "peer_unreachable");   /* history kept */
	mock_free(&bed);
}
END_TEST

/* B never answers: A resends its IKE_SA_INIT after each jittered wait and
 * gives up within 27.9-34.1 s of the first send (31 s unjittered), plus a
 * tick (100 ms here) per resend; rounds draw different give-up instants. */
START_TEST(give_up_within_bounds)
{
	enum { ROUNDS = 20, TICK = 100 };
	uint64_t give_up[ROUNDS];
	uint64_t lo = 0, hi = 0;

	for (int k = 0; k <= IKE_RETRANSMIT_TRIES; k++) {
		lo += mock_rexmit_min_ms(k);
		hi += mock_rexmit_max_ms(k) + TICK - 1;
	}
	for (int round = 0; round < ROUNDS; round++) {
		mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
		mock_start(&bed);
		bed.dead[1] = true;
		uint64_t first = 0, last = 0;
		int sends = 0;
		for (int i = 0; i < 400 && retry_of(0).failures == 0; i++) {
			mock_tick(&bed, TICK);
			if (!bed.n)
				continue;
			ck_assert_uint_eq(bed.n, 1);
			if (sends)   /* the k-th resend: its wait, late by a tick at most */
				ck_assert_uint_ge(bed.now - last, mock_rexmit_min_ms(sends - 1));
			if (sends)
				ck_assert_uint_lt(bed.now - last, mock_rexmit_max_ms(sends - 1) + TICK);
			first = sends++ ? first : bed.now;
			last = bed.now;
			mock_drop(&bed);
		}
		ck_assert_uint_eq(retry_of(0).failures, 1);
		ck_assert_int_eq(sends, 1 + IKE_RETRANSMIT_TRIES);
		give_up[round] = bed.now - first;
		ck_assert_msg(give_up[round] >= lo && give_up[round] <= hi,
			      "gave up after %llu ms", (unsigned long long)give_up[round]);
		mock_free(&bed);
	}
	bool differ = false;
	for (int round = 1; round < ROUNDS; round++)
		differ |= give_up[round] != give_up[0];
	ck_assert(differ);
}
END_TEST

/* A DPD that is not answered: restart (default) starts again after
 * retry-min; clear leaves the peer down, with the reason on record. */
static void dpd_fails(enum conf_action action)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	bed.node[0].cfg.peers[0].dpd_action = action;
	mock_start(&bed);
	mock_establish(&bed);
	bed.dead[1] = true;
	for (int i = 0; i < 200 && mock_sa_count(&bed, 0); i++) {
		mock_tick(&bed, 500);
		while (bed.n)
			mock_deliver(&bed);
	}
	ck_assert_uint_eq(mock_sa_count(&bed, 0), 0);
	struct ike_peer_retry r = retry_of(0);
	ck_assert_str_eq(r.last_failure, "dpd_timeout");
	if (action == CONF_ACTION_RESTART) {
		ck_assert_uint_le(r.next_attempt_ms, bed.now + 1200);
		mock_tick(&bed, 1200);
		ck_assert_uint_eq(bed.n, 1);          /* IKE_SA_INIT again */
		ck_assert_uint_eq(mock_exchange(&bed, 0), IKEV2_EXCHANGE_IKE_SA_INIT);
	} else {
		ck_assert_uint_eq(r.next_attempt_ms, 0);
		mock_tick(&bed, 120 * 1000);
		ck_assert_uint_eq(bed.n, 0);
		/* `up` still works */
		bed.dead[1] = false;
		ck_assert_int_eq(ike_initiate(bed.node[0].ike, "site-b", bed.now), 0);
		mock_run(&bed);
		ck_assert(ike_peer_up(bed.node[0].ike, "site-b"));
	}
	mock_free(&bed);
}

START_TEST(dpd_action_restart) { dpd_fails(CONF_ACTION_RESTART); }
END_TEST
START_TEST(dpd_action_clear) { dpd_fails(CONF_ACTION_CLEAR); }
END_TEST

/* The peer DELETEs the IKE SA (a graceful restart): restart asks again
 * after retry-min, not a minute later; clear waits for `up` or the peer. */
static void peer_deletes(enum conf_action action)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	bed.node[0].cfg.peers[0].close_action = action;
	mock_start(&bed);
	mock_establish(&bed);
	ck_assert_int_eq(ike_info_delete_ike_start(mock_sa(&bed, 1)), 0);
	mock_run(&bed);
	ck_assert_uint_eq(mock_sa_count(&bed, 0), 0);
	ck_assert_str_eq(retry_of(0).last_failure, "deleted_by_peer");
	mock_tick(&bed, 700);
	ck_assert_uint_eq(bed.n, 0);              /* not at once (jitter floor 0.8 s) */
	mock_tick(&bed, 600);
	if (action == CONF_ACTION_CLEAR) {
		ck_assert_uint_eq(bed.n, 0);
		ck_assert_uint_eq(retry_of(0).next_attempt_ms, 0);
		mock_tick(&bed, 120 * 1000);
		ck_assert_uint_eq(bed.n, 0);
	} else {
		mock_run(&bed);
		ck_assert(ike_peer_up(bed.node[0].ike, "site-b"));
	}
	mock_free(&bed);
}

START_TEST(close_action_restart) { peer_deletes(CONF_ACTION_RESTART); }
END_TEST
START_TEST(close_action_clear) { peer_deletes(CONF_ACTION_CLEAR); }
END_TEST

/* §2.8: the responder of an IKE rekey keeps the old SA (REKEYED) until the
 * initiator deletes it; if that DELETE never comes, it goes after the grace. */
START_TEST(rekey_responder_keeps_old_sa)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	mock_start(&bed);
	mock_establish(&bed);
	struct ike_sa *old_b = mock_sa(&bed, 1);
	ck_assert_int_eq(ike_rekey_ike_start(mock_sa(&bed, 0)), 0);
	mock_deliver(&bed);                       /* A's rekey request -> B */
	ck_assert_uint_eq(mock_sa_count(&bed, 1), 2);
	ck_assert_int_eq(old_b->state, IKE_SA_REKEYED);
	mock_deliver(&bed);                       /* B's response -> A: A deletes the old */
	mock_drop(&bed);                          /* ... and that DELETE is lost */
	bed.dead[1] = true;                       /* with its retransmissions */
	mock_tick(&bed, 29 * 1000);
	while (bed.n)
		mock_deliver(&bed);
	ck_assert_uint_eq(mock_sa_count(&bed, 1), 2);   /* still there after 29 s */
	bed.dead[1] = false;
	for (int i = 0; i < 10 && mock_sa_count(&bed, 1) == 2; i++) {
		mock_tick(&bed, 1000);
		while (bed.n)
			mock_deliver(&bed);
	}
	ck_assert_uint_eq(mock_sa_count(&bed, 1), 1);   /* gone after the grace */
	ck_assert(ike_peer_up(bed.node[1].ike, "site-a"));
	mock_free(&bed);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ike_recovery");
	TCase *t = tcase_create("recovery");

	tcase_add_loop_test(t, backoff_table, 0, sizeof(backoff_cases) / sizeof(backoff_cases[0]));
	tcase_add_test(t, jitter_bounds);
	tcase_add_test(t, schedule_doubles_and_resets);
	tcase_add_test(t, give_up_within_bounds);
	tcase_add_test(t, dpd_action_restart);
	tcase_add_test(t, dpd_action_clear);
	tcase_add_test(t, close_action_restart);
	tcase_add_test(t, close_action_clear);
	tcase_add_test(t, rekey_responder_keeps_old_sa);
	suite_add_tcase(s, t);
	return lg_check_run(s);
}

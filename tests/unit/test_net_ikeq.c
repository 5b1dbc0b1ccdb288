/* net: the IKE queue a worker fills for the control thread (issue 15 item
 * 5). Its depth comes from the configuration (a power of two within 32 to
 * 256); it holds exactly that many datagrams, drops the next one counted as
 * ike_queue_full, and delivers what it held in order and byte for byte,
 * messages larger than a slot's inline buffer included. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <event2/event.h>
#include "dp_internal.h"
#include "check_main.h"

static struct {
	size_t n;
	size_t lens[512];
	uint8_t first[512];
	bool ok;
} got;

static void on_ike(void *ctx, const struct ike_datagram *d)
{
	(void)ctx;
	if (got.n < 512) {
		got.lens[got.n] = d->len;
		got.first[got.n] = d->data[0];
		/* every byte of message i is (i + offset) & 0xff */
		for (size_t k = 0; k < d->len; k++)
			if (d->data[k] != (uint8_t)(d->data[0] + k))
				got.ok = false;
	}
	got.n++;
}

START_TEST(slots_from_configuration)
{
	ck_assert_uint_eq(dp_ikeq_slots(0), 32);
	ck_assert_uint_eq(dp_ikeq_slots(32), 32);
	ck_assert_uint_eq(dp_ikeq_slots(33), 64);
	ck_assert_uint_eq(dp_ikeq_slots(5000 / 16), 256);
	ck_assert_uint_eq(dp_ikeq_slots(20000 / 16), 256);   /* the bound */
}
END_TEST

START_TEST(holds_its_depth_then_drops)
{
	struct datapath dp;
	struct dp_worker w;
	static uint8_t msg[DP_IKE_MAX];
	union lg_sockaddr from = { .in4 = { .sin_family = AF_INET, .sin_port = htons(4500) } };
	struct msghdr m = { 0 };

	memset(&dp, 0, sizeof(dp));
	memset(&w, 0, sizeof(w));
	memset(&got, 0, sizeof(got));
	got.ok = true;
	dp.base = event_base_new();
	ck_assert_ptr_nonnull(dp.base);
	dp.cfg.ike_queue = 100;   /* 128 slots */
	dp.n_workers = 1;
	dp.workers = &w;
	w.dp = &dp;
	dp.on_ike = on_ike;
	for (int u = 0; u < DATAPATH_MAX_UPLINKS; u++)
		dp.ike_fd[u][0] = dp.ike_fd[u][1] = -1;
	ck_assert_int_eq(dp_ikeq_init(&dp), 0);
	ck_assert_uint_eq(w.ring.size, 128);
	for (size_t i = 0; i < 129; i++) {
		/* every tenth larger than a slot's inline buffer */
		size_t len = i % 10 == 3 ? DP_IKE_INLINE + 1000 + i : 200 + i;
		for (size_t k = 0; k < len; k++)
			msg[k] = (uint8_t)(i + k);
		bool in = dp_ikeq_push(&w, 0, &from, &m, 4500, msg, len);
		ck_assert_int_eq(in, i < 128);
	}
	ck_assert_uint_eq(atomic_load(&w.c.drops[DATAPATH_DROP_IKE_QUEUE_FULL]), 1);
	dp_ikeq_kick(&w);
	event_base_loop(dp.base, EVLOOP_NONBLOCK);
	ck_assert_uint_eq(got.n, 128);
	ck_assert(got.ok);
	for (size_t i = 0; i < 128; i++) {
		ck_assert_uint_eq(got.lens[i], i % 10 == 3 ? DP_IKE_INLINE + 1000 + i : 200 + i);
		ck_assert_uint_eq(got.first[i], (uint8_t)i);
	}
	/* room again; one big message left in the ring is freed with it */
	ck_assert(dp_ikeq_push(&w, 0, &from, &m, 4500, msg, DP_IKE_INLINE + 1));
	dp_ikeq_fini(&dp);
	event_base_free(dp.base);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("net_ikeq");
	TCase *tc = tcase_create("ikeq");
	tcase_add_test(tc, slots_from_configuration);
	tcase_add_test(tc, holds_its_depth_then_drops);
	suite_add_tcase(s, tc);
	return lg_check_run(s);
}

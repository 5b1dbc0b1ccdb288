/* Concurrency: worker threads encrypt and decrypt while the control thread
 * rekeys (install new, remove old: make before break) as fast as it can, and
 * several workers race to decrypt the very same packets (exactly one may
 * win each). Meant to run under ASan and TSan as well; threads only count,
 * the main thread asserts. */
#include <pthread.h>
#include <unistd.h>
#include "test_esp_util.h"
#include "check_main.h"

enum { WORKERS = 3, REKEYS = 150, PACKETS = 400 };

static struct esp_table *tx, *rx;
static atomic_bool done;
static _Atomic uint64_t n_ok, n_bad_spi, n_other, n_mismatch, n_stale;
/* Highest sequence number decrypted per SA generation (SPI 0x20000 + g). */
static _Atomic uint64_t max_seq[REKEYS + 2];

static uint32_t be32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static void saw_seq(uint32_t spi, uint32_t seq)
{
	_Atomic uint64_t *m = &max_seq[(spi - 0x20000) % (REKEYS + 2)];
	uint64_t cur = atomic_load(m);
	while (seq > cur && !atomic_compare_exchange_weak(m, &cur, seq))
		;
}

/* A replay verdict is right when the packet is older than the window
 * (4096 bits, 64 of them the block being rotated in, RFC 6479) behind the
 * highest packet decrypted: with 3 workers on 2 CPUs a worker can be
 * descheduled between its encrypt and its decrypt for that long. The other
 * worker may not have published its number yet: wait for it (bounded). */
static bool fell_out_of_window(uint32_t spi, uint32_t seq)
{
	for (int i = 0; i < 5000; i++) {
		if ((uint64_t)seq + ESP_REPLAY_WINDOW - 64 <= atomic_load(&max_seq[(spi - 0x20000) % (REKEYS + 2)]))
			return true;
		usleep(10);
	}
	return false;
}

static struct esp_child_params gen(uint32_t gen_no, bool sender)
{
	struct esp_child_params a = child(gen_no, 0x10000 + gen_no, 0x20000 + gen_no,
					  "10.1.0.0/16", "10.2.0.0/16");
	for (int i = 0; i < 32; i++)
		a.key_in[i] = a.key_out[i] = (uint8_t)(gen_no * 31 + i);
	return sender ? a : mirror(&a);
}

static void *worker_main(void *arg)
{
	struct esp_worker *wt = esp_worker_new(tx), *wr = esp_worker_new(rx);
	static _Thread_local uint8_t buf[ESP_BUF_SIZE], plain[ESP_BUF_SIZE];
	unsigned n = 0;

	(void)arg;
	while (!atomic_load(&done)) {
		size_t len = 40 + (n++ % 1200), esp_len, inner_len;
		struct esp_route r;
		uint8_t *p = plain + ESP_HEADROOM;
		memset(plain, 0, ESP_HEADROOM + len);
		p[0] = 0x45;
		p[2] = (uint8_t)(len >> 8);
		p[3] = (uint8_t)len;
		memcpy(p + 12, "\x0a\x01\x00\x01\x0a\x02\x00\x02", 8);
		p[24] = (uint8_t)n;
		memcpy(buf, plain, ESP_HEADROOM + len);
		enum esp_verdict v = esp_encrypt(wt, buf, len, &esp_len, &r);
		uint32_t spi = be32(buf), seq = be32(buf + 4);
		if (v == ESP_OK) {
			v = esp_decrypt(wr, buf, esp_len, &inner_len, NULL);
			if (v == ESP_OK)
				saw_seq(spi, seq);
			if (v == ESP_OK && (inner_len != len || memcmp(buf + ESP_HEADROOM, p, len)))
				atomic_fetch_add(&n_mismatch, 1);
		}
		if (v == ESP_OK)
			atomic_fetch_add(&n_ok, 1);
		else if (v == ESP_DROP_BAD_SPI)
			atomic_fetch_add(&n_bad_spi, 1);   /* sent just before its SA went */
		else if (v == ESP_DROP_REPLAY && fell_out_of_window(spi, seq))
			atomic_fetch_add(&n_stale, 1);     /* its worker was descheduled */
		else
			atomic_fetch_add(&n_other, 1);
		if (n % 8 == 0) {
			esp_worker_quiescent(wt);
			esp_worker_quiescent(wr);
		}
	}
	esp_worker_free(wt);
	esp_worker_free(wr);
	return NULL;
}

START_TEST(rekey_under_traffic)
{
	pthread_t th[WORKERS];
	struct esp_child_params a = gen(1, true), b = gen(1, false);
	uint64_t drops[ESP_VERDICT_COUNT];

	tx = esp_table_new();
	rx = esp_table_new();
	atomic_store(&done, false);
	ck_assert_int_eq(esp_table_install(rx, &b), 0);
	ck_assert_int_eq(esp_table_install(tx, &a), 0);
	for (int i = 0; i < WORKERS; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, worker_main, NULL), 0);
	for (uint32_t g = 2; g <= REKEYS; g++) {
		struct esp_child_params na = gen(g, true), nb = gen(g, false);
		struct esp_child_stats st;
		/* make before break: new inbound, new outbound, old out, old in */
		ck_assert_int_eq(esp_table_install(rx, &nb), 0);
		ck_assert_int_eq(esp_table_install(tx, &na), 0);
		usleep(200);
		ck_assert_int_eq(esp_table_stats(tx, g - 1, &st), 0);
		ck_assert_int_eq(esp_table_remove(tx, g - 1), 0);
		usleep(200);
		ck_assert_int_eq(esp_table_remove(rx, g - 1), 0);
		esp_table_drops(rx, drops);
	}
	atomic_store(&done, true);
	for (int i = 0; i < WORKERS; i++)
		pthread_join(th[i], NULL);
	fprintf(stderr, "rekey_under_traffic: ok=%llu bad_spi=%llu stale=%llu other=%llu\n",
		(unsigned long long)n_ok, (unsigned long long)n_bad_spi, (unsigned long long)n_stale,
		(unsigned long long)n_other);
	ck_assert_uint_gt(atomic_load(&n_ok), 0);
	ck_assert_uint_eq(atomic_load(&n_other), 0);     /* never NO_SA, AUTH, nor a REPLAY inside the window */
	ck_assert_uint_eq(atomic_load(&n_mismatch), 0);
	esp_table_drops(rx, drops);   /* workers gone: their counts are kept */
	ck_assert_uint_eq(drops[ESP_DROP_BAD_SPI], atomic_load(&n_bad_spi));
	esp_table_free(tx);
	esp_table_free(rx);
}
END_TEST

static uint8_t race_pkts[PACKETS][256];
static size_t race_len[PACKETS];
static _Atomic uint64_t race_ok, race_replay, race_other;

static void *racer_main(void *arg)
{
	struct esp_worker *w = esp_worker_new(rx);
	uint8_t buf[ESP_BUF_SIZE];

	(void)arg;
	for (int i = 0; i < PACKETS; i++) {
		size_t inner_len;
		memcpy(buf, race_pkts[i], race_len[i]);
		enum esp_verdict v = esp_decrypt(w, buf, race_len[i], &inner_len, NULL);
		atomic_fetch_add(v == ESP_OK ? &race_ok : v == ESP_DROP_REPLAY ? &race_replay : &race_other, 1);
		esp_worker_quiescent(w);
	}
	esp_worker_free(w);
	return NULL;
}

START_TEST(same_packet_many_workers)
{
	struct esp_child_params a = gen(1, true), b = gen(1, false);
	struct esp_worker *w;
	pthread_t th[WORKERS];
	static uint8_t buf[ESP_BUF_SIZE];
	struct esp_child_stats st;

	tx = esp_table_new();
	rx = esp_table_new();
	ck_assert_int_eq(esp_table_install(tx, &a), 0);
	ck_assert_int_eq(esp_table_install(rx, &b), 0);
	w = esp_worker_new(tx);
	for (int i = 0; i < PACKETS; i++) {
		struct esp_route r;
		size_t n = make_inner(buf, "10.1.0.1", "10.2.0.1", 100);
		ck_assert_int_eq(esp_encrypt(w, buf, n, &race_len[i], &r), ESP_OK);
		memcpy(race_pkts[i], buf, race_len[i]);
	}
	esp_worker_free(w);
	for (int i = 0; i < WORKERS; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, racer_main, NULL), 0);
	for (int i = 0; i < WORKERS; i++)
		pthread_join(th[i], NULL);
	ck_assert_uint_eq(atomic_load(&race_ok), PACKETS);
	ck_assert_uint_eq(atomic_load(&race_replay), (uint64_t)PACKETS * (WORKERS - 1));
	ck_assert_uint_eq(atomic_load(&race_other), 0);
	ck_assert_int_eq(esp_table_stats(rx, 1, &st), 0);
	ck_assert_uint_eq(st.packets_in, PACKETS);
	ck_assert_uint_eq(st.replay_drops, (uint64_t)PACKETS * (WORKERS - 1));
	esp_table_free(tx);
	esp_table_free(rx);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("esp_threads");
	TCase *tc = tcase_create("threads");

	if (sodium_init() < 0)
		return EXIT_FAILURE;
	lg_log_open("test_esp_threads", LOG_USER, false);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, rekey_under_traffic);
	tcase_add_test(tc, same_packet_many_workers);
	suite_add_tcase(s, tc);
	return lg_check_run(s);
}

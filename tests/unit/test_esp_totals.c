/* An owner's totals outlive its SAs: a rekey (successor installed, old SA
 * removed) and the removal of the last SA never make the counters go back;
 * another owner's traffic is not mixed in. */
#include "test_esp_util.h"
#include "check_main.h"

static struct esp_table *tx;
static struct esp_worker *wtx;
static uint8_t buf[ESP_BUF_SIZE];

static void setup(void)
{
	tx = esp_table_new();
	wtx = esp_worker_new(tx);
}

static void teardown(void)
{
	esp_worker_free(wtx);
	esp_table_free(tx);
}

static void send_n(const char *dst, int n)
{
	struct esp_route r;
	size_t len;
	for (int i = 0; i < n; i++) {
		size_t inner = make_inner(buf, "10.1.2.3", dst, 100);
		ck_assert_int_eq(esp_encrypt(wtx, buf, inner, &len, &r), ESP_OK);
	}
	esp_worker_quiescent(wtx);
}

static struct esp_child_params owned(uint32_t id, uint32_t spi, const char *remote, const char *owner)
{
	struct esp_child_params p = child(id, spi, spi + 0x1000, "10.1.0.0/16", remote);
	snprintf(p.owner, sizeof(p.owner), "%s", owner);
	return p;
}

START_TEST(totals_survive_rekey_and_removal)
{
	struct esp_child_params a = owned(1, 0x1001, "10.2.0.0/16", "bj");
	struct esp_child_params b = owned(2, 0x1002, "10.2.0.0/16", "bj");
	struct esp_child_params o = owned(3, 0x1003, "10.3.0.0/16", "hk");
	struct esp_owner_totals t;

	ck_assert_int_eq(esp_table_install(tx, &a), 0);
	ck_assert_int_eq(esp_table_install(tx, &o), 0);
	send_n("10.2.0.1", 2);
	send_n("10.3.0.1", 7);
	esp_table_owner_totals(tx, "bj", &t);
	ck_assert_uint_eq(t.s.packets_out, 2);
	ck_assert_uint_eq(t.s.bytes_out, 200);
	ck_assert_uint_eq(t.sas_live, 1);
	ck_assert_uint_eq(t.sas_retired, 0);
	ck_assert_uint_ne(t.s.last_out_ms, 0);

	/* rekey: make before break, then the old SA goes */
	ck_assert_int_eq(esp_table_install(tx, &b), 0);
	ck_assert_int_eq(esp_table_remove(tx, 1), 0);
	esp_table_owner_totals(tx, "bj", &t);
	ck_assert_uint_eq(t.s.packets_out, 2);
	ck_assert_uint_eq(t.sas_retired, 1);
	send_n("10.2.0.1", 3);
	esp_table_owner_totals(tx, "bj", &t);
	ck_assert_uint_eq(t.s.packets_out, 5);
	ck_assert_uint_eq(t.s.bytes_out, 500);
	ck_assert_uint_eq(t.sas_live, 1);

	/* the tunnel goes down: nothing live, nothing lost */
	ck_assert_int_eq(esp_table_remove(tx, 2), 0);
	esp_table_owner_totals(tx, "bj", &t);
	ck_assert_uint_eq(t.s.packets_out, 5);
	ck_assert_uint_eq(t.sas_live, 0);
	ck_assert_uint_eq(t.sas_retired, 2);
	esp_table_owner_totals(tx, "hk", &t);
	ck_assert_uint_eq(t.s.packets_out, 7);
	esp_table_owner_totals(tx, "nobody", &t);
	ck_assert_uint_eq(t.s.packets_out + t.sas_live + t.sas_retired, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("esp_totals");
	TCase *tc = tcase_create("totals");

	if (sodium_init() < 0)
		return EXIT_FAILURE;
	lg_log_open("test_esp_totals", LOG_USER, false);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, totals_survive_rekey_and_removal);
	suite_add_tcase(s, tc);
	return lg_check_run(s);
}

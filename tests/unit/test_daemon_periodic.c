/* Periodic audit summaries (src/daemon/periodic.c) over a real ESP SA table
 * and worker: one flow record per CHILD SA; dropped packets reported as
 * per-interval deltas by reason (never per packet, nothing when nothing new);
 * ICV failures as esp_integrity. Records are caught by the audit test sink. */
#include <arpa/inet.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "linegate/audit.h"
#include "linegate/conf.h"
#include "linegate/esp.h"
#include "daemon.h"
#include "check_main.h"

struct seen {
	int n[AUDIT_EVENT_COUNT];
	char last[AUDIT_EVENT_COUNT][4096];
};

static void sink(void *ctx, enum audit_event ev, enum audit_outcome outcome, const char *json)
{
	struct seen *s = ctx;
	(void)outcome;
	s->n[ev]++;
	snprintf(s->last[ev], sizeof(s->last[ev]), "%s", json);
}

static struct daemon d;
static struct seen seen;

static void setup(void)
{
	memset(&d, 0, sizeof(d));
	memset(&seen, 0, sizeof(seen));
	d.cfg = calloc(1, sizeof(*d.cfg));
	conf_init_defaults(d.cfg);
	d.cfg->audit.flow_interval_s = 60;
	ck_assert_ptr_nonnull(config_add_peer(d.cfg));
	strcpy(d.cfg->peers[0].name, "beijing");
	ck_assert_int_eq(lg_sockaddr_parse("203.0.113.2", 500, &d.cfg->peers[0].endpoint), 0);
	d.esp = esp_table_new();
	ck_assert_ptr_nonnull(d.esp);
	d.last_summary_ms = 1000000;
	audit_set_test_sink(sink, &seen);

	struct esp_child_params p;
	memset(&p, 0, sizeof(p));
	p.child_id = 7;
	p.cipher = ESP_CIPHER_CHACHA20_POLY1305;
	p.spi_in = 0x1001;
	p.spi_out = 0x2001;
	memset(p.key_in, 0x11, sizeof(p.key_in));
	memset(p.key_out, 0x22, sizeof(p.key_out));
	lg_prefix_parse("10.1.0.0/16", &p.local_ts[0]);
	p.n_local_ts = 1;
	lg_prefix_parse("10.2.0.0/16", &p.remote_ts[0]);
	p.n_remote_ts = 1;
	lg_sockaddr_parse("203.0.113.2", 4500, &p.peer);
	ck_assert_int_eq(esp_table_install(d.esp, &p), 0);
}

static void teardown(void)
{
	audit_set_test_sink(NULL, NULL);
	esp_table_free(d.esp);
	conf_free(d.cfg);
}

/* An ESP packet of 80 bytes for spi: garbage after the header. */
static void feed(struct esp_worker *w, uint32_t spi, int count)
{
	static uint8_t buf[ESP_BUF_SIZE];
	union lg_sockaddr from;
	size_t inner;
	lg_sockaddr_parse("203.0.113.2", 4500, &from);
	for (int i = 0; i < count; i++) {
		memset(buf, 0xab, 80);
		uint32_t be = htonl(spi), seq = htonl((uint32_t)i + 1);
		memcpy(buf, &be, 4);
		memcpy(buf + 4, &seq, 4);
		ck_assert_int_ne(esp_decrypt(w, buf, 80, &inner, &from), ESP_OK);
	}
}

START_TEST(flow_record_per_child)
{
	daemon_audit_summaries(&d, 1000000 + 30000, false);      /* before the interval */
	ck_assert_int_eq(seen.n[AUDIT_FLOW_RECORD], 0);
	daemon_audit_summaries(&d, 1000000 + 60000, false);      /* interval reached */
	ck_assert_int_eq(seen.n[AUDIT_FLOW_RECORD], 1);
	const char *j = seen.last[AUDIT_FLOW_RECORD];
	ck_assert_ptr_nonnull(strstr(j, "\"object\":\"beijing\""));
	ck_assert_ptr_nonnull(strstr(j, "\"spi_in\":\"00001001\""));
	ck_assert_ptr_nonnull(strstr(j, "\"spi_out\":\"00002001\""));
	ck_assert_ptr_nonnull(strstr(j, "\"remote_ts\":\"10.2.0.0/16\""));
	ck_assert_ptr_nonnull(strstr(j, "\"packets_in\":\"0\""));
	ck_assert_ptr_nonnull(strstr(j, "\"first_activity\":\"never\""));
	/* no drops yet: no summary at all */
	ck_assert_int_eq(seen.n[AUDIT_PACKETS_DROPPED], 0);
	ck_assert_int_eq(seen.n[AUDIT_ESP_INTEGRITY], 0);
}
END_TEST

START_TEST(drops_are_deltas_per_interval)
{
	struct esp_worker *w = esp_worker_new(d.esp);
	ck_assert_ptr_nonnull(w);
	feed(w, 0xdeadbeef, 5);                                  /* unknown SPI */
	daemon_audit_summaries(&d, 1000000 + 60000, false);
	ck_assert_int_eq(seen.n[AUDIT_PACKETS_DROPPED], 1);      /* one record for five packets */
	ck_assert_ptr_nonnull(strstr(seen.last[AUDIT_PACKETS_DROPPED], "\"bad_spi\":\"5\""));
	ck_assert_ptr_nonnull(strstr(seen.last[AUDIT_PACKETS_DROPPED], "\"interval_s\":\"60\""));
	daemon_audit_summaries(&d, 1000000 + 120000, false);     /* nothing new */
	ck_assert_int_eq(seen.n[AUDIT_PACKETS_DROPPED], 1);
	feed(w, 0xdeadbeef, 2);
	daemon_audit_summaries(&d, 1000000 + 180000, false);
	ck_assert_int_eq(seen.n[AUDIT_PACKETS_DROPPED], 2);
	ck_assert_ptr_nonnull(strstr(seen.last[AUDIT_PACKETS_DROPPED], "\"bad_spi\":\"2\""));
	ck_assert_int_eq(seen.n[AUDIT_ESP_INTEGRITY], 0);
	esp_worker_quiescent(w);
	esp_worker_free(w);
}
END_TEST

START_TEST(forgeries_are_integrity_records)
{
	struct esp_worker *w = esp_worker_new(d.esp);
	feed(w, 0x1001, 3);                                      /* known SPI, bad ICV */
	daemon_audit_summaries(&d, 0, true);                     /* forced (shutdown) */
	ck_assert_int_eq(seen.n[AUDIT_ESP_INTEGRITY], 1);
	ck_assert_ptr_nonnull(strstr(seen.last[AUDIT_ESP_INTEGRITY], "\"auth\":\"3\""));
	ck_assert_ptr_nonnull(strstr(seen.last[AUDIT_ESP_INTEGRITY], "\"replay\":\"0\""));
	ck_assert_int_eq(seen.n[AUDIT_PACKETS_DROPPED], 0);      /* integrity is not mixed in */
	esp_worker_quiescent(w);
	esp_worker_free(w);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("daemon_periodic");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, flow_record_per_child);
	tcase_add_test(tc, drops_are_deltas_per_interval);
	tcase_add_test(tc, forgeries_are_integrity_records);
	suite_add_tcase(s, tc);
	return lg_check_run(s);
}

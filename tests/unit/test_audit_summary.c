/* audit: unauthenticated events are summarised. 20,000 of one kind make two
 * records (the first at once, the count at the end of the interval), a
 * spray of sources fills a bounded table and the rest is one overflow
 * record, and the journal stays a few records long. */
#include "test_audit.h"
#include "check_main.h"

static size_t count_ev(enum audit_event ev, const char *needle)
{
	size_t n = 0;
	for (size_t i = 0; i < cap.n_json; i++)
		n += cap.ev[i] == ev && (!needle || strstr(cap.json[i], needle));
	return n;
}

static void open_at(char *dir, size_t cap_, const char *when)
{
	struct conf_audit cfg;
	setenv("TZ", "UTC", 1);
	tzset();
	make_tmpdir(dir, cap_);
	test_cfg(&cfg, dir);
	cfg.checkpoint_interval_s = 10;
	cap_reset();
	test_now_ms = (uint64_t)ms_of(when);
	ck_assert_int_eq(audit_open(&cfg, "gw-a"), 0);
	cap.n_json = cap.n_sys = 0;
}

START_TEST(one_kind_two_records)
{
	char dir[64];
	struct audit_record *r = malloc(sizeof(*r));
	open_at(dir, sizeof(dir), "2026-11-28T10:00:00Z");
	uint64_t t0 = test_now_ms;
	for (int i = 0; i < 20000; i++) {
		test_now_ms = t0 + (uint64_t)i / 4;   /* 5 s of flood */
		audit_summarize(AUDIT_IKE_EXCHANGE_FAILED, "ike_sa_init_NO_PROPOSAL_CHOSEN", "u0",
				"203.0.113.0/24", NULL, test_now_ms);
	}
	ck_assert_int_eq(count_ev(AUDIT_IKE_EXCHANGE_FAILED, NULL), 1);   /* the first, at once */
	ck_assert_ptr_nonnull(strstr(cap.json[0], "\"summary\":\"first\""));
	test_now_ms = t0 + 9000;
	audit_tick(test_now_ms);
	ck_assert_int_eq(count_ev(AUDIT_IKE_EXCHANGE_FAILED, NULL), 1);   /* interval not over */
	test_now_ms = t0 + 10000;
	audit_tick(test_now_ms);
	ck_assert_int_eq(count_ev(AUDIT_IKE_EXCHANGE_FAILED, NULL), 2);
	int last = -1;
	for (size_t i = 0; i < cap.n_json; i++)
		if (cap.ev[i] == AUDIT_IKE_EXCHANGE_FAILED)
			last = (int)i;
	ck_assert_int_eq(audit_record_parse(cap.json[last], strlen(cap.json[last]) - 1, r), 0);
	ck_assert_str_eq(audit_record_detail(r, "summary"), "interval");
	ck_assert_str_eq(audit_record_detail(r, "count"), "20000");
	ck_assert_str_eq(audit_record_detail(r, "uplink"), "u0");
	ck_assert_str_eq(audit_record_detail(r, "source"), "203.0.113.0/24");
	ck_assert_str_eq(audit_record_detail(r, "first"), "2026-11-28T10:00:00.000+00:00");
	ck_assert_str_eq(audit_record_detail(r, "last"), "2026-11-28T10:00:04.999+00:00");
	ck_assert_str_eq(r->outcome, "failure");
	/* the same kind in the next interval: no second "first" record */
	audit_summarize(AUDIT_IKE_EXCHANGE_FAILED, "ike_sa_init_NO_PROPOSAL_CHOSEN", "u0",
			"203.0.113.0/24", NULL, test_now_ms);
	ck_assert_int_eq(count_ev(AUDIT_IKE_EXCHANGE_FAILED, NULL), 2);
	test_now_ms += 10000;
	audit_tick(test_now_ms);
	ck_assert_int_eq(count_ev(AUDIT_IKE_EXCHANGE_FAILED, "\"count\":\"1\""), 2);
	/* a quiet interval writes nothing */
	size_t before = cap.n_json;
	test_now_ms += 20000;
	audit_tick(test_now_ms);
	ck_assert_int_eq(count_ev(AUDIT_IKE_EXCHANGE_FAILED, NULL), 3);
	ck_assert_int_le(cap.n_json, before + 1);   /* at most the checkpoint */
	audit_close();
	free(r);
	rm_rf(dir);
}
END_TEST

/* Sources sprayed over 100,000 /24s: a bounded table, one overflow record. */
START_TEST(spray_is_bounded)
{
	char dir[64], src[LG_ADDRSTRLEN];
	union lg_sockaddr a;
	open_at(dir, sizeof(dir), "2026-11-28T10:00:00Z");
	for (int i = 0; i < 100000; i++) {
		snprintf(src, sizeof(src), "%d.%d.%d.7:500", 1 + i / 65536, (i / 256) % 256, i % 256);
		ck_assert_int_eq(lg_sockaddr_parse(src, 500, &a), 0);
		audit_source_prefix(&a, src, sizeof(src));
		audit_summarize(AUDIT_PACKETS_DROPPED, "ike_unknown_peer", "u0", src, "HK", test_now_ms);
	}
	test_now_ms += 10000;
	audit_tick(test_now_ms);
	audit_close();
	size_t all = count_ev(AUDIT_PACKETS_DROPPED, NULL);
	ck_assert_int_le(all, 1 + 64);
	ck_assert_int_ge(all, 2);
	ck_assert_int_eq(count_ev(AUDIT_PACKETS_DROPPED, "\"region\":\"HK\""), all);
	ck_assert_int_eq(count_ev(AUDIT_DOS_DEFENCE, "summary_table_full"), 1);
	ck_assert_int_eq(count_ev(AUDIT_DOS_DEFENCE, "\"count\":\"99936\""), 1);
	ck_assert_int_eq(count_ev(AUDIT_PACKETS_DROPPED, "\"source\":\"1.0.5.0/24\""), 1);
	rm_rf(dir);
}
END_TEST

/* Counted but not yet written at a clean stop: written by audit_close. */
START_TEST(flushed_at_close)
{
	char dir[64];
	open_at(dir, sizeof(dir), "2026-11-28T10:00:00Z");
	for (int i = 0; i < 5; i++)
		audit_summarize(AUDIT_ADMIN_ACTION, "not_authorised", NULL, "uid=1001", NULL, test_now_ms);
	ck_assert_int_eq(count_ev(AUDIT_ADMIN_ACTION, NULL), 1);
	audit_close();
	ck_assert_int_eq(count_ev(AUDIT_ADMIN_ACTION, "\"count\":\"5\""), 1);
	rm_rf(dir);
}
END_TEST

/* An authenticated peer claiming another's selectors, again and again: its
 * summaries name it (subject: identity, object: peer) and what it asked
 * for, never "unauthenticated"; two peers are two summaries. */
START_TEST(peer_refusal_names_the_peer)
{
	char dir[64];
	struct audit_record *r = malloc(sizeof(*r));
	open_at(dir, sizeof(dir), "2026-11-28T10:00:00Z");
	for (int i = 0; i < 50; i++)
		audit_summarize_peer(AUDIT_COMPLIANCE_REFUSED, "selectors_claimed", "u0",
				     "branches/shop2.corp.example", "shop2.corp.example", test_now_ms,
				     "claimed", i < 49 ? "10.65.1.0/24" : "10.65.1.128/25",
				     "owner", "branches/shop1.corp.example",
				     "owner_selector", "10.65.1.0/24", NULL);
	audit_summarize_peer(AUDIT_COMPLIANCE_REFUSED, "selectors_claimed", "u0",
			     "branches/shop3.corp.example", "shop3.corp.example", test_now_ms,
			     "claimed", "10.65.1.0/24", "owner", "branches/shop1.corp.example",
			     "owner_selector", "10.65.1.0/24", NULL);
	ck_assert_int_eq(count_ev(AUDIT_COMPLIANCE_REFUSED, NULL), 1);   /* the first, at once */
	ck_assert_int_eq(audit_record_parse(cap.json[cap.n_json - 1], strlen(cap.json[cap.n_json - 1]) - 1, r), 0);
	ck_assert_str_eq(r->subject, "shop2.corp.example");
	ck_assert_str_eq(r->object, "branches/shop2.corp.example");
	ck_assert_str_eq(audit_record_detail(r, "summary"), "first");
	ck_assert_str_eq(audit_record_detail(r, "claimed"), "10.65.1.0/24");
	ck_assert_str_eq(audit_record_detail(r, "owner"), "branches/shop1.corp.example");
	ck_assert_str_eq(audit_record_detail(r, "owner_selector"), "10.65.1.0/24");
	test_now_ms += 10000;
	audit_tick(test_now_ms);
	ck_assert_int_eq(count_ev(AUDIT_COMPLIANCE_REFUSED, "unauthenticated"), 0);
	ck_assert_int_eq(count_ev(AUDIT_COMPLIANCE_REFUSED, "\"subject\":\"shop3.corp.example\""), 1);
	size_t i = cap.n_json;
	while (i-- > 0 && !(cap.ev[i] == AUDIT_COMPLIANCE_REFUSED &&
			    strstr(cap.json[i], "\"count\":\"50\"")))
		;
	ck_assert_int_lt(i, cap.n_json);
	ck_assert_int_eq(audit_record_parse(cap.json[i], strlen(cap.json[i]) - 1, r), 0);
	ck_assert_str_eq(r->subject, "shop2.corp.example");
	ck_assert_str_eq(audit_record_detail(r, "source"), "branches/shop2.corp.example");
	ck_assert_str_eq(audit_record_detail(r, "claimed"), "10.65.1.128/25");   /* the last */
	ck_assert_str_eq(audit_record_detail(r, "owner"), "branches/shop1.corp.example");
	audit_close();
	free(r);
	rm_rf(dir);
}
END_TEST

START_TEST(source_prefixes)
{
	static const struct { const char *addr, *prefix; } cases[] = {
		{ "198.51.100.77:500", "198.51.100.0/24" },
		{ "[2001:db8:1:2::5]:4500", "2001:db8:1::/48" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		union lg_sockaddr a;
		char out[LG_ADDRSTRLEN];
		ck_assert_int_eq(lg_sockaddr_parse(cases[i].addr, 500, &a), 0);
		audit_source_prefix(&a, out, sizeof(out));
		ck_assert_str_eq(out, cases[i].prefix);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("audit_summary");
	TCase *tc = tcase_create("summary");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, one_kind_two_records);
	tcase_add_test(tc, spray_is_bounded);
	tcase_add_test(tc, flushed_at_close);
	tcase_add_test(tc, peer_refusal_names_the_peer);
	tcase_add_test(tc, source_prefixes);
	suite_add_tcase(s, tc);
	return lg_check_run(s);
}

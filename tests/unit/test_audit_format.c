/* audit: the record of every event type in the journal and on syslog,
 * escaping (no field or line can be forged), redaction, RFC 3339 time. */
#include "test_audit.h"
#include "check_main.h"

/* A log pipeline's view of a syslog line: key=value, values bare or
 * "quoted" with \" \\ \xHH. Returns the unescaped value of key, or NULL. */
static const char *kv_get(const char *line, const char *key, char *out, size_t cap_)
{
	const char *p = line;
	while (*p) {
		while (*p == ' ')
			p++;
		const char *eq = strchr(p, '=');
		if (!eq)
			return NULL;
		size_t klen = (size_t)(eq - p);
		bool want = klen == strlen(key) && strncmp(p, key, klen) == 0;
		size_t n = 0;
		p = eq + 1;
		if (*p == '"') {
			for (p++; *p && *p != '"'; p++) {
				char c = *p;
				if (c == '\\' && p[1] == 'x') {
					unsigned v;
					sscanf(p + 2, "%2x", &v);
					c = (char)v;
					p += 3;
				} else if (c == '\\') {
					c = *++p;
				}
				if (n + 1 < cap_)
					out[n++] = c;
			}
			ck_assert_msg(*p == '"', "unterminated quote in %s", line);
			p++;
		} else {
			for (; *p && *p != ' '; p++)
				if (n + 1 < cap_)
					out[n++] = *p;
		}
		out[n] = '\0';
		if (want)
			return out;
	}
	return NULL;
}

/* One row per event type: what a caller passes, and the fixed name and
 * severity pipelines rely on. */
static const struct {
	enum audit_event ev;
	enum audit_outcome out;
	const char *name;
	int sev;
	const char *subject, *object, *k1, *v1, *k2, *v2;
} events[] = {
	{ AUDIT_DAEMON_START, AUDIT_SUCCESS, "daemon_start", LOG_NOTICE, "linegated", "gw-a", "version", "0.1.0", "pid", "4242" },
	{ AUDIT_DAEMON_STOP, AUDIT_SUCCESS, "daemon_stop", LOG_NOTICE, "linegated", "gw-a", "signal", "SIGTERM", "uptime_s", "3600" },
	{ AUDIT_CONFIG_LOADED, AUDIT_SUCCESS, "config_loaded", LOG_NOTICE, "linegated", "/etc/linegate/linegate.conf", "blake2b", "9f1c", "peers", "2" },
	{ AUDIT_CONFIG_RELOADED, AUDIT_SUCCESS, "config_reloaded", LOG_NOTICE, "uid=0", "/etc/linegate/linegate.conf", "blake2b", "77aa", "changed", "peers" },
	{ AUDIT_CONFIG_REFUSED, AUDIT_FAILURE, "config_refused", LOG_ERR, "uid=0", "/etc/linegate/linegate.conf", "error", "retention below 180d", "line", "77" },
	{ AUDIT_IKE_SA_UP, AUDIT_SUCCESS, "ike_sa_up", LOG_INFO, "gw-b.example", "peer-b", "spi_i", "0102030405060708", "encr", "chacha20poly1305" },
	{ AUDIT_IKE_SA_DOWN, AUDIT_SUCCESS, "ike_sa_down", LOG_INFO, "gw-b.example", "peer-b", "reason", "dpd_timeout", "spi_i", "0102030405060708" },
	{ AUDIT_IKE_SA_REKEYED, AUDIT_SUCCESS, "ike_sa_rekeyed", LOG_INFO, "gw-b.example", "peer-b", "old_spi_i", "01", "new_spi_i", "02" },
	{ AUDIT_CHILD_SA_UP, AUDIT_SUCCESS, "child_sa_up", LOG_INFO, "gw-b.example", "peer-b", "spi_in", "c1a2b3c4", "ts_remote", "10.2.0.0/16" },
	{ AUDIT_CHILD_SA_DOWN, AUDIT_SUCCESS, "child_sa_down", LOG_INFO, "gw-b.example", "peer-b", "spi_in", "c1a2b3c4", "reason", "deleted" },
	{ AUDIT_CHILD_SA_REKEYED, AUDIT_SUCCESS, "child_sa_rekeyed", LOG_INFO, "gw-b.example", "peer-b", "old_spi_in", "c1a2b3c4", "new_spi_in", "d1a2b3c4" },
	{ AUDIT_AUTH_SUCCESS, AUDIT_SUCCESS, "auth_success", LOG_NOTICE, "gw-b.example", "peer-b", "method", "ed25519", "endpoint", "198.51.100.2:4500" },
	{ AUDIT_AUTH_FAILURE, AUDIT_FAILURE, "auth_failure", LOG_WARNING, "evil.example", "peer-b", "method", "psk", "endpoint", "203.0.113.9:500" },
	{ AUDIT_IKE_EXCHANGE_FAILED, AUDIT_FAILURE, "ike_exchange_failed", LOG_WARNING, "gw-b.example", "peer-b", "exchange", "IKE_SA_INIT", "notify", "NO_PROPOSAL_CHOSEN" },
	{ AUDIT_COMPLIANCE_REFUSED, AUDIT_FAILURE, "compliance_refused", LOG_WARNING, "gw-hk.example", "peer-hk", "reason", "cross_border_unlicensed", "region", "HK" },
	{ AUDIT_REGION_MISMATCH, AUDIT_FAILURE, "region_mismatch", LOG_WARNING, "gw-b.example", "peer-b", "declared", "CN", "database", "HK" },
	{ AUDIT_UPLINK_UP, AUDIT_SUCCESS, "uplink_up", LOG_NOTICE, "linegated", "ct-mpls", "ifname", "eth1", "carrier", "china-telecom" },
	{ AUDIT_UPLINK_DOWN, AUDIT_FAILURE, "uplink_down", LOG_WARNING, "linegated", "ct-mpls", "ifname", "eth1", "tunnels_down", "2" },
	{ AUDIT_PACKETS_DROPPED, AUDIT_SUCCESS, "packets_dropped", LOG_NOTICE, "linegated", "datapath", "reason", "selector_mismatch", "count", "17" },
	{ AUDIT_ESP_INTEGRITY, AUDIT_FAILURE, "esp_integrity", LOG_WARNING, "gw-b.example", "child:c1a2b3c4", "replay", "3", "icv_fail", "5" },
	{ AUDIT_DOS_DEFENCE, AUDIT_SUCCESS, "dos_defence", LOG_WARNING, "linegated", "ike", "defence", "cookies", "half_open", "512" },
	{ AUDIT_ADMIN_ACTION, AUDIT_SUCCESS, "admin_action", LOG_NOTICE, "uid=0", "peer-b", "command", "down", "pid", "999" },
	{ AUDIT_AUDIT_FAULT, AUDIT_FAILURE, "audit_fault", LOG_ALERT, "linegated", "journal", "error", "ENOSPC", "pending", "3" },
	{ AUDIT_AUDIT_GAP, AUDIT_FAILURE, "audit_gap", LOG_ERR, "linegated", "journal", "reason", "write_fault", "lost", "3" },
	{ AUDIT_AUDIT_RETENTION_DELETE, AUDIT_SUCCESS, "audit_retention_delete", LOG_NOTICE, "linegated", "audit-2026-01-01.jsonl", "last_seq", "7", "last_hash", "00" },
	{ AUDIT_AUDIT_KEY_CREATED, AUDIT_SUCCESS, "audit_key_created", LOG_NOTICE, "linegated", "audit.key", "pubkey", "ab", "note", "test" },
	{ AUDIT_FLOW_RECORD, AUDIT_SUCCESS, "flow_record", LOG_INFO, "gw-b.example", "child:c1a2b3c4", "pkts_in", "100", "bytes_out", "150000" },
	{ AUDIT_LAB_STATIC_SA, AUDIT_SUCCESS, "lab_static_sa", LOG_WARNING, "uid=0", "lab-1", "spi_in", "1000", "encr", "aes256gcm16" },
	{ AUDIT_AUDIT_OPEN, AUDIT_SUCCESS, "audit_open", LOG_NOTICE, "linegated", "/var/lib/linegate/audit", "pubkey", "cd", "resumed_seq", "0" },
	{ AUDIT_AUDIT_CHECKPOINT, AUDIT_SUCCESS, "audit_checkpoint", LOG_INFO, "linegated", "audit-2026-11-28.jsonl", "records", "3", "sig", "00" },
	{ AUDIT_ICP_UNRECORDED_LISTENER, AUDIT_FAILURE, "icp_unrecorded_listener", LOG_WARNING, "linegated", "tcp:0.0.0.0:8080", "state", "open", "port", "8080" },
	{ AUDIT_CLOCK_SYNC, AUDIT_FAILURE, "clock_sync", LOG_WARNING, "linegated", "system_clock", "synchronised", "no", "kernel_state", "error" },
};

START_TEST(catalogue_complete)
{
	ck_assert_int_eq(sizeof(events) / sizeof(events[0]), AUDIT_EVENT_COUNT);
	for (int i = 0; i < AUDIT_EVENT_COUNT; i++) {
		ck_assert_int_eq(events[i].ev, i);
		ck_assert_str_eq(audit_event_name(events[i].ev), events[i].name);
		ck_assert_int_eq(audit_event_severity(events[i].ev, events[i].out), events[i].sev);
		enum audit_event back;
		ck_assert(audit_event_parse(events[i].name, &back) && back == events[i].ev);
	}
	ck_assert_str_eq(audit_event_name(AUDIT_EVENT_COUNT), "unknown");
}
END_TEST

/* Every event through the real emitter into a real journal: the JSON line
 * parses with a matching hash and carries every field; the syslog line has
 * the severity and facility and parses as key=value. */
START_TEST(record_per_event)
{
	char dir[64], buf[600];
	struct conf_audit cfg;
	struct audit_record *r = malloc(sizeof(*r));
	setenv("TZ", "Asia/Shanghai", 1);
	tzset();
	make_tmpdir(dir, sizeof(dir));
	test_cfg(&cfg, dir);
	cap_reset();
	test_now_ms = (uint64_t)ms_of("2026-11-28T10:00:00.250Z");
	ck_assert_int_eq(audit_open(&cfg, "gw-a"), 0);
	size_t i = (size_t)_i;
	cap.n_json = cap.n_sys = 0;
	audit_emit(events[i].ev, events[i].out, events[i].subject, events[i].object,
		   events[i].k1, events[i].v1, events[i].k2, events[i].v2, NULL);
	ck_assert_int_eq(cap.n_json, 1);
	ck_assert_int_eq(cap.n_sys, 1);
	const char *j = cap.json[0];
	ck_assert_int_eq(audit_record_parse(j, strlen(j) - 1, r), 0);
	ck_assert_str_eq(r->event, events[i].name);
	ck_assert_str_eq(r->outcome, events[i].out == AUDIT_SUCCESS ? "success" : "failure");
	ck_assert_str_eq(r->subject, events[i].subject);
	ck_assert_str_eq(r->object, events[i].object);
	ck_assert_str_eq(r->host, "gw-a");
	ck_assert_str_eq(r->ts, "2026-11-28T18:00:00.250+08:00");
	ck_assert_int_eq(r->ts_ms, ms_of("2026-11-28T10:00:00.250Z"));
	ck_assert(r->seq >= 2);   /* after audit_key_created and audit_open */
	ck_assert_str_eq(audit_record_detail(r, events[i].k1), events[i].v1);
	ck_assert_str_eq(audit_record_detail(r, events[i].k2), events[i].v2);
	const char *s = cap.sys[0];
	ck_assert_int_eq(cap.prio[0], LOG_LOCAL4 | events[i].sev);
	ck_assert_str_eq(kv_get(s, "type", buf, sizeof(buf)), "audit");
	ck_assert_str_eq(kv_get(s, "event", buf, sizeof(buf)), events[i].name);
	ck_assert_str_eq(kv_get(s, "outcome", buf, sizeof(buf)), r->outcome);
	ck_assert_str_eq(kv_get(s, "subject", buf, sizeof(buf)), events[i].subject);
	ck_assert_str_eq(kv_get(s, "object", buf, sizeof(buf)), events[i].object);
	ck_assert_str_eq(kv_get(s, "host", buf, sizeof(buf)), "gw-a");
	ck_assert_str_eq(kv_get(s, "ts", buf, sizeof(buf)), r->ts);
	ck_assert_str_eq(kv_get(s, events[i].k1, buf, sizeof(buf)), events[i].v1);
	ck_assert_str_eq(kv_get(s, events[i].k2, buf, sizeof(buf)), events[i].v2);
	snprintf(buf, sizeof(buf), "seq=%llu ", (unsigned long long)r->seq);
	ck_assert_ptr_nonnull(strstr(s, buf));
	audit_close();
	rm_rf(dir);
	free(r);
}
END_TEST

/* Hostile values: each must come back byte-exact from both formats and must
 * not add a field, a record or a line. */
static const char *const hostile[] = {
	"plain",
	"two words",
	"quote\"inside",
	"back\\slash",
	"line\nevent=forged outcome=success",
	"tab\tcr\rnul-less",
	"key=value",
	"\"}],\"seq\":1,\"x\":\"",
	"\xe5\xbc\xa0\xe4\xbc\x9f",          /* 张伟: UTF-8 passes */
	"",
	"\x1b[31mred",
};

START_TEST(escape_roundtrip)
{
	const char *in = hostile[_i];
	char kvbuf[512], json[512], line[700], back[512];
	struct audit_record *r = malloc(sizeof(*r));
	audit_escape_kv(in, kvbuf, sizeof(kvbuf));
	ck_assert_ptr_null(strchr(kvbuf, '\n'));
	snprintf(line, sizeof(line), "a=1 v=%s z=2", kvbuf);
	ck_assert_str_eq(kv_get(line, "v", back, sizeof(back)), in);
	ck_assert_str_eq(kv_get(line, "z", back, sizeof(back)), "2");
	ck_assert_ptr_null(kv_get(line, "event", back, sizeof(back)));

	struct audit_kv kv = { "value", in };
	struct audit_rec_in rec = { .seq = 1, .wall_ms = 0, .host = in, .subject = in, .object = "o",
				    .ev = AUDIT_ADMIN_ACTION, .kv = &kv, .n_kv = 1 };
	uint8_t h[AUDIT_HASH_LEN];
	int n = audit_format_json(&rec, json, sizeof(json), h);
	ck_assert_int_gt(n, 0);
	ck_assert_ptr_eq(strchr(json, '\n'), json + n - 1);   /* exactly one line */
	ck_assert_int_eq(audit_record_parse(json, (size_t)n - 1, r), 0);
	ck_assert_str_eq(r->subject, in);
	ck_assert_str_eq(r->host, in);
	ck_assert_str_eq(audit_record_detail(r, "value"), in);
	ck_assert_str_eq(r->event, "admin_action");
	free(r);
}
END_TEST

START_TEST(invalid_utf8_escaped)
{
	char out[64];
	audit_escape_kv("a\xff" "b", out, sizeof(out));
	ck_assert_str_eq(out, "\"a\\xffb\"");
	audit_escape_json("a\xc0\xaf" "b", out, sizeof(out));   /* overlong '/' */
	ck_assert_str_eq(out, "a\\ufffd\\ufffdb");
	audit_escape_json("\xed\xa0\x80", out, sizeof(out));    /* surrogate */
	ck_assert_str_eq(out, "\\ufffd\\ufffd\\ufffd");
}
END_TEST

/* Keys that may carry key material are never written, whatever the caller. */
START_TEST(secrets_redacted)
{
	static const char *const keys[] = { "psk", "enc_key", "sk_ei", "private_key", "secret", "password", "skeyseed" };
	char dir[64];
	struct conf_audit cfg;
	make_tmpdir(dir, sizeof(dir));
	test_cfg(&cfg, dir);
	cap_reset();
	ck_assert_int_eq(audit_open(&cfg, "gw-a"), 0);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		cap.n_json = cap.n_sys = 0;
		audit_emit(AUDIT_AUTH_FAILURE, AUDIT_FAILURE, "x", "y", keys[i], "hunter2-SECRET", NULL);
		ck_assert_ptr_null(strstr(cap.json[0], "hunter2"));
		ck_assert_ptr_null(strstr(cap.sys[0], "hunter2"));
		ck_assert_ptr_nonnull(strstr(cap.sys[0], "[redacted]"));
	}
	ck_assert(!audit_key_is_secret("pubkey"));
	ck_assert(!audit_key_is_secret("key_id"));
	ck_assert(!audit_key_is_secret("spi_in"));
	/* a detail cannot shadow a record field on syslog */
	cap.n_sys = 0;
	audit_emit(AUDIT_ADMIN_ACTION, AUDIT_SUCCESS, "uid=0", "o", "event", "forged", "Bad Key", "v", NULL);
	ck_assert_ptr_nonnull(strstr(cap.sys[0], " event=admin_action "));
	ck_assert_ptr_nonnull(strstr(cap.sys[0], " d_event=forged"));
	ck_assert_ptr_nonnull(strstr(cap.sys[0], " invalid_name=v"));
	audit_close();
	rm_rf(dir);
}
END_TEST

START_TEST(oversized_record_fits_one_line)
{
	static char big[700];
	memset(big, 'x', sizeof(big) - 1);
	struct audit_kv kv[40];
	char keys[40][8];
	for (int i = 0; i < 40; i++) {
		snprintf(keys[i], sizeof(keys[i]), "k%d", i);
		kv[i] = (struct audit_kv){ keys[i], big };
	}
	struct audit_rec_in rec = { .seq = 9, .host = "h", .subject = "s", .object = "o",
				    .ev = AUDIT_FLOW_RECORD, .kv = kv, .n_kv = 40 };
	static char line[AUDIT_LINE_MAX];
	uint8_t h[AUDIT_HASH_LEN];
	struct audit_record *r = malloc(sizeof(*r));
	int n = audit_format_json(&rec, line, sizeof(line), h);
	ck_assert_int_gt(n, 0);
	ck_assert_int_lt(n, AUDIT_LINE_MAX);
	ck_assert_int_eq(audit_record_parse(line, (size_t)n - 1, r), 0);
	ck_assert_ptr_nonnull(audit_record_detail(r, "truncated"));
	ck_assert_int_gt(strtol(audit_record_detail(r, "truncated"), NULL, 10), 8);
	free(r);
}
END_TEST

static const struct {
	const char *tz;
	const char *utc;
	const char *local;
} tz_cases[] = {
	{ "UTC", "2026-11-28T10:00:00.001Z", "2026-11-28T10:00:00.001+00:00" },
	{ "Asia/Shanghai", "2026-11-28T20:30:00.000Z", "2026-11-29T04:30:00.000+08:00" },
	{ "America/New_York", "2026-03-08T06:59:59.999Z", "2026-03-08T01:59:59.999-05:00" },
	{ "America/New_York", "2026-03-08T07:00:00.000Z", "2026-03-08T03:00:00.000-04:00" },
	{ "Asia/Kolkata", "2026-01-01T00:00:00.000Z", "2026-01-01T05:30:00.000+05:30" },
	{ "Pacific/Kiritimati", "2026-12-31T10:00:00.000Z", "2027-01-01T00:00:00.000+14:00" },
};

START_TEST(time_format_zones)
{
	char out[64];
	setenv("TZ", tz_cases[_i].tz, 1);
	tzset();
	int64_t ms = ms_of(tz_cases[_i].utc);
	lg_time_format((uint64_t)ms, out, sizeof(out));
	ck_assert_str_eq(out, tz_cases[_i].local);
	ck_assert_int_eq(ms_of(out), ms);   /* the offset makes it unambiguous */
}
END_TEST

static const struct {
	const char *s;
	int ok;
} parse_cases[] = {
	{ "2026-02-28", 1 }, { "2028-02-29", 1 }, { "2026-02-29", 0 }, { "2100-02-29", 0 },
	{ "2000-02-29", 1 }, { "2026-13-01", 0 }, { "2026-04-31", 0 },
	{ "2026-11-28T10:00:00Z", 1 }, { "2026-11-28T10:00:00+08:00", 1 },
	{ "2026-11-28T10:00:00.5-03:30", 1 }, { "2026-11-28T10:00:00", 0 },
	{ "2026-11-28T24:00:00Z", 0 }, { "2026-11-28T10:00:00.Z", 0 }, { "2026-11-28T10:00Z", 0 },
	{ "2026-11-28T10:00:00+0800", 0 }, { "26-11-28", 0 }, { "", 0 },
};

START_TEST(time_parse_table)
{
	int64_t ms;
	ck_assert_msg((audit_time_parse(parse_cases[_i].s, &ms) == 0) == parse_cases[_i].ok,
		      "case %d %s", _i, parse_cases[_i].s);
}
END_TEST

START_TEST(time_arithmetic)
{
	ck_assert_int_eq(ms_of("2026-11-28T10:00:00+08:00"), ms_of("2026-11-28T02:00:00Z"));
	ck_assert_int_eq(ms_of("1970-01-01"), 0);
	ck_assert_int_eq(audit_days_from_civil(2026, 3, 1) - audit_days_from_civil(2026, 2, 28), 1);
	ck_assert_int_eq(audit_days_from_civil(2028, 3, 1) - audit_days_from_civil(2028, 2, 28), 2);
	for (int64_t d = -800; d < 80000; d += 37) {
		int y;
		unsigned m, dd;
		audit_civil_from_days(d, &y, &m, &dd);
		ck_assert_int_eq(audit_days_from_civil(y, m, dd), d);
	}
	ck_assert_int_eq(audit_day_of_ms(-1), -1);
	ck_assert_int_eq(audit_day_of_ms(86399999), 0);
}
END_TEST

/* Before audit_open the record still reaches syslog; it has no seq. */
START_TEST(before_open_syslog_only)
{
	cap_reset();
	audit_emit(AUDIT_CONFIG_REFUSED, AUDIT_FAILURE, "linegated", "/etc/x.conf", "error", "bad", NULL);
	ck_assert_int_eq(cap.n_sys, 1);
	ck_assert_ptr_nonnull(strstr(cap.sys[0], "type=audit seq=0 "));
	ck_assert_int_eq(cap.prio[0] & 7, LOG_ERR);
	struct audit_status s;
	audit_get_status(&s);
	ck_assert(!s.journal_ok);
	ck_assert_int_eq(s.unwritten, 0);
}
END_TEST

START_TEST(retention_below_minimum_refused)
{
	struct conf_audit cfg;
	test_cfg(&cfg, "/tmp/lg-audit-never-created");
	cfg.retention_days = 179;
	ck_assert_int_eq(audit_open(&cfg, "gw"), -EINVAL);
	ck_assert_int_ne(access("/tmp/lg-audit-never-created", F_OK), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("audit_format");
	TCase *tc = tcase_create("format");
	tcase_add_test(tc, catalogue_complete);
	tcase_add_loop_test(tc, record_per_event, 0, AUDIT_EVENT_COUNT);
	tcase_add_loop_test(tc, escape_roundtrip, 0, sizeof(hostile) / sizeof(hostile[0]));
	tcase_add_test(tc, invalid_utf8_escaped);
	tcase_add_test(tc, secrets_redacted);
	tcase_add_test(tc, oversized_record_fits_one_line);
	tcase_add_loop_test(tc, time_format_zones, 0, sizeof(tz_cases) / sizeof(tz_cases[0]));
	tcase_add_loop_test(tc, time_parse_table, 0, sizeof(parse_cases) / sizeof(parse_cases[0]));
	tcase_add_test(tc, time_arithmetic);
	tcase_add_test(tc, before_open_syslog_only);
	tcase_add_test(tc, retention_below_minimum_refused);
	suite_add_tcase(s, tc);
	return lg_check_run(s);
}

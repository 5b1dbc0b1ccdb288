/* journald's structured fields of audit events (audit_journald.c). There is
 * no systemd-journald in the test environment, so the fields are checked as
 * the pure function that builds them, and the detection on a $JOURNAL_STREAM
 * that names (or does not name) our stderr. */
#include <sys/stat.h>
#include "test_audit.h"
#include "check_main.h"

static const char *field(const struct audit_jfields *f, const char *key)
{
	size_t kl = strlen(key);
	for (size_t i = 0; i < f->n; i++)
		if (f->iov[i].iov_len > kl && !memcmp(f->iov[i].iov_base, key, kl) &&
		    ((char *)f->iov[i].iov_base)[kl] == '=')
			return (char *)f->iov[i].iov_base + kl + 1;
	return NULL;
}

static struct audit_jfields f;

START_TEST(peer_event_fields)
{
	const struct audit_kv kv[] = { { "remote", "10.253.0.2" }, { "reason", "initial_contact" } };
	struct audit_rec_in r = { .seq = 42, .subject = "bj-gw.corp.example", .object = "bj",
				  .ev = AUDIT_IKE_SA_DOWN, .outcome = AUDIT_SUCCESS, .kv = kv, .n_kv = 2 };
	const char *line = "type=audit seq=42 event=ike_sa_down reason=initial_contact";

	audit_journald_fields(&r, LOG_LOCAL4, LOG_INFO, line, &f);
	ck_assert_str_eq(field(&f, "MESSAGE"), line);          /* the syslog line, unchanged */
	ck_assert_str_eq(field(&f, "PRIORITY"), "6");
	ck_assert_str_eq(field(&f, "SYSLOG_FACILITY"), "20");  /* local4 */
	ck_assert_str_eq(field(&f, "SYSLOG_IDENTIFIER"), "linegated");
	ck_assert_str_eq(field(&f, "LINEGATE_EVENT"), "ike_sa_down");
	ck_assert_str_eq(field(&f, "LINEGATE_OUTCOME"), "success");
	ck_assert_str_eq(field(&f, "LINEGATE_SUBJECT"), "bj-gw.corp.example");
	ck_assert_str_eq(field(&f, "LINEGATE_PEER"), "bj");
	ck_assert_str_eq(field(&f, "LINEGATE_REASON"), "initial_contact");
	ck_assert_str_eq(field(&f, "LINEGATE_SEQ"), "42");
	for (size_t i = 0; i < f.n; i++)   /* lengths exact: no NUL sent */
		ck_assert_uint_eq(f.iov[i].iov_len, strlen(f.iov[i].iov_base));
}
END_TEST

START_TEST(non_peer_event_fields)
{
	const struct audit_kv kv[] = { { "blake2b", "00ff" }, { "psk", "secret" } };
	struct audit_rec_in r = { .subject = "linegated", .object = "/etc/linegate/linegate.conf",
				  .ev = AUDIT_CONFIG_LOADED, .outcome = AUDIT_SUCCESS, .kv = kv, .n_kv = 2 };

	audit_journald_fields(&r, LOG_DAEMON, LOG_NOTICE, "x", &f);
	ck_assert_str_eq(field(&f, "LINEGATE_EVENT"), "config_loaded");
	ck_assert_str_eq(field(&f, "LINEGATE_OBJECT"), "/etc/linegate/linegate.conf");
	ck_assert_ptr_null(field(&f, "LINEGATE_PEER"));     /* the object is a file */
	ck_assert_ptr_null(field(&f, "LINEGATE_REASON"));
	ck_assert_ptr_null(field(&f, "LINEGATE_SEQ"));      /* not chained: no number */
	for (size_t i = 0; i < f.n; i++)
		ck_assert_ptr_null(strstr(f.iov[i].iov_base, "secret"));
	/* a peer named in a detail (packets_dropped of tun) */
	const struct audit_kv kv2[] = { { "peer", "hq" }, { "reason", "held_no_sa" } };
	r.ev = AUDIT_PACKETS_DROPPED;
	r.object = "tun";
	r.kv = kv2;
	audit_journald_fields(&r, LOG_DAEMON, LOG_WARNING, "y", &f);
	ck_assert_str_eq(field(&f, "LINEGATE_PEER"), "hq");
	ck_assert_str_eq(field(&f, "PRIORITY"), "4");
}
END_TEST

START_TEST(detection_follows_journal_stream)
{
	struct stat sb;
	char v[64];

	ck_assert_int_eq(fstat(STDERR_FILENO, &sb), 0);
	unsetenv("JOURNAL_STREAM");
	ck_assert(!audit_journald_detect());
	snprintf(v, sizeof(v), "%llu:%llu", (unsigned long long)sb.st_dev,
		 (unsigned long long)sb.st_ino);
	setenv("JOURNAL_STREAM", v, 1);
	ck_assert(audit_journald_detect());
	/* inherited by a child whose stderr went elsewhere: not the journal */
	snprintf(v, sizeof(v), "%llu:%llu", (unsigned long long)sb.st_dev,
		 (unsigned long long)sb.st_ino + 1);
	setenv("JOURNAL_STREAM", v, 1);
	ck_assert(!audit_journald_detect());
	setenv("JOURNAL_STREAM", "garbage", 1);
	ck_assert(!audit_journald_detect());
	unsetenv("JOURNAL_STREAM");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("audit_journald");
	TCase *t = tcase_create("fields");

	tcase_add_test(t, peer_event_fields);
	tcase_add_test(t, non_peer_event_fields);
	tcase_add_test(t, detection_follows_journal_stream);
	suite_add_tcase(s, t);
	return lg_check_run(s);
}

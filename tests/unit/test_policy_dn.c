/* Distinguished-name identities (ID_DER_ASN1_DN): the text of linegate.conf
 * to DER and back (conf/dn.c), errors at file:line:col, names compared in
 * canonical form rather than byte for byte, and the organisation rule
 * (every O= is the site's identity-organisation). */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <openssl/x509.h>
#include "linegate/conf.h"
#include "linegate/policy.h"
#include "check_main.h"

static struct config cfg;
static struct conf_errors errs;

#define SITE_ORG "site \"s\" { region CN; internal-space 10.0.0.0/8\n" \
		 "  identity-domain corp.example; identity-organisation \"Corp Ltd\" }\n" \
		 "uplink \"inet\" { interface eth0 }\n"
/* a peer whose ids are lines 6 and 7 */
#define PEER_IDS(local, remote) \
	"peer \"hq\" {\n" \
	"  endpoint 192.0.2.1; region CN; uplink inet\n" \
	"  local-id " local "\n" \
	"  remote-id " remote "\n" \
	"  auth psk; psk-file /k/hq.psk\n" \
	"  local-subnets 10.1.0.0/16; remote-subnets 10.2.0.0/16\n}\n"

static int parse(const char *text)
{
	return conf_parse_buffer("t.conf", text, strlen(text), &cfg, &errs);
}

static void id_of(const char *text, struct conf_identity *id)
{
	size_t len, off;
	const char *why;

	memset(id, 0, sizeof(*id));
	ck_assert_msg(conf_dn_parse(text, id->data, sizeof(id->data), &len, &off, &why) == 0,
		      "%s: %s", text, why);
	id->type = CONF_ID_DER_ASN1_DN;
	id->len = (uint8_t)len;
}

/* The DER of a name OpenSSL builds with the given string type. */
static void id_typed(int type, const char *c, const char *o, const char *cn, struct conf_identity *id)
{
	X509_NAME *n = X509_NAME_new();
	unsigned char *p = id->data;

	X509_NAME_add_entry_by_txt(n, "C", V_ASN1_PRINTABLESTRING, (const unsigned char *)c, -1, -1, 0);
	X509_NAME_add_entry_by_txt(n, "O", type, (const unsigned char *)o, -1, -1, 0);
	X509_NAME_add_entry_by_txt(n, "CN", type, (const unsigned char *)cn, -1, -1, 0);
	id->type = CONF_ID_DER_ASN1_DN;
	id->len = (uint8_t)i2d_X509_NAME(n, &p);
	X509_NAME_free(n);
}

/* Numbered texts and what they come back as (DER order kept). */
START_TEST(text_round_trip)
{
	static const struct { const char *in, *out; } t[] = {
		/* 1 */ { "C=CN, O=Corp Ltd, CN=hq-gw", "C=CN, O=Corp Ltd, CN=hq-gw" },
		/* 2 */ { "C=CN,O=Corp Ltd,CN=hq-gw", "C=CN, O=Corp Ltd, CN=hq-gw" },
		/* 3 */ { "/C=CN/O=Corp Ltd/CN=hq-gw", "C=CN, O=Corp Ltd, CN=hq-gw" },
		/* 4 */ { "c=CN, o=Corp, ou=IT, cn=gw", "C=CN, O=Corp, OU=IT, CN=gw" },
		/* 5 */ { "CN=a\\, b, O=Corp", "CN=a\\, b, O=Corp" },
		/* 6 */ { "CN=a\\2Cb", "CN=a\\,b" },
		/* 7 */ { "E=it@corp.example, CN=gw", "emailAddress=it@corp.example, CN=gw" },
		/* 8 */ { "2.5.4.3=gw", "CN=gw" },
		/* 9 */ { "CN=北京网关, O=Corp", "CN=北京网关, O=Corp" },
		/* 10 */ { "DC=example, DC=corp, CN=gw", "DC=example, DC=corp, CN=gw" },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct conf_identity id;
		char s[256];
		id_of(t[i].in, &id);
		ck_assert_msg(!strcmp(conf_identity_format(&id, s, sizeof(s)), t[i].out),
			      "case %zu: '%s' -> '%s'", i + 1, t[i].in, s);
		/* what is printed parses back to the same name */
		struct conf_identity back;
		id_of(s, &back);
		ck_assert_msg(conf_dn_equal(id.data, id.len, back.data, back.len), "case %zu", i + 1);
	}
}
END_TEST

/* Numbered bad texts, the offset named and why. */
START_TEST(text_errors)
{
	static const struct { const char *in; size_t off; const char *why; } t[] = {
		/* 1 */ { "C=CN, O", 6, "an attribute (TYPE=value)" },
		/* 2 */ { "C=CN, Bogus=x", 6, "unknown attribute type" },
		/* 3 */ { "C=China", 0, "value not allowed for this attribute (length or characters)" },
		/* 4 */ { "C=CN, O=", 6, "an empty value" },
		/* 5 */ { "CN=a+OU=b", 0, "multi-valued RDN ('+'): write one attribute per RDN or "
					 "escape it as \\+" },
		/* 6 */ { "CN=gw\\", 0, "a '\\' at the end" },
		/* 7 */ { "", 0, "at least one attribute (e.g. C=CN, O=Corp, CN=gw)" },
		/* 8 */ { "=x", 0, "an attribute (TYPE=value)" },
	};
	uint8_t der[CONF_ID_MAX];
	size_t len, off;
	const char *why;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ck_assert_msg(conf_dn_parse(t[i].in, der, sizeof(der), &len, &off, &why) == -1,
			      "case %zu parsed", i + 1);
		ck_assert_msg(off == t[i].off && !strcmp(why, t[i].why), "case %zu: %zu %s", i + 1, off,
			      why);
	}
	/* longer than an ID payload's 255 bytes of DER */
	char big[400] = "O=Corp";
	for (int i = 0; i < 6; i++)
		strcat(big, ", OU=abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklm");
	ck_assert_int_eq(conf_dn_parse(big, der, sizeof(der), &len, &off, &why), -1);
	ck_assert_str_eq(why, "a name of at most 255 bytes as DER");
}
END_TEST

/* Canonical, not byte for byte: another string type or case is the same
 * name; another value or order is not; bad DER is never equal. */
START_TEST(names_compared_canonically)
{
	struct conf_identity a, utf8, upper, other, reordered;

	id_of("C=CN, O=Corp Ltd, CN=hq-gw", &a);
	id_typed(V_ASN1_UTF8STRING, "CN", "Corp Ltd", "hq-gw", &utf8);
	id_typed(V_ASN1_PRINTABLESTRING, "CN", "CORP  LTD", "HQ-GW", &upper);
	id_of("C=CN, O=Corp Ltd, CN=hq-gw2", &other);
	id_of("O=Corp Ltd, C=CN, CN=hq-gw", &reordered);
	ck_assert(a.len != utf8.len || memcmp(a.data, utf8.data, a.len));   /* PrintableString here */
	ck_assert(conf_dn_equal(a.data, a.len, utf8.data, utf8.len));
	ck_assert(conf_dn_equal(a.data, a.len, upper.data, upper.len));
	ck_assert(!conf_dn_equal(a.data, a.len, other.data, other.len));
	ck_assert(!conf_dn_equal(a.data, a.len, reordered.data, reordered.len));
	ck_assert(!conf_dn_equal(a.data, a.len - 1, a.data, a.len));
	ck_assert(!conf_dn_equal(a.data, 0, a.data, 0));
	uint8_t trailing[CONF_ID_MAX];
	memcpy(trailing, a.data, a.len);
	trailing[a.len] = 0;
	ck_assert(!conf_dn_equal(trailing, a.len + 1u, a.data, a.len));
	char s[64];
	ck_assert_str_eq(conf_dn_format(trailing, a.len + 1u, s, sizeof(s)), "(malformed DN)");
}
END_TEST

/* The organisation rule: an O=, and every O= the site's. */
START_TEST(organisation_rule)
{
	static const struct { const char *dn; bool in; } t[] = {
		/* 1 */ { "C=CN, O=Corp Ltd, CN=hq-gw", true },
		/* 2 */ { "C=CN, O=corp ltd, CN=hq-gw", true },
		/* 3 */ { "C=CN, O=Corp Ltd, OU=Branch, CN=b1", true },
		/* 4 */ { "C=CN, O=Evil Corp, CN=hq-gw", false },
		/* 5 */ { "C=CN, CN=hq-gw", false },
		/* 6 */ { "O=Corp Ltd, O=Evil Corp, CN=x", false },
		/* 7 */ { "C=CN, O=Corp Ltd Shadow, CN=hq-gw", false },
		/* 8 */ { "CN=Corp Ltd", false },
	};
	ck_assert_int_eq(parse(SITE_ORG PEER_IDS("\"C=CN, O=Corp Ltd, CN=br-gw\"",
						 "\"dn:C=CN, O=Corp Ltd, CN=hq-gw\"")), 0);
	ck_assert_str_eq(cfg.site.identity_org, "Corp Ltd");
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct conf_identity id;
		id_of(t[i].dn, &id);
		ck_assert_msg(policy_identity_in_org(&cfg, &id) == t[i].in, "case %zu", i + 1);
	}
	/* without identity-organisation a DN belongs only through the allow-list */
	ck_assert_int_eq(parse("site \"s\" { region CN; internal-space 10.0.0.0/8\n"
			       "  identity-domain corp.example\n"
			       "  allow-identity \"C=CN, O=Partner, CN=gw\" }\n"
			       "uplink \"inet\" { interface eth0 }\n"), 0);
	struct conf_identity listed, unlisted;
	id_typed(V_ASN1_UTF8STRING, "CN", "partner", "GW", &listed);
	id_of("C=CN, O=Corp Ltd, CN=hq-gw", &unlisted);
	ck_assert(policy_identity_in_org(&cfg, &listed));
	ck_assert(!policy_identity_in_org(&cfg, &unlisted));
}
END_TEST

/* A peer's DN ids: kept as DER, the presented one checked against
 * remote-id as a name, the foreign one refused by the guardrail. */
START_TEST(peer_identity_check)
{
	struct conf_identity presented;
	struct policy_verdict v;

	ck_assert_int_eq(parse(SITE_ORG PEER_IDS("\"C=CN, O=Corp Ltd, CN=br-gw\"",
						 "\"dn:C=CN, O=Corp Ltd, CN=hq-gw\"")), 0);
	const struct conf_peer *p = &cfg.peers[0];
	ck_assert_int_eq(p->local_id.type, CONF_ID_DER_ASN1_DN);
	ck_assert_int_eq(p->remote_id.type, CONF_ID_DER_ASN1_DN);
	id_typed(V_ASN1_UTF8STRING, "CN", "Corp Ltd", "hq-gw", &presented);
	v = policy_check_identity(&cfg, p, &presented);
	ck_assert(policy_allowed(&v));
	id_of("C=CN, O=Corp Ltd, CN=other-gw", &presented);
	v = policy_check_identity(&cfg, p, &presented);
	ck_assert_int_eq(v.reason, POLICY_IDENTITY_MISMATCH);
	ck_assert_str_eq(v.message, "peer \"hq\" presented identity \"C=CN, O=Corp Ltd, CN=other-gw\" "
				    "but its configured remote-id is \"C=CN, O=Corp Ltd, CN=hq-gw\"");
	id_of("C=CN, O=Evil, CN=hq-gw", &presented);
	v = policy_check_identity(&cfg, p, &presented);
	ck_assert_int_eq(v.reason, POLICY_IDENTITY_FOREIGN);
}
END_TEST

/* Config errors name the line and the column of the attribute at fault. */
START_TEST(config_errors)
{
	static const struct { const char *text, *err; } t[] = {
		/* 1 */ { SITE_ORG PEER_IDS("a.corp.example", "\"C=CN, O=Corp, Bogus=x\""),
			  "7:28: invalid distinguished name 'C=CN, O=Corp, Bogus=x': unknown attribute "
			  "type (expected e.g. \"C=CN, O=Corp, CN=gw\")" },
		/* 2 */ { SITE_ORG PEER_IDS("a.corp.example", "\"dn:C=China\""),
			  "7:17: invalid distinguished name 'dn:C=China': value not allowed for this "
			  "attribute (length or characters) (expected e.g. \"C=CN, O=Corp, CN=gw\")" },
		/* 3 */ { SITE_ORG PEER_IDS("\"CN=gw\"", "b.corp.example"),
			  NULL },
		/* 4 */ { "site \"s\" { region CN; internal-space 10.0.0.0/8\n"
			  "  identity-organisation \"O=x\" }\nuplink \"inet\" { interface eth0 }\n",
			  "2:25: invalid identity-organisation 'O=x': expected the organisation name of "
			  "the peers' certificates (O=), e.g. \"Corp Ltd\"" },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int r = parse(t[i].text);
		if (!t[i].err) {
			ck_assert_msg(r == 0, "case %zu: %s", i + 1, errs.n ? errs.e[0].msg : "");
			continue;
		}
		ck_assert_msg(r == -EINVAL && errs.n >= 1, "case %zu parsed", i + 1);
		char got[512];
		snprintf(got, sizeof(got), "%d:%d: %s", errs.e[0].line, errs.e[0].column, errs.e[0].msg);
		ck_assert_msg(!strcmp(got, t[i].err), "case %zu: %s", i + 1, got);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("policy_dn");
	TCase *tc = tcase_create("dn");
	tcase_add_test(tc, text_round_trip);
	tcase_add_test(tc, text_errors);
	tcase_add_test(tc, names_compared_canonically);
	tcase_add_test(tc, organisation_rule);
	tcase_add_test(tc, peer_identity_check);
	tcase_add_test(tc, config_errors);
	suite_add_tcase(s, tc);
	return lg_check_run(s);
}

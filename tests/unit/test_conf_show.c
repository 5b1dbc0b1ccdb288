/* conf/show: `show-config` renders the parsed snapshot. The text re-parses
 * to the same settings (it is linegate.conf syntax, defaults written out),
 * the JSON carries the same blocks, and no byte of a static SA's key shows. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "linegate/conf.h"
#include "linegate/json.h"
#include "check_main.h"

#define KEY_IN  "0x9f8e7d6c5b4a39281706f5e4d3c2b1a0aabbccddeeff00112233445566778899c0ffee01"
#define KEY_OUT "0x1122334455667788990011223344556677889900aabbccddeeff0011223344556677fedd"
static const char base[] =
	"site \"s\" { region CN; internal-space 10.0.0.0/8; identity-domain corp.example }\n"
	"uplink \"ctc\" { interface eth1; carrier china-telecom; circuit-id \"CTC 0042\"; licensed yes }\n"
	"peer \"p\" {\n  endpoint 192.0.2.1; region CN; uplink ctc\n"
	"  local-id a.corp.example; remote-id b.corp.example\n"
	"  auth psk; psk-file \"/k/p.psk\"\n"
	"  local-subnets 10.1.0.0/16; remote-subnets 10.2.0.0/16, 10.3.0.0/16; dpd 10s\n}\n";
static const char lab[] =
	"lab-only yes\nstatic-sa \"bench\" {\n"
	"  peer 10.201.0.2; region CN; remote-id lab.corp.example; uplink ctc; cipher chacha20poly1305\n"
	"  spi-in 0x1001; spi-out 0x2001\n  key-in " KEY_IN "\n  key-out " KEY_OUT "\n"
	"  local-subnets 10.1.0.0/16; remote-subnets 10.9.0.0/16\n}\n";

static struct config *parse(const char *text)
{
	struct config *cfg = calloc(1, sizeof(*cfg));
	struct conf_errors *errs = calloc(1, sizeof(*errs));
	int rc = conf_parse_buffer("t.conf", text, strlen(text), cfg, errs);
	ck_assert_msg(rc == 0, "%s\n%s", errs->n ? errs->e[0].msg : "?", text);
	free(errs);
	return cfg;
}

static char *render(const struct config *cfg, bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (json)
		lg_json_print(f, conf_show_json(cfg));
	else
		conf_show_text(cfg, f);
	fclose(f);
	return buf;
}

START_TEST(text_reparses_to_the_same)
{
	struct config *a = parse(base);
	char *text = render(a, false);
	struct config *b = parse(text);
	ck_assert_msg(conf_peer_equal(&a->peers[0], &b->peers[0]), "%s", text);
	ck_assert_str_eq(b->uplinks[0].circuit_id, "CTC 0042");
	ck_assert_msg(strstr(text, "    dpd 10s\n") && strstr(text, "    retry-max "), "defaults written: %s", text);
	ck_assert_msg(strstr(text, "psk-file \"/k/p.psk\""), "the key file by path: %s", text);
	free(text);
	conf_free(a);
	conf_free(b);
}
END_TEST

/* n bytes of k occur in s, whatever the case of the hex digits. */
static bool contains_ci(const char *s, const char *k, size_t n)
{
	for (; *s; s++)
		if (strncasecmp(s, k, n) == 0)
			return true;
	return false;
}

START_TEST(static_keys_never_shown)
{
	char *both = malloc(sizeof(base) + sizeof(lab));
	strcpy(both, base);
	strcat(both, lab);
	struct config *cfg = parse(both);
	for (int json = 0; json <= 1; json++) {
		char *out = render(cfg, json);
		/* no 4-byte run of either key, in any case, anywhere */
		for (const char *k = KEY_IN + 2; strlen(k) >= 8; k += 2)
			ck_assert_msg(!contains_ci(out, k, 8), "key bytes %.8s in %s", k, out);
		for (const char *k = KEY_OUT + 2; strlen(k) >= 8; k += 2)
			ck_assert_msg(!contains_ci(out, k, 8), "key bytes %.8s in %s", k, out);
		ck_assert_msg(strstr(out, "[redacted]"), "%s", out);
		ck_assert_msg(strstr(out, "bench"), "%s", out);
		free(out);
	}
	conf_free(cfg);
	free(both);
}
END_TEST

START_TEST(json_blocks)
{
	struct config *cfg = parse(base);
	char *out = render(cfg, true);
	json_error_t err;
	json_t *doc = json_loads(out, 0, &err);
	ck_assert_msg(doc, "%s: %s", err.text, out);
	json_t *peer = json_array_get(json_object_get(doc, "blocks"), 4);
	ck_assert_str_eq(json_string_value(json_object_get(peer, "block")), "peer");
	json_t *remote = json_object_get(json_object_get(peer, "settings"), "remote-subnets");
	ck_assert_uint_eq(json_array_size(remote), 2);
	ck_assert_str_eq(json_string_value(json_array_get(remote, 1)), "10.3.0.0/16");
	json_decref(doc);
	free(out);
	conf_free(cfg);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("conf_show");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, text_reparses_to_the_same);
	tcase_add_test(tc, static_keys_never_shown);
	tcase_add_test(tc, json_blocks);
	suite_add_tcase(s, tc);
	return lg_check_run(s);
}

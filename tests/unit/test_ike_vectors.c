/* Every IKE message of the real strongSwan sessions (tests/vectors/
 * ike_msgs_<set>.txt, made by tests/vectors/tools/ike_msgs.py from the
 * independently decoded vectors.json) goes through our wire layer: header,
 * payload chain, SK decryption with the recorded key, the inner chain, and
 * every typed decoder, whose output must match the reference field by field
 * (canonical strings, see the converter). Then truncations and bit flips of
 * each message must be refused cleanly. */
#include <check.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "linegate/config.h"
#include "linegate/ike_crypto.h"
#include "linegate/log.h"
#include "ike_wire.h"
#include "check_main.h"

static void cat(char *out, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void cat(char *out, size_t n, const char *fmt, ...)
{
	size_t l = strlen(out);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out + l, n - l, fmt, ap);
	va_end(ap);
}

static void hex_or_dash(char *out, size_t n, const uint8_t *p, size_t len)
{
	char h[2 * 1024 + 1];

	ck_assert_uint_le(len, 1024);
	cat(out, n, "%s", len ? lg_hex(p, len, h) : "-");
}

/* Our decoders' view of one payload, in the converter's canonical form. */
static void canon(const struct ike_payload *p, char *out, size_t n)
{
	out[0] = '\0';
	switch (p->type) {
	case IKEV2_PAYLOAD_SA: {
		static struct ike_sa_payload sa;
		ck_assert_int_eq(ike_decode_sa(p, &sa), 0);
		cat(out, n, "SA");
		for (size_t i = 0; i < sa.n; i++) {
			cat(out, n, "/p%u.%u.", sa.p[i].num, sa.p[i].protocol);
			hex_or_dash(out, n, sa.p[i].spi, sa.p[i].spi_len);
			for (size_t j = 0; j < sa.p[i].n_transforms; j++)
				cat(out, n, ":%u.%u.%u", sa.p[i].t[j].type, sa.p[i].t[j].id,
				    sa.p[i].t[j].keybits);
		}
		break;
	}
	case IKEV2_PAYLOAD_KE: {
		struct ike_ke ke;
		ck_assert_int_eq(ike_decode_ke(p, &ke), 0);
		cat(out, n, "KE.%u.%zu", ke.group, ke.len);
		break;
	}
	case IKEV2_PAYLOAD_NONCE: {
		const uint8_t *nonce;
		size_t len;
		ck_assert_int_eq(ike_decode_nonce(p, &nonce, &len), 0);
		cat(out, n, "No.%zu", len);
		break;
	}
	case IKEV2_PAYLOAD_IDi:
	case IKEV2_PAYLOAD_IDr: {
		struct ike_id id;
		ck_assert_int_eq(ike_decode_id(p, &id), 0);
		cat(out, n, "ID.%u.", id.type);
		hex_or_dash(out, n, id.data, id.len);
		break;
	}
	case IKEV2_PAYLOAD_AUTH: {
		struct ike_auth a;
		ck_assert_int_eq(ike_decode_auth(p, &a), 0);
		cat(out, n, "AUTH.%u.", a.method);
		hex_or_dash(out, n, a.data, a.len);
		break;
	}
	case IKEV2_PAYLOAD_NOTIFY: {
		struct ike_notify nt;
		ck_assert_int_eq(ike_decode_notify(p, &nt), 0);
		cat(out, n, "N.%u.%u.", nt.type, nt.protocol);
		hex_or_dash(out, n, nt.spi, nt.spi_len);
		cat(out, n, ".");
		hex_or_dash(out, n, nt.data, nt.data_len);
		break;
	}
	case IKEV2_PAYLOAD_DELETE: {
		struct ike_delete d;
		ck_assert_int_eq(ike_decode_delete(p, &d), 0);
		cat(out, n, "D.%u.", d.protocol);
		for (size_t i = 0; i < d.n_spis; i++)
			cat(out, n, "%s%08x", i ? "," : "", d.esp_spis[i]);
		if (!d.n_spis)
			cat(out, n, "-");
		break;
	}
	case IKEV2_PAYLOAD_TSi:
	case IKEV2_PAYLOAD_TSr: {
		static struct ike_ts_payload ts;
		char a[64], b[64];
		ck_assert_int_eq(ike_decode_ts(p, &ts), 0);
		cat(out, n, "TS");
		for (size_t i = 0; i < ts.n; i++)
			cat(out, n, "/%u.%u.%u-%u.%s-%s", ts.ts[i].type, ts.ts[i].ip_proto,
			    ts.ts[i].start_port, ts.ts[i].end_port,
			    lg_addr_format(ts.ts[i].range.family, ts.ts[i].range.start, a, sizeof(a)),
			    lg_addr_format(ts.ts[i].range.family, ts.ts[i].range.end, b, sizeof(b)));
		break;
	}
	case IKEV2_PAYLOAD_SK:
		cat(out, n, "SK");
		break;
	default:
		ck_abort_msg("payload type %u not in the vectors", p->type);
	}
}

static void canon_list(const struct ike_payload_list *l, char *out, size_t n)
{
	char one[4096];

	out[0] = '\0';
	for (size_t i = 0; i < l->n; i++) {
		canon(&l->p[i], one, sizeof(one));
		cat(out, n, "%s%s", i ? " " : "", one);
	}
	if (!l->n)
		cat(out, n, "-");
}

struct record {
	unsigned frame, exchange, msg_id, flags;
	uint8_t msg[4096];
	long len;
	char outer[8192];
	bool sk;
	int encr;
	uint8_t key[IKE_AEAD_KEYMAX];
	unsigned first;
	uint8_t plain[4096];
	long plain_len;
	char inner[8192];
};

static char *field(char *line, int skip)
{
	char *p = line;

	while (skip-- > 0) {
		p = strchr(p, ' ');
		ck_assert_ptr_nonnull(p);
		p++;
	}
	p[strcspn(p, "\n")] = '\0';
	return p;
}

/* Reads the next record; false at the end of the file. */
static bool read_record(FILE *f, struct record *r)
{
	static char line[32768];
	bool have = false;
	long pos;

	memset(r, 0, sizeof(*r));
	while ((pos = ftell(f)) >= 0 && fgets(line, sizeof(line), f)) {
		if (line[0] == '#')
			continue;
		if (line[0] == 'M') {
			if (have) {
				fseek(f, pos, SEEK_SET);
				return true;
			}
			have = true;
			ck_assert_int_eq(sscanf(line, "M %u %u %u %u", &r->frame, &r->exchange,
						&r->msg_id, &r->flags), 4);
			r->len = lg_unhex_any(field(line, 5), r->msg, sizeof(r->msg));
			ck_assert_int_gt(r->len, 0);
		} else if (line[0] == 'O') {
			snprintf(r->outer, sizeof(r->outer), "%s", field(line, 1));
		} else if (line[0] == 'K') {
			r->sk = true;
			r->encr = atoi(line + 2);
			ck_assert_int_eq(lg_unhex_any(field(line, 2), r->key, sizeof(r->key)), 36);
		} else if (line[0] == 'P') {
			r->first = (unsigned)atoi(line + 2);
			char *h = field(line, 2);
			r->plain_len = strcmp(h, "-") ? lg_unhex_any(h, r->plain, sizeof(r->plain)) : 0;
			ck_assert_int_ge(r->plain_len, 0);
		} else if (line[0] == 'I') {
			snprintf(r->inner, sizeof(r->inner), "%s", field(line, 1));
		}
	}
	return have;
}

static void check_record(const struct record *r, size_t *n_inner)
{
	static struct ike_payload_list outer, inner;
	static char got[16384];
	static uint8_t buf[4096];
	struct ike_header h;
	const uint8_t *plain;
	size_t plain_len;

	ck_assert_int_eq(ike_header_parse(r->msg, (size_t)r->len, &h), 0);
	ck_assert_uint_eq(h.exchange, r->exchange);
	ck_assert_uint_eq(h.msg_id, r->msg_id);
	ck_assert_uint_eq(h.flags, r->flags);
	ck_assert_int_eq(ike_payloads_split(h.next_payload, r->msg + IKEV2_HEADER_LEN,
					    (size_t)r->len - IKEV2_HEADER_LEN, &outer), 0);
	canon_list(&outer, got, sizeof(got));
	ck_assert_msg(strcmp(got, r->outer) == 0, "frame %u outer\n got %s\nwant %s", r->frame, got,
		      r->outer);
	if (!r->sk)
		return;
	memcpy(buf, r->msg, (size_t)r->len);
	const struct ike_payload *sk = &outer.p[outer.n - 1];
	size_t aad = (size_t)(sk->body - r->msg);
	ck_assert_int_eq(ike_sk_decrypt(r->encr, r->key, buf, aad, (size_t)r->len, &plain,
					&plain_len), 0);
	/* the reference plaintext ends with the pad length byte (0: AEAD, no padding) */
	ck_assert_uint_eq(plain_len + 1, (size_t)r->plain_len);
	ck_assert_uint_eq(r->plain[plain_len], 0);
	if (plain_len)
		ck_assert_mem_eq(plain, r->plain, plain_len);
	ck_assert_uint_eq(outer.sk_next, r->first);
	ck_assert_int_eq(ike_payloads_split(outer.sk_next, plain, plain_len, &inner), 0);
	canon_list(&inner, got, sizeof(got));
	ck_assert_msg(strcmp(got, r->inner) == 0, "frame %u inner\n got %s\nwant %s", r->frame, got,
		      r->inner);
	*n_inner += inner.n;
	/* one flipped bit anywhere in the message: the AEAD refuses it */
	memcpy(buf, r->msg, (size_t)r->len);
	buf[(r->frame * 7) % r->len] ^= 0x10;
	ck_assert_int_ne(ike_sk_decrypt(r->encr, r->key, buf, aad, (size_t)r->len, &plain,
					&plain_len), 0);
}

/* Every truncation of the message is refused (declared length != size). */
static void check_truncations(const struct record *r)
{
	struct ike_header h;
	static struct ike_payload_list l;

	for (long cut = 0; cut < r->len; cut++)
		ck_assert_int_ne(ike_header_parse(r->msg, (size_t)cut, &h), 0);
	/* and the chain alone, shortened, never parses past its end */
	ck_assert_int_eq(ike_header_parse(r->msg, (size_t)r->len, &h), 0);
	for (long cut = 1; cut < r->len - IKEV2_HEADER_LEN; cut++)
		ck_assert_int_ne(ike_payloads_split(h.next_payload, r->msg + IKEV2_HEADER_LEN,
						    (size_t)cut, &l), 0);
}

static void run_set(const char *set, size_t want_msgs)
{
	char path[512];
	const char *dir = getenv("LG_VECTORS");
	static struct record r;
	size_t n = 0, n_sk = 0, n_inner = 0;
	FILE *f;

	ck_assert_ptr_nonnull(dir);
	snprintf(path, sizeof(path), "%s/ike_msgs_%s.txt", dir, set);
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	while (read_record(f, &r)) {
		check_record(&r, &n_inner);
		check_truncations(&r);
		n++;
		n_sk += r.sk;
	}
	fclose(f);
	ck_assert_uint_eq(n, want_msgs);
	ck_assert_uint_eq(n_sk, want_msgs - 2);   /* all but the IKE_SA_INIT pair */
	ck_assert_uint_gt(n_inner, 30);
}

START_TEST(chacha_psk) { run_set("chacha20poly1305-psk", 20); }
END_TEST
START_TEST(chacha_ed25519) { run_set("chacha20poly1305-ed25519", 20); }
END_TEST
START_TEST(aesgcm_psk) { run_set("aes256gcm16-psk", 20); }
END_TEST

/* Builders round-trip through the decoders (numbered table). */
START_TEST(builders_round_trip)
{
	static struct ike_builder b;
	static struct ike_payload_list l;
	static const struct conf_proposal props[2] = {
		{ IKEV2_ENCR_CHACHA20_POLY1305, 0, IKEV2_PRF_HMAC_SHA2_256, IKEV2_DH_CURVE25519, 0 },
		{ IKEV2_ENCR_AES_GCM_16, 256, IKEV2_PRF_HMAC_SHA2_512, IKEV2_DH_CURVE25519, 0 },
	};
	static const char *const want[] = {
		/* 1 */ "SA/p1.1.-:1.28.0:2.5.0:4.31.0/p2.1.-:1.20.256:2.7.0:4.31.0",
		/* 2 */ "SA/p1.3.01020304:1.28.0:4.31.0:5.0.0/p2.3.01020304:1.20.256:4.31.0:5.0.0",
		/* 3 */ "N.16393.3.01020304.-",
		/* 4 */ "D.3.01020304,a0b0c0d0",
		/* 5 */ "D.1.-",
		/* 6 */ "TS/7.0.0-65535.10.212.1.0-10.212.1.255/8.0.0-65535.fd00::-fd00::ffff",
		/* 7 */ "ID.2.67772d612e69622e74657374",
		/* 8 */ "AUTH.14.0102",
		/* 9 */ "KE.31.32",
	};
	static const uint8_t spi8[8], spi4[4] = { 1, 2, 3, 4 }, auth[2] = { 1, 2 }, ke[32];
	const uint32_t spis[2] = { 0x01020304, 0xa0b0c0d0 };
	struct lg_prefix ts[2];
	char got[4096];

	lg_prefix_parse("10.212.1.0/24", &ts[0]);
	lg_prefix_parse("fd00::/112", &ts[1]);
	ike_build_start(&b, spi8, spi8, IKEV2_EXCHANGE_IKE_SA_INIT, IKEV2_FLAG_INITIATOR, 0);
	ike_build_sa(&b, props, 2, IKEV2_PROTO_IKE, NULL, 0, true);
	ike_build_sa(&b, props, 2, IKEV2_PROTO_ESP, spi4, 4, true);
	ike_build_notify(&b, IKEV2_PROTO_ESP, spi4, 4, IKEV2_NOTIFY_REKEY_SA, NULL, 0);
	ike_build_delete_esp(&b, spis, 2);
	ike_build_delete_ike(&b);
	ike_build_ts(&b, IKEV2_PAYLOAD_TSi, ts, 2);
	ike_build_id(&b, IKEV2_PAYLOAD_IDi, IKEV2_ID_FQDN, (const uint8_t *)"gw-a.ib.test", 12);
	ike_build_auth(&b, IKEV2_AUTH_DIGITAL_SIGNATURE, auth, 2);
	ike_build_ke(&b, IKEV2_DH_CURVE25519, ke, 32);
	ck_assert_int_eq(ike_build_finish(&b), 0);
	struct ike_header h;
	ck_assert_int_eq(ike_header_parse(b.buf, b.len, &h), 0);
	ck_assert_int_eq(ike_payloads_split(h.next_payload, b.buf + 28, b.len - 28, &l), 0);
	ck_assert_uint_eq(l.n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < l.n; i++) {
		canon(&l.p[i], got, sizeof(got));
		ck_assert_msg(strcmp(got, want[i]) == 0, "%zu: got %s want %s", i + 1, got, want[i]);
	}
}
END_TEST

/* Malformed bodies each decoder must refuse (numbered table). */
START_TEST(decoders_refuse)
{
	static const struct {
		uint8_t type;
		const char *hex;
	} bad[] = {
		/* 1 SA: proposal length below 8 */ { IKEV2_PAYLOAD_SA, "00000004" },
		/* 2 SA: transform count 0 */ { IKEV2_PAYLOAD_SA, "0000000801010000" },
		/* 3 SA: transform overruns the proposal */
		{ IKEV2_PAYLOAD_SA, "0000000c0101000100000010" },
		/* 4 SA: 'more' flag on the last proposal */
		{ IKEV2_PAYLOAD_SA, "020000100101000100000008010000 1c" },
		/* 5 Nonce: 15 bytes */ { IKEV2_PAYLOAD_NONCE, "000102030405060708090a0b0c0d0e" },
		/* 6 ID IPv4 with 5 bytes */ { IKEV2_PAYLOAD_IDi, "010000000a0000010a" },
		/* 7 Delete ESP: count says 2, one SPI */ { IKEV2_PAYLOAD_DELETE, "0304000201020304" },
		/* 8 Delete IKE with an SPI size */ { IKEV2_PAYLOAD_DELETE, "01080000" },
		/* 9 TS: start above end */
		{ IKEV2_PAYLOAD_TSi, "01000000070000100000ffff0ad402000ad401ff" },
		/* 10 TS: IPv6 type with IPv4 length */
		{ IKEV2_PAYLOAD_TSi, "01000000080000100000ffff0ad401000ad401ff" },
		/* 11 TS: zero selectors */ { IKEV2_PAYLOAD_TSi, "00000000" },
		/* 12 Notify: SPI size beyond the body */ { IKEV2_PAYLOAD_NOTIFY, "03044009aabb" },
		/* 13 KE: no data */ { IKEV2_PAYLOAD_KE, "001f0000" },
		/* 14 AUTH: no data */ { IKEV2_PAYLOAD_AUTH, "02000000" },
	};
	uint8_t body[64];
	char hex[160];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t k = 0;
		for (const char *s = bad[i].hex; *s; s++)
			if (*s != ' ')
				hex[k++] = *s;
		hex[k] = '\0';
		long n = lg_unhex_any(hex, body, sizeof(body));
		ck_assert_int_ge(n, 0);
		struct ike_payload p = { .type = bad[i].type, .body = body, .len = (size_t)n };
		int r;
		static struct ike_sa_payload sa;
		static struct ike_ts_payload ts;
		struct ike_delete d;
		struct ike_id id;
		struct ike_notify nt;
		struct ike_ke ke;
		struct ike_auth a;
		const uint8_t *no;
		size_t nl;
		switch (bad[i].type) {
		case IKEV2_PAYLOAD_SA: r = ike_decode_sa(&p, &sa); break;
		case IKEV2_PAYLOAD_NONCE: r = ike_decode_nonce(&p, &no, &nl); break;
		case IKEV2_PAYLOAD_IDi: r = ike_decode_id(&p, &id); break;
		case IKEV2_PAYLOAD_DELETE: r = ike_decode_delete(&p, &d); break;
		case IKEV2_PAYLOAD_TSi: r = ike_decode_ts(&p, &ts); break;
		case IKEV2_PAYLOAD_NOTIFY: r = ike_decode_notify(&p, &nt); break;
		case IKEV2_PAYLOAD_KE: r = ike_decode_ke(&p, &ke); break;
		default: r = ike_decode_auth(&p, &a); break;
		}
		ck_assert_msg(r < 0, "bad body %zu accepted", i + 1);
	}
}
END_TEST

/* Chain-level rules (numbered): SK last, critical unknown refused. */
START_TEST(chain_rules)
{
	static struct ike_payload_list l;
	uint8_t sk_not_last[] = { 0x2e, 0, 0, 4, 0, 0, 0, 4 };   /* SK then a trailing payload */
	uint8_t critical_unknown[] = { 0, 0x80, 0, 4 };
	uint8_t noncritical_unknown[] = { 0, 0x00, 0, 4 };
	uint8_t short_len[] = { 0, 0, 0, 3 };

	/* 1 */ ck_assert_int_lt(ike_payloads_split(IKEV2_PAYLOAD_SK, sk_not_last, 8, &l), 0);
	/* 2 */ ck_assert_int_eq(ike_payloads_split(100, critical_unknown, 4, &l), -EOPNOTSUPP);
	/* 3 */ ck_assert_int_eq(ike_payloads_split(100, noncritical_unknown, 4, &l), 0);
	/* 4 */ ck_assert_int_lt(ike_payloads_split(IKEV2_PAYLOAD_NONCE, short_len, 4, &l), 0);
	/* 5 trailing garbage after the last payload */
	uint8_t trailing[] = { 0, 0, 0, 4, 0xff };
	ck_assert_int_lt(ike_payloads_split(IKEV2_PAYLOAD_VENDOR, trailing, 5, &l), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ike_vectors");
	TCase *t = tcase_create("wire");
	tcase_set_timeout(t, 120);
	tcase_add_test(t, chacha_psk);
	tcase_add_test(t, chacha_ed25519);
	tcase_add_test(t, aesgcm_psk);
	tcase_add_test(t, builders_round_trip);
	tcase_add_test(t, decoders_refuse);
	tcase_add_test(t, chain_rules);
	suite_add_tcase(s, t);
	return lg_check_run(s);
}

/* ESP with AES-CBC + HMAC-SHA2 (cbc.c through esp_encrypt / esp_decrypt):
 * AES-CBC against RFC 3602 §4 cases 1-2; every suite (AES-128/256 x
 * SHA-256/384/512, with and without ESN) against an independent
 * encapsulation built here with OpenSSL (EVP AES-CBC + HMAC): what linegate
 * sends, OpenSSL opens, and what OpenSSL builds, linegate opens. Forgeries
 * are refused before decryption and never move the replay window; the ESN
 * high half is in the ICV (RFC 4303 §3.3.2.1); bad lengths and padding.
 * And real strongSwan 5.9.8 packets, one capture per HMAC-SHA2 size
 * (tests/vectors/esp_*-psk.txt, from tools/esp_cbc_vectors.py): each
 * decrypts to the captured inner packet, a copy is a replay, a changed
 * byte a forgery. */
#include <endian.h>
#include <errno.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include "test_esp_util.h"
#include "check_main.h"

struct suite {
	unsigned keybits;
	int integ;
	const char *md;
	size_t icv;
};

static const struct suite suites[] = {
	{ 128, IKEV2_INTEG_HMAC_SHA2_256_128, "SHA256", 16 },
	{ 128, IKEV2_INTEG_HMAC_SHA2_384_192, "SHA384", 24 },
	{ 128, IKEV2_INTEG_HMAC_SHA2_512_256, "SHA512", 32 },
	{ 256, IKEV2_INTEG_HMAC_SHA2_256_128, "SHA256", 16 },
	{ 256, IKEV2_INTEG_HMAC_SHA2_384_192, "SHA384", 24 },
	{ 256, IKEV2_INTEG_HMAC_SHA2_512_256, "SHA512", 32 },
};
enum { N_SUITES = sizeof(suites) / sizeof(suites[0]) };

static struct esp_child_params cbc_child(const struct suite *s, bool esn)
{
	struct esp_child_params p = child(1, 0x1000, 0x2000, "10.1.0.0/16", "10.2.0.0/16");

	p.cipher = ESP_CIPHER_AES_CBC;
	p.cipher_keybits = (uint16_t)s->keybits;
	p.integ = (uint16_t)s->integ;
	p.esn = esn;
	memset(p.salt_in, 0, 4);
	memset(p.salt_out, 0, 4);
	for (int i = 0; i < 64; i++) {
		p.integ_in[i] = (uint8_t)(0xa0 ^ i);
		p.integ_out[i] = (uint8_t)(0x50 ^ i);
	}
	for (int i = 0; i < 32; i++)
		p.key_out[i] = (uint8_t)(0x11 * i + 3);
	return p;
}

static struct esp_child_params cbc_mirror(const struct esp_child_params *a)
{
	struct esp_child_params b = mirror(a);

	memcpy(b.integ_in, a->integ_out, 64);
	memcpy(b.integ_out, a->integ_in, 64);
	return b;
}

static const EVP_CIPHER *aes(unsigned keybits)
{
	return keybits == 128 ? EVP_aes_128_cbc() : EVP_aes_256_cbc();
}

/* HMAC(key, data [|| seq_hi]) truncated, by OpenSSL. */
static void ref_icv(const struct suite *s, const uint8_t *key, const uint8_t *data, size_t len,
		    bool esn, uint32_t seq_hi, uint8_t *icv)
{
	uint8_t full[64], tmp[ESP_BUF_SIZE];
	unsigned n = 0;
	uint32_t hi = htobe32(seq_hi);

	memcpy(tmp, data, len);
	if (esn)
		memcpy(tmp + len, &hi, 4);
	ck_assert_ptr_nonnull(HMAC(EVP_get_digestbyname(s->md), key, (int)(s->icv * 2), tmp,
				   len + (esn ? 4 : 0), full, &n));
	memcpy(icv, full, s->icv);
}

/* In place, no padding (the caller padded); returns false on error. */
static bool ref_cbc(bool enc, unsigned keybits, const uint8_t *key, const uint8_t *iv,
		    uint8_t *buf, size_t len)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int out = 0, fin = 0;
	bool ok = c && EVP_CipherInit_ex(c, aes(keybits), NULL, key, iv, enc) == 1 &&
		  EVP_CIPHER_CTX_set_padding(c, 0) == 1 &&
		  EVP_CipherUpdate(c, buf, &out, buf, (int)len) == 1 &&
		  EVP_CipherFinal_ex(c, buf + out, &fin) == 1 && (size_t)(out + fin) == len;
	EVP_CIPHER_CTX_free(c);
	return ok;
}

/* The reference encapsulation of inner (with padding `pad_style`: 0 =
 * 1,2,3..., 1 = wrong padding byte) under the sender's outbound keys. */
static size_t ref_seal(const struct suite *s, const struct esp_child_params *tx, uint64_t seq,
		       const uint8_t *inner, size_t inner_len, uint8_t nh, int pad_style,
		       uint8_t *pkt)
{
	uint32_t spi = htobe32(tx->spi_out), lo = htobe32((uint32_t)seq);
	size_t pad = (16 - (inner_len + 2) % 16) % 16, ct_len = inner_len + pad + 2;
	uint8_t *ct = pkt + 24;

	memcpy(pkt, &spi, 4);
	memcpy(pkt + 4, &lo, 4);
	for (int i = 0; i < 16; i++)
		pkt[8 + i] = (uint8_t)(seq * 31 + (uint64_t)i);
	memcpy(ct, inner, inner_len);
	for (size_t i = 0; i < pad; i++)
		ct[inner_len + i] = (uint8_t)(i + 1);
	if (pad_style == 1 && pad)
		ct[inner_len + pad - 1] ^= 0x40;
	ct[inner_len + pad] = (uint8_t)pad;
	ct[inner_len + pad + 1] = nh;
	ck_assert(ref_cbc(true, s->keybits, tx->key_out, pkt + 8, ct, ct_len));
	ref_icv(s, tx->integ_out, pkt, 24 + ct_len, tx->esn, (uint32_t)(seq >> 32), ct + ct_len);
	return 24 + ct_len + s->icv;
}

struct pair {
	struct esp_table *tx, *rx;
	struct esp_worker *wt, *wr;
	struct esp_child_params ptx, prx;
};

static void pair_up(struct pair *p, const struct suite *s, bool esn)
{
	p->ptx = cbc_child(s, esn);
	p->prx = cbc_mirror(&p->ptx);
	p->tx = esp_table_new();
	p->rx = esp_table_new();
	ck_assert_int_eq(esp_table_install(p->tx, &p->ptx), 0);
	ck_assert_int_eq(esp_table_install(p->rx, &p->prx), 0);
	p->wt = esp_worker_new(p->tx);
	p->wr = esp_worker_new(p->rx);
}

static void pair_down(struct pair *p)
{
	esp_worker_free(p->wt);
	esp_worker_free(p->wr);
	esp_table_free(p->tx);
	esp_table_free(p->rx);
}

START_TEST(rfc3602_cases)
{
	static const struct { const char *key, *iv, *pt, *ct; } v[] = {
		{ "06a9214036b8a15b512e03d534120006", "3dafba429d9eb430b422da802c9fac41",
		  "53696e676c6520626c6f636b206d7367", "e353779c1079aeb82708942dbe77181a" },
		{ "c286696d887c9aa0611bbb3e2025a45a", "562e17996d093d28ddb3ba695a2e6f58",
		  "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		  "d296cd94c2cccf8a3a863028b5e1dc0a7586602d253cfff91b8266bea6d61ab1" },
	};
	const struct suite *s = &suites[0];

	for (size_t i = 0; i < 2; i++) {
		uint8_t key[16], pkt[24 + 32 + 16], pt[32], ct[32];
		size_t n = unhex(v[i].pt, pt, sizeof(pt));
		struct esp_cbc c;
		uint8_t ikey[32] = { 7 };

		ck_assert_uint_eq(unhex(v[i].ct, ct, sizeof(ct)), n);
		unhex(v[i].key, key, sizeof(key));
		memset(pkt, 0, sizeof(pkt));
		unhex(v[i].iv, pkt + 8, 16);
		memcpy(pkt + 24, ct, n);
		ref_icv(s, ikey, pkt, 24 + n, false, 0, pkt + 24 + n);
		ck_assert_int_eq(esp_cbc_init(&c, 128, s->integ, key, ikey, false), 0);
		ck_assert(esp_cbc_open(&c, pkt, 1, false, n));
		ck_assert_msg(!memcmp(pkt + 24, pt, n), "case %zu", i + 1);
		/* one bit of the ICV wrong: refused, the ciphertext untouched */
		memcpy(pkt + 24, ct, n);
		pkt[24 + n] ^= 1;
		ck_assert(!esp_cbc_open(&c, pkt, 1, false, n));
		ck_assert(!memcmp(pkt + 24, ct, n));
	}
}
END_TEST

/* linegate -> OpenSSL and OpenSSL -> linegate, every suite, ESN or not. */
START_TEST(both_ways_every_suite)
{
	const struct suite *s = &suites[_i / 2];
	bool esn = _i % 2;
	static uint8_t buf[ESP_BUF_SIZE], inner[2048], pkt[4096];
	uint8_t last_iv[16] = { 0 };
	struct pair p;

	pair_up(&p, s, esn);
	if (esn) {   /* past 2^32: the high half matters */
		ck_assert_int_eq(esp_table_test_set_seq_out(p.tx, 1, UINT64_C(0x100000000) + 7), 0);
		ck_assert_int_eq(esp_table_test_set_replay_top(p.rx, 1, UINT64_C(0x100000000) + 7), 0);
	}
	const size_t lens[] = { 20, 21, 28, 29, 40, 60, 84, 1280, 1400, 1500 };
	for (size_t k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
		size_t n = make_inner(buf, k % 2 ? "10.1.0.5" : "10.1.0.6", "10.2.3.4", lens[k]);
		if (k == 4)
			n = make_inner(buf, "fd00::1", "fd00::2", 40);   /* outside: selector */
		memcpy(inner, buf + ESP_HEADROOM, n);
		size_t len = 0;
		struct esp_route r;
		enum esp_verdict v = esp_encrypt(p.wt, buf, n, &len, &r);
		if (k == 4) {
			ck_assert_int_eq(v, ESP_DROP_NO_SA);
			continue;
		}
		ck_assert_int_eq(v, ESP_OK);
		/* layout: 24 + blocks + ICV; a fresh IV every packet */
		ck_assert_uint_eq((len - 24 - s->icv) % 16, 0);
		ck_assert_uint_ge(len, n + 24 + 2 + s->icv);
		ck_assert_uint_lt(len, n + 24 + 2 + 16 + s->icv);
		ck_assert(memcmp(last_iv, buf + 8, 16));
		memcpy(last_iv, buf + 8, 16);
		uint64_t seq = be32toh(*(uint32_t *)(buf + 4)) | (esn ? UINT64_C(1) << 32 : 0);

		/* OpenSSL checks our ICV (ESN high half included) and decrypts */
		uint8_t icv[32], *ct = buf + 24;
		size_t ct_len = len - 24 - s->icv;
		ref_icv(s, p.ptx.integ_out, buf, 24 + ct_len, esn, (uint32_t)(seq >> 32), icv);
		ck_assert(!memcmp(icv, ct + ct_len, s->icv));
		if (esn) {   /* and not without it */
			ref_icv(s, p.ptx.integ_out, buf, 24 + ct_len, false, 0, icv);
			ck_assert(memcmp(icv, ct + ct_len, s->icv));
		}
		memcpy(pkt, buf, len);
		ck_assert(ref_cbc(false, s->keybits, p.ptx.key_out, pkt + 8, pkt + 24, ct_len));
		ck_assert(!memcmp(pkt + 24, inner, n));
		uint8_t pad = pkt[24 + ct_len - 2];
		ck_assert_uint_eq(pkt[24 + ct_len - 1], 4);
		ck_assert_uint_eq(n + pad + 2, ct_len);
		for (uint8_t i = 1; i <= pad; i++)
			ck_assert_uint_eq(pkt[24 + n + i - 1], i);

		/* ours back through linegate's receiver */
		size_t out = 0;
		ck_assert_int_eq(esp_decrypt(p.wr, buf, len, &out, NULL), ESP_OK);
		ck_assert_uint_eq(out, n);
		ck_assert(!memcmp(buf + ESP_HEADROOM, inner, n));

		/* OpenSSL's packet (other IVs), seq after ours */
		uint64_t seq2 = seq + 1000;
		len = ref_seal(s, &p.ptx, seq2, inner, n, 4, 0, buf);
		ck_assert_int_eq(esp_decrypt(p.wr, buf, len, &out, NULL), ESP_OK);
		ck_assert_uint_eq(out, n);
		ck_assert(!memcmp(buf + ESP_HEADROOM, inner, n));
		ck_assert_int_eq(esp_table_test_set_seq_out(p.tx, 1, seq2), 0);
	}
	pair_down(&p);
}
END_TEST

/* A forged packet (any byte of header, IV, ciphertext or ICV changed) is
 * refused as auth, is not decrypted and leaves the window as it was: the
 * genuine packet with that number is accepted afterwards. */
START_TEST(forgery_never_moves_window)
{
	const struct suite *s = &suites[_i];
	static uint8_t buf[ESP_BUF_SIZE], good[4096];
	struct pair p;
	struct esp_route r;

	pair_up(&p, s, false);
	size_t n = make_inner(buf, "10.1.0.5", "10.2.3.4", 100), len = 0, out;
	ck_assert_int_eq(esp_encrypt(p.wt, buf, n, &len, &r), ESP_OK);
	memcpy(good, buf, len);
	for (size_t at = 4; at < len; at += (at < 40 ? 1 : 7)) {
		memcpy(buf, good, len);
		buf[at] ^= 0x20;
		enum esp_verdict v = esp_decrypt(p.wr, buf, len, &out, NULL);
		ck_assert_msg(v == ESP_DROP_AUTH || (at < 8 && v == ESP_DROP_REPLAY),
			      "byte %zu: %s", at, esp_verdict_name(v));
		if (at >= 24)   /* the ciphertext was not decrypted in place */
			ck_assert(!memcmp(buf + 24, good + 24, at - 24));
	}
	struct esp_child_stats st;
	ck_assert_int_eq(esp_table_stats(p.rx, 1, &st), 0);
	ck_assert_uint_eq(st.packets_in, 0);
	ck_assert_uint_gt(st.auth_drops, 0);
	memcpy(buf, good, len);
	ck_assert_int_eq(esp_decrypt(p.wr, buf, len, &out, NULL), ESP_OK);
	memcpy(buf, good, len);
	ck_assert_int_eq(esp_decrypt(p.wr, buf, len, &out, NULL), ESP_DROP_REPLAY);
	pair_down(&p);
}
END_TEST

START_TEST(lengths_and_padding)
{
	const struct suite *s = &suites[3];
	static uint8_t buf[ESP_BUF_SIZE], inner[256];
	struct pair p;
	size_t out;

	pair_up(&p, s, false);
	size_t n = make_inner(buf, "10.1.0.5", "10.2.3.4", 61);
	memcpy(inner, buf + ESP_HEADROOM, n);
	/* authenticated but padded 1,2,..,x^0x40: padding */
	size_t len = ref_seal(s, &p.ptx, 1, inner, n, 4, 1, buf);
	ck_assert_int_eq(esp_decrypt(p.wr, buf, len, &out, NULL), ESP_DROP_PADDING);
	/* next header 59: an authenticated dummy */
	len = ref_seal(s, &p.ptx, 2, inner, n, 59, 0, buf);
	ck_assert_int_eq(esp_decrypt(p.wr, buf, len, &out, NULL), ESP_DROP_DUMMY);
	/* ciphertext not a whole number of blocks, or none at all */
	len = ref_seal(s, &p.ptx, 3, inner, n, 4, 0, buf);
	for (size_t cut = 1; cut < 16; cut++)
		ck_assert_int_eq(esp_decrypt(p.wr, buf, len - cut, &out, NULL), ESP_DROP_MALFORMED);
	ck_assert_int_eq(esp_decrypt(p.wr, buf, 24 + s->icv, &out, NULL), ESP_DROP_MALFORMED);
	ck_assert_int_eq(esp_decrypt(p.wr, buf, 24 + 15 + s->icv, &out, NULL), ESP_DROP_MALFORMED);
	ck_assert_int_eq(esp_decrypt(p.wr, buf, len, &out, NULL), ESP_OK);
	/* the largest inner packet that fits the buffer, and one byte more */
	struct esp_route r;
	size_t big = ESP_BUF_SIZE - 24 - 15 - 2 - 32;
	n = make_inner(buf, "10.1.0.5", "10.2.3.4", big + 1);
	ck_assert_int_eq(esp_encrypt(p.wt, buf, n, &len, &r), ESP_DROP_MALFORMED);
	n = make_inner(buf, "10.1.0.5", "10.2.3.4", big);
	ck_assert_int_eq(esp_encrypt(p.wt, buf, n, &len, &r), ESP_OK);
	ck_assert_uint_le(len, ESP_BUF_SIZE);
	pair_down(&p);
}
END_TEST

START_TEST(install_checks)
{
	struct esp_table *t = esp_table_new();
	struct esp_child_params p = cbc_child(&suites[0], false);

	p.cipher_keybits = 192;
	ck_assert_int_eq(esp_table_install(t, &p), -EINVAL);
	p.cipher_keybits = 128;
	p.integ = 2;   /* HMAC-SHA1-96: not offered */
	ck_assert_int_eq(esp_table_install(t, &p), -EINVAL);
	p.integ = 0;
	ck_assert_int_eq(esp_table_install(t, &p), -EINVAL);
	p = child(1, 0x1000, 0x2000, "10.1.0.0/16", "10.2.0.0/16");
	p.integ = IKEV2_INTEG_HMAC_SHA2_256_128;   /* an AEAD takes none */
	ck_assert_int_eq(esp_table_install(t, &p), -EINVAL);
	p = cbc_child(&suites[5], true);
	ck_assert_int_eq(esp_table_install(t, &p), 0);
	esp_table_free(t);
}
END_TEST

struct cbc_line {
	unsigned frame, keybits, integ;
	uint32_t spi;
	unsigned long long seq;
	uint8_t key[32], ikey[64], packet[2048], inner[2048];
	char local[64], remote[64];
	size_t key_len, ikey_len, packet_len, inner_len;
};

static bool read_cbc_line(FILE *f, struct cbc_line *l)
{
	static char line[16384], key[128], ikey[160], pkt[8192], inner[8192];

	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		ck_assert_int_eq(sscanf(line, "%u %u %u %x %llu %127s %159s %63s %63s %8191s %8191s",
					&l->frame, &l->keybits, &l->integ, &l->spi, &l->seq, key, ikey,
					l->local, l->remote, pkt, inner), 11);
		l->key_len = unhex(key, l->key, sizeof(l->key));
		l->ikey_len = unhex(ikey, l->ikey, sizeof(l->ikey));
		l->packet_len = unhex(pkt, l->packet, sizeof(l->packet));
		l->inner_len = unhex(inner, l->inner, sizeof(l->inner));
		return true;
	}
	return false;
}

/* One capture per HMAC (tests/vectors/README.md lists the proposals). */
static const char *const captures[] = {
	"esp_aes256-sha256-modp2048-psk.txt", "esp_aes128-sha256-ecp256-psk.txt",
	"esp_aes256-sha384-ecp384-psk.txt", "esp_aes128-sha512-modp3072-psk.txt",
};

START_TEST(strongswan_capture)
{
	static uint8_t buf[ESP_BUF_SIZE];
	char path[512];
	const char *dir = getenv("LG_VECTORS");
	struct cbc_line l;
	unsigned n = 0;

	snprintf(path, sizeof(path), "%s/%s", dir ? dir : "vectors", captures[_i]);
	FILE *f = fopen(path, "r");
	ck_assert_msg(f, "cannot open %s", path);
	while (read_cbc_line(f, &l)) {
		struct esp_table *t = esp_table_new();
		struct esp_worker *w = esp_worker_new(t);
		struct esp_child_params p = child(1, l.spi, 0x7fff0001u, l.local, l.remote);
		size_t out = 0;

		p.cipher = ESP_CIPHER_AES_CBC;
		p.cipher_keybits = (uint16_t)l.keybits;
		p.integ = (uint16_t)l.integ;
		ck_assert_uint_eq(l.key_len * 8, l.keybits);
		memset(p.key_in, 0, sizeof(p.key_in));
		memcpy(p.key_in, l.key, l.key_len);
		memcpy(p.integ_in, l.ikey, l.ikey_len);
		ck_assert_int_eq(esp_table_install(t, &p), 0);
		memcpy(buf, l.packet, l.packet_len);
		buf[30] ^= 1;   /* a ciphertext bit: forged, and the window stays */
		ck_assert_int_eq(esp_decrypt(w, buf, l.packet_len, &out, NULL), ESP_DROP_AUTH);
		memcpy(buf, l.packet, l.packet_len);
		ck_assert_msg(esp_decrypt(w, buf, l.packet_len, &out, NULL) == ESP_OK, "frame %u",
			      l.frame);
		ck_assert_uint_eq(out, l.inner_len);
		ck_assert_msg(!memcmp(buf + ESP_HEADROOM, l.inner, out), "frame %u", l.frame);
		memcpy(buf, l.packet, l.packet_len);
		ck_assert_int_eq(esp_decrypt(w, buf, l.packet_len, &out, NULL), ESP_DROP_REPLAY);
		esp_worker_free(w);
		esp_table_free(t);
		n++;
	}
	fclose(f);
	ck_assert_uint_ge(n, 20);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("esp_cbc");
	TCase *tc = tcase_create("cbc");
	tcase_add_test(tc, rfc3602_cases);
	tcase_add_loop_test(tc, both_ways_every_suite, 0, 2 * N_SUITES);
	tcase_add_loop_test(tc, forgery_never_moves_window, 0, N_SUITES);
	tcase_add_test(tc, lengths_and_padding);
	tcase_add_test(tc, install_checks);
	tcase_add_loop_test(tc, strongswan_capture, 0, sizeof(captures) / sizeof(captures[0]));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return lg_check_run(suite());
}

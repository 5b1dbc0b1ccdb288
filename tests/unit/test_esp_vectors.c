/* Real strongSwan 5.9.8 ESP packets (tests/vectors/esp_<set>.txt, converted
 * from the captures by tests/vectors/tools/esp_vectors.py): every packet must
 * decrypt to the captured inner packet, and encrypting that inner packet with
 * the same key, SPI, sequence number and IV must give the captured bytes.
 * strongSwan's IV is seq ^ a random per-SA mask (iv_gen_seq); the mask is
 * recovered from the capture (IV ^ seq) and set through the test hook. Also
 * the RFC 7634 Appendix A ESP example as a whole packet. */
#include <errno.h>
#include "test_esp_util.h"
#include "check_main.h"

struct esp_line {
	unsigned frame, cipher;
	uint32_t spi;
	uint64_t seq;
	uint8_t key_salt[36], iv[8];
	char local[64], remote[64];
	uint8_t packet[2048], inner[2048];
	size_t packet_len, inner_len;
};

static bool read_line(FILE *f, struct esp_line *l)
{
	char line[16384], key[128], iv[32], pkt[8192], inner[8192];
	unsigned long long seq;

	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		ck_assert_int_eq(sscanf(line, "%u %u %x %llu %127s %31s %63s %63s %8191s %8191s",
					&l->frame, &l->cipher, &l->spi, &seq, key, iv, l->local,
					l->remote, pkt, inner), 10);
		l->seq = seq;
		ck_assert_uint_eq(unhex(key, l->key_salt, 36), 36);
		ck_assert_uint_eq(unhex(iv, l->iv, 8), 8);
		l->packet_len = unhex(pkt, l->packet, sizeof(l->packet));
		l->inner_len = unhex(inner, l->inner, sizeof(l->inner));
		return true;
	}
	return false;
}

static FILE *open_set(const char *set)
{
	char path[512];
	const char *dir = getenv("LG_VECTORS");

	snprintf(path, sizeof(path), "%s/esp_%s.txt", dir ? dir : "vectors", set);
	FILE *f = fopen(path, "r");
	ck_assert_msg(f, "cannot open %s", path);
	return f;
}

static struct esp_child_params line_child(const struct esp_line *l, uint32_t id, bool receiver)
{
	struct esp_child_params p = receiver ? child(id, l->spi, 0x7fff0000u + id, l->local, l->remote)
					     : child(id, 0x7fff0000u + id, l->spi, l->remote, l->local);
	p.cipher = (enum esp_cipher)l->cipher;
	memcpy(receiver ? p.key_in : p.key_out, l->key_salt, 32);
	memcpy(receiver ? p.salt_in : p.salt_out, l->key_salt + 32, 4);
	return p;
}

static const char *const sets[] = { "chacha20poly1305-psk", "chacha20poly1305-ed25519" };

START_TEST(decrypt_every_captured_packet)
{
	struct esp_table *t = esp_table_new();
	struct esp_worker *w = esp_worker_new(t);
	static struct esp_line l;
	static uint8_t buf[ESP_BUF_SIZE];
	uint32_t spis[64];
	size_t n_spis = 0, n_packets = 0;
	FILE *f = open_set(sets[_i]);

	while (read_line(f, &l)) {
		size_t k = 0;
		while (k < n_spis && spis[k] != l.spi)
			k++;
		if (k == n_spis) {
			struct esp_child_params p = line_child(&l, (uint32_t)k + 1, true);
			ck_assert_int_eq(esp_table_install(t, &p), 0);
			spis[n_spis++] = l.spi;
		}
		size_t inner_len = 0;
		memcpy(buf, l.packet, l.packet_len);
		enum esp_verdict v = esp_decrypt(w, buf, l.packet_len, &inner_len, NULL);
		ck_assert_msg(v == ESP_OK, "frame %u: %s", l.frame, esp_verdict_name(v));
		ck_assert_uint_eq(inner_len, l.inner_len);
		ck_assert_msg(!memcmp(buf + ESP_HEADROOM, l.inner, inner_len), "frame %u", l.frame);
		/* the very same packet again is a replay */
		memcpy(buf, l.packet, l.packet_len);
		ck_assert_int_eq(esp_decrypt(w, buf, l.packet_len, &inner_len, NULL), ESP_DROP_REPLAY);
		esp_worker_quiescent(w);
		n_packets++;
	}
	fclose(f);
	ck_assert_uint_eq(n_packets, 24);   /* 12 pings, both ways */
	ck_assert_uint_eq(n_spis, 6);       /* 3 CHILD SAs, 2 directions */
	struct esp_child_stats st;
	ck_assert_int_eq(esp_table_stats(t, 1, &st), 0);
	ck_assert_uint_eq(st.packets_in, 6);
	ck_assert_uint_eq(st.replay_drops, 6);
	esp_worker_free(w);
	esp_table_free(t);
}
END_TEST

START_TEST(encrypt_reproduces_captured_bytes)
{
	static struct esp_line l;
	static uint8_t buf[ESP_BUF_SIZE];
	size_t n_packets = 0;
	FILE *f = open_set(sets[_i]);

	while (read_line(f, &l)) {
		struct esp_table *t = esp_table_new();
		struct esp_worker *w = esp_worker_new(t);
		struct esp_child_params p = line_child(&l, 1, false);
		uint64_t iv = 0;
		for (int i = 0; i < 8; i++)
			iv = iv << 8 | l.iv[i];
		ck_assert_int_eq(esp_table_install(t, &p), 0);
		ck_assert_int_eq(esp_table_test_set_iv_mask(t, 1, iv ^ l.seq), 0);
		ck_assert_int_eq(esp_table_test_set_seq_out(t, 1, l.seq - 1), 0);

		struct esp_route route;
		size_t esp_len = 0;
		memcpy(buf + ESP_HEADROOM, l.inner, l.inner_len);
		enum esp_verdict v = esp_encrypt(w, buf, l.inner_len, &esp_len, &route);
		ck_assert_msg(v == ESP_OK, "frame %u: %s", l.frame, esp_verdict_name(v));
		ck_assert_uint_eq(esp_len, l.packet_len);
		ck_assert_msg(!memcmp(buf, l.packet, esp_len), "frame %u differs", l.frame);
		ck_assert_int_eq(route.uplink, 1);
		esp_worker_free(w);
		esp_table_free(t);
		n_packets++;
	}
	fclose(f);
	ck_assert_uint_eq(n_packets, 24);
}
END_TEST

/* RFC 7634 Appendix A: SPI 0x01020304, seq 5, 198.51.100.5 -> 192.0.2.5. */
static const char rfc7634_esp[] =
	"01020304000000051011121314151617"
	"24039428b97f417e3c13753a4f05087b67c352e6a7fab1b982d466ef407ae5c6"
	"14ee8099d52844eb61aa95dfab4c02f72aa71e7c4c4f64c9befe2facc638e8f3"
	"cbec163fac469b502773f6fb94e664da9165b82829f641e076aaa8266b7fb0f7"
	"b11b369907e1ad43";
static const char rfc7634_inner[] =
	"45000054a6f200004001e778c6336405c000020508005b7a3a080000553bec10"
	"0007362708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223"
	"2425262728292a2b2c2d2e2f3031323334353637";

static struct esp_child_params rfc7634_child(bool receiver)
{
	struct esp_child_params p = receiver ? child(1, 0x01020304, 0x1000, "192.0.2.0/24", "198.51.100.0/24")
					     : child(1, 0x1000, 0x01020304, "198.51.100.0/24", "192.0.2.0/24");
	for (int i = 0; i < 32; i++)
		p.key_in[i] = p.key_out[i] = (uint8_t)(0x80 + i);
	memcpy(p.salt_in, "\xa0\xa1\xa2\xa3", 4);
	memcpy(p.salt_out, "\xa0\xa1\xa2\xa3", 4);
	return p;
}

START_TEST(rfc7634_esp_example)
{
	static uint8_t buf[ESP_BUF_SIZE], pkt[256], inner[128];
	size_t pkt_len = unhex(rfc7634_esp, pkt, sizeof(pkt));
	size_t inner_len = unhex(rfc7634_inner, inner, sizeof(inner)), out_len = 0;
	struct esp_table *rx = esp_table_new(), *tx = esp_table_new();
	struct esp_worker *wr = esp_worker_new(rx), *wt = esp_worker_new(tx);
	struct esp_child_params prx = rfc7634_child(true), ptx = rfc7634_child(false);
	struct esp_route route;

	ck_assert_int_eq(esp_table_install(rx, &prx), 0);
	ck_assert_int_eq(esp_table_install(tx, &ptx), 0);
	memcpy(buf, pkt, pkt_len);
	ck_assert_int_eq(esp_decrypt(wr, buf, pkt_len, &out_len, NULL), ESP_OK);
	ck_assert_uint_eq(out_len, inner_len);
	ck_assert(!memcmp(buf + ESP_HEADROOM, inner, inner_len));

	ck_assert_int_eq(esp_table_test_set_iv_mask(tx, 1, UINT64_C(0x1011121314151617) ^ 5), 0);
	ck_assert_int_eq(esp_table_test_set_seq_out(tx, 1, 4), 0);
	memcpy(buf + ESP_HEADROOM, inner, inner_len);
	ck_assert_int_eq(esp_encrypt(wt, buf, inner_len, &out_len, &route), ESP_OK);
	ck_assert_uint_eq(out_len, pkt_len);
	ck_assert(!memcmp(buf, pkt, pkt_len));
	esp_worker_free(wr);
	esp_worker_free(wt);
	esp_table_free(rx);
	esp_table_free(tx);
}
END_TEST

/* An ESN packet made by an independent implementation (Python
 * cryptography's ChaCha20Poly1305: AAD = SPI || seq_hi || seq_lo, nonce =
 * salt || IV) with the capture's first key: seq 0x1_fffff001, SPI 0xabcd,
 * inner = the capture's first ping. Also the fuzz seed esn-seq-1fffff001. */
static const char esn_packet[] =
	"0000abcdfffff00100000001fffff0013d1b02d12308680086ab1473b366bb951ca67eb8"
	"9fa1623e8fc599f861ad78e1a1aa63517f6d5765a614afef1f70475209a41751582983bc"
	"157562d792fa064aaf034739f9e1348bb20d6067ee44dff07e0a90f4d2220afb3d07cf74"
	"3cbe8ee96dc075685e347405";

START_TEST(esn_packet_independent)
{
	static struct esp_line l;
	static uint8_t buf[ESP_BUF_SIZE], pkt[256];
	FILE *f = open_set("chacha20poly1305-psk");
	size_t len = unhex(esn_packet, pkt, sizeof(pkt)), inner_len = 0;

	ck_assert(read_line(f, &l));   /* frame 5: its key and inner packet */
	fclose(f);
	struct esp_table *t = esp_table_new();
	struct esp_worker *w = esp_worker_new(t);
	l.spi = 0xabcd;
	struct esp_child_params p = line_child(&l, 1, true);
	p.esn = true;
	ck_assert_int_eq(esp_table_install(t, &p), 0);
	memcpy(buf, pkt, len);
	/* a fresh window infers seq_hi 0: wrong AAD, and the window stays */
	ck_assert_int_eq(esp_decrypt(w, buf, len, &inner_len, NULL), ESP_DROP_AUTH);
	ck_assert_int_eq(esp_table_test_set_replay_top(t, 1, UINT64_C(0x1fffff000)), 0);
	memcpy(buf, pkt, len);
	ck_assert_int_eq(esp_decrypt(w, buf, len, &inner_len, NULL), ESP_OK);
	ck_assert_uint_eq(inner_len, l.inner_len);
	ck_assert(!memcmp(buf + ESP_HEADROOM, l.inner, inner_len));
	/* the same bytes with the window in subspace 2 infer the wrong seq_hi */
	ck_assert_int_eq(esp_table_test_set_replay_top(t, 1, UINT64_C(0x2fffff000)), 0);
	memcpy(buf, pkt, len);
	ck_assert_int_eq(esp_decrypt(w, buf, len, &inner_len, NULL), ESP_DROP_AUTH);
	esp_worker_free(w);
	esp_table_free(t);
}
END_TEST

/* AES-256-GCM (RFC 4106) has no capture here: one ESP packet made by an
 * independent implementation (Python cryptography's AESGCM; nonce = salt ||
 * IV, AAD = SPI || seq) carrying an IPv6 packet (next header 41, padding
 * 1 2). Decrypts to the inner packet; encrypting that with the same SPI, seq
 * and IV gives the same bytes. */
static const char gcm_key_salt[] =
	"202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f" "decafbad";
static const char gcm_packet[] =
	"4106abcd0000002a0102030405060708812386baecc4f0c419b4a1e3f14615b10748af7d"
	"d7dbe540dd1770c7204c3f13c398e1f48d34ec47b35dfb074331dd1d7d8b052dc7953b20"
	"b4c8d99e0af574cf8aa425cc81029b255d7a73ba";
static const char gcm_inner[] =
	"6000000000101140fd020000000000000000000000000001fd0100000000000000000000"
	"00000002000102030405060708090a0b0c0d0e0f";

START_TEST(aes_gcm_packet_independent)
{
	static uint8_t buf[ESP_BUF_SIZE], pkt[256], inner[128], ks[36];
	size_t len = unhex(gcm_packet, pkt, sizeof(pkt)), inner_len;
	size_t want_len = unhex(gcm_inner, inner, sizeof(inner)), out_len;
	struct esp_route route;

	if (!esp_cipher_available(ESP_CIPHER_AES256_GCM16)) {
		fprintf(stderr, "aes_gcm_packet_independent: no AES-NI, skipped\n");
		return;
	}
	ck_assert_uint_eq(unhex(gcm_key_salt, ks, 36), 36);
	struct esp_table *rx = esp_table_new(), *tx = esp_table_new();
	struct esp_worker *wr = esp_worker_new(rx), *wt = esp_worker_new(tx);
	struct esp_child_params p = child(1, 0x4106abcd, 0x1000, "fd01::/16", "fd02::/16");
	p.cipher = ESP_CIPHER_AES256_GCM16;
	memcpy(p.key_in, ks, 32);
	memcpy(p.salt_in, ks + 32, 4);
	memcpy(p.key_out, ks, 32);
	memcpy(p.salt_out, ks + 32, 4);
	struct esp_child_params q = mirror(&p);
	ck_assert_int_eq(esp_table_install(rx, &p), 0);
	ck_assert_int_eq(esp_table_install(tx, &q), 0);

	memcpy(buf, pkt, len);
	ck_assert_int_eq(esp_decrypt(wr, buf, len, &inner_len, NULL), ESP_OK);
	ck_assert_uint_eq(inner_len, want_len);
	ck_assert(!memcmp(buf + ESP_HEADROOM, inner, want_len));

	ck_assert_int_eq(esp_table_test_set_iv_mask(tx, 1, UINT64_C(0x0102030405060708) ^ 0x2a), 0);
	ck_assert_int_eq(esp_table_test_set_seq_out(tx, 1, 0x29), 0);
	memcpy(buf + ESP_HEADROOM, inner, want_len);
	ck_assert_int_eq(esp_encrypt(wt, buf, want_len, &out_len, &route), ESP_OK);
	ck_assert_uint_eq(out_len, len);
	ck_assert(!memcmp(buf, pkt, len));
	esp_worker_free(wr);
	esp_worker_free(wt);
	esp_table_free(rx);
	esp_table_free(tx);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("esp_vectors");
	TCase *tc = tcase_create("captures");

	if (sodium_init() < 0)
		return EXIT_FAILURE;
	lg_log_open("test_esp_vectors", LOG_USER, false);
	tcase_add_loop_test(tc, decrypt_every_captured_packet, 0, 2);
	tcase_add_loop_test(tc, encrypt_reproduces_captured_bytes, 0, 2);
	tcase_add_test(tc, rfc7634_esp_example);
	tcase_add_test(tc, esn_packet_independent);
	tcase_add_test(tc, aes_gcm_packet_independent);
	suite_add_tcase(s, tc);
	return lg_check_run(s);
}

/* libFuzzer target for ESP decapsulation: every input is decrypted against a
 * fixed SA (the first CHILD SA of the chacha20poly1305-psk capture, SPI
 * 0x571e5ade, so the seeds authenticate and reach the trailer and inner
 * checks), an ESN SA and two AES-CBC + HMAC SAs (SPI 0x0000cbc0:
 * aes256-sha256; 0x0000cbc1: aes128-sha512 with ESN; the cbc-* seeds are
 * made with their keys by tests/fuzz/make_esp_cbc_seeds.py);
 * the replay windows are reset per input so the result depends on the input
 * alone. The input is also encrypted as an inner packet under the AEAD and
 * under AES-CBC and must decrypt back to itself (abort otherwise). */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "esp_internal.h"

static struct esp_table *tx, *tx_cbc, *rx;
static struct esp_worker *wtx, *wtx_cbc, *wrx;
static uint8_t buf[ESP_BUF_SIZE];

/* encr_i of child SA 0 in tests/vectors/chacha20poly1305-psk (key || salt) */
static const uint8_t capture_key[36] = {
	0xce, 0x70, 0xdc, 0x86, 0x98, 0x10, 0xd3, 0x56, 0x5d, 0x24, 0xa1, 0x71,
	0x7d, 0x88, 0x7f, 0xa2, 0x54, 0x3d, 0xbf, 0xcb, 0x1d, 0x79, 0x21, 0x3a,
	0x41, 0xca, 0xd8, 0x1d, 0x46, 0x02, 0x1d, 0x9b, 0xeb, 0x82, 0x7b, 0x0d,
};

/* the CBC SAs: AES key = capture_key[0..32), HMAC key i * 5 + 1 */
static void cbc_params(struct esp_child_params *p, unsigned keybits, int integ)
{
	p->cipher = ESP_CIPHER_AES_CBC;
	p->cipher_keybits = (uint16_t)keybits;
	p->integ = (uint16_t)integ;
	memset(p->salt_in, 0, 4);
	memset(p->salt_out, 0, 4);
	for (int i = 0; i < 64; i++)
		p->integ_in[i] = p->integ_out[i] = (uint8_t)(i * 5 + 1);
}

static void ts(struct lg_prefix *p, size_t *n, const char *s)
{
	if (lg_prefix_parse(s, &p[(*n)++]))
		abort();
}

static void params(struct esp_child_params *p, uint32_t id, uint32_t spi, bool esn, bool sender)
{
	memset(p, 0, sizeof(*p));
	p->child_id = id;
	p->cipher = ESP_CIPHER_CHACHA20_POLY1305;
	p->esn = esn;
	p->spi_in = sender ? 0x1000 + id : spi;
	p->spi_out = sender ? spi : 0x1000 + id;
	memcpy(p->key_in, capture_key, 32);
	memcpy(p->salt_in, capture_key + 32, 4);
	memcpy(p->key_out, capture_key, 32);
	memcpy(p->salt_out, capture_key + 32, 4);
	/* receiver gwb: local 10.212.2.0/24, remote 10.212.1.0/24 (+ IPv6) */
	ts(p->local_ts, &p->n_local_ts, sender ? "10.212.1.0/24" : "10.212.2.0/24");
	ts(p->remote_ts, &p->n_remote_ts, sender ? "10.212.2.0/24" : "10.212.1.0/24");
	ts(p->local_ts, &p->n_local_ts, sender ? "fd01::/16" : "fd02::/16");
	ts(p->remote_ts, &p->n_remote_ts, sender ? "fd02::/16" : "fd01::/16");
}

static void init(void)
{
	struct esp_child_params p;

	tx = esp_table_new();
	rx = esp_table_new();
	if (!tx || !rx)
		abort();
	params(&p, 1, 0x571e5ade, false, false);
	if (esp_table_install(rx, &p))
		abort();
	params(&p, 2, 0x0000abcd, true, false);
	if (esp_table_install(rx, &p))
		abort();
	params(&p, 3, 0x0000cbc0, false, false);
	cbc_params(&p, 256, IKEV2_INTEG_HMAC_SHA2_256_128);
	if (esp_table_install(rx, &p))
		abort();
	params(&p, 4, 0x0000cbc1, true, false);
	cbc_params(&p, 128, IKEV2_INTEG_HMAC_SHA2_512_256);
	if (esp_table_install(rx, &p))
		abort();
	params(&p, 1, 0x571e5ade, false, true);
	if (esp_table_install(tx, &p))
		abort();
	tx_cbc = esp_table_new();
	params(&p, 3, 0x0000cbc0, false, true);
	cbc_params(&p, 256, IKEV2_INTEG_HMAC_SHA2_256_128);
	if (!tx_cbc || esp_table_install(tx_cbc, &p))
		abort();
	wtx = esp_worker_new(tx);
	wtx_cbc = esp_worker_new(tx_cbc);
	wrx = esp_worker_new(rx);
}

static void roundtrip(struct esp_worker *w, uint32_t rx_id, const uint8_t *data, size_t size)
{
	size_t esp_len, inner_len;
	struct esp_route r;

	if (size > ESP_BUF_SIZE - ESP_HEADROOM)
		return;
	memcpy(buf + ESP_HEADROOM, data, size);
	if (esp_encrypt(w, buf, size, &esp_len, &r) != ESP_OK)
		return;
	esp_table_test_set_replay_top(rx, rx_id, 0);
	if (esp_decrypt(wrx, buf, esp_len, &inner_len, NULL) != ESP_OK ||
	    inner_len != size || memcmp(buf + ESP_HEADROOM, data, size))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t inner_len;

	if (!tx)
		init();
	esp_table_test_set_replay_top(rx, 1, 0);
	esp_table_test_set_replay_top(rx, 2, 0x1fffff000u);
	esp_table_test_set_replay_top(rx, 3, 0);
	esp_table_test_set_replay_top(rx, 4, 0x1fffff000u);
	if (size <= ESP_BUF_SIZE) {
		memcpy(buf, data, size);
		enum esp_verdict v = esp_decrypt(wrx, buf, size, &inner_len, NULL);
		if (v == ESP_OK && (inner_len > size || inner_len < 20))
			abort();
		if ((unsigned)v >= ESP_VERDICT_COUNT)
			abort();
	}
	roundtrip(wtx, 1, data, size);
	roundtrip(wtx_cbc, 3, data, size);
	esp_worker_quiescent(wtx);
	esp_worker_quiescent(wtx_cbc);
	esp_worker_quiescent(wrx);
	return 0;
}

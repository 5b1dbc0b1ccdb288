/* esp_bench.c - per-packet cost of the ESP fast path (esp_encrypt /
 * esp_decrypt: SA lookup, selectors, sequence/replay, AEAD, counters) on one
 * thread, for 64- and 1400-byte inner packets and every cipher (AES-CBC +
 * HMAC-SHA2 as aes256-sha256), next to the bare libsodium AEAD on the same plaintext size with 8 bytes of AAD (what
 * tools/bench-peers/crypto_limit.c measures). Times are thread CPU time, so a
 * busy shared machine inflates them less than wall-clock figures.
 *
 * Not part of the CMake build. From the repository root:
 *   gcc -O2 -std=gnu11 -D_GNU_SOURCE -Iinclude -Isrc/esp tests/bench/esp_bench.c \
 *       $(ls src/esp/[a-z]*.c src/util/[a-z]*.c) -o /tmp/esp_bench \
 *       $(pkg-config --cflags --libs libsodium nettle jansson) -lpthread
 *   /tmp/esp_bench [seconds_per_case]          (default 1.0)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include "esp_internal.h"

enum { BATCH = 256, STRIDE = 2048 };

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void params(struct esp_child_params *p, enum esp_cipher c, bool sender)
{
	memset(p, 0, sizeof(*p));
	p->child_id = 1;
	p->cipher = c;
	p->spi_in = sender ? 0x1001 : 0x2001;
	p->spi_out = sender ? 0x2001 : 0x1001;
	randombytes_buf(p->key_in, 32);
	memcpy(p->key_out, p->key_in, 32);
	if (c == ESP_CIPHER_AES_CBC) {   /* aes256-sha256 */
		p->cipher_keybits = 256;
		p->integ = IKEV2_INTEG_HMAC_SHA2_256_128;
		memset(p->salt_in, 0, 4);
		randombytes_buf(p->integ_in, 32);
		memcpy(p->integ_out, p->integ_in, 32);
	}
	lg_prefix_parse(sender ? "10.1.0.0/16" : "10.2.0.0/16", &p->local_ts[p->n_local_ts++]);
	lg_prefix_parse(sender ? "10.2.0.0/16" : "10.1.0.0/16", &p->remote_ts[p->n_remote_ts++]);
	lg_sockaddr_parse("192.0.2.1:4500", 4500, &p->peer);
}

static void ip_header(uint8_t *p, size_t len)
{
	static const uint8_t hdr[20] = { 0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 17, 0, 0,
					 10, 1, 0, 1, 10, 2, 0, 1 };
	memcpy(p, hdr, sizeof(hdr));
	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
}

/* The bare AEAD: encrypt len bytes in place, nonce = salt || counter. */
static double raw_ns(enum esp_cipher c, size_t len, double secs)
{
	static uint8_t key[32], buf[2048], mac[16], ad[8], nonce[12];
	static crypto_aead_aes256gcm_state st;
	unsigned long long maclen;
	uint64_t n = 0;
	double t0 = now(), t1;

	randombytes_buf(key, sizeof(key));
	crypto_aead_aes256gcm_beforenm(&st, key);
	do {
		for (int i = 0; i < 1024; i++, n++) {
			memcpy(nonce + 4, &n, 8);
			if (c == ESP_CIPHER_AES256_GCM16)
				crypto_aead_aes256gcm_encrypt_detached_afternm(buf, mac, &maclen, buf, len,
									       ad, 8, NULL, nonce, &st);
			else
				crypto_aead_chacha20poly1305_ietf_encrypt_detached(buf, mac, &maclen, buf,
										   len, ad, 8, NULL,
										   nonce, key);
		}
	} while ((t1 = now()) - t0 < secs);
	return (t1 - t0) / n * 1e9;
}

static void bench(const char *name, enum esp_cipher c, size_t len, double secs)
{
	struct esp_table *tx = esp_table_new(), *rx = esp_table_new();
	struct esp_child_params a, b;
	static uint8_t batch[BATCH][STRIDE], one[ESP_BUF_SIZE];
	size_t esp_len[BATCH], inner_len;
	struct esp_route r;
	uint64_t n = 0, m = 0;
	double t0, t1, dt = 0;

	params(&a, c, true);
	params(&b, c, false);
	memcpy(b.key_in, a.key_out, 32);
	memcpy(b.integ_in, a.integ_out, 64);
	if (esp_table_install(tx, &a) || esp_table_install(rx, &b)) {
		printf("%-22s not available\n", name);
		return;
	}
	struct esp_worker *wt = esp_worker_new(tx), *wr = esp_worker_new(rx);
	memset(one, 0xab, sizeof(one));
	t0 = now();
	do {
		for (int i = 0; i < 1024; i++, n++) {
			ip_header(one + ESP_HEADROOM, len);   /* the payload may stay ciphertext */
			if (esp_encrypt(wt, one, len, &esp_len[0], &r) != ESP_OK)
				abort();
		}
		esp_worker_quiescent(wt);
	} while ((t1 = now()) - t0 < secs);
	double e = t1 - t0;

	while (dt < secs) {
		for (int i = 0; i < BATCH; i++) {
			ip_header(batch[i] + ESP_HEADROOM, len);
			if (esp_encrypt(wt, batch[i], len, &esp_len[i], &r) != ESP_OK)
				abort();
		}
		t0 = now();
		for (int i = 0; i < BATCH; i++, m++)
			if (esp_decrypt(wr, batch[i], esp_len[i], &inner_len, NULL) != ESP_OK)
				abort();
		esp_worker_quiescent(wr);
		dt += now() - t0;
	}
	double raw = c != ESP_CIPHER_AES_CBC && esp_cipher_available(c) ? raw_ns(c, len, secs / 2) : 0;
	printf("%-17s %5zu B  enc %6.3f GB/s %6.3f Mpps %5.0f ns  dec %6.3f GB/s %6.3f Mpps %5.0f ns"
	       "  bare AEAD enc %5.0f ns\n",
	       name, len, n * len / e / 1e9, n / e / 1e6, e / n * 1e9,
	       m * len / dt / 1e9, m / dt / 1e6, dt / m * 1e9, raw);
	esp_worker_free(wt);
	esp_worker_free(wr);
	esp_table_free(tx);
	esp_table_free(rx);
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 1.0;

	if (sodium_init() < 0)
		return 1;
	printf("esp_bench: libsodium %s, %.1f s per case, one thread, full esp_encrypt/esp_decrypt\n",
	       sodium_version_string(), secs);
	bench("chacha20poly1305", ESP_CIPHER_CHACHA20_POLY1305, 1400, secs);
	bench("chacha20poly1305", ESP_CIPHER_CHACHA20_POLY1305, 64, secs);
	bench("aes256gcm16", ESP_CIPHER_AES256_GCM16, 1400, secs);
	bench("aes256gcm16", ESP_CIPHER_AES256_GCM16, 64, secs);
	bench("aes256-sha256", ESP_CIPHER_AES_CBC, 1400, secs);
	bench("aes256-sha256", ESP_CIPHER_AES_CBC, 64, secs);
	return 0;
}

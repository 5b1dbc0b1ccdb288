/* Inbound: RFC 4303 tunnel-mode decapsulation in place, in strongSwan
 * libipsec's order: parse, SPI lookup, replay pre-check, ICV verify and
 * decrypt, replay window commit, trailer and padding, then the inner
 * addresses against the selectors of the SA that authenticated the packet.
 * AES-CBC (16-byte IV): the plaintext moves forward by 8 bytes after
 * decryption, so every suite leaves its inner packet at buf + ESP_HEADROOM. */
#include <endian.h>
#include <string.h>
#include <sys/socket.h>
#include "linegate/cursor.h"
#include "esp_internal.h"

enum { ESP_MIN_LEN = ESP_HEADROOM + ESP_TRAILER_MIN + ESP_ICV_LEN };

static enum esp_verdict drop(struct esp_worker *w, enum esp_verdict v, uint32_t spi,
			     const union lg_sockaddr *from)
{
	worker_drop(w, v);
	if (v != ESP_DROP_DUMMY)   /* dummies are legitimate traffic-flow cover */
		worker_log_drop(w, v, "in", spi, from);
	return v;
}

static bool lifetime_over(const struct esp_sa *sa)
{
	return (sa->p.hard_packets &&
		atomic_load_explicit(&sa->packets_in, memory_order_relaxed) >= sa->p.hard_packets) ||
	       (sa->p.hard_bytes &&
		atomic_load_explicit(&sa->bytes_in, memory_order_relaxed) >= sa->p.hard_bytes);
}

static void count_in(struct esp_sa *sa, size_t len)
{
	uint64_t pk = atomic_fetch_add_explicit(&sa->packets_in, 1, memory_order_relaxed) + 1;
	uint64_t by = atomic_fetch_add_explicit(&sa->bytes_in, len, memory_order_relaxed) + len;

	if ((sa->p.hard_packets && pk >= sa->soft_packets) ||
	    (sa->p.hard_bytes && by >= sa->soft_bytes))
		atomic_store_explicit(&sa->rekey_wanted, true, memory_order_relaxed);
	sa_touch(sa, &sa->last_in_ms, esp_coarse_wall_ms());
}

/* Replay pre-check (no window change) under the SA's short spinlock. */
static uint64_t replay_precheck(struct esp_sa *sa, uint32_t seq_lo)
{
	pthread_spin_lock(&sa->replay_lock);
	uint64_t seq = replay_infer(&sa->replay, seq_lo, sa->p.esn);
	if (seq && !replay_check(&sa->replay, seq))
		seq = 0;
	pthread_spin_unlock(&sa->replay_lock);
	return seq;
}

static bool replay_commit(struct esp_sa *sa, uint64_t seq)
{
	pthread_spin_lock(&sa->replay_lock);
	bool fresh = replay_update(&sa->replay, seq);
	pthread_spin_unlock(&sa->replay_lock);
	return fresh;
}

/* The ciphertext's length for this SA's layout; 0 = malformed. */
static size_t ct_length(const struct esp_sa *sa, size_t esp_len)
{
	if (!sa->cbc)
		return esp_len - ESP_HEADROOM - ESP_ICV_LEN;
	if (esp_len < (size_t)ESP_CBC_HEADROOM + ESP_CBC_BLOCK + sa->icv_len)
		return 0;
	size_t ct_len = esp_len - ESP_CBC_HEADROOM - sa->icv_len;
	return ct_len % ESP_CBC_BLOCK ? 0 : ct_len;
}

static bool open_packet(const struct esp_sa *sa, uint8_t *buf, const uint8_t *iv,
			uint64_t seq, size_t ct_len)
{
	if (sa->cbc) {
		if (!esp_cbc_open(&sa->cbc[0], buf, seq, sa->p.esn, ct_len))
			return false;
		memmove(buf + ESP_HEADROOM, buf + ESP_CBC_HEADROOM, ct_len);
		return true;
	}
	uint32_t spi = htobe32(sa->p.spi_in), lo = htobe32((uint32_t)seq);
	uint32_t hi = htobe32((uint32_t)(seq >> 32));
	uint8_t aad[12];

	memcpy(aad, &spi, 4);
	memcpy(aad + 4, sa->p.esn ? &hi : &lo, 4);
	memcpy(aad + 8, &lo, 4);
	return esp_aead_open(&sa->aead[0], iv, aad, sa->p.esn ? 12 : 8,
			     buf + ESP_HEADROOM, ct_len, buf + ESP_HEADROOM + ct_len);
}

/* Trailer and padding (RFC 4303 §2.4-2.6): returns the verdict and the
 * length of the payload before the padding. */
static enum esp_verdict read_trailer(const uint8_t *pt, size_t ct_len, size_t *payload_len,
				     uint8_t *next_header)
{
	struct cursor c;

	cursor_init(&c, pt, ct_len);
	cursor_skip(&c, ct_len - ESP_TRAILER_MIN);
	size_t pad = cursor_get_u8(&c);
	*next_header = cursor_get_u8(&c);
	if (!cursor_ok(&c) || pad + ESP_TRAILER_MIN > ct_len)
		return ESP_DROP_PADDING;
	*payload_len = ct_len - ESP_TRAILER_MIN - pad;
	/* Default padding is 1, 2, 3, ...; anything else is refused (§2.4). */
	cursor_init(&c, pt, ct_len);
	cursor_skip(&c, *payload_len);
	for (size_t i = 1; i <= pad; i++)
		if (cursor_get_u8(&c) != i)
			return ESP_DROP_PADDING;
	return ESP_OK;
}

static enum esp_verdict check_inner(struct esp_sa *sa, const uint8_t *pt, size_t payload_len,
				    uint8_t nh, size_t *inner_len)
{
	struct inner_ip ip;

	if (nh == ESP_NEXT_HEADER_NONE)
		return ESP_DROP_DUMMY;
	if (nh != ESP_NEXT_HEADER_IPV4 && nh != ESP_NEXT_HEADER_IPV6)
		return ESP_DROP_NEXT_HEADER;
	/* TFC padding (§2.7) may follow the packet: its own length rules. */
	if (inner_ip_parse(pt, payload_len, &ip) ||
	    ip.family != (nh == ESP_NEXT_HEADER_IPV4 ? AF_INET : AF_INET6))
		return ESP_DROP_MALFORMED;
	if (!sa_remote_has(sa, ip.family, ip.src) || !sa_local_has(sa, ip.family, ip.dst))
		return ESP_DROP_SELECTOR;
	*inner_len = ip.len;
	return ESP_OK;
}

static enum esp_verdict finish(struct esp_sa *sa, uint8_t *buf, size_t ct_len, size_t *inner_len)
{
	const uint8_t *pt = buf + ESP_HEADROOM;
	size_t payload_len;
	uint8_t nh;
	enum esp_verdict v = read_trailer(pt, ct_len, &payload_len, &nh);

	if (v != ESP_OK) {
		count_in(sa, 0);
		return v;
	}
	count_in(sa, payload_len);
	v = check_inner(sa, pt, payload_len, nh, inner_len);
	if (v == ESP_DROP_DUMMY)
		atomic_fetch_add_explicit(&sa->dummy_in, 1, memory_order_relaxed);
	else if (v == ESP_DROP_SELECTOR)
		atomic_fetch_add_explicit(&sa->selector_drops, 1, memory_order_relaxed);
	return v;
}

enum esp_verdict esp_decrypt(struct esp_worker *w, uint8_t *buf, size_t esp_len,
			     size_t *inner_len, const union lg_sockaddr *from)
{
	const struct esp_snapshot *s = worker_enter(w);
	struct cursor c;

	cursor_init(&c, buf, esp_len);
	uint32_t spi = cursor_get_u32(&c);
	uint32_t seq_lo = cursor_get_u32(&c);
	const uint8_t *iv = cursor_get_ref(&c, ESP_IV_LEN);
	if (!cursor_ok(&c) || esp_len < ESP_MIN_LEN || esp_len > ESP_BUF_SIZE)
		return drop(w, ESP_DROP_MALFORMED, spi, from);

	struct esp_sa *sa = snapshot_find_spi(s, spi);
	if (!sa)
		return drop(w, ESP_DROP_BAD_SPI, spi, from);
	size_t ct_len = ct_length(sa, esp_len);
	if (!ct_len)
		return drop(w, ESP_DROP_MALFORMED, spi, from);
	if (lifetime_over(sa))
		return drop(w, ESP_DROP_LIFETIME, spi, from);
	/* Check before decrypting (cheap rejection of replays), commit only
	 * after the ICV verified (forgeries never move the window). */
	uint64_t seq = replay_precheck(sa, seq_lo);
	if (!seq) {
		atomic_fetch_add_explicit(&sa->replay_drops, 1, memory_order_relaxed);
		return drop(w, ESP_DROP_REPLAY, spi, from);
	}
	if (!open_packet(sa, buf, iv, seq, ct_len)) {
		atomic_fetch_add_explicit(&sa->auth_drops, 1, memory_order_relaxed);
		return drop(w, ESP_DROP_AUTH, spi, from);
	}
	if (!replay_commit(sa, seq)) {
		/* Another worker accepted the same packet meanwhile. */
		atomic_fetch_add_explicit(&sa->replay_drops, 1, memory_order_relaxed);
		return drop(w, ESP_DROP_REPLAY, spi, from);
	}
	enum esp_verdict v = finish(sa, buf, ct_len, inner_len);
	return v == ESP_OK ? ESP_OK : drop(w, v, spi, from);
}

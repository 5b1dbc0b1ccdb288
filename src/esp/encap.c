/* Outbound: policy lookup and RFC 4303 tunnel-mode encapsulation in place.
 * The inner packet sits at buf + ESP_HEADROOM; the ESP header and IV are
 * written in front of it, padding, trailer and ICV behind it. AES-CBC's IV
 * is 8 bytes longer than the AEADs': its packet moves back by that much
 * first (one memmove, cheaper than changing every caller's layout). */
#include <endian.h>
#include <string.h>
#include <sys/socket.h>
#include "esp_internal.h"

enum {
	INNER_MAX = ESP_BUF_SIZE - ESP_HEADROOM - 3 - ESP_TRAILER_MIN - ESP_ICV_LEN,
	INNER_MAX_CBC = ESP_BUF_SIZE - ESP_CBC_HEADROOM - (ESP_CBC_BLOCK - 1) - ESP_TRAILER_MIN -
			ESP_CBC_ICV_MAX,
};

static enum esp_verdict drop(struct esp_worker *w, enum esp_verdict v, uint32_t spi)
{
	worker_drop(w, v);
	worker_log_drop(w, v, "out", spi, NULL);
	return v;
}

static bool lifetime_over(const struct esp_sa *sa, size_t len)
{
	return (sa->p.hard_packets &&
		atomic_load_explicit(&sa->packets_out, memory_order_relaxed) >= sa->p.hard_packets) ||
	       (sa->p.hard_bytes &&
		atomic_load_explicit(&sa->bytes_out, memory_order_relaxed) + len > sa->p.hard_bytes);
}

static void count_out(struct esp_sa *sa, size_t len)
{
	uint64_t pk = atomic_fetch_add_explicit(&sa->packets_out, 1, memory_order_relaxed) + 1;
	uint64_t by = atomic_fetch_add_explicit(&sa->bytes_out, len, memory_order_relaxed) + len;

	if ((sa->p.hard_packets && pk >= sa->soft_packets) ||
	    (sa->p.hard_bytes && by >= sa->soft_bytes))
		atomic_store_explicit(&sa->rekey_wanted, true, memory_order_relaxed);
	sa_touch(sa, &sa->last_out_ms, esp_coarse_wall_ms());
}

/* Pads to the alignment (4, or the CBC block) with 1, 2, 3, ... (RFC 4303
 * §2.4) and writes the trailer; returns the length of the part to encrypt. */
static size_t write_trailer(uint8_t *payload, size_t len, uint8_t next_header, size_t align)
{
	size_t pad = (align - (len + ESP_TRAILER_MIN) % align) % align;

	for (size_t i = 0; i < pad; i++)
		payload[len + i] = (uint8_t)(i + 1);
	payload[len + pad] = (uint8_t)pad;
	payload[len + pad + 1] = next_header;
	return len + pad + ESP_TRAILER_MIN;
}

static void write_header(const struct esp_sa *sa, uint8_t *buf, uint64_t seq)
{
	uint32_t spi = htobe32(sa->p.spi_out), lo = htobe32((uint32_t)seq);

	memcpy(buf, &spi, 4);
	memcpy(buf + 4, &lo, 4);
}

/* Returns the ESP packet's length. */
static size_t seal(const struct esp_sa *sa, uint8_t *buf, uint64_t seq, size_t inner_len,
		   uint8_t nh)
{
	if (sa->cbc) {
		memmove(buf + ESP_CBC_HEADROOM, buf + ESP_HEADROOM, inner_len);
		size_t ct_len = write_trailer(buf + ESP_CBC_HEADROOM, inner_len, nh, ESP_CBC_BLOCK);
		write_header(sa, buf, seq);
		esp_cbc_seal(&sa->cbc[1], buf, seq, sa->p.esn, ct_len);
		return ESP_CBC_HEADROOM + ct_len + sa->icv_len;
	}
	size_t ct_len = write_trailer(buf + ESP_HEADROOM, inner_len, nh, 4);
	uint32_t spi = htobe32(sa->p.spi_out), lo = htobe32((uint32_t)seq);
	uint32_t hi = htobe32((uint32_t)(seq >> 32));
	uint64_t iv = htobe64(seq ^ sa->iv_mask);
	uint8_t aad[12];

	write_header(sa, buf, seq);
	memcpy(buf + ESP_HEADER_LEN, &iv, ESP_IV_LEN);
	/* AAD = SPI || seq, or SPI || seq_hi || seq_lo with ESN (RFC 4106 §5,
	 * RFC 7634 §3): the high half is authenticated but never sent. */
	memcpy(aad, &spi, 4);
	memcpy(aad + 4, sa->p.esn ? &hi : &lo, 4);
	memcpy(aad + 8, &lo, 4);
	esp_aead_seal(&sa->aead[1], buf + ESP_HEADER_LEN, aad, sa->p.esn ? 12 : 8,
		      buf + ESP_HEADROOM, ct_len, buf + ESP_HEADROOM + ct_len);
	return ESP_HEADROOM + ct_len + ESP_ICV_LEN;
}

enum esp_verdict esp_encrypt(struct esp_worker *w, uint8_t *buf, size_t inner_len,
			     size_t *esp_len, struct esp_route *route)
{
	const struct esp_snapshot *s = worker_enter(w);
	struct esp_sa *sa, *sel_sa;
	struct inner_ip ip;

	if (inner_len > INNER_MAX || inner_ip_parse(buf + ESP_HEADROOM, inner_len, &ip) ||
	    ip.len != inner_len)
		return drop(w, ESP_DROP_MALFORMED, 0);
	/* Longest prefix of the destination picks the child; the source must be
	 * inside its local selectors (no spoofed sources into the tunnel). */
	sa = snapshot_route(s, ip.family, ip.src, ip.dst, &sel_sa);
	if (!sa) {
		if (!sel_sa) {
			snapshot_count_hold(s, ip.family, ip.dst);
			return drop(w, ESP_DROP_NO_SA, 0);
		}
		atomic_fetch_add_explicit(&sel_sa->selector_drops, 1, memory_order_relaxed);
		return drop(w, ESP_DROP_SELECTOR, sel_sa->p.spi_out);
	}
	if (sa->cbc && inner_len > INNER_MAX_CBC)
		return drop(w, ESP_DROP_MALFORMED, sa->p.spi_out);
	if (lifetime_over(sa, inner_len))
		return drop(w, ESP_DROP_LIFETIME, sa->p.spi_out);
	/* RFC 4303 §3.3.3: the counter must never cycle; the SA is rekeyed
	 * before the soft limit and refuses at the hard one. */
	uint64_t seq = atomic_fetch_add_explicit(&sa->seq_out, 1, memory_order_relaxed) + 1;
	if (seq > sa->seq_hard || seq == 0) {
		atomic_store_explicit(&sa->rekey_wanted, true, memory_order_relaxed);
		return drop(w, ESP_DROP_SEQ_EXHAUSTED, sa->p.spi_out);
	}
	if (seq >= sa->seq_soft)
		atomic_store_explicit(&sa->rekey_wanted, true, memory_order_relaxed);

	uint8_t nh = ip.family == AF_INET ? ESP_NEXT_HEADER_IPV4 : ESP_NEXT_HEADER_IPV6;
	*esp_len = seal(sa, buf, seq, inner_len, nh);
	count_out(sa, inner_len);
	route->uplink = sa->p.uplink;
	/* acquire: the address was written before the pointer was published */
	route->peer = *atomic_load_explicit(&sa->peer_out, memory_order_acquire);
	return ESP_OK;
}

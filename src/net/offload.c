/* Segmentation offloads done in user space, as virtio-net does them:
 * out of the TUN, a TCP super-packet (virtio_net_hdr gso_type TCPV4/TCPV6)
 * is cut into MSS segments, each with correct headers and checksum, before
 * encryption; into the TUN, consecutive decrypted segments of one TCP flow
 * are merged back into one super-packet (as the kernel's GRO would), so the
 * receiving stack sees ~45 packets as one. Both directions validate every
 * length before reading a header field. */
#include <errno.h>
#include <linux/virtio_net.h>
#include <string.h>
#include "dp_internal.h"

enum { IPV4_HDR_MIN = 20, IPV6_HDR_LEN = 40, TCP_HDR_MIN = 20, PROTO_TCP = 6 };
enum { TCP_FIN = 0x01, TCP_PSH = 0x08, TCP_ACK = 0x10, TCP_CWR = 0x80 };

static inline uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void wr16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

/* RFC 1071 sum in host order over memory; chunks must start at even offsets
 * of the summed whole. The folded result is stored with memcpy (host order),
 * which gives the right bytes on the wire. */
uint32_t dp_csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	uint64_t acc = sum;
	uint32_t w;
	while (len >= 4) {
		memcpy(&w, p, 4);
		acc += w;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		uint16_t h;
		memcpy(&h, p, 2);
		acc += h;
		p += 2;
		len -= 2;
	}
	if (len) {
		uint8_t last[2] = { p[0], 0 };
		uint16_t h;
		memcpy(&h, last, 2);
		acc += h;
	}
	while (acc >> 32)
		acc = (acc & 0xffffffffu) + (acc >> 32);
	return (uint32_t)acc;
}

uint16_t dp_csum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static uint32_t pseudo_sum(const uint8_t *ip, bool v6, uint32_t l4_len)
{
	uint8_t tail[8] = { 0 };
	if (v6) {
		wr32(tail, l4_len);
		tail[7] = PROTO_TCP;
		return dp_csum_add(dp_csum_add(0, ip + 8, 32), tail, 8);
	}
	tail[1] = PROTO_TCP;
	wr16(tail + 2, (uint16_t)l4_len);
	return dp_csum_add(dp_csum_add(0, ip + 12, 8), tail, 4);
}

static void ipv4_fix_csum(uint8_t *ip, size_t iphl)
{
	uint16_t c;
	ip[10] = ip[11] = 0;
	c = (uint16_t)~dp_csum_fold(dp_csum_add(0, ip, iphl));
	memcpy(ip + 10, &c, 2);
}

int dp_csum_complete(uint8_t *pkt, size_t len, const struct dp_vnet_hdr *h)
{
	size_t start = h->csum_start, off = (size_t)h->csum_start + h->csum_offset;
	uint16_t c;
	if (start >= len || off + 2 > len)
		return -EINVAL;
	c = (uint16_t)~dp_csum_fold(dp_csum_add(0, pkt + start, len - start));
	/* UDP: a computed zero is sent as all ones (RFC 768) */
	if (c == 0)
		c = 0xffff;
	memcpy(pkt + off, &c, 2);
	return 0;
}

/* IP and TCP header lengths of a packet (validated), or -EINVAL. */
static int tcp_headers(const uint8_t *pkt, size_t len, bool *v6, size_t *iphl, size_t *tcphl)
{
	if (len < IPV4_HDR_MIN)
		return -EINVAL;
	*v6 = (pkt[0] >> 4) == 6;
	if (*v6) {
		if (len < IPV6_HDR_LEN + TCP_HDR_MIN || pkt[6] != PROTO_TCP)
			return -EINVAL;   /* extension headers: not ours to segment */
		*iphl = IPV6_HDR_LEN;
	} else {
		if ((pkt[0] >> 4) != 4 || pkt[9] != PROTO_TCP)
			return -EINVAL;
		*iphl = (size_t)(pkt[0] & 0x0f) * 4;
		if (*iphl < IPV4_HDR_MIN || len < *iphl + TCP_HDR_MIN)
			return -EINVAL;
	}
	*tcphl = (size_t)(pkt[*iphl + 12] >> 4) * 4;
	if (*tcphl < TCP_HDR_MIN || len < *iphl + *tcphl)
		return -EINVAL;
	return 0;
}

static void finish_segment(uint8_t *o, bool v6, size_t iphl, size_t tcphl, size_t plen)
{
	uint8_t *tcp = o + iphl;
	uint16_t c;
	if (v6)
		wr16(o + 4, (uint16_t)(tcphl + plen));
	else {
		wr16(o + 2, (uint16_t)(iphl + tcphl + plen));
		ipv4_fix_csum(o, iphl);
	}
	tcp[16] = tcp[17] = 0;
	c = (uint16_t)~dp_csum_fold(dp_csum_add(pseudo_sum(o, v6, (uint32_t)(tcphl + plen)),
						 tcp, tcphl + plen));
	memcpy(tcp + 16, &c, 2);
}

int dp_tso_split(const uint8_t *pkt, size_t len, const struct dp_vnet_hdr *h,
		 uint8_t **out, size_t *out_len, int max)
{
	size_t iphl, tcphl, hl, payload, off, mss = h->gso_size;
	bool v6;
	int n = 0;

	if (mss == 0 || tcp_headers(pkt, len, &v6, &iphl, &tcphl) < 0)
		return -EINVAL;
	hl = iphl + tcphl;
	payload = len - hl;
	if ((payload + mss - 1) / mss > (size_t)max)
		return -EINVAL;
	uint32_t seq0 = rd32(pkt + iphl + 4);
	uint16_t id0 = rd16(pkt + 4);
	uint8_t flags0 = pkt[iphl + 13];
	for (off = 0; off < payload || (payload == 0 && n == 0); off += mss) {
		size_t plen = payload - off < mss ? payload - off : mss;
		bool last = off + plen >= payload;
		uint8_t *o = out[n] + ESP_HEADROOM;
		memcpy(o, pkt, hl);
		memcpy(o + hl, pkt + hl + off, plen);
		if (!v6)
			wr16(o + 4, (uint16_t)(id0 + n));
		wr32(o + iphl + 4, seq0 + (uint32_t)off);
		/* FIN and PSH belong to the last segment, CWR to the first */
		o[iphl + 13] = (uint8_t)(flags0 & ~((last ? 0 : TCP_FIN | TCP_PSH) |
						   (n ? TCP_CWR : 0)));
		finish_segment(o, v6, iphl, tcphl, plen);
		out_len[n++] = hl + plen;
		if (payload == 0)
			break;
	}
	return n;
}

/* ---- receive side: coalescing decrypted TCP segments ---- */

static bool same_flow(const struct dp_gro *g, const uint8_t *a, const uint8_t *b)
{
	size_t iphl = g->iphl;
	if (g->v6) {
		/* version/class/flow label, next header, hop limit, addresses */
		if (memcmp(a, b, 4) || a[6] != b[6] || a[7] != b[7] || memcmp(a + 8, b + 8, 32))
			return false;
	} else if (a[1] != b[1] || a[8] != b[8] || memcmp(a + 12, b + 12, 8) ||
		   (rd16(a + 6) & 0xbfff) || (rd16(b + 6) & 0xbfff) || a[6] != b[6]) {
		return false;   /* TOS, TTL, addresses, no fragments, same DF */
	}
	/* ports, ack, data offset+flags+window, options */
	return !memcmp(a + iphl, b + iphl, 4) && !memcmp(a + iphl + 8, b + iphl + 8, 8) &&
	       !memcmp(a + iphl + 20, b + iphl + 20, g->tcphl - TCP_HDR_MIN);
}

static const uint8_t *gro_first(const struct dp_gro *g) { return g->buf + ESP_HEADROOM; }

bool dp_gro_start(struct dp_gro *g, const uint8_t *pkt, size_t len)
{
	size_t iphl, tcphl;
	bool v6;
	g->segs = 0;
	if (tcp_headers(pkt, len, &v6, &iphl, &tcphl) < 0 || len > 65535)
		return false;
	/* pure data segments only: ACK, optionally PSH on the last */
	if ((pkt[iphl + 13] & ~TCP_PSH) != TCP_ACK || len == iphl + tcphl)
		return false;
	if (!v6 && (iphl != IPV4_HDR_MIN || rd16(pkt + 2) != len))
		return false;
	if (v6 && (size_t)rd16(pkt + 4) + IPV6_HDR_LEN != len)
		return false;
	g->v6 = v6;
	g->iphl = (uint16_t)iphl;
	g->tcphl = (uint16_t)tcphl;
	g->seg_payload = (uint16_t)(len - iphl - tcphl);
	g->next_seq = rd32(pkt + iphl + 4) + g->seg_payload;
	memcpy(g->buf + ESP_HEADROOM, pkt, len);
	g->len = len;
	g->segs = 1;
	return true;
}

bool dp_gro_append(struct dp_gro *g, const uint8_t *pkt, size_t len)
{
	const uint8_t *first = gro_first(g);
	size_t hl = (size_t)g->iphl + g->tcphl, plen;
	if (g->segs == 0 || g->segs >= DP_GSO_MAX_SEGS || len <= hl)
		return false;
	plen = len - hl;
	/* the tail closed the run: short segment or PSH */
	if ((g->len - hl) % g->seg_payload || (first[g->iphl + 13] & TCP_PSH))
		return false;
	if (plen > g->seg_payload || g->len + plen > 65535)
		return false;
	if ((pkt[0] >> 4) != (g->v6 ? 6 : 4) || (pkt[g->iphl + 12] >> 4) * 4 != g->tcphl)
		return false;
	if ((pkt[g->iphl + 13] & ~TCP_PSH) != TCP_ACK || rd32(pkt + g->iphl + 4) != g->next_seq)
		return false;
	if (g->v6 ? (size_t)rd16(pkt + 4) + IPV6_HDR_LEN != len
		  : (pkt[0] & 0x0f) != 5 || rd16(pkt + 2) != len)
		return false;
	/* compare with PSH masked: the first header carries the flags out */
	uint8_t f = first[g->iphl + 13];
	((uint8_t *)first)[g->iphl + 13] = pkt[g->iphl + 13];
	bool same = same_flow(g, first, pkt);
	((uint8_t *)first)[g->iphl + 13] = f;
	if (!same)
		return false;
	memcpy(g->buf + ESP_HEADROOM + g->len, pkt + hl, plen);
	g->len += plen;
	g->next_seq += (uint32_t)plen;
	g->buf[ESP_HEADROOM + g->iphl + 13] |= pkt[g->iphl + 13] & TCP_PSH;
	g->segs++;
	return true;
}

size_t dp_gro_finish(struct dp_gro *g)
{
	struct dp_vnet_hdr h;
	uint8_t *ip = g->buf + ESP_HEADROOM;
	size_t l4 = g->len - g->iphl;

	memset(&h, 0, sizeof(h));
	if (g->segs > 1) {
		uint16_t c;
		if (g->v6)
			wr16(ip + 4, (uint16_t)l4);
		else {
			wr16(ip + 2, (uint16_t)g->len);
			ipv4_fix_csum(ip, g->iphl);
		}
		/* Partial checksum: the pseudo header only, the kernel (or the
		 * stack's CHECKSUM_PARTIAL trust) completes it per segment */
		ip[g->iphl + 16] = ip[g->iphl + 17] = 0;
		c = dp_csum_fold(pseudo_sum(ip, g->v6, (uint32_t)l4));
		memcpy(ip + g->iphl + 16, &c, 2);
		h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		h.gso_type = g->v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4;
		h.hdr_len = (uint16_t)(g->iphl + g->tcphl);
		h.gso_size = g->seg_payload;
		h.csum_start = g->iphl;
		h.csum_offset = 16;
	} else {
		/* authenticated by the ESP ICV: no need to verify it again */
		h.flags = VIRTIO_NET_HDR_F_DATA_VALID;
	}
	memcpy(g->buf + DP_TUN_OFF, &h, sizeof(h));
	g->segs = 0;
	return DP_VNET_HDR_LEN + g->len;
}

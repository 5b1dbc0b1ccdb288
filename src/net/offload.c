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

#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5   /* Linux 4.18 uapi; Debian 12 headers lack it */
#endif

enum { IPV4_HDR_MIN = 20, IPV6_HDR_LEN = 40, TCP_HDR_MIN = 20, UDP_HDR_LEN = 8,
       PROTO_TCP = 6, PROTO_UDP = 17 };
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

static uint32_t pseudo_sum(const uint8_t *ip, uint8_t proto, bool v6, uint32_t l4_len)
{
	uint8_t tail[8] = { 0 };
	if (v6) {
		wr32(tail, l4_len);
		tail[7] = proto;
		return dp_csum_add(dp_csum_add(0, ip + 8, 32), tail, 8);
	}
	tail[1] = proto;
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

/* IP and transport header lengths of a TCP or UDP packet (validated),
 * or -EINVAL. l4hl is 8 for UDP. */
static int l4_headers(const uint8_t *pkt, size_t len, uint8_t proto, bool *v6, size_t *iphl,
		      size_t *l4hl)
{
	size_t min = proto == PROTO_UDP ? UDP_HDR_LEN : TCP_HDR_MIN;
	if (len < IPV4_HDR_MIN)
		return -EINVAL;
	*v6 = (pkt[0] >> 4) == 6;
	if (*v6) {
		if (len < IPV6_HDR_LEN + min || pkt[6] != proto)
			return -EINVAL;   /* extension headers: not ours to segment */
		*iphl = IPV6_HDR_LEN;
	} else {
		if ((pkt[0] >> 4) != 4 || pkt[9] != proto)
			return -EINVAL;
		*iphl = (size_t)(pkt[0] & 0x0f) * 4;
		if (*iphl < IPV4_HDR_MIN || len < *iphl + min)
			return -EINVAL;
	}
	*l4hl = proto == PROTO_UDP ? UDP_HDR_LEN : (size_t)(pkt[*iphl + 12] >> 4) * 4;
	if (*l4hl < min || len < *iphl + *l4hl)
		return -EINVAL;
	return 0;
}

static void finish_segment(uint8_t *o, uint8_t proto, bool v6, size_t iphl, size_t l4hl,
			   size_t plen)
{
	uint8_t *l4 = o + iphl;
	size_t coff = proto == PROTO_UDP ? 6 : 16;
	uint16_t c;
	if (v6)
		wr16(o + 4, (uint16_t)(l4hl + plen));
	else {
		wr16(o + 2, (uint16_t)(iphl + l4hl + plen));
		ipv4_fix_csum(o, iphl);
	}
	if (proto == PROTO_UDP)
		wr16(l4 + 4, (uint16_t)(l4hl + plen));
	l4[coff] = l4[coff + 1] = 0;
	c = (uint16_t)~dp_csum_fold(dp_csum_add(pseudo_sum(o, proto, v6, (uint32_t)(l4hl + plen)),
						 l4, l4hl + plen));
	if (proto == PROTO_UDP && c == 0)
		c = 0xffff;
	memcpy(l4 + coff, &c, 2);
}

int dp_tso_split(const uint8_t *pkt, size_t len, const struct dp_vnet_hdr *h,
		 uint8_t **out, size_t *out_len, int max)
{
	size_t iphl, tcphl, hl, payload, off, mss = h->gso_size;
	uint8_t proto = (h->gso_type & ~VIRTIO_NET_HDR_GSO_ECN) == VIRTIO_NET_HDR_GSO_UDP_L4 ?
			PROTO_UDP : PROTO_TCP;
	bool v6;
	int n = 0;

	if (mss == 0 || l4_headers(pkt, len, proto, &v6, &iphl, &tcphl) < 0)
		return -EINVAL;
	hl = iphl + tcphl;
	payload = len - hl;
	if ((payload + mss - 1) / mss > (size_t)max)
		return -EINVAL;
	uint32_t seq0 = proto == PROTO_TCP ? rd32(pkt + iphl + 4) : 0;
	uint16_t id0 = rd16(pkt + 4);
	uint8_t flags0 = proto == PROTO_TCP ? pkt[iphl + 13] : 0;
	for (off = 0; off < payload || (payload == 0 && n == 0); off += mss) {
		size_t plen = payload - off < mss ? payload - off : mss;
		bool last = off + plen >= payload;
		uint8_t *o = out[n] + ESP_HEADROOM;
		memcpy(o, pkt, hl);
		memcpy(o + hl, pkt + hl + off, plen);
		if (!v6)
			wr16(o + 4, (uint16_t)(id0 + n));
		if (proto == PROTO_TCP) {
			wr32(o + iphl + 4, seq0 + (uint32_t)off);
			/* FIN and PSH belong to the last segment, CWR to the first */
			o[iphl + 13] = (uint8_t)(flags0 & ~((last ? 0 : TCP_FIN | TCP_PSH) |
							   (n ? TCP_CWR : 0)));
		}
		finish_segment(o, proto, v6, iphl, tcphl, plen);
		out_len[n++] = hl + plen;
		if (payload == 0)
			break;
	}
	return n;
}

/* ---- receive side: coalescing decrypted TCP segments and UDP datagrams ---- */

/* Same IP header fields that GRO would require (RFC 791/8200 fields that
 * must not differ within one merged packet), same ports. */
static bool same_ip(const struct dp_gro *g, const uint8_t *a, const uint8_t *b)
{
	if (g->v6)
		/* version/class/flow label, next header, hop limit, addresses */
		return !memcmp(a, b, 4) && a[6] == b[6] && a[7] == b[7] && !memcmp(a + 8, b + 8, 32);
	/* TOS, TTL, protocol, addresses, no fragments, same DF */
	return a[1] == b[1] && a[8] == b[8] && a[9] == b[9] && !memcmp(a + 12, b + 12, 8) &&
	       !(rd16(a + 6) & 0xbfff) && !(rd16(b + 6) & 0xbfff) && a[6] == b[6];
}

static bool same_tcp(const struct dp_gro *g, const uint8_t *a, const uint8_t *b)
{
	size_t iphl = g->iphl;
	/* ports, ack, data offset+flags+window, options */
	return !memcmp(a + iphl, b + iphl, 4) && !memcmp(a + iphl + 8, b + iphl + 8, 8) &&
	       !memcmp(a + iphl + 20, b + iphl + 20, g->tcphl - TCP_HDR_MIN);
}

static const uint8_t *gro_first(const struct dp_gro *g) { return g->buf + ESP_HEADROOM; }

/* A packet that may head a run: plain IP header, exact lengths. */
static bool start_ok(struct dp_gro *g, const uint8_t *pkt, size_t len, uint8_t proto)
{
	size_t iphl, l4hl;
	bool v6;
	if (len > 65535 || l4_headers(pkt, len, proto, &v6, &iphl, &l4hl) < 0 || len == iphl + l4hl)
		return false;
	if (!v6 && (iphl != IPV4_HDR_MIN || rd16(pkt + 2) != len || (rd16(pkt + 6) & 0xbfff)))
		return false;
	if (v6 && (size_t)rd16(pkt + 4) + IPV6_HDR_LEN != len)
		return false;
	if (proto == PROTO_UDP && rd16(pkt + iphl + 4) != len - iphl)
		return false;
	/* TCP: pure data segments only: ACK, optionally PSH on the last */
	if (proto == PROTO_TCP && (pkt[iphl + 13] & ~TCP_PSH) != TCP_ACK)
		return false;
	g->v6 = v6;
	g->proto = proto;
	g->iphl = (uint16_t)iphl;
	g->tcphl = (uint16_t)l4hl;
	g->seg_payload = (uint16_t)(len - iphl - l4hl);
	return true;
}

bool dp_gro_start(struct dp_gro *g, const uint8_t *pkt, size_t len)
{
	g->segs = 0;
	if (!start_ok(g, pkt, len, PROTO_TCP) && !(g->uso && start_ok(g, pkt, len, PROTO_UDP)))
		return false;
	if (g->proto == PROTO_TCP)
		g->next_seq = rd32(pkt + g->iphl + 4) + g->seg_payload;
	memcpy(g->buf + ESP_HEADROOM, pkt, len);
	g->len = len;
	g->segs = 1;
	return true;
}

static bool tcp_follows(struct dp_gro *g, const uint8_t *first, const uint8_t *pkt)
{
	if ((pkt[g->iphl + 12] >> 4) * 4 != g->tcphl || (pkt[g->iphl + 13] & ~TCP_PSH) != TCP_ACK ||
	    rd32(pkt + g->iphl + 4) != g->next_seq || (first[g->iphl + 13] & TCP_PSH))
		return false;
	/* compare with PSH masked: the first header carries the flags out */
	uint8_t f = first[g->iphl + 13];
	((uint8_t *)first)[g->iphl + 13] = pkt[g->iphl + 13];
	bool same = same_tcp(g, first, pkt);
	((uint8_t *)first)[g->iphl + 13] = f;
	return same;
}

bool dp_gro_append(struct dp_gro *g, const uint8_t *pkt, size_t len)
{
	const uint8_t *first = gro_first(g);
	size_t hl = (size_t)g->iphl + g->tcphl, plen;
	if (g->segs == 0 || g->segs >= DP_GSO_MAX_SEGS || len <= hl)
		return false;
	plen = len - hl;
	/* the tail closed the run: a short segment */
	if ((g->len - hl) % g->seg_payload)
		return false;
	if (plen > g->seg_payload || g->len + plen > 65535)
		return false;
	if ((pkt[0] >> 4) != (g->v6 ? 6 : 4) || !same_ip(g, first, pkt))
		return false;
	if (g->v6 ? (size_t)rd16(pkt + 4) + IPV6_HDR_LEN != len : (pkt[0] & 0x0f) != 5 || rd16(pkt + 2) != len)
		return false;
	if (g->proto == PROTO_TCP ? !tcp_follows(g, first, pkt)
				  : memcmp(first + g->iphl, pkt + g->iphl, 4) ||
				    rd16(pkt + g->iphl + 4) != len - g->iphl)
		return false;
	memcpy(g->buf + ESP_HEADROOM + g->len, pkt + hl, plen);
	g->len += plen;
	if (g->proto == PROTO_TCP) {
		g->next_seq += (uint32_t)plen;
		g->buf[ESP_HEADROOM + g->iphl + 13] |= pkt[g->iphl + 13] & TCP_PSH;
	}
	g->segs++;
	return true;
}

size_t dp_gro_finish(struct dp_gro *g)
{
	struct dp_vnet_hdr h;
	uint8_t *ip = g->buf + ESP_HEADROOM;
	size_t l4 = g->len - g->iphl, coff = g->proto == PROTO_UDP ? 6 : 16;

	memset(&h, 0, sizeof(h));
	if (g->segs > 1) {
		uint16_t c;
		if (g->v6)
			wr16(ip + 4, (uint16_t)l4);
		else {
			wr16(ip + 2, (uint16_t)g->len);
			ipv4_fix_csum(ip, g->iphl);
		}
		if (g->proto == PROTO_UDP)
			wr16(ip + g->iphl + 4, (uint16_t)l4);
		/* Partial checksum: the pseudo header only; the kernel completes
		 * it per segment if the packet is ever segmented again */
		ip[g->iphl + coff] = ip[g->iphl + coff + 1] = 0;
		c = dp_csum_fold(pseudo_sum(ip, g->proto, g->v6, (uint32_t)l4));
		memcpy(ip + g->iphl + coff, &c, 2);
		h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		h.gso_type = g->proto == PROTO_UDP ? VIRTIO_NET_HDR_GSO_UDP_L4
			   : g->v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4;
		h.hdr_len = (uint16_t)(g->iphl + g->tcphl);
		h.gso_size = g->seg_payload;
		h.csum_start = g->iphl;
		h.csum_offset = (uint16_t)coff;
	} else {
		/* authenticated by the ESP ICV: no need to verify it again */
		h.flags = VIRTIO_NET_HDR_F_DATA_VALID;
	}
	memcpy(g->buf + DP_TUN_OFF, &h, sizeof(h));
	g->segs = 0;
	return DP_VNET_HDR_LEN + g->len;
}

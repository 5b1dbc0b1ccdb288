/* net: user-space segmentation offloads. A TCP super-packet as the TUN
 * hands it over (virtio_net_hdr TCPV4/TCPV6) is split into segments whose
 * headers and checksums are checked against a deliberately naive RFC 1071
 * reference; the segments merged back (receive side) give the original
 * byte stream; every way a segment may not join a run is refused. */
#include <check.h>
#include <linux/virtio_net.h>
#include <stdlib.h>
#include <string.h>
#include "dp_internal.h"
#include "check_main.h"

enum { PAYLOAD = 10000, MSS = 1400, TCPHL = 32 };

/* Naive reference: big-endian 16-bit words, byte by byte. */
static uint16_t ref_csum(const uint8_t *parts[], const size_t lens[], int n)
{
	uint32_t sum = 0;
	for (int k = 0; k < n; k++)
		for (size_t i = 0; i < lens[k]; i += 2)
			sum += (uint32_t)(parts[k][i] << 8) | (i + 1 < lens[k] ? parts[k][i + 1] : 0);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static bool tcp_csum_ok(const uint8_t *ip, size_t len, bool v6)
{
	size_t iphl = v6 ? 40 : (size_t)(ip[0] & 15) * 4, l4 = len - iphl;
	uint8_t ph[40];
	size_t phl;
	memset(ph, 0, sizeof(ph));
	if (v6) {
		memcpy(ph, ip + 8, 32);
		ph[34] = (uint8_t)(l4 >> 8); ph[35] = (uint8_t)l4; ph[39] = 6;
		phl = 40;
	} else {
		memcpy(ph, ip + 12, 8);
		ph[9] = 6; ph[10] = (uint8_t)(l4 >> 8); ph[11] = (uint8_t)l4;
		phl = 12;
	}
	const uint8_t *parts[2] = { ph, ip + iphl };
	size_t lens[2] = { phl, l4 };
	return ref_csum(parts, lens, 2) == 0xffff;
}

static bool ipv4_csum_ok(const uint8_t *ip)
{
	const uint8_t *parts[1] = { ip };
	size_t lens[1] = { (size_t)(ip[0] & 15) * 4 };
	return ref_csum(parts, lens, 1) == 0xffff;
}

/* A super-packet: IPv4 or IPv6 + TCP with a timestamp option + payload */
static size_t build_super(uint8_t *p, bool v6, uint8_t flags)
{
	size_t iphl = v6 ? 40 : 20, len = iphl + TCPHL + PAYLOAD;
	memset(p, 0, iphl + TCPHL);
	if (v6) {
		p[0] = 0x60;
		p[4] = (uint8_t)((TCPHL + PAYLOAD) >> 8); p[5] = (uint8_t)(TCPHL + PAYLOAD);
		p[6] = 6; p[7] = 64;
		p[8] = 0xfd; p[23] = 1; p[24] = 0xfd; p[39] = 2;
	} else {
		p[0] = 0x45; p[2] = (uint8_t)(len >> 8); p[3] = (uint8_t)len;
		p[4] = 0x12; p[5] = 0x34; p[6] = 0x40; p[8] = 64; p[9] = 6;
		p[12] = 10; p[13] = 1; p[15] = 1; p[16] = 10; p[17] = 2; p[19] = 1;
	}
	uint8_t *t = p + iphl;
	t[0] = 0x9c; t[1] = 0x40; t[2] = 0x14; t[3] = 0x51;       /* ports */
	t[4] = 0xff; t[5] = 0xff; t[6] = 0xf0; t[7] = 0x00;       /* seq: wraps inside */
	t[8] = 0; t[9] = 0; t[10] = 0x10; t[11] = 0x01;            /* ack */
	t[12] = (TCPHL / 4) << 4; t[13] = flags; t[14] = 0x01; t[15] = 0xf5;
	t[20] = 1; t[21] = 1; t[22] = 8; t[23] = 10; t[24] = 0xaa; t[31] = 0xbb;  /* NOP NOP TS */
	for (size_t i = 0; i < PAYLOAD; i++)
		p[iphl + TCPHL + i] = (uint8_t)(i * 7 + 3);
	return len;
}

struct segs {
	uint8_t *slot[DP_TX_SLOTS];
	size_t len[DP_TX_SLOTS];
};

static void segs_alloc(struct segs *s)
{
	for (int i = 0; i < DP_TX_SLOTS; i++)
		s->slot[i] = calloc(1, ESP_BUF_SIZE);
}

static void segs_free(struct segs *s)
{
	for (int i = 0; i < DP_TX_SLOTS; i++)
		free(s->slot[i]);
}

static uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3]; }

static void check_split(bool v6)
{
	static uint8_t sup[70000];
	struct segs s;
	struct dp_vnet_hdr h = { .gso_type = v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4,
				 .gso_size = MSS };
	size_t iphl = v6 ? 40 : 20, len = build_super(sup, v6, 0x18 | 0x01);  /* ACK PSH FIN */
	segs_alloc(&s);
	int n = dp_tso_split(sup, len, &h, s.slot, s.len, DP_TX_SLOTS);
	ck_assert_int_eq(n, (PAYLOAD + MSS - 1) / MSS);
	size_t off = 0;
	for (int i = 0; i < n; i++) {
		const uint8_t *o = s.slot[i] + ESP_HEADROOM, *t = o + iphl;
		size_t plen = i < n - 1 ? MSS : PAYLOAD % MSS;
		ck_assert_uint_eq(s.len[i], iphl + TCPHL + plen);
		if (v6) {
			ck_assert_uint_eq((size_t)(o[4] << 8 | o[5]), TCPHL + plen);
		} else {
			ck_assert_uint_eq((size_t)(o[2] << 8 | o[3]), s.len[i]);
			ck_assert_uint_eq((unsigned)(o[4] << 8 | o[5]), 0x1234u + (unsigned)i);
			ck_assert(ipv4_csum_ok(o));
		}
		ck_assert_uint_eq(rd32(t + 4), 0xfffff000u + (uint32_t)off);
		ck_assert_uint_eq(t[13], i == n - 1 ? 0x19 : 0x10);
		ck_assert(!memcmp(t + 20, sup + iphl + 20, TCPHL - 20));
		ck_assert(!memcmp(t + TCPHL, sup + iphl + TCPHL + off, plen));
		ck_assert_msg(tcp_csum_ok(o, s.len[i], v6), "segment %d", i);
		off += plen;
	}
	segs_free(&s);
}

START_TEST(split_ipv4) { check_split(false); }
END_TEST
START_TEST(split_ipv6) { check_split(true); }
END_TEST

/* Every truncation of the headers is refused, never read past. */
START_TEST(split_truncated)
{
	static uint8_t sup[70000];
	struct segs s;
	struct dp_vnet_hdr h = { .gso_type = VIRTIO_NET_HDR_GSO_TCPV4, .gso_size = MSS };
	build_super(sup, false, 0x10);
	segs_alloc(&s);
	for (size_t l = 0; l < 20 + TCPHL; l++) {
		uint8_t *copy = malloc(l ? l : 1);
		memcpy(copy, sup, l);
		ck_assert_int_lt(dp_tso_split(copy, l, &h, s.slot, s.len, DP_TX_SLOTS), 0);
		free(copy);
	}
	h.gso_size = 0;
	ck_assert_int_lt(dp_tso_split(sup, 20 + TCPHL + PAYLOAD, &h, s.slot, s.len, DP_TX_SLOTS), 0);
	h.gso_size = 100;   /* 100 segments do not fit in 64 slots */
	ck_assert_int_lt(dp_tso_split(sup, 20 + TCPHL + PAYLOAD, &h, s.slot, s.len, 64), 0);
	segs_free(&s);
}
END_TEST

static void check_roundtrip(bool v6)
{
	static uint8_t sup[70000];
	struct segs s;
	struct dp_vnet_hdr h = { .gso_type = v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4,
				 .gso_size = MSS }, out;
	size_t iphl = v6 ? 40 : 20, len = build_super(sup, v6, 0x18);
	struct dp_gro g = { .buf = calloc(1, ESP_BUF_SIZE) };
	segs_alloc(&s);
	int n = dp_tso_split(sup, len, &h, s.slot, s.len, DP_TX_SLOTS);
	ck_assert(dp_gro_start(&g, s.slot[0] + ESP_HEADROOM, s.len[0]));
	for (int i = 1; i < n; i++)
		ck_assert_msg(dp_gro_append(&g, s.slot[i] + ESP_HEADROOM, s.len[i]), "seg %d", i);
	size_t w = dp_gro_finish(&g);
	ck_assert_uint_eq(w, DP_VNET_HDR_LEN + len);
	memcpy(&out, g.buf + DP_TUN_OFF, sizeof(out));
	ck_assert_uint_eq(out.gso_type, h.gso_type);
	ck_assert_uint_eq(out.gso_size, MSS);
	ck_assert_uint_eq(out.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	ck_assert_uint_eq(out.csum_start, iphl);
	ck_assert_uint_eq(out.csum_offset, 16);
	ck_assert_uint_eq(out.hdr_len, iphl + TCPHL);
	const uint8_t *m = g.buf + ESP_HEADROOM;
	ck_assert(!memcmp(m + iphl + TCPHL, sup + iphl + TCPHL, PAYLOAD));
	ck_assert_uint_eq(m[iphl + 13], 0x18);      /* the last segment's PSH is kept */
	if (!v6)
		ck_assert(ipv4_csum_ok(m));
	ck_assert(g.segs == 0);
	free(g.buf);
	segs_free(&s);
}

START_TEST(roundtrip_ipv4) { check_roundtrip(false); }
END_TEST
START_TEST(roundtrip_ipv6) { check_roundtrip(true); }
END_TEST

/* Numbered ways a second segment must not join the first. */
enum { BREAK_SEQ, BREAK_PORT, BREAK_ACK, BREAK_SYN, BREAK_OPTION, BREAK_LONGER, BREAK_TTL,
       BREAK_COUNT };

START_TEST(append_refused)
{
	static uint8_t sup[70000];
	struct segs s;
	struct dp_vnet_hdr h = { .gso_type = VIRTIO_NET_HDR_GSO_TCPV4, .gso_size = MSS };
	struct dp_gro g = { .buf = calloc(1, ESP_BUF_SIZE) };
	size_t len = build_super(sup, false, 0x10);
	segs_alloc(&s);
	dp_tso_split(sup, len, &h, s.slot, s.len, DP_TX_SLOTS);
	uint8_t *o = s.slot[1] + ESP_HEADROOM, *t = o + 20;
	switch (_i) {
	case BREAK_SEQ: t[7] ^= 1; break;
	case BREAK_PORT: t[1] ^= 1; break;
	case BREAK_ACK: t[11] ^= 1; break;
	case BREAK_SYN: t[13] |= 0x02; break;
	case BREAK_OPTION: t[24] ^= 1; break;
	case BREAK_LONGER: s.len[1] += 1; o[3] += 1; break;
	case BREAK_TTL: o[8] ^= 1; break;
	}
	ck_assert(dp_gro_start(&g, s.slot[0] + ESP_HEADROOM, s.len[0]));
	ck_assert_msg(!dp_gro_append(&g, o, s.len[1]), "case %d", _i);
	ck_assert_int_eq(g.segs, 1);
	free(g.buf);
	segs_free(&s);
}
END_TEST

/* A short segment or PSH closes a run; a pure ACK never starts one. */
START_TEST(run_closing)
{
	static uint8_t sup[70000];
	struct segs s;
	struct dp_vnet_hdr h = { .gso_type = VIRTIO_NET_HDR_GSO_TCPV4, .gso_size = MSS };
	struct dp_gro g = { .buf = calloc(1, ESP_BUF_SIZE) };
	size_t len = build_super(sup, false, 0x18);
	segs_alloc(&s);
	int n = dp_tso_split(sup, len, &h, s.slot, s.len, DP_TX_SLOTS);
	/* the last (short, PSH) segment starts a run nothing can follow */
	ck_assert(dp_gro_start(&g, s.slot[n - 1] + ESP_HEADROOM, s.len[n - 1]));
	ck_assert(!dp_gro_append(&g, s.slot[0] + ESP_HEADROOM, s.len[0]));
	/* headers only: not data, not coalesced */
	uint8_t *o = s.slot[0] + ESP_HEADROOM;
	o[2] = 0; o[3] = 20 + TCPHL;
	ck_assert(!dp_gro_start(&g, o, 20 + TCPHL));
	free(g.buf);
	segs_free(&s);
}
END_TEST

#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5
#endif

static bool udp_csum_ok(const uint8_t *ip, size_t len)
{
	size_t l4 = len - 20;
	uint8_t ph[12] = { 0 };
	memcpy(ph, ip + 12, 8);
	ph[9] = 17; ph[10] = (uint8_t)(l4 >> 8); ph[11] = (uint8_t)l4;
	const uint8_t *parts[2] = { ph, ip + 20 };
	size_t lens[2] = { 12, l4 };
	return ref_csum(parts, lens, 2) == 0xffff;
}

/* USO: a UDP super-packet (a local sender's UDP_SEGMENT) split into
 * datagrams, and 64-byte datagrams of one flow merged into one UDP_L4 run
 * only when the TUN accepted USO. */
START_TEST(udp_split_and_merge)
{
	enum { SEG = 64, NSEG = 10, LEN = 20 + 8 + SEG * NSEG - 7 };
	static uint8_t sup[LEN];
	struct segs s;
	struct dp_vnet_hdr h = { .gso_type = VIRTIO_NET_HDR_GSO_UDP_L4, .gso_size = SEG }, out;
	memset(sup, 0, 28);
	sup[0] = 0x45; sup[2] = LEN >> 8; sup[3] = LEN & 0xff; sup[6] = 0x40; sup[8] = 64; sup[9] = 17;
	sup[12] = 10; sup[15] = 1; sup[16] = 10; sup[19] = 2;
	sup[20] = 0x13; sup[21] = 0x88; sup[22] = 0x14; sup[23] = 0x51;
	sup[24] = (LEN - 20) >> 8; sup[25] = (LEN - 20) & 0xff;
	for (int i = 28; i < LEN; i++)
		sup[i] = (uint8_t)(i * 13);
	segs_alloc(&s);
	int n = dp_tso_split(sup, LEN, &h, s.slot, s.len, DP_TX_SLOTS);
	ck_assert_int_eq(n, NSEG);
	for (int i = 0; i < n; i++) {
		const uint8_t *o = s.slot[i] + ESP_HEADROOM;
		size_t plen = i < n - 1 ? SEG : SEG - 7;
		ck_assert_uint_eq(s.len[i], 28 + plen);
		ck_assert_uint_eq((size_t)(o[24] << 8 | o[25]), 8 + plen);
		ck_assert(ipv4_csum_ok(o));
		ck_assert_msg(udp_csum_ok(o, s.len[i]), "datagram %d", i);
		ck_assert(!memcmp(o + 28, sup + 28 + i * SEG, plen));
	}
	struct dp_gro g = { .buf = calloc(1, ESP_BUF_SIZE), .uso = false };
	ck_assert(!dp_gro_start(&g, s.slot[0] + ESP_HEADROOM, s.len[0]));   /* no USO: single */
	g.uso = true;
	ck_assert(dp_gro_start(&g, s.slot[0] + ESP_HEADROOM, s.len[0]));
	for (int i = 1; i < n; i++)
		ck_assert_msg(dp_gro_append(&g, s.slot[i] + ESP_HEADROOM, s.len[i]), "datagram %d", i);
	ck_assert_uint_eq(dp_gro_finish(&g), DP_VNET_HDR_LEN + LEN);
	memcpy(&out, g.buf + DP_TUN_OFF, sizeof(out));
	ck_assert_uint_eq(out.gso_type, VIRTIO_NET_HDR_GSO_UDP_L4);
	ck_assert_uint_eq(out.gso_size, SEG);
	ck_assert_uint_eq(out.csum_offset, 6);
	ck_assert(!memcmp(g.buf + ESP_HEADROOM + 28, sup + 28, LEN - 28));
	/* another destination port does not join */
	ck_assert(dp_gro_start(&g, s.slot[0] + ESP_HEADROOM, s.len[0]));
	s.slot[1][ESP_HEADROOM + 23] ^= 1;
	ck_assert(!dp_gro_append(&g, s.slot[1] + ESP_HEADROOM, s.len[1]));
	free(g.buf);
	segs_free(&s);
}
END_TEST

/* VIRTIO_NET_HDR_F_NEEDS_CSUM: a UDP datagram with only the pseudo-header
 * sum in place, completed in user space. */
START_TEST(csum_complete_udp)
{
	uint8_t p[20 + 8 + 13];
	memset(p, 0, sizeof(p));
	p[0] = 0x45; p[3] = sizeof(p); p[8] = 64; p[9] = 17;
	p[12] = 10; p[15] = 1; p[16] = 10; p[19] = 2;
	p[21] = 53; p[23] = 53; p[25] = 8 + 13;
	for (int i = 0; i < 13; i++)
		p[28 + i] = (uint8_t)(0xf0 + i);
	uint8_t ph[12] = { 10, 0, 0, 1, 10, 0, 0, 2, 0, 17, 0, 8 + 13 };
	uint16_t partial = dp_csum_fold(dp_csum_add(0, ph, 12));
	memcpy(p + 26, &partial, 2);
	struct dp_vnet_hdr h = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .csum_start = 20, .csum_offset = 6 };
	ck_assert_int_eq(dp_csum_complete(p, sizeof(p), &h), 0);
	const uint8_t *parts[2] = { ph, p + 20 };
	size_t lens[2] = { 12, 8 + 13 };
	ck_assert_uint_eq(ref_csum(parts, lens, 2), 0xffff);
	h.csum_start = sizeof(p);
	ck_assert_int_lt(dp_csum_complete(p, sizeof(p), &h), 0);
	h.csum_start = 20; h.csum_offset = 20;
	ck_assert_int_lt(dp_csum_complete(p, sizeof(p), &h), 0);
}
END_TEST

/* RFC 1071 on a textbook IPv4 header (checksum 0xb861). */
START_TEST(csum_vector)
{
	uint8_t ip[20] = { 0x45, 0, 0, 0x73, 0, 0, 0x40, 0, 0x40, 0x11, 0, 0,
			   0xc0, 0xa8, 0, 1, 0xc0, 0xa8, 0, 0xc7 };
	uint16_t c = (uint16_t)~dp_csum_fold(dp_csum_add(0, ip, 20));
	memcpy(ip + 10, &c, 2);
	ck_assert_uint_eq(ip[10], 0xb8);
	ck_assert_uint_eq(ip[11], 0x61);
	/* odd lengths and split sums agree with the reference */
	uint8_t d[37];
	for (int i = 0; i < 37; i++)
		d[i] = (uint8_t)(i * 31 + 7);
	for (size_t l = 0; l <= 37; l++) {
		const uint8_t *parts[1] = { d };
		size_t lens[1] = { l };
		uint16_t got = dp_csum_fold(dp_csum_add(dp_csum_add(0, d, l & ~(size_t)3), d + (l & ~(size_t)3), l & 3));
		uint16_t ref = ref_csum(parts, lens, 1);
		uint8_t be[2] = { (uint8_t)(ref >> 8), (uint8_t)ref };
		uint16_t want;
		memcpy(&want, be, 2);
		ck_assert_msg(got == want || (got == 0xffff && want == 0) || (got == 0 && want == 0xffff),
			      "len %zu", l);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("net_offload");
	TCase *tc = tcase_create("offload");
	tcase_add_test(tc, csum_vector);
	tcase_add_test(tc, csum_complete_udp);
	tcase_add_test(tc, split_ipv4);
	tcase_add_test(tc, split_ipv6);
	tcase_add_test(tc, split_truncated);
	tcase_add_test(tc, roundtrip_ipv4);
	tcase_add_test(tc, roundtrip_ipv6);
	tcase_add_loop_test(tc, append_refused, 0, BREAK_COUNT);
	tcase_add_test(tc, run_closing);
	tcase_add_test(tc, udp_split_and_merge);
	suite_add_tcase(s, tc);
	return lg_check_run(s);
}

/* Inbound fast path: recvmmsg (UDP GRO: one buffer may hold a run of
 * datagrams) -> demultiplex (RFC 3948: 0xff keepalive, 4 zero bytes IKE,
 * else ESP) -> esp_decrypt in place -> TUN write, with consecutive segments
 * of one TCP flow merged into one super-packet first. */
#include <errno.h>
#include <linux/virtio_net.h>
#include <string.h>
#include <unistd.h>
#include "dp_internal.h"

enum { RX_ROUNDS = 4 };

static struct lg_ratelimit rl_rx = LG_RATELIMIT_INIT(1000, 5);

static void tun_write(struct dp_worker *w, const uint8_t *p, size_t len)
{
	if (write(w->tun_fd, p, len) < 0) {
		lg_log_ratelimited(&rl_rx, LOG_WARNING, "event=tun_write_failed err=%d", errno);
		dp_drop(&w->c, DATAPATH_DROP_TUN_WRITE);
		return;
	}
	DP_COUNT(&w->c, tun_tx, 1);
}

static void gro_flush(struct dp_worker *w, struct dp_gro *g)
{
	if (g->segs == 0)
		return;
	size_t n = dp_gro_finish(g);
	tun_write(w, g->buf + DP_TUN_OFF, n);
}

/* seg: the ESP packet, decrypted in place; the inner packet sits at
 * seg + ESP_HEADROOM, so the vnet header fits in the consumed ESP header. */
static void deliver(struct dp_worker *w, struct dp_gro *g, uint8_t *seg, size_t len)
{
	uint8_t *pkt = seg + ESP_HEADROOM;
	if (!w->dp->vnet) {
		tun_write(w, pkt, len);
		return;
	}
	if (w->dp->tso) {
		if (dp_gro_append(g, pkt, len))
			return;
		gro_flush(w, g);
		if (dp_gro_start(g, pkt, len))
			return;
	}
	struct dp_vnet_hdr h = { .flags = VIRTIO_NET_HDR_F_DATA_VALID };
	memcpy(seg + DP_TUN_OFF, &h, sizeof(h));
	tun_write(w, seg + DP_TUN_OFF, DP_VNET_HDR_LEN + len);
}

/* One datagram (or one GRO segment); returns true when it queued IKE. */
static bool handle(struct dp_worker *w, struct dp_gro *g, int uplink, struct msghdr *m,
		   const union lg_sockaddr *from, uint8_t *seg, size_t len)
{
	DP_COUNT(&w->c, udp_rx, 1);
	if (len == 1 && seg[0] == NATT_KEEPALIVE_BYTE) {
		DP_COUNT(&w->c, keepalives, 1);   /* RFC 3948 §2.3: ignore */
		return false;
	}
	if (len < IKEV2_NON_ESP_MARKER_LEN) {
		dp_drop(&w->c, DATAPATH_DROP_RUNT);
		return false;
	}
	if (!seg[0] && !seg[1] && !seg[2] && !seg[3]) {
		/* keep TUN order: what precedes the IKE message goes first */
		return dp_ikeq_push(w, uplink, from, m, w->dp->cfg.natt_port,
				    seg + IKEV2_NON_ESP_MARKER_LEN, len - IKEV2_NON_ESP_MARKER_LEN);
	}
	size_t inner = 0;
	enum esp_verdict v = esp_decrypt(w->esp, seg, len, &inner, from);
	if (v != ESP_OK)
		return false;   /* counted and logged by esp/ */
	deliver(w, g, seg, inner);
	return false;
}

static void setup(struct dp_worker *w)
{
	struct dp_rx_state *rx = w->rx;
	for (int i = 0; i < DP_BATCH; i++) {
		struct msghdr *mh = &rx->msg[i].msg_hdr;
		rx->iov[i].iov_base = rx->slot[i];
		rx->iov[i].iov_len = ESP_BUF_SIZE;
		mh->msg_name = &rx->from[i];
		mh->msg_namelen = sizeof(rx->from[i]);
		mh->msg_iov = &rx->iov[i];
		mh->msg_iovlen = 1;
		mh->msg_control = rx->cmsg[i];
		mh->msg_controllen = sizeof(rx->cmsg[i]);
		mh->msg_flags = 0;
	}
}

static bool process(struct dp_worker *w, struct dp_gro *g, int uplink, int i)
{
	struct dp_rx_state *rx = w->rx;
	struct msghdr *mh = &rx->msg[i].msg_hdr;
	size_t len = rx->msg[i].msg_len, off, seg;
	bool ike = false;

	if (mh->msg_flags & MSG_TRUNC) {
		dp_drop(&w->c, DATAPATH_DROP_TRUNCATED);
		return false;
	}
	dp_sockaddr_unmap(&rx->from[i]);
	seg = w->dp->udp_gro ? (size_t)dp_udp_gro_size(mh) : 0;
	if (seg == 0 || seg >= len)
		return handle(w, g, uplink, mh, &rx->from[i], rx->slot[i], len);
	for (off = 0; off < len; off += seg) {
		size_t l = len - off < seg ? len - off : seg;
		ike |= handle(w, g, uplink, mh, &rx->from[i], rx->slot[i] + off, l);
	}
	return ike;
}

void dp_worker_udp_ready(struct dp_worker *w, int uplink, int fam)
{
	struct dp_rx_state *rx = w->rx;
	struct dp_gro g = { .buf = rx->coalesce, .uso = w->dp->uso };
	int fd = w->natt_fd[uplink][fam], round, i, n;
	bool ike = false;

	for (round = 0; round < RX_ROUNDS; round++) {
		setup(w);
		n = recvmmsg(fd, rx->msg, DP_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			break;
		for (i = 0; i < n; i++)
			ike |= process(w, &g, uplink, i);
		gro_flush(w, &g);
		esp_worker_quiescent(w->esp);
		if (n < DP_BATCH)
			break;
	}
	if (ike)
		dp_ikeq_kick(w);
}

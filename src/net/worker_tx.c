/* Outbound fast path: TUN read loop (many packets per wake-up, TSO
 * super-packets split into segments) -> esp_encrypt -> sendmmsg, with runs
 * of equal-size packets to one peer sent as one UDP GSO message, paced per
 * peer (tunnel pace-rate). No allocation; the only syscalls are the reads,
 * one sendmmsg per batch and, when pacing holds a message back, one sleep. */
#include <errno.h>
#include <linux/virtio_net.h>
#include <netinet/udp.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "dp_internal.h"
#include "pace.h"

enum { TX_ROUNDS = 4 };   /* batches per wake-up before the other fds get a turn */

static struct lg_ratelimit rl_tx = LG_RATELIMIT_INIT(1000, 5);

/* Reads one packet into slot[n] (and splits it if it is a super-packet);
 * returns how many slots it filled, 0 on a drop, -1 when the TUN is empty. */
static int read_one(struct dp_worker *w, int n)
{
	struct dp_tx_state *tx = w->tx;
	struct datapath *dp = w->dp;
	uint8_t *s = tx->slot[n];
	size_t hdr = dp->vnet ? DP_VNET_HDR_LEN : 0;
	ssize_t r = read(w->tun_fd, s + ESP_HEADROOM - hdr, ESP_BUF_SIZE - ESP_HEADROOM);
	struct dp_vnet_hdr h;

	if (r < 0) {
		if (errno != EAGAIN && errno != EINTR)
			lg_log_ratelimited(&rl_tx, LOG_WARNING, "event=tun_read_failed err=%d", errno);
		return -1;
	}
	if ((size_t)r <= hdr)
		return 0;
	DP_COUNT(&w->c, tun_rx, 1);
	tx->len[n] = (size_t)r - hdr;
	if (!hdr)
		return 1;
	memcpy(&h, s + DP_TUN_OFF, sizeof(h));
	if ((h.gso_type & ~VIRTIO_NET_HDR_GSO_ECN) == VIRTIO_NET_HDR_GSO_NONE) {
		if ((h.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
		    dp_csum_complete(s + ESP_HEADROOM, tx->len[n], &h) < 0)
			goto bad;
		return 1;
	}
	/* the super-packet moves to the spare buffer, its segments fill slots */
	tx->slot[n] = tx->super;
	tx->super = s;
	int segs = dp_tso_split(s + ESP_HEADROOM, tx->len[n], &h, &tx->slot[n], &tx->len[n],
				DP_TX_SLOTS - n);
	if (segs > 0)
		return segs;
bad:
	dp_drop(&w->c, DATAPATH_DROP_BAD_VNET);
	return 0;
}

static void encrypt_all(struct dp_worker *w, int n)
{
	struct dp_tx_state *tx = w->tx;
	int i;
	for (i = 0; i < n; i++) {
		size_t esp_len = 0;
		enum esp_verdict v = esp_encrypt(w->esp, tx->slot[i], tx->len[i], &esp_len,
						 &tx->route[i]);
		tx->ok[i] = v == ESP_OK;
		tx->len[i] = esp_len;
	}
	esp_worker_quiescent(w->esp);
}

static int route_fd(struct dp_worker *w, const struct esp_route *r)
{
	if (r->uplink < 0 || r->uplink >= DATAPATH_MAX_UPLINKS ||
	    (size_t)r->uplink >= w->dp->cfg.n_uplinks)
		return -1;
	return w->natt_fd[r->uplink][dp_fam_index(r->peer.sa.sa_family)];
}

static bool same_route(const struct esp_route *a, const struct esp_route *b)
{
	return a->uplink == b->uplink && lg_sockaddr_equal(&a->peer, &b->peer);
}

/* A device without checksum offload, or segments above the path MTU
 * (tunnel MTU set too large), make the kernel refuse UDP GSO: from then on
 * one datagram per message, fragmented by IP if need be. */
static void gso_refused(struct dp_worker *w)
{
	if (atomic_exchange(&w->dp->udp_gso, false))
		lg_log(LOG_WARNING, "event=udp_gso_disabled err=%d", errno);
}

static void flush(struct dp_worker *w, int fd, int first, int count)
{
	struct dp_tx_state *tx = w->tx;
	int done = 0;
	while (done < count) {
		int r = sendmmsg(fd, &tx->msg[first + done], (unsigned)(count - done), MSG_DONTWAIT);
		if (r > 0) {
			for (int i = 0; i < r; i++)
				DP_COUNT(&w->c, udp_tx, tx->msg[first + done + i].msg_hdr.msg_iovlen);
			done += r;
			continue;
		}
		/* the message at the head failed: count it, go on with the rest */
		if (errno != EINTR) {
			if ((errno == EIO || errno == EINVAL) &&
			    tx->msg[first + done].msg_hdr.msg_controllen)
				gso_refused(w);
			lg_log_ratelimited(&rl_tx, LOG_WARNING, "event=udp_send_failed err=%d", errno);
			DP_COUNT(&w->c, drops[DATAPATH_DROP_UDP_SEND],
				 tx->msg[first + done].msg_hdr.msg_iovlen);
			DP_COUNT(&w->c, tx_errors, 1);
			done++;
		}
	}
}

/* Packets [i, j) all go to one peer with one size (the last may be
 * shorter): one message, segmented by the kernel (UDP_SEGMENT). At most
 * gso_segments of them: the receiver gets a message's segments queued at
 * once, and one that reads a datagram at a time overruns its buffer on
 * 64 (tunnel gso-segments in linegate.conf). */
static int gso_run(struct dp_worker *w, int i, int n)
{
	struct dp_tx_state *tx = w->tx;
	size_t total = tx->len[i];
	int j = i + 1;
	if (!atomic_load_explicit(&w->dp->udp_gso, memory_order_relaxed))
		return j;
	int max = w->dp->cfg.gso_segments;
	while (j < n && tx->ok[j] && j - i < max && same_route(&tx->route[i], &tx->route[j]) &&
	       tx->len[j] <= tx->len[i] && total + tx->len[j] <= DP_GSO_MAX_BYTES) {
		total += tx->len[j];
		if (tx->len[j++] < tx->len[i])
			break;
	}
	return j;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void sleep_until(uint64_t ns)
{
	struct timespec ts = { .tv_sec = (time_t)(ns / 1000000000u), .tv_nsec = (long)(ns % 1000000000u) };
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

/* How long message [i, j) must wait for its peer to drain what went before
 * (0 when pacing is off). NOW is read once per batch and moved by the waits. */
static uint64_t pace_due(struct dp_worker *w, uint64_t *now, int i, int j)
{
	struct dp_tx_state *tx = w->tx;
	uint32_t mbit = w->dp->cfg.pace_mbit;
	if (!mbit)
		return 0;
	if (!*now)
		*now = mono_ns();
	size_t bytes = 0;
	for (int k = i; k < j; k++)
		bytes += tx->len[k];
	struct dp_pace_peer *e = dp_pace_find(&tx->pace, tx->route[i].uplink, &tx->route[i].peer);
	uint64_t wait = dp_pace_send(e, *now, bytes, mbit);
	*now += wait;
	return wait;
}

static void send_all(struct dp_worker *w, int n)
{
	struct dp_tx_state *tx = w->tx;
	int i = 0, m = 0, first = 0, cur_fd = -1;
	uint64_t now = 0;

	while (i < n) {
		if (!tx->ok[i]) {
			i++;
			continue;
		}
		int fd = route_fd(w, &tx->route[i]);
		if (fd < 0) {
			dp_drop(&w->c, DATAPATH_DROP_NO_SOCKET);
			i++;
			continue;
		}
		if (fd != cur_fd && m > first) {
			flush(w, cur_fd, first, m - first);
			first = m;
		}
		cur_fd = fd;
		int j = gso_run(w, i, n);
		if (pace_due(w, &now, i, j)) {
			/* what is queued goes now; this message after the wait */
			if (m > first) {
				flush(w, cur_fd, first, m - first);
				first = m;
			}
			DP_COUNT(&w->c, paced, 1);
			sleep_until(now);
		}
		struct msghdr *mh = &tx->msg[m].msg_hdr;
		memset(mh, 0, sizeof(*mh));
		tx->dst[m] = tx->route[i].peer;
		mh->msg_name = &tx->dst[m];
		mh->msg_namelen = lg_sockaddr_len(&tx->dst[m]);
		mh->msg_iov = &tx->iov[i];
		mh->msg_iovlen = (size_t)(j - i);
		for (int k = i; k < j; k++) {
			tx->iov[k].iov_base = tx->slot[k];
			tx->iov[k].iov_len = tx->len[k];
		}
		if (j - i > 1) {
			uint16_t seg = (uint16_t)tx->len[i];
			mh->msg_control = tx->cmsg[m];
			mh->msg_controllen = CMSG_SPACE(sizeof(seg));
			struct cmsghdr *c = CMSG_FIRSTHDR(mh);
			c->cmsg_level = IPPROTO_UDP;
			c->cmsg_type = UDP_SEGMENT;
			c->cmsg_len = CMSG_LEN(sizeof(seg));
			memcpy(CMSG_DATA(c), &seg, sizeof(seg));
		}
		m++;
		i = j;
	}
	if (m > first)
		flush(w, cur_fd, first, m - first);
}

void dp_worker_tun_ready(struct dp_worker *w)
{
	int round;
	for (round = 0; round < TX_ROUNDS; round++) {
		int n = 0, got = 0;
		while (n < DP_BATCH) {
			got = read_one(w, n);
			if (got < 0)
				break;
			n += got;
		}
		if (n > 0) {
			encrypt_all(w, n);
			send_all(w, n);
		}
		if (got < 0)
			break;
	}
}

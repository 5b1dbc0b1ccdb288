/* IKE hand-off to the control thread. A worker that finds an IKE message on
 * the NAT-T port parks it in its own single-producer/single-consumer ring
 * and kicks an eventfd watched by libevent; the worker never waits on the
 * loop, and a full ring drops (counted). Port 500 carries IKE only, so its
 * sockets are read by the loop itself. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <event2/event.h>
#include "dp_internal.h"

static struct lg_ratelimit rl_ike = LG_RATELIMIT_INIT(1000, 5);

bool dp_ikeq_push(struct dp_worker *w, int uplink, const union lg_sockaddr *from,
		  struct msghdr *m, uint16_t port, const uint8_t *data, size_t len)
{
	struct dp_ike_ring *r = &w->ring;
	uint32_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	uint32_t head = atomic_load_explicit(&r->head, memory_order_acquire);
	struct dp_ike_slot *s;

	if (len > DP_IKE_MAX) {
		dp_drop(&w->c, DATAPATH_DROP_IKE_TOO_BIG);
		return false;
	}
	if (tail - head >= r->size) {
		dp_drop(&w->c, DATAPATH_DROP_IKE_QUEUE_FULL);
		return false;
	}
	s = &r->slots[tail & (r->size - 1)];
	s->big = NULL;
	if (len > sizeof(s->buf) && !(s->big = malloc(len))) {
		dp_drop(&w->c, DATAPATH_DROP_IKE_QUEUE_FULL);
		return false;
	}
	memset(&s->meta, 0, sizeof(s->meta));
	s->meta.uplink = uplink;
	s->meta.remote = *from;
	s->meta.natt = true;
	dp_udp_pktinfo(m, port, &s->meta.local, s->meta.ifname);
	memcpy(s->big ? s->big : s->buf, data, len);
	s->meta.len = len;
	atomic_store_explicit(&r->tail, tail + 1, memory_order_release);
	DP_COUNT(&w->c, ike_rx, 1);
	return true;
}

/* One eventfd write per batch that queued something */
void dp_ikeq_kick(struct dp_worker *w)
{
	uint64_t one = 1;
	if (write(w->dp->wake_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		lg_log_ratelimited(&rl_ike, LOG_WARNING, "event=ike_kick_failed err=%d", errno);
}

static void drain(struct datapath *dp)
{
	int i;
	for (i = 0; i < dp->n_workers; i++) {
		struct dp_ike_ring *r = &dp->workers[i].ring;
		uint32_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
		uint32_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);
		for (; head != tail; head++) {
			struct dp_ike_slot *s = &r->slots[head & (r->size - 1)];
			s->meta.data = s->big ? s->big : s->buf;
			if (dp->on_ike)
				dp->on_ike(dp->ctx, &s->meta);
			free(s->big);
			s->big = NULL;
			atomic_store_explicit(&r->head, head + 1, memory_order_release);
		}
	}
}

static void on_wake(evutil_socket_t fd, short what, void *arg)
{
	uint64_t v;
	(void)what;
	if (read(fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return;
	drain(arg);
}

/* Port 500: IKE only (no marker). Bounded by a batch per wake-up so one
 * flooding peer cannot starve the loop. */
static void on_ike500(evutil_socket_t fd, short what, void *arg)
{
	struct datapath *dp = arg;
	static uint8_t buf[65536];
	uint8_t cbuf[256];
	union lg_sockaddr from;
	struct iovec iov = { buf, sizeof(buf) };
	int n, u, f;
	(void)what;

	for (u = 0; u < (int)dp->cfg.n_uplinks; u++)
		for (f = 0; f < 2; f++)
			if (dp->ike_fd[u][f] == fd)
				goto found;
	return;
found:
	for (n = 0; n < DP_BATCH; n++) {
		struct msghdr m = { &from, sizeof(from), &iov, 1, cbuf, sizeof(cbuf), 0 };
		ssize_t len = recvmsg(fd, &m, MSG_DONTWAIT);
		if (len < 0)
			break;
		if (m.msg_flags & MSG_TRUNC) {
			dp_drop(&dp->ctl, DATAPATH_DROP_TRUNCATED);
			continue;
		}
		struct ike_datagram d;
		memset(&d, 0, sizeof(d));
		dp_sockaddr_unmap(&from);
		d.uplink = u;
		d.remote = from;
		d.natt = false;
		dp_udp_pktinfo(&m, dp->cfg.ike_port, &d.local, d.ifname);
		d.data = buf;
		d.len = (size_t)len;
		DP_COUNT(&dp->ctl, ike_rx, 1);
		if (dp->on_ike)
			dp->on_ike(dp->ctx, &d);
	}
}

/* Slots per worker: what the configuration asks (the daemon sizes it from
 * the number of peers, so a hub's restart storm is absorbed while the loop
 * works through a batch), a power of two within bounds. Most IKE messages
 * fit the slot's 2 KiB; the few larger (certificates) are allocated, so a
 * deep queue costs little memory. */
uint32_t dp_ikeq_slots(uint32_t want)
{
	uint32_t n = DP_IKE_SLOTS;

	while (n < want && n < DP_IKE_SLOTS_MAX)
		n *= 2;
	return n;
}

int dp_ikeq_init(struct datapath *dp)
{
	int i, u, f;
	dp->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (dp->wake_fd < 0)
		return -errno;
	for (i = 0; i < dp->n_workers; i++) {
		struct dp_ike_ring *r = &dp->workers[i].ring;
		r->size = dp_ikeq_slots(dp->cfg.ike_queue);
		r->slots = calloc(r->size, sizeof(struct dp_ike_slot));
		if (!r->slots)
			return -ENOMEM;
	}
	dp->ev_wake = event_new(dp->base, dp->wake_fd, EV_READ | EV_PERSIST, on_wake, dp);
	if (!dp->ev_wake || event_add(dp->ev_wake, NULL) < 0)
		return -ENOMEM;
	for (u = 0; u < (int)dp->cfg.n_uplinks; u++) {
		for (f = 0; f < 2; f++) {
			if (dp->ike_fd[u][f] < 0)
				continue;
			dp->ev_ike[u][f] = event_new(dp->base, dp->ike_fd[u][f], EV_READ | EV_PERSIST,
						     on_ike500, dp);
			if (!dp->ev_ike[u][f] || event_add(dp->ev_ike[u][f], NULL) < 0)
				return -ENOMEM;
		}
	}
	return 0;
}

void dp_ikeq_fini(struct datapath *dp)
{
	int i, u, f;
	for (u = 0; u < DATAPATH_MAX_UPLINKS; u++)
		for (f = 0; f < 2; f++) {
			if (dp->ev_ike[u][f])
				event_free(dp->ev_ike[u][f]);
			dp->ev_ike[u][f] = NULL;
		}
	if (dp->ev_wake)
		event_free(dp->ev_wake);
	dp->ev_wake = NULL;
	if (dp->wake_fd >= 0)
		close(dp->wake_fd);
	dp->wake_fd = -1;
	for (i = 0; dp->workers && i < dp->n_workers; i++) {
		struct dp_ike_ring *r = &dp->workers[i].ring;
		uint32_t head = atomic_load(&r->head), tail = atomic_load(&r->tail);
		for (; r->slots && head != tail; head++)   /* workers are stopped */
			free(r->slots[head & (r->size - 1)].big);
		free(r->slots);
		r->slots = NULL;
	}
}

/* Fast-path worker threads: each owns one TUN queue, its own NAT-T socket
 * per uplink and family (SO_REUSEPORT group, or shared ones), its buffers
 * and its esp_worker, and sleeps in epoll until one of them is readable.
 * Nothing here runs on, or waits for, the libevent control thread. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>
#include "dp_internal.h"

enum { EV_TUN = 0xffff, EV_STOP = 0xfffe };

static struct lg_ratelimit rl_drop = LG_RATELIMIT_INIT(1000, 10);

static const char *const drop_names[DATAPATH_DROP_COUNT] = {
	[DATAPATH_DROP_IKE_QUEUE_FULL] = "ike_queue_full",
	[DATAPATH_DROP_IKE_TOO_BIG] = "ike_too_big",
	[DATAPATH_DROP_TRUNCATED] = "truncated",
	[DATAPATH_DROP_TUN_WRITE] = "tun_write",
	[DATAPATH_DROP_UDP_SEND] = "udp_send",
	[DATAPATH_DROP_NO_SOCKET] = "no_socket",
	[DATAPATH_DROP_BAD_VNET] = "bad_vnet",
	[DATAPATH_DROP_RUNT] = "runt",
};

const char *datapath_drop_name(enum datapath_drop d)
{
	return (unsigned)d < DATAPATH_DROP_COUNT ? drop_names[d] : "unknown";
}

/* ESP verdicts are counted and logged by esp/; these are the engine's own.
 * The per-thread check keeps a flood of drops off the shared log lock. */
void dp_drop(struct dp_counters *c, enum datapath_drop why)
{
	DP_COUNT(c, drops[why], 1);
	uint64_t now = lg_now_ms();
	if (now < c->log_next_ms) {
		c->log_suppressed++;
		return;
	}
	c->log_next_ms = now + 1000;
	lg_log_ratelimited(&rl_drop, LOG_NOTICE, "event=datapath_drop reason=%s total=%llu "
			   "suppressed_here=%llu", datapath_drop_name(why),
			   (unsigned long long)atomic_load(&c->drops[why]),
			   (unsigned long long)c->log_suppressed);
	c->log_suppressed = 0;
}

static void *worker_main(void *arg)
{
	struct dp_worker *w = arg;
	struct epoll_event ev[8];
	char name[16];

	snprintf(name, sizeof(name), "lg-dp%d", w->idx);
	pthread_setname_np(pthread_self(), name);
	for (;;) {
		int n = epoll_wait(w->epfd, ev, 8, -1);
		if (n < 0 && errno != EINTR)
			break;
		for (int i = 0; i < n; i++) {
			uint32_t tag = ev[i].data.u32;
			if (tag == EV_STOP)
				return NULL;
			if (tag == EV_TUN)
				dp_worker_tun_ready(w);
			else
				dp_worker_udp_ready(w, (int)(tag >> 1), (int)(tag & 1));
		}
	}
	return NULL;
}

static int watch(struct dp_worker *w, int fd, uint32_t tag, bool exclusive)
{
	struct epoll_event e = { .events = EPOLLIN | (exclusive ? EPOLLEXCLUSIVE : 0) };
	e.data.u32 = tag;
	return epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &e) < 0 ? -errno : 0;
}

static int alloc_buffers(struct dp_worker *w)
{
	int i;
	w->tx = calloc(1, sizeof(*w->tx));
	w->rx = calloc(1, sizeof(*w->rx));
	if (!w->tx || !w->rx)
		return -ENOMEM;
	for (i = 0; i < DP_TX_SLOTS; i++)
		if (!(w->tx->slot[i] = aligned_alloc(64, ESP_BUF_SIZE)))
			return -ENOMEM;
	for (i = 0; i < DP_BATCH; i++)
		if (!(w->rx->slot[i] = aligned_alloc(64, ESP_BUF_SIZE)))
			return -ENOMEM;
	w->tx->super = aligned_alloc(64, ESP_BUF_SIZE);
	w->rx->coalesce = aligned_alloc(64, ESP_BUF_SIZE);
	return w->tx->super && w->rx->coalesce ? 0 : -ENOMEM;
}

/* NAT-T sockets of one worker: own ones in a SO_REUSEPORT group, or the
 * first worker's when they are shared. */
static int open_sockets(struct dp_worker *w)
{
	struct datapath *dp = w->dp;
	bool shared = dp->cfg.shared_sockets;
	for (size_t u = 0; u < dp->cfg.n_uplinks; u++) {
		for (int f = 0; f < 2; f++) {
			int fam = f == DP_FAM_V6 ? AF_INET6 : AF_INET, fd, err;
			int src = dp->cfg.uplinks[u].source.sa.sa_family;
			if (src != AF_UNSPEC && src != fam)
				continue;
			if (shared && w->idx > 0)
				fd = dp->workers[0].natt_fd[u][f];
			else
				fd = dp_udp_open(dp, (int)u, fam, dp->cfg.natt_port, !shared);
			if (fd < 0) {
				/* no IPv6 on this host is not fatal for IPv4 */
				if (fam == AF_INET6 && (fd == -EAFNOSUPPORT || fd == -EADDRNOTAVAIL))
					continue;
				return fd;
			}
			w->natt_fd[u][f] = fd;
			err = watch(w, fd, (uint32_t)(u << 1 | (unsigned)f), shared);
			if (err < 0)
				return err;
		}
	}
	return 0;
}

static int worker_init(struct datapath *dp, struct dp_worker *w, int idx, int tun_fd)
{
	int err;
	w->dp = dp;
	w->idx = idx;
	w->tun_fd = tun_fd;
	w->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (w->epfd < 0)
		return -errno;
	w->esp = esp_worker_new(dp->esp);
	if (!w->esp)
		return -ENOMEM;
	err = alloc_buffers(w);
	if (err == 0)
		err = watch(w, tun_fd, EV_TUN, false);
	if (err == 0)
		err = watch(w, dp->stop_fd, EV_STOP, false);
	if (err == 0)
		err = open_sockets(w);
	return err;
}

/* tun_fds: one queue per worker; they belong to the workers from here on. */
int dp_workers_alloc(struct datapath *dp, const int *tun_fds)
{
	int i, err;
	dp->workers = calloc((size_t)dp->n_workers, sizeof(*dp->workers));
	if (!dp->workers) {
		for (i = 0; i < dp->n_workers; i++)
			close(tun_fds[i]);
		return -ENOMEM;
	}
	for (i = 0; i < dp->n_workers; i++) {
		dp->workers[i].tun_fd = tun_fds[i];
		dp->workers[i].epfd = -1;
		for (int u = 0; u < DATAPATH_MAX_UPLINKS; u++)
			dp->workers[i].natt_fd[u][0] = dp->workers[i].natt_fd[u][1] = -1;
	}
	for (i = 0; i < dp->n_workers; i++) {
		err = worker_init(dp, &dp->workers[i], i, tun_fds[i]);
		if (err < 0)
			return err;
	}
	return 0;
}

static void worker_free(struct datapath *dp, struct dp_worker *w)
{
	int i;
	for (int u = 0; u < DATAPATH_MAX_UPLINKS; u++)
		for (int f = 0; f < 2; f++)
			if (w->natt_fd[u][f] >= 0 && (!dp->cfg.shared_sockets || w->idx == 0))
				close(w->natt_fd[u][f]);
	if (w->epfd >= 0)
		close(w->epfd);
	if (w->tun_fd >= 0)
		close(w->tun_fd);
	if (w->esp)
		esp_worker_free(w->esp);
	if (w->tx) {
		for (i = 0; i < DP_TX_SLOTS; i++)
			free(w->tx->slot[i]);
		free(w->tx->super);
		free(w->tx);
	}
	if (w->rx) {
		for (i = 0; i < DP_BATCH; i++)
			free(w->rx->slot[i]);
		free(w->rx->coalesce);
		free(w->rx);
	}
}

void dp_workers_free(struct datapath *dp)
{
	if (!dp->workers)
		return;
	/* worker 0 last: shared sockets belong to it */
	for (int i = dp->n_workers - 1; i >= 0; i--)
		worker_free(dp, &dp->workers[i]);
	free(dp->workers);
	dp->workers = NULL;
}

int dp_workers_start(struct datapath *dp)
{
	for (int i = 0; i < dp->n_workers; i++) {
		int err = pthread_create(&dp->workers[i].thread, NULL, worker_main, &dp->workers[i]);
		if (err)
			return -err;
		dp->workers[i].started = true;
	}
	return 0;
}

void dp_workers_stop(struct datapath *dp)
{
	uint64_t one = 1;
	if (!dp->workers)
		return;
	if (write(dp->stop_fd, &one, sizeof(one)) < 0)
		lg_log(LOG_WARNING, "event=worker_stop_failed err=%d", errno);
	for (int i = 0; i < dp->n_workers; i++) {
		if (dp->workers[i].started)
			pthread_join(dp->workers[i].thread, NULL);
		dp->workers[i].started = false;
	}
}

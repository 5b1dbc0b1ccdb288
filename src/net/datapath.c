/* Life cycle of the packet engine: TUN device and its configuration, the
 * control thread's sockets and events, the workers; and the counters. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include "dp_internal.h"

static int worker_count(const struct datapath_config *cfg)
{
	long n = cfg->workers > 0 ? cfg->workers : sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	return n > DP_MAX_WORKERS ? DP_MAX_WORKERS : (int)n;
}

static int open_ike_sockets(struct datapath *dp)
{
	for (size_t u = 0; u < dp->cfg.n_uplinks; u++) {
		for (int f = 0; f < 2; f++) {
			int fam = f == DP_FAM_V6 ? AF_INET6 : AF_INET;
			int src = dp->cfg.uplinks[u].source.sa.sa_family;
			if (src != AF_UNSPEC && src != fam)
				continue;
			int fd = dp_udp_open(dp, (int)u, fam, dp->cfg.ike_port, false);
			if (fd < 0 && fam == AF_INET6 && (fd == -EAFNOSUPPORT || fd == -EADDRNOTAVAIL))
				continue;
			if (fd < 0)
				return fd;
			dp->ike_fd[u][f] = fd;
		}
	}
	return 0;
}

static int setup(struct datapath *dp)
{
	int fds[DP_MAX_WORKERS], err;

	dp->n_workers = worker_count(&dp->cfg);
	err = dp_nl_open(dp);
	if (err < 0)
		return err;
	err = dp_tun_open(dp, dp->n_workers, fds);
	if (err < 0)
		return err;
	err = dp_workers_alloc(dp, fds);   /* owns the queues, even on error */
	if (err < 0)
		return err;
	err = dp_nl_configure_tun(dp);
	if (err < 0)
		return err;
	err = open_ike_sockets(dp);
	if (err < 0)
		return err;
	err = dp_ikeq_init(dp);
	if (err < 0)
		return err;
	err = dp_linkmon_start(dp);
	if (err < 0)
		return err;
	return dp_routemon_start(dp);
}

struct datapath *datapath_new(const struct datapath_config *cfg, struct esp_table *t,
			      struct event_base *base, datapath_ike_fn on_ike,
			      datapath_link_fn on_link, void *ctx)
{
	struct datapath *dp;
	int err;

	if (!cfg || !t || !base || cfg->n_uplinks > DATAPATH_MAX_UPLINKS ||
	    cfg->n_tun_addrs > DATAPATH_MAX_ADDRS)
		return NULL;
	dp = calloc(1, sizeof(*dp));
	if (!dp)
		return NULL;
	dp->cfg = *cfg;
	if (!dp->cfg.ike_port)
		dp->cfg.ike_port = IKEV2_PORT;
	if (!dp->cfg.natt_port)
		dp->cfg.natt_port = IKEV2_NATT_PORT;
	if (!dp->cfg.gso_segments || dp->cfg.gso_segments > DP_GSO_MAX_SEGS)
		dp->cfg.gso_segments = DP_GSO_MAX_SEGS;
	dp->esp = t;
	dp->base = base;
	dp->on_ike = on_ike;
	dp->on_link = on_link;
	dp->ctx = ctx;
	dp->wake_fd = -1;
	for (int u = 0; u < DATAPATH_MAX_UPLINKS; u++)
		dp->ike_fd[u][0] = dp->ike_fd[u][1] = -1;
	dp->stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	err = dp->stop_fd < 0 ? -errno : setup(dp);
	if (err < 0) {
		lg_log(LOG_ERR, "event=datapath_failed dev=%s err=%d (%s)", cfg->tun_name, -err,
		       strerror(-err));
		datapath_free(dp);
		return NULL;
	}
	lg_log(LOG_INFO, "event=datapath_ready dev=%s workers=%d uplinks=%zu vnet=%d tso=%d uso=%d "
	       "udp_gso=%d udp_gro=%d sockets=%s", dp->tun_name, dp->n_workers, dp->cfg.n_uplinks,
	       dp->vnet, dp->tso, dp->uso, dp->udp_gso, dp->udp_gro,
	       dp->cfg.shared_sockets ? "shared" : "reuseport");
	return dp;
}

int datapath_start(struct datapath *dp)
{
	if (atomic_exchange(&dp->running, true))
		return -EALREADY;
	return dp_workers_start(dp);
}

void datapath_free(struct datapath *dp)
{
	if (!dp)
		return;
	dp_workers_stop(dp);
	dp_linkmon_stop(dp);
	dp_routemon_stop(dp);
	dp_ikeq_fini(dp);
	/* our routes first, while the device exists; its addresses and any
	 * route left over go with it when the last queue closes. The guards of
	 * held prefixes stay (routes.c): stopped, the gateway still fails closed */
	dp_routes_free(dp);
	for (int u = 0; u < DATAPATH_MAX_UPLINKS; u++)
		for (int f = 0; f < 2; f++)
			if (dp->ike_fd[u][f] >= 0)
				close(dp->ike_fd[u][f]);
	dp_workers_free(dp);
	dp_nl_close(dp);
	if (dp->stop_fd >= 0)
		close(dp->stop_fd);
	if (dp->tun_name[0])
		lg_log(LOG_INFO, "event=tun_removed dev=%s", dp->tun_name);
	free(dp);
}

static uint64_t ld(_Atomic uint64_t *v) { return atomic_load_explicit(v, memory_order_relaxed); }

static void sum_counters(struct datapath *dp, struct dp_counters *c, struct datapath_stats *s,
			 uint64_t *drops)
{
	s->tun_rx += ld(&c->tun_rx);
	s->tun_tx += ld(&c->tun_tx);
	s->udp_rx += ld(&c->udp_rx);
	s->udp_tx += ld(&c->udp_tx);
	s->ike_rx += ld(&c->ike_rx);
	s->tx_errors += ld(&c->tx_errors);
	s->paced += ld(&c->paced);
	for (int d = 0; d < DATAPATH_DROP_COUNT; d++)
		drops[d] += ld(&c->drops[d]);
	(void)dp;
}

void datapath_get_drops(struct datapath *dp, uint64_t out[DATAPATH_DROP_COUNT])
{
	struct datapath_stats s;
	memset(&s, 0, sizeof(s));
	memset(out, 0, sizeof(uint64_t) * DATAPATH_DROP_COUNT);
	sum_counters(dp, &dp->ctl, &s, out);
	for (int i = 0; i < dp->n_workers; i++)
		sum_counters(dp, &dp->workers[i].c, &s, out);
}

/* rx_dropped: the engine's own drops plus every ESP verdict but OK */
void datapath_get_stats(struct datapath *dp, struct datapath_stats *out)
{
	uint64_t drops[DATAPATH_DROP_COUNT] = { 0 }, esp[ESP_VERDICT_COUNT];
	memset(out, 0, sizeof(*out));
	sum_counters(dp, &dp->ctl, out, drops);
	for (int i = 0; i < dp->n_workers; i++)
		sum_counters(dp, &dp->workers[i].c, out, drops);
	for (int d = 0; d < DATAPATH_DROP_COUNT; d++)
		out->rx_dropped += drops[d];
	esp_table_drops(dp->esp, esp);
	for (int v = 1; v < ESP_VERDICT_COUNT; v++)
		out->rx_dropped += esp[v];
}

/* Fail closed for every configured peer (DESIGN: no packet for a configured
 * peer's remote subnets ever leaves unencrypted): the routes of its remote
 * subnets stay on the TUN device for the daemon's whole life, with guards
 * that outlive it (net/routes.c), and what reaches the TUN for a peer with
 * no SA is dropped and counted per peer (esp/hold.c), shown in status and
 * summarised per interval on the trail, never one record per packet. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include "linegate/audit.h"
#include "linegate/log.h"
#include "daemon.h"

int daemon_hold_peers(struct daemon *d)
{
	size_t max = 0, n = 0;

	for (size_t i = 0; i < d->cfg->n_peers; i++)
		max += d->cfg->peers[i].n_remote_ts;
	struct lg_prefix *set = calloc(max ? max : 1, sizeof(*set));
	struct esp_hold *holds = calloc(max ? max : 1, sizeof(*holds));
	uint64_t *seen = calloc(d->cfg->n_peers ? d->cfg->n_peers : 1, sizeof(*seen));
	if (!set || !holds || !seen) {
		free(set);
		free(holds);
		free(seen);
		lg_log(LOG_CRIT, "event=hold_routes_failed prefixes=%zu err=%d", max, -ENOMEM);
		return -ENOMEM;
	}
	for (size_t i = 0; i < d->cfg->n_peers; i++) {
		const struct conf_peer *p = &d->cfg->peers[i];
		for (size_t j = 0; j < p->n_remote_ts; j++) {
			holds[n] = (struct esp_hold){ .dst = p->remote_ts[j], .tag = (uint32_t)i };
			set[n++] = p->remote_ts[j];
		}
	}
	int rc = esp_table_set_holds(d->esp, holds, n);
	int rc2 = datapath_routes_hold(d->dp, set, n);
	free(set);
	free(holds);
	free(d->held_seen);   /* the counters restarted with the holds */
	d->held_seen = seen;
	d->n_held_seen = d->cfg->n_peers;
	if (rc || rc2)
		lg_log(LOG_CRIT, "event=hold_routes_failed prefixes=%zu err=%d", n, rc ? rc : rc2);
	else
		lg_log(LOG_INFO, "event=hold_routes prefixes=%zu dev=%s", n, d->cfg->tunnel.ifname);
	return rc ? rc : rc2;
}

uint64_t daemon_peer_held(struct daemon *d, size_t peer)
{
	if (!d->esp)
		return 0;
	return esp_table_hold_drops(d->esp, (uint32_t)peer);
}

void daemon_held_summary(struct daemon *d, const char *interval_s)
{
	for (size_t i = 0; i < d->cfg->n_peers && i < d->n_held_seen; i++) {
		uint64_t v = esp_table_hold_drops(d->esp, (uint32_t)i);
		uint64_t delta = v >= d->held_seen[i] ? v - d->held_seen[i] : v;
		char n[24];
		d->held_seen[i] = v;
		if (!delta)
			continue;
		snprintf(n, sizeof(n), "%" PRIu64, delta);
		audit_emit(AUDIT_PACKETS_DROPPED, AUDIT_FAILURE, "linegated", "tun",
			   "interval_s", interval_s, "peer", d->cfg->peers[i].name,
			   "held_no_sa", n, NULL);
	}
}

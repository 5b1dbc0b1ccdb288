/* Periodic audit summaries from the control loop: a flow record per CHILD SA
 * (who talked to whom, how much: Cybersecurity Law network logs) and dropped
 * packets by reason, aggregated per interval and never one line per packet
 * (a flood of bad packets must not become a flood of audit records). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "linegate/audit.h"
#include "linegate/ike.h"
#include "linegate/log.h"
#include "linegate/policy.h"
#include "daemon.h"

enum { DROP_SUMMARY_DEFAULT_S = 300 };

const char *daemon_format_time(uint64_t wall_ms, char out[40])
{
	if (wall_ms == 0)
		snprintf(out, 40, "never");
	else
		lg_time_format(wall_ms, out, 40);
	return out;
}

/* The SA's owner, carried on the SA from its negotiation (or static SA);
 * the lookups below only for an SA installed without one. */
static const char *peer_name_of(const struct daemon *d, const struct esp_child_params *p)
{
	if (p->owner[0])
		return p->owner;
	if (p->child_id >= DAEMON_LAB_CHILD_BASE &&
	    p->child_id - DAEMON_LAB_CHILD_BASE < d->cfg->n_static_sas)
		return d->cfg->static_sas[p->child_id - DAEMON_LAB_CHILD_BASE].name;
	const struct conf_peer *peer = policy_peer_by_endpoint(d->cfg, &p->peer);
	return peer ? peer->name : "unknown";
}

static void ts_list(const struct lg_prefix *ts, size_t n, char *out, size_t cap)
{
	size_t used = 0;
	char one[LG_ADDRSTRLEN];

	out[0] = '\0';
	for (size_t i = 0; i < n && used + 1 < cap; i++) {
		int w = snprintf(out + used, cap - used, "%s%s", i ? "," : "",
				 lg_prefix_format(&ts[i], one, sizeof(one)));
		if (w < 0)
			break;
		used += (size_t)w;
	}
}

static void flow_one(void *ctx, const struct esp_child_params *p, const struct esp_child_stats *s)
{
	struct daemon *d = ctx;
	char spi_in[9], spi_out[9], peer[LG_ADDRSTRLEN], lts[256], rts[256];
	char pin[24], bin[24], pout[24], bout[24], first[40], lin[40], lout[40];

	snprintf(spi_in, sizeof(spi_in), "%08x", p->spi_in);
	snprintf(spi_out, sizeof(spi_out), "%08x", p->spi_out);
	lg_sockaddr_format(&p->peer, peer, sizeof(peer));
	ts_list(p->local_ts, p->n_local_ts, lts, sizeof(lts));
	ts_list(p->remote_ts, p->n_remote_ts, rts, sizeof(rts));
	snprintf(pin, sizeof(pin), "%" PRIu64, s->packets_in);
	snprintf(bin, sizeof(bin), "%" PRIu64, s->bytes_in);
	snprintf(pout, sizeof(pout), "%" PRIu64, s->packets_out);
	snprintf(bout, sizeof(bout), "%" PRIu64, s->bytes_out);
	audit_emit(AUDIT_FLOW_RECORD, AUDIT_SUCCESS, "linegated", peer_name_of(d, p),
		   "spi_in", spi_in, "spi_out", spi_out, "endpoint", peer,
		   "local_ts", lts, "remote_ts", rts,
		   "packets_in", pin, "bytes_in", bin, "packets_out", pout, "bytes_out", bout,
		   "first_activity", daemon_format_time(s->first_activity_ms, first),
		   "last_in", daemon_format_time(s->last_in_ms, lin),
		   "last_out", daemon_format_time(s->last_out_ms, lout), NULL);
}

static void drop_summary(struct daemon *d, uint64_t interval_s)
{
	uint64_t now[ESP_VERDICT_COUNT] = { 0 }, delta[ESP_VERDICT_COUNT];
	char v[ESP_VERDICT_COUNT][24], iv[24];
	bool other = false;

	esp_table_drops(d->esp, now);
	for (int i = 0; i < ESP_VERDICT_COUNT; i++) {
		delta[i] = now[i] >= d->drops_seen[i] ? now[i] - d->drops_seen[i] : now[i];
		d->drops_seen[i] = now[i];
		snprintf(v[i], sizeof(v[i]), "%" PRIu64, delta[i]);
		/* dummy packets (RFC 4303 §2.6) are traffic-flow confidentiality, not an attack */
		if (i != ESP_OK && i != ESP_DROP_REPLAY && i != ESP_DROP_AUTH && i != ESP_DROP_DUMMY &&
		    delta[i])
			other = true;
	}
	snprintf(iv, sizeof(iv), "%" PRIu64, interval_s);
	if (delta[ESP_DROP_REPLAY] || delta[ESP_DROP_AUTH])
		audit_emit(AUDIT_ESP_INTEGRITY, AUDIT_FAILURE, "linegated", "esp",
			   "interval_s", iv, "replay", v[ESP_DROP_REPLAY], "auth", v[ESP_DROP_AUTH], NULL);
	if (other)
		audit_emit(AUDIT_PACKETS_DROPPED, AUDIT_FAILURE, "linegated", "esp", "interval_s", iv,
			   esp_verdict_name(ESP_DROP_MALFORMED), v[ESP_DROP_MALFORMED],
			   esp_verdict_name(ESP_DROP_NO_SA), v[ESP_DROP_NO_SA],
			   esp_verdict_name(ESP_DROP_BAD_SPI), v[ESP_DROP_BAD_SPI],
			   esp_verdict_name(ESP_DROP_PADDING), v[ESP_DROP_PADDING],
			   esp_verdict_name(ESP_DROP_SELECTOR), v[ESP_DROP_SELECTOR],
			   esp_verdict_name(ESP_DROP_SEQ_EXHAUSTED), v[ESP_DROP_SEQ_EXHAUSTED],
			   esp_verdict_name(ESP_DROP_LIFETIME), v[ESP_DROP_LIFETIME],
			   esp_verdict_name(ESP_DROP_NEXT_HEADER), v[ESP_DROP_NEXT_HEADER], NULL);
}

/* The packet engine's own drops (queues full, send errors), same rule. */
static void datapath_drop_summary(struct daemon *d, const char *iv)
{
	uint64_t now[DATAPATH_DROP_COUNT] = { 0 };
	char v[DATAPATH_DROP_COUNT][24];
	const char *kv[17];   /* up to 8 name/value pairs, then NULLs */
	size_t n = 0;
	_Static_assert(DATAPATH_DROP_COUNT <= 8, "extend the audit_emit call below");

	if (!d->dp)
		return;
	datapath_get_drops(d->dp, now);
	for (int i = 0; i < DATAPATH_DROP_COUNT; i++) {
		uint64_t delta = now[i] >= d->dp_drops_seen[i] ? now[i] - d->dp_drops_seen[i] : now[i];
		d->dp_drops_seen[i] = now[i];
		if (!delta)
			continue;
		snprintf(v[i], sizeof(v[i]), "%" PRIu64, delta);
		kv[n++] = datapath_drop_name(i);
		kv[n++] = v[i];
	}
	while (n < sizeof(kv) / sizeof(kv[0]))
		kv[n++] = NULL;
	if (kv[0])
		audit_emit(AUDIT_PACKETS_DROPPED, AUDIT_FAILURE, "linegated", "datapath", "interval_s", iv,
			   kv[0], kv[1], kv[2], kv[3], kv[4], kv[5], kv[6], kv[7], kv[8], kv[9],
			   kv[10], kv[11], kv[12], kv[13], kv[14], kv[15], NULL);
}

void daemon_audit_summaries(struct daemon *d, uint64_t now_wall_ms, bool force)
{
	uint64_t flow_s = d->cfg->audit.flow_interval_s;
	uint64_t every_s = flow_s ? flow_s : DROP_SUMMARY_DEFAULT_S;

	if (!d->esp)
		return;
	if (!force && now_wall_ms - d->last_summary_ms < every_s * 1000)
		return;
	uint64_t interval_s = (now_wall_ms - d->last_summary_ms) / 1000;
	d->last_summary_ms = now_wall_ms;
	if (flow_s)
		esp_table_foreach(d->esp, flow_one, d);
	drop_summary(d, interval_s);
	char iv[24];
	snprintf(iv, sizeof(iv), "%" PRIu64, interval_s);
	datapath_drop_summary(d, iv);
	daemon_held_summary(d, iv);
}

void daemon_journal_policy(struct daemon *d)
{
	struct audit_status as;

	if (!d->ike || d->cfg->audit.on_failure != CONF_JOURNAL_FAIL_STOP_TUNNELS)
		return;
	audit_get_status(&as);
	uint64_t now = lg_now_ms();
	if (!as.journal_ok) {
		if (!d->tunnels_held)
			lg_log(LOG_ALERT, "event=tunnels_held reason=audit_journal_fault "
			       "policy=stop-tunnels unwritten=%" PRIu64, as.unwritten);
		d->tunnels_held = true;
		/* Initiators retry on their own: take down whatever came back. */
		for (size_t i = 0; i < d->cfg->n_peers; i++)
			if (ike_peer_up(d->ike, d->cfg->peers[i].name))
				ike_terminate(d->ike, d->cfg->peers[i].name, now);
		return;
	}
	if (!d->tunnels_held)
		return;
	d->tunnels_held = false;
	lg_log(LOG_NOTICE, "event=tunnels_released reason=audit_journal_recovered");
	for (size_t i = 0; i < d->cfg->n_peers; i++)
		if (d->cfg->peers[i].role != CONF_ROLE_RESPONDER)
			ike_initiate(d->ike, d->cfg->peers[i].name, now);
}

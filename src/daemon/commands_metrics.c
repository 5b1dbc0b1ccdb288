/* `metrics`: the daemon's counters and states in the Prometheus text format
 * (util/prom.c writes it), for node_exporter's textfile collector: a VPN
 * gateway opens no HTTP port, `linegatectl metrics --textfile` writes the
 * file from a timer. Base units, counters end in _total and never go back:
 * a peer's traffic is its totals across rekeys (esp/totals.c), its IKE
 * counts survive reloads (ike_retry.c). */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "linegate/audit.h"
#include "linegate/control.h"
#include "linegate/datapath.h"
#include "linegate/ike.h"
#include "linegate/prom.h"
#include "daemon.h"

/* One peer's figures, read once per scrape; every field a uint64_t so the
 * families below are a table. */
struct peer_facts {
	uint64_t up, packets_in, bytes_in, packets_out, bytes_out, held;
	uint64_t ike_setups, ike_failures, ike_rekeys, child_rekeys, child_sas_replaced;
};

static const struct {
	const char *name, *type, *help;
	size_t off;
} peer_families[] = {
#define F(n, t, h, f) { "linegate_peer_" n, t, h, offsetof(struct peer_facts, f) }
	F("up", "gauge", "1 while the peer has an established CHILD SA", up),
	F("receive_packets_total", "counter", "ESP packets received from the peer, all SAs since start", packets_in),
	F("receive_bytes_total", "counter", "Inner bytes received from the peer, all SAs since start", bytes_in),
	F("transmit_packets_total", "counter", "ESP packets sent to the peer, all SAs since start", packets_out),
	F("transmit_bytes_total", "counter", "Inner bytes sent to the peer, all SAs since start", bytes_out),
	F("held_packets_total", "counter", "Packets for the peer dropped for want of an SA (fail closed)", held),
	F("ike_setups_total", "counter", "IKE SAs established with the peer by IKE_AUTH", ike_setups),
	F("ike_failures_total", "counter", "Failed IKE attempts or SAs with the peer", ike_failures),
	F("ike_rekeys_total", "counter", "IKE SAs of the peer rekeyed", ike_rekeys),
	F("child_rekeys_total", "counter", "CHILD SAs of the peer rekeyed", child_rekeys),
	F("child_sas_replaced_total", "counter", "CHILD SAs of the peer removed since start (rekeys, restarts)", child_sas_replaced),
#undef F
};

static void peer_facts_of(struct daemon *d, size_t i, struct peer_facts *f)
{
	const char *name = d->cfg->peers[i].name;
	struct esp_owner_totals tot;
	struct ike_peer_retry r;

	memset(f, 0, sizeof(*f));
	esp_table_owner_totals(d->esp, name, &tot);
	f->packets_in = tot.s.packets_in;
	f->bytes_in = tot.s.bytes_in;
	f->packets_out = tot.s.packets_out;
	f->bytes_out = tot.s.bytes_out;
	f->child_sas_replaced = tot.sas_retired;
	f->held = daemon_peer_held(d, i);
	if (d->ike && ike_peer_retry(d->ike, name, &r) == 0) {
		f->up = ike_peer_up(d->ike, name);
		f->ike_setups = r.counts.ike_setups;
		f->ike_failures = r.counts.ike_failures;
		f->ike_rekeys = r.counts.ike_rekeys;
		f->child_rekeys = r.counts.child_rekeys;
	}
}

/* IKE SAs per peer and state; "established" always, other states when held.
 * Per peer through its own SAs (hashed), not every SA for every peer: a
 * hub's scrape stays linear in its tunnels. */
enum { STATES_MAX = 16 };   /* more than there are IKE SA states */

static void peer_states(struct daemon *d, const char *peer, FILE *out)
{
	const char *state[STATES_MAX] = { "established" };
	uint64_t count[STATES_MAX] = { 0 };
	size_t k = 1, n = d->ike ? ike_peer_sa_count(d->ike, peer) : 0;
	struct ike_sa_info *sas = n ? calloc(n, sizeof(*sas)) : NULL;

	n = sas ? ike_list_peer_sas(d->ike, peer, sas, n) : 0;
	for (size_t i = 0; i < n; i++) {
		size_t j = 0;
		while (j < k && strcmp(state[j], sas[i].state) != 0)
			j++;
		if (j == STATES_MAX)
			continue;
		state[j] = sas[i].state;
		count[j]++;
		k += j == k;
	}
	for (size_t j = 0; j < k; j++) {
		const struct lg_prom_label l[2] = { { "peer", peer }, { "state", state[j] } };
		lg_prom_u64(out, "linegate_peer_ike_sas", l, 2, count[j]);
	}
	free(sas);
}

static void ike_states(struct daemon *d, FILE *out)
{
	lg_prom_family(out, "linegate_peer_ike_sas", "gauge", "IKE SAs with the peer, by state");
	for (size_t p = 0; p < d->cfg->n_peers; p++)
		peer_states(d, d->cfg->peers[p].name, out);
}

static void peers(struct daemon *d, FILE *out)
{
	size_t n = d->cfg->n_peers;
	struct peer_facts *f = calloc(n ? n : 1, sizeof(*f));

	if (!f)
		return;
	for (size_t i = 0; i < n; i++)
		peer_facts_of(d, i, &f[i]);
	for (size_t k = 0; k < sizeof(peer_families) / sizeof(peer_families[0]); k++) {
		lg_prom_family(out, peer_families[k].name, peer_families[k].type, peer_families[k].help);
		for (size_t i = 0; i < n; i++) {
			const struct lg_prom_label l = { "peer", d->cfg->peers[i].name };
			uint64_t v;
			memcpy(&v, (const char *)&f[i] + peer_families[k].off, sizeof(v));
			lg_prom_u64(out, peer_families[k].name, &l, 1, v);
		}
	}
	free(f);
	ike_states(d, out);
}

static void drop(void *out, enum daemon_drop_layer layer, const char *reason, uint64_t n)
{
	const struct lg_prom_label l[2] = { { "layer", daemon_drop_layer_name(layer) },
					    { "reason", reason } };
	lg_prom_u64(out, "linegate_drops_total", l, 2, n);
}

/* Every drop counter there is: ESP verdicts, the packet engine's, IKE's. */
static void drops(struct daemon *d, FILE *out)
{
	lg_prom_family(out, "linegate_drops_total", "counter", "Packets dropped, by layer and reason");
	for (int l = 0; l < DAEMON_DROP_LAYERS; l++)
		daemon_drops_walk(d, l, drop, out);
}

static void datapath(struct daemon *d, FILE *out)
{
	struct datapath_stats s = { 0 };

	datapath_get_stats(d->dp, &s);
	const struct { const char *dev, *dir; uint64_t n; } rows[] = {
		{ "tun", "receive", s.tun_rx }, { "tun", "transmit", s.tun_tx },
		{ "udp", "receive", s.udp_rx }, { "udp", "transmit", s.udp_tx },
	};
	lg_prom_family(out, "linegate_datapath_packets_total", "counter",
		       "Packets through the tunnel device and the uplink sockets");
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct lg_prom_label l[2] = { { "device", rows[i].dev }, { "direction", rows[i].dir } };
		lg_prom_u64(out, "linegate_datapath_packets_total", l, 2, rows[i].n);
	}
}

static void uplinks(struct daemon *d, FILE *out)
{
	lg_prom_family(out, "linegate_uplink_up", "gauge", "1 while the uplink's link is up");
	for (size_t i = 0; i < d->cfg->n_uplinks; i++) {
		const struct conf_uplink *u = &d->cfg->uplinks[i];
		const struct lg_prom_label l[3] = { { "uplink", u->name }, { "interface", u->ifname },
						    { "carrier", u->carrier } };
		lg_prom_u64(out, "linegate_uplink_up", l, 3, datapath_uplink_up(d->dp, (int)i));
	}
	lg_prom_family(out, "linegate_uplink_licensed", "gauge",
		       "1 when the uplink is a licensed carrier circuit (cross-border allowed)");
	for (size_t i = 0; i < d->cfg->n_uplinks; i++) {
		const struct conf_uplink *u = &d->cfg->uplinks[i];
		const struct lg_prom_label l[3] = { { "uplink", u->name }, { "carrier", u->carrier },
						    { "circuit_id", u->circuit_id } };
		lg_prom_u64(out, "linegate_uplink_licensed", l, 3, u->licensed);
	}
}

static void one(FILE *out, const char *name, const char *type, const char *help, uint64_t v)
{
	lg_prom_family(out, name, type, help);
	lg_prom_u64(out, name, NULL, 0, v);
}

static void audit_trail(FILE *out)
{
	struct audit_status as = { 0 };

	audit_get_status(&as);
	one(out, "linegate_audit_journal_ok", "gauge", "1 while the audit journal is written", as.journal_ok);
	one(out, "linegate_audit_alarm", "gauge", "1 while the trail is not as signed (see status)",
	    as.alarm[0] != '\0');
	one(out, "linegate_audit_records_total", "counter", "Audit records written since start", as.records);
	one(out, "linegate_audit_unwritten_records_total", "counter",
	    "Audit records that could not be written (journal fault)", as.unwritten);
	one(out, "linegate_audit_last_seq", "gauge", "Sequence number of the last journal record",
	    as.last_seq);
}

/* Violations that stand now: the same count `compliance` exits 1 on. */
static uint64_t violations(struct daemon *d)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *sink = open_memstream(&buf, &len);
	size_t n = 0;

	if (sink) {
		n = daemon_compliance_live(d, false, sink);
		fclose(sink);
	}
	free(buf);
	return n;
}

static void daemon_info(struct daemon *d, FILE *out)
{
	char hash[65], fwd[16];
	const struct lg_prom_label build = { "version", LINEGATE_VERSION };
	const struct lg_prom_label cfg[2] = { { "path", d->config_path },
					      { "blake2b", daemon_config_hash_hex(d->cfg, hash) } };

	one(out, "linegate_up", "gauge", "1: linegated answered (linegatectl writes 0 when it does not)", 1);
	lg_prom_family(out, "linegate_build_info", "gauge", "The daemon's version, as a label");
	lg_prom_u64(out, "linegate_build_info", &build, 1, 1);
	lg_prom_family(out, "linegate_config_info", "gauge", "The configuration in force: file and hash");
	lg_prom_u64(out, "linegate_config_info", cfg, 2, 1);
	lg_prom_family(out, "linegate_start_time_seconds", "gauge", "When linegated started, Unix time");
	lg_prom_seconds(out, "linegate_start_time_seconds", NULL, 0, d->start_wall_ms);
	lg_prom_family(out, "linegate_config_load_time_seconds", "gauge",
		       "When the configuration in force was loaded, Unix time");
	lg_prom_seconds(out, "linegate_config_load_time_seconds", NULL, 0, d->config_wall_ms);
	one(out, "linegate_reloads_total", "counter", "Reloads applied", d->reloads);
	one(out, "linegate_reloads_refused_total", "counter", "Reloads refused (file kept out)",
	    d->reloads_refused);
	one(out, "linegate_control_refused_total", "counter", "Control calls refused for want of a role",
	    d->control_refused);
	one(out, "linegate_forwarding_off", "gauge", "1 while IP forwarding the tunnels need is off",
	    daemon_forwarding_off(d->cfg, fwd)[0] != '\0');
	one(out, "linegate_compliance_violations", "gauge", "Compliance violations that stand now",
	    violations(d));
	one(out, "linegate_peers", "gauge", "Peers configured", d->cfg->n_peers);
}

int control_cmd_metrics(struct daemon *d, const struct control_request *rq, const char *who, FILE *out)
{
	(void)rq, (void)who;   /* one format: --json has its own commands (status, sas) */
	daemon_info(d, out);
	peers(d, out);
	drops(d, out);
	datapath(d, out);
	uplinks(d, out);
	audit_trail(out);
	return CONTROL_OK;
}

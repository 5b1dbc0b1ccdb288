/* Control commands: each renders JSON (for tools, `linegatectl --json`) or
 * a human table; the daemon renders both so linegatectl stays a thin client.
 * A command that changes something is an admin_action on the audit trail
 * with who did it; queries are counted (status), refusals summarised. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "linegate/audit.h"
#include "linegate/control.h"
#include "linegate/datapath.h"
#include "linegate/ike.h"
#include "linegate/json.h"
#include "linegate/log.h"
#include "linegate/policy.h"
#include "linegate/report_meta.h"
#include "daemon.h"

struct command {
	const char *name;
	int min_args, max_args;
	bool changes_state;
	int (*run)(struct daemon *d, const struct control_request *rq, const char *who, FILE *out);
	const char *help;
};

static int error_body(FILE *out, bool json, int code, const char *msg)
{
	if (json) {
		json_t *o = json_object();
		lg_json_set_str(o, "error", msg);
		lg_json_print(out, o);
	} else {
		fprintf(out, "%s\n", msg);
	}
	return code;
}

static int cmd_version(struct daemon *d, const struct control_request *rq, const char *who, FILE *out)
{
	(void)d, (void)who;
	if (rq->json) {
		json_t *o = json_object();
		lg_json_set_str(o, "version", LINEGATE_VERSION);
		lg_json_set_u64(o, "protocol", CONTROL_VERSION);
		lg_json_print(out, o);
	} else {
		fprintf(out, "linegated %s (control protocol linegate-ctl/%d)\n", LINEGATE_VERSION,
			CONTROL_VERSION);
	}
	return CONTROL_OK;
}

static size_t peers_up(struct daemon *d)
{
	size_t up = 0;
	for (size_t i = 0; d->ike && i < d->cfg->n_peers; i++)
		up += ike_peer_up(d->ike, d->cfg->peers[i].name);
	return up;
}

static void count_children(void *ctx, const struct esp_child_params *p, const struct esp_child_stats *s)
{
	(void)p, (void)s;
	(*(size_t *)ctx)++;
}

static void drop_json(void *ctx, enum daemon_drop_layer layer, const char *reason, uint64_t n)
{
	(void)layer;
	lg_json_set_u64(ctx, reason, n);
}

/* Drops by reason: the ESP verdicts ("drops"), the packet engine's own
 * ("datapath_drops": runt, tun_write, ike_queue_full, ...) and the IKE
 * datagrams refused ("ike_drops": malformed, forged, cookie_required, ...). */
static void json_drops(struct daemon *d, json_t *doc)
{
	static const char *const key[DAEMON_DROP_LAYERS] = { "drops", "datapath_drops", "ike_drops" };

	for (int l = 0; l < DAEMON_DROP_LAYERS; l++)
		daemon_drops_walk(d, l, drop_json, lg_json_set_object(doc, key[l]));
}

static void drop_text(void *ctx, enum daemon_drop_layer layer, const char *reason, uint64_t n)
{
	(void)layer;
	fprintf(ctx, " %s=%" PRIu64, reason, n);
}

static void text_drops(struct daemon *d, FILE *out)
{
	static const char *const head[DAEMON_DROP_LAYERS] = { "  drops    ", "  dp drops ", "  ike drops" };

	for (int l = 0; l < DAEMON_DROP_LAYERS; l++) {
		fputs(head[l], out);
		daemon_drops_walk(d, l, drop_text, out);
		fputc('\n', out);
	}
}

static void json_uplinks(struct daemon *d, json_t *doc)
{
	json_t *arr = lg_json_set_array(doc, "uplinks");
	for (size_t i = 0; i < d->cfg->n_uplinks; i++) {
		const struct conf_uplink *u = &d->cfg->uplinks[i];
		json_t *o = lg_json_append_object(arr);
		lg_json_set_str(o, "name", u->name);
		lg_json_set_str(o, "interface", u->ifname);
		lg_json_set_bool(o, "up", datapath_uplink_up(d->dp, (int)i));
		lg_json_set_bool(o, "licensed", u->licensed);
		lg_json_set_str(o, "carrier", u->carrier);
		lg_json_set_str(o, "circuit_id", u->circuit_id);
	}
}

static void json_datapath(const struct datapath_stats *ds, json_t *doc)
{
	json_t *o = lg_json_set_object(doc, "datapath");
	lg_json_set_u64(o, "tun_rx", ds->tun_rx);
	lg_json_set_u64(o, "tun_tx", ds->tun_tx);
	lg_json_set_u64(o, "udp_rx", ds->udp_rx);
	lg_json_set_u64(o, "udp_tx", ds->udp_tx);
	lg_json_set_u64(o, "ike_rx", ds->ike_rx);
	lg_json_set_u64(o, "rx_dropped", ds->rx_dropped);
	lg_json_set_u64(o, "tx_errors", ds->tx_errors);
	lg_json_set_u64(o, "paced", ds->paced);
}

static void json_audit(const struct audit_status *as, json_t *doc)
{
	json_t *o = lg_json_set_object(doc, "audit");
	lg_json_set_bool(o, "journal_ok", as->journal_ok);
	lg_json_set_u64(o, "records", as->records);
	lg_json_set_u64(o, "last_seq", as->last_seq);
	lg_json_set_u64(o, "unwritten", as->unwritten);
	lg_json_set_str(o, "file", as->current_file);
	lg_json_set_str(o, "alarm", as->alarm);
}

static void status_json(struct daemon *d, FILE *out, const struct datapath_stats *ds,
			const struct audit_status *as, size_t children, const char *hash)
{
	json_t *doc = json_object();

	lg_json_set_str(doc, "version", LINEGATE_VERSION);
	lg_json_set_u64(doc, "pid", (uint64_t)getpid());
	lg_json_set_u64(doc, "uptime_s", (lg_wall_ms() - d->start_wall_ms) / 1000);
	lg_json_set_str(doc, "config", d->config_path);
	lg_json_set_str(doc, "config_blake2b", hash);
	lg_json_set_u64(doc, "reloads", d->reloads);
	lg_json_set_u64(doc, "reloads_refused", d->reloads_refused);
	lg_json_set_u64(doc, "control_queries", d->control_queries);
	lg_json_set_u64(doc, "control_refused", d->control_refused);
	lg_json_set_str(doc, "site", d->cfg->site.name);
	lg_json_set_str(doc, "region", d->cfg->site.region);
	lg_json_set_str(doc, "tunnel", d->cfg->tunnel.ifname);
	lg_json_set_bool(doc, "lab_only", d->cfg->lab_only);
	lg_json_set_u64(doc, "peers", d->cfg->n_peers);
	lg_json_set_u64(doc, "peers_up", peers_up(d));
	char fwd[16];
	lg_json_set_str(doc, "forwarding_off", daemon_forwarding_off(d->cfg, fwd));
	lg_json_set_u64(doc, "child_sas", children);
	json_uplinks(d, doc);
	json_datapath(ds, doc);
	json_drops(d, doc);
	/* fail closed: packets for a configured peer held for want of an SA */
	json_t *held = lg_json_set_object(doc, "held_no_sa");
	for (size_t i = 0; i < d->cfg->n_peers; i++)
		lg_json_set_u64(held, d->cfg->peers[i].name, daemon_peer_held(d, i));
	json_audit(as, doc);
	lg_json_print(out, doc);
}

static void status_text(struct daemon *d, FILE *out, const struct datapath_stats *ds,
			const struct audit_status *as, size_t children, const char *hash)
{
	uint64_t up = (lg_wall_ms() - d->start_wall_ms) / 1000;

	fprintf(out, "linegated %s  pid %d  up %" PRIu64 "h%02" PRIu64 "m%02" PRIu64 "s\n",
		LINEGATE_VERSION, (int)getpid(), up / 3600, up / 60 % 60, up % 60);
	fprintf(out, "  config    %s (blake2b %.16s...)  reloads %" PRIu64 ", refused %" PRIu64 "\n",
		d->config_path, hash, d->reloads, d->reloads_refused);
	fprintf(out, "  site      %s  region %s\n", d->cfg->site.name, d->cfg->site.region);
	fprintf(out, "  tunnel    %s  mtu %u\n", d->cfg->tunnel.ifname, d->cfg->tunnel.mtu);
	for (size_t i = 0; i < d->cfg->n_uplinks; i++) {
		const struct conf_uplink *u = &d->cfg->uplinks[i];
		fprintf(out, "  uplink    %-16s %-10s %-4s", u->name, u->ifname,
			datapath_uplink_up(d->dp, (int)i) ? "up" : "DOWN");
		if (u->licensed)
			fprintf(out, " licensed circuit %s %s\n", u->carrier, u->circuit_id);
		else
			fprintf(out, " not a licensed circuit%s%s\n", u->carrier[0] ? ", carrier " : "",
				u->carrier);
	}
	fprintf(out, "  peers     %zu configured, %zu up\n", d->cfg->n_peers, peers_up(d));
	char fwd[16];
	if (*daemon_forwarding_off(d->cfg, fwd))
		fprintf(out, "  forwarding OFF for %s: tunnels carry no LAN traffic (sysctl "
			"net.ipv4.ip_forward=1 / net.ipv6.conf.all.forwarding=1)\n", fwd);
	else
		fprintf(out, "  forwarding on\n");
	fprintf(out, "  control   queries %" PRIu64 "  refused %" PRIu64 "\n", d->control_queries,
		d->control_refused);
	fprintf(out, "  child SAs %zu%s\n", children,
		d->cfg->lab_only ? "  (LAB-ONLY: hand-keyed static SAs allowed)" : "");
	fprintf(out, "  packets   tun rx %" PRIu64 " tx %" PRIu64 "  udp rx %" PRIu64 " tx %" PRIu64
		"  ike rx %" PRIu64 "\n", ds->tun_rx, ds->tun_tx, ds->udp_rx, ds->udp_tx, ds->ike_rx);
	text_drops(d, out);
	fprintf(out, "  held      (no SA, dropped)");
	for (size_t i = 0; i < d->cfg->n_peers; i++)
		fprintf(out, " %s=%" PRIu64, d->cfg->peers[i].name, daemon_peer_held(d, i));
	fputc('\n', out);
	fprintf(out, "  audit     journal %s  records %" PRIu64 "  seq %" PRIu64 "  unwritten %" PRIu64
		"\n            %s\n", as->journal_ok ? "ok" : "FAULT", as->records, as->last_seq,
		as->unwritten, as->current_file);
	if (as->alarm[0])
		fprintf(out, "            ALARM %s (see the audit_gap record)\n", as->alarm);
}

static int cmd_status(struct daemon *d, const struct control_request *rq, const char *who, FILE *out)
{
	struct datapath_stats ds = { 0 };
	struct audit_status as = { 0 };
	size_t children = 0;
	char hash[65];
	(void)who;

	datapath_get_stats(d->dp, &ds);
	audit_get_status(&as);
	esp_table_foreach(d->esp, count_children, &children);
	daemon_config_hash_hex(d->cfg, hash);
	if (rq->json)
		status_json(d, out, &ds, &as, children, hash);
	else
		status_text(d, out, &ds, &as, children, hash);
	return CONTROL_OK;
}

static int cmd_reload(struct daemon *d, const struct control_request *rq, const char *who, FILE *out)
{
	struct daemon_refusal *why = calloc(1, sizeof(*why));
	if (!why)
		return error_body(out, rq->json, CONTROL_INTERNAL, "out of memory");
	int rc = daemon_reload(d, who, why);
	if (rc == 0) {
		char hash[65];
		daemon_config_hash_hex(d->cfg, hash);
		if (rq->json) {
			json_t *o = json_object();
			lg_json_set_bool(o, "reloaded", true);
			lg_json_set_str(o, "config_blake2b", hash);
			lg_json_print(out, o);
		} else {
			fprintf(out, "reloaded %s (blake2b %.16s...)\n", d->config_path, hash);
		}
	} else if (rq->json) {
		json_t *o = json_object();
		lg_json_set_bool(o, "reloaded", false);
		lg_json_set_str(o, "errors", daemon_refusal_text(why));
		lg_json_print(out, o);
	} else {
		fprintf(out, "%s\nreload refused: the running configuration stays in force\n",
			daemon_refusal_text(why));
	}
	free(why);
	return rc == 0 ? CONTROL_OK : CONTROL_REFUSED;
}

size_t daemon_compliance_live(struct daemon *d, bool json, FILE *out)
{
	struct policy_peer_live *live = calloc(d->cfg->n_peers + d->cfg->n_static_sas + 1,
					      sizeof(*live));
	static struct daemon_icp_facts icp;

	if (!live) {
		fprintf(out, "out of memory\n");
		return 0;
	}
	for (size_t i = 0; i < d->cfg->n_peers; i++) {
		const struct conf_peer *p = &d->cfg->peers[i];
		live[i].uplink_up = datapath_uplink_up(d->dp, p->uplink);
		live[i].tunnel_up = d->ike && ike_peer_up(d->ike, p->name);
		if (datapath_route_egress(d->dp, &p->endpoint, live[i].egress_ifname, NULL) != 0)
			live[i].egress_ifname[0] = '\0';
	}
	for (size_t i = 0; i < d->cfg->n_static_sas; i++) {   /* after the peers */
		const struct conf_static_sa *s = &d->cfg->static_sas[i];
		struct policy_peer_live *l = &live[d->cfg->n_peers + i];
		l->uplink_up = datapath_uplink_up(d->dp, s->uplink);
		l->tunnel_up = d->lab_installed && d->lab_installed[i];
		if (datapath_route_egress(d->dp, &s->peer, l->egress_ifname, NULL) != 0)
			l->egress_ifname[0] = '\0';
	}
	(void)daemon_icp_scan(d, &icp);   /* the report and the trail see the same scan */
	struct policy_icp_facts facts = { icp.listeners, icp.n_listeners, icp.addrs, icp.n_addrs,
					  icp.scan_error };
	/* the journal is not verified here: that is `audit verify`, not a status answer */
	static struct lg_report_meta meta;
	audit_report_facts(d->cfg, false, &meta);
	size_t n = policy_report_doc(d->cfg, d->db, live, &facts, &meta, json, out);
	free(live);
	return n;
}

static int cmd_compliance(struct daemon *d, const struct control_request *rq, const char *who, FILE *out)
{
	(void)who;
	/* a monitoring check reads the exit code: violations are not a clean 200 */
	return daemon_compliance_live(d, rq->json, out) ? CONTROL_OK_VIOLATIONS : CONTROL_OK;
}

/* Every audit record as it is emitted, until the client goes (monitor.c). */
static int cmd_monitor(struct daemon *d, const struct control_request *rq, const char *who, FILE *out)
{
	(void)d, (void)rq, (void)who, (void)out;
	return CONTROL_STREAM;
}

/* The snapshot in force (defaults filled in, secrets redacted): a
 * read-only caller may see it, as it holds no key. */
static int cmd_show_config(struct daemon *d, const struct control_request *rq, const char *who, FILE *out)
{
	(void)who;
	if (rq->json)
		lg_json_print(out, conf_show_json(d->cfg));
	else
		conf_show_text(d->cfg, out);
	return CONTROL_OK;
}

static int cmd_rekey(struct daemon *d, const struct control_request *rq, const char *who, FILE *out)
{
	(void)who;
	return control_cmd_rekey(d, rq, out);
}

static const struct command commands[] = {
	{ "version", 0, 0, false, cmd_version, "daemon and protocol version" },
	{ "status", 0, 0, false, cmd_status, "daemon, uplinks, counters, audit journal" },
	{ "peers", 0, 0, false, control_cmd_peers, "configured peers and their state" },
	{ "sas", 0, 0, false, control_cmd_sas, "IKE and CHILD SAs with counters" },
	{ "flows", 0, 0, false, control_cmd_flows, "per CHILD SA traffic (what flow records carry)" },
	{ "compliance", 0, 0, false, cmd_compliance, "compliance report with live facts" },
	{ "show-config", 0, 0, false, cmd_show_config, "the configuration in force, secrets redacted" },
	{ "metrics", 0, 0, false, control_cmd_metrics, "counters and states, Prometheus text format" },
	{ "reload", 0, 0, true, cmd_reload, "re-read the configuration" },
	{ "up", 1, 3, true, NULL, "initiate a peer now [--wait [SECONDS]]" },
	{ "down", 1, 3, true, NULL, "terminate a peer's SAs now [--wait [SECONDS]]" },
	{ "rekey", 1, 2, true, cmd_rekey, "rekey a peer's CHILD SAs [--child] or IKE SA [--ike]" },
	{ "monitor", 0, 0, false, cmd_monitor, "stream audit events as they are emitted" },
};

/* A change is an admin_action on the trail with who did it: uid, login uid
 * and audit session (sudo and su keep them), pid, role. */
static void audit_action(const struct command *cmd, const struct control_request *rq,
			 const struct control_caller *c, const char *who, int code)
{
	char args[CONTROL_MAX_ARGS * CONTROL_WORD_MAX + 1] = "", code_s[8], gid[16], pid[16];
	char luid[16], ses[16];

	for (size_t i = 0; i < rq->n_args; i++) {
		if (i)
			strcat(args, " ");
		strcat(args, rq->args[i]);
	}
	/* a waiting command is recorded when asked; its result is on the
	 * trail anyway (ike_sa_up, compliance_refused, ike_sa_down) */
	if (code == CONTROL_PENDING)
		snprintf(code_s, sizeof(code_s), "pending");
	else
		snprintf(code_s, sizeof(code_s), "%d", code);
	snprintf(gid, sizeof(gid), "%u", c->gid);
	snprintf(pid, sizeof(pid), "%d", c->pid);
	audit_emit(AUDIT_ADMIN_ACTION, code == CONTROL_OK || code == CONTROL_PENDING ? AUDIT_SUCCESS
		   : AUDIT_FAILURE, who,
		   cmd->name, "args", args, "result", code_s, "login_uid",
		   control_id_str(c->login_uid, luid), "session", control_id_str(c->session, ses),
		   "pid", pid, "gid", gid, "role", "admin", NULL);
}

/* Not allowed: refused with 403. Anyone on the box may try at any rate, so
 * the refusal is summarised per uid and command, never one record a call. */
static int refuse_caller(struct daemon *d, const struct command *cmd,
			 const struct control_request *rq, const struct control_caller *c,
			 enum control_role role, FILE *out)
{
	static struct lg_ratelimit rl = LG_RATELIMIT_INIT(10000, 5);
	char src[32], reason[48];

	d->control_refused++;
	snprintf(src, sizeof(src), "uid=%u", c->uid);
	snprintf(reason, sizeof(reason), "not_authorised_%s", cmd ? cmd->name : "unknown");
	audit_summarize(AUDIT_ADMIN_ACTION, reason, NULL, src, NULL, lg_wall_ms());
	lg_log_ratelimited(&rl, LOG_WARNING, "event=control_refused uid=%u pid=%d command=%s role=%s",
			   c->uid, c->pid, cmd ? cmd->name : "unknown", control_role_name(role));
	return error_body(out, rq->json, CONTROL_FORBIDDEN,
			  cmd && cmd->changes_state && role == CONTROL_ROLE_READ_ONLY
			  ? "not authorised: this command needs root or the admin group"
			  : "not authorised: not root, not in the admin or read-only group");
}

int control_dispatch(struct daemon *d, const struct control_request *rq,
		     const struct control_caller *caller, FILE *out, struct control_wait *wait)
{
	char who[32];
	const struct command *cmd = NULL;
	int code;

	snprintf(who, sizeof(who), "uid=%u", caller->uid);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, rq->command) == 0)
			cmd = &commands[i];
	enum control_role role = control_caller_role(&d->cfg->control, caller);
	enum control_role need = cmd && cmd->changes_state ? CONTROL_ROLE_ADMIN : CONTROL_ROLE_READ_ONLY;
	if (role < need)
		return refuse_caller(d, cmd, rq, caller, role, out);
	if (!cmd)
		code = error_body(out, rq->json, CONTROL_UNKNOWN_COMMAND, "unknown command");
	else if ((int)rq->n_args < cmd->min_args || (int)rq->n_args > cmd->max_args)
		code = error_body(out, rq->json, CONTROL_BAD_REQUEST, "wrong number of arguments");
	else if (!cmd->run)   /* up, down: may answer later */
		code = control_cmd_updown(d, rq, wait, out);
	else
		code = cmd->run(d, rq, who, out);
	if (cmd && cmd->changes_state)
		audit_action(cmd, rq, caller, who, code);
	else
		d->control_queries++;   /* a query changes nothing: counted, not recorded */
	lg_log(cmd && cmd->changes_state ? LOG_NOTICE : LOG_DEBUG,
	       "event=control_command uid=%u command=%s result=%d", caller->uid, rq->command, code);
	return code;
}

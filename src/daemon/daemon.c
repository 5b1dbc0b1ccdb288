/* Start-up and orderly stop of linegated. The order matters: nothing touches
 * the network before the config passed the compliance guardrails and the
 * audit journal is open, so every tunnel that ever exists is on record. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <event2/event.h>
#include "linegate/audit.h"
#include "linegate/datapath.h"
#include "linegate/ike.h"
#include "linegate/log.h"
#include "linegate/policy.h"
#include "daemon.h"
#include "sdnotify.h"

static void on_ike(void *ctx, const struct ike_datagram *dg)
{
	struct daemon *d = ctx;
	if (d->ike)
		ike_input(d->ike, dg, lg_now_ms());
}

static void on_link(void *ctx, int uplink, bool up)
{
	struct daemon *d = ctx;
	const struct conf_uplink *u = uplink >= 0 && (size_t)uplink < d->cfg->n_uplinks ?
		&d->cfg->uplinks[uplink] : NULL;

	if (!u)
		return;
	lg_log(up ? LOG_NOTICE : LOG_WARNING, "event=uplink_%s uplink=%s interface=%s",
	       up ? "up" : "down", u->name, u->ifname);
	audit_emit(up ? AUDIT_UPLINK_UP : AUDIT_UPLINK_DOWN, AUDIT_SUCCESS, "linegated", u->name,
		   "interface", u->ifname, "licensed", u->licensed ? "yes" : "no",
		   "circuit_id", u->circuit_id, NULL);
	if (d->ike)
		ike_uplink_changed(d->ike, uplink, up, lg_now_ms());
	daemon_lab_recheck(d);
	daemon_notify_status(d);
}

/* A route changed: egress judged again at once (fail closed, and back at
 * once when the route to a circuit is fixed). */
static void on_route(void *ctx)
{
	struct daemon *d = ctx;
	if (d->ike)
		ike_routes_changed(d->ike, lg_now_ms());
	daemon_lab_recheck(d);
}

/* IKE's view of the world, wired to the datapath and the SA table. */
static int tx_send(void *ctx, int uplink, const union lg_sockaddr *remote, bool natt,
		   const uint8_t *msg, size_t len)
{
	struct daemon *d = ctx;
	return datapath_send_ike(d->dp, uplink, remote, natt, msg, len);
}
static int tx_keepalive(void *ctx, int uplink, const union lg_sockaddr *remote)
{
	return datapath_send_keepalive(((struct daemon *)ctx)->dp, uplink, remote);
}
static int child_install(void *ctx, const struct esp_child_params *p)
{
	return esp_table_install(((struct daemon *)ctx)->esp, p);
}
static int child_install_inbound(void *ctx, const struct esp_child_params *p)
{
	return esp_table_install_inbound(((struct daemon *)ctx)->esp, p);
}
static int child_activate_outbound(void *ctx, uint32_t id)
{
	return esp_table_activate_outbound(((struct daemon *)ctx)->esp, id);
}
static int child_update_peer(void *ctx, uint32_t id, const union lg_sockaddr *peer)
{
	return esp_table_update_peer(((struct daemon *)ctx)->esp, id, peer);
}
static int child_remove(void *ctx, uint32_t id)
{
	return esp_table_remove(((struct daemon *)ctx)->esp, id);
}
static int child_stats(void *ctx, uint32_t id, struct esp_child_stats *out)
{
	return esp_table_stats(((struct daemon *)ctx)->esp, id, out);
}
static int child_route_add(void *ctx, const struct lg_prefix *p)
{
	return datapath_route_add(((struct daemon *)ctx)->dp, p);
}
static int child_route_del(void *ctx, const struct lg_prefix *p)
{
	return datapath_route_del(((struct daemon *)ctx)->dp, p);
}
static bool link_up(void *ctx, int uplink)
{
	return datapath_uplink_up(((struct daemon *)ctx)->dp, uplink);
}
static int link_egress(void *ctx, const union lg_sockaddr *dst, char ifname[IF_NAMESIZE],
		       union lg_sockaddr *src)
{
	return datapath_route_egress(((struct daemon *)ctx)->dp, dst, ifname, src);
}

static void on_signal(evutil_socket_t sig, short what, void *ctx)
{
	struct daemon *d = ctx;
	struct daemon_refusal *why;
	(void)what;

	if (sig == SIGHUP) {
		why = calloc(1, sizeof(*why));
		if (why) {
			daemon_reload(d, "signal=SIGHUP", why);
			free(why);
		}
		return;
	}
	lg_log(LOG_NOTICE, "event=signal signal=%s action=stop", sig == SIGTERM ? "SIGTERM" : "SIGINT");
	daemon_stop(d);
}

static void on_ike_tick(evutil_socket_t fd, short what, void *ctx)
{
	struct daemon *d = ctx;
	(void)fd, (void)what;
	if (d->ike)
		ike_tick(d->ike, lg_now_ms());
	daemon_lab_recheck(d);   /* static SAs: judged at run time like peers */
}

static void on_audit_tick(evutil_socket_t fd, short what, void *ctx)
{
	uint64_t now = lg_wall_ms();
	(void)fd, (void)what;
	audit_tick(now);
	daemon_audit_summaries(ctx, now, false);
	daemon_journal_policy(ctx);
	daemon_icp_tick(ctx);
	daemon_clock_check(ctx, "change");
	daemon_notify_status(ctx);
}

static void on_watchdog(evutil_socket_t fd, short what, void *ctx)
{
	(void)fd, (void)what, (void)ctx;
	sdnotify_send("WATCHDOG=1");
}

static struct event *add_timer(struct daemon *d, uint64_t ms, event_callback_fn fn)
{
	struct timeval tv = { .tv_sec = (time_t)(ms / 1000), .tv_usec = (suseconds_t)(ms % 1000) * 1000 };
	struct event *ev = event_new(d->base, -1, EV_PERSIST, fn, d);
	if (ev && event_add(ev, &tv) != 0) {
		event_free(ev);
		ev = NULL;
	}
	return ev;
}

static int start_loop(struct daemon *d)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP };

	/* A control client that goes away mid-answer must not kill the daemon. */
	signal(SIGPIPE, SIG_IGN);
	d->base = event_base_new();
	if (!d->base)
		return -ENOMEM;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		d->ev_sig[i] = evsignal_new(d->base, sigs[i], on_signal, d);
		if (!d->ev_sig[i] || event_add(d->ev_sig[i], NULL) != 0)
			return -ENOMEM;
	}
	return 0;
}

static void fill_datapath_config(const struct config *cfg, struct datapath_config *dc)
{
	memset(dc, 0, sizeof(*dc));
	snprintf(dc->tun_name, sizeof(dc->tun_name), "%s", cfg->tunnel.ifname);
	for (size_t i = 0; i < cfg->tunnel.n_addrs && i < DATAPATH_MAX_ADDRS; i++)
		dc->tun_addrs[dc->n_tun_addrs++] = cfg->tunnel.addrs[i];
	dc->mtu = cfg->tunnel.mtu;
	dc->gso_segments = cfg->tunnel.gso_segments;
	dc->pace_mbit = cfg->tunnel.pace_mbit;
	dc->workers = cfg->control.workers;
	dc->ike_port = 500;
	dc->natt_port = 4500;
	/* a hub's branches all come back at once after its restart: the IKE
	 * messages each worker parks for the control thread scale with them
	 * (4,096 peers or more: 256 a worker, the datapath's bound) */
	dc->ike_queue = (uint32_t)(cfg->n_peers / 16 < UINT32_MAX ? cfg->n_peers / 16 : UINT32_MAX);
	for (size_t i = 0; i < cfg->n_uplinks && i < DATAPATH_MAX_UPLINKS; i++) {
		snprintf(dc->uplinks[i].ifname, sizeof(dc->uplinks[i].ifname), "%s",
			 cfg->uplinks[i].ifname);
		dc->uplinks[i].source = cfg->uplinks[i].source;
		dc->n_uplinks++;
	}
}

static int start_dataplane(struct daemon *d)
{
	struct datapath_config dc;
	int rc;

	d->esp = esp_table_new();
	if (!d->esp)
		return -ENOMEM;
	fill_datapath_config(d->cfg, &dc);
	d->dp = datapath_new(&dc, d->esp, d->base, on_ike, on_link, d);
	if (!d->dp) {
		lg_log(LOG_ERR, "event=start_failed stage=datapath tun=%s", dc.tun_name);
		return -EIO;
	}
	datapath_set_route_fn(d->dp, on_route);
	rc = datapath_start(d->dp);
	if (rc) {
		lg_log(LOG_ERR, "event=start_failed stage=workers error=\"%s\"", strerror(-rc));
		return rc;
	}
	/* before any SA exists: no instant where a peer's traffic could leak */
	rc = daemon_hold_peers(d);
	if (rc) {
		lg_log(LOG_ERR, "event=start_failed stage=hold_routes error=\"%s\"", strerror(-rc));
		return rc;
	}
	if (d->cfg->lab_only)
		return daemon_lab_install(d, d->cfg, d->db);
	return 0;
}

static int start_ike(struct daemon *d, struct ike_credentials *creds)
{
	const struct ike_transport tx = { .ctx = d, .send = tx_send, .send_keepalive = tx_keepalive };
	const struct ike_child_ops child = {
		.ctx = d, .install = child_install, .remove = child_remove, .stats = child_stats,
		.route_add = child_route_add, .route_del = child_route_del,
		/* responder side of a rekey: make before break (RFC 7296 §2.8) */
		.install_inbound = child_install_inbound,
		.activate_outbound = child_activate_outbound,
		.update_peer = child_update_peer,   /* NAT rebinding (§2.23) */
	};
	const struct ike_link_ops link = { .ctx = d, .uplink_up = link_up, .route_egress = link_egress };

	d->ike = ike_new(d->cfg, d->db, creds, &tx, &child, &link);
	if (!d->ike) {
		lg_log(LOG_ERR, "event=start_failed stage=ike");
		return -ENOMEM;
	}
	return 0;
}

static int start_timers(struct daemon *d)
{
	uint64_t wd = sdnotify_watchdog_usec();

	d->ev_ike = add_timer(d, DAEMON_IKE_TICK_MS, on_ike_tick);
	d->ev_audit = add_timer(d, DAEMON_AUDIT_TICK_MS, on_audit_tick);
	if (!d->ev_ike || !d->ev_audit)
		return -ENOMEM;
	if (wd) {
		/* sd_watchdog_enabled(3): ping at half the period. */
		d->ev_watchdog = add_timer(d, wd / 2000 ? wd / 2000 : 1, on_watchdog);
		if (!d->ev_watchdog)
			return -ENOMEM;
	}
	return 0;
}

/* Config problems are reported on stderr (and to the audit trail once it is
 * open); the caller exits 1. */
static int load_and_check(struct daemon *d, struct ike_credentials **creds)
{
	struct daemon_refusal *why = calloc(1, sizeof(*why));
	char hash[65];
	int rc = -ENOMEM;

	if (!why)
		return rc;
	rc = daemon_parse_config(d->config_path, &d->cfg, &d->db, why);
	if (rc)
		goto refused_early;
	lg_log_open("linegated", d->cfg->audit.syslog_facility, d->foreground);
	lg_log_set_level(d->cfg->audit.log_level);
	rc = audit_open(&d->cfg->audit, NULL);
	if (rc) {
		lg_log(LOG_CRIT, "event=start_failed stage=audit_open dir=%s error=\"%s\"",
		       d->cfg->audit.journal_dir, strerror(-rc));
		goto out;
	}
	audit_emit(AUDIT_DAEMON_START, AUDIT_SUCCESS, "linegated", d->cfg->site.name,
		   "version", LINEGATE_VERSION, NULL);
	daemon_clock_check(d, "start");   /* can the timestamps that follow be trusted? */
	rc = daemon_check_compliance(d->cfg, d->db, why, true) ? -EPERM : 0;
	if (rc == 0)
		rc = daemon_load_credentials(d->cfg, creds, why);
	if (rc == 0 && daemon_check_machine(d->cfg, why, NULL))
		rc = -ENODEV;
	if (rc) {
		audit_emit(AUDIT_CONFIG_REFUSED, AUDIT_FAILURE, "linegated", d->config_path,
			   "blake2b", daemon_config_hash_hex(d->cfg, hash), "errors", daemon_refusal_text(why), NULL);
		goto refused_early;
	}
	char mlps[4], fwd[16], stored[CONF_PATH_MAX];
	/* the configuration itself beside the trail: the hash below resolves */
	audit_config_store(d->cfg, d->config_path, stored, sizeof(stored));
	/* MLPS: the protection level and who answers for the trail, on record */
	snprintf(mlps, sizeof(mlps), "%d", d->cfg->audit.mlps_level);
	daemon_forwarding_off(d->cfg, fwd);
	audit_emit(AUDIT_CONFIG_LOADED, AUDIT_SUCCESS, "linegated", d->config_path,
		   "blake2b", daemon_config_hash_hex(d->cfg, hash), "mlps_level", mlps,
		   "security_officer", d->cfg->audit.security_officer[0] ?
		   d->cfg->audit.security_officer : "none",
		   "on_journal_failure", d->cfg->audit.on_failure == CONF_JOURNAL_FAIL_STOP_TUNNELS ?
		   "stop-tunnels" : "keep-tunnels",
		   "on_journal_failure_set_by", d->cfg->audit.on_failure_set_by ?
		   d->cfg->audit.on_failure_set_by : "default",
		   "forwarding_off", fwd[0] ? fwd : "none", "config_store", stored, NULL);
	d->config_wall_ms = lg_wall_ms();
	lg_log(LOG_INFO, "event=config_loaded file=%s blake2b=%s peers=%zu uplinks=%zu",
	       d->config_path, hash, d->cfg->n_peers, d->cfg->n_uplinks);
	daemon_warn_forwarding(d->cfg);
	goto out;
refused_early:
	if (why->n)
		fprintf(stderr, "%s\n", daemon_refusal_text(why));
	fprintf(stderr, "%s: configuration refused (%zu problem%s)\n", d->config_path,
		why->n, why->n == 1 ? "" : "s");
out:
	free(why);
	return rc;
}

int daemon_start(struct daemon *d)
{
	struct ike_credentials *creds = NULL;
	int rc;

	d->start_wall_ms = lg_wall_ms();
	d->last_summary_ms = d->start_wall_ms;
	rc = load_and_check(d, &creds);
	if (rc)
		return rc;
	rc = start_loop(d);
	if (rc == 0)
		rc = start_dataplane(d);
	if (rc == 0)
		rc = start_ike(d, creds);
	else if (creds)
		ike_credentials_free(creds);
	if (rc == 0)
		rc = start_timers(d);
	if (rc == 0) {
		d->ctl = control_open(d, d->cfg->control.socket_path, d->cfg->control.socket_mode);
		if (!d->ctl)
			rc = -EIO;
	}
	if (rc)
		return rc;
	lg_log(LOG_NOTICE, "event=started version=%s site=%s tun=%s peers=%zu lab_only=%s",
	       LINEGATE_VERSION, d->cfg->site.name, d->cfg->tunnel.ifname, d->cfg->n_peers,
	       d->cfg->lab_only ? "yes" : "no");
	daemon_icp_check(d);   /* web listeners already open are on the trail from the start */
	sdnotify_send("READY=1");
	daemon_notify_status(d);
	return 0;
}

void daemon_stop(struct daemon *d)
{
	if (d->stopping)
		return;
	d->stopping = true;
	sdnotify_send("STOPPING=1");
	event_base_loopbreak(d->base);
}

void daemon_notify_status(struct daemon *d)
{
	char status[256], text[200];
	struct audit_status as;
	size_t up = 0;

	if (!getenv("NOTIFY_SOCKET") || !d->cfg)
		return;
	for (size_t i = 0; d->ike && i < d->cfg->n_peers; i++)
		up += ike_peer_up(d->ike, d->cfg->peers[i].name);
	audit_get_status(&as);
	snprintf(text, sizeof(text), "site %s: %zu/%zu peers up%s%s", d->cfg->site.name, up,
		 d->cfg->n_peers, d->cfg->lab_only ? ", LAB-ONLY static SAs" : "",
		 as.journal_ok ? "" : ", AUDIT JOURNAL FAULT");
	/* Only changes are sent: this runs every second from the audit tick. */
	if (strcmp(text, d->last_status) == 0)
		return;
	snprintf(d->last_status, sizeof(d->last_status), "%s", text);
	if (sdnotify_format_status(status, sizeof(status), text) > 0)
		sdnotify_send(status);
}

static void free_events(struct daemon *d)
{
	struct event **evs[] = { &d->ev_ike, &d->ev_audit, &d->ev_watchdog,
				 &d->ev_sig[0], &d->ev_sig[1], &d->ev_sig[2], &d->ev_sig[3] };
	for (size_t i = 0; i < sizeof(evs) / sizeof(evs[0]); i++) {
		if (*evs[i])
			event_free(*evs[i]);
		*evs[i] = NULL;
	}
}

/* Reverse of start: DELETEs to the peers while the sockets still exist, then
 * routes, addresses and the TUN device, then the journal. */
void daemon_cleanup(struct daemon *d)
{
	bool started = d->base != NULL;

	if (d->ctl)
		control_close(d->ctl);
	d->ctl = NULL;
	if (d->esp && started)
		daemon_audit_summaries(d, lg_wall_ms(), true);
	if (d->ike) {
		ike_shutdown(d->ike, lg_now_ms());
		ike_free(d->ike);
	}
	d->ike = NULL;
	if (d->dp && d->cfg->lab_only)
		daemon_lab_remove(d, d->cfg);
	if (d->dp)
		datapath_free(d->dp);
	d->dp = NULL;
	if (d->esp)
		esp_table_free(d->esp);
	d->esp = NULL;
	free_events(d);
	if (d->base)
		event_base_free(d->base);
	d->base = NULL;
	if (d->cfg) {
		audit_emit(AUDIT_DAEMON_STOP, d->exit_code ? AUDIT_FAILURE : AUDIT_SUCCESS,
			   "linegated", d->cfg->site.name,
			   "reason", d->stopping ? "signal" : "start_failed", NULL);
		audit_close();
		lg_log(LOG_NOTICE, "event=stopped exit=%d", d->exit_code);
		lg_log_close();
	}
	if (d->db)
		regiondb_free(d->db);
	d->db = NULL;
	conf_free(d->cfg);
	d->cfg = NULL;
	daemon_lab_free_state(d);
	free(d->held_seen);
	d->held_seen = NULL;
}

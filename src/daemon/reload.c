/* Reload (SIGHUP, `linegatectl reload`): the new file must pass everything a
 * start would (syntax, compliance, keys) or it is refused with its errors and
 * the running config stays in force: a typo must never take a site down. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "linegate/audit.h"
#include "linegate/ike.h"
#include "linegate/log.h"
#include "linegate/policy.h"
#include "daemon.h"
#include "sdnotify.h"

/* Uplink indices are baked into sockets and SAs: changing them needs a restart. */
static bool uplinks_changed(const struct config *a, const struct config *b)
{
	if (a->n_uplinks != b->n_uplinks)
		return true;
	for (size_t i = 0; i < a->n_uplinks; i++)
		if (strcmp(a->uplinks[i].ifname, b->uplinks[i].ifname) ||
		    !lg_sockaddr_equal(&a->uplinks[i].source, &b->uplinks[i].source))
			return true;
	return false;
}

static bool tunnel_changed(const struct config *a, const struct config *b)
{
	if (strcmp(a->tunnel.ifname, b->tunnel.ifname) || a->tunnel.mtu != b->tunnel.mtu ||
	    a->tunnel.gso_segments != b->tunnel.gso_segments ||
	    a->tunnel.pace_mbit != b->tunnel.pace_mbit ||
	    a->tunnel.n_addrs != b->tunnel.n_addrs)
		return true;
	for (size_t i = 0; i < a->tunnel.n_addrs; i++)
		if (!lg_prefix_equal(&a->tunnel.addrs[i], &b->tunnel.addrs[i]))
			return true;
	return strcmp(a->control.socket_path, b->control.socket_path) != 0 ||
	       a->control.socket_mode != b->control.socket_mode ||
	       a->control.workers != b->control.workers;
}

static int prepare(struct daemon *d, struct config **cfg, struct regiondb **db,
		   struct ike_credentials **creds, struct daemon_refusal *why)
{
	int rc = daemon_parse_config(d->config_path, cfg, db, why);
	if (rc)
		return rc;
	if (daemon_check_compliance(*cfg, *db, why, true))
		rc = -EPERM;
	else if (uplinks_changed(d->cfg, *cfg)) {
		daemon_refusal_add(why, "%s: uplinks changed (interfaces or source addresses): "
				   "restart linegated to apply", d->config_path);
		rc = -EBUSY;
	} else
		rc = daemon_load_credentials(*cfg, creds, why);
	return rc;
}

static void refuse(struct daemon *d, const char *who, struct config *cfg, struct regiondb *db,
		   struct daemon_refusal *why)
{
	char hash[65] = "";
	uint8_t raw[32];
	if (cfg)
		daemon_config_hash_hex(cfg, hash);
	else if (conf_file_hash(d->config_path, raw) == 0)   /* did not parse: still on record */
		lg_hex(raw, sizeof(raw), hash);
	audit_emit(AUDIT_CONFIG_REFUSED, AUDIT_FAILURE, who, d->config_path,
		   "blake2b", hash, "errors", daemon_refusal_text(why), NULL);
	lg_log(LOG_ERR, "event=config_refused file=%s problems=%zu action=keep_running",
	       d->config_path, why->n);
	d->reloads_refused++;
	if (db)
		regiondb_free(db);
	conf_free(cfg);
}

int daemon_reload(struct daemon *d, const char *who, struct daemon_refusal *why)
{
	struct config *cfg = NULL;
	struct regiondb *db = NULL;
	struct ike_credentials *creds = NULL;
	char msg[64], hash[65];

	if (sdnotify_format_reloading(msg, sizeof(msg), sdnotify_monotonic_usec()) > 0)
		sdnotify_send(msg);
	lg_log(LOG_NOTICE, "event=reload file=%s by=%s", d->config_path, who);
	int rc = prepare(d, &cfg, &db, &creds, why);
	if (rc == 0 && d->ike) {
		rc = ike_reconfigure(d->ike, cfg, db, creds, lg_now_ms());
		if (rc)
			daemon_refusal_add(why, "%s: IKE refused the new configuration: %s",
					   d->config_path, strerror(-rc));
	} else if (creds) {
		ike_credentials_free(creds);
	}
	if (rc) {
		refuse(d, who, cfg, db, why);
		audit_checkpoint();   /* every reload ends signed (docs/audit-events.md) */
		sdnotify_send("READY=1");
		return -EINVAL;
	}
	if (tunnel_changed(d->cfg, cfg))
		lg_log(LOG_WARNING, "event=restart_needed file=%s what=\"tunnel or control section\"",
		       d->config_path);
	if (daemon_lab_changed(d, d->cfg, cfg)) {
		if (d->cfg->lab_only)
			daemon_lab_remove(d, d->cfg);
		if (cfg->lab_only)
			daemon_lab_install(d, cfg, db);
	}
	conf_wipe_keys(cfg);   /* unchanged: the daemon holds the same keys already */
	audit_reconfigure(&cfg->audit);
	lg_log_set_facility(cfg->audit.syslog_facility);
	lg_log_set_level(cfg->audit.log_level);
	struct config *old = d->cfg;
	struct regiondb *old_db = d->db;
	d->cfg = cfg;
	d->db = db;
	conf_free(old);
	if (old_db)
		regiondb_free(old_db);
	d->reloads++;
	d->config_wall_ms = lg_wall_ms();
	if (d->dp && d->esp)
		(void)daemon_hold_peers(d);   /* logged at LOG_CRIT on failure */
	char mlps[4], fwd[16], stored[CONF_PATH_MAX];
	audit_config_store(cfg, d->config_path, stored, sizeof(stored));
	snprintf(mlps, sizeof(mlps), "%d", cfg->audit.mlps_level);
	daemon_forwarding_off(cfg, fwd);
	audit_emit(AUDIT_CONFIG_RELOADED, AUDIT_SUCCESS, who, d->config_path,
		   "blake2b", daemon_config_hash_hex(cfg, hash), "mlps_level", mlps,
		   "security_officer", cfg->audit.security_officer[0] ?
		   cfg->audit.security_officer : "none", "forwarding_off", fwd[0] ? fwd : "none",
		   "config_store", stored, NULL);
	lg_log(LOG_NOTICE, "event=config_reloaded file=%s blake2b=%s peers=%zu", d->config_path,
	       hash, cfg->n_peers);
	daemon_warn_forwarding(cfg);
	daemon_icp_check(d);   /* a recordal added or removed takes effect now */
	audit_checkpoint();
	sdnotify_send("READY=1");
	daemon_notify_status(d);
	return 0;
}

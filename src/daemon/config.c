/* Loading a configuration for start-up, reload and --check-config: the
 * parser's file:line:col errors, the region database, the compliance
 * guardrails and the key files, collected as one refusal text. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <unistd.h>
#include "linegate/audit.h"
#include "linegate/esp.h"
#include "linegate/ike.h"
#include "linegate/log.h"
#include "linegate/policy.h"
#include "daemon.h"

void daemon_refusal_add(struct daemon_refusal *why, const char *fmt, ...)
{
	size_t used = strlen(why->text);
	char line[1024];
	va_list ap;

	/* Every problem is counted; only whole lines are shown, and those that
	 * do not fit are counted as not shown. */
	why->n++;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	size_t len = strlen(line);
	if (why->not_shown || used + len + 2 > sizeof(why->text) - 64) {
		why->not_shown++;
		return;
	}
	memcpy(why->text + used, line, len);
	why->text[used + len] = '\n';
	why->text[used + len + 1] = '\0';
}



const char *daemon_refusal_text(struct daemon_refusal *why)
{
	size_t n = strlen(why->text);
	/* Once, at the end: how many problems did not fit. */
	if (why->not_shown && !why->closed && n + 64 <= sizeof(why->text)) {
		snprintf(why->text + n, sizeof(why->text) - n, "%zu more problems not shown\n",
			 why->not_shown);
		n = strlen(why->text);
	}
	why->closed = true;
	if (n && why->text[n - 1] == '\n')
		why->text[n - 1] = '\0';
	return why->text;
}

char *daemon_config_hash_hex(const struct config *cfg, char out[65])
{
	return lg_hex(cfg->hash, sizeof(cfg->hash), out);
}

/* AES-GCM needs AES-NI here: the notes go to warn (--check-config) or to the
 * log (start, reload), so an admin sees why AES-GCM is never negotiated. */
static void fit_ciphers(struct config *cfg, struct daemon_refusal *warn)
{
	struct daemon_refusal *notes = warn ? warn : calloc(1, sizeof(*notes));
	if (!notes)
		return;
	if (daemon_fit_ciphers(cfg, esp_cipher_available(ESP_CIPHER_AES256_GCM16), notes) && !warn) {
		for (char *line = strtok(notes->text, "\n"); line; line = strtok(NULL, "\n"))
			lg_log(LOG_WARNING, "event=cipher_unavailable cipher=aes256gcm16 "
			       "fallback=chacha20poly1305 detail=\"%s\"", line);
	}
	if (!warn)
		free(notes);
}

/* Start-up, reload and --check-config: every named file must be there.
 * offline (--check-config --offline, before deployment): files absent on
 * this machine go to notes as not checked (permissions and contents of the
 * ones present are still checked). warn (may be NULL) gets the notes of a
 * check; without it they are logged. */
static int parse_config(const char *path, struct config **cfgp, struct regiondb **dbp,
			struct daemon_refusal *why, struct daemon_refusal *warn, bool offline)
{
	struct config *cfg = calloc(1, sizeof(*cfg));
	struct conf_errors *errs = calloc(1, sizeof(*errs));
	struct regiondb *db = NULL;
	char err[512] = "";
	int rc = -ENOMEM;

	if (!cfg || !errs)
		goto fail;
	rc = conf_load_file_flags(path, offline ? CONF_LOAD_MISSING_KEYS_OK : 0, cfg, errs);
	if (rc) {
		for (size_t i = 0; i < errs->n && i < CONF_MAX_ERRORS; i++) {
			const char *file = errs->file[0] ? conf_error_file(errs, &errs->e[i]) : path;
			if (errs->e[i].line > 0)    /* line 0: about the whole file */
				daemon_refusal_add(why, "%s:%d:%d: %s", file, errs->e[i].line,
						   errs->e[i].column, errs->e[i].msg);
			else
				daemon_refusal_add(why, "%s: %s", file, errs->e[i].msg);
		}
		if (errs->dropped) {   /* the parser kept CONF_MAX_ERRORS; count the rest */
			why->n += errs->dropped;
			why->not_shown += errs->dropped;
		}
		if (errs->n == 0)
			daemon_refusal_add(why, "%s: cannot load: %s", path, strerror(-rc));
		rc = -EINVAL;
		goto fail;
	}
	if (cfg->compliance.region_db[0] && offline && warn && access(cfg->compliance.region_db, F_OK)) {
		daemon_refusal_add(warn, "%s: not checked (--offline): region-db %s is not on this "
				   "machine: regions judged as declared only", path,
				   cfg->compliance.region_db);
	} else if (cfg->compliance.region_db[0]) {
		rc = regiondb_load(cfg->compliance.region_db, &db, err, sizeof(err));
		if (rc) {
			daemon_refusal_add(why, "%s: region-db: %s", path,
					   err[0] ? err : strerror(-rc));
			rc = -EINVAL;
			goto fail;
		}
	}
	fit_ciphers(cfg, warn);
	free(errs);
	*cfgp = cfg;
	*dbp = db;
	return 0;
fail:
	free(errs);
	conf_free(cfg);
	return rc;
}

int daemon_parse_config(const char *path, struct config **cfgp, struct regiondb **dbp,
			struct daemon_refusal *why)
{
	return parse_config(path, cfgp, dbp, why, NULL, false);
}

static bool addr_is_local(const union lg_sockaddr *a)
{
	struct ifaddrs *ifa = NULL;
	bool found = false;
	if (getifaddrs(&ifa))
		return false;
	for (struct ifaddrs *i = ifa; i && !found; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != a->sa.sa_family)
			continue;
		union lg_sockaddr x;
		memset(&x, 0, sizeof(x));
		memcpy(&x, i->ifa_addr, a->sa.sa_family == AF_INET ? sizeof(x.in4) : sizeof(x.in6));
		found = !memcmp(lg_sockaddr_addr(&x), lg_sockaddr_addr(a),
				lg_family_addr_len(a->sa.sa_family));
	}
	freeifaddrs(ifa);
	return found;
}

/* What the daemon needs of this machine before its sockets bind: each
 * uplink's interface exists (SO_BINDTODEVICE), its source address is
 * local (bind). At start and by --check-config; --offline lists them as
 * not checked instead. Returns the number of problems. */
size_t daemon_check_machine(const struct config *cfg, struct daemon_refusal *why,
			    struct daemon_refusal *offline_notes)
{
	size_t bad = 0;
	for (size_t i = 0; i < cfg->n_uplinks; i++) {
		const struct conf_uplink *u = &cfg->uplinks[i];
		char src[LG_ADDRSTRLEN], where[CONF_PATH_MAX + 32];
		struct conf_at at = u->interface_at.line ? u->interface_at : u->at;
		if (offline_notes) {
			daemon_refusal_add(offline_notes, "%s: not checked (--offline): interface %s "
					   "of uplink \"%s\" exists on the gateway",
					   config_at_format(cfg, at, where, sizeof(where)), u->ifname,
					   u->name);
		} else if (!if_nametoindex(u->ifname)) {
			daemon_refusal_add(why, "%s: uplink \"%s\": no interface %s on this machine",
					   config_at_format(cfg, at, where, sizeof(where)), u->name,
					   u->ifname);
			bad++;
		}
		if (u->source.sa.sa_family != AF_INET && u->source.sa.sa_family != AF_INET6)
			continue;
		lg_addr_format(u->source.sa.sa_family, lg_sockaddr_addr(&u->source), src, sizeof(src));
		at = u->source_at.line ? u->source_at : u->at;
		if (offline_notes) {
			daemon_refusal_add(offline_notes, "%s: not checked (--offline): source address "
					   "%s of uplink \"%s\" is assigned on the gateway",
					   config_at_format(cfg, at, where, sizeof(where)), src, u->name);
		} else if (!addr_is_local(&u->source)) {
			daemon_refusal_add(why, "%s: uplink \"%s\": source address %s is not assigned "
					   "on this machine", config_at_format(cfg, at, where, sizeof(where)),
					   u->name, src);
			bad++;
		}
	}
	return bad;
}

/* Key files named by the config that do not exist here; each is a warning. */
static size_t warn_absent_keys(const struct config *cfg, struct daemon_refusal *warn)
{
	size_t absent = 0;
	for (size_t i = 0; i < cfg->n_peers; i++) {
		const struct conf_peer *p = &cfg->peers[i];
		const char *files[] = { p->psk_file, p->private_key_file, p->peer_public_key_file,
					p->key_dir };
		for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
			if (!files[f][0] || access(files[f], F_OK) == 0)
				continue;
			char where[CONF_PATH_MAX + 32];
			daemon_refusal_add(warn, "%s: not checked (--offline): peer \"%s\": key file "
					   "%s is not on this machine: linegated will refuse to start "
					   "without it", config_at_format(cfg, p->at, where, sizeof(where)),
					   p->name, files[f]);
			absent++;
		}
	}
	return absent;
}

/* The region database disagrees with a peer's declared region: the stricter
 * answer already decided (policy_peer_region); the disagreement is evidence
 * an assessor wants to see (DESIGN.md, "The declared region can be wrong"). */
static void audit_region_mismatches(const struct config *cfg, const struct regiondb *db)
{
	for (size_t i = 0; i < cfg->n_peers; i++) {
		struct policy_region r;
		policy_peer_region(cfg, &cfg->peers[i], db, &r);
		if (!r.mismatch)
			continue;
		char ep[LG_ADDRSTRLEN];
		lg_sockaddr_format(&cfg->peers[i].endpoint, ep, sizeof(ep));
		audit_emit(AUDIT_REGION_MISMATCH, AUDIT_SUCCESS, "linegated", cfg->peers[i].name,
			   "endpoint", ep, "declared", r.declared, "database", r.database,
			   "effective", r.effective, "cross_border", r.cross_border ? "yes" : "no", NULL);
	}
}

/* Compliance guardrails (policy.h): returns the number of violations; each is
 * one refusal line and, with audit, a compliance_refused record. */
size_t daemon_check_compliance(const struct config *cfg, const struct regiondb *db,
			       struct daemon_refusal *why, bool audit)
{
	/* Every violation, however many: counted, shown, audited. */
	size_t n = policy_check_config(cfg, db, NULL, 0, NULL);
	struct policy_verdict *v = n ? calloc(n, sizeof(*v)) : NULL;
	int *idx = n ? calloc(n, sizeof(*idx)) : NULL;

	if (audit)
		audit_region_mismatches(cfg, db);
	if (n && (!v || !idx)) {
		daemon_refusal_add(why, "%s: compliance: %zu violations (out of memory to list them)",
				   cfg->path, n);
		why->n += n - 1;
		goto out;
	}
	policy_check_config(cfg, db, v, n, idx);
	for (size_t i = 0; i < n; i++) {
		/* the subject: a peer, a static SA (after the peers) or the site */
		const char *name = cfg->site.name;
		struct conf_at block = cfg->site.at;
		if (idx[i] >= 0 && (size_t)idx[i] < cfg->n_peers) {
			name = cfg->peers[idx[i]].name;
			block = cfg->peers[idx[i]].at;
		} else if (idx[i] >= 0 && (size_t)idx[i] - cfg->n_peers < cfg->n_static_sas) {
			name = cfg->static_sas[(size_t)idx[i] - cfg->n_peers].name;
			block = cfg->static_sas[(size_t)idx[i] - cfg->n_peers].at;
		}
		/* The offending value's position; the subject's block if the
		 * value was never written (e.g. a missing remote-id). */
		struct conf_at at = v[i].at.line > 0 ? v[i].at : block;
		char where[CONF_PATH_MAX + 32];
		if (at.line > 0)
			config_at_format(cfg, at, where, sizeof(where));
		else
			snprintf(where, sizeof(where), "%s", cfg->path);
		daemon_refusal_add(why, "%s: compliance %s: %s", where,
				   policy_reason_name(v[i].reason), v[i].message);
		if (audit)
			audit_emit(AUDIT_COMPLIANCE_REFUSED, AUDIT_FAILURE, "linegated", name,
				   "reason", policy_reason_name(v[i].reason),
				   "message", v[i].message, "where", where, NULL);
	}
out:
	free(v);
	free(idx);
	return n;
}

int daemon_load_credentials(const struct config *cfg, struct ike_credentials **creds,
			    struct daemon_refusal *why)
{
	char err[512] = "";
	int rc = ike_credentials_load(cfg, creds, err, sizeof(err));
	if (rc)
		daemon_refusal_add(why, "%s: keys: %s", cfg->path, err[0] ? err : strerror(-rc));
	return rc;
}

int daemon_load_config(const char *path, struct config **cfg, struct regiondb **db,
		       struct daemon_refusal *why, struct daemon_refusal *warn, bool offline)
{
	struct ike_credentials *creds = NULL;
	*cfg = NULL;
	*db = NULL;
	int rc = parse_config(path, cfg, db, why, warn, offline);
	if (rc)
		return rc;
	rc = daemon_check_compliance(*cfg, *db, why, false) ? -EPERM : 0;
	/* With key files absent (offline) the present ones were checked by
	 * the loader; loading credentials needs them all. Keys are checked
	 * whatever the compliance verdict: every problem in one run. */
	bool keys_absent = offline && warn && warn_absent_keys(*cfg, warn) > 0;
	/* A bad certificate is reported at its value; the loader would
	 * only repeat it without one. */
	if (!keys_absent && daemon_check_certificates(*cfg, why, warn))
		rc = rc ? rc : -EINVAL;
	else if (!keys_absent && daemon_load_credentials(*cfg, &creds, why))
		rc = rc ? rc : -EINVAL;
	if (daemon_check_machine(*cfg, why, offline ? warn : NULL))
		rc = rc ? rc : -ENODEV;
	if (creds)
		ike_credentials_free(creds);
	return rc;
}

/* `linegatectl show-config`: the configuration in force, rendered from the
 * parsed snapshot (defaults filled in, as the daemon uses it), never from
 * the file. One tree (blocks of key -> values) feeds both outputs: JSON, and
 * text in linegate.conf syntax (as `wg showconf` does). Secrets are never
 * shown: static-SA keys are replaced, key files appear by path only. */
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include "linegate/conf.h"
#include "linegate/json.h"
#include "linegate/log.h"

#define REDACTED "[redacted]"

/* A number as the file writes it, with its unit ("s", "d" or none). */
static void set_num(json_t *o, const char *key, unsigned long long v, const char *unit)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%llu%s", v, unit);
	lg_json_set_str(o, key, buf);
}

static void set_prefixes(json_t *o, const char *key, const struct lg_prefix *p, size_t n)
{
	char buf[LG_ADDRSTRLEN];
	json_t *arr = lg_json_set_array(o, key);
	for (size_t i = 0; i < n; i++)
		lg_json_append_str(arr, lg_prefix_format(&p[i], buf, sizeof(buf)));
}

static void set_id(json_t *o, const char *key, const struct conf_identity *id)
{
	char buf[CONF_ID_MAX * 2 + 8];
	if (id->type != CONF_ID_NONE)
		lg_json_set_str(o, key, conf_identity_format(id, buf, sizeof(buf)));
}

static void set_text(json_t *o, const char *key, const char *v)
{
	if (v && v[0])
		lg_json_set_str(o, key, v);
}

/* A block in the list: {"block": kind, "name": name?, "settings": {...}}. */
static json_t *block(json_t *blocks, const char *kind, const char *name)
{
	json_t *b = lg_json_append_object(blocks);
	lg_json_set_str(b, "block", kind);
	if (name)
		lg_json_set_str(b, "name", name);
	return lg_json_set_object(b, "settings");
}

static void show_site(json_t *blocks, const struct config *c)
{
	json_t *s = block(blocks, "site", c->site.name);
	char buf[CONF_ID_MAX * 2 + 8];
	lg_json_set_str(s, "region", c->site.region);
	set_text(s, "identity-domain", c->site.identity_domain);
	set_text(s, "identity-organisation", c->site.identity_org);
	set_prefixes(s, "internal-space", c->site.internal, c->site.n_internal);
	if (c->site.n_allowed_ids) {
		json_t *arr = lg_json_set_array(s, "allow-identity");
		for (size_t i = 0; i < c->site.n_allowed_ids; i++)
			lg_json_append_str(arr, conf_identity_format(&c->site.allowed_ids[i], buf, sizeof(buf)));
	}
	if (c->site.n_public_space)
		set_prefixes(s, "public-space", c->site.public_space, c->site.n_public_space);
	set_text(s, "public-space-registration", c->site.public_registration);
}

static void show_compliance(json_t *blocks, const struct config *c)
{
	json_t *s = block(blocks, "compliance", NULL);
	json_t *arr = lg_json_set_array(s, "licensed-carriers");
	for (size_t i = 0; i < c->compliance.n_carriers; i++)
		lg_json_append_str(arr, c->compliance.carriers[i]);
	set_text(s, "region-db", c->compliance.region_db);
}

static void show_uplinks(json_t *blocks, const struct config *c)
{
	char buf[LG_ADDRSTRLEN];
	for (size_t i = 0; i < c->n_uplinks; i++) {
		const struct conf_uplink *u = &c->uplinks[i];
		json_t *s = block(blocks, "uplink", u->name);
		lg_json_set_str(s, "interface", u->ifname);
		set_text(s, "carrier", u->carrier);
		set_text(s, "circuit-id", u->circuit_id);
		lg_json_set_str(s, "licensed", u->licensed ? "yes" : "no");
		set_text(s, "contract-number", u->contract);
		set_text(s, "carrier-licence", u->carrier_licence);
		if (u->source.sa.sa_family != AF_UNSPEC)
			lg_json_set_str(s, "source", lg_sockaddr_format(&u->source, buf, sizeof(buf)));
	}
}

static void show_tunnel(json_t *blocks, const struct config *c)
{
	json_t *s = block(blocks, "tunnel", NULL);
	lg_json_set_str(s, "device", c->tunnel.ifname);
	set_prefixes(s, "address", c->tunnel.addrs, c->tunnel.n_addrs);
	set_num(s, "mtu", c->tunnel.mtu, "");
	set_num(s, "gso-segments", c->tunnel.gso_segments, "");
	set_num(s, "pace-rate", c->tunnel.pace_mbit, "");
}

static void set_proposals(json_t *o, const char *key, const struct conf_proposal *p, size_t n)
{
	char buf[96];
	json_t *arr = lg_json_set_array(o, key);
	for (size_t i = 0; i < n; i++)
		lg_json_append_str(arr, conf_proposal_format(&p[i], buf, sizeof(buf)));
}

static const char *action_name(enum conf_action a)
{
	return a == CONF_ACTION_CLEAR ? "clear" : "restart";
}

static void show_peer(json_t *blocks, const struct config *c, const struct conf_peer *p)
{
	static const char *const modes[] = { "both", "initiator", "responder" };
	char buf[LG_ADDRSTRLEN];
	json_t *s = block(blocks, "peer", p->name);
	lg_json_set_str(s, "endpoint", p->is_template ? "%any"
			: lg_sockaddr_format(&p->endpoint, buf, sizeof(buf)));
	lg_json_set_str(s, "region", p->region);
	lg_json_set_str(s, "uplink", p->uplink >= 0 ? c->uplinks[p->uplink].name : "");
	set_id(s, "local-id", &p->local_id);
	set_id(s, "remote-id", &p->remote_id);
	lg_json_set_str(s, "auth", conf_auth_name(p->auth));
	set_text(s, "psk-file", p->psk_file);                 /* the path, never the key */
	set_text(s, "private-key", p->private_key_file);
	set_text(s, "peer-public-key", p->peer_public_key_file);
	set_text(s, "key-dir", p->key_dir);
	set_text(s, "certificate", p->certificate_file);
	set_text(s, "ca-dir", p->ca_dir);
	set_text(s, "crl-dir", p->crl_dir);
	set_prefixes(s, "local-subnets", p->local_ts, p->n_local_ts);
	set_prefixes(s, "remote-subnets", p->remote_ts, p->n_remote_ts);
	set_proposals(s, "ike-proposals", p->ike_proposals, p->n_ike_proposals);
	set_proposals(s, "esp-proposals", p->esp_proposals, p->n_esp_proposals);
	set_num(s, "ike-lifetime", p->ike_lifetime_s, "s");
	set_num(s, "child-lifetime", p->child_lifetime_s, "s");
	set_num(s, "child-lifetime-bytes", p->child_lifetime_bytes, "");
	set_num(s, "child-lifetime-packets", p->child_lifetime_packets, "");
	set_num(s, "dpd", p->dpd_s, "s");
	lg_json_set_str(s, "dpd-action", action_name(p->dpd_action));
	lg_json_set_str(s, "close-action", action_name(p->close_action));
	set_num(s, "retry-min", p->retry_min_s, "s");
	set_num(s, "retry-max", p->retry_max_s, "s");
	set_num(s, "natt-port", p->natt_port, "");
	lg_json_set_str(s, "fragmentation", p->fragmentation ? "yes" : "no");
	set_num(s, "fragment-size", p->fragment_size, "");
	lg_json_set_str(s, "mode", p->role <= CONF_ROLE_RESPONDER ? modes[p->role] : "both");
}

static const char *facility_name(int f)
{
	static const struct { int f; const char *name; } t[] = {
		{ LOG_DAEMON, "daemon" }, { LOG_AUTH, "auth" }, { LOG_AUTHPRIV, "authpriv" },
		{ LOG_USER, "user" }, { LOG_LOCAL0, "local0" }, { LOG_LOCAL1, "local1" },
		{ LOG_LOCAL2, "local2" }, { LOG_LOCAL3, "local3" }, { LOG_LOCAL4, "local4" },
		{ LOG_LOCAL5, "local5" }, { LOG_LOCAL6, "local6" }, { LOG_LOCAL7, "local7" },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].f == f)
			return t[i].name;
	return "daemon";
}

static void show_audit(json_t *blocks, const struct config *c)
{
	const struct conf_audit *a = &c->audit;
	json_t *s = block(blocks, "audit", NULL);
	lg_json_set_str(s, "journal-dir", a->journal_dir);
	set_text(s, "journal-group", a->journal_group);
	set_num(s, "retention", a->retention_days, "d");
	lg_json_set_str(s, "syslog-facility", facility_name(a->syslog_facility));
	set_num(s, "mlps-level", (unsigned long long)a->mlps_level, "");
	set_text(s, "security-officer", a->security_officer);
	set_num(s, "flow-interval", a->flow_interval_s, "s");
	set_num(s, "checkpoint-interval", a->checkpoint_interval_s, "s");
	lg_json_set_str(s, "on-journal-failure", a->on_failure == CONF_JOURNAL_FAIL_STOP_TUNNELS ?
			"stop-tunnels" : "keep-tunnels");
}

static void show_control(json_t *blocks, const struct config *c)
{
	json_t *s = block(blocks, "control", NULL);
	lg_json_set_str(s, "socket", c->control.socket_path);
	char mode[16];
	snprintf(mode, sizeof(mode), "%04o", c->control.socket_mode);
	lg_json_set_str(s, "socket-mode", mode);
	set_num(s, "workers", (unsigned long long)c->control.workers, "");
	set_text(s, "admin-group", c->control.admin_group);
	set_text(s, "read-only-group", c->control.read_only_group);
}

static void show_static_sa(json_t *blocks, const struct config *c, const struct conf_static_sa *sa)
{
	char buf[LG_ADDRSTRLEN], spi[16];
	json_t *s = block(blocks, "static-sa", sa->name);
	lg_json_set_str(s, "peer", lg_sockaddr_format(&sa->peer, buf, sizeof(buf)));
	lg_json_set_str(s, "region", sa->region);
	set_id(s, "remote-id", &sa->remote_id);
	lg_json_set_str(s, "uplink", sa->uplink >= 0 ? c->uplinks[sa->uplink].name : "");
	snprintf(spi, sizeof(spi), "0x%08x", sa->spi_in);
	lg_json_set_str(s, "spi-in", spi);
	snprintf(spi, sizeof(spi), "0x%08x", sa->spi_out);
	lg_json_set_str(s, "spi-out", spi);
	lg_json_set_str(s, "key-in", REDACTED);     /* hand-keyed: the key is in the struct */
	lg_json_set_str(s, "key-out", REDACTED);
	set_prefixes(s, "local-subnets", sa->local_ts, sa->n_local_ts);
	set_prefixes(s, "remote-subnets", sa->remote_ts, sa->n_remote_ts);
}

json_t *conf_show_json(const struct config *c)
{
	char hash[65];
	json_t *doc = json_object();
	lg_json_set_str(doc, "file", c->path);
	lg_json_set_str(doc, "blake2b", lg_hex(c->hash, sizeof(c->hash), hash));
	lg_json_set_bool(doc, "lab_only", c->lab_only);
	json_t *blocks = lg_json_set_array(doc, "blocks");
	show_site(blocks, c);
	show_compliance(blocks, c);
	show_uplinks(blocks, c);
	show_tunnel(blocks, c);
	for (size_t i = 0; i < c->n_peers; i++)
		if (!c->peers[i].template_name[0])   /* instances come from key-dir */
			show_peer(blocks, c, &c->peers[i]);
	show_audit(blocks, c);
	show_control(blocks, c);
	for (size_t i = 0; i < c->n_static_sas; i++)
		show_static_sa(blocks, c, &c->static_sas[i]);
	return doc;
}

/* A value as linegate.conf writes it: bare when it is a word, address or
 * prefix; "quoted" (with \" and \\) otherwise, paths included. */
static void put_value(FILE *out, const char *v)
{
	bool bare = v[0] && v[0] != '/';
	for (const char *p = v; bare && *p; p++)
		bare = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		       strchr("._:/@+-", *p);
	if (bare) {
		fputs(v, out);
		return;
	}
	fputc('"', out);
	for (const char *p = v; *p; p++) {
		if (*p == '"' || *p == '\\')
			fputc('\\', out);
		fputc(*p, out);
	}
	fputc('"', out);
}

static void put_setting(FILE *out, const char *key, json_t *val)
{
	size_t i;
	json_t *one;
	if (json_is_array(val) && json_array_size(val) == 0)
		return;
	fprintf(out, "    %s ", key);
	if (!json_is_array(val)) {
		put_value(out, json_string_value(val));
	} else {
		json_array_foreach(val, i, one) {
			if (i)
				fputs(", ", out);
			put_value(out, json_string_value(one));
		}
	}
	fputc('\n', out);
}

void conf_show_text(const struct config *c, FILE *out)
{
	json_t *doc = conf_show_json(c), *b, *val;
	size_t i;
	const char *key;
	fprintf(out, "# in force: %s (blake2b %s)\n# defaults filled in, secrets redacted\n",
		json_string_value(json_object_get(doc, "file")),
		json_string_value(json_object_get(doc, "blake2b")));
	if (c->lab_only)
		fputs("lab-only yes\n", out);
	json_array_foreach(json_object_get(doc, "blocks"), i, b) {
		json_t *name = json_object_get(b, "name");
		fprintf(out, "%s%s", i ? "\n" : "", json_string_value(json_object_get(b, "block")));
		if (name) {
			fputc(' ', out);
			fputc('"', out);
			fputs(json_string_value(name), out);   /* names are [A-Za-z0-9._-] */
			fputc('"', out);
		}
		fputs(" {\n", out);
		json_object_foreach(json_object_get(b, "settings"), key, val)
			put_setting(out, key, val);
		fputs("}\n", out);
	}
	json_decref(doc);
}

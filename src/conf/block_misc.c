/* The audit, control and static-sa blocks: the audit trail the law asks for,
 * the local control socket, and hand-keyed SAs for the lab. */
#include <stdio.h>
#include <string.h>
#include <sys/un.h>
#include <syslog.h>
#include "linegate/hash.h"
#include "linegate/ikev2.h"
#include "linegate/log.h"
#include "parser.h"

/* ---- audit { ... } ---- */

static void *audit_open(struct parser *p, const struct value *name)
{
	(void)name;
	return &p->cfg->audit;
}

#define AUDIT(obj) ((struct conf_audit *)(obj))

static int audit_journal(struct parser *p, void *obj, const struct value *v, size_t n)
{
	(void)n;
	return conf_val_path(p, v, AUDIT(obj)->journal_dir, CONF_PATH_MAX);
}

static int control_group(struct parser *p, const struct value *v, char *out);

/* The auditor role: members read and verify the journal without root. */
static int audit_group(struct parser *p, void *obj, const struct value *v, size_t n)
{
	(void)n;
	return control_group(p, v, AUDIT(obj)->journal_group);
}

/* Cybersecurity Law of the PRC (art. 21 of the 2017 text): network logs are
 * kept for no less than six months; 180 days is the floor. */
static int audit_retention(struct parser *p, void *obj, const struct value *v, size_t n)
{
	uint32_t s;
	(void)n;
	if (conf_val_duration(p, v, &s))
		return -1;
	if (s / 86400 < 180) {
		conf_error(p, v->line, v->col,
			   "retention %.32s is below 180d: the Cybersecurity Law (art. 21) requires "
			   "network logs to be kept for no less than six months", v->text);
		return -1;
	}
	AUDIT(obj)->retention_days = s / 86400;
	return 0;
}

static int audit_facility(struct parser *p, void *obj, const struct value *v, size_t n)
{
	static const char *const words[] = { "daemon", "auth", "authpriv", "user", "local0",
					     "local1", "local2", "local3", "local4", "local5",
					     "local6", "local7", NULL };
	static const int facilities[] = { LOG_DAEMON, LOG_AUTH, LOG_AUTHPRIV, LOG_USER,
					  LOG_LOCAL0, LOG_LOCAL1, LOG_LOCAL2, LOG_LOCAL3,
					  LOG_LOCAL4, LOG_LOCAL5, LOG_LOCAL6, LOG_LOCAL7 };
	int i;
	(void)n;
	if (conf_val_choice(p, v, words, &i))
		return -1;
	AUDIT(obj)->syslog_facility = facilities[i];
	return 0;
}

/* Operational lines only: audit events reach syslog whatever the level. */
static int audit_log_level(struct parser *p, void *obj, const struct value *v, size_t n)
{
	static const char *const words[] = { "error", "warning", "notice", "info", "debug", NULL };
	static const int levels[] = { LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG };
	int i;
	(void)n;
	if (conf_val_choice(p, v, words, &i))
		return -1;
	AUDIT(obj)->log_level = levels[i];
	return 0;
}

/* GB/T 22239-2019 defines levels 1 to 5; level 1 needs no audit trail and
 * level 5 systems are not run on commercial gateways. */
static int audit_mlps(struct parser *p, void *obj, const struct value *v, size_t n)
{
	(void)n;
	if (strlen(v->text) != 1 || v->text[0] < '2' || v->text[0] > '4') {
		conf_error(p, v->line, v->col,
			   "invalid mlps-level '%.16s': expected 2, 3 or 4 (GB/T 22239-2019)",
			   v->text);
		return -1;
	}
	AUDIT(obj)->mlps_level = v->text[0] - '0';
	AUDIT(obj)->mlps_level_written = true;
	return 0;
}

static int audit_officer(struct parser *p, void *obj, const struct value *v, size_t n)
{
	(void)n;
	return conf_val_text(p, v, AUDIT(obj)->security_officer, CONF_TEXT_MAX);
}

static int audit_flow(struct parser *p, void *obj, const struct value *v, size_t n)
{
	(void)n;
	return conf_val_duration(p, v, &AUDIT(obj)->flow_interval_s);
}

static int audit_checkpoint(struct parser *p, void *obj, const struct value *v, size_t n)
{
	uint32_t s;
	(void)n;
	if (conf_val_duration(p, v, &s))
		return -1;
	if (s < 1 || s > 86400) {
		conf_error(p, v->line, v->col,
			   "checkpoint-interval '%.32s' out of range: expected 1s to 1d", v->text);
		return -1;
	}
	AUDIT(obj)->checkpoint_interval_s = s;
	return 0;
}

static int audit_on_failure(struct parser *p, void *obj, const struct value *v, size_t n)
{
	static const char *const words[] = { "keep-tunnels", "stop-tunnels", NULL };
	int i;
	(void)n;
	if (conf_val_choice(p, v, words, &i))
		return -1;
	AUDIT(obj)->on_failure = i ? CONF_JOURNAL_FAIL_STOP_TUNNELS : CONF_JOURNAL_FAIL_KEEP_TUNNELS;
	AUDIT(obj)->on_failure_set_by = "configuration";
	return 0;
}

/* MLPS level 3 and above: unless the administrator chose otherwise, a
 * journal that cannot record stops the tunnels (docs/compliance.md). */
static void audit_close(struct parser *p, void *obj)
{
	struct conf_audit *a = obj;
	(void)p;
	if (a->on_failure_set_by && !strcmp(a->on_failure_set_by, "configuration"))
		return;
	if (a->mlps_level_written && a->mlps_level >= 3) {
		a->on_failure = CONF_JOURNAL_FAIL_STOP_TUNNELS;
		a->on_failure_set_by = "mlps-level";
	}
}

static const struct key_def audit_keys[] = {
	{ "journal-dir", 1, 1, false, audit_journal },
	{ "journal-group", 1, 1, false, audit_group },
	{ "retention", 1, 1, false, audit_retention },
	{ "syslog-facility", 1, 1, false, audit_facility },
	{ "log-level", 1, 1, false, audit_log_level },
	{ "mlps-level", 1, 1, false, audit_mlps },
	{ "security-officer", 1, 1, false, audit_officer },
	{ "flow-interval", 1, 1, false, audit_flow },
	{ "checkpoint-interval", 1, 1, false, audit_checkpoint },
	{ "on-journal-failure", 1, 1, false, audit_on_failure },
	{ NULL, 0, 0, false, NULL },
};

const struct block_def conf_block_audit = { "audit", false, false, audit_keys, audit_open, audit_close,
					    false };

/* ---- control { ... } ---- */

static void *control_open(struct parser *p, const struct value *name)
{
	(void)name;
	return &p->cfg->control;
}

static int control_socket(struct parser *p, void *obj, const struct value *v, size_t n)
{
	struct conf_control *c = obj;
	(void)n;
	if (strlen(v->text) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		conf_error(p, v->line, v->col, "socket path too long: expected at most %zu bytes",
			   sizeof(((struct sockaddr_un *)0)->sun_path) - 1);
		return -1;
	}
	return conf_val_path(p, v, c->socket_path, sizeof(c->socket_path));
}

static int control_mode(struct parser *p, void *obj, const struct value *v, size_t n)
{
	(void)n;
	return conf_val_mode(p, v, &((struct conf_control *)obj)->socket_mode);
}

static int control_workers(struct parser *p, void *obj, const struct value *v, size_t n)
{
	uint64_t x;
	(void)n;
	if (conf_val_uint(p, v, 0, 256, &x))
		return -1;
	((struct conf_control *)obj)->workers = (int)x;
	return 0;
}

/* Group names as groupadd(8) takes them; looked up when a caller connects
 * (a group created later counts without a reload). */
static int control_group(struct parser *p, const struct value *v, char *out)
{
	if (conf_val_name(p, v, out, CONF_NAME_MAX))
		return -1;
	if (out[0] == '-' || out[0] == '.' || strlen(out) > 32) {
		conf_error(p, v->line, v->col,
			   "invalid group name '%.64s': expected a system group name (at most 32 "
			   "letters, digits, '-', '_' or '.', not starting with '-' or '.')", v->text);
		return -1;
	}
	return 0;
}

static int control_admin_group(struct parser *p, void *obj, const struct value *v, size_t n)
{
	(void)n;
	return control_group(p, v, ((struct conf_control *)obj)->admin_group);
}

static int control_ro_group(struct parser *p, void *obj, const struct value *v, size_t n)
{
	(void)n;
	return control_group(p, v, ((struct conf_control *)obj)->read_only_group);
}

static const struct key_def control_keys[] = {
	{ "socket", 1, 1, false, control_socket },
	{ "socket-mode", 1, 1, false, control_mode },
	{ "workers", 1, 1, false, control_workers },
	{ "admin-group", 1, 1, false, control_admin_group },
	{ "read-only-group", 1, 1, false, control_ro_group },
	{ NULL, 0, 0, false, NULL },
};

const struct block_def conf_block_control = { "control", false, false, control_keys, control_open,
					      NULL, false };

/* ---- static-sa "name" { ... } (lab only) ---- */

#define SA(obj) ((struct conf_static_sa *)(obj))

static struct sa_extra *sa_extra(struct parser *p, void *obj)
{
	return &p->sa_x[SA(obj) - p->cfg->static_sas];
}

static void *sa_open(struct parser *p, const struct value *name)
{
	struct config *cfg = p->cfg;
	char n[CONF_NAME_MAX];
	if (conf_val_name(p, name, n, sizeof(n)))
		return NULL;
	for (size_t i = 0; i < cfg->n_static_sas; i++) {
		if (!strcmp(cfg->static_sas[i].name, n)) {
			char w[128];
			conf_error(p, name->line, name->col,
				   "duplicate static-sa '%s' (first defined at %s)", n,
				   conf_where(p, cfg->static_sas[i].line, w, sizeof(w)));
			return NULL;
		}
	}
	struct conf_static_sa *sa = config_add_static_sa(cfg);
	if (!sa || lg_grow((void **)&p->sa_x, &p->cap_sa_x, cfg->n_static_sas,
			   sizeof(*p->sa_x))) {
		conf_error(p, name->line, name->col, "out of memory for static-sa '%s'", n);
		if (sa)
			cfg->n_static_sas--;
		return NULL;
	}
	memset(&p->sa_x[cfg->n_static_sas - 1], 0, sizeof(*p->sa_x));
	memcpy(sa->name, n, sizeof(n));
	sa->line = p->blk_pos.line;
	sa->at = (struct conf_at){ name->line, name->col };
	sa->uplink = -1;
	sa_extra(p, sa)->block = p->blk_pos;
	return sa;
}

static int sa_peer(struct parser *p, void *obj, const struct value *v, size_t n)
{
	(void)n;
	SA(obj)->peer_at = (struct conf_at){ v->line, v->col };
	return conf_val_endpoint(p, v, 4500, &SA(obj)->peer);
}

static int sa_region(struct parser *p, void *obj, const struct value *v, size_t n)
{
	(void)n;
	SA(obj)->region_at = (struct conf_at){ v->line, v->col };
	return conf_val_region(p, v, SA(obj)->region);
}

static int sa_remote_id(struct parser *p, void *obj, const struct value *v, size_t n)
{
	(void)n;
	SA(obj)->remote_id_at = (struct conf_at){ v->line, v->col };
	return conf_val_identity(p, v, &SA(obj)->remote_id);
}

static int sa_uplink(struct parser *p, void *obj, const struct value *v, size_t n)
{
	struct uplink_ref *ref = &sa_extra(p, obj)->uplink;
	(void)n;
	if (conf_val_name(p, v, ref->name, sizeof(ref->name)))
		return -1;
	ref->pos = (struct conf_pos){ v->line, v->col };
	SA(obj)->uplink_at = (struct conf_at){ v->line, v->col };
	return 0;
}

/* The AEADs, or AES-CBC + HMAC-SHA2 in strongSwan's ESP notation. */
static int sa_cipher(struct parser *p, void *obj, const struct value *v, size_t n)
{
	static const char *const words[] = { "chacha20poly1305", "aes256gcm16",
		"aes128-sha256", "aes128-sha384", "aes128-sha512",
		"aes256-sha256", "aes256-sha384", "aes256-sha512", NULL };
	struct conf_static_sa *sa = SA(obj);
	int i;
	(void)n;
	if (conf_val_choice(p, v, words, &i))
		return -1;
	sa->encr_keybits = sa->integ = 0;
	if (i < 2) {
		sa->encr = i ? IKEV2_ENCR_AES_GCM_16 : IKEV2_ENCR_CHACHA20_POLY1305;
		return 0;
	}
	sa->encr = IKEV2_ENCR_AES_CBC;
	sa->encr_keybits = i < 5 ? 128 : 256;
	sa->integ = (uint16_t)(IKEV2_INTEG_HMAC_SHA2_256_128 + (i - 2) % 3);
	return 0;
}

/* Key bytes the cipher takes: key + salt, or AES key + HMAC key (RFC 4868). */
static size_t sa_key_len(const struct conf_static_sa *sa, size_t *aes)
{
	*aes = sa->encr_keybits / 8;
	if (sa->encr != IKEV2_ENCR_AES_CBC)
		return 36;
	return *aes + 32 + 16 * (size_t)(sa->integ - IKEV2_INTEG_HMAC_SHA2_256_128);
}

static int sa_key(struct parser *p, void *obj, const struct value *v, int dir, uint8_t *out)
{
	long len = lg_unhex_any(v->text, out, CONF_SA_KEY_MAX);
	sa_extra(p, obj)->key[dir] = (struct conf_pos){ v->line, v->col };
	sa_extra(p, obj)->key_len[dir] = len > 0 ? (size_t)len : 0;
	if (len <= 0) {
		conf_error(p, v->line, v->col, "invalid key: expected 0x and hex digits (72 for an "
			   "AEAD: 32-byte key + 4-byte salt; 96 to 192 for AES-CBC: key + HMAC key)");
		return -1;
	}
	return 0;
}

/* Once the cipher and both keys are known: their lengths agree. */
static void sa_close(struct parser *p, void *obj)
{
	struct sa_extra *x = sa_extra(p, obj);
	size_t aes, want = sa_key_len(SA(obj), &aes);

	for (int d = 0; d < 2; d++) {
		if (!x->key[d].line || x->key_len[d] == want)
			continue;
		if (SA(obj)->encr == IKEV2_ENCR_AES_CBC)
			conf_error(p, x->key[d].line, x->key[d].col, "invalid key: expected 0x and %zu "
				   "hex digits for this cipher (%zu-byte AES key + %zu-byte HMAC key)",
				   2 * want, aes, want - aes);
		else
			conf_error(p, x->key[d].line, x->key[d].col, "invalid key: expected 0x and %zu "
				   "hex digits (%zu-byte key + 4-byte salt)", 2 * want, want - 4);
	}
}

/* RFC 4303 §2.1: SPIs 1-255 are reserved by IANA, 0 for local use. */
static int spi(struct parser *p, const struct value *v, uint32_t *out)
{
	uint64_t x;
	if (conf_val_uint(p, v, 256, UINT32_MAX, &x))
		return -1;
	*out = (uint32_t)x;
	return 0;
}

static int sa_spi_in(struct parser *p, void *obj, const struct value *v, size_t n)
{
	(void)n;
	sa_extra(p, obj)->spi_in = (struct conf_pos){ v->line, v->col };
	return spi(p, v, &SA(obj)->spi_in);
}

static int sa_spi_out(struct parser *p, void *obj, const struct value *v, size_t n)
{
	(void)n;
	return spi(p, v, &SA(obj)->spi_out);
}

static int sa_key_in(struct parser *p, void *obj, const struct value *v, size_t n)
{
	(void)n;
	return sa_key(p, obj, v, 0, SA(obj)->key_in);
}

static int sa_key_out(struct parser *p, void *obj, const struct value *v, size_t n)
{
	(void)n;
	return sa_key(p, obj, v, 1, SA(obj)->key_out);
}

static int sa_local_ts(struct parser *p, void *obj, const struct value *v, size_t n)
{
	struct conf_pos pos[CONF_MAX_TS];
	int rc = conf_val_prefixes(p, v, n, SA(obj)->local_ts, &SA(obj)->n_local_ts, pos);
	for (size_t i = 0; i < SA(obj)->n_local_ts && i < CONF_MAX_TS; i++)
		SA(obj)->local_ts_at[i] = (struct conf_at){ pos[i].line, pos[i].col };
	return rc;
}

static int sa_remote_ts(struct parser *p, void *obj, const struct value *v, size_t n)
{
	struct conf_pos *pos = sa_extra(p, obj)->remote_ts;
	int rc = conf_val_prefixes(p, v, n, SA(obj)->remote_ts, &SA(obj)->n_remote_ts, pos);
	for (size_t i = 0; i < SA(obj)->n_remote_ts && i < CONF_MAX_TS; i++)
		SA(obj)->remote_ts_at[i] = (struct conf_at){ pos[i].line, pos[i].col };
	return rc;
}

static const struct key_def sa_keys[] = {
	{ "peer", 1, 1, true, sa_peer },
	/* the same guardrails as a peer (docs/compliance.md): where, who */
	{ "region", 1, 1, true, sa_region },
	{ "remote-id", 1, 1, true, sa_remote_id },
	{ "uplink", 1, 1, true, sa_uplink },
	{ "cipher", 1, 1, true, sa_cipher },
	{ "spi-in", 1, 1, true, sa_spi_in },
	{ "spi-out", 1, 1, true, sa_spi_out },
	{ "key-in", 1, 1, true, sa_key_in },
	{ "key-out", 1, 1, true, sa_key_out },
	{ "local-subnets", 1, CONF_MAX_TS, true, sa_local_ts },
	{ "remote-subnets", 1, CONF_MAX_TS, true, sa_remote_ts },
	{ NULL, 0, 0, false, NULL },
};

const struct block_def conf_block_static_sa = { "static-sa", true, true, sa_keys, sa_open, sa_close,
						false };

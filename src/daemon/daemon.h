/* linegated's control thread: the state every part of src/daemon shares.
 * One struct daemon per process, owned by main(). */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include "linegate/clock_sync.h"
#include "linegate/conf.h"
#include "linegate/config.h"
#include "linegate/datapath.h"
#include "linegate/esp.h"
#include "linegate/policy.h"

struct event_base;
struct event;
struct regiondb;
struct datapath;
struct ike;
struct control;

enum { DAEMON_IKE_TICK_MS = 100, DAEMON_AUDIT_TICK_MS = 1000, DAEMON_ICP_SCAN_MS = 10000 };

struct daemon {
	struct event_base *base;
	char config_path[CONF_PATH_MAX];
	bool foreground;
	struct config *cfg;            /* current snapshot (heap) */
	struct regiondb *db;           /* region database of cfg, may be NULL */
	struct esp_table *esp;
	struct datapath *dp;
	struct ike *ike;
	struct control *ctl;
	struct event *ev_sig[4];       /* TERM, INT, HUP, PIPE */
	struct event *ev_ike, *ev_audit, *ev_watchdog;
	uint64_t start_wall_ms;
	uint64_t config_wall_ms;       /* when the config in force was loaded */
	uint64_t reloads, reloads_refused;
	uint64_t control_queries;      /* read-only commands: counted, not audited */
	uint64_t control_refused;      /* callers without the role (summarised) */
	/* periodic audit summaries */
	uint64_t last_summary_ms;
	uint64_t drops_seen[ESP_VERDICT_COUNT];
	uint64_t dp_drops_seen[DATAPATH_DROP_COUNT];
	uint64_t *held_seen;               /* per peer index (failclosed.c) */
	size_t n_held_seen;
	char last_status[200];         /* last STATUS= sent to systemd */
	bool tunnels_held;             /* on-journal-failure stop-tunnels in force */
	/* static SAs: installed now, and the last run-time refusal (audited once) */
	bool *lab_installed;               /* per static SA of d->cfg (lab.c) */
	enum policy_reason *lab_refused;
	struct daemon_lab_key *lab_keys;   /* sodium memory, no access but in lab.c */
	size_t n_lab_keys;
	/* ICP ports (icp.c): unrecorded web listeners on the trail as open */
	struct policy_listener icp_flagged[POLICY_MAX_LISTENERS];
	size_t n_icp_flagged;
	uint64_t icp_last_scan_ms;
	/* clock evidence (clock.c): the NTP state last on the trail */
	struct lg_clock_sync clock;
	int clock_err;                 /* 0, or -errno reading it */
	bool clock_known;
	bool stopping;
	int exit_code;
};

/* Why a config was refused: conf errors, compliance violations, keys. */
struct daemon_refusal {
	char text[8192];               /* "file:line:col: message" lines */
	size_t n;                      /* every problem, shown or not */
	size_t not_shown;              /* beyond what text holds */
	bool closed;                   /* the "not shown" line is written */
};

/* daemon.c: start-up and orderly stop. */
int daemon_start(struct daemon *d);
void daemon_stop(struct daemon *d);        /* leaves the loop */
void daemon_cleanup(struct daemon *d);     /* after the loop: tear down */

/* config.c: load + validate + compliance, shared by start, reload, --check-config. */
struct ike_credentials;
int daemon_parse_config(const char *path, struct config **cfg, struct regiondb **db,
			struct daemon_refusal *why);
size_t daemon_check_compliance(const struct config *cfg, const struct regiondb *db,
			       struct daemon_refusal *why, bool audit);
int daemon_load_credentials(const struct config *cfg, struct ike_credentials **creds,
			    struct daemon_refusal *why);
/* certs.c: our certificate of each auth-certificate peer verifies now
 * against its ca-dir/crl-dir, names local-id and is private-key's; each
 * problem to why (file:line:col), and to warn (if not NULL) when it expires. */
size_t daemon_check_certificates(const struct config *cfg, struct daemon_refusal *why,
				 struct daemon_refusal *warn);
/* All of the above (no audit): --check-config, exactly what a start checks
 * on this machine. offline (--check-config --offline): files absent here and
 * machine facts are not checked, each listed in warn instead.
 * Once the file parsed, *cfg and *db are the caller's (to free) even when
 * refused, so that the report can be printed with the refusal. */
int daemon_load_config(const char *path, struct config **cfg, struct regiondb **db,
		       struct daemon_refusal *why, struct daemon_refusal *warn, bool offline);
/* Interfaces and source addresses of the uplinks exist here (start-up and
 * --check-config); with offline_notes, each is listed as not checked. */
size_t daemon_check_machine(const struct config *cfg, struct daemon_refusal *why,
			    struct daemon_refusal *offline_notes);
/* ciphers.c: without AES-GCM on this CPU, AES-GCM proposals are dropped and
 * a peer left with none proposes ChaCha20-Poly1305; one note per peer
 * changed. Returns how many peers changed. */
size_t daemon_fit_ciphers(struct config *cfg, bool aes_gcm_ok, struct daemon_refusal *notes);
/* why->text without its last newline, for one audit field. */
const char *daemon_refusal_text(struct daemon_refusal *why);
void daemon_refusal_add(struct daemon_refusal *why, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
char *daemon_config_hash_hex(const struct config *cfg, char out[65]);
/* forwarding.c: "ipv4", "ipv6", "ipv4,ipv6" (forwarding off although the
 * config needs it) or "" when all is well; the warning at start and reload. */
const char *daemon_forwarding_off(const struct config *cfg, char out[16]);
void daemon_warn_forwarding(const struct config *cfg);
/* reload.c: SIGHUP and `linegatectl reload`. 0, or -EINVAL with why filled. */
int daemon_reload(struct daemon *d, const char *who, struct daemon_refusal *why);

/* lab.c: hand-keyed SAs (lab-only), child ids from DAEMON_LAB_CHILD_BASE up. */
enum { DAEMON_LAB_CHILD_BASE = 0x7f000000 };
/* Takes cfg's static-SA keys (wiped from cfg) into guarded memory, then
 * installs the SAs the guardrails allow. */
int daemon_lab_install(struct daemon *d, struct config *cfg, const struct regiondb *db);
int daemon_lab_take_keys(struct daemon *d, struct config *cfg);
/* b (keys still in it) differs from a (running, keys taken) in static SAs. */
bool daemon_lab_changed(struct daemon *d, const struct config *a, const struct config *b);
void daemon_lab_free_keys(struct daemon *d);
/* The keys and the per-static-SA state: at the daemon's end. */
void daemon_lab_free_state(struct daemon *d);
void daemon_lab_remove(struct daemon *d, const struct config *cfg);
/* Judges every static SA at run time like a peer (uplink up, egress): a
 * refused one is removed (audited), an allowed one installed again. */
void daemon_lab_recheck(struct daemon *d);

/* failclosed.c: routes of every configured peer's remote subnets held on
 * the TUN device (start, reload); packets held for want of an SA, per peer
 * index since the last hold; their per-interval records. */
int daemon_hold_peers(struct daemon *d);
uint64_t daemon_peer_held(struct daemon *d, size_t peer);
void daemon_held_summary(struct daemon *d, const char *interval_s);

/* icp.c: ICP ports. The facts of one scan; scanning records what appeared
 * and what went away (audit) and returns the scan's error (0). */
struct daemon_icp_facts {
	struct policy_listener listeners[POLICY_MAX_LISTENERS];
	size_t n_listeners;
	struct policy_uplink_addr addrs[POLICY_MAX_UPLINK_ADDRS];
	size_t n_addrs;
	int scan_error;
};
int daemon_icp_scan(struct daemon *d, struct daemon_icp_facts *f);
void daemon_icp_check(struct daemon *d);
/* clock.c: a clock_sync record at start ("start") and when the kernel's NTP
 * state changes ("change", polled by the audit tick); never one per poll. */
void daemon_clock_check(struct daemon *d, const char *trigger);
/* The change rule alone: synchronised, the kernel's state code or the
 * ability to read it changed (maxerror drifts every second: not a change). */
bool daemon_clock_changed(bool known, const struct lg_clock_sync *was, int was_err,
			  const struct lg_clock_sync *now, int now_err);   /* a scan, facts discarded */
void daemon_icp_tick(struct daemon *d);    /* every DAEMON_ICP_SCAN_MS */

/* periodic.c: flow records and drop summaries (never per packet). */
void daemon_audit_summaries(struct daemon *d, uint64_t now_wall_ms, bool force);
/* on-journal-failure stop-tunnels: no tunnel runs while the journal cannot
 * record it (MLPS: the audit process must not be silently interrupted). */
void daemon_journal_policy(struct daemon *d);
/* lg_time_format (local zone, as the audit records), "never" for 0. */
const char *daemon_format_time(uint64_t wall_ms, char out[40]);
/* status_time.c: "3m12s"; "3m12s ago" / "never"; "in 47m10s" / "due now" /
 * "never" (IKE_INFO_NEVER). JSON: the absolute time or null, seconds or null. */
const char *daemon_format_span(uint64_t ms, char out[24]);
const char *daemon_format_ago(uint64_t wall_ms, uint64_t now_wall_ms, char out[40]);
const char *daemon_format_countdown(int64_t in_ms, char out[40]);
struct json_t;
void daemon_json_time(struct json_t *obj, const char *key, uint64_t wall_ms);
void daemon_json_countdown(struct json_t *obj, const char *key, int64_t in_ms);
/* sd_notify STATUS= line from the current state. */
void daemon_notify_status(struct daemon *d);

/* control.c: the UNIX control socket. */
struct control *control_open(struct daemon *d, const char *path, unsigned mode);
void control_close(struct control *c);
/* control_auth.c: the caller (kernel credentials) and its role. */
enum control_role { CONTROL_ROLE_NONE, CONTROL_ROLE_READ_ONLY, CONTROL_ROLE_ADMIN };
struct control_caller {
	unsigned uid, gid;
	int pid;
	uint32_t login_uid, session;   /* UINT32_MAX: unset */
	gid_t groups[64];
	size_t n_groups;
};
int control_caller_from_socket(int fd, struct control_caller *c);
enum control_role control_caller_role(const struct conf_control *cfg, const struct control_caller *c);
const char *control_role_name(enum control_role r);
const char *control_id_str(uint32_t v, char out[16]);
/* A command that answers later (up/down --wait) fills *wait and returns
 * CONTROL_PENDING: control.c then calls control_wait_poll every
 * CONTROL_WAIT_POLL_MS until it returns a control_code with the body.
 * `monitor` returns CONTROL_STREAM: the connection becomes a subscriber. */
enum { CONTROL_PENDING = 1, CONTROL_STREAM = 2, CONTROL_WAIT_POLL_MS = 100 };
struct control_wait {
	bool up, json;                 /* up or down; answer format */
	char peer[CONF_NAME_MAX];
	uint64_t deadline_ms;          /* lg_now_ms() clock */
	uint64_t failure_ms;           /* the peer's last failure when the wait began */
	unsigned seconds;
};
/* commands.c: runs one request; body goes to out. Returns a control_code,
 * CONTROL_PENDING (wait filled) or CONTROL_STREAM. */
struct control_request;
int control_dispatch(struct daemon *d, const struct control_request *rq,
		     const struct control_caller *caller, FILE *out, struct control_wait *wait);
/* commands_updown.c: up, down (--wait) and rekey, and the waits. */
int control_cmd_updown(struct daemon *d, const struct control_request *rq, struct control_wait *wait,
		       FILE *out);
int control_cmd_rekey(struct daemon *d, const struct control_request *rq, FILE *out);
int control_wait_poll(struct daemon *d, const struct control_wait *w, FILE *out);
/* monitor.c: subscribers of the audit stream (control.c owns them). */
struct monitor;
struct bufferevent;
struct monitor *monitor_new(void);
void monitor_free(struct monitor *m);
bool monitor_full(const struct monitor *m);
size_t monitor_count(const struct monitor *m);
int monitor_adopt(struct monitor *m, struct bufferevent *bev, bool json, unsigned uid);
/* commands_peers.c */
int control_cmd_peers(struct daemon *d, const struct control_request *rq, const char *who, FILE *out);
/* drops.c: every drop counter by layer and reason (status, metrics). */
enum daemon_drop_layer { DAEMON_DROP_ESP, DAEMON_DROP_DATAPATH, DAEMON_DROP_IKE, DAEMON_DROP_LAYERS };
typedef void (*daemon_drop_fn)(void *ctx, enum daemon_drop_layer layer, const char *reason, uint64_t n);
const char *daemon_drop_layer_name(enum daemon_drop_layer layer);
void daemon_drops_walk(struct daemon *d, enum daemon_drop_layer layer, daemon_drop_fn fn, void *ctx);
/* commands.c: the compliance report with live facts (uplinks, tunnels,
 * egress, ICP scan) to out; returns the violations that stand. */
size_t daemon_compliance_live(struct daemon *d, bool json, FILE *out);
/* commands_metrics.c */
int control_cmd_metrics(struct daemon *d, const struct control_request *rq, const char *who, FILE *out);
/* commands_sas.c */
int control_cmd_sas(struct daemon *d, const struct control_request *rq, const char *who, FILE *out);
int control_cmd_flows(struct daemon *d, const struct control_request *rq, const char *who, FILE *out);


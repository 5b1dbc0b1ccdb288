/* linegatectl internals: the client side of the control protocol and the
 * config lookups it needs (socket path, audit directory). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "linegate/config.h"
#include "linegate/control.h"

#define CTL_DEFAULT_CONFIG "/etc/linegate/linegate.conf"
#define CTL_DEFAULT_SOCKET "/run/linegate/control.sock"

/* Sends rq to the daemon at path and writes the body to out (200) or err
 * (anything else). Returns the response code, or -errno when the daemon
 * cannot be reached or answers out of protocol (message on err). */
int ctl_request(const char *path, const struct control_request *rq, FILE *out, FILE *err,
		int timeout_s);
/* `metrics --textfile PATH` (textfile.c): the daemon's metrics written
 * atomically to PATH, or linegate_up 0 when no daemon answers. Returns as
 * ctl_request (the file is written for -ENOENT/-ECONNREFUSED too), or
 * -errno when the file cannot be written. */
int ctl_metrics_textfile(const char *sock, const char *path, int timeout_s);
/* Loads a config file for its paths (socket, journal, region db), relative
 * ones resolved against its directory; missing key files are not errors.
 * 0 or -errno; conf errors printed to err. */
int ctl_read_config(const char *path, struct config *cfg, FILE *err);
/* The compliance report for `audit export` (export.c): the daemon's over
 * socket, else the static one of cfg (may be NULL), as an archive member;
 * with html, also the assessor report made now (report.html, live state
 * when the daemon answers), signed with the key of journal_dir when this
 * user can read it (report.html.sig), and a manifest line saying which. */
struct ctl_export {
	const struct config *cfg;      /* may be NULL: no configuration readable */
	const char *config_path, *socket, *journal_dir;
	int timeout_s;
	bool html;                     /* false: --report F gives the report */
};
void ctl_export_compliance(const struct ctl_export *x);
/* The control socket a config file names (made absolute against the file's
 * directory), even when the file has errors elsewhere. 0 or -errno. */
int ctl_config_socket(const char *path, char *out, size_t n);
/* report.c / report_verify.c: `report` and `report verify`; cfg may be NULL
 * for verify (then --key is needed). Exit codes 0, 1 bad signature, 2 usage. */
int ctl_report(const struct config *cfg, bool json, int argc, char **argv);
int ctl_report_verify(const struct config *cfg, int argc, char **argv);
/* The assessor report (HTML, both languages) of cfg into *buf (malloc'd),
 * with the live state of the daemon at socket_path when it answers (*live).
 * 0, or 2 (message on stderr). */
int ctl_report_html(const struct config *cfg, const char *socket_path, char **buf, size_t *len, bool *live);

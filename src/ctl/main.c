/* linegatectl: a table of subcommands. Daemon commands go over the control
 * socket (control.h); `audit` reads the journal directly and works without
 * the daemon. Human output by default, --json for machines. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "linegate/audit.h"
#include "linegate/conf.h"
#include "linegate/policy.h"
#include "linegate/report_meta.h"
#include "ctl.h"

struct opts {
	const char *socket;      /* -s */
	const char *config;      /* -c */
	bool config_given;
	bool json;
	int timeout_s;
};

struct subcommand {
	const char *name;
	int min_args, max_args;
	int (*run)(const struct opts *o, const struct subcommand *sc, int argc, char **argv);
	const char *help;
};

static struct config *load_config(const struct opts *o, bool quiet)
{
	struct config *cfg = calloc(1, sizeof(*cfg));
	if (!cfg)
		return NULL;
	int rc = ctl_read_config(o->config, cfg, stderr);
	if (rc) {
		if (!quiet || rc != -ENOENT)
			fprintf(stderr, "linegatectl: %s: %s\n", o->config,
				rc == -EINVAL ? "configuration has errors" : strerror(-rc));
		conf_free(cfg);
		return NULL;
	}
	return cfg;
}

/* -s wins; else the config's control socket; else the default. A file with
 * errors still names its socket: `reload` of such a file must reach the
 * daemon, which refuses it and records the refusal (its errors are the
 * daemon's answer, so they are not printed here first). */
static int socket_path(const struct opts *o, bool for_reload, char *out, size_t n)
{
	if (o->socket) {
		snprintf(out, n, "%s", o->socket);
		return 0;
	}
	struct config *cfg = for_reload && o->config_given ? NULL : load_config(o, !o->config_given);
	if (!cfg && o->config_given)
		return for_reload && ctl_config_socket(o->config, out, n) == 0 ? 0 : -EINVAL;
	snprintf(out, n, "%s", cfg ? cfg->control.socket_path : CTL_DEFAULT_SOCKET);
	conf_free(cfg);
	return 0;
}

/* 0 done; 1 refused or failed; 3 no daemon; 4 nothing to act on (down or
 * rekey of a peer without an SA); 5 --wait ran out of time. */
static int exit_code(int code)
{
	switch (code) {
	case CONTROL_OK: return 0;
	case -ENOENT: case -ECONNREFUSED: return 3;
	case CONTROL_NO_SA: return 4;
	case CONTROL_TIMEOUT: return 5;
	default: return 1;
	}
}

/* up/down PEER --wait [SECONDS]: the answer may take that long. */
static int wait_timeout(const struct opts *o, int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--wait") != 0)
		return o->timeout_s;
	long s = argc > 2 ? strtol(argv[2], NULL, 10) : 30;
	return s > 0 && s <= 3600 ? (int)s + 10 : o->timeout_s;
}

static int run_daemon(const struct opts *o, const struct subcommand *sc, int argc, char **argv)
{
	struct control_request rq = { .json = o->json };
	char path[CONF_PATH_MAX];

	snprintf(rq.command, sizeof(rq.command), "%s", sc->name);
	for (int i = 0; i < argc; i++)
		snprintf(rq.args[rq.n_args++], CONTROL_WORD_MAX, "%s", argv[i]);
	if (socket_path(o, strcmp(sc->name, "reload") == 0, path, sizeof(path)))
		return 1;
	return exit_code(ctl_request(path, &rq, stdout, stderr, wait_timeout(o, argc, argv)));
}

static int run_version(const struct opts *o, const struct subcommand *sc, int argc, char **argv)
{
	if (!o->json)
		printf("linegatectl %s (control protocol linegate-ctl/%d)\n", LINEGATE_VERSION,
		       CONTROL_VERSION);
	return run_daemon(o, sc, argc, argv);
}

/* Without a daemon the compliance report is still useful: the static one.
 * Exit codes for Nagios/Zabbix checks: 0 clean, 1 violations stand, 2 the
 * report could not be made. */
static int run_compliance(const struct opts *o, const struct subcommand *sc, int argc, char **argv)
{
	struct control_request rq = { .json = o->json };
	char path[CONF_PATH_MAX];

	snprintf(rq.command, sizeof(rq.command), "%s", sc->name);
	(void)argc, (void)argv;
	if (socket_path(o, false, path, sizeof(path)))
		return 2;
	int code = ctl_request(path, &rq, stdout, stderr, o->timeout_s);
	if (code != -ENOENT && code != -ECONNREFUSED)
		return code == CONTROL_OK ? 0 : code == CONTROL_OK_VIOLATIONS ? 1 : 2;
	struct config *cfg = load_config(o, false);
	struct regiondb *db = NULL;
	char err[512] = "";
	if (!cfg)
		return 2;
	if (cfg->compliance.region_db[0] &&
	    regiondb_load(cfg->compliance.region_db, &db, err, sizeof(err)) != 0) {
		fprintf(stderr, "linegatectl: region-db: %s\n", err);
		conf_free(cfg);
		return 2;
	}
	fprintf(stderr, "linegatectl: daemon not running: static report from %s\n", o->config);
	static struct lg_report_meta meta;
	audit_report_facts(cfg, false, &meta);
	size_t standing = policy_report_doc(cfg, db, NULL, NULL, &meta, o->json, stdout);
	if (db)
		regiondb_free(db);
	conf_free(cfg);
	return standing ? 1 : 0;
}

/* `metrics [--textfile PATH]`: stdout, or the file node_exporter reads. */
static int run_metrics(const struct opts *o, const struct subcommand *sc, int argc, char **argv)
{
	char path[CONF_PATH_MAX];

	if (argc == 0)
		return run_daemon(o, sc, argc, argv);
	if (argc != 2 || strcmp(argv[0], "--textfile") != 0) {
		fprintf(stderr, "usage: linegatectl metrics [--textfile PATH]\n");
		return 2;
	}
	if (socket_path(o, false, path, sizeof(path)))
		return 1;
	return exit_code(ctl_metrics_textfile(path, argv[1], o->timeout_s));
}

/* `report [...]` and `report verify FILE [SIG]`: from the config (verify
 * needs it only for the journal's public key: --key does without). */
static int run_report(const struct opts *o, const struct subcommand *sc, int argc, char **argv)
{
	bool verify = argc > 0 && !strcmp(argv[0], "verify");
	struct config *cfg = load_config(o, verify);
	(void)sc;
	if (!cfg && !verify)
		return 2;
	int rc = ctl_report(cfg, o->json, argc, argv);
	conf_free(cfg);
	return rc;
}

/* `audit verify|show ...`: the journal directory comes from the config
 * unless --dir is given. */
static int run_audit(const struct opts *o, const struct subcommand *sc, int argc, char **argv)
{
	char *av[64];
	int ac = 0;
	bool has_dir = false, has_json = false, has_report = false;
	const char *dir = NULL;
	struct config *cfg = NULL;
	(void)sc;

	for (int i = 0; i < argc; i++) {
		has_dir |= strcmp(argv[i], "--dir") == 0 || strncmp(argv[i], "--dir=", 6) == 0;
		has_json |= strcmp(argv[i], "--json") == 0;
		has_report |= strcmp(argv[i], "--report") == 0 || strncmp(argv[i], "--report=", 9) == 0;
		if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
			dir = argv[i + 1];
		else if (strncmp(argv[i], "--dir=", 6) == 0)
			dir = argv[i] + 6;
	}
	if (argc + 6 > (int)(sizeof(av) / sizeof(av[0])))
		return 2;
	av[ac++] = "audit";
	if (argc > 0)
		av[ac++] = argv[0];
	if (!has_dir && argc > 0 && (cfg = load_config(o, !o->config_given)) != NULL) {
		av[ac++] = "--dir";
		av[ac++] = cfg->audit.journal_dir;
	}
	if (o->json && !has_json && argc > 0)
		av[ac++] = "--json";
	for (int i = 1; i < argc; i++)
		av[ac++] = argv[i];
	av[ac] = NULL;
	if (argc > 0 && !strcmp(argv[0], "export")) {
		char path[CONF_PATH_MAX];
		if (!cfg)
			cfg = load_config(o, true);
		snprintf(path, sizeof(path), "%s", o->socket ? o->socket :
			 cfg ? cfg->control.socket_path : CTL_DEFAULT_SOCKET);
		struct ctl_export x = {
			.cfg = cfg, .config_path = o->config, .socket = path, .timeout_s = o->timeout_s,
			.html = !has_report,   /* --report F: that file is the report */
			.journal_dir = dir ? dir : cfg ? cfg->audit.journal_dir : "",
		};
		ctl_export_compliance(&x);
	}
	optind = 1;  /* audit_cli_main may use getopt itself */
	int rc = audit_cli_main(ac, av);
	conf_free(cfg);
	return rc;
}

static const struct subcommand subcommands[] = {
	{ "status", 0, 0, run_daemon, "daemon, uplinks, counters, audit journal" },
	{ "peers", 0, 0, run_daemon, "configured peers: region, uplink, state" },
	{ "sas", 0, 0, run_daemon, "IKE and CHILD SAs with counters" },
	{ "flows", 0, 0, run_daemon, "traffic per CHILD SA" },
	{ "compliance", 0, 0, run_compliance, "per peer: domestic/cross-border, circuit, violations" },
	{ "show-config", 0, 0, run_daemon, "the configuration in force, secrets redacted" },
	{ "reload", 0, 0, run_daemon, "re-read the configuration (refused if invalid)" },
	{ "up", 1, 3, run_daemon, "PEER [--wait [SECONDS]]: initiate now (and wait for the result)" },
	{ "down", 1, 3, run_daemon, "PEER [--wait [SECONDS]]: delete its SAs now" },
	{ "rekey", 1, 2, run_daemon, "PEER [--child|--ike]: rekey its CHILD SAs (default) or IKE SA" },
	{ "metrics", 0, 2, run_metrics, "[--textfile PATH]: counters in the Prometheus text format" },
	{ "monitor", 0, 0, run_daemon, "stream audit events as they happen (Ctrl-C ends)" },
	{ "version", 0, 0, run_version, "versions of linegatectl and linegated" },
	{ "report", 0, 12, run_report, "[--lang zh|en|both] [-o FILE]: signed assessor report (HTML); verify FILE [SIG]" },
	{ "audit", 0, 62, run_audit, "verify|show|export [...]: the audit journal (no daemon needed)" },
};

/* `linegatectl status --json` reads naturally too: take it out of the args. */
static int take_json(struct opts *o, char **args, int n)
{
	int w = 0;
	for (int i = 0; i < n; i++) {
		if (strcmp(args[i], "--json") == 0 || strcmp(args[i], "-j") == 0)
			o->json = true;
		else
			args[w++] = args[i];
	}
	return w;
}

static void usage(FILE *to)
{
	fprintf(to, "usage: linegatectl [-s SOCKET] [-c CONFIG] [--json] COMMAND [ARGS]\n"
		    "  -s, --socket PATH   control socket (default: from the config, else "
		    CTL_DEFAULT_SOCKET ")\n"
		    "  -c, --config FILE   configuration (default " CTL_DEFAULT_CONFIG ")\n"
		    "  -j, --json          JSON output\n"
		    "      --version       print linegatectl's version (`version`: the daemon's too)\n"
		    "commands:\n");
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		fprintf(to, "  %-11s %s\n", subcommands[i].name, subcommands[i].help);
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "config", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { .config = CTL_DEFAULT_CONFIG, .timeout_s = 30 };
	int c;

	/* '+': stop at the subcommand, its options are its own. */
	while ((c = getopt_long(argc, argv, "+s:c:jh", lopts, NULL)) != -1) {
		switch (c) {
		case 's': o.socket = optarg; break;
		case 'c': o.config = optarg; o.config_given = true; break;
		case 'j': o.json = true; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("linegatectl %s\n", LINEGATE_VERSION); return 0;   /* no daemon needed */
		default: usage(stderr); return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++) {
		const struct subcommand *sc = &subcommands[i];
		if (strcmp(sc->name, argv[optind]) != 0)
			continue;
		int nargs = argc - optind - 1;
		char **args = argv + optind + 1;
		if (sc->run != run_audit)
			nargs = take_json(&o, args, nargs);
		if (nargs < sc->min_args || nargs > sc->max_args) {
			usage(stderr);
			return 2;
		}
		return sc->run(&o, sc, nargs, args);
	}
	fprintf(stderr, "linegatectl: unknown command '%s'\n", argv[optind]);
	usage(stderr);
	return 2;
}

/* linegated: the linegate gateway daemon. It never forks: systemd
 * (Type=notify) or the shell supervises it; -f also logs to stderr. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <event2/event.h>
#include "linegate/policy.h"
#include "linegate/random.h"
#include "daemon.h"

#define DEFAULT_CONFIG "/etc/linegate/linegate.conf"

static void usage(FILE *to)
{
	fprintf(to,
		"usage: linegated [-f] [-c FILE]\n"
		"       linegated --check-config [--offline] [FILE]\n"
		"       linegated --version\n"
		"  -c, --config FILE    configuration (default " DEFAULT_CONFIG ")\n"
		"  -f, --foreground     also log to stderr\n"
		"      --check-config   check exactly what a start on this machine checks\n"
		"                       (syntax, compliance, region database, key files,\n"
		"                       interfaces, source addresses), print the compliance\n"
		"                       report, exit 0 or 1\n"
		"      --offline        with --check-config, before deployment: skip what\n"
		"                       only this gateway can tell (absent files, interfaces,\n"
		"                       addresses) and list each as not checked\n"
		"      --version        print the version\n");
}

/* Its identity and its remote subnets: the template's pool, or its own
 * when a branch block binds them. */
static void print_instance(const struct conf_peer *p)
{
	char id[CONF_ID_MAX + 1], a[LG_ADDRSTRLEN];

	printf("  instance %s: identity %s, remote-subnets", p->name,
	       conf_identity_format(&p->remote_id, id, sizeof(id)));
	for (size_t i = 0; i < p->n_remote_ts; i++)
		printf("%s %s", i ? "," : "", lg_prefix_format(&p->remote_ts[i], a, sizeof(a)));
	printf("\n");
}

/* Each template and its instances (one per identity file in key-dir). */
static void print_templates(const struct config *cfg)
{
	for (size_t t = 0; t < cfg->n_templates; t++) {
		const struct conf_peer *tp = &cfg->peers[cfg->templates[t]];
		char id[CONF_ID_MAX + 1];
		size_t n = 0;
		for (size_t i = 0; i < cfg->n_peers; i++)
			n += !strcmp(cfg->peers[i].template_name, tp->name);
		printf("template %s: remote-id %s, key-dir %s, %zu instance%s\n", tp->name,
		       conf_identity_format(&tp->remote_id, id, sizeof(id)), tp->key_dir, n,
		       n == 1 ? "" : "s");
		for (size_t i = 0; i < cfg->n_peers; i++)
			if (!strcmp(cfg->peers[i].template_name, tp->name))
				print_instance(&cfg->peers[i]);
	}
}

static int check_config(const char *path, bool offline)
{
	struct config *cfg = NULL;
	struct regiondb *db = NULL;
	struct daemon_refusal *why = calloc(1, sizeof(*why));
	struct daemon_refusal *warn = calloc(1, sizeof(*warn));

	if (!why || !warn) {
		free(why);
		free(warn);
		return 1;
	}
	int rc = daemon_load_config(path, &cfg, &db, why, warn, offline);
	fputs(warn->text, stderr);
	free(warn);
	if (cfg) {   /* parsed: the report, refused or not */
		if (!rc)
			printf("%s: OK (site %s, region %s, %zu uplinks, %zu peers%s)\n", path,
			       cfg->site.name, cfg->site.region, cfg->n_uplinks, cfg->n_peers,
			       cfg->lab_only ? ", LAB-ONLY static SAs" : "");
		print_templates(cfg);
		policy_report(cfg, db, NULL, false, stdout);
		if (offline)
			printf("%s: --offline: checked without this machine; the \"not checked\" lines "
			       "above are for the gateway's own --check-config\n", path);
		fflush(stdout);
	}
	if (rc) {
		const char *text = daemon_refusal_text(why);
		if (text[0])
			fprintf(stderr, "%s\n", text);
		fprintf(stderr, "%s: configuration refused (%zu problem%s)\n", path, why->n,
			why->n == 1 ? "" : "s");
	}
	if (db)
		regiondb_free(db);
	conf_free(cfg);
	free(why);
	return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "offline", no_argument, NULL, 'O' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config = DEFAULT_CONFIG;
	bool check = false, offline = false;
	int c;
	struct daemon d;

	memset(&d, 0, sizeof(d));
	if (lg_random_init()) {    /* before any thread or random byte */
		fputs("linegated: libsodium cannot start\n", stderr);
		return 1;
	}
	while ((c = getopt_long(argc, argv, "c:fh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'f': d.foreground = true; break;
		case 'C': check = true; break;
		case 'O': offline = true; break;
		case 'V': printf("linegated %s\n", LINEGATE_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (check && optind < argc)
		config = argv[optind++];
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (offline && !check) {
		usage(stderr);
		return 2;
	}
	if (check)
		return check_config(config, offline);
	if (strlen(config) >= sizeof(d.config_path)) {
		fprintf(stderr, "%s: path too long\n", config);
		return 1;
	}
	strcpy(d.config_path, config);
	if (daemon_start(&d) != 0) {
		d.exit_code = 1;
		daemon_cleanup(&d);
		return 1;
	}
	event_base_dispatch(d.base);
	daemon_cleanup(&d);
	return d.exit_code;
}

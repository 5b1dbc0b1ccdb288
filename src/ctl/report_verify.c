/* `linegatectl report verify FILE [SIG] [--key PUBKEY]`: checks a report's
 * detached signature against the gateway's audit public key (the journal
 * directory's audit.pub, or an externally kept copy with --key) and says
 * what a good signature does and does not prove. Needs no daemon, no root. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "linegate/audit.h"
#include "linegate/file.h"
#include "linegate/log.h"
#include "linegate/policy.h"
#include "ctl.h"

enum { REPORT_FILE_MAX = 64 << 20, SIG_FILE_MAX = 4096 };

static const char proves[] =
	"What a good signature proves: these exact bytes were signed with this gateway's audit key,\n"
	"  by someone who held it (root on the gateway); a changed byte or another key fails.\n"
	"What it does not prove: that the configuration described was lawful or is the one in force\n"
	"  now, that the gateway's clock (and so the report's time) was right, or that the key was\n"
	"  not stolen. Compare the key id with the one the security officer keeps off the box.\n";

static int key_from(const struct config *cfg, const char *key, uint8_t pk[32], char *src, size_t n)
{
	if (key) {
		snprintf(src, n, "%s", key);
	} else if (cfg) {
		snprintf(src, n, "%s/audit.pub", cfg->audit.journal_dir);
	} else {
		fprintf(stderr, "linegatectl: report verify: no configuration: pass --key PUBKEY\n");
		return 2;
	}
	int rc = audit_pubkey_read(src, pk);
	if (rc)
		fprintf(stderr, "linegatectl: report verify: public key %s: %s\n", src, strerror(-rc));
	return rc ? 2 : 0;
}

int ctl_report_verify(const struct config *cfg, int argc, char **argv)
{
	const char *file = NULL, *sig = NULL, *key = NULL;
	char sigpath[CONF_PATH_MAX + 8], src[CONF_PATH_MAX + 16], id[17], *data = NULL, *text = NULL;
	uint8_t pk[32], signer[32];
	size_t len = 0, slen = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--key") && i + 1 < argc)
			key = argv[++i];
		else if (argv[i][0] == '-')
			return fprintf(stderr, "usage: linegatectl report verify FILE [SIG] [--key PUBKEY]\n"), 2;
		else if (!file)
			file = argv[i];
		else if (!sig)
			sig = argv[i];
		else
			return fprintf(stderr, "usage: linegatectl report verify FILE [SIG] [--key PUBKEY]\n"), 2;
	}
	if (!file)
		return fprintf(stderr, "usage: linegatectl report verify FILE [SIG] [--key PUBKEY]\n"), 2;
	snprintf(sigpath, sizeof(sigpath), "%s%s", sig ? sig : file, sig ? "" : ".sig");
	if (key_from(cfg, key, pk, src, sizeof(src)))
		return 2;
	int rc = lg_read_file_bounded(file, REPORT_FILE_MAX, 0, &data, &len, NULL);
	if (rc == 0)
		rc = lg_read_file_bounded(sigpath, SIG_FILE_MAX, 0, &text, &slen, NULL);
	if (rc) {
		fprintf(stderr, "linegatectl: report verify: %s: %s\n", data ? sigpath : file, strerror(-rc));
		free(data);
		return 2;
	}
	rc = audit_report_verify(data, len, text, pk, signer);
	policy_key_id(pk, id);
	if (rc == 0)
		printf("GOOD signature: %s (%zu bytes) signed by audit key id %s (key from %s)\n", file, len, id, src);
	else if (rc == -EKEYREJECTED)
		printf("BAD signature: %s is signed by another key than %s (key id %s)\n", file, src, id);
	else if (rc == -EBADMSG)
		printf("BAD signature: %s or %s was changed after signing (key id %s)\n", file, sigpath, id);
	else
		printf("BAD signature: %s is not a linegate report signature\n", sigpath);
	fputs(proves, stdout);
	free(data);
	free(text);
	return rc == 0 ? 0 : rc == -ENOMEM ? 2 : 1;
}

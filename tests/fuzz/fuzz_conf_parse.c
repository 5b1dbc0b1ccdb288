/* libFuzzer target: linegate.conf parser and validator over arbitrary bytes.
 * conf_parse_with does no I/O, so every path of the lexer, the statement
 * machinery, the typed readers and the cross-checks is reachable here. It
 * is what conf_parse_buffer and conf_load_file call; the harness keeps one
 * parser instead of their calloc, wipe and free of 48 KB per input, whose
 * fresh pages (ASan's quarantine never hands the same block back) cost a
 * page fault per 4 KB and about a fifth of the run. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "linegate/conf.h"
#include "parser.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config cfg;
	static struct conf_errors errs;
	static struct parser p;

	if (size > CONF_FILE_MAX)
		return 0;
	parser_reset(&p);           /* the last input's arrays, grown by the parser */
	int rc = conf_parse_with(&p, "fuzz.conf", (const char *)data, size, &cfg, &errs);
	/* Invariants: success means no errors; every error has a position inside
	 * the input and a terminated message. */
	if ((rc == 0) != (errs.n == 0 && errs.dropped == 0))
		abort();
	for (size_t i = 0; i < errs.n; i++) {
		if (errs.e[i].line < 1 || errs.e[i].column < 1 || (size_t)errs.e[i].line > size + 1 ||
		    errs.e[i].file != 0)   /* include is refused here: one file only */
			abort();
		if (memchr(errs.e[i].msg, '\0', sizeof(errs.e[i].msg)) == NULL)
			abort();
	}
	if (rc == 0) {
		for (size_t i = 0; i < cfg.n_peers; i++)
			if (cfg.peers[i].uplink < 0 || (size_t)cfg.peers[i].uplink >= cfg.n_uplinks)
				abort();
	}
	return 0;
}

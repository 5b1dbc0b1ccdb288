/* Internal to conf/: the files a load reads, shared by load.c (the file
 * named) and include.c (the files it includes). */
#pragma once
#include <sodium.h>
#include <sys/stat.h>
#include "parser.h"

struct conf_files {
	struct stat st[CONF_MAX_FILES];   /* each file as read (inline-key checks) */
	int chain[CONF_MAX_INCLUDE_DEPTH + 1];   /* file indexes, outermost first */
	size_t depth;                     /* entries of chain */
	crypto_generichash_state hash;    /* see struct config's hash */
};

/* Reads path (bounded, a regular file not writable by group or others),
 * hashing its bytes into h when not NULL: 0 and *buf (malloc'd, n bytes),
 * or -errno with the error recorded at line:col (line 0: about the file
 * loaded as a whole). */
int conf_read_file(const char *path, int line, int col, char **buf, size_t *n,
		   struct stat *st_out, crypto_generichash_state *h, struct conf_errors *errs);
/* The parser's include hook: p->include_ctx is a struct conf_files. */
void conf_include(struct parser *p, const struct value *pattern);

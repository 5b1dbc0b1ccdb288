/* Config loading: lexer + parser (no I/O, fuzzable) and validation. Every
 * error names file:line:column and what was expected. */
#pragma once
#include <stddef.h>
#include <stdio.h>
#include "linegate/config.h"

enum { CONF_MAX_ERRORS = 32, CONF_MSG_MAX = 256 };

struct conf_error {
	int line;
	int column;
	char msg[CONF_MSG_MAX];
};

struct conf_errors {
	char file[CONF_PATH_MAX];
	struct conf_error e[CONF_MAX_ERRORS];
	size_t n;
	size_t dropped;   /* errors beyond CONF_MAX_ERRORS */
};

/* Parses and validates buf (name is used in messages only). Fills *out with
 * defaults first. Returns 0, or -EINVAL with errs filled. No I/O. */
int conf_parse_buffer(const char *name, const char *buf, size_t len,
		      struct config *out, struct conf_errors *errs);
/* Reads path (size-limited), parses, validates, hashes the bytes into
 * out->hash, then checks key files (exist, regular, not readable by group or
 * others). Returns 0 or a negative errno with errs filled. */
int conf_load_file(const char *path, struct config *out, struct conf_errors *errs);
/* "file:line:col: message" per error, one per line. */
void conf_errors_print(const struct conf_errors *errs, FILE *to);

/* The Prometheus text exposition format, version 0.0.4: the one writer of
 * `linegatectl metrics` (the daemon's families and the client's
 * linegate_up 0 when no daemon answers). A family is written once with its
 * HELP and TYPE lines, then all of its samples. */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define LG_PROM_CONTENT_TYPE "text/plain; version=0.0.4"

struct lg_prom_label {
	const char *name;              /* [a-zA-Z_][a-zA-Z0-9_]*, a constant */
	const char *value;             /* any bytes: escaped, invalid UTF-8 -> U+FFFD */
};

/* "# HELP name help" and "# TYPE name type" (counter, gauge). */
void lg_prom_family(FILE *out, const char *name, const char *type, const char *help);
/* name{labels} value; n labels (0: none). */
void lg_prom_u64(FILE *out, const char *name, const struct lg_prom_label *labels, size_t n,
		 uint64_t value);
/* A wall-clock time in ms as seconds since the epoch, with milliseconds. */
void lg_prom_seconds(FILE *out, const char *name, const struct lg_prom_label *labels, size_t n,
		     uint64_t ms);
/* A label value as the format wants it between its quotes: backslash,
 * double quote and line feed escaped (\\ \" \n), valid UTF-8 kept. */
void lg_prom_label_value(FILE *out, const char *value);

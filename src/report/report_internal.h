/* Shared by the files of the report module (not an API). */
#pragma once
#include <stdio.h>
#include "linegate/report.h"

/* Writes zh, en or "zh / en" as the language asks, escaped. */
void report_t(FILE *to, enum report_lang lang, const char *zh, const char *en);
/* An edge's verdict: "合规 / lawful: licensed circuit" or the refusal's reason. */
void report_verdict_text(const struct report_entry *e, enum report_lang lang, char *out, size_t n);
/* tables.c: the journal row of the header, the per-peer / per-SA tables. */
void report_journal_row(FILE *to, const struct report_model *m, enum report_lang lang);
void report_peer_tables(FILE *to, const struct report_model *m, enum report_lang lang);

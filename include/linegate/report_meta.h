/* What a compliance document states about itself, so an assessor can tell
 * which gateway made it, when, from which configuration and region
 * database, with which clock and journal: gathered by
 * audit_report_facts() (I/O), printed by the JSON report (policy) and the
 * HTML report (report/). Plain data, no code. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "linegate/clock_sync.h"

enum { LG_META_TEXT = 256 };

struct lg_report_journal {
	bool read;                /* the journal directory could be read and verified */
	bool ok;                  /* no fault found */
	uint64_t files, records, checkpoints, faults, unsigned_records;
	uint64_t first_seq, last_seq;
	int64_t first_ms, last_ms;    /* times of the first and last record */
	bool have_head;
	uint64_t head_seq;        /* the signed head: how far the trail provably goes */
	uint32_t retention_days;
	char error[LG_META_TEXT]; /* why it could not be read */
};

struct lg_report_meta {
	uint64_t generated_ms;
	char host[LG_META_TEXT];
	char version[32];
	uint8_t config_hash[32];      /* BLAKE2b-256 as the daemon records it (config.h) */
	char config_path[LG_META_TEXT];
	bool have_db;
	char db_path[LG_META_TEXT];
	uint8_t db_hash[32];          /* BLAKE2b-256 of the region database file */
	int64_t db_mtime_ms;          /* its modification time: the database's date */
	uint64_t db_prefixes;
	bool have_clock;
	struct lg_clock_sync clock;
	bool have_key;
	uint8_t public_key[32];       /* the journal's audit key (audit.pub) */
	struct lg_report_journal journal;   /* read only when asked */
};

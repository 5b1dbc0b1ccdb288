/* Helpers shared by the audit suites: a settable clock, a capture of every
 * journal line and syslog line, temp journal directories, file surgery. */
#pragma once
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include "linegate/audit.h"
#include "linegate/log.h"
#include "audit_internal.h"

static __attribute__((unused)) uint64_t test_now_ms;
static __attribute__((unused)) uint64_t test_clock(void) { return test_now_ms; }

enum { CAP_MAX = 256 };
static __attribute__((unused)) struct {
	size_t n_json, n_sys;
	char json[CAP_MAX][AUDIT_LINE_MAX];
	int prio[CAP_MAX];
	char sys[CAP_MAX][2048];
	enum audit_event ev[CAP_MAX];
} cap;

static __attribute__((unused)) void cap_json(void *ctx, enum audit_event ev, enum audit_outcome o, const char *line)
{
	(void)ctx;
	(void)o;
	if (cap.n_json < CAP_MAX) {
		cap.ev[cap.n_json] = ev;
		snprintf(cap.json[cap.n_json++], AUDIT_LINE_MAX, "%s", line);
	}
}

static __attribute__((unused)) void cap_sys(void *ctx, int prio, const char *line)
{
	(void)ctx;
	if (cap.n_sys < CAP_MAX) {
		cap.prio[cap.n_sys] = prio;
		snprintf(cap.sys[cap.n_sys++], 2048, "%s", line);
	}
}

static __attribute__((unused)) void cap_reset(void)
{
	cap.n_json = cap.n_sys = 0;
	audit_set_test_sink(cap_json, NULL);
	audit_set_syslog_hook(cap_sys, NULL);
	audit_set_clock(test_clock);
}

/* index of the last captured syslog line containing s, or -1 */
static __attribute__((unused)) int cap_find_sys(const char *s)
{
	for (int i = (int)cap.n_sys - 1; i >= 0; i--)
		if (strstr(cap.sys[i], s))
			return i;
	return -1;
}

static __attribute__((unused)) void test_cfg(struct conf_audit *c, const char *dir)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->journal_dir, sizeof(c->journal_dir), "%s", dir);
	c->retention_days = 180;
	c->syslog_facility = LOG_LOCAL4;
	c->mlps_level = 3;
	c->checkpoint_interval_s = 60;
	c->flow_interval_s = 300;
}

static __attribute__((unused)) void make_tmpdir(char *out, size_t cap_)
{
	snprintf(out, cap_, "/tmp/lg-audit-test-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(out));
}

static __attribute__((unused)) void rm_rf(const char *dir)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* Whole file into a malloc'ed NUL-terminated buffer. */
static __attribute__((unused)) char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "open %s", path);
	fseek(f, 0, SEEK_END);
	long sz = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *b = malloc((size_t)sz + 1);
	ck_assert_int_eq(fread(b, 1, (size_t)sz, f), (size_t)sz);
	b[sz] = '\0';
	fclose(f);
	*n = (size_t)sz;
	return b;
}

static __attribute__((unused)) void spit(const char *path, const char *b, size_t n)
{
	FILE *f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fwrite(b, 1, n, f), n);
	fclose(f);
}

/* Offset of the start of 1-based line `line` in b, or n. */
static __attribute__((unused)) size_t line_off(const char *b, size_t n, int line)
{
	size_t off = 0;
	for (int l = 1; l < line && off < n; l++) {
		const char *nl = memchr(b + off, '\n', n - off);
		if (!nl)
			return n;
		off = (size_t)(nl - b) + 1;
	}
	return off;
}

static __attribute__((unused)) int64_t ms_of(const char *rfc3339)
{
	int64_t ms;
	ck_assert_msg(audit_time_parse(rfc3339, &ms) == 0, "%s", rfc3339);
	return ms;
}

/* ---- a journal of four days, shared by the journal and head suites */
/* Four UTC days, 2026-11-25..28. Day 1: audit_key_created, audit_open, six
 * records, a checkpoint (9 lines, seq 1-9); days 2-4: six records and a
 * checkpoint (7 lines each: seq 10-16, 17-23, 24-30); the clean stop adds
 * the final checkpoint (day 4, line 8, seq 31). */
static __attribute__((unused)) const char *const day_files[] = {
	"audit-2026-11-25.jsonl", "audit-2026-11-26.jsonl",
	"audit-2026-11-27.jsonl", "audit-2026-11-28.jsonl",
};

static __attribute__((unused)) void build_journal(const char *dir)
{
	struct conf_audit cfg;
	char obj[32];
	test_cfg(&cfg, dir);
	cap_reset();
	test_now_ms = (uint64_t)ms_of("2026-11-25T10:00:00Z");
	ck_assert_int_eq(audit_open(&cfg, "gw-a"), 0);
	for (int d = 0; d < 4; d++) {
		uint64_t base = (uint64_t)ms_of("2026-11-25T10:00:00Z") + (uint64_t)d * 86400000;
		for (int i = 0; i < 6; i++) {
			test_now_ms = base + (uint64_t)i * 1000;
			snprintf(obj, sizeof(obj), "peer-%d-%d", d, i);
			audit_emit(AUDIT_CHILD_SA_UP, AUDIT_SUCCESS, "gw-b.example", obj,
				   "spi_in", "c1a2b3c4", NULL);
		}
		test_now_ms = base + 70000;
		audit_tick(test_now_ms);
	}
	audit_close();
}

static __attribute__((unused)) uint64_t verify(const char *dir, const uint8_t *trusted, struct audit_verifier *v)
{
	audit_verify_init(v);
	if (trusted) {
		v->have_trusted = true;
		memcpy(v->trusted, trusted, 32);
	}
	ck_assert_int_eq(audit_verify_dir(v, dir, INT64_MIN, INT64_MAX), 0);
	return audit_verify_finish(v);
}

static __attribute__((unused)) void path_of(char *out, size_t n, const char *dir, const char *file)
{
	snprintf(out, n, "%s/%s", dir, file);
}

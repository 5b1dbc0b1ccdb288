/* Operational logging: one event per line, stable key=value fields, through
 * syslog(3) on the configured facility and, with --foreground, to stderr.
 * Security events go through audit_emit() instead (audit.h). */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <syslog.h>

void lg_log_open(const char *ident, int facility, bool to_stderr);
void lg_log_set_facility(int facility);
/* Lines of a priority above level (LOG_ERR .. LOG_DEBUG) are not written;
 * LOG_INFO until set (debug lines off by default). */
void lg_log_set_level(int level);
bool lg_log_enabled(int priority);
void lg_log_close(void);
/* syslog(priority, "%s", line), unless the syslog socket is missing: then
 * the line is dropped, as syslog(3) would drop it, without its reconnect
 * per line. */
void lg_syslog(int priority, const char *line);
/* Does the syslog socket exist? Once found it is trusted for a second; a
 * missing one is looked for at every call. Tests: the path to look at
 * (NULL: _PATH_LOG), looked at on the next call. */
bool lg_syslog_reachable(uint64_t now_ms);
void lg_log_set_syslog_path(const char *path);
/* fmt is "event=name key=value ..."; no secrets, ever. */
void lg_log(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* At most `burst` lines per `interval_ms`; the rest are counted and reported
 * as suppressed=N on the next line that passes. Thread-safe. */
struct lg_ratelimit {
	uint64_t window_start_ms;
	uint32_t interval_ms;
	uint32_t burst;
	uint32_t passed;
	uint32_t suppressed;
};
#define LG_RATELIMIT_INIT(interval, burst_) { 0, (interval), (burst_), 0, 0 }
void lg_log_ratelimited(struct lg_ratelimit *rl, int priority, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Monotonic and wall clocks in milliseconds. */
uint64_t lg_now_ms(void);
uint64_t lg_wall_ms(void);
/* util/time.c: "2026-11-29T06:33:35.123+08:00", RFC 3339 in the local zone
 * (TZ), "+00:00" in UTC: the one notation of records, commands and logs.
 * Returns the length (snprintf). */
enum { LG_TIME_MAX = 40 };
int lg_time_format(uint64_t wall_ms, char *out, size_t cap);

/* Lower-case hex; out must hold 2*n+1. Returns out. */
char *lg_hex(const uint8_t *in, size_t n, char *out);
/* Parses exactly 2*n hex digits (optional 0x prefix) into out; 0 or -EINVAL. */
int lg_unhex(const char *s, uint8_t *out, size_t n);
/* Parses any even number of hex digits; returns byte count or -EINVAL. */
long lg_unhex_any(const char *s, uint8_t *out, size_t cap);

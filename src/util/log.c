/* Operational log lines: syslog(3) plus stderr in the foreground. */
#include <paths.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include "linegate/log.h"

static bool log_stderr = true;
static bool log_syslog;
static int log_level = LOG_INFO;
static pthread_mutex_t rl_lock = PTHREAD_MUTEX_INITIALIZER;

/* glibc's syslog(3) tries to connect to /dev/log again on every call while
 * the socket is missing (a container or namespace without a syslog
 * daemon): socket, connect, close and getpid per line, for a line that is
 * dropped anyway; a hub writes several per setup. So a line first asks
 * whether the socket exists (one access(2)) and is dropped here as
 * syslog(3) would drop it (no LOG_CONS). A socket found is trusted for a
 * second (glibc reconnects by itself); a missing one is looked for again
 * at the next line, so the audit lines after a syslog daemon's restart are
 * not lost while a cached "missing" ages. */
enum { SYSLOG_PROBE_MS = 1000 };
static const char *syslog_path = _PATH_LOG;
static _Atomic uint64_t syslog_probe_after;   /* found until then; 0: look at the next line */

bool lg_syslog_reachable(uint64_t now_ms)
{
	uint64_t after = atomic_load_explicit(&syslog_probe_after, memory_order_relaxed);

	if (after != 0 && now_ms < after)
		return true;   /* found less than a second ago */
	if (access(syslog_path, F_OK) != 0)
		return false;
	atomic_store_explicit(&syslog_probe_after, now_ms + SYSLOG_PROBE_MS, memory_order_relaxed);
	return true;
}

void lg_log_set_syslog_path(const char *path)
{
	syslog_path = path ? path : _PATH_LOG;
	atomic_store(&syslog_probe_after, 0);
}

void lg_syslog(int priority, const char *line)
{
	if (lg_syslog_reachable(lg_now_ms()))
		syslog(priority, "%s", line);
}

void lg_log_open(const char *ident, int facility, bool to_stderr)
{
	openlog(ident, LOG_PID | LOG_NDELAY, facility);
	atomic_store(&syslog_probe_after, 0);
	log_syslog = true;
	log_stderr = to_stderr;
}

void lg_log_set_facility(int facility)
{
	/* openlog() with a new facility keeps the ident; LOG_NDELAY reconnects */
	if (log_syslog)
		openlog(NULL, LOG_PID | LOG_NDELAY, facility);
}

void lg_log_set_level(int level)
{
	log_level = level;
}

bool lg_log_enabled(int priority)
{
	return (priority & 7) <= log_level;
}

void lg_log_close(void)
{
	if (log_syslog)
		closelog();
	log_syslog = false;
}

__attribute__((format(printf, 2, 0)))
static void vlog(int priority, const char *fmt, va_list ap)
{
	char line[1024];
	if (!lg_log_enabled(priority))
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	if (log_syslog)
		lg_syslog(priority, line);
	if (log_stderr)
		fprintf(stderr, "linegate[%d]: %s\n", priority & 7, line);
}

void lg_log(int priority, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(priority, fmt, ap);
	va_end(ap);
}

void lg_log_ratelimited(struct lg_ratelimit *rl, int priority, const char *fmt, ...)
{
	uint64_t now = lg_now_ms();
	uint32_t suppressed = 0;
	bool pass;

	pthread_mutex_lock(&rl_lock);
	if (now - rl->window_start_ms >= rl->interval_ms) {
		rl->window_start_ms = now;
		rl->passed = 0;
	}
	pass = rl->passed < rl->burst;
	if (pass) {
		rl->passed++;
		suppressed = rl->suppressed;
		rl->suppressed = 0;
	} else {
		rl->suppressed++;
	}
	pthread_mutex_unlock(&rl_lock);
	if (!pass)
		return;

	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (suppressed)
		lg_log(priority, "%s suppressed=%u", line, suppressed);
	else
		lg_log(priority, "%s", line);
}

static uint64_t clock_ms(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t lg_now_ms(void) { return clock_ms(CLOCK_MONOTONIC); }
uint64_t lg_wall_ms(void) { return clock_ms(CLOCK_REALTIME); }

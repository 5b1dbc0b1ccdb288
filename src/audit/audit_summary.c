/* Summaries of unauthenticated events: a forged or stray packet, a caller
 * the control socket refuses. Anyone can send those at line rate, so they
 * are never recorded one by one (20,000 forged IKE_SA_INIT must not become
 * 20,000 synced records, fill the disk and bury the trail): they are counted
 * per event, reason, uplink and source prefix with the first and last time,
 * and written once per interval. The first of an (event, reason) that the
 * last written interval did not have is recorded at once, so an assessor
 * sees an attack start without waiting, and a slow, steady prober still
 * costs one record an interval, not two. The table is bounded; what does not fit is counted as overflow.
 * An authenticated peer's refusal it may repeat at will (selectors another
 * peer holds) is summarised the same way, but under its identity as the
 * subject and with what it asked for (audit_summarize_peer). */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "linegate/log.h"
#include "audit_internal.h"

enum { SUMMARY_MAX = 64, DETAIL_KEY_MAX = 24, DETAIL_VALUE_MAX = CONF_NAME_MAX };

struct entry {
	enum audit_event ev;
	char reason[AUDIT_NAME_MAX];
	char uplink[CONF_NAME_MAX];
	char source[CONF_NAME_MAX];     /* a prefix, "uid=N" or a peer's name */
	char region[8];
	char subject[CONF_ID_MAX + 1];  /* "" = unauthenticated */
	/* an authenticated peer's last request of the interval: key, value */
	char detail[AUDIT_SUMMARY_DETAILS][2][DETAIL_VALUE_MAX];
	uint64_t count, first_ms, last_ms;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	struct entry e[SUMMARY_MAX];
	size_t n;
	uint64_t overflow, overflow_first_ms, overflow_last_ms;
	uint64_t start_ms;          /* of the interval, 0 = nothing pending */
	struct { enum audit_event ev; char reason[AUDIT_NAME_MAX]; } prev[SUMMARY_MAX];
	size_t n_prev;              /* the kinds of the last written interval */
	uint64_t total;             /* since start, for tests and status */
} tab;

void audit_source_prefix(const union lg_sockaddr *a, char *out, size_t cap)
{
	struct lg_prefix p = { .family = (uint8_t)a->sa.sa_family };
	const uint8_t *addr = a->sa.sa_family == AF_INET6 ? a->in6.sin6_addr.s6_addr
			      : (const uint8_t *)&a->in4.sin_addr;
	if (a->sa.sa_family != AF_INET && a->sa.sa_family != AF_INET6) {
		snprintf(out, cap, "unknown");
		return;
	}
	/* /24 and /48: what one site or one customer of a carrier holds; a
	 * forger spraying sources fills the table and is counted as overflow */
	p.len = a->sa.sa_family == AF_INET6 ? 48 : 24;
	memcpy(p.addr, addr, p.len / 8);
	lg_prefix_format(&p, out, cap);
}

static struct entry *find(enum audit_event ev, const char *reason, const char *uplink,
			  const char *source, const char *subject, bool *first_of_reason)
{
	*first_of_reason = true;
	for (size_t i = 0; i < tab.n; i++) {
		struct entry *e = &tab.e[i];
		if (e->ev != ev || strcmp(e->reason, reason))
			continue;
		*first_of_reason = false;
		if (!strcmp(e->uplink, uplink) && !strcmp(e->source, source) &&
		    !strcmp(e->subject, subject))
			return e;
	}
	return NULL;
}

static bool in_prev(enum audit_event ev, const char *reason)
{
	for (size_t i = 0; i < tab.n_prev; i++)
		if (tab.prev[i].ev == ev && !strcmp(tab.prev[i].reason, reason))
			return true;
	return false;
}

static void emit_entry(const struct entry *e, const char *kind, uint64_t interval_ms)
{
	char n[24], first[64], last[64], iv[24];
	snprintf(n, sizeof(n), "%llu", (unsigned long long)e->count);
	snprintf(iv, sizeof(iv), "%llu", (unsigned long long)(interval_ms / 1000));
	lg_time_format(e->first_ms, first, sizeof(first));
	lg_time_format(e->last_ms, last, sizeof(last));
	const char *d[2 * AUDIT_SUMMARY_DETAILS];
	for (size_t i = 0; i < AUDIT_SUMMARY_DETAILS; i++) {
		bool set = e->detail[i][0][0];
		d[2 * i] = set ? e->detail[i][0] : NULL;
		d[2 * i + 1] = e->detail[i][1];
	}
	/* an authenticated summary's object is the peer (source), as its one-by-one records */
	if (e->subject[0])
		audit_emit(e->ev, AUDIT_FAILURE, e->subject, e->source,
			   "summary", kind, "reason", e->reason, "uplink", e->uplink,
			   "source", e->source, "count", n, "first", first, "last", last,
			   "interval_s", iv, d[0], d[1], d[2], d[3], d[4], d[5], NULL);
	else
		audit_emit(e->ev, AUDIT_FAILURE, "unauthenticated", e->uplink[0] ? e->uplink : "-",
			   "summary", kind, "reason", e->reason, "uplink", e->uplink, "source", e->source,
			   "count", n, "first", first, "last", last, "interval_s", iv,
			   e->region[0] ? "region" : NULL, e->region, NULL);
}

static void summarize(enum audit_event ev, const char *reason, const char *uplink,
		      const char *source, const char *region, const char *subject,
		      const char *const *details, size_t n_details, uint64_t now_ms)
{
	struct entry one, *e;
	bool first_of_reason;
	pthread_mutex_lock(&lock);
	tab.total++;
	if (!tab.start_ms)
		tab.start_ms = now_ms;
	e = find(ev, reason, uplink ? uplink : "", source ? source : "", subject ? subject : "",
		 &first_of_reason);
	if (!e && tab.n < SUMMARY_MAX) {
		e = &tab.e[tab.n++];
		memset(e, 0, sizeof(*e));
		e->ev = ev;
		snprintf(e->reason, sizeof(e->reason), "%s", reason);
		snprintf(e->uplink, sizeof(e->uplink), "%s", uplink ? uplink : "");
		snprintf(e->source, sizeof(e->source), "%s", source ? source : "");
		snprintf(e->region, sizeof(e->region), "%s", region ? region : "");
		snprintf(e->subject, sizeof(e->subject), "%s", subject ? subject : "");
		e->first_ms = now_ms;
	}
	for (size_t i = 0; e && i < n_details && i < AUDIT_SUMMARY_DETAILS; i++) {
		snprintf(e->detail[i][0], DETAIL_KEY_MAX, "%s", details[2 * i]);
		snprintf(e->detail[i][1], DETAIL_VALUE_MAX, "%s", details[2 * i + 1] ? details[2 * i + 1] : "");
	}
	if (!e) {
		if (!tab.overflow++)
			tab.overflow_first_ms = now_ms;
		tab.overflow_last_ms = now_ms;
		pthread_mutex_unlock(&lock);
		return;
	}
	e->count++;
	e->last_ms = now_ms;
	one = *e;
	first_of_reason = first_of_reason && !in_prev(ev, reason);
	pthread_mutex_unlock(&lock);
	if (first_of_reason && one.count == 1)
		emit_entry(&one, "first", 0);   /* outside the lock: audit_emit syncs */
}

void audit_summarize(enum audit_event ev, const char *reason, const char *uplink,
		     const char *source, const char *region, uint64_t now_ms)
{
	summarize(ev, reason, uplink, source, region, NULL, NULL, 0, now_ms);
}

void audit_summarize_peer(enum audit_event ev, const char *reason, const char *uplink,
			  const char *peer, const char *identity, uint64_t now_ms, ...)
{
	const char *d[2 * AUDIT_SUMMARY_DETAILS];
	size_t n = 0;
	va_list ap;
	va_start(ap, now_ms);
	for (const char *k; n < AUDIT_SUMMARY_DETAILS && (k = va_arg(ap, const char *)); n++) {
		d[2 * n] = k;
		d[2 * n + 1] = va_arg(ap, const char *);
	}
	va_end(ap);
	summarize(ev, reason, uplink, peer, NULL, identity && identity[0] ? identity : "-", d, n,
		  now_ms);
}

/* At the end of each interval (from audit_tick; force at shutdown): one
 * record per kind, one for the overflow. */
void audit_summary_flush(uint64_t now_ms, uint64_t interval_ms, bool force)
{
	static pthread_mutex_t flushing = PTHREAD_MUTEX_INITIALIZER;
	static struct entry out[SUMMARY_MAX];   /* 50 KiB: not on a thread's stack */
	struct entry over = { .ev = AUDIT_DOS_DEFENCE, .reason = "summary_table_full" };
	size_t n;
	uint64_t iv;
	pthread_mutex_lock(&flushing);
	pthread_mutex_lock(&lock);
	if (!tab.start_ms || (!force && now_ms - tab.start_ms < interval_ms)) {
		pthread_mutex_unlock(&lock);
		pthread_mutex_unlock(&flushing);
		return;
	}
	iv = now_ms - tab.start_ms;
	n = tab.n;
	memcpy(out, tab.e, n * sizeof(out[0]));
	over.count = tab.overflow;
	over.first_ms = tab.overflow_first_ms;
	over.last_ms = tab.overflow_last_ms;
	for (size_t i = 0; i < n; i++) {
		tab.prev[i].ev = out[i].ev;
		memcpy(tab.prev[i].reason, out[i].reason, sizeof(tab.prev[i].reason));
	}
	tab.n_prev = n;
	tab.n = 0;
	tab.overflow = 0;
	tab.start_ms = 0;
	pthread_mutex_unlock(&lock);
	for (size_t i = 0; i < n; i++)
		emit_entry(&out[i], "interval", iv);
	if (over.count)
		emit_entry(&over, "interval", iv);
	pthread_mutex_unlock(&flushing);
}

uint64_t audit_summary_total(void)
{
	pthread_mutex_lock(&lock);
	uint64_t t = tab.total;
	pthread_mutex_unlock(&lock);
	return t;
}

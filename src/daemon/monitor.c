/* `linegatectl monitor`: the audit records (SA up/down, rekeys, refusals,
 * uplink changes, admin actions...) pushed to subscribers as they are
 * emitted, as syslog lines or the journal's JSON lines. The daemon never
 * waits for a subscriber: each has a bounded queue (its output buffer); a
 * reader that falls behind by more than that, or reads nothing for
 * MONITOR_STALL_S while lines wait, is dropped with a note. Few subscribers
 * at a time: a monitor is for an operator's terminal, not a log shipper
 * (that is rsyslog's job, DESIGN.md). */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include "linegate/audit.h"
#include "linegate/log.h"
#include "daemon.h"

enum { MONITOR_MAX = 4, MONITOR_QUEUE_MAX = 256 * 1024, MONITOR_STALL_S = 10 };

struct sub {
	struct sub *next, **pprev;
	struct monitor *m;
	struct bufferevent *bev;
	bool json, closing;
	unsigned uid;
};

struct monitor {
	struct sub *subs;
	size_t n;
	pthread_t thread;                /* the control thread: the only one using libevent */
	uint64_t off_thread;             /* records emitted elsewhere: not shown */
};

static void sub_free(struct sub *s)
{
	s->m->n--;
	*s->pprev = s->next;
	if (s->next)
		s->next->pprev = s->pprev;
	bufferevent_free(s->bev);
	free(s);
}

/* Too slow: one last line says why, then nothing more is queued. */
static void sub_drop(struct sub *s, size_t queued)
{
	static const char note[] = "linegated: monitor dropped: reader too slow\n";
	struct timeval stall = { MONITOR_STALL_S, 0 };

	s->closing = true;
	evbuffer_add(bufferevent_get_output(s->bev), note, sizeof(note) - 1);
	bufferevent_set_timeouts(s->bev, NULL, &stall);
	lg_log(LOG_WARNING, "event=monitor_dropped uid=%u reason=slow_reader queued_bytes=%zu",
	       s->uid, queued);
}

static void on_record(void *ctx, const char *json_line, const char *syslog_line)
{
	struct monitor *m = ctx;

	if (!pthread_equal(pthread_self(), m->thread)) {
		m->off_thread++;
		return;
	}
	for (struct sub *s = m->subs; s; s = s->next) {
		struct evbuffer *out = bufferevent_get_output(s->bev);
		const char *line = s->json ? json_line : syslog_line;
		size_t len = strlen(line), queued = evbuffer_get_length(out);
		if (s->closing)
			continue;
		if (len && line[len - 1] == '\n')   /* the journal's line has its own */
			len--;
		if (queued + len + 1 > MONITOR_QUEUE_MAX) {
			sub_drop(s, queued);
			continue;
		}
		evbuffer_add(out, line, len);
		evbuffer_add(out, "\n", 1);
	}
}

/* Whatever the client sends is ignored; its EOF ends the subscription. */
static void on_read(struct bufferevent *bev, void *ctx)
{
	(void)ctx;
	evbuffer_drain(bufferevent_get_input(bev), evbuffer_get_length(bufferevent_get_input(bev)));
}

static void on_write(struct bufferevent *bev, void *ctx)
{
	struct sub *s = ctx;
	if (s->closing && evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		sub_free(s);
}

static void on_event(struct bufferevent *bev, short what, void *ctx)
{
	struct sub *s = ctx;
	(void)bev;
	if (what & BEV_EVENT_TIMEOUT)
		lg_log(LOG_WARNING, "event=monitor_dropped uid=%u reason=reader_stalled stall_s=%d",
		       s->uid, MONITOR_STALL_S);
	sub_free(s);
}

struct monitor *monitor_new(void)
{
	struct monitor *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->thread = pthread_self();
	audit_set_listener(on_record, m);
	return m;
}

void monitor_free(struct monitor *m)
{
	if (!m)
		return;
	audit_set_listener(NULL, NULL);
	while (m->subs)
		sub_free(m->subs);
	free(m);
}

bool monitor_full(const struct monitor *m)
{
	return m->n >= MONITOR_MAX;
}

size_t monitor_count(const struct monitor *m)
{
	return m ? m->n : 0;
}

int monitor_adopt(struct monitor *m, struct bufferevent *bev, bool json, unsigned uid)
{
	struct timeval stall = { MONITOR_STALL_S, 0 };
	struct sub *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->m = m;
	s->bev = bev;
	s->json = json;
	s->uid = uid;
	s->next = m->subs;
	if (s->next)
		s->next->pprev = &s->next;
	s->pprev = &m->subs;
	m->subs = s;
	m->n++;
	bufferevent_setcb(bev, on_read, on_write, on_event, s);
	/* no read timeout: a monitor may be quiet for hours; a write that
	 * makes no progress for MONITOR_STALL_S ends it */
	bufferevent_set_timeouts(bev, NULL, &stall);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
	lg_log(LOG_INFO, "event=monitor_subscribed uid=%u format=%s subscribers=%zu", uid,
	       json ? "json" : "text", m->n);
	return 0;
}

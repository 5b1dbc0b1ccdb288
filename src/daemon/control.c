/* The control socket: a UNIX stream socket, root-only by default, one
 * request per connection (control.h). The caller's credentials come from the
 * kernel (control_auth.c) and decide, per command, what it may do. Accept backs off on
 * EMFILE instead of spinning (tmux habit); sizes and idle time are bounded.
 * A waiting command (up --wait) is polled here until it has its answer; a
 * monitor's connection is handed to monitor.c and streams from then on. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include "linegate/control.h"
#include "linegate/log.h"
#include "daemon.h"

enum { CONTROL_MAX_CONNS = 16, CONTROL_IDLE_S = 10, CONTROL_BACKOFF_MS = 1000 };

struct control {
	struct daemon *d;
	struct evconnlistener *lev;
	struct event *ev_backoff;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	unsigned n_conns;
	struct conn *conns;        /* open connections, freed on close */
	struct monitor *mon;       /* subscribers (monitor.c), not counted in n_conns */
};

struct conn {
	struct conn *next, **pprev;
	struct control *c;
	struct bufferevent *bev;
	struct control_caller caller;
	bool answered;
	struct control_wait wait;  /* a waiting command: polled by ev_wait */
	struct event *ev_wait;
};

static struct lg_ratelimit accept_rl = LG_RATELIMIT_INIT(10000, 3);

static void conn_unlink(struct conn *k)
{
	k->c->n_conns--;
	*k->pprev = k->next;
	if (k->next)
		k->next->pprev = k->pprev;
	if (k->ev_wait)
		event_free(k->ev_wait);
}

static void conn_free(struct conn *k)
{
	conn_unlink(k);
	bufferevent_free(k->bev);
	free(k);
}

static void respond(struct conn *k, int code, const char *body, size_t len)
{
	char hdr[CONTROL_HEADER_MAX];
	struct evbuffer *out = bufferevent_get_output(k->bev);

	if (len > CONTROL_BODY_MAX) {
		body = "answer too large\n";
		len = strlen(body);
		code = CONTROL_INTERNAL;
	}
	int n = control_response_header(code, len, hdr, sizeof(hdr));
	evbuffer_add(out, hdr, (size_t)n);
	evbuffer_add(out, body, len);
	k->answered = true;
	bufferevent_disable(k->bev, EV_READ);
}

static void on_wait(evutil_socket_t fd, short what, void *ctx)
{
	struct conn *k = ctx;
	char *body = NULL;
	size_t len = 0;
	(void)fd, (void)what;

	FILE *f = open_memstream(&body, &len);
	if (!f)
		return;   /* next tick */
	int code = control_wait_poll(k->c->d, &k->wait, f);
	fclose(f);
	if (code != CONTROL_PENDING) {
		event_del(k->ev_wait);
		respond(k, code, body, len);
	}
	free(body);
}

/* The answer comes later: no idle timeout meanwhile (the wait has its own
 * deadline); the request is read, so reading stops. */
static void start_wait(struct conn *k)
{
	struct timeval tick = { 0, CONTROL_WAIT_POLL_MS * 1000 };

	k->ev_wait = event_new(bufferevent_get_base(k->bev), -1, EV_PERSIST, on_wait, k);
	if (!k->ev_wait || event_add(k->ev_wait, &tick) != 0) {
		respond(k, CONTROL_INTERNAL, "out of memory\n", 14);
		return;
	}
	bufferevent_disable(k->bev, EV_READ);
	bufferevent_set_timeouts(k->bev, NULL, NULL);
}

/* monitor: the stream header, then monitor.c owns the connection. */
static void start_stream(struct conn *k, bool json)
{
	static const char full[] = "too many monitors: try again later\n";
	char hdr[CONTROL_HEADER_MAX];
	struct bufferevent *bev = k->bev;
	struct monitor *mon = k->c->mon;
	unsigned uid = k->caller.uid;

	if (!mon || monitor_full(mon)) {
		respond(k, CONTROL_UNAVAILABLE, full, sizeof(full) - 1);
		return;
	}
	int n = control_response_header_stream(hdr, sizeof(hdr));
	evbuffer_add(bufferevent_get_output(bev), hdr, (size_t)n);
	conn_unlink(k);
	free(k);
	if (monitor_adopt(mon, bev, json, uid) != 0)
		bufferevent_free(bev);
}

static void handle_line(struct conn *k, const char *line)
{
	struct control_request *rq = calloc(1, sizeof(*rq));
	char *body = NULL;
	size_t len = 0;
	int code;

	if (!rq) {
		respond(k, CONTROL_INTERNAL, "out of memory\n", 14);
		return;
	}
	int rc = control_request_parse(line, rq);
	if (rc == -EPROTO) {
		static const char m[] = "protocol version mismatch: linegated speaks linegate-ctl/1\n";
		respond(k, CONTROL_BAD_VERSION, m, sizeof(m) - 1);
	} else if (rc) {
		static const char m[] = "malformed request\n";
		respond(k, CONTROL_BAD_REQUEST, m, sizeof(m) - 1);
	} else {
		FILE *f = open_memstream(&body, &len);
		if (!f) {
			respond(k, CONTROL_INTERNAL, "out of memory\n", 14);
		} else {
			code = control_dispatch(k->c->d, rq, &k->caller, f, &k->wait);
			fclose(f);
			if (code == CONTROL_PENDING)
				start_wait(k);
			else if (code == CONTROL_STREAM)
				start_stream(k, rq->json);
			else
				respond(k, code, body, len);
		}
	}
	free(body);
	free(rq);
}

static void on_read(struct bufferevent *bev, void *ctx)
{
	struct conn *k = ctx;
	struct evbuffer *in = bufferevent_get_input(bev);
	size_t n;

	if (k->answered)
		return;
	char *line = evbuffer_readln(in, &n, EVBUFFER_EOL_LF);
	if (!line) {
		if (evbuffer_get_length(in) >= CONTROL_REQUEST_MAX) {
			static const char m[] = "request too long\n";
			respond(k, CONTROL_BAD_REQUEST, m, sizeof(m) - 1);
		}
		return;
	}
	if (n >= CONTROL_REQUEST_MAX || strlen(line) != n) {
		static const char m[] = "malformed request\n";
		respond(k, CONTROL_BAD_REQUEST, m, sizeof(m) - 1);
	} else {
		handle_line(k, line);
	}
	free(line);
}

static void on_write(struct bufferevent *bev, void *ctx)
{
	struct conn *k = ctx;
	if (k->answered && evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		conn_free(k);
}

static void on_event(struct bufferevent *bev, short what, void *ctx)
{
	(void)bev, (void)what;
	conn_free(ctx);
}

static void on_accept(struct evconnlistener *lev, evutil_socket_t fd, struct sockaddr *sa,
		      int salen, void *ctx)
{
	struct control *c = ctx;
	struct control_caller caller;
	struct timeval idle = { CONTROL_IDLE_S, 0 };
	(void)lev, (void)sa, (void)salen;

	if (c->n_conns >= CONTROL_MAX_CONNS || control_caller_from_socket(fd, &caller) != 0) {
		lg_log_ratelimited(&accept_rl, LOG_WARNING, "event=control_refused reason=%s",
				   c->n_conns >= CONTROL_MAX_CONNS ? "too_many_connections" : "no_peercred");
		close(fd);
		return;
	}
	struct conn *k = calloc(1, sizeof(*k));
	if (!k) {
		close(fd);
		return;
	}
	k->c = c;
	k->caller = caller;
	k->bev = bufferevent_socket_new(evconnlistener_get_base(c->lev), fd,
					BEV_OPT_CLOSE_ON_FREE);
	if (!k->bev) {
		close(fd);
		free(k);
		return;
	}
	c->n_conns++;
	k->next = c->conns;
	if (k->next)
		k->next->pprev = &k->next;
	k->pprev = &c->conns;
	c->conns = k;
	bufferevent_setcb(k->bev, on_read, on_write, on_event, k);
	bufferevent_set_timeouts(k->bev, &idle, &idle);
	bufferevent_enable(k->bev, EV_READ | EV_WRITE);
}

static void on_backoff(evutil_socket_t fd, short what, void *ctx)
{
	struct control *c = ctx;
	(void)fd, (void)what;
	evconnlistener_enable(c->lev);
}

/* Out of descriptors: stop accepting for a second instead of busy-looping. */
static void on_accept_error(struct evconnlistener *lev, void *ctx)
{
	struct control *c = ctx;
	struct timeval tv = { 0, CONTROL_BACKOFF_MS * 1000 };
	int err = EVUTIL_SOCKET_ERROR();

	lg_log_ratelimited(&accept_rl, LOG_ERR, "event=control_accept_failed error=\"%s\" backoff_ms=%d",
			   strerror(err), CONTROL_BACKOFF_MS);
	evconnlistener_disable(lev);
	event_add(c->ev_backoff, &tv);
}

/* mkdir -p with 0700 for the parts that do not exist yet. */
static int make_parent(const char *path)
{
	char dir[CONF_PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* A socket file left by a crashed daemon is removed; a live one is not. */
static int clear_stale(const struct sockaddr_un *sun)
{
	struct stat st;
	if (lstat(sun->sun_path, &st) != 0)
		return 0;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	int rc = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	close(fd);
	if (rc == 0)
		return -EADDRINUSE;
	return unlink(sun->sun_path) == 0 ? 0 : -errno;
}

static int listen_socket(const char *path, unsigned mode)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd, rc;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	strcpy(sun.sun_path, path);
	if ((rc = make_parent(path)) != 0 || (rc = clear_stale(&sun)) != 0)
		return rc;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* Never wider than 0600, not even between bind() and chmod(). */
	mode_t old = umask(0177);
	rc = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (rc == 0)
		rc = chmod(path, mode & 0777);
	if (rc == 0)
		rc = listen(fd, 16);
	if (rc != 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}

struct control *control_open(struct daemon *d, const char *path, unsigned mode)
{
	struct control *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	int fd = listen_socket(path, mode);
	if (fd < 0) {
		lg_log(LOG_ERR, "event=control_failed socket=%s error=\"%s\"", path, strerror(-fd));
		free(c);
		return NULL;
	}
	c->d = d;
	c->mon = monitor_new();
	snprintf(c->path, sizeof(c->path), "%s", path);
	c->ev_backoff = evtimer_new(d->base, on_backoff, c);
	c->lev = evconnlistener_new(d->base, on_accept, c, LEV_OPT_CLOSE_ON_FREE, 0, fd);
	if (!c->lev || !c->ev_backoff || !c->mon) {
		if (!c->lev)
			close(fd);
		control_close(c);
		return NULL;
	}
	evconnlistener_set_error_cb(c->lev, on_accept_error);
	lg_log(LOG_INFO, "event=control_listening socket=%s mode=%04o", path, mode & 0777);
	return c;
}

void control_close(struct control *c)
{
	if (!c)
		return;
	while (c->conns)
		conn_free(c->conns);
	monitor_free(c->mon);
	if (c->lev) {
		evconnlistener_free(c->lev);
		unlink(c->path);
	}
	if (c->ev_backoff)
		event_free(c->ev_backoff);
	free(c);
}

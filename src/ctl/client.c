/* The client half of the control protocol (control.h): connect, one
 * request, a bounded status line, exactly the announced body. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "linegate/conf.h"
#include "ctl.h"

static int connect_unix(const char *path, int timeout_s)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tv = { timeout_s, 0 };

	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	strcpy(sun.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		int rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Reads the status line byte by byte: never more than CONTROL_HEADER_MAX. */
static int read_header(int fd, char line[CONTROL_HEADER_MAX])
{
	for (size_t n = 0; n < CONTROL_HEADER_MAX - 1; n++) {
		ssize_t r = recv(fd, &line[n], 1, 0);
		if (r < 0 && errno == EINTR) {
			n--;
			continue;
		}
		if (r <= 0)
			return r < 0 ? -errno : -ECONNRESET;
		if (line[n] == '\n') {
			line[n] = '\0';
			return 0;
		}
	}
	return -EPROTO;
}

static int read_body(int fd, size_t len, FILE *to)
{
	char buf[4096];
	while (len) {
		ssize_t r = recv(fd, buf, len < sizeof(buf) ? len : sizeof(buf), 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -ECONNRESET;
		fwrite(buf, 1, (size_t)r, to);
		len -= (size_t)r;
	}
	return 0;
}

static volatile sig_atomic_t interrupted;
static void on_interrupt(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* monitor: lines until the daemon closes or we are interrupted (Ctrl-C
 * ends a monitor normally: exit 0). No receive timeout: a quiet hour is
 * fine. */
static int read_stream(int fd, FILE *to)
{
	struct sigaction sa = { .sa_handler = on_interrupt };   /* no SA_RESTART */
	struct timeval none = { 0, 0 };
	char buf[4096];

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &none, sizeof(none));
	while (!interrupted) {
		ssize_t r = recv(fd, buf, sizeof(buf), 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : 0;
		fwrite(buf, 1, (size_t)r, to);
		fflush(to);
	}
	return 0;
}

int ctl_request(const char *path, const struct control_request *rq, FILE *out, FILE *err,
		int timeout_s)
{
	char req[CONTROL_REQUEST_MAX + 1], hdr[CONTROL_HEADER_MAX];
	size_t body_len;
	int code, rc;

	rc = control_request_format(rq, req, sizeof(req));
	if (rc < 0) {
		fprintf(err, "linegatectl: invalid request (arguments must be single words)\n");
		return rc;
	}
	int fd = connect_unix(path, timeout_s);
	if (fd < 0) {
		fprintf(err, "linegatectl: cannot reach linegated at %s: %s\n", path, strerror(-fd));
		return fd;
	}
	rc = write_all(fd, req, (size_t)rc);
	if (rc == 0)
		rc = read_header(fd, hdr);
	if (rc == 0) {
		rc = control_response_parse(hdr, &code, &body_len);
		if (rc == -EPROTO)
			fprintf(err, "linegatectl: linegated speaks another protocol version (\"%s\"); "
				"this linegatectl speaks linegate-ctl/%d\n", hdr, CONTROL_VERSION);
		else if (rc)
			fprintf(err, "linegatectl: malformed answer from linegated\n");
	}
	if (rc == 0 && body_len == CONTROL_BODY_STREAM)
		rc = read_stream(fd, out);
	else if (rc == 0)
		rc = read_body(fd, body_len, code / 100 == 2 ? out : err);
	close(fd);
	if (rc && rc != -EPROTO && rc != -EINVAL)
		fprintf(err, "linegatectl: %s: %s\n", path, strerror(-rc));
	return rc ? rc : code;
}

int ctl_read_config(const char *path, struct config *cfg, FILE *err)
{
	struct conf_errors *errs = calloc(1, sizeof(*errs));
	if (!errs)
		return -ENOMEM;
	/* Relative paths resolved like the daemon does; keys need not be
	 * readable here (linegatectl only wants the socket and journal paths). */
	int rc = conf_load_file_flags(path, CONF_LOAD_MISSING_KEYS_OK, cfg, errs);
	if (rc == -EINVAL)
		conf_errors_print(errs, err);
	free(errs);
	return rc;
}

int ctl_config_socket(const char *path, char *out, size_t n)
{
	struct config *cfg = calloc(1, sizeof(*cfg));
	struct conf_errors *errs = calloc(1, sizeof(*errs));
	int rc = -ENOMEM;

	if (cfg && errs) {
		rc = conf_load_file_flags(path, CONF_LOAD_MISSING_KEYS_OK, cfg, errs);
		if (rc == 0 || rc == -EINVAL) {   /* parsed, with or without errors */
			const char *sock = cfg->control.socket_path;
			const char *slash = strrchr(path, '/');
			if (sock[0] == '/' || !slash)
				snprintf(out, n, "%s", sock);
			else
				snprintf(out, n, "%.*s/%s", (int)(slash - path), path, sock);
			rc = 0;
		}
	}
	free(errs);
	conf_free(cfg);
	return rc;
}

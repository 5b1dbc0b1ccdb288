/* sd_notify(3) by hand: the protocol is one AF_UNIX datagram to
 * $NOTIFY_SOCKET, a leading '@' meaning the abstract namespace. Keeping it
 * here avoids a libsystemd dependency for ~50 lines. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "sdnotify.h"

int sdnotify_send_to(const char *path, const char *state)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t plen = strlen(path);
	int rc = 0;

	if (plen < 2 || plen >= sizeof(sun.sun_path) || (path[0] != '/' && path[0] != '@'))
		return -EINVAL;
	memcpy(sun.sun_path, path, plen);
	if (path[0] == '@')
		sun.sun_path[0] = '\0';   /* abstract: no NUL terminator counted */
	socklen_t alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + plen +
				     (path[0] == '/' ? 1 : 0));

	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	size_t len = strlen(state);
	ssize_t sent = sendto(fd, state, len, MSG_NOSIGNAL, (struct sockaddr *)&sun, alen);
	if (sent < 0)
		rc = -errno;
	else if ((size_t)sent != len)
		rc = -EMSGSIZE;
	close(fd);
	return rc;
}

int sdnotify_send(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	if (!path || !*path)
		return 0;
	return sdnotify_send_to(path, state);
}

int sdnotify_format_reloading(char *out, size_t n, uint64_t monotonic_usec)
{
	int len = snprintf(out, n, "RELOADING=1\nMONOTONIC_USEC=%llu",
			   (unsigned long long)monotonic_usec);
	return (len < 0 || (size_t)len >= n) ? -ENOSPC : len;
}

int sdnotify_format_status(char *out, size_t n, const char *text)
{
	int len = snprintf(out, n, "STATUS=%s", text);
	if (len < 0 || (size_t)len >= n)
		return -ENOSPC;
	for (char *p = out; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	return len;
}

uint64_t sdnotify_watchdog_usec(void)
{
	const char *us = getenv("WATCHDOG_USEC"), *pid = getenv("WATCHDOG_PID");
	char *end;

	if (!us || !*us)
		return 0;
	if (pid && *pid) {
		long p = strtol(pid, &end, 10);
		if (*end || p != (long)getpid())
			return 0;
	}
	unsigned long long v = strtoull(us, &end, 10);
	return *end ? 0 : (uint64_t)v;
}

uint64_t sdnotify_monotonic_usec(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

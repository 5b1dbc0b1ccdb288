/* `linegatectl metrics --textfile PATH`: node_exporter's textfile collector
 * reads every *.prom file of its directory at each scrape, so the file is
 * replaced whole, never seen half written: the figures go to a hidden
 * temporary name in the same directory (same filesystem, not *.prom),
 * reach the disk, then are renamed over PATH. When no daemon answers, the
 * file says so (linegate_up 0) instead of keeping stale figures. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "linegate/prom.h"
#include "ctl.h"

/* "dir/.name.XXXXXX" beside path; the directory alone in dir. */
static int temp_name(const char *path, char dir[PATH_MAX], char tmp[PATH_MAX])
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	int n;

	if (!*base)
		return -EISDIR;
	if (!slash)
		n = snprintf(dir, PATH_MAX, ".");
	else if (slash == path)
		n = snprintf(dir, PATH_MAX, "/");
	else
		n = snprintf(dir, PATH_MAX, "%.*s", (int)(slash - path), path);
	if (n < 0 || n >= PATH_MAX)
		return -ENAMETOOLONG;
	n = snprintf(tmp, PATH_MAX, "%s/.%s.XXXXXX", dir, base);
	return n < 0 || n >= PATH_MAX ? -ENAMETOOLONG : 0;
}

/* The rename itself must survive a crash: the directory is synced too. */
static int sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int rc = fsync(fd) == 0 ? 0 : -errno;
	close(fd);
	return rc;
}

static int publish(FILE *f, const char *tmp, const char *path, const char *dir)
{
	int rc = fflush(f) == 0 && fsync(fileno(f)) == 0 ? 0 : -errno;

	if (fclose(f) != 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -errno;
	if (rc == 0)
		rc = sync_dir(dir);
	return rc;
}

int ctl_metrics_textfile(const char *sock, const char *path, int timeout_s)
{
	struct control_request rq = { .command = "metrics" };
	char dir[PATH_MAX], tmp[PATH_MAX];
	int rc = temp_name(path, dir, tmp), fd = -1;
	FILE *f = NULL;

	if (rc == 0 && (fd = mkstemp(tmp)) < 0)
		rc = -errno;
	/* readable by node_exporter, whatever our umask */
	if (rc == 0 && (fchmod(fd, 0644) != 0 || !(f = fdopen(fd, "w"))))
		rc = -errno;
	if (rc < 0) {
		fprintf(stderr, "linegatectl: %s: %s\n", path, strerror(-rc));
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		return rc;
	}
	int code = ctl_request(sock, &rq, f, stderr, timeout_s);
	if (code == -ENOENT || code == -ECONNREFUSED) {
		lg_prom_family(f, "linegate_up", "gauge",
			       "1: linegated answered (linegatectl writes 0 when it does not)");
		lg_prom_u64(f, "linegate_up", NULL, 0, 0);
	} else if (code != CONTROL_OK) {
		fclose(f);
		unlink(tmp);
		return code;
	}
	rc = publish(f, tmp, path, dir);
	if (rc < 0) {
		fprintf(stderr, "linegatectl: %s: %s\n", path, strerror(-rc));
		unlink(tmp);
		return rc;
	}
	return code;
}

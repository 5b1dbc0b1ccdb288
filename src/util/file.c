/* The bounded whole-file reader (see file.h). It reads until end of file
 * rather than trusting st_size, which a file being written or a /proc file
 * gets wrong, and stops one byte past the limit: that byte says "too big". */
#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "linegate/file.h"

/* Moves the buffer to one of cap bytes, wiping the old one (it may hold keys). */
static int regrow(char **buf, size_t len, size_t *cap, size_t want)
{
	char *n = malloc(want);

	if (!n)
		return -ENOMEM;
	if (*buf) {
		memcpy(n, *buf, len);
		sodium_memzero(*buf, len);
		free(*buf);
	}
	*buf = n;
	*cap = want;
	return 0;
}

/* Reads fd to its end into *buf, at most max + 1 bytes; the first guess of
 * the size is hint. */
static int read_all(int fd, size_t max, size_t hint, char **buf, size_t *len)
{
	size_t cap = 0;
	int rc = regrow(buf, 0, &cap, (hint < max ? hint : max) + 2);

	while (rc == 0) {
		if (*len + 1 == cap) {   /* full but for the NUL: grow, at most to max + 2 */
			if (cap >= max + 2)
				return -EFBIG;
			rc = regrow(buf, *len, &cap, cap > (max + 2) / 2 ? max + 2 : cap * 2);
			continue;
		}
		ssize_t r = read(fd, *buf + *len, cap - 1 - *len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		*len += (size_t)r;
	}
	if (rc == 0 && *len > max)
		rc = -EFBIG;
	return rc;
}

int lg_read_file_bounded(const char *path, size_t max, unsigned flags, char **buf, size_t *len,
			 struct stat *st)
{
	struct stat sb;
	int rc = 0;
	/* O_NONBLOCK: a FIFO or device in the file's place must not hang the open */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK |
			    (flags & LG_READ_NOFOLLOW ? O_NOFOLLOW : 0));

	*buf = NULL;
	*len = 0;
	if (max > SIZE_MAX / 2)   /* max + 2 below must not wrap */
		max = SIZE_MAX / 2;
	if (fd < 0)
		return -errno;
	if (fstat(fd, &sb)) {
		rc = -errno;
		goto out_close;
	}
	if (st)
		*st = sb;
	if (!S_ISREG(sb.st_mode))
		rc = -EINVAL;
	else if ((unsigned long long)sb.st_size > max)
		rc = -EFBIG;
	else
		rc = read_all(fd, max, (size_t)sb.st_size, buf, len);
	if (rc == 0) {
		(*buf)[*len] = '\0';
	} else if (*buf) {
		sodium_memzero(*buf, *len);
		free(*buf);
		*buf = NULL;
		*len = 0;
	}
out_close:
	close(fd);
	return rc;
}

/* The one bounded reader of configuration files: the loader's (into a
 * buffer, hashed on the way for the config hash) and conf_file_hash's (a
 * refused file is on record by its hash even when it does not parse, so an
 * assessor can tell which file was tried). */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "include.h"

int conf_read_bounded(int fd, char *buf, crypto_generichash_state *h, size_t *n)
{
	uint8_t chunk[8192];
	*n = 0;
	for (;;) {
		/* with a buffer, room for one byte more than allowed: that byte says "too large" */
		uint8_t *dst = buf ? (uint8_t *)buf + *n : chunk;
		size_t room = buf ? CONF_FILE_MAX + 1 - *n : sizeof(chunk);
		ssize_t r = read(fd, dst, room);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return 0;
		if (h)
			crypto_generichash_update(h, dst, (size_t)r);
		*n += (size_t)r;
		if (*n > CONF_FILE_MAX)
			return -EFBIG;
	}
}

int conf_file_hash(const char *path, uint8_t out[32])
{
	crypto_generichash_state st;
	struct stat sb;
	size_t n;
	/* O_NONBLOCK: a FIFO in place of the file must not hang the daemon */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	int rc = fstat(fd, &sb) || !S_ISREG(sb.st_mode) ? -EINVAL : 0;
	if (!rc && (sodium_init() < 0 || crypto_generichash_init(&st, NULL, 0, 32) != 0))
		rc = -EIO;
	if (!rc)
		rc = conf_read_bounded(fd, NULL, &st, &n);
	close(fd);
	if (!rc)
		crypto_generichash_final(&st, out, 32);
	return rc;
}

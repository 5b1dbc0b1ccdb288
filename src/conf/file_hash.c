/* The BLAKE2b-256 of a configuration file's bytes, whatever they hold: a
 * refused file is on record by its hash even when it does not parse, so an
 * assessor can tell which file was tried. Bounded like the loader. */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>
#include "linegate/conf.h"

int conf_file_hash(const char *path, uint8_t out[32])
{
	crypto_generichash_state st;
	uint8_t buf[8192];
	struct stat sb;
	size_t total = 0;
	ssize_t n;
	int rc = 0;
	/* O_NONBLOCK: a FIFO in place of the file must not hang the daemon */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode) || sb.st_size > CONF_FILE_MAX) {
		close(fd);
		return -EINVAL;
	}
	if (sodium_init() < 0 || crypto_generichash_init(&st, NULL, 0, 32) != 0) {
		close(fd);
		return -EIO;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0 && total <= CONF_FILE_MAX) {
		crypto_generichash_update(&st, buf, (size_t)n);
		total += (size_t)n;
	}
	if (n < 0)
		rc = -errno;
	close(fd);
	if (rc == 0 && total > CONF_FILE_MAX)
		rc = -EFBIG;
	if (rc == 0)
		crypto_generichash_final(&st, out, 32);
	return rc;
}

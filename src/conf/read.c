/* conf_file_hash: a refused file is on record by its hash even when it
 * does not parse, so an assessor can tell which file was tried. Read with
 * the same bound as the loader (lg_read_file_bounded). */
#include <errno.h>
#include <stdlib.h>
#include "linegate/file.h"
#include "include.h"

int conf_file_hash(const char *path, uint8_t out[32])
{
	char *buf;
	size_t n;
	int rc = lg_read_file_bounded(path, CONF_FILE_MAX, 0, &buf, &n, NULL);

	if (!rc && (sodium_init() < 0 || crypto_generichash(out, 32, (const uint8_t *)buf, n,
							     NULL, 0) != 0))
		rc = -EIO;
	if (buf) {
		sodium_memzero(buf, n);
		free(buf);
	}
	return rc;
}

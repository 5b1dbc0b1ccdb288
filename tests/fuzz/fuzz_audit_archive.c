/* Fuzzes `audit verify --archive` (an export is untrusted bytes from
 * another machine): the member-name whitelist, the bounds, the manifest
 * parser, the configuration tars inside, and the clean-up of the private
 * directory it unpacks into, whatever the archive holds. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include "audit_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool quiet;
	char path[64];
	if (!quiet) {
		quiet = freopen("/dev/null", "w", stdout) != NULL;
	}
	int fd = memfd_create("lg-fuzz-archive", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		int code = audit_archive_verify(path, NULL);
		if (code < 0 || code > 2)
			abort();
	}
	close(fd);
	return 0;
}

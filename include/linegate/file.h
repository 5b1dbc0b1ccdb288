/* The one bounded reader of whole files (configuration, audit members,
 * archive manifests, reports and signatures): the file is opened once and
 * judged by fstat on that descriptor (no stat-then-open race), a FIFO or a
 * device never hangs the open, and nothing larger than the caller's limit
 * is ever held in memory. */
#pragma once
#include <stddef.h>
#include <sys/stat.h>

enum {
	LG_READ_NOFOLLOW = 1,   /* refuse a symbolic link as the last component (-ELOOP) */
};

/* Reads the regular file at path whole into *buf (malloc'd, NUL-terminated
 * after *len bytes; free it, wiping it first if it may hold secrets). When
 * st is not NULL it receives the fstat of the opened file as soon as there
 * is one, also on -EINVAL and -EFBIG, so a caller can name what it found.
 * 0, or -errno of open/fstat/read, -EINVAL not a regular file, -EFBIG more
 * than max bytes (by its size, or by what a growing file gave), -ENOMEM.
 * On error *buf is NULL and *len 0; what was read is wiped. */
int lg_read_file_bounded(const char *path, size_t max, unsigned flags, char **buf, size_t *len,
			 struct stat *st);

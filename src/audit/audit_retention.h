/* Retention sweep (internal to audit/). */
#pragma once
#include <stdint.h>

/* Called before a file is deleted (err 0: must return 0 only once the
 * deletion record is durably in the journal) and again if unlink fails. */
typedef int (*audit_retention_fn)(void *ctx, const char *file, int err, uint64_t last_seq,
				  const uint8_t *last_hash);
/* Deletes the journal files wholly older than `days`, oldest first, never
 * the file of current_day. Returns how many were deleted or -errno. */
int audit_retention_sweep(int dirfd, const char *dir, int64_t current_day, int64_t now_ms,
			  uint32_t days, audit_retention_fn fn, void *ctx);

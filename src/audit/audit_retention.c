/* Retention: the Cybersecurity Law asks for network logs kept no less than
 * six months, so a file is deleted only when every record in it is older
 * than the retention period, and only after its deletion is itself in the
 * journal (with the last seq and hash of the file, which lets verify accept
 * a journal that no longer starts at seq 1). Day arithmetic is in UTC day
 * numbers: TZ and DST changes cannot move a file across the limit. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "audit_internal.h"
#include "audit_retention.h"

bool audit_retention_expired(int64_t day, int64_t now_ms, uint32_t days)
{
	/* the file's newest possible record is just before the next UTC midnight */
	int64_t end_ms = (day + 1) * 86400000LL;
	return end_ms <= now_ms - (int64_t)days * 86400000LL;
}

int audit_retention_sweep(int dirfd, const char *dir, int64_t current_day, int64_t now_ms,
			  uint32_t days, audit_retention_fn fn, void *ctx)
{
	char (*names)[AUDIT_NAME_MAX] = NULL;
	size_t n = 0;
	int64_t day;
	int deleted = 0;
	int rc = audit_list_files(dir, &names, &n);
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		if (!audit_file_name_day(names[i], &day) || day >= current_day ||
		    !audit_retention_expired(day, now_ms, days))
			break;   /* sorted: everything after is newer */
		uint64_t seq = 0;
		uint8_t hash[AUDIT_HASH_LEN] = { 0 };
		int trc = journal_file_tail(dirfd, names[i], &seq, hash);
		if (trc && trc != -ENOENT)
			continue;
		/* the deletion must be on record before the file goes */
		if (fn(ctx, names[i], 0, seq, trc ? NULL : hash) != 0)
			break;
		if (unlinkat(dirfd, names[i], 0)) {
			fn(ctx, names[i], -errno, seq, trc ? NULL : hash);
			break;
		}
		deleted++;
	}
	if (deleted)
		fsync(dirfd);
	free(names);
	return deleted;
}

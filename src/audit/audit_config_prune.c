/* The configuration store follows journal retention: once the last record
 * naming a configuration is deleted, nothing can ask for that copy again,
 * and it goes too (it may hold a retired key). Runs after a retention sweep
 * deleted a file, outside the audit lock: it reads the whole journal.
 * Kept: every configuration a config_loaded/config_reloaded record left in
 * the journal names, the one in force, and any tar whose mtime is not older
 * than the scan (stored or re-stored, which touches it, while it ran: its
 * record may be written after the scan passed). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "linegate/log.h"
#include "audit_internal.h"

static bool store_name(const char *name, char hex[AUDIT_HEX_HASH + 1])
{
	if (strlen(name) != AUDIT_HEX_HASH + 4 || strcmp(name + AUDIT_HEX_HASH, ".tar") ||
	    strspn(name, "0123456789abcdef") != AUDIT_HEX_HASH)
		return false;
	memcpy(hex, name, AUDIT_HEX_HASH);
	hex[AUDIT_HEX_HASH] = '\0';
	return true;
}

int audit_config_prune(const char *dir)
{
	char path[CONF_PATH_MAX + 16], hex[AUDIT_HEX_HASH + 1], cur[AUDIT_HEX_HASH + 1];
	struct audit_config_refs refs;
	struct timespec started;
	struct stat sb;
	int deleted = 0;
	clock_gettime(CLOCK_REALTIME, &started);   /* the clock file mtimes use */
	int rc = audit_config_refs_scan(dir, INT64_MIN, INT64_MAX, &refs);
	if (rc)
		return rc;
	audit_config_current(cur);
	snprintf(path, sizeof(path), "%s/%s", dir, AUDIT_CONFIG_DIR);
	int dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	DIR *d = dfd < 0 ? NULL : fdopendir(dfd);
	if (!d) {
		rc = errno == ENOENT ? 0 : -errno;
		if (dfd >= 0)
			close(dfd);
		audit_config_refs_free(&refs);
		return rc;
	}
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		if (!store_name(e->d_name, hex) || !strcmp(hex, cur) ||
		    audit_config_refs_has(&refs, hex) ||
		    fstatat(dfd, e->d_name, &sb, AT_SYMLINK_NOFOLLOW) || !S_ISREG(sb.st_mode) ||
		    sb.st_mtim.tv_sec >= started.tv_sec - 1)
			continue;
		if (unlinkat(dfd, e->d_name, 0) == 0)
			deleted++;
	}
	if (deleted) {
		fsync(dfd);
		lg_log(LOG_INFO, "event=audit_config_pruned dir=%s deleted=%d kept=%zu", path, deleted,
		       refs.n);
	}
	closedir(d);
	audit_config_refs_free(&refs);
	return deleted;
}

/* Who may read the trail (the auditor role): the journal's directories and
 * files belong to the daemon, which alone writes them, and to the auditors'
 * group (audit { journal-group }, default linegate-audit), whose members
 * read, verify and export without root. Directories 02750 (setgid: what is
 * created in them gets the group), files 0640, whatever the umask (the
 * unit's UMask=0077). The signing key stays 0600 (audit_key.c). */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "linegate/log.h"
#include "audit_internal.h"

static gid_t group = (gid_t)-1;

int audit_perms_set_group(const char *name)
{
	struct group *g;
	char *end;
	group = (gid_t)-1;
	if (!name || !name[0])
		return 0;
	g = getgrnam(name);
	if (g) {
		group = g->gr_gid;
		return 0;
	}
	/* a number names a group not in /etc/group (a test's, a container's) */
	unsigned long n = strtoul(name, &end, 10);
	if (!*end && end != name && n < (unsigned long)(gid_t)-1) {
		group = (gid_t)n;
		return 0;
	}
	return -ENOENT;
}

void audit_fix_mode(int fd, bool dir)
{
	struct stat sb;
	bool grouped = group != (gid_t)-1;
	if (fstat(fd, &sb))
		return;
	/* changing the group needs membership (the unit's SupplementaryGroups=)
	 * or CAP_CHOWN; without either the modes still apply, group or not */
	if (grouped && sb.st_gid != group && fchown(fd, (uid_t)-1, group))
		grouped = false;
	mode_t want = dir ? (grouped ? 02750 : 0750) : 0640;
	if ((sb.st_mode & 07777) != want && fchmod(fd, want))
		lg_log(LOG_WARNING, "event=audit_mode_failed error=\"%s\"", strerror(errno));
}

void audit_fix_mode_at(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	struct stat sb;
	if (fd < 0)
		return;
	if (fstat(fd, &sb) == 0 && (S_ISREG(sb.st_mode) || S_ISDIR(sb.st_mode)))
		audit_fix_mode(fd, S_ISDIR(sb.st_mode));
	close(fd);
}

/* At open: what an earlier version or an admin's copy left with other modes. */
void audit_fix_tree(int dirfd, const char *dir)
{
	char (*names)[AUDIT_NAME_MAX] = NULL;
	size_t n = 0;
	audit_fix_mode(dirfd, true);
	if (audit_list_files(dir, &names, &n) == 0)
		for (size_t i = 0; i < n; i++)
			audit_fix_mode_at(dirfd, names[i]);
	free(names);
	audit_fix_mode_at(dirfd, AUDIT_HEAD_FILE);
	audit_fix_mode_at(dirfd, AUDIT_CONFIG_DIR);
}

/* Who is calling the control socket, and what may they do. The kernel says
 * who (SO_PEERCRED, SO_PEERGROUPS), whatever mode the socket file has: a
 * socket-mode of 0666 lets anyone connect, never anyone act. Root or the
 * admin group may change things, the read-only group may query, anyone else
 * is refused. Every sudo user is uid 0, so an admin action also records the
 * login uid and audit session of the caller (/proc/PID/loginuid and
 * sessionid, kept by the kernel's audit subsystem across su and sudo). */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "daemon.h"

static const char *const role_names[] = {
	[CONTROL_ROLE_NONE] = "none",
	[CONTROL_ROLE_READ_ONLY] = "read-only",
	[CONTROL_ROLE_ADMIN] = "admin",
};

const char *control_role_name(enum control_role r)
{
	return (unsigned)r < sizeof(role_names) / sizeof(role_names[0]) ? role_names[r] : "?";
}

/* /proc/PID/loginuid or sessionid; UINT32_MAX when unset or unreadable
 * (no audit support, the process already gone). */
static uint32_t proc_u32(int pid, const char *what)
{
	char path[64], buf[16];
	snprintf(path, sizeof(path), "/proc/%d/%s", pid, what);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return UINT32_MAX;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return UINT32_MAX;
	buf[n] = '\0';
	char *end;
	errno = 0;
	unsigned long v = strtoul(buf, &end, 10);
	return errno || end == buf || v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

int control_caller_from_socket(int fd, struct control_caller *c)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	memset(c, 0, sizeof(*c));
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0)
		return -errno;
	c->uid = cred.uid;
	c->gid = cred.gid;
	c->pid = cred.pid;
	len = sizeof(c->groups);
	/* supplementary groups as of connect(); too many: the first ones only */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, c->groups, &len) == 0)
		c->n_groups = len / sizeof(c->groups[0]);
	c->login_uid = proc_u32(cred.pid, "loginuid");
	c->session = proc_u32(cred.pid, "sessionid");
	return 0;
}

static bool in_group(const struct control_caller *c, const char *name)
{
	struct group gr, *res = NULL;
	char buf[4096];
	if (!name[0] || getgrnam_r(name, &gr, buf, sizeof(buf), &res) != 0 || !res)
		return false;   /* a group that does not exist grants nothing */
	if (c->gid == res->gr_gid)
		return true;
	for (size_t i = 0; i < c->n_groups; i++)
		if (c->groups[i] == res->gr_gid)
			return true;
	return false;
}

enum control_role control_caller_role(const struct conf_control *cfg, const struct control_caller *c)
{
	if (c->uid == 0 || in_group(c, cfg->admin_group))
		return CONTROL_ROLE_ADMIN;
	if (in_group(c, cfg->read_only_group))
		return CONTROL_ROLE_READ_ONLY;
	return CONTROL_ROLE_NONE;
}

/* "4294967295" is how the kernel spells unset: say so instead. */
const char *control_id_str(uint32_t v, char out[16])
{
	if (v == UINT32_MAX)
		return "unset";
	snprintf(out, 16, "%u", v);
	return out;
}

/* ICP ports: the facts policy/icp.c judges. Listening TCP sockets come from
 * the kernel's sock_diag (inet_diag) through libnl's idiag module: the
 * product card fixes libnl as linegate's netlink library, and libnl-idiag
 * already parses inet_diag replies (addresses, ports, inode, uid, bound
 * device), so no second netlink codec is written here and /proc/net/tcp*
 * (text, racy, no bound device) is not parsed. One dump of sockets in
 * LISTEN state per family; the addresses of the uplinks come from
 * getifaddrs(3). The owner of a socket (pid, comm) is found by its inode
 * in /proc/<pid>/fd, only when asked (once per new listener). */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <ifaddrs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <netlink/netlink.h>
#include <netlink/cache.h>
#include <netlink/idiag/idiagnl.h>
#include <netlink/idiag/msg.h>
#include "linegate/datapath.h"
#include "linegate/log.h"
#include "linegate/policy.h"

struct scan {
	bool (*want)(uint16_t port);
	struct policy_listener *out;
	size_t max, n;
	size_t more;        /* beyond max: counted, not kept */
};

static bool seen(const struct scan *s, uint32_t inode)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->out[i].inode == inode)
			return true;
	return false;
}

static void one(struct nl_object *obj, void *arg)
{
	struct idiagnl_msg *m = (struct idiagnl_msg *)obj;
	struct scan *s = arg;
	struct nl_addr *src = idiagnl_msg_get_src(m);
	uint16_t port = ntohs(idiagnl_msg_get_sport(m));   /* libnl keeps it as on the wire */
	uint32_t inode = idiagnl_msg_get_inode(m);

	if (idiagnl_msg_get_state(m) != TCP_LISTEN || !s->want(port) || !src || seen(s, inode))
		return;
	int family = nl_addr_get_family(src);
	unsigned len = nl_addr_get_len(src);
	if ((family != AF_INET && family != AF_INET6) || len > 16)
		return;
	if (s->n == s->max) {
		s->more++;
		return;
	}
	struct policy_listener *l = &s->out[s->n++];
	memset(l, 0, sizeof(*l));
	l->family = (uint8_t)family;
	memcpy(l->addr, nl_addr_get_binary_addr(src), len);
	l->port = port;
	l->inode = inode;
	l->uid = idiagnl_msg_get_uid(m);
	uint32_t ifindex = idiagnl_msg_get_ifindex(m);
	if (ifindex && !if_indextoname(ifindex, l->bound_if))
		snprintf(l->bound_if, sizeof(l->bound_if), "if%u", ifindex);
}

int net_scan_listeners(bool (*want_port)(uint16_t port), struct policy_listener *out, size_t max,
		       size_t *n_out)
{
	static const int families[] = { AF_INET, AF_INET6 };
	struct scan s = { .want = want_port, .out = out, .max = max };
	struct nl_sock *sk = nl_socket_alloc();
	int rc = 0;

	*n_out = 0;
	if (!sk)
		return -ENOMEM;
	if (idiagnl_connect(sk) < 0) {
		rc = -EIO;
		goto free_sock;
	}
	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		struct nl_cache *cache = NULL;
		int err = idiagnl_msg_alloc_cache(sk, families[i], 1 << TCP_LISTEN, &cache);
		if (err < 0) {
			lg_log(LOG_WARNING, "event=listener_scan_failed family=%d err=\"%s\"", families[i],
			       nl_geterror(err));
			rc = -EIO;
			continue;
		}
		nl_cache_foreach(cache, one, &s);
		nl_cache_free(cache);
	}
	if (s.more)
		lg_log(LOG_WARNING, "event=listener_scan_truncated kept=%zu more=%zu", s.n, s.more);
	*n_out = s.n;
free_sock:
	nl_socket_free(sk);
	return rc;
}

size_t net_uplink_addrs(const char (*ifnames)[IF_NAMESIZE], size_t n_ifnames,
			struct policy_uplink_addr *out, size_t max)
{
	struct ifaddrs *ifa = NULL;
	size_t n = 0;

	if (getifaddrs(&ifa) < 0)
		return 0;
	for (struct ifaddrs *a = ifa; a && n < max; a = a->ifa_next) {
		if (!a->ifa_addr || (a->ifa_addr->sa_family != AF_INET && a->ifa_addr->sa_family != AF_INET6))
			continue;
		for (size_t i = 0; i < n_ifnames; i++) {
			if (strncmp(a->ifa_name, ifnames[i], IF_NAMESIZE))
				continue;
			struct policy_uplink_addr *u = &out[n++];
			memset(u, 0, sizeof(*u));
			snprintf(u->ifname, sizeof(u->ifname), "%s", a->ifa_name);
			u->family = (uint8_t)a->ifa_addr->sa_family;
			memcpy(u->addr, lg_sockaddr_addr((const union lg_sockaddr *)a->ifa_addr),
			       lg_family_addr_len(u->family));
			break;
		}
	}
	freeifaddrs(ifa);
	return n;
}

/* Does /proc/<pid>/fd hold "socket:[inode]"? */
static bool pid_holds(const char *pid, const char *want)
{
	char dir[64], link[128], target[64];
	snprintf(dir, sizeof(dir), "/proc/%.20s/fd", pid);
	DIR *d = opendir(dir);
	bool found = false;
	if (!d)
		return false;
	for (struct dirent *e; !found && (e = readdir(d));) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(link, sizeof(link), "%s/%.20s", dir, e->d_name);
		ssize_t len = readlink(link, target, sizeof(target) - 1);
		if (len > 0) {
			target[len] = '\0';
			found = strcmp(target, want) == 0;
		}
	}
	closedir(d);
	return found;
}

bool net_socket_owner(uint32_t inode, int *pid, char comm[16])
{
	char want[40], path[64];
	DIR *proc = opendir("/proc");
	bool found = false;

	*pid = 0;
	comm[0] = '\0';
	if (!proc)
		return false;
	snprintf(want, sizeof(want), "socket:[%u]", inode);
	for (struct dirent *e; !found && (e = readdir(proc));) {
		if (!isdigit((unsigned char)e->d_name[0]) || !pid_holds(e->d_name, want))
			continue;
		found = true;
		*pid = atoi(e->d_name);
		snprintf(path, sizeof(path), "/proc/%.20s/comm", e->d_name);
		FILE *f = fopen(path, "re");
		if (f) {
			if (fgets(comm, 16, f))
				comm[strcspn(comm, "\n")] = '\0';
			fclose(f);
		}
	}
	closedir(proc);
	return found;
}

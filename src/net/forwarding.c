/* Is the kernel forwarding in this network namespace? A gateway with
 * forwarding off brings its tunnels up and carries nothing between LAN and
 * tunnel (all green, 100 % loss), so the daemon says so at start, reload
 * and in `status`. The sysctls under /proc/sys/net are those of the reading
 * process's namespace. */
#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>
#include "linegate/datapath.h"

int datapath_forwarding(int family)
{
	const char *path = family == AF_INET6 ? "/proc/sys/net/ipv6/conf/all/forwarding"
					      : "/proc/sys/net/ipv4/ip_forward";
	char c = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, &c, 1);
	close(fd);
	if (n != 1)
		return n < 0 ? -errno : -EIO;
	return c != '0';
}

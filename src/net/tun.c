/* The TUN device: one queue per worker (IFF_MULTI_QUEUE), each with a
 * virtio_net_hdr in front of every packet (IFF_VNET_HDR) so the kernel may
 * hand us TCP super-packets (TSO) and take coalesced ones back. */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "dp_internal.h"

/* Newer than Debian 12's kernel headers (Linux 6.2). */
#ifndef TUN_F_USO4
#define TUN_F_USO4 0x20
#define TUN_F_USO6 0x40
#endif

static int open_queue(bool vnet, char name[IF_NAMESIZE])
{
	struct ifreq ifr;
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI | IFF_MULTI_QUEUE | (vnet ? IFF_VNET_HDR : 0);
	memcpy(ifr.ifr_name, name, IF_NAMESIZE);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		int err = -errno;
		close(fd);
		return err;
	}
	memcpy(name, ifr.ifr_name, IF_NAMESIZE);
	return fd;
}

/* TSO lets the local TCP stack hand over 64 KiB at once: one read and one
 * UDP GSO send per super-packet instead of ~45 of each. */
static void set_offload(struct datapath *dp, int fd)
{
	unsigned off = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6;
	dp->tso = dp->uso = false;
	if (dp->cfg.no_offload)
		return;
	/* USO (Linux 6.2): we may write runs of one UDP flow as one packet */
	if (ioctl(fd, TUNSETOFFLOAD, off | TUN_F_USO4 | TUN_F_USO6) == 0) {
		dp->tso = dp->uso = true;
		return;
	}
	if (ioctl(fd, TUNSETOFFLOAD, off) == 0) {
		dp->tso = true;
		return;
	}
	lg_log(LOG_NOTICE, "event=tun_offload_unavailable dev=%s err=%d", dp->tun_name, errno);
	(void)ioctl(fd, TUNSETOFFLOAD, 0u);
}

/* Opens `queues` queues of the device named in dp->cfg (or a kernel-chosen
 * name); fds[] gets them. 0 or -errno; on error nothing stays open. */
int dp_tun_open(struct datapath *dp, int queues, int *fds)
{
	char name[IF_NAMESIZE];
	int i, err = 0;

	memset(name, 0, sizeof(name));
	snprintf(name, sizeof(name), "%s", dp->cfg.tun_name[0] ? dp->cfg.tun_name : "lg%d");
	dp->vnet = true;
	for (i = 0; i < queues; i++) {
		fds[i] = open_queue(dp->vnet, name);
		if (fds[i] == -EINVAL && i == 0) {
			dp->vnet = false;   /* very old kernel: plain packets */
			fds[i] = open_queue(false, name);
		}
		if (fds[i] < 0) {
			err = fds[i];
			goto close_queues;
		}
		if (i == 0)
			memcpy(dp->tun_name, name, IF_NAMESIZE);
	}
	if (dp->vnet) {
		for (i = 0; i < queues; i++)
			set_offload(dp, fds[i]);
	}
	return 0;

close_queues:
	lg_log(LOG_ERR, "event=tun_open_failed dev=%s queue=%d err=%d", name, i, -err);
	while (i-- > 0)
		close(fds[i]);
	return err;
}

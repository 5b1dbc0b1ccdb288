/* Uplink UDP sockets: bound to the uplink's interface (SO_BINDTODEVICE) and
 * source address so a peer's packets can only leave through its uplink
 * (fail closed), with packet info for the IKE layer, big buffers, and UDP
 * GSO/GRO on the NAT-T port when the kernel has them. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <string.h>
#include <unistd.h>
#include "dp_internal.h"

enum { DP_SOCKBUF = 8 << 20 };

/* Root may exceed net.core.[rw]mem_max (read-only inside a netns) */
static void set_buffers(int fd)
{
	int v = DP_SOCKBUF;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof(v)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &v, sizeof(v)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v));
}

static int set_opts(struct datapath *dp, int fd, int family, const char *ifname,
		    bool reuseport, bool natt)
{
	int one = 1;
	if (ifname[0] && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname,
				    (socklen_t)strlen(ifname) + 1) < 0)
		return -errno;
	if (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0)
		return -errno;
	if (family == AF_INET6) {
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0 ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one)) < 0)
			return -errno;
	} else if (setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)) < 0) {
		return -errno;
	}
	set_buffers(fd);
	if (natt && !dp->cfg.no_offload) {
		/* UDP GRO: the kernel hands over runs of same-size datagrams of
		 * one flow in one buffer (and GSO sends from the peer whole) */
		dp->udp_gro = setsockopt(fd, IPPROTO_UDP, UDP_GRO, &one, sizeof(one)) == 0;
		int probe = 0;
		socklen_t pl = sizeof(probe);
		dp->udp_gso = getsockopt(fd, IPPROTO_UDP, UDP_SEGMENT, &probe, &pl) == 0;
	}
	return 0;
}

/* One socket of an uplink: fd or -errno. */
int dp_udp_open(struct datapath *dp, int uplink, int family, uint16_t port, bool reuseport)
{
	const struct datapath_uplink *u = &dp->cfg.uplinks[uplink];
	union lg_sockaddr a;
	int fd, err;

	memset(&a, 0, sizeof(a));
	if (u->source.sa.sa_family == family)
		a = u->source;
	a.sa.sa_family = (sa_family_t)family;
	lg_sockaddr_set_port(&a, port);
	fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
	if (fd < 0)
		return -errno;
	err = set_opts(dp, fd, family, u->ifname, reuseport, port == dp->cfg.natt_port);
	if (err == 0 && bind(fd, &a.sa, lg_sockaddr_len(&a)) < 0)
		err = -errno;
	if (err < 0) {
		char buf[LG_ADDRSTRLEN];
		lg_log(LOG_ERR, "event=udp_socket_failed uplink=%d dev=%s local=%s err=%d", uplink,
		       u->ifname, lg_sockaddr_format(&a, buf, sizeof(buf)), -err);
		close(fd);
		return err;
	}
	return fd;
}

/* ::ffff:a.b.c.d never reaches the SA table: v6only sockets do not produce
 * it, but the kernel may, and SA peers are plain AF_INET. */
void dp_sockaddr_unmap(union lg_sockaddr *a)
{
	if (a->sa.sa_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&a->in6.sin6_addr)) {
		struct sockaddr_in v4 = { .sin_family = AF_INET, .sin_port = a->in6.sin6_port };
		memcpy(&v4.sin_addr, &a->in6.sin6_addr.s6_addr[12], 4);
		memset(a, 0, sizeof(*a));
		a->in4 = v4;
	}
}

void dp_udp_pktinfo(struct msghdr *m, uint16_t port, union lg_sockaddr *local,
		    char ifname[IF_NAMESIZE])
{
	struct cmsghdr *c;
	memset(local, 0, sizeof(*local));
	ifname[0] = 0;
	for (c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			local->in4.sin_family = AF_INET;
			local->in4.sin_addr = pi.ipi_addr;
			dp_ifname((unsigned)pi.ipi_ifindex, ifname);
		} else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			local->in6.sin6_family = AF_INET6;
			local->in6.sin6_addr = pi.ipi6_addr;
			dp_ifname(pi.ipi6_ifindex, ifname);
		}
	}
	if (local->sa.sa_family)
		lg_sockaddr_set_port(local, port);
	dp_sockaddr_unmap(local);
}

int dp_udp_gro_size(struct msghdr *m)
{
	struct cmsghdr *c;
	for (c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
		if (c->cmsg_level == IPPROTO_UDP && c->cmsg_type == UDP_GRO) {
			int v;
			memcpy(&v, CMSG_DATA(c), sizeof(v));
			return v;
		}
	}
	return 0;
}

int dp_udp_send(int fd, const union lg_sockaddr *dst, const struct iovec *iov, int iovcnt)
{
	struct msghdr m = {
		.msg_name = (void *)&dst->sa,
		.msg_namelen = lg_sockaddr_len(dst),
		.msg_iov = (struct iovec *)iov,
		.msg_iovlen = (size_t)iovcnt,
	};
	return sendmsg(fd, &m, 0) < 0 ? -errno : 0;
}

/* IKE goes out of the uplink's socket, so it takes the same (bound) path
 * as the ESP it negotiates. RFC 3948 §2.2: the marker on port 4500. */
/* RFC 3948 §2.3: one 0xff byte on the NAT-T port keeps a NAT mapping alive;
 * the peer's demultiplexer recognises and discards it. */
int datapath_send_keepalive(struct datapath *dp, int uplink, const union lg_sockaddr *remote)
{
	static const uint8_t keepalive[1] = { NATT_KEEPALIVE_BYTE };
	struct iovec iov = { .iov_base = (void *)keepalive, .iov_len = sizeof(keepalive) };

	if (uplink < 0 || (size_t)uplink >= dp->cfg.n_uplinks)
		return -EINVAL;
	int fd = dp->workers ? dp->workers[0].natt_fd[uplink][dp_fam_index(remote->sa.sa_family)] : -1;
	if (fd < 0) {
		DP_COUNT(&dp->ctl, drops[DATAPATH_DROP_NO_SOCKET], 1);
		return -ENETUNREACH;
	}
	int err = dp_udp_send(fd, remote, &iov, 1);
	if (err < 0)
		DP_COUNT(&dp->ctl, tx_errors, 1);
	return err;
}

int datapath_send_ike(struct datapath *dp, int uplink, const union lg_sockaddr *remote,
		      bool natt, const uint8_t *msg, size_t len)
{
	static const uint8_t marker[IKEV2_NON_ESP_MARKER_LEN];
	struct iovec iov[2];
	int n = 0, fd, fam;

	if (uplink < 0 || (size_t)uplink >= dp->cfg.n_uplinks || !msg || len == 0)
		return -EINVAL;
	fam = dp_fam_index(remote->sa.sa_family);
	if (natt) {
		fd = dp->workers ? dp->workers[0].natt_fd[uplink][fam] : -1;
		iov[n].iov_base = (void *)marker;
		iov[n++].iov_len = sizeof(marker);
	} else {
		fd = dp->ike_fd[uplink][fam];
	}
	if (fd < 0) {
		DP_COUNT(&dp->ctl, drops[DATAPATH_DROP_NO_SOCKET], 1);
		return -ENETUNREACH;
	}
	iov[n].iov_base = (void *)msg;
	iov[n++].iov_len = len;
	int err = dp_udp_send(fd, remote, iov, n);
	if (err < 0)
		DP_COUNT(&dp->ctl, tx_errors, 1);
	return err;
}

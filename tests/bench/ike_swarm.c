/* ike_swarm: linegate's own IKE initiator code as a load generator for
 * tools/ike-bench.sh. Branch i is a `struct ike` of its own with one peer
 * (the hub), identity b<i>.<domain>, key <keydir>/b<i>.psk, subnet the i-th
 * /24 from -t, speaking from source address base+i (tools/lib/hub-config.sh's
 * numbering): one socket per port (500, 4500) sends with
 * IP_PKTINFO, and the namespace routes base/16 as local (AnyIP), so every
 * branch has its own address without 20,000 interface addresses. Closed
 * loop: at most -j branches in flight; a branch is done when its CHILD SA
 * is installed. At each milestone it prints setups/s and the responder's
 * CPU (utime + stime from /proc/PID/stat) per setup, waits 2 s and prints
 * the responder's RSS per SA (VmRSS over the baseline taken before the
 * first setup). With -R, after the last milestone it waits for SIGUSR1 (the
 * script has killed and restarted the responder), then every branch starts
 * over (as its DPD would find the hub gone) with -J in flight, and it
 * prints how long until all are back. A benchmark tool, run only inside
 * the namespaces tools/ike-bench.sh creates. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "linegate/audit.h"
#include "linegate/conf.h"
#include "linegate/ike.h"
#include "linegate/log.h"
#include "ike_fixture.h"

enum { ST_IDLE, ST_FLIGHT, ST_UP };

struct branch {
	struct config cfg;
	struct ike *ike;
	uint32_t idx;
	int state;
	uint64_t started_ms;
	struct branch *fl_next, *fl_prev;   /* in-flight list */
};

static struct {
	struct branch **b;
	uint32_t n, up, inflight, max_inflight;
	struct branch *flight;
	int fd500, fd4500;
	struct in_addr hub, base, subnets;  /* branch i: base + i, the i-th /24 from subnets */
	const char *keydir, *domain, *hub_id;
	uint64_t installs;
	uint32_t restarts;                  /* attempts started beyond one per branch */
} S;

static volatile sig_atomic_t restart_signalled;

static void on_usr1(int sig)
{
	(void)sig;
	restart_signalled = 1;
}

static void die(const char *what)
{
	fprintf(stderr, "ike_swarm: %s: %s\n", what, strerror(errno));
	exit(1);
}

static struct in_addr addr_of(uint32_t i)
{
	struct in_addr a = { htonl(ntohl(S.base.s_addr) + i) };
	return a;
}

static void fl_unlink(struct branch *b)
{
	if (b->fl_prev)
		b->fl_prev->fl_next = b->fl_next;
	else
		S.flight = b->fl_next;
	if (b->fl_next)
		b->fl_next->fl_prev = b->fl_prev;
	b->fl_next = b->fl_prev = NULL;
	S.inflight--;
}

static int tx_send(void *ctx, int uplink, const union lg_sockaddr *remote, bool natt,
		   const uint8_t *msg, size_t len)
{
	struct branch *b = ctx;
	uint8_t marker[4] = { 0 };
	struct iovec iov[2] = { { marker, 4 }, { (void *)msg, len } };
	char cbuf[CMSG_SPACE(sizeof(struct in_pktinfo))] = { 0 };
	struct msghdr mh = { .msg_name = (void *)&remote->in4, .msg_namelen = sizeof(remote->in4),
			     .msg_iov = natt ? iov : iov + 1, .msg_iovlen = natt ? 2 : 1,
			     .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	struct in_pktinfo pi = { .ipi_spec_dst = addr_of(b->idx) };

	(void)uplink;
	cm->cmsg_level = IPPROTO_IP;
	cm->cmsg_type = IP_PKTINFO;
	cm->cmsg_len = CMSG_LEN(sizeof(pi));
	memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
	return sendmsg(natt ? S.fd4500 : S.fd500, &mh, 0) < 0 ? -errno : 0;
}

static int child_install(void *ctx, const struct esp_child_params *p)
{
	struct branch *b = ctx;

	(void)p;
	S.installs++;
	if (b->state == ST_FLIGHT) {
		fl_unlink(b);
		b->state = ST_UP;
		S.up++;
	}
	return 0;
}

static int child_remove(void *ctx, uint32_t id)
{
	(void)ctx;
	(void)id;
	return 0;
}

static int child_stats(void *ctx, uint32_t id, struct esp_child_stats *out)
{
	(void)ctx;
	(void)id;
	memset(out, 0, sizeof(*out));
	return 0;
}

/* Branch i's configuration: one initiator peer, the hub. */
static void branch_config(struct branch *b)
{
	char site[16], id[CONF_ID_MAX], psk[160], ts[32];
	/* the subnet tools/lib/hub-config.sh gives branch i */
	uint32_t s = ntohl(S.subnets.s_addr) + 256 * b->idx;
	const struct ike_fixture f = {
		.site = site, .domain = S.domain, .uplink_if = "eth0", .peer = "hub",
		.local_id = id, .remote_id = S.hub_id, .local_ts = ts, .remote_ts = "10.1.0.0/16",
		.psk_file = psk, .role = CONF_ROLE_INITIATOR,
	};
	struct conf_peer *p;

	snprintf(site, sizeof(site), "b%u", b->idx);
	snprintf(id, sizeof(id), "b%u.branches.%s", b->idx, S.domain);
	snprintf(psk, sizeof(psk), "%s/b%u.psk", S.keydir, b->idx);
	snprintf(ts, sizeof(ts), "%u.%u.%u.0/24", s >> 24, (s >> 16) & 255, (s >> 8) & 255);
	if (!(p = ike_fixture_config(&b->cfg, &f)))
		die("config");
	p->endpoint.in4.sin_family = AF_INET;
	p->endpoint.in4.sin_addr = S.hub;
	p->endpoint.in4.sin_port = htons(500);
	p->ike_lifetime_s = 24 * 3600;
	p->child_lifetime_s = 8 * 3600;
	p->dpd_s = 0;          /* the swarm is not ticked once up */
	p->retry_max_s = 8;
}

/* Starts branch b: a fresh IKE instance initiates on its first tick. */
static void branch_start(struct branch *b, uint64_t now)
{
	struct ike_credentials *cr = NULL;
	char err[256];
	struct ike_transport tx = { .ctx = b, .send = tx_send };
	struct ike_child_ops co = { .ctx = b, .install = child_install, .remove = child_remove,
				    .stats = child_stats };

	if (b->ike) {
		ike_free(b->ike);   /* frees the credentials too */
		b->ike = NULL;
	}
	if (ike_credentials_load(&b->cfg, &cr, err, sizeof(err)) != 0) {
		fprintf(stderr, "ike_swarm: b%u: %s\n", b->idx, err);
		exit(1);
	}
	b->ike = ike_new(&b->cfg, NULL, cr, &tx, &co, NULL);
	if (!b->ike)
		die("ike_new");
	b->state = ST_FLIGHT;
	b->started_ms = now;
	b->fl_prev = NULL;
	b->fl_next = S.flight;
	if (S.flight)
		S.flight->fl_prev = b;
	S.flight = b;
	S.inflight++;
	ike_tick(b->ike, now);
}

static int udp_socket(uint16_t port)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1;
	int buf = 8 << 20;
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };

	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
	setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &buf, sizeof(buf));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		die("bind");
	return fd;
}

/* Reads every waiting datagram of fd and hands it to its branch. */
static void drain(int fd, bool natt, uint64_t now)
{
	uint8_t buf[65536];
	char cbuf[256];

	for (;;) {
		struct sockaddr_in from;
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr mh = { .msg_name = &from, .msg_namelen = sizeof(from),
				     .msg_iov = &iov, .msg_iovlen = 1,
				     .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
		ssize_t n = recvmsg(fd, &mh, 0);
		struct in_addr dst = { 0 };

		if (n < 0)
			return;
		for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
			if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO)
				dst = ((struct in_pktinfo *)CMSG_DATA(cm))->ipi_addr;
		uint32_t i = ntohl(dst.s_addr) - ntohl(S.base.s_addr);
		size_t off = natt ? 4 : 0;
		if (i >= S.n || !S.b[i]->ike || (size_t)n <= off ||
		    (natt && memcmp(buf, "\0\0\0\0", 4) != 0))
			continue;   /* a keepalive, ESP or a stray */
		struct ike_datagram d = { .uplink = 0, .natt = natt, .data = buf + off,
					  .len = (size_t)n - off };
		d.remote.in4 = from;
		d.local.in4.sin_family = AF_INET;
		d.local.in4.sin_addr = dst;
		d.local.in4.sin_port = htons(natt ? 4500 : 500);
		snprintf(d.ifname, sizeof(d.ifname), "eth0");
		ike_input(S.b[i]->ike, &d, now);
	}
}

/* utime + stime of pid in ms, -1 if gone */
static long long proc_cpu_ms(int pid)
{
	char path[64], buf[1024];
	FILE *f;
	unsigned long long ut, st;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (!(f = fopen(path, "r")))
		return -1;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	char *p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
		return -1;
	return (long long)((ut + st) * 1000 / (unsigned long long)sysconf(_SC_CLK_TCK));
}

static long proc_rss_kib(int pid)
{
	char path[64], line[256];
	FILE *f;
	long kib = -1;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if (!(f = fopen(path, "r")))
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/* One turn: input, ticks of the branches in flight (retransmission,
 * retries), new starts up to the bound. */
static void turn(uint32_t *next, uint32_t last, uint64_t *tick_ms)
{
	struct pollfd pf[2] = { { S.fd500, POLLIN, 0 }, { S.fd4500, POLLIN, 0 } };
	uint64_t now;

	poll(pf, 2, 20);
	now = lg_now_ms();
	drain(S.fd500, false, now);
	drain(S.fd4500, true, now);
	if (now >= *tick_ms + 100) {
		*tick_ms = now;
		for (struct branch *b = S.flight, *nx; b; b = nx) {
			nx = b->fl_next;
			ike_tick(b->ike, now);
		}
	}
	while (*next < last && S.inflight < S.max_inflight)
		branch_start(S.b[(*next)++], now);
}

static void usage(void)
{
	fprintf(stderr, "usage: ike_swarm -H HUB -b BASE [-t SUBNETS] -n COUNT -k KEYDIR -p PID [-m M1,M2,..] "
			"[-j INFLIGHT] [-d DOMAIN] [-R -J INFLIGHT -P PIDFILE]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	uint32_t miles[16], n_miles = 0, restart_inflight = 256;
	int pid = 0, opt;
	bool restart = false;
	const char *pidfile = NULL;
	char *ms = NULL;

	S.domain = "corp.example";
	inet_pton(AF_INET, "10.2.0.0", &S.subnets);   /* tools/lib/hub-config.sh's */
	S.hub_id = "hub.corp.example";
	S.max_inflight = 8;
	while ((opt = getopt(argc, argv, "H:b:t:n:k:p:m:j:d:RJ:P:")) != -1) {
		switch (opt) {
		case 'H': if (inet_pton(AF_INET, optarg, &S.hub) != 1) usage(); break;
		case 'b': if (inet_pton(AF_INET, optarg, &S.base) != 1) usage(); break;
		case 't': if (inet_pton(AF_INET, optarg, &S.subnets) != 1) usage(); break;
		case 'n': S.n = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'k': S.keydir = optarg; break;
		case 'p': pid = atoi(optarg); break;
		case 'm': ms = optarg; break;
		case 'j': S.max_inflight = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'd': S.domain = optarg; break;
		case 'R': restart = true; break;
		case 'J': restart_inflight = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'P': pidfile = optarg; break;
		default: usage();
		}
	}
	if (!S.n || !S.keydir || !pid || !S.hub.s_addr || !S.base.s_addr || !S.max_inflight)
		usage();
	for (char *t = ms ? strtok(ms, ",") : NULL; t && n_miles < 16; t = strtok(NULL, ","))
		if ((miles[n_miles] = (uint32_t)strtoul(t, NULL, 10)) && miles[n_miles] <= S.n)
			n_miles++;
	if (!n_miles || miles[n_miles - 1] != S.n)
		miles[n_miles++] = S.n;
	lg_log_open("ike_swarm", LOG_DAEMON, true);
	lg_log_set_level(LOG_WARNING);
	signal(SIGUSR1, on_usr1);
	S.fd500 = udp_socket(500);
	S.fd4500 = udp_socket(4500);
	S.b = calloc(S.n, sizeof(*S.b));
	if (!S.b)
		die("calloc");
	for (uint32_t i = 0; i < S.n; i++) {
		if (!(S.b[i] = calloc(1, sizeof(**S.b))))
			die("calloc");
		S.b[i]->idx = i;
		branch_config(S.b[i]);
	}

	long rss0 = proc_rss_kib(pid);
	uint32_t next = 0, done_before = 0;
	uint64_t tick_ms = 0, active_ms = 0;
	long long cpu_begin = proc_cpu_ms(pid);
	printf("BASE rss_kib=%ld cpu_ms=%lld\n", rss0, cpu_begin);
	for (uint32_t m = 0; m < n_miles; m++) {
		uint64_t t0 = lg_now_ms();
		long long c0 = proc_cpu_ms(pid);
		while (S.up < miles[m]) {
			turn(&next, miles[m], &tick_ms);
			if (lg_now_ms() - t0 > 600000) {
				fprintf(stderr, "ike_swarm: %u of %u up after 600 s\n", S.up, miles[m]);
				return 1;
			}
		}
		uint64_t t1 = lg_now_ms();
		long long c1 = proc_cpu_ms(pid);
		uint32_t seg = S.up - done_before;
		active_ms += t1 - t0;
		/* RSS 2 s after the last setup (answers still served meanwhile) */
		while (lg_now_ms() < t1 + 2000)
			turn(&next, next, &tick_ms);
		long rss = proc_rss_kib(pid);
		printf("MILESTONE sas=%u setups_per_s=%.0f cpu_ms_per_setup=%.3f "
		       "seg_setups_per_s=%.0f seg_cpu_ms_per_setup=%.3f rss_kib=%ld "
		       "kib_per_sa=%.2f active_s=%.1f\n",
		       S.up, S.up * 1000.0 / (double)(active_ms ? active_ms : 1),
		       (double)(c1 - cpu_begin) / S.up, seg * 1000.0 / (double)(t1 - t0 ? t1 - t0 : 1),
		       (double)(c1 - c0) / seg, rss, (double)(rss - rss0) / S.up,
		       active_ms / 1000.0);
		fflush(stdout);
		done_before = S.up;
	}
	if (!restart)
		return 0;

	printf("READY sas=%u\n", S.up);
	fflush(stdout);
	while (!restart_signalled)
		turn(&next, next, &tick_ms);
	if (pidfile) {
		FILE *f = fopen(pidfile, "r");
		if (f) {
			if (fscanf(f, "%d", &pid) != 1)
				pid = 0;
			fclose(f);
		}
	}
	/* the hub lost every SA: each branch starts over, as its DPD would */
	uint64_t t0 = lg_now_ms();
	long long c0 = pid ? proc_cpu_ms(pid) : -1;
	for (uint32_t i = 0; i < S.n; i++)
		if (S.b[i]->state == ST_UP) {
			S.b[i]->state = ST_IDLE;
			S.up--;
		}
	S.max_inflight = restart_inflight;
	next = 0;
	while (S.up < S.n) {
		turn(&next, S.n, &tick_ms);
		if (lg_now_ms() - t0 > 600000) {
			fprintf(stderr, "ike_swarm: %u of %u back after 600 s\n", S.up, S.n);
			return 1;
		}
	}
	uint64_t t1 = lg_now_ms();
	long long c1 = pid ? proc_cpu_ms(pid) : -1;
	printf("RESTART sas=%u back_s=%.2f inflight=%u cpu_ms_per_setup=%.3f\n", S.up,
	       (t1 - t0) / 1000.0, restart_inflight,
	       c0 >= 0 && c1 >= 0 ? (double)(c1 - c0) / S.n : -1.0);
	fflush(stdout);
	return 0;
}

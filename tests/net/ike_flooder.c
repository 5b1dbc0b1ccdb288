/* An IKE_SA_INIT flooder for the flood test (tests/net/ike_flood.sh): for a
 * bounded time it sends well-formed IKE_SA_INIT requests (random SPIi,
 * nonce and X25519 value, ChaCha20-Poly1305/SHA-256/X25519 offered) to
 * DST:500 from spoofed IPv4 sources, as fast as the socket takes them, and
 * prints how many it sent. Sources are either one address (a configured
 * peer's, which costs the responder cookies) or random in a prefix.
 *
 *   ike_flooder DST SRC|SRC/LEN SECONDS
 *
 * A raw socket with IP_HDRINCL, so it must run as root, and it refuses to
 * run outside a named test namespace (fail closed: test traffic only). */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Only from a named namespace (ip netns add): the inode of our network
 * namespace must be that of a file in /run/netns; the host's never is. */
static int in_test_netns(void)
{
	struct stat self, st;
	char path[300];
	struct dirent *e;
	int found = 0;
	DIR *d;

	if (stat("/proc/self/ns/net", &self) || !(d = opendir("/run/netns")))
		return 0;   /* cannot tell: refuse */
	while (!found && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/run/netns/%s", e->d_name);
		found = stat(path, &st) == 0 && st.st_ino == self.st_ino && st.st_dev == self.st_dev;
	}
	closedir(d);
	return found;
}

/* xorshift64*: the flood needs unpredictable-looking bytes fast, not secrets */
static uint64_t rng_state;

static void rnd(void *out, size_t n)
{
	uint8_t *p = out;
	while (n) {
		rng_state ^= rng_state >> 12;
		rng_state ^= rng_state << 25;
		rng_state ^= rng_state >> 27;
		uint64_t v = rng_state * 0x2545F4914F6CDD1DULL;
		size_t k = n < 8 ? n : 8;
		memcpy(p, &v, k);
		p += k;
		n -= k;
	}
}

static size_t put_payload(uint8_t *p, uint8_t next, const uint8_t *body, size_t len)
{
	p[0] = next;
	p[1] = 0;
	p[2] = (uint8_t)((4 + len) >> 8);
	p[3] = (uint8_t)(4 + len);
	memcpy(p + 4, body, len);
	return 4 + len;
}

/* IKE header + SA + KE + Nonce; returns the length. */
static size_t build_ike(uint8_t *m)
{
	static const uint8_t prop[] = {
		0, 0, 0, 32, 1, 1, 0, 3,                   /* last proposal, #1, IKE, 3 transforms */
		3, 0, 0, 8, 1, 0, 0, 28,                   /* ENCR_CHACHA20_POLY1305 (RFC 7634: no key length) */
		3, 0, 0, 8, 2, 0, 0, 5,                    /* PRF_HMAC_SHA2_256 */
		0, 0, 0, 8, 4, 0, 0, 31,                   /* DH 31: Curve25519 */
	};
	uint8_t ke[4 + 32], nonce[32];
	size_t n = 28;

	ke[0] = 0;
	ke[1] = 31;
	ke[2] = ke[3] = 0;
	rnd(ke + 4, 32);
	rnd(nonce, sizeof(nonce));
	rnd(m, 8);                   /* SPIi */
	memset(m + 8, 0, 8);                    /* SPIr */
	m[16] = 33;                             /* first payload: SA */
	m[17] = 0x20;                           /* IKEv2 */
	m[18] = 34;                             /* IKE_SA_INIT */
	m[19] = 0x08;                           /* initiator */
	memset(m + 20, 0, 4);                   /* message ID 0 */
	n += put_payload(m + n, 34, prop, sizeof(prop));
	n += put_payload(m + n, 40, ke, sizeof(ke));
	n += put_payload(m + n, 0, nonce, sizeof(nonce));
	m[24] = (uint8_t)(n >> 24);
	m[25] = (uint8_t)(n >> 16);
	m[26] = (uint8_t)(n >> 8);
	m[27] = (uint8_t)n;
	return n;
}

int main(int argc, char **argv)
{
	struct in_addr dst, src;
	unsigned plen = 32;
	char srcbuf[32], *slash;
	long seconds;

	if (argc != 4) {
		fprintf(stderr, "usage: %s DST SRC|SRC/LEN SECONDS\n", argv[0]);
		return 2;
	}
	if (!in_test_netns()) {
		fprintf(stderr, "ike_flooder: refusing to run outside a named test network namespace\n");
		return 2;
	}
	snprintf(srcbuf, sizeof(srcbuf), "%s", argv[2]);
	if ((slash = strchr(srcbuf, '/'))) {
		*slash = '\0';
		plen = (unsigned)atoi(slash + 1);
	}
	seconds = atol(argv[3]);
	if (inet_pton(AF_INET, argv[1], &dst) != 1 || inet_pton(AF_INET, srcbuf, &src) != 1 ||
	    plen < 8 || plen > 32 || seconds < 1 || seconds > 600) {
		fprintf(stderr, "ike_flooder: bad arguments\n");
		return 2;
	}
	if (getrandom(&rng_state, sizeof(rng_state), 0) != sizeof(rng_state) || !rng_state)
		rng_state = (uint64_t)time(NULL) | 1;
	int s = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (s < 0) {
		perror("ike_flooder: raw socket");
		return 1;
	}
	uint32_t mask = plen == 32 ? 0xffffffffu : ~(0xffffffffu >> plen);
	uint8_t pkt[512];
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_addr = dst };
	unsigned long sent = 0, refused = 0;
	time_t end = time(NULL) + seconds;

	while (time(NULL) < end) {
		for (int burst = 0; burst < 256; burst++) {
			struct iphdr *ip = (struct iphdr *)pkt;
			struct udphdr *udp = (struct udphdr *)(pkt + sizeof(*ip));
			size_t ike_len = build_ike(pkt + sizeof(*ip) + sizeof(*udp));
			size_t len = sizeof(*ip) + sizeof(*udp) + ike_len;
			uint32_t r;
			rnd(&r, sizeof(r));
			uint32_t a = (ntohl(src.s_addr) & mask) | (r & ~mask);
			memset(ip, 0, sizeof(*ip));
			ip->version = 4;
			ip->ihl = 5;
			ip->ttl = 64;
			ip->protocol = IPPROTO_UDP;
			ip->tot_len = htons((uint16_t)len);
			ip->saddr = htonl(a);
			ip->daddr = dst.s_addr;      /* the kernel fills id and checksum */
			udp->source = htons(500);
			udp->dest = htons(500);
			udp->len = htons((uint16_t)(len - sizeof(*ip)));
			udp->check = 0;              /* optional for UDP over IPv4 */
			if (sendto(s, pkt, len, 0, (struct sockaddr *)&to, sizeof(to)) < 0) {
				if (errno != ENOBUFS && errno != EAGAIN)
					refused++;
				continue;
			}
			sent++;
		}
	}
	close(s);
	printf("sent %lu refused %lu seconds %ld rate %lu\n", sent, refused, seconds,
	       sent / (unsigned long)seconds);
	return 0;
}

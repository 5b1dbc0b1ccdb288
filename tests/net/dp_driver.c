/* dp_driver: the datapath and the ESP table alone, with one hand-keyed SA,
 * for namespace experiments and A/B benchmarks of datapath options that the
 * daemon does not expose (shared sockets, offloads off). Not a test itself;
 * the tests use the real daemon ($LINEGATED). Built by tools/bench.sh:
 *   cc -O2 -Iinclude tests/net/dp_driver.c -L$B -llg_net -llg_esp -llg_util ...
 * Usage: dp_driver -t lg0 -a 10.0.0.1/32 -m 1436 -u veth0 -p 10.9.0.2:4500
 *          -c chacha|aes -i SPI_IN -o SPI_OUT -I KEY_IN72 -O KEY_OUT72
 *          -l LOCAL_PFX -r REMOTE_PFX [-w workers] [-n (no offload)] [-s (shared)] */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <event2/event.h>
#include "linegate/datapath.h"
#include "linegate/esp.h"
#include "linegate/log.h"

static void on_signal(evutil_socket_t s, short w, void *arg)
{
	(void)s;
	(void)w;
	event_base_loopbreak(arg);
}

static void print_stats(struct datapath *dp, struct esp_table *t)
{
	struct datapath_stats s;
	uint64_t d[DATAPATH_DROP_COUNT], e[ESP_VERDICT_COUNT];
	datapath_get_stats(dp, &s);
	datapath_get_drops(dp, d);
	esp_table_drops(t, e);
	fprintf(stderr, "stats tun_rx=%lu tun_tx=%lu udp_rx=%lu udp_tx=%lu rx_dropped=%lu",
		s.tun_rx, s.tun_tx, s.udp_rx, s.udp_tx, s.rx_dropped);
	for (int i = 0; i < DATAPATH_DROP_COUNT; i++)
		fprintf(stderr, " %s=%lu", datapath_drop_name(i), d[i]);
	for (int i = 1; i < ESP_VERDICT_COUNT; i++)
		fprintf(stderr, " esp_%s=%lu", esp_verdict_name(i), e[i]);
	fprintf(stderr, "\n");
}

static void on_usr1(evutil_socket_t s, short w, void *arg)
{
	void **a = arg;
	(void)s;
	(void)w;
	print_stats(a[0], a[1]);
}

int main(int argc, char **argv)
{
	struct datapath_config c;
	struct esp_child_params p;
	int opt;

	memset(&c, 0, sizeof(c));
	memset(&p, 0, sizeof(p));
	c.n_uplinks = 1;
	p.child_id = 1;
	p.esn = true;
	p.cipher = ESP_CIPHER_CHACHA20_POLY1305;
	while ((opt = getopt(argc, argv, "t:a:m:u:p:c:i:o:I:O:l:r:w:ns")) != -1) {
		uint8_t k[36];
		switch (opt) {
		case 't': snprintf(c.tun_name, sizeof(c.tun_name), "%s", optarg); break;
		case 'a':
			if (lg_prefix_parse(optarg, &c.tun_addrs[c.n_tun_addrs++]) < 0)
				return 2;
			break;
		case 'm': c.mtu = (uint16_t)atoi(optarg); break;
		case 'u': snprintf(c.uplinks[0].ifname, IF_NAMESIZE, "%s", optarg); break;
		case 'p': if (lg_sockaddr_parse(optarg, 4500, &p.peer) < 0) return 2; break;
		case 'c': if (!strcmp(optarg, "aes")) p.cipher = ESP_CIPHER_AES256_GCM16; break;
		case 'i': p.spi_in = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'o': p.spi_out = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'I': case 'O':
			if (lg_unhex(optarg, k, 36) < 0)
				return 2;
			memcpy(opt == 'I' ? p.key_in : p.key_out, k, 32);
			memcpy(opt == 'I' ? p.salt_in : p.salt_out, k + 32, 4);
			break;
		case 'l': if (lg_prefix_parse(optarg, &p.local_ts[p.n_local_ts++]) < 0) return 2; break;
		case 'r': if (lg_prefix_parse(optarg, &p.remote_ts[p.n_remote_ts++]) < 0) return 2; break;
		case 'w': c.workers = atoi(optarg); break;
		case 'n': c.no_offload = true; break;
		case 's': c.shared_sockets = true; break;
		default: return 2;
		}
	}
	lg_log_open("dp_driver", LOG_DAEMON, true);
	struct event_base *base = event_base_new();
	struct esp_table *t = esp_table_new();
	if (!base || !t || esp_table_install(t, &p) < 0)
		return 1;
	struct datapath *dp = datapath_new(&c, t, base, NULL, NULL, NULL);
	if (!dp)
		return 1;
	for (size_t i = 0; i < p.n_remote_ts; i++)
		if (datapath_route_add(dp, &p.remote_ts[i]) < 0)
			return 1;
	if (datapath_start(dp) < 0)
		return 1;
	void *args[2] = { dp, t };
	struct event *e1 = evsignal_new(base, SIGTERM, on_signal, base);
	struct event *e2 = evsignal_new(base, SIGINT, on_signal, base);
	struct event *e3 = evsignal_new(base, SIGUSR1, on_usr1, args);
	event_add(e1, NULL);
	event_add(e2, NULL);
	event_add(e3, NULL);
	fprintf(stderr, "dp_driver: ready\n");
	event_base_dispatch(base);
	print_stats(dp, t);
	datapath_free(dp);
	esp_table_free(t);
	event_free(e1);
	event_free(e2);
	event_free(e3);
	event_base_free(base);
	return 0;
}

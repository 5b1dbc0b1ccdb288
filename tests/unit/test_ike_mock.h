/* In-process IKE test bed: two linegate `struct ike` instances (site A =
 * 10.211.0.1, site B = 10.211.0.2) talking over a message queue the test
 * controls (drop, duplicate, reorder), a mock clock, and child_ops that
 * record what would go into the ESP SA table. Header-only, included by the
 * test_ike_*.c suites. */
#pragma once
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "linegate/conf.h"
#include "linegate/audit.h"
#include "linegate/ike.h"
#include "ike_internal.h"
#include "ike_fixture.h"

enum { MOCK_QUEUE = 64, MOCK_MAX_CHILD = 32 };

struct mock_msg {
	int from;              /* 0 = A, 1 = B */
	bool natt;
	size_t len;
	uint8_t data[IKE_MSG_MAX];
};

struct mock_child {
	struct esp_child_params p;
	bool active;
};

struct mock_node {
	struct mock_bed *bed;
	int idx;
	struct config cfg;
	struct ike *ike;
	struct mock_child child[MOCK_MAX_CHILD];
	size_t n_child;
	struct lg_prefix route[16];  /* the routing table: a set, adds are idempotent */
	int routes;
	uint64_t packets_in;   /* what stats() reports for every child */
	bool rekey_wanted;     /* the datapath's soft limit (bytes, packets, sequence) */
	uint32_t out_id;       /* the child the datapath encrypts with (one tunnel) */
	bool link_down;
	bool fail_install;     /* the datapath refuses the next installs */
	int peer_updates;      /* update_peer calls (NAT rebinding) */
	int egress_lookups;    /* route_egress calls (route lookups) */
	const char *egress;    /* what route_egress answers, NULL = "ua" */
	struct esp_table *esp; /* optional: a real SA table gets every op too */
};

struct mock_bed {
	struct mock_node node[2];
	struct mock_msg q[MOCK_QUEUE];
	size_t n;
	uint64_t now;
	bool dead[2];          /* messages to this node vanish */
	bool nat[2];           /* node sits behind a NAT: its local address is private */
	uint16_t src_port[2];  /* NAT rebinding: the port the other side sees (0 = real) */
	const char *src_host[2];  /* ... and the address (NULL = real) */
	int keepalives[2];
	int audit[AUDIT_EVENT_COUNT][2];
	int initial_contacts;  /* SAs removed for the other side's INITIAL_CONTACT */
	char dir[64];
};

static inline void mock_addr(int idx, uint16_t port, union lg_sockaddr *a)
{
	char s[32];

	snprintf(s, sizeof(s), "10.211.0.%d:%u", idx + 1, port);
	lg_sockaddr_parse(s, port, a);
}

static inline int mock_send(void *ctx, int uplink, const union lg_sockaddr *remote, bool natt,
		     const uint8_t *msg, size_t len)
{
	struct mock_node *n = ctx;
	struct mock_bed *b = n->bed;

	(void)uplink;
	(void)remote;
	ck_assert_uint_lt(b->n, MOCK_QUEUE);
	ck_assert_uint_le(len, IKE_MSG_MAX);
	b->q[b->n].from = n->idx;
	b->q[b->n].natt = natt;
	b->q[b->n].len = len;
	memcpy(b->q[b->n].data, msg, len);
	b->n++;
	return 0;
}

static inline int mock_keepalive(void *ctx, int uplink, const union lg_sockaddr *remote)
{
	struct mock_node *n = ctx;

	(void)uplink;
	ck_assert_uint_eq(lg_sockaddr_port(remote), 4500);
	n->bed->keepalives[n->idx]++;
	return 0;
}

static inline void mock_record(struct mock_node *n, const struct esp_child_params *p)
{
	ck_assert_uint_lt(n->n_child, MOCK_MAX_CHILD);
	for (size_t i = 0; i < n->n_child; i++)
		ck_assert_uint_ne(n->child[i].p.child_id, p->child_id);
	n->child[n->n_child].p = *p;
	n->child[n->n_child].active = true;
	n->n_child++;
}

static inline int mock_install(void *ctx, const struct esp_child_params *p)
{
	struct mock_node *n = ctx;

	if (n->fail_install)
		return -EIO;
	mock_record(n, p);
	n->out_id = p->child_id;   /* esp.h: an install is the outbound choice at once */
	return n->esp ? esp_table_install(n->esp, p) : 0;
}

static inline int mock_install_inbound(void *ctx, const struct esp_child_params *p)
{
	struct mock_node *n = ctx;

	if (n->fail_install)
		return -EIO;
	mock_record(n, p);
	return n->esp ? esp_table_install_inbound(n->esp, p) : 0;
}

static inline int mock_update_peer(void *ctx, uint32_t id, const union lg_sockaddr *peer)
{
	struct mock_node *n = ctx;

	for (size_t i = 0; i < n->n_child; i++)
		if (n->child[i].p.child_id == id && n->child[i].active) {
			n->child[i].p.peer = *peer;
			n->peer_updates++;
			return n->esp ? esp_table_update_peer(n->esp, id, peer) : 0;
		}
	ck_abort_msg("update_peer of unknown child %u", id);
	return -ENOENT;
}

static inline int mock_activate_outbound(void *ctx, uint32_t id)
{
	struct mock_node *n = ctx;

	for (size_t i = 0; i < n->n_child; i++)
		if (n->child[i].p.child_id == id && n->child[i].active) {
			n->out_id = id;
			return n->esp ? esp_table_activate_outbound(n->esp, id) : 0;
		}
	ck_abort_msg("activate of unknown child %u", id);
	return -ENOENT;
}

static inline int mock_remove(void *ctx, uint32_t id)
{
	struct mock_node *n = ctx;

	for (size_t i = 0; i < n->n_child; i++)
		if (n->child[i].p.child_id == id && n->child[i].active) {
			n->child[i].active = false;
			if (n->out_id == id) {   /* falls back to the newest one left */
				n->out_id = 0;
				for (size_t j = 0; j < n->n_child; j++)
					if (n->child[j].active)
						n->out_id = n->child[j].p.child_id;
			}
			return n->esp ? esp_table_remove(n->esp, id) : 0;
		}
	ck_abort_msg("remove of unknown child %u", id);
	return -ENOENT;
}

static inline int mock_stats(void *ctx, uint32_t id, struct esp_child_stats *out)
{
	struct mock_node *n = ctx;

	(void)id;
	memset(out, 0, sizeof(*out));
	out->packets_in = n->packets_in;
	out->rekey_wanted = n->rekey_wanted;
	return 0;
}

static inline int mock_route_add(void *ctx, const struct lg_prefix *p)
{
	struct mock_node *n = ctx;

	for (int i = 0; i < n->routes; i++)
		if (lg_prefix_equal(&n->route[i], p))
			return 0;
	ck_assert_int_lt(n->routes, 16);
	n->route[n->routes++] = *p;
	return 0;
}

static inline int mock_route_del(void *ctx, const struct lg_prefix *p)
{
	struct mock_node *n = ctx;

	for (int i = 0; i < n->routes; i++)
		if (lg_prefix_equal(&n->route[i], p)) {
			n->route[i] = n->route[--n->routes];
			return 0;
		}
	ck_abort_msg("route_del of a route not present");
	return -ENOENT;
}

static inline bool mock_uplink_up(void *ctx, int uplink)
{
	(void)uplink;
	return !((struct mock_node *)ctx)->link_down;
}

static inline int mock_route_egress(void *ctx, const union lg_sockaddr *dst, char ifname[IF_NAMESIZE],
				    union lg_sockaddr *src)
{
	struct mock_node *n = ctx;
	(void)dst;
	n->egress_lookups++;
	if (src)
		memset(src, 0, sizeof(*src));
	snprintf(ifname, IF_NAMESIZE, "%s", n->egress ? n->egress : "ua");
	return 0;
}

static inline void mock_audit_sink(void *ctx, enum audit_event ev, enum audit_outcome oc, const char *line)
{
	struct mock_bed *b = ctx;

	b->audit[ev][oc]++;
	b->initial_contacts += ev == AUDIT_IKE_SA_DOWN && strstr(line, "\"initial_contact\"");
}

static inline void mock_write(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
}

/* Site idx's config with one peer (the other site). */
static inline void mock_config(struct mock_bed *b, int idx, enum conf_role role)
{
	struct config *c = &b->node[idx].cfg;
	char site[16], peer[16], addr[32], psk[128];
	const struct ike_fixture f = {
		.site = site, .domain = "ib.test", .uplink_if = "ua", .peer = peer, .endpoint = addr,
		.local_id = idx ? "gw-b.ib.test" : "gw-a.ib.test",
		.remote_id = idx ? "gw-a.ib.test" : "gw-b.ib.test",
		.local_ts = idx ? "10.212.2.0/24" : "10.212.1.0/24",
		.remote_ts = idx ? "10.212.1.0/24" : "10.212.2.0/24",
		.psk_file = psk, .role = role,
	};

	snprintf(site, sizeof(site), "site-%c", 'a' + idx);
	snprintf(peer, sizeof(peer), "site-%c", 'a' + (1 - idx));
	snprintf(addr, sizeof(addr), "10.211.0.%d", 2 - idx);
	snprintf(psk, sizeof(psk), "%s/psk-%d", b->dir, idx);
	conf_release(c);
	ck_assert_ptr_nonnull(ike_fixture_config(c, &f));
	mock_write(psk, "a-test-psk\n", 11);
}

/* Both sites' first IKE and/or ESP proposal (NULL keeps the default). */
static inline void mock_set_suite(struct mock_bed *b, const struct conf_proposal *ike,
				  const struct conf_proposal *esp)
{
	for (int i = 0; i < 2; i++) {
		if (ike)
			b->node[i].cfg.peers[0].ike_proposals[0] = *ike;
		if (esp)
			b->node[i].cfg.peers[0].esp_proposals[0] = *esp;
	}
}

static inline void mock_start_node(struct mock_bed *b, int idx)
{
	struct mock_node *n = &b->node[idx];
	struct ike_credentials *cr = NULL;
	char err[256] = "";
	struct ike_transport tx = { .ctx = n, .send = mock_send, .send_keepalive = mock_keepalive };
	struct ike_child_ops co = { .ctx = n, .install = mock_install, .remove = mock_remove,
				    .stats = mock_stats, .route_add = mock_route_add,
				    .route_del = mock_route_del,
				    .install_inbound = mock_install_inbound,
				    .activate_outbound = mock_activate_outbound,
				    .update_peer = mock_update_peer };
	struct ike_link_ops lo = { .ctx = n, .uplink_up = mock_uplink_up,
				   .route_egress = mock_route_egress };

	ck_assert_msg(ike_credentials_load(&n->cfg, &cr, err, sizeof(err)) == 0, "creds: %s", err);
	n->ike = ike_new(&n->cfg, NULL, cr, &tx, &co, &lo);
	ck_assert_ptr_nonnull(n->ike);
}

/* Two configured sites; call mock_start() after adjusting the configs. */
static inline void mock_init(struct mock_bed *b, enum conf_role ra, enum conf_role rb)
{
	memset(b, 0, sizeof(*b));
	snprintf(b->dir, sizeof(b->dir), "/tmp/lg-ike-test-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(b->dir));
	for (int i = 0; i < 2; i++) {
		b->node[i].bed = b;
		b->node[i].idx = i;
	}
	mock_config(b, 0, ra);
	mock_config(b, 1, rb);
	b->now = 1000;
	audit_set_test_sink(mock_audit_sink, b);
}

static inline void mock_start(struct mock_bed *b)
{
	mock_start_node(b, 0);
	mock_start_node(b, 1);
}

static inline void mock_free(struct mock_bed *b)
{
	char cmd[128];

	audit_set_test_sink(NULL, NULL);
	for (int i = 0; i < 2; i++) {
		ike_free(b->node[i].ike);
		conf_release(&b->node[i].cfg);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", b->dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* Delivers the oldest queued message (or the one at index i). */
static inline void mock_deliver_at(struct mock_bed *b, size_t i)
{
	struct mock_msg m;
	struct ike_datagram d;
	int to;

	ck_assert_uint_lt(i, b->n);
	m = b->q[i];
	memmove(&b->q[i], &b->q[i + 1], (b->n - i - 1) * sizeof(b->q[0]));
	b->n--;
	to = 1 - m.from;
	if (b->dead[to])
		return;
	memset(&d, 0, sizeof(d));
	d.uplink = 0;
	mock_addr(m.from, m.natt ? 4500 : 500, &d.remote);
	mock_addr(to, m.natt ? 4500 : 500, &d.local);
	if (b->src_host[m.from])
		ck_assert_int_eq(lg_sockaddr_parse(b->src_host[m.from], lg_sockaddr_port(&d.remote),
						   &d.remote), 0);
	if (b->src_port[m.from])
		lg_sockaddr_set_port(&d.remote, b->src_port[m.from]);
	if (b->nat[to])
		lg_sockaddr_parse("192.168.1.1", m.natt ? 4500 : 500, &d.local);
	d.natt = m.natt;
	snprintf(d.ifname, sizeof(d.ifname), "ua");
	d.data = m.data;
	d.len = m.len;
	ike_input(b->node[to].ike, &d, b->now);
}

static inline void mock_deliver(struct mock_bed *b) { mock_deliver_at(b, 0); }

static inline void mock_drop(struct mock_bed *b)
{
	ck_assert_uint_gt(b->n, 0);
	memmove(&b->q[0], &b->q[1], (b->n - 1) * sizeof(b->q[0]));
	b->n--;
}

/* Header fields of queued message i. */
static inline uint8_t mock_exchange(struct mock_bed *b, size_t i) { return b->q[i].data[18]; }
static inline uint32_t mock_msg_id(struct mock_bed *b, size_t i)
{
	const uint8_t *p = b->q[i].data + 20;
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void mock_tick(struct mock_bed *b, uint64_t advance_ms)
{
	b->now += advance_ms;
	ike_tick(b->node[0].ike, b->now);
	ike_tick(b->node[1].ike, b->now);
}

/* The earliest and the latest a request goes out again (or is given up)
 * after `tries` resends: its wait jittered ±IKE_RETRANSMIT_JITTER_PCT. */
static inline uint64_t mock_rexmit_min_ms(int tries)
{
	return ((uint64_t)IKE_RETRANSMIT_BASE_MS << tries) * (100 - IKE_RETRANSMIT_JITTER_PCT) / 100;
}

static inline uint64_t mock_rexmit_max_ms(int tries)
{
	return ((uint64_t)IKE_RETRANSMIT_BASE_MS << tries) * (100 + IKE_RETRANSMIT_JITTER_PCT) / 100;
}

/* Delivers until the queue is empty (bounded). */
static inline void mock_run(struct mock_bed *b)
{
	for (int i = 0; i < 200 && b->n; i++)
		mock_deliver(b);
	ck_assert_uint_eq(b->n, 0);
}

/* rounds x (deliver all, then 100 ms): a rekey's exchange, the old SA's
 * delete and the retransmits they may need settle within a few rounds. */
static inline void mock_settle(struct mock_bed *b, int rounds)
{
	for (int i = 0; i < rounds; i++) {
		mock_run(b);
		mock_tick(b, 100);
	}
}

static inline size_t mock_sa_count(struct mock_bed *b, int idx)
{
	size_t n = 0;

	for (struct ike_sa *s = b->node[idx].ike->sas; s; s = s->next)
		n++;
	return n;
}

static inline struct ike_sa *mock_sa(struct mock_bed *b, int idx)
{
	return b->node[idx].ike->sas;
}

static inline size_t mock_active_children(struct mock_bed *b, int idx)
{
	size_t n = 0;

	for (size_t i = 0; i < b->node[idx].n_child; i++)
		n += b->node[idx].child[i].active;
	return n;
}

static inline const struct esp_child_params *mock_active_child(struct mock_bed *b, int idx, size_t k)
{
	for (size_t i = 0; i < b->node[idx].n_child; i++)
		if (b->node[idx].child[i].active && k-- == 0)
			return &b->node[idx].child[i].p;
	return NULL;
}

/* Every active child of A has its mirror on B: SPIs crossed, keys crossed. */
static inline void mock_assert_children_match(struct mock_bed *b)
{
	ck_assert_uint_eq(mock_active_children(b, 0), mock_active_children(b, 1));
	for (size_t k = 0; k < mock_active_children(b, 0); k++) {
		const struct esp_child_params *a = mock_active_child(b, 0, k), *m = NULL;
		for (size_t j = 0; j < mock_active_children(b, 1); j++) {
			const struct esp_child_params *x = mock_active_child(b, 1, j);
			if (x->spi_out == a->spi_in)
				m = x;
		}
		ck_assert_ptr_nonnull(m);
		ck_assert_uint_eq(m->spi_in, a->spi_out);
		ck_assert_mem_eq(m->key_out, a->key_in, 32);
		ck_assert_mem_eq(m->salt_out, a->salt_in, 4);
		ck_assert_mem_eq(m->key_in, a->key_out, 32);
		ck_assert_mem_eq(m->salt_in, a->salt_out, 4);
		ck_assert_mem_eq(m->integ_out, a->integ_in, 64);
		ck_assert_mem_eq(m->integ_in, a->integ_out, 64);
		ck_assert_int_eq(m->cipher, a->cipher);
		ck_assert_uint_eq(m->cipher_keybits, a->cipher_keybits);
		ck_assert_uint_eq(m->integ, a->integ);
		ck_assert_uint_ge(a->spi_in, ESP_SPI_MIN);
		ck_assert_uint_ne(a->spi_in, a->spi_out);
	}
	/* one tunnel left: it is what both datapaths encrypt with */
	if (mock_active_children(b, 0) == 1)
		for (int i = 0; i < 2; i++)
			ck_assert_uint_eq(b->node[i].out_id, mock_active_child(b, i, 0)->child_id);
}

/* Full IKE_SA_INIT + IKE_AUTH from A, state asserted after every message. */
static inline void mock_establish(struct mock_bed *b)
{
	mock_tick(b, 100);                         /* A initiates */
	ck_assert_uint_eq(b->n, 1);
	ck_assert_uint_eq(mock_exchange(b, 0), IKEV2_EXCHANGE_IKE_SA_INIT);
	ck_assert_int_eq(mock_sa(b, 0)->state, IKE_SA_INIT_SENT);
	mock_deliver(b);                           /* -> B */
	ck_assert_int_eq(mock_sa(b, 1)->state, IKE_SA_HALF_OPEN);
	ck_assert_uint_eq(b->node[1].ike->half_open, 1);
	mock_deliver(b);                           /* IKE_SA_INIT response -> A */
	ck_assert_int_eq(mock_sa(b, 0)->state, IKE_SA_AUTH_SENT);
	ck_assert(mock_sa(b, 0)->natt);            /* floated to 4500 */
	ck_assert_uint_eq(b->n, 1);
	ck_assert_uint_eq(mock_exchange(b, 0), IKEV2_EXCHANGE_IKE_AUTH);
	ck_assert(b->q[0].natt);
	mock_deliver(b);                           /* IKE_AUTH -> B */
	ck_assert_int_eq(mock_sa(b, 1)->state, IKE_SA_ESTABLISHED);
	ck_assert_uint_eq(b->node[1].ike->half_open, 0);
	ck_assert_uint_eq(mock_active_children(b, 1), 1);
	mock_deliver(b);                           /* IKE_AUTH response -> A */
	ck_assert_int_eq(mock_sa(b, 0)->state, IKE_SA_ESTABLISHED);
	ck_assert_uint_eq(mock_active_children(b, 0), 1);
	ck_assert_uint_eq(b->n, 0);
	mock_assert_children_match(b);
}

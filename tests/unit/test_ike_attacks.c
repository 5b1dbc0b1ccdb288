/* Off-path and on-path attacks on the IKE module (issue 11), each through the
 * real ike_input()/ike_tick() over the mock transport: a spoofed
 * IKE_SA_INIT holding a tunnel down, reflection of cached responses, rekey
 * chains, secrets left behind by failed exchanges, cookie-echoing floods.
 * Every test here failed on the code before its fix. */
#include "test_ike_mock.h"
#include "check_main.h"

static struct mock_bed bed;

/* A datagram to node `to` from src:port, as if off the wire. */
static void inject(struct mock_bed *b, int to, const char *src, uint16_t port, bool natt,
		   const uint8_t *data, size_t len)
{
	struct ike_datagram d;

	memset(&d, 0, sizeof(d));
	ck_assert_int_eq(lg_sockaddr_parse(src, port, &d.remote), 0);
	mock_addr(to, port, &d.local);
	d.natt = natt;
	snprintf(d.ifname, sizeof(d.ifname), "ua");
	d.data = data;
	d.len = len;
	ike_input(b->node[to].ike, &d, b->now);
}

/* A well-formed IKE_SA_INIT request with SPIi and nonce given (and a cookie
 * when given), as a flooder or a spoofer builds it. Returns its length. */
static size_t build_sa_init(const uint8_t spi_i[8], const uint8_t nonce[32], const uint8_t *cookie,
			    size_t cookie_len, uint8_t *out)
{
	static const uint8_t zero[8];
	struct ike_builder *b = malloc(sizeof(*b));
	uint8_t pub[32];
	size_t len;

	ck_assert_ptr_nonnull(b);
	randombytes_buf(pub, sizeof(pub));
	ike_build_start(b, spi_i, zero, IKEV2_EXCHANGE_IKE_SA_INIT, IKEV2_FLAG_INITIATOR, 0);
	if (cookie_len)
		ike_build_notify(b, 0, NULL, 0, IKEV2_NOTIFY_COOKIE, cookie, cookie_len);
	ike_build_sa(b, &FIXTURE_IKE_CHACHA, 1, IKEV2_PROTO_IKE, NULL, 0, true);
	ike_build_ke(b, IKEV2_DH_CURVE25519, pub, sizeof(pub));
	ike_build_nonce(b, nonce, 32);
	ck_assert_int_eq(ike_build_finish(b), 0);
	memcpy(out, b->buf, b->len);
	len = b->len;
	free(b);
	return len;
}

static size_t forge_sa_init(uint8_t spi_i[8], const uint8_t *cookie, size_t cookie_len,
			    uint8_t *out)
{
	uint8_t nonce[32];

	randombytes_buf(spi_i, 8);
	randombytes_buf(nonce, sizeof(nonce));
	return build_sa_init(spi_i, nonce, cookie, cookie_len, out);
}

/* One spoofed IKE_SA_INIT with B's source address, to A. */
static void spoof_from_b(struct mock_bed *b)
{
	uint8_t msg[IKE_MSG_MAX], spi[8];
	size_t len = forge_sa_init(spi, NULL, 0, msg);

	inject(b, 0, "10.211.0.2", 500, false, msg, len);
}

static size_t half_open_sas(struct mock_bed *b, int idx)
{
	size_t n = 0;

	for (struct ike_sa *s = b->node[idx].ike->sas; s; s = s->next)
		n += s->state == IKE_SA_HALF_OPEN;
	return n;
}

static void run_for(struct mock_bed *b, int seconds)
{
	for (int i = 0; i < seconds; i++) {
		mock_tick(b, 1000);
		mock_run(b);
	}
}

/* 1. A half-open SA made by one spoofed packet does not stand in for the
 * tunnel: A's own initiation proceeds at once. */
START_TEST(spoofed_half_open_does_not_block_initiation)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	mock_start(&bed);
	spoof_from_b(&bed);
	ck_assert_uint_eq(half_open_sas(&bed, 0), 1);
	mock_drop(&bed);                       /* A's answer goes to the real B: lost */
	mock_tick(&bed, 100);
	ck_assert_uint_eq(bed.n, 1);           /* A initiates anyway */
	ck_assert_uint_eq(mock_exchange(&bed, 0), IKEV2_EXCHANGE_IKE_SA_INIT);
	mock_run(&bed);
	ck_assert(ike_peer_up(bed.node[0].ike, "site-b"));
	run_for(&bed, 31);                     /* the spoofed SA expires alone */
	ck_assert_uint_eq(half_open_sas(&bed, 0), 0);
	ck_assert_uint_eq(mock_sa_count(&bed, 0), 1);
	mock_assert_children_match(&bed);
	mock_free(&bed);
}
END_TEST

/* ... nor does it make `linegatectl up` answer EALREADY. */
START_TEST(spoofed_half_open_admin_up)
{
	mock_init(&bed, CONF_ROLE_RESPONDER, CONF_ROLE_RESPONDER);
	mock_start(&bed);
	spoof_from_b(&bed);
	mock_drop(&bed);
	ck_assert_int_eq(ike_initiate(bed.node[0].ike, "site-b", bed.now), 0);
	mock_run(&bed);
	ck_assert(ike_peer_up(bed.node[0].ike, "site-b"));
	ck_assert_int_eq(ike_initiate(bed.node[0].ike, "site-b", bed.now), -EALREADY);
	mock_free(&bed);
}
END_TEST

/* One spoofed packet every 25 s (below the cookie threshold) after the peer's
 * DELETE: the re-initiation 60 s later still happens. */
START_TEST(spoof_every_25s_after_delete)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	mock_start(&bed);
	mock_establish(&bed);
	ck_assert_int_eq(ike_info_delete_ike_start(mock_sa(&bed, 1)), 0);
	mock_run(&bed);
	ck_assert(!ike_peer_up(bed.node[0].ike, "site-b"));
	for (int t = 0; t < 120; t++) {
		if (t % 25 == 0) {
			spoof_from_b(&bed);
			mock_drop(&bed);
		}
		mock_tick(&bed, 1000);
		mock_run(&bed);
	}
	ck_assert(ike_peer_up(bed.node[0].ike, "site-b"));
	mock_assert_children_match(&bed);
	mock_free(&bed);
}
END_TEST

/* Both ends initiate in the same instant: two IKE SAs come up; both ends
 * agree which one is redundant and exactly one pair is left. Repeated, as
 * the nonces decide which of the two survives. */
START_TEST(simultaneous_initiation_settles)
{
	for (int round = 0; round < 8; round++) {
		mock_init(&bed, CONF_ROLE_BOTH, CONF_ROLE_BOTH);
		mock_start(&bed);
		mock_tick(&bed, 100);
		ck_assert_uint_eq(bed.n, 2);   /* both IKE_SA_INITs cross */
		mock_run(&bed);
		ck_assert_uint_eq(mock_sa_count(&bed, 0), 2);
		ck_assert_uint_eq(mock_sa_count(&bed, 1), 2);
		run_for(&bed, 3);
		for (int i = 0; i < 2; i++) {
			ck_assert_uint_eq(mock_sa_count(&bed, i), 1);
			ck_assert_int_eq(mock_sa(&bed, i)->state, IKE_SA_ESTABLISHED);
			ck_assert_uint_eq(mock_active_children(&bed, i), 1);
		}
		ck_assert_mem_eq(mock_sa(&bed, 0)->spi_i, mock_sa(&bed, 1)->spi_i, 8);
		mock_assert_children_match(&bed);
		run_for(&bed, 60);             /* and nobody starts over */
		ck_assert_uint_eq(mock_sa_count(&bed, 0), 1);
		ck_assert_uint_eq(mock_sa_count(&bed, 1), 1);
		mock_free(&bed);
	}
}
END_TEST

/* 2. Reflection: a copy of A's last request with the visible SPIs and
 * message ID but a garbage SK payload gets nothing back (amplification 0);
 * the genuine retransmission gets the cached response. */
START_TEST(garbage_retransmission_not_reflected)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	mock_start(&bed);
	mock_establish(&bed);
	ck_assert_int_eq(ike_info_dpd_start(mock_sa(&bed, 0)), 0);
	struct mock_msg req = bed.q[0];
	mock_deliver(&bed);                    /* B answers and caches */
	ck_assert_uint_eq(bed.n, 1);
	struct mock_msg resp = bed.q[0];
	mock_drop(&bed);
	/* every byte of the SK payload body garbled, and a longer one */
	for (int k = 0; k < 3; k++) {
		struct mock_msg f = req;
		size_t sk_body = IKEV2_HEADER_LEN + IKEV2_GENERIC_PAYLOAD_HEADER_LEN;
		if (k == 2) {
			f.len += 200;
			f.data[24] = (uint8_t)(f.len >> 24), f.data[25] = (uint8_t)(f.len >> 16);
			f.data[26] = (uint8_t)(f.len >> 8), f.data[27] = (uint8_t)f.len;
			uint16_t pl = (uint16_t)(f.len - IKEV2_HEADER_LEN);
			f.data[30] = (uint8_t)(pl >> 8), f.data[31] = (uint8_t)pl;
		}
		if (k == 0)
			f.data[f.len - 1] ^= 0x55;  /* the ICV only */
		else
			randombytes_buf(f.data + sk_body, f.len - sk_body);
		inject(&bed, 1, "10.211.0.1", 4500, true, f.data, f.len);
		ck_assert_uint_eq(bed.n, 0);
		ck_assert_uint_eq(bed.node[1].ike->drops[IKE_DROP_DECRYPT], (uint64_t)k + 1);
	}
	inject(&bed, 1, "10.211.0.1", 4500, true, req.data, req.len);
	ck_assert_uint_eq(bed.n, 1);
	ck_assert_uint_eq(bed.q[0].len, resp.len);
	ck_assert_mem_eq(bed.q[0].data, resp.data, resp.len);
	mock_run(&bed);
	ck_assert(!mock_sa(&bed, 0)->req.active);
	mock_free(&bed);
}
END_TEST

/* ... and the same for IKE_SA_INIT: a message with the SPIi of a half-open
 * SA from its address is answered only if it is the request we answered. */
START_TEST(sa_init_retransmission_must_match)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	mock_start(&bed);
	mock_tick(&bed, 100);
	struct mock_msg req = bed.q[0];
	mock_deliver(&bed);
	ck_assert_uint_eq(half_open_sas(&bed, 1), 1);
	struct mock_msg resp = bed.q[0];
	mock_drop(&bed);
	/* the same SPIs, another body (a forger's minimal copy) */
	struct mock_msg f = req;
	f.data[f.len - 1] ^= 1;
	inject(&bed, 1, "10.211.0.1", 500, false, f.data, f.len);
	ck_assert_uint_eq(bed.n, 0);
	ck_assert_uint_eq(bed.node[1].ike->drops[IKE_DROP_STATE], 1);
	inject(&bed, 1, "10.211.0.1", 500, false, req.data, req.len);
	ck_assert_uint_eq(bed.n, 1);
	ck_assert_mem_eq(bed.q[0].data, resp.data, resp.len);
	ck_assert_uint_eq(half_open_sas(&bed, 1), 1);
	mock_free(&bed);
}
END_TEST

static struct child_sa *installed_child(struct ike_sa *sa)
{
	for (struct child_sa *c = sa->children; c; c = c->next)
		if (c->state == CHILD_SA_INSTALLED)
			return c;
	return NULL;
}

static struct ike_sa *established_sa(struct mock_bed *b, int idx)
{
	for (struct ike_sa *s = b->node[idx].ike->sas; s; s = s->next)
		if (s->state == IKE_SA_ESTABLISHED)
			return s;
	return NULL;
}

/* 3. An authenticated peer (A) rekeys its CHILD SA again and again and never
 * deletes the old ones: B keeps at most IKE_MAX_CHILDREN_REKEYING and
 * answers NO_ADDITIONAL_SAS beyond; the old ones are retired later. */
START_TEST(child_rekey_chain_capped)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	mock_start(&bed);
	mock_establish(&bed);
	struct ike_sa *a = mock_sa(&bed, 0), *b = mock_sa(&bed, 1);
	for (int i = 0; i < 3 * IKE_MAX_CHILDREN_REKEYING; i++) {
		struct child_sa *c = installed_child(a);
		ck_assert_ptr_nonnull(c);
		ck_assert_int_eq(ike_child_rekey_start(a, c), 0);
		mock_deliver(&bed);            /* request -> B */
		mock_deliver(&bed);            /* response -> A */
		while (bed.n)                  /* A's DELETE never leaves */
			mock_drop(&bed);
		if (a->req.active)             /* B never sees it: its ID is reused */
			ike_req_clear(a);
		ck_assert_uint_le(child_sa_count(b), IKE_MAX_CHILDREN_REKEYING);
		ck_assert_uint_le(mock_active_children(&bed, 1), IKE_MAX_CHILDREN_REKEYING);
	}
	ck_assert_uint_eq(child_sa_count(b), IKE_MAX_CHILDREN_REKEYING);
	ck_assert_int_ge(bed.audit[AUDIT_IKE_EXCHANGE_FAILED][AUDIT_FAILURE], IKE_MAX_CHILDREN_REKEYING);
	/* B retires the superseded ones itself; the tunnel lives on */
	for (struct child_sa *c = a->children; c; c = c->next)
		if (c->state != CHILD_SA_INSTALLED)
			c->delete_ms = UINT64_MAX;  /* the attacker still never deletes */
	run_for(&bed, 120);
	ck_assert_uint_le(child_sa_count(b), 2);
	ck_assert_ptr_nonnull(installed_child(b));
	mock_free(&bed);
}
END_TEST

/* ... and the same with IKE SA rekeys: B keeps at most
 * IKE_MAX_IKE_SAS_PER_PEER IKE SAs with A, TEMPORARY_FAILURE beyond. */
START_TEST(ike_rekey_chain_capped)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	mock_start(&bed);
	mock_establish(&bed);
	int refused = 0;
	for (int i = 0; i < 4 * IKE_MAX_IKE_SAS_PER_PEER; i++) {
		struct ike_sa *a = established_sa(&bed, 0);
		ck_assert_ptr_nonnull(a);
		ck_assert_int_eq(ike_rekey_ike_start(a), 0);
		mock_deliver(&bed);
		int before = bed.audit[AUDIT_IKE_EXCHANGE_FAILED][AUDIT_FAILURE];
		mock_deliver(&bed);
		refused += bed.audit[AUDIT_IKE_EXCHANGE_FAILED][AUDIT_FAILURE] > before;
		while (bed.n)
			mock_drop(&bed);
		for (struct ike_sa *s = bed.node[0].ike->sas; s; s = s->next)
			if (s->req.active && s->req.task == IKE_TASK_DELETE_IKE)
				s->req.next_ms = UINT64_MAX;   /* never sent again */
		ck_assert_uint_le(mock_sa_count(&bed, 1), IKE_MAX_IKE_SAS_PER_PEER);
	}
	ck_assert_int_gt(refused, 0);
	mock_free(&bed);
}
END_TEST

static void pfs(struct mock_bed *b)
{
	for (int i = 0; i < 2; i++)
		b->node[i].cfg.peers[0].esp_proposals[0].dh = IKEV2_DH_CURVE25519;
}

/* Between exchanges an SA holds no exchange secrets at all: the slot went
 * back to the pool, which wipes it (the pool's own test holds it to that). */
static void assert_no_exchange_secret(const struct ike_sa *sa)
{
	ck_assert_ptr_null(sa->sec);
}

/* 4. A CHILD rekey we started with PFS fails after the DH shared secret was
 * computed (our datapath refuses the SA, or the peer's selectors do not
 * fit): no byte of g^ir or of our DH private value is left behind. */
START_TEST(pfs_secret_wiped_when_our_rekey_fails)
{
	for (int path = 0; path < 3; path++) {
		mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
		pfs(&bed);
		mock_start(&bed);
		mock_establish(&bed);
		struct ike_sa *a = mock_sa(&bed, 0);
		if (path == 2)   /* the peer refuses PFS: an error notify, no g^ir */
			bed.node[1].cfg.peers[0].esp_proposals[0].dh = 0;
		ck_assert_int_eq(ike_child_rekey_start(a, a->children), 0);
		ck_assert(!sodium_is_zero(a->sec->dh.x25519, sizeof(a->sec->dh.x25519)));
		mock_deliver(&bed);
		if (path == 0)
			bed.node[0].fail_install = true;
		else if (path == 1)   /* A no longer accepts B's side as it was */
			lg_prefix_parse("10.212.9.0/24", &bed.node[0].cfg.peers[0].remote_ts[0]);
		mock_deliver(&bed);
		ck_assert(!a->req.active || a->req.task != IKE_TASK_CHILD_REKEY);
		ck_assert_msg(bed.audit[AUDIT_IKE_EXCHANGE_FAILED][AUDIT_FAILURE] >= 1, "path %d", path);
		assert_no_exchange_secret(a);
		bed.node[0].fail_install = false;
		mock_free(&bed);
	}
}
END_TEST

/* ... and when it succeeds, and on the responder's side. */
START_TEST(pfs_secret_wiped_after_rekey)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	pfs(&bed);
	mock_start(&bed);
	mock_establish(&bed);
	struct ike_sa *a = mock_sa(&bed, 0);
	ck_assert_int_eq(ike_child_rekey_start(a, a->children), 0);
	mock_run(&bed);
	assert_no_exchange_secret(a);
	assert_no_exchange_secret(mock_sa(&bed, 1));
	ck_assert_int_eq(bed.audit[AUDIT_CHILD_SA_REKEYED][AUDIT_SUCCESS], 2);
	mock_free(&bed);
}
END_TEST

/* The COOKIE of a stateless answer, if the last queued message is one. */
static size_t cookie_of(struct mock_bed *b, uint8_t *cookie)
{
	struct ike_header h;
	struct ike_payload_list l;
	struct ike_notify n;
	struct mock_msg *m;

	if (!b->n)
		return 0;
	m = &b->q[b->n - 1];
	if (ike_header_parse(m->data, m->len, &h) < 0 ||
	    ike_payloads_split(h.next_payload, m->data + IKEV2_HEADER_LEN, m->len - IKEV2_HEADER_LEN,
			       &l) < 0 ||
	    !ike_find_notify(&l, IKEV2_NOTIFY_COOKIE, &n) || n.data_len > IKE_COOKIE_MAX)
		return 0;
	memcpy(cookie, n.data, n.data_len);
	return n.data_len;
}

/* One IKE_SA_INIT from `src` to B that answers a cookie request at once. */
static void echoing_init(struct mock_bed *b, const char *src)
{
	uint8_t msg[IKE_MSG_MAX], spi[8], nonce[32], cookie[IKE_COOKIE_MAX];
	size_t len, cl;

	randombytes_buf(spi, sizeof(spi));
	randombytes_buf(nonce, sizeof(nonce));
	len = build_sa_init(spi, nonce, NULL, 0, msg);
	inject(b, 1, src, 500, false, msg, len);
	cl = cookie_of(b, cookie);
	if (cl) {
		len = build_sa_init(spi, nonce, cookie, cl, msg);
		inject(b, 1, src, 500, false, msg, len);
	}
	while (b->n)
		mock_drop(b);
}

static size_t half_open_from(struct mock_bed *b, int idx, const char *addr)
{
	union lg_sockaddr a;
	size_t n = 0;

	ck_assert_int_eq(lg_sockaddr_parse(addr, 500, &a), 0);
	for (struct ike_sa *s = b->node[idx].ike->sas; s; s = s->next)
		n += s->state == IKE_SA_HALF_OPEN &&
		     memcmp(lg_sockaddr_addr(&s->remote), lg_sockaddr_addr(&a), 4) == 0;
	return n;
}

/* B also has peers f1..fn at 10.211.0.11.. (what the flooders hold). */
static void add_flooder_peers(struct mock_bed *b, int n)
{
	struct config *c = &b->node[1].cfg;

	for (int i = 0; i < n; i++) {
		struct conf_peer *p = config_add_peer(c);
		char addr[32];
		ck_assert_ptr_nonnull(p);
		*p = c->peers[0];
		snprintf(p->name, sizeof(p->name), "f%d", i + 1);
		snprintf(addr, sizeof(addr), "10.211.0.%d", 11 + i);
		ck_assert_int_eq(lg_sockaddr_parse(addr, 500, &p->endpoint), 0);
	}
}

/* 5. Cookie-echoing flooders at four addresses (1,200 IKE_SA_INITs, more
 * than the global cap) hold at most IKE_HALF_OPEN_PER_ADDR half-open SAs
 * each; the refusals are counted; A connects during the flood (with a
 * cookie round trip, the flood keeps B above the cookie threshold). */
START_TEST(cookie_echoing_flood_locks_nobody_out)
{
	static const char *src[] = { "10.211.0.11", "10.211.0.12", "10.211.0.13", "10.211.0.14" };

	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	add_flooder_peers(&bed, 4);
	mock_start(&bed);
	for (int r = 0; r < 300; r++)
		for (int k = 0; k < 4; k++)
			echoing_init(&bed, src[k]);
	for (int k = 0; k < 4; k++)
		ck_assert_uint_eq(half_open_from(&bed, 1, src[k]), IKE_HALF_OPEN_PER_ADDR);
	ck_assert_uint_eq(bed.node[1].ike->half_open, 4 * IKE_HALF_OPEN_PER_ADDR);
	ck_assert_uint_ge(bed.node[1].ike->drops[IKE_DROP_HALF_OPEN_SOURCE], 4 * 290);
	ck_assert_uint_ge(bed.node[1].ike->drops[IKE_DROP_COOKIE], 1000);
	/* A, during the flood */
	uint64_t cookies = bed.node[1].ike->drops[IKE_DROP_COOKIE];
	mock_tick(&bed, 100);
	mock_run(&bed);
	ck_assert(ike_peer_up(bed.node[0].ike, "site-b"));
	ck_assert_uint_eq(bed.node[1].ike->drops[IKE_DROP_COOKIE], cookies + 1);
	mock_assert_children_match(&bed);
	mock_free(&bed);
}
END_TEST

/* ... and a spoofer that cannot echo cookies gets no more than
 * IKE_COOKIE_PER_SOURCE half-open SAs with A's address; A connects. */
START_TEST(spoofer_per_source_cookie)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	mock_start(&bed);
	for (int i = 0; i < 10; i++) {
		uint8_t msg[IKE_MSG_MAX], spi[8];
		size_t len = forge_sa_init(spi, NULL, 0, msg);
		inject(&bed, 1, "10.211.0.1", 500, false, msg, len);
		while (bed.n)
			mock_drop(&bed);
	}
	ck_assert_uint_eq(half_open_from(&bed, 1, "10.211.0.1"), IKE_COOKIE_PER_SOURCE);
	ck_assert_uint_eq(bed.node[1].ike->drops[IKE_DROP_COOKIE], 10 - IKE_COOKIE_PER_SOURCE);
	mock_tick(&bed, 100);
	mock_run(&bed);
	ck_assert(ike_peer_up(bed.node[0].ike, "site-b"));
	mock_free(&bed);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ike_attacks");
	TCase *t = tcase_create("attacks");

	tcase_add_test(t, spoofed_half_open_does_not_block_initiation);
	tcase_add_test(t, spoofed_half_open_admin_up);
	tcase_add_test(t, spoof_every_25s_after_delete);
	tcase_add_test(t, simultaneous_initiation_settles);
	tcase_add_test(t, garbage_retransmission_not_reflected);
	tcase_add_test(t, sa_init_retransmission_must_match);
	tcase_add_test(t, child_rekey_chain_capped);
	tcase_add_test(t, ike_rekey_chain_capped);
	tcase_add_test(t, pfs_secret_wiped_when_our_rekey_fails);
	tcase_add_test(t, pfs_secret_wiped_after_rekey);
	tcase_add_test(t, cookie_echoing_flood_locks_nobody_out);
	tcase_add_test(t, spoofer_per_source_cookie);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return lg_check_run(suite());
}

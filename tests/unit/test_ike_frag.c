/* IKE fragmentation (RFC 7383) between two linegate instances over the mock
 * transport: negotiation in IKE_SA_INIT, IKE_AUTH in SKF fragments no
 * larger than fragment-size allows, reordered, duplicated, lost, forged and
 * misnumbered fragments, retransmission of every fragment, the cached
 * fragmented response, the reassembly time bound; and the reassembly table
 * (ike_reasm_add) by numbered steps. */
#include "test_ike_mock.h"
#include "check_main.h"

static struct mock_bed bed;

enum { SMALL = 256 };   /* fragment-size: IKE_AUTH with a PSK needs 2-3 fragments */

/* Four subnets a side, so that B's IKE_AUTH response (TSi, TSr) needs
 * fragments too. */
static void frag_config(struct mock_bed *b, bool a_on, bool b_on, uint16_t size)
{
	b->node[0].cfg.peers[0].fragmentation = a_on;
	b->node[1].cfg.peers[0].fragmentation = b_on;
	for (int i = 0; i < 2; i++) {
		struct conf_peer *p = &b->node[i].cfg.peers[0];
		p->fragment_size = size;
		for (int k = 0; k < 4; k++) {
			char own[32], other[32];
			snprintf(own, sizeof(own), "10.212.%d.0/24", 2 * k + 1 + i);
			snprintf(other, sizeof(other), "10.212.%d.0/24", 2 * k + 2 - i);
			ck_assert_int_eq(lg_prefix_parse(own, &p->local_ts[k]), 0);
			ck_assert_int_eq(lg_prefix_parse(other, &p->remote_ts[k]), 0);
		}
		p->n_local_ts = p->n_remote_ts = 4;
	}
}

static bool is_skf(const struct mock_bed *b, size_t i) { return b->q[i].data[16] == IKEV2_PAYLOAD_SKF; }
static unsigned frag_num(const struct mock_bed *b, size_t i)
{
	return (unsigned)b->q[i].data[32] << 8 | b->q[i].data[33];
}
static unsigned frag_total(const struct mock_bed *b, size_t i)
{
	return (unsigned)b->q[i].data[34] << 8 | b->q[i].data[35];
}

/* IKE_SA_INIT both ways: A's IKE_AUTH request is queued. */
static void to_auth(struct mock_bed *b)
{
	mock_tick(b, 100);
	mock_deliver(b);
	mock_deliver(b);
	ck_assert_int_eq(mock_sa(b, 0)->state, IKE_SA_AUTH_SENT);
	ck_assert_uint_ge(b->n, 1);
}

/* Every queued datagram is a fragment i of n, in order, within the limit. */
static size_t assert_fragments(const struct mock_bed *b, const struct ike_sa *from)
{
	size_t n = b->n;

	ck_assert_uint_ge(n, 2);
	for (size_t i = 0; i < n; i++) {
		ck_assert(is_skf(b, i));
		ck_assert_uint_eq(frag_num(b, i), i + 1);
		ck_assert_uint_eq(frag_total(b, i), n);
		ck_assert_uint_le(b->q[i].len, ike_frag_limit(from));
		/* §2.5: only fragment 1 names the first inner payload */
		ck_assert_uint_eq(b->q[i].data[28] != 0, i == 0);
	}
	return n;
}

static uint64_t drops(const struct mock_bed *b, int idx, enum ike_drop d)
{
	return b->node[idx].ike->drops[d];
}

static void assert_no_drops(const struct mock_bed *b)
{
	for (int i = 0; i < 2; i++)
		for (int d = 0; d < IKE_DROP_COUNT; d++)
			ck_assert_msg(b->node[i].ike->drops[d] == 0, "node %d drop %s", i,
				      ike_drop_name(d));
}

static void finish_established(struct mock_bed *b)
{
	mock_run(b);
	ck_assert_int_eq(mock_sa(b, 0)->state, IKE_SA_ESTABLISHED);
	ck_assert_int_eq(mock_sa(b, 1)->state, IKE_SA_ESTABLISHED);
	mock_assert_children_match(b);
}

START_TEST(fragmented_auth_both_ways)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	frag_config(&bed, true, true, SMALL);
	mock_start(&bed);
	to_auth(&bed);
	ck_assert(mock_sa(&bed, 0)->frag);
	ck_assert(mock_sa(&bed, 1)->frag);
	/* 256 - IPv4 20 - UDP 8 - non-ESP marker 4 (RFC 7383 §2.5.1) */
	ck_assert_uint_eq(ike_frag_limit(mock_sa(&bed, 0)), 224);
	size_t n = assert_fragments(&bed, mock_sa(&bed, 0));
	for (size_t i = 0; i + 1 < n; i++) {
		mock_deliver(&bed);
		ck_assert_int_eq(mock_sa(&bed, 1)->state, IKE_SA_HALF_OPEN);   /* not whole yet */
		ck_assert_uint_eq(bed.n, n - i - 1);
	}
	mock_deliver(&bed);
	ck_assert_int_eq(mock_sa(&bed, 1)->state, IKE_SA_ESTABLISHED);
	assert_fragments(&bed, mock_sa(&bed, 1));   /* the response is fragmented too */
	finish_established(&bed);
	assert_no_drops(&bed);
	ck_assert_ptr_null(mock_sa(&bed, 0)->reasm[1]);
	ck_assert_ptr_null(mock_sa(&bed, 1)->reasm[0]);
	/* CREATE_CHILD_SA and INFORMATIONAL fragment the same way: an IKE
	 * rekey (small: a smaller fragment-size, read at every send) */
	for (int i = 0; i < 2; i++)
		bed.node[i].cfg.peers[0].fragment_size = 160;
	ck_assert_int_eq(ike_rekey_ike_start(mock_sa(&bed, 0)), 0);
	ck_assert(is_skf(&bed, 0));
	mock_run(&bed);
	ck_assert_uint_eq(mock_active_children(&bed, 0), 1);
	for (struct ike_sa *s = bed.node[0].ike->sas; s; s = s->next)
		ck_assert(s->frag);   /* inherited by the new IKE SA */
	assert_no_drops(&bed);
	mock_free(&bed);
}
END_TEST

START_TEST(not_negotiated_when_one_side_off)
{
	for (int off = 0; off < 2; off++) {
		mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
		frag_config(&bed, off != 0, off == 0, SMALL);
		mock_start(&bed);
		to_auth(&bed);
		ck_assert(!mock_sa(&bed, 0)->frag);
		ck_assert(!mock_sa(&bed, 1)->frag);
		ck_assert_uint_eq(bed.n, 1);   /* one SK message, larger than the limit */
		ck_assert_uint_eq(bed.q[0].data[16], IKEV2_PAYLOAD_SK);
		ck_assert_uint_gt(bed.q[0].len, ike_frag_limit(mock_sa(&bed, 0)));
		finish_established(&bed);
		assert_no_drops(&bed);
		mock_free(&bed);
	}
}
END_TEST

/* Under AES-CBC + HMAC-SHA2 (RFC 7296 §3.14) every fragment carries its own
 * 16-byte IV, padding and ICV of 16, 24 or 32 bytes within the limit, each
 * is checked by its ICV before it is kept, and the message comes whole. */
static const struct conf_proposal cbc_suites[] = {
	{ IKEV2_ENCR_AES_CBC, 128, IKEV2_PRF_HMAC_SHA2_256, IKEV2_DH_CURVE25519,
	  IKEV2_INTEG_HMAC_SHA2_256_128 },
	{ IKEV2_ENCR_AES_CBC, 256, IKEV2_PRF_HMAC_SHA2_384, IKEV2_DH_CURVE25519,
	  IKEV2_INTEG_HMAC_SHA2_384_192 },
	{ IKEV2_ENCR_AES_CBC, 256, IKEV2_PRF_HMAC_SHA2_512, IKEV2_DH_CURVE25519,
	  IKEV2_INTEG_HMAC_SHA2_512_256 },
};

START_TEST(cbc_suite_fragmented)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	frag_config(&bed, true, true, SMALL);
	mock_set_suite(&bed, &cbc_suites[_i], NULL);
	mock_start(&bed);
	to_auth(&bed);
	ck_assert_uint_eq(mock_sa(&bed, 0)->prop.integ, cbc_suites[_i].integ);
	size_t n = assert_fragments(&bed, mock_sa(&bed, 0));
	for (size_t i = 0; i < n; i++)   /* a whole number of blocks after the IV */
		ck_assert_uint_eq((bed.q[i].len - IKEV2_HEADER_LEN - IKE_SKF_HEADER_LEN -
				   ike_integ_icv_len(cbc_suites[_i].integ)) % 16, 0);
	/* a flipped ciphertext bit in the last fragment: its ICV fails, it is
	 * dropped and nothing of it kept; the genuine one completes */
	struct mock_msg genuine = bed.q[n - 1], forged = genuine;
	forged.data[IKEV2_HEADER_LEN + IKE_SKF_HEADER_LEN + 20] ^= 0x80;
	bed.q[n - 1] = forged;
	for (size_t i = 0; i < n; i++)
		mock_deliver(&bed);
	ck_assert_uint_eq(drops(&bed, 1, IKE_DROP_DECRYPT), 1);
	ck_assert_int_eq(mock_sa(&bed, 1)->state, IKE_SA_HALF_OPEN);
	bed.q[bed.n++] = genuine;
	mock_deliver_at(&bed, bed.n - 1);
	ck_assert_int_eq(mock_sa(&bed, 1)->state, IKE_SA_ESTABLISHED);
	assert_fragments(&bed, mock_sa(&bed, 1));
	finish_established(&bed);
	/* and an IKE rekey in fragments under the same suite */
	for (int i = 0; i < 2; i++)
		bed.node[i].cfg.peers[0].fragment_size = 200;
	ck_assert_int_eq(ike_rekey_ike_start(mock_sa(&bed, 0)), 0);
	ck_assert(is_skf(&bed, 0));
	mock_run(&bed);
	ck_assert_uint_eq(mock_sa_count(&bed, 0), 1);
	ck_assert_uint_eq(mock_active_children(&bed, 0), 1);
	ck_assert_uint_eq(drops(&bed, 1, IKE_DROP_DECRYPT), 1);
	ck_assert_uint_eq(drops(&bed, 0, IKE_DROP_DECRYPT), 0);
	mock_free(&bed);
}
END_TEST

START_TEST(reordered_and_duplicated)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	frag_config(&bed, true, true, SMALL);
	mock_start(&bed);
	to_auth(&bed);
	size_t n = assert_fragments(&bed, mock_sa(&bed, 0));
	bed.q[bed.n++] = bed.q[n - 1];          /* the last one twice */
	mock_deliver_at(&bed, bed.n - 1);
	for (size_t i = n; i-- > 1;)            /* n, n-1 .. 2, then 1 */
		mock_deliver_at(&bed, i);
	ck_assert_int_eq(mock_sa(&bed, 1)->state, IKE_SA_HALF_OPEN);
	mock_deliver_at(&bed, 0);
	ck_assert_int_eq(mock_sa(&bed, 1)->state, IKE_SA_ESTABLISHED);
	finish_established(&bed);
	assert_no_drops(&bed);
	mock_free(&bed);
}
END_TEST

START_TEST(forged_fragment_dropped_before_kept)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	frag_config(&bed, true, true, SMALL);
	mock_start(&bed);
	to_auth(&bed);
	size_t n = assert_fragments(&bed, mock_sa(&bed, 0));
	struct mock_msg genuine = bed.q[0];
	bed.q[0].data[bed.q[0].len - 1] ^= 1;      /* ICV */
	mock_deliver(&bed);
	ck_assert_uint_eq(drops(&bed, 1, IKE_DROP_DECRYPT), 1);
	ck_assert_ptr_null(mock_sa(&bed, 1)->reasm[0]);   /* nothing kept */
	/* a forged fragment 1 with a larger Total Fragments would reset the
	 * reassembly if it were kept before its integrity check */
	mock_deliver(&bed);
	ck_assert_ptr_nonnull(mock_sa(&bed, 1)->reasm[0]);
	struct mock_msg forged = genuine;
	forged.data[35] = (uint8_t)(n + 1);
	bed.q[bed.n++] = forged;
	mock_deliver_at(&bed, bed.n - 1);
	ck_assert_uint_eq(drops(&bed, 1, IKE_DROP_DECRYPT), 2);
	bed.q[bed.n++] = genuine;
	while (bed.n && mock_sa(&bed, 1)->state == IKE_SA_HALF_OPEN)
		mock_deliver(&bed);
	ck_assert_int_eq(mock_sa(&bed, 1)->state, IKE_SA_ESTABLISHED);
	finish_established(&bed);
	mock_free(&bed);
}
END_TEST

START_TEST(misnumbered_and_unnegotiated_counted)
{
	static const struct { unsigned num, total; } bad[] = {
		/* 0 */ { 0, 2 }, /* 1 */ { 3, 2 }, /* 2 */ { 1, 0 }, /* 3 */ { 65, 65 },
	};
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	frag_config(&bed, true, true, SMALL);
	mock_start(&bed);
	to_auth(&bed);
	assert_fragments(&bed, mock_sa(&bed, 0));
	struct mock_msg base = bed.q[0];
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct mock_msg m = base;
		m.data[32] = (uint8_t)(bad[i].num >> 8);
		m.data[33] = (uint8_t)bad[i].num;
		m.data[34] = (uint8_t)(bad[i].total >> 8);
		m.data[35] = (uint8_t)bad[i].total;
		bed.q[bed.n++] = m;
		mock_deliver_at(&bed, bed.n - 1);
		/* refused on its numbering, before any decryption */
		ck_assert_uint_eq(drops(&bed, 1, IKE_DROP_FRAGMENT), i + 1);
		ck_assert_uint_eq(drops(&bed, 1, IKE_DROP_DECRYPT), 0);
	}
	/* fragment 1 with Next Payload 0 */
	struct mock_msg m = base;
	m.data[28] = 0;
	bed.q[bed.n++] = m;
	mock_deliver_at(&bed, bed.n - 1);
	ck_assert_uint_eq(drops(&bed, 1, IKE_DROP_FRAGMENT), 5);
	/* an SA that did not negotiate fragmentation takes none */
	mock_sa(&bed, 1)->frag = false;
	mock_deliver(&bed);
	ck_assert_uint_eq(drops(&bed, 1, IKE_DROP_FRAGMENT), 6);
	ck_assert_ptr_null(mock_sa(&bed, 1)->reasm[0]);
	/* refusals before authentication are summarised: six drops, one
	 * record (the first of its kind in the interval), never one each */
	ck_assert_int_eq(bed.audit[AUDIT_PACKETS_DROPPED][AUDIT_FAILURE], 1);
	mock_free(&bed);
}
END_TEST

START_TEST(lost_fragment_all_retransmitted)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	frag_config(&bed, true, true, SMALL);
	mock_start(&bed);
	to_auth(&bed);
	size_t n = assert_fragments(&bed, mock_sa(&bed, 0));
	struct mock_msg first[IKE_FRAG_MAX];
	memcpy(first, bed.q, n * sizeof(bed.q[0]));
	mock_deliver_at(&bed, 1);   /* fragment 2 arrives; */
	mock_drop(&bed);            /* fragment 1 is lost */
	while (bed.n)
		mock_deliver(&bed);
	ck_assert_int_eq(mock_sa(&bed, 1)->state, IKE_SA_HALF_OPEN);
	ck_assert_ptr_nonnull(mock_sa(&bed, 1)->reasm[0]);
	mock_tick(&bed, mock_rexmit_max_ms(0));
	ck_assert_uint_eq(bed.n, n);   /* every fragment again, byte for byte */
	for (size_t i = 0; i < n; i++)
		ck_assert_mem_eq(bed.q[i].data, first[i].data, first[i].len);
	finish_established(&bed);
	assert_no_drops(&bed);
	mock_free(&bed);
}
END_TEST

START_TEST(lost_response_resent_on_fragment_one)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	frag_config(&bed, true, true, SMALL);
	mock_start(&bed);
	to_auth(&bed);
	size_t n = assert_fragments(&bed, mock_sa(&bed, 0));
	for (size_t i = 0; i < n; i++)
		mock_deliver(&bed);
	size_t m = assert_fragments(&bed, mock_sa(&bed, 1));
	while (bed.n)
		mock_drop(&bed);          /* B's response is lost */
	mock_tick(&bed, mock_rexmit_max_ms(0));
	ck_assert_uint_eq(bed.n, n);
	mock_deliver_at(&bed, 1);     /* fragment 2 of the answered request: ignored */
	ck_assert_uint_eq(bed.n, n - 1);
	mock_deliver(&bed);           /* fragment 1: the cached response again */
	ck_assert_uint_eq(bed.n, n - 2 + m);
	while (bed.n > m)
		mock_deliver(&bed);       /* the rest: ignored */
	ck_assert_uint_eq(bed.n, m);
	finish_established(&bed);
	assert_no_drops(&bed);
	ck_assert_uint_eq(mock_active_children(&bed, 1), 1);   /* processed once */
	mock_free(&bed);
}
END_TEST

START_TEST(partial_message_expires)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	frag_config(&bed, true, true, SMALL);
	mock_start(&bed);
	to_auth(&bed);
	assert_fragments(&bed, mock_sa(&bed, 0));
	mock_deliver(&bed);
	ck_assert_ptr_nonnull(mock_sa(&bed, 1)->reasm[0]);
	while (bed.n)
		mock_drop(&bed);
	bed.dead[0] = bed.dead[1] = true;   /* retransmissions vanish */
	mock_tick(&bed, IKE_REASM_TIMEOUT_MS);
	ck_assert_ptr_nonnull(mock_sa(&bed, 1)->reasm[0]);
	mock_tick(&bed, 1);
	ck_assert_ptr_null(mock_sa(&bed, 1)->reasm[0]);
	mock_free(&bed);
}
END_TEST

/* --- the reassembly table -------------------------------------------- */

struct reasm_step {
	uint32_t msg_id;
	uint16_t num, total;
	size_t len;
	uint64_t at_ms;
	enum ike_reasm_result want;
};

static const struct reasm_step steps[] = {
	/*  0 */ { 1, 2, 3, 100, 0, IKE_REASM_KEPT },          /* out of order */
	/*  1 */ { 1, 2, 3, 100, 1, IKE_REASM_DUPLICATE },
	/*  2 */ { 1, 1, 3, 100, 2, IKE_REASM_KEPT },
	/*  3 */ { 1, 3, 2, 10, 3, IKE_REASM_STALE },          /* fewer Total Fragments */
	/*  4 */ { 1, 3, 3, 50, 4, IKE_REASM_COMPLETE },
	/*  5 */ { 2, 1, 2, 20000, 10, IKE_REASM_KEPT },
	/*  6 */ { 2, 2, 2, IKE_REASM_MAX - 19999, 11, IKE_REASM_TOO_LARGE },
	/*  7 */ { 3, 1, 2, 10, 20, IKE_REASM_KEPT },
	/*  8 */ { 3, 2, 4, 10, 21, IKE_REASM_KEPT },          /* more: start over */
	/*  9 */ { 3, 1, 4, 10, 22, IKE_REASM_KEPT },          /* not a duplicate now */
	/* 10 */ { 3, 3, 4, 10, 23, IKE_REASM_KEPT },
	/* 11 */ { 3, 4, 4, 10, 24, IKE_REASM_COMPLETE },
	/* 12 */ { 4, 1, 2, 10, 100, IKE_REASM_KEPT },
	/* 13 */ { 4, 2, 2, 10, 100 + IKE_REASM_TIMEOUT_MS + 1, IKE_REASM_KEPT },   /* stale: over */
	/* 14 */ { 5, 1, 2, 10, 20000, IKE_REASM_KEPT },       /* another message ID: over */
	/* 15 */ { 5, 2, 2, IKE_REASM_MAX - 10, 20001, IKE_REASM_COMPLETE },        /* at the bound */
	/* 16 */ { 6, 1, IKE_FRAG_MAX, 0, 30000, IKE_REASM_KEPT },                 /* empty parts */
};

START_TEST(reassembly_table)
{
	static uint8_t data[IKE_REASM_MAX];
	struct ike_reasm *slot = NULL;
	uint8_t *out, first;
	size_t len;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)i;
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		const struct reasm_step *s = &steps[i];
		enum ike_reasm_result r = ike_reasm_add(&slot, s->msg_id, s->num, s->total,
							(uint8_t)(0x20 + s->num), data,
							s->len, s->at_ms);
		ck_assert_msg(r == s->want, "step %zu: %d, expected %d", i, r, s->want);
		if (r == IKE_REASM_TOO_LARGE)
			ck_assert_ptr_null(slot);
		if (r != IKE_REASM_COMPLETE)
			continue;
		ck_assert_int_eq(ike_reasm_take(&slot, &out, &len, &first), 0);
		ck_assert_ptr_null(slot);
		ck_assert_uint_eq(first, 0x21);   /* fragment 1's Next Payload */
		if (i == 4)
			ck_assert_uint_eq(len, 250);
		if (i == 15)
			ck_assert_uint_eq(len, IKE_REASM_MAX);
		free(out);
	}
	ck_assert_int_eq(ike_reasm_take(&slot, &out, &len, &first), -EINVAL);   /* not whole */
	ike_reasm_free(&slot);
	ck_assert_ptr_null(slot);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ike_frag");
	TCase *t = tcase_create("rfc7383");

	tcase_set_timeout(t, 60);
	tcase_add_test(t, fragmented_auth_both_ways);
	tcase_add_test(t, not_negotiated_when_one_side_off);
	tcase_add_loop_test(t, cbc_suite_fragmented, 0,
			    (int)(sizeof(cbc_suites) / sizeof(cbc_suites[0])));
	tcase_add_test(t, reordered_and_duplicated);
	tcase_add_test(t, forged_fragment_dropped_before_kept);
	tcase_add_test(t, misnumbered_and_unnegotiated_counted);
	tcase_add_test(t, lost_fragment_all_retransmitted);
	tcase_add_test(t, lost_response_resent_on_fragment_one);
	tcase_add_test(t, partial_message_expires);
	tcase_add_test(t, reassembly_table);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return lg_check_run(suite());
}

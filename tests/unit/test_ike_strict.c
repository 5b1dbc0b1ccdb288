/* Protocol strictness (RFC 7296), as numbered tables through the real
 * ike_input(): critical payloads we do not implement (§2.5), a higher major
 * version (§2.5, answered per §1.5), SPIi zero and SPI sizes in IKE_SA_INIT
 * (§3.1, §3.3.1), payloads in the wrong place or repeated (§1.2-§1.4, §3),
 * in the clear and inside SK. Every row says what must come back and what
 * state must (not) be left. */
#include "test_ike_mock.h"
#include "check_main.h"

static struct mock_bed bed;

enum { NO_ANSWER = -1 };

/* What to do to an otherwise valid IKE_SA_INIT request. */
struct init_case {
	const char *what;
	uint8_t extra_type;        /* a payload appended (0 = none) */
	bool extra_critical;
	uint8_t version;           /* 0 = ours */
	bool response_flag;
	bool zero_spi;
	size_t proposal_spi;       /* SPI Size of the proposal */
	uint8_t twice;             /* SA, KE or Nonce sent twice */
	int answer;                /* notify expected back, NO_ANSWER, or 0 = normal response */
	int answer_data;           /* first data octet of the notify, -1 = none */
	bool half_open;            /* a half-open SA is left */
	enum ike_drop drop;        /* the counter that counts the refusal */
};

static const struct init_case init_cases[] = {
	/*  0 */ { "unknown critical", 100, true, 0, false, false, 0, 0,
		   IKEV2_NOTIFY_UNSUPPORTED_CRITICAL_PAYLOAD, 100, false, IKE_DROP_CRITICAL },
	/*  1 */ { "CERT critical", IKEV2_PAYLOAD_CERT, true, 0, false, false, 0, 0,
		   IKEV2_NOTIFY_UNSUPPORTED_CRITICAL_PAYLOAD, IKEV2_PAYLOAD_CERT, false, IKE_DROP_CRITICAL },
	/*  2 */ { "CERTREQ critical", IKEV2_PAYLOAD_CERTREQ, true, 0, false, false, 0, 0,
		   IKEV2_NOTIFY_UNSUPPORTED_CRITICAL_PAYLOAD, IKEV2_PAYLOAD_CERTREQ, false,
		   IKE_DROP_CRITICAL },
	/*  3 */ { "CP critical", IKEV2_PAYLOAD_CP, true, 0, false, false, 0, 0,
		   IKEV2_NOTIFY_UNSUPPORTED_CRITICAL_PAYLOAD, IKEV2_PAYLOAD_CP, false, IKE_DROP_CRITICAL },
	/*  4 */ { "EAP critical", IKEV2_PAYLOAD_EAP, true, 0, false, false, 0, 0,
		   IKEV2_NOTIFY_UNSUPPORTED_CRITICAL_PAYLOAD, IKEV2_PAYLOAD_EAP, false, IKE_DROP_CRITICAL },
	/*  5 */ { "SKF (RFC 7383): no place in IKE_SA_INIT", IKEV2_PAYLOAD_SKF, true, 0, false, false,
		   0, 0, NO_ANSWER, -1, false, IKE_DROP_PLACEMENT },
	/*  6 */ { "unknown, not critical: skipped", 100, false, 0, false, false, 0, 0,
		   0, -1, true, IKE_DROP_COUNT },
	/*  7 */ { "CERTREQ, not critical: allowed", IKEV2_PAYLOAD_CERTREQ, false, 0, false, false, 0, 0,
		   0, -1, true, IKE_DROP_COUNT },
	/*  8 */ { "major version 3", 0, false, 0x30, false, false, 0, 0,
		   IKEV2_NOTIFY_INVALID_MAJOR_VERSION, -1, false, IKE_DROP_VERSION },
	/*  9 */ { "major version 15, minor 15", 0, false, 0xff, false, false, 0, 0,
		   IKEV2_NOTIFY_INVALID_MAJOR_VERSION, -1, false, IKE_DROP_VERSION },
	/* 10 */ { "major version 3 in a response: never answered", 0, false, 0x30, true, false, 0, 0,
		   NO_ANSWER, -1, false, IKE_DROP_VERSION },
	/* 11 */ { "IKEv1 (major 1): dropped", 0, false, 0x10, false, false, 0, 0,
		   NO_ANSWER, -1, false, IKE_DROP_VERSION },
	/* 12 */ { "minor version 2.1: accepted", 0, false, 0x21, false, false, 0, 0,
		   0, -1, true, IKE_DROP_COUNT },
	/* 13 */ { "SPIi zero", 0, false, 0, false, true, 0, 0,
		   NO_ANSWER, -1, false, IKE_DROP_MALFORMED },
	/* 14 */ { "8-byte SPI in the proposal", 0, false, 0, false, false, 8, 0,
		   NO_ANSWER, -1, false, IKE_DROP_MALFORMED },
	/* 15 */ { "4-byte SPI in the proposal", 0, false, 0, false, false, 4, 0,
		   NO_ANSWER, -1, false, IKE_DROP_MALFORMED },
	/* 16 */ { "IDi in the clear", IKEV2_PAYLOAD_IDi, false, 0, false, false, 0, 0,
		   NO_ANSWER, -1, false, IKE_DROP_PLACEMENT },
	/* 17 */ { "AUTH in the clear", IKEV2_PAYLOAD_AUTH, false, 0, false, false, 0, 0,
		   NO_ANSWER, -1, false, IKE_DROP_PLACEMENT },
	/* 18 */ { "TSi in the clear", IKEV2_PAYLOAD_TSi, false, 0, false, false, 0, 0,
		   NO_ANSWER, -1, false, IKE_DROP_PLACEMENT },
	/* 19 */ { "DELETE in the clear", IKEV2_PAYLOAD_DELETE, false, 0, false, false, 0, 0,
		   NO_ANSWER, -1, false, IKE_DROP_PLACEMENT },
	/* 20 */ { "two SA payloads", 0, false, 0, false, false, 0, IKEV2_PAYLOAD_SA,
		   NO_ANSWER, -1, false, IKE_DROP_PLACEMENT },
	/* 21 */ { "two KE payloads", 0, false, 0, false, false, 0, IKEV2_PAYLOAD_KE,
		   NO_ANSWER, -1, false, IKE_DROP_PLACEMENT },
	/* 22 */ { "two Nonce payloads", 0, false, 0, false, false, 0, IKEV2_PAYLOAD_NONCE,
		   NO_ANSWER, -1, false, IKE_DROP_PLACEMENT },
};

/* A body that decodes for each type we may append. */
static void extra_payload(struct ike_builder *b, uint8_t type, bool critical)
{
	static const uint8_t ts[] = { 1, 0, 0, 0, 7, 0, 0, 16, 0, 0, 255, 255,
				      10, 212, 1, 0, 10, 212, 1, 255 };
	static const uint8_t id[] = { 2, 0, 0, 0, 'x', '.', 't' };
	static const uint8_t del[] = { 1, 0, 0, 0 };
	static const uint8_t opaque[] = { 1, 2, 3, 4 };

	ike_build_begin(b, type);
	if (critical)
		b->buf[b->open + 1] = 0x80;
	if (type == IKEV2_PAYLOAD_TSi)
		ike_build_bytes(b, ts, sizeof(ts));
	else if (type == IKEV2_PAYLOAD_IDi || type == IKEV2_PAYLOAD_AUTH)
		ike_build_bytes(b, id, sizeof(id));
	else if (type == IKEV2_PAYLOAD_DELETE)
		ike_build_bytes(b, del, sizeof(del));
	else
		ike_build_bytes(b, opaque, sizeof(opaque));
	ike_build_end(b);
}

static size_t build_init(const struct init_case *c, uint8_t spi_i[8], uint8_t *out)
{
	static const uint8_t zero[8];
	static const uint8_t spi[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct ike_builder *b = malloc(sizeof(*b));
	uint8_t pub[32], nonce[32];
	size_t len;

	ck_assert_ptr_nonnull(b);
	randombytes_buf(spi_i, 8);
	if (c->zero_spi)
		memset(spi_i, 0, 8);
	randombytes_buf(pub, sizeof(pub));
	randombytes_buf(nonce, sizeof(nonce));
	ike_build_start(b, spi_i, zero, IKEV2_EXCHANGE_IKE_SA_INIT,
			IKEV2_FLAG_INITIATOR | (c->response_flag ? IKEV2_FLAG_RESPONSE : 0), 0);
	for (int k = 0; k < (c->twice == IKEV2_PAYLOAD_SA ? 2 : 1); k++)
		ike_build_sa(b, &FIXTURE_IKE_CHACHA, 1, IKEV2_PROTO_IKE, c->proposal_spi ? spi : NULL,
			     c->proposal_spi, true);
	for (int k = 0; k < (c->twice == IKEV2_PAYLOAD_KE ? 2 : 1); k++)
		ike_build_ke(b, IKEV2_DH_CURVE25519, pub, sizeof(pub));
	for (int k = 0; k < (c->twice == IKEV2_PAYLOAD_NONCE ? 2 : 1); k++)
		ike_build_nonce(b, nonce, sizeof(nonce));
	if (c->extra_type)
		extra_payload(b, c->extra_type, c->extra_critical);
	ck_assert_int_eq(ike_build_finish(b), 0);
	if (c->version)
		b->buf[17] = c->version;
	memcpy(out, b->buf, b->len);
	len = b->len;
	free(b);
	return len;
}

static void deliver_to_b(const uint8_t *msg, size_t len)
{
	struct ike_datagram d;

	memset(&d, 0, sizeof(d));
	mock_addr(0, 500, &d.remote);
	mock_addr(1, 500, &d.local);
	snprintf(d.ifname, sizeof(d.ifname), "ua");
	d.data = msg;
	d.len = len;
	ike_input(bed.node[1].ike, &d, bed.now);
}

/* The single notify of a plain answer (type, first data octet or -1). */
static void plain_notify(const struct mock_msg *m, struct ike_notify *n)
{
	struct ike_header h;
	struct ike_payload_list l;

	ck_assert_int_eq(ike_header_parse(m->data, m->len, &h), 0);
	ck_assert_int_eq(ike_payloads_split(h.next_payload, m->data + IKEV2_HEADER_LEN,
					    m->len - IKEV2_HEADER_LEN, &l), 0);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_int_eq(ike_decode_notify(&l.p[0], n), 0);
}

START_TEST(sa_init_table)
{
	const struct init_case *c = &init_cases[_i];
	uint8_t msg[IKE_MSG_MAX], spi[8];
	size_t len;

	mock_init(&bed, CONF_ROLE_RESPONDER, CONF_ROLE_RESPONDER);
	mock_start(&bed);
	len = build_init(c, spi, msg);
	deliver_to_b(msg, len);
	ck_assert_msg(mock_sa_count(&bed, 1) == (c->half_open ? 1u : 0u), "%d %s: state", _i, c->what);
	if (c->drop != IKE_DROP_COUNT)
		ck_assert_msg(bed.node[1].ike->drops[c->drop] == 1, "%d %s: counter %s", _i, c->what,
			      ike_drop_name(c->drop));
	if (c->answer == NO_ANSWER) {
		ck_assert_msg(bed.n == 0, "%d %s: answered", _i, c->what);
		goto out;
	}
	ck_assert_msg(bed.n == 1, "%d %s: no answer", _i, c->what);
	const uint8_t *a = bed.q[0].data;
	ck_assert_mem_eq(a, spi, 8);                        /* SPIs copied (§1.5) */
	ck_assert_uint_eq(a[17], IKEV2_VERSION);            /* the version we speak */
	ck_assert_uint_eq(a[18], IKEV2_EXCHANGE_IKE_SA_INIT);
	ck_assert(a[19] & IKEV2_FLAG_RESPONSE);
	ck_assert_uint_eq(mock_msg_id(&bed, 0), 0);
	if (c->answer) {
		/* a stateless answer never outgrows its request (reflection) */
		ck_assert_uint_le(bed.q[0].len, len > IKE_STATELESS_MIN ? len : IKE_STATELESS_MIN);
		struct ike_notify n;
		plain_notify(&bed.q[0], &n);
		ck_assert_msg(n.type == c->answer, "%d %s: notify %u", _i, c->what, n.type);
		if (c->answer_data >= 0) {
			ck_assert_uint_eq(n.data_len, 1);
			ck_assert_uint_eq(n.data[0], (uint8_t)c->answer_data);
		}
	}
out:
	mock_free(&bed);
}
END_TEST

/* A bare header (28 bytes) with version 3: answered all the same (36
 * bytes, the only answer that may outgrow its request, by 8 bytes). */
START_TEST(version_header_only)
{
	uint8_t msg[IKEV2_HEADER_LEN] = { 1, 2, 3, 4, 5, 6, 7, 8 };

	mock_init(&bed, CONF_ROLE_RESPONDER, CONF_ROLE_RESPONDER);
	mock_start(&bed);
	msg[17] = 0x30;
	msg[18] = IKEV2_EXCHANGE_IKE_SA_INIT;
	msg[19] = IKEV2_FLAG_INITIATOR;
	msg[27] = IKEV2_HEADER_LEN;
	deliver_to_b(msg, sizeof(msg));
	ck_assert_uint_eq(bed.n, 1);
	struct ike_notify n;
	plain_notify(&bed.q[0], &n);
	ck_assert_uint_eq(n.type, IKEV2_NOTIFY_INVALID_MAJOR_VERSION);
	mock_free(&bed);
}
END_TEST

/* Inside SK: a request from A on the established SA with inner payloads
 * made to measure; B's encrypted answer is read with A's keys. */
struct inner_case {
	const char *what;
	uint8_t exchange;
	uint8_t extra_type;
	bool critical;
	int count;                 /* how many times the extra payload is sent */
	uint16_t answer;           /* the notify in B's response */
	int answer_data;
};

static const struct inner_case inner_cases[] = {
	/* 0 */ { "INFORMATIONAL, unknown critical", IKEV2_EXCHANGE_INFORMATIONAL, 100, true, 1,
		  IKEV2_NOTIFY_UNSUPPORTED_CRITICAL_PAYLOAD, 100 },
	/* 1 */ { "INFORMATIONAL, CERTREQ critical", IKEV2_EXCHANGE_INFORMATIONAL,
		  IKEV2_PAYLOAD_CERTREQ, true, 1, IKEV2_NOTIFY_UNSUPPORTED_CRITICAL_PAYLOAD,
		  IKEV2_PAYLOAD_CERTREQ },
	/* 2 */ { "INFORMATIONAL, CP critical", IKEV2_EXCHANGE_INFORMATIONAL, IKEV2_PAYLOAD_CP, true,
		  1, IKEV2_NOTIFY_UNSUPPORTED_CRITICAL_PAYLOAD, IKEV2_PAYLOAD_CP },
	/* 3 */ { "CREATE_CHILD_SA, EAP critical", IKEV2_EXCHANGE_CREATE_CHILD_SA, IKEV2_PAYLOAD_EAP,
		  true, 1, IKEV2_NOTIFY_UNSUPPORTED_CRITICAL_PAYLOAD, IKEV2_PAYLOAD_EAP },
	/* 4 */ { "INFORMATIONAL, SKF inside SK", IKEV2_EXCHANGE_INFORMATIONAL, IKEV2_PAYLOAD_SKF,
		  true, 1, IKEV2_NOTIFY_INVALID_SYNTAX, -1 },
	/* 5 */ { "INFORMATIONAL, KE", IKEV2_EXCHANGE_INFORMATIONAL, IKEV2_PAYLOAD_KE, false, 1,
		  IKEV2_NOTIFY_INVALID_SYNTAX, -1 },
	/* 6 */ { "INFORMATIONAL, IDi", IKEV2_EXCHANGE_INFORMATIONAL, IKEV2_PAYLOAD_IDi, false, 1,
		  IKEV2_NOTIFY_INVALID_SYNTAX, -1 },
	/* 7 */ { "INFORMATIONAL, SK inside SK", IKEV2_EXCHANGE_INFORMATIONAL, IKEV2_PAYLOAD_SK,
		  false, 1, IKEV2_NOTIFY_INVALID_SYNTAX, -1 },
	/* 8 */ { "INFORMATIONAL, two CP", IKEV2_EXCHANGE_INFORMATIONAL, IKEV2_PAYLOAD_CP, false, 2,
		  IKEV2_NOTIFY_INVALID_SYNTAX, -1 },
	/* 9 */ { "CREATE_CHILD_SA, AUTH", IKEV2_EXCHANGE_CREATE_CHILD_SA, IKEV2_PAYLOAD_AUTH, false, 1,
		  IKEV2_NOTIFY_INVALID_SYNTAX, -1 },
	/* 10 */ { "CREATE_CHILD_SA, two Nonces", IKEV2_EXCHANGE_CREATE_CHILD_SA, IKEV2_PAYLOAD_NONCE,
		   false, 2, IKEV2_NOTIFY_INVALID_SYNTAX, -1 },
	/* 11 */ { "CREATE_CHILD_SA, two TSi", IKEV2_EXCHANGE_CREATE_CHILD_SA, IKEV2_PAYLOAD_TSi,
		   false, 2, IKEV2_NOTIFY_INVALID_SYNTAX, -1 },
};

static void inner_extra(struct ike_builder *b, const struct inner_case *c)
{
	static const uint8_t ke[] = { 0, 31, 0, 0, 1, 2, 3, 4 };
	static const uint8_t nonce[16] = { 1 };

	for (int k = 0; k < c->count; k++) {
		if (c->extra_type == IKEV2_PAYLOAD_KE) {
			ike_build_begin(b, IKEV2_PAYLOAD_KE);
			ike_build_bytes(b, ke, sizeof(ke));
			ike_build_end(b);
		} else if (c->extra_type == IKEV2_PAYLOAD_NONCE) {
			ike_build_nonce(b, nonce, sizeof(nonce));
		} else {
			extra_payload(b, c->extra_type, c->critical);
		}
	}
}

/* B's (encrypted) answer, decrypted with A's keys: its first notify. */
static void inner_notify(struct ike_sa *a, const struct mock_msg *m, struct ike_notify *n)
{
	uint8_t buf[IKE_MSG_MAX];
	struct ike_header h;
	struct ike_payload_list outer, inner;
	const uint8_t *plain;
	size_t plain_len;

	memcpy(buf, m->data, m->len);
	ck_assert_int_eq(ike_header_parse(buf, m->len, &h), 0);
	ck_assert(ike_hdr_is_response(&h));
	ck_assert_int_eq(ike_payloads_split(h.next_payload, buf + IKEV2_HEADER_LEN,
					    m->len - IKEV2_HEADER_LEN, &outer), 0);
	ck_assert_uint_eq(outer.n, 1);
	struct ike_sk_key kin = ike_sk_key_in(a);
	ck_assert_int_eq(ike_sk_open(&kin, buf, (size_t)(outer.p[0].body - buf), m->len, &plain,
				     &plain_len), 0);
	ck_assert_int_eq(ike_payloads_split(outer.sk_next, plain, plain_len, &inner), 0);
	ck_assert_uint_ge(inner.n, 1);
	ck_assert_uint_eq(inner.p[0].type, IKEV2_PAYLOAD_NOTIFY);
	ck_assert_int_eq(ike_decode_notify(&inner.p[0], n), 0);
}

START_TEST(inner_table)
{
	const struct inner_case *c = &inner_cases[_i];
	struct ike_builder *b = malloc(sizeof(*b));
	struct ike_notify n;

	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	mock_start(&bed);
	mock_establish(&bed);
	struct ike_sa *a = mock_sa(&bed, 0), *sb = mock_sa(&bed, 1);
	uint32_t in_before = sb->msg_id_in;
	ike_req_start(a, b, c->exchange);
	inner_extra(b, c);
	ck_assert_int_eq(ike_req_send(a, b, IKE_TASK_DPD), 0);
	free(b);
	mock_deliver(&bed);
	ck_assert_msg(bed.n == 1, "%d %s: no answer", _i, c->what);
	inner_notify(a, &bed.q[0], &n);
	ck_assert_msg(n.type == c->answer, "%d %s: notify %u", _i, c->what, n.type);
	if (c->answer_data >= 0) {
		ck_assert_uint_eq(n.data_len, 1);
		ck_assert_uint_eq(n.data[0], (uint8_t)c->answer_data);
	}
	ck_assert_uint_eq(sb->msg_id_in, in_before + 1);   /* answered, not reprocessed */
	ck_assert_uint_eq(mock_active_children(&bed, 1), 1);
	mock_drop(&bed);
	ike_req_clear(a);
	a->msg_id_out++;
	/* the SA carries on */
	ck_assert_int_eq(ike_info_dpd_start(a), 0);
	mock_run(&bed);
	ck_assert(!a->req.active);
	ck_assert_int_eq(sb->state, IKE_SA_ESTABLISHED);
	mock_free(&bed);
}
END_TEST

/* IKE_AUTH with two IDi payloads: INVALID_SYNTAX, and no SA comes up. */
START_TEST(ike_auth_duplicate_id)
{
	struct ike_builder *b = malloc(sizeof(*b));
	struct ike_notify n;

	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	mock_start(&bed);
	mock_tick(&bed, 100);
	mock_deliver(&bed);
	mock_deliver(&bed);                    /* A: AUTH_SENT */
	mock_drop(&bed);                       /* its genuine IKE_AUTH */
	struct ike_sa *a = mock_sa(&bed, 0);
	struct child_sa *keep = a->req.new_child;
	a->req.new_child = NULL;
	child_sa_free_unlinked(keep);
	ike_req_clear(a);
	ike_req_start(a, b, IKEV2_EXCHANGE_IKE_AUTH);
	extra_payload(b, IKEV2_PAYLOAD_IDi, false);
	extra_payload(b, IKEV2_PAYLOAD_IDi, false);
	extra_payload(b, IKEV2_PAYLOAD_AUTH, false);
	ck_assert_int_eq(ike_req_send(a, b, IKE_TASK_DPD), 0);
	free(b);
	mock_deliver(&bed);
	ck_assert_uint_eq(bed.n, 1);
	inner_notify(a, &bed.q[0], &n);
	ck_assert_uint_eq(n.type, IKEV2_NOTIFY_INVALID_SYNTAX);
	ck_assert_int_eq(mock_sa(&bed, 1)->state, IKE_SA_HALF_OPEN);
	ck_assert_uint_eq(mock_active_children(&bed, 1), 0);
	ck_assert_uint_eq(bed.node[1].ike->drops[IKE_DROP_PLACEMENT], 1);
	mock_free(&bed);
}
END_TEST

/* A plain payload beside SK in an encrypted exchange: unauthenticated, so
 * dropped without an answer and without touching the SA. */
START_TEST(plain_payload_beside_sk)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	mock_start(&bed);
	mock_establish(&bed);
	struct ike_sa *a = mock_sa(&bed, 0), *sb = mock_sa(&bed, 1);
	struct ike_builder *b = malloc(sizeof(*b));
	ike_build_start(b, a->spi_i, a->spi_r, IKEV2_EXCHANGE_INFORMATIONAL, IKEV2_FLAG_INITIATOR,
			a->msg_id_out);
	extra_payload(b, IKEV2_PAYLOAD_IDi, false);
	ike_build_sk_begin(b);
	struct ike_sk_key kout = ike_sk_key_out(a);
	ck_assert_int_eq(ike_build_finish_sk(b, &kout), 0);
	uint32_t in_before = sb->msg_id_in;
	struct ike_datagram d;
	memset(&d, 0, sizeof(d));
	mock_addr(0, 4500, &d.remote);
	mock_addr(1, 4500, &d.local);
	d.natt = true;
	d.data = b->buf;
	d.len = b->len;
	ike_input(bed.node[1].ike, &d, bed.now);
	free(b);
	ck_assert_uint_eq(bed.n, 0);
	ck_assert_uint_eq(sb->msg_id_in, in_before);
	ck_assert_uint_eq(bed.node[1].ike->drops[IKE_DROP_PLACEMENT], 1);
	mock_free(&bed);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ike_strict");
	TCase *t = tcase_create("rfc7296");

	tcase_add_loop_test(t, sa_init_table, 0, sizeof(init_cases) / sizeof(init_cases[0]));
	tcase_add_test(t, version_header_only);
	tcase_add_loop_test(t, inner_table, 0, sizeof(inner_cases) / sizeof(inner_cases[0]));
	tcase_add_test(t, ike_auth_duplicate_id);
	tcase_add_test(t, plain_payload_beside_sk);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return lg_check_run(suite());
}

/* In-process IKE exchanges between two linegate instances over a mock
 * transport (test_ike_mock.h), asserting the state after every message:
 * IKE_SA_INIT + IKE_AUTH (PSK, Ed25519), lost and duplicated messages,
 * errors (wrong PSK, no proposal, wrong group, selectors), rekeying of CHILD
 * and IKE SAs from both sides and their collision, liveness and DELETE. */
#include "test_ike_mock.h"
#include "check_main.h"

static struct mock_bed bed;

START_TEST(psk_establish)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	mock_start(&bed);
	mock_establish(&bed);
	/* the first child is the configured subnets, routes for the remote one */
	const struct esp_child_params *a = mock_active_child(&bed, 0, 0);
	char buf[64];
	ck_assert_str_eq(lg_prefix_format(&a->local_ts[0], buf, sizeof(buf)), "10.212.1.0/24");
	ck_assert_str_eq(lg_prefix_format(&a->remote_ts[0], buf, sizeof(buf)), "10.212.2.0/24");
	ck_assert_uint_eq(lg_sockaddr_port(&a->peer), 4500);
	ck_assert_int_eq(bed.node[0].routes, 1);
	ck_assert_int_eq(bed.node[1].routes, 1);
	ck_assert_int_eq(bed.audit[AUDIT_AUTH_SUCCESS][AUDIT_SUCCESS], 2);
	ck_assert_int_eq(bed.audit[AUDIT_IKE_SA_UP][AUDIT_SUCCESS], 2);
	ck_assert_int_eq(bed.audit[AUDIT_CHILD_SA_UP][AUDIT_SUCCESS], 2);
	ck_assert(ike_peer_up(bed.node[0].ike, "site-b"));
	struct ike_sa_info info[2];
	ck_assert_uint_eq(ike_list_sas(bed.node[0].ike, info, 2), 1);
	ck_assert_str_eq(info[0].state, "established");
	ck_assert_str_eq(info[0].encr, "chacha20poly1305");
	ck_assert_uint_eq(info[0].n_children, 1);
	mock_free(&bed);
}
END_TEST

static void use_ed25519(struct mock_bed *b)
{
	const char *v = getenv("LG_VECTORS");
	char dir[160];

	ck_assert_ptr_nonnull(v);
	ck_assert_uint_lt(strlen(v), 100);
	snprintf(dir, sizeof(dir), "%.100s/chacha20poly1305-ed25519/ed25519", v);
	for (int i = 0; i < 2; i++) {
		struct conf_peer *p = &b->node[i].cfg.peers[0];
		p->auth = CONF_AUTH_ED25519;
		snprintf(p->private_key_file, sizeof(p->private_key_file), "%.160s/gw%c.key.pem", dir,
			 'a' + i);
		snprintf(p->peer_public_key_file, sizeof(p->peer_public_key_file), "%.160s/gw%c.pub.pem",
			 dir, 'b' - i);
	}
}

/* An established SA keeps what its life needs, not what its setup needed:
 * no exchange secrets (the pool has none in use), no IKE_SA_INIT messages,
 * no DH public value; the nonces exactly as long as sent. The same for the
 * SAs an IKE rekey makes, on both sides. */
static void assert_lean(struct mock_bed *b)
{
	for (int i = 0; i < 2; i++)
		for (struct ike_sa *sa = b->node[i].ike->sas; sa; sa = sa->next) {
			ck_assert_int_eq(sa->state, IKE_SA_ESTABLISHED);
			ck_assert_ptr_null(sa->sec);
			ck_assert_ptr_null(sa->init_i);
			ck_assert_ptr_null(sa->init_r);
			ck_assert_uint_eq(sa->init_i_len + sa->init_r_len, 0);
			ck_assert_ptr_null(sa->dh_pub);
			ck_assert_ptr_nonnull(sa->ni);
			ck_assert_ptr_nonnull(sa->nr);
			ck_assert_uint_eq(sa->ni_len, IKEV2_NONCE_LEN);
			ck_assert_uint_eq(sa->nr_len, IKEV2_NONCE_LEN);
			ck_assert_ptr_null(sa->peer_rekey_min_nonce);
		}
	ck_assert_uint_eq(ike_exch_secret_in_use(), 0);
}

START_TEST(established_sa_keeps_no_setup_state)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	mock_start(&bed);
	mock_establish(&bed);
	assert_lean(&bed);
	for (int who = 0; who < 2; who++) {
		ck_assert_int_eq(ike_rekey_ike_start(mock_sa(&bed, who)), 0);
		ck_assert_uint_eq(ike_exch_secret_in_use(), 1);   /* the new SA's key pair */
		mock_settle(&bed, 5);
		mock_run(&bed);
		ck_assert_uint_eq(mock_sa_count(&bed, 0), 1);
		ck_assert_uint_eq(mock_sa_count(&bed, 1), 1);
		assert_lean(&bed);
	}
	/* a CHILD rekey (no PFS) and a new exchange after it still work */
	ck_assert_int_eq(ike_child_rekey_start(mock_sa(&bed, 0), mock_sa(&bed, 0)->children), 0);
	mock_settle(&bed, 5);
	mock_run(&bed);
	assert_lean(&bed);
	mock_assert_children_match(&bed);
	ck_assert_int_eq(ike_info_dpd_start(mock_sa(&bed, 1)), 0);
	mock_run(&bed);
	ck_assert(!mock_sa(&bed, 1)->req.active);
	mock_free(&bed);
}
END_TEST

START_TEST(ed25519_establish)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	use_ed25519(&bed);
	mock_start(&bed);
	mock_establish(&bed);
	ck_assert_int_eq(bed.audit[AUDIT_AUTH_SUCCESS][AUDIT_SUCCESS], 2);
	mock_free(&bed);
}
END_TEST

START_TEST(ed25519_wrong_key)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	use_ed25519(&bed);
	/* B expects A's key to be B's own public key: A's signature cannot verify */
	struct conf_peer *p = &bed.node[1].cfg.peers[0];
	char *s = strstr(p->peer_public_key_file, "gwa.pub");
	ck_assert_ptr_nonnull(s);
	s[2] = 'b';
	mock_start(&bed);
	mock_tick(&bed, 100);
	mock_deliver(&bed);
	mock_deliver(&bed);
	mock_deliver(&bed);                   /* IKE_AUTH -> B: refused */
	ck_assert_uint_eq(mock_sa_count(&bed, 1), 0);
	ck_assert_uint_eq(mock_active_children(&bed, 1), 0);
	mock_deliver(&bed);                   /* AUTHENTICATION_FAILED -> A */
	ck_assert_uint_eq(mock_sa_count(&bed, 0), 0);
	ck_assert_uint_eq(bed.node[0].n_child, 0);
	ck_assert_uint_eq(bed.node[1].n_child, 0);
	mock_free(&bed);
}
END_TEST

START_TEST(wrong_psk)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	mock_write(bed.node[1].cfg.peers[0].psk_file, "another-psk\n", 12);
	mock_start(&bed);
	mock_tick(&bed, 100);
	mock_deliver(&bed);
	mock_deliver(&bed);
	ck_assert_int_eq(mock_sa(&bed, 0)->state, IKE_SA_AUTH_SENT);
	mock_deliver(&bed);                   /* IKE_AUTH -> B */
	ck_assert_uint_eq(mock_sa_count(&bed, 1), 0);
	ck_assert_int_eq(bed.audit[AUDIT_AUTH_FAILURE][AUDIT_FAILURE], 1);
	ck_assert_uint_eq(bed.n, 1);          /* N(AUTHENTICATION_FAILED) */
	mock_deliver(&bed);
	ck_assert_uint_eq(mock_sa_count(&bed, 0), 0);
	ck_assert_int_eq(bed.audit[AUDIT_AUTH_FAILURE][AUDIT_FAILURE], 2);
	ck_assert_uint_eq(bed.node[0].n_child, 0);   /* nothing ever installed */
	ck_assert_uint_eq(bed.node[1].n_child, 0);
	ck_assert_int_eq(bed.node[0].routes, 0);
	/* A tries again after retry-min (1 s ± 20 %), not at once */
	mock_tick(&bed, 700);
	ck_assert_uint_eq(bed.n, 0);
	mock_tick(&bed, 600);
	ck_assert_uint_eq(bed.n, 1);
	mock_free(&bed);
}
END_TEST

START_TEST(no_common_proposal)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	bed.node[1].cfg.peers[0].ike_proposals[0].prf = IKEV2_PRF_HMAC_SHA2_512;
	mock_start(&bed);
	mock_tick(&bed, 100);
	mock_deliver(&bed);
	ck_assert_uint_eq(mock_sa_count(&bed, 1), 0);   /* stateless refusal */
	ck_assert_uint_eq(bed.n, 1);
	mock_deliver(&bed);
	ck_assert_uint_eq(mock_sa_count(&bed, 0), 0);
	ck_assert_int_eq(bed.audit[AUDIT_IKE_EXCHANGE_FAILED][AUDIT_FAILURE], 2);
	mock_free(&bed);
}
END_TEST

START_TEST(no_common_esp_proposal)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	bed.node[1].cfg.peers[0].esp_proposals[0].encr = IKEV2_ENCR_AES_GCM_16;
	bed.node[1].cfg.peers[0].esp_proposals[0].encr_keybits = 256;
	mock_start(&bed);
	mock_tick(&bed, 100);
	mock_deliver(&bed);
	mock_deliver(&bed);
	mock_deliver(&bed);                   /* IKE_AUTH: IKE SA up, no child */
	ck_assert_int_eq(mock_sa(&bed, 1)->state, IKE_SA_ESTABLISHED);
	ck_assert_uint_eq(mock_active_children(&bed, 1), 0);
	mock_deliver(&bed);                   /* A: NO_PROPOSAL_CHOSEN -> closes */
	ck_assert_uint_eq(mock_active_children(&bed, 0), 0);
	mock_tick(&bed, 100);
	ck_assert_int_eq(mock_sa(&bed, 0)->state, IKE_SA_DELETING);
	mock_run(&bed);
	ck_assert_uint_eq(mock_sa_count(&bed, 0), 0);
	ck_assert_uint_eq(mock_sa_count(&bed, 1), 0);
	mock_free(&bed);
}
END_TEST

START_TEST(invalid_ke_then_success)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	struct conf_peer *a = &bed.node[0].cfg.peers[0];
	/* A guesses ECP-256 first; B only accepts 31 */
	a->ike_proposals[1] = a->ike_proposals[0];
	a->ike_proposals[0].dh = IKEV2_DH_ECP256;
	a->n_ike_proposals = 2;
	mock_start(&bed);
	mock_tick(&bed, 100);
	mock_deliver(&bed);
	ck_assert_uint_eq(mock_sa_count(&bed, 1), 0);
	mock_deliver(&bed);                   /* INVALID_KE_PAYLOAD(31) -> A retries */
	ck_assert_int_eq(mock_sa(&bed, 0)->state, IKE_SA_INIT_SENT);
	ck_assert_uint_eq(mock_sa(&bed, 0)->dh_group, IKEV2_DH_CURVE25519);
	mock_run(&bed);
	ck_assert_int_eq(mock_sa(&bed, 0)->state, IKE_SA_ESTABLISHED);
	mock_assert_children_match(&bed);
	ck_assert_uint_eq(mock_active_children(&bed, 0), 1);
	mock_free(&bed);
}
END_TEST

START_TEST(ts_narrowing)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	/* A offers 10.212.0.0/16 on both sides; B narrows to its /24s */
	lg_prefix_parse("10.212.0.0/16", &bed.node[0].cfg.peers[0].local_ts[0]);
	lg_prefix_parse("10.212.0.0/16", &bed.node[0].cfg.peers[0].remote_ts[0]);
	bed.node[0].cfg.peers[0].remote_ts[0].len = 16;
	lg_prefix_parse("10.212.2.0/24", &bed.node[0].cfg.peers[0].remote_ts[0]);
	mock_start(&bed);
	mock_establish(&bed);
	const struct esp_child_params *b = mock_active_child(&bed, 1, 0);
	const struct esp_child_params *a = mock_active_child(&bed, 0, 0);
	char buf[64];
	ck_assert_str_eq(lg_prefix_format(&b->remote_ts[0], buf, sizeof(buf)), "10.212.1.0/24");
	ck_assert_str_eq(lg_prefix_format(&a->local_ts[0], buf, sizeof(buf)), "10.212.1.0/24");
	mock_free(&bed);
}
END_TEST

START_TEST(ts_unacceptable)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	lg_prefix_parse("10.99.0.0/24", &bed.node[1].cfg.peers[0].remote_ts[0]);
	mock_start(&bed);
	mock_tick(&bed, 100);
	mock_run(&bed);
	ck_assert_uint_eq(mock_active_children(&bed, 0), 0);
	ck_assert_uint_eq(mock_active_children(&bed, 1), 0);
	ck_assert_int_ge(bed.audit[AUDIT_IKE_EXCHANGE_FAILED][AUDIT_FAILURE], 2);
	mock_tick(&bed, 100);                 /* A deletes the childless IKE SA */
	mock_run(&bed);
	ck_assert_uint_eq(mock_sa_count(&bed, 0), 0);
	ck_assert_uint_eq(mock_sa_count(&bed, 1), 0);
	mock_free(&bed);
}
END_TEST

/* A's request, sent (or resent) at bed.now with `tries` resends before,
 * goes out again neither before its jittered wait can end nor after. */
static void retransmitted_in_time(int tries)
{
	uint64_t sent = bed.now;

	mock_tick(&bed, mock_rexmit_min_ms(tries) - 1);
	ck_assert_uint_eq(bed.n, 0);          /* not yet */
	mock_tick(&bed, sent + mock_rexmit_max_ms(tries) - bed.now);
	ck_assert_uint_eq(bed.n, 1);
}

START_TEST(lost_packets_retransmit)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	mock_start(&bed);
	mock_tick(&bed, 100);
	mock_drop(&bed);                      /* IKE_SA_INIT request lost */
	retransmitted_in_time(0);             /* after 1 s ±10 % */
	mock_deliver(&bed);
	mock_drop(&bed);                      /* response lost */
	retransmitted_in_time(1);             /* A retransmits; B answers from its cache */
	mock_deliver(&bed);
	ck_assert_uint_eq(mock_sa_count(&bed, 1), 1);
	ck_assert_uint_eq(bed.n, 1);
	mock_deliver(&bed);
	ck_assert_int_eq(mock_sa(&bed, 0)->state, IKE_SA_AUTH_SENT);
	mock_deliver(&bed);                   /* IKE_AUTH -> B */
	mock_drop(&bed);                      /* IKE_AUTH response lost */
	retransmitted_in_time(0);
	mock_deliver(&bed);                   /* duplicate request -> cached response */
	ck_assert_uint_eq(mock_active_children(&bed, 1), 1);
	mock_deliver(&bed);
	ck_assert_int_eq(mock_sa(&bed, 0)->state, IKE_SA_ESTABLISHED);
	mock_assert_children_match(&bed);
	mock_free(&bed);
}
END_TEST

START_TEST(duplicate_request_cached)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	mock_start(&bed);
	mock_establish(&bed);
	ck_assert_int_eq(ike_info_dpd_start(mock_sa(&bed, 0)), 0);
	ck_assert_uint_eq(bed.n, 1);
	bed.q[1] = bed.q[0];                  /* the network duplicates it */
	bed.n = 2;
	uint32_t in_before = mock_sa(&bed, 1)->msg_id_in;
	mock_deliver(&bed);
	mock_deliver(&bed);
	ck_assert_uint_eq(mock_sa(&bed, 1)->msg_id_in, in_before + 1);
	ck_assert_uint_eq(bed.n, 2);          /* two identical responses */
	ck_assert_uint_eq(bed.q[0].len, bed.q[1].len);
	ck_assert_mem_eq(bed.q[0].data, bed.q[1].data, bed.q[0].len);
	mock_deliver(&bed);
	ck_assert(!mock_sa(&bed, 0)->req.active);
	mock_deliver(&bed);                   /* stale response dropped */
	ck_assert_uint_ge(bed.node[0].ike->drops[IKE_DROP_MSG_ID], 1);
	mock_free(&bed);
}
END_TEST

static void child_rekey_by(int who)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	mock_start(&bed);
	mock_establish(&bed);
	struct ike_sa *sa = mock_sa(&bed, who);
	uint32_t old_in = sa->children->spi_in;
	uint32_t peer_old_id = bed.node[1 - who].out_id;
	ck_assert_int_eq(ike_child_rekey_start(sa, sa->children), 0);
	ck_assert_int_eq(sa->children->state, CHILD_SA_REKEYING);
	ck_assert_uint_eq(mock_exchange(&bed, 0), IKEV2_EXCHANGE_CREATE_CHILD_SA);
	mock_deliver(&bed);                   /* request: peer installs the new one */
	ck_assert_uint_eq(mock_active_children(&bed, 1 - who), 2);
	/* ... for inbound only: we do not have it yet */
	ck_assert_uint_eq(bed.node[1 - who].out_id, peer_old_id);
	mock_deliver(&bed);                   /* response: new installed, old deleting */
	ck_assert_uint_eq(mock_active_children(&bed, who), 2);
	ck_assert_uint_ne(bed.node[who].out_id, sa->req.child_id);   /* ours: new at once */
	ck_assert_ptr_nonnull(child_sa_by_spi_in(sa, old_in));
	ck_assert_int_eq(child_sa_by_spi_in(sa, old_in)->state, CHILD_SA_DELETING);
	ck_assert_uint_eq(mock_exchange(&bed, 0), IKEV2_EXCHANGE_INFORMATIONAL);
	mock_deliver(&bed);                   /* DELETE: peer removes the old one */
	ck_assert_uint_eq(mock_active_children(&bed, 1 - who), 1);
	ck_assert_uint_eq(bed.node[1 - who].out_id, mock_active_child(&bed, 1 - who, 0)->child_id);
	mock_deliver(&bed);
	ck_assert_uint_eq(mock_active_children(&bed, who), 1);
	ck_assert_ptr_null(child_sa_by_spi_in(sa, old_in));
	mock_assert_children_match(&bed);
	/* routes survived the make-before-break */
	ck_assert_int_eq(bed.node[0].routes, 1);
	ck_assert_int_eq(bed.node[1].routes, 1);
	ck_assert_int_eq(bed.audit[AUDIT_CHILD_SA_REKEYED][AUDIT_SUCCESS], 2);
	mock_free(&bed);
}

START_TEST(child_rekey_initiator) { child_rekey_by(0); }
END_TEST
START_TEST(child_rekey_responder) { child_rekey_by(1); }
END_TEST

START_TEST(child_rekey_pfs)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	bed.node[0].cfg.peers[0].esp_proposals[0].dh = IKEV2_DH_CURVE25519;
	bed.node[1].cfg.peers[0].esp_proposals[0].dh = IKEV2_DH_CURVE25519;
	mock_start(&bed);
	mock_establish(&bed);
	struct ike_sa *sa = mock_sa(&bed, 0);
	ck_assert_int_eq(ike_child_rekey_start(sa, sa->children), 0);
	mock_run(&bed);
	ck_assert_uint_eq(mock_active_children(&bed, 0), 1);
	ck_assert_uint_eq(mock_sa(&bed, 0)->children->dh, IKEV2_DH_CURVE25519);
	mock_assert_children_match(&bed);
	mock_free(&bed);
}
END_TEST

START_TEST(child_rekey_collision)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	mock_start(&bed);
	mock_establish(&bed);
	struct ike_sa *a = mock_sa(&bed, 0), *b = mock_sa(&bed, 1);
	ck_assert_int_eq(ike_child_rekey_start(a, a->children), 0);
	ck_assert_int_eq(ike_child_rekey_start(b, b->children), 0);
	ck_assert_uint_eq(bed.n, 2);
	mock_deliver(&bed);                   /* A's request -> B (B is rekeying too) */
	mock_deliver(&bed);                   /* B's request -> A */
	ck_assert_uint_eq(mock_active_children(&bed, 0), 2);
	ck_assert_uint_eq(mock_active_children(&bed, 1), 2);
	mock_run(&bed);                       /* responses, then the deletes */
	for (int i = 0; i < 5; i++) {
		mock_tick(&bed, 100);
		mock_run(&bed);
	}
	/* §2.8.1: exactly one new pair survives, the old one and the redundant go */
	ck_assert_uint_eq(mock_active_children(&bed, 0), 1);
	ck_assert_uint_eq(mock_active_children(&bed, 1), 1);
	mock_assert_children_match(&bed);
	ck_assert_uint_eq(child_sa_count(a), 1);
	ck_assert_uint_eq(child_sa_count(b), 1);
	mock_free(&bed);
}
END_TEST

static void ike_rekey_by(int who)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	mock_start(&bed);
	mock_establish(&bed);
	struct ike_sa *old = mock_sa(&bed, who);
	uint32_t child_a = mock_active_child(&bed, 0, 0)->child_id;
	ck_assert_int_eq(ike_rekey_ike_start(old), 0);
	ck_assert_int_eq(old->state, IKE_SA_REKEYING);
	mock_deliver(&bed);                   /* request -> peer: new SA established */
	ck_assert_uint_eq(mock_sa_count(&bed, 1 - who), 2);
	mock_deliver(&bed);                   /* response: ours established, old DELETE */
	ck_assert_int_eq(old->state, IKE_SA_DELETING);
	ck_assert_uint_eq(child_sa_count(old), 0);
	mock_deliver(&bed);
	ck_assert_uint_eq(mock_sa_count(&bed, 1 - who), 1);
	mock_deliver(&bed);
	ck_assert_uint_eq(mock_sa_count(&bed, who), 1);
	/* children moved, not reinstalled; the new SAs' message IDs start at 0 */
	ck_assert_uint_eq(mock_active_children(&bed, 0), 1);
	ck_assert_uint_eq(mock_active_child(&bed, 0, 0)->child_id, child_a);
	for (int i = 0; i < 2; i++) {
		struct ike_sa *n = mock_sa(&bed, i);
		ck_assert_int_eq(n->state, IKE_SA_ESTABLISHED);
		ck_assert_uint_eq(n->msg_id_in, 0);
		ck_assert_uint_eq(n->msg_id_out, 0);
		ck_assert_uint_eq(child_sa_count(n), 1);
		ck_assert(n->initiator == (i == who));
	}
	/* the new SA works: a liveness check in each direction */
	ck_assert_int_eq(ike_info_dpd_start(mock_sa(&bed, 1)), 0);
	ck_assert_uint_eq(mock_msg_id(&bed, 0), 0);
	mock_run(&bed);
	ck_assert(!mock_sa(&bed, 1)->req.active);
	ck_assert_uint_eq(mock_sa(&bed, 1)->msg_id_out, 1);
	ck_assert_int_eq(bed.audit[AUDIT_IKE_SA_REKEYED][AUDIT_SUCCESS], 2);
	mock_free(&bed);
}

START_TEST(ike_rekey_initiator) { ike_rekey_by(0); }
END_TEST
START_TEST(ike_rekey_responder) { ike_rekey_by(1); }
END_TEST

START_TEST(ike_rekey_collision)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	mock_start(&bed);
	mock_establish(&bed);
	ck_assert_int_eq(ike_rekey_ike_start(mock_sa(&bed, 0)), 0);
	ck_assert_int_eq(ike_rekey_ike_start(mock_sa(&bed, 1)), 0);
	mock_deliver(&bed);
	mock_deliver(&bed);
	mock_settle(&bed, 5);
	mock_run(&bed);
	ck_assert_uint_eq(mock_sa_count(&bed, 0), 1);
	ck_assert_uint_eq(mock_sa_count(&bed, 1), 1);
	ck_assert_int_eq(mock_sa(&bed, 0)->state, IKE_SA_ESTABLISHED);
	ck_assert_uint_eq(child_sa_count(mock_sa(&bed, 0)), 1);
	ck_assert_uint_eq(child_sa_count(mock_sa(&bed, 1)), 1);
	ck_assert_mem_eq(mock_sa(&bed, 0)->spi_i, mock_sa(&bed, 1)->spi_i, 8);
	mock_assert_children_match(&bed);
	mock_free(&bed);
}
END_TEST

START_TEST(dpd_timeout_removes)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	mock_start(&bed);
	mock_establish(&bed);
	/* idle for dpd: an empty INFORMATIONAL, answered */
	mock_tick(&bed, 30 * 1000);
	ck_assert_uint_ge(bed.n, 1);
	ck_assert_uint_eq(mock_exchange(&bed, 0), IKEV2_EXCHANGE_INFORMATIONAL);
	mock_run(&bed);
	ck_assert_uint_eq(mock_sa_count(&bed, 0), 1);
	/* inbound ESP counts as life: no check while packets arrive */
	bed.node[0].packets_in = 5;
	bed.node[1].packets_in = 5;
	mock_tick(&bed, 29 * 1000);
	ck_assert_uint_eq(bed.n, 0);
	/* B dies */
	bed.dead[1] = true;
	mock_tick(&bed, 31 * 1000);
	ck_assert_uint_ge(bed.n, 1);
	for (int i = 0; i < 40 && mock_sa_count(&bed, 0); i++) {
		while (bed.n)
			mock_deliver(&bed);
		mock_tick(&bed, 1000);
	}
	ck_assert_uint_eq(mock_active_children(&bed, 0), 0);
	ck_assert_int_eq(bed.node[0].routes, 0);
	ck_assert_int_ge(bed.audit[AUDIT_IKE_SA_DOWN][AUDIT_SUCCESS], 1);
	/* an initiator re-establishes */
	bed.dead[1] = false;
	while (bed.n)
		mock_drop(&bed);
	for (int i = 0; i < 70 && !ike_peer_up(bed.node[0].ike, "site-b"); i++) {
		mock_tick(&bed, 1000);
		while (bed.n)
			mock_deliver(&bed);
	}
	ck_assert(ike_peer_up(bed.node[0].ike, "site-b"));
	mock_free(&bed);
}
END_TEST

START_TEST(delete_both_ways)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	mock_start(&bed);
	mock_establish(&bed);
	/* B deletes the CHILD SA */
	struct ike_sa *b = mock_sa(&bed, 1);
	ck_assert_int_eq(ike_info_delete_child_start(b, b->children), 0);
	mock_deliver(&bed);
	ck_assert_uint_eq(mock_active_children(&bed, 0), 0);
	mock_deliver(&bed);
	ck_assert_uint_eq(mock_active_children(&bed, 1), 0);
	ck_assert_int_eq(bed.node[0].routes, 0);
	/* A deletes the IKE SA (admin) */
	ck_assert_int_eq(ike_terminate(bed.node[0].ike, "site-b", bed.now), 0);
	ck_assert_int_eq(mock_sa(&bed, 0)->state, IKE_SA_DELETING);
	mock_deliver(&bed);
	ck_assert_uint_eq(mock_sa_count(&bed, 1), 0);
	mock_deliver(&bed);
	ck_assert_uint_eq(mock_sa_count(&bed, 0), 0);
	/* admin down: no re-initiation */
	mock_tick(&bed, 120 * 1000);
	ck_assert_uint_eq(bed.n, 0);
	mock_free(&bed);
}
END_TEST

START_TEST(responder_deletes_ike)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	mock_start(&bed);
	mock_establish(&bed);
	ck_assert_int_eq(ike_info_delete_ike_start(mock_sa(&bed, 1)), 0);
	ck_assert_uint_eq(mock_msg_id(&bed, 0), 0);   /* B's own counter */
	mock_deliver(&bed);
	ck_assert_uint_eq(mock_sa_count(&bed, 0), 0);
	ck_assert_uint_eq(mock_active_children(&bed, 0), 0);
	mock_deliver(&bed);
	ck_assert_uint_eq(mock_sa_count(&bed, 1), 0);
	ck_assert_uint_eq(mock_active_children(&bed, 1), 0);
	mock_free(&bed);
}
END_TEST

START_TEST(cookies_under_load)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	mock_start(&bed);
	bed.node[1].ike->half_open = IKE_COOKIE_THRESHOLD;   /* pretend a flood */
	mock_tick(&bed, 100);
	mock_deliver(&bed);
	ck_assert_uint_eq(mock_sa_count(&bed, 1), 0);         /* no state for it */
	ck_assert_uint_eq(bed.node[1].ike->drops[IKE_DROP_COOKIE], 1);
	mock_deliver(&bed);                   /* N(COOKIE) -> A resends with it */
	ck_assert_uint_eq(bed.n, 1);
	mock_deliver(&bed);
	ck_assert_uint_eq(mock_sa_count(&bed, 1), 1);
	bed.node[1].ike->half_open = 1;
	mock_run(&bed);
	ck_assert_int_eq(mock_sa(&bed, 0)->state, IKE_SA_ESTABLISHED);
	mock_assert_children_match(&bed);
	mock_free(&bed);
}
END_TEST

START_TEST(uplink_down_policy_refuses)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	mock_start(&bed);
	mock_establish(&bed);
	/* domestic peer: an uplink flap does not tear it down */
	bed.node[0].link_down = true;
	ike_uplink_changed(bed.node[0].ike, 0, false, bed.now);
	ck_assert_uint_eq(mock_sa_count(&bed, 0), 1);
	mock_free(&bed);
}
END_TEST

START_TEST(both_initiate_rekey_timers)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	bed.node[0].cfg.peers[0].child_lifetime_s = 100;
	bed.node[1].cfg.peers[0].child_lifetime_s = 1000;
	bed.node[0].cfg.peers[0].dpd_s = 0;
	bed.node[1].cfg.peers[0].dpd_s = 0;
	mock_start(&bed);
	mock_establish(&bed);
	/* soft lifetime 85-95 s: A rekeys on its own, make before break */
	for (int i = 0; i < 100; i++) {
		mock_tick(&bed, 1000);
		mock_run(&bed);
	}
	ck_assert_int_ge(bed.audit[AUDIT_CHILD_SA_REKEYED][AUDIT_SUCCESS], 2);
	ck_assert_uint_eq(mock_active_children(&bed, 0), 1);
	mock_assert_children_match(&bed);
	mock_free(&bed);
}
END_TEST

START_TEST(nat_keepalives)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	bed.node[0].cfg.peers[0].dpd_s = 0;
	bed.node[1].cfg.peers[0].dpd_s = 0;
	bed.nat[0] = true;                    /* A is behind a NAT, B is not */
	mock_start(&bed);
	mock_establish(&bed);
	ck_assert(mock_sa(&bed, 0)->nat_local);
	ck_assert(!mock_sa(&bed, 1)->nat_local);
	mock_tick(&bed, 19000);
	ck_assert_int_eq(bed.keepalives[0], 0);
	mock_tick(&bed, 1500);
	ck_assert_int_eq(bed.keepalives[0], 1);
	mock_tick(&bed, 20500);
	ck_assert_int_eq(bed.keepalives[0], 2);
	ck_assert_int_eq(bed.keepalives[1], 0);
	mock_free(&bed);
}
END_TEST

START_TEST(endpoint_moves_only_when_authenticated)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	mock_start(&bed);
	mock_establish(&bed);
	struct ike_sa *b = mock_sa(&bed, 1);
	ck_assert_uint_eq(lg_sockaddr_port(&b->remote), 4500);
	/* a forged copy of A's next request from another port: fails the ICV */
	ck_assert_int_eq(ike_info_dpd_start(mock_sa(&bed, 0)), 0);
	bed.q[1] = bed.q[0];
	bed.n = 2;
	bed.q[0].data[bed.q[0].len - 1] ^= 1;
	bed.src_port[0] = 40000;
	mock_deliver(&bed);
	ck_assert_uint_eq(bed.node[1].ike->drops[IKE_DROP_DECRYPT], 1);
	ck_assert_uint_eq(lg_sockaddr_port(&b->remote), 4500);
	/* the genuine one (NAT rebinding): B follows it */
	mock_deliver(&bed);
	ck_assert_uint_eq(lg_sockaddr_port(&b->remote), 40000);
	mock_run(&bed);
	ck_assert(!mock_sa(&bed, 0)->req.active);
	mock_free(&bed);
}
END_TEST

/* Site A's peer B is across the border, on a licensed circuit (uplink 0). */
static void make_cross_border(struct mock_bed *b)
{
	struct config *c = &b->node[0].cfg;

	snprintf(c->peers[0].region, sizeof(c->peers[0].region), "HK");
	c->uplinks[0].licensed = true;
	snprintf(c->uplinks[0].carrier, sizeof(c->uplinks[0].carrier), "china-telecom");
	snprintf(c->uplinks[0].circuit_id, sizeof(c->uplinks[0].circuit_id), "CTC-1");
	snprintf(c->compliance.carriers[0], CONF_NAME_MAX, "china-telecom");
	c->compliance.n_carriers = 1;
}

START_TEST(cross_border_fail_closed)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	make_cross_border(&bed);
	mock_start(&bed);
	mock_establish(&bed);
	/* the licensed circuit goes down: torn down at once, audited */
	bed.node[0].link_down = true;
	ike_uplink_changed(bed.node[0].ike, 0, false, bed.now);
	ck_assert_uint_eq(mock_sa_count(&bed, 0), 0);
	ck_assert_uint_eq(mock_active_children(&bed, 0), 0);
	ck_assert_int_ge(bed.audit[AUDIT_COMPLIANCE_REFUSED][AUDIT_FAILURE], 1);
	/* and not re-initiated over anything else while it is down */
	while (bed.n)
		mock_drop(&bed);
	for (int i = 0; i < 10; i++)
		mock_tick(&bed, 10000);
	for (size_t i = 0; i < bed.n; i++)    /* (B's liveness checks go unanswered) */
		ck_assert_int_eq(bed.q[i].from, 1);
	while (bed.n)
		mock_drop(&bed);
	/* back up: re-initiated */
	bed.node[0].link_down = false;
	ike_uplink_changed(bed.node[0].ike, 0, true, bed.now);
	mock_tick(&bed, 100);
	mock_run(&bed);
	ck_assert(ike_peer_up(bed.node[0].ike, "site-b"));
	mock_free(&bed);
}
END_TEST

START_TEST(cross_border_unlicensed_refused)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	make_cross_border(&bed);
	bed.node[0].cfg.uplinks[0].licensed = false;
	mock_start(&bed);
	mock_tick(&bed, 100);
	ck_assert_uint_eq(bed.n, 0);          /* nothing sent */
	ck_assert_uint_eq(mock_sa_count(&bed, 0), 0);
	ck_assert_int_ge(bed.audit[AUDIT_COMPLIANCE_REFUSED][AUDIT_FAILURE], 1);
	mock_free(&bed);
}
END_TEST

START_TEST(reconfigure_removed_peer)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	mock_start(&bed);
	mock_establish(&bed);
	static struct config next;
	struct ike_credentials *cr = NULL;
	char err[128];
	next = bed.node[0].cfg;
	next.n_peers = 0;
	ck_assert_int_eq(ike_credentials_load(&next, &cr, err, sizeof(err)), 0);
	ck_assert_int_eq(ike_reconfigure(bed.node[0].ike, &next, NULL, cr, bed.now), 0);
	ck_assert_uint_eq(mock_sa_count(&bed, 0), 0);
	ck_assert_uint_eq(mock_active_children(&bed, 0), 0);
	mock_deliver(&bed);                   /* the best-effort DELETE reaches B */
	ck_assert_uint_eq(mock_sa_count(&bed, 1), 0);
	/* swap back: B is initiated again */
	ike_credentials_load(&bed.node[0].cfg, &cr, err, sizeof(err));
	ck_assert_int_eq(ike_reconfigure(bed.node[0].ike, &bed.node[0].cfg, NULL, cr, bed.now), 0);
	while (bed.n)
		mock_drop(&bed);
	mock_tick(&bed, 100);
	mock_run(&bed);
	ck_assert(ike_peer_up(bed.node[0].ike, "site-b"));
	mock_free(&bed);
}
END_TEST

/* The responder picks by ITS configured order (A: chacha first, B: AES-GCM
 * with PRF_HMAC_SHA2_512 first), for IKE and for ESP. */
START_TEST(proposal_order_and_aesgcm)
{
	static const struct conf_proposal aes_ike = { IKEV2_ENCR_AES_GCM_16, 256,
						       IKEV2_PRF_HMAC_SHA2_512, IKEV2_DH_CURVE25519, 0 };
	static const struct conf_proposal aes_esp = { IKEV2_ENCR_AES_GCM_16, 256, 0, 0, 0 };

	if (!ike_encr_supported(IKEV2_ENCR_AES_GCM_16, 256))
		return;   /* no AES-NI: AES-GCM is never offered (ike_encr_supported) */
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	struct conf_peer *a = &bed.node[0].cfg.peers[0], *b = &bed.node[1].cfg.peers[0];
	a->ike_proposals[1] = aes_ike;
	a->esp_proposals[1] = aes_esp;
	a->n_ike_proposals = a->n_esp_proposals = 2;
	b->ike_proposals[1] = b->ike_proposals[0];
	b->ike_proposals[0] = aes_ike;
	b->esp_proposals[1] = b->esp_proposals[0];
	b->esp_proposals[0] = aes_esp;
	b->n_ike_proposals = b->n_esp_proposals = 2;
	mock_start(&bed);
	mock_establish(&bed);
	for (int i = 0; i < 2; i++) {
		ck_assert_uint_eq(mock_sa(&bed, i)->prop.encr, IKEV2_ENCR_AES_GCM_16);
		ck_assert_uint_eq(mock_sa(&bed, i)->prop.prf, IKEV2_PRF_HMAC_SHA2_512);
		ck_assert_uint_eq(mock_sa(&bed, i)->keys->prf_len, 64);
		ck_assert_int_eq(mock_active_child(&bed, i, 0)->cipher, ESP_CIPHER_AES256_GCM16);
	}
	/* and a rekey of both under these suites */
	ck_assert_int_eq(ike_rekey_ike_start(mock_sa(&bed, 1)), 0);
	mock_run(&bed);
	struct ike_sa *n = mock_sa(&bed, 0);
	ck_assert_int_eq(ike_child_rekey_start(n, n->children), 0);
	mock_run(&bed);
	ck_assert_uint_eq(mock_active_children(&bed, 0), 1);
	mock_assert_children_match(&bed);
	mock_free(&bed);
}
END_TEST

/* ESP AES-CBC + HMAC (aes128-sha384-ecp256 with PFS): the CHILD's key
 * material is split per direction into the AES key and the HMAC key
 * (RFC 7296 §2.17), crossed between the two ends, through a PFS rekey. */
START_TEST(esp_aes_cbc_negotiated)
{
	static const struct conf_proposal cbc = { IKEV2_ENCR_AES_CBC, 128, 0, IKEV2_DH_ECP256,
						  IKEV2_INTEG_HMAC_SHA2_384_192 };

	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	mock_set_suite(&bed, NULL, &cbc);
	mock_start(&bed);
	mock_establish(&bed);
	for (int i = 0; i < 2; i++) {
		const struct esp_child_params *p = mock_active_child(&bed, i, 0);
		ck_assert_int_eq(p->cipher, ESP_CIPHER_AES_CBC);
		ck_assert_uint_eq(p->cipher_keybits, 128);
		ck_assert_uint_eq(p->integ, IKEV2_INTEG_HMAC_SHA2_384_192);
		/* 16 key bytes, 48 HMAC key bytes, nothing beyond */
		static const uint8_t zero[64];
		ck_assert(memcmp(p->key_in + 12, zero, 4) && !memcmp(p->key_in + 16, zero, 16));
		ck_assert(memcmp(p->integ_in + 44, zero, 4) && !memcmp(p->integ_in + 48, zero, 16));
		ck_assert(!memcmp(p->salt_in, zero, 4));
	}
	mock_assert_children_match(&bed);
	struct ike_sa *sa = mock_sa(&bed, 0);
	ck_assert_int_eq(ike_child_rekey_start(sa, sa->children), 0);
	mock_run(&bed);
	ck_assert_uint_eq(mock_active_children(&bed, 0), 1);
	ck_assert_int_eq(mock_active_child(&bed, 0, 0)->cipher, ESP_CIPHER_AES_CBC);
	mock_assert_children_match(&bed);
	mock_free(&bed);
}
END_TEST

/* A lost CREATE_CHILD_SA response: the retransmitted request is answered
 * from the cache, the responder never installs a second new SA. */
START_TEST(rekey_response_lost)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	mock_start(&bed);
	mock_establish(&bed);
	struct ike_sa *a = mock_sa(&bed, 0);
	ck_assert_int_eq(ike_child_rekey_start(a, a->children), 0);
	mock_deliver(&bed);
	ck_assert_uint_eq(bed.node[1].n_child, 2);
	mock_drop(&bed);                      /* response lost */
	retransmitted_in_time(0);
	mock_deliver(&bed);                   /* retransmission -> cached response */
	ck_assert_uint_eq(bed.node[1].n_child, 2);
	mock_run(&bed);
	ck_assert_uint_eq(mock_active_children(&bed, 0), 1);
	ck_assert_uint_eq(mock_active_children(&bed, 1), 1);
	mock_assert_children_match(&bed);
	mock_free(&bed);
}
END_TEST

/* An endpoint on port 4500: IKE_SA_INIT goes there directly, with the
 * non-ESP marker (RFC 3948 §2.2), and the whole SA stays on 4500. */
START_TEST(start_on_natt_port)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	lg_sockaddr_set_port(&bed.node[0].cfg.peers[0].endpoint, 4500);
	mock_start(&bed);
	mock_tick(&bed, 100);
	ck_assert_uint_eq(bed.n, 1);
	ck_assert(bed.q[0].natt);
	mock_deliver(&bed);
	ck_assert(mock_sa(&bed, 1)->natt);
	ck_assert(bed.q[0].natt);             /* the response, from 4500 */
	mock_run(&bed);
	ck_assert_int_eq(mock_sa(&bed, 0)->state, IKE_SA_ESTABLISHED);
	mock_assert_children_match(&bed);
	mock_free(&bed);
}
END_TEST

/* A reboots (new instance, fresh SPIs) and comes back with INITIAL_CONTACT:
 * B drops the stale SA and its CHILD SA at once (RFC 7296 §2.4). */
START_TEST(initial_contact_after_reboot)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	mock_start(&bed);
	mock_establish(&bed);
	uint32_t stale = mock_active_child(&bed, 1, 0)->child_id;
	ike_free(bed.node[0].ike);            /* A dies without a word */
	memset(bed.node[0].child, 0, sizeof(bed.node[0].child));
	bed.node[0].n_child = 0;
	bed.node[0].routes = 0;
	mock_start_node(&bed, 0);
	mock_tick(&bed, 100);
	mock_run(&bed);
	ck_assert_uint_eq(mock_sa_count(&bed, 1), 1);
	ck_assert_uint_eq(mock_active_children(&bed, 1), 1);
	ck_assert_uint_ne(mock_active_child(&bed, 1, 0)->child_id, stale);
	ck_assert_int_eq(bed.initial_contacts, 1);   /* B's, in the request */
	mock_assert_children_match(&bed);
	mock_free(&bed);
}
END_TEST

/* B (the responder) reboots while A keeps its SA; A negotiates a new one
 * beside it. B holds nothing with A, so its IKE_AUTH response carries
 * INITIAL_CONTACT (RFC 7296 §2.4) and A drops the stale SA at once. */
START_TEST(initial_contact_from_responder)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	mock_start(&bed);
	mock_establish(&bed);
	struct ike_sa *stale = mock_sa(&bed, 0);
	uint8_t stale_spi[8];
	memcpy(stale_spi, stale->spi_i, 8);
	ike_free(bed.node[1].ike);            /* B dies without a word */
	memset(bed.node[1].child, 0, sizeof(bed.node[1].child));
	bed.node[1].n_child = 0;
	bed.node[1].routes = 0;
	mock_start_node(&bed, 1);
	mock_tick(&bed, 100);
	ck_assert_int_eq(ike_sa_init_initiator_start(bed.node[0].ike, &bed.node[0].cfg.peers[0],
						     bed.now), 0);
	mock_run(&bed);
	ck_assert_int_eq(bed.initial_contacts, 1);
	ck_assert_uint_eq(mock_sa_count(&bed, 0), 1);
	ck_assert_int_eq(mock_sa(&bed, 0)->state, IKE_SA_ESTABLISHED);
	ck_assert_mem_ne(mock_sa(&bed, 0)->spi_i, stale_spi, 8);
	ck_assert_uint_eq(mock_active_children(&bed, 0), 1);
	mock_assert_children_match(&bed);
	mock_free(&bed);
}
END_TEST

/* Neither side says INITIAL_CONTACT while it holds an SA with the other:
 * a second IKE SA beside a live one is settled as a duplicate, never by
 * §2.4 (which would tear down the live one on both sides). */
START_TEST(initial_contact_not_while_holding_sa)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	mock_start(&bed);
	mock_establish(&bed);
	mock_tick(&bed, 100);
	ck_assert_int_eq(ike_sa_init_initiator_start(bed.node[0].ike, &bed.node[0].cfg.peers[0],
						     bed.now), 0);
	mock_run(&bed);
	ck_assert_int_eq(bed.initial_contacts, 0);
	mock_free(&bed);
}
END_TEST

/* KEY_ID identities (allow-listed) and IPv4 + IPv6 selectors. */
START_TEST(key_id_and_ipv6_selectors)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	for (int i = 0; i < 2; i++) {
		struct config *c = &bed.node[i].cfg;
		struct conf_peer *p = &c->peers[0];
		struct conf_identity ids[2] = { { .type = CONF_ID_KEY_ID, .len = 4,
						  .data = { 0xa1, 0xa2, 0xa3, 0xa4 } },
						{ .type = CONF_ID_KEY_ID, .len = 3,
						  .data = { 0xb1, 0xb2, 0xb3 } } };
		p->local_id = ids[i];
		p->remote_id = ids[1 - i];
		c->site.allowed_ids[0] = ids[1 - i];
		c->site.n_allowed_ids = 1;
		lg_prefix_parse("fd00::/8", &c->site.internal[1]);
		c->site.n_internal = 2;
		lg_prefix_parse(i ? "fd00:2::/64" : "fd00:1::/64", &p->local_ts[1]);
		lg_prefix_parse(i ? "fd00:1::/64" : "fd00:2::/64", &p->remote_ts[1]);
		p->n_local_ts = p->n_remote_ts = 2;
	}
	mock_start(&bed);
	mock_establish(&bed);
	const struct esp_child_params *a = mock_active_child(&bed, 0, 0);
	ck_assert_uint_eq(a->n_local_ts, 2);
	ck_assert_uint_eq(a->n_remote_ts, 2);
	ck_assert_int_eq(bed.node[0].routes, 2);
	ck_assert_str_eq(mock_sa(&bed, 1)->peer_id, "keyid:a1a2a3a4");
	mock_free(&bed);
}
END_TEST

/* The datapath asks for a rekey (soft byte/packet/sequence limit): the
 * CHILD SA is rekeyed at the next poll of its counters (within
 * IKE_TIMER_MAX_SLEEP_MS, each second with byte or packet lifetimes), not
 * at its time limit. */
START_TEST(datapath_soft_limit_rekeys)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	mock_start(&bed);
	mock_establish(&bed);
	uint32_t old = mock_active_child(&bed, 0, 0)->spi_in;
	mock_tick(&bed, 100);
	ck_assert_uint_eq(bed.n, 0);
	bed.node[0].rekey_wanted = true;
	for (int t = 0; t <= IKE_TIMER_MAX_SLEEP_MS / 100 + 1 && !bed.n; t++)
		mock_tick(&bed, 100);         /* noticed, then started */
	ck_assert_uint_eq(bed.n, 1);
	ck_assert_uint_eq(mock_exchange(&bed, 0), IKEV2_EXCHANGE_CREATE_CHILD_SA);
	bed.node[0].rekey_wanted = false;
	mock_run(&bed);
	ck_assert_uint_eq(mock_active_children(&bed, 0), 1);
	ck_assert_uint_ne(mock_active_child(&bed, 0, 0)->spi_in, old);
	mock_assert_children_match(&bed);
	mock_free(&bed);
}
END_TEST

/* Rekeys keep failing (B insists on PFS, A offers none): the CHILD SA is
 * deleted at its hard lifetime, not before, and the IKE SA stays. */
START_TEST(hard_lifetimes)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	bed.node[0].cfg.peers[0].child_lifetime_s = 100;
	bed.node[1].cfg.peers[0].esp_proposals[0].dh = IKEV2_DH_CURVE25519;
	mock_start(&bed);
	mock_establish(&bed);
	uint64_t t0 = bed.now;
	int refused = 0;
	for (int i = 0; i < 200 && mock_active_children(&bed, 0); i++) {
		mock_tick(&bed, 1000);
		refused = bed.audit[AUDIT_IKE_EXCHANGE_FAILED][AUDIT_FAILURE];
		mock_run(&bed);
	}
	ck_assert_int_ge(refused, 2);          /* it did try, more than once */
	ck_assert_uint_eq(mock_active_children(&bed, 0), 0);
	ck_assert_uint_eq(mock_active_children(&bed, 1), 0);
	ck_assert_uint_ge(bed.now - t0, 100 * 1000);   /* not before the hard limit */
	ck_assert_uint_le(bed.now - t0, 111 * 1000);
	ck_assert_uint_eq(mock_sa_count(&bed, 0), 1);
	ck_assert_int_eq(mock_sa(&bed, 0)->state, IKE_SA_ESTABLISHED);
	/* a childless IKE SA of ours is closed and the tunnel built anew */
	for (int i = 0; i < 30 && !ike_peer_up(bed.node[0].ike, "site-b"); i++) {
		mock_tick(&bed, 1000);
		mock_run(&bed);
	}
	ck_assert(ike_peer_up(bed.node[0].ike, "site-b"));
	ck_assert_uint_eq(mock_sa_count(&bed, 0), 1);
	ck_assert_uint_eq(mock_sa_count(&bed, 1), 1);
	mock_assert_children_match(&bed);
	mock_free(&bed);
}
END_TEST

START_TEST(credentials_errors)
{
	struct ike_credentials *cr = NULL;
	char err[256] = "";

	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	snprintf(bed.node[0].cfg.peers[0].psk_file, CONF_PATH_MAX, "%s/missing", bed.dir);
	ck_assert_int_lt(ike_credentials_load(&bed.node[0].cfg, &cr, err, sizeof(err)), 0);
	ck_assert_ptr_null(cr);
	ck_assert_ptr_nonnull(strstr(err, "site-b"));
	bed.node[0].cfg.peers[0].auth = CONF_AUTH_ED25519;
	snprintf(bed.node[0].cfg.peers[0].private_key_file, CONF_PATH_MAX, "%s/psk-1", bed.dir);
	ck_assert_int_lt(ike_credentials_load(&bed.node[0].cfg, &cr, err, sizeof(err)), 0);
	mock_free(&bed);
}
END_TEST

/* An IKE rekey from B while A's CHILD rekey is in flight: A answers
 * TEMPORARY_FAILURE (§2.25.2), both exchanges settle, B retries later. */
START_TEST(ike_rekey_during_child_rekey)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	mock_start(&bed);
	mock_establish(&bed);
	struct ike_sa *a = mock_sa(&bed, 0);
	ck_assert_int_eq(ike_child_rekey_start(a, a->children), 0);
	ck_assert_int_eq(ike_rekey_ike_start(mock_sa(&bed, 1)), 0);
	mock_deliver(&bed);                   /* A's CHILD rekey -> B (B is rekeying its IKE SA) */
	mock_deliver(&bed);                   /* B's IKE rekey -> A: refused for now */
	mock_run(&bed);
	ck_assert_uint_eq(mock_sa_count(&bed, 0), 1);
	ck_assert_int_eq(mock_sa(&bed, 1)->state, IKE_SA_ESTABLISHED);
	ck_assert_int_eq(bed.audit[AUDIT_IKE_SA_REKEYED][AUDIT_SUCCESS], 0);
	ck_assert_int_ge(bed.audit[AUDIT_IKE_EXCHANGE_FAILED][AUDIT_FAILURE], 2);
	for (int i = 0; i < 15; i++) {
		mock_tick(&bed, 1000);
		mock_run(&bed);
	}
	ck_assert_uint_eq(mock_active_children(&bed, 0), 1);
	mock_assert_children_match(&bed);
	/* B's retry (10 s later) went through */
	ck_assert_int_ge(bed.audit[AUDIT_IKE_SA_REKEYED][AUDIT_SUCCESS], 2);
	ck_assert_uint_eq(mock_sa_count(&bed, 0), 1);
	ck_assert_uint_eq(mock_sa_count(&bed, 1), 1);
	ck_assert_uint_eq(child_sa_count(mock_sa(&bed, 0)), 1);
	mock_free(&bed);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ike_exchange");
	TCase *t = tcase_create("exchanges");

	tcase_add_test(t, psk_establish);
	tcase_add_test(t, ed25519_establish);
	tcase_add_test(t, ed25519_wrong_key);
	tcase_add_test(t, wrong_psk);
	tcase_add_test(t, no_common_proposal);
	tcase_add_test(t, no_common_esp_proposal);
	tcase_add_test(t, invalid_ke_then_success);
	tcase_add_test(t, ts_narrowing);
	tcase_add_test(t, ts_unacceptable);
	tcase_add_test(t, lost_packets_retransmit);
	tcase_add_test(t, duplicate_request_cached);
	tcase_add_test(t, child_rekey_initiator);
	tcase_add_test(t, child_rekey_responder);
	tcase_add_test(t, child_rekey_pfs);
	tcase_add_test(t, child_rekey_collision);
	tcase_add_test(t, ike_rekey_initiator);
	tcase_add_test(t, ike_rekey_responder);
	tcase_add_test(t, ike_rekey_collision);
	tcase_add_test(t, dpd_timeout_removes);
	tcase_add_test(t, delete_both_ways);
	tcase_add_test(t, responder_deletes_ike);
	tcase_add_test(t, cookies_under_load);
	tcase_add_test(t, uplink_down_policy_refuses);
	tcase_add_test(t, both_initiate_rekey_timers);
	tcase_add_test(t, nat_keepalives);
	tcase_add_test(t, ike_rekey_during_child_rekey);
	tcase_add_test(t, datapath_soft_limit_rekeys);
	tcase_add_test(t, hard_lifetimes);
	tcase_add_test(t, credentials_errors);
	tcase_add_test(t, initial_contact_after_reboot);
	tcase_add_test(t, initial_contact_from_responder);
	tcase_add_test(t, initial_contact_not_while_holding_sa);
	tcase_add_test(t, key_id_and_ipv6_selectors);
	tcase_add_test(t, start_on_natt_port);
	tcase_add_test(t, rekey_response_lost);
	tcase_add_test(t, proposal_order_and_aesgcm);
	tcase_add_test(t, esp_aes_cbc_negotiated);
	tcase_add_test(t, cross_border_fail_closed);
	tcase_add_test(t, cross_border_unlicensed_refused);
	tcase_add_test(t, reconfigure_removed_peer);
	tcase_add_test(t, established_sa_keeps_no_setup_state);
	tcase_add_test(t, endpoint_moves_only_when_authenticated);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return lg_check_run(suite());
}

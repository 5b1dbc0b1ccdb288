/* The key exchange groups in whole exchanges over the mock transport: each
 * of ECP-256/384 and MODP-2048/3072 sets up an IKE SA, a CHILD rekey with
 * PFS in the same group and an IKE rekey, with both sides' keys equal; and
 * INVALID_KE_PAYLOAD sends the initiator to the responder's group; IKE SAs
 * with AES-CBC + HMAC-SHA2 and PRF HMAC-SHA2-384 work the same way. */
#include "test_ike_mock.h"
#include "check_main.h"

static struct mock_bed bed;
static const uint16_t groups[] = { IKEV2_DH_ECP256, IKEV2_DH_ECP384, IKEV2_DH_MODP2048,
				   IKEV2_DH_MODP3072 };

START_TEST(group_establishes_and_rekeys)
{
	uint16_t g = groups[_i];

	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	for (int i = 0; i < 2; i++) {
		bed.node[i].cfg.peers[0].ike_proposals[0].dh = g;
		bed.node[i].cfg.peers[0].esp_proposals[0].dh = g;   /* PFS on rekey */
	}
	mock_start(&bed);
	mock_establish(&bed);
	ck_assert_uint_eq(mock_sa(&bed, 0)->prop.dh, g);
	ck_assert_uint_eq(mock_sa(&bed, 1)->prop.dh, g);
	struct ike_sa_info info[2];
	ck_assert_uint_eq(ike_list_sas(bed.node[1].ike, info, 2), 1);
	ck_assert_str_eq(info[0].dh, ike_dh_name(g));

	struct ike_sa *a = mock_sa(&bed, 0);
	ck_assert_int_eq(ike_child_rekey_start(a, a->children), 0);
	mock_run(&bed);
	ck_assert_uint_eq(mock_active_children(&bed, 0), 1);
	ck_assert_uint_eq(mock_sa(&bed, 0)->children->dh, g);
	mock_assert_children_match(&bed);

	ck_assert_int_eq(ike_rekey_ike_start(mock_sa(&bed, 1)), 0);
	mock_settle(&bed, 4);
	ck_assert_uint_eq(mock_sa_count(&bed, 0), 1);
	ck_assert_uint_eq(mock_sa_count(&bed, 1), 1);
	ck_assert_int_eq(mock_sa(&bed, 0)->state, IKE_SA_ESTABLISHED);
	ck_assert_uint_eq(mock_sa(&bed, 0)->prop.dh, g);
	ck_assert_int_eq(bed.audit[AUDIT_IKE_SA_REKEYED][AUDIT_SUCCESS], 2);
	/* the rekeyed SA's keys agree: a liveness check gets its answer */
	ck_assert_int_eq(ike_info_dpd_start(mock_sa(&bed, 0)), 0);
	mock_run(&bed);
	ck_assert(!mock_sa(&bed, 0)->req.active);
	ck_assert_uint_eq(mock_sa(&bed, 0)->msg_id_out, 1);
	mock_free(&bed);
}
END_TEST

/* We lead with X25519, the responder takes only MODP-2048: one
 * INVALID_KE_PAYLOAD(14), then the SA in MODP-2048. */
START_TEST(invalid_ke_to_modp2048)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	struct conf_peer *a = &bed.node[0].cfg.peers[0], *b = &bed.node[1].cfg.peers[0];
	a->ike_proposals[1] = a->ike_proposals[0];
	a->ike_proposals[1].dh = IKEV2_DH_MODP2048;
	a->n_ike_proposals = 2;
	b->ike_proposals[0].dh = IKEV2_DH_MODP2048;
	mock_start(&bed);
	mock_tick(&bed, 100);
	ck_assert_uint_eq(mock_sa(&bed, 0)->dh_group, IKEV2_DH_CURVE25519);
	mock_deliver(&bed);
	ck_assert_uint_eq(mock_sa_count(&bed, 1), 0);        /* stateless answer */
	mock_deliver(&bed);
	ck_assert_int_eq(mock_sa(&bed, 0)->state, IKE_SA_INIT_SENT);
	ck_assert_uint_eq(mock_sa(&bed, 0)->dh_group, IKEV2_DH_MODP2048);
	mock_run(&bed);
	ck_assert_int_eq(mock_sa(&bed, 0)->state, IKE_SA_ESTABLISHED);
	ck_assert_uint_eq(mock_sa(&bed, 0)->prop.dh, IKEV2_DH_MODP2048);
	mock_assert_children_match(&bed);
	mock_free(&bed);
}
END_TEST

/* The responder asks for a group we never proposed: no retry, failure. */
START_TEST(invalid_ke_to_foreign_group)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	bed.node[1].cfg.peers[0].ike_proposals[0].dh = IKEV2_DH_ECP384;
	mock_start(&bed);
	mock_tick(&bed, 100);
	mock_deliver(&bed);
	mock_deliver(&bed);
	ck_assert_uint_eq(mock_sa_count(&bed, 1), 0);
	ck_assert_uint_eq(bed.n, 0);
	mock_free(&bed);
}
END_TEST

/* IKE with AES-CBC + HMAC-SHA2 (the SK payload of RFC 7296 §3.14, SK_a*
 * in the key schedule): established, rekeyed, and answering DPD. */
static const struct conf_proposal classic[] = {
	{ IKEV2_ENCR_AES_CBC, 128, IKEV2_PRF_HMAC_SHA2_256, IKEV2_DH_ECP256,
	  IKEV2_INTEG_HMAC_SHA2_256_128 },
	{ IKEV2_ENCR_AES_CBC, 256, IKEV2_PRF_HMAC_SHA2_256, IKEV2_DH_MODP2048,
	  IKEV2_INTEG_HMAC_SHA2_256_128 },
	{ IKEV2_ENCR_AES_CBC, 256, IKEV2_PRF_HMAC_SHA2_384, IKEV2_DH_ECP384,
	  IKEV2_INTEG_HMAC_SHA2_384_192 },
	{ IKEV2_ENCR_AES_CBC, 256, IKEV2_PRF_HMAC_SHA2_512, IKEV2_DH_CURVE25519,
	  IKEV2_INTEG_HMAC_SHA2_512_256 },
	{ IKEV2_ENCR_CHACHA20_POLY1305, 0, IKEV2_PRF_HMAC_SHA2_384, IKEV2_DH_ECP384, 0 },
};

START_TEST(classic_suite_ike)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	mock_set_suite(&bed, &classic[_i], NULL);
	mock_start(&bed);
	mock_establish(&bed);
	struct ike_sa *a = mock_sa(&bed, 0);
	ck_assert_uint_eq(a->prop.encr, classic[_i].encr);
	ck_assert_uint_eq(a->prop.integ, classic[_i].integ);
	ck_assert_uint_eq(a->keys->integ_len, ike_integ_key_len(classic[_i].integ));
	ck_assert_int_eq(ike_rekey_ike_start(a), 0);
	mock_settle(&bed, 4);
	ck_assert_uint_eq(mock_sa_count(&bed, 0), 1);
	ck_assert_int_eq(mock_sa(&bed, 1)->state, IKE_SA_ESTABLISHED);
	ck_assert_uint_eq(mock_sa(&bed, 1)->prop.integ, classic[_i].integ);
	ck_assert_int_eq(ike_info_dpd_start(mock_sa(&bed, 1)), 0);
	mock_run(&bed);
	ck_assert(!mock_sa(&bed, 1)->req.active);
	mock_assert_children_match(&bed);
	mock_free(&bed);
}
END_TEST

/* Our AES-CBC proposal against a peer that only does the AEAD: refused. */
START_TEST(classic_vs_aead_no_proposal)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	bed.node[0].cfg.peers[0].ike_proposals[0] = classic[1];
	mock_start(&bed);
	mock_tick(&bed, 100);
	mock_deliver(&bed);
	mock_deliver(&bed);
	ck_assert_uint_eq(mock_sa_count(&bed, 1), 0);
	ck_assert_int_eq(bed.audit[AUDIT_IKE_SA_UP][AUDIT_SUCCESS], 0);
	mock_free(&bed);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ike_groups");
	TCase *t = tcase_create("groups");
	tcase_set_timeout(t, 120);
	tcase_add_loop_test(t, group_establishes_and_rekeys, 0, 4);
	tcase_add_test(t, invalid_ke_to_modp2048);
	tcase_add_test(t, invalid_ke_to_foreign_group);
	tcase_add_loop_test(t, classic_suite_ike, 0, 5);
	tcase_add_test(t, classic_vs_aead_no_proposal);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return lg_check_run(suite());
}

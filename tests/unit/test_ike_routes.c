/* Route changes (ike_routes_changed, one call per settled burst): only
 * cross-border peers are judged again, each with one route lookup; a
 * domestic tunnel costs nothing and is never touched, however many route
 * messages a routing daemon sends. A cross-border SA whose route leaves
 * the circuit is torn down and audited (egress_mismatch). */
#include "test_ike_mock.h"
#include "check_main.h"

static struct mock_bed bed;

/* Site B (node 1) sees site A as a peer in DE over a licensed circuit. */
static void b_sees_a_abroad(void)
{
	struct config *c = &bed.node[1].cfg;
	struct conf_uplink *u = &c->uplinks[0];

	snprintf(c->peers[0].region, sizeof(c->peers[0].region), "DE");
	snprintf(u->carrier, sizeof(u->carrier), "china-telecom");
	snprintf(u->circuit_id, sizeof(u->circuit_id), "CTC-IPLC-1");
	u->licensed = true;
	snprintf(c->compliance.carriers[0], CONF_NAME_MAX, "china-telecom");
	c->compliance.n_carriers = 1;
}

START_TEST(domestic_not_judged_again)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	mock_start(&bed);
	mock_establish(&bed);
	ck_assert_ptr_nonnull(mock_sa(&bed, 1));
	bed.node[0].egress_lookups = bed.node[1].egress_lookups = 0;
	bed.node[1].egress = "elsewhere";   /* would not matter for a domestic peer anyway */
	for (int i = 0; i < 1000; i++) {
		ike_routes_changed(bed.node[0].ike, bed.now);
		ike_routes_changed(bed.node[1].ike, bed.now);
	}
	ck_assert_int_eq(bed.node[0].egress_lookups, 0);
	ck_assert_int_eq(bed.node[1].egress_lookups, 0);
	ck_assert_ptr_nonnull(mock_sa(&bed, 0));
	ck_assert_ptr_nonnull(mock_sa(&bed, 1));
	ck_assert_int_eq(bed.audit[AUDIT_COMPLIANCE_REFUSED][AUDIT_FAILURE], 0);
	mock_free(&bed);
}
END_TEST

START_TEST(cross_border_judged_once_per_change)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	b_sees_a_abroad();
	mock_start(&bed);
	mock_establish(&bed);
	ck_assert_ptr_nonnull(mock_sa(&bed, 1));
	bed.node[1].egress_lookups = 0;
	for (int i = 0; i < 10; i++)
		ike_routes_changed(bed.node[1].ike, bed.now);
	ck_assert_int_eq(bed.node[1].egress_lookups, 10);   /* one SA, one lookup per change */
	ck_assert_ptr_nonnull(mock_sa(&bed, 1));
	/* the route leaves by another interface: torn down, audited */
	bed.node[1].egress = "eth9";
	ike_routes_changed(bed.node[1].ike, bed.now);
	ck_assert_ptr_null(mock_sa(&bed, 1));
	ck_assert_int_eq(bed.audit[AUDIT_COMPLIANCE_REFUSED][AUDIT_FAILURE], 1);
	mock_free(&bed);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ike_routes");
	TCase *t = tcase_create("routes");

	tcase_add_test(t, domestic_not_judged_again);
	tcase_add_test(t, cross_border_judged_once_per_change);
	suite_add_tcase(s, t);
	return lg_check_run(s);
}

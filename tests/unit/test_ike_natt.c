/* NAT rebinding and the rekey responder's make before break, with site B's
 * child_ops also driving a real ESP SA table: when A's authenticated
 * messages start arriving from a new address/port (RFC 7296 §2.23), every
 * CHILD SA of B follows (update_peer) and B's ESP packets go there; a
 * forged message moves nothing; as the responder of a CHILD SA rekey, B
 * keeps encrypting with the old SA until A deletes it (§2.8). */
#include <endian.h>
#include "test_ike_mock.h"
#include "check_main.h"

static struct mock_bed bed;
static struct esp_worker *wb;
static uint8_t buf[ESP_BUF_SIZE];

static void start_with_esp(void)
{
	mock_init(&bed, CONF_ROLE_INITIATOR, CONF_ROLE_RESPONDER);
	bed.node[1].esp = esp_table_new();
	ck_assert_ptr_nonnull(bed.node[1].esp);
	wb = esp_worker_new(bed.node[1].esp);
	ck_assert_ptr_nonnull(wb);
	mock_start(&bed);
	mock_establish(&bed);
}

static void stop(void)
{
	mock_free(&bed);
	esp_worker_free(wb);
	esp_table_free(bed.node[1].esp);
}

/* B tries to encrypt one packet from its site to A's: the verdict. */
static enum esp_verdict b_encrypt_verdict(struct esp_route *route)
{
	uint8_t *ip = buf + ESP_HEADROOM;
	const uint8_t src[4] = { 10, 212, 2, 5 }, dst[4] = { 10, 212, 1, 5 };
	size_t len = 0;

	memset(ip, 0, 60);
	ip[0] = 0x45;
	ip[3] = 60;
	ip[8] = 64;
	ip[9] = 17;
	memcpy(ip + 12, src, 4);
	memcpy(ip + 16, dst, 4);
	enum esp_verdict v = esp_encrypt(wb, buf, 60, &len, route);
	esp_worker_quiescent(wb);
	return v;
}

/* B encrypts one packet from its site to A's; returns the SPI it used. */
static uint32_t b_encrypt(struct esp_route *route)
{
	uint8_t *ip = buf + ESP_HEADROOM;
	const uint8_t src[4] = { 10, 212, 2, 5 }, dst[4] = { 10, 212, 1, 5 };
	size_t len = 0;
	uint32_t spi;

	memset(ip, 0, 60);
	ip[0] = 0x45;
	ip[3] = 60;
	ip[8] = 64;
	ip[9] = 17;
	memcpy(ip + 12, src, 4);
	memcpy(ip + 16, dst, 4);
	ck_assert_int_eq(esp_encrypt(wb, buf, 60, &len, route), ESP_OK);
	esp_worker_quiescent(wb);
	memcpy(&spi, buf, 4);
	return be32toh(spi);
}

static void assert_addr(const union lg_sockaddr *a, const char *want)
{
	char got[LG_ADDRSTRLEN];

	lg_sockaddr_format(a, got, sizeof(got));
	ck_assert_str_eq(got, want);
}

START_TEST(forged_message_moves_nothing)
{
	struct esp_route route;

	start_with_esp();
	ck_assert_int_eq(ike_info_dpd_start(mock_sa(&bed, 0)), 0);
	bed.q[0].data[bed.q[0].len - 1] ^= 1;   /* fails the ICV */
	bed.src_host[0] = "10.211.9.9";
	bed.src_port[0] = 40001;
	mock_deliver(&bed);
	ck_assert_uint_eq(bed.node[1].ike->drops[IKE_DROP_DECRYPT], 1);
	ck_assert_int_eq(bed.node[1].peer_updates, 0);
	b_encrypt(&route);
	assert_addr(&route.peer, "10.211.0.1:4500");
	stop();
}
END_TEST

/* A rekeys its CHILD SA; its DELETE of the old one is the first message
 * from the new mapping: B's two children both follow it. */
START_TEST(rebinding_moves_every_child)
{
	struct esp_route route;

	start_with_esp();
	uint32_t old_out = mock_active_child(&bed, 1, 0)->spi_out;
	ck_assert_uint_eq(b_encrypt(&route), old_out);
	assert_addr(&route.peer, "10.211.0.1:4500");
	struct ike_sa *a = mock_sa(&bed, 0);
	ck_assert_int_eq(ike_child_rekey_start(a, a->children), 0);
	mock_deliver(&bed);                   /* request: B installs inbound only */
	ck_assert_uint_eq(mock_active_children(&bed, 1), 2);
	ck_assert_uint_eq(b_encrypt(&route), old_out);   /* A may not have it yet */
	mock_deliver(&bed);                   /* response: A switches, sends DELETE */
	ck_assert_uint_eq(mock_exchange(&bed, 0), IKEV2_EXCHANGE_INFORMATIONAL);

	bed.src_host[0] = "10.211.9.9";
	bed.src_port[0] = 40001;
	mock_deliver(&bed);                   /* DELETE from the new mapping */
	ck_assert_int_eq(bed.node[1].peer_updates, 2);   /* old and new child */
	assert_addr(&mock_sa(&bed, 1)->remote, "10.211.9.9:40001");
	ck_assert_uint_eq(mock_active_children(&bed, 1), 1);
	const struct esp_child_params *now = mock_active_child(&bed, 1, 0);
	assert_addr(&now->peer, "10.211.9.9:40001");
	/* flow records name the peer that negotiated the SA, not whoever owns
	 * the outer address now (issue 9: flows name the SA's peer) */
	ck_assert_str_eq(now->owner, "site-a");
	ck_assert_uint_ne(now->spi_out, old_out);
	ck_assert_uint_eq(b_encrypt(&route), now->spi_out);   /* activated by the DELETE */
	assert_addr(&route.peer, "10.211.9.9:40001");
	mock_run(&bed);

	/* more from the same mapping: nothing to follow */
	ck_assert_int_eq(ike_info_dpd_start(mock_sa(&bed, 0)), 0);
	mock_run(&bed);
	ck_assert_int_eq(bed.node[1].peer_updates, 2);
	ck_assert_int_eq(bed.node[0].peer_updates, 0);   /* B never moved */
	mock_assert_children_match(&bed);
	stop();
}
END_TEST

/* The endpoint in use is the endpoint judged (issue 9, class 2): A's
 * authenticated DPD arrives from an address the region database places in
 * DE while B's uplink is the untagged Internet one: B refuses the move,
 * tears the SA down (children removed), audits compliance_refused, and never
 * points ESP at the new address. A domestic move is followed. */
START_TEST(move_abroad_refused)
{
	static const char regions[] = "198.51.100.0/24 DE\n203.0.113.0/24 CN\n";
	struct regiondb *db = NULL;
	char err[128];
	struct esp_route route;

	start_with_esp();
	ck_assert_int_eq(regiondb_parse("t", regions, sizeof(regions) - 1, &db, err, sizeof(err)), 0);
	bed.node[1].ike->db = db;
	/* domestic (database CN): followed */
	ck_assert_int_eq(ike_info_dpd_start(mock_sa(&bed, 0)), 0);
	bed.src_host[0] = "203.0.113.9";
	bed.src_port[0] = 40001;
	mock_run(&bed);
	ck_assert_int_eq(bed.node[1].peer_updates, 1);
	assert_addr(&mock_sa(&bed, 1)->remote, "203.0.113.9:40001");
	ck_assert_int_eq(bed.audit[AUDIT_COMPLIANCE_REFUSED][AUDIT_FAILURE], 0);
	/* abroad: refused, torn down */
	ck_assert_int_eq(ike_info_dpd_start(mock_sa(&bed, 0)), 0);
	bed.src_host[0] = "198.51.100.9";
	bed.src_port[0] = 40002;
	mock_deliver(&bed);
	ck_assert_int_eq(bed.node[1].peer_updates, 1);    /* ESP never followed */
	ck_assert_ptr_null(mock_sa(&bed, 1));
	ck_assert_uint_eq(mock_active_children(&bed, 1), 0);
	ck_assert_int_eq(bed.audit[AUDIT_COMPLIANCE_REFUSED][AUDIT_FAILURE], 1);
	ck_assert_int_ge(bed.audit[AUDIT_IKE_SA_DOWN][AUDIT_SUCCESS], 1);
	ck_assert_int_eq(b_encrypt_verdict(&route), ESP_DROP_NO_SA);   /* nothing to send it with */
	bed.node[1].ike->db = NULL;
	regiondb_free(db);
	stop();
}
END_TEST

/* After the move, a child B negotiates itself is installed towards the new
 * mapping from the start. */
START_TEST(children_after_the_move_use_it)
{
	struct esp_route route;

	start_with_esp();
	bed.src_host[0] = "10.211.9.9";
	bed.src_port[0] = 40002;
	ck_assert_int_eq(ike_info_dpd_start(mock_sa(&bed, 0)), 0);
	mock_run(&bed);
	ck_assert_int_eq(bed.node[1].peer_updates, 1);
	struct ike_sa *b = mock_sa(&bed, 1);
	ck_assert_int_eq(ike_child_rekey_start(b, b->children), 0);
	mock_run(&bed);
	ck_assert_uint_eq(mock_active_children(&bed, 1), 1);
	const struct esp_child_params *now = mock_active_child(&bed, 1, 0);
	assert_addr(&now->peer, "10.211.9.9:40002");
	ck_assert_uint_eq(b_encrypt(&route), now->spi_out);
	assert_addr(&route.peer, "10.211.9.9:40002");
	ck_assert_int_eq(bed.node[1].peer_updates, 1);
	stop();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ike_natt");
	TCase *t = tcase_create("natt");

	tcase_add_test(t, forged_message_moves_nothing);
	tcase_add_test(t, rebinding_moves_every_child);
	tcase_add_test(t, children_after_the_move_use_it);
	tcase_add_test(t, move_abroad_refused);
	suite_add_tcase(s, t);
	return lg_check_run(s);
}

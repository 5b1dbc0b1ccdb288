/* The SA table and the packet path: install/lookup/remove, make-before-break
 * (both the initiator's install and the rekey responder's inbound-only
 * install + activation), NAT rebinding (update_peer), longest-prefix choice
 * and selectors both ways, lifetimes, every trailer and inner-header error,
 * and malformed packets of every length. */
#include <errno.h>
#include "test_esp_util.h"
#include "check_main.h"

static struct esp_table *tx, *rx;
static struct esp_worker *wtx, *wrx;
static uint8_t buf[ESP_BUF_SIZE], pkt[ESP_BUF_SIZE];

static void setup(void)
{
	tx = esp_table_new();
	rx = esp_table_new();
	wtx = esp_worker_new(tx);
	wrx = esp_worker_new(rx);
}

static void teardown(void)
{
	esp_worker_free(wtx);
	esp_worker_free(wrx);
	esp_table_free(tx);
	esp_table_free(rx);
}

static void install_pair(struct esp_child_params *a)
{
	struct esp_child_params b = mirror(a);
	ck_assert_int_eq(esp_table_install(tx, a), 0);
	ck_assert_int_eq(esp_table_install(rx, &b), 0);
}

/* Encrypts an inner packet on tx; returns the verdict, packet in pkt. */
static enum esp_verdict send_pkt(const char *src, const char *dst, size_t len, size_t *esp_len,
				 struct esp_route *route)
{
	struct esp_route r;
	size_t n = make_inner(buf, src, dst, len);
	*esp_len = 0;
	enum esp_verdict v = esp_encrypt(wtx, buf, n, esp_len, route ? route : &r);
	if (v == ESP_OK)
		memcpy(pkt, buf, *esp_len);
	return v;
}

static enum esp_verdict recv_pkt(const uint8_t *p, size_t len, size_t *inner_len)
{
	size_t dummy;
	memcpy(buf, p, len);
	return esp_decrypt(wrx, buf, len, inner_len ? inner_len : &dummy, NULL);
}

static uint32_t pkt_spi(void)
{
	return (uint32_t)pkt[0] << 24 | (uint32_t)pkt[1] << 16 | (uint32_t)pkt[2] << 8 | pkt[3];
}

START_TEST(install_lookup_remove)
{
	struct esp_child_params a = child(1, 0x1001, 0x2001, "10.1.0.0/16", "10.2.0.0/16");
	struct esp_route route;
	struct esp_child_stats st;
	size_t len, inner_len;

	install_pair(&a);
	ck_assert_int_eq(send_pkt("10.1.2.3", "10.2.3.4", 84, &len, &route), ESP_OK);
	ck_assert_uint_eq(pkt_spi(), 0x2001);
	ck_assert_int_eq(route.uplink, 1);
	ck_assert(lg_sockaddr_equal(&route.peer, &a.peer));
	ck_assert_uint_eq(len % 4, 0);
	ck_assert_int_eq(recv_pkt(pkt, len, &inner_len), ESP_OK);
	ck_assert_uint_eq(inner_len, 84);
	make_inner(pkt, "10.1.2.3", "10.2.3.4", 84);
	ck_assert(!memcmp(buf + ESP_HEADROOM, pkt + ESP_HEADROOM, 84));

	ck_assert_int_eq(esp_table_stats(tx, 1, &st), 0);
	ck_assert_uint_eq(st.packets_out, 1);
	ck_assert_uint_eq(st.bytes_out, 84);
	ck_assert_uint_eq(st.seq_out, 1);
	ck_assert_uint_ne(st.first_activity_ms, 0);
	ck_assert_uint_ne(st.last_out_ms, 0);
	ck_assert_int_eq(esp_table_stats(rx, 1, &st), 0);
	ck_assert_uint_eq(st.packets_in, 1);
	ck_assert_uint_ne(st.last_in_ms, 0);

	/* errors of the control API */
	ck_assert_int_eq(esp_table_install(tx, &a), -EEXIST);
	struct esp_child_params bad = a;
	bad.child_id = 9;
	ck_assert_int_eq(esp_table_install(tx, &bad), -EEXIST);   /* same spi_in */
	bad.spi_in = 0x9999;
	bad.child_id = 0;
	ck_assert_int_eq(esp_table_install(tx, &bad), -EINVAL);
	bad.child_id = 9;
	bad.spi_out = 255;
	ck_assert_int_eq(esp_table_install(tx, &bad), -EINVAL);
	bad.spi_out = 0x9999;
	bad.n_local_ts = ESP_MAX_TS + 1;
	ck_assert_int_eq(esp_table_install(tx, &bad), -EINVAL);
	bad.n_local_ts = 0;
	ck_assert_int_eq(esp_table_install(tx, &bad), -EINVAL);
	bad.n_local_ts = 1;
	bad.remote_ts[0].len = 33;
	ck_assert_int_eq(esp_table_install(tx, &bad), -EINVAL);
	bad.remote_ts[0].len = 16;
	bad.cipher = (enum esp_cipher)12;
	ck_assert_int_eq(esp_table_install(tx, &bad), -EINVAL);
	bad.cipher = ESP_CIPHER_CHACHA20_POLY1305;
	ck_assert_int_eq(esp_table_install(tx, &bad), 0);   /* all fixed: accepted */
	ck_assert_int_eq(esp_table_remove(tx, 9), 0);
	ck_assert_int_eq(esp_table_remove(tx, 42), -ENOENT);
	ck_assert_int_eq(esp_table_stats(tx, 42, &st), -ENOENT);

	ck_assert_int_eq(esp_table_remove(tx, 1), 0);
	ck_assert_int_eq(esp_table_remove(rx, 1), 0);
	ck_assert_int_eq(esp_table_stats(tx, 1, &st), -ENOENT);
	ck_assert_int_eq(send_pkt("10.1.2.3", "10.2.3.4", 84, &len, NULL), ESP_DROP_NO_SA);
	memcpy(pkt, buf, 0);
	ck_assert_int_eq(recv_pkt(pkt, 120, NULL), ESP_DROP_BAD_SPI);
}
END_TEST

START_TEST(make_before_break)
{
	struct esp_child_params old = child(1, 0x1001, 0x2001, "10.1.0.0/16", "10.2.0.0/16");
	struct esp_child_params new = child(2, 0x1002, 0x2002, "10.1.0.0/16", "10.2.0.0/16");
	static uint8_t old_pkt[ESP_BUF_SIZE];
	size_t len, old_len;

	for (int i = 0; i < 32; i++)
		new.key_in[i] = new.key_out[i] = (uint8_t)(0x99 ^ i);
	install_pair(&old);
	ck_assert_int_eq(send_pkt("10.1.0.1", "10.2.0.1", 60, &old_len, NULL), ESP_OK);
	memcpy(old_pkt, pkt, old_len);
	ck_assert_uint_eq(pkt_spi(), 0x2001);

	/* the new inbound SA is live before the old one goes */
	install_pair(&new);
	ck_assert_int_eq(send_pkt("10.1.0.1", "10.2.0.1", 60, &len, NULL), ESP_OK);
	ck_assert_uint_eq(pkt_spi(), 0x2002);   /* outbound switched at once */
	ck_assert_int_eq(recv_pkt(pkt, len, NULL), ESP_OK);
	ck_assert_int_eq(recv_pkt(old_pkt, old_len, NULL), ESP_OK);   /* old still decrypts */

	ck_assert_int_eq(esp_table_remove(rx, 1), 0);
	ck_assert_int_eq(esp_table_remove(tx, 1), 0);
	ck_assert_int_eq(recv_pkt(old_pkt, old_len, NULL), ESP_DROP_BAD_SPI);
	ck_assert_int_eq(send_pkt("10.1.0.1", "10.2.0.1", 60, &len, NULL), ESP_OK);
	ck_assert_uint_eq(pkt_spi(), 0x2002);
	ck_assert_int_eq(recv_pkt(pkt, len, NULL), ESP_OK);
}
END_TEST

/* The rekey responder (RFC 7296 §2.8): the new child decrypts at once but
 * carries nothing out until activated; then the old one can go. */
START_TEST(inbound_only_until_activated)
{
	struct esp_child_params old = child(1, 0x1001, 0x2001, "10.1.0.0/16", "10.2.0.0/16");
	struct esp_child_params new = child(2, 0x1002, 0x2002, "10.1.0.0/16", "10.2.0.0/16");
	struct esp_child_params new_rx;
	size_t len;

	for (int i = 0; i < 32; i++)
		new.key_in[i] = new.key_out[i] = (uint8_t)(0x99 ^ i);
	new_rx = mirror(&new);
	install_pair(&old);
	/* rx answers the rekey: inbound only; tx (the initiator) switches */
	ck_assert_int_eq(esp_table_install_inbound(rx, &new_rx), 0);
	ck_assert_int_eq(esp_table_install(tx, &new), 0);
	ck_assert_int_eq(send_pkt("10.1.0.1", "10.2.0.1", 60, &len, NULL), ESP_OK);
	ck_assert_uint_eq(pkt_spi(), 0x2002);
	ck_assert_int_eq(recv_pkt(pkt, len, NULL), ESP_OK);   /* new one decrypts */

	/* the responder's outbound still uses the old SA */
	struct esp_route route;
	size_t n = make_inner(buf, "10.2.0.1", "10.1.0.1", 60);
	ck_assert_int_eq(esp_encrypt(wrx, buf, n, &len, &route), ESP_OK);
	ck_assert_uint_eq(buf[3] | buf[2] << 8, 0x1001);
	ck_assert_int_eq(esp_table_activate_outbound(rx, 2), 0);
	n = make_inner(buf, "10.2.0.1", "10.1.0.1", 60);
	ck_assert_int_eq(esp_encrypt(wrx, buf, n, &len, &route), ESP_OK);
	ck_assert_uint_eq(buf[3] | buf[2] << 8, 0x1002);   /* switched */
	memcpy(pkt, buf, len);
	ck_assert_int_eq(esp_decrypt(wtx, pkt, len, &n, NULL), ESP_OK);

	/* the old SA leaves; the activated one stays the choice */
	ck_assert_int_eq(esp_table_remove(rx, 1), 0);
	ck_assert_int_eq(esp_table_activate_outbound(rx, 2), 0);   /* idempotent */
	n = make_inner(buf, "10.2.0.1", "10.1.0.1", 60);
	ck_assert_int_eq(esp_encrypt(wrx, buf, n, &len, &route), ESP_OK);
	ck_assert_uint_eq(buf[3] | buf[2] << 8, 0x1002);
	ck_assert_int_eq(esp_table_activate_outbound(rx, 1), -ENOENT);
}
END_TEST

/* Alone, an inbound-only child routes nothing: no packet leaves on an SA
 * the peer may not have yet. */
START_TEST(inbound_only_alone_routes_nothing)
{
	struct esp_child_params a = child(1, 0x1001, 0x2001, "10.1.0.0/16", "10.2.0.0/16");
	size_t len;

	ck_assert_int_eq(esp_table_install_inbound(tx, &a), 0);
	ck_assert_int_eq(send_pkt("10.1.0.1", "10.2.0.1", 60, &len, NULL), ESP_DROP_NO_SA);
	ck_assert_int_eq(esp_table_activate_outbound(tx, 1), 0);
	ck_assert_int_eq(send_pkt("10.1.0.1", "10.2.0.1", 60, &len, NULL), ESP_OK);
	ck_assert_uint_eq(pkt_spi(), 0x2001);
}
END_TEST

/* NAT rebinding: the route follows the new outer address; the old copy is
 * kept until the worker that may hold it has passed a quiescent point. */
START_TEST(update_peer_moves_route)
{
	struct esp_child_params a = child(1, 0x1001, 0x2001, "10.1.0.0/16", "10.2.0.0/16");
	union lg_sockaddr moved;
	struct esp_route route;
	size_t len, inner_len;

	install_pair(&a);
	ck_assert_int_eq(send_pkt("10.1.0.1", "10.2.0.1", 60, &len, &route), ESP_OK);
	ck_assert(lg_sockaddr_equal(&route.peer, &a.peer));
	ck_assert_int_eq(lg_sockaddr_parse("[2001:db8::7]:31337", 4500, &moved), 0);
	ck_assert_int_eq(esp_table_update_peer(tx, 1, &moved), 0);
	ck_assert_ptr_nonnull(tx->retired);   /* wtx is online: old copy kept */
	ck_assert_ptr_nonnull(tx->retired->peer);
	ck_assert(lg_sockaddr_equal(tx->retired->peer, &a.peer));
	ck_assert_int_eq(send_pkt("10.1.0.1", "10.2.0.1", 60, &len, &route), ESP_OK);
	ck_assert(lg_sockaddr_equal(&route.peer, &moved));
	ck_assert_int_eq(route.uplink, 1);
	ck_assert_int_eq(recv_pkt(pkt, len, &inner_len), ESP_OK);   /* same keys, same SA */
	esp_worker_quiescent(wtx);
	esp_table_drops(tx, (uint64_t[ESP_VERDICT_COUNT]){ 0 });
	ck_assert_ptr_null(tx->retired);
	ck_assert_int_eq(esp_table_update_peer(tx, 42, &moved), -ENOENT);
}
END_TEST

struct route_case {
	const char *src, *dst;
	enum esp_verdict v;
	uint32_t spi_out;
};

static const struct route_case route_table[] = {
	{ "10.1.0.1", "10.2.3.4", ESP_OK, 0x2002 },        /* /16 beats /8 */
	{ "10.1.0.1", "10.3.0.1", ESP_OK, 0x2001 },        /* only the /8 */
	{ "10.1.0.1", "10.2.9.9", ESP_OK, 0x2003 },        /* /24 beats /16 */
	{ "10.7.0.1", "10.2.3.4", ESP_OK, 0x2004 },        /* same /16, other local */
	{ "10.8.0.1", "10.2.3.4", ESP_DROP_SELECTOR, 0 },  /* spoofed source */
	{ "10.1.0.1", "192.168.0.1", ESP_DROP_NO_SA, 0 },
	{ "fd01::1", "fd02::1", ESP_OK, 0x2005 },
	{ "fd01::1", "fd02:0:0:1::1", ESP_OK, 0x2006 },    /* /64 beats /32 */
	{ "fd09::1", "fd02::1", ESP_DROP_SELECTOR, 0 },
	{ "fd01::1", "fd03::1", ESP_DROP_NO_SA, 0 },
};

START_TEST(longest_prefix_and_selectors)
{
	struct esp_child_params c[] = {
		child(1, 0x1001, 0x2001, "10.1.0.0/16", "10.0.0.0/8"),
		child(2, 0x1002, 0x2002, "10.1.0.0/16", "10.2.0.0/16"),
		child(3, 0x1003, 0x2003, "10.1.0.0/16", "10.2.9.0/24"),
		child(4, 0x1004, 0x2004, "10.7.0.0/16", "10.2.0.0/16"),
		child(5, 0x1005, 0x2005, "fd01::/32", "fd02::/32"),
		child(6, 0x1006, 0x2006, "fd01::/32", "fd02:0:0:1::/64"),
	};
	const struct route_case *r = &route_table[_i];
	size_t len;

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		install_pair(&c[i]);
	ck_assert_int_eq(send_pkt(r->src, r->dst, 64, &len, NULL), r->v);
	if (r->v == ESP_OK) {
		ck_assert_uint_eq(pkt_spi(), r->spi_out);
		ck_assert_int_eq(recv_pkt(pkt, len, NULL), ESP_OK);
	}
	uint64_t drops[ESP_VERDICT_COUNT];
	esp_table_drops(tx, drops);
	ck_assert_uint_eq(drops[r->v], r->v == ESP_OK ? 0 : 1);
}
END_TEST

START_TEST(inbound_selectors_of_the_authenticating_sa)
{
	/* The peer has the right keys but puts a source outside what was
	 * negotiated: dropped after decryption and counted on the SA. */
	struct esp_child_params a = child(1, 0x1001, 0x2001, "10.1.0.0/16", "10.2.0.0/16");
	struct esp_child_params b = mirror(&a);
	struct esp_child_stats st;
	size_t len;

	prefix(&a.local_ts[0], "10.9.0.0/16");   /* sender lies about its LAN */
	ck_assert_int_eq(esp_table_install(tx, &a), 0);
	ck_assert_int_eq(esp_table_install(rx, &b), 0);
	ck_assert_int_eq(send_pkt("10.9.0.1", "10.2.0.1", 64, &len, NULL), ESP_OK);
	ck_assert_int_eq(recv_pkt(pkt, len, NULL), ESP_DROP_SELECTOR);
	ck_assert_int_eq(esp_table_stats(rx, 1, &st), 0);
	ck_assert_uint_eq(st.selector_drops, 1);
	/* and a destination outside our local selectors */
	prefix(&a.local_ts[1], "10.1.0.0/16");
	a.n_local_ts = 2;
	prefix(&a.remote_ts[1], "10.3.0.0/16");
	a.n_remote_ts = 2;
	a.child_id = 2;
	a.spi_in = 0x1002;
	ck_assert_int_eq(esp_table_remove(tx, 1), 0);
	ck_assert_int_eq(esp_table_install(tx, &a), 0);
	ck_assert_int_eq(esp_table_test_set_seq_out(tx, 2, 10), 0);   /* same SPI: go on */
	ck_assert_int_eq(send_pkt("10.1.0.1", "10.3.0.1", 64, &len, NULL), ESP_OK);
	ck_assert_int_eq(recv_pkt(pkt, len, NULL), ESP_DROP_SELECTOR);
	ck_assert_int_eq(send_pkt("10.1.0.1", "10.2.0.1", 64, &len, NULL), ESP_OK);
	ck_assert_int_eq(recv_pkt(pkt, len, NULL), ESP_OK);
}
END_TEST

START_TEST(roundtrip_every_length)
{
	/* Both ciphers, IPv4 and IPv6, every padding remainder. */
	enum esp_cipher ciphers[] = { ESP_CIPHER_CHACHA20_POLY1305, ESP_CIPHER_AES256_GCM16 };
	for (int ci = 0; ci < 2; ci++) {
		if (!esp_cipher_available(ciphers[ci]))
			continue;
		struct esp_child_params a = child(1 + ci, 0x1001 + ci, 0x2001 + ci, "10.1.0.0/16", "10.2.0.0/16");
		a.cipher = ciphers[ci];
		prefix(&a.local_ts[1], "fd01::/16");
		prefix(&a.remote_ts[1], "fd02::/16");
		a.n_local_ts = a.n_remote_ts = 2;
		install_pair(&a);
		for (size_t n = 20; n < 1500; n += n < 120 ? 1 : 97) {
			for (int v6 = 0; v6 < 2; v6++) {
				size_t len, inner_len;
				if (v6 && n < 40)
					continue;
				ck_assert_int_eq(send_pkt(v6 ? "fd01::1" : "10.1.0.1",
							  v6 ? "fd02::2" : "10.2.0.2", n, &len, NULL), ESP_OK);
				ck_assert_uint_eq(len % 4, 0);
				ck_assert_uint_le(len, n + ESP_OVERHEAD_MAX);
				static uint8_t plain[ESP_BUF_SIZE];
				make_inner(plain, v6 ? "fd01::1" : "10.1.0.1", v6 ? "fd02::2" : "10.2.0.2", n);
				ck_assert(memcmp(pkt + ESP_HEADROOM, plain + ESP_HEADROOM, n));  /* encrypted */
				ck_assert_int_eq(recv_pkt(pkt, len, &inner_len), ESP_OK);
				ck_assert_uint_eq(inner_len, n);
				ck_assert(!memcmp(buf + ESP_HEADROOM, plain + ESP_HEADROOM, n));
			}
		}
		esp_table_remove(tx, 1 + ci);
		esp_table_remove(rx, 1 + ci);
	}
}
END_TEST

/* Builds an authentic packet (the rx SA's key) with any plaintext. */
static size_t craft(uint32_t spi, uint32_t seq, const uint8_t *pt, size_t pt_len)
{
	struct esp_child_params a = child(1, 0x1001, 0x2001, "10.1.0.0/16", "10.2.0.0/16");
	struct esp_aead *ae = sodium_malloc(sizeof(*ae));
	uint8_t hdr[8] = { spi >> 24, spi >> 16, spi >> 8, spi, seq >> 24, seq >> 16, seq >> 8, seq };

	ck_assert_int_eq(esp_aead_init(ae, a.cipher, a.key_out, a.salt_out), 0);
	memcpy(pkt, hdr, 8);
	memset(pkt + 8, 0x5a, 8);
	memcpy(pkt + ESP_HEADROOM, pt, pt_len);
	esp_aead_seal(ae, pkt + 8, hdr, 8, pkt + ESP_HEADROOM, pt_len, pkt + ESP_HEADROOM + pt_len);
	sodium_free(ae);
	return ESP_HEADROOM + pt_len + ESP_ICV_LEN;
}

struct trailer_case {
	const char *name;
	size_t inner_len;   /* IPv4 packet with this total length, then: */
	size_t ip_len_field;
	int version;        /* 4, 6, or 0 = garbage */
	const char *trailer_hex;   /* padding + pad length + next header */
	enum esp_verdict v;
	size_t out_len;
};

static const struct trailer_case trailer_table[] = {
	{ "ok no pad", 82, 82, 4, "0004", ESP_OK, 82 },
	{ "ok pad 3", 83, 83, 4, "010203" "0304", ESP_OK, 83 },
	{ "pad length one short", 83, 83, 4, "01020302" "04", ESP_DROP_PADDING, 0 },  /* pad "02 03" */
	{ "ok pad 2", 84, 84, 4, "0102" "0204", ESP_OK, 84 },
	{ "bad pad bytes", 84, 84, 4, "0103" "0204", ESP_DROP_PADDING, 0 },
	{ "zero pad bytes", 84, 84, 4, "0000" "0204", ESP_DROP_PADDING, 0 },
	{ "pad longer than payload", 20, 20, 4, "ff04", ESP_DROP_PADDING, 0 },
	{ "dummy", 84, 84, 4, "0102" "023b", ESP_DROP_DUMMY, 0 },
	{ "next header tcp", 84, 84, 4, "0102" "0206", ESP_DROP_NEXT_HEADER, 0 },
	{ "v4 said v6", 84, 84, 4, "0102" "0229", ESP_DROP_MALFORMED, 0 },
	{ "v6 said v4", 84, 84, 6, "0102" "0204", ESP_DROP_MALFORMED, 0 },
	{ "garbage inner", 84, 84, 0, "0102" "0204", ESP_DROP_MALFORMED, 0 },
	{ "ip length too long", 84, 85, 4, "0102" "0204", ESP_DROP_MALFORMED, 0 },
	{ "ip length below header", 84, 19, 4, "0102" "0204", ESP_DROP_MALFORMED, 0 },
	{ "tfc padding after packet", 84, 60, 4, "0102" "0204", ESP_OK, 60 },
	{ "v6 tfc", 84, 60, 6, "0102" "0229", ESP_OK, 60 },
	{ "v6 payload too long", 84, 85, 6, "0102" "0229", ESP_DROP_MALFORMED, 0 },
	{ "inner too short for v4", 16, 16, 4, "0004", ESP_DROP_MALFORMED, 0 },
};

START_TEST(trailer_and_inner_checks)
{
	const struct trailer_case *c = &trailer_table[_i];
	struct esp_child_params a = child(1, 0x1001, 0x2001, "10.1.0.0/16", "10.2.0.0/16");
	uint8_t pt[256], inner[ESP_HEADROOM + 256];
	struct esp_child_stats st;
	size_t inner_len = 0;

	prefix(&a.local_ts[1], "fd01::/16");
	prefix(&a.remote_ts[1], "fd02::/16");
	a.n_local_ts = a.n_remote_ts = 2;
	install_pair(&a);
	if (c->version == 6) {
		make_inner(inner, "fd01::1", "fd02::2", c->inner_len);
		inner[ESP_HEADROOM + 4] = (uint8_t)((c->ip_len_field - 40) >> 8);
		inner[ESP_HEADROOM + 5] = (uint8_t)(c->ip_len_field - 40);
	} else if (c->inner_len >= 20) {
		make_inner(inner, "10.1.0.1", "10.2.0.1", c->inner_len);
		inner[ESP_HEADROOM + 2] = (uint8_t)(c->ip_len_field >> 8);
		inner[ESP_HEADROOM + 3] = (uint8_t)c->ip_len_field;
	} else {
		memset(inner, 0x45, sizeof(inner));
	}
	if (c->version == 0)
		inner[ESP_HEADROOM] = 0x15;
	memcpy(pt, inner + ESP_HEADROOM, c->inner_len);
	size_t n = c->inner_len + unhex(c->trailer_hex, pt + c->inner_len, sizeof(pt) - c->inner_len);
	size_t len = craft(0x2001, 1, pt, n);
	enum esp_verdict v = recv_pkt(pkt, len, &inner_len);
	ck_assert_msg(v == c->v, "%s: got %s", c->name, esp_verdict_name(v));
	if (c->v == ESP_OK)
		ck_assert_uint_eq(inner_len, c->out_len);
	/* authenticated either way: the window moved, the packet counted */
	ck_assert_int_eq(recv_pkt(pkt, len, &inner_len), ESP_DROP_REPLAY);
	ck_assert_int_eq(esp_table_stats(rx, 1, &st), 0);
	ck_assert_uint_eq(st.packets_in, 1);
	ck_assert_uint_eq(st.dummy_in, c->v == ESP_DROP_DUMMY);
}
END_TEST

START_TEST(malformed_every_length)
{
	struct esp_child_params a = child(1, 0x1001, 0x2001, "10.1.0.0/16", "10.2.0.0/16");
	static uint8_t good[ESP_BUF_SIZE];
	size_t good_len;

	install_pair(&a);
	ck_assert_int_eq(send_pkt("10.1.0.1", "10.2.0.1", 84, &good_len, NULL), ESP_OK);
	memcpy(good, pkt, good_len);
	for (size_t len = 0; len <= good_len + 8; len++) {
		enum esp_verdict want = len < ESP_HEADROOM + 2 + ESP_ICV_LEN ? ESP_DROP_MALFORMED
									     : ESP_DROP_AUTH;
		/* truncated (or extended) copies of a genuine packet */
		memcpy(pkt, good, good_len);
		if (len > good_len)
			memset(pkt + good_len, 0, len - good_len);
		enum esp_verdict v = len == good_len ? want : recv_pkt(pkt, len, NULL);
		ck_assert_msg(v == want, "len %zu: %s", len, esp_verdict_name(v));
		/* random bytes with our SPI, a fresh seq */
		randombytes_buf(pkt, len);
		if (len >= 8) {
			memcpy(pkt, good, 4);
			pkt[4] = 0;
			pkt[7] |= 0x80;
		}
		v = recv_pkt(pkt, len, NULL);
		if (len < 8)
			ck_assert_int_eq(v, ESP_DROP_MALFORMED);
		else
			ck_assert_msg(v == (len < ESP_HEADROOM + 2 + ESP_ICV_LEN ? ESP_DROP_MALFORMED : ESP_DROP_AUTH),
				      "random len %zu: %s", len, esp_verdict_name(v));
	}
	ck_assert_int_eq(recv_pkt(good, good_len, NULL), ESP_OK);   /* untouched by all that */
	ck_assert_int_eq(esp_decrypt(wrx, buf, ESP_BUF_SIZE + 1, &good_len, NULL), ESP_DROP_MALFORMED);

	/* outbound: garbage and inconsistent inner packets of every length */
	for (size_t len = 0; len <= 64; len++) {
		struct esp_route r;
		size_t esp_len;
		randombytes_buf(buf + ESP_HEADROOM, len);
		if (len)
			buf[ESP_HEADROOM] = (uint8_t)(len % 2 ? 0x15 : 0x45);
		if (len >= 4) {
			buf[ESP_HEADROOM + 2] = 0;
			buf[ESP_HEADROOM + 3] = (uint8_t)(len + 1);   /* says one more */
		}
		ck_assert_int_eq(esp_encrypt(wtx, buf, len, &esp_len, &r), ESP_DROP_MALFORMED);
	}
	struct esp_route r;
	size_t esp_len;
	ck_assert_int_eq(esp_encrypt(wtx, buf, ESP_BUF_SIZE, &esp_len, &r), ESP_DROP_MALFORMED);
	uint64_t drops[ESP_VERDICT_COUNT];
	esp_table_drops(tx, drops);
	ck_assert_uint_eq(drops[ESP_DROP_MALFORMED], 66);
}
END_TEST

START_TEST(hard_lifetimes)
{
	struct esp_child_params a = child(1, 0x1001, 0x2001, "10.1.0.0/16", "10.2.0.0/16");
	struct esp_child_params b = mirror(&a);
	struct esp_child_stats st;
	static uint8_t saved[4][ESP_BUF_SIZE];
	size_t len[4];

	a.hard_packets = 3;
	b.hard_bytes = 200;   /* two 100-byte packets */
	ck_assert_int_eq(esp_table_install(tx, &a), 0);
	ck_assert_int_eq(esp_table_install(rx, &b), 0);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(send_pkt("10.1.0.1", "10.2.0.1", 100, &len[i], NULL), ESP_OK);
		memcpy(saved[i], pkt, len[i]);
	}
	ck_assert_int_eq(esp_table_stats(tx, 1, &st), 0);
	ck_assert(st.rekey_wanted);   /* soft limit (7/8) passed */
	ck_assert_int_eq(send_pkt("10.1.0.1", "10.2.0.1", 100, &len[3], NULL), ESP_DROP_LIFETIME);
	ck_assert_int_eq(recv_pkt(saved[0], len[0], NULL), ESP_OK);
	ck_assert_int_eq(recv_pkt(saved[1], len[1], NULL), ESP_OK);
	ck_assert_int_eq(recv_pkt(saved[2], len[2], NULL), ESP_DROP_LIFETIME);
	ck_assert_int_eq(esp_table_stats(rx, 1, &st), 0);
	ck_assert(st.rekey_wanted);
	ck_assert_uint_eq(st.bytes_in, 200);
}
END_TEST

struct foreach_case {
	struct esp_child_params want[2];
	size_t n;
};

static void same_prefixes(const struct lg_prefix *got, const struct lg_prefix *want, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		ck_assert_uint_eq(got[i].family, want[i].family);
		ck_assert_uint_eq(got[i].len, want[i].len);
		ck_assert_mem_eq(got[i].addr, want[i].addr, sizeof(got[i].addr));
	}
}

/* What `sas`, flow records and totals read: everything as installed (the
 * selectors from their compiled form, the peer as moved), no key. */
static void check_child(void *ctx, const struct esp_child_params *p, const struct esp_child_stats *s)
{
	struct foreach_case *fc = ctx;
	const struct esp_child_params *w = &fc->want[p->child_id - 1];
	struct esp_child_params keyless;

	ck_assert_uint_ge(p->child_id, 1);
	ck_assert_uint_le(p->child_id, 2);
	memset(&keyless, 0, sizeof(keyless));
	ck_assert_mem_eq(p->key_in, keyless.key_in, sizeof(p->key_in));   /* no keys handed out */
	ck_assert_mem_eq(p->key_out, keyless.key_out, sizeof(p->key_out));
	ck_assert_mem_eq(p->salt_in, keyless.salt_in, sizeof(p->salt_in));
	ck_assert_mem_eq(p->salt_out, keyless.salt_out, sizeof(p->salt_out));
	ck_assert_mem_eq(p->integ_in, keyless.integ_in, sizeof(p->integ_in));
	ck_assert_mem_eq(p->integ_out, keyless.integ_out, sizeof(p->integ_out));
	ck_assert_uint_eq(p->spi_in, w->spi_in);
	ck_assert_uint_eq(p->spi_out, w->spi_out);
	ck_assert_int_eq(p->cipher, w->cipher);
	ck_assert_uint_eq(p->cipher_keybits, w->cipher_keybits);
	ck_assert_uint_eq(p->integ, w->integ);
	ck_assert_int_eq(p->esn, w->esn);
	ck_assert_int_eq(p->uplink, w->uplink);
	ck_assert_uint_eq(p->hard_bytes, w->hard_bytes);
	ck_assert_uint_eq(p->hard_packets, w->hard_packets);
	ck_assert_str_eq(p->owner, w->owner);
	ck_assert(lg_sockaddr_equal(&p->peer, &w->peer));
	ck_assert_uint_eq(p->n_local_ts, w->n_local_ts);
	ck_assert_uint_eq(p->n_remote_ts, w->n_remote_ts);
	same_prefixes(p->local_ts, w->local_ts, w->n_local_ts);
	same_prefixes(p->remote_ts, w->remote_ts, w->n_remote_ts);
	ck_assert_uint_eq(s->packets_out, 0);
	fc->n++;
}

/* No 8-byte run of any key of p anywhere in the SA's own allocation: the
 * keys live expanded in sodium memory only. */
static void assert_no_key_copy(const struct esp_sa *sa, const struct esp_child_params *p)
{
	const uint8_t *mem = (const uint8_t *)sa;
	size_t size = sa_size((size_t)sa->n_local + sa->n_remote);
	const struct { const uint8_t *k; size_t len; } keys[] = {
		{ p->key_in, 32 }, { p->key_out, 32 }, { p->integ_in, 64 }, { p->integ_out, 64 },
	};

	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		for (size_t i = 0; i + 8 <= keys[k].len; i++)
			ck_assert_msg(!memmem(mem, size, keys[k].k + i, 8), "key %zu bytes %zu..", k, i);
}

START_TEST(foreach_without_keys)
{
	struct foreach_case fc = { .want = {
		child(1, 0x1001, 0x2001, "10.1.0.0/16", "10.2.0.0/16"),
		child(2, 0x1002, 0x2002, "10.1.0.0/16", "10.3.0.0/16"),
	} };
	struct esp_child_params *b = &fc.want[1];
	union lg_sockaddr moved;

	/* the second: AES-CBC with HMAC keys, four selectors a side, IPv6 too */
	b->cipher = ESP_CIPHER_AES_CBC;
	b->cipher_keybits = 256;
	b->integ = IKEV2_INTEG_HMAC_SHA2_512_256;
	b->esn = true;
	b->hard_bytes = 1 << 20;
	b->hard_packets = 1000;
	snprintf(b->owner, sizeof(b->owner), "branch-17");
	prefix(&b->local_ts[b->n_local_ts++], "fd01::/48");
	prefix(&b->local_ts[b->n_local_ts++], "192.168.7.0/24");
	prefix(&b->local_ts[b->n_local_ts++], "0.0.0.0/0");
	prefix(&b->remote_ts[b->n_remote_ts++], "fd02:0:0:1::/64");
	prefix(&b->remote_ts[b->n_remote_ts++], "172.16.0.0/12");
	prefix(&b->remote_ts[b->n_remote_ts++], "::/0");
	for (int i = 0; i < 2; i++) {
		randombytes_buf(fc.want[i].key_in, sizeof(fc.want[i].key_in));
		randombytes_buf(fc.want[i].key_out, sizeof(fc.want[i].key_out));
		randombytes_buf(fc.want[i].integ_in, sizeof(fc.want[i].integ_in));
		randombytes_buf(fc.want[i].integ_out, sizeof(fc.want[i].integ_out));
		ck_assert_int_eq(esp_table_install(tx, &fc.want[i]), 0);
	}
	ck_assert_int_eq(lg_sockaddr_parse("[2001:db8::7]:31337", 4500, &moved), 0);
	ck_assert_int_eq(esp_table_update_peer(tx, 2, &moved), 0);
	b->peer = moved;
	esp_table_foreach(tx, check_child, &fc);
	ck_assert_uint_eq(fc.n, 2);
	for (size_t i = 0; i < tx->n_sas; i++)
		assert_no_key_copy(tx->sas[i], &fc.want[tx->sas[i]->p.child_id - 1]);
	/* sized to its selectors, not ESP_MAX_TS of each */
	ck_assert_uint_le(sa_size(2), 1152);
	ck_assert_uint_lt(sa_size(2 * ESP_MAX_TS), 1792);
}
END_TEST

START_TEST(retired_only_after_quiescent)
{
	struct esp_child_params a = child(1, 0x1001, 0x2001, "10.1.0.0/16", "10.2.0.0/16");
	struct esp_child_stats st;
	size_t len;

	ck_assert_int_eq(esp_table_install(tx, &a), 0);
	esp_worker_quiescent(wtx);
	esp_worker_quiescent(wrx);
	ck_assert_int_eq(esp_table_stats(tx, 1, &st), 0);
	ck_assert_ptr_null(tx->retired);   /* nobody online: freed at once */

	ck_assert_int_eq(send_pkt("10.1.0.1", "10.2.0.1", 64, &len, NULL), ESP_OK);  /* online */
	ck_assert_int_eq(esp_table_remove(tx, 1), 0);
	ck_assert_ptr_nonnull(tx->retired);   /* the worker may still hold it */
	ck_assert_ptr_nonnull(tx->retired->sa);
	esp_table_drops(tx, (uint64_t[ESP_VERDICT_COUNT]){ 0 });
	ck_assert_ptr_nonnull(tx->retired);
	esp_worker_quiescent(wtx);
	esp_table_drops(tx, (uint64_t[ESP_VERDICT_COUNT]){ 0 });
	ck_assert_ptr_null(tx->retired);
	/* back online after the change: sees the new (empty) snapshot */
	ck_assert_int_eq(send_pkt("10.1.0.1", "10.2.0.1", 64, &len, NULL), ESP_DROP_NO_SA);
}
END_TEST

/* The snapshot's sorted-list LPM and SPI hash against a deliberately naive
 * reference, on random children (WireGuard's allowedips self-test idea). */
static struct lg_prefix random_prefix(bool v6)
{
	struct lg_prefix p = { .family = v6 ? AF_INET6 : AF_INET };
	uint8_t bits = v6 ? 128 : 32;

	p.len = (uint8_t)(randombytes_uniform(bits + 1));
	randombytes_buf(p.addr, v6 ? 16 : 4);
	p.addr[0] = 10;   /* keep them overlapping: all in 10/8 or 0a00::/8 */
	for (unsigned i = p.len; i < bits; i++)
		p.addr[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
	if (p.len < 8)
		p.addr[0] = 0;
	return p;
}

static struct esp_sa *naive_route(struct esp_sa **sas, size_t n, int family,
				  const uint64_t src[2], const uint64_t dst[2])
{
	int best = -1;
	struct esp_sa *won = NULL;

	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < sas[i]->n_remote; j++)
			if (sas[i]->remote[j].family == family && ts_match_addr(&sas[i]->remote[j], dst))
				best = sas[i]->remote[j].len > best ? sas[i]->remote[j].len : best;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < sas[i]->n_remote; j++)
			if (sas[i]->remote[j].family == family && sas[i]->remote[j].len == best &&
			    ts_match_addr(&sas[i]->remote[j], dst) && sa_local_has(sas[i], family, src) &&
			    (!won || sas[i]->order > won->order))
				won = sas[i];
	return won;
}

/* Half of the probes aim inside an installed remote selector, from a source
 * inside every (wide, zero-based) local one, so that many lookups find a
 * child whatever prefixes were drawn (pure random probes sometimes found
 * too few for the coverage check below). */
static void aimed_probe(struct lg_prefix rp[][3], struct esp_sa **sas, size_t n, bool v6,
			struct lg_prefix *a, struct lg_prefix *b)
{
	int family = v6 ? AF_INET6 : AF_INET;
	size_t i = randombytes_uniform((uint32_t)n);

	for (;; i = (i + 1) % n)
		for (size_t j = 0; j < sas[i]->n_remote; j++)
			if (rp[i][j].family == family) {
				*b = random_prefix(v6);
				for (unsigned k = 0; k < rp[i][j].len; k++)   /* the prefix bits */
					b->addr[k / 8] = (uint8_t)((b->addr[k / 8] & ~(0x80u >> (k % 8))) |
								   (rp[i][j].addr[k / 8] & (0x80u >> (k % 8))));
				*a = random_prefix(v6);
				memset(a->addr, 0, v6 ? 4 : 1);
				return;
			}
}

START_TEST(lpm_against_naive_reference)
{
	enum { N = 40 };
	struct esp_sa *sas[N];
	struct lg_prefix rp[N][3];

	for (size_t i = 0; i < N; i++) {
		sas[i] = calloc(1, sa_size(5));
		sas[i]->order = randombytes_uniform(1000) * N + i;   /* unique */
		sas[i]->p.spi_in = randombytes_random() | 0x100;
		sas[i]->n_remote = (uint8_t)(1 + randombytes_uniform(3));
		sas[i]->n_local = (uint8_t)(1 + randombytes_uniform(2));
		sas[i]->local = sas[i]->ts;
		sas[i]->remote = sas[i]->ts + sas[i]->n_local;
		for (size_t j = 0; j < sas[i]->n_remote; j++) {
			struct lg_prefix pr = random_prefix(randombytes_uniform(2));
			ts_match_from_prefix(&sas[i]->ts[sas[i]->n_local + j], &pr);
			rp[i][j] = pr;
		}
		for (size_t j = 0; j < sas[i]->n_local; j++) {
			struct lg_prefix pr = random_prefix(randombytes_uniform(2));
			pr.len = (uint8_t)(pr.len / 4);   /* wide, so sources often match */
			memset(pr.addr, 0, sizeof(pr.addr));
			ts_match_from_prefix(&sas[i]->ts[j], &pr);
		}
	}
	struct esp_snapshot *snap = snapshot_build(sas, N);
	size_t found = 0;
	ck_assert_ptr_nonnull(snap);
	for (int k = 0; k < 20000; k++) {
		bool v6 = k & 1;
		struct lg_prefix a = random_prefix(v6), b = random_prefix(v6);
		uint64_t src[2], dst[2];
		if (k & 2)
			aimed_probe(rp, sas, N, v6, &a, &b);
		struct esp_sa *sel;
		ts_load_addr(src, a.family, a.addr);
		ts_load_addr(dst, b.family, b.addr);
		struct esp_sa *got = snapshot_route(snap, a.family, src, dst, &sel);
		ck_assert_ptr_eq(got, naive_route(sas, N, a.family, src, dst));
		found += got != NULL;
	}
	ck_assert_uint_gt(found, 1000);   /* the comparison is not all "no SA" */
	for (size_t i = 0; i < N; i++) {
		bool dup = false;   /* random SPIs may collide: the hash then holds one */
		for (size_t j = 0; j < N; j++)
			dup |= j != i && sas[j]->p.spi_in == sas[i]->p.spi_in;
		if (!dup)
			ck_assert_ptr_eq(snapshot_find_spi(snap, sas[i]->p.spi_in), sas[i]);
		ck_assert_ptr_null(snapshot_find_spi(snap, 7));   /* < 256: never installed */
	}
	snapshot_free_all(snap);
	for (size_t i = 0; i < N; i++)
		free(sas[i]);
}
END_TEST

/* Fail closed: packets to a configured peer's subnets without an SA are
 * dropped as no_sa and counted under the longest hold's tag; an SA, when
 * there is one, wins; other destinations are not counted; a new set of
 * holds restarts the counters; invalid holds are refused. */
/* The table's incremental snapshot (only the shards a change touched are
 * rebuilt) against the naive search over what it holds, after every one
 * of thousands of random installs, activations and removals. */
static size_t outbound_sas(struct esp_table *t, struct esp_sa **out)
{
	size_t n = 0;

	for (size_t i = 0; i < t->n_sas; i++)
		if (!t->sas[i]->inbound_only)
			out[n++] = t->sas[i];
	return n;
}

static void check_against_naive(struct esp_table *t, struct esp_sa **scratch)
{
	const struct esp_snapshot *snap = atomic_load(&t->snap);
	size_t n = outbound_sas(t, scratch);

	for (int k = 0; k < 16; k++) {
		bool v6 = k & 1;
		struct lg_prefix a = random_prefix(v6), b = random_prefix(v6);
		uint64_t src[2], dst[2];
		struct esp_sa *sel;
		if (n && (k & 2)) {   /* aim inside a selector that is there */
			struct esp_sa *sa = scratch[randombytes_uniform((uint32_t)n)];
			b.family = sa->remote[0].family;
			memcpy(b.addr, sa->remote[0].net, 16);
			a.family = b.family;
			memset(a.addr, 0, sizeof(a.addr));
		}
		ts_load_addr(src, a.family, a.addr);
		ts_load_addr(dst, b.family, b.addr);
		ck_assert_ptr_eq(snapshot_route(snap, a.family, src, dst, &sel),
				 naive_route(scratch, n, a.family, src, dst));
	}
	for (size_t i = 0; i < t->n_sas; i++)
		ck_assert_ptr_eq(snapshot_find_spi(snap, t->sas[i]->p.spi_in), t->sas[i]);
}

START_TEST(table_against_naive_reference)
{
	enum { IDS = 300, STEPS = 3000 };
	static bool live[IDS + 1], inbound[IDS + 1];
	static struct esp_sa *scratch[IDS + 1];

	for (int step = 0; step < STEPS; step++) {
		uint32_t id = 1 + randombytes_uniform(IDS);
		if (!live[id]) {
			struct esp_child_params p = child(id, 0x1000 + id, 0x2000 + id, "0.0.0.0/0",
							  "10.0.0.0/8");
			bool v6 = randombytes_uniform(2);
			p.n_remote_ts = 1 + randombytes_uniform(3);
			for (size_t j = 0; j < p.n_remote_ts; j++)
				p.remote_ts[j] = random_prefix(v6 && j == 0);
			prefix(&p.local_ts[1], "::/0");
			p.n_local_ts = 2;
			inbound[id] = randombytes_uniform(4) == 0;
			ck_assert_int_eq(inbound[id] ? esp_table_install_inbound(tx, &p)
						     : esp_table_install(tx, &p), 0);
			live[id] = true;
		} else if (inbound[id] && randombytes_uniform(2)) {
			ck_assert_int_eq(esp_table_activate_outbound(tx, id), 0);
			inbound[id] = false;
		} else {
			ck_assert_int_eq(esp_table_remove(tx, id), 0);
			live[id] = false;
		}
		check_against_naive(tx, scratch);
	}
}
END_TEST

static struct esp_hold hold(const char *prefix, uint32_t tag)
{
	struct esp_hold h = { .tag = tag };
	ck_assert_int_eq(lg_prefix_parse(prefix, &h.dst), 0);
	return h;
}

START_TEST(holds_count_per_peer)
{
	struct esp_hold h[] = { hold("10.2.0.0/16", 3), hold("10.2.5.0/24", 7), hold("fd02::/48", 3) };
	size_t len;

	ck_assert_int_eq(esp_table_set_holds(tx, h, 3), 0);
	ck_assert_int_eq(send_pkt("10.1.0.1", "10.2.1.1", 60, &len, NULL), ESP_DROP_NO_SA);
	ck_assert_int_eq(send_pkt("10.1.0.1", "10.2.5.9", 60, &len, NULL), ESP_DROP_NO_SA);
	ck_assert_int_eq(send_pkt("10.1.0.1", "10.2.5.10", 60, &len, NULL), ESP_DROP_NO_SA);
	ck_assert_int_eq(send_pkt("fd01::1", "fd02::9", 80, &len, NULL), ESP_DROP_NO_SA);
	ck_assert_int_eq(send_pkt("10.1.0.1", "10.3.0.1", 60, &len, NULL), ESP_DROP_NO_SA);
	ck_assert_uint_eq(esp_table_hold_drops(tx, 3), 2);
	ck_assert_uint_eq(esp_table_hold_drops(tx, 7), 2);
	ck_assert_uint_eq(esp_table_hold_drops(tx, 0), 0);
	ck_assert_uint_eq(esp_table_hold_drops(tx, 1000), 0);

	struct esp_child_params a = child(1, 0x1001, 0x2001, "10.1.0.0/16", "10.2.0.0/16");
	install_pair(&a);
	ck_assert_int_eq(send_pkt("10.1.0.1", "10.2.1.1", 60, &len, NULL), ESP_OK);
	ck_assert_uint_eq(esp_table_hold_drops(tx, 3), 2);   /* an SA carried it: not held */

	ck_assert_int_eq(esp_table_set_holds(tx, h, 1), 0);
	ck_assert_uint_eq(esp_table_hold_drops(tx, 3), 0);
	ck_assert_uint_eq(esp_table_hold_drops(tx, 7), 0);

	/* a hub's thousands of peers: tags are as many as the holds */
	struct esp_hold many = hold("10.8.0.0/16", 5000);
	ck_assert_int_eq(esp_table_set_holds(tx, &many, 1), 0);
	ck_assert_int_eq(send_pkt("10.1.0.1", "10.8.0.1", 60, &len, NULL), ESP_DROP_NO_SA);
	ck_assert_uint_eq(esp_table_hold_drops(tx, 5000), 1);

	struct esp_hold bad = hold("10.9.0.0/16", ESP_HOLD_TAG_LIMIT);
	ck_assert_int_eq(esp_table_set_holds(tx, &bad, 1), -EINVAL);
	ck_assert_int_eq(esp_table_set_holds(tx, NULL, 0), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("esp_table");
	TCase *tc = tcase_create("table");

	if (sodium_init() < 0)
		return EXIT_FAILURE;
	lg_log_open("test_esp_table", LOG_USER, false);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, install_lookup_remove);
	tcase_add_test(tc, make_before_break);
	tcase_add_test(tc, inbound_only_until_activated);
	tcase_add_test(tc, inbound_only_alone_routes_nothing);
	tcase_add_test(tc, update_peer_moves_route);
	tcase_add_loop_test(tc, longest_prefix_and_selectors, 0,
			    (int)(sizeof(route_table) / sizeof(route_table[0])));
	tcase_add_test(tc, inbound_selectors_of_the_authenticating_sa);
	tcase_add_test(tc, roundtrip_every_length);
	tcase_add_loop_test(tc, trailer_and_inner_checks, 0,
			    (int)(sizeof(trailer_table) / sizeof(trailer_table[0])));
	tcase_add_test(tc, malformed_every_length);
	tcase_add_test(tc, hard_lifetimes);
	tcase_add_test(tc, foreach_without_keys);
	tcase_add_test(tc, retired_only_after_quiescent);
	tcase_add_loop_test(tc, lpm_against_naive_reference, 0, 10);
	tcase_add_test(tc, holds_count_per_peer);
	tcase_add_test(tc, table_against_naive_reference);
	suite_add_tcase(s, tc);
	return lg_check_run(s);
}

/* The inner IP header of a tunnelled packet (RFC 4303 tunnel mode carries a
 * whole IPv4 or IPv6 packet): only the fields the fast path trusts, read
 * through the bounded cursor, lengths checked before anything is used. */
#include <errno.h>
#include <sys/socket.h>
#include "linegate/cursor.h"
#include "esp_internal.h"

enum { IPV4_HDR_MIN = 20, IPV6_HDR_LEN = 40 };

static int parse_ipv4(struct cursor *c, uint8_t vihl, size_t avail, struct inner_ip *out)
{
	size_t ihl = (size_t)(vihl & 0x0f) * 4;
	cursor_skip(c, 1);                         /* DSCP/ECN */
	size_t total = cursor_get_u16(c);
	cursor_skip(c, 8);                         /* id, frag, ttl, proto, checksum */
	const uint8_t *src = cursor_get_ref(c, 4);
	const uint8_t *dst = cursor_get_ref(c, 4);
	if (!cursor_ok(c) || ihl < IPV4_HDR_MIN || total < ihl || total > avail)
		return -EINVAL;
	out->family = AF_INET;
	out->len = total;
	ts_load_addr(out->src, AF_INET, src);
	ts_load_addr(out->dst, AF_INET, dst);
	return 0;
}

static int parse_ipv6(struct cursor *c, size_t avail, struct inner_ip *out)
{
	cursor_skip(c, 3);                         /* rest of class and flow label */
	size_t payload = cursor_get_u16(c);
	cursor_skip(c, 2);                         /* next header, hop limit */
	const uint8_t *src = cursor_get_ref(c, 16);
	const uint8_t *dst = cursor_get_ref(c, 16);
	/* A jumbogram (payload 0 + hop-by-hop option) cannot fit in ESP; a zero
	 * payload is an empty packet of 40 bytes. */
	if (!cursor_ok(c) || IPV6_HDR_LEN + payload > avail)
		return -EINVAL;
	out->family = AF_INET6;
	out->len = IPV6_HDR_LEN + payload;
	ts_load_addr(out->src, AF_INET6, src);
	ts_load_addr(out->dst, AF_INET6, dst);
	return 0;
}

int inner_ip_parse(const uint8_t *buf, size_t avail, struct inner_ip *out)
{
	struct cursor c;

	cursor_init(&c, buf, avail);
	uint8_t vihl = cursor_get_u8(&c);
	if (!cursor_ok(&c))
		return -EINVAL;
	switch (vihl >> 4) {
	case 4:
		return parse_ipv4(&c, vihl, avail, out);
	case 6:
		return parse_ipv6(&c, avail, out);
	}
	return -EINVAL;
}

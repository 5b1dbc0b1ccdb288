/* NAT detection hashes (RFC 7296 §2.23): SHA-1(SPIi | SPIr | IP | port).
 * libsodium has no SHA-1, so nettle's maintained one is used. */
#include <errno.h>
#include <string.h>
#include <nettle/sha1.h>

#include "linegate/ike_crypto.h"
#include "linegate/ikev2.h"

int ike_natd_hash(const uint8_t spi_i[8], const uint8_t spi_r[8], const union lg_sockaddr *addr,
		  uint8_t out[IKE_NATD_LEN])
{
	struct sha1_ctx ctx;
	const uint8_t *ip;
	size_t ip_len;
	uint16_t port; /* network byte order, as on the wire */

	if (!spi_i || !spi_r || !addr || !out)
		return -EINVAL;
	if (addr->sa.sa_family == AF_INET) {
		ip = (const uint8_t *)&addr->in4.sin_addr;
		ip_len = 4;
		port = addr->in4.sin_port;
	} else if (addr->sa.sa_family == AF_INET6) {
		ip = (const uint8_t *)&addr->in6.sin6_addr;
		ip_len = 16;
		port = addr->in6.sin6_port;
	} else {
		return -EAFNOSUPPORT;
	}
	sha1_init(&ctx);
	sha1_update(&ctx, IKEV2_SPI_LEN, spi_i);
	sha1_update(&ctx, IKEV2_SPI_LEN, spi_r);
	sha1_update(&ctx, ip_len, ip);
	sha1_update(&ctx, sizeof(port), (const uint8_t *)&port);
	sha1_digest(&ctx, IKE_NATD_LEN, out);
	return 0;
}

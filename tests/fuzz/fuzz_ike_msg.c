/* libFuzzer: an IKE datagram as it arrives (RFC 7296 §3.1-§3.2). First the
 * wire layer alone: header, payload chain (lengths only), every typed
 * decoder. Then the whole input path of a responder (SA lookup, message-ID
 * window, IKE_SA_INIT responder with its policy checks, key exchange and
 * cookies) from the one configured peer's address, with a clock that moves
 * so half-open SAs expire. */
#include <stdlib.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "linegate/ike.h"
#include "linegate/log.h"
#include "ike_wire.h"
#include "ike_fixture.h"

static int drop_send(void *ctx, int uplink, const union lg_sockaddr *remote, bool natt,
		     const uint8_t *msg, size_t len)
{
	(void)ctx, (void)uplink, (void)remote, (void)natt, (void)msg, (void)len;
	return 0;
}

static struct config cfg;

static struct ike *responder(void)
{
	static struct ike *ike;
	static const struct ike_transport tx = { .send = drop_send };
	static const struct ike_fixture f = {
		.peer = "peer", .endpoint = "10.211.0.2", .domain = "ib.test",
		.local_ts = "10.212.1.0/24", .remote_ts = "10.212.2.0/24", .role = CONF_ROLE_RESPONDER,
	};

	if (ike)
		return ike;
	if (!ike_fixture_config(&cfg, &f))
		abort();
	lg_log_open("fuzz", LOG_DAEMON, false);
	lg_log_close();   /* silent */
	ike = ike_new(&cfg, NULL, NULL, &tx, NULL, NULL);
	return ike;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ike_payload_list l;
	static uint64_t now = 1000;
	struct ike_datagram d;
	struct ike_header h;

	if (ike_header_parse(data, size, &h) == 0 &&
	    ike_payloads_split(h.next_payload, data + IKEV2_HEADER_LEN, size - IKEV2_HEADER_LEN,
			       &l) == 0) {
		ike_payloads_validate(&l);
		ike_first_error_notify(&l);
		ike_find_notify(&l, IKEV2_NOTIFY_REKEY_SA, NULL);
	}
	memset(&d, 0, sizeof(d));
	lg_sockaddr_parse("10.211.0.2", 500, &d.remote);
	lg_sockaddr_parse("10.211.0.1", 500, &d.local);
	d.data = data;
	d.len = size;
	now += 1000;
	ike_input(responder(), &d, now);
	ike_tick(responder(), now);
	return 0;
}

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
	struct conf_peer *p;

	if (ike)
		return ike;
	if (!(p = config_add_peer(&cfg)))
		abort();
	lg_log_open("fuzz", LOG_DAEMON, false);
	lg_log_close();   /* silent */
	snprintf(cfg.site.region, sizeof(cfg.site.region), "CN");
	snprintf(cfg.site.identity_domain, sizeof(cfg.site.identity_domain), "ib.test");
	lg_prefix_parse("10.0.0.0/8", &cfg.site.internal[0]);
	cfg.site.n_internal = 1;
	cfg.n_uplinks = 1;
	snprintf(cfg.uplinks[0].name, sizeof(cfg.uplinks[0].name), "u");
	snprintf(p->name, sizeof(p->name), "peer");
	lg_sockaddr_parse("10.211.0.2", 500, &p->endpoint);
	snprintf(p->region, sizeof(p->region), "CN");
	p->local_id.type = p->remote_id.type = CONF_ID_FQDN;
	p->auth = CONF_AUTH_PSK;
	lg_prefix_parse("10.212.1.0/24", &p->local_ts[0]);
	lg_prefix_parse("10.212.2.0/24", &p->remote_ts[0]);
	p->n_local_ts = p->n_remote_ts = 1;
	p->ike_proposals[0] = (struct conf_proposal){ IKEV2_ENCR_CHACHA20_POLY1305, 0,
						      IKEV2_PRF_HMAC_SHA2_256, IKEV2_DH_CURVE25519, 0 };
	p->n_ike_proposals = 1;
	p->esp_proposals[0] = (struct conf_proposal){ IKEV2_ENCR_CHACHA20_POLY1305, 0, 0, 0, 0 };
	p->n_esp_proposals = 1;
	p->role = CONF_ROLE_RESPONDER;
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

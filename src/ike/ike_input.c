/* Inbound IKE datagrams: header and chain validation, SA lookup, message-ID
 * window (a retransmitted request that authenticates gets the cached
 * response, §2.1), SK decryption, the endpoint update from authenticated messages only (§2.23),
 * then dispatch to the exchange's _initiator or _responder half. */
#include <stdlib.h>
#include <string.h>
#include "ike_internal.h"
#include "linegate/log.h"

static const uint8_t zero_spi[8];

/* §2.1: a retransmission is the same message. Anything else with these SPIs
 * gets no answer: our cached response is larger than a forged request, and
 * must not be reflected at the peer's address for whoever knows its SPIi. */
static bool same_request(const struct ike_sa *sa, const struct ike_datagram *d)
{
	return sa->init_i && sa->init_i_len == d->len && memcmp(sa->init_i, d->data, d->len) == 0;
}

static void input_sa_init(struct ike *ike, const struct ike_datagram *d, const struct ike_header *h,
			  const struct ike_payload_list *pl)
{
	struct ike_sa *sa;

	if (!ike_hdr_is_response(h)) {
		/* §3.1: SPIi is never zero; no state and no answer for one */
		if (!ike_hdr_from_initiator(h) || memcmp(h->spi_r, zero_spi, 8) != 0 || h->msg_id != 0 ||
		    memcmp(h->spi_i, zero_spi, 8) == 0) {
			ike_count_drop(ike, IKE_DROP_MALFORMED, "ike_sa_init_request");
			return;
		}
		sa = ike_sa_half_open_lookup(ike, h->spi_i, &d->remote);
		if (sa) {   /* retransmission: same answer, no new state */
			if (sa->state == IKE_SA_HALF_OPEN && sa->have_last_resp &&
			    same_request(sa, d))
				ike_send_all(sa, sa->last_resp, sa->last_resp_len);
			else
				ike_count_drop(ike, IKE_DROP_STATE, "late_ike_sa_init");
			return;
		}
		ike_sa_init_responder(ike, d, h, pl);
		return;
	}
	sa = ike_sa_by_spi(ike, h->spi_i, true);
	if (!sa || sa->state != IKE_SA_INIT_SENT || !sa->req.active || h->msg_id != 0 ||
	    ike_hdr_from_initiator(h)) {
		ike_count_drop(ike, IKE_DROP_NO_SA, "ike_sa_init_response");
		return;
	}
	sa->local = d->local;
	ike_sa_init_initiator_response(sa, h, d->data, d->len, pl);
}

/* Window of one (§2.3): true when the message should be processed, or is a
 * retransmitted request (*again: answered from the cache once it decrypts). */
static bool message_id_ok(struct ike_sa *sa, const struct ike_header *h, bool *again)
{
	*again = false;
	if (ike_hdr_is_response(h)) {
		if (sa->req.active && h->msg_id == sa->req.msg_id)
			return true;
		ike_count_drop(sa->ike, IKE_DROP_MSG_ID, "response");
		return false;
	}
	if (h->msg_id == sa->msg_id_in)
		return true;
	if (sa->have_last_resp && h->msg_id + 1 == sa->msg_id_in) {
		*again = true;
		return true;
	}
	ike_count_drop(sa->ike, IKE_DROP_MSG_ID, "request");
	return false;
}

static bool state_accepts(const struct ike_sa *sa, const struct ike_header *h)
{
	switch (sa->state) {
	case IKE_SA_HALF_OPEN:
		return h->exchange == IKEV2_EXCHANGE_IKE_AUTH && !ike_hdr_is_response(h);
	case IKE_SA_AUTH_SENT:
		return h->exchange == IKEV2_EXCHANGE_IKE_AUTH && ike_hdr_is_response(h);
	case IKE_SA_ESTABLISHED:
	case IKE_SA_REKEYING:
	case IKE_SA_REKEYED:
	case IKE_SA_DELETING:
		return h->exchange == IKEV2_EXCHANGE_CREATE_CHILD_SA ||
		       h->exchange == IKEV2_EXCHANGE_INFORMATIONAL;
	default:
		return false;
	}
}

static void dispatch_request(struct ike_sa *sa, const struct ike_header *h,
			     const struct ike_payload_list *inner)
{
	switch (h->exchange) {
	case IKEV2_EXCHANGE_IKE_AUTH:
		ike_auth_responder(sa, h->msg_id, inner);
		break;
	case IKEV2_EXCHANGE_CREATE_CHILD_SA:
		ike_create_child_responder(sa, h->msg_id, inner);
		break;
	case IKEV2_EXCHANGE_INFORMATIONAL:
		ike_info_responder(sa, h->msg_id, inner);
		break;
	}
}

static void dispatch_response(struct ike_sa *sa, const struct ike_payload_list *inner)
{
	sa->req.active = false;
	sa->msg_id_out++;
	switch (sa->req.task) {
	case IKE_TASK_AUTH:
		ike_auth_initiator_response(sa, inner);
		break;
	case IKE_TASK_CHILD_REKEY:
	case IKE_TASK_IKE_REKEY:
		ike_create_child_initiator_response(sa, inner);
		break;
	case IKE_TASK_DPD:
		sa->dpd_answer_wall_ms = lg_wall_ms();
		ike_info_initiator_response(sa, inner);
		break;
	case IKE_TASK_DELETE_CHILD:
	case IKE_TASK_DELETE_IKE:
		ike_info_initiator_response(sa, inner);
		break;
	default:
		ike_req_clear(sa);
	}
}

/* Authenticated: the peer may have moved (NAT rebinding, float to 4500).
 * The new address is judged before traffic follows it: a move the
 * guardrails refuse (foreign address over the Internet uplink, a stricter
 * region, a route off the circuit) tears the SA down, audited with both
 * addresses. Returns false when the SA is gone. */
static bool update_endpoint(struct ike_sa *sa, const struct ike_datagram *d)
{
	char from[LG_ADDRSTRLEN], to[LG_ADDRSTRLEN];
	enum policy_reason r;

	sa->last_in_ms = sa->ike->now_ms;
	if (lg_sockaddr_equal(&sa->remote, &d->remote) && sa->natt == d->natt)
		return true;
	r = ike_endpoint_check(sa->ike, sa, &d->remote, d->ifname[0] ? d->ifname : NULL);
	if (r != POLICY_OK) {
		ike_sa_destroy(sa, policy_reason_name(r));
		return false;
	}
	lg_sockaddr_format(&sa->remote, from, sizeof(from));
	lg_sockaddr_format(&d->remote, to, sizeof(to));
	lg_log(LOG_INFO, "event=ike_endpoint_update peer=%s from=%s to=%s natt=%d", sa->peer_name,
	       from, to, d->natt);
	sa->remote = d->remote;
	ike_sa_index_remote(sa);
	sa->natt = d->natt;
	child_sa_update_peers(sa);   /* else ESP keeps going to the stale mapping */
	return true;
}

/* An authenticated message we refuse as a whole: a critical payload we do
 * not implement (§2.5: the response says which), or payloads in the wrong
 * place or repeated (INVALID_SYNTAX, §3.10.1). A request gets its answer
 * (it consumed its message ID); a response is dropped, our request retries
 * and in the end fails. */
static void refuse_inner(struct ike_sa *sa, const struct ike_header *h, uint8_t unsupported,
			 uint8_t bad)
{
	struct ike_builder *b;

	ike_count_drop(sa->ike, unsupported ? IKE_DROP_CRITICAL : IKE_DROP_PLACEMENT,
		       ike_payload_name(unsupported ? unsupported : bad));
	if (ike_hdr_is_response(h) || !(b = malloc(sizeof(*b))))
		return;
	ike_resp_start(sa, b, h->exchange, h->msg_id);
	if (unsupported)
		ike_build_notify(b, 0, NULL, 0, IKEV2_NOTIFY_UNSUPPORTED_CRITICAL_PAYLOAD,
				 &unsupported, 1);
	else
		ike_build_notify(b, 0, NULL, 0, IKEV2_NOTIFY_INVALID_SYNTAX, NULL, 0);
	ike_resp_send(sa, b);
	free(b);
}

/* SK: decrypted in a copy; SKF: kept until the message is whole. 1 with
 * the plaintext (*plain inside *owned) and its first payload type; 0 when
 * there is nothing (yet) to process. */
static int open_message(struct ike_sa *sa, const struct ike_datagram *d, const struct ike_header *h,
			const struct ike_payload_list *pl, bool again, uint8_t **owned,
			const uint8_t **plain, size_t *plain_len, uint8_t *first)
{
	const struct ike_payload *sk = &pl->p[pl->n - 1];

	if (sk->type == IKEV2_PAYLOAD_SKF) {
		int r = ike_frag_input(sa, d, h, pl, again, owned, plain_len, first);
		*plain = *owned;
		return r > 0;
	}
	*owned = malloc(d->len);
	if (!*owned)
		return 0;
	memcpy(*owned, d->data, d->len);
	/* AAD = header and the SK payload header (RFC 5282 §5.1) */
	size_t aad_len = (size_t)(sk->body - d->data);
	struct ike_sk_key key_in = ike_sk_key_in(sa);
	if (ike_sk_open(&key_in, *owned, aad_len, d->len, plain, plain_len) < 0) {
		ike_count_drop(sa->ike, IKE_DROP_DECRYPT, sa->peer_name);
		return 0;
	}
	if (again) {
		/* only now: a retransmission that authenticates gets our cached
		 * response (a forged one would reflect it at the peer, §2.1) */
		ike_send_all(sa, sa->last_resp, sa->last_resp_len);
		return 0;
	}
	*first = pl->sk_next;
	return 1;
}

static void input_encrypted(struct ike *ike, const struct ike_datagram *d,
			    const struct ike_header *h, const struct ike_payload_list *pl)
{
	bool we_initiator = !ike_hdr_from_initiator(h);
	struct ike_sa *sa = ike_sa_by_spi(ike, we_initiator ? h->spi_i : h->spi_r, we_initiator);
	const struct ike_payload *sk;
	struct ike_payload_list *inner = NULL;
	const uint8_t *plain = NULL;
	size_t plain_len = 0;
	uint8_t *buf = NULL;
	uint8_t bad = 0, first = 0;
	bool again;
	int r;

	if (!sa || memcmp(we_initiator ? h->spi_r : h->spi_i, we_initiator ? sa->spi_r : sa->spi_i,
			  8) != 0) {
		ike_count_drop(ike, IKE_DROP_NO_SA, ike_exchange_name(h->exchange));
		return;
	}
	sk = pl->n ? &pl->p[pl->n - 1] : NULL;
	if (!sk || (sk->type != IKEV2_PAYLOAD_SK && sk->type != IKEV2_PAYLOAD_SKF)) {
		ike_count_drop(ike, IKE_DROP_MALFORMED, "no_sk_payload");
		return;
	}
	/* a retransmitted request is answered in any state (our IKE_AUTH
	 * response may have been lost after we moved on) */
	if (!message_id_ok(sa, h, &again))
		return;
	if (!again && !state_accepts(sa, h)) {
		ike_count_drop(ike, IKE_DROP_STATE, ike_exchange_name(h->exchange));
		return;
	}
	inner = malloc(sizeof(*inner));
	if (!inner || !open_message(sa, d, h, pl, again, &buf, &plain, &plain_len, &first))
		goto out;
	r = ike_payloads_split(first, plain, plain_len, inner);
	if (r == -EINVAL || ike_payloads_validate(inner) < 0) {
		ike_count_drop(ike, IKE_DROP_MALFORMED, "inner_payloads");
		goto out;
	}
	if (!update_endpoint(sa, d))
		goto out;   /* the move was refused: SA torn down */
	if (r == -EOPNOTSUPP || ike_payloads_check(h->exchange, true, inner, &bad) < 0) {
		refuse_inner(sa, h, r == -EOPNOTSUPP ? inner->unsupported : 0, bad);
		goto out;
	}
	if (ike_hdr_is_response(h))
		dispatch_response(sa, inner);
	else
		dispatch_request(sa, h, inner);
out:
	free(inner);
	free(buf);
}

/* §2.5: a higher major version is dropped and answered (to a request, per
 * the rules of §1.5) with the version we speak; an older one (IKEv1) only
 * dropped. */
static void refuse_version(struct ike *ike, const struct ike_datagram *d, const struct ike_header *h)
{
	ike_count_drop(ike, IKE_DROP_VERSION, "header");
	if ((h->version >> 4) > (IKEV2_VERSION >> 4))
		ike_send_stateless(ike, d, h, IKEV2_NOTIFY_INVALID_MAJOR_VERSION, NULL, 0);
}

/* §2.5: a critical payload we do not implement. Outside an SA only an
 * IKE_SA_INIT request is answered (no state); in an encrypted message's
 * plain chain it is unauthenticated: dropped. */
static void refuse_critical(struct ike *ike, const struct ike_datagram *d,
			    const struct ike_header *h, uint8_t type)
{
	ike_count_drop(ike, IKE_DROP_CRITICAL, ike_payload_name(type));
	if (h->exchange == IKEV2_EXCHANGE_IKE_SA_INIT && h->msg_id == 0 &&
	    memcmp(h->spi_r, zero_spi, 8) == 0 && memcmp(h->spi_i, zero_spi, 8) != 0)
		ike_send_stateless(ike, d, h, IKEV2_NOTIFY_UNSUPPORTED_CRITICAL_PAYLOAD, &type, 1);
}

void ike_input(struct ike *ike, const struct ike_datagram *d, uint64_t now_ms)
{
	struct ike_header h;
	struct ike_payload_list *pl = malloc(sizeof(*pl));
	uint8_t bad = 0;
	int r;

	ike->now_ms = now_ms;
	if (!pl)
		return;
	ike->rx = d;
	ike->rx_summarised = false;
	r = ike_header_parse(d->data, d->len, &h);
	if (r < 0) {
		if (r == -EPROTONOSUPPORT)
			refuse_version(ike, d, &h);
		else
			ike_count_drop(ike, IKE_DROP_MALFORMED, "header");
		goto out;
	}
	r = ike_payloads_split(h.next_payload, d->data + IKEV2_HEADER_LEN,
			       d->len - IKEV2_HEADER_LEN, pl);
	if (r == -EINVAL || ike_payloads_validate(pl) < 0) {
		ike_count_drop(ike, IKE_DROP_MALFORMED, "payload_chain");
		goto out;
	}
	if (r == -EOPNOTSUPP) {
		refuse_critical(ike, d, &h, pl->unsupported);
		goto out;
	}
	if (ike_payloads_check(h.exchange, false, pl, &bad) < 0) {
		ike_count_drop(ike, IKE_DROP_PLACEMENT, ike_payload_name(bad));
		goto out;
	}
	if (h.exchange == IKEV2_EXCHANGE_IKE_SA_INIT)
		input_sa_init(ike, d, &h, pl);
	else if (h.exchange >= IKEV2_EXCHANGE_IKE_AUTH && h.exchange <= IKEV2_EXCHANGE_INFORMATIONAL)
		input_encrypted(ike, d, &h, pl);
	else
		ike_count_drop(ike, IKE_DROP_MALFORMED, "exchange_type");
out:
	ike->rx = NULL;
	free(pl);
}

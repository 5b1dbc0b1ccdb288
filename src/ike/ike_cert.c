/* CERT and CERTREQ payloads (RFC 7296 §3.6, §3.7) and the certificate half
 * of IKE_AUTH: we send our end certificate and the intermediates of ca-dir
 * that chain it, X.509 Certificate - Signature (encoding 4) only; we ask
 * for certificates under our trust anchors. The peer's certificates are
 * untrusted input: at most 1 + IKE_X509_CHAIN_MAX CERT payloads of at most
 * IKE_X509_DER_MAX bytes each, every one decoded exactly, the chain built
 * by the store (crypto_x509.c), the identity bound to the end certificate,
 * AUTH verified with its key (crypto_x509_auth.c). */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "ike_internal.h"

enum { CERT_X509_SIGNATURE = 4 };   /* §3.6 Cert Encoding */

static void cert_payload(struct ike_builder *b, struct x509_st *x)
{
	uint8_t *der = malloc(IKE_X509_DER_MAX);
	int n = der ? ike_x509_to_der(x, der, IKE_X509_DER_MAX) : -1;

	if (n > 0) {
		ike_build_begin(b, IKEV2_PAYLOAD_CERT);
		ike_build_u8(b, CERT_X509_SIGNATURE);
		ike_build_bytes(b, der, (size_t)n);
		ike_build_end(b);
	} else {
		b->error = true;   /* the message is not sent without it */
	}
	free(der);
}

void ike_cert_build(struct ike_builder *b, const struct ike_peer_secret *s)
{
	if (!s || !s->cert)
		return;
	cert_payload(b, s->cert);
	for (size_t i = 0; i < s->n_chain; i++)
		cert_payload(b, s->chain[i]);
}

void ike_cert_build_certreq(struct ike_builder *b, const struct ike_peer_secret *s)
{
	uint8_t ids[16 * IKE_X509_KEYID_LEN];
	int n = s && s->store ? ike_x509_anchor_keyids(s->store, ids, sizeof(ids)) : 0;

	if (n <= 0)
		return;
	ike_build_begin(b, IKEV2_PAYLOAD_CERTREQ);
	ike_build_u8(b, CERT_X509_SIGNATURE);
	ike_build_bytes(b, ids, (size_t)n);
	ike_build_end(b);
}

/* The peer's certificates in the order sent: the end one first (§3.6). */
static const char *decode_certs(const struct ike_payload_list *pl, struct x509_st **x, size_t *n)
{
	*n = 0;
	for (size_t i = 0; i < pl->n; i++) {
		const struct ike_payload *p = &pl->p[i];
		if (p->type != IKEV2_PAYLOAD_CERT)
			continue;
		if (*n == 1 + IKE_X509_CHAIN_MAX)
			return "cert_too_many";
		if (p->len < 2 || p->body[0] != CERT_X509_SIGNATURE)
			return "cert_unsupported_encoding";
		if (!(x[*n] = ike_x509_from_der(p->body + 1, p->len - 1)))
			return "cert_malformed";
		(*n)++;
	}
	return *n ? NULL : "cert_missing";
}

const char *ike_cert_verify(struct ike_sa *sa, const struct ike_peer_secret *s,
			    const struct ike_payload_list *pl, const struct ike_id *id,
			    const uint8_t *oct, size_t olen, const struct ike_auth *auth,
			    struct ike_peer_cert *out)
{
	struct x509_st *x[1 + IKE_X509_CHAIN_MAX] = { NULL };
	struct ike_x509_info info;
	size_t n = 0;
	const char *why;

	(void)sa;
	memset(out, 0, sizeof(*out));
	if (!s || !s->store)
		return "no_credentials";
	why = decode_certs(pl, x, &n);
	if (!why) {
		enum ike_x509_verdict v = ike_x509_verify(s->store, x[0], x + 1, n - 1, time(NULL),
							  &info);
		snprintf(out->subject, sizeof(out->subject), "%s", info.subject);
		out->not_after = info.not_after;
		if (v != IKE_X509_OK)
			why = ike_x509_verdict_name(v);
	}
	/* RFC 4945 §3.1: the identity must be one of the certificate's */
	if (!why && !ike_x509_id_matches(x[0], id->type, id->data, id->len))
		why = ike_x509_verdict_name(IKE_X509_ID_MISMATCH);
	if (!why && !ike_x509_verify_auth(x[0], auth->method, oct, olen, auth->data, auth->len))
		why = ike_x509_auth_method_known(auth->method) ? "auth_verify_failed"
							       : "auth_method_refused";
	for (size_t i = 0; i < n; i++)
		ike_x509_free(x[i]);
	return why;
}

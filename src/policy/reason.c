/* Stable reason codes: the names are a contract with log pipelines and
 * `linegatectl compliance --json`; never rename one, only add. */
#include <stdio.h>
#include "policy_internal.h"

static const char *const reason_names[POLICY_REASON_COUNT] = {
	[POLICY_OK] = "ok",
	[POLICY_CROSS_BORDER_NO_LICENSED_UPLINK] = "cross_border_no_licensed_uplink",
	[POLICY_CARRIER_NOT_LICENSED] = "carrier_not_licensed",
	[POLICY_CIRCUIT_ID_MISSING] = "circuit_id_missing",
	[POLICY_UPLINK_DOWN] = "uplink_down",
	[POLICY_EGRESS_MISMATCH] = "egress_mismatch",
	[POLICY_INGRESS_MISMATCH] = "ingress_mismatch",
	[POLICY_SELECTOR_DEFAULT_ROUTE] = "selector_default_route",
	[POLICY_SELECTOR_OUTSIDE_INTERNAL] = "selector_outside_internal",
	[POLICY_TS_UNACCEPTABLE] = "ts_unacceptable",
	[POLICY_IDENTITY_FOREIGN] = "identity_foreign",
	[POLICY_IDENTITY_MISMATCH] = "identity_mismatch",
	[POLICY_UNKNOWN_PEER] = "unknown_peer",
	[POLICY_REGION_UNKNOWN] = "region_unknown",
	[POLICY_CIRCUIT_SHARED] = "circuit_shared_interface",
	[POLICY_INTERNAL_SPACE_PUBLIC] = "internal_space_public",
	[POLICY_PUBLIC_SPACE_UNREGISTERED] = "public_space_unregistered",
	[POLICY_PUBLIC_SPACE_TOO_LARGE] = "public_space_too_large",
	[POLICY_ICP_NO_RECORDAL] = "icp_unrecorded",
};

const char *policy_reason_name(enum policy_reason r)
{
	if ((unsigned)r >= POLICY_REASON_COUNT || !reason_names[r])
		return "unknown";
	return reason_names[r];
}

void verdict_set(struct policy_verdict *v, enum policy_reason r, const char *fmt, ...)
{
	va_list ap;
	v->reason = r;
	v->at = (struct conf_at){ 0, 0 };
	va_start(ap, fmt);
	vsnprintf(v->message, sizeof(v->message), fmt, ap);
	va_end(ap);
	lg_utf8_trim(v->message);   /* a long message must not end in half a character */
}

void verdict_ok(struct policy_verdict *v)
{
	v->reason = POLICY_OK;
	v->at = (struct conf_at){ 0, 0 };
	snprintf(v->message, sizeof(v->message), "allowed");
}

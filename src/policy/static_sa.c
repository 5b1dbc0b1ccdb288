/* Hand-keyed (lab-only) SAs are judged by the very functions that judge IKE
 * peers: a static SA is presented to them as a peer view (endpoint, declared
 * region, uplink, selectors, remote-id), so no configuration path moves a
 * packet the guardrails have not judged (issue 9, class 1). Only the wording
 * changes: a message names the "static-sa", not a "peer". */
#include <stdio.h>
#include <string.h>
#include "policy_internal.h"

void policy_static_sa_view(const struct conf_static_sa *s, struct conf_peer *out)
{
	memset(out, 0, sizeof(*out));
	memcpy(out->name, s->name, sizeof(out->name));
	out->name[sizeof(out->name) - 1] = '\0';
	out->endpoint = s->peer;
	memcpy(out->region, s->region, sizeof(out->region));
	out->region[sizeof(out->region) - 1] = '\0';
	out->uplink = s->uplink;
	out->remote_id = s->remote_id;
	for (size_t i = 0; i < s->n_local_ts && i < CONF_MAX_TS; i++)
		out->local_ts[out->n_local_ts++] = s->local_ts[i];
	for (size_t i = 0; i < s->n_remote_ts && i < CONF_MAX_TS; i++)
		out->remote_ts[out->n_remote_ts++] = s->remote_ts[i];
	out->line = s->line;
	/* the values' positions, for refusals at file:line:col */
	out->at = s->at;
	out->endpoint_at = s->peer_at;
	out->region_at = s->region_at;
	out->remote_id_at = s->remote_id_at;
	out->uplink_at = s->uplink_at;
	for (size_t i = 0; i < CONF_MAX_TS; i++) {
		out->local_ts_at[i] = s->local_ts_at[i];
		out->remote_ts_at[i] = s->remote_ts_at[i];
	}
}

/* The first `peer "` of a message becomes `static-sa "`. */
void policy_verdict_as_static_sa(struct policy_verdict *v)
{
	char *at = strstr(v->message, "peer \"");
	char tail[sizeof(v->message)];
	if (!at)
		return;
	snprintf(tail, sizeof(tail), "%s", at + 4);
	snprintf(at, sizeof(v->message) - (size_t)(at - v->message), "static-sa%s", tail);
}

struct rename_ctx {
	policy_violation_fn fn;
	void *ctx;
};

static void renamed(void *ctx, const struct policy_verdict *v)
{
	struct rename_ctx *r = ctx;
	struct policy_verdict c = *v;
	policy_verdict_as_static_sa(&c);
	r->fn(r->ctx, &c);
}

size_t policy_static_sa_violations(const struct config *cfg, const struct conf_peer *view,
				   const struct regiondb *db, policy_violation_fn fn, void *ctx)
{
	struct rename_ctx r = { fn, ctx };
	return policy_peer_violations(cfg, view, db, renamed, &r);
}

struct policy_verdict policy_check_static_sa_runtime(const struct config *cfg,
						     const struct conf_static_sa *s,
						     const struct regiondb *db,
						     const struct policy_link_facts *facts)
{
	struct conf_peer view;
	policy_static_sa_view(s, &view);
	struct policy_verdict v = policy_check_peer_runtime(cfg, &view, db, facts);
	policy_verdict_as_static_sa(&v);
	return v;
}

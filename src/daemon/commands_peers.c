/* `peers`: every configured peer with its region, uplink and state, when
 * it is tried next and why its last attempt failed (the retry schedule is
 * the IKE module's), and its traffic totals, which outlive rekeys. */
#include <stdlib.h>
#include <string.h>
#include "linegate/conf.h"
#include "linegate/control.h"
#include "linegate/ike.h"
#include "linegate/json.h"
#include "linegate/log.h"
#include "linegate/policy.h"
#include "daemon.h"

static const char *role_name(enum conf_role r)
{
	return r == CONF_ROLE_INITIATOR ? "initiator" : r == CONF_ROLE_RESPONDER ? "responder" : "both";
}

/* When the peer is tried next (relative, IKE_INFO_NEVER when not
 * scheduled) and why the last try failed: the IKE module's retry schedule. */
static int64_t peer_schedule(struct daemon *d, const char *name, struct ike_peer_retry *pr)
{
	memset(pr, 0, sizeof(*pr));
	if (!d->ike || ike_peer_retry(d->ike, name, pr) != 0 || !pr->next_attempt_ms)
		return IKE_INFO_NEVER;
	return (int64_t)pr->next_attempt_ms - (int64_t)lg_now_ms();
}

/* A template's instance has no configured endpoint: the address its
 * established IKE SA uses now ("%any" while none; a template is "%any"). */
static void endpoint_of(struct daemon *d, const struct conf_peer *p, char ep[LG_ADDRSTRLEN])
{
	struct ike_sa_info *info;
	size_t n;

	if (p->endpoint.sa.sa_family != AF_UNSPEC) {
		lg_sockaddr_format(&p->endpoint, ep, LG_ADDRSTRLEN);
		return;
	}
	snprintf(ep, LG_ADDRSTRLEN, "%%any");
	info = p->template_name[0] && d->ike ? calloc(IKE_MAX_PEER_SAS, sizeof(*info)) : NULL;
	if (!info)
		return;
	n = ike_list_peer_sas(d->ike, p->name, info, IKE_MAX_PEER_SAS);
	for (size_t i = 0; i < n; i++)
		if (info[i].established_ms) {
			snprintf(ep, LG_ADDRSTRLEN, "%s", info[i].remote);
			break;
		}
	free(info);
}

/* auth certificate: the certificate of the peer's established IKE SA
 * (subject and expiry, seconds since the epoch); false while none. */
static bool peer_cert_of(struct daemon *d, const struct conf_peer *p, char *subject, size_t cap,
			 int64_t *not_after)
{
	struct ike_sa_info *info;
	bool found = false;
	size_t n;

	if (p->auth != CONF_AUTH_CERTIFICATE || !d->ike ||
	    !(info = calloc(IKE_MAX_PEER_SAS, sizeof(*info))))
		return false;
	n = ike_list_peer_sas(d->ike, p->name, info, IKE_MAX_PEER_SAS);
	for (size_t i = 0; i < n && !found; i++)
		if (info[i].established_ms && info[i].peer_cert[0]) {
			snprintf(subject, cap, "%s", info[i].peer_cert);
			*not_after = info[i].peer_cert_not_after;
			found = true;
		}
	free(info);
	return found;
}

static void peer_text(struct daemon *d, FILE *out, const struct conf_peer *p, const char *ep,
		      const struct policy_region *r, bool up)
{
	struct ike_peer_retry pr;
	char next[40], fail[96], ago[40];
	const char *uplink = p->uplink >= 0 ? d->cfg->uplinks[p->uplink].name : "-";
	int64_t in_ms = peer_schedule(d, p->name, &pr);

	if (pr.admin_down)
		snprintf(next, sizeof(next), "admin-down");
	else if (in_ms == IKE_INFO_NEVER)
		snprintf(next, sizeof(next), "-");
	else
		daemon_format_countdown(in_ms, next);
	if (pr.last_failure[0])
		snprintf(fail, sizeof(fail), "%s (%s)", pr.last_failure,
			 daemon_format_ago(pr.last_failure_wall_ms, lg_wall_ms(), ago));
	else
		snprintf(fail, sizeof(fail), "-");
	fprintf(out, "%-16s %-28s %-6s %-4s %-14s %-10s %-8s %-5s %-12s %s\n", p->name, ep,
		r->effective, r->cross_border ? "yes" : "no", uplink, role_name(p->role),
		conf_auth_name(p->auth), up ? "up" : "down", next, fail);
	char subject[256], until[40];
	int64_t not_after;
	if (peer_cert_of(d, p, subject, sizeof(subject), &not_after))
		fprintf(out, "  certificate %s, expires %s\n", subject,
			daemon_format_time((uint64_t)not_after * 1000, until));
}

static void peer_json(struct daemon *d, json_t *arr, const struct conf_peer *p, const char *ep,
		      const struct policy_region *r, bool up)
{
	struct ike_peer_retry pr;
	struct esp_owner_totals t;
	int64_t in_ms = peer_schedule(d, p->name, &pr);
	json_t *o = lg_json_append_object(arr);

	esp_table_owner_totals(d->esp, p->name, &t);
	lg_json_set_str(o, "name", p->name);
	lg_json_set_str(o, "endpoint", ep);
	if (p->is_template || p->template_name[0]) {
		char id[CONF_ID_MAX + 1];
		lg_json_set_str(o, "template", p->is_template ? p->name : p->template_name);
		lg_json_set_str(o, "identity", conf_identity_format(&p->remote_id, id, sizeof(id)));
	}
	lg_json_set_str(o, "region", r->effective);
	lg_json_set_str(o, "declared_region", r->declared);
	lg_json_set_bool(o, "cross_border", r->cross_border);
	lg_json_set_str(o, "uplink", p->uplink >= 0 ? d->cfg->uplinks[p->uplink].name : "-");
	lg_json_set_str(o, "circuit_id", p->uplink >= 0 ? d->cfg->uplinks[p->uplink].circuit_id : "");
	lg_json_set_str(o, "role", role_name(p->role));
	lg_json_set_str(o, "auth", conf_auth_name(p->auth));
	lg_json_set_str(o, "state", up ? "up" : "down");
	lg_json_set_bool(o, "admin_down", pr.admin_down);
	daemon_json_time(o, "next_attempt", in_ms == IKE_INFO_NEVER ? 0
			 : lg_wall_ms() + (uint64_t)(in_ms > 0 ? in_ms : 0));
	daemon_json_countdown(o, "next_attempt_in_s", in_ms);
	if (pr.last_failure[0])
		lg_json_set_str(o, "last_failure", pr.last_failure);
	else
		lg_json_set(o, "last_failure", json_null());
	daemon_json_time(o, "last_failure_at", pr.last_failure_wall_ms);
	lg_json_set_u64(o, "failures", pr.failures);   /* consecutive: 0 after a success */
	char subject[256];
	int64_t not_after;
	if (peer_cert_of(d, p, subject, sizeof(subject), &not_after)) {
		json_t *c = lg_json_set_object(o, "peer_certificate");
		lg_json_set_str(c, "subject", subject);
		daemon_json_time(c, "not_after", (uint64_t)not_after * 1000);
	}
	json_t *tot = lg_json_set_object(o, "totals");
	lg_json_set_u64(tot, "packets_in", t.s.packets_in);
	lg_json_set_u64(tot, "bytes_in", t.s.bytes_in);
	lg_json_set_u64(tot, "packets_out", t.s.packets_out);
	lg_json_set_u64(tot, "bytes_out", t.s.bytes_out);
	lg_json_set_u64(tot, "child_sas_replaced", t.sas_retired);
}

int control_cmd_peers(struct daemon *d, const struct control_request *rq, const char *who, FILE *out)
{
	char ep[LG_ADDRSTRLEN];
	json_t *arr = rq->json ? json_array() : NULL;
	(void)who;

	if (!arr)
		fprintf(out, "%-16s %-28s %-6s %-4s %-14s %-10s %-8s %-5s %-12s %s\n", "PEER", "ENDPOINT",
			"REGION", "XB", "UPLINK", "ROLE", "AUTH", "STATE", "NEXT-TRY", "LAST-FAILURE");
	for (size_t i = 0; i < d->cfg->n_peers; i++) {
		const struct conf_peer *p = &d->cfg->peers[i];
		struct policy_region r;
		bool up = d->ike && ike_peer_up(d->ike, p->name);

		policy_peer_region(d->cfg, p, d->db, &r);
		endpoint_of(d, p, ep);
		if (arr)
			peer_json(d, arr, p, ep, &r, up);
		else
			peer_text(d, out, p, ep, &r, up);
	}
	if (arr)
		lg_json_print(out, arr);
	return CONTROL_OK;
}

/* `sas` and `flows`: the IKE SAs with their CHILD SAs, and the per-CHILD SA
 * traffic counters straight from the ESP table (lab SAs included). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "linegate/control.h"
#include "linegate/ike.h"
#include "linegate/log.h"
#include "linegate/policy.h"
#include "daemon.h"

enum { SAS_MAX = 2 * CONF_MAX_PEERS };

static void child_json(FILE *out, uint32_t id, uint32_t spi_in, uint32_t spi_out, const char *encr,
		       const char *lts, const char *rts, const struct esp_child_stats *s)
{
	char spi[9], t[40];
	bool f = true;

	fputc('{', out);
	json_kv_u64(out, &f, "child_id", id);
	snprintf(spi, sizeof(spi), "%08x", spi_in);
	json_kv_str(out, &f, "spi_in", spi);
	snprintf(spi, sizeof(spi), "%08x", spi_out);
	json_kv_str(out, &f, "spi_out", spi);
	json_kv_str(out, &f, "encr", encr);
	json_kv_str(out, &f, "local_ts", lts);
	json_kv_str(out, &f, "remote_ts", rts);
	json_kv_u64(out, &f, "packets_in", s->packets_in);
	json_kv_u64(out, &f, "bytes_in", s->bytes_in);
	json_kv_u64(out, &f, "packets_out", s->packets_out);
	json_kv_u64(out, &f, "bytes_out", s->bytes_out);
	json_kv_str(out, &f, "first_activity", daemon_format_time(s->first_activity_ms, t));
	json_kv_str(out, &f, "last_in", daemon_format_time(s->last_in_ms, t));
	json_kv_str(out, &f, "last_out", daemon_format_time(s->last_out_ms, t));
	json_kv_u64(out, &f, "replay_drops", s->replay_drops);
	json_kv_u64(out, &f, "auth_drops", s->auth_drops);
	json_kv_u64(out, &f, "selector_drops", s->selector_drops);
	fputc('}', out);
}

static void child_text(FILE *out, uint32_t spi_in, uint32_t spi_out, const char *encr,
		       const char *lts, const char *rts, const struct esp_child_stats *s)
{
	fprintf(out, "    child %08x/%08x %s  %s === %s\n", spi_in, spi_out, encr, lts, rts);
	fprintf(out, "          in %" PRIu64 " pkts %" PRIu64 " bytes, out %" PRIu64 " pkts %" PRIu64
		" bytes, drops replay %" PRIu64 " auth %" PRIu64 " selector %" PRIu64 "\n",
		s->packets_in, s->bytes_in, s->packets_out, s->bytes_out, s->replay_drops,
		s->auth_drops, s->selector_drops);
}

static void ike_sa_out(FILE *out, bool json, bool first_sa, const struct ike_sa_info *sa)
{
	char spi_i[17], spi_r[17], t[40];

	lg_hex(sa->spi_i, 8, spi_i);
	lg_hex(sa->spi_r, 8, spi_r);
	if (!json) {
		fprintf(out, "%s: %s %s %s  spi %s/%s  %s/%s/%s/%s  since %s\n", sa->peer, sa->state,
			sa->initiator ? "initiator" : "responder", sa->remote, spi_i, spi_r, sa->encr,
			sa->prf, sa->dh, sa->auth, daemon_format_time(sa->established_ms, t));
		for (size_t c = 0; c < sa->n_children && c < 4; c++)
			child_text(out, sa->children[c].spi_in, sa->children[c].spi_out,
				   sa->children[c].encr, sa->children[c].local_ts,
				   sa->children[c].remote_ts, &sa->children[c].stats);
		return;
	}
	bool f = true;
	fputs(first_sa ? "{" : ",{", out);
	json_kv_str(out, &f, "peer", sa->peer);
	json_kv_str(out, &f, "state", sa->state);
	json_kv_bool(out, &f, "initiator", sa->initiator);
	json_kv_str(out, &f, "remote", sa->remote);
	json_kv_str(out, &f, "spi_i", spi_i);
	json_kv_str(out, &f, "spi_r", spi_r);
	json_kv_str(out, &f, "encr", sa->encr);
	json_kv_str(out, &f, "prf", sa->prf);
	json_kv_str(out, &f, "dh", sa->dh);
	json_kv_str(out, &f, "auth", sa->auth);
	json_kv_str(out, &f, "established", daemon_format_time(sa->established_ms, t));
	json_key(out, &f, "children");
	fputc('[', out);
	for (size_t c = 0; c < sa->n_children && c < 4; c++) {
		if (c)
			fputc(',', out);
		child_json(out, sa->children[c].child_id, sa->children[c].spi_in,
			   sa->children[c].spi_out, sa->children[c].encr, sa->children[c].local_ts,
			   sa->children[c].remote_ts, &sa->children[c].stats);
	}
	fputs("]}", out);
}

struct flows_ctx {
	struct daemon *d;
	FILE *out;
	bool json, first, lab_only;
};

static void prefixes(const struct lg_prefix *p, size_t n, char *out, size_t cap)
{
	char one[LG_ADDRSTRLEN];
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		size_t used = strlen(out);
		snprintf(out + used, cap - used, "%s%s", i ? "," : "",
			 lg_prefix_format(&p[i], one, sizeof(one)));
	}
}

static const char *peer_of(struct daemon *d, const struct esp_child_params *p)
{
	if (p->owner[0])   /* the peer that negotiated it, wherever NAT-T moved it */
		return p->owner;
	const struct conf_peer *peer = policy_peer_by_endpoint(d->cfg, &p->peer);
	return peer ? peer->name : "?";
}

static void flow_out(void *ctx, const struct esp_child_params *p, const struct esp_child_stats *s)
{
	struct flows_ctx *fc = ctx;
	char lts[256], rts[256];
	const char *encr = p->cipher == ESP_CIPHER_AES256_GCM16 ? "aes256gcm16" : "chacha20poly1305";
	bool lab = p->child_id >= DAEMON_LAB_CHILD_BASE;

	if (fc->lab_only && !lab)
		return;
	prefixes(p->local_ts, p->n_local_ts, lts, sizeof(lts));
	prefixes(p->remote_ts, p->n_remote_ts, rts, sizeof(rts));
	if (fc->json) {
		if (!fc->first)
			fputc(',', fc->out);
		child_json(fc->out, p->child_id, p->spi_in, p->spi_out, encr, lts, rts, s);
	} else {
		if (lab && p->child_id - DAEMON_LAB_CHILD_BASE < fc->d->cfg->n_static_sas)
			fprintf(fc->out, "static-sa \"%s\" (LAB ONLY):\n",
				fc->d->cfg->static_sas[p->child_id - DAEMON_LAB_CHILD_BASE].name);
		else
			fprintf(fc->out, "peer %s (child %u):\n", peer_of(fc->d, p), p->child_id);
		child_text(fc->out, p->spi_in, p->spi_out, encr, lts, rts, s);
	}
	fc->first = false;
}

int control_cmd_sas(struct daemon *d, const struct control_request *rq, const char *who, FILE *out)
{
	struct ike_sa_info *sas = calloc(SAS_MAX, sizeof(*sas));
	struct flows_ctx fc = { d, out, rq->json, true, true };
	size_t n = 0;
	(void)who;

	if (!sas)
		return CONTROL_INTERNAL;
	if (d->ike)
		n = ike_list_sas(d->ike, sas, SAS_MAX);
	if (rq->json)
		fputs("{\"ike_sas\":[", out);
	for (size_t i = 0; i < n && i < SAS_MAX; i++)
		ike_sa_out(out, rq->json, i == 0, &sas[i]);
	if (!rq->json && n == 0)
		fputs("no IKE SAs\n", out);
	if (rq->json)
		fputs("],\"static_sas\":[", out);
	esp_table_foreach(d->esp, flow_out, &fc);
	if (rq->json)
		fputs("]}\n", out);
	free(sas);
	return CONTROL_OK;
}

int control_cmd_flows(struct daemon *d, const struct control_request *rq, const char *who, FILE *out)
{
	struct flows_ctx fc = { d, out, rq->json, true, false };
	(void)who;

	if (rq->json)
		fputc('[', out);
	esp_table_foreach(d->esp, flow_out, &fc);
	if (rq->json)
		fputs("]\n", out);
	else if (fc.first)
		fputs("no CHILD SAs\n", out);
	return CONTROL_OK;
}

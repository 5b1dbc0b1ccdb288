/* `sas` and `flows`: the IKE SAs with their CHILD SAs, and the per-CHILD SA
 * traffic counters straight from the ESP table (lab SAs included). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "linegate/control.h"
#include "linegate/ike.h"
#include "linegate/json.h"
#include "linegate/log.h"
#include "linegate/policy.h"
#include "daemon.h"

enum { SAS_MAX = 2 * CONF_MAX_PEERS };

/* One CHILD SA as an object appended to arr. */
static void child_json(json_t *arr, uint32_t id, uint32_t spi_in, uint32_t spi_out, const char *encr,
		       const char *lts, const char *rts, const struct esp_child_stats *s)
{
	char spi[9], t[40];
	json_t *o = lg_json_append_object(arr);

	lg_json_set_u64(o, "child_id", id);
	snprintf(spi, sizeof(spi), "%08x", spi_in);
	lg_json_set_str(o, "spi_in", spi);
	snprintf(spi, sizeof(spi), "%08x", spi_out);
	lg_json_set_str(o, "spi_out", spi);
	lg_json_set_str(o, "encr", encr);
	lg_json_set_str(o, "local_ts", lts);
	lg_json_set_str(o, "remote_ts", rts);
	lg_json_set_u64(o, "packets_in", s->packets_in);
	lg_json_set_u64(o, "bytes_in", s->bytes_in);
	lg_json_set_u64(o, "packets_out", s->packets_out);
	lg_json_set_u64(o, "bytes_out", s->bytes_out);
	lg_json_set_str(o, "first_activity", daemon_format_time(s->first_activity_ms, t));
	lg_json_set_str(o, "last_in", daemon_format_time(s->last_in_ms, t));
	lg_json_set_str(o, "last_out", daemon_format_time(s->last_out_ms, t));
	lg_json_set_u64(o, "replay_drops", s->replay_drops);
	lg_json_set_u64(o, "auth_drops", s->auth_drops);
	lg_json_set_u64(o, "selector_drops", s->selector_drops);
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

/* One IKE SA: a text block on out, or an object appended to arr. */
static void ike_sa_out(FILE *out, json_t *arr, const struct ike_sa_info *sa)
{
	char spi_i[17], spi_r[17], t[40];

	lg_hex(sa->spi_i, 8, spi_i);
	lg_hex(sa->spi_r, 8, spi_r);
	if (!arr) {
		fprintf(out, "%s: %s %s %s  spi %s/%s  %s/%s/%s/%s  since %s\n", sa->peer, sa->state,
			sa->initiator ? "initiator" : "responder", sa->remote, spi_i, spi_r, sa->encr,
			sa->prf, sa->dh, sa->auth, daemon_format_time(sa->established_ms, t));
		for (size_t c = 0; c < sa->n_children && c < 4; c++)
			child_text(out, sa->children[c].spi_in, sa->children[c].spi_out,
				   sa->children[c].encr, sa->children[c].local_ts,
				   sa->children[c].remote_ts, &sa->children[c].stats);
		return;
	}
	json_t *o = lg_json_append_object(arr);
	lg_json_set_str(o, "peer", sa->peer);
	lg_json_set_str(o, "state", sa->state);
	lg_json_set_bool(o, "initiator", sa->initiator);
	lg_json_set_str(o, "remote", sa->remote);
	lg_json_set_str(o, "spi_i", spi_i);
	lg_json_set_str(o, "spi_r", spi_r);
	lg_json_set_str(o, "encr", sa->encr);
	lg_json_set_str(o, "prf", sa->prf);
	lg_json_set_str(o, "dh", sa->dh);
	lg_json_set_str(o, "auth", sa->auth);
	lg_json_set_str(o, "established", daemon_format_time(sa->established_ms, t));
	json_t *children = lg_json_set_array(o, "children");
	for (size_t c = 0; c < sa->n_children && c < 4; c++)
		child_json(children, sa->children[c].child_id, sa->children[c].spi_in,
			   sa->children[c].spi_out, sa->children[c].encr, sa->children[c].local_ts,
			   sa->children[c].remote_ts, &sa->children[c].stats);
}

struct flows_ctx {
	struct daemon *d;
	FILE *out;
	json_t *arr;   /* JSON: the objects go here; NULL for text */
	bool first, lab_only;
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
	if (fc->arr) {
		child_json(fc->arr, p->child_id, p->spi_in, p->spi_out, encr, lts, rts, s);
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
	json_t *doc = rq->json ? json_object() : NULL;
	json_t *ike_sas = doc ? lg_json_set_array(doc, "ike_sas") : NULL;
	struct flows_ctx fc = { d, out, doc ? lg_json_set_array(doc, "static_sas") : NULL, true, true };
	size_t n = 0;
	(void)who;

	if (!sas) {
		json_decref(doc);
		return CONTROL_INTERNAL;
	}
	if (d->ike)
		n = ike_list_sas(d->ike, sas, SAS_MAX);
	for (size_t i = 0; i < n && i < SAS_MAX; i++)
		ike_sa_out(out, ike_sas, &sas[i]);
	if (!rq->json && n == 0)
		fputs("no IKE SAs\n", out);
	esp_table_foreach(d->esp, flow_out, &fc);
	if (doc)
		lg_json_print(out, doc);
	free(sas);
	return CONTROL_OK;
}

int control_cmd_flows(struct daemon *d, const struct control_request *rq, const char *who, FILE *out)
{
	struct flows_ctx fc = { d, out, rq->json ? json_array() : NULL, true, false };
	(void)who;

	esp_table_foreach(d->esp, flow_out, &fc);
	if (fc.arr)
		lg_json_print(out, fc.arr);
	else if (fc.first)
		fputs("no CHILD SAs\n", out);
	return CONTROL_OK;
}

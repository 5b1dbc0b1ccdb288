/* `sas` and `flows`: the IKE SAs with identities, ages and lifetime
 * countdowns, their CHILD SAs with the last packet each way, the peer's
 * totals that outlive rekeys; and the per-CHILD SA traffic straight from
 * the ESP table (lab SAs included), named by the peer that negotiated it. */
#include <inttypes.h>
#include <string.h>
#include "linegate/control.h"
#include "linegate/ike.h"
#include "linegate/json.h"
#include "linegate/log.h"
#include "linegate/policy.h"
#include "daemon.h"

struct child_view {
	uint32_t id, spi_in, spi_out;
	const char *peer, *state, *encr, *lts, *rts;
	uint64_t installed_ms;               /* wall clock, 0 = unknown */
	int64_t rekey_in_ms, expire_in_ms;   /* IKE_INFO_NEVER = none */
	const struct esp_child_stats *s;
};

/* One CHILD SA as an object appended to arr. */
static void child_json(json_t *arr, const struct child_view *v)
{
	char spi[9];
	json_t *o = lg_json_append_object(arr);

	lg_json_set_u64(o, "child_id", v->id);
	if (v->peer)
		lg_json_set_str(o, "peer", v->peer);
	if (v->state)
		lg_json_set_str(o, "state", v->state);
	snprintf(spi, sizeof(spi), "%08x", v->spi_in);
	lg_json_set_str(o, "spi_in", spi);
	snprintf(spi, sizeof(spi), "%08x", v->spi_out);
	lg_json_set_str(o, "spi_out", spi);
	lg_json_set_str(o, "encr", v->encr);
	lg_json_set_str(o, "local_ts", v->lts);
	lg_json_set_str(o, "remote_ts", v->rts);
	if (v->state) {   /* negotiated: lifetimes are the IKE side's */
		daemon_json_time(o, "installed", v->installed_ms);
		daemon_json_countdown(o, "rekey_in_s", v->rekey_in_ms);
		daemon_json_countdown(o, "expire_in_s", v->expire_in_ms);
	}
	lg_json_set_u64(o, "packets_in", v->s->packets_in);
	lg_json_set_u64(o, "bytes_in", v->s->bytes_in);
	lg_json_set_u64(o, "packets_out", v->s->packets_out);
	lg_json_set_u64(o, "bytes_out", v->s->bytes_out);
	daemon_json_time(o, "first_activity", v->s->first_activity_ms);
	daemon_json_time(o, "last_in", v->s->last_in_ms);
	daemon_json_time(o, "last_out", v->s->last_out_ms);
	lg_json_set_u64(o, "replay_drops", v->s->replay_drops);
	lg_json_set_u64(o, "auth_drops", v->s->auth_drops);
	lg_json_set_u64(o, "selector_drops", v->s->selector_drops);
}

static void child_text(FILE *out, const struct child_view *v, uint64_t now)
{
	const struct esp_child_stats *s = v->s;
	char a[40], b[40], c[40], t[40];

	fprintf(out, "    child %08x/%08x %s%s%s  %s === %s\n", v->spi_in, v->spi_out,
		v->state ? v->state : "", v->state ? " " : "", v->encr, v->lts, v->rts);
	if (v->state)
		fprintf(out, "          installed %s, rekey %s, expires %s\n",
			daemon_format_ago(v->installed_ms, now, a),
			daemon_format_countdown(v->rekey_in_ms, b),
			daemon_format_countdown(v->expire_in_ms, c));
	fprintf(out, "          first activity %s (%s), last in %s, last out %s\n",
		daemon_format_ago(s->first_activity_ms, now, a), daemon_format_time(s->first_activity_ms, t),
		daemon_format_ago(s->last_in_ms, now, b), daemon_format_ago(s->last_out_ms, now, c));
	fprintf(out, "          in %" PRIu64 " pkts %" PRIu64 " bytes, out %" PRIu64 " pkts %" PRIu64
		" bytes, drops replay %" PRIu64 " auth %" PRIu64 " selector %" PRIu64 "\n",
		s->packets_in, s->bytes_in, s->packets_out, s->bytes_out, s->replay_drops,
		s->auth_drops, s->selector_drops);
}

static void totals_json(json_t *obj, const struct esp_owner_totals *t)
{
	json_t *o = lg_json_set_object(obj, "peer_totals");

	lg_json_set_u64(o, "packets_in", t->s.packets_in);
	lg_json_set_u64(o, "bytes_in", t->s.bytes_in);
	lg_json_set_u64(o, "packets_out", t->s.packets_out);
	lg_json_set_u64(o, "bytes_out", t->s.bytes_out);
	daemon_json_time(o, "last_in", t->s.last_in_ms);
	daemon_json_time(o, "last_out", t->s.last_out_ms);
	lg_json_set_u64(o, "child_sas_replaced", t->sas_retired);
}

static void child_of_sa(const struct ike_sa_info *sa, size_t c, struct child_view *v)
{
	*v = (struct child_view){
		.id = sa->children[c].child_id, .spi_in = sa->children[c].spi_in,
		.spi_out = sa->children[c].spi_out, .state = sa->children[c].state,
		.encr = sa->children[c].encr, .lts = sa->children[c].local_ts,
		.rts = sa->children[c].remote_ts, .installed_ms = sa->children[c].installed_ms,
		.rekey_in_ms = sa->children[c].rekey_in_ms, .expire_in_ms = sa->children[c].expire_in_ms,
		.s = &sa->children[c].stats,
	};
}

static size_t shown_children(const struct ike_sa_info *sa)
{
	size_t max = sizeof(sa->children) / sizeof(sa->children[0]);
	return sa->n_children < max ? sa->n_children : max;
}

static void ike_sa_text(FILE *out, const struct ike_sa_info *sa, const struct esp_owner_totals *tot,
			uint64_t now)
{
	char spi_i[17], spi_r[17], t[40], a[40], b[40], c[40];
	struct child_view v;

	lg_hex(sa->spi_i, 8, spi_i);
	lg_hex(sa->spi_r, 8, spi_r);
	fprintf(out, "%s: %s %s %s  spi %s/%s  %s/%s/%s/%s\n", sa->peer, sa->state,
		sa->initiator ? "initiator" : "responder", sa->remote, spi_i, spi_r, sa->encr,
		sa->prf, sa->dh, sa->auth);
	fprintf(out, "  local %s  remote %s\n", sa->local_id, sa->remote_id);
	if (sa->peer_cert[0])
		fprintf(out, "  peer certificate %s, expires %s\n", sa->peer_cert,
			daemon_format_time((uint64_t)sa->peer_cert_not_after * 1000, t));
	if (sa->established_ms)
		fprintf(out, "  age %s (up since %s), rekey %s, expires %s\n",
			daemon_format_ago(sa->established_ms, now, a),
			daemon_format_time(sa->established_ms, t),
			daemon_format_countdown(sa->rekey_in_ms, b),
			daemon_format_countdown(sa->expire_in_ms, c));
	fprintf(out, "  last DPD answer %s\n", daemon_format_ago(sa->dpd_answer_ms, now, a));
	fprintf(out, "  peer totals in %" PRIu64 " pkts %" PRIu64 " bytes, out %" PRIu64 " pkts %"
		PRIu64 " bytes (%" PRIu64 " CHILD SAs replaced)\n", tot->s.packets_in, tot->s.bytes_in,
		tot->s.packets_out, tot->s.bytes_out, tot->sas_retired);
	for (size_t i = 0; i < shown_children(sa); i++) {
		child_of_sa(sa, i, &v);
		child_text(out, &v, now);
	}
}

static void ike_sa_json(json_t *arr, const struct ike_sa_info *sa, const struct esp_owner_totals *tot)
{
	char spi_i[17], spi_r[17];
	struct child_view v;
	json_t *o = lg_json_append_object(arr);

	lg_hex(sa->spi_i, 8, spi_i);
	lg_hex(sa->spi_r, 8, spi_r);
	lg_json_set_str(o, "peer", sa->peer);
	lg_json_set_str(o, "state", sa->state);
	lg_json_set_bool(o, "initiator", sa->initiator);
	lg_json_set_str(o, "remote", sa->remote);
	lg_json_set_str(o, "local_id", sa->local_id);
	lg_json_set_str(o, "remote_id", sa->remote_id);
	lg_json_set_str(o, "spi_i", spi_i);
	lg_json_set_str(o, "spi_r", spi_r);
	lg_json_set_str(o, "encr", sa->encr);
	lg_json_set_str(o, "prf", sa->prf);
	lg_json_set_str(o, "dh", sa->dh);
	lg_json_set_str(o, "auth", sa->auth);
	if (sa->peer_cert[0]) {
		json_t *c = lg_json_set_object(o, "peer_certificate");
		lg_json_set_str(c, "subject", sa->peer_cert);
		daemon_json_time(c, "not_after", (uint64_t)sa->peer_cert_not_after * 1000);
	}
	daemon_json_time(o, "established", sa->established_ms);
	daemon_json_countdown(o, "rekey_in_s", sa->rekey_in_ms);
	daemon_json_countdown(o, "expire_in_s", sa->expire_in_ms);
	daemon_json_time(o, "last_dpd_answer", sa->dpd_answer_ms);
	totals_json(o, tot);
	json_t *children = lg_json_set_array(o, "children");
	for (size_t c = 0; c < shown_children(sa); c++) {
		child_of_sa(sa, c, &v);
		child_json(children, &v);
	}
}

struct flows_ctx {
	struct daemon *d;
	FILE *out;
	json_t *arr;   /* JSON: the objects go here; NULL for text */
	bool first, lab_only;
	uint64_t now;
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

/* The child's suite in strongSwan's notation. */
static const char *child_encr(const struct esp_child_params *p)
{
	static const char *const cbc[2][3] = {
		{ "aes128-sha256", "aes128-sha384", "aes128-sha512" },
		{ "aes256-sha256", "aes256-sha384", "aes256-sha512" },
	};
	unsigned i = (unsigned)p->integ - IKEV2_INTEG_HMAC_SHA2_256_128;

	if (p->cipher == ESP_CIPHER_AES_CBC)
		return i < 3 ? cbc[p->cipher_keybits == 256][i] : "aes-cbc";
	return p->cipher == ESP_CIPHER_AES256_GCM16 ? "aes256gcm16" : "chacha20poly1305";
}

static void flow_out(void *ctx, const struct esp_child_params *p, const struct esp_child_stats *s)
{
	struct flows_ctx *fc = ctx;
	char lts[256], rts[256];
	bool lab = p->child_id >= DAEMON_LAB_CHILD_BASE;
	struct child_view v = {
		.id = p->child_id, .spi_in = p->spi_in, .spi_out = p->spi_out, .s = s,
		.encr = child_encr(p),
		.peer = peer_of(fc->d, p), .lts = lts, .rts = rts,
	};

	if (fc->lab_only && !lab)
		return;
	prefixes(p->local_ts, p->n_local_ts, lts, sizeof(lts));
	prefixes(p->remote_ts, p->n_remote_ts, rts, sizeof(rts));
	if (fc->arr) {
		child_json(fc->arr, &v);
	} else {
		if (lab && p->child_id - DAEMON_LAB_CHILD_BASE < fc->d->cfg->n_static_sas)
			fprintf(fc->out, "static-sa \"%s\" (LAB ONLY):\n",
				fc->d->cfg->static_sas[p->child_id - DAEMON_LAB_CHILD_BASE].name);
		else
			fprintf(fc->out, "peer %s (child %u):\n", v.peer, p->child_id);
		child_text(fc->out, &v, fc->now);
	}
	fc->first = false;
}

struct sas_ctx {
	struct daemon *d;
	FILE *out;
	json_t *arr;   /* JSON: the objects go here; NULL for text */
	size_t n;
	uint64_t now;
};

/* One IKE SA with its peer's totals, streamed: a hub lists thousands. */
static void sa_out(void *ctx, const struct ike_sa_info *sa)
{
	struct sas_ctx *sc = ctx;
	struct esp_owner_totals tot;

	esp_table_owner_totals(sc->d->esp, sa->peer, &tot);
	if (sc->arr)
		ike_sa_json(sc->arr, sa, &tot);
	else
		ike_sa_text(sc->out, sa, &tot, sc->now);
	sc->n++;
}

int control_cmd_sas(struct daemon *d, const struct control_request *rq, const char *who, FILE *out)
{
	json_t *doc = rq->json ? json_object() : NULL;
	struct sas_ctx sc = { d, out, doc ? lg_json_set_array(doc, "ike_sas") : NULL, 0, lg_wall_ms() };
	struct flows_ctx fc = { d, out, doc ? lg_json_set_array(doc, "static_sas") : NULL, true, true,
				sc.now };
	(void)who;

	if (d->ike)
		ike_foreach_sa(d->ike, sa_out, &sc);
	if (!rq->json && sc.n == 0)
		fputs("no IKE SAs\n", out);
	esp_table_foreach(d->esp, flow_out, &fc);
	if (doc)
		lg_json_print(out, doc);
	return CONTROL_OK;
}

int control_cmd_flows(struct daemon *d, const struct control_request *rq, const char *who, FILE *out)
{
	struct flows_ctx fc = { d, out, rq->json ? json_array() : NULL, true, false, lg_wall_ms() };
	(void)who;

	esp_table_foreach(d->esp, flow_out, &fc);
	if (fc.arr)
		lg_json_print(out, fc.arr);
	else if (fc.first)
		fputs("no CHILD SAs\n", out);
	return CONTROL_OK;
}

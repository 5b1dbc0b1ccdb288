/* `up`, `down` and `rekey`: an admin's direct hand on a peer. With --wait
 * the answer says what happened (established with its SPIs, refused with
 * the reason code, down, or out of time) instead of "requested": the
 * command is left pending and polled (control.c) until the IKE side has a
 * result or the deadline passes. `down` of a peer without an SA says so,
 * with its own code (410), like swanctl --terminate of nothing. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "linegate/control.h"
#include "linegate/ike.h"
#include "linegate/json.h"
#include "linegate/log.h"
#include "daemon.h"

enum { WAIT_DEFAULT_S = 30, WAIT_MAX_S = 3600 };

static int answer(FILE *out, bool json, int code, const char *peer, const char *result,
		  const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* One line of text, or {"peer","result","message"} in JSON. */
static int answer(FILE *out, bool json, int code, const char *peer, const char *result,
		  const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!json) {
		fprintf(out, "%s\n", msg);
		return code;
	}
	json_t *o = json_object();
	lg_json_set_str(o, "peer", peer);
	lg_json_set_str(o, "result", result);
	lg_json_set_str(o, "message", msg);
	lg_json_print(out, o);
	return code;
}

/* "PEER [--wait [SECONDS]]": 0, or -EINVAL. */
static int parse_wait(const struct control_request *rq, unsigned *seconds)
{
	*seconds = 0;
	if (rq->n_args == 1)
		return 0;
	if (strcmp(rq->args[1], "--wait") != 0)
		return -EINVAL;
	*seconds = WAIT_DEFAULT_S;
	if (rq->n_args == 3) {
		char *end;
		unsigned long v = strtoul(rq->args[2], &end, 10);
		if (*end || end == rq->args[2] || v == 0 || v > WAIT_MAX_S)
			return -EINVAL;
		*seconds = (unsigned)v;
	}
	return 0;
}

/* "IKE SA 1a2b../3c4d.., CHILD SA 11111111/22222222 (10.1.0.0/16 === ...)" */
static void describe_sas(struct daemon *d, const char *peer, char *out, size_t cap)
{
	size_t max = ike_peer_sa_count(d->ike, peer);
	struct ike_sa_info *sas = calloc(max ? max : 1, sizeof(*sas));
	size_t n = sas ? ike_list_peer_sas(d->ike, peer, sas, max) : 0, used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n && used < cap; i++) {
		char spi_i[17], spi_r[17];
		if (!sas[i].established_ms)
			continue;
		lg_hex(sas[i].spi_i, 8, spi_i);
		lg_hex(sas[i].spi_r, 8, spi_r);
		used += (size_t)snprintf(out + used, cap - used, "%sIKE SA %s/%s", used ? "; " : "",
					 spi_i, spi_r);
		for (size_t c = 0; c < sas[i].n_children && c < 4 && used < cap; c++)
			used += (size_t)snprintf(out + used, cap - used, ", CHILD SA %08x/%08x (%s === %s)",
						 sas[i].children[c].spi_in, sas[i].children[c].spi_out,
						 sas[i].children[c].local_ts, sas[i].children[c].remote_ts);
	}
	free(sas);
}

static int established(struct daemon *d, const struct control_wait *w, FILE *out)
{
	char what[400];
	describe_sas(d, w->peer, what, sizeof(what));
	return answer(out, w->json, CONTROL_OK, w->peer, "established", "peer %s established: %s",
		      w->peer, what);
}

static int refused(const struct control_wait *w, const struct ike_peer_retry *pr, FILE *out)
{
	return answer(out, w->json, CONTROL_REFUSED, w->peer, pr->last_failure,
		      "peer %s not established: %s", w->peer,
		      pr->last_failure[0] ? pr->last_failure : "failed");
}

int control_wait_poll(struct daemon *d, const struct control_wait *w, FILE *out)
{
	struct ike_peer_retry pr;
	bool expired = lg_now_ms() >= w->deadline_ms;

	if (!d->ike || ike_peer_retry(d->ike, w->peer, &pr) != 0)
		return answer(out, w->json, CONTROL_REFUSED, w->peer, "peer_removed",
			      "peer %s is no longer configured", w->peer);
	if (w->up && ike_peer_up(d->ike, w->peer))
		return established(d, w, out);
	if (w->up && pr.last_failure_ms != w->failure_ms)   /* a new failure */
		return refused(w, &pr, out);
	if (!w->up && ike_peer_sa_count(d->ike, w->peer) == 0)
		return answer(out, w->json, CONTROL_OK, w->peer, "down", "peer %s down: its SAs are deleted",
			      w->peer);
	if (!expired)
		return CONTROL_PENDING;
	return answer(out, w->json, CONTROL_TIMEOUT, w->peer, "timeout",
		      "peer %s: %s within %u s", w->peer,
		      w->up ? "not established" : "SAs not yet deleted", w->seconds);
}

static int run_up(struct daemon *d, struct control_wait *w, FILE *out)
{
	struct ike_peer_retry pr;

	ike_peer_retry(d->ike, w->peer, &pr);
	w->failure_ms = pr.last_failure_ms;
	int rc = ike_initiate(d->ike, w->peer, lg_now_ms());
	if (rc == -EALREADY && ike_peer_up(d->ike, w->peer))
		return established(d, w, out);
	if (rc == -EPERM) {   /* the guardrails said no: the reason is noted */
		ike_peer_retry(d->ike, w->peer, &pr);
		return refused(w, &pr, out);
	}
	if (rc == -EDESTADDRREQ)
		return answer(out, w->json, CONTROL_REFUSED, w->peer, "no_endpoint",
			      "peer %s has no fixed endpoint: a template branch connects to this "
			      "gateway, it is not called", w->peer);
	if (rc && rc != -EALREADY)
		return answer(out, w->json, CONTROL_REFUSED, w->peer, "error", "peer %s: %s", w->peer,
			      strerror(-rc));
	if (w->seconds)
		return CONTROL_PENDING;
	return answer(out, w->json, CONTROL_OK, w->peer, "requested", "initiate %s: %s", w->peer,
		      rc == -EALREADY ? "already in progress" : "requested");
}

static int run_down(struct daemon *d, struct control_wait *w, FILE *out)
{
	int rc = ike_terminate(d->ike, w->peer, lg_now_ms());
	if (rc == -ENOENT)
		return answer(out, w->json, CONTROL_NO_SA, w->peer, "no_sa", "peer %s has no SA", w->peer);
	if (rc)
		return answer(out, w->json, CONTROL_REFUSED, w->peer, "error", "peer %s: %s", w->peer,
			      strerror(-rc));
	if (w->seconds)
		return control_wait_poll(d, w, out);   /* perhaps already gone */
	return answer(out, w->json, CONTROL_OK, w->peer, "requested", "terminate %s: requested",
		      w->peer);
}

int control_cmd_updown(struct daemon *d, const struct control_request *rq, struct control_wait *w,
		       FILE *out)
{
	memset(w, 0, sizeof(*w));
	w->up = strcmp(rq->command, "up") == 0;
	w->json = rq->json;
	if (strlen(rq->args[0]) >= sizeof(w->peer))
		return answer(out, rq->json, CONTROL_BAD_REQUEST, "", "no_such_peer", "no such peer");
	memcpy(w->peer, rq->args[0], strlen(rq->args[0]) + 1);
	if (parse_wait(rq, &w->seconds) != 0)
		return answer(out, rq->json, CONTROL_BAD_REQUEST, w->peer, "usage",
			      "usage: %s PEER [--wait [SECONDS]] (1..%d s, default %d)", rq->command,
			      WAIT_MAX_S, WAIT_DEFAULT_S);
	if (!config_find_peer(d->cfg, w->peer) || !d->ike)
		return answer(out, rq->json, CONTROL_BAD_REQUEST, w->peer, "no_such_peer",
			      "no such peer: %s", w->peer);
	w->deadline_ms = lg_now_ms() + (uint64_t)w->seconds * 1000;
	return w->up ? run_up(d, w, out) : run_down(d, w, out);
}

/* rekey PEER [--child|--ike]: the CHILD SAs by default, as `swanctl
 * --rekey --child` is the everyday one (new keys for the traffic). */
int control_cmd_rekey(struct daemon *d, const struct control_request *rq, FILE *out)
{
	const char *peer = rq->args[0];
	bool ike_sa = rq->n_args == 2 && strcmp(rq->args[1], "--ike") == 0;

	if (rq->n_args == 2 && !ike_sa && strcmp(rq->args[1], "--child") != 0)
		return answer(out, rq->json, CONTROL_BAD_REQUEST, peer, "usage",
			      "usage: rekey PEER [--child|--ike]");
	if (!config_find_peer(d->cfg, peer) || !d->ike)
		return answer(out, rq->json, CONTROL_BAD_REQUEST, peer, "no_such_peer", "no such peer: %s",
			      peer);
	int n = ike_rekey(d->ike, peer, ike_sa, lg_now_ms());
	if (n == -ENOENT)
		return answer(out, rq->json, CONTROL_NO_SA, peer, "no_sa",
			      "peer %s has no established SA", peer);
	return answer(out, rq->json, CONTROL_OK, peer, "rekeying", "rekey %s: %d %s SA%s started",
		      peer, n, ike_sa ? "IKE" : "CHILD", n == 1 ? "" : "s");
}

/* What `linegatectl sas` shows of the IKE side: each SA with its
 * identities, lifetimes as countdowns and its CHILD SAs (the retry schedule
 * of `peers` is ike_retry.c's). Read-only views; nothing here changes state. */
#include <stdio.h>
#include <string.h>
#include "linegate/log.h"
#include "ike_internal.h"
#include "linegate/conf.h"

static int64_t countdown(const struct ike *ike, uint64_t at_ms)
{
	return at_ms ? (int64_t)at_ms - (int64_t)ike->now_ms : IKE_INFO_NEVER;
}

/* Wall-clock time of a moment of the IKE clock in the past. */
static uint64_t wall_of(const struct ike *ike, uint64_t mono_ms)
{
	uint64_t wall = lg_wall_ms(), ago = ike->now_ms > mono_ms ? ike->now_ms - mono_ms : 0;
	return mono_ms && wall > ago ? wall - ago : 0;
}

static void prefixes(const struct lg_prefix *p, size_t n, char out[128])
{
	size_t off = 0;
	out[0] = '\0';
	for (size_t i = 0; i < n && off < 128; i++) {
		char b[LG_ADDRSTRLEN];
		off += (size_t)snprintf(out + off, 128 - off, "%s%s", i ? "," : "",
					lg_prefix_format(&p[i], b, sizeof(b)));
	}
}

static void fill_child(struct ike *ike, const struct child_sa *c, struct ike_sa_info *o, size_t k)
{
	o->children[k].child_id = c->child_id;
	o->children[k].spi_in = c->spi_in;
	o->children[k].spi_out = c->spi_out;
	snprintf(o->children[k].state, sizeof(o->children[k].state), "%s",
		 child_sa_state_name(c->state));
	snprintf(o->children[k].encr, sizeof(o->children[k].encr), "%s",
		 ike_encr_name(c->encr, c->keybits));
	prefixes(c->local_ts, c->n_local_ts, o->children[k].local_ts);
	prefixes(c->remote_ts, c->n_remote_ts, o->children[k].remote_ts);
	o->children[k].installed_ms = wall_of(ike, c->installed_ms);
	o->children[k].rekey_in_ms = c->state == CHILD_SA_INSTALLED ? countdown(ike, c->rekey_ms)
								    : IKE_INFO_NEVER;
	o->children[k].expire_in_ms = countdown(ike, c->expire_ms);
	if (ike->child.stats)
		ike->child.stats(ike->child.ctx, c->child_id, &o->children[k].stats);
}

static void fill_info(struct ike *ike, const struct ike_sa *sa, struct ike_sa_info *o)
{
	size_t k = 0;

	memset(o, 0, sizeof(*o));
	snprintf(o->peer, sizeof(o->peer), "%s", sa->peer_name);
	snprintf(o->state, sizeof(o->state), "%s", ike_sa_state_name(sa->state));
	o->initiator = sa->initiator;
	memcpy(o->spi_i, sa->spi_i, 8);
	memcpy(o->spi_r, sa->spi_r, 8);
	lg_sockaddr_format(&sa->remote, o->remote, sizeof(o->remote));
	ike_identity_format(&sa->peer->local_id, o->local_id, sizeof(o->local_id));
	/* the identity the peer proved, once it did; the expected one before */
	if (sa->established_ms && sa->peer_id[0])
		snprintf(o->remote_id, sizeof(o->remote_id), "%s", sa->peer_id);
	else
		ike_identity_format(&sa->peer->remote_id, o->remote_id, sizeof(o->remote_id));
	snprintf(o->encr, sizeof(o->encr), "%s", ike_encr_name(sa->prop.encr, sa->prop.encr_keybits));
	snprintf(o->prf, sizeof(o->prf), "%s", ike_prf_name(sa->prop.prf));
	snprintf(o->dh, sizeof(o->dh), "%s", ike_dh_name(sa->prop.dh));
	snprintf(o->auth, sizeof(o->auth), "%s", conf_auth_name(sa->peer->auth));
	if (sa->peer_cert) {
		snprintf(o->peer_cert, sizeof(o->peer_cert), "%s", sa->peer_cert->subject);
		o->peer_cert_not_after = (int64_t)sa->peer_cert->not_after;
	}
	o->established_ms = sa->established_ms ? sa->established_wall_ms : 0;
	o->rekey_in_ms = sa->state == IKE_SA_ESTABLISHED ? countdown(ike, sa->rekey_ms) : IKE_INFO_NEVER;
	o->expire_in_ms = sa->established_ms ? countdown(ike, sa->expire_ms) : IKE_INFO_NEVER;
	o->dpd_answer_ms = sa->dpd_answer_wall_ms;
	for (const struct child_sa *c = sa->children; c; c = c->next) {
		o->n_children++;
		if (k < sizeof(o->children) / sizeof(o->children[0]))
			fill_child(ike, c, o, k++);
	}
}

void ike_foreach_sa(struct ike *ike, ike_sa_info_fn fn, void *ctx)
{
	struct ike_sa_info info;   /* one at a time: a hub's 20,000 would be 70 MB at once */

	for (const struct ike_sa *sa = ike->sas; sa; sa = sa->next) {
		fill_info(ike, sa, &info);
		fn(ctx, &info);
	}
}

size_t ike_list_sas(struct ike *ike, struct ike_sa_info *out, size_t max)
{
	size_t n = 0;

	for (const struct ike_sa *sa = ike->sas; sa && n < max; sa = sa->next)
		fill_info(ike, sa, &out[n++]);
	return n;
}

size_t ike_list_peer_sas(struct ike *ike, const char *peer_name, struct ike_sa_info *out,
			 size_t max)
{
	const struct ike_sa *sa, *prev = NULL;
	size_t n = 0;

	/* newest first, like ike_list_sas: the highest seq below the last */
	for (; n < max; n++) {
		const struct ike_sa *best = NULL;
		size_t pos = 0;
		while ((sa = ike_sa_peer_next(ike, peer_name, &pos)))
			if ((!prev || sa->seq < prev->seq) && (!best || sa->seq > best->seq))
				best = sa;
		if (!best)
			break;
		fill_info(ike, best, &out[n]);
		prev = best;
	}
	return n;
}

size_t ike_peer_sa_count(const struct ike *ike, const char *peer_name)
{
	size_t n = 0, pos = 0;

	while (ike_sa_peer_next(ike, peer_name, &pos))
		n++;
	return n;
}

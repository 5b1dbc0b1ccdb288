/* Per-owner totals: a peer's packets and bytes survive its SAs. Rekeying
 * replaces an SA every hour or so; an operator (and a Prometheus counter)
 * expects the peer's numbers to keep growing, never to restart at zero.
 * Control thread only, under the table lock like the rest of table.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "esp_internal.h"



static struct owner_total *find_owner(struct esp_table *t, const char *owner, bool create)
{
	for (size_t i = 0; i < t->n_owners; i++)
		if (strcmp(t->owners[i].owner, owner) == 0)
			return &t->owners[i];
	if (!create)
		return NULL;
	if (t->n_owners == t->cap_owners) {
		size_t cap = t->cap_owners ? 2 * t->cap_owners : 16;
		struct owner_total *n = realloc(t->owners, cap * sizeof(*n));
		if (!n)
			return NULL;
		t->owners = n;
		t->cap_owners = cap;
	}
	struct owner_total *o = &t->owners[t->n_owners++];
	memset(o, 0, sizeof(*o));
	snprintf(o->owner, sizeof(o->owner), "%s", owner);
	return o;
}

static uint64_t earliest(uint64_t a, uint64_t b)
{
	return !a ? b : !b ? a : a < b ? a : b;
}

/* sum += s (sign +1) or sum -= s (sign -1): counters only, times kept. */
static void add(struct esp_child_stats *sum, const struct esp_child_stats *s, int sign)
{
	uint64_t k = sign < 0 ? UINT64_MAX : 1;   /* two's complement: * -1 */
	sum->packets_in += k * s->packets_in;
	sum->bytes_in += k * s->bytes_in;
	sum->packets_out += k * s->packets_out;
	sum->bytes_out += k * s->bytes_out;
	sum->replay_drops += k * s->replay_drops;
	sum->auth_drops += k * s->auth_drops;
	sum->selector_drops += k * s->selector_drops;
	sum->dummy_in += k * s->dummy_in;
	if (sign > 0) {
		sum->first_activity_ms = earliest(sum->first_activity_ms, s->first_activity_ms);
		if (s->last_in_ms > sum->last_in_ms)
			sum->last_in_ms = s->last_in_ms;
		if (s->last_out_ms > sum->last_out_ms)
			sum->last_out_ms = s->last_out_ms;
	}
}

void totals_retire_locked(struct esp_table *t, struct esp_sa *sa)
{
	struct owner_total *o = find_owner(t, sa->p.owner, true);

	sa_fill_stats(sa, &sa->counted);
	if (!o)
		return;
	add(&o->sum, &sa->counted, +1);
	o->retired++;
}

/* esp_table_remove could not publish: the SA stays, so does not count. */
void totals_unretire_locked(struct esp_table *t, struct esp_sa *sa)
{
	struct owner_total *o = find_owner(t, sa->p.owner, false);

	if (!o)
		return;
	add(&o->sum, &sa->counted, -1);
	o->retired--;
	memset(&sa->counted, 0, sizeof(sa->counted));
}

/* No worker sees the SA any more: what arrived after its removal too. */
void totals_reclaim_locked(struct esp_table *t, struct esp_sa *sa)
{
	struct owner_total *o = find_owner(t, sa->p.owner, false);
	struct esp_child_stats last;

	if (!o)
		return;
	sa_fill_stats(sa, &last);
	add(&last, &sa->counted, -1);
	add(&o->sum, &last, +1);
}

void esp_table_owner_totals(struct esp_table *t, const char *owner, struct esp_owner_totals *out)
{
	struct esp_child_stats s;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&t->lock);
	const struct owner_total *o = find_owner(t, owner, false);
	if (o) {
		out->s = o->sum;
		out->sas_retired = o->retired;
	}
	for (size_t i = 0; i < t->n_sas; i++) {
		if (strcmp(t->sas[i]->p.owner, owner) != 0)
			continue;
		sa_fill_stats(t->sas[i], &s);
		add(&out->s, &s, +1);
		out->sas_live++;
	}
	pthread_mutex_unlock(&t->lock);
}

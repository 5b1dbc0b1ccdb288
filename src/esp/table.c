/* The SA table on the control side: install, remove, stats. Every change
 * builds a new lookup snapshot, publishes it with one atomic store and
 * retires the old one (and any removed SA) until every worker has passed a
 * quiescent point (QSBR), so workers never take a lock to look up. Keys live
 * only in sodium_malloc memory and are wiped when the SA is freed. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "esp_internal.h"

struct esp_table *esp_table_new(void)
{
	struct esp_table *t;

	if (sodium_init() < 0)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	struct esp_snapshot *s = snapshot_build(NULL, 0);
	if (!s || pthread_mutex_init(&t->lock, NULL)) {
		snapshot_free(s);
		free(t);
		return NULL;
	}
	atomic_init(&t->snap, s);
	atomic_init(&t->epoch, 1);
	t->next_order = 1;
	return t;
}

void sa_free(struct esp_sa *sa)
{
	if (!sa)
		return;
	if (sa->aead)
		sodium_free(sa->aead);   /* sodium_free wipes before unmapping */
	free(atomic_load(&sa->peer_out));
	pthread_spin_destroy(&sa->replay_lock);
	sodium_memzero(sa, sizeof(*sa));
	free(sa);
}

void esp_table_free(struct esp_table *t)
{
	if (!t)
		return;
	/* Workers must be gone (esp_worker_free) before the table. */
	for (struct retired *r = t->retired, *next; r; r = next) {
		next = r->next;
		snapshot_free(r->snap);
		sa_free(r->sa);
		free(r->peer);
		free(r);
	}
	for (size_t i = 0; i < t->n_sas; i++)
		sa_free(t->sas[i]);
	free(t->sas);
	free(t->holds);
	free(t->owners);
	snapshot_free(atomic_load(&t->snap));
	pthread_mutex_destroy(&t->lock);
	free(t);
}

void table_reclaim_locked(struct esp_table *t)
{
	uint64_t min = ESP_EPOCH_OFFLINE;

	for (struct esp_worker *w = t->workers; w; w = w->next) {
		uint64_t seen = atomic_load(&w->seen);
		if (seen < min)
			min = seen;
	}
	for (struct retired **pp = &t->retired, *r; (r = *pp);) {
		if (r->epoch > min) {
			pp = &r->next;
			continue;
		}
		*pp = r->next;
		snapshot_free(r->snap);
		if (r->sa)
			totals_reclaim_locked(t, r->sa);
		sa_free(r->sa);
		free(r->peer);
		free(r);
	}
}

/* Queues r (already filled) until every worker has passed the new epoch. */
static void retire(struct esp_table *t, struct retired *r)
{
	r->epoch = atomic_fetch_add(&t->epoch, 1) + 1;
	r->next = t->retired;
	t->retired = r;
	table_reclaim_locked(t);
}

/* Publishes the snapshot for t->sas and retires the old one with `gone`. */
int table_publish_locked(struct esp_table *t, struct esp_sa *gone)
{
	struct retired *r = calloc(1, sizeof(*r));
	struct esp_snapshot *s = snapshot_build(t->sas, t->n_sas);

	if (!r || !s || !snapshot_add_holds(s, t)) {
		free(r);
		snapshot_free(s);
		return -ENOMEM;
	}
	r->snap = atomic_exchange(&t->snap, s);
	r->sa = gone;
	retire(t, r);
	return 0;
}

static bool ts_valid(const struct lg_prefix *ts, size_t n)
{
	if (n > ESP_MAX_TS)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((ts[i].family != AF_INET && ts[i].family != AF_INET6) ||
		    ts[i].len > 8 * lg_family_addr_len(ts[i].family))
			return false;
	return true;
}

static int check_params(struct esp_table *t, const struct esp_child_params *p)
{
	/* A child without selectors on either side could never pass a packet. */
	if (!p->child_id || p->spi_in < ESP_SPI_MIN || p->spi_out < ESP_SPI_MIN ||
	    !p->n_local_ts || !p->n_remote_ts ||
	    !ts_valid(p->local_ts, p->n_local_ts) || !ts_valid(p->remote_ts, p->n_remote_ts))
		return -EINVAL;
	if (p->cipher != ESP_CIPHER_CHACHA20_POLY1305 && p->cipher != ESP_CIPHER_AES256_GCM16)
		return -EINVAL;
	if (!esp_cipher_available(p->cipher))
		return -ENOTSUP;
	for (size_t i = 0; i < t->n_sas; i++)
		if (t->sas[i]->p.child_id == p->child_id || t->sas[i]->p.spi_in == p->spi_in)
			return -EEXIST;
	return 0;
}

static void set_limits(struct esp_sa *sa)
{
	sa->seq_hard = sa->p.esn ? ESP_SEQ_HARD_64 : ESP_SEQ_HARD_32;
	sa->seq_soft = sa->p.esn ? ESP_SEQ_SOFT_64 : ESP_SEQ_SOFT_32;
	sa->soft_bytes = sa->p.hard_bytes - sa->p.hard_bytes / 8;
	sa->soft_packets = sa->p.hard_packets - sa->p.hard_packets / 8;
}

static int sa_new(const struct esp_child_params *p, struct esp_sa **out)
{
	struct esp_sa *sa = aligned_alloc(64, (sizeof(*sa) + 63) & ~(size_t)63);
	int rc = -ENOMEM;

	if (!sa)
		return -ENOMEM;
	memset(sa, 0, sizeof(*sa));
	pthread_spin_init(&sa->replay_lock, PTHREAD_PROCESS_PRIVATE);
	sa->p = *p;
	sodium_memzero(sa->p.key_in, sizeof(sa->p.key_in));
	sodium_memzero(sa->p.key_out, sizeof(sa->p.key_out));
	sodium_memzero(sa->p.salt_in, sizeof(sa->p.salt_in));
	sodium_memzero(sa->p.salt_out, sizeof(sa->p.salt_out));
	/* Two 16-byte multiples: sodium_malloc then returns 16-aligned memory. */
	sa->aead = sodium_malloc(2 * sizeof(struct esp_aead));
	union lg_sockaddr *peer = malloc(sizeof(*peer));
	atomic_init(&sa->peer_out, peer);
	if (!peer || !sa->aead || ((uintptr_t)sa->aead & 15))
		goto fail;
	*peer = p->peer;
	rc = esp_aead_init(&sa->aead[0], p->cipher, p->key_in, p->salt_in);
	if (!rc)
		rc = esp_aead_init(&sa->aead[1], p->cipher, p->key_out, p->salt_out);
	if (rc)
		goto fail;
	for (size_t i = 0; i < p->n_local_ts; i++)
		ts_match_from_prefix(&sa->local[sa->n_local++], &p->local_ts[i]);
	for (size_t i = 0; i < p->n_remote_ts; i++)
		ts_match_from_prefix(&sa->remote[sa->n_remote++], &p->remote_ts[i]);
	set_limits(sa);
	/* Like strongSwan's iv_gen_seq and Linux seqiv: IV = seq ^ random mask,
	 * unique per (key, packet) because seq never repeats on an SA. */
	randombytes_buf(&sa->iv_mask, sizeof(sa->iv_mask));
	*out = sa;
	return 0;
fail:
	sa_free(sa);
	return rc;
}

static int install(struct esp_table *t, const struct esp_child_params *p, bool inbound_only)
{
	struct esp_sa *sa = NULL;
	int rc;

	pthread_mutex_lock(&t->lock);
	rc = check_params(t, p);
	if (rc)
		goto unlock;
	if (t->n_sas == t->cap_sas) {
		size_t cap = t->cap_sas ? 2 * t->cap_sas : 8;
		struct esp_sa **n = realloc(t->sas, cap * sizeof(*n));
		rc = -ENOMEM;
		if (!n)
			goto unlock;
		t->sas = n;
		t->cap_sas = cap;
	}
	rc = sa_new(p, &sa);
	if (rc)
		goto unlock;
	sa->order = t->next_order++;
	sa->inbound_only = inbound_only;
	t->sas[t->n_sas++] = sa;
	rc = table_publish_locked(t, NULL);
	if (rc) {
		t->n_sas--;
		sa_free(sa);
	}
unlock:
	pthread_mutex_unlock(&t->lock);
	return rc;
}

int esp_table_install(struct esp_table *t, const struct esp_child_params *p)
{
	return install(t, p, false);
}

int esp_table_install_inbound(struct esp_table *t, const struct esp_child_params *p)
{
	return install(t, p, true);
}

static ssize_t find_locked(struct esp_table *t, uint32_t child_id)
{
	for (size_t i = 0; i < t->n_sas; i++)
		if (t->sas[i]->p.child_id == child_id)
			return (ssize_t)i;
	return -1;
}

int esp_table_remove(struct esp_table *t, uint32_t child_id)
{
	int rc = -ENOENT;

	pthread_mutex_lock(&t->lock);
	ssize_t i = find_locked(t, child_id);
	if (i >= 0) {
		struct esp_sa *sa = t->sas[i];
		t->sas[i] = t->sas[--t->n_sas];
		totals_retire_locked(t, sa);   /* before publish: reclaim may free it */
		rc = table_publish_locked(t, sa);
		if (rc) {
			totals_unretire_locked(t, sa);
			t->sas[t->n_sas++] = sa;   /* unchanged on -ENOMEM */
		}
	}
	pthread_mutex_unlock(&t->lock);
	return rc;
}

int esp_table_activate_outbound(struct esp_table *t, uint32_t child_id)
{
	int rc = -ENOENT;

	pthread_mutex_lock(&t->lock);
	ssize_t i = find_locked(t, child_id);
	if (i >= 0 && !t->sas[i]->inbound_only)
		rc = 0;   /* already outbound: nothing to publish */
	else if (i >= 0) {
		struct esp_sa *sa = t->sas[i];
		uint64_t order = sa->order;
		/* newest outbound choice from now on, ahead of the old SA */
		sa->inbound_only = false;
		sa->order = t->next_order++;
		rc = table_publish_locked(t, NULL);
		if (rc) {
			sa->inbound_only = true;   /* unchanged on -ENOMEM */
			sa->order = order;
		}
	}
	pthread_mutex_unlock(&t->lock);
	return rc;
}

int esp_table_update_peer(struct esp_table *t, uint32_t child_id,
			  const union lg_sockaddr *peer)
{
	struct retired *r = calloc(1, sizeof(*r));
	union lg_sockaddr *n = malloc(sizeof(*n));
	int rc = -ENOMEM;

	pthread_mutex_lock(&t->lock);
	ssize_t i = find_locked(t, child_id);
	if (i < 0)
		rc = -ENOENT;
	else if (r && n) {
		struct esp_sa *sa = t->sas[i];
		*n = *peer;
		sa->p.peer = *peer;   /* control-side copy (foreach) */
		/* workers copy the address through the pointer; the old copy is
		 * freed only after every worker has passed a quiescent point */
		r->peer = atomic_exchange(&sa->peer_out, n);
		retire(t, r);
		r = NULL;
		n = NULL;
		rc = 0;
	}
	pthread_mutex_unlock(&t->lock);
	free(r);
	free(n);
	return rc;
}

static uint64_t ld(_Atomic uint64_t *v)
{
	return atomic_load_explicit(v, memory_order_relaxed);
}

void sa_fill_stats(struct esp_sa *sa, struct esp_child_stats *o)
{
	memset(o, 0, sizeof(*o));
	o->packets_in = ld(&sa->packets_in);
	o->bytes_in = ld(&sa->bytes_in);
	o->packets_out = ld(&sa->packets_out);
	o->bytes_out = ld(&sa->bytes_out);
	o->first_activity_ms = ld(&sa->first_activity_ms);
	o->last_in_ms = ld(&sa->last_in_ms);
	o->last_out_ms = ld(&sa->last_out_ms);
	o->seq_out = ld(&sa->seq_out);
	if (o->seq_out > sa->seq_hard)
		o->seq_out = sa->seq_hard;   /* attempts past the limit were dropped */
	o->replay_drops = ld(&sa->replay_drops);
	o->auth_drops = ld(&sa->auth_drops);
	o->selector_drops = ld(&sa->selector_drops);
	o->dummy_in = ld(&sa->dummy_in);
	o->rekey_wanted = atomic_load(&sa->rekey_wanted);
}

int esp_table_stats(struct esp_table *t, uint32_t child_id, struct esp_child_stats *out)
{
	int rc = -ENOENT;

	pthread_mutex_lock(&t->lock);
	ssize_t i = find_locked(t, child_id);
	if (i >= 0) {
		sa_fill_stats(t->sas[i], out);
		rc = 0;
	}
	table_reclaim_locked(t);
	pthread_mutex_unlock(&t->lock);
	return rc;
}

void esp_table_foreach(struct esp_table *t,
		       void (*fn)(void *ctx, const struct esp_child_params *p,
				  const struct esp_child_stats *s), void *ctx)
{
	struct esp_child_stats s;

	/* The callback must not call back into the table (the lock is held);
	 * the params it sees carry no keys. */
	pthread_mutex_lock(&t->lock);
	for (size_t i = 0; i < t->n_sas; i++) {
		sa_fill_stats(t->sas[i], &s);
		fn(ctx, &t->sas[i]->p, &s);
	}
	pthread_mutex_unlock(&t->lock);
}

void esp_table_drops(struct esp_table *t, uint64_t out[ESP_VERDICT_COUNT])
{
	pthread_mutex_lock(&t->lock);
	for (int v = 0; v < ESP_VERDICT_COUNT; v++) {
		out[v] = t->gone_drops[v];
		for (struct esp_worker *w = t->workers; w; w = w->next)
			out[v] += atomic_load_explicit(&w->drops[v], memory_order_relaxed);
	}
	table_reclaim_locked(t);
	pthread_mutex_unlock(&t->lock);
}

/* Test hooks: reproduce a capture (IV mask) or reach limits quickly. */
static int with_sa(struct esp_table *t, uint32_t child_id, int what, uint64_t v)
{
	int rc = -ENOENT;

	pthread_mutex_lock(&t->lock);
	ssize_t i = find_locked(t, child_id);
	if (i >= 0) {
		struct esp_sa *sa = t->sas[i];
		if (what == 0)
			sa->iv_mask = v;
		else if (what == 1)
			atomic_store(&sa->seq_out, v);
		else {
			pthread_spin_lock(&sa->replay_lock);
			memset(&sa->replay, 0, sizeof(sa->replay));
			sa->replay.top = v;
			pthread_spin_unlock(&sa->replay_lock);
		}
		rc = 0;
	}
	pthread_mutex_unlock(&t->lock);
	return rc;
}

int esp_table_test_set_iv_mask(struct esp_table *t, uint32_t child_id, uint64_t mask)
{
	return with_sa(t, child_id, 0, mask);
}

int esp_table_test_set_seq_out(struct esp_table *t, uint32_t child_id, uint64_t seq)
{
	return with_sa(t, child_id, 1, seq);
}

int esp_table_test_set_replay_top(struct esp_table *t, uint32_t child_id, uint64_t top)
{
	return with_sa(t, child_id, 2, top);
}

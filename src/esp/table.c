/* The SA table on the control side: install, remove, stats. Every change
 * builds a new lookup snapshot (the shards it touched, snapshot.c),
 * publishes it with one atomic store and retires the old one (and any
 * removed SA) until every worker has passed a quiescent point (QSBR), so
 * workers never take a lock to look up. The control side finds SAs by
 * child id and SPI through hash indexes. Keys live only in secret pools
 * (util/secpool.c: sodium_malloc'd slabs) and are wiped when the SA is
 * freed. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "esp_internal.h"
#include "linegate/secpool.h"

struct esp_table *esp_table_new(void)
{
	struct esp_table *t;

	if (sodium_init() < 0)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	struct esp_snapshot *s = calloc(1, sizeof(*s));
	if (!s || lg_hash_init(&t->by_child, 0) || lg_hash_init(&t->by_spi, 0) ||
	    pthread_mutex_init(&t->lock, NULL)) {
		free(s);
		lg_hash_free(&t->by_child);
		lg_hash_free(&t->by_spi);
		free(t);
		return NULL;
	}
	atomic_init(&t->snap, s);
	atomic_init(&t->epoch, 1);
	t->next_order = 1;
	return t;
}

/* Both directions' key states of an SA: one slot of a secret pool. */
static struct lg_secpool aead_pool = LG_SECPOOL_INIT(2 * sizeof(struct esp_aead));
static struct lg_secpool cbc_pool = LG_SECPOOL_INIT(2 * sizeof(struct esp_cbc));

void sa_free(struct esp_sa *sa)
{
	if (!sa)
		return;
	if (sa->aead)
		lg_secpool_free(&aead_pool, sa->aead);   /* wipes */
	if (sa->cbc)
		lg_secpool_free(&cbc_pool, sa->cbc);
	free(atomic_load(&sa->peer_out));
	pthread_spin_destroy(&sa->replay_lock);
	sodium_memzero(sa, sa_size((size_t)sa->n_local + sa->n_remote));
	free(sa);
}

static void retired_free(struct retired *r)
{
	snapshot_free(r->snap);
	for (size_t i = 0; i < r->n_shards; i++)
		snap_shard_free(r->shards[i]);
	free(r->shards);
	hold_set_free(r->holds);
	sa_free(r->sa);
	free(r->peer);
	free(r->mem);
	free(r);
}

void esp_table_free(struct esp_table *t)
{
	if (!t)
		return;
	/* Workers must be gone (esp_worker_free) before the table. */
	for (struct retired *r = t->retired, *next; r; r = next) {
		next = r->next;
		retired_free(r);
	}
	for (size_t i = 0; i < t->n_sas; i++)
		sa_free(t->sas[i]);
	free(t->sas);
	free(t->holds);
	free((void *)t->hold_drops);
	hold_set_free(t->hold_set);
	free(t->owners);
	for (size_t i = 0; i < SNAP_SHARDS; i++) {
		free(t->spi_set[i].m);
		free(t->lpm_set[i].m);
	}
	lg_hash_free(&t->by_child);
	lg_hash_free(&t->by_spi);
	snapshot_free_all(atomic_load(&t->snap));
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
		if (r->sa)
			totals_reclaim_locked(t, r->sa);
		retired_free(r);
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

int table_publish_locked(struct esp_table *t, struct esp_sa *gone)
{
	return table_publish_retire_locked(t, gone, NULL, NULL);
}

static size_t count_dirty(const struct esp_table *t)
{
	size_t n = 0;

	for (size_t i = 0; i < SNAP_SHARDS; i++)
		n += t->spi_set[i].dirty + t->lpm_set[i].dirty;
	return n;
}

/* Rebuilds each dirty shard of `set` into next->shard[], the old one into
 * old[]; false when out of memory (what was built is freed). */
static bool rebuild(struct snap_set *set, struct snap_shard **cur, struct snap_shard **next,
		    struct snap_shard **old, size_t *n_old, bool lpm)
{
	for (size_t i = 0; i < SNAP_SHARDS; i++) {
		if (!set[i].dirty)
			continue;
		struct snap_shard *s = snap_shard_build(set[i].m, set[i].n, lpm);
		if (s == SNAP_SHARD_NOMEM)
			return false;
		next[i] = s;
		old[(*n_old)++] = cur[i];
	}
	return true;
}

int table_publish_retire_locked(struct esp_table *t, struct esp_sa *gone, void *mem,
				struct hold_set *holds)
{
	struct esp_snapshot *cur = atomic_load(&t->snap);
	struct retired *r = calloc(1, sizeof(*r));
	struct esp_snapshot *s = malloc(sizeof(*s));
	size_t dirty = count_dirty(t), n_old = 0;
	struct snap_shard **old = calloc(dirty ? dirty : 1, sizeof(*old));

	if (!r || !s || !old)
		goto nomem;
	*s = *cur;   /* the shards nobody touched are shared */
	memcpy(s->lens, t->lens, sizeof(s->lens));
	s->holds = t->hold_set;
	if (!rebuild(t->spi_set, cur->spi, s->spi, old, &n_old, false) ||
	    !rebuild(t->lpm_set, cur->lpm, s->lpm, old, &n_old, true))
		goto nomem;
	for (size_t i = 0; i < SNAP_SHARDS; i++)
		t->spi_set[i].dirty = t->lpm_set[i].dirty = false;
	r->snap = atomic_exchange(&t->snap, s);
	r->shards = old;
	r->n_shards = n_old;
	r->holds = holds;
	r->sa = gone;
	r->mem = mem;
	retire(t, r);
	return 0;
nomem:
	/* free what was built: the shards of s that differ from cur's */
	for (size_t i = 0; s && i < SNAP_SHARDS; i++) {
		if (s->spi[i] != cur->spi[i])
			snap_shard_free(s->spi[i]);
		if (s->lpm[i] != cur->lpm[i])
			snap_shard_free(s->lpm[i]);
	}
	free(old);
	free(s);
	free(r);
	return -ENOMEM;
}

/* ---- members of the shards (control side) ---- */

static int set_add(struct snap_set *set, struct esp_sa *sa, uint32_t j, bool lpm)
{
	if (lg_grow((void **)&set->m, &set->cap, set->n + 1, sizeof(*set->m)))
		return -ENOMEM;
	set->m[set->n++] = snap_member_of(sa, j, lpm);
	set->dirty = true;
	return 0;
}

/* Removes the member (sa, j); false if it was not there. A shard holds
 * a few dozen members at 20,000 SAs: the scan is short. */
static bool set_del(struct snap_set *set, const struct esp_sa *sa, uint32_t j)
{
	for (size_t i = 0; i < set->n; i++) {
		if (set->m[i].e.sa == sa && set->m[i].j == j) {
			set->m[i] = set->m[--set->n];
			set->dirty = true;
			return true;
		}
	}
	return false;
}

static void lpm_del(struct esp_table *t, struct esp_sa *sa)
{
	for (uint32_t j = 0; j < sa->n_remote; j++)
		if (set_del(&t->lpm_set[snap_key_shard(&sa->remote[j])], sa, j))
			t->lens[sa->remote[j].family == AF_INET6][sa->remote[j].len]--;
}

static int lpm_add(struct esp_table *t, struct esp_sa *sa)
{
	for (uint32_t j = 0; j < sa->n_remote; j++) {
		const struct ts_match *m = &sa->remote[j];
		struct snap_set *set = &t->lpm_set[snap_key_shard(m)];
		if (set_add(set, sa, j, true)) {
			lpm_del(t, sa);
			return -ENOMEM;
		}
		t->lens[m->family == AF_INET6][m->len]++;
	}
	return 0;
}

/* The SA's entries in the indexes and the shards (LPM: outbound only). */
static int members_add(struct esp_table *t, struct esp_sa *sa)
{
	uint64_t hs = snap_spi_hash(sa->p.spi_in), hc = lg_hash_bytes(&sa->p.child_id, 4);

	if (lg_hash_add(&t->by_spi, hs, sa))
		return -ENOMEM;
	if (lg_hash_add(&t->by_child, hc, sa))
		goto fail_spi;
	if (set_add(&t->spi_set[snap_spi_shard(sa->p.spi_in)], sa, 0, false))
		goto fail_child;
	if (!sa->inbound_only && lpm_add(t, sa)) {
		set_del(&t->spi_set[snap_spi_shard(sa->p.spi_in)], sa, 0);
		goto fail_child;
	}
	return 0;
fail_child:
	lg_hash_del(&t->by_child, hc, sa);
fail_spi:
	lg_hash_del(&t->by_spi, hs, sa);
	return -ENOMEM;
}

static void members_del(struct esp_table *t, struct esp_sa *sa)
{
	lg_hash_del(&t->by_spi, snap_spi_hash(sa->p.spi_in), sa);
	lg_hash_del(&t->by_child, lg_hash_bytes(&sa->p.child_id, 4), sa);
	set_del(&t->spi_set[snap_spi_shard(sa->p.spi_in)], sa, 0);
	if (!sa->inbound_only)
		lpm_del(t, sa);
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

static struct esp_sa *find_sa(struct esp_table *t, uint32_t child_id)
{
	struct esp_sa *sa;
	size_t pos = 0;

	while ((sa = lg_hash_next(&t->by_child, lg_hash_bytes(&child_id, 4), &pos)))
		if (sa->p.child_id == child_id)
			return sa;
	return NULL;
}

static struct esp_sa *find_spi(struct esp_table *t, uint32_t spi)
{
	struct esp_sa *sa;
	size_t pos = 0;

	while ((sa = lg_hash_next(&t->by_spi, snap_spi_hash(spi), &pos)))
		if (sa->p.spi_in == spi)
			return sa;
	return NULL;
}

static int check_params(struct esp_table *t, const struct esp_child_params *p)
{
	/* A child without selectors on either side could never pass a packet. */
	if (!p->child_id || p->spi_in < ESP_SPI_MIN || p->spi_out < ESP_SPI_MIN ||
	    !p->n_local_ts || !p->n_remote_ts ||
	    !ts_valid(p->local_ts, p->n_local_ts) || !ts_valid(p->remote_ts, p->n_remote_ts))
		return -EINVAL;
	size_t integ_len;
	if (p->cipher == ESP_CIPHER_AES_CBC ?
	    !esp_cbc_key_len(p->cipher_keybits, p->integ, &integ_len) :
	    (p->cipher != ESP_CIPHER_CHACHA20_POLY1305 && p->cipher != ESP_CIPHER_AES256_GCM16) ||
	    p->integ)
		return -EINVAL;
	if (!esp_cipher_available(p->cipher))
		return -ENOTSUP;
	if (find_sa(t, p->child_id) || find_spi(t, p->spi_in))
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

static int sa_keys_aead(struct esp_sa *sa, const struct esp_child_params *p)
{
	sa->aead = lg_secpool_alloc(&aead_pool);   /* 64-byte aligned */
	if (!sa->aead || ((uintptr_t)sa->aead & 15))
		return -ENOMEM;
	sa->icv_len = ESP_ICV_LEN;
	int rc = esp_aead_init(&sa->aead[0], p->cipher, p->key_in, p->salt_in);
	return rc ? rc : esp_aead_init(&sa->aead[1], p->cipher, p->key_out, p->salt_out);
}

static int sa_keys_cbc(struct esp_sa *sa, const struct esp_child_params *p)
{
	sa->cbc = lg_secpool_alloc(&cbc_pool);
	if (!sa->cbc)
		return -ENOMEM;
	int rc = esp_cbc_init(&sa->cbc[0], p->cipher_keybits, p->integ, p->key_in, p->integ_in,
			      false);
	if (!rc)
		rc = esp_cbc_init(&sa->cbc[1], p->cipher_keybits, p->integ, p->key_out,
				  p->integ_out, true);
	sa->icv_len = sa->cbc[0].icv_len;
	return rc;
}

static void sa_set_params(struct esp_sa *sa, const struct esp_child_params *p)
{
	sa->p = (struct esp_sa_params){
		.child_id = p->child_id, .spi_in = p->spi_in, .spi_out = p->spi_out,
		.cipher = p->cipher, .cipher_keybits = p->cipher_keybits, .integ = p->integ,
		.esn = p->esn, .uplink = p->uplink,
		.hard_bytes = p->hard_bytes, .hard_packets = p->hard_packets,
	};
	memcpy(sa->p.owner, p->owner, sizeof(sa->p.owner));
	sa->p.owner[sizeof(sa->p.owner) - 1] = '\0';
	for (size_t i = 0; i < p->n_local_ts; i++)
		ts_match_from_prefix(&sa->ts[sa->n_local++], &p->local_ts[i]);
	for (size_t i = 0; i < p->n_remote_ts; i++)
		ts_match_from_prefix(&sa->ts[sa->n_local + sa->n_remote++], &p->remote_ts[i]);
	sa->local = sa->ts;
	sa->remote = sa->ts + sa->n_local;
}

/* check_params bounded the selectors (ESP_MAX_TS each). */
static int sa_new(const struct esp_child_params *p, struct esp_sa **out)
{
	size_t size = sa_size(p->n_local_ts + p->n_remote_ts);
	struct esp_sa *sa = aligned_alloc(64, size);
	int rc = -ENOMEM;

	if (!sa)
		return -ENOMEM;
	memset(sa, 0, size);
	pthread_spin_init(&sa->replay_lock, PTHREAD_PROCESS_PRIVATE);
	sa_set_params(sa, p);
	union lg_sockaddr *peer = malloc(sizeof(*peer));
	atomic_init(&sa->peer_out, peer);
	if (!peer)
		goto fail;
	*peer = p->peer;
	rc = p->cipher == ESP_CIPHER_AES_CBC ? sa_keys_cbc(sa, p) : sa_keys_aead(sa, p);
	if (rc)
		goto fail;
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

static void sas_append(struct esp_table *t, struct esp_sa *sa)
{
	sa->idx = t->n_sas;
	t->sas[t->n_sas++] = sa;
}

static void sas_remove(struct esp_table *t, struct esp_sa *sa)
{
	struct esp_sa *last = t->sas[--t->n_sas];

	t->sas[sa->idx] = last;
	last->idx = sa->idx;
}

static int install(struct esp_table *t, const struct esp_child_params *p, bool inbound_only)
{
	struct esp_sa *sa = NULL;
	int rc;

	pthread_mutex_lock(&t->lock);
	rc = check_params(t, p);
	if (rc)
		goto unlock;
	rc = -ENOMEM;
	if (lg_grow((void **)&t->sas, &t->cap_sas, t->n_sas + 1, sizeof(*t->sas)))
		goto unlock;
	rc = sa_new(p, &sa);
	if (rc)
		goto unlock;
	sa->order = t->next_order++;
	sa->inbound_only = inbound_only;
	rc = members_add(t, sa);
	if (rc) {
		sa_free(sa);
		goto unlock;
	}
	sas_append(t, sa);
	rc = table_publish_locked(t, NULL);
	if (rc) {
		members_del(t, sa);
		sas_remove(t, sa);
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

int esp_table_remove(struct esp_table *t, uint32_t child_id)
{
	int rc = -ENOENT;

	pthread_mutex_lock(&t->lock);
	struct esp_sa *sa = find_sa(t, child_id);
	if (sa) {
		members_del(t, sa);
		sas_remove(t, sa);
		totals_retire_locked(t, sa);   /* before publish: reclaim may free it */
		rc = table_publish_locked(t, sa);
		if (rc) {   /* unchanged on -ENOMEM, as far as it can be */
			totals_unretire_locked(t, sa);
			sas_append(t, sa);
			(void)members_add(t, sa);   /* room it had a moment ago */
		}
	}
	pthread_mutex_unlock(&t->lock);
	return rc;
}

int esp_table_activate_outbound(struct esp_table *t, uint32_t child_id)
{
	int rc = -ENOENT;

	pthread_mutex_lock(&t->lock);
	struct esp_sa *sa = find_sa(t, child_id);
	if (sa && !sa->inbound_only)
		rc = 0;   /* already outbound: nothing to publish */
	else if (sa) {
		uint64_t order = sa->order;
		/* newest outbound choice from now on, ahead of the old SA */
		sa->inbound_only = false;
		sa->order = t->next_order++;
		rc = lpm_add(t, sa);
		if (!rc)
			rc = table_publish_locked(t, NULL);
		if (rc) {
			lpm_del(t, sa);
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
	struct esp_sa *sa = find_sa(t, child_id);
	if (!sa)
		rc = -ENOENT;
	else if (r && n) {
		*n = *peer;
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
	struct esp_sa *sa = find_sa(t, child_id);
	if (sa) {
		sa_fill_stats(sa, out);
		rc = 0;
	}
	table_reclaim_locked(t);
	pthread_mutex_unlock(&t->lock);
	return rc;
}

/* The parameters as installed, without keys: the selectors from their
 * compiled form, the peer from the workers' copy (only update_peer, under
 * the lock we hold, replaces it). */
static void sa_get_params(const struct esp_sa *sa, struct esp_child_params *p)
{
	memset(p, 0, sizeof(*p));
	p->child_id = sa->p.child_id;
	p->spi_in = sa->p.spi_in;
	p->spi_out = sa->p.spi_out;
	p->cipher = sa->p.cipher;
	p->cipher_keybits = sa->p.cipher_keybits;
	p->integ = sa->p.integ;
	p->esn = sa->p.esn;
	p->uplink = sa->p.uplink;
	p->hard_bytes = sa->p.hard_bytes;
	p->hard_packets = sa->p.hard_packets;
	memcpy(p->owner, sa->p.owner, sizeof(p->owner));
	p->peer = *atomic_load(&sa->peer_out);
	for (p->n_local_ts = 0; p->n_local_ts < sa->n_local; p->n_local_ts++)
		ts_match_to_prefix(&sa->local[p->n_local_ts], &p->local_ts[p->n_local_ts]);
	for (p->n_remote_ts = 0; p->n_remote_ts < sa->n_remote; p->n_remote_ts++)
		ts_match_to_prefix(&sa->remote[p->n_remote_ts], &p->remote_ts[p->n_remote_ts]);
}

void esp_table_foreach(struct esp_table *t,
		       void (*fn)(void *ctx, const struct esp_child_params *p,
				  const struct esp_child_stats *s), void *ctx)
{
	struct esp_child_stats s;
	struct esp_child_params p;

	/* The callback must not call back into the table (the lock is held);
	 * the params it sees carry no keys. */
	pthread_mutex_lock(&t->lock);
	for (size_t i = 0; i < t->n_sas; i++) {
		sa_fill_stats(t->sas[i], &s);
		sa_get_params(t->sas[i], &p);
		fn(ctx, &p, &s);
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
	struct esp_sa *sa = find_sa(t, child_id);
	if (sa) {
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

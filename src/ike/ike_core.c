/* The IKE module's public face (ike.h): creation, configuration swaps, the
 * admin commands and the SA listing. Timers live in ike_timers.c, inbound
 * datagrams in ike_input.c. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "linegate/audit.h"
#include "linegate/conf.h"
#include "ike_internal.h"
#include "linegate/log.h"

static void free_indexes(struct ike *ike)
{
	lg_hash_free(&ike->by_spi);
	lg_hash_free(&ike->by_peer);
	lg_hash_free(&ike->by_init);
	lg_hash_free(&ike->half_open_idx);
	lg_hash_free(&ike->esp_spis);
	ts_claims_free(&ike->claims);
	lg_hash_free(&ike->by_endpoint);
}

struct ike *ike_new(const struct config *cfg, const struct regiondb *db,
		    struct ike_credentials *creds, const struct ike_transport *tx,
		    const struct ike_child_ops *child, const struct ike_link_ops *link)
{
	struct ike *ike;

	if (sodium_init() < 0)
		return NULL;
	ike = calloc(1, sizeof(*ike));
	if (!ike)
		return NULL;
	ike->peers = calloc(cfg->n_peers ? cfg->n_peers : 1, sizeof(*ike->peers));
	if (!ike->peers || lg_hash_init(&ike->by_spi, cfg->n_peers) ||
	    lg_hash_init(&ike->by_peer, cfg->n_peers) || lg_hash_init(&ike->by_init, 0) ||
	    lg_hash_init(&ike->half_open_idx, IKE_HALF_OPEN_MAX) ||
	    lg_hash_init(&ike->esp_spis, cfg->n_peers) || ts_claims_init(&ike->claims, cfg->n_peers)) {
		free_indexes(ike);
		free(ike->peers);
		free(ike);
		return NULL;
	}
	ike->cfg = cfg;
	ike->db = db;
	ike->creds = creds;
	ike_index_endpoints(ike);   /* without memory: linear lookups */
	if (tx)
		ike->tx = *tx;
	if (child)
		ike->child = *child;
	if (link) {
		ike->link = *link;
		ike->have_link = true;
	}
	randombytes_buf(ike->cookie_secret, sizeof(ike->cookie_secret));
	/* initiator peers start on the first tick */
	for (size_t i = 0; i < cfg->n_peers; i++)
		if (cfg->peers[i].role != CONF_ROLE_RESPONDER)
			ike->peers[i].next_initiate_ms = 1;
	return ike;
}

/* Best effort, one shot: a DELETE for the IKE SA, no retransmission. */
static void send_delete_now(struct ike_sa *sa)
{
	struct ike_builder *b;

	if (!sa->established_ms || sa->state == IKE_SA_DEAD || !sa->keys)
		return;
	b = malloc(sizeof(*b));
	if (!b)
		return;
	ike_build_start(b, sa->spi_i, sa->spi_r, IKEV2_EXCHANGE_INFORMATIONAL,
			sa->initiator ? IKEV2_FLAG_INITIATOR : 0,
			sa->req.active ? sa->req.msg_id + 1 : sa->msg_id_out);
	ike_build_sk_begin(b);
	ike_build_delete_ike(b);
	struct ike_sk_key k = ike_sk_key_out(sa);
	if (ike_build_finish_sk(b, &k) == 0)
		ike_send_raw(sa, b->buf, b->len);
	free(b);
}

void ike_shutdown(struct ike *ike, uint64_t now_ms)
{
	ike->now_ms = now_ms;
	while (ike->sas) {
		send_delete_now(ike->sas);
		ike_sa_destroy(ike->sas, "shutdown");
	}
}

void ike_free(struct ike *ike)
{
	if (!ike)
		return;
	while (ike->sas)
		ike_sa_destroy(ike->sas, "shutdown");
	ike_credentials_free(ike->creds);
	sodium_memzero(ike->cookie_secret, sizeof(ike->cookie_secret));
	free_indexes(ike);
	lg_timer_heap_free(&ike->timers);
	free(ike->peers);
	free(ike);
}

int ike_reconfigure(struct ike *ike, const struct config *cfg, const struct regiondb *db,
		    struct ike_credentials *creds, uint64_t now_ms)
{
	struct ike_peer_state *old = ike->peers;
	struct ike_peer_state *fresh = calloc(cfg->n_peers ? cfg->n_peers : 1, sizeof(*fresh));
	const struct config *prev = ike->cfg;
	struct ike_sa *sa, *next;

	if (!fresh) {   /* nothing changed: the old configuration stays */
		ike_credentials_free(creds);
		return -ENOMEM;
	}
	ike->now_ms = now_ms;
	for (sa = ike->sas; sa; sa = next) {
		const struct conf_peer *np = config_find_peer(cfg, sa->peer_name);
		next = sa->next;
		if (!np || !conf_peer_equal(np, sa->peer)) {
			send_delete_now(sa);
			ike_sa_destroy(sa, np ? "peer_changed" : "peer_removed");
		} else {
			sa->peer = np;
		}
	}
	ike->peers = fresh;
	for (size_t i = 0; i < cfg->n_peers; i++) {
		const struct conf_peer *op = config_find_peer(prev, cfg->peers[i].name);
		int oi = op ? (int)(op - prev->peers) : -1;
		if (oi >= 0)
			ike->peers[i] = old[oi];
		if (cfg->peers[i].role != CONF_ROLE_RESPONDER && !ike->peers[i].admin_down &&
		    !ike_sa_by_peer(ike, cfg->peers[i].name))
			ike->peers[i].next_initiate_ms = now_ms ? now_ms : 1;
	}
	free(old);
	ike->initiate_min_ms = 0;   /* the peers moved: look at them all once */
	ike->cfg = cfg;
	ike_index_endpoints(ike);
	ike->db = db;
	ike_credentials_free(ike->creds);
	ike->creds = creds;
	return 0;
}

void ike_uplink_changed(struct ike *ike, int uplink, bool up, uint64_t now_ms)
{
	struct ike_sa *sa, *next;

	ike->now_ms = now_ms;
	for (sa = ike->sas; sa; sa = next) {
		next = sa->next;
		if (sa->peer->uplink != uplink)
			continue;
		/* fail closed: a cross-border peer's circuit went down */
		if (!up && !ike_runtime_allowed(ike, sa->peer, NULL))
			ike_sa_destroy(sa, "uplink_down");
	}
	if (!up)
		return;
	for (size_t i = 0; i < ike->cfg->n_peers; i++)
		if (ike->cfg->peers[i].uplink == uplink &&
		    !ike_sa_by_peer(ike, ike->cfg->peers[i].name))
			ike_schedule_initiate(ike, &ike->cfg->peers[i], 0);
}

/* Only a cross-border peer's egress is judged (policy_check_peer_runtime:
 * domestic routing is the operator's business), so only those are judged
 * again when a route changes: the declared region, or the database's answer
 * for the address at (stricter wins), is outside the site's region. Cheap:
 * no route lookup, no record. */
static bool cross_border_at(const struct ike *ike, const struct conf_peer *p, const union lg_sockaddr *at)
{
	const char *site = ike->cfg->site.region;
	int family = at->sa.sa_family;
	struct lg_prefix matched;
	char cc[3] = "";

	if (policy_is_cross_border(site, p->region))
		return true;
	if (family == AF_INET || family == AF_INET6)
		policy_addr_region(site, ike->db, family, lg_sockaddr_addr(at), cc, &matched, NULL);
	return cc[0] && policy_is_cross_border(site, cc);
}

/* A route changed (net watches the kernel's route tables; a burst is one
 * call): egress is judged again at once, not at the next exchange. An SA
 * whose route to a cross-border peer left its circuit (another interface
 * or source) is torn down and audited; a cross-border initiator peer
 * without an SA whose route is right again starts at once, back-off
 * forgotten (also after a refused `up`). Domestic peers and SAs are left
 * alone: no verdict of theirs depends on a route, and a flapping routing
 * daemon must not cost a lookup per SA or restart their back-off. */
void ike_routes_changed(struct ike *ike, uint64_t now_ms)
{
	struct ike_sa *sa, *next;

	ike->now_ms = now_ms;
	for (sa = ike->sas; sa; sa = next) {
		next = sa->next;
		if (sa->state == IKE_SA_DELETING || !cross_border_at(ike, sa->peer, &sa->remote))
			continue;
		/* the address in use (NAT-T may have moved it), not the configured one */
		bool moved = sa->remote.sa.sa_family != sa->peer->endpoint.sa.sa_family ||
			memcmp(lg_sockaddr_addr(&sa->remote), lg_sockaddr_addr(&sa->peer->endpoint),
			       lg_family_addr_len(sa->remote.sa.sa_family)) != 0;
		enum policy_reason r = moved ? ike_endpoint_check(ike, sa, &sa->remote, NULL)
					     : ike_runtime_check(ike, sa->peer, NULL);
		if (r != POLICY_OK)
			ike_sa_destroy(sa, policy_reason_name(r));
	}
	for (size_t i = 0; i < ike->cfg->n_peers; i++) {
		const struct conf_peer *p = &ike->cfg->peers[i];
		if (p->role == CONF_ROLE_RESPONDER || ike->peers[i].admin_down ||
		    !cross_border_at(ike, p, &p->endpoint) ||
		    ike_sa_by_peer(ike, p->name) || !ike_runtime_would_allow(ike, p))
			continue;
		if (!ike->peers[i].next_initiate_ms || ike->peers[i].next_initiate_ms > now_ms) {
			ike->peers[i].backoff_ms = 0;
			ike_schedule_initiate(ike, p, 0);
		}
	}
}

int ike_initiate(struct ike *ike, const char *peer_name, uint64_t now_ms)
{
	const struct conf_peer *p = config_find_peer(ike->cfg, peer_name);
	int i;

	ike->now_ms = now_ms;
	if (!p)
		return -ENOENT;
	i = ike_peer_index(ike, p);
	ike->peers[i].admin_down = false;
	ike->peers[i].backoff_ms = 0;
	if (ike_sa_by_peer(ike, peer_name))
		return -EALREADY;
	/* A template and its instances have no address to call: the branch
	 * calls us, from wherever it is. */
	if (p->is_template || p->template_name[0])
		return -EDESTADDRREQ;
	ike->peers[i].next_initiate_ms = 0;
	int rc = ike_sa_init_initiator_start(ike, p, now_ms);
	if (rc < 0 && rc != -EIO)   /* refused (policy): the ordinary retries take over */
		ike_retry_failed(ike, p, rc == -EPERM ? ike->refused : "internal_error", true);
	return rc;
}

int ike_terminate(struct ike *ike, const char *peer_name, uint64_t now_ms)
{
	const struct conf_peer *p = config_find_peer(ike->cfg, peer_name);
	struct ike_sa *sa, *next;
	int n = 0;

	ike->now_ms = now_ms;
	if (!p)
		return -ENOENT;
	ike->peers[ike_peer_index(ike, p)].admin_down = true;
	ike->peers[ike_peer_index(ike, p)].next_initiate_ms = 0;
	for (sa = ike->sas; sa; sa = next) {
		next = sa->next;
		if (strcmp(sa->peer_name, peer_name) != 0)
			continue;
		n++;
		if (sa->established_ms && sa->state != IKE_SA_DELETING &&
		    ike_info_delete_ike_start(sa) == 0)
			continue;
		if (sa->state != IKE_SA_DELETING) {
			send_delete_now(sa);
			ike_sa_destroy(sa, "admin_terminate");
		}
	}
	return n ? 0 : -ENOENT;
}

int ike_rekey(struct ike *ike, const char *peer_name, bool ike_sa, uint64_t now_ms)
{
	struct ike_sa *sa;
	size_t pos = 0;
	int n = 0;

	ike->now_ms = now_ms;
	while ((sa = ike_sa_peer_next(ike, peer_name, &pos))) {
		if (sa->state != IKE_SA_ESTABLISHED)
			continue;
		ike_sa_touch(sa);
		if (ike_sa) {
			sa->rekey_ms = now_ms ? now_ms : 1;   /* start_pending, next tick */
			n++;
			continue;
		}
		for (struct child_sa *c = sa->children; c; c = c->next)
			if (c->state == CHILD_SA_INSTALLED) {
				c->rekey_ms = now_ms ? now_ms : 1;
				n++;
			}
	}
	return n ? n : -ENOENT;
}

bool ike_peer_up(struct ike *ike, const char *peer_name)
{
	const struct ike_sa *sa;
	size_t pos = 0;

	while ((sa = ike_sa_peer_next(ike, peer_name, &pos))) {
		for (const struct child_sa *c = sa->children; c; c = c->next)
			if (c->in_datapath)
				return true;
	}
	return false;
}

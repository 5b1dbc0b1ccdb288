/* The IKE SA table: creation and teardown of IKE SAs, lookups by our SPI,
 * by the initiator's SPI + address while half-open (retransmitted
 * IKE_SA_INIT), and by peer. The list keeps the order (timers, listings);
 * the lookups go through keyed hash indexes, so a hub's tens of thousands
 * of SAs cost each message no more than a branch's two. */
#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include "linegate/audit.h"
#include "ike_internal.h"
#include "linegate/log.h"

const uint8_t *ike_sa_our_spi(const struct ike_sa *sa)
{
	return sa->initiator ? sa->spi_i : sa->spi_r;
}

static uint64_t spi_hash(const uint8_t spi[8])
{
	return lg_hash_bytes(spi, 8);
}

static uint64_t peer_hash(const char *name)
{
	return lg_hash_bytes(name, strlen(name));
}

static uint64_t init_hash(const uint8_t spi_i[8], const union lg_sockaddr *a)
{
	return lg_hash_bytes2(spi_i, 8, lg_sockaddr_addr(a), lg_family_addr_len(a->sa.sa_family));
}

static bool ip_family(int family)
{
	return family == AF_INET || family == AF_INET6;
}

static uint64_t endpoint_hash(const union lg_sockaddr *a)
{
	int family = a->sa.sa_family;
	return lg_hash_bytes2(&family, sizeof(family), lg_sockaddr_addr(a), lg_family_addr_len(family));
}

/* Templates and their instances (endpoint %any) have no address here: an
 * IKE_SA_INIT from an unconfigured address goes to the template of its
 * uplink (ike_template_for), and IKE_AUTH's identity picks the instance,
 * so a branch's current address never stands in for a configured one. */
int ike_index_endpoints(struct ike *ike)
{
	const struct config *cfg = ike->cfg;

	lg_hash_free(&ike->by_endpoint);
	if (lg_hash_init(&ike->by_endpoint, cfg->n_peers))
		return -ENOMEM;
	for (size_t i = 0; i < cfg->n_peers; i++) {
		const union lg_sockaddr *ep = &cfg->peers[i].endpoint;
		if (ip_family(ep->sa.sa_family) &&
		    lg_hash_add(&ike->by_endpoint, endpoint_hash(ep), (void *)&cfg->peers[i])) {
			lg_hash_free(&ike->by_endpoint);
			return -ENOMEM;
		}
	}
	return 0;
}

const struct conf_peer *ike_peer_by_endpoint(const struct ike *ike, const union lg_sockaddr *remote)
{
	const struct conf_peer *p, *best = NULL;
	int family = remote->sa.sa_family;
	size_t pos = 0;

	if (!ip_family(family))
		return NULL;
	if (!ike->by_endpoint.slots && ike->cfg->n_peers)   /* no index (no memory) */
		return policy_peer_by_endpoint(ike->cfg, remote);
	/* the first in configuration order, as the linear search answers */
	while ((p = lg_hash_next(&ike->by_endpoint, endpoint_hash(remote), &pos)))
		if (p->endpoint.sa.sa_family == family &&
		    !memcmp(lg_sockaddr_addr(&p->endpoint), lg_sockaddr_addr(remote),
			    lg_family_addr_len(family)) && (!best || p < best))
			best = p;
	return best;
}

static bool spi_in_use(struct ike *ike, const uint8_t spi[8])
{
	struct ike_sa *s;
	size_t pos = 0;

	while ((s = lg_hash_next(&ike->by_spi, spi_hash(spi), &pos)))
		if (memcmp(ike_sa_our_spi(s), spi, 8) == 0)
			return true;
	return false;
}

void ike_random_spi(struct ike *ike, uint8_t spi[8])
{
	static const uint8_t zero[8];

	do
		randombytes_buf(spi, 8);
	while (memcmp(spi, zero, 8) == 0 || spi_in_use(ike, spi));
}

/* Every CHILD SA there is, attached or in a request, is in esp_spis. */
static bool esp_spi_in_use(struct ike *ike, uint32_t spi)
{
	struct child_sa *c;
	size_t pos = 0;

	while ((c = lg_hash_next(&ike->esp_spis, lg_hash_bytes(&spi, 4), &pos)))
		if (c->spi_in == spi)
			return true;
	return false;
}

uint32_t ike_random_esp_spi(struct ike *ike)
{
	uint32_t spi;

	do
		spi = randombytes_random();
	while (spi < ESP_SPI_MIN || esp_spi_in_use(ike, spi));
	return spi;
}

struct ike_sa *ike_sa_new(struct ike *ike, const struct conf_peer *peer, bool initiator)
{
	struct ike_sa *sa = calloc(1, sizeof(*sa));

	if (!sa)
		return NULL;
	sa->keys = ike_keys_new();
	sa->sec = ike_exch_secret_new();
	if (!sa->keys || !sa->sec) {
		ike_keys_free(sa->keys);
		ike_exch_secret_free(sa->sec);
		free(sa);
		return NULL;
	}
	sa->ike = ike;
	sa->state = IKE_SA_NEW;
	sa->peer = peer;
	snprintf(sa->peer_name, sizeof(sa->peer_name), "%s", peer->name);
	ike_identity_format(&peer->remote_id, sa->peer_id, sizeof(sa->peer_id));
	sa->initiator = initiator;
	sa->uplink = peer->uplink;
	sa->remote = peer->endpoint;
	sa->created_ms = ike->now_ms;
	sa->last_in_ms = ike->now_ms;
	if (initiator)
		ike_random_spi(ike, sa->spi_i);
	else
		ike_random_spi(ike, sa->spi_r);
	if (lg_hash_add(&ike->by_spi, spi_hash(ike_sa_our_spi(sa)), sa)) {
		ike_keys_free(sa->keys);
		ike_exch_secret_free(sa->sec);
		free(sa);
		return NULL;
	}
	/* the heap holds every SA from here on: its room never runs out later */
	if (lg_timer_set(&ike->timers, &sa->timer, ike->now_ms + ike->in_tick)) {
		lg_hash_del(&ike->by_spi, spi_hash(ike_sa_our_spi(sa)), sa);
		ike_keys_free(sa->keys);
		ike_exch_secret_free(sa->sec);
		free(sa);
		return NULL;
	}
	if (lg_hash_add(&ike->by_peer, peer_hash(sa->peer_name), sa)) {
		lg_timer_cancel(&ike->timers, &sa->timer);
		lg_hash_del(&ike->by_spi, spi_hash(ike_sa_our_spi(sa)), sa);
		ike_keys_free(sa->keys);
		ike_exch_secret_free(sa->sec);
		free(sa);
		return NULL;
	}
	sa->seq = ++ike->next_seq;
	sa->next = ike->sas;
	if (ike->sas)
		ike->sas->prev = sa;
	ike->sas = sa;
	ike->n_sas++;
	return sa;
}

struct ike_exch_secret *ike_sa_sec(struct ike_sa *sa)
{
	if (!sa->sec)
		sa->sec = ike_exch_secret_new();
	return sa->sec;
}

void ike_sa_sec_drop(struct ike_sa *sa)
{
	ike_exch_secret_wipe(sa->sec);
	ike_exch_secret_free(sa->sec);
	sa->sec = NULL;
}

void ike_sa_exchange_done(struct ike_sa *sa)
{
	free(sa->init_i);
	free(sa->init_r);
	sa->init_i = sa->init_r = NULL;
	sa->init_i_len = sa->init_r_len = 0;
	free(sa->dh_pub);
	sa->dh_pub = NULL;
	ike_sa_sec_drop(sa);
}

int ike_sa_set_bytes(uint8_t **slot, size_t *slot_len, const uint8_t *src, size_t len)
{
	uint8_t *p = malloc(len ? len : 1);

	free(*slot);
	*slot = p;
	*slot_len = p ? len : 0;
	if (!p)
		return -ENOMEM;
	if (src)
		memcpy(p, src, len);
	else
		randombytes_buf(p, len);
	return 0;
}

int ike_sa_set_peer(struct ike_sa *sa, const struct conf_peer *peer)
{
	struct ike *ike = sa->ike;

	lg_hash_del(&ike->by_peer, peer_hash(sa->peer_name), sa);
	sa->peer = peer;
	snprintf(sa->peer_name, sizeof(sa->peer_name), "%s", peer->name);
	ike_identity_format(&peer->remote_id, sa->peer_id, sizeof(sa->peer_id));
	return lg_hash_add(&ike->by_peer, peer_hash(sa->peer_name), sa);
}

void ike_sa_index_remote(struct ike_sa *sa)
{
	struct ike *ike = sa->ike;

	if (sa->initiator)
		return;
	if (sa->init_indexed)
		lg_hash_del(&ike->by_init, sa->init_hash, sa);
	sa->init_hash = init_hash(sa->spi_i, &sa->remote);
	/* out of memory: a retransmitted IKE_SA_INIT is not recognised and
	 * opens a second half-open SA, which the limits still bound */
	sa->init_indexed = lg_hash_add(&ike->by_init, sa->init_hash, sa) == 0;
}

static void unindex(struct ike_sa *sa)
{
	struct ike *ike = sa->ike;

	lg_hash_del(&ike->by_spi, spi_hash(ike_sa_our_spi(sa)), sa);
	lg_hash_del(&ike->by_peer, peer_hash(sa->peer_name), sa);
	if (sa->init_indexed)
		lg_hash_del(&ike->by_init, sa->init_hash, sa);
	sa->init_indexed = false;
	if (sa->state == IKE_SA_HALF_OPEN)
		ike_half_open_track(sa, false);
}

void ike_sa_unlink_free(struct ike_sa *sa)
{
	struct ike *ike = sa->ike;

	struct ike_sa *s;
	size_t pos = 0;

	if (sa->prev)
		sa->prev->next = sa->next;
	else
		ike->sas = sa->next;
	if (sa->next)
		sa->next->prev = sa->prev;
	ike->n_sas--;
	/* who may point at it: SAs of its peer (rekeys stay with the peer) */
	while ((s = ike_sa_peer_next(ike, sa->peer_name, &pos))) {
		if (s->replaced_by == sa)
			s->replaced_by = NULL;
		if (s->peer_rekey_sa == sa)
			s->peer_rekey_sa = NULL;
		if (s->req.new_ike == sa)
			s->req.new_ike = NULL;
	}
	unindex(sa);
	lg_timer_cancel(&ike->timers, &sa->timer);
	ike_req_clear(sa);
	while (sa->children) {
		struct child_sa *c = sa->children;
		sa->children = c->next;
		child_sa_free_unlinked(c);
	}
	ike_keys_free(sa->keys);
	ike_sa_sec_drop(sa);
	free(sa->init_i);
	free(sa->init_r);
	free(sa->dh_pub);
	free(sa->ni);
	free(sa->nr);
	free(sa->peer_rekey_min_nonce);
	free(sa->peer_cert);
	free(sa->last_resp);
	ike_reasm_free(&sa->reasm[0]);
	ike_reasm_free(&sa->reasm[1]);
	if (ike->in_tick) {   /* ike_tick's snapshot may still name it */
		sa->gone = true;
		sa->next = ike->graveyard;
		ike->graveyard = sa;
		return;
	}
	free(sa);
}

void ike_sa_destroy(struct ike_sa *sa, const char *reason)
{
	char spi_i[17], spi_r[17], remote[LG_ADDRSTRLEN];
	bool was_up = sa->established_ms != 0;

	while (sa->children)
		child_sa_remove(sa, sa->children, reason);
	if (sa->req.new_ike) {
		/* an IKE rekey in flight dies with its parent */
		struct ike_sa *n = sa->req.new_ike;
		sa->req.new_ike = NULL;
		ike_sa_unlink_free(n);
	}
	lg_hex(sa->spi_i, 8, spi_i);
	lg_hex(sa->spi_r, 8, spi_r);
	lg_sockaddr_format(&sa->remote, remote, sizeof(remote));
	if (was_up)
		audit_emit(AUDIT_IKE_SA_DOWN, AUDIT_SUCCESS, sa->peer_id, sa->peer_name,
			   "spi_i", spi_i, "spi_r", spi_r, "remote", remote, "reason", reason, NULL);
	lg_log(LOG_INFO, "event=ike_sa_removed peer=%s spi_i=%s spi_r=%s state=%s reason=%s",
	       sa->peer_name, spi_i, spi_r, ike_sa_state_name(sa->state), reason);
	if (sa->state != IKE_SA_DEAD)
		ike_sa_set_state(sa, IKE_SA_DEAD);
	ike_sa_unlink_free(sa);
}

struct ike_sa *ike_sa_by_spi(struct ike *ike, const uint8_t our_spi[8], bool we_initiator)
{
	struct ike_sa *s;
	size_t pos = 0;

	while ((s = lg_hash_next(&ike->by_spi, spi_hash(our_spi), &pos)))
		if (s->initiator == we_initiator && memcmp(ike_sa_our_spi(s), our_spi, 8) == 0) {
			ike_sa_touch(s);   /* a message for it: its timers may move */
			return s;
		}
	return NULL;
}

struct ike_sa *ike_sa_half_open_lookup(struct ike *ike, const uint8_t spi_i[8],
				       const union lg_sockaddr *remote)
{
	struct ike_sa *s;
	size_t pos = 0;

	/* any state: a late duplicate of an IKE_SA_INIT must not open a second
	 * SA; the address only, since the peer may have floated to 4500 */
	while ((s = lg_hash_next(&ike->by_init, init_hash(spi_i, remote), &pos)))
		if (!s->initiator && s->state != IKE_SA_NEW && memcmp(s->spi_i, spi_i, 8) == 0 &&
		    s->remote.sa.sa_family == remote->sa.sa_family &&
		    memcmp(lg_sockaddr_addr(&s->remote), lg_sockaddr_addr(remote),
			   lg_family_addr_len(remote->sa.sa_family)) == 0) {
			ike_sa_touch(s);
			return s;
		}
	return NULL;
}

struct ike_sa *ike_sa_peer_next(const struct ike *ike, const char *peer_name, size_t *pos)
{
	struct ike_sa *s;

	while ((s = lg_hash_next(&ike->by_peer, peer_hash(peer_name), pos)))
		if (strcmp(s->peer_name, peer_name) == 0)
			return s;
	return NULL;
}

/* A responder-side half-open SA is not counted: anyone can make one with a
 * peer's source address (one spoofed IKE_SA_INIT), and it must never stand
 * in for an SA that authenticated or one we are negotiating ourselves.
 * Among several, an established one, then the newest. */
struct ike_sa *ike_sa_by_peer(struct ike *ike, const char *peer_name)
{
	struct ike_sa *best = NULL, *s;
	bool best_up = false;
	size_t pos = 0;

	while ((s = ike_sa_peer_next(ike, peer_name, &pos))) {
		if (s->state == IKE_SA_DEAD || s->state == IKE_SA_HALF_OPEN ||
		    (!s->initiator && s->state == IKE_SA_NEW))
			continue;
		bool up = s->state == IKE_SA_ESTABLISHED || s->state == IKE_SA_REKEYING;
		if (!best || (up && !best_up) || (up == best_up && s->seq > best->seq)) {
			best = s;
			best_up = up;
		}
	}
	return best;
}

size_t ike_sa_count_peer(const struct ike *ike, const char *peer_name)
{
	const struct ike_sa *s;
	size_t n = 0, pos = 0;

	while ((s = ike_sa_peer_next(ike, peer_name, &pos)))
		n += s->state != IKE_SA_DEAD && s->established_ms;
	return n;
}

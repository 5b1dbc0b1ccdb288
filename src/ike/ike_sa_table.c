/* The IKE SA table: creation and teardown of IKE SAs, lookups by our SPI,
 * by the initiator's SPI + address while half-open (retransmitted
 * IKE_SA_INIT), and by peer. A list is enough for a branch gateway's few
 * dozen peers. */
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

static bool spi_in_use(struct ike *ike, const uint8_t spi[8])
{
	for (struct ike_sa *s = ike->sas; s; s = s->next)
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

static bool esp_spi_in_use(struct ike *ike, uint32_t spi)
{
	for (struct ike_sa *s = ike->sas; s; s = s->next) {
		if (child_sa_by_spi_in(s, spi))
			return true;
		if (s->req.new_child && s->req.new_child->spi_in == spi)
			return true;
	}
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
	sa->sec = sodium_malloc(sizeof(*sa->sec));
	if (!sa->keys || !sa->sec) {
		ike_keys_free(sa->keys);
		sodium_free(sa->sec);
		free(sa);
		return NULL;
	}
	sodium_memzero(sa->sec, sizeof(*sa->sec));
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
	sa->next = ike->sas;
	ike->sas = sa;
	return sa;
}

void ike_sa_unlink_free(struct ike_sa *sa)
{
	struct ike *ike = sa->ike;

	for (struct ike_sa **pp = &ike->sas; *pp; pp = &(*pp)->next)
		if (*pp == sa) {
			*pp = sa->next;
			break;
		}
	for (struct ike_sa *s = ike->sas; s; s = s->next) {
		if (s->replaced_by == sa)
			s->replaced_by = NULL;
		if (s->peer_rekey_sa == sa)
			s->peer_rekey_sa = NULL;
		if (s->req.new_ike == sa)
			s->req.new_ike = NULL;
	}
	if (sa->state == IKE_SA_HALF_OPEN && ike->half_open > 0)
		ike->half_open--;
	ike_req_clear(sa);
	while (sa->children) {
		struct child_sa *c = sa->children;
		sa->children = c->next;
		child_sa_free_unlinked(c);
	}
	ike_keys_free(sa->keys);
	sodium_free(sa->sec);
	free(sa->init_i);
	free(sa->init_r);
	free(sa->last_resp);
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
	for (struct ike_sa *s = ike->sas; s; s = s->next)
		if (s->initiator == we_initiator && memcmp(ike_sa_our_spi(s), our_spi, 8) == 0)
			return s;
	return NULL;
}

struct ike_sa *ike_sa_half_open_lookup(struct ike *ike, const uint8_t spi_i[8],
				       const union lg_sockaddr *remote)
{
	/* any state: a late duplicate of an IKE_SA_INIT must not open a second
	 * SA; the address only, since the peer may have floated to 4500 */
	for (struct ike_sa *s = ike->sas; s; s = s->next)
		if (!s->initiator && s->state != IKE_SA_NEW && memcmp(s->spi_i, spi_i, 8) == 0 &&
		    s->remote.sa.sa_family == remote->sa.sa_family &&
		    memcmp(lg_sockaddr_addr(&s->remote), lg_sockaddr_addr(remote),
			   lg_family_addr_len(remote->sa.sa_family)) == 0)
			return s;
	return NULL;
}

/* A responder-side half-open SA is not counted: anyone can make one with a
 * peer's source address (one spoofed IKE_SA_INIT), and it must never stand
 * in for an SA that authenticated or one we are negotiating ourselves. */
struct ike_sa *ike_sa_by_peer(struct ike *ike, const char *peer_name)
{
	struct ike_sa *best = NULL;

	for (struct ike_sa *s = ike->sas; s; s = s->next) {
		if (strcmp(s->peer_name, peer_name) != 0 || s->state == IKE_SA_DEAD ||
		    s->state == IKE_SA_HALF_OPEN || (!s->initiator && s->state == IKE_SA_NEW))
			continue;
		if (s->state == IKE_SA_ESTABLISHED || s->state == IKE_SA_REKEYING)
			return s;
		if (!best)
			best = s;
	}
	return best;
}

size_t ike_sa_count_peer(const struct ike *ike, const char *peer_name)
{
	size_t n = 0;

	for (const struct ike_sa *s = ike->sas; s; s = s->next)
		n += s->state != IKE_SA_DEAD && s->established_ms &&
		     strcmp(s->peer_name, peer_name) == 0;
	return n;
}

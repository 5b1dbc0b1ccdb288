/* The state machines of IKE SAs and CHILD SAs: one table of legal moves each
 * and one setter that refuses anything else and logs `A -> B` by name, so an
 * exchange can never silently skip a step (the iked habit). */
#include "ike_internal.h"
#include "linegate/log.h"

static const char *const ike_names[IKE_SA_STATE_COUNT] = {
	[IKE_SA_NEW] = "new",
	[IKE_SA_INIT_SENT] = "init_sent",
	[IKE_SA_AUTH_SENT] = "auth_sent",
	[IKE_SA_HALF_OPEN] = "half_open",
	[IKE_SA_ESTABLISHED] = "established",
	[IKE_SA_REKEYING] = "rekeying",
	[IKE_SA_REKEYED] = "rekeyed",
	[IKE_SA_DELETING] = "deleting",
	[IKE_SA_DEAD] = "dead",
};

static const char *const child_names[CHILD_SA_STATE_COUNT] = {
	[CHILD_SA_NEW] = "new",
	[CHILD_SA_INSTALLED] = "installed",
	[CHILD_SA_REKEYING] = "rekeying",
	[CHILD_SA_REKEYED] = "rekeyed",
	[CHILD_SA_DELETING] = "deleting",
	[CHILD_SA_DEAD] = "dead",
};

#define B(s) (1u << (s))

/* legal[from] = set of states reachable from `from` */
static const unsigned ike_legal[IKE_SA_STATE_COUNT] = {
	[IKE_SA_NEW] = B(IKE_SA_INIT_SENT) | B(IKE_SA_HALF_OPEN) | B(IKE_SA_ESTABLISHED) |
		       B(IKE_SA_DEAD),
	[IKE_SA_INIT_SENT] = B(IKE_SA_AUTH_SENT) | B(IKE_SA_DEAD),
	[IKE_SA_AUTH_SENT] = B(IKE_SA_ESTABLISHED) | B(IKE_SA_DELETING) | B(IKE_SA_DEAD),
	[IKE_SA_HALF_OPEN] = B(IKE_SA_ESTABLISHED) | B(IKE_SA_DEAD),
	[IKE_SA_ESTABLISHED] = B(IKE_SA_REKEYING) | B(IKE_SA_REKEYED) | B(IKE_SA_DELETING) |
			       B(IKE_SA_DEAD),
	[IKE_SA_REKEYING] = B(IKE_SA_ESTABLISHED) | B(IKE_SA_REKEYED) | B(IKE_SA_DELETING) |
			    B(IKE_SA_DEAD),
	[IKE_SA_REKEYED] = B(IKE_SA_DELETING) | B(IKE_SA_DEAD),
	[IKE_SA_DELETING] = B(IKE_SA_DEAD),
	[IKE_SA_DEAD] = 0,
};

static const unsigned child_legal[CHILD_SA_STATE_COUNT] = {
	[CHILD_SA_NEW] = B(CHILD_SA_INSTALLED) | B(CHILD_SA_DEAD),
	[CHILD_SA_INSTALLED] = B(CHILD_SA_REKEYING) | B(CHILD_SA_REKEYED) | B(CHILD_SA_DELETING) |
			       B(CHILD_SA_DEAD),
	[CHILD_SA_REKEYING] = B(CHILD_SA_INSTALLED) | B(CHILD_SA_REKEYED) | B(CHILD_SA_DELETING) |
			      B(CHILD_SA_DEAD),
	[CHILD_SA_REKEYED] = B(CHILD_SA_DELETING) | B(CHILD_SA_DEAD),
	[CHILD_SA_DELETING] = B(CHILD_SA_DEAD),
	[CHILD_SA_DEAD] = 0,
};

const char *ike_sa_state_name(enum ike_sa_state s)
{
	return (unsigned)s < IKE_SA_STATE_COUNT ? ike_names[s] : "invalid";
}

const char *child_sa_state_name(enum child_sa_state s)
{
	return (unsigned)s < CHILD_SA_STATE_COUNT ? child_names[s] : "invalid";
}

bool ike_sa_set_state(struct ike_sa *sa, enum ike_sa_state to)
{
	enum ike_sa_state from = sa->state;
	char spi[17];

	lg_hex(ike_sa_our_spi(sa), 8, spi);
	if ((unsigned)to >= IKE_SA_STATE_COUNT || !(ike_legal[from] & B(to))) {
		lg_log(LOG_ERR, "event=ike_state_refused peer=%s spi=%s from=%s to=%s",
		       sa->peer_name, spi, ike_sa_state_name(from), ike_sa_state_name(to));
		return false;
	}
	sa->state = to;
	/* half-open count drives the cookie defence (§2.6) */
	if (from == IKE_SA_HALF_OPEN)
		ike_half_open_track(sa, false);
	if (to == IKE_SA_HALF_OPEN)
		ike_half_open_track(sa, true);
	lg_log(LOG_DEBUG, "event=ike_state peer=%s spi=%s transition=\"%s -> %s\"",
	       sa->peer_name, spi, ike_sa_state_name(from), ike_sa_state_name(to));
	return true;
}

bool child_sa_set_state(struct ike_sa *sa, struct child_sa *c, enum child_sa_state to)
{
	enum child_sa_state from = c->state;

	if ((unsigned)to >= CHILD_SA_STATE_COUNT || !(child_legal[from] & B(to))) {
		lg_log(LOG_ERR, "event=child_state_refused peer=%s child=%u spi_in=%08x from=%s to=%s",
		       sa->peer_name, c->child_id, c->spi_in, child_sa_state_name(from),
		       child_sa_state_name(to));
		return false;
	}
	c->state = to;
	lg_log(LOG_DEBUG, "event=child_state peer=%s child=%u spi_in=%08x transition=\"%s -> %s\"",
	       sa->peer_name, c->child_id, c->spi_in, child_sa_state_name(from),
	       child_sa_state_name(to));
	return true;
}

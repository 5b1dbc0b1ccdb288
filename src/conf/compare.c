/* What a reload compares: the effective settings of a peer, field by field.
 * Comparing the bytes of the structs (as reload first did) also compared
 * where a value was written, padding and the unused tail of unions, so a
 * byte-identical file, or one with an unrelated peer added above, tore
 * tunnels down. Positions (line, at) are for messages and never matter. */
#include <string.h>
#include "linegate/conf.h"

/* A field added to struct conf_peer must be added here too (or said to be
 * a position): this trips when the struct changes size on the build hosts. */
#if defined(__x86_64__)
_Static_assert(sizeof(struct conf_peer) == 3336,
	       "struct conf_peer changed: update conf_peer_equal() in src/conf/compare.c");
_Static_assert(sizeof(struct conf_static_sa) == 1152,
	       "struct conf_static_sa changed: update conf_static_sa_equal() in src/conf/compare.c");
#endif

static bool identity_equal(const struct conf_identity *a, const struct conf_identity *b)
{
	return a->type == b->type && a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
}

static bool prefixes_equal(const struct lg_prefix *a, size_t na, const struct lg_prefix *b,
			   size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (!lg_prefix_equal(&a[i], &b[i]))
			return false;
	return true;
}

static bool proposals_equal(const struct conf_proposal *a, size_t na,
			    const struct conf_proposal *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (a[i].encr != b[i].encr || a[i].encr_keybits != b[i].encr_keybits ||
		    a[i].prf != b[i].prf || a[i].dh != b[i].dh || a[i].integ != b[i].integ)
			return false;
	return true;
}

bool conf_peer_equal(const struct conf_peer *a, const struct conf_peer *b)
{
	return strcmp(a->name, b->name) == 0 &&
	       lg_sockaddr_equal(&a->endpoint, &b->endpoint) &&
	       strcmp(a->region, b->region) == 0 && a->uplink == b->uplink &&
	       identity_equal(&a->local_id, &b->local_id) &&
	       identity_equal(&a->remote_id, &b->remote_id) && a->auth == b->auth &&
	       strcmp(a->psk_file, b->psk_file) == 0 &&
	       strcmp(a->private_key_file, b->private_key_file) == 0 &&
	       strcmp(a->peer_public_key_file, b->peer_public_key_file) == 0 &&
	       strcmp(a->certificate_file, b->certificate_file) == 0 &&
	       strcmp(a->ca_dir, b->ca_dir) == 0 && strcmp(a->crl_dir, b->crl_dir) == 0 &&
	       prefixes_equal(a->local_ts, a->n_local_ts, b->local_ts, b->n_local_ts) &&
	       prefixes_equal(a->remote_ts, a->n_remote_ts, b->remote_ts, b->n_remote_ts) &&
	       proposals_equal(a->ike_proposals, a->n_ike_proposals, b->ike_proposals,
			       b->n_ike_proposals) &&
	       proposals_equal(a->esp_proposals, a->n_esp_proposals, b->esp_proposals,
			       b->n_esp_proposals) &&
	       a->ike_lifetime_s == b->ike_lifetime_s && a->child_lifetime_s == b->child_lifetime_s &&
	       a->child_lifetime_bytes == b->child_lifetime_bytes &&
	       a->child_lifetime_packets == b->child_lifetime_packets && a->dpd_s == b->dpd_s &&
	       a->natt_port == b->natt_port && a->role == b->role &&
	       a->is_template == b->is_template && strcmp(a->key_dir, b->key_dir) == 0 &&
	       strcmp(a->template_name, b->template_name) == 0;
	/* dpd-action, close-action, retry-min and retry-max are not compared:
	 * they say what happens after an SA ends, and a kept SA follows the
	 * new block (ike_reconfigure points it there). Nor are fragmentation
	 * (offered at the next IKE_SA_INIT) and fragment-size (read at each
	 * send). */
}

bool conf_static_sa_equal(const struct conf_static_sa *a, const struct conf_static_sa *b)
{
	return strcmp(a->name, b->name) == 0 && lg_sockaddr_equal(&a->peer, &b->peer) &&
	       strcmp(a->region, b->region) == 0 &&
	       identity_equal(&a->remote_id, &b->remote_id) && a->uplink == b->uplink &&
	       a->encr == b->encr && a->encr_keybits == b->encr_keybits && a->integ == b->integ &&
	       a->spi_in == b->spi_in && a->spi_out == b->spi_out &&
	       prefixes_equal(a->local_ts, a->n_local_ts, b->local_ts, b->n_local_ts) &&
	       prefixes_equal(a->remote_ts, a->n_remote_ts, b->remote_ts, b->n_remote_ts);
}

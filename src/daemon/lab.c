/* Hand-keyed CHILD SAs for the lab (config "lab-only yes" + static-sa
 * blocks): the datapath can be tested and benchmarked apart from IKE. They
 * have no key exchange, no rekeying and no forward secrecy, so every one is
 * audited and logged loudly. */
#include <stdio.h>
#include <string.h>
#include <sodium.h>
#include "linegate/audit.h"
#include "linegate/datapath.h"
#include "linegate/log.h"
#include "daemon.h"

static void lab_params(const struct conf_static_sa *s, size_t idx, struct esp_child_params *p)
{
	memset(p, 0, sizeof(*p));
	p->child_id = DAEMON_LAB_CHILD_BASE + (uint32_t)idx;
	p->cipher = (enum esp_cipher)s->encr;
	p->spi_in = s->spi_in;
	p->spi_out = s->spi_out;
	memcpy(p->key_in, s->key_in, 32);
	memcpy(p->salt_in, s->key_in + 32, 4);
	memcpy(p->key_out, s->key_out, 32);
	memcpy(p->salt_out, s->key_out + 32, 4);
	/* Both ends are linegate: 64-bit sequence numbers, never a wrap. */
	p->esn = true;
	for (size_t i = 0; i < s->n_local_ts && i < ESP_MAX_TS; i++)
		p->local_ts[p->n_local_ts++] = s->local_ts[i];
	for (size_t i = 0; i < s->n_remote_ts && i < ESP_MAX_TS; i++)
		p->remote_ts[p->n_remote_ts++] = s->remote_ts[i];
	p->peer = s->peer;
	p->uplink = s->uplink;
}

int daemon_lab_install(struct daemon *d, const struct config *cfg)
{
	struct esp_child_params p;
	char spi_in[9], spi_out[9], peer[LG_ADDRSTRLEN];
	int rc = 0;

	for (size_t i = 0; i < cfg->n_static_sas && rc == 0; i++) {
		const struct conf_static_sa *s = &cfg->static_sas[i];
		lab_params(s, i, &p);
		rc = esp_table_install(d->esp, &p);
		sodium_memzero(&p, sizeof(p));
		for (size_t j = 0; rc == 0 && j < s->n_remote_ts; j++)
			rc = datapath_route_add(d->dp, &s->remote_ts[j]);
		snprintf(spi_in, sizeof(spi_in), "%08x", s->spi_in);
		snprintf(spi_out, sizeof(spi_out), "%08x", s->spi_out);
		lg_sockaddr_format(&s->peer, peer, sizeof(peer));
		audit_emit(AUDIT_LAB_STATIC_SA, rc ? AUDIT_FAILURE : AUDIT_SUCCESS, "linegated", s->name,
			   "spi_in", spi_in, "spi_out", spi_out, "peer", peer,
			   "warning", "hand-keyed SA without key exchange: lab only", NULL);
		lg_log(rc ? LOG_ERR : LOG_WARNING,
		       "event=lab_static_sa name=%s spi_in=%s spi_out=%s peer=%s result=%s "
		       "warning=\"LAB ONLY: hand-keyed SA, no key exchange, no rekey, no forward secrecy\"",
		       s->name, spi_in, spi_out, peer, rc ? "failed" : "installed");
	}
	return rc;
}

void daemon_lab_remove(struct daemon *d, const struct config *cfg)
{
	for (size_t i = 0; i < cfg->n_static_sas; i++) {
		const struct conf_static_sa *s = &cfg->static_sas[i];
		for (size_t j = 0; j < s->n_remote_ts; j++)
			datapath_route_del(d->dp, &s->remote_ts[j]);
		esp_table_remove(d->esp, DAEMON_LAB_CHILD_BASE + (uint32_t)i);
	}
}

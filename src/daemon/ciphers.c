/* AES-GCM only where this CPU runs it: libsodium has AES-256-GCM only with
 * AES-NI + PCLMUL. Proposals naming it are taken out of the running config
 * (so we never offer what we cannot compute), and a peer left with none gets
 * ChaCha20-Poly1305 with the same PRF and DH instead; each change is said. */
#include <stdio.h>
#include <string.h>
#include "linegate/conf.h"
#include "linegate/ikev2.h"
#include "daemon.h"

/* Removes unusable proposals from list; returns how many were removed. */
static size_t drop_aes_gcm(struct conf_proposal *list, size_t *n)
{
	size_t kept = 0, removed = 0;
	for (size_t i = 0; i < *n; i++) {
		if (list[i].encr == IKEV2_ENCR_AES_GCM_16)
			removed++;
		else
			list[kept++] = list[i];
	}
	if (kept == 0 && removed) {
		list[0].encr = IKEV2_ENCR_CHACHA20_POLY1305;
		list[0].encr_keybits = 0;
		kept = 1;
	}
	*n = kept;
	return removed;
}

size_t daemon_fit_ciphers(struct config *cfg, bool aes_gcm_ok, struct daemon_refusal *notes)
{
	size_t changed = 0;
	if (aes_gcm_ok)
		return 0;
	for (size_t i = 0; i < cfg->n_peers; i++) {
		struct conf_peer *p = &cfg->peers[i];
		size_t ike = drop_aes_gcm(p->ike_proposals, &p->n_ike_proposals);
		size_t esp = drop_aes_gcm(p->esp_proposals, &p->n_esp_proposals);
		if (!ike && !esp)
			continue;
		changed++;
		char first_ike[64], first_esp[64];
		conf_proposal_format(&p->ike_proposals[0], first_ike, sizeof(first_ike));
		conf_proposal_format(&p->esp_proposals[0], first_esp, sizeof(first_esp));
		char where[CONF_PATH_MAX + 32];
		config_at_format(cfg, (struct conf_at){ p->line, 0 }, where, sizeof(where));
		*strrchr(where, ':') = '\0';   /* file:line of the peer block */
		daemon_refusal_add(notes,
				   "%s: warning: peer \"%s\": this CPU has no AES-NI/PCLMUL, so no "
				   "AES-256-GCM (%zu IKE, %zu ESP proposals dropped); proposing %s / %s",
				   where, p->name, ike, esp, first_ike, first_esp);
	}
	return changed;
}

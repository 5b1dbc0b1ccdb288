/* The read-only lookup structure the workers use without a lock: an
 * open-addressing hash of inbound SPIs and, per address family, the remote
 * selectors of every child sorted longest prefix first (newest child first
 * among equal ones, which is make-before-break for the outbound choice).
 * Rebuilt whole by the control thread on every change, never modified once
 * published; a linear scan of the sorted list is the LPM, which stays cheap
 * for the tens of children a branch gateway carries. */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "esp_internal.h"

static uint32_t spi_hash(uint32_t spi)
{
	return spi * 0x9e3779b1u;   /* Fibonacci hashing; SPIs are ours, random */
}

static int cmp_lpm(const void *a, const void *b)
{
	const struct lpm_entry *x = a, *y = b;

	if (x->m.len != y->m.len)
		return x->m.len > y->m.len ? -1 : 1;
	if (x->sa->order != y->sa->order)
		return x->sa->order > y->sa->order ? -1 : 1;
	return 0;
}

static bool build_spi(struct esp_snapshot *s, struct esp_sa *const *sas, size_t n)
{
	size_t slots = 8;

	while (slots < 2 * n)
		slots *= 2;
	s->spi = calloc(slots, sizeof(*s->spi));
	if (!s->spi)
		return false;
	s->spi_mask = (uint32_t)(slots - 1);
	for (size_t i = 0; i < n; i++) {
		uint32_t h = spi_hash(sas[i]->p.spi_in) & s->spi_mask;
		while (s->spi[h].sa)
			h = (h + 1) & s->spi_mask;
		s->spi[h].spi = sas[i]->p.spi_in;
		s->spi[h].sa = sas[i];
	}
	return true;
}

/* Inbound-only children (rekey responder, not yet activated) decrypt but
 * are never an outbound choice: they are left out of the LPM lists. */
static bool build_lpm(struct esp_snapshot *s, struct esp_sa *const *sas, size_t n)
{
	for (int f = 0; f < 2; f++) {
		int family = f ? AF_INET6 : AF_INET;
		size_t count = 0;
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < sas[i]->n_remote && !sas[i]->inbound_only; j++)
				count += sas[i]->remote[j].family == family;
		s->lpm[f] = calloc(count ? count : 1, sizeof(struct lpm_entry));
		if (!s->lpm[f])
			return false;
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < sas[i]->n_remote && !sas[i]->inbound_only; j++)
				if (sas[i]->remote[j].family == family)
					s->lpm[f][s->n_lpm[f]++] = (struct lpm_entry){
						.m = sas[i]->remote[j], .sa = sas[i] };
		qsort(s->lpm[f], s->n_lpm[f], sizeof(struct lpm_entry), cmp_lpm);
	}
	return true;
}

struct esp_snapshot *snapshot_build(struct esp_sa *const *sas, size_t n)
{
	struct esp_snapshot *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	if (!build_spi(s, sas, n) || !build_lpm(s, sas, n)) {
		snapshot_free(s);
		return NULL;
	}
	return s;
}

void snapshot_free(struct esp_snapshot *s)
{
	if (!s)
		return;
	free(s->spi);
	free(s->lpm[0]);
	free(s->lpm[1]);
	free(s->holds[0]);
	free(s->holds[1]);
	free(s);
}

struct esp_sa *snapshot_find_spi(const struct esp_snapshot *s, uint32_t spi)
{
	uint32_t h = spi_hash(spi) & s->spi_mask;

	/* The table is at most half full, so an empty slot ends every probe. */
	for (;;) {
		const struct spi_slot *slot = &s->spi[h];
		if (!slot->sa)
			return NULL;
		if (slot->spi == spi)
			return slot->sa;
		h = (h + 1) & s->spi_mask;
	}
}

struct esp_sa *snapshot_route(const struct esp_snapshot *s, int family,
			      const uint64_t src[2], const uint64_t dst[2],
			      struct esp_sa **selector_sa)
{
	int f = family == AF_INET6;
	const struct lpm_entry *e = s->lpm[f], *end = e + s->n_lpm[f];
	int best = -1;

	*selector_sa = NULL;
	for (; e < end; e++) {
		if (best >= 0 && e->m.len != best)
			break;   /* only the longest matching prefix decides */
		if (!ts_match_addr(&e->m, dst))
			continue;
		best = e->m.len;
		if (sa_local_has(e->sa, family, src))
			return e->sa;
		if (!*selector_sa)
			*selector_sa = e->sa;
	}
	return NULL;
}

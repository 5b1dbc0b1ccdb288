/* Traffic selectors on the packet path, precomputed as masked 128-bit words
 * so a match is two ANDs and two compares; and the per-SA activity stamps. */
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include "esp_internal.h"

void ts_match_from_prefix(struct ts_match *m, const struct lg_prefix *p)
{
	uint8_t mask[16] = { 0 };
	unsigned len = p->len;

	for (size_t i = 0; i < 16 && len; i++) {
		unsigned bits = len >= 8 ? 8 : len;
		mask[i] = (uint8_t)(0xff00u >> bits);
		len -= bits;
	}
	ts_load_addr(m->net, p->family, p->addr);
	memcpy(m->mask, mask, sizeof(mask));
	m->net[0] &= m->mask[0];
	m->net[1] &= m->mask[1];
	m->family = p->family;
	m->len = p->len;
}

void ts_match_to_prefix(const struct ts_match *m, struct lg_prefix *p)
{
	memset(p, 0, sizeof(*p));
	p->family = m->family;
	p->len = m->len;
	memcpy(p->addr, m->net, m->family == AF_INET6 ? 16 : 4);   /* memory order */
}

static bool ts_list_has(const struct ts_match *list, size_t n, int family, const uint64_t a[2])
{
	for (size_t i = 0; i < n; i++)
		if (list[i].family == family && ts_match_addr(&list[i], a))
			return true;
	return false;
}

bool sa_local_has(const struct esp_sa *sa, int family, const uint64_t a[2])
{
	return ts_list_has(sa->local, sa->n_local, family, a);
}

bool sa_remote_has(const struct esp_sa *sa, int family, const uint64_t a[2])
{
	return ts_list_has(sa->remote, sa->n_remote, family, a);
}

uint64_t esp_coarse_wall_ms(void)
{
	struct timespec ts;

	/* vDSO, no syscall; a few ms of granularity is plenty for lifetimes. */
	clock_gettime(CLOCK_REALTIME_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void sa_touch(struct esp_sa *sa, _Atomic uint64_t *last, uint64_t now_ms)
{
	/* Write shared cache lines only when the value changes. */
	if (atomic_load_explicit(last, memory_order_relaxed) != now_ms)
		atomic_store_explicit(last, now_ms, memory_order_relaxed);
	if (atomic_load_explicit(&sa->first_activity_ms, memory_order_relaxed) == 0) {
		uint64_t zero = 0;
		atomic_compare_exchange_strong(&sa->first_activity_ms, &zero, now_ms);
	}
}

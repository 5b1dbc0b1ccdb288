/* Fast-path worker registration and its quiescent states (QSBR): a worker is
 * "online" from its first esp_encrypt/esp_decrypt after a quiescent point
 * until the next esp_worker_quiescent(); the control thread frees a retired
 * snapshot only when no worker has been online since before it was retired.
 * Drop counters are per worker (no shared cache line per drop). */
#include <stdlib.h>
#include <syslog.h>
#include "linegate/log.h"
#include "esp_internal.h"

struct esp_worker *esp_worker_new(struct esp_table *t)
{
	struct esp_worker *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->t = t;
	atomic_init(&w->seen, ESP_EPOCH_OFFLINE);
	for (int v = 0; v < ESP_VERDICT_COUNT; v++)
		atomic_init(&w->drops[v], 0);
	pthread_mutex_lock(&t->lock);
	w->next = t->workers;
	t->workers = w;
	pthread_mutex_unlock(&t->lock);
	return w;
}

void esp_worker_free(struct esp_worker *w)
{
	if (!w)
		return;
	struct esp_table *t = w->t;
	pthread_mutex_lock(&t->lock);
	for (struct esp_worker **pp = &t->workers; *pp; pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			break;
		}
	for (int v = 0; v < ESP_VERDICT_COUNT; v++)
		t->gone_drops[v] += atomic_load(&w->drops[v]);
	table_reclaim_locked(t);
	pthread_mutex_unlock(&t->lock);
	free(w);
}

void esp_worker_quiescent(struct esp_worker *w)
{
	/* Release: every read of the snapshot happens before the control
	 * thread sees us offline and frees it. */
	atomic_store_explicit(&w->seen, ESP_EPOCH_OFFLINE, memory_order_release);
	w->online = false;
}

void worker_log_drop(struct esp_worker *w, enum esp_verdict v, const char *dir,
		     uint32_t spi, const union lg_sockaddr *from)
{
	char addr[LG_ADDRSTRLEN] = "-";
	uint64_t now = esp_coarse_wall_ms();

	/* Per worker, so a flood of bad packets never contends on a lock. */
	if (now < w->log_next_ms) {
		w->log_suppressed++;
		return;
	}
	w->log_next_ms = now + 1000;
	if (from && from->sa.sa_family != AF_UNSPEC)
		lg_sockaddr_format(from, addr, sizeof(addr));
	lg_log(LOG_NOTICE, "event=esp_drop dir=%s reason=%s spi=0x%08x from=%s suppressed=%llu",
	       dir, esp_verdict_name(v), spi, addr, (unsigned long long)w->log_suppressed);
	w->log_suppressed = 0;
}

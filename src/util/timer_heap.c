/* A binary min-heap of embedded timers (see linegate/timer_heap.h). Each
 * timer knows its index, so moving or cancelling one needs no search. */
#include <errno.h>
#include <stdlib.h>
#include "linegate/hash.h"
#include "linegate/timer_heap.h"

static void place(struct lg_timer_heap *h, size_t i, struct lg_timer *t)
{
	h->v[i] = t;
	t->pos = i + 1;
}

static void sift_up(struct lg_timer_heap *h, size_t i)
{
	struct lg_timer *t = h->v[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (h->v[parent]->due_ms <= t->due_ms)
			break;
		place(h, i, h->v[parent]);
		i = parent;
	}
	place(h, i, t);
}

static void sift_down(struct lg_timer_heap *h, size_t i)
{
	struct lg_timer *t = h->v[i];

	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= h->n)
			break;
		if (c + 1 < h->n && h->v[c + 1]->due_ms < h->v[c]->due_ms)
			c++;
		if (t->due_ms <= h->v[c]->due_ms)
			break;
		place(h, i, h->v[c]);
		i = c;
	}
	place(h, i, t);
}

void lg_timer_heap_free(struct lg_timer_heap *h)
{
	for (size_t i = 0; i < h->n; i++)
		h->v[i]->pos = 0;
	free(h->v);
	*h = (struct lg_timer_heap){ 0 };
}

int lg_timer_set(struct lg_timer_heap *h, struct lg_timer *t, uint64_t due_ms)
{
	if (t->pos) {
		uint64_t was = t->due_ms;
		t->due_ms = due_ms;
		if (due_ms < was)
			sift_up(h, t->pos - 1);
		else
			sift_down(h, t->pos - 1);
		return 0;
	}
	if (lg_grow((void **)&h->v, &h->cap, h->n + 1, sizeof(*h->v)))
		return -ENOMEM;
	t->due_ms = due_ms;
	place(h, h->n++, t);
	sift_up(h, h->n - 1);
	return 0;
}

int lg_timer_by(struct lg_timer_heap *h, struct lg_timer *t, uint64_t due_ms)
{
	if (t->pos && t->due_ms <= due_ms)
		return 0;
	return lg_timer_set(h, t, due_ms);
}

void lg_timer_cancel(struct lg_timer_heap *h, struct lg_timer *t)
{
	size_t i;

	if (!t->pos)
		return;
	i = t->pos - 1;
	t->pos = 0;
	if (i == --h->n)
		return;
	/* the last entry fills the hole and moves whichever way it must */
	place(h, i, h->v[h->n]);
	if (i > 0 && h->v[(i - 1) / 2]->due_ms > h->v[i]->due_ms)
		sift_up(h, i);
	else
		sift_down(h, i);
}

struct lg_timer *lg_timer_pop_due(struct lg_timer_heap *h, uint64_t now_ms)
{
	struct lg_timer *t;

	if (!h->n || h->v[0]->due_ms > now_ms)
		return NULL;
	t = h->v[0];
	lg_timer_cancel(h, t);
	return t;
}

uint64_t lg_timer_next_due(const struct lg_timer_heap *h)
{
	return h->n ? h->v[0]->due_ms : UINT64_MAX;
}

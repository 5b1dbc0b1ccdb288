/* Timers of many objects without walking them all: a binary min-heap of
 * deadlines (milliseconds), each entry embedded in its object. Scheduling,
 * moving and cancelling cost O(log n); asking what is due costs O(1) when
 * nothing is, so a tick's work follows what is due, not how many exist. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Embedded in the object; zero-initialised means not scheduled. */
struct lg_timer {
	uint64_t due_ms;
	size_t pos;            /* index in the heap + 1; 0 = not scheduled */
};

struct lg_timer_heap {
	struct lg_timer **v;
	size_t n, cap;
};

void lg_timer_heap_free(struct lg_timer_heap *h);   /* the objects stay */
static inline bool lg_timer_scheduled(const struct lg_timer *t)
{
	return t->pos != 0;
}
/* Schedules t at due_ms, or moves it there if it is scheduled already.
 * 0 or -ENOMEM (t unchanged). */
int lg_timer_set(struct lg_timer_heap *h, struct lg_timer *t, uint64_t due_ms);
/* Moves t earlier only (schedules it if it is not): a "look at it by
 * due_ms" that never postpones a deadline already set. 0 or -ENOMEM. */
int lg_timer_by(struct lg_timer_heap *h, struct lg_timer *t, uint64_t due_ms);
void lg_timer_cancel(struct lg_timer_heap *h, struct lg_timer *t);   /* no-op if unscheduled */
/* The earliest timer due at or before now_ms, taken off the heap (the
 * caller reschedules it if it wants), or NULL. */
struct lg_timer *lg_timer_pop_due(struct lg_timer_heap *h, uint64_t now_ms);
/* The earliest deadline, UINT64_MAX when nothing is scheduled. */
uint64_t lg_timer_next_due(const struct lg_timer_heap *h);

/* util: the timer heap against a naive reference (an array of deadlines
 * scanned linearly), step by step through random schedule / move /
 * move-earlier / cancel / advance sequences: after every step each timer's
 * state agrees, and an advance pops exactly the timers the reference finds
 * due, earliest first. Also few distinct deadlines (many ties). */
#include <check.h>
#include <stdlib.h>
#include "linegate/timer_heap.h"
#include "check_main.h"

enum { TIMERS = 512, OPS = 40000 };

struct obj {
	struct lg_timer t;
	bool on;               /* the reference: scheduled? */
	uint64_t due;          /* the reference: when */
};

static struct obj objs[TIMERS];

static struct obj *obj_of(struct lg_timer *t)
{
	return (struct obj *)((char *)t - offsetof(struct obj, t));
}

/* Plain comparisons in the loops: each ck_assert is a write to Check's
 * pipe, millions of them would be the whole run. */
static void check_all(const struct lg_timer_heap *h, int step)
{
	uint64_t min = UINT64_MAX;
	size_t n = 0;

	for (int i = 0; i < TIMERS; i++) {
		const struct obj *o = &objs[i];
		if (lg_timer_scheduled(&o->t) != o->on || (o->on && o->t.due_ms != o->due))
			ck_abort_msg("step %d: timer %d differs from the reference", step, i);
		if (!o->on)
			continue;
		n++;
		if (o->due < min)
			min = o->due;
	}
	if (h->n != n || lg_timer_next_due(h) != min)
		ck_abort_msg("step %d: %zu timers, next %llu; reference %zu, %llu", step, h->n,
			     (unsigned long long)lg_timer_next_due(h), n, (unsigned long long)min);
}

static void run_sequence(uint64_t spread, uint32_t seed)
{
	struct lg_timer_heap h = { 0 };
	uint64_t now = 1000;

	srandom(seed);
	for (int i = 0; i < TIMERS; i++)
		objs[i] = (struct obj){ 0 };
	for (int step = 0; step < OPS; step++) {
		struct obj *o = &objs[random() % TIMERS];
		uint64_t due = now + (uint64_t)(random() % spread);
		switch (random() % 5) {
		case 0:
		case 1:
			ck_assert_int_eq(lg_timer_set(&h, &o->t, due), 0);
			o->on = true;
			o->due = due;
			break;
		case 2:
			ck_assert_int_eq(lg_timer_by(&h, &o->t, due), 0);
			if (!o->on || due < o->due)
				o->due = due;
			o->on = true;
			break;
		case 3:
			lg_timer_cancel(&h, &o->t);
			o->on = false;
			break;
		default: {
			struct lg_timer *t;
			uint64_t last = 0;
			now += (uint64_t)(random() % (spread / 4 + 1));
			while ((t = lg_timer_pop_due(&h, now))) {
				struct obj *p = obj_of(t);
				/* due, and earliest first */
				if (!p->on || p->due > now || p->due < last)
					ck_abort_msg("step %d: popped a timer not due or out of order", step);
				last = p->due;
				p->on = false;
			}
			for (int i = 0; i < TIMERS; i++)
				if (objs[i].on && objs[i].due <= now)
					ck_abort_msg("step %d: timer %d due but not popped", step, i);
		}
		}
		check_all(&h, step);
	}
	lg_timer_heap_free(&h);
	for (int i = 0; i < TIMERS; i++)
		ck_assert(!lg_timer_scheduled(&objs[i].t));
}

START_TEST(heap_against_reference)
{
	static const uint64_t spreads[] = { 100000, 5000, 7 };
	run_sequence(spreads[_i], 0x7157u + (uint32_t)_i);
}
END_TEST

START_TEST(heap_cancel_everything)
{
	struct lg_timer_heap h = { 0 };

	for (int i = 0; i < TIMERS; i++) {
		objs[i] = (struct obj){ 0 };
		ck_assert_int_eq(lg_timer_set(&h, &objs[i].t, (uint64_t)(TIMERS - i)), 0);
	}
	lg_timer_cancel(&h, &objs[0].t);
	lg_timer_cancel(&h, &objs[0].t);   /* twice: harmless */
	for (int i = TIMERS - 1; i > 0; i--)
		lg_timer_cancel(&h, &objs[i].t);
	ck_assert_uint_eq(h.n, 0);
	ck_assert_uint_eq(lg_timer_next_due(&h), UINT64_MAX);
	ck_assert_ptr_null(lg_timer_pop_due(&h, UINT64_MAX));
	lg_timer_heap_free(&h);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("util_timer_heap");
	TCase *tc = tcase_create("core");
	tcase_add_loop_test(tc, heap_against_reference, 0, 3);
	tcase_add_test(tc, heap_cancel_everything);
	suite_add_tcase(s, tc);
	return lg_check_run(s);
}

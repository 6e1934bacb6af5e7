// SPDX-License-Identifier: GPL-2.0
/*
 * test_loop.c: the loop's deferred calls on a test clock: at the end of a
 * round, or not before their time; poll waits no longer than until then.
 */
#include <stdint.h>

#include "loop.h"
#include "test.h"

static uint64_t clock_of(void *data)
{
	return *(const uint64_t *)data;
}

static void count(void *data)
{
	(*(int *)data)++;
}

TEST(loop_defer_in_waits_for_its_time)
{
	uint64_t t = 1000000;
	struct zd_loop *loop;
	int now = 0, later = 0;

	CHECK_EQ_INT(zd_loop_new(&loop), 0);
	zd_loop_set_clock(loop, clock_of, &t);
	CHECK_EQ_INT(zd_loop_defer_in(loop, 30, count, &later), 0);
	CHECK_EQ_INT(zd_loop_defer(loop, count, &now), 0);
	CHECK_EQ_INT(zd_loop_dispatch(loop, 0), 0);
	CHECK_EQ_INT(now, 1);
	CHECK_EQ_INT(later, 0);
	t += 29999; /* a microsecond early */
	CHECK_EQ_INT(zd_loop_dispatch(loop, 0), 0);
	CHECK_EQ_INT(later, 0);
	t += 1;
	CHECK_EQ_INT(zd_loop_dispatch(loop, 0), 0);
	CHECK_EQ_INT(later, 1);
	CHECK_EQ_INT(now, 1); /* each ran once */
	zd_loop_free(loop);
}

/* A pair deferred twice is one call, at the earlier time. */
TEST(loop_defer_in_twice_keeps_the_earlier_time)
{
	uint64_t t = 5000000;
	struct zd_loop *loop;
	int n = 0;

	CHECK_EQ_INT(zd_loop_new(&loop), 0);
	zd_loop_set_clock(loop, clock_of, &t);
	CHECK_EQ_INT(zd_loop_defer_in(loop, 100, count, &n), 0);
	CHECK_EQ_INT(zd_loop_defer_in(loop, 10, count, &n), 0);
	CHECK_EQ_INT(zd_loop_defer_in(loop, 50, count, &n), 0);
	t += 10000;
	CHECK_EQ_INT(zd_loop_dispatch(loop, 0), 0);
	CHECK_EQ_INT(n, 1);
	t += 100000;
	CHECK_EQ_INT(zd_loop_dispatch(loop, 0), 0);
	CHECK_EQ_INT(n, 1);
	zd_loop_free(loop);
}

/*
 * With nothing else to wake it, a dispatch that may wait forever returns
 * once a deferred call is due (real clock: 20 ms).
 */
TEST(loop_dispatch_wakes_for_a_deferred_call)
{
	struct zd_loop *loop;
	uint64_t t0;
	int n = 0;

	CHECK_EQ_INT(zd_loop_new(&loop), 0);
	t0 = zd_loop_now_us(loop);
	CHECK_EQ_INT(zd_loop_defer_in(loop, 20, count, &n), 0);
	for (int i = 0; i < 10 && !n; i++)
		CHECK_EQ_INT(zd_loop_dispatch(loop, -1), 0);
	CHECK_EQ_INT(n, 1);
	CHECK(zd_loop_now_us(loop) - t0 >= 20000);
	zd_loop_free(loop);
}

static uint64_t counted_clock(void *data)
{
	return ++*(uint64_t *)data;
}

/*
 * A round with nothing deferred reads no clock: in a PV domain under Xen
 * each read is a system call, and a flip takes two rounds.
 */
TEST(loop_round_without_deferred_calls_reads_no_clock)
{
	uint64_t reads = 0;
	struct zd_loop *loop;
	int ran = 0;

	CHECK_EQ_INT(zd_loop_new(&loop), 0);
	zd_loop_set_clock(loop, counted_clock, &reads);
	for (int i = 0; i < 10; i++)
		CHECK_EQ_INT(zd_loop_dispatch(loop, 0), 0);
	CHECK_EQ_INT(reads, 0);
	/* With one deferred, the clock is read to run it. */
	CHECK_EQ_INT(zd_loop_defer(loop, count, &ran), 0);
	CHECK_EQ_INT(zd_loop_dispatch(loop, 0), 0);
	CHECK_EQ_INT(ran, 1);
	CHECK(reads > 0);
	zd_loop_free(loop);
}

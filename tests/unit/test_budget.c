// SPDX-License-Identifier: GPL-2.0
/* test_budget.c: a device's budget of blocking display work (budget.h). */
#include "budget.h"
#include "test.h"

TEST(budget_starts_full_and_refills_at_its_rate)
{
	struct zd_budget b;
	uint64_t t = 1000000;

	zd_budget_init(&b, 100000, 200000, t); /* 100 ms a second: a 200 ms burst */
	CHECK(zd_budget_take(&b, t));
	zd_budget_charge(&b, 250000); /* one long modeset: 50 ms overdrawn */
	CHECK(!zd_budget_take(&b, t));
	CHECK_EQ_INT(b.waits, 1);
	CHECK(!zd_budget_take(&b, t)); /* the same wait, not a second one */
	CHECK_EQ_INT(b.waits, 1);
	/* 50 ms and a microsecond of credit to earn, at 0.1 ms per ms. */
	CHECK_EQ_INT(zd_budget_wait_ms(&b, t), 501);
	CHECK(!zd_budget_take(&b, t + 500000));
	CHECK(zd_budget_take(&b, t + 501000));
	CHECK_EQ_INT(zd_budget_wait_ms(&b, t + 501000), 0);
	/* Idle for an hour: full again, and no more than full. */
	t += 3600ull * 1000000u;
	CHECK(zd_budget_take(&b, t));
	zd_budget_charge(&b, 200000);
	CHECK(!zd_budget_take(&b, t));
	CHECK_EQ_INT(b.spent, 450000);
}

TEST(budget_rate_0_is_unlimited)
{
	struct zd_budget b;

	zd_budget_init(&b, 0, 0, 0);
	zd_budget_charge(&b, 3600ull * 1000000u);
	CHECK(zd_budget_take(&b, 0));
	CHECK_EQ_INT(zd_budget_wait_ms(&b, 0), 0);
	CHECK_EQ_INT(b.spent, 3600ull * 1000000u);
}

/* A clock that jumps back (or a cost beyond an hour) does not wrap. */
TEST(budget_clock_backwards_and_huge_costs)
{
	struct zd_budget b;

	zd_budget_init(&b, 200000, 400000, 5000000);
	CHECK(zd_budget_take(&b, 1000)); /* earlier than init: no refill, no wrap */
	zd_budget_charge(&b, UINT64_MAX);
	CHECK_EQ_INT(b.spent, 3600ull * 1000000u);
	CHECK(!zd_budget_take(&b, 5000000));
	/* (1 h - 400 ms) at 200 ms a second, in ms: 5 h less 2 s, and a bit. */
	CHECK_EQ_INT(zd_budget_wait_ms(&b, 5000000), 17998001);
}

/* looks tries to connect, 10 ms apart from *t on: how many could. */
static unsigned int connect_looks(struct zd_budget *b, uint64_t *t, int looks)
{
	unsigned int n = 0;

	for (int i = 0; i < looks; i++) {
		*t += 10000;
		if (zd_budget_take(b, *t)) {
			zd_budget_charge(b, ZD_CONNECT_COST);
			n++;
		}
	}
	return n;
}

/*
 * Connects: ZD_CONNECT_COST units each at 30 units a second is 30 a
 * minute, after a burst of ZD_CONNECT_BURST.
 */
TEST(budget_counts_connects_a_minute)
{
	struct zd_budget b;
	uint64_t t = 7000000;
	unsigned int n = 0;

	zd_budget_init(&b, 30, ZD_CONNECT_BURST * ZD_CONNECT_COST, t);
	for (; zd_budget_take(&b, t); n++)
		zd_budget_charge(&b, ZD_CONNECT_COST);
	CHECK_EQ_INT(n, ZD_CONNECT_BURST);
	/* One unit to earn: 1/30 s. */
	CHECK_EQ_INT(zd_budget_wait_ms(&b, t), 34);
	/* Looks every 10 ms each earn a third of a unit: none of it is lost. */
	n += connect_looks(&b, &t, 200);
	/* Over those 2 s: the one that waited 34 ms, none more. */
	CHECK_EQ_INT(n, ZD_CONNECT_BURST + 1);
	n += connect_looks(&b, &t, 20);
	/* 60 units, 2 s after that one: the next. */
	CHECK_EQ_INT(n, ZD_CONNECT_BURST + 2);
	CHECK_EQ_INT(b.spent, (ZD_CONNECT_BURST + 2) * ZD_CONNECT_COST);
}

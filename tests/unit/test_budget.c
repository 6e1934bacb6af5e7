// SPDX-License-Identifier: GPL-2.0
/* test_budget.c: a device's budget of blocking display work (budget.h). */
#include "budget.h"
#include "test.h"

TEST(budget_starts_full_and_refills_at_its_rate)
{
	struct zd_budget b;
	uint64_t t = 1000000;

	zd_budget_init(&b, 100, t); /* 100 ms a second: a 200 ms burst */
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
	CHECK_EQ_INT(b.spent_us, 450000);
}

TEST(budget_rate_0_is_unlimited)
{
	struct zd_budget b;

	zd_budget_init(&b, 0, 0);
	zd_budget_charge(&b, 3600ull * 1000000u);
	CHECK(zd_budget_take(&b, 0));
	CHECK_EQ_INT(zd_budget_wait_ms(&b, 0), 0);
	CHECK_EQ_INT(b.spent_us, 3600ull * 1000000u);
}

/* A clock that jumps back (or a cost beyond an hour) does not wrap. */
TEST(budget_clock_backwards_and_huge_costs)
{
	struct zd_budget b;

	zd_budget_init(&b, 200, 5000000);
	CHECK(zd_budget_take(&b, 1000)); /* earlier than init: no refill, no wrap */
	zd_budget_charge(&b, UINT64_MAX);
	CHECK_EQ_INT(b.spent_us, 3600ull * 1000000u);
	CHECK(!zd_budget_take(&b, 5000000));
	/* (1 h - 400 ms) at 200 ms a second, in ms: 5 h less 2 s, and a bit. */
	CHECK_EQ_INT(zd_budget_wait_ms(&b, 5000000), 17998001);
}

// SPDX-License-Identifier: GPL-2.0
/* budget.c: a device's share of blocking display work (see budget.h). */
#include "budget.h"

static int64_t burst_us(const struct zd_budget *b)
{
	return (int64_t)b->rate_ms * 1000 * ZD_DISPLAY_BURST_S;
}

void zd_budget_init(struct zd_budget *b, uint32_t rate_ms, uint64_t now_us)
{
	*b = (struct zd_budget){.rate_ms = rate_ms, .at_us = now_us};
	b->credit_us = burst_us(b);
}

/* Credit for the time since at_us: rate_ms per second, up to the burst. */
static void refill(struct zd_budget *b, uint64_t now_us)
{
	uint64_t dt;

	if (now_us <= b->at_us)
		return;
	dt = now_us - b->at_us;
	b->at_us = now_us;
	/* dt * rate_ms stays far below 2^63 for centuries of dt. */
	b->credit_us += (int64_t)(dt * b->rate_ms / 1000u);
	if (b->credit_us > burst_us(b))
		b->credit_us = burst_us(b);
}

bool zd_budget_take(struct zd_budget *b, uint64_t now_us)
{
	if (!b->rate_ms)
		return true;
	refill(b, now_us);
	if (b->credit_us > 0) {
		b->waiting = false;
		return true;
	}
	if (!b->waiting)
		b->waits++;
	b->waiting = true;
	return false;
}

void zd_budget_charge(struct zd_budget *b, uint64_t cost_us)
{
	/* A cost beyond an hour is a clock gone wrong; it counts as an hour. */
	if (cost_us > 3600ull * 1000000u)
		cost_us = 3600ull * 1000000u;
	b->spent_us += cost_us;
	if (b->rate_ms)
		b->credit_us -= (int64_t)cost_us;
}

unsigned int zd_budget_wait_ms(struct zd_budget *b, uint64_t now_us)
{
	uint64_t need_us;

	if (!b->rate_ms)
		return 0;
	refill(b, now_us);
	if (b->credit_us > 0)
		return 0;
	/* Until the credit is above zero: (1 - credit) us at rate_ms per s. */
	need_us = (uint64_t)(1 - b->credit_us) * 1000u / b->rate_ms;
	return (unsigned int)((need_us + 999) / 1000);
}

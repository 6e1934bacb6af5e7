// SPDX-License-Identifier: GPL-2.0
/* budget.c: a token bucket of a device's work (see budget.h). */
#include "budget.h"

#include <limits.h>

/* A longer idle time, or a larger cost, counts as this much. */
#define MAX_US (3600ull * 1000000u)

void zd_budget_init(struct zd_budget *b, uint64_t rate, uint64_t burst, uint64_t now_us)
{
	if (burst > MAX_US)
		burst = MAX_US;
	*b = (struct zd_budget){.rate = rate, .burst = (int64_t)burst, .at_us = now_us};
	b->credit = b->burst;
}

/* Credit for the time since at_us: rate units a second, up to the burst. */
static void refill(struct zd_budget *b, uint64_t now_us)
{
	uint64_t dt, earned;

	if (now_us <= b->at_us)
		return;
	dt = now_us - b->at_us;
	if (dt > MAX_US)
		dt = MAX_US;
	/* dt * rate < 2^63: rate is at most a million units a second. */
	earned = dt * b->rate / 1000000u;
	if (b->credit + (int64_t)earned >= b->burst) {
		b->credit = b->burst;
		b->at_us = now_us;
		return;
	}
	b->credit += (int64_t)earned;
	/* The time that earned less than a whole unit counts next time. */
	b->at_us += earned * 1000000u / b->rate;
}

bool zd_budget_take(struct zd_budget *b, uint64_t now_us)
{
	if (!b->rate)
		return true;
	refill(b, now_us);
	if (b->credit > 0) {
		b->waiting = false;
		return true;
	}
	if (!b->waiting)
		b->waits++;
	b->waiting = true;
	return false;
}

void zd_budget_charge(struct zd_budget *b, uint64_t cost)
{
	if (cost > MAX_US)
		cost = MAX_US;
	b->spent += cost;
	if (b->rate)
		b->credit -= (int64_t)cost;
}

unsigned int zd_budget_wait_ms(struct zd_budget *b, uint64_t now_us)
{
	uint64_t need_us;

	if (!b->rate)
		return 0;
	refill(b, now_us);
	if (b->credit > 0)
		return 0;
	/* Until the credit is above zero: 1 - credit units at rate a second. */
	need_us = ((uint64_t)(1 - b->credit) * 1000000u + b->rate - 1) / b->rate;
	if (now_us > b->at_us)
		need_us = need_us > now_us - b->at_us ? need_us - (now_us - b->at_us) : 0;
	need_us = (need_us + 999) / 1000;
	return need_us > UINT_MAX ? UINT_MAX : (unsigned int)need_us;
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * budget.h: a device's share of the loop's time for blocking display work
 * (modesets, flip waits, release waits), as a token bucket of microseconds.
 *
 * The bucket fills at rate_ms per second up to ZD_DISPLAY_BURST_S seconds'
 * worth and starts full. Each blocking operation is timed and its whole
 * duration taken out, so the credit may go below zero; while it is not
 * above zero the device's next blocking request waits on its ring. Over
 * time a device gets at most rate_ms of every second, whatever it asks.
 * rate_ms 0: no limit.
 */
#ifndef ZD_BUDGET_H
#define ZD_BUDGET_H

#include <stdbool.h>
#include <stdint.h>

#define ZD_DISPLAY_BURST_S 2

struct zd_budget {
	uint32_t rate_ms; /* per second; 0: unlimited */
	int64_t credit_us;
	uint64_t at_us;	   /* when credit_us was last brought up to date */
	uint64_t spent_us; /* all it was charged, for the status */
	uint64_t waits;	   /* times it ran out of credit and had to wait */
	bool waiting;	   /* out of credit at the last look */
};

void zd_budget_init(struct zd_budget *b, uint32_t rate_ms, uint64_t now_us);
/* Is there credit at now_us? The first false answer of a run counts a wait. */
bool zd_budget_take(struct zd_budget *b, uint64_t now_us);
void zd_budget_charge(struct zd_budget *b, uint64_t cost_us);
/* Milliseconds from now_us until there is credit again (0: there is). */
unsigned int zd_budget_wait_ms(struct zd_budget *b, uint64_t now_us);

#endif /* ZD_BUDGET_H */

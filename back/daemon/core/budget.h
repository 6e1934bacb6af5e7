/* SPDX-License-Identifier: GPL-2.0 */
/*
 * budget.h: a token bucket that rations what one device makes the daemon
 * do: the loop's time for its blocking display work (modesets, flip and
 * release waits, in microseconds), its connects, and the steps of its
 * state machine that its watches cause.
 *
 * The bucket fills at rate units a second up to burst units and starts
 * full. Work is allowed while the credit is above zero, and its whole cost
 * is taken out afterwards, so the credit may go below zero; while it is
 * not above zero the device's next such work waits. Over time a device
 * gets at most rate units a second, whatever it asks. rate 0: no limit.
 */
#ifndef ZD_BUDGET_H
#define ZD_BUDGET_H

#include <stdbool.h>
#include <stdint.h>

#define ZD_DISPLAY_BURST_S 2 /* display work: 2 s' worth to start with */
#define ZD_CONNECT_BURST 4   /* connects in a row before the rate applies */
/*
 * A connect costs ZD_CONNECT_COST units and a device earns its
 * --max-connects of them a second: that many connects a minute.
 */
#define ZD_CONNECT_COST 60
/*
 * Steps a frontend's watch may cause: a connect is about four state
 * changes of the frontend's, so a device that connects as often as its
 * connect budget allows (half a connect a second) stays far below this.
 * A held device does not watch its frontend until its next step.
 */
#define ZD_STEP_BURST 64
#define ZD_STEPS_PER_S 5

struct zd_budget {
	uint64_t rate;	/* units a second; 0: unlimited */
	int64_t burst;	/* most credit it holds, and what it starts with */
	int64_t credit; /* units */
	uint64_t at_us; /* credit is up to date until then */
	uint64_t spent; /* all it was charged, for the status */
	uint64_t waits; /* times it ran out of credit and had to wait */
	bool waiting;	/* out of credit at the last look */
};

void zd_budget_init(struct zd_budget *b, uint64_t rate, uint64_t burst, uint64_t now_us);
/* Is there credit at now_us? The first false answer of a run counts a wait. */
bool zd_budget_take(struct zd_budget *b, uint64_t now_us);
void zd_budget_charge(struct zd_budget *b, uint64_t cost);
/* Milliseconds from now_us until there is credit again (0: there is). */
unsigned int zd_budget_wait_ms(struct zd_budget *b, uint64_t now_us);

#endif /* ZD_BUDGET_H */

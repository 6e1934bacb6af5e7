// SPDX-License-Identifier: GPL-2.0
/*
 * test_log.c: the daemon's log as a guest can drive it: its strings are
 * escaped, its repeats are limited, and what was held back is said so.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xen/io/xenbus.h>

#include "fe_sim.h"
#include "log.h"
#include "test.h"

/* stderr into a file from here on; capture_end() returns what was written. */
static FILE *capture_begin(void)
{
	FILE *f = tmpfile();

	CHECK_NOT_NULL(f);
	fflush(stderr);
	CHECK(dup2(fileno(f), STDERR_FILENO) >= 0);
	return f;
}

static char *capture_end(FILE *f)
{
	static char buf[1 << 16];
	size_t n;

	fflush(stderr);
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	return buf;
}

static unsigned int count(const char *text, const char *what)
{
	unsigned int n = 0;

	for (const char *p = text; (p = strstr(p, what)); p += strlen(what))
		n++;
	return n;
}

TEST(log_escapes_what_is_not_printable)
{
	FILE *f = capture_begin();

	zd_log(ZD_LOG_WARN, "dom1/vdispl/0", "unique-id '%s'", "a\nb\x1b[2Jc\\\xff");
	CHECK_STR_EQ(capture_end(f),
		     "warn: dom1/vdispl/0: unique-id 'a\\x0ab\\x1b[2Jc\\x5c\\xff'\n");
}

TEST(log_rate_limit_reports_what_it_held_back_on_a_line_of_its_own)
{
	struct zd_ratelimit rl = {0};
	FILE *f = capture_begin();
	char *out;

	for (int i = 0; i < ZD_RL_BURST + 5; i++)
		zd_log_rl(&rl, ZD_LOG_WARN, "dom1/vdispl/0", "bad request %d", i);
	rl.begin -= ZD_RL_INTERVAL_S; /* the next window */
	zd_log_rl(&rl, ZD_LOG_WARN, "dom1/vdispl/0", "something else");
	out = capture_end(f);
	CHECK_EQ_INT(count(out, "bad request"), ZD_RL_BURST);
	CHECK(strstr(out, "warn: dom1/vdispl/0: 5 messages suppressed by the rate limit\n"
			  "warn: dom1/vdispl/0: something else\n") != NULL);
}

/* A frontend that flaps its state: the device's transitions are logged, but limited. */
/* The frontend connects and starts over n times. */
static void reconnect(struct sim *s, int n)
{
	for (int i = 0; i < n; i++) {
		CHECK_EQ_INT(sim_fe_connect(s), 0);
		sim_set_fe_state(s, XenbusStateInitialising);
		CHECK_EQ_INT(sim_fe_teardown(s), 0);
	}
}

TEST(log_state_transitions_of_a_flapping_frontend_are_limited)
{
	static const char *const vga[] = {"640x480"};
	FILE *f;
	char *out;
	struct sim s;

	CHECK_EQ_INT(sim_start(&s, 1, vga, 1), 0);
	f = capture_begin();
	reconnect(&s, 50);
	out = capture_end(f);
	/* 100 transitions at least; a burst of them, and the count of the rest. */
	CHECK(count(out, " -> ") <= ZD_RL_BURST);
	CHECK(count(out, "connected: ") <= ZD_RL_BURST);
	CHECK(sim_be_state(&s) == XenbusStateInitWait);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

/*
 * What a guest's reconnects make the display do is limited with its
 * connector's limiter: here, finding no output free (two connectors, one
 * output), and the limiter the display gets with each claim.
 */
TEST(log_display_messages_of_a_reconnecting_frontend_are_limited)
{
	static const char *const vga[] = {"640x480", "640x480"};
	FILE *f;
	char *out;
	struct sim s;

	CHECK_EQ_INT(sim_start(&s, 2, vga, 1), 0);
	f = capture_begin();
	reconnect(&s, 50);
	out = capture_end(f);
	CHECK(count(out, "no display output free") >= 1);
	CHECK(count(out, "no display output free") <= ZD_RL_BURST);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(log_display_gets_the_connectors_limiter_at_each_claim)
{
	static const char *const vga[] = {"640x480"};
	struct zd_ratelimit *seen = NULL;
	struct sim s;

	CHECK_EQ_INT(sim_start(&s, 1, vga, 1), 0);
	for (int i = 0; i < 3; i++) {
		CHECK_EQ_INT(sim_fe_connect(&s), 0);
		CHECK_NOT_NULL(fake_display_output(s.display, 0)->rl);
		/* The same limiter every time: the connector's, not a fresh one. */
		if (seen)
			CHECK(fake_display_output(s.display, 0)->rl == seen);
		seen = fake_display_output(s.display, 0)->rl;
		sim_set_fe_state(&s, XenbusStateInitialising);
		CHECK_EQ_INT(sim_fe_teardown(&s), 0);
	}
	CHECK_EQ_INT(sim_stop(&s), 0);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * quiet_log.c: back/daemon/base/log.h for the fuzzer, in place of log.c.
 *
 * At thousands of inputs a second the daemon's error lines would drown
 * libFuzzer's output and cost most of the time. Every message is still
 * formatted (so a bad format or argument is still caught by the
 * sanitizers), then dropped unless ZD_FUZZ_LOG is set in the environment.
 * No clock and no rate limiting: runs stay deterministic.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"

static int verbose = -1;

static bool want(void)
{
	if (verbose < 0)
		verbose = getenv("ZD_FUZZ_LOG") != NULL;
	return verbose;
}

enum zd_log_level zd_log_level(void)
{
	return ZD_LOG_DEBUG;
}

int zd_log_parse_level(const char *s, enum zd_log_level *out)
{
	static const char *const names[] = {"error", "warn", "info", "debug"};

	for (unsigned int i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcasecmp(s, names[i])) {
			*out = (enum zd_log_level)i;
			return 0;
		}
	}
	return -1;
}

__attribute__((format(printf, 2, 0))) static void vlog(const char *prefix, const char *fmt,
						       va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (want())
		fprintf(stderr, "%s%s%s\n", prefix ? prefix : "", prefix ? ": " : "", msg);
}

void zd_log(enum zd_log_level lvl, const char *prefix, const char *fmt, ...)
{
	va_list ap;

	(void)lvl;
	va_start(ap, fmt);
	vlog(prefix, fmt, ap);
	va_end(ap);
}

bool zd_log_rl(struct zd_ratelimit *rl, enum zd_log_level lvl, const char *prefix, const char *fmt,
	       ...)
{
	va_list ap;

	(void)rl;
	(void)lvl;
	va_start(ap, fmt);
	vlog(prefix, fmt, ap);
	va_end(ap);
	return true;
}

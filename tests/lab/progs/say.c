// SPDX-License-Identifier: GPL-2.0
/* say.c: see say.h. */
#include "say.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

static struct timespec t_start;

void say_init(void)
{
	clock_gettime(CLOCK_MONOTONIC, &t_start);
	setvbuf(stdout, NULL, _IOLBF, 0);
}

void say(const char *fmt, ...)
{
	struct timespec now;
	va_list ap;

	clock_gettime(CLOCK_MONOTONIC, &now);
	printf("[%8.3f] ", (double)(now.tv_sec - t_start.tv_sec) +
				   (double)(now.tv_nsec - t_start.tv_nsec) / 1e9);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

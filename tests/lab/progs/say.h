/* SPDX-License-Identifier: GPL-2.0 */
/*
 * say.h: the lab test programs' log lines, each stamped with the seconds
 * since say_init(), and their monotonic clock.
 */
#ifndef ZD_LAB_SAY_H
#define ZD_LAB_SAY_H

#include <stdint.h>

/* Start the clock the stamps count from; stdout becomes line buffered. */
void say_init(void);
/* One line on stdout: "[seconds] " and the message. */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* CLOCK_MONOTONIC in milliseconds. */
int64_t now_ms(void);

#endif /* ZD_LAB_SAY_H */

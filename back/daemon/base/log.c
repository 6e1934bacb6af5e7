// SPDX-License-Identifier: GPL-2.0
/* log.c: levels, prefixes and rate limiting for the daemon's log. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

static enum zd_log_level cur_level = ZD_LOG_INFO;
static bool to_syslog;

static const char *const names[] = {"error", "warn", "info", "debug"};

void zd_log_init(enum zd_log_level level, bool use_syslog)
{
	cur_level = level;
	to_syslog = use_syslog;
	if (use_syslog)
		openlog("zdispl-back", LOG_PID, LOG_DAEMON);
}

enum zd_log_level zd_log_level(void)
{
	return cur_level;
}

int zd_log_parse_level(const char *s, enum zd_log_level *out)
{
	for (unsigned int i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcasecmp(s, names[i])) {
			*out = (enum zd_log_level)i;
			return 0;
		}
	}
	return -1;
}

/*
 * Guests' strings (unique-id, version, node values) reach log lines: every
 * octet outside printable ASCII, and the backslash, is written as \xNN, so
 * a line is one line and carries no terminal escapes.
 */
static void escape(const char *in, char *out, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	for (const unsigned char *p = (const unsigned char *)in; *p && o + 5 <= size; p++) {
		if (*p >= 0x20 && *p < 0x7f && *p != '\\') {
			out[o++] = (char)*p;
		} else {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[*p >> 4];
			out[o++] = hex[*p & 15];
		}
	}
	out[o] = '\0';
}

static void vlog(enum zd_log_level lvl, const char *prefix, const char *fmt, va_list ap)
{
	static const int prio[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};
	char msg[1024], line[4 * sizeof(msg)];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	escape(msg, line, sizeof(line));
	if (to_syslog)
		syslog(prio[lvl], "%s%s%s", prefix ? prefix : "", prefix ? ": " : "", line);
	else
		fprintf(stderr, "%s: %s%s%s\n", names[lvl], prefix ? prefix : "",
			prefix ? ": " : "", line);
}

static void log_line(enum zd_log_level lvl, const char *prefix, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void log_line(enum zd_log_level lvl, const char *prefix, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(lvl, prefix, fmt, ap);
	va_end(ap);
}

void zd_log(enum zd_log_level lvl, const char *prefix, const char *fmt, ...)
{
	va_list ap;

	if (lvl > cur_level)
		return;
	va_start(ap, fmt);
	vlog(lvl, prefix, fmt, ap);
	va_end(ap);
}

bool zd_log_rl(struct zd_ratelimit *rl, enum zd_log_level lvl, const char *prefix, const char *fmt,
	       ...)
{
	time_t now = time(NULL);
	va_list ap;

	if (lvl > cur_level)
		return false;
	if (now - rl->begin >= ZD_RL_INTERVAL_S) {
		rl->begin = now;
		rl->printed = 0;
	}
	if (rl->printed >= ZD_RL_BURST) {
		rl->suppressed++;
		return false;
	}
	rl->printed++;
	if (rl->suppressed) {
		/* Its own line: what was held back need not resemble what comes now. */
		log_line(ZD_LOG_WARN, prefix, "%lu messages suppressed by the rate limit",
			 rl->suppressed);
		rl->suppressed = 0;
	}
	va_start(ap, fmt);
	vlog(lvl, prefix, fmt, ap);
	va_end(ap);
	return true;
}

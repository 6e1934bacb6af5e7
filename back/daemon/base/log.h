/* SPDX-License-Identifier: GPL-2.0 */
/*
 * log.h: the daemon's log. Lines go to stderr (or syslog with --syslog),
 * prefixed with the level and, for device messages, dom<N>/vdispl/<dev>
 * (and /<conn> for a connector), e.g.
 *
 *   info: dom3/vdispl/0: InitWait -> Connected
 *   warn: dom3/vdispl/0/1: PG_FLIP: unknown fb cookie 0x2a
 *
 * zd_log_rl() is for messages a guest can trigger: each limiter (one per
 * device, or per output) passes ZD_RL_BURST lines per ZD_RL_INTERVAL_S
 * seconds; what it suppresses is counted, and reported in a line of its
 * own before the next one it passes. Every octet of a line outside
 * printable ASCII, and the backslash, is logged as \xNN: guests' strings
 * cannot break lines or send terminal escapes.
 */
#ifndef ZD_LOG_H
#define ZD_LOG_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

enum zd_log_level { ZD_LOG_ERR, ZD_LOG_WARN, ZD_LOG_INFO, ZD_LOG_DEBUG };

#define ZD_RL_BURST 10
#define ZD_RL_INTERVAL_S 5

struct zd_ratelimit {
	time_t begin;
	unsigned int printed;
	unsigned long suppressed;
};

void zd_log_init(enum zd_log_level level, bool use_syslog);
enum zd_log_level zd_log_level(void);
int zd_log_parse_level(const char *s, enum zd_log_level *out);

void zd_log(enum zd_log_level lvl, const char *prefix, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Rate-limited: false when the line was suppressed. */
bool zd_log_rl(struct zd_ratelimit *rl, enum zd_log_level lvl, const char *prefix, const char *fmt,
	       ...) __attribute__((format(printf, 4, 5)));

#define zd_err(pfx, ...) zd_log(ZD_LOG_ERR, pfx, __VA_ARGS__)
#define zd_warn(pfx, ...) zd_log(ZD_LOG_WARN, pfx, __VA_ARGS__)
#define zd_info(pfx, ...) zd_log(ZD_LOG_INFO, pfx, __VA_ARGS__)
#define zd_dbg(pfx, ...) zd_log(ZD_LOG_DEBUG, pfx, __VA_ARGS__)

#endif /* ZD_LOG_H */

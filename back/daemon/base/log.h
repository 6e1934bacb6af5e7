/* SPDX-License-Identifier: GPL-2.0 */
/*
 * log.h: the daemon's log. Lines are prefixed, for device messages, with
 * dom<N>/vdispl/<dev> (and /<conn> for a connector), e.g.
 *
 *   info: dom3/vdispl/0: InitWait -> Connected
 *   warn: dom3/vdispl/0/1: PG_FLIP: unknown fb cookie 0x2a
 *
 * They go to one target:
 *   stderr   as above, the level first;
 *   syslog   facility daemon, ident zdispl-back, the level as priority;
 *   journal  systemd's journal through its native protocol (a datagram to
 *            ZD_JOURNAL_SOCKET): MESSAGE (the line without the level),
 *            PRIORITY, SYSLOG_IDENTIFIER=zdispl-back and, for a device's
 *            line, ZDISPL_DEVICE (dom3/vdispl/0), ZDISPL_DOMID,
 *            ZDISPL_DEVID and for a connector's ZDISPL_CONNECTOR, so that
 *            `journalctl ZDISPL_DOMID=3` shows one guest's lines;
 *   auto     the journal when stderr is a journal stream (systemd says so
 *            in $JOURNAL_STREAM), else stderr.
 * A journal that cannot be reached at start (no journald) makes the log go
 * to stderr; a line the journal does not take at once (journald
 * restarting, its socket full) goes to stderr too: nothing blocks the
 * loop, nothing is lost.
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

enum zd_log_target { ZD_LOG_TO_AUTO, ZD_LOG_TO_STDERR, ZD_LOG_TO_SYSLOG, ZD_LOG_TO_JOURNAL };

#define ZD_JOURNAL_SOCKET "/run/systemd/journal/socket"

/*
 * Set the level and the target; returns the target in force (auto
 * resolved, the journal's fallback taken). zd_log_init_at(): the same
 * with the journal's socket at journal (tests). Closes what an earlier
 * call opened.
 */
enum zd_log_target zd_log_init(enum zd_log_level level, enum zd_log_target target);
enum zd_log_target zd_log_init_at(enum zd_log_level level, enum zd_log_target target,
				  const char *journal);
enum zd_log_level zd_log_level(void);
int zd_log_parse_level(const char *s, enum zd_log_level *out);
int zd_log_parse_target(const char *s, enum zd_log_target *out);
const char *zd_log_target_name(enum zd_log_target target);

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

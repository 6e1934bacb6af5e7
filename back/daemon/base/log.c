// SPDX-License-Identifier: GPL-2.0
/* log.c: levels, prefixes, rate limiting and targets of the daemon's log. */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

static enum zd_log_level cur_level = ZD_LOG_INFO;
static enum zd_log_target cur_target = ZD_LOG_TO_STDERR;
static int journal_fd = -1;

static const char *const names[] = {"error", "warn", "info", "debug"};
static const char *const target_names[] = {"auto", "stderr", "syslog", "journal"};

/* systemd's $JOURNAL_STREAM is "DEV:INODE" of the stream it gave us. */
static bool stderr_is_journal(void)
{
	const char *env = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	int end = 0;

	if (!env || sscanf(env, "%llu:%llu%n", &dev, &ino, &end) != 2 || env[end])
		return false;
	return !fstat(STDERR_FILENO, &st) && (unsigned long long)st.st_dev == dev &&
	       (unsigned long long)st.st_ino == ino;
}

static int journal_connect(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

enum zd_log_target zd_log_init_at(enum zd_log_level level, enum zd_log_target target,
				  const char *journal)
{
	int fd = -1;

	if (journal_fd >= 0)
		close(journal_fd);
	journal_fd = -1;
	if (cur_target == ZD_LOG_TO_SYSLOG)
		closelog();
	cur_level = level;
	if (target == ZD_LOG_TO_AUTO)
		target = stderr_is_journal() ? ZD_LOG_TO_JOURNAL : ZD_LOG_TO_STDERR;
	if (target == ZD_LOG_TO_JOURNAL) {
		fd = journal_connect(journal);
		if (fd < 0) {
			cur_target = ZD_LOG_TO_STDERR;
			zd_warn(NULL, "journal %s: %s: logging to stderr", journal, strerror(-fd));
			return cur_target;
		}
		journal_fd = fd;
	}
	if (target == ZD_LOG_TO_SYSLOG)
		openlog("zdispl-back", LOG_PID, LOG_DAEMON);
	cur_target = target;
	return cur_target;
}

enum zd_log_target zd_log_init(enum zd_log_level level, enum zd_log_target target)
{
	return zd_log_init_at(level, target, ZD_JOURNAL_SOCKET);
}

enum zd_log_level zd_log_level(void)
{
	return cur_level;
}

static int parse_name(const char *s, const char *const *list, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (!strcasecmp(s, list[i]))
			return (int)i;
	return -1;
}

int zd_log_parse_level(const char *s, enum zd_log_level *out)
{
	int i = parse_name(s, names, sizeof(names) / sizeof(names[0]));

	if (i < 0)
		return -1;
	*out = (enum zd_log_level)i;
	return 0;
}

int zd_log_parse_target(const char *s, enum zd_log_target *out)
{
	int i = parse_name(s, target_names, sizeof(target_names) / sizeof(target_names[0]));

	if (i < 0)
		return -1;
	*out = (enum zd_log_target)i;
	return 0;
}

const char *zd_log_target_name(enum zd_log_target target)
{
	return (unsigned int)target < sizeof(target_names) / sizeof(target_names[0])
		       ? target_names[target]
		       : "?";
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

/*
 * One line to the journal: its fields as KEY=value lines (no value holds a
 * newline: the line is escaped, the prefix is ours). A device's prefix,
 * dom<N>/vdispl/<dev>[/<conn>], also gives the device's fields. False if
 * the journal did not take it at once.
 */
static bool journal_send(enum zd_log_level lvl, const char *prefix, const char *line)
{
	static const int prio[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};
	char head[256], dev[160] = "", msg[4200];
	unsigned int dom, devid, conn;
	struct iovec iov[3];
	int n = 0, end = 0;
	size_t len;

	if (prefix && sscanf(prefix, "dom%u/vdispl/%u%n", &dom, &devid, &end) == 2) {
		if (!prefix[end])
			snprintf(dev, sizeof(dev),
				 "ZDISPL_DEVICE=%s\nZDISPL_DOMID=%u\nZDISPL_DEVID=%u\n", prefix,
				 dom, devid);
		else if (sscanf(prefix + end, "/%u%n", &conn, &n) == 1 && !prefix[end + n])
			snprintf(dev, sizeof(dev),
				 "ZDISPL_DEVICE=%.*s\nZDISPL_DOMID=%u\nZDISPL_DEVID=%u\n"
				 "ZDISPL_CONNECTOR=%u\n",
				 end, prefix, dom, devid, conn);
	}
	snprintf(head, sizeof(head), "PRIORITY=%d\nSYSLOG_IDENTIFIER=zdispl-back\n", prio[lvl]);
	len = (size_t)snprintf(msg, sizeof(msg), "MESSAGE=%s%s%s\n", prefix ? prefix : "",
			       prefix ? ": " : "", line);
	if (len >= sizeof(msg)) {
		len = sizeof(msg) - 1;
		msg[len - 1] = '\n';
	}
	iov[0] = (struct iovec){head, strlen(head)};
	iov[1] = (struct iovec){dev, strlen(dev)};
	iov[2] = (struct iovec){msg, len};
	return sendmsg(journal_fd, &(struct msghdr){.msg_iov = iov, .msg_iovlen = 3},
		       MSG_DONTWAIT | MSG_NOSIGNAL) >= 0;
}

static void vlog(enum zd_log_level lvl, const char *prefix, const char *fmt, va_list ap)
{
	static const int prio[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};
	char msg[1024], line[4 * sizeof(msg)];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	escape(msg, line, sizeof(line));
	if (cur_target == ZD_LOG_TO_SYSLOG) {
		syslog(prio[lvl], "%s%s%s", prefix ? prefix : "", prefix ? ": " : "", line);
		return;
	}
	if (cur_target == ZD_LOG_TO_JOURNAL && journal_send(lvl, prefix, line))
		return;
	fprintf(stderr, "%s: %s%s%s\n", names[lvl], prefix ? prefix : "", prefix ? ": " : "", line);
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

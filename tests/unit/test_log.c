// SPDX-License-Identifier: GPL-2.0
/*
 * test_log.c: the daemon's log as a guest can drive it: its strings are
 * escaped, its repeats are limited, and what was held back is said so.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
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

/*
 * The frontend connects and starts over n times, a quarter of a second
 * apart: as often as its step budget lets it be served at once.
 */
static void reconnect(struct sim *s, int n)
{
	uint64_t t;

	sim_clock_start(s, &t);
	for (int i = 0; i < n; i++) {
		sim_clock_advance(s, &t, 250000);
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

/* A journal socket of our own in a fresh directory; its path goes to path. */
static int journal_open(char *path, size_t size)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char dir[] = "/tmp/zd-journal-XXXXXX";
	int fd;

	CHECK_NOT_NULL(mkdtemp(dir));
	snprintf(path, size, "%s/socket", dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	CHECK(fd >= 0);
	CHECK_EQ_INT(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static void journal_close(int fd, const char *path)
{
	char dir[PATH_MAX];

	close(fd);
	unlink(path);
	snprintf(dir, sizeof(dir), "%s", path);
	*strrchr(dir, '/') = '\0';
	rmdir(dir);
}

/* The next entry the journal got, as text, or "" if none came. */
static const char *journal_entry(int fd)
{
	static char buf[8192];
	ssize_t n;

	n = test_fd_readable(fd) ? recv(fd, buf, sizeof(buf) - 1, 0) : 0;
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

TEST(log_journal_entries_carry_the_devices_fields)
{
	char path[PATH_MAX];
	int fd = journal_open(path, sizeof(path));
	const char *e;

	CHECK_EQ_INT(zd_log_init_at(ZD_LOG_INFO, ZD_LOG_TO_JOURNAL, path), ZD_LOG_TO_JOURNAL);
	zd_log(ZD_LOG_INFO, "dom3/vdispl/0", "InitWait -> Connected");
	e = journal_entry(fd);
	CHECK(strstr(e, "PRIORITY=6\n") != NULL);
	CHECK(strstr(e, "SYSLOG_IDENTIFIER=zdispl-back\n") != NULL);
	CHECK(strstr(e, "ZDISPL_DEVICE=dom3/vdispl/0\nZDISPL_DOMID=3\nZDISPL_DEVID=0\n") != NULL);
	CHECK(strstr(e, "ZDISPL_CONNECTOR=") == NULL);
	CHECK(strstr(e, "MESSAGE=dom3/vdispl/0: InitWait -> Connected\n") != NULL);

	/* A connector's line names its device and the connector. */
	zd_log(ZD_LOG_WARN, "dom12/vdispl/1/3", "unique-id '%s'", "a\nb");
	e = journal_entry(fd);
	CHECK(strstr(e, "PRIORITY=4\n") != NULL);
	CHECK(strstr(e, "ZDISPL_DEVICE=dom12/vdispl/1\nZDISPL_DOMID=12\nZDISPL_DEVID=1\n"
			"ZDISPL_CONNECTOR=3\n") != NULL);
	/* Escaped as on stderr: one field a line. */
	CHECK(strstr(e, "MESSAGE=dom12/vdispl/1/3: unique-id 'a\\x0ab'\n") != NULL);

	/* The daemon's own lines, and prefixes that are not a device's, have none. */
	zd_log(ZD_LOG_ERR, NULL, "no usable display");
	e = journal_entry(fd);
	CHECK(strstr(e, "PRIORITY=3\n") != NULL && strstr(e, "MESSAGE=no usable display\n"));
	CHECK(strstr(e, "ZDISPL_") == NULL);
	zd_log(ZD_LOG_ERR, "dom3/vdispl/x", "odd");
	CHECK(strstr(journal_entry(fd), "ZDISPL_") == NULL);
	/* Below the level: nothing. */
	zd_log(ZD_LOG_DEBUG, "dom3/vdispl/0", "quiet");
	CHECK_STR_EQ(journal_entry(fd), "");
	zd_log_init(ZD_LOG_INFO, ZD_LOG_TO_STDERR);
	journal_close(fd, path);
}

TEST(log_journal_that_goes_away_falls_back_to_stderr)
{
	char path[PATH_MAX];
	int fd = journal_open(path, sizeof(path));
	FILE *f;

	CHECK_EQ_INT(zd_log_init_at(ZD_LOG_INFO, ZD_LOG_TO_JOURNAL, path), ZD_LOG_TO_JOURNAL);
	journal_close(fd, path);
	f = capture_begin();
	zd_log(ZD_LOG_INFO, "dom3/vdispl/0", "Connected -> Closing");
	CHECK_STR_EQ(capture_end(f), "info: dom3/vdispl/0: Connected -> Closing\n");
	/* No journal at start: stderr, and a line that says so. */
	f = capture_begin();
	CHECK_EQ_INT(zd_log_init_at(ZD_LOG_INFO, ZD_LOG_TO_JOURNAL, path), ZD_LOG_TO_STDERR);
	CHECK(strstr(capture_end(f), "logging to stderr") != NULL);
	zd_log_init(ZD_LOG_INFO, ZD_LOG_TO_STDERR);
}

TEST(log_auto_takes_the_journal_only_when_stderr_is_its_stream)
{
	char path[PATH_MAX], env[64];
	int fd = journal_open(path, sizeof(path));
	FILE *f = capture_begin();
	struct stat st;

	CHECK_EQ_INT(fstat(STDERR_FILENO, &st), 0);
	unsetenv("JOURNAL_STREAM");
	CHECK_EQ_INT(zd_log_init_at(ZD_LOG_INFO, ZD_LOG_TO_AUTO, path), ZD_LOG_TO_STDERR);
	snprintf(env, sizeof(env), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino + 1);
	setenv("JOURNAL_STREAM", env, 1); /* another stream: stderr was redirected */
	CHECK_EQ_INT(zd_log_init_at(ZD_LOG_INFO, ZD_LOG_TO_AUTO, path), ZD_LOG_TO_STDERR);
	snprintf(env, sizeof(env), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino);
	setenv("JOURNAL_STREAM", env, 1);
	CHECK_EQ_INT(zd_log_init_at(ZD_LOG_INFO, ZD_LOG_TO_AUTO, path), ZD_LOG_TO_JOURNAL);
	zd_info(NULL, "to the journal");
	CHECK(strstr(journal_entry(fd), "MESSAGE=to the journal\n") != NULL);
	CHECK_STR_EQ(capture_end(f), "");
	zd_log_init(ZD_LOG_INFO, ZD_LOG_TO_STDERR);
	unsetenv("JOURNAL_STREAM");
	journal_close(fd, path);
}

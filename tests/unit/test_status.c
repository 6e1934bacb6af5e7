// SPDX-License-Identifier: GPL-2.0
/* test_status.c: the status snapshot says what the daemon really holds. */
#include <drm_fourcc.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "fakexen/fakexen.h"
#include "fe_sim.h"
#include "loop.h"
#include "status.h"
#include "test.h"

/* Not inlined: GCC 12 then takes the stream's buffer for a dangling local. */
static __attribute__((noinline)) char *snapshot(struct sim *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	zd_status_write(s->be, f);
	fclose(f);
	return buf;
}

TEST(status_reports_devices_connectors_and_buffer_paths)
{
	static const char *const res[] = {"640x480", "800x600"};
	struct sim s;
	char *snap;

	CHECK_EQ_INT(sim_start(&s, 2, res, 1), 0);
	CHECK_EQ_INT(sim_fe_connect(&s), 0);
	CHECK_EQ_INT(sim_dbuf_create(&s, 0xab, 64, 16, 32, NULL), 0);
	snap = snapshot(&s);
	CHECK(strstr(snap, "zdispl-back version=1 devices=1 zcopy=none\n") != NULL);
	CHECK(strstr(snap, "device name=dom1/vdispl/0 state=Connected") != NULL);
	CHECK(strstr(snap,
		     "buffers=1 fbs=0 pages=1 granted-pages=0 deferred-pages=0 display-ms=0 display-waits=0 connects=1 connect-waits=0 steps=") !=
	      NULL);
	/* Its steps were its watches' (a few), none held. */
	CHECK(strstr(snap, " step-waits=0\n") != NULL);
	/* One fake output: connector 0 gets it, connector 1 runs headless. */
	CHECK(strstr(snap, "conn name=dom1/vdispl/0/0 resolution=640x480 output=Fake-1") != NULL);
	CHECK(strstr(snap, "conn name=dom1/vdispl/0/1 resolution=800x600 output=none") != NULL);
	/* Its one directory page, then one batched map of its data. */
	CHECK(strstr(snap, "cookie=0xab size=64x16x32 bytes=4096 pages=1 create-us=") != NULL);
	CHECK(strstr(snap, " map-calls=2 path=copy why=\"") != NULL);
	CHECK(strstr(snap, "events-dropped=0 requests=1 errors=0\n") != NULL);
	free(snap);
	/* The same cookie again, and an fb on a buffer that does not exist. */
	CHECK(sim_dbuf_create(&s, 0xab, 64, 16, 32, NULL) != 0);
	CHECK(sim_fb_attach(&s, 0x77, 0x1, 64, 16, 0) != 0);
	snap = snapshot(&s);
	CHECK(strstr(snap, "events-dropped=0 requests=3 errors=2\n") != NULL);
	free(snap);
	/* 1024 pages: two directory pages (1023 grefs each), then the data. */
	CHECK_EQ_INT(sim_dbuf_create(&s, 0xac, 1024, 1024, 32, NULL), 0);
	snap = snapshot(&s);
	CHECK(strstr(snap, "cookie=0xac size=1024x1024x32 bytes=4194304 pages=1024 create-us=") !=
	      NULL);
	CHECK(strstr(strstr(snap, "cookie=0xac"), " map-calls=3 path=copy") != NULL);
	free(snap);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

/* Leak accounting: the daemon's own fds and resident memory, from /proc. */
TEST(status_reports_the_process_fds_and_rss)
{
	static const char *const res[] = {"640x480"};
	long fds = -1, rss = -1, fds2 = -1;
	struct sim s;
	char *snap, *p;
	int extra;

	CHECK_EQ_INT(sim_start(&s, 1, res, 1), 0);
	snap = snapshot(&s);
	p = strstr(snap, "\nprocess fds=");
	CHECK(p != NULL);
	CHECK_EQ_INT(sscanf(p, "\nprocess fds=%ld rss-kib=%ld\n", &fds, &rss), 2);
	CHECK(fds > 0);
	CHECK(rss > 0);
	free(snap);
	/* One more open fd shows. */
	extra = open("/dev/null", O_RDONLY | O_CLOEXEC);
	CHECK(extra >= 0);
	snap = snapshot(&s);
	CHECK_EQ_INT(sscanf(strstr(snap, "\nprocess fds="), "\nprocess fds=%ld", &fds2), 1);
	CHECK_EQ_INT((int)(fds2 - fds), 1);
	close(extra);
	free(snap);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

/*
 * Out of file descriptors: a client is turned away (EOF at once) instead of
 * staying queued with the socket readable, which made the loop spin.
 */
TEST(status_out_of_fds_turns_a_client_away)
{
	static const char *const res[] = {"640x480"};
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	struct rlimit lim = {64, 64};
	struct zd_status *st;
	struct sim s;
	int c, fill[64], n = 0;
	char buf[16];

	CHECK_EQ_INT(sim_start(&s, 1, res, 1), 0);
	snprintf(addr.sun_path, sizeof(addr.sun_path), "/tmp/zdispl-test-%d.sock", (int)getpid());
	CHECK_EQ_INT(zd_status_open(s.be, addr.sun_path, &st), 0);
	c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(c >= 0);
	CHECK_EQ_INT(setrlimit(RLIMIT_NOFILE, &lim), 0);
	while (n < 64 &&
	       (fill[n] = open("/dev/null", O_RDONLY)) >= 0) /* every fd under the limit */
		n++;
	CHECK_EQ_INT(connect(c, (struct sockaddr *)&addr, sizeof(addr)), 0);
	zd_loop_dispatch(s.loop, 0);
	while (n)
		close(fill[--n]);
	CHECK(test_fd_readable(c));
	CHECK_EQ_INT(read(c, buf, sizeof(buf)), 0);
	close(c);
	zd_status_close(st);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

/* A client that reads gets the whole snapshot, sent without blocking the loop. */
TEST(status_socket_sends_the_snapshot)
{
	static const char *const res[] = {"640x480"};
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	struct zd_status *st;
	char buf[4096];
	struct sim s;
	ssize_t n, got = 0;
	int c;

	CHECK_EQ_INT(sim_start(&s, 1, res, 1), 0);
	CHECK_EQ_INT(sim_fe_connect(&s), 0);
	snprintf(addr.sun_path, sizeof(addr.sun_path), "/tmp/zdispl-test-%d.sock", (int)getpid());
	CHECK_EQ_INT(zd_status_open(s.be, addr.sun_path, &st), 0);
	c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK_EQ_INT(connect(c, (struct sockaddr *)&addr, sizeof(addr)), 0);
	zd_loop_dispatch(s.loop, 0);
	while ((n = read(c, buf + got, sizeof(buf) - 1 - (size_t)got)) > 0)
		got += n;
	buf[got] = '\0';
	CHECK(strstr(buf, "zdispl-back version=1 devices=1") == buf);
	CHECK(strstr(buf, "conn name=dom1/vdispl/0/0 ") != NULL);
	close(c);
	zd_status_close(st);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

/* A second daemon must not take the socket, nor serve, while one runs. */
TEST(status_socket_of_a_running_daemon_is_not_taken)
{
	static const char *const res[] = {"640x480"};
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	struct zd_status *st, *st2;
	struct sim s;
	int stale;

	CHECK_EQ_INT(sim_start(&s, 1, res, 1), 0);
	snprintf(addr.sun_path, sizeof(addr.sun_path), "/tmp/zdispl-test-%d.sock", (int)getpid());
	unlink(addr.sun_path);
	CHECK_EQ_INT(zd_status_probe(addr.sun_path), 0); /* no socket */
	CHECK_EQ_INT(zd_status_open(s.be, addr.sun_path, &st), 0);
	CHECK_EQ_INT(zd_status_probe(addr.sun_path), -EADDRINUSE);
	CHECK_EQ_INT(zd_status_open(s.be, addr.sun_path, &st2), -EADDRINUSE);
	CHECK(access(addr.sun_path, F_OK) == 0); /* still the first one's */
	zd_status_close(st);
	/* A socket nobody listens on (a daemon that died): stale, replaced. */
	stale = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK_EQ_INT(bind(stale, (struct sockaddr *)&addr, sizeof(addr)), 0);
	close(stale);
	CHECK_EQ_INT(zd_status_probe(addr.sun_path), 0);
	CHECK_EQ_INT(zd_status_open(s.be, addr.sun_path, &st), 0);
	zd_status_close(st);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

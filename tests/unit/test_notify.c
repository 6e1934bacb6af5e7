// SPDX-License-Identifier: GPL-2.0
/*
 * test_notify.c: readiness reaches the socket $NOTIFY_SOCKET names, a path
 * or an abstract name, as one datagram; nothing is sent without it, and a
 * name that is no unix socket is refused.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "notify.h"
#include "test.h"

/* A datagram socket bound to name (leading '@': abstract); its fd. */
static int listener(const char *name)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	size_t len = strlen(name);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	memcpy(sa.sun_path, name, len);
	if (name[0] == '@')
		sa.sun_path[0] = '\0';
	if (fd >= 0 && bind(fd, (struct sockaddr *)&sa,
			    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len))) {
		close(fd);
		return -1;
	}
	return fd;
}

static void expect_datagram(int fd, const char *want)
{
	char buf[64];
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);

	CHECK(n >= 0);
	buf[n < 0 ? 0 : n] = '\0';
	CHECK_STR_EQ(buf, want);
}

TEST(notify_reaches_a_path_socket)
{
	char path[] = "/tmp/zd-notify-XXXXXX";
	char sock[64];
	int fd;

	CHECK_NOT_NULL(mkdtemp(path));
	snprintf(sock, sizeof(sock), "%s/notify", path);
	fd = listener(sock);
	CHECK(fd >= 0);
	setenv("NOTIFY_SOCKET", sock, 1);
	CHECK_EQ_INT(zd_notify("READY=1"), 0);
	expect_datagram(fd, "READY=1");
	unsetenv("NOTIFY_SOCKET");
	close(fd);
	unlink(sock);
	rmdir(path);
}

TEST(notify_reaches_an_abstract_socket)
{
	char name[64];
	int fd;

	snprintf(name, sizeof(name), "@zd-notify-test-%ld", (long)getpid());
	fd = listener(name);
	CHECK(fd >= 0);
	setenv("NOTIFY_SOCKET", name, 1);
	CHECK_EQ_INT(zd_notify("STOPPING=1"), 0);
	expect_datagram(fd, "STOPPING=1");
	unsetenv("NOTIFY_SOCKET");
	close(fd);
}

TEST(notify_without_a_socket_does_nothing_and_refuses_garbage)
{
	unsetenv("NOTIFY_SOCKET");
	CHECK_EQ_INT(zd_notify("READY=1"), 0);
	setenv("NOTIFY_SOCKET", "relative/path", 1);
	CHECK_EQ_INT(zd_notify("READY=1"), -EINVAL);
	setenv("NOTIFY_SOCKET", "/nonexistent/zd-notify", 1);
	CHECK_EQ_INT(zd_notify("READY=1"), -ENOENT);
	unsetenv("NOTIFY_SOCKET");
}

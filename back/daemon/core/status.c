// SPDX-License-Identifier: GPL-2.0
/* status.c: the status socket (see status.h). */
#include "status.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "backend.h"
#include "device.h"
#include "../base/log.h"
#include "zerocopy.h"

struct zd_status {
	struct zd_backend *be;
	struct zd_source *src;
	int fd;
	int spare_fd; /* /dev/null, given up to turn a client away when out of fds */
	struct zd_ratelimit rl;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

/*
 * The daemon's own open fds and resident memory, for leak accounting: once
 * a guest is gone they return to what they were before it came (-1 when
 * /proc cannot tell).
 */
static void process_write(FILE *f)
{
	long fds = -1, rss_kib = -1;
	struct dirent *e;
	char line[128];
	DIR *d = opendir("/proc/self/fd");
	FILE *st;

	if (d) {
		fds = 0;
		while ((e = readdir(d)))
			fds += e->d_name[0] != '.';
		fds--; /* the directory's own fd */
		closedir(d);
	}
	st = fopen("/proc/self/status", "re");
	while (st && fgets(line, sizeof(line), st))
		if (sscanf(line, "VmRSS: %ld kB", &rss_kib) == 1)
			break;
	if (st)
		fclose(st);
	fprintf(f, "process fds=%ld rss-kib=%ld\n", fds, rss_kib);
}

static void write_snapshot(struct zd_backend *be, FILE *f, bool process)
{
	unsigned int n = 0;
	struct zd_device *d;

	for (d = be->devices; d; d = d->next)
		n++;
	fprintf(f, "zdispl-back version=1 devices=%u zcopy=%s\n", n, zd_zcopy_name(be->env.zcopy));
	if (process)
		process_write(f);
	for (d = be->devices; d; d = d->next) {
		struct zd_device_info di;
		struct zd_dbuf_info bi;

		zd_device_info(d, &di);
		fprintf(f,
			"device name=%s state=%s frontend=%s version=%u be-alloc=%d buffers=%u "
			"fbs=%u pages=%llu granted-pages=%llu deferred-pages=%llu display-ms=%llu "
			"display-waits=%llu connects=%llu connect-waits=%llu steps=%llu step-waits=%llu\n",
			di.name, zd_xenbus_state_name(di.state), zd_xenbus_state_name(di.fe_state),
			di.version, di.be_alloc, di.buffers, di.fbs, (unsigned long long)di.pages,
			(unsigned long long)di.granted_pages, (unsigned long long)di.deferred_pages,
			(unsigned long long)di.display_ms, (unsigned long long)di.display_waits,
			(unsigned long long)di.connects, (unsigned long long)di.connect_waits,
			(unsigned long long)di.steps, (unsigned long long)di.step_waits);
		for (unsigned int i = 0; i < di.nr_conns; i++) {
			struct zd_conn_info ci;

			zd_device_conn_info(d, i, &ci);
			fprintf(f,
				"conn name=%s resolution=%ux%u output=%s configured=%d flips=%llu "
				"bytes-copied=%llu events-dropped=%llu requests=%llu errors=%llu\n",
				ci.name, ci.width, ci.height, ci.output, ci.configured,
				(unsigned long long)ci.flips, (unsigned long long)ci.bytes_copied,
				(unsigned long long)ci.events_dropped,
				(unsigned long long)ci.requests, (unsigned long long)ci.errors);
		}
		for (uint32_t i = 0; zd_device_dbuf_info(d, i, &bi) == 0; i++)
			fprintf(f,
				"buffer device=%s cookie=%#llx size=%ux%ux%u bytes=%u pages=%u "
				"create-us=%u map-calls=%u path=%s why=\"%s\"\n",
				di.name, (unsigned long long)bi.cookie, bi.width, bi.height, bi.bpp,
				bi.size, bi.npages, bi.create_us, bi.map_calls,
				zd_path_name(bi.path), bi.why);
	}
}

void zd_status_write(struct zd_backend *be, FILE *f)
{
	write_snapshot(be, f, true);
}

void zd_status_write_devices(struct zd_backend *be, FILE *f)
{
	write_snapshot(be, f, false);
}

/*
 * Out of fds, accept4() fails and the client stays queued: the socket
 * stays readable and the loop would spin on it. The spare fd makes room
 * to accept it and hang up at once.
 */
static void turn_away(struct zd_status *st)
{
	int fd;

	if (st->spare_fd < 0)
		return;
	close(st->spare_fd);
	fd = accept4(st->fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd >= 0)
		close(fd);
	st->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	zd_log_rl(&st->rl, ZD_LOG_WARN, NULL,
		  "status: out of file descriptors: a client was turned away");
}

static void on_client(void *data)
{
	struct zd_status *st = data;
	int fd = accept4(st->fd, NULL, NULL, SOCK_CLOEXEC);
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (fd < 0) {
		if (errno == EMFILE || errno == ENFILE)
			turn_away(st);
		return;
	}
	/*
	 * The snapshot is made in memory and sent without blocking: a client
	 * that does not read gets what fits in the socket buffer, then EOF,
	 * and the loop never waits for it.
	 */
	f = open_memstream(&buf, &len);
	if (f) {
		zd_status_write(st->be, f);
		if (fclose(f) == 0)
			(void)!send(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	}
	free(buf);
	close(fd);
}

int zd_status_open(struct zd_backend *be, const char *path, struct zd_status **out)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	struct zd_status *st;
	mode_t old;
	int r;

	if (strlen(path) >= sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->be = be;
	st->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	strcpy(st->path, path);
	strcpy(addr.sun_path, path);
	st->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (st->fd < 0) {
		r = -errno;
		goto err_free;
	}
	r = zd_status_probe(path);
	if (r)
		goto err_close;
	unlink(path); /* a stale socket from a previous run */
	old = umask(0077);
	r = bind(st->fd, (struct sockaddr *)&addr, sizeof(addr)) ? -errno : 0;
	umask(old);
	if (r)
		goto err_close;
	if (listen(st->fd, 4)) {
		r = -errno;
		goto err_unlink;
	}
	st->src = zd_loop_add(be->loop, st->fd, on_client, st);
	if (!st->src) {
		r = -ENOMEM;
		goto err_unlink;
	}
	*out = st;
	return 0;

err_unlink:
	unlink(path);
err_close:
	close(st->fd);
err_free:
	if (st->spare_fd >= 0)
		close(st->spare_fd);
	free(st);
	return r;
}

int zd_status_probe(const char *path)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	int fd, r;

	if (strlen(path) >= sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* Something listens there: a daemon that runs. ECONNREFUSED: stale. */
	r = connect(fd, (struct sockaddr *)&addr, sizeof(addr)) ? 0 : -EADDRINUSE;
	close(fd);
	return r;
}

void zd_status_close(struct zd_status *st)
{
	if (!st)
		return;
	zd_loop_remove(st->be->loop, st->src);
	close(st->fd);
	if (st->spare_fd >= 0)
		close(st->spare_fd);
	unlink(st->path);
	free(st);
}

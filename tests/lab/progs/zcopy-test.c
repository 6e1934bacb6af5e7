// SPDX-License-Identifier: GPL-2.0
/*
 * zdispl-zcopy-test: exercises the dom0 helper (/dev/zdispl-zcopy) in the
 * lab, without a guest: dom0 grants a KMS dumb buffer's pages to itself
 * through IMPORT and maps those grants back through EXPORT, so both
 * directions run against the real hypervisor.
 *
 *   zdispl-zcopy-test [--card PATH] CASE
 *     perm      a non-root caller is refused (EPERM)
 *     args      bad sizes, flags, domids, fds, ids and pointers are refused
 *     loop      dumb buffer -> IMPORT (refs) -> EXPORT (dma-buf) -> mmap of
 *               the export shows the dumb buffer's pixels, and a change made
 *               through the dumb buffer; everything released, counters 0
 *     deferred  IMPORT_RELEASE while the refs are still mapped reports them
 *               busy; they end once the mapping is gone
 *     remap     a user mapping of an export through fork (not inherited),
 *               a partial munmap (refused) and an mremap move; every state
 *               freed once (user_maps_alive back to 0), counters 0
 *     hold FILE export and keep the dma-buf open until SIGTERM, writing FILE
 *               when ready (the scenario tries rmmod meanwhile)
 *     stats     print the module's counters
 * Prints one line per check; exit status 0 only if all passed.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <xf86drm.h>
#include <zdispl/zcopy.h>

#include "../../../tools/common/drmcard.h"

#define W 256
#define H 64
#define NPAGES (W * H * 4 / 4096)

static int failures;

static void check(bool ok, const char *what, const char *detail)
{
	printf("%s %s%s%s\n", ok ? "ok" : "FAIL", what, detail ? ": " : "", detail ? detail : "");
	if (!ok)
		failures++;
}

/* ioctl that must fail with want. */
static void expect_errno(int fd, unsigned long cmd, void *arg, int want, const char *what)
{
	char d[96];
	int r = ioctl(fd, cmd, arg);

	snprintf(d, sizeof(d), "rc %d errno %s, want %s", r, r ? strerror(errno) : "-",
		 strerror(want));
	check(r == -1 && errno == want, what, d);
}

static int zc_open(void)
{
	int fd = open("/dev/" ZCOPY_DEVICE_NAME, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "zdispl-zcopy-test: /dev/%s: %s\n", ZCOPY_DEVICE_NAME,
			strerror(errno));
		exit(2);
	}
	return fd;
}

static struct zcopy_stats stats(int zc)
{
	struct zcopy_stats s;

	if (ioctl(zc, ZCOPY_IOCTL_STATS, &s)) {
		perror("ZCOPY_IOCTL_STATS");
		exit(2);
	}
	return s;
}

static void print_stats(const struct zcopy_stats *s)
{
	printf("exports_alive=%" PRIu64 " pages_mapped=%" PRIu64 " imports_alive=%" PRIu64
	       " grants_alive=%" PRIu64 " grants_deferred=%" PRIu64 " user_maps_alive=%" PRIu64
	       "\n",
	       (uint64_t)s->exports_alive, (uint64_t)s->pages_mapped, (uint64_t)s->imports_alive,
	       (uint64_t)s->grants_alive, (uint64_t)s->grants_deferred,
	       (uint64_t)s->user_maps_alive);
}

static bool stats_zero(const struct zcopy_stats *s)
{
	return !s->exports_alive && !s->pages_mapped && !s->imports_alive && !s->grants_alive &&
	       !s->grants_deferred && !s->user_maps_alive;
}

/* A W x H XRGB dumb buffer on card: its mapping and a PRIME fd. */
struct dumb {
	int card;
	uint32_t handle, pitch;
	uint64_t size;
	uint32_t *px;
	int fd;
};

static int accept_any(int fd, void *ctx)
{
	uint64_t v = 0;

	(void)ctx;
	return drmGetCap(fd, DRM_CAP_DUMB_BUFFER, &v) == 0 && v;
}

static void dumb_create(const char *path, struct dumb *d)
{
	struct drm_mode_create_dumb c = {.width = W, .height = H, .bpp = 32};
	struct drm_mode_map_dumb m = {0};
	char p[ZD_CARD_PATH_MAX];

	d->card = zd_open_card(path, accept_any, NULL, p, sizeof(p));
	if (d->card < 0)
		exit(2);
	if (drmIoctl(d->card, DRM_IOCTL_MODE_CREATE_DUMB, &c) || c.pitch != W * 4 ||
	    c.size != (uint64_t)NPAGES * 4096) {
		fprintf(stderr, "zdispl-zcopy-test: dumb buffer on %s: %s (pitch %u size %llu)\n",
			p, strerror(errno), c.pitch, (unsigned long long)c.size);
		exit(2);
	}
	d->handle = c.handle;
	d->pitch = c.pitch;
	d->size = c.size;
	m.handle = c.handle;
	if (drmIoctl(d->card, DRM_IOCTL_MODE_MAP_DUMB, &m))
		exit(2);
	d->px = mmap(NULL, d->size, PROT_READ | PROT_WRITE, MAP_SHARED, d->card, (off_t)m.offset);
	if (d->px == MAP_FAILED)
		exit(2);
	if (drmPrimeHandleToFD(d->card, d->handle, DRM_CLOEXEC | DRM_RDWR, &d->fd))
		exit(2);
	for (uint32_t i = 0; i < W * H; i++)
		d->px[i] = 0xff000000u | (i * 2654435761u >> 8);
}

static void dumb_destroy(struct dumb *d)
{
	struct drm_mode_destroy_dumb x = {.handle = d->handle};

	munmap(d->px, d->size);
	close(d->fd);
	drmIoctl(d->card, DRM_IOCTL_MODE_DESTROY_DUMB, &x);
	close(d->card);
}

static int do_import(int zc, const struct dumb *d, uint32_t *refs, uint32_t *id)
{
	struct zcopy_import im = {
		.fd = d->fd,
		.domid = 0,
		.nr_refs = NPAGES,
		.refs = (uintptr_t)refs,
	};
	int r = ioctl(zc, ZCOPY_IOCTL_IMPORT, &im);

	*id = im.id;
	return r ? -errno : 0;
}

static int do_export(int zc, const uint32_t *refs, uint32_t n, int *fd, uint32_t *id)
{
	struct zcopy_export ex = {.domid = 0, .nr_refs = n, .refs = (uintptr_t)refs};
	int r = ioctl(zc, ZCOPY_IOCTL_EXPORT, &ex);

	*fd = ex.fd;
	*id = ex.id;
	return r ? -errno : 0;
}

static int wait_released(int zc, uint32_t id, uint32_t ms)
{
	struct zcopy_wait_released w = {.id = id, .timeout_ms = ms};

	return ioctl(zc, ZCOPY_IOCTL_WAIT_RELEASED, &w) ? -errno : 0;
}

static int import_release(int zc, uint32_t id, uint32_t *busy)
{
	struct zcopy_import_release rel = {.id = id};
	int r = ioctl(zc, ZCOPY_IOCTL_IMPORT_RELEASE, &rel);

	*busy = rel.busy;
	return r ? -errno : 0;
}

static void case_perm(void)
{
	pid_t pid = fork();
	int st = 0;

	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(3);
		int fd = open("/dev/" ZCOPY_DEVICE_NAME, O_RDWR);

		_exit(fd < 0 && (errno == EPERM || errno == EACCES) ? 0 : 1);
	}
	waitpid(pid, &st, 0);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "non-root open refused", NULL);
}

static void case_args(const char *card)
{
	int zc = zc_open(), devnull = open("/dev/null", O_RDWR);
	uint32_t refs[4] = {0}, big = ZCOPY_MAX_PAGES + 1;
	struct zcopy_export ex;
	struct zcopy_import im;
	struct zcopy_wait_released w = {.id = 12345, .timeout_ms = 10};
	struct zcopy_import_release rel = {.id = 12345};
	struct dumb d;

	ex = (struct zcopy_export){.nr_refs = 0, .refs = (uintptr_t)refs};
	expect_errno(zc, ZCOPY_IOCTL_EXPORT, &ex, EINVAL, "export of 0 refs");
	ex = (struct zcopy_export){.nr_refs = big, .refs = (uintptr_t)refs};
	expect_errno(zc, ZCOPY_IOCTL_EXPORT, &ex, EINVAL, "export over ZCOPY_MAX_PAGES");
	ex = (struct zcopy_export){.nr_refs = 1, .refs = (uintptr_t)refs, .flags = 2};
	expect_errno(zc, ZCOPY_IOCTL_EXPORT, &ex, EINVAL, "export with unknown flags");
	ex = (struct zcopy_export){.nr_refs = 1, .refs = (uintptr_t)refs, .pad = 1};
	expect_errno(zc, ZCOPY_IOCTL_EXPORT, &ex, EINVAL, "export with pad set");
	ex = (struct zcopy_export){.domid = 0x7ff0, .nr_refs = 1, .refs = (uintptr_t)refs};
	expect_errno(zc, ZCOPY_IOCTL_EXPORT, &ex, EINVAL, "export from a reserved domid");
	ex = (struct zcopy_export){.nr_refs = 4, .refs = 16};
	expect_errno(zc, ZCOPY_IOCTL_EXPORT, &ex, EFAULT, "export with unreadable refs");
	/* Ref 0 is not granted to us by anyone: the map fails, nothing stays. */
	ex = (struct zcopy_export){.domid = 0, .nr_refs = 1, .refs = (uintptr_t)&big};
	big = 0x7ffffff0u;
	expect_errno(zc, ZCOPY_IOCTL_EXPORT, &ex, ENXIO, "export of a ref nobody granted");
	im = (struct zcopy_import){.fd = -1, .nr_refs = 1, .refs = (uintptr_t)refs};
	expect_errno(zc, ZCOPY_IOCTL_IMPORT, &im, EBADF, "import of fd -1");
	im = (struct zcopy_import){.fd = devnull, .nr_refs = 1, .refs = (uintptr_t)refs};
	expect_errno(zc, ZCOPY_IOCTL_IMPORT, &im, EBADF, "import of a file that is no dma-buf");
	dumb_create(card, &d);
	im = (struct zcopy_import){.fd = d.fd, .nr_refs = 4, .refs = (uintptr_t)refs};
	expect_errno(zc, ZCOPY_IOCTL_IMPORT, &im, EINVAL, "import with the wrong page count");
	im = (struct zcopy_import){.fd = d.fd, .nr_refs = NPAGES, .refs = 16};
	expect_errno(zc, ZCOPY_IOCTL_IMPORT, &im, EFAULT, "import with unwritable refs");
	dumb_destroy(&d);
	expect_errno(zc, ZCOPY_IOCTL_WAIT_RELEASED, &w, ENOENT, "wait for an unknown id");
	expect_errno(zc, ZCOPY_IOCTL_IMPORT_RELEASE, &rel, ENOENT, "release of an unknown id");
	expect_errno(zc, _IO('Z', 0x7f), NULL, ENOTTY, "unknown ioctl");
	struct zcopy_stats s = stats(zc);

	print_stats(&s);
	check(stats_zero(&s), "nothing left behind by refused calls", NULL);
	close(devnull);
	close(zc);
}

/* The end of a case: its import released, the dumb buffer gone, counters 0. */
static void end_import(int zc, uint32_t imp_id, struct dumb *db)
{
	struct zcopy_stats s;
	uint32_t busy = 99;
	char d[64];
	int r = import_release(zc, imp_id, &busy);

	snprintf(d, sizeof(d), "rc %d busy %u", r, busy);
	check(r == 0 && busy == 0, "import released with no ref busy", d);
	dumb_destroy(db);
	s = stats(zc);
	print_stats(&s);
	check(stats_zero(&s), "counters back to 0", NULL);
	close(zc);
}

static bool same(const uint32_t *a, const volatile uint32_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

static void case_loop(const char *card)
{
	uint32_t refs[NPAGES], imp_id, exp_id;
	int zc = zc_open(), buf = -1, r;
	char d[128];
	struct dumb db;
	struct zcopy_stats s;
	volatile uint32_t *view;

	dumb_create(card, &db);
	r = do_import(zc, &db, refs, &imp_id);
	check(r == 0, "import of a dumb buffer", r ? strerror(-r) : NULL);
	if (r)
		exit(1);
	s = stats(zc);
	snprintf(d, sizeof(d), "imports_alive %llu grants_alive %llu",
		 (unsigned long long)s.imports_alive, (unsigned long long)s.grants_alive);
	check(s.imports_alive == 1 && s.grants_alive == NPAGES, "import counted", d);

	r = do_export(zc, refs, NPAGES, &buf, &exp_id);
	check(r == 0, "export of the granted refs", r ? strerror(-r) : NULL);
	if (r)
		exit(1);
	s = stats(zc);
	snprintf(d, sizeof(d), "exports_alive %llu pages_mapped %llu",
		 (unsigned long long)s.exports_alive, (unsigned long long)s.pages_mapped);
	check(s.exports_alive == 1 && s.pages_mapped == NPAGES, "export counted", d);

	r = wait_released(zc, exp_id, 50);
	check(r == -ETIMEDOUT, "wait on a live export times out", r ? strerror(-r) : "0");

	view = mmap(NULL, db.size, PROT_READ, MAP_SHARED, buf, 0);
	check(view != MAP_FAILED, "read-only mmap of the export",
	      view == MAP_FAILED ? strerror(errno) : NULL);
	if (view == MAP_FAILED)
		exit(1);
	check(mmap(NULL, db.size, PROT_READ | PROT_WRITE, MAP_SHARED, buf, 0) == MAP_FAILED &&
		      errno == EACCES,
	      "writable mmap of a read-only export refused", NULL);
	check(same(db.px, view, W * H), "export shows the dumb buffer's pixels", NULL);
	for (uint32_t i = 0; i < W * H; i += 97)
		db.px[i] ^= 0x00ffffffu;
	check(same(db.px, view, W * H), "a change through the dumb buffer shows in the export",
	      NULL);
	munmap((void *)view, db.size);

	close(buf);
	r = wait_released(zc, exp_id, 2000);
	check(r == 0, "export released once its fd is closed", r ? strerror(-r) : NULL);
	r = wait_released(zc, exp_id, 10);
	check(r == -ENOENT, "a waited-for id is forgotten", r ? strerror(-r) : "0");
	end_import(zc, imp_id, &db);
}

/*
 * A user mapping of an export (the PV path in dom0) where the kernel copies
 * or splits its vma: fork does not inherit it, a partial munmap is
 * refused, and an mremap that moves it leaves one state, freed once.
 */
static void case_remap(const char *card)
{
	uint32_t refs[NPAGES], imp_id, exp_id;
	int zc = zc_open(), buf = -1, r, status;
	size_t size;
	struct zcopy_stats s;
	struct dumb db;
	char d[128];
	void *view, *spot, *moved;
	pid_t pid;

	dumb_create(card, &db);
	size = db.size;
	r = do_import(zc, &db, refs, &imp_id);
	if (!r)
		r = do_export(zc, refs, NPAGES, &buf, &exp_id);
	check(r == 0, "import and export of a dumb buffer", r ? strerror(-r) : NULL);
	if (r)
		exit(1);
	view = mmap(NULL, size, PROT_READ, MAP_SHARED, buf, 0);
	check(view != MAP_FAILED, "mmap of the export",
	      view == MAP_FAILED ? strerror(errno) : NULL);
	if (view == MAP_FAILED)
		exit(1);
	s = stats(zc);
	snprintf(d, sizeof(d), "user_maps_alive %llu", (unsigned long long)s.user_maps_alive);
	check(s.user_maps_alive == 1, "the mapping is counted", d);

	pid = fork();
	if (pid == 0)
		_exit(0); /* the area is VM_DONTCOPY: the child has no copy to close */
	check(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status),
	      "a child forked with the mapping exits", NULL);
	check(same(db.px, view, W * H), "the parent still sees the pixels after fork", NULL);

	check(munmap((char *)view + size - 4096, 4096) == -1 && errno == EINVAL,
	      "a partial munmap is refused", NULL);
	check(same(db.px, view, W * H), "the mapping is whole after it", NULL);

	/* Move it: the kernel copies the vma, then closes the old one. */
	spot = mmap(NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	moved = spot == MAP_FAILED ? MAP_FAILED
				   : mremap(view, size, size, MREMAP_MAYMOVE | MREMAP_FIXED, spot);
	printf("info mremap of the mapping: %s\n", moved == MAP_FAILED ? strerror(errno) : "moved");
	if (moved != MAP_FAILED) {
		view = moved;
	} else if (spot != MAP_FAILED) {
		munmap(spot, size);
	}
	s = stats(zc);
	snprintf(d, sizeof(d), "user_maps_alive %llu", (unsigned long long)s.user_maps_alive);
	check(s.user_maps_alive == 1, "one mapping state after the move", d);
	munmap(view, size);
	s = stats(zc);
	snprintf(d, sizeof(d), "user_maps_alive %llu", (unsigned long long)s.user_maps_alive);
	check(s.user_maps_alive == 0, "its state freed once with the last vma", d);

	close(buf);
	r = wait_released(zc, exp_id, 2000);
	check(r == 0, "export released", r ? strerror(-r) : NULL);
	end_import(zc, imp_id, &db);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void case_deferred(const char *card)
{
	uint32_t refs[NPAGES], imp_id, exp_id, busy = 0;
	int zc = zc_open(), buf = -1, r;
	struct zcopy_stats s;
	struct dumb db;
	char d[128];
	double end;

	dumb_create(card, &db);
	if (do_import(zc, &db, refs, &imp_id) || do_export(zc, refs, NPAGES, &buf, &exp_id)) {
		check(false, "import and export", strerror(errno));
		exit(1);
	}
	/* Release the grants while our own export still maps them. */
	r = import_release(zc, imp_id, &busy);
	snprintf(d, sizeof(d), "rc %d busy %u of %u", r, busy, NPAGES);
	check(r == 0 && busy == NPAGES, "refs still mapped are reported busy", d);
	dumb_destroy(&db); /* the helper keeps the busy pages */
	s = stats(zc);
	snprintf(d, sizeof(d), "grants_deferred %llu", (unsigned long long)s.grants_deferred);
	check(s.grants_deferred == NPAGES && s.imports_alive == 0, "busy refs are deferred", d);
	close(buf);
	r = wait_released(zc, exp_id, 2000);
	check(r == 0, "export released", r ? strerror(-r) : NULL);
	/* The helper retries every second. */
	end = now() + 10;
	do {
		s = stats(zc);
		if (stats_zero(&s))
			break;
		usleep(100 * 1000);
	} while (now() < end);
	print_stats(&s);
	check(stats_zero(&s), "deferred refs ended once unmapped", NULL);
	close(zc);
}

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static void case_hold(const char *card, const char *ready)
{
	uint32_t refs[NPAGES], imp_id, exp_id, busy;
	int zc = zc_open(), buf;
	struct dumb db;
	FILE *f;

	signal(SIGTERM, on_term);
	dumb_create(card, &db);
	if (do_import(zc, &db, refs, &imp_id) || do_export(zc, refs, NPAGES, &buf, &exp_id))
		exit(2);
	/* Only the dma-buf stays: the helper's own file is closed. */
	close(zc);
	f = fopen(ready, "w");
	if (!f)
		exit(2);
	fclose(f);
	while (!stop)
		pause();
	close(buf);
	zc = zc_open();
	(void)busy;
	dumb_destroy(&db);
	close(zc);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"card", required_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *card = NULL, *cmd;
	int c;

	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			card = optarg;
			break;
		case 'h':
			printf("usage: zdispl-zcopy-test [--card PATH] perm|args|loop|deferred|"
			       "hold FILE|stats\n");
			return 0;
		default:
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "zdispl-zcopy-test: which case? (--help)\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	cmd = argv[optind];
	if (!strcmp(cmd, "perm")) {
		case_perm();
	} else if (!strcmp(cmd, "args")) {
		case_args(card);
	} else if (!strcmp(cmd, "loop")) {
		case_loop(card);
	} else if (!strcmp(cmd, "deferred")) {
		case_deferred(card);
	} else if (!strcmp(cmd, "remap")) {
		case_remap(card);
	} else if (!strcmp(cmd, "hold") && optind + 1 < argc) {
		case_hold(card, argv[optind + 1]);
	} else if (!strcmp(cmd, "stats")) {
		int zc = zc_open();
		struct zcopy_stats s = stats(zc);

		print_stats(&s);
		close(zc);
	} else {
		fprintf(stderr, "zdispl-zcopy-test: unknown case '%s'\n", cmd);
		return 2;
	}
	return failures ? 1 : 0;
}

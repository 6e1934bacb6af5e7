// SPDX-License-Identifier: GPL-2.0
/*
 * zdispl-zcopy-test: exercises the dom0 helper (/dev/zdispl-zcopy) in the
 * lab, without a guest: dom0 has the helper allocate pages granted to
 * dom0 itself (ALLOC) and maps those grants back through EXPORT, so both
 * directions run against the real hypervisor.
 *
 *   zdispl-zcopy-test [--card PATH] CASE
 *     perm      a non-root caller is refused (EPERM)
 *     args      bad sizes, flags, domids, ids and pointers are refused
 *     loop      ALLOC (zeroed pages, refs, dma-buf) -> EXPORT of the refs ->
 *               mmap of the export shows what was written through the
 *               allocation's mmap, and a later change; the allocation's
 *               dma-buf imports into the KMS card as a framebuffer;
 *               everything released, counters 0
 *     deferred  an allocation released while its refs are still mapped
 *               reports them busy; they end once the mapping is gone
 *     remap     a user mapping of an export through fork (not inherited),
 *               a partial munmap (refused) and an mremap move; every state
 *               freed once (user_maps_alive back to 0), counters 0
 *     hold FILE export and keep the dma-bufs open until SIGTERM, writing
 *               FILE when ready (the scenario tries rmmod meanwhile)
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
#include <drm_fourcc.h>
#include <xf86drm.h>
#include <xf86drmMode.h>
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
	printf("exports_alive=%" PRIu64 " pages_mapped=%" PRIu64 " allocs_alive=%" PRIu64
	       " pages_allocated=%" PRIu64 " grants_alive=%" PRIu64 " grants_deferred=%" PRIu64
	       " user_maps_alive=%" PRIu64 "\n",
	       (uint64_t)s->exports_alive, (uint64_t)s->pages_mapped, (uint64_t)s->allocs_alive,
	       (uint64_t)s->pages_allocated, (uint64_t)s->grants_alive,
	       (uint64_t)s->grants_deferred, (uint64_t)s->user_maps_alive);
}

static bool stats_zero(const struct zcopy_stats *s)
{
	return !s->exports_alive && !s->pages_mapped && !s->allocs_alive && !s->pages_allocated &&
	       !s->grants_alive && !s->grants_deferred && !s->user_maps_alive;
}

static int accept_any(int fd, void *ctx)
{
	uint64_t v = 0;

	(void)ctx;
	return drmGetCap(fd, DRM_CAP_PRIME, &v) == 0 && (v & DRM_PRIME_CAP_IMPORT);
}

/* An allocation of NPAGES granted to dom0: its refs, dma-buf and a writable mapping. */
struct alloc {
	uint32_t refs[NPAGES], id;
	int fd;
	uint32_t *px;
};

static int do_alloc(int zc, uint32_t nr, uint32_t *refs, uint32_t flags, int *fd, uint32_t *id)
{
	struct zcopy_alloc a = {.domid = 0, .nr_refs = nr, .refs = (uintptr_t)refs, .flags = flags};
	int r = ioctl(zc, ZCOPY_IOCTL_ALLOC, &a);

	*fd = a.fd;
	*id = a.id;
	return r ? -errno : 0;
}

/* Allocate, map and fill with a pattern; exits on failure. */
static void alloc_make(int zc, struct alloc *a)
{
	int r = do_alloc(zc, NPAGES, a->refs, 0, &a->fd, &a->id);

	check(r == 0, "allocation of pages granted to dom0", r ? strerror(-r) : NULL);
	if (r)
		exit(1);
	a->px = mmap(NULL, NPAGES * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, a->fd, 0);
	check(a->px != MAP_FAILED, "writable mmap of the allocation",
	      a->px == MAP_FAILED ? strerror(errno) : NULL);
	if (a->px == MAP_FAILED)
		exit(1);
	for (uint32_t i = 0; i < W * H; i++)
		a->px[i] = 0xff000000u | (i * 2654435761u >> 8);
}

static int do_export(int zc, const uint32_t *refs, uint32_t n, int *fd, uint32_t *id)
{
	struct zcopy_export ex = {.domid = 0, .nr_refs = n, .refs = (uintptr_t)refs};
	int r = ioctl(zc, ZCOPY_IOCTL_EXPORT, &ex);

	*fd = ex.fd;
	*id = ex.id;
	return r ? -errno : 0;
}

static int wait_released(int zc, uint32_t id, uint32_t ms, uint32_t *busy)
{
	struct zcopy_wait_released w = {.id = id, .timeout_ms = ms};
	int r = ioctl(zc, ZCOPY_IOCTL_WAIT_RELEASED, &w);

	if (busy)
		*busy = w.busy;
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

static void case_args(void)
{
	int zc = zc_open(), fd;
	uint32_t refs[4] = {0}, big = ZCOPY_MAX_PAGES + 1, id;
	struct zcopy_export ex;
	struct zcopy_alloc al;
	struct zcopy_wait_released w = {.id = 12345, .timeout_ms = 10};

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
	al = (struct zcopy_alloc){.nr_refs = 0, .refs = (uintptr_t)refs};
	expect_errno(zc, ZCOPY_IOCTL_ALLOC, &al, EINVAL, "allocation of 0 pages");
	al = (struct zcopy_alloc){.nr_refs = ZCOPY_MAX_PAGES + 1, .refs = (uintptr_t)refs};
	expect_errno(zc, ZCOPY_IOCTL_ALLOC, &al, EINVAL, "allocation over ZCOPY_MAX_PAGES");
	al = (struct zcopy_alloc){.nr_refs = 1, .refs = (uintptr_t)refs, .flags = 2};
	expect_errno(zc, ZCOPY_IOCTL_ALLOC, &al, EINVAL, "allocation with unknown flags");
	al = (struct zcopy_alloc){.nr_refs = 1, .refs = (uintptr_t)refs, .id = 1};
	expect_errno(zc, ZCOPY_IOCTL_ALLOC, &al, EINVAL, "allocation with an out field set");
	al = (struct zcopy_alloc){.domid = 0x7ff0, .nr_refs = 1, .refs = (uintptr_t)refs};
	expect_errno(zc, ZCOPY_IOCTL_ALLOC, &al, EINVAL, "allocation for a reserved domid");
	/* Pages allocated and granted, then the refs cannot be written: all undone. */
	al = (struct zcopy_alloc){.nr_refs = NPAGES, .refs = 16};
	expect_errno(zc, ZCOPY_IOCTL_ALLOC, &al, EFAULT, "allocation with unwritable refs");
	expect_errno(zc, ZCOPY_IOCTL_WAIT_RELEASED, &w, ENOENT, "wait for an unknown id");
	w.busy = 1;
	expect_errno(zc, ZCOPY_IOCTL_WAIT_RELEASED, &w, EINVAL, "wait with its out field set");
	expect_errno(zc, _IO('Z', 0x7f), NULL, ENOTTY, "unknown ioctl");
	/* The removed import of foreign dma-bufs: its number is unknown now. */
	expect_errno(zc, _IOWR('Z', 0x03, struct zcopy_export), &ex, ENOTTY,
		     "the removed IMPORT ioctl");
	struct zcopy_stats s = stats(zc);

	print_stats(&s);
	check(stats_zero(&s), "nothing left behind by refused calls", NULL);
	/* A valid one after them all works. */
	check(do_alloc(zc, 1, refs, ZCOPY_ALLOC_READONLY, &fd, &id) == 0,
	      "a read-only allocation of 1 page", NULL);
	close(fd);
	check(wait_released(zc, id, 2000, NULL) == 0, "released once its fd is closed", NULL);
	s = stats(zc);
	check(stats_zero(&s), "and nothing left behind", NULL);
	close(zc);
}

/* The end of a case: the allocation released with no ref busy, counters 0. */
static void end_alloc(int zc, struct alloc *a)
{
	struct zcopy_stats s;
	uint32_t busy = 99;
	char d[64];
	int r;

	munmap(a->px, NPAGES * 4096);
	close(a->fd);
	r = wait_released(zc, a->id, 2000, &busy);
	snprintf(d, sizeof(d), "rc %d busy %u", r, busy);
	check(r == 0 && busy == 0, "allocation released with no ref busy", d);
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

/* The allocation's dma-buf as a KMS framebuffer on card (PRIME import, ADDFB2). */
static void card_import(const char *card, const struct alloc *a)
{
	uint32_t handle = 0, fb = 0, handles[4] = {0}, pitches[4] = {W * 4}, offsets[4] = {0};
	char p[ZD_CARD_PATH_MAX], d[96];
	int fd = zd_open_card(card, accept_any, NULL, p, sizeof(p)), r;

	if (fd < 0) {
		check(false, "a KMS card that imports dma-bufs", card ? card : "none found");
		return;
	}
	r = drmPrimeFDToHandle(fd, a->fd, &handle);
	snprintf(d, sizeof(d), "%s: %s", p, r ? strerror(errno) : "ok");
	check(r == 0, "the allocation's dma-buf imports into the card", d);
	if (!r) {
		handles[0] = handle;
		r = drmModeAddFB2(fd, W, H, DRM_FORMAT_XRGB8888, handles, pitches, offsets, &fb, 0);
		snprintf(d, sizeof(d), "%s", r ? strerror(-r) : "ok");
		check(r == 0, "and becomes a framebuffer", d);
		if (!r)
			drmModeRmFB(fd, fb);
		drmCloseBufferHandle(fd, handle);
	}
	close(fd);
}

static void case_loop(const char *card)
{
	uint32_t exp_id;
	int zc = zc_open(), buf = -1, r;
	struct zcopy_stats s;
	struct alloc a;
	char d[160];
	volatile uint32_t *view;
	bool zeroed = true;

	r = do_alloc(zc, NPAGES, a.refs, 0, &a.fd, &a.id);
	check(r == 0, "allocation of pages granted to dom0", r ? strerror(-r) : NULL);
	if (r)
		exit(1);
	s = stats(zc);
	snprintf(d, sizeof(d), "allocs_alive %llu pages_allocated %llu grants_alive %llu",
		 (unsigned long long)s.allocs_alive, (unsigned long long)s.pages_allocated,
		 (unsigned long long)s.grants_alive);
	check(s.allocs_alive == 1 && s.pages_allocated == NPAGES && s.grants_alive == NPAGES,
	      "allocation counted", d);
	r = wait_released(zc, a.id, 50, NULL);
	check(r == -ETIMEDOUT, "wait on a live allocation times out", r ? strerror(-r) : "0");
	a.px = mmap(NULL, NPAGES * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, a.fd, 0);
	check(a.px != MAP_FAILED, "writable mmap of the allocation",
	      a.px == MAP_FAILED ? strerror(errno) : NULL);
	if (a.px == MAP_FAILED)
		exit(1);
	for (uint32_t i = 0; i < W * H; i++)
		zeroed = zeroed && !a.px[i];
	check(zeroed, "its pages come zeroed", NULL);
	for (uint32_t i = 0; i < W * H; i++)
		a.px[i] = 0xff000000u | (i * 2654435761u >> 8);

	r = do_export(zc, a.refs, NPAGES, &buf, &exp_id);
	check(r == 0, "export of the allocation's refs", r ? strerror(-r) : NULL);
	if (r)
		exit(1);
	s = stats(zc);
	snprintf(d, sizeof(d), "exports_alive %llu pages_mapped %llu",
		 (unsigned long long)s.exports_alive, (unsigned long long)s.pages_mapped);
	check(s.exports_alive == 1 && s.pages_mapped == NPAGES, "export counted", d);

	view = mmap(NULL, NPAGES * 4096, PROT_READ, MAP_SHARED, buf, 0);
	check(view != MAP_FAILED, "read-only mmap of the export",
	      view == MAP_FAILED ? strerror(errno) : NULL);
	if (view == MAP_FAILED)
		exit(1);
	check(mmap(NULL, NPAGES * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, buf, 0) == MAP_FAILED &&
		      errno == EACCES,
	      "writable mmap of a read-only export refused", NULL);
	check(same(a.px, view, W * H), "export shows what was written to the allocation", NULL);
	for (uint32_t i = 0; i < W * H; i += 97)
		a.px[i] ^= 0x00ffffffu;
	check(same(a.px, view, W * H), "a later change shows in the export too", NULL);
	munmap((void *)view, NPAGES * 4096);
	card_import(card, &a);

	close(buf);
	r = wait_released(zc, exp_id, 2000, NULL);
	check(r == 0, "export released once its fd is closed", r ? strerror(-r) : NULL);
	r = wait_released(zc, exp_id, 10, NULL);
	check(r == -ENOENT, "a waited-for id is forgotten", r ? strerror(-r) : "0");
	end_alloc(zc, &a);
}

/*
 * A user mapping of an export (the PV path in dom0) where the kernel copies
 * or splits its vma: fork does not inherit it, a partial munmap is
 * refused, and an mremap that moves it leaves one state, freed once.
 */
static void case_remap(void)
{
	size_t size = NPAGES * 4096;
	int zc = zc_open(), buf = -1, r, status;
	struct zcopy_stats s;
	struct alloc a;
	uint32_t exp_id;
	char d[128];
	void *view, *spot, *moved;
	pid_t pid;

	alloc_make(zc, &a);
	r = do_export(zc, a.refs, NPAGES, &buf, &exp_id);
	check(r == 0, "export of the allocation's refs", r ? strerror(-r) : NULL);
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
	check(same(a.px, view, W * H), "the parent still sees the pixels after fork", NULL);

	check(munmap((char *)view + size - 4096, 4096) == -1 && errno == EINVAL,
	      "a partial munmap is refused", NULL);
	check(same(a.px, view, W * H), "the mapping is whole after it", NULL);

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
	r = wait_released(zc, exp_id, 2000, NULL);
	check(r == 0, "export released", r ? strerror(-r) : NULL);
	end_alloc(zc, &a);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void case_deferred(void)
{
	uint32_t exp_id, busy = 0;
	int zc = zc_open(), buf = -1, r;
	struct zcopy_stats s;
	struct alloc a;
	char d[160];
	double end;

	alloc_make(zc, &a);
	if (do_export(zc, a.refs, NPAGES, &buf, &exp_id)) {
		check(false, "export of the allocation's refs", strerror(errno));
		exit(1);
	}
	/* Release the allocation while our own export still maps its grants. */
	munmap(a.px, NPAGES * 4096);
	close(a.fd);
	r = wait_released(zc, a.id, 2000, &busy);
	snprintf(d, sizeof(d), "rc %d busy %u of %u", r, busy, NPAGES);
	check(r == 0 && busy == NPAGES, "refs still mapped are reported busy at release", d);
	s = stats(zc);
	snprintf(d, sizeof(d), "grants_deferred %llu allocs_alive %llu pages_allocated %llu",
		 (unsigned long long)s.grants_deferred, (unsigned long long)s.allocs_alive,
		 (unsigned long long)s.pages_allocated);
	check(s.grants_deferred == NPAGES && s.allocs_alive == 0 && s.pages_allocated == NPAGES,
	      "busy refs are deferred, and keep their pages", d);
	close(buf);
	r = wait_released(zc, exp_id, 2000, NULL);
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
	check(stats_zero(&s), "deferred refs ended, and their pages freed, once unmapped", NULL);
	close(zc);
}

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static void case_hold(const char *ready)
{
	int zc = zc_open(), buf;
	struct alloc a;
	uint32_t exp_id;
	FILE *f;

	signal(SIGTERM, on_term);
	alloc_make(zc, &a);
	if (do_export(zc, a.refs, NPAGES, &buf, &exp_id))
		exit(2);
	/* Only the dma-bufs stay: the helper's own file is closed. */
	close(zc);
	f = fopen(ready, "w");
	if (!f)
		exit(2);
	fclose(f);
	while (!stop)
		pause();
	close(buf);
	munmap(a.px, NPAGES * 4096);
	close(a.fd);
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
			       "remap|hold FILE|stats\n");
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
		case_args();
	} else if (!strcmp(cmd, "loop")) {
		case_loop(card);
	} else if (!strcmp(cmd, "deferred")) {
		case_deferred();
	} else if (!strcmp(cmd, "remap")) {
		case_remap();
	} else if (!strcmp(cmd, "hold") && optind + 1 < argc) {
		case_hold(argv[optind + 1]);
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

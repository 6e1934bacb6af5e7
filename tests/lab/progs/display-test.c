// SPDX-License-Identifier: GPL-2.0
/*
 * zdispl-display-test: the backend's KMS display (back/daemon/kms*.c)
 * driven directly, in dom0 on vkms, without Xen or a guest.
 *
 *   zdispl-display-test run [options] CASE...
 *       Open the display (every KMS device), claim an output, and for each
 *       CASE: set_config with frame 0 of the lab's test pattern, flip frames
 *       1..N waiting for each flip_done (timed: fps), then a flip in a
 *       second format and a set_config while a flip is in flight. The last
 *       frame stays on screen: "DIR/ready.I" says which (CASE FRAME), and
 *       SIGUSR1 moves on to the next case. At the end: disable, release, and
 *       no framebuffer of this process left (debugfs).
 *   zdispl-display-test verify --device PATH --connector NAME CASE FRAME
 *       As a second process (root, not DRM master): read the framebuffer
 *       the connector's CRTC scans out (GETFB2 + MAP_DUMB) and compare it
 *       octet for octet with CASE's image of FRAME, black around it.
 *
 * CASE is MODE:IMAGE@X,Y:FORMAT, e.g. 640x480:640x480@0,0:XR24: the mode
 * size, the image (guest framebuffer) size, where it goes, its format.
 * Guest images have a padded pitch and end right before a PROT_NONE page,
 * so a copy that ignores the pitch or reads past the image crashes.
 * Exit status: 0 all checks passed, 1 a check failed, 2 usage or setup.
 */
#include <dirent.h>
#include <drm_fourcc.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "../../../back/daemon/kms/kms.h"
#include "../../../back/daemon/base/log.h"
#include "../../../back/daemon/base/loop.h"
#include "../../../tools/common/pattern.h"
#include "../../../tools/common/pixfmt.h"

#define MAX_CASES 8
#define GUEST_PAD 64 /* extra octets per guest row: pitch > width * cpp */
#define FLIP_TIMEOUT_MS 1000

struct tcase {
	char spec[64];
	uint32_t mode_w, mode_h, img_w, img_h, x, y;
	const struct zd_pixfmt *fmt;
};

static unsigned int failures;

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("FAIL: ", stdout);
	vprintf(fmt, ap);
	fputc('\n', stdout);
	fflush(stdout);
	va_end(ap);
	failures++;
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int parse_case(const char *s, struct tcase *c)
{
	char f[8];
	int n = 0;

	memset(c, 0, sizeof(*c));
	if (strlen(s) >= sizeof(c->spec) ||
	    sscanf(s, "%ux%u:%ux%u@%u,%u:%4[A-Z0-9]%n", &c->mode_w, &c->mode_h, &c->img_w,
		   &c->img_h, &c->x, &c->y, f, &n) != 7 ||
	    s[n] || !(c->fmt = zd_pixfmt_by_name(f)) || !c->mode_w || !c->mode_h || !c->img_w ||
	    !c->img_h || c->img_w > 8192 || c->img_h > 8192) {
		fprintf(stderr, "bad case '%s' (MODE:IMAGE@X,Y:FORMAT, format one of %s)\n", s,
			zd_pixfmt_list());
		return -1;
	}
	strcpy(c->spec, s);
	return 0;
}

/* ---- guest images ---------------------------------------------------------- */

struct gimg {
	uint8_t *map;
	size_t map_len;
	struct zd_image img;
	const struct zd_pixfmt *fmt;
	long frame; /* frame it holds, -1: none */
};

static int gimg_alloc(struct gimg *g, uint32_t w, uint32_t h, const struct zd_pixfmt *fmt)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), pitch = (size_t)w * (fmt->bpp / 8) + GUEST_PAD;
	size_t len = pitch * h, data = (len + page - 1) / page * page;

	memset(g, 0, sizeof(*g));
	g->map_len = data + page;
	g->map = mmap(NULL, g->map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g->map == MAP_FAILED)
		return -errno;
	/* The last row ends where the guard page begins. */
	if (mprotect(g->map + data, page, PROT_NONE))
		return -errno;
	memset(g->map, 0xa5, data); /* padding the copy must not show */
	g->img = (struct zd_image){.pixels = g->map + data - len,
				   .width = w,
				   .height = h,
				   .pitch = (uint32_t)pitch,
				   .fourcc = fmt->fourcc};
	g->fmt = fmt;
	g->frame = -1;
	return 0;
}

static void gimg_free(struct gimg *g)
{
	if (g->map && g->map != MAP_FAILED)
		munmap(g->map, g->map_len);
	g->map = NULL;
}

/* Row y of the pattern's frame at the image size, in the image's format. */
static void pattern_row(const struct zd_pixfmt *fmt, uint32_t w, uint32_t h, uint32_t frame,
			uint32_t y, uint32_t *rgb, uint8_t *dst)
{
	zd_pattern_row(w, h, frame, y, rgb);
	zd_pixfmt_pack_row(fmt, rgb, w, dst);
}

static int gimg_draw(struct gimg *g, uint32_t frame)
{
	uint32_t *rgb = malloc((size_t)g->img.width * sizeof(*rgb));
	/* Rows above the frame band are the same in every frame. */
	uint32_t y0 = g->frame >= 0 ? zd_pattern_frame_band(g->img.height) : 0;

	if (!rgb)
		return -ENOMEM;
	for (uint32_t y = y0; y < g->img.height; y++)
		pattern_row(g->fmt, g->img.width, g->img.height, frame, y, rgb,
			    (uint8_t *)g->img.pixels + (size_t)y * g->img.pitch);
	free(rgb);
	g->frame = frame;
	return 0;
}

/* ---- run ------------------------------------------------------------------- */

struct run {
	struct zd_loop *loop;
	struct zd_display *d;
	struct zd_output *o;
	bool in_api, cb_in_api;
	unsigned int ndone;
	uint64_t last_token;
	const char *ready_dir, *device;
	int hold_s;
	unsigned int frames;
};

static void on_flip_done(void *data, uint64_t token)
{
	struct run *r = data;

	if (r->in_api)
		r->cb_in_api = true;
	r->ndone++;
	r->last_token = token;
}

/* Run the loop until the flip_done for token arrives. */
static int wait_done(struct run *r, unsigned int before, uint64_t token)
{
	double end = now_s() + FLIP_TIMEOUT_MS / 1000.0;

	while (r->ndone == before) {
		double left = end - now_s();
		int e;

		if (left <= 0) {
			fail("no flip_done for token %llu within %d ms", (unsigned long long)token,
			     FLIP_TIMEOUT_MS);
			return -ETIMEDOUT;
		}
		e = zd_loop_dispatch(r->loop, (int)(left * 1000) + 1);
		if (e) {
			fail("loop: %s", strerror(-e));
			return e;
		}
	}
	if (r->ndone != before + 1 || r->last_token != token) {
		fail("flip_done: %u callbacks, token %llu, wanted 1 for %llu", r->ndone - before,
		     (unsigned long long)r->last_token, (unsigned long long)token);
		return -EPROTO;
	}
	return 0;
}

static int set_config(struct run *r, const struct tcase *c, const struct zd_image *img,
		      uint64_t *bytes)
{
	int e;

	r->in_api = true;
	e = kms_display_ops.set_config(r->o, c->mode_w, c->mode_h, c->x, c->y, img, bytes);
	r->in_api = false;
	return e;
}

static int flip(struct run *r, const struct zd_image *img, uint64_t token, uint64_t *bytes)
{
	int e;

	r->in_api = true;
	e = kms_display_ops.flip(r->o, img, token, bytes);
	r->in_api = false;
	return e;
}

/* Octets one image copies onto the screen: the image clipped to the mode. */
static uint64_t visible_bytes(const struct tcase *c, const struct zd_pixfmt *f)
{
	uint64_t w = 0, h = 0;

	if (c->x < c->mode_w && c->y < c->mode_h) {
		w = c->img_w < c->mode_w - c->x ? c->img_w : c->mode_w - c->x;
		h = c->img_h < c->mode_h - c->y ? c->img_h : c->mode_h - c->y;
	}
	return w * h * (f->bpp / 8);
}

/* Framebuffers this process owns on every DRM device, from debugfs; -1: unknown. */
static int count_own_fbs(const char *device)
{
	char comm[32] = "", path[96], line[128], want[64];
	unsigned int n = 0;
	struct stat st;
	FILE *f;

	if (!device || stat(device, &st))
		return -1;
	f = fopen("/proc/self/comm", "r");
	if (!f || !fgets(comm, sizeof(comm), f)) {
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	comm[strcspn(comm, "\n")] = 0;
	snprintf(want, sizeof(want), "allocated by = %s", comm);
	snprintf(path, sizeof(path), "/sys/kernel/debug/dri/%u/framebuffer", minor(st.st_rdev));
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p = line + strspn(line, " \t");

		p[strcspn(p, "\n")] = 0;
		if (!strcmp(p, want))
			n++;
	}
	fclose(f);
	return (int)n;
}

static int write_ready(struct run *r, unsigned int i, const struct tcase *c, uint32_t frame)
{
	char path[256], tmp[264];
	FILE *f;

	if (!r->ready_dir)
		return 0;
	snprintf(path, sizeof(path), "%s/ready.%u", r->ready_dir, i);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return -errno;
	fprintf(f, "%s %u %s\n", c->spec, frame, kms_display_ops.name(r->o));
	if (fclose(f) || rename(tmp, path))
		return -errno;
	return 0;
}

/* Hold the picture until SIGUSR1 (blocked since start) or the timeout. */
static void hold(struct run *r)
{
	struct timespec ts = {.tv_sec = r->hold_s};
	sigset_t set;

	if (!r->ready_dir || r->hold_s <= 0)
		return;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	if (sigtimedwait(&set, NULL, &ts) < 0)
		fail("held the picture %d s without SIGUSR1", r->hold_s);
}

static int run_case(struct run *r, unsigned int idx, const struct tcase *c, bool first)
{
	const struct zd_pixfmt *rg16 = zd_pixfmt_by_name("RG16");
	const struct zd_pixfmt *xr24 = zd_pixfmt_by_name("XR24");
	const struct zd_pixfmt *other = c->fmt == rg16 ? xr24 : rg16;
	uint64_t per = visible_bytes(c, c->fmt), bytes = 0;
	struct gimg g[2], alt;
	double t0, t, flip_s = 0;
	uint32_t frame = 0, last;
	unsigned int before;
	int e;

	memset(g, 0, sizeof(g));
	memset(&alt, 0, sizeof(alt));
	if ((e = gimg_alloc(&g[0], c->img_w, c->img_h, c->fmt)) ||
	    (e = gimg_alloc(&g[1], c->img_w, c->img_h, c->fmt)) ||
	    (e = gimg_alloc(&alt, c->img_w, c->img_h, other)) || (e = gimg_draw(&g[0], 0))) {
		fail("case %u: guest images: %s", idx, strerror(-e));
		goto out;
	}

	/* Mode and frame 0. */
	if (first) {
		e = flip(r, &g[0].img, 1, NULL);
		if (e != -EINVAL)
			fail("flip before set_config: %d, wanted -EINVAL", e);
	}
	t = now_s();
	e = set_config(r, c, &g[0].img, &bytes);
	printf("case %u %s: set_config %s in %.1f ms\n", idx, c->spec, e ? strerror(-e) : "ok",
	       (now_s() - t) * 1000);
	if (e) {
		fail("case %u: set_config: %s", idx, strerror(-e));
		goto out;
	}
	if (bytes != per)
		fail("case %u: set_config copied %llu octets, wanted %llu", idx,
		     (unsigned long long)bytes, (unsigned long long)per);

	/* Frames 1..N, each drawn while the previous one is on its way. */
	bytes = 0;
	if ((e = gimg_draw(&g[1], 1))) {
		fail("draw: %s", strerror(-e));
		goto out;
	}
	t0 = now_s();
	for (frame = 1; frame <= r->frames; frame++) {
		struct gimg *cur = &g[frame % 2];

		before = r->ndone;
		t = now_s();
		e = flip(r, &cur->img, frame, &bytes);
		flip_s += now_s() - t;
		if (e) {
			fail("case %u: flip %u: %s", idx, frame, strerror(-e));
			goto out;
		}
		if (frame == 1 && (e = flip(r, &g[0].img, 9999, NULL)) != -EBUSY)
			fail("case %u: second flip in flight: %d, wanted -EBUSY", idx, e);
		if (frame < r->frames && (e = gimg_draw(&g[(frame + 1) % 2], frame + 1)))
			fail("draw: %s", strerror(-e));
		if (wait_done(r, before, frame))
			goto out;
	}
	t = now_s() - t0;
	last = r->frames;
	printf("case %u %s: %u flips in %.3f s: fps=%.1f, flip call avg %.0f us, %llu octets "
	       "copied (%.1f MB/s)\n",
	       idx, c->spec, r->frames, t, r->frames / t, flip_s / r->frames * 1e6,
	       (unsigned long long)bytes, (double)bytes / t / 1e6);
	if (bytes != per * r->frames)
		fail("case %u: flips copied %llu octets, wanted %llu", idx,
		     (unsigned long long)bytes, (unsigned long long)(per * r->frames));

	/* A flip in another format (new scanout buffers), then back. */
	frame = last + 1;
	if ((e = gimg_draw(&alt, frame)) || (e = gimg_draw(&g[frame % 2], frame + 1))) {
		fail("draw: %s", strerror(-e));
		goto out;
	}
	before = r->ndone;
	e = flip(r, &alt.img, frame, NULL);
	if (e == -EOPNOTSUPP) {
		printf("case %u: the plane cannot scan out %s: format switch skipped\n", idx,
		       other->name);
	} else if (e) {
		fail("case %u: flip in %s: %s", idx, other->name, strerror(-e));
		goto out;
	} else if (wait_done(r, before, frame)) {
		goto out;
	}
	frame++;
	before = r->ndone;
	if ((e = flip(r, &g[frame % 2].img, frame, NULL)) || wait_done(r, before, frame)) {
		fail("case %u: flip back to %s: %d", idx, c->fmt->name, e);
		goto out;
	}

	/*
	 * set_config while a flip is in flight: it waits for the flip, whose
	 * flip_done must still come, from the loop and only after it returned.
	 */
	frame++;
	if ((e = gimg_draw(&g[frame % 2], frame))) {
		fail("draw: %s", strerror(-e));
		goto out;
	}
	before = r->ndone;
	e = flip(r, &g[frame % 2].img, frame, NULL);
	if (e) {
		fail("case %u: flip %u: %s", idx, frame, strerror(-e));
		goto out;
	}
	frame++;
	if ((e = gimg_draw(&g[frame % 2], frame))) {
		fail("draw: %s", strerror(-e));
		goto out;
	}
	e = set_config(r, c, &g[frame % 2].img, NULL);
	if (e) {
		fail("case %u: set_config with a flip in flight: %s", idx, strerror(-e));
		goto out;
	}
	if (r->ndone != before)
		fail("case %u: flip_done ran inside set_config", idx);
	if (wait_done(r, before, frame - 1))
		goto out;
	if (r->cb_in_api)
		fail("a flip_done callback ran inside a display call");

	if ((e = write_ready(r, idx, c, frame)))
		fail("ready file: %s", strerror(-e));
	printf("case %u %s: frame %u on screen\n", idx, c->spec, frame);
	fflush(stdout);
	hold(r);
out:
	gimg_free(&g[0]);
	gimg_free(&g[1]);
	gimg_free(&alt);
	return 0;
}

static int cmd_run(struct run *r, const char *output, struct tcase *cases, unsigned int ncases)
{
	struct zd_output *o2;
	int e, fbs;

	e = zd_loop_new(&r->loop);
	if (!e)
		e = kms_display_open(r->loop, NULL, 0, &r->d);
	if (e) {
		fprintf(stderr, "display: %s\n", strerror(-e));
		return 2;
	}
	/* An unknown name takes the next free output; then none is left. */
	e = kms_display_ops.claim(r->d, "NoSuch-9", "display-test", NULL, on_flip_done, r, &r->o);
	if (e) {
		fail("claim: %s", strerror(-e));
		goto out;
	}
	e = kms_display_ops.claim(r->d, NULL, "display-test/2", NULL, on_flip_done, r, &o2);
	if (e != -ENODEV) {
		fail("second claim: %d, wanted -ENODEV (vkms has one connector)", e);
		if (!e)
			kms_display_ops.release(o2);
	}
	if (output && strcmp(kms_display_ops.name(r->o), output)) {
		/* Release and claim by name. */
		kms_display_ops.release(r->o);
		e = kms_display_ops.claim(r->d, output, "display-test", NULL, on_flip_done, r,
					  &r->o);
		if (e || strcmp(kms_display_ops.name(r->o), output)) {
			fail("claim %s: %s", output, e ? strerror(-e) : kms_display_ops.name(r->o));
			goto out;
		}
	}
	printf("output %s\n", kms_display_ops.name(r->o));

	for (unsigned int i = 0; i < ncases; i++) {
		if (i && i == ncases - 1) {
			/* Off and on again. */
			e = kms_display_ops.disable(r->o);
			if (e)
				fail("disable: %s", strerror(-e));
			if ((e = kms_display_ops.flip(r->o, &(struct zd_image){0}, 1, NULL)) !=
			    -EINVAL)
				fail("flip while disabled: %d, wanted -EINVAL", e);
		}
		run_case(r, i, &cases[i], i == 0);
	}

	e = kms_display_ops.disable(r->o);
	if (e)
		fail("disable: %s", strerror(-e));
	fbs = count_own_fbs(r->device);
	kms_display_ops.release(r->o);
	r->o = NULL;
	e = count_own_fbs(r->device);
	printf("framebuffers of this process: %d before release, %d after (-1: no debugfs)\n", fbs,
	       e);
	if (e != 0)
		fail("%d framebuffer(s) left after release", e);
	/* The output is free again. */
	e = kms_display_ops.claim(r->d, output, "display-test", NULL, on_flip_done, r, &r->o);
	if (e)
		fail("claim after release: %s", strerror(-e));
out:
	kms_display_close(r->d);
	zd_loop_free(r->loop);
	return failures ? 1 : 0;
}

/* ---- verify ---------------------------------------------------------------- */

static drmModeConnector *find_connector(int fd, const drmModeRes *res, const char *name)
{
	for (int i = 0; i < res->count_connectors; i++) {
		drmModeConnector *c = drmModeGetConnectorCurrent(fd, res->connectors[i]);
		const char *t;
		char n[64];

		if (!c)
			continue;
		t = drmModeGetConnectorTypeName(c->connector_type);
		snprintf(n, sizeof(n), "%s-%u", t ? t : "Unknown", c->connector_type_id);
		if (!strcmp(n, name))
			return c;
		drmModeFreeConnector(c);
	}
	return NULL;
}

static int cmd_verify(const char *device, const char *connector, const struct tcase *c,
		      uint32_t frame)
{
	uint32_t cpp = c->fmt->bpp / 8, *rgb = NULL, crtc_id = 0;
	uint64_t mismatches = 0, off;
	drmModeConnector *conn = NULL;
	drmModeFB2 *fb = NULL;
	drmModeCrtc *crtc = NULL;
	drmModeRes *res = NULL;
	uint8_t *map = MAP_FAILED, *exp = NULL;
	size_t size = 0;
	long first = -1;
	int fd, rc = 2;

	fd = open(device, O_RDWR | O_CLOEXEC);
	if (fd < 0 || !(res = drmModeGetResources(fd))) {
		fprintf(stderr, "%s: %s\n", device, strerror(errno));
		goto out;
	}
	conn = find_connector(fd, res, connector);
	if (conn && conn->encoder_id) {
		drmModeEncoder *enc = drmModeGetEncoder(fd, conn->encoder_id);

		crtc_id = enc ? enc->crtc_id : 0;
		drmModeFreeEncoder(enc);
	}
	if (!crtc_id || !(crtc = drmModeGetCrtc(fd, crtc_id)) || !crtc->mode_valid ||
	    !crtc->buffer_id) {
		fprintf(stderr, "%s: no CRTC on for %s\n", device, connector);
		goto out;
	}
	printf("verify: CRTC %u mode %ux%u fb %u\n", crtc_id, crtc->mode.hdisplay,
	       crtc->mode.vdisplay, crtc->buffer_id);
	rc = 1;
	if (crtc->mode.hdisplay != c->mode_w || crtc->mode.vdisplay != c->mode_h) {
		printf("FAIL: mode %ux%u, wanted %ux%u\n", crtc->mode.hdisplay, crtc->mode.vdisplay,
		       c->mode_w, c->mode_h);
		goto out;
	}
	fb = drmModeGetFB2(fd, crtc->buffer_id);
	if (!fb || !fb->handles[0]) {
		fprintf(stderr, "GETFB2 %u: %s (root needed for the handle)\n", crtc->buffer_id,
			fb ? "no handle" : strerror(errno));
		rc = 2;
		goto out;
	}
	/* ARGB8888 may be scanned out as XRGB8888: the same octets. */
	if (fb->pixel_format != c->fmt->fourcc &&
	    !(c->fmt->fourcc == DRM_FORMAT_ARGB8888 && fb->pixel_format == DRM_FORMAT_XRGB8888)) {
		printf("FAIL: framebuffer format %.4s, wanted %s\n", (char *)&fb->pixel_format,
		       c->fmt->name);
		goto out;
	}
	if (fb->width != c->mode_w || fb->height != c->mode_h || fb->offsets[0] ||
	    fb->pitches[0] < c->mode_w * cpp) {
		printf("FAIL: framebuffer %ux%u pitch %u offset %u\n", fb->width, fb->height,
		       fb->pitches[0], fb->offsets[0]);
		goto out;
	}
	if (drmModeMapDumbBuffer(fd, fb->handles[0], &off)) {
		fprintf(stderr, "MAP_DUMB: %s\n", strerror(errno));
		rc = 2;
		goto out;
	}
	size = (size_t)fb->pitches[0] * fb->height;
	map = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, (off_t)off);
	rgb = malloc(c->img_w * sizeof(*rgb));
	exp = malloc((size_t)c->mode_w * cpp);
	if (map == MAP_FAILED || !rgb || !exp) {
		fprintf(stderr, "map: %s\n", strerror(errno));
		rc = 2;
		goto out;
	}
	/* Expected row: black, the image's row (clipped), black. */
	for (uint32_t y = 0; y < c->mode_h; y++) {
		const uint8_t *got = map + (size_t)y * fb->pitches[0];

		memset(exp, 0, (size_t)c->mode_w * cpp);
		if (y >= c->y && y - c->y < c->img_h && c->x < c->mode_w) {
			uint32_t w = c->img_w < c->mode_w - c->x ? c->img_w : c->mode_w - c->x;
			uint8_t *row = malloc((size_t)c->img_w * cpp);

			if (!row) {
				rc = 2;
				goto out;
			}
			pattern_row(c->fmt, c->img_w, c->img_h, frame, y - c->y, rgb, row);
			memcpy(exp + (size_t)c->x * cpp, row, (size_t)w * cpp);
			free(row);
		}
		for (uint32_t x = 0; x < c->mode_w; x++) {
			if (memcmp(got + (size_t)x * cpp, exp + (size_t)x * cpp, cpp)) {
				if (first < 0) {
					first = (long)y * c->mode_w + x;
					printf("first mismatch at %u,%u: got", x, y);
					for (uint32_t b = 0; b < cpp; b++)
						printf(" %02x", got[(size_t)x * cpp + b]);
					printf(", want");
					for (uint32_t b = 0; b < cpp; b++)
						printf(" %02x", exp[(size_t)x * cpp + b]);
					printf(" (octets in memory order)\n");
				}
				mismatches++;
			}
		}
	}
	printf("verify %s frame %u: %llu of %llu pixels differ\n", c->spec, frame,
	       (unsigned long long)mismatches, (unsigned long long)c->mode_w * c->mode_h);
	rc = mismatches ? 1 : 0;
out:
	if (map != MAP_FAILED)
		munmap(map, size);
	if (fb) {
		struct drm_gem_close gc = {.handle = fb->handles[0]};

		if (gc.handle)
			drmIoctl(fd, DRM_IOCTL_GEM_CLOSE, &gc);
		drmModeFreeFB2(fb);
	}
	free(rgb);
	free(exp);
	drmModeFreeCrtc(crtc);
	drmModeFreeConnector(conn);
	drmModeFreeResources(res);
	if (fd >= 0)
		close(fd);
	return rc;
}

/* ---- main ------------------------------------------------------------------ */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: zdispl-display-test run [--device PATH] [--output NAME] [--frames N]\n"
		"                                [--ready-dir DIR] [--hold S] CASE...\n"
		"       zdispl-display-test verify --device PATH --connector NAME CASE FRAME\n"
		"CASE: MODE:IMAGE@X,Y:FORMAT, e.g. 640x480:640x480@0,0:XR24 (formats %s)\n",
		zd_pixfmt_list());
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"device", required_argument, NULL, 'd'},
		{"output", required_argument, NULL, 'o'},
		{"connector", required_argument, NULL, 'o'},
		{"frames", required_argument, NULL, 'n'},
		{"ready-dir", required_argument, NULL, 'r'},
		{"hold", required_argument, NULL, 'H'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct run r = {.frames = 120, .hold_s = 60};
	struct tcase cases[MAX_CASES];
	const char *output = NULL, *cmd;
	unsigned int ncases = 0;
	sigset_t set;
	int opt;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	cmd = argv[1];
	optind = 2;
	while ((opt = getopt_long(argc, argv, "d:o:n:r:H:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			r.device = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case 'n':
			r.frames = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'r':
			r.ready_dir = optarg;
			break;
		case 'H':
			r.hold_s = atoi(optarg);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(cmd, "verify")) {
		struct tcase c;

		if (!r.device || !output || argc - optind != 2 || parse_case(argv[optind], &c)) {
			usage(stderr);
			return 2;
		}
		return cmd_verify(r.device, output, &c,
				  (uint32_t)strtoul(argv[optind + 1], NULL, 0));
	}
	if (strcmp(cmd, "run") || optind >= argc || argc - optind > MAX_CASES || !r.frames) {
		usage(stderr);
		return 2;
	}
	for (int i = optind; i < argc; i++)
		if (parse_case(argv[i], &cases[ncases++]))
			return 2;
	/* SIGUSR1 is taken with sigtimedwait() only. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	zd_log_init(ZD_LOG_DEBUG, ZD_LOG_TO_STDERR);
	return cmd_run(&r, output, cases, ncases);
}

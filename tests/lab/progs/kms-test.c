// SPDX-License-Identifier: MIT
/*
 * zdispl-kms-test: a guest's DRM client checks of a PV display frontend
 * that zdispl-pattern does not make, each a subcommand:
 *
 *   zdispl-kms-test fences [--card PATH] [--connector N|NAME]
 *       Atomic commits with explicit fences. Out-fence: a flip with
 *       OUT_FENCE_PTR; the fence must signal, without error, no earlier
 *       than the commit and no later than its flip event arrives. In-fence:
 *       a flip whose IN_FENCE_FD is a fence that vgem holds unsignaled (a
 *       vgem buffer's write fence, exported as a sync_file). For HOLD_MS the
 *       flip must not happen (no out-fence, no event); once vgem signals,
 *       it must, and the out-fence must signal after the in-fence. Frame 2
 *       stays on screen until SIGTERM, for dom0 to capture.
 *   zdispl-kms-test formats [--card PATH] [--connector N|NAME]
 *       For every format the connector's primary plane lists, make a
 *       framebuffer of a 64x64 dumb buffer (ADDFB2). The frontend asks the
 *       backend (FB_ATTACH) and its answer decides: one line per format,
 *       then the accepted and rejected lists.
 *
 * Output: one machine-readable line per result (stdout); "result=pass" or
 * "result=fail" last. Exit status: 0 pass, 1 a check failed, 2 usage or
 * setup error.
 */
#include <drm_fourcc.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/dma-buf.h>
#include <linux/sync_file.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "../../../tools/common/pixfmt.h"
#include "../../../tools/pattern/dumb.h"
#include "../../../tools/pattern/output.h"

/* vgem's fence ioctls (include/uapi/drm/vgem_drm.h; libdrm ships no copy). */
struct kt_vgem_fence_attach {
	uint32_t handle, flags, out_fence, pad;
};
struct kt_vgem_fence_signal {
	uint32_t fence, flags;
};
#define KT_VGEM_FENCE_WRITE 0x1
#define KT_IOCTL_VGEM_FENCE_ATTACH DRM_IOWR(DRM_COMMAND_BASE + 0x1, struct kt_vgem_fence_attach)
#define KT_IOCTL_VGEM_FENCE_SIGNAL DRM_IOW(DRM_COMMAND_BASE + 0x2, struct kt_vgem_fence_signal)

#define HOLD_MS 1000	       /* how long an unsignaled in-fence must hold the flip */
#define SIGNAL_TIMEOUT_MS 3000 /* a flip's fence and event, once nothing holds it */

static volatile sig_atomic_t stop;
static unsigned int failures;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void check(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void check(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s: ", ok ? "ok" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!ok)
		failures++;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ------------------------------------------------------------------ */
/* Atomic plumbing: the primary plane of a CRTC and property ids. */

struct kt_pipe {
	int fd;
	uint32_t crtc_id, plane_id;
	uint32_t plane_fb, plane_in_fence, crtc_out_fence;
};

static uint32_t prop_id(int fd, uint32_t obj, uint32_t type, const char *name, uint64_t *value)
{
	drmModeObjectProperties *props = drmModeObjectGetProperties(fd, obj, type);
	uint32_t id = 0;

	for (uint32_t i = 0; props && i < props->count_props && !id; i++) {
		drmModePropertyRes *p = drmModeGetProperty(fd, props->props[i]);

		if (p && !strcmp(p->name, name)) {
			id = p->prop_id;
			if (value)
				*value = props->prop_values[i];
		}
		drmModeFreeProperty(p);
	}
	drmModeFreeObjectProperties(props);
	return id;
}

static int crtc_index(int fd, uint32_t crtc_id)
{
	drmModeRes *res = drmModeGetResources(fd);
	int idx = -1;

	for (int i = 0; res && i < res->count_crtcs; i++)
		if (res->crtcs[i] == crtc_id)
			idx = i;
	drmModeFreeResources(res);
	return idx;
}

/* Fills the plane and property ids; returns 0, or -1 after a message. */
static int pipe_init(const struct zd_output *out, struct kt_pipe *p)
{
	drmModePlaneRes *planes;
	int idx;

	*p = (struct kt_pipe){.fd = out->fd, .crtc_id = out->crtc_id};
	if (drmSetClientCap(out->fd, DRM_CLIENT_CAP_ATOMIC, 1)) {
		fprintf(stderr, "error: DRM_CLIENT_CAP_ATOMIC: %s\n", strerror(errno));
		return -1;
	}
	idx = crtc_index(out->fd, out->crtc_id);
	planes = drmModeGetPlaneResources(out->fd);
	for (uint32_t i = 0; idx >= 0 && planes && i < planes->count_planes && !p->plane_id; i++) {
		drmModePlane *pl = drmModeGetPlane(out->fd, planes->planes[i]);
		uint64_t type = 0;

		if (pl && (pl->possible_crtcs & (1u << idx)) &&
		    prop_id(out->fd, pl->plane_id, DRM_MODE_OBJECT_PLANE, "type", &type) &&
		    type == DRM_PLANE_TYPE_PRIMARY)
			p->plane_id = pl->plane_id;
		drmModeFreePlane(pl);
	}
	drmModeFreePlaneResources(planes);
	if (!p->plane_id) {
		fprintf(stderr, "error: no primary plane for CRTC %u\n", out->crtc_id);
		return -1;
	}
	p->plane_fb = prop_id(out->fd, p->plane_id, DRM_MODE_OBJECT_PLANE, "FB_ID", NULL);
	p->plane_in_fence =
		prop_id(out->fd, p->plane_id, DRM_MODE_OBJECT_PLANE, "IN_FENCE_FD", NULL);
	p->crtc_out_fence =
		prop_id(out->fd, p->crtc_id, DRM_MODE_OBJECT_CRTC, "OUT_FENCE_PTR", NULL);
	if (!p->plane_fb || !p->plane_in_fence || !p->crtc_out_fence) {
		fprintf(stderr,
			"error: the plane or CRTC lacks FB_ID, IN_FENCE_FD or OUT_FENCE_PTR\n");
		return -1;
	}
	return 0;
}

/* A non-blocking flip of the primary plane to fb, with an event; in_fence
 * (-1: none) to wait for; *out_fence gets the out-fence. */
static int pipe_flip(const struct kt_pipe *p, uint32_t fb, int in_fence, int *out_fence)
{
	drmModeAtomicReq *req = drmModeAtomicAlloc();
	int32_t ofd = -1;
	int ret;

	if (!req)
		return -ENOMEM;
	drmModeAtomicAddProperty(req, p->plane_id, p->plane_fb, fb);
	if (in_fence >= 0)
		drmModeAtomicAddProperty(req, p->plane_id, p->plane_in_fence, (uint64_t)in_fence);
	drmModeAtomicAddProperty(req, p->crtc_id, p->crtc_out_fence, (uint64_t)(uintptr_t)&ofd);
	ret = drmModeAtomicCommit(p->fd, req, DRM_MODE_ATOMIC_NONBLOCK | DRM_MODE_PAGE_FLIP_EVENT,
				  NULL);
	if (ret)
		ret = -errno;
	drmModeAtomicFree(req);
	*out_fence = ofd;
	return ret;
}

static unsigned int flip_events;

static void on_flip(int fd, unsigned int seq, unsigned int sec, unsigned int usec, void *data)
{
	(void)fd;
	(void)seq;
	(void)sec;
	(void)usec;
	(void)data;
	flip_events++;
}

/* Polls fd for input up to timeout_ms: 1 readable, 0 not, -1 error. */
static int wait_readable(int fd, int timeout_ms)
{
	int64_t end = now_ns() + (int64_t)timeout_ms * 1000000;

	for (;;) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		int64_t left = (end - now_ns()) / 1000000;
		int n = poll(&pfd, 1, left > 0 ? (int)left : 0);

		if (n > 0)
			return 1;
		if (n == 0 && left <= 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return -1;
		if (stop)
			return -1;
	}
}

/* Reads the DRM fd's events for up to timeout_ms: 1 a flip event came. */
static int wait_flip_event(int fd, int timeout_ms)
{
	drmEventContext ctx = {.version = 2, .page_flip_handler = on_flip};
	int64_t end = now_ns() + (int64_t)timeout_ms * 1000000;
	unsigned int seen = flip_events;

	while (flip_events == seen) {
		int64_t left = (end - now_ns()) / 1000000;

		if (wait_readable(fd, left > 0 ? (int)left : 0) <= 0 || drmHandleEvent(fd, &ctx))
			return 0;
	}
	return 1;
}

/* A sync_file's status (1 signaled, 0 not, <0 error) and its fence's
 * signal time (CLOCK_MONOTONIC ns; 0 when not signaled). */
static int fence_info(int fd, int64_t *ts_ns)
{
	struct sync_fence_info fi[4] = {0};
	struct sync_file_info info = {.num_fences = 4, .sync_fence_info = (uintptr_t)fi};

	*ts_ns = 0;
	if (ioctl(fd, SYNC_IOC_FILE_INFO, &info) < 0)
		return -errno;
	for (uint32_t i = 0; i < info.num_fences && i < 4; i++)
		if ((int64_t)fi[i].timestamp_ns > *ts_ns)
			*ts_ns = (int64_t)fi[i].timestamp_ns;
	return info.status;
}

/* ------------------------------------------------------------------ */
/* fences */

struct vgem_fence {
	int fd;		 /* the vgem card */
	uint32_t handle; /* a one-page dumb buffer */
	uint32_t fence;	 /* vgem's fence id */
	int sync_fd;	 /* its write fence as a sync_file */
};

static int is_vgem(int fd, void *ctx)
{
	drmVersion *v = drmGetVersion(fd);
	int yes = v && !strcmp(v->name, "vgem");

	(void)ctx;
	drmFreeVersion(v);
	return yes;
}

/* A vgem buffer with an unsignaled write fence, exported as a sync_file. */
static int vgem_fence_make(struct vgem_fence *vf)
{
	struct drm_mode_create_dumb dumb = {.width = 1024, .height = 1, .bpp = 32};
	struct kt_vgem_fence_attach att = {.flags = KT_VGEM_FENCE_WRITE};
	struct dma_buf_export_sync_file exp = {.flags = DMA_BUF_SYNC_READ, .fd = -1};
	char path[ZD_CARD_PATH_MAX];
	int dmabuf = -1;

	*vf = (struct vgem_fence){.fd = -1, .sync_fd = -1};
	vf->fd = zd_open_card(NULL, is_vgem, NULL, path, sizeof(path));
	if (vf->fd < 0)
		return -1;
	if (drmIoctl(vf->fd, DRM_IOCTL_MODE_CREATE_DUMB, &dumb)) {
		fprintf(stderr, "error: vgem dumb buffer: %s\n", strerror(errno));
		return -1;
	}
	vf->handle = dumb.handle;
	att.handle = dumb.handle;
	if (drmIoctl(vf->fd, KT_IOCTL_VGEM_FENCE_ATTACH, &att)) {
		fprintf(stderr, "error: VGEM_FENCE_ATTACH: %s\n", strerror(errno));
		return -1;
	}
	vf->fence = att.out_fence;
	if (drmPrimeHandleToFD(vf->fd, dumb.handle, DRM_CLOEXEC, &dmabuf)) {
		fprintf(stderr, "error: vgem PRIME export: %s\n", strerror(errno));
		return -1;
	}
	/* DMA_BUF_SYNC_READ: what a reader waits for, the write fence. */
	if (ioctl(dmabuf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &exp)) {
		fprintf(stderr, "error: DMA_BUF_IOCTL_EXPORT_SYNC_FILE: %s\n", strerror(errno));
		close(dmabuf);
		return -1;
	}
	close(dmabuf);
	vf->sync_fd = exp.fd;
	printf("vgem card=%s fence=%u sync_fd=%d\n", path, vf->fence, vf->sync_fd);
	return 0;
}

static int vgem_fence_signal(struct vgem_fence *vf)
{
	struct kt_vgem_fence_signal sig = {.fence = vf->fence};

	if (drmIoctl(vf->fd, KT_IOCTL_VGEM_FENCE_SIGNAL, &sig)) {
		fprintf(stderr, "error: VGEM_FENCE_SIGNAL: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

static void vgem_fence_free(struct vgem_fence *vf)
{
	if (vf->sync_fd >= 0)
		close(vf->sync_fd);
	if (vf->handle) {
		struct drm_mode_destroy_dumb d = {.handle = vf->handle};

		drmIoctl(vf->fd, DRM_IOCTL_MODE_DESTROY_DUMB, &d);
	}
	if (vf->fd >= 0)
		close(vf->fd);
}

/* A flip to buf with an out-fence: it signals, cleanly, between the
 * commit and the flip event. */
static int case_out_fence(const struct kt_pipe *p, struct zd_dumb *buf, uint32_t frame)
{
	int64_t t0, ts, t_event;
	int ofd, ret, sig, ev;

	zd_dumb_draw(buf, frame);
	t0 = now_ns();
	ret = pipe_flip(p, buf->fb_id, -1, &ofd);
	check(ret == 0 && ofd >= 0, "out-fence: commit with OUT_FENCE_PTR (ret %d, fence fd %d)",
	      ret, ofd);
	if (ret || ofd < 0)
		return -1;
	sig = wait_readable(ofd, SIGNAL_TIMEOUT_MS);
	ev = wait_flip_event(p->fd, SIGNAL_TIMEOUT_MS);
	t_event = now_ns();
	ret = fence_info(ofd, &ts);
	check(sig == 1 && ret == 1, "out-fence: signaled without error (poll %d, status %d)", sig,
	      ret);
	check(ev == 1, "out-fence: the flip event came");
	check(ts >= t0 && ts <= t_event,
	      "out-fence: signaled %.3f ms after the commit, before the event was read",
	      (double)(ts - t0) / 1e6);
	printf("out_fence frame=%u signaled=%d status=%d after_ms=%.3f\n", frame, sig == 1, ret,
	       (double)(ts - t0) / 1e6);
	close(ofd);
	return sig == 1 && ev == 1 ? 0 : -1;
}

/* A flip to buf that waits for vgem's fence: held while it is unsignaled,
 * done once it signals, its out-fence after the in-fence. */
static int case_in_fence(const struct kt_pipe *p, struct zd_dumb *buf, uint32_t frame)
{
	struct vgem_fence vf;
	int64_t t_in, t_out, t_signal;
	int ofd = -1, ret, held, sig, ev, st_in, st_out;

	if (vgem_fence_make(&vf) < 0) {
		vgem_fence_free(&vf);
		check(0, "in-fence: a vgem fence to wait for");
		return -1;
	}
	check(wait_readable(vf.sync_fd, 0) == 0, "in-fence: vgem's fence starts unsignaled");
	zd_dumb_draw(buf, frame);
	ret = pipe_flip(p, buf->fb_id, vf.sync_fd, &ofd);
	check(ret == 0 && ofd >= 0, "in-fence: commit with IN_FENCE_FD and OUT_FENCE_PTR (ret %d)",
	      ret);
	if (ret || ofd < 0) {
		vgem_fence_free(&vf);
		return -1;
	}
	/* A negative check needs a window: flips take ~20 ms here. */
	held = wait_readable(ofd, HOLD_MS) == 0;
	check(held, "in-fence: no out-fence within %d ms while the in-fence is unsignaled",
	      HOLD_MS);
	check(wait_flip_event(p->fd, 0) == 0, "in-fence: no flip event while held");
	t_signal = now_ns();
	ret = vgem_fence_signal(&vf);
	sig = wait_readable(ofd, SIGNAL_TIMEOUT_MS);
	ev = wait_flip_event(p->fd, SIGNAL_TIMEOUT_MS);
	st_in = fence_info(vf.sync_fd, &t_in);
	st_out = fence_info(ofd, &t_out);
	check(ret == 0 && sig == 1 && st_out == 1,
	      "in-fence: once vgem signals, the out-fence signals (poll %d, status %d)", sig,
	      st_out);
	check(ev == 1, "in-fence: and the flip event comes");
	check(st_in == 1 && t_out >= t_in && t_in >= t_signal,
	      "in-fence: the out-fence signaled %.3f ms after the in-fence",
	      (double)(t_out - t_in) / 1e6);
	printf("in_fence frame=%u held_ms=%d held=%d signaled=%d after_in_ms=%.3f\n", frame,
	       HOLD_MS, held, sig == 1, (double)(t_out - t_in) / 1e6);
	close(ofd);
	vgem_fence_free(&vf);
	return held && sig == 1 && ev == 1 ? 0 : -1;
}

static int cmd_fences(const struct zd_output_req *req)
{
	const struct zd_pixfmt *fmt = zd_pixfmt_by_name("XR24");
	struct zd_dumb buf[2] = {{.fd = -1}, {.fd = -1}};
	struct zd_output out = {.fd = -1};
	struct kt_pipe p;
	int ret = 2;

	if (zd_output_open(req, &out) < 0)
		return 2;
	const uint32_t w = out.mode.hdisplay, h = out.mode.vdisplay;

	if (zd_dumb_create(out.fd, -1, w, h, fmt, &buf[0]) < 0 ||
	    zd_dumb_create(out.fd, -1, w, h, fmt, &buf[1]) < 0)
		goto done;
	zd_dumb_draw(&buf[0], 0);
	if (drmModeSetCrtc(out.fd, out.crtc_id, buf[0].fb_id, 0, 0, &out.connector_id, 1,
			   &out.mode)) {
		fprintf(stderr, "error: drmModeSetCrtc: %s\n", strerror(errno));
		goto done;
	}
	if (pipe_init(&out, &p) < 0)
		goto done;
	printf("output card=%s connector=%s crtc=%u plane=%u WxH=%ux%u\n", out.card,
	       out.connector_name, out.crtc_id, p.plane_id, w, h);
	ret = 1;
	if (case_out_fence(&p, &buf[1], 1) < 0 || case_in_fence(&p, &buf[0], 2) < 0)
		failures++;
	printf("result=%s\n", failures ? "fail" : "pass");
	if (!failures) {
		printf("holding last_frame=2\n");
		while (!stop)
			pause();
		ret = 0;
	}
done:
	zd_dumb_destroy(&buf[1]);
	zd_dumb_destroy(&buf[0]);
	zd_output_close(&out);
	return ret;
}

/* ------------------------------------------------------------------ */
/* formats */

/* Octets per pixel of the single-plane formats a frontend may list. */
static unsigned int format_cpp(uint32_t f)
{
	switch (f) {
	case DRM_FORMAT_XRGB8888:
	case DRM_FORMAT_ARGB8888:
	case DRM_FORMAT_XBGR8888:
	case DRM_FORMAT_ABGR8888:
	case DRM_FORMAT_RGBX8888:
	case DRM_FORMAT_RGBA8888:
	case DRM_FORMAT_BGRX8888:
	case DRM_FORMAT_BGRA8888:
	case DRM_FORMAT_XRGB2101010:
	case DRM_FORMAT_ARGB2101010:
		return 4;
	case DRM_FORMAT_RGB888:
	case DRM_FORMAT_BGR888:
		return 3;
	case DRM_FORMAT_RGB565:
	case DRM_FORMAT_BGR565:
	case DRM_FORMAT_XRGB1555:
	case DRM_FORMAT_ARGB1555:
	case DRM_FORMAT_XRGB4444:
	case DRM_FORMAT_ARGB4444:
	case DRM_FORMAT_YUYV:
	case DRM_FORMAT_UYVY:
		return 2;
	case DRM_FORMAT_RGB332:
	case DRM_FORMAT_C8:
		return 1;
	default:
		return 0;
	}
}

static void fourcc_str(uint32_t f, char s[5])
{
	for (int i = 0; i < 4; i++) {
		char c = (char)((f >> (8 * i)) & 0xff);

		s[i] = c > ' ' && c <= '~' ? c : c == ' ' ? 0 : '?';
	}
	s[4] = 0;
}

/* ADDFB2 of a 64x64 framebuffer in format f on a dumb buffer made with
 * bpp (the format's, or any other: DRM makes it only a size hint, while
 * displif buffers carry one, so the frontend must tell the backend the
 * framebuffer's): 0, or -errno. */
static int try_format(int fd, uint32_t f, unsigned int cpp, unsigned int bpp)
{
	struct drm_mode_create_dumb dumb = {.width = 64 * cpp * 8 / bpp, .height = 64, .bpp = bpp};
	struct drm_mode_destroy_dumb d = {0};
	uint32_t handles[4] = {0}, pitches[4] = {0}, offsets[4] = {0}, fb = 0;
	int ret = 0;

	if (drmIoctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &dumb))
		return -errno;
	handles[0] = dumb.handle;
	pitches[0] = dumb.pitch;
	if (drmModeAddFB2(fd, 64, 64, f, handles, pitches, offsets, &fb, 0))
		ret = -errno;
	else
		drmModeRmFB(fd, fb);
	d.handle = dumb.handle;
	drmIoctl(fd, DRM_IOCTL_MODE_DESTROY_DUMB, &d);
	return ret;
}

static int cmd_formats(const struct zd_output_req *req)
{
	struct zd_output out = {.fd = -1};
	char accepted[256] = "", rejected[256] = "", untested[256] = "";
	drmModePlane *pl = NULL;
	struct kt_pipe p;
	int ret = 2, rb;

	if (zd_output_open(req, &out) < 0)
		return 2;
	if (pipe_init(&out, &p) < 0 || !(pl = drmModeGetPlane(out.fd, p.plane_id)))
		goto done;
	for (uint32_t i = 0; i < pl->count_formats; i++) {
		uint32_t f = pl->formats[i];
		unsigned int cpp = format_cpp(f);
		char name[5], *list;
		int r = 0;

		fourcc_str(f, name);
		if (!cpp) {
			list = untested;
		} else {
			r = try_format(out.fd, f, cpp, cpp * 8);
			list = r ? rejected : accepted;
			printf("format %s %s%s\n", name, r ? "rejected: " : "accepted",
			       r ? strerror(-r) : "");
		}
		if (strlen(list) + 6 < sizeof(accepted))
			snprintf(list + strlen(list), 6, "%s%s", *list ? "," : "", name);
	}
	printf("formats listed=%u accepted=%s rejected=%s untested=%s\n", pl->count_formats,
	       *accepted ? accepted : "-", *rejected ? rejected : "-", *untested ? untested : "-");
	check(*accepted != 0, "formats: the backend accepts at least one");
	rb = try_format(out.fd, DRM_FORMAT_XRGB8888, 4, 16);
	printf("format XR24 on a bpp-16 dumb buffer %s%s\n", rb ? "rejected: " : "accepted",
	       rb ? strerror(-rb) : "");
	check(rb == 0, "formats: XR24 on a dumb buffer made with bpp 16");
	printf("result=%s\n", failures ? "fail" : "pass");
	ret = failures ? 1 : 0;
done:
	drmModeFreePlane(pl);
	zd_output_close(&out);
	return ret;
}

/* ------------------------------------------------------------------ */

static void usage(FILE *f)
{
	fprintf(f, "usage: zdispl-kms-test fences|formats [--card PATH] [--connector N|NAME]\n"
		   "  fences   out-fence and in-fence (vgem) of atomic flips; frame 2 is\n"
		   "           then held on screen until SIGTERM\n"
		   "  formats  which of the primary plane's formats the backend accepts\n"
		   "Exit status: 0 pass, 1 a check failed, 2 usage or setup error.\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"card", required_argument, NULL, 'c'},
		{"connector", required_argument, NULL, 'C'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct sigaction sa = {.sa_handler = on_signal};
	struct zd_output_req req = {0};
	int opt;

	while ((opt = getopt_long(argc, argv, "c:C:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			req.card = optarg;
			break;
		case 'C':
			req.connector = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind + 1 != argc) {
		usage(stderr);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (!strcmp(argv[optind], "fences"))
		return cmd_fences(&req);
	if (!strcmp(argv[optind], "formats"))
		return cmd_formats(&req);
	fprintf(stderr, "error: unknown subcommand '%s'\n", argv[optind]);
	usage(stderr);
	return 2;
}

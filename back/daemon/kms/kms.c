// SPDX-License-Identifier: GPL-2.0
/*
 * kms.c: the display (display.h) on Linux KMS, with libdrm: its devices,
 * their DRM events and their outputs.
 *
 * Atomic modesetting only. A device without DRM_CLIENT_CAP_ATOMIC is
 * refused (kms_display_open fails for a path given to it, and skips it with
 * a warning when scanning): every driver zdispl targets has atomic support
 * (vkms, virtio-gpu, simpledrm, i915, amdgpu, nouveau), and a legacy
 * SetCrtc/PageFlip path would be a second copy of every commit for drivers
 * nobody runs this on.
 *
 * Each device is opened O_NONBLOCK, becomes DRM master and is a loop source;
 * flip-complete events are read with drmHandleEvent. An output's flip_done
 * callback only ever runs from the loop, never from inside a zd_* call:
 * events that set_config reads while it waits for a flip in flight are
 * reported through an eventfd that the loop polls.
 *
 * libdrm: the xf86drm.c calls (drmSetClientCap, drmSetMaster,
 * drmHandleEvent) return -1 and set errno; the xf86drmMode.c calls that
 * return int give -errno themselves, and the ones returning pointers give
 * NULL with errno set by the failed ioctl.
 */
#include "kms-priv.h"

#include <dirent.h>
#include <drm_fourcc.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>
#include <zdispl/displif-use.h>

#include "../base/log.h"

#define KMS_MAX_CARDS 64
#define KMS_LOG "kms"

struct zd_display {
	struct zd_loop *loop;
	struct kms_dev *devs;
	unsigned int ndevs;
	struct zd_output **outs; /* every connector of every device, in order */
	unsigned int nouts;
	int efd; /* reports flips read outside the loop, -1: none */
	struct zd_source *esrc;
};

/* ---- DRM events ---------------------------------------------------------- */

static void on_flip(int fd, unsigned int seq, unsigned int sec, unsigned int usec,
		    unsigned int crtc_id, void *user_data)
{
	struct zd_output *o = user_data; /* see kms_commit_plane() */

	(void)fd;
	(void)sec;
	(void)usec;
	if (!o || !o->flip_pending) {
		zd_warn(KMS_LOG, "flip event for CRTC %u that nothing waits for", crtc_id);
		return;
	}
	zd_dbg(o->prefix, "%s: flip event (seq %u)", o->name, seq);
	o->flip_pending = false;
	if (o->pending_dma) {
		o->shown = o->pending_dmafb;
	} else {
		o->front = o->pending_buf;
		o->shown = NULL;
	}
	o->pending_dma = false;
	o->pending_dmafb = NULL;
	if (o->flip_notify) {
		o->done = true;
		o->done_token = o->flip_token;
	}
	o->flip_notify = false;
}

/* Read what the device has queued; 0 when nothing was there. */
static int dev_read_events(struct kms_dev *k)
{
	drmEventContext ev = {
		.version = DRM_EVENT_CONTEXT_VERSION,
		.page_flip_handler2 = on_flip,
	};

	errno = 0;
	if (drmHandleEvent(k->fd, &ev) < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return 0;
		return errno ? -errno : -EIO; /* a short read sets no errno */
	}
	return 0;
}

/* Call fn for every completed flip. fn may flip again or release. */
static void deliver(struct zd_display *d)
{
	for (unsigned int i = 0; i < d->nouts; i++) {
		struct zd_output *o = d->outs[i];

		if (!o->done)
			continue;
		o->done = false;
		if (o->claimed && o->fn)
			o->fn(o->data, o->done_token);
	}
}

static void dev_readable(void *data)
{
	struct kms_dev *k = data;
	int r;

	r = dev_read_events(k);

	if (r) {
		/* Polling on would spin: the device is gone or broken. */
		zd_err(k->path, "reading DRM events: %s; flips on it will not complete",
		       strerror(-r));
		zd_loop_remove(k->d->loop, k->src);
		k->src = NULL;
	}
	deliver(k->d);
}

static void kick_readable(void *data)
{
	struct zd_display *d = data;
	uint64_t v;

	if (read(d->efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		zd_warn(KMS_LOG, "eventfd read: %s", strerror(errno));
	deliver(d);
}

static void kick(struct zd_display *d)
{
	uint64_t one = 1;

	if (write(d->efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		zd_warn(KMS_LOG, "eventfd write: %s", strerror(errno));
}

static long ms_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) * 1000 + (now.tv_nsec - t0->tv_nsec) / 1000000;
}

/*
 * Wait until o has no flip in flight, reading the device's events here.
 * Completions found are reported from the loop later (kick).
 */
int kms_wait_flip(struct zd_output *o, int timeout_ms)
{
	struct timespec t0;
	bool read_any = false;
	int r = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (o->flip_pending) {
		struct pollfd p = {.fd = o->dev->fd, .events = POLLIN};
		long left = timeout_ms - ms_since(&t0);

		if (left <= 0) {
			r = -ETIMEDOUT;
			break;
		}
		r = poll(&p, 1, (int)left);
		if (r < 0) {
			r = errno == EINTR ? 0 : -errno;
			if (r)
				break;
			continue;
		}
		r = 0;
		if (p.revents) {
			read_any = true;
			r = dev_read_events(o->dev);
			if (r)
				break;
		}
	}
	if (read_any)
		kick(o->dev->d);
	return r;
}

/* ---- devices and outputs -------------------------------------------------- */

static int card_number(const char *path)
{
	const char *b = strrchr(path, '/');
	unsigned int n;
	char extra;

	b = b ? b + 1 : path;
	if (sscanf(b, "card%u%c", &n, &extra) == 1 && n < 1000000)
		return (int)n;
	return -1;
}

static int add_output(struct zd_display *d, struct kms_dev *k, uint32_t conn_id)
{
	struct zd_output **outs, *o;
	drmModeConnector *c;
	const char *type;

	errno = 0;
	c = drmModeGetConnector(k->fd, conn_id); /* probes: modes are fresh */
	if (!c)
		return errno ? -errno : -ENOMEM;
	o = calloc(1, sizeof(*o));
	outs = o ? realloc(d->outs, (d->nouts + 1) * sizeof(*outs)) : NULL;
	if (!outs) {
		free(o);
		drmModeFreeConnector(c);
		return -ENOMEM;
	}
	d->outs = outs;
	d->outs[d->nouts++] = o;
	o->dev = k;
	o->conn_id = conn_id;
	type = drmModeGetConnectorTypeName(c->connector_type);
	snprintf(o->conn_name, sizeof(o->conn_name), "%s-%u", type ? type : "Unknown",
		 c->connector_type_id);
	for (int i = 0; i < c->count_encoders; i++) {
		drmModeEncoder *e = drmModeGetEncoder(k->fd, c->encoders[i]);

		if (!e)
			continue;
		o->possible_crtcs |= e->possible_crtcs;
		if (e->encoder_id == c->encoder_id)
			o->boot_crtc = e->crtc_id;
		drmModeFreeEncoder(e);
	}
	drmModeFreeConnector(c);
	return 0;
}

/*
 * Open one device and list its connectors as outputs. -ENODEV: not a KMS
 * device with connectors; -EOPNOTSUPP: KMS without atomic modesetting.
 */
static int dev_open(struct zd_display *d, struct kms_dev *k, const char *path)
{
	drmModeRes *res;
	drmVersion *ver;
	int r;

	k->d = d;
	snprintf(k->path, sizeof(k->path), "%s", path);
	k->card = card_number(path);
	k->fd = open(path, O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (k->fd < 0) {
		r = -errno;
		zd_err(path, "open: %s", strerror(-r));
		return r;
	}
	res = drmModeGetResources(k->fd);
	if (!res || !res->count_connectors || !res->count_crtcs) {
		r = -ENODEV;
		goto err_res;
	}
	if (drmSetClientCap(k->fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1) ||
	    drmSetClientCap(k->fd, DRM_CLIENT_CAP_ATOMIC, 1)) {
		zd_warn(path, "no atomic modesetting (%s); zdispl needs an atomic KMS driver",
			strerror(errno));
		r = -EOPNOTSUPP;
		goto err_res;
	}
	k->crtcs = calloc((size_t)res->count_crtcs, sizeof(*k->crtcs));
	if (!k->crtcs) {
		r = -ENOMEM;
		goto err_res;
	}
	memcpy(k->crtcs, res->crtcs, (size_t)res->count_crtcs * sizeof(*k->crtcs));
	k->ncrtcs = (unsigned int)res->count_crtcs;
	k->min_w = res->min_width;
	k->max_w = res->max_width;
	k->min_h = res->min_height;
	k->max_h = res->max_height;
	/* The first opener of an unmastered device is master already; this is then a no-op. */
	if (drmSetMaster(k->fd)) {
		r = -errno;
		zd_err(path,
		       "cannot become DRM master: %s (does a compositor or another "
		       "zdispl-back hold the device?)",
		       strerror(-r));
		goto err_res;
	}
	k->master = true;
	for (int i = 0; i < res->count_connectors; i++) {
		r = add_output(d, k, res->connectors[i]);
		if (r) {
			zd_err(path, "connector %u: %s", res->connectors[i], strerror(-r));
			goto err_res;
		}
	}
	ver = drmGetVersion(k->fd);
	zd_info(path, "%s: %d connector(s), %u CRTC(s), atomic, DRM master",
		ver && ver->name ? ver->name : "?", res->count_connectors, k->ncrtcs);
	drmFreeVersion(ver);
	drmModeFreeResources(res);
	return 0;

err_res:
	drmModeFreeResources(res);
	return r; /* the fd, crtcs and master go with dev_close() */
}

static void dev_close(struct zd_display *d, struct kms_dev *k)
{
	if (k->src)
		zd_loop_remove(d->loop, k->src);
	k->src = NULL;
	if (k->master)
		drmDropMaster(k->fd);
	k->master = false;
	if (k->fd >= 0)
		close(k->fd);
	k->fd = -1;
	free(k->crtcs);
	k->crtcs = NULL;
	kms_handles_free(k);
}

static int cmp_uint(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return x < y ? -1 : x > y;
}

/* The N of every /dev/dri/cardN, ascending. */
static unsigned int scan_cards(unsigned int *cards)
{
	DIR *dir = opendir("/dev/dri");
	struct dirent *e;
	unsigned int n = 0;

	if (!dir)
		return 0;
	while ((e = readdir(dir)) && n < KMS_MAX_CARDS) {
		int c = card_number(e->d_name);

		if (c >= 0)
			cards[n++] = (unsigned int)c;
	}
	closedir(dir);
	qsort(cards, n, sizeof(*cards), cmp_uint);
	return n;
}

int kms_display_open(struct zd_loop *loop, const char *const *paths, unsigned int npaths,
		     struct zd_display **out)
{
	unsigned int cards[KMS_MAX_CARDS], n;
	bool scan = !paths || !npaths;
	struct zd_display *d;
	char path[64];
	int r;

	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->loop = loop;
	d->efd = -1;
	n = scan ? scan_cards(cards) : npaths;
	d->devs = calloc(n ? n : 1, sizeof(*d->devs));
	if (!d->devs) {
		r = -ENOMEM;
		goto err;
	}
	for (unsigned int i = 0; i < n; i++) {
		struct kms_dev *k = &d->devs[d->ndevs];

		if (scan)
			snprintf(path, sizeof(path), "/dev/dri/card%u", cards[i]);
		else
			snprintf(path, sizeof(path), "%s", paths[i]);
		k->fd = -1;
		r = dev_open(d, k, path);
		if (r) {
			/* Its outputs go too: the slot is reused for the next device. */
			while (d->nouts && d->outs[d->nouts - 1]->dev == k)
				free(d->outs[--d->nouts]);
			dev_close(d, k);
			/* Scanning skips what is no (atomic) KMS device. */
			if (scan && (r == -ENODEV || r == -EOPNOTSUPP))
				continue;
			if (r == -ENODEV)
				zd_err(path, "not a KMS device with connectors");
			goto err;
		}
		d->ndevs++;
	}
	if (!d->ndevs) {
		zd_err(KMS_LOG, "no atomic KMS device with connectors in /dev/dri");
		r = -ENODEV;
		goto err;
	}
	d->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (d->efd < 0) {
		r = -errno;
		goto err;
	}
	d->esrc = zd_loop_add(loop, d->efd, kick_readable, d);
	if (!d->esrc) {
		r = -ENOMEM;
		goto err;
	}
	for (unsigned int i = 0; i < d->ndevs; i++) {
		d->devs[i].src = zd_loop_add(loop, d->devs[i].fd, dev_readable, &d->devs[i]);
		if (!d->devs[i].src) {
			r = -ENOMEM;
			goto err;
		}
	}
	/* With several devices, names say which: "card1:HDMI-A-1". */
	for (unsigned int i = 0; i < d->nouts; i++) {
		struct zd_output *o = d->outs[i];

		if (d->ndevs > 1 && o->dev->card >= 0)
			snprintf(o->name, sizeof(o->name), "card%d:%s", o->dev->card, o->conn_name);
		else
			snprintf(o->name, sizeof(o->name), "%s", o->conn_name);
	}
	*out = d;
	return 0;

err:
	kms_display_close(d);
	return r;
}

void kms_display_close(struct zd_display *d)
{
	if (!d)
		return;
	for (unsigned int i = 0; i < d->nouts; i++) {
		kms_output_release(d->outs[i]);
		free(d->outs[i]);
	}
	free(d->outs);
	for (unsigned int i = 0; d->devs && i < d->ndevs; i++)
		dev_close(d, &d->devs[i]);
	free(d->devs);
	if (d->esrc)
		zd_loop_remove(d->loop, d->esrc);
	if (d->efd >= 0)
		close(d->efd);
	free(d);
}

/* ---- claiming ------------------------------------------------------------- */

static bool name_matches(const struct zd_output *o, const char *name)
{
	char full[80];

	if (!strcmp(name, o->conn_name) || !strcmp(name, o->name))
		return true;
	snprintf(full, sizeof(full), "card%d:%s", o->dev->card, o->conn_name);
	return o->dev->card >= 0 && !strcmp(name, full);
}

static bool in_use(const struct zd_display *d, const struct kms_dev *k, uint32_t crtc,
		   uint32_t plane)
{
	for (unsigned int i = 0; i < d->nouts; i++) {
		const struct zd_output *o = d->outs[i];

		if (o->claimed && o->dev == k &&
		    ((crtc && o->crtc_id == crtc) || (plane && o->plane_id == plane)))
			return true;
	}
	return false;
}

/* A free primary plane for CRTC index idx: sets plane_id and formats. */
static int pick_plane(struct zd_output *o, unsigned int idx)
{
	struct kms_dev *k = o->dev;
	drmModePlaneRes *pr;
	int r = -ENODEV;

	errno = 0;
	pr = drmModeGetPlaneResources(k->fd);
	if (!pr)
		return errno ? -errno : -ENOMEM;
	for (uint32_t i = 0; i < pr->count_planes && r == -ENODEV; i++) {
		drmModePlane *p = drmModeGetPlane(k->fd, pr->planes[i]);
		bool primary = false;

		if (!p)
			continue;
		if ((p->possible_crtcs & (1u << idx)) && !in_use(k->d, k, 0, p->plane_id) &&
		    !kms_plane_is_primary(k->fd, p->plane_id, &primary) && primary) {
			o->formats = calloc(p->count_formats ? p->count_formats : 1,
					    sizeof(*o->formats));
			if (!o->formats) {
				r = -ENOMEM;
			} else {
				memcpy(o->formats, p->formats,
				       p->count_formats * sizeof(*o->formats));
				o->nformats = p->count_formats;
				o->plane_id = p->plane_id;
				r = 0;
			}
		}
		drmModeFreePlane(p);
	}
	drmModeFreePlaneResources(pr);
	return r;
}

/* A free CRTC the connector can use (the one it is on first) and its plane. */
static int pick_crtc(struct zd_output *o)
{
	struct kms_dev *k = o->dev;

	for (int pass = 0; pass < 2; pass++) {
		for (unsigned int i = 0; i < k->ncrtcs && i < 32; i++) {
			uint32_t crtc = k->crtcs[i];
			int r;

			if (!(o->possible_crtcs & (1u << i)) ||
			    (pass == 0) != (crtc == o->boot_crtc))
				continue;
			if (in_use(k->d, k, crtc, 0))
				continue;
			r = pick_plane(o, i);
			if (r == -ENODEV)
				continue;
			if (r)
				return r;
			o->crtc_id = crtc;
			o->crtc_idx = i;
			return 0;
		}
	}
	return -ENODEV;
}

static void unclaim(struct zd_output *o)
{
	free(o->formats);
	o->formats = NULL;
	o->nformats = 0;
	o->crtc_id = o->plane_id = 0;
	memset(&o->props, 0, sizeof(o->props));
	o->fn = NULL;
	o->data = NULL;
	o->claimed = false;
}

static int try_claim(struct zd_output *o, const char *prefix, struct zd_ratelimit *rl,
		     zd_flip_done_fn fn, void *data)
{
	int r;

	snprintf(o->prefix, sizeof(o->prefix), "%s", prefix ? prefix : o->name);
	o->own_rl = (struct zd_ratelimit){0};
	o->rl = rl ? rl : &o->own_rl;
	r = pick_crtc(o);
	if (!r)
		r = kms_props_lookup(o);
	if (r) {
		unclaim(o);
		return r;
	}
	o->claimed = true;
	o->fn = fn;
	o->data = data;
	o->active = false;
	o->front = 0;
	kms_dbg_rl(o, "claimed output %s (%s: connector %u, CRTC %u, plane %u)", o->name,
		   o->dev->path, o->conn_id, o->crtc_id, o->plane_id);
	return 0;
}

int kms_output_claim(struct zd_display *d, const char *name, const char *log_prefix,
		     struct zd_ratelimit *rl, zd_flip_done_fn fn, void *data,
		     struct zd_output **out)
{
	struct zd_output *o = NULL;

	for (int pass = name ? 0 : 1; pass < 2 && !o; pass++) {
		for (unsigned int i = 0; i < d->nouts && !o; i++) {
			struct zd_output *c = d->outs[i];

			if (c->claimed || (pass == 0 && !name_matches(c, name)) ||
			    (pass == 1 && c->reserved))
				continue;
			if (!try_claim(c, log_prefix, rl, fn, data))
				o = c;
		}
	}
	if (!o)
		return -ENODEV;
	if (name && !name_matches(o, name))
		kms_info_rl(o, "no free output %s: took %s", name, o->name);
	*out = o;
	return 0;
}

void kms_output_reserve(struct zd_display *d, const char *name, bool on)
{
	for (unsigned int i = 0; i < d->nouts; i++) {
		struct zd_output *o = d->outs[i];

		if (!name_matches(o, name))
			continue;
		if (on)
			o->reserved++;
		else if (o->reserved)
			o->reserved--;
	}
}

const char *kms_output_name(const struct zd_output *o)
{
	return o->name;
}

/* Plane and CRTC off; buffers and mode blob stay for the next set_config. */
int kms_output_off(struct zd_output *o)
{
	int r;

	if (!o->active)
		return 0;
	r = kms_commit_off(o);
	if (r) {
		zd_err(o->prefix, "%s: disabling: %s", o->name, strerror(-r));
		return r;
	}
	o->active = false;
	o->shown = NULL;
	return 0;
}

int kms_output_disable(struct zd_output *o)
{
	bool was = o && o->active;
	int r;

	if (!o || !o->claimed)
		return -EINVAL;
	r = kms_output_off(o);
	if (!r && was)
		kms_dbg_rl(o, "%s: disabled", o->name);
	return r;
}

void kms_output_release(struct zd_output *o)
{
	int fd;

	if (!o || !o->claimed)
		return;
	fd = o->dev->fd;
	kms_output_off(o);
	/* A flip still in flight completes unseen: its claimant is gone. */
	o->flip_notify = false;
	o->done = false;
	o->pending_dmafb = NULL;
	o->shown = NULL;
	for (unsigned int i = 0; i < KMS_NBUF; i++)
		kms_scanbuf_destroy(fd, &o->buf[i]);
	if (o->mode_blob)
		drmModeDestroyPropertyBlob(fd, o->mode_blob);
	o->mode_blob = 0;
	o->active = false;
	o->front = 0;
	kms_dbg_rl(o, "released output %s", o->name);
	unclaim(o);
}

const struct zd_display_ops kms_display_ops = {
	.claim = kms_output_claim,
	.reserve = kms_output_reserve,
	.release = kms_output_release,
	.name = kms_output_name,
	.set_config = kms_output_set_config,
	.disable = kms_output_disable,
	.flip = kms_output_flip,
	.import = kms_output_import,
	.import_dumb = kms_output_import_dumb,
	.dmafb_drop = kms_dmafb_drop,
	.set_config_dmafb = kms_output_set_config_dmafb,
	.flip_dmafb = kms_output_flip_dmafb,
	.dumb_create = kms_output_dumb_create,
	.dumb_fd = kms_dumb_fd,
	.dumb_destroy = kms_dumb_destroy,
};

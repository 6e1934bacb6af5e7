// SPDX-License-Identifier: GPL-2.0
/*
 * buffers.c: display buffers and framebuffers of a device, and which path
 * each takes to the screen. All checks on the frontend's numbers happen
 * here, before anything is mapped, exported or allocated.
 */
#include "buffers.h"

#include <drm_fourcc.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "conn.h"
#include "device.h"
#include "display.h"
#include "format.h"
#include "../base/log.h"
#include "pgdir.h"
#include "zerocopy.h"

const char *zd_path_name(enum zd_path p)
{
	switch (p) {
	case ZD_PATH_COPY:
		return "copy";
	case ZD_PATH_ZERO_COPY:
		return "zero-copy";
	case ZD_PATH_PARTIAL:
		return "partial";
	}
	return "?";
}

static void set_path(struct zd_dbuf *d, enum zd_path p, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_path(struct zd_dbuf *d, enum zd_path p, const char *fmt, ...)
{
	va_list ap;

	d->path = p;
	va_start(ap, fmt);
	vsnprintf(d->why, sizeof(d->why), fmt, ap);
	va_end(ap);
}

struct zd_dbuf *zd_dbuf_find(struct zd_buffers *b, uint64_t cookie)
{
	for (uint32_t i = 0; i < b->ndbufs; i++)
		if (b->dbufs[i]->cookie == cookie)
			return b->dbufs[i];
	return NULL;
}

struct zd_fb *zd_fb_find(struct zd_buffers *b, uint64_t cookie)
{
	for (uint32_t i = 0; i < b->nfbs; i++)
		if (b->fbs[i]->cookie == cookie)
			return b->fbs[i];
	return NULL;
}

/* Append p to a pointer array, growing it; -ENOMEM. */
static int array_add(void ***arr, uint32_t *n, uint32_t *cap, void *p)
{
	if (*n == *cap) {
		uint32_t ncap = *cap ? *cap * 2 : 8;
		void **a = realloc(*arr, ncap * sizeof(*a));

		if (!a)
			return -ENOMEM;
		*arr = a;
		*cap = ncap;
	}
	(*arr)[(*n)++] = p;
	return 0;
}

static void array_del(void **arr, uint32_t *n, void *p)
{
	for (uint32_t i = 0; i < *n; i++) {
		if (arr[i] == p) {
			arr[i] = arr[--*n];
			return;
		}
	}
}

/* The request's geometry, checked against hard and per-frontend limits. */
static int check_dbuf_req(const struct zd_device *dev, const struct xendispl_dbuf_create_req *q,
			  uint32_t *pitch)
{
	uint64_t end;

	if (!q->dbuf_cookie)
		return -EINVAL;
	if (q->flags & ~(uint32_t)XENDISPL_DBUF_FLG_REQ_ALLOC)
		return -EINVAL;
	if (!q->buffer_sz)
		return -EINVAL;
	if (q->buffer_sz > dev->limits.max_buffer_bytes || q->buffer_sz > ZD_MAX_BUFFER_BYTES)
		return -E2BIG;
	if (q->data_ofs >= q->buffer_sz)
		return -EINVAL;
	/*
	 * No geometry at all: a buffer the frontend imported from another
	 * driver (Linux's drm_xen_front sends 0x0 at 0 bpp for PRIME imports).
	 * Its framebuffers then bring the geometry (zd_fb_attach). Backend
	 * allocation needs it up front.
	 */
	if (!q->width && !q->height && !q->bpp) {
		*pitch = 0;
		return q->flags & XENDISPL_DBUF_FLG_REQ_ALLOC ? -EINVAL : 0;
	}
	if (!q->width || !q->height || q->width > ZD_MAX_DIMENSION || q->height > ZD_MAX_DIMENSION)
		return -EINVAL;
	if (q->bpp != 16 && q->bpp != 32)
		return -EINVAL;
	/* Widths are bounded above, so this cannot overflow 32 bits. */
	*pitch = ZD_DIV_ROUND_UP(q->width * q->bpp, 8);
	end = (uint64_t)q->data_ofs + (uint64_t)*pitch * q->height;
	if (end > q->buffer_sz)
		return -EINVAL;
	return 0;
}

int zd_dbuf_map(struct zd_device *dev, struct zd_dbuf *d)
{
	void *map;

	if (d->map)
		return 0;
	if (d->dumb) {
		/* be-alloc: the display's own buffer, through its dma-buf. */
		map = mmap(NULL, (size_t)d->npages * ZD_PAGE_SIZE, PROT_READ, MAP_SHARED,
			   zd_dumb_fd(d->dumb), 0);
		if (map == MAP_FAILED)
			return -EFAULT;
		d->map_is_mmap = true;
	} else {
		/* One batched map of every page; read-only, we never write frames. */
		map = xengnttab_map_domain_grant_refs(dev->be->gnt, d->npages, dev->fe_domid,
						      d->grefs, PROT_READ);
		if (!map)
			return -EFAULT;
	}
	d->map = map;
	return 0;
}

static long ms_left(const struct timespec *deadline)
{
	struct timespec now;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (deadline->tv_sec - now.tv_sec) * 1000 + (deadline->tv_nsec - now.tv_nsec) / 1000000;
	return ms > 0 ? ms : 0;
}

static void deadline_in(struct timespec *t, long ms)
{
	clock_gettime(CLOCK_MONOTONIC, t);
	t->tv_sec += ms / 1000;
	t->tv_nsec += (ms % 1000) * 1000000;
	if (t->tv_nsec >= 1000000000) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000;
	}
}

/* An export's fd; the last fd closed lets the dma-buf go once displays have. */
static void dbuf_close_fd(struct zd_dbuf *d)
{
	if (d->dmabuf_fd >= 0)
		close(d->dmabuf_fd);
	d->dmabuf_fd = -1;
}

/*
 * Undo a buffer in reverse order of its making; its framebuffers are gone.
 * An export is waited for until deadline.
 */
static void dbuf_free(struct zd_device *dev, struct zd_dbuf *d, const struct timespec *deadline)
{
	struct zd_zcopy *z = dev->be->zcopy;
	uint32_t busy;
	int r;

	if (d->map && d->map_is_mmap)
		munmap(d->map, (size_t)d->npages * ZD_PAGE_SIZE);
	else if (d->map)
		xengnttab_unmap(dev->be->gnt, d->map, d->npages);
	d->map = NULL;
	if (d->imported) {
		r = zd_zcopy_import_release(z, d->zc_id, &busy);
		if (r)
			zd_warn(dev->name, "dbuf %#llx: ending its grants: %s",
				(unsigned long long)d->cookie, strerror(-r));
		else if (busy)
			zd_warn(dev->name,
				"dbuf %#llx: %u of its pages are still mapped by the frontend; "
				"their grants end when it lets go",
				(unsigned long long)d->cookie, busy);
	}
	zd_dumb_destroy(d->dumb);
	dbuf_close_fd(d);
	if (d->exported) {
		r = zd_zcopy_wait_released(z, d->zc_id, (uint32_t)ms_left(deadline));
		if (r == -ETIMEDOUT)
			zd_warn(dev->name,
				"dbuf %#llx: its dma-buf is still in use after %d ms; its grants "
				"are unmapped when it is released",
				(unsigned long long)d->cookie, ZD_RELEASE_WAIT_MS);
		else if (r)
			zd_warn(dev->name, "dbuf %#llx: waiting for its dma-buf: %s",
				(unsigned long long)d->cookie, strerror(-r));
	}
	free(d->grefs);
	free(d);
}

/* Frontend-allocated: export the pages, or map them for copying. */
static int dbuf_frontend(struct zd_device *dev, struct zd_dbuf *d)
{
	struct zd_zcopy *z = dev->be->zcopy;
	int r;

	if (!zd_zcopy_can_export(z)) {
		set_path(d, ZD_PATH_COPY, "%s", zd_zcopy_why(z));
	} else {
		/* Read-only: the daemon and the display never write a frame. */
		r = zd_zcopy_export(z, dev->fe_domid, d->grefs, d->npages, false, &d->dmabuf_fd,
				    &d->zc_id);
		if (!r) {
			d->exported = true;
			set_path(d, ZD_PATH_ZERO_COPY, "zero-copy via %s", zd_zcopy_name(z));
			return 0;
		}
		d->dmabuf_fd = -1;
		set_path(d, ZD_PATH_COPY, "grant->dma-buf export failed: %s", strerror(-r));
		zd_log_rl(&dev->rl, ZD_LOG_WARN, dev->name, "dbuf %#llx: %s; frames are copied",
			  (unsigned long long)d->cookie, d->why);
	}
	return zd_dbuf_map(dev, d);
}

/* The output of the device's first connector that has one. */
static struct zd_output *first_output(struct zd_device *dev)
{
	for (unsigned int i = 0; i < dev->nr_conns; i++)
		if (dev->conns[i].out)
			return dev->conns[i].out;
	return NULL;
}

/*
 * be-alloc: a dumb buffer on the first output's KMS device, its pages
 * granted to the frontend (read-write) and the refs written into the
 * frontend's directory. The frontend's own pitch and data_ofs describe the
 * frame in it, page for page, as in a buffer it allocated.
 */
static int dbuf_backend(struct zd_device *dev, struct zd_dbuf *d, grant_ref_t dir)
{
	struct zd_zcopy *z = dev->be->zcopy;
	struct zd_output *out = first_output(dev);
	int r;

	if (!zd_zcopy_can_import(z) || !out) {
		zd_log_rl(&dev->rl, ZD_LOG_WARN, dev->name, "dbuf %#llx: be-alloc needs %s",
			  (unsigned long long)d->cookie,
			  out ? "a grant->dma-buf facility" : "a display output");
		return -EOPNOTSUPP;
	}
	r = zd_output_dumb_create(out, d->npages, &d->dumb);
	if (r)
		return r;
	r = zd_zcopy_import(z, zd_dumb_fd(d->dumb), dev->fe_domid, d->npages, d->grefs, &d->zc_id);
	if (r) {
		zd_log_rl(&dev->rl, ZD_LOG_WARN, dev->name, "dbuf %#llx: granting its %u pages: %s",
			  (unsigned long long)d->cookie, d->npages, strerror(-r));
		return r;
	}
	d->imported = true;
	r = zd_pgdir_write(dev->be->gnt, dev->fe_domid, dir, d->npages, d->grefs);
	if (r)
		return r;
	set_path(d, ZD_PATH_ZERO_COPY, "zero-copy via %s (backend-allocated)", zd_zcopy_name(z));
	return 0;
}

int zd_dbuf_create(struct zd_device *dev, const struct xendispl_dbuf_create_req *q)
{
	struct zd_buffers *b = &dev->bufs;
	struct timespec deadline;
	struct zd_dbuf *d;
	uint32_t pitch;
	int r;

	r = check_dbuf_req(dev, q, &pitch);
	if (r)
		return r;
	if (zd_dbuf_find(b, q->dbuf_cookie))
		return -EEXIST;
	if ((q->flags & XENDISPL_DBUF_FLG_REQ_ALLOC) && !dev->be_alloc)
		return -EINVAL;
	if (b->ndbufs >= dev->limits.max_buffers)
		return -ENOSPC;

	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->cookie = q->dbuf_cookie;
	d->width = q->width;
	d->height = q->height;
	d->bpp = q->bpp;
	d->size = q->buffer_sz;
	d->data_ofs = q->data_ofs;
	d->pitch = pitch;
	d->npages = zd_data_pages(q->buffer_sz);
	d->dmabuf_fd = -1;
	d->grefs = calloc(d->npages, sizeof(*d->grefs));
	if (!d->grefs) {
		r = -ENOMEM;
		goto err;
	}
	if (q->flags & XENDISPL_DBUF_FLG_REQ_ALLOC) {
		r = dbuf_backend(dev, d, q->gref_directory);
	} else {
		r = zd_pgdir_read(dev->be->gnt, dev->fe_domid, q->gref_directory, d->npages,
				  d->grefs);
		if (!r)
			r = dbuf_frontend(dev, d);
	}
	if (r)
		goto err;
	r = array_add((void ***)&b->dbufs, &b->ndbufs, &b->cap_dbufs, d);
	if (r)
		goto err;
	zd_dbg(dev->name, "dbuf %#llx: %ux%u %ubpp, %u bytes at offset %u, %u pages, %s",
	       (unsigned long long)d->cookie, d->width, d->height, d->bpp, d->size, d->data_ofs,
	       d->npages, d->why);
	return 0;
err:
	/* Nothing has used an export that fails here: no wait. */
	deadline_in(&deadline, 0);
	dbuf_free(dev, d, &deadline);
	return r;
}

int zd_dbuf_destroy(struct zd_device *dev, uint64_t cookie)
{
	struct zd_dbuf *d = zd_dbuf_find(&dev->bufs, cookie);
	struct timespec deadline;

	if (!d)
		return -ENOENT;
	if (d->nfbs)
		return -EBUSY;
	array_del((void **)dev->bufs.dbufs, &dev->bufs.ndbufs, d);
	deadline_in(&deadline, ZD_RELEASE_WAIT_MS);
	dbuf_free(dev, d, &deadline);
	return 0;
}

/* ---- framebuffers on outputs ------------------------------------------------ */

static void fb_layout(const struct zd_fb *fb, struct zd_fb_layout *l)
{
	const struct zd_dbuf *d = fb->dbuf;

	*l = (struct zd_fb_layout){
		.width = fb->width,
		.height = fb->height,
		.fourcc = fb->fourcc,
		.offset = d->data_ofs,
		.pitch = fb->pitch,
		.size = (uint64_t)d->npages * ZD_PAGE_SIZE,
	};
}

/* fb is copied on c's output from now on, and the buffer says why. */
static void fall_back(struct zd_conn *c, struct zd_fb *fb, const char *what, int err)
{
	struct zd_dbuf *d = fb->dbuf;

	struct zd_device *dev = c->dev;
	bool elsewhere = false;

	/* Another output that shows fb zero-copy, or has yet to try. */
	for (unsigned int i = 0; i < dev->nr_conns; i++) {
		const struct zd_fb_out *fo = &fb->out[i];

		if (i != c->idx && dev->conns[i].out && (fo->dmafb || !fo->tried))
			elsewhere = true;
	}
	if (elsewhere)
		set_path(d, ZD_PATH_PARTIAL,
			 "display refused the %s: %s (output %s); zero-copy on the other outputs",
			 what, strerror(-err), zd_output_name(c->out));
	else
		set_path(d, ZD_PATH_COPY, "display refused the %s: %s (output %s)", what,
			 strerror(-err), zd_output_name(c->out));
	zd_log_rl(&c->dev->rl, ZD_LOG_WARN, c->name, "fb %#llx: %s; its frames are copied there",
		  (unsigned long long)fb->cookie, d->why);
}

struct zd_dmafb *zd_fb_dmafb(struct zd_conn *c, struct zd_fb *fb)
{
	struct zd_fb_out *fo = &fb->out[c->idx];
	struct zd_dbuf *d = fb->dbuf;
	struct zd_fb_layout l;
	int r;

	if (fo->tried || !c->out)
		return fo->dmafb;
	if (!d->exported && !d->dumb)
		return NULL; /* a copied buffer: nothing to import */
	fo->tried = true;
	fb_layout(fb, &l);
	if (d->dumb)
		r = zd_output_import_dumb(c->out, d->dumb, &l, &fo->dmafb);
	else
		r = zd_output_import(c->out, d->dmabuf_fd, &l, &fo->dmafb);
	if (r) {
		fo->dmafb = NULL;
		fall_back(c, fb, "import", r);
	}
	return fo->dmafb;
}

struct zd_dmafb *zd_fb_refused(struct zd_conn *c, struct zd_fb *fb, int err)
{
	struct zd_dmafb *dfb = fb->out[c->idx].dmafb;

	fb->out[c->idx].dmafb = NULL;
	fall_back(c, fb, "framebuffer", err);
	return dfb;
}

void zd_conn_drop_dmafb(struct zd_conn *c, struct zd_dmafb *dfb)
{
	if (zd_dmafb_drop(dfb) && c->configured) {
		c->configured = false;
		zd_info(c->name, "display off: its framebuffer went away");
	}
}

/* Take fb off every output; its imports go. */
static void fb_drop_all(struct zd_device *dev, struct zd_fb *fb)
{
	for (unsigned int i = ZD_MAX_CONNECTORS; i-- > 0;) {
		struct zd_fb_out *fo = &fb->out[i];

		if (fo->dmafb)
			zd_conn_drop_dmafb(&dev->conns[i], fo->dmafb);
		fo->dmafb = NULL;
		fo->tried = false;
	}
}

void zd_buffers_drop_conn(struct zd_conn *c)
{
	struct zd_buffers *b = &c->dev->bufs;

	for (uint32_t i = 0; i < b->nfbs; i++) {
		struct zd_fb_out *fo = &b->fbs[i]->out[c->idx];

		zd_dmafb_drop(fo->dmafb);
		fo->dmafb = NULL;
		fo->tried = false;
	}
}

int zd_fb_attach(struct zd_device *dev, const struct xendispl_fb_attach_req *q)
{
	struct zd_buffers *b = &dev->bufs;
	uint32_t cpp = zd_format_cpp(q->pixel_format), pitch;
	struct zd_dbuf *d;
	struct zd_fb *fb;
	int r;

	if (!q->fb_cookie || !cpp || !q->width || !q->height)
		return -EINVAL;
	if (zd_fb_find(b, q->fb_cookie))
		return -EEXIST;
	d = zd_dbuf_find(b, q->dbuf_cookie);
	if (!d)
		return -ENOENT;
	if (q->width > ZD_MAX_DIMENSION || q->height > ZD_MAX_DIMENSION)
		return -EINVAL;
	if (d->bpp) {
		if (cpp * 8 != d->bpp || q->width > d->width || q->height > d->height)
			return -EINVAL;
		pitch = d->pitch;
	} else {
		/* A buffer without geometry: rows of exactly the fb's width. */
		pitch = q->width * cpp;
		if ((uint64_t)d->data_ofs + (uint64_t)pitch * q->height > d->size)
			return -EINVAL;
	}
	if (b->nfbs >= dev->limits.max_fbs)
		return -ENOSPC;
	fb = calloc(1, sizeof(*fb));
	if (!fb)
		return -ENOMEM;
	fb->cookie = q->fb_cookie;
	fb->dbuf = d;
	fb->width = q->width;
	fb->height = q->height;
	fb->fourcc = q->pixel_format;
	fb->cpp = cpp;
	fb->pitch = pitch;
	r = array_add((void ***)&b->fbs, &b->nfbs, &b->cap_fbs, fb);
	if (r) {
		free(fb);
		return r;
	}
	d->nfbs++;
	/* Into every output now; one that refuses gets copies (logged once). */
	for (unsigned int i = 0; i < dev->nr_conns; i++)
		zd_fb_dmafb(&dev->conns[i], fb);
	return 0;
}

int zd_fb_detach(struct zd_device *dev, uint64_t cookie)
{
	struct zd_fb *fb = zd_fb_find(&dev->bufs, cookie);

	if (!fb)
		return -ENOENT;
	fb_drop_all(dev, fb);
	array_del((void **)dev->bufs.fbs, &dev->bufs.nfbs, fb);
	fb->dbuf->nfbs--;
	free(fb);
	return 0;
}

void zd_buffers_free_all(struct zd_device *dev)
{
	struct zd_buffers *b = &dev->bufs;
	struct timespec deadline;

	while (b->nfbs)
		zd_fb_detach(dev, b->fbs[b->nfbs - 1]->cookie);
	/* Every export's fd first, so that their releases overlap the waits. */
	for (uint32_t i = 0; i < b->ndbufs; i++)
		dbuf_close_fd(b->dbufs[i]);
	deadline_in(&deadline, ZD_RELEASE_WAIT_MS);
	while (b->ndbufs) {
		struct zd_dbuf *d = b->dbufs[--b->ndbufs];

		dbuf_free(dev, d, &deadline);
	}
}

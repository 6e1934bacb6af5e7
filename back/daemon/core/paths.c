// SPDX-License-Identifier: GPL-2.0
/*
 * paths.c: display buffers and framebuffers on their way to the screen:
 * exported, allocated and granted (be-alloc) or mapped for copying,
 * imported per output, and taken down in reverse.
 */
#include "paths.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "display.h"
#include "../base/log.h"
#include "pgdir.h"
#include "zerocopy.h"

static const struct zd_display_ops *dops(const struct zd_buffers *b)
{
	return b->env->dops;
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

int zd_path_map(struct zd_buffers *b, struct zd_dbuf *d)
{
	void *map;

	if (d->map)
		return 0;
	if (d->allocated) {
		/* be-alloc: the helper's pages, through their dma-buf. */
		map = zd_zcopy_mmap(b->env->zcopy, d->dmabuf_fd, (size_t)d->npages * ZD_PAGE_SIZE);
		if (!map)
			return -EFAULT;
		d->map_is_mmap = true;
	} else if (d->dumb) {
		/* be-alloc: the display's own buffer, through its dma-buf. */
		map = mmap(NULL, (size_t)d->npages * ZD_PAGE_SIZE, PROT_READ, MAP_SHARED,
			   dops(b)->dumb_fd(d->dumb), 0);
		if (map == MAP_FAILED)
			return -EFAULT;
		d->map_is_mmap = true;
	} else {
		/* One batched map of every page; read-only, we never write frames. */
		map = xengnttab_map_domain_grant_refs(b->env->gnt, d->npages, b->fe_domid, d->grefs,
						      PROT_READ);
		d->map_calls++;
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

/* A be-alloc buffer's grants that outlive it, for now. */
static void warn_busy(struct zd_buffers *b, const struct zd_dbuf *d, uint32_t busy)
{
	if (busy)
		zd_log_rl(b->rl, ZD_LOG_WARN, b->name,
			  "dbuf %#llx: %u of its pages are still mapped by the frontend; "
			  "their grants end when it lets go (they count against its "
			  "be-alloc limit while the device lives)",
			  (unsigned long long)d->cookie, busy);
}

/*
 * Undo a buffer in reverse order of its making, then free its record; its
 * framebuffers are gone. An export or allocation is waited for until
 * deadline.
 */
static void dbuf_end(struct zd_buffers *b, struct zd_dbuf *d, const struct timespec *deadline)
{
	struct zd_zcopy *z = b->env->zcopy;
	uint32_t busy;
	int r;

	if (d->map && d->allocated)
		zd_zcopy_munmap(z, d->map, (size_t)d->npages * ZD_PAGE_SIZE);
	else if (d->map && d->map_is_mmap)
		munmap(d->map, (size_t)d->npages * ZD_PAGE_SIZE);
	else if (d->map)
		xengnttab_unmap(b->env->gnt, d->map, d->npages);
	d->map = NULL;
	if (d->imported) {
		r = zd_zcopy_import_release(z, d->zc_id, &busy);
		if (r)
			zd_warn(b->name, "dbuf %#llx: ending its grants: %s",
				(unsigned long long)d->cookie, strerror(-r));
		else
			warn_busy(b, d, busy);
		b->deferred_pages += r ? 0 : busy;
	}
	if (d->dumb)
		dops(b)->dumb_destroy(d->dumb);
	dbuf_close_fd(d);
	if (d->exported) {
		r = zd_zcopy_wait_released(z, d->zc_id, (uint32_t)ms_left(deadline), &busy);
		if (r == -ETIMEDOUT)
			zd_warn(b->name,
				"dbuf %#llx: its dma-buf is still in use after %d ms; its grants "
				"are %s when it is released",
				(unsigned long long)d->cookie, ZD_RELEASE_WAIT_MS,
				d->allocated ? "ended" : "unmapped");
		else if (r)
			zd_warn(b->name, "dbuf %#llx: waiting for its dma-buf: %s",
				(unsigned long long)d->cookie, strerror(-r));
		else
			warn_busy(b, d, busy);
		/* Granted until its release, which we did not see: all of it counts. */
		if (d->allocated)
			b->deferred_pages += r ? d->npages : busy;
	}
	zd_dbuf_free_record(d);
}

/* Frontend-allocated: export the pages, or map them for copying. */
static int dbuf_frontend(struct zd_buffers *b, struct zd_dbuf *d)
{
	struct zd_zcopy *z = b->env->zcopy;
	int r;

	r = zd_pgdir_read(b->env->gnt, b->fe_domid, d->gref_directory, d->npages, d->grefs);
	d->map_calls += zd_dir_pages(d->npages); /* each directory page once */
	if (r)
		return r;
	if (!zd_zcopy_can_export(z)) {
		set_path(d, ZD_PATH_COPY, "%s", zd_zcopy_why(z));
	} else {
		/* Read-only: the daemon and the display never write a frame. */
		r = zd_zcopy_export(z, b->fe_domid, d->grefs, d->npages, false, &d->dmabuf_fd,
				    &d->zc_id);
		d->map_calls++; /* one call maps every page */
		if (!r) {
			d->exported = true;
			set_path(d, ZD_PATH_ZERO_COPY, "zero-copy via %s", zd_zcopy_name(z));
			return 0;
		}
		d->dmabuf_fd = -1;
		set_path(d, ZD_PATH_COPY, "grant->dma-buf export failed: %s", strerror(-r));
		zd_log_rl(b->rl, ZD_LOG_WARN, b->name, "dbuf %#llx: %s; frames are copied",
			  (unsigned long long)d->cookie, d->why);
	}
	return zd_path_map(b, d);
}

/* The output of the device's first connector that has one. */
static struct zd_output *first_output(const struct zd_buffers *b)
{
	for (unsigned int i = 0; i < ZD_MAX_CONNECTORS; i++)
		if (b->outs[i])
			return b->outs[i];
	return NULL;
}

/* be-alloc, the helper's way: pages of its own, granted, as a dma-buf. */
static int dbuf_alloc(struct zd_buffers *b, struct zd_dbuf *d)
{
	struct zd_zcopy *z = b->env->zcopy;
	int r;

	r = zd_zcopy_alloc(z, b->fe_domid, d->npages, d->grefs, &d->dmabuf_fd, &d->zc_id);
	if (r) {
		d->dmabuf_fd = -1;
		zd_log_rl(b->rl, ZD_LOG_WARN, b->name, "dbuf %#llx: allocating its %u pages: %s",
			  (unsigned long long)d->cookie, d->npages, strerror(-r));
		return r;
	}
	d->exported = d->allocated = true;
	set_path(d, ZD_PATH_ZERO_COPY, "zero-copy via %s (backend-allocated)", zd_zcopy_name(z));
	return 0;
}

/* be-alloc, gntdev's way: a dumb buffer on the first output's device, granted. */
static int dbuf_import(struct zd_buffers *b, struct zd_dbuf *d)
{
	struct zd_zcopy *z = b->env->zcopy;
	struct zd_output *out = first_output(b);
	int r;

	if (!zd_zcopy_can_import(z) || !out) {
		zd_log_rl(b->rl, ZD_LOG_WARN, b->name, "dbuf %#llx: be-alloc needs %s",
			  (unsigned long long)d->cookie,
			  out ? "a grant->dma-buf facility" : "a display output");
		return -EOPNOTSUPP;
	}
	r = dops(b)->dumb_create(out, d->npages, &d->dumb);
	if (r)
		return r;
	r = zd_zcopy_import(z, dops(b)->dumb_fd(d->dumb), b->fe_domid, d->npages, d->grefs,
			    &d->zc_id);
	if (r) {
		zd_log_rl(b->rl, ZD_LOG_WARN, b->name, "dbuf %#llx: granting its %u pages: %s",
			  (unsigned long long)d->cookie, d->npages, strerror(-r));
		return r;
	}
	d->imported = true;
	set_path(d, ZD_PATH_ZERO_COPY, "zero-copy via %s (backend-allocated)", zd_zcopy_name(z));
	return 0;
}

/*
 * be-alloc: pages granted to the frontend (read-write), their refs written
 * into the frontend's directory. The frontend's own pitch and data_ofs
 * describe the frame in them, page for page, as in a buffer it allocated.
 */
static int dbuf_backend(struct zd_buffers *b, struct zd_dbuf *d)
{
	int r;

	r = zd_zcopy_can_alloc(b->env->zcopy) ? dbuf_alloc(b, d) : dbuf_import(b, d);
	if (r)
		return r;
	d->map_calls += zd_dir_pages(d->npages); /* each directory page once */
	return zd_pgdir_write(b->env->gnt, b->fe_domid, d->gref_directory, d->npages, d->grefs);
}

int zd_dbuf_create(struct zd_buffers *b, const struct xendispl_dbuf_create_req *q)
{
	struct timespec deadline, t0, t1;
	struct zd_dbuf *d;
	int r;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = zd_dbuf_new(b, q, &d);
	if (r)
		return r;
	r = d->be_alloc ? dbuf_backend(b, d) : dbuf_frontend(b, d);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	d->create_us =
		(uint32_t)((t1.tv_sec - t0.tv_sec) * 1000000 + (t1.tv_nsec - t0.tv_nsec) / 1000);
	if (!r)
		r = zd_dbuf_add(b, d);
	if (r) {
		/* Nothing has used an export that fails here: no wait. */
		deadline_in(&deadline, 0);
		dbuf_end(b, d, &deadline);
		return r;
	}
	zd_dbg(b->name, "dbuf %#llx: %ux%u %ubpp, %u bytes at offset %u, %u pages, %s",
	       (unsigned long long)d->cookie, d->width, d->height, d->bpp, d->size, d->data_ofs,
	       d->npages, d->why);
	return 0;
}

int zd_dbuf_destroy(struct zd_buffers *b, uint64_t cookie)
{
	struct timespec deadline;
	struct zd_dbuf *d;
	int r;

	r = zd_dbuf_take(b, cookie, &d);
	if (r)
		return r;
	deadline_in(&deadline, ZD_RELEASE_WAIT_MS);
	dbuf_end(b, d, &deadline);
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

/* fb is copied on connector idx's output from now on, and the buffer says why. */
static void fall_back(struct zd_buffers *b, unsigned int idx, struct zd_fb *fb, const char *what,
		      int err)
{
	const char *out = dops(b)->name(b->outs[idx]);
	struct zd_dbuf *d = fb->dbuf;
	bool elsewhere = false;

	/* Another output that shows fb zero-copy, or has yet to try. */
	for (unsigned int i = 0; i < ZD_MAX_CONNECTORS; i++) {
		const struct zd_fb_out *fo = &fb->out[i];

		if (i != idx && b->outs[i] && (fo->dmafb || !fo->tried))
			elsewhere = true;
	}
	if (elsewhere)
		set_path(d, ZD_PATH_PARTIAL,
			 "display refused the %s: %s (output %s); zero-copy on the other outputs",
			 what, strerror(-err), out);
	else
		set_path(d, ZD_PATH_COPY, "display refused the %s: %s (output %s)", what,
			 strerror(-err), out);
	zd_log_rl(b->rl, ZD_LOG_WARN, b->out_log[idx], "fb %#llx: %s; its frames are copied there",
		  (unsigned long long)fb->cookie, d->why);
}

struct zd_dmafb *zd_path_import(struct zd_buffers *b, unsigned int idx, struct zd_fb *fb)
{
	struct zd_output *out = b->outs[idx];
	struct zd_fb_out *fo = &fb->out[idx];
	struct zd_dbuf *d = fb->dbuf;
	struct zd_fb_layout l;
	int r;

	if (fo->tried || !out)
		return fo->dmafb;
	if (!d->exported && !d->dumb)
		return NULL; /* a copied buffer: nothing to import */
	fo->tried = true;
	fb_layout(fb, &l);
	if (d->dumb)
		r = dops(b)->import_dumb(out, d->dumb, &l, &fo->dmafb);
	else
		r = dops(b)->import(out, d->dmabuf_fd, &l, &fo->dmafb);
	if (r) {
		fo->dmafb = NULL;
		fall_back(b, idx, fb, "import", r);
	}
	return fo->dmafb;
}

struct zd_dmafb *zd_path_refused(struct zd_buffers *b, unsigned int idx, struct zd_fb *fb, int err)
{
	struct zd_dmafb *dfb = fb->out[idx].dmafb;

	fb->out[idx].dmafb = NULL;
	fall_back(b, idx, fb, "framebuffer", err);
	return dfb;
}

bool zd_path_drop(struct zd_buffers *b, struct zd_dmafb *dfb)
{
	return dfb && dops(b)->dmafb_drop(dfb);
}

/* Take fb off connector idx's output; true if that took the output off. */
static bool fb_drop(struct zd_buffers *b, unsigned int idx, struct zd_fb *fb)
{
	struct zd_fb_out *fo = &fb->out[idx];
	bool off = zd_path_drop(b, fo->dmafb);

	fo->dmafb = NULL;
	fo->tried = false;
	return off;
}

void zd_paths_set_output(struct zd_buffers *b, unsigned int idx, struct zd_output *out,
			 const char *log_prefix)
{
	if (b->outs[idx] && b->outs[idx] != out)
		for (uint32_t i = 0; i < b->nfbs; i++)
			fb_drop(b, idx, b->fbs[i]);
	b->outs[idx] = out;
	b->out_log[idx] = log_prefix;
}

int zd_fb_attach(struct zd_buffers *b, const struct xendispl_fb_attach_req *q)
{
	struct zd_fb *fb;
	int r;

	r = zd_fb_add(b, q, &fb);
	if (r)
		return r;
	/* Into every output now; one that refuses gets copies (logged once). */
	for (unsigned int i = 0; i < ZD_MAX_CONNECTORS; i++)
		zd_path_import(b, i, fb);
	return 0;
}

int zd_fb_detach(struct zd_buffers *b, uint64_t cookie, unsigned int *off)
{
	struct zd_fb *fb = zd_fb_find(b, cookie);

	*off = 0;
	if (!fb)
		return -ENOENT;
	for (unsigned int i = ZD_MAX_CONNECTORS; i-- > 0;)
		if (fb_drop(b, i, fb))
			*off |= 1u << i;
	zd_fb_remove(b, fb);
	return 0;
}

void zd_paths_end_all(struct zd_buffers *b)
{
	struct timespec deadline;
	struct zd_dbuf *d;
	unsigned int off;

	while (b->nfbs)
		zd_fb_detach(b, b->fbs[b->nfbs - 1]->cookie, &off);
	/* Every export's fd first, so that their releases overlap the waits. */
	for (uint32_t i = 0; i < b->ndbufs; i++)
		dbuf_close_fd(b->dbufs[i]);
	deadline_in(&deadline, ZD_RELEASE_WAIT_MS);
	while ((d = zd_dbuf_pop(b)))
		dbuf_end(b, d, &deadline);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * buffers.c: the records of a device's display buffers and framebuffers.
 * All checks on the frontend's numbers happen here, before anything is
 * mapped, exported or allocated.
 */
#include "buffers.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "display.h"
#include "format.h"

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

void zd_buffers_init(struct zd_buffers *b, const struct zd_env *env, unsigned int fe_domid,
		     const char *name, struct zd_ratelimit *rl)
{
	memset(b, 0, sizeof(*b));
	b->env = env;
	b->fe_domid = fe_domid;
	b->name = name;
	b->rl = rl;
}

void zd_buffers_release(struct zd_buffers *b)
{
	free(b->dbufs);
	free(b->fbs);
	b->dbufs = NULL;
	b->fbs = NULL;
	b->ndbufs = b->nfbs = b->cap_dbufs = b->cap_fbs = 0;
}

struct zd_dbuf *zd_dbuf_find(const struct zd_buffers *b, uint64_t cookie)
{
	for (uint32_t i = 0; i < b->ndbufs; i++)
		if (b->dbufs[i]->cookie == cookie)
			return b->dbufs[i];
	return NULL;
}

struct zd_fb *zd_fb_find(const struct zd_buffers *b, uint64_t cookie)
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
static int check_dbuf_req(const struct zd_buffers *b, const struct xendispl_dbuf_create_req *q,
			  uint32_t *pitch)
{
	uint64_t end;

	if (!q->dbuf_cookie)
		return -EINVAL;
	if (q->flags & ~(uint32_t)XENDISPL_DBUF_FLG_REQ_ALLOC)
		return -EINVAL;
	if (!q->buffer_sz)
		return -EINVAL;
	if (q->buffer_sz > b->env->limits.max_buffer_bytes || q->buffer_sz > ZD_MAX_BUFFER_BYTES)
		return -E2BIG;
	if (q->data_ofs >= q->buffer_sz)
		return -EINVAL;
	/*
	 * No geometry at all: a buffer the frontend imported from another
	 * driver (Linux's drm_xen_front sends 0x0 at 0 bpp for PRIME imports).
	 * Its framebuffers then bring the geometry (zd_fb_add). Backend
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

int zd_dbuf_new(const struct zd_buffers *b, const struct xendispl_dbuf_create_req *q,
		struct zd_dbuf **out)
{
	uint32_t pitch, npages;
	struct zd_dbuf *d;
	int r;

	r = check_dbuf_req(b, q, &pitch);
	if (r)
		return r;
	if (zd_dbuf_find(b, q->dbuf_cookie))
		return -EEXIST;
	if ((q->flags & XENDISPL_DBUF_FLG_REQ_ALLOC) && !b->be_alloc)
		return -EINVAL;
	if (b->ndbufs >= b->env->limits.max_buffers)
		return -ENOSPC;
	npages = zd_data_pages(q->buffer_sz);
	if (b->pages + npages > b->env->limits.max_pages)
		return -ENOSPC;
	if ((q->flags & XENDISPL_DBUF_FLG_REQ_ALLOC) &&
	    b->granted_pages + b->deferred_pages + npages > b->env->limits.max_granted_pages)
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
	d->npages = npages;
	d->be_alloc = q->flags & XENDISPL_DBUF_FLG_REQ_ALLOC;
	d->gref_directory = q->gref_directory;
	d->dmabuf_fd = -1;
	d->grefs = calloc(d->npages, sizeof(*d->grefs));
	if (!d->grefs) {
		free(d);
		return -ENOMEM;
	}
	*out = d;
	return 0;
}

int zd_dbuf_add(struct zd_buffers *b, struct zd_dbuf *d)
{
	int r = array_add((void ***)&b->dbufs, &b->ndbufs, &b->cap_dbufs, d);

	if (!r) {
		b->pages += d->npages;
		if (d->be_alloc)
			b->granted_pages += d->npages;
	}
	return r;
}

static void dbuf_unaccount(struct zd_buffers *b, const struct zd_dbuf *d)
{
	b->pages -= d->npages;
	if (d->be_alloc)
		b->granted_pages -= d->npages;
}

int zd_dbuf_take(struct zd_buffers *b, uint64_t cookie, struct zd_dbuf **out)
{
	struct zd_dbuf *d = zd_dbuf_find(b, cookie);

	if (!d)
		return -ENOENT;
	if (d->nfbs)
		return -EBUSY;
	array_del((void **)b->dbufs, &b->ndbufs, d);
	dbuf_unaccount(b, d);
	*out = d;
	return 0;
}

struct zd_dbuf *zd_dbuf_pop(struct zd_buffers *b)
{
	struct zd_dbuf *d;

	if (!b->ndbufs)
		return NULL;
	d = b->dbufs[--b->ndbufs];
	dbuf_unaccount(b, d);
	return d;
}

void zd_dbuf_free_record(struct zd_dbuf *d)
{
	if (!d)
		return;
	free(d->grefs);
	free(d);
}

int zd_fb_add(struct zd_buffers *b, const struct xendispl_fb_attach_req *q, struct zd_fb **out)
{
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
	if (b->nfbs >= b->env->limits.max_fbs)
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
	*out = fb;
	return 0;
}

void zd_fb_remove(struct zd_buffers *b, struct zd_fb *fb)
{
	array_del((void **)b->fbs, &b->nfbs, fb);
	fb->dbuf->nfbs--;
	free(fb);
}

uint32_t zd_buffers_ndbufs(const struct zd_buffers *b)
{
	return b->ndbufs;
}

uint32_t zd_buffers_nfbs(const struct zd_buffers *b)
{
	return b->nfbs;
}

int zd_buffers_dbuf_info(const struct zd_buffers *b, uint32_t i, struct zd_dbuf_info *out)
{
	const struct zd_dbuf *d;

	if (i >= b->ndbufs)
		return -ENOENT;
	d = b->dbufs[i];
	*out = (struct zd_dbuf_info){
		.cookie = d->cookie,
		.width = d->width,
		.height = d->height,
		.bpp = d->bpp,
		.size = d->size,
		.npages = d->npages,
		.path = d->path,
		.why = d->why,
		.exported = d->exported,
		.imported = d->imported,
		.allocated = d->allocated,
		.map = d->map,
		.map_is_mmap = d->map_is_mmap,
		.dmabuf_fd = d->dumb ? b->env->dops->dumb_fd(d->dumb) : d->dmabuf_fd,
		.grefs = d->grefs,
		.nfbs = d->nfbs,
		.create_us = d->create_us,
		.map_calls = d->map_calls,
	};
	for (uint32_t f = 0; f < b->nfbs; f++)
		for (unsigned int k = 0; k < ZD_MAX_CONNECTORS; k++)
			out->dmafbs += b->fbs[f]->dbuf == d && b->fbs[f]->out[k].dmafb;
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * buffers.c: display buffers and framebuffers of a device. All checks on
 * the frontend's numbers happen here, before anything is mapped.
 */
#include "buffers.h"

#include <drm_fourcc.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "device.h"
#include "format.h"
#include "log.h"
#include "pgdir.h"

const char *zd_path_name(enum zd_path p)
{
	return p == ZD_PATH_COPY ? "copy" : "?";
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
	if (!q->width || !q->height || q->width > ZD_MAX_DIMENSION ||
	    q->height > ZD_MAX_DIMENSION)
		return -EINVAL;
	if (q->bpp != 16 && q->bpp != 32)
		return -EINVAL;
	if (!q->buffer_sz)
		return -EINVAL;
	if (q->buffer_sz > dev->limits.max_buffer_bytes || q->buffer_sz > ZD_MAX_BUFFER_BYTES)
		return -E2BIG;
	/* Widths are bounded above, so this cannot overflow 32 bits. */
	*pitch = ZD_DIV_ROUND_UP(q->width * q->bpp, 8);
	end = (uint64_t)q->data_ofs + (uint64_t)*pitch * q->height;
	if (end > q->buffer_sz)
		return -EINVAL;
	return 0;
}

static void dbuf_free(struct zd_device *dev, struct zd_dbuf *d)
{
	if (d->map)
		xengnttab_unmap(dev->be->gnt, d->map, d->npages);
	free(d->grefs);
	free(d);
}

int zd_dbuf_create(struct zd_device *dev, const struct xendispl_dbuf_create_req *q)
{
	struct zd_buffers *b = &dev->bufs;
	struct zd_dbuf *d;
	uint32_t pitch;
	int r;

	r = check_dbuf_req(dev, q, &pitch);
	if (r)
		return r;
	if (zd_dbuf_find(b, q->dbuf_cookie))
		return -EEXIST;
	if (q->flags & XENDISPL_DBUF_FLG_REQ_ALLOC)
		return dev->be_alloc ? -EOPNOTSUPP : -EINVAL;
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
	d->path = ZD_PATH_COPY;
	d->why = "zero-copy is not built yet: frames are copied";
	d->grefs = calloc(d->npages, sizeof(*d->grefs));
	if (!d->grefs) {
		r = -ENOMEM;
		goto err;
	}
	r = zd_pgdir_read(dev->be->gnt, dev->fe_domid, q->gref_directory, d->npages, d->grefs);
	if (r)
		goto err;
	/* One batched map of every page; read-only, we never write frames. */
	d->map = xengnttab_map_domain_grant_refs(dev->be->gnt, d->npages, dev->fe_domid,
						 d->grefs, PROT_READ);
	if (!d->map) {
		r = -EFAULT;
		goto err;
	}
	r = array_add((void ***)&b->dbufs, &b->ndbufs, &b->cap_dbufs, d);
	if (r)
		goto err;
	zd_dbg(dev->name, "dbuf %#llx: %ux%u %ubpp, %u bytes at offset %u, %u pages",
	       (unsigned long long)d->cookie, d->width, d->height, d->bpp, d->size, d->data_ofs,
	       d->npages);
	return 0;
err:
	dbuf_free(dev, d);
	return r;
}

int zd_dbuf_destroy(struct zd_device *dev, uint64_t cookie)
{
	struct zd_dbuf *d = zd_dbuf_find(&dev->bufs, cookie);

	if (!d)
		return -ENOENT;
	if (d->nfbs)
		return -EBUSY;
	array_del((void **)dev->bufs.dbufs, &dev->bufs.ndbufs, d);
	dbuf_free(dev, d);
	return 0;
}

int zd_fb_attach(struct zd_device *dev, const struct xendispl_fb_attach_req *q)
{
	struct zd_buffers *b = &dev->bufs;
	uint32_t cpp = zd_format_cpp(q->pixel_format);
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
	if (cpp * 8 != d->bpp || q->width > d->width || q->height > d->height)
		return -EINVAL;
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
	r = array_add((void ***)&b->fbs, &b->nfbs, &b->cap_fbs, fb);
	if (r) {
		free(fb);
		return r;
	}
	d->nfbs++;
	return 0;
}

int zd_fb_detach(struct zd_device *dev, uint64_t cookie)
{
	struct zd_fb *fb = zd_fb_find(&dev->bufs, cookie);

	if (!fb)
		return -ENOENT;
	array_del((void **)dev->bufs.fbs, &dev->bufs.nfbs, fb);
	fb->dbuf->nfbs--;
	free(fb);
	return 0;
}

void zd_buffers_free_all(struct zd_device *dev)
{
	struct zd_buffers *b = &dev->bufs;

	while (b->nfbs)
		zd_fb_detach(dev, b->fbs[0]->cookie);
	while (b->ndbufs) {
		struct zd_dbuf *d = b->dbufs[--b->ndbufs];

		dbuf_free(dev, d);
	}
}

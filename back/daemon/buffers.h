/* SPDX-License-Identifier: GPL-2.0 */
/*
 * buffers.h: a device's display buffers (DBUF_CREATE) and framebuffers
 * (FB_ATTACH), found by the frontend's cookies.
 *
 * Cookies are the frontend's opaque 64-bit ids; zdispl never interprets
 * them and never hands out pointers. Every field of a create/attach
 * request is validated here before anything is mapped or allocated:
 *
 *   -EINVAL  cookie 0; width/height 0 or over ZD_MAX_DIMENSION; unknown
 *            bpp or fourcc; bpp that does not match the fourcc; flags with
 *            unknown bits; data_ofs + pitch * height beyond buffer_sz; fb
 *            larger than its buffer; a bad page directory (pgdir.h)
 *   -EEXIST  cookie already in use
 *   -ENOENT  unknown cookie
 *   -E2BIG   buffer_sz over the frontend's limit
 *   -ENOSPC  too many buffers or framebuffers for the frontend's limit
 *   -EBUSY   DBUF_DESTROY of a buffer that still has framebuffers
 *   -EFAULT  a grant could not be mapped
 *   -EOPNOTSUPP  backend allocation (be-alloc) on the copy path
 */
#ifndef ZD_BUFFERS_H
#define ZD_BUFFERS_H

#include <stdbool.h>
#include <stdint.h>
#include <zdispl/displif-use.h>

struct zd_device;

enum zd_path {
	ZD_PATH_COPY, /* grants mapped; frames copied to a scanout buffer */
};

struct zd_dbuf {
	uint64_t cookie;
	uint32_t width, height, bpp, size, data_ofs, pitch;
	uint32_t npages;
	grant_ref_t *grefs; /* private copy of the page directory */
	enum zd_path path;
	const char *why;    /* why this path (status interface), static string */
	void *map;	    /* copy path: all npages mapped read-only */
	unsigned int nfbs;  /* framebuffers attached */
};

struct zd_fb {
	uint64_t cookie;
	struct zd_dbuf *dbuf;
	uint32_t width, height, fourcc, cpp;
};

struct zd_buffers {
	struct zd_dbuf **dbufs;
	struct zd_fb **fbs;
	uint32_t ndbufs, nfbs;
	uint32_t cap_dbufs, cap_fbs;
};

int zd_dbuf_create(struct zd_device *dev, const struct xendispl_dbuf_create_req *req);
int zd_dbuf_destroy(struct zd_device *dev, uint64_t cookie);
int zd_fb_attach(struct zd_device *dev, const struct xendispl_fb_attach_req *req);
int zd_fb_detach(struct zd_device *dev, uint64_t cookie);

struct zd_dbuf *zd_dbuf_find(struct zd_buffers *b, uint64_t cookie);
struct zd_fb *zd_fb_find(struct zd_buffers *b, uint64_t cookie);

const char *zd_path_name(enum zd_path p);

/* Destroy everything (frontend gone). */
void zd_buffers_free_all(struct zd_device *dev);

#endif /* ZD_BUFFERS_H */

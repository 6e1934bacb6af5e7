/* SPDX-License-Identifier: GPL-2.0 */
/*
 * buffers.h: a device's display buffers (DBUF_CREATE) and framebuffers
 * (FB_ATTACH), found by the frontend's cookies.
 *
 * Cookies are the frontend's opaque 64-bit ids; zdispl never interprets
 * them and never hands out pointers. Every field of a create/attach
 * request is validated here before anything is mapped or allocated:
 *
 * A buffer may come without geometry (width, height and bpp all 0: a
 * frontend's PRIME import); its framebuffers then have rows of exactly
 * width * cpp octets.
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
 *   -EOPNOTSUPP  backend allocation (be-alloc) without a grant->dma-buf
 *            facility that imports, or without a display output
 *
 * be-alloc (XENDISPL_DBUF_FLG_REQ_ALLOC, on a device whose frontend wrote
 * be-alloc 1): the display allocates a dumb buffer of the buffer's pages
 * on the KMS device of the first connector with an output, the seam
 * grants its pages to the frontend and their refs go into the frontend's
 * page directory (zd_pgdir_write). Its errors, the display's and the
 * seam's -errno, are returned as they are; nothing stays granted.
 *
 * Paths. With the zcopy seam, a frontend's buffer is exported as a
 * dma-buf at DBUF_CREATE (its pages are never mapped by the daemon) and
 * FB_ATTACH imports it into the output of every connector (cached per
 * framebuffer and connector). Where the seam, the export or a display
 * says no, that buffer or that (framebuffer, connector) is copied
 * instead: its grants are then mapped read-only, once, when the first
 * frame has to be copied. The buffer's path and why say which and why.
 *
 * Teardown runs in reverse: framebuffers leave the displays first (a
 * display shows nothing it no longer has), then the dma-buf fd is closed
 * and the release of the export waited for, at most
 * ZD_RELEASE_WAIT_MS (the helper unmaps on release all the same).
 */
#ifndef ZD_BUFFERS_H
#define ZD_BUFFERS_H

#include <stdbool.h>
#include <stdint.h>
#include <zdispl/displif-use.h>

struct zd_conn;
struct zd_device;
struct zd_dmafb;
struct zd_dumb;

/* How long teardown waits for a dma-buf to be released. */
#define ZD_RELEASE_WAIT_MS 2000

enum zd_path {
	ZD_PATH_COPY,	   /* frames copied to a scanout buffer */
	ZD_PATH_ZERO_COPY, /* the frame's own pages are scanned out */
	ZD_PATH_PARTIAL,   /* zero-copy, but copied on an output that refused it */
};

struct zd_dbuf {
	uint64_t cookie;
	uint32_t width, height, bpp, size, data_ofs, pitch;
	uint32_t npages;
	grant_ref_t *grefs; /* the page directory's (a private copy), or ours (be-alloc) */
	enum zd_path path;
	char why[128]; /* why this path (status interface) */

	/* Zero-copy: the pages as a dma-buf. */
	int dmabuf_fd;	      /* the export's fd, -1: none (be-alloc: zd_dumb_fd()) */
	uint32_t zc_id;	      /* the seam's id for it */
	bool exported;	      /* zc_id is an export still to wait for */
	bool imported;	      /* be-alloc: zc_id is an import still to release */
	struct zd_dumb *dumb; /* be-alloc: the display's buffer */

	void *map;	   /* copy path: all npages, read-only; NULL until needed */
	bool map_is_mmap;  /* mmap of the dma-buf (be-alloc), else grant mapping */
	unsigned int nfbs; /* framebuffers attached */
};

/* A framebuffer on one connector's output. */
struct zd_fb_out {
	struct zd_dmafb *dmafb; /* imported: shown zero-copy; NULL: copied */
	bool tried;		/* the import was tried (or refused) */
};

struct zd_fb {
	uint64_t cookie;
	struct zd_dbuf *dbuf;
	uint32_t width, height, fourcc, cpp;
	uint32_t pitch;				 /* octets per row in the buffer */
	struct zd_fb_out out[ZD_MAX_CONNECTORS]; /* by connector index */
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

/*
 * fb's framebuffer on c's output, imported on first use; NULL: fb is
 * copied there (no output, no dma-buf, or the display refused it).
 */
struct zd_dmafb *zd_fb_dmafb(struct zd_conn *c, struct zd_fb *fb);
/*
 * The display refused to show fb's framebuffer on c's output (err): fb is
 * copied there from now on. Returns the framebuffer for the caller to
 * drop with zd_conn_drop_dmafb() once the copy is on the screen.
 */
struct zd_dmafb *zd_fb_refused(struct zd_conn *c, struct zd_fb *fb, int err);
/* Drop a framebuffer of c's output; if that took the output off, c is off. */
void zd_conn_drop_dmafb(struct zd_conn *c, struct zd_dmafb *dfb);
/* Map the buffer for the copy path (once). -EFAULT, -ENOMEM. */
int zd_dbuf_map(struct zd_device *dev, struct zd_dbuf *d);
/* Drop every framebuffer of c's output (before the output is released). */
void zd_buffers_drop_conn(struct zd_conn *c);

/* Destroy everything (frontend gone). */
void zd_buffers_free_all(struct zd_device *dev);

#endif /* ZD_BUFFERS_H */

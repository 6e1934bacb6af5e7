/* SPDX-License-Identifier: GPL-2.0 */
/*
 * buffers.h: the registry of a device's display buffers (DBUF_CREATE) and
 * framebuffers (FB_ATTACH), found by the frontend's cookies, and the
 * checks on their numbers. Which way each takes to the screen is
 * paths.h's business; this file only keeps the records.
 *
 * Cookies are the frontend's opaque 64-bit ids; zdispl never interprets
 * them and never hands out pointers. Every field of a create/attach
 * request is validated here before anything is mapped or allocated:
 *
 *   -EINVAL  cookie 0; width/height 0 or over ZD_MAX_DIMENSION; unknown
 *            bpp or fourcc; bpp that does not match the fourcc; flags with
 *            unknown bits, or be-alloc on a device that did not negotiate
 *            it; data_ofs + pitch * height beyond buffer_sz; fb larger
 *            than its buffer
 *   -EEXIST  cookie already in use
 *   -ENOENT  unknown cookie
 *   -E2BIG   buffer_sz over the frontend's limit
 *   -ENOSPC  too many buffers, framebuffers or pages for the frontend's
 *            limits; be-alloc pages count with the grants of destroyed
 *            buffers that the frontend still maps (deferred_pages)
 *   -EBUSY   a buffer that still has framebuffers
 *
 * A buffer may come without geometry (width, height and bpp all 0: a
 * frontend's PRIME import); its framebuffers then have rows of exactly
 * width * cpp octets.
 */
#ifndef ZD_BUFFERS_H
#define ZD_BUFFERS_H

#include <stdbool.h>
#include <stdint.h>
#include <zdispl/displif-use.h>

#include "env.h"
#include "../base/log.h"

struct zd_dmafb;
struct zd_dumb;
struct zd_output;

enum zd_path {
	ZD_PATH_COPY,	   /* frames copied to a scanout buffer */
	ZD_PATH_ZERO_COPY, /* the frame's own pages are scanned out */
	ZD_PATH_PARTIAL,   /* zero-copy, but copied on an output that refused it */
};

const char *zd_path_name(enum zd_path p);

struct zd_dbuf {
	uint64_t cookie;
	uint32_t width, height, bpp, size, data_ofs, pitch;
	uint32_t npages;
	bool be_alloc; /* XENDISPL_DBUF_FLG_REQ_ALLOC */
	grant_ref_t gref_directory;
	grant_ref_t *grefs; /* the page directory's (a private copy), or ours (be-alloc) */
	enum zd_path path;
	char why[128]; /* why this path (status interface) */

	/* Zero-copy: the pages as a dma-buf. */
	int dmabuf_fd;	      /* the export's or allocation's fd, -1: none */
	uint32_t zc_id;	      /* the seam's id for it */
	bool exported;	      /* zc_id is an export or allocation still to wait for */
	bool allocated;	      /* be-alloc: zc_id is an allocation (the helper's pages) */
	bool imported;	      /* be-alloc: zc_id is an import still to release */
	struct zd_dumb *dumb; /* be-alloc through an import: the display's buffer */

	uint32_t create_us; /* DBUF_CREATE took this long (status, benchmarks) */
	uint32_t map_calls; /* grant map calls for it: directory pages, then data */

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
	/* What the device lends: set by zd_buffers_init. */
	const struct zd_env *env;
	unsigned int fe_domid;
	const char *name;	 /* the device's log prefix */
	struct zd_ratelimit *rl; /* the device's, for what the frontend triggers */
	bool be_alloc;		 /* negotiated: the frontend may ask for be-alloc */
	/* Each connector's output (NULL: none) and log prefix; set by its scanout. */
	struct zd_output *outs[ZD_MAX_CONNECTORS];
	const char *out_log[ZD_MAX_CONNECTORS];

	struct zd_dbuf **dbufs;
	struct zd_fb **fbs;
	uint32_t ndbufs, nfbs;
	uint32_t cap_dbufs, cap_fbs;
	uint64_t pages;		 /* of every buffer in the registry */
	uint64_t granted_pages;	 /* of its be-alloc buffers */
	uint64_t deferred_pages; /* granted still: the frontend mapped them past DBUF_DESTROY */
};

void zd_buffers_init(struct zd_buffers *b, const struct zd_env *env, unsigned int fe_domid,
		     const char *name, struct zd_ratelimit *rl);
/* Free the tables; every record must be gone (paths.h: zd_paths_end_all). */
void zd_buffers_release(struct zd_buffers *b);

struct zd_dbuf *zd_dbuf_find(const struct zd_buffers *b, uint64_t cookie);
struct zd_fb *zd_fb_find(const struct zd_buffers *b, uint64_t cookie);

/*
 * A checked record for a DBUF_CREATE, not yet in the registry: its pages
 * are neither read nor mapped. Add it with zd_dbuf_add, or free it with
 * zd_dbuf_free_record.
 */
int zd_dbuf_new(const struct zd_buffers *b, const struct xendispl_dbuf_create_req *q,
		struct zd_dbuf **out);
int zd_dbuf_add(struct zd_buffers *b, struct zd_dbuf *d);
/* The buffer of cookie, out of the registry. -ENOENT, -EBUSY (has fbs). */
int zd_dbuf_take(struct zd_buffers *b, uint64_t cookie, struct zd_dbuf **out);
/* Any buffer out of the registry, whatever its fbs; NULL when empty (teardown). */
struct zd_dbuf *zd_dbuf_pop(struct zd_buffers *b);
/* The record only: what paths.h set up on it is gone. */
void zd_dbuf_free_record(struct zd_dbuf *d);

/* A checked framebuffer for an FB_ATTACH, in the registry. */
int zd_fb_add(struct zd_buffers *b, const struct xendispl_fb_attach_req *q, struct zd_fb **out);
/* Out of the registry and freed; it is on no output any more. */
void zd_fb_remove(struct zd_buffers *b, struct zd_fb *fb);

/* What tests and the status interface see of the registry. */
struct zd_dbuf_info {
	uint64_t cookie;
	uint32_t width, height, bpp, size, npages;
	enum zd_path path;
	const char *why;
	bool exported, imported;  /* an export or allocation, or a be-alloc import, lives */
	bool allocated;		  /* be-alloc: the pages are the helper's allocation */
	const void *map;	  /* copy path's mapping, NULL: none */
	bool map_is_mmap;	  /* of the dma-buf (be-alloc), else of the grants */
	int dmabuf_fd;		  /* the dma-buf it is (export or be-alloc's), -1: none */
	const grant_ref_t *grefs; /* npages: the frontend's, or ours (be-alloc) */
	unsigned int nfbs;
	unsigned int dmafbs; /* imports of its framebuffers, over every output */
	uint32_t create_us, map_calls;
};

uint32_t zd_buffers_ndbufs(const struct zd_buffers *b);
uint32_t zd_buffers_nfbs(const struct zd_buffers *b);
/* The i-th buffer, in no particular order; -ENOENT past the last. */
int zd_buffers_dbuf_info(const struct zd_buffers *b, uint32_t i, struct zd_dbuf_info *out);

#endif /* ZD_BUFFERS_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * zfront-req.c: the displif requests the DRM side makes, each a call on a
 * connector's ring (zfront-ring.c) that returns 0 or a negative errno.
 * Buffer and framebuffer requests go over connector 0's ring, as
 * io/displif.h asks; mode sets and flips over their connector's.
 */
#include <linux/slab.h>
#include <xen/grant_table.h>
#include <xen/page.h>

#include "../zfront.h"

static struct zfront_ring *ring_of(struct zfront_info *info, unsigned int conn)
{
	return conn < info->nrings ? &info->ring[conn] : NULL;
}

static int call(struct zfront_info *info, unsigned int conn, struct xendispl_req *req)
{
	struct zfront_ring *r = ring_of(info, conn);

	return r ? zfront_ring_call(r, req, 0, NULL) : -ENODEV;
}

int zfront_dbuf_create(struct zfront_info *info, u64 cookie, u32 width, u32 height, u32 bpp,
		       u32 size, u32 data_ofs, struct zfront_shbuf *sb, bool be_alloc)
{
	struct xendispl_req req;

	zfront_req_dbuf_create(&req, 0, cookie, width, height, bpp, size, data_ofs,
			       zfront_shbuf_dir_ref(sb), be_alloc);
	return call(info, 0, &req);
}

int zfront_dbuf_destroy(struct zfront_info *info, u64 cookie)
{
	struct xendispl_req req;

	zfront_req_dbuf_destroy(&req, 0, cookie);
	return call(info, 0, &req);
}

int zfront_fb_attach(struct zfront_info *info, u64 dbuf_cookie, u64 fb_cookie, u32 width,
		     u32 height, u32 fourcc)
{
	struct xendispl_req req;

	zfront_req_fb_attach(&req, 0, dbuf_cookie, fb_cookie, width, height, fourcc);
	return call(info, 0, &req);
}

int zfront_fb_detach(struct zfront_info *info, u64 fb_cookie)
{
	struct xendispl_req req;

	zfront_req_fb_detach(&req, 0, fb_cookie);
	return call(info, 0, &req);
}

int zfront_set_config(struct zfront_info *info, unsigned int conn, u64 fb_cookie, u32 x, u32 y,
		      u32 width, u32 height, u32 bpp)
{
	struct xendispl_req req;

	zfront_req_set_config(&req, 0, fb_cookie, x, y, width, height, bpp);
	return call(info, conn, &req);
}

int zfront_pg_flip(struct zfront_info *info, unsigned int conn, u64 fb_cookie)
{
	struct xendispl_req req;

	zfront_req_pg_flip(&req, 0, fb_cookie);
	return call(info, conn, &req);
}

/*
 * GET_EDID: the backend writes into a buffer of XENDISPL_EDID_MAX_SIZE
 * octets we grant it (writable: it is the backend's to fill). What it
 * wrote is copied out and validated before anyone parses it.
 */
int zfront_get_edid(struct zfront_info *info, unsigned int conn, u8 **edid, u32 *size)
{
	const u32 npages = ZFRONT_EDID_BUF_SIZE / XEN_PAGE_SIZE;
	struct zfront_ring *r = ring_of(info, conn);
	struct page **pages;
	struct zfront_shbuf *sb;
	struct xendispl_req req;
	u32 i, sz = 0;
	u8 *copy = NULL;
	int ret;

	if (!r)
		return -ENODEV;
	if (info->cfg.version < 2)
		return -EOPNOTSUPP;
	pages = kcalloc(npages, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	for (i = 0; i < npages; i++) {
		pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!pages[i]) {
			ret = -ENOMEM;
			goto free_pages;
		}
	}
	sb = zfront_shbuf_grant(info, pages, npages, false);
	if (IS_ERR(sb)) {
		ret = PTR_ERR(sb);
		goto free_pages;
	}
	zfront_req_get_edid(&req, 0, ZFRONT_EDID_BUF_SIZE, zfront_shbuf_dir_ref(sb));
	ret = zfront_ring_call(r, &req, ZFRONT_EDID_BUF_SIZE, &sz);
	if (!ret) {
		copy = kmalloc(sz, GFP_KERNEL);
		ret = copy ? 0 : -ENOMEM;
		for (i = 0; copy && i < sz; i += XEN_PAGE_SIZE)
			memcpy(copy + i, page_address(pages[i / XEN_PAGE_SIZE]),
			       min_t(u32, sz - i, XEN_PAGE_SIZE));
	}
	/* Grants end before the pages go: a page still mapped is kept. */
	zfront_shbuf_free(sb);
	if (!ret && zfront_edid_check(copy, sz, ZFRONT_EDID_BUF_SIZE)) {
		zf_warn_rl(info, "connector %u: the backend's EDID (%u octets) is invalid; using the resolution node\n",
			   conn, sz);
		ret = -EINVAL;
	}
	if (ret) {
		kfree(copy);
	} else {
		*edid = copy;
		*size = sz;
	}
free_pages:
	for (i = 0; i < npages; i++)
		if (pages[i])
			put_page(pages[i]);
	kfree(pages);
	return ret;
}

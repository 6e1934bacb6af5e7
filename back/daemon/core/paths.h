/* SPDX-License-Identifier: GPL-2.0 */
/*
 * paths.h: which way each display buffer and framebuffer takes to the
 * screen, and the protocol's buffer operations that decide it.
 *
 * With the zcopy seam, a frontend's buffer is exported as a dma-buf at
 * DBUF_CREATE (its pages are never mapped by the daemon) and FB_ATTACH
 * imports it into the output of every connector (cached per framebuffer
 * and connector). Where the seam, the export or a display says no, that
 * buffer or that (framebuffer, connector) is copied instead: its grants
 * are then mapped read-only, once, when the first frame has to be copied.
 * The buffer's path and why say which and why.
 *
 * be-alloc (XENDISPL_DBUF_FLG_REQ_ALLOC, on a device where the toolstack
 * allowed it): the helper allocates the buffer's pages itself, grants them
 * to the frontend and makes them a dma-buf, which is imported like an
 * export; the copy path maps that dma-buf. With gntdev instead, the
 * display allocates a dumb buffer on the device of the first connector
 * with an output and gntdev grants its pages. Either way the refs go into
 * the frontend's page directory (zd_pgdir_write). The seam's and the
 * display's -errno are returned as they are; nothing stays granted.
 *
 * Errors besides buffers.h's: -EINVAL a bad page directory (pgdir.h);
 * -EFAULT a grant could not be mapped; -EOPNOTSUPP be-alloc without a
 * facility that allocates or imports, or (gntdev) without a display
 * output.
 *
 * Teardown runs in reverse: framebuffers leave the displays first (a
 * display shows nothing it no longer has), then the dma-buf fd is closed
 * and the release of the export or allocation waited for, at most
 * ZD_RELEASE_WAIT_MS (the helper unmaps, or ends the grants, on release
 * all the same). An allocation's refs that the frontend still maps, and
 * all of them when the wait timed out, count against the device's
 * be-alloc limit from then on (deferred_pages).
 */
#ifndef ZD_PATHS_H
#define ZD_PATHS_H

#include <stdbool.h>
#include <stdint.h>
#include <zdispl/displif-use.h>

#include "buffers.h"

/* How long teardown waits for a dma-buf to be released. */
#define ZD_RELEASE_WAIT_MS 2000

int zd_dbuf_create(struct zd_buffers *b, const struct xendispl_dbuf_create_req *q);
int zd_dbuf_destroy(struct zd_buffers *b, uint64_t cookie);
int zd_fb_attach(struct zd_buffers *b, const struct xendispl_fb_attach_req *q);
/*
 * The framebuffer leaves every output, then the registry. Bit i of *off
 * is set when that took connector i's output off (its scanout is off).
 */
int zd_fb_detach(struct zd_buffers *b, uint64_t cookie, unsigned int *off);
/* Destroy everything (frontend gone); the outputs are already unset. */
void zd_paths_end_all(struct zd_buffers *b);

/*
 * Connector idx's output from now on (NULL: none), and the connector's log
 * prefix. Unsetting it takes every framebuffer off the old one first,
 * before the output is released.
 */
void zd_paths_set_output(struct zd_buffers *b, unsigned int idx, struct zd_output *out,
			 const char *log_prefix);

/*
 * Import fb into connector idx's output, once; the framebuffer there, or
 * NULL: fb is copied there (no output, no dma-buf, or the display refused).
 */
struct zd_dmafb *zd_path_import(struct zd_buffers *b, unsigned int idx, struct zd_fb *fb);
/*
 * The display refused to show fb's framebuffer on connector idx's output
 * (err): fb is copied there from now on. Returns the framebuffer, for the
 * caller to drop with zd_path_drop() once the copy is on the screen.
 */
struct zd_dmafb *zd_path_refused(struct zd_buffers *b, unsigned int idx, struct zd_fb *fb, int err);
/* Drop a framebuffer from its output; true if that took the output off. Safe on NULL. */
bool zd_path_drop(struct zd_buffers *b, struct zd_dmafb *dfb);
/* Map the buffer for the copy path (once). -EFAULT, -ENOMEM. */
int zd_path_map(struct zd_buffers *b, struct zd_dbuf *d);

#endif /* ZD_PATHS_H */

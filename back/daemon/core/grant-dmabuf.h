/* SPDX-License-Identifier: GPL-2.0 */
/*
 * grant-dmabuf.h: the kernel facilities that turn grants into dma-bufs and
 * back, at the level of their system calls. zerocopy.c chooses one and is
 * the only user; xen/grant-dmabuf.c implements them, the unit tests link a fake
 * (tests/fakexen/dmabuf.c) instead.
 *
 *   ZD_ZCDEV_HELPER  /dev/zdispl-zcopy, the zdispl_zcopy module; ABI in
 *                    xen-interface/zdispl/zcopy.h
 *   ZD_ZCDEV_GNTDEV  libxengnttab's dma-buf calls on /dev/xen/gntdev
 *                    (kernels built with CONFIG_XEN_GNTDEV_DMABUF)
 *
 * Ids name an export, an allocation or an import for the facility that
 * made it: the helper's own ids; gntdev's are the dma-buf's fd number at
 * export or import (so an imported fd must stay open until its release).
 *
 * The helper exports and allocates (pages of its own, granted and made a
 * dma-buf); gntdev exports (not in a PV domain) and imports (grants the
 * pages of a dma-buf the display allocated).
 *
 * Every function returns 0 or -errno.
 */
#ifndef ZD_ZCOPY_DEV_H
#define ZD_ZCOPY_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum zd_zcdev_kind { ZD_ZCDEV_HELPER, ZD_ZCDEV_GNTDEV };

/* What an open facility can do. */
#define ZD_ZCDEV_EXPORT 0x1u /* grants -> dma-buf */
#define ZD_ZCDEV_IMPORT 0x2u /* dma-buf -> grants */
#define ZD_ZCDEV_ALLOC 0x4u  /* own pages -> grants and a dma-buf */

struct zd_zcdev;

/*
 * Open and probe. *caps says what works; *why (static) says why a
 * capability is missing, or is "". Errors mean the facility is not
 * there: the helper's open(2) errors (-ENOENT: module not loaded), -EPERM
 * without CAP_SYS_ADMIN, -ENOTTY a device that is not the helper; for
 * gntdev, xengnttab_open()'s errors and -EOPNOTSUPP when its dma-buf
 * support is compiled out.
 */
int zd_zcdev_open(enum zd_zcdev_kind kind, struct zd_zcdev **out, unsigned int *caps,
		  const char **why);
void zd_zcdev_close(struct zd_zcdev *z); /* safe on NULL */

/* n refs of domid, page i is refs[i]: a new dma-buf *fd (O_CLOEXEC) and its id. */
int zd_zcdev_export(struct zd_zcdev *z, uint32_t domid, const uint32_t *refs, uint32_t n,
		    bool writable, int *fd, uint32_t *id);
/*
 * -ETIMEDOUT: not released yet, id stays valid; 0: released (or unknown to
 * gntdev), and *busy is how many of an allocation's refs the grantee
 * still maps (their grants end later).
 */
int zd_zcdev_wait_released(struct zd_zcdev *z, uint32_t id, uint32_t timeout_ms, uint32_t *busy);
/* n new zeroed pages granted to domid read-write (refs[i] is page i), as dma-buf *fd. */
int zd_zcdev_alloc(struct zd_zcdev *z, uint32_t domid, uint32_t n, uint32_t *refs, int *fd,
		   uint32_t *id);
/* A read-only mapping of len octets of dma-buf fd (an export's or allocation's), or NULL. */
void *zd_zcdev_mmap(struct zd_zcdev *z, int fd, size_t len);
void zd_zcdev_munmap(struct zd_zcdev *z, void *p, size_t len);
/* Grant the n pages of dma-buf fd to domid, read-write; refs[i] is page i. */
int zd_zcdev_import(struct zd_zcdev *z, int fd, uint32_t domid, uint32_t n, uint32_t *refs,
		    uint32_t *id);
/* End the grants of an import; *busy: refs the grantee still maps (gntdev: 0, unknown). */
int zd_zcdev_import_release(struct zd_zcdev *z, uint32_t id, uint32_t *busy);

#endif /* ZD_ZCOPY_DEV_H */

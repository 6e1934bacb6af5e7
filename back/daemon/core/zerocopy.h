/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zerocopy.h: the grant <-> dma-buf seam of the daemon. One concern: talking
 * to whichever kernel facility turns a frontend's grants into a dma-buf
 * (export: buffers the frontend allocated) and makes grants for the
 * frontend of local pages (be-alloc buffers): the helper allocates pages
 * of its own and makes them a dma-buf (alloc); gntdev grants the pages of
 * a dma-buf the display allocated (import).
 *
 * zd_zcopy_open() chooses once, at start-up, and logs the choice in one
 * line ("zero-copy: ..."):
 *
 *   auto    the helper (/dev/zdispl-zcopy) if it opens, else gntdev's
 *           dma-buf calls if the kernel has them, else none
 *   helper  the helper, or fail
 *   gntdev  gntdev, or fail
 *   off     none
 *
 * With none, or without a capability (gntdev cannot export in a PV
 * domain), the operations fail with -EOPNOTSUPP and zd_zcopy_why() says
 * why, in words fit for the status interface. Every function accepts a
 * NULL seam as "none".
 *
 * Lifetimes: an export's grants stay mapped until the last user of its
 * dma-buf (the fd, any KMS framebuffer or GEM handle made from it) has let
 * go; wait for that with zd_zcopy_wait_released() after closing the fd.
 * An allocation's grants end the same way, at its release. An import's
 * grants end with zd_zcopy_import_release().
 */
#ifndef ZD_ZCOPY_H
#define ZD_ZCOPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum zd_zcopy_mode { ZD_ZCOPY_AUTO, ZD_ZCOPY_HELPER, ZD_ZCOPY_GNTDEV, ZD_ZCOPY_OFF };

struct zd_zcopy;

/* "auto", "helper", "gntdev" or "off"; -EINVAL for anything else. */
int zd_zcopy_parse_mode(const char *s, enum zd_zcopy_mode *out);

/*
 * Choose and open the facility. auto and off always succeed (but for
 * -ENOMEM); helper and gntdev fail with the facility's error (see
 * grant-dmabuf.h) when it is not there.
 */
int zd_zcopy_open(enum zd_zcopy_mode mode, struct zd_zcopy **out);
void zd_zcopy_close(struct zd_zcopy *z);

/* "helper", "gntdev" or "none". */
const char *zd_zcopy_name(const struct zd_zcopy *z);
bool zd_zcopy_can_export(const struct zd_zcopy *z);
bool zd_zcopy_can_import(const struct zd_zcopy *z);
bool zd_zcopy_can_alloc(const struct zd_zcopy *z);
/*
 * Why frontend buffers are not exported ("" when they are), e.g.
 * "zero-copy disabled (--zcopy=off)".
 */
const char *zd_zcopy_why(const struct zd_zcopy *z);

/*
 * Grants refs[0..n-1] of domid as one dma-buf: *fd (O_CLOEXEC, ours to
 * close) and its *id. Errors: -EOPNOTSUPP no export here; -EINVAL n 0 or
 * over ZCOPY_MAX_PAGES; -ENXIO (helper) a grant could not be mapped;
 * -ENOSPC, -ENOMEM, or another -errno of the facility.
 */
int zd_zcopy_export(struct zd_zcopy *z, uint32_t domid, const uint32_t *refs, uint32_t n,
		    bool writable, int *fd, uint32_t *id);
/*
 * Wait at most timeout_ms until export or allocation id is released (its
 * fd closed and every user gone) and its grants unmapped, or ended. 0:
 * released, id forgotten, and *busy refs of an allocation are still
 * mapped by the frontend (their grants end when it lets go); -ETIMEDOUT:
 * not yet (the release happens all the same). A timed-out id is waited
 * for again, without blocking, at each later export, allocation and
 * wait, until the facility has released and forgotten it.
 */
int zd_zcopy_wait_released(struct zd_zcopy *z, uint32_t id, uint32_t timeout_ms, uint32_t *busy);
/* Exports whose release is still to be seen (their wait timed out). */
unsigned int zd_zcopy_pending(const struct zd_zcopy *z);
/*
 * Grant the n pages of dma-buf fd to domid, read-write: refs[i] is page
 * i, *id names the import. fd must stay open until the release (gntdev
 * knows imports by fd number). -EOPNOTSUPP no import here; -EINVAL the
 * buffer is not exactly n pages; -EBADF not a dma-buf; -ENOSPC.
 */
int zd_zcopy_import(struct zd_zcopy *z, int fd, uint32_t domid, uint32_t n, uint32_t *refs,
		    uint32_t *id);
/* End the import's grants; *busy: refs the grantee still maps (ended later). */
int zd_zcopy_import_release(struct zd_zcopy *z, uint32_t id, uint32_t *busy);
/*
 * n new zeroed pages of the helper's own, granted to domid read-write
 * (refs[i] is page i), as a dma-buf *fd (O_CLOEXEC, ours to close) named
 * *id. -EOPNOTSUPP no allocation here; -EINVAL n 0 or over
 * ZCOPY_MAX_PAGES; -ENOSPC (the grant table or the helper's objects are
 * full), -ENOMEM.
 */
int zd_zcopy_alloc(struct zd_zcopy *z, uint32_t domid, uint32_t n, uint32_t *refs, int *fd,
		   uint32_t *id);
/* Map len octets of an allocation's dma-buf fd read-only (copy path), or NULL. */
void *zd_zcopy_mmap(struct zd_zcopy *z, int fd, size_t len);
void zd_zcopy_munmap(struct zd_zcopy *z, void *p, size_t len);

#endif /* ZD_ZCOPY_H */

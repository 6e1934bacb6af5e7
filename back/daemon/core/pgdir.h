/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pgdir.h: displif page directories (see xen-interface/zdispl/displif-use.h).
 *
 * The frontend describes a buffer's pages by a chain of granted directory
 * pages. Every directory page is mapped read-only one at a time, copied to
 * private memory before any field is looked at, and unmapped; the chain is
 * then checked against the number of pages the request's size implies:
 *
 *   -EINVAL  first directory gref is 0; a gref in the directory is 0 (only
 *            the first npages grefs count: the unused tail of the last
 *            directory page is ignored); the chain ends before npages
 *            grefs were read; the last needed directory page's
 *            gref_dir_next_page is not 0 (chain too long); a directory page
 *            appears twice (loop); also gnt NULL, or grefs NULL with npages
 *            not 0 (caller bugs)
 *   -E2BIG   npages exceeds the hard maximum (ZD_MAX_BUFFER_BYTES); checked
 *            before anything is mapped
 *   -EFAULT  a directory page could not be mapped (bad, revoked or
 *            foreign gref, or a read-only grant where we need to write)
 *   -ENOMEM  mapping failed for lack of memory on our side
 *   -EIO     xengnttab_unmap() failed; only then can a page stay mapped
 *
 * Exactly zd_dir_pages(npages) directory pages are mapped, each once.
 * Nothing stays mapped when these functions return, on any other path.
 */
#ifndef ZD_PGDIR_H
#define ZD_PGDIR_H

#include <stdint.h>
#include <xengnttab.h>
#include <zdispl/displif-use.h>

/*
 * Read the npages data grefs of the directory starting at dir_gref, granted
 * by domain domid, into grefs[0..npages-1]. npages may be 0 only if the
 * directory is a single page whose next pointer is 0 (grefs may then be
 * NULL). On error grefs[] may have been partly written.
 */
int zd_pgdir_read(xengnttab_handle *gnt, uint32_t domid, grant_ref_t dir_gref, uint32_t npages,
		  grant_ref_t *grefs);

/*
 * be-alloc: write npages grefs (granted by us to the frontend) into the
 * frontend's directory chain starting at dir_gref. The chain is walked
 * (mapped read-write, one page at a time) with the same checks as
 * zd_pgdir_read(); the next-page pointers are read once from a private copy.
 * A 0 among grefs[] is -EINVAL before anything is mapped. A page's grefs are
 * only stored once its next pointer passed the checks, but on error earlier
 * pages of the chain may already hold theirs. The unused tail of the last
 * page and all next pointers are left as the frontend wrote them.
 */
int zd_pgdir_write(xengnttab_handle *gnt, uint32_t domid, grant_ref_t dir_gref, uint32_t npages,
		   const grant_ref_t *grefs);

#endif /* ZD_PGDIR_H */

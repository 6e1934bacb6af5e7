// SPDX-License-Identifier: GPL-2.0
/*
 * zfront-pgdir.c: page directories (io/displif.h, DBUF_CREATE) as the
 * frontend builds and reads them. See zfront-proto.h.
 */
#include "zfront-proto.h"

#define PER_PAGE ((uint32_t)ZD_GREFS_PER_DIR_PAGE)

/*
 * The gref slots of a directory page. displif declares them gref[1]; they
 * fill the page, so they are reached through a plain pointer, which no
 * bounds check (UBSan, FORTIFY_SOURCE) takes for a one-element array.
 */
static grant_ref_t *slots(void *page)
{
	return (grant_ref_t *)((uint8_t *)page + offsetof(struct xendispl_page_directory, gref));
}

/* Write the links of the chain; data slots are left to the caller. */
static int link_chain(void *const *dir, const grant_ref_t *dir_refs, uint32_t ndir,
		      uint32_t ndata)
{
	uint32_t i;

	if (!ndir || ndir != zd_dir_pages(ndata))
		return -EINVAL;
	for (i = 0; i < ndir; i++) {
		struct xendispl_page_directory *pd = dir[i];

		pd->gref_dir_next_page = i + 1 < ndir ? dir_refs[i + 1] : ZD_GREF_INVALID;
	}
	return 0;
}

int zfront_pgdir_fill(void *const *dir, const grant_ref_t *dir_refs, uint32_t ndir,
		      const grant_ref_t *data_refs, uint32_t ndata)
{
	uint32_t i, n;
	int r = link_chain(dir, dir_refs, ndir, ndata);

	if (r)
		return r;
	for (i = 0; i < ndir; i++) {
		grant_ref_t *g = slots(dir[i]);

		n = ndata - i * PER_PAGE < PER_PAGE ? ndata - i * PER_PAGE : PER_PAGE;
		memcpy(g, data_refs + (size_t)i * PER_PAGE, n * sizeof(grant_ref_t));
		memset(g + n, 0, (PER_PAGE - n) * sizeof(grant_ref_t));
	}
	return 0;
}

int zfront_pgdir_link(void *const *dir, const grant_ref_t *dir_refs, uint32_t ndir,
		      uint32_t ndata)
{
	uint32_t i;
	int r = link_chain(dir, dir_refs, ndir, ndata);

	if (r)
		return r;
	for (i = 0; i < ndir; i++)
		memset(slots(dir[i]), 0, PER_PAGE * sizeof(grant_ref_t));
	return 0;
}

int zfront_pgdir_read(void *const *dir, const grant_ref_t *dir_refs, uint32_t ndir,
		      grant_ref_t *out, uint32_t ndata)
{
	uint32_t i, j;

	if (!ndir || ndir != zd_dir_pages(ndata))
		return -EINVAL;
	for (i = 0; i < ndata; i++) {
		grant_ref_t *g = slots(dir[i / PER_PAGE]);

		/* Once: the backend may still be writing. */
		out[i] = ZFRONT_READ_ONCE(g[i % PER_PAGE]);
		if (out[i] == ZD_GREF_INVALID)
			return -EIO;
	}
	/* The links are ours; a backend that rewrote one is broken. */
	for (j = 0; j < ndir; j++) {
		struct xendispl_page_directory *pd = dir[j];
		grant_ref_t want = j + 1 < ndir ? dir_refs[j + 1] : ZD_GREF_INVALID;

		if (ZFRONT_READ_ONCE(pd->gref_dir_next_page) != want)
			return -EIO;
	}
	return 0;
}

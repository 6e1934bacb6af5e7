// SPDX-License-Identifier: GPL-2.0
/*
 * zfront-shbuf.c: a buffer's pages granted to the backend, described by a
 * page directory (io/displif.h, DBUF_CREATE). Data pages are granted
 * read-only unless zfront_ro_grants is off: a display only reads them.
 * The directory pages are read-only to the backend too.
 *
 * Ending a grant the backend still maps cannot happen at once. The page is
 * then kept (a reference is taken) and handed to the grant table's
 * deferred list, which ends the grant and drops the page when the backend
 * lets go: no page goes back to its owner while the backend can reach it.
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <xen/grant_table.h>
#include <xen/page.h>

#include "../zfront.h"

struct zfront_shbuf {
	domid_t domid;
	u32 npages; /* data pages we granted (0: the backend grants them) */
	u32 ndata;  /* data pages the directory describes */
	u32 ndir;
	struct page **pages; /* the owner's; each granted page is kept */
	grant_ref_t *refs;
	void **dir;
	grant_ref_t *dir_refs;
};

atomic64_t zfront_grants_alive = ATOMIC64_INIT(0);
atomic64_t zfront_grants_deferred = ATOMIC64_INIT(0);

grant_ref_t zfront_shbuf_dir_ref(const struct zfront_shbuf *sb)
{
	return sb->dir_refs[0];
}

/* End one grant; a page still mapped by the backend waits in the deferred list. */
static void end_grant(grant_ref_t ref, struct page *page, bool page_is_ours)
{
	atomic64_dec(&zfront_grants_alive);
	if (gnttab_try_end_foreign_access(ref)) {
		if (page_is_ours)
			put_page(page);
		return;
	}
	atomic64_inc(&zfront_grants_deferred);
	if (!page_is_ours)
		get_page(page);
	gnttab_end_foreign_access(ref, page);
}

void zfront_shbuf_free(struct zfront_shbuf *sb)
{
	u32 i;

	if (!sb)
		return;
	for (i = 0; i < sb->npages; i++)
		if (sb->refs[i] != INVALID_GRANT_REF)
			end_grant(sb->refs[i], sb->pages[i], false);
	for (i = 0; i < sb->ndir; i++) {
		if (sb->dir_refs[i] != INVALID_GRANT_REF)
			end_grant(sb->dir_refs[i], virt_to_page(sb->dir[i]), true);
		else if (sb->dir[i])
			free_page((unsigned long)sb->dir[i]);
	}
	kvfree(sb->refs);
	kfree(sb->dir_refs);
	kfree(sb->dir);
	kfree(sb);
}

static struct zfront_shbuf *shbuf_alloc(domid_t domid, struct page **pages, u32 npages)
{
	struct zfront_shbuf *sb = kzalloc(sizeof(*sb), GFP_KERNEL);
	u32 i;

	if (!sb)
		return NULL;
	sb->domid = domid;
	sb->pages = pages;
	sb->ndata = npages;
	sb->ndir = zd_dir_pages(npages);
	sb->refs = kvmalloc_array(npages, sizeof(*sb->refs), GFP_KERNEL);
	sb->dir = kcalloc(sb->ndir, sizeof(*sb->dir), GFP_KERNEL);
	sb->dir_refs = kcalloc(sb->ndir, sizeof(*sb->dir_refs), GFP_KERNEL);
	if (!sb->refs || !sb->dir || !sb->dir_refs) {
		zfront_shbuf_free(sb);
		return NULL;
	}
	for (i = 0; i < npages; i++)
		sb->refs[i] = INVALID_GRANT_REF;
	for (i = 0; i < sb->ndir; i++)
		sb->dir_refs[i] = INVALID_GRANT_REF;
	/* From here on free() ends what was granted. */
	sb->npages = pages ? npages : 0;
	return sb;
}

static int grant_one(struct zfront_shbuf *sb, grant_ref_t *head, struct page *page,
		     bool readonly, grant_ref_t *out)
{
	int ref = gnttab_claim_grant_reference(head);

	if (ref < 0)
		return ref;
	gnttab_grant_foreign_access_ref(ref, sb->domid, xen_page_to_gfn(page), readonly);
	atomic64_inc(&zfront_grants_alive);
	*out = ref;
	return 0;
}

struct zfront_shbuf *zfront_shbuf_grant(struct zfront_info *info, struct page **pages,
					u32 npages, bool readonly)
{
	struct zfront_shbuf *sb;
	grant_ref_t head;
	u32 i;
	int ret;

	if (!npages || npages > ZD_MAX_BUFFER_BYTES / ZD_PAGE_SIZE)
		return ERR_PTR(-EINVAL);
	sb = shbuf_alloc(info->xb->otherend_id, pages, npages);
	if (!sb)
		return ERR_PTR(-ENOMEM);
	ret = gnttab_alloc_grant_references(sb->npages + sb->ndir, &head);
	if (ret)
		goto fail;
	for (i = 0; i < sb->ndir; i++) {
		sb->dir[i] = (void *)get_zeroed_page(GFP_KERNEL);
		/* The backend writes a be-alloc directory; it only reads ours. */
		ret = sb->dir[i] ? grant_one(sb, &head, virt_to_page(sb->dir[i]), !!pages,
					     &sb->dir_refs[i]) : -ENOMEM;
		if (ret)
			goto fail_refs;
	}
	for (i = 0; i < sb->npages; i++) {
		ret = grant_one(sb, &head, pages[i], readonly, &sb->refs[i]);
		if (ret)
			goto fail_refs;
	}
	gnttab_free_grant_references(head);
	if (pages)
		ret = zfront_pgdir_fill(sb->dir, sb->dir_refs, sb->ndir, sb->refs, npages);
	else
		ret = zfront_pgdir_link(sb->dir, sb->dir_refs, sb->ndir, npages);
	if (ret)
		goto fail;
	return sb;

fail_refs:
	gnttab_free_grant_references(head);
fail:
	zfront_shbuf_free(sb);
	return ERR_PTR(ret);
}

int zfront_shbuf_backend_refs(struct zfront_shbuf *sb, grant_ref_t *refs)
{
	if (sb->npages)
		return -EINVAL; /* ours, not the backend's */
	return zfront_pgdir_read(sb->dir, sb->dir_refs, sb->ndir, refs, sb->ndata);
}

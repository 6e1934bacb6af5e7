// SPDX-License-Identifier: GPL-2.0
/*
 * zfront-gntmap.c: a backend-allocated buffer (be-alloc) as the guest sees
 * it: the backend's grants mapped into pages of ours.
 *
 * Kernel: each grant is mapped at its page's own kernel address
 * (GNTMAP_host_map); in a PV guest that also sets the page's p2m entry, so
 * page_address() reaches the backend's frame.
 *
 * User space, the row where Linux's drm_xen_front fails:
 *   - auto-translated guests (PVH, HVM): the pages are ordinary guest
 *     memory once mapped, and go into the process with vm_map_pages();
 *   - x86 PV guests: a PTE may hold a foreign frame only if the grant is
 *     mapped into that PTE, so each grant is mapped once more, into the
 *     process's own entries (xen-interface/kernel/pv-umap.c, shared with
 *     dom0's helper). Inserting the pages themselves, as drm_xen_front
 *     does, corrupts the process's page accounting.
 * A kernel vmap() of foreign frames is refused in a PV guest, so there a
 * be-alloc buffer has no vmap (and no PRIME export).
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <xen/grant_table.h>
#include <xen/page.h>
#include <xen/xen.h>

#include "../zfront.h"
#include "kernel/pv-umap.h"

struct zfront_gntmap {
	domid_t domid;
	u32 npages;
	struct page **pages;
	grant_ref_t *refs;
	grant_handle_t *handles;
};

static void gntmap_unmap(struct zfront_gntmap *m)
{
	struct gntab_unmap_queue_data q = {};
	struct gnttab_unmap_grant_ref *ops;
	struct page **pages;
	u32 i, n = 0;
	int ret;

	ops = kvcalloc(m->npages, sizeof(*ops), GFP_KERNEL);
	pages = kvcalloc(m->npages, sizeof(*pages), GFP_KERNEL);
	if (!ops || !pages) {
		/* Leave them mapped rather than free pages Xen still maps. */
		pr_err(ZFRONT_NAME ": dom%u: no memory to unmap %u grants; they stay mapped\n",
		       m->domid, m->npages);
		m->pages[0] = NULL; /* never freed */
		goto out;
	}
	for (i = 0; i < m->npages; i++) {
		if (m->handles[i] == INVALID_GRANT_HANDLE)
			continue;
		gnttab_set_unmap_op(&ops[n], (unsigned long)pfn_to_kaddr(page_to_pfn(m->pages[i])),
				    GNTMAP_host_map, m->handles[i]);
		pages[n++] = m->pages[i];
		m->handles[i] = INVALID_GRANT_HANDLE;
	}
	if (n) {
		q.unmap_ops = ops;
		q.pages = pages;
		q.count = n;
		ret = gnttab_unmap_refs_sync(&q);
		if (ret) {
			pr_err(ZFRONT_NAME ": dom%u: unmapping %u grants: %d; their pages are kept\n",
			       m->domid, n, ret);
			m->pages[0] = NULL;
		}
	}
out:
	kvfree(pages);
	kvfree(ops);
}

void zfront_gntmap_free(struct zfront_gntmap *m)
{
	if (!m)
		return;
	if (m->handles)
		gntmap_unmap(m);
	if (m->pages && m->pages[0])
		gnttab_free_pages(m->npages, m->pages);
	kvfree(m->handles);
	kvfree(m->refs);
	kvfree(m->pages);
	kfree(m);
}

struct zfront_gntmap *zfront_gntmap_new(struct zfront_info *info, const grant_ref_t *refs,
					u32 npages)
{
	struct gnttab_map_grant_ref *ops;
	struct zfront_gntmap *m;
	u32 i;
	int ret;

	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return ERR_PTR(-ENOMEM);
	m->domid = info->xb->otherend_id;
	m->npages = npages;
	m->pages = kvcalloc(npages, sizeof(*m->pages), GFP_KERNEL);
	m->refs = kvmalloc_array(npages, sizeof(*m->refs), GFP_KERNEL);
	ops = kvcalloc(npages, sizeof(*ops), GFP_KERNEL);
	if (!m->pages || !m->refs || !ops) {
		ret = -ENOMEM;
		goto fail;
	}
	memcpy(m->refs, refs, npages * sizeof(*refs));
	ret = gnttab_alloc_pages(npages, m->pages);
	if (ret) {
		m->pages[0] = NULL;
		goto fail;
	}
	m->handles = kvmalloc_array(npages, sizeof(*m->handles), GFP_KERNEL);
	if (!m->handles) {
		ret = -ENOMEM;
		goto fail;
	}
	for (i = 0; i < npages; i++) {
		m->handles[i] = INVALID_GRANT_HANDLE;
		gnttab_set_map_op(&ops[i], (unsigned long)pfn_to_kaddr(page_to_pfn(m->pages[i])),
				  GNTMAP_host_map, refs[i], m->domid);
	}
	ret = gnttab_map_refs(ops, NULL, m->pages, npages);
	for (i = 0; i < npages; i++) {
		if (ops[i].status == GNTST_okay) {
			m->handles[i] = ops[i].handle;
		} else if (!ret) {
			zf_warn_rl(info, "be-alloc: the backend's grant %u (page %u of %u) does not map: status %d\n",
				   refs[i], i, npages, ops[i].status);
			ret = -EFAULT;
		}
	}
	if (ret)
		goto fail;
	kvfree(ops);
	return m;

fail:
	kvfree(ops);
	zfront_gntmap_free(m);
	return ERR_PTR(ret);
}

struct page **zfront_gntmap_pages(struct zfront_gntmap *m)
{
	return m->pages;
}

int zfront_gntmap_mmap(struct zfront_gntmap *m, struct vm_area_struct *vma)
{
	unsigned long n = vma_pages(vma);

	if (vma->vm_pgoff > m->npages || n > m->npages - vma->vm_pgoff)
		return -EINVAL;
	if (xen_pv_domain()) {
#ifdef CONFIG_XEN_PV
		return zd_pv_umap(vma, m->refs + vma->vm_pgoff, m->domid, true);
#else
		return -EOPNOTSUPP;
#endif
	}
	zd_vm_flags_mod(vma, VM_DONTEXPAND | VM_DONTDUMP, 0);
	return vm_map_pages(vma, m->pages, m->npages);
}

void *zfront_gntmap_vmap(struct zfront_gntmap *m)
{
	if (xen_pv_domain())
		return NULL;
	return vmap(m->pages, m->npages, VM_MAP, PAGE_KERNEL);
}

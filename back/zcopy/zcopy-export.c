// SPDX-License-Identifier: GPL-2.0
/*
 * zcopy-export.c: a foreign domain's grants, mapped and exported as a
 * dma-buf; and the dma-buf side of both kinds of object (its operations,
 * fd, id and release), which allocations (zcopy-alloc.c) share.
 *
 * Mapping
 *   Pages come from gnttab_alloc_pages() (ballooned or unpopulated, so
 *   without a frame of their own) and the grants are mapped onto them in
 *   batches of ZC_BATCH. The pages then stand for the foreign frames: DMA
 *   through an sg_table of them reaches the guest's memory.
 *
 *   The kernel mapping (vmap) differs by domain type:
 *   - auto-translated (HVM, PVH, Arm): a grant mapping puts the foreign
 *     frame into our physmap, so vmap() of the pages is a plain vmap.
 *   - x86 PV: Xen lets no ordinary page-table entry point at a frame we
 *     only have through a grant, and an ordinary update that drops such an
 *     entry is fatal to the domain. So a vmap area is reserved first (over
 *     the ballooned pages, whose entries are empty), and each grant is
 *     mapped twice in one batch: into that area's page-table entry
 *     (GNTMAP_contains_pte, which also sets the p2m override for the page)
 *     and at the page's own kernel address, as gntdev does for its kernel
 *     mappings. Grants are unmapped before the area is released.
 *   A user mmap() maps the pages (auto-translated) or, in PV, maps the
 *   grants once more into the user's entries (zcopy-mmap.c). Pages of an
 *   allocation are ordinary pages: vmap() and mmap() take them as they are.
 *
 * Lifetime
 *   An object has two references: the dma-buf's (dropped by its release,
 *   which unmaps every grant, or for an allocation ends its grants and
 *   frees its pages, and completes "released") and the open file's
 *   (dropped by WAIT_RELEASED or when the file closes). The dma-buf holds
 *   a reference on the module.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/file.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <xen/grant_table.h>
#include <xen/page.h>
#include <xen/xen.h>
#include <asm/xen/page.h>

#include "zcopy.h"

#define ZC_BATCH 512u	   /* grant map ops per hypercall */
#define ZC_UNMAP_BATCH 128u /* unmap ops per call: its arrays stay order-0 */

static bool zc_pv(void)
{
	return !xen_feature(XENFEAT_auto_translated_physmap);
}

static void zc_export_free(struct kref *kref)
{
	struct zc_export *e = container_of(kref, struct zc_export, kref);

	kvfree(e->kmap);
	kvfree(e->map);
	kvfree(e->refs);
	kvfree(e->pages);
	kfree(e);
}

static unsigned long zc_page_kaddr(struct page *page)
{
	return (unsigned long)pfn_to_kaddr(page_to_xen_pfn(page));
}

#ifdef CONFIG_XEN_PV
/*
 * Machine address of the page-table entry behind each page of the vmap
 * area at va (PV only; vmap() made the tables, the entries are empty).
 */
static int zc_vmap_ptes(void *va, unsigned int nr, u64 *ptes)
{
	unsigned long addr = (unsigned long)va;
	unsigned int i, level;
	pte_t *pte;

	for (i = 0; i < nr; i++, addr += PAGE_SIZE) {
		pte = lookup_address(addr, &level);
		if (!pte || level != PG_LEVEL_4K)
			return -EFAULT;
		ptes[i] = arbitrary_virt_to_machine(pte).maddr;
	}
	return 0;
}

/* PV: one map into the vmap area's entry, one at the page's address. */
static int zc_map_ops_pv(struct zc_export *e, u32 ro)
{
	unsigned int i;
	u64 *ptes;
	int r;

	/* The ballooned pages have no frame: vmap() leaves entries empty. */
	e->vaddr = vmap(e->pages, e->nr, VM_MAP, PAGE_KERNEL);
	ptes = kvcalloc(e->nr, sizeof(*ptes), GFP_KERNEL);
	if (!e->vaddr || !ptes) {
		kvfree(ptes);
		return -ENOMEM;
	}
	r = zc_vmap_ptes(e->vaddr, e->nr, ptes);
	for (i = 0; !r && i < e->nr; i++) {
		gnttab_set_map_op(&e->map[i], ptes[i], GNTMAP_host_map | GNTMAP_contains_pte | ro,
				  e->refs[i], e->domid);
		gnttab_set_map_op(&e->kmap[i], zc_page_kaddr(e->pages[i]), GNTMAP_host_map | ro,
				  e->refs[i], e->domid);
	}
	kvfree(ptes);
	return r;
}
#else
static int zc_map_ops_pv(struct zc_export *e, u32 ro)
{
	return -EOPNOTSUPP;
}
#endif

/* The address gnttab_set_unmap_op() wants for what op mapped. */
static phys_addr_t zc_unmap_addr(const struct gnttab_map_grant_ref *op, struct page *page)
{
	return op->flags & GNTMAP_contains_pte ? op->host_addr : zc_page_kaddr(page);
}

/* Unmap every grant that is mapped (handles valid), in batches. */
static void zc_unmap_grants(struct zc_export *e)
{
	struct gnttab_unmap_grant_ref *unmap, *kunmap = NULL;
	struct page **pages;
	unsigned int i, n, base, mapped = 0;
	struct gntab_unmap_queue_data q;
	int r;

	unmap = kcalloc(ZC_UNMAP_BATCH, sizeof(*unmap), GFP_KERNEL | __GFP_NOFAIL);
	pages = kcalloc(ZC_UNMAP_BATCH, sizeof(*pages), GFP_KERNEL | __GFP_NOFAIL);
	if (e->kmap)
		kunmap = kcalloc(ZC_UNMAP_BATCH, sizeof(*kunmap), GFP_KERNEL | __GFP_NOFAIL);
	for (base = 0; base < e->nr; base += ZC_UNMAP_BATCH) {
		n = 0;
		for (i = base; i < e->nr && i < base + ZC_UNMAP_BATCH; i++) {
			bool kmapped = kunmap && e->kmap[i].handle != INVALID_GRANT_HANDLE;

			if (e->map[i].handle == INVALID_GRANT_HANDLE && !kmapped)
				continue;
			/* An op with an invalid handle just fails on its own. */
			gnttab_set_unmap_op(&unmap[n], zc_unmap_addr(&e->map[i], e->pages[i]),
					    e->map[i].flags, e->map[i].handle);
			if (kunmap)
				gnttab_set_unmap_op(&kunmap[n],
						    zc_unmap_addr(&e->kmap[i], e->pages[i]),
						    e->kmap[i].flags, e->kmap[i].handle);
			if (e->map[i].handle != INVALID_GRANT_HANDLE)
				mapped++;
			pages[n++] = e->pages[i];
			e->map[i].handle = INVALID_GRANT_HANDLE;
			if (kunmap)
				e->kmap[i].handle = INVALID_GRANT_HANDLE;
		}
		if (!n)
			continue;
		q = (struct gntab_unmap_queue_data){
			.unmap_ops = unmap, .kunmap_ops = kunmap, .pages = pages, .count = n,
		};
		/* Waits for any transient page reference (e.g. I/O) to drop. */
		r = gnttab_unmap_refs_sync(&q);
		if (r)
			pr_warn_ratelimited("dom%u: unmapping %u grants: %d\n",
					    e->domid, n, r);
		atomic64_sub(mapped, &zc_count.pages_mapped);
		mapped = 0;
	}
	kfree(kunmap);
	kfree(pages);
	kfree(unmap);
}

/* Undo zc_map(): grants first, then the vmap area, then the pages. */
static void zc_unmap(struct zc_export *e)
{
	zc_unmap_grants(e);
	if (e->vaddr)
		vunmap(e->vaddr);
	e->vaddr = NULL;
	gnttab_free_pages(e->nr, e->pages);
}

static int zc_map(struct zc_export *e)
{
	u32 ro = e->writable ? 0 : GNTMAP_readonly;
	unsigned int i, base, n;
	int r;

	r = gnttab_alloc_pages(e->nr, e->pages);
	if (r)
		return r;
	for (i = 0; i < e->nr; i++) {
		e->map[i].handle = INVALID_GRANT_HANDLE;
		if (e->kmap)
			e->kmap[i].handle = INVALID_GRANT_HANDLE;
	}

	if (zc_pv()) {
		r = zc_map_ops_pv(e, ro);
		if (r)
			goto fail;
	} else {
		for (i = 0; i < e->nr; i++)
			gnttab_set_map_op(&e->map[i], zc_page_kaddr(e->pages[i]),
					  GNTMAP_host_map | ro, e->refs[i], e->domid);
	}

	for (base = 0; base < e->nr; base += ZC_BATCH) {
		n = min(ZC_BATCH, e->nr - base);
		r = gnttab_map_refs(&e->map[base], e->kmap ? &e->kmap[base] : NULL,
				    &e->pages[base], n);
		for (i = base; i < base + n; i++) {
			if (e->map[i].status == GNTST_okay)
				atomic64_inc(&zc_count.pages_mapped);
			else
				e->map[i].handle = INVALID_GRANT_HANDLE;
			if (e->kmap && e->kmap[i].status != GNTST_okay)
				e->kmap[i].handle = INVALID_GRANT_HANDLE;
			if (e->map[i].status != GNTST_okay ||
			    (e->kmap && e->kmap[i].status != GNTST_okay)) {
				pr_warn_ratelimited("dom%u: ref %u: map status %d/%d\n",
						    e->domid, e->refs[i], e->map[i].status,
						    e->kmap ? e->kmap[i].status : 0);
				r = r ?: -ENXIO;
			}
		}
		if (r)
			goto fail;
	}
	if (!e->vaddr) {
		e->vaddr = vmap(e->pages, e->nr, VM_MAP, PAGE_KERNEL);
		if (!e->vaddr) {
			r = -ENOMEM;
			goto fail;
		}
	}
	return 0;

fail:
	zc_unmap(e);
	return r < 0 ? r : -ENXIO;
}

/* dma-buf operations */

static int zc_attach(struct dma_buf *dmabuf, struct dma_buf_attachment *att)
{
	return 0;
}

static struct sg_table *zc_map_dma_buf(struct dma_buf_attachment *att,
				       enum dma_data_direction dir)
{
	struct zc_export *e = att->dmabuf->priv;
	struct scatterlist *sg;
	struct sg_table *sgt;
	unsigned int i;
	int r;

	if (!e->writable && dir != DMA_TO_DEVICE && dir != DMA_BIDIRECTIONAL)
		return ERR_PTR(-EACCES);
	sgt = kzalloc(sizeof(*sgt), GFP_KERNEL);
	if (!sgt)
		return ERR_PTR(-ENOMEM);
	/*
	 * One page per entry: consecutive pages are not consecutive machine
	 * frames, and a merged entry would make a PV dom0 bounce the DMA.
	 */
	r = sg_alloc_table(sgt, e->nr, GFP_KERNEL);
	if (r)
		goto err_free;
	for_each_sgtable_sg(sgt, sg, i)
		sg_set_page(sg, e->pages[i], PAGE_SIZE, 0);
	r = dma_map_sgtable(att->dev, sgt, dir, 0);
	if (r)
		goto err_table;
	return sgt;

err_table:
	sg_free_table(sgt);
err_free:
	kfree(sgt);
	return ERR_PTR(r);
}

static void zc_unmap_dma_buf(struct dma_buf_attachment *att, struct sg_table *sgt,
			     enum dma_data_direction dir)
{
	dma_unmap_sgtable(att->dev, sgt, dir, 0);
	sg_free_table(sgt);
	kfree(sgt);
}

static void zc_dmabuf_release(struct dma_buf *dmabuf)
{
	struct zc_export *e = dmabuf->priv;

	if (e->local) {
		e->busy = zc_alloc_end(e);
		atomic64_dec(&zc_count.allocs_alive);
	} else {
		zc_unmap(e);
		atomic64_dec(&zc_count.exports_alive);
	}
	complete_all(&e->released);
	kref_put(&e->kref, zc_export_free);
}

static int zc_vmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct zc_export *e = dmabuf->priv;

	iosys_map_set_vaddr(map, e->vaddr);
	return 0;
}

static int zc_mmap(struct dma_buf *dmabuf, struct vm_area_struct *vma)
{
	struct zc_export *e = dmabuf->priv;

	/* dma-buf's core checked vm_pgoff + the length against the size. */
	if (zc_pv() && !e->local) {
#ifdef CONFIG_XEN_PV
		return zd_pv_umap(vma, e->refs + vma->vm_pgoff, e->domid, e->writable);
#else
		return -EOPNOTSUPP;
#endif
	}
	if (!e->writable && (vma->vm_flags & VM_WRITE))
		return -EACCES;
	zd_vm_flags_mod(vma, VM_DONTEXPAND | VM_DONTDUMP, e->writable ? 0 : VM_MAYWRITE);
	return vm_map_pages(vma, e->pages, e->nr);
}

/* Make CPU and device views agree, for every mapped attachment. */
static int zc_cpu_access(struct dma_buf *dmabuf, enum dma_data_direction dir, bool begin)
{
	struct dma_buf_attachment *att;

	dma_resv_lock(dmabuf->resv, NULL);
	list_for_each_entry(att, &dmabuf->attachments, node) {
		if (!att->sgt)
			continue;
		if (begin)
			dma_sync_sgtable_for_cpu(att->dev, att->sgt, dir);
		else
			dma_sync_sgtable_for_device(att->dev, att->sgt, dir);
	}
	dma_resv_unlock(dmabuf->resv);
	return 0;
}

static int zc_begin_cpu_access(struct dma_buf *dmabuf, enum dma_data_direction dir)
{
	return zc_cpu_access(dmabuf, dir, true);
}

static int zc_end_cpu_access(struct dma_buf *dmabuf, enum dma_data_direction dir)
{
	return zc_cpu_access(dmabuf, dir, false);
}

static const struct dma_buf_ops zc_dmabuf_ops = {
	.cache_sgt_mapping = true,
	.attach = zc_attach,
	.map_dma_buf = zc_map_dma_buf,
	.unmap_dma_buf = zc_unmap_dma_buf,
	.release = zc_dmabuf_release,
	.vmap = zc_vmap,
	.mmap = zc_mmap,
	.begin_cpu_access = zc_begin_cpu_access,
	.end_cpu_access = zc_end_cpu_access,
};

static struct zc_export *zc_export_new(domid_t domid, unsigned int nr, bool writable, bool local)
{
	struct zc_export *e = kzalloc(sizeof(*e), GFP_KERNEL);
	bool kmap = !local && zc_pv();

	if (!e)
		return NULL;
	kref_init(&e->kref);
	INIT_LIST_HEAD(&e->node);
	init_completion(&e->released);
	e->domid = domid;
	e->nr = nr;
	e->writable = writable;
	e->local = local;
	e->pages = kvcalloc(e->nr, sizeof(*e->pages), GFP_KERNEL);
	e->refs = kvcalloc(e->nr, sizeof(*e->refs), GFP_KERNEL);
	if (!local)
		e->map = kvcalloc(e->nr, sizeof(*e->map), GFP_KERNEL);
	if (kmap)
		e->kmap = kvcalloc(e->nr, sizeof(*e->kmap), GFP_KERNEL);
	if (!e->pages || !e->refs || (!local && !e->map) || (kmap && !e->kmap)) {
		zc_export_free(&e->kref);
		return NULL;
	}
	return e;
}

void zc_export_put(struct zc_export *e)
{
	kref_put(&e->kref, zc_export_free);
}

static int zc_slot_get(struct zc_file *f)
{
	int r;

	mutex_lock(&f->lock);
	r = f->nobjs >= ZCOPY_MAX_OBJECTS ? -ENOSPC : 0;
	if (!r)
		f->nobjs++;
	mutex_unlock(&f->lock);
	return r;
}

void zc_slot_put(struct zc_file *f)
{
	mutex_lock(&f->lock);
	f->nobjs--;
	mutex_unlock(&f->lock);
}

int zc_check_req(u32 domid, u32 nr, u32 flags, u32 known, u32 outs)
{
	if (outs || !nr || nr > ZCOPY_MAX_PAGES || (flags & ~known))
		return -EINVAL;
	return domid < DOMID_FIRST_RESERVED ? 0 : -EINVAL;
}

int zc_begin(struct zc_file *f, domid_t domid, unsigned int nr, bool writable, bool local,
	     struct zc_export **out)
{
	int r = zc_slot_get(f);

	if (r)
		return r;
	*out = zc_export_new(domid, nr, writable, local);
	if (!*out) {
		zc_slot_put(f);
		return -ENOMEM;
	}
	return 0;
}

/* Drop the file's knowledge of e (f->lock held) and its reference. */
static void zc_export_forget(struct zc_file *f, struct zc_export *e)
{
	list_del_init(&e->node);
	f->nobjs--;
	kref_put(&e->kref, zc_export_free);
}

/*
 * Make e's dma-buf, an fd for it and an id in f, tell them to the caller
 * (*ufd, *uid) and install the fd. From the dma-buf on, it owns e's pages
 * and the first reference; on failure e is gone too (its pages undone in
 * reverse). Either way the slot stays the caller's.
 */
int zc_publish(struct zc_file *f, struct zc_export *e, __s32 __user *ufd, __u32 __user *uid)
{
	DEFINE_DMA_BUF_EXPORT_INFO(info);
	atomic64_t *alive = e->local ? &zc_count.allocs_alive : &zc_count.exports_alive;
	atomic64_t *total = e->local ? &zc_count.allocs_total : &zc_count.exports_total;
	int r, fd;

	info.ops = &zc_dmabuf_ops;
	info.size = (size_t)e->nr << PAGE_SHIFT;
	info.flags = O_RDWR;
	info.priv = e;
	info.owner = THIS_MODULE;
	e->dmabuf = dma_buf_export(&info);
	if (IS_ERR(e->dmabuf)) {
		r = PTR_ERR(e->dmabuf);
		if (e->local)
			zc_alloc_end(e);
		else
			zc_unmap(e);
		zc_export_put(e);
		return r;
	}
	atomic64_inc(alive);
	atomic64_inc(total);

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		dma_buf_put(e->dmabuf); /* its release undoes and frees */
		return fd;
	}
	kref_get(&e->kref); /* the file's */
	mutex_lock(&f->lock);
	e->id = zc_new_id(f);
	list_add_tail(&e->node, &f->exports);
	mutex_unlock(&f->lock);

	if (put_user(fd, ufd) || put_user(e->id, uid)) {
		put_unused_fd(fd);
		mutex_lock(&f->lock);
		list_del_init(&e->node);
		mutex_unlock(&f->lock);
		zc_export_put(e);
		dma_buf_put(e->dmabuf);
		return -EFAULT;
	}
	/* The fd takes over the dma-buf's file reference. */
	fd_install(fd, e->dmabuf->file);
	return 0;
}

int zc_export(struct zc_file *f, struct zcopy_export __user *ureq)
{
	struct zcopy_export req;
	struct zc_export *e;
	int r;

	if (copy_from_user(&req, ureq, sizeof(req)))
		return -EFAULT;
	r = zc_check_req(req.domid, req.nr_refs, req.flags, ZCOPY_EXPORT_WRITABLE,
			 req.pad | req.fd | req.id);
	if (!r) /* the slot is given back on failure */
		r = zc_begin(f, req.domid, req.nr_refs, req.flags & ZCOPY_EXPORT_WRITABLE, false, &e);
	if (r)
		return r;
	if (copy_from_user(e->refs, u64_to_user_ptr(req.refs),
			   (size_t)e->nr * sizeof(*e->refs))) {
		r = -EFAULT;
		goto err_free;
	}
	r = zc_map(e);
	if (r)
		goto err_free;
	r = zc_publish(f, e, &ureq->fd, &ureq->id);
	if (r)
		goto err_slot;
	return 0;

err_free:
	zc_export_put(e);
err_slot:
	zc_slot_put(f);
	return r;
}

int zc_wait_released(struct zc_file *f, struct zcopy_wait_released *req)
{
	unsigned int ms = min(req->timeout_ms, ZCOPY_MAX_WAIT_MS);
	struct zc_export *e = NULL, *it;
	long left;

	mutex_lock(&f->lock);
	list_for_each_entry(it, &f->exports, node) {
		if (it->id == req->id) {
			e = it;
			kref_get(&e->kref);
			break;
		}
	}
	mutex_unlock(&f->lock);
	if (!e)
		return -ENOENT;

	left = wait_for_completion_interruptible_timeout(&e->released, msecs_to_jiffies(ms));
	if (left > 0 || completion_done(&e->released)) {
		req->busy = e->busy;
		mutex_lock(&f->lock);
		if (!list_empty(&e->node)) /* not forgotten meanwhile */
			zc_export_forget(f, e);
		mutex_unlock(&f->lock);
		left = 1;
	}
	kref_put(&e->kref, zc_export_free);
	if (left > 0)
		return 0;
	return left < 0 ? -EINTR : -ETIMEDOUT;
}

void zc_export_forget_all(struct zc_file *f)
{
	struct zc_export *e, *tmp;

	mutex_lock(&f->lock);
	list_for_each_entry_safe(e, tmp, &f->exports, node)
		zc_export_forget(f, e);
	mutex_unlock(&f->lock);
}

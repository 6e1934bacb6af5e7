// SPDX-License-Identifier: GPL-2.0
/*
 * zcopy-import.c: a local dma-buf's pages granted to a domain (buffers the
 * backend allocates for its frontend).
 *
 * The helper attaches to the dma-buf as its own device, maps the
 * attachment to learn the pages, takes a reference on each page and
 * grants it. On release each grant is ended; a grant the grantee still
 * maps cannot be, so it goes on a deferred list, with its page reference,
 * and is retried every ZC_RETRY until it ends. A dead domain's mappings
 * are gone, so its grants end at once. While anything is deferred the
 * module holds a reference on itself and cannot be unloaded.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-buf.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <xen/grant_table.h>
#include <xen/page.h>

#include "zcopy.h"

#define ZC_RETRY (HZ)

struct zc_import {
	struct list_head node; /* in zc_file.imports */
	u32 id;
	domid_t domid;
	unsigned int nr;
	struct dma_buf *dmabuf;
	struct dma_buf_attachment *att;
	struct sg_table *sgt;
	struct page **pages; /* each with a reference of ours */
	grant_ref_t *refs;
	unsigned int granted; /* refs[0..granted) are live grants */
};

/* A grant whose end waits on the grantee; it owns one page reference. */
struct zc_deferred {
	struct list_head node;
	grant_ref_t ref;
	struct page *page;
	domid_t domid;
};

static LIST_HEAD(zc_deferred_list);
static DEFINE_SPINLOCK(zc_deferred_lock);
static bool zc_deferred_pinned; /* we hold a module reference for the list */
static void zc_deferred_work(struct work_struct *w);
static DECLARE_DELAYED_WORK(zc_deferred_dwork, zc_deferred_work);

/* Try to end ref; on success its page reference is dropped. */
static bool zc_end_grant(grant_ref_t ref, struct page *page)
{
	if (!gnttab_try_end_foreign_access(ref))
		return false;
	put_page(page);
	atomic64_dec(&zc_count.grants_alive);
	return true;
}

static void zc_deferred_work(struct work_struct *w)
{
	struct zc_deferred *d, *tmp;
	LIST_HEAD(todo);
	bool empty, unpin;

	spin_lock(&zc_deferred_lock);
	list_splice_init(&zc_deferred_list, &todo);
	spin_unlock(&zc_deferred_lock);

	list_for_each_entry_safe(d, tmp, &todo, node) {
		if (!zc_end_grant(d->ref, d->page))
			continue;
		list_del(&d->node);
		atomic64_dec(&zc_count.grants_deferred);
		kfree(d);
	}

	spin_lock(&zc_deferred_lock);
	list_splice(&todo, &zc_deferred_list);
	empty = list_empty(&zc_deferred_list);
	unpin = empty && zc_deferred_pinned;
	if (unpin)
		zc_deferred_pinned = false;
	spin_unlock(&zc_deferred_lock);
	if (!empty)
		schedule_delayed_work(&zc_deferred_dwork, ZC_RETRY);
	/* Module exit waits for this work to return (cancel_..._sync). */
	if (unpin)
		module_put(THIS_MODULE);
}

/* Hand ref (and its page reference) to the retry list. */
static void zc_defer(grant_ref_t ref, struct page *page, domid_t domid)
{
	struct zc_deferred *d = kzalloc(sizeof(*d), GFP_KERNEL | __GFP_NOFAIL);

	d->ref = ref;
	d->page = page;
	d->domid = domid;
	atomic64_inc(&zc_count.grants_deferred);
	spin_lock(&zc_deferred_lock);
	list_add_tail(&d->node, &zc_deferred_list);
	if (!zc_deferred_pinned) {
		zc_deferred_pinned = true;
		__module_get(THIS_MODULE); /* put when the list empties */
	}
	spin_unlock(&zc_deferred_lock);
	schedule_delayed_work(&zc_deferred_dwork, ZC_RETRY);
}

static struct sg_table *zc_att_map(struct dma_buf_attachment *att)
{
	return zd_dma_buf_map(att, DMA_BIDIRECTIONAL);
}

static void zc_att_unmap(struct dma_buf_attachment *att, struct sg_table *sgt)
{
	zd_dma_buf_unmap(att, sgt, DMA_BIDIRECTIONAL);
}

/* End every grant (deferring busy ones), unpin, detach. Returns busy. */
static unsigned int zc_import_free(struct zc_import *im)
{
	unsigned int i, busy = 0;

	for (i = 0; i < im->granted; i++) {
		if (zc_end_grant(im->refs[i], im->pages[i]))
			continue;
		zc_defer(im->refs[i], im->pages[i], im->domid);
		busy++;
	}
	if (busy)
		pr_warn_ratelimited("dom%u still maps %u of %u pages; retrying\n",
				    im->domid, busy, im->nr);
	if (!IS_ERR_OR_NULL(im->sgt))
		zc_att_unmap(im->att, im->sgt);
	if (!IS_ERR_OR_NULL(im->att))
		dma_buf_detach(im->dmabuf, im->att);
	if (!IS_ERR_OR_NULL(im->dmabuf))
		dma_buf_put(im->dmabuf);
	kvfree(im->refs);
	kvfree(im->pages);
	kfree(im);
	return busy;
}

/* The pages behind the attachment's sg_table, exactly nr of them. */
static int zc_import_pages(struct zc_import *im)
{
	struct sg_page_iter it;
	unsigned int n = 0;

	for_each_sgtable_page(im->sgt, &it, 0) {
		if (n == im->nr)
			return -EINVAL;
		im->pages[n++] = sg_page_iter_page(&it);
	}
	return n == im->nr ? 0 : -EINVAL;
}

static int zc_import_grant(struct zc_import *im, bool readonly)
{
	unsigned int i;
	int ref;

	for (i = 0; i < im->nr; i++) {
		get_page(im->pages[i]);
		ref = gnttab_grant_foreign_access(im->domid, xen_page_to_gfn(im->pages[i]),
						  readonly);
		if (ref < 0) {
			put_page(im->pages[i]);
			return ref;
		}
		im->refs[im->granted++] = ref;
		atomic64_inc(&zc_count.grants_alive);
	}
	return 0;
}

int zc_import(struct zc_file *f, struct zcopy_import *req, u32 __user *urefs)
{
	struct zc_import *im;
	int r;

	if (!req->nr_refs || req->nr_refs > ZCOPY_MAX_PAGES)
		return -EINVAL;
	if (req->flags & ~ZCOPY_IMPORT_READONLY)
		return -EINVAL;
	if (req->domid >= DOMID_FIRST_RESERVED)
		return -EINVAL;

	mutex_lock(&f->lock);
	r = f->nobjs >= ZCOPY_MAX_OBJECTS ? -ENOSPC : 0;
	if (!r)
		f->nobjs++;
	mutex_unlock(&f->lock);
	if (r)
		return r;

	im = kzalloc(sizeof(*im), GFP_KERNEL);
	if (!im) {
		r = -ENOMEM;
		goto err_slot;
	}
	im->domid = req->domid;
	im->nr = req->nr_refs;
	im->pages = kvcalloc(im->nr, sizeof(*im->pages), GFP_KERNEL);
	im->refs = kvcalloc(im->nr, sizeof(*im->refs), GFP_KERNEL);
	if (!im->pages || !im->refs) {
		r = -ENOMEM;
		goto err_free;
	}
	im->dmabuf = dma_buf_get(req->fd);
	if (IS_ERR(im->dmabuf)) {
		r = -EBADF;
		goto err_free;
	}
	if (im->dmabuf->size != (size_t)im->nr << PAGE_SHIFT) {
		r = -EINVAL;
		goto err_free;
	}
	im->att = dma_buf_attach(im->dmabuf, zc_dev);
	if (IS_ERR(im->att)) {
		r = PTR_ERR(im->att);
		goto err_free;
	}
	im->sgt = zc_att_map(im->att);
	if (IS_ERR(im->sgt)) {
		r = PTR_ERR(im->sgt);
		goto err_free;
	}
	r = zc_import_pages(im);
	if (r)
		goto err_free;
	r = zc_import_grant(im, req->flags & ZCOPY_IMPORT_READONLY);
	if (r)
		goto err_free;
	if (copy_to_user(urefs, im->refs, (size_t)im->nr * sizeof(*im->refs))) {
		r = -EFAULT;
		goto err_free;
	}

	atomic64_inc(&zc_count.imports_alive);
	atomic64_inc(&zc_count.imports_total);
	mutex_lock(&f->lock);
	im->id = zc_new_id(f);
	list_add_tail(&im->node, &f->imports);
	mutex_unlock(&f->lock);
	req->id = im->id;
	return 0;

err_free:
	/* Nobody saw the refs yet: every grant ends at once. */
	zc_import_free(im);
err_slot:
	mutex_lock(&f->lock);
	f->nobjs--;
	mutex_unlock(&f->lock);
	return r;
}

int zc_import_release(struct zc_file *f, struct zcopy_import_release *req)
{
	struct zc_import *im = NULL, *it;

	mutex_lock(&f->lock);
	list_for_each_entry(it, &f->imports, node) {
		if (it->id == req->id) {
			im = it;
			list_del(&im->node);
			f->nobjs--;
			break;
		}
	}
	mutex_unlock(&f->lock);
	if (!im)
		return -ENOENT;
	req->busy = zc_import_free(im);
	atomic64_dec(&zc_count.imports_alive);
	return 0;
}

void zc_import_release_all(struct zc_file *f)
{
	struct zc_import *im, *tmp;

	mutex_lock(&f->lock);
	list_for_each_entry_safe(im, tmp, &f->imports, node) {
		list_del(&im->node);
		f->nobjs--;
		zc_import_free(im);
		atomic64_dec(&zc_count.imports_alive);
	}
	mutex_unlock(&f->lock);
}

void zc_import_module_exit(void)
{
	/* The deferred list holds a module reference while not empty. */
	WARN_ON(!list_empty(&zc_deferred_list));
	cancel_delayed_work_sync(&zc_deferred_dwork);
}

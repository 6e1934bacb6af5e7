// SPDX-License-Identifier: GPL-2.0
/*
 * zcopy-alloc.c: pages of our own, granted to a domain and exported as a
 * dma-buf (buffers the backend allocates for its frontend).
 *
 * The pages come from the page allocator, zeroed, and belong to the
 * helper alone: the display imports the dma-buf, it never hands us pages
 * of its own. (Granting pages taken from another driver's sg_table would
 * break the dma-buf rules: a TTM driver can give such a page back to its
 * pool while the guest still has access.) The grants end when the
 * dma-buf is released; a grant the grantee still maps cannot end yet, so
 * it goes on a deferred list, with its page, and is retried every
 * ZC_RETRY until it ends. A dead domain's mappings are gone, so its
 * grants end at once. While anything is deferred the module holds a
 * reference on itself and cannot be unloaded.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-buf.h>
#include <linux/file.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>
#include <xen/grant_table.h>
#include <xen/page.h>

#include "zcopy.h"

#define ZC_RETRY (HZ)

/*
 * Zeroed (a guest must never see what dom0 had there), charged to the
 * caller's memory cgroup, and failing rather than waking the OOM killer.
 */
#define ZC_GFP (GFP_KERNEL_ACCOUNT | __GFP_ZERO | __GFP_NOWARN | __GFP_RETRY_MAYFAIL)

/* A grant whose end waits on the grantee; it owns the page. */
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

static void zc_page_free(struct page *page)
{
	__free_page(page);
	atomic64_dec(&zc_count.pages_allocated);
}

/* Try to end ref; on success its page is freed. */
static bool zc_end_grant(grant_ref_t ref, struct page *page)
{
	if (!gnttab_try_end_foreign_access(ref))
		return false;
	atomic64_dec(&zc_count.grants_alive);
	zc_page_free(page);
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

/* Hand ref (and its page) to the retry list. */
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

unsigned int zc_alloc_end(struct zc_export *e)
{
	unsigned int i, busy = 0;

	if (e->vaddr)
		vunmap(e->vaddr);
	e->vaddr = NULL;
	for (i = 0; i < e->nr && e->pages[i]; i++) {
		if (i >= e->granted) {
			zc_page_free(e->pages[i]);
		} else if (!zc_end_grant(e->refs[i], e->pages[i])) {
			zc_defer(e->refs[i], e->pages[i], e->domid);
			busy++;
		}
		e->pages[i] = NULL;
	}
	e->granted = 0;
	if (busy)
		pr_warn_ratelimited("dom%u still maps %u of %u pages; retrying\n", e->domid, busy,
				    e->nr);
	return busy;
}

/* Allocate and grant every page, then the kernel mapping; undone on failure. */
static int zc_alloc_grant(struct zc_export *e, bool readonly)
{
	unsigned int i;
	int ref, r;

	for (i = 0; i < e->nr; i++) {
		e->pages[i] = alloc_page(ZC_GFP);
		if (!e->pages[i]) {
			r = -ENOMEM;
			goto fail;
		}
		atomic64_inc(&zc_count.pages_allocated);
		ref = gnttab_grant_foreign_access(e->domid, xen_page_to_gfn(e->pages[i]), readonly);
		if (ref < 0) {
			r = ref;
			goto fail;
		}
		e->refs[i] = ref;
		e->granted++;
		atomic64_inc(&zc_count.grants_alive);
	}
	e->vaddr = vmap(e->pages, e->nr, VM_MAP, PAGE_KERNEL);
	if (!e->vaddr) {
		r = -ENOMEM;
		goto fail;
	}
	return 0;

fail:
	/* Nobody saw the refs yet: every grant ends at once. */
	zc_alloc_end(e);
	return r;
}

int zc_alloc(struct zc_file *f, struct zcopy_alloc __user *ureq)
{
	struct zcopy_alloc req;
	struct zc_export *e;
	int r;

	if (copy_from_user(&req, ureq, sizeof(req)))
		return -EFAULT;
	r = zc_check_req(req.domid, req.nr_refs, req.flags, ZCOPY_ALLOC_READONLY,
			 req.pad | req.fd | req.id);
	if (!r) /* the slot is given back on failure */
		r = zc_begin(f, req.domid, req.nr_refs, true, true, &e);
	if (r)
		return r;
	r = zc_alloc_grant(e, req.flags & ZCOPY_ALLOC_READONLY);
	if (r)
		goto err_free;
	if (copy_to_user(u64_to_user_ptr(req.refs), e->refs, (size_t)e->nr * sizeof(*e->refs))) {
		zc_alloc_end(e);
		r = -EFAULT;
		goto err_free;
	}
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

void zc_alloc_module_exit(void)
{
	/* The deferred list holds a module reference while not empty. */
	WARN_ON(!list_empty(&zc_deferred_list));
	cancel_delayed_work_sync(&zc_deferred_dwork);
}

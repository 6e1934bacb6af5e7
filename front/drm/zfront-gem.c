// SPDX-License-Identifier: GPL-2.0
/*
 * zfront-gem.c: GEM objects and the display buffers the backend knows.
 * Objects are shmem-backed (drm_gem_shmem): dumb buffers, mmap and PRIME
 * export come from the shmem helpers; PRIME import keeps the exporter's
 * pages, which we grant but never free. A display buffer's grants always
 * end before the pages under them are let go (zfront-shbuf.c keeps a page
 * the backend still maps).
 */
#include <drm/drm_drv.h>
#include <drm/drm_gem.h>
#include <drm/drm_prime.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "zfront-drm.h"

static void zfront_gem_free(struct drm_gem_object *obj)
{
	struct zfront_bo *bo = to_bo(obj);

	/* Every framebuffer (and its own display buffer) is gone by now. */
	if (bo->dbuf)
		zfront_dbuf_put(to_zd(obj->dev), bo->dbuf);
	bo->dbuf = NULL;
	kvfree(bo->pages);
	drm_gem_shmem_free(&bo->base);
}

static const struct drm_gem_object_funcs zfront_gem_funcs = {
	.free = zfront_gem_free,
	.print_info = drm_gem_shmem_object_print_info,
	.pin = drm_gem_shmem_object_pin,
	.unpin = drm_gem_shmem_object_unpin,
	.get_sg_table = drm_gem_shmem_object_get_sg_table,
	.vmap = drm_gem_shmem_object_vmap,
	.vunmap = drm_gem_shmem_object_vunmap,
	.mmap = drm_gem_shmem_object_mmap,
	.vm_ops = &drm_gem_shmem_vm_ops,
};

struct drm_gem_object *zfront_gem_create_object(struct drm_device *drm, size_t size)
{
	struct zfront_bo *bo = kzalloc(sizeof(*bo), GFP_KERNEL);

	if (!bo)
		return ERR_PTR(-ENOMEM);
	bo->base.base.funcs = &zfront_gem_funcs;
	return &bo->base.base;
}

/* The pages under obj, pinned for as long as obj lives. */
static struct page **bo_pages(struct zfront_bo *bo)
{
	struct drm_gem_object *obj = &bo->base.base;
	u32 npages = obj->size >> PAGE_SHIFT;
	struct sg_table *sgt;
	struct page **pages;
	int ret;

	if (!obj->import_attach) {
		sgt = drm_gem_shmem_get_pages_sgt(&bo->base);
		return IS_ERR(sgt) ? ERR_CAST(sgt) : bo->base.pages;
	}
	if (bo->pages)
		return bo->pages;
	/* Imported: the exporter's sg table, mapped at import. */
	pages = kvmalloc_array(npages, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return ERR_PTR(-ENOMEM);
	ret = drm_prime_sg_to_page_array(bo->base.sgt, pages, npages);
	if (ret) {
		kvfree(pages);
		return ERR_PTR(ret);
	}
	bo->pages = pages;
	return pages;
}

struct zfront_dbuf *zfront_dbuf_alloc(struct zfront_drm *zd, u32 width, u32 bpp, u32 data_ofs)
{
	struct zfront_dbuf *dbuf = kzalloc(sizeof(*dbuf), GFP_KERNEL);
	int ret;

	if (!dbuf)
		return ERR_PTR(-ENOMEM);
	dbuf->pitch = width * (bpp / 8);
	dbuf->bpp = bpp;
	dbuf->data_ofs = data_ofs;
	INIT_LIST_HEAD(&dbuf->node);
	ret = xa_alloc(&zd->ids, &dbuf->id, dbuf, xa_limit_32b, GFP_KERNEL);
	if (ret) {
		kfree(dbuf);
		return ERR_PTR(ret);
	}
	return dbuf;
}

void zfront_dbuf_unalloc(struct zfront_drm *zd, struct zfront_dbuf *dbuf)
{
	xa_erase(&zd->ids, dbuf->id);
	kfree(dbuf);
}

void zfront_dbuf_publish(struct zfront_drm *zd, struct zfront_dbuf *dbuf, struct zfront_shbuf *sb)
{
	mutex_lock(&zd->bufs_lock);
	dbuf->sb = sb;
	list_add(&dbuf->node, &zd->dbufs);
	mutex_unlock(&zd->bufs_lock);
}

struct zfront_dbuf *zfront_dbuf_new(struct zfront_drm *zd, struct drm_gem_object *obj,
				    u32 width, u32 height, u32 bpp, u32 data_ofs)
{
	struct zfront_bo *bo = to_bo(obj);
	u32 size = obj->size, npages = obj->size >> PAGE_SHIFT;
	struct zfront_shbuf *sb;
	struct zfront_dbuf *dbuf;
	struct page **pages;
	int ret, idx;

	if (obj->size > ZD_MAX_BUFFER_BYTES)
		return ERR_PTR(-E2BIG);
	dbuf = zfront_dbuf_alloc(zd, width, bpp, data_ofs);
	if (IS_ERR(dbuf))
		return dbuf;
	if (!drm_dev_enter(zd->drm, &idx)) {
		ret = -ENODEV;
		goto unalloc;
	}
	pages = bo_pages(bo);
	if (IS_ERR(pages)) {
		ret = PTR_ERR(pages);
		goto exit;
	}
	sb = zfront_shbuf_grant(zd->info, pages, npages, zfront_ro_grants);
	if (IS_ERR(sb)) {
		ret = PTR_ERR(sb);
		goto exit;
	}
	ret = zfront_dbuf_create(zd->info, dbuf->id, width, height, bpp, size, data_ofs, sb,
				 false);
	if (ret) {
		zfront_shbuf_free(sb);
		goto exit;
	}
	/* On the list inside the section: an unplug ends its grants. */
	zfront_dbuf_publish(zd, dbuf, sb);
	drm_dev_exit(idx);
	return dbuf;

exit:
	drm_dev_exit(idx);
unalloc:
	zfront_dbuf_unalloc(zd, dbuf);
	return ERR_PTR(ret);
}

void zfront_dbuf_put(struct zfront_drm *zd, struct zfront_dbuf *dbuf)
{
	struct zfront_shbuf *sb;
	int idx, ret;

	mutex_lock(&zd->bufs_lock);
	list_del(&dbuf->node);
	sb = dbuf->sb;
	dbuf->sb = NULL;
	mutex_unlock(&zd->bufs_lock);
	if (sb && drm_dev_enter(zd->drm, &idx)) {
		ret = zfront_dbuf_destroy(zd->info, dbuf->id);
		if (ret)
			zf_warn_rl(zd->info, "DBUF_DESTROY %u: %d\n", dbuf->id, ret);
		drm_dev_exit(idx);
	}
	zfront_shbuf_free(sb);
	zfront_dbuf_unalloc(zd, dbuf);
}

void zfront_dbufs_end_grants(struct zfront_drm *zd)
{
	struct zfront_dbuf *dbuf;

	mutex_lock(&zd->bufs_lock);
	list_for_each_entry(dbuf, &zd->dbufs, node) {
		zfront_shbuf_free(dbuf->sb);
		dbuf->sb = NULL;
	}
	mutex_unlock(&zd->bufs_lock);
}

static int be_dumb_create(struct drm_file *file, struct zfront_drm *zd,
			  struct drm_mode_create_dumb *args, u32 pitch, u32 size)
{
	struct drm_gem_object *obj;
	int ret;

	obj = zfront_bebuf_create(zd, args->width, args->height, args->bpp, PAGE_ALIGN(size));
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	ret = drm_gem_handle_create(file, obj, &args->handle);
	if (!ret) {
		args->pitch = pitch;
		args->size = obj->size;
	}
	drm_gem_object_put(obj);
	return ret;
}

int zfront_gem_dumb_create(struct drm_file *file, struct drm_device *drm,
			   struct drm_mode_create_dumb *args)
{
	struct zfront_drm *zd = to_zd(drm);
	struct drm_gem_shmem_object *shmem;
	struct zfront_dbuf *dbuf;
	u32 pitch, size;
	int ret;

	ret = zfront_dumb_geometry(args->width, args->height, args->bpp, &pitch, &size);
	if (ret)
		return ret;
	if (zd->be_alloc && !zd->fe_only)
		return be_dumb_create(file, zd, args, pitch, size);
	shmem = drm_gem_shmem_create(drm, PAGE_ALIGN(size));
	if (IS_ERR(shmem))
		return PTR_ERR(shmem);
	dbuf = zfront_dbuf_new(zd, &shmem->base, args->width, args->height, args->bpp, 0);
	if (IS_ERR(dbuf)) {
		ret = PTR_ERR(dbuf);
		goto put;
	}
	container_of(shmem, struct zfront_bo, base)->dbuf = dbuf;
	ret = drm_gem_handle_create(file, &shmem->base, &args->handle);
	if (ret)
		goto put;
	args->pitch = pitch;
	args->size = shmem->base.size;
put:
	/* The handle holds the object now; on failure this frees it. */
	drm_gem_object_put(&shmem->base);
	return ret;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * zfront-bebuf.c: dumb buffers the backend allocates (be-alloc). We send
 * DBUF_CREATE with XENDISPL_DBUF_FLG_REQ_ALLOC and a page directory of our
 * own, granted writable; the backend fills it with grants of its pages,
 * which we check (every slot set, our links intact) and map
 * (xen/zfront-gntmap.c). The object is a plain GEM object over those
 * pages: mmap for clients in PV and auto-translated guests alike, vmap and
 * PRIME export where Xen lets the guest map foreign frames into its
 * kernel (not in a PV guest).
 */
#include <drm/drm_drv.h>
#include <drm/drm_gem.h>
#include <drm/drm_prime.h>
#include <drm/drm_vma_manager.h>
#include <linux/iosys-map.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <xen/xen.h>

#include "zfront-drm.h"

struct zfront_bebo {
	struct drm_gem_object base;
	struct zfront_dbuf *dbuf;
	struct zfront_gntmap *map;
	void *vaddr; /* vmap, counted by the GEM core's pin/vmap users */
};

static struct zfront_bebo *to_bebo(struct drm_gem_object *obj)
{
	return container_of(obj, struct zfront_bebo, base);
}

static void bebo_free(struct drm_gem_object *obj)
{
	struct zfront_bebo *bo = to_bebo(obj);

	/* Unmap the backend's grants before it is told to end them. */
	if (bo->vaddr)
		vunmap(bo->vaddr);
	zfront_gntmap_free(bo->map);
	if (bo->dbuf)
		zfront_dbuf_put(to_zd(obj->dev), bo->dbuf);
	drm_gem_object_release(obj);
	kfree(bo);
}

static int bebo_mmap(struct drm_gem_object *obj, struct vm_area_struct *vma)
{
	struct zfront_bebo *bo = to_bebo(obj);
	int ret;

	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	/* The GEM core leaves the object's fake offset in vm_pgoff. */
	vma->vm_pgoff -= drm_vma_node_start(&obj->vma_node);
	ret = zfront_gntmap_mmap(bo->map, vma);
	if (ret)
		return ret;
	/*
	 * In a PV guest the mapping has its own vm_ops (pv-umap.c), so the
	 * GEM core's close will not drop the reference drm_gem_mmap() took:
	 * drop it now. The mapping holds the backend's grants itself and
	 * stays valid after the object is gone.
	 */
	if (vma->vm_ops != obj->funcs->vm_ops)
		drm_gem_object_put(obj);
	return 0;
}

static int bebo_vmap(struct drm_gem_object *obj, struct iosys_map *map)
{
	struct zfront_bebo *bo = to_bebo(obj);

	if (!bo->vaddr)
		bo->vaddr = zfront_gntmap_vmap(bo->map);
	if (!bo->vaddr)
		return -EOPNOTSUPP;
	iosys_map_set_vaddr(map, bo->vaddr);
	return 0;
}

static struct sg_table *bebo_get_sg_table(struct drm_gem_object *obj)
{
	struct zfront_bebo *bo = to_bebo(obj);

	/* A PV guest's pages here are foreign frames: nothing to hand on. */
	if (xen_pv_domain())
		return ERR_PTR(-EOPNOTSUPP);
	return drm_prime_pages_to_sg(obj->dev, zfront_gntmap_pages(bo->map),
				     obj->size >> PAGE_SHIFT);
}

static const struct vm_operations_struct bebo_vm_ops = {
	.open = drm_gem_vm_open,
	.close = drm_gem_vm_close,
};

static const struct drm_gem_object_funcs bebo_funcs = {
	.free = bebo_free,
	.mmap = bebo_mmap,
	.vmap = bebo_vmap,
	.get_sg_table = bebo_get_sg_table,
	.vm_ops = &bebo_vm_ops,
};

struct zfront_dbuf *zfront_bebuf_dbuf(struct drm_gem_object *obj)
{
	return obj->funcs == &bebo_funcs ? to_bebo(obj)->dbuf : NULL;
}

bool zfront_is_bebuf(struct drm_gem_object *obj)
{
	return obj->funcs == &bebo_funcs;
}

/* DBUF_CREATE with REQ_ALLOC, then map what the backend granted. */
static int bebo_alloc(struct zfront_drm *zd, struct zfront_bebo *bo, u32 width, u32 height,
		      u32 bpp)
{
	u32 npages = bo->base.size >> PAGE_SHIFT;
	struct zfront_info *info = zd->info;
	struct zfront_dbuf *dbuf;
	struct zfront_shbuf *sb;
	grant_ref_t *refs;
	int ret;

	refs = kvmalloc_array(npages, sizeof(*refs), GFP_KERNEL);
	if (!refs)
		return -ENOMEM;
	dbuf = zfront_dbuf_alloc(zd, width, bpp, 0);
	if (IS_ERR(dbuf)) {
		ret = PTR_ERR(dbuf);
		goto free_refs;
	}
	sb = zfront_shbuf_grant(info, NULL, npages, false);
	if (IS_ERR(sb)) {
		ret = PTR_ERR(sb);
		goto unalloc;
	}
	ret = zfront_dbuf_create(info, dbuf->id, width, height, bpp, bo->base.size, 0, sb, true);
	if (ret)
		goto free_sb;
	/* From here the backend knows the buffer: undo through zfront_dbuf_put(). */
	zfront_dbuf_publish(zd, dbuf, sb);
	bo->dbuf = dbuf;
	ret = zfront_shbuf_backend_refs(sb, refs);
	if (ret) {
		zf_warn_rl(info, "be-alloc: the backend's page directory is not filled in right\n");
		goto out;
	}
	bo->map = zfront_gntmap_new(info, refs, npages);
	ret = PTR_ERR_OR_ZERO(bo->map);
	if (ret)
		bo->map = NULL;
out:
	kvfree(refs);
	return ret;

free_sb:
	zfront_shbuf_free(sb);
unalloc:
	zfront_dbuf_unalloc(zd, dbuf);
free_refs:
	kvfree(refs);
	return ret;
}

struct drm_gem_object *zfront_bebuf_create(struct zfront_drm *zd, u32 width, u32 height,
					   u32 bpp, size_t size)
{
	struct zfront_bebo *bo;
	int ret, idx;

	bo = kzalloc(sizeof(*bo), GFP_KERNEL);
	if (!bo)
		return ERR_PTR(-ENOMEM);
	bo->base.funcs = &bebo_funcs;
	drm_gem_private_object_init(zd->drm, &bo->base, size);
	/* From here on bebo_free() undoes whatever was done. */
	ret = drm_gem_create_mmap_offset(&bo->base);
	if (!ret && !drm_dev_enter(zd->drm, &idx))
		ret = -ENODEV;
	if (!ret) {
		ret = bebo_alloc(zd, bo, width, height, bpp);
		drm_dev_exit(idx);
	}
	if (ret) {
		drm_gem_object_put(&bo->base);
		return ERR_PTR(ret);
	}
	return &bo->base;
}

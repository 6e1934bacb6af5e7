// SPDX-License-Identifier: GPL-2.0
/*
 * kms-prime.c: zero-copy's side of KMS. dma-bufs become GEM handles
 * (PRIME import) and framebuffers (ADDFB2 with the frame's own offset and
 * pitch); be-alloc buffers are dumb buffers exported as dma-bufs.
 *
 * GEM handles are not reference counted by the kernel: importing one
 * dma-buf twice on a DRM file gives the same handle, and one GEM_CLOSE
 * ends it for both. So every handle we use is counted per device here,
 * and only the last user closes it.
 *
 * libdrm: drmPrimeFDToHandle, drmPrimeHandleToFD and drmIoctl return -1
 * with errno; drmModeAddFB2, drmModeCreateDumbBuffer and
 * drmModeDestroyDumbBuffer return -errno.
 */
#include "kms-priv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zdispl/displif-use.h>

#include "../base/log.h"

static struct kms_handle *find(struct kms_dev *k, uint32_t handle)
{
	for (unsigned int i = 0; i < k->nhandles; i++)
		if (k->handles[i].handle == handle)
			return &k->handles[i];
	return NULL;
}

int kms_handle_ref(struct kms_dev *k, uint32_t handle)
{
	struct kms_handle *h = find(k, handle);

	if (h) {
		h->refs++;
		return 0;
	}
	if (k->nhandles == k->cap_handles) {
		unsigned int ncap = k->cap_handles ? 2 * k->cap_handles : 16;
		struct kms_handle *a = realloc(k->handles, ncap * sizeof(*a));

		if (!a)
			return -ENOMEM;
		k->handles = a;
		k->cap_handles = ncap;
	}
	k->handles[k->nhandles++] = (struct kms_handle){.handle = handle, .refs = 1};
	return 0;
}

static void gem_close(struct kms_dev *k, uint32_t handle)
{
	struct drm_gem_close c = {.handle = handle};

	if (drmIoctl(k->fd, DRM_IOCTL_GEM_CLOSE, &c))
		zd_warn(k->path, "closing GEM handle %u: %s", handle, strerror(errno));
}

void kms_handle_unref(struct kms_dev *k, uint32_t handle)
{
	struct kms_handle *h = find(k, handle);

	if (!h) {
		zd_warn(k->path, "GEM handle %u is not ours", handle);
		return;
	}
	if (--h->refs)
		return;
	*h = k->handles[--k->nhandles];
	gem_close(k, handle);
}

void kms_handles_free(struct kms_dev *k)
{
	free(k->handles);
	k->handles = NULL;
	k->nhandles = k->cap_handles = 0;
}

int kms_prime_import(struct kms_dev *k, int fd, uint32_t *handle)
{
	uint32_t h;
	int r;

	if (drmPrimeFDToHandle(k->fd, fd, &h))
		return errno ? -errno : -EIO;
	r = kms_handle_ref(k, h);
	if (r) {
		/* Only close what nothing else of ours uses. */
		if (!find(k, h))
			gem_close(k, h);
		return r;
	}
	*handle = h;
	return 0;
}

int kms_prime_fb(struct kms_dev *k, uint32_t handle, const struct zd_fb_layout *l, uint32_t fourcc,
		 uint32_t *fb_id)
{
	uint32_t handles[4] = {handle}, pitches[4] = {l->pitch}, offsets[4] = {l->offset};

	/* Flags 0: no modifier; the buffer is linear as displif describes it. */
	return drmModeAddFB2(k->fd, l->width, l->height, fourcc, handles, pitches, offsets, fb_id,
			     0);
}

/*
 * Rows of one page (1024 pixels of 32 bits): a driver that pads pitches
 * to any power of two up to 4096 still gives exactly npages pages, which
 * is what the grants must cover, one for one.
 */
int kms_dumb_create(struct kms_dev *k, uint32_t npages, uint32_t *handle, int *fd)
{
	uint32_t h, pitch;
	uint64_t size;
	int r;

	r = drmModeCreateDumbBuffer(k->fd, ZD_PAGE_SIZE / 4, npages, 32, 0, &h, &pitch, &size);
	if (r)
		return r;
	if (size != (uint64_t)npages * ZD_PAGE_SIZE) {
		zd_err(k->path, "a dumb buffer of %u pages came out as %llu octets (pitch %u)",
		       npages, (unsigned long long)size, pitch);
		r = -EINVAL;
		goto err;
	}
	if (drmPrimeHandleToFD(k->fd, h, DRM_CLOEXEC | DRM_RDWR, fd)) {
		r = errno ? -errno : -EIO;
		goto err;
	}
	r = kms_handle_ref(k, h);
	if (r) {
		close(*fd);
		goto err;
	}
	*handle = h;
	return 0;

err:
	drmModeDestroyDumbBuffer(k->fd, h);
	return r;
}

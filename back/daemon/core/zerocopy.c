// SPDX-License-Identifier: GPL-2.0
/* zerocopy.c: choosing the grant <-> dma-buf facility (see zcopy.h). */
#include "zerocopy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zdispl/zcopy.h>

#include "../base/log.h"
#include "grant-dmabuf.h"

#define ZC_LOG "zero-copy"

/*
 * Exports whose release wait timed out: waited for again (without
 * blocking) until they are released, so that the facility forgets them
 * and frees their slots.
 */
#define ZD_ZCOPY_MAX_PENDING 256

struct zd_zcopy {
	struct zd_zcdev *dev; /* NULL: none */
	enum zd_zcdev_kind kind;
	unsigned int caps;
	char why[160]; /* why no export; "" when there is */
	uint32_t pending[ZD_ZCOPY_MAX_PENDING];
	unsigned int npending;
};

static const char *const mode_names[] = {
	[ZD_ZCOPY_AUTO] = "auto",
	[ZD_ZCOPY_HELPER] = "helper",
	[ZD_ZCOPY_GNTDEV] = "gntdev",
	[ZD_ZCOPY_OFF] = "off",
};

int zd_zcopy_parse_mode(const char *s, enum zd_zcopy_mode *out)
{
	for (unsigned int i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++) {
		if (!strcmp(s, mode_names[i])) {
			*out = (enum zd_zcopy_mode)i;
			return 0;
		}
	}
	return -EINVAL;
}

static const char *kind_name(enum zd_zcdev_kind k)
{
	return k == ZD_ZCDEV_HELPER ? "helper" : "gntdev";
}

/* Open one facility; on failure *err says why, for the log and status. */
static int try_open(struct zd_zcopy *z, enum zd_zcdev_kind kind, int *err)
{
	const char *why;
	int r = zd_zcdev_open(kind, &z->dev, &z->caps, &why);

	*err = r;
	if (r)
		return r;
	z->kind = kind;
	if (!(z->caps & ZD_ZCDEV_EXPORT))
		snprintf(z->why, sizeof(z->why), "%s", why[0] ? why : "no export");
	return 0;
}

/* Why auto found nothing: the common case in plain words, else the errors. */
static void none_why(struct zd_zcopy *z, int helper_err, int gntdev_err)
{
	if (helper_err == -ENOENT && gntdev_err == -EOPNOTSUPP)
		snprintf(z->why, sizeof(z->why),
			 "no grant->dma-buf support in this kernel (helper not loaded, gntdev "
			 "without dma-buf)");
	else
		snprintf(z->why, sizeof(z->why),
			 "no grant->dma-buf support (helper: %s; gntdev: %s)",
			 strerror(-helper_err), strerror(-gntdev_err));
}

static void log_choice(const struct zd_zcopy *z)
{
	if (!z->dev)
		zd_info(ZC_LOG, "none, every frame is copied: %s", z->why);
	else if (z->kind == ZD_ZCDEV_HELPER)
		zd_info(ZC_LOG, "via the helper, /dev/zdispl-zcopy");
	else if (!(z->caps & ZD_ZCDEV_EXPORT))
		zd_info(ZC_LOG, "via gntdev, backend-allocated buffers only: %s", z->why);
	else
		zd_info(ZC_LOG, "via gntdev's dma-buf calls");
}

int zd_zcopy_open(enum zd_zcopy_mode mode, struct zd_zcopy **out)
{
	struct zd_zcopy *z = calloc(1, sizeof(*z));
	int herr = 0, gerr = 0, r = 0;

	if (!z)
		return -ENOMEM;
	switch (mode) {
	case ZD_ZCOPY_OFF:
		snprintf(z->why, sizeof(z->why), "zero-copy disabled (--zcopy=off)");
		break;
	case ZD_ZCOPY_HELPER:
	case ZD_ZCOPY_GNTDEV: {
		enum zd_zcdev_kind k = mode == ZD_ZCOPY_HELPER ? ZD_ZCDEV_HELPER : ZD_ZCDEV_GNTDEV;

		r = try_open(z, k, &herr);
		if (r && k == ZD_ZCDEV_HELPER)
			zd_err(ZC_LOG, "--zcopy=helper: /dev/zdispl-zcopy: %s%s", strerror(-r),
			       r == -ENOENT ? " (is zdispl_zcopy loaded?)" : "");
		else if (r)
			zd_err(ZC_LOG, "--zcopy=gntdev: %s",
			       r == -EOPNOTSUPP ? "gntdev has no dma-buf support in this kernel"
						: strerror(-r));
		break;
	}
	case ZD_ZCOPY_AUTO:
	default:
		if (!try_open(z, ZD_ZCDEV_HELPER, &herr))
			break;
		/* Present but unusable is worth a word; absent is the norm. */
		if (herr != -ENOENT)
			zd_warn(ZC_LOG, "/dev/zdispl-zcopy: %s", strerror(-herr));
		if (try_open(z, ZD_ZCDEV_GNTDEV, &gerr))
			none_why(z, herr, gerr);
		break;
	}
	if (r) {
		free(z);
		return r;
	}
	log_choice(z);
	*out = z;
	return 0;
}

void zd_zcopy_close(struct zd_zcopy *z)
{
	if (!z)
		return;
	zd_zcdev_close(z->dev);
	free(z);
}

const char *zd_zcopy_name(const struct zd_zcopy *z)
{
	return z && z->dev ? kind_name(z->kind) : "none";
}

bool zd_zcopy_can_export(const struct zd_zcopy *z)
{
	return z && z->dev && (z->caps & ZD_ZCDEV_EXPORT);
}

bool zd_zcopy_can_import(const struct zd_zcopy *z)
{
	return z && z->dev && (z->caps & ZD_ZCDEV_IMPORT);
}

bool zd_zcopy_can_alloc(const struct zd_zcopy *z)
{
	return z && z->dev && (z->caps & ZD_ZCDEV_ALLOC);
}

/* Has objects that are waited for: exports or allocations. */
static bool can_wait(const struct zd_zcopy *z)
{
	return z && z->dev && (z->caps & (ZD_ZCDEV_EXPORT | ZD_ZCDEV_ALLOC));
}

const char *zd_zcopy_why(const struct zd_zcopy *z)
{
	return z ? z->why : "no grant->dma-buf facility";
}

static int check_n(uint32_t n)
{
	return n && n <= ZCOPY_MAX_PAGES ? 0 : -EINVAL;
}

/* Wait again, without blocking, for exports whose wait timed out. */
static void reap(struct zd_zcopy *z)
{
	uint32_t busy;

	for (unsigned int i = 0; i < z->npending;) {
		if (zd_zcdev_wait_released(z->dev, z->pending[i], 0, &busy) == -ETIMEDOUT)
			i++;
		else
			z->pending[i] = z->pending[--z->npending];
	}
}

int zd_zcopy_export(struct zd_zcopy *z, uint32_t domid, const uint32_t *refs, uint32_t n,
		    bool writable, int *fd, uint32_t *id)
{
	if (!zd_zcopy_can_export(z))
		return -EOPNOTSUPP;
	if (check_n(n))
		return -EINVAL;
	reap(z);
	return zd_zcdev_export(z->dev, domid, refs, n, writable, fd, id);
}

int zd_zcopy_wait_released(struct zd_zcopy *z, uint32_t id, uint32_t timeout_ms, uint32_t *busy)
{
	int r;

	*busy = 0;
	if (!can_wait(z))
		return -EOPNOTSUPP;
	/* The caller waits for id itself: not among the pending ones. */
	for (unsigned int i = 0; i < z->npending; i++)
		if (z->pending[i] == id)
			z->pending[i] = z->pending[--z->npending];
	reap(z);
	r = zd_zcdev_wait_released(z->dev, id, timeout_ms, busy);
	if (r == -ETIMEDOUT) {
		if (z->npending < ZD_ZCOPY_MAX_PENDING)
			z->pending[z->npending++] = id;
		else
			zd_warn(ZC_LOG,
				"dma-buf %u: %u releases already pending; this one is "
				"not waited for again",
				id, ZD_ZCOPY_MAX_PENDING);
	}
	return r;
}

unsigned int zd_zcopy_pending(const struct zd_zcopy *z)
{
	return z ? z->npending : 0;
}

int zd_zcopy_import(struct zd_zcopy *z, int fd, uint32_t domid, uint32_t n, uint32_t *refs,
		    uint32_t *id)
{
	if (!zd_zcopy_can_import(z))
		return -EOPNOTSUPP;
	if (check_n(n))
		return -EINVAL;
	return zd_zcdev_import(z->dev, fd, domid, n, refs, id);
}

int zd_zcopy_import_release(struct zd_zcopy *z, uint32_t id, uint32_t *busy)
{
	*busy = 0;
	if (!zd_zcopy_can_import(z))
		return -EOPNOTSUPP;
	return zd_zcdev_import_release(z->dev, id, busy);
}

int zd_zcopy_alloc(struct zd_zcopy *z, uint32_t domid, uint32_t n, uint32_t *refs, int *fd,
		   uint32_t *id)
{
	if (!zd_zcopy_can_alloc(z))
		return -EOPNOTSUPP;
	if (check_n(n))
		return -EINVAL;
	reap(z);
	return zd_zcdev_alloc(z->dev, domid, n, refs, fd, id);
}

void *zd_zcopy_mmap(struct zd_zcopy *z, int fd, size_t len)
{
	return can_wait(z) ? zd_zcdev_mmap(z->dev, fd, len) : NULL;
}

void zd_zcopy_munmap(struct zd_zcopy *z, void *p, size_t len)
{
	if (can_wait(z))
		zd_zcdev_munmap(z->dev, p, len);
}

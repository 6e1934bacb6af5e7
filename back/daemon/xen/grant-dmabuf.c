// SPDX-License-Identifier: GPL-2.0
/*
 * grant-dmabuf.c: the helper's ioctls and libxengnttab's dma-buf calls behind
 * grant-dmabuf.h.
 *
 * Probing gntdev. Its dma-buf ioctls exist only with
 * CONFIG_XEN_GNTDEV_DMABUF; without it gntdev answers any ioctl it does
 * not know with -ENOIOCTLCMD, which reaches us as ENOTTY (libxengnttab
 * builds for other systems say EOPNOTSUPP). The probe is
 * EXP_WAIT_RELEASED of fd -1 with no wait: gntdev looks the fd up among
 * its exports and answers ENOENT, which libxengnttab turns into success.
 * (libxengnttab would log the ENOTTY of a kernel without the support as
 * an error; its handle gets a logger for critical messages only, and the
 * daemon reports failures itself.)
 * Exporting needs more: gntdev refuses it with EINVAL whenever it maps
 * through page-table updates (use_ptemod), i.e. in every PV domain, so
 * /sys/hypervisor/guest_type "PV" leaves gntdev with import only.
 */
#include "../core/grant-dmabuf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xengnttab.h>
#include <xentoollog.h>
#include <zdispl/zcopy.h>

#define HELPER_PATH "/dev/" ZCOPY_DEVICE_NAME
#define GUEST_TYPE_PATH "/sys/hypervisor/guest_type"

struct zd_zcdev {
	enum zd_zcdev_kind kind;
	int fd;				    /* helper: -1 when not open */
	xengnttab_handle *gnt;		    /* gntdev: NULL when not open */
	xentoollog_logger_stdiostream *log; /* gnt's, NULL: none */
};

static int helper_ioctl(struct zd_zcdev *z, unsigned long req, void *arg)
{
	int r;

	do
		r = ioctl(z->fd, req, arg);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : 0;
}

static int helper_open(struct zd_zcdev *z, unsigned int *caps)
{
	struct zcopy_stats st;
	int r;

	z->fd = open(HELPER_PATH, O_RDWR | O_CLOEXEC);
	if (z->fd < 0)
		return -errno;
	/* Is it ours, and may we use it (CAP_SYS_ADMIN)? */
	memset(&st, 0, sizeof(st));
	r = helper_ioctl(z, ZCOPY_IOCTL_STATS, &st);
	if (r)
		return r;
	*caps = ZD_ZCDEV_EXPORT | ZD_ZCDEV_ALLOC;
	return 0;
}

/* True in a PV domain, where gntdev maps through page tables. */
static bool pv_domain(void)
{
	char buf[16] = "";
	FILE *f = fopen(GUEST_TYPE_PATH, "re");

	if (!f)
		return false; /* an older kernel: let the first export tell */
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return !strncmp(buf, "PV", 2) && (buf[2] == '\n' || buf[2] == '\0');
}

static int gntdev_open(struct zd_zcdev *z, unsigned int *caps, const char **why)
{
	z->log = xtl_createlogger_stdiostream(stderr, XTL_CRITICAL, 0);
	z->gnt = xengnttab_open((xentoollog_logger *)z->log, 0);
	if (!z->gnt)
		return -errno;
	if (xengnttab_dmabuf_exp_wait_released(z->gnt, UINT32_MAX, 0)) {
		if (errno == ENOTTY || errno == EOPNOTSUPP || errno == ENOSYS)
			return -EOPNOTSUPP;
		return errno ? -errno : -EIO;
	}
	*caps = ZD_ZCDEV_IMPORT;
	if (pv_domain())
		*why = "gntdev cannot export dma-bufs in a PV domain";
	else
		*caps |= ZD_ZCDEV_EXPORT;
	return 0;
}

int zd_zcdev_open(enum zd_zcdev_kind kind, struct zd_zcdev **out, unsigned int *caps,
		  const char **why)
{
	struct zd_zcdev *z = calloc(1, sizeof(*z));
	int r;

	if (!z)
		return -ENOMEM;
	z->kind = kind;
	z->fd = -1;
	*caps = 0;
	*why = "";
	r = kind == ZD_ZCDEV_HELPER ? helper_open(z, caps) : gntdev_open(z, caps, why);
	if (r) {
		zd_zcdev_close(z);
		return r;
	}
	*out = z;
	return 0;
}

void zd_zcdev_close(struct zd_zcdev *z)
{
	if (!z)
		return;
	/* The kernel forgets ids not waited for; releases go on without us. */
	if (z->fd >= 0)
		close(z->fd);
	if (z->gnt)
		xengnttab_close(z->gnt);
	if (z->log)
		xtl_logger_destroy((xentoollog_logger *)z->log);
	free(z);
}

int zd_zcdev_export(struct zd_zcdev *z, uint32_t domid, const uint32_t *refs, uint32_t n,
		    bool writable, int *fd, uint32_t *id)
{
	struct zcopy_export e;
	uint32_t gfd;
	int r;

	if (z->kind == ZD_ZCDEV_GNTDEV) {
		/* gntdev maps the grants writable whatever we ask. */
		(void)writable;
		if (xengnttab_dmabuf_exp_from_refs(z->gnt, domid, 0, n, refs, &gfd))
			return errno ? -errno : -EIO;
		*fd = (int)gfd;
		*id = gfd;
		return 0;
	}
	memset(&e, 0, sizeof(e));
	e.domid = domid;
	e.nr_refs = n;
	e.refs = (uint64_t)(uintptr_t)refs;
	e.flags = writable ? ZCOPY_EXPORT_WRITABLE : 0;
	r = helper_ioctl(z, ZCOPY_IOCTL_EXPORT, &e);
	if (r)
		return r;
	*fd = e.fd;
	*id = e.id;
	return 0;
}

int zd_zcdev_wait_released(struct zd_zcdev *z, uint32_t id, uint32_t timeout_ms, uint32_t *busy)
{
	struct zcopy_wait_released w = {.id = id, .timeout_ms = timeout_ms};
	int r;

	*busy = 0;
	if (z->kind == ZD_ZCDEV_GNTDEV) {
		/*
		 * gntdev knows an export by its fd, which the caller has closed
		 * by now (it must, for the release to happen): the number may
		 * already name another dma-buf, and waiting on it would wait
		 * for the wrong export. gntdev unmaps the grants on release
		 * all the same; there is nothing to wait for here.
		 */
		(void)id;
		(void)timeout_ms;
		return 0;
	}
	r = helper_ioctl(z, ZCOPY_IOCTL_WAIT_RELEASED, &w);
	if (!r)
		*busy = w.busy;
	return r;
}

int zd_zcdev_alloc(struct zd_zcdev *z, uint32_t domid, uint32_t n, uint32_t *refs, int *fd,
		   uint32_t *id)
{
	struct zcopy_alloc a;
	int r;

	if (z->kind == ZD_ZCDEV_GNTDEV)
		return -EOPNOTSUPP;
	memset(&a, 0, sizeof(a));
	a.domid = domid;
	a.nr_refs = n;
	a.refs = (uint64_t)(uintptr_t)refs;
	r = helper_ioctl(z, ZCOPY_IOCTL_ALLOC, &a);
	if (r)
		return r;
	*fd = a.fd;
	*id = a.id;
	return 0;
}

void *zd_zcdev_mmap(struct zd_zcdev *z, int fd, size_t len)
{
	void *p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);

	(void)z;
	return p == MAP_FAILED ? NULL : p;
}

void zd_zcdev_munmap(struct zd_zcdev *z, void *p, size_t len)
{
	(void)z;
	munmap(p, len);
}

int zd_zcdev_import(struct zd_zcdev *z, int fd, uint32_t domid, uint32_t n, uint32_t *refs,
		    uint32_t *id)
{
	if (fd < 0)
		return -EBADF;
	if (z->kind != ZD_ZCDEV_GNTDEV)
		return -EOPNOTSUPP; /* the helper allocates instead */
	if (xengnttab_dmabuf_imp_to_refs(z->gnt, domid, (uint32_t)fd, n, refs))
		return errno ? -errno : -EIO;
	*id = (uint32_t)fd;
	return 0;
}

int zd_zcdev_import_release(struct zd_zcdev *z, uint32_t id, uint32_t *busy)
{
	*busy = 0; /* gntdev ends foreign access itself, deferring refs still mapped */
	if (z->kind != ZD_ZCDEV_GNTDEV)
		return -EOPNOTSUPP;
	if (xengnttab_dmabuf_imp_release(z->gnt, id))
		return errno ? -errno : -EIO;
	return 0;
}

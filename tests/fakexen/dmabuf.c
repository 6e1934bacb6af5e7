/*
 * dmabuf.c - fake kernel facilities turning grants into dma-bufs and back
 * (back/daemon/core/grant-dmabuf.h) for host unit tests; see fakexen.h.
 *
 * A fake export's dma-buf is the write end of a pipe: whoever holds a
 * copy of it holds the buffer, and the read end the fake keeps hangs up
 * exactly when the last copy is closed, which is when a real dma-buf is
 * released. Exports are identified from any of their fds by the pipe's
 * inode. An allocation is an export whose pages fx_self_domid granted
 * (local): its release ends those grants instead of unholding them.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "grant-dmabuf.h"

#define FX_DMABUF_MAX 256
#define FX_PAGE 4096u

struct fx_export {
	bool used;
	bool local;		/* an allocation: domid is fx_self_domid, the granter */
	struct zd_zcdev *owner; /* NULL once its id is forgotten */
	uint32_t id;
	unsigned int domid; /* who granted refs */
	uint32_t n;
	uint32_t *refs; /* local: 0 once ended */
	uint32_t busy;	/* local: refs the peer still held at release */
	int hold;	/* read end of the pipe, -1 once released */
	dev_t dev;
	ino_t ino;
};

struct fx_import {
	bool used;
	struct zd_zcdev *owner;
	uint32_t id;
	unsigned int domid;
	uint32_t n;
	uint32_t *refs; /* ours; 0 once ended */
	int fd;		/* dup() of the dma-buf, -1 once released */
	bool deferred;	/* released, some refs still to end */
};

struct zd_zcdev {
	struct zd_zcdev *next;
	enum zd_zcdev_kind kind;
};

static bool helper_here, gntdev_here, in_pv;
static struct zd_zcdev *devs;
static struct fx_export exports[FX_DMABUF_MAX];
static struct fx_import imports[FX_DMABUF_MAX];
static uint32_t next_id = 1;
static unsigned long exports_total, imports_total, allocs_total, waits, waits_timed_out;

void fx_zcopy_present(bool helper, bool gntdev, bool pv)
{
	helper_here = helper;
	gntdev_here = gntdev;
	in_pv = pv;
}

static bool dev_is_live(const struct zd_zcdev *z)
{
	for (const struct zd_zcdev *p = devs; p; p = p->next)
		if (p == z)
			return true;
	return false;
}

static int enter(const struct zd_zcdev *z, enum fx_op op)
{
	return dev_is_live(z) ? -fxi_inject(op) : -EBADF;
}

/* ------------------------------------------------------------------------
 * Releases
 */

/* An allocation's grants that can end do; how many cannot yet. */
static uint32_t alloc_end(struct fx_export *e)
{
	uint32_t left = 0;

	for (uint32_t i = 0; i < e->n; i++) {
		if (!e->refs[i])
			continue;
		if (fx_gnt_revoke(fx_self_domid, e->refs[i]) == -EBUSY)
			left++;
		else
			e->refs[i] = 0;
	}
	return left;
}

static void export_release(struct fx_export *e)
{
	if (e->local)
		e->busy = alloc_end(e);
	else
		fxi_gnt_unhold(e->domid, e->refs, e->n);
	close(e->hold);
	e->hold = -1;
}

/* Released, and nothing of it left granted. */
static bool export_done(struct fx_export *e)
{
	return e->hold < 0 && (!e->local || !alloc_end(e));
}

static void export_free(struct fx_export *e)
{
	if (e->hold >= 0)
		close(e->hold);
	free(e->refs);
	memset(e, 0, sizeof(*e));
	e->hold = -1;
}

/* End what can be ended of an import; true when every ref has. */
static bool import_end(struct fx_import *im, uint32_t *busy)
{
	uint32_t left = 0;

	for (uint32_t i = 0; i < im->n; i++) {
		if (!im->refs[i])
			continue;
		if (fx_gnt_revoke(fx_self_domid, im->refs[i]) == -EBUSY)
			left++;
		else
			im->refs[i] = 0;
	}
	if (busy)
		*busy = left;
	return !left;
}

static void import_free(struct fx_import *im)
{
	if (im->fd >= 0)
		close(im->fd);
	free(im->refs);
	memset(im, 0, sizeof(*im));
	im->fd = -1;
}

void fxi_dmabuf_reap(void)
{
	static bool reaping; /* import_end() revokes, which reaps */

	if (reaping)
		return;
	reaping = true;
	for (unsigned int i = 0; i < FX_DMABUF_MAX; i++) {
		struct fx_export *e = &exports[i];
		struct pollfd p = {.fd = e->hold, .events = POLLIN};

		if (!e->used)
			continue;
		if (e->hold >= 0 && poll(&p, 1, 0) == 1 && (p.revents & POLLHUP))
			export_release(e);
		if (!e->owner && export_done(e))
			export_free(e);
	}
	for (unsigned int i = 0; i < FX_DMABUF_MAX; i++)
		if (imports[i].used && imports[i].deferred && import_end(&imports[i], NULL))
			import_free(&imports[i]);
	reaping = false;
}

/* ------------------------------------------------------------------------
 * grant-dmabuf.h
 */

int zd_zcdev_open(enum zd_zcdev_kind kind, struct zd_zcdev **out, unsigned int *caps,
		  const char **why)
{
	struct zd_zcdev *z;
	int err = fxi_inject(FX_ZC_OPEN);

	*caps = 0;
	*why = "";
	if (err)
		return -err;
	if (kind == ZD_ZCDEV_HELPER && !helper_here)
		return -ENOENT;
	if (kind == ZD_ZCDEV_GNTDEV && !gntdev_here)
		return -EOPNOTSUPP;
	z = calloc(1, sizeof(*z));
	if (!z)
		return -ENOMEM;
	z->kind = kind;
	z->next = devs;
	devs = z;
	/* As the real ones: the helper allocates, gntdev imports. */
	*caps = kind == ZD_ZCDEV_HELPER ? ZD_ZCDEV_ALLOC : ZD_ZCDEV_IMPORT;
	if (kind == ZD_ZCDEV_GNTDEV && in_pv)
		*why = "gntdev cannot export dma-bufs in a PV domain";
	else
		*caps |= ZD_ZCDEV_EXPORT;
	*out = z;
	return 0;
}

void zd_zcdev_close(struct zd_zcdev *z)
{
	struct zd_zcdev **pp;

	if (!z)
		return;
	for (pp = &devs; *pp && *pp != z; pp = &(*pp)->next)
		;
	if (!*pp)
		return;
	*pp = z->next;
	/* Ids are forgotten; buffers still in use are released later. */
	for (unsigned int i = 0; i < FX_DMABUF_MAX; i++) {
		if (exports[i].used && exports[i].owner == z)
			exports[i].owner = NULL;
		if (imports[i].used && imports[i].owner == z) {
			imports[i].owner = NULL;
			if (imports[i].fd >= 0)
				close(imports[i].fd);
			imports[i].fd = -1;
			imports[i].deferred = true;
		}
	}
	free(z);
	fxi_dmabuf_reap();
}

int zd_zcdev_export(struct zd_zcdev *z, uint32_t domid, const uint32_t *refs, uint32_t n,
		    bool writable, int *fd, uint32_t *id)
{
	struct fx_export *e = NULL;
	struct stat st;
	int p[2], r = enter(z, FX_ZC_EXPORT);

	if (r)
		return r;
	if (!n)
		return -EINVAL;
	for (unsigned int i = 0; i < FX_DMABUF_MAX && !e; i++)
		if (!exports[i].used)
			e = &exports[i];
	if (!e)
		return -ENOSPC;
	e->refs = malloc(n * sizeof(*refs));
	if (!e->refs)
		return -ENOMEM;
	r = fxi_gnt_hold(domid, refs, n, writable);
	if (r) {
		free(e->refs);
		e->refs = NULL;
		return r;
	}
	if (pipe2(p, O_CLOEXEC)) {
		r = -errno;
		fxi_gnt_unhold(domid, refs, n);
		free(e->refs);
		e->refs = NULL;
		return r;
	}
	fstat(p[1], &st);
	memcpy(e->refs, refs, n * sizeof(*refs));
	e->used = true;
	e->owner = z;
	e->id = next_id++;
	e->domid = domid;
	e->n = n;
	e->hold = p[0];
	e->dev = st.st_dev;
	e->ino = st.st_ino;
	exports_total++;
	*fd = p[1];
	*id = e->id;
	return 0;
}

int zd_zcdev_wait_released(struct zd_zcdev *z, uint32_t id, uint32_t timeout_ms, uint32_t *busy)
{
	int r = enter(z, FX_ZC_WAIT);

	(void)timeout_ms;
	*busy = 0;
	if (r)
		return r;
	waits++;
	fxi_dmabuf_reap();
	for (unsigned int i = 0; i < FX_DMABUF_MAX; i++) {
		struct fx_export *e = &exports[i];

		if (!e->used || e->owner != z || e->id != id)
			continue;
		if (e->hold >= 0) {
			waits_timed_out++;
			return -ETIMEDOUT;
		}
		*busy = e->busy;
		e->owner = NULL;
		if (export_done(e))
			export_free(e);
		return 0;
	}
	/* libxengnttab turns gntdev's ENOENT into success. */
	return z->kind == ZD_ZCDEV_GNTDEV ? 0 : -ENOENT;
}

int zd_zcdev_import(struct zd_zcdev *z, int fd, uint32_t domid, uint32_t n, uint32_t *refs,
		    uint32_t *id)
{
	struct fx_import *im = NULL;
	struct stat st;
	int r = enter(z, FX_ZC_IMPORT);

	if (r)
		return r;
	if (z->kind != ZD_ZCDEV_GNTDEV)
		return -EOPNOTSUPP; /* the helper allocates instead */
	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode))
		return -EBADF;
	if (!n || (uint64_t)st.st_size != (uint64_t)n * FX_PAGE)
		return -EINVAL;
	for (unsigned int i = 0; i < FX_DMABUF_MAX && !im; i++)
		if (!imports[i].used)
			im = &imports[i];
	if (!im)
		return -ENOSPC;
	im->refs = calloc(n, sizeof(*im->refs));
	im->fd = dup(fd);
	im->used = true;
	im->n = n;
	if (!im->refs || im->fd < 0) {
		import_free(im);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < n; i++) {
		r = fx_gnt_grant(fx_self_domid, domid, false);
		if (r < 0) {
			import_end(im, NULL);
			import_free(im);
			return r;
		}
		im->refs[i] = (uint32_t)r;
	}
	im->owner = z;
	im->id = next_id++;
	im->domid = domid;
	imports_total++;
	memcpy(refs, im->refs, n * sizeof(*refs));
	*id = im->id;
	return 0;
}

int zd_zcdev_import_release(struct zd_zcdev *z, uint32_t id, uint32_t *busy)
{
	int r = enter(z, FX_ZC_IMPORT_RELEASE);

	*busy = 0;
	if (r)
		return r;
	if (z->kind != ZD_ZCDEV_GNTDEV)
		return -EOPNOTSUPP;
	for (unsigned int i = 0; i < FX_DMABUF_MAX; i++) {
		struct fx_import *im = &imports[i];

		if (!im->used || im->owner != z || im->id != id)
			continue;
		im->owner = NULL;
		close(im->fd);
		im->fd = -1;
		if (import_end(im, busy))
			import_free(im);
		else
			im->deferred = true;
		return 0;
	}
	return -ENOENT;
}

/* Revoke the first n of refs and free them (an allocation that failed). */
static void alloc_undo(uint32_t *refs, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		fx_gnt_revoke(fx_self_domid, refs[i]);
	free(refs);
}

int zd_zcdev_alloc(struct zd_zcdev *z, uint32_t domid, uint32_t n, uint32_t *refs, int *fd,
		   uint32_t *id)
{
	struct fx_export *e = NULL;
	uint32_t *mine, i;
	struct stat st;
	int p[2], r = enter(z, FX_ZC_ALLOC);

	if (r)
		return r;
	if (z->kind != ZD_ZCDEV_HELPER)
		return -EOPNOTSUPP;
	if (!n)
		return -EINVAL;
	for (unsigned int k = 0; k < FX_DMABUF_MAX && !e; k++)
		if (!exports[k].used)
			e = &exports[k];
	if (!e)
		return -ENOSPC;
	mine = calloc(n, sizeof(*mine));
	if (!mine)
		return -ENOMEM;
	/* Nobody sees the refs before the end: on failure they all end at once. */
	for (i = 0; i < n; i++) {
		r = fx_gnt_grant(fx_self_domid, domid, false);
		if (r < 0) {
			alloc_undo(mine, i);
			return r;
		}
		mine[i] = (uint32_t)r;
	}
	if (pipe2(p, O_CLOEXEC)) {
		r = -errno;
		alloc_undo(mine, n);
		return r;
	}
	fstat(p[1], &st);
	*e = (struct fx_export){
		.used = true,
		.local = true,
		.owner = z,
		.id = next_id++,
		.domid = fx_self_domid,
		.n = n,
		.refs = mine,
		.hold = p[0],
		.dev = st.st_dev,
		.ino = st.st_ino,
	};
	allocs_total++;
	memcpy(refs, mine, n * sizeof(*refs));
	*fd = p[1];
	*id = e->id;
	return 0;
}

static struct fx_export *export_of(int fd);

void *zd_zcdev_mmap(struct zd_zcdev *z, int fd, size_t len)
{
	struct fx_export *e = export_of(fd);

	(void)z;
	if (!e || len != (size_t)e->n * FX_PAGE)
		return NULL;
	return fxi_gnt_map_granted(e->domid, e->refs, e->n);
}

void zd_zcdev_munmap(struct zd_zcdev *z, void *p, size_t len)
{
	(void)z;
	munmap(p, len);
}

/* ------------------------------------------------------------------------
 * Control API
 */

void fx_zcopy_stats(struct fx_zcopy_stats *st)
{
	memset(st, 0, sizeof(*st));
	fxi_dmabuf_reap();
	for (unsigned int i = 0; i < FX_DMABUF_MAX; i++) {
		const struct fx_export *e = &exports[i];
		const struct fx_import *im = &imports[i];

		if (e->used && e->hold >= 0 && !e->local) {
			st->exports_alive++;
			st->pages_mapped += e->n;
		}
		if (e->used && e->hold >= 0 && e->local)
			st->allocs_alive++;
		for (uint32_t k = 0; e->used && e->local && k < e->n; k++)
			st->grants_alive += e->refs[k] != 0;
		if (e->used && e->owner)
			st->exports_unwaited++;
		if (im->used) {
			st->imports_alive += !im->deferred;
			for (uint32_t k = 0; k < im->n; k++)
				st->grants_alive += im->refs[k] != 0;
		}
	}
	st->exports_total = exports_total;
	st->imports_total = imports_total;
	st->allocs_total = allocs_total;
	st->waits = waits;
	st->waits_timed_out = waits_timed_out;
}

static struct fx_export *export_of(int fd)
{
	struct stat st;

	if (fstat(fd, &st))
		return NULL;
	for (unsigned int i = 0; i < FX_DMABUF_MAX; i++)
		if (exports[i].used && exports[i].hold >= 0 && exports[i].dev == st.st_dev &&
		    exports[i].ino == st.st_ino)
			return &exports[i];
	return NULL;
}

long long fx_dmabuf_size(int fd)
{
	struct fx_export *e = export_of(fd);
	struct stat st;

	if (e)
		return (long long)e->n * FX_PAGE;
	if (fstat(fd, &st))
		return -errno;
	return S_ISREG(st.st_mode) ? (long long)st.st_size : -EINVAL;
}

int fx_dmabuf_read(int fd, uint64_t off, void *buf, size_t len)
{
	struct fx_export *e = export_of(fd);
	long long size = fx_dmabuf_size(fd);
	unsigned char *out = buf;

	if (size < 0)
		return (int)size;
	if (off > (uint64_t)size || len > (uint64_t)size - off)
		return -EINVAL;
	if (!e)
		return pread(fd, buf, len, (off_t)off) == (ssize_t)len ? 0 : -EIO;
	while (len) {
		uint32_t pg = (uint32_t)(off / FX_PAGE), in = (uint32_t)(off % FX_PAGE);
		size_t k = FX_PAGE - in < len ? FX_PAGE - in : len;
		const unsigned char *page = fx_gnt_page(e->domid, e->refs[pg]);

		if (!page)
			return -EIO;
		memcpy(out, page + in, k);
		out += k;
		off += k;
		len -= k;
	}
	return 0;
}

unsigned int fxi_dmabuf_nr_handles(void)
{
	unsigned int n = 0;

	for (const struct zd_zcdev *p = devs; p; p = p->next)
		n++;
	return n;
}

void fxi_dmabuf_reset(void)
{
	while (devs) {
		struct zd_zcdev *z = devs;

		devs = z->next;
		free(z);
	}
	for (unsigned int i = 0; i < FX_DMABUF_MAX; i++) {
		/* The grants go with fxi_gnt_reset(): nothing to unhold. */
		if (exports[i].used)
			export_free(&exports[i]);
		if (imports[i].used)
			import_free(&imports[i]);
	}
	helper_here = gntdev_here = in_pv = false;
	next_id = 1;
	exports_total = imports_total = allocs_total = waits = waits_timed_out = 0;
}

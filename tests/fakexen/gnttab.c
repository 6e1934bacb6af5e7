/*
 * gnttab.c - fake libxengnttab (and the gntdev driver behind it) for host
 * unit tests.
 *
 * Granted pages live in one memfd: grant slot k owns the page at offset
 * k * 4096.  The test (the granting peer) sees all of them through one
 * shared mapping of the memfd; the backend's mappings are built page by page
 * (a run of consecutive slots at a time) with MAP_FIXED into a reserved
 * region, so both sides alias the same memory.
 *
 * For speed (the fuzzers grant and map thousands of pages per input), each
 * granting domain has an index from ref to slot, and the lowest free ref
 * and the lowest free slot are searched from a hint, not from 0.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xengnttab.h>

#include "internal.h"

#define FX_GNT_PAGE_SIZE 4096u
#define FX_GNT_MAX 8192u    /* live grants, and pages of the memfd */
#define FX_GNT_FIRST_REF 8u /* Xen reserves refs 0-7 */

struct fx_grant {
	bool used;
	unsigned int granter;
	unsigned int grantee;
	uint32_t ref;
	bool readonly;
	unsigned int maps; /* backend mappings of this page */
};

struct fx_mapping {
	struct fx_mapping *next;
	unsigned char *addr;
	uint32_t count;
	unsigned int *slots; /* grant slot of each page */
};

struct xengntdev_handle {
	struct xengntdev_handle *next;
	bool limited;
	uint32_t max_grants;
	uint32_t mapped; /* pages mapped through this handle */
	struct fx_mapping *maps;
};

static struct fx_grant grants[FX_GNT_MAX];
static unsigned int slot_hint; /* no free slot below it */
static unsigned int slot_top;  /* no slot used at or above it since the reset */

/* Ref -> slot of one granting domain: refs FX_GNT_FIRST_REF onwards. */
#define FX_GNT_GRANTERS 8
struct fx_granter {
	bool used;
	unsigned int domid;
	uint32_t ref_hint; /* no free ref index below it */
	int slot[FX_GNT_MAX + 1];
};
static struct fx_granter granters[FX_GNT_GRANTERS];

static int memfd = -1;
static unsigned char *peer_view; /* the whole memfd, as the peers see it */
static xengnttab_handle *handles;

static void *fail_null(int err)
{
	errno = err;
	return NULL;
}

static int fail(int err)
{
	errno = err;
	return -1;
}

static bool handle_is_live(const xengnttab_handle *h)
{
	const xengnttab_handle *p;

	for (p = handles; p; p = p->next) {
		if (p == h)
			return true;
	}
	return false;
}

static int enter(const xengnttab_handle *h, enum fx_op op)
{
	return handle_is_live(h) ? fxi_inject(op) : EBADF;
}

/* The index of @domid; with @add, a new one if there is room. */
static struct fx_granter *granter_of(unsigned int domid, bool add)
{
	struct fx_granter *g;

	for (g = granters; g < granters + FX_GNT_GRANTERS && g->used; g++)
		if (g->domid == domid)
			return g;
	if (!add || g == granters + FX_GNT_GRANTERS)
		return NULL;
	g->used = true;
	g->domid = domid;
	g->ref_hint = 0;
	for (unsigned int i = 0; i <= FX_GNT_MAX; i++)
		g->slot[i] = -1;
	return g;
}

static int find_grant(unsigned int granter, uint32_t ref)
{
	const struct fx_granter *g = granter_of(granter, false);

	if (!g || ref < FX_GNT_FIRST_REF || ref - FX_GNT_FIRST_REF > FX_GNT_MAX)
		return -1;
	return g->slot[ref - FX_GNT_FIRST_REF];
}

/* Slot @slot's grant is gone: its slot and its ref are free again. */
static void forget_grant(unsigned int slot)
{
	struct fx_granter *g = granter_of(grants[slot].granter, false);
	uint32_t idx = grants[slot].ref - FX_GNT_FIRST_REF;

	if (g) {
		g->slot[idx] = -1;
		if (idx < g->ref_hint)
			g->ref_hint = idx;
	}
	grants[slot] = (struct fx_grant){0};
	if (slot < slot_hint)
		slot_hint = slot;
}

/* Create the memfd and the peers' view of it on first use. */
static int ensure_backing(void)
{
	const size_t size = (size_t)FX_GNT_MAX * FX_GNT_PAGE_SIZE;
	void *view;
	int fd;

	if (memfd >= 0)
		return 0;
	/* MAP_FIXED of single grant pages needs 4 KiB host pages. */
	if (sysconf(_SC_PAGESIZE) != FX_GNT_PAGE_SIZE)
		return -ENOTSUP;
	fd = memfd_create("fakexen-grants", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* Sparse: only the pages actually touched use memory. */
	if (ftruncate(fd, (off_t)size) < 0) {
		int err = errno;

		close(fd);
		return -err;
	}
	view = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (view == MAP_FAILED) {
		int err = errno;

		close(fd);
		return -err;
	}
	memfd = fd;
	peer_view = view;
	return 0;
}

/* ------------------------------------------------------------------------
 * Mapping
 */

/* Resolve and check every ref before touching memory; 0 or an errno. */
static int collect_slots(uint32_t count, const uint32_t *domids, uint32_t domid,
			 const uint32_t *refs, int prot, unsigned int *slots)
{
	uint32_t i;

	for (i = 0; i < count; i++) {
		int slot = find_grant(domids ? domids[i] : domid, refs[i]);

		if (slot < 0 || grants[slot].grantee != fx_self_domid)
			return EINVAL;
		if (grants[slot].readonly && (prot & PROT_WRITE))
			return EINVAL;
		slots[i] = (unsigned int)slot;
	}
	return 0;
}

/* Build one contiguous region aliasing the slots' pages; NULL on error. */
static unsigned char *map_pages(uint32_t count, const unsigned int *slots, int prot)
{
	size_t len = (size_t)count * FX_GNT_PAGE_SIZE;
	unsigned char *base;
	uint32_t i;

	base = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED)
		return NULL;
	for (i = 0; i < count;) {
		uint32_t run = 1;
		void *p;

		/* Consecutive slots are consecutive pages of the memfd: one mmap. */
		while (i + run < count && slots[i + run] == slots[i] + run)
			run++;
		p = mmap(base + (size_t)i * FX_GNT_PAGE_SIZE, (size_t)run * FX_GNT_PAGE_SIZE, prot,
			 MAP_SHARED | MAP_FIXED, memfd, (off_t)slots[i] * FX_GNT_PAGE_SIZE);
		if (p == MAP_FAILED) {
			munmap(base, len);
			return NULL;
		}
		i += run;
	}
	return base;
}

static void *map_refs(xengnttab_handle *h, uint32_t count, const uint32_t *domids, uint32_t domid,
		      const uint32_t *refs, int prot)
{
	struct fx_mapping *m;
	uint32_t i;
	int err = enter(h, FX_GNT_MAP);

	if (err)
		return fail_null(err);
	if (count == 0 || count > FX_GNT_MAX || !refs)
		return fail_null(EINVAL);
	if ((prot & ~(PROT_READ | PROT_WRITE)) || !(prot & PROT_READ))
		return fail_null(EINVAL);
	if (h->limited && (uint64_t)h->mapped + count > h->max_grants)
		return fail_null(EINVAL);
	m = calloc(1, sizeof(*m));
	if (m)
		m->slots = calloc(count, sizeof(*m->slots));
	if (!m || !m->slots) {
		free(m);
		return fail_null(ENOMEM);
	}
	err = collect_slots(count, domids, domid, refs, prot, m->slots);
	if (!err) {
		m->addr = map_pages(count, m->slots, prot);
		if (!m->addr)
			err = ENOMEM;
	}
	if (err) {
		free(m->slots);
		free(m);
		return fail_null(err);
	}
	for (i = 0; i < count; i++)
		grants[m->slots[i]].maps++;
	m->count = count;
	m->next = h->maps;
	h->maps = m;
	h->mapped += count;
	return m->addr;
}

static void unmap_one(xengnttab_handle *h, struct fx_mapping *m)
{
	uint32_t i;

	munmap(m->addr, (size_t)m->count * FX_GNT_PAGE_SIZE);
	for (i = 0; i < m->count; i++)
		grants[m->slots[i]].maps--;
	h->mapped -= m->count;
	free(m->slots);
	free(m);
}

/* ------------------------------------------------------------------------
 * Library API
 */

unsigned int fxi_gnt_nr_handles(void)
{
	const xengnttab_handle *h;
	unsigned int n = 0;

	for (h = handles; h; h = h->next)
		n++;
	return n;
}

xengnttab_handle *xengnttab_open(struct xentoollog_logger *logger, unsigned open_flags)
{
	xengnttab_handle *h;
	int err = fxi_inject(FX_GNT_OPEN);

	(void)logger;
	(void)open_flags;
	if (err)
		return fail_null(err);
	h = calloc(1, sizeof(*h));
	if (!h)
		return fail_null(ENOMEM);
	h->next = handles;
	handles = h;
	return h;
}

int xengnttab_close(xengnttab_handle *xgt)
{
	xengnttab_handle **pp;

	if (!xgt)
		return 0;
	for (pp = &handles; *pp && *pp != xgt; pp = &(*pp)->next)
		;
	if (!*pp)
		return fail(EBADF);
	*pp = xgt->next;
	/* Closing the handle tears down whatever it still maps. */
	while (xgt->maps) {
		struct fx_mapping *m = xgt->maps;

		xgt->maps = m->next;
		unmap_one(xgt, m);
	}
	free(xgt);
	return 0;
}

int xengnttab_fd(xengnttab_handle *xgt)
{
	return handle_is_live(xgt) ? fail(ENOSYS) : fail(EBADF);
}

int xengnttab_set_max_grants(xengnttab_handle *xgt, uint32_t nr_grants)
{
	int err = enter(xgt, FX_GNT_SET_MAX);

	if (err)
		return fail(err);
	xgt->limited = true;
	xgt->max_grants = nr_grants;
	return 0;
}

void *xengnttab_map_grant_ref(xengnttab_handle *xgt, uint32_t domid, uint32_t ref, int prot)
{
	return map_refs(xgt, 1, NULL, domid, &ref, prot);
}

void *xengnttab_map_grant_refs(xengnttab_handle *xgt, uint32_t count, uint32_t *domids,
			       uint32_t *refs, int prot)
{
	if (!domids)
		return handle_is_live(xgt) ? fail_null(EINVAL) : fail_null(EBADF);
	return map_refs(xgt, count, domids, 0, refs, prot);
}

void *xengnttab_map_domain_grant_refs(xengnttab_handle *xgt, uint32_t count, uint32_t domid,
				      uint32_t *refs, int prot)
{
	return map_refs(xgt, count, NULL, domid, refs, prot);
}

/* Unmap notifications are not modelled: only the plain form is accepted. */
void *xengnttab_map_grant_ref_notify(xengnttab_handle *xgt, uint32_t domid, uint32_t ref, int prot,
				     uint32_t notify_offset, evtchn_port_t notify_port)
{
	if (notify_offset != UINT32_MAX || notify_port != UINT32_MAX)
		return fail_null(ENOSYS);
	return map_refs(xgt, 1, NULL, domid, &ref, prot);
}

int xengnttab_unmap(xengnttab_handle *xgt, void *start_address, uint32_t count)
{
	struct fx_mapping **pp;
	int err = enter(xgt, FX_GNT_UNMAP);

	if (err)
		return fail(err);
	/* Like gntdev: the address must start a mapping of exactly @count. */
	for (pp = &xgt->maps; *pp; pp = &(*pp)->next) {
		struct fx_mapping *m = *pp;

		if (m->addr == start_address && m->count == count) {
			*pp = m->next;
			unmap_one(xgt, m);
			return 0;
		}
	}
	return fail(EINVAL);
}

int xengnttab_grant_copy(xengnttab_handle *xgt, uint32_t count,
			 xengnttab_grant_copy_segment_t *segs)
{
	(void)xgt;
	(void)count;
	(void)segs;
	return fail(ENOSYS);
}

/* ------------------------------------------------------------------------
 * Control API
 */

/*
 * Lowest free ref of @g, as a frontend's grant allocator would hand out.
 * At most FX_GNT_MAX refs are live, so one of the FX_GNT_MAX + 1 is free.
 */
static uint32_t free_ref(struct fx_granter *g)
{
	uint32_t idx;

	for (idx = g->ref_hint; g->slot[idx] >= 0; idx++)
		;
	g->ref_hint = idx + 1;
	return idx + FX_GNT_FIRST_REF;
}

int fx_gnt_grant(unsigned int domid, unsigned int grantee, bool readonly)
{
	struct fx_granter *g;
	unsigned int slot;
	int err = ensure_backing();

	if (err)
		return err;
	for (slot = slot_hint; slot < FX_GNT_MAX; slot++) {
		if (!grants[slot].used)
			break;
	}
	if (slot == FX_GNT_MAX)
		return -ENOSPC;
	g = granter_of(domid, true);
	if (!g)
		return -ENOSPC; /* more granting domains than the fake keeps */
	slot_hint = slot + 1;
	if (slot_top < slot + 1)
		slot_top = slot + 1;
	grants[slot] = (struct fx_grant){
		.used = true,
		.granter = domid,
		.grantee = grantee,
		.ref = free_ref(g),
		.readonly = readonly,
	};
	g->slot[grants[slot].ref - FX_GNT_FIRST_REF] = (int)slot;
	memset(peer_view + (size_t)slot * FX_GNT_PAGE_SIZE, 0, FX_GNT_PAGE_SIZE);
	return (int)grants[slot].ref;
}

void *fx_gnt_page(unsigned int domid, uint32_t ref)
{
	int slot = find_grant(domid, ref);

	return slot < 0 ? NULL : peer_view + (size_t)slot * FX_GNT_PAGE_SIZE;
}

int fx_gnt_revoke(unsigned int domid, uint32_t ref)
{
	int slot;

	/* Exports released since the last look no longer hold their pages. */
	fxi_dmabuf_reap();
	slot = find_grant(domid, ref);

	if (slot < 0)
		return -ENOENT;
	/* Xen refuses to end foreign access while the grantee maps the page. */
	if (grants[slot].maps)
		return -EBUSY;
	forget_grant((unsigned int)slot);
	return 0;
}

int fx_gnt_peer_hold(unsigned int domid, uint32_t ref, bool hold)
{
	int slot = find_grant(domid, ref);

	if (slot < 0)
		return -ENOENT;
	if (hold) {
		grants[slot].maps++;
		return 0;
	}
	if (!grants[slot].maps)
		return -EINVAL;
	grants[slot].maps--;
	return 0;
}

/* ------------------------------------------------------------------------
 * Kernel-side mappings (tests/fakexen/dmabuf.c)
 */

int fxi_gnt_hold(unsigned int domid, const uint32_t *refs, uint32_t n, bool writable)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		int slot = find_grant(domid, refs[i]);

		if (slot < 0 || grants[slot].grantee != fx_self_domid ||
		    (grants[slot].readonly && writable))
			return -ENXIO;
	}
	for (i = 0; i < n; i++)
		grants[find_grant(domid, refs[i])].maps++;
	return 0;
}

void fxi_gnt_unhold(unsigned int domid, const uint32_t *refs, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		int slot = find_grant(domid, refs[i]);

		if (slot >= 0 && grants[slot].maps)
			grants[slot].maps--;
	}
}

void *fxi_gnt_map_granted(unsigned int domid, const uint32_t *refs, uint32_t n)
{
	unsigned int *slots = calloc(n, sizeof(*slots));
	void *p = NULL;
	uint32_t i;

	if (!slots)
		return NULL;
	for (i = 0; i < n; i++) {
		int slot = find_grant(domid, refs[i]);

		if (slot < 0)
			break;
		slots[i] = (unsigned int)slot;
	}
	if (i == n)
		p = map_pages(n, slots, PROT_READ);
	free(slots);
	return p;
}

unsigned int fx_gnt_maps(unsigned int domid, uint32_t ref)
{
	int slot = find_grant(domid, ref);

	return slot < 0 ? 0 : grants[slot].maps;
}

unsigned int fx_gnt_live_mappings(void)
{
	const xengnttab_handle *h;
	unsigned int n = 0;

	for (h = handles; h; h = h->next)
		n += h->mapped;
	return n;
}

void fxi_gnt_reset(void)
{
	while (handles)
		xengnttab_close(handles);
	/* Only what was used: the fuzzers reset twice per input. */
	memset(grants, 0, slot_top * sizeof(grants[0]));
	slot_hint = slot_top = 0;
	for (struct fx_granter *g = granters; g < granters + FX_GNT_GRANTERS && g->used; g++)
		g->used = false;
	/*
	 * The memfd and the peers' view of it stay for the next test: a grant
	 * clears its page when it is made.
	 */
}

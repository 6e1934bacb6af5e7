/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pgdir.c: read and write displif page directories (see pgdir.h).
 *
 * Directory pages belong to the frontend, which may rewrite them at any
 * moment, even while we look at them. So every page is mapped on its own,
 * copied once into private memory and unmapped before any field of it is
 * used: what we check is then exactly what we use (no double fetch), and at
 * most one foreign page is mapped at any time.
 *
 * A page is handled as an array of 1024 grant_ref_t: slot 0 is
 * gref_dir_next_page, slots 1..1023 are gref[0..1022]. (struct
 * xendispl_page_directory declares gref[1], so indexing it further would be
 * undefined behaviour in C.)
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>

#include "pgdir.h"

#define PGDIR_SLOTS (ZD_PAGE_SIZE / sizeof(grant_ref_t))
#define PGDIR_NEXT_SLOT 0
#define PGDIR_FIRST_GREF_SLOT 1

/* Directory pages of the largest buffer: bounds the loop detector. */
#define PGDIR_MAX_DATA_PAGES (ZD_MAX_BUFFER_BYTES / ZD_PAGE_SIZE)
#define PGDIR_MAX_DIR_PAGES ZD_DIV_ROUND_UP(PGDIR_MAX_DATA_PAGES, ZD_GREFS_PER_DIR_PAGE)

_Static_assert(ZD_MAX_BUFFER_BYTES % ZD_PAGE_SIZE == 0, "maximum buffer is whole pages");
_Static_assert(sizeof(grant_ref_t) == sizeof(uint32_t), "grant_ref_t is 32 bits");
_Static_assert(PGDIR_SLOTS == ZD_GREFS_PER_DIR_PAGE + 1, "next pointer + grefs fill a page");

struct pgdir_walk;

/*
 * Handles directory page number @i, granted as @gref: moves its grefs and
 * returns its next pointer through @next (only meaningful on success).
 */
typedef int (*pgdir_page_fn)(struct pgdir_walk *w, uint32_t i, grant_ref_t gref, grant_ref_t *next);

/* One walk down a directory chain. */
struct pgdir_walk {
	xengnttab_handle *gnt;
	uint32_t domid;
	uint32_t npages;       /* data grefs the chain must hold */
	uint32_t ndir;	       /* directory pages those need */
	grant_ref_t *out;      /* zd_pgdir_read(): where the grefs go */
	const grant_ref_t *in; /* zd_pgdir_write(): the grefs to store */
	uint32_t nseen;	       /* directory pages visited so far */
	grant_ref_t seen[PGDIR_MAX_DIR_PAGES];
};

static int pgdir_init(struct pgdir_walk *w, xengnttab_handle *gnt, uint32_t domid,
		      grant_ref_t dir_gref, uint32_t npages, bool have_grefs)
{
	if (!gnt || (npages && !have_grefs))
		return -EINVAL;
	/* Before anything is mapped: npages comes from the peer's buffer_sz. */
	if (npages > zd_data_pages(ZD_MAX_BUFFER_BYTES))
		return -E2BIG;
	if (dir_gref == ZD_GREF_INVALID)
		return -EINVAL;
	memset(w, 0, sizeof(*w));
	w->gnt = gnt;
	w->domid = domid;
	w->npages = npages;
	w->ndir = zd_dir_pages(npages);
	return 0;
}

/* Number of data grefs that directory page @i holds. */
static uint32_t pgdir_grefs_on_page(const struct pgdir_walk *w, uint32_t i)
{
	uint32_t first = i * (uint32_t)ZD_GREFS_PER_DIR_PAGE;
	uint32_t left = w->npages - first;

	return left < ZD_GREFS_PER_DIR_PAGE ? left : (uint32_t)ZD_GREFS_PER_DIR_PAGE;
}

static bool pgdir_seen(const struct pgdir_walk *w, grant_ref_t gref)
{
	uint32_t i;

	for (i = 0; i < w->nseen; i++) {
		if (w->seen[i] == gref)
			return true;
	}
	return false;
}

/*
 * Page @i's next pointer must be 0 exactly on the last page the size needs.
 * A next pointer back to any page already visited would make us walk (and
 * the peer could make us fill in) the same page twice.
 */
static int pgdir_check_next(const struct pgdir_walk *w, uint32_t i, grant_ref_t next)
{
	if (i + 1 == w->ndir)
		return next == ZD_GREF_INVALID ? 0 : -EINVAL; /* chain too long */
	if (next == ZD_GREF_INVALID)
		return -EINVAL; /* chain too short */
	if (pgdir_seen(w, next))
		return -EINVAL; /* loop */
	return 0;
}

/*
 * Map one directory page. An unmappable gref is the peer's fault (-EFAULT);
 * only a genuine shortage of memory on our side is reported as -ENOMEM, so
 * that the caller can tell the two apart.
 */
static void *pgdir_map(const struct pgdir_walk *w, grant_ref_t gref, int prot, int *err)
{
	void *map = xengnttab_map_grant_ref(w->gnt, w->domid, gref, prot);

	if (!map)
		*err = errno == ENOMEM ? -ENOMEM : -EFAULT;
	return map;
}

/*
 * Unmapping an address we got from xengnttab_map_grant_ref() with count 1
 * cannot fail unless the handle is broken; if it does, the page stays mapped
 * and there is nothing better to do than to say so.
 */
static int pgdir_unmap(const struct pgdir_walk *w, void *map)
{
	return xengnttab_unmap(w->gnt, map, 1) ? -EIO : 0;
}

static int pgdir_read_page(struct pgdir_walk *w, uint32_t i, grant_ref_t gref, grant_ref_t *next)
{
	grant_ref_t page[PGDIR_SLOTS];
	size_t base = (size_t)i * ZD_GREFS_PER_DIR_PAGE;
	uint32_t n = pgdir_grefs_on_page(w, i), j;
	int err = 0;
	void *map = pgdir_map(w, gref, PROT_READ, &err);

	if (!map)
		return err;
	memcpy(page, map, sizeof(page));
	err = pgdir_unmap(w, map);
	if (err)
		return err;

	/* From here on only the private copy is used. */
	for (j = 0; j < n; j++) {
		grant_ref_t g = page[PGDIR_FIRST_GREF_SLOT + j];

		if (g == ZD_GREF_INVALID)
			return -EINVAL;
		w->out[base + j] = g;
	}
	*next = page[PGDIR_NEXT_SLOT];
	return pgdir_check_next(w, i, *next);
}

static int pgdir_write_page(struct pgdir_walk *w, uint32_t i, grant_ref_t gref, grant_ref_t *next)
{
	size_t base = (size_t)i * ZD_GREFS_PER_DIR_PAGE;
	uint32_t n = pgdir_grefs_on_page(w, i);
	int err = 0, uerr;
	unsigned char *map = pgdir_map(w, gref, PROT_READ | PROT_WRITE, &err);

	if (!map)
		return err;
	/* Fetch the next pointer once; the peer may rewrite it at will. */
	memcpy(next, map + PGDIR_NEXT_SLOT * sizeof(grant_ref_t), sizeof(*next));
	/* Check before storing, so a bad chain gets no grefs in its bad page. */
	err = pgdir_check_next(w, i, *next);
	if (!err && n)
		memcpy(map + PGDIR_FIRST_GREF_SLOT * sizeof(grant_ref_t), &w->in[base],
		       n * sizeof(grant_ref_t));
	uerr = pgdir_unmap(w, map);
	return err ? err : uerr;
}

/* Visit exactly w->ndir directory pages, starting at @gref. */
static int pgdir_walk(struct pgdir_walk *w, grant_ref_t gref, pgdir_page_fn fn)
{
	uint32_t i;
	int err;

	for (i = 0; i < w->ndir; i++) {
		grant_ref_t next = ZD_GREF_INVALID;

		w->seen[w->nseen++] = gref;
		err = fn(w, i, gref, &next);
		if (err)
			return err;
		gref = next;
	}
	return 0;
}

int zd_pgdir_read(xengnttab_handle *gnt, uint32_t domid, grant_ref_t dir_gref, uint32_t npages,
		  grant_ref_t *grefs)
{
	struct pgdir_walk w;
	int err = pgdir_init(&w, gnt, domid, dir_gref, npages, grefs != NULL);

	if (err)
		return err;
	w.out = grefs;
	return pgdir_walk(&w, dir_gref, pgdir_read_page);
}

int zd_pgdir_write(xengnttab_handle *gnt, uint32_t domid, grant_ref_t dir_gref, uint32_t npages,
		   const grant_ref_t *grefs)
{
	struct pgdir_walk w;
	uint32_t j;
	int err = pgdir_init(&w, gnt, domid, dir_gref, npages, grefs != NULL);

	if (err)
		return err;
	/* Our own grefs: a 0 among them is a caller bug, caught before mapping. */
	for (j = 0; j < npages; j++) {
		if (grefs[j] == ZD_GREF_INVALID)
			return -EINVAL;
	}
	w.in = grefs;
	return pgdir_walk(&w, dir_gref, pgdir_write_page);
}

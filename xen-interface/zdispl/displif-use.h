/* SPDX-License-Identifier: MIT */
/*
 * displif-use.h: how zdispl uses Xen's displif v2 protocol.
 *
 * The protocol itself is Xen's own io/displif.h, never a copy. This header
 * adds what displif leaves to implementations: hard limits that bound every
 * value a peer sends, and the page-directory arithmetic, with overflow-safe
 * helpers. It is shared by the frontend (kernel) and the backend (userspace).
 *
 * Page directory (DBUF_CREATE, GET_EDID): a chain of granted pages, each a
 * struct xendispl_page_directory:
 *
 *   +----------------------+----------+----------+-----+----------------+
 *   | gref_dir_next_page   | gref[0]  | gref[1]  | ... | gref[N-1]      |
 *   +----------------------+----------+----------+-----+----------------+
 *     N = ZD_GREFS_PER_DIR_PAGE = (4096 - 4) / 4 = 1023
 *
 * A buffer of buffer_sz octets has ZD_DIV_ROUND_UP(buffer_sz, 4096) data
 * pages, described by that many grefs over zd_dir_pages() directory pages;
 * the last directory page's gref_dir_next_page is 0. zdispl's backend
 * rejects chains that end early, go on past the last needed page, or
 * revisit a directory page, and grant reference 0 anywhere.
 */
#ifndef ZDISPL_DISPLIF_USE_H
#define ZDISPL_DISPLIF_USE_H

#ifdef __KERNEL__
#include <linux/limits.h>
#include <linux/string.h>
#include <linux/types.h>
#include <xen/page.h>
#include <xen/interface/io/displif.h>
#ifndef UINT32_MAX
#define UINT32_MAX U32_MAX
#endif
#else
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
/* io/ring.h leaves its barriers to the user (with a current interface version). */
#ifndef xen_mb
#define xen_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define xen_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define xen_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#endif
#include <xen/io/displif.h>
#endif

#define ZD_PAGE_SIZE 4096u
#define ZD_GREFS_PER_DIR_PAGE ((ZD_PAGE_SIZE - sizeof(grant_ref_t)) / sizeof(grant_ref_t))
#define ZD_GREF_INVALID 0u /* displif: gref 0 is never valid */

/* Protocol versions the backend offers, and the one zdispl speaks. */
#define ZD_BE_VERSIONS "1," XENDISPL_PROTOCOL_VERSION

/*
 * Hard maximums. Each bounds a value another domain controls; no
 * configuration can raise one (per-frontend limits may only lower them).
 */
#define ZD_MAX_CONNECTORS 8	      /* connectors per vdispl device */
#define ZD_MAX_DIMENSION 8192	      /* width or height, pixels */
#define ZD_MAX_BUFFER_BYTES (256u << 20) /* one display buffer */
#define ZD_MAX_BUFFERS 1024	      /* display buffers per device */
#define ZD_MAX_FBS 1024		      /* framebuffers per device */
#define ZD_MAX_DEVICE_PAGES (1u << 18) /* pages of all buffers of a device: 1 GiB */
#define ZD_MAX_GRANTED_PAGES (1u << 15) /* pages dom0 grants to a device (be-alloc) */
#define ZD_MAX_DISPLAY_MS 1000	      /* blocking display work of a device, ms per second */
#define ZD_MAX_CONNECTS 6000	      /* connects of a device a minute */
#define ZD_MAX_UNIQUE_ID 128	      /* unique-id string, octets */
#define ZD_MAX_XS_VALUE 256	      /* any other xenstore value we parse */

/* Defaults for the per-frontend limits (the daemon's --max-* options). */
#define ZD_DEF_BUFFER_BYTES (64u << 20)
#define ZD_DEF_BUFFERS 64
#define ZD_DEF_FBS 64
/*
 * 256 MiB of buffers per device, a quarter of the 262,144 grant mappings
 * Xen 4.17 gives dom0 by default (1024 maptrack frames); 32 MiB of
 * be-alloc grants, a quarter of dom0's 32,768 grant entries (64 frames).
 */
#define ZD_DEF_DEVICE_PAGES (1u << 16)
#define ZD_DEF_GRANTED_PAGES (1u << 13)
/*
 * A fifth of the loop's time, on average, for one device's modesets, flip
 * waits and release waits: a guest that asks for nothing else leaves four
 * fifths to the others. A normal guest's few modesets fit in the burst.
 */
#define ZD_DEF_DISPLAY_MS 200
/*
 * A frontend connects once in its life, and again when it or we restart:
 * after a burst of 4 in a row, one every 2 s. A guest that connects and
 * drops in a loop makes xenstored, Xen and dom0's kernel work too, which
 * no budget of our own time sees: this bounds all of it.
 */
#define ZD_DEF_CONNECTS 30

/* A request operation's name, for logs. */
static inline const char *zd_op_name(uint8_t op)
{
	switch (op) {
	case XENDISPL_OP_DBUF_CREATE:
		return "DBUF_CREATE";
	case XENDISPL_OP_DBUF_DESTROY:
		return "DBUF_DESTROY";
	case XENDISPL_OP_FB_ATTACH:
		return "FB_ATTACH";
	case XENDISPL_OP_FB_DETACH:
		return "FB_DETACH";
	case XENDISPL_OP_SET_CONFIG:
		return "SET_CONFIG";
	case XENDISPL_OP_PG_FLIP:
		return "PG_FLIP";
	case XENDISPL_OP_GET_EDID:
		return "GET_EDID";
	default:
		return "unknown";
	}
}

#define ZD_DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))

/* Number of data pages for a buffer of bytes octets (bytes may be 0). */
static inline uint32_t zd_data_pages(uint32_t bytes)
{
	return (uint32_t)(((uint64_t)bytes + ZD_PAGE_SIZE - 1) / ZD_PAGE_SIZE);
}

/* Number of directory pages that describe npages data pages (at least 1). */
static inline uint32_t zd_dir_pages(uint32_t npages)
{
	uint32_t n = (uint32_t)ZD_DIV_ROUND_UP((uint64_t)npages, ZD_GREFS_PER_DIR_PAGE);

	return n ? n : 1;
}

/* a * b, or false if it does not fit in 32 bits. */
static inline bool zd_mul_u32(uint32_t a, uint32_t b, uint32_t *res)
{
	uint64_t r = (uint64_t)a * b;

	if (r > UINT32_MAX)
		return false;
	*res = (uint32_t)r;
	return true;
}

/* a + b, or false if it does not fit in 32 bits. */
static inline bool zd_add_u32(uint32_t a, uint32_t b, uint32_t *res)
{
	uint64_t r = (uint64_t)a + b;

	if (r > UINT32_MAX)
		return false;
	*res = (uint32_t)r;
	return true;
}

/* The wire layout zdispl depends on (io/displif.h, octet diagrams). */
_Static_assert(sizeof(struct xendispl_req) == 64, "displif request is 64 octets");
_Static_assert(sizeof(struct xendispl_resp) == 64, "displif response is 64 octets");
_Static_assert(sizeof(struct xendispl_evt) == 64, "displif event is 64 octets");
_Static_assert(sizeof(struct xendispl_event_page) == 64, "event page header is 64 octets");
_Static_assert(sizeof(struct xendispl_dbuf_create_req) == 40, "dbuf_create body");
_Static_assert(sizeof(struct xendispl_page_directory) == 8, "page directory header + 1 gref");

#endif /* ZDISPL_DISPLIF_USE_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zfront-proto.h: the displif v2 protocol logic of zdispl's frontend that
 * needs no kernel service, so it builds both into zdispl_front.ko and into
 * the host unit tests and fuzzers (tests/unit, tests/fuzz).
 *
 * Everything here treats the backend domain as a peer, not an authority:
 * ring indices, responses, events, page directories the backend fills in
 * and EDIDs it writes are checked before the driver uses them. Functions
 * return 0 or a negative errno; none of them allocates, sleeps or logs.
 *
 * Request encoding
 *   zfront_req_*() fill a whole struct xendispl_req, reserved octets zeroed.
 *   The caller gives the request id (echoed by the backend) and cookies,
 *   which are opaque ids from an allocator, never pointers.
 *
 * Response and event validation
 *   zfront_rsp_avail() and zfront_evt_avail() check the producer index the
 *   backend published against what it may legally be; the caller reads that
 *   index once, then calls these, then reads the slots. Each slot is copied
 *   into private memory before zfront_rsp_check() / zfront_evt_check()
 *   look at it.
 *
 * Page directories
 *   zfront_pgdir_fill() writes the chain for frontend-allocated buffers
 *   (and the EDID buffer); zfront_pgdir_link() prepares the chain the
 *   backend fills for be-alloc; zfront_pgdir_read() takes the backend's
 *   grant references out of it.
 *
 * EDID
 *   zfront_edid_check() validates what GET_EDID returned: the size the
 *   backend claims, the base block's header, every block's checksum and
 *   the extension count. The modes themselves are parsed by the kernel's
 *   EDID parser (drm_add_edid_modes) from the validated copy.
 */
#ifndef ZFRONT_PROTO_H
#define ZFRONT_PROTO_H

#include "zdispl/displif-use.h"

#ifdef __KERNEL__
#include <linux/compiler.h>
#include <linux/stddef.h>
#define ZFRONT_READ_ONCE(x) READ_ONCE(x)
#else
#include <errno.h>
#include <stddef.h>
/* One load the compiler may neither repeat nor tear. */
#define ZFRONT_READ_ONCE(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#endif

/* Frontend limits (bounds on our own requests, and on the backend's). */
#define ZFRONT_EDID_BUF_SIZE XENDISPL_EDID_MAX_SIZE /* displif: at least this */
#define ZFRONT_EDID_MIN_SIZE XENDISPL_EDID_BLOCK_SIZE
/* Largest errno a status may carry; Xen's error numbers are Linux's. */
#define ZFRONT_MAX_STATUS_ERRNO 4095

/* ---- Request encoding ------------------------------------------------ */

void zfront_req_dbuf_create(struct xendispl_req *req, uint16_t id, uint64_t dbuf_cookie,
			    uint32_t width, uint32_t height, uint32_t bpp, uint32_t size,
			    uint32_t data_ofs, grant_ref_t gref_dir, bool be_alloc);
void zfront_req_dbuf_destroy(struct xendispl_req *req, uint16_t id, uint64_t dbuf_cookie);
void zfront_req_fb_attach(struct xendispl_req *req, uint16_t id, uint64_t dbuf_cookie,
			  uint64_t fb_cookie, uint32_t width, uint32_t height, uint32_t fourcc);
void zfront_req_fb_detach(struct xendispl_req *req, uint16_t id, uint64_t fb_cookie);
/* fb_cookie 0 and every other field 0: reset (display off). */
void zfront_req_set_config(struct xendispl_req *req, uint16_t id, uint64_t fb_cookie, uint32_t x,
			   uint32_t y, uint32_t width, uint32_t height, uint32_t bpp);
void zfront_req_pg_flip(struct xendispl_req *req, uint16_t id, uint64_t fb_cookie);
void zfront_req_get_edid(struct xendispl_req *req, uint16_t id, uint32_t buffer_sz,
			 grant_ref_t gref_dir);

/* ---- Geometry -------------------------------------------------------- */

/*
 * A dumb buffer of width x height at bpp bits per pixel: the pitch (rows
 * packed, as displif has no pitch: the backend derives it from width and
 * bpp) and the size. -EINVAL for a zero or oversized dimension, a bpp that
 * is not a whole number of octets in 8..32, or a size above
 * ZD_MAX_BUFFER_BYTES.
 */
int zfront_dumb_geometry(uint32_t width, uint32_t height, uint32_t bpp, uint32_t *pitch,
			 uint32_t *size);

/*
 * A framebuffer on a buffer of obj_size octets: height rows of pitch
 * octets from offset, each holding width pixels of cpp octets. The
 * protocol describes rows by a width in pixels, so the pitch must be a
 * multiple of cpp; *dbuf_width gets pitch / cpp. -EINVAL if the frame
 * does not fit in the object or cannot be described.
 */
int zfront_fb_geometry(uint32_t width, uint32_t height, uint32_t cpp, uint32_t pitch,
		       uint32_t offset, uint32_t obj_size, uint32_t *dbuf_width);

/* ---- Responses ------------------------------------------------------- */

/*
 * How many responses the backend published, given the producer index it
 * wrote (read once by the caller), our consumer index and our own
 * producer index: the backend cannot answer more requests than we made,
 * and we never have more than ring_size (RING_SIZE()) outstanding.
 * Returns the count (0..ring_size), or -EIO for an impossible index.
 */
int zfront_rsp_avail(RING_IDX rsp_prod, RING_IDX rsp_cons, RING_IDX req_prod_pvt,
		     unsigned int ring_size);

/*
 * The request a response may answer: its id and operation; edid_buf_sz is
 * the size of our EDID buffer for GET_EDID, else 0.
 */
struct zfront_wait {
	uint16_t id;
	uint8_t operation;
	uint32_t edid_buf_sz;
};

/*
 * Check a private copy of a response against the request in flight.
 * Returns 1 if it answers w, with *status the request's result (0 or a
 * negative errno) and *edid_sz the EDID size for a successful GET_EDID;
 * 0 if it answers some other request (a late answer to one that timed
 * out: drop it); -EIO if it can answer nothing we sent (bad operation,
 * a status that is no error number, an EDID size outside our buffer).
 */
int zfront_rsp_check(const struct xendispl_resp *rsp, const struct zfront_wait *w, int *status,
		     uint32_t *edid_sz);

/* ---- Events ---------------------------------------------------------- */

/*
 * Events waiting in the event page, given the producer index the backend
 * wrote (read once) and our consumer index. The indices run free; their
 * difference is what counts, so they wrap at 2^32 like any ring's.
 * Returns the count, or -EIO if the backend claims more than the ring
 * holds.
 */
int zfront_evt_avail(uint32_t in_prod, uint32_t in_cons);

/*
 * Check a private copy of an event: 0 with *fb_cookie for a page-flip
 * event with a non-zero cookie, -EIO otherwise.
 */
int zfront_evt_check(const struct xendispl_evt *evt, uint64_t *fb_cookie);

/* ---- Status ---------------------------------------------------------- */

/* A response's status as a negative errno (0 stays 0; junk is -EIO). */
int zfront_status_errno(int32_t status);

/* ---- Page directories ------------------------------------------------ */

/*
 * Fill the directory chain for ndata data pages: dir[i] is the mapping of
 * directory page i (ndir = zd_dir_pages(ndata) of them), dir_refs[i] its
 * grant reference, data_refs the data pages' references. Unused slots of
 * the last page are zeroed. -EINVAL if ndir is not what ndata needs.
 */
int zfront_pgdir_fill(void *const *dir, const grant_ref_t *dir_refs, uint32_t ndir,
		      const grant_ref_t *data_refs, uint32_t ndata);

/* The same chain with every data slot zeroed, for the backend to fill. */
int zfront_pgdir_link(void *const *dir, const grant_ref_t *dir_refs, uint32_t ndir,
		      uint32_t ndata);

/*
 * Take the ndata references the backend wrote into a chain we linked.
 * Each slot is read once. -EIO if one is 0 (the backend did not fill it)
 * or if the backend changed a link; out is then undefined.
 */
int zfront_pgdir_read(void *const *dir, const grant_ref_t *dir_refs, uint32_t ndir,
		      grant_ref_t *out, uint32_t ndata);

/* ---- EDID ------------------------------------------------------------ */

/*
 * Validate the first edid_sz octets of buf (a private copy; the backend
 * claimed edid_sz, buf_sz is what we provided): a multiple of 128 octets
 * between 128 and buf_sz, the base block's fixed header, a checksum of 0
 * in every block, and an extension count that matches the size.
 * Returns 0 or -EINVAL.
 */
int zfront_edid_check(const uint8_t *buf, uint32_t edid_sz, uint32_t buf_sz);

/* ---- xenstore values ------------------------------------------------- */

/* "<width>x<height>", each 1..ZD_MAX_DIMENSION, nothing else. */
int zfront_parse_resolution(const char *s, uint32_t *width, uint32_t *height);

/* Whether the backend's "versions" list offers version v. */
bool zfront_versions_offer(const char *versions, unsigned int v);

#endif /* ZFRONT_PROTO_H */

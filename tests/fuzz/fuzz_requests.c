// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_requests.c: libFuzzer target driving the real daemon core (the same
 * back/daemon sources the daemon is built from, minus KMS and log.c)
 * through the fake Xen seam and the simulated frontend of the unit tests.
 * The input is a script (tests/fuzz/script.h): raw 64-octet requests on
 * either connector, page-directory contents written into granted pages,
 * flip completions, frontend state changes, ring index corruption.
 *
 * Invariants, checked after every op; a violation calls abort() so that
 * libFuzzer keeps the input:
 *   - every response echoes its request's id and operation, in order, and
 *     its status is 0 or a negative Xen errno; no response comes without a
 *     request, and a Connected device answers every request it was sent
 *     (while the frontend has not scrambled its own ring: then only the
 *     core's counters are checked)
 *   - events are flip events with consecutive ids, and every PG_FLIP
 *     answered 0 gets exactly one event (sent or counted as dropped) once
 *     the display completed it; the core's flip state matches the display's
 *   - what is mapped is exactly what the core says it holds (ring pages and
 *     buffers it copies from); ports are bound and outputs claimed exactly
 *     while Connected; a device that is not Connected holds no buffer
 *   - zero-copy: what the (fake) seam has exported, mapped and granted, and
 *     the framebuffers the display holds, are exactly the core's; no wait
 *     for a released dma-buf ever times out (the display let go first)
 *   - the display is never handed an image reaching outside the buffer it
 *     comes from (the fuzzer's display ops check every image and layout
 *     before the fake display's read it)
 *   - at the end (toolstack removal, frontend close or SIGTERM path):
 *     nothing mapped or bound when the grant and event channel handles
 *     close (also wrapped), outputs released, nothing exported or granted,
 *     no framebuffer or dumb buffer left on the display, no handle open
 * The status snapshot (status.c) is also written, to /dev/null, after
 * every op: whatever state the script reaches must print.
 *
 * ZD_FUZZ_LOG=1 traces the ops and the daemon's log when replaying an
 * input: build/fuzz/fuzz_requests FILE.
 *
 * Deterministic: no clock, no randomness; the fake is reset around every
 * input.
 */
#include <drm_fourcc.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <xen/io/xenbus.h>

#include "device.h"
#include "display.h"
#include "format.h"
#include "fakexen/fakexen.h"
#include "fuzz/script.h"
#include "status.h"
#include "unit/fe_sim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FAIL(...)                                                                                  \
	do {                                                                                       \
		fprintf(stderr, "fuzz_requests: invariant violated (%s:%d): ", __FILE__,           \
			__LINE__);                                                                 \
		fprintf(stderr, __VA_ARGS__);                                                      \
		fputc('\n', stderr);                                                               \
		abort();                                                                           \
	} while (0)

/* What the frontend expects back on one connector. */
struct fz_conn {
	bool desync; /* our view of the ring is not the backend's: check no order */
	unsigned int npending;
	struct {
		uint16_t id;
		uint8_t op;
	} pending[64];
	bool evt_resync;  /* in_cons was tampered with: take the next id as is */
	bool evt_trashed; /* the event page was handed out as a buffer: no checks */
	uint16_t next_evt_id;
	uint16_t next_mk_id; /* ids of compact requests */
	/*
	 * Flip accounting over one connection of the device (an epoch): every
	 * PG_FLIP answered 0 gets exactly one event, sent or dropped. Only
	 * while we saw every response of the epoch (no desync).
	 */
	uint64_t flips_ok;     /* PG_FLIP responses with status 0 this epoch */
	uint64_t dropped_base; /* the core's events_dropped when the epoch began */
};

struct fz {
	const uint8_t *p;
	size_t left;
	struct sim sim;
	unsigned int nconns, outputs;
	grant_ref_t pool[FZ_POOL];
	bool revoked[FZ_POOL];	 /* the ref may now name another page (a ring) */
	bool was_connected;	 /* at the last check */
	uint64_t connects_seen;	 /* the device's count of connects at the last check */
	uint64_t rings_connects; /* connects the backend made on the current rings */
	uint64_t clock;		 /* the daemon's, in µs: moved on past held steps */
	struct fz_conn conns[2];
};

/* The input being played, for the wrapped functions. */
static struct fz *cur;

/* ZD_FUZZ_LOG set: trace the ops (and quiet_log.c prints the daemon's log). */
static bool trace;

static const char *const op_names[] = {
	[FZ_REQ] = "REQ",
	[FZ_BATCH] = "BATCH",
	[FZ_MKREQ] = "MKREQ",
	[FZ_DIRMAKE] = "DIRMAKE",
	[FZ_DIRWRITE] = "DIRWRITE",
	[FZ_FLIP_DONE] = "FLIP_DONE",
	[FZ_FE_STATE] = "FE_STATE",
	[FZ_EVT_CONS] = "EVT_CONS",
	[FZ_EVT_DRAIN] = "EVT_DRAIN",
	[FZ_REQ_PROD] = "REQ_PROD",
	[FZ_KICK] = "KICK",
	[FZ_WATCH] = "WATCH",
	[FZ_RECONNECT] = "RECONNECT",
	[FZ_REVOKE] = "REVOKE",
	[FZ_FE_NODE] = "FE_NODE",
};

/* The frontend nodes FZ_FE_NODE may rewrite. */
static const char *const fz_nodes[] = {
	XENDISPL_FIELD_FE_VERSION,	  XENDISPL_FIELD_BE_ALLOC,
	"0/" XENDISPL_FIELD_REQ_RING_REF, "0/" XENDISPL_FIELD_REQ_CHANNEL,
	"0/" XENDISPL_FIELD_EVT_RING_REF, "0/" XENDISPL_FIELD_EVT_CHANNEL,
	"1/" XENDISPL_FIELD_REQ_RING_REF, "1/" XENDISPL_FIELD_REQ_CHANNEL,
	"1/" XENDISPL_FIELD_EVT_RING_REF, "1/" XENDISPL_FIELD_EVT_CHANNEL,
};
#define FZ_NODE_COUNT (sizeof(fz_nodes) / sizeof(fz_nodes[0]))

/* Where the status interface writes its snapshots: nowhere. */
static FILE *devnull;

/* ---- Reading the script ---- */

static uint8_t rd8(struct fz *f)
{
	if (!f->left)
		return 0;
	f->left--;
	return *f->p++;
}

static uint16_t rd16(struct fz *f)
{
	uint16_t lo = rd8(f);

	return (uint16_t)(lo | rd8(f) << 8);
}

static uint32_t rd32(struct fz *f)
{
	uint32_t lo = rd16(f);

	return lo | (uint32_t)rd16(f) << 16;
}

static void rdbytes(struct fz *f, void *dst, size_t n)
{
	size_t k = n < f->left ? n : f->left;

	memcpy(dst, f->p, k);
	memset((uint8_t *)dst + k, 0, n - k);
	f->p += k;
	f->left -= k;
}

/* The grant ref selector s (already read); FZ_SEL_RAW reads 4 more octets. */
static grant_ref_t sel(struct fz *f, uint8_t s)
{
	if (s < FZ_POOL)
		return f->pool[s];
	if (s == FZ_SEL_ZERO)
		return 0;
	if (s == FZ_SEL_RAW)
		return rd32(f);
	return s;
}

static grant_ref_t rdsel(struct fz *f)
{
	return sel(f, rd8(f));
}

static unsigned int rdconn(struct fz *f)
{
	return rd8(f) % f->nconns;
}

/* ---- Invariants ---- */

/* -XEN_Exxx for every errno Xen defines (xen/errno.h lists them). */
static const int xen_errnos[] = {
#define XEN_ERRNO(name, value) value,
#include <xen/errno.h>
};

static bool xen_status_ok(int32_t st)
{
	if (st == 0)
		return true;
	for (size_t i = 0; i < sizeof(xen_errnos) / sizeof(xen_errnos[0]); i++)
		if (st == -xen_errnos[i])
			return true;
	return false;
}

static struct zd_device *dev_of(struct fz *f)
{
	return sim_device(&f->sim);
}

static bool connected(struct fz *f)
{
	return dev_of(f) && sim_devinfo(&f->sim).state == XenbusStateConnected;
}

/* Read every response the backend produced on connector ci and match it. */
static void drain_responses(struct fz *f, unsigned int ci)
{
	struct sim_conn *sc = &f->sim.conns[ci];
	struct fz_conn *fc = &f->conns[ci];
	struct xendispl_resp r;

	if (!sc->ring.sring)
		return;
	if (fc->desync) {
		/* Whatever is there was written over requests of our own: skip. */
		sc->ring.rsp_cons = sc->ring.sring->rsp_prod;
		return;
	}
	if (sc->ring.sring->rsp_prod - sc->ring.rsp_cons > fc->npending)
		FAIL("conn %u: %u responses for %u requests", ci,
		     sc->ring.sring->rsp_prod - sc->ring.rsp_cons, fc->npending);
	while (sim_response(&f->sim, ci, &r)) {
		if (r.id != fc->pending[0].id || r.operation != fc->pending[0].op)
			FAIL("conn %u: response id %u op %#x for request id %u op %#x", ci, r.id,
			     r.operation, fc->pending[0].id, fc->pending[0].op);
		if (!xen_status_ok(r.status))
			FAIL("conn %u: op %#x status %d is no Xen errno", ci, r.operation,
			     r.status);
		if (r.operation == XENDISPL_OP_PG_FLIP && r.status == 0)
			fc->flips_ok++;
		fc->npending--;
		memmove(fc->pending, fc->pending + 1, fc->npending * sizeof(fc->pending[0]));
	}
}

/* Exports, allocations, imports and display framebuffers match the core's buffers. */
static void check_zero_copy(struct fz *f)
{
	unsigned int exported = 0, xpages = 0, imported = 0, ipages = 0, dmafbs = 0, held = 0;
	unsigned int allocated = 0;
	struct fx_zcopy_stats st;
	struct zd_dbuf_info b;

	for (uint32_t i = 0; (b = sim_dbuf(&f->sim, i)).npages; i++) {
		exported += b.exported && !b.allocated;
		xpages += b.exported && !b.allocated ? b.npages : 0;
		allocated += b.allocated;
		imported += b.imported;
		/* Granted to the frontend, by an import or an allocation. */
		ipages += b.imported || b.allocated ? b.npages : 0;
		dmafbs += b.dmafbs;
	}
	for (unsigned int i = 0; f->sim.display && i < f->outputs; i++)
		held += fake_display_output(f->sim.display, i)->dmafbs;
	fx_zcopy_stats(&st);
	if (st.exports_alive != exported || st.exports_unwaited != exported + allocated ||
	    st.pages_mapped != xpages)
		FAIL("%u exports (%u unwaited) of %u pages alive, the core has %u of %u pages",
		     st.exports_alive, st.exports_unwaited, st.pages_mapped, exported, xpages);
	if (st.imports_alive != imported || st.allocs_alive != allocated ||
	    st.grants_alive != ipages)
		FAIL("%u imports and %u allocations of %u grants alive, the core has %u, %u of %u "
		     "pages",
		     st.imports_alive, st.allocs_alive, st.grants_alive, imported, allocated,
		     ipages);
	if (st.waits_timed_out)
		FAIL("a dma-buf was still in use when its release was waited for");
	if (held != dmafbs)
		FAIL("the display holds %u dma-buf framebuffers, the core %u", held, dmafbs);
}

/* The mappings, ports and outputs the core holds match what it says. */
static void check_accounting(struct fz *f)
{
	struct zd_device_info d = sim_devinfo(&f->sim);
	unsigned int maps = 0, claimed = 0, outs = 0;
	struct zd_dbuf_info b;

	for (unsigned int i = 0; dev_of(f) && i < ZD_MAX_CONNECTORS; i++) {
		struct zd_conn_info c = sim_conn(&f->sim, i);
		bool out = strcmp(c.output, "none") != 0;

		maps += c.rings_mapped;
		outs += out;
		if (d.state != XenbusStateConnected &&
		    (c.rings_mapped || c.req_port >= 0 || c.evt_port >= 0 || out))
			FAIL("conn %u holds resources in state %d", i, d.state);
	}
	for (uint32_t i = 0; (b = sim_dbuf(&f->sim, i)).npages; i++)
		if (b.map && !b.map_is_mmap)
			maps += b.npages;
	if (dev_of(f) && d.state != XenbusStateConnected && (d.buffers || d.fbs))
		FAIL("%u buffers, %u fbs in state %d", d.buffers, d.fbs, d.state);
	if (fx_gnt_live_mappings() != maps)
		FAIL("%u pages mapped, the core accounts for %u", fx_gnt_live_mappings(), maps);
	check_zero_copy(f);

	for (unsigned int i = 0; i < f->nconns; i++) {
		struct sim_conn *sc = &f->sim.conns[i];
		bool want = connected(f) && i < d.nr_conns;

		if (sc->req_port && (fx_evtchn_is_bound(sc->req_port) == 1) != want)
			FAIL("conn %u: request port bound %d, connected %d", i,
			     fx_evtchn_is_bound(sc->req_port), want);
		if (sc->evt_port && (fx_evtchn_is_bound(sc->evt_port) == 1) != want)
			FAIL("conn %u: event port bound %d, connected %d", i,
			     fx_evtchn_is_bound(sc->evt_port), want);
	}
	for (unsigned int i = 0; f->sim.display && i < f->outputs; i++)
		claimed += fake_display_output(f->sim.display, i)->claimed;
	if (claimed != outs)
		FAIL("%u outputs claimed, %u held", claimed, outs);
}

/*
 * Every flip accepted this epoch is accounted for: its event was produced
 * (the core's private producer, which the frontend cannot touch) or
 * dropped (event ring full or corrupt), or the flip is still on its way
 * (at most one on the display, one queued). Catches lost and doubled
 * events alike.
 */
static void check_flips(struct fz *f, unsigned int ci)
{
	struct zd_conn_info c = sim_conn(&f->sim, ci);
	struct fz_conn *fc = &f->conns[ci];
	uint64_t done = c.evt_prod + (c.events_dropped - fc->dropped_base);
	uint64_t on_the_way = c.flip_busy + c.queued;

	if (c.queued && !c.flip_busy)
		FAIL("conn %u: a flip queued behind none", ci);
	if (strcmp(c.output, "none")) {
		/* The fake's outputs are "Fake-<n>". */
		unsigned int oi = (unsigned int)atoi(c.output + 5) - 1;
		struct fake_output_state *o = fake_display_output(f->sim.display, oi);

		if (o->flip_pending != c.flip_busy)
			FAIL("conn %u: display flip pending %d, core busy %d", ci, o->flip_pending,
			     c.flip_busy);
		if (c.flip_busy && o->token != c.flip_fb)
			FAIL("conn %u: display flips %#llx, core %#llx", ci,
			     (unsigned long long)o->token, (unsigned long long)c.flip_fb);
	} else if (c.flip_busy) {
		FAIL("conn %u: flip busy without an output", ci);
	}
	if (!fc->desync && fc->flips_ok != done + on_the_way)
		FAIL("conn %u: %llu flips accepted, %llu events sent or dropped, %llu on the way",
		     ci, (unsigned long long)fc->flips_ok, (unsigned long long)done,
		     (unsigned long long)on_the_way);
}

static void check_step(struct fz *f)
{
	uint64_t connects;
	bool now, epoch;

	/* The checks are of the daemon once settled: its held steps too. */
	sim_run_held_steps(&f->sim, &f->clock);
	now = connected(f);
	connects = sim_devinfo(&f->sim).connects;
	epoch = connects != f->connects_seen;

	/*
	 * The backend connected again over rings it served before, maybe
	 * more than once within one op (connected and broken again): it
	 * starts them afresh, over requests and responses of the last
	 * connection.
	 */
	if (epoch)
		f->rings_connects += connects > f->connects_seen ? connects - f->connects_seen : 1;
	f->connects_seen = connects;
	for (unsigned int i = 0; i < f->nconns; i++) {
		if (epoch && f->rings_connects > 1)
			f->conns[i].desync = f->conns[i].evt_resync = true;
		if (epoch || (now && !f->was_connected)) {
			/* A new epoch: the core restarted its event producer at 0. */
			f->conns[i].flips_ok = 0;
		} else if (!now && dev_of(f)) {
			/* No event is sent or dropped while not connected. */
			f->conns[i].dropped_base = sim_conn(&f->sim, i).events_dropped;
		}
		drain_responses(f, i);
		/* A Connected device has answered everything it was sent. */
		if (now && !f->conns[i].desync && f->conns[i].npending)
			FAIL("conn %u: %u requests unanswered while Connected", i,
			     f->conns[i].npending);
		if (now)
			check_flips(f, i);
	}
	f->was_connected = now;
	check_accounting(f);
	/* The status snapshot of whatever state the script reached. */
	if (devnull && f->sim.be)
		zd_status_write_devices(f->sim.be, devnull);
}

/*
 * The image the core hands to the display must lie inside one of its
 * buffers: rows of width * cpp octets, pitch apart, from pixels on.
 */
static void check_image(const struct zd_image *img)
{
	uint32_t cpp = zd_format_cpp(img->fourcc);
	struct zd_dbuf_info bi;

	if (!cpp || !img->width || !img->height)
		FAIL("image %ux%u fourcc %#x", img->width, img->height, img->fourcc);
	if ((uint64_t)img->width * cpp > img->pitch)
		FAIL("image row %u * %u over pitch %u", img->width, cpp, img->pitch);
	for (uint32_t i = 0; cur && (bi = sim_dbuf(&cur->sim, i)).npages; i++) {
		const struct zd_dbuf_info *b = &bi;
		const uint8_t *start = b->map;
		uint64_t ofs, end;

		if (!start || img->pixels < start ||
		    img->pixels >= start + (size_t)b->npages * ZD_PAGE_SIZE)
			continue;
		ofs = (uint64_t)(img->pixels - start);
		end = ofs + (uint64_t)img->pitch * (img->height - 1) + (uint64_t)img->width * cpp;
		if (end > b->size || end > (uint64_t)b->npages * ZD_PAGE_SIZE)
			FAIL("image %ux%u pitch %u at %llu ends at %llu, buffer is %u octets",
			     img->width, img->height, img->pitch, (unsigned long long)ofs,
			     (unsigned long long)end, b->size);
		return;
	}
	FAIL("image at %p is in no buffer of the device", (const void *)img->pixels);
}

void *__real_xengnttab_map_domain_grant_refs(xengnttab_handle *h, uint32_t count, uint32_t domid,
					     uint32_t *refs, int prot);
void *__wrap_xengnttab_map_domain_grant_refs(xengnttab_handle *h, uint32_t count, uint32_t domid,
					     uint32_t *refs, int prot);
void *__real_xengnttab_map_grant_ref(xengnttab_handle *h, uint32_t domid, uint32_t ref, int prot);
void *__wrap_xengnttab_map_grant_ref(xengnttab_handle *h, uint32_t domid, uint32_t ref, int prot);
int __real_xengnttab_close(xengnttab_handle *h);
int __wrap_xengnttab_close(xengnttab_handle *h);
int __real_xenevtchn_close(xenevtchn_handle *h);
int __wrap_xenevtchn_close(xenevtchn_handle *h);

static int checked_flip(struct zd_output *o, const struct zd_image *img, uint64_t token,
			uint64_t *bytes_copied)
{
	check_image(img);
	return fake_display_ops.flip(o, img, token, bytes_copied);
}

static int checked_set_config(struct zd_output *o, uint32_t width, uint32_t height, uint32_t x,
			      uint32_t y, const struct zd_image *img, uint64_t *bytes_copied)
{
	check_image(img);
	if (x >= width || y >= height || img->width > width - x || img->height > height - y)
		FAIL("image %ux%u at %u,%u off a %ux%u screen", img->width, img->height, x, y,
		     width, height);
	return fake_display_ops.set_config(o, width, height, x, y, img, bytes_copied);
}

/*
 * A framebuffer handed to the display for zero-copy: its pixels lie inside
 * the dma-buf, and its geometry is within the limits, whatever the
 * frontend asked (the display would scan out what the layout says).
 */
static void check_layout(const struct zd_fb_layout *l)
{
	uint32_t cpp = zd_format_cpp(l->fourcc);
	uint64_t end;

	if (!cpp || !l->width || !l->height || l->width > ZD_MAX_DIMENSION ||
	    l->height > ZD_MAX_DIMENSION)
		FAIL("layout %ux%u fourcc %#x", l->width, l->height, l->fourcc);
	if (l->pitch < (uint64_t)l->width * cpp)
		FAIL("layout pitch %u under %u x %u", l->pitch, l->width, cpp);
	end = (uint64_t)l->offset + (uint64_t)l->pitch * (l->height - 1) + (uint64_t)l->width * cpp;
	if (end > l->size)
		FAIL("layout ends at %llu, past the %llu-octet buffer", (unsigned long long)end,
		     (unsigned long long)l->size);
}

static int checked_import(struct zd_output *o, int fd, const struct zd_fb_layout *l,
			  struct zd_dmafb **out)
{
	check_layout(l);
	return fake_display_ops.import(o, fd, l, out);
}

static int checked_import_dumb(struct zd_output *o, struct zd_dumb *b, const struct zd_fb_layout *l,
			       struct zd_dmafb **out)
{
	check_layout(l);
	return fake_display_ops.import_dumb(o, b, l, out);
}

/* The fake display, with every image and layout checked on its way in. */
static struct zd_display_ops checked_ops;

static const struct zd_display_ops *checked_display_ops(void)
{
	if (!checked_ops.claim) {
		checked_ops = fake_display_ops;
		checked_ops.flip = checked_flip;
		checked_ops.set_config = checked_set_config;
		checked_ops.import = checked_import;
		checked_ops.import_dumb = checked_import_dumb;
	}
	return &checked_ops;
}

/*
 * A frontend may name its own ring pages as a buffer or a page directory;
 * GET_EDID, or a be-alloc buffer's directory, then writes over them, as
 * asked. That ring is the frontend's own mess: stop checking it until it
 * starts over on fresh rings. The core maps the rings themselves one by
 * one when it connects, before anything else maps them: a ring page asked
 * for while mapped already is asked for as something else.
 */
static void note_ring_overlap(uint32_t domid, const uint32_t *refs, uint32_t count, int prot,
			      bool first_map_is_ring)
{
	for (uint32_t k = 0; cur && (prot & PROT_WRITE) && k < count; k++) {
		if (domid != cur->sim.fe_domid)
			continue;
		if (first_map_is_ring && !fx_gnt_maps(domid, refs[k]))
			continue;
		for (unsigned int i = 0; i < cur->nconns; i++) {
			if (refs[k] == cur->sim.conns[i].req_ref)
				cur->conns[i].desync = true;
			if (refs[k] == cur->sim.conns[i].evt_ref)
				cur->conns[i].evt_trashed = true;
		}
	}
}

void *__wrap_xengnttab_map_domain_grant_refs(xengnttab_handle *h, uint32_t count, uint32_t domid,
					     uint32_t *refs, int prot)
{
	note_ring_overlap(domid, refs, count, prot, false);
	return __real_xengnttab_map_domain_grant_refs(h, count, domid, refs, prot);
}

void *__wrap_xengnttab_map_grant_ref(xengnttab_handle *h, uint32_t domid, uint32_t ref, int prot)
{
	note_ring_overlap(domid, &ref, 1, prot, true);
	return __real_xengnttab_map_grant_ref(h, domid, ref, prot);
}

/* Closing the handle would unmap for the core: it must have done so itself. */
int __wrap_xengnttab_close(xengnttab_handle *h)
{
	if (fx_gnt_live_mappings())
		FAIL("grant handle closed with %u pages still mapped", fx_gnt_live_mappings());
	return __real_xengnttab_close(h);
}

int __wrap_xenevtchn_close(xenevtchn_handle *h)
{
	for (unsigned int i = 0; cur && i < cur->nconns; i++) {
		struct sim_conn *sc = &cur->sim.conns[i];

		if ((sc->req_port && fx_evtchn_is_bound(sc->req_port) == 1) ||
		    (sc->evt_port && fx_evtchn_is_bound(sc->evt_port) == 1))
			FAIL("event channel handle closed with conn %u still bound", i);
	}
	return __real_xenevtchn_close(h);
}

/* ---- Ops ---- */

static void push(struct fz *f, unsigned int ci, const struct xendispl_req *req)
{
	struct fz_conn *fc = &f->conns[ci];

	if (!f->sim.conns[ci].ring.sring)
		return;
	sim_push(&f->sim, ci, req);
	if (fc->npending == sizeof(fc->pending) / sizeof(fc->pending[0])) {
		/* Far more than a ring holds: the frontend overran its own ring. */
		fc->desync = true;
		return;
	}
	fc->pending[fc->npending].id = req->id;
	fc->pending[fc->npending].op = req->operation;
	fc->npending++;
}

static void kick(struct fz *f, unsigned int ci)
{
	if (f->sim.conns[ci].req_port)
		sim_kick(&f->sim, ci);
}

static void op_mkreq(struct fz *f, unsigned int ci)
{
	static const uint32_t formats[] = {DRM_FORMAT_XRGB8888, DRM_FORMAT_ARGB8888,
					   DRM_FORMAT_RGB565, 0x20203859};
	static const int64_t slack[] = {0, 4096, -1};
	struct xendispl_req req;
	uint8_t kind = rd8(f), a = rd8(f), b = rd8(f), c = rd8(f), d = rd8(f), e = rd8(f);
	struct xendispl_dbuf_create_req *q = &req.op.dbuf_create;
	uint32_t pitch;

	memset(&req, 0, sizeof(req));
	req.id = f->conns[ci].next_mk_id++;
	switch (kind % FZ_MK_COUNT) {
	case FZ_MK_DBUF_CREATE:
		req.operation = XENDISPL_OP_DBUF_CREATE;
		q->dbuf_cookie = 1 + a % FZ_COOKIES;
		q->width = b & 0x80 ? 1024 : 1 + b % 64;
		q->height = (1 + c % 64) * (c & 0x40 ? 32 : 1);
		q->bpp = d & 1 ? 16 : 32;
		q->data_ofs = 700u * (d >> 1 & 7);
		pitch = q->width * q->bpp / 8;
		if ((d >> 4 & 3) == 3)
			q->buffer_sz = 0xffffffffu;
		else
			q->buffer_sz = (uint32_t)(q->data_ofs + (int64_t)pitch * q->height +
						  slack[d >> 4 & 3]);
		q->flags = d & 0x40 ? XENDISPL_DBUF_FLG_REQ_ALLOC : 0;
		q->gref_directory = sel(f, e);
		break;
	case FZ_MK_DBUF_DESTROY:
		req.operation = XENDISPL_OP_DBUF_DESTROY;
		req.op.dbuf_destroy.dbuf_cookie = 1 + a % FZ_COOKIES;
		break;
	case FZ_MK_FB_ATTACH:
		req.operation = XENDISPL_OP_FB_ATTACH;
		req.op.fb_attach.dbuf_cookie = 1 + a % FZ_COOKIES;
		req.op.fb_attach.fb_cookie = FZ_FB_COOKIE + b % FZ_COOKIES;
		req.op.fb_attach.width = 1 + c % 64;
		req.op.fb_attach.height = 1 + d % 64;
		req.op.fb_attach.pixel_format = formats[e % 4];
		break;
	case FZ_MK_FB_DETACH:
		req.operation = XENDISPL_OP_FB_DETACH;
		req.op.fb_detach.fb_cookie = FZ_FB_COOKIE + a % FZ_COOKIES;
		break;
	case FZ_MK_SET_CONFIG:
		req.operation = XENDISPL_OP_SET_CONFIG;
		if (a == 0xff)
			break; /* all zeros: reset */
		req.op.set_config.fb_cookie = FZ_FB_COOKIE + a % FZ_COOKIES;
		req.op.set_config.x = b % 16;
		req.op.set_config.y = c % 16;
		req.op.set_config.width = 1 + d % 64;
		req.op.set_config.height = 1 + e % 64;
		req.op.set_config.bpp = e & 0x80 ? 16 : 32;
		break;
	case FZ_MK_PG_FLIP:
		req.operation = XENDISPL_OP_PG_FLIP;
		req.op.pg_flip.fb_cookie = FZ_FB_COOKIE + a % FZ_COOKIES;
		break;
	case FZ_MK_GET_EDID:
		req.operation = XENDISPL_OP_GET_EDID;
		req.op.get_edid.buffer_sz = a == 0xff ? 0xffffffffu : 128u * (1 + a);
		req.op.get_edid.gref_directory = sel(f, b);
		break;
	}
	push(f, ci, &req);
	kick(f, ci);
}

/* The frontend's view of a pool page; NULL once revoked (the ref is stale). */
static uint32_t *pool_page(struct fz *f, uint8_t page)
{
	if (f->revoked[page % FZ_POOL])
		return NULL;
	return sim_page(&f->sim, f->pool[page % FZ_POOL]);
}

static void op_dirmake(struct fz *f)
{
	uint32_t *pg = pool_page(f, rd8(f));
	grant_ref_t next = rdsel(f);
	uint8_t first = rd8(f);
	uint32_t n = rd16(f) % 1024;

	if (!pg) /* revoked */
		return;
	pg[0] = next;
	for (uint32_t k = 0; k < n && k < ZD_GREFS_PER_DIR_PAGE; k++)
		pg[1 + k] = f->pool[(first + k) % (FZ_POOL - 1)];
}

static void op_dirwrite(struct fz *f)
{
	uint32_t *pg = pool_page(f, rd8(f));
	uint32_t slot = rd16(f) % 1024;
	unsigned int n = 1 + rd8(f) % 16;

	for (unsigned int k = 0; k < n; k++) {
		grant_ref_t g = rdsel(f);

		if (pg)
			pg[(slot + k) % 1024] = g;
	}
}

static void drain_events(struct fz *f, unsigned int ci)
{
	struct sim_conn *sc = &f->sim.conns[ci];
	struct fz_conn *fc = &f->conns[ci];

	if (!sc->evt_page)
		return;
	/* Bounded: after in_cons games the producer may be far ahead of us. */
	if (sc->evt_page->in_prod - sc->evt_cons > XENDISPL_IN_RING_LEN) {
		sc->evt_cons = sc->evt_page->in_prod;
		sc->evt_page->in_cons = sc->evt_cons;
		fc->evt_resync = true;
		return;
	}
	for (struct xendispl_evt evt; sim_event(&f->sim, ci, &evt);) {
		if (fc->evt_trashed)
			continue;
		if (evt.type != XENDISPL_EVT_PG_FLIP)
			FAIL("conn %u: event type %u", ci, evt.type);
		if (!fc->evt_resync && evt.id != fc->next_evt_id)
			FAIL("conn %u: event id %u, expected %u", ci, evt.id, fc->next_evt_id);
		fc->evt_resync = false;
		fc->next_evt_id = (uint16_t)(evt.id + 1);
	}
}

static void set_fe_state(struct fz *f, const char *v)
{
	sim_fe_write(&f->sim, "state", v);
	sim_pump(&f->sim);
}

/* The frontend starts over on fresh rings; the old ones are revoked. */
static void reconnect(struct fz *f, bool skip_initialised)
{
	char st[8];

	sim_fe_teardown(&f->sim);
	memset(f->conns, 0, sizeof(f->conns));
	f->rings_connects = 0;
	/* The core numbers a device's events on across connections. */
	for (unsigned int i = 0; i < f->nconns; i++)
		f->conns[i].evt_resync = true;
	snprintf(st, sizeof(st), "%d", XenbusStateInitialising);
	set_fe_state(f, st);
	check_step(f);
	if (sim_fe_publish(&f->sim))
		FAIL("cannot publish rings");
	snprintf(st, sizeof(st), "%d",
		 skip_initialised ? XenbusStateConnected : XenbusStateInitialised);
	set_fe_state(f, st);
}

static void op(struct fz *f)
{
	unsigned int code = rd8(f) % FZ_OP_COUNT;
	struct xendispl_req req;
	unsigned int ci, n;
	char st[8];

	if (trace)
		fprintf(stderr, "fuzz: op %s\n", op_names[code]);
	switch (code) {
	case FZ_REQ:
		ci = rdconn(f);
		rdbytes(f, &req, sizeof(req));
		push(f, ci, &req);
		kick(f, ci);
		break;
	case FZ_BATCH:
		ci = rdconn(f);
		n = 1 + rd8(f) % FZ_MAX_BATCH;
		for (unsigned int i = 0; i < n; i++) {
			rdbytes(f, &req, sizeof(req));
			push(f, ci, &req);
		}
		kick(f, ci);
		break;
	case FZ_MKREQ:
		op_mkreq(f, rdconn(f));
		break;
	case FZ_DIRMAKE:
		op_dirmake(f);
		break;
	case FZ_DIRWRITE:
		op_dirwrite(f);
		break;
	case FZ_FLIP_DONE:
		n = rd8(f);
		if (f->outputs && fake_display_complete_flip(f->sim.display, n % f->outputs))
			sim_pump(&f->sim);
		break;
	case FZ_FE_STATE:
		n = rd8(f) % 10;
		if (n == 9)
			snprintf(st, sizeof(st), "junk");
		else
			snprintf(st, sizeof(st), "%u", n);
		set_fe_state(f, st);
		break;
	case FZ_EVT_CONS:
		ci = rdconn(f);
		if (f->sim.conns[ci].evt_page) {
			f->sim.conns[ci].evt_page->in_cons = rd32(f);
			f->conns[ci].evt_resync = true;
		}
		break;
	case FZ_EVT_DRAIN:
		drain_events(f, rdconn(f));
		break;
	case FZ_REQ_PROD:
		ci = rdconn(f);
		n = rd16(f);
		if (f->sim.conns[ci].ring.sring) {
			f->sim.conns[ci].ring.sring->req_prod += (uint32_t)(int32_t)(int16_t)n;
			f->conns[ci].desync = true;
			kick(f, ci);
		}
		break;
	case FZ_KICK:
		ci = rdconn(f);
		if (rd8(f) & 1) {
			if (f->sim.conns[ci].evt_port)
				fx_evtchn_notify_from_peer(f->sim.conns[ci].evt_port);
			sim_pump(&f->sim);
		} else {
			kick(f, ci);
		}
		break;
	case FZ_WATCH: {
		char path[160];

		switch (rd8(f) % 3) {
		case 0:
			snprintf(path, sizeof(path), "%s/state", f->sim.fe_path);
			break;
		case 1:
			snprintf(path, sizeof(path), "%s", f->sim.be_path);
			break;
		default:
			snprintf(path, sizeof(path), "/local/domain/0/backend/vdispl");
			break;
		}
		fx_xs_fire_watch(path);
		sim_pump(&f->sim);
		break;
	}
	case FZ_RECONNECT:
		reconnect(f, false);
		break;
	case FZ_FE_NODE: {
		unsigned int idx = rd8(f) % FZ_NODE_COUNT;
		const char *node = fz_nodes[idx];
		char v[32];

		switch (rd8(f) % 3) {
		case 0:
			snprintf(v, sizeof(v), "%u", rd32(f));
			break;
		case 1: {
			uint8_t k = rd8(f);
			struct sim_conn *sc = &f->sim.conns[k % f->nconns];

			snprintf(v, sizeof(v), "%u", k & 0x80 ? sc->evt_port : sc->req_port);
			break;
		}
		default:
			n = 1 + rd8(f) % 24;
			rdbytes(f, v, n);
			v[n] = '\0';
			break;
		}
		sim_fe_write(&f->sim, node, v);
		/*
		 * A rewritten ring ref or port: the next connect may put the
		 * backend on pages that are not our rings. Requests and events
		 * can then only be checked through the core's own counters.
		 */
		for (unsigned int i = 0; idx >= 2 && i < f->nconns; i++)
			f->conns[i].desync = f->conns[i].evt_trashed = true;
		sim_pump(&f->sim);
		break;
	}
	case FZ_REVOKE: {
		uint8_t page = rd8(f) % FZ_POOL;

		/* -EBUSY while the backend maps it, as Xen does. */
		if (fx_gnt_revoke(f->sim.fe_domid, f->pool[page]) == 0)
			f->revoked[page] = true;
		break;
	}
	}
}

/* ---- One input ---- */

static void check_released(struct fz *f)
{
	if (fx_gnt_live_mappings())
		FAIL("%u pages still mapped at the end", fx_gnt_live_mappings());
	for (unsigned int i = 0; i < f->nconns; i++)
		if ((f->sim.conns[i].req_port &&
		     fx_evtchn_is_bound(f->sim.conns[i].req_port) == 1) ||
		    (f->sim.conns[i].evt_port && fx_evtchn_is_bound(f->sim.conns[i].evt_port) == 1))
			FAIL("conn %u still bound at the end", i);
	for (unsigned int i = 0; i < f->outputs; i++) {
		struct fake_output_state *o = fake_display_output(f->sim.display, i);

		if (o->claimed || o->flip_pending)
			FAIL("output %u still claimed at the end", i);
		if (o->dmafbs)
			FAIL("output %u still holds %u dma-buf framebuffers", i, o->dmafbs);
	}
	if (f->sim.display && fake_display_dumbs(f->sim.display))
		FAIL("%u dumb buffers left", fake_display_dumbs(f->sim.display));
	check_zero_copy(f);
}

static void play(struct fz *f)
{
	static const char *const res[] = {FZ_RESOLUTION0, FZ_RESOLUTION1};
	struct sim_opts o = {.dops = checked_display_ops()};
	uint8_t h[FZ_HEADER_SIZE];
	char st[8];

	rdbytes(f, h, sizeof(h));
	f->nconns = h[0] & FZ_H0_TWO_CONNS ? 2 : 1;
	f->outputs = (h[0] >> 3 & 3) > 2 ? 2 : h[0] >> 3 & 3;
	o.outputs = f->outputs;
	o.fe_version = h[0] & FZ_H0_V1 ? "1" : "2";
	o.limits.max_buffer_bytes = FZ_MAX_BUFFER_BYTES;
	o.limits.max_buffers = 1 + (h[1] & 15);
	o.limits.max_fbs = 1 + (h[1] >> 4);
	o.be_alloc = h[0] & FZ_H0_BE_ALLOC;
	fx_zcopy_present(h[0] & FZ_H0_ZC_HELPER, false, false);
	if (sim_start_opts(&f->sim, f->nconns, res, &o))
		FAIL("sim_start failed");
	sim_clock_start(&f->sim, &f->clock);
	if (f->outputs && (h[0] & FZ_H0_ZC_REFUSE_IMPORT))
		fake_display_output(f->sim.display, f->outputs - 1)->import_err = EINVAL;
	if (f->outputs && (h[0] & FZ_H0_ZC_REFUSE_COMMIT))
		fake_display_output(f->sim.display, 0)->commit_err = EINVAL;
	for (unsigned int i = 0; i < FZ_POOL; i++) {
		unsigned int grantee = i == FZ_POOL - 1 ? 3 : 0;
		int ref = fx_gnt_grant(f->sim.fe_domid, grantee, i % 16 == 7);

		if (ref < 0)
			FAIL("cannot grant the pool");
		f->pool[i] = (grant_ref_t)ref;
	}
	if (sim_fe_publish(&f->sim))
		FAIL("cannot publish rings");
	if (h[3] & FZ_H3_CONNECT) {
		snprintf(st, sizeof(st), "%d",
			 h[3] & FZ_H3_SKIP_INITIALISED ? XenbusStateConnected
						       : XenbusStateInitialised);
		set_fe_state(f, st);
	}
	check_step(f);

	while (f->left) {
		op(f);
		check_step(f);
	}

	switch (h[2] % FZ_END_COUNT) {
	case FZ_END_REMOVE:
		sim_remove_device(&f->sim, true);
		if (dev_of(f))
			FAIL("device survived its removal");
		check_released(f);
		break;
	case FZ_END_FE_CLOSE:
		snprintf(st, sizeof(st), "%d", XenbusStateClosing);
		set_fe_state(f, st);
		snprintf(st, sizeof(st), "%d", XenbusStateClosed);
		set_fe_state(f, st);
		check_step(f);
		if (connected(f))
			FAIL("still Connected after the frontend closed");
		check_released(f);
		sim_remove_device(&f->sim, true);
		check_released(f);
		break;
	case FZ_END_SIGTERM:
		/* The wrapped close functions check what is left. */
		sim_free_backend(&f->sim);
		check_released(f);
		break;
	}
	if (sim_stop(&f->sim))
		FAIL("%u handles left open", fx_live_handles());
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fz f;

	trace = getenv("ZD_FUZZ_LOG") != NULL;
	if (!devnull)
		devnull = fopen("/dev/null", "w");
	memset(&f, 0, sizeof(f));
	f.p = data;
	f.left = size;
	fx_reset();
	cur = &f;
	play(&f);
	cur = NULL;
	fx_reset();
	return 0;
}

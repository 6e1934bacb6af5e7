// SPDX-License-Identifier: GPL-2.0
/*
 * zdispl-hostile-front: a displif frontend in a domU that misbehaves on
 * purpose, to prove in the lab that the backend survives it.
 *
 *   zdispl-hostile-front --case NAME[,NAME...] [--seconds S] [--timeout S] [--device N]
 *   zdispl-hostile-front --list
 *
 * It plays the frontend of one of this domain's vdispl devices (--device,
 * default 0), its first connector only, from userspace: xenstore through
 * libxenstore, the rings and buffers shared through gntalloc
 * (libxengnttab's xengntshr_*), the event channels through libxenevtchn.
 * No kernel frontend may be bound to the device.
 *
 * The cases run in the order given. Each starts from a backend in InitWait
 * and, unless it attacks the connection itself, from a fresh connection.
 * Each case prints one verdict line:
 *   case NAME: ok DETAIL
 *   case NAME: FAIL DETAIL
 * "ok" means the backend did what displif and a careful backend must: it
 * answered each bad request with an error status and went on serving (a
 * well-formed request after it succeeds), or, for an attack on the ring or
 * on xenstore, it closed the device (backend state Closing or Closed) and
 * then served a new connection. After a case the device is brought back to
 * InitWait (Closing, Closed, Initialising), so the next one starts clean.
 * The flood and churn cases run for --seconds and print what they pushed;
 * the scenario measures what a bystander guest saw meanwhile.
 * Exit status: 0 if every case was ok, 1 otherwise, 2 on a usage error.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <xenevtchn.h>
#include <xengnttab.h>
#include <xenstore.h>
#include <xen/errno.h>
#include <xen/io/xenbus.h>
#include <zdispl/displif-use.h>

#include "../../../back/daemon/core/xsutil.h"
#include "say.h"

#define HF_GNTALLOC_LIMIT "/sys/module/xen_gntalloc/parameters/limit"
#define HF_GNTALLOC_PAGES 65536	 /* gntalloc's own default (1024) is too few */
#define HF_REQ_TIMEOUT_MS 5000	 /* one request's answer */
#define HF_SKEW 1000u		 /* how far the index attacks push an index */
#define HF_FOREIGN_GREF 0xdead0u /* a gref this domain never granted */
#define HF_W 64			 /* the probe buffer: 64x64 XRGB8888, 4 pages */
#define HF_H 64
#define HF_XRGB8888 0x34325258u /* fourcc XR24 */
#define HF_NO_ANSWER (-100000)	/* simple(): no answer came, never a status */
#define HF_BIG_VALUE 2000	/* over our 256-octet bound, under xenstored's 2048 quota */

/* ---- The frontend's state ----------------------------------------------- */

/* Pages shared with the backend through gntalloc. */
struct shared {
	void *map;
	uint32_t *refs;
	uint32_t n;
};

/* A display buffer: its data pages and its page directory. */
struct hbuf {
	struct shared data, dir;
	uint64_t cookie;
};

struct hf {
	struct xs_handle *xs;
	xenevtchn_handle *evtchn;
	xengntshr_handle *gs;
	uint32_t be_domid;
	uint32_t devid;
	char fe_path[96]; /* /local/domain/<us>/device/vdispl/0 */
	char be_path[128];
	uint32_t width, height; /* connector 0 */
	int timeout_ms;
	int seconds;

	/* The connection: rings, ports; valid while connected. */
	bool connected;
	struct shared req_page, evt_page;
	struct xen_displif_front_ring ring;
	struct xendispl_event_page *evt;
	int req_port, evt_port; /* local ports, -1 when unbound */
	uint16_t next_id;
	uint64_t next_cookie;
};

/* ---- gntalloc ------------------------------------------------------------ */

static int share(struct hf *hf, uint32_t n, bool writable, struct shared *s)
{
	s->refs = calloc(n, sizeof(*s->refs));
	if (!s->refs)
		return -ENOMEM;
	s->map = xengntshr_share_pages(hf->gs, hf->be_domid, (int)n, s->refs, writable);
	if (!s->map) {
		int r = -errno;

		free(s->refs);
		s->refs = NULL;
		return r ? r : -ENOMEM;
	}
	s->n = n;
	memset(s->map, 0, (size_t)n * ZD_PAGE_SIZE);
	return 0;
}

static void unshare(struct hf *hf, struct shared *s)
{
	if (s->map)
		xengntshr_unshare(hf->gs, s->map, s->n);
	free(s->refs);
	*s = (struct shared){0};
}

static struct xendispl_page_directory *dir_page(struct hbuf *b, uint32_t i)
{
	return (struct xendispl_page_directory *)((char *)b->dir.map + (size_t)i * ZD_PAGE_SIZE);
}

/*
 * Share npages data pages and a directory for them, ndir pages long (0: as
 * many as displif needs). The chain is well formed; a case bends it after.
 * npages 0: only a directory, writable, for the backend to fill (be-alloc).
 */
static int buf_share(struct hf *hf, uint32_t npages, uint32_t ndir, struct hbuf *b)
{
	uint32_t need = ZD_DIV_ROUND_UP(npages, (uint32_t)ZD_GREFS_PER_DIR_PAGE);
	int r;

	*b = (struct hbuf){.cookie = ++hf->next_cookie};
	if (!ndir)
		ndir = need ? need : 1;
	/* No data pages: a be-alloc directory, which the backend fills in. */
	r = npages ? share(hf, npages, true, &b->data) : 0;
	if (!r)
		r = share(hf, ndir, !npages, &b->dir);
	if (r) {
		unshare(hf, &b->data);
		say("cannot share %u+%u pages: %s", npages, ndir, strerror(-r));
		return r;
	}
	for (uint32_t i = 0; i < ndir; i++) {
		struct xendispl_page_directory *d = dir_page(b, i);
		uint32_t first = i * (uint32_t)ZD_GREFS_PER_DIR_PAGE;

		d->gref_dir_next_page = i + 1 < ndir ? b->dir.refs[i + 1] : ZD_GREF_INVALID;
		for (uint32_t j = 0; j < ZD_GREFS_PER_DIR_PAGE && first + j < npages; j++)
			d->gref[j] = b->data.refs[first + j];
	}
	return 0;
}

static void buf_unshare(struct hf *hf, struct hbuf *b)
{
	unshare(hf, &b->dir);
	unshare(hf, &b->data);
}

/* ---- xenstore ------------------------------------------------------------ */

static int fe_write(struct hf *hf, const char *node, const char *val)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/%s", hf->fe_path, node);
	return xs_write(hf->xs, XBT_NULL, path, val, strlen(val)) ? 0 : -errno;
}

static int fe_set_state(struct hf *hf, enum xenbus_state s)
{
	char v[4];

	snprintf(v, sizeof(v), "%d", (int)s);
	return fe_write(hf, "state", v);
}

static int be_state(struct hf *hf)
{
	uint32_t v;
	int r = zd_xs_read_uint(hf->xs, hf->be_path, "state", 0, XenbusStateReconfigured, &v);

	return r ? r : (int)v;
}

/* Wait until the backend's state is one of those in mask (1 << state). */
static int wait_be(struct hf *hf, unsigned int mask, const char *what)
{
	int64_t deadline = now_ms() + hf->timeout_ms;
	int s;

	for (;;) {
		struct pollfd pfd = {.fd = xs_fileno(hf->xs), .events = POLLIN};
		char **w;

		s = be_state(hf);
		if (s >= 0 && (mask & (1u << s)))
			return s;
		if (now_ms() >= deadline)
			break;
		if (poll(&pfd, 1, 100) > 0)
			while ((w = xs_check_watch(hf->xs)))
				free(w);
	}
	say("the backend did not reach %s in %d ms (state %d)", what, hf->timeout_ms, s);
	return -ETIMEDOUT;
}

#define BIT(s) (1u << (s))
#define BE_CLOSED_ANY (BIT(XenbusStateClosing) | BIT(XenbusStateClosed))

/* ---- Rings ---------------------------------------------------------------- */

static void notify(struct hf *hf, int port)
{
	if (xenevtchn_notify(hf->evtchn, (evtchn_port_t)port) < 0)
		say("notify port %d: %s", port, strerror(errno));
}

static void evtchn_drain(struct hf *hf)
{
	xenevtchn_port_or_error_t port;

	while ((port = xenevtchn_pending(hf->evtchn)) >= 0)
		xenevtchn_unmask(hf->evtchn, (evtchn_port_t)port);
}

/* Wait for a kick (or ms), then take the pending ports. */
static void evtchn_wait(struct hf *hf, int ms)
{
	struct pollfd pfd = {.fd = xenevtchn_fd(hf->evtchn), .events = POLLIN};

	if (poll(&pfd, 1, ms) > 0)
		evtchn_drain(hf);
}

static uint16_t push_request(struct hf *hf, struct xendispl_req *req)
{
	int notify_be;

	req->id = hf->next_id++;
	*RING_GET_REQUEST(&hf->ring, hf->ring.req_prod_pvt) = *req;
	hf->ring.req_prod_pvt++;
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&hf->ring, notify_be);
	if (notify_be)
		notify(hf, hf->req_port);
	return req->id;
}

/*
 * Wait for the answer to request id; the answers to others are passed over.
 * Returns 0 (*rsp filled), -ETIMEDOUT, or -EPIPE if the backend left
 * Connected meanwhile.
 */
static int wait_response(struct hf *hf, uint16_t id, struct xendispl_resp *rsp)
{
	int64_t deadline = now_ms() + HF_REQ_TIMEOUT_MS;

	while (now_ms() < deadline) {
		int more;

		do {
			RING_IDX rp = hf->ring.sring->rsp_prod;

			xen_rmb();
			while (hf->ring.rsp_cons != rp) {
				*rsp = *RING_GET_RESPONSE(&hf->ring, hf->ring.rsp_cons);
				hf->ring.rsp_cons++;
				if (rsp->id == id)
					return 0;
			}
			RING_FINAL_CHECK_FOR_RESPONSES(&hf->ring, more);
		} while (more);
		if (be_state(hf) != XenbusStateConnected)
			return -EPIPE;
		evtchn_wait(hf, 100);
	}
	return -ETIMEDOUT;
}

/*
 * One request and its answer: the displif status (0 or a negative Xen
 * errno) in *status. Returns 0, or -errno if no answer came.
 */
static int call(struct hf *hf, struct xendispl_req *req, int32_t *status)
{
	struct xendispl_resp rsp;
	uint16_t id;
	int r;

	if (RING_FULL(&hf->ring))
		return -ENOSPC;
	id = push_request(hf, req);
	r = wait_response(hf, id, &rsp);
	if (r)
		return r;
	*status = rsp.status;
	return 0;
}

/* ---- Requests --------------------------------------------------------- */

static struct xendispl_req dbuf_create_req(const struct hbuf *b, uint32_t w, uint32_t h)
{
	struct xendispl_req req = {.operation = XENDISPL_OP_DBUF_CREATE};

	req.op.dbuf_create = (struct xendispl_dbuf_create_req){
		.dbuf_cookie = b->cookie,
		.width = w,
		.height = h,
		.bpp = 32,
		.buffer_sz = w * h * 4,
		.gref_directory = b->dir.refs[0],
	};
	return req;
}

static int32_t simple(struct hf *hf, struct xendispl_req req)
{
	int32_t st = 0;
	int r = call(hf, &req, &st);

	return r ? HF_NO_ANSWER : st;
}

static int32_t dbuf_destroy(struct hf *hf, uint64_t cookie)
{
	struct xendispl_req req = {.operation = XENDISPL_OP_DBUF_DESTROY};

	req.op.dbuf_destroy.dbuf_cookie = cookie;
	return simple(hf, req);
}

static int32_t fb_attach(struct hf *hf, uint64_t dbuf, uint64_t fb, uint32_t w, uint32_t h)
{
	struct xendispl_req req = {.operation = XENDISPL_OP_FB_ATTACH};

	req.op.fb_attach = (struct xendispl_fb_attach_req){
		.dbuf_cookie = dbuf,
		.fb_cookie = fb,
		.width = w,
		.height = h,
		.pixel_format = HF_XRGB8888,
	};
	return simple(hf, req);
}

static int32_t fb_detach(struct hf *hf, uint64_t fb)
{
	struct xendispl_req req = {.operation = XENDISPL_OP_FB_DETACH};

	req.op.fb_detach.fb_cookie = fb;
	return simple(hf, req);
}

static struct xendispl_req set_config_req(struct hf *hf, uint64_t fb)
{
	struct xendispl_req req = {.operation = XENDISPL_OP_SET_CONFIG};

	req.op.set_config = (struct xendispl_set_config_req){
		.fb_cookie = fb,
		.width = fb ? hf->width : 0,
		.height = fb ? hf->height : 0,
		.bpp = fb ? 32 : 0,
	};
	return req;
}

static struct xendispl_req flip_req(uint64_t fb)
{
	struct xendispl_req req = {.operation = XENDISPL_OP_PG_FLIP};

	req.op.pg_flip.fb_cookie = fb;
	return req;
}

/*
 * The probe: a well-formed buffer is created and destroyed. 0 if both
 * succeeded, i.e. the connection still serves.
 */
static int probe(struct hf *hf)
{
	struct hbuf b;
	int32_t s1, s2;

	if (buf_share(hf, HF_W * HF_H * 4 / ZD_PAGE_SIZE, 0, &b))
		return -ENOMEM;
	s1 = simple(hf, dbuf_create_req(&b, HF_W, HF_H));
	s2 = s1 ? 0 : dbuf_destroy(hf, b.cookie);
	buf_unshare(hf, &b);
	if (s1 || s2) {
		say("probe: DBUF_CREATE status %d, DBUF_DESTROY status %d", s1, s2);
		return -EIO;
	}
	return 0;
}

/*
 * A full-screen buffer with an fb attached: what a mode or a flip needs.
 * Its fb cookie is the buffer's cookie | 1 << 63.
 */
static int screen_buffer(struct hf *hf, struct hbuf *b)
{
	uint32_t pages = ZD_DIV_ROUND_UP(hf->width * hf->height * 4, ZD_PAGE_SIZE);
	int32_t s;

	if (buf_share(hf, pages, 0, b))
		return -ENOMEM;
	s = simple(hf, dbuf_create_req(b, hf->width, hf->height));
	if (!s)
		s = fb_attach(hf, b->cookie, b->cookie | 1ull << 63, hf->width, hf->height);
	if (s) {
		say("screen buffer %ux%u: status %d", hf->width, hf->height, s);
		buf_unshare(hf, b);
		return -EIO;
	}
	return 0;
}

/* ---- Connecting --------------------------------------------------------- */

static void conn_free(struct hf *hf)
{
	if (hf->evt_port >= 0)
		xenevtchn_unbind(hf->evtchn, (evtchn_port_t)hf->evt_port);
	if (hf->req_port >= 0)
		xenevtchn_unbind(hf->evtchn, (evtchn_port_t)hf->req_port);
	hf->req_port = hf->evt_port = -1;
	unshare(hf, &hf->evt_page);
	unshare(hf, &hf->req_page);
	hf->evt = NULL;
	hf->connected = false;
}

/* Rings and ports, not yet published. */
static int conn_alloc(struct hf *hf)
{
	struct xen_displif_sring *sring;
	int r;

	r = share(hf, 1, true, &hf->req_page);
	if (!r)
		r = share(hf, 1, true, &hf->evt_page);
	if (r)
		goto fail;
	sring = hf->req_page.map;
	SHARED_RING_INIT(sring);
	FRONT_RING_INIT(&hf->ring, sring, ZD_PAGE_SIZE);
	hf->evt = hf->evt_page.map;
	hf->req_port = xenevtchn_bind_unbound_port(hf->evtchn, hf->be_domid);
	hf->evt_port = xenevtchn_bind_unbound_port(hf->evtchn, hf->be_domid);
	if (hf->req_port < 0 || hf->evt_port < 0) {
		r = -errno;
		goto fail;
	}
	return 0;
fail:
	say("cannot allocate the rings: %s", strerror(-r));
	conn_free(hf);
	return r;
}

/* What connect() publishes; a case may replace any value (NULL: as is). */
struct publish {
	const char *version, *req_ref, *req_chan, *evt_ref, *evt_chan;
	const char *extra_node, *extra_val; /* one more node, e.g. another connector */
};

static int publish(struct hf *hf, const struct publish *p)
{
	char req_ref[16], req_chan[16], evt_ref[16], evt_chan[16];
	char path[192];
	const struct {
		const char *node, *val;
	} nodes[] = {
		{XENDISPL_FIELD_FE_VERSION, p->version ? p->version : XENDISPL_PROTOCOL_VERSION},
		{"0/" XENDISPL_FIELD_REQ_RING_REF, p->req_ref ? p->req_ref : req_ref},
		{"0/" XENDISPL_FIELD_REQ_CHANNEL, p->req_chan ? p->req_chan : req_chan},
		{"0/" XENDISPL_FIELD_EVT_RING_REF, p->evt_ref ? p->evt_ref : evt_ref},
		{"0/" XENDISPL_FIELD_EVT_CHANNEL, p->evt_chan ? p->evt_chan : evt_chan},
		{p->extra_node, p->extra_val},
	};
	xs_transaction_t t;

	snprintf(req_ref, sizeof(req_ref), "%u", hf->req_page.refs[0]);
	snprintf(req_chan, sizeof(req_chan), "%d", hf->req_port);
	snprintf(evt_ref, sizeof(evt_ref), "%u", hf->evt_page.refs[0]);
	snprintf(evt_chan, sizeof(evt_chan), "%d", hf->evt_port);
	for (int tries = 0; tries < 16; tries++) {
		bool ok = true;

		t = xs_transaction_start(hf->xs);
		if (t == XBT_NULL)
			return -errno;
		for (size_t i = 0; ok && i < sizeof(nodes) / sizeof(nodes[0]); i++) {
			if (!nodes[i].node)
				continue;
			snprintf(path, sizeof(path), "%s/%s", hf->fe_path, nodes[i].node);
			ok = xs_write(hf->xs, t, path, nodes[i].val, strlen(nodes[i].val));
		}
		snprintf(path, sizeof(path), "%s/state", hf->fe_path);
		ok = ok && xs_write(hf->xs, t, path, "3", 1); /* Initialised */
		if (!ok) {
			int r = -errno;

			xs_transaction_end(hf->xs, t, true);
			return r;
		}
		if (xs_transaction_end(hf->xs, t, false))
			return 0;
		if (errno != EAGAIN)
			return -errno;
	}
	return -EAGAIN;
}

/*
 * Connect with what p says. Returns the backend state it settled in
 * (Connected, or Closing/Closed when it refused), or -errno.
 */
static int connect_with(struct hf *hf, const struct publish *p)
{
	int r = wait_be(hf, BIT(XenbusStateInitWait), "InitWait");

	if (r < 0)
		return r;
	r = conn_alloc(hf);
	if (!r)
		r = publish(hf, p);
	if (r) {
		conn_free(hf);
		return r;
	}
	r = wait_be(hf, BIT(XenbusStateConnected) | BE_CLOSED_ANY, "Connected or Closing");
	hf->connected = r == XenbusStateConnected;
	hf->next_id = 0;
	return r;
}

static int connect_plain(struct hf *hf)
{
	static const struct publish plain;
	int r = connect_with(hf, &plain);

	if (r == XenbusStateConnected)
		return 0;
	say("connect: backend state %d", r);
	return r < 0 ? r : -ECONNREFUSED;
}

/*
 * Back to a backend in InitWait, whatever state either side is in: Closing,
 * Closed, Initialising, each answered by the backend (it may skip Closing).
 */
static int reset(struct hf *hf)
{
	int r = 0;

	if (be_state(hf) == XenbusStateConnected) {
		fe_set_state(hf, XenbusStateClosing);
		r = wait_be(hf, BE_CLOSED_ANY, "Closing");
	}
	if (r >= 0 && be_state(hf) != XenbusStateInitWait) {
		fe_set_state(hf, XenbusStateClosed);
		r = wait_be(hf, BIT(XenbusStateClosed) | BIT(XenbusStateInitWait), "Closed");
	}
	if (r >= 0) {
		fe_set_state(hf, XenbusStateInitialising);
		r = wait_be(hf, BIT(XenbusStateInitWait), "InitWait");
	}
	conn_free(hf); /* the backend let go of the rings */
	return r < 0 ? r : 0;
}

/* ---- Cases ------------------------------------------------------------ */

/* A verdict: 0 ok, else fail; detail says what was seen. */
struct verdict {
	bool fail;
	char detail[256];
};

static void note(struct verdict *v, bool fail, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void note(struct verdict *v, bool fail, const char *fmt, ...)
{
	size_t len = strlen(v->detail);
	va_list ap;

	v->fail |= fail;
	if (len && len + 2 < sizeof(v->detail)) {
		strcat(v->detail, "; ");
		len += 2;
	}
	va_start(ap, fmt);
	vsnprintf(v->detail + len, sizeof(v->detail) - len, fmt, ap);
	va_end(ap);
}

/* A bad request must get an error status. */
static void expect_error(struct verdict *v, const char *what, int32_t st)
{
	note(v, st >= 0 || st == HF_NO_ANSWER, "%s: %s", what,
	     st == HF_NO_ANSWER ? "no answer"
	     : st >= 0		? "accepted"
				: strerror(-st)); /* Xen errno values are Linux's */
}

/* The connection must still serve. */
static void expect_serving(struct hf *hf, struct verdict *v)
{
	int r = probe(hf);

	note(v, r != 0, "%s", r ? "the connection no longer serves" : "still serving");
}

/* The backend must close the device, then serve a new connection. */
static void expect_closed(struct hf *hf, struct verdict *v)
{
	int r = wait_be(hf, BE_CLOSED_ANY, "Closing");

	note(v, r < 0, "%s", r < 0 ? "the device stayed open" : "the backend closed the device");
	if (reset(hf) || connect_plain(hf) || probe(hf)) {
		note(v, true, "no new connection served after it");
		return;
	}
	note(v, false, "a new connection served");
}

/* Publish, let the backend settle, and require it to refuse the connection. */
static void expect_refused(struct hf *hf, struct verdict *v, const struct publish *p)
{
	int r = connect_with(hf, p);

	note(v, r == XenbusStateConnected || r < 0, "backend %s",
	     r == XenbusStateConnected ? "connected"
	     : r < 0		       ? "gave no answer"
				       : "refused");
	if (reset(hf) || connect_plain(hf) || probe(hf)) {
		note(v, true, "no new connection served after it");
		return;
	}
	note(v, false, "a new connection served");
}

/* A fresh connection, or a failed verdict. */
static bool connected(struct hf *hf, struct verdict *v)
{
	if (connect_plain(hf)) {
		note(v, true, "no connection");
		return false;
	}
	return true;
}

/* A shared buffer of the probe's size (not created), or a failed verdict. */
static bool small_buffer(struct hf *hf, struct verdict *v, struct hbuf *b)
{
	if (buf_share(hf, HF_W * HF_H * 4 / ZD_PAGE_SIZE, 0, b)) {
		note(v, true, "cannot share");
		return false;
	}
	return true;
}

static void case_good(struct hf *hf, struct verdict *v)
{
	struct hbuf b;
	int32_t s;

	if (!connected(hf, v))
		return;
	expect_serving(hf, v);
	if (screen_buffer(hf, &b)) {
		note(v, true, "no screen buffer");
		return;
	}
	s = simple(hf, set_config_req(hf, b.cookie | 1ull << 63));
	note(v, s != 0, "SET_CONFIG status %d", s);
	s = simple(hf, flip_req(b.cookie | 1ull << 63));
	note(v, s != 0, "PG_FLIP status %d", s);
	s = simple(hf, set_config_req(hf, 0));
	note(v, s != 0, "reset status %d", s);
	s = fb_detach(hf, b.cookie | 1ull << 63);
	s = s ? s : dbuf_destroy(hf, b.cookie);
	note(v, s != 0, "teardown status %d", s);
	buf_unshare(hf, &b);
}

static void case_bad_op(struct hf *hf, struct verdict *v)
{
	static const uint8_t ops[] = {0x00, 0x01, 0x17, 0x7f, 0xff};

	if (!connected(hf, v))
		return;
	for (size_t i = 0; i < sizeof(ops); i++) {
		struct xendispl_req req = {.operation = ops[i]};
		char what[16];

		memset(req.op.reserved, 0xa5, sizeof(req.op.reserved));
		snprintf(what, sizeof(what), "op %#x", ops[i]);
		expect_error(v, what, simple(hf, req));
	}
	expect_serving(hf, v);
}

static void case_overflow(struct hf *hf, struct verdict *v)
{
	struct hbuf b;
	struct xendispl_req req;

	if (!connected(hf, v))
		return;
	if (!small_buffer(hf, v, &b))
		return;
	req = dbuf_create_req(&b, UINT32_MAX, UINT32_MAX);
	expect_error(v, "4G x 4G", simple(hf, req));
	req = dbuf_create_req(&b, 65536, 65537);
	req.op.dbuf_create.buffer_sz = 0; /* w*h*4 wraps to 2^34 + 2^18 */
	expect_error(v, "wrapping size", simple(hf, req));
	req = dbuf_create_req(&b, HF_W, HF_H);
	req.op.dbuf_create.buffer_sz = UINT32_MAX;
	expect_error(v, "buffer_sz 4G-1", simple(hf, req));
	req = dbuf_create_req(&b, HF_W, HF_H);
	req.op.dbuf_create.buffer_sz = HF_W * HF_H * 2;
	expect_error(v, "buffer_sz short", simple(hf, req));
	req = dbuf_create_req(&b, HF_W, HF_H);
	req.op.dbuf_create.bpp = 0;
	expect_error(v, "bpp 0", simple(hf, req));
	req = dbuf_create_req(&b, HF_W, HF_H);
	req.op.dbuf_create.data_ofs = UINT32_MAX;
	expect_error(v, "data_ofs 4G-1", simple(hf, req));
	req = (struct xendispl_req){.operation = XENDISPL_OP_GET_EDID};
	req.op.get_edid = (struct xendispl_get_edid_req){UINT32_MAX, b.dir.refs[0]};
	expect_error(v, "GET_EDID 4G-1", simple(hf, req));
	buf_unshare(hf, &b);
	expect_serving(hf, v);
}

static void case_foreign_gref(struct hf *hf, struct verdict *v)
{
	struct hbuf b;
	struct xendispl_req req;

	if (!connected(hf, v))
		return;
	if (!small_buffer(hf, v, &b))
		return;
	req = dbuf_create_req(&b, HF_W, HF_H);
	req.op.dbuf_create.gref_directory = HF_FOREIGN_GREF;
	expect_error(v, "directory never granted", simple(hf, req));
	dir_page(&b, 0)->gref[1] = HF_FOREIGN_GREF;
	expect_error(v, "data page never granted", simple(hf, dbuf_create_req(&b, HF_W, HF_H)));
	dir_page(&b, 0)->gref[1] = ZD_GREF_INVALID;
	expect_error(v, "data gref 0", simple(hf, dbuf_create_req(&b, HF_W, HF_H)));
	dir_page(&b, 0)->gref[1] = b.data.refs[1];
	dir_page(&b, 0)->gref[2] = b.dir.refs[0]; /* the directory itself, read-only */
	req = dbuf_create_req(&b, HF_W, HF_H);
	note(v, false, "data page = its directory: status %d", simple(hf, req));
	dbuf_destroy(hf, b.cookie);
	buf_unshare(hf, &b);
	expect_serving(hf, v);
}

/* Directories of a buffer that needs three pages, bent three ways. */
static void case_dir_chain(struct hf *hf, struct verdict *v)
{
	uint32_t pages = 2 * (uint32_t)ZD_GREFS_PER_DIR_PAGE + 50, w = 1024;
	uint32_t h = pages * ZD_PAGE_SIZE / (w * 4);
	struct hbuf b;

	if (!connected(hf, v))
		return;
	if (buf_share(hf, pages, 4, &b)) /* 3 needed, one spare for "too long" */
	{
		note(v, true, "cannot share");
		return;
	}
	dir_page(&b, 2)->gref_dir_next_page = ZD_GREF_INVALID;
	dir_page(&b, 1)->gref_dir_next_page = b.dir.refs[0];
	expect_error(v, "loop", simple(hf, dbuf_create_req(&b, w, h)));
	dir_page(&b, 1)->gref_dir_next_page = ZD_GREF_INVALID;
	expect_error(v, "short", simple(hf, dbuf_create_req(&b, w, h)));
	dir_page(&b, 1)->gref_dir_next_page = b.dir.refs[2];
	dir_page(&b, 2)->gref_dir_next_page = b.dir.refs[3];
	expect_error(v, "long", simple(hf, dbuf_create_req(&b, w, h)));
	dir_page(&b, 2)->gref_dir_next_page = ZD_GREF_INVALID;
	note(v, simple(hf, dbuf_create_req(&b, w, h)) != 0, "well formed: created");
	note(v, dbuf_destroy(hf, b.cookie) != 0, "destroyed");
	buf_unshare(hf, &b);
	expect_serving(hf, v);
}

static void case_cookies(struct hf *hf, struct verdict *v)
{
	struct hbuf b;
	uint64_t fb;

	if (!connected(hf, v))
		return;
	if (screen_buffer(hf, &b)) {
		note(v, true, "no screen buffer");
		return;
	}
	fb = b.cookie | 1ull << 63;
	expect_error(v, "DBUF_CREATE again",
		     simple(hf, dbuf_create_req(&b, hf->width, hf->height)));
	expect_error(v, "FB_ATTACH again", fb_attach(hf, b.cookie, fb, hf->width, hf->height));
	expect_error(v, "FB_ATTACH unknown dbuf", fb_attach(hf, ~0ull, 7, hf->width, hf->height));
	expect_error(v, "FB_ATTACH larger than dbuf",
		     fb_attach(hf, b.cookie, 8, hf->width + 1, hf->height));
	expect_error(v, "PG_FLIP unknown fb", simple(hf, flip_req(12345)));
	expect_error(v, "SET_CONFIG unknown fb", simple(hf, set_config_req(hf, 12345)));
	expect_error(v, "FB_DETACH unknown fb", fb_detach(hf, 12345));
	expect_error(v, "DBUF_DESTROY unknown", dbuf_destroy(hf, 12345));
	note(v, fb_detach(hf, fb) != 0, "detached");
	note(v, dbuf_destroy(hf, b.cookie) != 0, "destroyed");
	expect_error(v, "DBUF_DESTROY twice", dbuf_destroy(hf, b.cookie));
	buf_unshare(hf, &b);
	expect_serving(hf, v);
}

static void case_ring_prod_ahead(struct hf *hf, struct verdict *v)
{
	if (!connected(hf, v))
		return;
	hf->ring.sring->req_prod = hf->ring.req_prod_pvt + RING_SIZE(&hf->ring) + HF_SKEW;
	xen_mb();
	notify(hf, hf->req_port);
	expect_closed(hf, v);
}

static void case_ring_prod_back(struct hf *hf, struct verdict *v)
{
	if (!connected(hf, v))
		return;
	expect_serving(hf, v); /* the indices are past 0 now */
	hf->ring.sring->req_prod = hf->ring.req_prod_pvt - 3;
	xen_mb();
	notify(hf, hf->req_port);
	expect_closed(hf, v);
}

static void case_evt_cons(struct hf *hf, struct verdict *v)
{
	struct hbuf b;
	uint64_t fb;
	uint32_t prod;
	int64_t deadline;

	if (!connected(hf, v))
		return;
	if (screen_buffer(hf, &b)) {
		note(v, true, "no screen buffer");
		return;
	}
	fb = b.cookie | 1ull << 63;
	note(v, simple(hf, set_config_req(hf, fb)) != 0, "mode set");
	prod = hf->evt->in_prod;
	hf->evt->in_cons = prod + HF_SKEW; /* ahead of the producer: garbage */
	xen_mb();
	note(v, simple(hf, flip_req(fb)) != 0, "flip with garbage in_cons answered");
	/* The flip's event cannot go anywhere: it must not land on the page. */
	deadline = now_ms() + 1500;
	while (now_ms() < deadline)
		evtchn_wait(hf, 100);
	note(v, hf->evt->in_prod != prod, "events written meanwhile: %u", hf->evt->in_prod - prod);
	hf->evt->in_cons = hf->evt->in_prod;
	xen_mb();
	prod = hf->evt->in_prod;
	note(v, simple(hf, flip_req(fb)) != 0, "flip after repair answered");
	deadline = now_ms() + hf->timeout_ms;
	while (hf->evt->in_prod == prod && now_ms() < deadline)
		evtchn_wait(hf, 100);
	note(v, hf->evt->in_prod == prod, "flip event after repair: %s",
	     hf->evt->in_prod == prod ? "none" : "came");
	hf->evt->in_cons = hf->evt->in_prod;
	simple(hf, set_config_req(hf, 0));
	fb_detach(hf, fb);
	dbuf_destroy(hf, b.cookie);
	buf_unshare(hf, &b);
	expect_serving(hf, v);
}

static void case_xs_version(struct hf *hf, struct verdict *v)
{
	const struct publish p = {.version = "2abc"};

	expect_refused(hf, v, &p);
}

static void case_xs_ring_ref(struct hf *hf, struct verdict *v)
{
	const struct publish p = {.req_ref = "-1"};

	expect_refused(hf, v, &p);
}

static void case_xs_foreign_ring(struct hf *hf, struct verdict *v)
{
	const struct publish p = {.evt_ref = "912345"};

	expect_refused(hf, v, &p);
}

static void case_xs_huge(struct hf *hf, struct verdict *v)
{
	static char huge[HF_BIG_VALUE + 1];
	const struct publish p = {.req_chan = huge};

	memset(huge, '7', sizeof(huge) - 1);
	expect_refused(hf, v, &p);
}

/* Connector 5, its node 2000 octets long: ignored, not read. */
static void case_xs_other_conn(struct hf *hf, struct verdict *v)
{
	static char huge[HF_BIG_VALUE + 1];
	const struct publish p = {.extra_node = "5/req-ring-ref", .extra_val = huge};
	int r;

	memset(huge, 'x', sizeof(huge) - 1);
	r = connect_with(hf, &p);
	note(v, r != XenbusStateConnected, "backend %s",
	     r == XenbusStateConnected ? "connected" : "did not connect");
	if (r == XenbusStateConnected)
		expect_serving(hf, v);
}

/* Rewrite node with state-like garbage as fast as xenstore takes it. */
static unsigned long flap(struct hf *hf, const char *node)
{
	static const char *const vals[] = {"1", "3", "4", "5", "1", "6", "2", "x", "99", "4"};
	int64_t end = now_ms() + 1000LL * hf->seconds;
	unsigned long n = 0;

	while (now_ms() < end)
		for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++, n++)
			fe_write(hf, node, vals[i]);
	say("wrote the %s node %lu times", node, n);
	return n;
}

/* The state node rewritten as fast as xenstore takes it, with garbage. */
static void case_state_flap(struct hf *hf, struct verdict *v)
{
	note(v, false, "%lu state writes", flap(hf, "state"));
	if (reset(hf) || connect_plain(hf) || probe(hf)) {
		note(v, true, "no connection served after it");
		return;
	}
	note(v, false, "a new connection served");
}

/*
 * state-flap's writes to a node beside state that no backend watches: what
 * they cost xenstored and this guest's own kernel (its xenbus watches all
 * of device/) without the backend. The reference for state-flap.
 */
static void case_node_flap(struct hf *hf, struct verdict *v)
{
	if (!connected(hf, v))
		return;
	note(v, false, "%lu flap writes", flap(hf, "flap"));
	expect_serving(hf, v);
}

/*
 * Keep the request ring full for --seconds and never read a response: as
 * the backend answers, the slots it freed get new requests. make(i) makes
 * request i.
 */
static unsigned long flood(struct hf *hf, struct xendispl_req (*make)(void *, unsigned long),
			   void *ctx)
{
	int64_t end = now_ms() + 1000LL * hf->seconds;
	unsigned long n = 0;

	while (now_ms() < end && be_state(hf) == XenbusStateConnected) {
		RING_IDX rsp = hf->ring.sring->rsp_prod;

		xen_rmb();
		while (hf->ring.req_prod_pvt - rsp < RING_SIZE(&hf->ring)) {
			struct xendispl_req req = make(ctx, n++);

			req.id = hf->next_id++;
			*RING_GET_REQUEST(&hf->ring, hf->ring.req_prod_pvt) = req;
			hf->ring.req_prod_pvt++;
		}
		xen_wmb();
		hf->ring.sring->req_prod = hf->ring.req_prod_pvt;
		hf->ring.sring->rsp_event = rsp + 1; /* a kick for progress */
		xen_mb();
		notify(hf, hf->req_port);
		evtchn_wait(hf, 20);
	}
	/* What was answered is skipped unread: the connection goes on from here. */
	hf->ring.rsp_cons = hf->ring.sring->rsp_prod;
	return n;
}

static struct xendispl_req make_bad_op(void *ctx, unsigned long i)
{
	(void)ctx, (void)i;
	return (struct xendispl_req){.operation = 0x7f};
}

static struct xendispl_req make_flip(void *ctx, unsigned long i)
{
	(void)i;
	return flip_req(*(uint64_t *)ctx);
}

struct modeset_ctx {
	struct hf *hf;
	uint64_t fb;
};

static struct xendispl_req make_modeset(void *ctx, unsigned long i)
{
	struct modeset_ctx *m = ctx;

	return set_config_req(m->hf, i % 2 ? 0 : m->fb);
}

/* Drain what the flood left in flight, then check the connection. */
static void flood_end(struct hf *hf, struct verdict *v, unsigned long n)
{
	int64_t deadline = now_ms() + hf->timeout_ms;

	while (hf->ring.req_prod_pvt != hf->ring.sring->rsp_prod && now_ms() < deadline)
		evtchn_wait(hf, 100);
	hf->ring.rsp_cons = hf->ring.sring->rsp_prod;
	say("pushed %lu requests in %d s, none of their answers read", n, hf->seconds);
	note(v, be_state(hf) != XenbusStateConnected, "%lu requests pushed", n);
}

static void case_flood_op(struct hf *hf, struct verdict *v)
{
	if (!connected(hf, v))
		return;
	flood_end(hf, v, flood(hf, make_bad_op, NULL));
	expect_serving(hf, v);
}

/* flip != 0: PG_FLIP over and over; else SET_CONFIG and reset in turn. */
static void flood_screen(struct hf *hf, struct verdict *v, bool flips)
{
	struct hbuf b;
	uint64_t fb;
	unsigned long n;

	if (!connected(hf, v))
		return;
	if (screen_buffer(hf, &b)) {
		note(v, true, "no screen buffer");
		return;
	}
	fb = b.cookie | 1ull << 63;
	note(v, simple(hf, set_config_req(hf, fb)) != 0, "mode set");
	if (flips) {
		n = flood(hf, make_flip, &fb);
	} else {
		struct modeset_ctx m = {hf, fb};

		n = flood(hf, make_modeset, &m);
	}
	flood_end(hf, v, n);
	hf->evt->in_cons = hf->evt->in_prod;
	simple(hf, set_config_req(hf, 0));
	fb_detach(hf, fb);
	dbuf_destroy(hf, b.cookie);
	buf_unshare(hf, &b);
	expect_serving(hf, v);
}

static void case_flood_flip(struct hf *hf, struct verdict *v)
{
	flood_screen(hf, v, true);
}

static void case_flood_modeset(struct hf *hf, struct verdict *v)
{
	flood_screen(hf, v, false);
}

/*
 * Connect, make a buffer and two framebuffers, set a mode, queue four
 * flips and drop the connection at once (Initialising), over and over.
 */
static void case_churn(struct hf *hf, struct verdict *v)
{
	int64_t end = now_ms() + 1000LL * hf->seconds;
	unsigned long cycles = 0;

	while (now_ms() < end) {
		struct hbuf b;
		uint64_t fb;
		struct xendispl_req req;

		if (connect_plain(hf)) {
			note(v, true, "no connection after %lu cycles", cycles);
			return;
		}
		if (screen_buffer(hf, &b)) {
			note(v, true, "no screen buffer after %lu cycles", cycles);
			return;
		}
		fb = b.cookie | 1ull << 63;
		if (fb_attach(hf, b.cookie, fb + 1, hf->width, hf->height)) {
			note(v, true, "no second fb after %lu cycles", cycles);
			buf_unshare(hf, &b);
			return;
		}
		req = set_config_req(hf, fb);
		push_request(hf, &req);
		for (int i = 0; i < 4; i++) {
			req = flip_req(i % 2 ? fb + 1 : fb);
			push_request(hf, &req);
		}
		fe_set_state(hf, XenbusStateInitialising); /* and never look back */
		if (wait_be(hf, BIT(XenbusStateInitWait), "InitWait") < 0) {
			note(v, true, "the backend did not start over after %lu cycles", cycles);
			return;
		}
		conn_free(hf);
		buf_unshare(hf, &b);
		cycles++;
	}
	say("%lu connect-and-drop cycles", cycles);
	note(v, false, "%lu cycles", cycles);
	if (connect_plain(hf) || probe(hf)) {
		note(v, true, "no connection served after it");
		return;
	}
	note(v, false, "a new connection served");
}

/*
 * Buffers of 1 MiB until the backend refuses one: the refusal must be a
 * clean error, and every buffer must go again.
 */
static void case_exhaust(struct hf *hf, struct verdict *v)
{
	enum { MAX = 1024 };
	struct hbuf *b = calloc(MAX, sizeof(*b));
	uint32_t n = 0, bad = 0;
	int32_t st = 0;

	if (!b) {
		note(v, true, "out of memory");
		return;
	}
	if (connect_plain(hf)) {
		free(b);
		note(v, true, "no connection");
		return;
	}
	while (n < MAX) {
		if (buf_share(hf, 256, 0, &b[n])) {
			note(v, true, "this guest ran out of pages to share first");
			break;
		}
		st = simple(hf, dbuf_create_req(&b[n], 512, 512));
		if (st) {
			buf_unshare(hf, &b[n]);
			break;
		}
		n++;
	}
	say("created %u buffers of 1 MiB; the next: status %d", n, st);
	printf("exhaust buffers=%u status=%d\n", n, st);
	expect_error(v, "refused", st);
	for (uint32_t i = 0; i < n; i++) {
		bad += dbuf_destroy(hf, b[i].cookie) != 0;
		buf_unshare(hf, &b[i]);
	}
	note(v, bad != 0, "%u of %u not destroyed", bad, n);
	free(b);
	expect_serving(hf, v);
}

/*
 * The hold cases: set up to a stage, say "holding STAGE", and keep that
 * (or keep flipping, or asking for the EDID) for --seconds, for the
 * scenario to destroy the guest meanwhile. be-alloc asks the backend to
 * allocate the buffer (the device needs be-alloc=1); be-alloc-mapped then
 * maps the backend's pages through gntdev, writes them and destroys the
 * buffer while they stay mapped, so their grants cannot end.
 */
enum hold { HOLD_DBUF, HOLD_FB, HOLD_FLIPS, HOLD_EDID, HOLD_BE_ALLOC, HOLD_BE_ALLOC_MAPPED };

/*
 * Map the npages the backend granted into b's directory, write each and
 * read it back, then destroy the buffer: the mapping stays. NULL on error.
 */
static void *map_and_destroy(struct hf *hf, struct verdict *v, struct hbuf *b, uint32_t npages,
			     xengnttab_handle **gt)
{
	const struct xendispl_page_directory *d = dir_page(b, 0);
	uint8_t *map;
	uint32_t bad = 0;
	int32_t s;

	*gt = xengnttab_open(NULL, 0);
	if (!*gt) {
		note(v, true, "gntdev: %s", strerror(errno));
		return NULL;
	}
	xengnttab_set_max_grants(*gt, npages);
	map = xengnttab_map_domain_grant_refs(*gt, npages, hf->be_domid, (uint32_t *)d->gref,
					      PROT_READ | PROT_WRITE);
	if (!map) {
		note(v, true, "mapping the backend's %u pages: %s", npages, strerror(errno));
		return NULL;
	}
	for (uint32_t i = 0; i < npages; i++) {
		bad += map[(size_t)i * ZD_PAGE_SIZE] != 0; /* the helper zeroes them */
		map[(size_t)i * ZD_PAGE_SIZE] = (uint8_t)(i | 1);
	}
	for (uint32_t i = 0; i < npages; i++)
		bad += map[(size_t)i * ZD_PAGE_SIZE] != (uint8_t)(i | 1);
	note(v, bad != 0, "%u of %u pages not zeroed or not writable", bad, npages);
	s = dbuf_destroy(hf, b->cookie);
	note(v, s != 0, "DBUF_DESTROY while mapped: status %d", s);
	return map;
}

static void hold(struct hf *hf, struct verdict *v, enum hold what)
{
	static const char *const names[] = {"dbuf", "fb",	"flips",
					    "edid", "be-alloc", "be-alloc-mapped"};
	uint32_t npages = ZD_DIV_ROUND_UP(hf->width * hf->height * 4, (uint32_t)ZD_PAGE_SIZE);
	int64_t end = now_ms() + 1000LL * hf->seconds;
	xengnttab_handle *gt = NULL;
	unsigned long n = 0;
	void *mapped = NULL;
	struct hbuf b;
	uint64_t fb;
	int32_t s;

	if (!connected(hf, v))
		return;
	if (what == HOLD_BE_ALLOC || what == HOLD_BE_ALLOC_MAPPED) {
		struct xendispl_req req;

		if (buf_share(hf, 0, 1, &b)) { /* the directory only: the backend fills it */
			note(v, true, "cannot share");
			return;
		}
		req = dbuf_create_req(&b, hf->width, hf->height);
		req.op.dbuf_create.flags = XENDISPL_DBUF_FLG_REQ_ALLOC;
		s = simple(hf, req);
		b.data = (struct shared){0};
		if (!s && what == HOLD_BE_ALLOC_MAPPED) {
			mapped = map_and_destroy(hf, v, &b, npages, &gt);
			s = mapped ? 0 : -1;
		}
	} else {
		s = screen_buffer(hf, &b) ? -1 : 0;
		if (!s && what == HOLD_DBUF)
			s = fb_detach(hf, b.cookie | 1ull << 63);
	}
	if (s) {
		note(v, true, "setup: status %d", s);
		return;
	}
	fb = b.cookie | 1ull << 63;
	if (what == HOLD_FLIPS)
		note(v, simple(hf, set_config_req(hf, fb)) != 0, "mode set");
	/* What was checked so far, for the scenario to judge before the destroy. */
	printf("holding %s: %s%s%s\n", names[what], v->fail ? "FAIL" : "ok",
	       v->detail[0] ? ": " : "", v->detail);
	while (now_ms() < end) {
		if (what == HOLD_FLIPS) {
			s = simple(hf, flip_req(fb));
			hf->evt->in_cons = hf->evt->in_prod; /* events taken, unread */
		} else if (what == HOLD_EDID) {
			struct xendispl_req req = {.operation = XENDISPL_OP_GET_EDID};

			req.op.get_edid =
				(struct xendispl_get_edid_req){ZD_PAGE_SIZE, b.dir.refs[0]};
			s = simple(hf, req);
		} else {
			evtchn_wait(hf, 1000);
			continue;
		}
		if (s && s != -XEN_EBUSY) {
			note(v, true, "request %lu: status %d", n, s);
			break;
		}
		n++;
	}
	note(v, false, "held %s for %d s, %lu requests", names[what], hf->seconds, n);
	if (mapped)
		xengnttab_unmap(gt, mapped, npages);
	if (gt)
		xengnttab_close(gt);
	buf_unshare(hf, &b);
}

static void case_hold_dbuf(struct hf *hf, struct verdict *v)
{
	hold(hf, v, HOLD_DBUF);
}

static void case_hold_fb(struct hf *hf, struct verdict *v)
{
	hold(hf, v, HOLD_FB);
}

static void case_hold_flips(struct hf *hf, struct verdict *v)
{
	hold(hf, v, HOLD_FLIPS);
}

static void case_hold_edid(struct hf *hf, struct verdict *v)
{
	hold(hf, v, HOLD_EDID);
}

static void case_hold_be_alloc(struct hf *hf, struct verdict *v)
{
	hold(hf, v, HOLD_BE_ALLOC);
}

static void case_hold_be_alloc_mapped(struct hf *hf, struct verdict *v)
{
	hold(hf, v, HOLD_BE_ALLOC_MAPPED);
}

struct hf_case {
	const char *name;
	const char *what;
	void (*run)(struct hf *hf, struct verdict *v);
};

static const struct hf_case cases[] = {
	{"good", "a well-formed session: buffer, fb, mode, flip, teardown", case_good},
	{"bad-op", "unknown opcodes with garbage payloads", case_bad_op},
	{"overflow", "DBUF_CREATE/GET_EDID sizes that overflow or do not add up", case_overflow},
	{"foreign-gref", "directory and data grefs never granted, gref 0", case_foreign_gref},
	{"dir-chain", "a 3-page directory that loops, is short, is long", case_dir_chain},
	{"cookies", "cookie reuse, unknown cookies, double destroy", case_cookies},
	{"ring-prod-ahead", "req_prod 1000 past a full ring", case_ring_prod_ahead},
	{"ring-prod-back", "req_prod moved backwards", case_ring_prod_back},
	{"evt-cons", "event page in_cons ahead of in_prod, then repaired", case_evt_cons},
	{"xs-version", "version \"2abc\"", case_xs_version},
	{"xs-ring-ref", "req-ring-ref \"-1\"", case_xs_ring_ref},
	{"xs-foreign-ring", "evt-ring-ref never granted", case_xs_foreign_ring},
	{"xs-huge", "a 2000-octet req-event-channel", case_xs_huge},
	{"xs-other-conn", "nodes of a connector the device does not have", case_xs_other_conn},
	{"state-flap", "state rewritten with garbage for --seconds", case_state_flap},
	{"node-flap", "as state-flap, a node no backend watches (its reference)", case_node_flap},
	{"flood-op", "ring kept full of unknown opcodes, answers never read", case_flood_op},
	{"flood-flip", "ring kept full of PG_FLIPs, answers never read", case_flood_flip},
	{"flood-modeset", "ring kept full of SET_CONFIG and reset in turn", case_flood_modeset},
	{"churn", "connect, buffer, 2 fbs, mode, 4 flips, drop; for --seconds", case_churn},
	{"exhaust", "1 MiB buffers until the backend refuses one", case_exhaust},
	{"hold-dbuf", "hold a buffer for --seconds", case_hold_dbuf},
	{"hold-fb", "hold a buffer with an fb attached", case_hold_fb},
	{"hold-flips", "flip a shown fb, answers awaited, for --seconds", case_hold_flips},
	{"hold-edid", "ask for the EDID over and over", case_hold_edid},
	{"hold-be-alloc", "hold a buffer the backend allocated (be-alloc=1)", case_hold_be_alloc},
	{"hold-be-alloc-mapped", "map a be-alloc buffer's pages, destroy it, keep them mapped",
	 case_hold_be_alloc_mapped},
};

static const struct hf_case *case_by_name(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (strlen(cases[i].name) == len && !strncmp(cases[i].name, name, len))
			return &cases[i];
	return NULL;
}

/* ---- Setup and teardown -------------------------------------------------- */

static void raise_gntalloc_limit(void)
{
	FILE *f = fopen(HF_GNTALLOC_LIMIT, "w");

	if (!f)
		return;
	fprintf(f, "%d\n", HF_GNTALLOC_PAGES);
	fclose(f);
}

static int hf_open(struct hf *hf)
{
	char res[32], path[160];
	uint32_t domid;
	int fl;

	hf->req_port = hf->evt_port = -1;
	raise_gntalloc_limit();
	hf->xs = xs_open(0);
	hf->evtchn = xenevtchn_open(NULL, 0);
	hf->gs = xengntshr_open(NULL, 0);
	if (!hf->xs || !hf->evtchn || !hf->gs) {
		say("cannot open xenstore, event channels or gntalloc: %s", strerror(errno));
		return -errno;
	}
	fl = fcntl(xenevtchn_fd(hf->evtchn), F_GETFL);
	if (fl < 0 || fcntl(xenevtchn_fd(hf->evtchn), F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	if (zd_xs_read_uint(hf->xs, NULL, "domid", 1, 0x7fef, &domid)) {
		say("cannot read our domid");
		return -ENOENT;
	}
	snprintf(hf->fe_path, sizeof(hf->fe_path), "/local/domain/%u/device/%s/%u", domid,
		 XENDISPL_DRIVER_NAME, hf->devid);
	if (zd_xs_read_uint(hf->xs, hf->fe_path, "backend-id", 0, 0x7fef, &hf->be_domid) ||
	    zd_xs_read_str(hf->xs, hf->fe_path, "backend", hf->be_path, sizeof(hf->be_path)) ||
	    zd_xs_read_str(hf->xs, hf->fe_path, "0/" XENDISPL_FIELD_RESOLUTION, res, sizeof(res)) ||
	    zd_parse_resolution(res, ZD_MAX_DIMENSION, &hf->width, &hf->height)) {
		say("no vdispl device 0 with a connector 0 at %s", hf->fe_path);
		return -ENOENT;
	}
	snprintf(path, sizeof(path), "%s/state", hf->be_path);
	if (!xs_watch(hf->xs, path, "be")) {
		say("cannot watch %s: %s", path, strerror(errno));
		return -errno;
	}
	say("device %s, backend %s (dom%u), connector 0 %ux%u", hf->fe_path, hf->be_path,
	    hf->be_domid, hf->width, hf->height);
	return 0;
}

static void hf_close(struct hf *hf)
{
	conn_free(hf);
	if (hf->gs)
		xengntshr_close(hf->gs);
	if (hf->evtchn)
		xenevtchn_close(hf->evtchn);
	if (hf->xs)
		xs_close(hf->xs);
}

/* ---- main ---------------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f, "usage: zdispl-hostile-front --case NAME[,NAME...] [--seconds S] [--timeout S]\n"
		   "       zdispl-hostile-front --list\n"
		   "A displif frontend for vdispl device 0 of this domain that misbehaves as\n"
		   "each NAME says, in turn; one verdict line per case.\n"
		   "  --seconds S   how long the flood, flap and churn cases last (10)\n"
		   "  --timeout S   wait at most S s for each backend state change (30)\n"
		   "  --device N    play vdispl device N (0)\n");
}

static int parse_seconds(const char *s, int *out)
{
	uint32_t v;

	if (zd_parse_uint(s, 1, 3600, &v))
		return -1;
	*out = (int)v;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"case", required_argument, NULL, 'c'},
		{"seconds", required_argument, NULL, 's'},
		{"timeout", required_argument, NULL, 't'},
		{"device", required_argument, NULL, 'd'},
		{"list", no_argument, NULL, 'L'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct hf hf = {.seconds = 10};
	const char *list = NULL;
	int timeout_s = 30, opt, failed = 0;

	say_init();
	while ((opt = getopt_long(argc, argv, "c:s:t:d:Lh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			list = optarg;
			break;
		case 's':
		case 't':
			if (parse_seconds(optarg, opt == 's' ? &hf.seconds : &timeout_s)) {
				fprintf(stderr, "error: seconds 1..3600 wanted, not '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'd':
			if (zd_parse_uint(optarg, 0, 0xffff, &hf.devid)) {
				fprintf(stderr, "error: a device number wanted, not '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'L':
			for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
				printf("%-16s %s\n", cases[i].name, cases[i].what);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!list || optind < argc) {
		usage(stderr);
		return 2;
	}
	for (const char *p = list; *p;) {
		size_t len = strcspn(p, ",");

		if (!case_by_name(p, len)) {
			fprintf(stderr, "error: unknown case '%.*s' (see --list)\n", (int)len, p);
			return 2;
		}
		p += len + (p[len] == ',');
	}
	hf.timeout_ms = timeout_s * 1000;
	if (hf_open(&hf)) {
		hf_close(&hf);
		return 1;
	}
	for (const char *p = list; *p;) {
		size_t len = strcspn(p, ",");
		const struct hf_case *cs = case_by_name(p, len);
		struct verdict v = {0};

		say("case %s: %s", cs->name, cs->what);
		cs->run(&hf, &v);
		if (reset(&hf))
			note(&v, true, "the device did not come back to InitWait");
		printf("case %s: %s %s\n", cs->name, v.fail ? "FAIL" : "ok", v.detail);
		failed += v.fail;
		p += len + (p[len] == ',');
	}
	hf_close(&hf);
	say("%d case(s) failed", failed);
	return failed ? 1 : 0;
}

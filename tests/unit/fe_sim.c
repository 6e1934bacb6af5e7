// SPDX-License-Identifier: GPL-2.0
/* fe_sim.c: see fe_sim.h. */
#include "fe_sim.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xen/io/xenbus.h>

#include "fakexen/fakexen.h"
#include "loop.h"

static void xs_set(const char *dir, const char *node, const char *val)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/%s", dir, node);
	fx_xs_write(0, path, val);
}

static void fe_set(struct sim *s, const char *node, const char *val)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/%s", s->fe_path, node);
	fx_xs_write(s->fe_domid, path, val);
}

static bool fd_readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1;
}

void sim_pump(struct sim *s)
{
	/* Bounded: a daemon that keeps generating events is a test failure. */
	for (int i = 0; i < 64; i++) {
		bool xs = fd_readable(xs_fileno(s->be->xs));
		bool ev = fd_readable(xenevtchn_fd(s->be->evtchn));

		if (!xs && !ev)
			return;
		if (xs)
			zd_backend_xs_event(s->be);
		if (ev)
			zd_backend_evtchn_event(s->be);
	}
}

int sim_be_state(struct sim *s)
{
	char path[160];
	const char *v;

	snprintf(path, sizeof(path), "%s/state", s->be_path);
	v = fx_xs_read(path);
	return v ? atoi(v) : -1;
}

void sim_set_fe_state(struct sim *s, int state)
{
	char buf[8];

	snprintf(buf, sizeof(buf), "%d", state);
	fe_set(s, "state", buf);
	sim_pump(s);
}

int sim_start(struct sim *s, unsigned int nconns, const char *const *resolutions,
	      unsigned int outputs)
{
	struct zd_limits lim = { ZD_DEF_BUFFER_BYTES, ZD_DEF_BUFFERS, ZD_DEF_FBS };
	char buf[64];
	int r;

	memset(s, 0, sizeof(*s));
	s->fe_domid = SIM_FE_DOMID;
	s->nconns = nconns;
	snprintf(s->fe_path, sizeof(s->fe_path), "/local/domain/%u/device/vdispl/0", s->fe_domid);
	snprintf(s->be_path, sizeof(s->be_path), "/local/domain/0/backend/vdispl/%u/0",
		 s->fe_domid);

	/* What libxl writes for vdispl = [ '...' ]. */
	fx_xs_write(0, "/local/domain/0/domid", "0");
	xs_set(s->be_path, "frontend", s->fe_path);
	snprintf(buf, sizeof(buf), "%u", s->fe_domid);
	xs_set(s->be_path, "frontend-id", buf);
	xs_set(s->be_path, "online", "1");
	xs_set(s->be_path, "state", "1");
	xs_set(s->fe_path, "backend", s->be_path);
	xs_set(s->fe_path, "backend-id", "0");
	xs_set(s->fe_path, "state", "1");
	xs_set(s->fe_path, "be-alloc", "0");
	for (unsigned int i = 0; i < nconns; i++) {
		char dir[128];

		snprintf(dir, sizeof(dir), "%s/%u", s->fe_path, i);
		xs_set(dir, "resolution", resolutions[i]);
		snprintf(buf, sizeof(buf), "Fake-%u", i + 1);
		xs_set(dir, "unique-id", buf);
	}

	r = zd_loop_new(&s->loop);
	if (r)
		return r;
	if (outputs) {
		s->display = fake_display_new(outputs);
		if (!s->display)
			return -ENOMEM;
	}
	r = zd_backend_new(s->loop, s->display, &lim, &s->be);
	if (r)
		return r;
	sim_pump(s);
	return 0;
}

unsigned int sim_stop(struct sim *s)
{
	zd_backend_free(s->be);
	zd_display_close(s->display);
	zd_loop_free(s->loop);
	s->be = NULL;
	return fx_live_handles();
}

int sim_fe_connect(struct sim *s)
{
	char dir[128], buf[32];

	fe_set(s, "version", XENDISPL_PROTOCOL_VERSION);
	for (unsigned int i = 0; i < s->nconns; i++) {
		struct sim_conn *c = &s->conns[i];
		struct xen_displif_sring *sring;
		int p;

		c->req_ref = (grant_ref_t)fx_gnt_grant(s->fe_domid, 0, false);
		c->evt_ref = (grant_ref_t)fx_gnt_grant(s->fe_domid, 0, false);
		sring = fx_gnt_page(s->fe_domid, c->req_ref);
		c->evt_page = fx_gnt_page(s->fe_domid, c->evt_ref);
		if (!sring || !c->evt_page)
			return -ENOMEM;
		SHARED_RING_INIT(sring);
		FRONT_RING_INIT(&c->ring, sring, ZD_PAGE_SIZE);
		p = fx_evtchn_alloc_unbound(s->fe_domid, 0);
		if (p < 0)
			return p;
		c->req_port = (unsigned int)p;
		p = fx_evtchn_alloc_unbound(s->fe_domid, 0);
		if (p < 0)
			return p;
		c->evt_port = (unsigned int)p;

		snprintf(dir, sizeof(dir), "%u/", i);
#define SET(node, fmt, val)                                                                       \
	do {                                                                                      \
		char n_[64];                                                                      \
		snprintf(n_, sizeof(n_), "%u/%s", i, node);                                       \
		snprintf(buf, sizeof(buf), fmt, val);                                             \
		fe_set(s, n_, buf);                                                               \
	} while (0)
		SET(XENDISPL_FIELD_REQ_RING_REF, "%u", c->req_ref);
		SET(XENDISPL_FIELD_REQ_CHANNEL, "%u", c->req_port);
		SET(XENDISPL_FIELD_EVT_RING_REF, "%u", c->evt_ref);
		SET(XENDISPL_FIELD_EVT_CHANNEL, "%u", c->evt_port);
#undef SET
	}
	sim_set_fe_state(s, XenbusStateInitialised);
	return sim_be_state(s) == XenbusStateConnected ? 0 : -EPROTO;
}

int32_t sim_request(struct sim *s, unsigned int ci, struct xendispl_req *req,
		    struct xendispl_resp *resp)
{
	struct sim_conn *c = &s->conns[ci];
	struct xendispl_resp *r;
	int notify;

	req->id = c->next_id++;
	*RING_GET_REQUEST(&c->ring, c->ring.req_prod_pvt) = *req;
	c->ring.req_prod_pvt++;
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&c->ring, notify);
	(void)notify; /* always kick: the backend must cope with spurious ones */
	fx_evtchn_notify_from_peer(c->req_port);
	sim_pump(s);
	if (c->ring.rsp_cons == c->ring.sring->rsp_prod)
		return INT32_MIN; /* no response */
	r = RING_GET_RESPONSE(&c->ring, c->ring.rsp_cons);
	c->ring.rsp_cons++;
	if (resp)
		*resp = *r;
	return r->id == req->id && r->operation == req->operation ? r->status : INT32_MIN + 1;
}

bool sim_event(struct sim *s, unsigned int ci, struct xendispl_evt *evt)
{
	struct sim_conn *c = &s->conns[ci];

	if (c->evt_cons == c->evt_page->in_prod)
		return false;
	*evt = XENDISPL_IN_RING_REF(c->evt_page, c->evt_cons);
	c->evt_page->in_cons = ++c->evt_cons;
	return true;
}

void *sim_page(struct sim *s, grant_ref_t ref)
{
	return fx_gnt_page(s->fe_domid, ref);
}

grant_ref_t sim_buffer(struct sim *s, uint32_t size, grant_ref_t *grefs)
{
	uint32_t npages = zd_data_pages(size), ndir = zd_dir_pages(npages);
	grant_ref_t dir[64];

	if (ndir > 64 || npages > SIM_MAX_PAGES)
		return 0;
	for (uint32_t k = 0; k < npages; k++)
		grefs[k] = (grant_ref_t)fx_gnt_grant(s->fe_domid, 0, false);
	for (uint32_t d = 0; d < ndir; d++)
		dir[d] = (grant_ref_t)fx_gnt_grant(s->fe_domid, 0, true);
	for (uint32_t d = 0; d < ndir; d++) {
		struct xendispl_page_directory *pd = sim_page(s, dir[d]);
		uint32_t first = d * (uint32_t)ZD_GREFS_PER_DIR_PAGE;

		pd->gref_dir_next_page = d + 1 < ndir ? dir[d + 1] : 0;
		for (uint32_t k = first; k < npages && k < first + ZD_GREFS_PER_DIR_PAGE; k++)
			pd->gref[k - first] = grefs[k];
	}
	return dir[0];
}

int32_t sim_dbuf_create(struct sim *s, uint64_t cookie, uint32_t w, uint32_t h, uint32_t bpp,
			grant_ref_t *grefs_out)
{
	struct xendispl_req req = { .operation = XENDISPL_OP_DBUF_CREATE };
	uint32_t size = w * h * (bpp / 8);
	static grant_ref_t scratch[SIM_MAX_PAGES];

	req.op.dbuf_create.dbuf_cookie = cookie;
	req.op.dbuf_create.width = w;
	req.op.dbuf_create.height = h;
	req.op.dbuf_create.bpp = bpp;
	req.op.dbuf_create.buffer_sz = size;
	req.op.dbuf_create.gref_directory = sim_buffer(s, size, grefs_out ? grefs_out : scratch);
	return sim_request(s, 0, &req, NULL);
}

int32_t sim_fb_attach(struct sim *s, uint64_t dbuf, uint64_t fb, uint32_t w, uint32_t h,
		      uint32_t fourcc)
{
	struct xendispl_req req = { .operation = XENDISPL_OP_FB_ATTACH };

	req.op.fb_attach.dbuf_cookie = dbuf;
	req.op.fb_attach.fb_cookie = fb;
	req.op.fb_attach.width = w;
	req.op.fb_attach.height = h;
	req.op.fb_attach.pixel_format = fourcc;
	return sim_request(s, 0, &req, NULL);
}

int32_t sim_set_config(struct sim *s, unsigned int ci, uint64_t fb, uint32_t w, uint32_t h,
		       uint32_t bpp)
{
	struct xendispl_req req = { .operation = XENDISPL_OP_SET_CONFIG };

	req.op.set_config.fb_cookie = fb;
	req.op.set_config.width = w;
	req.op.set_config.height = h;
	req.op.set_config.bpp = bpp;
	return sim_request(s, ci, &req, NULL);
}

int32_t sim_page_flip(struct sim *s, unsigned int ci, uint64_t fb)
{
	struct xendispl_req req = { .operation = XENDISPL_OP_PG_FLIP };

	req.op.pg_flip.fb_cookie = fb;
	return sim_request(s, ci, &req, NULL);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * test_backend_teardown.c: a device torn down at every stage of its life,
 * in every way it can end:
 *
 *   stages   InitWait; Connected with nothing; with buffers and fbs;
 *            configured; a flip in flight; a flip in flight and one queued
 *   endings  the frontend closes (Closing, Closed), then the toolstack
 *            removes the device; the frontend's domain vanishes (frontend
 *            and backend directories removed at once); the frontend
 *            directory goes first, the backend one later; the daemon exits
 *            (zd_backend_free, the SIGTERM path)
 *
 * After each: nothing mapped, no port bound, every output released with no
 * flip pending, the frontend can revoke its ring grants, and every handle
 * closed. For the SIGTERM path, where closing the handles would hide a
 * leak, the unmap and unbind calls are counted instead.
 */
#include <drm_fourcc.h>
#include <errno.h>
#include <xen/io/xenbus.h>

#include "device.h"
#include "fakexen/fakexen.h"
#include "fe_sim.h"
#include "test.h"

enum stage { INITWAIT, CONNECTED, BUFFERS, CONFIGURED, FLIP, QUEUED };
enum ending { FE_CLOSE, VANISH, FE_DIR_FIRST, SIGTERM };

static const char *const two_conns[] = {"640x480", "800x600"};

static void reach(struct sim *s, enum stage st)
{
	CHECK_EQ_INT(sim_start(s, 2, two_conns, 2), 0);
	if (st == INITWAIT) {
		/* Rings published but not announced: still nothing to map. */
		CHECK_EQ_INT(sim_fe_publish(s), 0);
		CHECK_EQ_INT(sim_be_state(s), XenbusStateInitWait);
		return;
	}
	CHECK_EQ_INT(sim_fe_connect(s), 0);
	if (st == CONNECTED)
		return;
	CHECK_EQ_INT(sim_dbuf_create(s, 1, 64, 64, 32, NULL), 0);
	CHECK_EQ_INT(sim_dbuf_create(s, 2, 32, 32, 16, NULL), 0);
	CHECK_EQ_INT(sim_fb_attach(s, 1, 10, 64, 64, DRM_FORMAT_XRGB8888), 0);
	CHECK_EQ_INT(sim_fb_attach(s, 1, 11, 64, 64, DRM_FORMAT_ARGB8888), 0);
	CHECK_EQ_INT(sim_fb_attach(s, 2, 12, 32, 32, DRM_FORMAT_RGB565), 0);
	if (st == BUFFERS)
		return;
	CHECK_EQ_INT(sim_set_config(s, 0, 10, 64, 64, 32), 0);
	CHECK_EQ_INT(sim_set_config(s, 1, 12, 32, 32, 16), 0);
	CHECK(fake_display_output(s->display, 0)->enabled);
	if (st == CONFIGURED)
		return;
	CHECK_EQ_INT(sim_page_flip(s, 0, 11), 0);
	CHECK_EQ_INT(sim_page_flip(s, 1, 12), 0);
	CHECK(sim_conn(s, 0).flip_busy);
	if (st == FLIP)
		return;
	CHECK_EQ_INT(sim_page_flip(s, 0, 10), 0);
	CHECK(sim_conn(s, 0).queued);
}

static bool ports_unbound(struct sim *s)
{
	for (unsigned int i = 0; i < s->nconns; i++) {
		if (fx_evtchn_is_bound(s->conns[i].req_port) == 1 ||
		    fx_evtchn_is_bound(s->conns[i].evt_port) == 1)
			return false;
	}
	return true;
}

/* Mappings (one per ring page, one per buffer) and bound ports right now. */
static void held(struct sim *s, unsigned int *maps, unsigned int *ports)
{
	unsigned int n = sim_devinfo(s).nr_conns;

	*maps = *ports = 0;
	for (unsigned int i = 0; i < n; i++) {
		struct zd_conn_info c = sim_conn(s, i);

		*maps += c.rings_mapped;
		*ports += (c.req_port >= 0) + (c.evt_port >= 0);
	}
	*maps += sim_devinfo(s).buffers;
}

static void check_released(struct sim *s)
{
	CHECK_EQ_INT(fx_gnt_live_mappings(), 0);
	CHECK(ports_unbound(s));
	for (unsigned int i = 0; i < 2; i++) {
		struct fake_output_state *o = fake_display_output(s->display, i);

		CHECK(!o->claimed);
		CHECK(!o->flip_pending);
		/* A completion arriving late finds nothing to call. */
		CHECK(!fake_display_complete_flip(s->display, i));
	}
}

static void teardown(enum stage st, enum ending how)
{
	unsigned long unmaps, unbinds;
	unsigned int maps, ports;
	struct sim s;

	reach(&s, st);
	held(&s, &maps, &ports);
	CHECK_EQ_INT(fx_gnt_live_mappings() > 0, st != INITWAIT);

	switch (how) {
	case FE_CLOSE:
		sim_set_fe_state(&s, XenbusStateClosing);
		CHECK_EQ_INT(sim_be_state(&s), XenbusStateClosing);
		check_released(&s);
		sim_set_fe_state(&s, XenbusStateClosed);
		CHECK_EQ_INT(sim_be_state(&s), XenbusStateClosed);
		check_released(&s);
		sim_remove_device(&s, true);
		CHECK_NULL(sim_device(&s));
		check_released(&s);
		break;
	case VANISH:
		fx_xs_rm(0, s.fe_path);
		sim_remove_device(&s, false);
		CHECK_NULL(sim_device(&s));
		check_released(&s);
		break;
	case FE_DIR_FIRST:
		fx_xs_rm(0, s.fe_path);
		sim_pump(&s);
		check_released(&s);
		CHECK(sim_be_state(&s) != XenbusStateConnected);
		sim_remove_device(&s, false);
		CHECK_NULL(sim_device(&s));
		check_released(&s);
		break;
	case SIGTERM:
		unmaps = fx_calls(FX_GNT_UNMAP);
		unbinds = fx_calls(FX_EVTCHN_UNBIND);
		sim_free_backend(&s);
		/* Released by the daemon itself, not by closing its handles. */
		CHECK_EQ_INT(fx_calls(FX_GNT_UNMAP) - unmaps, maps);
		CHECK_EQ_INT(fx_calls(FX_EVTCHN_UNBIND) - unbinds, ports);
		CHECK_EQ_INT(sim_be_state(&s), XenbusStateClosed);
		check_released(&s);
		break;
	}
	CHECK_EQ_INT(sim_fe_teardown(&s), 0);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

/* Every stage with every ending: teardown_<STAGE>_<ENDING>. */
static const struct teardown_variant {
	const char *name;
	enum stage st;
	enum ending how;
} variants[] = {
#define ENDINGS(st)                                                                                \
	{#st "_FE_CLOSE", st, FE_CLOSE}, {#st "_VANISH", st, VANISH},                              \
		{#st "_FE_DIR_FIRST", st, FE_DIR_FIRST},                                           \
	{                                                                                          \
#st "_SIGTERM", st, SIGTERM                                                        \
	}
	ENDINGS(INITWAIT),   ENDINGS(CONNECTED), ENDINGS(BUFFERS),
	ENDINGS(CONFIGURED), ENDINGS(FLIP),	 ENDINGS(QUEUED),
#undef ENDINGS
};

TEST_VARIANTS(teardown, variants)
{
	teardown(variant->st, variant->how);
}

/* The SIGTERM path with several devices, one of them mid-handshake. */
TEST(teardown_SIGTERM_several_devices)
{
	static const char *const one[] = {"640x480"};
	struct sim a, b, c;
	struct sim_opts ob = {.fe_domid = 2}, oc = {.fe_domid = 3};
	unsigned int ma, pa, mb, pb;
	unsigned long unmaps, unbinds;

	CHECK_EQ_INT(sim_start(&a, 1, one, 2), 0);
	ob.share = oc.share = &a;
	CHECK_EQ_INT(sim_start_opts(&b, 1, one, &ob), 0);
	CHECK_EQ_INT(sim_start_opts(&c, 1, one, &oc), 0);
	CHECK_EQ_INT(sim_fe_connect(&a), 0);
	CHECK_EQ_INT(sim_fe_connect(&b), 0);
	CHECK_EQ_INT(sim_dbuf_create(&a, 1, 8, 8, 32, NULL), 0);
	CHECK_EQ_INT(sim_dbuf_create(&b, 1, 8, 8, 32, NULL), 0);
	CHECK_EQ_INT(sim_fb_attach(&b, 1, 2, 8, 8, DRM_FORMAT_XRGB8888), 0);
	CHECK_EQ_INT(sim_set_config(&b, 0, 2, 8, 8, 32), 0);
	CHECK_EQ_INT(sim_page_flip(&b, 0, 2), 0);
	held(&a, &ma, &pa);
	held(&b, &mb, &pb);
	unmaps = fx_calls(FX_GNT_UNMAP);
	unbinds = fx_calls(FX_EVTCHN_UNBIND);
	sim_free_backend(&a);
	CHECK_EQ_INT(fx_calls(FX_GNT_UNMAP) - unmaps, ma + mb);
	CHECK_EQ_INT(fx_calls(FX_EVTCHN_UNBIND) - unbinds, pa + pb);
	CHECK_EQ_INT(sim_be_state(&a), XenbusStateClosed);
	CHECK_EQ_INT(sim_be_state(&b), XenbusStateClosed);
	CHECK_EQ_INT(sim_be_state(&c), XenbusStateClosed);
	CHECK(!fake_display_output(a.display, 0)->claimed);
	CHECK(!fake_display_output(a.display, 1)->claimed);
	sim_stop(&c);
	sim_stop(&b);
	CHECK_EQ_INT(sim_stop(&a), 0);
}

/* The backend directory going away while a request is being answered. */
TEST(teardown_device_removed_then_kicked)
{
	static const char *const one[] = {"640x480"};
	struct sim s;

	CHECK_EQ_INT(sim_start(&s, 1, one, 1), 0);
	CHECK_EQ_INT(sim_fe_connect(&s), 0);
	CHECK_EQ_INT(sim_dbuf_create(&s, 1, 8, 8, 32, NULL), 0);
	sim_remove_device(&s, false);
	CHECK_NULL(sim_device(&s));
	/* The frontend did not notice yet and keeps talking. */
	CHECK_EQ_INT(fx_evtchn_notify_from_peer(s.conns[0].req_port), -ENOTCONN);
	sim_pump(&s);
	CHECK_EQ_INT(fx_gnt_live_mappings(), 0);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * test_backend_handshake.c: the xenbus handshake of the daemon core against
 * simulated frontends and toolstack: versions, connect, skipped and repeated
 * states, restart, close, device removal, several frontends, bad
 * configuration and bad transport nodes.
 */
#include <drm_fourcc.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <xen/errno.h>
#include <xen/io/xenbus.h>

#include "device.h"
#include "fakexen/fakexen.h"
#include "fe_sim.h"
#include "test.h"

static const char *const one_vga[] = {"640x480"};
static const char *const two_conns[] = {"640x480", "800x600"};

/* True if none of the sim's frontend ports is bound by the backend. */
static bool ports_unbound(struct sim *s)
{
	for (unsigned int i = 0; i < s->nconns; i++) {
		if (s->conns[i].req_port && fx_evtchn_is_bound(s->conns[i].req_port) == 1)
			return false;
		if (s->conns[i].evt_port && fx_evtchn_is_bound(s->conns[i].evt_port) == 1)
			return false;
	}
	return true;
}

static bool ports_bound(struct sim *s)
{
	for (unsigned int i = 0; i < s->nconns; i++) {
		if (fx_evtchn_is_bound(s->conns[i].req_port) != 1 ||
		    fx_evtchn_is_bound(s->conns[i].evt_port) != 1)
			return false;
	}
	return true;
}

/* A request the backend must answer with 0 on a healthy connection. */
static int32_t probe(struct sim *s)
{
	static uint64_t cookie = 0x7000;

	cookie++;
	return sim_dbuf_create(s, cookie, 4, 4, 32, NULL);
}

TEST(hs_initwait_offers_versions_and_waits)
{
	struct sim s;
	char path[160];

	CHECK_EQ_INT(sim_start(&s, 1, one_vga, 1), 0);
	CHECK_EQ_INT(sim_be_state(&s), XenbusStateInitWait);
	snprintf(path, sizeof(path), "%s/%s", s.be_path, XENDISPL_FIELD_BE_VERSIONS);
	CHECK_STR_EQ(fx_xs_read(path), "1,2");
	/* Nothing is mapped or bound before the frontend publishes its rings. */
	CHECK_EQ_INT(fx_calls(FX_GNT_MAP), 0);
	CHECK_EQ_INT(fx_calls(FX_EVTCHN_BIND), 0);
	/* The frontend still Initialising: the backend waits. */
	sim_set_fe_state(&s, XenbusStateInitialising);
	CHECK_EQ_INT(sim_be_state(&s), XenbusStateInitWait);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(hs_connects_on_fe_initialised)
{
	struct sim s;

	CHECK_EQ_INT(sim_start(&s, 2, two_conns, 2), 0);
	CHECK_EQ_INT(sim_fe_publish(&s), 0);
	CHECK_EQ_INT(sim_be_state(&s), XenbusStateInitWait); /* published, not announced */
	sim_set_fe_state(&s, XenbusStateInitialised);
	CHECK_EQ_INT(sim_be_state(&s), XenbusStateConnected);
	CHECK_EQ_INT(fx_gnt_live_mappings(), 4); /* two rings per connector */
	CHECK(ports_bound(&s));
	CHECK(fake_display_output(s.display, 0)->claimed);
	CHECK(fake_display_output(s.display, 1)->claimed);
	CHECK_EQ_INT(sim_devinfo(&s).version, 2);
	CHECK_EQ_INT(probe(&s), 0);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(hs_connects_when_fe_skips_initialised)
{
	struct sim s;

	CHECK_EQ_INT(sim_start(&s, 1, one_vga, 1), 0);
	CHECK_EQ_INT(sim_fe_publish(&s), 0);
	sim_set_fe_state(&s, XenbusStateConnected);
	CHECK_EQ_INT(sim_be_state(&s), XenbusStateConnected);
	CHECK_EQ_INT(fx_gnt_live_mappings(), 2);
	CHECK_EQ_INT(probe(&s), 0);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(hs_repeated_states_and_spurious_watches_change_nothing)
{
	struct sim s;
	char path[160];
	unsigned long writes, maps, binds, unbinds;

	CHECK_EQ_INT(sim_start(&s, 1, one_vga, 1), 0);
	/* In InitWait: re-announcing Initialising and stray events. */
	writes = fx_calls(FX_XS_WRITE);
	sim_set_fe_state(&s, XenbusStateInitialising);
	sim_set_fe_state(&s, XenbusStateInitialising);
	snprintf(path, sizeof(path), "%s/state", s.fe_path);
	CHECK(fx_xs_fire_watch(path) > 0);
	CHECK(fx_xs_fire_watch(s.be_path) > 0);
	sim_pump(&s);
	CHECK_EQ_INT(fx_calls(FX_XS_WRITE), writes);
	CHECK_EQ_INT(sim_be_state(&s), XenbusStateInitWait);

	CHECK_EQ_INT(sim_fe_connect(&s), 0);
	writes = fx_calls(FX_XS_WRITE);
	maps = fx_calls(FX_GNT_MAP);
	binds = fx_calls(FX_EVTCHN_BIND);
	unbinds = fx_calls(FX_EVTCHN_UNBIND);
	sim_set_fe_state(&s, XenbusStateInitialised);
	sim_set_fe_state(&s, XenbusStateConnected);
	sim_set_fe_state(&s, XenbusStateConnected);
	CHECK(fx_xs_fire_watch(path) > 0);
	CHECK(fx_xs_fire_watch(s.be_path) > 0);
	CHECK(fx_xs_fire_watch("/local/domain/0/backend/vdispl") > 0);
	snprintf(path, sizeof(path), "%s/state", s.be_path);
	CHECK(fx_xs_fire_watch(path) > 0);
	sim_pump(&s);
	/* No transition: no state write, no remapping, no rebinding. */
	CHECK_EQ_INT(fx_calls(FX_XS_WRITE), writes);
	CHECK_EQ_INT(fx_calls(FX_GNT_MAP), maps);
	CHECK_EQ_INT(fx_calls(FX_EVTCHN_BIND), binds);
	CHECK_EQ_INT(fx_calls(FX_EVTCHN_UNBIND), unbinds);
	CHECK_EQ_INT(sim_be_state(&s), XenbusStateConnected);
	CHECK_EQ_INT(probe(&s), 0);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

/* A frontend that starts over (guest driver reloaded) gets a fresh device. */
static void restart_case(int restart_state)
{
	struct sim s;
	struct xendispl_req req = {.operation = XENDISPL_OP_DBUF_DESTROY};

	CHECK_EQ_INT(sim_start(&s, 1, one_vga, 1), 0);
	CHECK_EQ_INT(sim_fe_connect(&s), 0);
	CHECK_EQ_INT(sim_dbuf_create(&s, 0x42, 8, 8, 32, NULL), 0);
	CHECK_EQ_INT(sim_fb_attach(&s, 0x42, 0x43, 8, 8, DRM_FORMAT_XRGB8888), 0);

	sim_set_fe_state(&s, restart_state);
	CHECK_EQ_INT(sim_be_state(&s), XenbusStateInitWait);
	CHECK_EQ_INT(fx_gnt_live_mappings(), 0);
	CHECK(ports_unbound(&s));
	CHECK(!fake_display_output(s.display, 0)->claimed);
	/* The frontend can take its ring pages back: nothing maps them. */
	CHECK_EQ_INT(sim_fe_teardown(&s), 0);

	CHECK_EQ_INT(sim_fe_connect(&s), 0);
	CHECK_EQ_INT(fx_gnt_live_mappings(), 2);
	CHECK(ports_bound(&s));
	/* Buffers did not survive the restart; the new rings work. */
	req.op.dbuf_destroy.dbuf_cookie = 0x42;
	CHECK_EQ_INT(sim_request(&s, 0, &req, NULL), -XEN_ENOENT);
	CHECK_EQ_INT(sim_dbuf_create(&s, 0x42, 8, 8, 32, NULL), 0);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(hs_fe_initialising_after_connected_reconnects_with_new_rings)
{
	restart_case(XenbusStateInitialising);
}

TEST(hs_fe_initwait_after_connected_reconnects_with_new_rings)
{
	restart_case(XenbusStateInitWait);
}

TEST(hs_fe_closed_while_offline_ends_closed)
{
	struct sim s;

	CHECK_EQ_INT(sim_start(&s, 1, one_vga, 1), 0);
	CHECK_EQ_INT(sim_fe_connect(&s), 0);
	sim_set_online(&s, false);
	CHECK_EQ_INT(sim_be_state(&s), XenbusStateConnected);
	sim_set_fe_state(&s, XenbusStateClosing);
	CHECK_EQ_INT(sim_be_state(&s), XenbusStateClosing);
	CHECK_EQ_INT(fx_gnt_live_mappings(), 0);
	sim_set_fe_state(&s, XenbusStateClosed);
	CHECK_EQ_INT(sim_be_state(&s), XenbusStateClosed);
	/* Offline: a frontend coming back is not served again. */
	sim_set_fe_state(&s, XenbusStateInitialising);
	CHECK_EQ_INT(sim_be_state(&s), XenbusStateClosed);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(hs_fe_closed_skipping_closing_ends_closed)
{
	struct sim s;

	CHECK_EQ_INT(sim_start(&s, 1, one_vga, 1), 0);
	CHECK_EQ_INT(sim_fe_connect(&s), 0);
	sim_set_online(&s, false);
	sim_set_fe_state(&s, XenbusStateClosed);
	CHECK_EQ_INT(sim_be_state(&s), XenbusStateClosed);
	CHECK_EQ_INT(fx_gnt_live_mappings(), 0);
	CHECK(ports_unbound(&s));
	CHECK_EQ_INT(sim_stop(&s), 0);
}

/* A frontend that gives up before connecting: the toolstack waits for Closed. */
TEST(hs_fe_closed_from_initwait_ends_closed)
{
	struct sim s;

	CHECK_EQ_INT(sim_start(&s, 1, one_vga, 1), 0);
	sim_set_online(&s, false);
	sim_set_fe_state(&s, XenbusStateClosed);
	CHECK_EQ_INT(sim_be_state(&s), XenbusStateClosed);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(hs_fe_closed_while_online_can_reconnect)
{
	struct sim s;

	CHECK_EQ_INT(sim_start(&s, 1, one_vga, 1), 0);
	CHECK_EQ_INT(sim_fe_connect(&s), 0);
	sim_set_fe_state(&s, XenbusStateClosing);
	sim_set_fe_state(&s, XenbusStateClosed);
	CHECK_EQ_INT(sim_be_state(&s), XenbusStateClosed);
	CHECK_EQ_INT(sim_fe_teardown(&s), 0);
	sim_set_fe_state(&s, XenbusStateInitialising);
	CHECK_EQ_INT(sim_be_state(&s), XenbusStateInitWait);
	CHECK_EQ_INT(sim_fe_connect(&s), 0);
	CHECK_EQ_INT(probe(&s), 0);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(hs_backend_dir_removed_frees_the_device)
{
	struct sim s;

	CHECK_EQ_INT(sim_start(&s, 2, two_conns, 2), 0);
	CHECK_EQ_INT(sim_fe_connect(&s), 0);
	CHECK_EQ_INT(sim_dbuf_create(&s, 1, 64, 64, 32, NULL), 0);
	CHECK_EQ_INT(sim_fb_attach(&s, 1, 2, 64, 64, DRM_FORMAT_XRGB8888), 0);
	CHECK_EQ_INT(sim_set_config(&s, 0, 2, 64, 64, 32), 0);
	CHECK(fx_gnt_live_mappings() > 4);

	sim_remove_device(&s, false);
	CHECK_NULL(sim_device(&s));
	CHECK_EQ_INT(fx_gnt_live_mappings(), 0);
	CHECK(ports_unbound(&s));
	CHECK(!fake_display_output(s.display, 0)->claimed);
	CHECK(!fake_display_output(s.display, 1)->claimed);
	/* Removed means removed: the daemon wrote nothing back. */
	CHECK(!fx_xs_exists(s.be_path));
	CHECK_EQ_INT(sim_fe_teardown(&s), 0);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(hs_two_frontends_at_once)
{
	struct sim a, b;
	struct sim_opts ob = {.fe_domid = 2, .devid = 0};
	struct xendispl_evt evt;

	CHECK_EQ_INT(sim_start(&a, 1, one_vga, 2), 0);
	ob.share = &a;
	CHECK_EQ_INT(sim_start_opts(&b, 1, one_vga, &ob), 0);
	CHECK_EQ_INT(sim_be_state(&b), XenbusStateInitWait);
	CHECK_EQ_INT(sim_fe_connect(&a), 0);
	CHECK_EQ_INT(sim_fe_connect(&b), 0);
	CHECK_EQ_INT(fx_gnt_live_mappings(), 4);
	/* Each got its own output although both asked for "Fake-1". */
	CHECK(fake_display_output(a.display, 0)->claimed);
	CHECK(fake_display_output(a.display, 1)->claimed);

	/* The same cookie in two frontends names two different buffers. */
	CHECK_EQ_INT(sim_dbuf_create(&a, 5, 8, 8, 32, NULL), 0);
	CHECK_EQ_INT(sim_dbuf_create(&b, 5, 8, 8, 32, NULL), 0);
	CHECK_EQ_INT(sim_fb_attach(&a, 5, 6, 8, 8, DRM_FORMAT_XRGB8888), 0);
	CHECK_EQ_INT(sim_fb_attach(&b, 5, 6, 8, 8, DRM_FORMAT_XRGB8888), 0);
	CHECK_EQ_INT(sim_set_config(&b, 0, 6, 8, 8, 32), 0);
	CHECK_EQ_INT(sim_page_flip(&b, 0, 6), 0);

	/* A goes away; B is untouched, its flip still completes. */
	sim_set_fe_state(&a, XenbusStateClosing);
	sim_set_fe_state(&a, XenbusStateClosed);
	sim_remove_device(&a, true);
	CHECK_NULL(sim_device(&a));
	CHECK_EQ_INT(sim_be_state(&b), XenbusStateConnected);
	CHECK_EQ_INT(fx_gnt_live_mappings(), 2 + 1);
	CHECK(ports_unbound(&a));
	CHECK(ports_bound(&b));
	for (unsigned int i = 0; i < 2; i++)
		if (fake_display_output(b.display, i)->flip_pending)
			CHECK(fake_display_complete_flip(b.display, i));
	sim_pump(&b);
	CHECK(sim_event(&b, 0, &evt));
	CHECK(evt.op.pg_flip.fb_cookie == 6);
	CHECK_EQ_INT(sim_dbuf_create(&b, 7, 8, 8, 32, NULL), 0);
	CHECK_EQ_INT(sim_stop(&b), 1 + 1 + 1); /* joined: the owner's handles live on */
	CHECK_EQ_INT(sim_stop(&a), 0);
}

TEST(hs_two_devices_of_one_frontend)
{
	struct sim a, b;
	struct sim_opts ob = {.fe_domid = SIM_FE_DOMID, .devid = 1};

	CHECK_EQ_INT(sim_start(&a, 1, one_vga, 2), 0);
	ob.share = &a;
	CHECK_EQ_INT(sim_start_opts(&b, 1, one_vga, &ob), 0);
	CHECK_EQ_INT(sim_fe_connect(&a), 0);
	CHECK_EQ_INT(sim_fe_connect(&b), 0);
	CHECK(sim_device(&a) != sim_device(&b));
	CHECK_EQ_INT(sim_dbuf_create(&a, 5, 8, 8, 32, NULL), 0);
	CHECK_EQ_INT(sim_dbuf_create(&b, 5, 8, 8, 32, NULL), 0);
	sim_remove_device(&b, true);
	CHECK_NULL(sim_device(&b));
	CHECK_EQ_INT(sim_be_state(&a), XenbusStateConnected);
	CHECK_EQ_INT(probe(&a), 0);
	sim_stop(&b);
	CHECK_EQ_INT(sim_stop(&a), 0);
}

TEST(hs_device_appearing_after_the_daemon_started)
{
	struct sim d, s;
	struct sim_opts od = {.no_device = true, .outputs = 1};
	struct sim_opts os = {0};

	CHECK_EQ_INT(sim_start_opts(&d, 0, NULL, &od), 0);
	CHECK_NULL(d.be->devices);
	os.share = &d;
	CHECK_EQ_INT(sim_start_opts(&s, 1, one_vga, &os), 0);
	CHECK_NOT_NULL(sim_device(&s));
	CHECK_EQ_INT(sim_be_state(&s), XenbusStateInitWait);
	CHECK_EQ_INT(sim_fe_connect(&s), 0);
	CHECK(fake_display_output(s.display, 0)->claimed);
	CHECK_EQ_INT(probe(&s), 0);
	sim_stop(&s);
	CHECK_EQ_INT(sim_stop(&d), 0);
}

/*
 * A device whose configuration is bad next to a good one: it never
 * connects, nothing of it stays mapped or bound, and the good device and
 * the daemon carry on.
 */
static void bad_config_case(unsigned int nconns, const char *const *res, const char *unique_id)
{
	struct sim good, bad;
	struct sim_opts ob = {.fe_domid = 2, .unique_id = unique_id};

	CHECK_EQ_INT(sim_start(&good, 1, one_vga, 2), 0);
	CHECK_EQ_INT(sim_fe_connect(&good), 0);
	ob.share = &good;
	CHECK_EQ_INT(sim_start_opts(&bad, nconns, res, &ob), 0);
	CHECK(sim_be_state(&bad) != XenbusStateInitWait);
	CHECK(sim_be_state(&bad) != XenbusStateConnected);

	/* The frontend tries anyway. */
	CHECK_EQ_INT(sim_fe_publish(&bad), 0);
	sim_set_fe_state(&bad, XenbusStateInitialised);
	CHECK(sim_be_state(&bad) != XenbusStateConnected);
	sim_set_fe_state(&bad, XenbusStateConnected);
	CHECK(sim_be_state(&bad) != XenbusStateConnected);
	CHECK(ports_unbound(&bad));
	CHECK_EQ_INT(fx_gnt_live_mappings(), 2); /* the good device's rings only */
	CHECK_EQ_INT(sim_fe_teardown(&bad), 0);

	CHECK_EQ_INT(sim_be_state(&good), XenbusStateConnected);
	CHECK_EQ_INT(probe(&good), 0);
	sim_stop(&bad);
	CHECK_EQ_INT(sim_stop(&good), 0);
}

TEST(hs_config_no_connectors)
{
	bad_config_case(0, NULL, NULL);
}

TEST(hs_config_missing_resolution)
{
	static const char *const res[] = {NULL};

	bad_config_case(1, res, NULL);
}

TEST(hs_config_zero_width)
{
	static const char *const res[] = {"0x480"};

	bad_config_case(1, res, NULL);
}

TEST(hs_config_missing_height)
{
	static const char *const res[] = {"640x"};

	bad_config_case(1, res, NULL);
}

TEST(hs_config_huge_width)
{
	static const char *const res[] = {"99999999999x1"};

	bad_config_case(1, res, NULL);
}

TEST(hs_config_over_max_dimension)
{
	static const char *const res[] = {"8193x480"};

	bad_config_case(1, res, NULL);
}

TEST(hs_config_garbage_resolution)
{
	static const char *const res[] = {"garbage"};

	bad_config_case(1, res, NULL);
}

TEST(hs_config_signed_resolution)
{
	static const char *const res[] = {"-640x480"};

	bad_config_case(1, res, NULL);
}

TEST(hs_config_second_connector_bad)
{
	static const char *const res[] = {"640x480", "x"};

	bad_config_case(2, res, NULL);
}

TEST(hs_config_overlong_unique_id)
{
	char uid[ZD_MAX_UNIQUE_ID + 2];

	memset(uid, 'u', sizeof(uid) - 1);
	uid[sizeof(uid) - 1] = '\0';
	bad_config_case(1, one_vga, uid);
}

TEST(hs_config_longest_unique_id_is_fine)
{
	char uid[ZD_MAX_UNIQUE_ID + 1];
	struct sim s;
	struct sim_opts o = {.unique_id = uid, .outputs = 1};

	memset(uid, 'u', sizeof(uid) - 1);
	uid[sizeof(uid) - 1] = '\0';
	CHECK_EQ_INT(sim_start_opts(&s, 1, one_vga, &o), 0);
	CHECK_EQ_INT(sim_fe_connect(&s), 0);
	CHECK_STR_EQ(sim_conn(&s, 0).unique_id, uid);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

/* The frontend's version choice: only one we offered connects. */
static void version_case(const char *version, bool connects)
{
	struct sim s;
	struct sim_opts o = {.outputs = 1, .fe_version = version};

	CHECK_EQ_INT(sim_start_opts(&s, 1, one_vga, &o), 0);
	CHECK_EQ_INT(sim_fe_publish(&s), 0);
	sim_set_fe_state(&s, XenbusStateInitialised);
	if (connects) {
		CHECK_EQ_INT(sim_be_state(&s), XenbusStateConnected);
		CHECK_EQ_INT(probe(&s), 0);
	} else {
		CHECK(sim_be_state(&s) != XenbusStateConnected);
		CHECK_EQ_INT(fx_gnt_live_mappings(), 0);
		CHECK(ports_unbound(&s));
	}
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(hs_fe_version_1_connects)
{
	version_case("1", true);
}

TEST(hs_fe_version_3_does_not_connect)
{
	version_case("3", false);
}

TEST(hs_fe_version_0_does_not_connect)
{
	version_case("0", false);
}

TEST(hs_fe_version_garbage_does_not_connect)
{
	version_case("2x", false);
}

TEST(hs_fe_version_list_does_not_connect)
{
	version_case("1,2", false);
}

TEST(hs_fe_version_empty_does_not_connect)
{
	version_case("", false);
}

TEST(hs_fe_without_version_node_gets_v2)
{
	struct sim s;
	char path[160];

	/* Linux's drm_xen_front writes no "version" at all. */
	CHECK_EQ_INT(sim_start(&s, 1, one_vga, 1), 0);
	CHECK_EQ_INT(sim_fe_publish(&s), 0);
	snprintf(path, sizeof(path), "%s/%s", s.fe_path, XENDISPL_FIELD_FE_VERSION);
	CHECK_EQ_INT(fx_xs_rm(SIM_FE_DOMID, path), 0);
	sim_set_fe_state(&s, XenbusStateInitialised);
	CHECK_EQ_INT(sim_be_state(&s), XenbusStateConnected);
	CHECK_EQ_INT(sim_devinfo(&s).version, 2);
	CHECK_EQ_INT(probe(&s), 0);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

/*
 * Publish good rings, spoil one transport node of connector ci, announce
 * Initialised: the device closes with nothing mapped or bound, and the
 * frontend can start over and connect.
 */
static void bad_transport_case(unsigned int nconns, unsigned int ci, const char *node,
			       const char *val)
{
	static const char *const res[] = {"640x480", "800x600"};
	struct sim s;
	char n[64];

	CHECK_EQ_INT(sim_start(&s, nconns, res, 2), 0);
	CHECK_EQ_INT(sim_fe_publish(&s), 0);
	snprintf(n, sizeof(n), "%u/%s", ci, node);
	if (val)
		sim_fe_write(&s, n, val);
	sim_set_fe_state(&s, XenbusStateInitialised);
	CHECK_EQ_INT(sim_be_state(&s), XenbusStateClosing);
	CHECK_EQ_INT(fx_gnt_live_mappings(), 0);
	CHECK(ports_unbound(&s));
	CHECK(!fake_display_output(s.display, 0)->claimed);
	CHECK_EQ_INT(sim_fe_teardown(&s), 0);

	/* The daemon survived and serves the frontend's second attempt. */
	sim_set_fe_state(&s, XenbusStateInitialising);
	CHECK_EQ_INT(sim_be_state(&s), XenbusStateInitWait);
	CHECK_EQ_INT(sim_fe_connect(&s), 0);
	CHECK_EQ_INT(probe(&s), 0);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(hs_transport_req_ring_ref_0)
{
	bad_transport_case(1, 0, XENDISPL_FIELD_REQ_RING_REF, "0");
}

TEST(hs_transport_evt_ring_ref_0)
{
	bad_transport_case(1, 0, XENDISPL_FIELD_EVT_RING_REF, "0");
}

TEST(hs_transport_unmappable_req_ring_ref)
{
	bad_transport_case(1, 0, XENDISPL_FIELD_REQ_RING_REF, "5000");
}

TEST(hs_transport_unmappable_evt_ring_ref)
{
	bad_transport_case(1, 0, XENDISPL_FIELD_EVT_RING_REF, "5000");
}

TEST(hs_transport_garbage_ring_ref)
{
	bad_transport_case(1, 0, XENDISPL_FIELD_REQ_RING_REF, "0x10");
}

TEST(hs_transport_huge_ring_ref)
{
	bad_transport_case(1, 0, XENDISPL_FIELD_REQ_RING_REF, "4294967296");
}

TEST(hs_transport_unbound_req_channel)
{
	bad_transport_case(1, 0, XENDISPL_FIELD_REQ_CHANNEL, "999");
}

TEST(hs_transport_unbound_evt_channel)
{
	bad_transport_case(1, 0, XENDISPL_FIELD_EVT_CHANNEL, "999");
}

TEST(hs_transport_same_channel_twice)
{
	struct sim s;
	char v[16];

	/* Both nodes name the request channel: the second bind must fail. */
	CHECK_EQ_INT(sim_start(&s, 1, one_vga, 1), 0);
	CHECK_EQ_INT(sim_fe_publish(&s), 0);
	snprintf(v, sizeof(v), "%u", s.conns[0].req_port);
	sim_fe_write(&s, "0/" XENDISPL_FIELD_EVT_CHANNEL, v);
	sim_set_fe_state(&s, XenbusStateInitialised);
	CHECK_EQ_INT(sim_be_state(&s), XenbusStateClosing);
	CHECK_EQ_INT(fx_gnt_live_mappings(), 0);
	CHECK(ports_unbound(&s));
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(hs_transport_channel_of_another_domain)
{
	char v[16];
	int p;

	/* A port dom2 offered to us: not the frontend's to hand out. */
	p = fx_evtchn_alloc_unbound(2, 0);
	CHECK(p > 0);
	snprintf(v, sizeof(v), "%d", p);
	bad_transport_case(1, 0, XENDISPL_FIELD_REQ_CHANNEL, v);
	CHECK_EQ_INT(fx_evtchn_is_bound((unsigned int)p), 0);
}

TEST(hs_transport_channel_offered_to_another_domain)
{
	char v[16];
	int p;

	/* The frontend's own port, but offered to dom3, not to us. */
	p = fx_evtchn_alloc_unbound(SIM_FE_DOMID, 3);
	CHECK(p > 0);
	snprintf(v, sizeof(v), "%d", p);
	bad_transport_case(1, 0, XENDISPL_FIELD_EVT_CHANNEL, v);
	CHECK_EQ_INT(fx_evtchn_is_bound((unsigned int)p), 0);
}

TEST(hs_transport_ring_granted_to_another_domain)
{
	char v[16];
	int ref = fx_gnt_grant(SIM_FE_DOMID, 3, false);

	CHECK(ref > 0);
	snprintf(v, sizeof(v), "%d", ref);
	bad_transport_case(1, 0, XENDISPL_FIELD_REQ_RING_REF, v);
}

TEST(hs_transport_read_only_ring)
{
	char v[16];
	int ref = fx_gnt_grant(SIM_FE_DOMID, 0, true);

	/* We write responses and events: a read-only grant cannot be a ring. */
	CHECK(ref > 0);
	snprintf(v, sizeof(v), "%d", ref);
	bad_transport_case(1, 0, XENDISPL_FIELD_EVT_RING_REF, v);
}

TEST(hs_transport_second_connector_bad)
{
	/* Connector 0 was fully set up before connector 1 failed. */
	bad_transport_case(2, 1, XENDISPL_FIELD_EVT_CHANNEL, "999");
}

TEST(hs_transport_missing_node)
{
	struct sim s;
	char path[160];

	CHECK_EQ_INT(sim_start(&s, 1, one_vga, 1), 0);
	CHECK_EQ_INT(sim_fe_publish(&s), 0);
	snprintf(path, sizeof(path), "%s/0/%s", s.fe_path, XENDISPL_FIELD_EVT_CHANNEL);
	CHECK_EQ_INT(fx_xs_rm(SIM_FE_DOMID, path), 0);
	sim_set_fe_state(&s, XenbusStateInitialised);
	CHECK_EQ_INT(sim_be_state(&s), XenbusStateClosing);
	CHECK_EQ_INT(fx_gnt_live_mappings(), 0);
	CHECK(ports_unbound(&s));
	CHECK_EQ_INT(sim_stop(&s), 0);
}

/* ---- Failures of our own side at connect time (fx_fail). ---- */

static void inject_at_connect(unsigned int nconns, enum fx_op op, int err, unsigned int after)
{
	struct sim s;

	CHECK_EQ_INT(sim_start(&s, nconns, two_conns, 2), 0);
	CHECK_EQ_INT(sim_fe_publish(&s), 0);
	CHECK_EQ_INT(fx_fail(op, err, after), 0);
	sim_set_fe_state(&s, XenbusStateInitialised);
	CHECK_EQ_INT(sim_be_state(&s), XenbusStateClosing);
	CHECK_EQ_INT(fx_gnt_live_mappings(), 0);
	CHECK(ports_unbound(&s));
	CHECK(!fake_display_output(s.display, 0)->claimed);
	CHECK_EQ_INT(sim_fe_teardown(&s), 0);
	sim_set_fe_state(&s, XenbusStateInitialising);
	CHECK_EQ_INT(sim_fe_connect(&s), 0);
	CHECK_EQ_INT(probe(&s), 0);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(hs_inject_first_ring_map_failure)
{
	inject_at_connect(1, FX_GNT_MAP, ENOMEM, 0);
}

TEST(hs_inject_event_ring_map_failure)
{
	inject_at_connect(1, FX_GNT_MAP, ENOMEM, 1);
}

TEST(hs_inject_map_failure_on_second_connector)
{
	inject_at_connect(2, FX_GNT_MAP, EFAULT, 3);
}

TEST(hs_inject_first_bind_failure)
{
	inject_at_connect(1, FX_EVTCHN_BIND, ENOSPC, 0);
}

TEST(hs_inject_second_bind_failure)
{
	inject_at_connect(1, FX_EVTCHN_BIND, ENOSPC, 1);
}

TEST(hs_inject_bind_failure_on_second_connector)
{
	inject_at_connect(2, FX_EVTCHN_BIND, ENOMEM, 3);
}

TEST(hs_inject_versions_write_failure_at_init)
{
	struct sim s;

	/* The first write of the daemon is "versions": without it no connect. */
	CHECK_EQ_INT(fx_fail(FX_XS_WRITE, EIO, 0), 0);
	CHECK_EQ_INT(sim_start(&s, 1, one_vga, 1), 0);
	CHECK(sim_be_state(&s) != XenbusStateInitWait);
	CHECK_EQ_INT(sim_fe_publish(&s), 0);
	sim_set_fe_state(&s, XenbusStateInitialised);
	CHECK(sim_be_state(&s) != XenbusStateConnected);
	CHECK_EQ_INT(fx_gnt_live_mappings(), 0);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(hs_inject_state_write_failure_at_connect)
{
	struct sim s;
	char path[160];

	CHECK_EQ_INT(sim_start(&s, 1, one_vga, 1), 0);
	CHECK_EQ_INT(sim_fe_publish(&s), 0);
	/* The write of "Connected" fails (xenstored busy, quota...). */
	CHECK_EQ_INT(fx_fail(FX_XS_WRITE, EAGAIN, 0), 0);
	sim_set_fe_state(&s, XenbusStateInitialised);
	CHECK_EQ_INT(sim_be_state(&s), XenbusStateInitWait);
	/* The next event brings the node in line with what the backend did. */
	snprintf(path, sizeof(path), "%s/state", s.fe_path);
	CHECK(fx_xs_fire_watch(path) > 0);
	sim_pump(&s);
	CHECK_EQ_INT(sim_be_state(&s), XenbusStateConnected);
	CHECK_EQ_INT(fx_gnt_live_mappings(), 2);
	CHECK_EQ_INT(probe(&s), 0);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

/*
 * An output named by a connector's unique-id is kept for it: a frontend
 * that names no output, connecting first, takes another one.
 */
TEST(hs_an_output_named_by_unique_id_is_reserved)
{
	struct sim_opts ob = {.fe_domid = 2, .outputs = 2, .no_unique_id = true};
	struct sim a, b;

	CHECK_EQ_INT(sim_start(&a, 1, one_vga, 2), 0); /* unique-id Fake-1 */
	ob.share = &a;
	CHECK_EQ_INT(sim_start_opts(&b, 1, one_vga, &ob), 0);
	CHECK_EQ_INT(sim_fe_connect(&b), 0);
	CHECK_STR_EQ(sim_conn(&b, 0).output, "Fake-2");
	CHECK_EQ_INT(sim_fe_connect(&a), 0);
	CHECK_STR_EQ(sim_conn(&a, 0).output, "Fake-1");
	/* Gone with its device, the reservation lets others have it. */
	sim_remove_device(&a, true);
	sim_remove_device(&b, true);
	CHECK_EQ_INT(sim_start_opts(&b, 1, one_vga, &ob), 0);
	CHECK_EQ_INT(sim_fe_connect(&b), 0);
	CHECK_STR_EQ(sim_conn(&b, 0).output, "Fake-1");
	sim_stop(&b);
	CHECK_EQ_INT(sim_stop(&a), 0);
}

/*
 * --map: a connector whose unique-id is mapped asks for the output it is
 * mapped to, which is kept for it as if its unique-id named it.
 */
TEST(hs_map_puts_a_unique_id_on_the_output_it_names)
{
	struct sim_opts oa = {.outputs = 2, .unique_id = "guest-main"};
	struct sim_opts ob = {.fe_domid = 2, .unique_id = "guest-side"};
	struct sim a, b;

	CHECK_EQ_INT(zd_output_map_add(&oa.map, "guest-main=Fake-2"), 0);
	CHECK_EQ_INT(sim_start_opts(&a, 1, one_vga, &oa), 0);
	ob.share = &a;
	CHECK_EQ_INT(sim_start_opts(&b, 1, one_vga, &ob), 0);
	/* First to connect, guest-main would get Fake-1 by order. */
	CHECK_EQ_INT(sim_fe_connect(&a), 0);
	CHECK_STR_EQ(sim_conn(&a, 0).output, "Fake-2");
	CHECK_EQ_INT(sim_fe_connect(&b), 0);
	CHECK_STR_EQ(sim_conn(&b, 0).output, "Fake-1");
	sim_remove_device(&b, true);
	CHECK_EQ_INT(sim_stop(&a), 0);
}

TEST(hs_map_entries_are_checked)
{
	struct zd_output_map m = {0};
	char id[ZD_MAP_MAX_ID + 8];

	CHECK_EQ_INT(zd_output_map_add(&m, "id0=HDMI-A-1"), 0);
	CHECK_EQ_INT(zd_output_map_add(&m, "id0=DP-1"), -EEXIST);
	CHECK_EQ_INT(zd_output_map_add(&m, "id1"), -EINVAL);
	CHECK_EQ_INT(zd_output_map_add(&m, "=DP-1"), -EINVAL);
	CHECK_EQ_INT(zd_output_map_add(&m, "id1="), -EINVAL);
	CHECK_EQ_INT(zd_output_map_add(&m, "id1=a=b"), -EINVAL);
	memset(id, 'x', ZD_MAP_MAX_ID + 1);
	strcpy(id + ZD_MAP_MAX_ID + 1, "=DP-1");
	CHECK_EQ_INT(zd_output_map_add(&m, id), -EINVAL);
	CHECK_STR_EQ(zd_output_map_lookup(&m, "id0"), "HDMI-A-1");
	CHECK_STR_EQ(zd_output_map_lookup(&m, "id9"), "id9");
	for (unsigned int i = 1; i < ZD_MAP_MAX; i++) {
		char spec[32];

		snprintf(spec, sizeof(spec), "g%u=DP-%u", i, i);
		CHECK_EQ_INT(zd_output_map_add(&m, spec), 0);
	}
	CHECK_EQ_INT(zd_output_map_add(&m, "one-more=DP-9"), -ENOSPC);
}

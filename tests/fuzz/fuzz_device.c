// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_device: the device state machine (core/device.c, with the
 * connector's connect and disconnect in conn.c) against sequences of
 * xenstore writes by a hostile frontend and by the toolstack, through the
 * fake Xen seam. No request is ever sent: this target is about the
 * handshake, fuzz_requests about what comes after it.
 *
 * Input: byte 0 bit 0: two connectors (else one); then ops, each an opcode
 * octet (taken % OP_COUNT) and its operands (short reads are zero-filled):
 *   FE_STATE s       the frontend's state: s % 10, 9 writes "x"
 *   FE_NODE n v ...  frontend node n (nodes[n % N]) := value v (values[v % N]);
 *                    the value "raw" takes a length octet and that many octets
 *   PUBLISH          fresh rings granted, ports allocated, all published
 *   TEARDOWN         the frontend revokes its ring grants and closes its ports
 *   ONLINE b         the toolstack's online node := b & 1
 *   RECREATE         the toolstack removes the backend directory and makes it anew
 *   WATCH            a spurious watch event on the frontend's state
 * The loop runs after each op. Invariants checked then:
 *   - the backend's state node is a state the daemon enters (Initialising,
 *     InitWait, Connected, Closing, Closed) and is the device's own state;
 *   - the daemon maps ring pages exactly while Connected: 2 per connector
 *     then, none otherwise;
 *   - it goes Connected only while the frontend's state is Initialised or
 *     Connected;
 * and at the end, once the toolstack has removed the device: no device, no
 * mapping, no handle left.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xen/io/xenbus.h>

#include "device.h"
#include "fakexen/fakexen.h"
#include "unit/fe_sim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FAIL(...)                                                                                  \
	do {                                                                                       \
		fprintf(stderr, "fuzz_device: invariant violated: " __VA_ARGS__);                  \
		fputc('\n', stderr);                                                               \
		abort();                                                                           \
	} while (0)

enum op {
	OP_FE_STATE,
	OP_FE_NODE,
	OP_PUBLISH,
	OP_TEARDOWN,
	OP_ONLINE,
	OP_RECREATE,
	OP_WATCH,
	OP_COUNT
};

/* A connector's node (conn) is below "<c>/": c is an operand octet % 3, and
 * connector 2 never exists. */
static const struct {
	bool conn;
	const char *name;
} nodes[] = {
	{false, "version"},	     {false, "be-alloc"},    {true, "req-ring-ref"},
	{true, "req-event-channel"}, {true, "evt-ring-ref"}, {true, "evt-event-channel"},
	{true, "resolution"},	     {true, "unique-id"},    {true, "req-ring-ref/sub"},
	{false, "state/sub"},
};

enum value { V_REQ_REF, V_EVT_REF, V_REQ_PORT, V_EVT_PORT, V_RAW, V_FIXED };
static const char *const fixed[] = {
	"1", "2", "1,2", "0", "", "-1", "+2", "4294967296", "99999", "640x480", "0x0", "2 ",
};
#define NVALUES (V_FIXED + sizeof(fixed) / sizeof(fixed[0]))

struct in {
	const uint8_t *p;
	size_t left;
};

static uint8_t take(struct in *in)
{
	if (!in->left)
		return 0;
	in->left--;
	return *in->p++;
}

/* The toolstack's nodes for a device, as libxl writes them. */
static void toolstack_backend(struct sim *s)
{
	char dom[16], path[160];
	const char *const kv[][2] = {
		{"frontend", s->fe_path},
		{"frontend-id", dom},
		{"online", "1"},
		{"state", "1"},
	};

	snprintf(dom, sizeof(dom), "%u", s->fe_domid);
	for (size_t i = 0; i < sizeof(kv) / sizeof(kv[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", s->be_path, kv[i][0]);
		fx_xs_write(0, path, kv[i][1]);
	}
}

static void fe_node(struct sim *s, struct in *in)
{
	uint8_t n = take(in), c = take(in) % 3, v = take(in) % NVALUES;
	const struct sim_conn *sc = &s->conns[c < s->nconns ? c : 0];
	char node[64], val[256];

	n %= sizeof(nodes) / sizeof(nodes[0]);
	if (nodes[n].conn)
		snprintf(node, sizeof(node), "%u/%s", c, nodes[n].name);
	else
		snprintf(node, sizeof(node), "%s", nodes[n].name);
	switch (v) {
	case V_REQ_REF:
		snprintf(val, sizeof(val), "%u", sc->req_ref);
		break;
	case V_EVT_REF:
		snprintf(val, sizeof(val), "%u", sc->evt_ref);
		break;
	case V_REQ_PORT:
		snprintf(val, sizeof(val), "%u", sc->req_port);
		break;
	case V_EVT_PORT:
		snprintf(val, sizeof(val), "%u", sc->evt_port);
		break;
	case V_RAW: {
		size_t len = take(in);

		for (size_t i = 0; i < len; i++)
			val[i] = (char)(take(in) | 1); /* no NUL inside */
		val[len] = '\0';
		break;
	}
	default:
		snprintf(val, sizeof(val), "%s", fixed[v - V_FIXED]);
		break;
	}
	sim_fe_write(s, node, val);
}

struct watch {
	bool was_connected;
};

/* The states the daemon ever writes. */
static bool entered(int state)
{
	return state == XenbusStateInitialising || state == XenbusStateInitWait ||
	       state == XenbusStateConnected || state == XenbusStateClosing ||
	       state == XenbusStateClosed;
}

static void check(struct sim *s, struct watch *w)
{
	const struct zd_device *d = sim_device(s);
	char path[160];
	const char *be, *fe;
	unsigned int maps = fx_gnt_live_mappings();
	struct zd_device_info di;
	int state;

	snprintf(path, sizeof(path), "%s/state", s->be_path);
	be = fx_xs_read(path);
	if (!d) {
		if (maps)
			FAIL("no device, yet %u pages mapped", maps);
		w->was_connected = false;
		return;
	}
	di = sim_devinfo(s);
	state = be ? atoi(be) : -1;
	if (be && (state != (int)di.state || !entered(state)))
		FAIL("backend state node \"%s\", device state %d", be, di.state);
	if (di.state == XenbusStateConnected ? maps != 2 * di.nr_conns : maps != 0)
		FAIL("state %d with %u connectors, %u pages mapped", di.state, di.nr_conns, maps);
	if (di.state == XenbusStateConnected && !w->was_connected) {
		snprintf(path, sizeof(path), "%s/state", s->fe_path);
		fe = fx_xs_read(path);
		if (!fe || (strcmp(fe, "3") && strcmp(fe, "4")))
			FAIL("went Connected with the frontend in state \"%s\"",
			     fe ? fe : "(none)");
	}
	w->was_connected = di.state == XenbusStateConnected;
}

/* The daemon's clock, in µs: moved on past the steps it holds. */
static uint64_t clock_us;

static void play(struct sim *s, struct in *in)
{
	struct watch w = {0};
	char path[160];

	sim_clock_start(s, &clock_us);
	while (in->left) {
		switch (take(in) % OP_COUNT) {
		case OP_FE_STATE: {
			uint8_t st = take(in) % 10;

			if (st == 9)
				sim_fe_write(s, "state", "x");
			else
				sim_set_fe_state(s, st);
			break;
		}
		case OP_FE_NODE:
			fe_node(s, in);
			break;
		case OP_PUBLISH:
			sim_fe_publish(s);
			break;
		case OP_TEARDOWN:
			/* -EBUSY (the backend holds a ring) is allowed: the guest may. */
			sim_fe_teardown(s);
			break;
		case OP_ONLINE:
			sim_set_online(s, take(in) & 1);
			break;
		case OP_RECREATE:
			fx_xs_rm(0, s->be_path);
			toolstack_backend(s);
			break;
		case OP_WATCH:
			snprintf(path, sizeof(path), "%s/state", s->fe_path);
			fx_xs_fire_watch(path);
			break;
		}
		sim_pump(s);
		/* Checked once settled: the steps its step budget held too. */
		sim_run_held_steps(s, &clock_us);
		check(s, &w);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const res[] = {"64x64", "48x32"};
	struct in in = {data, size};
	struct sim s;
	unsigned int left;

	fx_reset();
	memset(&s, 0, sizeof(s));
	if (sim_start(&s, 1 + (take(&in) & 1), res, 2))
		FAIL("the simulation did not start");
	play(&s, &in);
	sim_remove_device(&s, true);
	if (sim_device(&s))
		FAIL("the device outlived its removal");
	if (fx_gnt_live_mappings())
		FAIL("%u pages still mapped after removal", fx_gnt_live_mappings());
	left = sim_stop(&s);
	if (left)
		FAIL("%u handles left open", left);
	fx_reset();
	return 0;
}

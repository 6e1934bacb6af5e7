// SPDX-License-Identifier: GPL-2.0
/*
 * test_ctl.c: zdisplctl reads what the daemon core writes: a snapshot of a
 * served device, parsed, shown as text and JSON, and its rates taken over
 * two snapshots.
 */
#include <drm_fourcc.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_display.h"
#include "fe_sim.h"
#include "render.h"
#include "snapshot.h"
#include "status.h"
#include "test.h"

static __attribute__((noinline)) void take(struct sim *s, struct zctl_snapshot *out)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	zd_status_write(s->be, f);
	fclose(f);
	CHECK_EQ_INT(zctl_parse(buf, out), 0);
}

/* What a view prints, in a string the caller frees. */
static __attribute__((noinline)) char *view(const struct zctl_snapshot *s,
					    const struct zctl_snapshot *prev, int which, bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (which == 0)
		zctl_show_status(s, json, f);
	else if (which == 1)
		zctl_show_buffers(s, json, f);
	else
		zctl_show_stats(s, prev, json, f);
	fclose(f);
	return buf;
}

TEST(ctl_shows_the_cores_snapshot_as_text_and_json)
{
	static const char *const res[] = {"64x32", "48x32"};
	struct zctl_snapshot a, b;
	const struct zctl_record *r;
	struct sim s;
	char *out;

	CHECK_EQ_INT(sim_start(&s, 2, res, 1), 0);
	CHECK_EQ_INT(sim_fe_connect(&s), 0);
	CHECK_EQ_INT(sim_dbuf_create(&s, 0x10, 64, 32, 32, NULL), 0);
	CHECK_EQ_INT(sim_fb_attach(&s, 0x10, 0x20, 64, 32, DRM_FORMAT_XRGB8888), 0);
	CHECK_EQ_INT(sim_set_config(&s, 0, 0x20, 64, 32, 32), 0);
	take(&s, &a);

	r = zctl_find(&a, "conn", "name", "dom1/vdispl/0/0");
	CHECK_NOT_NULL(r);
	CHECK_STR_EQ(zctl_get(r, "output"), "Fake-1");
	CHECK_EQ_INT(zctl_num(r, "requests"), 3); /* DBUF_CREATE, FB_ATTACH, SET_CONFIG */
	r = zctl_find(&a, "buffer", "cookie", "0x10");
	CHECK_NOT_NULL(r);
	CHECK_STR_EQ(zctl_get(r, "path"), "copy");
	CHECK(zctl_get(r, "why") && strchr(zctl_get(r, "why"), ' ')); /* the quoted text */

	out = view(&a, NULL, 0, false);
	CHECK(strstr(out, "dom1/vdispl/0  Connected (frontend Initialised), protocol 2\n"));
	CHECK(strstr(out, "  connector 0  64x32 -> Fake-1  on\n"));
	CHECK(strstr(out, "  connector 1  48x32 -> none  off\n"));
	free(out);
	out = view(&a, NULL, 0, true);
	CHECK(strstr(out, "{\"daemon\": {\"version\": 1, \"devices\": 1, \"zcopy\": \"none\"}"));
	CHECK(strstr(out, "\"connectors\": [{\"name\": \"dom1/vdispl/0/0\", "
			  "\"resolution\": \"64x32\", \"output\": \"Fake-1\", \"configured\": 1"));
	free(out);
	out = view(&a, NULL, 1, false);
	CHECK(strstr(out, "dom1/vdispl/0    0x10     64x32x32          8.2 kB  off ("));
	free(out);
	out = view(&a, NULL, 1, true);
	CHECK(strstr(out, "\"buffers\": [{\"device\": \"dom1/vdispl/0\", \"cookie\": \"0x10\""));
	CHECK(strstr(out, "\"path\": \"copy\", \"why\": \""));
	free(out);

	/* Two flips between two snapshots half a second apart: 4 per second. */
	for (int i = 0; i < 2; i++) {
		CHECK_EQ_INT(sim_page_flip(&s, 0, 0x20), 0);
		CHECK(fake_display_complete_flip(s.display, 0));
		sim_pump(&s);
	}
	take(&s, &b);
	a.taken = 10.0;
	b.taken = 10.5;
	out = view(&b, &a, 2, true);
	CHECK(strstr(out, "\"flips\": 2, "));
	CHECK(strstr(out,
		     "\"requests\": 5, \"errors\": 0, \"fps\": 4.00, \"bytes-copied-per-s\": "));
	free(out);
	out = view(&b, NULL, 2, false);
	CHECK(strstr(out, "dom1/vdispl/0/0    Fake-1            2       -"));
	free(out);
	zctl_snapshot_free(&a);
	zctl_snapshot_free(&b);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

TEST(ctl_refuses_what_is_no_snapshot)
{
	static const char *const bad[] = {"", "hello world\n", "zdispl-back version=1 x\n",
					  "zdispl-back version=1\nbuffer why=\"unterminated\n"};
	struct zctl_snapshot s;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(zctl_parse(strdup(bad[i]), &s) != 0);
		zctl_snapshot_free(&s);
	}
	CHECK_EQ_INT(zctl_parse(strdup("zdispl-back version=1 devices=0 zcopy=none\n"), &s), 0);
	CHECK_EQ_INT(s.nrecords, 1);
	zctl_snapshot_free(&s);
}

TEST(ctl_capture_finds_a_connectors_output_by_either_name)
{
	static const struct {
		const char *spec;
		int r;
		const char *conn, *card, *output;
	} cases[] = {
		{"dom1/vdispl/0/0", 0, "dom1/vdispl/0/0", "", "Virtual-1"},
		/* By the output's name; a card in the name becomes the device. */
		{"card1:HDMI-A-1", 0, "dom1/vdispl/0/1", "/dev/dri/card1", "HDMI-A-1"},
		/* Not a card's number: the whole name is the connector's. */
		{"dom1/vdispl/0/3", 0, "dom1/vdispl/0/3", "", "cardX:DP-1"},
		/* Headless, unknown. */
		{"dom1/vdispl/0/2", -ENODEV, "dom1/vdispl/0/2", NULL, NULL},
		{"none", -ENODEV, "dom1/vdispl/0/2", NULL, NULL},
		{"dom1/vdispl/0/9", -ENOENT, NULL, NULL, NULL},
		{"HDMI-A-1", -ENOENT, NULL, NULL, NULL},
	};
	char text[] = "zdispl-back version=1 devices=1 zcopy=helper\n"
		      "device name=dom1/vdispl/0 state=Connected\n"
		      "conn name=dom1/vdispl/0/0 resolution=640x480 output=Virtual-1 configured=1\n"
		      "conn name=dom1/vdispl/0/1 resolution=640x480 output=card1:HDMI-A-1\n"
		      "conn name=dom1/vdispl/0/2 resolution=640x480 output=none configured=0\n"
		      "conn name=dom1/vdispl/0/3 resolution=640x480 output=cardX:DP-1\n";
	const struct zctl_record *c;
	struct zctl_snapshot s;
	char card[32], out[16];

	CHECK_EQ_INT(zctl_parse(strdup(text), &s), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		c = NULL;
		CHECK_EQ_INT(zctl_find_output(&s, cases[i].spec, &c, card, sizeof(card), out,
					      sizeof(out)),
			     cases[i].r);
		if (cases[i].conn)
			CHECK_STR_EQ(c ? zctl_get(c, "name") : NULL, cases[i].conn);
		if (cases[i].card)
			CHECK_STR_EQ(card, cases[i].card);
		if (cases[i].output)
			CHECK_STR_EQ(out, cases[i].output);
	}
	/* Too long for the caller's buffer. */
	CHECK_EQ_INT(zctl_find_output(&s, "Virtual-1", &c, card, sizeof(card), out, 4),
		     -ENAMETOOLONG);
	zctl_snapshot_free(&s);
}

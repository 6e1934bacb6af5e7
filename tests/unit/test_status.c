// SPDX-License-Identifier: GPL-2.0
/* test_status.c: the status snapshot says what the daemon really holds. */
#include <drm_fourcc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fakexen/fakexen.h"
#include "fe_sim.h"
#include "status.h"
#include "test.h"

static char *snapshot(struct sim *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	zd_status_write(s->be, f);
	fclose(f);
	return buf;
}

TEST(status_reports_devices_connectors_and_buffer_paths)
{
	static const char *const res[] = {"640x480", "800x600"};
	struct sim s;
	char *snap;

	CHECK_EQ_INT(sim_start(&s, 2, res, 1), 0);
	CHECK_EQ_INT(sim_fe_connect(&s), 0);
	CHECK_EQ_INT(sim_dbuf_create(&s, 0xab, 64, 16, 32, NULL), 0);
	snap = snapshot(&s);
	CHECK(strstr(snap, "zdispl-back version=1 devices=1 zcopy=none\n") != NULL);
	CHECK(strstr(snap, "device name=dom1/vdispl/0 state=Connected") != NULL);
	CHECK(strstr(snap, "buffers=1 fbs=0") != NULL);
	/* One fake output: connector 0 gets it, connector 1 runs headless. */
	CHECK(strstr(snap, "conn name=dom1/vdispl/0/0 resolution=640x480 output=Fake-1") != NULL);
	CHECK(strstr(snap, "conn name=dom1/vdispl/0/1 resolution=800x600 output=none") != NULL);
	CHECK(strstr(snap, "cookie=0xab size=64x16x32 bytes=4096 pages=1 path=copy why=\"") !=
	      NULL);
	free(snap);
	CHECK_EQ_INT(sim_stop(&s), 0);
}

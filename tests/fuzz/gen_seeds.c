// SPDX-License-Identifier: GPL-2.0
/*
 * gen_seeds.c: write the seed corpus of fuzz_requests into a directory.
 *
 *	gen-seeds DIR
 *
 * Each seed is a script (script.h) a well-behaved frontend could play: the
 * fuzzer starts from deep states (buffers attached, configured, flips in
 * flight, multi-page directories, EDID, restarts) instead of having to
 * discover the handshake and the request layouts by itself.
 */
#include <drm_fourcc.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xen/io/xenbus.h>
#include <zdispl/displif-use.h>

#include "script.h"

struct seed {
	uint8_t buf[8192];
	size_t n;
};

static void put(struct seed *s, const void *p, size_t n)
{
	if (s->n + n > sizeof(s->buf)) {
		fprintf(stderr, "gen-seeds: seed too long\n");
		exit(1);
	}
	memcpy(s->buf + s->n, p, n);
	s->n += n;
}

static void put8(struct seed *s, unsigned int v)
{
	uint8_t b = (uint8_t)v;

	put(s, &b, 1);
}

static void put16(struct seed *s, unsigned int v)
{
	put8(s, v & 0xff);
	put8(s, v >> 8);
}

static void header(struct seed *s, uint8_t h0, uint8_t h1, enum fz_end end, uint8_t h3)
{
	s->n = 0;
	put8(s, h0);
	put8(s, h1);
	put8(s, end);
	put8(s, h3);
}

static void mk(struct seed *s, unsigned int conn, enum fz_mk kind, uint8_t a, uint8_t b, uint8_t c,
	       uint8_t d, uint8_t e)
{
	put8(s, FZ_MKREQ);
	put8(s, conn);
	put8(s, kind);
	put8(s, a);
	put8(s, b);
	put8(s, c);
	put8(s, d);
	put8(s, e);
}

/* Pool page `page` becomes a directory: next, then n grefs from pool[first]. */
static void dirmake(struct seed *s, uint8_t page, uint8_t next_sel, uint8_t first, unsigned int n)
{
	put8(s, FZ_DIRMAKE);
	put8(s, page);
	put8(s, next_sel);
	put8(s, first);
	put16(s, n);
}

static void op1(struct seed *s, enum fz_op op, uint8_t arg)
{
	put8(s, op);
	put8(s, arg);
}

static void raw(struct seed *s, unsigned int conn, const struct xendispl_req *req)
{
	put8(s, FZ_REQ);
	put8(s, conn);
	put(s, req, sizeof(*req));
}

static void save(const struct seed *s, const char *dir, const char *name)
{
	char path[512];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "wb");
	if (!fp || fwrite(s->buf, 1, s->n, fp) != s->n || fclose(fp)) {
		fprintf(stderr, "gen-seeds: %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

/* 64x64 XRGB buffer 1 (4 pages, directory pool[0] -> pool[1..4]), fbs 0 and 1. */
static void buffers(struct seed *s)
{
	dirmake(s, 0, FZ_SEL_ZERO, 1, 4);
	mk(s, 0, FZ_MK_DBUF_CREATE, 0, 63, 63, 0, 0);
	mk(s, 0, FZ_MK_FB_ATTACH, 0, 0, 63, 63, 0);
	mk(s, 0, FZ_MK_FB_ATTACH, 0, 1, 63, 63, 1);
}

int main(int argc, char **argv)
{
	static struct seed s;
	struct xendispl_req req;
	const char *dir;

	if (argc != 2) {
		fprintf(stderr, "usage: gen-seeds DIR\n");
		return 2;
	}
	dir = argv[1];

	/* Configure, flip, queue, supersede, complete, tear down. */
	header(&s, FZ_H0_OUTPUTS(1), 0x77, FZ_END_REMOVE, FZ_H3_CONNECT);
	buffers(&s);
	mk(&s, 0, FZ_MK_SET_CONFIG, 0, 0, 0, 63, 63);
	mk(&s, 0, FZ_MK_PG_FLIP, 1, 0, 0, 0, 0);
	mk(&s, 0, FZ_MK_PG_FLIP, 0, 0, 0, 0, 0);
	mk(&s, 0, FZ_MK_PG_FLIP, 1, 0, 0, 0, 0);
	op1(&s, FZ_FLIP_DONE, 0);
	op1(&s, FZ_EVT_DRAIN, 0);
	op1(&s, FZ_FLIP_DONE, 0);
	op1(&s, FZ_EVT_DRAIN, 0);
	mk(&s, 0, FZ_MK_FB_DETACH, 0, 0, 0, 0, 0);
	mk(&s, 0, FZ_MK_DBUF_DESTROY, 0, 0, 0, 0, 0);
	mk(&s, 0, FZ_MK_FB_DETACH, 1, 0, 0, 0, 0);
	mk(&s, 0, FZ_MK_DBUF_DESTROY, 0, 0, 0, 0, 0);
	save(&s, dir, "flip-queue-supersede");

	/* The same as raw requests, with a 16 bpp buffer at an offset and EDID. */
	header(&s, FZ_H0_OUTPUTS(1), 0x33, FZ_END_SIGTERM, FZ_H3_CONNECT);
	dirmake(&s, 5, FZ_SEL_ZERO, 6, 2);
	memset(&req, 0, sizeof(req));
	req.id = 1;
	req.operation = XENDISPL_OP_DBUF_CREATE;
	req.op.dbuf_create.dbuf_cookie = 0x1122334455667788ull;
	req.op.dbuf_create.width = 32;
	req.op.dbuf_create.height = 32;
	req.op.dbuf_create.bpp = 16;
	req.op.dbuf_create.buffer_sz = 2 * ZD_PAGE_SIZE;
	req.op.dbuf_create.data_ofs = 100;
	req.op.dbuf_create.gref_directory = 8 + 5; /* pool page 5 */
	raw(&s, 0, &req);
	memset(&req, 0, sizeof(req));
	req.id = 2;
	req.operation = XENDISPL_OP_FB_ATTACH;
	req.op.fb_attach.dbuf_cookie = 0x1122334455667788ull;
	req.op.fb_attach.fb_cookie = 0xffffffffffffffffull;
	req.op.fb_attach.width = 32;
	req.op.fb_attach.height = 32;
	req.op.fb_attach.pixel_format = DRM_FORMAT_RGB565;
	raw(&s, 0, &req);
	memset(&req, 0, sizeof(req));
	req.id = 3;
	req.operation = XENDISPL_OP_SET_CONFIG;
	req.op.set_config.fb_cookie = 0xffffffffffffffffull;
	req.op.set_config.x = 32;
	req.op.set_config.y = 32;
	req.op.set_config.width = 32;
	req.op.set_config.height = 32;
	req.op.set_config.bpp = 16;
	raw(&s, 0, &req);
	memset(&req, 0, sizeof(req));
	req.id = 4;
	req.operation = XENDISPL_OP_PG_FLIP;
	req.op.pg_flip.fb_cookie = 0xffffffffffffffffull;
	raw(&s, 0, &req);
	dirmake(&s, 20, FZ_SEL_ZERO, 8, 8); /* pool 8..15: none read-only */
	memset(&req, 0, sizeof(req));
	req.id = 5;
	req.operation = XENDISPL_OP_GET_EDID;
	req.op.get_edid.buffer_sz = XENDISPL_EDID_MAX_SIZE;
	req.op.get_edid.gref_directory = 8 + 20;
	raw(&s, 0, &req);
	op1(&s, FZ_FLIP_DONE, 0);
	op1(&s, FZ_EVT_DRAIN, 0);
	save(&s, dir, "raw-16bpp-offset-edid");

	/* Two connectors: EDID and flips on connector 1, buffer ops refused there. */
	header(&s, FZ_H0_TWO_CONNS | FZ_H0_OUTPUTS(2), 0x77, FZ_END_FE_CLOSE, FZ_H3_CONNECT);
	buffers(&s);
	dirmake(&s, 20, FZ_SEL_ZERO, 21, 1);
	mk(&s, 1, FZ_MK_GET_EDID, 0, 20, 0, 0, 0);
	mk(&s, 1, FZ_MK_DBUF_CREATE, 2, 10, 10, 0, 0);
	mk(&s, 1, FZ_MK_FB_DETACH, 0, 0, 0, 0, 0);
	mk(&s, 1, FZ_MK_SET_CONFIG, 1, 0, 0, 47, 31);
	mk(&s, 0, FZ_MK_SET_CONFIG, 0, 0, 0, 63, 63);
	mk(&s, 1, FZ_MK_PG_FLIP, 0, 0, 0, 0, 0);
	mk(&s, 0, FZ_MK_PG_FLIP, 1, 0, 0, 0, 0);
	op1(&s, FZ_FLIP_DONE, 1);
	op1(&s, FZ_FLIP_DONE, 0);
	op1(&s, FZ_EVT_DRAIN, 1);
	op1(&s, FZ_EVT_DRAIN, 0);
	save(&s, dir, "two-connectors");

	/* A directory of two pages: 1024 x 1120 at 32 bpp is 1120 pages. */
	header(&s, FZ_H0_OUTPUTS(1), 0x77, FZ_END_REMOVE, FZ_H3_CONNECT);
	dirmake(&s, 30, 31, 0, 1023);
	dirmake(&s, 31, FZ_SEL_ZERO, 0, 1120 - 1023);
	mk(&s, 0, FZ_MK_DBUF_CREATE, 3, 0x80, 0x40 | 34, 0, 30);
	mk(&s, 0, FZ_MK_FB_ATTACH, 3, 2, 63, 63, 1);
	mk(&s, 0, FZ_MK_SET_CONFIG, 2, 0, 0, 63, 63);
	mk(&s, 0, FZ_MK_PG_FLIP, 2, 0, 0, 0, 0);
	op1(&s, FZ_FLIP_DONE, 0);
	op1(&s, FZ_EVT_DRAIN, 0);
	save(&s, dir, "two-page-directory");

	/* Restarts: the frontend starts over, closes, comes back. */
	header(&s, FZ_H0_OUTPUTS(2), 0x77, FZ_END_REMOVE, FZ_H3_CONNECT);
	buffers(&s);
	op1(&s, FZ_FE_STATE, XenbusStateInitialising);
	put8(&s, FZ_RECONNECT);
	buffers(&s);
	op1(&s, FZ_FE_STATE, XenbusStateClosing);
	op1(&s, FZ_FE_STATE, XenbusStateClosed);
	op1(&s, FZ_FE_STATE, XenbusStateInitialising);
	put8(&s, FZ_RECONNECT);
	op1(&s, FZ_WATCH, 0);
	op1(&s, FZ_WATCH, 1);
	buffers(&s);
	save(&s, dir, "restart");

	/* Headless, protocol 1: flips complete at once; GET_EDID is refused. */
	header(&s, FZ_H0_V1, 0x11, FZ_END_FE_CLOSE, FZ_H3_CONNECT | FZ_H3_SKIP_INITIALISED);
	buffers(&s);
	mk(&s, 0, FZ_MK_SET_CONFIG, 0, 0, 0, 63, 63);
	mk(&s, 0, FZ_MK_PG_FLIP, 0, 0, 0, 0, 0);
	mk(&s, 0, FZ_MK_PG_FLIP, 1, 0, 0, 0, 0);
	dirmake(&s, 20, FZ_SEL_ZERO, 21, 1);
	mk(&s, 0, FZ_MK_GET_EDID, 0, 20, 0, 0, 0);
	op1(&s, FZ_EVT_DRAIN, 0);
	save(&s, dir, "headless-v1");

	/* A frontend abusing its rings: event consumer garbage, then overflow. */
	header(&s, FZ_H0_OUTPUTS(1), 0x77, FZ_END_SIGTERM, FZ_H3_CONNECT);
	buffers(&s);
	mk(&s, 0, FZ_MK_SET_CONFIG, 0, 0, 0, 63, 63);
	put8(&s, FZ_EVT_CONS);
	put8(&s, 0);
	put16(&s, 0x1234);
	put16(&s, 0x5678);
	mk(&s, 0, FZ_MK_PG_FLIP, 1, 0, 0, 0, 0);
	op1(&s, FZ_FLIP_DONE, 0);
	op1(&s, FZ_EVT_DRAIN, 0);
	put8(&s, FZ_REQ_PROD);
	put8(&s, 0);
	put16(&s, 1000);
	save(&s, dir, "ring-abuse");

	/* Zero-copy: shown as exported, flips, detach of the fb on screen. */
	header(&s, FZ_H0_OUTPUTS(1) | FZ_H0_ZC_HELPER, 0x77, FZ_END_REMOVE, FZ_H3_CONNECT);
	buffers(&s);
	mk(&s, 0, FZ_MK_SET_CONFIG, 0, 0, 0, 63, 63);
	mk(&s, 0, FZ_MK_PG_FLIP, 1, 0, 0, 0, 0);
	mk(&s, 0, FZ_MK_PG_FLIP, 0, 0, 0, 0, 0);
	op1(&s, FZ_FLIP_DONE, 0);
	op1(&s, FZ_EVT_DRAIN, 0);
	mk(&s, 0, FZ_MK_FB_DETACH, 1, 0, 0, 0, 0);
	op1(&s, FZ_FLIP_DONE, 0);
	mk(&s, 0, FZ_MK_FB_DETACH, 0, 0, 0, 0, 0);
	mk(&s, 0, FZ_MK_DBUF_DESTROY, 0, 0, 0, 0, 0);
	save(&s, dir, "zero-copy-flip-detach");

	/* Zero-copy on one output, copies on the other, which refuses imports. */
	header(&s, FZ_H0_TWO_CONNS | FZ_H0_OUTPUTS(2) | FZ_H0_ZC_HELPER | FZ_H0_ZC_REFUSE_IMPORT,
	       0x77, FZ_END_FE_CLOSE, FZ_H3_CONNECT);
	buffers(&s);
	mk(&s, 0, FZ_MK_SET_CONFIG, 0, 0, 0, 63, 63);
	mk(&s, 1, FZ_MK_SET_CONFIG, 1, 0, 0, 47, 31);
	mk(&s, 0, FZ_MK_PG_FLIP, 1, 0, 0, 0, 0);
	mk(&s, 1, FZ_MK_PG_FLIP, 0, 0, 0, 0, 0);
	op1(&s, FZ_FLIP_DONE, 1);
	op1(&s, FZ_EVT_DRAIN, 1);
	save(&s, dir, "zero-copy-one-output-refuses");

	/* Zero-copy commits refused: every fb falls back as it is shown. */
	header(&s, FZ_H0_OUTPUTS(1) | FZ_H0_ZC_HELPER | FZ_H0_ZC_REFUSE_COMMIT, 0x77,
	       FZ_END_SIGTERM, FZ_H3_CONNECT);
	buffers(&s);
	mk(&s, 0, FZ_MK_SET_CONFIG, 0, 0, 0, 63, 63);
	mk(&s, 0, FZ_MK_PG_FLIP, 1, 0, 0, 0, 0);
	op1(&s, FZ_FLIP_DONE, 0);
	op1(&s, FZ_EVT_DRAIN, 0);
	save(&s, dir, "zero-copy-commit-refused");

	/* be-alloc: the display allocates, the refs go into the directory. */
	header(&s, FZ_H0_OUTPUTS(2) | FZ_H0_TWO_CONNS | FZ_H0_BE_ALLOC | FZ_H0_ZC_HELPER, 0x77,
	       FZ_END_REMOVE, FZ_H3_CONNECT);
	dirmake(&s, 0, FZ_SEL_ZERO, 1, 4);
	mk(&s, 0, FZ_MK_DBUF_CREATE, 0, 63, 63, 0x40, 0);
	mk(&s, 0, FZ_MK_FB_ATTACH, 0, 0, 63, 63, 0);
	mk(&s, 0, FZ_MK_SET_CONFIG, 0, 0, 0, 63, 63);
	mk(&s, 1, FZ_MK_SET_CONFIG, 0, 0, 0, 47, 31);
	mk(&s, 0, FZ_MK_PG_FLIP, 0, 0, 0, 0, 0);
	op1(&s, FZ_FLIP_DONE, 0);
	op1(&s, FZ_EVT_DRAIN, 0);
	save(&s, dir, "be-alloc");

	/* Requests queued before the frontend says Initialised. */
	header(&s, FZ_H0_OUTPUTS(1), 0x77, FZ_END_REMOVE, 0);
	buffers(&s);
	op1(&s, FZ_FE_STATE, XenbusStateInitialised);
	mk(&s, 0, FZ_MK_SET_CONFIG, 0, 0, 0, 63, 63);
	save(&s, dir, "queued-before-connect");
	return 0;
}

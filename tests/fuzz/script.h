/* SPDX-License-Identifier: GPL-2.0 */
/*
 * script.h: the input format of fuzz_requests (tests/fuzz/fuzz_requests.c),
 * shared with the seed generator (gen_seeds.c) so the two cannot drift.
 *
 * An input is a script played by a simulated frontend (tests/unit/fe_sim.h)
 * against the real daemon core through the fake Xen seam. Short reads are
 * zero-filled, so every byte string is a valid script.
 *
 *   header   4 octets
 *     h0  bit 0: two connectors (else one); bit 1: protocol version 1
 *         (else 2); bit 2: be-alloc; bits 3-4: display outputs (0, 1, 2, 2);
 *         bit 5: the zero-copy helper is there; bit 6: the last output
 *         refuses dma-buf imports; bit 7: the first output refuses
 *         zero-copy commits
 *     h1  max buffers 1 + (h1 & 15), max fbs 1 + (h1 >> 4): small per-frontend
 *         limits, so that -ENOSPC is reachable
 *     h2  ending (h2 % FZ_END_COUNT), see enum fz_end
 *     h3  bit 0: connect before the first op (else the script must);
 *         bit 1: announce Connected instead of Initialised
 *
 *   then ops, each an opcode octet (taken % FZ_OP_COUNT) and its operands.
 *   "conn" operands are taken modulo the number of connectors.
 *
 * Grant pool: before the rings, the frontend grants FZ_POOL pages, so pool
 * page i is grant ref 8 + i (raw requests hit them by value). Every 16th
 * page from 7 on is read-only; the last is granted to another domain. A
 * "gref selector" octet s means: s < FZ_POOL: pool page s; FZ_SEL_ZERO: 0;
 * FZ_SEL_RAW: the next 4 octets, little endian; anything else: s itself.
 */
#ifndef FZ_SCRIPT_H
#define FZ_SCRIPT_H

#include <stdint.h>

#define FZ_HEADER_SIZE 4
#define FZ_POOL 48
#define FZ_SEL_RAW 0xfe
#define FZ_SEL_ZERO 0xff
#define FZ_MAX_BATCH 8
#define FZ_COOKIES 8	    /* compact requests use 8 dbuf and 8 fb cookies */
#define FZ_FB_COOKIE 0x100u /* fb cookie k is FZ_FB_COOKIE + k */
#define FZ_RESOLUTION0 "64x64"
#define FZ_RESOLUTION1 "48x32"
#define FZ_MAX_BUFFER_BYTES (8u << 20) /* 2048 pages: up to 3 directory pages */

#define FZ_H0_TWO_CONNS 0x01
#define FZ_H0_V1 0x02
#define FZ_H0_BE_ALLOC 0x04
#define FZ_H0_OUTPUTS(n) ((uint8_t)((n) << 3))
#define FZ_H0_ZC_HELPER 0x20
#define FZ_H0_ZC_REFUSE_IMPORT 0x40
#define FZ_H0_ZC_REFUSE_COMMIT 0x80
#define FZ_H3_CONNECT 0x01
#define FZ_H3_SKIP_INITIALISED 0x02

enum fz_end {
	FZ_END_REMOVE,	 /* toolstack removes frontend and backend directories */
	FZ_END_SIGTERM,	 /* zd_backend_free() */
	FZ_END_FE_CLOSE, /* frontend Closing, Closed; then the toolstack removes */
	FZ_END_COUNT
};

enum fz_op {
	FZ_REQ,	      /* conn, 64 raw octets: pushed as they are, then a kick */
	FZ_BATCH,     /* conn, n (1 + n % FZ_MAX_BATCH), n * 64 raw octets, one kick */
	FZ_MKREQ,     /* conn, kind, a, b, c, d, e: a mostly sensible request, below */
	FZ_DIRMAKE,   /* page, next selector, first, n (2 octets, % 1024): pool page
		       * `page` becomes a directory page: next pointer, then n grefs
		       * pool[(first + k) % (FZ_POOL - 1)] (the pages granted to us) */
	FZ_DIRWRITE,  /* page, slot (2 octets, % 1024), n (1 + n % 16), n selectors:
		       * raw writes into a pool page's 32-bit slots */
	FZ_FLIP_DONE, /* output: the fake display completes its pending flip */
	FZ_FE_STATE,  /* s: frontend state s % 10 (9: "junk") */
	FZ_EVT_CONS,  /* conn, 4 octets: the event page's in_cons */
	FZ_EVT_DRAIN, /* conn: read the events, as a frontend */
	FZ_REQ_PROD,  /* conn, 2 octets (int16): shared req_prod += that, kick */
	FZ_KICK,      /* conn, which: notify the request (even) or event (odd) port */
	FZ_WATCH,     /* which: a spurious xenstore watch event */
	FZ_RECONNECT, /* frontend restarts: new rings, Initialising, Initialised */
	FZ_REVOKE,    /* page: the frontend revokes a pool page (if unmapped) */
	FZ_FE_NODE,   /* node, mode, value: the frontend rewrites one of its nodes
		       * (node % FZ_NODE_COUNT, see fz_nodes in fuzz_requests.c); mode
		       * % 3: 0: decimal of 4 octets; 1: decimal of one of its ports
		       * (1 octet: index); 2: a string of 1 + n % 24 octets (n, then
		       * the octets; NUL ends it early) */
	FZ_OP_COUNT
};

/*
 * FZ_MKREQ kinds (kind % FZ_MK_COUNT) and how a..e are used:
 *   DBUF_CREATE   cookie 1 + a % 8; width 1 + b % 64 (b & 0x80: 1024);
 *                 height 1 + c % 64 (c & 0x40: * 32); d bit 0: 16 bpp;
 *                 d bits 1-3: data_ofs 700 * k; d bits 4-5: buffer_sz exact,
 *                 + 4096, - 1, 0xffffffff; d bit 6: flag REQ_ALLOC;
 *                 directory: selector e
 *   DBUF_DESTROY  cookie 1 + a % 8
 *   FB_ATTACH     dbuf 1 + a % 8, fb b % 8; width 1 + c % 64, height
 *                 1 + d % 64; format e % 4: XR24, AR24, RG16, junk
 *   FB_DETACH     fb a % 8
 *   SET_CONFIG    a == 0xff: all zeros (reset); else fb a % 8, x = b % 16,
 *                 y = c % 16, width 1 + d % 64, height 1 + e % 64, bpp 32
 *                 (e & 0x80: 16)
 *   PG_FLIP       fb a % 8
 *   GET_EDID      buffer_sz 128 * (1 + a) (a == 0xff: 0xffffffff),
 *                 directory: selector b
 */
enum fz_mk {
	FZ_MK_DBUF_CREATE,
	FZ_MK_DBUF_DESTROY,
	FZ_MK_FB_ATTACH,
	FZ_MK_FB_DETACH,
	FZ_MK_SET_CONFIG,
	FZ_MK_PG_FLIP,
	FZ_MK_GET_EDID,
	FZ_MK_COUNT
};

#endif /* FZ_SCRIPT_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * edid.c: the EDID 1.4 base block of a virtual connector (see edid.h).
 *
 * Layout per VESA E-EDID 1.4. The one detailed timing is computed with the
 * reduced blanking (v1) rules of VESA CVT 1.2 for 60 Hz, non-interlaced,
 * without margins, as the spec defines them; all of the arithmetic is done
 * in integers so that the result is exact and the same on every host.
 *
 * One deliberate departure from CVT: CVT rounds the active width down to a
 * multiple of its 8-pixel character cell. A virtual display has no cells,
 * and the guest must see exactly the width the toolstack configured, so
 * the active width is kept as is and the fixed 160-pixel blank is added to
 * it. The cell rounding is only used to recognise the aspect ratio.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "edid.h"

/* CVT reduced blanking v1 constants. */
#define CVT_REFRESH_HZ 60
#define CVT_CELL 8		  /* character cell granularity, pixels */
#define CVT_RB_H_BLANK 160	  /* pixels */
#define CVT_RB_H_SYNC 32	  /* pixels */
#define CVT_RB_H_FPORCH 48	  /* pixels; the back porch is the rest */
#define CVT_RB_V_FPORCH 3	  /* lines */
#define CVT_RB_MIN_V_BPORCH 6	  /* lines */
#define CVT_RB_MIN_V_BLANK_US 460 /* minimum vertical blanking time */
#define CVT_CLOCK_STEP_HZ 250000  /* pixel clock granularity */
#define CVT_V_SYNC_OTHER 10	  /* lines, aspect ratio not in the table */

/* Detailed timing descriptor field limits (bit widths). */
#define DTD_MAX_ACTIVE 4095	  /* 12 bits */
#define DTD_MAX_BLANK 4095	  /* 12 bits */
#define DTD_MAX_H_FPORCH 1023	  /* 10 bits */
#define DTD_MAX_H_SYNC 1023	  /* 10 bits */
#define DTD_MAX_V_FPORCH 63	  /* 6 bits */
#define DTD_MAX_V_SYNC 63	  /* 6 bits */
#define DTD_MAX_CLOCK_10KHZ 65535 /* 16 bits, 10 kHz units */
#define DTD_MAX_SIZE_MM 4095	  /* 12 bits */

/* Base block layout (E-EDID 1.4, section 3). */
#define EDID_OFS_VENDOR 8
#define EDID_OFS_VERSION 18
#define EDID_OFS_BASIC 20
#define EDID_OFS_CHROMA 25
#define EDID_OFS_EST_TIMINGS 35
#define EDID_OFS_STD_TIMINGS 38
#define EDID_NR_STD_TIMINGS 8
#define EDID_OFS_DESC 54
#define EDID_DESC_SIZE 18
#define EDID_OFS_EXTENSIONS 126
#define EDID_OFS_CHECKSUM 127

/* Display descriptor tags. */
#define EDID_TAG_NAME 0xfc
#define EDID_TAG_RANGE 0xfd
#define EDID_TAG_DUMMY 0x10
#define EDID_NAME_MAX 13

/* Identification: "ZDL", product 1, serial 0, made 2024 (week unspecified). */
#define EDID_VENDOR "ZDL"
#define EDID_PRODUCT 0x0001
#define EDID_YEAR 2024
#define EDID_DEFAULT_NAME "zdispl"

/* The size reported to the guest, so that it computes 96 DPI. */
#define EDID_DPI 96

_Static_assert(EDID_OFS_DESC + 4 * EDID_DESC_SIZE == EDID_OFS_EXTENSIONS, "four descriptors");

/* A complete mode, in the units of a detailed timing descriptor. */
struct cvt_mode {
	uint32_t hactive, hblank, hfporch, hsync;
	uint32_t vactive, vblank, vfporch, vsync;
	uint32_t clock_hz; /* a multiple of CVT_CLOCK_STEP_HZ */
};

/* ------------------------------------------------------------------------
 * CVT reduced blanking v1
 */

/*
 * CVT signals the aspect ratio through the vertical sync width. An aspect
 * ratio matches if CVT would derive this width (in whole cells) from this
 * height: e.g. 1366x768 counts as 16:9, like CVT's own 1360x768.
 */
static uint32_t cvt_vsync(uint32_t width, uint32_t height)
{
	static const struct {
		uint32_t num, den, vsync;
	} aspect[] = {
		{4, 3, 4}, {16, 9, 5}, {16, 10, 6}, {5, 4, 7}, {15, 9, 7},
	};
	uint32_t cells = width / CVT_CELL;
	size_t i;

	for (i = 0; i < sizeof(aspect) / sizeof(aspect[0]); i++) {
		uint64_t w = (uint64_t)height * aspect[i].num / aspect[i].den;

		if (w / CVT_CELL == cells)
			return aspect[i].vsync;
	}
	return CVT_V_SYNC_OTHER;
}

/*
 * Vertical blanking, lines. CVT estimates the line period as
 *   H_PERIOD_EST = (1000000 / 60 - 460) / height            (us)
 * and blanks floor(460 / H_PERIOD_EST) + 1 lines, but never fewer than
 * front porch + sync + minimum back porch. Multiplying numerator and
 * denominator by 60 keeps the whole computation in exact integers.
 */
static uint32_t cvt_vblank(uint32_t height, uint32_t vsync)
{
	uint64_t num = (uint64_t)CVT_RB_MIN_V_BLANK_US * CVT_REFRESH_HZ * height;
	uint64_t den = 1000000u - (uint64_t)CVT_RB_MIN_V_BLANK_US * CVT_REFRESH_HZ;
	uint32_t lines = (uint32_t)(num / den) + 1;
	uint32_t min = CVT_RB_V_FPORCH + vsync + CVT_RB_MIN_V_BPORCH;

	return lines > min ? lines : min;
}

/* Pixel clock for 60 frames of htotal x vtotal, rounded down to a step. */
static uint32_t cvt_clock_hz(uint32_t htotal, uint32_t vtotal)
{
	uint64_t hz = (uint64_t)CVT_REFRESH_HZ * htotal * vtotal;

	return (uint32_t)(hz / CVT_CLOCK_STEP_HZ * CVT_CLOCK_STEP_HZ);
}

static void cvt_rb_mode(struct cvt_mode *m, uint32_t width, uint32_t height)
{
	m->hactive = width;
	m->hblank = CVT_RB_H_BLANK;
	m->hfporch = CVT_RB_H_FPORCH;
	m->hsync = CVT_RB_H_SYNC;
	m->vactive = height;
	m->vsync = cvt_vsync(width, height);
	m->vfporch = CVT_RB_V_FPORCH;
	m->vblank = cvt_vblank(height, m->vsync);
	m->clock_hz = cvt_clock_hz(m->hactive + m->hblank, m->vactive + m->vblank);
}

/*
 * Whether a detailed timing descriptor can hold the mode. A clock that
 * rounds down to 0 (tiny modes) cannot: pixel clock 0 marks a display
 * descriptor instead of a timing.
 */
static bool dtd_fits(const struct cvt_mode *m)
{
	uint32_t clock = m->clock_hz / 10000;

	return m->hactive >= 1 && m->hactive <= DTD_MAX_ACTIVE && m->vactive >= 1 &&
	       m->vactive <= DTD_MAX_ACTIVE && m->hblank <= DTD_MAX_BLANK &&
	       m->vblank <= DTD_MAX_BLANK && m->hfporch <= DTD_MAX_H_FPORCH &&
	       m->hsync <= DTD_MAX_H_SYNC && m->vfporch <= DTD_MAX_V_FPORCH &&
	       m->vsync <= DTD_MAX_V_SYNC && clock >= 1 && clock <= DTD_MAX_CLOCK_10KHZ;
}

/* ------------------------------------------------------------------------
 * Base block
 */

/* Physical length of px pixels at EDID_DPI, rounded to the nearest unit. */
static uint32_t px_to_mm(uint32_t px)
{
	uint32_t mm = (px * 254 + EDID_DPI * 5) / (EDID_DPI * 10);

	return mm ? mm : 1;
}

static uint32_t px_to_cm(uint32_t px)
{
	uint32_t cm = (px * 254 + EDID_DPI * 50) / (EDID_DPI * 100);

	return cm ? cm : 1;
}

static void put_le16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put_header(uint8_t *e)
{
	static const uint8_t header[8] = {0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00};

	memcpy(e, header, sizeof(header));
}

/* Manufacturer id: three letters, 5 bits each ('A' = 1), big-endian. */
static void put_vendor(uint8_t *e)
{
	const char *id = EDID_VENDOR;
	uint32_t v = (uint32_t)(id[0] - 'A' + 1) << 10 | (uint32_t)(id[1] - 'A' + 1) << 5 |
		     (uint32_t)(id[2] - 'A' + 1);
	uint8_t *p = e + EDID_OFS_VENDOR;

	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	put_le16(p + 2, EDID_PRODUCT);
	memset(p + 4, 0, 4); /* serial number: none */
	p[8] = 0;	     /* week of manufacture: not specified */
	p[9] = EDID_YEAR - 1990;
	e[EDID_OFS_VERSION] = 1;
	e[EDID_OFS_VERSION + 1] = 4;
}

/* Basic display parameters and features (bytes 20..24). */
static void put_basic(uint8_t *e, uint32_t width, uint32_t height)
{
	uint8_t *p = e + EDID_OFS_BASIC;

	p[0] = 0x80 | 0x20 | 0x00; /* digital, 8 bits per colour, interface undefined */
	p[1] = (uint8_t)px_to_cm(width);
	p[2] = (uint8_t)px_to_cm(height);
	p[3] = 220 - 100; /* gamma 2.2, stored as 100 * gamma - 100 */
	/*
	 * No DPMS states, RGB 4:4:4 only, sRGB is the default colour space,
	 * the preferred timing (DTD 1) is the native mode, and not
	 * continuous frequency: only the one timing is offered.
	 */
	p[4] = 0x04 | 0x02;
}

/*
 * sRGB primaries and D65 white point (IEC 61966-2-1), as x/y coordinates in
 * 1/10000, stored as 10-bit binary fractions: high 8 bits in a byte each,
 * the low 2 bits packed in two shared bytes.
 */
static void put_chromaticity(uint8_t *e)
{
	static const uint32_t xy[8] = {
		6400, 3300, /* red */
		3000, 6000, /* green */
		1500, 600,  /* blue */
		3127, 3290, /* white */
	};
	uint8_t *p = e + EDID_OFS_CHROMA;
	size_t i;

	p[0] = p[1] = 0;
	for (i = 0; i < 8; i++) {
		uint32_t v = (xy[i] * 1024 + 5000) / 10000;

		p[2 + i] = (uint8_t)(v >> 2);
		p[i / 4] |= (uint8_t)((v & 3) << (6 - 2 * (i % 4)));
	}
}

/*
 * The established 60 Hz VESA modes (EDID 1.4, octets 35-37) that fit in
 * width x height, so a guest can pick a smaller mode than the preferred
 * one; every standard timing slot unused (01 01).
 */
static void put_legacy_timings(uint8_t *e, uint32_t width, uint32_t height)
{
	static const struct {
		uint16_t w, h;
		uint8_t octet, bit;
	} est[] = {
		{640, 480, 35, 5},  /* 640x480@60 */
		{800, 600, 35, 0},  /* 800x600@60 */
		{1024, 768, 36, 3}, /* 1024x768@60 */
	};

	memset(e + EDID_OFS_EST_TIMINGS, 0, 3);
	for (size_t i = 0; i < sizeof(est) / sizeof(est[0]); i++)
		if (est[i].w <= width && est[i].h <= height)
			e[est[i].octet] |= (uint8_t)(1u << est[i].bit);
	memset(e + EDID_OFS_STD_TIMINGS, 0x01, 2 * EDID_NR_STD_TIMINGS);
}

/* Detailed timing descriptor; fields split into low bytes and high bits. */
static void put_dtd(uint8_t *d, const struct cvt_mode *m)
{
	uint32_t hmm = px_to_mm(m->hactive), vmm = px_to_mm(m->vactive);

	put_le16(d, m->clock_hz / 10000);
	d[2] = (uint8_t)m->hactive;
	d[3] = (uint8_t)m->hblank;
	d[4] = (uint8_t)((m->hactive >> 8) << 4 | (m->hblank >> 8));
	d[5] = (uint8_t)m->vactive;
	d[6] = (uint8_t)m->vblank;
	d[7] = (uint8_t)((m->vactive >> 8) << 4 | (m->vblank >> 8));
	d[8] = (uint8_t)m->hfporch;
	d[9] = (uint8_t)m->hsync;
	d[10] = (uint8_t)((m->vfporch & 0xf) << 4 | (m->vsync & 0xf));
	d[11] = (uint8_t)((m->hfporch >> 8) << 6 | (m->hsync >> 8) << 4 | (m->vfporch >> 4) << 2 |
			  (m->vsync >> 4));
	d[12] = (uint8_t)hmm;
	d[13] = (uint8_t)vmm;
	d[14] = (uint8_t)((hmm >> 8) << 4 | (vmm >> 8));
	d[15] = 0; /* no borders */
	d[16] = 0;
	/* Non-interlaced, no stereo, digital separate sync: CVT-RB's +H -V. */
	d[17] = 0x18 | 0x02;
}

/* Display descriptor header: pixel clock 0 says "not a timing". */
static void put_desc_header(uint8_t *d, uint8_t tag)
{
	memset(d, 0, EDID_DESC_SIZE);
	d[3] = tag;
}

/* Text payload: up to 13 octets, then "\n", padded with spaces. */
static void put_desc_text(uint8_t *d, const char *text)
{
	size_t i, n = strlen(text);

	if (n > EDID_NAME_MAX)
		n = EDID_NAME_MAX;
	for (i = 0; i < EDID_NAME_MAX; i++) {
		uint8_t c = i < n ? (uint8_t)text[i] : ' ';

		/* The descriptor is printable ASCII only. */
		d[5 + i] = c >= 0x20 && c <= 0x7e ? c : '?';
	}
	if (n < EDID_NAME_MAX)
		d[5 + n] = '\n';
}

static uint8_t clamp_u8(uint64_t v, uint8_t lo)
{
	if (v < lo)
		return lo;
	return v > 255 ? 255 : (uint8_t)v;
}

/*
 * Range limits that just hold the one mode: refresh and line rate rounded
 * outwards to whole Hz / kHz, the clock up to 10 MHz. (Only for the most
 * extreme shapes, e.g. 4095x1, is the line rate below the 1 kHz minimum.)
 */
static void put_range(uint8_t *d, const struct cvt_mode *m)
{
	uint64_t htotal = m->hactive + m->hblank, vtotal = m->vactive + m->vblank;
	uint64_t frame = htotal * vtotal;
	uint8_t vmin = clamp_u8(m->clock_hz / frame, 1);
	uint8_t hmin = clamp_u8(m->clock_hz / htotal / 1000, 1);

	put_desc_header(d, EDID_TAG_RANGE);
	d[5] = vmin;
	d[6] = clamp_u8((m->clock_hz + frame - 1) / frame, vmin);
	d[7] = hmin;
	d[8] = clamp_u8((m->clock_hz + htotal * 1000 - 1) / (htotal * 1000), hmin);
	d[9] = clamp_u8((m->clock_hz + 9999999u) / 10000000u, 1);
	d[10] = 0x01; /* range limits only, no GTF/CVT formula */
	d[11] = '\n';
	memset(d + 12, ' ', EDID_DESC_SIZE - 12);
}

static void put_descriptors(uint8_t *e, const struct cvt_mode *m, const char *name)
{
	uint8_t *d = e + EDID_OFS_DESC;

	put_dtd(d, m);
	put_range(d + EDID_DESC_SIZE, m);
	put_desc_header(d + 2 * EDID_DESC_SIZE, EDID_TAG_NAME);
	put_desc_text(d + 2 * EDID_DESC_SIZE, name ? name : EDID_DEFAULT_NAME);
	put_desc_header(d + 3 * EDID_DESC_SIZE, EDID_TAG_DUMMY);
}

static void put_checksum(uint8_t *e)
{
	uint8_t sum = 0;
	size_t i;

	for (i = 0; i < EDID_OFS_CHECKSUM; i++)
		sum = (uint8_t)(sum + e[i]);
	e[EDID_OFS_CHECKSUM] = (uint8_t)(0x100 - sum);
}

int zd_edid_build(uint8_t *out, uint32_t width, uint32_t height, const char *name)
{
	struct cvt_mode m;

	/* Bound first, so that the CVT arithmetic below cannot overflow. */
	if (!out || width < 1 || width > DTD_MAX_ACTIVE || height < 1 || height > DTD_MAX_ACTIVE)
		return -EINVAL;
	cvt_rb_mode(&m, width, height);
	if (!dtd_fits(&m) || px_to_mm(width) > DTD_MAX_SIZE_MM ||
	    px_to_mm(height) > DTD_MAX_SIZE_MM)
		return -EINVAL;

	memset(out, 0, ZD_EDID_SIZE);
	put_header(out);
	put_vendor(out);
	put_basic(out, width, height);
	put_chromaticity(out);
	put_legacy_timings(out, width, height);
	put_descriptors(out, &m, name);
	out[EDID_OFS_EXTENSIONS] = 0;
	put_checksum(out);
	return ZD_EDID_SIZE;
}

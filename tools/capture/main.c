// SPDX-License-Identifier: MIT
/*
 * zdispl-capture: in dom0, as root, save what a CRTC scans out as a PNG and
 * optionally check it pixel by pixel against the lab's test pattern
 * (tools/common/pattern.h). It reads the framebuffer through GETFB2, so it
 * works while another process is DRM master (see scanout.h).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/patcheck.h"
#include "../common/pattern.h"
#include "../common/png.h"
#include "../common/scanout.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: zdispl-capture [options]\n"
		"Capture the picture a DRM CRTC scans out (run as root; needs no DRM master).\n"
		"\n"
		"  -c, --card PATH            DRM card (default: the first with the connector,\n"
		"                             or with a CRTC that is on)\n"
		"  -C, --connector N|NAME     capture the CRTC driving this connector, e.g.\n"
		"                             Virtual-1 (default: the first CRTC that is on)\n"
		"  -o, --output FILE          write the visible area as an 8-bit RGB PNG\n"
		"  -i, --input FILE           check a PNG that this tool or zdisplctl saved instead\n"
		"                             of capturing (no card needed)\n"
		"  -V, --verify-pattern FRAME compare with frame FRAME of the zdispl test pattern\n"
		"                             at the visible size; 'auto' reads the frame number\n"
		"                             from the picture (its low 16 bits)\n"
		"  -F, --pattern-format FMT   the format the pattern was drawn in: %s\n"
		"                             (default: the framebuffer's own format; XR24 with\n"
		"                             --input)\n"
		"  -s, --checksum             print a checksum of the visible area's RGB and\n"
		"                             whether it holds more than one colour, to compare\n"
		"                             two captures (e.g. a guest's and dom0's)\n"
		"  -h, --help                 this help\n"
		"\n"
		"Comparison: as 24-bit RGB, the X/A byte ignored. Exact for XR24/AR24; for RG16\n"
		"exact on the 5/6/5 bits (pattern truncated to 5/6/5, both sides widened by\n"
		"bit replication).\n"
		"\n"
		"Output (stdout), one line each:\n"
		"  capture card=... connector=... crtc=... fb=... WxH=... x=... y=... format=...\n"
		"  png=FILE\n"
		"  match=yes frame=N pixels=P      or\n"
		"  match=no frame=N pixels=P mismatches=M first=X,Y got=#RRGGBB expected=#RRGGBB\n"
		"  checksum=HEX pixels=P colours=1|many\n"
		"Exit status: 0 captured (and matched), 1 mismatch, 2 error or usage.\n",
		zd_pixfmt_list());
}

struct options {
	const char *card, *connector, *output, *input;
	int verify; /* 0 no, 1 given frame, 2 auto */
	int checksum;
	uint32_t frame;
	const struct zd_pixfmt *pattern_fmt;
};

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{"card", required_argument, NULL, 'c'},
		{"connector", required_argument, NULL, 'C'},
		{"output", required_argument, NULL, 'o'},
		{"input", required_argument, NULL, 'i'},
		{"verify-pattern", required_argument, NULL, 'V'},
		{"pattern-format", required_argument, NULL, 'F'},
		{"checksum", no_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	unsigned long v;
	char *end;
	int opt;

	memset(o, 0, sizeof(*o));
	while ((opt = getopt_long(argc, argv, "c:C:o:i:V:F:sh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			o->card = optarg;
			break;
		case 'C':
			o->connector = optarg;
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'i':
			o->input = optarg;
			break;
		case 'V':
			if (strcmp(optarg, "auto") == 0) {
				o->verify = 2;
				break;
			}
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (!*optarg || *end || errno || v > UINT32_MAX || optarg[0] == '-') {
				fprintf(stderr,
					"error: --verify-pattern wants a frame number or 'auto', "
					"not '%s'\n",
					optarg);
				return -1;
			}
			o->verify = 1;
			o->frame = (uint32_t)v;
			break;
		case 'F':
			o->pattern_fmt = zd_pixfmt_by_name(optarg);
			if (!o->pattern_fmt) {
				fprintf(stderr, "error: unknown format '%s' (known: %s)\n", optarg,
					zd_pixfmt_list());
				return -1;
			}
			break;
		case 's':
			o->checksum = 1;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "error: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if (o->input && (o->card || o->connector || o->output)) {
		fprintf(stderr,
			"error: --input checks a file: no --card, --connector or --output\n");
		return -1;
	}
	return 0;
}

/* FNV-1a over the visible RGB octets, and whether more than one colour shows. */
static void checksum(const struct zd_scanout *s)
{
	size_t n = (size_t)s->width * s->height * 3;
	uint64_t h = 0xcbf29ce484222325ull;
	bool many = false;

	for (size_t i = 0; i < n; i++) {
		h = (h ^ s->rgb[i]) * 0x100000001b3ull;
		if (i >= 3 && s->rgb[i] != s->rgb[i % 3])
			many = true;
	}
	printf("checksum=%016llx pixels=%llu colours=%s\n", (unsigned long long)h,
	       (unsigned long long)s->width * s->height, many ? "many" : "1");
}

/* Returns the exit status: 0 match, 1 mismatch, 2 error. */
static int verify(const struct options *o, const struct zd_scanout *s)
{
	const struct zd_pixfmt *fmt = o->pattern_fmt ? o->pattern_fmt : s->fmt;
	size_t stride = (size_t)s->width * 3;
	struct zd_patcheck res;
	uint32_t frame = o->frame;

	if (o->verify == 2 &&
	    zd_pattern_decode_frame(s->rgb, stride, s->width, s->height, &frame)) {
		fprintf(stderr, "error: a %ux%u picture is too small to read a frame number from\n",
			s->width, s->height);
		return 2;
	}
	zd_patcheck_compare(s->rgb, stride, s->width, s->height, frame, fmt, &res);
	if (!res.mismatches) {
		printf("match=yes frame=%u pixels=%llu pattern_format=%s\n", frame,
		       (unsigned long long)res.pixels, fmt->name);
		return 0;
	}
	printf("match=no frame=%u pixels=%llu pattern_format=%s mismatches=%llu first=%u,%u "
	       "got=#%06x expected=#%06x\n",
	       frame, (unsigned long long)res.pixels, fmt->name, (unsigned long long)res.mismatches,
	       res.first_x, res.first_y, res.got, res.expected);
	return 1;
}

/* --input: the checks on a PNG file instead of a capture. */
static int check_file(const struct options *o)
{
	struct zd_scanout s = {.fmt = o->pattern_fmt ? o->pattern_fmt : zd_pixfmt_by_name("XR24")};
	int ret = 0;

	if (zd_png_read_file(o->input, &s.rgb, &s.width, &s.height)) {
		fprintf(stderr, "error: %s: %s\n", o->input,
			errno == EINVAL ? "not a PNG of the kind zd_png_write() makes, or damaged"
					: strerror(errno));
		return 2;
	}
	printf("file %s WxH=%ux%u\n", o->input, s.width, s.height);
	if (o->checksum)
		checksum(&s);
	if (o->verify)
		ret = verify(o, &s);
	free(s.rgb);
	fflush(stdout);
	return ret;
}

int main(int argc, char **argv)
{
	struct zd_scanout s;
	struct options o;
	int ret = 0;

	if (parse_options(argc, argv, &o) < 0)
		return 2;
	if (o.input)
		return check_file(&o);
	if (zd_scanout_capture(o.card, o.connector, &s) < 0)
		return 2;
	printf("capture card=%s connector=%s crtc=%u fb=%u WxH=%ux%u x=%u y=%u format=%s pitch=%u "
	       "fb_size=%ux%u\n",
	       s.card, s.connector[0] ? s.connector : "-", s.crtc_id, s.fb_id, s.width, s.height,
	       s.x, s.y, s.fmt->name, s.pitch, s.fb_width, s.fb_height);

	if (o.output) {
		if (zd_png_write_file(o.output, s.rgb, (size_t)s.width * 3, s.width, s.height) <
		    0) {
			fprintf(stderr, "error: writing %s: %s\n", o.output, strerror(errno));
			ret = 2;
		} else {
			printf("png=%s\n", o.output);
		}
	}
	if (o.checksum && ret == 0)
		checksum(&s);
	if (o.verify && ret == 0)
		ret = verify(&o, &s);
	zd_scanout_free(&s);
	fflush(stdout);
	return ret;
}

// SPDX-License-Identifier: MIT
/*
 * zdispl-pattern: a DRM client that shows the lab's deterministic test
 * pattern (tools/common/pattern.h) and page-flips through numbered frames
 * of it, for a guest on Linux's drm_xen_front or for dom0 on vkms.
 *
 * It sets the mode with frame 0, flips N times (frames 1..N), each flip
 * waiting for its completion event, prints one machine-readable result
 * line, and can keep the last frame on screen so dom0 can capture it.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "../common/pixfmt.h"
#include "dumb.h"
#include "flip.h"
#include "output.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(FILE *f)
{
	/* The help text is laid out as it prints. */
	/* clang-format off */
	fprintf(f,
		"usage: zdispl-pattern [options]\n"
		"Show the zdispl test pattern on a DRM output and page-flip through its frames.\n"
		"\n"
		"  -c, --card PATH        DRM card (default: the first with a connected connector)\n"
		"  -C, --connector N|NAME connector index or name, e.g. Virtual-1\n"
		"                         (default: the first connected one)\n"
		"  -m, --mode WxH         mode size (default: the connector's preferred mode)\n"
		"  -f, --format FMT       pixel format: %s (default XR24)\n"
		"  -n, --frames N         page flips after the modeset (default 120); frame 0 is\n"
		"                         shown by the modeset, flip i shows frame i\n"
		"  -t, --flip-timeout MS  fail when a flip event takes longer (default 2000)\n"
		"  -H, --hold SECONDS     keep the last frame on screen that long; 'inf' until\n"
		"                         SIGTERM/SIGINT (default 0)\n"
		"  -a, --alloc-card PATH  allocate the buffers on this other DRM card and hand\n"
		"                         them to the display card through PRIME\n"
		"  -s, --static           draw each buffer once and flip between the two\n"
		"                         without drawing (benchmarks: the flip path alone;\n"
		"                         the screen shows frames 0 and 1 only)\n"
		"  -r, --rewrite HOW      after the last frame, draw the next frame into the\n"
		"                         buffer on screen; HOW is 'flip' (then page-flip to\n"
		"                         that same buffer) or 'noflip' (leave it at that)\n"
		"  -h, --help             this help\n"
		"\n"
		"Output (stdout), one line each:\n"
		"  output card=... connector=... crtc=... WxH=... refresh=... format=... pitch=...\n"
		"  frames=N seconds=S fps=F WxH=WxH format=FMT last_frame=N vblanks=V\n"
		"    missed_vblanks=M vblank_hz=R   (the last three from the flip events'\n"
		"    vblank counter and timestamps; 'vblanks=-' when the driver has none)\n"
		"  latency flips=N p50_us=T p99_us=T max_us=T mean_us=T\n"
		"    (each flip from drmModePageFlip to its event)\n"
		"  rewrote frame=N flipped=0|1   (with --rewrite)\n"
		"  holding last_frame=N          (with --hold, once the last frame is up)\n"
		"Exit status: 0 success, 1 failure, 2 usage error.\n",
		zd_pixfmt_list());
	/* clang-format on */
}

static int parse_uint(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 10);
	return *s && !*end && !errno && *v <= max && s[0] != '-' ? 0 : -1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Sleep up to `seconds` (negative: forever) or until a signal sets stop. */
static void hold(double seconds)
{
	double end = now_s() + seconds;

	while (!stop && (seconds < 0 || now_s() < end)) {
		struct timespec ts = {.tv_sec = 0, .tv_nsec = 200 * 1000 * 1000};

		nanosleep(&ts, NULL); /* EINTR: the loop looks at stop again */
	}
}

struct options {
	struct zd_output_req req;
	const struct zd_pixfmt *fmt;
	unsigned long frames, flip_timeout_ms;
	double hold_s;
	const char *alloc_card;
	int rewrite; /* 0 no, 1 and flip, 2 without flip */
	bool static_frames;
};

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{"card", required_argument, NULL, 'c'},
		{"connector", required_argument, NULL, 'C'},
		{"mode", required_argument, NULL, 'm'},
		{"format", required_argument, NULL, 'f'},
		{"frames", required_argument, NULL, 'n'},
		{"flip-timeout", required_argument, NULL, 't'},
		{"hold", required_argument, NULL, 'H'},
		{"alloc-card", required_argument, NULL, 'a'},
		{"rewrite", required_argument, NULL, 'r'},
		{"static", no_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	unsigned long v;
	char *end;
	int opt;

	*o = (struct options){.fmt = zd_pixfmt_by_name("XR24"),
			      .frames = 120,
			      .flip_timeout_ms = 2000};
	while ((opt = getopt_long(argc, argv, "c:C:m:f:n:t:H:a:r:sh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			o->req.card = optarg;
			break;
		case 'C':
			o->req.connector = optarg;
			break;
		case 'm':
			if (sscanf(optarg, "%ux%u", &o->req.width, &o->req.height) != 2 ||
			    !o->req.width || !o->req.height) {
				fprintf(stderr, "error: --mode wants WxH, e.g. 640x480, not '%s'\n",
					optarg);
				return -1;
			}
			break;
		case 'f':
			o->fmt = zd_pixfmt_by_name(optarg);
			if (!o->fmt) {
				fprintf(stderr, "error: unknown format '%s' (known: %s)\n", optarg,
					zd_pixfmt_list());
				return -1;
			}
			break;
		case 'n':
			if (parse_uint(optarg, UINT32_MAX, &o->frames)) {
				fprintf(stderr, "error: --frames wants a count, not '%s'\n",
					optarg);
				return -1;
			}
			break;
		case 't':
			if (parse_uint(optarg, INT_MAX / 2, &v) || !v) {
				fprintf(stderr,
					"error: --flip-timeout wants milliseconds, not '%s'\n",
					optarg);
				return -1;
			}
			o->flip_timeout_ms = v;
			break;
		case 'H':
			if (strcmp(optarg, "inf") == 0) {
				o->hold_s = -1;
				break;
			}
			errno = 0;
			o->hold_s = strtod(optarg, &end);
			if (!*optarg || *end || errno || o->hold_s < 0) {
				fprintf(stderr, "error: --hold wants seconds or 'inf', not '%s'\n",
					optarg);
				return -1;
			}
			break;
		case 'a':
			o->alloc_card = optarg;
			break;
		case 'r':
			if (!strcmp(optarg, "flip")) {
				o->rewrite = 1;
			} else if (!strcmp(optarg, "noflip")) {
				o->rewrite = 2;
			} else {
				fprintf(stderr,
					"error: --rewrite wants 'flip' or 'noflip', not '%s'\n",
					optarg);
				return -1;
			}
			break;
		case 's':
			o->static_frames = true;
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
	if (o->static_frames && o->rewrite) {
		fprintf(stderr, "error: --static and --rewrite do not go together\n");
		return -1;
	}
	return 0;
}

struct flip_stats {
	double seconds;	    /* first flip queued .. last event received */
	double draw_max_ms; /* slowest frame drawing */
	struct zd_flip_event first, last;
	uint32_t *rtt_us; /* each flip, drmModePageFlip to its event */
	uint64_t nr_rtt;
};

/* Frames 1..frames alternately into buf[1], buf[0]; returns the last frame
 * shown, or -1 on error (-2 when a signal stopped it). */
static int64_t flip_frames(struct zd_output *out, struct zd_dumb buf[2], const struct options *o,
			   struct flip_stats *st)
{
	uint32_t last = 0;
	double t0 = now_s();

	for (uint64_t i = 1; i <= o->frames; i++) {
		/* buf[i % 2] is off screen: the event for the previous flip
		 * said the other one has replaced it. */
		struct zd_dumb *back = &buf[i % 2];
		struct zd_flip_event ev;
		double d0 = now_s(), dms;
		int r;

		if (!o->static_frames)
			zd_dumb_draw(back, (uint32_t)i);
		dms = (now_s() - d0) * 1000;
		if (dms > st->draw_max_ms)
			st->draw_max_ms = dms;
		d0 = now_s();
		r = zd_flip_and_wait(out->fd, out->crtc_id, back->fb_id, (int)o->flip_timeout_ms,
				     &stop, &ev);
		if (st->rtt_us && st->nr_rtt < o->frames)
			st->rtt_us[st->nr_rtt++] = (uint32_t)((now_s() - d0) * 1e6);
		if (r < 0) {
			fprintf(stderr, "error: flip to frame %llu failed after %u flips\n",
				(unsigned long long)i, last);
			return r;
		}
		if (i == 1)
			st->first = ev;
		st->last = ev;
		last = (uint32_t)i;
	}
	st->seconds = now_s() - t0;
	return last;
}

/*
 * The kernel's view of the flips, from the events' vblank counter and
 * timestamps: over frames-1 intervals the counter should advance by as much
 * when every flip made the next vblank. "missed" counts the vblanks at which
 * no new frame was shown (the client or the display path was late), and
 * vblank_hz is the refresh the timestamps show (vkms simulates it with a
 * timer). So a low fps with vblank_hz near the mode's refresh means flips
 * were late, not that the display slowed down. Drivers without a vblank
 * counter report seq 0 every time: then only "vblanks=-" is printed.
 */
static void print_vblank_stats(const struct options *o, const struct flip_stats *st)
{
	unsigned int vblanks = st->last.seq - st->first.seq;
	double span = (double)st->last.sec - st->first.sec +
		      ((double)st->last.usec - st->first.usec) / 1e6;

	if (o->frames < 2 || !vblanks || span <= 0) {
		printf(" vblanks=-");
		return;
	}
	printf(" vblanks=%u missed_vblanks=%lld vblank_hz=%.2f", vblanks,
	       (long long)vblanks - (long long)(o->frames - 1), vblanks / span);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* Nearest-rank percentile q (0..100] of the sorted n > 0 values. */
static uint32_t percentile(const uint32_t *v, uint64_t n, unsigned int q)
{
	uint64_t rank = (n * q + 99) / 100;

	return v[rank ? rank - 1 : 0];
}

static void print_latency(struct flip_stats *st)
{
	double sum = 0;

	if (!st->nr_rtt)
		return;
	qsort(st->rtt_us, st->nr_rtt, sizeof(*st->rtt_us), cmp_u32);
	for (uint64_t i = 0; i < st->nr_rtt; i++)
		sum += st->rtt_us[i];
	printf("latency flips=%llu p50_us=%u p99_us=%u max_us=%u mean_us=%.0f\n",
	       (unsigned long long)st->nr_rtt, percentile(st->rtt_us, st->nr_rtt, 50),
	       percentile(st->rtt_us, st->nr_rtt, 99), st->rtt_us[st->nr_rtt - 1],
	       sum / (double)st->nr_rtt);
}

/*
 * Draw frame into the buffer that is on screen, with no new buffer, then
 * (rewrite == 1) page-flip to that same framebuffer. A display that reads
 * the buffer itself shows the change even without the flip; one that
 * copies frames shows it only after. Returns frame, or -1.
 */
static int64_t rewrite_shown(struct zd_output *out, struct zd_dumb *shown, uint32_t frame,
			     const struct options *o)
{
	struct zd_flip_event ev;

	zd_dumb_draw(shown, frame);
	if (o->rewrite == 1 && zd_flip_and_wait(out->fd, out->crtc_id, shown->fb_id,
						(int)o->flip_timeout_ms, &stop, &ev) < 0) {
		fprintf(stderr, "error: flip to the rewritten buffer failed\n");
		return -1;
	}
	printf("rewrote frame=%u flipped=%d\n", frame, o->rewrite == 1);
	return frame;
}

int main(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = on_signal};
	struct zd_dumb buf[2] = {{.fd = -1}, {.fd = -1}};
	struct zd_output out = {.fd = -1};
	struct options o;
	struct flip_stats st = {0};
	double t0;
	int64_t last;
	int alloc_fd = -1, ret = 1;

	if (parse_options(argc, argv, &o) < 0)
		return 2;
	/* Output goes to files and pipes in the lab: one line at a time, so a
	 * script sees each line as soon as it is printed. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	if (zd_output_open(&o.req, &out) < 0)
		return 1;
	const uint32_t w = out.mode.hdisplay, h = out.mode.vdisplay;

	if (o.alloc_card) {
		alloc_fd = open(o.alloc_card, O_RDWR | O_CLOEXEC);
		if (alloc_fd < 0) {
			fprintf(stderr, "error: %s: %s\n", o.alloc_card, strerror(errno));
			goto done;
		}
	}
	if (zd_dumb_create(out.fd, alloc_fd, w, h, o.fmt, &buf[0]) < 0 ||
	    zd_dumb_create(out.fd, alloc_fd, w, h, o.fmt, &buf[1]) < 0)
		goto done;
	printf("output card=%s connector=%s crtc=%u WxH=%ux%u refresh=%u format=%s pitch=%u\n",
	       out.card, out.connector_name, out.crtc_id, w, h, out.mode.vrefresh, o.fmt->name,
	       buf[0].pitch);

	t0 = now_s();
	zd_dumb_draw(&buf[0], 0);
	/* The static rows; frame 1 is drawn over it (--static: here). */
	zd_dumb_draw(&buf[1], o.static_frames ? 1 : 0);
	fprintf(stderr, "info: drew both buffers in %.1f ms\n", (now_s() - t0) * 1000);
	if (drmModeSetCrtc(out.fd, out.crtc_id, buf[0].fb_id, 0, 0, &out.connector_id, 1,
			   &out.mode)) {
		fprintf(stderr, "error: drmModeSetCrtc crtc %u connector %s %ux%u: %s%s\n",
			out.crtc_id, out.connector_name, w, h, strerror(errno),
			errno == EACCES ? " (another process is DRM master?)" : "");
		goto done;
	}

	/* Without room for the latencies, the flips still run: no line for them. */
	st.rtt_us = o.frames ? calloc(o.frames, sizeof(*st.rtt_us)) : NULL;
	last = flip_frames(&out, buf, &o, &st);
	if (last < 0) {
		if (last == -2)
			fprintf(stderr, "error: interrupted by a signal\n");
		goto done;
	}
	fprintf(stderr, "info: drawing a frame took at most %.1f ms\n", st.draw_max_ms);
	printf("frames=%lu seconds=%.2f fps=%.2f WxH=%ux%u format=%s last_frame=%lld", o.frames,
	       st.seconds, st.seconds > 0 ? (double)o.frames / st.seconds : 0.0, w, h, o.fmt->name,
	       (long long)last);
	print_vblank_stats(&o, &st);
	printf("\n");
	print_latency(&st);
	if (o.rewrite) {
		last = rewrite_shown(&out, &buf[last % 2], (uint32_t)last + 1, &o);
		if (last < 0)
			goto done;
	}
	if (o.hold_s != 0) {
		printf("holding last_frame=%lld\n", (long long)last);
		hold(o.hold_s);
	}
	ret = 0;

done:
	free(st.rtt_us);
	zd_dumb_destroy(&buf[1]);
	zd_dumb_destroy(&buf[0]);
	zd_output_close(&out);
	if (alloc_fd >= 0)
		close(alloc_fd);
	return ret;
}

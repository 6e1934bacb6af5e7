// SPDX-License-Identifier: GPL-2.0
/*
 * zdispl-back: the zdispl displif v2 backend daemon. Serves every vdispl
 * device whose backend is the domain it runs in, showing frames on KMS.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>
#include <zdispl/displif-use.h>

#include "core/backend.h"
#include "core/budget.h"
#include "kms/kms.h"
#include "base/log.h"
#include "base/notify.h"
#include "core/status.h"
#include "core/xsutil.h"
#include "core/zerocopy.h"

#define MAX_DRM_PATHS 8

struct options {
	const char *drm[MAX_DRM_PATHS];
	unsigned int ndrm;
	bool no_display;
	enum zd_zcopy_mode zcopy;
	enum zd_log_level level;
	bool use_syslog;
	const char *status_path;
	struct zd_limits limits;
	struct zd_be_alloc_policy be_alloc;
};

static void usage(FILE *f)
{
	/* The help text is laid out as it prints. */
	/* clang-format off */
	fprintf(f,
		"Usage: zdispl-back [OPTION]...\n"
		"Xen PV display (displif v2) backend: serves every vdispl device whose\n"
		"backend is this domain and shows the guests' frames on KMS.\n"
		"\n"
		"  -d, --drm PATH         DRM device to drive; repeat for several\n"
		"                         (default: every KMS device in /dev/dri)\n"
		"      --no-display       serve guests without any output (flips complete at once)\n"
		"      --zcopy=MODE       how grants become dma-bufs for zero-copy: auto (default:\n"
		"                         the helper /dev/zdispl-zcopy, else gntdev's dma-buf\n"
		"                         calls, else none), helper, gntdev, or off (copy always)\n"
		"  -l, --log-level LEVEL  error, warn, info (default) or debug\n"
		"      --syslog           log to syslog instead of stderr\n"
		"  -s, --status PATH      status socket for zdispl-status (default %s)\n"
		"      --max-buffer-mib N largest display buffer a frontend may create (default %u)\n"
		"      --max-buffers N    display buffers per device (default %u)\n"
		"      --max-fbs N        framebuffers per device (default %u)\n"
		"      --max-device-mib N all display buffers of one device together (default %u)\n"
		"      --max-be-alloc-mib N  buffers dom0 allocates and grants to one device\n"
		"                         (be-alloc), with grants it still maps after destroying\n"
		"                         them (default %u)\n"
		"      --max-display-ms N blocking display work (modesets, flip and release\n"
		"                         waits) one device may have per second, on average\n"
		"                         over %u s (default %u)\n"
		"      --max-connects N   times one device may connect a minute, after %u in a\n"
		"                         row; more, and it waits in InitWait (default %u)\n"
		"      --be-alloc=POLICY  which devices may have be-alloc, as their toolstack asks:\n"
		"                         toolstack (default: every one it was configured for),\n"
		"                         off, or a list of domain ids and names (\"3,desktop\")\n"
		"  -h, --help             this help\n"
		"\n"
		"Limits are capped at the hard maximums of xen-interface/zdispl/displif-use.h\n"
		"(buffer %u MiB, %u buffers, %u framebuffers, %u MiB per device, %u MiB of\n"
		"be-alloc, %u ms, %u connects). be-alloc is read once, when a device\n"
		"appears: a guest that writes it later changes nothing. SIGTERM or SIGINT\n"
		"closes every device and exits. Under systemd (Type=notify) it reports\n"
		"ready once it serves the backend's xenstore directory.\n",
		ZD_STATUS_SOCKET, ZD_DEF_BUFFER_BYTES >> 20, ZD_DEF_BUFFERS, ZD_DEF_FBS,
		ZD_DEF_DEVICE_PAGES >> 8, ZD_DEF_GRANTED_PAGES >> 8, ZD_DISPLAY_BURST_S,
		ZD_DEF_DISPLAY_MS, ZD_CONNECT_BURST, ZD_DEF_CONNECTS, ZD_MAX_BUFFER_BYTES >> 20,
		ZD_MAX_BUFFERS, ZD_MAX_FBS, ZD_MAX_DEVICE_PAGES >> 8, ZD_MAX_GRANTED_PAGES >> 8,
		ZD_MAX_DISPLAY_MS, ZD_MAX_CONNECTS);
	/* clang-format on */
}

static int parse_limit(const char *opt, const char *s, uint32_t max, uint32_t *out)
{
	if (zd_parse_uint(s, 1, max, out)) {
		fprintf(stderr, "zdispl-back: %s wants a number from 1 to %u, not '%s'\n", opt, max,
			s);
		return -1;
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct options *o)
{
	enum {
		OPT_NO_DISPLAY = 256,
		OPT_ZCOPY,
		OPT_SYSLOG,
		OPT_MAX_MIB,
		OPT_MAX_BUFS,
		OPT_MAX_FBS,
		OPT_MAX_DEVICE_MIB,
		OPT_MAX_BE_ALLOC_MIB,
		OPT_MAX_DISPLAY_MS,
		OPT_MAX_CONNECTS,
		OPT_BE_ALLOC
	};
	static const struct option longopts[] = {
		{"drm", required_argument, NULL, 'd'},
		{"no-display", no_argument, NULL, OPT_NO_DISPLAY},
		{"zcopy", required_argument, NULL, OPT_ZCOPY},
		{"log-level", required_argument, NULL, 'l'},
		{"syslog", no_argument, NULL, OPT_SYSLOG},
		{"status", required_argument, NULL, 's'},
		{"max-buffer-mib", required_argument, NULL, OPT_MAX_MIB},
		{"max-buffers", required_argument, NULL, OPT_MAX_BUFS},
		{"max-fbs", required_argument, NULL, OPT_MAX_FBS},
		{"max-device-mib", required_argument, NULL, OPT_MAX_DEVICE_MIB},
		{"max-be-alloc-mib", required_argument, NULL, OPT_MAX_BE_ALLOC_MIB},
		{"max-display-ms", required_argument, NULL, OPT_MAX_DISPLAY_MS},
		{"max-connects", required_argument, NULL, OPT_MAX_CONNECTS},
		{"be-alloc", required_argument, NULL, OPT_BE_ALLOC},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	uint32_t mib;
	int c;

	while ((c = getopt_long(argc, argv, "d:l:s:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (o->ndrm == MAX_DRM_PATHS) {
				fprintf(stderr, "zdispl-back: at most %d --drm devices\n",
					MAX_DRM_PATHS);
				return -1;
			}
			o->drm[o->ndrm++] = optarg;
			break;
		case OPT_NO_DISPLAY:
			o->no_display = true;
			break;
		case OPT_ZCOPY:
			if (zd_zcopy_parse_mode(optarg, &o->zcopy)) {
				fprintf(stderr,
					"zdispl-back: --zcopy wants auto, helper, gntdev or off, "
					"not '%s'\n",
					optarg);
				return -1;
			}
			break;
		case 'l':
			if (zd_log_parse_level(optarg, &o->level)) {
				fprintf(stderr, "zdispl-back: unknown log level '%s'\n", optarg);
				return -1;
			}
			break;
		case OPT_SYSLOG:
			o->use_syslog = true;
			break;
		case 's':
			o->status_path = optarg;
			break;
		case OPT_MAX_MIB:
			if (parse_limit("--max-buffer-mib", optarg, ZD_MAX_BUFFER_BYTES >> 20,
					&mib))
				return -1;
			o->limits.max_buffer_bytes = mib << 20;
			break;
		case OPT_MAX_BUFS:
			if (parse_limit("--max-buffers", optarg, ZD_MAX_BUFFERS,
					&o->limits.max_buffers))
				return -1;
			break;
		case OPT_MAX_FBS:
			if (parse_limit("--max-fbs", optarg, ZD_MAX_FBS, &o->limits.max_fbs))
				return -1;
			break;
		case OPT_MAX_DEVICE_MIB:
			if (parse_limit("--max-device-mib", optarg, ZD_MAX_DEVICE_PAGES >> 8, &mib))
				return -1;
			o->limits.max_pages = mib << 8;
			break;
		case OPT_MAX_BE_ALLOC_MIB:
			if (parse_limit("--max-be-alloc-mib", optarg, ZD_MAX_GRANTED_PAGES >> 8,
					&mib))
				return -1;
			o->limits.max_granted_pages = mib << 8;
			break;
		case OPT_MAX_DISPLAY_MS:
			if (parse_limit("--max-display-ms", optarg, ZD_MAX_DISPLAY_MS,
					&o->limits.display_ms))
				return -1;
			break;
		case OPT_MAX_CONNECTS:
			if (parse_limit("--max-connects", optarg, ZD_MAX_CONNECTS,
					&o->limits.connects_per_min))
				return -1;
			break;
		case OPT_BE_ALLOC:
			if (zd_be_alloc_policy_parse(optarg, &o->be_alloc)) {
				fprintf(stderr,
					"zdispl-back: --be-alloc wants toolstack, off or up to %d "
					"comma-separated domain ids or names, not '%s'\n",
					ZD_POLICY_MAX_DOMAINS, optarg);
				return -1;
			}
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
		fprintf(stderr, "zdispl-back: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if (o->no_display && o->ndrm) {
		fprintf(stderr, "zdispl-back: --no-display and --drm exclude each other\n");
		return -1;
	}
	return 0;
}

struct sig_ctx {
	struct zd_loop *loop;
	int fd;
};

static void on_signal(void *data)
{
	struct sig_ctx *s = data;
	struct signalfd_siginfo si;

	if (read(s->fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		zd_info(NULL, "%s: shutting down", strsignal((int)si.ssi_signo));
		zd_loop_quit(s->loop);
	}
}

int main(int argc, char **argv)
{
	struct options o = {
		.zcopy = ZD_ZCOPY_AUTO,
		.level = ZD_LOG_INFO,
		.status_path = ZD_STATUS_SOCKET,
		.limits = {ZD_DEF_BUFFER_BYTES, ZD_DEF_BUFFERS, ZD_DEF_FBS, ZD_DEF_DEVICE_PAGES,
			   ZD_DEF_GRANTED_PAGES, ZD_DEF_DISPLAY_MS, ZD_DEF_CONNECTS},
	};
	struct zd_display *display = NULL;
	struct zd_zcopy *zcopy = NULL;
	struct zd_backend *be = NULL;
	struct zd_status *status = NULL;
	struct zd_loop *loop = NULL;
	struct sig_ctx sig = {.fd = -1};
	sigset_t mask;
	int r;

	if (parse_args(argc, argv, &o))
		return 2;
	zd_log_init(o.level, o.use_syslog);
	signal(SIGPIPE, SIG_IGN);

	r = zd_loop_new(&loop);
	if (r)
		goto out;
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sig.loop = loop;
	sig.fd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sig.fd < 0 || !zd_loop_add(loop, sig.fd, on_signal, &sig)) {
		r = -errno;
		zd_err(NULL, "signalfd: %s", strerror(errno));
		goto out;
	}
	if (!o.no_display) {
		r = kms_display_open(loop, o.ndrm ? o.drm : NULL, o.ndrm, &display);
		if (r) {
			zd_err(NULL, "no usable display (%s); use --no-display to run without",
			       strerror(-r));
			goto out;
		}
	}
	r = zd_zcopy_open(o.zcopy, &zcopy);
	if (r)
		goto out;
	r = zd_backend_new(loop, &kms_display_ops, display, zcopy, &o.limits, &o.be_alloc, &be);
	if (r)
		goto out;
	r = zd_status_open(be, o.status_path, &status);
	if (r) {
		zd_err(NULL, "status socket %s: %s", o.status_path, strerror(-r));
		goto out;
	}
	/*
	 * The backend's watch is set: every device there is already, or that
	 * appears from now on, will be served. Guests may start.
	 */
	zd_notify("READY=1");
	r = zd_loop_run(loop);
	zd_notify("STOPPING=1");
	if (r)
		zd_err(NULL, "event loop: %s", strerror(-r));
out:
	zd_status_close(status);
	zd_backend_free(be);
	zd_zcopy_close(zcopy);
	kms_display_close(display);
	if (sig.fd >= 0)
		close(sig.fd);
	zd_loop_free(loop);
	return r ? 1 : 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * options.c: zdispl-back's settings from its command line and its config
 * file (options.h). One table of options serves both; one function sets an
 * option from its text, wherever the text came from.
 */
#include "options.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zdispl/displif-use.h>

#include "core/budget.h"
#include "core/env.h"
#include "core/status.h"
#include "core/xsutil.h"

enum opt {
	OPT_DRM,
	OPT_OUTPUT,
	OPT_FULLSCREEN,
	OPT_NO_DISPLAY,
	OPT_ZCOPY,
	OPT_LOG_LEVEL,
	OPT_LOG_TARGET,
	OPT_SYSLOG,
	OPT_STATUS,
	OPT_MAX_MIB,
	OPT_MAX_BUFS,
	OPT_MAX_FBS,
	OPT_MAX_DEVICE_MIB,
	OPT_MAX_BE_ALLOC_MIB,
	OPT_MAX_DISPLAY_MS,
	OPT_MAX_CONNECTS,
	OPT_BE_ALLOC,
	OPT_MAP,
	OPT_CONFIG, /* from here on: the command line's only */
	OPT_CHECK_CONFIG,
	OPT_HELP,
	OPT_COUNT
};

static const struct option longopts[] = {
	{"drm", required_argument, NULL, OPT_DRM},
	{"output", required_argument, NULL, OPT_OUTPUT},
	{"fullscreen", no_argument, NULL, OPT_FULLSCREEN},
	{"no-display", no_argument, NULL, OPT_NO_DISPLAY},
	{"zcopy", required_argument, NULL, OPT_ZCOPY},
	{"log-level", required_argument, NULL, OPT_LOG_LEVEL},
	{"log-target", required_argument, NULL, OPT_LOG_TARGET},
	{"syslog", no_argument, NULL, OPT_SYSLOG},
	{"status", required_argument, NULL, OPT_STATUS},
	{"max-buffer-mib", required_argument, NULL, OPT_MAX_MIB},
	{"max-buffers", required_argument, NULL, OPT_MAX_BUFS},
	{"max-fbs", required_argument, NULL, OPT_MAX_FBS},
	{"max-device-mib", required_argument, NULL, OPT_MAX_DEVICE_MIB},
	{"max-be-alloc-mib", required_argument, NULL, OPT_MAX_BE_ALLOC_MIB},
	{"max-display-ms", required_argument, NULL, OPT_MAX_DISPLAY_MS},
	{"max-connects", required_argument, NULL, OPT_MAX_CONNECTS},
	{"be-alloc", required_argument, NULL, OPT_BE_ALLOC},
	{"map", required_argument, NULL, OPT_MAP},
	{"config", required_argument, NULL, OPT_CONFIG},
	{"check-config", no_argument, NULL, OPT_CHECK_CONFIG},
	{"help", no_argument, NULL, OPT_HELP},
	{NULL, 0, NULL, 0},
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
		"      --output=KIND      where guests are shown: kms (default: dom0's KMS\n"
		"                         outputs, see --drm) or wayland (a window each in\n"
		"                         the compositor of $WAYLAND_DISPLAY)\n"
		"      --fullscreen       with --output=wayland: each window asks to be fullscreen\n"
		"      --no-display       serve guests without any output (flips complete at once)\n"
		"      --zcopy=MODE       how grants become dma-bufs for zero-copy: auto (default:\n"
		"                         the helper /dev/zdispl-zcopy, else gntdev's dma-buf\n"
		"                         calls, else none), helper, gntdev, or off (copy always)\n"
		"  -l, --log-level LEVEL  error, warn, info (default) or debug\n"
		"      --log-target=T     where the log goes: auto (default: the journal if\n"
		"                         stderr is a journal stream, else stderr), stderr,\n"
		"                         syslog, or journal (with ZDISPL_DOMID and\n"
		"                         ZDISPL_DEVICE fields; stderr if it is not running)\n"
		"      --syslog           the same as --log-target=syslog\n"
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
		"  -m, --map ID=OUTPUT    show guest connectors whose unique-id is ID on OUTPUT\n"
		"                         (a KMS connector name, e.g. HDMI-A-1 or card1:DP-2);\n"
		"                         repeat for several (at most %u)\n"
		"  -c, --config FILE      read these options from FILE, one 'name = value' a line\n"
		"                         (default %s, if it exists);\n"
		"                         the command line overrides it\n"
		"      --check-config     check the config file and the options, print the\n"
		"                         settings they make, and exit (0: good, 2: bad)\n"
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
		ZD_DEF_DISPLAY_MS, ZD_CONNECT_BURST, ZD_DEF_CONNECTS, ZD_MAP_MAX, ZD_CONFIG_PATH,
		ZD_MAX_BUFFER_BYTES >> 20, ZD_MAX_BUFFERS, ZD_MAX_FBS, ZD_MAX_DEVICE_PAGES >> 8,
		ZD_MAX_GRANTED_PAGES >> 8, ZD_MAX_DISPLAY_MS, ZD_MAX_CONNECTS);
	/* clang-format on */
}

void zd_options_init(struct zd_options *o)
{
	*o = (struct zd_options){
		.zcopy = ZD_ZCOPY_AUTO,
		.level = ZD_LOG_INFO,
		.status_path = ZD_STATUS_SOCKET,
		.limits = {ZD_DEF_BUFFER_BYTES, ZD_DEF_BUFFERS, ZD_DEF_FBS, ZD_DEF_DEVICE_PAGES,
			   ZD_DEF_GRANTED_PAGES, ZD_DEF_DISPLAY_MS, ZD_DEF_CONNECTS},
	};
}

void zd_options_free(struct zd_options *o)
{
	free(o->config_text);
	o->config_text = NULL;
}

/*
 * Where a setting came from, for its messages: "zdispl-back: --max-fbs ..."
 * or "FILE:LINE: max-fbs ...".
 */
struct origin {
	const char *file; /* NULL: the command line */
	unsigned int line;
};

static void complain(const struct origin *at, enum opt code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void complain(const struct origin *at, enum opt code, const char *fmt, ...)
{
	va_list ap;

	if (at->file)
		fprintf(stderr, "%s:%u: %s ", at->file, at->line, longopts[code].name);
	else
		fprintf(stderr, "zdispl-back: --%s ", longopts[code].name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int set_limit(const struct origin *at, enum opt code, const char *s, uint32_t max,
		     uint32_t *out)
{
	if (zd_parse_uint(s, 1, max, out)) {
		complain(at, code, "wants a number from 1 to %u, not '%s'", max, s);
		return -1;
	}
	return 0;
}

/* Set option code from its text (NULL for a flag that is on). */
static int set_option(struct zd_options *o, enum opt code, const char *arg, const struct origin *at)
{
	uint32_t mib;

	switch (code) {
	case OPT_DRM:
		if (o->ndrm == ZD_MAX_DRM_PATHS) {
			complain(at, code, "is given more than %d times", ZD_MAX_DRM_PATHS);
			return -1;
		}
		o->drm[o->ndrm++] = arg;
		return 0;
	case OPT_OUTPUT:
		if (!strcmp(arg, "kms")) {
			o->wayland = false;
		} else if (!strcmp(arg, "wayland")) {
			o->wayland = true;
		} else {
			complain(at, code, "wants kms or wayland, not '%s'", arg);
			return -1;
		}
		return 0;
	case OPT_FULLSCREEN:
		o->fullscreen = true;
		return 0;
	case OPT_NO_DISPLAY:
		o->no_display = true;
		return 0;
	case OPT_ZCOPY:
		if (zd_zcopy_parse_mode(arg, &o->zcopy)) {
			complain(at, code, "wants auto, helper, gntdev or off, not '%s'", arg);
			return -1;
		}
		return 0;
	case OPT_LOG_LEVEL:
		if (zd_log_parse_level(arg, &o->level)) {
			complain(at, code, "wants error, warn, info or debug, not '%s'", arg);
			return -1;
		}
		return 0;
	case OPT_LOG_TARGET:
		if (zd_log_parse_target(arg, &o->log_target)) {
			complain(at, code, "wants auto, stderr, syslog or journal, not '%s'", arg);
			return -1;
		}
		return 0;
	case OPT_SYSLOG:
		o->log_target = ZD_LOG_TO_SYSLOG;
		return 0;
	case OPT_STATUS:
		if (arg[0] != '/') {
			complain(at, code, "wants an absolute path, not '%s'", arg);
			return -1;
		}
		o->status_path = arg;
		return 0;
	case OPT_MAX_MIB:
		if (set_limit(at, code, arg, ZD_MAX_BUFFER_BYTES >> 20, &mib))
			return -1;
		o->limits.max_buffer_bytes = mib << 20;
		return 0;
	case OPT_MAX_BUFS:
		return set_limit(at, code, arg, ZD_MAX_BUFFERS, &o->limits.max_buffers);
	case OPT_MAX_FBS:
		return set_limit(at, code, arg, ZD_MAX_FBS, &o->limits.max_fbs);
	case OPT_MAX_DEVICE_MIB:
		if (set_limit(at, code, arg, ZD_MAX_DEVICE_PAGES >> 8, &mib))
			return -1;
		o->limits.max_pages = mib << 8;
		return 0;
	case OPT_MAX_BE_ALLOC_MIB:
		if (set_limit(at, code, arg, ZD_MAX_GRANTED_PAGES >> 8, &mib))
			return -1;
		o->limits.max_granted_pages = mib << 8;
		return 0;
	case OPT_MAX_DISPLAY_MS:
		return set_limit(at, code, arg, ZD_MAX_DISPLAY_MS, &o->limits.display_ms);
	case OPT_MAX_CONNECTS:
		return set_limit(at, code, arg, ZD_MAX_CONNECTS, &o->limits.connects_per_min);
	case OPT_BE_ALLOC:
		if (zd_be_alloc_policy_parse(arg, &o->be_alloc)) {
			complain(at, code,
				 "wants toolstack, off or up to %d comma-separated domain ids "
				 "or names, not '%s'",
				 ZD_POLICY_MAX_DOMAINS, arg);
			return -1;
		}
		return 0;
	case OPT_MAP:
		switch (zd_output_map_add(&o->outputs, arg)) {
		case 0:
			return 0;
		case -EEXIST:
			complain(at, code, "maps '%.*s' twice", (int)strcspn(arg, "="), arg);
			return -1;
		case -ENOSPC:
			complain(at, code, "is given more than %d times", ZD_MAP_MAX);
			return -1;
		default:
			complain(at, code,
				 "wants ID=OUTPUT (ID up to %d octets, OUTPUT up to %d), not '%s'",
				 ZD_MAP_MAX_ID, ZD_MAP_MAX_OUTPUT, arg);
			return -1;
		}
	case OPT_CONFIG:
		o->config_path = arg;
		return 0;
	case OPT_CHECK_CONFIG:
		o->check_config = true;
		return 0;
	case OPT_HELP:
	case OPT_COUNT:
		break;
	}
	return -1;
}

/* A flag's value in the file: 1 on, 0 off, -1 neither. */
static int flag_value(const char *v)
{
	static const char *const on[] = {"yes", "true", "on", "1"};
	static const char *const off[] = {"no", "false", "off", "0"};

	for (size_t i = 0; i < sizeof(on) / sizeof(on[0]); i++) {
		if (!strcmp(v, on[i]))
			return 1;
		if (!strcmp(v, off[i]))
			return 0;
	}
	return -1;
}

/* The whole file, NUL-terminated, or NULL with errno (EILSEQ: it holds a NUL). */
static char *read_file(const char *path)
{
	size_t len = 0;
	char *text;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	text = malloc(ZD_CONFIG_MAX_BYTES + 1);
	if (!text) {
		close(fd);
		errno = ENOMEM;
		return NULL;
	}
	for (;;) {
		ssize_t n = read(fd, text + len, ZD_CONFIG_MAX_BYTES + 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			free(text);
			close(fd);
			errno = e;
			return NULL;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > ZD_CONFIG_MAX_BYTES) {
			free(text);
			close(fd);
			errno = EFBIG;
			return NULL;
		}
	}
	close(fd);
	if (memchr(text, '\0', len)) {
		free(text);
		errno = EILSEQ;
		return NULL;
	}
	text[len] = '\0';
	return text;
}

static char *trim(char *s)
{
	char *end = s + strlen(s);

	while (*s == ' ' || *s == '\t')
		s++;
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		end--;
	*end = '\0';
	return s;
}

/* The file option for name, or -1. */
static int file_option(const char *name)
{
	for (int i = 0; i < OPT_CONFIG; i++)
		if (!strcmp(longopts[i].name, name))
			return i;
	return -1;
}

/*
 * Every line of the file, each checked; those the command line did not
 * set (cmdline[code]) are applied.
 */
static int parse_file(struct zd_options *o, char *text, const char *path, const bool *cmdline)
{
	struct origin at = {.file = path};
	char *line = text, *next;

	for (; line; line = next) {
		struct zd_options scratch = *o;
		char *key, *value, *eq;
		int code, on;

		at.line++;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		key = trim(line);
		if (!*key || *key == '#')
			continue;
		eq = strchr(key, '=');
		if (!eq) {
			fprintf(stderr, "%s:%u: not 'name = value': '%s'\n", path, at.line, key);
			return -1;
		}
		*eq = '\0';
		key = trim(key);
		value = trim(eq + 1);
		code = file_option(key);
		if (code < 0) {
			fprintf(stderr, "%s:%u: unknown option '%s'\n", path, at.line, key);
			return -1;
		}
		if (!*value) {
			complain(&at, (enum opt)code, "wants a value");
			return -1;
		}
		if (longopts[code].has_arg == no_argument) {
			on = flag_value(value);
			if (on < 0) {
				complain(&at, (enum opt)code, "wants yes or no, not '%s'", value);
				return -1;
			}
			if (!on)
				continue;
			value = NULL;
		}
		/* Checked even where the command line overrides it. */
		if (code == OPT_DRM)
			scratch.ndrm = 0;
		if (code == OPT_MAP && cmdline[code])
			scratch.outputs.n = 0;
		if (set_option(&scratch, (enum opt)code, value, &at))
			return -1;
		if (!cmdline[code] && set_option(o, (enum opt)code, value, &at))
			return -1;
	}
	return 0;
}

int zd_options_parse(struct zd_options *o, int argc, char **argv)
{
	bool cmdline[OPT_COUNT] = {false};
	const struct origin at = {0};
	const char *path;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "d:l:s:m:c:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			c = OPT_DRM;
			break;
		case 'l':
			c = OPT_LOG_LEVEL;
			break;
		case 's':
			c = OPT_STATUS;
			break;
		case 'm':
			c = OPT_MAP;
			break;
		case 'c':
			c = OPT_CONFIG;
			break;
		case 'h':
			c = OPT_HELP;
			break;
		default:
			break;
		}
		if (c == OPT_HELP) {
			usage(stdout);
			return 1;
		}
		if (c < 0 || c >= OPT_COUNT) {
			usage(stderr);
			return -1;
		}
		cmdline[c] = true;
		/* --syslog is a log target: either one overrides both in the file. */
		if (c == OPT_SYSLOG || c == OPT_LOG_TARGET)
			cmdline[OPT_SYSLOG] = cmdline[OPT_LOG_TARGET] = true;
		if (set_option(o, (enum opt)c, optarg, &at))
			return -1;
	}
	if (optind < argc) {
		fprintf(stderr, "zdispl-back: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}

	path = o->config_path ? o->config_path : ZD_CONFIG_PATH;
	o->config_text = read_file(path);
	if (!o->config_text) {
		/* The default file is optional; one asked for is not. */
		if (o->config_path || errno != ENOENT) {
			fprintf(stderr, "zdispl-back: config file %s: %s\n", path,
				errno == EFBIG	  ? "larger than 64 KiB"
				: errno == EILSEQ ? "holds a NUL octet"
						  : strerror(errno));
			return -1;
		}
	} else {
		o->config_path = path;
		if (parse_file(o, o->config_text, path, cmdline))
			return -1;
	}

	if (o->no_display && o->ndrm) {
		fprintf(stderr, "zdispl-back: no-display and drm exclude each other\n");
		return -1;
	}
	if (o->fullscreen && !o->wayland) {
		fprintf(stderr, "zdispl-back: fullscreen needs output = wayland\n");
		return -1;
	}
	if (o->wayland && (o->ndrm || o->no_display)) {
		fprintf(stderr, "zdispl-back: output = wayland excludes %s\n",
			o->ndrm ? "drm" : "no-display");
		return -1;
	}
	return 0;
}

void zd_options_print(const struct zd_options *o, FILE *f)
{
	static const char *const zc[] = {"auto", "helper", "gntdev", "off"};
	static const char *const lv[] = {"error", "warn", "info", "debug"};

	fprintf(f, "# config file: %s\n", o->config_path ? o->config_path : "none");
	for (unsigned int i = 0; i < o->ndrm; i++)
		fprintf(f, "drm = %s\n", o->drm[i]);
	fprintf(f, "output = %s\n", o->wayland ? "wayland" : "kms");
	fprintf(f, "fullscreen = %s\n", o->fullscreen ? "yes" : "no");
	fprintf(f, "no-display = %s\n", o->no_display ? "yes" : "no");
	fprintf(f, "zcopy = %s\n", zc[o->zcopy]);
	fprintf(f, "log-level = %s\n", lv[o->level]);
	fprintf(f, "log-target = %s\n", zd_log_target_name(o->log_target));
	fprintf(f, "status = %s\n", o->status_path);
	fprintf(f, "max-buffer-mib = %u\n", o->limits.max_buffer_bytes >> 20);
	fprintf(f, "max-buffers = %u\n", o->limits.max_buffers);
	fprintf(f, "max-fbs = %u\n", o->limits.max_fbs);
	fprintf(f, "max-device-mib = %u\n", o->limits.max_pages >> 8);
	fprintf(f, "max-be-alloc-mib = %u\n", o->limits.max_granted_pages >> 8);
	fprintf(f, "max-display-ms = %u\n", o->limits.display_ms);
	fprintf(f, "max-connects = %u\n", o->limits.connects_per_min);
	for (unsigned int i = 0; i < o->outputs.n; i++)
		fprintf(f, "map = %s=%s\n", o->outputs.e[i].id, o->outputs.e[i].output);
	fprintf(f, "be-alloc = ");
	switch (o->be_alloc.mode) {
	case ZD_BE_ALLOC_OFF:
		fprintf(f, "off\n");
		break;
	case ZD_BE_ALLOC_LISTED:
		for (unsigned int i = 0; i < o->be_alloc.n; i++)
			fprintf(f, "%s%s", i ? "," : "", o->be_alloc.domains[i]);
		fputc('\n', f);
		break;
	default:
		fprintf(f, "toolstack\n");
		break;
	}
}

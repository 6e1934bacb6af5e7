// SPDX-License-Identifier: GPL-2.0
/*
 * zdisplctl: the operator's tool for zdispl-back. Reads the daemon's
 * root-only status socket and shows what it serves: devices and
 * connectors, buffers and whether each is shown zero-copy, and per
 * connector counters and rates, once or refreshed; and saves what a guest
 * connector's dom0 output shows as a PNG.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../common/png.h"
#include "../common/scanout.h"
#include "render.h"
#include "snapshot.h"

#define DEFAULT_SOCKET "/run/zdispl-back.sock"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: zdisplctl [-s SOCKET] [--json] COMMAND [-i SECONDS] [-n COUNT]\n"
		"       zdisplctl [-s SOCKET] capture CONNECTOR FILE.png\n"
		"Show what zdispl-back, the Xen PV display backend, serves.\n"
		"\n"
		"Commands:\n"
		"  status    devices, their states and protocol, connectors and their modes\n"
		"            and outputs, and the daemon's fds and memory\n"
		"  buffers   every display buffer: size, bytes, and whether it is shown\n"
		"            zero-copy, and if not, why\n"
		"  stats     per connector: flips, frames per second, bytes copied, requests,\n"
		"            errors, events dropped; rates over SECONDS (default 1)\n"
		"  top       status and stats, refreshed every SECONDS (default 1), COUNT\n"
		"            times (default: until interrupted)\n"
		"  capture   save what CONNECTOR shows right now as an 8-bit RGB PNG: the\n"
		"            picture the dom0 output it is on scans out. CONNECTOR is a guest\n"
		"            connector as status names it (dom1/vdispl/0/0) or its output\n"
		"            (Virtual-1, card1:HDMI-A-1)\n"
		"\n"
		"Options:\n"
		"  -s, --socket PATH    the daemon's status socket (default %s)\n"
		"      --json           JSON instead of text (status, buffers, stats)\n"
		"  -i, --interval SECS  for stats and top (0.1 to 3600)\n"
		"  -n, --count N        for top\n"
		"  -h, --help           this help\n"
		"\n"
		"The socket is root's only. Exit status: 0, 1 if the daemon cannot be\n"
		"reached or the capture failed, 2 for a bad command line.\n",
		DEFAULT_SOCKET);
}

static void pause_s(double s)
{
	struct timespec ts = {.tv_sec = (time_t)s,
			      .tv_nsec = (long)((s - (double)(time_t)s) * 1e9)};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int cmd_stats(const char *sock, bool json, double interval)
{
	struct zctl_snapshot a, b;

	if (zctl_fetch(sock, &a))
		return 1;
	pause_s(interval);
	if (zctl_fetch(sock, &b)) {
		zctl_snapshot_free(&a);
		return 1;
	}
	zctl_show_stats(&b, &a, json, stdout);
	zctl_snapshot_free(&a);
	zctl_snapshot_free(&b);
	return 0;
}

static int cmd_top(const char *sock, double interval, long count)
{
	struct zctl_snapshot prev = {0}, cur;
	bool tty = isatty(STDOUT_FILENO);

	for (long i = 0; count <= 0 || i < count; i++) {
		if (i)
			pause_s(interval);
		if (zctl_fetch(sock, &cur)) {
			zctl_snapshot_free(&prev);
			return 1;
		}
		if (tty)
			fputs("\033[H\033[2J", stdout);
		else if (i)
			fputc('\n', stdout);
		zctl_show_status(&cur, false, stdout);
		fputc('\n', stdout);
		zctl_show_stats(&cur, prev.text ? &prev : NULL, false, stdout);
		fflush(stdout);
		zctl_snapshot_free(&prev);
		prev = cur;
	}
	zctl_snapshot_free(&prev);
	return 0;
}

static int cmd_capture(const char *sock, const char *spec, const char *path)
{
	static const char *const why[] = {
		[ENOENT] = "no such connector or output (see zdisplctl status)",
		[ENODEV] = "it has no output (headless): nothing shows it",
		[ENAMETOOLONG] = "its output's name is too long",
	};
	const struct zctl_record *conn = NULL;
	char card[ZD_CARD_PATH_MAX], output[64];
	struct zctl_snapshot s;
	struct zd_scanout so;
	int r;

	if (zctl_fetch(sock, &s))
		return 1;
	r = zctl_find_output(&s, spec, &conn, card, sizeof(card), output, sizeof(output));
	if (r) {
		fprintf(stderr, "zdisplctl: capture %s: %s\n", spec, why[-r]);
		zctl_snapshot_free(&s);
		return 1;
	}
	if (zd_scanout_capture(card[0] ? card : NULL, output, &so) < 0) {
		fprintf(stderr, "zdisplctl: capture %s: its output %s cannot be read\n", spec,
			output);
		zctl_snapshot_free(&s);
		return 1;
	}
	if (zd_png_write_file(path, so.rgb, (size_t)so.width * 3, so.width, so.height)) {
		fprintf(stderr, "zdisplctl: %s: %s\n", path, strerror(errno));
		r = 1;
	} else {
		printf("%s on %s (%s): %ux%u %s, saved to %s\n", zctl_get(conn, "name"),
		       so.connector, so.card, so.width, so.height, so.fmt->name, path);
	}
	zd_scanout_free(&so);
	zctl_snapshot_free(&s);
	return r ? 1 : 0;
}

int main(int argc, char **argv)
{
	enum { OPT_JSON = 256 };
	static const struct option longopts[] = {
		{"socket", required_argument, NULL, 's'},   {"json", no_argument, NULL, OPT_JSON},
		{"interval", required_argument, NULL, 'i'}, {"count", required_argument, NULL, 'n'},
		{"help", no_argument, NULL, 'h'},	    {NULL, 0, NULL, 0},
	};
	const char *sock = DEFAULT_SOCKET, *cmd;
	double interval = 1;
	long count = 0;
	bool json = false;
	struct zctl_snapshot s;
	char *end;
	int c, r;

	while ((c = getopt_long(argc, argv, "s:i:n:h", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			sock = optarg;
			break;
		case OPT_JSON:
			json = true;
			break;
		case 'i':
			interval = strtod(optarg, &end);
			if (*end || !(interval >= 0.1 && interval <= 3600)) {
				fprintf(stderr,
					"zdisplctl: --interval wants 0.1 to 3600 seconds, "
					"not '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'n':
			count = strtol(optarg, &end, 10);
			if (*end || count < 1) {
				fprintf(stderr,
					"zdisplctl: --count wants a number from 1, not '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc && !strcmp(argv[optind], "capture")) {
		if (argc - optind != 3 || json) {
			fprintf(stderr,
				"zdisplctl: usage: capture CONNECTOR FILE.png (see --help)\n");
			return 2;
		}
		return cmd_capture(sock, argv[optind + 1], argv[optind + 2]);
	}
	if (optind != argc - 1) {
		fprintf(stderr, optind == argc ? "zdisplctl: which command? (see --help)\n"
					       : "zdisplctl: one command at a time (see --help)\n");
		return 2;
	}
	cmd = argv[optind];
	if (!strcmp(cmd, "stats"))
		return cmd_stats(sock, json, interval);
	if (!strcmp(cmd, "top")) {
		if (json) {
			fprintf(stderr, "zdisplctl: top is for a terminal; use stats --json\n");
			return 2;
		}
		return cmd_top(sock, interval, count);
	}
	if (strcmp(cmd, "status") && strcmp(cmd, "buffers")) {
		fprintf(stderr, "zdisplctl: unknown command '%s' (see --help)\n", cmd);
		return 2;
	}
	r = zctl_fetch(sock, &s);
	if (r)
		return 1;
	if (!strcmp(cmd, "status"))
		zctl_show_status(&s, json, stdout);
	else
		zctl_show_buffers(&s, json, stdout);
	zctl_snapshot_free(&s);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * zdispl-status: show what zdispl-back is serving: every vdispl device, its
 * connectors and their outputs, and for every display buffer whether it is
 * shown zero-copy, and if not, why. Reads the daemon's status socket.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ctl/snapshot.h"

#define DEFAULT_SOCKET "/run/zdispl-back.sock"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: zdispl-status [-s SOCKET] [--raw]\n"
		"Show the devices, connectors and buffers zdispl-back serves, and for each\n"
		"buffer whether zero-copy is on and, if not, why.\n\n"
		"  -s, --socket PATH  the daemon's status socket (default %s)\n"
		"      --raw          print the daemon's records unformatted\n"
		"  -h, --help         this help\n",
		DEFAULT_SOCKET);
}

/* Value of key in a record line, copied to buf; "" if absent. */
static const char *field(const char *line, const char *key, char *buf, size_t size)
{
	size_t klen = strlen(key);
	const char *p = line;

	buf[0] = '\0';
	while ((p = strstr(p, key))) {
		if ((p == line || p[-1] == ' ') && p[klen] == '=') {
			const char *v = p + klen + 1;
			size_t n;

			if (*v == '"') {
				const char *end = strrchr(++v, '"');

				n = end && end > v ? (size_t)(end - v) : strlen(v);
			} else {
				n = strcspn(v, " \n");
			}
			if (n >= size)
				n = size - 1;
			memcpy(buf, v, n);
			buf[n] = '\0';
			return buf;
		}
		p += klen;
	}
	return buf;
}

static const char *human_bytes(const char *num, char *buf, size_t size)
{
	double v = strtod(num, NULL);
	const char *unit = "B";

	if (v >= 1e9) {
		v /= 1e9;
		unit = "GB";
	} else if (v >= 1e6) {
		v /= 1e6;
		unit = "MB";
	} else if (v >= 1e3) {
		v /= 1e3;
		unit = "kB";
	}
	snprintf(buf, size, "%.1f %s", v, unit);
	return buf;
}

static void pretty(const char *line)
{
	char a[128], b[128], c[128], d[128], e[128], f[128], g[256];

	if (!strncmp(line, "zdispl-back ", 12)) {
		field(line, "zcopy", b, sizeof(b));
		printf("zdispl-back: %s device(s), zero-copy: %s\n",
		       field(line, "devices", a, sizeof(a)), b[0] ? b : "?");
	} else if (!strncmp(line, "process ", 8)) {
		printf("  %s open fds, %s kB resident\n", field(line, "fds", a, sizeof(a)),
		       field(line, "rss-kib", b, sizeof(b)));
	} else if (!strncmp(line, "device ", 7)) {
		printf("\n%s  %s (frontend %s), protocol %s%s, %s buffer(s), %s framebuffer(s)\n",
		       field(line, "name", a, sizeof(a)), field(line, "state", b, sizeof(b)),
		       field(line, "frontend", c, sizeof(c)), field(line, "version", d, sizeof(d)),
		       strcmp(field(line, "be-alloc", e, sizeof(e)), "1") ? "" : ", be-alloc",
		       field(line, "buffers", f, sizeof(f)), field(line, "fbs", g, sizeof(g)));
		printf("  %s page(s) in buffers, %s granted by dom0, %s still granted after "
		       "DBUF_DESTROY\n",
		       field(line, "pages", a, sizeof(a)),
		       field(line, "granted-pages", b, sizeof(b)),
		       field(line, "deferred-pages", c, sizeof(c)));
		printf("  %s ms of blocking display work; waited %s time(s) for its budget\n",
		       field(line, "display-ms", a, sizeof(a)),
		       field(line, "display-waits", b, sizeof(b)));
		printf("  connected %s time(s); held %s time(s) for connecting too often\n",
		       field(line, "connects", a, sizeof(a)),
		       field(line, "connect-waits", b, sizeof(b)));
	} else if (!strncmp(line, "conn ", 5)) {
		const char *name = field(line, "name", a, sizeof(a));
		bool on = !strcmp(field(line, "configured", d, sizeof(d)), "1");

		/* Every field() below writes its own buffer: printf reads them all. */
		printf("  connector %s  %s -> %s  %s  flips %s  copied %s  events dropped %s\n",
		       strrchr(name, '/') ? strrchr(name, '/') + 1 : name,
		       field(line, "resolution", b, sizeof(b)), field(line, "output", c, sizeof(c)),
		       on ? "on" : "off", field(line, "flips", e, sizeof(e)),
		       human_bytes(field(line, "bytes-copied", f, sizeof(f)), g, sizeof(g)),
		       field(line, "events-dropped", d, sizeof(d)));
	} else if (!strncmp(line, "buffer ", 7)) {
		const char *path = field(line, "path", d, sizeof(d));
		bool zc = !strcmp(path, "zero-copy");
		const char *state = zc ? "on" : !strcmp(path, "partial") ? "partial" : "off";

		printf("  buffer %s  %s  %s  zero-copy: %s%s%s%s\n",
		       field(line, "cookie", a, sizeof(a)), field(line, "size", b, sizeof(b)),
		       human_bytes(field(line, "bytes", c, sizeof(c)), e, sizeof(e)), state,
		       zc ? "" : " (", zc ? "" : field(line, "why", g, sizeof(g)), zc ? "" : ")");
	}
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"socket", required_argument, NULL, 's'},
		{"raw", no_argument, NULL, 'r'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *path = DEFAULT_SOCKET;
	bool raw = false;
	char *text, *line, *next;
	int c;

	while ((c = getopt_long(argc, argv, "s:h", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			path = optarg;
			break;
		case 'r':
			raw = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	zctl_prog = "zdispl-status";
	if (zctl_read(path, &text))
		return 1;
	for (line = text; *line; line = next) {
		next = line + strcspn(line, "\n");
		if (*next)
			*next++ = '\0';
		if (raw)
			puts(line);
		else
			pretty(line);
	}
	free(text);
	return 0;
}

// SPDX-License-Identifier: MIT
/* DRM card and connector lookup (see drmcard.h). */
#include "drmcard.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void zd_connector_name(const drmModeConnector *conn, char *buf, size_t len)
{
	const char *type = drmModeGetConnectorTypeName(conn->connector_type);

	snprintf(buf, len, "%s-%u", type ? type : "Unknown", conn->connector_type_id);
}

/* A decimal index, or -1 when spec is a name. */
static long parse_index(const char *spec)
{
	char *end;
	long v;

	if (!*spec)
		return -1;
	errno = 0;
	v = strtol(spec, &end, 10);
	return *end || errno || v < 0 ? -1 : v;
}

drmModeConnector *zd_find_connector(int fd, const drmModeRes *res, const char *spec, int probe)
{
	long index = spec ? parse_index(spec) : -1;

	for (int i = 0; i < res->count_connectors; i++) {
		drmModeConnector *c;
		char name[64];

		if (index >= 0 && i != index)
			continue;
		c = probe ? drmModeGetConnector(fd, res->connectors[i])
			  : drmModeGetConnectorCurrent(fd, res->connectors[i]);
		if (!c)
			continue;
		zd_connector_name(c, name, sizeof(name));
		if (index >= 0 || (spec && strcmp(spec, name) == 0) ||
		    (!spec && c->connection == DRM_MODE_CONNECTED))
			return c;
		drmModeFreeConnector(c);
	}
	errno = ENOENT;
	return NULL;
}

int zd_open_card(const char *path, int (*accept)(int fd, void *ctx), void *ctx, char *path_out,
		 size_t path_len)
{
	int seen = 0;

	if (path) {
		int fd = open(path, O_RDWR | O_CLOEXEC);

		if (fd < 0) {
			fprintf(stderr, "error: cannot open %s: %s\n", path, strerror(errno));
			return -1;
		}
		snprintf(path_out, path_len, "%s", path);
		return fd;
	}
	/* Card minors are small; a gap (card0 gone, card1 there) is possible. */
	for (int n = 0; n < 64; n++) {
		char p[ZD_CARD_PATH_MAX];
		int fd;

		snprintf(p, sizeof(p), "/dev/dri/card%d", n);
		fd = open(p, O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			if (errno != ENOENT)
				fprintf(stderr, "warning: cannot open %s: %s\n", p,
					strerror(errno));
			continue;
		}
		seen++;
		if (accept(fd, ctx)) {
			snprintf(path_out, path_len, "%s", p);
			return fd;
		}
		close(fd);
	}
	fprintf(stderr, "error: %s\n",
		seen ? "no DRM card has what was asked for (see --card, --connector)"
		     : "no DRM card in /dev/dri (is a display driver loaded?)");
	return -1;
}

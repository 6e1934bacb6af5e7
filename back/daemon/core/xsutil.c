// SPDX-License-Identifier: GPL-2.0
/* xsutil.c: checked xenstore reads and plain writes. */
#include "xsutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zdispl/displif-use.h>

/* dir NULL: node is relative to our own domain's directory. */
static int node_path(char *path, size_t size, const char *dir, const char *node)
{
	int n = dir ? snprintf(path, size, "%s/%s", dir, node) : snprintf(path, size, "%s", node);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int zd_xs_read_str(struct xs_handle *xs, const char *dir, const char *node, char *buf, size_t size)
{
	char path[256];
	unsigned int len;
	char *val;
	int r;

	r = node_path(path, sizeof(path), dir, node);
	if (r)
		return r;
	val = xs_read(xs, XBT_NULL, path, &len);
	if (!val)
		return errno ? -errno : -EIO;
	/* The value is the peer's: no embedded NULs, bounded length. */
	if (len >= size || strlen(val) != len) {
		free(val);
		return len >= size ? -E2BIG : -EINVAL;
	}
	memcpy(buf, val, len + 1);
	free(val);
	return 0;
}

int zd_parse_uint(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > UINT32_MAX)
			return -ERANGE;
	}
	if (v < min || v > max)
		return -ERANGE;
	*out = (uint32_t)v;
	return 0;
}

int zd_xs_read_uint(struct xs_handle *xs, const char *dir, const char *node, uint32_t min,
		    uint32_t max, uint32_t *out)
{
	char buf[16];
	int r = zd_xs_read_str(xs, dir, node, buf, sizeof(buf));

	if (r)
		return r == -E2BIG ? -ERANGE : r;
	return zd_parse_uint(buf, min, max, out);
}

int zd_parse_resolution(const char *s, uint32_t max, uint32_t *w, uint32_t *h)
{
	char buf[24];
	const char *x = strchr(s, XENDISPL_RESOLUTION_SEPARATOR[0]);
	size_t n;
	int r;

	if (!x)
		return -EINVAL;
	n = (size_t)(x - s);
	if (n >= sizeof(buf))
		return -ERANGE;
	memcpy(buf, s, n);
	buf[n] = '\0';
	r = zd_parse_uint(buf, 1, max, w);
	if (r)
		return r;
	return zd_parse_uint(x + 1, 1, max, h);
}

int zd_xs_write_str(struct xs_handle *xs, const char *dir, const char *node, const char *val)
{
	char path[256];
	int r = node_path(path, sizeof(path), dir, node);

	if (r)
		return r;
	if (!xs_write(xs, XBT_NULL, path, val, (unsigned int)strlen(val)))
		return errno ? -errno : -EIO;
	return 0;
}

int zd_xs_write_uint(struct xs_handle *xs, const char *dir, const char *node, uint32_t val)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%u", val);
	return zd_xs_write_str(xs, dir, node, buf);
}

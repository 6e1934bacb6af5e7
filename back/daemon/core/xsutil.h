/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xsutil.h: reading and writing xenstore nodes with the checks a value from
 * another domain needs: bounded length, exact decimal syntax, range.
 * All return 0 or -errno (-ENOENT: no such node; -EINVAL: malformed;
 * -ERANGE: out of range; -E2BIG: value longer than allowed).
 */
#ifndef ZD_XSUTIL_H
#define ZD_XSUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <xenstore.h>

/*
 * Read dir/node into buf (NUL-terminated, at most size - 1 octets). dir NULL:
 * node is relative to our own domain's directory (as for every function here).
 */
int zd_xs_read_str(struct xs_handle *xs, const char *dir, const char *node, char *buf, size_t size);

/* Read an unsigned decimal in [min, max]; no sign, no spaces, no junk. */
int zd_xs_read_uint(struct xs_handle *xs, const char *dir, const char *node, uint32_t min,
		    uint32_t max, uint32_t *out);

/* Parse "<width>x<height>", each in [1, max]. */
int zd_parse_resolution(const char *s, uint32_t max, uint32_t *w, uint32_t *h);

/* Parse an unsigned decimal in [min, max] (the whole string). */
int zd_parse_uint(const char *s, uint32_t min, uint32_t max, uint32_t *out);

int zd_xs_write_str(struct xs_handle *xs, const char *dir, const char *node, const char *val);
int zd_xs_write_uint(struct xs_handle *xs, const char *dir, const char *node, uint32_t val);

#endif /* ZD_XSUTIL_H */

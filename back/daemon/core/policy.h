/* SPDX-License-Identifier: GPL-2.0 */
/*
 * policy.h: which frontend domains may have dom0 allocate their buffers
 * (be-alloc), the administrator's word over the toolstack's.
 *
 * The toolstack asks for be-alloc in the frontend's own directory, which
 * the guest can write too; the daemon reads it once, when the device
 * appears, and then only grants it if this policy allows it:
 *   toolstack   as the toolstack configured each device (the default)
 *   off         never
 *   LIST        only for the domains listed, comma-separated, by domain
 *               id or by name (/local/domain/<id>/name, which only the
 *               toolstack writes): "3,desktop"
 */
#ifndef ZD_POLICY_H
#define ZD_POLICY_H

#include <stdbool.h>

#define ZD_POLICY_MAX_DOMAINS 16
#define ZD_POLICY_MAX_NAME 64 /* a Xen domain name, octets */

enum zd_be_alloc_mode {
	ZD_BE_ALLOC_TOOLSTACK,
	ZD_BE_ALLOC_OFF,
	ZD_BE_ALLOC_LISTED,
};

struct zd_be_alloc_policy {
	enum zd_be_alloc_mode mode;
	unsigned int n;
	char domains[ZD_POLICY_MAX_DOMAINS][ZD_POLICY_MAX_NAME]; /* ids or names */
};

/* -EINVAL: empty, too many or too long entries, or an empty entry. */
int zd_be_alloc_policy_parse(const char *s, struct zd_be_alloc_policy *out);
/* name may be NULL (unknown). NULL p: the default (toolstack). */
bool zd_be_alloc_allowed(const struct zd_be_alloc_policy *p, unsigned int domid, const char *name);
/* "toolstack", "off" or "listed". */
const char *zd_be_alloc_mode_name(enum zd_be_alloc_mode m);

/*
 * Which dom0 output shows a guest connector, by its unique-id (the
 * operator's --map ID=OUTPUT): a connector whose unique-id is mapped asks
 * for that output by name, as if its unique-id were that name.
 */
#define ZD_MAP_MAX 16
#define ZD_MAP_MAX_ID 128    /* a unique-id, octets (displif's limit) */
#define ZD_MAP_MAX_OUTPUT 64 /* an output's name: CONNECTOR or cardN:CONNECTOR */

struct zd_output_map {
	unsigned int n;
	struct {
		char id[ZD_MAP_MAX_ID + 1];
		char output[ZD_MAP_MAX_OUTPUT + 1];
	} e[ZD_MAP_MAX];
};

/* Add "ID=OUTPUT". -EINVAL: malformed, too long; -EEXIST: ID mapped; -ENOSPC. */
int zd_output_map_add(struct zd_output_map *m, const char *spec);
/* The output for unique-id id, or id itself when it is not mapped. NULL m: none. */
const char *zd_output_map_lookup(const struct zd_output_map *m, const char *id);

#endif /* ZD_POLICY_H */

// SPDX-License-Identifier: GPL-2.0
/* policy.c: the be-alloc policy (see policy.h). */
#include "policy.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int zd_be_alloc_policy_parse(const char *s, struct zd_be_alloc_policy *out)
{
	const char *p = s;

	memset(out, 0, sizeof(*out));
	if (!strcmp(s, "toolstack"))
		return 0;
	if (!strcmp(s, "off")) {
		out->mode = ZD_BE_ALLOC_OFF;
		return 0;
	}
	out->mode = ZD_BE_ALLOC_LISTED;
	for (;;) {
		size_t len = strcspn(p, ",");

		if (!len || len >= ZD_POLICY_MAX_NAME || out->n == ZD_POLICY_MAX_DOMAINS)
			return -EINVAL;
		memcpy(out->domains[out->n], p, len);
		out->domains[out->n][len] = '\0';
		out->n++;
		if (!p[len])
			return 0;
		p += len + 1;
	}
}

bool zd_be_alloc_allowed(const struct zd_be_alloc_policy *p, unsigned int domid, const char *name)
{
	char id[16];

	if (!p || p->mode == ZD_BE_ALLOC_TOOLSTACK)
		return true;
	if (p->mode == ZD_BE_ALLOC_OFF)
		return false;
	snprintf(id, sizeof(id), "%u", domid);
	for (unsigned int i = 0; i < p->n; i++)
		if (!strcmp(p->domains[i], id) || (name && !strcmp(p->domains[i], name)))
			return true;
	return false;
}

const char *zd_be_alloc_mode_name(enum zd_be_alloc_mode m)
{
	switch (m) {
	case ZD_BE_ALLOC_TOOLSTACK:
		return "toolstack";
	case ZD_BE_ALLOC_OFF:
		return "off";
	case ZD_BE_ALLOC_LISTED:
		return "listed";
	}
	return "?";
}

int zd_output_map_add(struct zd_output_map *m, const char *spec)
{
	const char *eq = strchr(spec, '=');
	size_t idlen = eq ? (size_t)(eq - spec) : 0;
	size_t outlen = eq ? strlen(eq + 1) : 0;

	if (!idlen || idlen > ZD_MAP_MAX_ID || !outlen || outlen > ZD_MAP_MAX_OUTPUT ||
	    strchr(eq + 1, '='))
		return -EINVAL;
	for (unsigned int i = 0; i < m->n; i++)
		if (strlen(m->e[i].id) == idlen && !memcmp(m->e[i].id, spec, idlen))
			return -EEXIST;
	if (m->n == ZD_MAP_MAX)
		return -ENOSPC;
	memcpy(m->e[m->n].id, spec, idlen);
	m->e[m->n].id[idlen] = '\0';
	memcpy(m->e[m->n].output, eq + 1, outlen + 1);
	m->n++;
	return 0;
}

const char *zd_output_map_lookup(const struct zd_output_map *m, const char *id)
{
	for (unsigned int i = 0; m && i < m->n; i++)
		if (!strcmp(m->e[i].id, id))
			return m->e[i].output;
	return id;
}

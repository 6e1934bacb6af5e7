// SPDX-License-Identifier: GPL-2.0
/*
 * zfront-cfg.c: the configuration the toolstack wrote for the device
 * (io/displif.h, "Frontend XenBus Nodes"): the connectors, each with its
 * resolution and unique-id, be-alloc, and the protocol version, chosen
 * from the backend's "versions". Every value is checked; a connector
 * with a bad resolution fails the device, not the guest.
 */
#include <linux/slab.h>
#include <linux/string.h>

#include "../zfront.h"

/* A xenstore value of at most max octets, or an ERR_PTR. */
static char *read_str(const char *dir, const char *node, size_t max)
{
	unsigned int len;
	char *s = xenbus_read(XBT_NIL, dir, node, &len);

	if (IS_ERR(s))
		return s;
	if (len > max) {
		kfree(s);
		return ERR_PTR(-E2BIG);
	}
	return s;
}

static int read_connector(struct zfront_info *info, unsigned int i, struct zfront_conn_cfg *c)
{
	char dir[32];
	char *s;
	int ret;

	snprintf(dir, sizeof(dir), "%s/%u", info->xb->nodename, i);
	s = read_str(dir, XENDISPL_FIELD_RESOLUTION, ZD_MAX_XS_VALUE);
	if (IS_ERR(s))
		return PTR_ERR(s);
	ret = zfront_parse_resolution(s, &c->width, &c->height);
	if (ret)
		zf_err(info, "connector %u: bad resolution \"%.32s\"\n", i, s);
	kfree(s);
	if (ret)
		return ret;
	s = read_str(dir, XENDISPL_FIELD_UNIQUE_ID, ZD_MAX_UNIQUE_ID);
	if (!IS_ERR(s)) {
		strscpy(c->unique_id, s, sizeof(c->unique_id));
		kfree(s);
	}
	return 0;
}

int zfront_cfg_read(struct zfront_info *info, struct zfront_cfg *cfg)
{
	const char *be = info->xb->otherend;
	char dir[32];
	char *s;
	int ret;

	memset(cfg, 0, sizeof(*cfg));
	cfg->be_alloc = xenbus_read_unsigned(info->xb->nodename, XENDISPL_FIELD_BE_ALLOC, 0) == 1;
	/* The connectors are 0, 1, ... as long as each has a resolution. */
	while (cfg->nconn < ZD_MAX_CONNECTORS) {
		snprintf(dir, sizeof(dir), "%s/%u", info->xb->nodename, cfg->nconn);
		if (!xenbus_exists(XBT_NIL, dir, XENDISPL_FIELD_RESOLUTION))
			break;
		ret = read_connector(info, cfg->nconn, &cfg->conn[cfg->nconn]);
		if (ret)
			return ret;
		cfg->nconn++;
	}
	if (!cfg->nconn) {
		zf_err(info, "no connector configured\n");
		return -ENODEV;
	}
	/* Speak version 2 if the backend offers it, else 1. */
	s = read_str(be, XENDISPL_FIELD_BE_VERSIONS, ZD_MAX_XS_VALUE);
	cfg->version = 1;
	if (!IS_ERR(s)) {
		if (zfront_versions_offer(s, XENDISPL_PROTOCOL_VERSION_INT))
			cfg->version = XENDISPL_PROTOCOL_VERSION_INT;
		else if (!zfront_versions_offer(s, 1))
			zf_warn(info, "backend offers versions \"%.32s\"; trying 1\n", s);
		kfree(s);
	}
	return 0;
}

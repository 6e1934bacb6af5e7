/* SPDX-License-Identifier: MIT */
/*
 * Choosing where to draw: the card, the connector, its mode and a CRTC that
 * can drive it.
 */
#ifndef ZDISPL_PATTERN_OUTPUT_H
#define ZDISPL_PATTERN_OUTPUT_H

#include <stdint.h>
#include <xf86drmMode.h>

#include "../common/drmcard.h"

struct zd_output_req {
	const char *card;	/* NULL: first card with a matching connector */
	const char *connector;	/* NULL: first connected; index or name */
	uint32_t width, height; /* 0: the connector's preferred mode */
};

struct zd_output {
	int fd;
	char card[ZD_CARD_PATH_MAX];
	char connector_name[64];
	uint32_t connector_id, crtc_id;
	drmModeModeInfo mode;
};

/* Returns 0, or -1 after a message on stderr. */
int zd_output_open(const struct zd_output_req *req, struct zd_output *out);
void zd_output_close(struct zd_output *out);

#endif

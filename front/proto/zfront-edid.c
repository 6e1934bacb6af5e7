// SPDX-License-Identifier: GPL-2.0
/*
 * zfront-edid.c: validation of the EDID a backend returns for GET_EDID
 * (see zfront-proto.h). The kernel's EDID parser reads the modes from the
 * validated copy; this file decides whether it gets to.
 */
#include "zfront-proto.h"

static const uint8_t edid_header[8] = { 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00 };

int zfront_edid_check(const uint8_t *buf, uint32_t edid_sz, uint32_t buf_sz)
{
	uint32_t blocks, b, i;

	if (edid_sz < ZFRONT_EDID_MIN_SIZE || edid_sz > buf_sz ||
	    edid_sz > XENDISPL_EDID_MAX_SIZE || edid_sz % XENDISPL_EDID_BLOCK_SIZE)
		return -EINVAL;
	if (memcmp(buf, edid_header, sizeof(edid_header)))
		return -EINVAL;
	blocks = edid_sz / XENDISPL_EDID_BLOCK_SIZE;
	/* Octet 126 of the base block counts the extension blocks. */
	if ((uint32_t)buf[126] + 1 != blocks)
		return -EINVAL;
	for (b = 0; b < blocks; b++) {
		uint8_t sum = 0;

		for (i = 0; i < XENDISPL_EDID_BLOCK_SIZE; i++)
			sum += buf[b * XENDISPL_EDID_BLOCK_SIZE + i];
		if (sum)
			return -EINVAL;
	}
	return 0;
}

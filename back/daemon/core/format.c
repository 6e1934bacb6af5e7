// SPDX-License-Identifier: GPL-2.0
/* format.c: see format.h. */
#include "format.h"

#include <drm_fourcc.h>

uint32_t zd_format_cpp(uint32_t fourcc)
{
	switch (fourcc) {
	case DRM_FORMAT_XRGB8888:
	case DRM_FORMAT_ARGB8888:
		return 4;
	case DRM_FORMAT_RGB565:
		return 2;
	default:
		return 0;
	}
}

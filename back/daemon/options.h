/* SPDX-License-Identifier: GPL-2.0 */
/*
 * options.h: zdispl-back's settings, from its command line and its config
 * file (zdispl.conf(5)).
 *
 * The file holds the long options themselves, one per line:
 *
 *   # comment
 *   max-buffers = 32
 *   drm = /dev/dri/card0
 *   log-target = journal
 *
 * An option given on the command line overrides the file's (all of the
 * file's drm or map lines, for --drm or --map). Every line is checked, also those the
 * command line overrides; the first bad one is reported as FILE:LINE and
 * nothing starts. The default file (ZD_CONFIG_PATH) may be missing; one
 * named by --config must exist.
 */
#ifndef ZD_OPTIONS_H
#define ZD_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>

#include "base/log.h"
#include "core/backend.h"
#include "core/policy.h"
#include "core/zerocopy.h"

#define ZD_CONFIG_PATH "/etc/zdispl/zdispl.conf"
#define ZD_MAX_DRM_PATHS 8
#define ZD_CONFIG_MAX_BYTES (64u << 10)

struct zd_options {
	const char *drm[ZD_MAX_DRM_PATHS];
	unsigned int ndrm;
	bool wayland;	 /* --output=wayland: windows of a compositor, not KMS */
	bool fullscreen; /* --fullscreen: those windows ask to be fullscreen */
	bool no_display;
	enum zd_zcopy_mode zcopy;
	enum zd_log_level level;
	enum zd_log_target log_target;
	const char *status_path;
	struct zd_limits limits;
	struct zd_be_alloc_policy be_alloc;
	struct zd_output_map outputs; /* --map */
	const char *config_path;      /* the file read, NULL if none was */
	bool check_config;	      /* --check-config: validate, print, exit */
	char *config_text;	      /* the file's contents; values point into it */
};

/* The defaults: every option as its --help states. */
void zd_options_init(struct zd_options *o);
/*
 * The command line, then the config file under it. 0: start; 1: --help
 * was printed; -1: an error was printed (to stderr, naming the option, or
 * the file and line).
 */
int zd_options_parse(struct zd_options *o, int argc, char **argv);
/* The settings in force, as config-file lines. */
void zd_options_print(const struct zd_options *o, FILE *f);
void zd_options_free(struct zd_options *o);

#endif /* ZD_OPTIONS_H */

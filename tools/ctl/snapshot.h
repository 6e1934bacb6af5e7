/* SPDX-License-Identifier: GPL-2.0 */
/*
 * snapshot.h: one snapshot of zdispl-back's status socket (the record
 * format is in back/daemon/core/status.h), fetched and parsed into
 * records of key=value fields.
 */
#ifndef ZCTL_SNAPSHOT_H
#define ZCTL_SNAPSHOT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define ZCTL_MAX_FIELDS 32

struct zctl_field {
	const char *key, *value;
};

struct zctl_record {
	const char *kind; /* zdispl-back, process, device, conn, buffer, ... */
	unsigned int nfields;
	struct zctl_field fields[ZCTL_MAX_FIELDS];
};

struct zctl_snapshot {
	char *text; /* the snapshot as read; fields point into it */
	unsigned int nrecords;
	struct zctl_record *records;
	double taken; /* CLOCK_MONOTONIC seconds, when it was read */
};

/* The program named in messages: "zdisplctl" unless a tool sets its own. */
extern const char *zctl_prog;
/*
 * Read a snapshot's text from the socket at path into *text (the caller
 * frees it). 0, or -errno with a message for the operator printed (the
 * daemon not running, the socket root's).
 */
int zctl_read(const char *path, char **text);
/* zctl_read(), then zctl_parse(). */
int zctl_fetch(const char *path, struct zctl_snapshot *out);
/* Parse text (taken over: freed with the snapshot). 0 or -ENOMEM/-EINVAL. */
int zctl_parse(char *text, struct zctl_snapshot *out);
void zctl_snapshot_free(struct zctl_snapshot *s);

/* A field's value, NULL if the record has none. */
const char *zctl_get(const struct zctl_record *r, const char *key);
/* The same as a number (0 if absent or not a number). */
uint64_t zctl_num(const struct zctl_record *r, const char *key);
/* The record of kind whose key is value, or NULL. */
const struct zctl_record *zctl_find(const struct zctl_snapshot *s, const char *kind,
				    const char *key, const char *value);

/*
 * Where a guest connector is shown: spec names it as the status does
 * (dom1/vdispl/0/0), or names the dom0 output it is on (Virtual-1,
 * card1:HDMI-A-1). On success *conn is its record, card gets the DRM
 * device ("/dev/dri/cardN" when the output name says which, else "") and
 * output the connector's name on it. -ENOENT no such connector or output,
 * -ENODEV the connector has no output (headless), -ENAMETOOLONG a name
 * does not fit.
 */
int zctl_find_output(const struct zctl_snapshot *s, const char *spec,
		     const struct zctl_record **conn, char *card, size_t card_size, char *output,
		     size_t output_size);

#endif /* ZCTL_SNAPSHOT_H */

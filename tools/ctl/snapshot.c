// SPDX-License-Identifier: GPL-2.0
/* snapshot.c: fetch and parse zdispl-back's status snapshot (snapshot.h). */
#include "snapshot.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define ZCTL_MAX_BYTES (16u << 20) /* far more than any daemon's snapshot */

const char *zctl_prog = "zdisplctl";

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int connect_to(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd, e;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "%s: socket path too long: %s\n", zctl_prog, path);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		return fd;
	e = errno;
	close(fd);
	if (e == ENOENT || e == ECONNREFUSED)
		fprintf(stderr, "%s: zdispl-back is not running (nothing listens on %s)\n",
			zctl_prog, path);
	else if (e == EACCES || e == EPERM)
		fprintf(stderr,
			"%s: %s: permission denied: the status socket is root's only; "
			"run %s as root\n",
			zctl_prog, path, zctl_prog);
	else
		fprintf(stderr, "%s: cannot reach zdispl-back at %s: %s\n", zctl_prog, path,
			strerror(e));
	return -e;
}

int zctl_read(const char *path, char **out)
{
	size_t len = 0, cap = 1 << 16;
	char *text;
	int fd, r;

	fd = connect_to(path);
	if (fd < 0)
		return fd;
	text = malloc(cap);
	if (!text) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		ssize_t n;

		if (len + 1 == cap) {
			char *t = cap < ZCTL_MAX_BYTES ? realloc(text, cap * 2) : NULL;

			if (!t) {
				fprintf(stderr, "%s: the daemon's snapshot is too large\n",
					zctl_prog);
				free(text);
				close(fd);
				return -EFBIG;
			}
			text = t;
			cap *= 2;
		}
		n = read(fd, text + len, cap - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			fprintf(stderr, "%s: reading from %s: %s\n", zctl_prog, path,
				strerror(errno));
			free(text);
			close(fd);
			return r;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	text[len] = '\0';
	*out = text;
	return 0;
}

int zctl_fetch(const char *path, struct zctl_snapshot *out)
{
	char *text;
	int r = zctl_read(path, &text);

	if (r)
		return r;
	r = zctl_parse(text, out);
	if (r)
		fprintf(stderr, "%s: the daemon's snapshot is not one this %s reads\n", zctl_prog,
			zctl_prog);
	return r;
}

/* Split one record line in place. */
static int parse_line(char *line, struct zctl_record *r)
{
	char *p = line;

	r->nfields = 0;
	r->kind = p;
	p += strcspn(p, " ");
	if (*p)
		*p++ = '\0';
	if (!*r->kind)
		return -EINVAL;
	while (*p) {
		char *eq = strchr(p, '=');
		struct zctl_field *f;

		if (!eq || r->nfields == ZCTL_MAX_FIELDS)
			return -EINVAL;
		f = &r->fields[r->nfields++];
		*eq = '\0';
		f->key = p;
		p = eq + 1;
		if (*p == '"') {
			/* A quoted value runs to the last quote of the line. */
			char *end = strrchr(p + 1, '"');

			if (!end)
				return -EINVAL;
			*end = '\0';
			f->value = p + 1;
			p = end + 1;
		} else {
			f->value = p;
			p += strcspn(p, " ");
		}
		if (*p)
			*p++ = '\0';
	}
	return 0;
}

int zctl_parse(char *text, struct zctl_snapshot *out)
{
	unsigned int n = 0;
	char *line, *next;

	*out = (struct zctl_snapshot){.text = text, .taken = now_s()};
	for (const char *p = text; *p; p++)
		n += *p == '\n';
	out->records = calloc(n + 1, sizeof(*out->records));
	if (!out->records)
		return -ENOMEM;
	for (line = text; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (parse_line(line, &out->records[out->nrecords]))
			return -EINVAL;
		out->nrecords++;
	}
	if (!out->nrecords || strcmp(out->records[0].kind, "zdispl-back"))
		return -EINVAL;
	return 0;
}

void zctl_snapshot_free(struct zctl_snapshot *s)
{
	free(s->records);
	free(s->text);
	*s = (struct zctl_snapshot){0};
}

const char *zctl_get(const struct zctl_record *r, const char *key)
{
	for (unsigned int i = 0; i < r->nfields; i++)
		if (!strcmp(r->fields[i].key, key))
			return r->fields[i].value;
	return NULL;
}

uint64_t zctl_num(const struct zctl_record *r, const char *key)
{
	const char *v = zctl_get(r, key);
	char *end;
	unsigned long long n;

	if (!v || !*v)
		return 0;
	n = strtoull(v, &end, 0);
	return *end ? 0 : n;
}

const struct zctl_record *zctl_find(const struct zctl_snapshot *s, const char *kind,
				    const char *key, const char *value)
{
	for (unsigned int i = 0; i < s->nrecords; i++) {
		const char *v = zctl_get(&s->records[i], key);

		if (!strcmp(s->records[i].kind, kind) && v && !strcmp(v, value))
			return &s->records[i];
	}
	return NULL;
}

int zctl_find_output(const struct zctl_snapshot *s, const char *spec,
		     const struct zctl_record **conn, char *card, size_t card_size, char *output,
		     size_t output_size)
{
	const struct zctl_record *r = zctl_find(s, "conn", "name", spec);
	const char *out, *colon;
	unsigned int n;
	int end = 0;

	if (!r)
		r = zctl_find(s, "conn", "output", spec);
	if (!r)
		return -ENOENT;
	*conn = r;
	out = zctl_get(r, "output");
	if (!out || !*out || !strcmp(out, "none"))
		return -ENODEV;
	/* "cardN:NAME" when the daemon drives several devices. */
	colon = strchr(out, ':');
	if (colon && sscanf(out, "card%u%n", &n, &end) == 1 && out + end == colon) {
		if ((size_t)snprintf(card, card_size, "/dev/dri/card%u", n) >= card_size)
			return -ENAMETOOLONG;
		out = colon + 1;
	} else if (card_size) {
		card[0] = '\0';
	}
	if (strlen(out) >= output_size)
		return -ENAMETOOLONG;
	memcpy(output, out, strlen(out) + 1);
	return 0;
}

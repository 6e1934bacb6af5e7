// SPDX-License-Identifier: GPL-2.0
/* render.c: zdisplctl's views of a snapshot, as text or JSON (render.h). */
#include "render.h"

#include <string.h>

static bool is_kind(const struct zctl_record *r, const char *kind)
{
	return !strcmp(r->kind, kind);
}

/* Does conn record c belong to device name? ("dom1/vdispl/0" owns "dom1/vdispl/0/1") */
static bool conn_of(const struct zctl_record *c, const char *dev)
{
	const char *name = zctl_get(c, "name");
	size_t n = strlen(dev);

	return name && !strncmp(name, dev, n) && name[n] == '/' && !strchr(name + n + 1, '/');
}

static bool buffer_of(const struct zctl_record *b, const char *dev)
{
	const char *d = zctl_get(b, "device");

	return d && !strcmp(d, dev);
}

/* ---- JSON ---- */

static void json_string(const char *s, FILE *f)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* Decimal digits only (no sign, no leading zero but "0"): a JSON number. */
static bool is_number(const char *v)
{
	if (!*v || (v[0] == '0' && v[1]))
		return false;
	return strspn(v, "0123456789") == strlen(v);
}

static void json_fields(const struct zctl_record *r, FILE *f)
{
	for (unsigned int i = 0; i < r->nfields; i++) {
		fputs(i ? ", " : "", f);
		json_string(r->fields[i].key, f);
		fputs(": ", f);
		if (is_number(r->fields[i].value))
			fputs(r->fields[i].value, f);
		else
			json_string(r->fields[i].value, f);
	}
}

static void json_record(const struct zctl_record *r, FILE *f)
{
	fputc('{', f);
	json_fields(r, f);
	fputc('}', f);
}

/* "kind": [records of it that pick(record, dev) accepts] */
static void json_list(const struct zctl_snapshot *s, const char *key, const char *kind,
		      bool (*pick)(const struct zctl_record *, const char *), const char *dev,
		      FILE *f)
{
	bool first = true;

	fprintf(f, "\"%s\": [", key);
	for (unsigned int i = 0; i < s->nrecords; i++) {
		const struct zctl_record *r = &s->records[i];

		if (!is_kind(r, kind) || (pick && !pick(r, dev)))
			continue;
		fputs(first ? "" : ", ", f);
		json_record(r, f);
		first = false;
	}
	fputc(']', f);
}

static void json_devices(const struct zctl_snapshot *s, bool conns, bool buffers, FILE *f)
{
	bool first = true;

	fputs("\"devices\": [", f);
	for (unsigned int i = 0; i < s->nrecords; i++) {
		const struct zctl_record *d = &s->records[i];
		const char *name = zctl_get(d, "name");

		if (!is_kind(d, "device") || !name)
			continue;
		fputs(first ? "" : ", ", f);
		first = false;
		fputc('{', f);
		json_fields(d, f);
		if (conns) {
			fputs(", ", f);
			json_list(s, "connectors", "conn", conn_of, name, f);
		}
		if (buffers) {
			fputs(", ", f);
			json_list(s, "buffers", "buffer", buffer_of, name, f);
		}
		fputc('}', f);
	}
	fputc(']', f);
}

static void json_head(const struct zctl_snapshot *s, FILE *f)
{
	const struct zctl_record *p = NULL;

	for (unsigned int i = 0; i < s->nrecords; i++)
		if (is_kind(&s->records[i], "process"))
			p = &s->records[i];
	fputs("{\"daemon\": ", f);
	json_record(&s->records[0], f);
	if (p) {
		fputs(", \"process\": ", f);
		json_record(p, f);
	}
	fputs(", ", f);
}

/* ---- Text ---- */

static const char *val(const struct zctl_record *r, const char *key)
{
	const char *v = zctl_get(r, key);

	return v ? v : "?";
}

static const char *short_name(const char *name)
{
	const char *slash = strrchr(name, '/');

	return slash ? slash + 1 : name;
}

static void human_bytes(double v, char *buf, size_t size)
{
	static const char *const unit[] = {"B", "kB", "MB", "GB", "TB"};
	unsigned int u = 0;

	while (v >= 1000 && u < 4) {
		v /= 1000;
		u++;
	}
	snprintf(buf, size, u ? "%.1f %s" : "%.0f %s", v, unit[u]);
}

void zctl_show_status(const struct zctl_snapshot *s, bool json, FILE *f)
{
	const struct zctl_record *head = &s->records[0];

	if (json) {
		json_head(s, f);
		json_devices(s, true, false, f);
		fputs("}\n", f);
		return;
	}
	fprintf(f, "zdispl-back: %s device(s), zero-copy: %s\n", val(head, "devices"),
		val(head, "zcopy"));
	for (unsigned int i = 0; i < s->nrecords; i++) {
		const struct zctl_record *r = &s->records[i];

		if (is_kind(r, "process")) {
			fprintf(f, "  %s open fds, %s kB resident\n", val(r, "fds"),
				val(r, "rss-kib"));
		} else if (is_kind(r, "device")) {
			fprintf(f, "%s  %s (frontend %s), protocol %s%s\n", val(r, "name"),
				val(r, "state"), val(r, "frontend"), val(r, "version"),
				zctl_num(r, "be-alloc") ? ", be-alloc" : "");
			fprintf(f, "  %s buffer(s), %s framebuffer(s), %s page(s)\n",
				val(r, "buffers"), val(r, "fbs"), val(r, "pages"));
		} else if (is_kind(r, "conn")) {
			fprintf(f, "  connector %s  %s -> %s  %s\n", short_name(val(r, "name")),
				val(r, "resolution"), val(r, "output"),
				zctl_num(r, "configured") ? "on" : "off");
		}
	}
}

void zctl_show_buffers(const struct zctl_snapshot *s, bool json, FILE *f)
{
	bool any = false;

	if (json) {
		json_head(s, f);
		json_devices(s, false, true, f);
		fputs("}\n", f);
		return;
	}
	for (unsigned int i = 0; i < s->nrecords; i++) {
		const struct zctl_record *r = &s->records[i];
		const char *path;
		char bytes[32];

		if (!is_kind(r, "buffer"))
			continue;
		if (!any)
			fprintf(f, "%-16s %-8s %-14s %9s  %s\n", "DEVICE", "COOKIE", "SIZE",
				"BYTES", "ZERO-COPY");
		any = true;
		path = val(r, "path");
		human_bytes((double)zctl_num(r, "bytes"), bytes, sizeof(bytes));
		fprintf(f, "%-16s %-8s %-14s %9s  %s%s%s%s\n", val(r, "device"), val(r, "cookie"),
			val(r, "size"), bytes,
			!strcmp(path, "zero-copy") ? "on"
			: !strcmp(path, "partial") ? "partial"
						   : "off",
			zctl_get(r, "why") ? " (" : "", zctl_get(r, "why") ? val(r, "why") : "",
			zctl_get(r, "why") ? ")" : "");
	}
	if (!any)
		fprintf(f, "no buffers\n");
}

/* Per-second rate of key on conn c since prev's snapshot; false: none. */
static bool rate(const struct zctl_record *c, const struct zctl_snapshot *s,
		 const struct zctl_snapshot *prev, const char *key, double *out)
{
	const struct zctl_record *p;
	double dt;

	if (!prev)
		return false;
	p = zctl_find(prev, "conn", "name", val(c, "name"));
	dt = s->taken - prev->taken;
	if (!p || dt <= 0 || zctl_num(c, key) < zctl_num(p, key))
		return false;
	*out = (double)(zctl_num(c, key) - zctl_num(p, key)) / dt;
	return true;
}

void zctl_show_stats(const struct zctl_snapshot *s, const struct zctl_snapshot *prev, bool json,
		     FILE *f)
{
	bool first = true;

	if (json)
		fputs("{\"connectors\": [", f);
	else
		fprintf(f, "%-18s %-10s %8s %7s %10s %9s %8s %6s %7s\n", "CONNECTOR", "OUTPUT",
			"FLIPS", "FPS", "COPIED", "COPIED/S", "REQUESTS", "ERRORS", "DROPPED");
	for (unsigned int i = 0; i < s->nrecords; i++) {
		const struct zctl_record *c = &s->records[i];
		double fps = 0, bps = 0;
		bool have_fps, have_bps;
		char copied[32], per_s[32];

		if (!is_kind(c, "conn"))
			continue;
		have_fps = rate(c, s, prev, "flips", &fps);
		have_bps = rate(c, s, prev, "bytes-copied", &bps);
		if (json) {
			fputs(first ? "{" : ", {", f);
			json_fields(c, f);
			if (have_fps)
				fprintf(f, ", \"fps\": %.2f", fps);
			if (have_bps)
				fprintf(f, ", \"bytes-copied-per-s\": %.0f", bps);
			fputc('}', f);
			first = false;
			continue;
		}
		human_bytes((double)zctl_num(c, "bytes-copied"), copied, sizeof(copied));
		if (have_bps)
			human_bytes(bps, per_s, sizeof(per_s));
		else
			snprintf(per_s, sizeof(per_s), "-");
		if (have_fps)
			fprintf(f, "%-18s %-10s %8s %7.1f %10s %9s %8s %6s %7s\n", val(c, "name"),
				val(c, "output"), val(c, "flips"), fps, copied, per_s,
				val(c, "requests"), val(c, "errors"), val(c, "events-dropped"));
		else
			fprintf(f, "%-18s %-10s %8s %7s %10s %9s %8s %6s %7s\n", val(c, "name"),
				val(c, "output"), val(c, "flips"), "-", copied, per_s,
				val(c, "requests"), val(c, "errors"), val(c, "events-dropped"));
	}
	if (json)
		fputs("]}\n", f);
}

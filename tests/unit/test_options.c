// SPDX-License-Identifier: GPL-2.0
/*
 * test_options.c: zdispl-back's settings from a config file and a command
 * line: the file's lines set options, the command line overrides them, and
 * the first bad line, overridden or not, is named by file and line with
 * nothing applied after it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zdispl/displif-use.h>

#include "options.h"
#include "test.h"

struct run {
	char path[64];
	char err[512]; /* what it wrote to stderr */
	struct zd_options o;
	int r;
};

/* Parse argv (NULL-terminated, argv[0] implied) over a file holding text. */
static void parse(struct run *t, const char *text, const char *const *args)
{
	char *argv[16] = {"zdispl-back", "--config", t->path};
	int argc = 3, fd, saved;
	FILE *err = tmpfile();
	size_t n;

	snprintf(t->path, sizeof(t->path), "/tmp/zd-options-XXXXXX");
	fd = mkstemp(t->path);
	CHECK(fd >= 0);
	CHECK_EQ_INT(write(fd, text, strlen(text)), (long long)strlen(text));
	close(fd);
	while (args && *args && argc < 15)
		argv[argc++] = (char *)*args++;
	argv[argc] = NULL;
	CHECK_NOT_NULL(err);
	fflush(stderr);
	saved = dup(2);
	dup2(fileno(err), 2);
	zd_options_init(&t->o);
	t->r = zd_options_parse(&t->o, argc, argv);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(err);
	n = fread(t->err, 1, sizeof(t->err) - 1, err);
	t->err[n] = '\0';
	fclose(err);
	unlink(t->path);
}

/* t->err starts with "PATH:LINE: " and holds what. */
static void expect_error(struct run *t, unsigned int line, const char *what)
{
	char want[128];

	CHECK_EQ_INT(t->r, -1);
	snprintf(want, sizeof(want), "%s:%u: ", t->path, line);
	CHECK(strncmp(t->err, want, strlen(want)) == 0);
	CHECK(strstr(t->err, what) != NULL);
	zd_options_free(&t->o);
}

TEST(options_file_sets_what_the_command_line_does_not)
{
	static const char *const args[] = {"--max-fbs", "9", NULL};
	struct run t;

	parse(&t,
	      "# limits\n"
	      "  max-buffers = 32  \n"
	      "max-fbs=7\n"
	      "\n"
	      "drm = /dev/dri/card1\n"
	      "drm = /dev/dri/card2\r\n"
	      "syslog = yes\n"
	      "be-alloc = 3,desktop\n"
	      "max-buffer-mib = 16",
	      args);
	CHECK_EQ_INT(t.r, 0);
	CHECK_STR_EQ(t.err, "");
	CHECK_EQ_INT(t.o.limits.max_buffers, 32);
	CHECK_EQ_INT(t.o.limits.max_fbs, 9); /* the command line's */
	CHECK_EQ_INT(t.o.limits.max_buffer_bytes, 16u << 20);
	CHECK_EQ_INT(t.o.ndrm, 2);
	CHECK_STR_EQ(t.o.drm[1], "/dev/dri/card2");
	CHECK_EQ_INT(t.o.log_target, ZD_LOG_TO_SYSLOG);
	CHECK_EQ_INT(t.o.be_alloc.mode, ZD_BE_ALLOC_LISTED);
	CHECK_STR_EQ(t.o.be_alloc.domains[1], "desktop");
	CHECK_EQ_INT(t.o.limits.max_pages, ZD_DEF_DEVICE_PAGES); /* untouched */
	zd_options_free(&t.o);
}

TEST(options_command_line_drm_replaces_all_of_the_files)
{
	static const char *const args[] = {"-d", "/dev/dri/card0", NULL};
	struct run t;

	parse(&t, "drm = /dev/dri/card1\ndrm = /dev/dri/card2\nsyslog = no\n", args);
	CHECK_EQ_INT(t.r, 0);
	CHECK_EQ_INT(t.o.ndrm, 1);
	CHECK_STR_EQ(t.o.drm[0], "/dev/dri/card0");
	CHECK_EQ_INT(t.o.log_target, ZD_LOG_TO_AUTO); /* the default */
	zd_options_free(&t.o);
}

TEST(options_log_target_from_the_file_and_over_it)
{
	static const char *const args[] = {"--log-target=stderr", NULL};
	static const char *const sys[] = {"--syslog", NULL};
	struct run t;

	parse(&t, "log-target = journal\n", NULL);
	CHECK_EQ_INT(t.r, 0);
	CHECK_EQ_INT(t.o.log_target, ZD_LOG_TO_JOURNAL);
	zd_options_free(&t.o);
	/* The command line's target wins over the file's, however named. */
	parse(&t, "syslog = yes\n", args);
	CHECK_EQ_INT(t.r, 0);
	CHECK_EQ_INT(t.o.log_target, ZD_LOG_TO_STDERR);
	zd_options_free(&t.o);
	parse(&t, "log-target = journal\n", sys);
	CHECK_EQ_INT(t.r, 0);
	CHECK_EQ_INT(t.o.log_target, ZD_LOG_TO_SYSLOG);
	zd_options_free(&t.o);
	parse(&t, "\nlog-target = console\n", NULL);
	expect_error(&t, 2, "log-target wants auto, stderr, syslog or journal, not 'console'");
}

TEST(options_bad_lines_are_named_by_file_and_line)
{
	static const char *const max[] = {"--max-buffers", "5", NULL};
	struct run t;

	parse(&t, "max-buffers = 32\nmax-bufers = 3\n", NULL);
	expect_error(&t, 2, "unknown option 'max-bufers'");
	/* Checked also where the command line overrides it. */
	parse(&t, "\n# x\nmax-buffers = 99999\n", max);
	expect_error(&t, 3, "max-buffers wants a number from 1 to 1024, not '99999'");
	parse(&t, "syslog = maybe\n", NULL);
	expect_error(&t, 1, "syslog wants yes or no");
	parse(&t, "zcopy =\n", NULL);
	expect_error(&t, 1, "zcopy wants a value");
	parse(&t, "max-fbs 3\n", NULL);
	expect_error(&t, 1, "not 'name = value'");
	parse(&t, "config = /etc/other.conf\n", NULL);
	expect_error(&t, 1, "unknown option 'config'");
	parse(&t, "help = yes\n", NULL);
	expect_error(&t, 1, "unknown option 'help'");
	parse(&t, "status = relative.sock\n", NULL);
	expect_error(&t, 1, "status wants an absolute path");
	parse(&t,
	      "drm = a\ndrm = b\ndrm = c\ndrm = d\ndrm = e\ndrm = f\ndrm = g\ndrm = h\n"
	      "drm = i\n",
	      NULL);
	expect_error(&t, 9, "drm is given more than 8 times");
}

TEST(options_a_file_asked_for_must_be_readable_text)
{
	static const char *const args[] = {"--config", "/nonexistent/zdispl.conf", NULL};
	struct run t;
	char big[ZD_CONFIG_MAX_BYTES + 2];

	parse(&t, "", args); /* the last --config wins */
	CHECK_EQ_INT(t.r, -1);
	CHECK(strstr(t.err, "config file /nonexistent/zdispl.conf: No such file") != NULL);
	zd_options_free(&t.o);

	memset(big, '#', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	parse(&t, big, NULL);
	CHECK_EQ_INT(t.r, -1);
	CHECK(strstr(t.err, "larger than 64 KiB") != NULL);
	zd_options_free(&t.o);
}

TEST(options_wayland_output_and_what_it_excludes)
{
	static const char *const kms[] = {"--output=kms", NULL};
	static const char *const fs[] = {"--fullscreen", NULL};
	struct run t;

	parse(&t, "output = wayland\nfullscreen = yes\n", NULL);
	CHECK_EQ_INT(t.r, 0);
	CHECK(t.o.wayland);
	CHECK(t.o.fullscreen);
	zd_options_free(&t.o);
	/* The command line's kind wins; fullscreen then has no output to go with. */
	parse(&t, "output = wayland\nfullscreen = yes\n", kms);
	CHECK_EQ_INT(t.r, -1);
	CHECK(strstr(t.err, "fullscreen needs output = wayland") != NULL);
	zd_options_free(&t.o);
	parse(&t, "drm = /dev/dri/card0\n", fs);
	CHECK_EQ_INT(t.r, -1);
	zd_options_free(&t.o);
	parse(&t, "output = wayland\ndrm = /dev/dri/card0\n", NULL);
	CHECK_EQ_INT(t.r, -1);
	CHECK(strstr(t.err, "output = wayland excludes drm") != NULL);
	zd_options_free(&t.o);
	parse(&t, "\n\noutput = x11\n", NULL);
	expect_error(&t, 3, "output wants kms or wayland, not 'x11'");
}

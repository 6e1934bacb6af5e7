/*
 * runner.c - main() of the host unit tests: runs every TEST() in name order,
 * each in a process of its own.
 *
 *	unit-tests [--list | --no-fork] [SUBSTRING]
 *
 * Each test runs in a child process, under a deadline (UNIT_TEST_TIMEOUT
 * seconds, default 20): a test that fails a check, crashes, aborts (a
 * sanitizer's report, its leak check at the child's exit) or hangs fails
 * with what happened, and the run goes on with the next. --no-fork runs
 * the tests in this process, one after the other, for a debugger.
 *
 * Prints "ok   name" or "FAIL name: file:line: message" per test and, as the
 * very last line, "N passed, N failed".  Exits 0 iff nothing failed.
 */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fakexen/fakexen.h"
#include "test.h"

#define MAX_TESTS 1024
#define DEFAULT_TIMEOUT_S 20

struct test_case {
	char name[128];
	void (*fn)(void);
	void (*vfn)(const void *variant);
	const void *variant;
};

static struct test_case tests[MAX_TESTS];
static size_t nr_tests;
static size_t nr_dropped; /* registrations beyond MAX_TESTS */

static jmp_buf test_jmp;
static bool in_test;
static char fail_msg[1024];

static struct test_case *new_case(void)
{
	if (nr_tests == MAX_TESTS) {
		nr_dropped++;
		return NULL;
	}
	return &tests[nr_tests++];
}

void test_register(const char *name, void (*fn)(void))
{
	struct test_case *t = new_case();

	if (t) {
		snprintf(t->name, sizeof(t->name), "%s", name);
		t->fn = fn;
	}
}

void test_register_variant(const char *name, const char *variant_name,
			   void (*fn)(const void *variant), const void *variant)
{
	struct test_case *t = new_case();

	if (t) {
		snprintf(t->name, sizeof(t->name), "%s_%s", name, variant_name);
		t->vfn = fn;
		t->variant = variant;
	}
}

void test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(fail_msg, sizeof(fail_msg), "%s:%d: ", file, line);
	if (n < 0 || (size_t)n >= sizeof(fail_msg))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(fail_msg + n, sizeof(fail_msg) - (size_t)n, fmt, ap);
	va_end(ap);
	if (!in_test) {
		/* A check outside any test has nowhere to return to. */
		fprintf(stderr, "check failed outside a test: %s\n", fail_msg);
		abort();
	}
	longjmp(test_jmp, 1);
}

bool test_fd_readable(int fd)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};

	return poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN);
}

static int cmp_tests(const void *a, const void *b)
{
	const struct test_case *ta = a, *tb = b;

	return strcmp(ta->name, tb->name);
}

/* Run one test with a fresh fake; true if it passed, else fail_msg says
 * why.  Kept apart so nothing that longjmp() skips over lives in main(). */
static bool run_here(const struct test_case *t)
{
	volatile bool passed = false;

	fail_msg[0] = 0;
	fx_reset();
	in_test = true;
	if (setjmp(test_jmp) == 0) {
		if (t->vfn)
			t->vfn(t->variant);
		else
			t->fn();
		passed = true;
	}
	in_test = false;
	/* Also frees what a failed test left behind, for the leak checker. */
	fx_reset();
	return passed;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Reads the child's report from fd until EOF or the deadline; false if the
 * deadline came first. */
static bool read_report(int fd, double deadline, char *buf, size_t len)
{
	size_t got = 0;

	buf[0] = 0;
	for (;;) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		double left = deadline - now_s();
		ssize_t n;
		int r;

		if (left <= 0)
			return false;
		r = poll(&pfd, 1, (int)(left * 1000) + 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			continue; /* the deadline check above ends it */
		n = read(fd, buf + got, len - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return true; /* EOF: the child has gone */
		got += (size_t)n;
		buf[got] = 0;
		if (got == len - 1)
			return true;
	}
}

/* Run one test in a child process: true if it passed; why says otherwise. */
static bool run_forked(const struct test_case *t, unsigned int timeout_s, char *why, size_t len)
{
	int pfd[2], status = 0;
	bool in_time;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	if (pipe(pfd) < 0) {
		snprintf(why, len, "runner: pipe: %s", strerror(errno));
		return false;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(why, len, "runner: fork: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return false;
	}
	if (pid == 0) {
		bool passed;

		close(pfd[0]);
		passed = run_here(t);
		if (!passed && write(pfd[1], fail_msg, strlen(fail_msg)) < 0)
			_exit(3);
		close(pfd[1]);
		/* exit(), not _exit(): a sanitizer's leak check runs at exit and
		 * turns a leak into this test's failure. */
		exit(passed ? 0 : 1);
	}
	close(pfd[1]);
	in_time = read_report(pfd[0], now_s() + timeout_s, why, len);
	close(pfd[0]);
	if (!in_time)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!in_time) {
		snprintf(why, len, "timed out after %u s (UNIT_TEST_TIMEOUT)", timeout_s);
		return false;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return true;
	if (WIFSIGNALED(status)) {
		size_t n = strlen(why);

		snprintf(why + n, len - n, "%skilled by signal %d (%s)", n ? "; " : "",
			 WTERMSIG(status), strsignal(WTERMSIG(status)));
	} else if (!why[0]) {
		snprintf(why, len,
			 "exit status %d with no check failed (a sanitizer's report? see stderr)",
			 WEXITSTATUS(status));
	} else if (WEXITSTATUS(status) != 1) {
		size_t n = strlen(why);

		snprintf(why + n, len - n, "; exit status %d", WEXITSTATUS(status));
	}
	return false;
}

static unsigned int count_duplicates(void)
{
	unsigned int dups = 0;
	size_t i;

	for (i = 1; i < nr_tests; i++) {
		if (strcmp(tests[i - 1].name, tests[i].name) == 0) {
			printf("FAIL %s: duplicate test name\n", tests[i].name);
			dups++;
		}
	}
	return dups;
}

static unsigned int timeout_from_env(void)
{
	const char *s = getenv("UNIT_TEST_TIMEOUT");
	char *end;
	unsigned long v;

	if (!s || !*s)
		return DEFAULT_TIMEOUT_S;
	v = strtoul(s, &end, 10);
	if (*end || !v || v > 3600) {
		fprintf(stderr, "UNIT_TEST_TIMEOUT=%s: not 1..3600 seconds; using %d\n", s,
			DEFAULT_TIMEOUT_S);
		return DEFAULT_TIMEOUT_S;
	}
	return (unsigned int)v;
}

int main(int argc, char **argv)
{
	unsigned int passed = 0, failed = 0, timeout_s = timeout_from_env();
	const char *filter = NULL;
	bool fork_tests = true;
	char why[sizeof(fail_msg) + 128];
	size_t i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	qsort(tests, nr_tests, sizeof(tests[0]), cmp_tests);
	for (int a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--list") == 0) {
			for (i = 0; i < nr_tests; i++)
				printf("%s\n", tests[i].name);
			return 0;
		} else if (strcmp(argv[a], "--no-fork") == 0) {
			fork_tests = false;
		} else if (argv[a][0] == '-' || filter) {
			fprintf(stderr, "usage: %s [--list | --no-fork] [SUBSTRING]\n", argv[0]);
			return 2;
		} else {
			filter = argv[a];
		}
	}
	if (nr_dropped) {
		printf("FAIL runner: %zu tests over the limit of %d not run\n", nr_dropped,
		       MAX_TESTS);
		failed++;
	}
	failed += count_duplicates();
	for (i = 0; i < nr_tests; i++) {
		const struct test_case *t = &tests[i];
		bool ok;

		if (filter && !strstr(t->name, filter))
			continue;
		if (fork_tests) {
			ok = run_forked(t, timeout_s, why, sizeof(why));
		} else {
			ok = run_here(t);
			snprintf(why, sizeof(why), "%s", fail_msg);
		}
		if (ok) {
			printf("ok   %s\n", t->name);
			passed++;
		} else {
			printf("FAIL %s: %s\n", t->name, why);
			failed++;
		}
	}
	if (filter && passed + failed == 0)
		fprintf(stderr, "no test name contains \"%s\"\n", filter);
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}

/*
 * runner.c - main() of the host unit tests: runs every TEST() in name order.
 *
 *	unit-tests [--list | SUBSTRING]
 *
 * Prints "ok   name" or "FAIL name: file:line: message" per test and, as the
 * very last line, "N passed, N failed".  Exits 0 iff nothing failed.
 */
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fakexen/fakexen.h"
#include "test.h"

#define MAX_TESTS 1024

struct test_case {
	const char *name;
	void (*fn)(void);
};

static struct test_case tests[MAX_TESTS];
static size_t nr_tests;
static size_t nr_dropped; /* registrations beyond MAX_TESTS */

static jmp_buf test_jmp;
static bool in_test;
static char fail_msg[1024];

void test_register(const char *name, void (*fn)(void))
{
	if (nr_tests == MAX_TESTS) {
		nr_dropped++;
		return;
	}
	tests[nr_tests].name = name;
	tests[nr_tests].fn = fn;
	nr_tests++;
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

/* Run one test with a fresh fake; true if it passed.  Kept apart from main()
 * so nothing that longjmp() skips over lives in this frame. */
static bool run_one(const struct test_case *t)
{
	volatile bool passed = false;

	fx_reset();
	in_test = true;
	if (setjmp(test_jmp) == 0) {
		t->fn();
		passed = true;
	}
	in_test = false;
	/* Also frees what a failed test left behind, for the leak checker. */
	fx_reset();
	return passed;
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

int main(int argc, char **argv)
{
	const char *filter = argc > 1 ? argv[1] : NULL;
	unsigned int passed = 0, failed = 0;
	size_t i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	qsort(tests, nr_tests, sizeof(tests[0]), cmp_tests);
	if (filter && strcmp(filter, "--list") == 0) {
		for (i = 0; i < nr_tests; i++)
			printf("%s\n", tests[i].name);
		return 0;
	}
	if (nr_dropped) {
		printf("FAIL runner: %zu tests over the limit of %d not run\n", nr_dropped,
		       MAX_TESTS);
		failed++;
	}
	failed += count_duplicates();
	for (i = 0; i < nr_tests; i++) {
		const struct test_case *t = &tests[i];

		if (filter && !strstr(t->name, filter))
			continue;
		if (run_one(t)) {
			printf("ok   %s\n", t->name);
			passed++;
		} else {
			printf("FAIL %s: %s\n", t->name, fail_msg);
			failed++;
		}
	}
	if (filter && passed + failed == 0)
		fprintf(stderr, "no test name contains \"%s\"\n", filter);
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}

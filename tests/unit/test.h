/*
 * test.h - minimal unit test framework for the zdispl host tests.
 *
 *	TEST(name) { ... }
 *		Define a test; it registers itself before main() runs.  Names
 *		must be unique across the whole binary (the runner checks).
 *
 *	TEST_VARIANTS(name, table) { ... variant->field ... }
 *		One test per entry of the static array @table, each entry a
 *		struct whose first member is "const char *name": test
 *		"name_<entry's name>" runs the body with @variant pointing at
 *		its entry (kselftest's FIXTURE_VARIANT, without the fixture).
 *
 *	CHECK(cond), CHECK_EQ_INT(a, b), CHECK_STR_EQ(a, b),
 *	CHECK_NULL(p), CHECK_NOT_NULL(p)
 *		On failure, record file:line and what failed, then leave the
 *		current test (longjmp back to the runner); the rest of the run
 *		goes on.  Each test runs in a process of its own (runner.c), so
 *		a crash or a hang fails that test only.  CHECK_EQ_INT
 *		compares as long long and prints both values; in
 *		CHECK_STR_EQ a NULL on either side fails (printed as NULL)
 *		rather than crashing.
 *
 *	test_fd_readable(fd)
 *		poll() @fd with a zero timeout: true if it is readable now.
 *
 * The runner (runner.c) calls fx_reset() before and after every test, so
 * each test starts from an empty fake Xen and need not clean up after it.
 */
#ifndef ZDISPL_TEST_H
#define ZDISPL_TEST_H

#include <stdbool.h>
#include <string.h>

void test_register(const char *name, void (*fn)(void));
void test_register_variant(const char *name, const char *variant_name,
			   void (*fn)(const void *variant), const void *variant);
void test_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 3, 4)));
bool test_fd_readable(int fd);

#define TEST(name)                                                                                 \
	static void test_##name(void);                                                             \
	__attribute__((constructor)) static void test_register_##name(void)                        \
	{                                                                                          \
		test_register(#name, test_##name);                                                 \
	}                                                                                          \
	static void test_##name(void)

#define TEST_VARIANTS(tname, table)                                                                \
	static void test_##tname(const __typeof__((table)[0]) *variant);                           \
	static void test_##tname##_thunk(const void *v)                                            \
	{                                                                                          \
		test_##tname(v);                                                                   \
	}                                                                                          \
	__attribute__((constructor)) static void test_register_##tname(void)                       \
	{                                                                                          \
		for (size_t i_ = 0; i_ < sizeof(table) / sizeof((table)[0]); i_++)                 \
			test_register_variant(#tname, (table)[i_].name, test_##tname##_thunk,      \
					      &(table)[i_]);                                       \
	}                                                                                          \
	static void test_##tname(const __typeof__((table)[0]) *variant)

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			test_fail(__FILE__, __LINE__, "CHECK(%s)", #cond);                         \
	} while (0)

#define CHECK_EQ_INT(a, b)                                                                         \
	do {                                                                                       \
		long long chk_a_ = (long long)(a), chk_b_ = (long long)(b);                        \
		if (chk_a_ != chk_b_)                                                              \
			test_fail(__FILE__, __LINE__, "CHECK_EQ_INT(%s, %s): %lld != %lld", #a,    \
				  #b, chk_a_, chk_b_);                                             \
	} while (0)

#define CHECK_STR_EQ(a, b)                                                                         \
	do {                                                                                       \
		const char *chk_sa_ = (a), *chk_sb_ = (b);                                         \
		if (!chk_sa_ || !chk_sb_ || strcmp(chk_sa_, chk_sb_) != 0)                         \
			test_fail(__FILE__, __LINE__, "CHECK_STR_EQ(%s, %s): %s%s%s != %s%s%s",    \
				  #a, #b, chk_sa_ ? "\"" : "", chk_sa_ ? chk_sa_ : "NULL",         \
				  chk_sa_ ? "\"" : "", chk_sb_ ? "\"" : "",                        \
				  chk_sb_ ? chk_sb_ : "NULL", chk_sb_ ? "\"" : "");                \
	} while (0)

#define CHECK_NULL(p)                                                                              \
	do {                                                                                       \
		const void *chk_p_ = (p);                                                          \
		if (chk_p_)                                                                        \
			test_fail(__FILE__, __LINE__, "CHECK_NULL(%s): %p", #p, chk_p_);           \
	} while (0)

#define CHECK_NOT_NULL(p)                                                                          \
	do {                                                                                       \
		if (!(p))                                                                          \
			test_fail(__FILE__, __LINE__, "CHECK_NOT_NULL(%s)", #p);                   \
	} while (0)

#endif /* ZDISPL_TEST_H */

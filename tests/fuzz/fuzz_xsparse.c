// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_xsparse: the daemon's parsers of values another domain writes,
 * against what they promise (core/xsutil.h, core/policy.h):
 *   - zd_parse_uint accepts exactly the non-empty all-digit strings whose
 *     value lies in [min, max], and gives that value;
 *   - zd_parse_resolution accepts exactly "<digits>x<digits>" with both in
 *     [1, max], and gives them;
 *   - zd_be_alloc_policy_parse accepts "toolstack", "off", or 1 to 16
 *     comma-separated non-empty entries under 64 octets, and
 *     zd_be_alloc_allowed grants exactly the listed ids and names.
 * Input: byte 0 picks the parser, bytes 1-8 are min and max (or a domain
 * id), the rest the string (cut at its first NUL).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "xsutil.h"

#define FAIL(...)                                                                                  \
	do {                                                                                       \
		fprintf(stderr, "invariant violated: " __VA_ARGS__);                               \
		fputc('\n', stderr);                                                               \
		abort();                                                                           \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The value of a non-empty all-digit string, saturated at UINT64_MAX; -1: not such a string. */
static int decimal(const char *s, size_t n, uint64_t *v)
{
	*v = 0;
	if (!n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (*v > (UINT64_MAX - 9) / 10)
			*v = UINT64_MAX;
		else
			*v = *v * 10 + (uint64_t)(s[i] - '0');
	}
	return 0;
}

static void check_uint(const char *s, uint32_t min, uint32_t max)
{
	uint32_t out = 0xdeadbeef;
	uint64_t v;
	int r = zd_parse_uint(s, min, max, &out);
	bool good = decimal(s, strlen(s), &v) == 0 && v >= min && v <= max;

	if (good != (r == 0))
		FAIL("zd_parse_uint(\"%s\", %u, %u) = %d", s, min, max, r);
	if (!r && out != v)
		FAIL("zd_parse_uint(\"%s\") gave %u", s, out);
	if (r && r != -EINVAL && r != -ERANGE)
		FAIL("zd_parse_uint(\"%s\") = %d", s, r);
}

static void check_resolution(const char *s, uint32_t max)
{
	const char *x = strchr(s, 'x');
	uint32_t w = 0, h = 0;
	uint64_t vw, vh;
	bool good = x && decimal(s, (size_t)(x - s), &vw) == 0 &&
		    decimal(x + 1, strlen(x + 1), &vh) == 0 && vw >= 1 && vw <= max && vh >= 1 &&
		    vh <= max;
	int r = zd_parse_resolution(s, max, &w, &h);

	/* Parts too long for the parser's buffer count as out of range. */
	if (good && x - s >= 24)
		good = false;
	if (good != (r == 0))
		FAIL("zd_parse_resolution(\"%s\", %u) = %d", s, max, r);
	if (!r && (w != vw || h != vh))
		FAIL("zd_parse_resolution(\"%s\") gave %ux%u", s, w, h);
}

static void check_policy(const char *s, uint32_t domid, const char *name)
{
	struct zd_be_alloc_policy p;
	int r = zd_be_alloc_policy_parse(s, &p);
	bool listed = false;
	char id[16];

	if (r) {
		if (r != -EINVAL || !strcmp(s, "toolstack") || !strcmp(s, "off"))
			FAIL("policy \"%s\" refused (%d)", s, r);
		return;
	}
	if (!strcmp(s, "toolstack") || !strcmp(s, "off")) {
		if (zd_be_alloc_allowed(&p, domid, name) != !strcmp(s, "toolstack"))
			FAIL("policy \"%s\" decides wrong", s);
		return;
	}
	if (p.mode != ZD_BE_ALLOC_LISTED || !p.n || p.n > ZD_POLICY_MAX_DOMAINS)
		FAIL("policy \"%s\": mode %d, %u entries", s, p.mode, p.n);
	snprintf(id, sizeof(id), "%u", domid);
	for (unsigned int i = 0; i < p.n; i++) {
		size_t len = strlen(p.domains[i]);

		if (!len || len >= ZD_POLICY_MAX_NAME || strchr(p.domains[i], ','))
			FAIL("policy \"%s\": entry %u \"%s\"", s, i, p.domains[i]);
		if (!strstr(s, p.domains[i]))
			FAIL("policy \"%s\": entry \"%s\" is not in it", s, p.domains[i]);
		listed |= !strcmp(p.domains[i], id) || (name && !strcmp(p.domains[i], name));
	}
	if (zd_be_alloc_allowed(&p, domid, name) != listed)
		FAIL("policy \"%s\" for dom%u (%s): wrong", s, domid, name ? name : "no name");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t a, b;
	char s[512];
	size_t n;

	if (size < 9)
		return 0;
	memcpy(&a, data + 1, 4);
	memcpy(&b, data + 5, 4);
	n = size - 9 < sizeof(s) - 1 ? size - 9 : sizeof(s) - 1;
	memcpy(s, data + 9, n);
	s[n] = '\0';
	switch (data[0] % 3) {
	case 0:
		check_uint(s, a < b ? a : b, a < b ? b : a);
		break;
	case 1:
		check_resolution(s, 1 + b % 16384);
		break;
	default: {
		/* The name is what follows the first '|', if any. */
		char *bar = strchr(s, '|');

		if (bar)
			*bar = '\0';
		check_policy(s, a % 65536, bar ? bar + 1 : NULL);
		break;
	}
	}
	return 0;
}

/*
 * Unit tests for allow.c: the entry forms (patterns, addresses, blocks,
 * ports and ranges), every kind of bad entry refused with a reason, and
 * matching of names, IPv4, IPv6 and IPv4-mapped addresses.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "allow.h"

/* Parse TEXT, which must be valid. */
static struct allow_list *
parse_ok(const char *text)
{
	struct allow_list	*list;
	char			*error = NULL;

	list = allow_parse(text, &error);
	if (list == NULL)
		fail_msg("'%s' refused: %s", text, error);
	assert_null(error);
	return list;
}

/* The example, and what it lets through and what not. */
static void
test_allow_example(void **state)
{
	struct allow_list	*l;

	(void)state;
	l = parse_ok("*.internal:5432, db-?.prod:5432, 10.0.0.0/8:443");
	assert_int_equal(l->nrules, 3);
	assert_true(allow_match(l, "pg.internal", 5432));
	assert_true(allow_match(l, "a.b.internal", 5432));
	assert_false(allow_match(l, "internal", 5432));
	assert_false(allow_match(l, "pg.internal.evil.com", 5432));
	assert_false(allow_match(l, "pg.internal", 5433));
	assert_true(allow_match(l, "db-1.prod", 5432));
	assert_false(allow_match(l, "db-12.prod", 5432));
	assert_true(allow_match(l, "10.1.2.3", 443));
	assert_true(allow_match(l, "10.255.255.255", 443));
	assert_false(allow_match(l, "11.0.0.1", 443));
	assert_false(allow_match(l, "10.1.2.3", 80));
	assert_true(allow_match(l, "::ffff:10.1.2.3", 443));
	assert_false(allow_match(l, "fd00::1", 443));
	allow_free(l);
}

/* Ports: one, a range, any; IPv6 blocks; single addresses; case. */
static void
test_allow_forms(void **state)
{
	struct allow_list	*l;

	(void)state;
	l = parse_ok("  Web.Example:8000-8099\t[fd00::/8]:* 127.0.0.1:22,"
	    "[::1]:80 192.168.1.0/28:1-1024 *:65535 a*b?c*:7");
	assert_int_equal(l->nrules, 7);
	assert_true(allow_match(l, "web.example", 8000));
	assert_true(allow_match(l, "web.example", 8099));
	assert_false(allow_match(l, "web.example", 8100));
	assert_true(allow_match(l, "fd12:3456::1", 1));
	assert_false(allow_match(l, "fe80::1", 1));
	assert_true(allow_match(l, "127.0.0.1", 22));
	assert_false(allow_match(l, "127.0.0.2", 22));
	assert_true(allow_match(l, "::1", 80));
	assert_true(allow_match(l, "192.168.1.15", 1024));
	assert_false(allow_match(l, "192.168.1.16", 1024));
	assert_true(allow_match(l, "anything.at.all", 65535));
	assert_true(allow_match(l, "axxbyczz", 7));
	assert_true(allow_match(l, "abyc", 7));
	assert_false(allow_match(l, "abc", 7));
	assert_false(allow_match(l, "x", 0));
	allow_free(l);
	l = parse_ok("0.0.0.0/0:443,[::/0]:443");
	assert_true(allow_match(l, "203.0.113.9", 443));
	assert_true(allow_match(l, "2001:db8::9", 443));
	assert_false(allow_match(l, "name.example", 443));
	allow_free(l);
}

/* Every kind of bad entry is refused, naming the entry. */
static void
test_allow_bad(void **state)
{
	static const char *const bad[] = {
		"", " , ", "host", "host:", "host:0", "host:65536", "host:9-8",
		"host:x", "host:1-", "host:-5", "10.0.0.1/8:443",
		"10.0.0.0/33:443", "10.0.0.0/:443", "10.0.0.0/x:1",
		"fd00::/8:443", "[fd00::/129]:443", "[fd00::1/8]:1",
		"[nope]:1", "[fd00::1:443", "ho st:1", "h%s:1", "h/x:1",
		"*.internal:5432,bad", "[::1]x:1", "::1:80"
	};
	struct allow_list	*l;
	char			*error;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		error = NULL;
		l = allow_parse(bad[i], &error);
		if (l != NULL)
			fail_msg("'%s' accepted", bad[i]);
		assert_non_null(error);
		free(error);
	}
	l = allow_parse("ok:1, 10.0.0.1/8:443", &error);
	assert_null(l);
	assert_non_null(strstr(error, "'10.0.0.1/8:443'"));
	assert_non_null(strstr(error, "first address"));
	free(error);
}

/* A pattern built to make naive backtracking slow still answers. */
static void
test_allow_glob_bounded(void **state)
{
	struct allow_list	*l;
	char			 host[256];

	(void)state;
	l = parse_ok("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b:1");
	memset(host, 'a', sizeof host - 1);
	host[sizeof host - 1] = '\0';
	assert_false(allow_match(l, host, 1));
	allow_free(l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_allow_example),
		cmocka_unit_test(test_allow_forms),
		cmocka_unit_test(test_allow_bad),
		cmocka_unit_test(test_allow_glob_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

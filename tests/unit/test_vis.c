/*
 * Unit tests for vis.c: every byte outside printable US-ASCII is escaped,
 * a backslash is doubled unless kept, newlines kept only when asked, and
 * a short buffer never ends inside an escape.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "vis.h"

/* Every byte value: only 0x20-0x7e survive, each other byte is \xHH. */
static void
test_vis_every_byte(void **state)
{
	unsigned char	 all[256];
	char		*out, *p;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof all; i++)
		all[i] = (unsigned char)i;
	out = vis_dup(all, sizeof all, 0);
	for (p = out; *p != '\0'; p++)
		assert_true((unsigned char)*p >= 0x20 &&
		    (unsigned char)*p < 0x7f);
	/* 95 printable, one of them the doubled backslash; 161 escapes. */
	assert_int_equal(strlen(out), 94 + 2 + 161 * 4);
	assert_non_null(strstr(out, "\\x1b"));
	assert_non_null(strstr(out, "\\x9b"));
	assert_non_null(strstr(out, "\\x7f"));
	assert_non_null(strstr(out, "\\x00"));
	free(out);
}

/* Terminal attacks come out as plain text. */
static void
test_vis_terminal_sequences(void **state)
{
	const char	 osc[] = "\x1b]0;owned\x07\x1b[2J\x9b" "31m";
	char		 out[128];
	size_t		 need;

	(void)state;
	need = vis_text(out, sizeof out, osc, strlen(osc), 0);
	assert_string_equal(out,
	    "\\x1b]0;owned\\x07\\x1b[2J\\x9b31m");
	assert_int_equal(need, strlen(out));
}

/* Backslash doubled by default, kept on request; newline on request. */
static void
test_vis_flags(void **state)
{
	char	out[64];

	(void)state;
	(void)vis_text(out, sizeof out, "a\\b\nc", 5, 0);
	assert_string_equal(out, "a\\\\b\\x0ac");
	(void)vis_text(out, sizeof out, "a\\b\nc", 5,
	    VIS_KEEP_BACKSLASH | VIS_NEWLINE);
	assert_string_equal(out, "a\\b\nc");
}

/* A short buffer ends in "..." and never splits an escape. */
static void
test_vis_truncation(void **state)
{
	char	out[10];
	size_t	need, size;

	(void)state;
	need = vis_text(out, sizeof out, "ab\x1b\x1b\x1b", 5, 0);
	assert_int_equal(need, 14);
	assert_string_equal(out, "ab\\x1b...");
	for (size = 0; size < sizeof out; size++) {
		memset(out, 'Z', sizeof out);
		(void)vis_text(out, size, "\x01\x02\x03", 3, 0);
		if (size > 0)
			assert_true(strlen(out) < size);
	}
	(void)vis_text(out, 4, "abcdef", 6, 0);
	assert_string_equal(out, "");
	(void)vis_text(out, 5, "abcdef", 6, 0);
	assert_string_equal(out, "a...");
}

/* NULL and empty strings. */
static void
test_vis_empty(void **state)
{
	char	*s;

	(void)state;
	s = vis_str(NULL);
	assert_string_equal(s, "");
	free(s);
	s = vis_dup("", 0, 0);
	assert_string_equal(s, "");
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vis_every_byte),
		cmocka_unit_test(test_vis_terminal_sequences),
		cmocka_unit_test(test_vis_flags),
		cmocka_unit_test(test_vis_truncation),
		cmocka_unit_test(test_vis_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

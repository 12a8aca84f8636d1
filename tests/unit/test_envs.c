/*
 * Unit tests for info.c and envname.c: an "info" reply written by
 * info_write parses back; a hostile or truncated one is refused with a
 * cause that shows no control byte; environment names are checked and
 * found first in $XDG_CONFIG_HOME/jumpgate, paths pass through.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>

#include "envname.h"
#include "info.h"

/* What info_write writes, info_parse reads back. */
static void
test_info_round_trip(void **state)
{
	struct evbuffer	*out = evbuffer_new();
	struct info	 in, got;
	char		*cause = NULL, *text;
	size_t		 len;

	(void)state;
	memset(&in, 0, sizeof in);
	in.name = "staging";
	in.file = "/home/dev/.config/jumpgate/staging.ini";
	in.pid = 4242;
	in.started = 1764300000;
	in.hops_ready = 1;
	in.hops = 2;
	in.tunnels = 3;
	in.connections = 5;
	in.shutdown_timeout = 30;
	info_write(out, &in);
	/* A newer instance may add keys: they are skipped. */
	evbuffer_add_printf(out, "future 1 2 3\n");
	len = evbuffer_get_length(out);
	text = (char *)evbuffer_pullup(out, -1);
	assert_int_equal(info_parse(text, len, &got, &cause), 0);
	assert_null(cause);
	assert_string_equal(got.name, "staging");
	assert_string_equal(got.file, in.file);
	assert_int_equal(got.pid, 4242);
	assert_int_equal(got.started, 1764300000);
	assert_int_equal(got.hops_ready, 1);
	assert_int_equal(got.hops, 2);
	assert_int_equal(got.tunnels, 3);
	assert_int_equal(got.connections, 5);
	assert_int_equal(got.shutdown_timeout, 30);
	info_clear(&got);
	evbuffer_free(out);
}

/* Parse TEXT, expect a refusal whose cause contains WANT and is printable. */
static void
refused(const char *text, size_t len, const char *want)
{
	struct info	 got;
	char		*cause = NULL, *p;

	assert_int_equal(info_parse(text, len, &got, &cause), -1);
	assert_non_null(cause);
	if (strstr(cause, want) == NULL)
		fail_msg("cause '%s' lacks '%s'", cause, want);
	for (p = cause; *p != '\0'; p++)
		assert_true(*p >= 0x20 && *p < 0x7f);
	assert_null(got.name);
	assert_null(got.file);
	free(cause);
}

#define GOOD_REST "file /x.ini\npid 7\nstarted 1\nhops 0 0\ntunnels 0\n" \
	"connections 0\nshutdown_timeout 5\n"

/* Bad numbers, missing or repeated keys, control bytes, no newline. */
static void
test_info_hostile(void **state)
{
	static const char	nul[] = "name a\0b\n" GOOD_REST;

	(void)state;
	refused(GOOD_REST, strlen(GOOD_REST), "no 'name' line");
	refused("name \x1b[2J\n" GOOD_REST "pid 8\n",
	    strlen("name \x1b[2J\n" GOOD_REST "pid 8\n"), "'pid 8'");
	refused("name a\n" GOOD_REST "hops 3 2\n",
	    strlen("name a\n" GOOD_REST "hops 3 2\n"), "'hops 3 2'");
	refused("pid -1\nname a\n", strlen("pid -1\nname a\n"), "'pid -1'");
	refused("pid 0\n", 6, "'pid 0'");
	refused("tunnels 99999999999999999999999\n", 32, "malformed");
	refused("connections 1x\n", 15, "malformed");
	refused("hops 1\n", 7, "'hops 1'");
	refused("name \n", 6, "'name '");
	refused("name a", 6, "unterminated line 'name a'");
	refused("hops 1 \x9b" "c\n", 10, "'hops 1 \\x9bc'");
	refused(nul, sizeof nul - 1, "'name a\\x00b'");
}

/* Valid and invalid names. */
static void
test_envname_valid(void **state)
{
	char	long_name[ENVNAME_MAX + 2];

	(void)state;
	assert_true(envname_valid("staging"));
	assert_true(envname_valid("db-eu_1.v2"));
	assert_false(envname_valid(""));
	assert_false(envname_valid(".hidden"));
	assert_false(envname_valid(".."));
	assert_false(envname_valid("-d"));
	assert_false(envname_valid("a/b"));
	assert_false(envname_valid("a b"));
	assert_false(envname_valid("st@ging"));
	assert_false(envname_valid("caf\xc3\xa9"));
	memset(long_name, 'a', sizeof long_name - 1);
	long_name[sizeof long_name - 1] = '\0';
	assert_false(envname_valid(long_name));
	long_name[ENVNAME_MAX] = '\0';
	assert_true(envname_valid(long_name));
}

/* Names are looked up in $XDG_CONFIG_HOME/jumpgate; paths pass through. */
static void
test_envname_resolve(void **state)
{
	char	 dir[] = "/tmp/test_envs.XXXXXX", *sub, *file, *path, *cause;
	FILE	*f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(asprintf(&sub, "%s/jumpgate", dir) > 0, 1);
	assert_int_equal(mkdir(sub, 0700), 0);
	assert_int_equal(asprintf(&file, "%s/unit-env.ini", sub) > 0, 1);
	assert_non_null(f = fopen(file, "w"));
	fclose(f);
	setenv("XDG_CONFIG_HOME", dir, 1);

	assert_int_equal(envname_resolve("unit-env", &path, &cause),
	    ENVNAME_FOUND);
	assert_string_equal(path, file);
	free(path);
	assert_int_equal(envname_resolve("./unit-env", &path, &cause),
	    ENVNAME_PATH);
	assert_string_equal(path, "./unit-env");
	free(path);
	assert_int_equal(envname_resolve("other.ini", &path, &cause),
	    ENVNAME_PATH);
	free(path);
	assert_int_equal(envname_resolve("unit-missing", &path, &cause),
	    ENVNAME_MISSING);
	assert_null(path);
	assert_non_null(strstr(cause, "/jumpgate/unit-missing.ini nor "
	    ENVNAME_SYSTEM_DIR "/unit-missing.ini exists"));
	free(cause);
	assert_int_equal(envname_resolve("bad\x1bname", &path, &cause),
	    ENVNAME_INVALID);
	assert_non_null(strstr(cause, "'bad\\x1bname'"));
	free(cause);
	/* A relative XDG_CONFIG_HOME is ignored, as the specification says. */
	setenv("XDG_CONFIG_HOME", "relative", 1);
	setenv("HOME", dir, 1);
	assert_int_equal(envname_resolve("unit-env", &path, &cause),
	    ENVNAME_MISSING);
	assert_non_null(strstr(cause, "/.config/jumpgate/unit-env.ini"));
	free(cause);

	unlink(file);
	rmdir(sub);
	rmdir(dir);
	free(file);
	free(sub);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_info_round_trip),
		cmocka_unit_test(test_info_hostile),
		cmocka_unit_test(test_envname_valid),
		cmocka_unit_test(test_envname_resolve),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

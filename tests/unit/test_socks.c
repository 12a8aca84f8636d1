/*
 * Unit tests for socks.c: greetings and CONNECT requests of SOCKS5, SOCKS4
 * and SOCKS4a, fed whole and byte by byte; every kind of bad request gets
 * its reply code; names are checked and lower-cased; replies are exact.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "socks.h"
#include "socks_handshake.h"

/*
 * Parse REQ (LEN bytes) of VERSION as a request, checking that every
 * shorter prefix asks for more or fails the same way. Returns the result.
 */
static enum socks_parse
parse_all_prefixes(const uint8_t *req, size_t len, int version,
    struct socks_request *r)
{
	struct socks_request	 part;
	enum socks_parse	 rc, last;
	size_t			 i;

	last = socks_parse_request(req, len, version, r);
	for (i = 0; i < len; i++) {
		rc = socks_parse_request(req, i, version, &part);
		if (rc == SOCKS_BAD) {
			assert_int_equal(last, SOCKS_BAD);
			assert_int_equal(part.reply, r->reply);
		} else
			assert_int_equal(rc, SOCKS_MORE);
	}
	return last;
}

/* A SOCKS5 greeting with no authentication among its methods. */
static void
test_greeting_v5(void **state)
{
	const uint8_t		 g[] = { 5, 3, 2, 0, 1, 'x' };
	struct socks_greeting	 out;
	uint8_t			 reply[2];

	(void)state;
	assert_int_equal(socks_parse_greeting(g, 0, &out), SOCKS_MORE);
	assert_int_equal(socks_parse_greeting(g, 1, &out), SOCKS_MORE);
	assert_int_equal(socks_parse_greeting(g, 4, &out), SOCKS_MORE);
	assert_int_equal(socks_parse_greeting(g, sizeof g, &out), SOCKS_DONE);
	assert_int_equal(out.version, 5);
	assert_int_equal(out.used, 5);	/* 'x' is the request's */
	assert_int_equal(socks_method_reply(reply, 1), 2);
	assert_memory_equal(reply, "\x05\x00", 2);
}

/* No acceptable method: 0xff; no methods at all: the same. */
static void
test_greeting_no_method(void **state)
{
	const uint8_t		 g[] = { 5, 2, 2, 0x80 };
	const uint8_t		 none[] = { 5, 0 };
	struct socks_greeting	 out;
	uint8_t			 reply[2];

	(void)state;
	assert_int_equal(socks_parse_greeting(g, sizeof g, &out), SOCKS_BAD);
	assert_int_equal(out.reply, 0xff);
	assert_non_null(out.why);
	assert_int_equal(socks_parse_greeting(none, sizeof none, &out),
	    SOCKS_BAD);
	assert_int_equal(out.reply, 0xff);
	socks_method_reply(reply, 0);
	assert_memory_equal(reply, "\x05\xff", 2);
}

/* Not SOCKS at all (an HTTP request, TLS): no reply; SOCKS4: no greeting. */
static void
test_greeting_versions(void **state)
{
	struct socks_greeting	 out;

	(void)state;
	assert_int_equal(socks_parse_greeting((const uint8_t *)"GET /", 5,
	    &out), SOCKS_BAD);
	assert_int_equal(out.reply, SOCKS_NO_REPLY);
	assert_int_equal(socks_parse_greeting((const uint8_t *)"\x16\x03", 2,
	    &out), SOCKS_BAD);
	assert_int_equal(socks_parse_greeting((const uint8_t *)"\x04\x01", 2,
	    &out), SOCKS_DONE);
	assert_int_equal(out.version, 4);
	assert_int_equal(out.used, 0);
}

/* CONNECT to an IPv4 address, an IPv6 address and a name. */
static void
test_request_v5(void **state)
{
	const uint8_t	v4[] = { 5, 1, 0, 1, 10, 0, 0, 7, 0x01, 0xbb, 'G' };
	const uint8_t	v6[] = { 5, 1, 0, 4, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0,
			    0, 0, 0, 0, 0, 1, 0x15, 0x38 };
	const uint8_t	name[] = { 5, 1, 0, 3, 12, 'D', 'B', '-', '1', '.',
			    'p', 'r', 'o', 'd', '.', 'x', '.', 0, 80 };
	struct socks_request r;

	(void)state;
	assert_int_equal(parse_all_prefixes(v4, sizeof v4 - 1, 5, &r),
	    SOCKS_DONE);
	assert_int_equal(socks_parse_request(v4, sizeof v4, 5, &r),
	    SOCKS_DONE);
	assert_int_equal(r.used, 10);
	assert_string_equal(r.host, "10.0.0.7");
	assert_int_equal(r.port, 443);
	assert_false(r.is_name);
	assert_int_equal(parse_all_prefixes(v6, sizeof v6, 5, &r), SOCKS_DONE);
	assert_string_equal(r.host, "fd00::1");
	assert_int_equal(r.port, 5432);
	assert_int_equal(parse_all_prefixes(name, sizeof name, 5, &r),
	    SOCKS_DONE);
	assert_string_equal(r.host, "db-1.prod.x");	/* lower, no dot */
	assert_true(r.is_name);
	assert_int_equal(r.port, 80);
}

/* BIND, UDP ASSOCIATE, unknown commands and address types, bad bytes. */
static void
test_request_v5_bad(void **state)
{
	const uint8_t	bind[] = { 5, 2, 0, 1, 1, 2, 3, 4, 0, 80 };
	const uint8_t	udp[] = { 5, 3, 0, 1, 1, 2, 3, 4, 0, 80 };
	const uint8_t	cmd9[] = { 5, 9 };
	const uint8_t	rsv[] = { 5, 1, 7, 1 };
	const uint8_t	atyp[] = { 5, 1, 0, 2, 1 };
	const uint8_t	ver[] = { 4, 1, 0, 1 };
	const uint8_t	empty[] = { 5, 1, 0, 3, 0, 0, 80 };
	struct socks_request r;

	(void)state;
	assert_int_equal(parse_all_prefixes(bind, sizeof bind, 5, &r),
	    SOCKS_BAD);
	assert_int_equal(r.reply, SOCKS5_COMMAND_NOT_SUPPORTED);
	assert_non_null(strstr(r.why, "BIND"));
	assert_int_equal(socks_parse_request(udp, sizeof udp, 5, &r),
	    SOCKS_BAD);
	assert_int_equal(r.reply, SOCKS5_COMMAND_NOT_SUPPORTED);
	assert_non_null(strstr(r.why, "UDP"));
	assert_int_equal(socks_parse_request(cmd9, 2, 5, &r), SOCKS_BAD);
	assert_int_equal(r.reply, SOCKS5_COMMAND_NOT_SUPPORTED);
	assert_int_equal(socks_parse_request(rsv, 4, 5, &r), SOCKS_BAD);
	assert_int_equal(r.reply, SOCKS5_GENERAL_FAILURE);
	assert_int_equal(socks_parse_request(atyp, 5, 5, &r), SOCKS_BAD);
	assert_int_equal(r.reply, SOCKS5_ADDRESS_NOT_SUPPORTED);
	assert_int_equal(socks_parse_request(ver, 4, 5, &r), SOCKS_BAD);
	assert_int_equal(r.reply, SOCKS_NO_REPLY);
	assert_int_equal(socks_parse_request(empty, sizeof empty, 5, &r),
	    SOCKS_BAD);
}

/* Build a SOCKS5 request for NAME:80 into BUF. Returns its length. */
static size_t
name_request(uint8_t *buf, const char *name)
{
	size_t	len = strlen(name);

	memcpy(buf, "\x05\x01\x00\x03", 4);
	buf[4] = (uint8_t)len;
	memcpy(buf + 5, name, len);
	buf[5 + len] = 0;
	buf[6 + len] = 80;
	return 7 + len;
}

/* Names: control bytes, spaces, '%', empty labels, odd address forms. */
static void
test_request_names(void **state)
{
	static const char *const refused[] = {
		"a\nb", "a b", "evil%00", "a..b", ".a", "x/y", "0x0a000001",
		"10.1", "167772161", "012.0.0.1", ":::x", "a@b", "[::1]"
	};
	uint8_t			 buf[300];
	struct socks_request	 r;
	size_t			 i, len;

	(void)state;
	for (i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		len = name_request(buf, refused[i]);
		assert_int_equal(socks_parse_request(buf, len, 5, &r),
		    SOCKS_BAD);
		assert_true(r.reply != SOCKS5_SUCCEEDED);
		assert_non_null(r.why);
	}
	len = name_request(buf, "10.0.0.9");
	assert_int_equal(socks_parse_request(buf, len, 5, &r), SOCKS_DONE);
	assert_false(r.is_name);
	assert_string_equal(r.host, "10.0.0.9");
	len = name_request(buf, "FD00:0:0::0001");
	assert_int_equal(socks_parse_request(buf, len, 5, &r), SOCKS_DONE);
	assert_string_equal(r.host, "fd00::1");
	memset(buf, 'a', sizeof buf);
	memcpy(buf, "\x05\x01\x00\x03\xff", 5);
	assert_int_equal(socks_parse_request(buf, 5 + 255 + 2, 5, &r),
	    SOCKS_DONE);
	assert_int_equal(strlen(r.host), 255);
}

/* SOCKS4 and SOCKS4a, whole and byte by byte, and their limits. */
static void
test_request_v4(void **state)
{
	const uint8_t	v4[] = { 4, 1, 0, 80, 127, 0, 0, 1, 'u', 0 };
	const uint8_t	v4a[] = { 4, 1, 0x1f, 0x90, 0, 0, 0, 1, 0, 'W', 'e',
			    'b', '.', 'i', 'n', 't', 0 };
	const uint8_t	bind[] = { 4, 2, 0, 80, 1, 2, 3, 4, 0 };
	const uint8_t	zero[] = { 4, 1, 0, 80, 0, 0, 0, 0, 0 };
	uint8_t		long_user[300];
	struct socks_request r;

	(void)state;
	assert_int_equal(parse_all_prefixes(v4, sizeof v4, 4, &r), SOCKS_DONE);
	assert_int_equal(r.used, sizeof v4);
	assert_string_equal(r.host, "127.0.0.1");
	assert_int_equal(r.port, 80);
	assert_int_equal(parse_all_prefixes(v4a, sizeof v4a, 4, &r),
	    SOCKS_DONE);
	assert_string_equal(r.host, "web.int");
	assert_int_equal(r.port, 8080);
	assert_int_equal(r.used, sizeof v4a);
	assert_int_equal(socks_parse_request(bind, sizeof bind, 4, &r),
	    SOCKS_BAD);
	assert_int_equal(socks_parse_request(zero, sizeof zero, 4, &r),
	    SOCKS_BAD);
	memset(long_user, 'u', sizeof long_user);
	memcpy(long_user, v4, 8);
	assert_int_equal(socks_parse_request(long_user, sizeof long_user, 4,
	    &r), SOCKS_BAD);
	assert_int_equal(socks_parse_request(long_user, 8 + 255, 4, &r),
	    SOCKS_MORE);
}

/* Replies: SOCKS5 ten bytes with the code, SOCKS4 granted or rejected. */
static void
test_replies(void **state)
{
	uint8_t	out[SOCKS_REPLY_MAX];

	(void)state;
	assert_int_equal(socks_reply(out, 5, SOCKS5_CONNECTION_REFUSED), 10);
	assert_memory_equal(out, "\x05\x05\x00\x01\0\0\0\0\0\0", 10);
	assert_int_equal(socks_reply(out, 5, SOCKS5_SUCCEEDED), 10);
	assert_int_equal(out[1], 0);
	assert_int_equal(socks_reply(out, 4, SOCKS5_SUCCEEDED), 8);
	assert_memory_equal(out, "\x00\x5a\0\0\0\0\0\0", 8);
	socks_reply(out, 4, SOCKS5_NOT_ALLOWED);
	assert_int_equal(out[1], 0x5b);
	assert_string_equal(socks_reply_name(2), "connection not allowed");
	assert_string_equal(socks_reply_name(99), "unknown");
}

/* Why a channel failed maps to the reply a SOCKS client understands. */
static void
test_open_error_replies(void **state)
{
	(void)state;
	assert_int_equal(socks_reply_for_open_error(HOP_OPEN_ERROR_PROHIBITED),
	    SOCKS5_NOT_ALLOWED);
	assert_int_equal(socks_reply_for_open_error(HOP_OPEN_ERROR_CONNECT),
	    SOCKS5_CONNECTION_REFUSED);
	assert_int_equal(socks_reply_for_open_error(HOP_OPEN_ERROR_TIMEOUT),
	    SOCKS5_HOST_UNREACHABLE);
	assert_int_equal(socks_reply_for_open_error(HOP_OPEN_ERROR_HOP_DOWN),
	    SOCKS5_NETWORK_UNREACHABLE);
	assert_int_equal(socks_reply_for_open_error(HOP_OPEN_ERROR_OTHER),
	    SOCKS5_GENERAL_FAILURE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_greeting_v5),
		cmocka_unit_test(test_greeting_no_method),
		cmocka_unit_test(test_greeting_versions),
		cmocka_unit_test(test_request_v5),
		cmocka_unit_test(test_request_v5_bad),
		cmocka_unit_test(test_request_names),
		cmocka_unit_test(test_request_v4),
		cmocka_unit_test(test_replies),
		cmocka_unit_test(test_open_error_replies),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

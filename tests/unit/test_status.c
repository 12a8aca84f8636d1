/* Unit tests for status.c: one field list, printed as a table and as JSON. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>

#include "hop.h"
#include "status.h"
#include "tunnel.h"

/* A ready hop and a connecting one with an error. */
static void
test_hops(struct hop_status hs[2], time_t since)
{
	memset(hs, 0, 2 * sizeof *hs);
	hs[0].label = "bastion";
	hs[0].state = HOP_READY;
	hs[0].since = since;
	hs[0].reconnects = 2;
	hs[0].fingerprint = "SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8";
	hs[0].channels = 7;
	hs[0].sessions = 1;
	hs[1].label = "bastion -> app";
	hs[1].state = HOP_CONNECTING;
	hs[1].since = since;
	hs[1].fingerprint = "";
	hs[1].last_error = "said \"no\"\x1b";
}

/* A local tunnel that moved bytes, a remote one with an error. */
static void
test_tunnels(struct tunnel_status ts[2])
{
	memset(ts, 0, 2 * sizeof *ts);
	ts[0].name = "pg";
	ts[0].type = "local";
	strcpy(ts[0].listen, "127.0.0.1:15432");
	strcpy(ts[0].connect, "db.internal:5432");
	ts[0].via = "bastion";
	ts[0].state = "listening";
	ts[0].active = 3;
	ts[0].bytes_up = 5000000000ULL;
	ts[0].bytes_down = 42;
	ts[1].name = "hook";
	ts[1].type = "remote";
	strcpy(ts[1].listen, "[::1]:8080");
	strcpy(ts[1].connect, "127.0.0.1:3000");
	ts[1].via = "bastion -> app";
	ts[1].state = "waiting";
	ts[1].last_error = "refused";
}

/* Format the statuses; caller frees. */
static char *
test_format(const struct hop_status *hs, const struct tunnel_status *ts,
    int json)
{
	struct evbuffer	*out;
	char		*text;
	size_t		 len;

	out = evbuffer_new();
	assert_non_null(out);
	status_format(out, hs, 2, ts, 2, json);
	len = evbuffer_get_length(out);
	text = malloc(len + 1);
	assert_non_null(text);
	evbuffer_remove(out, text, len);
	text[len] = '\0';
	evbuffer_free(out);
	return text;
}

/* JSON: every field under its name, strings escaped, absent ones null. */
static void
test_json(void **state)
{
	struct hop_status	hs[2];
	struct tunnel_status	ts[2];
	char			*text;

	(void)state;
	test_hops(hs, 86400);
	test_tunnels(ts);
	text = test_format(hs, ts, 1);
	assert_string_equal(text,
	    "{\"hops\":["
	    "{\"chain\":\"bastion\",\"state\":\"ready\","
	    "\"since\":\"1970-01-02T00:00:00Z\",\"reconnects\":2,"
	    "\"channels\":7,\"sessions\":1,\"fingerprint\":"
	    "\"SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8\","
	    "\"last_error\":null},"
	    "{\"chain\":\"bastion -> app\",\"state\":\"connecting\","
	    "\"since\":\"1970-01-02T00:00:00Z\",\"reconnects\":0,"
	    "\"channels\":0,\"sessions\":0,\"fingerprint\":null,"
	    "\"last_error\":\"said \\\"no\\\"\\u001b\"}"
	    "],\"tunnels\":["
	    "{\"name\":\"pg\",\"type\":\"local\","
	    "\"listen\":\"127.0.0.1:15432\",\"connect\":\"db.internal:5432\","
	    "\"via\":\"bastion\",\"state\":\"listening\",\"active\":3,"
	    "\"bytes_up\":5000000000,\"bytes_down\":42,\"last_error\":null},"
	    "{\"name\":\"hook\",\"type\":\"remote\",\"listen\":\"[::1]:8080\","
	    "\"connect\":\"127.0.0.1:3000\",\"via\":\"bastion -> app\","
	    "\"state\":\"waiting\",\"active\":0,\"bytes_up\":0,"
	    "\"bytes_down\":0,\"last_error\":\"refused\"}"
	    "]}\n");
	free(text);
}

/* The summary line: ready hops of all, tunnels, connections, uptime. */
static void
test_summary(void **state)
{
	struct hop_status	hs[2];
	struct tunnel_status	ts[2];
	struct evbuffer		*out;
	char			 text[256];
	size_t			 len;

	(void)state;
	test_hops(hs, 86400);
	test_tunnels(ts);
	out = evbuffer_new();
	assert_non_null(out);
	status_summary(out, "staging", hs, 2, ts, 2,
	    time(NULL) - (3 * 3600 + 12 * 60 + 5));
	ts[0].active = 1;
	hs[1].state = HOP_READY;
	/* Ages far from a boundary of what is shown: never flaky. */
	status_summary(out, "dev", hs, 2, ts, 1,
	    time(NULL) - (2 * 86400 + 5 * 3600 + 1800));
	status_summary(out, "empty", hs, 0, ts, 0,
	    time(NULL) - (5 * 3600 + 30 * 60 + 30));
	len = evbuffer_get_length(out);
	assert_true(len < sizeof text);
	evbuffer_remove(out, text, len);
	text[len] = '\0';
	evbuffer_free(out);
	assert_string_equal(text,
	    "staging: 1/2 hops ready, 2 tunnels, 3 connections, up 3h12m\n"
	    "dev: 2/2 hops ready, 1 tunnel, 1 connection, up 2d05h\n"
	    "empty: 0/0 hops ready, 0 tunnels, 0 connections, up 5h30m\n");
}

/*
 * The table: the same names upper-cased as headings, JSON-only fields left
 * out, ages instead of times, "-" for what is absent.
 */
static void
test_table(void **state)
{
	struct hop_status	hs[2];
	struct tunnel_status	ts[2];
	char			*text;

	(void)state;
	/* 3h12m and a few seconds ago: the age does not depend on when. */
	test_hops(hs, time(NULL) - (3 * 3600 + 12 * 60 + 5));
	test_tunnels(ts);
	text = test_format(hs, ts, 0);
	assert_string_equal(text,
	    "CHAIN                    STATE      SINCE    RECONNECTS "
	    "FINGERPRINT                                         LAST ERROR\n"
	    "bastion                  ready      3h12m    2          "
	    "SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8  -\n"
	    "bastion -> app           connecting 3h12m    0          "
	    "-                                                   "
	    "said \"no\"\x1b\n"
	    "\n"
	    "NAME             TYPE   LISTEN                 CONNECT          "
	    "      VIA                  STATE      ACTIVE     BYTES UP   "
	    "BYTES DOWN LAST ERROR\n"
	    "pg               local  127.0.0.1:15432        db.internal:5432 "
	    "      bastion              listening       3   5000000000   "
	    "        42 -\n"
	    "hook             remote [::1]:8080             127.0.0.1:3000   "
	    "      bastion -> app       waiting         0            0   "
	    "         0 refused\n");
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_summary),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Unit tests for stream.c on real sockets: a socketpair for the data path,
 * loopback listeners for connect (names come from a hosts file of ours).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/dns.h>
#include <event2/event.h>

#include "stream.h"

/* What the callbacks saw. */
struct test_seen {
	struct event_base	*base;
	int			 readable;
	int			 drained;
	int			 connected;
	char			 failed[256];
};

/* Input came: count it and stop the loop so that the test can look. */
static void
test_readable(void *arg)
{
	struct test_seen	*seen = arg;

	seen->readable++;
	event_base_loopbreak(seen->base);
}

/* The output went down to the low mark: likewise. */
static void
test_drained(void *arg)
{
	struct test_seen	*seen = arg;

	seen->drained++;
	event_base_loopbreak(seen->base);
}

/* The stream failed: keep why. */
static void
test_failed(void *arg, const char *why)
{
	struct test_seen	*seen = arg;

	snprintf(seen->failed, sizeof seen->failed, "%s", why);
	event_base_loopbreak(seen->base);
}

/* The connect completed. */
static void
test_connected(void *arg)
{
	struct test_seen	*seen = arg;

	seen->connected++;
	event_base_loopbreak(seen->base);
}

static const struct stream_ops test_ops = {
	test_readable, test_drained, test_failed, test_connected
};

/* Run BASE until a callback stops it, failing after five seconds. */
static void
test_run(struct event_base *base)
{
	struct timeval	tv = { 5, 0 };

	assert_int_equal(event_base_loopexit(base, &tv), 0);
	assert_int_equal(event_base_dispatch(base), 0);
	assert_false(event_base_got_exit(base));
}

/* Bytes both ways and EOF both ways over a socketpair. */
static void
test_data(void **state)
{
	struct test_seen	 seen;
	struct stream		*s;
	char			 buf[64];
	int			 sv[2];

	(void)state;
	memset(&seen, 0, sizeof seen);
	seen.base = event_base_new();
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	s = stream_new(seen.base, sv[0], &test_ops, &seen);
	assert_int_equal(stream_fd(s), sv[0]);

	assert_int_equal(write(sv[1], "hello", 5), 5);
	test_run(seen.base);
	assert_int_equal(seen.readable, 1);
	assert_int_equal(evbuffer_get_length(stream_input(s)), 5);
	assert_false(stream_eof(s));
	evbuffer_drain(stream_input(s), 5);
	stream_consumed(s);

	evbuffer_add(stream_output(s), "world", 5);
	stream_flush(s);
	assert_int_equal(read(sv[1], buf, sizeof buf), 5);
	assert_memory_equal(buf, "world", 5);

	/* Our half-close reaches the peer once the output is out. */
	stream_shutdown_write(s);
	assert_int_equal(read(sv[1], buf, sizeof buf), 0);

	/* The peer's EOF: readable, with stream_eof set. */
	assert_int_equal(shutdown(sv[1], SHUT_WR), 0);
	test_run(seen.base);
	assert_int_equal(seen.readable, 2);
	assert_true(stream_eof(s));
	assert_string_equal(seen.failed, "");

	stream_free(s);
	close(sv[1]);
	event_base_free(seen.base);
}

/* Reading stops at the high mark and goes on once the owner took input. */
static void
test_high_mark(void **state)
{
	struct test_seen	 seen;
	struct stream		*s;
	char			 buf[100];
	int			 sv[2];

	(void)state;
	memset(&seen, 0, sizeof seen);
	memset(buf, 'x', sizeof buf);
	seen.base = event_base_new();
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	s = stream_new(seen.base, sv[0], &test_ops, &seen);
	stream_set_marks(s, 10, 0);

	assert_int_equal(write(sv[1], buf, sizeof buf), (ssize_t)sizeof buf);
	test_run(seen.base);
	assert_int_equal(evbuffer_get_length(stream_input(s)), 10);
	/* Nothing more is read while the input is at the mark. */
	assert_int_equal(event_base_loop(seen.base, EVLOOP_NONBLOCK), 0);
	assert_int_equal(event_base_loop(seen.base, EVLOOP_NONBLOCK), 0);
	assert_int_equal(evbuffer_get_length(stream_input(s)), 10);
	assert_int_equal(seen.readable, 1);

	evbuffer_drain(stream_input(s), 10);
	stream_consumed(s);
	test_run(seen.base);
	assert_int_equal(seen.readable, 2);
	assert_int_equal(evbuffer_get_length(stream_input(s)), 10);

	stream_free(s);
	close(sv[1]);
	event_base_free(seen.base);
}

/*
 * Output that waited for the socket, below the low mark all along: the
 * owner hears once it is all out (a connection waiting to pass EOF on
 * depends on it), once.
 */
static void
test_drained_when_empty(void **state)
{
	struct test_seen	 seen;
	struct stream		*s;
	static char		 big[1024 * 1024], buf[65536];
	size_t			 total = 0;
	ssize_t			 n;
	int			 sv[2], i;

	(void)state;
	memset(&seen, 0, sizeof seen);
	seen.base = event_base_new();
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0,
	    sv), 0);
	s = stream_new(seen.base, sv[0], &test_ops, &seen);
	stream_set_marks(s, STREAM_READ_MAX, 4 * sizeof big);
	evbuffer_add(stream_output(s), big, sizeof big);
	stream_flush(s);
	assert_true(evbuffer_get_length(stream_output(s)) > 0);
	for (i = 0; i < 100000 && total < sizeof big; i++) {
		if ((n = read(sv[1], buf, sizeof buf)) > 0)
			total += (size_t)n;
		assert_int_equal(event_base_loop(seen.base, EVLOOP_NONBLOCK),
		    0);
	}
	assert_int_equal(total, sizeof big);
	assert_int_equal(event_base_loop(seen.base, EVLOOP_NONBLOCK), 0);
	assert_int_equal(evbuffer_get_length(stream_output(s)), 0);
	assert_int_equal(seen.drained, 1);

	stream_free(s);
	close(sv[1]);
	event_base_free(seen.base);
}

/* A listener on ADDRESS, any port; its port goes into *PORT. */
static int
test_listen(const char *address, int *port)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof sin;
	int			fd;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd != -1);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, address, &sin.sin_addr), 1);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(listen(fd, 5), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	*port = ntohs(sin.sin_port);
	return fd;
}

/*
 * A resolver that knows only a hosts file naming "multi.test" as the
 * addresses given, in that order.
 */
static struct evdns_base *
test_dns(struct event_base *base, const char *first, const char *second)
{
	struct evdns_base	*dns;
	char			 path[] = "/tmp/jumpgate-hosts-XXXXXX";
	FILE			*f;
	int			 fd;

	fd = mkstemp(path);
	assert_true(fd != -1);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fprintf(f, "%s multi.test\n%s multi.test\n", first, second);
	assert_int_equal(fclose(f), 0);
	dns = evdns_base_new(base, 0);
	assert_non_null(dns);
	assert_int_equal(evdns_base_load_hosts(dns, path), 0);
	unlink(path);
	return dns;
}

/*
 * A name whose first address refuses: the stream goes on to the second,
 * which accepts.
 */
static void
test_connect_next(void **state)
{
	struct test_seen	 seen;
	struct evdns_base	*dns;
	struct stream		*s;
	char			 buf[8];
	int			 lfd, fd, port;

	(void)state;
	memset(&seen, 0, sizeof seen);
	seen.base = event_base_new();
	lfd = test_listen("127.0.0.2", &port);
	dns = test_dns(seen.base, "127.0.0.3", "127.0.0.2");

	s = stream_connect(seen.base, dns, "multi.test", port, &test_ops,
	    &seen);
	test_run(seen.base);
	assert_string_equal(seen.failed, "");
	assert_int_equal(seen.connected, 1);

	fd = accept(lfd, NULL, NULL);
	assert_true(fd != -1);
	evbuffer_add(stream_output(s), "ping", 4);
	stream_flush(s);
	assert_int_equal(read(fd, buf, sizeof buf), 4);
	assert_memory_equal(buf, "ping", 4);

	stream_free(s);
	close(fd);
	close(lfd);
	evdns_base_free(dns, 0);
	event_base_free(seen.base);
}

/* When every address refuses, failed says why, once. */
static void
test_connect_refused(void **state)
{
	struct test_seen	 seen;
	struct evdns_base	*dns;
	struct stream		*s;
	int			 lfd, port;

	(void)state;
	memset(&seen, 0, sizeof seen);
	seen.base = event_base_new();
	/* A port known to be free: listened on, then closed. */
	lfd = test_listen("127.0.0.2", &port);
	close(lfd);
	dns = test_dns(seen.base, "127.0.0.3", "127.0.0.2");

	s = stream_connect(seen.base, dns, "multi.test", port, &test_ops,
	    &seen);
	test_run(seen.base);
	assert_string_equal(seen.failed, strerror(ECONNREFUSED));
	assert_int_equal(seen.connected, 0);

	stream_free(s);
	evdns_base_free(dns, 0);
	event_base_free(seen.base);
}

/* stream_read_into takes at most MAX bytes in one call. */
static void
test_read_into(void **state)
{
	struct evbuffer	*buf;
	char		 data[1000];
	int		 sv[2];

	(void)state;
	memset(data, 'y', sizeof data);
	buf = evbuffer_new();
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(write(sv[1], data, sizeof data), (ssize_t)sizeof data);
	assert_int_equal(stream_read_into(buf, sv[0], 300), 300);
	assert_int_equal(stream_read_into(buf, sv[0], 1000), 700);
	assert_int_equal(evbuffer_get_length(buf), 1000);
	close(sv[1]);
	assert_int_equal(stream_read_into(buf, sv[0], 1000), 0);
	assert_int_equal(evbuffer_get_length(buf), 1000);
	close(sv[0]);
	evbuffer_free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_data),
		cmocka_unit_test(test_high_mark),
		cmocka_unit_test(test_drained_when_empty),
		cmocka_unit_test(test_connect_next),
		cmocka_unit_test(test_connect_refused),
		cmocka_unit_test(test_read_into),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

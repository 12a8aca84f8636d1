/*
 * Unit tests for the half-close of a forwarded connection (conn.c,
 * conn_half.c) and for a SOCKS connection's handshake around its channel: conn.c runs for real on a socketpair (the client) and a
 * libevent base, against a channel and a tunnel of this file's own (the
 * hop_* and tunnel_* functions conn.c calls, so that neither hop.c nor
 * libssh2 is linked). The transitions are read from conn.c's own debug
 * log lines, which go to a file while a test runs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/queue.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "allow.h"
#include "config.h"
#include "conn.h"
#include "conn_half.h"
#include "hop.h"
#include "log.h"
#include "tunnel.h"

/* The channel conn.c gets from hop_channel_open. */
struct hop_channel {
	const struct hop_channel_ops	*ops;
	void				*arg;
	struct evbuffer			*from_target;	/* for read_into */
	struct evbuffer			*to_target;	/* from write_from */
	size_t				 window;	/* write_from takes this */
	int				 eof;		/* after from_target */
	int				 send_eof_rc;
	int				 eof_sent;	/* send_eof calls */
	int				 remote_closed;
	int				 closed;	/* given back */
};

static struct event_base	*test_base;
static struct hop_channel	 test_hc;
static enum hop_open_error	 test_open_error;	/* when it fails */
static char			 test_open_host[300];	/* asked for */
static int			 test_open_port;
static int			 test_gone;	/* tunnel_conn_gone calls */
static int			 test_stderr = -1;	/* the real one */
static FILE			*test_log;	/* stderr while a test runs */

/* The hop's name, for conn.c's messages. */
const char *
hop_name(const struct hop *hop)
{
	(void)hop;
	return "h";
}

/* Why the one channel failed: what the test set. */
enum hop_open_error
hop_channel_open_error(const struct hop_channel *hc)
{
	(void)hc;
	return test_open_error;
}

/* Hand out the one channel; conn.c's callbacks are kept for the test. */
struct hop_channel *
hop_channel_open(struct hop *hop, const char *host, int port,
    const char *orig_host, int orig_port, int timeout,
    const struct hop_channel_ops *ops, void *arg)
{
	(void)hop;
	(void)orig_host;
	(void)orig_port;
	(void)timeout;
	snprintf(test_open_host, sizeof test_open_host, "%s", host);
	test_open_port = port;
	test_hc.ops = ops;
	test_hc.arg = arg;
	return &test_hc;
}

/* Likewise for a Unix socket target. */
struct hop_channel *
hop_channel_open_unix(struct hop *hop, const char *path, int timeout,
    const struct hop_channel_ops *ops, void *arg)
{
	(void)hop;
	(void)path;
	(void)timeout;
	test_hc.ops = ops;
	test_hc.arg = arg;
	return &test_hc;
}

/* Not used by a local forward. */
struct hop_channel *
hop_listen_accept(struct hop_channel *listener,
    const struct hop_channel_ops *ops, void *arg)
{
	(void)listener;
	(void)ops;
	(void)arg;
	return NULL;
}

/* Not used by a local forward. */
int
hop_listen_port(const struct hop_channel *listener)
{
	(void)listener;
	return 0;
}

/* conn.c has something for the channel: the test pumps anyway. */
void
hop_channel_wake(struct hop_channel *hc)
{
	(void)hc;
}

/* conn.c gave the channel back: the connection is gone. */
void
hop_channel_close(struct hop_channel *hc)
{
	hc->closed = 1;
}

/* Deliver what the target sent, then its EOF. */
int
hop_channel_read_into(struct hop_channel *hc, struct evbuffer *buf,
    size_t max, size_t *got)
{
	size_t	have = evbuffer_get_length(buf), n;

	n = evbuffer_get_length(hc->from_target);
	if (have >= max)
		n = 0;
	else if (n > max - have)
		n = max - have;
	evbuffer_remove_buffer(hc->from_target, buf, n);
	*got = n;
	if (hc->eof && evbuffer_get_length(hc->from_target) == 0)
		return HOP_EOF;
	return 0;
}

/* Take what the window allows. */
int
hop_channel_write_from(struct hop_channel *hc, struct evbuffer *buf,
    size_t *sent)
{
	size_t	n = evbuffer_get_length(buf);

	if (n > hc->window)
		n = hc->window;
	evbuffer_remove_buffer(buf, hc->to_target, n);
	*sent = n;
	return 0;
}

/* Count EOFs sent; answer what the test set. */
int
hop_channel_send_eof(struct hop_channel *hc)
{
	hc->eof_sent++;
	return hc->send_eof_rc;
}

/* Whether the target closed the channel. */
int
hop_channel_remote_closed(struct hop_channel *hc)
{
	return hc->remote_closed;
}

static struct config_hop	test_conf_hop;
static struct config_tunnel	test_conf = { .name = "t", .hop = &test_conf_hop };

/* The tunnel's settings: no client_idle_timeout. */
const struct config_tunnel *
tunnel_config(const struct tunnel *t)
{
	(void)t;
	return &test_conf;
}

/* The tunnel's name. */
const char *
tunnel_name(const struct tunnel *t)
{
	(void)t;
	return "t";
}

/* The test's event base. */
struct event_base *
tunnel_base(const struct tunnel *t)
{
	(void)t;
	return test_base;
}

/* Not used by a local forward. */
int
tunnel_conn_admit(struct tunnel *t)
{
	(void)t;
	return 1;
}

/* Count closed connections. */
void
tunnel_conn_gone(struct tunnel *t)
{
	(void)t;
	test_gone++;
}

/* Bytes are counted in conn.c's summary line already. */
void
tunnel_count_bytes(struct tunnel *t, uint64_t up, uint64_t down)
{
	(void)t;
	(void)up;
	(void)down;
}

/* Errors are for status. */
void
tunnel_set_error(struct tunnel *t, const char *why)
{
	(void)t;
	(void)why;
}

/* A fresh base and channel; stderr (the log) into a file of its own. */
static int
test_setup(void **state)
{
	char	path[] = "/tmp/jumpgate-test-conn-XXXXXX";
	int	fd;

	(void)state;
	memset(&test_hc, 0, sizeof test_hc);
	test_hc.from_target = evbuffer_new();
	test_hc.to_target = evbuffer_new();
	test_hc.window = SIZE_MAX;
	test_gone = 0;
	test_open_error = HOP_OPEN_ERROR_OTHER;
	test_open_host[0] = '\0';
	test_open_port = 0;
	test_base = event_base_new();
	if (test_base == NULL || (fd = mkstemp(path)) == -1)
		return -1;
	close(fd);
	/* Written in append mode, read through a file of its own. */
	fd = open(path, O_WRONLY | O_APPEND);
	test_log = fopen(path, "r");
	unlink(path);
	if (fd == -1 || test_log == NULL)
		return -1;
	fflush(stderr);
	test_stderr = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	close(fd);
	log_set_level(LOG_LEVEL_DEBUG);
	return 0;
}

/* Put stderr back and copy the log there, for the test's log file. */
static int
test_teardown(void **state)
{
	char	buf[4096];
	size_t	n;

	(void)state;
	conn_close_all(NULL, "test over");
	fflush(stderr);
	dup2(test_stderr, STDERR_FILENO);
	close(test_stderr);
	rewind(test_log);
	while ((n = fread(buf, 1, sizeof buf, test_log)) > 0)
		fwrite(buf, 1, n, stderr);
	fclose(test_log);
	evbuffer_free(test_hc.from_target);
	evbuffer_free(test_hc.to_target);
	event_base_free(test_base);
	return 0;
}

/*
 * The log so far, as the transitions it records, in order:
 * "up open->drain,up drain->closed". Caller frees.
 */
static char *
test_transitions(void)
{
	static const char tag[] = "connection from 127.0.0.1:4321: ";
	char		 line[1024], *p, *arrow, *out;
	size_t		 len = 0;
	FILE		*f;

	fflush(stderr);
	assert_non_null(f = open_memstream(&out, &len));
	rewind(test_log);
	while (fgets(line, sizeof line, test_log) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if ((p = strstr(line, tag)) == NULL)
			continue;
		p += sizeof tag - 1;
		if ((strncmp(p, "up ", 3) != 0 && strncmp(p, "down ", 5) != 0) ||
		    (arrow = strstr(p, " -> ")) == NULL)
			continue;
		fprintf(f, "%s%.*s->%s", ftell(f) > 0 ? "," : "",
		    (int)(arrow - p), p, arrow + 4);
	}
	fclose(f);
	return out;
}

/* Assert that the log's transitions so far are exactly WANT. */
static void
test_expect(const char *want)
{
	char	*got = test_transitions();

	assert_string_equal(got, want);
	free(got);
}

/* Whether the log says the connection closed for WHY. */
static int
test_closed_for(const char *why)
{
	char	line[1024], pattern[256];
	int	found = 0;

	snprintf(pattern, sizeof pattern, "closed (%s)", why);
	fflush(stderr);
	rewind(test_log);
	while (fgets(line, sizeof line, test_log) != NULL)
		if (strstr(line, pattern) != NULL)
			found = 1;
	return found;
}

/*
 * Service passes, as the hop runs them: the event loop once (socket reads
 * and writes, conn.c's callbacks), then pump while it makes progress and
 * the connection lives.
 */
static void
test_spin(int passes)
{
	int	i, n;

	for (i = 0; i < passes; i++) {
		assert_true(event_base_loop(test_base, EVLOOP_NONBLOCK) != -1);
		for (n = 0; n < 100 && !test_hc.closed &&
		    test_hc.ops->pump(test_hc.arg); n++)
			;
	}
}

/*
 * A connection from 127.0.0.1:4321 on one end of a socketpair, its
 * channel open; SNDBUF, if not 0, is the socket's send buffer towards the
 * client. Returns the client's end.
 */
static int
test_connect_sndbuf(int sndbuf)
{
	struct sockaddr_in	sin;
	int			sv[2];

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons(4321);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	if (sndbuf != 0)
		assert_int_equal(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF,
		    &sndbuf, sizeof sndbuf), 0);
	conn_new(NULL, NULL, sv[0], (struct sockaddr *)&sin, sizeof sin,
	    "target", 22);
	assert_non_null(test_hc.ops);
	assert_int_equal(conn_count(NULL), 1);
	test_hc.ops->opened(test_hc.arg);
	test_expect("");
	return sv[1];
}

/* A connection as above, with the kernel's send buffer. */
static int
test_connect(void)
{
	return test_connect_sndbuf(0);
}

/* Read what the client has now (non-blocking): its length, -1 at EOF. */
static ssize_t
test_client_read(int fd, char *buf, size_t size)
{
	ssize_t	n;

	n = recv(fd, buf, size, MSG_DONTWAIT);
	if (n == 0)
		return -1;
	if (n < 0) {
		assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
		return 0;
	}
	return n;
}

/* Assert that the channel received exactly WANT. */
static void
test_target_got(const char *want)
{
	size_t	len = evbuffer_get_length(test_hc.to_target);

	assert_int_equal(len, strlen(want));
	assert_memory_equal(evbuffer_pullup(test_hc.to_target, -1), want, len);
}

/*
 * Every move of conn_half_set: only open -> drain and drain -> closed are
 * taken; in place, backwards, skipping drain and out of range are refused
 * and change nothing.
 */
static void
test_half_moves(void **state)
{
	static const enum conn_half all[] = {
		CONN_HALF_OPEN, CONN_HALF_DRAIN, CONN_HALF_CLOSED
	};
	enum conn_half	half;
	size_t		i, j;
	int		rc;

	(void)state;
	for (i = 0; i < 3; i++) {
		for (j = 0; j < 3; j++) {
			half = all[i];
			rc = conn_half_set(&half, all[j]);
			if (j == i + 1) {
				assert_int_equal(rc, 0);
				assert_int_equal(half, all[j]);
			} else {
				assert_int_equal(rc, -1);
				assert_int_equal(half, all[i]);
			}
		}
		half = all[i];
		assert_int_equal(conn_half_set(&half, (enum conn_half)3), -1);
		assert_int_equal(half, all[i]);
	}
	half = (enum conn_half)7;
	assert_int_equal(conn_half_set(&half, CONN_HALF_DRAIN), -1);
	assert_int_equal(half, 7);
	assert_string_equal(conn_half_name(CONN_HALF_OPEN), "open");
	assert_string_equal(conn_half_name(CONN_HALF_DRAIN), "drain");
	assert_string_equal(conn_half_name(CONN_HALF_CLOSED), "closed");
	assert_string_equal(conn_half_name((enum conn_half)3), "?");
}

/*
 * The client's EOF first: up goes open -> drain -> closed and EOF goes on
 * the channel once the client's data went; down keeps flowing; the
 * target's EOF then closes down and the connection is done.
 */
static void
test_client_eof_first(void **state)
{
	char	buf[64];
	int	fd;

	(void)state;
	fd = test_connect();
	assert_int_equal(write(fd, "ping", 4), 4);
	assert_int_equal(shutdown(fd, SHUT_WR), 0);
	test_spin(3);
	test_target_got("ping");
	assert_int_equal(test_hc.eof_sent, 1);
	test_expect("up open->drain,up drain->closed");
	assert_int_equal(conn_count(NULL), 1);

	/* The other way still flows, as often as it likes. */
	evbuffer_add(test_hc.from_target, "pong", 4);
	test_spin(2);
	assert_int_equal(test_client_read(fd, buf, sizeof buf), 4);
	assert_memory_equal(buf, "pong", 4);
	evbuffer_add(test_hc.from_target, "pong2", 5);
	test_spin(2);
	assert_int_equal(test_client_read(fd, buf, sizeof buf), 5);
	assert_int_equal(test_hc.eof_sent, 1);
	assert_int_equal(conn_count(NULL), 1);

	/* Both closed: done. */
	test_hc.eof = 1;
	test_spin(2);
	test_expect("up open->drain,up drain->closed,"
	    "down open->drain,down drain->closed");
	assert_true(test_hc.closed);
	assert_int_equal(conn_count(NULL), 0);
	assert_int_equal(test_gone, 1);
	assert_true(test_closed_for("done"));
	assert_int_equal(test_client_read(fd, buf, sizeof buf), -1);
	close(fd);
}

/*
 * The target's EOF first: down goes open -> drain -> closed and the
 * client's socket is shut for writing; up keeps flowing until the client's
 * own EOF, which then ends the connection.
 */
static void
test_target_eof_first(void **state)
{
	char	buf[64];
	int	fd;

	(void)state;
	fd = test_connect();
	evbuffer_add(test_hc.from_target, "hello", 5);
	test_hc.eof = 1;
	test_spin(3);
	test_expect("down open->drain,down drain->closed");
	assert_int_equal(test_client_read(fd, buf, sizeof buf), 5);
	assert_memory_equal(buf, "hello", 5);
	assert_int_equal(test_client_read(fd, buf, sizeof buf), -1);
	assert_int_equal(conn_count(NULL), 1);

	assert_int_equal(write(fd, "more", 4), 4);
	test_spin(3);
	test_target_got("more");
	assert_int_equal(test_hc.eof_sent, 0);
	assert_int_equal(conn_count(NULL), 1);

	assert_int_equal(shutdown(fd, SHUT_WR), 0);
	test_spin(3);
	assert_int_equal(test_hc.eof_sent, 1);
	test_expect("down open->drain,down drain->closed,"
	    "up open->drain,up drain->closed");
	assert_int_equal(conn_count(NULL), 0);
	assert_true(test_closed_for("done"));
	close(fd);
}

/*
 * Up drains: the client's data left after its EOF goes on the channel
 * before the EOF does, however long the channel's window stays shut.
 */
static void
test_up_drains_first(void **state)
{
	int	fd;

	(void)state;
	fd = test_connect();
	test_hc.window = 0;
	assert_int_equal(write(fd, "abc", 3), 3);
	assert_int_equal(shutdown(fd, SHUT_WR), 0);
	test_spin(5);
	test_expect("up open->drain");
	test_target_got("");
	assert_int_equal(test_hc.eof_sent, 0);

	test_hc.window = 2;
	test_spin(1);
	test_target_got("abc");
	assert_int_equal(test_hc.eof_sent, 1);
	test_expect("up open->drain,up drain->closed");
	assert_int_equal(conn_count(NULL), 1);
	close(fd);
}

/*
 * Down drains: while the target's data, EOF included, waits in conn.c for
 * a client that does not read, the client's socket stays open for
 * writing; once the client took it all, it gets EOF.
 */
static void
test_down_drains_first(void **state)
{
	static char	 data[100 * 1024], buf[sizeof data];
	char		*t;
	size_t		 got = 0;
	ssize_t		 n;
	int		 fd, eof = 0, i;

	(void)state;
	fd = test_connect_sndbuf(4096);
	memset(data, 'd', sizeof data);
	evbuffer_add(test_hc.from_target, data, sizeof data);
	test_hc.eof = 1;
	test_spin(5);
	test_expect("down open->drain");
	assert_int_equal(evbuffer_get_length(test_hc.from_target), 0);

	for (i = 0; i < 10000 && !eof; i++) {
		n = test_client_read(fd, buf, sizeof buf);
		if (n == -1)
			eof = 1;
		else if ((got += (size_t)n) < sizeof data) {
			t = test_transitions();
			assert_string_equal(t, "down open->drain");
			free(t);
		}
		test_spin(1);
	}
	assert_true(eof);
	assert_int_equal(got, sizeof data);
	test_expect("down open->drain,down drain->closed");
	assert_int_equal(conn_count(NULL), 1);
	close(fd);
}

/*
 * An EOF the channel cannot send yet (HOP_AGAIN) keeps up draining and is
 * tried again in later passes while the target still talks.
 */
static void
test_send_eof_again(void **state)
{
	int	fd;

	(void)state;
	fd = test_connect();
	test_hc.send_eof_rc = HOP_AGAIN;
	assert_int_equal(shutdown(fd, SHUT_WR), 0);
	test_spin(1);
	test_expect("up open->drain");
	assert_true(test_hc.eof_sent >= 1);
	test_spin(1);
	assert_true(test_hc.eof_sent >= 2);
	test_expect("up open->drain");

	test_hc.send_eof_rc = 0;
	test_spin(1);
	test_expect("up open->drain,up drain->closed");
	assert_int_equal(conn_count(NULL), 1);
	close(fd);
}

/*
 * The target sent EOF and closed the channel: once its data reached the
 * client, the connection closes without waiting for the client's EOF.
 */
static void
test_target_closed(void **state)
{
	char	buf[64];
	int	fd;

	(void)state;
	fd = test_connect();
	evbuffer_add(test_hc.from_target, "bye", 3);
	test_hc.eof = 1;
	test_hc.remote_closed = 1;
	test_spin(3);
	test_expect("down open->drain,down drain->closed");
	assert_int_equal(conn_count(NULL), 0);
	assert_true(test_closed_for("target closed"));
	assert_int_equal(test_hc.eof_sent, 0);
	assert_int_equal(test_client_read(fd, buf, sizeof buf), 3);
	assert_int_equal(test_client_read(fd, buf, sizeof buf), -1);
	close(fd);
}

/*
 * A SOCKS client on a socketpair: greeting, request and first data in one
 * write. Returns the client's end, with the handshake read so far.
 */
static int
test_socks_client(const void *hello, size_t len)
{
	struct sockaddr_in	sin;
	int			sv[2], i;

	test_conf_hop.connect_timeout = 10;
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons(4321);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	conn_new_socks(NULL, NULL, sv[0], (struct sockaddr *)&sin,
	    sizeof sin);
	assert_int_equal(write(sv[1], hello, len), (ssize_t)len);
	for (i = 0; i < 3; i++)
		assert_true(event_base_loop(test_base, EVLOOP_NONBLOCK) != -1);
	return sv[1];
}

/* Read exactly LEN bytes the client has now and compare them to WANT. */
static void
test_client_expect(int fd, const void *want, size_t len)
{
	char	buf[64];

	assert_int_equal(test_client_read(fd, buf, sizeof buf), (ssize_t)len);
	assert_memory_equal(buf, want, len);
}

static const char test_socks_ok[] =
	"\x05\x01\x00"				/* greeting */
	"\x05\x01\x00\x03\x0bpg.internal\x15\x38"	/* pg.internal:5432 */
	"hello";

/*
 * An allowed request: the channel is asked for the client's destination,
 * the success reply waits for the channel, and data the client sent with
 * its request reaches the target.
 */
static void
test_socks_connect(void **state)
{
	char	*error;
	int	 fd;

	(void)state;
	assert_non_null(test_conf.allow_list = allow_parse("*.internal:5432",
	    &error));
	fd = test_socks_client(test_socks_ok, sizeof test_socks_ok - 1);
	assert_string_equal(test_open_host, "pg.internal");
	assert_int_equal(test_open_port, 5432);
	test_client_expect(fd, "\x05\x00", 2);	/* method, no reply yet */
	test_hc.ops->opened(test_hc.arg);
	test_spin(2);
	test_client_expect(fd, "\x05\x00\x00\x01\0\0\0\0\0\0", 10);
	test_target_got("hello");
	close(fd);
	allow_free(test_conf.allow_list);
	test_conf.allow_list = NULL;
}

/* A destination outside the allow-list: reply 2, no channel, one line. */
static void
test_socks_not_allowed(void **state)
{
	char	*error;
	int	 fd, i;

	(void)state;
	assert_non_null(test_conf.allow_list = allow_parse("db.internal:5432",
	    &error));
	fd = test_socks_client(test_socks_ok, sizeof test_socks_ok - 1);
	assert_null(test_hc.ops);
	test_client_expect(fd, "\x05\x00\x05\x02\x00\x01\0\0\0\0\0\0", 12);
	assert_int_equal(conn_count(NULL), 1);	/* until the client closes */
	close(fd);
	for (i = 0; i < 3; i++)
		assert_true(event_base_loop(test_base, EVLOOP_NONBLOCK) != -1);
	assert_int_equal(conn_count(NULL), 0);
	assert_true(test_closed_for("SOCKS request refused: pg.internal:5432 "
	    "is not in the allow-list; reply 2, connection not allowed"));
	allow_free(test_conf.allow_list);
	test_conf.allow_list = NULL;
}

/* A channel the server could not connect: reply 5, connection refused. */
static void
test_socks_open_failed(void **state)
{
	char	*error;
	int	 fd;

	(void)state;
	assert_non_null(test_conf.allow_list = allow_parse("*:*", &error));
	fd = test_socks_client(test_socks_ok, sizeof test_socks_ok - 1);
	test_client_expect(fd, "\x05\x00", 2);
	test_open_error = HOP_OPEN_ERROR_CONNECT;
	test_hc.ops->failed(test_hc.arg, "h could not connect");
	assert_true(event_base_loop(test_base, EVLOOP_NONBLOCK) != -1);
	test_client_expect(fd, "\x05\x05\x00\x01\0\0\0\0\0\0", 10);
	close(fd);
	assert_true(event_base_loop(test_base, EVLOOP_NONBLOCK) != -1);
	assert_int_equal(conn_count(NULL), 0);
	assert_true(test_closed_for("h could not connect; SOCKS reply 5, "
	    "connection refused"));
	allow_free(test_conf.allow_list);
	test_conf.allow_list = NULL;
}

/*
 * Status lists each SOCKS connection's destination; what does not fit is
 * counted, never cut in half.
 */
static void
test_socks_destinations(void **state)
{
	char	 buf[300], *p, *error;
	int	 fds[40], i, listed = 1, more;

	(void)state;
	assert_non_null(test_conf.allow_list = allow_parse("*.internal:5432",
	    &error));
	conn_destinations(NULL, buf, sizeof buf);
	assert_string_equal(buf, "");
	fds[0] = test_socks_client(test_socks_ok, sizeof test_socks_ok - 1);
	conn_destinations(NULL, buf, sizeof buf);
	assert_string_equal(buf, "pg.internal:5432");
	for (i = 1; i < 40; i++)
		fds[i] = test_socks_client(test_socks_ok,
		    sizeof test_socks_ok - 1);
	conn_destinations(NULL, buf, sizeof buf);
	assert_true(strlen(buf) < sizeof buf);
	for (p = buf; (p = strchr(p, ',')) != NULL; p++)
		listed++;
	p = strrchr(buf, ',');
	assert_non_null(p);
	assert_int_equal(sscanf(p, ",+%d more", &more), 1);
	assert_int_equal(listed - 1 + more, 40);
	assert_non_null(strstr(buf, "pg.internal:5432,pg.internal:5432,"));
	for (i = 0; i < 40; i++)
		close(fds[i]);
	allow_free(test_conf.allow_list);
	test_conf.allow_list = NULL;
}

/* Run the tests. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_half_moves),
		cmocka_unit_test_setup_teardown(test_client_eof_first,
		    test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_target_eof_first,
		    test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_up_drains_first,
		    test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_down_drains_first,
		    test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_send_eof_again,
		    test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_target_closed,
		    test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_socks_connect,
		    test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_socks_not_allowed,
		    test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_socks_open_failed,
		    test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_socks_destinations,
		    test_setup, test_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

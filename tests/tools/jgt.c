/*
 * jgt: traffic tool for jumpgate's integration tests.
 *
 * One binary with subcommands, each a single libevent loop, so that one
 * process can serve or drive many connections:
 *
 *	jgt echo-server [--listen ADDR:PORT] [--port-file FILE] [--sink]
 *	    [--source BYTES] [--reset-after BYTES [--reset-conn N]]
 *	jgt client --connect HOST:PORT --bytes N [--conns C] [--timeout S]
 *	    [--no-echo] [--quiet] [--random-sizes MAX [--seed N]]
 *	    [--pause-read S]
 *	jgt client --connect HOST:PORT --fetch BYTES [--conns C] [--timeout S]
 *	    [--pause-read S] [--quiet]
 *	jgt expect-close --connect HOST:PORT [--timeout S] [--send BYTES]
 *	jgt hold --connect HOST:PORT --conns C --seconds S
 *	jgt ping --connect HOST:PORT [--count N] [--interval S] [--timeout S]
 *	jgt free-port
 *
 * The client sends an AES-128-CTR keystream with a random key per
 * connection, hashes what it sends and what comes back with SHA-256 and
 * also regenerates the stream to name the first byte that differs.
 * --random-sizes gives each connection its own size from 0 to MAX (a
 * seeded generator; the seed is printed so that a run can be repeated).
 *
 * --fetch turns the client around: it sends its stream's key and IV (32
 * bytes) as a request, then EOF, and expects BYTES of that keystream back
 * from an "echo-server --source BYTES", which generates it. --pause-read
 * leaves what arrives unread for S seconds after connecting (a slow
 * reader); it prints a line when the pause starts and when it ends.
 *
 * echo-server --reset-after resets (SO_LINGER 0, close: RST) a connection
 * once it has received BYTES; with --reset-conn only the Nth connection
 * accepted (from 1).
 *
 * ping measures round trips on one connection to an echo server: 64 bytes
 * out, the same 64 back, COUNT times, INTERVAL apart; it prints the
 * minimum, median, 90th percentile and maximum in milliseconds. Setting
 * up the connection and the first round trip (which waits for a tunnel's
 * channel) are not counted: what remains is what a database client's
 * queries see.
 *
 * Exit codes: 0 success, 1 failure, 2 timeout (client), 64 bad usage.
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <ctype.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <event2/util.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#define JGT_EX_USAGE		64
#define JGT_EX_TIMEOUT		2

#define JGT_ECHO_HIGH		(1024 * 1024)	/* pause reading above */
#define JGT_ECHO_LOW		(512 * 1024)	/* resume reading below */
#define JGT_CHUNK		65536		/* generated or read at once */
#define JGT_SEND_BUDGET		(128 * 1024 * 1024) /* all connections */
#define JGT_SEND_MAX		(256 * 1024)	/* one connection */
#define JGT_SEND_MIN		(16 * 1024)
#define JGT_HOLD_CONNECT	30		/* seconds to connect in hold */
#define JGT_MAX_CONNS		1000000
#define JGT_SHOW_FAILURES	20		/* hold: details printed */
#define JGT_ECHO_WARNINGS	20		/* echo-server: errors printed */
#define JGT_NO_DIFF		UINT64_MAX
#define JGT_MAX_IO		(256 * 1024)	/* one read or write call */
#define JGT_REQUEST		32		/* --fetch: key and IV */

enum conn_state {
	CONN_CONNECTING,
	CONN_OPEN,
	CONN_DONE
};

struct run;

/* One outgoing connection of client, expect-close or hold. */
struct conn {
	struct run		*run;
	int			 idx;
	enum conn_state		 state;
	int			 fd;		/* while connecting */
	struct event		*dial;
	struct bufferevent	*bev;

	EVP_CIPHER_CTX		*gen;		/* data we send */
	EVP_CIPHER_CTX		*expect;	/* data we expect back */
	EVP_MD_CTX		*sent_md;
	EVP_MD_CTX		*recv_md;
	u_char			 sent_hash[EVP_MAX_MD_SIZE];
	u_char			 recv_hash[EVP_MAX_MD_SIZE];

	uint64_t		 bytes;		/* to send */
	uint64_t		 want;		/* to receive */
	u_char			 request[JGT_REQUEST];	/* --fetch */
	uint64_t		 queued;	/* generated into the buffer */
	uint64_t		 written;	/* handed to the kernel */
	uint64_t		 received;
	uint64_t		 diff_at;	/* first unexpected byte */
	int			 shut;		/* we sent EOF */
	int			 eof;		/* peer sent EOF */

	int			 failed;
	char			*why;
	int			 local_port;	/* to find it in a log */
};

/* Parameters and state shared by the connections of one command. */
struct run {
	const char		*target;
	struct sockaddr_storage	 addr;
	socklen_t		 addrlen;
	struct event_base	*base;

	uint64_t		 bytes;
	int			 nconns;
	int			 no_echo;
	int			 quiet;
	int			 half_close;
	uint64_t		 fetch;		/* --fetch BYTES */
	uint64_t		*sizes;		/* --random-sizes, per conn */
	double			 pause_read;	/* --pause-read seconds */
	int			 pause_state;	/* 0 not yet, 1 paused, 2 over */
	double			 pause_start;
	struct event		*resume;
	size_t			 send_high;
	size_t			 send_low;
	struct timeval		 timeout;
	double			 seconds;

	struct conn		*conns;
	int			 pending;
	int			 connected;
	int			 closed_early;
	int			 timed_out;
	int			 result;
	double			 start;
	struct event		*timer;

	void			(*opened)(struct conn *);
	void			(*dial_failed)(struct conn *, int);
	bufferevent_data_cb	 readcb;
	bufferevent_data_cb	 writecb;
	bufferevent_event_cb	 eventcb;
};

/* One accepted connection of the echo server. */
struct echo_conn {
	struct echo		*echo;
	struct bufferevent	*bev;
	uint64_t		 idx;		/* accepted as number (from 1) */
	uint64_t		 received;
	EVP_CIPHER_CTX		*gen;		/* --source: the stream */
	uint64_t		 sent;		/* --source: generated */
	int			 done;		/* --source: all sent, FIN */
	int			 eof;
	int			 paused;
	TAILQ_ENTRY(echo_conn)	 entry;
};
TAILQ_HEAD(echo_conns, echo_conn);

/* The echo server. */
struct echo {
	struct event_base	*base;
	struct evconnlistener	*listener;
	struct event		*retry;
	int			 sink;
	uint64_t		 source;	/* --source BYTES, 0: echo */
	uint64_t		 reset_after;	/* --reset-after BYTES, 0: never */
	uint64_t		 reset_conn;	/* --reset-conn N, 0: every one */
	struct echo_conns	 conns;
	uint64_t		 accepted;
	uint64_t		 bytes;
	uint64_t		 errors;
	uint64_t		 resets;
	uint64_t		 sourced;	/* connections fully sent */
	int			 paused_accept;
};

static const char	*jgt_name = "jgt";
static EVP_CIPHER	*jgt_cipher;
static EVP_MD		*jgt_md;
static const u_char	 jgt_zero[JGT_CHUNK];
static u_char		 jgt_rbuf[JGT_CHUNK];
static u_char		 jgt_ebuf[JGT_CHUNK];

static void		 jgt_warnx(const char *, ...)
			     __attribute__((format(printf, 1, 2)));
static void		 jgt_fatalx(const char *, ...)
			     __attribute__((format(printf, 1, 2), noreturn));
static void		 conn_fail(struct conn *, const char *, ...)
			     __attribute__((format(printf, 2, 3)));
static void		 expect_done(struct run *, int, const char *, ...)
			     __attribute__((format(printf, 3, 4)));

/* Print a message prefixed with the command name to stderr. */
static void
jgt_warnx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	fprintf(stderr, "%s: ", jgt_name);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* Print a message and exit with failure. */
static void
jgt_fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	fprintf(stderr, "%s: ", jgt_name);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

/* Exit after an OpenSSL failure, naming the call. */
static void
jgt_fatal_ssl(const char *what)
{
	char	buf[256];

	ERR_error_string_n(ERR_get_error(), buf, sizeof buf);
	jgt_fatalx("%s failed: %s", what, buf);
}

/* Print usage and exit. */
static void
jgt_usage(void)
{
	fprintf(stderr,
	    "usage: jgt echo-server [--listen ADDR:PORT] [--port-file FILE]"
	    " [--sink]\n"
	    "           [--source BYTES] [--reset-after BYTES"
	    " [--reset-conn N]]\n"
	    "       jgt client --connect HOST:PORT --bytes N [--conns C]"
	    " [--timeout S]\n"
	    "           [--no-echo] [--quiet] [--random-sizes MAX"
	    " [--seed N]] [--pause-read S]\n"
	    "       jgt client --connect HOST:PORT --fetch BYTES [--conns C]"
	    " [--timeout S]\n"
	    "           [--pause-read S] [--quiet]\n"
	    "       jgt expect-close --connect HOST:PORT [--timeout S]"
	    " [--send BYTES]\n"
	    "       jgt hold --connect HOST:PORT --conns C --seconds S\n"
	    "       jgt ping --connect HOST:PORT [--count N] [--interval S]"
	    " [--timeout S]\n"
	    "       jgt free-port\n"
	    "ADDR:PORT and HOST:PORT may be unix:PATH (a Unix socket)\n"
	    "sizes take a K, M or G suffix (binary)\n");
	exit(JGT_EX_USAGE);
}

/* Complain about an option value and exit. */
static void
jgt_badarg(const char *opt, const char *value)
{
	jgt_warnx("invalid value for --%s: '%s'", opt, value);
	exit(JGT_EX_USAGE);
}

/* Return monotonic time in seconds. */
static double
jgt_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Parse a byte count with an optional K/M/G suffix; 0 or -1. */
static int
jgt_parse_size(const char *s, uint64_t *out)
{
	unsigned long long	 v;
	uint64_t		 mul = 1;
	char			*end;

	if (!isdigit((u_char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return -1;
	switch (*end) {
	case '\0':
		break;
	case 'k':
	case 'K':
		mul = 1024;
		end++;
		break;
	case 'm':
	case 'M':
		mul = 1024 * 1024;
		end++;
		break;
	case 'g':
	case 'G':
		mul = 1024 * 1024 * 1024;
		end++;
		break;
	default:
		return -1;
	}
	if (*end != '\0' || v > UINT64_MAX / mul)
		return -1;
	*out = v * mul;
	return 0;
}

/* Parse a positive number of seconds, fractions allowed; 0 or -1. */
static int
jgt_parse_seconds(const char *s, double *out)
{
	char	*end;
	double	 v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !isfinite(v) ||
	    v <= 0 || v > 1e7)
		return -1;
	*out = v;
	return 0;
}

/* Parse a connection count; 0 or -1. */
static int
jgt_parse_count(const char *s, int *out)
{
	char	*end;
	long	 v;

	if (!isdigit((u_char)*s))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 1 || v > JGT_MAX_CONNS)
		return -1;
	*out = (int)v;
	return 0;
}

/* Convert seconds to a timeval. */
static void
jgt_timeval(double s, struct timeval *tv)
{
	tv->tv_sec = (time_t)s;
	tv->tv_usec = (suseconds_t)((s - (double)tv->tv_sec) * 1e6);
}

/* Resolve HOST:PORT, [HOST]:PORT or unix:PATH; 0 or -1. */
static int
jgt_resolve(const char *hostport, int flags, struct sockaddr_storage *ss,
    socklen_t *len)
{
	struct addrinfo	 hints, *res;
	struct sockaddr_un *sun = (struct sockaddr_un *)ss;
	char		*copy, *host, *port, *p;
	int		 error;

	if (strncmp(hostport, "unix:", 5) == 0) {
		if (strlen(hostport + 5) >= sizeof sun->sun_path) {
			jgt_warnx("%s: path too long", hostport);
			return -1;
		}
		memset(ss, 0, sizeof *ss);
		sun->sun_family = AF_UNIX;
		snprintf(sun->sun_path, sizeof sun->sun_path, "%s",
		    hostport + 5);
		*len = sizeof *sun;
		return 0;
	}
	if ((copy = strdup(hostport)) == NULL)
		jgt_fatalx("out of memory");
	if (copy[0] == '[') {
		host = copy + 1;
		p = strchr(host, ']');
		if (p == NULL || p[1] != ':')
			goto bad;
		*p = '\0';
		port = p + 2;
	} else {
		if ((p = strrchr(copy, ':')) == NULL)
			goto bad;
		*p = '\0';
		host = copy;
		port = p + 1;
	}
	if (*host == '\0' || *port == '\0')
		goto bad;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | flags;
	if ((error = getaddrinfo(host, port, &hints, &res)) != 0) {
		jgt_warnx("%s: %s", hostport, gai_strerror(error));
		free(copy);
		return -1;
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	free(copy);
	return 0;

bad:
	jgt_warnx("%s: expected HOST:PORT", hostport);
	free(copy);
	return -1;
}

/* Raise the open file limit to the hard limit. */
static void
jgt_raise_nofile(void)
{
	struct rlimit	rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* Format a hash as lowercase hex into out (2 * len + 1 bytes). */
static void
jgt_hex(const u_char *hash, size_t len, char *out)
{
	static const char	digits[] = "0123456789abcdef";
	size_t			i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[hash[i] >> 4];
		out[2 * i + 1] = digits[hash[i] & 0xf];
	}
	out[2 * len] = '\0';
}

/* Let a bufferevent move more than libevent's default 16 KiB per call. */
static void
jgt_bev_tune(struct bufferevent *bev)
{
	bufferevent_set_max_single_read(bev, JGT_MAX_IO);
	bufferevent_set_max_single_write(bev, JGT_MAX_IO);
}

/* Fetch the cipher and digest used by all connections. */
static void
jgt_crypto_init(void)
{
	if ((jgt_cipher = EVP_CIPHER_fetch(NULL, "AES-128-CTR", NULL)) == NULL)
		jgt_fatal_ssl("EVP_CIPHER_fetch(AES-128-CTR)");
	if ((jgt_md = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL)
		jgt_fatal_ssl("EVP_MD_fetch(SHA256)");
}

/* Release the cipher and digest. */
static void
jgt_crypto_free(void)
{
	EVP_CIPHER_free(jgt_cipher);
	EVP_MD_free(jgt_md);
}

/* Create a keystream generator for key and iv. */
static EVP_CIPHER_CTX *
stream_new(const u_char *key, const u_char *iv)
{
	EVP_CIPHER_CTX	*ctx;

	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		jgt_fatal_ssl("EVP_CIPHER_CTX_new");
	if (EVP_EncryptInit_ex2(ctx, jgt_cipher, key, iv, NULL) != 1)
		jgt_fatal_ssl("EVP_EncryptInit_ex2");
	return ctx;
}

/* Write the next len bytes of a keystream to buf. */
static void
stream_fill(EVP_CIPHER_CTX *ctx, u_char *buf, size_t len)
{
	size_t	n;
	int	outl;

	while (len > 0) {
		n = len < JGT_CHUNK ? len : JGT_CHUNK;
		if (EVP_EncryptUpdate(ctx, buf, &outl, jgt_zero, (int)n) != 1 ||
		    (size_t)outl != n)
			jgt_fatal_ssl("EVP_EncryptUpdate");
		buf += n;
		len -= n;
	}
}

/* Create a SHA-256 context. */
static EVP_MD_CTX *
digest_new(void)
{
	EVP_MD_CTX	*md;

	if ((md = EVP_MD_CTX_new()) == NULL)
		jgt_fatal_ssl("EVP_MD_CTX_new");
	if (EVP_DigestInit_ex2(md, jgt_md, NULL) != 1)
		jgt_fatal_ssl("EVP_DigestInit_ex2");
	return md;
}

/* Add data to a SHA-256 context. */
static void
digest_update(EVP_MD_CTX *md, const void *buf, size_t len)
{
	if (EVP_DigestUpdate(md, buf, len) != 1)
		jgt_fatal_ssl("EVP_DigestUpdate");
}

/* Finish a SHA-256 context into out and free it. */
static void
digest_final(EVP_MD_CTX **md, u_char *out)
{
	if (*md == NULL)
		return;
	if (EVP_DigestFinal_ex(*md, out, NULL) != 1)
		jgt_fatal_ssl("EVP_DigestFinal_ex");
	EVP_MD_CTX_free(*md);
	*md = NULL;
}

/* Start a non-blocking connect; returns the socket, or -1 with errno set. */
static int
jgt_dial(const struct sockaddr_storage *ss, socklen_t len, int *done)
{
	int	fd, saved;

	fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1)
		return -1;
	if (connect(fd, (const struct sockaddr *)ss, len) == 0) {
		*done = 1;
		return fd;
	}
	/* After EINTR a non-blocking connect goes on in the background. */
	if (errno == EINPROGRESS || errno == EINTR) {
		*done = 0;
		return fd;
	}
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

/* Record why a connection failed (first reason wins). */
static void
conn_fail(struct conn *c, const char *fmt, ...)
{
	va_list	ap;

	if (c->failed)
		return;
	c->failed = 1;
	va_start(ap, fmt);
	if (vasprintf(&c->why, fmt, ap) == -1)
		c->why = NULL;
	va_end(ap);
}

/* Return how many bytes have left the output buffer for the kernel. */
static uint64_t
conn_written(struct conn *c)
{
	if (c->bev != NULL)
		c->written = c->queued -
		    evbuffer_get_length(bufferevent_get_output(c->bev));
	return c->written;
}

/*
 * Set up the data generator and hashes of a connection; with REQUEST, keep
 * the key and IV as the request of --fetch.
 */
static void
conn_init_data(struct conn *c, int verify, int request)
{
	u_char	key[16], iv[16];

	if (RAND_bytes(key, sizeof key) != 1 || RAND_bytes(iv, sizeof iv) != 1)
		jgt_fatal_ssl("RAND_bytes");
	if (request) {
		memcpy(c->request, key, sizeof key);
		memcpy(c->request + sizeof key, iv, sizeof iv);
	}
	c->gen = stream_new(key, iv);
	c->sent_md = digest_new();
	if (verify) {
		c->expect = stream_new(key, iv);
		c->recv_md = digest_new();
	}
	c->diff_at = JGT_NO_DIFF;
	OPENSSL_cleanse(key, sizeof key);
}

/* Close the socket of a connection and free its crypto state. */
static void
conn_close(struct conn *c)
{
	if (c->dial != NULL) {
		event_free(c->dial);
		c->dial = NULL;
	}
	if (c->fd != -1) {
		close(c->fd);
		c->fd = -1;
	}
	if (c->bev != NULL) {
		conn_written(c);
		bufferevent_free(c->bev);
		c->bev = NULL;
	}
	EVP_CIPHER_CTX_free(c->gen);
	EVP_CIPHER_CTX_free(c->expect);
	EVP_MD_CTX_free(c->sent_md);
	EVP_MD_CTX_free(c->recv_md);
	c->gen = c->expect = NULL;
	c->sent_md = c->recv_md = NULL;
	c->state = CONN_DONE;
}

/* Return the local port of socket FD, or 0. */
static int
jgt_local_port(int fd)
{
	struct sockaddr_storage	ss;
	socklen_t		len = sizeof ss;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
		return 0;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return 0;
}

/* Wrap a connected socket in a bufferevent and hand it to the command. */
static void
conn_open(struct conn *c)
{
	struct run	*run = c->run;

	c->bev = bufferevent_socket_new(run->base, c->fd, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL)
		jgt_fatalx("bufferevent_socket_new failed");
	c->local_port = jgt_local_port(c->fd);
	c->fd = -1;
	c->state = CONN_OPEN;
	bufferevent_setcb(c->bev, run->readcb, run->writecb, run->eventcb, c);
	jgt_bev_tune(c->bev);
	bufferevent_setwatermark(c->bev, EV_WRITE, run->send_low, 0);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	run->opened(c);
}

/* Finish a connect that was in progress. */
static void
conn_dial_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn	*c = arg;
	socklen_t	 len = sizeof(int);
	int		 error = 0;

	(void)what;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) == -1)
		error = errno;
	event_free(c->dial);
	c->dial = NULL;
	if (error != 0) {
		close(c->fd);
		c->fd = -1;
		c->run->dial_failed(c, error);
		return;
	}
	conn_open(c);
}

/* Start connecting to the target. */
static void
conn_dial(struct conn *c)
{
	struct run	*run = c->run;
	int		 done;

	c->state = CONN_CONNECTING;
	if ((c->fd = jgt_dial(&run->addr, run->addrlen, &done)) == -1) {
		run->dial_failed(c, errno);
		return;
	}
	if (done) {
		conn_open(c);
		return;
	}
	c->dial = event_new(run->base, c->fd, EV_WRITE, conn_dial_cb, c);
	if (c->dial == NULL || event_add(c->dial, NULL) != 0)
		jgt_fatalx("cannot add connect event");
}

/*
 * Queue generated data up to the high-water mark. Once everything is
 * queued and written, send EOF if the command asks for it. Returns 0, or
 * -1 if the connection failed.
 */
static int
conn_fill(struct conn *c)
{
	struct run		*run = c->run;
	struct evbuffer		*out = bufferevent_get_output(c->bev);
	struct evbuffer_iovec	 iov;
	size_t			 n;

	while (c->queued < c->bytes &&
	    evbuffer_get_length(out) < run->send_high) {
		n = JGT_CHUNK;
		if (c->bytes - c->queued < n)
			n = c->bytes - c->queued;
		if (evbuffer_reserve_space(out, n, &iov, 1) != 1)
			jgt_fatalx("evbuffer_reserve_space failed");
		stream_fill(c->gen, iov.iov_base, n);
		digest_update(c->sent_md, iov.iov_base, n);
		iov.iov_len = n;
		if (evbuffer_commit_space(out, &iov, 1) != 0)
			jgt_fatalx("evbuffer_commit_space failed");
		c->queued += n;
	}
	if (c->queued < c->bytes || c->shut || !run->half_close)
		return 0;
	if (evbuffer_get_length(out) != 0) {
		/* Call back once the last byte is gone. */
		bufferevent_setwatermark(c->bev, EV_WRITE, 0, 0);
		return 0;
	}
	if (shutdown(bufferevent_getfd(c->bev), SHUT_WR) == -1) {
		conn_fail(c, "shutdown(SHUT_WR) after writing %" PRIu64
		    " bytes: %s", conn_written(c), strerror(errno));
		return -1;
	}
	c->shut = 1;
	return 0;
}

/* Hash received data and compare it with the expected stream. */
static void
conn_consume(struct conn *c, const u_char *buf, size_t n)
{
	size_t		 check, i;

	if (c->recv_md != NULL)
		digest_update(c->recv_md, buf, n);
	if (c->expect != NULL && c->diff_at == JGT_NO_DIFF) {
		if (c->received >= c->want)
			c->diff_at = c->received;
		else {
			check = n;
			if (c->want - c->received < check)
				check = c->want - c->received;
			stream_fill(c->expect, jgt_ebuf, check);
			/* --fetch: the hash of what should have come. */
			if (c->run->fetch > 0)
				digest_update(c->sent_md, jgt_ebuf, check);
			if (memcmp(buf, jgt_ebuf, check) != 0) {
				for (i = 0; buf[i] == jgt_ebuf[i]; i++)
					/* nothing */;
				c->diff_at = c->received + i;
			} else if (check < n)
				c->diff_at = c->received + check;
		}
	}
	c->received += n;
}

/* Read everything available into conn_consume. */
static void
conn_drain(struct conn *c)
{
	struct evbuffer	*in = bufferevent_get_input(c->bev);
	int		 n;

	while ((n = evbuffer_remove(in, jgt_rbuf, sizeof jgt_rbuf)) > 0)
		conn_consume(c, jgt_rbuf, n);
}

/* Describe a socket error seen on an open connection. */
static const char *
conn_error_text(int error)
{
	switch (error) {
	case ECONNRESET:
		return "connection reset by peer";
	case EPIPE:
		return "broken pipe (peer closed)";
	case 0:
		return "unknown socket error";
	default:
		return strerror(error);
	}
}

/* Set up the run's event base, signal handling and target. */
static void
run_init(struct run *run, const char *target)
{
	jgt_raise_nofile();
	if (jgt_resolve(target, 0, &run->addr, &run->addrlen) != 0)
		exit(JGT_EX_USAGE);
	run->target = target;
	if ((run->base = event_base_new()) == NULL)
		jgt_fatalx("event_base_new failed");
	if ((run->conns = calloc(run->nconns, sizeof *run->conns)) == NULL)
		jgt_fatalx("out of memory");
}

/* Start connecting every connection of a run. */
static void
run_dial_all(struct run *run)
{
	struct conn	*c;
	int		 i;

	for (i = 0; i < run->nconns; i++) {
		c = &run->conns[i];
		c->run = run;
		c->idx = i;
		c->fd = -1;
		c->diff_at = JGT_NO_DIFF;
		c->bytes = run->sizes != NULL ? run->sizes[i] : run->bytes;
		if (run->fetch > 0)
			c->want = run->fetch;
		else
			c->want = run->no_echo ? 0 : c->bytes;
	}
	for (i = 0; i < run->nconns; i++)
		conn_dial(&run->conns[i]);
}

/* Free everything a run holds. */
static void
run_free(struct run *run)
{
	int	i;

	for (i = 0; i < run->nconns; i++) {
		conn_close(&run->conns[i]);
		free(run->conns[i].why);
	}
	free(run->conns);
	free(run->sizes);
	if (run->timer != NULL)
		event_free(run->timer);
	if (run->resume != NULL)
		event_free(run->resume);
	event_base_free(run->base);
}

/* Stop the loop when a run's timer fires. */
static void
run_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct run	*run = arg;

	(void)fd;
	(void)what;
	run->timed_out = 1;
	event_base_loopbreak(run->base);
}

/* Mark a client connection finished; stop the loop after the last. */
static void
client_finish(struct conn *c)
{
	struct run	*run = c->run;

	if (c->state == CONN_DONE)
		return;
	conn_close(c);
	if (--run->pending == 0)
		event_base_loopbreak(run->base);
}

/* Judge a client connection whose peer sent EOF. */
static void
client_judge(struct conn *c)
{
	struct run	*run = c->run;
	char		 hs[2 * EVP_MAX_MD_SIZE + 1], hr[2 * EVP_MAX_MD_SIZE + 1];
	u_int		 len = (u_int)EVP_MD_get_size(jgt_md);

	if (!c->shut) {
		conn_fail(c, "peer closed the connection (EOF) before all data "
		    "was sent: wrote %" PRIu64 " of %" PRIu64 " bytes, "
		    "received %" PRIu64, conn_written(c), c->bytes,
		    c->received);
		return;
	}
	if (run->no_echo) {
		if (c->received != 0)
			conn_fail(c, "received %" PRIu64 " unexpected bytes "
			    "(--no-echo expects none)", c->received);
		return;
	}
	if (c->received < c->want) {
		if (c->diff_at != JGT_NO_DIFF)
			conn_fail(c, "closed early after %" PRIu64 " of %"
			    PRIu64 " bytes (EOF), and the data already "
			    "differed at byte %" PRIu64, c->received,
			    c->want, c->diff_at);
		else if (c->received == 0)
			conn_fail(c, "closed early: EOF before any of the %"
			    PRIu64 " bytes came back", c->want);
		else
			conn_fail(c, "closed early after %" PRIu64 " of %"
			    PRIu64 " bytes (EOF); the bytes received were "
			    "correct", c->received, c->want);
		return;
	}
	digest_final(&c->sent_md, c->sent_hash);
	digest_final(&c->recv_md, c->recv_hash);
	if (c->diff_at != JGT_NO_DIFF ||
	    memcmp(c->sent_hash, c->recv_hash, len) != 0) {
		jgt_hex(c->sent_hash, len, hs);
		jgt_hex(c->recv_hash, len, hr);
		conn_fail(c, "checksum mismatch: %s %" PRIu64 " bytes "
		    "sha256 %s, received %" PRIu64 " bytes sha256 %s, first "
		    "difference at byte %" PRIu64, run->fetch > 0 ?
		    "expected" : "sent", c->want, hs, c->received, hr,
		    c->diff_at);
	}
}

/* Let every open connection read again after --pause-read. */
static void
client_resume_cb(evutil_socket_t fd, short what, void *arg)
{
	struct run	*run = arg;
	int		 i;

	(void)fd;
	(void)what;
	run->pause_state = 2;
	for (i = 0; i < run->nconns; i++) {
		if (run->conns[i].state == CONN_OPEN)
			bufferevent_enable(run->conns[i].bev, EV_READ);
	}
	printf("%s: reading resumed after %.2f s\n", jgt_name,
	    jgt_now() - run->pause_start);
	fflush(stdout);
}

/* Leave what arrives unread until the pause ends (--pause-read). */
static void
client_pause(struct conn *c)
{
	struct run	*run = c->run;
	struct timeval	 tv;

	if (run->pause_state == 2)
		return;
	bufferevent_disable(c->bev, EV_READ);
	if (run->pause_state == 1)
		return;
	run->pause_state = 1;
	run->pause_start = jgt_now();
	run->resume = evtimer_new(run->base, client_resume_cb, run);
	jgt_timeval(run->pause_read, &tv);
	if (run->resume == NULL || evtimer_add(run->resume, &tv) != 0)
		jgt_fatalx("cannot add timer");
	printf("%s: connected; reading paused for %g s\n", jgt_name,
	    run->pause_read);
	fflush(stdout);
}

/* Start sending (the request first, with --fetch) once connected. */
static void
client_opened(struct conn *c)
{
	struct run	*run = c->run;

	run->connected++;
	if (run->fetch > 0 && evbuffer_add(bufferevent_get_output(c->bev),
	    c->request, sizeof c->request) != 0)
		jgt_fatalx("evbuffer_add failed");
	if (run->pause_read > 0)
		client_pause(c);
	if (conn_fill(c) != 0)
		client_finish(c);
}

/* Record a failed connect. */
static void
client_dial_failed(struct conn *c, int error)
{
	conn_fail(c, "connect to %s failed: %s", c->run->target,
	    strerror(error));
	client_finish(c);
}

/* Consume echoed data. */
static void
client_readcb(struct bufferevent *bev, void *arg)
{
	(void)bev;
	conn_drain(arg);
}

/* Queue more data when the output buffer runs low. */
static void
client_writecb(struct bufferevent *bev, void *arg)
{
	(void)bev;
	if (conn_fill(arg) != 0)
		client_finish(arg);
}

/* Handle EOF and errors on a client connection. */
static void
client_eventcb(struct bufferevent *bev, short what, void *arg)
{
	struct conn	*c = arg;
	int		 error = EVUTIL_SOCKET_ERROR();

	(void)bev;
	if (what & BEV_EVENT_EOF) {
		conn_drain(c);
		c->eof = 1;
		client_judge(c);
	} else if (what & BEV_EVENT_ERROR) {
		conn_fail(c, "%s after writing %" PRIu64 " of %" PRIu64
		    " bytes%s and receiving %" PRIu64, conn_error_text(error),
		    conn_written(c), c->bytes,
		    c->shut ? " (EOF sent)" : "", c->received);
	} else
		return;
	client_finish(c);
}

/* Print how far an unfinished client connection got. */
static void
client_show_progress(struct conn *c)
{
	if (c->state == CONN_CONNECTING) {
		jgt_warnx("connection %d: timed out while connecting", c->idx);
		return;
	}
	jgt_warnx("connection %d: timed out: wrote %" PRIu64 " of %" PRIu64
	    " bytes (%s), received %" PRIu64 " of %" PRIu64 " bytes "
	    "(no EOF yet)%s", c->idx, conn_written(c), c->bytes,
	    c->shut ? "EOF sent" : "EOF not sent", c->received, c->want,
	    c->diff_at != JGT_NO_DIFF ? ", data already differed" : "");
}

/* Return the next number of a seeded generator (splitmix64). */
static uint64_t
jgt_random_next(uint64_t *state)
{
	uint64_t	z;

	z = (*state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Give each connection a size from 0 to MAX drawn from SEED. */
static void
client_random_sizes(struct run *run, uint64_t max, uint64_t seed)
{
	uint64_t	state = seed;
	int		i;

	run->sizes = calloc(run->nconns, sizeof *run->sizes);
	if (run->sizes == NULL)
		jgt_fatalx("out of memory");
	for (i = 0; i < run->nconns; i++) {
		if (max == UINT64_MAX)
			run->sizes[i] = jgt_random_next(&state);
		else
			run->sizes[i] = jgt_random_next(&state) % (max + 1);
	}
}

/* Parse a plain unsigned number (a seed, a count); 0 or -1. */
static int
jgt_parse_u64(const char *s, uint64_t *out)
{
	unsigned long long	 v;
	char			*end;

	if (!isdigit((u_char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

/* Run the client command. */
static int
cmd_client(int argc, char **argv)
{
	static const struct option	 opts[] = {
		{ "connect", required_argument, NULL, 'c' },
		{ "bytes", required_argument, NULL, 'b' },
		{ "conns", required_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 't' },
		{ "no-echo", no_argument, NULL, 'E' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "fetch", required_argument, NULL, 'f' },
		{ "random-sizes", required_argument, NULL, 'r' },
		{ "seed", required_argument, NULL, 'S' },
		{ "pause-read", required_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 }
	};
	struct run	 run;
	const char	*target = NULL;
	char		 sizes[160] = "", hash[2 * EVP_MAX_MD_SIZE + 1];
	double		 timeout = 120, elapsed, total;
	uint64_t	 max_size = 0, seed = 0, smallest, largest, sum;
	int		 ch, i, have_bytes = 0, have_seed = 0, random = 0;
	int		 failed = 0, unfinished = 0;
	size_t		 budget;

	memset(&run, 0, sizeof run);
	run.nconns = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			target = optarg;
			break;
		case 'b':
			if (jgt_parse_size(optarg, &run.bytes) != 0)
				jgt_badarg("bytes", optarg);
			have_bytes = 1;
			break;
		case 'n':
			if (jgt_parse_count(optarg, &run.nconns) != 0)
				jgt_badarg("conns", optarg);
			break;
		case 't':
			if (jgt_parse_seconds(optarg, &timeout) != 0)
				jgt_badarg("timeout", optarg);
			break;
		case 'E':
			run.no_echo = 1;
			break;
		case 'q':
			run.quiet = 1;
			break;
		case 'f':
			if (jgt_parse_size(optarg, &run.fetch) != 0 ||
			    run.fetch == 0)
				jgt_badarg("fetch", optarg);
			break;
		case 'r':
			if (jgt_parse_size(optarg, &max_size) != 0)
				jgt_badarg("random-sizes", optarg);
			random = 1;
			break;
		case 'S':
			if (jgt_parse_u64(optarg, &seed) != 0)
				jgt_badarg("seed", optarg);
			have_seed = 1;
			break;
		case 'P':
			if (jgt_parse_seconds(optarg, &run.pause_read) != 0)
				jgt_badarg("pause-read", optarg);
			break;
		default:
			jgt_usage();
		}
	}
	/* Exactly one of --bytes, --random-sizes and --fetch. */
	if (optind != argc || target == NULL ||
	    have_bytes + random + (run.fetch > 0) != 1 ||
	    (have_seed && !random) || (run.fetch > 0 && run.no_echo))
		jgt_usage();

	/* Bound what all connections buffer together. */
	budget = JGT_SEND_BUDGET / run.nconns;
	if (budget > JGT_SEND_MAX)
		budget = JGT_SEND_MAX;
	if (budget < JGT_SEND_MIN)
		budget = JGT_SEND_MIN;
	run.send_high = budget;
	run.send_low = budget / 4;
	run.half_close = 1;
	run.opened = client_opened;
	run.dial_failed = client_dial_failed;
	run.readcb = client_readcb;
	run.writecb = client_writecb;
	run.eventcb = client_eventcb;
	run_init(&run, target);
	run.pending = run.nconns;
	if (random) {
		if (!have_seed) {
			if (RAND_bytes((u_char *)&seed, sizeof seed) != 1)
				jgt_fatal_ssl("RAND_bytes");
			seed >>= 12;	/* short enough to copy */
		}
		client_random_sizes(&run, max_size, seed);
	}
	for (i = 0; i < run.nconns; i++)
		conn_init_data(&run.conns[i], !run.no_echo, run.fetch > 0);

	run.timer = evtimer_new(run.base, run_timeout_cb, &run);
	jgt_timeval(timeout, &run.timeout);
	if (run.timer == NULL || evtimer_add(run.timer, &run.timeout) != 0)
		jgt_fatalx("cannot add timer");

	run.start = jgt_now();
	run_dial_all(&run);
	if (run.pending > 0)
		event_base_dispatch(run.base);
	elapsed = jgt_now() - run.start;

	sum = 0;
	smallest = UINT64_MAX;
	largest = 0;
	for (i = 0; i < run.nconns; i++) {
		if (run.conns[i].state != CONN_DONE) {
			client_show_progress(&run.conns[i]);
			unfinished++;
		} else if (run.conns[i].failed) {
			jgt_warnx("connection %d (local port %d): %s", i,
			    run.conns[i].local_port, run.conns[i].why ?
			    run.conns[i].why : "failed");
			failed++;
		}
		sum += run.fetch > 0 ? run.fetch : run.conns[i].bytes;
		if (run.conns[i].bytes < smallest)
			smallest = run.conns[i].bytes;
		if (run.conns[i].bytes > largest)
			largest = run.conns[i].bytes;
	}
	if (random)
		snprintf(sizes, sizeof sizes, "random sizes 0..%" PRIu64
		    " (seed %" PRIu64 ": smallest %" PRIu64 ", largest %"
		    PRIu64 ", total %" PRIu64 "), ", max_size, seed, smallest,
		    largest, sum);
	else
		snprintf(sizes, sizeof sizes, "%" PRIu64 " bytes each, ",
		    run.fetch > 0 ? run.fetch : run.bytes);
	total = (double)sum;
	if (elapsed <= 0)
		elapsed = 1e-9;
	if (failed == 0 && unfinished == 0) {
		if (run.quiet)
			;
		else if (run.fetch > 0) {
			jgt_hex(run.conns[0].recv_hash,
			    (size_t)EVP_MD_get_size(jgt_md), hash);
			printf("%s: %d connection%s, %" PRIu64 " bytes fetched "
			    "each, checksums match (first: sha256 %s), %.2f s, "
			    "%.1f MB/s (aggregate)\n", jgt_name, run.nconns,
			    run.nconns == 1 ? "" : "s", run.fetch, hash,
			    elapsed, total / elapsed / 1e6);
		} else if (random)
			printf("%s: %d connection%s, %sechoed, checksums "
			    "match, %.2f s, %.1f MB/s per direction "
			    "(aggregate)\n", jgt_name, run.nconns,
			    run.nconns == 1 ? "" : "s", sizes, elapsed,
			    total / elapsed / 1e6);
		else if (!run.no_echo)
			printf("%s: %d connection%s, %" PRIu64 " bytes each "
			    "way, checksums match, %.2f s, %.1f MB/s per "
			    "direction (aggregate)\n", jgt_name, run.nconns,
			    run.nconns == 1 ? "" : "s", run.bytes, elapsed,
			    total / elapsed / 1e6);
		else
			printf("%s: %d connection%s, %" PRIu64 " bytes sent "
			    "each, peer closed cleanly, %.2f s, %.1f MB/s "
			    "(aggregate)\n", jgt_name, run.nconns,
			    run.nconns == 1 ? "" : "s", run.bytes, elapsed,
			    total / elapsed / 1e6);
		run.result = 0;
	} else if (unfinished != 0) {
		jgt_warnx("timed out after %g s: %d of %d connections "
		    "unfinished, %d failed (%.*s)", timeout, unfinished,
		    run.nconns, failed, (int)strlen(sizes) - 2, sizes);
		run.result = JGT_EX_TIMEOUT;
	} else {
		jgt_warnx("FAILED: %d of %d connections failed (%s%.2f s)",
		    failed, run.nconns, sizes, elapsed);
		run.result = 1;
	}
	run_free(&run);
	return run.result;
}

/* Finish expect-close with a result and stop the loop. */
static void
expect_done(struct run *run, int result, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	if (result == 0) {
		printf("%s: ", jgt_name);
		vprintf(fmt, ap);
		putchar('\n');
	} else {
		fprintf(stderr, "%s: FAILED: ", jgt_name);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	va_end(ap);
	run->result = result;
	conn_close(&run->conns[0]);
	event_base_loopbreak(run->base);
}

/* Start sending, if asked to, once connected. */
static void
expect_opened(struct conn *c)
{
	if (c->run->bytes > 0 && conn_fill(c) != 0)
		expect_done(c->run, 1, "%s", c->why);
}

/* Fail on a refused connect. */
static void
expect_dial_failed(struct conn *c, int error)
{
	expect_done(c->run, 1, "connect to %s failed: %s", c->run->target,
	    strerror(error));
}

/* Fail if any data arrives, showing the start of it. */
static void
expect_readcb(struct bufferevent *bev, void *arg)
{
	struct conn	*c = arg;
	struct evbuffer	*in = bufferevent_get_input(bev);
	char		 show[4 * 64 + 1], *p = show;
	u_char		 buf[64];
	size_t		 len = evbuffer_get_length(in);
	ev_ssize_t	 n, i;

	if (len == 0)
		return;
	n = evbuffer_copyout(in, buf, sizeof buf);
	for (i = 0; i < n; i++) {
		if (isprint(buf[i]) && buf[i] != '\\')
			*p++ = buf[i];
		else
			p += sprintf(p, "\\x%02x", buf[i]);
	}
	*p = '\0';
	expect_done(c->run, 1, "expected a close from %s but received %zu "
	    "bytes of data after %.3f s: \"%s\"%s", c->run->target, len,
	    jgt_now() - c->run->start, show, (size_t)n < len ? "..." : "");
}

/* Keep sending the requested bytes. */
static void
expect_writecb(struct bufferevent *bev, void *arg)
{
	struct conn	*c = arg;

	(void)bev;
	if (conn_fill(c) != 0)
		expect_done(c->run, 1, "%s", c->why);
}

/* Succeed on EOF or reset. */
static void
expect_eventcb(struct bufferevent *bev, short what, void *arg)
{
	struct conn	*c = arg;
	struct run	*run = c->run;
	double		 t = jgt_now() - run->start;
	int		 error = EVUTIL_SOCKET_ERROR();

	if (evbuffer_get_length(bufferevent_get_input(bev)) != 0) {
		expect_readcb(bev, arg);
		return;
	}
	if (what & BEV_EVENT_EOF)
		expect_done(run, 0, "peer closed the connection (EOF) after "
		    "%.3f s, no data received", t);
	else if ((what & BEV_EVENT_ERROR) &&
	    (error == ECONNRESET || error == EPIPE))
		expect_done(run, 0, "peer closed the connection (%s) after "
		    "%.3f s, no data received", conn_error_text(error), t);
	else if (what & BEV_EVENT_ERROR)
		expect_done(run, 1, "connection to %s failed after %.3f s: %s",
		    run->target, t, conn_error_text(error));
}

/* Run the expect-close command. */
static int
cmd_expect_close(int argc, char **argv)
{
	static const struct option	 opts[] = {
		{ "connect", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ "send", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	struct run	 run;
	const char	*target = NULL;
	double		 timeout = 10;
	int		 ch;

	memset(&run, 0, sizeof run);
	run.nconns = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			target = optarg;
			break;
		case 't':
			if (jgt_parse_seconds(optarg, &timeout) != 0)
				jgt_badarg("timeout", optarg);
			break;
		case 's':
			if (jgt_parse_size(optarg, &run.bytes) != 0)
				jgt_badarg("send", optarg);
			break;
		default:
			jgt_usage();
		}
	}
	if (optind != argc || target == NULL)
		jgt_usage();

	run.send_high = JGT_SEND_MAX;
	run.send_low = JGT_SEND_MAX / 4;
	run.opened = expect_opened;
	run.dial_failed = expect_dial_failed;
	run.readcb = expect_readcb;
	run.writecb = expect_writecb;
	run.eventcb = expect_eventcb;
	run_init(&run, target);
	if (run.bytes > 0)
		conn_init_data(&run.conns[0], 0, 0);
	run.result = -1;

	run.timer = evtimer_new(run.base, run_timeout_cb, &run);
	jgt_timeval(timeout, &run.timeout);
	if (run.timer == NULL || evtimer_add(run.timer, &run.timeout) != 0)
		jgt_fatalx("cannot add timer");

	run.start = jgt_now();
	run_dial_all(&run);
	if (run.result == -1)
		event_base_dispatch(run.base);
	if (run.result == -1) {
		if (run.conns[0].state == CONN_CONNECTING)
			jgt_warnx("FAILED: connect to %s did not complete "
			    "within %g s", target, timeout);
		else
			jgt_warnx("FAILED: connection to %s still open after "
			    "%g s (no data received, %" PRIu64 " bytes sent)",
			    target, timeout, conn_written(&run.conns[0]));
		run.result = 1;
	}
	run_free(&run);
	return run.result;
}

/* Start the holding period once every connect has completed or failed. */
static void
hold_start(struct run *run)
{
	struct timeval	tv;

	evtimer_del(run->timer);
	if (run->connected == run->closed_early) {
		/* Nothing left to hold. */
		event_base_loopexit(run->base, NULL);
		return;
	}
	printf("%s: %d of %d connected, holding for %g s\n", jgt_name,
	    run->connected - run->closed_early, run->nconns, run->seconds);
	fflush(stdout);
	jgt_timeval(run->seconds, &tv);
	if (evtimer_add(run->timer, &tv) != 0)
		jgt_fatalx("cannot add timer");
}

/* Count a connect that completed or failed. */
static void
hold_resolved(struct run *run)
{
	if (--run->pending == 0)
		hold_start(run);
}

/* Count a successful connect. */
static void
hold_opened(struct conn *c)
{
	c->run->connected++;
	hold_resolved(c->run);
}

/* Count a failed connect. */
static void
hold_dial_failed(struct conn *c, int error)
{
	conn_fail(c, "connect failed: %s", strerror(error));
	conn_close(c);
	hold_resolved(c->run);
}

/* Discard anything the peer sends. */
static void
hold_readcb(struct bufferevent *bev, void *arg)
{
	struct conn	*c = arg;
	struct evbuffer	*in = bufferevent_get_input(bev);

	c->received += evbuffer_get_length(in);
	evbuffer_drain(in, evbuffer_get_length(in));
}

/* Nothing to write. */
static void
hold_writecb(struct bufferevent *bev, void *arg)
{
	(void)bev;
	(void)arg;
}

/* Count a connection closed by the peer. */
static void
hold_eventcb(struct bufferevent *bev, short what, void *arg)
{
	struct conn	*c = arg;
	int		 error = EVUTIL_SOCKET_ERROR();

	(void)bev;
	if (what & BEV_EVENT_EOF)
		conn_fail(c, "closed by peer (EOF) after %.3f s",
		    jgt_now() - c->run->start);
	else if (what & BEV_EVENT_ERROR)
		conn_fail(c, "closed by peer (%s) after %.3f s",
		    conn_error_text(error), jgt_now() - c->run->start);
	else
		return;
	c->run->closed_early++;
	conn_close(c);
	if (c->run->pending == 0 && c->run->connected == c->run->closed_early)
		event_base_loopexit(c->run->base, NULL);
}

/* Give up on connects that take too long, then hold the rest. */
static void
hold_connect_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct run	*run = arg;
	struct conn	*c;
	int		 i;

	(void)fd;
	(void)what;
	for (i = 0; i < run->nconns; i++) {
		c = &run->conns[i];
		if (c->state != CONN_CONNECTING)
			continue;
		conn_fail(c, "connect did not complete within %d s",
		    JGT_HOLD_CONNECT);
		conn_close(c);
	}
	run->pending = 0;
	hold_start(run);
}

/* End the holding period. */
static void
hold_end_cb(evutil_socket_t fd, short what, void *arg)
{
	struct run	*run = arg;

	(void)fd;
	(void)what;
	if (run->pending > 0) {
		hold_connect_timeout_cb(fd, what, arg);
		return;
	}
	event_base_loopexit(run->base, NULL);
}

/* Run the hold command. */
static int
cmd_hold(int argc, char **argv)
{
	static const struct option	 opts[] = {
		{ "connect", required_argument, NULL, 'c' },
		{ "conns", required_argument, NULL, 'n' },
		{ "seconds", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 }
	};
	struct run	 run;
	struct timeval	 tv;
	const char	*target = NULL;
	int		 ch, i, shown = 0, failed_connect;

	memset(&run, 0, sizeof run);
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			target = optarg;
			break;
		case 'n':
			if (jgt_parse_count(optarg, &run.nconns) != 0)
				jgt_badarg("conns", optarg);
			break;
		case 's':
			if (jgt_parse_seconds(optarg, &run.seconds) != 0)
				jgt_badarg("seconds", optarg);
			break;
		default:
			jgt_usage();
		}
	}
	if (optind != argc || target == NULL || run.nconns == 0 ||
	    run.seconds == 0)
		jgt_usage();

	run.send_low = 0;
	run.opened = hold_opened;
	run.dial_failed = hold_dial_failed;
	run.readcb = hold_readcb;
	run.writecb = hold_writecb;
	run.eventcb = hold_eventcb;
	run_init(&run, target);
	run.pending = run.nconns;

	/* One timer: first the connect limit, then the holding period. */
	run.timer = evtimer_new(run.base, hold_end_cb, &run);
	tv.tv_sec = JGT_HOLD_CONNECT;
	tv.tv_usec = 0;
	if (run.timer == NULL || evtimer_add(run.timer, &tv) != 0)
		jgt_fatalx("cannot add timer");

	run.start = jgt_now();
	run_dial_all(&run);
	event_base_dispatch(run.base);

	failed_connect = run.nconns - run.connected;
	for (i = 0; i < run.nconns; i++) {
		if (!run.conns[i].failed)
			continue;
		if (shown++ < JGT_SHOW_FAILURES)
			jgt_warnx("connection %d (local port %d): %s", i,
			    run.conns[i].local_port, run.conns[i].why ?
			    run.conns[i].why : "failed");
	}
	if (shown > JGT_SHOW_FAILURES)
		jgt_warnx("(%d more failures not shown)",
		    shown - JGT_SHOW_FAILURES);
	printf("%s: %d connection%s, %d connected, %d failed to connect, "
	    "%d closed early by peer, %d open at the end (held %g s)\n",
	    jgt_name, run.nconns, run.nconns == 1 ? "" : "s", run.connected,
	    failed_connect, run.closed_early,
	    run.connected - run.closed_early, run.seconds);
	run.result = (failed_connect == 0 && run.closed_early == 0) ? 0 : 1;
	if (run.result != 0)
		jgt_warnx("FAILED: not every connection stayed open");
	run_free(&run);
	return run.result;
}

/* Free an echo connection. */
static void
echo_close(struct echo_conn *ec)
{
	TAILQ_REMOVE(&ec->echo->conns, ec, entry);
	bufferevent_free(ec->bev);
	EVP_CIPHER_CTX_free(ec->gen);
	free(ec);
}

/* Close with a reset (SO_LINGER 0): the peer gets RST, not FIN. */
static void
echo_reset(struct echo_conn *ec)
{
	struct linger	lg = { 1, 0 };

	if (setsockopt(bufferevent_getfd(ec->bev), SOL_SOCKET, SO_LINGER, &lg,
	    sizeof lg) != 0)
		jgt_warnx("setsockopt(SO_LINGER): %s", strerror(errno));
	ec->echo->resets++;
	jgt_warnx("connection %" PRIu64 ": reset after %" PRIu64 " bytes "
	    "received (--reset-after %" PRIu64 ")", ec->idx, ec->received,
	    ec->echo->reset_after);
	echo_close(ec);
}

/* Count what arrived; reset if --reset-after says so. 0, or -1 if gone. */
static int
echo_count(struct echo_conn *ec, size_t len)
{
	struct echo	*echo = ec->echo;

	ec->received += len;
	echo->bytes += len;
	if (echo->reset_after == 0 || ec->received < echo->reset_after ||
	    (echo->reset_conn != 0 && echo->reset_conn != ec->idx))
		return 0;
	echo_reset(ec);
	return -1;
}

/* All of --source is out and the peer sent EOF: close. */
static void
source_end(struct echo_conn *ec)
{
	if (!ec->done) {
		shutdown(bufferevent_getfd(ec->bev), SHUT_WR);
		ec->done = 1;
		ec->echo->sourced++;
	}
	/* Closing before the peer's EOF could turn unread data into RST. */
	if (ec->eof)
		echo_close(ec);
}

/* Queue more of the --source stream; finish once all of it is out. */
static void
source_fill(struct echo_conn *ec)
{
	struct echo		*echo = ec->echo;
	struct evbuffer		*out = bufferevent_get_output(ec->bev);
	struct evbuffer_iovec	 iov;
	size_t			 n;

	while (ec->sent < echo->source &&
	    evbuffer_get_length(out) < JGT_ECHO_HIGH) {
		n = JGT_CHUNK;
		if (echo->source - ec->sent < n)
			n = echo->source - ec->sent;
		if (evbuffer_reserve_space(out, n, &iov, 1) != 1)
			jgt_fatalx("evbuffer_reserve_space failed");
		stream_fill(ec->gen, iov.iov_base, n);
		iov.iov_len = n;
		if (evbuffer_commit_space(out, &iov, 1) != 0)
			jgt_fatalx("evbuffer_commit_space failed");
		ec->sent += n;
	}
	if (ec->sent < echo->source)
		return;
	if (evbuffer_get_length(out) == 0)
		source_end(ec);
	else
		bufferevent_setwatermark(ec->bev, EV_WRITE, 0, 0);
}

/* Take the request (key and IV) of --source, then discard input. */
static void
source_read(struct echo_conn *ec)
{
	struct evbuffer	*in = bufferevent_get_input(ec->bev);
	u_char		 req[JGT_REQUEST];

	if (ec->gen == NULL) {
		if (evbuffer_get_length(in) < sizeof req)
			return;
		evbuffer_remove(in, req, sizeof req);
		ec->echo->bytes += sizeof req;
		ec->gen = stream_new(req, req + 16);
		OPENSSL_cleanse(req, sizeof req);
		evbuffer_drain(in, evbuffer_get_length(in));
		source_fill(ec);
		return;
	}
	evbuffer_drain(in, evbuffer_get_length(in));
}

/* Send EOF after the last echoed byte and close. */
static void
echo_finish(struct echo_conn *ec)
{
	shutdown(bufferevent_getfd(ec->bev), SHUT_WR);
	echo_close(ec);
}

/* Log an echo connection error, a limited number of times. */
static void
echo_warn(struct echo *echo, const char *what, int error)
{
	echo->errors++;
	if (echo->errors <= JGT_ECHO_WARNINGS)
		jgt_warnx("connection error while %s: %s", what,
		    conn_error_text(error));
	if (echo->errors == JGT_ECHO_WARNINGS)
		jgt_warnx("further connection errors are only counted");
}

/*
 * Echo (or discard) what arrives, pausing while output is high. Returns 0,
 * or -1 if the connection was reset (--reset-after) and freed.
 */
static int
echo_take(struct echo_conn *ec)
{
	struct bufferevent	*bev = ec->bev;
	struct evbuffer		*in = bufferevent_get_input(bev);
	struct evbuffer		*out = bufferevent_get_output(bev);
	size_t			 len = evbuffer_get_length(in);

	if (echo_count(ec, len) != 0)
		return -1;
	if (ec->echo->sink) {
		evbuffer_drain(in, len);
		return 0;
	}
	evbuffer_add_buffer(out, in);
	if (evbuffer_get_length(out) > JGT_ECHO_HIGH && !ec->paused) {
		bufferevent_disable(bev, EV_READ);
		ec->paused = 1;
	}
	return 0;
}

/* Handle arriving data. */
static void
echo_readcb(struct bufferevent *bev, void *arg)
{
	struct echo_conn	*ec = arg;

	(void)bev;
	if (ec->echo->source > 0)
		source_read(ec);
	else
		echo_take(ec);
}

/* Resume reading once output drains; close after the final byte. */
static void
echo_writecb(struct bufferevent *bev, void *arg)
{
	struct echo_conn	*ec = arg;
	size_t			 len = evbuffer_get_length(
				     bufferevent_get_output(bev));

	if (ec->echo->source > 0) {
		if (ec->gen != NULL && !ec->done)
			source_fill(ec);
		return;
	}
	if (ec->eof) {
		if (len == 0)
			echo_finish(ec);
		return;
	}
	if (ec->paused && len <= JGT_ECHO_LOW) {
		ec->paused = 0;
		bufferevent_enable(bev, EV_READ);
	}
}

/* Handle the client's EOF and errors. */
static void
echo_eventcb(struct bufferevent *bev, short what, void *arg)
{
	struct echo_conn	*ec = arg;
	int			 error = EVUTIL_SOCKET_ERROR();

	if ((what & BEV_EVENT_EOF) && ec->echo->source > 0) {
		ec->eof = 1;
		/* Before a whole request there is nothing to send. */
		if (ec->gen == NULL || ec->done)
			echo_close(ec);
		/* Otherwise source_end closes once all is out. */
	} else if (what & BEV_EVENT_EOF) {
		ec->eof = 1;
		if (echo_take(ec) != 0)
			return;
		if (ec->echo->sink) {
			echo_close(ec);
			return;
		}
		if (evbuffer_get_length(bufferevent_get_output(bev)) == 0) {
			echo_finish(ec);
			return;
		}
		bufferevent_setwatermark(bev, EV_WRITE, 0, 0);
		bufferevent_enable(bev, EV_WRITE);
	} else if (what & BEV_EVENT_ERROR) {
		echo_warn(ec->echo,
		    what & BEV_EVENT_READING ? "reading" : "writing", error);
		echo_close(ec);
	}
}

/* Accept a connection. */
static void
echo_accept_cb(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct echo		*echo = arg;
	struct echo_conn	*ec;

	(void)l;
	(void)sa;
	(void)salen;
	if ((ec = calloc(1, sizeof *ec)) == NULL) {
		jgt_warnx("out of memory, dropping a connection");
		close(fd);
		return;
	}
	ec->echo = echo;
	ec->bev = bufferevent_socket_new(echo->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (ec->bev == NULL) {
		jgt_warnx("bufferevent_socket_new failed, dropping a "
		    "connection");
		close(fd);
		free(ec);
		return;
	}
	TAILQ_INSERT_TAIL(&echo->conns, ec, entry);
	ec->idx = ++echo->accepted;
	bufferevent_setcb(ec->bev, echo_readcb, echo_writecb, echo_eventcb, ec);
	jgt_bev_tune(ec->bev);
	bufferevent_setwatermark(ec->bev, EV_WRITE, JGT_ECHO_LOW, 0);
	bufferevent_enable(ec->bev, EV_READ | EV_WRITE);
}

/* Resume accepting after running out of descriptors. */
static void
echo_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	struct echo	*echo = arg;

	(void)fd;
	(void)what;
	echo->paused_accept = 0;
	evconnlistener_enable(echo->listener);
}

/* Back off on accept errors instead of spinning. */
static void
echo_accept_error_cb(struct evconnlistener *l, void *arg)
{
	struct echo	*echo = arg;
	struct timeval	 tv = { 0, 100000 };
	int		 error = EVUTIL_SOCKET_ERROR();

	if (error == EINTR || error == EAGAIN || error == ECONNABORTED)
		return;
	if (!echo->paused_accept)
		jgt_warnx("accept: %s; pausing for 100 ms", strerror(error));
	echo->paused_accept = 1;
	evconnlistener_disable(l);
	evtimer_add(echo->retry, &tv);
}

/* Stop the loop on SIGTERM or SIGINT. */
static void
echo_signal_cb(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	event_base_loopbreak(arg);
}

/* Write the port atomically (temporary file, then rename). */
static void
echo_write_port_file(const char *path, int port)
{
	FILE	*f;
	char	*tmp;

	if (asprintf(&tmp, "%s.tmp.%ld", path, (long)getpid()) == -1)
		jgt_fatalx("out of memory");
	if ((f = fopen(tmp, "w")) == NULL)
		jgt_fatalx("%s: %s", tmp, strerror(errno));
	fprintf(f, "%d\n", port);
	if (fflush(f) != 0 || ferror(f) || fclose(f) != 0)
		jgt_fatalx("%s: write failed: %s", tmp, strerror(errno));
	if (rename(tmp, path) != 0)
		jgt_fatalx("rename %s to %s: %s", tmp, path, strerror(errno));
	free(tmp);
}

/* Run the echo-server command. */
static int
cmd_echo_server(int argc, char **argv)
{
	static const struct option	 opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "port-file", required_argument, NULL, 'p' },
		{ "sink", no_argument, NULL, 's' },
		{ "source", required_argument, NULL, 'S' },
		{ "reset-after", required_argument, NULL, 'r' },
		{ "reset-conn", required_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 }
	};
	struct echo		 echo;
	struct echo_conn	*ec;
	struct sockaddr_storage	 ss;
	struct event		*sigterm, *sigint;
	const char		*listen = "127.0.0.1:0", *port_file = NULL;
	socklen_t		 sslen;
	uint64_t		 open;
	int			 ch, port;

	memset(&echo, 0, sizeof echo);
	TAILQ_INIT(&echo.conns);
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'l':
			listen = optarg;
			break;
		case 'p':
			port_file = optarg;
			break;
		case 's':
			echo.sink = 1;
			break;
		case 'S':
			if (jgt_parse_size(optarg, &echo.source) != 0 ||
			    echo.source == 0)
				jgt_badarg("source", optarg);
			break;
		case 'r':
			if (jgt_parse_size(optarg, &echo.reset_after) != 0 ||
			    echo.reset_after == 0)
				jgt_badarg("reset-after", optarg);
			break;
		case 'R':
			if (jgt_parse_u64(optarg, &echo.reset_conn) != 0 ||
			    echo.reset_conn == 0)
				jgt_badarg("reset-conn", optarg);
			break;
		default:
			jgt_usage();
		}
	}
	if (optind != argc || (echo.sink && echo.source > 0) ||
	    (echo.source > 0 && echo.reset_after > 0) ||
	    (echo.reset_conn > 0 && echo.reset_after == 0))
		jgt_usage();

	if (jgt_resolve(listen, AI_NUMERICHOST | AI_PASSIVE, &ss, &sslen) != 0)
		jgt_badarg("listen", listen);
	jgt_raise_nofile();
	if ((echo.base = event_base_new()) == NULL)
		jgt_fatalx("event_base_new failed");
	echo.listener = evconnlistener_new_bind(echo.base, echo_accept_cb,
	    &echo, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE |
	    LEV_OPT_CLOSE_ON_EXEC, 4096, (struct sockaddr *)&ss, (int)sslen);
	if (echo.listener == NULL)
		jgt_fatalx("cannot listen on %s: %s", listen, strerror(errno));
	evconnlistener_set_error_cb(echo.listener, echo_accept_error_cb);
	echo.retry = evtimer_new(echo.base, echo_retry_cb, &echo);
	sigterm = evsignal_new(echo.base, SIGTERM, echo_signal_cb, echo.base);
	sigint = evsignal_new(echo.base, SIGINT, echo_signal_cb, echo.base);
	if (echo.retry == NULL || sigterm == NULL || sigint == NULL ||
	    evsignal_add(sigterm, NULL) != 0 || evsignal_add(sigint, NULL) != 0)
		jgt_fatalx("cannot set up events");

	sslen = sizeof ss;
	if (getsockname(evconnlistener_get_fd(echo.listener),
	    (struct sockaddr *)&ss, &sslen) != 0)
		jgt_fatalx("getsockname: %s", strerror(errno));
	if (ss.ss_family == AF_INET6)
		port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	else if (ss.ss_family == AF_UNIX)
		port = 0;	/* a Unix socket: the file says it is up */
	else
		port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (port_file != NULL)
		echo_write_port_file(port_file, port);
	if (echo.source > 0)
		jgt_warnx("sending %" PRIu64 " bytes to each client on %s, "
		    "port %d", echo.source, listen, port);
	else
		jgt_warnx("%s on %s, port %d", echo.sink ? "discarding" :
		    "echoing", listen, port);

	event_base_dispatch(echo.base);

	open = 0;
	while ((ec = TAILQ_FIRST(&echo.conns)) != NULL) {
		echo_close(ec);
		open++;
	}
	jgt_warnx("exiting: %" PRIu64 " connections accepted, %" PRIu64
	    " still open, %" PRIu64 " bytes %s, %" PRIu64 " connection errors, "
	    "%" PRIu64 " reset, %" PRIu64 " fully sent (--source)",
	    echo.accepted, open, echo.bytes, echo.sink ? "discarded" :
	    echo.source > 0 ? "received" : "echoed", echo.errors, echo.resets,
	    echo.sourced);
	event_free(sigterm);
	event_free(sigint);
	event_free(echo.retry);
	evconnlistener_free(echo.listener);
	event_base_free(echo.base);
	return 0;
}

/* Return whether 127.0.0.1:PORT (0: any) can be bound now; *PORT gets it. */
static int
free_port_try(int *port)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof sin;
	int			fd, ok;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		jgt_fatalx("socket: %s", strerror(errno));
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((uint16_t)*port);
	ok = bind(fd, (struct sockaddr *)&sin, sizeof sin) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sin, &len) == 0;
	if (ok)
		*port = ntohs(sin.sin_port);
	close(fd);
	return ok;
}

/*
 * Run the free-port command: print a port that was free a moment ago,
 * chosen at random below the kernel's ephemeral range, so that no
 * outgoing connection of the test (whose local port comes from that
 * range) can take it before the server that was given it binds it.
 */
static int
cmd_free_port(int argc, char **argv)
{
	FILE		*f;
	unsigned	 pick;
	int		 low = 0, high = 0, port, i;

	(void)argv;
	if (argc != 1)
		jgt_usage();
	if ((f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "re")) !=
	    NULL) {
		if (fscanf(f, "%d %d", &low, &high) != 2)
			low = 0;
		fclose(f);
	}
	for (i = 0; low > 11024 && i < 200; i++) {
		if (RAND_bytes((unsigned char *)&pick, sizeof pick) != 1)
			break;
		port = 10000 + (int)(pick % (unsigned)(low - 10000));
		if (free_port_try(&port)) {
			printf("%d\n", port);
			return 0;
		}
	}
	port = 0;
	if (!free_port_try(&port))
		jgt_fatalx("bind 127.0.0.1:0: %s", strerror(errno));
	printf("%d\n", port);
	return 0;
}

/* Compare two doubles for qsort. */
static int
ping_cmp(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * Send LEN bytes of BUF on blocking FD and read as many back before
 * DEADLINE (jgt_now seconds). Returns 0, or -1 with a warning.
 */
static int
ping_once(int fd, const u_char *buf, size_t len, double deadline)
{
	u_char		 back[64];
	struct pollfd	 pfd = { fd, POLLIN, 0 };
	size_t		 got = 0;
	ssize_t		 n;
	int		 ms;

	if (send(fd, buf, len, MSG_NOSIGNAL) != (ssize_t)len) {
		jgt_warnx("send: %s", strerror(errno));
		return -1;
	}
	while (got < len) {
		ms = (int)((deadline - jgt_now()) * 1000);
		if (ms <= 0 || poll(&pfd, 1, ms) != 1) {
			jgt_warnx("no answer within the timeout");
			return -1;
		}
		n = recv(fd, back + got, len - got, 0);
		if (n <= 0) {
			jgt_warnx("connection closed after %zu of %zu bytes",
			    got, len);
			return -1;
		}
		got += n;
	}
	if (memcmp(back, buf, len) != 0) {
		jgt_warnx("the echo differs from what was sent");
		return -1;
	}
	return 0;
}

/* Run the ping command: round trips on one connection. */
static int
cmd_ping(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "connect", required_argument, NULL, 'c' },
		{ "count", required_argument, NULL, 'n' },
		{ "interval", required_argument, NULL, 'i' },
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 }
	};
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	const char		*connect_to = NULL;
	double			 interval = 0.1, timeout = 10, t0, *rtt;
	u_char			 buf[64];
	int			 count = 10, ch, fd, one = 1, i;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			connect_to = optarg;
			break;
		case 'n':
			if (jgt_parse_count(optarg, &count) != 0)
				jgt_badarg("count", optarg);
			break;
		case 'i':
			if (jgt_parse_seconds(optarg, &interval) != 0)
				jgt_badarg("interval", optarg);
			break;
		case 't':
			if (jgt_parse_seconds(optarg, &timeout) != 0)
				jgt_badarg("timeout", optarg);
			break;
		default:
			jgt_usage();
		}
	}
	if (connect_to == NULL || optind != argc)
		jgt_usage();
	if (jgt_resolve(connect_to, 0, &ss, &sslen) != 0)
		return 1;
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		jgt_fatalx("socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&ss, sslen) != 0) {
		jgt_warnx("connect to %s: %s", connect_to, strerror(errno));
		return 1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if ((rtt = calloc(count, sizeof *rtt)) == NULL)
		jgt_fatalx("out of memory");
	/* The first round trip waits for the tunnel's channel: not counted. */
	memset(buf, '-', sizeof buf);
	if (ping_once(fd, buf, sizeof buf, jgt_now() + timeout) != 0) {
		printf("%s: the first round trip to %s failed\n", jgt_name,
		    connect_to);
		close(fd);
		return 1;
	}
	for (i = 0; i < count; i++) {
		memset(buf, 'a' + i % 26, sizeof buf);
		t0 = jgt_now();
		if (ping_once(fd, buf, sizeof buf, t0 + timeout) != 0) {
			printf("%s: round trip %d of %d to %s failed\n",
			    jgt_name, i + 1, count, connect_to);
			free(rtt);
			close(fd);
			return 1;
		}
		rtt[i] = (jgt_now() - t0) * 1000;
		if (i + 1 < count)
			usleep((useconds_t)(interval * 1e6));
	}
	close(fd);
	qsort(rtt, count, sizeof *rtt, ping_cmp);
	printf("%s: %d round trips of 64 bytes to %s: min %.2f median %.2f "
	    "p90 %.2f max %.2f ms\n", jgt_name, count, connect_to, rtt[0],
	    rtt[count / 2], rtt[count * 9 / 10], rtt[count - 1]);
	free(rtt);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct {
		const char	*name;
		int		(*fn)(int, char **);
	} cmds[] = {
		{ "echo-server", cmd_echo_server },
		{ "client", cmd_client },
		{ "expect-close", cmd_expect_close },
		{ "hold", cmd_hold },
		{ "ping", cmd_ping },
		{ "free-port", cmd_free_port },
	};
	static char	 name[64];
	size_t		 i;
	int		 rc;

	if (argc < 2)
		jgt_usage();
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
		if (strcmp(argv[1], cmds[i].name) != 0)
			continue;
		snprintf(name, sizeof name, "jgt %s", cmds[i].name);
		jgt_name = name;
		jgt_crypto_init();
		rc = cmds[i].fn(argc - 1, argv + 1);
		jgt_crypto_free();
		libevent_global_shutdown();
		return rc;
	}
	if (strcmp(argv[1], "-h") != 0 && strcmp(argv[1], "--help") != 0)
		jgt_warnx("unknown command '%s'", argv[1]);
	jgt_usage();
}

/* A forwarded connection: local socket <-> SSH channel, both ways. */
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/util.h>

#include "compat.h"
#include "config.h"
#include "conn.h"
#include "conn_half.h"
#include "hop.h"
#include "log.h"
#include "socks_handshake.h"
#include "stream.h"
#include "tunnel.h"
#include "xmalloc.h"

/* Stop reading the client while this much waits for the channel. */
#define CONN_INPUT_HIGH		(256 * 1024)
/* Stop reading the channel while this much waits for the client... */
#define CONN_OUTPUT_HIGH	(256 * 1024)
/* ...and look again once it is down to this. */
#define CONN_OUTPUT_LOW		(64 * 1024)
/* Room for a target as logs show it: unix:PATH or [ADDRESS]:PORT. */
#define CONN_TARGET_MAX		(NI_MAXHOST + 128)

/*
 * Where a connection is before data flows. A SOCKS connection learns its
 * target from the client first, and one refused lingers until the client
 * has read the reply and closed.
 */
enum conn_state {
	CONN_SOCKS,		/* SOCKS: reading the client's request */
	CONN_SOCKS_REFUSED,	/* SOCKS: reply sent, waiting for the close */
	CONN_WAITING,		/* local forward: channel being opened */
	CONN_CONNECTING,	/* remote forward: connecting to the target */
	CONN_OPEN
};

struct conn {
	TAILQ_ENTRY(conn)	 entry;
	struct tunnel		*tunnel;
	struct hop		*hop;
	struct hop_channel	*hc;
	struct stream		*sock;		/* the local side */
	enum conn_state		 state;
	enum conn_half		 up;		/* client -> target, and */
	enum conn_half		 down;		/* target -> client: changed
						   only by conn_set_half */
	char			*host;		/* the target: TCP, or */
	int			 port;
	char			*path;		/* ... a Unix socket (host NULL) */
	uint64_t		 bytes_up;	/* client -> target */
	uint64_t		 bytes_down;	/* target -> client */
	struct timespec		 started;
	time_t			 active_at;	/* last byte moved (monotonic) */
	struct event		*ev_idle;	/* client_idle_timeout */
	struct socks_handshake	*socks;		/* until the reply is sent */
	struct event		*ev_socks;	/* connect_timeout for it */
	char			*refused;	/* why a SOCKS request was */
	char			 peer[NI_MAXHOST + 8];
};

static TAILQ_HEAD(, conn) conn_list = TAILQ_HEAD_INITIALIZER(conn_list);

static void	conn_channel_opened(void *);
static void	conn_channel_failed(void *, const char *);
static int	conn_pump(void *);
static void	conn_channel_lost(void *, const char *);
static void	conn_set_marks(struct conn *);
static void	conn_readable(void *);
static void	conn_drained(void *);
static void	conn_sock_failed(void *, const char *);
static void	conn_target_connected(void *);
static void	conn_idle_start(struct conn *);
static void	conn_socks_read(struct conn *);
static void	conn_socks_linger(struct conn *);
static void	conn_socks_refuse(struct conn *, int, const char *);

static const struct hop_channel_ops conn_channel_ops = {
	conn_channel_opened,
	conn_channel_failed,
	conn_pump,
	conn_channel_lost
};

static const struct stream_ops conn_stream_ops = {
	conn_readable,
	conn_drained,
	conn_sock_failed,
	conn_target_connected
};

/* Write the connection's target, host:port or unix:path, into BUF. */
static const char *
conn_target(const struct conn *c, char *buf, size_t len)
{
	return config_endpoint_format(c->host, c->port, c->path, buf, len);
}

/* Close a connection: give the channel back, log a summary, free. */
static void
conn_close(struct conn *c, const char *why)
{
	struct timespec	now;
	double		secs;

	if (c->hc != NULL) {
		hop_channel_close(c->hc);
		c->hc = NULL;
	}
	tunnel_conn_gone(c->tunnel);
	if (c->ev_idle != NULL)
		event_free(c->ev_idle);
	if (c->ev_socks != NULL)
		event_free(c->ev_socks);
	free(c->socks);
	if (c->refused != NULL)
		why = c->refused;
	clock_gettime(CLOCK_MONOTONIC, &now);
	secs = (now.tv_sec - c->started.tv_sec) +
	    (now.tv_nsec - c->started.tv_nsec) / 1e9;
	log_info("tunnel %s: connection from %s closed (%s): %" PRIu64
	    " bytes up, %" PRIu64 " bytes down, %.1f s",
	    tunnel_name(c->tunnel), c->peer, why, c->bytes_up, c->bytes_down,
	    secs);
	stream_free(c->sock);
	TAILQ_REMOVE(&conn_list, c, entry);
	free(c->refused);
	free(c->host);
	free(c->path);
	free(c);
}

/* The channel is open: start moving data. */
static void
conn_channel_opened(void *arg)
{
	struct conn	*c = arg;

	c->state = CONN_OPEN;
	log_debug("tunnel %s: connection from %s: channel open",
	    tunnel_name(c->tunnel), c->peer);
	if (c->socks != NULL) {
		socks_handshake_reply(c->socks, stream_output(c->sock),
		    SOCKS5_SUCCEEDED);
		stream_flush(c->sock);
		free(c->socks);
		c->socks = NULL;
	}
}

/* The channel could not be opened. */
static void
conn_channel_failed(void *arg, const char *reason)
{
	struct conn	*c = arg;
	int		 code;
	char		*why;

	tunnel_set_error(c->tunnel, reason);
	if (c->socks == NULL) {
		c->hc = NULL;
		conn_close(c, reason);
		return;
	}
	code = socks_reply_for_open_error(hop_channel_open_error(c->hc));
	c->hc = NULL;
	xasprintf(&why, "%s; SOCKS reply %d, %s", reason, code,
	    socks_reply_name(code));
	conn_socks_refuse(c, code, why);
	free(why);
}

/* The hop's session went away under an open channel. */
static void
conn_channel_lost(void *arg, const char *reason)
{
	struct conn	*c = arg;
	char		*why;

	c->hc = NULL;
	xasprintf(&why, "hop %s lost: %s", hop_name(c->hop), reason);
	conn_close(c, why);
	free(why);
}

/* Return the monotonic clock in whole seconds (coarse: cheap). */
static time_t
conn_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return ts.tv_sec;
}

/* Note that a byte moved, for client_idle_timeout. */
static void
conn_touch(struct conn *c)
{
	if (c->ev_idle != NULL)
		c->active_at = conn_now();
}

/*
 * Idle timer: close the connection if no byte moved for client_idle_timeout
 * seconds, else look again when that would be the case. The timer is not
 * moved on every byte: a pump only notes the time.
 */
static void
conn_idle_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn	*c = arg;
	int		 timeout = tunnel_config(c->tunnel)->client_idle_timeout;
	time_t		 idle = conn_now() - c->active_at;
	struct timeval	 tv = { 0, 0 };
	char		*why;

	(void)fd;
	(void)what;
	if (timeout == 0)
		return;		/* a reload turned it off */
	if (idle < timeout) {
		tv.tv_sec = timeout - idle;
		evtimer_add(c->ev_idle, &tv);
		return;
	}
	xasprintf(&why, "no byte either way for %lld s: client_idle_timeout",
	    (long long)idle);
	conn_close(c, why);
	free(why);
}

/* Arm the idle timer if the tunnel has a client_idle_timeout. */
static void
conn_idle_start(struct conn *c)
{
	struct timeval	tv = { tunnel_config(c->tunnel)->client_idle_timeout,
			    0 };

	if (tv.tv_sec == 0)
		return;
	c->ev_idle = evtimer_new(tunnel_base(c->tunnel), conn_idle_cb, c);
	if (c->ev_idle == NULL)
		fatal("out of memory");
	c->active_at = conn_now();
	evtimer_add(c->ev_idle, &tv);
}

/*
 * Move one direction (UP or down) to STATE, logging the change. Only the
 * next state is taken (conn_half.h); any other move is a bug, warned about
 * and refused, leaving the state as it was.
 */
static void
conn_set_half(struct conn *c, int up, enum conn_half state)
{
	enum conn_half	*half = up ? &c->up : &c->down;
	enum conn_half	 was = *half;

	if (conn_half_set(half, state) != 0) {
		log_warn("tunnel %s: connection from %s: %s %s -> %s refused "
		    "(a direction goes open, drain, closed)",
		    tunnel_name(c->tunnel), c->peer, up ? "up" : "down",
		    conn_half_name(was), conn_half_name(state));
		return;
	}
	log_debug("tunnel %s: connection from %s: %s %s -> %s",
	    tunnel_name(c->tunnel), c->peer, up ? "up" : "down",
	    conn_half_name(was), conn_half_name(state));
}

/* Move target -> client data while the client keeps up. */
static int
conn_pump_down(struct conn *c, int *closed)
{
	size_t	got;
	int	rc, progress = 0;

	if (c->down != CONN_HALF_OPEN)
		return 0;
	rc = hop_channel_read_into(c->hc, stream_output(c->sock),
	    CONN_OUTPUT_HIGH, &got);
	if (got > 0) {
		c->bytes_down += got;
		tunnel_count_bytes(c->tunnel, 0, got);
		progress = 1;
	}
	if (rc == HOP_ERROR) {
		conn_close(c, "channel read failed");
		*closed = 1;
		return 1;
	}
	if (rc == HOP_EOF) {
		conn_set_half(c, 0, CONN_HALF_DRAIN);
		progress = 1;
	}
	if (progress) {
		stream_flush(c->sock);
		conn_touch(c);
	}
	return progress;
}

/* Move client -> target data while the channel takes it. */
static int
conn_pump_up(struct conn *c, int *closed)
{
	size_t	sent;
	int	rc;

	rc = hop_channel_write_from(c->hc, stream_input(c->sock), &sent);
	if (sent > 0) {
		c->bytes_up += sent;
		tunnel_count_bytes(c->tunnel, sent, 0);
	}
	if (rc != 0) {
		conn_close(c, "channel write failed");
		*closed = 1;
		return 1;
	}
	if (sent == 0)
		return 0;
	stream_consumed(c->sock);
	conn_touch(c);
	return 1;
}

/*
 * Pass EOF on where a direction's source sent it and its buffer is empty;
 * close the connection when both directions are closed, or the target
 * closed the channel. Returns -1 if the connection is gone, else whether
 * anything changed.
 */
static int
conn_pump_eof(struct conn *c)
{
	int	rc, progress = 0;

	if (c->up == CONN_HALF_OPEN && stream_eof(c->sock))
		conn_set_half(c, 1, CONN_HALF_DRAIN);
	if (c->up == CONN_HALF_DRAIN &&
	    evbuffer_get_length(stream_input(c->sock)) == 0) {
		rc = hop_channel_send_eof(c->hc);
		if (rc == 0 || c->down != CONN_HALF_OPEN) {
			conn_set_half(c, 1, CONN_HALF_CLOSED);
			progress = 1;
		} else if (rc == HOP_ERROR) {
			conn_close(c, "sending EOF failed");
			return -1;
		}
	}
	if (c->down == CONN_HALF_OPEN ||
	    evbuffer_get_length(stream_output(c->sock)) > 0)
		return progress;
	if (c->down == CONN_HALF_DRAIN) {
		stream_shutdown_write(c->sock);
		conn_set_half(c, 0, CONN_HALF_CLOSED);
		progress = 1;
	}
	if (c->up == CONN_HALF_CLOSED) {
		conn_close(c, "done");
		return -1;
	}
	if (hop_channel_remote_closed(c->hc)) {
		conn_close(c, "target closed");
		return -1;
	}
	return progress;
}

/*
 * Pump a connection (called by the hop in each service pass). Returns
 * nonzero if anything moved or changed; the connection may be gone then.
 */
static int
conn_pump(void *arg)
{
	struct conn	*c = arg;
	int		 progress, closed = 0, rc;

	if (c->state != CONN_OPEN)
		return 0;	/* the target is not connected yet */
	progress = conn_pump_down(c, &closed);
	if (closed)
		return 1;
	progress |= conn_pump_up(c, &closed);
	if (closed)
		return 1;
	if ((rc = conn_pump_eof(c)) < 0)
		return 1;
	return progress | rc;
}

/* Client data or EOF arrived: let the hop pump. */
static void
conn_readable(void *arg)
{
	struct conn	*c = arg;

	if (c->state == CONN_SOCKS)
		conn_socks_read(c);
	else if (c->state == CONN_SOCKS_REFUSED)
		conn_socks_linger(c);
	else if (c->state == CONN_OPEN)
		hop_channel_wake(c->hc);
}

/* The client took most of what we had for it: let the hop pump. */
static void
conn_drained(void *arg)
{
	struct conn	*c = arg;

	if (c->state == CONN_OPEN)
		hop_channel_wake(c->hc);
}

/* Remote forward: the local target accepted; start moving data. */
static void
conn_target_connected(void *arg)
{
	struct conn	*c = arg;
	int		 one = 1;

	if (c->path == NULL)
		setsockopt(stream_fd(c->sock), IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof one);
	c->state = CONN_OPEN;
	log_debug("tunnel %s: %s: target connected", tunnel_name(c->tunnel),
	    c->peer);
	hop_channel_wake(c->hc);
}

/* The local socket failed, or the target could not be reached. */
static void
conn_sock_failed(void *arg, const char *error)
{
	struct conn	*c = arg;
	char		*why, target[CONN_TARGET_MAX];

	if (c->state == CONN_CONNECTING) {
		xasprintf(&why, "cannot connect to %s: %s",
		    conn_target(c, target, sizeof target), error);
		tunnel_set_error(c->tunnel, why);
	} else
		xasprintf(&why, "client connection error: %s", error);
	conn_close(c, why);
	free(why);
}

/*
 * Name a client on a Unix socket listener by its process and user (the
 * kernel's word, SO_PEERCRED), for the logs.
 */
static void
conn_unix_peer(struct conn *c, int fd)
{
	struct ucred	cred;
	socklen_t	len = sizeof cred;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1)
		snprintf(c->peer, sizeof c->peer, "unix socket (peer unknown)");
	else
		snprintf(c->peer, sizeof c->peer, "pid %ld uid %ld",
		    (long)cred.pid, (long)cred.uid);
}

/*
 * Create a connection for accepted client socket FD from SA; HOST and SERV
 * (NI_MAXHOST and NI_MAXSERV bytes) get the originator to name to the
 * server: the client's address, or loopback for a Unix socket client.
 */
static struct conn *
conn_accepted(struct tunnel *t, struct hop *hop, int fd,
    const struct sockaddr *sa, socklen_t salen, char *host, char *serv)
{
	struct conn	*c;

	c = xcalloc(1, sizeof *c);
	c->tunnel = t;
	c->hop = hop;
	clock_gettime(CLOCK_MONOTONIC, &c->started);
	if (sa->sa_family == AF_UNIX) {
		/* The originator sshd logs: this machine. */
		snprintf(host, NI_MAXHOST, "127.0.0.1");
		snprintf(serv, NI_MAXSERV, "0");
		conn_unix_peer(c, fd);
	} else {
		if (getnameinfo(sa, salen, host, NI_MAXHOST, serv, NI_MAXSERV,
		    NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
			snprintf(host, NI_MAXHOST, "unknown");
			snprintf(serv, NI_MAXSERV, "0");
		}
		snprintf(c->peer, sizeof c->peer, sa->sa_family == AF_INET6 ?
		    "[%s]:%s" : "%s:%s", host, serv);
	}

	c->sock = stream_new(tunnel_base(t), fd, &conn_stream_ops, c);
	conn_set_marks(c);
	TAILQ_INSERT_TAIL(&conn_list, c, entry);
	conn_idle_start(c);
	return c;
}

/* Ask the hop for a channel to the connection's target (host or path). */
static void
conn_open_channel(struct conn *c, const char *orig_host, int orig_port)
{
	const struct config_tunnel *conf = tunnel_config(c->tunnel);
	char		 target[CONN_TARGET_MAX];

	log_info("tunnel %s: connection from %s to %s via %s",
	    conf->name, c->peer, conn_target(c, target, sizeof target),
	    hop_name(c->hop));
	c->state = CONN_WAITING;
	if (c->path != NULL)
		c->hc = hop_channel_open_unix(c->hop, c->path,
		    conf->hop->connect_timeout, &conn_channel_ops, c);
	else
		c->hc = hop_channel_open(c->hop, c->host, c->port, orig_host,
		    orig_port, conf->hop->connect_timeout, &conn_channel_ops,
		    c);
}

/* Take over an accepted client socket, see conn.h. */
void
conn_new(struct tunnel *t, struct hop *hop, int fd,
    const struct sockaddr *sa, socklen_t salen, const char *target_host,
    int target_port)
{
	struct conn	*c;
	char		 host[NI_MAXHOST], serv[NI_MAXSERV];

	c = conn_accepted(t, hop, fd, sa, salen, host, serv);
	if (target_host != NULL) {
		c->host = xstrdup(target_host);
		c->port = target_port;
	} else
		c->path = xstrdup(tunnel_config(t)->connect_path);
	conn_open_channel(c, host, atoi(serv));
}

/* A SOCKS client took too long over its request, or to close after a no. */
static void
conn_socks_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn	*c = arg;
	char		*why;

	(void)fd;
	(void)what;
	if (c->state == CONN_SOCKS_REFUSED) {
		conn_close(c, "SOCKS request refused");
		return;
	}
	xasprintf(&why, "no complete SOCKS request within %d s "
	    "(connect_timeout)", tunnel_config(c->tunnel)->hop->connect_timeout);
	conn_close(c, why);
	free(why);
}

/* Take over an accepted SOCKS client socket, see conn.h. */
void
conn_new_socks(struct tunnel *t, struct hop *hop, int fd,
    const struct sockaddr *sa, socklen_t salen)
{
	struct conn	*c;
	struct timeval	 tv = { tunnel_config(t)->hop->connect_timeout, 0 };
	char		 host[NI_MAXHOST], serv[NI_MAXSERV];

	c = conn_accepted(t, hop, fd, sa, salen, host, serv);
	c->state = CONN_SOCKS;
	c->socks = xcalloc(1, sizeof *c->socks);
	socks_handshake_init(c->socks);
	c->ev_socks = evtimer_new(tunnel_base(t), conn_socks_timeout_cb, c);
	if (c->ev_socks == NULL)
		fatal("out of memory");
	evtimer_add(c->ev_socks, &tv);
	log_debug("tunnel %s: SOCKS connection from %s", tunnel_name(t),
	    c->peer);
}

/*
 * Refuse a SOCKS client: send CODE (unless SOCKS_NO_REPLY, or the reply
 * was already written), stop writing, and wait (up to connect_timeout) for
 * the client to close, so that what it sent unread does not reset the
 * connection before it read the reply. WHY is logged when it closes.
 */
static void
conn_socks_refuse(struct conn *c, int code, const char *why)
{
	struct timeval	tv = { tunnel_config(c->tunnel)->hop->connect_timeout,
			    0 };

	if (code != SOCKS_NO_REPLY)
		socks_handshake_reply(c->socks, stream_output(c->sock), code);
	free(c->refused);
	c->refused = xstrdup(why);
	c->state = CONN_SOCKS_REFUSED;
	stream_flush(c->sock);
	stream_shutdown_write(c->sock);
	evtimer_add(c->ev_socks, &tv);
	conn_socks_linger(c);
}

/* A refused SOCKS client: drop what it sends; close once it closes. */
static void
conn_socks_linger(struct conn *c)
{
	struct evbuffer	*in = stream_input(c->sock);

	evbuffer_drain(in, evbuffer_get_length(in));
	stream_consumed(c->sock);
	if (stream_eof(c->sock))
		conn_close(c, "SOCKS request refused");
}

/* A SOCKS client sent more of its handshake: feed it on. */
static void
conn_socks_read(struct conn *c)
{
	const struct config_tunnel *conf = tunnel_config(c->tunnel);
	struct socks_handshake	*hs = c->socks;
	struct sockaddr_storage	 ss;
	socklen_t		 sslen = sizeof ss;
	char			 host[NI_MAXHOST], serv[NI_MAXSERV];
	char			*why;

	switch (socks_handshake_feed(hs, stream_input(c->sock),
	    stream_output(c->sock), conf->allow_list)) {
	case SOCKS_STEP_WAIT:
		stream_flush(c->sock);
		stream_consumed(c->sock);
		if (stream_eof(c->sock))
			conn_close(c, "client closed during the SOCKS "
			    "handshake");
		return;
	case SOCKS_STEP_REFUSE:
		if (hs->reply == SOCKS_NO_REPLY)
			xasprintf(&why, "bad SOCKS handshake: %s", hs->why);
		else
			xasprintf(&why, "SOCKS request refused: %s; reply %d, "
			    "%s", hs->why, hs->reply,
			    socks_reply_name(hs->reply));
		conn_socks_refuse(c, SOCKS_NO_REPLY, why);
		free(why);
		return;
	case SOCKS_STEP_CONNECT:
		break;
	}
	evtimer_del(c->ev_socks);
	stream_flush(c->sock);
	c->host = xstrdup(hs->request.host);
	c->port = hs->request.port;
	/*
	 * The originator, as for a local forward: the client's address, or
	 * loopback for a client that has none (a Unix-domain socket).
	 */
	memset(&ss, 0, sizeof ss);
	if (getpeername(stream_fd(c->sock), (struct sockaddr *)&ss,
	    &sslen) != 0 || (ss.ss_family != AF_INET &&
	    ss.ss_family != AF_INET6) || getnameinfo((struct sockaddr *)&ss,
	    sslen, host, sizeof host, serv, sizeof serv, NI_NUMERICHOST |
	    NI_NUMERICSERV) != 0) {
		snprintf(host, sizeof host, "127.0.0.1");
		snprintf(serv, sizeof serv, "0");
	}
	conn_open_channel(c, host, atoi(serv));
}

/* Flow control of a connection's local socket. */
static void
conn_set_marks(struct conn *c)
{
	stream_set_marks(c->sock, CONN_INPUT_HIGH, CONN_OUTPUT_LOW);
}

/* Take the next forwarded connection of a remote forward, see conn.h. */
int
conn_accept_remote(struct tunnel *t, struct hop *hop,
    struct hop_channel *listener, struct evdns_base *dns)
{
	const struct config_tunnel *conf = tunnel_config(t);
	struct conn	*c;
	char		 target[CONN_TARGET_MAX];

	c = xcalloc(1, sizeof *c);
	c->hc = hop_listen_accept(listener, &conn_channel_ops, c);
	if (c->hc == NULL) {
		free(c);
		return 0;
	}
	if (!tunnel_conn_admit(t)) {
		hop_channel_close(c->hc);
		free(c);
		return 1;
	}
	c->tunnel = t;
	c->hop = hop;
	if (conf->connect_path != NULL)
		c->path = xstrdup(conf->connect_path);
	else {
		c->host = xstrdup(conf->connect_host);
		c->port = conf->connect_port;
	}
	c->state = CONN_CONNECTING;
	clock_gettime(CLOCK_MONOTONIC, &c->started);
	snprintf(c->peer, sizeof c->peer, "%s:%d on %s", conf->listen_host,
	    hop_listen_port(listener), hop_name(hop));
	TAILQ_INSERT_TAIL(&conn_list, c, entry);
	log_info("tunnel %s: connection from %s to %s", conf->name,
	    c->peer, conn_target(c, target, sizeof target));
	if (c->path != NULL)
		c->sock = stream_connect_unix(tunnel_base(t), c->path,
		    &conn_stream_ops, c);
	else
		c->sock = stream_connect(tunnel_base(t), dns, c->host, c->port,
		    &conn_stream_ops, c);
	conn_set_marks(c);
	conn_idle_start(c);
	return 1;
}

/* Close every connection of a tunnel (all if NULL). */
void
conn_close_all(struct tunnel *t, const char *why)
{
	struct conn	*c, *next;

	TAILQ_FOREACH_SAFE(c, &conn_list, entry, next) {
		if (t == NULL || c->tunnel == t)
			conn_close(c, why);
	}
}

/* List the destinations of a SOCKS tunnel's connections, see conn.h. */
void
conn_destinations(const struct tunnel *t, char *buf, size_t len)
{
	struct conn	*c;
	size_t		 used = 0;
	int		 n, more = 0;
	char		 more_text[32];

	*buf = '\0';
	TAILQ_FOREACH(c, &conn_list, entry) {
		if (c->tunnel != t || c->host == NULL ||
		    c->state == CONN_SOCKS_REFUSED)
			continue;
		if (more > 0) {
			more++;
			continue;
		}
		n = snprintf(buf + used, len - used, "%s%s%s%s:%d",
		    used > 0 ? "," : "", strchr(c->host, ':') != NULL ? "[" :
		    "", c->host, strchr(c->host, ':') != NULL ? "]" : "",
		    c->port);
		/* Keep room for the count of those left out. */
		if (n < 0 || used + (size_t)n + sizeof more_text >= len) {
			buf[used] = '\0';
			more = 1;
			continue;
		}
		used += (size_t)n;
	}
	if (more > 0) {
		snprintf(more_text, sizeof more_text, "%s+%d more",
		    used > 0 ? "," : "", more);
		snprintf(buf + used, len - used, "%s", more_text);
	}
}

/* Count the live connections of a tunnel (all if NULL). */
int
conn_count(const struct tunnel *t)
{
	struct conn	*c;
	int		 n = 0;

	TAILQ_FOREACH(c, &conn_list, entry) {
		if (t == NULL || c->tunnel == t)
			n++;
	}
	return n;
}

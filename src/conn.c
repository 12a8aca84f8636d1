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
#include "hop.h"
#include "log.h"
#include "stream.h"
#include "tunnel.h"
#include "xmalloc.h"

/* Stop reading the client while this much waits for the channel. */
#define CONN_INPUT_HIGH		(256 * 1024)
/* Stop reading the channel while this much waits for the client... */
#define CONN_OUTPUT_HIGH	(256 * 1024)
/* ...and look again once it is down to this. */
#define CONN_OUTPUT_LOW		(64 * 1024)
/* Largest write libssh2 turns into one packet. */
#define CONN_WRITE_CHUNK	32700

enum conn_state {
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
	int			 local_eof;	/* client sent EOF */
	int			 eof_sent;	/* EOF sent on the channel */
	int			 remote_eof;	/* channel sent EOF */
	int			 local_shut;	/* client socket shut for writing */
	uint64_t		 bytes_up;	/* client -> target */
	uint64_t		 bytes_down;	/* target -> client */
	struct timespec		 started;
	time_t			 active_at;	/* last byte moved (monotonic) */
	struct event		*ev_idle;	/* client_idle_timeout */
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
	clock_gettime(CLOCK_MONOTONIC, &now);
	secs = (now.tv_sec - c->started.tv_sec) +
	    (now.tv_nsec - c->started.tv_nsec) / 1e9;
	log_info("tunnel %s: connection from %s closed (%s): %" PRIu64
	    " bytes up, %" PRIu64 " bytes down, %.1f s",
	    tunnel_name(c->tunnel), c->peer, why, c->bytes_up, c->bytes_down,
	    secs);
	stream_free(c->sock);
	TAILQ_REMOVE(&conn_list, c, entry);
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
}

/* The channel could not be opened. */
static void
conn_channel_failed(void *arg, const char *reason)
{
	struct conn	*c = arg;

	c->hc = NULL;
	tunnel_set_error(c->tunnel, reason);
	conn_close(c, reason);
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

/* Move target -> client data while the client keeps up. */
static int
conn_pump_down(struct conn *c, int *closed)
{
	struct evbuffer		*out = stream_output(c->sock);
	struct evbuffer_iovec	 vec;
	ssize_t			 n;
	int			 progress = 0;

	while (!c->remote_eof &&
	    evbuffer_get_length(out) < CONN_OUTPUT_HIGH) {
		if (evbuffer_reserve_space(out, STREAM_READ_MAX, &vec, 1) < 1)
			fatal("out of memory");
		n = hop_channel_read(c->hc, vec.iov_base, vec.iov_len);
		if (n <= 0) {
			evbuffer_commit_space(out, &vec, 0);
			/* Free the reserved chain: an idle buffer holds none. */
			if (evbuffer_get_length(out) == 0)
				evbuffer_drain(out, 0);
			if (n == HOP_EOF) {
				c->remote_eof = 1;
				progress = 1;
			} else if (n == HOP_ERROR) {
				conn_close(c, "channel read failed");
				*closed = 1;
				return 1;
			}
			break;
		}
		vec.iov_len = n;
		evbuffer_commit_space(out, &vec, 1);
		c->bytes_down += n;
		tunnel_count_bytes(c->tunnel, 0, n);
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
	struct evbuffer	*in = stream_input(c->sock);
	unsigned char	*p;
	size_t		 len;
	ssize_t		 n;
	int		 progress = 0;

	while ((len = evbuffer_get_length(in)) > 0 &&
	    hop_channel_can_write(c->hc)) {
		if (len > CONN_WRITE_CHUNK)
			len = CONN_WRITE_CHUNK;
		p = evbuffer_pullup(in, len);
		n = hop_channel_write(c->hc, (const char *)p, len);
		if (n == HOP_AGAIN)
			break;
		if (n < 0) {
			conn_close(c, "channel write failed");
			*closed = 1;
			return 1;
		}
		evbuffer_drain(in, n);
		c->bytes_up += n;
		tunnel_count_bytes(c->tunnel, n, 0);
		progress = 1;
	}
	if (progress) {
		stream_consumed(c->sock);
		conn_touch(c);
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
	struct evbuffer	*in = stream_input(c->sock);
	struct evbuffer	*out = stream_output(c->sock);
	int		 progress, closed = 0, rc;

	if (c->state != CONN_OPEN)
		return 0;	/* the target is not connected yet */
	progress = conn_pump_down(c, &closed);
	if (closed)
		return 1;
	progress |= conn_pump_up(c, &closed);
	if (closed)
		return 1;

	if (!c->local_eof && stream_eof(c->sock))
		c->local_eof = 1;
	if (c->local_eof && !c->eof_sent && evbuffer_get_length(in) == 0) {
		rc = hop_channel_send_eof(c->hc);
		if (rc == 0 || c->remote_eof) {
			c->eof_sent = 1;
			progress = 1;
		} else if (rc == HOP_ERROR) {
			conn_close(c, "sending EOF failed");
			return 1;
		}
	}
	if (c->remote_eof && evbuffer_get_length(out) == 0) {
		if (!c->local_shut) {
			stream_shutdown_write(c->sock);
			c->local_shut = 1;
			progress = 1;
		}
		if (c->eof_sent) {
			conn_close(c, "done");
			return 1;
		}
		if (hop_channel_remote_closed(c->hc)) {
			conn_close(c, "target closed");
			return 1;
		}
	}
	return progress;
}

/* Client data or EOF arrived: let the hop pump. */
static void
conn_readable(void *arg)
{
	struct conn	*c = arg;

	if (c->state == CONN_OPEN)
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
	const struct config_tunnel *conf = tunnel_config(c->tunnel);
	char		*why;

	if (c->state == CONN_CONNECTING) {
		xasprintf(&why, "cannot connect to %s:%d: %s",
		    conf->connect_host, conf->connect_port, error);
		tunnel_set_error(c->tunnel, why);
	} else
		xasprintf(&why, "client connection error: %s", error);
	conn_close(c, why);
	free(why);
}

/* Take over an accepted client socket, see conn.h. */
void
conn_new(struct tunnel *t, struct hop *hop, int fd,
    const struct sockaddr *sa, socklen_t salen)
{
	const struct config_tunnel *conf = tunnel_config(t);
	struct conn	*c;
	char		 host[NI_MAXHOST], serv[NI_MAXSERV];
	int		 port = 0;

	c = xcalloc(1, sizeof *c);
	c->tunnel = t;
	c->hop = hop;
	clock_gettime(CLOCK_MONOTONIC, &c->started);
	if (getnameinfo(sa, salen, host, sizeof host, serv, sizeof serv,
	    NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		snprintf(host, sizeof host, "unknown");
		snprintf(serv, sizeof serv, "0");
	}
	port = atoi(serv);
	snprintf(c->peer, sizeof c->peer, sa->sa_family == AF_INET6 ?
	    "[%s]:%s" : "%s:%s", host, serv);

	c->sock = stream_new(tunnel_base(t), fd, &conn_stream_ops, c);
	conn_set_marks(c);
	TAILQ_INSERT_TAIL(&conn_list, c, entry);
	conn_idle_start(c);

	log_info("tunnel %s: connection from %s to %s:%d via %s",
	    conf->name, c->peer, conf->connect_host, conf->connect_port,
	    hop_name(hop));
	c->state = CONN_WAITING;
	c->hc = hop_channel_open(hop, conf->connect_host, conf->connect_port,
	    host, port, conf->hop->connect_timeout, &conn_channel_ops, c);
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
	c->state = CONN_CONNECTING;
	clock_gettime(CLOCK_MONOTONIC, &c->started);
	snprintf(c->peer, sizeof c->peer, "%s:%d on %s", conf->listen_host,
	    hop_listen_port(listener), hop_name(hop));
	TAILQ_INSERT_TAIL(&conn_list, c, entry);
	log_info("tunnel %s: connection from %s to %s:%d", conf->name,
	    c->peer, conf->connect_host, conf->connect_port);
	c->sock = stream_connect(tunnel_base(t), dns, conf->connect_host,
	    conf->connect_port, &conn_stream_ops, c);
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

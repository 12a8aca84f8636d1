/* Hop transport over a TCP socket: resolve, connect, read, write. */
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <linux/sockios.h>
#include <netdb.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/util.h>

#include "compat.h"
#include "config.h"
#include "hop_int.h"
#include "log.h"
#include "stream.h"

/* Bytes read from the socket per event before libssh2 gets a turn. */
#define HOP_TCP_READ_CHUNK	(256 * 1024)

/* The TCP transport's own state (hop->io.transport). */
struct hop_tcp {
	struct event		*ev_read;
	struct event		*ev_write;
	struct evdns_getaddrinfo_request *dns_req;
	int			 dns_pending;	/* evdns has not answered */
	struct evutil_addrinfo	*addrs;
	struct evutil_addrinfo	*addr_next;	/* to try next */
};

static void	hop_tcp_connect_next(struct hop *);

/*
 * After a failed socket read or write: returns 0 if it only would have
 * blocked, else fails the hop (naming errno) and returns 1.
 */
static int
hop_tcp_io_failed(struct hop *hop)
{
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return 0;
	hop_fail(hop, 0, "connection to %s:%d lost: %s", hop->conf->host,
	    hop->conf->port, strerror(errno));
	return 1;
}

/*
 * Acknowledge what was read at once. sshd leaves Nagle's algorithm on for
 * sessions without a terminal, so a small packet it has for us (a window
 * adjust) waits until we acknowledge its previous one; Linux delays that
 * ACK up to 40 ms when we have nothing to send, which is exactly when we
 * wait for the window. Quick-ack mode does not stick: set it per read.
 */
static void
hop_tcp_quickack(int fd)
{
	int	one = 1;

	(void)setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
}

/* Socket readable: move bytes into the input buffer, then advance. */
static void
hop_tcp_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct hop	*hop = arg;
	struct hop_tcp	*t = hop->io.transport;
	size_t		 total = 0;
	ssize_t		 n;

	(void)what;
	while (total < HOP_TCP_READ_CHUNK) {
		if (evbuffer_get_length(hop->io.inbuf) >= HOP_INBUF_MAX) {
			event_del(t->ev_read);
			hop->io.read_paused = 1;
			break;
		}
		n = stream_read_into(hop->io.inbuf, fd, STREAM_READ_MAX);
		if (n == 0) {
			hop_fail(hop, 0, "connection closed by %s:%d",
			    hop->conf->host, hop->conf->port);
			return;
		}
		if (n < 0) {
			if (hop_tcp_io_failed(hop))
				return;
			break;
		}
		total += n;
		hop->io.bytes_received += n;
		if (n < STREAM_READ_MAX)
			break;	/* drained: save the read that says EAGAIN */
	}
	if (total > 0) {
		hop_tcp_quickack(fd);
		hop_alive_received(hop);
	}
	hop_advance(hop);
}

/* Socket writable: flush the output buffer, or finish a TCP connect. */
static void
hop_tcp_write_cb(evutil_socket_t fd, short what, void *arg)
{
	struct hop	*hop = arg;
	struct hop_tcp	*t = hop->io.transport;
	size_t		 before;
	int		 n;

	(void)what;
	if (hop->state == HOP_CONNECTING) {
		hop_tcp_connect_next(hop);
		return;
	}
	before = evbuffer_get_length(hop->io.outbuf);
	while (evbuffer_get_length(hop->io.outbuf) > 0) {
		n = evbuffer_write(hop->io.outbuf, fd);
		if (n < 0) {
			if (hop_tcp_io_failed(hop))
				return;
			break;
		}
	}
	if (evbuffer_get_length(hop->io.outbuf) > 0)
		event_add(t->ev_write, NULL);
	if (before >= HOP_OUTBUF_HIGH / 2 &&
	    evbuffer_get_length(hop->io.outbuf) < HOP_OUTBUF_HIGH / 2)
		hop_output_room(hop);
}

/*
 * Let the kernel notice a dead path too: TCP keepalive at the hop's
 * keepalive timings, and TCP_USER_TIMEOUT so that data nobody acknowledges
 * for interval x count fails the socket.
 */
static void
hop_tcp_keepalive(struct hop *hop)
{
	int	one = 1, idle = hop->conf->keepalive_interval;
	int	count = hop->conf->keepalive_count_max;
	unsigned int timeout_ms = (unsigned int)idle * count * 1000;

	if (idle == 0)
		return;
	if (setsockopt(hop->io.fd, SOL_SOCKET, SO_KEEPALIVE, &one,
	    sizeof one) == -1 ||
	    setsockopt(hop->io.fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle,
	    sizeof idle) == -1 ||
	    setsockopt(hop->io.fd, IPPROTO_TCP, TCP_KEEPINTVL, &idle,
	    sizeof idle) == -1 ||
	    setsockopt(hop->io.fd, IPPROTO_TCP, TCP_KEEPCNT, &count,
	    sizeof count) == -1 ||
	    setsockopt(hop->io.fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &timeout_ms,
	    sizeof timeout_ms) == -1)
		log_warn("hop %s: cannot set TCP keepalive options: %s",
		    hop->label, strerror(errno));
}

/* The socket is connected: set it up and start the SSH session. */
static void
hop_tcp_connected(struct hop *hop)
{
	struct hop_tcp	*t = hop->io.transport;
	int		 one = 1;

	setsockopt(hop->io.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	hop_tcp_keepalive(hop);
	if (hop->conf->socket_send_buffer > 0 &&
	    setsockopt(hop->io.fd, SOL_SOCKET, SO_SNDBUF,
	    &hop->conf->socket_send_buffer, sizeof(int)) == -1)
		log_warn("hop %s: cannot set socket_send_buffer: %s",
		    hop->label, strerror(errno));
	event_free(t->ev_write);
	t->ev_read = event_new(hop->base, hop->io.fd, EV_READ | EV_PERSIST,
	    hop_tcp_read_cb, hop);
	t->ev_write = event_new(hop->base, hop->io.fd, EV_WRITE,
	    hop_tcp_write_cb, hop);
	if (t->ev_read == NULL || t->ev_write == NULL)
		fatal("hop %s: out of memory", hop->label);
	event_add(t->ev_read, NULL);
	hop_session_begin(hop);
}

/* Try the next resolved address, or check the connect in progress. */
static void
hop_tcp_connect_next(struct hop *hop)
{
	struct hop_tcp		*t = hop->io.transport;
	struct evutil_addrinfo	*ai;
	char			 addr[128];
	socklen_t		 len;
	int			 error = 0;

	if (hop->io.fd != -1) {
		/* A connect finished: see how. */
		len = sizeof error;
		if (getsockopt(hop->io.fd, SOL_SOCKET, SO_ERROR, &error,
		    &len) == -1)
			error = errno;
		if (error == 0) {
			evutil_freeaddrinfo(t->addrs);
			t->addrs = t->addr_next = NULL;
			hop_tcp_connected(hop);
			return;
		}
		log_debug("hop %s: connect: %s", hop->label, strerror(error));
		event_free(t->ev_write);
		t->ev_write = NULL;
		close(hop->io.fd);
		hop->io.fd = -1;
	}
	while ((ai = t->addr_next) != NULL) {
		t->addr_next = ai->ai_next;
		hop->io.fd = socket(ai->ai_family, ai->ai_socktype |
		    SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
		if (hop->io.fd == -1) {
			error = errno;
			continue;
		}
		if (getnameinfo(ai->ai_addr, ai->ai_addrlen, addr, sizeof addr,
		    NULL, 0, NI_NUMERICHOST) != 0)
			snprintf(addr, sizeof addr, "?");
		log_debug("hop %s: trying %s port %d", hop->label, addr,
		    hop->conf->port);
		if (connect(hop->io.fd, ai->ai_addr, ai->ai_addrlen) == 0 ||
		    errno == EINPROGRESS) {
			t->ev_write = event_new(hop->base, hop->io.fd, EV_WRITE,
			    hop_tcp_write_cb, hop);
			if (t->ev_write == NULL)
				fatal("hop %s: out of memory", hop->label);
			event_add(t->ev_write, NULL);
			return;
		}
		error = errno;
		close(hop->io.fd);
		hop->io.fd = -1;
	}
	hop_fail(hop, 0, "cannot connect to %s:%d: %s", hop->conf->host,
	    hop->conf->port, error != 0 ? strerror(error) :
	    "no usable address");
}

/* Name resolution finished: start connecting to the addresses. */
static void
hop_tcp_resolved_cb(int result, struct evutil_addrinfo *res, void *arg)
{
	struct hop	*hop = arg;
	struct hop_tcp	*t = hop->io.transport;

	t->dns_req = NULL;
	t->dns_pending = 0;
	if (result == EVUTIL_EAI_CANCEL)
		return;
	if (result != 0) {
		hop_fail(hop, 0, "cannot resolve %s: %s", hop->conf->host,
		    evutil_gai_strerror(result));
		return;
	}
	t->addrs = res;
	t->addr_next = res;
	hop_tcp_connect_next(hop);
}

/* Resolve the host, then connect. */
static void
hop_tcp_connect(struct hop *hop)
{
	struct hop_tcp		*t = hop->io.transport;
	struct evutil_addrinfo	hints;
	char			port[16];
	struct evdns_getaddrinfo_request *req;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	hints.ai_flags = EVUTIL_AI_ADDRCONFIG;
	snprintf(port, sizeof port, "%d", hop->conf->port);
	t->dns_pending = 1;
	req = evdns_getaddrinfo(hop->dns, hop->conf->host, port, &hints,
	    hop_tcp_resolved_cb, hop);
	if (t->dns_pending)
		t->dns_req = req;
}

/* The output buffer has data: write when the socket can take it. */
static void
hop_tcp_flush(struct hop *hop)
{
	struct hop_tcp	*t = hop->io.transport;

	event_add(t->ev_write, NULL);
}

/* The input buffer has room: read the socket again. */
static void
hop_tcp_resume(struct hop *hop)
{
	struct hop_tcp	*t = hop->io.transport;

	event_add(t->ev_read, NULL);
}

/* Cancel resolution and close the socket. */
static void
hop_tcp_close(struct hop *hop)
{
	struct hop_tcp	*t = hop->io.transport;

	if (t->dns_req != NULL) {
		evdns_getaddrinfo_cancel(t->dns_req);
		t->dns_req = NULL;
	}
	t->dns_pending = 0;
	if (t->addrs != NULL) {
		evutil_freeaddrinfo(t->addrs);
		t->addrs = t->addr_next = NULL;
	}
	if (t->ev_read != NULL) {
		event_free(t->ev_read);
		t->ev_read = NULL;
	}
	if (t->ev_write != NULL) {
		event_free(t->ev_write);
		t->ev_write = NULL;
	}
	if (hop->io.fd != -1) {
		close(hop->io.fd);
		hop->io.fd = -1;
	}
}

/* Send what the socket takes of BUF now; see hop_int.h. */
static ssize_t
hop_tcp_write_now(struct hop *hop, const void *buf, size_t len)
{
	ssize_t	n;

	if (hop->io.fd == -1)
		return -EBADF;
	if ((n = send(hop->io.fd, buf, len, MSG_NOSIGNAL)) >= 0)
		return n;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return 0;
	return -errno;
}

/* Say whether output waits for the socket, and what the kernel holds. */
static int
hop_tcp_waiting(struct hop *hop, int *unsent)
{
	struct hop_tcp	*t = hop->io.transport;

	if (hop->io.fd == -1 || ioctl(hop->io.fd, SIOCOUTQ, unsent) == -1)
		*unsent = -1;
	return t->ev_write != NULL && event_pending(t->ev_write, EV_WRITE,
	    NULL);
}

const struct hop_transport hop_tcp_transport = {
	"tcp",
	sizeof (struct hop_tcp),
	hop_tcp_connect,
	hop_tcp_write_now,
	hop_tcp_flush,
	hop_tcp_resume,
	hop_tcp_close,
	hop_tcp_waiting
};

/* A non-blocking socket with input and output buffers, read in large pieces. */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/util.h>

#include "log.h"
#include "stream.h"
#include "xmalloc.h"

/* Where a stream's connect stands. */
enum stream_connect {
	STREAM_IDLE,		/* connected, or nothing asked */
	STREAM_CONNECTING,	/* waiting for the socket to become writable */
	STREAM_CONNECTED	/* done; the owner is still to be told */
};

struct stream {
	struct event_base		*base;
	int				 fd;
	struct event			*ev_read;
	struct event			*ev_write;
	struct event			*ev_notify;	/* runs callbacks */
	struct evbuffer			*input;
	struct evbuffer			*output;
	struct evdns_getaddrinfo_request *dns_request;
	struct evutil_addrinfo		*addrs;		/* resolved, or NULL */
	struct evutil_addrinfo		*addr_next;	/* to try after this */
	const struct stream_ops		*ops;
	void				*arg;
	int				 port;		/* while resolving */
	size_t				 high;
	size_t				 low;
	enum stream_connect		 connecting;
	int				 eof;
	int				 read_stopped;	/* at the high mark */
	int				 above_low;	/* output was above low */
	int				 output_waited;	/* the socket left some */
	int				 shut_wanted;
	int				 shut_done;
	int				 error;		/* errno, or -1: DNS */
	int				 dns_error;
	int				 notify_readable;
	int				 notify_drained;
};

static void	stream_read_cb(evutil_socket_t, short, void *);
static void	stream_write_cb(evutil_socket_t, short, void *);
static void	stream_notify_cb(evutil_socket_t, short, void *);
static void	stream_connect_next(struct stream *, int);

/*
 * Read FD into BUF with one read(2), see stream.h. evbuffer_reserve_space
 * gives at least MAX bytes, often more: the vectors are cut to MAX.
 */
ssize_t
stream_read_into(struct evbuffer *buf, int fd, size_t max)
{
	struct evbuffer_iovec	vec[2];
	struct iovec		iov[2];
	size_t			left = max;
	ssize_t			n;
	int			nvec, i;

	nvec = evbuffer_reserve_space(buf, max, vec, 2);
	if (nvec < 1)
		fatal("out of memory");
	for (i = 0; i < nvec; i++) {
		if (vec[i].iov_len > left)
			vec[i].iov_len = left;
		left -= vec[i].iov_len;
		iov[i].iov_base = vec[i].iov_base;
		iov[i].iov_len = vec[i].iov_len;
	}
	n = readv(fd, iov, nvec);
	if (n <= 0) {
		evbuffer_commit_space(buf, vec, 0);
		/* Draining an empty buffer frees the chain just reserved. */
		if (evbuffer_get_length(buf) == 0)
			evbuffer_drain(buf, 0);
		return n;
	}
	left = (size_t)n;
	for (i = 0; i < nvec && left > 0; i++) {
		if (vec[i].iov_len > left)
			vec[i].iov_len = left;
		left -= vec[i].iov_len;
	}
	evbuffer_commit_space(buf, vec, i);
	return n;
}

/* Allocate a stream around FD (may be -1 until a connect starts). */
static struct stream *
stream_alloc(struct event_base *base, const struct stream_ops *ops, void *arg)
{
	struct stream	*s;

	s = xcalloc(1, sizeof *s);
	s->base = base;
	s->fd = -1;
	s->ops = ops;
	s->arg = arg;
	s->high = STREAM_READ_MAX;
	s->input = evbuffer_new();
	s->output = evbuffer_new();
	s->ev_notify = event_new(base, -1, 0, stream_notify_cb, s);
	if (s->input == NULL || s->output == NULL || s->ev_notify == NULL)
		fatal("out of memory");
	return s;
}

/* Attach the socket's events. */
static void
stream_attach(struct stream *s, int fd)
{
	s->fd = fd;
	evutil_make_socket_nonblocking(fd);
	s->ev_read = event_new(s->base, fd, EV_READ | EV_PERSIST,
	    stream_read_cb, s);
	s->ev_write = event_new(s->base, fd, EV_WRITE, stream_write_cb, s);
	if (s->ev_read == NULL || s->ev_write == NULL)
		fatal("out of memory");
}

/* Close the socket of a connect that failed, to try another address. */
static void
stream_detach(struct stream *s)
{
	if (s->ev_read != NULL)
		event_free(s->ev_read);
	if (s->ev_write != NULL)
		event_free(s->ev_write);
	if (s->fd != -1)
		close(s->fd);
	s->ev_read = s->ev_write = NULL;
	s->fd = -1;
}

/* Take over a connected socket, see stream.h. */
struct stream *
stream_new(struct event_base *base, int fd, const struct stream_ops *ops,
    void *arg)
{
	struct stream	*s;

	s = stream_alloc(base, ops, arg);
	stream_attach(s, fd);
	event_add(s->ev_read, NULL);
	return s;
}

/* Run the owner's callbacks from the event loop. */
static void
stream_notify(struct stream *s)
{
	event_active(s->ev_notify, EV_TIMEOUT, 0);
}

/* Deliver what happened: failure first, then connect, drain, input. */
static void
stream_notify_cb(evutil_socket_t fd, short what, void *arg)
{
	struct stream	*s = arg;
	char		 why[256];

	(void)fd;
	(void)what;
	if (s->error != 0) {
		if (s->error == -1)
			snprintf(why, sizeof why, "%s",
			    evutil_gai_strerror(s->dns_error));
		else
			snprintf(why, sizeof why, "%s", strerror(s->error));
		s->error = 0;
		s->ops->failed(s->arg, why);
		return;		/* the owner frees the stream */
	}
	if (s->connecting == STREAM_CONNECTED) {
		s->connecting = STREAM_IDLE;
		s->ops->connected(s->arg);
	}
	if (s->notify_drained) {
		s->notify_drained = 0;
		s->ops->drained(s->arg);
	}
	if (s->notify_readable) {
		s->notify_readable = 0;
		s->ops->readable(s->arg);
	}
}

/* Record a socket error and tell the owner. */
static void
stream_fail(struct stream *s, int error)
{
	if (s->ev_read != NULL)
		event_del(s->ev_read);
	if (s->ev_write != NULL)
		event_del(s->ev_write);
	s->error = error != 0 ? error : EIO;
	stream_notify(s);
}

/* Socket readable: one large read. */
static void
stream_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct stream	*s = arg;
	size_t		 have = evbuffer_get_length(s->input), want;
	ssize_t		 n;

	(void)what;
	if (have >= s->high) {
		event_del(s->ev_read);
		s->read_stopped = 1;
		return;
	}
	want = s->high - have;
	if (want > STREAM_READ_MAX)
		want = STREAM_READ_MAX;
	n = stream_read_into(s->input, fd, want);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		stream_fail(s, errno);
		return;
	}
	if (n == 0) {
		s->eof = 1;
		event_del(s->ev_read);
	} else if (evbuffer_get_length(s->input) >= s->high) {
		event_del(s->ev_read);
		s->read_stopped = 1;
	}
	s->notify_readable = 1;
	stream_notify(s);
}

/* Write what the socket takes; shut down or tell the owner as due. */
static void
stream_write_some(struct stream *s)
{
	size_t	left;
	int	n;

	while (evbuffer_get_length(s->output) > 0) {
		n = evbuffer_write(s->output, s->fd);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				break;
			stream_fail(s, errno);
			return;
		}
		if (n == 0)
			break;
	}
	if ((left = evbuffer_get_length(s->output)) > 0)
		event_add(s->ev_write, NULL);
	else if (s->shut_wanted && !s->shut_done) {
		shutdown(s->fd, SHUT_WR);
		s->shut_done = 1;
	}
	/*
	 * Output the socket did not take at once is waited for: the owner
	 * hears when it is down to the low mark and when it is all out (a
	 * half-close may wait for that even below the low mark).
	 */
	if (left > 0)
		s->output_waited = 1;
	if (left > s->low)
		s->above_low = 1;
	else if (s->above_low || (left == 0 && s->output_waited)) {
		s->above_low = 0;
		if (left == 0)
			s->output_waited = 0;
		s->notify_drained = 1;
		stream_notify(s);
	}
}

/* Socket writable: finish a connect, or write more. */
static void
stream_write_cb(evutil_socket_t fd, short what, void *arg)
{
	struct stream	*s = arg;
	socklen_t	 len = sizeof(int);
	int		 error = 0;

	(void)what;
	if (s->connecting == STREAM_CONNECTING) {
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) == -1)
			error = errno;
		if (error != 0) {
			stream_connect_next(s, error);
			return;
		}
		if (s->addrs != NULL)	/* NULL: a Unix socket */
			evutil_freeaddrinfo(s->addrs);
		s->addrs = s->addr_next = NULL;
		s->connecting = STREAM_CONNECTED;
		event_add(s->ev_read, NULL);
		stream_notify(s);
	}
	stream_write_some(s);
}

/*
 * Connect to the next resolved address, the last one having failed with
 * ERROR (0: none tried yet); when none is left, fail with the last error.
 */
static void
stream_connect_next(struct stream *s, int error)
{
	struct evutil_addrinfo	*ai;
	int			 fd;

	stream_detach(s);
	while ((ai = s->addr_next) != NULL) {
		s->addr_next = ai->ai_next;
		if (ai->ai_family == AF_INET)
			((struct sockaddr_in *)ai->ai_addr)->sin_port =
			    htons(s->port);
		else if (ai->ai_family == AF_INET6)
			((struct sockaddr_in6 *)ai->ai_addr)->sin6_port =
			    htons(s->port);
		else
			continue;
		fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0);
		if (fd == -1) {
			error = errno;
			continue;
		}
		stream_attach(s, fd);
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == -1 &&
		    errno != EINPROGRESS) {
			error = errno;
			stream_detach(s);
			continue;
		}
		s->connecting = STREAM_CONNECTING;
		event_add(s->ev_write, NULL);
		return;
	}
	if (s->addrs != NULL)
		evutil_freeaddrinfo(s->addrs);
	s->addrs = NULL;
	stream_fail(s, error);
}

/* Name resolved: connect to its addresses in turn. */
static void
stream_resolved_cb(int result, struct evutil_addrinfo *res, void *arg)
{
	struct stream	*s = arg;

	s->dns_request = NULL;
	if (result != 0 || res == NULL) {
		if (result == EVUTIL_EAI_CANCEL)
			return;		/* stream_free cancelled it */
		s->dns_error = result != 0 ? result : EVUTIL_EAI_NONAME;
		s->error = -1;
		stream_notify(s);
		return;
	}
	s->addrs = s->addr_next = res;
	stream_connect_next(s, 0);
}

/* Resolve and connect, see stream.h. */
struct stream *
stream_connect(struct event_base *base, struct evdns_base *dns,
    const char *host, int port, const struct stream_ops *ops, void *arg)
{
	struct evutil_addrinfo	 hints;
	struct stream		*s;

	s = stream_alloc(base, ops, arg);
	s->port = port;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	hints.ai_flags = EVUTIL_AI_ADDRCONFIG;
	/* May call back at once (numeric host), which only records. */
	s->dns_request = evdns_getaddrinfo(dns, host, NULL, &hints,
	    stream_resolved_cb, s);
	return s;
}

/* Connect to a Unix socket, see stream.h. */
struct stream *
stream_connect_unix(struct event_base *base, const char *path,
    const struct stream_ops *ops, void *arg)
{
	struct sockaddr_un	 sun;
	struct stream		*s;
	int			 fd;

	s = stream_alloc(base, ops, arg);
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path) {
		stream_fail(s, ENAMETOOLONG);
		return s;
	}
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1) {
		stream_fail(s, errno);
		return s;
	}
	stream_attach(s, fd);
	/* A full backlog says EAGAIN: the target is too busy; fail. */
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) == -1 &&
	    errno != EINPROGRESS) {
		stream_fail(s, errno);
		return s;
	}
	s->connecting = STREAM_CONNECTING;
	event_add(s->ev_write, NULL);
	return s;
}

/* Close and free, see stream.h. */
void
stream_free(struct stream *s)
{
	if (s->dns_request != NULL)
		evdns_getaddrinfo_cancel(s->dns_request);
	if (s->addrs != NULL)
		evutil_freeaddrinfo(s->addrs);
	stream_detach(s);
	event_free(s->ev_notify);
	evbuffer_free(s->input);
	evbuffer_free(s->output);
	free(s);
}

/* The input buffer. */
struct evbuffer *
stream_input(struct stream *s)
{
	return s->input;
}

/* The output buffer. */
struct evbuffer *
stream_output(struct stream *s)
{
	return s->output;
}

/* The socket. */
int
stream_fd(const struct stream *s)
{
	return s->fd;
}

/* Whether the peer sent EOF. */
int
stream_eof(const struct stream *s)
{
	return s->eof;
}

/* Set the input high and output low marks. */
void
stream_set_marks(struct stream *s, size_t high, size_t low)
{
	s->high = high;
	s->low = low;
}

/* Read again if reading stopped at the high mark. */
void
stream_consumed(struct stream *s)
{
	if (s->read_stopped && !s->eof && s->error == 0 &&
	    evbuffer_get_length(s->input) < s->high) {
		s->read_stopped = 0;
		event_add(s->ev_read, NULL);
	}
}

/* Write now what the socket takes. */
void
stream_flush(struct stream *s)
{
	if (s->connecting != STREAM_IDLE || s->fd == -1 || s->error != 0)
		return;
	stream_write_some(s);
}

/* Shut down for writing once the output is empty. */
void
stream_shutdown_write(struct stream *s)
{
	s->shut_wanted = 1;
	stream_flush(s);
}

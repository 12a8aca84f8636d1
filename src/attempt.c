/* One handshake over one stream, with a deadline: see attempt.h. */
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "attempt.h"
#include "handshake.h"
#include "log.h"
#include "reach.h"
#include "xmalloc.h"

struct attempt {
	struct event_base	*base;
	struct reach_stream	*stream;
	struct handshake	*h;
	const char		*host;
	int			 port;
	int			 timeout;
	int			 done;
	char			*cause;
};

/* Stop with CAUSE (NULL: success). */
static void
attempt_finish(struct attempt *a, char *cause)
{
	if (a->done)
		return;
	a->done = 1;
	a->cause = cause;
	event_base_loopbreak(a->base);
}

/* Send what the handshake has to say. */
static void
attempt_flush(struct attempt *a)
{
	const unsigned char	*p;
	size_t			 len;

	p = handshake_output(a->h, &len);
	if (len > 0) {
		reach_write(a->stream, p, len);
		handshake_output_sent(a->h, len);
	}
}

/* Bytes from the server: feed them to the handshake. */
static void
attempt_data(void *arg)
{
	struct attempt		*a = arg;
	struct evbuffer		*in = reach_input(a->stream);
	enum handshake_status	 st = HANDSHAKE_RUNNING;
	size_t			 len;
	char			*cause;

	while ((len = evbuffer_get_length(in)) > 0) {
		st = handshake_input(a->h, evbuffer_pullup(in, -1), len);
		evbuffer_drain(in, len);
	}
	attempt_flush(a);
	if (st == HANDSHAKE_DONE)
		attempt_finish(a, NULL);
	else if (st == HANDSHAKE_FAILED) {
		xasprintf(&cause, "%s:%d: %s", a->host, a->port,
		    handshake_error(a->h));
		attempt_finish(a, cause);
	}
}

/* The stream ended before the handshake did. */
static void
attempt_closed(void *arg, const char *why)
{
	struct attempt	*a = arg;
	char		*cause;

	if (handshake_server_version(a->h) != NULL)
		xasprintf(&cause, "%s:%d: %s during the handshake", a->host,
		    a->port, why);
	else
		xasprintf(&cause, "%s", why);
	attempt_finish(a, cause);
}

static const struct reach_stream_ops attempt_ops = {
	attempt_data,
	attempt_closed
};

/* Out of time. */
static void
attempt_deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct attempt	*a = arg;
	char		*cause;

	(void)fd;
	(void)what;
	xasprintf(&cause, "%s:%d: no %s within %d s (--timeout)", a->host,
	    a->port, handshake_server_version(a->h) == NULL ?
	    "SSH version line" : "complete handshake", a->timeout);
	attempt_finish(a, cause);
}

/* Run one handshake, see attempt.h. */
int
attempt_run(struct event_base *base, struct reach *r, const char *host,
    int port, int timeout, struct handshake *h, char **cause)
{
	struct attempt	 a;
	struct event	*deadline;
	struct timeval	 tv = { timeout, 0 };

	memset(&a, 0, sizeof a);
	a.base = base;
	a.h = h;
	a.host = host;
	a.port = port;
	a.timeout = timeout;
	if ((deadline = evtimer_new(base, attempt_deadline_cb, &a)) == NULL)
		fatal("out of memory");
	/* Through hops, the channel's own deadline (naming the hop) first. */
	if (reach_describe(r) != NULL)
		tv.tv_sec++;
	evtimer_add(deadline, &tv);
	a.stream = reach_open(r, host, port, timeout, &attempt_ops, &a);
	attempt_flush(&a);
	while (!a.done)
		event_base_loop(base, EVLOOP_ONCE);
	event_free(deadline);
	reach_close(a.stream);
	if (a.cause != NULL) {
		*cause = a.cause;
		return -1;
	}
	return 0;
}

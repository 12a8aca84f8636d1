/*
 * Byte streams for scan and probe: a bufferevent for a direct connection,
 * a hop channel for one through a chain. Callbacks to the user always come
 * from one deferred event, so the user may close the stream in them.
 */
#include <sys/types.h>

#include <errno.h>
#include <stdarg.h>
#include <limits.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/dns.h>
#include <event2/event.h>

#include "config.h"
#include "hop.h"
#include "log.h"
#include "reach.h"
#include "xmalloc.h"

/* Stop reading a channel while this much input awaits the user. */
#define REACH_INPUT_MAX		(256 * 1024)

struct reach {
	struct event_base	*base;
	struct evdns_base	*dns;
	struct config		*config;
	struct hop		*hops[CONFIG_MAX_CHAIN];	/* outer first */
	size_t			 nhops;
	char			*via;
};

struct reach_stream {
	struct reach		*reach;
	const struct reach_stream_ops *ops;
	void			*arg;
	char			*host;
	int			 port;
	struct bufferevent	*bev;		/* direct */
	int			 connected;
	struct hop_channel	*channel;	/* through hops */
	int			 open;
	struct evbuffer		*in;
	struct evbuffer		*out;		/* through hops */
	struct event		*ev_notify;
	char			*dead;		/* why it ended */
	int			 told;
};

/* Build and start the chain of hops ending with hop VIA. */
static int
reach_build_chain(struct reach *r, const char *via, char **cause)
{
	struct config_hop	*chain[CONFIG_MAX_CHAIN], *ch;
	size_t			 n = 0, i;

	if ((ch = config_find_hop(r->config, via)) == NULL) {
		xasprintf(cause, "%s: no [hop %s]", r->config->path, via);
		return -1;
	}
	for (; ch != NULL && n < CONFIG_MAX_CHAIN; ch = ch->via_hop)
		chain[n++] = ch;
	for (i = n; i > 0; i--) {
		r->hops[r->nhops] = hop_new(r->base, r->dns, chain[i - 1],
		    r->nhops == 0 ? NULL : r->hops[r->nhops - 1]);
		hop_start(r->hops[r->nhops++]);
	}
	return 0;
}

/* Make streams direct or through hop VIA of CONFIG_PATH. */
struct reach *
reach_new(struct event_base *base, struct evdns_base *dns, const char *via,
    const char *config_path, char **cause)
{
	struct reach	*r = xcalloc(1, sizeof *r);
	int		 nerrors = 0;

	r->base = base;
	r->dns = dns;
	if (via == NULL)
		return r;
	r->via = xstrdup(via);
	if ((r->config = config_load(config_path, stderr, &nerrors)) == NULL) {
		xasprintf(cause, "%s: %d error%s", config_path, nerrors,
		    nerrors == 1 ? "" : "s");
		reach_free(r);
		return NULL;
	}
	if (r->config->log_level < LOG_LEVEL_DEBUG)
		log_set_level(LOG_LEVEL_WARN);
	else
		log_set_level(LOG_LEVEL_DEBUG);
	hop_library_init();
	if (reach_build_chain(r, via, cause) != 0) {
		reach_free(r);
		return NULL;
	}
	return r;
}

/* Stop the hops and free everything. */
void
reach_free(struct reach *r)
{
	size_t	i;

	if (r == NULL)
		return;
	for (i = r->nhops; i > 0; i--)
		hop_shutdown(r->hops[i - 1], "scan done");
	for (i = r->nhops; i > 0; i--)
		hop_free(r->hops[i - 1]);
	if (r->config != NULL) {
		config_free(r->config);
		hop_library_exit();
	}
	free(r->via);
	free(r);
}

/* The hop streams go through, or NULL when direct. */
const char *
reach_describe(const struct reach *r)
{
	return r->via;
}

/* Tell the user, from the event loop. */
static void
reach_notify_cb(evutil_socket_t fd, short what, void *arg)
{
	struct reach_stream	*s = arg;

	(void)fd;
	(void)what;
	if (evbuffer_get_length(s->in) > 0) {
		/* The user may close S in data: ask for the end first. */
		if (s->dead != NULL)
			event_active(s->ev_notify, EV_TIMEOUT, 1);
		s->ops->data(s->arg);
		return;
	}
	if (s->dead != NULL && !s->told) {
		s->told = 1;
		s->ops->closed(s->arg, s->dead);
	}
}

/* Wake the user. */
static void
reach_notify(struct reach_stream *s)
{
	event_active(s->ev_notify, EV_TIMEOUT, 1);
}

/* The stream ended: remember why (the first reason wins). */
static void __attribute__((format(printf, 2, 3)))
reach_end(struct reach_stream *s, const char *fmt, ...)
{
	va_list	ap;

	if (s->dead == NULL) {
		va_start(ap, fmt);
		if (vasprintf(&s->dead, fmt, ap) < 0)
			fatal("out of memory");
		va_end(ap);
	}
	reach_notify(s);
}

/* Direct: bytes arrived. */
static void
reach_bev_read_cb(struct bufferevent *bev, void *arg)
{
	struct reach_stream	*s = arg;

	evbuffer_add_buffer(s->in, bufferevent_get_input(bev));
	reach_notify(s);
}

/* Direct: connected, closed or failed. */
static void
reach_bev_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct reach_stream	*s = arg;
	int			 dnserr, err = EVUTIL_SOCKET_ERROR();

	if (what & BEV_EVENT_CONNECTED) {
		s->connected = 1;
		return;
	}
	evbuffer_add_buffer(s->in, bufferevent_get_input(bev));
	bufferevent_disable(bev, EV_READ | EV_WRITE);
	if (what & BEV_EVENT_EOF)
		reach_end(s, "connection closed by %s:%d", s->host, s->port);
	else if ((dnserr = bufferevent_socket_get_dns_error(bev)) != 0)
		reach_end(s, "cannot resolve %s: %s", s->host,
		    evutil_gai_strerror(dnserr));
	else if (!s->connected)
		reach_end(s, "cannot connect to %s:%d: %s", s->host, s->port,
		    evutil_socket_error_to_string(err));
	else
		reach_end(s, "connection to %s:%d lost: %s", s->host, s->port,
		    evutil_socket_error_to_string(err));
}

/* Through hops: the channel is open. */
static void
reach_channel_opened(void *arg)
{
	struct reach_stream	*s = arg;

	s->open = 1;
	hop_channel_wake(s->channel);
}

/* Through hops: the channel could not be opened. */
static void
reach_channel_failed(void *arg, const char *reason)
{
	struct reach_stream	*s = arg;

	s->channel = NULL;
	reach_end(s, "cannot reach %s:%d through %s: %s", s->host, s->port,
	    s->reach->via, reason);
}

/* Through hops: the session under the channel went away. */
static void
reach_channel_lost(void *arg, const char *reason)
{
	struct reach_stream	*s = arg;

	s->channel = NULL;
	reach_end(s, "lost the channel to %s:%d through %s: %s", s->host,
	    s->port, s->reach->via, reason);
}

/* Through hops: move bytes both ways (in the hop's service pass). */
static int
reach_channel_pump(void *arg)
{
	struct reach_stream	*s = arg;
	size_t			 got = 0, sent = 0;
	int			 rc;

	if (s->dead != NULL)
		return 0;
	rc = hop_channel_read_into(s->channel, s->in, REACH_INPUT_MAX, &got);
	if (rc == HOP_EOF)
		reach_end(s, "connection closed by %s:%d", s->host, s->port);
	else if (rc == HOP_ERROR)
		reach_end(s, "the channel to %s:%d failed", s->host, s->port);
	if (s->dead == NULL &&
	    hop_channel_write_from(s->channel, s->out, &sent) != 0)
		reach_end(s, "the channel to %s:%d failed", s->host, s->port);
	if (got > 0)
		reach_notify(s);
	return got > 0 || sent > 0;
}

static const struct hop_channel_ops reach_channel_ops = {
	reach_channel_opened,
	reach_channel_failed,
	reach_channel_pump,
	reach_channel_lost
};

/* Open a stream to HOST:PORT. */
struct reach_stream *
reach_open(struct reach *r, const char *host, int port, int timeout,
    const struct reach_stream_ops *ops, void *arg)
{
	struct reach_stream	*s = xcalloc(1, sizeof *s);

	s->reach = r;
	s->ops = ops;
	s->arg = arg;
	s->host = xstrdup(host);
	s->port = port;
	if ((s->in = evbuffer_new()) == NULL ||
	    (s->out = evbuffer_new()) == NULL ||
	    (s->ev_notify = event_new(r->base, -1, 0, reach_notify_cb,
	    s)) == NULL)
		fatal("out of memory");
	if (r->nhops > 0) {
		s->channel = hop_channel_open(r->hops[r->nhops - 1], host,
		    port, "127.0.0.1", 0, timeout, &reach_channel_ops, s);
		return s;
	}
	s->bev = bufferevent_socket_new(r->base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (s->bev == NULL)
		fatal("out of memory");
	bufferevent_setcb(s->bev, reach_bev_read_cb, NULL, reach_bev_event_cb,
	    s);
	bufferevent_enable(s->bev, EV_READ | EV_WRITE);
	if (bufferevent_socket_connect_hostname(s->bev, r->dns, AF_UNSPEC,
	    host, port) != 0)
		reach_end(s, "cannot connect to %s:%d", host, port);
	return s;
}

/* What arrived. */
struct evbuffer *
reach_input(struct reach_stream *s)
{
	return s->in;
}

/* Send LEN bytes. */
void
reach_write(struct reach_stream *s, const void *p, size_t len)
{
	if (s->dead != NULL || len == 0)
		return;
	if (s->bev != NULL) {
		bufferevent_write(s->bev, p, len);
		return;
	}
	evbuffer_add(s->out, p, len);
	if (s->channel != NULL && s->open)
		hop_channel_wake(s->channel);
}

/* Close and free a stream. */
void
reach_close(struct reach_stream *s)
{
	size_t	sent;

	if (s->bev != NULL) {
		/* One attempt to send what is queued (the goodbye). */
		if (s->connected && s->dead == NULL)
			evbuffer_write(bufferevent_get_output(s->bev),
			    bufferevent_getfd(s->bev));
		bufferevent_free(s->bev);
	}
	if (s->channel != NULL) {
		/* One attempt to send what is queued (the goodbye). */
		if (s->open)
			(void)hop_channel_write_from(s->channel, s->out, &sent);
		hop_channel_close(s->channel);
	}
	event_free(s->ev_notify);
	evbuffer_free(s->in);
	evbuffer_free(s->out);
	free(s->dead);
	free(s->host);
	free(s);
}

/* Split a HOST[:PORT] argument. */
int
reach_parse_target(const char *arg, char **host, int *port,
    const char **cause)
{
	const char	*colon, *end;
	char		*ep;
	long		 n;

	*port = CONFIG_DEFAULT_PORT;
	if (*arg == '[') {
		if ((end = strchr(arg, ']')) == NULL || end == arg + 1) {
			*cause = "expected [ADDRESS]:PORT";
			return -1;
		}
		if (end[1] != '\0' && end[1] != ':') {
			*cause = "expected ':' after ']'";
			return -1;
		}
		*host = xstrndup(arg + 1, (size_t)(end - arg - 1));
		colon = end[1] == ':' ? end + 1 : NULL;
	} else if ((colon = strchr(arg, ':')) != NULL &&
	    strchr(colon + 1, ':') != NULL) {
		*host = xstrdup(arg);		/* a bare IPv6 address */
		colon = NULL;
	} else
		*host = colon == NULL ? xstrdup(arg) :
		    xstrndup(arg, (size_t)(colon - arg));
	if (**host == '\0') {
		*cause = "empty host";
		goto bad;
	}
	if (colon == NULL)
		return 0;
	errno = 0;
	n = strtol(colon + 1, &ep, 10);
	if (colon[1] == '\0' || *ep != '\0' || errno != 0 || n < 1 ||
	    n > 65535) {
		*cause = "the port must be a number from 1 to 65535";
		goto bad;
	}
	*port = (int)n;
	return 0;
bad:
	free(*host);
	*host = NULL;
	return -1;
}

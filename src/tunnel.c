/* Tunnels: common code, and local forwards (listener, accept, conn). */
#include <sys/socket.h>
#include <sys/types.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <netdb.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/listener.h>

#include "config.h"
#include "conn.h"
#include "hop.h"
#include "log.h"
#include "tunnel_int.h"
#include "unixsock.h"
#include "vis.h"
#include "xmalloc.h"

/*
 * Connections the kernel queues before we accept them (capped by
 * net.core.somaxconn): a burst beyond it waits for SYN retransmits, 1, 3,
 * 7 s later.
 */
#define TUNNEL_BACKLOG		4096
/* Pause accepting this long when out of file descriptors. */
#define TUNNEL_EMFILE_PAUSE	1
/* At most one line per this many seconds about refused connections. */
#define TUNNEL_REFUSED_EVERY	1


/* Return the tunnel's name. */
const char *
tunnel_name(const struct tunnel *t)
{
	return t->conf->name;
}

/* Return the tunnel's configuration. */
const struct config_tunnel *
tunnel_config(const struct tunnel *t)
{
	return t->conf;
}

/* Return the event base the tunnel runs on. */
struct event_base *
tunnel_base(const struct tunnel *t)
{
	return t->base;
}

/* A client connected: set it up and hand it to a new conn. */
static void
tunnel_accept_cb(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct tunnel	*t = arg;
	int		 one = 1;

	(void)l;
	if (!tunnel_conn_admit(t)) {
		close(fd);
		return;
	}
	if (sa->sa_family != AF_UNIX)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (t->conf->type == TUNNEL_SOCKS)
		conn_new_socks(t, t->hop, fd, sa, salen);
	else
		conn_new(t, t->hop, fd, sa, salen, t->conf->connect_host,
		    t->conf->connect_port);
}

/* Say how many connections max_connections closed since the last line. */
static void
tunnel_refused_cb(evutil_socket_t fd, short what, void *arg)
{
	struct tunnel	*t = arg;
	struct timeval	 tv = { TUNNEL_REFUSED_EVERY, 0 };

	(void)fd;
	(void)what;
	if (t->refused == 0)
		return;
	log_warn("tunnel %s: closed %d more new connection%s in %d s: still "
	    "%d open (max_connections %d)", t->conf->name, t->refused,
	    t->refused == 1 ? "" : "s", TUNNEL_REFUSED_EVERY, t->nconns,
	    t->conf->max_connections);
	t->refused = 0;
	evtimer_add(t->ev_refused, &tv);
}

/* Admit a new connection or count a refusal, see tunnel.h. */
int
tunnel_conn_admit(struct tunnel *t)
{
	struct timeval	tv = { TUNNEL_REFUSED_EVERY, 0 };

	if (t->nconns < t->conf->max_connections) {
		t->nconns++;
		return 1;
	}
	if (evtimer_pending(t->ev_refused, NULL)) {
		t->refused++;
		return 0;
	}
	log_warn("tunnel %s: %d connections open (max_connections): closing "
	    "new ones at once", t->conf->name, t->nconns);
	evtimer_add(t->ev_refused, &tv);
	return 0;
}

/* One of the tunnel's connections closed, see tunnel.h. */
void
tunnel_conn_gone(struct tunnel *t)
{
	t->nconns--;
}

/* Accepting again after a pause. */
static void
tunnel_resume_cb(evutil_socket_t fd, short what, void *arg)
{
	struct tunnel	*t = arg;

	(void)fd;
	(void)what;
	evconnlistener_enable(t->listener);
}

/* accept failed: pause on descriptor exhaustion rather than spin. */
static void
tunnel_accept_error_cb(struct evconnlistener *l, void *arg)
{
	struct tunnel	*t = arg;
	struct timeval	 tv = { TUNNEL_EMFILE_PAUSE, 0 };
	int		 error = EVUTIL_SOCKET_ERROR();

	if (error == EMFILE || error == ENFILE || error == ENOBUFS ||
	    error == ENOMEM) {
		log_warn("tunnel %s: cannot accept: %s; pausing %d s (the "
		    "file descriptor limit caps connections: see the limit "
		    "logged at start)", t->conf->name, strerror(error),
		    TUNNEL_EMFILE_PAUSE);
		evconnlistener_disable(l);
		evtimer_add(t->ev_resume, &tv);
		return;
	}
	log_warn("tunnel %s: accept: %s", t->conf->name, strerror(error));
}

/* Time to try starting again. */
static void
tunnel_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	struct tunnel	*t = arg;
	char		*cause;

	(void)fd;
	(void)what;
	if (tunnel_start(t, &cause) == 0)
		return;
	log_warn("tunnel %s: %s; retrying in %d s", t->conf->name, cause,
	    t->retry_delay);
	free(cause);
	tunnel_retry(t);
}

/* Start again after a delay that doubles up to the hop's reconnect_max. */
void
tunnel_retry(struct tunnel *t)
{
	struct timeval	tv = { t->retry_delay, 0 };

	evtimer_add(t->ev_retry, &tv);
	t->retry_delay = t->retry_delay * 2 > t->conf->hop->reconnect_max ?
	    t->conf->hop->reconnect_max : t->retry_delay * 2;
}

/* Create a tunnel; it does not listen until tunnel_listen. */
struct tunnel *
tunnel_new(struct event_base *base, struct evdns_base *dns,
    const struct config_tunnel *conf, struct hop *hop)
{
	struct tunnel	*t;

	t = xcalloc(1, sizeof *t);
	t->conf = conf;
	t->ops = conf->type == TUNNEL_REMOTE ? &tunnel_remote_ops :
	    conf->type == TUNNEL_SOCKS ? &tunnel_socks_ops : &tunnel_local_ops;
	t->base = base;
	t->dns = dns;
	t->hop = hop;
	t->ev_resume = evtimer_new(base, tunnel_resume_cb, t);
	t->ev_retry = evtimer_new(base, tunnel_retry_cb, t);
	t->ev_refused = evtimer_new(base, tunnel_refused_cb, t);
	if (t->ev_resume == NULL || t->ev_retry == NULL ||
	    t->ev_refused == NULL)
		fatal("tunnel %s: out of memory", conf->name);
	t->retry_delay = conf->hop->reconnect_min;
	return t;
}

/* Return whether SA is a loopback address. */
static int
tunnel_is_loopback(const struct sockaddr *sa)
{
	const struct sockaddr_in	*sin;
	const struct sockaddr_in6	*sin6;

	if (sa->sa_family == AF_INET) {
		sin = (const struct sockaddr_in *)sa;
		return (ntohl(sin->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family == AF_INET6) {
		sin6 = (const struct sockaddr_in6 *)sa;
		return IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr);
	}
	return 0;
}

/* Start a tunnel, see tunnel.h. */
int
tunnel_start(struct tunnel *t, char **cause)
{
	return t->ops->start(t, cause);
}

/* What a local tunnel's connections reach, for its log lines, in BUF. */
static const char *
tunnel_target_text(const struct config_tunnel *conf, char *buf, size_t len)
{
	if (conf->type == TUNNEL_SOCKS) {
		snprintf(buf, len, "SOCKS, allowing %s", conf->allow);
		return buf;
	}
	return config_endpoint_format(conf->connect_host, conf->connect_port,
	    conf->connect_path, buf, len);
}

/*
 * Listen on a local forward's Unix socket (unixsock.h): access is the
 * socket's mode and group.
 */
static int
tunnel_local_start_unix(struct tunnel *t, char **cause)
{
	const struct config_tunnel *conf = t->conf;
	char		target[300], group[32] = "";
	int		fd;

	t->unixsock = unixsock_listen(conf->listen_path, conf->listen_mode,
	    conf->listen_group, TUNNEL_BACKLOG, &fd, cause);
	if (t->unixsock == NULL)
		return -1;
	t->listener = evconnlistener_new(t->base, tunnel_accept_cb, t,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, -1, fd);
	if (t->listener == NULL) {
		xasprintf(cause, "cannot listen on unix:%s: %s",
		    conf->listen_path, strerror(errno));
		close(fd);
		unixsock_remove(t->unixsock);
		t->unixsock = NULL;
		return -1;
	}
	evconnlistener_set_error_cb(t->listener, tunnel_accept_error_cb);
	if (conf->listen_mode & 0007)
		log_warn("tunnel %s: unix:%s is mode %04o: every local user "
		    "can connect through it with your SSH identity",
		    conf->name, conf->listen_path, conf->listen_mode);
	if (conf->listen_group != -1)
		snprintf(group, sizeof group, ", group %d", conf->listen_group);
	log_info("tunnel %s: listening on unix:%s (mode %04o%s) -> %s via %s",
	    conf->name, conf->listen_path, conf->listen_mode, group,
	    tunnel_target_text(conf, target, sizeof target),
	    hop_name(t->hop));
	return 0;
}

/* Bind a local forward's listener. */
static int
tunnel_local_start(struct tunnel *t, char **cause)
{
	struct addrinfo	 hints, *res;
	char		 port[16], target[300];
	int		 rc;

	if (t->conf->listen_path != NULL)
		return tunnel_local_start_unix(t, cause);

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	snprintf(port, sizeof port, "%d", t->conf->listen_port);
	rc = getaddrinfo(t->conf->listen_host, port, &hints, &res);
	if (rc != 0) {
		xasprintf(cause, "cannot resolve listen address %s: %s",
		    t->conf->listen_host, gai_strerror(rc));
		return -1;
	}
	t->listener = evconnlistener_new_bind(t->base, tunnel_accept_cb, t,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC | LEV_OPT_REUSEABLE,
	    TUNNEL_BACKLOG, res->ai_addr, res->ai_addrlen);
	if (t->listener == NULL) {
		xasprintf(cause, "cannot listen on %s:%d: %s%s",
		    t->conf->listen_host, t->conf->listen_port,
		    strerror(errno), errno == EADDRINUSE ? " (another "
		    "program holds this port: pick another listen port or "
		    "stop it)" : "");
		freeaddrinfo(res);
		return -1;
	}
	evconnlistener_set_error_cb(t->listener, tunnel_accept_error_cb);
	if (!tunnel_is_loopback(res->ai_addr)) {
		log_warn("tunnel %s: listening on %s:%d, which is reachable "
		    "from other machines", t->conf->name, t->conf->listen_host,
		    t->conf->listen_port);
	}
	freeaddrinfo(res);
	if (t->conf->type == TUNNEL_SOCKS)
		log_info("tunnel %s: SOCKS on %s:%d via %s, allowing %s",
		    t->conf->name, t->conf->listen_host, t->conf->listen_port,
		    hop_name(t->hop), t->conf->allow);
	else
		log_info("tunnel %s: listening on %s:%d -> %s via %s",
		    t->conf->name, t->conf->listen_host, t->conf->listen_port,
		    tunnel_target_text(t->conf, target, sizeof target),
		    hop_name(t->hop));
	return 0;
}

/* Stop a local forward's listener. */
static void
tunnel_local_stop(struct tunnel *t)
{
	if (t->listener != NULL)
		evconnlistener_free(t->listener);
	t->listener = NULL;
	unixsock_remove(t->unixsock);	/* after the close: nobody binds it */
	t->unixsock = NULL;
}

/* Say what a local forward is doing. */
static const char *
tunnel_local_state(const struct tunnel *t)
{
	if (t->listener != NULL)
		return "listening";
	if (evtimer_pending(t->ev_retry, NULL))
		return "cannot listen, retrying";
	return "stopped";
}

const struct tunnel_ops tunnel_local_ops = {
	"local",
	tunnel_local_start,
	tunnel_local_stop,
	tunnel_local_state
};

/* A SOCKS tunnel listens as a local forward does. */
const struct tunnel_ops tunnel_socks_ops = {
	"socks",
	tunnel_local_start,
	tunnel_local_stop,
	tunnel_local_state
};

/* Fill in what status shows of a tunnel. */
void
tunnel_get_status(const struct tunnel *t, struct tunnel_status *st)
{
	const struct config_tunnel *conf = t->conf;

	st->name = conf->name;
	st->type = t->ops->name;
	config_endpoint_format(conf->listen_host, t->remote_port != 0 ?
	    t->remote_port : conf->listen_port, conf->listen_path, st->listen,
	    sizeof st->listen);
	if (conf->type == TUNNEL_SOCKS)
		conn_destinations(t, st->connect, sizeof st->connect);
	else
		config_endpoint_format(conf->connect_host, conf->connect_port,
		    conf->connect_path, st->connect, sizeof st->connect);
	st->via = hop_name(t->hop);
	st->state = t->stopped ? "stopped" : t->ops->state(t);
	st->active = t->nconns;
	st->bytes_up = t->bytes_up;
	st->bytes_down = t->bytes_down;
	st->last_error = t->last_error;
}

/* Count bytes moved by one of the tunnel's connections. */
void
tunnel_count_bytes(struct tunnel *t, uint64_t up, uint64_t down)
{
	t->bytes_up += up;
	t->bytes_down += down;
}

/* Remember the tunnel's latest problem. */
void
tunnel_set_error(struct tunnel *t, const char *error)
{
	free(t->last_error);
	t->last_error = vis_dup(error, strlen(error), VIS_KEEP_BACKSLASH);
}

/*
 * Point a kept tunnel at its settings in a reloaded config; a SOCKS
 * tunnel checks its next requests against the new allow-list.
 */
void
tunnel_set_config(struct tunnel *t, const struct config_tunnel *conf)
{
	if (conf->type == TUNNEL_SOCKS && strcmp(t->conf->allow,
	    conf->allow) != 0)
		log_info("tunnel %s: allow-list now %s (open connections "
		    "stay)", conf->name, conf->allow);
	t->conf = conf;
}

/* Stop taking new connections; live ones go on. */
void
tunnel_stop(struct tunnel *t)
{
	evtimer_del(t->ev_retry);
	t->ops->stop(t);
	t->stopped = 1;
}

/* Stop the tunnel, close its connections and free it. */
void
tunnel_free(struct tunnel *t)
{
	tunnel_stop(t);
	conn_close_all(t, "jumpgate is shutting down");
	free(t->last_error);
	event_free(t->ev_resume);
	event_free(t->ev_retry);
	event_free(t->ev_refused);
	free(t);
}

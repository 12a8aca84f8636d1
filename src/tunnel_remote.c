/*
 * Remote forwards (ssh -R): the hop's server listens and forwards each
 * connection to us over a forwarded-tcpip channel; we connect it to the
 * target from this machine. The request is made again whenever the hop's
 * session comes back, and retried with backoff while the server refuses
 * (forwarding not allowed, or the port still held by a dead session).
 */
#include <stdio.h>
#include <stdlib.h>

#include <event2/event.h>

#include "config.h"
#include "conn.h"
#include "hop.h"
#include "log.h"
#include "tunnel_int.h"

static void	tunnel_remote_request(struct tunnel *);

/* The server listens: say where. */
static void
tunnel_remote_opened(void *arg)
{
	struct tunnel	*t = arg;
	char		 target[300];

	t->remote_port = hop_listen_port(t->remote);
	t->retry_delay = t->conf->hop->reconnect_min;
	log_info("tunnel %s: %s listens on %s:%d%s -> %s on this machine",
	    t->conf->name, hop_name(t->hop), t->conf->listen_host,
	    t->remote_port, t->conf->listen_port == 0 ? " (port chosen by the "
	    "server)" : "", config_endpoint_format(t->conf->connect_host,
	    t->conf->connect_port, t->conf->connect_path, target,
	    sizeof target));
}

/* The server refused: try again later, never in a tight loop. */
static void
tunnel_remote_failed(void *arg, const char *reason)
{
	struct tunnel	*t = arg;

	t->remote = NULL;
	tunnel_set_error(t, reason);
	log_error("tunnel %s: %s; retrying in %d s", t->conf->name, reason,
	    t->retry_delay);
	tunnel_retry(t);
}

/* The session went away: ask again (it waits for the hop to be back). */
static void
tunnel_remote_lost(void *arg, const char *reason)
{
	struct tunnel	*t = arg;

	t->remote = NULL;
	t->remote_port = 0;
	log_warn("tunnel %s: remote listener lost with the session (%s); "
	    "asking again when the hop is back", t->conf->name, reason);
	tunnel_remote_request(t);
}

/* Take the connections the server forwarded. */
static int
tunnel_remote_pump(void *arg)
{
	struct tunnel	*t = arg;
	int		 progress = 0;

	while (t->remote != NULL &&
	    conn_accept_remote(t, t->hop, t->remote, t->dns))
		progress = 1;
	return progress;
}

static const struct hop_channel_ops tunnel_remote_listen_ops = {
	tunnel_remote_opened,
	tunnel_remote_failed,
	tunnel_remote_pump,
	tunnel_remote_lost
};

/* Queue the tcpip-forward request on the hop. */
static void
tunnel_remote_request(struct tunnel *t)
{
	t->remote = hop_listen(t->hop, t->conf->listen_host,
	    t->conf->listen_port, t->conf->hop->connect_timeout,
	    &tunnel_remote_listen_ops, t);
}

/* Start a remote forward: it cannot fail now, only later and retried. */
static int
tunnel_remote_start(struct tunnel *t, char **cause)
{
	(void)cause;
	if (t->remote == NULL)
		tunnel_remote_request(t);
	return 0;
}

/* Stop: cancel-tcpip-forward goes out before the hop disconnects. */
static void
tunnel_remote_stop(struct tunnel *t)
{
	if (t->remote != NULL) {
		hop_channel_close(t->remote);
		t->remote = NULL;
	}
	t->remote_port = 0;
}

/* Say what a remote forward is doing. */
static const char *
tunnel_remote_state(const struct tunnel *t)
{
	if (t->remote_port != 0)
		return "listening";
	if (t->remote != NULL)
		return "requesting";
	if (evtimer_pending(t->ev_retry, NULL))
		return "refused, retrying";
	return "stopped";
}

const struct tunnel_ops tunnel_remote_ops = {
	"remote",
	tunnel_remote_start,
	tunnel_remote_stop,
	tunnel_remote_state
};

/* A hop: one SSH session to a host, its transport and its channels. */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netdb.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/util.h>
#include <libssh2.h>

#include "compat.h"
#include "config.h"
#include "hop_int.h"
#include "log.h"
#include "server.h"
#include "vis.h"
#include "xmalloc.h"

/*
 * The one place that knows libssh2 versions (docs/libssh2.md): jumpgate
 * relies on 1.11.1 (strict key exchange, rsa-sha2, chacha20-poly1305) and
 * never runs on 1.11.0, which can duplicate packets when a send interrupts
 * a half-sent one. At run time an older shared libssh2 cannot even be
 * loaded: libssh2_session_callback_set2 is new in 1.11.1.
 */
#if LIBSSH2_VERSION_NUM < 0x010b01
#error "jumpgate needs libssh2 >= 1.11.1 (configure --with-libssh2=bundled)"
#endif

/* Service rounds in one go before yielding to other events. */
#define HOP_SERVICE_ROUNDS	64
/* Forwarded connections libssh2 queues per listener until accepted. */
#define HOP_LISTEN_QUEUE	64

enum hop_channel_kind {
	HC_DIRECT,		/* direct-tcpip channel we open */
	HC_STREAMLOCAL,		/* direct-streamlocal channel (host: path) */
	HC_SESSION,		/* session channel we open (the probe) */
	HC_LISTEN,		/* tcpip-forward request: a remote listener */
	HC_FORWARDED		/* forwarded-tcpip channel the server opened */
};

enum hop_channel_state {
	CHAN_QUEUED,		/* waiting for the hop or its turn */
	CHAN_OPENING,		/* libssh2 open in progress */
	CHAN_OPEN,
	CHAN_CLOSING		/* given back; closing politely */
};

/* Where a channel is on its hop's wake list. */
enum hop_channel_wake {
	WAKE_NONE,
	WAKE_LISTED,		/* on hop->wake: pump in the next round */
	WAKE_BATCH		/* on hop->batch: being pumped this round */
};

struct hop_channel {
	TAILQ_ENTRY(hop_channel) entry;
	TAILQ_ENTRY(hop_channel) wake_entry;
	struct hop		*hop;
	enum hop_channel_wake	 woken;
	int			 write_blocked;	/* window or hop output full */
	enum hop_channel_state	 state;
	LIBSSH2_CHANNEL		*channel;
	char			*host;
	int			 port;
	char			*orig_host;
	int			 orig_port;
	const struct hop_channel_ops *ops;	/* NULL once abandoned */
	void			*arg;
	struct event		*deadline;
	enum hop_channel_kind	 kind;
	LIBSSH2_LISTENER	*listener;	/* HC_LISTEN */
	int			 bound_port;	/* HC_LISTEN: the server's port */
	int			 user;		/* counts as use of the hop */
	enum hop_open_error	 open_error;	/* why failed was called */
};
static void	hop_service(struct hop *);
static void	hop_uncork(struct hop *);
static int	hop_take_input_on(struct hop_channel *);
static void	hop_teardown(struct hop *, const char *);
static void	hop_channel_destroy(struct hop_channel *);
static void	hop_channel_submit(struct hop_channel *);
static void	hop_channel_deadline_cb(evutil_socket_t, short, void *);

static const char *hop_state_names[] = {
	"down", "connecting", "handshake", "auth", "ready"
};

/* Return the name of a state. */
const char *
hop_state_name(enum hop_state state)
{
	return hop_state_names[state];
}

/* Return the hop's name. */
const char *
hop_name(const struct hop *hop)
{
	return hop->label;
}

/* Fill in what status shows of a hop. */
void
hop_get_status(const struct hop *hop, struct hop_status *st)
{
	st->label = hop->label;
	st->state = hop->state;
	st->since = hop->since;
	st->reconnects = hop->sessions > 1 ? hop->sessions - 1 : 0;
	st->fingerprint = hop->fingerprint;
	st->last_error = hop->last_error;
	st->channels = hop_pool_channels(hop);
	st->sessions = 1 + hop->npool;
}

/* Point a kept hop at its settings in a reloaded config. */
void
hop_set_config(struct hop *hop, const struct config_hop *conf)
{
	hop->conf = conf;
	hop_pool_set_config(hop, conf);
}

/* Change state, logging the transition. */
static void
hop_set_state(struct hop *hop, enum hop_state state)
{
	if (hop->state == state)
		return;
	log_debug("hop %s: %s -> %s", hop->label,
	    hop_state_names[hop->state], hop_state_names[state]);
	hop->state = state;
	hop->since = time(NULL);
}

/* Return libssh2's last error message for the hop's session. */
const char *
hop_session_error(struct hop *hop, int *code)
{
	char	*msg = NULL;
	int	 rc;

	rc = libssh2_session_last_error(hop->session, &msg, NULL, 0);
	if (code != NULL)
		*code = rc;
	return msg != NULL && *msg != '\0' ? msg : "unknown libssh2 error";
}

/* libssh2 receive callback: hand over what the transport has buffered. */
static ssize_t
hop_recv_cb(libssh2_socket_t fd, void *buf, size_t len, int flags,
    void **abstract)
{
	struct hop	*hop = *abstract;
	ssize_t		 n;
	int		 n2;

	if (fd != hop->io.fd || hop->io.fd == -1) {
		/* ssh-agent traffic uses its own socket. */
		if ((n = recv(fd, buf, len, flags)) < 0)
			return -errno;
		return n;
	}
	if ((n2 = evbuffer_remove(hop->io.inbuf, buf, len)) > 0) {
		hop->pulled = 1;
		return n2;
	}
	if (hop->io.dead)
		return -ECONNRESET;
	return -EAGAIN;
}

/*
 * Write the packets held by the cork (see HOP_CORK_PACKET) in one go; what
 * the transport does not take now, or an error, is left to its flush.
 */
static void
hop_uncork(struct hop *hop)
{
	size_t	len = evbuffer_get_length(hop->io.outbuf);
	ssize_t	n;

	hop->io.cork_pending = 0;
	if (len == 0 || hop->io.dead || hop->io.fd == -1)
		return;
	n = hop->transport->write_now(hop,
	    evbuffer_pullup(hop->io.outbuf, len), len);
	if (n > 0)
		evbuffer_drain(hop->io.outbuf, n);
	if (n < 0 || (size_t)n < len) {
		/* The transport's flush finishes it, or fails the hop. */
		hop->transport->flush(hop);
		hop->io.sends_deferred++;
		if (len > hop->io.outbuf_peak)
			hop->io.outbuf_peak = len;
	}
}

/*
 * libssh2 send callback: never report a partial send. What the transport
 * does not take now is kept in the output buffer and flushed later.
 */
static ssize_t
hop_send_cb(libssh2_socket_t fd, const void *buf, size_t len, int flags,
    void **abstract)
{
	struct hop	*hop = *abstract;
	ssize_t		 n = 0;

	if (fd != hop->io.fd || hop->io.fd == -1) {
		if (hop->io.fd == -1 && fd == -1)
			return len;	/* transport gone: discard */
		if ((n = send(fd, buf, len, flags | MSG_NOSIGNAL)) < 0)
			return -errno;
		return n;
	}
	if (hop->io.dead)
		return -ECONNRESET;
	hop->io.bytes_sent += len;
	if (hop->transport->write_now != NULL && hop->io.corked &&
	    len <= HOP_CORK_PACKET &&
	    evbuffer_get_length(hop->io.outbuf) + len <= HOP_CORK_MAX &&
	    (hop->io.cork_pending ||
	    evbuffer_get_length(hop->io.outbuf) == 0)) {
		evbuffer_add(hop->io.outbuf, buf, len);
		hop->io.cork_pending = 1;
		return len;
	}
	if (hop->io.cork_pending)
		hop_uncork(hop);
	if (hop->transport->write_now != NULL &&
	    evbuffer_get_length(hop->io.outbuf) == 0) {
		if ((n = hop->transport->write_now(hop, buf, len)) < 0) {
			hop->io.dead = 1;
			return n;
		}
		if ((size_t)n == len)
			return len;
	}
	evbuffer_add(hop->io.outbuf, (const char *)buf + n, len - n);
	hop->transport->flush(hop);
	if (hop->transport->write_now != NULL)
		hop->io.sends_deferred++;
	if (evbuffer_get_length(hop->io.outbuf) > hop->io.outbuf_peak)
		hop->io.outbuf_peak = evbuffer_get_length(hop->io.outbuf);
	return len;
}

/* Run a service pass soon, from the event loop. */
void
hop_kick(struct hop *hop)
{
	event_active(hop->ev_service, EV_TIMEOUT, 0);
}

/* Service event: continue whatever the hop is doing. */
static void
hop_service_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	hop_advance(arg);
}

/* Schedule the next connection attempt after the current backoff. */
static void
hop_schedule_retry(struct hop *hop, long ms)
{
	struct timeval	tv = { ms / 1000, (ms % 1000) * 1000 };

	log_info("hop %s: retrying in %.1f s", hop->label, ms / 1000.0);
	evtimer_add(hop->ev_retry, &tv);
}

/*
 * Milliseconds to wait before the next attempt after a network failure:
 * the backoff with jitter (between half and all of it, never below
 * reconnect_min); the backoff then doubles up to reconnect_max.
 */
static long
hop_next_backoff(struct hop *hop)
{
	long	ms, half, min = hop->conf->reconnect_min * 1000L;

	half = hop->backoff * 1000L / 2;
	ms = half + (long)arc4random_uniform((uint32_t)half + 1);
	if (ms < min)
		ms = min;
	hop->backoff = hop->backoff * 2 > hop->conf->reconnect_max ?
	    hop->conf->reconnect_max : hop->backoff * 2;
	return ms;
}

/* Fail every queued channel with REASON. */
static void
hop_fail_queued(struct hop *hop, const char *reason)
{
	struct hop_channel	*hc, *next;

	TAILQ_FOREACH_SAFE(hc, &hop->queue, entry, next) {
		hc->ops->failed(hc->arg, reason);
		hop_channel_destroy(hc);
	}
}

/*
 * Lose the session after a failure: log REASON, tear everything down and
 * retry. HARD failures (host key, authentication) also fail the waiting
 * channels at once and retry only after the longest backoff.
 */
void
hop_fail(struct hop *hop, int hard, const char *fmt, ...)
{
	va_list	 ap;
	char	*reason;
	long	 delay;

	va_start(ap, fmt);
	if (vasprintf(&reason, fmt, ap) < 0)
		fatal("out of memory");
	va_end(ap);

	log_error("hop %s: %s", hop->label, reason);
	/* Failing while a network change is checked (its outer hop died). */
	if (hop_alive_urgent_pending(hop))
		hop->retry_now = 1;
	hop_teardown(hop, reason);
	free(hop->last_error);
	hop->last_error = vis_dup(reason, strlen(reason), VIS_KEEP_BACKSLASH);
	hop->hard_failed = hard;
	if (hard) {
		/* A fixed config is picked up, but never in a tight loop. */
		hop_fail_queued(hop, reason);
		delay = hop->conf->reconnect_max * 1000L;
	} else if (hop->retry_now) {
		/* The network changed: no reason to wait for it. */
		hop->backoff = hop->conf->reconnect_min;
		delay = 0;
	} else
		delay = hop_next_backoff(hop);
	hop->retry_now = 0;
	free(reason);
	if (!hard && hop->conf->lazy && TAILQ_EMPTY(&hop->channels) &&
	    TAILQ_EMPTY(&hop->queue)) {
		/*
		 * Nobody waits: connect again on first use. Not after a
		 * host-key or auth failure: the timer must hold clients back.
		 */
		return;
	}
	hop_schedule_retry(hop, delay);
}

/* Return whether a retry is scheduled after a failure. */
static int
hop_waiting_retry(struct hop *hop)
{
	return hop->state == HOP_DOWN &&
	    evtimer_pending(hop->ev_retry, NULL);
}

/* Deadline for the whole connection set-up. */
static void
hop_deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct hop	*hop = arg;

	(void)fd;
	(void)what;
	hop_fail(hop, 0, "could not connect to %s:%d within %d s (stuck in %s)",
	    hop->conf->host, hop->conf->port, hop->conf->connect_timeout,
	    hop_state_names[hop->state]);
}

/* A check before connecting failed: fail the hop, from the event loop. */
static void
hop_refuse_cb(evutil_socket_t fd, short what, void *arg)
{
	struct hop	*hop = arg;
	char		*why = hop->refusal;

	(void)fd;
	(void)what;
	hop->refusal = NULL;
	hop_fail(hop, 1, "%s", why != NULL ? why : "refused to connect");
	free(why);
}

/* Retry timer: connect again. */
static void
hop_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	hop_start(arg);
}

/* Nothing has used the hop for idle_timeout: disconnect until next use. */
static void
hop_idle_cb(evutil_socket_t fd, short what, void *arg)
{
	struct hop	*hop = arg;

	(void)fd;
	(void)what;
	log_info("hop %s: unused for %d s (idle_timeout)", hop->label,
	    hop->conf->idle_timeout);
	hop_shutdown(hop, "idle");
}

/* Arm the idle timer while the hop is ready and nobody uses it. */
static void
hop_idle_update(struct hop *hop)
{
	struct timeval	tv = { hop->conf->idle_timeout, 0 };

	if (hop->conf->idle_timeout > 0 && hop->state == HOP_READY &&
	    hop->nuser == 0) {
		if (!evtimer_pending(hop->ev_idle, NULL))
			evtimer_add(hop->ev_idle, &tv);
	} else
		evtimer_del(hop->ev_idle);
}

/* Create a hop for CONF, reached through OUTER if not NULL; see hop.h. */
struct hop *
hop_new(struct event_base *base, struct evdns_base *dns,
    const struct config_hop *conf, struct hop *outer)
{
	struct hop	*hop;

	hop = xcalloc(1, sizeof *hop);
	hop->conf = conf;
	hop->outer = outer;
	if (outer != NULL) {
		hop->transport = &hop_carrier_transport;
		xasprintf(&hop->label, "%s -> %s", outer->label, conf->name);
	} else {
		hop->transport = &hop_tcp_transport;
		hop->label = xstrdup(conf->name);
	}
	hop->base = base;
	hop->dns = dns;
	hop->io.fd = -1;
	hop->state = HOP_DOWN;
	hop->since = time(NULL);
	hop->backoff = hop->conf->reconnect_min;
	hop->io.inbuf = evbuffer_new();
	hop->io.outbuf = evbuffer_new();
	hop->ev_deadline = evtimer_new(base, hop_deadline_cb, hop);
	hop->ev_refuse = event_new(base, -1, 0, hop_refuse_cb, hop);
	hop->ev_retry = evtimer_new(base, hop_retry_cb, hop);
	hop->ev_service = event_new(base, -1, 0, hop_service_cb, hop);
	hop->ev_idle = evtimer_new(base, hop_idle_cb, hop);
	if (hop->io.inbuf == NULL || hop->io.outbuf == NULL ||
	    hop->ev_deadline == NULL || hop->ev_refuse == NULL ||
	    hop->ev_retry == NULL ||
	    hop->ev_service == NULL || hop->ev_idle == NULL)
		fatal("hop %s: out of memory", conf->name);
	hop_alive_init(hop);
	hop_hostkey_init(hop);
	hop->io.transport = xcalloc(1, hop->transport->state_size);
	TAILQ_INIT(&hop->channels);
	TAILQ_INIT(&hop->queue);
	TAILQ_INIT(&hop->closing);
	TAILQ_INIT(&hop->wake);
	TAILQ_INIT(&hop->batch);
	return hop;
}

/* Begin connecting now, unless already under way. */
void
hop_start(struct hop *hop)
{
	struct timeval	 tv = { hop->conf->connect_timeout, 0 };
	char		*cause;

	if (hop->state != HOP_DOWN)
		return;
	evtimer_del(hop->ev_retry);
	hop_set_state(hop, HOP_CONNECTING);
	if (hop_auth_precheck(hop, &cause) != 0) {
		/* Not from here: the caller may not hold its channel yet. */
		free(hop->refusal);
		hop->refusal = cause;
		event_active(hop->ev_refuse, EV_TIMEOUT, 0);
		return;
	}
	evtimer_add(hop->ev_deadline, &tv);
	if (hop->outer != NULL)
		log_info("hop %s: connecting to %s:%d through %s", hop->label,
		    hop->conf->host, hop->conf->port, hop->outer->label);
	else
		log_info("hop %s: connecting to %s:%d", hop->label,
		    hop->conf->host, hop->conf->port);
	hop->transport->connect(hop);
}

/*
 * libssh2's free: until the session is ready, wipe what is freed. Its
 * authentication packets and keyboard-interactive answers hold passwords
 * and codes in the clear, and libssh2 (1.11.1 too) frees them without
 * wiping.
 */
static void
hop_free_cb(void *ptr, void **abstract)
{
	struct hop	*hop = *abstract;

	if (ptr != NULL && hop->state != HOP_READY)
		explicit_bzero(ptr, malloc_usable_size(ptr));
	free(ptr);
}

/* The transport is up: create the libssh2 session and start the handshake. */
void
hop_session_begin(struct hop *hop)
{
	char	*cause;

	hop->session = libssh2_session_init_ex(NULL, hop_free_cb, NULL, hop);
	if (hop->session == NULL)
		fatal("hop %s: cannot create an SSH session", hop->label);
	libssh2_session_callback_set2(hop->session, LIBSSH2_CALLBACK_RECV,
	    (libssh2_cb_generic *)hop_recv_cb);
	libssh2_session_callback_set2(hop->session, LIBSSH2_CALLBACK_SEND,
	    (libssh2_cb_generic *)hop_send_cb);
	libssh2_session_set_blocking(hop->session, 0);
	hop_set_state(hop, HOP_HANDSHAKE);
	if (hop_algorithms_apply(hop, &cause) != 0) {
		hop_fail(hop, 1, "%s", cause);
		free(cause);
		return;
	}
	if (hop_hostkey_offer(hop) != 0)
		return;
	hop_advance(hop);
}

/*
 * Tear the session and transport down. Open channels are lost, abandoned
 * and closing ones freed; queued channels stay queued for the next session.
 */
static void
hop_teardown(struct hop *hop, const char *reason)
{
	struct hop_channel	*hc, *next;

	evtimer_del(hop->ev_deadline);
	event_del(hop->ev_refuse);
	free(hop->refusal);
	hop->refusal = NULL;
	event_del(hop->ev_service);
	evtimer_del(hop->ev_idle);
	hop_alive_stop(hop);
	if (hop->session != NULL && hop->state == HOP_READY) {
		log_info("hop %s: session ended (%s): %" PRIu64 " bytes sent, "
		    "%" PRIu64 " received; %" PRIu64 " sends deferred, output "
		    "buffer peak %zu bytes", hop->label, reason,
		    hop->io.bytes_sent, hop->io.bytes_received, hop->io.sends_deferred,
		    hop->io.outbuf_peak);
	}
	hop->io.bytes_sent = hop->io.bytes_received = hop->io.sends_deferred = 0;
	hop->io.outbuf_peak = 0;
	hop->opening = NULL;
	hop->last_open.tv_sec = hop->last_open.tv_nsec = 0;
	TAILQ_FOREACH_SAFE(hc, &hop->queue, entry, next) {
		if (hc->user)
			continue;	/* waits for the next session */
		if (hc->ops != NULL)
			hc->ops->lost(hc->arg, reason);
		hop_channel_destroy(hc);
	}
	TAILQ_FOREACH_SAFE(hc, &hop->channels, entry, next) {
		if (hc->ops != NULL) {
			if (hc->state == CHAN_OPEN || !hc->user)
				hc->ops->lost(hc->arg, reason);
			else
				hc->ops->failed(hc->arg, reason);
		}
		hc->channel = NULL;	/* freed with the session */
		hop_channel_destroy(hc);
	}
	while ((hc = TAILQ_FIRST(&hop->closing)) != NULL) {
		hc->channel = NULL;
		hop_channel_destroy(hc);
	}

	/* No more I/O: make every libssh2 call below fail fast. */
	hop->io.dead = 1;
	evbuffer_drain(hop->io.inbuf, evbuffer_get_length(hop->io.inbuf));
	hop_auth_clear(hop);
	if (hop->session != NULL) {
		libssh2_session_free(hop->session);
		hop->session = NULL;
	}
	hop->transport->close(hop);
	evbuffer_drain(hop->io.inbuf, evbuffer_get_length(hop->io.inbuf));
	evbuffer_drain(hop->io.outbuf, evbuffer_get_length(hop->io.outbuf));
	hop->io.cork_pending = 0;
	hop->io.read_paused = 0;
	hop->io.dead = 0;
	free(hop->dead);
	hop->dead = NULL;
	hop_set_state(hop, HOP_DOWN);
}

/*
 * Say what a handshake failure with libssh2 error CODE means, when its
 * message does not: libssh2 returns -1 when the server's KEXINIT never
 * came, whatever came instead (a packet over SSH's length limit, garbage,
 * or the end of the connection).
 */
static const char *
hop_handshake_hint(struct hop *hop, int code)
{
	if (code == LIBSSH2_ERROR_OUT_OF_BOUNDARY ||
	    (code == LIBSSH2_ERROR_SOCKET_NONE &&
	    libssh2_session_methods(hop->session, LIBSSH2_METHOD_KEX) == NULL))
		return " (the server sent no valid key exchange: it closed "
		    "the connection, or sent a packet longer than SSH allows "
		    "or malformed, as a broken or hostile server does)";
	return "";
}

/* Drop the session and connect again at once, saying WHY. */
void
hop_restart(struct hop *hop, const char *why)
{
	hop_teardown(hop, why);
	hop_start(hop);
}

/* Drive the state machine as far as it goes without waiting. */
void
hop_advance(struct hop *hop)
{
	const char	*why;
	int		 rc, code;

	switch (hop->state) {
	case HOP_HANDSHAKE:
		rc = libssh2_session_handshake(hop->session, hop->io.fd);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return;
		if (rc != 0) {
			why = hop_session_error(hop, &code);
			if (hop_hostkey_handshake_failed(hop))
				return;
			hop_fail(hop, 0, "SSH handshake with %s:%d failed: %s%s",
			    hop->conf->host, hop->conf->port, why,
			    hop_handshake_hint(hop, code));
			return;
		}
		if (hop_hostkey_verify(hop) != 0)
			return;
		hop_algorithms_log(hop);
		hop_auth_begin(hop);
		hop_set_state(hop, HOP_AUTH);
		/* FALLTHROUGH */
	case HOP_AUTH:
		rc = hop_auth(hop);
		if (rc != 0)
			return;
		evtimer_del(hop->ev_deadline);
		hop->backoff = hop->conf->reconnect_min;
		free(hop->last_error);
		hop->last_error = NULL;
		hop->hard_failed = 0;
		hop_set_state(hop, HOP_READY);
		hop->sessions++;
		log_info("hop %s: ready: %s@%s:%d", hop->label,
		    hop->conf->user, hop->conf->host, hop->conf->port);
		hop_alive_start(hop);
		hop_idle_update(hop);
		/* FALLTHROUGH */
	case HOP_READY:
		hop_service(hop);
		return;
	case HOP_DOWN:
	case HOP_CONNECTING:
		return;
	}
}

/* Return whether a libssh2 error code means the session is gone. */
static int
hop_error_is_fatal(int rc)
{
	switch (rc) {
	case LIBSSH2_ERROR_SOCKET_SEND:
	case LIBSSH2_ERROR_SOCKET_RECV:
	case LIBSSH2_ERROR_SOCKET_DISCONNECT:
	case LIBSSH2_ERROR_SOCKET_TIMEOUT:
	case LIBSSH2_ERROR_TIMEOUT:
	case LIBSSH2_ERROR_DECRYPT:
	case LIBSSH2_ERROR_PROTO:
	case LIBSSH2_ERROR_KEX_FAILURE:
	case LIBSSH2_ERROR_ALLOC:
	case LIBSSH2_ERROR_BAD_USE:
	case LIBSSH2_ERROR_INVALID_MAC:
	case LIBSSH2_ERROR_BANNER_RECV:
	case LIBSSH2_ERROR_BANNER_SEND:
		return 1;
	}
	return 0;
}

/* Note a libssh2 error on a channel; a session-wide one ends the pass. */
static int
hop_channel_error(struct hop_channel *hc, int rc, const char *what)
{
	struct hop	*hop = hc->hop;
	const char	*why = hop_session_error(hop, NULL);

	if (hop_error_is_fatal(rc)) {
		if (hop->dead == NULL)
			xasprintf(&hop->dead, "session lost during channel %s: "
			    "%s (%d)", what, why, rc);
	} else {
		log_debug("hop %s: channel to %s:%d: %s: %s (%d)",
		    hop->label, hc->host, hc->port, what, why, rc);
	}
	return HOP_ERROR;
}

/*
 * An open or listen request ended. With REASON it failed: a session-wide
 * error (CODE) ends the service pass, anything else fails the channel.
 * Without, the channel is open (or, if given back meanwhile, closing).
 * Returns 1 (progress).
 */
static int
hop_open_finish(struct hop *hop, struct hop_channel *hc, int code,
    const char *reason)
{
	hop->opening = NULL;
	clock_gettime(CLOCK_MONOTONIC, &hop->last_open);
	if (reason != NULL) {
		if (hop_error_is_fatal(code)) {
			if (hop->dead == NULL)
				xasprintf(&hop->dead, "session lost while "
				    "opening a channel: %s", reason);
			return 1;
		}
		if (hc->ops != NULL)
			hc->ops->failed(hc->arg, reason);
		hop_channel_destroy(hc);
		return 1;
	}
	if (hc->ops == NULL) {
		/* Given back while opening. */
		hc->state = CHAN_CLOSING;
		TAILQ_REMOVE(&hop->channels, hc, entry);
		TAILQ_INSERT_TAIL(&hop->closing, hc, entry);
		return 1;
	}
	hc->state = CHAN_OPEN;
	hop->moved++;
	evtimer_del(hc->deadline);
	hc->ops->opened(hc->arg);
	hop_channel_wake(hc);		/* pump it at once */
	return 1;
}

/*
 * libssh2 1.11.1 gives every refused open LIBSSH2_ERROR_CHANNEL_FAILURE and
 * tells the server's reason code only by one fixed message per code
 * (channel.c, _libssh2_channel_open).
 */
#define HOP_OPEN_PROHIBITED \
	"Channel open failure (administratively prohibited)"
#define HOP_OPEN_CONNECT_FAILED \
	"Channel open failure (connect failed)"

/* Say why opening a direct-streamlocal channel failed (REFUSED: by sshd). */
static char *
hop_open_reason_unix(struct hop *hop, struct hop_channel *hc, int refused,
    const char *why)
{
	char	*reason;

	if (refused && strcmp(why, HOP_OPEN_PROHIBITED) == 0)
		xasprintf(&reason, "unix:%s refused by the server: "
		    "administratively prohibited (sshd on %s needs "
		    "AllowStreamLocalForwarding yes or local; also check "
		    "DisableForwarding and PermitOpen)", hc->host, hop->label);
	else if (refused && strcmp(why, HOP_OPEN_CONNECT_FAILED) == 0)
		xasprintf(&reason, "%s refused or failed the channel to "
		    "unix:%s (sshd gives the same answer to both: check "
		    "AllowStreamLocalForwarding and DisableForwarding in its "
		    "sshd_config, that the socket exists there and that the "
		    "login user may connect to it)", hop->label, hc->host);
	else
		xasprintf(&reason, "opening a channel to unix:%s failed: %s",
		    hc->host, why);
	return reason;
}

/* Say why opening HC failed with libssh2 error CODE and message WHY. */
static char *
hop_open_reason(struct hop *hop, struct hop_channel *hc, int code,
    const char *why)
{
	char			*reason;
	int			 refused;
	enum server_kind	 kind;

	refused = code == LIBSSH2_ERROR_CHANNEL_FAILURE;
	/* Advice names the settings of the server the banner names. */
	kind = server_kind(hop->session != NULL ?
	    libssh2_session_banner_get(hop->session) : NULL);
	if (hc->kind == HC_LISTEN)
		xasprintf(&reason, "%s refused to listen on %s:%d (%s)",
		    hop->label, hc->host, hc->port,
		    server_forwarding_advice(kind, 1));
	else if (hc->kind == HC_STREAMLOCAL)
		reason = hop_open_reason_unix(hop, hc, refused, why);
	else if (refused && strcmp(why, HOP_OPEN_PROHIBITED) == 0) {
		hc->open_error = HOP_OPEN_ERROR_PROHIBITED;
		xasprintf(&reason, "%s:%d refused by the server: "
		    "administratively prohibited (%s: %s)", hc->host,
		    hc->port, hop->label, server_forwarding_advice(kind, 0));
	} else if (refused && strcmp(why, HOP_OPEN_CONNECT_FAILED) == 0) {
		hc->open_error = HOP_OPEN_ERROR_CONNECT;
		xasprintf(&reason, "%s could not connect to %s:%d (refused, "
		    "unreachable or not resolvable from there)", hop->label,
		    hc->host, hc->port);
	} else
		xasprintf(&reason, "opening a channel to %s:%d failed: %s",
		    hc->host, hc->port, why);
	return reason;
}

/*
 * Start or continue the one open or listen request libssh2 allows at a
 * time per session: the one in progress, else the next queued.
 */
static int
hop_open_next(struct hop *hop)
{
	struct hop_channel	*hc;
	LIBSSH2_LISTENER	*l = NULL;
	LIBSSH2_CHANNEL		*ch = NULL;
	struct timeval		 tv = { 0, 0 };
	const char		*why;
	char			*reason;
	int			 code, bound = 0;

	if ((hc = hop->opening) == NULL) {
		if ((hc = TAILQ_FIRST(&hop->queue)) == NULL)
			return 0;
		TAILQ_REMOVE(&hop->queue, hc, entry);
		TAILQ_INSERT_TAIL(&hop->channels, hc, entry);
		hc->state = CHAN_OPENING;
		hop->opening = hc;
		/* The server has connect_timeout to answer this open. */
		tv.tv_sec = hop->conf->connect_timeout;
		evtimer_add(hc->deadline, &tv);
	}
	switch (hc->kind) {
	case HC_LISTEN:
		l = libssh2_channel_forward_listen_ex(hop->session, hc->host,
		    hc->port, &bound, HOP_LISTEN_QUEUE);
		break;
	case HC_SESSION:
		ch = libssh2_channel_open_session(hop->session);
		break;
	case HC_DIRECT:
	case HC_FORWARDED:
		ch = libssh2_channel_direct_tcpip_ex(hop->session, hc->host,
		    hc->port, hc->orig_host, hc->orig_port);
		break;
	case HC_STREAMLOCAL:
		/* The originator fields are reserved: empty and 0. */
		ch = libssh2_channel_direct_streamlocal_ex(hop->session,
		    hc->host, "", 0);
		break;
	}
	if (l == NULL && ch == NULL) {
		why = hop_session_error(hop, &code);
		if (code == LIBSSH2_ERROR_EAGAIN)
			return 0;
		if (hop_error_is_fatal(code))
			return hop_open_finish(hop, hc, code, why);
		reason = hop_open_reason(hop, hc, code, why);
		hop_open_finish(hop, hc, code, reason);
		free(reason);
		return 1;
	}
	hc->channel = ch;
	hc->listener = l;
	hc->bound_port = bound;
	return hop_open_finish(hop, hc, 0, NULL);
}

/* Finish closing given-back channels. */
static int
hop_reap(struct hop *hop)
{
	struct hop_channel	*hc, *next;
	int			 rc, progress = 0;

	TAILQ_FOREACH_SAFE(hc, &hop->closing, entry, next) {
		if (hc->kind == HC_LISTEN) {
			/* cancel-tcpip-forward; frees queued channels too. */
			rc = libssh2_channel_forward_cancel(hc->listener);
			if (rc == LIBSSH2_ERROR_EAGAIN)
				continue;
			hc->listener = NULL;
			hop_channel_destroy(hc);
			progress = 1;
			continue;
		}
		rc = libssh2_channel_free(hc->channel);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			continue;
		hc->channel = NULL;
		hop_channel_destroy(hc);
		progress = 1;
	}
	return progress;
}

/*
 * Make libssh2 take in everything the transport buffered and process every
 * complete packet it holds, whatever the channels are doing. A read of
 * zero bytes runs libssh2's transport reader until our input buffer says
 * EAGAIN and takes no channel's data (it may send a window adjust only for
 * data a reader already took). libssh2 calls that wait for one packet (a
 * channel open, a request's answer) stop once it came and may leave more
 * complete packets in libssh2's own buffer: so this also runs, with the
 * input empty, while bytes went to libssh2 since its last full read
 * (hop->pulled). The hop's own session channel is used when open;
 * otherwise each open channel in turn until one gets to EAGAIN. Returns 1
 * if libssh2 may have taken in packets. See docs/design.md.
 */
static int
hop_take_input(struct hop *hop)
{
	struct hop_channel	*hc;
	size_t			 before = evbuffer_get_length(hop->io.inbuf);
	int			 pulled = hop->pulled;

	if (before == 0 && !pulled)
		return 0;
	if (hop->probe == NULL || hop->probe->state != CHAN_OPEN ||
	    hop_take_input_on(hop->probe) != 0) {
		TAILQ_FOREACH(hc, &hop->channels, entry) {
			if (hop->dead != NULL || (!hop->pulled &&
			    evbuffer_get_length(hop->io.inbuf) == 0))
				break;
			if (hc->state == CHAN_OPEN && hc->kind != HC_LISTEN)
				hop_take_input_on(hc);
		}
	}
	return evbuffer_get_length(hop->io.inbuf) < before ||
	    (pulled && !hop->pulled);
}

/*
 * A zero-byte read on HC for hop_take_input. Returns 0 once libssh2 read
 * the transport to EAGAIN (nothing left to process), else -1.
 */
static int
hop_take_input_on(struct hop_channel *hc)
{
	struct hop	*hop = hc->hop;
	char		 none[1];
	ssize_t		 rc;

	rc = libssh2_channel_read(hc->channel, none, 0);
	if (rc == LIBSSH2_ERROR_EAGAIN &&
	    evbuffer_get_length(hop->io.inbuf) == 0) {
		hop->pulled = 0;
		return 0;
	}
	if (rc < 0 && rc != LIBSSH2_ERROR_EAGAIN && hop->dead == NULL &&
	    (hc == hop->probe || hop_error_is_fatal(rc)))
		xasprintf(&hop->dead, "session lost: %s",
		    hop_session_error(hop, NULL));
	return -1;
}

/* Take a channel off the wake lists. */
static void
hop_channel_unwake(struct hop_channel *hc)
{
	struct hop	*hop = hc->hop;

	if (hc->woken == WAKE_LISTED)
		TAILQ_REMOVE(&hop->wake, hc, wake_entry);
	else if (hc->woken == WAKE_BATCH)
		TAILQ_REMOVE(&hop->batch, hc, wake_entry);
	hc->woken = WAKE_NONE;
	if (hop->pumping == hc)
		hop->pumping = NULL;
}

/* Return whether a channel is open, in use and not yet on a wake list. */
static int
hop_channel_wakeable(const struct hop_channel *hc)
{
	return hc->state == CHAN_OPEN && hc->ops != NULL &&
	    hc->woken == WAKE_NONE;
}

/* Put a wakeable channel on the list pumped in the next round. */
static void
hop_channel_enqueue(struct hop_channel *hc)
{
	TAILQ_INSERT_TAIL(&hc->hop->wake, hc, wake_entry);
	hc->woken = WAKE_LISTED;
}

/* Pump an open channel in the next round of the service pass, see hop.h. */
void
hop_channel_wake(struct hop_channel *hc)
{
	if (hop_channel_wakeable(hc))
		hop_channel_enqueue(hc);
	hop_kick(hc->hop);
}

/*
 * Return whether libssh2 may hold something for an open channel: data,
 * EOF or close (close sets EOF too), or a window that may have opened for
 * a writer that was held back. Listeners and the probe always look.
 */
static int
hop_channel_has_news(struct hop_channel *hc)
{
	if (hc->kind == HC_LISTEN || hc->kind == HC_SESSION ||
	    hc->write_blocked)
		return 1;
	return libssh2_poll_channel_read(hc->channel, 1) > 0 ||
	    libssh2_channel_eof(hc->channel) != 0;
}

/*
 * libssh2 took in packets, or the hop's output found room: wake the open
 * channels they may concern. Idle channels cost a look at libssh2's packet
 * list, not a pump: with thousands of idle connections that matters.
 */
static void
hop_wake_newsworthy(struct hop *hop)
{
	struct hop_channel	*hc;

	TAILQ_FOREACH(hc, &hop->channels, entry) {
		if (hop_channel_wakeable(hc) && hop_channel_has_news(hc))
			hop_channel_enqueue(hc);
	}
}

/* The transport took output: writers held back may go on, see hop_int.h. */
void
hop_output_room(struct hop *hop)
{
	hop->news = 1;
	hop_advance(hop);
}

/*
 * Service pass: open the next channel, let every open channel move data,
 * finish closes, and repeat while anything moved. Any libssh2 call may take
 * in transport data meant for a channel already visited in this round, so
 * transport input consumed counts as progress too: otherwise that data would
 * sit in libssh2 with no event left to wake us.
 */
static void
hop_service_pass(struct hop *hop)
{
	struct hop_channel	*hc;
	size_t			 unread;
	int			 progress, rounds = 0;
	char			*dead;

	do {
		unread = evbuffer_get_length(hop->io.inbuf);
		progress = hop_open_next(hop);
		if (hop->news) {
			hop->news = 0;
			hop_wake_newsworthy(hop);
		}
		TAILQ_CONCAT(&hop->batch, &hop->wake, wake_entry);
		TAILQ_FOREACH(hc, &hop->batch, wake_entry)
			hc->woken = WAKE_BATCH;
		while ((hc = TAILQ_FIRST(&hop->batch)) != NULL &&
		    hop->dead == NULL) {
			TAILQ_REMOVE(&hop->batch, hc, wake_entry);
			hc->woken = WAKE_NONE;
			/* The pump may close the channel: then pumping is NULL. */
			hop->pumping = hc;
			if (hc->ops->pump(hc->arg)) {
				progress = 1;
				if (hop->pumping != NULL)
					hop_channel_wake(hc);
			}
			hop->pumping = NULL;
		}
		if (hop->dead == NULL)
			progress |= hop_reap(hop);
		if (hop->dead == NULL && hop_take_input(hop))
			unread = SIZE_MAX;	/* packets may have come in */
		if (evbuffer_get_length(hop->io.inbuf) < unread) {
			/* libssh2 took in packets: for which channels? */
			progress = 1;
			hop->news = 1;
		}
		if (hop->dead != NULL) {
			dead = hop->dead;
			hop->dead = NULL;
			hop_fail(hop, 0, "%s", dead);
			free(dead);
			return;
		}
	} while (progress && ++rounds < HOP_SERVICE_ROUNDS);
	if (progress || !TAILQ_EMPTY(&hop->wake))
		hop_kick(hop);	/* let other events in, then go on */
	if (hop->io.read_paused &&
	    evbuffer_get_length(hop->io.inbuf) < HOP_INBUF_MAX / 2) {
		hop->io.read_paused = 0;
		hop->transport->resume(hop);
	}
}

/*
 * A service pass with the transport corked: small packets (requests of
 * several channels, window adjusts) leave in one write at its end.
 */
static void
hop_service(struct hop *hop)
{
	hop->io.corked++;
	hop_service_pass(hop);
	if (--hop->io.corked == 0 && hop->io.cork_pending)
		hop_uncork(hop);
}

/* Count the channels waiting to be opened, the one opening included. */
static int
hop_count_queued(struct hop *hop)
{
	struct hop_channel	*hc;
	int			 n = 0;

	TAILQ_FOREACH(hc, &hop->queue, entry)
		n++;
	return n + (hop->opening != NULL);
}

/* Return whether data waits on a channel: to be written, or to be read. */
static int
hop_channel_data_waits(struct hop_channel *hc)
{
	return hc->state == CHAN_OPEN && hc->kind != HC_LISTEN &&
	    (hc->write_blocked ||
	    libssh2_poll_channel_read(hc->channel, 0) > 0);
}

/* Describe the hop's counters for a stall warning, see hop_int.h. */
char *
hop_counters(struct hop *hop)
{
	struct hop_channel	*hc;
	unsigned long		 unread, total_unread = 0, window;
	unsigned long		 min_rwin = 0, min_wwin = 0;
	int			 open = 0, woken = 0, blocked = 0, nowin = 0;
	int			 kernel_out, write_waiting;
	char			*text;

	TAILQ_FOREACH(hc, &hop->channels, entry) {
		/* Listeners and the hop's own session channel carry no data. */
		if (hc->state != CHAN_OPEN || hc->kind == HC_LISTEN ||
		    hc->kind == HC_SESSION)
			continue;
		open++;
		woken += hc->woken != WAKE_NONE;
		blocked += hc->write_blocked;
		window = libssh2_channel_window_read_ex(hc->channel, &unread,
		    NULL);
		total_unread += unread;
		if (open == 1 || window < min_rwin)
			min_rwin = window;
		window = libssh2_channel_window_write_ex(hc->channel, NULL);
		nowin += hc->write_blocked && window == 0;
		if (open == 1 || window < min_wwin)
			min_wwin = window;
	}
	write_waiting = hop->transport->waiting(hop, &kernel_out);
	xasprintf(&text, "%d data channels open, %d opens queued, %d woken, %d "
	    "writers held back (%d of them with a closed send window), "
	    "transport input %zu bytes not taken by libssh2, output %zu bytes "
	    "not taken by the transport (write %s; %d unsent in the kernel), "
	    "%lu bytes held by libssh2 for readers, smallest receive window "
	    "%lu, smallest send window %lu, read %s",
	    open, hop_count_queued(hop), woken, blocked, nowin,
	    evbuffer_get_length(hop->io.inbuf), evbuffer_get_length(hop->io.outbuf),
	    write_waiting ? "waiting" : "idle", kernel_out, total_unread, min_rwin,
	    min_wwin, hop->io.read_paused ? "paused" : "on");
	return text;
}

/* Return whether something waits that the hop should move, see hop_int.h. */
int
hop_waiting(struct hop *hop)
{
	struct hop_channel	*hc;
	int			 waiting;

	waiting = evbuffer_get_length(hop->io.inbuf) > 0 ||
	    evbuffer_get_length(hop->io.outbuf) > 0 ||
	    !TAILQ_EMPTY(&hop->queue) || hop->opening != NULL ||
	    !TAILQ_EMPTY(&hop->wake);
	TAILQ_FOREACH(hc, &hop->channels, entry) {
		if (waiting)
			break;
		waiting = hop_channel_data_waits(hc);
	}
	return waiting;
}

/*
 * Return whether the hop is ready and completed a channel open (or had one
 * refused) within the last connect_timeout: its queue is moving.
 */
static int
hop_opens_moving(struct hop *hop)
{
	struct timespec	now;

	if (hop->state != HOP_READY || hop->last_open.tv_sec == 0)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - hop->last_open.tv_sec) * 1000 +
	    (now.tv_nsec - hop->last_open.tv_nsec) / 1000000 <
	    hop->conf->connect_timeout * 1000L;
}

/*
 * A queued channel's deadline: fail it if the hop is not ready in time or
 * its opens have stopped moving; a channel that only waits its turn behind
 * opens that complete waits on (a burst of thousands of clients takes
 * longer than connect_timeout to open one at a time on a loaded machine).
 */
static void
hop_channel_deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct hop_channel	*hc = arg;
	struct hop		*hop = hc->hop;
	struct timeval		 tv = { 0, 0 };
	char			*reason;

	(void)fd;
	(void)what;
	if (hc->state == CHAN_QUEUED && hop_opens_moving(hop)) {
		/* Waiting its turn behind opens that complete: wait on. */
		tv.tv_sec = hop->conf->connect_timeout;
		evtimer_add(hc->deadline, &tv);
		return;
	}
	if (hc->state == CHAN_QUEUED) {
		if (hop->hard_failed && hop_waiting_retry(hop))
			reason = xstrdup(hop->last_error);
		else if (hop->state == HOP_READY)
			xasprintf(&reason, "no channel open completed on hop "
			    "%s for %d s, %d opens waiting (libssh2 opens one "
			    "channel at a time per session)", hop->label,
			    hop->conf->connect_timeout,
			    hop_count_queued(hop));
		else if (hop->last_error != NULL)
			xasprintf(&reason, "hop %s not ready within %d s (%s; "
			    "last error: %s)", hop->label,
			    hop->conf->connect_timeout,
			    hop_state_names[hop->state], hop->last_error);
		else
			xasprintf(&reason, "hop %s not ready within %d s (%s)",
			    hop->label, hop->conf->connect_timeout,
			    hop_state_names[hop->state]);
		hc->open_error = HOP_OPEN_ERROR_HOP_DOWN;
		hc->ops->failed(hc->arg, reason);
		free(reason);
		hop_channel_destroy(hc);
	} else if (hc->state == CHAN_OPENING && hc->ops != NULL) {
		/* libssh2 cannot abort an open: give up on it. */
		xasprintf(&reason, "%s did not answer the channel open to "
		    "%s:%d within %d s", hop->label, hc->host, hc->port,
		    hop->conf->connect_timeout);
		hc->open_error = HOP_OPEN_ERROR_TIMEOUT;
		hc->ops->failed(hc->arg, reason);
		free(reason);
		hc->ops = NULL;
	}
}

/* Create a queued channel with a deadline of TIMEOUT seconds. */
static struct hop_channel *
hop_channel_new(struct hop *hop, int timeout, const struct hop_channel_ops *ops,
    void *arg)
{
	struct hop_channel	*hc;
	struct timeval		 tv = { timeout, 0 };

	hc = xcalloc(1, sizeof *hc);
	hc->hop = hop;
	hc->state = CHAN_QUEUED;
	hc->ops = ops;
	hc->arg = arg;
	hc->deadline = evtimer_new(hop->base, hop_channel_deadline_cb, hc);
	if (hc->deadline == NULL)
		fatal("hop %s: out of memory", hop->label);
	evtimer_add(hc->deadline, &tv);
	TAILQ_INSERT_TAIL(&hop->queue, hc, entry);
	return hc;
}

/* Queue the hop's own session channel (the liveness probe). */
struct hop_channel *
hop_channel_open_session(struct hop *hop, const struct hop_channel_ops *ops,
    void *arg)
{
	struct hop_channel	*hc;

	hc = hop_channel_new(hop, hop->conf->connect_timeout, ops, arg);
	hc->kind = HC_SESSION;
	hc->host = xstrdup("(session channel)");
	hop_kick(hop);
	return hc;
}

/* Return the libssh2 channel of an open channel. */
LIBSSH2_CHANNEL *
hop_channel_libssh2(struct hop_channel *hc)
{
	return hc->channel;
}

/* Say why a channel open failed, see hop.h. */
enum hop_open_error
hop_channel_open_error(const struct hop_channel *hc)
{
	return hc->open_error;
}

/* Queue a direct-tcpip channel open, see hop.h. */
struct hop_channel *
hop_channel_open(struct hop *hop, const char *host, int port,
    const char *orig_host, int orig_port, int timeout,
    const struct hop_channel_ops *ops, void *arg)
{
	struct hop_channel	*hc;

	hop = hop_pool_pick(hop);
	hc = hop_channel_new(hop, timeout, ops, arg);
	hc->kind = HC_DIRECT;
	hc->host = xstrdup(host);
	hc->port = port;
	hc->orig_host = xstrdup(orig_host);
	hc->orig_port = orig_port;
	hop_channel_submit(hc);
	return hc;
}

/* Queue a direct-streamlocal channel open, see hop.h. */
struct hop_channel *
hop_channel_open_unix(struct hop *hop, const char *path, int timeout,
    const struct hop_channel_ops *ops, void *arg)
{
	struct hop_channel	*hc;

	hop = hop_pool_pick(hop);
	hc = hop_channel_new(hop, timeout, ops, arg);
	hc->kind = HC_STREAMLOCAL;
	hc->host = xstrdup(path);
	hc->orig_host = xstrdup("");
	hop_channel_submit(hc);
	return hc;
}

/* Queue a tcpip-forward request: the hop's server listens, see hop.h. */
struct hop_channel *
hop_listen(struct hop *hop, const char *host, int port, int timeout,
    const struct hop_channel_ops *ops, void *arg)
{
	struct hop_channel	*hc;

	hc = hop_channel_new(hop, timeout, ops, arg);
	hc->kind = HC_LISTEN;
	hc->host = xstrdup(host);
	hc->port = port;
	hop_channel_submit(hc);
	return hc;
}

/* Return the port the server listens on for an open listener. */
int
hop_listen_port(const struct hop_channel *hc)
{
	return hc->bound_port;
}

/*
 * Take the next connection the server forwarded to an open listener, as
 * an open channel used through OPS and ARG; NULL if there is none now.
 */
struct hop_channel *
hop_listen_accept(struct hop_channel *lhc, const struct hop_channel_ops *ops,
    void *arg)
{
	struct hop		*hop = lhc->hop;
	struct hop_channel	*hc;
	LIBSSH2_CHANNEL		*ch;

	if ((ch = libssh2_channel_forward_accept(lhc->listener)) == NULL)
		return NULL;
	hc = xcalloc(1, sizeof *hc);
	hc->hop = hop;
	hc->kind = HC_FORWARDED;
	hc->state = CHAN_OPEN;
	hc->channel = ch;
	hc->host = xstrdup(lhc->host);
	hc->port = lhc->bound_port;
	hc->ops = ops;
	hc->arg = arg;
	hc->deadline = evtimer_new(hop->base, hop_channel_deadline_cb, hc);
	if (hc->deadline == NULL)
		fatal("hop %s: out of memory", hop->label);
	TAILQ_INSERT_TAIL(&hop->channels, hc, entry);
	hc->user = 1;
	hop->nuser++;
	hop_idle_update(hop);
	hop_channel_wake(hc);
	return hc;
}

/*
 * A user's channel or listener was queued: count the use and get the hop
 * going, unless a backoff is running.
 */
static void
hop_channel_submit(struct hop_channel *hc)
{
	struct hop	*hop = hc->hop;

	hc->user = 1;
	hop->nuser++;
	hop_idle_update(hop);
	if (hop_waiting_retry(hop)) {
		/*
		 * Never connect sooner than the backoff says. After a host-key
		 * or authentication failure, fail at once (from the event
		 * loop: the caller does not hold the handle yet).
		 */
		if (hop->hard_failed)
			event_active(hc->deadline, EV_TIMEOUT, 0);
	} else if (hop->state == HOP_DOWN)
		hop_start(hop);
	else if (hop->state == HOP_READY)
		hop_kick(hop);
}

/* Remove a channel from its list and free it (not its libssh2 channel). */
static void
hop_channel_destroy(struct hop_channel *hc)
{
	struct hop	*hop = hc->hop;

	hop_channel_unwake(hc);
	if (hc->state == CHAN_CLOSING)
		TAILQ_REMOVE(&hop->closing, hc, entry);
	else if (hc->state == CHAN_QUEUED)
		TAILQ_REMOVE(&hop->queue, hc, entry);
	else
		TAILQ_REMOVE(&hop->channels, hc, entry);
	if (hop->opening == hc)
		hop->opening = NULL;
	if (hc->user) {
		hop->nuser--;
		hop_idle_update(hop);
	}
	event_free(hc->deadline);
	free(hc->host);
	free(hc->orig_host);
	free(hc);
}

/* Give a channel back to the hop, see hop.h. */
void
hop_channel_close(struct hop_channel *hc)
{
	struct hop	*hop = hc->hop;

	switch (hc->state) {
	case CHAN_QUEUED:
		hop_channel_destroy(hc);
		break;
	case CHAN_OPENING:
		hc->ops = NULL;
		break;
	case CHAN_OPEN:
		hop_channel_unwake(hc);
		hc->ops = NULL;
		hc->state = CHAN_CLOSING;
		TAILQ_REMOVE(&hop->channels, hc, entry);
		TAILQ_INSERT_TAIL(&hop->closing, hc, entry);
		hop_kick(hop);
		break;
	case CHAN_CLOSING:
		break;
	}
}

/* Read from a channel: bytes, HOP_AGAIN, HOP_EOF or HOP_ERROR. */
static ssize_t
hop_channel_read(struct hop_channel *hc, char *buf, size_t len)
{
	ssize_t	n;

	n = libssh2_channel_read(hc->channel, buf, len);
	if (n > 0) {
		hc->hop->moved += n;
		return n;
	}
	if (n == LIBSSH2_ERROR_EAGAIN)
		return HOP_AGAIN;
	if (n == 0)
		return libssh2_channel_eof(hc->channel) ? HOP_EOF : HOP_AGAIN;
	return hop_channel_error(hc, (int)n, "read");
}

/* Write to a channel; returns bytes taken, HOP_AGAIN or HOP_ERROR. */
static ssize_t
hop_channel_write(struct hop_channel *hc, const char *buf, size_t len)
{
	ssize_t	n;

	n = libssh2_channel_write(hc->channel, buf, len);
	if (n > 0) {
		hc->hop->moved += n;
		hc->write_blocked = 0;
		return n;
	}
	if (n == 0 || n == LIBSSH2_ERROR_EAGAIN) {
		hc->write_blocked = 1;
		return HOP_AGAIN;
	}
	return hop_channel_error(hc, (int)n, "write");
}

/* Send EOF; returns 0, HOP_AGAIN or HOP_ERROR. */
int
hop_channel_send_eof(struct hop_channel *hc)
{
	int	rc;

	rc = libssh2_channel_send_eof(hc->channel);
	if (rc == 0)
		return 0;
	if (rc == LIBSSH2_ERROR_EAGAIN)
		return HOP_AGAIN;
	return hop_channel_error(hc, rc, "send EOF");
}

/* After EOF was read: return whether the far end also closed the channel. */
int
hop_channel_remote_closed(struct hop_channel *hc)
{
	return libssh2_channel_wait_closed(hc->channel) == 0;
}

/* Return whether the hop's output has room for more channel data. */
static int
hop_channel_can_write(struct hop_channel *hc)
{
	if (evbuffer_get_length(hc->hop->io.outbuf) < HOP_OUTBUF_HIGH)
		return 1;
	hc->write_blocked = 1;
	return 0;
}

/* Move channel data into BUF until it holds MAX bytes; see hop.h. */
int
hop_channel_read_into(struct hop_channel *hc, struct evbuffer *buf,
    size_t max, size_t *got)
{
	struct evbuffer_iovec	vec;
	ssize_t			n;

	*got = 0;
	while (evbuffer_get_length(buf) < max) {
		if (evbuffer_reserve_space(buf, HOP_CHANNEL_READ, &vec, 1) < 1)
			fatal("out of memory");
		n = hop_channel_read(hc, vec.iov_base, vec.iov_len);
		if (n <= 0) {
			evbuffer_commit_space(buf, &vec, 0);
			/* Free the reserved chain: an idle buffer holds none. */
			if (evbuffer_get_length(buf) == 0)
				evbuffer_drain(buf, 0);
			return n == HOP_AGAIN ? 0 : (int)n;
		}
		vec.iov_len = n;
		evbuffer_commit_space(buf, &vec, 1);
		*got += n;
	}
	return 0;
}

/* Move BUF's data into the channel while the hop takes it; see hop.h. */
int
hop_channel_write_from(struct hop_channel *hc, struct evbuffer *buf,
    size_t *sent)
{
	unsigned char	*p;
	size_t		 len;
	ssize_t		 n;

	*sent = 0;
	while ((len = evbuffer_get_length(buf)) > 0 &&
	    hop_channel_can_write(hc)) {
		if (len > HOP_CHANNEL_CHUNK)
			len = HOP_CHANNEL_CHUNK;
		p = evbuffer_pullup(buf, len);
		n = hop_channel_write(hc, (const char *)p, len);
		if (n == HOP_AGAIN)
			break;
		if (n < 0)
			return HOP_ERROR;
		evbuffer_drain(buf, n);
		*sent += n;
	}
	return 0;
}

/* Say goodbye to the server and stop, for shutdown. */
void
hop_shutdown(struct hop *hop, const char *why)
{
	size_t	len;

	hop_pool_shutdown(hop, why);
	evtimer_del(hop->ev_retry);
	if (hop->session != NULL && hop->state >= HOP_AUTH) {
		/* Given-back listeners send cancel-tcpip-forward first. */
		hop_reap(hop);
		libssh2_session_disconnect(hop->session, "jumpgate shutting "
		    "down");
		/* One non-blocking flush; a slow server misses the goodbye. */
		if (hop->transport->write_now != NULL &&
		    (len = evbuffer_get_length(hop->io.outbuf)) > 0)
			(void)hop->transport->write_now(hop,
			    evbuffer_pullup(hop->io.outbuf, -1), len);
	}
	hop_teardown(hop, why);
	log_info("hop %s: disconnected (%s)", hop->label, why);
}

/* Free a hop; its channels must have been given back or failed. */
void
hop_free(struct hop *hop)
{
	struct hop_channel	*hc;

	hop_pool_free(hop);
	hop_teardown(hop, "jumpgate is shutting down");
	while ((hc = TAILQ_FIRST(&hop->queue)) != NULL ||
	    (hc = TAILQ_FIRST(&hop->channels)) != NULL) {
		if (hc->ops != NULL)
			hc->ops->failed(hc->arg, "jumpgate is shutting down");
		hop_channel_destroy(hc);
	}
	hop_hostkey_free(hop);
	free(hop->last_error);
	free(hop->label);
	event_free(hop->ev_deadline);
	event_free(hop->ev_refuse);
	event_free(hop->ev_retry);
	event_free(hop->ev_service);
	event_free(hop->ev_idle);
	hop_alive_free(hop);
	free(hop->io.transport);
	evbuffer_free(hop->io.inbuf);
	evbuffer_free(hop->io.outbuf);
	free(hop);
}

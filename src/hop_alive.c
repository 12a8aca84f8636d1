/*
 * Liveness of a hop. Two things go out every keepalive_interval: a libssh2
 * keepalive with want_reply = 0 (keeps NAT state and the server's
 * ClientAlive check happy; with want_reply = 1 libssh2, 1.11.1 too, leaves
 * every reply in its packet list, where the next tcpip-forward request would
 * take it for its own answer), and an "env" request with want_reply on a
 * session channel of our own, the probe, which never runs anything. The
 * server must answer it (OpenSSH refuses names outside AcceptEnv); the
 * answer is per channel, so nothing piles up, and libssh2's setenv, unlike
 * process_startup, can be repeated on one channel. A hop that has received
 * nothing for keepalive_interval x keepalive_count_max is dead.
 *
 * The session channel is opened whatever keepalive_interval says: it is
 * also the handle through which the service pass lets libssh2 read the
 * transport when no user channel is open, so that the server's own
 * keepalives are answered on an idle hop.
 *
 * The watchdog: when something waited on the hop at two ticks in a row
 * (hop_waiting) and no channel byte or open moved in between, one warning
 * gives the hop's counters, so a stall explains itself in the log.
 *
 * After a resume from sleep or a network change (resume.c), the same
 * probe goes out at once with a short deadline: a hop from which nothing
 * arrives before it is failed and reconnects without a backoff; a hop
 * that answers is left alone.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <libssh2.h>

#include "compat.h"
#include "config.h"
#include "hop_int.h"
#include "log.h"
#include "xmalloc.h"

#define HOP_PROBE_NAME		"JUMPGATE_KEEPALIVE"

/* Liveness of one hop (hop->alive). */
struct hop_alive {
	struct timespec		 last_rx;	/* when bytes last arrived */
	int			 probe_inflight;
	struct event		*ev_alive;	/* keepalive tick */
	struct event		*ev_alive_check; /* exact dead-peer deadline */
	uint64_t		 watch_moved;	/* hop->moved at the last tick */
	int			 watch_waiting;	/* something waited then */
	int			 watch_warned;	/* this stall was reported */
	struct event		*ev_urgent;	/* urgent probe's deadline */
	struct timespec		 urgent_sent;	/* when it went out */
	char			*urgent_why;	/* what prompted it */
};

/* Milliseconds from A to B. */
static long
hop_alive_ms(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1000 +
	    (b->tv_nsec - a->tv_nsec) / 1000000;
}

/* Return whether B is later than A. */
static int
hop_alive_later(const struct timespec *a, const struct timespec *b)
{
	return b->tv_sec > a->tv_sec ||
	    (b->tv_sec == a->tv_sec && b->tv_nsec > a->tv_nsec);
}

/* Note that bytes arrived from the server; they answer an urgent probe. */
void
hop_alive_received(struct hop *hop)
{
	struct hop_alive	*alive = hop->alive;

	clock_gettime(CLOCK_MONOTONIC, &alive->last_rx);
	if (alive->urgent_why == NULL)
		return;
	log_info("hop %s: answered %ld ms after a probe for %s; session kept",
	    hop->label, hop_alive_ms(&alive->urgent_sent, &alive->last_rx),
	    alive->urgent_why);
	evtimer_del(alive->ev_urgent);
	free(alive->urgent_why);
	alive->urgent_why = NULL;
}

/* The probe channel is open. */
static void
hop_alive_probe_opened(void *arg)
{
	struct hop	*hop = arg;

	log_debug("hop %s: probe channel open", hop->label);
}

/* The server refused a session channel: rely on TCP and keepalives. */
static void
hop_alive_probe_failed(void *arg, const char *reason)
{
	struct hop	*hop = arg;

	hop->probe = NULL;
	log_warn("hop %s: the server refused a session channel (%s): a "
	    "stalled server is noticed only through TCP keepalive, and while "
	    "no tunnel uses the hop the server's keepalives go unanswered",
	    hop->label, reason);
}

/* Finish a probe request in flight; discard anything sent on the probe. */
static int
hop_alive_probe_pump(void *arg)
{
	struct hop	*hop = arg;
	LIBSSH2_CHANNEL	*ch = hop_channel_libssh2(hop->probe);
	char		 buf[256];
	int		 rc, progress = 0;

	while (libssh2_channel_read(ch, buf, sizeof buf) > 0)
		progress = 1;
	if (!hop->alive->probe_inflight)
		return progress;
	rc = libssh2_channel_setenv_ex(ch, HOP_PROBE_NAME,
	    sizeof HOP_PROBE_NAME - 1, "1", 1);
	if (rc == LIBSSH2_ERROR_EAGAIN)
		return progress;
	/* Success or refusal: either way the server answered. */
	hop->alive->probe_inflight = 0;
	return 1;
}

/* The session went away under the probe. */
static void
hop_alive_probe_lost(void *arg, const char *reason)
{
	struct hop	*hop = arg;

	(void)reason;
	hop->probe = NULL;
	hop->alive->probe_inflight = 0;
}

static const struct hop_channel_ops hop_alive_probe_ops = {
	hop_alive_probe_opened,
	hop_alive_probe_failed,
	hop_alive_probe_pump,
	hop_alive_probe_lost
};

/*
 * Fail the hop if it has been silent too long; otherwise make sure a check
 * runs exactly when it would be. Returns 1 if the hop was failed.
 */
static int
hop_alive_check(struct hop *hop)
{
	const struct config_hop	*conf = hop->conf;
	struct timespec		 now;
	struct timeval		 tv;
	long			 limit, silent;

	limit = (long)conf->keepalive_interval * conf->keepalive_count_max *
	    1000;
	clock_gettime(CLOCK_MONOTONIC, &now);
	silent = hop_alive_ms(&hop->alive->last_rx, &now);
	if (silent >= limit) {
		hop_fail(hop, 0, "no response from %s:%d for %.1f s "
		    "(keepalive_interval %d s x keepalive_count_max %d): the "
		    "server or the path to it is dead", conf->host, conf->port,
		    silent / 1000.0, conf->keepalive_interval,
		    conf->keepalive_count_max);
		return 1;
	}
	if (limit - silent < (long)conf->keepalive_interval * 1000) {
		tv.tv_sec = (limit - silent) / 1000;
		tv.tv_usec = ((limit - silent) % 1000) * 1000;
		evtimer_add(hop->alive->ev_alive_check, &tv);
	}
	return 0;
}

/* Exact deadline reached: check again. */
static void
hop_alive_check_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	hop_alive_check(arg);
}

/*
 * Warn once if something waited on the hop at this tick and the last one
 * and nothing moved in between.
 */
static void
hop_alive_watch(struct hop *hop)
{
	char	*report;
	int	 waiting;

	if (hop->moved != hop->alive->watch_moved) {
		hop->alive->watch_moved = hop->moved;
		hop->alive->watch_warned = 0;
		hop->alive->watch_waiting = hop_waiting(hop);
		return;
	}
	waiting = hop_waiting(hop);
	if (waiting && hop->alive->watch_waiting && !hop->alive->watch_warned) {
		report = hop_counters(hop);
		log_warn("hop %s: nothing moved for %d s while data waits: "
		    "%s", hop->label, hop->conf->keepalive_interval,
		    report);
		free(report);
		hop->alive->watch_warned = 1;
	}
	hop->alive->watch_waiting = waiting;
}

/* Keepalive tick: check liveness, send a keepalive and a probe. */
static void
hop_alive_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct hop	*hop = arg;
	int		 next;

	(void)fd;
	(void)what;
	if (hop->state != HOP_READY || hop_alive_check(hop))
		return;
	hop_alive_watch(hop);
	libssh2_keepalive_send(hop->session, &next);
	if (hop->probe != NULL && !hop->alive->probe_inflight)
		hop->alive->probe_inflight = 1;
	if (hop->probe != NULL)
		hop_channel_wake(hop->probe);
	else
		hop_kick(hop);
}

/* The urgent probe's deadline: fail the hop if nothing came since. */
static void
hop_alive_urgent_cb(evutil_socket_t fd, short what, void *arg)
{
	struct hop		*hop = arg;
	struct hop_alive	*alive = hop->alive;
	char			*why = alive->urgent_why;
	long			 waited;

	(void)fd;
	(void)what;
	alive->urgent_why = NULL;
	/* An answer would have cancelled this (hop_alive_received). */
	if (hop->state != HOP_READY ||
	    hop_alive_later(&alive->urgent_sent, &alive->last_rx)) {
		free(why);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &alive->last_rx);
	waited = hop_alive_ms(&alive->urgent_sent, &alive->last_rx);
	hop->retry_now = 1;
	hop_fail(hop, 0, "no answer from %s:%d within %.1f s of a probe after "
	    "%s: the session is dead; reconnecting now", hop->conf->host,
	    hop->conf->port, waited / 1000.0, why);
	free(why);
}

/* Probe one session now; see hop_network_changed. */
static void
hop_alive_urgent(struct hop *hop, int deadline_ms, const char *why)
{
	struct hop_alive	*alive = hop->alive;
	struct timeval		 tv = { deadline_ms / 1000,
				    (deadline_ms % 1000) * 1000 };
	int			 next;

	if (hop->state == HOP_DOWN && !hop->hard_failed &&
	    evtimer_pending(hop->ev_retry, NULL)) {
		/* The path may be back: no reason to sit out the backoff. */
		log_info("hop %s: retrying now after %s", hop->label, why);
		evtimer_del(hop->ev_retry);
		hop->backoff = hop->conf->reconnect_min;
		hop_start(hop);
		return;
	}
	if (hop->state != HOP_READY)
		return;
	if (hop->probe == NULL) {
		log_warn("hop %s: cannot probe after %s: the server refused a "
		    "session channel; relying on keepalives", hop->label, why);
		return;
	}
	/* A probe already pending keeps its earlier deadline. */
	if (alive->urgent_why != NULL)
		return;
	alive->urgent_why = xstrdup(why);
	clock_gettime(CLOCK_MONOTONIC, &alive->urgent_sent);
	libssh2_keepalive_send(hop->session, &next);
	alive->probe_inflight = 1;
	hop_channel_wake(hop->probe);
	evtimer_add(alive->ev_urgent, &tv);
}

/* Whether a probe after a network change awaits its answer. */
int
hop_alive_urgent_pending(const struct hop *hop)
{
	return hop->alive != NULL && hop->alive->urgent_why != NULL;
}

/* The network may have changed under the hop, see hop.h. */
void
hop_network_changed(struct hop *hop, int deadline_ms, const char *why)
{
	int	i;

	for (i = 0; i < hop->npool; i++)
		hop_alive_urgent(hop->pool[i], deadline_ms, why);
	hop_alive_urgent(hop, deadline_ms, why);
}

/* Create the hop's liveness timers. */
void
hop_alive_init(struct hop *hop)
{
	hop->alive = xcalloc(1, sizeof *hop->alive);
	hop->alive->ev_alive = event_new(hop->base, -1, EV_PERSIST,
	    hop_alive_tick_cb, hop);
	hop->alive->ev_alive_check = evtimer_new(hop->base, hop_alive_check_cb, hop);
	hop->alive->ev_urgent = evtimer_new(hop->base, hop_alive_urgent_cb,
	    hop);
	if (hop->alive->ev_alive == NULL || hop->alive->ev_alive_check == NULL ||
	    hop->alive->ev_urgent == NULL)
		fatal("hop %s: out of memory", hop->label);
}

/* The session is ready: start keepalives, the probe and the checks. */
void
hop_alive_start(struct hop *hop)
{
	struct timeval	tv = { hop->conf->keepalive_interval, 0 };

	hop_alive_received(hop);
	hop->alive->watch_moved = hop->moved;
	hop->alive->watch_waiting = hop->alive->watch_warned = 0;
	hop->probe = hop_channel_open_session(hop, &hop_alive_probe_ops, hop);
	if (hop->conf->keepalive_interval == 0)
		return;
	libssh2_keepalive_config(hop->session, 0,
	    hop->conf->keepalive_interval);
	event_add(hop->alive->ev_alive, &tv);
}

/* The session is going: stop the timers (the probe goes with it). */
void
hop_alive_stop(struct hop *hop)
{
	event_del(hop->alive->ev_alive);
	event_del(hop->alive->ev_alive_check);
	event_del(hop->alive->ev_urgent);
	free(hop->alive->urgent_why);
	hop->alive->urgent_why = NULL;
	hop->alive->probe_inflight = 0;
}

/* Free the liveness timers. */
void
hop_alive_free(struct hop *hop)
{
	event_free(hop->alive->ev_alive);
	event_free(hop->alive->ev_alive_check);
	event_free(hop->alive->ev_urgent);
	free(hop->alive->urgent_why);
	free(hop->alive);
	hop->alive = NULL;
}

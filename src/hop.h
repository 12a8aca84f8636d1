/*
 * A hop: one verified, authenticated SSH session to a host, driven by the
 * event loop. Everything that rides on a hop does so through a hop_channel.
 *
 * All traffic of the session passes through the hop's own buffers (libssh2
 * send/recv callbacks): a send never reports a partial write to libssh2, so
 * the "one partly-sent packet per session" trap (BAD_USE in 1.10, an EAGAIN
 * only the first sender can clear in 1.11.1) cannot happen, and
 * backpressure lives in the hop's output buffer instead of in libssh2.
 *
 * libssh2 stays behind this header: nothing outside hop*.c includes it.
 */
#ifndef JUMPGATE_HOP_H
#define JUMPGATE_HOP_H

#include <sys/types.h>
#include <stdint.h>
#include <time.h>

#include "algorithms.h"

struct event_base;
struct evbuffer;
struct evdns_base;
struct config_hop;
struct hop;
struct hop_channel;

enum hop_state {
	HOP_DOWN,		/* no session; a retry may be scheduled */
	HOP_CONNECTING,		/* resolving and TCP connect */
	HOP_HANDSHAKE,		/* SSH key exchange */
	HOP_AUTH,		/* host key verified; authenticating */
	HOP_READY		/* channels can be opened */
};

/* Results of the channel calls below. */
#define HOP_AGAIN	(-1)	/* nothing now; the hop calls pump later */
#define HOP_EOF		(-2)	/* read: the far end sent EOF */
#define HOP_ERROR	(-3)	/* the channel is unusable */

/*
 * What a channel's user provides. The hop calls exactly one of opened or
 * failed for each channel it was asked to open; after failed, or after
 * lost, the hop has freed the channel and the user must forget it. pump is
 * called in every service pass while the channel is open: it moves what it
 * can and returns nonzero if it made progress.
 */
struct hop_channel_ops {
	void	(*opened)(void *arg);
	void	(*failed)(void *arg, const char *reason);
	int	(*pump)(void *arg);
	void	(*lost)(void *arg, const char *reason);
};

/*
 * The SSH library (hop_algorithms.c): hop_library_init before the first
 * hop, hop_library_exit after the last is freed. hop_library_algorithms
 * says what it speaks of KIND, comma-separated (static).
 */
void		 hop_library_init(void);
void		 hop_library_exit(void);
const char	*hop_library_version(void);
const char	*hop_library_algorithms(enum algo_kind);

/* What jumpgate status shows of a hop. */
struct hop_status {
	const char	*label;		/* chain: "bastion -> app" */
	enum hop_state	 state;
	time_t		 since;		/* when the state last changed */
	unsigned int	 reconnects;	/* sessions after the first */
	const char	*fingerprint;	/* verified host key, "" if none */
	const char	*last_error;	/* NULL if none since last ready */
	int		 channels;	/* channels and listeners in use */
	int		 sessions;	/* SSH sessions (channels_per_session) */
};

void		 hop_get_status(const struct hop *, struct hop_status *);
/* Point a kept hop at the same settings in a reloaded config. */
void		 hop_set_config(struct hop *, const struct config_hop *);

/*
 * Create a hop for CONF. With OUTER, its session is carried by a channel
 * of OUTER's session (jump chains); OUTER must outlive it.
 */
struct hop	*hop_new(struct event_base *, struct evdns_base *,
		    const struct config_hop *, struct hop *outer);
void		 hop_free(struct hop *);
void		 hop_start(struct hop *);
void		 hop_shutdown(struct hop *, const char *why);
const char	*hop_name(const struct hop *);
const char	*hop_state_name(enum hop_state);
void		 hop_kick(struct hop *);
/*
 * The network may have changed under HOP (resume from sleep, a new local
 * address or default route; WHY says which, for the log): a ready session
 * (and each extra one) is probed at once and, if nothing arrives from its
 * server within DEADLINE_MS, failed and reconnected without a backoff; a
 * session that answers is left alone. A hop waiting out a backoff after a
 * network failure retries now.
 */
void		 hop_network_changed(struct hop *, int deadline_ms,
		    const char *why);

/* Why a channel open failed: hop_channel_open_error, inside failed. */
enum hop_open_error {
	HOP_OPEN_ERROR_OTHER,
	HOP_OPEN_ERROR_PROHIBITED,	/* the server refused to open it */
	HOP_OPEN_ERROR_CONNECT,		/* the server could not connect */
	HOP_OPEN_ERROR_TIMEOUT,		/* the server did not answer in time */
	HOP_OPEN_ERROR_HOP_DOWN		/* the hop was not ready in time */
};
enum hop_open_error hop_channel_open_error(const struct hop_channel *);

/*
 * Ask for a direct-tcpip channel to HOST:PORT, naming ORIG_HOST:ORIG_PORT
 * as its originator. Opens are queued and run one at a time (libssh2 keeps
 * open state per session). If the hop is not ready within TIMEOUT seconds
 * the channel fails. Returns the channel handle.
 */
struct hop_channel *hop_channel_open(struct hop *, const char *host, int port,
		    const char *orig_host, int orig_port, int timeout,
		    const struct hop_channel_ops *, void *arg);
/*
 * Likewise, a direct-streamlocal@openssh.com channel to the Unix socket
 * PATH on the server's machine (OpenSSH's AllowStreamLocalForwarding).
 */
struct hop_channel *hop_channel_open_unix(struct hop *, const char *path,
		    int timeout, const struct hop_channel_ops *, void *arg);
/*
 * Ask HOP's server to listen on HOST:PORT (port 0: it chooses) and forward
 * connections to us (ssh -R). Queued with channel opens; the hop calls
 * opened or failed as for a channel, pump in every pass while it listens
 * (take connections with hop_listen_accept), and lost if the session dies.
 * hop_channel_close cancels it (cancel-tcpip-forward).
 */
struct hop_channel *hop_listen(struct hop *, const char *host, int port,
		    int timeout, const struct hop_channel_ops *, void *arg);
int		 hop_listen_port(const struct hop_channel *);
struct hop_channel *hop_listen_accept(struct hop_channel *,
		    const struct hop_channel_ops *, void *arg);
/*
 * The user has something for an open channel (input to send, or room for
 * what it receives): pump it in the hop's next service pass. Only woken
 * channels and those libssh2 has news for are pumped.
 */
void		 hop_channel_wake(struct hop_channel *);
/* Give the channel back: the hop closes it politely and frees it. */
void		 hop_channel_close(struct hop_channel *);
/*
 * The one pump between a channel and a buffer. hop_channel_read_into
 * moves what the channel has into BUF until BUF holds MAX bytes; *GOT says
 * how many it added. hop_channel_write_from moves BUF's data into the
 * channel, in packets, while the hop's output has room (backpressure) and
 * the window is open; *SENT says how many it took. Both return 0 (nothing
 * more now: the hop calls pump again when there is), HOP_EOF (read: the
 * far end sent EOF; *GOT bytes came before it) or HOP_ERROR (the channel
 * is unusable).
 */
int		 hop_channel_read_into(struct hop_channel *, struct evbuffer *,
		    size_t max, size_t *got);
int		 hop_channel_write_from(struct hop_channel *, struct evbuffer *,
		    size_t *sent);
int		 hop_channel_send_eof(struct hop_channel *);
int		 hop_channel_remote_closed(struct hop_channel *);

#endif

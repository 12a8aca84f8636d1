/*
 * Inside a hop: shared by hop.c (session, channels, service pass), its
 * transports, hop_tcp.c (a TCP socket) and hop_carrier.c (a channel of the
 * outer hop, for jump chains), and the parts that own one concern each:
 * hop_hostkey.c, hop_auth.c, hop_alive.c, hop_pool.c. Each of those keeps
 * its state in a struct of its own, private to its file. Nothing else
 * includes this.
 */
#ifndef JUMPGATE_HOP_INT_H
#define JUMPGATE_HOP_INT_H

#include <sys/queue.h>
#include <sys/types.h>
#include <stdint.h>
#include <time.h>

#include <libssh2.h>

#include "fingerprint.h"
#include "hop.h"

/* Stop taking transport input while this much awaits libssh2. */
#define HOP_INBUF_MAX		(1024 * 1024)
/* Channels stop writing while the output buffer holds this much. */
#define HOP_OUTBUF_HIGH		(1024 * 1024)
/* Largest write libssh2 turns into one channel packet. */
#define HOP_CHANNEL_CHUNK	32700
/* Most read from a channel in one call (a 64 KiB evbuffer chain). */
#define HOP_CHANNEL_READ	(64 * 1024 - 256)
/*
 * During a service pass, packets up to HOP_CORK_PACKET bytes are held in
 * the output buffer, up to HOP_CORK_MAX in all, and go out in one write at
 * the end of the pass (hop_uncork), as OpenSSH writes once per loop.
 */
#define HOP_CORK_PACKET		4096
#define HOP_CORK_MAX		(16 * 1024)
#define HOP_MAX_KEYTYPES	8
/* Sessions a hop may open besides its first (hop_pool.c)... */
#define HOP_POOL_MAX		63
/* ...and how many of them may be logging in at once. */
#define HOP_POOL_CONNECTING	4

struct evbuffer;
struct event;

/*
 * A transport carries the session's bytes between hop->io's buffers and
 * the server. Its own state (events, DNS, the carrier channel) is
 * STATE_SIZE bytes, zeroed, allocated with the hop at io.transport; only
 * the transport touches it. connect starts it and calls hop_session_begin
 * once bytes can flow (or hop_fail); write_now, if not NULL, writes what
 * it can of BUF at once, returning the bytes taken or -errno when the
 * transport is broken (called only with the output buffer empty, or with
 * BUF its whole content when a cork is lifted); flush
 * says the output buffer has data; resume says the input buffer has room
 * again; close drops the connection (the session is gone by then);
 * waiting says whether output waits for the transport and sets *UNSENT to
 * the bytes the kernel holds unsent, or -1.
 */
struct hop_transport {
	const char	*name;
	size_t		 state_size;
	void		(*connect)(struct hop *);
	ssize_t		(*write_now)(struct hop *, const void *, size_t);
	void		(*flush)(struct hop *);
	void		(*resume)(struct hop *);
	void		(*close)(struct hop *);
	int		(*waiting)(struct hop *, int *unsent);
};

/* The session's bytes: libssh2's callbacks on one side, the transport
   on the other. */
struct hop_io {
	int			 fd;		/* socket, or placeholder */
	struct evbuffer		*inbuf;
	struct evbuffer		*outbuf;
	int			 read_paused;
	int			 dead;		/* libssh2 calls fail fast */
	int			 corked;	/* inside a service pass */
	int			 cork_pending;	/* outbuf holds only packets
						   held by the cork */
	void			*transport;	/* the transport's own state */

	/* Counters of the current session. */
	uint64_t		 bytes_sent;
	uint64_t		 bytes_received;
	uint64_t		 sends_deferred;	/* kernel took less */
	size_t			 outbuf_peak;
};

extern const struct hop_transport hop_tcp_transport;
extern const struct hop_transport hop_carrier_transport;

struct hop_alive;
struct hop_auth;
struct hop_hostkey;

TAILQ_HEAD(hop_channels, hop_channel);

struct hop {
	const struct config_hop	*conf;
	char			*label;		/* "bastion -> app" */
	struct event_base	*base;
	struct evdns_base	*dns;
	enum hop_state		 state;

	/* Transport. */
	const struct hop_transport *transport;
	struct hop		*outer;		/* carrier transport only */
	struct hop_io		 io;

	/* Extra sessions to the same host (hop_pool.c). */
	struct hop		*primary;	/* NULL: this is the first */
	struct hop		*pool[HOP_POOL_MAX];
	int			 npool;

	/* Session. */
	LIBSSH2_SESSION		*session;
	struct hop_hostkey	*hostkey;	/* private to hop_hostkey.c */
	struct hop_auth		*auth;		/* private to hop_auth.c */
	char			*dead;	/* set inside a service pass */

	/* Connecting again. */
	char			*last_error;	/* why the last session failed */
	int			 hard_failed;	/* host key or authentication */
	int			 retry_now;	/* next failure: no backoff */

	struct event		*ev_deadline;
	struct event		*ev_refuse;	/* fails the hop with refusal */
	char			*refusal;	/* why it did not connect */
	struct event		*ev_retry;
	struct event		*ev_service;
	int			 backoff;

	/* Channels and the service pass (hop.c). */
	struct hop_channels	 channels;	/* opening, open */
	struct hop_channels	 queue;		/* waiting to be opened */
	struct hop_channels	 closing;
	struct hop_channels	 wake;		/* to pump next round */
	struct hop_channels	 batch;		/* being pumped this round */
	struct hop_channel	*pumping;	/* NULL once it closed */
	int			 news;		/* libssh2 took in packets */
	int			 pulled;	/* libssh2 took bytes since its
						   last read to EAGAIN */
	struct hop_channel	*opening;
	struct timespec		 last_open;	/* an open last completed */

	/* Liveness (private to hop_alive.c). */
	struct hop_alive	*alive;
	struct hop_channel	*probe;		/* our session channel */
	uint64_t		 moved;		/* channel bytes and opens */

	/* Use, for lazy hops and idle_timeout. */
	int			 nuser;		/* channels of users */
	struct event		*ev_idle;

	/* Status. */
	time_t			 since;		/* last state change */
	unsigned int		 sessions;	/* sessions that got ready */
	char			 fingerprint[FINGERPRINT_TEXT_LEN];
};

void	hop_session_begin(struct hop *);
/*
 * The session of HOP (a first session) a new channel goes to: HOP while it
 * holds fewer than channels_per_session channels or is not ready, else an
 * extra session with room, opened if needed, else the least loaded.
 */
struct hop *hop_pool_pick(struct hop *);
void	hop_pool_set_config(struct hop *, const struct config_hop *);
int	hop_pool_channels(const struct hop *);
void	hop_pool_shutdown(struct hop *, const char *);
void	hop_pool_free(struct hop *);
/* The transport took output: wake the writers that were held back. */
void	hop_output_room(struct hop *);
struct hop_channel *hop_channel_open_session(struct hop *,
	    const struct hop_channel_ops *, void *);
LIBSSH2_CHANNEL *hop_channel_libssh2(struct hop_channel *);
void	hop_alive_init(struct hop *);
void	hop_alive_start(struct hop *);
void	hop_alive_stop(struct hop *);
void	hop_alive_free(struct hop *);
void	hop_alive_received(struct hop *);
int	hop_alive_urgent_pending(const struct hop *);
void	hop_advance(struct hop *);
void	hop_restart(struct hop *, const char *);
/*
 * For the progress watchdog: return whether anything waits to move on the
 * hop: transport input libssh2 has not taken, output the kernel has not
 * taken, channel opens, woken channels, writers held back, data libssh2
 * holds for a reader. hop_counters describes the hop's counters for the
 * warning (the caller frees the text).
 */
int	hop_waiting(struct hop *);
char	*hop_counters(struct hop *);
const char *hop_session_error(struct hop *, int *);

/*
 * hop_algorithms.c: apply the hop's algorithm lists to its new session (0,
 * or -1 with *CAUSE, caller frees); after a failed handshake, say which
 * kind of algorithm the server and the hop had none in common of (caller
 * frees; NULL if none); log what the session negotiated.
 */
int	hop_algorithms_apply(struct hop *, char **);
char	*hop_algorithms_explain(struct hop *, const char *hostkeys_offered,
	    int known_only);
void	hop_algorithms_log(struct hop *);

/*
 * hop_hostkey.c: hop_hostkey_offer and hop_hostkey_verify return 0 to go
 * on, -1 when the hop has been failed (or restarted with other key types);
 * hop_hostkey_handshake_failed 1 when it failed the hop.
 */
void	hop_hostkey_init(struct hop *);
void	hop_hostkey_free(struct hop *);
int	hop_hostkey_offer(struct hop *);
int	hop_hostkey_verify(struct hop *);
int	hop_hostkey_handshake_failed(struct hop *);

/*
 * hop_auth.c. hop_auth runs one step: returns 0 when authenticated, 1 to
 * wait for the server, -1 when the hop has been failed.
 */
/*
 * hop_auth_precheck: before connecting, check what authentication will use
 * and can go stale (a certificate's validity window). Returns 0, or -1
 * with *CAUSE (caller frees).
 */
int	hop_auth_precheck(struct hop *, char **);
void	hop_auth_begin(struct hop *);
int	hop_auth(struct hop *);
void	hop_auth_clear(struct hop *);
void	hop_fail(struct hop *, int hard, const char *, ...)
	    __attribute__((format(printf, 3, 4)));

#endif

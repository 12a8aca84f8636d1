/*
 * A tunnel: a local forward (we listen, connections ride a hop's channels)
 * or a remote forward (the hop's server listens, we connect to the target).
 */
#ifndef JUMPGATE_TUNNEL_H
#define JUMPGATE_TUNNEL_H

#include <stdint.h>

struct config_tunnel;
struct event_base;
struct evdns_base;
struct hop;
struct tunnel;

struct tunnel	*tunnel_new(struct event_base *, struct evdns_base *,
		    const struct config_tunnel *, struct hop *);
/*
 * Start: bind the local listener, or ask the hop's server to listen.
 * Returns 0, or -1 with *CAUSE (caller frees) if a local listener cannot
 * be bound now.
 */
int		 tunnel_start(struct tunnel *, char **cause);
/* Try tunnel_start again later, with backoff, until it works. */
void		 tunnel_retry(struct tunnel *);
/* What jumpgate status shows of a tunnel. */
struct tunnel_status {
	const char	*name;
	const char	*type;		/* "local" or "remote" */
	char		 listen[300];	/* host:port (the server's, if remote) */
	char		 connect[300];
	const char	*via;		/* hop chain */
	const char	*state;
	int		 active;	/* live connections */
	uint64_t	 bytes_up;	/* client -> target, all connections */
	uint64_t	 bytes_down;
	const char	*last_error;	/* NULL if none */
};

void		 tunnel_get_status(const struct tunnel *, struct tunnel_status *);
/*
 * A new connection wants to ride the tunnel: returns 1 and counts it if the
 * tunnel carries fewer than max_connections, else 0 (the caller closes it
 * at once; a line a second at most says how many were closed).
 */
int		 tunnel_conn_admit(struct tunnel *);
/* One of the tunnel's connections closed. */
void		 tunnel_conn_gone(struct tunnel *);
/* Count bytes moved by one of the tunnel's connections. */
void		 tunnel_count_bytes(struct tunnel *, uint64_t up, uint64_t down);
/* Remember the tunnel's latest problem for status. */
void		 tunnel_set_error(struct tunnel *, const char *);
/* Point a kept tunnel at the same settings in a reloaded config. */
void		 tunnel_set_config(struct tunnel *, const struct config_tunnel *);
/* Stop taking new connections; live ones go on. */
void		 tunnel_stop(struct tunnel *);
/* Stop listening and close the tunnel's connections, then free it. */
void		 tunnel_free(struct tunnel *);
const char	*tunnel_name(const struct tunnel *);
const struct config_tunnel *tunnel_config(const struct tunnel *);
struct event_base *tunnel_base(const struct tunnel *);

#endif

/*
 * A tunnel: a local forward (we listen, connections ride a hop's channels)
 * or a remote forward (the hop's server listens, we connect to the target).
 */
#ifndef JUMPGATE_TUNNEL_H
#define JUMPGATE_TUNNEL_H

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
/* Stop listening and close the tunnel's connections, then free it. */
void		 tunnel_free(struct tunnel *);
const char	*tunnel_name(const struct tunnel *);
const struct config_tunnel *tunnel_config(const struct tunnel *);
struct event_base *tunnel_base(const struct tunnel *);

#endif

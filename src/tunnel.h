/* A local forward: one listener whose connections ride a hop's channels. */
#ifndef JUMPGATE_TUNNEL_H
#define JUMPGATE_TUNNEL_H

struct config_tunnel;
struct event_base;
struct hop;
struct tunnel;

struct tunnel	*tunnel_new(struct event_base *, const struct config_tunnel *,
		    struct hop *);
/* Bind the listener; returns 0, or -1 with *CAUSE (caller frees). */
int		 tunnel_listen(struct tunnel *, char **cause);
/* Try tunnel_listen again later, with backoff, until it works. */
void		 tunnel_listen_retry(struct tunnel *);
/* Stop listening and close the tunnel's connections, then free it. */
void		 tunnel_free(struct tunnel *);
const char	*tunnel_name(const struct tunnel *);
const struct config_tunnel *tunnel_config(const struct tunnel *);
struct event_base *tunnel_base(const struct tunnel *);

#endif

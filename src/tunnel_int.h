/*
 * Inside a tunnel: shared by tunnel.c (common code and local forwards,
 * ssh -L, and the listener of SOCKS tunnels, ssh -D) and tunnel_remote.c
 * (remote forwards, ssh -R).
 */
#ifndef JUMPGATE_TUNNEL_INT_H
#define JUMPGATE_TUNNEL_INT_H

#include "tunnel.h"

struct event;
struct evconnlistener;
struct hop_channel;
struct unixsock;

/* What differs between kinds of tunnel. */
struct tunnel_ops {
	const char	*name;
	int		(*start)(struct tunnel *, char **cause);
	void		(*stop)(struct tunnel *);
	const char	*(*state)(const struct tunnel *);
};

extern const struct tunnel_ops tunnel_local_ops;
extern const struct tunnel_ops tunnel_remote_ops;
extern const struct tunnel_ops tunnel_socks_ops;

struct tunnel {
	const struct config_tunnel *conf;
	const struct tunnel_ops	*ops;
	struct event_base	*base;
	struct evdns_base	*dns;
	struct hop		*hop;
	struct event		*ev_retry;	/* start again after a failure */
	int			 retry_delay;	/* seconds */

	uint64_t		 bytes_up;
	uint64_t		 bytes_down;
	char			*last_error;
	int			 stopped;

	/* max_connections. */
	int			 nconns;	/* connections carried now */
	int			 refused;	/* closed since the last line */
	struct event		*ev_refused;	/* rate of the refusal lines */

	/* Local forwards. */
	struct evconnlistener	*listener;
	struct event		*ev_resume;	/* accept again after EMFILE */
	struct unixsock		*unixsock;	/* listen = unix: its file */

	/* Remote forwards. */
	struct hop_channel	*remote;	/* the tcpip-forward request */
	int			 remote_port;	/* port the server listens on */
};

#endif

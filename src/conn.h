/*
 * A forwarded connection: a local socket (one half, a struct stream) joined
 * to an SSH channel of a hop (the other half), pumped both ways with
 * backpressure and half-close.
 */
#ifndef JUMPGATE_CONN_H
#define JUMPGATE_CONN_H

#include <sys/socket.h>
#include <stddef.h>

struct conn;
struct evdns_base;
struct hop;
struct hop_channel;
struct tunnel;

/*
 * Take over accepted socket FD from a client at SA (TCP or a Unix socket)
 * and ask HOP for a channel to TARGET_HOST:TARGET_PORT, or, with
 * TARGET_HOST NULL, to the tunnel's connect = unix:PATH. The connection
 * frees itself when done.
 */
void	conn_new(struct tunnel *, struct hop *, int fd,
	    const struct sockaddr *sa, socklen_t salen,
	    const char *target_host, int target_port);
/*
 * SOCKS tunnel: take over accepted socket FD and read the client's
 * request; its channel is opened once the request is allowed.
 */
void	conn_new_socks(struct tunnel *, struct hop *, int fd,
	    const struct sockaddr *sa, socklen_t salen);
/*
 * Write the destinations of TUNNEL's connections to BUF (LEN bytes),
 * "host:port,[v6]:port", ending in ",+N more" if they do not all fit.
 */
void	conn_destinations(const struct tunnel *, char *buf, size_t len);
/*
 * Remote forward: take the next connection the hop's server forwarded to
 * LISTENER and connect it to the tunnel's target (resolved with DNS).
 * Returns 1 if there was one, 0 if none is waiting.
 */
int	conn_accept_remote(struct tunnel *, struct hop *,
	    struct hop_channel *listener, struct evdns_base *dns);
/* Close every connection of TUNNEL (all if NULL), logging WHY. */
void	conn_close_all(struct tunnel *, const char *why);
/* Count the live connections of TUNNEL (all if NULL). */
int	conn_count(const struct tunnel *);

#endif

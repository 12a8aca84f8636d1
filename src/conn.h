/*
 * A forwarded connection: a local socket (one half, a bufferevent) joined
 * to an SSH channel of a hop (the other half), pumped both ways with
 * backpressure and half-close.
 */
#ifndef JUMPGATE_CONN_H
#define JUMPGATE_CONN_H

#include <sys/socket.h>

struct conn;
struct hop;
struct tunnel;

/*
 * Take over accepted socket FD from a client at SA and ask HOP for a
 * channel to the tunnel's target. The connection frees itself when done.
 */
void	conn_new(struct tunnel *, struct hop *, int fd,
	    const struct sockaddr *sa, socklen_t salen);
/* Close every connection of TUNNEL (all if NULL), logging WHY. */
void	conn_close_all(struct tunnel *, const char *why);
/* Count the live connections of TUNNEL. */
int	conn_count(const struct tunnel *);

#endif

/*
 * A non-blocking socket with an input and an output buffer on the event
 * loop: what bufferevent does, minus its 4 KiB reads (libevent 2.1 caps
 * evbuffer_read at 4096 bytes a call; a tunnel wants 64 KiB) and minus
 * buffers kept allocated while a connection idles.
 *
 * The owner is told through stream_ops: readable when input grew or the
 * peer sent EOF (stream_eof), drained when the output went down to the low
 * mark after being above it and when output the socket did not take at
 * once is all out, failed on a socket error or a failed connect
 * (the owner then frees the stream), connected when a connect completed.
 * Callbacks run from the event loop only, never from inside a stream call.
 */
#ifndef JUMPGATE_STREAM_H
#define JUMPGATE_STREAM_H

#include <sys/types.h>

struct event_base;
struct evbuffer;
struct evdns_base;
struct stream;

/*
 * One read(2) takes at most this much: 64 KiB less room for libevent's
 * chain header, which would otherwise round each buffer up to 128 KiB.
 */
#define STREAM_READ_MAX		(64 * 1024 - 256)

struct stream_ops {
	void	(*readable)(void *arg);
	void	(*drained)(void *arg);
	void	(*failed)(void *arg, const char *why);
	void	(*connected)(void *arg);
};

/* Take over connected socket FD. */
struct stream	*stream_new(struct event_base *, int fd,
		    const struct stream_ops *, void *arg);
/*
 * Resolve HOST and connect to its addresses in turn until one takes the
 * connection; connected, or failed with the last address's error, follows.
 */
struct stream	*stream_connect(struct event_base *, struct evdns_base *,
		    const char *host, int port, const struct stream_ops *,
		    void *arg);
/*
 * Connect to the Unix socket PATH; connected or failed follows, as for
 * stream_connect.
 */
struct stream	*stream_connect_unix(struct event_base *, const char *path,
		    const struct stream_ops *, void *arg);
/* Close the socket and free everything. */
void		 stream_free(struct stream *);

struct evbuffer	*stream_input(struct stream *);
struct evbuffer	*stream_output(struct stream *);
int		 stream_fd(const struct stream *);
/* Whether the peer has sent EOF (input may still hold data). */
int		 stream_eof(const struct stream *);
/*
 * Stop reading while the input holds HIGH bytes or more; tell drained
 * once the output is down to LOW after being above it (and once it is
 * empty after the socket did not take it all).
 */
void		 stream_set_marks(struct stream *, size_t high, size_t low);
/* The owner took input: read again if it had stopped at the high mark. */
void		 stream_consumed(struct stream *);
/* The owner added output: write what the socket takes now, the rest later. */
void		 stream_flush(struct stream *);
/* Shut the socket down for writing once the output is empty. */
void		 stream_shutdown_write(struct stream *);

/*
 * Read FD into BUF in one call of up to MAX bytes. Returns what read(2)
 * returns; nothing stays allocated in BUF when nothing was read.
 */
ssize_t		 stream_read_into(struct evbuffer *, int fd, size_t max);

#endif

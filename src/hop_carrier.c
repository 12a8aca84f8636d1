/*
 * Hop transport over a channel of the outer hop (jump chains): the inner
 * session's bytes travel in a direct-tcpip channel of the outer session.
 * Bytes move between the channel and the inner hop's buffers only in the
 * outer hop's service pass (the carrier's pump); the inner session's
 * libssh2 callbacks touch nothing but those buffers, so one session is
 * never called from inside another.
 */
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "compat.h"
#include "config.h"
#include "hop_int.h"
#include "log.h"

/* The carrier transport's own state (hop->io.transport). */
struct hop_carrier {
	struct hop_channel	*channel;	/* of the outer hop */
};

/* Return the carrier state of HOP. */
static struct hop_carrier *
hop_carrier(struct hop *hop)
{
	return hop->io.transport;
}

/* The channel to the inner host is open: start the inner session. */
static void
hop_carrier_opened(void *arg)
{
	struct hop	*hop = arg;

	log_debug("hop %s: channel to %s:%d open through %s", hop->label,
	    hop->conf->host, hop->conf->port, hop->outer->label);
	hop_session_begin(hop);
}

/* The outer hop could not open the channel. */
static void
hop_carrier_failed(void *arg, const char *reason)
{
	struct hop	*hop = arg;

	hop_carrier(hop)->channel = NULL;
	hop_fail(hop, 0, "cannot reach %s:%d through %s: %s",
	    hop->conf->host, hop->conf->port, hop->outer->label, reason);
}

/* The outer session went away under the channel. */
static void
hop_carrier_lost(void *arg, const char *reason)
{
	struct hop	*hop = arg;

	hop_carrier(hop)->channel = NULL;
	hop_fail(hop, 0, "lost with %s: %s", hop->outer->label, reason);
}

/* The channel ended or broke: fail the inner hop. Returns 1. */
static int
hop_carrier_ended(struct hop *hop, ssize_t n)
{
	hop->io.dead = 1;
	if (n == HOP_EOF)
		hop_fail(hop, 0, "connection closed by %s:%d (through %s)",
		    hop->conf->host, hop->conf->port, hop->outer->label);
	else
		hop_fail(hop, 0, "channel to %s:%d through %s failed",
		    hop->conf->host, hop->conf->port, hop->outer->label);
	return 1;
}

/*
 * Move bytes between the channel and the inner hop's buffers (called by
 * the outer hop's service pass). Returns nonzero if anything moved.
 */
static int
hop_carrier_pump(void *arg)
{
	struct hop		*hop = arg;
	struct hop_channel	*ch = hop_carrier(hop)->channel;
	size_t			 got, sent;
	int			 rc;

	/* Channel -> inner session. */
	rc = hop_channel_read_into(ch, hop->io.inbuf, HOP_INBUF_MAX, &got);
	hop->io.bytes_received += got;
	if (rc != 0)
		return hop_carrier_ended(hop, rc);
	if (got > 0)
		hop_alive_received(hop);
	hop->io.read_paused = evbuffer_get_length(hop->io.inbuf) >=
	    HOP_INBUF_MAX;

	/* Inner session -> channel. */
	if (hop_channel_write_from(ch, hop->io.outbuf, &sent) != 0)
		return hop_carrier_ended(hop, HOP_ERROR);

	/* Let the inner session take in its input and write again. */
	if (got > 0 || sent > 0) {
		hop->news = 1;
		hop_kick(hop);
		return 1;
	}
	return 0;
}

static const struct hop_channel_ops hop_carrier_ops = {
	hop_carrier_opened,
	hop_carrier_failed,
	hop_carrier_pump,
	hop_carrier_lost
};

/*
 * Open the channel to the inner host on the outer hop. libssh2 still
 * wants a descriptor for the session: a placeholder on /dev/null.
 */
static void
hop_carrier_connect(struct hop *hop)
{
	if ((hop->io.fd = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1) {
		hop_fail(hop, 0, "cannot open /dev/null: %s", strerror(errno));
		return;
	}
	hop_carrier(hop)->channel = hop_channel_open(hop->outer, hop->conf->host,
	    hop->conf->port, "127.0.0.1", 0, hop->conf->connect_timeout,
	    &hop_carrier_ops, hop);
}

/* Have the outer hop pump the carrier channel. */
static void
hop_carrier_wake(struct hop *hop)
{
	if (hop_carrier(hop)->channel != NULL)
		hop_channel_wake(hop_carrier(hop)->channel);
	else
		hop_kick(hop->outer);
}

/* The inner session wrote: the outer hop's pass moves it on. */
static void
hop_carrier_flush(struct hop *hop)
{
	hop_carrier_wake(hop);
}

/* The inner session took in its input: the outer hop may read on. */
static void
hop_carrier_resume(struct hop *hop)
{
	hop_carrier_wake(hop);
}

/* Give the channel back and drop the placeholder. */
static void
hop_carrier_close(struct hop *hop)
{
	if (hop_carrier(hop)->channel != NULL) {
		hop_channel_close(hop_carrier(hop)->channel);
		hop_carrier(hop)->channel = NULL;
	}
	if (hop->io.fd != -1) {
		close(hop->io.fd);
		hop->io.fd = -1;
	}
}

/* Output never waits on an event here, and no kernel holds any. */
static int
hop_carrier_waiting(struct hop *hop, int *unsent)
{
	(void)hop;
	*unsent = -1;
	return 0;
}

/* The inner session's bytes wait for the outer hop's pass: no write_now. */
const struct hop_transport hop_carrier_transport = {
	"carrier",
	sizeof (struct hop_carrier),
	hop_carrier_connect,
	NULL,
	hop_carrier_flush,
	hop_carrier_resume,
	hop_carrier_close,
	hop_carrier_waiting
};

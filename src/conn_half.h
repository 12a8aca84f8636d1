/*
 * One direction of a forwarded connection and its half-close (OpenSSH's
 * nchan.c): up is client -> target, down is target -> client. A direction
 * only moves forward, one step at a time: open, then drain once its source
 * sent EOF, then closed once the EOF was passed on.
 */
#ifndef JUMPGATE_CONN_HALF_H
#define JUMPGATE_CONN_HALF_H

enum conn_half {
	CONN_HALF_OPEN,		/* data flows */
	CONN_HALF_DRAIN,	/* its source sent EOF; buffered data goes on */
	CONN_HALF_CLOSED	/* EOF passed on: up, sent on the channel;
				   down, the client socket shut for writing */
};

/* The state's name for logs: "open", "drain" or "closed" ("?" if none). */
const char	*conn_half_name(enum conn_half);
/*
 * Move *HALF to NEXT if NEXT is its next state. Returns 0, or -1 with
 * *HALF unchanged for any other move (back, in place, skipping drain).
 */
int		 conn_half_set(enum conn_half *half, enum conn_half next);

#endif

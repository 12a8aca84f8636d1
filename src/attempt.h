/*
 * One handshake (handshake.c) over one stream (reach.c), run on the event
 * loop until it is done, failed, or out of time. For the scan and probe
 * commands, which make their connections one after another.
 */
#ifndef JUMPGATE_ATTEMPT_H
#define JUMPGATE_ATTEMPT_H

struct event_base;
struct handshake;
struct reach;

/*
 * Run H against HOST:PORT through R within TIMEOUT seconds. Returns 0
 * when H is done, or -1 with *CAUSE (caller frees) saying what failed.
 */
int	attempt_run(struct event_base *, struct reach *, const char *host,
	    int port, int timeout, struct handshake *h, char **cause);

#endif

/*
 * The control socket: a unix socket (mode 0600) on which a running
 * jumpgate answers one-line commands ("status", "status json", "reload")
 * from the same user, then closes the connection.
 */
#ifndef JUMPGATE_CONTROL_H
#define JUMPGATE_CONTROL_H

#include <stdio.h>

struct config;
struct control;
struct event_base;
struct evbuffer;

/* Answer COMMAND by appending the reply to OUT. */
typedef void (*control_handler)(const char *command, struct evbuffer *out,
    void *arg);

/* The control socket path for CONFIG (its setting, or the default). */
char		*control_path(const struct config *);
/* Listen on PATH; returns NULL with *CAUSE (caller frees) on failure. */
struct control	*control_listen(struct event_base *, const char *path,
		    control_handler, void *arg, char **cause);
/* Stop listening and remove the socket. */
void		 control_free(struct control *);
/*
 * Client: send COMMAND to the instance listening on PATH and copy its
 * reply to OUT. Returns 0, or -1 with *CAUSE (caller frees).
 */
int		 control_request(const char *path, const char *command,
		    FILE *out, char **cause);

#endif

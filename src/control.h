/*
 * The control socket: a unix socket (mode 0600) on which a running
 * jumpgate answers one-line commands ("status", "status json", "reload",
 * "info")
 * from the same user, then closes the connection. Every reply starts with
 * a status line, "ok" or "error", and the body follows: the client decides
 * from that line alone, and shows the body escaped by vis.
 */
#ifndef JUMPGATE_CONTROL_H
#define JUMPGATE_CONTROL_H

#include <stdio.h>

struct config;
struct control;
struct event_base;
struct evbuffer;

/* A longer request line is refused. */
#define CONTROL_MAX_LINE	256

/* What a client may ask, one request line each. */
enum control_command {
	CONTROL_PING,		/* "ping": "pong" */
	CONTROL_STATUS,		/* "status": the table */
	CONTROL_STATUS_JSON,	/* "status json" */
	CONTROL_RELOAD,		/* "reload" */
	CONTROL_INFO		/* "info": for list and stop, see info.h */
};

/* A reply larger than this is refused by the client. */
#define CONTROL_MAX_REPLY	(4 * 1024 * 1024)

/* What control_request found. */
enum control_result {
	CONTROL_OK = 0,		/* the instance answered "ok" */
	CONTROL_ERROR = 1,	/* it answered "error": the body says why */
	CONTROL_NOBODY = -1,	/* nobody listens on the socket */
	CONTROL_FAILED = -2,	/* refused or timed out */
	CONTROL_BADREPLY = -3	/* something answered, not as jumpgate does */
};

/*
 * Answer CMD by appending the body of the reply to OUT. Returns 0 for an
 * "ok" reply, -1 for an "error" one.
 */
typedef int (*control_handler)(enum control_command cmd,
    struct evbuffer *out, void *arg);

/*
 * Take one request from IN, the bytes a client sent so far: a line ending
 * in LF (a CR before it is ignored). Returns 1 with *CMD set, or with
 * *ERROR (the reply, caller frees; unknown text in it escaped by vis); 0
 * if the line is not complete yet; -1 if the client sent more than
 * CONTROL_MAX_LINE bytes without a newline and must be dropped. No I/O:
 * fuzz_control calls it without a socket.
 */
int		 control_take(struct evbuffer *in, enum control_command *cmd,
		    char **error);
/* The request line of CMD ("status json"). */
const char	*control_command_name(enum control_command);

/* The control socket path for CONFIG (its setting, or the default). */
char		*control_path(const struct config *);
/*
 * The directory of default control sockets: $XDG_RUNTIME_DIR/jumpgate if
 * that is an absolute path, else /run/jumpgate. Caller frees.
 */
char		*control_default_dir(void);
/*
 * Open DIR, walked as safefile.h says: with CREATE, create it (mode 0700)
 * if it does not exist, and open it O_PATH (for the *at calls); without,
 * open it O_RDONLY, to be listed. It must belong to us and be writable by
 * us only. Returns its descriptor, or -1 with *CAUSE (caller frees), or
 * -1 with *CAUSE NULL if it does not exist and CREATE is not set.
 */
int		 control_open_dir(const char *dir, int create, char **cause);
/* Listen on PATH; returns NULL with *CAUSE (caller frees) on failure. */
struct control	*control_listen(struct event_base *, const char *path,
		    control_handler, void *arg, char **cause);
/* Stop listening and remove the socket. */
void		 control_free(struct control *);
/*
 * Listen again, from this process: clients then see its pid, not that of
 * the parent run -d left behind (the kernel records who called listen()
 * for SO_PEERCRED). Returns 0, or -1 with errno.
 */
int		 control_claim(struct control *);
/*
 * Client: send COMMAND to the instance listening on PATH and copy the body
 * of its reply (without the status line; at most CONTROL_MAX_REPLY bytes)
 * to OUT, which may be NULL. Returns CONTROL_OK or CONTROL_ERROR, or
 * CONTROL_NOBODY, CONTROL_FAILED or CONTROL_BADREPLY with *CAUSE (caller
 * frees).
 */
enum control_result control_request(const char *path, const char *command,
		    FILE *out, char **cause);
/*
 * The same, and *PEER is the pid of the process that listens on PATH as
 * the kernel names it (SO_PEERCRED; 0 if it is in another pid namespace)
 * whenever something answered.
 */
enum control_result control_request_peer(const char *path,
		    const char *command, FILE *out, long *peer, char **cause);

#endif

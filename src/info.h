/*
 * The "info" control reply: what "jumpgate list" and "jumpgate stop" need
 * to know of a running instance, one "KEY VALUE" line each:
 *
 *   name staging
 *   file /home/dev/.config/jumpgate/staging.ini
 *   pid 4242
 *   started 1764300000          (seconds since the epoch)
 *   hops 1 2                    (ready, total)
 *   tunnels 3
 *   connections 5
 *   shutdown_timeout 5
 *
 * The parser takes nothing on trust: every number is checked, strings are
 * kept as bytes (the caller escapes them when it prints), unknown keys are
 * skipped so that a newer instance still answers an older client.
 */
#ifndef JUMPGATE_INFO_H
#define JUMPGATE_INFO_H

#include <stddef.h>
#include <time.h>

struct evbuffer;

/* A string value longer than this is refused. */
#define INFO_MAX_VALUE	4096

struct info {
	char		*name;
	char		*file;
	long		 pid;
	time_t		 started;
	long		 hops_ready;
	long		 hops;
	long		 tunnels;
	long		 connections;
	long		 shutdown_timeout;
};

/* Append INFO to OUT as the reply body above. */
void	info_write(struct evbuffer *out, const struct info *);
/*
 * Parse the LEN bytes of TEXT into INFO (free with info_clear). Returns 0,
 * or -1 with *CAUSE (caller frees; the offending text escaped) if a line
 * is malformed or a key is missing; INFO is then cleared.
 */
int	info_parse(const char *text, size_t len, struct info *, char **cause);
/* Free the strings of INFO and zero it. */
void	info_clear(struct info *);

#endif

/*
 * Whether this build can talk to a server, from the server's KEXINIT:
 * for each negotiated list, the algorithm a hop with default settings
 * would agree on (its order of preference, RFC 4253 §7.1; the lists and
 * the reasons come from algorithms.c), or why there is none and which
 * setting of the hop or the server would change that.
 */
#ifndef JUMPGATE_ALGCHECK_H
#define JUMPGATE_ALGCHECK_H

#include <stdio.h>

#include "server.h"

struct kexinit;

/*
 * The first name of CLIENT (comma-separated, most wanted first) that
 * SERVER also has, as a new string, or NULL.
 */
char	*algcheck_choose(const char *client, const char *server);
/*
 * Print the choice for every negotiated list of K to OUT, naming the
 * server as WHO; advice names the settings of a KIND server. Returns 0 if
 * jumpgate can talk to it, 1 if not.
 */
int	algcheck_report(const struct kexinit *k, const char *who,
	    enum server_kind kind, FILE *out);

#endif

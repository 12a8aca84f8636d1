/*
 * Whether this build can talk to a server, from the server's KEXINIT:
 * for each negotiated list, the algorithm jumpgate would choose (client
 * preference order, RFC 4253 §7.1) among what libssh2 supports minus
 * the weak algorithms jumpgate leaves out, or why there is none and what
 * to change.
 */
#ifndef JUMPGATE_ALGCHECK_H
#define JUMPGATE_ALGCHECK_H

#include <stdio.h>

struct kexinit;

/*
 * The first name of CLIENT (comma-separated, most wanted first) that
 * SERVER also has, as a new string, or NULL.
 */
char	*algcheck_choose(const char *client, const char *server);
/* Why jumpgate leaves NAME of list LIST out, or NULL if it does not. */
const char *algcheck_weak(int list, const char *name);
/*
 * Print the choice for every negotiated list of K to OUT, naming the
 * server as WHO. Returns 0 if jumpgate can talk to it, 1 if not.
 */
int	algcheck_report(const struct kexinit *k, const char *who, FILE *out);

#endif

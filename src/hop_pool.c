/* More SSH sessions to a hop's host once a session holds many channels. */
#include <sys/queue.h>

#include <stdlib.h>

#include "config.h"
#include "hop_int.h"
#include "log.h"
#include "xmalloc.h"

/* Open another session of PRIMARY's host and start it. */
static struct hop *
hop_pool_grow(struct hop *primary)
{
	struct hop	*extra;

	extra = hop_new(primary->base, primary->dns, primary->conf,
	    primary->outer);
	free(extra->label);
	xasprintf(&extra->label, "%s#%d", primary->label, primary->npool + 2);
	extra->primary = primary;
	primary->pool[primary->npool++] = extra;
	log_info("hop %s: %d channels on each session: opening session %d "
	    "(channels_per_session)", primary->label,
	    primary->conf->channels_per_session, primary->npool + 1);
	hop_start(extra);
	return extra;
}

/*
 * Return the session of HOP a new channel goes to, see hop_int.h. At most
 * HOP_POOL_CONNECTING extra sessions log in at once: a burst of thousands
 * of clients would otherwise start dozens of logins together, and sshd
 * drops unauthenticated connections past MaxStartups (10 by default).
 * Meanwhile the least loaded session takes the channel.
 */
struct hop *
hop_pool_pick(struct hop *hop)
{
	struct hop	*least = hop;
	int		 limit = hop->conf->channels_per_session, i;
	int		 connecting = 0;

	if (hop->nuser < limit || hop->state != HOP_READY)
		return hop;
	for (i = 0; i < hop->npool; i++) {
		if (hop->pool[i]->nuser < limit)
			return hop->pool[i];
		if (hop->pool[i]->nuser < least->nuser)
			least = hop->pool[i];
		connecting += hop->pool[i]->state != HOP_READY;
	}
	if (hop->npool < HOP_POOL_MAX && connecting < HOP_POOL_CONNECTING)
		return hop_pool_grow(hop);
	return least;
}

/* Point the extra sessions at reloaded settings. */
void
hop_pool_set_config(struct hop *hop, const struct config_hop *conf)
{
	int	i;

	for (i = 0; i < hop->npool; i++)
		hop->pool[i]->conf = conf;
}

/* Count the channels of all sessions of HOP. */
int
hop_pool_channels(const struct hop *hop)
{
	int	i, n = hop->nuser;

	for (i = 0; i < hop->npool; i++)
		n += hop->pool[i]->nuser;
	return n;
}

/* Disconnect the extra sessions, for shutdown. */
void
hop_pool_shutdown(struct hop *hop, const char *why)
{
	int	i;

	for (i = 0; i < hop->npool; i++)
		hop_shutdown(hop->pool[i], why);
}

/* Free the extra sessions. */
void
hop_pool_free(struct hop *hop)
{
	int	i;

	for (i = 0; i < hop->npool; i++)
		hop_free(hop->pool[i]);
	hop->npool = 0;
}

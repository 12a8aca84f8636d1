/* One client's SOCKS handshake: greeting, request, allow-list, reply. */
#include <stdio.h>
#include <string.h>

#include <event2/buffer.h>

#include "allow.h"
#include "socks_handshake.h"

/*
 * The longest greeting (2 + 255 methods) and request (SOCKS4a: 8 + a user
 * name and a host name of up to 255 bytes, each with its NUL) need no more
 * than this many bytes in one piece.
 */
#define SOCKS_HANDSHAKE_PEEK	(8 + 2 * (SOCKS_NAME_MAX + 1))

/* Start a handshake. */
void
socks_handshake_init(struct socks_handshake *hs)
{
	memset(hs, 0, sizeof *hs);
	hs->reply = SOCKS_NO_REPLY;
}

/* Write the reply to the request, see socks_handshake.h. */
void
socks_handshake_reply(const struct socks_handshake *hs, struct evbuffer *out,
    int code)
{
	uint8_t	reply[SOCKS_REPLY_MAX];

	evbuffer_add(out, reply, socks_reply(reply, hs->version, code));
}

/* Refuse: write REPLY (unless SOCKS_NO_REPLY) and remember WHY. */
static enum socks_step
socks_handshake_refuse(struct socks_handshake *hs, struct evbuffer *out,
    int reply, const char *why)
{
	hs->reply = reply;
	snprintf(hs->why, sizeof hs->why, "%s", why);
	if (reply != SOCKS_NO_REPLY && hs->version != 0)
		socks_handshake_reply(hs, out, reply);
	return SOCKS_STEP_REFUSE;
}

/*
 * Take the greeting: SOCKS5 gets its method answer, SOCKS4 has none.
 * Returns 1 when taken, 0 when more is needed, -1 when refused.
 */
static int
socks_handshake_greeting(struct socks_handshake *hs, struct evbuffer *in,
    struct evbuffer *out)
{
	struct socks_greeting	 g;
	uint8_t			 method[2];
	size_t			 len = evbuffer_get_length(in);
	const uint8_t		*buf;

	if (len > SOCKS_HANDSHAKE_PEEK)
		len = SOCKS_HANDSHAKE_PEEK;
	buf = evbuffer_pullup(in, (ev_ssize_t)len);
	switch (socks_parse_greeting(buf, len, &g)) {
	case SOCKS_MORE:
		return 0;
	case SOCKS_BAD:
		if (g.reply != SOCKS_NO_REPLY)
			evbuffer_add(out, method, socks_method_reply(method, 0));
		hs->reply = SOCKS_NO_REPLY;
		snprintf(hs->why, sizeof hs->why, "%s", g.why);
		return -1;
	case SOCKS_DONE:
		break;
	}
	hs->version = g.version;
	evbuffer_drain(in, g.used);
	if (g.version == 5)
		evbuffer_add(out, method, socks_method_reply(method, 1));
	return 1;
}

/* Feed the client's bytes, see socks_handshake.h. */
enum socks_step
socks_handshake_feed(struct socks_handshake *hs, struct evbuffer *in,
    struct evbuffer *out, const struct allow_list *allow)
{
	struct socks_request	*r = &hs->request;
	size_t			 len;
	const uint8_t		*buf;
	char			 why[sizeof hs->why];
	int			 v6, rc;

	if (hs->version == 0 &&
	    (rc = socks_handshake_greeting(hs, in, out)) != 1)
		return rc == 0 ? SOCKS_STEP_WAIT : SOCKS_STEP_REFUSE;
	len = evbuffer_get_length(in);
	if (len > SOCKS_HANDSHAKE_PEEK)
		len = SOCKS_HANDSHAKE_PEEK;
	buf = evbuffer_pullup(in, (ev_ssize_t)len);
	switch (socks_parse_request(buf, len, hs->version, r)) {
	case SOCKS_MORE:
		if (len == SOCKS_HANDSHAKE_PEEK)	/* cannot happen */
			return socks_handshake_refuse(hs, out,
			    SOCKS5_GENERAL_FAILURE, "request too long");
		return SOCKS_STEP_WAIT;
	case SOCKS_BAD:
		return socks_handshake_refuse(hs, out, r->reply, r->why);
	case SOCKS_DONE:
		break;
	}
	evbuffer_drain(in, r->used);
	if (!allow_match(allow, r->host, r->port)) {
		v6 = strchr(r->host, ':') != NULL;
		snprintf(why, sizeof why, "%s%s%s:%d is not in the allow-list",
		    v6 ? "[" : "", r->host, v6 ? "]" : "", r->port);
		return socks_handshake_refuse(hs, out, SOCKS5_NOT_ALLOWED, why);
	}
	return SOCKS_STEP_CONNECT;
}

/* Map why a channel failed to a SOCKS5 reply code, see socks_handshake.h. */
int
socks_reply_for_open_error(enum hop_open_error error)
{
	switch (error) {
	case HOP_OPEN_ERROR_PROHIBITED:
		return SOCKS5_NOT_ALLOWED;
	case HOP_OPEN_ERROR_CONNECT:
		/*
		 * OpenSSH says "connect failed" for refused, unreachable and
		 * unresolvable alike, and libssh2 keeps only that code.
		 */
		return SOCKS5_CONNECTION_REFUSED;
	case HOP_OPEN_ERROR_TIMEOUT:
		return SOCKS5_HOST_UNREACHABLE;
	case HOP_OPEN_ERROR_HOP_DOWN:
		return SOCKS5_NETWORK_UNREACHABLE;
	case HOP_OPEN_ERROR_OTHER:
		break;
	}
	return SOCKS5_GENERAL_FAILURE;
}

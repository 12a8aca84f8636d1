/* The SOCKS wire format: parse greetings and requests, write replies. */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>

#include "socks.h"

#define SOCKS4_VERSION		4
#define SOCKS5_VERSION		5
#define SOCKS_CMD_CONNECT	1
#define SOCKS_CMD_BIND		2
#define SOCKS_CMD_UDP		3
#define SOCKS5_METHOD_NONE	0x00
#define SOCKS5_METHOD_REFUSED	0xff
#define SOCKS5_ATYP_IPV4	1
#define SOCKS5_ATYP_NAME	3
#define SOCKS5_ATYP_IPV6	4
#define SOCKS4_GRANTED		0x5a
#define SOCKS4_REJECTED		0x5b

/* Refuse with REPLY (or SOCKS_NO_REPLY) and WHY. */
static enum socks_parse
socks_refuse(struct socks_request *r, int reply, const char *why)
{
	r->reply = reply;
	r->why = why;
	return SOCKS_BAD;
}

/* Parse a greeting, see socks.h. */
enum socks_parse
socks_parse_greeting(const uint8_t *buf, size_t len, struct socks_greeting *g)
{
	size_t	i, nmethods;

	memset(g, 0, sizeof *g);
	g->reply = SOCKS_NO_REPLY;
	if (len < 1)
		return SOCKS_MORE;
	g->version = buf[0];
	if (buf[0] == SOCKS4_VERSION)
		return SOCKS_DONE;	/* the request is the greeting */
	if (buf[0] != SOCKS5_VERSION) {
		g->why = "not a SOCKS client (version byte is neither 4 nor 5)";
		return SOCKS_BAD;
	}
	if (len < 2)
		return SOCKS_MORE;
	nmethods = buf[1];
	if (len < 2 + nmethods)
		return SOCKS_MORE;
	g->used = 2 + nmethods;
	for (i = 0; i < nmethods; i++) {
		if (buf[2 + i] == SOCKS5_METHOD_NONE)
			return SOCKS_DONE;
	}
	g->reply = SOCKS5_METHOD_REFUSED;
	g->why = "the client offers no method jumpgate accepts (only "
	    "no authentication)";
	return SOCKS_BAD;
}

/* Tell whether C may appear in a host name as we pass it on. */
static int
socks_name_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	    c == '-' || c == '.' || c == '_';
}

/*
 * Check and store the name of LEN bytes at NAME: lower-cased, one trailing
 * dot dropped, an address written as a name stored as that address.
 */
static enum socks_parse
socks_set_name(struct socks_request *r, const uint8_t *name, size_t len)
{
	struct in_addr	 in4;
	struct in6_addr	 in6;
	size_t		 i;
	int		 c, v6 = 0;

	if (len == 0 || len > SOCKS_NAME_MAX)
		return socks_refuse(r, SOCKS5_GENERAL_FAILURE, "empty or "
		    "overlong destination name");
	for (i = 0; i < len; i++) {
		c = name[i];
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (c == ':')
			v6 = 1;
		else if (!socks_name_char(c))
			return socks_refuse(r, SOCKS5_NOT_ALLOWED, "the "
			    "destination name has bytes no host name has");
		r->host[i] = (char)c;
	}
	r->host[len] = '\0';
	if (len > 1 && r->host[len - 1] == '.')
		r->host[--len] = '\0';
	if (v6) {
		if (inet_pton(AF_INET6, r->host, &in6) != 1)
			return socks_refuse(r, SOCKS5_NOT_ALLOWED, "the "
			    "destination name has bytes no host name has");
		inet_ntop(AF_INET6, &in6, r->host, sizeof r->host);
		return SOCKS_DONE;
	}
	if (inet_pton(AF_INET, r->host, &in4) == 1)
		return SOCKS_DONE;
	/* 10.1, 0x0a000001, 012.0.0.1: the far side may read an address. */
	if (inet_aton(r->host, &in4) != 0)
		return socks_refuse(r, SOCKS5_ADDRESS_NOT_SUPPORTED, "the "
		    "destination is an address in a form other than a.b.c.d");
	if (r->host[0] == '.' || strstr(r->host, "..") != NULL)
		return socks_refuse(r, SOCKS5_NOT_ALLOWED, "the destination "
		    "name has an empty label");
	r->is_name = 1;
	return SOCKS_DONE;
}

/* Parse the rest of a SOCKS5 request: its command is at BUF[1]. */
static enum socks_parse
socks5_parse_request(const uint8_t *buf, size_t len, struct socks_request *r)
{
	size_t	addrlen, need;
	int	atyp;

	if (len < 2)
		return SOCKS_MORE;
	if (buf[1] == SOCKS_CMD_BIND)
		return socks_refuse(r, SOCKS5_COMMAND_NOT_SUPPORTED, "BIND "
		    "asked for: jumpgate does CONNECT only");
	if (buf[1] == SOCKS_CMD_UDP)
		return socks_refuse(r, SOCKS5_COMMAND_NOT_SUPPORTED, "UDP "
		    "ASSOCIATE asked for: jumpgate does CONNECT only");
	if (buf[1] != SOCKS_CMD_CONNECT)
		return socks_refuse(r, SOCKS5_COMMAND_NOT_SUPPORTED, "unknown "
		    "command");
	if (len < 3)
		return SOCKS_MORE;
	if (buf[2] != 0)
		return socks_refuse(r, SOCKS5_GENERAL_FAILURE, "reserved "
		    "byte is not 0");
	if (len < 4)
		return SOCKS_MORE;
	atyp = buf[3];
	if (atyp == SOCKS5_ATYP_IPV4)
		addrlen = 4;
	else if (atyp == SOCKS5_ATYP_IPV6)
		addrlen = 16;
	else if (atyp == SOCKS5_ATYP_NAME) {
		if (len < 5)
			return SOCKS_MORE;
		addrlen = 1 + (size_t)buf[4];
	} else
		return socks_refuse(r, SOCKS5_ADDRESS_NOT_SUPPORTED, "unknown "
		    "address type");
	need = 4 + addrlen + 2;
	if (len < need)
		return SOCKS_MORE;
	r->used = need;
	r->port = buf[need - 2] << 8 | buf[need - 1];
	if (atyp == SOCKS5_ATYP_IPV4)
		inet_ntop(AF_INET, buf + 4, r->host, sizeof r->host);
	else if (atyp == SOCKS5_ATYP_IPV6)
		inet_ntop(AF_INET6, buf + 4, r->host, sizeof r->host);
	else
		return socks_set_name(r, buf + 5, addrlen - 1);
	return SOCKS_DONE;
}

/*
 * Find the NUL ending a string of at most SOCKS_NAME_MAX bytes that starts
 * at OFF. Returns its offset, 0 if more bytes are needed, -1 if too long.
 */
static long
socks4_string_end(const uint8_t *buf, size_t len, size_t off)
{
	const uint8_t	*nul;
	size_t		 avail = len - off;

	if (avail > SOCKS_NAME_MAX + 1)
		avail = SOCKS_NAME_MAX + 1;
	if ((nul = memchr(buf + off, '\0', avail)) != NULL)
		return (long)(nul - buf);
	return len - off > SOCKS_NAME_MAX ? -1 : 0;
}

/* Parse a SOCKS4 or SOCKS4a request: its command is at BUF[1]. */
static enum socks_parse
socks4_parse_request(const uint8_t *buf, size_t len, struct socks_request *r)
{
	long	user_end, name_end;

	if (len < 2)
		return SOCKS_MORE;
	if (buf[1] != SOCKS_CMD_CONNECT)
		return socks_refuse(r, SOCKS5_COMMAND_NOT_SUPPORTED, buf[1] ==
		    SOCKS_CMD_BIND ? "BIND asked for: jumpgate does CONNECT "
		    "only" : "unknown command");
	if (len < 9)
		return SOCKS_MORE;
	r->port = buf[2] << 8 | buf[3];
	if ((user_end = socks4_string_end(buf, len, 8)) == -1)
		return socks_refuse(r, SOCKS5_GENERAL_FAILURE, "SOCKS4 user "
		    "name too long");
	if (user_end == 0)
		return SOCKS_MORE;
	if (buf[4] != 0 || buf[5] != 0 || buf[6] != 0) {
		r->used = (size_t)user_end + 1;
		inet_ntop(AF_INET, buf + 4, r->host, sizeof r->host);
		return SOCKS_DONE;
	}
	if (buf[7] == 0)
		return socks_refuse(r, SOCKS5_ADDRESS_NOT_SUPPORTED, "SOCKS4 "
		    "destination 0.0.0.0");
	/* SOCKS4a: 0.0.0.x, then the name. */
	if ((size_t)user_end + 1 >= len)
		return SOCKS_MORE;
	name_end = socks4_string_end(buf, len, (size_t)user_end + 1);
	if (name_end == -1)
		return socks_refuse(r, SOCKS5_GENERAL_FAILURE, "SOCKS4a name "
		    "too long");
	if (name_end == 0)
		return SOCKS_MORE;
	r->used = (size_t)name_end + 1;
	return socks_set_name(r, buf + user_end + 1,
	    (size_t)(name_end - user_end - 1));
}

/* Parse a CONNECT request, see socks.h. */
enum socks_parse
socks_parse_request(const uint8_t *buf, size_t len, int version,
    struct socks_request *r)
{
	memset(r, 0, sizeof *r);
	r->version = version;
	r->reply = SOCKS_NO_REPLY;
	if (len < 1)
		return SOCKS_MORE;
	if (buf[0] != version)
		return socks_refuse(r, SOCKS_NO_REPLY, "the request's version "
		    "byte differs from the greeting's");
	if (version == SOCKS4_VERSION)
		return socks4_parse_request(buf, len, r);
	return socks5_parse_request(buf, len, r);
}

/* Write the method choice for a greeting, see socks.h. */
size_t
socks_method_reply(uint8_t *out, int acceptable)
{
	out[0] = SOCKS5_VERSION;
	out[1] = acceptable ? SOCKS5_METHOD_NONE : SOCKS5_METHOD_REFUSED;
	return 2;
}

/* Write the reply to a request, see socks.h. */
size_t
socks_reply(uint8_t *out, int version, int code)
{
	if (version == SOCKS4_VERSION) {
		memset(out, 0, 8);
		out[1] = code == SOCKS5_SUCCEEDED ? SOCKS4_GRANTED :
		    SOCKS4_REJECTED;
		return 8;
	}
	memset(out, 0, SOCKS_REPLY_MAX);
	out[0] = SOCKS5_VERSION;
	out[1] = (uint8_t)code;
	out[3] = SOCKS5_ATYP_IPV4;
	return SOCKS_REPLY_MAX;
}

/* Name a SOCKS5 reply code. */
const char *
socks_reply_name(int code)
{
	static const char * const names[] = {
		"succeeded", "general failure", "connection not allowed",
		"network unreachable", "host unreachable",
		"connection refused", "TTL expired", "command not supported",
		"address type not supported"
	};

	if (code < 0 || (size_t)code >= sizeof names / sizeof names[0])
		return "unknown";
	return names[code];
}

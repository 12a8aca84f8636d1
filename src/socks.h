/*
 * The SOCKS wire format (RFC 1928 SOCKS5, and SOCKS4/4a): parse what a
 * client sends and write our replies. Pure: no I/O, no allocation. Every
 * byte is the client's and hostile until checked here.
 *
 * A SOCKS5 client sends a greeting (version, methods), we answer with the
 * method, then it sends its request; a SOCKS4 client sends its request at
 * once. jumpgate does CONNECT only, with no authentication.
 */
#ifndef JUMPGATE_SOCKS_H
#define JUMPGATE_SOCKS_H

#include <stddef.h>
#include <stdint.h>

/* The longest name a request carries (a one-byte length, or SOCKS4a's). */
#define SOCKS_NAME_MAX		255
/* Room for a name or any numeric address as text, and its NUL. */
#define SOCKS_HOST_SIZE		(SOCKS_NAME_MAX + 1)
/* The longest reply we write. */
#define SOCKS_REPLY_MAX		10

/* SOCKS5 reply codes (RFC 1928 section 6). */
#define SOCKS5_SUCCEEDED		0x00
#define SOCKS5_GENERAL_FAILURE		0x01
#define SOCKS5_NOT_ALLOWED		0x02
#define SOCKS5_NETWORK_UNREACHABLE	0x03
#define SOCKS5_HOST_UNREACHABLE		0x04
#define SOCKS5_CONNECTION_REFUSED	0x05
#define SOCKS5_TTL_EXPIRED		0x06
#define SOCKS5_COMMAND_NOT_SUPPORTED	0x07
#define SOCKS5_ADDRESS_NOT_SUPPORTED	0x08
/* No reply at all: the client does not speak SOCKS, just close. */
#define SOCKS_NO_REPLY			(-1)

enum socks_parse {
	SOCKS_MORE,		/* incomplete: wait for more bytes */
	SOCKS_DONE,		/* complete: *used bytes parsed */
	SOCKS_BAD		/* refused: answer reply (or none), close */
};

/* What a greeting said. */
struct socks_greeting {
	int		 version;	/* 4 (no greeting: a request) or 5 */
	size_t		 used;		/* bytes of the greeting */
	int		 reply;		/* SOCKS_BAD: code, or SOCKS_NO_REPLY */
	const char	*why;		/* SOCKS_BAD: for the log */
};

/* What a request asked for. */
struct socks_request {
	int		 version;
	size_t		 used;		/* bytes of the request */
	int		 is_name;	/* host is a name, not an address */
	char		 host[SOCKS_HOST_SIZE]; /* lower case, or numeric */
	int		 port;
	int		 reply;		/* SOCKS_BAD: code, or SOCKS_NO_REPLY */
	const char	*why;		/* SOCKS_BAD: for the log */
};

/*
 * Parse the LEN bytes at BUF as the start of a conversation: a SOCKS5
 * greeting offering the no-authentication method, or (version 4) nothing
 * (the request follows at once, used 0).
 */
enum socks_parse socks_parse_greeting(const uint8_t *buf, size_t len,
		    struct socks_greeting *);
/* Parse the LEN bytes at BUF as a CONNECT request of VERSION (4 or 5). */
enum socks_parse socks_parse_request(const uint8_t *buf, size_t len,
		    int version, struct socks_request *);
/* Write the method choice for a greeting (0xff: none acceptable). */
size_t		 socks_method_reply(uint8_t *out, int acceptable);
/*
 * Write the reply to a request of VERSION with SOCKS5 code CODE (SOCKS4
 * knows only granted and rejected) and an unspecified bound address.
 * Returns its length, at most SOCKS_REPLY_MAX.
 */
size_t		 socks_reply(uint8_t *out, int version, int code);
/* Name a SOCKS5 reply code, for the log. */
const char	*socks_reply_name(int code);

#endif

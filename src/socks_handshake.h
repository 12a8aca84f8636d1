/*
 * One client's SOCKS handshake, before its channel is opened: feeds what
 * the client sent to the parser (socks.h), answers the greeting, checks
 * the request against the tunnel's allow-list and writes the final reply
 * once the channel opened or failed. No sockets: the caller moves bytes
 * between the client and the two buffers, and owns the timeout.
 */
#ifndef JUMPGATE_SOCKS_HANDSHAKE_H
#define JUMPGATE_SOCKS_HANDSHAKE_H

#include "hop.h"
#include "socks.h"

struct allow_list;
struct evbuffer;

enum socks_step {
	SOCKS_STEP_WAIT,	/* more bytes needed */
	SOCKS_STEP_CONNECT,	/* allowed: open a channel to host:port */
	SOCKS_STEP_REFUSE	/* refusal (if any) written: close, see why */
};

struct socks_handshake {
	int			 version;	/* 0 until the greeting */
	struct socks_request	 request;	/* CONNECT: host and port */
	int			 reply;		/* REFUSE: code sent, or none */
	char			 why[SOCKS_HOST_SIZE + 128]; /* REFUSE */
};

void		 socks_handshake_init(struct socks_handshake *);
/*
 * Take what IN holds (only the handshake's bytes: what the client sent
 * after its request stays for the channel), write answers to OUT.
 */
enum socks_step	 socks_handshake_feed(struct socks_handshake *,
		    struct evbuffer *in, struct evbuffer *out,
		    const struct allow_list *);
/* Write the reply to the request: CODE is a SOCKS5 code. */
void		 socks_handshake_reply(const struct socks_handshake *,
		    struct evbuffer *out, int code);
/* The SOCKS5 reply code for a channel that failed to open. */
int		 socks_reply_for_open_error(enum hop_open_error);

#endif

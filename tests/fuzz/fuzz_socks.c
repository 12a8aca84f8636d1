/*
 * Fuzz target for the SOCKS handshake (socks_handshake_feed, with the
 * parser of socks.c and the allow-list of allow.c): byte 0 picks how many
 * bytes arrive at a time (bits 0-5: 1 to 64), the rest is what a client
 * sends. The bytes are fed whole, then piece by piece as a socket would
 * deliver them, until the handshake is done. Besides the sanitizers, it
 * checks that both end the same way (step, reply code, destination,
 * answer bytes, bytes left for the channel); that a destination to
 * connect to is allowed, non-empty, of name characters only, with a port
 * of 16 bits; that the answer is at most a method choice and a reply; and
 * that the same bytes, as allow-list text, parse or are refused with a
 * reason, and match without trouble.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "allow.h"
#include "socks_handshake.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The allow-list the handshakes are checked against. */
#define FUZZ_SOCKS_ALLOW \
	"*.internal:5432, db-?.prod:1-1024, 10.0.0.0/8:443, [fd00::/8]:*, " \
	"127.0.0.1:80"

/* Report a broken contract and stop: libFuzzer keeps the input. */
static void
fuzz_socks_fail(const char *what)
{
	fprintf(stderr, "fuzz_socks: %s\n", what);
	abort();
}

/* How one run of a handshake ended. */
struct fuzz_socks_end {
	enum socks_step		 step;
	struct socks_handshake	 hs;
	uint8_t			 answer[64];
	size_t			 answer_len;
	size_t			 left;		/* input not taken */
};

/* Feed DATA (LEN bytes) PIECE bytes at a time (0: whole) into END. */
static void
fuzz_socks_run(const uint8_t *data, size_t len, size_t piece,
    const struct allow_list *allow, struct fuzz_socks_end *end)
{
	struct evbuffer	*in = evbuffer_new(), *out = evbuffer_new();
	size_t		 off = 0, n;

	if (in == NULL || out == NULL)
		fuzz_socks_fail("out of memory");
	memset(end, 0, sizeof *end);
	socks_handshake_init(&end->hs);
	end->step = SOCKS_STEP_WAIT;
	do {
		n = piece == 0 || len - off < piece ? len - off : piece;
		evbuffer_add(in, data + off, n);
		off += n;
		end->step = socks_handshake_feed(&end->hs, in, out, allow);
	} while (end->step == SOCKS_STEP_WAIT && off < len);
	end->answer_len = evbuffer_get_length(out);
	if (end->answer_len > 2 + SOCKS_REPLY_MAX)
		fuzz_socks_fail("answer longer than a method and a reply");
	evbuffer_remove(out, end->answer, end->answer_len);
	end->left = evbuffer_get_length(in) + (len - off);
	evbuffer_free(in);
	evbuffer_free(out);
}

/* Check a destination the handshake would connect to. */
static void
fuzz_socks_check_connect(const struct socks_request *r,
    const struct allow_list *allow)
{
	const char	*p;

	if (r->host[0] == '\0')
		fuzz_socks_fail("empty destination");
	for (p = r->host; *p != '\0'; p++) {
		if (strchr("abcdefghijklmnopqrstuvwxyz0123456789-._:", *p) ==
		    NULL)
			fuzz_socks_fail("destination with a byte no name has");
	}
	if (r->port < 0 || r->port > 65535)
		fuzz_socks_fail("port out of range");
	if (!allow_match(allow, r->host, r->port))
		fuzz_socks_fail("connecting to a destination not allowed");
}

/* Parse DATA as allow-list text and match a few destinations with it. */
static void
fuzz_socks_allow_text(const uint8_t *data, size_t len)
{
	struct allow_list	*list;
	char			*text, *error = NULL;

	if ((text = malloc(len + 1)) == NULL)
		fuzz_socks_fail("out of memory");
	memcpy(text, data, len);
	text[len] = '\0';
	list = allow_parse(text, &error);
	if ((list == NULL) == (error == NULL))
		fuzz_socks_fail("allow_parse: a list and an error, or neither");
	if (list != NULL) {
		if (list->nrules == 0)
			fuzz_socks_fail("allow_parse: an empty list accepted");
		(void)allow_match(list, "db-1.prod", 80);
		(void)allow_match(list, "10.1.2.3", 443);
		(void)allow_match(list, "::ffff:10.1.2.3", 443);
		(void)allow_match(list, "fd00::1", 1);
	}
	allow_free(list);
	free(error);
	free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct allow_list	*allow;
	struct fuzz_socks_end		 whole, pieces;
	char				*error;

	if (allow == NULL && (allow = allow_parse(FUZZ_SOCKS_ALLOW,
	    &error)) == NULL)
		fuzz_socks_fail("the target's own allow-list is refused");
	if (size < 1)
		return 0;
	fuzz_socks_run(data + 1, size - 1, 0, allow, &whole);
	fuzz_socks_run(data + 1, size - 1, 1 + (data[0] & 0x3f), allow,
	    &pieces);
	if (whole.step != pieces.step)
		fuzz_socks_fail("whole and in pieces end in different steps");
	if (whole.answer_len != pieces.answer_len ||
	    memcmp(whole.answer, pieces.answer, whole.answer_len) != 0)
		fuzz_socks_fail("whole and in pieces answer differently");
	if (whole.step == SOCKS_STEP_REFUSE &&
	    (whole.hs.reply != pieces.hs.reply ||
	    strcmp(whole.hs.why, pieces.hs.why) != 0 || whole.hs.why[0] == '\0'))
		fuzz_socks_fail("refusals differ, or one gives no reason");
	if (whole.step == SOCKS_STEP_CONNECT) {
		if (strcmp(whole.hs.request.host, pieces.hs.request.host) != 0 ||
		    whole.hs.request.port != pieces.hs.request.port ||
		    whole.left != pieces.left)
			fuzz_socks_fail("whole and in pieces connect differently");
		fuzz_socks_check_connect(&whole.hs.request, allow);
	}
	fuzz_socks_allow_text(data + 1, size - 1);
	return 0;
}

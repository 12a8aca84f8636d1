/* The unauthenticated start of an SSH connection: see handshake.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "handshake.h"
#include "hostsig.h"
#include "kexinit.h"
#include "wire.h"
#include "vis.h"
#include "xmalloc.h"

#define HANDSHAKE_VERSION	"SSH-2.0-jumpgate_" PACKAGE_VERSION

/* Message numbers (RFC 4250 §4.1, RFC 5656 §7.1). */
#define MSG_DISCONNECT		1
#define MSG_IGNORE		2
#define MSG_UNIMPLEMENTED	3
#define MSG_DEBUG		4
#define MSG_KEX_ECDH_INIT	30
#define MSG_KEX_ECDH_REPLY	31
#define DISCONNECT_BY_APPLICATION 11

#define HANDSHAKE_MAX_POINT	256
#define HANDSHAKE_MAX_SECRET	128

enum handshake_state {
	HS_BANNER,
	HS_KEXINIT,
	HS_REPLY,
	HS_DONE,
	HS_FAILED
};

/* Key exchanges this scanner speaks, in its order of preference. */
static const struct handshake_kex {
	const char	*name;
	const char	*group;		/* NULL: X25519 */
	const char	*digest;
} handshake_kexes[] = {
	{ "curve25519-sha256", NULL, "SHA256" },
	{ "curve25519-sha256@libssh.org", NULL, "SHA256" },
	{ "ecdh-sha2-nistp256", "P-256", "SHA256" },
	{ "ecdh-sha2-nistp384", "P-384", "SHA384" },
	{ "ecdh-sha2-nistp521", "P-521", "SHA512" },
};
#define HANDSHAKE_NKEXES (sizeof handshake_kexes / sizeof handshake_kexes[0])

struct handshake {
	enum handshake_state	 state;
	int			 scan;
	char			*hostkey_alg;
	char			 server_version[WIRE_MAX_BANNER + 1];
	int			 have_version;
	struct wire_buf		 in;
	size_t			 in_off;	/* consumed bytes of in */
	struct wire_buf		 out;
	struct kexinit		 server;
	int			 have_kexinit;
	struct wire_buf		 client_kexinit;
	const struct handshake_kex *kex;
	EVP_PKEY		*ephemeral;
	unsigned char		 qc[HANDSHAKE_MAX_POINT];
	size_t			 qclen;
	int			 skip_guess;
	unsigned char		*hostkey;
	size_t			 hostkeylen;
	char			 error[512];
};

/* Fail with a message. */
static void __attribute__((format(printf, 2, 3)))
handshake_fail(struct handshake *h, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(h->error, sizeof h->error, fmt, ap);
	va_end(ap);
	h->state = HS_FAILED;
}

/* Queue SSH_MSG_DISCONNECT: allowed at any time, even before NEWKEYS. */
static void
handshake_disconnect(struct handshake *h)
{
	struct wire_buf	p = { 0 };

	wire_put_u8(&p, MSG_DISCONNECT);
	wire_put_u32(&p, DISCONNECT_BY_APPLICATION);
	wire_put_cstring(&p, "host key scan done");
	wire_put_cstring(&p, "");
	wire_packet(&h->out, &p);
	wire_buf_free(&p);
}

/* Start a handshake, see handshake.h. */
struct handshake *
handshake_new(int scan, const char *hostkey_alg)
{
	struct handshake	*h = xcalloc(1, sizeof *h);

	h->scan = scan;
	if (hostkey_alg != NULL)
		h->hostkey_alg = xstrdup(hostkey_alg);
	wire_put(&h->out, HANDSHAKE_VERSION "\r\n",
	    strlen(HANDSHAKE_VERSION "\r\n"));
	return h;
}

/* Free a handshake and wipe its secrets. */
void
handshake_free(struct handshake *h)
{
	if (h == NULL)
		return;
	wire_buf_free(&h->in);
	wire_buf_free(&h->out);
	wire_buf_free(&h->client_kexinit);
	kexinit_clear(&h->server);
	EVP_PKEY_free(h->ephemeral);
	free(h->hostkey_alg);
	free(h->hostkey);
	freezero(h, sizeof *h);
}

/* Tell whether the first name of LIST is NAME. */
static int
handshake_first_is(const char *list, const char *name)
{
	size_t	n = strlen(name);

	return strncmp(list, name, n) == 0 &&
	    (list[n] == ',' || list[n] == '\0');
}

/* Build and queue our KEXINIT: one host-key algorithm, the server's own
 * cipher, MAC and compression lists (never used: we stop before NEWKEYS). */
static void
handshake_send_kexinit(struct handshake *h)
{
	struct wire_buf	 kex = { 0 };
	unsigned char	 cookie[KEXINIT_COOKIE_LEN];
	size_t		 i;

	for (i = 0; i < HANDSHAKE_NKEXES; i++) {
		if (i > 0)
			wire_put(&kex, ",", 1);
		wire_put(&kex, handshake_kexes[i].name,
		    strlen(handshake_kexes[i].name));
	}
	if (RAND_bytes(cookie, sizeof cookie) != 1)
		abort();
	wire_put_u8(&h->client_kexinit, KEXINIT_MSG);
	wire_put(&h->client_kexinit, cookie, sizeof cookie);
	wire_put_string(&h->client_kexinit, kex.p, kex.len);
	wire_put_cstring(&h->client_kexinit, h->hostkey_alg);
	for (i = KEXINIT_ENC_CS; i <= KEXINIT_COMP_SC; i++)
		wire_put_cstring(&h->client_kexinit, h->server.lists[i]);
	wire_put_cstring(&h->client_kexinit, "");
	wire_put_cstring(&h->client_kexinit, "");
	wire_put_u8(&h->client_kexinit, 0);
	wire_put_u32(&h->client_kexinit, 0);
	wire_packet(&h->out, &h->client_kexinit);
	wire_buf_free(&kex);
}

/* Make our ephemeral key and queue KEX_ECDH_INIT. Returns 0 or -1. */
static int
handshake_send_ecdh_init(struct handshake *h)
{
	struct wire_buf	p = { 0 };
	size_t		len = sizeof h->qc;
	int		ok;

	if (h->kex->group == NULL) {
		h->ephemeral = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
		ok = h->ephemeral != NULL && EVP_PKEY_get_raw_public_key(
		    h->ephemeral, h->qc, &len) == 1;
	} else {
		h->ephemeral = EVP_PKEY_Q_keygen(NULL, NULL, "EC",
		    h->kex->group);
		ok = h->ephemeral != NULL && EVP_PKEY_get_octet_string_param(
		    h->ephemeral, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, h->qc,
		    sizeof h->qc, &len) == 1;
	}
	if (!ok) {
		handshake_fail(h, "cannot make an ephemeral %s key",
		    h->kex->name);
		return -1;
	}
	h->qclen = len;
	wire_put_u8(&p, MSG_KEX_ECDH_INIT);
	wire_put_string(&p, h->qc, h->qclen);
	wire_packet(&h->out, &p);
	wire_buf_free(&p);
	return 0;
}

/* The server's KEXINIT arrived: choose, then start the key exchange. */
static void
handshake_on_kexinit(struct handshake *h, const unsigned char *payload,
    size_t len)
{
	char		 err[256], *plan[1];
	size_t		 i, n;

	if (kexinit_parse_payload(payload, len, &h->server, err,
	    sizeof err) != 0) {
		handshake_fail(h, "malformed KEXINIT from the server: %s", err);
		return;
	}
	h->have_kexinit = 1;
	if (!h->scan) {
		handshake_disconnect(h);
		h->state = HS_DONE;
		return;
	}
	if (h->hostkey_alg == NULL) {
		n = hostsig_plan(h->server.lists[KEXINIT_HOSTKEY], plan, 1);
		if (n == 0) {
			handshake_fail(h, "the server offers no host key "
			    "algorithm this scanner can verify (it offers "
			    "%s)", h->server.lists[KEXINIT_HOSTKEY]);
			return;
		}
		h->hostkey_alg = plan[0];
	} else if (!wire_namelist_has(h->server.lists[KEXINIT_HOSTKEY],
	    h->hostkey_alg)) {
		handshake_fail(h, "the server no longer offers %s",
		    h->hostkey_alg);
		return;
	}
	for (i = 0; i < HANDSHAKE_NKEXES && h->kex == NULL; i++) {
		if (wire_namelist_has(h->server.lists[KEXINIT_KEX],
		    handshake_kexes[i].name))
			h->kex = &handshake_kexes[i];
	}
	if (h->kex == NULL) {
		handshake_fail(h, "the server offers no key exchange this "
		    "scanner speaks (curve25519-sha256, ecdh-sha2-nistp*): "
		    "kex_algorithms %s", h->server.lists[KEXINIT_KEX]);
		return;
	}
	/* A wrong guess of the server's is ignored (RFC 4253 §7). */
	if (h->server.first_kex_packet_follows)
		h->skip_guess = !handshake_first_is(h->server.lists[KEXINIT_KEX],
		    h->kex->name) || !handshake_first_is(
		    h->server.lists[KEXINIT_HOSTKEY], h->hostkey_alg);
	handshake_send_kexinit(h);
	if (handshake_send_ecdh_init(h) == 0)
		h->state = HS_REPLY;
}

/* The server's ephemeral public key as an EVP_PKEY, or NULL. */
static EVP_PKEY *
handshake_peer_key(const struct handshake *h, const unsigned char *qs,
    size_t qslen)
{
	OSSL_PARAM	 params[3];
	EVP_PKEY_CTX	*ctx;
	EVP_PKEY	*peer = NULL;

	if (h->kex->group == NULL)
		return EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, qs,
		    qslen);
	params[0] = OSSL_PARAM_construct_utf8_string(
	    OSSL_PKEY_PARAM_GROUP_NAME, (char *)h->kex->group, 0);
	params[1] = OSSL_PARAM_construct_octet_string(
	    OSSL_PKEY_PARAM_PUB_KEY, (void *)qs, qslen);
	params[2] = OSSL_PARAM_construct_end();
	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL)
		return NULL;
	if (EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &peer, EVP_PKEY_PUBLIC_KEY, params) != 1)
		peer = NULL;
	EVP_PKEY_CTX_free(ctx);
	return peer;
}

/* Derive the shared secret into K (*KLEN bytes). Returns 0 or -1. */
static int
handshake_derive(struct handshake *h, const unsigned char *qs, size_t qslen,
    unsigned char *k, size_t *klen)
{
	EVP_PKEY	*peer;
	EVP_PKEY_CTX	*ctx = NULL;
	int		 ok;

	if (h->kex->group == NULL && qslen != 32)
		return -1;
	if ((peer = handshake_peer_key(h, qs, qslen)) == NULL)
		return -1;
	ok = (ctx = EVP_PKEY_CTX_new(h->ephemeral, NULL)) != NULL &&
	    EVP_PKEY_derive_init(ctx) == 1 &&
	    EVP_PKEY_derive_set_peer_ex(ctx, peer, 1) == 1 &&
	    EVP_PKEY_derive(ctx, k, klen) == 1;
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(peer);
	return ok ? 0 : -1;
}

/* KEX_ECDH_REPLY arrived: compute H, verify, keep the host key. */
static void
handshake_on_reply(struct handshake *h, const unsigned char *payload,
    size_t len)
{
	struct wire_reader	 r;
	struct wire_buf		 hin = { 0 };
	const unsigned char	*ks, *qs, *sig;
	size_t			 kslen, qslen, siglen, klen;
	unsigned char		 k[HANDSHAKE_MAX_SECRET];
	unsigned char		 hash[EVP_MAX_MD_SIZE];
	unsigned int		 hashlen = 0;
	char			 err[256];
	int			 ok;

	wire_reader_init(&r, payload + 1, len - 1);
	if (wire_get_string(&r, &ks, &kslen) != 0 ||
	    wire_get_string(&r, &qs, &qslen) != 0 ||
	    wire_get_string(&r, &sig, &siglen) != 0 || wire_left(&r) != 0) {
		handshake_fail(h, "malformed KEX_ECDH_REPLY from the server");
		return;
	}
	klen = sizeof k;
	if (handshake_derive(h, qs, qslen, k, &klen) != 0) {
		handshake_fail(h, "the server's %s public key is invalid",
		    h->kex->name);
		return;
	}
	wire_put_cstring(&hin, HANDSHAKE_VERSION);
	wire_put_cstring(&hin, h->server_version);
	wire_put_string(&hin, h->client_kexinit.p, h->client_kexinit.len);
	wire_put_string(&hin, h->server.payload, h->server.payloadlen);
	wire_put_string(&hin, ks, kslen);
	wire_put_string(&hin, h->qc, h->qclen);
	wire_put_string(&hin, qs, qslen);
	wire_put_mpint(&hin, k, klen);
	explicit_bzero(k, sizeof k);
	ok = EVP_Digest(hin.p, hin.len, hash, &hashlen,
	    EVP_get_digestbyname(h->kex->digest), NULL) == 1;
	wire_buf_free(&hin);
	if (!ok) {
		handshake_fail(h, "cannot compute the exchange hash");
		return;
	}
	if (hostsig_verify(h->hostkey_alg, ks, kslen, sig, siglen, hash,
	    hashlen, err, sizeof err) != 0) {
		handshake_fail(h, "%s", err);
		return;
	}
	h->hostkey = xmalloc(kslen);
	memcpy(h->hostkey, ks, kslen);
	h->hostkeylen = kslen;
	handshake_disconnect(h);
	h->state = HS_DONE;
}

/* Handle a packet whose message number is not the one awaited.
 * Returns 1 if it was skipped, 0 if the handshake failed. */
static int
handshake_other(struct handshake *h, const unsigned char *payload,
    size_t len)
{
	struct wire_reader	 r;
	const unsigned char	*desc = NULL;
	size_t			 desclen = 0;
	uint32_t		 reason = 0;
	char			 text[256];

	switch (payload[0]) {
	case MSG_IGNORE:
	case MSG_DEBUG:
		return 1;
	case MSG_DISCONNECT:
		wire_reader_init(&r, payload + 1, len - 1);
		(void)wire_get_u32(&r, &reason);
		(void)wire_get_string(&r, &desc, &desclen);
		(void)vis_text(text, sizeof text, desc, desclen, 0);
		handshake_fail(h, "the server disconnected (reason %u): %s",
		    reason, text);
		return 0;
	case MSG_UNIMPLEMENTED:
		handshake_fail(h, "the server does not understand our "
		    "message (SSH_MSG_UNIMPLEMENTED)");
		return 0;
	}
	handshake_fail(h, "unexpected message %u from the server",
	    payload[0]);
	return 0;
}

/* Take one packet out of the input. Returns 1 if it did, 0 if not. */
static int
handshake_packet(struct handshake *h)
{
	const unsigned char	*payload;
	size_t			 len, used;
	char			 err[256];
	int			 rc;

	rc = wire_frame(h->in.p + h->in_off, h->in.len - h->in_off,
	    &payload, &len, &used, err, sizeof err);
	if (rc == WIRE_MORE)
		return 0;
	if (rc == WIRE_ERROR) {
		handshake_fail(h, "bad packet from the server: %s", err);
		return 0;
	}
	h->in_off += used;
	if (h->state == HS_KEXINIT && payload[0] == KEXINIT_MSG)
		handshake_on_kexinit(h, payload, len);
	else if (h->state == HS_REPLY && h->skip_guess)
		h->skip_guess = 0;
	else if (h->state == HS_REPLY && payload[0] == MSG_KEX_ECDH_REPLY)
		handshake_on_reply(h, payload, len);
	else
		(void)handshake_other(h, payload, len);
	return 1;
}

/* Take bytes from the server and advance. */
enum handshake_status
handshake_input(struct handshake *h, const void *buf, size_t len)
{
	char	err[256];
	size_t	used;
	int	rc;

	if (h->state == HS_DONE || h->state == HS_FAILED)
		return handshake_status(h);
	wire_put(&h->in, buf, len);
	if (h->state == HS_BANNER) {
		rc = wire_banner(h->in.p, h->in.len, h->server_version, &used,
		    err, sizeof err);
		if (rc == WIRE_ERROR)
			handshake_fail(h, "%s", err);
		if (rc != WIRE_OK)
			return handshake_status(h);
		h->have_version = 1;
		h->in_off = used;
		h->state = HS_KEXINIT;
	}
	while (h->state == HS_KEXINIT || h->state == HS_REPLY) {
		if (!handshake_packet(h))
			break;
	}
	/* Drop what was consumed. */
	if (h->in_off > 0) {
		memmove(h->in.p, h->in.p + h->in_off, h->in.len - h->in_off);
		h->in.len -= h->in_off;
		h->in_off = 0;
	}
	return handshake_status(h);
}

/* What to send now. */
const unsigned char *
handshake_output(struct handshake *h, size_t *len)
{
	*len = h->out.len;
	return h->out.p;
}

/* N bytes of the output were sent. */
void
handshake_output_sent(struct handshake *h, size_t n)
{
	if (n > h->out.len)
		n = h->out.len;
	memmove(h->out.p, h->out.p + n, h->out.len - n);
	h->out.len -= n;
}

/* Where the handshake stands. */
enum handshake_status
handshake_status(const struct handshake *h)
{
	if (h->state == HS_DONE)
		return HANDSHAKE_DONE;
	if (h->state == HS_FAILED)
		return HANDSHAKE_FAILED;
	return HANDSHAKE_RUNNING;
}

/* Why it failed. */
const char *
handshake_error(const struct handshake *h)
{
	return h->error;
}

/* The server's version line. */
const char *
handshake_server_version(const struct handshake *h)
{
	return h->have_version ? h->server_version : NULL;
}

/* The server's KEXINIT. */
const struct kexinit *
handshake_server_kexinit(const struct handshake *h)
{
	return h->have_kexinit ? &h->server : NULL;
}

/* The host-key algorithm offered. */
const char *
handshake_hostkey_alg(const struct handshake *h)
{
	return h->hostkey_alg;
}

/* The verified host key blob. */
const unsigned char *
handshake_hostkey(const struct handshake *h, size_t *len)
{
	*len = h->hostkeylen;
	return h->hostkey;
}

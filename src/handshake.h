/*
 * The unauthenticated start of an SSH connection, as a state machine
 * without I/O: feed it the bytes the server sent, send what it has to
 * say. It exchanges version lines and reads the server's KEXINIT; to scan
 * a host key it goes on with one ECDH key exchange (curve25519-sha256 or
 * ecdh-sha2-nistp256/384/521) offering exactly one host-key algorithm,
 * takes the host key from KEX_ECDH_REPLY and verifies the server's
 * signature over the exchange hash. It never sends NEWKEYS and never
 * authenticates: it ends with SSH_MSG_DISCONNECT.
 */
#ifndef JUMPGATE_HANDSHAKE_H
#define JUMPGATE_HANDSHAKE_H

#include <stddef.h>

struct handshake;
struct kexinit;

enum handshake_status {
	HANDSHAKE_RUNNING,	/* feed it more */
	HANDSHAKE_DONE,		/* send the last output, then close */
	HANDSHAKE_FAILED	/* handshake_error says why */
};

/*
 * Start a handshake. HOSTKEY_ALG NULL with SCAN 0: stop after the
 * server's KEXINIT. With SCAN: fetch the key of HOSTKEY_ALG, or with
 * HOSTKEY_ALG NULL of the first algorithm hostsig_plan picks.
 */
struct handshake *handshake_new(int scan, const char *hostkey_alg);
void		 handshake_free(struct handshake *);
/* Take LEN bytes from the server. */
enum handshake_status handshake_input(struct handshake *, const void *,
		    size_t);
/* What to send: *LEN bytes at the returned pointer, then call _sent. */
const unsigned char *handshake_output(struct handshake *, size_t *len);
void		 handshake_output_sent(struct handshake *, size_t);
enum handshake_status handshake_status(const struct handshake *);
const char	*handshake_error(const struct handshake *);

/* Results, valid once they are known (else NULL). */
const char	*handshake_server_version(const struct handshake *);
const struct kexinit *handshake_server_kexinit(const struct handshake *);
const char	*handshake_hostkey_alg(const struct handshake *);
const unsigned char *handshake_hostkey(const struct handshake *, size_t *);

#endif

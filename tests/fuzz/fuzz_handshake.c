/*
 * Fuzz target for the sans-IO handshake of scan and probe (handshake.c,
 * with wire.c, kexinit.c and hostsig.c). The first byte picks what runs:
 *
 * - below 0x80: a handshake; bits 0-2 pick the host-key algorithm to scan
 *   for (7: none, probe mode, stopping after the server's KEXINIT), bits
 *   3-6 seed the sizes of the pieces the server's bytes come in (1 to 64
 *   bytes). The rest of the input is everything the server sends: version
 *   line, KEXINIT, KEX_ECDH_REPLY with host key and signature.
 * - 0x80 and up: hostsig_verify alone; bits 0-2 pick the algorithm, and
 *   the rest is u32 length + key blob, u32 length + signature blob, then
 *   the signed data (the seeds carry real signatures).
 *
 * Besides the sanitizers it checks: the same bytes fed whole and in pieces
 * end in the same status and the same error; an error is non-empty and
 * printable ASCII (whatever the server sent is escaped); the output is
 * never taken beyond what was offered; a verification that succeeds does
 * so for the key type the algorithm signs with.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handshake.h"
#include "hostsig.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *fuzz_algs[] = {
	"ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
	"ecdsa-sha2-nistp521", "rsa-sha2-512", "rsa-sha2-256", "ssh-rsa",
	NULL
};

/* Report a broken contract and stop: libFuzzer keeps the input. */
static void
fuzz_handshake_fail(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_handshake: %s: %s\n", what,
	    detail != NULL ? detail : "(null)");
	abort();
}

/* Fail unless S is non-empty printable ASCII. */
static void
fuzz_handshake_printable(const char *s)
{
	const unsigned char	*p;

	if (s == NULL || *s == '\0')
		fuzz_handshake_fail("a failure without a reason", s);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p < 0x20 || *p >= 0x7f)
			fuzz_handshake_fail("an error with a raw byte", s);
	}
}

/* Take all the handshake has to send, as a socket would. */
static void
fuzz_handshake_drain(struct handshake *h)
{
	size_t	len = 0;

	(void)handshake_output(h, &len);
	if (len > 0)
		handshake_output_sent(h, len);
}

/*
 * Run a handshake over DATA, fed in pieces of 1 to 64 bytes drawn from
 * SEED (0: all at once). Returns the final status; *ERROR gets a copy of
 * the error (caller frees) or NULL.
 */
static enum handshake_status
fuzz_handshake_run(const char *alg, const uint8_t *data, size_t size,
    unsigned seed, char **error)
{
	struct handshake	*h = handshake_new(alg != NULL, alg);
	enum handshake_status	 st = HANDSHAKE_RUNNING;
	size_t			 off = 0, n;
	uint32_t		 x = seed * 2654435761u + 1;

	fuzz_handshake_drain(h);
	while (off < size && st == HANDSHAKE_RUNNING) {
		n = size - off;
		if (seed != 0) {
			x = x * 1103515245u + 12345u;
			if (n > (x >> 16) % 64 + 1)
				n = (x >> 16) % 64 + 1;
		}
		st = handshake_input(h, data + off, n);
		off += n;
		fuzz_handshake_drain(h);
	}
	if (st != handshake_status(h))
		fuzz_handshake_fail("status differs from the last input's", "");
	*error = NULL;
	if (st == HANDSHAKE_FAILED) {
		fuzz_handshake_printable(handshake_error(h));
		*error = strdup(handshake_error(h));
	}
	if (st == HANDSHAKE_DONE && handshake_server_version(h) == NULL)
		fuzz_handshake_fail("done without the server's version", "");
	handshake_free(h);
	return st;
}

/* Fuzz the handshake; see the header. */
static void
fuzz_handshake_whole(uint8_t mode, const uint8_t *data, size_t size)
{
	const char		*alg = fuzz_algs[mode & 7];
	enum handshake_status	 whole, pieces;
	char			*e1, *e2;

	whole = fuzz_handshake_run(alg, data, size, 0, &e1);
	pieces = fuzz_handshake_run(alg, data, size, ((mode >> 3) & 15) + 1,
	    &e2);
	if (whole != pieces)
		fuzz_handshake_fail("whole and in pieces end differently",
		    e1 != NULL ? e1 : e2);
	if ((e1 == NULL) != (e2 == NULL) ||
	    (e1 != NULL && strcmp(e1, e2) != 0))
		fuzz_handshake_fail("whole and in pieces fail differently", e1);
	free(e1);
	free(e2);
}

/* Read a u32 length and that many bytes from *DATA; -1 if short. */
static int
fuzz_handshake_take(const uint8_t **data, size_t *size, const uint8_t **out,
    size_t *len)
{
	uint32_t	n;

	if (*size < 4)
		return -1;
	n = (uint32_t)(*data)[0] << 24 | (uint32_t)(*data)[1] << 16 |
	    (uint32_t)(*data)[2] << 8 | (*data)[3];
	if (n > *size - 4)
		return -1;
	*out = *data + 4;
	*len = n;
	*data += 4 + n;
	*size -= 4 + n;
	return 0;
}

/* Fuzz hostsig_verify; see the header. */
static void
fuzz_handshake_verify(uint8_t mode, const uint8_t *data, size_t size)
{
	const char	*alg = fuzz_algs[mode & 7];
	const uint8_t	*key, *sig;
	size_t		 keylen, siglen, typelen;
	char		 err[256] = "";

	if (alg == NULL)
		alg = "ssh-dss";	/* refused, with a reason */
	if (fuzz_handshake_take(&data, &size, &key, &keylen) != 0 ||
	    fuzz_handshake_take(&data, &size, &sig, &siglen) != 0)
		return;
	if (hostsig_verify(alg, key, keylen, sig, siglen, data, size, err,
	    sizeof err) != 0) {
		fuzz_handshake_printable(err);
		return;
	}
	/* Verified: the key blob must be of the type ALG signs with. */
	typelen = strlen(hostsig_key_type(alg));
	if (keylen < 4 + typelen || key[0] != 0 || key[1] != 0 ||
	    key[2] != 0 || key[3] != typelen ||
	    memcmp(key + 4, hostsig_key_type(alg), typelen) != 0)
		fuzz_handshake_fail("verified with a key of another type", alg);
}

/* Fuzz one input. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] & 0x80)
		fuzz_handshake_verify(data[0], data + 1, size - 1);
	else
		fuzz_handshake_whole(data[0], data + 1, size - 1);
	return 0;
}

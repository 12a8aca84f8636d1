/*
 * Host-key algorithms as jumpgate scan sees them: which key type each
 * signature algorithm uses, which ones it can fetch, and verifying the
 * server's signature over the exchange hash (RFC 4253 §8, RFC 5656 §3.1.2,
 * RFC 8709, RFC 8332) so that a scanned key is one the server holds.
 */
#ifndef JUMPGATE_HOSTSIG_H
#define JUMPGATE_HOSTSIG_H

#include <stddef.h>

/*
 * The key type ALG signs with ("rsa-sha2-512" -> "ssh-rsa"), or NULL if
 * this scanner cannot verify ALG's signatures (certificates, security
 * keys, ssh-dss).
 */
const char	*hostsig_key_type(const char *alg);

/*
 * Choose from the server's host-key list one algorithm per key type this
 * scanner can verify, preferring rsa-sha2-512, rsa-sha2-256, then ssh-rsa
 * for RSA keys. Fills ALGS (at most MAX, each a copy the caller frees) and
 * returns their number.
 */
size_t	 hostsig_plan(const char *server_list, char **algs, size_t max);

/*
 * Verify SIG (the signature blob of KEX_ECDH_REPLY) over DATA with the
 * public key KEY (a key blob) under algorithm ALG. Returns 0, or -1 with
 * ERR saying why.
 */
int	 hostsig_verify(const char *alg, const unsigned char *key,
	    size_t keylen, const unsigned char *sig, size_t siglen,
	    const unsigned char *data, size_t datalen, char *err,
	    size_t errlen);

#endif

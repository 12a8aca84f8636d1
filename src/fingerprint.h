/* SHA256 host-key fingerprints in the form ssh-keygen -lf prints. */
#ifndef JUMPGATE_FINGERPRINT_H
#define JUMPGATE_FINGERPRINT_H

#include <stddef.h>

#define FINGERPRINT_HASH_LEN	32
/* "SHA256:" + 43 base64 characters + NUL */
#define FINGERPRINT_TEXT_LEN	(7 + 43 + 1)

struct fingerprint {
	unsigned char	hash[FINGERPRINT_HASH_LEN];
};

/*
 * Parse TEXT ("SHA256:" followed by unpadded base64 of 32 bytes; surrounding
 * whitespace not allowed). Returns 0, or -1 with *CAUSE set to a static
 * string saying what is wrong.
 */
int	fingerprint_parse(const char *text, struct fingerprint *,
	    const char **cause);
/* Hash a public key blob (SSH wire format). */
void	fingerprint_of_blob(const unsigned char *, size_t,
	    struct fingerprint *);
/* Format as "SHA256:..." into OUT (FINGERPRINT_TEXT_LEN bytes). */
void	fingerprint_format(const struct fingerprint *, char *out);
int	fingerprint_equal(const struct fingerprint *,
	    const struct fingerprint *);
/*
 * Read the key type name (e.g. "ssh-ed25519") that starts a key blob into
 * OUT (OUTLEN bytes). Returns 0, or -1 if the blob is malformed.
 */
int	fingerprint_blob_type(const unsigned char *, size_t, char *out,
	    size_t outlen);

#endif

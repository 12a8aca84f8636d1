/*
 * known_hosts files with OpenSSH's semantics, independent of libssh2's
 * looser matching: "[host]:port" names for ports other than 22 (a bare-host
 * entry does not satisfy them), hashed "|1|salt|hash" names, patterns with
 * '*', '?' and '!' negation, @revoked refusing a key, @cert-authority
 * reported as unsupported. A bad line is reported as FILE:LINE and skipped.
 */
#ifndef JUMPGATE_KNOWNHOSTS_H
#define JUMPGATE_KNOWNHOSTS_H

#include <stddef.h>

#define KNOWNHOSTS_MAX_TYPES	8
#define KNOWNHOSTS_TYPE_LEN	64

enum knownhosts_result {
	KNOWNHOSTS_NOTFOUND,	/* no entry for this host with this key type */
	KNOWNHOSTS_MATCH,	/* an entry holds exactly this key */
	KNOWNHOSTS_MISMATCH,	/* entries for host and type, another key */
	KNOWNHOSTS_REVOKED	/* an @revoked entry for host holds this key */
};

struct knownhosts_lookup {
	enum knownhosts_result	result;
	int			line;	/* line that decided, 0 if none */
	/* Distinct key types the file holds for this host, in file order. */
	char			types[KNOWNHOSTS_MAX_TYPES][KNOWNHOSTS_TYPE_LEN];
	size_t			ntypes;
};

/*
 * Look up HOST:PORT in PATH. With BLOB set, decide MATCH, MISMATCH,
 * REVOKED or NOTFOUND for that key (its type is read from the blob); with
 * BLOB NULL, only fill the types. A missing file is NOTFOUND. Bad lines are
 * logged as warnings "PATH:LINE: ..." and skipped. Returns 0, or -1 if the
 * file exists but cannot be read, with *CAUSE (caller frees).
 */
int	knownhosts_check(const char *path, const char *host, int port,
	    const unsigned char *blob, size_t bloblen,
	    struct knownhosts_lookup *, char **cause);

/*
 * Append an entry for HOST:PORT with key BLOB to PATH atomically: a
 * temporary file in the same directory, mode 0600, fsync, rename. Returns 0,
 * or -1 with *CAUSE (caller frees).
 */
int	knownhosts_add(const char *path, const char *host, int port,
	    const unsigned char *blob, size_t bloblen, char **cause);

/* Format the name OpenSSH stores: "host", or "[host]:port" if port != 22. */
void	knownhosts_hostname(const char *host, int port, char *out,
	    size_t outlen);

/*
 * The "|1|salt|hash" form of the name ssh looks up for HOST:PORT (what
 * ssh-keygen -H writes): HMAC-SHA1 of the name keyed by a fresh random
 * 20-byte salt, both base64. Caller frees.
 */
char	*knownhosts_hashed_name(const char *host, int port);

#endif

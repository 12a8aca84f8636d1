/*
 * Host-key policy: decides whether a presented host key is trusted for a
 * hop (pins, known_hosts, strict/tofu/insecure), and which host-key types
 * to ask the server for so that a pinned or known key is the one presented.
 */
#ifndef JUMPGATE_HOSTKEY_H
#define JUMPGATE_HOSTKEY_H

#include <stddef.h>

#include "fingerprint.h"

struct config_hop;

enum hostkey_verdict {
	HOSTKEY_TRUSTED,	/* go on and authenticate */
	HOSTKEY_UNMATCHED,	/* no pin matches this key; another key type
				   of the same server may match */
	HOSTKEY_REFUSED		/* never use this host */
};

struct hostkey_check {
	enum hostkey_verdict	verdict;
	char			fingerprint[FINGERPRINT_TEXT_LEN];
	char			type[64];
	char			*how;	/* why trusted or refused; caller frees */
	int			 insecure; /* trusted only by policy insecure */
};

/*
 * Check BLOB, the key HOP's server presented. Under tofu an unknown key is
 * recorded in the hop's known_hosts file. Fills CHECK; caller frees
 * CHECK->how with hostkey_check_clear.
 */
void	hostkey_verify(const struct config_hop *, const unsigned char *blob,
	    size_t bloblen, struct hostkey_check *);
void	hostkey_check_clear(struct hostkey_check *);

/*
 * The host-key algorithms to offer, most wanted first, leaving out the
 * NEXCLUDED types in EXCLUDED. Returns a comma-separated list (caller
 * frees), or NULL when nothing is left to offer.
 */
/* Return whether known_hosts, not pins, decides which key types to ask. */
int	 hostkey_known_only(const struct config_hop *);

char	*hostkey_preferences(const struct config_hop *,
	    char (*excluded)[64], size_t nexcluded);

#endif

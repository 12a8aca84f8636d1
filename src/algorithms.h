/*
 * Algorithm policy, by name: which key exchange methods, host key
 * algorithms, ciphers and MACs a hop may offer. Lists are checked against
 * what the SSH library supports (hop_library_algorithms) and against a
 * secure policy (no CBC, RC4, 3DES,
 * SHA-1 or MD5 MACs, SHA-1 key exchange, DSA; ssh-rsa only when the hop
 * sets allow_ssh_rsa_sha1).
 */
#ifndef JUMPGATE_ALGORITHMS_H
#define JUMPGATE_ALGORITHMS_H

struct config_hop;

enum algo_kind {
	ALGO_KEX,
	ALGO_HOSTKEY,
	ALGO_CIPHER,
	ALGO_MAC,
	ALGO_NKINDS
};

/* The config key of KIND: "kex", "host_key_algorithms", ... */
const char	*algorithms_key(enum algo_kind);

/*
 * Check LIST, comma-separated names of KIND. Returns 0, or -1 with *CAUSE
 * saying which name is refused, why, and what is allowed (caller frees).
 */
int	 algorithms_check(enum algo_kind, const char *list, int allow_rsa,
	    char **cause);

/* How the policy treats an algorithm a server offers. */
enum algo_verdict {
	ALGO_DEFAULT,		/* a hop offers it by default */
	ALGO_IF_CONFIGURED,	/* allowed, if the hop lists it (its kind's key) */
	ALGO_IF_RSA_ALLOWED,	/* ssh-rsa: only with allow_ssh_rsa_sha1 = yes */
	ALGO_REFUSED,		/* no setting allows it */
	ALGO_UNSUPPORTED	/* the linked libssh2 does not speak it */
};

/*
 * The list a hop offers for KIND when it does not set the kind's key, most
 * wanted first (host key algorithms in the order hops offer them), with
 * ALLOW_RSA its allow_ssh_rsa_sha1. Caller frees.
 */
char	*algorithms_default(enum algo_kind, int allow_rsa);

/*
 * How the policy treats NAME of KIND. For ALGO_REFUSED and
 * ALGO_IF_RSA_ALLOWED, *WHY says why it is left out (static); else NULL.
 */
enum algo_verdict algorithms_verdict(enum algo_kind, const char *name,
	    const char **why);

/* Return whether host key algorithm TYPE may be offered for HOP. */
int	 algorithms_hostkey_allowed(const struct config_hop *, const char *);

/* Return the list HOP offers for KIND: its own, or the default. Caller frees. */
char	*algorithms_offer(const struct config_hop *, enum algo_kind);

#endif

/*
 * Algorithm policy by name: validate per-hop lists, say what a hop offers.
 * What the SSH library speaks comes from hop_library_algorithms; applying
 * the lists to a session and explaining a failed handshake is
 * hop_algorithms.c's part.
 */
#include <stdlib.h>
#include <string.h>

#include "algorithms.h"
#include "config.h"
#include "hop.h"
#include "log.h"
#include "wire.h"
#include "xmalloc.h"

static const char *algorithms_keys[ALGO_NKINDS] = {
	"kex", "host_key_algorithms", "ciphers", "macs"
};
static const char *algorithms_what[ALGO_NKINDS] = {
	"key exchange method", "host key algorithm", "cipher", "MAC"
};

/*
 * Host key algorithms in the order hops offer them: ssh-ed25519 first; RSA
 * keys as rsa-sha2-512 and rsa-sha2-256; ssh-rsa (SHA-1 signatures) last,
 * and only for a hop with allow_ssh_rsa_sha1.
 */
static const char *algorithms_hostkey_order[] = {
	"ssh-ed25519",
	"ecdsa-sha2-nistp256",
	"ecdsa-sha2-nistp384",
	"ecdsa-sha2-nistp521",
	"rsa-sha2-512",
	"rsa-sha2-256",
	"ssh-rsa",
};
#define ALGORITHMS_NHOSTKEY \
	(sizeof algorithms_hostkey_order / sizeof algorithms_hostkey_order[0])

/*
 * Ciphers and MACs a hop prefers, before the rest in libssh2's order: by
 * measured cost (libssh2/README.md, docs/benchmarks.md). With libssh2
 * patches 0001 and 0003, ChaCha20-Poly1305 and AES-GCM cost about the
 * same per GiB (within 10%), AES-CTR with HMAC-SHA-2 twice as much.
 * ChaCha20 goes first, as in OpenSSH: constant time in software on CPUs
 * without AES instructions, where AES-GCM is slow. EtM MACs first: they
 * authenticate what was sent.
 */
static const char *algorithms_cipher_order[] = {
	"chacha20-poly1305@openssh.com",
	"aes256-gcm@openssh.com",
	"aes128-gcm@openssh.com",
	NULL
};
static const char *algorithms_mac_order[] = {
	"hmac-sha2-256-etm@openssh.com",
	"hmac-sha2-512-etm@openssh.com",
	NULL
};

/* Return the config key of KIND. */
const char *
algorithms_key(enum algo_kind kind)
{
	return algorithms_keys[kind];
}

/*
 * Say why NAME of KIND is refused by policy, or NULL if it is not. ssh-rsa
 * is refused unless ALLOW_RSA.
 */
static const char *
algorithms_weak(enum algo_kind kind, const char *name, int allow_rsa)
{
	switch (kind) {
	case ALGO_KEX:
		if (strcmp(name, "diffie-hellman-group1-sha1") == 0)
			return "a 1024-bit group with SHA-1";
		if (strlen(name) > 5 &&
		    strcmp(name + strlen(name) - 5, "-sha1") == 0)
			return "a SHA-1 key exchange";
		break;
	case ALGO_HOSTKEY:
		if (strcmp(name, "ssh-dss") == 0)
			return "DSA, broken and removed from OpenSSH";
		if (strcmp(name, "ssh-rsa") == 0 && !allow_rsa)
			return "signed with SHA-1; allowed only with "
			    "allow_ssh_rsa_sha1 = yes, for a legacy server";
		if (strstr(name, "-cert-v01@openssh.com") != NULL)
			return "a certificate, which jumpgate does not verify";
		break;
	case ALGO_CIPHER:
		if (strstr(name, "cbc") != NULL)
			return "a CBC cipher";
		if (strncmp(name, "arcfour", 7) == 0)
			return "RC4, broken";
		if (strncmp(name, "3des", 4) == 0 ||
		    strncmp(name, "blowfish", 8) == 0 ||
		    strncmp(name, "cast", 4) == 0)
			return "a 64-bit block cipher";
		if (strcmp(name, "none") == 0)
			return "no encryption";
		break;
	case ALGO_MAC:
		if (strncmp(name, "hmac-sha1", 9) == 0)
			return "a SHA-1 MAC";
		if (strncmp(name, "hmac-md5", 8) == 0)
			return "an MD5 MAC";
		if (strncmp(name, "hmac-ripemd", 11) == 0)
			return "a RIPEMD-160 MAC";
		if (strcmp(name, "none") == 0)
			return "no integrity protection";
		break;
	case ALGO_NKINDS:
		break;
	}
	return NULL;
}

/*
 * Say why NAME of KIND, allowed, is left out of the defaults, or NULL.
 * In group exchange the server picks the modulus: one of 16,384 bits
 * makes libssh2 spend seconds in the modular exponentiation, on the one
 * event loop, before any host key is checked.
 */
static const char *
algorithms_opt_in(enum algo_kind kind, const char *name)
{
	if (kind == ALGO_KEX &&
	    strncmp(name, "diffie-hellman-group-exchange-", 30) == 0)
		return "the server picks the group size, and a huge one "
		    "freezes every tunnel for seconds before its host key is "
		    "checked";
	return NULL;
}

/* Append NAME to the comma-separated list *LIST. */
static void
algorithms_append(char **list, const char *name)
{
	char	*out;

	xasprintf(&out, "%s%s%s", *list, **list != '\0' ? "," : "", name);
	free(*list);
	*list = out;
}

/*
 * The supported names of KIND the policy allows, most wanted first; with
 * DEFAULTS_ONLY, without those a hop offers only when configured (the
 * default list). Host key algorithms in the order hops offer them;
 * ciphers and MACs the preferred ones first, then the rest in libssh2's
 * order; key exchange in libssh2's order. Caller frees.
 */
static char *
algorithms_allowed(enum algo_kind kind, int allow_rsa, int defaults_only)
{
	const char	*type, **first;
	char		*copy, *next, *name, *list;
	size_t		 i;

	list = xstrdup("");
	if (kind == ALGO_HOSTKEY) {
		for (i = 0; i < ALGORITHMS_NHOSTKEY; i++) {
			type = algorithms_hostkey_order[i];
			if (wire_namelist_has(hop_library_algorithms(kind), type) &&
			    algorithms_weak(kind, type, allow_rsa) == NULL)
				algorithms_append(&list, type);
		}
		return list;
	}
	first = kind == ALGO_CIPHER ? algorithms_cipher_order :
	    kind == ALGO_MAC ? algorithms_mac_order : NULL;
	for (i = 0; first != NULL && first[i] != NULL; i++)
		if (wire_namelist_has(hop_library_algorithms(kind), first[i]) &&
		    algorithms_weak(kind, first[i], allow_rsa) == NULL)
			algorithms_append(&list, first[i]);
	copy = next = xstrdup(hop_library_algorithms(kind));
	while ((name = strsep(&next, ",")) != NULL) {
		if (*name == '\0' || algorithms_weak(kind, name, allow_rsa))
			continue;
		if (defaults_only && algorithms_opt_in(kind, name) != NULL)
			continue;
		if (!wire_namelist_has(list, name))
			algorithms_append(&list, name);
	}
	free(copy);
	return list;
}

/* Return the list a hop offers for KIND by default; see algorithms.h. */
char *
algorithms_default(enum algo_kind kind, int allow_rsa)
{
	return algorithms_allowed(kind, allow_rsa, 1);
}

/* Say how the policy treats NAME of KIND; see algorithms.h. */
enum algo_verdict
algorithms_verdict(enum algo_kind kind, const char *name, const char **why)
{
	char	*list;
	int	 listed;

	*why = NULL;
	if (!wire_namelist_has(hop_library_algorithms(kind), name))
		return ALGO_UNSUPPORTED;
	list = algorithms_allowed(kind, 0, 1);
	listed = wire_namelist_has(list, name);
	free(list);
	if (listed)
		return ALGO_DEFAULT;
	if ((*why = algorithms_weak(kind, name, 1)) != NULL)
		return ALGO_REFUSED;
	if ((*why = algorithms_weak(kind, name, 0)) != NULL)
		return ALGO_IF_RSA_ALLOWED;
	if ((*why = algorithms_opt_in(kind, name)) != NULL)
		return ALGO_IF_CONFIGURED;
	list = algorithms_allowed(kind, 1, 0);
	listed = wire_namelist_has(list, name);
	free(list);
	if (!listed) {
		*why = "not a host key type hops offer";
		return ALGO_REFUSED;
	}
	return ALGO_IF_CONFIGURED;
}

/* Check a list of KIND; see algorithms.h. */
int
algorithms_check(enum algo_kind kind, const char *list, int allow_rsa,
    char **cause)
{
	char		*copy, *next, *name, *allowed;
	const char	*why;
	int		 rc = 0;

	allowed = algorithms_allowed(kind, allow_rsa, 0);
	copy = next = xstrdup(list);
	while ((name = strsep(&next, ",")) != NULL) {
		if (*name == '\0') {
			xasprintf(cause, "%s '%s' has an empty name: separate "
			    "names with single commas, no spaces",
			    algorithms_keys[kind], list);
			rc = -1;
			break;
		}
		if ((why = algorithms_weak(kind, name, allow_rsa)) != NULL) {
			xasprintf(cause, "%s: '%s' is refused (%s); use some "
			    "of %s, or leave %s out for the secure default",
			    algorithms_keys[kind], name, why, allowed,
			    algorithms_keys[kind]);
			rc = -1;
			break;
		}
		if (!wire_namelist_has(hop_library_algorithms(kind), name)) {
			xasprintf(cause, "%s: unknown %s '%s' (libssh2 %s "
			    "does not support it); use some of %s, or leave %s "
			    "out for the secure default", algorithms_keys[kind],
			    algorithms_what[kind], name, hop_library_version(),
			    allowed, algorithms_keys[kind]);
			rc = -1;
			break;
		}
	}
	free(copy);
	free(allowed);
	return rc;
}

/* Return the list a hop configured for KIND, or NULL. */
static const char *
algorithms_configured(const struct config_hop *hop, enum algo_kind kind)
{
	switch (kind) {
	case ALGO_KEX:
		return hop->kex;
	case ALGO_HOSTKEY:
		return hop->host_key_algorithms;
	case ALGO_CIPHER:
		return hop->ciphers;
	case ALGO_MAC:
		return hop->macs;
	case ALGO_NKINDS:
		break;
	}
	return NULL;
}

/* Return the list offered for KIND: the hop's, or the default. */
char *
algorithms_offer(const struct config_hop *hop, enum algo_kind kind)
{
	const char	*list = algorithms_configured(hop, kind);

	if (list != NULL)
		return xstrdup(list);
	return algorithms_allowed(kind, hop->allow_ssh_rsa_sha1, 1);
}

/* Tell whether host key algorithm TYPE may be offered for HOP. */
int
algorithms_hostkey_allowed(const struct config_hop *hop, const char *type)
{
	if (algorithms_weak(ALGO_HOSTKEY, type, hop->allow_ssh_rsa_sha1))
		return 0;
	if (hop->host_key_algorithms != NULL)
		return wire_namelist_has(hop->host_key_algorithms, type);
	return 1;
}

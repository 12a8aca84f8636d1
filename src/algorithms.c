/* Algorithm policy: validate per-hop lists, apply them, explain failures. */
#include <stdlib.h>
#include <string.h>

#include <libssh2.h>

#include "algorithms.h"
#include "config.h"
#include "log.h"
#include "wire.h"
#include "xmalloc.h"

static const char *algorithms_keys[ALGO_NKINDS] = {
	"kex", "host_key_algorithms", "ciphers", "macs"
};
static const char *algorithms_what[ALGO_NKINDS] = {
	"key exchange method", "host key algorithm", "cipher", "MAC"
};
static const int algorithms_method[ALGO_NKINDS] = {
	LIBSSH2_METHOD_KEX, LIBSSH2_METHOD_HOSTKEY, LIBSSH2_METHOD_CRYPT_CS,
	LIBSSH2_METHOD_MAC_CS
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

/* What the linked libssh2 supports, comma-separated; filled once. */
static char	*algorithms_supported[ALGO_NKINDS];

/* Return the config key of KIND. */
const char *
algorithms_key(enum algo_kind kind)
{
	return algorithms_keys[kind];
}

/*
 * Return whether NAME, listed by libssh2 as a key exchange method, is a
 * protocol extension it always sends (ext-info-c for server-sig-algs,
 * strict key exchange) rather than a method to choose.
 */
static int
algorithms_kex_extension(const char *name)
{
	return strcmp(name, "ext-info-c") == 0 ||
	    strncmp(name, "kex-strict-", 11) == 0;
}

/* Ask libssh2, once, which algorithms of every kind it supports. */
static void
algorithms_load(void)
{
	LIBSSH2_SESSION	 *session;
	const char	**algs;
	char		 *list, *next;
	int		  i, n, kind;

	if (algorithms_supported[0] != NULL)
		return;
	if ((session = libssh2_session_init()) == NULL)
		fatal("cannot create an SSH session to list algorithms");
	for (kind = 0; kind < ALGO_NKINDS; kind++) {
		list = xstrdup("");
		n = libssh2_session_supported_algs(session,
		    algorithms_method[kind], &algs);
		for (i = 0; i < n; i++) {
			if (kind == ALGO_KEX && algorithms_kex_extension(algs[i]))
				continue;
			xasprintf(&next, "%s%s%s", list, *list ? "," : "",
			    algs[i]);
			free(list);
			list = next;
		}
		if (n > 0)
			libssh2_free(session, algs);
		algorithms_supported[kind] = list;
	}
	libssh2_session_free(session);
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
 * default list). Host key algorithms in the order hops offer them, others
 * in libssh2's order. Caller frees.
 */
static char *
algorithms_allowed(enum algo_kind kind, int allow_rsa, int defaults_only)
{
	const char	*type;
	char		*copy, *next, *name, *list;
	size_t		 i;

	algorithms_load();
	list = xstrdup("");
	if (kind == ALGO_HOSTKEY) {
		for (i = 0; i < ALGORITHMS_NHOSTKEY; i++) {
			type = algorithms_hostkey_order[i];
			if (wire_namelist_has(algorithms_supported[kind], type) &&
			    algorithms_weak(kind, type, allow_rsa) == NULL)
				algorithms_append(&list, type);
		}
		return list;
	}
	copy = next = xstrdup(algorithms_supported[kind]);
	while ((name = strsep(&next, ",")) != NULL) {
		if (*name == '\0' || algorithms_weak(kind, name, allow_rsa))
			continue;
		if (defaults_only && algorithms_opt_in(kind, name) != NULL)
			continue;
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
	algorithms_load();
	if (!wire_namelist_has(algorithms_supported[kind], name))
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

	algorithms_load();
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
		if (!wire_namelist_has(algorithms_supported[kind], name)) {
			xasprintf(cause, "%s: unknown %s '%s' (libssh2 %s "
			    "does not support it); use some of %s, or leave %s "
			    "out for the secure default", algorithms_keys[kind],
			    algorithms_what[kind], name, libssh2_version(0),
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
static char *
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

/* Set one method preference; returns 0 or -1 with *CAUSE. */
static int
algorithms_pref(LIBSSH2_SESSION *session, int method, enum algo_kind kind,
    const char *list, char **cause)
{
	if (libssh2_session_method_pref(session, method, list) == 0)
		return 0;
	xasprintf(cause, "libssh2 %s accepts none of the %s %s",
	    libssh2_version(0), algorithms_keys[kind], list);
	return -1;
}

/* Apply a hop's KEX, cipher and MAC lists to SESSION; see algorithms.h. */
int
algorithms_apply(LIBSSH2_SESSION *session, const struct config_hop *hop,
    char **cause)
{
	char	*kex, *ciphers, *macs;
	int	 rc;

	kex = algorithms_offer(hop, ALGO_KEX);
	ciphers = algorithms_offer(hop, ALGO_CIPHER);
	macs = algorithms_offer(hop, ALGO_MAC);
	rc = algorithms_pref(session, LIBSSH2_METHOD_KEX, ALGO_KEX, kex,
	    cause);
	if (rc == 0)
		rc = algorithms_pref(session, LIBSSH2_METHOD_CRYPT_CS,
		    ALGO_CIPHER, ciphers, cause);
	if (rc == 0)
		rc = algorithms_pref(session, LIBSSH2_METHOD_CRYPT_SC,
		    ALGO_CIPHER, ciphers, cause);
	if (rc == 0)
		rc = algorithms_pref(session, LIBSSH2_METHOD_MAC_CS, ALGO_MAC,
		    macs, cause);
	if (rc == 0)
		rc = algorithms_pref(session, LIBSSH2_METHOD_MAC_SC, ALGO_MAC,
		    macs, cause);
	free(kex);
	free(ciphers);
	free(macs);
	return rc;
}

/* Return what SESSION negotiated for METHOD, or NULL. */
static const char *
algorithms_negotiated(LIBSSH2_SESSION *session, int method)
{
	return libssh2_session_methods(session, method);
}

/*
 * Explain a failed key exchange. libssh2 (1.11.1 too) only says "Unable
 * to exchange encryption keys", but agrees on the lists in a fixed order (key
 * exchange with host key, then ciphers, then MACs) and keeps what it agreed
 * on: the first kind left unset is the one without a common algorithm.
 */
char *
algorithms_explain(LIBSSH2_SESSION *session, const struct config_hop *hop,
    const char *hostkeys_offered, int known_only)
{
	char		*offered, *offered2, *msg = NULL;
	const char	*how;

	if (libssh2_session_last_errno(session) != LIBSSH2_ERROR_KEX_FAILURE)
		return NULL;
	if (algorithms_negotiated(session, LIBSSH2_METHOD_KEX) == NULL &&
	    known_only) {
		offered = algorithms_offer(hop, ALGO_KEX);
		xasprintf(&msg, "host key REFUSED or no key exchange in common: "
		    "%s lists this host only with %s keys and the server "
		    "offers no key of those types (or none of the key "
		    "exchange methods %s); if its host keys changed, this may "
		    "be a man in the middle: check them out of band with "
		    "'jumpgate scan %s:%d' before you change %s",
		    hop->known_hosts, hostkeys_offered, offered, hop->host,
		    hop->port, hop->known_hosts);
		free(offered);
		return msg;
	}
	if (algorithms_negotiated(session, LIBSSH2_METHOD_KEX) == NULL) {
		offered = algorithms_offer(hop, ALGO_KEX);
		xasprintf(&msg, "the server shares no key exchange method or "
		    "host key algorithm with this hop (kex offered: %s; host "
		    "keys offered: %s): a server with only SHA-1 key exchange "
		    "(diffie-hellman-group14-sha1, group1) or only an ssh-rsa "
		    "or ssh-dss host key is refused by jumpgate's policy; give "
		    "the server an ed25519 host key and curve25519-sha256 "
		    "(OpenSSH: HostKey, KexAlgorithms), or set kex / "
		    "host_key_algorithms%s", offered, hostkeys_offered,
		    hop->allow_ssh_rsa_sha1 ? "" : " (allow_ssh_rsa_sha1 = yes "
		    "for an RSA-only legacy server)");
		free(offered);
		return msg;
	}
	if (algorithms_negotiated(session, LIBSSH2_METHOD_CRYPT_CS) == NULL ||
	    algorithms_negotiated(session, LIBSSH2_METHOD_CRYPT_SC) == NULL) {
		offered = algorithms_offer(hop, ALGO_CIPHER);
		how = hop->ciphers != NULL ? "this hop's ciphers" :
		    "the secure default";
		xasprintf(&msg, "the server shares no cipher with this hop "
		    "(ciphers offered: %s, %s); it probably allows only CBC or "
		    "other legacy ciphers, which jumpgate refuses: enable "
		    "chacha20-poly1305@openssh.com, aes128-gcm@openssh.com "
		    "or aes128-ctr on the server (OpenSSH: Ciphers)", offered,
		    how);
		free(offered);
		return msg;
	}
	if (algorithms_negotiated(session, LIBSSH2_METHOD_MAC_CS) == NULL ||
	    algorithms_negotiated(session, LIBSSH2_METHOD_MAC_SC) == NULL) {
		offered2 = algorithms_offer(hop, ALGO_MAC);
		how = hop->macs != NULL ? "this hop's macs" :
		    "the secure default";
		xasprintf(&msg, "the server shares no MAC with this hop (macs "
		    "offered: %s, %s); it probably allows only SHA-1 or MD5 "
		    "MACs, which jumpgate refuses: enable "
		    "hmac-sha2-256-etm@openssh.com or hmac-sha2-256 on the "
		    "server (OpenSSH: MACs), or use chacha20-poly1305 or "
		    "AES-GCM, which need no MAC", offered2, how);
		free(offered2);
		return msg;
	}
	return NULL;
}

/* Log what a session negotiated; see algorithms.h. */
void
algorithms_log(LIBSSH2_SESSION *session, const char *label)
{
	const char	*hostkey;

	hostkey = algorithms_negotiated(session, LIBSSH2_METHOD_HOSTKEY);
	log_debug("hop %s: negotiated kex %s, host key %s, ciphers %s / %s, "
	    "MACs %s / %s", label,
	    algorithms_negotiated(session, LIBSSH2_METHOD_KEX),
	    hostkey,
	    algorithms_negotiated(session, LIBSSH2_METHOD_CRYPT_CS),
	    algorithms_negotiated(session, LIBSSH2_METHOD_CRYPT_SC),
	    algorithms_negotiated(session, LIBSSH2_METHOD_MAC_CS),
	    algorithms_negotiated(session, LIBSSH2_METHOD_MAC_SC));
	if (hostkey != NULL && strcmp(hostkey, "ssh-rsa") == 0)
		log_warn("hop %s: the server's host key signature uses ssh-rsa "
		    "(SHA-1 signatures), accepted because allow_ssh_rsa_sha1 = "
		    "yes; give the server an ed25519 or ecdsa host key", label);
}

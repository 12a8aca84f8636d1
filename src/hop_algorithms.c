/*
 * The SSH library behind hop.h: libssh2's start and end, what it speaks,
 * and the algorithm policy (algorithms.c, by name) applied to a session.
 */
#include <stdlib.h>
#include <string.h>

#include <libssh2.h>

#include "algorithms.h"
#include "config.h"
#include "hop_int.h"
#include "log.h"
#include "server.h"
#include "xmalloc.h"

static const int hop_algorithms_method[ALGO_NKINDS] = {
	LIBSSH2_METHOD_KEX, LIBSSH2_METHOD_HOSTKEY, LIBSSH2_METHOD_CRYPT_CS,
	LIBSSH2_METHOD_MAC_CS
};

/* What the linked libssh2 supports, comma-separated; filled once. */
static char	*hop_algorithms_supported[ALGO_NKINDS];

/* Start the SSH library; at start-up only. */
void
hop_library_init(void)
{
	if (libssh2_init(0) != 0)
		fatal("cannot initialise libssh2");
}

/* End the SSH library, once every hop is freed. */
void
hop_library_exit(void)
{
	libssh2_exit();
}

/* Return the SSH library's version, for messages. */
const char *
hop_library_version(void)
{
	return libssh2_version(0);
}

/*
 * Return whether NAME, listed by libssh2 as a key exchange method, is a
 * protocol extension it always sends (ext-info-c for server-sig-algs,
 * strict key exchange) rather than a method to choose.
 */
static int
hop_algorithms_kex_extension(const char *name)
{
	return strcmp(name, "ext-info-c") == 0 ||
	    strncmp(name, "kex-strict-", 11) == 0;
}

/* Ask libssh2, once, which algorithms of every kind it supports. */
static void
hop_algorithms_load(void)
{
	LIBSSH2_SESSION	 *session;
	const char	**algs;
	char		 *list, *next;
	int		  i, n, kind;

	if (hop_algorithms_supported[0] != NULL)
		return;
	if ((session = libssh2_session_init()) == NULL)
		fatal("cannot create an SSH session to list algorithms");
	for (kind = 0; kind < ALGO_NKINDS; kind++) {
		list = xstrdup("");
		n = libssh2_session_supported_algs(session,
		    hop_algorithms_method[kind], &algs);
		for (i = 0; i < n; i++) {
			if (kind == ALGO_KEX &&
			    hop_algorithms_kex_extension(algs[i]))
				continue;
			xasprintf(&next, "%s%s%s", list, *list ? "," : "",
			    algs[i]);
			free(list);
			list = next;
		}
		if (n > 0)
			libssh2_free(session, algs);
		hop_algorithms_supported[kind] = list;
	}
	libssh2_session_free(session);
}

/* Return what the SSH library speaks of KIND; see hop.h. */
const char *
hop_library_algorithms(enum algo_kind kind)
{
	hop_algorithms_load();
	return hop_algorithms_supported[kind];
}

/* Set one method preference; returns 0 or -1 with *CAUSE. */
static int
hop_algorithms_pref(LIBSSH2_SESSION *session, int method, enum algo_kind kind,
    const char *list, char **cause)
{
	if (libssh2_session_method_pref(session, method, list) == 0)
		return 0;
	xasprintf(cause, "libssh2 %s accepts none of the %s %s",
	    libssh2_version(0), algorithms_key(kind), list);
	return -1;
}

/* Apply the hop's KEX, cipher and MAC lists to its session; see hop_int.h. */
int
hop_algorithms_apply(struct hop *h, char **cause)
{
	LIBSSH2_SESSION		*session = h->session;
	const struct config_hop	*hop = h->conf;
	char			*kex, *ciphers, *macs;
	int			 rc;

	kex = algorithms_offer(hop, ALGO_KEX);
	ciphers = algorithms_offer(hop, ALGO_CIPHER);
	macs = algorithms_offer(hop, ALGO_MAC);
	rc = hop_algorithms_pref(session, LIBSSH2_METHOD_KEX, ALGO_KEX, kex,
	    cause);
	if (rc == 0)
		rc = hop_algorithms_pref(session, LIBSSH2_METHOD_CRYPT_CS,
		    ALGO_CIPHER, ciphers, cause);
	if (rc == 0)
		rc = hop_algorithms_pref(session, LIBSSH2_METHOD_CRYPT_SC,
		    ALGO_CIPHER, ciphers, cause);
	if (rc == 0)
		rc = hop_algorithms_pref(session, LIBSSH2_METHOD_MAC_CS, ALGO_MAC,
		    macs, cause);
	if (rc == 0)
		rc = hop_algorithms_pref(session, LIBSSH2_METHOD_MAC_SC, ALGO_MAC,
		    macs, cause);
	free(kex);
	free(ciphers);
	free(macs);
	return rc;
}

/* Return what SESSION negotiated for METHOD, or NULL. */
static const char *
hop_algorithms_negotiated(LIBSSH2_SESSION *session, int method)
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
hop_algorithms_explain(struct hop *h, const char *hostkeys_offered,
    int known_only)
{
	LIBSSH2_SESSION		*session = h->session;
	const struct config_hop	*hop = h->conf;
	char			*offered, *offered2, *note, *msg = NULL;
	char			*where = NULL, *where2;
	const char		*how, *cipher;
	enum server_kind	 kind;
	int			 rsa;

	if (libssh2_session_last_errno(session) != LIBSSH2_ERROR_KEX_FAILURE)
		return NULL;
	/* Advice names the settings of the server the banner names. */
	kind = server_kind(libssh2_session_banner_get(session));
	if (hop_algorithms_negotiated(session, LIBSSH2_METHOD_KEX) == NULL &&
	    known_only) {
		offered = algorithms_offer(hop, ALGO_KEX);
		/* An RSA key known, but signed only with SHA-1 there. */
		rsa = !hop->allow_ssh_rsa_sha1 &&
		    strstr(hostkeys_offered, "rsa-sha2-") != NULL;
		xasprintf(&msg, "host key REFUSED or no key exchange in common: "
		    "%s lists this host only with %s keys and the server "
		    "offers no key of those types (or none of the key "
		    "exchange methods %s); if its host keys changed, this may "
		    "be a man in the middle: check them out of band with "
		    "'jumpgate scan %s:%d' before you change %s%s",
		    hop->known_hosts, hostkeys_offered, offered, hop->host,
		    hop->port, hop->known_hosts, rsa ? "; if scan shows the "
		    "same RSA key verified by an ssh-rsa signature, the key is "
		    "right but the server signs only with SHA-1: set "
		    "allow_ssh_rsa_sha1 = yes to accept it" : "");
		free(offered);
		return msg;
	}
	if (hop_algorithms_negotiated(session, LIBSSH2_METHOD_KEX) == NULL) {
		offered = algorithms_offer(hop, ALGO_KEX);
		xasprintf(&msg, "the server shares no key exchange method or "
		    "host key algorithm with this hop (kex offered: %s; host "
		    "keys offered: %s): a server with only SHA-1 key exchange "
		    "(diffie-hellman-group14-sha1, group1) or only an ssh-rsa "
		    "or ssh-dss host key is refused by jumpgate's policy; give "
		    "the server an ed25519 host key and curve25519-sha256 "
		    "%s, or set kex / host_key_algorithms%s", offered,
		    hostkeys_offered, server_hostkey_advice(kind),
		    hop->allow_ssh_rsa_sha1 ? "" : " (allow_ssh_rsa_sha1 = yes "
		    "for an RSA-only legacy server)");
		free(offered);
		return msg;
	}
	if (hop_algorithms_negotiated(session, LIBSSH2_METHOD_CRYPT_CS) == NULL ||
	    hop_algorithms_negotiated(session, LIBSSH2_METHOD_CRYPT_SC) == NULL) {
		offered = algorithms_offer(hop, ALGO_CIPHER);
		how = hop->ciphers != NULL ? "this hop's ciphers" :
		    "the secure default";
		where = server_algorithms_advice(kind, "Ciphers");
		if (hop->ciphers != NULL)
			xasprintf(&msg, "the server shares no cipher with this "
			    "hop (ciphers offered: %s, %s): list some the "
			    "server has ('jumpgate probe' shows them), or leave "
			    "ciphers out for the secure default", offered, how);
		else
			xasprintf(&msg, "the server shares no cipher with this "
			    "hop (ciphers offered: %s, %s); it probably allows "
			    "only CBC or other legacy ciphers, which jumpgate "
			    "refuses: enable chacha20-poly1305@openssh.com, "
			    "aes128-gcm@openssh.com or aes128-ctr on the server "
			    "(%s)", offered, how, where);
		free(offered);
		free(where);
		return msg;
	}
	if (hop_algorithms_negotiated(session, LIBSSH2_METHOD_MAC_CS) == NULL ||
	    hop_algorithms_negotiated(session, LIBSSH2_METHOD_MAC_SC) == NULL) {
		offered2 = algorithms_offer(hop, ALGO_MAC);
		how = hop->macs != NULL ? "this hop's macs" :
		    "the secure default";
		/* libssh2 1.11.1 negotiates a MAC even for chacha20-poly1305. */
		cipher = hop_algorithms_negotiated(session,
		    LIBSSH2_METHOD_CRYPT_CS);
		if (cipher != NULL && strncmp(cipher, "chacha20-", 9) == 0)
			xasprintf(&note, "; libssh2 wants a MAC in common even "
			    "with %s, which was agreed on", cipher);
		else
			note = xstrdup("");
		where = server_algorithms_advice(kind, "MACs");
		where2 = server_algorithms_advice(kind, "Ciphers");
		xasprintf(&msg, "the server shares no MAC with this hop (macs "
		    "offered: %s, %s); it probably allows only SHA-1 or MD5 "
		    "MACs, which jumpgate refuses, or UMAC, which libssh2 "
		    "lacks: enable hmac-sha2-256-etm@openssh.com or "
		    "hmac-sha2-256 on the server (%s), or "
		    "aes256-gcm@openssh.com, which needs no MAC (%s; a hop "
		    "that sets ciphers must list it too)%s", offered2, how,
		    where, where2, note);
		free(where2);
		free(note);
		free(offered2);
		free(where);
		return msg;
	}
	return NULL;
}

/* Log what the hop's session negotiated; see hop_int.h. */
void
hop_algorithms_log(struct hop *hop)
{
	LIBSSH2_SESSION	*session = hop->session;
	const char	*label = hop->label;
	const char	*hostkey;

	hostkey = hop_algorithms_negotiated(session, LIBSSH2_METHOD_HOSTKEY);
	log_debug("hop %s: negotiated kex %s, host key %s, ciphers %s / %s, "
	    "MACs %s / %s", label,
	    hop_algorithms_negotiated(session, LIBSSH2_METHOD_KEX),
	    hostkey,
	    hop_algorithms_negotiated(session, LIBSSH2_METHOD_CRYPT_CS),
	    hop_algorithms_negotiated(session, LIBSSH2_METHOD_CRYPT_SC),
	    hop_algorithms_negotiated(session, LIBSSH2_METHOD_MAC_CS),
	    hop_algorithms_negotiated(session, LIBSSH2_METHOD_MAC_SC));
	if (hostkey != NULL && strcmp(hostkey, "ssh-rsa") == 0)
		log_warn("hop %s: the server's host key signature uses ssh-rsa "
		    "(SHA-1 signatures), accepted because allow_ssh_rsa_sha1 = "
		    "yes; give the server an ed25519 or ecdsa host key", label);
}

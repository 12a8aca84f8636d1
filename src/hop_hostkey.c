/*
 * The host key of a hop's session: which key types to ask the server for,
 * and the verdict on the key it presents. A key that matches no pin may
 * be one of several the server has: the session is dropped and the
 * handshake repeated without that type, up to HOP_MAX_KEYTYPES times,
 * before the hop fails naming every key presented.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libssh2.h>

#include "config.h"
#include "hop_int.h"
#include "hostkey.h"
#include "log.h"
#include "xmalloc.h"

/* Host-key retry state of one hop (hop->hostkey). */
struct hop_hostkey {
	/* Host-key types left out after a pin did not match. */
	char			 excluded[HOP_MAX_KEYTYPES][64];
	size_t			 nexcluded;
	char			*presented;	/* keys presented so far */
	char			*unmatched_how;	/* why the last matched no pin */
	char			*offered;	/* in the last handshake */
};

/* Give the hop its host-key state. */
void
hop_hostkey_init(struct hop *hop)
{
	hop->hostkey = xcalloc(1, sizeof *hop->hostkey);
}

/* Forget the key types tried for pins. */
static void
hop_hostkey_clear(struct hop_hostkey *hk)
{
	hk->nexcluded = 0;
	free(hk->presented);
	hk->presented = NULL;
	free(hk->unmatched_how);
	hk->unmatched_how = NULL;
}

/* Free the hop's host-key state. */
void
hop_hostkey_free(struct hop *hop)
{
	hop_hostkey_clear(hop->hostkey);
	free(hop->hostkey->offered);
	free(hop->hostkey);
	hop->hostkey = NULL;
}

/*
 * Tell the new session which host key types to ask for: towards pinned
 * types, within host_key_algorithms, without those left out. Returns 0, or
 * -1 when the hop has been failed.
 */
int
hop_hostkey_offer(struct hop *hop)
{
	struct hop_hostkey	*hk = hop->hostkey;
	char			*prefs;

	prefs = hostkey_preferences(hop->conf, hk->excluded, hk->nexcluded);
	if (prefs == NULL) {
		hop_fail(hop, 1, "no host key algorithm left to offer: "
		    "known_hosts and host_key_algorithms%s leave no type in "
		    "common; add the server's ed25519 or ecdsa key, or widen "
		    "host_key_algorithms", hop->conf->allow_ssh_rsa_sha1 ? "" :
		    " (ssh-rsa needs allow_ssh_rsa_sha1 = yes)");
		return -1;
	}
	log_debug("hop %s: host key types offered: %s", hop->label, prefs);
	if (libssh2_session_method_pref(hop->session, LIBSSH2_METHOD_HOSTKEY,
	    prefs) != 0) {
		hop_fail(hop, 1, "libssh2 %s accepts none of the host key "
		    "types %s", libssh2_version(0), prefs);
		free(prefs);
		return -1;
	}
	free(hk->offered);
	hk->offered = prefs;
	return 0;
}

/* Fail the hop: none of the host keys presented so far (HOW) is trusted. */
static void
hop_hostkey_refuse(struct hop *hop, const char *how)
{
	struct hop_hostkey	*hk = hop->hostkey;
	char			*presented = hk->presented;

	hk->presented = NULL;
	hop_hostkey_clear(hk);
	hop_fail(hop, 1, "host key REFUSED for %s:%d: presented %s; %s; "
	    "no authentication was attempted", hop->conf->host,
	    hop->conf->port, presented, how);
	free(presented);
}

/*
 * The handshake failed: after a key that matched no pin, because no other
 * type was left (the key is refused); or for want of a common algorithm,
 * which hop_algorithms_explain names. Returns 1 if the hop has been failed
 * so, 0 if the caller should say what libssh2 says.
 */
int
hop_hostkey_handshake_failed(struct hop *hop)
{
	struct hop_hostkey	*hk = hop->hostkey;
	char			*how, *explained;

	if (hk->nexcluded > 0) {
		/* No other key type left to ask for. */
		how = hk->unmatched_how;
		hk->unmatched_how = NULL;
		hop_hostkey_refuse(hop, how);
		free(how);
		return 1;
	}
	explained = hop_algorithms_explain(hop, hk->offered,
	    hostkey_known_only(hop->conf));
	if (explained == NULL)
		return 0;
	hop_fail(hop, 1, "SSH handshake with %s:%d failed: %s",
	    hop->conf->host, hop->conf->port, explained);
	free(explained);
	return 1;
}

/*
 * Verify the server's host key. Returns 0 to go on, -1 if the hop has been
 * failed or reconnected with other key types.
 */
int
hop_hostkey_verify(struct hop *hop)
{
	struct hop_hostkey	*hk = hop->hostkey;
	struct hostkey_check	 check;
	const char		*blob;
	char			*presented, *prefs;
	size_t			 len;
	int			 type;

	blob = libssh2_session_hostkey(hop->session, &len, &type);
	if (blob == NULL) {
		hop_fail(hop, 1, "the server presented no host key");
		return -1;
	}
	hostkey_verify(hop->conf, (const unsigned char *)blob, len, &check);

	if (check.verdict == HOSTKEY_TRUSTED) {
		if (check.insecure) {
			log_warn("hop %s: host key %s (%s) of %s:%d accepted "
			    "WITHOUT verification (host_key_policy = insecure)",
			    hop->label, check.fingerprint, check.type,
			    hop->conf->host, hop->conf->port);
		} else {
			log_info("hop %s: host key %s (%s) %s",
			    hop->label, check.fingerprint, check.type,
			    check.how);
		}
		snprintf(hop->fingerprint, sizeof hop->fingerprint, "%s",
		    check.fingerprint);
		hop_hostkey_clear(hk);
		hostkey_check_clear(&check);
		return 0;
	}

	xasprintf(&presented, "%s%s%s (%s)", hk->presented ?
	    hk->presented : "", hk->presented ? ", " : "",
	    check.fingerprint, check.type);
	free(hk->presented);
	hk->presented = presented;

	if (check.verdict == HOSTKEY_UNMATCHED &&
	    hk->nexcluded < HOP_MAX_KEYTYPES) {
		free(hk->unmatched_how);
		hk->unmatched_how = xstrdup(check.how);
		snprintf(hk->excluded[hk->nexcluded++],
		    sizeof hk->excluded[0], "%s", check.type);
		prefs = hostkey_preferences(hop->conf, hk->excluded,
		    hk->nexcluded);
		if (prefs != NULL) {
			/* The pin may be for another key type: ask for it. */
			log_debug("hop %s: %s (%s) matches no pin; asking "
			    "for another key type", hop->label,
			    check.fingerprint, check.type);
			free(prefs);
			hostkey_check_clear(&check);
			hop_restart(hop, "trying another host key type");
			return -1;
		}
	}
	hop_hostkey_refuse(hop, check.how);
	hostkey_check_clear(&check);
	return -1;
}

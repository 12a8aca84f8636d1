/*
 * Which SSH server a version banner names, so that advice names the
 * settings that server has: sshd_config keywords for OpenSSH, start-up
 * options and build choices for Dropbear, nothing to set for tinysshd.
 */
#ifndef JUMPGATE_SERVER_H
#define JUMPGATE_SERVER_H

enum server_kind {
	SERVER_OTHER,		/* unknown, or no banner yet */
	SERVER_OPENSSH,
	SERVER_DROPBEAR,
	SERVER_TINYSSH
};

/* The kind of server BANNER ("SSH-2.0-dropbear_2022.83"; may be NULL). */
enum server_kind server_kind(const char *banner);
/* Its name for advice: "OpenSSH", "Dropbear", "tinysshd", "the server". */
const char	*server_kind_name(enum server_kind);
/*
 * What to check on a KIND server that refused a channel (REMOTE: a listen
 * request, ssh -R); a sentence without its full stop.
 */
const char	*server_forwarding_advice(enum server_kind, int remote);
/*
 * How a KIND server gets an ed25519 host key and modern key exchange;
 * a phrase to follow "give the server an ed25519 host key and
 * curve25519-sha256".
 */
const char	*server_hostkey_advice(enum server_kind);
/*
 * Where a KIND server's algorithm list is chosen, for advice in brackets:
 * OPENSSH_KEYWORD ("Ciphers") names the sshd_config setting. Caller frees.
 */
char		*server_algorithms_advice(enum server_kind,
		    const char *openssh_keyword);

#endif

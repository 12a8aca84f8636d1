/* Which SSH server a version banner names; see server.h. */
#include <string.h>
#include <strings.h>

#include "server.h"
#include "xmalloc.h"

/* The kind of server BANNER names, see server.h. */
enum server_kind
server_kind(const char *banner)
{
	const char	*software;

	if (banner == NULL)
		return SERVER_OTHER;
	/* "SSH-2.0-" or "SSH-1.99-", then the software version. */
	if (strncmp(banner, "SSH-", 4) != 0 ||
	    (software = strchr(banner + 4, '-')) == NULL)
		return SERVER_OTHER;
	software++;
	if (strncmp(software, "OpenSSH", 7) == 0)
		return SERVER_OPENSSH;
	if (strncasecmp(software, "dropbear", 8) == 0)
		return SERVER_DROPBEAR;
	if (strncasecmp(software, "tinyssh", 7) == 0)
		return SERVER_TINYSSH;
	return SERVER_OTHER;
}

/* The name of KIND for advice. */
const char *
server_kind_name(enum server_kind kind)
{
	switch (kind) {
	case SERVER_OPENSSH:
		return "OpenSSH";
	case SERVER_DROPBEAR:
		return "Dropbear";
	case SERVER_TINYSSH:
		return "tinysshd";
	default:
		return "the server";
	}
}

/* Where KIND allows forwarding, see server.h. */
const char *
server_forwarding_advice(enum server_kind kind, int remote)
{
	switch (kind) {
	case SERVER_OPENSSH:
		return remote ? "check AllowTcpForwarding and PermitListen in "
		    "its sshd_config, and whether the port is in use there" :
		    "check AllowTcpForwarding and PermitOpen in its "
		    "sshd_config";
		/* Dropbear has no setting file: only start-up options. */
	case SERVER_DROPBEAR:
		return remote ? "this Dropbear may have been started with -k "
		    "(no remote forwarding), or the port is in use there; "
		    "only root may listen below port 1024" :
		    "this Dropbear may have been started with -j (no local "
		    "forwarding)";
	case SERVER_TINYSSH:
		return "tinysshd has no port forwarding at all: forward "
		    "through another server";
	default:
		return remote ? "check that the server allows remote "
		    "forwarding and that the port is free there" :
		    "check that the server allows TCP forwarding to that "
		    "address";
	}
}

/* How KIND gets an ed25519 host key, see server.h. */
const char *
server_hostkey_advice(enum server_kind kind)
{
	switch (kind) {
	case SERVER_OPENSSH:
		return "(OpenSSH: ssh-keygen -t ed25519, HostKey and "
		    "KexAlgorithms in sshd_config)";
	case SERVER_DROPBEAR:
		return "(Dropbear 2020.79 or later: dropbearkey -t ed25519 "
		    "-f /etc/dropbear/dropbear_ed25519_host_key, or start it "
		    "with -R)";
	case SERVER_TINYSSH:
		return "(tinysshd has them: tinysshd-makekey)";
	default:
		return "(see the server's documentation)";
	}
}

/* Where KIND's algorithm list is chosen, see server.h. */
char *
server_algorithms_advice(enum server_kind kind, const char *openssh_keyword)
{
	char	*advice;

	switch (kind) {
	case SERVER_DROPBEAR:
		advice = xstrdup("Dropbear: chosen when it is built, in "
		    "localoptions.h; a Dropbear 2020.79 or later built with "
		    "the defaults has them");
		break;
	case SERVER_TINYSSH:
		advice = xstrdup("tinysshd: fixed; a tinysshd 20190101 or "
		    "later has them");
		break;
	case SERVER_OPENSSH:
		xasprintf(&advice, "OpenSSH: %s",
		    openssh_keyword);
		break;
	default:
		xasprintf(&advice, "OpenSSH: %s; other servers: see their "
		    "documentation", openssh_keyword);
		break;
	}
	return advice;
}

/* Can this build talk to that server? See algcheck.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libssh2.h>

#include "algcheck.h"
#include "algorithms.h"
#include "kexinit.h"
#include "wire.h"
#include "xmalloc.h"

/* Lists both sides must agree on (the language lists are not). */
#define ALGCHECK_NLISTS	8

static const char *algcheck_labels[ALGCHECK_NLISTS] = {
	"kex", "host key", "cipher client->server", "cipher server->client",
	"mac client->server", "mac server->client",
	"compression client->server", "compression server->client"
};

/* The policy kind of each list; ALGO_NKINDS: compression. */
static const enum algo_kind algcheck_kinds[ALGCHECK_NLISTS] = {
	ALGO_KEX, ALGO_HOSTKEY, ALGO_CIPHER, ALGO_CIPHER, ALGO_MAC, ALGO_MAC,
	ALGO_NKINDS, ALGO_NKINDS
};

/* The first of CLIENT's names that SERVER has. */
char *
algcheck_choose(const char *client, const char *server)
{
	const char	*p = client, *end;
	char		*name;

	while (*p != '\0') {
		end = strchr(p, ',');
		name = end == NULL ? xstrdup(p) :
		    xstrndup(p, (size_t)(end - p));
		if (wire_namelist_has(server, name))
			return name;
		free(name);
		if (end == NULL)
			break;
		p = end + 1;
	}
	return NULL;
}

/* What a hop with default settings offers for LIST, as a new string. */
static char *
algcheck_client(int list)
{
	/* Hops leave compression off: libssh2 then offers only "none". */
	if (algcheck_kinds[list] == ALGO_NKINDS)
		return xstrdup("none");
	return algorithms_default(algcheck_kinds[list], 0);
}

/*
 * Say to OUT what the server's LIST, which has nothing in common with a
 * hop's defaults, has that some setting would allow, or that the policy
 * refuses and why.
 */
static void
algcheck_explain(int list, const char *server, FILE *out)
{
	enum algo_kind	 kind = algcheck_kinds[list];
	const char	*why;
	char		*copy, *next, *name, *refused, *tmp;
	int		 enabled = 0;

	if (kind == ALGO_NKINDS)
		return;
	refused = xstrdup("");
	copy = next = xstrdup(server);
	while ((name = strsep(&next, ",")) != NULL) {
		if (*name == '\0')
			continue;
		switch (algorithms_verdict(kind, name, &why)) {
		case ALGO_IF_CONFIGURED:
			if (!enabled++)
				fprintf(out, "%s is common and allowed but not "
				    "offered by default%s%s%s: it would work with "
				    "'%s = %s' on the hop; ", name,
				    why != NULL ? " (" : "", why != NULL ? why :
				    "", why != NULL ? ")" : "",
				    algorithms_key(kind), name);
			break;
		case ALGO_IF_RSA_ALLOWED:
			if (!enabled++)
				fprintf(out, "%s is common but left out by "
				    "default: it would work with "
				    "'allow_ssh_rsa_sha1 = yes' on the hop, which "
				    "means accepting SHA-1 signatures from this "
				    "server; better: ", name);
			break;
		case ALGO_REFUSED:
			xasprintf(&tmp, "%s%s%s (%s)", refused,
			    *refused != '\0' ? ", " : "", name, why);
			free(refused);
			refused = tmp;
			break;
		case ALGO_DEFAULT:
		case ALGO_UNSUPPORTED:
			break;
		}
	}
	if (!enabled && *refused != '\0')
		fprintf(out, "common but refused by jumpgate's policy, and no "
		    "setting allows them: %s; ", refused);
	free(refused);
	free(copy);
}

/* Tell whether the server's LIST has a name starting with PREFIX. */
static int
algcheck_offers_prefix(const char *list, const char *prefix)
{
	const char	*p = list;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, prefix, strlen(prefix)) == 0)
			return 1;
		if ((p = strchr(p, ',')) != NULL)
			p++;
	}
	return 0;
}

/* What to do when LIST has nothing in common with this build. */
static const char *
algcheck_advice(int list, const char *server)
{
	switch (list) {
	case KEXINIT_KEX:
		return "enable curve25519-sha256 or ecdh-sha2-nistp256 in the "
		    "server's KexAlgorithms";
	case KEXINIT_HOSTKEY:
		if (algcheck_offers_prefix(server, "rsa-sha2-") &&
		    !wire_namelist_has(server, "ssh-rsa"))
			return "the server offers RSA host keys only as "
			    "rsa-sha2-256/512, and this libssh2 speaks RSA only "
			    "as ssh-rsa (SHA-1, left out): add an ed25519 host "
			    "key to the server (ssh-keygen -t ed25519 -f "
			    "/etc/ssh/ssh_host_ed25519_key, and a HostKey "
			    "line), or build jumpgate with libssh2 >= 1.11";
		return "add an ed25519 or ecdsa host key to the server "
		    "(ssh-keygen -t ed25519, HostKey in sshd_config)";
	case KEXINIT_ENC_CS:
	case KEXINIT_ENC_SC:
		return "libssh2 1.10 has no AES-GCM nor chacha20-poly1305: "
		    "add aes256-ctr,aes128-ctr to the server's Ciphers";
	case KEXINIT_MAC_CS:
	case KEXINIT_MAC_SC:
		return "libssh2 1.10 has no *-etm@openssh.com MACs: add "
		    "hmac-sha2-256,hmac-sha2-512 to the server's MACs";
	default:
		return "allow 'none' in the server's Compression";
	}
}

/* Print the choices for K, see algcheck.h. */
int
algcheck_report(const struct kexinit *k, const char *who, FILE *out)
{
	char		*client, *chosen;
	const char	*failed = NULL;
	int		 i;

	fprintf(out, "# what a hop with default settings would use (libssh2 "
	    "%s):\n", libssh2_version(0));
	for (i = 0; i < ALGCHECK_NLISTS; i++) {
		client = algcheck_client(i);
		chosen = algcheck_choose(client, k->lists[i]);
		if (chosen != NULL) {
			fprintf(out, "%s: %s\n", algcheck_labels[i], chosen);
			free(chosen);
		} else {
			if (failed == NULL)
				failed = kexinit_list_name(i);
			fprintf(out, "%s: NO COMMON ALGORITHM: ",
			    algcheck_labels[i]);
			algcheck_explain(i, k->lists[i], out);
			fprintf(out, "%s\n", algcheck_advice(i, k->lists[i]));
		}
		free(client);
	}
	if (failed != NULL) {
		fprintf(out, "FAIL: jumpgate cannot talk to %s: %s has no "
		    "algorithm in common with a hop's defaults\n", who, failed);
		return 1;
	}
	fprintf(out, "OK: jumpgate can talk to %s\n", who);
	return 0;
}

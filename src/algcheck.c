/* Can this build talk to that server? See algcheck.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "algcheck.h"
#include "algorithms.h"
#include "hop.h"
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

/*
 * Tell whether libssh2 negotiates no MAC for a direction that uses cipher
 * NAME: AES-GCM. libssh2 1.11.1 still wants a MAC in common with
 * chacha20-poly1305, though it does not use it.
 */
static int
algcheck_aead(const char *name)
{
	return name != NULL &&
	    (strcmp(name, "aes128-gcm@openssh.com") == 0 ||
	    strcmp(name, "aes256-gcm@openssh.com") == 0);
}

/* Tell whether a hop offers NAME of KIND by default. */
static int
algcheck_offered(enum algo_kind kind, const char *name)
{
	char	*list = algorithms_default(kind, 0);
	int	 has = wire_namelist_has(list, name);

	free(list);
	return has;
}

/*
 * Print to OUT those of NAMES (NULL-terminated, at most four) that a hop
 * offers by default for KIND, as "a, b or c": what to ask of a server is
 * what this build negotiates. All the hop offers if it offers none of them.
 */
static void
algcheck_names(enum algo_kind kind, const char *const *names, FILE *out)
{
	const char	*pick[4];
	char		*list = algorithms_default(kind, 0);
	size_t		 i, n = 0;

	for (i = 0; names[i] != NULL && n < 4; i++)
		if (wire_namelist_has(list, names[i]))
			pick[n++] = names[i];
	if (n == 0)
		fprintf(out, "one of %s", list);
	for (i = 0; i < n; i++)
		fprintf(out, "%s%s", i == 0 ? "" : i + 1 == n ? " or " : ", ",
		    pick[i]);
	free(list);
}

/*
 * Print to OUT where a KIND server's list is set: "PREPOSITION the
 * server's KEYWORD" (sshd_config) for OpenSSH and servers we cannot name,
 * else where that server keeps it.
 */
static void
algcheck_where(enum server_kind kind, const char *preposition,
    const char *keyword, FILE *out)
{
	char	*where;

	if (kind == SERVER_OPENSSH || kind == SERVER_OTHER) {
		fprintf(out, " %s the server's %s", preposition, keyword);
		return;
	}
	where = server_algorithms_advice(kind, keyword);
	fprintf(out, " on the server (%s)", where);
	free(where);
}

/*
 * Print to OUT what to do when LIST has nothing in common with this build,
 * on a KIND server. For a MAC list, CIPHER is the cipher agreed for its
 * direction, if any.
 */
static void
algcheck_advice(int list, const char *cipher, enum server_kind kind,
    FILE *out)
{
	static const char *const kex[] = {
		"curve25519-sha256", "ecdh-sha2-nistp256", NULL
	};
	static const char *const ciphers[] = {
		"chacha20-poly1305@openssh.com", "aes256-gcm@openssh.com",
		"aes128-ctr", NULL
	};
	static const char *const macs[] = {
		"hmac-sha2-256-etm@openssh.com", "hmac-sha2-256", NULL
	};

	switch (list) {
	case KEXINIT_KEX:
		fputs("enable ", out);
		algcheck_names(ALGO_KEX, kex, out);
		algcheck_where(kind, "in", "KexAlgorithms", out);
		break;
	case KEXINIT_HOSTKEY:
		if (kind == SERVER_OPENSSH || kind == SERVER_OTHER)
			fputs("add an ed25519 or ecdsa host key to the server "
			    "(ssh-keygen -t ed25519, HostKey in sshd_config), "
			    "or allow rsa-sha2-512 in its HostKeyAlgorithms",
			    out);
		else
			fprintf(out, "add an ed25519 or ecdsa host key to the "
			    "server %s", server_hostkey_advice(kind));
		break;
	case KEXINIT_ENC_CS:
	case KEXINIT_ENC_SC:
		fputs("add ", out);
		algcheck_names(ALGO_CIPHER, ciphers, out);
		algcheck_where(kind, "to", "Ciphers", out);
		break;
	case KEXINIT_MAC_CS:
	case KEXINIT_MAC_SC:
		if (cipher != NULL && strncmp(cipher, "chacha20-", 9) == 0)
			fprintf(out, "libssh2 %s wants a MAC in common even "
			    "with %s, though it does not use it: ",
			    hop_library_version(), cipher);
		fputs("add ", out);
		algcheck_names(ALGO_MAC, macs, out);
		algcheck_where(kind, "to", "MACs", out);
		if (algcheck_offered(ALGO_CIPHER, "aes256-gcm@openssh.com")) {
			fputs(", or aes256-gcm@openssh.com, which needs none", out);
			if (kind == SERVER_OPENSSH || kind == SERVER_OTHER)
				fputs(", to its Ciphers", out);
		}
		break;
	default:
		fputs("allow 'none' in the server's Compression", out);
		break;
	}
}

/* Print the choices for K, see algcheck.h. */
int
algcheck_report(const struct kexinit *k, const char *who,
    enum server_kind kind, FILE *out)
{
	char		*client, *chosen, *cipher[2] = { NULL, NULL };
	const char	*failed = NULL;
	int		 i;

	fprintf(out, "# what a hop with default settings would use (libssh2 "
	    "%s):\n", hop_library_version());
	for (i = 0; i < ALGCHECK_NLISTS; i++) {
		if ((i == KEXINIT_MAC_CS || i == KEXINIT_MAC_SC) &&
		    algcheck_aead(cipher[i - KEXINIT_MAC_CS])) {
			fprintf(out, "%s: none needed (%s)\n",
			    algcheck_labels[i], cipher[i - KEXINIT_MAC_CS]);
			continue;
		}
		client = algcheck_client(i);
		chosen = algcheck_choose(client, k->lists[i]);
		if (chosen != NULL) {
			fprintf(out, "%s: %s\n", algcheck_labels[i], chosen);
			if (i == KEXINIT_ENC_CS || i == KEXINIT_ENC_SC)
				cipher[i - KEXINIT_ENC_CS] = xstrdup(chosen);
			free(chosen);
		} else {
			if (failed == NULL)
				failed = kexinit_list_name(i);
			fprintf(out, "%s: NO COMMON ALGORITHM: ",
			    algcheck_labels[i]);
			algcheck_explain(i, k->lists[i], out);
			algcheck_advice(i, i == KEXINIT_MAC_CS ||
			    i == KEXINIT_MAC_SC ? cipher[i - KEXINIT_MAC_CS] :
			    NULL, kind, out);
			fputc('\n', out);
		}
		free(client);
	}
	free(cipher[0]);
	free(cipher[1]);
	/* libssh2 always offers strict key exchange (CVE-2023-48795). */
	if (wire_namelist_has(k->lists[KEXINIT_KEX],
	    "kex-strict-s-v00@openssh.com"))
		fprintf(out, "strict kex: yes (both sides offer it)\n");
	else
		fprintf(out, "strict kex: no: the server does not offer "
		    "kex-strict-s-v00@openssh.com (CVE-2023-48795, Terrapin: "
		    "update its SSH server)\n");
	if (failed != NULL) {
		fprintf(out, "FAIL: jumpgate cannot talk to %s: %s has no "
		    "algorithm in common with a hop's defaults\n", who, failed);
		return 1;
	}
	fprintf(out, "OK: jumpgate can talk to %s\n", who);
	return 0;
}

/* Can this build talk to that server? See algcheck.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libssh2.h>

#include "algcheck.h"
#include "kexinit.h"
#include "log.h"
#include "wire.h"
#include "xmalloc.h"

/* Lists both sides must agree on (the language lists are not). */
#define ALGCHECK_NLISTS	8

static const char *algcheck_labels[ALGCHECK_NLISTS] = {
	"kex", "host key", "cipher client->server", "cipher server->client",
	"mac client->server", "mac server->client",
	"compression client->server", "compression server->client"
};

/* Weak algorithms jumpgate's defaults leave out, by list. */
static const struct algcheck_weak {
	int		 list;	/* -1: a cipher or a MAC list */
	const char	*prefix;
	const char	*why;
} algcheck_weak_table[] = {
	{ KEXINIT_KEX, "diffie-hellman-group1-sha1", "1024-bit group, SHA-1" },
	{ KEXINIT_KEX, "diffie-hellman-group14-sha1", "SHA-1" },
	{ KEXINIT_KEX, "diffie-hellman-group-exchange-sha1", "SHA-1" },
	{ KEXINIT_HOSTKEY, "ssh-dss", "DSA, SHA-1" },
	{ KEXINIT_HOSTKEY, "ssh-rsa", "RSA signatures with SHA-1" },
	{ KEXINIT_ENC_CS, "3des-cbc", "CBC mode" },
	{ KEXINIT_ENC_CS, "aes128-cbc", "CBC mode" },
	{ KEXINIT_ENC_CS, "aes192-cbc", "CBC mode" },
	{ KEXINIT_ENC_CS, "aes256-cbc", "CBC mode" },
	{ KEXINIT_ENC_CS, "rijndael-cbc@lysator.liu.se", "CBC mode" },
	{ KEXINIT_ENC_CS, "blowfish-cbc", "CBC mode" },
	{ KEXINIT_ENC_CS, "cast128-cbc", "CBC mode" },
	{ KEXINIT_ENC_CS, "arcfour", "RC4" },
	{ KEXINIT_MAC_CS, "hmac-sha1", "SHA-1" },
	{ KEXINIT_MAC_CS, "hmac-md5", "MD5" },
	{ KEXINIT_MAC_CS, "hmac-ripemd160", "RIPEMD-160" },
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

/* Why NAME of LIST is left out, or NULL. */
const char *
algcheck_weak(int list, const char *name)
{
	size_t	i;
	int	l = list;

	/* Both directions share one table entry. */
	if (l == KEXINIT_ENC_SC)
		l = KEXINIT_ENC_CS;
	if (l == KEXINIT_MAC_SC)
		l = KEXINIT_MAC_CS;
	for (i = 0; i < sizeof algcheck_weak_table /
	    sizeof algcheck_weak_table[0]; i++) {
		if (algcheck_weak_table[i].list == l &&
		    strncmp(name, algcheck_weak_table[i].prefix,
		    strlen(algcheck_weak_table[i].prefix)) == 0)
			return algcheck_weak_table[i].why;
	}
	return NULL;
}

/* LIST without NAME, as a new string. */
static char *
algcheck_without(const char *list, const char *name)
{
	char	*copy, *next, *p, *out, *tmp;

	out = xstrdup("");
	copy = next = xstrdup(list);
	while ((p = strsep(&next, ",")) != NULL) {
		if (*p == '\0' || strcmp(p, name) == 0)
			continue;
		xasprintf(&tmp, "%s%s%s", out, *out == '\0' ? "" : ",", p);
		free(out);
		out = tmp;
	}
	free(copy);
	return out;
}

/* What libssh2 supports for LIST, and the part jumpgate uses, as lists. */
static void
algcheck_supported(LIBSSH2_SESSION *session, int list, char **all,
    char **strong)
{
	const char	**algs = NULL;
	char		 *a, *s, *tmp;
	int		  n, i;

	a = xstrdup("");
	s = xstrdup("");
	n = libssh2_session_supported_algs(session, list, &algs);
	for (i = 0; i < n; i++) {
		xasprintf(&tmp, "%s%s%s", a, *a == '\0' ? "" : ",", algs[i]);
		free(a);
		a = tmp;
		if (algcheck_weak(list, algs[i]) != NULL)
			continue;
		xasprintf(&tmp, "%s%s%s", s, *s == '\0' ? "" : ",", algs[i]);
		free(s);
		s = tmp;
	}
	if (n > 0)
		libssh2_free(session, algs);
	/* A hop offers ssh-ed25519 first (hostkey_preferences). */
	if (list == KEXINIT_HOSTKEY && wire_namelist_has(s, "ssh-ed25519")) {
		tmp = algcheck_without(s, "ssh-ed25519");
		free(s);
		xasprintf(&s, "ssh-ed25519%s%s", *tmp == '\0' ? "" : ",", tmp);
		free(tmp);
	}
	*all = a;
	*strong = s;
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
		if (algcheck_offers_prefix(server, "rsa-sha2-"))
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
	LIBSSH2_SESSION	*session;
	char		*all, *strong, *chosen, *weak;
	const char	*failed = NULL;
	int		 i;

	if ((session = libssh2_session_init()) == NULL)
		fatal("cannot create a libssh2 session");
	fprintf(out, "# what jumpgate would use (libssh2 %s, weak algorithms "
	    "left out):\n", libssh2_version(0));
	for (i = 0; i < ALGCHECK_NLISTS; i++) {
		algcheck_supported(session, i, &all, &strong);
		chosen = algcheck_choose(strong, k->lists[i]);
		if (chosen != NULL) {
			fprintf(out, "%s: %s\n", algcheck_labels[i], chosen);
			free(chosen);
		} else {
			if (failed == NULL)
				failed = kexinit_list_name(i);
			fprintf(out, "%s: NO COMMON ALGORITHM: ",
			    algcheck_labels[i]);
			weak = algcheck_choose(all, k->lists[i]);
			if (weak != NULL) {
				fprintf(out, "only %s is common, which jumpgate "
				    "leaves out (%s); ", weak,
				    algcheck_weak(i, weak));
				free(weak);
			}
			fprintf(out, "%s\n", algcheck_advice(i, k->lists[i]));
		}
		free(all);
		free(strong);
	}
	libssh2_session_free(session);
	if (failed != NULL) {
		fprintf(out, "FAIL: jumpgate cannot talk to %s: %s has no "
		    "algorithm in common with this build\n", who, failed);
		return 1;
	}
	fprintf(out, "OK: jumpgate can talk to %s\n", who);
	return 0;
}

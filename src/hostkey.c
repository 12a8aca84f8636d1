/* Host-key policy: pins, known_hosts, strict/tofu/insecure, type steering. */
#include <stdlib.h>
#include <string.h>

#include "algorithms.h"
#include "config.h"
#include "hostkey.h"
#include "hostsig.h"
#include "knownhosts.h"
#include "log.h"
#include "wire.h"
#include "xmalloc.h"

/*
 * Return the key type host key algorithm ALG signs with: an RSA key
 * (ssh-rsa) is asked for as rsa-sha2-512, rsa-sha2-256 or ssh-rsa.
 */
static const char *
hostkey_algorithm_type(const char *alg)
{
	const char	*type = hostsig_key_type(alg);

	return type != NULL ? type : alg;
}

/*
 * Return whether a key of TYPE is one this hop may ask for: some host key
 * algorithm for it is among those hops offer (algorithms_default, ssh-rsa
 * only with allow_ssh_rsa_sha1, never ssh-dss) and in its
 * host_key_algorithms, if set. That list narrows the order but does not
 * change it: the steering towards pinned and known types comes first.
 */
static int
hostkey_type_supported(const struct config_hop *hop, const char *type)
{
	char	*all, *next, *alg;
	int	 found = 0;

	all = next = algorithms_default(ALGO_HOSTKEY, hop->allow_ssh_rsa_sha1);
	while (!found && (alg = strsep(&next, ",")) != NULL) {
		found = *alg != '\0' &&
		    strcmp(hostkey_algorithm_type(alg), type) == 0 &&
		    algorithms_hostkey_allowed(hop, alg);
	}
	free(all);
	return found;
}

/* Append the algorithms hops offer for key TYPE to BUF, see below. */
static void	hostkey_append(char *, size_t, const char *, char (*)[64],
		    size_t);

/* Append every algorithm this hop may offer for key TYPE to BUF. */
static void
hostkey_append_type(const struct config_hop *hop, char *buf, size_t len,
    const char *type, char (*excluded)[64], size_t nexcluded)
{
	char	*all, *next, *alg;

	all = next = algorithms_default(ALGO_HOSTKEY, hop->allow_ssh_rsa_sha1);
	while ((alg = strsep(&next, ",")) != NULL) {
		if (*alg != '\0' &&
		    strcmp(hostkey_algorithm_type(alg), type) == 0 &&
		    algorithms_hostkey_allowed(hop, alg))
			hostkey_append(buf, len, alg, excluded, nexcluded);
	}
	free(all);
}

/* Return whether TYPE is among the first N entries of LIST. */
static int
hostkey_type_listed(char (*list)[64], size_t n, const char *type)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (strcmp(list[i], type) == 0)
			return 1;
	}
	return 0;
}

/*
 * Append algorithm TYPE to the comma-separated list in BUF unless there, or
 * its key type is excluded.
 */
static void
hostkey_append(char *buf, size_t len, const char *type,
    char (*excluded)[64], size_t nexcluded)
{
	const char	*p;
	size_t		 tlen = strlen(type);

	if (hostkey_type_listed(excluded, nexcluded,
	    hostkey_algorithm_type(type)))
		return;
	for (p = buf; (p = strstr(p, type)) != NULL; p += tlen) {
		if ((p == buf || p[-1] == ',') && (p[tlen] == ',' ||
		    p[tlen] == '\0'))
			return;
	}
	if (*buf != '\0')
		strncat(buf, ",", len - strlen(buf) - 1);
	strncat(buf, type, len - strlen(buf) - 1);
}

/* Tell whether known_hosts narrows the key types asked for; see hostkey.h. */
int
hostkey_known_only(const struct config_hop *hop)
{
	struct knownhosts_lookup known;
	char			*cause;

	memset(&known, 0, sizeof known);
	if (hop->known_hosts == NULL || hop->npins > 0)
		return 0;
	if (knownhosts_check(hop->known_hosts, hop->host, hop->port, NULL, 0,
	    &known, &cause) != 0) {
		free(cause);
		return 0;
	}
	return known.ntypes > 0;
}

/* Build the host-key algorithm list for a hop, see hostkey.h. */
char *
hostkey_preferences(const struct config_hop *hop, char (*excluded)[64],
    size_t nexcluded)
{
	struct knownhosts_lookup known;
	char			 buf[512] = "";
	char			*cause, *all, *next, *type;
	size_t			 i;
	int			 steer_only = 0;

	memset(&known, 0, sizeof known);
	if (hop->known_hosts != NULL) {
		if (knownhosts_check(hop->known_hosts, hop->host, hop->port,
		    NULL, 0, &known, &cause) != 0) {
			log_warn("hop %s: %s", hop->name, cause);
			free(cause);
			known.ntypes = 0;
		}
		for (i = 0; i < known.ntypes; i++) {
			if (!hostkey_type_supported(hop, known.types[i]))
				continue;
			hostkey_append_type(hop, buf, sizeof buf,
			    known.types[i], excluded, nexcluded);
			steer_only = 1;
		}
	}
	/*
	 * A host known_hosts already knows is held to the types it knows,
	 * unless pins may match a key of another type; insecure too, or a
	 * man in the middle would only have to present another type.
	 */
	if (!steer_only || hop->npins > 0) {
		all = algorithms_default(ALGO_HOSTKEY, hop->allow_ssh_rsa_sha1);
		next = all;
		while ((type = strsep(&next, ",")) != NULL) {
			if (*type == '\0' ||
			    !algorithms_hostkey_allowed(hop, type))
				continue;
			hostkey_append(buf, sizeof buf, type, excluded,
			    nexcluded);
		}
		free(all);
	}
	if (*buf == '\0')
		return NULL;
	return xstrdup(buf);
}

/* Return whether FP equals one of the hop's pins. */
static int
hostkey_pinned(const struct config_hop *hop, const struct fingerprint *fp)
{
	size_t	i;

	for (i = 0; i < hop->npins; i++) {
		if (fingerprint_equal(&hop->pins[i], fp))
			return 1;
	}
	return 0;
}

/* Format the hop's pins as a comma-separated list; caller frees. */
static char *
hostkey_pin_list(const struct config_hop *hop)
{
	char	 text[FINGERPRINT_TEXT_LEN];
	char	*list = xstrdup(""), *next;
	size_t	 i;

	for (i = 0; i < hop->npins; i++) {
		fingerprint_format(&hop->pins[i], text);
		xasprintf(&next, "%s%s%s", list, i == 0 ? "" : ", ", text);
		free(list);
		list = next;
	}
	return list;
}

/* Decide about a presented host key, see hostkey.h. */
void
hostkey_verify(const struct config_hop *hop, const unsigned char *blob,
    size_t bloblen, struct hostkey_check *check)
{
	struct knownhosts_lookup known;
	struct fingerprint	 fp;
	char			 name[300], *cause, *pins;
	int			 have_known = 0;

	memset(check, 0, sizeof *check);
	fingerprint_of_blob(blob, bloblen, &fp);
	fingerprint_format(&fp, check->fingerprint);
	if (fingerprint_blob_type(blob, bloblen, check->type,
	    sizeof check->type) != 0) {
		check->verdict = HOSTKEY_REFUSED;
		check->how = xstrdup("the server sent a malformed host key");
		return;
	}
	knownhosts_hostname(hop->host, hop->port, name, sizeof name);

	memset(&known, 0, sizeof known);
	if (hop->known_hosts != NULL) {
		if (knownhosts_check(hop->known_hosts, hop->host, hop->port,
		    blob, bloblen, &known, &cause) != 0) {
			check->verdict = HOSTKEY_REFUSED;
			xasprintf(&check->how, "%s; fix the file or its "
			    "permissions", cause);
			free(cause);
			return;
		}
		have_known = 1;
	}

	if (have_known && known.result == KNOWNHOSTS_REVOKED) {
		check->verdict = HOSTKEY_REFUSED;
		xasprintf(&check->how, "the key is marked @revoked for %s in "
		    "%s:%d; this server must not be trusted", name,
		    hop->known_hosts, known.line);
		return;
	}
	if (have_known && known.result == KNOWNHOSTS_MISMATCH) {
		check->verdict = HOSTKEY_REFUSED;
		xasprintf(&check->how, "%s:%d holds another %s key for %s "
		    "(POSSIBLE MAN-IN-THE-MIDDLE); if the host key really "
		    "changed, verify the new fingerprint out of band and "
		    "replace that line", hop->known_hosts, known.line,
		    check->type, name);
		return;
	}
	if (hostkey_pinned(hop, &fp)) {
		check->verdict = HOSTKEY_TRUSTED;
		check->how = xstrdup("matches a host_key pin");
		return;
	}
	if (have_known && known.result == KNOWNHOSTS_MATCH) {
		check->verdict = HOSTKEY_TRUSTED;
		xasprintf(&check->how, "matches %s:%d", hop->known_hosts,
		    known.line);
		return;
	}

	/* Not found anywhere: insecure trusts it, unless the host is known. */
	if (hop->policy == HOSTKEY_POLICY_INSECURE && known.ntypes == 0) {
		check->verdict = HOSTKEY_TRUSTED;
		check->insecure = 1;
		check->how = xstrdup("NOT VERIFIED (host_key_policy = "
		    "insecure)");
		return;
	}
	if (hop->npins > 0) {
		pins = hostkey_pin_list(hop);
		check->verdict = HOSTKEY_UNMATCHED;
		xasprintf(&check->how, "no host_key pin matches (expected %s); "
		    "if the host key really changed, get the new one with "
		    "'jumpgate scan --pins %s:%d', verify it out of band and "
		    "update host_key", pins, hop->host, hop->port);
		free(pins);
		return;
	}
	if (hop->policy == HOSTKEY_POLICY_TOFU && known.ntypes == 0) {
		if (knownhosts_add(hop->known_hosts, hop->host, hop->port,
		    blob, bloblen, &cause) != 0) {
			check->verdict = HOSTKEY_REFUSED;
			xasprintf(&check->how, "first use, but recording the "
			    "key failed: %s", cause);
			free(cause);
			return;
		}
		check->verdict = HOSTKEY_TRUSTED;
		xasprintf(&check->how, "first use: recorded in %s "
		    "(host_key_policy = tofu)", hop->known_hosts);
		return;
	}
	check->verdict = HOSTKEY_REFUSED;
	if (known.ntypes > 0 && !hostkey_type_supported(hop,
	    known.types[0]) && known.ntypes == 1) {
		xasprintf(&check->how, "%s lists %s only with a %s key, a type "
		    "this hop does not offer (host_key_algorithms narrows the "
		    "types, ssh-dss is never offered); add the server's "
		    "ed25519 or ECDSA key, verified out of band",
		    hop->known_hosts, name, known.types[0]);
	} else if (known.ntypes > 0) {
		xasprintf(&check->how, "%s lists %s only with other key types "
		    "(%s...); verify the new key out of band and add it",
		    hop->known_hosts, name, known.types[0]);
	} else if (hop->known_hosts != NULL) {
		xasprintf(&check->how, "%s is not in %s; get its keys with "
		    "'jumpgate scan %s:%d', verify them out of band and add a "
		    "host_key pin or a known_hosts line", name,
		    hop->known_hosts, hop->host, hop->port);
	} else {
		check->how = xstrdup("no pin or known_hosts entry to check "
		    "against");
	}
}

/* Free what a check holds. */
void
hostkey_check_clear(struct hostkey_check *check)
{
	free(check->how);
	check->how = NULL;
}

/* known_hosts files with OpenSSH's semantics. */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "fingerprint.h"
#include "knownhosts.h"
#include "log.h"
#include "safefile.h"
#include "xmalloc.h"

#define KNOWNHOSTS_DEFAULT_PORT	22
#define KNOWNHOSTS_HASH_MAGIC	"|1|"
#define KNOWNHOSTS_HASH_LEN	20	/* SHA-1: both salt and HMAC */
#define KNOWNHOSTS_SPACE	" \t\r\n"
#define KNOWNHOSTS_MAX_BLOB	65536	/* far above any real public key */

enum knownhosts_marker {
	KNOWNHOSTS_MARKER_NONE,
	KNOWNHOSTS_MARKER_REVOKED,
	KNOWNHOSTS_MARKER_CA
};

/* One parsed line; the strings point into the line buffer. */
struct knownhosts_entry {
	enum knownhosts_marker	 marker;
	char			*hosts;
	char			*type;
	unsigned char		*blob;		/* allocated */
	size_t			 bloblen;
	unsigned char		 salt[KNOWNHOSTS_HASH_LEN];
	unsigned char		 hash[KNOWNHOSTS_HASH_LEN];
	int			 hashed;
};

/* Tell whether C belongs to the standard base64 alphabet. */
static int
knownhosts_is_base64(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '+' || c == '/';
}

/*
 * Decode strict, padded standard base64 (what OpenSSH writes) into a new
 * buffer. Returns 0, or -1 if S is not valid base64 or decodes to nothing.
 */
static int
knownhosts_base64_decode(const char *s, unsigned char **out, size_t *outlen)
{
	size_t		 len, i, pad;
	int		 n;
	unsigned char	*buf;

	len = strlen(s);
	if (len == 0 || len % 4 != 0 || len > INT_MAX)
		return -1;
	pad = 0;
	if (s[len - 1] == '=')
		pad = s[len - 2] == '=' ? 2 : 1;
	for (i = 0; i < len - pad; i++) {
		if (!knownhosts_is_base64(s[i]))
			return -1;
	}
	buf = xmalloc(len / 4 * 3 + 1);
	n = EVP_DecodeBlock(buf, (const unsigned char *)s, (int)len);
	if (n < 0 || (size_t)n < pad || (size_t)n - pad == 0) {
		free(buf);
		return -1;
	}
	*out = buf;
	*outlen = (size_t)n - pad;
	return 0;
}

/* Encode LEN bytes as padded base64 into a new string. */
static char *
knownhosts_base64_encode(const unsigned char *in, size_t len)
{
	char	*out;

	if (len > INT_MAX / 4 * 3 - 3)
		fatal("key blob too long to encode: %zu bytes", len);
	out = xmalloc((len + 2) / 3 * 4 + 1);
	EVP_EncodeBlock((unsigned char *)out, in, (int)len);
	return out;
}

/* Build the name OpenSSH looks up for HOST:PORT into a new string. */
static char *
knownhosts_name(const char *host, int port)
{
	char	*name, *cp;

	if (port == KNOWNHOSTS_DEFAULT_PORT || port == 0)
		name = xstrdup(host);
	else
		xasprintf(&name, "[%s]:%d", host, port);
	for (cp = name; *cp != '\0'; cp++)
		*cp = (char)tolower((unsigned char)*cp);
	return name;
}

/*
 * Format the name ssh looks up, lowercased as ssh lowercases host names
 * (ssh-keygen -H hashes lowercased names too). OUT is truncated if short.
 */
void
knownhosts_hostname(const char *host, int port, char *out, size_t outlen)
{
	char	*name;
	size_t	 len;

	if (outlen == 0)
		return;
	name = knownhosts_name(host, port);
	len = strlen(name);
	if (len >= outlen)
		len = outlen - 1;
	memcpy(out, name, len);
	out[len] = '\0';
	free(name);
}

/* Hash the name ssh looks up for HOST:PORT, see knownhosts.h. */
char *
knownhosts_hashed_name(const char *host, int port)
{
	unsigned char	 salt[KNOWNHOSTS_HASH_LEN], md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen = 0;
	char		*name, *b64salt, *b64hash, *out;

	if (RAND_bytes(salt, sizeof salt) != 1)
		fatal("cannot get random bytes for a hashed host name");
	name = knownhosts_name(host, port);
	if (HMAC(EVP_sha1(), salt, sizeof salt, (const unsigned char *)name,
	    strlen(name), md, &mdlen) == NULL || mdlen != KNOWNHOSTS_HASH_LEN)
		fatal("HMAC-SHA1 failed");
	b64salt = knownhosts_base64_encode(salt, sizeof salt);
	b64hash = knownhosts_base64_encode(md, KNOWNHOSTS_HASH_LEN);
	xasprintf(&out, "%s%s|%s", KNOWNHOSTS_HASH_MAGIC, b64salt, b64hash);
	free(b64salt);
	free(b64hash);
	free(name);
	return out;
}

/* Match NAME against the glob P of PLEN bytes, ignoring case. */
static int
knownhosts_glob(const char *name, const char *p, size_t plen)
{
	const char	*s = name, *retry = NULL;
	size_t		 pi = 0, star = 0;
	int		 have_star = 0;

	while (*s != '\0') {
		if (pi < plen && p[pi] == '*') {
			have_star = 1;
			star = pi++;
			retry = s;
			continue;
		}
		if (pi < plen && (p[pi] == '?' ||
		    tolower((unsigned char)p[pi]) ==
		    tolower((unsigned char)*s))) {
			pi++;
			s++;
			continue;
		}
		if (!have_star)
			return 0;
		pi = star + 1;
		s = ++retry;
	}
	while (pi < plen && p[pi] == '*')
		pi++;
	return pi == plen;
}

/*
 * Match NAME against a comma-separated pattern list. Returns 1 if a
 * pattern matches, -1 if a negated pattern matches (which overrides any
 * positive match), 0 otherwise.
 */
static int
knownhosts_match_list(const char *name, const char *list)
{
	const char	*p, *end;
	size_t		 len;
	int		 negated, positive = 0;

	for (p = list;; p = end + 1) {
		end = strchr(p, ',');
		len = end != NULL ? (size_t)(end - p) : strlen(p);
		negated = len > 0 && *p == '!';
		if (knownhosts_glob(name, p + negated, len - negated)) {
			if (negated)
				return -1;
			positive = 1;
		}
		if (end == NULL)
			break;
	}
	return positive;
}

/* Decode a "|1|salt|hash" host field; returns 0, or -1 if malformed. */
static int
knownhosts_parse_hash(const char *field, struct knownhosts_entry *e)
{
	const char	*salt, *sep;
	char		*s;
	unsigned char	*buf;
	size_t		 len;
	int		 ok;

	if (strncmp(field, KNOWNHOSTS_HASH_MAGIC,
	    strlen(KNOWNHOSTS_HASH_MAGIC)) != 0)
		return -1;
	salt = field + strlen(KNOWNHOSTS_HASH_MAGIC);
	if ((sep = strchr(salt, '|')) == NULL)
		return -1;

	s = xstrndup(salt, (size_t)(sep - salt));
	ok = knownhosts_base64_decode(s, &buf, &len) == 0;
	free(s);
	if (!ok)
		return -1;
	ok = len == KNOWNHOSTS_HASH_LEN;
	if (ok)
		memcpy(e->salt, buf, KNOWNHOSTS_HASH_LEN);
	free(buf);
	if (!ok)
		return -1;

	if (knownhosts_base64_decode(sep + 1, &buf, &len) != 0)
		return -1;
	ok = len == KNOWNHOSTS_HASH_LEN;
	if (ok)
		memcpy(e->hash, buf, KNOWNHOSTS_HASH_LEN);
	free(buf);
	return ok ? 0 : -1;
}

/* Tell whether the hashed entry E was made from NAME. */
static int
knownhosts_match_hash(const char *name, const struct knownhosts_entry *e)
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	mdlen = 0;

	if (HMAC(EVP_sha1(), e->salt, KNOWNHOSTS_HASH_LEN,
	    (const unsigned char *)name, strlen(name), md, &mdlen) == NULL ||
	    mdlen != KNOWNHOSTS_HASH_LEN)
		fatal("HMAC-SHA1 failed");
	return CRYPTO_memcmp(md, e->hash, KNOWNHOSTS_HASH_LEN) == 0;
}

/* Tell whether entry E applies to NAME. */
static int
knownhosts_applies(const char *name, const struct knownhosts_entry *e)
{
	if (e->hashed)
		return knownhosts_match_hash(name, e);
	return knownhosts_match_list(name, e->hosts) == 1;
}

/* Split off the next whitespace-separated field of *CP, or return NULL. */
static char *
knownhosts_next_field(char **cp)
{
	char	*start;

	start = *cp + strspn(*cp, KNOWNHOSTS_SPACE);
	if (*start == '\0') {
		*cp = start;
		return NULL;
	}
	*cp = start + strcspn(start, KNOWNHOSTS_SPACE);
	if (**cp != '\0')
		*(*cp)++ = '\0';
	return start;
}

/*
 * Parse LINE (modified in place) into E. Returns 1 for a usable entry, 0
 * for a blank or comment line, or -1 with *WHY saying what is wrong. On 1
 * the caller frees E->blob.
 */
static int
knownhosts_parse_line(char *line, struct knownhosts_entry *e,
    const char **why)
{
	char	*cp = line, *field, *key;
	char	 blobtype[KNOWNHOSTS_TYPE_LEN];

	memset(e, 0, sizeof *e);
	cp += strspn(cp, KNOWNHOSTS_SPACE);
	if (*cp == '\0' || *cp == '#')
		return 0;

	field = knownhosts_next_field(&cp);
	if (*field == '@') {
		if (strcmp(field, "@revoked") == 0)
			e->marker = KNOWNHOSTS_MARKER_REVOKED;
		else if (strcmp(field, "@cert-authority") == 0)
			e->marker = KNOWNHOSTS_MARKER_CA;
		else {
			*why = "unknown marker (expected @revoked or "
			    "@cert-authority)";
			return -1;
		}
		field = knownhosts_next_field(&cp);
	}
	e->hosts = field;
	e->type = knownhosts_next_field(&cp);
	key = knownhosts_next_field(&cp);
	if (e->hosts == NULL || e->type == NULL || key == NULL) {
		*why = "too few fields (expected host patterns, key type and "
		    "base64 key)";
		return -1;
	}

	if (*e->hosts == '|') {
		if (knownhosts_parse_hash(e->hosts, e) != 0) {
			*why = "malformed hashed host name (expected "
			    "|1|base64 salt|base64 hash)";
			return -1;
		}
		e->hashed = 1;
	}

	if (knownhosts_base64_decode(key, &e->blob, &e->bloblen) != 0) {
		*why = "key is not valid base64";
		return -1;
	}
	if (fingerprint_blob_type(e->blob, e->bloblen, blobtype,
	    sizeof blobtype) != 0) {
		*why = "key blob is malformed";
		goto bad;
	}
	if (strcmp(blobtype, e->type) != 0) {
		*why = "key type field does not match the type inside the key";
		goto bad;
	}
	return 1;

bad:
	free(e->blob);
	e->blob = NULL;
	return -1;
}

/* Record TYPE in the lookup's list unless already there or full. */
static void
knownhosts_add_type(struct knownhosts_lookup *kl, const char *type)
{
	size_t	i;

	for (i = 0; i < kl->ntypes; i++) {
		if (strcmp(kl->types[i], type) == 0)
			return;
	}
	if (kl->ntypes == KNOWNHOSTS_MAX_TYPES)
		return;
	/* The blob check bounds type names to KNOWNHOSTS_TYPE_LEN - 1. */
	memcpy(kl->types[kl->ntypes], type, strlen(type) + 1);
	kl->ntypes++;
}

/*
 * Look up HOST:PORT in PATH. Every line is parsed, so a bad one is reported
 * whichever host it is for; @cert-authority only when it applies here.
 */
int
knownhosts_check(const char *path, const char *host, int port,
    const unsigned char *blob, size_t bloblen, struct knownhosts_lookup *kl,
    char **cause)
{
	struct knownhosts_entry	 e;
	FILE			*f;
	char			*line = NULL, *name;
	char			 type[KNOWNHOSTS_TYPE_LEN];
	const char		*why;
	size_t			 size = 0;
	int			 lineno = 0, r, same;
	int			 revoked = 0, match = 0, mismatch = 0;

	type[0] = '\0';
	memset(kl, 0, sizeof *kl);
	kl->result = KNOWNHOSTS_NOTFOUND;
	if (blob != NULL &&
	    fingerprint_blob_type(blob, bloblen, type, sizeof type) != 0) {
		xasprintf(cause, "host key blob is malformed");
		return -1;
	}

	if ((f = fopen(path, "re")) == NULL) {
		if (errno == ENOENT)
			return 0;
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return -1;
	}
	name = knownhosts_name(host, port);

	while (getline(&line, &size, f) != -1) {
		lineno++;
		r = knownhosts_parse_line(line, &e, &why);
		if (r == 0)
			continue;
		if (r == -1) {
			log_warn("%s:%d: %s; line ignored", path, lineno, why);
			continue;
		}
		if (!knownhosts_applies(name, &e)) {
			free(e.blob);
			continue;
		}
		if (e.marker == KNOWNHOSTS_MARKER_CA) {
			log_warn("%s:%d: @cert-authority entries are not "
			    "supported; line ignored", path, lineno);
			free(e.blob);
			continue;
		}

		same = blob != NULL && e.bloblen == bloblen &&
		    memcmp(e.blob, blob, bloblen) == 0;
		free(e.blob);
		if (e.marker == KNOWNHOSTS_MARKER_REVOKED) {
			if (same && revoked == 0)
				revoked = lineno;
			continue;
		}
		knownhosts_add_type(kl, e.type);
		if (blob == NULL || strcmp(e.type, type) != 0)
			continue;
		if (same && match == 0)
			match = lineno;
		else if (!same && mismatch == 0)
			mismatch = lineno;
	}
	if (ferror(f)) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		free(line);
		free(name);
		fclose(f);
		return -1;
	}
	free(line);
	free(name);
	fclose(f);

	if (revoked != 0) {
		kl->result = KNOWNHOSTS_REVOKED;
		kl->line = revoked;
	} else if (match != 0) {
		kl->result = KNOWNHOSTS_MATCH;
		kl->line = match;
	} else if (mismatch != 0) {
		kl->result = KNOWNHOSTS_MISMATCH;
		kl->line = mismatch;
	}
	return 0;
}

/* Check that HOST can be written as a known_hosts name as it stands. */
static int
knownhosts_valid_host(const char *host)
{
	const char	*cp;

	if (*host == '\0')
		return 0;
	for (cp = host; *cp != '\0'; cp++) {
		if (!(*cp >= 'a' && *cp <= 'z') && !(*cp >= 'A' && *cp <= 'Z') &&
		    !(*cp >= '0' && *cp <= '9') && strchr("-._:%", *cp) == NULL)
			return 0;
	}
	return 1;
}

/*
 * Append an entry for HOST:PORT to PATH, see knownhosts.h. A symbolic link
 * at PATH is followed, so that the file it names is replaced and not the
 * link, but only where no other user could have planted it (safefile.h).
 * The old file's mode is not kept: the result is always 0600.
 */
int
knownhosts_add(const char *path, const char *host, int port,
    const unsigned char *blob, size_t bloblen, char **cause)
{
	char	 type[KNOWNHOSTS_TYPE_LEN];
	char	*leaf = NULL, *old = NULL, *b64 = NULL, *name = NULL;
	char	*data = NULL, *entry = NULL, *why = NULL;
	size_t	 oldlen = 0, len;
	int	 dirfd, rv = -1;

	if (port < 1 || port > 65535) {
		xasprintf(cause, "port %d out of range", port);
		return -1;
	}
	if (!knownhosts_valid_host(host)) {
		xasprintf(cause, "host name \"%s\" cannot be written to "
		    "known_hosts", host);
		return -1;
	}
	if (bloblen > KNOWNHOSTS_MAX_BLOB ||
	    fingerprint_blob_type(blob, bloblen, type, sizeof type) != 0) {
		xasprintf(cause, "host key blob is malformed");
		return -1;
	}

	if ((dirfd = safefile_open_dir(path, SAFEFILE_FOLLOW_LEAF, &leaf,
	    &why)) == -1)
		goto refused;
	if (safefile_check_file(dirfd, leaf, path, &why) == -1 ||
	    safefile_read(dirfd, leaf, path, &old, &oldlen, &why) != 0)
		goto refused;

	name = knownhosts_name(host, port);
	b64 = knownhosts_base64_encode(blob, bloblen);
	xasprintf(&entry, "%s%s %s %s\n",
	    oldlen > 0 && old[oldlen - 1] != '\n' ? "\n" : "", name, type, b64);
	len = strlen(entry);
	data = xmalloc(oldlen + len);
	if (oldlen > 0)
		memcpy(data, old, oldlen);
	memcpy(data + oldlen, entry, len);
	if (safefile_replace(dirfd, leaf, path, data, oldlen + len,
	    S_IRUSR|S_IWUSR, cause) != 0)
		goto out;
	rv = 0;
	goto out;

refused:
	xasprintf(cause, "refusing to write %s: %s", path, why);
out:
	if (dirfd != -1)
		close(dirfd);
	free(why);
	free(data);
	free(entry);
	free(b64);
	free(name);
	free(old);
	free(leaf);
	return rv;
}

/* Parse and check OpenSSH user certificates; see cert.h. */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "cert.h"
#include "fingerprint.h"
#include "vis.h"
#include "wire.h"
#include "xmalloc.h"

/* Longest key type name (RFC 4251 §6). */
#define CERT_MAX_TYPE		64
/* Largest private key file read to find its public key. */
#define CERT_IDENTITY_MAX	(64 * 1024)

#define CERT_SUFFIX		"-cert-v01@openssh.com"
#define CERT_KEY_BEGIN		"-----BEGIN OPENSSH PRIVATE KEY-----"
#define CERT_KEY_END		"-----END OPENSSH PRIVATE KEY-----"
#define CERT_KEY_MAGIC		"openssh-key-v1"	/* and its NUL */

/* A certificate key type: its key's own type, and that key's fields. */
struct cert_kind {
	const char	*type;
	const char	*key_type;
	int		 nfields;	/* strings (mpints) after the nonce */
	int		 usable;	/* libssh2 1.11.1 signs for it */
};

static const struct cert_kind cert_kinds[] = {
	{ "ssh-ed25519-cert-v01@openssh.com", "ssh-ed25519", 1, 1 },
	{ "ssh-rsa-cert-v01@openssh.com", "ssh-rsa", 2, 1 },
	{ "ecdsa-sha2-nistp256-cert-v01@openssh.com", "ecdsa-sha2-nistp256",
	  2, 1 },
	{ "ecdsa-sha2-nistp384-cert-v01@openssh.com", "ecdsa-sha2-nistp384",
	  2, 1 },
	{ "ecdsa-sha2-nistp521-cert-v01@openssh.com", "ecdsa-sha2-nistp521",
	  2, 1 },
	{ "sk-ssh-ed25519-cert-v01@openssh.com", "sk-ssh-ed25519@openssh.com",
	  2, 0 },
	{ "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com",
	  "sk-ecdsa-sha2-nistp256@openssh.com", 3, 0 },
	{ "ssh-dss-cert-v01@openssh.com", "ssh-dss", 4, 0 },
};
#define CERT_NKINDS	(sizeof cert_kinds / sizeof cert_kinds[0])

/* Find the kind of certificate type NAME (LEN bytes); NULL if unknown. */
static const struct cert_kind *
cert_find_kind(const void *name, size_t len)
{
	size_t	i;

	for (i = 0; i < CERT_NKINDS; i++) {
		if (strlen(cert_kinds[i].type) == len &&
		    memcmp(cert_kinds[i].type, name, len) == 0)
			return &cert_kinds[i];
	}
	return NULL;
}

/* Free a certificate. */
void
cert_free(struct cert *c)
{
	if (c == NULL)
		return;
	free(c->blob);
	free(c->key_id);
	free(c->principals);
	free(c);
}

/* Escape the principals, a buffer of strings, comma-separated into C. */
static int
cert_parse_principals(struct cert *c, const unsigned char *p, size_t len,
    char **cause)
{
	struct wire_reader	 r;
	const unsigned char	*name;
	size_t			 namelen, n = 0;
	char			*text, *joined = xstrdup(""), *more;

	wire_reader_init(&r, p, len);
	while (wire_left(&r) > 0) {
		if (wire_get_string(&r, &name, &namelen) != 0) {
			xasprintf(cause, "its principals are truncated");
			free(joined);
			return -1;
		}
		if (++n > CERT_MAX_PRINCIPALS) {
			xasprintf(cause, "it has more than %d principals",
			    CERT_MAX_PRINCIPALS);
			free(joined);
			return -1;
		}
		text = vis_dup(name, namelen, 0);
		xasprintf(&more, "%s%s%s", joined, *joined != '\0' ? "," : "",
		    text);
		free(text);
		free(joined);
		joined = more;
	}
	c->principals = joined;
	return 0;
}

/* Parse a certificate blob; see cert.h. */
struct cert *
cert_parse(const void *blob, size_t len, char **cause)
{
	struct wire_reader	 r;
	struct cert		*c;
	const struct cert_kind	*kind;
	const unsigned char	*s, *key_start, *principals;
	size_t			 slen, principals_len;
	char			*type;
	int			 i;

	c = xcalloc(1, sizeof *c);
	c->blob = xmalloc(len > 0 ? len : 1);
	if (len > 0)
		memcpy(c->blob, blob, len);
	c->bloblen = len;
	wire_reader_init(&r, c->blob, len);

	if (wire_get_string(&r, &s, &slen) != 0) {
		xasprintf(cause, "it is too short to hold a key type");
		goto fail;
	}
	if ((kind = cert_find_kind(s, slen)) == NULL) {
		type = vis_dup(s, slen > CERT_MAX_TYPE ? CERT_MAX_TYPE : slen,
		    0);
		xasprintf(cause, "its key type \"%s%s\" is not an OpenSSH "
		    "certificate type", type, slen > CERT_MAX_TYPE ? "..." : "");
		free(type);
		goto fail;
	}
	c->type = kind->type;
	c->key_type = kind->key_type;
	c->usable = kind->usable;

	if (wire_get_string(&r, &s, &slen) != 0) {
		xasprintf(cause, "it is truncated in its nonce");
		goto fail;
	}
	key_start = r.p + r.off;
	for (i = 0; i < kind->nfields; i++) {
		if (wire_get_string(&r, &s, &slen) != 0) {
			xasprintf(cause, "it is truncated in its %s public key",
			    kind->key_type);
			goto fail;
		}
	}
	c->key = key_start;
	c->keylen = (size_t)(r.p + r.off - key_start);

	if (wire_get_u64(&r, &c->serial) != 0 ||
	    wire_get_u32(&r, &c->cert_type) != 0) {
		xasprintf(cause, "it is truncated in its serial or type");
		goto fail;
	}
	if (wire_get_string(&r, &s, &slen) != 0) {
		xasprintf(cause, "it is truncated in its key ID");
		goto fail;
	}
	c->key_id = vis_dup(s, slen, 0);
	if (wire_get_string(&r, &principals, &principals_len) != 0) {
		xasprintf(cause, "it is truncated in its principals");
		goto fail;
	}
	if (cert_parse_principals(c, principals, principals_len, cause) != 0)
		goto fail;
	if (wire_get_u64(&r, &c->valid_after) != 0 ||
	    wire_get_u64(&r, &c->valid_before) != 0) {
		xasprintf(cause, "it is truncated in its validity interval");
		goto fail;
	}
	if (wire_get_string(&r, &s, &slen) != 0 ||	/* critical options */
	    wire_get_string(&r, &s, &slen) != 0 ||	/* extensions */
	    wire_get_string(&r, &s, &slen) != 0) {	/* reserved */
		xasprintf(cause, "it is truncated in its options or "
		    "extensions");
		goto fail;
	}
	if (wire_get_string(&r, &s, &slen) != 0 || slen == 0) {
		xasprintf(cause, "it is truncated in its CA key");
		goto fail;
	}
	if (wire_get_string(&r, &s, &slen) != 0 || slen == 0) {
		xasprintf(cause, "it is truncated in its signature");
		goto fail;
	}
	if (wire_left(&r) != 0) {
		xasprintf(cause, "it has %zu bytes after its signature",
		    wire_left(&r));
		goto fail;
	}
	if (c->cert_type != CERT_TYPE_USER) {
		xasprintf(cause, "it is a %s certificate, not a user "
		    "certificate (ssh-keygen -s without -h)",
		    c->cert_type == CERT_TYPE_HOST ? "host" : "unknown type of");
		goto fail;
	}
	return c;

fail:
	cert_free(c);
	return NULL;
}

/* Tell whether C belongs to the base64 alphabet (padding aside). */
static int
cert_is_base64(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '+' || c == '/';
}

/*
 * Decode the LEN bytes of base64 at TEXT, skipping white space (PEM
 * lines). Returns the bytes (caller frees, wiping if secret) and *OUTLEN,
 * or NULL if TEXT is not base64.
 */
static unsigned char *
cert_base64(const char *text, size_t len, size_t *outlen)
{
	char		*clean;
	unsigned char	*out;
	size_t		 i, n = 0, pad = 0;
	int		 got;

	clean = xmalloc(len + 1);
	for (i = 0; i < len; i++) {
		if (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' ||
		    text[i] == '\n')
			continue;
		if (text[i] == '=') {
			pad++;
		} else if (!cert_is_base64((unsigned char)text[i]) || pad > 0)
			goto fail;
		clean[n++] = text[i];
	}
	if (n == 0 || n % 4 != 0 || pad > 2 || n > INT32_MAX)
		goto fail;
	out = xmalloc(n / 4 * 3);
	got = EVP_DecodeBlock(out, (unsigned char *)clean, (int)n);
	freezero(clean, len + 1);
	if (got < 0 || (size_t)got < pad) {
		freezero(out, n / 4 * 3);
		return NULL;
	}
	*outlen = (size_t)got - pad;
	return out;

fail:
	freezero(clean, len + 1);
	return NULL;
}

/* Parse the first line of a certificate file; see cert.h. */
struct cert *
cert_parse_text(const char *text, size_t len, char **cause)
{
	struct cert	*c;
	const char	*end, *type, *b64;
	size_t		 typelen, b64len;
	unsigned char	*blob;
	size_t		 bloblen;
	char		*shown, *why;

	if ((end = memchr(text, '\n', len)) != NULL)
		len = (size_t)(end - text);
	while (len > 0 && (text[len - 1] == '\r' || text[len - 1] == ' ' ||
	    text[len - 1] == '\t'))
		len--;
	while (len > 0 && (*text == ' ' || *text == '\t')) {
		text++;
		len--;
	}
	if (len == 0) {
		xasprintf(cause, "it is empty, or its first line is");
		return NULL;
	}
	if (memchr(text, '\0', len) != NULL) {
		xasprintf(cause, "it is not text (a NUL byte on its first line)");
		return NULL;
	}
	type = text;
	for (typelen = 0; typelen < len && type[typelen] != ' ' &&
	    type[typelen] != '\t'; typelen++)
		;
	if (typelen < sizeof CERT_SUFFIX || typelen > CERT_MAX_TYPE ||
	    memcmp(type + typelen - (sizeof CERT_SUFFIX - 1), CERT_SUFFIX,
	    sizeof CERT_SUFFIX - 1) != 0) {
		shown = vis_dup(type, typelen > CERT_MAX_TYPE ? CERT_MAX_TYPE :
		    typelen, 0);
		xasprintf(cause, "it is not an OpenSSH certificate: it starts "
		    "with \"%s%s\", not a type ending in " CERT_SUFFIX "; if "
		    "it is a public key, sign it (ssh-keygen -s CA_KEY -I ID "
		    "-n USER KEY.pub writes KEY-cert.pub)", shown,
		    typelen > CERT_MAX_TYPE ? "..." : "");
		free(shown);
		return NULL;
	}
	b64 = type + typelen;
	while (b64 < text + len && (*b64 == ' ' || *b64 == '\t'))
		b64++;
	for (b64len = 0; b64 + b64len < text + len && b64[b64len] != ' ' &&
	    b64[b64len] != '\t'; b64len++)
		;
	if (b64len == 0 || (blob = cert_base64(b64, b64len, &bloblen)) ==
	    NULL) {
		xasprintf(cause, "it is not an OpenSSH certificate: no valid "
		    "base64 after its key type");
		return NULL;
	}
	if ((c = cert_parse(blob, bloblen, &why)) == NULL) {
		xasprintf(cause, "it is not a valid OpenSSH certificate: %s",
		    why);
		free(why);
		free(blob);
		return NULL;
	}
	free(blob);
	if (strlen(c->type) != typelen || memcmp(c->type, type, typelen) != 0) {
		shown = vis_dup(type, typelen, 0);
		xasprintf(cause, "it is not a valid OpenSSH certificate: its "
		    "line says %s but the certificate is %s", shown, c->type);
		free(shown);
		cert_free(c);
		return NULL;
	}
	return c;
}

/*
 * Read all of regular file PATH, at most MAX bytes, following a link, into
 * *BUF (caller frees; NUL-terminated) and *LEN. Returns 0, or -1 with
 * errno set (EFBIG: too large; EINVAL: not a regular file).
 */
static int
cert_read_file(const char *path, size_t max, char **buf, size_t *len)
{
	struct stat	 sb;
	char		*p;
	size_t		 have = 0;
	ssize_t		 n;
	int		 fd, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) == -1)
		return -1;
	if (fstat(fd, &sb) == -1)
		goto fail;
	if (!S_ISREG(sb.st_mode)) {
		errno = EINVAL;
		goto fail;
	}
	if (sb.st_size < 0 || (uintmax_t)sb.st_size > max) {
		errno = EFBIG;
		goto fail;
	}
	p = xmalloc(max + 1);
	for (;;) {
		n = read(fd, p + have, max + 1 - have);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			saved = errno;
			freezero(p, max + 1);
			close(fd);
			errno = saved;
			return -1;
		}
		if (n == 0)
			break;
		have += (size_t)n;
		if (have > max) {	/* it grew since fstat */
			freezero(p, max + 1);
			close(fd);
			errno = EFBIG;
			return -1;
		}
	}
	close(fd);
	p[have] = '\0';
	*buf = p;
	*len = have;
	return 0;

fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

/* Read and parse a certificate file; see cert.h. */
struct cert *
cert_load(const char *path, char **cause)
{
	struct cert	*c;
	char		*text, *why;
	size_t		 len;

	if (cert_read_file(path, CERT_FILE_MAX, &text, &len) != 0) {
		if (errno == EFBIG)
			xasprintf(cause, "certificate %s is larger than %d "
			    "bytes; name the -cert.pub file ssh-keygen -s wrote",
			    path, CERT_FILE_MAX);
		else if (errno == EINVAL)
			xasprintf(cause, "certificate %s is not a regular "
			    "file", path);
		else
			xasprintf(cause, "cannot read certificate %s: %s "
			    "(jumpgate runs as uid %ld)", path,
			    strerror(errno), (long)geteuid());
		return NULL;
	}
	c = cert_parse_text(text, len, &why);
	free(text);
	if (c == NULL) {
		xasprintf(cause, "certificate %s: %s", path, why);
		free(why);
		return NULL;
	}
	return c;
}

/* Write T as a UTC date; see cert.h. */
void
cert_format_time(uint64_t t, char *buf, size_t len)
{
	struct tm	tm;
	time_t		tt;

	/* Beyond year 9999 nobody cares which second it is. */
	if (t == CERT_FOREVER || t > 253402300799ULL) {
		snprintf(buf, len, "forever");
		return;
	}
	tt = (time_t)t;
	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(buf, len, "%llu", (unsigned long long)t);
}

/* Describe the window "from A to B" into BUF. */
static void
cert_window(const struct cert *c, char *buf, size_t len)
{
	char	after[CERT_TIME_LEN], before[CERT_TIME_LEN];

	if (c->valid_after == 0)
		snprintf(after, sizeof after, "always");
	else
		cert_format_time(c->valid_after, after, sizeof after);
	cert_format_time(c->valid_before, before, sizeof before);
	snprintf(buf, len, "valid from %s to %s", after, before);
}

/* Check the validity window; see cert.h. */
int
cert_check_time(const struct cert *c, const char *path, time_t now,
    char **cause)
{
	char		window[2 * CERT_TIME_LEN + 32], at[CERT_TIME_LEN];
	uint64_t	t = now < 0 ? 0 : (uint64_t)now;

	cert_window(c, window, sizeof window);
	cert_format_time(t, at, sizeof at);
	if (t < c->valid_after) {
		xasprintf(cause, "certificate %s is not valid yet (%s; it is "
		    "now %s); check this machine's clock, or sign one valid "
		    "from now (ssh-keygen -s ... -V)", path, window, at);
		return -1;
	}
	if (t >= c->valid_before) {
		xasprintf(cause, "certificate %s has expired (%s; it is now "
		    "%s); sign a new one for the identity's key "
		    "(ssh-keygen -s CA_KEY -I ID -n USER -V ... KEY.pub)", path,
		    window, at);
		return -1;
	}
	return 0;
}

/* Format the fingerprint of the plain key TYPE + KEY fields into OUT. */
static void
cert_key_fingerprint(const char *type, const unsigned char *key,
    size_t keylen, char *out)
{
	struct wire_buf		b = { NULL, 0, 0 };
	struct fingerprint	fp;

	wire_put_cstring(&b, type);
	wire_put(&b, key, keylen);
	fingerprint_of_blob(b.p, b.len, &fp);
	fingerprint_format(&fp, out);
	wire_buf_free(&b);
}

/*
 * Find the public key of an OpenSSH private key file's text (TEXT, LEN
 * bytes): *TYPE (escaped, caller frees) and its fields, copied to *KEY
 * (caller frees). Returns 0, or -1 if it is not in that format.
 */
static int
cert_identity_public(const char *text, size_t len, char **type,
    unsigned char **key, size_t *keylen)
{
	struct wire_reader	 r, pr;
	const char		*begin, *end;
	const unsigned char	*s, *pub, *tname;
	unsigned char		*raw;
	size_t			 rawlen, slen, publen, tlen;
	uint32_t		 nkeys;
	int			 rc = -1;

	while (len > 0 && (*text == ' ' || *text == '\t' || *text == '\r' ||
	    *text == '\n')) {
		text++;
		len--;
	}
	if (len < sizeof CERT_KEY_BEGIN - 1 ||
	    memcmp(text, CERT_KEY_BEGIN, sizeof CERT_KEY_BEGIN - 1) != 0)
		return -1;
	begin = text + sizeof CERT_KEY_BEGIN - 1;
	if ((end = memmem(begin, len - (size_t)(begin - text), CERT_KEY_END,
	    sizeof CERT_KEY_END - 1)) == NULL)
		return -1;
	if ((raw = cert_base64(begin, (size_t)(end - begin), &rawlen)) == NULL)
		return -1;
	wire_reader_init(&r, raw, rawlen);
	if (wire_get_bytes(&r, sizeof CERT_KEY_MAGIC, &s) != 0 ||
	    memcmp(s, CERT_KEY_MAGIC, sizeof CERT_KEY_MAGIC) != 0 ||
	    wire_get_string(&r, &s, &slen) != 0 ||	/* cipher */
	    wire_get_string(&r, &s, &slen) != 0 ||	/* kdf */
	    wire_get_string(&r, &s, &slen) != 0 ||	/* kdf options */
	    wire_get_u32(&r, &nkeys) != 0 || nkeys < 1 ||
	    wire_get_string(&r, &pub, &publen) != 0)
		goto out;
	wire_reader_init(&pr, pub, publen);
	if (wire_get_string(&pr, &tname, &tlen) != 0)
		goto out;
	*type = vis_dup(tname, tlen > CERT_MAX_TYPE ? CERT_MAX_TYPE : tlen, 0);
	*keylen = wire_left(&pr);
	*key = xmalloc(*keylen > 0 ? *keylen : 1);
	memcpy(*key, pub + pr.off, *keylen);
	rc = 0;
out:
	freezero(raw, rawlen);
	return rc;
}

/* Check the certificate against the identity's key; see cert.h. */
int
cert_check_identity(const struct cert *c, const char *path,
    const char *identity, char **cause)
{
	char		*text, *type;
	unsigned char	*key;
	size_t		 len, keylen;
	char		 fpc[FINGERPRINT_TEXT_LEN], fpi[FINGERPRINT_TEXT_LEN];
	int		 rc;

	if (cert_read_file(identity, CERT_IDENTITY_MAX, &text, &len) != 0)
		return 0;	/* reported when the hop connects */
	rc = cert_identity_public(text, len, &type, &key, &keylen);
	freezero(text, CERT_IDENTITY_MAX + 1);
	if (rc != 0)
		return 0;	/* another format: libssh2 will tell */
	rc = 0;
	if (strcmp(type, c->key_type) != 0) {
		xasprintf(cause, "certificate %s is for an %s key but identity "
		    "%s is an %s key; name the certificate of that key", path,
		    c->key_type, identity, type);
		rc = -1;
	} else if (keylen != c->keylen || memcmp(key, c->key, keylen) != 0) {
		cert_key_fingerprint(c->key_type, c->key, c->keylen, fpc);
		cert_key_fingerprint(type, key, keylen, fpi);
		xasprintf(cause, "certificate %s is for key %s but identity %s "
		    "is key %s; name the certificate of that key, or sign it "
		    "(ssh-keygen -s CA_KEY -I ID -n USER %s.pub)", path, fpc,
		    identity, fpi, identity);
		rc = -1;
	}
	free(type);
	free(key);
	return rc;
}

/* Describe the certificate in one line; see cert.h. */
char *
cert_describe(const struct cert *c)
{
	char	 window[2 * CERT_TIME_LEN + 32], *s;

	cert_window(c, window, sizeof window);
	xasprintf(&s, "%s user certificate, key ID \"%s\", principals %s, "
	    "serial %llu, %s", c->key_type, c->key_id,
	    *c->principals != '\0' ? c->principals : "(none)",
	    (unsigned long long)c->serial, window);
	return s;
}

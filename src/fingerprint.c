/* SHA256 host-key fingerprints in the form ssh-keygen -lf prints. */
#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "fingerprint.h"
#include "log.h"

#define FINGERPRINT_PREFIX	"SHA256:"
#define FINGERPRINT_PREFIX_LEN	7
#define FINGERPRINT_B64_LEN	43	/* 32 bytes, unpadded */
#define FINGERPRINT_MD5_LEN	47	/* 16 hex pairs joined by ':' */

static const char *fingerprint_cause_form =
    "expected SHA256: followed by 43 base64 characters, as ssh-keygen -lf "
    "prints";
static const char *fingerprint_cause_md5 =
    "MD5 fingerprints are not accepted; use the SHA256 form";

/* Tell whether C belongs to the standard base64 alphabet. */
static int
fingerprint_is_base64(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '+' || c == '/';
}

/* Tell whether TEXT looks like a legacy MD5 fingerprint (aa:bb:...:ff). */
static int
fingerprint_is_md5_hex(const char *text)
{
	size_t	i;

	if (strlen(text) != FINGERPRINT_MD5_LEN)
		return 0;
	for (i = 0; i < FINGERPRINT_MD5_LEN; i++) {
		if (i % 3 == 2) {
			if (text[i] != ':')
				return 0;
		} else if (!isxdigit((unsigned char)text[i]))
			return 0;
	}
	return 1;
}

/* Parse a pinned fingerprint, strictly. */
int
fingerprint_parse(const char *text, struct fingerprint *fp,
    const char **cause)
{
	struct fingerprint	 parsed;
	char			 padded[FINGERPRINT_B64_LEN + 2];
	char			 check[FINGERPRINT_TEXT_LEN];
	unsigned char		 raw[FINGERPRINT_HASH_LEN + 1];
	const char		*b64;
	size_t			 len, i;

	if (strncasecmp(text, "MD5:", 4) == 0 || fingerprint_is_md5_hex(text)) {
		*cause = fingerprint_cause_md5;
		return -1;
	}
	if (strncmp(text, FINGERPRINT_PREFIX, FINGERPRINT_PREFIX_LEN) != 0) {
		*cause = fingerprint_cause_form;
		return -1;
	}
	b64 = text + FINGERPRINT_PREFIX_LEN;
	len = strlen(b64);
	if (len == FINGERPRINT_B64_LEN + 1 && b64[FINGERPRINT_B64_LEN] == '=')
		len = FINGERPRINT_B64_LEN;
	if (len != FINGERPRINT_B64_LEN) {
		*cause = fingerprint_cause_form;
		return -1;
	}
	for (i = 0; i < FINGERPRINT_B64_LEN; i++) {
		if (!fingerprint_is_base64((unsigned char)b64[i])) {
			*cause = "not valid base64";
			return -1;
		}
	}

	/*
	 * EVP_DecodeBlock wants whole quanta and counts the padding as
	 * output: 44 characters give 33 bytes, the last one a zero.
	 */
	memcpy(padded, b64, FINGERPRINT_B64_LEN);
	padded[FINGERPRINT_B64_LEN] = '=';
	padded[FINGERPRINT_B64_LEN + 1] = '\0';
	if (EVP_DecodeBlock(raw, (const unsigned char *)padded,
	    FINGERPRINT_B64_LEN + 1) != FINGERPRINT_HASH_LEN + 1) {
		*cause = "not valid base64";
		return -1;
	}
	memcpy(parsed.hash, raw, FINGERPRINT_HASH_LEN);

	/* Refuse encodings whose last character carries stray low bits. */
	fingerprint_format(&parsed, check);
	if (memcmp(check + FINGERPRINT_PREFIX_LEN, b64,
	    FINGERPRINT_B64_LEN) != 0) {
		*cause = "not valid base64 (last character is not canonical)";
		return -1;
	}
	*fp = parsed;
	return 0;
}

/* Hash a public key blob with SHA-256. */
void
fingerprint_of_blob(const unsigned char *blob, size_t len,
    struct fingerprint *fp)
{
	unsigned int	outlen = 0;

	if (EVP_Digest(blob, len, fp->hash, &outlen, EVP_sha256(), NULL) != 1 ||
	    outlen != FINGERPRINT_HASH_LEN)
		fatal("SHA-256 digest failed");
}

/* Format a fingerprint as "SHA256:" and unpadded base64. */
void
fingerprint_format(const struct fingerprint *fp, char *out)
{
	unsigned char	b64[FINGERPRINT_B64_LEN + 2];	/* 44 + NUL */

	EVP_EncodeBlock(b64, fp->hash, FINGERPRINT_HASH_LEN);
	memcpy(out, FINGERPRINT_PREFIX, FINGERPRINT_PREFIX_LEN);
	memcpy(out + FINGERPRINT_PREFIX_LEN, b64, FINGERPRINT_B64_LEN);
	out[FINGERPRINT_PREFIX_LEN + FINGERPRINT_B64_LEN] = '\0';
}

/* Compare two fingerprints; returns 1 if equal. */
int
fingerprint_equal(const struct fingerprint *a, const struct fingerprint *b)
{
	return CRYPTO_memcmp(a->hash, b->hash, FINGERPRINT_HASH_LEN) == 0;
}

/*
 * Read the key type name that starts a blob. It must be non-empty printable
 * ASCII without spaces and fit OUT with its NUL, or the blob is malformed.
 */
int
fingerprint_blob_type(const unsigned char *blob, size_t len, char *out,
    size_t outlen)
{
	uint32_t	n;
	size_t		i;

	if (blob == NULL || len < 4)
		return -1;
	n = (uint32_t)blob[0] << 24 | (uint32_t)blob[1] << 16 |
	    (uint32_t)blob[2] << 8 | (uint32_t)blob[3];
	if (n == 0 || n > len - 4 || n >= outlen)
		return -1;
	for (i = 0; i < n; i++) {
		if (blob[4 + i] <= ' ' || blob[4 + i] >= 0x7f)
			return -1;
	}
	memcpy(out, blob + 4, n);
	out[n] = '\0';
	return 0;
}

/* Unit tests for fingerprint.c, checked against ssh-keygen. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "fingerprint.h"

static char	test_dir[256];

/* SHA-256 of nothing, as ssh-keygen would print it. */
#define TEST_EMPTY_SHA256 "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"

/* Remove one entry below the test directory. */
static int
test_rm_cb(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Create the directory keys are generated in. */
static int
test_setup(void **state)
{
	const char	*tmp;

	(void)state;
	if ((tmp = getenv("TMPDIR")) == NULL || *tmp == '\0')
		tmp = "/tmp";
	snprintf(test_dir, sizeof test_dir, "%s/jumpgate-fp-XXXXXX", tmp);
	return mkdtemp(test_dir) == NULL ? -1 : 0;
}

/* Remove the directory and everything in it. */
static int
test_teardown(void **state)
{
	(void)state;
	return nftw(test_dir, test_rm_cb, 16, FTW_DEPTH|FTW_PHYS);
}

/* Run a shell command and fail the test unless it exits 0. */
static void
test_run(const char *fmt, ...)
{
	char	cmd[1024];
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	assert_true(n > 0 && (size_t)n < sizeof cmd);
	if (system(cmd) != 0)
		fail_msg("command failed: %s", cmd);
}

/*
 * Read PATH.pub and decode its key blob into BLOB (caller frees); copy its
 * type field into TYPE (TYPELEN bytes).
 */
static void
test_read_pub(const char *path, unsigned char **blob, size_t *len,
    char *type, size_t typelen)
{
	FILE		*f;
	char		 line[16384], *t, *b64, *save;
	size_t		 n;
	int		 out;

	assert_non_null(f = fopen(path, "r"));
	assert_non_null(fgets(line, sizeof line, f));
	fclose(f);
	assert_non_null(t = strtok_r(line, " \n", &save));
	assert_non_null(b64 = strtok_r(NULL, " \n", &save));
	assert_true(strlen(t) < typelen);
	strcpy(type, t);

	n = strlen(b64);
	assert_true(n % 4 == 0);
	*blob = malloc(n / 4 * 3);
	assert_non_null(*blob);
	out = EVP_DecodeBlock(*blob, (unsigned char *)b64, (int)n);
	assert_true(out > 0);
	/* DecodeBlock counts the bytes '=' padding stands for. */
	if (b64[n - 1] == '=')
		out -= b64[n - 2] == '=' ? 2 : 1;
	*len = (size_t)out;
}

/* Return the fingerprint field of "ssh-keygen -lf PATH" in OUT. */
static void
test_keygen_fingerprint(const char *path, char *out, size_t outlen)
{
	char	 cmd[512], line[1024], *field, *save;
	FILE	*p;

	snprintf(cmd, sizeof cmd, "ssh-keygen -lf '%s'", path);
	assert_non_null(p = popen(cmd, "r"));
	assert_non_null(fgets(line, sizeof line, p));
	assert_int_equal(pclose(p), 0);
	assert_non_null(strtok_r(line, " ", &save));
	assert_non_null(field = strtok_r(NULL, " ", &save));
	assert_true(strlen(field) < outlen);
	strcpy(out, field);
}

/* Generate a key and check our fingerprint of it against ssh-keygen's. */
static void
test_against_keygen(const char *name, const char *type, int bits)
{
	struct fingerprint	 fp, parsed;
	char			 path[512], expected[128];
	char			 ours[FINGERPRINT_TEXT_LEN];
	char			 pubtype[128], blobtype[128];
	const char		*cause = NULL;
	unsigned char		*blob;
	size_t			 len;

	snprintf(path, sizeof path, "%s/%s", test_dir, name);
	if (bits != 0)
		test_run("ssh-keygen -q -N '' -C test -t %s -b %d -f '%s' "
		    "</dev/null", type, bits, path);
	else
		test_run("ssh-keygen -q -N '' -C test -t %s -f '%s' "
		    "</dev/null", type, path);
	strcat(path, ".pub");

	test_read_pub(path, &blob, &len, pubtype, sizeof pubtype);
	test_keygen_fingerprint(path, expected, sizeof expected);

	fingerprint_of_blob(blob, len, &fp);
	memset(ours, 'x', sizeof ours);
	fingerprint_format(&fp, ours);
	assert_string_equal(ours, expected);
	assert_int_equal(strlen(ours), FINGERPRINT_TEXT_LEN - 1);

	/* What ssh-keygen prints is what a user pins. */
	assert_int_equal(fingerprint_parse(expected, &parsed, &cause), 0);
	assert_true(fingerprint_equal(&fp, &parsed));

	assert_int_equal(fingerprint_blob_type(blob, len, blobtype,
	    sizeof blobtype), 0);
	assert_string_equal(blobtype, pubtype);
	free(blob);
}

/* Match ssh-keygen for an Ed25519 key. */
static void
test_keygen_ed25519(void **state)
{
	(void)state;
	test_against_keygen("ed25519", "ed25519", 0);
}

/* Match ssh-keygen for ECDSA keys on all three curves. */
static void
test_keygen_ecdsa(void **state)
{
	(void)state;
	test_against_keygen("ecdsa256", "ecdsa", 256);
	test_against_keygen("ecdsa384", "ecdsa", 384);
	test_against_keygen("ecdsa521", "ecdsa", 521);
}

/* Match ssh-keygen for an RSA key. */
static void
test_keygen_rsa(void **state)
{
	(void)state;
	test_against_keygen("rsa", "rsa", 2048);
}

/* Hash a known input to a known answer. */
static void
test_known_answer(void **state)
{
	struct fingerprint	fp;
	char			text[FINGERPRINT_TEXT_LEN];

	(void)state;
	fingerprint_of_blob((const unsigned char *)"", 0, &fp);
	fingerprint_format(&fp, text);
	assert_string_equal(text, TEST_EMPTY_SHA256);
}

/* Parse and format back to the same text, padded form included. */
static void
test_parse_roundtrip(void **state)
{
	struct fingerprint	 a, b, c;
	char			 text[FINGERPRINT_TEXT_LEN];
	const char		*cause = NULL;
	int			 i;

	(void)state;
	assert_int_equal(fingerprint_parse(TEST_EMPTY_SHA256, &a, &cause), 0);
	fingerprint_format(&a, text);
	assert_string_equal(text, TEST_EMPTY_SHA256);

	assert_int_equal(fingerprint_parse(TEST_EMPTY_SHA256 "=", &b, &cause),
	    0);
	assert_true(fingerprint_equal(&a, &b));

	/* Every byte value survives the trip. */
	for (i = 0; i < FINGERPRINT_HASH_LEN; i++)
		c.hash[i] = (unsigned char)(i * 8 + 7);
	fingerprint_format(&c, text);
	assert_int_equal(fingerprint_parse(text, &b, &cause), 0);
	assert_memory_equal(b.hash, c.hash, FINGERPRINT_HASH_LEN);
	assert_false(fingerprint_equal(&a, &b));
}

/* Check that TEXT is refused with a cause containing WANT. */
static void
test_reject(const char *text, const char *want)
{
	struct fingerprint	 fp;
	const char		*cause = NULL;

	memset(&fp, 0xa5, sizeof fp);
	if (fingerprint_parse(text, &fp, &cause) != -1)
		fail_msg("accepted \"%s\"", text);
	assert_non_null(cause);
	if (strstr(cause, want) == NULL)
		fail_msg("\"%s\": cause \"%s\" lacks \"%s\"", text, cause,
		    want);
}

/* Refuse everything but the exact ssh-keygen form. */
static void
test_parse_rejects(void **state)
{
	const char	*form = "expected SHA256: followed by 43 base64";
	const char	*b64 = "not valid base64";
	char		 text[128];
	const char	*alphabet =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char	*p;

	(void)state;
	test_reject("", form);
	test_reject("SHA256:", form);
	test_reject("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU", form);
	test_reject("sha256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU", form);
	test_reject("SHA1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU", form);
	test_reject("SHA256 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU", form);
	test_reject(" " TEST_EMPTY_SHA256, form);
	test_reject(TEST_EMPTY_SHA256 " ", form);
	test_reject(TEST_EMPTY_SHA256 "\n", form);
	test_reject(TEST_EMPTY_SHA256 "==", form);
	test_reject(TEST_EMPTY_SHA256 "A", form);
	test_reject("SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuF", form);
	test_reject("SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFUxxxx",
	    form);

	test_reject("MD5:d4:1d:8c:d9:8f:00:b2:04:e9:80:09:98:ec:f8:42:7e",
	    "MD5 fingerprints are not accepted");
	test_reject("md5:d4:1d:8c:d9:8f:00:b2:04:e9:80:09:98:ec:f8:42:7e",
	    "MD5 fingerprints are not accepted");
	test_reject("d4:1d:8c:d9:8f:00:b2:04:e9:80:09:98:ec:f8:42:7e",
	    "MD5 fingerprints are not accepted");

	/* URL-safe and stray characters, at the start and the end. */
	test_reject("SHA256:47DEQpj8HBSa-_TImW+5JCeuQeRkm5NMpJWZG3hSuFU", b64);
	test_reject("SHA256:*7DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU", b64);
	test_reject("SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuF.", b64);
	test_reject("SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuF=", b64);
	test_reject("SHA256:47DEQpj8HBSa+/TI W+5JCeuQeRkm5NMpJWZG3hSuFU", b64);

	/* The last character holds 4 bits; setting a stray low bit fails. */
	snprintf(text, sizeof text, "%s", TEST_EMPTY_SHA256);
	p = strchr(alphabet, text[strlen(text) - 1]);
	assert_non_null(p);
	assert_int_equal((p - alphabet) & 3, 0);
	text[strlen(text) - 1] = alphabet[(p - alphabet) | 1];
	test_reject(text, b64);
}

/* Read the type of well-formed blobs and refuse malformed ones. */
static void
test_blob_type(void **state)
{
	static const unsigned char good[] =
	    "\0\0\0\x0bssh-ed25519\0\0\0\x20xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
	static const unsigned char zero[] = "\0\0\0\0";
	static const unsigned char over[] = "\0\0\0\x0cssh-ed25519";
	static const unsigned char huge[] = "\xff\xff\xff\xfessh-ed25519";
	static const unsigned char nul[] = "\0\0\0\x0bssh-ed\0" "5519";
	static const unsigned char space[] = "\0\0\0\x0bssh ed25519";
	static const unsigned char high[] = "\0\0\0\x0bssh-ed2551\x80";
	char				out[64];

	(void)state;
	assert_int_equal(fingerprint_blob_type(good, sizeof good - 1, out,
	    sizeof out), 0);
	assert_string_equal(out, "ssh-ed25519");

	/* A blob that is only the type string is still well formed. */
	memset(out, 'x', sizeof out);
	assert_int_equal(fingerprint_blob_type(good, 15, out, sizeof out), 0);
	assert_string_equal(out, "ssh-ed25519");

	/* OUT must hold the name and its NUL. */
	assert_int_equal(fingerprint_blob_type(good, 15, out, 12), 0);
	assert_string_equal(out, "ssh-ed25519");
	assert_int_equal(fingerprint_blob_type(good, 15, out, 11), -1);

	assert_int_equal(fingerprint_blob_type(good, 14, out, sizeof out), -1);
	assert_int_equal(fingerprint_blob_type(good, 3, out, sizeof out), -1);
	assert_int_equal(fingerprint_blob_type(good, 0, out, sizeof out), -1);
	assert_int_equal(fingerprint_blob_type(NULL, 0, out, sizeof out), -1);
	assert_int_equal(fingerprint_blob_type(zero, 4, out, sizeof out), -1);
	assert_int_equal(fingerprint_blob_type(over, sizeof over - 1, out,
	    sizeof out), -1);
	assert_int_equal(fingerprint_blob_type(huge, sizeof huge - 1, out,
	    sizeof out), -1);
	assert_int_equal(fingerprint_blob_type(nul, sizeof nul - 1, out,
	    sizeof out), -1);
	assert_int_equal(fingerprint_blob_type(space, sizeof space - 1, out,
	    sizeof out), -1);
	assert_int_equal(fingerprint_blob_type(high, sizeof high - 1, out,
	    sizeof out), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keygen_ed25519),
		cmocka_unit_test(test_keygen_ecdsa),
		cmocka_unit_test(test_keygen_rsa),
		cmocka_unit_test(test_known_answer),
		cmocka_unit_test(test_parse_roundtrip),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_blob_type),
	};

	return cmocka_run_group_tests(tests, test_setup, test_teardown);
}

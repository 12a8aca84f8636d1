/* Unit tests for fingerprint.c, checked against ssh-keygen. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "fingerprint.h"
#include "testutil.h"

/* SHA-256 of nothing, as ssh-keygen would print it. */
#define TEST_EMPTY_SHA256 "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"

/* Create the directory keys are generated in. */
static int
test_setup(void **state)
{
	(void)state;
	return testutil_dir_create("fp");
}

/* Remove the directory and everything in it. */
static int
test_teardown(void **state)
{
	(void)state;
	return testutil_dir_remove();
}

/* Generate key NAME with ssh-keygen ARGS; check our fingerprint of it. */
static void
test_against_keygen(const char *name, const char *args)
{
	struct testutil_key	 k;
	struct fingerprint	 fp, parsed;
	char			 expected[128];
	char			 ours[FINGERPRINT_TEXT_LEN];
	char			 blobtype[128];
	const char		*cause = NULL;

	testutil_keygen(&k, name, args);
	testutil_keygen_fp(k.path, expected, sizeof expected);

	fingerprint_of_blob(k.blob, k.len, &fp);
	memset(ours, 'x', sizeof ours);
	fingerprint_format(&fp, ours);
	assert_string_equal(ours, expected);
	assert_int_equal(strlen(ours), FINGERPRINT_TEXT_LEN - 1);

	/* What ssh-keygen prints is what a user pins. */
	assert_int_equal(fingerprint_parse(expected, &parsed, &cause), 0);
	assert_true(fingerprint_equal(&fp, &parsed));

	assert_int_equal(fingerprint_blob_type(k.blob, k.len, blobtype,
	    sizeof blobtype), 0);
	assert_string_equal(blobtype, k.type);
	testutil_key_free(&k);
}

/* Match ssh-keygen for an Ed25519 key. */
static void
test_keygen_ed25519(void **state)
{
	(void)state;
	test_against_keygen("ed25519", "-t ed25519");
}

/* Match ssh-keygen for ECDSA keys on all three curves. */
static void
test_keygen_ecdsa(void **state)
{
	(void)state;
	test_against_keygen("ecdsa256", "-t ecdsa -b 256");
	test_against_keygen("ecdsa384", "-t ecdsa -b 384");
	test_against_keygen("ecdsa521", "-t ecdsa -b 521");
}

/* Match ssh-keygen for an RSA key. */
static void
test_keygen_rsa(void **state)
{
	(void)state;
	test_against_keygen("rsa", "-t rsa -b 2048");
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

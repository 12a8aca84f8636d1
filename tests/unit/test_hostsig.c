/*
 * Unit tests for hostsig_verify: signatures made here with OpenSSL over a
 * fake exchange hash verify, and a flipped bit, another key, another
 * algorithm name or a malformed blob is refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "hostsig.h"
#include "wire.h"

static const unsigned char test_hash[32] = "an exchange hash of 32 bytes...";

/* Put BIGNUM parameter NAME of KEY as an mpint. */
static void
test_put_bn(struct wire_buf *b, EVP_PKEY *key, const char *name)
{
	BIGNUM		*bn = NULL;
	unsigned char	 buf[1024];
	int		 n;

	assert_int_equal(EVP_PKEY_get_bn_param(key, name, &bn), 1);
	n = BN_bn2bin(bn, buf);
	wire_put_mpint(b, buf, (size_t)n);
	BN_free(bn);
}

/* Make a key of ALG; fill its blob and a signature blob over test_hash. */
static EVP_PKEY *
test_sign(const char *alg, struct wire_buf *key, struct wire_buf *sig)
{
	EVP_PKEY		*pkey;
	EVP_MD_CTX		*ctx = EVP_MD_CTX_new();
	unsigned char		 raw[1024], pub[256];
	const unsigned char	*p = raw;
	size_t			 rawlen = sizeof raw, publen = sizeof pub;
	struct wire_buf		 inner = { 0 };
	const char		*md = NULL;
	ECDSA_SIG		*es;
	const BIGNUM		*r, *s;
	unsigned char		 rb[80], sb[80];

	if (strcmp(alg, "ssh-ed25519") == 0) {
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
		assert_int_equal(EVP_PKEY_get_raw_public_key(pkey, pub,
		    &publen), 1);
		wire_put_cstring(key, alg);
		wire_put_string(key, pub, publen);
	} else if (strcmp(alg, "ecdsa-sha2-nistp256") == 0) {
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
		md = "SHA256";
		assert_int_equal(EVP_PKEY_get_octet_string_param(pkey,
		    OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pub, sizeof pub,
		    &publen), 1);
		wire_put_cstring(key, alg);
		wire_put_cstring(key, "nistp256");
		wire_put_string(key, pub, publen);
	} else {
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
		md = strcmp(alg, "rsa-sha2-512") == 0 ? "SHA512" : "SHA256";
		wire_put_cstring(key, "ssh-rsa");
		test_put_bn(key, pkey, OSSL_PKEY_PARAM_RSA_E);
		test_put_bn(key, pkey, OSSL_PKEY_PARAM_RSA_N);
	}
	assert_non_null(pkey);
	assert_int_equal(EVP_DigestSignInit_ex(ctx, NULL, md, NULL, NULL,
	    pkey, NULL), 1);
	assert_int_equal(EVP_DigestSign(ctx, raw, &rawlen, test_hash,
	    sizeof test_hash), 1);
	EVP_MD_CTX_free(ctx);
	wire_put_cstring(sig, alg);
	if (strncmp(alg, "ecdsa", 5) == 0) {
		es = d2i_ECDSA_SIG(NULL, &p, (long)rawlen);
		assert_non_null(es);
		ECDSA_SIG_get0(es, &r, &s);
		wire_put_mpint(&inner, rb, (size_t)BN_bn2bin(r, rb));
		wire_put_mpint(&inner, sb, (size_t)BN_bn2bin(s, sb));
		ECDSA_SIG_free(es);
		wire_put_string(sig, inner.p, inner.len);
		wire_buf_free(&inner);
	} else
		wire_put_string(sig, raw, rawlen);
	return pkey;
}

/* Good signatures verify; every kind of wrong one is refused. */
static void
test_algorithm(const char *alg)
{
	struct wire_buf	 key = { 0 }, sig = { 0 }, other = { 0 }, osig = { 0 };
	EVP_PKEY	*k1, *k2;
	unsigned char	 hash[sizeof test_hash];
	char		 err[256];

	k1 = test_sign(alg, &key, &sig);
	k2 = test_sign(alg, &other, &osig);
	assert_int_equal(hostsig_verify(alg, key.p, key.len, sig.p, sig.len,
	    test_hash, sizeof test_hash, err, sizeof err), 0);

	/* Another hash, another key, another key's signature. */
	memcpy(hash, test_hash, sizeof hash);
	hash[0] ^= 1;
	assert_int_equal(hostsig_verify(alg, key.p, key.len, sig.p, sig.len,
	    hash, sizeof hash, err, sizeof err), -1);
	assert_non_null(strstr(err, "does NOT verify"));
	assert_int_equal(hostsig_verify(alg, other.p, other.len, sig.p,
	    sig.len, test_hash, sizeof test_hash, err, sizeof err), -1);
	assert_int_equal(hostsig_verify(alg, key.p, key.len, osig.p,
	    osig.len, test_hash, sizeof test_hash, err, sizeof err), -1);

	/* A flipped bit in the signature's last byte. */
	sig.p[sig.len - 1] ^= 0x01;
	assert_int_equal(hostsig_verify(alg, key.p, key.len, sig.p, sig.len,
	    test_hash, sizeof test_hash, err, sizeof err), -1);
	sig.p[sig.len - 1] ^= 0x01;

	/* Truncated blobs. */
	assert_int_equal(hostsig_verify(alg, key.p, key.len, sig.p,
	    sig.len - 1, test_hash, sizeof test_hash, err, sizeof err), -1);
	assert_int_equal(hostsig_verify(alg, key.p, key.len - 1, sig.p,
	    sig.len, test_hash, sizeof test_hash, err, sizeof err), -1);

	/* Signed as one algorithm, presented as another. */
	assert_int_equal(hostsig_verify(strcmp(alg, "ssh-ed25519") == 0 ?
	    "ecdsa-sha2-nistp256" : "ssh-ed25519", key.p, key.len, sig.p,
	    sig.len, test_hash, sizeof test_hash, err, sizeof err), -1);
	assert_int_equal(hostsig_verify("ssh-dss", key.p, key.len, sig.p,
	    sig.len, test_hash, sizeof test_hash, err, sizeof err), -1);
	assert_string_equal(err, "cannot verify ssh-dss signatures");

	EVP_PKEY_free(k1);
	EVP_PKEY_free(k2);
	wire_buf_free(&key);
	wire_buf_free(&sig);
	wire_buf_free(&other);
	wire_buf_free(&osig);
}

/* Ed25519. */
static void
test_ed25519(void **state)
{
	(void)state;
	test_algorithm("ssh-ed25519");
}

/* ECDSA P-256 (r and s as mpints). */
static void
test_ecdsa(void **state)
{
	(void)state;
	test_algorithm("ecdsa-sha2-nistp256");
}

/* RSA with SHA-512 and SHA-256; a SHA-256 signature is not a SHA-512 one. */
static void
test_rsa(void **state)
{
	struct wire_buf	 key = { 0 }, sig = { 0 };
	EVP_PKEY	*k;
	char		 err[256];

	(void)state;
	test_algorithm("rsa-sha2-512");
	test_algorithm("rsa-sha2-256");
	k = test_sign("rsa-sha2-256", &key, &sig);
	/* Rename the signature: the name check catches it first. */
	assert_int_equal(hostsig_verify("rsa-sha2-512", key.p, key.len,
	    sig.p, sig.len, test_hash, sizeof test_hash, err, sizeof err), -1);
	assert_non_null(strstr(err, "not the negotiated rsa-sha2-512"));
	memcpy(sig.p + 4, "rsa-sha2-512", 12);
	assert_int_equal(hostsig_verify("rsa-sha2-512", key.p, key.len,
	    sig.p, sig.len, test_hash, sizeof test_hash, err, sizeof err), -1);
	assert_non_null(strstr(err, "does NOT verify"));
	EVP_PKEY_free(k);
	wire_buf_free(&key);
	wire_buf_free(&sig);
}

/* Run the tests. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ed25519),
		cmocka_unit_test(test_ecdsa),
		cmocka_unit_test(test_rsa),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

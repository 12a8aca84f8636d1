/* Host-key signature algorithms and verification: see hostsig.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "hostsig.h"
#include "wire.h"
#include "vis.h"
#include "xmalloc.h"

/* OpenSSH refuses smaller RSA keys. */
#define HOSTSIG_RSA_MIN_BITS	1024
#define HOSTSIG_ED25519_LEN	32
#define HOSTSIG_ED25519_SIGLEN	64

/* What this scanner verifies, most wanted first within a key type. */
static const struct hostsig_alg {
	const char	*alg;
	const char	*key_type;
	const char	*curve;		/* ECDSA: blob's curve, OpenSSL name */
	const char	*group;
	const char	*digest;	/* NULL: Ed25519 (no prehash) */
} hostsig_algs[] = {
	{ "ssh-ed25519", "ssh-ed25519", NULL, NULL, NULL },
	{ "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256", "nistp256", "P-256",
	    "SHA256" },
	{ "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp384", "nistp384", "P-384",
	    "SHA384" },
	{ "ecdsa-sha2-nistp521", "ecdsa-sha2-nistp521", "nistp521", "P-521",
	    "SHA512" },
	{ "rsa-sha2-512", "ssh-rsa", NULL, NULL, "SHA512" },
	{ "rsa-sha2-256", "ssh-rsa", NULL, NULL, "SHA256" },
	{ "ssh-rsa", "ssh-rsa", NULL, NULL, "SHA1" },
};
#define HOSTSIG_NALGS	(sizeof hostsig_algs / sizeof hostsig_algs[0])

/* The table entry of ALG, or NULL. */
static const struct hostsig_alg *
hostsig_find(const char *alg)
{
	size_t	i;

	for (i = 0; i < HOSTSIG_NALGS; i++) {
		if (strcmp(hostsig_algs[i].alg, alg) == 0)
			return &hostsig_algs[i];
	}
	return NULL;
}

/* The key type ALG signs with, or NULL. */
const char *
hostsig_key_type(const char *alg)
{
	const struct hostsig_alg	*a = hostsig_find(alg);

	return a == NULL ? NULL : a->key_type;
}

/* One algorithm per verifiable key type the server offers. */
size_t
hostsig_plan(const char *server_list, char **algs, size_t max)
{
	size_t	i, j, n = 0;
	int	seen;

	for (i = 0; i < HOSTSIG_NALGS && n < max; i++) {
		if (!wire_namelist_has(server_list, hostsig_algs[i].alg))
			continue;
		seen = 0;
		for (j = 0; j < n; j++) {
			if (strcmp(hostsig_key_type(algs[j]),
			    hostsig_algs[i].key_type) == 0)
				seen = 1;
		}
		if (!seen)
			algs[n++] = xstrdup(hostsig_algs[i].alg);
	}
	return n;
}

/* Tell whether the string at P (N bytes) is the C string S. */
static int
hostsig_is(const unsigned char *p, size_t n, const char *s)
{
	return n == strlen(s) && memcmp(p, s, n) == 0;
}

/* Read an mpint that must be positive into a new BIGNUM, or NULL. */
static BIGNUM *
hostsig_get_bn(struct wire_reader *r)
{
	const unsigned char	*p;
	size_t			 n;

	if (wire_get_string(r, &p, &n) != 0 || n == 0 || (p[0] & 0x80))
		return NULL;
	return BN_bin2bn(p, (int)n, NULL);
}

/* Build an EVP_PKEY from parameters, or NULL. */
static EVP_PKEY *
hostsig_fromdata(const char *type, OSSL_PARAM *params)
{
	EVP_PKEY_CTX	*ctx;
	EVP_PKEY	*pkey = NULL;

	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL)) == NULL)
		return NULL;
	if (EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
		pkey = NULL;
	EVP_PKEY_CTX_free(ctx);
	return pkey;
}

/* The public key of an ECDSA blob (after its type), or NULL. */
static EVP_PKEY *
hostsig_ecdsa_key(const struct hostsig_alg *a, struct wire_reader *r,
    char *err, size_t errlen)
{
	const unsigned char	*curve, *q;
	size_t			 curvelen, qlen;
	OSSL_PARAM		 params[3];
	EVP_PKEY		*pkey;

	if (wire_get_string(r, &curve, &curvelen) != 0 ||
	    wire_get_string(r, &q, &qlen) != 0 || wire_left(r) != 0) {
		snprintf(err, errlen, "malformed %s key blob", a->alg);
		return NULL;
	}
	if (!hostsig_is(curve, curvelen, a->curve)) {
		snprintf(err, errlen, "%s key blob names another curve",
		    a->alg);
		return NULL;
	}
	params[0] = OSSL_PARAM_construct_utf8_string(
	    OSSL_PKEY_PARAM_GROUP_NAME, (char *)a->group, 0);
	params[1] = OSSL_PARAM_construct_octet_string(
	    OSSL_PKEY_PARAM_PUB_KEY, (void *)q, qlen);
	params[2] = OSSL_PARAM_construct_end();
	if ((pkey = hostsig_fromdata("EC", params)) == NULL)
		snprintf(err, errlen, "%s key is not a point of %s", a->alg,
		    a->group);
	return pkey;
}

/* The public key of an RSA blob (after its type), or NULL. */
static EVP_PKEY *
hostsig_rsa_key(struct wire_reader *r, char *err, size_t errlen)
{
	OSSL_PARAM_BLD	*bld;
	OSSL_PARAM	*params = NULL;
	BIGNUM		*e, *n = NULL;
	EVP_PKEY	*pkey = NULL;

	if ((e = hostsig_get_bn(r)) == NULL || (n = hostsig_get_bn(r)) ==
	    NULL || wire_left(r) != 0) {
		snprintf(err, errlen, "malformed ssh-rsa key blob");
		goto out;
	}
	if (BN_num_bits(n) < HOSTSIG_RSA_MIN_BITS) {
		snprintf(err, errlen, "RSA host key of %d bits is below the "
		    "%d-bit minimum", BN_num_bits(n), HOSTSIG_RSA_MIN_BITS);
		goto out;
	}
	if ((bld = OSSL_PARAM_BLD_new()) == NULL)
		goto out;
	if (OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) == 1 &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) == 1)
		params = OSSL_PARAM_BLD_to_param(bld);
	OSSL_PARAM_BLD_free(bld);
	if (params != NULL)
		pkey = hostsig_fromdata("RSA", params);
	OSSL_PARAM_free(params);
	if (pkey == NULL)
		snprintf(err, errlen, "unusable ssh-rsa key");
out:
	BN_free(e);
	BN_free(n);
	return pkey;
}

/* The public key of a blob of A's key type, or NULL with ERR. */
static EVP_PKEY *
hostsig_key(const struct hostsig_alg *a, const unsigned char *key,
    size_t keylen, char *err, size_t errlen)
{
	struct wire_reader	 r;
	const unsigned char	*type, *pk;
	size_t			 typelen, pklen;
	EVP_PKEY		*pkey;

	wire_reader_init(&r, key, keylen);
	if (wire_get_string(&r, &type, &typelen) != 0 ||
	    !hostsig_is(type, typelen, a->key_type)) {
		snprintf(err, errlen, "host key is not of type %s, which %s "
		    "needs", a->key_type, a->alg);
		return NULL;
	}
	if (a->curve != NULL)
		return hostsig_ecdsa_key(a, &r, err, errlen);
	if (strcmp(a->key_type, "ssh-rsa") == 0)
		return hostsig_rsa_key(&r, err, errlen);
	if (wire_get_string(&r, &pk, &pklen) != 0 || wire_left(&r) != 0 ||
	    pklen != HOSTSIG_ED25519_LEN) {
		snprintf(err, errlen, "malformed ssh-ed25519 key blob");
		return NULL;
	}
	pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pk, pklen);
	if (pkey == NULL)
		snprintf(err, errlen, "unusable ssh-ed25519 key");
	return pkey;
}

/*
 * Turn the signature blob's inner bytes into what OpenSSL verifies: DER
 * for ECDSA (from two mpints), zero-padded to the modulus for RSA, as is
 * for Ed25519. Returns a new buffer and its length in *OUTLEN, or NULL.
 */
static unsigned char *
hostsig_raw(const struct hostsig_alg *a, EVP_PKEY *pkey,
    const unsigned char *s, size_t slen, size_t *outlen)
{
	struct wire_reader	 r;
	ECDSA_SIG		*es;
	BIGNUM			*br, *bs;
	unsigned char		*out = NULL, *p;
	size_t			 modlen;
	int			 n;

	if (a->curve != NULL) {
		wire_reader_init(&r, s, slen);
		br = hostsig_get_bn(&r);
		bs = br == NULL ? NULL : hostsig_get_bn(&r);
		if (bs == NULL || wire_left(&r) != 0 ||
		    (es = ECDSA_SIG_new()) == NULL) {
			BN_free(br);
			BN_free(bs);
			return NULL;
		}
		ECDSA_SIG_set0(es, br, bs);
		if ((n = i2d_ECDSA_SIG(es, NULL)) > 0) {
			out = p = xmalloc((size_t)n);
			*outlen = (size_t)i2d_ECDSA_SIG(es, &p);
		}
		ECDSA_SIG_free(es);
		return out;
	}
	if (a->digest == NULL) {
		if (slen != HOSTSIG_ED25519_SIGLEN)
			return NULL;
		modlen = slen;
	} else {
		modlen = (size_t)EVP_PKEY_get_size(pkey);
		if (slen > modlen || slen == 0)
			return NULL;
	}
	out = xcalloc(1, modlen);
	memcpy(out + (modlen - slen), s, slen);
	*outlen = modlen;
	return out;
}

/* Verify a host signature, see hostsig.h. */
int
hostsig_verify(const char *alg, const unsigned char *key, size_t keylen,
    const unsigned char *sig, size_t siglen, const unsigned char *data,
    size_t datalen, char *err, size_t errlen)
{
	const struct hostsig_alg	*a;
	struct wire_reader		 r;
	const unsigned char		*name, *s;
	size_t				 namelen, slen, rawlen = 0;
	unsigned char			*raw = NULL;
	EVP_PKEY			*pkey;
	EVP_MD_CTX			*ctx = NULL;
	char				 text[72];
	int				 rc = -1;

	if ((a = hostsig_find(alg)) == NULL) {
		snprintf(err, errlen, "cannot verify %s signatures", alg);
		return -1;
	}
	if ((pkey = hostsig_key(a, key, keylen, err, errlen)) == NULL)
		return -1;
	wire_reader_init(&r, sig, siglen);
	if (wire_get_string(&r, &name, &namelen) != 0 ||
	    wire_get_string(&r, &s, &slen) != 0 || wire_left(&r) != 0) {
		snprintf(err, errlen, "malformed %s signature blob", alg);
		goto out;
	}
	if (!hostsig_is(name, namelen, alg)) {
		(void)vis_text(text, sizeof text, name, namelen, 0);
		snprintf(err, errlen, "signature is of type '%s', not the "
		    "negotiated %s", text, alg);
		goto out;
	}
	if ((raw = hostsig_raw(a, pkey, s, slen, &rawlen)) == NULL) {
		snprintf(err, errlen, "malformed %s signature", alg);
		goto out;
	}
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit_ex(ctx, NULL, a->digest, NULL, NULL, pkey,
	    NULL) != 1) {
		snprintf(err, errlen, "OpenSSL cannot verify %s here", alg);
		goto out;
	}
	if (EVP_DigestVerify(ctx, raw, rawlen, data, datalen) != 1) {
		snprintf(err, errlen, "the server's %s signature over the "
		    "exchange hash does NOT verify: it does not hold this key",
		    alg);
		goto out;
	}
	rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	free(raw);
	EVP_PKEY_free(pkey);
	return rc;
}

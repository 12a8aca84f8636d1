/*
 * Unit tests for cert.c: certificates signed by ssh-keygen parse and
 * check; a certificate cut at every length, one with a length field too
 * large at every place, a host certificate, a plain key and other types
 * are refused; the validity window and the identity's key are checked.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "cert.h"
#include "testutil.h"
#include "wire.h"

/* 2025-01-01 00:00:00 UTC and 2026-01-01 00:00:00 UTC. */
#define T2025	1735689600
#define T2026	1767225600

static char	test_path[512];		/* ed25519 certificate of "user" */
static char	test_key[512];		/* its private key */

/* Return the path of NAME in the work directory (static). */
static const char *
test_in(const char *name)
{
	static char	path[512];

	snprintf(path, sizeof path, "%s/%s", testutil_dir, name);
	return path;
}

/* Make a CA, user keys and certificates with ssh-keygen. */
static int
test_setup(void **state)
{
	const char	*d;

	(void)state;
	if (testutil_dir_create("cert") != 0)
		return -1;
	d = testutil_dir;
	testutil_run("cd '%s' && ssh-keygen -q -N '' -C ca -t ed25519 -f ca && "
	    "ssh-keygen -q -N '' -C u -t ed25519 -f user && "
	    "ssh-keygen -q -N '' -C o -t ed25519 -f other && "
	    "ssh-keygen -q -N '' -C r -t rsa -b 2048 -f rsa && "
	    "ssh-keygen -q -N '' -C p -t rsa -b 2048 -m PEM -f pem && "
	    "ssh-keygen -q -s ca -I 'id one' -n alice,bob -z 42 "
	    "-V 20250101000000Z:20260101000000Z user.pub && "
	    "ssh-keygen -q -s ca -I rsa -n alice -V always:forever rsa.pub && "
	    "ssh-keygen -q -s ca -I host -h -n h.example other.pub && "
	    "cp pem.pub pem-pub.pub && ssh-keygen -q -s ca -I pem -n a "
	    "pem.pub", d);
	snprintf(test_path, sizeof test_path, "%s/user-cert.pub", d);
	snprintf(test_key, sizeof test_key, "%s/user", d);
	return 0;
}

/* Remove the work directory. */
static int
test_teardown(void **state)
{
	(void)state;
	return testutil_dir_remove();
}

/* Read the certificate at PATH and decode its blob (caller frees). */
static unsigned char *
test_blob(const char *path, size_t *len)
{
	char		*text = testutil_slurp(path), *b64, *end;
	unsigned char	*blob;
	int		 n;
	size_t		 l;

	assert_non_null(b64 = strchr(text, ' '));
	b64++;
	end = b64 + strcspn(b64, " \n");
	l = (size_t)(end - b64);
	assert_non_null(blob = malloc(l));
	n = EVP_DecodeBlock(blob, (unsigned char *)b64, (int)l);
	assert_true(n > 0);
	if (end[-1] == '=')
		n -= end[-2] == '=' ? 2 : 1;
	*len = (size_t)n;
	free(text);
	return blob;
}

/* Assert that CAUSE holds WORDS, then free it. */
static void
test_cause(char *cause, const char *words)
{
	assert_non_null(cause);
	if (strstr(cause, words) == NULL)
		fail_msg("\"%s\" not in: %s", words, cause);
	free(cause);
}

/* An ed25519 certificate from ssh-keygen: every field as signed. */
static void
test_valid(void **state)
{
	struct cert	*c;
	char		*cause = NULL, *s;

	(void)state;
	assert_non_null(c = cert_load(test_path, &cause));
	assert_string_equal(c->type, "ssh-ed25519-cert-v01@openssh.com");
	assert_string_equal(c->key_type, "ssh-ed25519");
	assert_true(c->usable);
	assert_int_equal(c->cert_type, CERT_TYPE_USER);
	assert_int_equal(c->serial, 42);
	assert_string_equal(c->key_id, "id one");
	assert_string_equal(c->principals, "alice,bob");
	assert_int_equal(c->valid_after, T2025);
	assert_int_equal(c->valid_before, T2026);
	assert_int_equal(c->keylen, 4 + 32);
	s = cert_describe(c);
	assert_non_null(strstr(s, "valid from 2025-01-01 00:00:00 UTC to "
	    "2026-01-01 00:00:00 UTC"));
	assert_non_null(strstr(s, "principals alice,bob"));
	free(s);
	cert_free(c);

	assert_non_null(c = cert_load(test_in("rsa-cert.pub"), &cause));
	assert_string_equal(c->type, "ssh-rsa-cert-v01@openssh.com");
	assert_string_equal(c->key_type, "ssh-rsa");
	assert_int_equal(c->valid_after, 0);
	assert_true(c->valid_before == CERT_FOREVER);
	assert_int_equal(cert_check_time(c, "f", 0, &cause), 0);
	assert_int_equal(cert_check_time(c, "f", INT32_MAX, &cause), 0);
	s = cert_describe(c);
	assert_non_null(strstr(s, "valid from always to forever"));
	free(s);
	cert_free(c);
}

/* Every prefix of a certificate is refused, the whole one taken. */
static void
test_truncated(void **state)
{
	unsigned char	*blob;
	size_t		 len, n;
	struct cert	*c;
	char		*cause;

	(void)state;
	blob = test_blob(test_path, &len);
	for (n = 0; n < len; n++) {
		cause = NULL;
		c = cert_parse(blob, n, &cause);
		if (c != NULL)
			fail_msg("a certificate cut to %zu of %zu bytes parsed",
			    n, len);
		assert_non_null(cause);
		free(cause);
	}
	assert_non_null(c = cert_parse(blob, len, &cause));
	cert_free(c);
	free(blob);

	blob = test_blob(test_in("rsa-cert.pub"), &len);
	for (n = 0; n < len; n++) {
		cause = NULL;
		assert_null(cert_parse(blob, n, &cause));
		free(cause);
	}
	free(blob);
}

/*
 * A length field made larger than the bytes left, at every offset (most
 * are not length fields: whatever comes out must be refused or sane).
 */
static void
test_oversized(void **state)
{
	static const uint32_t values[] = {
		0xffffffff, 0x80000000, 0x7fffffff, 0x10000, 0
	};
	unsigned char	*blob, *copy;
	size_t		 len, off, i;
	struct cert	*c;
	char		*cause;

	(void)state;
	blob = test_blob(test_path, &len);
	copy = malloc(len);
	for (i = 0; i < sizeof values / sizeof values[0]; i++) {
		for (off = 0; off + 4 <= len; off++) {
			memcpy(copy, blob, len);
			copy[off] = values[i] >> 24;
			copy[off + 1] = (values[i] >> 16) & 0xff;
			copy[off + 2] = (values[i] >> 8) & 0xff;
			copy[off + 3] = values[i] & 0xff;
			cause = NULL;
			c = cert_parse(copy, len, &cause);
			if (c == NULL) {
				assert_non_null(cause);
				free(cause);
				continue;
			}
			assert_true(c->key >= c->blob &&
			    c->key + c->keylen <= c->blob + c->bloblen);
			assert_int_equal(c->cert_type, CERT_TYPE_USER);
			cert_free(c);
		}
	}
	/* The type's own length, the first field, too large: refused. */
	memcpy(copy, blob, len);
	copy[0] = 0xff;
	assert_null(cert_parse(copy, len, &cause));
	test_cause(cause, "too short");
	/* Trailing bytes. */
	copy = realloc(copy, len + 1);
	memcpy(copy, blob, len);
	copy[len] = 0;
	assert_null(cert_parse(copy, len + 1, &cause));
	test_cause(cause, "1 bytes after its signature");
	free(copy);
	free(blob);
}

/* Build a blob of certificate type TYPE, cert_type CT, NPRINC principals. */
static void
test_build(struct wire_buf *b, const char *type, int nfields, uint32_t ct,
    int nprinc)
{
	struct wire_buf	p = { 0 };
	int		i;

	wire_put_cstring(b, type);
	wire_put_cstring(b, "nonce");
	for (i = 0; i < nfields; i++)
		wire_put_cstring(b, "field");
	wire_put_u32(b, 0);
	wire_put_u32(b, 7);		/* serial */
	wire_put_u32(b, ct);
	wire_put_cstring(b, "id\x1b[31m");
	for (i = 0; i < nprinc; i++)
		wire_put_cstring(&p, "p");
	wire_put_string(b, p.p, p.len);
	wire_buf_free(&p);
	wire_put_u32(b, 0);
	wire_put_u32(b, 1);		/* valid after */
	wire_put_u32(b, 0);
	wire_put_u32(b, 2);		/* valid before */
	wire_put_string(b, "", 0);
	wire_put_string(b, "", 0);
	wire_put_string(b, "", 0);
	wire_put_cstring(b, "ca");
	wire_put_cstring(b, "sig");
}

/* Host certificates, unknown types and plain keys are refused. */
static void
test_wrong_type(void **state)
{
	struct wire_buf	 b = { 0 };
	struct cert	*c;
	char		*cause, *text;

	(void)state;
	assert_null(cert_load(test_in("other-cert.pub"), &cause));
	test_cause(cause, "host certificate");
	assert_null(cert_load(test_in("user.pub"), &cause));
	test_cause(cause, "not an OpenSSH certificate: it starts with "
	    "\"ssh-ed25519\"");
	assert_null(cert_load(test_in("user"), &cause));
	test_cause(cause, "not an OpenSSH certificate");
	assert_null(cert_load(testutil_nofile(), &cause));
	test_cause(cause, "cannot read certificate");
	assert_null(cert_load(testutil_dir, &cause));
	test_cause(cause, "not a regular file");
	assert_null(cert_load("/dev/null", &cause));
	test_cause(cause, "not a regular file");
	assert_null(cert_parse_text("", 0, &cause));
	test_cause(cause, "empty");
	assert_null(cert_parse_text("\n", 1, &cause));
	test_cause(cause, "empty");
	assert_null(cert_parse_text("x-cert-v01@openssh.com\0 AAAA", 28,
	    &cause));
	test_cause(cause, "NUL");
	text = "ssh-ed25519-cert-v01@openssh.com AAA$";
	assert_null(cert_parse_text(text, strlen(text), &cause));
	test_cause(cause, "base64");
	text = "ssh-ed25519-cert-v01@openssh.com A=AA";
	assert_null(cert_parse_text(text, strlen(text), &cause));
	test_cause(cause, "base64");
	text = "ssh-ed25519-cert-v01@openssh.com";
	assert_null(cert_parse_text(text, strlen(text), &cause));
	test_cause(cause, "base64");

	/* A made-up certificate type. */
	test_build(&b, "ssh-foo-cert-v01@openssh.com", 1, CERT_TYPE_USER, 1);
	assert_null(cert_parse(b.p, b.len, &cause));
	test_cause(cause, "\"ssh-foo-cert-v01@openssh.com\" is not an OpenSSH "
	    "certificate type");
	wire_buf_free(&b);
	/* A plain key blob. */
	wire_put_cstring(&b, "ssh-ed25519");
	wire_put_cstring(&b, "0123456789abcdef0123456789abcdef");
	assert_null(cert_parse(b.p, b.len, &cause));
	test_cause(cause, "not an OpenSSH certificate type");
	wire_buf_free(&b);
	/* Unknown certificate type number. */
	test_build(&b, "ssh-ed25519-cert-v01@openssh.com", 1, 3, 1);
	assert_null(cert_parse(b.p, b.len, &cause));
	test_cause(cause, "not a user certificate");
	wire_buf_free(&b);
	/* Too many principals; as many as OpenSSH allows is fine. */
	test_build(&b, "ssh-ed25519-cert-v01@openssh.com", 1, CERT_TYPE_USER,
	    CERT_MAX_PRINCIPALS + 1);
	assert_null(cert_parse(b.p, b.len, &cause));
	test_cause(cause, "more than 256 principals");
	wire_buf_free(&b);
	test_build(&b, "ssh-ed25519-cert-v01@openssh.com", 1, CERT_TYPE_USER,
	    CERT_MAX_PRINCIPALS);
	assert_non_null(c = cert_parse(b.p, b.len, &cause));
	/* Control characters in the key ID come out escaped. */
	assert_string_equal(c->key_id, "id\\x1b[31m");
	assert_int_equal(c->valid_after, 1);
	assert_int_equal(c->valid_before, 2);
	cert_free(c);
	wire_buf_free(&b);
	/* ssh-dss and security keys parse, but libssh2 cannot sign. */
	test_build(&b, "ssh-dss-cert-v01@openssh.com", 4, CERT_TYPE_USER, 1);
	assert_non_null(c = cert_parse(b.p, b.len, &cause));
	assert_false(c->usable);
	cert_free(c);
	wire_buf_free(&b);
	test_build(&b, "sk-ssh-ed25519-cert-v01@openssh.com", 2,
	    CERT_TYPE_USER, 1);
	assert_non_null(c = cert_parse(b.p, b.len, &cause));
	assert_string_equal(c->key_type, "sk-ssh-ed25519@openssh.com");
	assert_false(c->usable);
	cert_free(c);
	wire_buf_free(&b);
}

/* The line's type must be the blob's. */
static void
test_type_mismatch(void **state)
{
	char		*text, *cause, *sp;
	char		 line[2048];

	(void)state;
	text = testutil_slurp(test_path);
	sp = strchr(text, ' ');
	snprintf(line, sizeof line, "ssh-rsa-cert-v01@openssh.com%s", sp);
	assert_null(cert_parse_text(line, strlen(line), &cause));
	test_cause(cause, "its line says ssh-rsa-cert-v01@openssh.com but the "
	    "certificate is ssh-ed25519-cert-v01@openssh.com");
	free(text);
}

/* The validity window is checked, and said in UTC. */
static void
test_time(void **state)
{
	struct cert	*c;
	char		*cause;
	char		 buf[CERT_TIME_LEN];

	(void)state;
	assert_non_null(c = cert_load(test_path, &cause));
	assert_int_equal(cert_check_time(c, test_path, T2025, &cause), 0);
	assert_int_equal(cert_check_time(c, test_path, T2026 - 1, &cause), 0);
	assert_int_equal(cert_check_time(c, test_path, T2026, &cause), -1);
	test_cause(cause, "has expired (valid from 2025-01-01 00:00:00 UTC to "
	    "2026-01-01 00:00:00 UTC; it is now 2026-01-01 00:00:00 UTC)");
	assert_int_equal(cert_check_time(c, test_path, T2025 - 1, &cause), -1);
	test_cause(cause, "is not valid yet (valid from 2025-01-01 00:00:00 "
	    "UTC to 2026-01-01 00:00:00 UTC; it is now 2024-12-31 23:59:59 "
	    "UTC)");
	cert_free(c);

	cert_format_time(0, buf, sizeof buf);
	assert_string_equal(buf, "1970-01-01 00:00:00 UTC");
	cert_format_time(CERT_FOREVER, buf, sizeof buf);
	assert_string_equal(buf, "forever");
	cert_format_time(CERT_FOREVER - 1, buf, sizeof buf);
	assert_string_equal(buf, "forever");
	cert_format_time(253402300799ULL, buf, sizeof buf);
	assert_string_equal(buf, "9999-12-31 23:59:59 UTC");
}

/* The certificate must be for the identity's key, when that can be told. */
static void
test_identity(void **state)
{
	struct cert	*c, *r;
	char		*cause;

	(void)state;
	assert_non_null(c = cert_load(test_path, &cause));
	assert_non_null(r = cert_load(test_in("rsa-cert.pub"), &cause));
	assert_int_equal(cert_check_identity(c, test_path, test_key, &cause),
	    0);
	assert_int_equal(cert_check_identity(r, "r", test_in("rsa"), &cause),
	    0);
	assert_int_equal(cert_check_identity(c, test_path, test_in("other"),
	    &cause), -1);
	test_cause(cause, "is for key SHA256:");
	assert_int_equal(cert_check_identity(c, test_path, test_in("rsa"),
	    &cause), -1);
	test_cause(cause, "is for an ssh-ed25519 key but identity");
	assert_int_equal(cert_check_identity(r, "r", test_key, &cause), -1);
	test_cause(cause, "is for an ssh-rsa key but identity");
	/* A PEM key, a missing file, garbage: cannot tell, not refused. */
	assert_int_equal(cert_check_identity(c, test_path, test_in("pem"),
	    &cause), 0);
	assert_int_equal(cert_check_identity(c, test_path, testutil_nofile(),
	    &cause), 0);
	assert_int_equal(cert_check_identity(c, test_path, test_path, &cause),
	    0);
	assert_int_equal(cert_check_identity(c, test_path, testutil_file(
	    "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEA\n"
	    "-----END OPENSSH PRIVATE KEY-----\n"), &cause), 0);
	cert_free(c);
	cert_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_oversized),
		cmocka_unit_test(test_wrong_type),
		cmocka_unit_test(test_type_mismatch),
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_identity),
	};

	return cmocka_run_group_tests(tests, test_setup, test_teardown);
}

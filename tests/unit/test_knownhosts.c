/* Unit tests for knownhosts.c, with keys and hashing from OpenSSH. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "knownhosts.h"
#include "log.h"
#include "testutil.h"

#define TEST_HOST	"host.example.com"

static struct testutil_key	k1;	/* ed25519 */
static struct testutil_key	k2;	/* ed25519, another */
static struct testutil_key	k3;	/* ecdsa-sha2-nistp256 */
static int			test_saved_stderr = -1;
static char			test_capture_path[512];

/* Create the test directory and the keys. */
static int
test_setup(void **state)
{
	(void)state;
	if (testutil_dir_create("kh") != 0)
		return -1;
	testutil_keygen(&k1, "k1", "-t ed25519");
	testutil_keygen(&k2, "k2", "-t ed25519");
	testutil_keygen(&k3, "k3", "-t ecdsa -b 256");
	snprintf(test_capture_path, sizeof test_capture_path, "%s/stderr",
	    testutil_dir);
	return 0;
}

/* Remove the test directory. */
static int
test_teardown(void **state)
{
	(void)state;
	testutil_key_free(&k1);
	testutil_key_free(&k2);
	testutil_key_free(&k3);
	return testutil_dir_remove();
}

/* Send stderr to a file until test_capture_end. */
static void
test_capture_start(void)
{
	int	fd;

	fflush(stderr);
	assert_true((test_saved_stderr = dup(STDERR_FILENO)) != -1);
	fd = open(test_capture_path, O_WRONLY|O_CREAT|O_TRUNC, 0600);
	assert_true(fd != -1);
	assert_true(dup2(fd, STDERR_FILENO) != -1);
	close(fd);
}

/* Restore stderr and return what was written to it (caller frees). */
static char *
test_capture_end(void)
{
	fflush(stderr);
	dup2(test_saved_stderr, STDERR_FILENO);
	close(test_saved_stderr);
	test_saved_stderr = -1;
	return testutil_slurp(test_capture_path);
}

/* Look up HOST:PORT with key K (or NULL) in PATH; expect success. */
static struct knownhosts_lookup
test_check(const char *path, const char *host, int port,
    const struct testutil_key *k)
{
	struct knownhosts_lookup	 kl;
	char				*cause = NULL;

	memset(&kl, 0xa5, sizeof kl);
	if (knownhosts_check(path, host, port, k != NULL ? k->blob : NULL,
	    k != NULL ? k->len : 0, &kl, &cause) != 0)
		fail_msg("knownhosts_check %s: %s", path, cause);
	assert_null(cause);
	return kl;
}

/* Expect RESULT from line LINE. */
static void
test_expect(const char *path, const char *host, int port,
    const struct testutil_key *k, enum knownhosts_result result, int line)
{
	struct knownhosts_lookup	kl;

	kl = test_check(path, host, port, k);
	if (kl.result != result || kl.line != line)
		fail_msg("%s port %d: result %d line %d, expected %d line %d",
		    host, port, kl.result, kl.line, result, line);
}

/* Find an exact key on a plain line. */
static void
test_plain_match(void **state)
{
	struct knownhosts_lookup	 kl;
	const char			*path;

	(void)state;
	path = testutil_file("# comment\n\n" TEST_HOST " %s\n", k1.text);
	kl = test_check(path, TEST_HOST, 22, &k1);
	assert_int_equal(kl.result, KNOWNHOSTS_MATCH);
	assert_int_equal(kl.line, 3);
	assert_int_equal(kl.ntypes, 1);
	assert_string_equal(kl.types[0], "ssh-ed25519");

	/* Leading blanks, tabs, CRLF and a trailing comment are fine. */
	path = testutil_file("other %s\n \t" TEST_HOST "\t%s  a comment\r\n",
	    k2.text, k1.text);
	test_expect(path, TEST_HOST, 22, &k1, KNOWNHOSTS_MATCH, 2);
}

/* Report another key of the same type as a mismatch. */
static void
test_mismatch(void **state)
{
	const char	*path;

	(void)state;
	path = testutil_file(TEST_HOST " %s\n", k2.text);
	test_expect(path, TEST_HOST, 22, &k1, KNOWNHOSTS_MISMATCH, 1);

	/* An exact key anywhere beats a different one before it. */
	path = testutil_file(TEST_HOST " %s\n" TEST_HOST " %s\n", k2.text,
	    k1.text);
	test_expect(path, TEST_HOST, 22, &k1, KNOWNHOSTS_MATCH, 2);
	test_expect(path, TEST_HOST, 22, &k2, KNOWNHOSTS_MATCH, 1);

	/* The first of several matching lines decides. */
	path = testutil_file("other %s\n" TEST_HOST " %s\n" TEST_HOST " %s\n",
	    k1.text, k1.text, k1.text);
	test_expect(path, TEST_HOST, 22, &k1, KNOWNHOSTS_MATCH, 2);

	/* The first of several mismatching lines decides. */
	path = testutil_file("other %s\n" TEST_HOST " %s\n" TEST_HOST " %s\n",
	    k1.text, k3.text, k2.text);
	test_expect(path, TEST_HOST, 22, &k1, KNOWNHOSTS_MISMATCH, 3);
}

/* Report no entry of this type, listing the types there are. */
static void
test_notfound_types(void **state)
{
	struct knownhosts_lookup	 kl;
	const char			*path;

	(void)state;
	path = testutil_file(TEST_HOST " %s\nother.example.com %s\n"
	    TEST_HOST " %s\n" TEST_HOST " %s\n", k3.text, k1.text, k3.text,
	    k3.text);
	kl = test_check(path, TEST_HOST, 22, &k1);
	assert_int_equal(kl.result, KNOWNHOSTS_NOTFOUND);
	assert_int_equal(kl.line, 0);
	assert_int_equal(kl.ntypes, 1);
	assert_string_equal(kl.types[0], "ecdsa-sha2-nistp256");

	/* Without a key, only the types, in file order, each once. */
	path = testutil_file(TEST_HOST " %s\n" TEST_HOST " %s\n" TEST_HOST
	    " %s\n", k3.text, k1.text, k3.text);
	kl = test_check(path, TEST_HOST, 22, NULL);
	assert_int_equal(kl.result, KNOWNHOSTS_NOTFOUND);
	assert_int_equal(kl.line, 0);
	assert_int_equal(kl.ntypes, 2);
	assert_string_equal(kl.types[0], "ecdsa-sha2-nistp256");
	assert_string_equal(kl.types[1], "ssh-ed25519");

	kl = test_check(path, "nowhere.example.com", 22, &k1);
	assert_int_equal(kl.result, KNOWNHOSTS_NOTFOUND);
	assert_int_equal(kl.ntypes, 0);
}

/* Treat a missing file as empty and an unreadable one as an error. */
static void
test_missing_and_unreadable(void **state)
{
	struct knownhosts_lookup	 kl;
	char				 path[512], *cause = NULL;

	(void)state;
	snprintf(path, sizeof path, "%s/does-not-exist", testutil_dir);
	kl = test_check(path, TEST_HOST, 22, &k1);
	assert_int_equal(kl.result, KNOWNHOSTS_NOTFOUND);
	assert_int_equal(kl.ntypes, 0);

	/* A directory opens but cannot be read, even by root. */
	assert_int_equal(knownhosts_check(testutil_dir, TEST_HOST, 22, k1.blob,
	    k1.len, &kl, &cause), -1);
	assert_non_null(cause);
	assert_non_null(strstr(cause, testutil_dir));
	free(cause);

	/* A malformed key to look up is an error too. */
	cause = NULL;
	assert_int_equal(knownhosts_check(path, TEST_HOST, 22,
	    (const unsigned char *)"\0\0\0\x09ssh", 7, &kl, &cause), -1);
	assert_non_null(cause);
	free(cause);
}

/* Keep port 22 names and [host]:port names apart. */
static void
test_ports(void **state)
{
	const char	*path;
	char		 name[64];

	(void)state;
	knownhosts_hostname(TEST_HOST, 22, name, sizeof name);
	assert_string_equal(name, TEST_HOST);
	knownhosts_hostname(TEST_HOST, 2222, name, sizeof name);
	assert_string_equal(name, "[" TEST_HOST "]:2222");
	knownhosts_hostname("Host.Example.COM", 22, name, sizeof name);
	assert_string_equal(name, TEST_HOST);
	knownhosts_hostname(TEST_HOST, 2222, name, 8);
	assert_string_equal(name, "[host.e");

	path = testutil_file(TEST_HOST " %s\n", k1.text);
	test_expect(path, TEST_HOST, 22, &k1, KNOWNHOSTS_MATCH, 1);
	test_expect(path, TEST_HOST, 2222, &k1, KNOWNHOSTS_NOTFOUND, 0);

	path = testutil_file("[" TEST_HOST "]:2222 %s\n", k1.text);
	test_expect(path, TEST_HOST, 2222, &k1, KNOWNHOSTS_MATCH, 1);
	test_expect(path, TEST_HOST, 22, &k1, KNOWNHOSTS_NOTFOUND, 0);
	test_expect(path, TEST_HOST, 2223, &k1, KNOWNHOSTS_NOTFOUND, 0);

	/* Both present: each port finds its own line. */
	path = testutil_file(TEST_HOST " %s\n[" TEST_HOST "]:2222 %s\n",
	    k2.text, k1.text);
	test_expect(path, TEST_HOST, 2222, &k1, KNOWNHOSTS_MATCH, 2);
	test_expect(path, TEST_HOST, 22, &k1, KNOWNHOSTS_MISMATCH, 1);

	/* Patterns may stand inside the brackets. */
	path = testutil_file("[*.example.com]:2222 %s\n", k1.text);
	test_expect(path, TEST_HOST, 2222, &k1, KNOWNHOSTS_MATCH, 1);
	test_expect(path, TEST_HOST, 22, &k1, KNOWNHOSTS_NOTFOUND, 0);
}

/* Flip the low bit of the last byte of the hash in "|1|salt|hash". */
static void
test_flip_hash(char *field, size_t size)
{
	unsigned char	 raw[32];
	char		*b64;

	assert_non_null(b64 = strrchr(field, '|'));
	b64++;
	assert_int_equal(strlen(b64), 28);
	assert_int_equal(EVP_DecodeBlock(raw, (unsigned char *)b64, 28), 21);
	raw[19] ^= 1;
	assert_true((size_t)(b64 - field) + 29 <= size);
	assert_int_equal(EVP_EncodeBlock((unsigned char *)b64, raw, 20), 28);
}

/* Match names hashed by ssh-keygen -H, and only those. */
static void
test_hashed(void **state)
{
	const char	*path;
	char		 buf[8192], old[600];
	FILE		*f;
	size_t		 n;

	(void)state;
	path = testutil_file(TEST_HOST " %s\n[" TEST_HOST "]:2222 %s\n"
	    "a.example.com,b.example.com %s\n", k1.text, k2.text, k3.text);
	testutil_run("ssh-keygen -q -H -f '%s' >/dev/null 2>&1", path);
	snprintf(old, sizeof old, "%s.old", path);
	unlink(old);

	assert_non_null(f = fopen(path, "r"));
	n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	assert_null(strstr(buf, "example.com"));
	assert_int_equal(strncmp(buf, "|1|", 3), 0);

	test_expect(path, TEST_HOST, 22, &k1, KNOWNHOSTS_MATCH, 1);
	test_expect(path, TEST_HOST, 22, &k2, KNOWNHOSTS_MISMATCH, 1);
	test_expect(path, TEST_HOST, 2222, &k2, KNOWNHOSTS_MATCH, 2);
	test_expect(path, TEST_HOST, 2222, &k1, KNOWNHOSTS_MISMATCH, 2);
	test_expect(path, TEST_HOST, 2223, &k1, KNOWNHOSTS_NOTFOUND, 0);
	test_expect(path, "other.example.com", 22, &k1, KNOWNHOSTS_NOTFOUND,
	    0);
	/* ssh-keygen -H writes one hashed line per name of a list. */
	test_expect(path, "a.example.com", 22, &k3, KNOWNHOSTS_MATCH, 3);
	test_expect(path, "b.example.com", 22, &k3, KNOWNHOSTS_MATCH, 4);
	test_expect(path, "c.example.com", 22, &k3, KNOWNHOSTS_NOTFOUND, 0);
	/* ssh looks names up in lower case; so do we. */
	test_expect(path, "HOST.Example.COM", 22, &k1, KNOWNHOSTS_MATCH, 1);

	/* Every bit of the hash counts: flip one in its last byte. */
	buf[strcspn(buf, " ")] = '\0';
	test_flip_hash(buf, sizeof buf);
	path = testutil_file("%s %s\n", buf, k1.text);
	test_expect(path, TEST_HOST, 22, &k1, KNOWNHOSTS_NOTFOUND, 0);
}

/* Refuse a key that an @revoked line holds, whatever else says. */
static void
test_revoked(void **state)
{
	struct knownhosts_lookup	 kl;
	const char			*path;

	(void)state;
	path = testutil_file(TEST_HOST " %s\n@revoked " TEST_HOST " %s\n",
	    k1.text, k1.text);
	kl = test_check(path, TEST_HOST, 22, &k1);
	assert_int_equal(kl.result, KNOWNHOSTS_REVOKED);
	assert_int_equal(kl.line, 2);
	assert_int_equal(kl.ntypes, 1);

	path = testutil_file("@revoked * %s\n" TEST_HOST " %s\n", k1.text,
	    k1.text);
	test_expect(path, TEST_HOST, 22, &k1, KNOWNHOSTS_REVOKED, 1);
	/* Another key on the same host is judged by the other lines. */
	test_expect(path, TEST_HOST, 22, &k2, KNOWNHOSTS_MISMATCH, 2);

	/* Revoked lines give no type and no match. */
	path = testutil_file("@revoked " TEST_HOST " %s\n", k2.text);
	kl = test_check(path, TEST_HOST, 22, &k1);
	assert_int_equal(kl.result, KNOWNHOSTS_NOTFOUND);
	assert_int_equal(kl.ntypes, 0);

	/* An @revoked line for another host does not apply. */
	path = testutil_file("@revoked other.example.com %s\n"
	    TEST_HOST " %s\n", k1.text, k1.text);
	test_expect(path, TEST_HOST, 22, &k1, KNOWNHOSTS_MATCH, 2);
}

/* Skip @cert-authority lines with a warning. */
static void
test_cert_authority(void **state)
{
	struct knownhosts_lookup	 kl;
	const char			*path;
	char				*err, want[600];

	(void)state;
	path = testutil_file("@cert-authority " TEST_HOST " %s\n", k1.text);
	test_capture_start();
	kl = test_check(path, TEST_HOST, 22, &k1);
	err = test_capture_end();
	assert_int_equal(kl.result, KNOWNHOSTS_NOTFOUND);
	assert_int_equal(kl.ntypes, 0);
	snprintf(want, sizeof want, "%s:1: @cert-authority entries are not "
	    "supported; line ignored", path);
	if (strstr(err, want) == NULL)
		fail_msg("no \"%s\" in \"%s\"", want, err);
	free(err);
}

/* Warn about bad lines by number and keep reading after them. */
static void
test_bad_lines(void **state)
{
	struct knownhosts_lookup	 kl;
	const char			*path, *blob64;
	char				*err, want[600];
	static const char		*why[] = {
		NULL, NULL,
		":3: too few fields",
		":4: too few fields",
		":5: key is not valid base64",
		":6: key is not valid base64",
		":7: unknown marker",
		":8: key type field does not match",
		":9: malformed hashed host name",
		":10: malformed hashed host name",
		":11: malformed hashed host name",
		":12: malformed hashed host name",
		":13: key blob is malformed",
	};
	size_t				 i;

	(void)state;
	blob64 = strchr(k1.text, ' ') + 1;
	path = testutil_file(
	    "# comment\n"
	    "\n"
	    TEST_HOST " ssh-ed25519\n"
	    "@revoked\n"
	    TEST_HOST " ssh-ed25519 !!!!\n"
	    TEST_HOST " ssh-ed25519 AAAA=C3N\n"
	    "@trusted " TEST_HOST " %s\n"
	    TEST_HOST " ssh-rsa %s\n"
	    "|1|c2FsdA==|aGFzaA== %s\n"
	    "|2|AAAAAAAAAAAAAAAAAAAAAAAAAAA=|AAAAAAAAAAAAAAAAAAAAAAAAAAA= %s\n"
	    "|1|AAAAAAAAAAAAAAAAAAAAAAAAAAA= %s\n"
	    "|1|AAAAAAAAAAAAAAAAAAAAAA==|AAAAAAAAAAAAAAAAAAAAAAAAAAA= %s\n"
	    TEST_HOST " ssh-ed25519 AAAA/wAA\n"
	    TEST_HOST " %s\n",
	    k2.text, blob64, k1.text, k1.text, k1.text, k1.text, k1.text);

	test_capture_start();
	kl = test_check(path, TEST_HOST, 22, &k1);
	err = test_capture_end();
	assert_int_equal(kl.result, KNOWNHOSTS_MATCH);
	assert_int_equal(kl.line, 14);
	assert_int_equal(kl.ntypes, 1);
	for (i = 0; i < sizeof why / sizeof why[0]; i++) {
		if (why[i] == NULL)
			continue;
		snprintf(want, sizeof want, "%s%s", path, why[i]);
		if (strstr(err, want) == NULL)
			fail_msg("no \"%s\" in \"%s\"", want, err);
	}
	snprintf(want, sizeof want, "%s:14:", path);
	assert_null(strstr(err, want));
	snprintf(want, sizeof want, "%s:1:", path);
	assert_null(strstr(err, want));
	free(err);
}

/* Read lines longer than any fixed buffer. */
static void
test_long_lines(void **state)
{
	const char	*path;
	char		*comment, *patterns;
	size_t		 i, n = 200000;

	(void)state;
	comment = malloc(n + 1);
	memset(comment, 'x', n);
	comment[0] = '#';
	comment[n] = '\0';
	patterns = malloc(n + 64);
	for (i = 0; i + 2 < n; i += 2)
		memcpy(patterns + i, "a,", 2);
	strcpy(patterns + i, TEST_HOST);

	path = testutil_file("%s\n%s %s\n", comment, patterns, k1.text);
	test_expect(path, TEST_HOST, 22, &k1, KNOWNHOSTS_MATCH, 2);
	free(comment);
	free(patterns);
}

/* Match '*', '?' and '!' patterns as OpenSSH does. */
static void
test_patterns(void **state)
{
	const char	*path;

	(void)state;
	path = testutil_file("*.example.com %s\n", k1.text);
	test_expect(path, TEST_HOST, 22, &k1, KNOWNHOSTS_MATCH, 1);
	test_expect(path, "a.b.example.com", 22, &k1, KNOWNHOSTS_MATCH, 1);
	test_expect(path, "example.com", 22, &k1, KNOWNHOSTS_NOTFOUND, 0);
	test_expect(path, "example.com.evil", 22, &k1, KNOWNHOSTS_NOTFOUND, 0);
	test_expect(path, TEST_HOST, 2222, &k1, KNOWNHOSTS_NOTFOUND, 0);

	/* A trailing star matches nothing too. */
	path = testutil_file("host.example.com* %s\n", k1.text);
	test_expect(path, TEST_HOST, 22, &k1, KNOWNHOSTS_MATCH, 1);
	test_expect(path, TEST_HOST ".org", 22, &k1, KNOWNHOSTS_MATCH, 1);
	test_expect(path, "host.example.co", 22, &k1, KNOWNHOSTS_NOTFOUND, 0);

	path = testutil_file("host? %s\n", k1.text);
	test_expect(path, "host1", 22, &k1, KNOWNHOSTS_MATCH, 1);
	test_expect(path, "hostx", 22, &k1, KNOWNHOSTS_MATCH, 1);
	test_expect(path, "host", 22, &k1, KNOWNHOSTS_NOTFOUND, 0);
	test_expect(path, "host12", 22, &k1, KNOWNHOSTS_NOTFOUND, 0);

	path = testutil_file("!bad.example.com,*.example.com %s\n", k1.text);
	test_expect(path, "good.example.com", 22, &k1, KNOWNHOSTS_MATCH, 1);
	test_expect(path, "bad.example.com", 22, &k1, KNOWNHOSTS_NOTFOUND, 0);
	test_expect(path, "BAD.Example.com", 22, &k1, KNOWNHOSTS_NOTFOUND, 0);

	/* Negation wins wherever it stands in the list... */
	path = testutil_file("*.example.com,!bad.example.com %s\n", k1.text);
	test_expect(path, "bad.example.com", 22, &k1, KNOWNHOSTS_NOTFOUND, 0);
	test_expect(path, "good.example.com", 22, &k1, KNOWNHOSTS_MATCH, 1);

	/* ...but only on its own line. */
	path = testutil_file("!bad.example.com,*.example.com %s\n"
	    "bad.example.com %s\n", k2.text, k1.text);
	test_expect(path, "bad.example.com", 22, &k1, KNOWNHOSTS_MATCH, 2);
	test_expect(path, "good.example.com", 22, &k1, KNOWNHOSTS_MISMATCH,
	    1);

	/* A negation alone matches nothing. */
	path = testutil_file("!bad.example.com %s\n", k1.text);
	test_expect(path, "good.example.com", 22, &k1, KNOWNHOSTS_NOTFOUND, 0);

	/* Case does not matter, on either side. */
	path = testutil_file("Host.Example.COM %s\n", k1.text);
	test_expect(path, TEST_HOST, 22, &k1, KNOWNHOSTS_MATCH, 1);
	test_expect(path, "HOST.EXAMPLE.COM", 22, &k1, KNOWNHOSTS_MATCH, 1);

	/* Stars backtrack. */
	path = testutil_file("*a*b*c %s\n", k1.text);
	test_expect(path, "xaxbxaxbxc", 22, &k1, KNOWNHOSTS_MATCH, 1);
	test_expect(path, "xaxbxaxbxcx", 22, &k1, KNOWNHOSTS_NOTFOUND, 0);
}

/* Count files in the test directory whose names start with PREFIX. */
static int
test_count_prefix(const char *prefix)
{
	DIR		*d;
	struct dirent	*de;
	int		 n = 0;

	assert_non_null(d = opendir(testutil_dir));
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, prefix, strlen(prefix)) == 0)
			n++;
	}
	closedir(d);
	return n;
}

/* Append entries atomically, readable by us and by ssh-keygen. */
static void
test_add(void **state)
{
	struct stat	 sb;
	char		 path[512], want[4096], *buf, *cause = NULL;
	FILE		*f;

	(void)state;
	/* A new file. */
	snprintf(path, sizeof path, "%s/added", testutil_dir);
	assert_int_equal(knownhosts_add(path, "Host.Example.com", 22, k1.blob,
	    k1.len, &cause), 0);
	assert_null(cause);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	buf = testutil_slurp(path);
	snprintf(want, sizeof want, TEST_HOST " %s\n", k1.text);
	assert_string_equal(buf, want);
	free(buf);
	test_expect(path, TEST_HOST, 22, &k1, KNOWNHOSTS_MATCH, 1);

	/* An old file, mode 0644, no final newline; port 2222. */
	snprintf(path, sizeof path, "%s/added2", testutil_dir);
	assert_non_null(f = fopen(path, "w"));
	fprintf(f, "# mine\nother.example.com %s", k2.text);
	fclose(f);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(knownhosts_add(path, TEST_HOST, 2222, k1.blob,
	    k1.len, &cause), 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	buf = testutil_slurp(path);
	snprintf(want, sizeof want, "# mine\nother.example.com %s\n"
	    "[" TEST_HOST "]:2222 %s\n", k2.text, k1.text);
	assert_string_equal(buf, want);
	free(buf);
	test_expect(path, TEST_HOST, 2222, &k1, KNOWNHOSTS_MATCH, 3);
	test_expect(path, TEST_HOST, 22, &k1, KNOWNHOSTS_NOTFOUND, 0);
	test_expect(path, "other.example.com", 22, &k2, KNOWNHOSTS_MATCH, 2);
	testutil_run("ssh-keygen -F '[" TEST_HOST "]:2222' -f '%s' | "
	    "grep -qF '%s'", path, k1.text);
	snprintf(want, sizeof want, "ssh-keygen -F '" TEST_HOST "' -f '%s' "
	    "| grep -q .", path);
	if (system(want) == 0)
		fail_msg("ssh-keygen found port 22 in %s", path);

	/* Appending again keeps both entries. */
	assert_int_equal(knownhosts_add(path, TEST_HOST, 22, k3.blob, k3.len,
	    &cause), 0);
	test_expect(path, TEST_HOST, 2222, &k1, KNOWNHOSTS_MATCH, 3);
	test_expect(path, TEST_HOST, 22, &k3, KNOWNHOSTS_MATCH, 4);

	assert_int_equal(test_count_prefix("added."), 0);
}

/*
 * Tofu writes are atomic: a reader running while entries are appended
 * sees either the old or the new file, never a half-written one. A child
 * looks up the first entry over and over while the parent appends.
 */
static void
test_add_concurrent_read(void **state)
{
	struct knownhosts_lookup lookup;
	char		 path[512], host[64], *cause = NULL;
	int		 status, i, reads = 0, pipefd[2];
	pid_t		 pid;

	(void)state;
	snprintf(path, sizeof path, "%s/concurrent", testutil_dir);
	assert_int_equal(knownhosts_add(path, TEST_HOST, 22, k1.blob, k1.len,
	    &cause), 0);
	assert_int_equal(pipe(pipefd), 0);
	if ((pid = fork()) == 0) {
		close(pipefd[1]);
		alarm(30);	/* never outlive a parent that failed */
		/* Read until the parent closes the pipe (read returns 0). */
		fcntl(pipefd[0], F_SETFL, O_NONBLOCK);
		for (;;) {
			if (knownhosts_check(path, TEST_HOST, 22, k1.blob,
			    k1.len, &lookup, &cause) != 0 ||
			    lookup.result != KNOWNHOSTS_MATCH)
				_exit(1);
			reads++;
			if (read(pipefd[0], host, 1) == 0)
				break;
		}
		_exit(reads > 10 ? 0 : 2);
	}
	assert_true(pid > 0);
	close(pipefd[0]);
	for (i = 0; i < 300; i++) {
		snprintf(host, sizeof host, "host%d.example.com", i);
		assert_int_equal(knownhosts_add(path, host, 22, k2.blob,
		    k2.len, &cause), 0);
	}
	close(pipefd[1]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	for (i = 0; i < 300; i += 37) {
		snprintf(host, sizeof host, "host%d.example.com", i);
		test_expect(path, host, 22, &k2, KNOWNHOSTS_MATCH, i + 2);
	}
}

/* Replace the file a symbolic link names, not the link. */
static void
test_add_symlink(void **state)
{
	struct stat	 sb;
	char		 link[512], target[512], *cause = NULL;

	(void)state;
	snprintf(target, sizeof target, "%s/target", testutil_dir);
	snprintf(link, sizeof link, "%s/link", testutil_dir);
	assert_int_equal(rename(testutil_file("other.example.com %s\n",
	    k2.text), target), 0);
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(knownhosts_add(link, TEST_HOST, 22, k1.blob, k1.len,
	    &cause), 0);
	assert_int_equal(lstat(link, &sb), 0);
	assert_true(S_ISLNK(sb.st_mode));
	test_expect(target, TEST_HOST, 22, &k1, KNOWNHOSTS_MATCH, 2);
	test_expect(target, "other.example.com", 22, &k2, KNOWNHOSTS_MATCH, 1);
}

/* The uid that plants links in the tests below: nobody's. */
#define TEST_OTHER_UID	65534

/* Make DIR below the work directory with MODE (umask aside). */
static void
test_mkdir(char *dir, size_t len, const char *name, mode_t mode)
{
	snprintf(dir, len, "%s/%s", testutil_dir, name);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(chmod(dir, mode), 0);
}

/* A victim file of another user: "precious\n", mode 0644. */
static void
test_victim(char *path, size_t len, const char *name)
{
	snprintf(path, len, "%s/%s", testutil_dir, name);
	assert_int_equal(rename(testutil_file("precious\n"), path), 0);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(chown(path, TEST_OTHER_UID, TEST_OTHER_UID), 0);
}

/* The victim is as test_victim left it: content, mode and owner. */
static void
test_victim_intact(const char *path)
{
	struct stat	 sb;
	char		*buf;

	assert_int_equal(lstat(path, &sb), 0);
	assert_true(S_ISREG(sb.st_mode));
	assert_int_equal(sb.st_mode & 07777, 0644);
	assert_int_equal(sb.st_uid, TEST_OTHER_UID);
	buf = testutil_slurp(path);
	assert_string_equal(buf, "precious\n");
	free(buf);
}

/* Fail unless CAUSE holds every one of the NULL-terminated strings. */
static void
test_cause_has(const char *cause, ...)
{
	va_list		 ap;
	const char	*want;

	assert_non_null(cause);
	va_start(ap, cause);
	while ((want = va_arg(ap, const char *)) != NULL) {
		if (strstr(cause, want) == NULL)
			fail_msg("\"%s\" not in \"%s\"", want, cause);
	}
	va_end(ap);
}

/*
 * A link another user planted in a sticky world-writable directory (like
 * /tmp) is refused, not followed: the file it names is unchanged, and the
 * error names the link, its owner and the directory's mode. Our own file
 * there is written (through a temporary file and rename).
 */
static void
test_add_planted_link(void **state)
{
	struct stat	 sb;
	char		 dir[512], link[600], victim[512], mine[600];
	char		*cause = NULL;

	(void)state;
	if (geteuid() != 0)
		skip();		/* chown needs root */
	test_mkdir(dir, sizeof dir, "sticky", 01777);
	test_victim(victim, sizeof victim, "victim");
	snprintf(link, sizeof link, "%s/known_hosts", dir);
	assert_int_equal(symlink(victim, link), 0);
	assert_int_equal(lchown(link, TEST_OTHER_UID, TEST_OTHER_UID), 0);
	assert_int_equal(knownhosts_add(link, TEST_HOST, 22, k1.blob, k1.len,
	    &cause), -1);
	test_cause_has(cause, link, "symbolic link", "uid 65534", "1777",
	    NULL);
	free(cause);
	test_victim_intact(victim);
	assert_int_equal(lstat(link, &sb), 0);
	assert_true(S_ISLNK(sb.st_mode));

	/* Our own file in the same directory, new and then appended to. */
	snprintf(mine, sizeof mine, "%s/mine", dir);
	assert_int_equal(knownhosts_add(mine, TEST_HOST, 22, k1.blob, k1.len,
	    &cause), 0);
	assert_int_equal(knownhosts_add(mine, TEST_HOST, 2222, k2.blob,
	    k2.len, &cause), 0);
	test_expect(mine, TEST_HOST, 22, &k1, KNOWNHOSTS_MATCH, 1);
	test_expect(mine, TEST_HOST, 2222, &k2, KNOWNHOSTS_MATCH, 2);
	assert_int_equal(stat(mine, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);

	/* A file of another user's there is not replaced either. */
	assert_int_equal(chown(mine, TEST_OTHER_UID, TEST_OTHER_UID), 0);
	assert_int_equal(knownhosts_add(mine, TEST_HOST, 2200, k3.blob,
	    k3.len, &cause), -1);
	test_cause_has(cause, mine, "a file of uid 65534", NULL);
	free(cause);
}

/*
 * A directory that other users can write without the sticky bit, or that
 * another user owns, is refused, and so is a link to a directory in such
 * a place: the error names the directory and its mode or owner.
 */
static void
test_add_unsafe_dir(void **state)
{
	char	 dir[512], owned[512], path[600], victim[512], link[600];
	char	*cause = NULL;

	(void)state;
	if (geteuid() != 0)
		skip();
	test_mkdir(dir, sizeof dir, "open", 0777);
	snprintf(path, sizeof path, "%s/known_hosts", dir);
	assert_int_equal(knownhosts_add(path, TEST_HOST, 22, k1.blob, k1.len,
	    &cause), -1);
	test_cause_has(cause, dir, "mode 0777", "chmod go-w", NULL);
	free(cause);
	assert_int_equal(access(path, F_OK), -1);

	/* Another user's directory, with a link to a victim in it. */
	test_mkdir(owned, sizeof owned, "owned", 0755);
	assert_int_equal(chown(owned, TEST_OTHER_UID, TEST_OTHER_UID), 0);
	test_victim(victim, sizeof victim, "victim2");
	snprintf(link, sizeof link, "%s/known_hosts", owned);
	assert_int_equal(symlink(victim, link), 0);
	assert_int_equal(knownhosts_add(link, TEST_HOST, 22, k1.blob, k1.len,
	    &cause), -1);
	test_cause_has(cause, owned, "belongs to uid 65534", NULL);
	free(cause);
	test_victim_intact(victim);

	/* A known_hosts that others may write is not taken as it is. */
	path[0] = '\0';
	snprintf(path, sizeof path, "%s/groupwritable", testutil_dir);
	assert_int_equal(rename(testutil_file("other.example.com %s\n",
	    k2.text), path), 0);
	assert_int_equal(chmod(path, 0664), 0);
	assert_int_equal(knownhosts_add(path, TEST_HOST, 22, k1.blob, k1.len,
	    &cause), -1);
	test_cause_has(cause, path, "mode 0664", NULL);
	free(cause);
}

/* Refuse bad input and leave nothing behind on failure. */
static void
test_add_errors(void **state)
{
	struct stat	 sb;
	char		 path[512], *cause;
	static const char *hosts[] = {
		"", "bad host", "a,b", "*.example.com", "host?", "!host",
		"|1|x", "#host", "@revoked", "[host]:22", "host\n"
	};
	size_t		 i;

	(void)state;
	snprintf(path, sizeof path, "%s/noadd", testutil_dir);
	for (i = 0; i < sizeof hosts / sizeof hosts[0]; i++) {
		cause = NULL;
		if (knownhosts_add(path, hosts[i], 22, k1.blob, k1.len,
		    &cause) != -1)
			fail_msg("accepted host \"%s\"", hosts[i]);
		assert_non_null(cause);
		free(cause);
	}
	cause = NULL;
	assert_int_equal(knownhosts_add(path, TEST_HOST, 0, k1.blob, k1.len,
	    &cause), -1);
	free(cause);
	cause = NULL;
	assert_int_equal(knownhosts_add(path, TEST_HOST, 65536, k1.blob,
	    k1.len, &cause), -1);
	free(cause);
	cause = NULL;
	assert_int_equal(knownhosts_add(path, TEST_HOST, 22,
	    (const unsigned char *)"\0\0\0\x20", 4, &cause), -1);
	free(cause);
	assert_int_equal(stat(path, &sb), -1);

	/* A directory that does not exist. */
	snprintf(path, sizeof path, "%s/nodir/known_hosts", testutil_dir);
	cause = NULL;
	assert_int_equal(knownhosts_add(path, TEST_HOST, 22, k1.blob, k1.len,
	    &cause), -1);
	assert_non_null(cause);
	free(cause);

	/* A file that cannot be read is not replaced. */
	cause = NULL;
	assert_int_equal(knownhosts_add(testutil_dir, TEST_HOST, 22, k1.blob,
	    k1.len, &cause), -1);
	assert_non_null(cause);
	free(cause);
	assert_int_equal(stat(testutil_dir, &sb), 0);
	assert_true(S_ISDIR(sb.st_mode));
	assert_int_equal(test_count_prefix("noadd"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_match),
		cmocka_unit_test(test_mismatch),
		cmocka_unit_test(test_notfound_types),
		cmocka_unit_test(test_missing_and_unreadable),
		cmocka_unit_test(test_ports),
		cmocka_unit_test(test_hashed),
		cmocka_unit_test(test_revoked),
		cmocka_unit_test(test_cert_authority),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_patterns),
		cmocka_unit_test(test_add),
		cmocka_unit_test(test_add_concurrent_read),
		cmocka_unit_test(test_add_symlink),
		cmocka_unit_test(test_add_planted_link),
		cmocka_unit_test(test_add_unsafe_dir),
		cmocka_unit_test(test_add_errors),
	};

	log_set_level(LOG_LEVEL_WARN);
	return cmocka_run_group_tests(tests, test_setup, test_teardown);
}

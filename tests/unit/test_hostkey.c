/* Unit tests for hostkey.c, with keys and fingerprints from OpenSSH. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "fingerprint.h"
#include "hostkey.h"
#include "knownhosts.h"
#include "log.h"
#include "testutil.h"

#define TEST_HOST	"127.0.0.1"
#define TEST_PORT	2222
#define TEST_NAME	"[" TEST_HOST "]:2222"

#define TEST_ED25519	"ssh-ed25519"
#define TEST_P256	"ecdsa-sha2-nistp256"
#define TEST_P384	"ecdsa-sha2-nistp384"
#define TEST_P521	"ecdsa-sha2-nistp521"
#define TEST_RSA	"rsa-sha2-512,rsa-sha2-256"
#define TEST_DEFAULT	TEST_ED25519 "," TEST_P256 "," TEST_P384 "," TEST_P521 \
			"," TEST_RSA

/* A generated key and what ssh-keygen -l says of it. */
struct test_key {
	struct testutil_key	 pub;
	char			 fp[FINGERPRINT_TEXT_LEN];
	struct fingerprint	 pin;
};

static struct test_key	ed1;	/* ed25519 */
static struct test_key	ed2;	/* ed25519, another */
static struct test_key	ec1;	/* ecdsa-sha2-nistp256 */
static struct test_key	ec2;	/* ecdsa-sha2-nistp256, another */
static struct test_key	rsa;	/* ssh-rsa, never offered */

/* The keys generated at setup, in order. */
static const struct {
	struct test_key	*key;
	const char	*name;
	const char	*args;
} test_keys[] = {
	{ &ed1, "ed1", "-t ed25519" },
	{ &ed2, "ed2", "-t ed25519" },
	{ &ec1, "ec1", "-t ecdsa -b 256" },
	{ &ec2, "ec2", "-t ecdsa -b 256" },
	{ &rsa, "rsa", "-t rsa -b 2048" },
};
#define TEST_NKEYS (sizeof test_keys / sizeof test_keys[0])

/* Create the test directory and the keys, with what ssh-keygen -l says. */
static int
test_setup(void **state)
{
	struct test_key	*k;
	const char	*cause;
	size_t		 i;

	(void)state;
	if (testutil_dir_create("hk") != 0)
		return -1;
	for (i = 0; i < TEST_NKEYS; i++) {
		k = test_keys[i].key;
		testutil_keygen(&k->pub, test_keys[i].name, test_keys[i].args);
		testutil_keygen_fp(k->pub.path, k->fp, sizeof k->fp);
		assert_int_equal(strlen(k->fp), FINGERPRINT_TEXT_LEN - 1);
		assert_int_equal(fingerprint_parse(k->fp, &k->pin, &cause), 0);
	}
	return 0;
}

/* Remove the test directory. */
static int
test_teardown(void **state)
{
	size_t	i;

	(void)state;
	for (i = 0; i < TEST_NKEYS; i++)
		testutil_key_free(&test_keys[i].key->pub);
	return testutil_dir_remove();
}

/* Fill HOP as the config would, for TEST_HOST:TEST_PORT. */
static void
test_hop(struct config_hop *hop, char *known_hosts, struct fingerprint *pins,
    size_t npins, enum hostkey_policy policy)
{
	memset(hop, 0, sizeof *hop);
	hop->name = "h";
	hop->line = 1;
	hop->host = TEST_HOST;
	hop->port = TEST_PORT;
	hop->user = "user";
	hop->pins = pins;
	hop->npins = npins;
	hop->known_hosts = known_hosts;
	hop->policy = policy;
	hop->connect_timeout = 10;
}

/* Expect the preferences for HOP excluding EXCLUDED to be WANT (or NULL). */
static void
test_prefs(const struct config_hop *hop, char (*excluded)[64],
    size_t nexcluded, const char *want)
{
	char	*got;

	got = hostkey_preferences(hop, excluded, nexcluded);
	if (want == NULL && got != NULL)
		fail_msg("preferences \"%s\", expected none", got);
	if (want != NULL && got == NULL)
		fail_msg("no preferences, expected \"%s\"", want);
	if (want != NULL && strcmp(got, want) != 0)
		fail_msg("preferences \"%s\", expected \"%s\"", got, want);
	free(got);
}

/*
 * Verify key K for HOP into CHECK and expect VERDICT; the fingerprint and
 * type must be what ssh-keygen says. Caller clears CHECK.
 */
static void
test_verify(const struct config_hop *hop, const struct test_key *k,
    struct hostkey_check *check, enum hostkey_verdict verdict)
{
	memset(check, 0xa5, sizeof *check);
	hostkey_verify(hop, k->pub.blob, k->pub.len, check);
	assert_non_null(check->how);
	if (check->verdict != verdict)
		fail_msg("verdict %d, expected %d: %s", check->verdict,
		    verdict, check->how);
	assert_string_equal(check->fingerprint, k->fp);
	assert_string_equal(check->type, k->pub.type);
}

/* Expect NEEDLE in the how of CHECK. */
static void
test_how(const struct hostkey_check *check, const char *needle)
{
	if (strstr(check->how, needle) == NULL)
		fail_msg("no \"%s\" in \"%s\"", needle, check->how);
}

/* Expect K to be in PATH for the test host, on line LINE. */
static void
test_recorded(const char *path, const struct test_key *k, int line)
{
	struct knownhosts_lookup	 kl;
	char				*cause = NULL;

	if (knownhosts_check(path, TEST_HOST, TEST_PORT, k->pub.blob,
	    k->pub.len, &kl, &cause) != 0)
		fail_msg("knownhosts_check %s: %s", path, cause);
	assert_int_equal(kl.result, KNOWNHOSTS_MATCH);
	assert_int_equal(kl.line, line);
}

/* Expect tofu to refuse K for PATH, saying NEEDLE, and leave PATH alone. */
static void
test_tofu_refused(char *path, const struct test_key *k, const char *needle)
{
	struct config_hop	 hop;
	struct hostkey_check	 check;
	struct stat		 sb;
	char			*before, *after;

	assert_int_equal(chmod(path, 0644), 0);
	before = testutil_slurp(path);
	test_hop(&hop, path, NULL, 0, HOSTKEY_POLICY_TOFU);
	test_verify(&hop, k, &check, HOSTKEY_REFUSED);
	test_how(&check, needle);
	hostkey_check_clear(&check);
	after = testutil_slurp(path);
	assert_string_equal(before, after);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0644);
	free(before);
	free(after);
}

/* Offer every supported type when nothing steers. */
static void
test_prefs_default(void **state)
{
	struct config_hop	hop;

	(void)state;
	test_hop(&hop, NULL, NULL, 0, HOSTKEY_POLICY_STRICT);
	test_prefs(&hop, NULL, 0, TEST_DEFAULT);

	/* A missing file, and one without this host:port, steer nothing. */
	test_hop(&hop, testutil_nofile(), NULL, 0, HOSTKEY_POLICY_TOFU);
	test_prefs(&hop, NULL, 0, TEST_DEFAULT);
	test_hop(&hop, testutil_file(TEST_HOST " %s\n[" TEST_HOST "]:2223 %s\n"
	    "[other]:2222 %s\n", ec1.pub.text, ec1.pub.text, ec1.pub.text),
	    NULL, 0, HOSTKEY_POLICY_STRICT);
	test_prefs(&hop, NULL, 0, TEST_DEFAULT);

	/* Only @revoked lines for the host: nothing known either. */
	test_hop(&hop, testutil_file("@revoked " TEST_NAME " %s\n",
	    ec1.pub.text), NULL, 0, HOSTKEY_POLICY_STRICT);
	test_prefs(&hop, NULL, 0, TEST_DEFAULT);
}

/* Ask only for the types known_hosts holds, unless pins may match others. */
static void
test_prefs_steer(void **state)
{
	struct config_hop	 hop;
	char			*path;

	(void)state;
	path = testutil_file("# ecdsa only\n" TEST_NAME " %s\n", ec1.pub.text);
	test_hop(&hop, path, NULL, 0, HOSTKEY_POLICY_STRICT);
	test_prefs(&hop, NULL, 0, TEST_P256);
	test_hop(&hop, path, NULL, 0, HOSTKEY_POLICY_TOFU);
	test_prefs(&hop, NULL, 0, TEST_P256);

	/* A pin may be of another type: known first, then the rest once. */
	test_hop(&hop, path, &ed1.pin, 1, HOSTKEY_POLICY_STRICT);
	test_prefs(&hop, NULL, 0,
	    TEST_P256 "," TEST_ED25519 "," TEST_P384 "," TEST_P521 ","
	    TEST_RSA);

	/*
	 * Insecure is held to the known types as strict is: offering others
	 * would let a man in the middle present a type with no line.
	 */
	test_hop(&hop, path, NULL, 0, HOSTKEY_POLICY_INSECURE);
	test_prefs(&hop, NULL, 0, TEST_P256);

	/* Several known types in file order, each once. */
	path = testutil_file(TEST_NAME " %s\n" TEST_NAME " %s\n"
	    TEST_NAME " %s\n", ec1.pub.text, ed1.pub.text, ec2.pub.text);
	test_hop(&hop, path, NULL, 0, HOSTKEY_POLICY_STRICT);
	test_prefs(&hop, NULL, 0, TEST_P256 "," TEST_ED25519);
	test_hop(&hop, path, &ec1.pin, 1, HOSTKEY_POLICY_STRICT);
	test_prefs(&hop, NULL, 0,
	    TEST_P256 "," TEST_ED25519 "," TEST_P384 "," TEST_P521 ","
	    TEST_RSA);

	/* An entry under the port 22 name does not steer port 2222. */
	path = testutil_file(TEST_HOST " %s\n" TEST_NAME " %s\n", ec1.pub.text,
	    ed1.pub.text);
	test_hop(&hop, path, NULL, 0, HOSTKEY_POLICY_STRICT);
	test_prefs(&hop, NULL, 0, TEST_ED25519);
}

/* Leave out excluded types; offer nothing when nothing is left. */
static void
test_prefs_excluded(void **state)
{
	struct config_hop	 hop;
	char			 excluded[5][64];
	char			*path;

	(void)state;
	test_hop(&hop, NULL, &ed1.pin, 1, HOSTKEY_POLICY_STRICT);
	snprintf(excluded[0], sizeof excluded[0], "%s", TEST_ED25519);
	test_prefs(&hop, excluded, 1, TEST_P256 "," TEST_P384 "," TEST_P521 ","
	    TEST_RSA);
	snprintf(excluded[1], sizeof excluded[1], "%s", TEST_P384);
	test_prefs(&hop, excluded, 2, TEST_P256 "," TEST_P521 "," TEST_RSA);
	/* Only the first NEXCLUDED entries count. */
	test_prefs(&hop, excluded, 1, TEST_P256 "," TEST_P384 "," TEST_P521 ","
	    TEST_RSA);

	/* A type never offered changes nothing. */
	snprintf(excluded[0], sizeof excluded[0], "ssh-dss");
	test_prefs(&hop, excluded, 1, TEST_DEFAULT);

	snprintf(excluded[0], sizeof excluded[0], "%s", TEST_P521);
	snprintf(excluded[1], sizeof excluded[1], "%s", TEST_P256);
	snprintf(excluded[2], sizeof excluded[2], "%s", TEST_ED25519);
	snprintf(excluded[3], sizeof excluded[3], "%s", TEST_P384);
	test_prefs(&hop, excluded, 4, TEST_RSA);
	test_prefs(&hop, excluded, 3, TEST_P384 "," TEST_RSA);
	snprintf(excluded[4], sizeof excluded[4], "ssh-rsa");
	test_prefs(&hop, excluded, 5, NULL);

	/* A known type excluded leaves the rest, for a pin. */
	path = testutil_file(TEST_NAME " %s\n", ec1.pub.text);
	test_hop(&hop, path, &ed1.pin, 1, HOSTKEY_POLICY_STRICT);
	snprintf(excluded[0], sizeof excluded[0], "%s", TEST_P256);
	test_prefs(&hop, excluded, 1, TEST_ED25519 "," TEST_P384 "," TEST_P521 ","
	    TEST_RSA);

	/* Without pins, a host held to excluded types gets nothing. */
	test_hop(&hop, path, NULL, 0, HOSTKEY_POLICY_STRICT);
	test_prefs(&hop, excluded, 1, NULL);
	snprintf(excluded[0], sizeof excluded[0], "%s", TEST_ED25519);
	test_prefs(&hop, excluded, 1, TEST_P256);
}

/*
 * An RSA key known_hosts holds is asked for as rsa-sha2-512 and -256,
 * never as ssh-rsa (SHA-1) unless allowed; excluding the key type
 * excludes all three.
 */
static void
test_prefs_rsa(void **state)
{
	struct config_hop	 hop;
	char			*path;
	char			 excluded[1][64];

	(void)state;
	assert_string_equal(rsa.pub.type, "ssh-rsa");
	path = testutil_file(TEST_NAME " %s\n", rsa.pub.text);
	test_hop(&hop, path, NULL, 0, HOSTKEY_POLICY_STRICT);
	test_prefs(&hop, NULL, 0, TEST_RSA);
	hop.allow_ssh_rsa_sha1 = 1;
	test_prefs(&hop, NULL, 0, TEST_RSA ",ssh-rsa");
	hop.allow_ssh_rsa_sha1 = 0;

	path = testutil_file(TEST_NAME " %s\n" TEST_NAME " %s\n", rsa.pub.text,
	    ec1.pub.text);
	test_hop(&hop, path, NULL, 0, HOSTKEY_POLICY_STRICT);
	test_prefs(&hop, NULL, 0, TEST_RSA "," TEST_P256);
	snprintf(excluded[0], sizeof excluded[0], "%s", "ssh-rsa");
	test_prefs(&hop, excluded, 1, TEST_P256);
}

/* Trust a key one of the pins names. */
static void
test_verify_pin(void **state)
{
	struct config_hop	hop;
	struct hostkey_check	check;
	struct fingerprint	pins[3];

	(void)state;
	pins[0] = ed2.pin;
	pins[1] = ec1.pin;
	pins[2] = ed1.pin;
	test_hop(&hop, NULL, pins, 3, HOSTKEY_POLICY_STRICT);
	test_verify(&hop, &ed1, &check, HOSTKEY_TRUSTED);
	assert_int_equal(check.insecure, 0);
	test_how(&check, "pin");
	hostkey_check_clear(&check);
	assert_null(check.how);
	test_verify(&hop, &ec1, &check, HOSTKEY_TRUSTED);
	hostkey_check_clear(&check);

	/* A known_hosts file without the host does not get in the way. */
	test_hop(&hop, testutil_file("other %s\n", ed2.pub.text), pins, 3,
	    HOSTKEY_POLICY_STRICT);
	test_verify(&hop, &ed1, &check, HOSTKEY_TRUSTED);
	test_how(&check, "pin");
	hostkey_check_clear(&check);
}

/* Report a key no pin names as unmatched, naming the pins. */
static void
test_verify_unmatched(void **state)
{
	struct config_hop	 hop;
	struct hostkey_check	 check;
	struct fingerprint	 pins[2];
	char			*path;

	(void)state;
	pins[0] = ed2.pin;
	pins[1] = ec1.pin;
	test_hop(&hop, NULL, pins, 2, HOSTKEY_POLICY_STRICT);
	test_verify(&hop, &ed1, &check, HOSTKEY_UNMATCHED);
	test_how(&check, ed2.fp);
	test_how(&check, ec1.fp);
	assert_null(strstr(check.how, ed1.fp));
	hostkey_check_clear(&check);

	/* Nothing in known_hosts for it: still unmatched, not refused. */
	path = testutil_file("other %s\n", ed1.pub.text);
	test_hop(&hop, path, pins, 1, HOSTKEY_POLICY_STRICT);
	test_verify(&hop, &ed1, &check, HOSTKEY_UNMATCHED);
	test_how(&check, ed2.fp);
	hostkey_check_clear(&check);
	test_hop(&hop, testutil_nofile(), pins, 1, HOSTKEY_POLICY_STRICT);
	test_verify(&hop, &ed1, &check, HOSTKEY_UNMATCHED);
	hostkey_check_clear(&check);

	/* Only another type known: another type may still match. */
	path = testutil_file(TEST_NAME " %s\n", ec2.pub.text);
	test_hop(&hop, path, pins, 1, HOSTKEY_POLICY_STRICT);
	test_verify(&hop, &ed1, &check, HOSTKEY_UNMATCHED);
	hostkey_check_clear(&check);

	/* Pins are not overruled by tofu: nothing is recorded. */
	path = testutil_nofile();
	test_hop(&hop, path, pins, 1, HOSTKEY_POLICY_TOFU);
	test_verify(&hop, &ed1, &check, HOSTKEY_UNMATCHED);
	hostkey_check_clear(&check);
	assert_int_equal(access(path, F_OK), -1);
}

/* Trust a key known_hosts holds, naming the line. */
static void
test_verify_known(void **state)
{
	struct config_hop	 hop;
	struct hostkey_check	 check;
	char			 want[600], *path;

	(void)state;
	path = testutil_file("# comment\n" TEST_HOST " %s\n" TEST_NAME " %s\n"
	    TEST_NAME " %s\n", ed2.pub.text, ec1.pub.text, ed1.pub.text);
	test_hop(&hop, path, NULL, 0, HOSTKEY_POLICY_STRICT);
	test_verify(&hop, &ed1, &check, HOSTKEY_TRUSTED);
	assert_int_equal(check.insecure, 0);
	snprintf(want, sizeof want, "%s:4", path);
	test_how(&check, want);
	hostkey_check_clear(&check);
	test_verify(&hop, &ec1, &check, HOSTKEY_TRUSTED);
	snprintf(want, sizeof want, "%s:3", path);
	test_how(&check, want);
	hostkey_check_clear(&check);

	/* With pins that do not match, known_hosts still decides. */
	test_hop(&hop, path, &ed2.pin, 1, HOSTKEY_POLICY_STRICT);
	test_verify(&hop, &ec1, &check, HOSTKEY_TRUSTED);
	test_how(&check, want);
	hostkey_check_clear(&check);

	/* Hashed names count as well. */
	path = testutil_file(TEST_NAME " %s\n", ed1.pub.text);
	testutil_run("ssh-keygen -q -H -f '%s' >/dev/null 2>&1 && "
	    "rm -f '%s.old'", path, path);
	test_hop(&hop, path, NULL, 0, HOSTKEY_POLICY_STRICT);
	test_verify(&hop, &ed1, &check, HOSTKEY_TRUSTED);
	hostkey_check_clear(&check);
}

/* Refuse a key when known_hosts holds another of its type, pinned or not. */
static void
test_verify_mismatch(void **state)
{
	struct config_hop	 hop;
	struct hostkey_check	 check;
	char			 want[600], *path;

	(void)state;
	path = testutil_file(TEST_NAME " %s\n" TEST_NAME " %s\n", ec1.pub.text,
	    ed2.pub.text);
	test_hop(&hop, path, NULL, 0, HOSTKEY_POLICY_STRICT);
	test_verify(&hop, &ed1, &check, HOSTKEY_REFUSED);
	test_how(&check, "MAN-IN-THE-MIDDLE");
	snprintf(want, sizeof want, "%s:2", path);
	test_how(&check, want);
	hostkey_check_clear(&check);

	/* A pin does not outweigh the contradiction. */
	test_hop(&hop, path, &ed1.pin, 1, HOSTKEY_POLICY_STRICT);
	test_verify(&hop, &ed1, &check, HOSTKEY_REFUSED);
	test_how(&check, "MAN-IN-THE-MIDDLE");
	hostkey_check_clear(&check);

	/* Nor does tofu, which leaves the file alone. */
	test_tofu_refused(path, &ed1, "MAN-IN-THE-MIDDLE");
}

/* Refuse a key an @revoked line holds, even if pinned or listed. */
static void
test_verify_revoked(void **state)
{
	struct config_hop	 hop;
	struct hostkey_check	 check;
	char			*path;

	(void)state;
	path = testutil_file(TEST_NAME " %s\n@revoked " TEST_NAME " %s\n",
	    ed1.pub.text, ed1.pub.text);
	test_hop(&hop, path, &ed1.pin, 1, HOSTKEY_POLICY_STRICT);
	test_verify(&hop, &ed1, &check, HOSTKEY_REFUSED);
	test_how(&check, "@revoked");
	hostkey_check_clear(&check);
	test_hop(&hop, path, NULL, 0, HOSTKEY_POLICY_INSECURE);
	test_verify(&hop, &ed1, &check, HOSTKEY_REFUSED);
	hostkey_check_clear(&check);

	path = testutil_file("@revoked * %s\n", ed1.pub.text);
	test_hop(&hop, path, &ed1.pin, 1, HOSTKEY_POLICY_STRICT);
	test_verify(&hop, &ed1, &check, HOSTKEY_REFUSED);
	test_how(&check, "@revoked");
	hostkey_check_clear(&check);
	/* Another key of the same host is not revoked by it. */
	test_hop(&hop, path, &ed2.pin, 1, HOSTKEY_POLICY_STRICT);
	test_verify(&hop, &ed2, &check, HOSTKEY_TRUSTED);
	hostkey_check_clear(&check);
}

/* Record the first key under tofu, then hold the host to it. */
static void
test_verify_tofu(void **state)
{
	struct config_hop	 hop;
	struct hostkey_check	 check;
	struct stat		 sb;
	char			 want[4096], *path, *buf;

	(void)state;
	path = testutil_nofile();
	test_hop(&hop, path, NULL, 0, HOSTKEY_POLICY_TOFU);
	test_verify(&hop, &ed1, &check, HOSTKEY_TRUSTED);
	assert_int_equal(check.insecure, 0);
	hostkey_check_clear(&check);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	test_recorded(path, &ed1, 1);
	buf = testutil_slurp(path);
	snprintf(want, sizeof want, TEST_NAME " %s\n", ed1.pub.text);
	assert_string_equal(buf, want);
	free(buf);

	/* Next time it is known. */
	test_verify(&hop, &ed1, &check, HOSTKEY_TRUSTED);
	snprintf(want, sizeof want, "%s:1", path);
	test_how(&check, want);
	hostkey_check_clear(&check);

	/* Another key afterwards, of either type, is refused. */
	test_verify(&hop, &ed2, &check, HOSTKEY_REFUSED);
	test_how(&check, "MAN-IN-THE-MIDDLE");
	hostkey_check_clear(&check);
	test_verify(&hop, &ec1, &check, HOSTKEY_REFUSED);
	hostkey_check_clear(&check);
	buf = testutil_slurp(path);
	snprintf(want, sizeof want, TEST_NAME " %s\n", ed1.pub.text);
	assert_string_equal(buf, want);
	free(buf);

	/* An empty file, and one with other hosts, are added to. */
	path = testutil_file("%s", "");
	test_hop(&hop, path, NULL, 0, HOSTKEY_POLICY_TOFU);
	test_verify(&hop, &ec1, &check, HOSTKEY_TRUSTED);
	hostkey_check_clear(&check);
	test_recorded(path, &ec1, 1);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);

	path = testutil_file(TEST_HOST " %s\nother %s\n", ed2.pub.text,
	    ed2.pub.text);
	test_hop(&hop, path, NULL, 0, HOSTKEY_POLICY_TOFU);
	test_verify(&hop, &ed1, &check, HOSTKEY_TRUSTED);
	hostkey_check_clear(&check);
	test_recorded(path, &ed1, 3);
	buf = testutil_slurp(path);
	snprintf(want, sizeof want, TEST_HOST " %s\nother %s\n" TEST_NAME
	    " %s\n", ed2.pub.text, ed2.pub.text, ed1.pub.text);
	assert_string_equal(buf, want);
	free(buf);
}

/* Refuse under tofu a host known only by other key types; keep the file. */
static void
test_verify_tofu_other_type(void **state)
{
	char			*path;
	const struct test_key	*known[] = { &ec2, &rsa };
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof known / sizeof known[0]; i++) {
		path = testutil_file("# mine\n" TEST_NAME " %s\n",
		    known[i]->pub.text);
		test_tofu_refused(path, &ed1, known[i]->pub.type);
	}
}

/* Trust anything unknown under insecure, saying so, recording nothing. */
static void
test_verify_insecure(void **state)
{
	struct config_hop	 hop;
	struct hostkey_check	 check;
	char			*path;

	(void)state;
	test_hop(&hop, NULL, NULL, 0, HOSTKEY_POLICY_INSECURE);
	test_verify(&hop, &ed1, &check, HOSTKEY_TRUSTED);
	assert_int_equal(check.insecure, 1);
	hostkey_check_clear(&check);

	path = testutil_nofile();
	test_hop(&hop, path, NULL, 0, HOSTKEY_POLICY_INSECURE);
	test_verify(&hop, &ec1, &check, HOSTKEY_TRUSTED);
	assert_int_equal(check.insecure, 1);
	hostkey_check_clear(&check);
	assert_int_equal(access(path, F_OK), -1);

	/* A key that is verified after all is not marked insecure. */
	test_hop(&hop, NULL, &ed1.pin, 1, HOSTKEY_POLICY_INSECURE);
	test_verify(&hop, &ed1, &check, HOSTKEY_TRUSTED);
	assert_int_equal(check.insecure, 0);
	hostkey_check_clear(&check);
	path = testutil_file(TEST_NAME " %s\n", ec1.pub.text);
	test_hop(&hop, path, NULL, 0, HOSTKEY_POLICY_INSECURE);
	test_verify(&hop, &ec1, &check, HOSTKEY_TRUSTED);
	assert_int_equal(check.insecure, 0);
	hostkey_check_clear(&check);
	/* A key of a type the known host has no line for is refused. */
	test_verify(&hop, &ed1, &check, HOSTKEY_REFUSED);
	assert_int_equal(check.insecure, 0);
	test_how(&check, "only with other key types");
	hostkey_check_clear(&check);
}

/* Refuse under strict whatever no pin and no known_hosts line vouches for. */
static void
test_verify_strict(void **state)
{
	struct config_hop	 hop;
	struct hostkey_check	 check;
	char			*path;

	(void)state;
	path = testutil_file(TEST_HOST " %s\n[other]:2222 %s\n", ed1.pub.text,
	    ed1.pub.text);
	test_hop(&hop, path, NULL, 0, HOSTKEY_POLICY_STRICT);
	test_verify(&hop, &ed1, &check, HOSTKEY_REFUSED);
	assert_int_equal(check.insecure, 0);
	test_how(&check, TEST_NAME);
	test_how(&check, path);
	hostkey_check_clear(&check);

	/* Strict never writes, not even a missing file. */
	path = testutil_nofile();
	test_hop(&hop, path, NULL, 0, HOSTKEY_POLICY_STRICT);
	test_verify(&hop, &ed1, &check, HOSTKEY_REFUSED);
	hostkey_check_clear(&check);
	assert_int_equal(access(path, F_OK), -1);

	/* Known only with another type. */
	path = testutil_file(TEST_NAME " %s\n", ec1.pub.text);
	test_hop(&hop, path, NULL, 0, HOSTKEY_POLICY_STRICT);
	test_verify(&hop, &ed1, &check, HOSTKEY_REFUSED);
	test_how(&check, TEST_P256);
	hostkey_check_clear(&check);

	/* Nothing to check against at all. */
	test_hop(&hop, NULL, NULL, 0, HOSTKEY_POLICY_STRICT);
	test_verify(&hop, &ed1, &check, HOSTKEY_REFUSED);
	hostkey_check_clear(&check);

	/* A known_hosts that cannot be read refuses. */
	test_hop(&hop, testutil_dir, NULL, 0, HOSTKEY_POLICY_STRICT);
	test_verify(&hop, &ed1, &check, HOSTKEY_REFUSED);
	test_how(&check, testutil_dir);
	hostkey_check_clear(&check);
}

/* Fill fingerprint and type as ssh-keygen reports them; refuse garbage. */
static void
test_verify_fields(void **state)
{
	struct config_hop	hop;
	struct hostkey_check	check;
	const struct test_key	*keys[] = { &ed1, &ed2, &ec1, &ec2 };
	size_t			i;

	(void)state;
	assert_string_equal(ed1.pub.type, TEST_ED25519);
	assert_string_equal(ec1.pub.type, TEST_P256);
	test_hop(&hop, NULL, &ed2.pin, 1, HOSTKEY_POLICY_STRICT);
	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		memset(&check, 0xa5, sizeof check);
		hostkey_verify(&hop, keys[i]->pub.blob, keys[i]->pub.len,
		    &check);
		assert_string_equal(check.fingerprint, keys[i]->fp);
		assert_string_equal(check.type, keys[i]->pub.type);
		assert_int_equal(check.verdict, keys[i] == &ed2 ?
		    HOSTKEY_TRUSTED : HOSTKEY_UNMATCHED);
		hostkey_check_clear(&check);
	}

	/* A blob whose type string runs past its end. */
	memset(&check, 0xa5, sizeof check);
	hop.policy = HOSTKEY_POLICY_INSECURE;
	hostkey_verify(&hop, (const unsigned char *)"\0\0\0\x20ssh", 7,
	    &check);
	assert_int_equal(check.verdict, HOSTKEY_REFUSED);
	assert_int_equal(check.insecure, 0);
	assert_non_null(check.how);
	hostkey_check_clear(&check);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefs_default),
		cmocka_unit_test(test_prefs_steer),
		cmocka_unit_test(test_prefs_excluded),
		cmocka_unit_test(test_prefs_rsa),
		cmocka_unit_test(test_verify_pin),
		cmocka_unit_test(test_verify_unmatched),
		cmocka_unit_test(test_verify_known),
		cmocka_unit_test(test_verify_mismatch),
		cmocka_unit_test(test_verify_revoked),
		cmocka_unit_test(test_verify_tofu),
		cmocka_unit_test(test_verify_tofu_other_type),
		cmocka_unit_test(test_verify_insecure),
		cmocka_unit_test(test_verify_strict),
		cmocka_unit_test(test_verify_fields),
	};

	log_set_level(LOG_LEVEL_WARN);
	return cmocka_run_group_tests(tests, test_setup, test_teardown);
}

/* Unit tests for hostkey.c, with keys and fingerprints from OpenSSH. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "config.h"
#include "fingerprint.h"
#include "hostkey.h"
#include "knownhosts.h"
#include "log.h"

#define TEST_HOST	"127.0.0.1"
#define TEST_PORT	2222
#define TEST_NAME	"[" TEST_HOST "]:2222"

#define TEST_ED25519	"ssh-ed25519"
#define TEST_P256	"ecdsa-sha2-nistp256"
#define TEST_P384	"ecdsa-sha2-nistp384"
#define TEST_P521	"ecdsa-sha2-nistp521"
#define TEST_DEFAULT	TEST_ED25519 "," TEST_P256 "," TEST_P384 "," TEST_P521

/* A generated key: blob, "type base64" text, and what ssh-keygen -l says. */
struct test_key {
	unsigned char		*blob;
	size_t			 len;
	char			 text[1024];
	char			 type[64];
	char			 fp[FINGERPRINT_TEXT_LEN];
	struct fingerprint	 pin;
};

static char		test_dir[256];
static struct test_key	ed1;	/* ed25519 */
static struct test_key	ed2;	/* ed25519, another */
static struct test_key	ec1;	/* ecdsa-sha2-nistp256 */
static struct test_key	ec2;	/* ecdsa-sha2-nistp256, another */
static struct test_key	rsa;	/* ssh-rsa, never offered */
static int		test_files;

/* Remove one entry below the test directory. */
static int
test_rm_cb(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Run a shell command and fail unless it exits 0. */
static void
test_run(const char *fmt, ...)
{
	char	cmd[2048];
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof cmd || system(cmd) != 0) {
		fprintf(stderr, "command failed: %s\n", cmd);
		abort();
	}
}

/* Read the SHA256 fingerprint of public key file PATH from ssh-keygen -l. */
static void
test_keygen_fp(const char *path, char *out)
{
	char	 cmd[1024], line[1024], *fp, *save;
	FILE	*p;

	snprintf(cmd, sizeof cmd, "ssh-keygen -l -E sha256 -f '%s'", path);
	if ((p = popen(cmd, "r")) == NULL)
		abort();
	if (fgets(line, sizeof line, p) == NULL || pclose(p) != 0)
		abort();
	/* "256 SHA256:... comment (ED25519)" */
	if (strtok_r(line, " ", &save) == NULL ||
	    (fp = strtok_r(NULL, " ", &save)) == NULL ||
	    strlen(fp) != FINGERPRINT_TEXT_LEN - 1)
		abort();
	memcpy(out, fp, FINGERPRINT_TEXT_LEN);
}

/* Generate a key with ssh-keygen and load its public half. */
static void
test_keygen(struct test_key *k, const char *name, const char *args)
{
	char		 path[512], *b64, *save;
	const char	*cause;
	FILE		*f;
	size_t		 n;
	int		 out;

	snprintf(path, sizeof path, "%s/%s", test_dir, name);
	test_run("ssh-keygen -q -N '' -C test %s -f '%s' </dev/null", args,
	    path);
	strcat(path, ".pub");
	if ((f = fopen(path, "r")) == NULL ||
	    fgets(k->text, sizeof k->text, f) == NULL)
		abort();
	fclose(f);
	test_keygen_fp(path, k->fp);
	if (fingerprint_parse(k->fp, &k->pin, &cause) != 0)
		abort();

	/* Keep "type base64", drop the comment. */
	if (strtok_r(k->text, " ", &save) == NULL ||
	    (b64 = strtok_r(NULL, " \n", &save)) == NULL)
		abort();
	if ((n = strlen(k->text)) >= sizeof k->type)
		abort();
	memcpy(k->type, k->text, n + 1);
	b64[-1] = ' ';
	n = strlen(b64);
	k->blob = malloc(n);
	out = EVP_DecodeBlock(k->blob, (unsigned char *)b64, (int)n);
	if (out <= 0)
		abort();
	if (b64[n - 1] == '=')
		out -= b64[n - 2] == '=' ? 2 : 1;
	k->len = (size_t)out;
}

/* Create the test directory and the keys. */
static int
test_setup(void **state)
{
	const char	*tmp;

	(void)state;
	if ((tmp = getenv("TMPDIR")) == NULL || *tmp == '\0')
		tmp = "/tmp";
	snprintf(test_dir, sizeof test_dir, "%s/jumpgate-hk-XXXXXX", tmp);
	if (mkdtemp(test_dir) == NULL)
		return -1;
	test_keygen(&ed1, "ed1", "-t ed25519");
	test_keygen(&ed2, "ed2", "-t ed25519");
	test_keygen(&ec1, "ec1", "-t ecdsa -b 256");
	test_keygen(&ec2, "ec2", "-t ecdsa -b 256");
	test_keygen(&rsa, "rsa", "-t rsa -b 2048");
	return 0;
}

/* Remove the test directory. */
static int
test_teardown(void **state)
{
	(void)state;
	free(ed1.blob);
	free(ed2.blob);
	free(ec1.blob);
	free(ec2.blob);
	free(rsa.blob);
	return nftw(test_dir, test_rm_cb, 16, FTW_DEPTH|FTW_PHYS);
}

/* Write a new known_hosts file from FMT; returns its path (static). */
static char *
test_file(const char *fmt, ...)
{
	static char	 path[512];
	FILE		*f;
	va_list		 ap;

	snprintf(path, sizeof path, "%s/kh%d", test_dir, ++test_files);
	assert_non_null(f = fopen(path, "w"));
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	assert_int_equal(fclose(f), 0);
	return path;
}

/* Return a path in the test directory where no file is (static). */
static char *
test_nofile(void)
{
	static char	path[512];

	snprintf(path, sizeof path, "%s/none%d", test_dir, ++test_files);
	return path;
}

/* Read a whole file into a new string. */
static char *
test_slurp(const char *path)
{
	FILE	*f;
	char	*buf;
	long	 len;

	assert_non_null(f = fopen(path, "r"));
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	assert_non_null(buf = calloc(1, (size_t)len + 1));
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	return buf;
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
	hostkey_verify(hop, k->blob, k->len, check);
	assert_non_null(check->how);
	if (check->verdict != verdict)
		fail_msg("verdict %d, expected %d: %s", check->verdict,
		    verdict, check->how);
	assert_string_equal(check->fingerprint, k->fp);
	assert_string_equal(check->type, k->type);
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

	if (knownhosts_check(path, TEST_HOST, TEST_PORT, k->blob, k->len,
	    &kl, &cause) != 0)
		fail_msg("knownhosts_check %s: %s", path, cause);
	assert_int_equal(kl.result, KNOWNHOSTS_MATCH);
	assert_int_equal(kl.line, line);
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
	test_hop(&hop, test_nofile(), NULL, 0, HOSTKEY_POLICY_TOFU);
	test_prefs(&hop, NULL, 0, TEST_DEFAULT);
	test_hop(&hop, test_file(TEST_HOST " %s\n[" TEST_HOST "]:2223 %s\n"
	    "[other]:2222 %s\n", ec1.text, ec1.text, ec1.text), NULL, 0,
	    HOSTKEY_POLICY_STRICT);
	test_prefs(&hop, NULL, 0, TEST_DEFAULT);

	/* Only @revoked lines for the host: nothing known either. */
	test_hop(&hop, test_file("@revoked " TEST_NAME " %s\n", ec1.text),
	    NULL, 0, HOSTKEY_POLICY_STRICT);
	test_prefs(&hop, NULL, 0, TEST_DEFAULT);
}

/* Ask only for the types known_hosts holds, unless pins may match others. */
static void
test_prefs_steer(void **state)
{
	struct config_hop	 hop;
	char			*path;

	(void)state;
	path = test_file("# ecdsa only\n" TEST_NAME " %s\n", ec1.text);
	test_hop(&hop, path, NULL, 0, HOSTKEY_POLICY_STRICT);
	test_prefs(&hop, NULL, 0, TEST_P256);
	test_hop(&hop, path, NULL, 0, HOSTKEY_POLICY_TOFU);
	test_prefs(&hop, NULL, 0, TEST_P256);

	/* A pin may be of another type: known first, then the rest once. */
	test_hop(&hop, path, &ed1.pin, 1, HOSTKEY_POLICY_STRICT);
	test_prefs(&hop, NULL, 0,
	    TEST_P256 "," TEST_ED25519 "," TEST_P384 "," TEST_P521);

	/* Insecure takes any key, so it offers every type too. */
	test_hop(&hop, path, NULL, 0, HOSTKEY_POLICY_INSECURE);
	test_prefs(&hop, NULL, 0,
	    TEST_P256 "," TEST_ED25519 "," TEST_P384 "," TEST_P521);

	/* Several known types in file order, each once. */
	path = test_file(TEST_NAME " %s\n" TEST_NAME " %s\n" TEST_NAME " %s\n",
	    ec1.text, ed1.text, ec2.text);
	test_hop(&hop, path, NULL, 0, HOSTKEY_POLICY_STRICT);
	test_prefs(&hop, NULL, 0, TEST_P256 "," TEST_ED25519);
	test_hop(&hop, path, &ec1.pin, 1, HOSTKEY_POLICY_STRICT);
	test_prefs(&hop, NULL, 0,
	    TEST_P256 "," TEST_ED25519 "," TEST_P384 "," TEST_P521);

	/* An entry under the port 22 name does not steer port 2222. */
	path = test_file(TEST_HOST " %s\n" TEST_NAME " %s\n", ec1.text,
	    ed1.text);
	test_hop(&hop, path, NULL, 0, HOSTKEY_POLICY_STRICT);
	test_prefs(&hop, NULL, 0, TEST_ED25519);
}

/* Leave out excluded types; offer nothing when nothing is left. */
static void
test_prefs_excluded(void **state)
{
	struct config_hop	 hop;
	char			 excluded[4][64];
	char			*path;

	(void)state;
	test_hop(&hop, NULL, &ed1.pin, 1, HOSTKEY_POLICY_STRICT);
	snprintf(excluded[0], sizeof excluded[0], "%s", TEST_ED25519);
	test_prefs(&hop, excluded, 1, TEST_P256 "," TEST_P384 "," TEST_P521);
	snprintf(excluded[1], sizeof excluded[1], "%s", TEST_P384);
	test_prefs(&hop, excluded, 2, TEST_P256 "," TEST_P521);
	/* Only the first NEXCLUDED entries count. */
	test_prefs(&hop, excluded, 1, TEST_P256 "," TEST_P384 "," TEST_P521);

	/* A type never offered changes nothing. */
	snprintf(excluded[0], sizeof excluded[0], "ssh-rsa");
	test_prefs(&hop, excluded, 1, TEST_DEFAULT);

	snprintf(excluded[0], sizeof excluded[0], "%s", TEST_P521);
	snprintf(excluded[1], sizeof excluded[1], "%s", TEST_P256);
	snprintf(excluded[2], sizeof excluded[2], "%s", TEST_ED25519);
	snprintf(excluded[3], sizeof excluded[3], "%s", TEST_P384);
	test_prefs(&hop, excluded, 4, NULL);
	test_prefs(&hop, excluded, 3, TEST_P384);

	/* A known type excluded leaves the rest, for a pin. */
	path = test_file(TEST_NAME " %s\n", ec1.text);
	test_hop(&hop, path, &ed1.pin, 1, HOSTKEY_POLICY_STRICT);
	snprintf(excluded[0], sizeof excluded[0], "%s", TEST_P256);
	test_prefs(&hop, excluded, 1, TEST_ED25519 "," TEST_P384 "," TEST_P521);

	/* Without pins, a host held to excluded types gets nothing. */
	test_hop(&hop, path, NULL, 0, HOSTKEY_POLICY_STRICT);
	test_prefs(&hop, excluded, 1, NULL);
	snprintf(excluded[0], sizeof excluded[0], "%s", TEST_ED25519);
	test_prefs(&hop, excluded, 1, TEST_P256);
}

/* Never offer ssh-rsa, even when it is all known_hosts holds. */
static void
test_prefs_rsa(void **state)
{
	struct config_hop	 hop;
	char			*path;

	(void)state;
	assert_string_equal(rsa.type, "ssh-rsa");
	path = test_file(TEST_NAME " %s\n", rsa.text);
	test_hop(&hop, path, NULL, 0, HOSTKEY_POLICY_STRICT);
	test_prefs(&hop, NULL, 0, TEST_DEFAULT);

	path = test_file(TEST_NAME " %s\n" TEST_NAME " %s\n", rsa.text,
	    ec1.text);
	test_hop(&hop, path, NULL, 0, HOSTKEY_POLICY_STRICT);
	test_prefs(&hop, NULL, 0, TEST_P256);
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
	test_hop(&hop, test_file("other %s\n", ed2.text), pins, 3,
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
	path = test_file("other %s\n", ed1.text);
	test_hop(&hop, path, pins, 1, HOSTKEY_POLICY_STRICT);
	test_verify(&hop, &ed1, &check, HOSTKEY_UNMATCHED);
	test_how(&check, ed2.fp);
	hostkey_check_clear(&check);
	test_hop(&hop, test_nofile(), pins, 1, HOSTKEY_POLICY_STRICT);
	test_verify(&hop, &ed1, &check, HOSTKEY_UNMATCHED);
	hostkey_check_clear(&check);

	/* Only another type known: another type may still match. */
	path = test_file(TEST_NAME " %s\n", ec2.text);
	test_hop(&hop, path, pins, 1, HOSTKEY_POLICY_STRICT);
	test_verify(&hop, &ed1, &check, HOSTKEY_UNMATCHED);
	hostkey_check_clear(&check);

	/* Pins are not overruled by tofu: nothing is recorded. */
	path = test_nofile();
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
	path = test_file("# comment\n" TEST_HOST " %s\n" TEST_NAME " %s\n"
	    TEST_NAME " %s\n", ed2.text, ec1.text, ed1.text);
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
	path = test_file(TEST_NAME " %s\n", ed1.text);
	test_run("ssh-keygen -q -H -f '%s' >/dev/null 2>&1 && rm -f '%s.old'",
	    path, path);
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
	struct stat		 sb;
	char			 want[600], *path, *before, *after;

	(void)state;
	path = test_file(TEST_NAME " %s\n" TEST_NAME " %s\n", ec1.text,
	    ed2.text);
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
	assert_int_equal(chmod(path, 0644), 0);
	before = test_slurp(path);
	test_hop(&hop, path, NULL, 0, HOSTKEY_POLICY_TOFU);
	test_verify(&hop, &ed1, &check, HOSTKEY_REFUSED);
	test_how(&check, "MAN-IN-THE-MIDDLE");
	hostkey_check_clear(&check);
	after = test_slurp(path);
	assert_string_equal(before, after);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0644);
	free(before);
	free(after);
}

/* Refuse a key an @revoked line holds, even if pinned or listed. */
static void
test_verify_revoked(void **state)
{
	struct config_hop	 hop;
	struct hostkey_check	 check;
	char			*path;

	(void)state;
	path = test_file(TEST_NAME " %s\n@revoked " TEST_NAME " %s\n",
	    ed1.text, ed1.text);
	test_hop(&hop, path, &ed1.pin, 1, HOSTKEY_POLICY_STRICT);
	test_verify(&hop, &ed1, &check, HOSTKEY_REFUSED);
	test_how(&check, "@revoked");
	hostkey_check_clear(&check);
	test_hop(&hop, path, NULL, 0, HOSTKEY_POLICY_INSECURE);
	test_verify(&hop, &ed1, &check, HOSTKEY_REFUSED);
	hostkey_check_clear(&check);

	path = test_file("@revoked * %s\n", ed1.text);
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
	path = test_nofile();
	test_hop(&hop, path, NULL, 0, HOSTKEY_POLICY_TOFU);
	test_verify(&hop, &ed1, &check, HOSTKEY_TRUSTED);
	assert_int_equal(check.insecure, 0);
	hostkey_check_clear(&check);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	test_recorded(path, &ed1, 1);
	buf = test_slurp(path);
	snprintf(want, sizeof want, TEST_NAME " %s\n", ed1.text);
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
	buf = test_slurp(path);
	snprintf(want, sizeof want, TEST_NAME " %s\n", ed1.text);
	assert_string_equal(buf, want);
	free(buf);

	/* An empty file, and one with other hosts, are added to. */
	path = test_file("%s", "");
	test_hop(&hop, path, NULL, 0, HOSTKEY_POLICY_TOFU);
	test_verify(&hop, &ec1, &check, HOSTKEY_TRUSTED);
	hostkey_check_clear(&check);
	test_recorded(path, &ec1, 1);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);

	path = test_file(TEST_HOST " %s\nother %s\n", ed2.text, ed2.text);
	test_hop(&hop, path, NULL, 0, HOSTKEY_POLICY_TOFU);
	test_verify(&hop, &ed1, &check, HOSTKEY_TRUSTED);
	hostkey_check_clear(&check);
	test_recorded(path, &ed1, 3);
	buf = test_slurp(path);
	snprintf(want, sizeof want, TEST_HOST " %s\nother %s\n" TEST_NAME
	    " %s\n", ed2.text, ed2.text, ed1.text);
	assert_string_equal(buf, want);
	free(buf);
}

/* Refuse under tofu a host known only by other key types; keep the file. */
static void
test_verify_tofu_other_type(void **state)
{
	struct config_hop	 hop;
	struct hostkey_check	 check;
	struct stat		 sb;
	char			*path, *before, *after;
	const struct test_key	*known[] = { &ec2, &rsa };
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof known / sizeof known[0]; i++) {
		path = test_file("# mine\n" TEST_NAME " %s\n", known[i]->text);
		assert_int_equal(chmod(path, 0644), 0);
		before = test_slurp(path);
		test_hop(&hop, path, NULL, 0, HOSTKEY_POLICY_TOFU);
		test_verify(&hop, &ed1, &check, HOSTKEY_REFUSED);
		test_how(&check, known[i]->type);
		hostkey_check_clear(&check);
		after = test_slurp(path);
		assert_string_equal(before, after);
		assert_int_equal(stat(path, &sb), 0);
		assert_int_equal(sb.st_mode & 07777, 0644);
		free(before);
		free(after);
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

	path = test_nofile();
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
	path = test_file(TEST_NAME " %s\n", ec1.text);
	test_hop(&hop, path, NULL, 0, HOSTKEY_POLICY_INSECURE);
	test_verify(&hop, &ec1, &check, HOSTKEY_TRUSTED);
	assert_int_equal(check.insecure, 0);
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
	path = test_file(TEST_HOST " %s\n[other]:2222 %s\n", ed1.text,
	    ed1.text);
	test_hop(&hop, path, NULL, 0, HOSTKEY_POLICY_STRICT);
	test_verify(&hop, &ed1, &check, HOSTKEY_REFUSED);
	assert_int_equal(check.insecure, 0);
	test_how(&check, TEST_NAME);
	test_how(&check, path);
	hostkey_check_clear(&check);

	/* Strict never writes, not even a missing file. */
	path = test_nofile();
	test_hop(&hop, path, NULL, 0, HOSTKEY_POLICY_STRICT);
	test_verify(&hop, &ed1, &check, HOSTKEY_REFUSED);
	hostkey_check_clear(&check);
	assert_int_equal(access(path, F_OK), -1);

	/* Known only with another type. */
	path = test_file(TEST_NAME " %s\n", ec1.text);
	test_hop(&hop, path, NULL, 0, HOSTKEY_POLICY_STRICT);
	test_verify(&hop, &ed1, &check, HOSTKEY_REFUSED);
	test_how(&check, TEST_P256);
	hostkey_check_clear(&check);

	/* Nothing to check against at all. */
	test_hop(&hop, NULL, NULL, 0, HOSTKEY_POLICY_STRICT);
	test_verify(&hop, &ed1, &check, HOSTKEY_REFUSED);
	hostkey_check_clear(&check);

	/* A known_hosts that cannot be read refuses. */
	test_hop(&hop, test_dir, NULL, 0, HOSTKEY_POLICY_STRICT);
	test_verify(&hop, &ed1, &check, HOSTKEY_REFUSED);
	test_how(&check, test_dir);
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
	assert_string_equal(ed1.type, TEST_ED25519);
	assert_string_equal(ec1.type, TEST_P256);
	test_hop(&hop, NULL, &ed2.pin, 1, HOSTKEY_POLICY_STRICT);
	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		memset(&check, 0xa5, sizeof check);
		hostkey_verify(&hop, keys[i]->blob, keys[i]->len, &check);
		assert_string_equal(check.fingerprint, keys[i]->fp);
		assert_string_equal(check.type, keys[i]->type);
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

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
	if ((p = popen(cmd, "r")) == NULL ||
	    fgets(line, sizeof line, p) == NULL || pclose(p) != 0)
		abort();
	/* "256 SHA256:... comment (ED25519)" */
	if (strtok_r(line, " ", &save) == NULL ||
	    (fp = strtok_r(NULL, " ", &save) == NULL ? NULL : NULL, fp) ==
	    NULL)
		;
	abort();
}

/* Helpers shared by the unit tests: a work directory, commands and keys. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "testutil.h"

char		testutil_dir[256];
static int	testutil_files;

/* Remove one entry below the work directory. */
static int
testutil_rm_cb(const char *path, const struct stat *sb, int flag,
    struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Create the work directory, jumpgate-TAG-XXXXXX in $TMPDIR or /tmp. */
int
testutil_dir_create(const char *tag)
{
	const char	*tmp;

	if ((tmp = getenv("TMPDIR")) == NULL || *tmp == '\0')
		tmp = "/tmp";
	snprintf(testutil_dir, sizeof testutil_dir, "%s/jumpgate-%s-XXXXXX",
	    tmp, tag);
	return mkdtemp(testutil_dir) == NULL ? -1 : 0;
}

/* Remove the work directory and everything in it. */
int
testutil_dir_remove(void)
{
	return nftw(testutil_dir, testutil_rm_cb, 16, FTW_DEPTH|FTW_PHYS);
}

/* Run a shell command and fail the test unless it exits 0. */
void
testutil_run(const char *fmt, ...)
{
	char	cmd[2048];
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	assert_true(n > 0 && (size_t)n < sizeof cmd);
	if (system(cmd) != 0)
		fail_msg("command failed: %s", cmd);
}

/* Write a new numbered file from FMT; return its path (static). */
char *
testutil_file(const char *fmt, ...)
{
	static char	 path[512];
	FILE		*f;
	va_list		 ap;

	snprintf(path, sizeof path, "%s/kh%d", testutil_dir, ++testutil_files);
	assert_non_null(f = fopen(path, "w"));
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	assert_int_equal(fclose(f), 0);
	return path;
}

/* Return a path in the work directory where no file is (static). */
char *
testutil_nofile(void)
{
	static char	path[512];

	snprintf(path, sizeof path, "%s/none%d", testutil_dir,
	    ++testutil_files);
	return path;
}

/* Read a whole file into a new string (caller frees). */
char *
testutil_slurp(const char *path)
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

/* Generate key NAME in the work directory with ssh-keygen ARGS; load it. */
void
testutil_keygen(struct testutil_key *k, const char *name, const char *args)
{
	char	 path[512], *b64, *save;
	FILE	*f;
	size_t	 n;
	int	 out;

	memset(k, 0, sizeof *k);
	snprintf(path, sizeof path, "%s/%s", testutil_dir, name);
	testutil_run("ssh-keygen -q -N '' -C test %s -f '%s' </dev/null", args,
	    path);
	assert_true(strlen(path) + 4 < sizeof k->path);
	snprintf(k->path, sizeof k->path, "%s.pub", path);

	assert_non_null(f = fopen(k->path, "r"));
	assert_non_null(fgets(k->text, sizeof k->text, f));
	fclose(f);
	assert_non_null(strchr(k->text, '\n'));

	/* Keep "type base64", drop the comment. */
	assert_non_null(strtok_r(k->text, " ", &save));
	assert_non_null(b64 = strtok_r(NULL, " \n", &save));
	assert_true(strlen(k->text) < sizeof k->type);
	strcpy(k->type, k->text);
	b64[-1] = ' ';

	n = strlen(b64);
	assert_true(n % 4 == 0);
	assert_non_null(k->blob = malloc(n / 4 * 3));
	out = EVP_DecodeBlock(k->blob, (unsigned char *)b64, (int)n);
	assert_true(out > 0);
	/* DecodeBlock counts the bytes '=' padding stands for. */
	if (b64[n - 1] == '=')
		out -= b64[n - 2] == '=' ? 2 : 1;
	k->len = (size_t)out;
}

/* Free the blob of key K. */
void
testutil_key_free(struct testutil_key *k)
{
	free(k->blob);
	k->blob = NULL;
}

/* Read the SHA256 fingerprint of public key file PATH from ssh-keygen -l. */
void
testutil_keygen_fp(const char *path, char *out, size_t outlen)
{
	char	 cmd[1024], line[1024], *field, *save;
	FILE	*p;

	snprintf(cmd, sizeof cmd, "ssh-keygen -l -E sha256 -f '%s'", path);
	assert_non_null(p = popen(cmd, "r"));
	assert_non_null(fgets(line, sizeof line, p));
	assert_int_equal(pclose(p), 0);
	/* "256 SHA256:... comment (ED25519)" */
	assert_non_null(strtok_r(line, " ", &save));
	assert_non_null(field = strtok_r(NULL, " ", &save));
	assert_int_equal(strncmp(field, "SHA256:", 7), 0);
	assert_true(strlen(field) < outlen);
	strcpy(out, field);
}

/* Unit tests for sshconfig.c and import.c: ssh_config read as ssh does. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "import.h"
#include "sshconfig.h"

static char	test_dir[PATH_MAX / 2];

/* Make the directory test files go into; HOME points into it. */
static int
test_setup(void **state)
{
	char	template[] = "/tmp/jumpgate-sshconfig-XXXXXX", home[PATH_MAX],
		real[PATH_MAX];

	(void)state;
	if (mkdtemp(template) == NULL || realpath(template, real) == NULL ||
	    strlen(real) >= sizeof test_dir)
		return -1;
	strcpy(test_dir, real);
	snprintf(home, sizeof home, "%s/home", test_dir);
	if (mkdir(home, 0700) != 0 || setenv("HOME", home, 1) != 0)
		return -1;
	return 0;
}

/* Remove the directory. */
static int
test_teardown(void **state)
{
	char	cmd[PATH_MAX + 16];

	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", test_dir);
	return system(cmd);
}

/* Write TEXT to NAME in the test directory, mode 0600; returns its path. */
static char *
test_file(const char *name, const char *text)
{
	static char	 path[PATH_MAX];
	FILE		*f;

	snprintf(path, sizeof path, "%s/%s", test_dir, name);
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, 0600), 0);
	return path;
}

/* Load NAME of the test directory; errors into *ERR (caller frees). */
static struct sshconfig *
test_load(const char *name, char **err, int *nerrors)
{
	struct sshconfig	*c;
	char			 path[PATH_MAX];
	size_t			 len = 0;
	FILE			*f;

	*err = NULL;
	*nerrors = 0;
	snprintf(path, sizeof path, "%s/%s", test_dir, name);
	assert_non_null(f = open_memstream(err, &len));
	c = sshconfig_load(path, test_dir, f, nerrors);
	fclose(f);
	return c;
}

/* Resolve ALIAS in C, asserting no error. */
static void
test_resolve(const struct sshconfig *c, const char *alias,
    struct sshconfig_host *h)
{
	int	nerrors = 0;

	assert_int_equal(sshconfig_resolve(&c, 1, alias, NULL, h, stderr,
	    &nerrors), 0);
	assert_int_equal(nerrors, 0);
}

/* Split a line and compare with the NULL-terminated expected words. */
static void
test_split_is(const char *line, ...)
{
	char		*words[16];
	const char	*want;
	va_list		 ap;
	int		 n, i = 0;

	n = sshconfig_split(line, words, 16);
	va_start(ap, line);
	while ((want = va_arg(ap, const char *)) != NULL) {
		assert_true(i < n);
		assert_string_equal(words[i], want);
		i++;
	}
	va_end(ap);
	assert_int_equal(n, i);
	for (i = 0; i < n; i++)
		free(words[i]);
}

/* Words: white space, '=' after the keyword, quotes, comments. */
static void
test_split(void **state)
{
	char	*words[4];

	(void)state;
	test_split_is("Host a b", "Host", "a", "b", NULL);
	test_split_is("  HostName=x.example.com", "HostName", "x.example.com",
	    NULL);
	test_split_is("Port = 2222", "Port", "2222", NULL);
	test_split_is("Port\t=\t2222   ", "Port", "2222", NULL);
	test_split_is("IdentityFile \"/a b/key\"", "IdentityFile", "/a b/key",
	    NULL);
	test_split_is("IdentityFile '/x \"y\"'", "IdentityFile", "/x \"y\"",
	    NULL);
	test_split_is("IdentityFile /a\\ b", "IdentityFile", "/a b", NULL);
	test_split_is("Port 22 # a comment", "Port", "22", NULL);
	test_split_is("# only a comment", NULL);
	test_split_is("   ", NULL);
	test_split_is("User a=b", "User", "a=b", NULL);
	/* An unterminated quote and too many words are errors. */
	assert_int_equal(sshconfig_split("IdentityFile \"/a", words, 4), -1);
	assert_int_equal(sshconfig_split("Host a b c d e", words, 4), -1);
}

/* Host patterns: '*', '?', negation; no pattern blows up. */
static void
test_patterns(void **state)
{
	char	*p1[] = { "*.prod", "!bastion.prod" };
	char	*p2[] = { "db-?" };
	char	*p3[] = { "!*.dev" };
	char	 name[200], pat[200];

	(void)state;
	assert_true(sshconfig_match_pattern("db.prod", "*.prod"));
	assert_true(sshconfig_match_pattern("x", "*"));
	assert_false(sshconfig_match_pattern("db.prod.x", "*.prod"));
	assert_true(sshconfig_match_pattern("a.b.c", "a*c"));
	assert_true(sshconfig_match_host("db.prod", p1, 2));
	assert_false(sshconfig_match_host("bastion.prod", p1, 2));
	assert_false(sshconfig_match_host("db.dev", p1, 2));
	assert_true(sshconfig_match_host("db-1", p2, 1));
	assert_false(sshconfig_match_host("db-10", p2, 1));
	/* A negation alone matches nothing, as in ssh. */
	assert_false(sshconfig_match_host("x.prod", p3, 1));
	/* Many stars against a long name: linear, not exponential. */
	memset(name, 'a', sizeof name - 1);
	name[sizeof name - 1] = '\0';
	for (size_t i = 0; i < sizeof pat - 2; i += 2)
		pat[i] = '*', pat[i + 1] = 'a';
	pat[sizeof pat - 2] = 'b';
	pat[sizeof pat - 1] = '\0';
	assert_false(sshconfig_match_pattern(name, pat));
}

/* Include: globs in sorted order, relative to the include directory. */
static void
test_include(void **state)
{
	struct sshconfig	*c;
	struct sshconfig_host	 h;
	char			*err, *home;
	int			 n;

	(void)state;
	assert_int_equal(mkdir(strcat(strcpy((char[PATH_MAX]){ 0 }, test_dir),
	    "/conf.d"), 0700), 0);
	test_file("conf.d/20-b.conf", "Host db\n  User from-b\n  Port 2020\n");
	test_file("conf.d/10-a.conf", "Host db\n  User from-a\n");
	test_file("conf.d/ignored.txt", "Host db\n  Port 1\n");
	home = getenv("HOME");
	assert_non_null(home);
	test_file("home/tilde.conf", "Host db\n  HostName db.example.com\n");
	test_file("main.conf",
	    "Include conf.d/*.conf ~/tilde.conf\n"
	    "Include nothing-matches-*.conf\n"
	    "Host db\n"
	    "  User from-main\n");
	c = test_load("main.conf", &err, &n);
	assert_non_null(c);
	assert_int_equal(n, 0);
	free(err);
	test_resolve(c, "db", &h);
	assert_string_equal(h.user.text, "from-a");
	assert_true(strstr(h.user.at.file, "10-a.conf") != NULL);
	assert_int_equal(h.user.at.line, 2);
	assert_string_equal(h.port.text, "2020");
	assert_string_equal(h.hostname.text, "db.example.com");
	sshconfig_host_free(&h);
	sshconfig_free(c);
}

/* Include inside a Host block applies only to that host. */
static void
test_include_in_host(void **state)
{
	struct sshconfig	*c;
	struct sshconfig_host	 h;
	char			*err;
	int			 n;

	(void)state;
	test_file("inner.conf", "User inner\nHost *\nPort 2222\n");
	test_file("outer.conf",
	    "Host web\n"
	    "  Include inner.conf\n"
	    "  IdentityFile /k/web\n"
	    "Host *\n"
	    "  User star\n");
	c = test_load("outer.conf", &err, &n);
	assert_non_null(c);
	free(err);
	test_resolve(c, "web", &h);
	assert_string_equal(h.user.text, "inner");
	assert_string_equal(h.port.text, "2222");
	/* The included Host * did not end web's block. */
	assert_int_equal(h.nidentity_files, 1);
	sshconfig_host_free(&h);
	/* For another host the included file never matches. */
	test_resolve(c, "other", &h);
	assert_string_equal(h.user.text, "star");
	assert_string_equal(h.port.text, "22");
	assert_int_equal(h.nidentity_files, 0);
	sshconfig_host_free(&h);
	sshconfig_free(c);
}

/* The first value wins; lists accumulate; the alias is lower-cased. */
static void
test_first_wins(void **state)
{
	struct sshconfig	*c;
	struct sshconfig_host	 h;
	struct sshconfig_preset	 preset = { "cli", NULL, NULL, { NULL, 0 } };
	const struct sshconfig	*cc;
	char			*err;
	int			 n;

	(void)state;
	test_file("first.conf",
	    "Host db\n"
	    "  User first\n"
	    "  IdentityFile /k/one\n"
	    "Host *\n"
	    "  User second\n"
	    "  HostName %h.example.com\n"
	    "  IdentityFile /k/two\n"
	    "  Port 2222\n");
	c = test_load("first.conf", &err, &n);
	assert_non_null(c);
	free(err);
	test_resolve(c, "DB", &h);
	assert_string_equal(h.alias, "db");
	assert_string_equal(h.user.text, "first");
	assert_string_equal(h.hostname.text, "db.example.com");
	assert_string_equal(h.port.text, "2222");
	assert_int_equal(h.nidentity_files, 2);
	assert_string_equal(h.identity_files[0].text, "/k/one");
	assert_string_equal(h.identity_files[1].text, "/k/two");
	sshconfig_host_free(&h);
	/* A value from the command line wins over the file. */
	cc = c;
	n = 0;
	assert_int_equal(sshconfig_resolve(&cc, 1, "db", &preset, &h, stderr,
	    &n), 0);
	assert_string_equal(h.user.text, "cli");
	sshconfig_host_free(&h);
	sshconfig_free(c);
}

/* Match is reported with its line, and its block is not applied. */
static void
test_match(void **state)
{
	struct sshconfig	*c;
	struct sshconfig_host	 h;
	char			*err;
	size_t			 i;
	int			 n, found = 0;

	(void)state;
	test_file("match.conf",
	    "Host db\n"
	    "  Compression yes\n"
	    "Match exec \"touch /tmp/jumpgate-must-not-exist\"\n"
	    "  User from-match\n"
	    "Host *\n"
	    "  User star\n");
	c = test_load("match.conf", &err, &n);
	assert_non_null(c);
	free(err);
	test_resolve(c, "db", &h);
	assert_string_equal(h.user.text, "star");
	for (i = 0; i < h.nnotes; i++) {
		if (h.notes[i].at.line == 3) {
			assert_true(strstr(h.notes[i].text, "Match exec") ==
			    h.notes[i].text);
			assert_true(strstr(h.notes[i].why, "not evaluated") !=
			    NULL);
			found |= 1;
		}
		if (h.notes[i].at.line == 2)
			found |= 2;
	}
	assert_int_equal(found, 3);
	assert_int_equal(access("/tmp/jumpgate-must-not-exist", F_OK), -1);
	sshconfig_host_free(&h);
	sshconfig_free(c);
}

/* Tokens in paths, ~, and an unknown token reported with its line. */
static void
test_tokens(void **state)
{
	struct sshconfig	*c;
	struct sshconfig_host	 h;
	const struct sshconfig	*cc;
	char			*err, want[PATH_MAX];
	size_t			 len = 0;
	FILE			*f;
	int			 n;

	(void)state;
	test_file("tokens.conf",
	    "Host db\n"
	    "  HostName %h.internal\n"
	    "  User dba\n"
	    "  Port 2200\n"
	    "  IdentityFile ~/.ssh/%h_%p_%r_%n_%%\n"
	    "  UserKnownHostsFile ~/kh/%h:%p other\n"
	    "Host bad\n"
	    "  IdentityFile /k/%Z\n");
	c = test_load("tokens.conf", &err, &n);
	assert_non_null(c);
	free(err);
	test_resolve(c, "db", &h);
	assert_string_equal(h.hostname.text, "db.internal");
	snprintf(want, sizeof want, "%s/.ssh/db.internal_2200_dba_db_%%",
	    getenv("HOME"));
	assert_string_equal(h.identity_files[0].text, want);
	snprintf(want, sizeof want, "%s/kh/db.internal:2200", getenv("HOME"));
	assert_int_equal(h.nknown_hosts, 2);
	assert_string_equal(h.known_hosts[0].text, want);
	sshconfig_host_free(&h);

	cc = c;
	n = 0;
	assert_non_null(f = open_memstream(&err, &len));
	assert_int_equal(sshconfig_resolve(&cc, 1, "bad", NULL, &h, f, &n), -1);
	fclose(f);
	assert_int_equal(n, 1);
	assert_true(strstr(err, "tokens.conf:8: ") != NULL);
	assert_true(strstr(err, "'%Z'") != NULL);
	free(err);
	sshconfig_host_free(&h);
	sshconfig_free(c);
}

/* Forward arguments: ports, addresses, IPv6 in brackets, Unix paths. */
static void
test_forwards(void **state)
{
	struct sshconfig_fwd	 f;
	const char		*why;

	(void)state;
	assert_int_equal(sshconfig_parse_fwd(SSHCONFIG_FWD_LOCAL, "15432",
	    "db:5432", &f, &why), 0);
	assert_null(f.listen.host);
	assert_int_equal(f.listen.port, 15432);
	assert_string_equal(f.connect.host, "db");
	assert_int_equal(f.connect.port, 5432);
	sshconfig_fwd_free(&f);

	assert_int_equal(sshconfig_parse_fwd(SSHCONFIG_FWD_LOCAL, "[::1]:8080",
	    "[2001:db8::5]:443", &f, &why), 0);
	assert_string_equal(f.listen.host, "::1");
	assert_int_equal(f.listen.port, 8080);
	assert_string_equal(f.connect.host, "2001:db8::5");
	assert_int_equal(f.connect.port, 443);
	sshconfig_fwd_free(&f);

	assert_int_equal(sshconfig_parse_fwd(SSHCONFIG_FWD_LOCAL, "*:8080",
	    "/var/run/postgresql/.s.PGSQL.5432", &f, &why), 0);
	assert_string_equal(f.listen.host, "*");
	assert_string_equal(f.connect.path, "/var/run/postgresql/.s.PGSQL.5432");
	sshconfig_fwd_free(&f);

	assert_int_equal(sshconfig_parse_fwd(SSHCONFIG_FWD_REMOTE, "0",
	    "localhost:22", &f, &why), 0);
	assert_int_equal(f.listen.port, 0);
	sshconfig_fwd_free(&f);

	assert_int_equal(sshconfig_parse_fwd(SSHCONFIG_FWD_DYNAMIC, "1080",
	    NULL, &f, &why), 0);
	assert_int_equal(f.listen.port, 1080);
	sshconfig_fwd_free(&f);

	/* Errors say what is expected. */
	assert_int_equal(sshconfig_parse_fwd(SSHCONFIG_FWD_LOCAL, "::1:8080",
	    "db:1", &f, &why), -1);
	assert_true(strstr(why, "brackets") != NULL);
	assert_int_equal(sshconfig_parse_fwd(SSHCONFIG_FWD_LOCAL, "0",
	    "db:1", &f, &why), -1);
	assert_int_equal(sshconfig_parse_fwd(SSHCONFIG_FWD_LOCAL, "80",
	    "db:65536", &f, &why), -1);
	assert_int_equal(sshconfig_parse_fwd(SSHCONFIG_FWD_LOCAL, "80",
	    "db", &f, &why), -1);
	assert_int_equal(sshconfig_parse_fwd(SSHCONFIG_FWD_LOCAL, "80",
	    "[::1:22", &f, &why), -1);
	assert_int_equal(sshconfig_parse_fwd(SSHCONFIG_FWD_REMOTE, "8080",
	    NULL, &f, &why), -1);
	assert_true(strstr(why, "SOCKS") != NULL);
}

/* Bad files: a loop of Includes, a bad port, a file others can write. */
static void
test_errors(void **state)
{
	struct sshconfig	*c;
	struct sshconfig_host	 h;
	const struct sshconfig	*cc;
	char			*err, *path;
	size_t			 len = 0;
	FILE			*f;
	int			 n;

	(void)state;
	test_file("loop.conf", "Include loop.conf\nHost *\nPort x22\n");
	c = test_load("loop.conf", &err, &n);
	assert_non_null(c);
	assert_int_equal(n, 1);
	assert_true(strstr(err, "loop.conf:1: Include nested more than 16") !=
	    NULL);
	free(err);
	cc = c;
	n = 0;
	assert_non_null(f = open_memstream(&err, &len));
	assert_int_equal(sshconfig_resolve(&cc, 1, "x", NULL, &h, f, &n), -1);
	fclose(f);
	assert_true(strstr(err, "loop.conf:3: Port 'x22': expected a number") !=
	    NULL);
	free(err);
	sshconfig_host_free(&h);
	sshconfig_free(c);

	path = test_file("open.conf", "Host *\nUser u\n");
	assert_int_equal(chmod(path, 0622), 0);
	c = test_load("open.conf", &err, &n);
	assert_null(c);
	assert_true(strstr(err, "bad owner or permissions") != NULL);
	free(err);

	test_file("quote.conf", "Host a\n  User \"unterminated\n");
	c = test_load("quote.conf", &err, &n);
	assert_non_null(c);
	assert_int_equal(n, 1);
	assert_true(strstr(err, "quote.conf:2: unterminated quote") != NULL);
	free(err);
	sshconfig_free(c);

	c = test_load("missing.conf", &err, &n);
	assert_null(c);
	assert_true(n > 0);
	free(err);
}

/* Run import on NAME for HOSTS; the INI into *OUT, errors into *ERR. */
static int
test_import(const char *name, char **hosts, int nhosts, char **out,
    char **err)
{
	struct sshconfig	*c;
	const struct sshconfig	*cc;
	size_t			 olen = 0, elen = 0;
	FILE			*fo, *fe;
	char			*lerr;
	int			 n, rc;

	c = test_load(name, &lerr, &n);
	assert_non_null(c);
	assert_int_equal(n, 0);
	free(lerr);
	cc = c;
	assert_non_null(fo = open_memstream(out, &olen));
	assert_non_null(fe = open_memstream(err, &elen));
	rc = import_write(&cc, 1, hosts, nhosts, fo, fe);
	fclose(fo);
	fclose(fe);
	sshconfig_free(c);
	return rc;
}

/* A chain of three ProxyJumps, written so that jumpgate loads it. */
static void
test_import_chain(void **state)
{
	struct config	*config;
	char		*hosts[] = { "target", "deploy@app" }, *out, *err, path[
			    PATH_MAX];
	int		 nerrors = 0;
	FILE		*f;

	(void)state;
	test_file("chain.conf",
	    "Host target\n"
	    "  HostName 10.1.2.3\n"
	    "  ProxyJump j1,j2,j3\n"
	    "  LocalForward 127.0.0.1:15432 db.internal:5432\n"
	    "  LocalForward [::1]:18080 [2001:db8::8]:80\n"
	    "  RemoteForward 9000 localhost:9000\n"
	    "  StrictHostKeyChecking accept-new\n"
	    "  ForwardAgent yes\n"
	    "Host j1\n"
	    "  HostName bastion.example.com\n"
	    "  Port 2201\n"
	    "  StrictHostKeyChecking no\n"
	    "Host j2\n"
	    "  ProxyJump should-be-ignored\n"
	    "  StrictHostKeyChecking yes\n"
	    "Host app\n"
	    "  ProxyJump j1\n"
	    "  ServerAliveInterval 20\n"
	    "  ConnectTimeout 1m\n"
	    "Host *\n"
	    "  User dev\n"
	    "  UserKnownHostsFile ~/kh\n");
	assert_int_equal(test_import("chain.conf", hosts, 2, &out, &err), 0);
	assert_string_equal(err, "");
	/* Hops in order, each through the one before. */
	assert_non_null(strstr(out, "[hop j1]\nhost = bastion.example.com\n"
	    "port = 2201\nuser = dev\n"));
	assert_non_null(strstr(out, "host_key_policy = insecure\n"));
	assert_non_null(strstr(out, "WARNING: StrictHostKeyChecking no"));
	assert_non_null(strstr(out, "[hop j2]\nhost = j2\nuser = dev\n"));
	assert_non_null(strstr(out, "via = j1\n\n[hop j3]"));
	assert_non_null(strstr(out, "[hop target]\n; not mapped: "));
	assert_non_null(strstr(out, "chain.conf:8: ForwardAgent yes (no "
	    "jumpgate equivalent)\n"));
	assert_non_null(strstr(out, "host_key_policy = tofu\n"));
	assert_non_null(strstr(out, "via = j3\n"));
	/* app's own chain reuses hop j1; its user comes from the command. */
	assert_non_null(strstr(out, "[hop app]\n"));
	assert_non_null(strstr(out, "user = deploy\n"));
	assert_non_null(strstr(out, "keepalive_interval = 20\n"));
	assert_non_null(strstr(out, "ConnectTimeout 1m (jumpgate's "
	    "connect_timeout takes whole seconds"));
	assert_null(strstr(out, "[hop j1-2]"));
	assert_null(strstr(out, "should-be-ignored\n"));
	/* Tunnels. */
	assert_non_null(strstr(out, "[tunnel target-L15432]\n; from "));
	assert_non_null(strstr(out, "listen = 127.0.0.1:15432\n"
	    "connect = db.internal:5432\nvia = target\n"));
	assert_non_null(strstr(out, "listen = [::1]:18080\n"
	    "connect = [2001:db8::8]:80\n"));
	assert_non_null(strstr(out, "[tunnel target-R9000]\n"));
	assert_non_null(strstr(out, "type = remote\n"));

	/* What jumpgate check reads. */
	snprintf(path, sizeof path, "%s/chain.ini", test_dir);
	assert_non_null(f = fopen(path, "w"));
	fputs(out, f);
	fclose(f);
	config = config_load(path, stderr, &nerrors);
	assert_non_null(config);
	assert_int_equal(nerrors, 0);
	config_free(config);
	free(out);
	free(err);
}

/* A loop of ProxyJumps and a bad StrictHostKeyChecking are errors. */
static void
test_import_errors(void **state)
{
	char	*hosts[] = { "a" }, *hosts2[] = { "c" }, *out, *err;

	(void)state;
	test_file("jumploop.conf",
	    "Host a\n  ProxyJump b\nHost b\n  ProxyJump a\n"
	    "Host c\n  StrictHostKeyChecking maybe\n");
	assert_int_equal(test_import("jumploop.conf", hosts, 1, &out, &err),
	    -1);
	assert_string_equal(out, "");
	assert_non_null(strstr(err, "ProxyJump chain a -> b -> a -> b"));
	assert_non_null(strstr(err, "(a loop?)"));
	free(out);
	free(err);
	assert_int_equal(test_import("jumploop.conf", hosts2, 1, &out, &err),
	    -1);
	assert_non_null(strstr(err, "jumploop.conf:6: StrictHostKeyChecking "
	    "'maybe': expected yes, accept-new, no or ask"));
	free(out);
	free(err);
}

/* Values an INI cannot hold are errors; comments are escaped. */
static void
test_import_hostile(void **state)
{
	char	*hosts[] = { "h" }, *hosts2[] = { "g" }, *out, *err;

	(void)state;
	test_file("hostile.conf",
	    "Host h\n  HostName \"evil ; host_key_policy = insecure\"\n"
	    "Host g\n  HostName \"g\x1b[2J\"\n"
	    "Host *\n  StrictHostKeyChecking yes\n"
	    "  SendEnv \"\x1b]0;title\x07\"\n");
	assert_int_equal(test_import("hostile.conf", hosts, 1, &out, &err),
	    -1);
	assert_string_equal(out, "");
	assert_non_null(strstr(err, "hostile.conf:2: host 'evil ; "
	    "host_key_policy = insecure' cannot be written"));
	free(out);
	free(err);
	assert_int_equal(test_import("hostile.conf", hosts2, 1, &out, &err),
	    -1);
	assert_non_null(strstr(err, "hostile.conf:4: host 'g\\x1b[2J'"));
	assert_null(strchr(err, '\x1b'));
	free(out);
	free(err);
}

/* A host met in a chain and asked for: one hop, its notes once. */
static void
test_import_shared(void **state)
{
	char	*hosts[] = { "db", "app" }, *long_chain[] = { "far" }, *out,
		*err, *p;

	(void)state;
	test_file("shared.conf",
	    "Host db\n  ProxyJump app\n"
	    "Host app\n  ForwardAgent yes\n  IdentityFile /nonexistent/key\n"
	    "Host far\n  ProxyJump h1,h2,h3,h4,h5,h6,h7,h8\n"
	    "Host *\n  StrictHostKeyChecking yes\n");
	assert_int_equal(test_import("shared.conf", hosts, 2, &out, &err), 0);
	assert_null(strstr(out, "[hop app-2]"));
	assert_non_null(p = strstr(out, "shared.conf:4: ForwardAgent yes"));
	assert_null(strstr(p + 1, "shared.conf:4: ForwardAgent yes"));
	assert_non_null(strstr(out, "shared.conf:5: IdentityFile "
	    "/nonexistent/key (no such file)"));
	free(out);
	free(err);
	assert_int_equal(test_import("shared.conf", long_chain, 1, &out, &err),
	    -1);
	assert_non_null(strstr(err, "shared.conf:7: the ProxyJump chain of "
	    "far is 9 hops deep: jumpgate allows 8"));
	free(out);
	free(err);
}

/* ProxyCommand ssh -W %h:%p HOST is a jump; another command is noted. */
static void
test_import_proxy_command(void **state)
{
	char	*hosts[] = { "old", "other" }, *out, *err;

	(void)state;
	test_file("proxycmd.conf",
	    "Host old\n  ProxyCommand ssh -q -l ops -p 2222 -W %h:%p gw\n"
	    "Host other\n  ProxyCommand nc -X 5 -x proxy:1080 %h %p\n"
	    "Host *\n  StrictHostKeyChecking yes\n");
	assert_int_equal(test_import("proxycmd.conf", hosts, 2, &out, &err),
	    0);
	assert_non_null(strstr(out, "[hop gw]\nhost = gw\nport = 2222\n"
	    "user = ops\n"));
	assert_non_null(strstr(out, "via = gw\n"));
	assert_non_null(strstr(out, "[hop other]\n; not mapped: "));
	assert_non_null(strstr(out, "proxycmd.conf:4: ProxyCommand nc -X 5 "
	    "-x proxy:1080 %h %p (WARNING: only"));
	free(out);
	free(err);
}

/* Dynamic and Unix-socket forwards: written, and marked as such. */
static void
test_import_socks_unix(void **state)
{
	char	*hosts[] = { "h" }, *out, *err;

	(void)state;
	test_file("socks.conf",
	    "Host h\n"
	    "  DynamicForward 1080\n"
	    "  LocalForward 5432 /var/run/postgresql/.s.PGSQL.5432\n"
	    "  LocalForward /run/user/1/pg/.s.PGSQL.5432 db:5432\n"
	    "  StrictHostKeyChecking yes\n");
	assert_int_equal(test_import("socks.conf", hosts, 1, &out, &err), 0);
	assert_non_null(strstr(out, "[tunnel h-D1080]\n"));
	assert_non_null(strstr(out, "type = socks\n; allow = REQUIRED"));
	assert_non_null(strstr(out, "connect = unix:/var/run/postgresql/"
	    ".s.PGSQL.5432\n"));
	assert_non_null(strstr(out, "listen = unix:/run/user/1/pg/"
	    ".s.PGSQL.5432\nconnect = db:5432\n"));
	free(out);
	free(err);
}

/* Run the tests. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_patterns),
		cmocka_unit_test(test_include),
		cmocka_unit_test(test_include_in_host),
		cmocka_unit_test(test_first_wins),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_forwards),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_import_chain),
		cmocka_unit_test(test_import_errors),
		cmocka_unit_test(test_import_shared),
		cmocka_unit_test(test_import_hostile),
		cmocka_unit_test(test_import_proxy_command),
		cmocka_unit_test(test_import_socks_unix),
	};

	return cmocka_run_group_tests(tests, test_setup, test_teardown);
}

/* Unit tests for config.c: what a file parses to, and what is reported. */
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

#include "allow.h"
#include "config.h"
#include "fingerprint.h"
#include "log.h"

/* The example from the documentation, with a second pin. */
static const char test_example[] =
    "[jumpgate]\n"
    "log_level = info              ; error | warn | info | debug "
    "(default info)\n"
    "\n"
    "[hop bastion]\n"
    "host = bastion.example.com    ; required\n"
    "port = 22                     ; default 22, 1-65535\n"
    "user = deploy                 ; required\n"
    "identity = keys/deploy_ed25519          ; optional path; without it "
    "ssh-agent is used\n"
    "identity_passphrase_file = keys/pass    ; optional path\n"
    "host_key = SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8 , "
    "SHA256:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8   ; pins\n"
    "known_hosts = staging.known_hosts       ; optional path\n"
    "host_key_policy = strict      ; strict (default) | tofu | insecure\n"
    "connect_timeout = 10          ; seconds, default 10, 1-3600\n"
    "\n"
    "[tunnel postgres]\n"
    "listen = 127.0.0.1:15432      ; required. \"PORT\" alone means "
    "127.0.0.1; \"host:port\"; \"[v6addr]:port\"\n"
    "connect = db.internal:5432    ; required. \"host:port\" or "
    "\"[v6addr]:port\"\n"
    "via = bastion                 ; required, names a [hop]\n";

/* What the two pins above decode to. */
static const unsigned char test_pin1[FINGERPRINT_HASH_LEN] = {
	157, 56, 91, 131, 169, 23, 82, 146, 86, 26, 94, 196, 212, 129, 142, 10,
	202, 81, 162, 100, 241, 116, 32, 17, 46, 248, 138, 195, 161, 57, 73, 143
};
static const unsigned char test_pin2[FINGERPRINT_HASH_LEN] = {
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
	16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
};

#define TEST_PIN "SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8"

/* A hop that is valid on its own, for tests about something else. */
#define TEST_HOP \
	"[hop h]\n" \
	"host = h.example.com\n" \
	"user = u\n" \
	"host_key = " TEST_PIN "\n"

/* A second hop, lines 5-8 after TEST_HOP. */
#define TEST_HOP_G \
	"[hop g]\n" \
	"host = g.example.com\n" \
	"user = u\n" \
	"host_key_policy = insecure\n"

static char	test_dir[PATH_MAX];	/* real path of our directory */

/* Make the directory test files go into. */
static int
test_setup(void **state)
{
	char	template[] = "/tmp/jumpgate-config-XXXXXX";

	(void)state;
	if (mkdtemp(template) == NULL || realpath(template, test_dir) == NULL)
		return -1;
	return 0;
}

/* Remove the directory test files went into. */
static int
test_teardown(void **state)
{
	(void)state;
	return rmdir(test_dir);
}

/* Write TEXT (LEN bytes) to a new file; its path goes into PATH. */
static void
test_write(const char *text, size_t len, char path[PATH_MAX])
{
	int	fd;

	assert_true(snprintf(path, PATH_MAX, "%s/cfg-XXXXXX", test_dir) <
	    PATH_MAX);
	fd = mkstemp(path);
	assert_true(fd != -1);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

/* Replace every PATH in TEXT by "F" and the test directory by "DIR". */
static char *
test_unpath(const char *text, const char *path)
{
	char		*out, *o;
	const char	*s;
	size_t		 plen = strlen(path), dlen = strlen(test_dir);

	out = o = malloc(strlen(text) + 1);
	assert_non_null(out);
	for (s = text; *s != '\0';) {
		if (strncmp(s, path, plen) == 0) {
			*o++ = 'F';
			s += plen;
		} else if (strncmp(s, test_dir, dlen) == 0) {
			memcpy(o, "DIR", 3);
			o += 3;
			s += dlen;
		} else
			*o++ = *s++;
	}
	*o = '\0';
	return out;
}

/*
 * Load PATH, capturing errors into *OUT with PATH written as "F" (caller
 * frees) and their count into *NERRORS.
 */
static struct config *
test_load_path(const char *path, int *nerrors, char **out)
{
	struct config	*config;
	FILE		*f;
	char		*buf = NULL;
	size_t		 len = 0;

	f = open_memstream(&buf, &len);
	assert_non_null(f);
	*nerrors = -1;
	config = config_load(path, f, nerrors);
	assert_int_equal(fclose(f), 0);
	*out = test_unpath(buf, path);
	free(buf);
	return config;
}

/* Load the config of LEN bytes TEXT. */
static struct config *
test_load_len(const char *text, size_t len, int *nerrors, char **out)
{
	struct config	*config;
	char		 path[PATH_MAX];

	test_write(text, len, path);
	config = test_load_path(path, nerrors, out);
	assert_int_equal(unlink(path), 0);
	return config;
}

/* Load TEXT, which must be valid. */
static struct config *
test_load_ok(const char *text)
{
	struct config	*config;
	char		*out;
	int		 nerrors;

	config = test_load_len(text, strlen(text), &nerrors, &out);
	assert_string_equal(out, "");
	assert_int_equal(nerrors, 0);
	assert_non_null(config);
	free(out);
	return config;
}

/* Count the lines of S. */
static int
test_count_lines(const char *s)
{
	int	n = 0;

	for (; *s != '\0'; s++) {
		if (*s == '\n')
			n++;
	}
	return n;
}

/* Check that LEN bytes TEXT fail with exactly EXPECTED, path as "F". */
static void
test_expect_len(const char *text, size_t len, const char *expected)
{
	struct config	*config;
	char		*out;
	int		 nerrors;

	config = test_load_len(text, len, &nerrors, &out);
	assert_string_equal(out, expected);
	assert_null(config);
	assert_int_equal(nerrors, test_count_lines(expected));
	free(out);
}

/* Check that TEXT fails with exactly EXPECTED. */
static void
test_expect(const char *text, const char *expected)
{
	test_expect_len(text, strlen(text), expected);
}

/* Make an absolute path below the test directory. */
static char *
test_abs(const char *rel, char buf[PATH_MAX])
{
	assert_true(snprintf(buf, PATH_MAX, "%s/%s", test_dir, rel) <
	    PATH_MAX);
	return buf;
}

/* The documented example parses to exactly what it says. */
static void
test_example_parses(void **state)
{
	struct config		*config;
	struct config_hop	*hop;
	struct config_tunnel	*t;
	char			 buf[PATH_MAX];

	(void)state;
	config = test_load_ok(test_example);
	assert_string_equal(config->dir, test_dir);
	assert_int_equal(config->log_level, LOG_LEVEL_INFO);

	hop = TAILQ_FIRST(&config->hops);
	assert_non_null(hop);
	assert_null(TAILQ_NEXT(hop, entry));
	assert_string_equal(hop->name, "bastion");
	assert_int_equal(hop->line, 4);
	assert_string_equal(hop->host, "bastion.example.com");
	assert_int_equal(hop->port, 22);
	assert_string_equal(hop->user, "deploy");
	assert_string_equal(hop->identity,
	    test_abs("keys/deploy_ed25519", buf));
	assert_string_equal(hop->identity_passphrase_file,
	    test_abs("keys/pass", buf));
	assert_int_equal(hop->npins, 2);
	assert_memory_equal(hop->pins[0].hash, test_pin1, FINGERPRINT_HASH_LEN);
	assert_memory_equal(hop->pins[1].hash, test_pin2, FINGERPRINT_HASH_LEN);
	assert_string_equal(hop->known_hosts,
	    test_abs("staging.known_hosts", buf));
	assert_int_equal(hop->policy, HOSTKEY_POLICY_STRICT);
	assert_int_equal(hop->connect_timeout, 10);

	t = TAILQ_FIRST(&config->tunnels);
	assert_non_null(t);
	assert_null(TAILQ_NEXT(t, entry));
	assert_string_equal(t->name, "postgres");
	assert_int_equal(t->line, 15);
	assert_string_equal(t->listen_host, "127.0.0.1");
	assert_int_equal(t->listen_port, 15432);
	assert_string_equal(t->connect_host, "db.internal");
	assert_int_equal(t->connect_port, 5432);
	assert_string_equal(t->via, "bastion");
	assert_ptr_equal(t->hop, hop);
	assert_int_equal(t->type, TUNNEL_LOCAL);

	assert_ptr_equal(config_find_hop(config, "bastion"), hop);
	assert_null(config_find_hop(config, "bastio"));
	config_free(config);
}

/* Unset keys get their defaults; a bare listen port means 127.0.0.1. */
static void
test_defaults(void **state)
{
	struct config		*config;
	struct config_hop	*hop;
	struct config_tunnel	*t;

	(void)state;
	config = test_load_ok(TEST_HOP
	    "[tunnel web]\n"
	    "listen = 8080\n"
	    "connect = web.internal:80\n"
	    "via = h\n");
	assert_int_equal(config->log_level, LOG_LEVEL_INFO);
	assert_null(config->control_socket);
	assert_int_equal(config->shutdown_timeout,
	    CONFIG_DEFAULT_SHUTDOWN_TIMEOUT);
	assert_int_equal(config->shutdown_timeout, 5);
	assert_null(config->pidfile);
	hop = TAILQ_FIRST(&config->hops);
	assert_int_equal(hop->port, CONFIG_DEFAULT_PORT);
	assert_int_equal(hop->connect_timeout, CONFIG_DEFAULT_CONNECT_TIMEOUT);
	assert_int_equal(hop->socket_send_buffer, 0);
	assert_int_equal(hop->keepalive_interval,
	    CONFIG_DEFAULT_KEEPALIVE_INTERVAL);
	assert_int_equal(hop->keepalive_interval, 15);
	assert_int_equal(hop->keepalive_count_max,
	    CONFIG_DEFAULT_KEEPALIVE_COUNT_MAX);
	assert_int_equal(hop->keepalive_count_max, 3);
	assert_int_equal(hop->reconnect_min, CONFIG_DEFAULT_RECONNECT_MIN);
	assert_int_equal(hop->reconnect_min, 1);
	assert_int_equal(hop->reconnect_max, CONFIG_DEFAULT_RECONNECT_MAX);
	assert_int_equal(hop->reconnect_max, 60);
	assert_int_equal(hop->lazy, 0);
	assert_int_equal(hop->idle_timeout, 0);
	assert_int_equal(hop->channels_per_session,
	    CONFIG_DEFAULT_CHANNELS_PER_SESSION);
	assert_int_equal(hop->policy, HOSTKEY_POLICY_STRICT);
	assert_null(hop->identity);
	assert_null(hop->identity_passphrase_file);
	assert_null(hop->known_hosts);
	assert_int_equal(hop->npins, 1);
	assert_memory_equal(hop->pins[0].hash, test_pin1, FINGERPRINT_HASH_LEN);

	t = TAILQ_FIRST(&config->tunnels);
	assert_string_equal(t->listen_host, "127.0.0.1");
	assert_int_equal(t->listen_port, 8080);
	assert_ptr_equal(t->hop, hop);
	assert_int_equal(t->required, 1);
	assert_int_equal(t->type, TUNNEL_LOCAL);
	assert_int_equal(t->max_connections, CONFIG_DEFAULT_MAX_CONNECTIONS);
	assert_int_equal(t->max_connections, 4096);
	assert_int_equal(t->client_idle_timeout, 0);
	config_free(config);
}

/* Values other than the defaults, and the layout inih is lenient about. */
static void
test_values(void **state)
{
	struct config		*config;
	struct config_hop	*a, *b;
	struct config_tunnel	*t1, *t2, *t3;

	(void)state;
	config = test_load_ok(
	    "; a comment\n"
	    "# another\n"
	    "[tunnel first]\n"
	    "listen = [::1]:8443\n"
	    "connect = [fd00::5]:443\n"
	    "via = b\n"
	    "[jumpgate]\n"
	    "log_level = debug\n"
	    "[ hop  a ]   ; spaced\n"
	    "host = 192.0.2.1\n"
	    "    port = 2222\n"		/* a key, not a continuation */
	    "user = root\n"
	    "identity = /etc/jumpgate/id\n"
	    "known_hosts = /var/lib/jumpgate/known_hosts\n"
	    "host_key_policy = tofu\n"
	    "connect_timeout = 3600\n"
	    "socket_send_buffer = 65536\n"
	    "keepalive_interval = 3600\n"
	    "keepalive_count_max = 100\n"
	    "reconnect_min = 3600\n"
	    "reconnect_max = 86400\n"
	    "lazy = yes\n"
	    "idle_timeout = 86400\n"
	    "[hop b]\n"
	    "host = b.example.com\n"
	    "user = u\n"
	    "host_key_policy = insecure\n"
	    "connect_timeout = 1\n"
	    "keepalive_interval = 0\n"
	    "keepalive_count_max = 1\n"
	    "reconnect_max = 1\n"		/* equal to the default min */
	    "lazy = no\n"
	    "idle_timeout = 0\n"
	    "[tunnel second]\n"
	    "listen = 0.0.0.0:8443\n"	/* another host: no clash */
	    "connect = localhost:65535\n"
	    "via = a\n"
	    "required = no\n"
	    "max_connections = 1\n"
	    "client_idle_timeout = 2678400\n"
	    "[tunnel third]\n"
	    "listen = localhost:1\n"
	    "connect = x:1\n"
	    "via = a\n"
	    "required = yes\n");
	assert_int_equal(config->log_level, LOG_LEVEL_DEBUG);

	a = TAILQ_FIRST(&config->hops);
	b = TAILQ_NEXT(a, entry);
	assert_non_null(b);
	assert_string_equal(a->name, "a");
	assert_int_equal(a->line, 9);
	assert_string_equal(a->host, "192.0.2.1");
	assert_int_equal(a->port, 2222);
	assert_string_equal(a->user, "root");
	assert_string_equal(a->identity, "/etc/jumpgate/id");
	assert_string_equal(a->known_hosts, "/var/lib/jumpgate/known_hosts");
	assert_int_equal(a->npins, 0);
	assert_int_equal(a->policy, HOSTKEY_POLICY_TOFU);
	assert_int_equal(a->connect_timeout, 3600);
	assert_int_equal(a->socket_send_buffer, 65536);
	assert_int_equal(a->keepalive_interval, 3600);
	assert_int_equal(a->keepalive_count_max, 100);
	assert_int_equal(a->reconnect_min, 3600);
	assert_int_equal(a->reconnect_max, 86400);
	assert_int_equal(a->lazy, 1);
	assert_int_equal(a->idle_timeout, 86400);
	assert_string_equal(b->name, "b");
	assert_int_equal(b->port, 22);
	assert_int_equal(b->policy, HOSTKEY_POLICY_INSECURE);
	assert_int_equal(b->connect_timeout, 1);
	assert_int_equal(b->keepalive_interval, 0);
	assert_int_equal(b->keepalive_count_max, 1);
	assert_int_equal(b->reconnect_min, 1);
	assert_int_equal(b->reconnect_max, 1);
	assert_int_equal(b->lazy, 0);
	assert_int_equal(b->idle_timeout, 0);

	t1 = TAILQ_FIRST(&config->tunnels);
	t2 = TAILQ_NEXT(t1, entry);
	t3 = TAILQ_NEXT(t2, entry);
	assert_non_null(t3);
	assert_string_equal(t1->name, "first");
	assert_int_equal(t1->line, 3);
	assert_string_equal(t1->listen_host, "::1");
	assert_int_equal(t1->listen_port, 8443);
	assert_string_equal(t1->connect_host, "fd00::5");
	assert_int_equal(t1->connect_port, 443);
	assert_ptr_equal(t1->hop, b);	/* defined after the tunnel */
	assert_int_equal(t1->required, 1);
	assert_string_equal(t2->listen_host, "0.0.0.0");
	assert_string_equal(t2->connect_host, "localhost");
	assert_int_equal(t2->connect_port, 65535);
	assert_ptr_equal(t2->hop, a);
	assert_int_equal(t2->required, 0);
	assert_int_equal(t2->max_connections, 1);
	assert_int_equal(t2->client_idle_timeout, 2678400);
	assert_string_equal(t3->listen_host, "localhost");
	assert_int_equal(t3->listen_port, 1);
	assert_int_equal(t3->required, 1);
	config_free(config);
}

/* CRLF line ends, a byte order mark and no final newline are fine. */
static void
test_line_ends(void **state)
{
	struct config		*config;
	struct config_hop	*hop;

	(void)state;
	config = test_load_ok("\xef\xbb\xbf[hop h]\r\n"
	    "host = h\r\n"
	    "user = u \r\n"
	    "host_key_policy = insecure\r\n"
	    "port = 2200");
	hop = TAILQ_FIRST(&config->hops);
	assert_string_equal(hop->name, "h");
	assert_string_equal(hop->host, "h");
	assert_string_equal(hop->user, "u");
	assert_int_equal(hop->port, 2200);
	config_free(config);
}

/* An empty file is a valid config with nothing in it. */
static void
test_empty_file(void **state)
{
	struct config	*config;

	(void)state;
	config = test_load_ok("");
	assert_true(TAILQ_EMPTY(&config->hops));
	assert_true(TAILQ_EMPTY(&config->tunnels));
	assert_null(config->control_socket);
	assert_int_equal(config->shutdown_timeout, 5);
	assert_null(config->pidfile);
	config_free(config);
}

/* A config named by a relative path still gets absolute paths. */
static void
test_relative_config_path(void **state)
{
	struct config		*config;
	struct config_hop	*hop;
	char			 path[PATH_MAX], cwd[PATH_MAX], buf[PATH_MAX];
	char			*out;
	const char		*text = "[hop h]\nhost = h\nuser = u\n"
				    "known_hosts = kh\nidentity = ../x/id\n";
	int			 nerrors;

	(void)state;
	test_write(text, strlen(text), path);
	assert_non_null(getcwd(cwd, sizeof cwd));
	assert_int_equal(chdir(test_dir), 0);
	config = test_load_path(strrchr(path, '/') + 1, &nerrors, &out);
	assert_int_equal(chdir(cwd), 0);
	assert_int_equal(unlink(path), 0);

	assert_string_equal(out, "");
	assert_non_null(config);
	assert_string_equal(config->path, strrchr(path, '/') + 1);
	assert_string_equal(config->dir, test_dir);
	hop = TAILQ_FIRST(&config->hops);
	assert_string_equal(hop->known_hosts, test_abs("kh", buf));
	assert_string_equal(hop->identity, test_abs("../x/id", buf));
	free(out);
	config_free(config);
}

/* The [jumpgate] keys: paths resolved against the config's directory. */
static void
test_global_keys(void **state)
{
	struct config	*config;
	char		 buf[PATH_MAX];

	(void)state;
	config = test_load_ok("[jumpgate]\n"
	    "control_socket = run/jumpgate.sock\n"
	    "shutdown_timeout = 0\n"
	    "pidfile = ../run/jumpgate.pid\n"
	    "log_file = log/jumpgate.log\n"
	    "log_format = json\n");
	assert_string_equal(config->log_file, test_abs("log/jumpgate.log",
	    buf));
	assert_int_equal(config->log_format, LOG_FORMAT_JSON);
	assert_string_equal(config->control_socket,
	    test_abs("run/jumpgate.sock", buf));
	assert_int_equal(config->shutdown_timeout, 0);
	assert_string_equal(config->pidfile, test_abs("../run/jumpgate.pid",
	    buf));
	config_free(config);

	config = test_load_ok("[jumpgate]\n"
	    "pidfile = /run/jumpgate/staging.pid\n"
	    "shutdown_timeout = 3600\n"
	    "control_socket = /run/jumpgate/staging.sock\n"
	    "log_level = warn\n");
	assert_string_equal(config->control_socket,
	    "/run/jumpgate/staging.sock");
	assert_int_equal(config->shutdown_timeout, 3600);
	assert_string_equal(config->pidfile, "/run/jumpgate/staging.pid");
	assert_int_equal(config->log_level, LOG_LEVEL_WARN);
	config_free(config);

	config = test_load_ok("[jumpgate]\nshutdown_timeout = 30\n");
	assert_null(config->log_file);
	assert_int_equal(config->log_format, LOG_FORMAT_TEXT);
	assert_null(config->control_socket);
	assert_int_equal(config->shutdown_timeout, 30);
	assert_null(config->pidfile);
	config_free(config);
}

/* Bad [jumpgate] values. */
static void
test_bad_global_keys(void **state)
{
	(void)state;
	test_expect("[jumpgate]\nshutdown_timeout = 3601\n",
	    "F:2: bad shutdown_timeout '3601': expected seconds, 0-3600\n");
	test_expect("[jumpgate]\nshutdown_timeout = -1\n",
	    "F:2: bad shutdown_timeout '-1': expected seconds, 0-3600\n");
	test_expect("[jumpgate]\nlog_level = info\nshutdown_timeout = 5s\n",
	    "F:3: bad shutdown_timeout '5s': expected seconds, 0-3600\n");
	test_expect("[jumpgate]\nshutdown_timeout =\n",
	    "F:2: empty value for 'shutdown_timeout' in [jumpgate]: give a "
	    "value or remove the line\n");
	test_expect("[jumpgate]\ncontrol_socket = ~/jumpgate.sock\n",
	    "F:2: control_socket '~/jumpgate.sock': '~' is not expanded; "
	    "write an absolute path or one relative to DIR\n");
	test_expect("[jumpgate]\n\npidfile = ~\n",
	    "F:3: pidfile '~': '~' is not expanded; write an absolute path or "
	    "one relative to DIR\n");
	test_expect("[jumpgate]\nlog_format = xml\n",
	    "F:2: unknown log_format 'xml': expected text or json\n");
	test_expect("[jumpgate]\nlog_file = ~/j.log\n",
	    "F:2: log_file '~/j.log': '~' is not expanded; write an absolute "
	    "path or one relative to DIR\n");
	test_expect("[jumpgate]\npidfile = a\npidfile = b\n",
	    "F:3: duplicate key 'pidfile' in [jumpgate] (first at line 2): "
	    "keep only one\n");
	/* All reported together, with the rest of the file. */
	test_expect("[jumpgate]\n"
	    "shutdown_timeout = forever\n"
	    "control_socket = ~/s\n"
	    TEST_HOP
	    "port = 0\n",
	    "F:2: bad shutdown_timeout 'forever': expected seconds, 0-3600\n"
	    "F:3: control_socket '~/s': '~' is not expanded; write an absolute "
	    "path or one relative to DIR\n"
	    "F:8: bad port '0': expected 1-65535\n");
}

/* Write "control_socket = " and a path of LEN bytes under PREFIX. */
static void
test_socket_line(char *buf, size_t size, const char *prefix, size_t len)
{
	size_t	n;

	assert_true(len >= strlen(prefix) && len < size);
	n = (size_t)snprintf(buf, size, "[jumpgate]\ncontrol_socket = %s",
	    prefix);
	memset(buf + n, 's', len - strlen(prefix));
	n += len - strlen(prefix);
	buf[n++] = '\n';
	buf[n] = '\0';
}

/* The control socket's absolute path must fit sun_path: 107 bytes. */
static void
test_control_socket_length(void **state)
{
	struct config	*config;
	char		 text[512], expected[512], dir[PATH_MAX + 1];
	const char	*path;
	size_t		 rel;

	(void)state;
	/* Absolute: 107 bytes are fine, 108 are not. */
	test_socket_line(text, sizeof text, "/tmp/", 107);
	config = test_load_ok(text);
	assert_int_equal(strlen(config->control_socket), 107);
	path = strstr(text, "= ") + 2;
	assert_memory_equal(config->control_socket, path, 107);
	config_free(config);

	test_socket_line(text, sizeof text, "/tmp/", 108);
	path = strstr(text, "= ") + 2;
	snprintf(expected, sizeof expected, "F:2: control_socket '%.*s' is "
	    "too long for a unix socket (108 bytes, at most 107): choose a "
	    "shorter path\n", 108, path);
	test_expect(text, expected);

	/* Relative: the directory counts, and is what the message shows. */
	assert_true(strlen(test_dir) + 1 < 100);
	rel = 107 - strlen(test_dir) - 1;
	test_socket_line(text, sizeof text, "", rel);
	config = test_load_ok(text);
	assert_int_equal(strlen(config->control_socket), 107);
	snprintf(dir, sizeof dir, "%s/", test_dir);
	assert_memory_equal(config->control_socket, dir, strlen(dir));
	config_free(config);

	test_socket_line(text, sizeof text, "", rel + 1);
	path = strstr(text, "= ") + 2;
	snprintf(expected, sizeof expected, "F:2: control_socket 'DIR/%.*s' "
	    "is too long for a unix socket (108 bytes, at most 107): choose a "
	    "shorter path\n", (int)rel + 1, path);
	test_expect(text, expected);

	/* Far too long, with "../" that still counts as written. */
	test_socket_line(text, sizeof text, "../", 150);
	path = strstr(text, "= ") + 2;
	snprintf(expected, sizeof expected, "F:2: control_socket 'DIR/%.*s' "
	    "is too long for a unix socket (%zu bytes, at most 107): choose a "
	    "shorter path\n", 150, path, strlen(test_dir) + 1 + 150);
	test_expect(text, expected);
}

/*
 * A config for the reload comparisons: hop b (the third) and tunnel t (the
 * first) set every key they have. One line each, so that a variation can
 * replace a line by its index.
 */
static const char *test_reload_lines[] = {
	"[hop a]",				/* 0 */
	"host = a.example.com",
	"user = u",
	"host_key_policy = insecure",
	"[hop c]",				/* 4 */
	"host = c.example.com",
	"user = u",
	"host_key_policy = insecure",
	"[hop b]",				/* 8 */
	"host = b.example.com",
	"port = 2222",				/* 10 */
	"user = deploy",
	"identity = keys/id",
	"identity_passphrase_file = keys/pass",
	"host_key = " TEST_PIN,
	"known_hosts = kh",			/* 15 */
	"host_key_policy = strict",
	"connect_timeout = 20",
	"socket_send_buffer = 65536",
	"keepalive_interval = 30",
	"keepalive_count_max = 4",		/* 20 */
	"reconnect_min = 2",
	"reconnect_max = 120",
	"lazy = yes",
	"idle_timeout = 600",
	"via = a",				/* 25 */
	"[tunnel t]",
	"listen = 127.0.0.1:8080",
	"connect = db.internal:5432",
	"via = a",
	"type = local",				/* 30 */
	"required = yes",
};

#define TEST_RELOAD_NLINES \
	(sizeof test_reload_lines / sizeof test_reload_lines[0])

#define TEST_PIN2 "SHA256:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"

/* Load the reload config with line INDEX replaced by LINE (NULL: none). */
static struct config *
test_reload_load(size_t index, const char *line)
{
	struct config	*config;
	char		 text[4096];
	size_t		 i, n = 0;

	for (i = 0; i < TEST_RELOAD_NLINES; i++) {
		n += (size_t)snprintf(text + n, sizeof text - n, "%s\n",
		    line != NULL && i == index ? line : test_reload_lines[i]);
		assert_true(n < sizeof text);
	}
	config = test_load_ok(text);
	return config;
}

/* The third hop of CONFIG. */
static struct config_hop *
test_third_hop(struct config *config)
{
	struct config_hop	*hop;

	hop = TAILQ_FIRST(&config->hops);
	assert_non_null(hop);
	hop = TAILQ_NEXT(hop, entry);
	assert_non_null(hop);
	hop = TAILQ_NEXT(hop, entry);
	assert_non_null(hop);
	return hop;
}

/*
 * Hops and tunnels loaded twice compare equal; any change to what their
 * sessions or listeners depend on makes them unequal, and a change that
 * leaves the values alone does not.
 */
static void
test_reload_equal(void **state)
{
	static const struct {
		size_t		 index;
		const char	*line;
		int		 hop_equal;
		int		 tunnel_equal;
	} tests[] = {
		/* The hop. */
		{ 8, "[hop b2]", 0, 1 },
		{ 9, "host = b2.example.com", 0, 1 },
		{ 9, "host = B.example.com", 0, 1 },
		{ 10, "port = 2223", 0, 1 },
		{ 10, "; port = 22, the default", 0, 1 },
		{ 11, "user = root", 0, 1 },
		{ 12, "identity = keys/id2", 0, 1 },
		{ 12, "identity = /elsewhere/id", 0, 1 },
		{ 12, "; agent", 0, 1 },
		{ 13, "identity_passphrase_file = keys/pass2", 0, 1 },
		{ 13, "; no passphrase", 0, 1 },
		{ 14, "host_key = " TEST_PIN2, 0, 1 },
		{ 14, "host_key = " TEST_PIN ", " TEST_PIN2, 0, 1 },
		{ 14, "host_key = " TEST_PIN ", " TEST_PIN, 0, 1 },
		{ 14, "; no pins, known_hosts", 0, 1 },
		{ 15, "known_hosts = kh2", 0, 1 },
		{ 15, "; pins only", 0, 1 },
		{ 16, "host_key_policy = tofu", 0, 1 },
		{ 17, "connect_timeout = 21", 0, 1 },
		{ 18, "socket_send_buffer = 65537", 0, 1 },
		{ 18, "; the kernel's", 0, 1 },
		{ 19, "keepalive_interval = 0", 0, 1 },
		{ 20, "keepalive_count_max = 5", 0, 1 },
		{ 21, "reconnect_min = 1", 0, 1 },
		{ 22, "reconnect_max = 121", 0, 1 },
		{ 23, "lazy = no", 0, 1 },
		{ 24, "idle_timeout = 0", 0, 1 },
		{ 24, "idle_timeout = 600\nchannels_per_session = 10", 0, 1 },
		{ 25, "via = c", 0, 1 },
		{ 24, "idle_timeout = 600\nkex = curve25519-sha256", 0, 1 },
		{ 24, "idle_timeout = 600\nciphers = aes256-ctr", 0, 1 },
		{ 24, "idle_timeout = 600\nmacs = hmac-sha2-512", 0, 1 },
		{ 24, "idle_timeout = 600\nhost_key_algorithms = ssh-ed25519",
		    0, 1 },
		{ 24, "idle_timeout = 600\nallow_ssh_rsa_sha1 = yes", 0, 1 },
		{ 24, "idle_timeout = 600\nallow_ssh_rsa_sha1 = no", 1, 1 },
		{ 24, "idle_timeout = 600\npassword_file = pw", 0, 1 },
		{ 24, "idle_timeout = 600\npassword_env = PW", 0, 1 },
		{ 24, "idle_timeout = 600\notp_command = oathtool x", 0, 1 },
		{ 25, "; direct", 0, 1 },
		/* The tunnel. */
		{ 26, "[tunnel t2]", 1, 0 },
		{ 27, "listen = 127.0.0.2:8080", 1, 0 },
		{ 27, "listen = localhost:8080", 1, 0 },
		{ 27, "listen = 8081", 1, 0 },
		{ 28, "connect = db2.internal:5432", 1, 0 },
		{ 28, "connect = db.internal:5433", 1, 0 },
		{ 29, "via = c", 1, 0 },
		{ 30, "type = remote", 1, 0 },
		{ 31, "required = no", 1, 0 },
		/* Limits apply to a kept tunnel: no new listener. */
		{ 31, "required = yes\nmax_connections = 10", 1, 1 },
		{ 31, "required = yes\nclient_idle_timeout = 60", 1, 1 },
		/* Other hops, and the same values written differently. */
		{ 5, "host = a.example.com", 1, 1 },
		{ 0, "; moved\n[hop a]", 1, 1 },
		{ 9, "host = b.example.com\n; lines below move", 1, 1 },
		{ 10, "port = 2222 ", 1, 1 },
		{ 12, "identity = ./keys/../keys/id", 0, 1 },  /* as written */
		{ 16, "; strict, the default", 1, 1 },
		{ 17, "connect_timeout = 020", 1, 1 },
		{ 27, "listen = 8080", 1, 1 },
		{ 30, "; local, the default", 1, 1 },
		{ 31, "; required by default", 1, 1 },
	};
	struct config		*base, *config;
	struct config_hop	*b, *b2, *h, *h2;
	struct config_tunnel	*t, *t2;
	size_t			 i;

	(void)state;
	base = test_reload_load(0, NULL);
	b = test_third_hop(base);
	t = TAILQ_FIRST(&base->tunnels);
	assert_string_equal(b->name, "b");
	assert_int_equal(b->npins, 1);
	assert_non_null(b->identity_passphrase_file);
	assert_non_null(b->known_hosts);

	/* Each against itself and its copy; different hops differ. */
	config = test_reload_load(0, NULL);
	for (h = TAILQ_FIRST(&base->hops); h != NULL;
	    h = TAILQ_NEXT(h, entry)) {
		TAILQ_FOREACH(h2, &config->hops, entry) {
			assert_int_equal(config_hop_equal(h, h2),
			    strcmp(h->name, h2->name) == 0);
		}
		assert_int_equal(config_hop_equal(h, h), 1);
	}
	t2 = TAILQ_FIRST(&config->tunnels);
	assert_int_equal(config_tunnel_equal(t, t2), 1);
	assert_int_equal(config_tunnel_equal(t2, t), 1);
	assert_int_equal(config_tunnel_equal(t, t), 1);
	config_free(config);

	for (i = 0; i < sizeof tests / sizeof tests[0]; i++) {
		config = test_reload_load(tests[i].index, tests[i].line);
		b2 = test_third_hop(config);
		t2 = TAILQ_FIRST(&config->tunnels);
		if (config_hop_equal(b, b2) != tests[i].hop_equal ||
		    config_hop_equal(b2, b) != tests[i].hop_equal ||
		    config_tunnel_equal(t, t2) != tests[i].tunnel_equal ||
		    config_tunnel_equal(t2, t) != tests[i].tunnel_equal) {
			fail_msg("line %zu = \"%s\": expected hop %s, "
			    "tunnel %s", tests[i].index, tests[i].line,
			    tests[i].hop_equal ? "equal" : "unequal",
			    tests[i].tunnel_equal ? "equal" : "unequal");
		}
		config_free(config);
	}
	config_free(base);
}


/*
 * A change of otp_env alone, the variables otp_command gets, is a change of
 * the hop: its next login runs the command with another environment.
 */
static void
test_reload_otp_env(void **state)
{
	static const char	*lines[] = {
		"idle_timeout = 600\notp_command = oathtool x",
		"idle_timeout = 600\notp_command = oathtool x\notp_env = A",
		"idle_timeout = 600\notp_command = oathtool x\notp_env = B",
		"idle_timeout = 600\notp_command = oathtool x\notp_env = A,B",
	};
	struct config		*a, *b;
	size_t			 i, j;

	(void)state;
	for (i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		a = test_reload_load(24, lines[i]);
		for (j = 0; j < sizeof lines / sizeof lines[0]; j++) {
			b = test_reload_load(24, lines[j]);
			if (config_hop_equal(test_third_hop(a),
			    test_third_hop(b)) != (i == j))
				fail_msg("\"%s\" against \"%s\"", lines[i],
				    lines[j]);
			assert_int_equal(config_tunnel_equal(
			    TAILQ_FIRST(&a->tunnels), TAILQ_FIRST(&b->tunnels)), 1);
			config_free(b);
		}
		config_free(a);
	}
}

/* Algorithm lists: good ones kept as written, defaults left unset. */
static void
test_algorithms_ok(void **state)
{
	struct config		*config;
	struct config_hop	*hop;

	(void)state;
	config = test_load_ok(TEST_HOP
	    "kex = curve25519-sha256, ecdh-sha2-nistp256\n"
	    "ciphers = aes256-ctr,aes128-ctr\n"
	    "macs = hmac-sha2-512\n"
	    "host_key_algorithms = ssh-ed25519,ecdsa-sha2-nistp256\n");
	hop = TAILQ_FIRST(&config->hops);
	assert_string_equal(hop->kex, "curve25519-sha256,ecdh-sha2-nistp256");
	assert_string_equal(hop->ciphers, "aes256-ctr,aes128-ctr");
	assert_string_equal(hop->macs, "hmac-sha2-512");
	assert_string_equal(hop->host_key_algorithms,
	    "ssh-ed25519,ecdsa-sha2-nistp256");
	assert_int_equal(hop->allow_ssh_rsa_sha1, 0);
	config_free(config);

	/* ssh-rsa with the opt-in, in either order. */
	config = test_load_ok(TEST_HOP
	    "host_key_algorithms = ssh-ed25519,ssh-rsa\n"
	    "allow_ssh_rsa_sha1 = yes\n");
	hop = TAILQ_FIRST(&config->hops);
	assert_int_equal(hop->allow_ssh_rsa_sha1, 1);
	config_free(config);

	config = test_load_ok(TEST_HOP);
	hop = TAILQ_FIRST(&config->hops);
	assert_null(hop->kex);
	assert_null(hop->ciphers);
	assert_null(hop->macs);
	assert_null(hop->host_key_algorithms);
	config_free(config);
}

/* Unknown and weak algorithms are refused at their line, saying why. */
static void
test_algorithms_refused(void **state)
{
	(void)state;
	test_expect(TEST_HOP "ciphers = aes128-ctr,aes128-cbc\n",
	    "F:5: ciphers: 'aes128-cbc' is refused (a CBC cipher); use some of "
	    "chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@"
	    "openssh.com,aes256-ctr,aes192-ctr,aes128-ctr, or leave ciphers "
	    "out for the secure default\n");
	test_expect(TEST_HOP "ciphers = 3des-cbc\n",
	    "F:5: ciphers: '3des-cbc' is refused (a CBC cipher); use some of "
	    "chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@"
	    "openssh.com,aes256-ctr,aes192-ctr,aes128-ctr, or leave ciphers "
	    "out for the secure default\n");
	test_expect(TEST_HOP "ciphers = arcfour\n",
	    "F:5: ciphers: 'arcfour' is refused (RC4, broken); use some of "
	    "chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@"
	    "openssh.com,aes256-ctr,aes192-ctr,aes128-ctr, or leave ciphers "
	    "out for the secure default\n");
	test_expect(TEST_HOP "macs = hmac-sha1\n",
	    "F:5: macs: 'hmac-sha1' is refused (a SHA-1 MAC); use some of "
	    "hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,"
	    "hmac-sha2-256,hmac-sha2-512, or leave macs out for the secure "
	    "default\n");
	test_expect(TEST_HOP "macs = hmac-md5-96\n",
	    "F:5: macs: 'hmac-md5-96' is refused (an MD5 MAC); use some of "
	    "hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,"
	    "hmac-sha2-256,hmac-sha2-512, or leave macs out for the secure "
	    "default\n");
	test_expect(TEST_HOP "macs = chacha20\n",
	    "F:5: macs: unknown MAC 'chacha20' (libssh2 1.11.1 does not support "
	    "it); use some of hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@"
	    "openssh.com,hmac-sha2-256,hmac-sha2-512, or leave macs out "
	    "for the secure default\n");
	test_expect(TEST_HOP "kex = diffie-hellman-group14-sha1\n",
	    "F:5: kex: 'diffie-hellman-group14-sha1' is refused (a SHA-1 key "
	    "exchange); use some of curve25519-sha256,curve25519-sha256@libssh"
	    ".org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,"
	    "diffie-hellman-group-exchange-sha256,diffie-hellman-group16-"
	    "sha512,diffie-hellman-group18-sha512,diffie-hellman-group14-"
	    "sha256, or leave kex out for the secure default\n");
	test_expect(TEST_HOP "kex = diffie-hellman-group1-sha1\n",
	    "F:5: kex: 'diffie-hellman-group1-sha1' is refused (a 1024-bit "
	    "group with SHA-1); use some of curve25519-sha256,curve25519-"
	    "sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-"
	    "sha2-nistp521,diffie-hellman-group-exchange-sha256,diffie-hellman"
	    "-group16-sha512,diffie-hellman-group18-sha512,diffie-hellman-"
	    "group14-sha256, or leave kex out for the secure default\n");
	test_expect(TEST_HOP "host_key_algorithms = ssh-rsa\n",
	    "F:5: host_key_algorithms: 'ssh-rsa' is refused (signed with "
	    "SHA-1; allowed only with allow_ssh_rsa_sha1 = yes, for a legacy "
	    "server); use some of ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-"
	    "nistp384,ecdsa-sha2-nistp521,rsa-sha2-512,rsa-sha2-256, or leave "
	    "host_key_algorithms out for the secure default\n");
	test_expect(TEST_HOP "allow_ssh_rsa_sha1 = yes\n"
	    "host_key_algorithms = ssh-dss\n",
	    "F:6: host_key_algorithms: 'ssh-dss' is refused (DSA, broken and "
	    "removed from OpenSSH); use some of ssh-ed25519,ecdsa-sha2-nistp256,"
	    "ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,rsa-sha2-512,rsa-sha2-256,"
	    "ssh-rsa, or leave host_key_algorithms out for the secure "
	    "default\n");
	/* The opt-in is for ssh-rsa only: weak ciphers stay refused. */
	test_expect(TEST_HOP "allow_ssh_rsa_sha1 = yes\n"
	    "ciphers = aes256-cbc\n",
	    "F:6: ciphers: 'aes256-cbc' is refused (a CBC cipher); use some of "
	    "chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@"
	    "openssh.com,aes256-ctr,aes192-ctr,aes128-ctr, or leave ciphers "
	    "out for the secure default\n");
	test_expect(TEST_HOP "ciphers = aes128-ctr,,aes256-ctr\n",
	    "F:5: ciphers 'aes128-ctr,,aes256-ctr' has an empty name: separate "
	    "names with single commas, no spaces\n");
	test_expect(TEST_HOP "allow_ssh_rsa_sha1 = maybe\n",
	    "F:5: bad allow_ssh_rsa_sha1 'maybe': expected yes or no\n");
}

/* Password sources: a file or a variable, never the password itself. */
static void
test_password_sources(void **state)
{
	struct config		*config;
	struct config_hop	*hop;
	char			 buf[PATH_MAX];

	(void)state;
	config = test_load_ok(TEST_HOP "password_file = pw\n"
	    "otp_command = oathtool --totp KEY\n");
	hop = TAILQ_FIRST(&config->hops);
	assert_string_equal(hop->password_file, test_abs("pw", buf));
	assert_null(hop->password_env);
	assert_string_equal(hop->otp_command, "oathtool --totp KEY");
	config_free(config);

	config = test_load_ok(TEST_HOP "password_env = JG_PASSWORD_2\n");
	hop = TAILQ_FIRST(&config->hops);
	assert_string_equal(hop->password_env, "JG_PASSWORD_2");
	assert_null(hop->password_file);
	config_free(config);

	test_expect(TEST_HOP "password = hunter2\n",
	    "F:5: a password does not belong in the configuration file: put it "
	    "in a file of mode 0600 named by password_file, or in an "
	    "environment variable named by password_env\n");
	test_expect(TEST_HOP "password_env = hunter2!\n",
	    "F:5: bad password_env 'hunter2!': give the name of an environment "
	    "variable (letters, digits, '_'), not the password\n");
	test_expect(TEST_HOP "password_env = 9LIVES\n",
	    "F:5: bad password_env '9LIVES': give the name of an environment "
	    "variable (letters, digits, '_'), not the password\n");
	test_expect(TEST_HOP "password_file = pw\npassword_env = PW\n",
	    "F:6: [hop h] has both password_file and password_env: keep one\n");
}

/* otp_env: names for otp_command, never the password's variable. */
static void
test_otp_env(void **state)
{
	struct config		*config;
	struct config_hop	*hop;

	(void)state;
	config = test_load_ok(TEST_HOP "otp_command = oathtool x\n"
	    "otp_env = OATH_KEYFILE , XDG_CONFIG_HOME,A_1\n"
	    "password_env = PW\n");
	hop = TAILQ_FIRST(&config->hops);
	assert_string_equal(hop->otp_env, "OATH_KEYFILE,XDG_CONFIG_HOME,A_1");
	config_free(config);

	config = test_load_ok(TEST_HOP "otp_command = oathtool x\n");
	assert_null(TAILQ_FIRST(&config->hops)->otp_env);
	config_free(config);

	test_expect(TEST_HOP "otp_command = x\notp_env = A,,B\n",
	    "F:6: bad otp_env 'A,,B': give the names of environment variables "
	    "(letters, digits, '_'), separated by commas\n");
	test_expect(TEST_HOP "otp_command = x\notp_env = A=1\n",
	    "F:6: bad otp_env 'A=1': give the names of environment variables "
	    "(letters, digits, '_'), separated by commas\n");
	test_expect(TEST_HOP "otp_command = x\notp_env = 9A\n",
	    "F:6: bad otp_env '9A': give the names of environment variables "
	    "(letters, digits, '_'), separated by commas\n");
	test_expect(TEST_HOP "otp_command = x\notp_env = A,\n",
	    "F:6: bad otp_env 'A,': give the names of environment variables "
	    "(letters, digits, '_'), separated by commas\n");
	test_expect(TEST_HOP "otp_env = LANGUAGE\n",
	    "F:5: [hop h] has otp_env but no otp_command: remove otp_env or "
	    "add otp_command\n");
	/* The password's variable, whichever key comes first. */
	test_expect(TEST_HOP "otp_command = x\notp_env = A, PW\n"
	    "password_env = PW\n",
	    "F:6: otp_env lists PW, the variable password_env names: the "
	    "password is never handed to otp_command; remove it from "
	    "otp_env\n");
	test_expect(TEST_HOP "password_env = PW\notp_command = x\n"
	    "otp_env = PW\n",
	    "F:7: otp_env lists PW, the variable password_env names: the "
	    "password is never handed to otp_command; remove it from "
	    "otp_env\n");
	/* A name that only starts like it is another variable. */
	config = test_load_ok(TEST_HOP "password_env = PW\n"
	    "otp_command = x\notp_env = PWD,XPW\n");
	config_free(config);
}

/* Policy names. */
static void
test_policy_names(void **state)
{
	(void)state;
	assert_string_equal(config_policy_name(HOSTKEY_POLICY_STRICT),
	    "strict");
	assert_string_equal(config_policy_name(HOSTKEY_POLICY_TOFU), "tofu");
	assert_string_equal(config_policy_name(HOSTKEY_POLICY_INSECURE),
	    "insecure");
}

/* Section headers that are wrong; their keys bring no further errors. */
static void
test_bad_sections(void **state)
{
	(void)state;
	test_expect("[hops x]\nhost = h\n",
	    "F:1: unknown section [hops x]: expected [jumpgate], [hop NAME] "
	    "or [tunnel NAME]\n");
	test_expect("[jumpgate]\n[global]\nfoo = 1\n",
	    "F:2: unknown section [global]: expected [jumpgate], [hop NAME] "
	    "or [tunnel NAME]\n");
	test_expect("[hop]\nhost = h\n",
	    "F:1: missing name in [hop]: expected [hop NAME]\n");
	test_expect("\n[tunnel   ]\n",
	    "F:2: missing name in [tunnel]: expected [tunnel NAME]\n");
	test_expect("[hop a b]\nuser = u\n",
	    "F:1: bad hop name 'a b': use only letters, digits, '_', '.' and "
	    "'-'\n");
	test_expect("[tunnel db/1]\n",
	    "F:1: bad tunnel name 'db/1': use only letters, digits, '_', '.' "
	    "and '-'\n");
	test_expect("[jumpgate main]\nlog_level = debug\n",
	    "F:1: [jumpgate] takes no name: write just [jumpgate]\n");
	test_expect("[hop h\nhost = h\n",
	    "F:1: unterminated section header: expected [jumpgate], "
	    "[hop NAME] or [tunnel NAME]\n");
	test_expect("[hop h] host = h\n",
	    "F:1: unexpected text after ']': put keys on lines of their own\n");
}

/* Sections of one kind and name may appear once. */
static void
test_duplicate_sections(void **state)
{
	(void)state;
	test_expect(TEST_HOP "\n" TEST_HOP,
	    "F:6: duplicate [hop h] (first at line 1): hop names must be "
	    "unique\n");
	test_expect(TEST_HOP
	    "[tunnel t]\nlisten = 1\nconnect = a:1\nvia = h\n"
	    "[tunnel t]\nlisten = 2\nconnect = a:1\nvia = h\n",
	    "F:9: duplicate [tunnel t] (first at line 5): tunnel names must be "
	    "unique\n");
	test_expect("[jumpgate]\n[jumpgate]\nlog_level = warn\n",
	    "F:2: duplicate [jumpgate] (first at line 1): use one [jumpgate] "
	    "section\n");
	/* The same name for a hop and a tunnel is fine. */
	config_free(test_load_ok(TEST_HOP
	    "[tunnel h]\nlisten = 1\nconnect = a:1\nvia = h\n"));
}

/* Keys a section does not know, or in no section. */
static void
test_bad_keys(void **state)
{
	(void)state;
	test_expect(TEST_HOP "hostname = x\n",
	    "F:5: unknown key 'hostname' in [hop h]: expected one of host, "
	    "port, user, identity, identity_passphrase_file, certificate, host_key, "
	    "known_hosts, host_key_policy, connect_timeout, "
	    "socket_send_buffer, keepalive_interval, keepalive_count_max, "
	    "reconnect_min, reconnect_max, lazy, idle_timeout, channels_per_session, via, kex, "
	    "host_key_algorithms, ciphers, macs, allow_ssh_rsa_sha1, "
	    "password_file, password_env, otp_command, otp_env\n");
	test_expect("[jumpgate]\nloglevel = info\n",
	    "F:2: unknown key 'loglevel' in [jumpgate]: expected one of "
	    "log_level, control_socket, shutdown_timeout, pidfile, log_file, "
	    "log_format\n");
	test_expect("[tunnel t]\nlisten = 1\nconnect = a:1\nhop = h\n",
	    "F:1: missing required key 'via' in [tunnel t]: add 'via = HOP'\n"
	    "F:4: unknown key 'hop' in [tunnel t]: expected one of listen, "
	    "listen_mode, listen_group, connect, via, type, required, "
	    "max_connections, client_idle_timeout, allow\n");
	test_expect("; top\nlog_level = debug\n[jumpgate]\n",
	    "F:2: key 'log_level' outside any section: put it under "
	    "[jumpgate], [hop NAME] or [tunnel NAME]\n");
}

/* A key given twice, or with nothing after '='. */
static void
test_duplicate_and_empty(void **state)
{
	(void)state;
	test_expect(TEST_HOP "port = 22\nport = 23\n",
	    "F:6: duplicate key 'port' in [hop h] (first at line 5): keep "
	    "only one\n");
	/* An indented line is a key of its own, not a continuation. */
	test_expect(TEST_HOP "  host = other\n",
	    "F:5: duplicate key 'host' in [hop h] (first at line 2): keep "
	    "only one\n");
	test_expect(TEST_HOP "identity =\n",
	    "F:5: empty value for 'identity' in [hop h]: give a value or "
	    "remove the line\n");
	test_expect(TEST_HOP "port =    ; default\n",
	    "F:5: empty value for 'port' in [hop h]: give a value or remove "
	    "the line\n");
}

/* Lines that are not key = value at all. */
static void
test_syntax_errors(void **state)
{
	(void)state;
	test_expect(TEST_HOP "port 22\n",
	    "F:5: syntax error: expected 'key = value', a [section] header or "
	    "a ';' comment\n");
	test_expect(TEST_HOP "= 22\n",
	    "F:5: missing key name before '='\n");
	/* The last line, without a newline. */
	test_expect(TEST_HOP "junk",
	    "F:5: syntax error: expected 'key = value', a [section] header or "
	    "a ';' comment\n");
}

/* Required keys, reported at the section's header. */
static void
test_missing_required(void **state)
{
	(void)state;
	test_expect("\n[hop h]\nport = 22\nhost_key = " TEST_PIN "\n",
	    "F:2: missing required key 'host' in [hop h]: add "
	    "'host = HOSTNAME'\n"
	    "F:2: missing required key 'user' in [hop h]: add 'user = NAME'\n");
	test_expect(TEST_HOP "[tunnel t]\n",
	    "F:5: missing required key 'listen' in [tunnel t]: add "
	    "'listen = [HOST:]PORT'\n"
	    "F:5: missing required key 'connect' in [tunnel t]: add "
	    "'connect = HOST:PORT'\n"
	    "F:5: missing required key 'via' in [tunnel t]: add 'via = HOP'\n");
}

/* Ports, timeouts and enumerations out of range. */
static void
test_bad_numbers_and_names(void **state)
{
	(void)state;
	test_expect(TEST_HOP "port = 0\n",
	    "F:5: bad port '0': expected 1-65535\n");
	test_expect(TEST_HOP "port = 65536\n",
	    "F:5: bad port '65536': expected 1-65535\n");
	test_expect(TEST_HOP "port = 99999999999999999999\n",
	    "F:5: bad port '99999999999999999999': expected 1-65535\n");
	test_expect(TEST_HOP "port = -22\n",
	    "F:5: bad port '-22': expected 1-65535\n");
	test_expect(TEST_HOP "port = 22 # ssh\n",
	    "F:5: bad port '22 # ssh': expected 1-65535\n");
	test_expect(TEST_HOP "connect_timeout = 0\n",
	    "F:5: bad connect_timeout '0': expected seconds, 1-3600\n");
	test_expect(TEST_HOP "connect_timeout = 3601\n",
	    "F:5: bad connect_timeout '3601': expected seconds, 1-3600\n");
	test_expect(TEST_HOP "connect_timeout = 10s\n",
	    "F:5: bad connect_timeout '10s': expected seconds, 1-3600\n");
	test_expect(TEST_HOP "socket_send_buffer = 1024\n",
	    "F:5: bad socket_send_buffer '1024': expected bytes, 4096-67108864 "
	    "(leave it out to let the kernel size it)\n");
	test_expect("[jumpgate]\nlog_level = verbose\n",
	    "F:2: unknown log_level 'verbose': expected error, warn, info or "
	    "debug\n");
	/* A bad policy brings no complaint about what the policy needs. */
	test_expect("[hop h]\nhost = h\nuser = u\nhost_key_policy = TOFU\n",
	    "F:4: unknown host_key_policy 'TOFU': expected strict, tofu or "
	    "insecure\n");
	test_expect(TEST_HOP "identity = ~/.ssh/id_ed25519\n",
	    "F:5: identity '~/.ssh/id_ed25519': '~' is not expanded; write an "
	    "absolute path or one relative to DIR\n");
}

/* Keepalive, reconnect and idle settings out of range; yes/no keys. */
static void
test_bad_hop_timers(void **state)
{
	static const struct {
		const char	*line;
		const char	*error;
	} cases[] = {
		{ "keepalive_interval = x",
		  "bad keepalive_interval 'x': expected seconds, 0-3600 (0 "
		  "turns keepalives off)" },
		{ "keepalive_interval = 3601",
		  "bad keepalive_interval '3601': expected seconds, 0-3600 (0 "
		  "turns keepalives off)" },
		{ "keepalive_interval = -1",
		  "bad keepalive_interval '-1': expected seconds, 0-3600 (0 "
		  "turns keepalives off)" },
		{ "keepalive_count_max = 0",
		  "bad keepalive_count_max '0': expected 1-100" },
		{ "keepalive_count_max = 101",
		  "bad keepalive_count_max '101': expected 1-100" },
		{ "keepalive_count_max = three",
		  "bad keepalive_count_max 'three': expected 1-100" },
		{ "channels_per_session = 0",
		  "bad channels_per_session '0': expected 1-100000" },
		{ "channels_per_session = many",
		  "bad channels_per_session 'many': expected 1-100000" },
		{ "reconnect_min = 0",
		  "bad reconnect_min '0': expected seconds, 1-3600" },
		{ "reconnect_min = 3601",
		  "bad reconnect_min '3601': expected seconds, 1-3600" },
		{ "reconnect_min = 1.5",
		  "bad reconnect_min '1.5': expected seconds, 1-3600" },
		{ "reconnect_max = 0",
		  "bad reconnect_max '0': expected seconds, 1-86400" },
		{ "reconnect_max = 86401",
		  "bad reconnect_max '86401': expected seconds, 1-86400" },
		{ "reconnect_max = 1m",
		  "bad reconnect_max '1m': expected seconds, 1-86400" },
		{ "lazy = maybe",
		  "bad lazy 'maybe': expected yes or no" },
		{ "lazy = Yes",
		  "bad lazy 'Yes': expected yes or no" },
		{ "lazy = 1",
		  "bad lazy '1': expected yes or no" },
		{ "lazy = true",
		  "bad lazy 'true': expected yes or no" },
		{ "idle_timeout = 86401",
		  "bad idle_timeout '86401': expected seconds, 0-86400 (0 "
		  "never drops an idle session)" },
		{ "idle_timeout = never",
		  "bad idle_timeout 'never': expected seconds, 0-86400 (0 "
		  "never drops an idle session)" },
	};
	static const struct {
		const char	*line;
		const char	*error;
	} tunnel_cases[] = {
		{ "max_connections = 0",
		  "bad max_connections '0': expected 1-1000000 (default "
		  "4096); clients past it are closed at once" },
		{ "max_connections = 1000001",
		  "bad max_connections '1000001': expected 1-1000000 (default "
		  "4096); clients past it are closed at once" },
		{ "max_connections = lots",
		  "bad max_connections 'lots': expected 1-1000000 (default "
		  "4096); clients past it are closed at once" },
		{ "client_idle_timeout = -1",
		  "bad client_idle_timeout '-1': expected seconds, 0-2678400 "
		  "(0, the default, never closes an idle connection)" },
		{ "client_idle_timeout = 2678401",
		  "bad client_idle_timeout '2678401': expected seconds, "
		  "0-2678400 (0, the default, never closes an idle "
		  "connection)" },
		{ "client_idle_timeout = 1h",
		  "bad client_idle_timeout '1h': expected seconds, 0-2678400 "
		  "(0, the default, never closes an idle connection)" },
	};
	char	text[1024], expected[1024];
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(text, sizeof text, TEST_HOP "%s\n", cases[i].line);
		snprintf(expected, sizeof expected, "F:5: %s\n",
		    cases[i].error);
		test_expect(text, expected);
	}
	test_expect(TEST_HOP "[tunnel t]\nlisten = 1\nconnect = a:1\n"
	    "via = h\nrequired = maybe\n",
	    "F:9: bad required 'maybe': expected yes or no\n");
	test_expect(TEST_HOP "[tunnel t]\nlisten = 1\nconnect = a:1\n"
	    "via = h\nrequired = NO\n",
	    "F:9: bad required 'NO': expected yes or no\n");
	for (i = 0; i < sizeof tunnel_cases / sizeof tunnel_cases[0]; i++) {
		snprintf(text, sizeof text, TEST_HOP "[tunnel t]\nlisten = 1\n"
		    "connect = a:1\nvia = h\n%s\n", tunnel_cases[i].line);
		snprintf(expected, sizeof expected, "F:9: %s\n",
		    tunnel_cases[i].error);
		test_expect(text, expected);
	}
}

/* reconnect_min may not be above reconnect_max, given or default. */
static void
test_reconnect_order(void **state)
{
	struct config	*config;

	(void)state;
	/* Both given: at the later line, whichever key it holds. */
	test_expect(TEST_HOP "reconnect_min = 30\nport = 22\n"
	    "reconnect_max = 10\n",
	    "F:7: [hop h] has reconnect_min 30 above reconnect_max 10: lower "
	    "reconnect_min or raise reconnect_max\n");
	test_expect(TEST_HOP "reconnect_max = 10\nreconnect_min = 30\n",
	    "F:6: [hop h] has reconnect_min 30 above reconnect_max 10: lower "
	    "reconnect_min or raise reconnect_max\n");
	/* One given: at the header, naming the default. */
	test_expect("\n" TEST_HOP "reconnect_min = 61\n",
	    "F:2: [hop h] has reconnect_min 61 above reconnect_max 60 (the "
	    "default): lower reconnect_min or raise reconnect_max\n");
	/* Equal is fine, and so is a min up to the default max. */
	config = test_load_ok(TEST_HOP "reconnect_min = 60\n");
	assert_int_equal(TAILQ_FIRST(&config->hops)->reconnect_min, 60);
	assert_int_equal(TAILQ_FIRST(&config->hops)->reconnect_max, 60);
	config_free(config);
	config_free(test_load_ok(TEST_HOP "reconnect_min = 5\n"
	    "reconnect_max = 5\n"));
	/* A value already reported brings no second complaint. */
	test_expect(TEST_HOP "reconnect_min = 30\nreconnect_max = 0\n",
	    "F:6: bad reconnect_max '0': expected seconds, 1-86400\n");
	test_expect(TEST_HOP "reconnect_min = 9999\nreconnect_max = 10\n",
	    "F:5: bad reconnect_min '9999': expected seconds, 1-3600\n");
}

/* Listen and connect addresses. */
static void
test_bad_addresses(void **state)
{
	static const struct {
		const char	*line;
		const char	*error;
	} cases[] = {
		{ "listen = localhost",
		  "bad listen address 'localhost': expected PORT, HOST:PORT or "
		  "[ADDRESS]:PORT" },
		{ "listen = :80",
		  "bad listen address ':80': expected PORT, HOST:PORT or "
		  "[ADDRESS]:PORT" },
		{ "listen = 0",
		  "listen port 0 lets the server choose a port: only for "
		  "type = remote" },
		{ "listen = 0.0.0.0:0",
		  "listen port 0 lets the server choose a port: only for "
		  "type = remote" },
		{ "listen = 65536",
		  "bad port '65536' in listen '65536': expected 1-65535" },
		{ "listen = -1",
		  "bad listen address '-1': expected PORT, HOST:PORT or "
		  "[ADDRESS]:PORT" },
		{ "listen = 127.0.0.1:",
		  "bad port '' in listen '127.0.0.1:': expected 1-65535" },
		{ "listen = ::1:80",
		  "bad listen address '::1:80': put an IPv6 address in "
		  "brackets, as in [::1]:PORT" },
		{ "listen = [::1]80",
		  "bad listen address '[::1]80': expected PORT, HOST:PORT or "
		  "[ADDRESS]:PORT" },
		{ "listen = []:80",
		  "bad listen address '[]:80': expected PORT, HOST:PORT or "
		  "[ADDRESS]:PORT" },
		{ "connect = 5432",
		  "bad connect address '5432': expected HOST:PORT or "
		  "[ADDRESS]:PORT" },
		{ "connect = db:0",
		  "bad port '0' in connect 'db:0': expected 1-65535" },
		{ "connect = db:70000",
		  "bad port '70000' in connect 'db:70000': expected 1-65535" },
		{ "connect = db host:1",
		  "bad connect address 'db host:1': expected HOST:PORT or "
		  "[ADDRESS]:PORT" },
	};
	char	text[1024], expected[1024];
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if (strncmp(cases[i].line, "listen", 6) == 0)
			snprintf(text, sizeof text, TEST_HOP "[tunnel t]\n%s\n"
			    "connect = a:1\nvia = h\n", cases[i].line);
		else
			snprintf(text, sizeof text, TEST_HOP "[tunnel t]\n%s\n"
			    "listen = 1\nvia = h\n", cases[i].line);
		snprintf(expected, sizeof expected, "F:6: %s\n",
		    cases[i].error);
		test_expect(text, expected);
	}
}

/* Host key pins, with the fingerprint parser's reasons. */
static void
test_bad_pins(void **state)
{
	(void)state;
	test_expect("[hop h]\nhost = h\nuser = u\nhost_key = SHA256:xx\n",
	    "F:4: bad host_key pin 'SHA256:xx': expected SHA256: followed by "
	    "43 base64 characters, as ssh-keygen -lf prints\n");
	test_expect("[hop h]\nhost = h\nuser = u\nhost_key = " TEST_PIN
	    ",SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY!\n",
	    "F:4: bad host_key pin "
	    "'SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY!': not valid "
	    "base64\n");
	test_expect("[hop h]\nhost = h\nuser = u\nhost_key = " TEST_PIN ",\n",
	    "F:4: empty pin in host_key '" TEST_PIN ",': separate pins with "
	    "single commas\n");
}

/* via must name a hop, defined anywhere in the file. */
static void
test_via(void **state)
{
	(void)state;
	test_expect(TEST_HOP "[hop g]\nhost = g\nuser = u\n"
	    "host_key_policy = insecure\n"
	    "[tunnel t]\nlisten = 1\nconnect = a:1\n\nvia = hh\n",
	    "F:13: via 'hh' names no hop: add a [hop hh] section or use one "
	    "of h, g\n");
	test_expect("[tunnel t]\nlisten = 1\nconnect = a:1\nvia = h\n",
	    "F:4: via 'h' names no hop: add a [hop h] section\n");
}

/* Append "[hop NAME]" reached via VIA (none if NULL) to BUF. */
static void
test_chain_hop(char *buf, size_t len, const char *name, const char *via)
{
	size_t	n = strlen(buf);

	snprintf(buf + n, len - n, "[hop %s]\nhost = %s\nuser = u\n"
	    "host_key_policy = insecure\n%s%s%s", name, name,
	    via != NULL ? "via = " : "", via != NULL ? via : "",
	    via != NULL ? "\n" : "");
}

/* Hops reached through other hops: resolution, depth, cycles, limits. */
static void
test_chain(void **state)
{
	struct config		*config;
	struct config_hop	*bastion, *app, *db;
	char			 buf[4096], name[8], via[8];
	int			 i;

	(void)state;
	config = test_load_ok("[hop bastion]\nhost = b\nuser = u\n"
	    "host_key_policy = insecure\n"
	    "[hop db]\nhost = db\nuser = u\nhost_key_policy = insecure\n"
	    "via = app\n"
	    "[hop app]\nhost = app\nuser = u\nhost_key_policy = insecure\n"
	    "via = bastion\n"
	    "[tunnel t]\nlisten = 1\nconnect = x:1\nvia = db\n");
	bastion = config_find_hop(config, "bastion");
	app = config_find_hop(config, "app");
	db = config_find_hop(config, "db");
	assert_null(bastion->via_hop);
	assert_int_equal(bastion->depth, 1);
	assert_ptr_equal(app->via_hop, bastion);
	assert_int_equal(app->depth, 2);
	assert_ptr_equal(db->via_hop, app);
	assert_int_equal(db->depth, 3);
	assert_ptr_equal(TAILQ_FIRST(&config->tunnels)->hop, db);
	config_free(config);

	/* A hop naming no hop, itself, or a loop. */
	test_expect("[hop a]\nhost = a\nuser = u\nhost_key_policy = insecure\n"
	    "via = nowhere\n",
	    "F:5: via 'nowhere' names no hop: add a [hop nowhere] section or "
	    "use one of a\n");
	test_expect("[hop a]\nhost = a\nuser = u\nhost_key_policy = insecure\n"
	    "via = a\n",
	    "F:5: via cycle a -> a: a hop cannot be reached through itself\n");
	test_expect("[hop a]\nhost = a\nuser = u\nhost_key_policy = insecure\n"
	    "via = b\n"
	    "[hop b]\nhost = b\nuser = u\nhost_key_policy = insecure\n"
	    "via = a\n"
	    "[hop c]\nhost = c\nuser = u\nhost_key_policy = insecure\n"
	    "via = b\n",
	    "F:5: via cycle a -> b -> a: a hop cannot be reached through "
	    "itself\n"
	    "F:10: via cycle b -> a -> b: a hop cannot be reached through "
	    "itself\n");

	/* Eight hops in a chain are fine; nine are not. */
	buf[0] = '\0';
	for (i = 1; i <= 9; i++) {
		snprintf(name, sizeof name, "h%d", i);
		snprintf(via, sizeof via, "h%d", i - 1);
		test_chain_hop(buf, sizeof buf, name, i == 1 ? NULL : via);
		if (i == 8) {
			config = test_load_ok(buf);
			assert_int_equal(config_find_hop(config, "h8")->depth,
			    8);
			config_free(config);
		}
	}
	test_expect(buf, "F:44: chain h1 -> h2 -> h3 -> h4 -> h5 -> h6 -> h7 "
	    "-> h8 -> h9 is 9 hops deep; at most 8 are allowed\n");
}

/* Two tunnels may not listen on one address. */
static void
test_duplicate_listen(void **state)
{
	(void)state;
	test_expect(TEST_HOP
	    "[tunnel a]\nconnect = a:1\nlisten = 15432\nvia = h\n"
	    "[tunnel b]\nlisten = 127.0.0.1:15433\nconnect = a:1\nvia = h\n"
	    "[tunnel c]\nconnect = a:1\nvia = h\nlisten = 127.0.0.1:15432\n",
	    "F:16: listen address 127.0.0.1:15432 is already used by "
	    "[tunnel a] at line 7: choose another port\n");
	test_expect(TEST_HOP
	    "[tunnel a]\nlisten = [::1]:80\nconnect = a:1\nvia = h\n"
	    "[tunnel b]\nlisten = [::1]:80\nconnect = a:1\nvia = h\n",
	    "F:10: listen address [::1]:80 is already used by [tunnel a] at "
	    "line 6: choose another port\n");
	/* Local tunnels clash whatever hop they go through. */
	test_expect(TEST_HOP TEST_HOP_G
	    "[tunnel a]\ntype = local\nlisten = 80\nconnect = a:1\nvia = h\n"
	    "[tunnel b]\nlisten = 80\nconnect = a:1\nvia = g\n",
	    "F:15: listen address 127.0.0.1:80 is already used by [tunnel a] "
	    "at line 11: choose another port\n");
}

/* Remote tunnels clash only on one hop; local and remote never clash. */
static void
test_duplicate_remote_listen(void **state)
{
	(void)state;
	/* Same hop, host and port; type may come after listen. */
	test_expect(TEST_HOP TEST_HOP_G
	    "[tunnel a]\nlisten = 8080\ntype = remote\nconnect = a:1\n"
	    "via = h\n"
	    "[tunnel b]\ntype = remote\nlisten = 127.0.0.1:8081\n"
	    "connect = a:1\nvia = h\n"
	    "[tunnel c]\nvia = h\nlisten = 127.0.0.1:8080\nconnect = a:1\n"
	    "type = remote\n",
	    "F:21: remote listen address 127.0.0.1:8080 on hop h is already "
	    "requested by [tunnel a] at line 10: choose another port\n");
	test_expect(TEST_HOP
	    "[tunnel a]\ntype = remote\nlisten = [::1]:80\nconnect = a:1\n"
	    "via = h\n"
	    "[tunnel b]\ntype = remote\nlisten = [::1]:80\nconnect = a:1\n"
	    "via = h\n",
	    "F:12: remote listen address [::1]:80 on hop h is already "
	    "requested by [tunnel a] at line 7: choose another port\n");
	/* The later remote clashes with the remote, not the local one. */
	test_expect(TEST_HOP
	    "[tunnel l]\nlisten = 80\nconnect = a:1\nvia = h\n"
	    "[tunnel a]\ntype = remote\nlisten = 80\nconnect = a:1\n"
	    "via = h\n"
	    "[tunnel b]\ntype = remote\nlisten = 80\nconnect = a:1\n"
	    "via = h\n",
	    "F:16: remote listen address 127.0.0.1:80 on hop h is already "
	    "requested by [tunnel a] at line 11: choose another port\n");

	/* Different hops; other hosts on one hop. */
	config_free(test_load_ok(TEST_HOP TEST_HOP_G
	    "[tunnel a]\ntype = remote\nlisten = 80\nconnect = a:1\n"
	    "via = h\n"
	    "[tunnel b]\ntype = remote\nlisten = 80\nconnect = a:1\n"
	    "via = g\n"
	    "[tunnel c]\ntype = remote\nlisten = 0.0.0.0:80\n"
	    "connect = a:1\nvia = h\n"));
	/* Local and remote on one address, either order, one hop. */
	config_free(test_load_ok(TEST_HOP
	    "[tunnel a]\nlisten = 80\nconnect = a:1\nvia = h\n"
	    "[tunnel b]\ntype = remote\nlisten = 127.0.0.1:80\n"
	    "connect = a:1\nvia = h\n"
	    "[tunnel c]\ntype = remote\nlisten = 81\nconnect = a:1\n"
	    "via = h\n"
	    "[tunnel d]\ntype = local\nlisten = 81\nconnect = a:1\n"
	    "via = h\n"));
	/* Port 0 twice on one hop: the server picks two ports. */
	config_free(test_load_ok(TEST_HOP
	    "[tunnel a]\ntype = remote\nlisten = 0\nconnect = a:1\n"
	    "via = h\n"
	    "[tunnel b]\ntype = remote\nlisten = 0\nconnect = a:1\n"
	    "via = h\n"));
	/* A bad type or via brings no clash on top. */
	test_expect(TEST_HOP
	    "[tunnel a]\nlisten = 80\nconnect = a:1\nvia = h\n"
	    "[tunnel b]\nlisten = 80\nconnect = a:1\nvia = h\n"
	    "type = lokal\n",
	    "F:13: unknown type 'lokal': expected local, remote or socks\n");
	test_expect(TEST_HOP
	    "[tunnel a]\ntype = remote\nlisten = 80\nconnect = a:1\n"
	    "via = h\n"
	    "[tunnel b]\ntype = remote\nlisten = 80\nconnect = a:1\n"
	    "via = nowhere\n",
	    "F:14: via 'nowhere' names no hop: add a [hop nowhere] section or "
	    "use one of h\n");
}

/* Remote tunnels listen on the hop's sshd; local is the default. */
static void
test_type(void **state)
{
	struct config		*config;
	struct config_tunnel	*t1, *t2, *t3;

	(void)state;
	config = test_load_ok(TEST_HOP
	    "[tunnel a]\nlisten = 8080\nconnect = web:80\nvia = h\n"
	    "type = remote\nrequired = no\n"
	    "[tunnel b]\ntype = local\nlisten = 8081\nconnect = web:80\n"
	    "via = h\n"
	    "[tunnel c]\ntype = remote\nlisten = [::1]:9000\n"
	    "connect = localhost:22\nvia = h\n");
	t1 = TAILQ_FIRST(&config->tunnels);
	t2 = TAILQ_NEXT(t1, entry);
	t3 = TAILQ_NEXT(t2, entry);
	assert_non_null(t3);
	assert_int_equal(t1->type, TUNNEL_REMOTE);
	assert_string_equal(t1->listen_host, "127.0.0.1");
	assert_int_equal(t1->listen_port, 8080);
	assert_string_equal(t1->connect_host, "web");
	assert_int_equal(t1->connect_port, 80);
	assert_int_equal(t1->required, 0);	/* accepted, no effect */
	assert_int_equal(t2->type, TUNNEL_LOCAL);
	assert_int_equal(t2->required, 1);
	assert_int_equal(t3->type, TUNNEL_REMOTE);
	assert_string_equal(t3->listen_host, "::1");
	assert_int_equal(t3->listen_port, 9000);
	assert_int_equal(t3->required, 1);
	config_free(config);

	test_expect(TEST_HOP "[tunnel t]\nlisten = 1\nconnect = a:1\n"
	    "via = h\ntype = Remote\n",
	    "F:9: unknown type 'Remote': expected local, remote or socks\n");
	test_expect(TEST_HOP "[tunnel t]\nlisten = 1\nconnect = a:1\n"
	    "via = h\ntype = reverse\n",
	    "F:9: unknown type 'reverse': expected local, remote or socks\n");
	test_expect(TEST_HOP "[tunnel t]\ntype = remote\ntype = local\n"
	    "listen = 1\nconnect = a:1\nvia = h\n",
	    "F:7: duplicate key 'type' in [tunnel t] (first at line 6): keep "
	    "only one\n");
	test_expect(TEST_HOP "[tunnel t]\nlisten = 1\nconnect = a:1\n"
	    "via = h\ntype =\n",
	    "F:9: empty value for 'type' in [tunnel t]: give a value or "
	    "remove the line\n");
}

/*
 * type = socks: an allow-list is required and parsed, connect is refused,
 * allow belongs to socks tunnels only, a bad entry is named with its line,
 * and a socks tunnel shares this machine's ports with local ones.
 */
static void
test_socks(void **state)
{
	struct config		*config;
	struct config_tunnel	*t;

	(void)state;
	config = test_load_ok(TEST_HOP
	    "[tunnel s]\ntype = socks\nlisten = 1080\nvia = h\n"
	    "allow = *.internal:5432, 10.0.0.0/8:443\n");
	t = TAILQ_FIRST(&config->tunnels);
	assert_int_equal(t->type, TUNNEL_SOCKS);
	assert_null(t->connect_host);
	assert_string_equal(t->allow, "*.internal:5432, 10.0.0.0/8:443");
	assert_non_null(t->allow_list);
	assert_int_equal(t->allow_list->nrules, 2);
	config_free(config);

	test_expect(TEST_HOP "[tunnel s]\ntype = socks\nlisten = 1080\n"
	    "via = h\n",
	    "F:5: [tunnel s] is a socks tunnel without an allow-list, which "
	    "would let any local program reach anything the hop reaches: add "
	    "'allow = HOST:PORT, ...' (patterns such as *.internal:5432, "
	    "blocks such as 10.0.0.0/8:443)\n");
	test_expect(TEST_HOP "[tunnel s]\ntype = socks\nlisten = 1080\n"
	    "via = h\nconnect = a:1\nallow = a:1\n",
	    "F:9: a socks tunnel takes each destination from its client: "
	    "remove connect and list the destinations in allow\n");
	test_expect(TEST_HOP "[tunnel s]\nlisten = 1080\nconnect = a:1\n"
	    "via = h\nallow = a:1\n",
	    "F:9: allow is for type = socks only: remove it, or set type = "
	    "socks and remove connect\n");
	test_expect(TEST_HOP "[tunnel s]\ntype = socks\nlisten = 1080\n"
	    "via = h\nallow = a:1, 10.0.0.1/8:443\n",
	    "F:9: bad allow: bad entry '10.0.0.1/8:443': address bits set "
	    "past the prefix length (write the block's first address) "
	    "(expected HOST:PORT entries separated by commas, e.g. 'allow = "
	    "*.internal:5432, 10.0.0.0/8:443, db-?.prod:8000-8099')\n");
	test_expect(TEST_HOP "[tunnel s]\ntype = socks\nlisten = 0\n"
	    "via = h\nallow = a:1\n",
	    "F:7: listen port 0 lets the server choose a port: only for "
	    "type = remote\n");
	test_expect(TEST_HOP "[tunnel a]\nlisten = 1080\nconnect = a:1\n"
	    "via = h\n[tunnel s]\ntype = socks\nlisten = 1080\n"
	    "via = h\nallow = a:1\n",
	    "F:11: listen address 127.0.0.1:1080 is already used by [tunnel a] "
	    "at line 6: choose another port\n");
}

/* Listen port 0 lets the hop's sshd choose: remote tunnels only. */
static void
test_listen_port_zero(void **state)
{
	struct config		*config;
	struct config_tunnel	*t1, *t2, *t3;

	(void)state;
	config = test_load_ok(TEST_HOP
	    "[tunnel a]\ntype = remote\nlisten = 0\nconnect = x:1\n"
	    "via = h\n"
	    "[tunnel b]\nlisten = 0.0.0.0:0\nconnect = x:1\nvia = h\n"
	    "type = remote\n"				/* after listen */
	    "[tunnel c]\nlisten = [::]:0\ntype = remote\nconnect = x:1\n"
	    "via = h\n");
	t1 = TAILQ_FIRST(&config->tunnels);
	t2 = TAILQ_NEXT(t1, entry);
	t3 = TAILQ_NEXT(t2, entry);
	assert_non_null(t3);
	assert_int_equal(t1->type, TUNNEL_REMOTE);
	assert_string_equal(t1->listen_host, "127.0.0.1");
	assert_int_equal(t1->listen_port, 0);
	assert_int_equal(t2->type, TUNNEL_REMOTE);
	assert_string_equal(t2->listen_host, "0.0.0.0");
	assert_int_equal(t2->listen_port, 0);
	assert_string_equal(t3->listen_host, "::");
	assert_int_equal(t3->listen_port, 0);
	config_free(config);

	/* Local, by default or said before or after: at the listen line. */
	test_expect(TEST_HOP "[tunnel t]\nlisten = 0\nconnect = x:1\n"
	    "via = h\n",
	    "F:6: listen port 0 lets the server choose a port: only for "
	    "type = remote\n");
	test_expect(TEST_HOP "[tunnel t]\ntype = local\nconnect = x:1\n"
	    "listen = 127.0.0.1:0\nvia = h\n",
	    "F:8: listen port 0 lets the server choose a port: only for "
	    "type = remote\n");
	test_expect(TEST_HOP "[tunnel t]\nconnect = x:1\nlisten = 0\n"
	    "via = h\ntype = local\n",
	    "F:7: listen port 0 lets the server choose a port: only for "
	    "type = remote\n");
	/* Two local tunnels on port 0: each refused, no clash reported. */
	test_expect(TEST_HOP
	    "[tunnel a]\nlisten = 0\nconnect = x:1\nvia = h\n"
	    "[tunnel b]\nlisten = 0\nconnect = x:1\nvia = h\n",
	    "F:6: listen port 0 lets the server choose a port: only for "
	    "type = remote\n"
	    "F:10: listen port 0 lets the server choose a port: only for "
	    "type = remote\n");
	/* A bad type is reported alone, not the port it would allow. */
	test_expect(TEST_HOP "[tunnel t]\nlisten = 0\nconnect = x:1\n"
	    "via = h\ntype = remot\n",
	    "F:9: unknown type 'remot': expected local, remote or socks\n");
	/* Other bad ports keep their message, whatever the type. */
	test_expect(TEST_HOP "[tunnel t]\ntype = remote\nlisten = 65536\n"
	    "connect = x:1\nvia = h\n",
	    "F:7: bad port '65536' in listen '65536': expected 1-65535\n");
	test_expect(TEST_HOP "[tunnel t]\ntype = remote\nlisten = h:\n"
	    "connect = x:1\nvia = h\n",
	    "F:7: bad port '' in listen 'h:': expected 1-65535\n");
	test_expect(TEST_HOP "[tunnel t]\ntype = remote\nlisten = 1\n"
	    "connect = x:0\nvia = h\n",
	    "F:8: bad port '0' in connect 'x:0': expected 1-65535\n");
}

/* What each host key policy needs. */
static void
test_policy_requirements(void **state)
{
	(void)state;
	test_expect("[hop h]\nhost = h.example.com\nport = 2222\nuser = u\n",
	    "F:1: [hop h] has host_key_policy strict but neither host_key nor "
	    "known_hosts: add the 'host_key = SHA256:...' line printed by "
	    "'jumpgate scan --pins h.example.com:2222', or set known_hosts\n");
	test_expect("[hop h]\nhost = h\nuser = u\nhost_key_policy = strict\n",
	    "F:1: [hop h] has host_key_policy strict but neither host_key nor "
	    "known_hosts: add the 'host_key = SHA256:...' line printed by "
	    "'jumpgate scan --pins h:22', or set known_hosts\n");
	test_expect("[hop h]\nhost = h\nuser = u\nhost_key_policy = tofu\n"
	    "host_key = " TEST_PIN "\n",
	    "F:1: [hop h] has host_key_policy tofu but no known_hosts: set "
	    "known_hosts to the file where the first key seen is recorded\n");
	config_free(test_load_ok("[hop h]\nhost = h\nuser = u\n"
	    "known_hosts = kh\n"));
	config_free(test_load_ok("[hop h]\nhost = h\nuser = u\n"
	    "known_hosts = kh\nhost_key_policy = tofu\n"));
	config_free(test_load_ok("[hop h]\nhost = h\nuser = u\n"
	    "host_key_policy = insecure\n"));
	test_expect("[hop h]\nhost = h\nuser = u\nhost_key = " TEST_PIN "\n"
	    "host_key_policy = insecure\n",
	    "F:5: [hop h] has host_key pins and host_key_policy insecure, "
	    "which would ignore them: remove the pins or the policy\n");
}

/* Build "identity = /x...x" padded to exactly LEN characters. */
static void
test_long_line(char *buf, size_t len)
{
	size_t	n;

	n = (size_t)snprintf(buf, len + 1, "identity = /");
	memset(buf + n, 'x', len - n);
	buf[len] = '\0';
}

/*
 * Lines longer than inih's buffer are reported, and their tails are not
 * read as lines of their own; lines up to the limit are read whole.
 */
static void
test_too_long(void **state)
{
	struct config	*config;
	char		 line[512], text[2048];

	(void)state;
	test_long_line(line, 198);
	snprintf(text, sizeof text, TEST_HOP "%s\n", line);
	config = test_load_ok(text);
	assert_string_equal(TAILQ_FIRST(&config->hops)->identity, line + 11);
	config_free(config);

	/* With CRLF the limit is the same. */
	snprintf(text, sizeof text, TEST_HOP "%s\r\n", line);
	config = test_load_ok(text);
	assert_string_equal(TAILQ_FIRST(&config->hops)->identity, line + 11);
	config_free(config);

	/* One more is too many. */
	test_long_line(line, 199);
	snprintf(text, sizeof text, TEST_HOP "%s\n", line);
	test_expect(text, "F:5: line too long (199 characters; at most 198)\n");

	/* The tail is not a line of its own; the lines after still count. */
	test_long_line(line, 260);
	memcpy(line + 220, " port = 1 ", 10);
	snprintf(text, sizeof text, TEST_HOP "%s\nport = 0\nuser = v\n", line);
	test_expect(text,
	    "F:5: line too long (260 characters; at most 198)\n"
	    "F:6: bad port '0': expected 1-65535\n"
	    "F:7: duplicate key 'user' in [hop h] (first at line 3): keep only "
	    "one\n");

	/* A lost section header: its keys are skipped, later ones are not. */
	test_long_line(line, 300);
	line[0] = '[';
	snprintf(text, sizeof text, "%s\nhost = h\n" TEST_HOP "bad = 1\n",
	    line);
	test_expect(text,
	    "F:1: line too long (300 characters; at most 198)\n"
	    "F:7: unknown key 'bad' in [hop h]: expected one of host, port, "
	    "user, identity, identity_passphrase_file, certificate, host_key, known_hosts, "
	    "host_key_policy, connect_timeout, socket_send_buffer, "
	    "keepalive_interval, keepalive_count_max, reconnect_min, "
	    "reconnect_max, lazy, idle_timeout, channels_per_session, via, kex, "
	    "host_key_algorithms, ciphers, macs, allow_ssh_rsa_sha1, "
	    "password_file, password_env, otp_command, otp_env\n");
}

/* A NUL byte cannot be handed to inih. */
static void
test_nul_byte(void **state)
{
	static const char	text[] = TEST_HOP "port = 2\0002\n";

	(void)state;
	test_expect_len(text, sizeof text - 1,
	    "F:5: line contains a NUL byte\n");
}

/* All problems of a file come out at once, in line order. */
static void
test_many_problems(void **state)
{
	(void)state;
	test_expect(
	    "stray = 1\n"				/* 1 */
	    "[jumpgate]\n"
	    "log_level = loud\n"			/* 3 */
	    "[tunnel t]\n"				/* 4: no connect */
	    "listen = 8080\n"
	    "via = nowhere\n"				/* 6 */
	    "[hop bastion]\n"				/* 7: strict, no pins */
	    "host = b.example.com\n"
	    "port = 2222\n"
	    "user = u\n"
	    "colour = blue\n"				/* 11 */
	    "port = 22\n"				/* 12 */
	    "[tunnel u]\n"
	    "listen = 127.0.0.1:8080\n"			/* 14 */
	    "connect = db:5432\n"
	    "via = bastion\n"
	    "[sidecar]\n"				/* 17 */
	    "anything = goes\n",
	    "F:1: key 'stray' outside any section: put it under [jumpgate], "
	    "[hop NAME] or [tunnel NAME]\n"
	    "F:3: unknown log_level 'loud': expected error, warn, info or "
	    "debug\n"
	    "F:4: missing required key 'connect' in [tunnel t]: add "
	    "'connect = HOST:PORT'\n"
	    "F:6: via 'nowhere' names no hop: add a [hop nowhere] section or "
	    "use one of bastion\n"
	    "F:7: [hop bastion] has host_key_policy strict but neither "
	    "host_key nor known_hosts: add the 'host_key = SHA256:...' line "
	    "printed by 'jumpgate scan --pins b.example.com:2222', or set "
	    "known_hosts\n"
	    "F:11: unknown key 'colour' in [hop bastion]: expected one of "
	    "host, port, user, identity, identity_passphrase_file, certificate, host_key, "
	    "known_hosts, host_key_policy, connect_timeout, "
	    "socket_send_buffer, keepalive_interval, keepalive_count_max, "
	    "reconnect_min, reconnect_max, lazy, idle_timeout, channels_per_session, via, kex, "
	    "host_key_algorithms, ciphers, macs, allow_ssh_rsa_sha1, "
	    "password_file, password_env, otp_command, otp_env\n"
	    "F:12: duplicate key 'port' in [hop bastion] (first at line 9): "
	    "keep only one\n"
	    "F:14: listen address 127.0.0.1:8080 is already used by [tunnel t] "
	    "at line 5: choose another port\n"
	    "F:17: unknown section [sidecar]: expected [jumpgate], [hop NAME] "
	    "or [tunnel NAME]\n");
}

/* Files that cannot be read: no line number, one error. */
static void
test_unreadable(void **state)
{
	struct config	*config;
	char		 path[PATH_MAX], *out;
	int		 nerrors;

	(void)state;
	test_abs("does-not-exist.ini", path);
	config = test_load_path(path, &nerrors, &out);
	assert_null(config);
	assert_int_equal(nerrors, 1);
	assert_string_equal(out, "F: cannot open: No such file or directory\n");
	free(out);

	config = test_load_path(test_dir, &nerrors, &out);
	assert_null(config);
	assert_int_equal(nerrors, 1);
	assert_string_equal(out, "F: cannot read: Is a directory\n");
	free(out);

	if (geteuid() == 0)
		return;		/* root reads anything */
	test_write(TEST_HOP, strlen(TEST_HOP), path);
	assert_int_equal(chmod(path, 0), 0);
	config = test_load_path(path, &nerrors, &out);
	assert_int_equal(unlink(path), 0);
	assert_null(config);
	assert_int_equal(nerrors, 1);
	assert_string_equal(out, "F: cannot open: Permission denied\n");
	free(out);
}

/* listen = unix:PATH and connect = unix:PATH, with mode and group. */
static void
test_unix_ends(void **state)
{
	struct config		*config, *other;
	struct config_tunnel	*t, *u;
	char			 buf[300];

	(void)state;
	config = test_load_ok(TEST_HOP
	    "[tunnel pg]\n"
	    "listen = unix:/run/user/1000/jumpgate/prod-pg/.s.PGSQL.5432\n"
	    "connect = unix:/var/run/postgresql/.s.PGSQL.5432\n"
	    "via = h\n"
	    "[tunnel grp]\n"
	    "listen = unix:/run/jg/grp.sock\n"
	    "listen_mode = 660\n"
	    "listen_group = 0\n"
	    "connect = db:5432\n"
	    "via = h\n"
	    "[tunnel tcp]\n"
	    "listen = 15432\n"
	    "connect = unix:/s\n"
	    "via = h\n");
	t = TAILQ_FIRST(&config->tunnels);
	assert_null(t->listen_host);
	assert_int_equal(t->listen_port, 0);
	assert_string_equal(t->listen_path,
	    "/run/user/1000/jumpgate/prod-pg/.s.PGSQL.5432");
	assert_int_equal(t->listen_mode, 0600);
	assert_int_equal(t->listen_group, -1);
	assert_null(t->connect_host);
	assert_string_equal(t->connect_path,
	    "/var/run/postgresql/.s.PGSQL.5432");
	assert_string_equal(config_endpoint_format(t->connect_host,
	    t->connect_port, t->connect_path, buf, sizeof buf),
	    "unix:/var/run/postgresql/.s.PGSQL.5432");
	t = TAILQ_NEXT(t, entry);
	assert_int_equal(t->listen_mode, 0660);
	assert_int_equal(t->listen_group, 0);
	assert_null(t->connect_path);
	assert_string_equal(config_endpoint_format(t->connect_host,
	    t->connect_port, t->connect_path, buf, sizeof buf), "db:5432");
	t = TAILQ_NEXT(t, entry);
	assert_null(t->listen_path);
	assert_string_equal(t->connect_path, "/s");

	/* Reload: same ends, same tunnel; another path, another tunnel. */
	other = test_load_ok(TEST_HOP
	    "[tunnel pg]\n"
	    "listen = unix:/run/user/1000/jumpgate/prod-pg/.s.PGSQL.5432\n"
	    "connect = unix:/var/run/postgresql/.s.PGSQL.5433\n"
	    "via = h\n"
	    "[tunnel grp]\n"
	    "listen = unix:/run/jg/grp.sock\n"
	    "listen_mode = 0660\n"
	    "listen_group = 0\n"
	    "connect = db:5432\n"
	    "via = h\n");
	t = TAILQ_FIRST(&config->tunnels);
	u = TAILQ_FIRST(&other->tunnels);
	assert_false(config_tunnel_equal(t, u));
	assert_true(config_tunnel_equal(TAILQ_NEXT(t, entry),
	    TAILQ_NEXT(u, entry)));
	config_free(other);
	config_free(config);
	assert_string_equal(config_endpoint_format("::1", 22, NULL, buf,
	    sizeof buf), "[::1]:22");
}

/* Bad socket settings: each reported at its line, with what to do. */
static void
test_unix_bad(void **state)
{
	static const struct {
		const char	*lines;
		const char	*error;
	} cases[] = {
		{ "listen = unix:\nconnect = a:1",
		  "F:6: bad listen socket 'unix:': no path after 'unix:'" },
		{ "listen = unix:s.sock\nconnect = a:1",
		  "F:6: bad listen socket 'unix:s.sock': the path must be "
		  "absolute (start with /)" },
		{ "listen = unix:/run/../etc/s\nconnect = a:1",
		  "F:6: bad listen socket 'unix:/run/../etc/s': the path has a "
		  "'.' or '..' component: write it without them" },
		{ "listen = unix:/run/jg/\nconnect = a:1",
		  "F:6: bad listen socket 'unix:/run/jg/': the path ends with "
		  "'/': name the socket file, not its directory" },
		{ "listen = unix:/run//s\nconnect = a:1",
		  "F:6: bad listen socket 'unix:/run//s': the path has an empty "
		  "component ('//')" },
		{ "listen = unix:/r/s\nlisten_mode = 0999\nconnect = a:1",
		  "F:7: bad listen_mode '0999': expected octal permission bits "
		  "such as 0600 (the default) or 0660, at most 0777" },
		{ "listen = unix:/r/s\nlisten_mode = 1777\nconnect = a:1",
		  "F:7: bad listen_mode '1777': expected octal permission bits "
		  "such as 0600 (the default) or 0660, at most 0777" },
		{ "listen = unix:/r/s\nlisten_mode = 0066\nconnect = a:1",
		  "F:7: listen_mode 0066 leaves the socket's owner without read "
		  "and write permission: nobody could use it as you; give the "
		  "owner rw (0600)" },
		{ "listen = unix:/r/s\nlisten_group = no-such-group-jg\n"
		  "connect = a:1",
		  "F:7: unknown group 'no-such-group-jg' in listen_group: "
		  "expected a group name or number of this machine (see getent "
		  "group)" },
		{ "listen = 1\nlisten_mode = 0600\nconnect = a:1",
		  "F:7: listen_mode applies only to a Unix socket listener "
		  "(listen = unix:PATH); remove it or listen on a socket" },
		{ "listen = 1\nlisten_group = 0\nconnect = a:1",
		  "F:7: listen_group applies only to a Unix socket listener "
		  "(listen = unix:PATH); remove it or listen on a socket" },
		{ "type = remote\nlisten = unix:/r/s\nconnect = a:1",
		  "F:7: listen = unix:PATH is for local and socks tunnels: a remote "
		  "forward listens on the hop's server, and jumpgate does not "
		  "ask it for a Unix socket; listen on [HOST:]PORT there "
		  "(connect may be unix:PATH)" },
	};
	char	text[1024], expected[1024], path[120];
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(text, sizeof text, TEST_HOP "[tunnel t]\n%s\nvia = h\n",
		    cases[i].lines);
		snprintf(expected, sizeof expected, "%s\n", cases[i].error);
		test_expect(text, expected);
	}
	/* 107 bytes fit in sockaddr_un with the NUL; 108 do not. */
	memset(path, 'a', sizeof path);
	path[0] = '/';
	path[107] = '\0';
	snprintf(text, sizeof text, TEST_HOP "[tunnel t]\nlisten = 1\n"
	    "connect = unix:%s\nvia = h\n", path);
	config_free(test_load_ok(text));
	path[107] = 'a';
	path[108] = '\0';
	snprintf(text, sizeof text, TEST_HOP "[tunnel t]\nlisten = 1\n"
	    "connect = unix:%s\nvia = h\n", path);
	snprintf(expected, sizeof expected, "F:7: bad connect socket "
	    "'unix:%s': the path is too long for a Unix socket (at most 107 "
	    "bytes): use a shorter directory\n", path);
	test_expect(text, expected);
	/* Two listeners on one socket. */
	test_expect(TEST_HOP "[tunnel a]\nlisten = unix:/r/s\nconnect = a:1\n"
	    "via = h\n[tunnel b]\nlisten = unix:/r/s\nconnect = a:1\n"
	    "via = h\n",
	    "F:10: listen socket unix:/r/s is already used by [tunnel a] at "
	    "line 6: choose another path\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example_parses),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_line_ends),
		cmocka_unit_test(test_empty_file),
		cmocka_unit_test(test_relative_config_path),
		cmocka_unit_test(test_global_keys),
		cmocka_unit_test(test_bad_global_keys),
		cmocka_unit_test(test_control_socket_length),
		cmocka_unit_test(test_reload_equal),
		cmocka_unit_test(test_reload_otp_env),
		cmocka_unit_test(test_policy_names),
		cmocka_unit_test(test_algorithms_ok),
		cmocka_unit_test(test_algorithms_refused),
		cmocka_unit_test(test_password_sources),
		cmocka_unit_test(test_otp_env),
		cmocka_unit_test(test_bad_sections),
		cmocka_unit_test(test_duplicate_sections),
		cmocka_unit_test(test_bad_keys),
		cmocka_unit_test(test_duplicate_and_empty),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_missing_required),
		cmocka_unit_test(test_bad_numbers_and_names),
		cmocka_unit_test(test_bad_hop_timers),
		cmocka_unit_test(test_reconnect_order),
		cmocka_unit_test(test_bad_addresses),
		cmocka_unit_test(test_bad_pins),
		cmocka_unit_test(test_via),
		cmocka_unit_test(test_chain),
		cmocka_unit_test(test_duplicate_listen),
		cmocka_unit_test(test_duplicate_remote_listen),
		cmocka_unit_test(test_type),
		cmocka_unit_test(test_socks),
		cmocka_unit_test(test_listen_port_zero),
		cmocka_unit_test(test_policy_requirements),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_many_problems),
		cmocka_unit_test(test_unreadable),
		cmocka_unit_test(test_unix_ends),
		cmocka_unit_test(test_unix_bad),
	};

	return cmocka_run_group_tests(tests, test_setup, test_teardown);
}

/*
 * Fuzz target for config_load: the input is the INI file. Besides the
 * sanitizers, it checks config_load's contract: NULL exactly when problems
 * were reported, one "PATH:LINE: message" line per problem in line order,
 * and a returned config whose every value is in range and resolved.
 * Relative paths in the input resolve against the scratch directory; the
 * loader must create nothing there (fuzz_file_check_alone).
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allow.h"
#include "config.h"
#include "fuzz_file.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Report a broken contract and stop: libFuzzer keeps the input. */
static void
fuzz_config_fail(const char *what)
{
	fprintf(stderr, "fuzz_config: %s\n", what);
	abort();
}

/* Tell whether PATH is absolute, as every path in a config must be. */
static int
fuzz_config_absolute(const char *path)
{
	return path == NULL || path[0] == '/';
}

/* Check the errors config_load wrote: NERRORS lines, in line order. */
static void
fuzz_config_check_errors(const char *buf, size_t len, int nerrors,
    int nlines)
{
	const char	*path = fuzz_file_path(), *line, *end;
	char		*cp;
	size_t		 plen = strlen(path);
	long		 number, last = 0;
	int		 n = 0;

	if (memchr(buf, '\0', len) != NULL)
		fuzz_config_fail("NUL in error output");
	for (line = buf; line < buf + len; line = end + 1) {
		if ((end = memchr(line, '\n', (size_t)(buf + len - line))) ==
		    NULL)
			fuzz_config_fail("error output does not end a line");
		n++;
		if ((size_t)(end - line) < plen + 2 ||
		    memcmp(line, path, plen) != 0 || line[plen] != ':')
			fuzz_config_fail("error line does not start PATH:");
		/* Every problem of a readable file is on one of its lines. */
		if (!isdigit((unsigned char)line[plen + 1]))
			fuzz_config_fail("error without a line number");
		number = strtol(line + plen + 1, &cp, 10);
		if (*cp != ':' || number < 1 || number > nlines)
			fuzz_config_fail("error line number out of range");
		if (number < last)
			fuzz_config_fail("errors out of line order");
		last = number;
		/* The fallback for a line inih refused that we did not see. */
		if (strncmp(cp, ": syntax error\n", 15) == 0)
			fuzz_config_fail("inih and the reader disagree");
	}
	if (n != nerrors)
		fuzz_config_fail("error count differs from lines written");
}

/* Check a hop of a valid config. */
static void
fuzz_config_check_hop(const struct config *config,
    const struct config_hop *hop)
{
	const struct config_hop	*h;
	int			 n;

	if (hop->name == NULL || hop->host == NULL || hop->user == NULL)
		fuzz_config_fail("hop without name, host or user");
	if (config_find_hop(config, hop->name) != hop)
		fuzz_config_fail("hop name not unique");
	if (hop->port < 1 || hop->port > 65535 ||
	    hop->connect_timeout < 1 || hop->connect_timeout > 3600 ||
	    hop->keepalive_interval < 0 || hop->keepalive_count_max < 1 ||
	    hop->reconnect_min < 1 ||
	    hop->reconnect_min > hop->reconnect_max ||
	    (hop->lazy != 0 && hop->lazy != 1) || hop->idle_timeout < 0 ||
	    (hop->socket_send_buffer != 0 &&
	    (hop->socket_send_buffer < CONFIG_MIN_SOCKET_BUFFER ||
	    hop->socket_send_buffer > CONFIG_MAX_SOCKET_BUFFER)))
		fuzz_config_fail("hop value out of range");
	if (!fuzz_config_absolute(hop->identity) ||
	    !fuzz_config_absolute(hop->identity_passphrase_file) ||
	    !fuzz_config_absolute(hop->known_hosts))
		fuzz_config_fail("relative path in a hop");
	if ((hop->pins == NULL) != (hop->npins == 0))
		fuzz_config_fail("pins and their count disagree");
	switch (hop->policy) {
	case HOSTKEY_POLICY_STRICT:
		if (hop->npins == 0 && hop->known_hosts == NULL)
			fuzz_config_fail("strict hop with nothing to check");
		break;
	case HOSTKEY_POLICY_TOFU:
		if (hop->known_hosts == NULL)
			fuzz_config_fail("tofu hop without known_hosts");
		break;
	case HOSTKEY_POLICY_INSECURE:
		if (hop->npins != 0)
			fuzz_config_fail("insecure hop with pins");
		break;
	default:
		fuzz_config_fail("unknown policy");
	}
	if ((hop->via == NULL) != (hop->via_hop == NULL) ||
	    (hop->via != NULL && strcmp(hop->via, hop->via_hop->name) != 0))
		fuzz_config_fail("hop via not resolved to its hop");
	if (hop->depth < 1 || hop->depth > CONFIG_MAX_CHAIN)
		fuzz_config_fail("chain depth out of range");
	for (h = hop, n = 1; h->via_hop != NULL; h = h->via_hop, n++) {
		if (n == hop->depth)
			fuzz_config_fail("chain longer than its depth");
	}
	if (n != hop->depth)
		fuzz_config_fail("chain shorter than its depth");
	if (!config_hop_equal(hop, hop))
		fuzz_config_fail("hop differs from itself");
}

/* Check a tunnel of a valid config. */
static void
fuzz_config_check_tunnel(const struct config *config,
    const struct config_tunnel *t)
{
	int	socks = t->type == TUNNEL_SOCKS;

	if (t->name == NULL || t->listen_host == NULL ||
	    (t->connect_host == NULL) != socks || t->via == NULL)
		fuzz_config_fail("tunnel without name, addresses or via");
	if (t->hop == NULL || config_find_hop(config, t->via) != t->hop)
		fuzz_config_fail("tunnel via not resolved to its hop");
	if (t->type != TUNNEL_LOCAL && t->type != TUNNEL_REMOTE && !socks)
		fuzz_config_fail("unknown tunnel type");
	/* A SOCKS tunnel has an allow-list, and only a SOCKS tunnel. */
	if ((t->allow_list != NULL) != socks || (t->allow != NULL) != socks ||
	    (socks && t->allow_list->nrules == 0))
		fuzz_config_fail("allow-list where it does not belong, or none");
	if (t->listen_port < (t->type == TUNNEL_REMOTE ? 0 : 1) ||
	    t->listen_port > 65535 || (!socks && (t->connect_port < 1 ||
	    t->connect_port > 65535)) || (t->required != 0 && t->required != 1))
		fuzz_config_fail("tunnel value out of range");
	if (!config_tunnel_equal(t, t))
		fuzz_config_fail("tunnel differs from itself");
}

/* Check a config that config_load accepted. */
static void
fuzz_config_check(const struct config *config)
{
	const struct config_hop		*hop;
	const struct config_tunnel	*t;

	if (strcmp(config->path, fuzz_file_path()) != 0 ||
	    config->dir == NULL || config->dir[0] != '/')
		fuzz_config_fail("config path or directory wrong");
	if ((int)config->log_level < LOG_LEVEL_ERROR ||
	    config->log_level > LOG_LEVEL_DEBUG ||
	    config->shutdown_timeout < 0 || config->shutdown_timeout > 3600)
		fuzz_config_fail("global value out of range");
	if (!fuzz_config_absolute(config->control_socket) ||
	    !fuzz_config_absolute(config->pidfile))
		fuzz_config_fail("relative global path");
	if (config->control_socket != NULL && strlen(config->control_socket) >
	    sizeof(((struct sockaddr_un *)NULL)->sun_path) - 1)
		fuzz_config_fail("control socket path too long");
	TAILQ_FOREACH(hop, &config->hops, entry)
		fuzz_config_check_hop(config, hop);
	TAILQ_FOREACH(t, &config->tunnels, entry)
		fuzz_config_check_tunnel(config, t);
}

/* Make the scratch file once. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_file_init("jumpgate.ini");
	return 0;
}

/* Load one input as a configuration file. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config	*config;
	FILE		*errors;
	char		*buf = NULL;
	size_t		 len = 0;
	int		 nerrors = -1;

	fuzz_file_write(data, size);
	if ((errors = open_memstream(&buf, &len)) == NULL)
		fuzz_config_fail("open_memstream failed");
	config = config_load(fuzz_file_path(), errors, &nerrors);
	if (fclose(errors) != 0)
		fuzz_config_fail("fclose of the error stream failed");

	if ((config == NULL) != (nerrors > 0))
		fuzz_config_fail("result and error count disagree");
	fuzz_config_check_errors(buf, len, nerrors,
	    fuzz_file_lines(data, size));
	if (config != NULL)
		fuzz_config_check(config);

	config_free(config);
	free(buf);
	fuzz_file_check_alone();
	return 0;
}

/* jumpgate: bastion-aware SSH tunnel manager. The command line. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


#include "config.h"
#include "control.h"
#include "hop.h"
#include "import.h"
#include "log.h"
#include "runtime.h"
#include "scan.h"
#include "vis.h"
#include "xmalloc.h"

/* Print usage and exit. */
static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr,
	    "usage: jumpgate check FILE            validate a configuration\n"
	    "       jumpgate run [-d] FILE         run it (-d: detach)\n"
	    "       jumpgate status [--json] FILE  show the running instance\n"
	    "       jumpgate reload FILE           make it reload FILE\n"
	    "       jumpgate scan [--hash] [--known-hosts | --pins] [--timeout S]\n"
	    "                     [--via HOP --config FILE] HOST[:PORT]...\n"
	    "                                      fetch and verify host keys\n"
	    "       jumpgate probe [--timeout S] [--via HOP --config FILE]\n"
	    "                      HOST[:PORT]     show the server's algorithms\n"
	    "       jumpgate import [--ssh-config FILE] [user@]HOST...\n"
	    "                                      an INI from ~/.ssh/config\n"
	    "       jumpgate version\n");
	exit(2);
}

/* jumpgate check FILE. */
static int
main_check(const char *path)
{
	struct config	*config;
	int		 nerrors = 0;

	if ((config = config_load(path, stderr, &nerrors)) == NULL) {
		fprintf(stderr, "%s: %d error%s\n", path, nerrors,
		    nerrors == 1 ? "" : "s");
		return 1;
	}
	printf("%s: OK\n", path);
	config_free(config);
	return 0;
}

/*
 * The control socket of the instance running PATH. A file that no longer
 * parses still names its instance: the default path derived from its name.
 */
static char *
main_control_path(const char *path)
{
	struct config	*config, stub;
	char		*socket;
	FILE		*devnull = fopen("/dev/null", "we");

	/* An expired certificate must not hide the instance. */
	config = config_load_flags(path, CONFIG_LOAD_NO_FILES, devnull, NULL);
	if (devnull != NULL)
		fclose(devnull);
	if (config == NULL) {
		memset(&stub, 0, sizeof stub);
		stub.path = (char *)path;
		return control_path(&stub);
	}
	socket = control_path(config);
	config_free(config);
	return socket;
}

/* jumpgate status / reload: ask the running instance. */
static int
main_ask(const char *path, const char *command)
{
	char	*socket, *cause, *reply = NULL, *shown;
	size_t	 len = 0;
	FILE	*out;
	int	 rc = 0;

	socket = main_control_path(path);
	if ((out = open_memstream(&reply, &len)) == NULL)
		fatal("out of memory");
	if (control_request(socket, command, out, &cause) != 0) {
		fclose(out);
		fprintf(stderr, "jumpgate: %s: %s\n", path, cause);
		free(cause);
		free(reply);
		free(socket);
		return 1;
	}
	fclose(out);
	/* The daemon's text is printed, never a control sequence in it. */
	shown = vis_dup(reply, len, VIS_NEWLINE | VIS_KEEP_BACKSLASH);
	fputs(shown, stdout);
	free(shown);
	/* A reload that kept the old configuration is a failure. */
	if (strstr(reply, "still running the previous configuration") ||
	    strncmp(reply, "error:", 6) == 0)
		rc = 1;
	free(reply);
	free(socket);
	return rc;
}

/* jumpgate scan / probe: parse the options and run. */
static int
main_scan(int argc, char **argv)
{
	struct scan_options	o;
	int			scan = strcmp(argv[0], "scan") == 0;

	signal(SIGPIPE, SIG_IGN);
	if (scan_parse_options(argc, argv, scan, &o) != 0)
		usage();
	return scan ? scan_main(&o) : probe_main(&o);
}

/* Print jumpgate's version and the libssh2 it runs on. */
static void
main_version(void)
{
	printf("jumpgate %s (libssh2 %s, %s%s%s, jumpgate patches %d)\n",
	    PACKAGE_VERSION, hop_library_version(), JUMPGATE_LIBSSH2_BUILD,
	    *JUMPGATE_LIBSSH2_DEBIAN != '\0' ? " Debian " : "",
	    JUMPGATE_LIBSSH2_DEBIAN, JUMPGATE_LIBSSH2_PATCHES);
}

/* Entry point: dispatch the command. */
int
main(int argc, char **argv)
{
	if (argc == 2 && (strcmp(argv[1], "version") == 0 ||
	    strcmp(argv[1], "--version") == 0)) {
		main_version();
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "check") == 0)
		return main_check(argv[2]);
	if (argc == 3 && strcmp(argv[1], "run") == 0)
		return runtime_run(argv[2], 0);
	if (argc == 4 && strcmp(argv[1], "run") == 0 &&
	    strcmp(argv[2], "-d") == 0)
		return runtime_run(argv[3], 1);
	if (argc == 3 && strcmp(argv[1], "status") == 0)
		return main_ask(argv[2], "status");
	if (argc == 4 && strcmp(argv[1], "status") == 0 &&
	    strcmp(argv[2], "--json") == 0)
		return main_ask(argv[3], "status json");
	if (argc == 3 && strcmp(argv[1], "reload") == 0)
		return main_ask(argv[2], "reload");
	if (argc >= 2 && strcmp(argv[1], "import") == 0)
		return import_main(argc - 1, argv + 1);
	if (argc >= 2 && (strcmp(argv[1], "scan") == 0 ||
	    strcmp(argv[1], "probe") == 0))
		return main_scan(argc - 1, argv + 1);
	usage();
}

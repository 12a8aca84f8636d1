/* jumpgate: bastion-aware SSH tunnel manager. The command line. */
#include <signal.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


#include "config.h"
#include "control.h"
#include "envname.h"
#include "hop.h"
#include "import.h"
#include "list.h"
#include "log.h"
#include "runtime.h"
#include "scan.h"
#include "stop.h"
#include "vis.h"
#include "xmalloc.h"

/* How a NAME is found, for the help of the commands that take one. */
#define MAIN_NAME_HELP \
	"NAME is an environment: NAME.ini in $XDG_CONFIG_HOME/jumpgate/\n" \
	"(default ~/.config/jumpgate/), else in /etc/jumpgate/.\n"

/* A command: its name, its synopsis, what it does, and more for help. */
struct main_command {
	const char	*name;
	const char	*synopsis;	/* the arguments */
	const char	*summary;
	const char	*help;
};

static const struct main_command main_commands[] = {
	{ "check", "NAME|FILE", "validate a configuration",
	  "Parse the file and check every setting; print 'FILE: OK', or every\n"
	  "problem as FILE:LINE: message. Exit 0 if it is valid, else 1.\n"
	  MAIN_NAME_HELP },
	{ "run", "[-d] NAME|FILE", "run it (-d: detach)",
	  "Open the hops and tunnels the file describes and serve them until\n"
	  "SIGTERM or SIGINT (or jumpgate stop); SIGHUP reloads the file. -d\n"
	  "detaches and logs to syslog. A file that is already running is\n"
	  "named with its pid.\n" MAIN_NAME_HELP },
	{ "status", "[--json | --watch] NAME|FILE", "show the running instance",
	  "Ask the instance running the file (through its control socket) for\n"
	  "the state of its hops and tunnels: a summary line and a table, or\n"
	  "JSON with --json. --watch asks again every second until\n"
	  "interrupted. Colour only on a terminal, and not when NO_COLOR is\n"
	  "set. If the file has errors now they are shown too: the instance\n"
	  "keeps what it loaded, and a reload would refuse the file.\n"
	  MAIN_NAME_HELP },
	{ "reload", "NAME|FILE", "make it reload the file",
	  "Make the instance running the file load it again, keeping what did\n"
	  "not change. Exit 0 if it reloaded; 1 with every FILE:LINE error if\n"
	  "the file is invalid (the previous configuration keeps running).\n"
	  MAIN_NAME_HELP },
	{ "stop", "NAME|FILE", "stop it gracefully and wait",
	  "Stop the instance running the file as SIGTERM does: no new\n"
	  "connections, live ones get shutdown_timeout to finish. Wait for it\n"
	  "to exit (up to shutdown_timeout + 5 s) and print 'stopped NAME (pid\n"
	  "N) after X s'. Exit 0 once it stopped, 3 if it was not running, 1\n"
	  "if it could not be stopped or is still running.\n" MAIN_NAME_HELP },
	{ "list", "[--json]", "show every running instance",
	  "Show every jumpgate of yours that is running, found through the\n"
	  "control sockets in $XDG_RUNTIME_DIR/jumpgate (or /run/jumpgate):\n"
	  "name, file, pid, uptime, hops ready/total, tunnels and connections;\n"
	  "a JSON array with --json. An instance whose file sets\n"
	  "control_socket elsewhere registers itself there.\n" },
	{ "scan", "[--hash] [--known-hosts | --pins] [--timeout S]\n"
	  "                     [--via HOP --config FILE] HOST[:PORT]...",
	  "fetch and verify host keys",
	  "Connect to each HOST, show its host keys' fingerprints and the\n"
	  "known_hosts lines (--known-hosts) or host_key pins (--pins) to\n"
	  "paste once you have verified them out of band.\n" },
	{ "probe", "[--timeout S] [--via HOP --config FILE]\n"
	  "                      HOST[:PORT]", "show the server's algorithms",
	  "Show what HOST offers and what a hop with default settings would\n"
	  "agree on, with advice when nothing is in common.\n" },
	{ "import", "[--ssh-config FILE] [user@]HOST...",
	  "an INI from ~/.ssh/config",
	  "Print on standard output a configuration for HOSTs of an OpenSSH\n"
	  "client configuration (~/.ssh/config then /etc/ssh/ssh_config, or\n"
	  "FILE alone): hops for ProxyJump chains, tunnels for forwards, and\n"
	  "a comment naming FILE:LINE for every line it could not map.\n" },
	{ "version", "", "show the version", "Print jumpgate's version and the "
	  "libssh2 it runs on.\n" },
	{ "help", "[COMMAND]", "show this, or more about COMMAND",
	  "Print the usage, or what COMMAND does.\n" },
	{ NULL, NULL, NULL, NULL }
};

/* Print the usage of every command to OUT. */
static void
main_usage(FILE *out)
{
	const struct main_command	*c;
	char				*line;

	for (c = main_commands; c->name != NULL; c++) {
		xasprintf(&line, "jumpgate %s%s%s", c->name,
		    *c->synopsis != '\0' ? " " : "", c->synopsis);
		/* A long synopsis has its summary on a line of its own. */
		if (strchr(line, '\n') != NULL || strlen(line) > 40)
			fprintf(out, "%s %s\n%48s%s\n", c == main_commands ?
			    "usage:" : "      ", line, "", c->summary);
		else
			fprintf(out, "%s %-40s %s\n", c == main_commands ?
			    "usage:" : "      ", line, c->summary);
		free(line);
	}
}

/* Find the command called NAME; NULL if there is none. */
static const struct main_command *
main_find(const char *name)
{
	const struct main_command	*c;

	for (c = main_commands; c->name != NULL; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

/* The longest word main_suggest compares. */
#define MAIN_SUGGEST_MAX	32

/* The edit distance (Levenshtein) between A and B, both short. */
static size_t
main_distance(const char *a, const char *b)
{
	size_t	row[MAIN_SUGGEST_MAX + 1], i, j, diagonal, above, best;
	size_t	la = strlen(a), lb = strlen(b);

	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		diagonal = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			above = row[j];
			best = diagonal + (a[i - 1] != b[j - 1]);
			if (above + 1 < best)
				best = above + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diagonal = above;
		}
	}
	return row[lb];
}

/* The word of WORDS (NULL-terminated) that WORD is probably a typo of. */
static const char *
main_suggest(const char *word, const char *const *words)
{
	size_t	i;

	if (strlen(word) > MAIN_SUGGEST_MAX)
		return NULL;
	for (i = 0; words[i] != NULL; i++)
		if (strlen(words[i]) <= MAIN_SUGGEST_MAX &&
		    main_distance(word, words[i]) <= 2)
			return words[i];
	return NULL;
}

/*
 * Say what was not understood (WHAT about WORD, from the command line:
 * escaped), then the usage of COMMAND (all of them if NULL); exit 2.
 */
static void __attribute__((noreturn))
main_misunderstood(const struct main_command *command, const char *what,
    const char *word, const char *suggestion)
{
	char	*shown = vis_dup(word, strlen(word), 0);

	fprintf(stderr, "jumpgate: %s%s%s '%s'", command != NULL ?
	    command->name : "", command != NULL ? ": " : "", what, shown);
	if (suggestion != NULL)
		fprintf(stderr, " (did you mean %s?)", suggestion);
	fputc('\n', stderr);
	free(shown);
	if (command != NULL)
		fprintf(stderr, "usage: jumpgate %s%s%s\n"
		    "(more: jumpgate help %s)\n", command->name,
		    *command->synopsis != '\0' ? " " : "", command->synopsis,
		    command->name);
	else
		main_usage(stderr);
	exit(2);
}

/* jumpgate help [COMMAND]: to stdout, exit 0. */
static int
main_help(int argc, char **argv)
{
	const struct main_command	*c;
	static const char *const	 names[] = { "check", "run", "status",
		"reload", "stop", "list", "scan", "probe", "import", "version",
		"help", NULL };

	if (argc > 2)
		main_misunderstood(main_find("help"), "unexpected argument",
		    argv[2], NULL);
	if (argc < 2) {
		main_usage(stdout);
		return 0;
	}
	if ((c = main_find(argv[1])) == NULL)
		main_misunderstood(main_find("help"), "unknown command",
		    argv[1], main_suggest(argv[1], names));
	printf("usage: jumpgate %s %s\n\n%s", c->name, c->synopsis, c->help);
	return 0;
}

/*
 * Parse the arguments of a command that takes OPTIONS (NULL-terminated;
 * each sets its bit in *FLAGS) and one NAME or FILE, into *FILE (FILE
 * NULL: the command takes none). --help or -h prints the command's help
 * and exits 0; anything else misunderstood exits 2 (main_misunderstood).
 */
static void
main_parse(int argc, char **argv, const char *const *options, int *flags,
    const char **file)
{
	const struct main_command	*c = main_find(argv[0]);
	const char			*given = NULL;
	int				 i, j, options_done = 0;

	*flags = 0;
	for (i = 1; i < argc; i++) {
		if (!options_done && strcmp(argv[i], "--") == 0) {
			options_done = 1;
			continue;
		}
		if (!options_done && argv[i][0] == '-' && argv[i][1] != '\0') {
			if (strcmp(argv[i], "--help") == 0 ||
			    strcmp(argv[i], "-h") == 0) {
				printf("usage: jumpgate %s %s\n\n%s", c->name,
				    c->synopsis, c->help);
				exit(0);
			}
			for (j = 0; options[j] != NULL; j++)
				if (strcmp(argv[i], options[j]) == 0)
					break;
			if (options[j] == NULL)
				main_misunderstood(c, "unknown option",
				    argv[i], main_suggest(argv[i], options));
			*flags |= 1 << j;
			continue;
		}
		if (given != NULL || file == NULL)
			main_misunderstood(c, "unexpected argument", argv[i],
			    NULL);
		given = argv[i];
	}
	if (file == NULL)
		return;
	if (given == NULL) {
		fprintf(stderr, "jumpgate: %s: NAME or FILE is missing\n"
		    "usage: jumpgate %s %s\n", c->name, c->name, c->synopsis);
		exit(2);
	}
	*file = given;
}

/* The NAME or FILE as typed, for advice ("start one with ..."). */
static const char *main_typed;

/*
 * The file that ARG, a NAME or a FILE given to COMMAND, stands for (see
 * envname.h; caller frees). A NAME that is not found exits 1, saying
 * where it was looked for; an invalid one exits 2.
 */
static char *
main_resolve(const char *command, const char *arg)
{
	char			*path, *cause;
	enum envname_result	 rc;

	main_typed = arg;
	rc = envname_resolve(arg, &path, &cause);
	if (rc == ENVNAME_PATH || rc == ENVNAME_FOUND)
		return path;
	fprintf(stderr, "jumpgate: %s: %s\n", command, cause);
	free(cause);
	if (rc == ENVNAME_INVALID) {
		fprintf(stderr, "usage: jumpgate %s %s\n(more: jumpgate help "
		    "%s)\n", command, main_find(command)->synopsis, command);
		exit(2);
	}
	exit(1);
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
 * parses still names its instance: its control_socket line if that one is
 * valid, else the default path derived from its name. Its errors (an
 * expired certificate is not one: files are not read) go to *ERRORS with
 * their count in *NERRORS.
 */
static char *
main_control_path(const char *path, char **errors, int *nerrors)
{
	struct config	*config, stub;
	char		*socket = NULL;
	size_t		 len = 0;
	FILE		*f;

	*errors = NULL;
	*nerrors = 0;
	if ((f = open_memstream(errors, &len)) == NULL)
		fatal("out of memory");
	config = config_load_for_control(path, f, nerrors, &socket);
	fclose(f);
	if (config != NULL) {
		socket = control_path(config);
		config_free(config);
	} else if (socket == NULL) {
		memset(&stub, 0, sizeof stub);
		stub.path = (char *)path;
		socket = control_path(&stub);
	}
	return socket;
}

/* Show the errors PATH has now (there are NERRORS) on stderr. */
static void
main_show_errors(const char *path, const char *errors, int nerrors,
    const char *why)
{
	fputs(errors, stderr);
	fprintf(stderr, "%s: %d error%s%s\n", path, nerrors,
	    nerrors == 1 ? "" : "s", why);
}

/* Set by SIGINT or SIGTERM during status --watch. */
static volatile sig_atomic_t main_interrupted;

/* SIGINT, SIGTERM: end status --watch. */
static void
main_interrupt(int sig)
{
	(void)sig;
	main_interrupted = 1;
}

/* Whether standard output is a terminal that wants colour (NO_COLOR). */
static int
main_colour(void)
{
	const char	*no_colour = getenv("NO_COLOR");

	return isatty(STDOUT_FILENO) &&
	    (no_colour == NULL || *no_colour == '\0');
}

/*
 * Print the body of a status reply, SHOWN (already escaped), to stdout;
 * with COLOUR, its summary line ("NAME: R/N hops ready, ...") is green when
 * every hop is ready, yellow when some are, red when none is.
 */
static void
main_print_status(const char *shown, int colour)
{
	const char	*colon, *end;
	unsigned long	 ready, total;
	const char	*sgr;

	end = strchr(shown, '\n');
	colon = strstr(shown, ": ");
	if (!colour || end == NULL || colon == NULL || colon > end ||
	    sscanf(colon, ": %lu/%lu hops ready,", &ready, &total) != 2) {
		fputs(shown, stdout);
		return;
	}
	sgr = ready == total ? "1;32" : ready > 0 ? "1;33" : "1;31";
	printf("\033[%sm%.*s\033[0m%s", sgr, (int)(end - shown), shown, end);
}

/*
 * Send COMMAND to the instance of PATH on SOCKET and print its reply (a
 * status with COLOUR, see main_print_status). NERRORS: the file's errors
 * now, already shown unless this is a reload (then ERRORS are shown if
 * the instance cannot be asked). Returns the exit status.
 */
static int
main_ask_once(const char *path, const char *socket, const char *command,
    int colour, const char *errors, int nerrors)
{
	char			*cause, *reply = NULL, *shown;
	size_t			 len = 0;
	FILE			*out;
	int			 reload = strcmp(command, "reload") == 0;
	enum control_result	 rc;

	if ((out = open_memstream(&reply, &len)) == NULL)
		fatal("out of memory");
	rc = control_request(socket, command, out, &cause);
	fclose(out);
	if (rc == CONTROL_NOBODY || rc == CONTROL_FAILED ||
	    rc == CONTROL_BADREPLY) {
		if (nerrors > 0 && reload)
			main_show_errors(path, errors, nerrors, "");
		fprintf(stderr, "jumpgate: %s: %s", path, cause);
		if (rc == CONTROL_NOBODY)
			fprintf(stderr, ": start one with 'jumpgate run -d "
			    "%s'%s", main_typed != NULL ? main_typed : path,
			    nerrors > 0 ? " once the errors above are fixed" :
			    "");
		fputc('\n', stderr);
		free(cause);
		free(reply);
		return 1;
	}
	/* The daemon's text is printed, never a control sequence in it. */
	shown = vis_dup(reply, len, VIS_NEWLINE | VIS_KEEP_BACKSLASH);
	if (strcmp(command, "status") == 0)
		main_print_status(shown, colour);
	else
		fputs(shown, stdout);
	fflush(stdout);
	free(shown);
	free(reply);
	return rc == CONTROL_OK ? 0 : 1;
}

/*
 * jumpgate status / reload: ask the running instance. With WATCH (status
 * only), ask again every second, the screen cleared on a terminal, until
 * SIGINT or SIGTERM; then exit 0.
 */
static int
main_ask(const char *path, const char *command, int watch)
{
	struct sigaction	 sa;
	struct timespec		 second = { 1, 0 };
	char			*socket, *errors;
	int			 nerrors, rc, colour = main_colour();
	int			 terminal = isatty(STDOUT_FILENO);

	socket = main_control_path(path, &errors, &nerrors);
	/* A reload reports the errors itself, as the instance sees them. */
	if (nerrors > 0 && strcmp(command, "reload") != 0)
		main_show_errors(path, errors, nerrors, " (the running "
		    "instance keeps the configuration it loaded; a reload "
		    "would refuse this file)");
	if (!watch) {
		rc = main_ask_once(path, socket, command, colour, errors,
		    nerrors);
		free(errors);
		free(socket);
		return rc;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = main_interrupt;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	while (!main_interrupted) {
		if (terminal)
			fputs("\033[H\033[2J", stdout);
		main_ask_once(path, socket, command, colour, errors, nerrors);
		if (!terminal)
			putchar('\n');
		fflush(stdout);
		/* A signal cuts the second short: nanosleep returns. */
		if (!main_interrupted)
			nanosleep(&second, NULL);
	}
	free(errors);
	free(socket);
	return 0;
}

/* jumpgate scan / probe: parse the options and run. */
static int
main_scan(int argc, char **argv)
{
	struct scan_options	o;
	int			scan = strcmp(argv[0], "scan") == 0;

	signal(SIGPIPE, SIG_IGN);
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)) {
		printf("usage: jumpgate %s %s\n\n%s", argv[0],
		    main_find(argv[0])->synopsis, main_find(argv[0])->help);
		return 0;
	}
	/* scan_parse_options said what it did not understand. */
	if (scan_parse_options(argc, argv, scan, &o) != 0) {
		fprintf(stderr, "usage: jumpgate %s %s\n(more: jumpgate help "
		    "%s)\n", argv[0], main_find(argv[0])->synopsis, argv[0]);
		exit(2);
	}
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
	static const char *const	 run_options[] = { "-d", NULL };
	static const char *const	 status_options[] = {
		"--json", "--watch", NULL
	};
	static const char *const	 no_options[] = { NULL };
	static const char *const	 list_options[] = { "--json", NULL };
	static const char *const	 names[] = { "check", "run", "status",
		"reload", "stop", "list", "scan", "probe", "import", "version",
		"help", NULL };
	const char			*file;
	char				*path, *socket, *errors;
	int				 flags, nerrors, rc;

	if (argc < 2) {
		fprintf(stderr, "jumpgate: a command is missing\n");
		main_usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)
		return main_help(argc - 1, argv + 1);
	if (strcmp(argv[1], "version") == 0 ||
	    strcmp(argv[1], "--version") == 0) {
		if (argc > 2)
			main_misunderstood(main_find("version"),
			    "unexpected argument", argv[2], NULL);
		main_version();
		return 0;
	}
	if (strcmp(argv[1], "check") == 0) {
		main_parse(argc - 1, argv + 1, no_options, &flags, &file);
		path = main_resolve(argv[1], file);
		rc = main_check(path);
		free(path);
		return rc;
	}
	if (strcmp(argv[1], "run") == 0) {
		main_parse(argc - 1, argv + 1, run_options, &flags, &file);
		path = main_resolve(argv[1], file);
		rc = runtime_run(path, flags & 1);
		free(path);
		return rc;
	}
	if (strcmp(argv[1], "stop") == 0) {
		main_parse(argc - 1, argv + 1, no_options, &flags, &file);
		path = main_resolve(argv[1], file);
		/* Errors in the file now do not matter to a stop. */
		socket = main_control_path(path, &errors, &nerrors);
		rc = stop_main(path, socket);
		free(errors);
		free(socket);
		free(path);
		return rc;
	}
	if (strcmp(argv[1], "list") == 0) {
		main_parse(argc - 1, argv + 1, list_options, &flags, NULL);
		return list_main(flags & 1);
	}
	if (strcmp(argv[1], "status") == 0) {
		main_parse(argc - 1, argv + 1, status_options, &flags, &file);
		if (flags == 3) {
			fprintf(stderr, "jumpgate: status: --json and --watch "
			    "do not go together: a script can ask every second "
			    "itself\nusage: jumpgate status [--json | --watch] "
			    "NAME|FILE\n");
			return 2;
		}
		path = main_resolve(argv[1], file);
		rc = main_ask(path, flags & 1 ? "status json" : "status",
		    flags & 2);
		free(path);
		return rc;
	}
	if (strcmp(argv[1], "reload") == 0) {
		main_parse(argc - 1, argv + 1, no_options, &flags, &file);
		path = main_resolve(argv[1], file);
		rc = main_ask(path, "reload", 0);
		free(path);
		return rc;
	}
	if (strcmp(argv[1], "scan") == 0 || strcmp(argv[1], "probe") == 0)
		return main_scan(argc - 1, argv + 1);
	if (strcmp(argv[1], "import") == 0)
		return import_main(argc - 1, argv + 1);
	main_misunderstood(NULL, argv[1][0] == '-' ? "unknown option" :
	    "unknown command", argv[1], main_suggest(argv[1], names));
}

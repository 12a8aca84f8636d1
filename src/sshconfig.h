/*
 * An OpenSSH client configuration (ssh_config(5)) read the way ssh(1)
 * reads it, for "jumpgate import": Include with globs (relative paths
 * under the include directory, ~/.ssh for a user's file), Host patterns
 * with '*', '?' and '!', the first value of a keyword winning, tokens
 * (%h, %p, %r, ...) expanded where ssh expands them. Match is not
 * evaluated (it may run commands): a Match line, and the lines of its
 * block, are reported instead of applied. Every line that applies to a
 * host and that jumpgate has no equivalent for is reported with its file
 * and line, so that nothing is dropped silently.
 *
 * The files are hostile input: at most SSHCONFIG_MAX_FILE_SIZE bytes
 * each and SSHCONFIG_MAX_TOTAL_SIZE in all, SSHCONFIG_MAX_FILES files,
 * Includes SSHCONFIG_MAX_DEPTH deep.
 */
#ifndef JUMPGATE_SSHCONFIG_H
#define JUMPGATE_SSHCONFIG_H
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#define SSHCONFIG_MAX_FILE_SIZE	(1024 * 1024)
#define SSHCONFIG_MAX_FILES	256
#define SSHCONFIG_MAX_TOTAL_SIZE (4 * 1024 * 1024)	/* all files */
#define SSHCONFIG_MAX_DEPTH	16

struct sshconfig;

/* Where a value came from: a file and line of the configuration. */
struct sshconfig_origin {
	const char	*file;		/* owned by the struct sshconfig */
	int		 line;
};

/* One value of a keyword, as written (quotes removed). */
struct sshconfig_value {
	char			*text;	/* NULL: not set */
	struct sshconfig_origin	 at;
};

/* The kinds of forward. */
enum sshconfig_fwd_kind {
	SSHCONFIG_FWD_LOCAL,
	SSHCONFIG_FWD_REMOTE,
	SSHCONFIG_FWD_DYNAMIC
};

/*
 * One end of a forward: a Unix socket PATH, or HOST (NULL: no address
 * given, ssh's default) and PORT. HOST "*" or "" means every interface.
 */
struct sshconfig_endpoint {
	char	*path;
	char	*host;
	int	 port;
};

/* A LocalForward, RemoteForward or DynamicForward line; listen.port -1:
 * the line had an error, already reported. */
struct sshconfig_fwd {
	enum sshconfig_fwd_kind		 kind;
	struct sshconfig_endpoint	 listen;
	struct sshconfig_endpoint	 connect;	/* not for dynamic */
	struct sshconfig_origin		 at;
};

/* A line that applies to a host but is not mapped, and why. */
struct sshconfig_note {
	struct sshconfig_origin	 at;
	char			*text;	/* the line as written */
	char			*why;
};

/*
 * What ssh would use for one host. Single values: the first one found.
 * Lists (identity files, forwards) in the order found.
 */
struct sshconfig_host {
	char			*alias;		/* the name asked for */
	struct sshconfig_value	 hostname;	/* tokens expanded */
	struct sshconfig_value	 user;
	struct sshconfig_value	 port;
	struct sshconfig_value	 proxy_jump;
	struct sshconfig_value	 proxy_command;	/* words joined by ' ' */
	struct sshconfig_value	 strict_host_key_checking;
	struct sshconfig_value	 connect_timeout;
	struct sshconfig_value	 server_alive_interval;
	struct sshconfig_value	 server_alive_count_max;
	/* The files of the first UserKnownHostsFile line, expanded. */
	struct sshconfig_value	*known_hosts;
	size_t			 nknown_hosts;
	struct sshconfig_value	*identity_files;	/* expanded */
	size_t			 nidentity_files;
	struct sshconfig_value	*certificate_files;	/* expanded */
	size_t			 ncertificate_files;
	struct sshconfig_fwd	*fwds;
	size_t			 nfwds;
	struct sshconfig_note	*notes;
	size_t			 nnotes;
};

/*
 * Values given on the command line of ssh, which win over the files, and
 * where the host was named (the command line, or a ProxyJump line): the
 * origin of these values and of a HostName that defaults to the alias.
 */
struct sshconfig_preset {
	const char		*user;		/* NULL: none */
	const char		*port;		/* NULL: none */
	const char		*proxy_jump;	/* NULL: none; "none" clears */
	struct sshconfig_origin	 at;		/* file NULL: "command line" */
};

/*
 * Read PATH and the files it includes; relative Include paths are taken
 * in INCLUDE_DIR. Errors (a file that cannot be read, an unterminated
 * quote, an Include too deep) are written to ERRORS as "FILE:LINE:
 * message" and counted in *NERRORS. Returns NULL if PATH itself cannot be
 * read.
 */
struct sshconfig *sshconfig_load(const char *path, const char *include_dir,
	    FILE *errors, int *nerrors);
void	 sshconfig_free(struct sshconfig *);
/* The file it was read from (not the ones it includes). */
const char *sshconfig_path(const struct sshconfig *);

/*
 * Resolve ALIAS (lower-cased first, as ssh does) with PRESET (may be
 * NULL) into *HOST, reading CONFIGS in order (ssh: the user's file, then
 * the system's; an entry may be NULL), with ssh's defaults for HostName, User and Port.
 * Bad values of the keywords that are mapped (a port that is not a
 * number, an unknown token) are errors written to ERRORS and counted.
 * Returns 0, or -1 if there was any. Free *HOST with sshconfig_host_free.
 */
int	 sshconfig_resolve(const struct sshconfig * const *configs,
	    size_t nconfigs, const char *alias,
	    const struct sshconfig_preset *preset, struct sshconfig_host *host,
	    FILE *errors, int *nerrors);
void	 sshconfig_host_free(struct sshconfig_host *);

/*
 * Write the error FMT to ERRORS as one line of printable text: "FILE:LINE:
 * message" (or "FILE: message" for line 0) at AT, "jumpgate import:
 * message" where AT or its file is NULL.
 */
void	 sshconfig_vreport(FILE *errors, const struct sshconfig_origin *at,
	    const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));

/*
 * Split LINE as ssh does into at most MAX words: white space separates,
 * double or single quotes group, an unquoted '#' at the start of a word
 * ends the line, and "Keyword=value" is "Keyword value". Returns the
 * number of words (caller frees each), or -1 for an unterminated quote or
 * too many words.
 */
int	 sshconfig_split(const char *line, char **words, int max);

/*
 * Whether NAME matches the ssh pattern PATTERN ('*' any run, '?' one
 * character).
 */
int	 sshconfig_match_pattern(const char *name, const char *pattern);

/*
 * Whether NAME matches a Host line's patterns: at least one matches and
 * no negated one ("!pattern") does.
 */
int	 sshconfig_match_host(const char *name, char * const *patterns,
	    int npatterns);

/*
 * Parse a LocalForward, RemoteForward (ARG2 not NULL) or DynamicForward
 * (ARG2 NULL) line's arguments into *FWD. Returns 0, or -1 with *WHY
 * (static text).
 */
int	 sshconfig_parse_fwd(enum sshconfig_fwd_kind kind, const char *arg1,
	    const char *arg2, struct sshconfig_fwd *fwd, const char **why);
void	 sshconfig_fwd_free(struct sshconfig_fwd *);
#endif

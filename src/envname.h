/*
 * Environments by name: "jumpgate run staging" runs staging.ini from the
 * user's configuration directory, $XDG_CONFIG_HOME/jumpgate/ (default
 * ~/.config/jumpgate/), or else from /etc/jumpgate/. An argument with a
 * '/', ending in .ini, or naming an existing file (not a directory: "dev"
 * may be one where jumpgate runs) is a path, as before.
 * A name is made of A-Z a-z 0-9 . _ - only, and does not start with '.'
 * or '-': it never walks out of those directories.
 */
#ifndef JUMPGATE_ENVNAME_H
#define JUMPGATE_ENVNAME_H

/* The longest environment name. */
#define ENVNAME_MAX	64

/* The system-wide directory of environments. */
#define ENVNAME_SYSTEM_DIR	"/etc/jumpgate"

/* What envname_resolve found. */
enum envname_result {
	ENVNAME_PATH = 0,	/* ARG is a path: *PATH is a copy */
	ENVNAME_FOUND = 1,	/* ARG is a name: *PATH is where it is */
	ENVNAME_MISSING = -1,	/* a valid name not found: *CAUSE says where */
	ENVNAME_INVALID = -2	/* neither a file nor a valid name: *CAUSE */
};

/* Whether NAME is a valid environment name. */
int	envname_valid(const char *name);
/*
 * The user's directory of environments ($XDG_CONFIG_HOME/jumpgate or
 * $HOME/.config/jumpgate; caller frees), or NULL if neither variable is
 * an absolute path.
 */
char	*envname_user_dir(void);
/*
 * Resolve ARG, a FILE or a NAME, as described above. Returns an enum
 * envname_result: *PATH (caller frees) for the first two, else *CAUSE
 * (caller frees, ARG escaped by vis in it).
 */
enum envname_result envname_resolve(const char *arg, char **path,
	    char **cause);

#endif

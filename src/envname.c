/* Environments by name: from "staging" to its .ini file; see envname.h. */
#include <sys/stat.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "envname.h"
#include "vis.h"
#include "xmalloc.h"

/* Whether NAME is a valid environment name. */
int
envname_valid(const char *name)
{
	size_t	i, len = strlen(name);

	if (len == 0 || len > ENVNAME_MAX || name[0] == '.' || name[0] == '-')
		return 0;
	for (i = 0; i < len; i++) {
		if ((name[i] >= 'a' && name[i] <= 'z') ||
		    (name[i] >= 'A' && name[i] <= 'Z') ||
		    (name[i] >= '0' && name[i] <= '9') ||
		    name[i] == '.' || name[i] == '_' || name[i] == '-')
			continue;
		return 0;
	}
	return 1;
}

/* The user's directory of environments, or NULL; see envname.h. */
char *
envname_user_dir(void)
{
	const char	*config = getenv("XDG_CONFIG_HOME");
	const char	*home = getenv("HOME");
	char		*dir;

	/* The XDG specification ignores a relative XDG_CONFIG_HOME. */
	if (config != NULL && config[0] == '/')
		xasprintf(&dir, "%s/jumpgate", config);
	else if (home != NULL && home[0] == '/')
		xasprintf(&dir, "%s/.config/jumpgate", home);
	else
		dir = NULL;
	return dir;
}

/* Whether ARG is meant as a path rather than a name. */
static int
envname_is_path(const char *arg)
{
	struct stat	sb;
	size_t		len = strlen(arg);

	if (strchr(arg, '/') != NULL)
		return 1;
	if (len >= 4 && strcmp(arg + len - 4, ".ini") == 0)
		return 1;
	/* A directory called like the environment ("dev") is not meant. */
	if (stat(arg, &sb) == 0)
		return !S_ISDIR(sb.st_mode);
	return errno != ENOENT;
}

/* Resolve a FILE or a NAME, see envname.h. */
enum envname_result
envname_resolve(const char *arg, char **path, char **cause)
{
	struct stat	 sb;
	char		*dirs[2], *candidate, *shown, *looked = NULL, *more;
	size_t		 i, nlooked = 0;

	*path = NULL;
	*cause = NULL;
	if (envname_is_path(arg)) {
		*path = xstrdup(arg);
		return ENVNAME_PATH;
	}
	if (!envname_valid(arg)) {
		shown = vis_str(arg);
		xasprintf(cause, "'%s' is neither a file nor an environment "
		    "name (a name has at most %d of A-Z a-z 0-9 . _ -, not "
		    "starting with '.' or '-')", shown, ENVNAME_MAX);
		free(shown);
		return ENVNAME_INVALID;
	}
	dirs[0] = envname_user_dir();
	dirs[1] = xstrdup(ENVNAME_SYSTEM_DIR);
	for (i = 0; i < 2; i++) {
		if (dirs[i] == NULL)
			continue;
		xasprintf(&candidate, "%s/%s.ini", dirs[i], arg);
		/* A link is fine here: config_load opens it as a path. */
		if (*path == NULL && stat(candidate, &sb) == 0) {
			*path = candidate;
			continue;
		}
		nlooked++;
		if (looked == NULL)
			looked = candidate;
		else {
			xasprintf(&more, "%s nor %s", looked, candidate);
			free(looked);
			free(candidate);
			looked = more;
		}
	}
	free(dirs[0]);
	free(dirs[1]);
	if (*path != NULL) {
		free(looked);
		return ENVNAME_FOUND;
	}
	xasprintf(cause, "no environment '%s': %s%s %s (create it, or give "
	    "the file's path)", arg, nlooked > 1 ? "neither " : "", looked,
	    nlooked > 1 ? "exists" : "does not exist");
	free(looked);
	return ENVNAME_MISSING;
}

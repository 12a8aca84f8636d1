/* Running instances, found and registered; see registry.h. */
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control.h"
#include "registry.h"
#include "safefile.h"
#include "xmalloc.h"

/* A registration file is at most this long (a path and a newline). */
#define REGISTRY_MAX_FILE	(PATH_MAX + 1)

struct registry {
	int	 dirfd;
	char	 leaf[32];	/* instance-PID */
};

/* Whether SOCKET's directory is DIR. */
static int
registry_same_dir(const char *socket, const char *dir)
{
	char	*copy = xstrdup(socket);
	int	 same = strcmp(dirname(copy), dir) == 0;

	free(copy);
	return same;
}

/* Register this process's control socket, see registry.h. */
struct registry *
registry_add(const char *socket, char **cause)
{
	struct registry	*reg;
	char		*dir = control_default_dir(), *line, *why = NULL;
	int		 dirfd;

	*cause = NULL;
	if (registry_same_dir(socket, dir)) {
		free(dir);
		return NULL;
	}
	if ((dirfd = control_open_dir(dir, 1, &why)) == -1) {
		xasprintf(cause, "cannot register control socket %s for "
		    "'jumpgate list': %s", socket, why);
		free(why);
		free(dir);
		return NULL;
	}
	reg = xcalloc(1, sizeof *reg);
	reg->dirfd = dirfd;
	snprintf(reg->leaf, sizeof reg->leaf, "instance-%ld", (long)getpid());
	xasprintf(&line, "%s\n", socket);
	if (safefile_replace(dirfd, reg->leaf, dir, line, strlen(line),
	    S_IRUSR|S_IWUSR, &why) != 0) {
		xasprintf(cause, "cannot register control socket %s for "
		    "'jumpgate list': %s", socket, why);
		free(why);
		close(dirfd);
		free(reg);
		reg = NULL;
	}
	free(line);
	free(dir);
	return reg;
}

/* Remove the registration. */
void
registry_remove(struct registry *reg)
{
	if (reg == NULL)
		return;
	unlinkat(reg->dirfd, reg->leaf, 0);
	close(reg->dirfd);
	free(reg);
}

/* The pid of registration file LEAF ("instance-PID"), or 0 if not one. */
static long
registry_pid(const char *leaf)
{
	const char	*p;
	long		 pid = 0;

	if (strncmp(leaf, "instance-", 9) != 0 || leaf[9] == '\0')
		return 0;
	for (p = leaf + 9; *p != '\0'; p++) {
		if (*p < '0' || *p > '9' || pid > INT_MAX / 10)
			return 0;
		pid = pid * 10 + (*p - '0');
	}
	return pid;
}

/*
 * Read registration LEAF of DIRFD (DIR) into *SOCKET: one absolute path
 * and a newline. Returns 0, or -1 if it is not such a file.
 */
static int
registry_read(int dirfd, const char *dir, const char *leaf, char **socket)
{
	struct stat	 sb;
	char		*buf, *cause = NULL;
	size_t		 len;

	*socket = NULL;
	if (fstatat(dirfd, leaf, &sb, AT_SYMLINK_NOFOLLOW) == -1 ||
	    !S_ISREG(sb.st_mode) || sb.st_uid != geteuid() ||
	    sb.st_size < 3 || sb.st_size > REGISTRY_MAX_FILE)
		return -1;
	if (safefile_read(dirfd, leaf, dir, &buf, &len, &cause) != 0) {
		free(cause);
		return -1;
	}
	if (buf == NULL || len < 3 || len > REGISTRY_MAX_FILE ||
	    buf[0] != '/' || buf[len - 1] != '\n' ||
	    memchr(buf, '\n', len - 1) != NULL ||
	    memchr(buf, '\0', len) != NULL) {
		free(buf);
		return -1;
	}
	*socket = xstrndup(buf, len - 1);
	free(buf);
	return 0;
}

/* Append a socket to the list. */
static void
registry_append(struct registry_socket **sockets, size_t *n, char *path,
    long pid)
{
	*sockets = xreallocarray(*sockets, *n + 1, sizeof **sockets);
	(*sockets)[*n].path = path;
	(*sockets)[(*n)++].pid = pid;
}

/* Every control socket of the directory, see registry.h. */
int
registry_list(struct registry_socket **sockets, size_t *n, char **cause)
{
	struct dirent	*de;
	struct stat	 sb;
	DIR		*d;
	char		*dir = control_default_dir(), *path, *why;
	size_t		 len, seen = 0;
	long		 pid;
	int		 dirfd, copy, pass;

	*sockets = NULL;
	*n = 0;
	*cause = NULL;
	/* Another user's directory (/run/jumpgate of the service user). */
	if (stat(dir, &sb) == 0 && sb.st_uid != geteuid()) {
		xasprintf(cause, "%s belongs to uid %ld, not to you (uid %ld): "
		    "the instances there are that user's; run jumpgate list "
		    "as that user, or set XDG_RUNTIME_DIR to your own "
		    "runtime directory", dir, (long)sb.st_uid, (long)geteuid());
		free(dir);
		return -1;
	}
	if ((dirfd = control_open_dir(dir, 0, &why)) == -1) {
		if (why != NULL)
			xasprintf(cause, "cannot look for instances: %s", why);
		free(why);
		free(dir);
		return *cause == NULL ? 0 : -1;
	}
	/* Sockets first, then registrations: the list reads in that order. */
	for (pass = 0; pass < 2; pass++) {
		if ((copy = dup(dirfd)) == -1 ||
		    lseek(copy, 0, SEEK_SET) == -1 ||
		    (d = fdopendir(copy)) == NULL) {
			xasprintf(cause, "%s: %s", dir, strerror(errno));
			if (copy != -1)
				close(copy);
			registry_free(*sockets, *n);
			*sockets = NULL;
			*n = 0;
			close(dirfd);
			free(dir);
			return -1;
		}
		rewinddir(d);
		while ((de = readdir(d)) != NULL &&
		    seen < 2 * REGISTRY_MAX_ENTRIES) {
			seen++;
			len = strlen(de->d_name);
			if (pass == 0 && len > 5 &&
			    strcmp(de->d_name + len - 5, ".sock") == 0 &&
			    fstatat(dirfd, de->d_name, &sb,
			    AT_SYMLINK_NOFOLLOW) == 0 && S_ISSOCK(sb.st_mode)) {
				xasprintf(&path, "%s/%s", dir, de->d_name);
				registry_append(sockets, n, path, 0);
			}
			if (pass == 1 && (pid = registry_pid(de->d_name)) > 0) {
				/* Its process is gone: forget it. */
				if (kill((pid_t)pid, 0) == -1 &&
				    errno == ESRCH) {
					unlinkat(dirfd, de->d_name, 0);
					continue;
				}
				if (registry_read(dirfd, dir, de->d_name,
				    &path) == 0)
					registry_append(sockets, n, path, pid);
			}
		}
		closedir(d);
	}
	close(dirfd);
	free(dir);
	return 0;
}

/* Remove the registration of PID. */
void
registry_forget(long pid)
{
	char	*dir = control_default_dir(), *why = NULL, leaf[32];
	int	 dirfd;

	if ((dirfd = control_open_dir(dir, 0, &why)) != -1) {
		snprintf(leaf, sizeof leaf, "instance-%ld", pid);
		unlinkat(dirfd, leaf, 0);
		close(dirfd);
	}
	free(why);
	free(dir);
}

/* Free what registry_list returned. */
void
registry_free(struct registry_socket *sockets, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(sockets[i].path);
	free(sockets);
}

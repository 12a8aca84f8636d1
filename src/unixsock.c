/* Unix-domain socket tunnel ends: path checks and safe listening sockets. */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "safefile.h"
#include "unixsock.h"
#include "xmalloc.h"

struct unixsock {
	char		*path;
	int		 dirfd;		/* the socket's directory */
	char		*leaf;		/* its name there */
	dev_t		 dev;		/* the socket file we created: */
	ino_t		 ino;		/* an inode number is soon reused, */
	struct timespec	 ctime;		/* its change time less so */
};

/* Tell whether VALUE starts with "unix:". */
int
unixsock_is_unix(const char *value)
{
	return strncmp(value, UNIXSOCK_PREFIX, strlen(UNIXSOCK_PREFIX)) == 0;
}

/* Say what is wrong with a socket path, see unixsock.h. */
const char *
unixsock_path_problem(const char *path)
{
	struct sockaddr_un	 sun;
	const char		*p, *next;
	size_t			 len;

	if (*path == '\0')
		return "no path after 'unix:'";
	if (*path != '/')
		return "the path must be absolute (start with /)";
	if (strlen(path) >= sizeof sun.sun_path)
		return "the path is too long for a Unix socket (at most 107 "
		    "bytes): use a shorter directory";
	for (p = path; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return "the path has a control character";
	}
	if (path[strlen(path) - 1] == '/')
		return "the path ends with '/': name the socket file, not its "
		    "directory";
	for (p = path + 1; *p != '\0'; p = next) {
		next = strchr(p, '/');
		len = next == NULL ? strlen(p) : (size_t)(next - p);
		if (len == 0)
			return "the path has an empty component ('//')";
		if ((len == 1 && p[0] == '.') ||
		    (len == 2 && p[0] == '.' && p[1] == '.'))
			return "the path has a '.' or '..' component: write it "
			    "without them";
		next = next == NULL ? p + len : next + 1;
	}
	return NULL;
}

/* Parse listen_mode, see unixsock.h. */
int
unixsock_parse_mode(const char *value)
{
	size_t	len = strlen(value);
	int	mode = 0;

	if (len == 0 || len > 4 || value[strspn(value, "01234567")] != '\0')
		return -1;
	if (len == 4 && value[0] != '0')
		return -1;
	for (; *value != '\0'; value++)
		mode = mode * 8 + (*value - '0');
	return mode > 0777 ? -1 : mode;
}

/*
 * Open the directory of socket PATH, creating it (mode 0700) if it is
 * missing: walked as safefile.h says, and it must be ours and writable by
 * us only. Returns its descriptor and *LEAF, or -1 with *CAUSE.
 */
static int
unixsock_open_dir(const char *path, char **leaf, char **cause)
{
	struct stat	 sb;
	char		*copy = xstrdup(path), *dir = dirname(copy);
	char		*dirleaf = NULL, *why = NULL, *copy2;
	int		 pfd = -1, fd = -1;

	if (strcmp(dir, "/") == 0) {
		xasprintf(cause, "socket %s: put it in a directory of its own, "
		    "mode 0700", path);
		goto out;
	}
	if ((pfd = safefile_open_dir(dir, SAFEFILE_FOLLOW_LEAF, &dirleaf,
	    &why)) == -1) {
		xasprintf(cause, "refusing socket directory %s: %s", dir, why);
		goto out;
	}
	if (mkdirat(pfd, dirleaf, 0700) == -1 && errno != EEXIST) {
		xasprintf(cause, "cannot create socket directory %s: %s (create "
		    "it: mkdir -p -m 700 %s)", dir, strerror(errno), dir);
		goto out;
	}
	if ((fd = openat(pfd, dirleaf, O_PATH|O_DIRECTORY|O_NOFOLLOW|
	    O_CLOEXEC)) == -1 || fstat(fd, &sb) == -1) {
		xasprintf(cause, "socket directory %s: %s", dir,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		fd = -1;
		goto out;
	}
	if (sb.st_uid != geteuid() || (sb.st_mode & (S_IWGRP|S_IWOTH))) {
		xasprintf(cause, "refusing socket directory %s: it is mode "
		    "%04o and belongs to uid %ld; it must belong to you (uid "
		    "%ld) and be writable by you only, or another user could "
		    "replace the socket: fix it (chown, chmod 700 %s) or use "
		    "a directory of your own", dir,
		    (unsigned)(sb.st_mode & 07777), (long)sb.st_uid,
		    (long)geteuid(), dir);
		close(fd);
		fd = -1;
		goto out;
	}
	copy2 = xstrdup(path);
	*leaf = xstrdup(basename(copy2));
	free(copy2);
out:
	if (pfd != -1)
		close(pfd);
	free(why);
	free(dirleaf);
	free(copy);
	return fd;
}

/*
 * Make room for the socket: nothing at LEAF, or a socket nobody answers on
 * (removed). Anything else is left alone. Returns 0, or -1 with *CAUSE.
 */
static int
unixsock_clear_stale(int dirfd, const char *leaf, const struct sockaddr_un *sun,
    char **cause)
{
	struct stat	sb;
	int		fd, rc, error;

	if (fstatat(dirfd, leaf, &sb, AT_SYMLINK_NOFOLLOW) == -1) {
		if (errno == ENOENT)
			return 0;
		xasprintf(cause, "%s: %s", sun->sun_path, strerror(errno));
		return -1;
	}
	if (!S_ISSOCK(sb.st_mode)) {
		xasprintf(cause, "%s exists and is not a socket: remove it or "
		    "choose another path", sun->sun_path);
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM|SOCK_NONBLOCK|SOCK_CLOEXEC,
	    0)) == -1) {
		xasprintf(cause, "socket: %s", strerror(errno));
		return -1;
	}
	rc = connect(fd, (const struct sockaddr *)sun, sizeof *sun);
	error = errno;
	close(fd);
	if (rc == 0 || error == EAGAIN || error == EINPROGRESS) {
		xasprintf(cause, "another program listens on %s: stop it or "
		    "choose another path", sun->sun_path);
		return -1;
	}
	if (error != ECONNREFUSED) {
		xasprintf(cause, "cannot tell whether %s is in use: %s; remove "
		    "it if it is stale", sun->sun_path, strerror(error));
		return -1;
	}
	if (unlinkat(dirfd, leaf, 0) == -1 && errno != ENOENT) {
		xasprintf(cause, "cannot remove stale socket %s: %s",
		    sun->sun_path, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Bind FD at SUN (LEAF in DIRFD) with MODE and GROUP: created with the
 * owner's bits only, then given its group, then its mode. Records the
 * file's identity in U. Returns 0, or -1 with *CAUSE.
 */
static int
unixsock_bind(struct unixsock *u, int fd, const struct sockaddr_un *sun,
    int mode, int group, char **cause)
{
	struct stat	sb;
	mode_t		mask;
	int		rc;

	mask = umask(0777 & ~(mode & 0700));
	rc = bind(fd, (const struct sockaddr *)sun, sizeof *sun);
	umask(mask);
	if (rc == -1) {
		xasprintf(cause, "cannot bind %s: %s", u->path,
		    strerror(errno));
		return -1;
	}
	u->ino = 1;	/* removable on failure from here */
	if (group != -1 && fchownat(u->dirfd, u->leaf, (uid_t)-1,
	    (gid_t)group, AT_SYMLINK_NOFOLLOW) == -1) {
		xasprintf(cause, "cannot give %s group %d: %s (listen_group "
		    "must be a group you are a member of)", u->path, group,
		    strerror(errno));
		return -1;
	}
	if (fchmodat(u->dirfd, u->leaf, (mode_t)mode, 0) == -1) {
		xasprintf(cause, "cannot set mode %04o on %s: %s", mode,
		    u->path, strerror(errno));
		return -1;
	}
	if (fstatat(u->dirfd, u->leaf, &sb, AT_SYMLINK_NOFOLLOW) == -1 ||
	    !S_ISSOCK(sb.st_mode)) {
		xasprintf(cause, "%s vanished after bind", u->path);
		return -1;
	}
	u->dev = sb.st_dev;
	u->ino = sb.st_ino;
	u->ctime = sb.st_ctim;
	return 0;
}

/* Create the listening socket, see unixsock.h. */
struct unixsock *
unixsock_listen(const char *path, int mode, int group, int backlog, int *fdp,
    char **cause)
{
	struct unixsock		*u;
	struct sockaddr_un	 sun;
	const char		*problem;
	int			 fd = -1;

	if ((problem = unixsock_path_problem(path)) != NULL) {
		xasprintf(cause, "socket %s: %s", path, problem);
		return NULL;
	}
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);

	u = xcalloc(1, sizeof *u);
	u->path = xstrdup(path);
	u->dirfd = -1;
	if ((u->dirfd = unixsock_open_dir(path, &u->leaf, cause)) == -1)
		goto fail;
	if (unixsock_clear_stale(u->dirfd, u->leaf, &sun, cause) == -1)
		goto fail;
	if ((fd = socket(AF_UNIX, SOCK_STREAM|SOCK_NONBLOCK|SOCK_CLOEXEC,
	    0)) == -1) {
		xasprintf(cause, "socket: %s", strerror(errno));
		goto fail;
	}
	if (unixsock_bind(u, fd, &sun, mode, group, cause) == -1)
		goto fail;
	if (listen(fd, backlog) == -1) {
		xasprintf(cause, "cannot listen on %s: %s", path,
		    strerror(errno));
		goto fail;
	}
	*fdp = fd;
	return u;

fail:
	if (fd != -1)
		close(fd);
	if (u->ino != 0)
		unlinkat(u->dirfd, u->leaf, 0);
	u->ino = 0;
	unixsock_remove(u);
	return NULL;
}

/* Remove the socket file if it is still the one we made, and free. */
void
unixsock_remove(struct unixsock *u)
{
	struct stat	sb;

	if (u == NULL)
		return;
	if (u->dirfd != -1 && u->ino != 0 &&
	    fstatat(u->dirfd, u->leaf, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISSOCK(sb.st_mode) && sb.st_dev == u->dev &&
	    sb.st_ino == u->ino && sb.st_ctim.tv_sec == u->ctime.tv_sec &&
	    sb.st_ctim.tv_nsec == u->ctime.tv_nsec)
		unlinkat(u->dirfd, u->leaf, 0);
	if (u->dirfd != -1)
		close(u->dirfd);
	free(u->leaf);
	free(u->path);
	free(u);
}

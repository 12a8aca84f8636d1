/* Files and directories that other local users cannot redirect. */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "safefile.h"
#include "xmalloc.h"

/* Symbolic links followed in one walk, as the kernel's MAXSYMLINKS. */
#define SAFEFILE_MAX_LINKS	40
/* Names tried for a temporary file before giving up. */
#define SAFEFILE_TMP_TRIES	100

/* Describe the owner UID as "uid N (name)" into BUF. */
static const char *
safefile_owner(uid_t uid, char *buf, size_t len)
{
	struct passwd	*pw;

	if ((pw = getpwuid(uid)) != NULL)
		snprintf(buf, len, "uid %ld (%s)", (long)uid, pw->pw_name);
	else
		snprintf(buf, len, "uid %ld", (long)uid);
	return buf;
}

/* Tell whether UID is ours or root's. */
static int
safefile_trusted_uid(uid_t uid)
{
	return uid == geteuid() || uid == 0;
}

/* Tell whether a directory's mode lets group or others write it. */
static int
safefile_shared(const struct stat *sb)
{
	return (sb->st_mode & (S_IWGRP|S_IWOTH)) != 0;
}

/*
 * A directory may hold what we use if we or root own it and no other user
 * can write it, or if it is sticky (like /tmp). Returns 0 or -1 with *CAUSE.
 */
static int
safefile_dir_ok(const struct stat *sb, const char *where, char **cause)
{
	char	owner[64], me[96];

	if (!safefile_trusted_uid(sb->st_uid)) {
		if (geteuid() == 0)
			snprintf(me, sizeof me, "root");
		else {
			safefile_owner(geteuid(), owner, sizeof owner);
			snprintf(me, sizeof me, "you (%s) or root", owner);
		}
		xasprintf(cause, "%s belongs to %s, not to %s: its owner can "
		    "replace anything in it; use a directory of your own", where,
		    safefile_owner(sb->st_uid, owner, sizeof owner), me);
		return -1;
	}
	if (safefile_shared(sb) && (sb->st_mode & S_ISVTX) == 0) {
		xasprintf(cause, "%s is mode %04o: other users can replace "
		    "anything in it; make it writable by its owner only "
		    "(chmod go-w %s) or use a directory only you can write",
		    where, (unsigned)(sb->st_mode & 07777), where);
		return -1;
	}
	return 0;
}

/*
 * In a directory other users can write (sticky, or safefile_dir_ok would
 * have refused it), use only entries of ours or root's: anything else was
 * put there by another user. Returns 0 or -1 with *CAUSE.
 */
static int
safefile_entry_ok(const struct stat *dsb, const char *dir,
    const struct stat *sb, const char *where, char **cause)
{
	char	owner[64];

	if (!safefile_shared(dsb) || safefile_trusted_uid(sb->st_uid))
		return 0;
	xasprintf(cause, "%s is a %s of %s in %s (mode %04o), which other "
	    "users can write: refusing to use it; remove it, or use a "
	    "directory only you can write", where,
	    S_ISLNK(sb->st_mode) ? "symbolic link" : "file",
	    safefile_owner(sb->st_uid, owner, sizeof owner), dir,
	    (unsigned)(dsb->st_mode & 07777));
	return -1;
}

/* Append component NAME to the path WHERE (for messages). */
static void
safefile_where_add(char **where, const char *name)
{
	char	*next;
	size_t	 len = strlen(*where);

	xasprintf(&next, "%s%s%s", *where,
	    len > 0 && (*where)[len - 1] == '/' ? "" : "/", name);
	free(*where);
	*where = next;
}

/* Open the directory a walk starts from ("/" or "."). */
static int
safefile_start(const char *path, struct stat *sb, char **where,
    char **cause)
{
	const char	*start = *path == '/' ? "/" : ".";
	int		 fd;

	free(*where);
	*where = xstrdup(start);
	if ((fd = open(start, O_PATH|O_DIRECTORY|O_CLOEXEC)) == -1 ||
	    fstat(fd, sb) == -1) {
		xasprintf(cause, "%s: %s", start, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	return fd;
}

/* Walk PATH to the directory of its last component, see safefile.h. */
int
safefile_open_dir(const char *path, int flags, char **leaf, char **cause)
{
	struct stat	 dsb, sb, nsb;
	char		*rest, *p, *name, *slash, *where = NULL, *dirname = NULL;
	char		 target[PATH_MAX], *next;
	ssize_t		 n;
	int		 dfd, fd, links = 0, last;

	*leaf = NULL;
	if (*path == '\0') {
		xasprintf(cause, "empty path");
		return -1;
	}
	rest = xstrdup(path);
	if ((dfd = safefile_start(rest, &dsb, &where, cause)) == -1)
		goto fail;
	p = rest;
	for (;;) {
		while (*p == '/')
			p++;
		if (*p == '\0') {
			xasprintf(cause, "%s names a directory, not a file", path);
			goto fail;
		}
		name = p;
		if ((slash = strchr(p, '/')) != NULL) {
			*slash = '\0';
			p = slash + 1;
			while (*p == '/')
				p++;
		} else
			p += strlen(p);
		last = *p == '\0';

		free(dirname);
		dirname = xstrdup(where);
		if (safefile_dir_ok(&dsb, where, cause) != 0)
			goto fail;
		safefile_where_add(&where, name);
		if (fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW) == -1) {
			if (errno == ENOENT && last)
				break;
			xasprintf(cause, "%s: %s", where, strerror(errno));
			goto fail;
		}
		if (strcmp(name, "..") != 0 &&
		    safefile_entry_ok(&dsb, dirname, &sb, where, cause) != 0)
			goto fail;
		if (S_ISLNK(sb.st_mode) && (!last ||
		    (flags & SAFEFILE_FOLLOW_LEAF))) {
			if (++links > SAFEFILE_MAX_LINKS) {
				xasprintf(cause, "%s: too many levels of "
				    "symbolic links", path);
				goto fail;
			}
			n = readlinkat(dfd, name, target, sizeof target - 1);
			if (n <= 0) {
				xasprintf(cause, "%s: %s", where, n == 0 ?
				    "empty symbolic link" : strerror(errno));
				goto fail;
			}
			target[n] = '\0';
			xasprintf(&next, "%s%s%s", target, last ? "" : "/", p);
			free(rest);
			rest = p = next;
			free(where);
			where = xstrdup(dirname);
			if (*target == '/') {
				close(dfd);
				if ((dfd = safefile_start(rest, &dsb, &where,
				    cause)) == -1)
					goto fail;
			}
			continue;
		}
		if (last)
			break;
		/* O_PATH: a directory we may search but not read is fine. */
		fd = openat(dfd, name, O_PATH|O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC);
		if (fd == -1 || fstat(fd, &nsb) == -1) {
			xasprintf(cause, "%s: %s", where, strerror(errno));
			if (fd != -1)
				close(fd);
			goto fail;
		}
		if (nsb.st_dev != sb.st_dev || nsb.st_ino != sb.st_ino) {
			xasprintf(cause, "%s changed while it was opened",
			    where);
			close(fd);
			goto fail;
		}
		close(dfd);
		dfd = fd;
		dsb = nsb;
	}
	*leaf = xstrdup(name);
	free(rest);
	free(where);
	free(dirname);
	return dfd;

fail:
	if (dfd != -1)
		close(dfd);
	free(rest);
	free(where);
	free(dirname);
	return -1;
}

/* Check that LEAF may be replaced, see safefile.h. */
int
safefile_check_file(int dirfd, const char *leaf, const char *path,
    char **cause)
{
	struct stat	sb;

	if (fstatat(dirfd, leaf, &sb, AT_SYMLINK_NOFOLLOW) == -1) {
		if (errno == ENOENT)
			return 0;
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (S_ISLNK(sb.st_mode)) {
		xasprintf(cause, "%s is a symbolic link, and jumpgate does not "
		    "write through one here: remove it, or name the file it "
		    "points to", path);
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		xasprintf(cause, "%s is not a regular file", path);
		return -1;
	}
	if ((sb.st_mode & (S_IWGRP|S_IWOTH)) != 0) {
		xasprintf(cause, "%s is mode %04o: other users can write it; "
		    "check what it holds, then chmod go-w %s", path,
		    (unsigned)(sb.st_mode & 07777), path);
		return -1;
	}
	return 1;
}

/* Read all of LEAF without following a link, see safefile.h. */
int
safefile_read(int dirfd, const char *leaf, const char *path, char **buf,
    size_t *len, char **cause)
{
	char	*data = NULL;
	size_t	 used = 0, size = 0;
	ssize_t	 n;
	int	 fd;

	*buf = NULL;
	*len = 0;
	fd = openat(dirfd, leaf, O_RDONLY|O_NOFOLLOW|O_NONBLOCK|O_CLOEXEC);
	if (fd == -1) {
		if (errno == ENOENT)
			return 0;
		xasprintf(cause, "%s: %s", path, errno == ELOOP ?
		    "is a symbolic link (replaced while it was checked?)" :
		    strerror(errno));
		return -1;
	}
	for (;;) {
		if (used == size) {
			size = size == 0 ? 8192 : size * 2;
			data = xreallocarray(data, 1, size);
		}
		n = read(fd, data + used, size - used);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			xasprintf(cause, "%s: %s", path, strerror(errno));
			free(data);
			close(fd);
			return -1;
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	close(fd);
	*buf = data;
	*len = used;
	return 0;
}

/* Write all LEN bytes of BUF to FD; returns 0, or -1 with errno set. */
static int
safefile_write_all(int fd, const char *buf, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Create LEAF.XXXXXX in DIRFD with O_EXCL; sets *TMP (caller frees). */
static int
safefile_mktemp(int dirfd, const char *leaf, char **tmp)
{
	static const char	 chars[] = "abcdefghijklmnopqrstuvwxyz"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	unsigned char		 rnd[6];
	char			 suffix[sizeof rnd + 1];
	size_t			 i;
	int			 fd, try;

	for (try = 0; try < SAFEFILE_TMP_TRIES; try++) {
		if (RAND_bytes(rnd, sizeof rnd) != 1) {
			errno = EIO;
			return -1;
		}
		for (i = 0; i < sizeof rnd; i++)
			suffix[i] = chars[rnd[i] % (sizeof chars - 1)];
		suffix[sizeof rnd] = '\0';
		xasprintf(tmp, "%s.%s", leaf, suffix);
		fd = openat(dirfd, *tmp, O_WRONLY|O_CREAT|O_EXCL|O_NOFOLLOW|
		    O_CLOEXEC, S_IRUSR|S_IWUSR);
		if (fd != -1)
			return fd;
		free(*tmp);
		*tmp = NULL;
		if (errno != EEXIST)
			return -1;
	}
	errno = EEXIST;
	return -1;
}

/* Replace LEAF through a temporary file and renameat, see safefile.h. */
int
safefile_replace(int dirfd, const char *leaf, const char *path,
    const void *buf, size_t len, mode_t mode, char **cause)
{
	char	*tmp = NULL;
	int	 fd, rv = -1;

	if ((fd = safefile_mktemp(dirfd, leaf, &tmp)) == -1) {
		xasprintf(cause, "cannot create a temporary file next to %s: "
		    "%s", path, strerror(errno));
		return -1;
	}
	if (fchmod(fd, mode) == -1 || safefile_write_all(fd, buf, len) == -1 ||
	    fsync(fd) == -1) {
		xasprintf(cause, "%s.%s: %s", path, tmp + strlen(leaf) + 1,
		    strerror(errno));
		close(fd);
		goto out;
	}
	if (close(fd) == -1) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (renameat(dirfd, tmp, dirfd, leaf) == -1) {
		xasprintf(cause, "cannot replace %s: %s", path, strerror(errno));
		goto out;
	}
	free(tmp);
	tmp = NULL;
	/* Make the rename durable; a directory we cannot read is left. */
	if ((fd = openat(dirfd, ".", O_RDONLY|O_DIRECTORY|O_CLOEXEC)) != -1) {
		if (fsync(fd) == -1) {
			xasprintf(cause, "%s: fsync of its directory: %s", path,
			    strerror(errno));
			close(fd);
			goto out;
		}
		close(fd);
	} else if (errno != EACCES) {
		xasprintf(cause, "%s: its directory: %s", path, strerror(errno));
		goto out;
	}
	rv = 0;
out:
	if (tmp != NULL) {
		unlinkat(dirfd, tmp, 0);
		free(tmp);
	}
	return rv;
}

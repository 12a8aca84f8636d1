/*
 * Files jumpgate writes (tofu known_hosts, the pidfile) and the control
 * socket's directory, reached without trusting what another local user
 * can change: every component of the path is opened relative to the one
 * before it (openat, O_NOFOLLOW), and a directory is used only if it
 * belongs to us or root and no other user can write it, or, like /tmp, is
 * sticky: then an entry in it must belong to us or root too. A symbolic
 * link is followed only where it passes the same test, so a link planted
 * by another user is refused, never followed. Files are replaced, never
 * written in place: a temporary file created O_EXCL next to the target,
 * then renameat(2), which replaces a directory entry and follows nothing.
 */
#ifndef JUMPGATE_SAFEFILE_H
#define JUMPGATE_SAFEFILE_H

#include <sys/types.h>

#include <stddef.h>

/* safefile_open_dir: follow a symbolic link in the last component too. */
#define SAFEFILE_FOLLOW_LEAF	0x1

/*
 * Walk PATH as described above and open the directory that holds its last
 * component. Returns the directory's descriptor (O_PATH, O_CLOEXEC: for
 * the *at calls; a directory we may search but not read will do) and sets
 * *LEAF to the last component's name in it (after the links followed;
 * caller frees), which may not exist. Returns -1 with *CAUSE (caller frees) if a
 * component is missing or unsafe: the message names the path, its mode
 * and owner, and what to do.
 */
int	safefile_open_dir(const char *path, int flags, char **leaf,
	    char **cause);

/*
 * Check that the entry LEAF of directory DIRFD, if it exists, may be
 * replaced: a regular file, not writable by group or others. PATH names it
 * in messages. Returns 1 if it exists, 0 if not, -1 with *CAUSE.
 */
int	safefile_check_file(int dirfd, const char *leaf, const char *path,
	    char **cause);

/*
 * Read all of LEAF in DIRFD without following a link. A missing file reads
 * as empty (*BUF NULL). Returns 0, or -1 with *CAUSE.
 */
int	safefile_read(int dirfd, const char *leaf, const char *path,
	    char **buf, size_t *len, char **cause);

/*
 * Replace LEAF in DIRFD with the LEN bytes of BUF, mode MODE whatever the
 * umask: a temporary LEAF.XXXXXX created O_EXCL in the same directory,
 * fsync, renameat over LEAF, fsync of the directory. Never follows a link
 * and never writes into an existing file. Returns 0, or -1 with *CAUSE.
 */
int	safefile_replace(int dirfd, const char *leaf, const char *path,
	    const void *buf, size_t len, mode_t mode, char **cause);

#endif

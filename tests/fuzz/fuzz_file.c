/* A scratch file for fuzz targets whose code under test reads a path. */
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_file.h"

static char	 fuzz_file_dir[PATH_MAX];
static char	 fuzz_file_name[NAME_MAX + 1];
static char	 fuzz_file_full[PATH_MAX];
static int	 fuzz_file_fd = -1;
static DIR	*fuzz_file_dirp;

/* Report a failure of the harness itself and stop. */
static void
fuzz_file_die(const char *what)
{
	fprintf(stderr, "fuzz_file: %s: %s\n", what, strerror(errno));
	abort();
}

/* Remove the file and the directory at exit. */
static void
fuzz_file_cleanup(void)
{
	if (fuzz_file_dirp != NULL)
		closedir(fuzz_file_dirp);
	if (fuzz_file_fd != -1)
		close(fuzz_file_fd);
	unlink(fuzz_file_full);
	rmdir(fuzz_file_dir);
}

/*
 * Make a directory of our own below $TMPDIR (or /tmp), resolved so that
 * paths the code under test derives from it are absolute and real, and the
 * empty file NAME in it.
 */
void
fuzz_file_init(const char *name)
{
	char		 template[PATH_MAX];
	const char	*tmp;

	if (fuzz_file_fd != -1)
		return;
	if ((tmp = getenv("TMPDIR")) == NULL || *tmp == '\0')
		tmp = "/tmp";
	if ((size_t)snprintf(template, sizeof template,
	    "%s/jumpgate-fuzz-XXXXXX", tmp) >= sizeof template)
		fuzz_file_die("TMPDIR too long");
	if (mkdtemp(template) == NULL)
		fuzz_file_die(template);
	if (realpath(template, fuzz_file_dir) == NULL)
		fuzz_file_die(template);
	if (strlen(name) >= sizeof fuzz_file_name ||
	    (size_t)snprintf(fuzz_file_full, sizeof fuzz_file_full, "%s/%s",
	    fuzz_file_dir, name) >= sizeof fuzz_file_full)
		fuzz_file_die("file name too long");
	strcpy(fuzz_file_name, name);
	atexit(fuzz_file_cleanup);
	fuzz_file_fd = open(fuzz_file_full,
	    O_RDWR|O_CREAT|O_EXCL|O_CLOEXEC, 0600);
	if (fuzz_file_fd == -1)
		fuzz_file_die(fuzz_file_full);
	if ((fuzz_file_dirp = opendir(fuzz_file_dir)) == NULL)
		fuzz_file_die(fuzz_file_dir);
}

/*
 * Write the input over the file and cut it to that length. Truncating to
 * zero first would make ext4 flush the file on every close; on tmpfs
 * (scripts/fuzz puts TMPDIR there) it makes no difference.
 */
void
fuzz_file_write(const unsigned char *data, size_t len)
{
	ssize_t	n;
	off_t	off = 0;

	while ((size_t)off < len) {
		n = pwrite(fuzz_file_fd, data + off, len - (size_t)off, off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			fuzz_file_die(fuzz_file_full);
		off += n;
	}
	if (ftruncate(fuzz_file_fd, (off_t)len) == -1)
		fuzz_file_die(fuzz_file_full);
}

/* Return the file's path. */
const char *
fuzz_file_path(void)
{
	return fuzz_file_full;
}

/*
 * The code under test only reads: anything it created in the directory
 * (a path taken from the input resolves there) is a failure.
 */
void
fuzz_file_check_alone(void)
{
	struct dirent	*de;

	rewinddir(fuzz_file_dirp);
	errno = 0;
	while ((de = readdir(fuzz_file_dirp)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0 ||
		    strcmp(de->d_name, fuzz_file_name) == 0)
			continue;
		fprintf(stderr, "fuzz_file: %s/%s was created by the code "
		    "under test\n", fuzz_file_dir, de->d_name);
		abort();
	}
	if (errno != 0)
		fuzz_file_die(fuzz_file_dir);
}

/* Count lines: each newline ends one, and a tail without one is one too. */
int
fuzz_file_lines(const unsigned char *data, size_t len)
{
	size_t	i;
	int	n = 0;

	for (i = 0; i < len; i++) {
		if (data[i] == '\n')
			n++;
	}
	if (len > 0 && data[len - 1] != '\n')
		n++;
	return n;
}

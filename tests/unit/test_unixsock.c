/* Unit tests for unixsock.c: socket paths, modes, safe listening sockets. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unixsock.h"

static char	test_dir[PATH_MAX];	/* real path of our directory */

/* Make the directory sockets go into (mode 0700, ours). */
static int
test_setup(void **state)
{
	char	template[] = "/tmp/jumpgate-unixsock-XXXXXX";

	(void)state;
	if (mkdtemp(template) == NULL || realpath(template, test_dir) == NULL)
		return -1;
	return 0;
}

/* Remove it. */
static int
test_teardown(void **state)
{
	char	cmd[PATH_MAX + 16];

	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", test_dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Paths: what is accepted, and the reason for what is not. */
static void
test_path_problem(void **state)
{
	char	long_path[120];

	(void)state;
	assert_null(unixsock_path_problem("/run/user/1000/jumpgate/.s.PGSQL."
	    "5432"));
	assert_null(unixsock_path_problem("/s"));
	assert_null(unixsock_path_problem("/a/.hidden/..x/s"));
	assert_string_equal(unixsock_path_problem(""),
	    "no path after 'unix:'");
	assert_string_equal(unixsock_path_problem("run/s"),
	    "the path must be absolute (start with /)");
	assert_non_null(unixsock_path_problem("/a/./s"));
	assert_non_null(unixsock_path_problem("/a/../s"));
	assert_non_null(unixsock_path_problem("/.."));
	assert_non_null(unixsock_path_problem("/a//s"));
	assert_non_null(unixsock_path_problem("/a/"));
	assert_non_null(unixsock_path_problem("/"));
	assert_string_equal(unixsock_path_problem("/a/s\n"),
	    "the path has a control character");
	assert_non_null(unixsock_path_problem("/a/\x1b[2Js"));
	assert_non_null(unixsock_path_problem("/a/\x7fs"));
	memset(long_path, 'a', sizeof long_path);
	long_path[0] = '/';
	long_path[107] = '\0';
	assert_null(unixsock_path_problem(long_path));
	long_path[107] = 'a';
	long_path[108] = '\0';
	assert_non_null(unixsock_path_problem(long_path));
	assert_true(unixsock_is_unix("unix:/s"));
	assert_false(unixsock_is_unix("unix"));
	assert_false(unixsock_is_unix("127.0.0.1:1"));
}

/* listen_mode values. */
static void
test_parse_mode(void **state)
{
	(void)state;
	assert_int_equal(unixsock_parse_mode("0600"), 0600);
	assert_int_equal(unixsock_parse_mode("600"), 0600);
	assert_int_equal(unixsock_parse_mode("0660"), 0660);
	assert_int_equal(unixsock_parse_mode("777"), 0777);
	assert_int_equal(unixsock_parse_mode("0"), 0);
	assert_int_equal(unixsock_parse_mode(""), -1);
	assert_int_equal(unixsock_parse_mode("1777"), -1);
	assert_int_equal(unixsock_parse_mode("4755"), -1);
	assert_int_equal(unixsock_parse_mode("0800"), -1);
	assert_int_equal(unixsock_parse_mode("00600"), -1);
	assert_int_equal(unixsock_parse_mode("-600"), -1);
	assert_int_equal(unixsock_parse_mode("0x1ff"), -1);
	assert_int_equal(unixsock_parse_mode("rw"), -1);
}

/* Make PATH inside the test directory. */
static char *
test_path(const char *rel, char buf[PATH_MAX])
{
	assert_true(snprintf(buf, PATH_MAX, "%s/%s", test_dir, rel) <
	    PATH_MAX);
	return buf;
}

/* Bind a socket at PATH and leave it there, closed: a stale socket. */
static void
test_stale_at(const char *path)
{
	struct sockaddr_un	sun;
	int			fd;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(fd != -1);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof sun), 0);
	close(fd);
}

/*
 * Listen: the directory is made 0700, the socket gets its mode, a stale
 * socket is replaced, a live one and a file are not, and removal takes
 * only our own socket.
 */
static void
test_listen(void **state)
{
	struct unixsock	*u, *u2;
	struct stat	 sb;
	char		 path[PATH_MAX], dir[PATH_MAX], *cause = NULL;
	int		 fd, fd2;

	(void)state;
	test_path("d", dir);
	test_path("d/s", path);
	u = unixsock_listen(path, 0660, -1, 16, &fd, &cause);
	assert_non_null(u);
	assert_int_equal(stat(dir, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0700);
	assert_int_equal(lstat(path, &sb), 0);
	assert_true(S_ISSOCK(sb.st_mode));
	assert_int_equal(sb.st_mode & 07777, 0660);

	/* Live: refused, and left alone. */
	u2 = unixsock_listen(path, 0600, -1, 16, &fd2, &cause);
	assert_null(u2);
	assert_non_null(strstr(cause, "another program listens on"));
	free(cause);
	cause = NULL;
	assert_int_equal(lstat(path, &sb), 0);

	/* Closed and removed; a later socket at the path is not ours. */
	close(fd);
	unixsock_remove(u);
	assert_int_equal(lstat(path, &sb), -1);
	assert_int_equal(errno, ENOENT);

	/* Stale: replaced. */
	test_stale_at(path);
	u = unixsock_listen(path, 0600, -1, 16, &fd, &cause);
	assert_non_null(u);
	assert_int_equal(lstat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	close(fd);
	/*
	 * Someone else's socket took the path (perhaps with the same inode
	 * number; file times tick coarsely, so a moment later): removal
	 * leaves it.
	 */
	assert_int_equal(unlink(path), 0);
	usleep(50000);
	test_stale_at(path);
	unixsock_remove(u);
	assert_int_equal(lstat(path, &sb), 0);
	assert_int_equal(unlink(path), 0);

	/* A regular file: refused, kept. */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd != -1);
	close(fd);
	assert_null(unixsock_listen(path, 0600, -1, 16, &fd, &cause));
	assert_non_null(strstr(cause, "exists and is not a socket"));
	free(cause);
	cause = NULL;
	assert_int_equal(unlink(path), 0);

	/* A directory others may write: refused. */
	assert_int_equal(chmod(dir, 0770), 0);
	assert_null(unixsock_listen(path, 0600, -1, 16, &fd, &cause));
	assert_non_null(strstr(cause, "refusing socket directory"));
	free(cause);
	cause = NULL;
	assert_int_equal(chmod(dir, 0700), 0);

	/* A symbolic link as the socket's directory is followed only if
	 * ours (safefile.h): ours here, so the socket lands in d. */
	assert_int_equal(symlink(dir, test_path("link", path)), 0);
	test_path("link/s", path);
	u = unixsock_listen(path, 0600, -1, 16, &fd, &cause);
	assert_non_null(u);
	assert_int_equal(lstat(test_path("d/s", dir), &sb), 0);
	close(fd);
	unixsock_remove(u);
	assert_int_equal(lstat(dir, &sb), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_problem),
		cmocka_unit_test(test_parse_mode),
		cmocka_unit_test(test_listen),
	};

	return cmocka_run_group_tests(tests, test_setup, test_teardown);
}

/* Where the running daemon logs, see logfile.h. */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "config.h"
#include "control.h"
#include "log.h"
#include "logfile.h"
#include "safefile.h"
#include "xmalloc.h"

/* The file being written (log_file or the fallback), or NULL. */
static char	*logfile_path;
/* The fallback is in use: syslog was not reachable. */
static int	 logfile_fallback;
/* Once detached, syslog unless a file is in use. */
static int	 logfile_syslog;

/*
 * Open PATH for appending, without following a link another user could
 * have planted (safefile.h): created mode 0600, an existing file must be
 * a regular file nobody else can write. Returns the descriptor, or -1
 * with *CAUSE (caller frees).
 */
static int
logfile_open(const char *path, char **cause)
{
	struct stat	 sb;
	char		*leaf = NULL;
	int		 dirfd, fd;

	if ((dirfd = safefile_open_dir(path, SAFEFILE_FOLLOW_LEAF, &leaf,
	    cause)) == -1)
		return -1;
	if (safefile_check_file(dirfd, leaf, path, cause) == -1) {
		free(leaf);
		close(dirfd);
		return -1;
	}
	fd = openat(dirfd, leaf, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW |
	    O_NOCTTY | O_NONBLOCK | O_CLOEXEC, S_IRUSR | S_IWUSR);
	free(leaf);
	close(dirfd);
	if (fd == -1) {
		xasprintf(cause, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		xasprintf(cause, "%s is not a regular file", path);
		close(fd);
		return -1;
	}
	/* O_NONBLOCK only kept open() from hanging on a FIFO. */
	fcntl(fd, F_SETFL, O_APPEND);
	return fd;
}

/*
 * Whether syslog(3) would reach a daemon: its socket accepts a connection.
 * Returns 0, or -1 with *CAUSE (caller frees).
 */
static int
logfile_syslog_reachable(char **cause)
{
	struct sockaddr_un	sun;
	int			fd, i, err = 0;
	static const int	types[] = { SOCK_DGRAM, SOCK_STREAM };

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", _PATH_LOG);
	for (i = 0; i < 2; i++) {
		if ((fd = socket(AF_UNIX, types[i] | SOCK_CLOEXEC, 0)) == -1) {
			err = errno;
			continue;
		}
		if (connect(fd, (struct sockaddr *)&sun, sizeof sun) == 0) {
			close(fd);
			return 0;
		}
		err = errno;
		close(fd);
	}
	xasprintf(cause, "%s: %s", _PATH_LOG, strerror(err));
	return -1;
}

/* The fallback file: the default control socket's name, ending .log. */
static char *
logfile_fallback_path(const struct config *config)
{
	struct config	 stub;
	char		*sock, *path;
	size_t		 len;

	memset(&stub, 0, sizeof stub);
	stub.path = config->path;
	sock = control_path(&stub);
	len = strlen(sock);
	if (len > 5 && strcmp(sock + len - 5, ".sock") == 0)
		sock[len - 5] = '\0';
	xasprintf(&path, "%s.log", sock);
	free(sock);
	return path;
}

/* Open log_file at start, see logfile.h. */
int
logfile_start(const struct config *config)
{
	char	*cause;
	int	 fd;

	log_set_format(config->log_format);
	if (config->log_file == NULL)
		return 0;
	if ((fd = logfile_open(config->log_file, &cause)) == -1) {
		log_error("log_file: %s", cause);
		free(cause);
		return -1;
	}
	logfile_path = xstrdup(config->log_file);
	log_use_fd(fd);
	log_also_stderr(1);
	return 0;
}

/* Syslog or the fallback file, see logfile.h. */
int
logfile_before_detach(const struct config *config)
{
	char	*cause, *cause2;
	int	 fd;

	if (logfile_path != NULL)
		return 0;
	if (logfile_syslog_reachable(&cause) == 0) {
		logfile_syslog = 1;
		return 0;
	}
	logfile_path = logfile_fallback_path(config);
	if ((fd = logfile_open(logfile_path, &cause2)) == -1) {
		log_error("syslog is not reachable (%s) and the fallback log "
		    "cannot be written (%s): set log_file", cause, cause2);
		free(cause);
		free(cause2);
		free(logfile_path);
		logfile_path = NULL;
		return -1;
	}
	/* Said on the terminal, and first in the file. */
	fprintf(stderr, "jumpgate: syslog is not reachable (%s): logging to "
	    "%s instead (set log_file to choose)\n", cause, logfile_path);
	log_use_fd(fd);
	log_warn("syslog is not reachable (%s): logging to %s (set log_file "
	    "to choose)", cause, logfile_path);
	logfile_fallback = 1;
	free(cause);
	return 0;
}

/* Start-up is over, see logfile.h. */
void
logfile_running(int detached)
{
	if (detached && logfile_syslog)
		log_use_syslog();
	log_also_stderr(0);
}

/* Reopen, see logfile.h. */
void
logfile_reopen(const struct config *config)
{
	const char	*path;
	char		*cause;
	int		 fd;

	log_set_format(config->log_format);
	if (config->log_file != NULL)
		path = config->log_file;
	else if (logfile_fallback)
		path = logfile_path;
	else if (logfile_path != NULL) {
		/* log_file removed by reload: where it would have gone. */
		log_info("log_file removed: logging to %s",
		    logfile_syslog ? "syslog" : "stderr");
		free(logfile_path);
		logfile_path = NULL;
		if (logfile_syslog)
			log_use_syslog();
		else
			log_use_fd(-1);
		return;
	} else
		return;
	if ((fd = logfile_open(path, &cause)) == -1) {
		log_error("cannot reopen the log: %s; still writing to the "
		    "file as it was opened", cause);
		free(cause);
		return;
	}
	log_use_fd(fd);
	if (logfile_path != path) {
		free(logfile_path);
		logfile_path = xstrdup(path);
	}
	log_debug("log reopened: %s", path);
}

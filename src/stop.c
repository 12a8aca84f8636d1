/* jumpgate stop: SIGTERM to a running instance, then wait; see stop.h. */
#include <sys/syscall.h>
#include <sys/types.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "control.h"
#include "info.h"
#include "log.h"
#include "stop.h"
#include "vis.h"
#include "xmalloc.h"

/* How often the fallback without a pidfd looks whether the pid is gone. */
#define STOP_POLL_MS	100

/* Seconds since START (CLOCK_MONOTONIC). */
static double
stop_elapsed(const struct timespec *start)
{
	struct timespec	now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) +
	    (now.tv_nsec - start->tv_nsec) / 1e9;
}

/* Whether process PID has exited (gone, or a zombie its parent keeps). */
static int
stop_gone(pid_t pid)
{
	char	path[64], buf[256], *paren;
	FILE	*f;
	size_t	 n;

	if (kill(pid, 0) == -1 && errno == ESRCH)
		return 1;
	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	if ((f = fopen(path, "re")) == NULL)
		return errno == ENOENT;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* "PID (COMM) STATE ...": COMM may hold spaces and parentheses. */
	if ((paren = strrchr(buf, ')')) == NULL || paren[1] != ' ')
		return 0;
	return paren[2] == 'Z' || paren[2] == 'X';
}

/*
 * Wait up to SECONDS for PID (PIDFD, -1 if there is none) to exit.
 * Returns 1 once it has, 0 if it has not.
 */
static int
stop_wait(pid_t pid, int pidfd, long seconds, const struct timespec *start)
{
	struct pollfd	pfd;
	struct timespec	tick = { 0, STOP_POLL_MS * 1000000L };
	double		left;
	int		rc;

	for (;;) {
		if (pidfd == -1 && stop_gone(pid))
			return 1;
		if ((left = (double)seconds - stop_elapsed(start)) <= 0)
			return 0;
		if (pidfd == -1) {
			nanosleep(&tick, NULL);
			continue;
		}
		pfd.fd = pidfd;
		pfd.events = POLLIN;
		/* A day at a time: shutdown_timeout has no upper bound. */
		rc = poll(&pfd, 1, left > 86400 ? 86400 * 1000 :
		    (int)(left * 1000) + 1);
		if (rc == 1)
			return 1;
		if (rc == -1 && errno != EINTR)
			fatal("poll: %s", strerror(errno));
	}
}

/* Send SIGTERM to PID through PIDFD (if not -1); 0 or -1 with errno. */
static int
stop_signal(pid_t pid, int pidfd)
{
#ifdef SYS_pidfd_send_signal
	if (pidfd != -1)
		return (int)syscall(SYS_pidfd_send_signal, pidfd, SIGTERM, NULL,
		    0);
#endif
	(void)pidfd;
	return kill(pid, SIGTERM);
}

/*
 * A pidfd for PID that surely is the process answering on SOCKET: opened,
 * then the instance asked again who it is ("pong PID"). Returns the
 * descriptor, or -1 if the kernel has no pidfds (then the pid alone will
 * do). Returns -2 with *CAUSE if the instance changed in between.
 */
static int
stop_pidfd(pid_t pid, const char *socket, char **cause)
{
	char			*reply = NULL;
	size_t			 len = 0;
	long			 again = 0;
	FILE			*out;
	enum control_result	 rc;
	int			 fd = -1;

	*cause = NULL;
#ifdef SYS_pidfd_open
	fd = (int)syscall(SYS_pidfd_open, pid, 0);
#endif
	if ((out = open_memstream(&reply, &len)) == NULL)
		fatal("out of memory");
	rc = control_request(socket, "ping", out, cause);
	fclose(out);
	if (rc == CONTROL_OK && sscanf(reply, "pong %ld", &again) != 1)
		again = 0;
	free(reply);
	if (rc != CONTROL_OK || again != (long)pid) {
		if (fd != -1)
			close(fd);
		if (*cause == NULL)
			xasprintf(cause, "the instance on %s changed while it "
			    "was being stopped (pid %ld, now %ld)", socket,
			    (long)pid, again);
		return -2;
	}
	return fd;
}

/* jumpgate stop, see stop.h. */
int
stop_main(const char *path, const char *socket)
{
	struct timespec		 start;
	struct info		 info;
	char			*reply = NULL, *cause = NULL, *name;
	size_t			 len = 0;
	pid_t			 pid;
	long			 wait, open, peer;
	FILE			*out;
	enum control_result	 rc;
	int			 pidfd;

	if ((out = open_memstream(&reply, &len)) == NULL)
		fatal("out of memory");
	rc = control_request_peer(socket, "info", out, &peer, &cause);
	fclose(out);
	if (rc == CONTROL_NOBODY) {
		fprintf(stderr, "jumpgate: stop: %s is not running: %s\n", path,
		    cause);
		free(cause);
		free(reply);
		return STOP_EXIT_NOT_RUNNING;
	}
	if (rc == CONTROL_OK && info_parse(reply, len, &info, &cause) != 0) {
		char *why = cause;

		xasprintf(&cause, "unexpected 'info' reply from %s: %s",
		    socket, why);
		free(why);
	} else if (rc == CONTROL_ERROR)
		xasprintf(&cause, "the instance on %s does not answer 'info': "
		    "a jumpgate older than this one (%s)? stop it with kill "
		    "-TERM", socket, PACKAGE_VERSION);
	free(reply);
	if (rc != CONTROL_OK || cause != NULL) {
		fprintf(stderr, "jumpgate: stop: %s: %s\n", path, cause);
		free(cause);
		return STOP_EXIT_FAILED;
	}
	name = vis_str(info.name);
	wait = info.shutdown_timeout + STOP_MARGIN_SECONDS;
	/*
	 * The pid it reports must be the one the kernel names (SO_PEERCRED:
	 * who listens; an instance listens again after run -d): else it is
	 * another pid namespace's, or a lie, and the signal could hit
	 * another process.
	 */
	pid = (pid_t)info.pid;
	open = info.connections;
	info_clear(&info);
	if (peer != (long)pid) {
		fprintf(stderr, "jumpgate: stop: %s: the instance on %s says it "
		    "is pid %ld, but the kernel says pid %ld listens there%s: "
		    "refusing to send a signal; stop it where it runs\n", path,
		    socket, (long)pid, peer, peer == 0 ? " (in another pid "
		    "namespace)" : "");
		free(name);
		return STOP_EXIT_FAILED;
	}
	if ((pidfd = stop_pidfd(pid, socket, &cause)) == -2) {
		fprintf(stderr, "jumpgate: stop: %s: %s\n", path, cause);
		free(cause);
		free(name);
		return STOP_EXIT_FAILED;
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	if (stop_signal(pid, pidfd) == -1) {
		fprintf(stderr, "jumpgate: stop: cannot signal %s (pid %ld): "
		    "%s%s\n", name, (long)pid, strerror(errno), errno == EPERM ?
		    " (it runs as another user: stop it as that user, or "
		    "with systemctl if it is a service)" : "");
		if (pidfd != -1)
			close(pidfd);
		free(name);
		return STOP_EXIT_FAILED;
	}
	if (open > 0)
		fprintf(stderr, "stopping %s (pid %ld): %ld connection%s open, "
		    "waiting up to %ld s for %s (shutdown_timeout)\n", name,
		    (long)pid, open, open == 1 ? "" : "s", wait -
		    STOP_MARGIN_SECONDS, open == 1 ? "it" : "them");
	if (!stop_wait(pid, pidfd, wait, &start)) {
		fprintf(stderr, "jumpgate: stop: %s (pid %ld) is still running "
		    "%ld s after SIGTERM (shutdown_timeout + %d s): see its "
		    "log; end it at once with a second 'jumpgate stop' or kill "
		    "-KILL %ld\n", name, (long)pid, wait, STOP_MARGIN_SECONDS,
		    (long)pid);
		if (pidfd != -1)
			close(pidfd);
		free(name);
		return STOP_EXIT_FAILED;
	}
	printf("stopped %s (pid %ld) after %.1f s\n", name, (long)pid,
	    stop_elapsed(&start));
	if (pidfd != -1)
		close(pidfd);
	free(name);
	return STOP_EXIT_STOPPED;
}

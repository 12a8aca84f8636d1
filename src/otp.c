/* Run otp_command in the background and collect the code it prints. */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "compat.h"
#include "log.h"
#include "otp.h"
#include "xmalloc.h"

/* Longest output kept: the code is its first line. */
#define OTP_OUTPUT_MAX	256
/* How often an exited-looking child is checked for after EOF. */
#define OTP_REAP_MS	20

struct otp_job {
	pid_t		 pid;
	int		 fd;		/* read end of the child's stdout */
	int		 timeout;
	struct event	*ev_read;
	struct event	*ev_timeout;
	struct event	*ev_reap;
	char		 out[OTP_OUTPUT_MAX];
	size_t		 len;
	otp_done_cb	 done;
	void		*arg;
};

/* Kill the job's process group and wait for the child. */
static void
otp_kill(struct otp_job *job)
{
	if (job->pid <= 0)
		return;
	kill(-job->pid, SIGKILL);
	while (waitpid(job->pid, NULL, 0) == -1 && errno == EINTR)
		;
	job->pid = -1;
}

/* Free a job; its child is gone by now. */
static void
otp_free(struct otp_job *job)
{
	otp_kill(job);
	if (job->fd != -1)
		close(job->fd);
	event_free(job->ev_read);
	event_free(job->ev_timeout);
	event_free(job->ev_reap);
	freezero(job, sizeof *job);
}

/* End the job: call back with the code or ERROR, then free it. */
static void
otp_finish(struct otp_job *job, const char *error)
{
	char	*code = NULL;

	if (error == NULL) {
		job->out[job->len] = '\0';
		job->out[strcspn(job->out, "\r\n")] = '\0';
		if (job->out[0] == '\0')
			error = "otp_command printed no code (its first line "
			    "of output was empty)";
		else
			code = xstrdup(job->out);
	}
	explicit_bzero(job->out, sizeof job->out);
	job->done(code, error, job->arg);
	otp_free(job);
}

/* After EOF: finish once the child exited, judging by its status. */
static void
otp_reap_cb(evutil_socket_t fd, short what, void *arg)
{
	struct otp_job	*job = arg;
	struct timeval	 tv = { 0, OTP_REAP_MS * 1000 };
	char		 why[128];
	int		 status;
	pid_t		 rc;

	(void)fd;
	(void)what;
	rc = waitpid(job->pid, &status, WNOHANG);
	if (rc == 0) {
		evtimer_add(job->ev_reap, &tv);
		return;
	}
	job->pid = -1;
	if (rc == -1) {
		snprintf(why, sizeof why, "otp_command: waitpid: %s",
		    strerror(errno));
		otp_finish(job, why);
	} else if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		otp_finish(job, NULL);
	else if (WIFEXITED(status)) {
		snprintf(why, sizeof why, "otp_command exited with status %d "
		    "(its error output is not logged: run it by hand to see "
		    "why)", WEXITSTATUS(status));
		otp_finish(job, why);
	} else {
		snprintf(why, sizeof why, "otp_command was killed by signal "
		    "%d", WTERMSIG(status));
		otp_finish(job, why);
	}
}

/* The child's stdout is readable: keep the start of it until EOF. */
static void
otp_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct otp_job	*job = arg;
	char		 discard[512];
	ssize_t		 n;

	(void)what;
	for (;;) {
		if (job->len < sizeof job->out - 1)
			n = read(fd, job->out + job->len,
			    sizeof job->out - 1 - job->len);
		else
			n = read(fd, discard, sizeof discard);
		if (n > 0) {
			if (job->len < sizeof job->out - 1)
				job->len += (size_t)n;
			else
				explicit_bzero(discard, sizeof discard);
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		break;		/* EOF or error: the child is done */
	}
	event_del(job->ev_read);
	close(job->fd);
	job->fd = -1;
	otp_reap_cb(-1, 0, job);
}

/* The command took too long. */
static void
otp_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct otp_job	*job = arg;
	char		 why[128];

	(void)fd;
	(void)what;
	otp_kill(job);
	snprintf(why, sizeof why, "otp_command did not finish within %d s "
	    "(connect_timeout); it was killed", job->timeout);
	otp_finish(job, why);
}

/* Start a job; see otp.h. */
struct otp_job *
otp_start(struct event_base *base, const char *command, int timeout,
    otp_done_cb done, void *arg, char **cause)
{
	struct otp_job	*job;
	struct timeval	 tv = { timeout, 0 };
	int		 pfd[2], null;
	pid_t		 pid;

	if (pipe2(pfd, O_CLOEXEC | O_NONBLOCK) == -1) {
		xasprintf(cause, "otp_command: pipe: %s", strerror(errno));
		return NULL;
	}
	switch ((pid = fork())) {
	case -1:
		xasprintf(cause, "otp_command: fork: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return NULL;
	case 0:
		/* Child: its own group, so that a timeout kills it all. */
		setpgid(0, 0);
		signal(SIGPIPE, SIG_DFL);
		null = open("/dev/null", O_RDWR);
		if (null == -1 || dup2(null, 0) == -1 || dup2(null, 2) == -1 ||
		    dup2(pfd[1], 1) == -1)
			_exit(127);
		fcntl(1, F_SETFL, 0);
		execl("/bin/sh", "sh", "-c", command, (char *)NULL);
		_exit(127);
	default:
		break;
	}
	setpgid(pid, pid);	/* also here: no race with a quick kill */
	close(pfd[1]);
	job = xcalloc(1, sizeof *job);
	job->pid = pid;
	job->fd = pfd[0];
	job->timeout = timeout;
	job->done = done;
	job->arg = arg;
	job->ev_read = event_new(base, job->fd, EV_READ | EV_PERSIST,
	    otp_read_cb, job);
	job->ev_timeout = evtimer_new(base, otp_timeout_cb, job);
	job->ev_reap = evtimer_new(base, otp_reap_cb, job);
	if (job->ev_read == NULL || job->ev_timeout == NULL ||
	    job->ev_reap == NULL)
		fatal("otp_command: out of memory");
	event_add(job->ev_read, NULL);
	evtimer_add(job->ev_timeout, &tv);
	return job;
}

/* Cancel a job that has not called back. */
void
otp_cancel(struct otp_job *job)
{
	otp_free(job);
}

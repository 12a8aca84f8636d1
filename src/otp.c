/* Run otp_command in the background and collect the code it prints. */
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
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
/* PATH for a command when jumpgate has none. */
#define OTP_DEFAULT_PATH	"/usr/local/bin:/usr/bin:/bin"
/* Variables every otp_command gets (if set), before otp_env's. */
static const char *otp_env_fixed[] = {
	"PATH", "HOME", "USER", "LOGNAME", "LANG", "TZ"
};

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

/* Add NAME=VALUE to the environment ENV of *N entries, unless there. */
static void
otp_env_add(char ***env, size_t *n, const char *name, const char *value)
{
	size_t	i, len = strlen(name);

	for (i = 0; i < *n; i++) {
		if (strncmp((*env)[i], name, len) == 0 && (*env)[i][len] == '=')
			return;
	}
	*env = xreallocarray(*env, *n + 2, sizeof **env);
	xasprintf(&(*env)[*n], "%s=%s", name, value);
	(*env)[++*n] = NULL;
}

/*
 * The environment of otp_command: PATH (a default if unset), HOME, USER
 * and LOGNAME (from the password database if unset), LANG and TZ, then
 * the variables named in NAMES ("A,B") that are set, never SECRET (the
 * password's variable). NULL-terminated; otp_env_free frees it.
 */
static char **
otp_env_build(const char *names, const char *secret)
{
	struct passwd	 *pw = getpwuid(geteuid());
	char		**env = xcalloc(1, sizeof *env);
	const char	 *value, *cp, *end;
	char		 *name;
	size_t		  n = 0, i;

	for (i = 0; i < sizeof otp_env_fixed / sizeof otp_env_fixed[0]; i++) {
		if ((value = getenv(otp_env_fixed[i])) != NULL)
			otp_env_add(&env, &n, otp_env_fixed[i], value);
	}
	otp_env_add(&env, &n, "PATH", OTP_DEFAULT_PATH);
	if (pw != NULL) {
		otp_env_add(&env, &n, "HOME", pw->pw_dir);
		otp_env_add(&env, &n, "USER", pw->pw_name);
		otp_env_add(&env, &n, "LOGNAME", pw->pw_name);
	}
	for (cp = names; cp != NULL && *cp != '\0'; cp = end) {
		end = cp + strcspn(cp, ",");
		name = xstrndup(cp, (size_t)(end - cp));
		if (*end == ',')
			end++;
		if ((secret == NULL || strcmp(name, secret) != 0) &&
		    (value = getenv(name)) != NULL)
			otp_env_add(&env, &n, name, value);
		free(name);
	}
	return env;
}

/* Free an environment from otp_env_build. */
static void
otp_env_free(char **env)
{
	size_t	i;

	for (i = 0; env[i] != NULL; i++)
		free(env[i]);
	free(env);
}

/* In the child: close every descriptor above 2. */
static void
otp_close_from(int lowfd)
{
	struct rlimit	rl;
	rlim_t		fd;

	if (close_range((unsigned)lowfd, ~0U, 0) == 0)
		return;
	/* Kernels before 5.9: one by one, as far as the limit goes. */
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
		rl.rlim_cur = 65536;
	for (fd = (rlim_t)lowfd; fd < rl.rlim_cur; fd++)
		close((int)fd);
}

/* Start a job; see otp.h. */
struct otp_job *
otp_start(struct event_base *base, const char *command, const char *names,
    const char *secret, int timeout, otp_done_cb done, void *arg,
    char **cause)
{
	struct otp_job	 *job;
	struct timeval	  tv = { timeout, 0 };
	char		**env;
	int		  pfd[2], null;
	pid_t		  pid;

	if (pipe2(pfd, O_CLOEXEC | O_NONBLOCK) == -1) {
		xasprintf(cause, "otp_command: pipe: %s", strerror(errno));
		return NULL;
	}
	env = otp_env_build(names, secret);
	switch ((pid = fork())) {
	case -1:
		xasprintf(cause, "otp_command: fork: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		otp_env_free(env);
		return NULL;
	case 0:
		/* Child: its own group, so that a timeout kills it all. */
		setpgid(0, 0);
		signal(SIGPIPE, SIG_DFL);
		null = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (null == -1 || dup2(null, 0) == -1 || dup2(null, 2) == -1 ||
		    dup2(pfd[1], 1) == -1)
			_exit(127);
		fcntl(1, F_SETFL, 0);
		/* Only 0, 1 and 2: nothing of jumpgate's leaks in. */
		otp_close_from(3);
		execle("/bin/sh", "sh", "-c", command, (char *)NULL, env);
		_exit(127);
	default:
		break;
	}
	otp_env_free(env);
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

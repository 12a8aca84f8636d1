/*
 * One-time codes: run a hop's otp_command (/bin/sh -c, stdin and stderr on
 * /dev/null, its own process group, a small environment without the
 * password, no other descriptor) without blocking the event loop, and
 * hand over the first line it prints.
 */
#ifndef JUMPGATE_OTP_H
#define JUMPGATE_OTP_H

struct event_base;
struct otp_job;

/*
 * Called once from the event loop: CODE (the caller wipes and frees it)
 * on success, else NULL and ERROR saying why. The job is freed after the
 * call returns: do not cancel it from inside.
 */
typedef void	(*otp_done_cb)(char *code, const char *error, void *arg);

/*
 * Start COMMAND with TIMEOUT seconds to finish, descriptors 0-2 only and
 * a small environment: PATH, HOME, USER, LOGNAME, LANG, TZ and the
 * variables named in NAMES ("A,B" or NULL), never SECRET (the password's
 * variable, or NULL). Returns NULL with *CAUSE.
 */
struct otp_job	*otp_start(struct event_base *, const char *command,
		    const char *names, const char *secret, int timeout,
		    otp_done_cb, void *arg, char **cause);
/* Stop a job before it is done: its process group is killed. */
void		 otp_cancel(struct otp_job *);

#endif

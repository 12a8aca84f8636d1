/*
 * One-time codes: run a hop's otp_command (/bin/sh -c, stdin and stderr on
 * /dev/null, its own process group) without blocking the event loop, and
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

/* Start COMMAND with TIMEOUT seconds to finish. Returns NULL with *CAUSE. */
struct otp_job	*otp_start(struct event_base *, const char *command,
		    int timeout, otp_done_cb, void *arg, char **cause);
/* Stop a job before it is done: its process group is killed. */
void		 otp_cancel(struct otp_job *);

#endif

/* jumpgate stop: stop a running instance as SIGTERM does, and wait. */
#ifndef JUMPGATE_STOP_H
#define JUMPGATE_STOP_H

/* More than shutdown_timeout to wait for an instance to exit. */
#define STOP_MARGIN_SECONDS	5

/* Exit statuses of jumpgate stop (2 is a usage error). */
#define STOP_EXIT_STOPPED	0
#define STOP_EXIT_FAILED	1	/* refused, or still running */
#define STOP_EXIT_NOT_RUNNING	3

/*
 * Stop the instance of PATH answering on SOCKET: ask it "info" (its name,
 * pid and shutdown_timeout; control_request believes only our user or
 * root), check that pid against the one the kernel names as the socket's
 * listener (SO_PEERCRED; control_claim after run -d), send it SIGTERM
 * through a pidfd opened before asking again who answers (so that it
 * cannot be another process by then), wait for it to exit for up to
 * shutdown_timeout + STOP_MARGIN_SECONDS, and say so: "stopped NAME (pid
 * N) after X s". Returns one of the exit statuses above.
 */
int	stop_main(const char *path, const char *socket);

#endif

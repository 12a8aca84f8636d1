/* The running daemon: jumpgate run. */
#ifndef JUMPGATE_RUNTIME_H
#define JUMPGATE_RUNTIME_H

/*
 * Load PATH and run it until SIGTERM or SIGINT (SIGHUP reloads); with
 * DETACH, go to the background and log to syslog once the listeners are
 * bound. Returns the exit status.
 */
int	runtime_run(const char *path, int detach);

#endif

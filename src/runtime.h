/* The running daemon: jumpgate run. */
#ifndef JUMPGATE_RUNTIME_H
#define JUMPGATE_RUNTIME_H

/*
 * Load PATH and run it until SIGTERM or SIGINT (SIGHUP reloads); with
 * DETACH, go to the background and log to syslog once the listeners are
 * bound. Returns the exit status.
 */
struct event_base;
struct evdns_base;

int	runtime_run(const char *path, int detach);
/* A DNS resolver on BASE; /etc/hosts only if resolv.conf cannot be read. */
struct evdns_base *runtime_dns(struct event_base *);

#endif

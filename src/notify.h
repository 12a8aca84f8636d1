/*
 * The systemd notify protocol (Type=notify): READY=1, STATUS=, STOPPING=1
 * and watchdog pings, sent as datagrams to $NOTIFY_SOCKET. Written here
 * rather than taken from libsystemd: it is one sendmsg, and jumpgate then
 * needs no systemd library on machines without systemd. Without
 * $NOTIFY_SOCKET every call does nothing.
 */
#ifndef JUMPGATE_NOTIFY_H
#define JUMPGATE_NOTIFY_H

struct event_base;

/* Start watchdog pings if the service manager asked for them. */
void	notify_init(struct event_base *);
/* Send one notification ("READY=1", "STATUS=...", ...). */
void	notify_send(const char *, ...) __attribute__((format(printf, 1, 2)));
void	notify_free(void);

#endif

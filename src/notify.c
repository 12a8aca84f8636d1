/* The systemd notify protocol, see notify.h. */
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "notify.h"
#include "xmalloc.h"

static struct event	*notify_watchdog;

/* Send one notification, see notify.h. */
void
notify_send(const char *fmt, ...)
{
	const char		*path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un	 sun;
	socklen_t		 len;
	va_list			 ap;
	char			*msg;
	int			 fd, n;

	if (path == NULL || (*path != '/' && *path != '@') ||
	    strlen(path) >= sizeof sun.sun_path)
		return;
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path));
	if (*path == '@')
		sun.sun_path[0] = '\0';	/* abstract namespace */
	len = offsetof(struct sockaddr_un, sun_path) + strlen(path);

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatal("out of memory");
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) != -1) {
		if (sendto(fd, msg, n, MSG_NOSIGNAL, (struct sockaddr *)&sun,
		    len) == -1)
			log_debug("notify: %s", strerror(errno));
		close(fd);
	}
	free(msg);
}

/* Watchdog tick: tell the service manager we are alive. */
static void
notify_watchdog_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	notify_send("WATCHDOG=1");
}

/* Start watchdog pings at half the interval systemd asked for. */
void
notify_init(struct event_base *base)
{
	const char	*usec = getenv("WATCHDOG_USEC");
	const char	*pid = getenv("WATCHDOG_PID");
	struct timeval	 tv;
	long long	 us;

	if (usec == NULL || (us = atoll(usec)) <= 0)
		return;
	if (pid != NULL && atol(pid) != (long)getpid())
		return;
	us /= 2;
	tv.tv_sec = us / 1000000;
	tv.tv_usec = us % 1000000;
	notify_watchdog = event_new(base, -1, EV_PERSIST, notify_watchdog_cb,
	    NULL);
	if (notify_watchdog == NULL)
		fatal("out of memory");
	event_add(notify_watchdog, &tv);
	log_debug("notify: watchdog ping every %lld ms", us / 1000);
}

/* Stop watchdog pings. */
void
notify_free(void)
{
	if (notify_watchdog != NULL)
		event_free(notify_watchdog);
	notify_watchdog = NULL;
}

/* The control socket: status and reload for jumpgate's own user. */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>

#include <errno.h>
#include <libgen.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "config.h"
#include "control.h"
#include "log.h"
#include "xmalloc.h"

/* A command line longer than this is refused. */
#define CONTROL_MAX_LINE	256
/* A client must send its command and read its reply within this. */
#define CONTROL_TIMEOUT		10

struct control {
	struct evconnlistener	*listener;
	char			*path;
	control_handler		 handler;
	void			*arg;
};

/* The control socket path for a config: its setting or the default. */
char *
control_path(const struct config *config)
{
	const char	*runtime = getenv("XDG_RUNTIME_DIR");
	char		*copy, *name, *dot, *path;

	if (config->control_socket != NULL)
		return xstrdup(config->control_socket);
	copy = xstrdup(config->path);
	name = basename(copy);
	if ((dot = strrchr(name, '.')) != NULL && strcmp(dot, ".ini") == 0)
		*dot = '\0';
	if (runtime != NULL && *runtime == '/')
		xasprintf(&path, "%s/jumpgate/%s.sock", runtime, name);
	else
		xasprintf(&path, "/run/jumpgate/%s.sock", name);
	free(copy);
	return path;
}

/* The client wrote or went away; close once the reply is out. */
static void
control_client_event_cb(struct bufferevent *bev, short what, void *arg)
{
	(void)what;
	(void)arg;
	bufferevent_free(bev);
}

/* The reply has been written: close. */
static void
control_client_write_cb(struct bufferevent *bev, void *arg)
{
	(void)arg;
	if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		bufferevent_free(bev);
}

/* A command line arrived: answer it. */
static void
control_client_read_cb(struct bufferevent *bev, void *arg)
{
	struct control	*ctl = arg;
	struct evbuffer	*in = bufferevent_get_input(bev);
	struct evbuffer	*out = bufferevent_get_output(bev);
	char		*line;
	size_t		 len;

	line = evbuffer_readln(in, &len, EVBUFFER_EOL_LF);
	if (line == NULL) {
		if (evbuffer_get_length(in) > CONTROL_MAX_LINE)
			bufferevent_free(bev);
		return;
	}
	bufferevent_disable(bev, EV_READ);
	if (len > CONTROL_MAX_LINE)
		evbuffer_add_printf(out, "error: command too long\n");
	else
		ctl->handler(line, out, ctl->arg);
	free(line);
	bufferevent_setcb(bev, NULL, control_client_write_cb,
	    control_client_event_cb, ctl);
	if (evbuffer_get_length(out) == 0)
		bufferevent_free(bev);
}

/* A client connected: only our own user (or root) may talk to us. */
static void
control_accept_cb(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct control		*ctl = arg;
	struct bufferevent	*bev;
	struct ucred		 cred;
	socklen_t		 len = sizeof cred;
	struct timeval		 tv = { CONTROL_TIMEOUT, 0 };

	(void)l;
	(void)sa;
	(void)salen;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1 ||
	    (cred.uid != geteuid() && cred.uid != 0)) {
		log_warn("control: refused a client of uid %ld (only uid %ld "
		    "may control this instance)", (long)cred.uid,
		    (long)geteuid());
		close(fd);
		return;
	}
	bev = bufferevent_socket_new(evconnlistener_get_base(ctl->listener),
	    fd, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL) {
		close(fd);
		return;
	}
	bufferevent_setcb(bev, control_client_read_cb, NULL,
	    control_client_event_cb, ctl);
	bufferevent_set_timeouts(bev, &tv, &tv);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
}

/* Create the socket's directory (mode 0700) if it does not exist. */
static int
control_mkdir(const char *path, char **cause)
{
	char	*copy = xstrdup(path), *dir = dirname(copy);
	int	 rc = 0;

	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		xasprintf(cause, "cannot create %s: %s", dir, strerror(errno));
		rc = -1;
	}
	free(copy);
	return rc;
}

/* Listen on the control socket, see control.h. */
struct control *
control_listen(struct event_base *base, const char *path,
    control_handler handler, void *arg, char **cause)
{
	struct control		*ctl;
	struct sockaddr_un	 sun;
	mode_t			 mask;
	char			*other = NULL;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path) {
		xasprintf(cause, "control socket path %s is too long", path);
		return NULL;
	}
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
	if (control_mkdir(path, cause) != 0)
		return NULL;
	if (control_request(path, "ping", NULL, &other) == 0) {
		xasprintf(cause, "another jumpgate is running with control "
		    "socket %s", path);
		return NULL;
	}
	free(other);
	unlink(path);	/* stale: nobody answered */

	ctl = xcalloc(1, sizeof *ctl);
	ctl->path = xstrdup(path);
	ctl->handler = handler;
	ctl->arg = arg;
	mask = umask(0177);
	ctl->listener = evconnlistener_new_bind(base, control_accept_cb, ctl,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 16,
	    (struct sockaddr *)&sun, sizeof sun);
	umask(mask);
	if (ctl->listener == NULL) {
		xasprintf(cause, "cannot listen on control socket %s: %s", path,
		    strerror(errno));
		free(ctl->path);
		free(ctl);
		return NULL;
	}
	chmod(path, 0600);
	return ctl;
}

/* Stop listening and remove the socket. */
void
control_free(struct control *ctl)
{
	if (ctl == NULL)
		return;
	evconnlistener_free(ctl->listener);
	unlink(ctl->path);
	free(ctl->path);
	free(ctl);
}

/* Client side: send a command and copy the reply, see control.h. */
int
control_request(const char *path, const char *command, FILE *out,
    char **cause)
{
	struct sockaddr_un	 sun;
	struct pollfd		 pfd;
	char			 buf[4096];
	ssize_t			 n;
	int			 fd;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		xasprintf(cause, "socket: %s", strerror(errno));
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		xasprintf(cause, "no jumpgate is answering on %s (%s)", path,
		    strerror(errno));
		close(fd);
		return -1;
	}
	if (dprintf(fd, "%s\n", command) < 0) {
		xasprintf(cause, "cannot send to %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	pfd.fd = fd;
	pfd.events = POLLIN;
	for (;;) {
		if (poll(&pfd, 1, CONTROL_TIMEOUT * 1000) != 1) {
			xasprintf(cause, "no reply from %s within %d s", path,
			    CONTROL_TIMEOUT);
			close(fd);
			return -1;
		}
		if ((n = read(fd, buf, sizeof buf)) <= 0)
			break;
		if (out != NULL)
			fwrite(buf, 1, n, out);
	}
	close(fd);
	return 0;
}

/* The control socket: status and reload for jumpgate's own user. */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
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
#include "safefile.h"
#include "vis.h"
#include "xmalloc.h"

/* A client must send its command and read its reply within this. */
#define CONTROL_TIMEOUT		10

struct control {
	struct evconnlistener	*listener;
	char			*path;
	int			 dirfd;		/* the socket's directory */
	char			*leaf;		/* its name there */
	control_handler		 handler;
	void			*arg;
};

/* The control socket path for a config: its setting or the default. */
char *
control_path(const struct config *config)
{
	char		*copy, *name, *dot, *path, *dir;

	if (config->control_socket != NULL)
		return xstrdup(config->control_socket);
	copy = xstrdup(config->path);
	name = basename(copy);
	if ((dot = strrchr(name, '.')) != NULL && strcmp(dot, ".ini") == 0)
		*dot = '\0';
	dir = control_default_dir();
	xasprintf(&path, "%s/%s.sock", dir, name);
	free(dir);
	free(copy);
	return path;
}

/* The directory of default control sockets, see control.h. */
char *
control_default_dir(void)
{
	const char	*runtime = getenv("XDG_RUNTIME_DIR");
	char		*dir;

	if (runtime != NULL && *runtime == '/')
		xasprintf(&dir, "%s/jumpgate", runtime);
	else
		dir = xstrdup("/run/jumpgate");
	return dir;
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

/* The request lines, indexed by enum control_command. */
static const char *control_commands[] = {
	[CONTROL_PING] = "ping",
	[CONTROL_STATUS] = "status",
	[CONTROL_STATUS_JSON] = "status json",
	[CONTROL_RELOAD] = "reload",
	[CONTROL_INFO] = "info"
};

/* The request line of CMD. */
const char *
control_command_name(enum control_command cmd)
{
	return control_commands[cmd];
}

/* Take one request from what a client sent, see control.h. */
int
control_take(struct evbuffer *in, enum control_command *cmd, char **error)
{
	char	*line, *shown;
	size_t	 len, i;

	*error = NULL;
	line = evbuffer_readln(in, &len, EVBUFFER_EOL_LF);
	if (line == NULL)
		return evbuffer_get_length(in) > CONTROL_MAX_LINE ? -1 : 0;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len > CONTROL_MAX_LINE) {
		xasprintf(error, "error: command too long (at most %d bytes)\n",
		    CONTROL_MAX_LINE);
		free(line);
		return 1;
	}
	for (i = 0; i < sizeof control_commands / sizeof control_commands[0];
	    i++) {
		if (strlen(control_commands[i]) == len &&
		    memcmp(control_commands[i], line, len) == 0) {
			*cmd = (enum control_command)i;
			free(line);
			return 1;
		}
	}
	shown = vis_dup(line, len, 0);
	xasprintf(error, "error: unknown command '%s' (expected ping, status, "
	    "status json, reload or info)\n", shown);
	free(shown);
	free(line);
	return 1;
}

/* A command line arrived: answer it. */
static void
control_client_read_cb(struct bufferevent *bev, void *arg)
{
	struct control		*ctl = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);
	struct evbuffer		*out = bufferevent_get_output(bev);
	struct evbuffer		*body;
	enum control_command	 cmd;
	char			*error;
	int			 rc, failed;

	if ((rc = control_take(in, &cmd, &error)) == -1) {
		bufferevent_free(bev);
		return;
	}
	if (rc == 0)
		return;
	bufferevent_disable(bev, EV_READ);
	if ((body = evbuffer_new()) == NULL) {
		free(error);
		bufferevent_free(bev);
		return;
	}
	if (error != NULL) {
		evbuffer_add(body, error, strlen(error));
		free(error);
		failed = 1;
	} else
		failed = ctl->handler(cmd, body, ctl->arg) != 0;
	/* The status line first: the client decides from it alone. */
	evbuffer_add_printf(out, "%s\n", failed ? "error" : "ok");
	evbuffer_add_buffer(out, body);
	evbuffer_free(body);
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

/* Open the directory of control sockets, see control.h. */
int
control_open_dir(const char *dir, int create, char **cause)
{
	struct stat	 sb;
	char		*leaf = NULL, *why = NULL;
	int		 pfd, fd = -1;

	*cause = NULL;
	if ((pfd = safefile_open_dir(dir, SAFEFILE_FOLLOW_LEAF, &leaf,
	    &why)) == -1) {
		xasprintf(cause, "refusing control socket directory %s: %s",
		    dir, why);
		goto out;
	}
	if (create && mkdirat(pfd, leaf, 0700) == -1 && errno != EEXIST) {
		xasprintf(cause, "cannot create %s: %s", dir, strerror(errno));
		goto out;
	}
	/* To create in it, searching is enough; to list it, read it. */
	if ((fd = openat(pfd, leaf, (create ? O_PATH : O_RDONLY)|O_DIRECTORY|
	    O_NOFOLLOW|O_CLOEXEC)) == -1 || fstat(fd, &sb) == -1) {
		if (create || errno != ENOENT)
			xasprintf(cause, "%s: %s", dir, strerror(errno));
		if (fd != -1)
			close(fd);
		fd = -1;
		goto out;
	}
	if (sb.st_uid != geteuid() || (sb.st_mode & (S_IWGRP|S_IWOTH))) {
		xasprintf(cause, "refusing control socket directory %s: it is "
		    "mode %04o and belongs to uid %ld; it must belong to you "
		    "(uid %ld) and be writable by you only: fix it (chown, "
		    "chmod 700 %s) or set control_socket to a path in a "
		    "directory of your own", dir,
		    (unsigned)(sb.st_mode & 07777), (long)sb.st_uid,
		    (long)geteuid(), dir);
		close(fd);
		fd = -1;
	}
out:
	if (pfd != -1)
		close(pfd);
	free(why);
	free(leaf);
	return fd;
}

/*
 * Open the directory of the socket at PATH, creating it if need be (see
 * control_open_dir): then nobody else can put or swap anything in it, and
 * binding by path is safe. Returns its descriptor, or -1 with *CAUSE.
 */
static int
control_open_socket_dir(const char *path, char **cause)
{
	char	*copy = xstrdup(path), *dir = dirname(copy);
	int	 fd;

	if (strcmp(dir, "/") == 0 || strcmp(dir, ".") == 0) {
		xasprintf(cause, "control socket %s: put it in a directory of "
		    "its own (the default is $XDG_RUNTIME_DIR/jumpgate/ or "
		    "/run/jumpgate/)", path);
		free(copy);
		return -1;
	}
	fd = control_open_dir(dir, 1, cause);
	free(copy);
	return fd;
}

/* Listen on the control socket, see control.h. */
struct control *
control_listen(struct event_base *base, const char *path,
    control_handler handler, void *arg, char **cause)
{
	struct control		*ctl;
	struct sockaddr_un	 sun;
	struct stat		 sb;
	mode_t			 mask;
	char			*other = NULL, *copy, *leaf;
	int			 dirfd, rc;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path) {
		xasprintf(cause, "control socket path %s is too long", path);
		return NULL;
	}
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
	if ((dirfd = control_open_socket_dir(path, cause)) == -1)
		return NULL;
	copy = xstrdup(path);
	leaf = xstrdup(basename(copy));
	free(copy);
	/* Whatever answers is alive, even a jumpgate of another version. */
	rc = control_request(path, "ping", NULL, &other);
	if (rc == CONTROL_OK || rc == CONTROL_ERROR ||
	    rc == CONTROL_BADREPLY) {
		free(other);
		xasprintf(cause, "another jumpgate is running with control "
		    "socket %s", path);
		goto fail;
	}
	free(other);
	/* Stale: nobody of ours answered. Remove only a socket. */
	if (fstatat(dirfd, leaf, &sb, AT_SYMLINK_NOFOLLOW) == 0) {
		if (!S_ISSOCK(sb.st_mode)) {
			xasprintf(cause, "%s exists and is not a socket: "
			    "remove it or set control_socket to another path",
			    path);
			goto fail;
		}
		unlinkat(dirfd, leaf, 0);
	}

	ctl = xcalloc(1, sizeof *ctl);
	ctl->path = xstrdup(path);
	ctl->dirfd = dirfd;
	ctl->leaf = leaf;
	ctl->handler = handler;
	ctl->arg = arg;
	/* The socket is created 0600: no chmod by path after bind. */
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
		goto fail;
	}
	return ctl;

fail:
	close(dirfd);
	free(leaf);
	return NULL;
}

/* Stop listening and remove the socket. */
void
control_free(struct control *ctl)
{
	if (ctl == NULL)
		return;
	evconnlistener_free(ctl->listener);
	unlinkat(ctl->dirfd, ctl->leaf, 0);
	close(ctl->dirfd);
	free(ctl->leaf);
	free(ctl->path);
	free(ctl);
}

/* Listen again from this process, see control.h. */
int
control_claim(struct control *ctl)
{
	return listen(evconnlistener_get_fd(ctl->listener), 16);
}

/*
 * Check the status line at the start of REPLY (LEN bytes). Returns
 * CONTROL_OK or CONTROL_ERROR with *SKIP set to the bytes of that line, or
 * CONTROL_BADREPLY.
 */
static enum control_result
control_status_line(const char *reply, size_t len, size_t *skip)
{
	if (len >= 3 && memcmp(reply, "ok\n", 3) == 0) {
		*skip = 3;
		return CONTROL_OK;
	}
	if (len >= 6 && memcmp(reply, "error\n", 6) == 0) {
		*skip = 6;
		return CONTROL_ERROR;
	}
	return CONTROL_BADREPLY;
}

/* Client side: send a command and copy the reply, see control.h. */
enum control_result
control_request(const char *path, const char *command, FILE *out,
    char **cause)
{
	long	peer;

	return control_request_peer(path, command, out, &peer, cause);
}

/* Client side, and who listens; see control.h. */
enum control_result
control_request_peer(const char *path, const char *command, FILE *out,
    long *peer, char **cause)
{
	struct sockaddr_un	 sun;
	struct pollfd		 pfd;
	struct ucred		 cred;
	socklen_t		 len = sizeof cred;
	char			*reply = NULL;
	size_t			 have = 0, skip = 0;
	ssize_t			 n;
	enum control_result	 result;
	int			 fd, saved;

	*peer = 0;
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		xasprintf(cause, "socket: %s", strerror(errno));
		return CONTROL_FAILED;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		saved = errno;
		xasprintf(cause, "no jumpgate is answering on %s (%s)", path,
		    strerror(saved));
		close(fd);
		return saved == ENOENT || saved == ECONNREFUSED ?
		    CONTROL_NOBODY : CONTROL_FAILED;
	}
	/* Only an instance of ours (or root's) is believed. */
	cred.uid = (uid_t)-1;
	cred.pid = 0;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1 ||
	    (cred.uid != geteuid() && cred.uid != 0)) {
		xasprintf(cause, "the process answering on %s runs as uid %ld, "
		    "not as you (uid %ld) or root: refusing to talk to it; "
		    "check who put that socket there", path, (long)cred.uid,
		    (long)geteuid());
		close(fd);
		return CONTROL_FAILED;
	}
	*peer = (long)cred.pid;
	if (dprintf(fd, "%s\n", command) < 0) {
		xasprintf(cause, "cannot send to %s: %s", path, strerror(errno));
		close(fd);
		return CONTROL_FAILED;
	}
	/* One byte more than allowed shows a reply that is too long. */
	reply = xmalloc(CONTROL_MAX_REPLY + 1);
	pfd.fd = fd;
	pfd.events = POLLIN;
	for (;;) {
		if (poll(&pfd, 1, CONTROL_TIMEOUT * 1000) != 1) {
			xasprintf(cause, "no reply from %s within %d s", path,
			    CONTROL_TIMEOUT);
			result = CONTROL_FAILED;
			goto out;
		}
		n = read(fd, reply + have, CONTROL_MAX_REPLY + 1 - have);
		if (n <= 0)
			break;
		have += (size_t)n;
		if (have > CONTROL_MAX_REPLY) {
			xasprintf(cause, "the reply from %s is longer than %d "
			    "bytes: refusing it", path, CONTROL_MAX_REPLY);
			result = CONTROL_FAILED;
			goto out;
		}
	}
	if ((result = control_status_line(reply, have, &skip)) ==
	    CONTROL_BADREPLY) {
		xasprintf(cause, "the reply from %s does not start with \"ok\" "
		    "or \"error\": is it a jumpgate of this version (%s)? "
		    "restart it", path, PACKAGE_VERSION);
		goto out;
	}
	if (out != NULL)
		fwrite(reply + skip, 1, have - skip, out);
out:
	free(reply);
	close(fd);
	return result;
}

/*
 * The running daemon: builds hops and tunnels from a config, answers the
 * control socket, reloads (keeping what did not change), and stops by
 * draining live connections.
 */
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/dns.h>
#include <event2/event.h>

#include "config.h"
#include "conn.h"
#include "control.h"
#include "hop.h"
#include "info.h"
#include "log.h"
#include "logfile.h"
#include "notify.h"
#include "registry.h"
#include "resume.h"
#include "runtime.h"
#include "safefile.h"
#include "status.h"
#include "tunnel.h"
#include "xmalloc.h"

/* How often a draining stop looks whether connections are done. */
#define RUNTIME_DRAIN_POLL_MS	100
/* How often STATUS= goes to systemd. */
#define RUNTIME_STATUS_SECONDS	5
/* Descriptors not available to connections: hops, listeners, logs, DNS. */
#define RUNTIME_FD_RESERVED	16
/* Below this descriptor limit the log says it caps the connections. */
#define RUNTIME_FD_WANTED	16384
/* After sleep or a network change, a hop must answer within this. */
#define RUNTIME_RESUME_PROBE_MS	1000

/* Stop on the first two, reload on SIGHUP. */
static const int runtime_signals[] = { SIGINT, SIGTERM, SIGHUP };
#define RUNTIME_NSIGNALS \
	(sizeof runtime_signals / sizeof runtime_signals[0])

struct runtime {
	const char		*path;
	struct config		*config;
	struct event_base	*base;
	struct evdns_base	*dns;
	struct hop		**hops;		/* outer hops first */
	const struct config_hop	**hop_confs;
	size_t			 nhops;
	struct tunnel		**tunnels;
	size_t			 ntunnels;
	struct control		*control;
	struct registry		*registry;	/* for "jumpgate list" */
	char			*name;		/* the file's, without .ini */
	time_t			 started;
	char			*pidfile;	/* its name in pidfile_dir */
	int			 pidfile_dir;
	struct event		*ev_signals[RUNTIME_NSIGNALS];
	struct event		*ev_drain;
	struct event		*ev_status;
	struct resume		*resume;	/* sleep, network changes */
	int			 stopping;
	struct timespec		 stop_started;
};

static void	runtime_finish(struct runtime *);

/* Return the runtime hop of CONF among N hops; NULL if none. */
static struct hop *
runtime_find_hop(struct hop **hops, const struct config_hop **confs,
    size_t n, const struct config_hop *conf)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (confs[i] == conf)
			return hops[i];
	}
	return NULL;
}

/* Append a hop to the runtime's list. */
static void
runtime_add_hop(struct runtime *rt, struct hop *hop,
    const struct config_hop *conf)
{
	rt->hops = xreallocarray(rt->hops, rt->nhops + 1, sizeof *rt->hops);
	rt->hop_confs = xreallocarray(rt->hop_confs, rt->nhops + 1,
	    sizeof *rt->hop_confs);
	rt->hops[rt->nhops] = hop;
	rt->hop_confs[rt->nhops++] = conf;
}

/*
 * Give every hop of the config a runtime hop, outer hops first: reuse
 * KEPT[i] (the old hop matching the config's i-th hop, or NULL) and create
 * and start the others.
 */
static void
runtime_build_hops(struct runtime *rt, struct hop **kept)
{
	struct config_hop	*ch;
	struct hop		*hop, *outer;
	int			 depth;
	size_t			 i;

	for (depth = 1; depth <= CONFIG_MAX_CHAIN; depth++) {
		i = 0;
		TAILQ_FOREACH(ch, &rt->config->hops, entry) {
			hop = kept != NULL ? kept[i] : NULL;
			i++;
			if (ch->depth != depth)
				continue;
			if (hop == NULL) {
				outer = ch->via_hop == NULL ? NULL :
				    runtime_find_hop(rt->hops, rt->hop_confs,
				    rt->nhops, ch->via_hop);
				hop = hop_new(rt->base, rt->dns, ch, outer);
				if (!ch->lazy)
					hop_start(hop);
			}
			runtime_add_hop(rt, hop, ch);
		}
	}
}

/*
 * Create and start a tunnel. A local listen address that cannot be bound
 * is an error for a required tunnel at start-up (returns -1); otherwise it
 * is retried. Problems are logged and, with REPORT, reported there.
 */
static int
runtime_start_tunnel(struct runtime *rt, struct config_tunnel *ct,
    int startup, struct evbuffer *report)
{
	struct tunnel	*t;
	char		*cause;
	int		 rc = 0;

	t = tunnel_new(rt->base, rt->dns, ct, runtime_find_hop(rt->hops,
	    rt->hop_confs, rt->nhops, ct->hop));
	rt->tunnels = xreallocarray(rt->tunnels, rt->ntunnels + 1,
	    sizeof *rt->tunnels);
	rt->tunnels[rt->ntunnels++] = t;
	if (tunnel_start(t, &cause) == 0)
		return 0;
	tunnel_set_error(t, cause);
	if (startup && ct->required) {
		log_error("tunnel %s: %s (required = yes: set required = no to "
		    "start without it and retry)", ct->name, cause);
		rc = -1;
	} else {
		log_warn("tunnel %s: %s; retrying%s", ct->name, cause,
		    startup ? " (required = no)" : "");
		if (report != NULL)
			evbuffer_add_printf(report, "tunnel %s: %s; retrying\n",
			    ct->name, cause);
		tunnel_retry(t);
	}
	free(cause);
	return rc;
}

/* The name of the configuration at PATH: its file name without .ini. */
static char *
runtime_name(const char *path)
{
	const char	*slash = strrchr(path, '/');
	char		*name = xstrdup(slash != NULL ? slash + 1 : path);
	size_t		 len = strlen(name);

	if (len > 4 && strcmp(name + len - 4, ".ini") == 0)
		name[len - 4] = '\0';
	return name;
}

/*
 * Whether an instance already answers on CONTROL, the control socket of
 * PATH: then starting again would only find its ports taken, so say who
 * runs it instead. Returns 1 if one does (logged), else 0.
 */
static int
runtime_already_running(const char *path, const char *control)
{
	char	*reply = NULL, *cause = NULL;
	size_t	 len = 0;
	long	 pid = 0;
	FILE	*out;
	int	 rc;

	if ((out = open_memstream(&reply, &len)) == NULL)
		fatal("out of memory");
	rc = control_request(control, "ping", out, &cause);
	fclose(out);
	free(cause);
	if (rc != CONTROL_OK && rc != CONTROL_BADREPLY) {
		free(reply);
		return 0;
	}
	if (rc == CONTROL_OK && sscanf(reply, "pong %ld", &pid) == 1 &&
	    pid > 0)
		log_error("%s is already running: jumpgate pid %ld answers on "
		    "control socket %s; see it with 'jumpgate status %s', "
		    "apply changes with 'jumpgate reload %s', or stop it "
		    "(kill -TERM %ld) before starting it again", path, pid,
		    control, path, path, pid);
	else
		log_error("%s is already running: a jumpgate answers on "
		    "control socket %s; stop it before starting it again",
		    path, control);
	free(reply);
	return 1;
}

/*
 * Load the file again. Returns the new config, or NULL after reporting
 * every error to OUT and the log.
 */
static struct config *
runtime_reload_load(struct runtime *rt, struct evbuffer *out)
{
	struct config	*next;
	char		*errors = NULL, *line, *save;
	size_t		 len;
	int		 nerrors = 0;
	FILE		*f;

	if ((f = open_memstream(&errors, &len)) == NULL)
		fatal("out of memory");
	next = config_load(rt->path, f, &nerrors);
	fclose(f);
	if (next == NULL) {
		evbuffer_add_printf(out, "%s%s: %d error%s; still running the "
		    "previous configuration\n", errors, rt->path, nerrors,
		    nerrors == 1 ? "" : "s");
		for (line = strtok_r(errors, "\n", &save); line != NULL;
		    line = strtok_r(NULL, "\n", &save))
			log_error("reload: %s", line);
		log_error("reload of %s failed with %d error%s; still running "
		    "the previous configuration", rt->path, nerrors,
		    nerrors == 1 ? "" : "s");
	}
	free(errors);
	return next;
}

/*
 * Close the tunnels D does not keep (they close their clients), then the
 * hops, inner hops first; point kept tunnels at their new config. Kept
 * tunnels stay in TUNNELS, the others become NULL.
 */
static void
runtime_reload_close(struct runtime *rt, const struct config_diff *d,
    struct tunnel **tunnels, size_t ntunnels)
{
	const struct config_diff_tunnel	*dt;
	const struct config_diff_hop	*dh;
	size_t				 i;

	for (i = 0; i < ntunnels; i++) {
		dt = config_diff_tunnel(d, tunnel_config(tunnels[i]));
		if (dt->action == CONFIG_KEEP) {
			tunnel_set_config(tunnels[i], dt->new);
			continue;
		}
		log_info("tunnel %s: %s by reload", dt->old->name,
		    dt->action == CONFIG_REMOVE ? "removed" : "changed");
		tunnel_free(tunnels[i]);
		tunnels[i] = NULL;
	}
	for (i = rt->nhops; i > 0; i--) {
		dh = config_diff_hop(d, rt->hop_confs[i - 1]);
		if (dh->action == CONFIG_KEEP)
			continue;
		hop_shutdown(rt->hops[i - 1], dh->action == CONFIG_REMOVE ?
		    "removed by reload" : "changed by reload");
		hop_free(rt->hops[i - 1]);
	}
}

/*
 * Apply D, the difference from the running config to NEXT: close what it
 * does not keep, switch to NEXT, start new and changed hops and tunnels.
 * Tunnels end up in NEXT's order, kept ones with their connections.
 */
static void
runtime_reload_apply(struct runtime *rt, struct config *next,
    const struct config_diff *d, struct evbuffer *out)
{
	const struct config_diff_hop	*dh;
	struct config_hop		*ch;
	struct config_tunnel		*ct;
	struct hop			**old_hops = rt->hops, **kept = NULL;
	const struct config_hop		**old_confs = rt->hop_confs;
	struct tunnel			**old_tunnels = rt->tunnels;
	size_t				 nold_hops = rt->nhops, j = 0, i;
	size_t				 nold_tunnels = rt->ntunnels;

	runtime_reload_close(rt, d, old_tunnels, nold_tunnels);
	TAILQ_FOREACH(ch, &next->hops, entry) {
		kept = xreallocarray(kept, j + 1, sizeof *kept);
		dh = config_diff_hop(d, ch);
		kept[j] = dh->action != CONFIG_KEEP ? NULL :
		    runtime_find_hop(old_hops, old_confs, nold_hops, dh->old);
		if (kept[j] != NULL)
			hop_set_config(kept[j], ch);
		j++;
	}
	rt->hops = NULL;
	rt->hop_confs = NULL;
	rt->nhops = 0;
	rt->tunnels = NULL;
	rt->ntunnels = 0;
	config_free(rt->config);
	rt->config = next;
	log_set_level(next->log_level);
	runtime_build_hops(rt, kept);

	TAILQ_FOREACH(ct, &next->tunnels, entry) {
		for (i = 0; i < nold_tunnels; i++) {
			if (old_tunnels[i] != NULL &&
			    tunnel_config(old_tunnels[i]) == ct)
				break;
		}
		if (i == nold_tunnels) {
			runtime_start_tunnel(rt, ct, 0, out);
			continue;
		}
		rt->tunnels = xreallocarray(rt->tunnels, rt->ntunnels + 1,
		    sizeof *rt->tunnels);
		rt->tunnels[rt->ntunnels++] = old_tunnels[i];
	}
	free(kept);
	free(old_hops);
	free(old_confs);
	free(old_tunnels);
}

/*
 * Reload the file: if it is invalid, keep everything and report every
 * error; else keep hops and tunnels whose settings (and whose chain) did
 * not change, with their sessions and live connections, close removed
 * ones, restart changed ones and start new ones. Returns 0 or -1.
 */
static int
runtime_reload(struct runtime *rt, struct evbuffer *out)
{
	struct config		*next;
	struct config_diff	*d;
	char			*summary;

	if ((next = runtime_reload_load(rt, out)) == NULL) {
		logfile_reopen(rt->config);
		return -1;
	}
	d = config_diff(rt->config, next);
	runtime_reload_apply(rt, next, d, out);
	logfile_reopen(rt->config);
	xasprintf(&summary, "hops %d kept, %d changed, %d added, %d removed; "
	    "tunnels %d kept, %d changed, %d added, %d removed",
	    d->hop_count[CONFIG_KEEP], d->hop_count[CONFIG_CHANGE],
	    d->hop_count[CONFIG_ADD], d->hop_count[CONFIG_REMOVE],
	    d->tunnel_count[CONFIG_KEEP], d->tunnel_count[CONFIG_CHANGE],
	    d->tunnel_count[CONFIG_ADD], d->tunnel_count[CONFIG_REMOVE]);
	evbuffer_add_printf(out, "%s: reloaded: %s\n", rt->path, summary);
	log_info("reloaded %s: %s", rt->path, summary);
	free(summary);
	config_diff_free(d);
	return 0;
}

/* Send systemd a one-line summary. */
static void
runtime_notify_status(struct runtime *rt)
{
	struct hop_status	hs;
	size_t			i, ready = 0;

	for (i = 0; i < rt->nhops; i++) {
		hop_get_status(rt->hops[i], &hs);
		if (hs.state == HOP_READY)
			ready++;
	}
	notify_send("STATUS=%zu/%zu hops ready, %zu tunnels, %d connections",
	    ready, rt->nhops, rt->ntunnels, conn_count(NULL));
}

/* Periodic STATUS= for systemd. */
static void
runtime_status_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	runtime_notify_status(arg);
}

/* After sleep or a network change: probe every hop at once. */
static void
runtime_resume_cb(const char *why, void *arg)
{
	struct runtime	*rt = arg;
	size_t		 i;

	if (rt->stopping)
		return;
	log_info("%s: probing %zu hop%s (an answer within %.1f s keeps a "
	    "session, else it reconnects)", why, rt->nhops,
	    rt->nhops == 1 ? "" : "s", RUNTIME_RESUME_PROBE_MS / 1000.0);
	for (i = 0; i < rt->nhops; i++)
		hop_network_changed(rt->hops[i], RUNTIME_RESUME_PROBE_MS, why);
}

/* The "info" reply: who this instance is and what it runs. */
static void
runtime_info(struct runtime *rt, struct evbuffer *out)
{
	struct hop_status	hs;
	struct info		info;
	size_t			i;

	memset(&info, 0, sizeof info);
	info.name = rt->name;
	info.file = (char *)rt->path;
	info.pid = (long)getpid();
	info.started = rt->started;
	for (i = 0; i < rt->nhops; i++) {
		hop_get_status(rt->hops[i], &hs);
		if (hs.state == HOP_READY)
			info.hops_ready++;
	}
	info.hops = (long)rt->nhops;
	info.tunnels = (long)rt->ntunnels;
	info.connections = conn_count(NULL);
	info.shutdown_timeout = rt->config->shutdown_timeout;
	info_write(out, &info);
}

/* Answer a control-socket command: 0 for "ok", -1 for "error". */
static int
runtime_command(enum control_command cmd, struct evbuffer *out, void *arg)
{
	struct runtime		*rt = arg;
	struct status_instance	 instance;

	switch (cmd) {
	case CONTROL_PING:
		/* The pid lets a second "run" of this file name its owner. */
		evbuffer_add_printf(out, "pong %ld\n", (long)getpid());
		return 0;
	case CONTROL_STATUS:
	case CONTROL_STATUS_JSON:
		instance.name = rt->name;
		instance.started = rt->started;
		status_write(out, &instance, rt->hops, rt->nhops, rt->tunnels,
		    rt->ntunnels, cmd == CONTROL_STATUS_JSON);
		return 0;
	case CONTROL_INFO:
		runtime_info(rt, out);
		return 0;
	case CONTROL_RELOAD:
		if (rt->stopping) {
			evbuffer_add_printf(out, "%s: stopping; not "
			    "reloaded\n", rt->path);
			return -1;
		}
		if (runtime_reload(rt, out) != 0)
			return -1;
		runtime_notify_status(rt);
		return 0;
	}
	return -1;
}

/* Stopping: done when no connection is left or the time is up. */
static void
runtime_drain_cb(evutil_socket_t fd, short what, void *arg)
{
	struct runtime	*rt = arg;
	struct timespec	 now;
	struct timeval	 tv = { 0, RUNTIME_DRAIN_POLL_MS * 1000 };
	int		 left = conn_count(NULL);
	long		 ms;

	(void)fd;
	(void)what;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (now.tv_sec - rt->stop_started.tv_sec) * 1000 +
	    (now.tv_nsec - rt->stop_started.tv_nsec) / 1000000;
	if (left == 0) {
		log_info("all connections done after %.1f s", ms / 1000.0);
		runtime_finish(rt);
		return;
	}
	if (ms >= rt->config->shutdown_timeout * 1000L) {
		log_warn("cutting %d connection%s still open after "
		    "shutdown_timeout (%d s)", left, left == 1 ? "" : "s",
		    rt->config->shutdown_timeout);
		runtime_finish(rt);
		return;
	}
	evtimer_add(rt->ev_drain, &tv);
}

/* Stop for good: close what is left, say goodbye to servers, leave. */
static void
runtime_finish(struct runtime *rt)
{
	size_t	i;

	for (i = 0; i < rt->ntunnels; i++)
		tunnel_free(rt->tunnels[i]);
	rt->ntunnels = 0;
	for (i = rt->nhops; i > 0; i--)
		hop_shutdown(rt->hops[i - 1], "jumpgate is shutting down");
	control_free(rt->control);
	rt->control = NULL;
	registry_remove(rt->registry);
	rt->registry = NULL;
	event_base_loopexit(rt->base, NULL);
}

/*
 * SIGTERM/SIGINT: stop taking connections (remote forwards are cancelled),
 * let live ones finish for up to shutdown_timeout, then finish. A second
 * signal finishes at once.
 */
static void
runtime_stop(struct runtime *rt, const char *why)
{
	size_t	i;

	if (rt->stopping) {
		log_info("%s again: not waiting for connections", why);
		evtimer_del(rt->ev_drain);
		runtime_finish(rt);
		return;
	}
	rt->stopping = 1;
	notify_send("STOPPING=1");
	log_info("%s: shutting down: no new connections; %d open, waiting up "
	    "to %d s (shutdown_timeout)", why, conn_count(NULL),
	    rt->config->shutdown_timeout);
	for (i = 0; i < rt->ntunnels; i++)
		tunnel_stop(rt->tunnels[i]);
	for (i = 0; i < rt->nhops; i++)
		hop_kick(rt->hops[i]);	/* cancel-tcpip-forward goes out */
	clock_gettime(CLOCK_MONOTONIC, &rt->stop_started);
	runtime_drain_cb(-1, 0, rt);
}

/* Block (HOW = SIG_BLOCK) the signals the loop handles; *OLD gets the mask. */
static void
runtime_signals_mask(int how, sigset_t *old)
{
	sigset_t	set;
	size_t		i;

	sigemptyset(&set);
	for (i = 0; i < RUNTIME_NSIGNALS; i++)
		sigaddset(&set, runtime_signals[i]);
	if (sigprocmask(how, &set, old) != 0)
		fatal("sigprocmask: %s", strerror(errno));
}

/* Signals: stop on SIGTERM and SIGINT, reload on SIGHUP. */
static void
runtime_signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct runtime	*rt = arg;
	struct evbuffer	*out;

	(void)what;
	if (sig != SIGHUP) {
		runtime_stop(rt, strsignal(sig));
		return;
	}
	if (rt->stopping)
		return;
	log_info("SIGHUP: reloading %s", rt->path);
	if ((out = evbuffer_new()) == NULL)
		fatal("out of memory");
	if (runtime_reload(rt, out) == 0)
		runtime_notify_status(rt);
	evbuffer_free(out);
}

/* Create the DNS resolver, falling back to /etc/hosts only. */
struct evdns_base *
runtime_dns(struct event_base *base)
{
	struct evdns_base	*dns;

	dns = evdns_base_new(base, EVDNS_BASE_INITIALIZE_NAMESERVERS |
	    EVDNS_BASE_DISABLE_WHEN_INACTIVE);
	if (dns == NULL) {
		log_warn("cannot read /etc/resolv.conf; resolving from "
		    "/etc/hosts only");
		dns = evdns_base_new(base, EVDNS_BASE_DISABLE_WHEN_INACTIVE);
		if (dns == NULL)
			fatal("cannot create a DNS resolver");
		evdns_base_load_hosts(dns, NULL);
	}
	return dns;
}

/*
 * Detach from the terminal, log to syslog and write the pidfile. Where the
 * pidfile goes is checked before detaching, so that a refusal reaches the
 * terminal: its directory must be safe (safefile.h) and an old pidfile a
 * regular file; the pid is then written to a new file renamed over it.
 */
static int
runtime_detach(struct runtime *rt)
{
	const char	*path = rt->config->pidfile;
	char		*leaf = NULL, *cause = NULL, pid[32];
	int		 dirfd = -1;

	if (path != NULL && ((dirfd = safefile_open_dir(path, 0, &leaf,
	    &cause)) == -1 || safefile_check_file(dirfd, leaf, path,
	    &cause) == -1)) {
		log_error("refusing to write pidfile %s: %s", path, cause);
		free(cause);
		free(leaf);
		if (dirfd != -1)
			close(dirfd);
		return -1;
	}
	if (logfile_before_detach(rt->config) != 0) {
		free(leaf);
		if (dirfd != -1)
			close(dirfd);
		return -1;
	}
	if (daemon(0, 0) == -1) {
		log_error("cannot detach: %s", strerror(errno));
		free(leaf);
		if (dirfd != -1)
			close(dirfd);
		return -1;
	}
	event_reinit(rt->base);
	logfile_running(1);
	if (path == NULL)
		return 0;
	snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
	if (safefile_replace(dirfd, leaf, path, pid, strlen(pid),
	    S_IRUSR|S_IWUSR|S_IRGRP|S_IROTH, &cause) != 0) {
		log_error("cannot write pidfile: %s", cause);
		free(cause);
		free(leaf);
		close(dirfd);
		return -1;
	}
	rt->pidfile_dir = dirfd;
	rt->pidfile = leaf;
	return 0;
}

/*
 * Raise the descriptor limit to the hard limit: every forwarded connection
 * holds one socket. Says in the log how many connections that allows.
 */
static void
runtime_raise_fd_limit(void)
{
	struct rlimit		rl;
	rlim_t			before;
	unsigned long long	conns;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	before = rl.rlim_cur;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
			log_warn("cannot raise the file descriptor limit from "
			    "%llu to %llu: %s", (unsigned long long)before,
			    (unsigned long long)rl.rlim_max, strerror(errno));
			rl.rlim_cur = before;
		}
	}
	if (rl.rlim_cur == RLIM_INFINITY)
		return;
	conns = rl.rlim_cur > RUNTIME_FD_RESERVED ?
	    rl.rlim_cur - RUNTIME_FD_RESERVED : 0;
	if (rl.rlim_cur < RUNTIME_FD_WANTED) {
		log_warn("file descriptor limit %llu (hard limit %llu) caps "
		    "jumpgate at about %llu concurrent connections; raise the "
		    "hard limit (ulimit -Hn, LimitNOFILE= in the unit) for "
		    "more", (unsigned long long)rl.rlim_cur,
		    (unsigned long long)rl.rlim_max, conns);
	} else {
		log_info("file descriptor limit %llu (was %llu): about %llu "
		    "concurrent connections", (unsigned long long)rl.rlim_cur,
		    (unsigned long long)before, conns);
	}
}

/* Load PATH and run until stopped, see runtime.h. */
int
runtime_run(const char *path, int detach)
{
	struct runtime		 rt;
	struct config_tunnel	*ct;
	struct timeval		 tv = { RUNTIME_STATUS_SECONDS, 0 };
	sigset_t		 old_mask;
	char			*cause, *control, *resolved;
	size_t			 i;
	int			 failed = 0, nerrors = 0;

	memset(&rt, 0, sizeof rt);
	/* Reload must find the file after run -d changed directory. */
	resolved = realpath(path, NULL);
	rt.path = resolved != NULL ? resolved : path;
	if ((rt.config = config_load(path, stderr, &nerrors)) == NULL) {
		fprintf(stderr, "%s: %d error%s\n", path, nerrors,
		    nerrors == 1 ? "" : "s");
		free(resolved);
		return 1;
	}
	log_set_level(rt.config->log_level);
	rt.name = runtime_name(path);
	rt.started = time(NULL);
	control = control_path(rt.config);
	if (runtime_already_running(path, control)) {
		log_error("%s: cannot start", path);
		free(control);
		config_free(rt.config);
		free(rt.name);
		free(resolved);
		return 1;
	}
	if (logfile_start(rt.config) != 0) {
		fprintf(stderr, "%s: cannot start\n", path);
		free(control);
		config_free(rt.config);
		free(rt.name);
		free(resolved);
		return 1;
	}
	runtime_raise_fd_limit();
	signal(SIGPIPE, SIG_IGN);
	/*
	 * Tunnels listen (and say so) before the loop's signal events exist:
	 * a SIGTERM in between waits for them instead of killing the process
	 * without a drain or a removed control socket. If start-up fails the
	 * signals stay blocked: the process is ending anyway.
	 */
	runtime_signals_mask(SIG_BLOCK, &old_mask);
	hop_library_init();
	if ((rt.base = event_base_new()) == NULL)
		fatal("cannot create the event loop");
	rt.dns = runtime_dns(rt.base);

	runtime_build_hops(&rt, NULL);
	TAILQ_FOREACH(ct, &rt.config->tunnels, entry) {
		if (runtime_start_tunnel(&rt, ct, 1, NULL) != 0)
			failed = 1;
	}
	if (!failed) {
		rt.control = control_listen(rt.base, control, runtime_command,
		    &rt, &cause);
		if (rt.control == NULL) {
			log_error("%s", cause);
			free(cause);
			failed = 1;
		}
	}
	if (!failed && detach && runtime_detach(&rt) != 0)
		failed = 1;
	/* jumpgate stop checks the pid "info" gives against the kernel's. */
	if (!failed && detach && control_claim(rt.control) != 0)
		log_warn("control socket %s: cannot listen again after "
		    "detaching (%s): jumpgate stop will refuse to stop this "
		    "instance; use kill -TERM %ld", control, strerror(errno),
		    (long)getpid());
	if (failed) {
		log_error("%s: cannot start", path);
	} else {
		for (i = 0; i < RUNTIME_NSIGNALS; i++) {
			rt.ev_signals[i] = evsignal_new(rt.base,
			    runtime_signals[i], runtime_signal_cb, &rt);
			if (rt.ev_signals[i] == NULL)
				fatal("cannot set up signal handling");
			evsignal_add(rt.ev_signals[i], NULL);
		}
		sigprocmask(SIG_SETMASK, &old_mask, NULL);
		rt.ev_drain = evtimer_new(rt.base, runtime_drain_cb, &rt);
		rt.ev_status = event_new(rt.base, -1, EV_PERSIST,
		    runtime_status_cb, &rt);
		if (rt.ev_drain == NULL || rt.ev_status == NULL)
			fatal("out of memory");
		event_add(rt.ev_status, &tv);
		rt.resume = resume_new(rt.base, RESUME_NETLINK,
		    runtime_resume_cb, &rt);
		notify_init(rt.base);
		rt.registry = registry_add(control, &cause);
		if (rt.registry == NULL && cause != NULL) {
			log_warn("%s", cause);
			free(cause);
		}
		log_info("jumpgate %s running %s: %zu hop%s, %zu tunnel%s; "
		    "control socket %s", PACKAGE_VERSION, path, rt.nhops,
		    rt.nhops == 1 ? "" : "s", rt.ntunnels,
		    rt.ntunnels == 1 ? "" : "s", control);
		if (!detach)
			logfile_running(0);
		notify_send("READY=1");
		runtime_notify_status(&rt);
		event_base_dispatch(rt.base);
		for (i = 0; i < RUNTIME_NSIGNALS; i++)
			event_free(rt.ev_signals[i]);
		event_free(rt.ev_drain);
		event_free(rt.ev_status);
		resume_free(rt.resume);
		notify_free();
	}
	free(control);

	for (i = 0; i < rt.ntunnels; i++)
		tunnel_free(rt.tunnels[i]);
	for (i = rt.nhops; i > 0; i--)
		hop_free(rt.hops[i - 1]);
	control_free(rt.control);
	registry_remove(rt.registry);
	if (rt.pidfile != NULL) {
		unlinkat(rt.pidfile_dir, rt.pidfile, 0);
		close(rt.pidfile_dir);
		free(rt.pidfile);
	}
	free(rt.tunnels);
	free(rt.hops);
	free(rt.hop_confs);
	free(rt.name);
	evdns_base_free(rt.dns, 1);
	event_base_free(rt.base);
	hop_library_exit();
	config_free(rt.config);
	if (!failed)
		log_info("stopped");
	free(resolved);
	return failed;
}

/* jumpgate: bastion-aware SSH tunnel manager. Commands and the run loop. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/dns.h>
#include <event2/event.h>
#include <libssh2.h>

#include "config.h"
#include "hop.h"
#include "log.h"
#include "tunnel.h"
#include "xmalloc.h"

struct runtime {
	struct config		*config;
	struct event_base	*base;
	struct evdns_base	*dns;
	struct hop		**hops;		/* outer hops first */
	const struct config_hop	**hop_confs;
	size_t			 nhops;
	struct tunnel		**tunnels;
	size_t			 ntunnels;
	int			 stopping;
};

/* Print usage and exit. */
static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr,
	    "usage: jumpgate check FILE   validate a configuration file\n"
	    "       jumpgate run FILE     run the tunnels in the foreground\n"
	    "       jumpgate version      print the version\n");
	exit(2);
}

/* Load FILE, printing every problem; returns NULL on failure. */
static struct config *
main_load(const char *path)
{
	struct config	*config;
	int		 nerrors = 0;

	config = config_load(path, stderr, &nerrors);
	if (config == NULL)
		fprintf(stderr, "%s: %d error%s\n", path, nerrors,
		    nerrors == 1 ? "" : "s");
	return config;
}

/* jumpgate check FILE. */
static int
main_check(const char *path)
{
	struct config	*config;

	if ((config = main_load(path)) == NULL)
		return 1;
	printf("%s: OK\n", path);
	config_free(config);
	return 0;
}

/* Return the runtime hop for a configured hop. */
static struct hop *
main_hop_for(struct runtime *rt, const struct config_hop *conf)
{
	size_t	i;

	for (i = 0; i < rt->nhops; i++) {
		if (rt->hop_confs[i] == conf)
			return rt->hops[i];
	}
	fatal("internal error: no hop %s", conf->name);
}

/* Create the hops, outer ones first (each inner hop needs its outer). */
static void
main_create_hops(struct runtime *rt)
{
	struct config_hop	*ch;
	struct hop		*outer;
	int			 depth;

	for (depth = 1; depth <= CONFIG_MAX_CHAIN; depth++) {
		TAILQ_FOREACH(ch, &rt->config->hops, entry) {
			if (ch->depth != depth)
				continue;
			outer = ch->via_hop == NULL ? NULL :
			    main_hop_for(rt, ch->via_hop);
			rt->hops = xreallocarray(rt->hops, rt->nhops + 1,
			    sizeof *rt->hops);
			rt->hop_confs = xreallocarray(rt->hop_confs,
			    rt->nhops + 1, sizeof *rt->hop_confs);
			rt->hops[rt->nhops] = hop_new(rt->base, rt->dns, ch,
			    outer);
			rt->hop_confs[rt->nhops++] = ch;
		}
	}
}

/* SIGINT/SIGTERM: stop listening, close connections, leave the loop. */
static void
main_signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct runtime	*rt = arg;
	size_t		 i;

	(void)what;
	if (rt->stopping)
		return;
	rt->stopping = 1;
	log_info("received %s: shutting down", strsignal(sig));
	for (i = 0; i < rt->ntunnels; i++) {
		tunnel_free(rt->tunnels[i]);
		rt->tunnels[i] = NULL;
	}
	for (i = rt->nhops; i > 0; i--)
		hop_shutdown(rt->hops[i - 1]);
	event_base_loopexit(rt->base, NULL);
}

/* Create the DNS resolver, falling back to /etc/hosts only. */
static struct evdns_base *
main_dns(struct event_base *base)
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

/* jumpgate run FILE. */
static int
main_run(const char *path)
{
	struct runtime		 rt;
	struct config_tunnel	*ct;
	struct event		*ev_int, *ev_term;
	char			*cause;
	size_t			 i;
	int			 failed = 0;

	memset(&rt, 0, sizeof rt);
	if ((rt.config = main_load(path)) == NULL)
		return 1;
	log_set_level(rt.config->log_level);
	signal(SIGPIPE, SIG_IGN);
	if (libssh2_init(0) != 0)
		fatal("cannot initialise libssh2");
	if ((rt.base = event_base_new()) == NULL)
		fatal("cannot create the event loop");
	rt.dns = main_dns(rt.base);

	main_create_hops(&rt);
	TAILQ_FOREACH(ct, &rt.config->tunnels, entry) {
		rt.tunnels = xreallocarray(rt.tunnels, rt.ntunnels + 1,
		    sizeof *rt.tunnels);
		rt.tunnels[rt.ntunnels] = tunnel_new(rt.base, rt.dns, ct,
		    main_hop_for(&rt, ct->hop));
		if (tunnel_start(rt.tunnels[rt.ntunnels], &cause) != 0) {
			if (ct->required) {
				log_error("tunnel %s: %s (required = yes: set "
				    "required = no to start without it and "
				    "retry)", ct->name, cause);
				failed = 1;
			} else {
				log_warn("tunnel %s: %s; retrying (required = "
				    "no)", ct->name, cause);
				tunnel_retry(rt.tunnels[rt.ntunnels]);
			}
			free(cause);
		}
		rt.ntunnels++;
	}
	if (failed) {
		log_error("%s: cannot start: a tunnel could not listen",
		    path);
	} else {
		ev_int = evsignal_new(rt.base, SIGINT, main_signal_cb, &rt);
		ev_term = evsignal_new(rt.base, SIGTERM, main_signal_cb, &rt);
		if (ev_int == NULL || ev_term == NULL)
			fatal("cannot set up signal handling");
		evsignal_add(ev_int, NULL);
		evsignal_add(ev_term, NULL);
		for (i = 0; i < rt.nhops; i++) {
			if (!rt.hop_confs[i]->lazy)
				hop_start(rt.hops[i]);
		}
		log_info("jumpgate %s running %s: %zu hop%s, %zu tunnel%s",
		    PACKAGE_VERSION, path, rt.nhops, rt.nhops == 1 ? "" : "s",
		    rt.ntunnels, rt.ntunnels == 1 ? "" : "s");
		event_base_dispatch(rt.base);
		event_free(ev_int);
		event_free(ev_term);
	}

	for (i = 0; i < rt.ntunnels; i++) {
		if (rt.tunnels[i] != NULL)
			tunnel_free(rt.tunnels[i]);
	}
	for (i = rt.nhops; i > 0; i--)
		hop_free(rt.hops[i - 1]);
	free(rt.tunnels);
	free(rt.hops);
	free(rt.hop_confs);
	evdns_base_free(rt.dns, 1);
	event_base_free(rt.base);
	libssh2_exit();
	config_free(rt.config);
	if (!failed)
		log_info("stopped");
	return failed;
}

/* Entry point: dispatch the command. */
int
main(int argc, char **argv)
{
	if (argc == 2 && (strcmp(argv[1], "version") == 0 ||
	    strcmp(argv[1], "--version") == 0)) {
		printf("jumpgate %s (libssh2 %s)\n", PACKAGE_VERSION,
		    libssh2_version(0));
		return 0;
	}
	if (argc != 3)
		usage();
	if (strcmp(argv[1], "check") == 0)
		return main_check(argv[2]);
	if (strcmp(argv[1], "run") == 0)
		return main_run(argv[2]);
	usage();
}

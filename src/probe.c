/*
 * jumpgate probe: the server's version line and KEXINIT, read without
 * authenticating, and whether this build can talk to it.
 */
#include <stdio.h>
#include <stdlib.h>

#include <event2/dns.h>
#include <event2/event.h>

#include "algcheck.h"
#include "attempt.h"
#include "handshake.h"
#include "kexinit.h"
#include "log.h"
#include "reach.h"
#include "runtime.h"
#include "scan.h"
#include "server.h"
#include "vis.h"
#include "xmalloc.h"

/* jumpgate probe. */
int
probe_main(const struct scan_options *o)
{
	struct event_base	*base;
	struct evdns_base	*dns;
	struct reach		*r;
	struct handshake	*h;
	const struct kexinit	*k;
	const char		*why, *v;
	char			*host, *cause, *who, *version;
	int			 port, i, rc;

	if (reach_parse_target(o->targets[0], &host, &port, &why) != 0) {
		fprintf(stderr, "jumpgate probe: '%s': %s\n", o->targets[0],
		    why);
		return 2;
	}
	if ((base = event_base_new()) == NULL)
		fatal("cannot create the event loop");
	dns = runtime_dns(base);
	if ((r = reach_new(base, dns, o->via, o->config, &cause)) == NULL) {
		fprintf(stderr, "jumpgate probe: %s\n", cause);
		free(cause);
		evdns_base_free(dns, 1);
		event_base_free(base);
		free(host);
		return 2;
	}
	h = handshake_new(0, NULL);
	if (attempt_run(base, r, host, port, o->timeout, h, &cause) != 0) {
		fprintf(stderr, "jumpgate probe: %s\n", cause);
		free(cause);
		rc = 2;
	} else {
		k = handshake_server_kexinit(h);
		version = vis_str(handshake_server_version(h));
		printf("# %s:%d %s%s%s\n", host, port, version,
		    o->via != NULL ? " through " : "",
		    o->via != NULL ? o->via : "");
		free(version);
		for (i = 0; i < KEXINIT_NLISTS; i++) {
			v = k->lists[i];
			printf("%s = %s\n", kexinit_list_name(i), v);
		}
		printf("first_kex_packet_follows = %d\n",
		    k->first_kex_packet_follows);
		xasprintf(&who, "%s:%d", host, port);
		rc = algcheck_report(k, who,
		    server_kind(handshake_server_version(h)), stdout);
		free(who);
	}
	handshake_free(h);
	reach_free(r);
	evdns_base_free(dns, 1);
	event_base_free(base);
	free(host);
	return rc;
}

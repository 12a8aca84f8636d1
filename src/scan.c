/*
 * jumpgate scan: one handshake per host-key type the server offers (the
 * first connection learns the list), each key verified by the server's
 * signature; prints known_hosts lines and host_key pins. Nothing is
 * authenticated on the scanned server.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/dns.h>
#include <event2/event.h>
#include <openssl/evp.h>

#include "attempt.h"
#include "fingerprint.h"
#include "handshake.h"
#include "hostsig.h"
#include "kexinit.h"
#include "knownhosts.h"
#include "log.h"
#include "reach.h"
#include "runtime.h"
#include "scan.h"
#include "server.h"
#include "wire.h"
#include "vis.h"
#include "xmalloc.h"

#define SCAN_MAX_KEYS	8
#define SCAN_MAX_TIMEOUT 3600

struct scan_key {
	char		*alg;
	unsigned char	*blob;
	size_t		 bloblen;
};

/* Parse scan's or probe's arguments, see scan.h. */
int
scan_parse_options(int argc, char **argv, int scan, struct scan_options *o)
{
	static const struct option longopts[] = {
		{ "hash", no_argument, NULL, 'H' },
		{ "known-hosts", no_argument, NULL, 'k' },
		{ "pins", no_argument, NULL, 'p' },
		{ "timeout", required_argument, NULL, 't' },
		{ "via", required_argument, NULL, 'v' },
		{ "config", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*cmd = scan ? "scan" : "probe";
	char		*end;
	long		 n;
	int		 ch;

	memset(o, 0, sizeof *o);
	o->timeout = SCAN_DEFAULT_TIMEOUT;
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'H':
		case 'k':
		case 'p':
			if (!scan)
				goto unknown;
			if (ch == 'H')
				o->hash = 1;
			else
				o->what |= ch == 'k' ? SCAN_SHOW_KNOWN_HOSTS :
				    SCAN_SHOW_PINS;
			break;
		case 't':
			errno = 0;
			n = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || errno != 0 ||
			    n < 1 || n > SCAN_MAX_TIMEOUT) {
				fprintf(stderr, "jumpgate %s: --timeout '%s': "
				    "expected seconds from 1 to %d\n", cmd,
				    optarg, SCAN_MAX_TIMEOUT);
				return -1;
			}
			o->timeout = (int)n;
			break;
		case 'v':
			o->via = optarg;
			break;
		case 'c':
			o->config = optarg;
			break;
		default:
		unknown:
			fprintf(stderr, "jumpgate %s: unknown option '%s'\n",
			    cmd, argv[optind - 1]);
			return -1;
		}
	}
	if ((o->via == NULL) != (o->config == NULL)) {
		fprintf(stderr, "jumpgate %s: --via HOP and --config FILE go "
		    "together (the hop is defined in the file)\n", cmd);
		return -1;
	}
	if (o->what == 0)
		o->what = SCAN_SHOW_KNOWN_HOSTS | SCAN_SHOW_PINS;
	o->targets = argv + optind;
	o->ntargets = argc - optind;
	if (o->ntargets < 1 || (!scan && o->ntargets != 1)) {
		fprintf(stderr, "jumpgate %s: expected %s\n", cmd,
		    scan ? "HOST[:PORT]..." : "one HOST[:PORT]");
		return -1;
	}
	return 0;
}

/*
 * The server signs with its RSA key only by ssh-rsa (SHA-1), which a hop
 * refuses by default: say which setting accepts it, and what to change on
 * the server (named from its VERSION banner) so that nothing needs to.
 */
static void
scan_print_sha1_advice(const char *version)
{
	enum server_kind	kind = server_kind(version);

	printf("# this server signs only with ssh-rsa (SHA-1): a hop accepts "
	    "this key only with allow_ssh_rsa_sha1 = yes in its [hop] "
	    "section, next to the pin; better, let the server sign with "
	    "rsa-sha2-512 or give it an ed25519 key %s\n",
	    kind == SERVER_OPENSSH ? "(OpenSSH 7.2 or later: HostKeyAlgorithms "
	    "in sshd_config)" : kind == SERVER_DROPBEAR ? "(Dropbear 2020.79 "
	    "or later signs with rsa-sha2-256)" : server_hostkey_advice(kind));
}

/* Print the keys of HOST:PORT. */
static void
scan_print(const struct scan_options *o, const char *host, int port,
    const char *version, struct scan_key *keys, size_t nkeys)
{
	struct fingerprint	 fp;
	char			 text[FINGERPRINT_TEXT_LEN], type[64];
	char			 name[NI_MAXHOST + 16], *hashed, *b64;
	size_t			 i;

	knownhosts_hostname(host, port, name, sizeof name);
	/* Hashed names are for files whose reader must not learn them. */
	if (o->hash)
		printf("# %s\n", version);
	else
		printf("# %s:%d %s%s%s\n", host, port, version,
		    o->via != NULL ? " through " : "",
		    o->via != NULL ? o->via : "");
	for (i = 0; i < nkeys; i++) {
		if (fingerprint_blob_type(keys[i].blob, keys[i].bloblen, type,
		    sizeof type) != 0)
			strcpy(type, "?");
		fingerprint_of_blob(keys[i].blob, keys[i].bloblen, &fp);
		fingerprint_format(&fp, text);
		printf("# %s %s (verified: %s signature)\n", type, text,
		    keys[i].alg);
		if (strcmp(keys[i].alg, "ssh-rsa") == 0)
			scan_print_sha1_advice(version);
		if (!(o->what & SCAN_SHOW_KNOWN_HOSTS))
			continue;
		b64 = xmalloc((keys[i].bloblen + 2) / 3 * 4 + 1);
		EVP_EncodeBlock((unsigned char *)b64, keys[i].blob,
		    (int)keys[i].bloblen);
		hashed = o->hash ? knownhosts_hashed_name(host, port) : NULL;
		printf("%s %s %s\n", hashed != NULL ? hashed : name, type,
		    b64);
		free(hashed);
		free(b64);
	}
	if (!(o->what & SCAN_SHOW_PINS) || nkeys == 0)
		return;
	printf("host_key = ");
	for (i = 0; i < nkeys; i++) {
		fingerprint_of_blob(keys[i].blob, keys[i].bloblen, &fp);
		fingerprint_format(&fp, text);
		printf("%s%s", i == 0 ? "" : ", ", text);
	}
	printf("\n");
}

/* Print the server's host-key algorithms that cannot be scanned. */
static void
scan_print_skipped(const char *list)
{
	char	*copy, *next, *alg;

	copy = next = xstrdup(list);
	while ((alg = strsep(&next, ",")) != NULL) {
		if (*alg != '\0' && hostsig_key_type(alg) == NULL)
			printf("# not scanned: %s (no verifier for it here)\n",
			    alg);
	}
	free(copy);
}

/* Keep the verified key of H. */
static void
scan_keep(struct scan_key *k, struct handshake *h)
{
	const unsigned char	*blob;

	blob = handshake_hostkey(h, &k->bloblen);
	k->blob = xmalloc(k->bloblen);
	memcpy(k->blob, blob, k->bloblen);
	k->alg = xstrdup(handshake_hostkey_alg(h));
}

/* Scan one target. Returns 0, or 1 after printing what failed. */
static int
scan_target(struct event_base *base, struct reach *r,
    const struct scan_options *o, const char *arg)
{
	struct scan_key		 keys[SCAN_MAX_KEYS];
	struct handshake	*h;
	const char		*why;
	char			*host, *cause, *plan[SCAN_MAX_KEYS];
	char			*version = NULL, *offered = NULL;
	size_t			 nkeys = 0, nplan, i;
	int			 port, rc = 0;

	if (reach_parse_target(arg, &host, &port, &why) != 0) {
		fprintf(stderr, "jumpgate scan: '%s': %s\n", arg, why);
		return 1;
	}
	h = handshake_new(1, NULL);
	if (attempt_run(base, r, host, port, o->timeout, h, &cause) != 0) {
		fprintf(stderr, "jumpgate scan: %s\n", cause);
		free(cause);
		handshake_free(h);
		free(host);
		return 1;
	}
	version = vis_str(handshake_server_version(h));
	offered = xstrdup(handshake_server_kexinit(h)->lists[KEXINIT_HOSTKEY]);
	scan_keep(&keys[nkeys++], h);
	handshake_free(h);

	nplan = hostsig_plan(offered, plan, SCAN_MAX_KEYS);
	for (i = 0; i < nplan; i++) {
		if (strcmp(hostsig_key_type(plan[i]),
		    hostsig_key_type(keys[0].alg)) == 0)
			continue;
		h = handshake_new(1, plan[i]);
		if (attempt_run(base, r, host, port, o->timeout, h,
		    &cause) == 0)
			scan_keep(&keys[nkeys++], h);
		else {
			fprintf(stderr, "jumpgate scan: %s (offering %s)\n",
			    cause, plan[i]);
			free(cause);
			rc = 1;
		}
		handshake_free(h);
	}
	scan_print(o, host, port, version, keys, nkeys);
	scan_print_skipped(offered);
	for (i = 0; i < nplan; i++)
		free(plan[i]);
	for (i = 0; i < nkeys; i++) {
		free(keys[i].alg);
		free(keys[i].blob);
	}
	free(version);
	free(offered);
	free(host);
	return rc;
}

/* jumpgate scan. */
int
scan_main(const struct scan_options *o)
{
	struct event_base	*base;
	struct evdns_base	*dns;
	struct reach		*r;
	char			*cause;
	int			 i, rc = 0;

	if ((base = event_base_new()) == NULL)
		fatal("cannot create the event loop");
	dns = runtime_dns(base);
	if ((r = reach_new(base, dns, o->via, o->config, &cause)) == NULL) {
		fprintf(stderr, "jumpgate scan: %s\n", cause);
		free(cause);
		evdns_base_free(dns, 1);
		event_base_free(base);
		return 1;
	}
	for (i = 0; i < o->ntargets; i++) {
		if (scan_target(base, r, o, o->targets[i]) != 0)
			rc = 1;
		fflush(stdout);
	}
	reach_free(r);
	evdns_base_free(dns, 1);
	event_base_free(base);
	return rc;
}

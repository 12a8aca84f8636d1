/* jumpgate import: an INI from an ssh_config, see import.h. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "import.h"
#include "sshconfig.h"
#include "vis.h"
#include "xmalloc.h"

/* The longest line jumpgate's configuration reader takes. */
#define IMPORT_MAX_LINE		198
/* How deep a ProxyJump chain may go: jumpgate's own limit. */
#define IMPORT_MAX_CHAIN	CONFIG_MAX_CHAIN
/* At most this many sections of each kind. */
#define IMPORT_MAX_SECTIONS	1024

/*
 * One [hop] or [tunnel] section, written once complete. Two with the same
 * base name and body are one: the notes are not compared, since a line is
 * noted once, where first met.
 */
struct import_section {
	char	*name;
	char	*base;		/* the name before any "-2" */
	char	*notes;		/* "; not mapped" comments */
	char	*body;		/* the other lines */
	int	 depth;		/* hops: 1 if direct, else 1 + via's */
};

/* The state of one import. */
struct import {
	const struct sshconfig * const *configs;
	size_t			 nconfigs;
	FILE			*errors;
	int			 nerrors;
	struct import_section	 hops[IMPORT_MAX_SECTIONS];
	size_t			 nhops;
	struct import_section	 tunnels[IMPORT_MAX_SECTIONS];
	size_t			 ntunnels;
	/*
	 * Notes already written: each once, where first met (a line whose
	 * tokens expand differently for another host is another note).
	 */
	char			**noted;
	size_t			 nnoted;
	/* Where notes go while a section is written. */
	FILE			*notes;
	/* The aliases of the chain being resolved, for loop messages. */
	const char		*chain[IMPORT_MAX_CHAIN + 2];
	int			 depth;
};

/* Report an error, at AT if not NULL. */
static void __attribute__((format(printf, 3, 4)))
import_error(struct import *im, const struct sshconfig_origin *at,
    const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	sshconfig_vreport(im->errors, at, fmt, ap);
	va_end(ap);
	im->nerrors++;
}

/*
 * Whether VALUE can be written as a jumpgate value: printable ASCII, no
 * white space at either end, no "space ;" that would start a comment.
 */
static int
import_value_ok(const char *value)
{
	const char	*s;

	if (*value == '\0' || *value == ' ' ||
	    value[strlen(value) - 1] == ' ')
		return 0;
	for (s = value; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			return 0;
		if (*s == ';' && s > value && s[-1] == ' ')
			return 0;
	}
	return 1;
}

/* Write "KEY = VALUE" to OUT, or report why it cannot be written. */
static void
import_key(struct import *im, FILE *out, const struct sshconfig_origin *at,
    const char *key, const char *value)
{
	if (!import_value_ok(value)) {
		import_error(im, at, "%s '%s' cannot be written to a jumpgate "
		    "configuration (control characters, non-ASCII, or a "
		    "' ;'): change it", key, value);
		return;
	}
	if (strlen(key) + 3 + strlen(value) > IMPORT_MAX_LINE) {
		import_error(im, at, "%s '%s' is longer than a jumpgate "
		    "configuration line may be (%d characters): shorten it",
		    key, value, IMPORT_MAX_LINE);
		return;
	}
	fprintf(out, "%s = %s\n", key, value);
}

/* Write "; TEXT" to OUT, escaped and cut to a line jumpgate reads. */
static void
import_comment(FILE *out, const char *text)
{
	char	shown[IMPORT_MAX_LINE - 1];

	vis_text(shown, sizeof shown, text, strlen(text), 0);
	fprintf(out, "; %s\n", shown);
}

/* Write a "; not mapped" comment to im->notes, unless written before. */
static void
import_note(struct import *im, const struct sshconfig_note *n)
{
	char	*text;
	size_t	 i;

	xasprintf(&text, "not mapped: %s:%d: %s (%s)", n->at.file, n->at.line,
	    n->text, n->why);
	for (i = 0; i < im->nnoted; i++) {
		if (strcmp(im->noted[i], text) == 0) {
			free(text);
			return;
		}
	}
	im->noted = xreallocarray(im->noted, im->nnoted + 1,
	    sizeof *im->noted);
	im->noted[im->nnoted++] = text;
	import_comment(im->notes, text);
}

/* Write a "; not mapped" comment for one value of a list. */
static void
import_note_value(struct import *im, const char *keyword,
    const struct sshconfig_value *v, const char *why)
{
	struct sshconfig_note	n;
	char			*text;

	xasprintf(&text, "%s %s", keyword, v->text);
	n.at = v->at;
	n.text = text;
	n.why = (char *)why;
	import_note(im, &n);
	free(text);
}

/* A section name from ALIAS: letters, digits, '_', '.', '-'. */
static char *
import_name(const char *alias, const char *suffix)
{
	char	*name;
	size_t	 i;

	xasprintf(&name, "%s%s", *alias != '\0' ? alias : "host", suffix);
	for (i = 0; name[i] != '\0'; i++) {
		if (!isalnum((unsigned char)name[i]) && name[i] != '_' &&
		    name[i] != '.' && name[i] != '-')
			name[i] = '_';
	}
	if (strlen(name) > 64)
		name[64] = '\0';
	return name;
}

/*
 * Add a section named after BASE with NOTES and BODY to LIST, or find the
 * one with the same base and body and add NOTES to it. Returns its index,
 * or -1 if the list is full. Takes BASE, NOTES and BODY.
 */
static int
import_section_add(struct import *im, struct import_section *list,
    size_t *n, char *base, char *notes, char *body)
{
	size_t	i;
	int	same = 0, unique;
	char	*name, *both;

	for (i = 0; i < *n; i++) {
		if (strcmp(list[i].base, base) != 0)
			continue;
		same++;
		if (strcmp(list[i].body, body) == 0) {
			xasprintf(&both, "%s%s", list[i].notes, notes);
			free(list[i].notes);
			list[i].notes = both;
			free(base);
			free(notes);
			free(body);
			return (int)i;
		}
	}
	if (*n == IMPORT_MAX_SECTIONS) {
		import_error(im, NULL, "more than %d sections", IMPORT_MAX_SECTIONS);
		free(base);
		free(notes);
		free(body);
		return -1;
	}
	/* A name no other section has. */
	for (;;) {
		if (same == 0)
			name = xstrdup(base);
		else
			xasprintf(&name, "%s-%d", base, same + 1);
		unique = 1;
		for (i = 0; i < *n; i++) {
			if (strcmp(list[i].name, name) == 0)
				unique = 0;
		}
		if (unique)
			break;
		free(name);
		same++;
	}
	list[*n].name = name;
	list[*n].base = base;
	list[*n].notes = notes;
	list[*n].body = body;
	list[*n].depth = 1;
	return (int)(*n)++;
}

/* Make PATH absolute against the working directory; caller frees. */
static char *
import_abspath(const char *path)
{
	char	cwd[PATH_MAX], *out;

	if (*path == '/' || getcwd(cwd, sizeof cwd) == NULL)
		return xstrdup(path);
	xasprintf(&out, "%s/%s", cwd, path);
	return out;
}

/* Parse a whole number of MIN to MAX; -1 if it is not one. */
static int
import_number(const char *s, int min, int max)
{
	long	n;
	char	*end;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	n = strtol(s, &end, 10);
	if (*end != '\0' || errno != 0 || n < min || n > max)
		return -1;
	return (int)n;
}

/* Write the host key lines of hop H. */
static void
import_hostkeys(struct import *im, FILE *out, const struct sshconfig_host *h)
{
	const struct sshconfig_value	*shkc = &h->strict_host_key_checking;
	const char			*v = shkc->text, *policy;
	char				*path, *def;
	size_t				 i;
	int				 known = 0;

	if (h->nknown_hosts > 0 && strcasecmp(h->known_hosts[0].text,
	    "none") != 0) {
		path = import_abspath(h->known_hosts[0].text);
		import_key(im, out, &h->known_hosts[0].at, "known_hosts", path);
		free(path);
		known = 1;
		for (i = 1; i < h->nknown_hosts; i++)
			import_note_value(im, "UserKnownHostsFile",
			    &h->known_hosts[i], "jumpgate reads one "
			    "known_hosts file: the first");
	} else if (h->nknown_hosts == 0) {
		def = getenv("HOME");
		xasprintf(&path, "%s/.ssh/known_hosts", def != NULL &&
		    *def == '/' ? def : "");
		if (*path == '/') {
			import_key(im, out, NULL, "known_hosts", path);
			known = 1;
		}
		free(path);
	}

	if (v == NULL || strcasecmp(v, "ask") == 0) {
		import_comment(out, v == NULL ? "StrictHostKeyChecking not "
		    "set: ssh would ask about a new key; jumpgate cannot "
		    "ask: strict" : "StrictHostKeyChecking ask: jumpgate "
		    "cannot ask: strict");
		policy = "strict";
	} else if (strcasecmp(v, "yes") == 0 || strcasecmp(v, "true") == 0)
		policy = "strict";
	else if (strcasecmp(v, "accept-new") == 0)
		policy = "tofu";
	else if (strcasecmp(v, "no") == 0 || strcasecmp(v, "off") == 0 ||
	    strcasecmp(v, "false") == 0) {
		import_comment(out, "WARNING: StrictHostKeyChecking no: ANY "
		    "HOST KEY OF A HOST NOT KNOWN IS ACCEPTED, so anyone on");
		import_comment(out, "the path can read and change this "
		    "traffic. Pin the key instead: jumpgate scan --pins HOST");
		policy = "insecure";
	} else {
		import_error(im, &shkc->at, "StrictHostKeyChecking '%s': "
		    "expected yes, accept-new, no or ask", v);
		return;
	}
	if (!known && strcmp(policy, "insecure") != 0)
		import_comment(out, "no known_hosts (UserKnownHostsFile none): "
		    "add host_key pins from 'jumpgate scan --pins HOST'");
	import_key(im, out, &shkc->at, "host_key_policy", policy);
}

/* Write the identity and certificate lines of hop H. */
static void
import_identity(struct import *im, FILE *out, const struct sshconfig_host *h)
{
	char	*path;
	size_t	 i, used = h->nidentity_files;

	/* The first that exists, as ssh skips missing ones. */
	for (i = 0; i < h->nidentity_files; i++) {
		if (used == h->nidentity_files &&
		    access(h->identity_files[i].text, F_OK) == 0) {
			path = import_abspath(h->identity_files[i].text);
			import_key(im, out, &h->identity_files[i].at,
			    "identity", path);
			free(path);
			used = i;
		} else {
			import_note_value(im, "IdentityFile",
			    &h->identity_files[i], used == h->nidentity_files ?
			    "no such file" : "jumpgate uses one identity: "
			    "the first that exists");
		}
	}
	if (used == h->nidentity_files) {
		import_comment(out, "no IdentityFile that exists: keys from "
		    "ssh-agent (SSH_AUTH_SOCK); ssh would also try");
		import_comment(out, "~/.ssh/id_ed25519 and the other default "
		    "keys: set identity = PATH to use one");
		for (i = 0; i < h->ncertificate_files; i++)
			import_note_value(im, "CertificateFile",
			    &h->certificate_files[i], "needs an identity");
		return;
	}
	for (i = 0; i < h->ncertificate_files; i++) {
		if (i == 0) {
			path = import_abspath(h->certificate_files[0].text);
			import_key(im, out, &h->certificate_files[0].at,
			    "certificate", path);
			free(path);
		} else
			import_note_value(im, "CertificateFile",
			    &h->certificate_files[i], "jumpgate uses one "
			    "certificate: the first");
	}
}

/* Write the timing lines of hop H that ssh_config set. */
static void
import_timing(struct import *im, FILE *out, const struct sshconfig_host *h)
{
	const struct {
		const struct sshconfig_value	*v;
		const char			*keyword, *key;
		int				 min, max;
	} map[] = {
		{ &h->connect_timeout, "ConnectTimeout", "connect_timeout",
		    1, 3600 },
		{ &h->server_alive_interval, "ServerAliveInterval",
		    "keepalive_interval", 0, 3600 },
		{ &h->server_alive_count_max, "ServerAliveCountMax",
		    "keepalive_count_max", 1, 100 },
	};
	size_t	i;
	char	why[96];

	for (i = 0; i < sizeof map / sizeof map[0]; i++) {
		if (map[i].v->text == NULL)
			continue;
		if (import_number(map[i].v->text, map[i].min, map[i].max) ==
		    -1) {
			snprintf(why, sizeof why, "jumpgate's %s takes whole "
			    "seconds from %d to %d", map[i].key, map[i].min,
			    map[i].max);
			import_note_value(im, map[i].keyword, map[i].v,
			    why);
			continue;
		}
		import_key(im, out, &map[i].v->at, map[i].key, map[i].v->text);
	}
}

static int	import_hop(struct import *, const char *, const char *,
		    const char *, const char *, int,
		    const struct sshconfig_origin *, struct sshconfig_host *);

/*
 * Split one ProxyJump entry "[ssh://][user@]host[:port]" into its parts
 * (caller frees). Returns 0 or -1.
 */
static int
import_jump_split(const char *entry, char **user, char **host, char **port)
{
	const char	*s = entry, *at, *end;

	*user = *host = *port = NULL;
	if (strncmp(s, "ssh://", 6) == 0)
		s += 6;
	if ((at = strrchr(s, '@')) != NULL) {
		*user = xstrndup(s, (size_t)(at - s));
		s = at + 1;
	}
	if (*s == '[') {
		if ((end = strchr(s, ']')) == NULL)
			goto bad;
		*host = xstrndup(s + 1, (size_t)(end - s - 1));
		end++;
	} else {
		end = s + strcspn(s, ":/");
		*host = xstrndup(s, (size_t)(end - s));
	}
	if (*end == ':')
		*port = xstrdup(end + 1);
	else if (*end != '\0' && strcmp(end, "/") != 0)
		goto bad;
	if (**host == '\0' || (*user != NULL && **user == '\0') ||
	    (*port != NULL && import_number(*port, 1, 65535) == -1))
		goto bad;
	return 0;
bad:
	free(*user);
	free(*host);
	free(*port);
	*user = *host = *port = NULL;
	return -1;
}

/*
 * The jump host of a ProxyCommand of the form ProxyJump replaced, "ssh
 * [-q] [-l USER] [-p PORT] -W %h:%p HOST", as "[USER@]HOST[:PORT]"
 * (caller frees); NULL for any other command.
 */
static char *
import_proxy_command(const char *command)
{
	char	*line, *words[16], *user = NULL, *port = NULL, *host = NULL,
		*out = NULL;
	int	 n, i, w = 0;
	size_t	 len;

	xasprintf(&line, "x %s", command);
	n = sshconfig_split(line, words, 16);
	free(line);
	if (n < 2)
		return NULL;
	len = strlen(words[1]);
	if (strcmp(words[1], "ssh") != 0 && (len < 4 ||
	    strcmp(words[1] + len - 4, "/ssh") != 0))
		goto out;
	for (i = 2; i < n; i++) {
		if (strcmp(words[i], "-W") == 0 && i + 1 < n &&
		    (strcmp(words[i + 1], "%h:%p") == 0 ||
		    strcmp(words[i + 1], "[%h]:%p") == 0)) {
			w = 1;
			i++;
		} else if (strcmp(words[i], "-l") == 0 && i + 1 < n &&
		    user == NULL)
			user = words[++i];
		else if (strcmp(words[i], "-p") == 0 && i + 1 < n &&
		    port == NULL && import_number(words[i + 1], 1, 65535) != -1)
			port = words[++i];
		else if (strcmp(words[i], "-q") == 0 ||
		    strcmp(words[i], "-T") == 0 || strcmp(words[i], "-x") == 0 ||
		    strcmp(words[i], "-a") == 0 || strcmp(words[i], "-C") == 0)
			continue;
		else if (words[i][0] != '-' && host == NULL &&
		    strpbrk(words[i], "%,:[]@") == NULL)
			host = words[i];
		else
			goto out;
	}
	if (w && host != NULL)
		xasprintf(&out, "%s%s%s%s%s", user != NULL ? user : "",
		    user != NULL ? "@" : "", host, port != NULL ? ":" : "",
		    port != NULL ? port : "");
out:
	for (i = 0; i < n; i++)
		free(words[i]);
	return out;
}

/*
 * The hop ssh reaches last through the chain V (a ProxyJump value, for
 * the host being resolved). Each entry is looked up in the configuration
 * itself; the first one's own ProxyJump applies, the others go through
 * the ones before (as "ssh -J a,b" runs "ssh -J a b"). Returns the index
 * of the last hop, or -1 after reporting.
 */
static int
import_chain(struct import *im, const struct sshconfig_value *v)
{
	char	*list, *entry, *save = NULL, *user, *host, *port, *prefix;
	int	 via = -1, n = 0;
	size_t	 len;

	list = xstrdup(v->text);
	prefix = xstrdup("");
	for (entry = strtok_r(list, ",", &save); entry != NULL;
	    entry = strtok_r(NULL, ",", &save)) {
		if (import_jump_split(entry, &user, &host, &port) != 0) {
			import_error(im, &v->at, "ProxyJump entry '%s': "
			    "expected [user@]host[:port]", entry);
			via = -1;
			break;
		}
		via = import_hop(im, host, user, port, n == 0 ? NULL : prefix,
		    via, &v->at, NULL);
		len = strlen(prefix);
		xasprintf(&entry, "%s%s%s", prefix, len > 0 ? "," : "",
		    entry);
		free(prefix);
		prefix = entry;
		free(user);
		free(host);
		free(port);
		n++;
		if (via == -1)
			break;
	}
	if (n == 0)
		import_error(im, &v->at, "ProxyJump without a host");
	free(prefix);
	free(list);
	return via;
}

/*
 * The [hop] for ALIAS with the command-line USER and PORT (NULL: none),
 * reached through hop VIA (-1: through ALIAS's own ProxyJump, unless
 * JUMPS, the ProxyJump ssh would be given, is not NULL), named at NAMED
 * (the command line, or a ProxyJump line). Fills *KEEP with
 * the resolved host if not NULL (caller frees). Returns the hop's index,
 * or -1 after reporting.
 */
static int
import_hop(struct import *im, const char *alias, const char *user,
    const char *port, const char *jumps, int via,
    const struct sshconfig_origin *named, struct sshconfig_host *keep)
{
	struct sshconfig_preset	 preset = { user, port, jumps, *named };
	struct sshconfig_host	 h;
	FILE			*out, *notes;
	char			*body = NULL, *path = NULL, *text = NULL;
	struct sshconfig_value	 jump;
	size_t			 len = 0, tlen = 0, i;
	int			 index = -1, d, direct = 0;

	if (im->depth >= IMPORT_MAX_CHAIN) {
		path = xstrdup(im->chain[0]);
		for (d = 1; d < im->depth; d++) {
			xasprintf(&body, "%s -> %s", path, im->chain[d]);
			free(path);
			path = body;
		}
		body = NULL;
		import_error(im, NULL, "the ProxyJump chain %s -> %s is more "
		    "than %d hops deep (a loop?): jumpgate allows %d", path,
		    alias, IMPORT_MAX_CHAIN, IMPORT_MAX_CHAIN);
		free(path);
		return -1;
	}
	im->chain[im->depth++] = alias;
	if (sshconfig_resolve(im->configs, im->nconfigs, alias, &preset, &h,
	    im->errors, &im->nerrors) != 0)
		goto out;
	if (jumps == NULL && h.proxy_jump.text != NULL &&
	    strcasecmp(h.proxy_jump.text, "none") != 0 &&
	    (via = import_chain(im, &h.proxy_jump)) == -1)
		goto out;
	if (jumps == NULL && h.proxy_command.text != NULL &&
	    strcasecmp(h.proxy_command.text, "none") != 0) {
		jump.text = import_proxy_command(h.proxy_command.text);
		jump.at = h.proxy_command.at;
		if (jump.text != NULL) {
			via = import_chain(im, &jump);
			free(jump.text);
			if (via == -1)
				goto out;
		} else
			direct = 1;
	}

	d = via == -1 ? 1 : im->hops[via].depth + 1;
	if (d > IMPORT_MAX_CHAIN) {
		import_error(im, &h.proxy_jump.at, "the ProxyJump chain of %s "
		    "is %d hops deep: jumpgate allows %d", h.alias, d,
		    IMPORT_MAX_CHAIN);
		goto out;
	}
	if ((out = open_memstream(&body, &len)) == NULL)
		goto out;
	if ((notes = open_memstream(&text, &tlen)) == NULL) {
		fclose(out);
		goto out;
	}
	im->notes = notes;
	for (i = 0; i < h.nnotes; i++)
		import_note(im, &h.notes[i]);
	if (direct)
		import_note_value(im, "ProxyCommand", &h.proxy_command,
		    "WARNING: only 'ssh -W %h:%p HOST' maps (to via); this hop "
		    "connects directly: use ProxyJump or set via");
	import_key(im, out, &h.hostname.at, "host", h.hostname.text);
	if (strcmp(h.port.text, "22") != 0)
		import_key(im, out, &h.port.at, "port", h.port.text);
	import_key(im, out, &h.user.at, "user", h.user.text);
	import_identity(im, out, &h);
	import_hostkeys(im, out, &h);
	import_timing(im, out, &h);
	if (via != -1)
		import_key(im, out, NULL, "via", im->hops[via].name);
	fclose(out);
	fclose(notes);
	im->notes = NULL;
	index = import_section_add(im, im->hops, &im->nhops,
	    import_name(h.alias, ""), text, body);
	if (index != -1)
		im->hops[index].depth = d;
	body = NULL;
	text = NULL;
out:
	free(body);
	free(text);
	im->depth--;
	if (keep != NULL && index != -1)
		*keep = h;
	else
		sshconfig_host_free(&h);
	return index;
}

/* Write a tunnel address: "PORT", "HOST:PORT", "[V6]:PORT" or unix:PATH. */
static char *
import_address(const struct sshconfig_endpoint *e, int listen)
{
	char	*s;

	if (e->path != NULL)
		xasprintf(&s, "unix:%s", e->path);
	else if (listen && (e->host == NULL ||
	    strcasecmp(e->host, "localhost") == 0))
		xasprintf(&s, "%d", e->port);
	else if (listen && (*e->host == '\0' || strcmp(e->host, "*") == 0))
		xasprintf(&s, "0.0.0.0:%d", e->port);
	else if (strchr(e->host, ':') != NULL)
		xasprintf(&s, "[%s]:%d", e->host, e->port);
	else
		xasprintf(&s, "%s:%d", e->host, e->port);
	return s;
}

/* Add the [tunnel] of forward F of host H over hop HOP. */
static void
import_tunnel(struct import *im, const struct sshconfig_host *h,
    const struct sshconfig_fwd *f, int hop)
{
	static const char *const kinds[] = { "L", "R", "D" };
	FILE	*out;
	char	*body = NULL, *listen, *connect = NULL, *suffix;
	size_t	 len = 0;

	if (f->listen.port == -1)
		return;		/* reported by sshconfig_resolve */
	if ((out = open_memstream(&body, &len)) == NULL)
		return;
	listen = import_address(&f->listen, 1);
	if (f->kind != SSHCONFIG_FWD_DYNAMIC)
		connect = import_address(&f->connect, 0);
	xasprintf(&suffix, "from %s:%d", f->at.file, f->at.line);
	import_comment(out, suffix);
	free(suffix);
	if (f->kind == SSHCONFIG_FWD_REMOTE)
		fprintf(out, "type = remote\n");
	if (f->kind == SSHCONFIG_FWD_DYNAMIC) {
		fprintf(out, "type = socks\n");
		import_comment(out, "allow = REQUIRED: list what this SOCKS "
		    "proxy may reach (host patterns, CIDR, ports),");
		import_comment(out, "e.g. allow = *.internal:5432, "
		    "10.0.0.0/8:443; ssh's DynamicForward reaches anything,");
		import_comment(out, "which jumpgate refuses: 'jumpgate check' "
		    "fails until this is set");
	}
	if (strncmp(listen, "0.0.0.0:", 8) == 0)
		import_comment(out, "ssh's '*' address: listens on every "
		    "interface, other machines can use this tunnel");
	if (f->listen.path != NULL || (connect != NULL &&
	    f->connect.path != NULL))
		import_comment(out, "a unix: address needs a jumpgate with "
		    "Unix-socket tunnels");
	import_key(im, out, &f->at, "listen", listen);
	if (connect != NULL)
		import_key(im, out, &f->at, "connect", connect);
	import_key(im, out, NULL, "via", im->hops[hop].name);
	fclose(out);
	if (f->listen.path != NULL)
		xasprintf(&suffix, "-%s%d", kinds[f->kind], f->at.line);
	else
		xasprintf(&suffix, "-%s%d", kinds[f->kind], f->listen.port);
	import_section_add(im, im->tunnels, &im->ntunnels,
	    import_name(h->alias, suffix), xstrdup(""), body);
	free(suffix);
	free(listen);
	free(connect);
}

/* Write the sections of LIST under the header word KIND. */
static void
import_sections(FILE *out, const char *kind,
    const struct import_section *list, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		fprintf(out, "\n[%s %s]\n%s%s", kind, list[i].name,
		    list[i].notes, list[i].body);
}

/* Write the INI, see import.h. */
int
import_write(const struct sshconfig * const *configs, size_t nconfigs,
    char * const *hosts, int nhosts, FILE *out, FILE *errors)
{
	struct import		*im;
	struct sshconfig_host	 h;
	struct sshconfig_origin	 cmdline = { "command line", 0 };
	char			*alias, *user, *at;
	size_t			 i;
	int			 n, hop, rc;

	im = xcalloc(1, sizeof *im);
	im->configs = configs;
	im->nconfigs = nconfigs;
	im->errors = errors;
	for (n = 0; n < nhosts; n++) {
		alias = xstrdup(hosts[n]);
		user = NULL;
		if ((at = strrchr(alias, '@')) != NULL) {
			*at = '\0';
			user = alias;
			alias = xstrdup(at + 1);
		}
		if (*alias == '\0' || (user != NULL && *user == '\0')) {
			import_error(im, NULL, "'%s': expected [user@]host",
			    hosts[n]);
		} else if ((hop = import_hop(im, alias, user, NULL, NULL, -1,
		    &cmdline, &h)) != -1) {
			for (i = 0; i < h.nfwds; i++)
				import_tunnel(im, &h, &h.fwds[i], hop);
			sshconfig_host_free(&h);
		}
		free(alias);
		free(user);
	}
	rc = im->nerrors == 0 ? 0 : -1;
	if (rc == 0) {
		fprintf(out, "; Written by \"jumpgate import\" from:\n");
		for (i = 0; i < nconfigs; i++) {
			if (configs[i] != NULL)
				import_comment(out, sshconfig_path(configs[i]));
		}
		fprintf(out, "; Read it, then run \"jumpgate check\" on it. "
		    "Lines jumpgate has no equivalent for\n"
		    "; are kept as \"not mapped\" comments.\n");
		import_sections(out, "hop", im->hops, im->nhops);
		import_sections(out, "tunnel", im->tunnels, im->ntunnels);
	}
	for (i = 0; i < im->nhops; i++) {
		free(im->hops[i].name);
		free(im->hops[i].base);
		free(im->hops[i].body);
		free(im->hops[i].notes);
	}
	for (i = 0; i < im->ntunnels; i++) {
		free(im->tunnels[i].name);
		free(im->tunnels[i].base);
		free(im->tunnels[i].body);
		free(im->tunnels[i].notes);
	}
	for (i = 0; i < im->nnoted; i++)
		free(im->noted[i]);
	free(im->noted);
	free(im);
	return rc;
}

/* Print import's usage and return 2. */
static int
import_usage(void)
{
	fprintf(stderr, "usage: jumpgate import [--ssh-config FILE] "
	    "[user@]HOST...\n");
	return 2;
}

/* jumpgate import, see import.h. */
int
import_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "ssh-config", required_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 }
	};
	struct sshconfig	*configs[2] = { NULL, NULL };
	const char		*file = NULL, *home = getenv("HOME");
	char			*user_file = NULL, *user_dir = NULL;
	int			 ch, nerrors = 0, rc = 1;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "F:", longopts, NULL)) != -1) {
		if (ch == 'F')
			file = optarg;
		else
			return import_usage();
	}
	if (optind >= argc)
		return import_usage();
	if (home == NULL || *home != '/') {
		fprintf(stderr, "jumpgate import: HOME is not set to an "
		    "absolute path: ssh's ~/.ssh cannot be found\n");
		return 1;
	}
	xasprintf(&user_dir, "%s/.ssh", home);
	xasprintf(&user_file, "%s/.ssh/config", home);
	if (file != NULL) {
		/* As ssh -F: that file only; relative Includes in ~/.ssh. */
		if ((configs[0] = sshconfig_load(file, user_dir, stderr,
		    &nerrors)) == NULL)
			goto out;
	} else {
		/* As ssh: the user's file, then the system's, if present. */
		if (access(user_file, F_OK) == 0 && (configs[0] =
		    sshconfig_load(user_file, user_dir, stderr, &nerrors)) ==
		    NULL)
			goto out;
		if (access("/etc/ssh/ssh_config", F_OK) == 0 && (configs[1] =
		    sshconfig_load("/etc/ssh/ssh_config", "/etc/ssh", stderr,
		    &nerrors)) == NULL)
			goto out;
	}
	if (nerrors > 0)
		goto out;
	if (import_write((const struct sshconfig * const *)configs, 2,
	    argv + optind, argc - optind, stdout, stderr) == 0)
		rc = 0;
out:
	if (rc != 0)
		fprintf(stderr, "jumpgate import: nothing written\n");
	sshconfig_free(configs[0]);
	sshconfig_free(configs[1]);
	free(user_file);
	free(user_dir);
	return rc;
}

/* Reading an OpenSSH client configuration, see sshconfig.h. */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "safefile.h"
#include "sshconfig.h"
#include "vis.h"
#include "xmalloc.h"

/* Words on one line: a Host line with more patterns is an error. */
#define SSHCONFIG_MAX_WORDS	256

/* What an entry of the flattened configuration is. */
enum sshconfig_entry_kind {
	SSHCONFIG_LINE,		/* a keyword and its arguments */
	SSHCONFIG_PUSH,		/* an included file starts */
	SSHCONFIG_POP		/* and ends */
};

/* One line, or the start or end of an included file. */
struct sshconfig_entry {
	enum sshconfig_entry_kind kind;
	struct sshconfig_origin	 at;
	char			*text;		/* the line, trimmed */
	char			**words;	/* words[0]: keyword, lower case */
	int			 nwords;
};

/* The files read, in the order ssh reads them, Includes expanded. */
struct sshconfig {
	char			**files;
	size_t			 nfiles;
	struct sshconfig_entry	*entries;
	size_t			 nentries;
	size_t			 size;
	const char		*include_dir;
	size_t			 bytes;		/* read, all files */
	FILE			*errors;
	int			*nerrors;
};

/* Write an error to ERRORS, see sshconfig.h. */
void
sshconfig_vreport(FILE *errors, const struct sshconfig_origin *at,
    const char *fmt, va_list ap)
{
	char	*msg, *shown;

	if (vasprintf(&msg, fmt, ap) == -1)
		msg = NULL;
	shown = vis_str(msg != NULL ? msg : "out of memory");
	if (at != NULL && at->file != NULL && at->line > 0)
		fprintf(errors, "%s:%d: %s\n", at->file, at->line, shown);
	else if (at != NULL && at->file != NULL)
		fprintf(errors, "%s: %s\n", at->file, shown);
	else
		fprintf(errors, "jumpgate import: %s\n", shown);
	free(shown);
	free(msg);
}

/* Report an error at FILE:LINE (LINE 0: the file). */
static void __attribute__((format(printf, 4, 5)))
sshconfig_error(FILE *errors, int *nerrors, const struct sshconfig_origin *at,
    const char *fmt, ...)
{
	va_list	 ap;

	if (errors != NULL) {
		va_start(ap, fmt);
		sshconfig_vreport(errors, at, fmt, ap);
		va_end(ap);
	}
	if (nerrors != NULL)
		(*nerrors)++;
}

/* Append an entry. */
static struct sshconfig_entry *
sshconfig_add(struct sshconfig *c, enum sshconfig_entry_kind kind,
    const struct sshconfig_origin *at)
{
	struct sshconfig_entry	*e;

	if (c->nentries == c->size) {
		c->size = c->size == 0 ? 64 : c->size * 2;
		c->entries = xreallocarray(c->entries, c->size, sizeof *e);
	}
	e = &c->entries[c->nentries++];
	memset(e, 0, sizeof *e);
	e->kind = kind;
	e->at = *at;
	return e;
}

/* Whether C is white space between words. */
static int
sshconfig_space(char c)
{
	return c == ' ' || c == '\t' || c == '\f' || c == '\r' || c == '\n';
}

/* Split LINE into words, see sshconfig.h. */
int
sshconfig_split(const char *line, char **words, int max)
{
	const char	*s = line;
	char		*w;
	size_t		 len;
	int		 n = 0, quote;

	while (sshconfig_space(*s))
		s++;
	if (*s == '\0' || *s == '#' || max < 1)
		return 0;
	/* The keyword ends at white space or at a single '='. */
	len = strcspn(s, " \t\f\r\n=");
	words[n++] = xstrndup(s, len);
	s += len;
	while (sshconfig_space(*s))
		s++;
	if (*s == '=')
		s++;
	for (;;) {
		while (sshconfig_space(*s))
			s++;
		if (*s == '\0' || *s == '#')
			break;
		if (n == max)
			goto fail;
		w = xmalloc(strlen(s) + 1);
		words[n++] = w;
		len = 0;
		quote = 0;
		for (; *s != '\0'; s++) {
			if (*s == '\\' && (s[1] == '"' || s[1] == '\'' ||
			    s[1] == '\\' || (quote == 0 && s[1] == ' '))) {
				w[len++] = *++s;
				continue;
			}
			if (quote == 0 && sshconfig_space(*s))
				break;
			if (quote == 0 && (*s == '"' || *s == '\'')) {
				quote = *s;
				continue;
			}
			if (quote != 0 && *s == quote) {
				quote = 0;
				continue;
			}
			w[len++] = *s;
		}
		w[len] = '\0';
		/* Only what the word needs: lines may be long. */
		words[n - 1] = xreallocarray(w, len + 1, 1);
		if (quote != 0)
			goto fail;
	}
	return n;

fail:
	while (n > 0)
		free(words[--n]);
	return -1;
}

/* Whether NAME matches PATTERN, see sshconfig.h. Linear backtracking. */
int
sshconfig_match_pattern(const char *name, const char *pattern)
{
	const char	*star = NULL, *resume = NULL;

	while (*name != '\0') {
		if (*pattern == '*') {
			star = pattern++;
			resume = name;
		} else if (*pattern == '?' || *pattern == *name) {
			pattern++;
			name++;
		} else if (star != NULL) {
			pattern = star + 1;
			name = ++resume;
		} else
			return 0;
	}
	while (*pattern == '*')
		pattern++;
	return *pattern == '\0';
}

/* Whether NAME matches a Host line, see sshconfig.h. */
int
sshconfig_match_host(const char *name, char * const *patterns, int npatterns)
{
	int	 i, matched = 0;

	for (i = 0; i < npatterns; i++) {
		if (patterns[i][0] == '!') {
			if (sshconfig_match_pattern(name, patterns[i] + 1))
				return 0;
		} else if (sshconfig_match_pattern(name, patterns[i]))
			matched = 1;
	}
	return matched;
}

/* The home directory of the user running jumpgate. */
static const char *
sshconfig_home(void)
{
	const char	*home = getenv("HOME");
	struct passwd	*pw;

	if (home != NULL && *home == '/')
		return home;
	if ((pw = getpwuid(getuid())) != NULL && pw->pw_dir != NULL)
		return pw->pw_dir;
	return "/";
}

/*
 * Read the configuration file PATH: a regular file that belongs to us or
 * root and that no other user can write (as ssh requires), reached as
 * safefile walks paths, at most SSHCONFIG_MAX_FILE_SIZE bytes. Returns 0
 * with *BUF (NUL-terminated, caller frees), 1 if it does not exist, or -1
 * with *CAUSE.
 */
static int
sshconfig_read(const char *path, char **buf, char **cause)
{
	struct stat	 sb;
	char		*leaf = NULL, *data = NULL;
	size_t		 used = 0;
	ssize_t		 n;
	int		 dirfd, fd = -1, rc = -1;

	*buf = NULL;
	if ((dirfd = safefile_open_dir(path, SAFEFILE_FOLLOW_LEAF, &leaf,
	    cause)) == -1)
		return -1;
	fd = openat(dirfd, leaf, O_RDONLY|O_NOFOLLOW|O_NONBLOCK|O_CLOEXEC);
	if (fd == -1) {
		if (errno == ENOENT)
			rc = 1;
		else
			xasprintf(cause, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (fstat(fd, &sb) == -1) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(sb.st_mode)) {
		xasprintf(cause, "%s: not a regular file", path);
		goto out;
	}
	if ((sb.st_uid != 0 && sb.st_uid != getuid()) ||
	    (sb.st_mode & 022) != 0) {
		xasprintf(cause, "%s: bad owner or permissions (uid %u, mode "
		    "%04o): ssh refuses it too; make it yours and writable "
		    "only by you (chmod go-w)", path, (unsigned)sb.st_uid,
		    (unsigned)(sb.st_mode & 07777));
		goto out;
	}
	if (sb.st_size > SSHCONFIG_MAX_FILE_SIZE) {
		xasprintf(cause, "%s: %lld bytes, more than the %d an ssh "
		    "configuration may have here", path,
		    (long long)sb.st_size, SSHCONFIG_MAX_FILE_SIZE);
		goto out;
	}
	data = xmalloc(SSHCONFIG_MAX_FILE_SIZE + 1);
	while (used < SSHCONFIG_MAX_FILE_SIZE + 1) {
		n = read(fd, data + used, SSHCONFIG_MAX_FILE_SIZE + 1 - used);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			xasprintf(cause, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	if (used > SSHCONFIG_MAX_FILE_SIZE) {
		xasprintf(cause, "%s: grew past %d bytes while read", path,
		    SSHCONFIG_MAX_FILE_SIZE);
		goto out;
	}
	if (memchr(data, '\0', used) != NULL) {
		xasprintf(cause, "%s: contains a NUL byte: not a text file",
		    path);
		goto out;
	}
	data[used] = '\0';
	*buf = data;
	data = NULL;
	rc = 0;
out:
	free(data);
	free(leaf);
	if (fd != -1)
		close(fd);
	close(dirfd);
	return rc;
}

/* Expand a leading "~" or "~/" to the home directory; caller frees. */
static char *
sshconfig_tilde(const char *path)
{
	char	*out;

	if (path[0] == '~' && (path[1] == '\0' || path[1] == '/')) {
		xasprintf(&out, "%s%s", sshconfig_home(), path + 1);
		return out;
	}
	return xstrdup(path);
}

static int	sshconfig_parse_file(struct sshconfig *, const char *, int,
		    const struct sshconfig_origin *);

/*
 * Read the files the Include line at entry INDEX names, at DEPTH. Entries
 * are added meanwhile: the line is found again by its index each time.
 */
static void
sshconfig_include(struct sshconfig *c, size_t index, int depth)
{
	struct sshconfig_entry	*e = &c->entries[index];
	struct sshconfig_origin	 at = e->at;
	glob_t			 g;
	char			*pattern;
	size_t			 j;
	int			 i, r;

	if (e->nwords < 2) {
		sshconfig_error(c->errors, c->nerrors, &at, "Include without "
		    "a file name");
		return;
	}
	if (depth >= SSHCONFIG_MAX_DEPTH) {
		sshconfig_error(c->errors, c->nerrors, &at, "Include nested "
		    "more than %d deep (a loop?): not read",
		    SSHCONFIG_MAX_DEPTH);
		return;
	}
	for (i = 1; i < c->entries[index].nwords; i++) {
		e = &c->entries[index];
		if (e->words[i][0] == '~')
			pattern = sshconfig_tilde(e->words[i]);
		else if (e->words[i][0] != '/')
			xasprintf(&pattern, "%s/%s", c->include_dir,
			    e->words[i]);
		else
			pattern = xstrdup(e->words[i]);
		memset(&g, 0, sizeof g);
		r = glob(pattern, 0, NULL, &g);
		if (r == GLOB_NOMATCH) {
			/* As ssh: a pattern that matches nothing is fine. */
		} else if (r != 0) {
			sshconfig_error(c->errors, c->nerrors, &at, "Include "
			    "%s: cannot expand the pattern", pattern);
		} else {
			for (j = 0; j < g.gl_pathc; j++) {
				if (sshconfig_parse_file(c, g.gl_pathv[j],
				    depth + 1, &at) != 0)
					break;
			}
		}
		globfree(&g);
		free(pattern);
	}
}

/*
 * Read PATH (included from FROM, or the top file if FROM is NULL) into C
 * at DEPTH. Returns -1 once SSHCONFIG_MAX_FILES have been read, else 0.
 */
static int
sshconfig_parse_file(struct sshconfig *c, const char *path, int depth,
    const struct sshconfig_origin *from)
{
	struct sshconfig_origin	 at;
	struct sshconfig_entry	*e;
	char			*buf, *cause = NULL, *line, *next, *words[
				    SSHCONFIG_MAX_WORDS];
	const char		*name;
	size_t			 len;
	int			 n, i, r;

	if (c->nfiles == SSHCONFIG_MAX_FILES) {
		sshconfig_error(c->errors, c->nerrors, from, "more than %d "
		    "files included: %s and the rest not read",
		    SSHCONFIG_MAX_FILES, path);
		return -1;
	}
	at.file = path;
	at.line = 0;
	if ((r = sshconfig_read(path, &buf, &cause)) != 0) {
		if (r == 1) {
			xasprintf(&cause, "%s: no such file", path);
			/* A file a glob found but then vanished is skipped. */
		}
		if (from != NULL)
			sshconfig_error(c->errors, c->nerrors, from, "Include: "
			    "%s", cause);
		else
			sshconfig_error(c->errors, c->nerrors, &at, "%s",
			    cause + (strncmp(cause, path, strlen(path)) == 0 &&
			    cause[strlen(path)] == ':' ? strlen(path) + 2 : 0));
		free(cause);
		return 0;
	}
	if ((c->bytes += strlen(buf)) > SSHCONFIG_MAX_TOTAL_SIZE) {
		sshconfig_error(c->errors, c->nerrors, from != NULL ? from :
		    &at, "more than %d bytes of configuration with the files "
		    "included: %s and the rest not read",
		    SSHCONFIG_MAX_TOTAL_SIZE, path);
		free(buf);
		return -1;
	}
	c->files = xreallocarray(c->files, c->nfiles + 1, sizeof *c->files);
	c->files[c->nfiles++] = xstrdup(path);
	name = c->files[c->nfiles - 1];
	at.file = name;
	at.line = 0;
	if (from != NULL)
		sshconfig_add(c, SSHCONFIG_PUSH, &at);

	for (line = buf; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		at.line++;
		n = sshconfig_split(line, words, SSHCONFIG_MAX_WORDS);
		if (n == -1) {
			sshconfig_error(c->errors, c->nerrors, &at, "unterminated "
			    "quote or more than %d words: line ignored",
			    SSHCONFIG_MAX_WORDS);
			continue;
		}
		if (n == 0)
			continue;
		for (i = 0; words[0][i] != '\0'; i++)
			words[0][i] = (char)tolower((unsigned char)words[0][i]);
		e = sshconfig_add(c, SSHCONFIG_LINE, &at);
		while (sshconfig_space(*line))
			line++;
		len = strlen(line);
		while (len > 0 && sshconfig_space(line[len - 1]))
			len--;
		e->text = xstrndup(line, len);
		e->words = xreallocarray(NULL, (size_t)n, sizeof *e->words);
		memcpy(e->words, words, (size_t)n * sizeof *words);
		e->nwords = n;
		if (strcmp(e->words[0], "include") == 0)
			sshconfig_include(c, c->nentries - 1, depth);
	}
	free(buf);
	if (from != NULL) {
		at.line = 0;
		sshconfig_add(c, SSHCONFIG_POP, &at);
	}
	return 0;
}

/* Read a configuration, see sshconfig.h. */
struct sshconfig *
sshconfig_load(const char *path, const char *include_dir, FILE *errors,
    int *nerrors)
{
	struct sshconfig	*c;
	int			 before = nerrors != NULL ? *nerrors : 0;

	c = xcalloc(1, sizeof *c);
	c->include_dir = include_dir;
	c->errors = errors;
	c->nerrors = nerrors;
	sshconfig_parse_file(c, path, 0, NULL);
	if (c->nfiles == 0) {
		sshconfig_free(c);
		if (nerrors != NULL && *nerrors == before)
			(*nerrors)++;
		return NULL;
	}
	c->errors = NULL;
	c->nerrors = NULL;
	return c;
}

/* The file a configuration was read from. */
const char *
sshconfig_path(const struct sshconfig *c)
{
	return c->files[0];
}

/* Free a configuration. */
void
sshconfig_free(struct sshconfig *c)
{
	size_t	i;
	int	j;

	if (c == NULL)
		return;
	for (i = 0; i < c->nentries; i++) {
		for (j = 0; j < c->entries[i].nwords; j++)
			free(c->entries[i].words[j]);
		free(c->entries[i].words);
		free(c->entries[i].text);
	}
	free(c->entries);
	for (i = 0; i < c->nfiles; i++)
		free(c->files[i]);
	free(c->files);
	free(c);
}

/* Parse a port: 1 to 65535, or 0 too if ZERO_OK. Returns it or -1. */
static int
sshconfig_port(const char *s, int zero_ok)
{
	long	 n = 0;

	if (*s == '\0' || strlen(s) > 5 || s[strspn(s, "0123456789")] != '\0')
		return -1;
	n = strtol(s, NULL, 10);
	if (n > 65535 || (n == 0 && !zero_ok))
		return -1;
	return (int)n;
}

/*
 * Parse "[ADDR]:PORT", "HOST:PORT", or if BARE_OK "PORT" (HOST NULL), or
 * if PATH_OK a Unix socket path (starting with '/'), into *END. Returns 0
 * or -1 with *WHY.
 */
static int
sshconfig_endpoint(const char *s, int bare_ok, int path_ok, int zero_ok,
    struct sshconfig_endpoint *end, const char **why)
{
	const char	*colon, *close;
	char		*host;
	int		 port;

	memset(end, 0, sizeof *end);
	if (*s == '/') {
		if (!path_ok) {
			*why = "a Unix socket path is not allowed here";
			return -1;
		}
		end->path = xstrdup(s);
		return 0;
	}
	if (*s == '[') {
		if ((close = strchr(s, ']')) == NULL || close[1] != ':') {
			*why = "expected [ADDRESS]:PORT";
			return -1;
		}
		host = xstrndup(s + 1, (size_t)(close - s - 1));
		colon = close + 1;
	} else if ((colon = strchr(s, ':')) != NULL) {
		if (strchr(colon + 1, ':') != NULL) {
			*why = "an IPv6 address needs brackets: [ADDRESS]:PORT";
			return -1;
		}
		host = xstrndup(s, (size_t)(colon - s));
	} else {
		if (!bare_ok) {
			*why = "expected HOST:PORT";
			return -1;
		}
		host = NULL;
		colon = s - 1;
	}
	if ((port = sshconfig_port(colon + 1, zero_ok)) == -1) {
		free(host);
		*why = zero_ok ? "the port must be 0 to 65535" :
		    "the port must be 1 to 65535";
		return -1;
	}
	if (host != NULL && !bare_ok && *host == '\0') {
		free(host);
		*why = "expected HOST:PORT";
		return -1;
	}
	end->host = host;
	end->port = port;
	return 0;
}

/* Parse a forward's arguments, see sshconfig.h. */
int
sshconfig_parse_fwd(enum sshconfig_fwd_kind kind, const char *arg1,
    const char *arg2, struct sshconfig_fwd *fwd, const char **why)
{
	memset(fwd, 0, sizeof *fwd);
	fwd->kind = kind;
	if (kind == SSHCONFIG_FWD_DYNAMIC) {
		if (arg2 != NULL) {
			*why = "DynamicForward takes one argument";
			return -1;
		}
		return sshconfig_endpoint(arg1, 1, 1, 0, &fwd->listen, why);
	}
	if (arg2 == NULL) {
		*why = kind == SSHCONFIG_FWD_REMOTE ? "RemoteForward with one "
		    "argument is a SOCKS proxy on the server, which jumpgate "
		    "does not have" : "LocalForward needs two arguments";
		return -1;
	}
	if (sshconfig_endpoint(arg1, 1, 1, kind == SSHCONFIG_FWD_REMOTE,
	    &fwd->listen, why) != 0)
		return -1;
	if (sshconfig_endpoint(arg2, 0, 1, 0, &fwd->connect, why) != 0) {
		sshconfig_fwd_free(fwd);
		return -1;
	}
	return 0;
}

/* Free what a forward holds. */
void
sshconfig_fwd_free(struct sshconfig_fwd *fwd)
{
	free(fwd->listen.path);
	free(fwd->listen.host);
	free(fwd->connect.path);
	free(fwd->connect.host);
	memset(&fwd->listen, 0, sizeof fwd->listen);
	memset(&fwd->connect, 0, sizeof fwd->connect);
}

/* The values tokens expand to for one host. */
struct sshconfig_tokens {
	const char	*alias;		/* %n */
	const char	*hostname;	/* %h */
	const char	*port;		/* %p */
	const char	*user;		/* %r */
	const char	*proxy_jump;	/* %j */
	const char	*local_user;	/* %u */
	const char	*home;		/* %d */
	char		 uid[16];	/* %i */
	char		 local_host[256];	/* %L; %l with the domain */
};

/*
 * Expand the tokens of S that ALLOWED lists ('%' is always allowed) and,
 * if TILDE, a leading "~". Returns the result (caller frees), or NULL
 * with the offending token in *BAD.
 */
static char *
sshconfig_expand(const char *s, const struct sshconfig_tokens *t,
    const char *allowed, int tilde, char *bad)
{
	char		*out, *next;
	const char	*v, *dot;
	size_t		 len;

	if (tilde && s[0] == '~' && (s[1] == '\0' || s[1] == '/'))
		xasprintf(&out, "%s", t->home);
	else
		out = xstrdup("");
	if (tilde && s[0] == '~' && (s[1] == '\0' || s[1] == '/'))
		s++;
	while (*s != '\0') {
		len = strcspn(s, "%");
		xasprintf(&next, "%s%.*s", out, (int)len, s);
		free(out);
		out = next;
		s += len;
		if (*s == '\0')
			break;
		if (s[1] != '%' && (s[1] == '\0' ||
		    strchr(allowed, s[1]) == NULL)) {
			*bad = s[1];
			free(out);
			return NULL;
		}
		switch (s[1]) {
		case '%': v = "%"; break;
		case 'n': v = t->alias; break;
		case 'h': v = t->hostname; break;
		case 'p': v = t->port; break;
		case 'r': v = t->user; break;
		case 'j': v = t->proxy_jump; break;
		case 'u': v = t->local_user; break;
		case 'd': v = t->home; break;
		case 'i': v = t->uid; break;
		case 'l': v = t->local_host; break;
		case 'L':
			dot = strchr(t->local_host, '.');
			len = dot != NULL ? (size_t)(dot - t->local_host) :
			    strlen(t->local_host);
			xasprintf(&next, "%s%.*s", out, (int)len,
			    t->local_host);
			free(out);
			out = next;
			s += 2;
			continue;
		default: v = ""; break;
		}
		xasprintf(&next, "%s%s", out, v != NULL ? v : "");
		free(out);
		out = next;
		s += 2;
	}
	return out;
}

/* What resolving one host needs besides the result. */
struct sshconfig_walk {
	struct sshconfig_host	*host;
	FILE			*errors;
	int			*nerrors;
	/* Raw forwards, for tokens once the host is known. */
	struct sshconfig_value	*fwd_args;	/* 2 per forward */
	/* Raw paths, expanded at the end. */
	int			 known_hosts_set;
	int			 clear_forwardings;
};

/* Add a note that the line of E is not mapped because of WHY. */
static void
sshconfig_note(struct sshconfig_host *h, const struct sshconfig_entry *e,
    const char *why)
{
	size_t	i;

	for (i = 0; i < h->nnotes; i++) {
		if (h->notes[i].at.file == e->at.file &&
		    h->notes[i].at.line == e->at.line)
			return;
	}
	h->notes = xreallocarray(h->notes, h->nnotes + 1, sizeof *h->notes);
	h->notes[h->nnotes].at = e->at;
	h->notes[h->nnotes].text = xstrdup(e->text);
	h->notes[h->nnotes].why = xstrdup(why);
	h->nnotes++;
}

/* Set V to E's first argument unless already set (first value wins). */
static void
sshconfig_first(struct sshconfig_value *v, const struct sshconfig_entry *e)
{
	if (v->text != NULL)
		return;
	v->text = xstrdup(e->words[1]);
	v->at = e->at;
}

/* Append E's arguments from the first on to a list. */
static void
sshconfig_append(struct sshconfig_value **list, size_t *n,
    const struct sshconfig_entry *e, int first)
{
	int	i;

	for (i = first; i < e->nwords; i++) {
		*list = xreallocarray(*list, *n + 1, sizeof **list);
		(*list)[*n].text = xstrdup(e->words[i]);
		(*list)[*n].at = e->at;
		(*n)++;
	}
}

/* Keywords that are applied: anything else is noted as not mapped. */
static const char * const sshconfig_mapped[] = {
	"hostname", "user", "port", "proxyjump", "proxycommand",
	"stricthostkeychecking", "connecttimeout", "serveraliveinterval",
	"serveralivecountmax", "userknownhostsfile", "identityfile",
	"certificatefile", "localforward", "remoteforward", "dynamicforward",
	NULL
};

/* Apply one active line E to the host being resolved. */
static void
sshconfig_apply(struct sshconfig_walk *w, const struct sshconfig_entry *e)
{
	struct sshconfig_host	*h = w->host;
	const char		*k = e->words[0];
	size_t			 i;

	for (i = 0; sshconfig_mapped[i] != NULL; i++) {
		if (strcmp(k, sshconfig_mapped[i]) == 0)
			break;
	}
	if (sshconfig_mapped[i] == NULL) {
		if (strcmp(k, "clearallforwardings") == 0 && e->nwords > 1 &&
		    strcasecmp(e->words[1], "yes") == 0)
			w->clear_forwardings = 1;
		sshconfig_note(h, e, "no jumpgate equivalent");
		return;
	}
	if (e->nwords < 2) {
		sshconfig_error(w->errors, w->nerrors, &e->at, "%s without a "
		    "value", e->words[0]);
		return;
	}
	if (strcmp(k, "hostname") == 0)
		sshconfig_first(&h->hostname, e);
	else if (strcmp(k, "user") == 0)
		sshconfig_first(&h->user, e);
	else if (strcmp(k, "port") == 0)
		sshconfig_first(&h->port, e);
	else if (strcmp(k, "proxyjump") == 0 || strcmp(k, "proxycommand") == 0) {
		/* ssh takes whichever of the two comes first. */
		if (h->proxy_jump.text != NULL || h->proxy_command.text != NULL)
			return;
		if (strcmp(k, "proxyjump") == 0)
			sshconfig_first(&h->proxy_jump, e);
		else {
			/* The whole command, its words joined by spaces. */
			sshconfig_first(&h->proxy_command, e);
			for (i = 2; i < (size_t)e->nwords; i++) {
				char *next;

				xasprintf(&next, "%s %s", h->proxy_command.text,
				    e->words[i]);
				free(h->proxy_command.text);
				h->proxy_command.text = next;
			}
		}
	} else if (strcmp(k, "stricthostkeychecking") == 0)
		sshconfig_first(&h->strict_host_key_checking, e);
	else if (strcmp(k, "connecttimeout") == 0)
		sshconfig_first(&h->connect_timeout, e);
	else if (strcmp(k, "serveraliveinterval") == 0)
		sshconfig_first(&h->server_alive_interval, e);
	else if (strcmp(k, "serveralivecountmax") == 0)
		sshconfig_first(&h->server_alive_count_max, e);
	else if (strcmp(k, "userknownhostsfile") == 0) {
		if (w->known_hosts_set++ == 0)
			sshconfig_append(&h->known_hosts, &h->nknown_hosts, e,
			    1);
	} else if (strcmp(k, "identityfile") == 0)
		sshconfig_append(&h->identity_files, &h->nidentity_files, e, 1);
	else if (strcmp(k, "certificatefile") == 0)
		sshconfig_append(&h->certificate_files,
		    &h->ncertificate_files, e, 1);
	else {
		h->fwds = xreallocarray(h->fwds, h->nfwds + 1, sizeof *h->fwds);
		w->fwd_args = xreallocarray(w->fwd_args, 2 * (h->nfwds + 1),
		    sizeof *w->fwd_args);
		memset(&h->fwds[h->nfwds], 0, sizeof h->fwds[h->nfwds]);
		h->fwds[h->nfwds].kind = strcmp(k, "localforward") == 0 ?
		    SSHCONFIG_FWD_LOCAL : strcmp(k, "remoteforward") == 0 ?
		    SSHCONFIG_FWD_REMOTE : SSHCONFIG_FWD_DYNAMIC;
		h->fwds[h->nfwds].at = e->at;
		w->fwd_args[2 * h->nfwds].text = xstrdup(e->words[1]);
		w->fwd_args[2 * h->nfwds].at = e->at;
		w->fwd_args[2 * h->nfwds + 1].text = e->nwords > 2 ?
		    xstrdup(e->words[2]) : NULL;
		w->fwd_args[2 * h->nfwds + 1].at = e->at;
		h->nfwds++;
		if (e->nwords > 3)
			sshconfig_note(h, e, "extra arguments ignored");
	}
}

/* Walk the entries of C for the host, as ssh reads its files. */
static void
sshconfig_walk(struct sshconfig_walk *w, const struct sshconfig *c,
    const char *name)
{
	struct {
		int	active;
		int	never;
	}	 stack[SSHCONFIG_MAX_DEPTH + 2];
	size_t	 i;
	int	 top = 0, active = 1, never = 0;

	for (i = 0; i < c->nentries; i++) {
		const struct sshconfig_entry *e = &c->entries[i];

		if (e->kind == SSHCONFIG_PUSH) {
			if (top < SSHCONFIG_MAX_DEPTH + 2) {
				stack[top].active = active;
				stack[top].never = never;
			}
			top++;
			/* A file included while inactive never matches. */
			never = never || !active;
			continue;
		}
		if (e->kind == SSHCONFIG_POP) {
			if (--top < SSHCONFIG_MAX_DEPTH + 2 && top >= 0) {
				active = stack[top].active;
				never = stack[top].never;
			}
			continue;
		}
		if (strcmp(e->words[0], "host") == 0) {
			active = !never && sshconfig_match_host(name,
			    e->words + 1, e->nwords - 1);
			continue;
		}
		if (strcmp(e->words[0], "match") == 0) {
			/* Not evaluated: its block is not applied. */
			sshconfig_note(w->host, e, "Match is not evaluated "
			    "(it may run commands); the lines up to the next "
			    "Host or Match were not applied");
			active = 0;
			continue;
		}
		if (strcmp(e->words[0], "include") == 0 || !active)
			continue;
		sshconfig_apply(w, e);
	}
}

/* Expand the tokens of V in place; report a bad one. Returns 0 or -1. */
static int
sshconfig_expand_value(struct sshconfig_walk *w, struct sshconfig_value *v,
    const struct sshconfig_tokens *t, const char *allowed, int tilde)
{
	char	*out, bad = 0;

	if (v->text == NULL)
		return 0;
	if ((out = sshconfig_expand(v->text, t, allowed, tilde, &bad)) ==
	    NULL) {
		sshconfig_error(w->errors, w->nerrors, &v->at, "'%s': unknown "
		    "or unsupported token '%%%c' (supported here: %%%%, %s)",
		    v->text, bad, allowed);
		return -1;
	}
	free(v->text);
	v->text = out;
	return 0;
}

/* Tokens of paths (IdentityFile, UserKnownHostsFile, socket paths). */
#define SSHCONFIG_PATH_TOKENS	"dhijlLnpru"

/* Resolve a host, see sshconfig.h. */
int
sshconfig_resolve(const struct sshconfig * const *configs, size_t nconfigs,
    const char *alias, const struct sshconfig_preset *preset,
    struct sshconfig_host *h, FILE *errors, int *nerrors)
{
	struct sshconfig_walk	 w;
	struct sshconfig_tokens	 t;
	struct sshconfig_origin	 cmdline = { "command line", 0 };
	struct passwd		*pw;
	const char		*why;
	char			*name;
	size_t			 i;
	int			 before = *nerrors, zero;

	memset(h, 0, sizeof *h);
	memset(&w, 0, sizeof w);
	if (preset != NULL && preset->at.file != NULL)
		cmdline = preset->at;
	w.host = h;
	w.errors = errors;
	w.nerrors = nerrors;
	name = xstrdup(alias);
	for (i = 0; name[i] != '\0'; i++)
		name[i] = (char)tolower((unsigned char)name[i]);
	h->alias = name;
	if (preset != NULL && preset->user != NULL) {
		h->user.text = xstrdup(preset->user);
		h->user.at = cmdline;
	}
	if (preset != NULL && preset->port != NULL) {
		h->port.text = xstrdup(preset->port);
		h->port.at = cmdline;
	}
	if (preset != NULL && preset->proxy_jump != NULL) {
		h->proxy_jump.text = xstrdup(preset->proxy_jump);
		h->proxy_jump.at = cmdline;
	}
	for (i = 0; i < nconfigs; i++) {
		if (configs[i] != NULL)
			sshconfig_walk(&w, configs[i], name);
	}

	/* ssh's defaults. */
	memset(&t, 0, sizeof t);
	t.alias = name;
	t.home = sshconfig_home();
	pw = getpwuid(getuid());
	t.local_user = pw != NULL ? pw->pw_name : "";
	snprintf(t.uid, sizeof t.uid, "%u", (unsigned)getuid());
	if (gethostname(t.local_host, sizeof t.local_host) != 0)
		t.local_host[0] = '\0';
	t.local_host[sizeof t.local_host - 1] = '\0';
	t.hostname = name;
	if (sshconfig_expand_value(&w, &h->hostname, &t, "h", 0) != 0) {
		free(h->hostname.text);
		h->hostname.text = NULL;
	}
	if (h->hostname.text == NULL) {
		h->hostname.text = xstrdup(name);
		h->hostname.at = cmdline;
	}
	t.hostname = h->hostname.text;
	if (h->user.text == NULL)
		h->user.text = xstrdup(t.local_user);
	if (h->port.text == NULL)
		h->port.text = xstrdup("22");
	else if (sshconfig_port(h->port.text, 0) == -1)
		sshconfig_error(errors, nerrors, &h->port.at, "Port '%s': "
		    "expected a number from 1 to 65535", h->port.text);
	t.user = h->user.text;
	t.port = h->port.text;
	t.proxy_jump = h->proxy_jump.text != NULL &&
	    strcasecmp(h->proxy_jump.text, "none") != 0 ? h->proxy_jump.text :
	    "";

	for (i = 0; i < h->nidentity_files; i++)
		sshconfig_expand_value(&w, &h->identity_files[i], &t,
		    SSHCONFIG_PATH_TOKENS, 1);
	for (i = 0; i < h->ncertificate_files; i++)
		sshconfig_expand_value(&w, &h->certificate_files[i], &t,
		    SSHCONFIG_PATH_TOKENS, 1);
	for (i = 0; i < h->nknown_hosts; i++)
		sshconfig_expand_value(&w, &h->known_hosts[i], &t,
		    SSHCONFIG_PATH_TOKENS, 1);

	/* Forwards: socket paths take tokens, addresses do not. */
	for (i = 0; i < h->nfwds; i++) {
		struct sshconfig_value *a = &w.fwd_args[2 * i];
		struct sshconfig_fwd *f = &h->fwds[i];
		enum sshconfig_fwd_kind kind = f->kind;
		struct sshconfig_origin at = f->at;

		zero = 0;
		if ((a[0].text[0] == '/' || a[0].text[0] == '~') &&
		    sshconfig_expand_value(&w, &a[0], &t,
		    SSHCONFIG_PATH_TOKENS, 1) != 0)
			zero = 1;
		if (a[1].text != NULL && (a[1].text[0] == '/' ||
		    a[1].text[0] == '~') && sshconfig_expand_value(&w, &a[1],
		    &t, SSHCONFIG_PATH_TOKENS, 1) != 0)
			zero = 1;
		if (!zero && sshconfig_parse_fwd(kind, a[0].text, a[1].text, f,
		    &why) != 0) {
			sshconfig_error(errors, nerrors, &at, "%s%s%s: %s",
			    a[0].text, a[1].text != NULL ? " " : "",
			    a[1].text != NULL ? a[1].text : "", why);
			zero = 1;
		}
		f->kind = kind;
		f->at = at;
		if (zero)
			f->listen.port = -1;	/* marks a bad forward */
		free(a[0].text);
		free(a[1].text);
	}
	free(w.fwd_args);
	if (w.clear_forwardings) {
		for (i = 0; i < h->nfwds; i++)
			sshconfig_fwd_free(&h->fwds[i]);
		h->nfwds = 0;
	}
	return *nerrors == before ? 0 : -1;
}

/* Free a resolved host. */
void
sshconfig_host_free(struct sshconfig_host *h)
{
	struct sshconfig_value	*singles[] = {
		&h->hostname, &h->user, &h->port, &h->proxy_jump,
		&h->proxy_command, &h->strict_host_key_checking,
		&h->connect_timeout, &h->server_alive_interval,
		&h->server_alive_count_max
	};
	size_t			 i;

	free(h->alias);
	for (i = 0; i < sizeof singles / sizeof singles[0]; i++)
		free(singles[i]->text);
	for (i = 0; i < h->nknown_hosts; i++)
		free(h->known_hosts[i].text);
	free(h->known_hosts);
	for (i = 0; i < h->nidentity_files; i++)
		free(h->identity_files[i].text);
	free(h->identity_files);
	for (i = 0; i < h->ncertificate_files; i++)
		free(h->certificate_files[i].text);
	free(h->certificate_files);
	for (i = 0; i < h->nfwds; i++)
		sshconfig_fwd_free(&h->fwds[i]);
	free(h->fwds);
	for (i = 0; i < h->nnotes; i++) {
		free(h->notes[i].text);
		free(h->notes[i].why);
	}
	free(h->notes);
	memset(h, 0, sizeof *h);
}

/* Parse the INI configuration file into a struct config. */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <libgen.h>
#include <limits.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ini.h>

#include "algorithms.h"
#include "allow.h"
#include "cert.h"
#include "config.h"
#include "fingerprint.h"
#include "log.h"
#include "vis.h"
#include "unixsock.h"
#include "xmalloc.h"

/* Longest control socket path: sun_path less its NUL (107 on Linux). */
#define CONFIG_MAX_SOCKET_PATH \
	(sizeof(((struct sockaddr_un *)NULL)->sun_path) - 1)

enum config_kind {
	CONFIG_GLOBAL,
	CONFIG_HOP,
	CONFIG_TUNNEL
};

/* Indexes into config_keys. */
enum {
	CONFIG_KEY_LOG_LEVEL,
	CONFIG_KEY_CONTROL_SOCKET,
	CONFIG_KEY_SHUTDOWN_TIMEOUT,
	CONFIG_KEY_PIDFILE,
	CONFIG_KEY_LOG_FILE,
	CONFIG_KEY_LOG_FORMAT,
	CONFIG_KEY_HOST,
	CONFIG_KEY_PORT,
	CONFIG_KEY_USER,
	CONFIG_KEY_IDENTITY,
	CONFIG_KEY_IDENTITY_PASSPHRASE_FILE,
	CONFIG_KEY_CERTIFICATE,
	CONFIG_KEY_HOST_KEY,
	CONFIG_KEY_KNOWN_HOSTS,
	CONFIG_KEY_HOST_KEY_POLICY,
	CONFIG_KEY_CONNECT_TIMEOUT,
	CONFIG_KEY_SOCKET_SEND_BUFFER,
	CONFIG_KEY_KEEPALIVE_INTERVAL,
	CONFIG_KEY_KEEPALIVE_COUNT_MAX,
	CONFIG_KEY_RECONNECT_MIN,
	CONFIG_KEY_RECONNECT_MAX,
	CONFIG_KEY_LAZY,
	CONFIG_KEY_IDLE_TIMEOUT,
	CONFIG_KEY_CHANNELS_PER_SESSION,
	CONFIG_KEY_HOP_VIA,
	CONFIG_KEY_KEX,
	CONFIG_KEY_HOST_KEY_ALGORITHMS,
	CONFIG_KEY_CIPHERS,
	CONFIG_KEY_MACS,
	CONFIG_KEY_ALLOW_SSH_RSA_SHA1,
	CONFIG_KEY_PASSWORD_FILE,
	CONFIG_KEY_PASSWORD_ENV,
	CONFIG_KEY_PASSWORD,
	CONFIG_KEY_OTP_COMMAND,
	CONFIG_KEY_OTP_ENV,
	CONFIG_KEY_LISTEN,
	CONFIG_KEY_LISTEN_MODE,
	CONFIG_KEY_LISTEN_GROUP,
	CONFIG_KEY_CONNECT,
	CONFIG_KEY_VIA,
	CONFIG_KEY_TYPE,
	CONFIG_KEY_REQUIRED,
	CONFIG_KEY_MAX_CONNECTIONS,
	CONFIG_KEY_CLIENT_IDLE_TIMEOUT,
	CONFIG_KEY_ALLOW,
	CONFIG_NKEYS
};

/* One section as the parser saw it: where it and each of its keys were. */
struct config_section {
	enum config_kind	 kind;
	int			 line;
	char			*label;		/* "hop bastion", "jumpgate" */
	struct config_hop	*hop;
	struct config_tunnel	*tunnel;
	int			 keyline[CONFIG_NKEYS];	/* 0: not given */
	int			 valid[CONFIG_NKEYS];	/* value accepted */
};

/* A problem found, kept so that all of them come out in line order. */
struct config_error {
	int			 line;		/* 0: the file as a whole */
	size_t			 order;
	char			*message;
};

/* State of one config_load. */
struct config_parse {
	struct config		 *config;
	int			  flags;	/* CONFIG_LOAD_* */
	FILE			 *f;
	char			 *buf;
	size_t			  bufsize;
	int			  line;		/* line last handed to inih */
	int			  pending;	/* key line not yet handled */

	struct config_section	**sections;
	size_t			  nsections;
	struct config_section	 *current;	/* NULL before any section */
	int			  skipping;	/* inside a rejected section */

	struct config_error	 *errors;
	size_t			  nerrors;
};

/* How a key's value is stored, checked, compared for reload and freed. */
enum config_type {
	CONFIG_NUMBER,		/* int between min and max */
	CONFIG_FLAG,		/* int, yes (1) or no (0) */
	CONFIG_CHOICE,		/* enum, the index of a name in choices */
	CONFIG_STRING,		/* char *, as written */
	CONFIG_PATH,		/* char *, absolute */
	CONFIG_ALGORITHMS,	/* char *, names comma-separated */
	CONFIG_ADDRESS,		/* char * host at offset, int port_offset */
	CONFIG_PINS,		/* struct fingerprint *pins, size_t npins */
	CONFIG_REFUSED		/* nothing: the key is only there to be refused */
};

/* A key whose change a kept tunnel takes without a new listener. */
#define CONFIG_LIVE	0x1

/*
 * A key a kind of section accepts (tmux's options-table.c): where its value
 * goes (offset into struct config, config_hop or config_tunnel, by kind), of
 * which type, within which bounds, and its default (numbers, flags and
 * choices are -1 until then). set is NULL for the type's own setter, or a
 * key's own; either returns 0, or -1 after reporting.
 */
struct config_key {
	enum config_kind	 kind;
	const char		*name;
	enum config_type	 type;
	size_t			 offset;
	size_t			 port_offset;	/* CONFIG_ADDRESS */
	int			 min, max;	/* CONFIG_NUMBER */
	int			 def;		/* numbers, flags, choices */
	const char		*unit;		/* "seconds", "bytes" or NULL */
	const char		*hint;		/* after the expected range */
	const char * const	*choices;	/* CONFIG_CHOICE, NULL-terminated */
	const char		*required;	/* NULL, or what to add */
	int			 flags;		/* CONFIG_LIVE */
	int			(*set)(struct config_parse *,
				    struct config_section *, const char *);
};

static int	config_set_log_level(struct config_parse *,
		    struct config_section *, const char *);
static int	config_set_control_socket(struct config_parse *,
		    struct config_section *, const char *);
static int	config_set_host(struct config_parse *,
		    struct config_section *, const char *);
static int	config_set_host_key(struct config_parse *,
		    struct config_section *, const char *);
static int	config_set_password_env(struct config_parse *,
		    struct config_section *, const char *);
static int	config_set_password(struct config_parse *,
		    struct config_section *, const char *);
static int	config_set_otp_env(struct config_parse *,
		    struct config_section *, const char *);
static int	config_set_listen(struct config_parse *,
		    struct config_section *, const char *);
static int	config_set_connect(struct config_parse *,
		    struct config_section *, const char *);
static int	config_set_allow(struct config_parse *,
		    struct config_section *, const char *);
static int	config_set_listen_mode(struct config_parse *,
		    struct config_section *, const char *);
static int	config_set_listen_group(struct config_parse *,
		    struct config_section *, const char *);
static int	config_key_set(struct config_parse *, struct config_section *,
		    size_t, const char *);
static void	config_key_unset(enum config_kind, void *);
static int	config_key_usable(const struct config_section *, size_t);
static void	config_error(struct config_parse *, int, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

/* Choices are stored through an int. */
_Static_assert(sizeof(enum hostkey_policy) == sizeof(int), "policy");
_Static_assert(sizeof(enum tunnel_type) == sizeof(int), "tunnel type");
_Static_assert(sizeof(enum log_level) == sizeof(int), "log level");
_Static_assert(sizeof(enum log_format) == sizeof(int), "log format");

/* Key K's field in BASE, of C type TYPE. */
#define CONFIG_FIELD(type, base, k) \
	((type *)(void *)((char *)(base) + config_keys[k].offset))

static const char * const config_policy_names[] = {
	"strict", "tofu", "insecure", NULL
};
static const char * const config_type_names[] = {
	"local", "remote", "socks", NULL
};
static const char * const config_log_format_names[] = { "text", "json", NULL };

#define CONFIG_STR(x)		CONFIG_STR1(x)
#define CONFIG_STR1(x)		#x
#define CONFIG_G(field)		CONFIG_GLOBAL, .offset = \
				    offsetof(struct config, field)
#define CONFIG_H(field)		CONFIG_HOP, .offset = \
				    offsetof(struct config_hop, field)
#define CONFIG_T(field)		CONFIG_TUNNEL, .offset = \
				    offsetof(struct config_tunnel, field)

static const struct config_key config_keys[CONFIG_NKEYS] = {
	[CONFIG_KEY_LOG_LEVEL] = { .kind = CONFIG_G(log_level),
	    .name = "log_level", .type = CONFIG_CHOICE, .def = LOG_LEVEL_INFO,
	    .set = config_set_log_level },
	[CONFIG_KEY_CONTROL_SOCKET] = { .kind = CONFIG_G(control_socket),
	    .name = "control_socket", .type = CONFIG_PATH,
	    .set = config_set_control_socket },
	[CONFIG_KEY_SHUTDOWN_TIMEOUT] = { .kind = CONFIG_G(shutdown_timeout),
	    .name = "shutdown_timeout", .type = CONFIG_NUMBER, .min = 0,
	    .max = 3600, .def = CONFIG_DEFAULT_SHUTDOWN_TIMEOUT,
	    .unit = "seconds" },
	[CONFIG_KEY_PIDFILE] = { .kind = CONFIG_G(pidfile),
	    .name = "pidfile", .type = CONFIG_PATH },
	[CONFIG_KEY_LOG_FILE] = { .kind = CONFIG_G(log_file),
	    .name = "log_file", .type = CONFIG_PATH },
	[CONFIG_KEY_LOG_FORMAT] = { .kind = CONFIG_G(log_format),
	    .name = "log_format", .type = CONFIG_CHOICE,
	    .choices = config_log_format_names, .def = LOG_FORMAT_TEXT },

	[CONFIG_KEY_HOST] = { .kind = CONFIG_H(host), .name = "host",
	    .type = CONFIG_STRING, .required = "host = HOSTNAME",
	    .set = config_set_host },
	[CONFIG_KEY_PORT] = { .kind = CONFIG_H(port), .name = "port",
	    .type = CONFIG_NUMBER, .min = 1, .max = 65535,
	    .def = CONFIG_DEFAULT_PORT },
	[CONFIG_KEY_USER] = { .kind = CONFIG_H(user), .name = "user",
	    .type = CONFIG_STRING, .required = "user = NAME" },
	[CONFIG_KEY_IDENTITY] = { .kind = CONFIG_H(identity),
	    .name = "identity", .type = CONFIG_PATH },
	[CONFIG_KEY_IDENTITY_PASSPHRASE_FILE] = {
	    .kind = CONFIG_H(identity_passphrase_file),
	    .name = "identity_passphrase_file", .type = CONFIG_PATH },
	[CONFIG_KEY_CERTIFICATE] = { .kind = CONFIG_H(certificate),
	    .name = "certificate", .type = CONFIG_PATH },
	[CONFIG_KEY_HOST_KEY] = { .kind = CONFIG_H(pins), .name = "host_key",
	    .type = CONFIG_PINS, .set = config_set_host_key },
	[CONFIG_KEY_KNOWN_HOSTS] = { .kind = CONFIG_H(known_hosts),
	    .name = "known_hosts", .type = CONFIG_PATH },
	[CONFIG_KEY_HOST_KEY_POLICY] = { .kind = CONFIG_H(policy),
	    .name = "host_key_policy", .type = CONFIG_CHOICE,
	    .choices = config_policy_names, .def = HOSTKEY_POLICY_STRICT },
	[CONFIG_KEY_CONNECT_TIMEOUT] = { .kind = CONFIG_H(connect_timeout),
	    .name = "connect_timeout", .type = CONFIG_NUMBER, .min = 1,
	    .max = 3600, .def = CONFIG_DEFAULT_CONNECT_TIMEOUT,
	    .unit = "seconds" },
	[CONFIG_KEY_SOCKET_SEND_BUFFER] = {
	    .kind = CONFIG_H(socket_send_buffer), .name = "socket_send_buffer",
	    .type = CONFIG_NUMBER, .min = CONFIG_MIN_SOCKET_BUFFER,
	    .max = CONFIG_MAX_SOCKET_BUFFER, .def = 0, .unit = "bytes",
	    .hint = " (leave it out to let the kernel size it)" },
	[CONFIG_KEY_KEEPALIVE_INTERVAL] = {
	    .kind = CONFIG_H(keepalive_interval), .name = "keepalive_interval",
	    .type = CONFIG_NUMBER, .min = 0, .max = 3600,
	    .def = CONFIG_DEFAULT_KEEPALIVE_INTERVAL, .unit = "seconds",
	    .hint = " (0 turns keepalives off)" },
	[CONFIG_KEY_KEEPALIVE_COUNT_MAX] = {
	    .kind = CONFIG_H(keepalive_count_max),
	    .name = "keepalive_count_max", .type = CONFIG_NUMBER, .min = 1,
	    .max = 100, .def = CONFIG_DEFAULT_KEEPALIVE_COUNT_MAX },
	[CONFIG_KEY_RECONNECT_MIN] = { .kind = CONFIG_H(reconnect_min),
	    .name = "reconnect_min", .type = CONFIG_NUMBER, .min = 1,
	    .max = 3600, .def = CONFIG_DEFAULT_RECONNECT_MIN,
	    .unit = "seconds" },
	[CONFIG_KEY_RECONNECT_MAX] = { .kind = CONFIG_H(reconnect_max),
	    .name = "reconnect_max", .type = CONFIG_NUMBER, .min = 1,
	    .max = 86400, .def = CONFIG_DEFAULT_RECONNECT_MAX,
	    .unit = "seconds" },
	[CONFIG_KEY_LAZY] = { .kind = CONFIG_H(lazy), .name = "lazy",
	    .type = CONFIG_FLAG, .def = 0 },
	[CONFIG_KEY_IDLE_TIMEOUT] = { .kind = CONFIG_H(idle_timeout),
	    .name = "idle_timeout", .type = CONFIG_NUMBER, .min = 0,
	    .max = 86400, .def = 0, .unit = "seconds",
	    .hint = " (0 never drops an idle session)" },
	[CONFIG_KEY_CHANNELS_PER_SESSION] = {
	    .kind = CONFIG_H(channels_per_session),
	    .name = "channels_per_session", .type = CONFIG_NUMBER, .min = 1,
	    .max = 100000, .def = CONFIG_DEFAULT_CHANNELS_PER_SESSION },
	[CONFIG_KEY_HOP_VIA] = { .kind = CONFIG_H(via), .name = "via",
	    .type = CONFIG_STRING },
	[CONFIG_KEY_KEX] = { .kind = CONFIG_H(kex), .name = "kex",
	    .type = CONFIG_ALGORITHMS },
	[CONFIG_KEY_HOST_KEY_ALGORITHMS] = {
	    .kind = CONFIG_H(host_key_algorithms),
	    .name = "host_key_algorithms", .type = CONFIG_ALGORITHMS },
	[CONFIG_KEY_CIPHERS] = { .kind = CONFIG_H(ciphers),
	    .name = "ciphers", .type = CONFIG_ALGORITHMS },
	[CONFIG_KEY_MACS] = { .kind = CONFIG_H(macs), .name = "macs",
	    .type = CONFIG_ALGORITHMS },
	[CONFIG_KEY_ALLOW_SSH_RSA_SHA1] = {
	    .kind = CONFIG_H(allow_ssh_rsa_sha1), .name = "allow_ssh_rsa_sha1",
	    .type = CONFIG_FLAG, .def = 0 },
	[CONFIG_KEY_PASSWORD_FILE] = { .kind = CONFIG_H(password_file),
	    .name = "password_file", .type = CONFIG_PATH },
	[CONFIG_KEY_PASSWORD_ENV] = { .kind = CONFIG_H(password_env),
	    .name = "password_env", .type = CONFIG_STRING,
	    .set = config_set_password_env },
	[CONFIG_KEY_PASSWORD] = { .kind = CONFIG_HOP, .name = "password",
	    .type = CONFIG_REFUSED, .set = config_set_password },
	[CONFIG_KEY_OTP_COMMAND] = { .kind = CONFIG_H(otp_command),
	    .name = "otp_command", .type = CONFIG_STRING },
	[CONFIG_KEY_OTP_ENV] = { .kind = CONFIG_H(otp_env), .name = "otp_env",
	    .type = CONFIG_STRING, .set = config_set_otp_env },

	[CONFIG_KEY_LISTEN] = { .kind = CONFIG_T(listen_host),
	    .port_offset = offsetof(struct config_tunnel, listen_port),
	    .name = "listen", .type = CONFIG_ADDRESS,
	    .required = "listen = [HOST:]PORT", .set = config_set_listen },
	[CONFIG_KEY_LISTEN_MODE] = { .kind = CONFIG_T(listen_mode),
	    .name = "listen_mode", .type = CONFIG_NUMBER,
	    .def = UNIXSOCK_DEFAULT_MODE, .set = config_set_listen_mode },
	[CONFIG_KEY_LISTEN_GROUP] = { .kind = CONFIG_T(listen_group),
	    .name = "listen_group", .type = CONFIG_NUMBER, .def = -1,
	    .set = config_set_listen_group },
	[CONFIG_KEY_CONNECT] = { .kind = CONFIG_T(connect_host),
	    .port_offset = offsetof(struct config_tunnel, connect_port),
	    .name = "connect", .type = CONFIG_ADDRESS,
	    .required = "connect = HOST:PORT", .set = config_set_connect },
	[CONFIG_KEY_VIA] = { .kind = CONFIG_T(via), .name = "via",
	    .type = CONFIG_STRING, .required = "via = HOP" },
	[CONFIG_KEY_TYPE] = { .kind = CONFIG_T(type), .name = "type",
	    .type = CONFIG_CHOICE, .choices = config_type_names,
	    .def = TUNNEL_LOCAL },
	[CONFIG_KEY_REQUIRED] = { .kind = CONFIG_T(required),
	    .name = "required", .type = CONFIG_FLAG, .def = 1 },
	[CONFIG_KEY_MAX_CONNECTIONS] = { .kind = CONFIG_T(max_connections),
	    .name = "max_connections", .type = CONFIG_NUMBER, .min = 1,
	    .max = CONFIG_MAX_MAX_CONNECTIONS,
	    .def = CONFIG_DEFAULT_MAX_CONNECTIONS, .hint = " (default "
	    CONFIG_STR(CONFIG_DEFAULT_MAX_CONNECTIONS) "); clients past it "
	    "are closed at once", .flags = CONFIG_LIVE },
	[CONFIG_KEY_CLIENT_IDLE_TIMEOUT] = {
	    .kind = CONFIG_T(client_idle_timeout),
	    .name = "client_idle_timeout", .type = CONFIG_NUMBER, .min = 0,
	    .max = CONFIG_MAX_CLIENT_IDLE_TIMEOUT, .def = 0,
	    .unit = "seconds", .hint = " (0, the default, never closes an "
	    "idle connection)", .flags = CONFIG_LIVE },
	[CONFIG_KEY_ALLOW] = { .kind = CONFIG_T(allow), .name = "allow",
	    .type = CONFIG_STRING, .set = config_set_allow,
	    .flags = CONFIG_LIVE },
};


#define CONFIG_SECTION_FORMS "[jumpgate], [hop NAME] or [tunnel NAME]"

/* Record a problem at LINE (0: the file as a whole). */
static void
config_error(struct config_parse *p, int line, const char *fmt, ...)
{
	struct config_error	*e;
	va_list			 ap;
	char			*message;

	va_start(ap, fmt);
	if (vasprintf(&message, fmt, ap) == -1)
		fatal("out of memory formatting a config error");
	va_end(ap);

	p->errors = xreallocarray(p->errors, p->nerrors + 1, sizeof *p->errors);
	e = &p->errors[p->nerrors];
	e->line = line;
	e->order = p->nerrors++;
	e->message = message;
}

/* Order errors by line, keeping the order found within a line. */
static int
config_error_cmp(const void *a0, const void *b0)
{
	const struct config_error	*a = a0, *b = b0;

	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->order != b->order)
		return a->order < b->order ? -1 : 1;
	return 0;
}

/* Trim white space at both ends of S, in place. */
static char *
config_trim(char *s)
{
	char	*end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		end--;
	*end = '\0';
	return s;
}

/* Tell whether S contains white space or any character of EXTRA. */
static int
config_has_any(const char *s, const char *extra)
{
	for (; *s != '\0'; s++) {
		if (isspace((unsigned char)*s) || strchr(extra, *s) != NULL)
			return 1;
	}
	return 0;
}

/*
 * Parse S as a decimal number between MIN and MAX (MIN >= 0). Returns the
 * number, or -1 if S is anything else.
 */
static int
config_number(const char *s, int min, int max)
{
	long	v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
		if (v > max)
			return -1;
	}
	if (v < min)
		return -1;
	return (int)v;
}

/* Tell whether NAME is a valid hop or tunnel name. */
static int
config_valid_name(const char *name)
{
	const char	*s;

	if (*name == '\0')
		return 0;
	for (s = name; *s != '\0'; s++) {
		if (!isalnum((unsigned char)*s) && strchr("_.-", *s) == NULL)
			return 0;
	}
	return 1;
}

/* Find the key called NAME in sections of KIND; CONFIG_NKEYS if none. */
static size_t
config_key_find(enum config_kind kind, const char *name)
{
	size_t	i;

	for (i = 0; i < CONFIG_NKEYS; i++) {
		if (config_keys[i].kind == kind &&
		    strcmp(config_keys[i].name, name) == 0)
			return i;
	}
	return CONFIG_NKEYS;
}

/* Append ITEM to the comma-separated *LIST (NULL when empty). */
static void
config_list_add(char **list, const char *item)
{
	char	*next;

	if (*list == NULL) {
		*list = xstrdup(item);
		return;
	}
	xasprintf(&next, "%s, %s", *list, item);
	free(*list);
	*list = next;
}

/* Put ITEM and an arrow in front of the chain in *PATH. */
static void
config_list_prepend(char **path, const char *item)
{
	char	*next;

	xasprintf(&next, "%s -> %s", item, *path);
	free(*path);
	*path = next;
}

/* List the keys sections of KIND accept. Caller frees. */
static char *
config_key_list(enum config_kind kind)
{
	char	*list = NULL;
	size_t	 i;

	for (i = 0; i < CONFIG_NKEYS; i++) {
		if (i == CONFIG_KEY_PASSWORD)
			continue;	/* only there to be refused */
		if (config_keys[i].kind == kind)
			config_list_add(&list, config_keys[i].name);
	}
	return list;
}

/* Find the section of KIND called NAME. */
static struct config_section *
config_section_find(struct config_parse *p, enum config_kind kind,
    const char *name)
{
	struct config_section	*s;
	size_t			 i;

	for (i = 0; i < p->nsections; i++) {
		s = p->sections[i];
		if (s->kind != kind)
			continue;
		if (kind == CONFIG_GLOBAL)
			return s;
		if (kind == CONFIG_HOP && strcmp(s->hop->name, name) == 0)
			return s;
		if (kind == CONFIG_TUNNEL && strcmp(s->tunnel->name, name) == 0)
			return s;
	}
	return NULL;
}

/* Start a new section of KIND called NAME at the current line. */
static void
config_section_add(struct config_parse *p, enum config_kind kind,
    const char *word, const char *name)
{
	struct config		*config = p->config;
	struct config_section	*s;
	struct config_hop	*hop;
	struct config_tunnel	*tunnel;

	s = xcalloc(1, sizeof *s);
	s->kind = kind;
	s->line = p->line;
	switch (kind) {
	case CONFIG_GLOBAL:
		s->label = xstrdup(word);
		break;
	case CONFIG_HOP:
		xasprintf(&s->label, "%s %s", word, name);
		hop = xcalloc(1, sizeof *hop);
		hop->name = xstrdup(name);
		hop->line = p->line;
		config_key_unset(CONFIG_HOP, hop);
		TAILQ_INSERT_TAIL(&config->hops, hop, entry);
		s->hop = hop;
		break;
	case CONFIG_TUNNEL:
		xasprintf(&s->label, "%s %s", word, name);
		tunnel = xcalloc(1, sizeof *tunnel);
		tunnel->name = xstrdup(name);
		tunnel->line = p->line;
		config_key_unset(CONFIG_TUNNEL, tunnel);
		TAILQ_INSERT_TAIL(&config->tunnels, tunnel, entry);
		s->tunnel = tunnel;
		break;
	}

	p->sections = xreallocarray(p->sections, p->nsections + 1,
	    sizeof *p->sections);
	p->sections[p->nsections++] = s;
	p->current = s;
	p->skipping = 0;
}

/*
 * Take in a section header, TEXT starting with '['. A header that is wrong
 * is reported and its keys are skipped without further errors.
 */
static void
config_section_header(struct config_parse *p, const char *text)
{
	struct config_section	*s;
	enum config_kind	 kind;
	const char		*end, *rest;
	char			*inner, *word, *name;

	p->current = NULL;
	p->skipping = 1;

	if ((end = strchr(text, ']')) == NULL) {
		config_error(p, p->line, "unterminated section header: "
		    "expected %s", CONFIG_SECTION_FORMS);
		return;
	}
	rest = end + 1;
	while (isspace((unsigned char)*rest))
		rest++;
	if (*rest != '\0' && *rest != ';' && *rest != '#') {
		config_error(p, p->line, "unexpected text after ']': "
		    "put keys on lines of their own");
		return;
	}

	inner = xstrndup(text + 1, (size_t)(end - text - 1));
	word = config_trim(inner);
	name = word + strcspn(word, " \t");
	if (*name != '\0') {
		*name++ = '\0';
		name = config_trim(name);
	}

	if (strcmp(word, "jumpgate") == 0)
		kind = CONFIG_GLOBAL;
	else if (strcmp(word, "hop") == 0)
		kind = CONFIG_HOP;
	else if (strcmp(word, "tunnel") == 0)
		kind = CONFIG_TUNNEL;
	else {
		config_error(p, p->line, "unknown section [%s%s%s]: expected "
		    CONFIG_SECTION_FORMS, word, *name != '\0' ? " " : "",
		    name);
		goto out;
	}

	if (kind == CONFIG_GLOBAL) {
		if (*name != '\0') {
			config_error(p, p->line, "[jumpgate] takes no name: "
			    "write just [jumpgate]");
			goto out;
		}
		if ((s = config_section_find(p, kind, NULL)) != NULL) {
			config_error(p, p->line, "duplicate [jumpgate] "
			    "(first at line %d): use one [jumpgate] section",
			    s->line);
			goto out;
		}
	} else {
		if (*name == '\0') {
			config_error(p, p->line, "missing name in [%s]: "
			    "expected [%s NAME]", word, word);
			goto out;
		}
		if (!config_valid_name(name)) {
			config_error(p, p->line, "bad %s name '%s': use only "
			    "letters, digits, '_', '.' and '-'", word, name);
			goto out;
		}
		if ((s = config_section_find(p, kind, name)) != NULL) {
			config_error(p, p->line, "duplicate [%s %s] (first at "
			    "line %d): %s names must be unique", word, name,
			    s->line, word);
			goto out;
		}
	}
	config_section_add(p, kind, word, name);

out:
	free(inner);
}

/* Report a key line that inih did not pass to the handler. */
static void
config_check_pending(struct config_parse *p)
{
	if (p->pending == 0)
		return;
	config_error(p, p->pending, "syntax error: expected 'key = value', "
	    "a [section] header or a ';' comment");
	p->pending = 0;
}

/*
 * Read the next line for inih (an fgets-like ini_reader). Lines are counted
 * here and section headers taken in here, because this inih neither passes
 * line numbers nor calls the handler for sections. Leading white space is
 * removed so that inih never sees a continuation line. A line too long for
 * inih's buffer of NUM bytes is reported and replaced by an empty one, so
 * that its tail is not parsed as a line of its own.
 */
static char *
config_read_line(char *str, int num, void *arg)
{
	struct config_parse	*p = arg;
	ssize_t			 n;
	size_t			 len, max;
	char			*line;

	config_check_pending(p);
	if (num < 2)
		return NULL;

	errno = 0;
	if ((n = getline(&p->buf, &p->bufsize, p->f)) == -1) {
		if (ferror(p->f))
			config_error(p, 0, "cannot read: %s", strerror(errno));
		return NULL;
	}
	p->line++;

	line = p->buf;
	len = (size_t)n;
	if (len > 0 && line[len - 1] == '\n')
		len--;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (p->line == 1 && len >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0) {
		line += 3;
		len -= 3;
	}
	max = (size_t)num - 2;

	if (memchr(line, '\0', len) != NULL || len > max) {
		if (len > max) {
			config_error(p, p->line, "line too long (%zu "
			    "characters; at most %zu)", len, max);
		} else
			config_error(p, p->line, "line contains a NUL byte");
		/* Skip the keys of a section whose header was lost. */
		while (isspace((unsigned char)*line))
			line++;
		if (*line == '[') {
			p->current = NULL;
			p->skipping = 1;
		}
		line = "";
	} else {
		line[len] = '\0';
		while (isspace((unsigned char)*line))
			line++;
		if (*line == '[')
			config_section_header(p, line);
		else if (*line != '\0' && *line != ';' && *line != '#')
			p->pending = p->line;
	}

	len = strlen(line);
	memcpy(str, line, len);
	str[len] = '\n';
	str[len + 1] = '\0';
	return str;
}

/* Take in one key = value pair from inih. Always returns 1: keep going. */
static int
config_handler(void *arg, const char *section, const char *name,
    const char *value)
{
	struct config_parse	*p = arg;
	struct config_section	*s = p->current;
	size_t			 i;
	char			*list;

	(void)section;		/* the reader keeps track of sections */
	p->pending = 0;

	if (p->skipping)
		return 1;
	if (*name == '\0') {
		config_error(p, p->line, "missing key name before '='");
		return 1;
	}
	if (s == NULL) {
		config_error(p, p->line, "key '%s' outside any section: put it "
		    "under " CONFIG_SECTION_FORMS, name);
		return 1;
	}

	if ((i = config_key_find(s->kind, name)) == CONFIG_NKEYS) {
		list = config_key_list(s->kind);
		config_error(p, p->line, "unknown key '%s' in [%s]: expected "
		    "one of %s", name, s->label, list);
		free(list);
		return 1;
	}
	if (s->keyline[i] != 0) {
		config_error(p, p->line, "duplicate key '%s' in [%s] (first at "
		    "line %d): keep only one", name, s->label, s->keyline[i]);
		return 1;
	}
	s->keyline[i] = p->line;
	if (*value == '\0') {
		config_error(p, p->line, "empty value for '%s' in [%s]: give a "
		    "value or remove the line", name, s->label);
		return 1;
	}
	s->valid[i] = (config_key_set(p, s, i, value) == 0);
	return 1;
}

/*
 * Resolve PATH against the config file's directory. Returns an absolute
 * path, or NULL after reporting. Caller frees.
 */
static char *
config_path(struct config_parse *p, const char *key, const char *value)
{
	char	*path;

	if (value[0] == '/')
		return xstrdup(value);
	if (value[0] == '~' && (value[1] == '\0' || value[1] == '/')) {
		config_error(p, p->line, "%s '%s': '~' is not expanded; write "
		    "an absolute path or one relative to %s", key, value,
		    p->config->dir);
		return NULL;
	}
	xasprintf(&path, "%s/%s", p->config->dir, value);
	return path;
}

/*
 * Split VALUE of KEY, "HOST:PORT" or "[ADDRESS]:PORT", or, if BARE is not
 * NULL, "PORT" meaning BARE:PORT. Port 0 is taken only if ZERO_OK, for the
 * caller to check later. Returns 0, or -1 after reporting.
 */
static int
config_address(struct config_parse *p, const char *key, const char *value,
    const char *bare, int zero_ok, char **host, int *port)
{
	const char	*start, *end, *colon, *portstr, *forms;
	size_t		 hostlen;
	char		*h;
	int		 n;

	if (bare != NULL)
		forms = "PORT, HOST:PORT or [ADDRESS]:PORT";
	else
		forms = "HOST:PORT or [ADDRESS]:PORT";

	if (*value == '[') {
		if ((end = strchr(value, ']')) == NULL || end[1] != ':')
			goto bad;
		start = value + 1;
		hostlen = (size_t)(end - start);
		portstr = end + 2;
	} else if ((colon = strchr(value, ':')) == NULL) {
		if (bare == NULL || value[strspn(value, "0123456789")] != '\0')
			goto bad;
		start = bare;
		hostlen = strlen(bare);
		portstr = value;
	} else {
		if (strchr(colon + 1, ':') != NULL) {
			config_error(p, p->line, "bad %s address '%s': put an "
			    "IPv6 address in brackets, as in [::1]:PORT", key,
			    value);
			return -1;
		}
		start = value;
		hostlen = (size_t)(colon - value);
		portstr = colon + 1;
	}
	if (hostlen == 0)
		goto bad;
	h = xstrndup(start, hostlen);
	if (config_has_any(h, "[]")) {
		free(h);
		goto bad;
	}
	if ((n = config_number(portstr, zero_ok ? 0 : 1, 65535)) == -1) {
		config_error(p, p->line, "bad port '%s' in %s '%s': expected "
		    "1-65535", portstr, key, value);
		free(h);
		return -1;
	}
	*host = h;
	*port = n;
	return 0;

bad:
	config_error(p, p->line, "bad %s address '%s': expected %s", key, value,
	    forms);
	return -1;
}

/*
 * Take VALUE of KEY, "unix:PATH", as a Unix socket path into *PATH (the
 * port of the end becomes 0). Returns 0, or -1 after reporting.
 */
static int
config_socket_path(struct config_parse *p, const char *key, const char *value,
    char **path, int *port)
{
	const char	*sockpath = value + strlen(UNIXSOCK_PREFIX);
	const char	*problem;

	if ((problem = unixsock_path_problem(sockpath)) != NULL) {
		config_error(p, p->line, "bad %s socket '%s': %s", key, value,
		    problem);
		return -1;
	}
	*path = xstrdup(sockpath);
	*port = 0;
	return 0;
}

/* Set log_level. */
static int
config_set_log_level(struct config_parse *p, struct config_section *s,
    const char *value)
{
	enum log_level	level;

	(void)s;
	if (log_level_parse(value, &level) != 0) {
		config_error(p, p->line, "unknown log_level '%s': expected "
		    "error, warn, info or debug", value);
		return -1;
	}
	p->config->log_level = level;
	return 0;
}

/*
 * Set the path of the control socket. Its absolute form must fit a unix
 * socket address, so it is checked once resolved.
 */
static int
config_set_control_socket(struct config_parse *p, struct config_section *s,
    const char *value)
{
	char	*path;
	size_t	 len;

	(void)s;
	if ((path = config_path(p, "control_socket", value)) == NULL)
		return -1;
	if ((len = strlen(path)) > CONFIG_MAX_SOCKET_PATH) {
		config_error(p, p->line, "control_socket '%s' is too long for a "
		    "unix socket (%zu bytes, at most %zu): choose a shorter "
		    "path", path, len, CONFIG_MAX_SOCKET_PATH);
		free(path);
		return -1;
	}
	p->config->control_socket = path;
	return 0;
}

/* Set a hop's host. */
static int
config_set_host(struct config_parse *p, struct config_section *s,
    const char *value)
{
	if (config_has_any(value, "[]")) {
		config_error(p, p->line, "bad host '%s': expected a host name "
		    "or an address (IPv6 without brackets)", value);
		return -1;
	}
	s->hop->host = xstrdup(value);
	return 0;
}

/* Set a hop's pinned host key fingerprints, a comma-separated list. */
static int
config_set_host_key(struct config_parse *p, struct config_section *s,
    const char *value)
{
	struct fingerprint	*pins = NULL;
	size_t			 npins = 0;
	char			*copy, *next, *pin;
	const char		*cause;
	int			 bad = 0;

	copy = next = xstrdup(value);
	while ((pin = strsep(&next, ",")) != NULL) {
		pin = config_trim(pin);
		if (*pin == '\0') {
			config_error(p, p->line, "empty pin in host_key '%s': "
			    "separate pins with single commas", value);
			bad = 1;
			continue;
		}
		pins = xreallocarray(pins, npins + 1, sizeof *pins);
		if (fingerprint_parse(pin, &pins[npins], &cause) != 0) {
			config_error(p, p->line, "bad host_key pin '%s': %s",
			    pin, cause);
			bad = 1;
			continue;
		}
		npins++;
	}
	free(copy);
	if (bad) {
		free(pins);
		return -1;
	}
	s->hop->pins = pins;
	s->hop->npins = npins;
	return 0;
}

/*
 * Return a hop's list of algorithms (kex, host_key_algorithms, ciphers or
 * macs) with white space around names removed. The names are checked once
 * the section is read, as allow_ssh_rsa_sha1 may follow. Caller frees.
 */
static char *
config_algorithms(const char *value)
{
	char	*copy, *next, *name, *list = NULL, *out;

	copy = next = xstrdup(value);
	while ((name = strsep(&next, ",")) != NULL) {
		name = config_trim(name);
		xasprintf(&out, "%s%s%s", list ? list : "", list ? "," : "",
		    name);
		free(list);
		list = out;
	}
	free(copy);
	return list;
}

/* Where the values of section S go: the config, its hop or its tunnel. */
static void *
config_section_base(struct config_parse *p, struct config_section *s)
{
	switch (s->kind) {
	case CONFIG_GLOBAL:
		return p->config;
	case CONFIG_HOP:
		return s->hop;
	case CONFIG_TUNNEL:
		return s->tunnel;
	}
	fatal("internal error: section of unknown kind");
}

/* List CHOICES as "a, b or c". Caller frees. */
static char *
config_choice_list(const char * const *choices)
{
	char	*list = NULL, *next;
	size_t	 i;

	for (i = 0; choices[i] != NULL; i++) {
		xasprintf(&next, "%s%s%s", list != NULL ? list : "",
		    i == 0 ? "" : choices[i + 1] == NULL ? " or " : ", ",
		    choices[i]);
		free(list);
		list = next;
	}
	return list;
}

/* Set key K of section S from VALUE by the key's type, see config_key. */
static int
config_key_set(struct config_parse *p, struct config_section *s, size_t k,
    const char *value)
{
	const struct config_key	*key = &config_keys[k];
	void			*base = config_section_base(p, s);
	char			*list;
	int			 i;

	if (key->set != NULL)
		return key->set(p, s, value);
	switch (key->type) {
	case CONFIG_NUMBER:
		if ((i = config_number(value, key->min, key->max)) == -1) {
			config_error(p, p->line, "bad %s '%s': expected %s%s%d-"
			    "%d%s", key->name, value, key->unit != NULL ?
			    key->unit : "", key->unit != NULL ? ", " : "",
			    key->min, key->max, key->hint != NULL ? key->hint :
			    "");
			return -1;
		}
		*CONFIG_FIELD(int, base, k) = i;
		return 0;
	case CONFIG_FLAG:
		if (strcmp(value, "yes") == 0 || strcmp(value, "no") == 0) {
			*CONFIG_FIELD(int, base, k) = value[0] == 'y';
			return 0;
		}
		config_error(p, p->line, "bad %s '%s': expected yes or no",
		    key->name, value);
		return -1;
	case CONFIG_CHOICE:
		for (i = 0; key->choices[i] != NULL; i++) {
			if (strcmp(value, key->choices[i]) == 0) {
				*CONFIG_FIELD(int, base, k) = i;
				return 0;
			}
		}
		list = config_choice_list(key->choices);
		config_error(p, p->line, "unknown %s '%s': expected %s",
		    key->name, value, list);
		free(list);
		return -1;
	case CONFIG_STRING:
		*CONFIG_FIELD(char *, base, k) = xstrdup(value);
		return 0;
	case CONFIG_PATH:
		*CONFIG_FIELD(char *, base, k) = config_path(p, key->name,
		    value);
		return *CONFIG_FIELD(char *, base, k) == NULL ? -1 : 0;
	case CONFIG_ALGORITHMS:
		*CONFIG_FIELD(char *, base, k) = config_algorithms(value);
		return 0;
	case CONFIG_ADDRESS:
	case CONFIG_PINS:
	case CONFIG_REFUSED:
		break;
	}
	fatal("internal error: key %s has no setter", key->name);
}

/* Mark the numbers, flags and choices of BASE, of KIND, as unset (-1). */
static void
config_key_unset(enum config_kind kind, void *base)
{
	size_t	k;

	for (k = 0; k < CONFIG_NKEYS; k++) {
		if (config_keys[k].kind != kind)
			continue;
		switch (config_keys[k].type) {
		case CONFIG_NUMBER:
		case CONFIG_FLAG:
		case CONFIG_CHOICE:
			*CONFIG_FIELD(int, base, k) = -1;
			break;
		case CONFIG_ADDRESS:
			*(int *)(void *)((char *)base +
			    config_keys[k].port_offset) = -1;
			break;
		default:
			break;
		}
	}
}

/* Give the unset numbers, flags and choices of BASE their defaults. */
static void
config_key_fill(enum config_kind kind, void *base)
{
	size_t	k;

	for (k = 0; k < CONFIG_NKEYS; k++) {
		if (config_keys[k].kind != kind)
			continue;
		if (config_keys[k].type != CONFIG_NUMBER &&
		    config_keys[k].type != CONFIG_FLAG &&
		    config_keys[k].type != CONFIG_CHOICE)
			continue;
		if (*CONFIG_FIELD(int, base, k) == -1)
			*CONFIG_FIELD(int, base, k) = config_keys[k].def;
	}
}

/* Free what the keys of BASE, of KIND, hold. */
static void
config_key_free(enum config_kind kind, void *base)
{
	size_t	k;

	for (k = 0; k < CONFIG_NKEYS; k++) {
		if (config_keys[k].kind != kind)
			continue;
		switch (config_keys[k].type) {
		case CONFIG_STRING:
		case CONFIG_PATH:
		case CONFIG_ALGORITHMS:
		case CONFIG_ADDRESS:
			free(*CONFIG_FIELD(char *, base, k));
			break;
		case CONFIG_PINS:
			free(*CONFIG_FIELD(struct fingerprint *, base, k));
			break;
		default:
			break;
		}
	}
}

/* Tell whether NAME (LEN bytes) is an environment variable name. */
static int
config_env_name_ok(const char *name, size_t len)
{
	size_t	i;

	if (len == 0)
		return 0;
	for (i = 0; i < len; i++) {
		if (!(isalpha((unsigned char)name[i]) || name[i] == '_' ||
		    (i > 0 && isdigit((unsigned char)name[i]))))
			return 0;
	}
	return 1;
}

/* Set the environment variable holding a hop's password. */
static int
config_set_password_env(struct config_parse *p, struct config_section *s,
    const char *value)
{
	if (!config_env_name_ok(value, strlen(value))) {
		config_error(p, p->line, "bad password_env '%s': give the name "
		    "of an environment variable (letters, digits, '_'), not "
		    "the password", value);
		return -1;
	}
	s->hop->password_env = xstrdup(value);
	return 0;
}

/*
 * Set the variables otp_command gets besides the fixed few: names,
 * comma-separated (spaces around them allowed), kept as "A,B".
 */
static int
config_set_otp_env(struct config_parse *p, struct config_section *s,
    const char *value)
{
	const char	*cp = value, *end;
	char		*list = NULL, *next;
	size_t		 len;

	for (;;) {
		cp += strspn(cp, " \t");
		end = cp + strcspn(cp, ",");
		len = (size_t)(end - cp);
		while (len > 0 && (cp[len - 1] == ' ' || cp[len - 1] == '\t'))
			len--;
		if (!config_env_name_ok(cp, len)) {
			config_error(p, p->line, "bad otp_env '%s': give the "
			    "names of environment variables (letters, digits, "
			    "'_'), separated by commas", value);
			free(list);
			return -1;
		}
		xasprintf(&next, "%s%s%.*s", list != NULL ? list : "",
		    list != NULL ? "," : "", (int)len, cp);
		free(list);
		list = next;
		if (*end == '\0')
			break;
		cp = end + 1;
	}
	s->hop->otp_env = list;
	return 0;
}

/* Refuse a password written into the configuration itself. */
static int
config_set_password(struct config_parse *p, struct config_section *s,
    const char *value)
{
	(void)s;
	(void)value;
	config_error(p, p->line, "a password does not belong in the "
	    "configuration file: put it in a file of mode 0600 named by "
	    "password_file, or in an environment variable named by "
	    "password_env");
	return -1;
}

/*
 * otp_env goes with otp_command, and never names the password's variable:
 * that is not handed to any command.
 */
static void
config_check_otp_env(struct config_parse *p, struct config_section *s)
{
	struct config_hop	*hop = s->hop;
	const char		*cp;
	size_t			 len;

	if (hop->otp_env == NULL)
		return;
	if (hop->otp_command == NULL &&
	    s->keyline[CONFIG_KEY_OTP_COMMAND] == 0) {
		config_error(p, s->keyline[CONFIG_KEY_OTP_ENV], "[%s] has "
		    "otp_env but no otp_command: remove otp_env or add "
		    "otp_command", s->label);
	}
	if (hop->password_env == NULL)
		return;
	len = strlen(hop->password_env);
	for (cp = hop->otp_env; cp != NULL; cp = strchr(cp, ',')) {
		if (*cp == ',')
			cp++;
		if (strncmp(cp, hop->password_env, len) == 0 &&
		    (cp[len] == ',' || cp[len] == '\0')) {
			config_error(p, s->keyline[CONFIG_KEY_OTP_ENV], "otp_env "
			    "lists %s, the variable password_env names: the "
			    "password is never handed to otp_command; remove "
			    "it from otp_env", hop->password_env);
			return;
		}
	}
}

/*
 * Set a tunnel's listen address: on this machine for a local tunnel, on the
 * hop's sshd for a remote one. Port 0 (the server chooses) is checked
 * against the type once the whole section is read.
 */
static int
config_set_listen(struct config_parse *p, struct config_section *s,
    const char *value)
{
	struct config_tunnel	*t = s->tunnel;

	if (unixsock_is_unix(value))
		return config_socket_path(p, "listen", value, &t->listen_path,
		    &t->listen_port);
	return config_address(p, "listen", value, CONFIG_DEFAULT_LISTEN_HOST,
	    1, &t->listen_host, &t->listen_port);
}

/*
 * Set listen_mode: the permission bits of a Unix socket listener, octal.
 * The owner must keep read and write: connecting needs write permission.
 */
static int
config_set_listen_mode(struct config_parse *p, struct config_section *s,
    const char *value)
{
	int	mode = unixsock_parse_mode(value);

	if (mode == -1) {
		config_error(p, p->line, "bad listen_mode '%s': expected octal "
		    "permission bits such as 0600 (the default) or 0660, at "
		    "most 0777", value);
		return -1;
	}
	if ((mode & 0600) != 0600) {
		config_error(p, p->line, "listen_mode %04o leaves the socket's "
		    "owner without read and write permission: nobody could "
		    "use it as you; give the owner rw (0600)", mode);
		return -1;
	}
	s->tunnel->listen_mode = mode;
	return 0;
}

/* Set listen_group: a group name or number, looked up now. */
static int
config_set_listen_group(struct config_parse *p, struct config_section *s,
    const char *value)
{
	struct group	*gr;
	int		 gid;

	if ((gid = config_number(value, 0, INT_MAX)) != -1) {
		s->tunnel->listen_group = gid;
		return 0;
	}
	if ((gr = getgrnam(value)) == NULL) {
		config_error(p, p->line, "unknown group '%s' in listen_group: "
		    "expected a group name or number of this machine (see "
		    "getent group)", value);
		return -1;
	}
	s->tunnel->listen_group = (int)gr->gr_gid;
	return 0;
}

/*
 * Set a tunnel's connect address: reached by the hop for a local tunnel,
 * from this machine for a remote one.
 */
static int
config_set_connect(struct config_parse *p, struct config_section *s,
    const char *value)
{
	struct config_tunnel	*t = s->tunnel;

	if (unixsock_is_unix(value))
		return config_socket_path(p, "connect", value, &t->connect_path,
		    &t->connect_port);
	return config_address(p, "connect", value, NULL, 0, &t->connect_host,
	    &t->connect_port);
}

/*
 * Set a SOCKS tunnel's allow-list (allow.h): the destinations its clients
 * may ask for. Whether the tunnel is a SOCKS one is checked once the whole
 * section is read.
 */
static int
config_set_allow(struct config_parse *p, struct config_section *s,
    const char *value)
{
	struct config_tunnel	*t = s->tunnel;
	char			*error;

	if ((t->allow_list = allow_parse(value, &error)) == NULL) {
		config_error(p, p->line, "bad allow: %s (expected HOST:PORT "
		    "entries separated by commas, e.g. 'allow = *.internal:"
		    "5432, 10.0.0.0/8:443, db-?.prod:8000-8099')", error);
		free(error);
		return -1;
	}
	t->allow = xstrdup(value);
	return 0;
}

/*
 * Check that a hop's first reconnect delay is not above its longest. The
 * error goes on the later of the two lines, or on the header when one of
 * them is the default.
 */
static void
config_check_reconnect(struct config_parse *p, struct config_section *s)
{
	struct config_hop	*hop = s->hop;
	int			 minline = s->keyline[CONFIG_KEY_RECONNECT_MIN];
	int			 maxline = s->keyline[CONFIG_KEY_RECONNECT_MAX];
	int			 line;

	if ((minline != 0 && !s->valid[CONFIG_KEY_RECONNECT_MIN]) ||
	    (maxline != 0 && !s->valid[CONFIG_KEY_RECONNECT_MAX]))
		return;		/* already reported */
	if (hop->reconnect_min <= hop->reconnect_max)
		return;
	if (minline == 0 || maxline == 0)
		line = s->line;
	else
		line = minline > maxline ? minline : maxline;
	config_error(p, line, "[%s] has reconnect_min %d%s above reconnect_max "
	    "%d%s: lower reconnect_min or raise reconnect_max", s->label,
	    hop->reconnect_min, minline == 0 ? " (the default)" : "",
	    hop->reconnect_max, maxline == 0 ? " (the default)" : "");
}

/* Check a hop's algorithm lists against libssh2 and the secure policy. */
static void
config_check_algorithms(struct config_parse *p, struct config_section *s)
{
	static const size_t	 keys[ALGO_NKINDS] = {
		[ALGO_KEX] = CONFIG_KEY_KEX,
		[ALGO_HOSTKEY] = CONFIG_KEY_HOST_KEY_ALGORITHMS,
		[ALGO_CIPHER] = CONFIG_KEY_CIPHERS,
		[ALGO_MAC] = CONFIG_KEY_MACS
	};
	const char		*lists[ALGO_NKINDS];
	struct config_hop	*hop = s->hop;
	char			*cause;
	int			 kind;

	lists[ALGO_KEX] = hop->kex;
	lists[ALGO_HOSTKEY] = hop->host_key_algorithms;
	lists[ALGO_CIPHER] = hop->ciphers;
	lists[ALGO_MAC] = hop->macs;
	if (!config_key_usable(s, CONFIG_KEY_ALLOW_SSH_RSA_SHA1))
		return;		/* the policy is not known */
	for (kind = 0; kind < ALGO_NKINDS; kind++) {
		if (lists[kind] == NULL)
			continue;
		if (algorithms_check(kind, lists[kind],
		    hop->allow_ssh_rsa_sha1, &cause) == 0)
			continue;
		config_error(p, s->keyline[keys[kind]], "%s", cause);
		free(cause);
	}
}

/*
 * Check a hop's certificate: it needs an identity, and must be a user
 * certificate libssh2 can sign for, valid now, for the identity's key.
 */
static void
config_check_certificate(struct config_parse *p, struct config_section *s)
{
	struct config_hop	*hop = s->hop;
	int			 line = s->keyline[CONFIG_KEY_CERTIFICATE];
	struct cert		*c;
	char			*cause;

	if (line == 0 || !s->valid[CONFIG_KEY_CERTIFICATE])
		return;
	if (s->keyline[CONFIG_KEY_IDENTITY] == 0) {
		config_error(p, line, "[%s] has a certificate but no identity; "
		    "add identity = KEYFILE, the private key the certificate "
		    "was signed for", s->label);
		return;
	}
	if (p->flags & CONFIG_LOAD_NO_FILES)
		return;
	if ((c = cert_load(hop->certificate, &cause)) == NULL) {
		config_error(p, line, "%s", cause);
		free(cause);
		return;
	}
	if (!c->usable) {
		config_error(p, line, "certificate %s is for an %s key, which "
		    "jumpgate cannot sign with; use an ed25519, ecdsa or rsa "
		    "key", hop->certificate, c->key_type);
	} else if (cert_check_time(c, hop->certificate, time(NULL),
	    &cause) != 0 || (config_key_usable(s, CONFIG_KEY_IDENTITY) &&
	    cert_check_identity(c, hop->certificate, hop->identity,
	    &cause) != 0)) {
		config_error(p, line, "%s", cause);
		free(cause);
	}
	cert_free(c);
}

/* Check a hop's reconnect, algorithm, password and host key settings. */
static void
config_check_hop(struct config_parse *p, struct config_section *s)
{
	struct config_hop	*hop = s->hop;

	config_check_reconnect(p, s);
	config_check_algorithms(p, s);
	config_check_certificate(p, s);
	if (s->keyline[CONFIG_KEY_PASSWORD_FILE] != 0 &&
	    s->keyline[CONFIG_KEY_PASSWORD_ENV] != 0) {
		config_error(p, s->keyline[CONFIG_KEY_PASSWORD_FILE] >
		    s->keyline[CONFIG_KEY_PASSWORD_ENV] ?
		    s->keyline[CONFIG_KEY_PASSWORD_FILE] :
		    s->keyline[CONFIG_KEY_PASSWORD_ENV], "[%s] has both "
		    "password_file and password_env: keep one", s->label);
	}
	config_check_otp_env(p, s);

	if (!config_key_usable(s, CONFIG_KEY_HOST_KEY_POLICY))
		return;

	switch (hop->policy) {
	case HOSTKEY_POLICY_STRICT:
		if (s->keyline[CONFIG_KEY_HOST_KEY] != 0 ||
		    s->keyline[CONFIG_KEY_KNOWN_HOSTS] != 0)
			break;
		config_error(p, s->line, "[%s] has host_key_policy strict but "
		    "neither host_key nor known_hosts: add the 'host_key = "
		    "SHA256:...' line printed by 'jumpgate scan --pins %s:%d'"
		    "%s, or set known_hosts", s->label,
		    hop->host != NULL ? hop->host : "HOST", hop->port,
		    s->keyline[CONFIG_KEY_HOP_VIA] != 0 ? " with --via and "
		    "--config" : "");
		break;
	case HOSTKEY_POLICY_TOFU:
		if (s->keyline[CONFIG_KEY_KNOWN_HOSTS] != 0)
			break;
		config_error(p, s->line, "[%s] has host_key_policy tofu but no "
		    "known_hosts: set known_hosts to the file where the first "
		    "key seen is recorded", s->label);
		break;
	case HOSTKEY_POLICY_INSECURE:
		if (s->keyline[CONFIG_KEY_HOST_KEY] == 0)
			break;
		config_error(p, s->keyline[CONFIG_KEY_HOST_KEY_POLICY],
		    "[%s] has host_key pins and host_key_policy insecure, which "
		    "would ignore them: remove the pins or the policy",
		    s->label);
		break;
	}
}

/* Find the hop VIA names, or report at LINE that there is none. */
static struct config_hop *
config_resolve_via(struct config_parse *p, int line, const char *via)
{
	struct config_hop	*hop;
	char			*list = NULL;

	if ((hop = config_find_hop(p->config, via)) != NULL)
		return hop;
	TAILQ_FOREACH(hop, &p->config->hops, entry)
		config_list_add(&list, hop->name);
	if (list == NULL) {
		config_error(p, line, "via '%s' names no hop: add a [hop %s] "
		    "section", via, via);
	} else {
		config_error(p, line, "via '%s' names no hop: add a [hop %s] "
		    "section or use one of %s", via, via, list);
	}
	free(list);
	return NULL;
}

/*
 * Resolve the hop a hop is reached through, then check its chain: no
 * cycle, at most CONFIG_MAX_CHAIN hops. Fills hop->depth (1: direct).
 */
static void
config_check_chain(struct config_parse *p, struct config_section *s)
{
	struct config_hop	*hop = s->hop, *h;
	char			*path;
	int			 n;

	hop->depth = 1;
	if (hop->via == NULL)
		return;
	hop->via_hop = config_resolve_via(p, s->keyline[CONFIG_KEY_HOP_VIA],
	    hop->via);
	if (hop->via_hop == NULL)
		return;
	path = xstrdup(hop->name);
	for (h = hop->via_hop, n = 1; h != NULL; h = h->via_hop, n++) {
		config_list_prepend(&path, h->name);
		if (h == hop) {
			config_error(p, s->keyline[CONFIG_KEY_HOP_VIA], "via "
			    "cycle %s: a hop cannot be reached through itself",
			    path);
			break;
		}
		if (n > CONFIG_MAX_CHAIN)
			break;	/* a cycle further out, reported there */
		if (h->via != NULL && h->via_hop == NULL &&
		    config_find_hop(p->config, h->via) != NULL)
			h->via_hop = config_find_hop(p->config, h->via);
	}
	if (h == NULL && n > CONFIG_MAX_CHAIN) {
		config_error(p, s->keyline[CONFIG_KEY_HOP_VIA], "chain %s is "
		    "%d hops deep; at most %d are allowed", path, n,
		    CONFIG_MAX_CHAIN);
	}
	hop->depth = n;
	free(path);
}

/* Tell whether key K of S is unset or was accepted, so is not reported. */
static int
config_key_usable(const struct config_section *s, size_t k)
{
	return s->keyline[k] == 0 || s->valid[k];
}

/*
 * Check that no earlier tunnel asks for the listen address of S's tunnel.
 * Local tunnels share this machine's ports; remote tunnels share those of
 * the hop they go through, and port 0 (the server chooses) never clashes.
 * A local and a remote tunnel listen on different machines.
 */
static void
config_check_listen_unique(struct config_parse *p, struct config_section *s)
{
	struct config_tunnel	*t = s->tunnel, *t2;
	struct config_section	*s2;
	const char		*left, *right;
	size_t			 i;

	if (t->type == TUNNEL_REMOTE && (t->listen_port == 0 || t->hop == NULL))
		return;
	for (i = 0; i < p->nsections && p->sections[i] != s; i++) {
		s2 = p->sections[i];
		if (s2->kind != CONFIG_TUNNEL ||
		    !config_key_usable(s2, CONFIG_KEY_TYPE))
			continue;
		t2 = s2->tunnel;
		if (t2->listen_host == NULL ||
		    (t2->type == TUNNEL_REMOTE) != (t->type == TUNNEL_REMOTE) ||
		    t2->listen_port != t->listen_port ||
		    strcmp(t2->listen_host, t->listen_host) != 0)
			continue;
		if (t->type == TUNNEL_REMOTE && t2->hop != t->hop)
			continue;
		left = strchr(t->listen_host, ':') != NULL ? "[" : "";
		right = strchr(t->listen_host, ':') != NULL ? "]" : "";
		if (t->type != TUNNEL_REMOTE) {
			config_error(p, s->keyline[CONFIG_KEY_LISTEN], "listen "
			    "address %s%s%s:%d is already used by [%s] at line "
			    "%d: choose another port", left, t->listen_host,
			    right, t->listen_port, s2->label,
			    s2->keyline[CONFIG_KEY_LISTEN]);
		} else {
			config_error(p, s->keyline[CONFIG_KEY_LISTEN], "remote "
			    "listen address %s%s%s:%d on hop %s is already "
			    "requested by [%s] at line %d: choose another port",
			    left, t->listen_host, right, t->listen_port,
			    t->hop->name, s2->label,
			    s2->keyline[CONFIG_KEY_LISTEN]);
		}
		break;
	}
}

/*
 * A SOCKS tunnel needs an allow-list (an unrestricted proxy into the
 * hop's network is what no one should run by accident) and takes its
 * targets from clients, not from connect; allow is for SOCKS tunnels only.
 */
static void
config_check_socks(struct config_parse *p, struct config_section *s)
{
	struct config_tunnel	*t = s->tunnel;

	if (t->type != TUNNEL_SOCKS) {
		if (s->keyline[CONFIG_KEY_ALLOW] != 0)
			config_error(p, s->keyline[CONFIG_KEY_ALLOW], "allow "
			    "is for type = socks only: remove it, or set "
			    "type = socks and remove connect");
		return;
	}
	if (s->keyline[CONFIG_KEY_CONNECT] != 0)
		config_error(p, s->keyline[CONFIG_KEY_CONNECT], "a socks "
		    "tunnel takes each destination from its client: remove "
		    "connect and list the destinations in allow");
	if (s->keyline[CONFIG_KEY_ALLOW] == 0)
		config_error(p, s->line, "[%s] is a socks tunnel without an "
		    "allow-list, which would let any local program reach "
		    "anything the hop reaches: add 'allow = HOST:PORT, ...' "
		    "(patterns such as *.internal:5432, blocks such as "
		    "10.0.0.0/8:443)", s->label);
}

/*
 * Check the Unix socket settings of S's tunnel: a socket listener only for
 * a local tunnel, and listen_mode and listen_group only with one.
 */
static void
config_check_unix(struct config_parse *p, struct config_section *s)
{
	struct config_tunnel	*t = s->tunnel;
	static const int	 keys[] = { CONFIG_KEY_LISTEN_MODE,
				    CONFIG_KEY_LISTEN_GROUP };
	size_t			 i;

	if (t->listen_path != NULL && t->type == TUNNEL_REMOTE &&
	    config_key_usable(s, CONFIG_KEY_TYPE)) {
		config_error(p, s->keyline[CONFIG_KEY_LISTEN], "listen = unix:"
		    "PATH is for local and socks tunnels: a remote forward listens "
		    "on the hop's server, and jumpgate does not ask it for a "
		    "Unix socket; listen on [HOST:]PORT there (connect may "
		    "be unix:PATH)");
	}
	if (t->listen_path != NULL || t->listen_host == NULL)
		return;
	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		if (s->keyline[keys[i]] == 0 || !s->valid[keys[i]])
			continue;
		config_error(p, s->keyline[keys[i]], "%s applies only to a Unix "
		    "socket listener (listen = unix:PATH); remove it or listen "
		    "on a socket", config_keys[keys[i]].name);
	}
}

/* Check that no earlier local tunnel listens on the socket of S's tunnel. */
static void
config_check_socket_unique(struct config_parse *p, struct config_section *s)
{
	struct config_tunnel	*t = s->tunnel, *t2;
	struct config_section	*s2;
	size_t			 i;

	for (i = 0; i < p->nsections && p->sections[i] != s; i++) {
		s2 = p->sections[i];
		if (s2->kind != CONFIG_TUNNEL)
			continue;
		t2 = s2->tunnel;
		if (t2->listen_path == NULL ||
		    strcmp(t2->listen_path, t->listen_path) != 0)
			continue;
		config_error(p, s->keyline[CONFIG_KEY_LISTEN], "listen socket "
		    "unix:%s is already used by [%s] at line %d: choose "
		    "another path", t->listen_path, s2->label,
		    s2->keyline[CONFIG_KEY_LISTEN]);
		break;
	}
}

/*
 * Resolve a tunnel's hop and check its listen address: port 0 only for a
 * remote tunnel, and no address asked for twice. Checked here rather than
 * while parsing because type may follow listen.
 */
static void
config_check_tunnel(struct config_parse *p, struct config_section *s)
{
	struct config_tunnel	*t = s->tunnel;

	if (t->via != NULL)
		t->hop = config_resolve_via(p, s->keyline[CONFIG_KEY_VIA],
		    t->via);

	if (!config_key_usable(s, CONFIG_KEY_TYPE))
		return;		/* already reported */
	config_check_socks(p, s);
	config_check_unix(p, s);
	if (t->listen_host == NULL && t->listen_path == NULL)
		return;		/* already reported */
	if (t->listen_path != NULL) {
		config_check_socket_unique(p, s);
		return;
	}
	if (t->type != TUNNEL_REMOTE && t->listen_port == 0) {
		config_error(p, s->keyline[CONFIG_KEY_LISTEN], "listen port 0 "
		    "lets the server choose a port: only for type = remote");
		return;
	}
	config_check_listen_unique(p, s);
}

/* Fill in defaults (config_keys) and check what needs the whole file. */
static void
config_check(struct config_parse *p)
{
	struct config_section	*s;
	size_t			 i, k;

	config_key_fill(CONFIG_GLOBAL, p->config);
	for (i = 0; i < p->nsections; i++) {
		s = p->sections[i];
		config_key_fill(s->kind, config_section_base(p, s));
		for (k = 0; k < CONFIG_NKEYS; k++) {
			if (config_keys[k].kind != s->kind ||
			    config_keys[k].required == NULL ||
			    s->keyline[k] != 0)
				continue;
			if (k == CONFIG_KEY_CONNECT && s->kind ==
			    CONFIG_TUNNEL && s->tunnel->type == TUNNEL_SOCKS)
				continue;	/* the client names it */
			config_error(p, s->line, "missing required key '%s' in "
			    "[%s]: add '%s'", config_keys[k].name, s->label,
			    config_keys[k].required);
		}
		if (s->kind == CONFIG_HOP)
			config_check_hop(p, s);
	}
	for (i = 0; i < p->nsections; i++) {
		s = p->sections[i];
		if (s->kind == CONFIG_HOP)
			config_check_chain(p, s);
	}
	for (i = 0; i < p->nsections; i++) {
		s = p->sections[i];
		if (s->kind == CONFIG_TUNNEL)
			config_check_tunnel(p, s);
	}
}

/* Find the absolute directory of PATH. Caller frees. */
static char *
config_dir(const char *path)
{
	char	*copy, *dir;

	copy = xstrdup(path);
	dir = realpath(dirname(copy), NULL);
	free(copy);
	return dir;
}

/* Free the parser's own state. */
static void
config_parse_free(struct config_parse *p)
{
	size_t	i;

	for (i = 0; i < p->nsections; i++) {
		free(p->sections[i]->label);
		free(p->sections[i]);
	}
	free(p->sections);
	for (i = 0; i < p->nerrors; i++)
		free(p->errors[i].message);
	free(p->errors);
	free(p->buf);
}

/* Parse the configuration file PATH. */
struct config *
config_load(const char *path, FILE *errors, int *nerrors)
{
	return config_load_flags(path, 0, errors, nerrors);
}

/*
 * Parse PATH as config_load_flags does. When the file has errors and
 * CONTROL_SOCKET is not NULL, the control_socket it sets validly (or NULL)
 * is handed over there: a typo elsewhere must not hide the instance.
 */
static struct config *
config_load_file(const char *path, int flags, FILE *errors, int *nerrors,
    char **control_socket)
{
	struct config_parse	 p;
	struct config		*config;
	struct config_error	*e;
	char			*shown;
	size_t			 i;
	int			 line;

	memset(&p, 0, sizeof p);
	p.flags = flags;
	config = xcalloc(1, sizeof *config);
	config->path = xstrdup(path);
	config_key_unset(CONFIG_GLOBAL, config);
	TAILQ_INIT(&config->hops);
	TAILQ_INIT(&config->tunnels);
	p.config = config;

	if ((p.f = fopen(path, "re")) == NULL)
		config_error(&p, 0, "cannot open: %s", strerror(errno));
	else if ((config->dir = config_dir(path)) == NULL) {
		config_error(&p, 0, "cannot find its directory: %s",
		    strerror(errno));
	} else {
		line = ini_parse_stream(config_read_line, &p, config_handler,
		    &p);
		config_check_pending(&p);
		if (line < 0)
			config_error(&p, 0, "out of memory while parsing");
		else if (line > 0 && p.nerrors == 0) {
			/* Should not happen: the reader sees what inih sees. */
			config_error(&p, line, "syntax error");
		}
		config_check(&p);
	}
	if (p.f != NULL)
		fclose(p.f);

	if (nerrors != NULL)
		*nerrors = (int)p.nerrors;
	if (p.nerrors == 0) {
		config_parse_free(&p);
		return config;
	}

	qsort(p.errors, p.nerrors, sizeof *p.errors, config_error_cmp);
	for (i = 0; errors != NULL && i < p.nerrors; i++) {
		e = &p.errors[i];
		/* Messages quote the file: no terminal sequence gets out. */
		shown = vis_dup(e->message, strlen(e->message),
		    VIS_KEEP_BACKSLASH);
		if (e->line == 0)
			fprintf(errors, "%s: %s\n", path, shown);
		else
			fprintf(errors, "%s:%d: %s\n", path, e->line, shown);
		free(shown);
	}
	config_parse_free(&p);
	if (control_socket != NULL) {
		*control_socket = config->control_socket;
		config->control_socket = NULL;
	}
	config_free(config);
	return NULL;
}

/* Parse PATH, reading the files it names unless FLAGS say not to. */
struct config *
config_load_flags(const char *path, int flags, FILE *errors, int *nerrors)
{
	return config_load_file(path, flags, errors, nerrors, NULL);
}

/* Parse PATH for the control socket of its instance, see config.h. */
struct config *
config_load_for_control(const char *path, FILE *errors, int *nerrors,
    char **control_socket)
{
	struct config	*config;

	*control_socket = NULL;
	config = config_load_file(path, CONFIG_LOAD_NO_FILES, errors, nerrors,
	    control_socket);
	return config;
}

/* Free a configuration. */
void
config_free(struct config *config)
{
	struct config_hop	*hop;
	struct config_tunnel	*t;

	if (config == NULL)
		return;
	while ((hop = TAILQ_FIRST(&config->hops)) != NULL) {
		TAILQ_REMOVE(&config->hops, hop, entry);
		free(hop->name);
		config_key_free(CONFIG_HOP, hop);
		free(hop);
	}
	while ((t = TAILQ_FIRST(&config->tunnels)) != NULL) {
		TAILQ_REMOVE(&config->tunnels, t, entry);
		free(t->name);
		free(t->listen_path);
		free(t->connect_path);
		config_key_free(CONFIG_TUNNEL, t);
		allow_free(t->allow_list);
		free(t);
	}
	free(config->path);
	free(config->dir);
	config_key_free(CONFIG_GLOBAL, config);
	free(config);
}

/* Find the hop called NAME. */
struct config_hop *
config_find_hop(const struct config *config, const char *name)
{
	struct config_hop	*hop;

	TAILQ_FOREACH(hop, &config->hops, entry) {
		if (strcmp(hop->name, name) == 0)
			return hop;
	}
	return NULL;
}

/* Return the name of a host key policy. */
const char *
config_policy_name(enum hostkey_policy policy)
{
	if ((size_t)policy >= sizeof config_policy_names /
	    sizeof config_policy_names[0])
		return "unknown";
	return config_policy_names[policy];
}

/* Tell whether two strings, either of which may be NULL, are equal. */
static int
config_str_equal(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* Tell whether key K holds the same value in A and B. */
static int
config_key_equal(size_t k, const void *a, const void *b)
{
	const struct config_key	*key = &config_keys[k];
	const struct config_hop	*ha = a, *hb = b;
	size_t			 i;

	switch (key->type) {
	case CONFIG_NUMBER:
	case CONFIG_FLAG:
	case CONFIG_CHOICE:
		return *CONFIG_FIELD(const int, a, k) ==
		    *CONFIG_FIELD(const int, b, k);
	case CONFIG_ADDRESS:
		if (*(const int *)(const void *)((const char *)a +
		    key->port_offset) != *(const int *)(const void *)
		    ((const char *)b + key->port_offset))
			return 0;
		/* FALLTHROUGH */
	case CONFIG_STRING:
	case CONFIG_PATH:
	case CONFIG_ALGORITHMS:
		return config_str_equal(*CONFIG_FIELD(char * const, a, k),
		    *CONFIG_FIELD(char * const, b, k));
	case CONFIG_PINS:
		if (ha->npins != hb->npins)
			return 0;
		for (i = 0; i < ha->npins; i++) {
			if (!fingerprint_equal(&ha->pins[i], &hb->pins[i]))
				return 0;
		}
		return 1;
	case CONFIG_REFUSED:
		return 1;
	}
	fatal("internal error: key %s cannot be compared", key->name);
}

/*
 * Tell whether every key of KIND that a running hop or tunnel cannot take
 * without starting again (all but CONFIG_LIVE ones) is the same in A and B.
 */
static int
config_keys_equal(enum config_kind kind, const void *a, const void *b)
{
	size_t	k;

	for (k = 0; k < CONFIG_NKEYS; k++) {
		if (config_keys[k].kind != kind ||
		    (config_keys[k].flags & CONFIG_LIVE))
			continue;
		if (!config_key_equal(k, a, b))
			return 0;
	}
	return 1;
}

/*
 * Tell whether two hops, usually from two configs, have the same name and
 * every setting their sessions depend on (the hop reached through is
 * compared by name). Returns 1 if so, 0 if not.
 */
int
config_hop_equal(const struct config_hop *a, const struct config_hop *b)
{
	return config_str_equal(a->name, b->name) &&
	    config_keys_equal(CONFIG_HOP, a, b);
}

/*
 * Tell whether two tunnels, usually from two configs, have the same name
 * and every setting their listeners depend on (the hop by name); limits
 * (CONFIG_LIVE) apply to a kept tunnel. Returns 1 if so, 0 if not.
 */
int
config_tunnel_equal(const struct config_tunnel *a,
    const struct config_tunnel *b)
{
	return config_str_equal(a->name, b->name) &&
	    config_str_equal(a->listen_path, b->listen_path) &&
	    config_str_equal(a->connect_path, b->connect_path) &&
	    config_keys_equal(CONFIG_TUNNEL, a, b);
}

/* Write one tunnel end, see config.h. */
char *
config_endpoint_format(const char *host, int port, const char *path,
    char *buf, size_t len)
{
	int	v6;

	if (path != NULL) {
		snprintf(buf, len, "%s%s", UNIXSOCK_PREFIX, path);
		return buf;
	}
	v6 = host != NULL && strchr(host, ':') != NULL;
	snprintf(buf, len, "%s%s%s:%d", v6 ? "[" : "", host != NULL ? host :
	    "?", v6 ? "]" : "", port);
	return buf;
}

/* Find the tunnel of CONFIG called NAME. */
static const struct config_tunnel *
config_find_tunnel(const struct config *config, const char *name)
{
	const struct config_tunnel	*t;

	TAILQ_FOREACH(t, &config->tunnels, entry) {
		if (strcmp(t->name, name) == 0)
			return t;
	}
	return NULL;
}

/*
 * Decide what becomes of the old hop OLD, after the hop it is reached
 * through. Entries go in that order; config_diff_sort_hops restores the
 * config's.
 */
static enum config_action
config_diff_decide_hop(struct config_diff *d, const struct config *new,
    const struct config_hop *old)
{
	const struct config_diff_hop	*seen;
	const struct config_hop		*nh;
	enum config_action		 action;
	int				 via_kept = 1;

	if ((seen = config_diff_hop(d, old)) != NULL)
		return seen->action;	/* decided as an outer hop */
	if (old->via_hop != NULL)
		via_kept = config_diff_decide_hop(d, new, old->via_hop) ==
		    CONFIG_KEEP;
	if ((nh = config_find_hop(new, old->name)) == NULL)
		action = CONFIG_REMOVE;
	else if (!config_hop_equal(old, nh) || !via_kept)
		action = CONFIG_CHANGE;	/* or its carrier starts again */
	else
		action = CONFIG_KEEP;
	d->hops = xreallocarray(d->hops, d->nhops + 1, sizeof *d->hops);
	d->hops[d->nhops++] = (struct config_diff_hop){ old, nh, action };
	return action;
}

/* Order hop entries as the old config lists them (outer hops went first). */
static void
config_diff_sort_hops(struct config_diff *d, const struct config *old)
{
	struct config_diff_hop	*sorted;
	const struct config_hop	*h;
	size_t			 n = 0;

	sorted = xcalloc(d->nhops == 0 ? 1 : d->nhops, sizeof *sorted);
	TAILQ_FOREACH(h, &old->hops, entry)
		sorted[n++] = *config_diff_hop(d, h);
	free(d->hops);
	d->hops = sorted;
}

/* Compare two configs, see config.h. */
struct config_diff *
config_diff(const struct config *old, const struct config *new)
{
	static const struct {
		size_t	 key;
		int	 bit;
	} globals[] = {
		{ CONFIG_KEY_LOG_LEVEL, CONFIG_DIFF_LOG_LEVEL },
		{ CONFIG_KEY_SHUTDOWN_TIMEOUT, CONFIG_DIFF_SHUTDOWN_TIMEOUT },
		{ CONFIG_KEY_CONTROL_SOCKET, CONFIG_DIFF_CONTROL_SOCKET },
		{ CONFIG_KEY_PIDFILE, CONFIG_DIFF_PIDFILE },
	};
	struct config_diff		*d;
	struct config_diff_tunnel	*e;
	const struct config_diff_hop	*via;
	const struct config_hop		*h;
	const struct config_tunnel	*t;
	size_t				 i;

	d = xcalloc(1, sizeof *d);
	for (i = 0; i < sizeof globals / sizeof globals[0]; i++) {
		if (!config_key_equal(globals[i].key, old, new))
			d->globals |= globals[i].bit;
	}

	TAILQ_FOREACH(h, &old->hops, entry)
		config_diff_decide_hop(d, new, h);
	config_diff_sort_hops(d, old);
	TAILQ_FOREACH(h, &new->hops, entry) {
		if (config_find_hop(old, h->name) != NULL)
			continue;
		d->hops = xreallocarray(d->hops, d->nhops + 1, sizeof *d->hops);
		d->hops[d->nhops++] = (struct config_diff_hop){ NULL, h,
		    CONFIG_ADD };
	}

	TAILQ_FOREACH(t, &old->tunnels, entry) {
		d->tunnels = xreallocarray(d->tunnels, d->ntunnels + 1,
		    sizeof *d->tunnels);
		e = &d->tunnels[d->ntunnels++];
		e->old = t;
		e->new = config_find_tunnel(new, t->name);
		via = t->hop != NULL ? config_diff_hop(d, t->hop) : NULL;
		if (e->new == NULL)
			e->action = CONFIG_REMOVE;
		else if (config_tunnel_equal(t, e->new) &&
		    (via == NULL || via->action == CONFIG_KEEP))
			e->action = CONFIG_KEEP;
		else
			e->action = CONFIG_CHANGE;
	}
	TAILQ_FOREACH(t, &new->tunnels, entry) {
		if (config_find_tunnel(old, t->name) != NULL)
			continue;
		d->tunnels = xreallocarray(d->tunnels, d->ntunnels + 1,
		    sizeof *d->tunnels);
		d->tunnels[d->ntunnels++] = (struct config_diff_tunnel){ NULL,
		    t, CONFIG_ADD };
	}

	for (i = 0; i < d->nhops; i++)
		d->hop_count[d->hops[i].action]++;
	for (i = 0; i < d->ntunnels; i++)
		d->tunnel_count[d->tunnels[i].action]++;
	return d;
}

/* Free a config_diff. */
void
config_diff_free(struct config_diff *d)
{
	if (d == NULL)
		return;
	free(d->hops);
	free(d->tunnels);
	free(d);
}

/* Find the entry of a hop of either config. */
const struct config_diff_hop *
config_diff_hop(const struct config_diff *d, const struct config_hop *conf)
{
	size_t	i;

	for (i = 0; i < d->nhops; i++) {
		if (d->hops[i].old == conf || d->hops[i].new == conf)
			return &d->hops[i];
	}
	return NULL;
}

/* Find the entry of a tunnel of either config. */
const struct config_diff_tunnel *
config_diff_tunnel(const struct config_diff *d,
    const struct config_tunnel *conf)
{
	size_t	i;

	for (i = 0; i < d->ntunnels; i++) {
		if (d->tunnels[i].old == conf || d->tunnels[i].new == conf)
			return &d->tunnels[i];
	}
	return NULL;
}

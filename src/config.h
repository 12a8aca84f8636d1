/*
 * The parsed configuration: one INI file per environment. These structures
 * hold what the file says, with defaults filled in; runtime objects (hops,
 * tunnels, connections) live elsewhere and point into a config.
 */
#ifndef JUMPGATE_CONFIG_H
#define JUMPGATE_CONFIG_H

#include <sys/queue.h>
#include <stdio.h>

#include "fingerprint.h"
#include "log.h"

#define CONFIG_DEFAULT_PORT		22
#define CONFIG_DEFAULT_CONNECT_TIMEOUT	10
#define CONFIG_DEFAULT_LISTEN_HOST	"127.0.0.1"
#define CONFIG_MAX_CHAIN		8	/* hops in one chain */
#define CONFIG_DEFAULT_KEEPALIVE_INTERVAL 15
#define CONFIG_DEFAULT_KEEPALIVE_COUNT_MAX 3
/*
 * libssh2 looks channels up by walking a list, and OpenSSH's sshd queues
 * one packet for every channel with data in one buffer that it copies
 * whole for each packet (quadratic in busy channels): keep sessions small.
 */
#define CONFIG_DEFAULT_CHANNELS_PER_SESSION 200
#define CONFIG_DEFAULT_RECONNECT_MIN	1
#define CONFIG_DEFAULT_RECONNECT_MAX	60
#define CONFIG_DEFAULT_SHUTDOWN_TIMEOUT	5
#define CONFIG_DEFAULT_MAX_CONNECTIONS	4096
#define CONFIG_MAX_MAX_CONNECTIONS	1000000
#define CONFIG_MAX_CLIENT_IDLE_TIMEOUT	(31 * 86400)
#define CONFIG_MIN_SOCKET_BUFFER	4096
#define CONFIG_MAX_SOCKET_BUFFER	(64 * 1024 * 1024)

enum hostkey_policy {
	HOSTKEY_POLICY_STRICT,
	HOSTKEY_POLICY_TOFU,
	HOSTKEY_POLICY_INSECURE
};

struct config_hop {
	TAILQ_ENTRY(config_hop) entry;
	char			*name;
	int			 line;		/* line of [hop NAME] */

	char			*host;
	int			 port;
	char			*user;
	char			*identity;	/* absolute path, or NULL: agent */
	char			*identity_passphrase_file; /* absolute or NULL */
	char			*certificate;	/* absolute path, or NULL */
	struct fingerprint	*pins;
	size_t			 npins;
	char			*known_hosts;	/* absolute path or NULL */
	enum hostkey_policy	 policy;
	int			 connect_timeout; /* seconds */
	int			 socket_send_buffer; /* bytes; 0: kernel's */
	int			 keepalive_interval; /* seconds; 0: off */
	int			 keepalive_count_max; /* unanswered before dead */
	int			 reconnect_min;	/* seconds, first backoff */
	int			 reconnect_max;	/* seconds, longest backoff */
	int			 lazy;		/* connect on first use */
	int			 idle_timeout;	/* seconds unused; 0: never */
	int			 channels_per_session; /* then another session */
	char			*via;		/* hop this one is reached through */
	struct config_hop	*via_hop;	/* ... resolved; NULL: direct */
	int			 depth;		/* hops in its chain, itself too */

	/* Algorithms offered, comma-separated; NULL: the secure default. */
	char			*kex;
	char			*host_key_algorithms;
	char			*ciphers;
	char			*macs;
	int			 allow_ssh_rsa_sha1; /* legacy servers only */

	/* Password and one-time code sources (never the secret itself). */
	char			*password_file;	/* absolute or NULL */
	char			*password_env;	/* variable name or NULL */
	char			*otp_command;	/* run by /bin/sh -c, or NULL */
	char			*otp_env;	/* "A,B": passed to it, or NULL */
};

enum tunnel_type {
	TUNNEL_LOCAL,		/* ssh -L: we listen, the hop connects */
	TUNNEL_REMOTE,		/* ssh -R: the hop's sshd listens, we connect */
	TUNNEL_SOCKS		/* ssh -D: we listen, clients name targets */
};

struct allow_list;

struct config_tunnel {
	TAILQ_ENTRY(config_tunnel) entry;
	char			*name;
	int			 line;		/* line of [tunnel NAME] */

	/*
	 * Each end is either TCP, host and port (path NULL), or a Unix
	 * socket, "unix:PATH" in the file: path absolute, host NULL and
	 * port 0. config_endpoint_format shows either.
	 */
	char			*listen_host;
	int			 listen_port;
	char			*listen_path;
	int			 listen_mode;	/* unix: permission bits */
	int			 listen_group;	/* unix: gid, or -1: ours */
	char			*connect_host;
	int			 connect_port;
	char			*connect_path;
	char			*via;
	struct config_hop	*hop;		/* the hop named by via */
	int			 required;	/* a failed listen stops start-up */
	enum tunnel_type	 type;
	int			 max_connections; /* then new ones are closed */
	int			 client_idle_timeout; /* seconds; 0: never */
	char			*allow;		/* socks: as written, or NULL */
	struct allow_list	*allow_list;	/* ... parsed */
};

struct config {
	char			*path;		/* as given */
	char			*dir;		/* directory of path, absolute */
	enum log_level		 log_level;
	char			*control_socket; /* absolute, or NULL: default */
	int			 shutdown_timeout; /* seconds to drain on stop */
	char			*pidfile;	/* absolute, or NULL: none */
	char			*log_file;	/* absolute, or NULL: none */
	enum log_format		 log_format;
	TAILQ_HEAD(, config_hop) hops;
	TAILQ_HEAD(, config_tunnel) tunnels;
};

/*
 * Parse PATH. Returns the config, or NULL when there was any problem: then
 * every problem has been written to ERRORS, one "PATH:LINE: message" line
 * each (LINE omitted when the file cannot be read), and *NERRORS holds their
 * count. Caller frees with config_free.
 */
struct config	*config_load(const char *path, FILE *errors, int *nerrors);
/*
 * Likewise; with CONFIG_LOAD_NO_FILES, the files the config names
 * (certificates) are not read and checked: for finding the control socket
 * of an instance whose certificate may have expired since it started.
 */
#define CONFIG_LOAD_NO_FILES	0x1
struct config	*config_load_flags(const char *path, int flags, FILE *errors,
		    int *nerrors);
/*
 * Likewise with CONFIG_LOAD_NO_FILES, for the clients of a running
 * instance (status, reload). When the file has errors (written to ERRORS)
 * and NULL is returned, *CONTROL_SOCKET is still the control_socket it sets
 * on a valid line, or NULL when it sets none (the default applies); caller
 * frees.
 */
struct config	*config_load_for_control(const char *path, FILE *errors,
		    int *nerrors, char **control_socket);
void		 config_free(struct config *);
struct config_hop *config_find_hop(const struct config *, const char *);
const char	*config_policy_name(enum hostkey_policy);
/* Whether two hops (tunnels) have the same settings, for reload. */
int		 config_hop_equal(const struct config_hop *,
		    const struct config_hop *);
int		 config_tunnel_equal(const struct config_tunnel *,
		    const struct config_tunnel *);
/*
 * Write one tunnel end into BUF: "unix:PATH" if PATH is not NULL, else
 * "HOST:PORT", with an IPv6 address in brackets. Returns BUF.
 */
char		*config_endpoint_format(const char *host, int port,
		    const char *path, char *buf, size_t len);


/* What a reload does with one hop or tunnel. */
enum config_action {
	CONFIG_KEEP,		/* same settings, same chain: left running */
	CONFIG_CHANGE,		/* same name, other settings: started again */
	CONFIG_ADD,		/* only in the new config: started */
	CONFIG_REMOVE,		/* only in the old config: closed */
	CONFIG_NACTIONS
};

/* A hop (tunnel) of the old config, the new one, or both. */
struct config_diff_hop {
	const struct config_hop		*old;	/* NULL if added */
	const struct config_hop		*new;	/* NULL if removed */
	enum config_action		 action;
};
struct config_diff_tunnel {
	const struct config_tunnel	*old;	/* NULL if added */
	const struct config_tunnel	*new;	/* NULL if removed */
	enum config_action		 action;
};

/* [jumpgate] settings that differ (control_socket and pidfile: at start). */
#define CONFIG_DIFF_LOG_LEVEL		0x1
#define CONFIG_DIFF_SHUTDOWN_TIMEOUT	0x2
#define CONFIG_DIFF_CONTROL_SOCKET	0x4
#define CONFIG_DIFF_PIDFILE		0x8

/*
 * What a reload from one config to another keeps, restarts, adds and
 * removes. Hops and tunnels are matched by name. A hop is kept if its
 * settings are equal and the hop it is reached through is kept; a tunnel
 * if its settings are equal (limits aside: a kept tunnel takes them) and
 * its hop is kept. Entries: the old config's in its order, then the added
 * ones in the new config's order.
 */
struct config_diff {
	struct config_diff_hop		*hops;
	size_t				 nhops;
	struct config_diff_tunnel	*tunnels;
	size_t				 ntunnels;
	int				 hop_count[CONFIG_NACTIONS];
	int				 tunnel_count[CONFIG_NACTIONS];
	int				 globals; /* CONFIG_DIFF_* */
};

/* Compare two configs; no I/O. Both must outlive the result. */
struct config_diff *config_diff(const struct config *old,
		    const struct config *new);
void		 config_diff_free(struct config_diff *);
/* The entry of hop (tunnel) CONF of either config; NULL if none. */
const struct config_diff_hop *config_diff_hop(const struct config_diff *,
		    const struct config_hop *conf);
const struct config_diff_tunnel *config_diff_tunnel(const struct config_diff *,
		    const struct config_tunnel *conf);

#endif

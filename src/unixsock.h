/*
 * Unix-domain socket ends of tunnels: checking a "unix:PATH" value, and
 * a listening socket created where no other local user can redirect it.
 *
 * The socket's directory is walked as safefile.h says and must belong to
 * us and be writable by us only: then nobody else can put, swap or remove
 * anything in it, and binding and connecting by path is safe. A file
 * already at the path is replaced only if it is a socket nobody answers
 * on (left by a jumpgate that died). The socket is created with the owner
 * bits of its mode only, given its group, then its full mode: it is never
 * open to more users than asked, not even for a moment. It is removed
 * when the listener closes, if it is still the one we created.
 */
#ifndef JUMPGATE_UNIXSOCK_H
#define JUMPGATE_UNIXSOCK_H

#include <sys/types.h>

#include <stddef.h>

/* How a tunnel end names a Unix socket: "unix:/path". */
#define UNIXSOCK_PREFIX		"unix:"
#define UNIXSOCK_DEFAULT_MODE	0600

struct unixsock;

/* Whether VALUE names a Unix socket (starts with UNIXSOCK_PREFIX). */
int		 unixsock_is_unix(const char *value);
/*
 * Check PATH (what follows "unix:") as a socket path: absolute, short
 * enough for sockaddr_un, no "." or ".." component, no empty component,
 * no control character, not a directory ("/" at the end). Returns NULL if
 * it will do, else what is wrong with it (a static string).
 */
const char	*unixsock_path_problem(const char *path);
/*
 * Parse a listen_mode value: octal permission bits such as 0600 or 660,
 * at most 0777. Returns the mode, or -1.
 */
int		 unixsock_parse_mode(const char *value);

/*
 * Create, bind and listen on a socket at PATH with permission bits MODE
 * and, if GROUP is not -1, that group, as described above. Returns the
 * handle with *FD the listening descriptor (non-blocking, close-on-exec,
 * the caller's to close), or NULL with *CAUSE (caller frees): the message
 * names the path and what to do.
 */
struct unixsock	*unixsock_listen(const char *path, int mode, int group,
		    int backlog, int *fd, char **cause);
/* Remove the socket file if it is still ours, and free the handle. */
void		 unixsock_remove(struct unixsock *);

#endif

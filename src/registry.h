/*
 * Where "jumpgate list" finds running instances: the directory of default
 * control sockets (control_default_dir). An instance whose file sets
 * control_socket elsewhere registers there too: a file "instance-PID"
 * holding its socket's path, written with safefile_replace once it runs
 * (after -d detached: the pid is final) and removed when it stops. One
 * left by an instance that died is removed by the next list.
 */
#ifndef JUMPGATE_REGISTRY_H
#define JUMPGATE_REGISTRY_H

#include <stddef.h>

/* At most this many entries of the directory are looked at. */
#define REGISTRY_MAX_ENTRIES	1024

struct registry;

/* A control socket found in the directory. */
struct registry_socket {
	char	*path;
	long	 pid;		/* registered by this pid; 0: a default one */
};

/*
 * Register this process's control socket SOCKET if it is not in the
 * default directory. Returns the registration, or NULL: with *CAUSE
 * (caller frees) if it could not be written, else none was needed.
 */
struct registry	*registry_add(const char *socket, char **cause);
/* Remove the registration (NULL: nothing). */
void		 registry_remove(struct registry *);

/*
 * Every control socket of the directory: its sockets named *.sock, then
 * the registered ones, without registrations whose process is gone (they
 * are removed). Sets *SOCKETS (free with registry_free) and *N; returns
 * 0, or -1 with *CAUSE (caller frees). A directory that does not exist
 * has none.
 */
int		 registry_list(struct registry_socket **sockets, size_t *n,
		    char **cause);
/* Remove the registration of PID, which does not answer any more. */
void		 registry_forget(long pid);
/* Free what registry_list returned. */
void		 registry_free(struct registry_socket *, size_t);

#endif

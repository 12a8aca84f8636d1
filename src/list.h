/* jumpgate list: every running instance of this user. */
#ifndef JUMPGATE_LIST_H
#define JUMPGATE_LIST_H

/*
 * Ask every control socket registry_list finds for "info" and print one
 * row per instance (name, file, pid, uptime, hops ready/total, tunnels,
 * connections), or a JSON array with JSON. Sockets nobody answers on are
 * left out. Returns the exit status: 0, or 1 if the directory could not
 * be read.
 */
int	list_main(int json);

#endif

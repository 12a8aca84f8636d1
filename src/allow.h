/*
 * A SOCKS tunnel's allow-list: the destinations clients may ask for.
 * "allow = *.internal:5432, db-?.prod:5432, 10.0.0.0/8:443, [fd00::/8]:*"
 * Each entry is HOST:PORTS, separated by commas or white space. HOST is a
 * name pattern ('*' any run of characters, '?' one; case does not count),
 * an address, or an address block (CIDR; IPv6 in brackets). PORTS is a
 * port, a range LOW-HIGH, or '*' (1-65535).
 *
 * A name pattern matches names as the client sent them; a block matches
 * addresses only. jumpgate never resolves a name to check it: a name is
 * resolved by the far side, after the check.
 */
#ifndef JUMPGATE_ALLOW_H
#define JUMPGATE_ALLOW_H

#include <stddef.h>
#include <stdint.h>

struct allow_rule {
	char		*pattern;	/* lower case; NULL: an address block */
	int		 family;	/* AF_INET or AF_INET6 (blocks) */
	uint8_t		 addr[16];
	int		 prefix;	/* bits */
	int		 port_min;
	int		 port_max;
};

struct allow_list {
	struct allow_rule	*rules;
	size_t			 nrules;
};

/*
 * Parse TEXT. Returns the list, or NULL with *ERROR (caller frees) naming
 * the first bad entry and what is expected.
 */
struct allow_list *allow_parse(const char *text, char **error);
void		 allow_free(struct allow_list *);
/*
 * Tell whether HOST:PORT is allowed. HOST is a lower-case name, or an
 * address as inet_ntop writes it (IPv4-mapped IPv6 is checked as IPv4).
 */
int		 allow_match(const struct allow_list *, const char *host,
		    int port);

#endif

/* The scan and probe commands: host keys and algorithms, unauthenticated. */
#ifndef JUMPGATE_SCAN_H
#define JUMPGATE_SCAN_H

#define SCAN_DEFAULT_TIMEOUT	10

/* Options shared by scan and probe. */
struct scan_options {
	int		 hash;		/* scan: hash host names */
	int		 what;		/* scan: SCAN_SHOW_* */
	int		 timeout;	/* seconds per connection */
	const char	*via;		/* hop to go through, or NULL */
	const char	*config;	/* the config naming it */
	char		**targets;	/* HOST[:PORT] arguments */
	int		 ntargets;
};

#define SCAN_SHOW_KNOWN_HOSTS	0x1
#define SCAN_SHOW_PINS		0x2

/*
 * Parse the arguments after the command name (ARGV[0] is the command).
 * Returns 0, or -1 after printing what is wrong.
 */
int	scan_parse_options(int argc, char **argv, int scan,
	    struct scan_options *);
/* jumpgate scan: exit 0 if every key was fetched and verified, else 1. */
int	scan_main(const struct scan_options *);
/* jumpgate probe: exit 0 if this build can talk to it, 1 if not, 2 on
 * errors. */
int	probe_main(const struct scan_options *);

#endif

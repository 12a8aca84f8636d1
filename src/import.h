/*
 * jumpgate import: an INI for hosts of an OpenSSH client configuration.
 * Each host becomes a [hop], each host of its ProxyJump chain a [hop]
 * with via, each forward a [tunnel]; every line that applies and that
 * jumpgate has no equivalent for becomes a "; not mapped: FILE:LINE:
 * text" comment. The configuration is read by sshconfig.c, not by
 * "ssh -G": see docs/jumpgate.8 for why.
 */
#ifndef JUMPGATE_IMPORT_H
#define JUMPGATE_IMPORT_H
#include <stdio.h>

#include "sshconfig.h"

/*
 * Write to OUT the INI for the NHOSTS hosts HOSTS ("[user@]alias") of the
 * NCONFIGS configurations (in ssh's order). Errors go to ERRORS as
 * "FILE:LINE: message". Returns 0, or -1 after reporting (nothing is
 * written to OUT then).
 */
int	import_write(const struct sshconfig * const *configs, size_t nconfigs,
	    char * const *hosts, int nhosts, FILE *out, FILE *errors);

/* jumpgate import [--ssh-config FILE] HOST...: ARGV[0] is "import". */
int	import_main(int argc, char **argv);
#endif

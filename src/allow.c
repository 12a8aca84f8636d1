/* A SOCKS tunnel's allow-list: parse it, match destinations against it. */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allow.h"
#include "xmalloc.h"

/* Entries in one list at most (each is checked for every request). */
#define ALLOW_MAX_RULES		1024

/* Parse PORTS ("443", "8000-8099", "*") into RULE. Returns 0 or -1. */
static int
allow_parse_ports(const char *s, struct allow_rule *rule)
{
	long	 lo, hi;
	char	*end;

	if (strcmp(s, "*") == 0) {
		rule->port_min = 1;
		rule->port_max = 65535;
		return 0;
	}
	if (!isdigit((unsigned char)*s))
		return -1;
	lo = strtol(s, &end, 10);
	hi = lo;
	if (*end == '-') {
		if (!isdigit((unsigned char)end[1]))
			return -1;
		hi = strtol(end + 1, &end, 10);
	}
	if (*end != '\0' || lo < 1 || hi > 65535 || lo > hi)
		return -1;
	rule->port_min = (int)lo;
	rule->port_max = (int)hi;
	return 0;
}

/* Tell whether the bits of ADDR past PREFIX are all zero. */
static int
allow_host_bits_clear(const uint8_t *addr, size_t len, int prefix)
{
	size_t	i;

	for (i = 0; i < len; i++) {
		int	keep = prefix - (int)i * 8;
		uint8_t	mask = keep >= 8 ? 0xff : keep <= 0 ? 0 :
			    (uint8_t)(0xff << (8 - keep));

		if ((addr[i] & ~mask) != 0)
			return 0;
	}
	return 1;
}

/*
 * Parse HOST as an address or block into RULE. Returns 1 if it is one,
 * 0 if it is not an address (a name pattern), -1 with *WHY if it is a bad
 * block.
 */
static int
allow_parse_block(char *host, int bracketed, struct allow_rule *rule,
    const char **why)
{
	char	*slash, *end;
	long	 prefix;
	int	 family = bracketed ? AF_INET6 : AF_INET;
	int	 bits = bracketed ? 128 : 32;

	if ((slash = strchr(host, '/')) != NULL)
		*slash = '\0';
	if (inet_pton(family, host, rule->addr) != 1) {
		*why = "not an address";
		return bracketed || slash != NULL ? -1 : 0;
	}
	prefix = bits;
	if (slash != NULL) {
		prefix = strtol(slash + 1, &end, 10);
		if (!isdigit((unsigned char)slash[1]) || *end != '\0' ||
		    prefix < 0 || prefix > bits) {
			*why = "bad prefix length";
			return -1;
		}
	}
	if (!allow_host_bits_clear(rule->addr, (size_t)bits / 8,
	    (int)prefix)) {
		*why = "address bits set past the prefix length (write the "
		    "block's first address)";
		return -1;
	}
	rule->family = family;
	rule->prefix = (int)prefix;
	return 1;
}

/* Tell whether S is a name pattern: name characters, '*' and '?'. */
static int
allow_pattern_ok(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++) {
		if (!isalnum((unsigned char)*s) && strchr("-._*?", *s) == NULL)
			return 0;
	}
	return 1;
}

/* Parse one ENTRY into RULE. Returns 0, or -1 with *WHY. */
static int
allow_parse_entry(char *entry, struct allow_rule *rule, const char **why)
{
	char	*host = entry, *colon, *p;
	int	 bracketed = 0, rc;

	memset(rule, 0, sizeof *rule);
	if (*entry == '[') {
		if ((p = strchr(entry, ']')) == NULL || p[1] != ':') {
			*why = "an IPv6 address or block goes in brackets: "
			    "[ADDRESS/BITS]:PORT";
			return -1;
		}
		*p = '\0';
		host = entry + 1;
		colon = p + 1;
		bracketed = 1;
	} else if ((colon = strrchr(entry, ':')) == NULL) {
		*why = "no port: write HOST:PORT, HOST:LOW-HIGH or HOST:*";
		return -1;
	} else if (strchr(entry, ':') != colon) {
		*why = "an IPv6 address or block goes in brackets: "
		    "[ADDRESS/BITS]:PORT";
		return -1;
	}
	*colon = '\0';
	if (allow_parse_ports(colon + 1, rule) != 0) {
		*why = "bad port: write a port 1-65535, a range LOW-HIGH or *";
		return -1;
	}
	if ((rc = allow_parse_block(host, bracketed, rule, why)) == -1)
		return -1;
	if (rc == 1)
		return 0;
	if (!allow_pattern_ok(host)) {
		*why = "a host pattern has letters, digits, '-', '.', '_', "
		    "'*' and '?' only";
		return -1;
	}
	for (p = host; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	rule->pattern = xstrdup(host);
	return 0;
}

/* Parse an allow-list, see allow.h. */
struct allow_list *
allow_parse(const char *text, char **error)
{
	struct allow_list	*list;
	struct allow_rule	 rule;
	char			*copy, *next, *entry, *shown;
	const char		*why;

	*error = NULL;
	list = xcalloc(1, sizeof *list);
	copy = next = xstrdup(text);
	while ((entry = strsep(&next, ", \t")) != NULL) {
		if (*entry == '\0')
			continue;
		if (list->nrules == ALLOW_MAX_RULES) {
			xasprintf(error, "more than %d entries",
			    ALLOW_MAX_RULES);
			goto fail;
		}
		shown = xstrdup(entry);		/* parsing cuts ENTRY */
		if (allow_parse_entry(entry, &rule, &why) != 0) {
			xasprintf(error, "bad entry '%s': %s", shown, why);
			free(shown);
			goto fail;
		}
		free(shown);
		list->rules = xreallocarray(list->rules, list->nrules + 1,
		    sizeof *list->rules);
		list->rules[list->nrules++] = rule;
	}
	free(copy);
	if (list->nrules == 0) {
		xasprintf(error, "no entries: list the destinations clients "
		    "may reach, as HOST:PORT");
		allow_free(list);
		return NULL;
	}
	return list;

fail:
	free(copy);
	allow_free(list);
	return NULL;
}

/* Free an allow-list. */
void
allow_free(struct allow_list *list)
{
	size_t	i;

	if (list == NULL)
		return;
	for (i = 0; i < list->nrules; i++)
		free(list->rules[i].pattern);
	free(list->rules);
	free(list);
}

/*
 * Tell whether S matches PATTERN ('*' any run, '?' one character): the
 * usual two-pointer walk, backtracking only to the last '*', so time is
 * bounded by the product of the lengths.
 */
static int
allow_glob(const char *pattern, const char *s)
{
	const char	*star = NULL, *retry = NULL;

	while (*s != '\0') {
		if (*pattern == '*') {
			star = pattern++;
			retry = s;
		} else if (*pattern == '?' || *pattern == *s) {
			pattern++;
			s++;
		} else if (star != NULL) {
			pattern = star + 1;
			s = ++retry;
		} else
			return 0;
	}
	while (*pattern == '*')
		pattern++;
	return *pattern == '\0';
}

/* Tell whether the first PREFIX bits of A and B are equal. */
static int
allow_prefix_equal(const uint8_t *a, const uint8_t *b, int prefix)
{
	int	i;

	for (i = 0; prefix >= 8; i++, prefix -= 8) {
		if (a[i] != b[i])
			return 0;
	}
	return prefix == 0 ||
	    ((a[i] ^ b[i]) & (uint8_t)(0xff << (8 - prefix))) == 0;
}

/* Tell whether a destination is allowed, see allow.h. */
int
allow_match(const struct allow_list *list, const char *host, int port)
{
	const struct allow_rule	*rule;
	uint8_t			 addr[16];
	int			 family = 0;
	size_t			 i;

	if (inet_pton(AF_INET, host, addr) == 1)
		family = AF_INET;
	else if (inet_pton(AF_INET6, host, addr) == 1) {
		family = AF_INET6;
		if (IN6_IS_ADDR_V4MAPPED((struct in6_addr *)(void *)addr)) {
			memmove(addr, addr + 12, 4);
			family = AF_INET;
		}
	}
	for (i = 0; i < list->nrules; i++) {
		rule = &list->rules[i];
		if (port < rule->port_min || port > rule->port_max)
			continue;
		if (rule->pattern != NULL) {
			if (allow_glob(rule->pattern, host))
				return 1;
		} else if (rule->family == family &&
		    allow_prefix_equal(rule->addr, addr, rule->prefix))
			return 1;
	}
	return 0;
}

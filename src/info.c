/* The "info" control reply, written and parsed; see info.h. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "info.h"
#include "vis.h"
#include "xmalloc.h"

/* The keys, in the order they are written; all are required. */
enum info_key {
	INFO_NAME, INFO_FILE, INFO_PID, INFO_STARTED, INFO_HOPS,
	INFO_TUNNELS, INFO_CONNECTIONS, INFO_SHUTDOWN_TIMEOUT, INFO_NKEYS
};
static const char *const info_keys[INFO_NKEYS] = {
	[INFO_NAME] = "name",
	[INFO_FILE] = "file",
	[INFO_PID] = "pid",
	[INFO_STARTED] = "started",
	[INFO_HOPS] = "hops",
	[INFO_TUNNELS] = "tunnels",
	[INFO_CONNECTIONS] = "connections",
	[INFO_SHUTDOWN_TIMEOUT] = "shutdown_timeout"
};

/* Append INFO to OUT, see info.h. */
void
info_write(struct evbuffer *out, const struct info *info)
{
	evbuffer_add_printf(out, "name %s\nfile %s\npid %ld\nstarted %lld\n"
	    "hops %ld %ld\ntunnels %ld\nconnections %ld\n"
	    "shutdown_timeout %ld\n", info->name, info->file, info->pid,
	    (long long)info->started, info->hops_ready, info->hops,
	    info->tunnels, info->connections, info->shutdown_timeout);
}

/* Free the strings of INFO and zero it. */
void
info_clear(struct info *info)
{
	free(info->name);
	free(info->file);
	memset(info, 0, sizeof *info);
}

/*
 * Parse the decimal number at the start of *S (up to END), 0 to MAX, and
 * move *S past it. Returns 0, or -1 if there is none or it is too large.
 */
static int
info_number(const char **s, const char *end, long long max, long long *value)
{
	long long	v = 0;
	const char	*p = *s;

	if (p == end || *p < '0' || *p > '9')
		return -1;
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		if (v > (max - (*p - '0')) / 10)
			return -1;
		v = v * 10 + (*p - '0');
	}
	*s = p;
	*value = v;
	return 0;
}

/* Parse the value of KEY (LEN bytes at V) into INFO; 0 or -1. */
static int
info_value(struct info *info, enum info_key key, const char *v, size_t len)
{
	const char	*end = v + len;
	long long	 a, b;

	if (key == INFO_NAME || key == INFO_FILE) {
		if (len == 0 || len > INFO_MAX_VALUE || memchr(v, '\0', len))
			return -1;
		if (key == INFO_NAME)
			info->name = xstrndup(v, len);
		else
			info->file = xstrndup(v, len);
		return 0;
	}
	if (info_number(&v, end, key == INFO_STARTED ? LLONG_MAX / 2 :
	    LONG_MAX, &a) != 0)
		return -1;
	if (key == INFO_HOPS) {
		if (v == end || *v++ != ' ' ||
		    info_number(&v, end, LONG_MAX, &b) != 0 || a > b)
			return -1;
		info->hops_ready = (long)a;
		info->hops = (long)b;
	}
	if (v != end)
		return -1;
	switch (key) {
	case INFO_PID:
		if (a == 0 || a > INT_MAX)
			return -1;
		info->pid = (long)a;
		break;
	case INFO_STARTED:
		info->started = (time_t)a;
		break;
	case INFO_TUNNELS:
		info->tunnels = (long)a;
		break;
	case INFO_CONNECTIONS:
		info->connections = (long)a;
		break;
	case INFO_SHUTDOWN_TIMEOUT:
		info->shutdown_timeout = (long)a;
		break;
	default:
		break;
	}
	return 0;
}

/* Parse an info reply, see info.h. */
int
info_parse(const char *text, size_t len, struct info *info, char **cause)
{
	const char	*line = text, *end = text + len, *nl, *space;
	char		 shown[100];
	unsigned	 seen = 0;
	size_t		 klen, i;

	memset(info, 0, sizeof *info);
	*cause = NULL;
	while (line < end) {
		if ((nl = memchr(line, '\n', (size_t)(end - line))) == NULL) {
			vis_text(shown, sizeof shown, line,
			    (size_t)(end - line), 0);
			xasprintf(cause, "unterminated line '%s'", shown);
			goto fail;
		}
		space = memchr(line, ' ', (size_t)(nl - line));
		klen = (size_t)((space != NULL ? space : nl) - line);
		for (i = 0; i < INFO_NKEYS; i++)
			if (strlen(info_keys[i]) == klen &&
			    memcmp(info_keys[i], line, klen) == 0)
				break;
		if (i < INFO_NKEYS) {
			if (space == NULL || (seen & (1u << i)) ||
			    info_value(info, (enum info_key)i, space + 1,
			    (size_t)(nl - space - 1)) != 0) {
				vis_text(shown, sizeof shown, line,
				    (size_t)(nl - line), 0);
				xasprintf(cause, "malformed line '%s'", shown);
				goto fail;
			}
			seen |= 1u << i;
		}
		line = nl + 1;
	}
	for (i = 0; i < INFO_NKEYS; i++) {
		if (!(seen & (1u << i))) {
			xasprintf(cause, "no '%s' line", info_keys[i]);
			info_clear(info);
			return -1;
		}
	}
	return 0;

fail:
	info_clear(info);
	return -1;
}

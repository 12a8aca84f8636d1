/* jumpgate status: the state of hops and tunnels as a table or JSON. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>

#include "hop.h"
#include "status.h"
#include "tunnel.h"

/* Format an age like "3h12m" or "45s" for the table. */
static void
status_age(time_t since, char *out, size_t len)
{
	long	s = (long)(time(NULL) - since);

	if (s < 60)
		snprintf(out, len, "%lds", s);
	else if (s < 3600)
		snprintf(out, len, "%ldm%02lds", s / 60, s % 60);
	else if (s < 86400)
		snprintf(out, len, "%ldh%02ldm", s / 3600, (s % 3600) / 60);
	else
		snprintf(out, len, "%ldd%02ldh", s / 86400, (s % 86400) / 3600);
}

/* Format a time as UTC ISO 8601. */
static void
status_time(time_t t, char *out, size_t len)
{
	struct tm	tm;

	gmtime_r(&t, &tm);
	strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Append S to OUT as a JSON string (NULL as null). */
static void
status_json_string(struct evbuffer *out, const char *s)
{
	if (s == NULL) {
		evbuffer_add_printf(out, "null");
		return;
	}
	evbuffer_add(out, "\"", 1);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			evbuffer_add_printf(out, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			evbuffer_add_printf(out, "\\u%04x", (unsigned char)*s);
		else
			evbuffer_add(out, s, 1);
	}
	evbuffer_add(out, "\"", 1);
}

/* Write the status as JSON. */
static void
status_write_json(struct evbuffer *out, struct hop **hops, size_t nhops,
    struct tunnel **tunnels, size_t ntunnels)
{
	struct hop_status	hs;
	struct tunnel_status	ts;
	char			when[32];
	size_t			i;

	evbuffer_add_printf(out, "{\"hops\":[");
	for (i = 0; i < nhops; i++) {
		hop_get_status(hops[i], &hs);
		status_time(hs.since, when, sizeof when);
		evbuffer_add_printf(out, "%s{\"chain\":", i ? "," : "");
		status_json_string(out, hs.label);
		evbuffer_add_printf(out, ",\"state\":\"%s\",\"since\":\"%s\","
		    "\"reconnects\":%u,\"channels\":%d,\"sessions\":%d,"
		    "\"fingerprint\":", hop_state_name(hs.state), when,
		    hs.reconnects, hs.channels, hs.sessions);
		status_json_string(out, *hs.fingerprint ? hs.fingerprint : NULL);
		evbuffer_add_printf(out, ",\"last_error\":");
		status_json_string(out, hs.last_error);
		evbuffer_add_printf(out, "}");
	}
	evbuffer_add_printf(out, "],\"tunnels\":[");
	for (i = 0; i < ntunnels; i++) {
		tunnel_get_status(tunnels[i], &ts);
		evbuffer_add_printf(out, "%s{\"name\":", i ? "," : "");
		status_json_string(out, ts.name);
		evbuffer_add_printf(out, ",\"type\":\"%s\",\"listen\":", ts.type);
		status_json_string(out, ts.listen);
		evbuffer_add_printf(out, ",\"connect\":");
		status_json_string(out, ts.connect);
		evbuffer_add_printf(out, ",\"via\":");
		status_json_string(out, ts.via);
		evbuffer_add_printf(out, ",\"state\":");
		status_json_string(out, ts.state);
		evbuffer_add_printf(out, ",\"active\":%d,\"bytes_in\":%" PRIu64
		    ",\"bytes_out\":%" PRIu64 ",\"last_error\":", ts.active,
		    ts.bytes_up, ts.bytes_down);
		status_json_string(out, ts.last_error);
		evbuffer_add_printf(out, "}");
	}
	evbuffer_add_printf(out, "]}\n");
}

/* Write the status as two tables. */
static void
status_write_table(struct evbuffer *out, struct hop **hops, size_t nhops,
    struct tunnel **tunnels, size_t ntunnels)
{
	struct hop_status	hs;
	struct tunnel_status	ts;
	char			age[64];
	size_t			i;

	evbuffer_add_printf(out, "%-24s %-10s %-8s %-10s %-51s %s\n", "HOP",
	    "STATE", "SINCE", "RECONNECTS", "HOST KEY", "LAST ERROR");
	for (i = 0; i < nhops; i++) {
		hop_get_status(hops[i], &hs);
		status_age(hs.since, age, sizeof age);
		evbuffer_add_printf(out, "%-24s %-10s %-8s %-10u %-51s %s\n",
		    hs.label, hop_state_name(hs.state), age, hs.reconnects,
		    *hs.fingerprint ? hs.fingerprint : "-",
		    hs.last_error != NULL ? hs.last_error : "-");
	}
	evbuffer_add_printf(out, "\n%-16s %-6s %-22s %-22s %-20s %-10s %6s "
	    "%12s %12s %s\n", "TUNNEL", "TYPE", "LISTEN", "CONNECT", "VIA",
	    "STATE", "ACTIVE", "BYTES IN", "BYTES OUT", "LAST ERROR");
	for (i = 0; i < ntunnels; i++) {
		tunnel_get_status(tunnels[i], &ts);
		evbuffer_add_printf(out, "%-16s %-6s %-22s %-22s %-20s %-10s %6d "
		    "%12" PRIu64 " %12" PRIu64 " %s\n", ts.name, ts.type,
		    ts.listen, ts.connect, ts.via, ts.state, ts.active,
		    ts.bytes_up, ts.bytes_down,
		    ts.last_error != NULL ? ts.last_error : "-");
	}
}

/* Write the status of hops and tunnels, see status.h. */
void
status_write(struct evbuffer *out, struct hop **hops, size_t nhops,
    struct tunnel **tunnels, size_t ntunnels, int json)
{
	if (json)
		status_write_json(out, hops, nhops, tunnels, ntunnels);
	else
		status_write_table(out, hops, nhops, tunnels, ntunnels);
}

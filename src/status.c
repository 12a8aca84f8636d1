/* jumpgate status: the state of hops and tunnels as a table or JSON. */
#include <ctype.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>

#include "hop.h"
#include "status.h"
#include "tunnel.h"
#include "xmalloc.h"

/* Format an age like "3h12m" or "45s" for the table. */
void
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
void
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

/* How a status field is stored and shown. */
enum status_type {
	STATUS_STRING,		/* const char *; NULL or "": null, "-" */
	STATUS_BUFFER,		/* char[] in the struct */
	STATUS_HOP_STATE,	/* enum hop_state, shown by name */
	STATUS_TIME,		/* time_t: UTC in JSON, an age in the table */
	STATUS_INT,
	STATUS_UINT,
	STATUS_U64
};

/*
 * One field of struct hop_status or tunnel_status: its JSON key, which
 * upper-cased with spaces for '_' is its table heading, and its table
 * column (printf width: negative left-aligns; 0 for the last column).
 */
struct status_field {
	const char		*name;
	enum status_type	 type;
	size_t			 offset;
	int			 width;
	int			 json_only;
};

#define STATUS_H(f)	offsetof(struct hop_status, f)
#define STATUS_T(f)	offsetof(struct tunnel_status, f)

static const struct status_field status_hop_fields[] = {
	{ "chain", STATUS_STRING, STATUS_H(label), -24, 0 },
	{ "state", STATUS_HOP_STATE, STATUS_H(state), -10, 0 },
	{ "since", STATUS_TIME, STATUS_H(since), -8, 0 },
	{ "reconnects", STATUS_UINT, STATUS_H(reconnects), -10, 0 },
	{ "channels", STATUS_INT, STATUS_H(channels), 0, 1 },
	{ "sessions", STATUS_INT, STATUS_H(sessions), 0, 1 },
	{ "fingerprint", STATUS_STRING, STATUS_H(fingerprint), -51, 0 },
	{ "last_error", STATUS_STRING, STATUS_H(last_error), 0, 0 },
	{ NULL, 0, 0, 0, 0 }
};

static const struct status_field status_tunnel_fields[] = {
	{ "name", STATUS_STRING, STATUS_T(name), -16, 0 },
	{ "type", STATUS_STRING, STATUS_T(type), -6, 0 },
	{ "listen", STATUS_BUFFER, STATUS_T(listen), -22, 0 },
	{ "connect", STATUS_BUFFER, STATUS_T(connect), -22, 0 },
	{ "via", STATUS_STRING, STATUS_T(via), -20, 0 },
	{ "state", STATUS_STRING, STATUS_T(state), -10, 0 },
	{ "active", STATUS_INT, STATUS_T(active), 6, 0 },
	{ "bytes_up", STATUS_U64, STATUS_T(bytes_up), 12, 0 },
	{ "bytes_down", STATUS_U64, STATUS_T(bytes_down), 12, 0 },
	{ "last_error", STATUS_STRING, STATUS_T(last_error), 0, 0 },
	{ NULL, 0, 0, 0, 0 }
};

/*
 * Format field F of the struct at BASE into BUF (LEN bytes), as the table
 * (AS_JSON 0) or JSON shows it. Returns the text, or NULL for a string
 * that is not there; *QUOTE says whether JSON quotes it.
 */
static const char *
status_field_text(const struct status_field *f, const void *base,
    int as_json, char *buf, size_t len, int *quote)
{
	const char	*field = (const char *)base + f->offset;
	const char	*s;

	*quote = 0;
	switch (f->type) {
	case STATUS_STRING:
		s = *(const char * const *)(const void *)field;
		*quote = 1;
		return s != NULL && *s != '\0' ? s : NULL;
	case STATUS_BUFFER:
		*quote = 1;
		return *field != '\0' ? field : NULL;
	case STATUS_HOP_STATE:
		*quote = 1;
		return hop_state_name(*(const enum hop_state *)(const void *)
		    field);
	case STATUS_TIME:
		*quote = as_json;
		if (as_json)
			status_time(*(const time_t *)(const void *)field, buf,
			    len);
		else
			status_age(*(const time_t *)(const void *)field, buf,
			    len);
		return buf;
	case STATUS_INT:
		snprintf(buf, len, "%d", *(const int *)(const void *)field);
		return buf;
	case STATUS_UINT:
		snprintf(buf, len, "%u",
		    *(const unsigned int *)(const void *)field);
		return buf;
	case STATUS_U64:
		snprintf(buf, len, "%" PRIu64,
		    *(const uint64_t *)(const void *)field);
		return buf;
	}
	return NULL;
}

/* Write the object at BASE as a JSON object of FIELDS. */
static void
status_json_object(struct evbuffer *out, const struct status_field *fields,
    const void *base)
{
	const struct status_field	*f;
	const char			*text;
	char				 buf[64];
	int				 quote;

	evbuffer_add(out, "{", 1);
	for (f = fields; f->name != NULL; f++) {
		text = status_field_text(f, base, 1, buf, sizeof buf, &quote);
		evbuffer_add_printf(out, "%s\"%s\":", f == fields ? "" : ",",
		    f->name);
		if (quote || text == NULL)
			status_json_string(out, text);
		else
			evbuffer_add_printf(out, "%s", text);
	}
	evbuffer_add(out, "}", 1);
}

/* Write a table row of FIELDS: the headings if BASE is NULL. */
static void
status_table_row(struct evbuffer *out, const struct status_field *fields,
    const void *base)
{
	const struct status_field	*f;
	const char			*text;
	char				 buf[64], *p;
	int				 quote;

	for (f = fields; f->name != NULL; f++) {
		if (f->json_only)
			continue;
		if (base == NULL) {
			snprintf(buf, sizeof buf, "%s", f->name);
			for (p = buf; *p != '\0'; p++) {
				*p = *p == '_' ? ' ' :
				    (char)toupper((unsigned char)*p);
			}
			text = buf;
		} else if ((text = status_field_text(f, base, 0, buf,
		    sizeof buf, &quote)) == NULL)
			text = "-";
		if (f->width == 0)
			evbuffer_add_printf(out, "%s\n", text);
		else
			evbuffer_add_printf(out, "%*s ", f->width, text);
	}
}

/* Format gathered statuses, see status.h. */
void
status_format(struct evbuffer *out, const struct hop_status *hops,
    size_t nhops, const struct tunnel_status *tunnels, size_t ntunnels,
    int json)
{
	size_t	i;

	if (!json) {
		status_table_row(out, status_hop_fields, NULL);
		for (i = 0; i < nhops; i++)
			status_table_row(out, status_hop_fields, &hops[i]);
		evbuffer_add(out, "\n", 1);
		status_table_row(out, status_tunnel_fields, NULL);
		for (i = 0; i < ntunnels; i++)
			status_table_row(out, status_tunnel_fields, &tunnels[i]);
		return;
	}
	evbuffer_add_printf(out, "{\"hops\":[");
	for (i = 0; i < nhops; i++) {
		if (i > 0)
			evbuffer_add(out, ",", 1);
		status_json_object(out, status_hop_fields, &hops[i]);
	}
	evbuffer_add_printf(out, "],\"tunnels\":[");
	for (i = 0; i < ntunnels; i++) {
		if (i > 0)
			evbuffer_add(out, ",", 1);
		status_json_object(out, status_tunnel_fields, &tunnels[i]);
	}
	evbuffer_add_printf(out, "]}\n");
}

/* Write the one-line summary, see status.h. */
void
status_summary(struct evbuffer *out, const char *name,
    const struct hop_status *hops, size_t nhops,
    const struct tunnel_status *tunnels, size_t ntunnels, time_t started)
{
	char		 age[32];
	size_t		 i, ready = 0;
	long long	 connections = 0;

	for (i = 0; i < nhops; i++)
		if (hops[i].state == HOP_READY)
			ready++;
	for (i = 0; i < ntunnels; i++)
		connections += tunnels[i].active;
	status_age(started, age, sizeof age);
	evbuffer_add_printf(out, "%s: %zu/%zu hops ready, %zu tunnel%s, %lld "
	    "connection%s, up %s\n", name, ready, nhops, ntunnels,
	    ntunnels == 1 ? "" : "s", connections, connections == 1 ? "" : "s",
	    age);
}

/* Write the status of hops and tunnels, see status.h. */
void
status_write(struct evbuffer *out, const struct status_instance *instance,
    struct hop **hops, size_t nhops, struct tunnel **tunnels,
    size_t ntunnels, int json)
{
	struct hop_status	*hs;
	struct tunnel_status	*ts;
	size_t			 i;

	hs = xcalloc(nhops == 0 ? 1 : nhops, sizeof *hs);
	ts = xcalloc(ntunnels == 0 ? 1 : ntunnels, sizeof *ts);
	for (i = 0; i < nhops; i++)
		hop_get_status(hops[i], &hs[i]);
	for (i = 0; i < ntunnels; i++)
		tunnel_get_status(tunnels[i], &ts[i]);
	if (!json && instance != NULL) {
		status_summary(out, instance->name, hs, nhops, ts, ntunnels,
		    instance->started);
		evbuffer_add(out, "\n", 1);
	}
	status_format(out, hs, nhops, ts, ntunnels, json);
	free(hs);
	free(ts);
}

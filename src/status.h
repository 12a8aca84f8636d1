/* jumpgate status: the state of hops and tunnels as a table or JSON. */
#ifndef JUMPGATE_STATUS_H
#define JUMPGATE_STATUS_H

#include <stddef.h>
#include <time.h>

struct evbuffer;
struct hop;
struct hop_status;
struct tunnel;
struct tunnel_status;

/* The running instance, for the summary line. */
struct status_instance {
	const char	*name;		/* the file's name without .ini */
	time_t		 started;
};

/*
 * Write the status of HOPS and TUNNELS to OUT, as JSON if JSON is set; the
 * table starts with INSTANCE's summary line (if not NULL) and a blank one.
 */
void	status_write(struct evbuffer *out, const struct status_instance *,
	    struct hop **hops, size_t nhops, struct tunnel **tunnels,
	    size_t ntunnels, int json);
/*
 * One line for a glance: "NAME: 2/2 hops ready, 3 tunnels, 5 connections,
 * up 3h12m" (STARTED: when the instance started).
 */
void	status_summary(struct evbuffer *out, const char *name,
	    const struct hop_status *hops, size_t nhops,
	    const struct tunnel_status *tunnels, size_t ntunnels,
	    time_t started);
/* The same from statuses already gathered (hop_get_status, ...). */
void	status_format(struct evbuffer *out, const struct hop_status *hops,
	    size_t nhops, const struct tunnel_status *tunnels,
	    size_t ntunnels, int json);

/* Format the time since SINCE like "3h12m" or "45s" into OUT (LEN bytes). */
void	status_age(time_t since, char *out, size_t len);
/*
 * Append S to OUT as a JSON string (NULL as null). Bytes of 0x80 and above
 * are copied: give it text escaped by vis for JSON that is ASCII.
 */
void	status_json_string(struct evbuffer *out, const char *s);

#endif

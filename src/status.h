/* jumpgate status: the state of hops and tunnels as a table or JSON. */
#ifndef JUMPGATE_STATUS_H
#define JUMPGATE_STATUS_H

#include <stddef.h>

struct evbuffer;
struct hop;
struct hop_status;
struct tunnel;
struct tunnel_status;

/* Write the status of HOPS and TUNNELS to OUT, as JSON if JSON is set. */
void	status_write(struct evbuffer *out, struct hop **hops, size_t nhops,
	    struct tunnel **tunnels, size_t ntunnels, int json);
/* The same from statuses already gathered (hop_get_status, ...). */
void	status_format(struct evbuffer *out, const struct hop_status *hops,
	    size_t nhops, const struct tunnel_status *tunnels,
	    size_t ntunnels, int json);

#endif

/*
 * A byte stream to HOST:PORT on the event loop, either a direct TCP
 * connection or a direct-tcpip channel through a chain of hops from a
 * config (the hops verified and authenticated as in jumpgate run). Keeps
 * scan and probe free of transport details.
 */
#ifndef JUMPGATE_REACH_H
#define JUMPGATE_REACH_H

struct event_base;
struct evdns_base;
struct evbuffer;
struct reach;
struct reach_stream;

/*
 * data: input arrived (take it from reach_input). closed: the stream
 * ended or could not be opened (WHY says how); the user must then call
 * reach_close. Both are called from the event loop, never from inside
 * reach_open or reach_flush.
 */
struct reach_stream_ops {
	void	(*data)(void *arg);
	void	(*closed)(void *arg, const char *why);
};

/*
 * Direct streams (VIA NULL), or streams through hop VIA of the config at
 * CONFIG_PATH, whose chain is started at once, resolving names with DNS
 * (the caller frees it after reach_free). Returns NULL with *CAUSE (caller
 * frees) if the config is invalid or has no such hop; config errors are
 * also written to stderr.
 */
struct reach	*reach_new(struct event_base *, struct evdns_base *dns,
		    const char *via, const char *config_path, char **cause);
/* Stop the hops, say goodbye to their servers, free everything. */
void		 reach_free(struct reach *);
/* "127.0.0.1:22" or "app.internal:22 through bastion -> app". */
const char	*reach_describe(const struct reach *);

struct reach_stream *reach_open(struct reach *, const char *host, int port,
		    int timeout, const struct reach_stream_ops *, void *arg);
struct evbuffer	*reach_input(struct reach_stream *);
/* Send LEN bytes. */
void		 reach_write(struct reach_stream *, const void *, size_t);
void		 reach_close(struct reach_stream *);

/*
 * Split "host", "host:port", "[v6addr]:port" or a bare IPv6 address into
 * *HOST (caller frees) and *PORT (22 when not given). Returns 0, or -1
 * with *CAUSE a static string.
 */
int		 reach_parse_target(const char *arg, char **host, int *port,
		    const char **cause);

#endif

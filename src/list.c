/* jumpgate list: every running instance of this user; see list.h. */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>

#include "control.h"
#include "info.h"
#include "list.h"
#include "log.h"
#include "registry.h"
#include "status.h"
#include "vis.h"
#include "xmalloc.h"

/* One running instance, its text escaped for printing. */
struct list_row {
	char	*name;
	char	*file;
	char	*socket;
	long	 pid;
	time_t	 started;
	long	 hops_ready;
	long	 hops;
	long	 tunnels;
	long	 connections;
};

/* Order rows by name, then pid. */
static int
list_compare(const void *a, const void *b)
{
	const struct list_row	*ra = a, *rb = b;
	int			 c = strcmp(ra->name, rb->name);

	if (c != 0)
		return c;
	return (ra->pid > rb->pid) - (ra->pid < rb->pid);
}

/*
 * Ask the instance on socket S for "info" into *ROW. Returns 1 if one
 * answered, 0 if nobody did (a stale socket or registration: the latter
 * is removed), -1 after saying on stderr what went wrong.
 */
static int
list_ask(const struct registry_socket *s, struct list_row *row)
{
	struct info		 info;
	char			*reply = NULL, *cause = NULL, *shown;
	size_t			 len = 0;
	FILE			*out;
	enum control_result	 rc;

	if ((out = open_memstream(&reply, &len)) == NULL)
		fatal("out of memory");
	rc = control_request(s->path, "info", out, &cause);
	fclose(out);
	shown = vis_str(s->path);
	if (rc == CONTROL_NOBODY) {
		/* Nobody: the registration is stale. */
		if (s->pid != 0)
			registry_forget(s->pid);
		free(cause);
		free(reply);
		free(shown);
		return 0;
	}
	if (rc == CONTROL_ERROR)
		xasprintf(&cause, "%s does not answer 'info': a jumpgate older "
		    "than this one (%s)? restart it", shown, PACKAGE_VERSION);
	else if (rc == CONTROL_OK && info_parse(reply, len, &info,
	    &cause) == 0) {
		/* Another process answers there now: a stale registration. */
		if (s->pid != 0 && info.pid != s->pid) {
			registry_forget(s->pid);
			info_clear(&info);
			free(reply);
			free(shown);
			return 0;
		}
		row->name = vis_str(info.name);
		row->file = vis_str(info.file);
		row->socket = shown;
		row->pid = info.pid;
		row->started = info.started;
		row->hops_ready = info.hops_ready;
		row->hops = info.hops;
		row->tunnels = info.tunnels;
		row->connections = info.connections;
		info_clear(&info);
		free(reply);
		return 1;
	} else if (rc == CONTROL_OK) {
		char *why = cause;

		xasprintf(&cause, "%s: unexpected 'info' reply: %s", shown,
		    why);
		free(why);
	}
	fprintf(stderr, "jumpgate: list: %s\n", cause);
	free(cause);
	free(reply);
	free(shown);
	return -1;
}

/* Print ROWS as a table. */
static void
list_table(const struct list_row *rows, size_t n)
{
	size_t	i, wname = 4, wfile = 4;
	char	age[32], hops[48];

	for (i = 0; i < n; i++) {
		if (strlen(rows[i].name) > wname)
			wname = strlen(rows[i].name);
		if (strlen(rows[i].file) > wfile)
			wfile = strlen(rows[i].file);
	}
	printf("%-*s  %-*s  %7s  %7s  %5s  %7s  %s\n", (int)wname, "NAME",
	    (int)wfile, "FILE", "PID", "UPTIME", "HOPS", "TUNNELS",
	    "CONNECTIONS");
	for (i = 0; i < n; i++) {
		status_age(rows[i].started, age, sizeof age);
		snprintf(hops, sizeof hops, "%ld/%ld", rows[i].hops_ready,
		    rows[i].hops);
		printf("%-*s  %-*s  %7ld  %7s  %5s  %7ld  %ld\n", (int)wname,
		    rows[i].name, (int)wfile, rows[i].file, rows[i].pid, age,
		    hops, rows[i].tunnels, rows[i].connections);
	}
}

/* Print ROWS as a JSON array of objects. */
static void
list_json(const struct list_row *rows, size_t n)
{
	struct evbuffer	*out;
	struct tm	 tm;
	char		 when[32];
	size_t		 i;
	long		 up;

	if ((out = evbuffer_new()) == NULL)
		fatal("out of memory");
	evbuffer_add_printf(out, "[");
	for (i = 0; i < n; i++) {
		gmtime_r(&rows[i].started, &tm);
		strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
		up = (long)(time(NULL) - rows[i].started);
		evbuffer_add_printf(out, "%s\n  {\"name\": ", i > 0 ? "," : "");
		status_json_string(out, rows[i].name);
		evbuffer_add_printf(out, ", \"file\": ");
		status_json_string(out, rows[i].file);
		evbuffer_add_printf(out, ", \"control_socket\": ");
		status_json_string(out, rows[i].socket);
		evbuffer_add_printf(out, ", \"pid\": %ld, \"started\": \"%s\", "
		    "\"uptime_seconds\": %ld, \"hops_ready\": %ld, \"hops\": "
		    "%ld, \"tunnels\": %ld, \"connections\": %ld}", rows[i].pid,
		    when, up < 0 ? 0 : up, rows[i].hops_ready, rows[i].hops,
		    rows[i].tunnels, rows[i].connections);
	}
	evbuffer_add_printf(out, "%s]\n", n > 0 ? "\n" : "");
	while (evbuffer_get_length(out) > 0 &&
	    evbuffer_write(out, fileno(stdout)) > 0)
		;
	evbuffer_free(out);
}

/* jumpgate list [--json], see list.h. */
int
list_main(int json)
{
	struct registry_socket	*sockets;
	struct list_row		*rows;
	char			*cause, *dir;
	size_t			 nsockets, nrows = 0, i, j;

	if (registry_list(&sockets, &nsockets, &cause) != 0) {
		fprintf(stderr, "jumpgate: list: %s\n", cause);
		free(cause);
		return 1;
	}
	rows = xcalloc(nsockets + 1, sizeof *rows);
	for (i = 0; i < nsockets; i++) {
		if (list_ask(&sockets[i], &rows[nrows]) != 1)
			continue;
		/* One instance found twice (a socket and a registration). */
		for (j = 0; j < nrows; j++)
			if (rows[j].pid == rows[nrows].pid)
				break;
		if (j < nrows) {
			free(rows[nrows].name);
			free(rows[nrows].file);
			free(rows[nrows].socket);
			continue;
		}
		nrows++;
	}
	registry_free(sockets, nsockets);
	qsort(rows, nrows, sizeof *rows, list_compare);
	fflush(stdout);
	if (json)
		list_json(rows, nrows);
	else if (nrows == 0) {
		dir = control_default_dir();
		printf("no jumpgate instance of yours is running (none answers "
		    "in %s); start one with 'jumpgate run -d NAME'\n", dir);
		free(dir);
	} else
		list_table(rows, nrows);
	for (i = 0; i < nrows; i++) {
		free(rows[i].name);
		free(rows[i].file);
		free(rows[i].socket);
	}
	free(rows);
	return 0;
}

/* Leveled logging to stderr. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "vis.h"

static enum log_level log_level = LOG_LEVEL_INFO;
static int	log_syslog;

static const char *log_level_names[] = { "error", "warn", "info", "debug" };

/* Set the most verbose level that is printed. */
void
log_set_level(enum log_level level)
{
	log_level = level;
}

/* Parse a level name; returns 0 on success, -1 if unknown. */
int
log_level_parse(const char *name, enum log_level *level)
{
	size_t	i;

	for (i = 0; i < sizeof log_level_names / sizeof log_level_names[0]; i++) {
		if (strcmp(name, log_level_names[i]) == 0) {
			*level = (enum log_level)i;
			return 0;
		}
	}
	return -1;
}

/* From now on log to syslog (facility daemon) instead of stderr. */
void
log_use_syslog(void)
{
	openlog("jumpgate", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	log_syslog = 1;
}

/* Write one line with a timestamp and level prefix. */
static void
log_vwrite(enum log_level level, const char *fmt, va_list ap)
{
	char		stamp[32];
	struct timespec	ts;
	struct tm	tm;
	char		*raw, *line;

	static const int priorities[] = {
		LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG
	};

	if (level > log_level)
		return;
	/* Whatever a format pulled in, no control byte leaves as such. */
	if (vasprintf(&raw, fmt, ap) < 0)
		return;
	line = vis_dup(raw, strlen(raw), VIS_KEEP_BACKSLASH);
	free(raw);
	if (log_syslog) {
		syslog(priorities[level], "%s", line);
		free(line);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
	flockfile(stderr);
	fprintf(stderr, "%s.%03ldZ jumpgate[%ld] %s: ", stamp,
	    ts.tv_nsec / 1000000, (long)getpid(), log_level_names[level]);
	fputs(line, stderr);
	fputc('\n', stderr);
	funlockfile(stderr);
	free(line);
}

/* Log at error level. */
void
log_error(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_ERROR, fmt, ap);
	va_end(ap);
}

/* Log at warn level. */
void
log_warn(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_WARN, fmt, ap);
	va_end(ap);
}

/* Log at info level. */
void
log_info(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_INFO, fmt, ap);
	va_end(ap);
}

/* Log at debug level. */
void
log_debug(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_DEBUG, fmt, ap);
	va_end(ap);
}

/* Log at error level and exit; for start-up only. */
void
fatal(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LEVEL_ERROR, fmt, ap);
	va_end(ap);
	exit(1);
}

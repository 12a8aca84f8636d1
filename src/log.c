/*
 * Leveled logging: to stderr, to a file (log_file, or the fallback when
 * syslog cannot be reached), or to syslog; as text or JSON lines. A line
 * goes out in one write(2), so lines of a file opened O_APPEND never mix.
 */
#include <errno.h>
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
static enum log_format log_format = LOG_FORMAT_TEXT;
static int	log_syslog;
static int	log_fd = -1;		/* a file, or -1: stderr or syslog */
static int	log_stderr_too;	/* a file and stderr */

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

/* Set how lines are written to a file or stderr. */
void
log_set_format(enum log_format format)
{
	log_format = format;
}

/* From now on log to syslog (facility daemon) instead of stderr. */
void
log_use_syslog(void)
{
	openlog("jumpgate", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	log_use_fd(-1);
	log_syslog = 1;
}

/* Log to FD, see log.h. */
void
log_use_fd(int fd)
{
	if (log_fd != -1 && log_fd != fd)
		close(log_fd);
	log_fd = fd;
	if (fd != -1 && log_syslog) {
		closelog();
		log_syslog = 0;
	}
}

/* Also write to stderr while a file is in use, see log.h. */
void
log_also_stderr(int on)
{
	log_stderr_too = on;
}

/* Append S to F as the body of a JSON string. */
static void
log_json_string(FILE *f, const char *s)
{
	const unsigned char	*p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			fprintf(f, "\\u%04x", *p);	/* valid JSON, whatever */
		else
			fputc(*p, f);
	}
}

/* Write all of BUF to FD; a log line lost is lost quietly. */
static void
log_write_all(int fd, const char *buf, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

/* Write one line with a timestamp and level prefix. */
static void
log_vwrite(enum log_level level, const char *fmt, va_list ap)
{
	char		stamp[32];
	struct timespec	ts;
	struct tm	tm;
	char		*raw, *line, *out = NULL;
	size_t		len = 0;
	FILE		*f;

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
	if ((f = open_memstream(&out, &len)) == NULL) {
		free(line);
		return;
	}
	if (log_format == LOG_FORMAT_JSON) {
		fprintf(f, "{\"time\":\"%s.%03ldZ\",\"pid\":%ld,"
		    "\"level\":\"%s\",\"message\":\"", stamp,
		    ts.tv_nsec / 1000000, (long)getpid(),
		    log_level_names[level]);
		log_json_string(f, line);
		fputs("\"}\n", f);
	} else {
		fprintf(f, "%s.%03ldZ jumpgate[%ld] %s: %s\n", stamp,
		    ts.tv_nsec / 1000000, (long)getpid(),
		    log_level_names[level], line);
	}
	free(line);
	if (fclose(f) != 0) {
		free(out);
		return;
	}
	if (log_fd != -1)
		log_write_all(log_fd, out, len);
	if (log_fd == -1 || log_stderr_too) {
		fflush(stderr);
		log_write_all(STDERR_FILENO, out, len);
	}
	free(out);
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

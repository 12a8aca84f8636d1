/* Leveled logging to stderr; every line should name its hop or tunnel. */
#ifndef JUMPGATE_LOG_H
#define JUMPGATE_LOG_H

enum log_level {
	LOG_LEVEL_ERROR,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG
};

/* How a line is written to a file or stderr (syslog gets the message). */
enum log_format {
	LOG_FORMAT_TEXT,	/* "TIME jumpgate[PID] LEVEL: MESSAGE" */
	LOG_FORMAT_JSON		/* one JSON object per line */
};

#define LOG_PRINTF(a, b) __attribute__((format(printf, a, b)))

void	log_set_level(enum log_level);
void	log_set_format(enum log_format);
void	log_use_syslog(void);
/*
 * Write to descriptor FD (a file opened O_APPEND), which log.c now owns and
 * closes when replaced; -1 goes back to stderr.
 */
void	log_use_fd(int fd);
/* While a file is in use, also write to stderr (ON) or not. */
void	log_also_stderr(int on);
int	log_level_parse(const char *, enum log_level *);

void	log_error(const char *, ...) LOG_PRINTF(1, 2);
void	log_warn(const char *, ...) LOG_PRINTF(1, 2);
void	log_info(const char *, ...) LOG_PRINTF(1, 2);
void	log_debug(const char *, ...) LOG_PRINTF(1, 2);
void	fatal(const char *, ...) LOG_PRINTF(1, 2) __attribute__((noreturn));

#endif

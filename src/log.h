/* Leveled logging to stderr; every line should name its hop or tunnel. */
#ifndef JUMPGATE_LOG_H
#define JUMPGATE_LOG_H

enum log_level {
	LOG_LEVEL_ERROR,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG
};

#define LOG_PRINTF(a, b) __attribute__((format(printf, a, b)))

void	log_set_level(enum log_level);
void	log_use_syslog(void);
int	log_level_parse(const char *, enum log_level *);

void	log_error(const char *, ...) LOG_PRINTF(1, 2);
void	log_warn(const char *, ...) LOG_PRINTF(1, 2);
void	log_info(const char *, ...) LOG_PRINTF(1, 2);
void	log_debug(const char *, ...) LOG_PRINTF(1, 2);
void	fatal(const char *, ...) LOG_PRINTF(1, 2) __attribute__((noreturn));

#endif

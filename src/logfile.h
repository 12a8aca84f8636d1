/*
 * Where the running daemon logs: log_file if the configuration names one;
 * else stderr in the foreground and syslog once detached, or, when syslog
 * cannot be reached at start (no /dev/log in a container), a file under
 * the runtime directory, said on stderr before detaching. A file is
 * reopened by logfile_reopen (SIGHUP, reload), for logrotate.
 */
#ifndef JUMPGATE_LOGFILE_H
#define JUMPGATE_LOGFILE_H

struct config;

/*
 * At start, before anything that may fail: open CONFIG's log_file and
 * write to it and to stderr. Returns 0, or -1 after saying why on stderr.
 */
int	logfile_start(const struct config *);
/*
 * About to detach (after the control socket exists): decide between
 * syslog and the fallback file, saying so on stderr. Returns 0, or -1
 * after saying why.
 */
int	logfile_before_detach(const struct config *);
/* Start-up is over (DETACHED: in the background): leave stderr. */
void	logfile_running(int detached);
/* Reopen the file, or open the one a reloaded CONFIG names. */
void	logfile_reopen(const struct config *);

#endif

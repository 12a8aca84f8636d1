/*
 * Noticing that the network under the hops may have changed: a resume
 * from sleep (CLOCK_BOOTTIME ran ahead of CLOCK_MONOTONIC between two
 * ticks) or a change of local addresses or of the default route
 * (rtnetlink). Bursts are merged: the callback runs RESUME_SETTLE_MS after
 * the first netlink message of a burst (at once after a sleep), at most
 * once per RESUME_MIN_GAP_MS, with a one-line reason.
 */
#ifndef JUMPGATE_RESUME_H
#define JUMPGATE_RESUME_H

struct event_base;
struct resume;

/* Ticks of the sleep detector (with the test clock file: faster, standing
   in for the immediate wake a real resume gives through the timerfd). */
#define RESUME_TICK_MS		1000
#define RESUME_TEST_TICK_MS	100
/* Sleeps shorter than this go unnoticed. */
#define RESUME_MIN_SLEEP_MS	2000
/* Wait for a burst of netlink messages to end... */
#define RESUME_SETTLE_MS	200
/* ...and never call back more often than this. */
#define RESUME_MIN_GAP_MS	1000

/*
 * For tests only: when this variable names a file, the decimal number of
 * seconds in it is added to CLOCK_BOOTTIME at every tick, so that writing
 * a larger number into it looks like a sleep of the difference.
 */
#define RESUME_TEST_BOOTTIME_ENV	"JUMPGATE_TEST_BOOTTIME_FILE"

typedef void	(*resume_cb)(const char *why, void *arg);

/* resume_new: also open the rtnetlink socket (tests feed their own). */
#define RESUME_NETLINK		0x1

/*
 * Start watching on BASE; CB(WHY, ARG) runs on the loop. Without netlink
 * (a sandbox that refuses the socket) only sleep is noticed, and the log
 * says so. Never fails.
 */
struct resume	*resume_new(struct event_base *, int flags, resume_cb,
		    void *arg);
void		 resume_free(struct resume *);
/*
 * Handle SIZE bytes of rtnetlink messages (BUF aligned for struct
 * nlmsghdr) as if the kernel had sent them: for the netlink socket, and
 * for tests.
 */
void		 resume_netlink_input(struct resume *, const void *buf,
		    size_t size);

#endif

/*
 * Sleep and network-change detection, see resume.h.
 *
 * Sleep: at every tick, the time CLOCK_BOOTTIME advanced minus the time
 * CLOCK_MONOTONIC advanced is time spent suspended (the first counts
 * suspend, the second does not; a busy machine delays both alike). The
 * tick is a libevent timer, on CLOCK_MONOTONIC, so after a resume it comes
 * up to RESUME_TICK_MS late; a timerfd on CLOCK_REALTIME with
 * TFD_TIMER_CANCEL_ON_SET wakes us at once, since Linux treats a resume as
 * a setting of the clock (timerfd_resume), and the same check runs then. A
 * clock set by hand or by NTP wakes it too, and the check finds no sleep.
 *
 * Network: an rtnetlink socket in the groups of IPv4 and IPv6 addresses
 * and routes. Every message is checked before use (it comes from the
 * kernel, pid 0, but a length is still a length). What counts as a change:
 * a local address appearing or going (not loopback, not link-local),
 * a default route (or a VPN's half-default, /1) of the main table
 * appearing or going. The kernel repeats RTM_NEWADDR and RTM_NEWROUTE when
 * lifetimes are refreshed (IPv6 router advertisements), so what was seen
 * is remembered, up to RESUME_MAX_SEEN entries, and a repeat is not a
 * change. The first refresh of something present before start is taken
 * for a change once: a probe too many, never one too few.
 */
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "resume.h"
#include "xmalloc.h"

/* Addresses and default routes remembered. */
#define RESUME_MAX_SEEN		256
/* Longest key: family, prefix, interface, metric, two IPv6 addresses. */
#define RESUME_KEY_MAX		48
#define RESUME_WHY_MAX		160

/* An address or a default route that was seen. */
struct resume_seen {
	size_t		len;
	unsigned char	key[RESUME_KEY_MAX];
};

struct resume {
	struct event_base	*base;
	resume_cb		 cb;
	void			*arg;

	struct event		*ev_tick;
	struct timespec		 last_boot;	/* at the last tick */
	struct timespec		 last_mono;
	const char		*test_file;	/* RESUME_TEST_BOOTTIME_ENV */
	int			 clock_fd;	/* timerfd woken by resume, or -1 */
	struct event		*ev_clock;

	int			 fd;		/* rtnetlink, or -1 */
	struct event		*ev_netlink;
	struct resume_seen	*seen;
	size_t			 nseen;

	struct event		*ev_fire;	/* the merged callback */
	struct timespec		 last_fire;	/* when it last ran */
	int			 fired;		/* it ran at least once */
	char			 why[RESUME_WHY_MAX]; /* first reason */
	int			 more;		/* reasons after it */
};

/* Milliseconds from A to B. */
static long long
resume_ms(const struct timespec *a, const struct timespec *b)
{
	return (long long)(b->tv_sec - a->tv_sec) * 1000 +
	    (b->tv_nsec - a->tv_nsec) / 1000000;
}

/* Run the callback with the reasons gathered since the last run. */
static void
resume_fire_cb(evutil_socket_t fd, short what, void *arg)
{
	struct resume	*r = arg;
	char		 why[RESUME_WHY_MAX + 32];

	(void)fd;
	(void)what;
	if (r->more > 0)
		snprintf(why, sizeof why, "%s (and %d more change%s)", r->why,
		    r->more, r->more == 1 ? "" : "s");
	else
		snprintf(why, sizeof why, "%s", r->why);
	r->why[0] = '\0';
	r->more = 0;
	clock_gettime(CLOCK_MONOTONIC, &r->last_fire);
	r->fired = 1;
	r->cb(why, r->arg);
}

/*
 * Note a reason and arrange for the callback: after SETTLE_MS (0 for a
 * sleep, which is one event: it also hurries a run already arranged), but
 * not within RESUME_MIN_GAP_MS of the last run. A reason arriving while a
 * run is arranged joins it.
 */
static void
resume_note(struct resume *r, long settle_ms, const char *why)
{
	struct timespec	now;
	struct timeval	tv;
	long long	gap;
	long		ms = settle_ms;

	if (r->why[0] != '\0') {
		r->more++;
		if (settle_ms > 0)
			return;		/* the run arranged covers it */
	} else
		snprintf(r->why, sizeof r->why, "%s", why);
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (r->fired) {
		gap = RESUME_MIN_GAP_MS - resume_ms(&r->last_fire, &now);
		if (gap > ms)
			ms = (long)gap;
	}
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(r->ev_fire, &tv);
}

/*
 * The test offset for CLOCK_BOOTTIME in milliseconds: the number of
 * seconds in the file RESUME_TEST_BOOTTIME_ENV names, 0 if none or bad.
 */
static long long
resume_test_offset(const struct resume *r)
{
	char		 buf[32], *end;
	ssize_t		 n;
	long long	 s;
	int		 fd;

	if (r->test_file == NULL)
		return 0;
	if ((fd = open(r->test_file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return 0;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	errno = 0;
	s = strtoll(buf, &end, 10);
	if (errno != 0 || end == buf || (*end != '\0' && *end != '\n') ||
	    s < 0 || s > 86400LL * 366)
		return 0;
	return s * 1000;
}

/* Read both clocks; BOOT gets the test offset. */
static void
resume_clocks(const struct resume *r, struct timespec *boot,
    struct timespec *mono)
{
	long long	off = resume_test_offset(r);

	clock_gettime(CLOCK_BOOTTIME, boot);
	clock_gettime(CLOCK_MONOTONIC, mono);
	boot->tv_sec += off / 1000;
	boot->tv_nsec += (off % 1000) * 1000000;
	if (boot->tv_nsec >= 1000000000) {
		boot->tv_sec++;
		boot->tv_nsec -= 1000000000;
	}
}

/* Tick: did the machine sleep since the last one? */
static void
resume_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct resume	*r = arg;
	struct timespec	 boot, mono;
	long long	 slept;
	char		 why[64];

	(void)fd;
	(void)what;
	resume_clocks(r, &boot, &mono);
	slept = resume_ms(&r->last_boot, &boot) -
	    resume_ms(&r->last_mono, &mono);
	r->last_boot = boot;
	r->last_mono = mono;
	if (slept < RESUME_MIN_SLEEP_MS)
		return;
	snprintf(why, sizeof why, "a resume from sleep (%.1f s asleep)",
	    slept / 1000.0);
	resume_note(r, 0, why);
}

/*
 * Arm the timerfd far ahead, to be cancelled when the realtime clock is
 * set (a resume counts). Returns 0, or -1 with errno.
 */
static int
resume_clock_arm(int fd)
{
	struct itimerspec	its;

	memset(&its, 0, sizeof its);
	if (clock_gettime(CLOCK_REALTIME, &its.it_value) == -1)
		return -1;
	its.it_value.tv_sec += 365 * 86400;
	return timerfd_settime(fd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET,
	    &its, NULL);
}

/* Stop using the timerfd: the tick alone notices a sleep. */
static void
resume_clock_close(struct resume *r)
{
	if (r->ev_clock != NULL)
		event_free(r->ev_clock);
	r->ev_clock = NULL;
	if (r->clock_fd != -1)
		close(r->clock_fd);
	r->clock_fd = -1;
}

/* The realtime clock was set, or the machine resumed: check now. */
static void
resume_clock_cb(evutil_socket_t fd, short what, void *arg)
{
	struct resume	*r = arg;
	uint64_t	 expirations;
	ssize_t		 n;

	(void)what;
	n = read(fd, &expirations, sizeof expirations);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	/* ECANCELED (set) or an expiry a year on: arm it again. */
	if (resume_clock_arm(fd) == -1) {
		log_warn("cannot re-arm the resume timer (%s): a sleep is "
		    "noticed within %d ms of waking instead", strerror(errno),
		    RESUME_TICK_MS);
		resume_clock_close(r);
	}
	resume_tick_cb(-1, 0, r);
}

/* Open the timerfd; without it (old kernel, seccomp) the tick will do. */
static void
resume_clock_open(struct resume *r)
{
	r->clock_fd = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK |
	    TFD_CLOEXEC);
	if (r->clock_fd == -1 || resume_clock_arm(r->clock_fd) == -1) {
		log_debug("no resume timer (%s): a sleep is noticed within %d "
		    "ms of waking", strerror(errno), RESUME_TICK_MS);
		resume_clock_close(r);
		return;
	}
	r->ev_clock = event_new(r->base, r->clock_fd, EV_READ | EV_PERSIST,
	    resume_clock_cb, r);
	if (r->ev_clock == NULL)
		fatal("out of memory");
	event_add(r->ev_clock, NULL);
}

/*
 * Remember KEY (ADD) or forget it. Returns whether that changed what is
 * known; an unknown key forgotten, or a full table, counts as a change.
 */
static int
resume_remember(struct resume *r, const void *key, size_t len, int add)
{
	size_t	i;

	for (i = 0; i < r->nseen; i++) {
		if (r->seen[i].len == len &&
		    memcmp(r->seen[i].key, key, len) == 0)
			break;
	}
	if (i < r->nseen) {
		if (add)
			return 0;
		r->seen[i] = r->seen[--r->nseen];
		return 1;
	}
	if (add && r->nseen < RESUME_MAX_SEEN) {
		memcpy(r->seen[r->nseen].key, key, len);
		r->seen[r->nseen++].len = len;
	}
	return 1;
}

/* Append N bytes at P to KEY (of RESUME_KEY_MAX) at *LEN, if they fit. */
static void
resume_key_add(unsigned char *key, size_t *len, const void *p, size_t n)
{
	if (*len + n <= RESUME_KEY_MAX) {
		memcpy(key + *len, p, n);
		*len += n;
	}
}

/* Write address DATA of FAMILY (LEN bytes) as text into BUF. */
static void
resume_addr_text(int family, const void *data, size_t len, char *buf,
    size_t size)
{
	if ((family == AF_INET && len == 4) || (family == AF_INET6 &&
	    len == 16)) {
		if (inet_ntop(family, data, buf, size) != NULL)
			return;
	}
	snprintf(buf, size, "?");
}

/* Name of interface INDEX into BUF ("?" if gone). */
static void
resume_ifname(unsigned int index, char *buf)
{
	if (index == 0 || if_indextoname(index, buf) == NULL)
		snprintf(buf, IF_NAMESIZE, "?");
}

/* An address message: a change unless loopback, link-local or a repeat. */
static void
resume_addr_msg(struct resume *r, const struct nlmsghdr *nh)
{
	const struct ifaddrmsg	*ifa = NLMSG_DATA(nh);
	const struct rtattr	*rta;
	const void		*addr = NULL;
	unsigned char		 key[RESUME_KEY_MAX];
	char			 text[INET6_ADDRSTRLEN], ifname[IF_NAMESIZE];
	char			 why[RESUME_WHY_MAX];
	size_t			 alen = 0, klen = 0;
	int			 attrlen, add = nh->nlmsg_type == RTM_NEWADDR;

	if (nh->nlmsg_len < NLMSG_LENGTH(sizeof *ifa))
		return;
	if (ifa->ifa_scope == RT_SCOPE_HOST || ifa->ifa_scope ==
	    RT_SCOPE_NOWHERE || (ifa->ifa_family == AF_INET6 &&
	    ifa->ifa_scope == RT_SCOPE_LINK))
		return;
	attrlen = (int)(nh->nlmsg_len - NLMSG_LENGTH(sizeof *ifa));
	for (rta = IFA_RTA(ifa); RTA_OK(rta, attrlen);
	    rta = RTA_NEXT(rta, attrlen)) {
		/* IFA_LOCAL is ours on point-to-point links, else absent. */
		if (rta->rta_type == IFA_LOCAL || (rta->rta_type ==
		    IFA_ADDRESS && addr == NULL)) {
			addr = RTA_DATA(rta);
			alen = RTA_PAYLOAD(rta);
		}
	}
	if (addr == NULL || alen > 16)
		return;
	/*
	 * IPv4 link-local (169.254/16) counts no more than IPv6's: such
	 * addresses come and go with virtual interfaces (containers, network
	 * namespaces) that do not move this machine's sessions, and each one
	 * would otherwise cost every hop a probe.
	 */
	if (ifa->ifa_family == AF_INET && alen == 4 &&
	    ((const unsigned char *)addr)[0] == 169 &&
	    ((const unsigned char *)addr)[1] == 254)
		return;
	resume_key_add(key, &klen, "A", 1);
	resume_key_add(key, &klen, &ifa->ifa_family, 1);
	resume_key_add(key, &klen, &ifa->ifa_index, sizeof ifa->ifa_index);
	resume_key_add(key, &klen, &ifa->ifa_prefixlen, 1);
	resume_key_add(key, &klen, addr, alen);
	if (!resume_remember(r, key, klen, add))
		return;
	resume_addr_text(ifa->ifa_family, addr, alen, text, sizeof text);
	resume_ifname(ifa->ifa_index, ifname);
	snprintf(why, sizeof why, "address %s/%u %s on %s", text,
	    ifa->ifa_prefixlen, add ? "added" : "removed", ifname);
	resume_note(r, RESUME_SETTLE_MS, why);
}

/* A route message: a change if a default route of the main table. */
static void
resume_route_msg(struct resume *r, const struct nlmsghdr *nh)
{
	const struct rtmsg	*rtm = NLMSG_DATA(nh);
	const struct rtattr	*rta;
	const void		*gw = NULL;
	unsigned char		 key[RESUME_KEY_MAX];
	char			 text[INET6_ADDRSTRLEN], ifname[IF_NAMESIZE];
	char			 why[RESUME_WHY_MAX];
	uint32_t		 table, oif = 0, metric = 0;
	size_t			 glen = 0, klen = 0;
	int			 attrlen, add = nh->nlmsg_type == RTM_NEWROUTE;

	if (nh->nlmsg_len < NLMSG_LENGTH(sizeof *rtm))
		return;
	if (rtm->rtm_dst_len > 1 || rtm->rtm_type != RTN_UNICAST ||
	    (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6))
		return;
	table = rtm->rtm_table;
	attrlen = (int)(nh->nlmsg_len - NLMSG_LENGTH(sizeof *rtm));
	for (rta = RTM_RTA(rtm); RTA_OK(rta, attrlen);
	    rta = RTA_NEXT(rta, attrlen)) {
		switch (rta->rta_type) {
		case RTA_TABLE:
			if (RTA_PAYLOAD(rta) == sizeof table)
				memcpy(&table, RTA_DATA(rta), sizeof table);
			break;
		case RTA_OIF:
			if (RTA_PAYLOAD(rta) == sizeof oif)
				memcpy(&oif, RTA_DATA(rta), sizeof oif);
			break;
		case RTA_PRIORITY:
			if (RTA_PAYLOAD(rta) == sizeof metric)
				memcpy(&metric, RTA_DATA(rta), sizeof metric);
			break;
		case RTA_GATEWAY:
			if (RTA_PAYLOAD(rta) <= 16) {
				gw = RTA_DATA(rta);
				glen = RTA_PAYLOAD(rta);
			}
			break;
		}
	}
	if (table != RT_TABLE_MAIN)
		return;
	resume_key_add(key, &klen, "R", 1);
	resume_key_add(key, &klen, &rtm->rtm_family, 1);
	resume_key_add(key, &klen, &rtm->rtm_dst_len, 1);
	resume_key_add(key, &klen, &oif, sizeof oif);
	resume_key_add(key, &klen, &metric, sizeof metric);
	if (gw != NULL)
		resume_key_add(key, &klen, gw, glen);
	if (!resume_remember(r, key, klen, add))
		return;
	resume_ifname(oif, ifname);
	if (gw != NULL) {
		resume_addr_text(rtm->rtm_family, gw, glen, text, sizeof text);
		snprintf(why, sizeof why, "%s route via %s on %s %s",
		    rtm->rtm_dst_len == 0 ? "default" : "half-default", text,
		    ifname, add ? "added" : "removed");
	} else
		snprintf(why, sizeof why, "%s route on %s %s",
		    rtm->rtm_dst_len == 0 ? "default" : "half-default",
		    ifname, add ? "added" : "removed");
	resume_note(r, RESUME_SETTLE_MS, why);
}

/* Netlink messages: read them all, note the changes. */
static void
resume_netlink_cb(evutil_socket_t fd, short what, void *arg)
{
	struct resume		*r = arg;
	struct sockaddr_nl	 from;
	socklen_t		 fromlen;
	unsigned char		 buf[16384]
	    __attribute__((aligned(__alignof__(struct nlmsghdr))));
	ssize_t			 n;

	(void)what;
	for (;;) {
		fromlen = sizeof from;
		n = recvfrom(fd, buf, sizeof buf, MSG_DONTWAIT,
		    (struct sockaddr *)&from, &fromlen);
		if (n == -1 && errno == ENOBUFS) {
			/* Messages were lost: assume the worst. */
			resume_note(r, RESUME_SETTLE_MS,
			    "a burst of network changes");
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		if (fromlen != sizeof from || from.nl_family != AF_NETLINK ||
		    from.nl_pid != 0)
			continue;	/* only the kernel speaks here */
		resume_netlink_input(r, buf, (size_t)n);
	}
}

/* Netlink messages in BUF, see resume.h. */
void
resume_netlink_input(struct resume *r, const void *buf, size_t size)
{
	const struct nlmsghdr	*nh;
	size_t			 off = 0, step;

	/* NLMSG_OK/NEXT, without their int arithmetic. */
	while (size - off >= sizeof *nh) {
		nh = (const void *)((const unsigned char *)buf + off);
		if (nh->nlmsg_len < sizeof *nh || nh->nlmsg_len > size - off)
			return;
		switch (nh->nlmsg_type) {
		case RTM_NEWADDR:
		case RTM_DELADDR:
			resume_addr_msg(r, nh);
			break;
		case RTM_NEWROUTE:
		case RTM_DELROUTE:
			resume_route_msg(r, nh);
			break;
		}
		step = NLMSG_ALIGN(nh->nlmsg_len);
		if (step >= size - off)
			return;
		off += step;
	}
}

/* Open the rtnetlink socket; -1 after a warning if it cannot be had. */
static int
resume_netlink_open(void)
{
	struct sockaddr_nl	sa;
	int			fd;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    NETLINK_ROUTE);
	if (fd == -1) {
		log_warn("cannot watch the network for changes (netlink: %s): "
		    "a changed network is noticed only by keepalives",
		    strerror(errno));
		return -1;
	}
	memset(&sa, 0, sizeof sa);
	sa.nl_family = AF_NETLINK;
	sa.nl_groups = RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR |
	    RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE;
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) == -1) {
		log_warn("cannot watch the network for changes (netlink bind: "
		    "%s): a changed network is noticed only by keepalives",
		    strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* Start watching, see resume.h. */
struct resume *
resume_new(struct event_base *base, int flags, resume_cb cb, void *arg)
{
	struct resume	*r;
	struct timeval	 tv;
	const char	*test = getenv(RESUME_TEST_BOOTTIME_ENV);
	int		 tick = RESUME_TICK_MS;

	r = xcalloc(1, sizeof *r);
	r->base = base;
	r->cb = cb;
	r->arg = arg;
	r->seen = xcalloc(RESUME_MAX_SEEN, sizeof *r->seen);
	if (test != NULL && *test != '\0') {
		r->test_file = test;
		tick = RESUME_TEST_TICK_MS;
		log_warn("%s is set: CLOCK_BOOTTIME is offset by the seconds "
		    "in %s, read every %d ms (for tests only)",
		    RESUME_TEST_BOOTTIME_ENV, test, tick);
	}
	tv.tv_sec = tick / 1000;
	tv.tv_usec = (tick % 1000) * 1000;
	r->ev_tick = event_new(base, -1, EV_PERSIST, resume_tick_cb, r);
	r->ev_fire = evtimer_new(base, resume_fire_cb, r);
	if (r->ev_tick == NULL || r->ev_fire == NULL)
		fatal("out of memory");
	resume_clocks(r, &r->last_boot, &r->last_mono);
	event_add(r->ev_tick, &tv);
	r->clock_fd = -1;
	resume_clock_open(r);
	r->fd = (flags & RESUME_NETLINK) ? resume_netlink_open() : -1;
	if (r->fd != -1) {
		r->ev_netlink = event_new(base, r->fd, EV_READ | EV_PERSIST,
		    resume_netlink_cb, r);
		if (r->ev_netlink == NULL)
			fatal("out of memory");
		event_add(r->ev_netlink, NULL);
	}
	return r;
}

/* Stop watching and free R (NULL is fine). */
void
resume_free(struct resume *r)
{
	if (r == NULL)
		return;
	event_free(r->ev_tick);
	event_free(r->ev_fire);
	resume_clock_close(r);
	if (r->ev_netlink != NULL)
		event_free(r->ev_netlink);
	if (r->fd != -1)
		close(r->fd);
	free(r->seen);
	free(r);
}

/*
 * Unit tests for resume.c: which rtnetlink messages count as a network
 * change, that repeats and bursts are merged, that broken messages are
 * ignored, and that a sleep (injected through the test clock file) is
 * noticed at the next tick.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "resume.h"

/* An interface index no machine has: its name prints as "?". */
#define TEST_IFINDEX	999999

/* Reasons the callback was given. */
struct test_calls {
	int	n;
	char	why[8][256];
};

/* The callback: record WHY. */
static void
test_cb(const char *why, void *arg)
{
	struct test_calls	*c = arg;

	if (c->n < 8)
		snprintf(c->why[c->n], sizeof c->why[0], "%s", why);
	c->n++;
}

/* A message buffer, aligned for netlink. */
struct test_msg {
	union {
		struct nlmsghdr	nh;
		unsigned char	bytes[512];
	} u;
	size_t	len;
};

/* Append an attribute to the message M. */
static void
test_attr(struct test_msg *m, unsigned short type, const void *data,
    size_t len)
{
	struct rtattr	*rta = (struct rtattr *)(m->u.bytes + m->len);

	rta->rta_type = type;
	rta->rta_len = RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	m->len += RTA_SPACE(len);
	m->u.nh.nlmsg_len = m->len;
}

/* An address message: IPv4 or IPv6 ADDR/PREFIX of SCOPE. */
static void
test_addr(struct test_msg *m, int type, int family, const char *addr,
    int prefix, int scope)
{
	struct ifaddrmsg	*ifa;
	unsigned char		 raw[16];

	memset(m, 0, sizeof *m);
	m->u.nh.nlmsg_type = type;
	m->len = NLMSG_LENGTH(sizeof *ifa);
	m->u.nh.nlmsg_len = m->len;
	ifa = NLMSG_DATA(&m->u.nh);
	ifa->ifa_family = family;
	ifa->ifa_prefixlen = prefix;
	ifa->ifa_scope = scope;
	ifa->ifa_index = TEST_IFINDEX;
	assert_int_equal(inet_pton(family, addr, raw), 1);
	m->len = NLMSG_ALIGN(m->len);
	test_attr(m, IFA_ADDRESS, raw, family == AF_INET ? 4 : 16);
}

/* A route message: IPv4 to dst_len DST_LEN in TABLE via GW (or none). */
static void
test_route(struct test_msg *m, int type, int dst_len, uint32_t table,
    const char *gw)
{
	struct rtmsg	*rtm;
	unsigned char	 raw[4];
	uint32_t	 oif = TEST_IFINDEX;

	memset(m, 0, sizeof *m);
	m->u.nh.nlmsg_type = type;
	m->len = NLMSG_ALIGN(NLMSG_LENGTH(sizeof *rtm));
	m->u.nh.nlmsg_len = m->len;
	rtm = NLMSG_DATA(&m->u.nh);
	rtm->rtm_family = AF_INET;
	rtm->rtm_dst_len = dst_len;
	rtm->rtm_table = table < 256 ? table : RT_TABLE_UNSPEC;
	rtm->rtm_type = RTN_UNICAST;
	test_attr(m, RTA_TABLE, &table, sizeof table);
	test_attr(m, RTA_OIF, &oif, sizeof oif);
	if (gw != NULL) {
		assert_int_equal(inet_pton(AF_INET, gw, raw), 1);
		test_attr(m, RTA_GATEWAY, raw, 4);
	}
}

/* Run BASE for MS milliseconds. */
static void
test_run(struct event_base *base, int ms)
{
	struct timeval	tv = { ms / 1000, (ms % 1000) * 1000 };

	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
}

/* Feed the message M to a fresh watcher; return the calls after 300 ms. */
static void
test_one(const struct test_msg *m, struct test_calls *c)
{
	struct event_base	*base = event_base_new();
	struct resume		*r;

	memset(c, 0, sizeof *c);
	r = resume_new(base, 0, test_cb, c);
	resume_netlink_input(r, m->u.bytes, m->len);
	test_run(base, RESUME_SETTLE_MS + 100);
	resume_free(r);
	event_base_free(base);
}

/* Addresses: global ones count, loopback and link-local do not. */
static void
test_addresses(void **state)
{
	struct test_msg		m;
	struct test_calls	c;

	(void)state;
	test_addr(&m, RTM_NEWADDR, AF_INET, "192.0.2.7", 24, RT_SCOPE_UNIVERSE);
	test_one(&m, &c);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.why[0], "address 192.0.2.7/24 added on ?");

	test_addr(&m, RTM_DELADDR, AF_INET6, "2001:db8::7", 64,
	    RT_SCOPE_UNIVERSE);
	test_one(&m, &c);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.why[0], "address 2001:db8::7/64 removed on ?");

	/* Link-local addresses come with virtual interfaces (a container's,
	   a network namespace's veth), whatever scope they are given;
	   loopback never leaves the machine. */
	test_addr(&m, RTM_NEWADDR, AF_INET, "169.254.3.1", 30,
	    RT_SCOPE_UNIVERSE);
	test_one(&m, &c);
	assert_int_equal(c.n, 0);
	test_addr(&m, RTM_DELADDR, AF_INET, "169.254.3.2", 30, RT_SCOPE_LINK);
	test_one(&m, &c);
	assert_int_equal(c.n, 0);
	test_addr(&m, RTM_NEWADDR, AF_INET6, "fe80::1", 64, RT_SCOPE_LINK);
	test_one(&m, &c);
	assert_int_equal(c.n, 0);
	test_addr(&m, RTM_NEWADDR, AF_INET, "127.0.0.2", 8, RT_SCOPE_HOST);
	test_one(&m, &c);
	assert_int_equal(c.n, 0);
}

/* Routes: default and half-default routes of the main table only. */
static void
test_routes(void **state)
{
	struct test_msg		m;
	struct test_calls	c;

	(void)state;
	test_route(&m, RTM_NEWROUTE, 0, RT_TABLE_MAIN, "192.0.2.1");
	test_one(&m, &c);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.why[0], "default route via 192.0.2.1 on ? added");

	test_route(&m, RTM_DELROUTE, 1, RT_TABLE_MAIN, NULL);
	test_one(&m, &c);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.why[0], "half-default route on ? removed");

	test_route(&m, RTM_NEWROUTE, 24, RT_TABLE_MAIN, "192.0.2.1");
	test_one(&m, &c);
	assert_int_equal(c.n, 0);
	test_route(&m, RTM_NEWROUTE, 0, RT_TABLE_LOCAL, NULL);
	test_one(&m, &c);
	assert_int_equal(c.n, 0);
	/* A table past 255 is only in RTA_TABLE. */
	test_route(&m, RTM_NEWROUTE, 0, 1000, NULL);
	test_one(&m, &c);
	assert_int_equal(c.n, 0);
}

/*
 * A burst is one call naming the first change and counting the others; a
 * repeat of a known address is no change; after the minimum gap a new
 * change calls again.
 */
static void
test_burst_and_repeat(void **state)
{
	struct event_base	*base = event_base_new();
	struct resume		*r;
	struct test_calls	 c;
	struct test_msg		 m;
	char			 buf[1024]
	    __attribute__((aligned(__alignof__(struct nlmsghdr))));
	size_t			 len = 0;
	const char		*addrs[] = { "192.0.2.1", "192.0.2.2",
				    "192.0.2.3" };
	size_t			 i;

	(void)state;
	memset(&c, 0, sizeof c);
	r = resume_new(base, 0, test_cb, &c);
	for (i = 0; i < 3; i++) {
		test_addr(&m, RTM_NEWADDR, AF_INET, addrs[i], 32, 0);
		memcpy(buf + len, m.u.bytes, NLMSG_ALIGN(m.len));
		len += NLMSG_ALIGN(m.len);
	}
	resume_netlink_input(r, buf, len);
	test_run(base, RESUME_SETTLE_MS + 100);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.why[0],
	    "address 192.0.2.1/32 added on ? (and 2 more changes)");

	/* Lifetime refreshes repeat RTM_NEWADDR: not a change. */
	resume_netlink_input(r, buf, len);
	test_run(base, RESUME_MIN_GAP_MS + 100);
	assert_int_equal(c.n, 1);

	test_addr(&m, RTM_DELADDR, AF_INET, "192.0.2.2", 32, 0);
	resume_netlink_input(r, m.u.bytes, m.len);
	test_run(base, RESUME_SETTLE_MS + 100);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.why[1], "address 192.0.2.2/32 removed on ?");
	resume_free(r);
	event_base_free(base);
}

/* Short, overlong and unknown messages are ignored without harm. */
static void
test_broken(void **state)
{
	struct test_msg		m, cut;
	struct test_calls	c;
	struct rtattr		*rta;

	(void)state;
	/* Cut inside the ifaddrmsg. */
	test_addr(&m, RTM_NEWADDR, AF_INET, "192.0.2.7", 24, 0);
	cut = m;
	cut.u.nh.nlmsg_len = NLMSG_LENGTH(2);
	cut.len = NLMSG_ALIGN(cut.u.nh.nlmsg_len);
	test_one(&cut, &c);
	assert_int_equal(c.n, 0);
	/* A length past the buffer. */
	cut = m;
	cut.u.nh.nlmsg_len = 4096;
	test_one(&cut, &c);
	assert_int_equal(c.n, 0);
	/* An attribute longer than its message: no address found. */
	cut = m;
	rta = (struct rtattr *)(cut.u.bytes +
	    NLMSG_ALIGN(NLMSG_LENGTH(sizeof(struct ifaddrmsg))));
	rta->rta_len = 400;
	test_one(&cut, &c);
	assert_int_equal(c.n, 0);
	/* An address of 8 bytes for IPv4 is shown as "?", still a change. */
	test_addr(&m, RTM_NEWADDR, AF_INET, "192.0.2.7", 24, 0);
	m.len = NLMSG_ALIGN(NLMSG_LENGTH(sizeof(struct ifaddrmsg)));
	{
		unsigned char	eight[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

		test_attr(&m, IFA_ADDRESS, eight, sizeof eight);
	}
	test_one(&m, &c);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.why[0], "address ?/24 added on ?");
	/* Another message type. */
	m.u.nh.nlmsg_type = RTM_NEWLINK;
	test_one(&m, &c);
	assert_int_equal(c.n, 0);
	/* Nothing at all. */
	m.len = 0;
	test_one(&m, &c);
	assert_int_equal(c.n, 0);
}

/* A sleep written into the test clock file is noticed at the next tick. */
static void
test_sleep(void **state)
{
	struct event_base	*base = event_base_new();
	struct resume		*r;
	struct test_calls	 c;
	char			 path[] = "/tmp/test_resume.XXXXXX";
	int			 fd;

	(void)state;
	assert_true((fd = mkstemp(path)) != -1);
	assert_int_equal(write(fd, "5\n", 2), 2);
	close(fd);
	setenv(RESUME_TEST_BOOTTIME_ENV, path, 1);
	memset(&c, 0, sizeof c);
	r = resume_new(base, 0, test_cb, &c);
	/* A tick with no change: nothing. */
	test_run(base, RESUME_TICK_MS + 100);
	assert_int_equal(c.n, 0);
	/* 95 s more. */
	assert_true((fd = open(path, O_WRONLY | O_TRUNC)) != -1);
	assert_int_equal(write(fd, "100\n", 4), 4);
	close(fd);
	test_run(base, RESUME_TICK_MS + 100);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.why[0], "a resume from sleep (95.0 s asleep)");
	/* Garbage in the file reads as no offset: the clock goes back. */
	assert_true((fd = open(path, O_WRONLY | O_TRUNC)) != -1);
	assert_int_equal(write(fd, "x1\n", 3), 3);
	close(fd);
	test_run(base, RESUME_TICK_MS + 100);
	assert_int_equal(c.n, 1);
	resume_free(r);
	event_base_free(base);
	unsetenv(RESUME_TEST_BOOTTIME_ENV);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_routes),
		cmocka_unit_test(test_burst_and_repeat),
		cmocka_unit_test(test_broken),
		cmocka_unit_test(test_sleep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Fuzz target for the rtnetlink parser of resume.c (resume_netlink_input):
 * the input is a datagram as the kernel would deliver it, copied to an
 * aligned buffer as recvfrom leaves it. The messages must be walked within
 * their bounds whatever their lengths, attributes and families say
 * (AddressSanitizer and UndefinedBehaviorSanitizer check that), and the
 * table of what was seen must stay bounded (LeakSanitizer sees one
 * watcher freed per input).
 */
#include <linux/netlink.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "resume.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Never runs: the loop is not dispatched. */
static void
fuzz_netlink_cb(const char *why, void *arg)
{
	(void)why;
	(void)arg;
	abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct event_base	*base;
	struct resume			*r;
	unsigned char			 buf[16384]
	    __attribute__((aligned(__alignof__(struct nlmsghdr))));

	if (size > sizeof buf)
		return 0;
	if (base == NULL && (base = event_base_new()) == NULL)
		abort();
	memcpy(buf, data, size);
	r = resume_new(base, 0, fuzz_netlink_cb, NULL);
	/* Twice: the second pass meets what the first remembered. */
	resume_netlink_input(r, buf, size);
	resume_netlink_input(r, buf, size);
	resume_free(r);
	return 0;
}

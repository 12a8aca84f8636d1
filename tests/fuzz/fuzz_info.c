/*
 * Fuzz target for the "info" control reply parser (info_parse), which
 * jumpgate list and jumpgate stop run on what a control socket sends. The
 * input is the reply body. Besides the sanitizers, it checks the contract
 * in info.h: a refusal leaves nothing allocated and a cause of printable
 * ASCII; an accepted reply has a name and a file of at most INFO_MAX_VALUE
 * bytes without a NUL or newline, a positive pid, at most as many hops
 * ready as hops, and writes back (info_write) to a reply that parses to
 * the same values.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "info.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Report a broken contract and stop: libFuzzer keeps the input. */
static void
fuzz_info_fail(const char *what)
{
	fprintf(stderr, "fuzz_info: %s\n", what);
	abort();
}

/* Check a string value of an accepted reply. */
static void
fuzz_info_value(const char *s)
{
	size_t	len;

	if (s == NULL)
		fuzz_info_fail("accepted without a name or file");
	len = strlen(s);
	if (len == 0 || len > INFO_MAX_VALUE || strchr(s, '\n') != NULL)
		fuzz_info_fail("a name or file that is empty, long or split");
}

/* One input: a reply body. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct info	 info, again;
	struct evbuffer	*out;
	char		*cause = NULL, *p;
	size_t		 len;

	if (info_parse((const char *)data, size, &info, &cause) != 0) {
		if (cause == NULL || info.name != NULL || info.file != NULL)
			fuzz_info_fail("a refusal without a cause, or with "
			    "values left");
		for (p = cause; *p != '\0'; p++)
			if ((unsigned char)*p < 0x20 ||
			    (unsigned char)*p >= 0x7f)
				fuzz_info_fail("a cause that is not printable");
		free(cause);
		return 0;
	}
	if (cause != NULL)
		fuzz_info_fail("accepted with a cause");
	fuzz_info_value(info.name);
	fuzz_info_value(info.file);
	if (info.pid <= 0 || info.hops_ready > info.hops || info.hops < 0 ||
	    info.tunnels < 0 || info.connections < 0 ||
	    info.shutdown_timeout < 0 || info.started < 0)
		fuzz_info_fail("accepted a number out of range");
	if ((out = evbuffer_new()) == NULL)
		abort();
	info_write(out, &info);
	len = evbuffer_get_length(out);
	if (info_parse((const char *)evbuffer_pullup(out, -1), len, &again,
	    &cause) != 0)
		fuzz_info_fail("what info_write wrote does not parse");
	if (strcmp(info.name, again.name) != 0 ||
	    strcmp(info.file, again.file) != 0 || info.pid != again.pid ||
	    info.started != again.started || info.hops != again.hops ||
	    info.hops_ready != again.hops_ready ||
	    info.tunnels != again.tunnels ||
	    info.connections != again.connections ||
	    info.shutdown_timeout != again.shutdown_timeout)
		fuzz_info_fail("a round trip changed a value");
	info_clear(&again);
	info_clear(&info);
	evbuffer_free(out);
	return 0;
}

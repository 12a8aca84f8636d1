/*
 * Fuzz target for the control socket's request parser (control_take): byte
 * 0 picks how many bytes arrive at a time (1 to 64), the rest is what a
 * client sends. The bytes are added to an evbuffer piece by piece, as the
 * socket would deliver them, and control_take is called after each piece
 * until it answers. Besides the sanitizers, it checks the answer against a
 * model of the contract in control.h: no answer before a newline, a drop
 * exactly when more than CONTROL_MAX_LINE bytes came without one, a
 * command only for its exact line (a CR before the LF aside), an error
 * reply otherwise that is printable ASCII ending in one newline, and
 * nothing taken past the newline.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "control.h"
#include "vis.h"

#define FUZZ_CONTROL_NCOMMANDS	5

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Report a broken contract and stop: libFuzzer keeps the input. */
static void
fuzz_control_fail(const char *what)
{
	fprintf(stderr, "fuzz_control: %s\n", what);
	abort();
}

/*
 * Check an error reply: printable ASCII, one newline at the end; "command
 * too long" for TOOLONG, else "unknown command" quoting the LEN bytes of
 * LINE escaped by vis.
 */
static void
fuzz_control_error(const char *error, int toolong, const uint8_t *line,
    size_t len0)
{
	char	*shown, *want;
	size_t	 i, len = strlen(error);

	if (len < 8 || strncmp(error, "error: ", 7) != 0 ||
	    error[len - 1] != '\n')
		fuzz_control_fail("error reply not \"error: ...\\n\"");
	for (i = 0; i < len - 1; i++) {
		if (error[i] < 0x20 || error[i] > 0x7e)
			fuzz_control_fail("unprintable byte in an error reply");
	}
	if (toolong) {
		if (strncmp(error, "error: command too long", 23) != 0)
			fuzz_control_fail("a long line not called too long");
		return;
	}
	shown = vis_dup(line, len0, 0);
	if (asprintf(&want, "error: unknown command '%s' (", shown) == -1)
		fuzz_control_fail("out of memory");
	if (strncmp(error, want, strlen(want)) != 0)
		fuzz_control_fail("unknown command not quoted as vis escapes it");
	free(want);
	free(shown);
}

/*
 * What the model expects for a complete LINE of *LEN bytes (a final CR
 * taken off *LEN): a command, or -1 and *TOOLONG.
 */
static int
fuzz_control_model(const uint8_t *line, size_t *lenp, int *toolong)
{
	const char	*name;
	size_t		 len = *lenp;
	int		 i;

	if (len > 0 && line[len - 1] == '\r')
		len--;
	*lenp = len;
	*toolong = len > CONTROL_MAX_LINE;
	for (i = 0; i < FUZZ_CONTROL_NCOMMANDS; i++) {
		name = control_command_name((enum control_command)i);
		if (strlen(name) == len && memcmp(name, line, len) == 0)
			return i;
	}
	return -1;
}

/* One input: a piece size, then the client's bytes. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct evbuffer		*in;
	enum control_command	 cmd;
	const uint8_t		*lf;
	char			*error;
	size_t			 piece, fed = 0, n, nl;
	int			 rc = 0, want, toolong;

	if (size < 1)
		return 0;
	piece = (size_t)data[0] % 64 + 1;
	data++;
	size--;
	lf = memchr(data, '\n', size);
	nl = lf != NULL ? (size_t)(lf - data) : size;
	if ((in = evbuffer_new()) == NULL)
		fuzz_control_fail("out of memory");
	while (fed < size) {
		n = size - fed < piece ? size - fed : piece;
		evbuffer_add(in, data + fed, n);
		fed += n;
		cmd = (enum control_command)-1;
		error = (char *)1;
		rc = control_take(in, &cmd, &error);
		if (rc == 0) {
			if (error != NULL)
				fuzz_control_fail("no answer but an error set");
			if (nl < fed)
				fuzz_control_fail("a newline came, no answer");
			if (fed > CONTROL_MAX_LINE)
				fuzz_control_fail("over the limit, not dropped");
			continue;
		}
		if (rc == -1) {
			if (nl < fed || fed <= CONTROL_MAX_LINE)
				fuzz_control_fail("dropped a client in bounds");
			break;
		}
		if (rc != 1)
			fuzz_control_fail("control_take returned junk");
		if (nl >= fed)
			fuzz_control_fail("answered before the newline");
		if (evbuffer_get_length(in) != fed - nl - 1)
			fuzz_control_fail("took bytes past the newline");
		n = nl;
		want = fuzz_control_model(data, &n, &toolong);
		if (want >= 0) {
			if (error != NULL || (int)cmd != want)
				fuzz_control_fail("a command line not taken");
		} else {
			if (error == NULL)
				fuzz_control_fail("junk taken as a command");
			fuzz_control_error(error, toolong, data, n);
			free(error);
		}
		break;
	}
	if (rc == 0 && nl < size)
		fuzz_control_fail("all sent with a newline, no answer");
	evbuffer_free(in);
	return 0;
}

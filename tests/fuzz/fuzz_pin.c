/*
 * Fuzz target for fingerprint.c: the input as a pinned fingerprint (a
 * NUL-terminated copy) and as a public key blob. Besides the sanitizers,
 * it checks that a pin parses only in the form fingerprint_format writes,
 * that a formatted fingerprint parses back to itself, and that a key type
 * read from a blob is exactly the bytes the blob's length field covers.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fingerprint.h"

/* "ssh-ed25519" and its NUL fill this exactly. */
#define FUZZ_PIN_SMALL_TYPE	12
#define FUZZ_PIN_TYPE		64

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Report a broken contract and stop: libFuzzer keeps the input. */
static void
fuzz_pin_fail(const char *what)
{
	fprintf(stderr, "fuzz_pin: %s\n", what);
	abort();
}

/* Parse the input as a pin; a pin that parses must be canonical. */
static void
fuzz_pin_parse(const uint8_t *data, size_t size)
{
	struct fingerprint	 fp;
	char			 out[FINGERPRINT_TEXT_LEN];
	char			*text;
	const char		*cause = NULL;
	size_t			 len;

	/* Exactly the input and a NUL, so that any over-read is caught. */
	if ((text = malloc(size + 1)) == NULL)
		fuzz_pin_fail("out of memory");
	memcpy(text, data, size);
	text[size] = '\0';

	if (fingerprint_parse(text, &fp, &cause) == 0) {
		fingerprint_format(&fp, out);
		len = strlen(out);
		if (strncmp(text, out, len) != 0 ||
		    (text[len] != '\0' && strcmp(text + len, "=") != 0))
			fuzz_pin_fail("accepted pin is not what format writes");
	} else if (cause == NULL || *cause == '\0')
		fuzz_pin_fail("refused pin without a cause");
	free(text);
}

/* Read the type of the input as a blob into OUTLEN bytes, and check it. */
static int
fuzz_pin_type(const uint8_t *data, size_t size, size_t outlen, char *type)
{
	uint32_t	n;
	size_t		i;

	if (fingerprint_blob_type(data, size, type, outlen) != 0)
		return -1;
	n = (uint32_t)data[0] << 24 | (uint32_t)data[1] << 16 |
	    (uint32_t)data[2] << 8 | (uint32_t)data[3];
	if (n == 0 || n >= outlen || size < 4 + (size_t)n ||
	    strlen(type) != n || memcmp(type, data + 4, n) != 0)
		fuzz_pin_fail("blob type is not the length-prefixed string");
	for (i = 0; i < n; i++) {
		if (type[i] <= ' ' || type[i] >= 0x7f)
			fuzz_pin_fail("blob type not printable without spaces");
	}
	return 0;
}

/* Take the input as a key blob: its type, and its fingerprint. */
static void
fuzz_pin_blob(const uint8_t *data, size_t size)
{
	struct fingerprint	 fp, back;
	char			 out[FINGERPRINT_TEXT_LEN], type[FUZZ_PIN_TYPE];
	char			*small;
	const char		*cause;
	int			 r, rsmall;

	/* A buffer of exactly its size, so that any overflow is caught. */
	if ((small = malloc(FUZZ_PIN_SMALL_TYPE)) == NULL)
		fuzz_pin_fail("out of memory");
	r = fuzz_pin_type(data, size, sizeof type, type);
	rsmall = fuzz_pin_type(data, size, FUZZ_PIN_SMALL_TYPE, small);
	if (rsmall == 0 && (r != 0 || strcmp(type, small) != 0))
		fuzz_pin_fail("blob type depends on the buffer size");
	free(small);

	fingerprint_of_blob(data, size, &fp);
	memset(out, 'x', sizeof out);
	fingerprint_format(&fp, out);
	if (strlen(out) != FINGERPRINT_TEXT_LEN - 1 ||
	    strncmp(out, "SHA256:", 7) != 0)
		fuzz_pin_fail("formatted fingerprint has the wrong form");
	if (fingerprint_parse(out, &back, &cause) != 0 ||
	    !fingerprint_equal(&fp, &back))
		fuzz_pin_fail("formatted fingerprint does not parse back");
}

/* One input: a pin, then a key blob. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_pin_parse(data, size);
	fuzz_pin_blob(data, size);
	return 0;
}

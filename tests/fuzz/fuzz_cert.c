/*
 * Fuzz target for cert.c: the input as a certificate blob (cert_parse) and
 * as the text of a certificate file (cert_parse_text), each an exact-size
 * copy so that any over-read is caught. Besides the sanitizers, it checks
 * that a parsed certificate is a user certificate whose public key lies
 * inside its blob, that every text it yields (key ID, principals, causes,
 * the description) is printable ASCII, and that the validity check agrees
 * with the window at its edges.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cert.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Report a broken contract and stop: libFuzzer keeps the input. */
static void
fuzz_cert_fail(const char *what)
{
	fprintf(stderr, "fuzz_cert: %s\n", what);
	abort();
}

/* Check that S is non-empty (if NONEMPTY) printable ASCII. */
static void
fuzz_cert_printable(const char *s, int nonempty, const char *what)
{
	if (nonempty && *s == '\0')
		fuzz_cert_fail(what);
	for (; *s != '\0'; s++) {
		if (*s < 0x20 || *s > 0x7e)
			fuzz_cert_fail(what);
	}
}

/* Check what a parse gave: C, or NULL and CAUSE. */
static void
fuzz_cert_check(struct cert *c, char *cause)
{
	char	*text;

	if (c == NULL) {
		if (cause == NULL)
			fuzz_cert_fail("refused without a cause");
		fuzz_cert_printable(cause, 1, "cause not printable");
		free(cause);
		return;
	}
	if (c->cert_type != CERT_TYPE_USER)
		fuzz_cert_fail("not a user certificate, yet parsed");
	if (c->key < c->blob || c->key + c->keylen > c->blob + c->bloblen)
		fuzz_cert_fail("public key outside the blob");
	fuzz_cert_printable(c->key_id, 0, "key ID not printable");
	fuzz_cert_printable(c->principals, 0, "principals not printable");
	text = cert_describe(c);
	fuzz_cert_printable(text, 1, "description not printable");
	free(text);
	if (c->valid_after <= INT32_MAX && c->valid_after > 0) {
		if (cert_check_time(c, "f", (time_t)c->valid_after - 1,
		    &cause) == 0)
			fuzz_cert_fail("valid before valid_after");
		free(cause);
	}
	if (c->valid_before <= INT32_MAX) {
		if (cert_check_time(c, "f", (time_t)c->valid_before,
		    &cause) == 0)
			fuzz_cert_fail("valid at valid_before");
		fuzz_cert_printable(cause, 1, "time cause not printable");
		free(cause);
	}
	cert_free(c);
}

/* Parse the input as a blob and as text. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*copy, *cause;

	if ((copy = malloc(size > 0 ? size : 1)) == NULL)
		return 0;
	if (size > 0)
		memcpy(copy, data, size);
	cause = NULL;
	fuzz_cert_check(cert_parse(copy, size, &cause), cause);
	cause = NULL;
	fuzz_cert_check(cert_parse_text(copy, size, &cause), cause);
	free(copy);
	return 0;
}

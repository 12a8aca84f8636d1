/*
 * Fuzz target for kexinit.c and wire.c: the input as a server greeting
 * (version line, then a binary packet carrying SSH_MSG_KEXINIT), as a
 * bare packet and as a payload. Besides the sanitizers, it checks that a
 * parsed KEXINIT holds only valid name-lists and re-encodes to exactly
 * the payload it came from, that a frame never claims more bytes than
 * given, and that every refusal says why.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kexinit.h"
#include "wire.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Report a broken contract and stop: libFuzzer keeps the input. */
static void
fuzz_kexinit_fail(const char *what)
{
	fprintf(stderr, "fuzz_kexinit: %s\n", what);
	abort();
}

/* Check a parsed KEXINIT against the payload it came from. */
static void
fuzz_kexinit_check(const struct kexinit *k, const uint8_t *payload,
    size_t len)
{
	struct wire_buf	b = { 0 };
	char		err[256];
	int		i;

	wire_put_u8(&b, KEXINIT_MSG);
	wire_put(&b, k->cookie, KEXINIT_COOKIE_LEN);
	for (i = 0; i < KEXINIT_NLISTS; i++) {
		if (wire_check_namelist((const unsigned char *)k->lists[i],
		    strlen(k->lists[i]), err, sizeof err) != 0)
			fuzz_kexinit_fail("accepted an invalid name-list");
		wire_put_cstring(&b, k->lists[i]);
	}
	wire_put_u8(&b, (uint8_t)k->first_kex_packet_follows);
	wire_put_u32(&b, k->reserved);
	if (b.len != len || memcmp(b.p, payload, len) != 0 ||
	    k->payloadlen != len || memcmp(k->payload, payload, len) != 0)
		fuzz_kexinit_fail("KEXINIT does not re-encode to its payload");
	wire_buf_free(&b);
}

/* Parse DATA as a packet; check the result. */
static void
fuzz_kexinit_packet(const uint8_t *data, size_t size)
{
	const unsigned char	*payload;
	struct kexinit		 k;
	size_t			 used = 0, plen;
	char			 err[256] = "";
	int			 rc;

	rc = kexinit_parse_packet(data, size, &k, &used, err, sizeof err);
	if (rc == WIRE_ERROR && err[0] == '\0')
		fuzz_kexinit_fail("refused a packet without saying why");
	if (rc != WIRE_OK)
		return;
	if (used > size || used < 16)
		fuzz_kexinit_fail("packet size out of the input");
	if (wire_frame(data, size, &payload, &plen, &used, err,
	    sizeof err) != WIRE_OK)
		fuzz_kexinit_fail("frame differs from the parse");
	fuzz_kexinit_check(&k, payload, plen);
	kexinit_clear(&k);
}

/* Fuzz one input. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kexinit	k;
	char		version[WIRE_MAX_BANNER + 1], err[256] = "";
	size_t		used = 0;
	int		rc;

	rc = wire_banner(data, size, version, &used, err, sizeof err);
	if (rc == WIRE_ERROR && err[0] == '\0')
		fuzz_kexinit_fail("refused a version line without saying why");
	if (rc == WIRE_OK) {
		if (used > size || strncmp(version, "SSH-", 4) != 0 ||
		    strlen(version) > WIRE_MAX_BANNER)
			fuzz_kexinit_fail("bad version line accepted");
		fuzz_kexinit_packet(data + used, size - used);
	}
	fuzz_kexinit_packet(data, size);
	err[0] = '\0';
	if (kexinit_parse_payload(data, size, &k, err, sizeof err) == 0) {
		fuzz_kexinit_check(&k, data, size);
		kexinit_clear(&k);
	} else if (err[0] == '\0')
		fuzz_kexinit_fail("refused a payload without saying why");
	return 0;
}

/*
 * Fuzz target for knownhosts_check. The first input byte chooses the host
 * (bits 0-1) and the port, 22 or 2222 (bit 2); the rest is the known_hosts
 * file. Each input is looked up three times: for a fixed ed25519 key, a
 * fixed ECDSA key and with no key (types only). Besides the sanitizers, it
 * checks that the three agree on the types, that a result names a line of
 * the file, and that a key whose type the host is known with is decided.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fingerprint.h"
#include "fuzz_file.h"
#include "knownhosts.h"
#include "log.h"

#define FUZZ_KH_PORT_BIT	0x04

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/*
 * Public host keys made once with "ssh-keygen -t ed25519" and "ssh-keygen
 * -t ecdsa -b 256" (the seed corpus holds them in known_hosts form):
 * ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAII64pX1mnzjpHEpGXUaSKLxr8rlt6kWumwb8yvaCz+ze
 * ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBK7y
 *     o/PTSTEiwv0lX9avyK9E7AgFw3EAwF+FM7T2L0DA49aO7kBW//drswiPphYczkYWULIPihRPC6x
 *     DvRIfTho=
 */
static const unsigned char fuzz_kh_ed25519[] = {
	0x00, 0x00, 0x00, 0x0b, 0x73, 0x73, 0x68, 0x2d, 0x65, 0x64, 0x32, 0x35,
	0x35, 0x31, 0x39, 0x00, 0x00, 0x00, 0x20, 0x8e, 0xb8, 0xa5, 0x7d, 0x66,
	0x9f, 0x38, 0xe9, 0x1c, 0x4a, 0x46, 0x5d, 0x46, 0x92, 0x28, 0xbc, 0x6b,
	0xf2, 0xb9, 0x6d, 0xea, 0x45, 0xae, 0x9b, 0x06, 0xfc, 0xca, 0xf6, 0x82,
	0xcf, 0xec, 0xde
};
static const unsigned char fuzz_kh_ecdsa[] = {
	0x00, 0x00, 0x00, 0x13, 0x65, 0x63, 0x64, 0x73, 0x61, 0x2d, 0x73, 0x68,
	0x61, 0x32, 0x2d, 0x6e, 0x69, 0x73, 0x74, 0x70, 0x32, 0x35, 0x36, 0x00,
	0x00, 0x00, 0x08, 0x6e, 0x69, 0x73, 0x74, 0x70, 0x32, 0x35, 0x36, 0x00,
	0x00, 0x00, 0x41, 0x04, 0xae, 0xf2, 0xa3, 0xf3, 0xd3, 0x49, 0x31, 0x22,
	0xc2, 0xfd, 0x25, 0x5f, 0xd6, 0xaf, 0xc8, 0xaf, 0x44, 0xec, 0x08, 0x05,
	0xc3, 0x71, 0x00, 0xc0, 0x5f, 0x85, 0x33, 0xb4, 0xf6, 0x2f, 0x40, 0xc0,
	0xe3, 0xd6, 0x8e, 0xee, 0x40, 0x56, 0xff, 0xf7, 0x6b, 0xb3, 0x08, 0x8f,
	0xa6, 0x16, 0x1c, 0xce, 0x46, 0x16, 0x50, 0xb2, 0x0f, 0x8a, 0x14, 0x4f,
	0x0b, 0xac, 0x43, 0xbd, 0x12, 0x1f, 0x4e, 0x1a
};

/* Chosen by bits 0-1 of the first byte; the last is looked up lowercased. */
static const char *fuzz_kh_hosts[] = {
	"bastion.example.com",
	"192.0.2.10",
	"2001:db8::10",
	"Bastion-2.Example.COM"
};

/* Report a broken contract and stop: libFuzzer keeps the input. */
static void
fuzz_kh_fail(const char *what)
{
	fprintf(stderr, "fuzz_knownhosts: %s\n", what);
	abort();
}

/* Tell whether the lookup's type list holds TYPE. */
static int
fuzz_kh_has_type(const struct knownhosts_lookup *kl, const char *type)
{
	size_t	i;

	for (i = 0; i < kl->ntypes; i++) {
		if (strcmp(kl->types[i], type) == 0)
			return 1;
	}
	return 0;
}

/* Look up HOST:PORT for BLOB (or NULL) and check the result. */
static void
fuzz_kh_check(const char *host, int port, const unsigned char *blob,
    size_t bloblen, int nlines, struct knownhosts_lookup *kl)
{
	char	 type[KNOWNHOSTS_TYPE_LEN];
	char	*cause = NULL;
	size_t	 i, j;

	if (knownhosts_check(fuzz_file_path(), host, port, blob, bloblen, kl,
	    &cause) != 0) {
		fprintf(stderr, "fuzz_knownhosts: %s\n", cause);
		fuzz_kh_fail("a readable file was not read");
	}
	if (kl->ntypes > KNOWNHOSTS_MAX_TYPES)
		fuzz_kh_fail("too many types");
	for (i = 0; i < kl->ntypes; i++) {
		if (memchr(kl->types[i], '\0', KNOWNHOSTS_TYPE_LEN) == NULL ||
		    kl->types[i][0] == '\0')
			fuzz_kh_fail("type empty or not terminated");
		for (j = 0; j < i; j++) {
			if (strcmp(kl->types[i], kl->types[j]) == 0)
				fuzz_kh_fail("type listed twice");
		}
	}
	if ((kl->result == KNOWNHOSTS_NOTFOUND) != (kl->line == 0) ||
	    kl->line < 0 || kl->line > nlines)
		fuzz_kh_fail("result line not a line of the file");

	switch (kl->result) {
	case KNOWNHOSTS_NOTFOUND:
	case KNOWNHOSTS_MATCH:
	case KNOWNHOSTS_MISMATCH:
	case KNOWNHOSTS_REVOKED:
		break;
	default:
		fuzz_kh_fail("unknown result");
	}
	if (blob == NULL) {
		if (kl->result != KNOWNHOSTS_NOTFOUND)
			fuzz_kh_fail("a result without a key");
		return;
	}

	/*
	 * An entry of the key's type makes it MATCH or MISMATCH (unless it
	 * is revoked), and lists the type unless the list was full.
	 */
	if (fingerprint_blob_type(blob, bloblen, type, sizeof type) != 0)
		fuzz_kh_fail("fixed key blob malformed");
	if (kl->result != KNOWNHOSTS_REVOKED &&
	    (kl->result != KNOWNHOSTS_NOTFOUND) != fuzz_kh_has_type(kl, type) &&
	    (kl->result == KNOWNHOSTS_NOTFOUND ||
	    kl->ntypes < KNOWNHOSTS_MAX_TYPES))
		fuzz_kh_fail("result and known types disagree");
}

/* Check that two lookups of one file for one host list the same types. */
static void
fuzz_kh_same_types(const struct knownhosts_lookup *a,
    const struct knownhosts_lookup *b)
{
	size_t	i;

	if (a->ntypes != b->ntypes)
		fuzz_kh_fail("types depend on the key looked up");
	for (i = 0; i < a->ntypes; i++) {
		if (strcmp(a->types[i], b->types[i]) != 0)
			fuzz_kh_fail("types depend on the key looked up");
	}
}

/* Make the scratch file once; warnings about bad lines are expected. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_set_level(LOG_LEVEL_ERROR);
	fuzz_file_init("known_hosts");
	return 0;
}

/* Look the chosen host up in one input file, three ways. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct knownhosts_lookup	 none, ed, ec;
	const char			*host;
	int				 port, nlines;

	if (size == 0)
		return 0;
	host = fuzz_kh_hosts[data[0] % 4];
	port = data[0] & FUZZ_KH_PORT_BIT ? 2222 : 22;
	fuzz_file_write(data + 1, size - 1);
	nlines = fuzz_file_lines(data + 1, size - 1);

	fuzz_kh_check(host, port, NULL, 0, nlines, &none);
	fuzz_kh_check(host, port, fuzz_kh_ed25519, sizeof fuzz_kh_ed25519,
	    nlines, &ed);
	fuzz_kh_check(host, port, fuzz_kh_ecdsa, sizeof fuzz_kh_ecdsa, nlines,
	    &ec);
	fuzz_kh_same_types(&none, &ed);
	fuzz_kh_same_types(&none, &ec);
	fuzz_file_check_alone();
	return 0;
}

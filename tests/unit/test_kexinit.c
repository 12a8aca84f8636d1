/*
 * Unit tests for wire.c, kexinit.c and the pure parts of hostsig.c and
 * algcheck.c: a KEXINIT captured from OpenSSH's sshd
 * (data/openssh-9.2p1.bin, made by data/capture-kexinit.sh), the same
 * truncated at every byte, oversized lengths, bad message numbers, bad
 * names, garbage, and version lines; probe's verdict on servers offering
 * only what the policy refuses or allows only by a setting.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "algcheck.h"
#include "algorithms.h"
#include "config.h"
#include "hostkey.h"
#include "hostsig.h"
#include "kexinit.h"
#include "wire.h"

#define TEST_VERSION	"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10"

/* The captured bytes: version line, then the KEXINIT packet. */
static unsigned char	capture[4096];
static size_t		capture_len;
static size_t		packet_off;	/* where the packet starts */

/* Read the captured server greeting. */
static int
test_setup(void **state)
{
	const char	*dir = getenv("UNIT_SRCDIR");
	char		 path[1024];
	FILE		*f;

	(void)state;
	snprintf(path, sizeof path, "%s/data/openssh-9.2p1.bin",
	    dir != NULL ? dir : "tests/unit");
	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "cannot open %s\n", path);
		return -1;
	}
	capture_len = fread(capture, 1, sizeof capture, f);
	fclose(f);
	packet_off = strlen(TEST_VERSION) + 2;
	return capture_len > packet_off ? 0 : -1;
}

/* The captured payload (message number first) and its length. */
static const unsigned char *
test_payload(size_t *len)
{
	const unsigned char	*payload;
	size_t			 used;
	char			 err[256];

	assert_int_equal(wire_frame(capture + packet_off, capture_len -
	    packet_off, &payload, len, &used, err, sizeof err), WIRE_OK);
	return payload;
}

/* Frame PAYLOAD (LEN bytes) as a packet into a new buffer. */
static void
test_frame(struct wire_buf *out, const unsigned char *payload, size_t len)
{
	struct wire_buf	p = { 0 };

	wire_put(&p, payload, len);
	wire_packet(out, &p);
	wire_buf_free(&p);
}

/* The version line and the KEXINIT of a real sshd parse as they are. */
static void
test_captured(void **state)
{
	struct kexinit	k;
	char		version[WIRE_MAX_BANNER + 1], err[256];
	size_t		used;

	(void)state;
	assert_int_equal(wire_banner(capture, capture_len, version, &used,
	    err, sizeof err), WIRE_OK);
	assert_string_equal(version, TEST_VERSION);
	assert_int_equal(used, packet_off);
	assert_int_equal(kexinit_parse_packet(capture + used, capture_len -
	    used, &k, &used, err, sizeof err), WIRE_OK);
	assert_int_equal(packet_off + used, capture_len);
	assert_non_null(strstr(k.lists[KEXINIT_KEX], ",curve25519-sha256,"));
	assert_string_equal(k.lists[KEXINIT_HOSTKEY],
	    "ssh-ed25519,ecdsa-sha2-nistp256,rsa-sha2-512,rsa-sha2-256");
	assert_string_equal(k.lists[KEXINIT_COMP_CS], "none,zlib@openssh.com");
	assert_string_equal(k.lists[KEXINIT_LANG_CS], "");
	assert_string_equal(k.lists[KEXINIT_LANG_SC], "");
	assert_int_equal(k.first_kex_packet_follows, 0);
	assert_int_equal(k.reserved, 0);
	assert_int_equal(k.payloadlen + 4 + 1 + capture[packet_off + 4],
	    capture_len - packet_off);
	kexinit_clear(&k);
}

/* Cut anywhere, the packet is incomplete, never an error or a crash. */
static void
test_packet_truncated(void **state)
{
	struct kexinit	k;
	char		err[256];
	size_t		n, used;

	(void)state;
	for (n = 0; n < capture_len - packet_off; n++) {
		assert_int_equal(kexinit_parse_packet(capture + packet_off, n,
		    &k, &used, err, sizeof err), WIRE_MORE);
	}
}

/*
 * A complete packet whose payload is cut at every offset: an error that
 * names the field the cut falls in.
 */
static void
test_payload_truncated(void **state)
{
	const unsigned char	*payload;
	struct wire_reader	 r;
	struct kexinit		 k;
	struct wire_buf		 pkt;
	const unsigned char	*skip;
	size_t			 len, n, used, starts[KEXINIT_NLISTS + 1];
	uint32_t		 l;
	char			 err[256], want[128];
	int			 i, field;

	(void)state;
	payload = test_payload(&len);
	/* Where each name-list starts. */
	wire_reader_init(&r, payload, len);
	(void)wire_get_bytes(&r, 1 + KEXINIT_COOKIE_LEN, &skip);
	for (i = 0; i < KEXINIT_NLISTS; i++) {
		starts[i] = r.off;
		assert_int_equal(wire_get_u32(&r, &l), 0);
		assert_int_equal(wire_get_bytes(&r, l, &skip), 0);
	}
	starts[KEXINIT_NLISTS] = r.off;

	for (n = 0; n < len; n++) {
		memset(&pkt, 0, sizeof pkt);
		test_frame(&pkt, payload, n);
		assert_int_equal(kexinit_parse_packet(pkt.p, pkt.len, &k,
		    &used, err, sizeof err), WIRE_ERROR);
		wire_buf_free(&pkt);
		if (n == 0) {
			/* No room for a message number: the frame is bad. */
			assert_non_null(strstr(err, "padding_length"));
			continue;
		}
		if (n < 1 + KEXINIT_COOKIE_LEN) {
			assert_string_equal(err, "truncated in the cookie");
			continue;
		}
		if (n >= starts[KEXINIT_NLISTS]) {
			assert_non_null(strstr(err, n == starts[
			    KEXINIT_NLISTS] ? "first_kex_packet_follows" :
			    "reserved"));
			continue;
		}
		for (field = KEXINIT_NLISTS - 1; starts[field] > n; field--)
			;
		if (n < starts[field] + 4)
			snprintf(want, sizeof want, "truncated in the length "
			    "of %s", kexinit_list_name(field));
		else
			snprintf(want, sizeof want, "%s: name-list length ",
			    kexinit_list_name(field));
		if (strstr(err, want) == NULL)
			fail_msg("cut at %zu: '%s' does not say '%s'", n, err,
			    want);
	}
}

/* Oversized lengths are refused with the number and the room left. */
static void
test_oversized(void **state)
{
	const unsigned char	*payload;
	unsigned char		 copy[4096];
	struct kexinit		 k;
	struct wire_buf		 pkt = { 0 };
	size_t			 len, used;
	char			 err[256];
	size_t			 mac_cs;
	int			 i;
	uint32_t		 l;

	(void)state;
	payload = test_payload(&len);
	memcpy(copy, payload, len);
	/* The kex_algorithms length at 17. */
	memset(copy + 17, 0xff, 4);
	assert_int_equal(kexinit_parse_payload(copy, len, &k, err, sizeof err),
	    -1);
	assert_non_null(strstr(err, "kex_algorithms: name-list length "
	    "4294967295 exceeds the"));
	assert_null(k.lists[0]);

	/* mac_algorithms_client_to_server one byte too long. */
	memcpy(copy, payload, len);
	mac_cs = 17;
	for (i = 0; i < KEXINIT_MAC_CS; i++) {
		l = (uint32_t)copy[mac_cs] << 24 | copy[mac_cs + 1] << 16 |
		    copy[mac_cs + 2] << 8 | copy[mac_cs + 3];
		mac_cs += 4 + l;
	}
	copy[mac_cs] = 0;
	copy[mac_cs + 1] = 1;
	copy[mac_cs + 2] = 0;
	copy[mac_cs + 3] = 0;
	assert_int_equal(kexinit_parse_payload(copy, len, &k, err, sizeof err),
	    -1);
	assert_non_null(strstr(err, "mac_algorithms_client_to_server: "
	    "name-list length 65536 exceeds the "));

	/* packet_length beyond any limit. */
	memset(copy, 0xff, 4);
	assert_int_equal(kexinit_parse_packet(copy, 64, &k, &used, err,
	    sizeof err), WIRE_ERROR);
	assert_string_equal(err, "packet_length 4294967295 exceeds the "
	    "262144-byte limit");

	/* Padding that leaves no payload, or too little padding. */
	test_frame(&pkt, payload, len);
	pkt.p[4] = 3;
	assert_int_equal(kexinit_parse_packet(pkt.p, pkt.len, &k, &used, err,
	    sizeof err), WIRE_ERROR);
	assert_non_null(strstr(err, "padding_length 3"));
	pkt.p[4] = 255;
	pkt.p[0] = pkt.p[1] = pkt.p[2] = 0;
	pkt.p[3] = 252;
	assert_int_equal(kexinit_parse_packet(pkt.p, pkt.len, &k, &used, err,
	    sizeof err), WIRE_ERROR);
	assert_non_null(strstr(err, "padding_length 255"));
	pkt.p[3] = 13;
	assert_int_equal(kexinit_parse_packet(pkt.p, pkt.len, &k, &used, err,
	    sizeof err), WIRE_ERROR);
	assert_non_null(strstr(err, "not a multiple of 8"));
	wire_buf_free(&pkt);
}

/* Other messages, trailing bytes and non-boolean flags are refused. */
static void
test_bad_fields(void **state)
{
	const unsigned char	*payload;
	unsigned char		 copy[4096];
	struct kexinit		 k;
	size_t			 len;
	char			 err[256];

	(void)state;
	payload = test_payload(&len);
	memcpy(copy, payload, len);
	copy[0] = 21;
	assert_int_equal(kexinit_parse_payload(copy, len, &k, err, sizeof err),
	    -1);
	assert_string_equal(err, "message number 21 where KEXINIT (20) was "
	    "expected");
	copy[0] = KEXINIT_MSG;
	copy[len - 5] = 2;
	assert_int_equal(kexinit_parse_payload(copy, len, &k, err, sizeof err),
	    -1);
	assert_string_equal(err, "first_kex_packet_follows is 2, not a "
	    "boolean");
	copy[len - 5] = 0;
	copy[len] = 0;
	assert_int_equal(kexinit_parse_payload(copy, len + 1, &k, err,
	    sizeof err), -1);
	assert_string_equal(err, "1 unexpected bytes after the reserved field");
}

/* Build a KEXINIT payload whose first list is KEX and the rest REST. */
static void
test_build(struct wire_buf *b, const char *kex, const char *rest)
{
	unsigned char	cookie[KEXINIT_COOKIE_LEN] = { 0 };
	int		i;

	wire_put_u8(b, KEXINIT_MSG);
	wire_put(b, cookie, sizeof cookie);
	wire_put_cstring(b, kex);
	for (i = 1; i < KEXINIT_NLISTS; i++)
		wire_put_cstring(b, rest);
	wire_put_u8(b, 0);
	wire_put_u32(b, 0);
}

/* Empty lists parse; bad names are refused, saying how. */
static void
test_names(void **state)
{
	static const struct {
		const char	*list;
		const char	*error;
	} bad[] = {
		{ "a,,b", "kex_algorithms: empty name at byte 2" },
		{ ",a", "kex_algorithms: empty name at byte 0" },
		{ "a,", "kex_algorithms: empty name at the end" },
		{ "a b", "kex_algorithms: byte 0x20 at offset 1 is not "
		    "printable US-ASCII" },
		{ "a\tb", "kex_algorithms: byte 0x09 at offset 1 is not "
		    "printable US-ASCII" },
		{ "\xc3\xa9", "kex_algorithms: byte 0xc3 at offset 0 is not "
		    "printable US-ASCII" },
		{ "x,aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		    "aaaaaaa", "kex_algorithms: name at byte 2 is longer than "
		    "64 characters" },
	};
	struct wire_buf	b = { 0 };
	struct kexinit	k;
	char		err[256];
	size_t		i;
	int		l;

	(void)state;
	test_build(&b, "", "");
	assert_int_equal(kexinit_parse_payload(b.p, b.len, &k, err,
	    sizeof err), 0);
	for (l = 0; l < KEXINIT_NLISTS; l++)
		assert_string_equal(k.lists[l], "");
	kexinit_clear(&k);
	wire_buf_free(&b);

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		test_build(&b, bad[i].list, "none");
		assert_int_equal(kexinit_parse_payload(b.p, b.len, &k, err,
		    sizeof err), -1);
		assert_string_equal(err, bad[i].error);
		wire_buf_free(&b);
	}
	/* A NUL inside a list. */
	test_build(&b, "none", "none");
	b.p[1 + KEXINIT_COOKIE_LEN + 4 + 1] = '\0';
	assert_int_equal(kexinit_parse_payload(b.p, b.len, &k, err,
	    sizeof err), -1);
	assert_string_equal(err, "kex_algorithms: byte 0x00 at offset 1 is "
	    "not printable US-ASCII");
	wire_buf_free(&b);
}

/* Garbage never crashes the parser nor passes for a KEXINIT by chance. */
static void
test_garbage(void **state)
{
	unsigned char	buf[2048];
	struct kexinit	k;
	char		err[256];
	size_t		used, i, n;
	unsigned int	seed = 7;
	int		rc, round;

	(void)state;
	for (round = 0; round < 20000; round++) {
		n = (size_t)(rand_r(&seed) % sizeof buf);
		for (i = 0; i < n; i++)
			buf[i] = (unsigned char)rand_r(&seed);
		if (round % 2 == 0 && n > 6) {
			/* A plausible frame around random bytes. */
			buf[0] = 0;
			buf[1] = 0;
			buf[2] = (unsigned char)((n - 4) >> 8);
			buf[3] = (unsigned char)((n - 4) & 0xf8);
			buf[4] = 4 + buf[4] % 8;
			buf[5] = KEXINIT_MSG;
		}
		rc = kexinit_parse_packet(buf, n, &k, &used, err, sizeof err);
		assert_true(rc == WIRE_MORE || rc == WIRE_ERROR);
		if (rc == WIRE_ERROR)
			assert_true(err[0] != '\0');
		rc = wire_banner(buf, n, (char *)buf + 1024, &used, err,
		    sizeof err);
		(void)rc;
	}
}

/* Version lines: prelude lines, SSH-1, length, incomplete input. */
static void
test_banner(void **state)
{
	static const char *ok = "Welcome\r\nto this host\nSSH-2.0-x y\r\n";
	char		out[WIRE_MAX_BANNER + 1], err[256], long_line[400];
	size_t		used;

	(void)state;
	assert_int_equal(wire_banner((const unsigned char *)ok, strlen(ok),
	    out, &used, err, sizeof err), WIRE_OK);
	assert_string_equal(out, "SSH-2.0-x y");
	assert_int_equal(used, strlen(ok));
	assert_int_equal(wire_banner((const unsigned char *)"SSH-1.99-old\n",
	    13, out, &used, err, sizeof err), WIRE_OK);
	assert_string_equal(out, "SSH-1.99-old");
	assert_int_equal(wire_banner((const unsigned char *)"SSH-2.0-par", 11,
	    out, &used, err, sizeof err), WIRE_MORE);
	assert_int_equal(wire_banner((const unsigned char *)"SS", 2, out,
	    &used, err, sizeof err), WIRE_MORE);
	assert_int_equal(wire_banner((const unsigned char *)"SSH-1.5-old\r\n",
	    13, out, &used, err, sizeof err), WIRE_ERROR);
	assert_non_null(strstr(err, "SSH-1 only server, or not SSH"));
	assert_int_equal(wire_banner((const unsigned char *)"SSH-2.0-\r\n",
	    10, out, &used, err, sizeof err), WIRE_ERROR);
	assert_int_equal(wire_banner((const unsigned char *)"SSH-2.0-a\x01\n",
	    11, out, &used, err, sizeof err), WIRE_ERROR);
	assert_string_equal(err, "control character 0x01 in the version line");
	assert_int_equal(wire_banner((const unsigned char *)"HTTP/1.1 400\0\n",
	    14, out, &used, err, sizeof err), WIRE_ERROR);
	memset(long_line, 'a', sizeof long_line);
	memcpy(long_line, "SSH-2.0-", 8);
	assert_int_equal(wire_banner((unsigned char *)long_line,
	    sizeof long_line, out, &used, err, sizeof err), WIRE_ERROR);
	assert_string_equal(err, "version line longer than 255 bytes");
	memset(long_line, 'a', sizeof long_line);
	long_line[sizeof long_line - 1] = '\n';
	assert_int_equal(wire_banner((unsigned char *)long_line,
	    sizeof long_line, out, &used, err, sizeof err), WIRE_MORE);
}

/*
 * A line before the version with a NUL in the first 1024 bytes, running
 * past them: the NUL is named whether the bytes come at once or in
 * pieces (fuzz_handshake found the two ways named different faults).
 */
static void
test_banner_fault_order(void **state)
{
	unsigned char	buf[1100];
	char		out[WIRE_MAX_BANNER + 1], err[256];
	size_t		used, n;
	int		rc;

	(void)state;
	memset(buf, 'N', sizeof buf);
	buf[1000] = '\0';
	for (n = 1; n <= sizeof buf; n++) {
		err[0] = '\0';
		rc = wire_banner(buf, n, out, &used, err, sizeof err);
		if (n <= 1000) {
			assert_int_equal(rc, WIRE_MORE);
			continue;
		}
		assert_int_equal(rc, WIRE_ERROR);
		assert_string_equal(err, "NUL byte before the version line "
		    "(not an SSH server?)");
	}
}

/* One algorithm per key type, RSA as rsa-sha2-512 first. */
static void
test_plan(void **state)
{
	char	*algs[8];
	size_t	 n, i;

	(void)state;
	n = hostsig_plan("ssh-rsa,rsa-sha2-256,ssh-ed25519-cert-v01@openssh.com,"
	    "ecdsa-sha2-nistp384,ssh-dss,rsa-sha2-512,ssh-ed25519", algs, 8);
	assert_int_equal(n, 3);
	assert_string_equal(algs[0], "ssh-ed25519");
	assert_string_equal(algs[1], "ecdsa-sha2-nistp384");
	assert_string_equal(algs[2], "rsa-sha2-512");
	for (i = 0; i < n; i++)
		free(algs[i]);
	assert_null(hostsig_key_type("ssh-dss"));
	assert_string_equal(hostsig_key_type("rsa-sha2-256"), "ssh-rsa");
}

/* Client order decides; refused algorithms are named with the reason. */
static void
test_choose(void **state)
{
	const char	*why;
	char		*c;

	(void)state;
	c = algcheck_choose("aes128-ctr,aes256-ctr", "aes256-ctr,aes128-ctr");
	assert_string_equal(c, "aes128-ctr");
	free(c);
	assert_null(algcheck_choose("aes128-ctr", "aes128-gcm@openssh.com"));
	assert_null(algcheck_choose("a", ""));
	assert_int_equal(algorithms_verdict(ALGO_HOSTKEY, "ssh-ed25519", &why),
	    ALGO_DEFAULT);
	assert_null(why);
	assert_int_equal(algorithms_verdict(ALGO_HOSTKEY, "ssh-rsa", &why),
	    ALGO_IF_RSA_ALLOWED);
	assert_non_null(strstr(why, "SHA-1"));
	/* libssh2 1.11.1 is built without DSA. */
	assert_int_equal(algorithms_verdict(ALGO_HOSTKEY, "ssh-dss", &why),
	    ALGO_UNSUPPORTED);
	assert_int_equal(algorithms_verdict(ALGO_MAC, "hmac-sha1-96", &why),
	    ALGO_REFUSED);
	assert_string_equal(why, "a SHA-1 MAC");
	assert_int_equal(algorithms_verdict(ALGO_MAC, "hmac-sha2-256", &why),
	    ALGO_DEFAULT);
	assert_int_equal(algorithms_verdict(ALGO_CIPHER, "aes256-cbc", &why),
	    ALGO_REFUSED);
	assert_string_equal(why, "a CBC cipher");
	assert_int_equal(algorithms_verdict(ALGO_CIPHER, "no-such-cipher",
	    &why), ALGO_UNSUPPORTED);
}

/*
 * Group exchange lets the server pick a modulus that freezes the event
 * loop: allowed when a hop lists it, never offered by default.
 */
static void
test_group_exchange_opt_in(void **state)
{
	const char	*why;
	char		*kex, *cause = NULL;

	(void)state;
	kex = algorithms_default(ALGO_KEX, 0);
	assert_false(wire_namelist_has(kex,
	    "diffie-hellman-group-exchange-sha256"));
	assert_true(wire_namelist_has(kex, "curve25519-sha256"));
	assert_true(wire_namelist_has(kex, "diffie-hellman-group16-sha512"));
	free(kex);
	assert_int_equal(algorithms_verdict(ALGO_KEX,
	    "diffie-hellman-group-exchange-sha256", &why), ALGO_IF_CONFIGURED);
	assert_non_null(strstr(why, "freezes every tunnel"));
	assert_int_equal(algorithms_check(ALGO_KEX,
	    "diffie-hellman-group-exchange-sha256", 0, &cause), 0);
	assert_null(cause);
}

/* probe's host key preference is exactly what a default hop offers. */
static void
test_default_hostkeys(void **state)
{
	struct config_hop	 hop;
	char			*probe, *offered;

	(void)state;
	memset(&hop, 0, sizeof hop);
	probe = algorithms_default(ALGO_HOSTKEY, 0);
	offered = hostkey_preferences(&hop, NULL, 0);
	assert_non_null(offered);
	assert_string_equal(probe, offered);
	assert_int_equal(strncmp(probe, "ssh-ed25519,", 12), 0);
	assert_false(wire_namelist_has(probe, "ssh-rsa"));
	free(probe);
	free(offered);
	hop.allow_ssh_rsa_sha1 = 1;
	probe = algorithms_default(ALGO_HOSTKEY, 1);
	offered = hostkey_preferences(&hop, NULL, 0);
	assert_string_equal(probe, offered);
	assert_true(wire_namelist_has(probe, "ssh-rsa"));
	free(probe);
	free(offered);
}

/* The server the reports below talk to. */
static enum server_kind test_server_kind = SERVER_OPENSSH;

/*
 * Run probe's report on a server offering KEX, host keys HOSTKEYS, ciphers
 * CIPHERS and MACs MACS both ways; return its exit code, with what it
 * printed in *TEXT.
 */
static int
test_report_lists(const char *kex, const char *hostkeys, const char *ciphers,
    const char *macs, char **text)
{
	struct kexinit	 k;
	const char	*lists[KEXINIT_NLISTS] = {
		kex, hostkeys, ciphers, ciphers, macs, macs, "none", "none",
		"", ""
	};
	size_t		 len;
	FILE		*out;
	int		 i, rc;

	memset(&k, 0, sizeof k);
	for (i = 0; i < KEXINIT_NLISTS; i++)
		k.lists[i] = strdup(lists[i]);
	assert_non_null(out = open_memstream(text, &len));
	rc = algcheck_report(&k, "test:22", test_server_kind, out);
	fclose(out);
	kexinit_clear(&k);
	return rc;
}

/* The same, for a modern server with ciphers aes128-ctr. */
static int
test_report(const char *hostkeys, const char *macs, char **text)
{
	return test_report_lists("curve25519-sha256", hostkeys, "aes128-ctr",
	    macs, text);
}

/*
 * Assert that TEXT, probe's report, asks the server for no algorithm the
 * policy refuses (CBC, RC4, 3DES, SHA-1 or MD5 MACs, SHA-1 key exchange):
 * such a name may appear only in the list of refused ones.
 */
static void
test_no_weak_advice(const char *text)
{
	static const char *const weak[] = {
		"cbc", "arcfour", "3des", "blowfish", "cast128", "-sha1",
		"hmac-md5", "ripemd", "ssh-dss", NULL
	};
	const char	*line, *end;
	char		*copy, *cut, *rest;
	size_t		 i;

	for (line = text; *line != '\0'; line = *end != '\0' ? end + 1 : end) {
		if ((end = strchr(line, '\n')) == NULL)
			end = line + strlen(line);
		copy = strndup(line, (size_t)(end - line));
		/* What is named as refused is not asked for: cut it. */
		if ((cut = strstr(copy, "no setting allows them: ")) != NULL) {
			rest = strstr(cut, "; ");
			if (rest == NULL)
				rest = cut + strlen(cut);
			memmove(cut, rest, strlen(rest) + 1);
		}
		for (i = 0; weak[i] != NULL; i++)
			if (strcasestr(copy, weak[i]) != NULL)
				fail_msg("probe names %s in: %s", weak[i], copy);
		free(copy);
	}
}

/*
 * tinysshd 20230101 as probe read it: chacha20-poly1305 only, with
 * hmac-sha2-256 listed (libssh2 1.11.1 needs a MAC in common even with
 * chacha20). OK, and nothing to enable.
 */
static void
test_report_tinyssh(void **state)
{
	char	*text;

	(void)state;
	assert_int_equal(test_report_lists("curve25519-sha256,"
	    "curve25519-sha256@libssh.org,sntrup761x25519-sha512@openssh.com",
	    "ssh-ed25519", "chacha20-poly1305@openssh.com", "hmac-sha2-256",
	    &text), 0);
	assert_non_null(strstr(text, "\ncipher client->server: "
	    "chacha20-poly1305@openssh.com\n"));
	assert_non_null(strstr(text, "\nmac server->client: hmac-sha2-256\n"));
	assert_null(strstr(text, "NO COMMON"));
	test_no_weak_advice(text);
	free(text);
}

/*
 * chacha20-poly1305 only and no MAC libssh2 has: it cannot work (libssh2
 * still negotiates a MAC), and probe says why and asks for an SHA-2 MAC
 * or AES-GCM, never for anything weaker.
 */
static void
test_report_chacha_no_mac(void **state)
{
	char	*text;

	(void)state;
	assert_int_equal(test_report_lists("curve25519-sha256", "ssh-ed25519",
	    "chacha20-poly1305@openssh.com", "umac-128-etm@openssh.com",
	    &text), 1);
	assert_non_null(strstr(text, "\nmac client->server: NO COMMON "
	    "ALGORITHM: libssh2 1.11.1 wants a MAC in common even with "
	    "chacha20-poly1305@openssh.com, though it does not use it: add "
	    "hmac-sha2-256-etm@openssh.com or hmac-sha2-256 to the server's "
	    "MACs, or aes256-gcm@openssh.com, which needs none, to its "
	    "Ciphers\n"));
	test_no_weak_advice(text);
	free(text);
}

/*
 * chacha20-poly1305 and AES-GCM, UMAC only: a default hop prefers
 * chacha20, and libssh2 then wants a MAC in common, so probe fails as the
 * hop does, without advice to weaken anything.
 */
static void
test_report_chacha_gcm_no_mac(void **state)
{
	char	*text;

	(void)state;
	assert_int_equal(test_report_lists("curve25519-sha256", "ssh-ed25519",
	    "chacha20-poly1305@openssh.com,aes128-gcm@openssh.com",
	    "umac-128-etm@openssh.com", &text), 1);
	assert_non_null(strstr(text, "\ncipher client->server: "
	    "chacha20-poly1305@openssh.com\n"));
	assert_non_null(strstr(text, "wants a MAC in common even with "
	    "chacha20-poly1305@openssh.com"));
	test_no_weak_advice(text);
	free(text);
}

/* AES-GCM only, EtM MACs only: OK, no MAC needed. */
static void
test_report_gcm_etm(void **state)
{
	char	*text;

	(void)state;
	assert_int_equal(test_report_lists("curve25519-sha256", "ssh-ed25519",
	    "aes256-gcm@openssh.com", "hmac-sha2-512-etm@openssh.com,"
	    "umac-128-etm@openssh.com", &text), 0);
	assert_non_null(strstr(text, "\nmac client->server: none needed "
	    "(aes256-gcm@openssh.com)\n"));
	assert_null(strstr(text, "NO COMMON"));
	test_no_weak_advice(text);
	free(text);
}

/*
 * Every cipher and every MAC a hop offers by default, each alone on a
 * server (with an EtM MAC, resp. CTR): OK, never advice to enable
 * anything.
 */
static void
test_report_each_default(void **state)
{
	char	*list, *copy, *next, *name, *text;

	(void)state;
	list = algorithms_default(ALGO_CIPHER, 0);
	copy = next = strdup(list);
	while ((name = strsep(&next, ",")) != NULL) {
		assert_int_equal(test_report_lists("curve25519-sha256",
		    "ssh-ed25519", name, "hmac-sha2-256-etm@openssh.com",
		    &text), 0);
		assert_null(strstr(text, "NO COMMON"));
		test_no_weak_advice(text);
		free(text);
	}
	free(copy);
	free(list);
	list = algorithms_default(ALGO_MAC, 0);
	copy = next = strdup(list);
	while ((name = strsep(&next, ",")) != NULL) {
		assert_int_equal(test_report_lists("curve25519-sha256",
		    "ssh-ed25519", "aes128-ctr", name, &text), 0);
		assert_null(strstr(text, "NO COMMON"));
		free(text);
	}
	free(copy);
	free(list);
}

/*
 * CBC only: refused, named as refused with the reason, and the server is
 * asked for what this build negotiates instead.
 */
static void
test_report_cbc_only(void **state)
{
	char	*text;

	(void)state;
	assert_int_equal(test_report_lists("curve25519-sha256", "ssh-ed25519",
	    "aes128-cbc,aes256-cbc", "hmac-sha2-256", &text), 1);
	assert_non_null(strstr(text, "\ncipher client->server: NO COMMON "
	    "ALGORITHM: common but refused by jumpgate's policy, and no "
	    "setting allows them: aes128-cbc (a CBC cipher), aes256-cbc (a CBC "
	    "cipher); add chacha20-poly1305@openssh.com, aes256-gcm@openssh.com "
	    "or aes128-ctr to the server's Ciphers\n"));
	test_no_weak_advice(text);
	free(text);
}

/*
 * The same from a Dropbear, whose algorithms are chosen when it is built:
 * the advice names no sshd_config setting.
 */
static void
test_report_cbc_only_dropbear(void **state)
{
	char	*text;

	(void)state;
	test_server_kind = SERVER_DROPBEAR;
	assert_int_equal(test_report_lists("curve25519-sha256", "ssh-ed25519",
	    "aes128-cbc,aes256-cbc", "hmac-sha2-256", &text), 1);
	test_server_kind = SERVER_OPENSSH;
	assert_non_null(strstr(text, "add chacha20-poly1305@openssh.com, "
	    "aes256-gcm@openssh.com or aes128-ctr on the server (Dropbear: "
	    "chosen when it is built, in localoptions.h; a Dropbear 2020.79 "
	    "or later built with the defaults has them)\n"));
	assert_null(strstr(text, "Ciphers"));
	assert_null(strstr(text, "sshd_config"));
	free(text);
}

/* A modern server: every list agrees, OK. */
static void
test_report_ok(void **state)
{
	char	*text;

	(void)state;
	assert_int_equal(test_report("rsa-sha2-512,ssh-ed25519",
	    "hmac-sha2-256", &text), 0);
	assert_non_null(strstr(text, "\nhost key: ssh-ed25519\n"));
	assert_non_null(strstr(text, "\nmac server->client: hmac-sha2-256\n"));
	assert_non_null(strstr(text, "\nOK: jumpgate can talk to test:22\n"));
	free(text);
}

/* Only ssh-rsa host keys: fails by default, names the setting and SHA-1. */
static void
test_report_rsa_only(void **state)
{
	char	*text;

	(void)state;
	assert_int_equal(test_report("ssh-rsa", "hmac-sha2-256", &text), 1);
	assert_non_null(strstr(text, "\nhost key: NO COMMON ALGORITHM: ssh-rsa "
	    "is common but left out by default: it would work with "
	    "'allow_ssh_rsa_sha1 = yes' on the hop, which means accepting "
	    "SHA-1 signatures"));
	assert_null(strstr(text, "only as rsa-sha2"));
	assert_non_null(strstr(text, "\nFAIL: jumpgate cannot talk to test:22: "
	    "server_host_key_algorithms has no algorithm in common"));
	free(text);
}

/* Only SHA-1 MACs: refused, why, and that no setting allows it. */
static void
test_report_sha1_mac(void **state)
{
	char	*text;

	(void)state;
	assert_int_equal(test_report("ssh-ed25519", "hmac-sha1", &text), 1);
	assert_non_null(strstr(text, "\nmac client->server: NO COMMON "
	    "ALGORITHM: common but refused by jumpgate's policy, and no "
	    "setting allows them: hmac-sha1 (a SHA-1 MAC); "));
	assert_non_null(strstr(text, "\nmac server->client: NO COMMON "));
	assert_null(strstr(text, "would work with"));
	assert_non_null(strstr(text, "\nFAIL: jumpgate cannot talk to test:22: "
	    "mac_algorithms_client_to_server has no algorithm in common"));
	free(text);
}

/* Run the tests. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_captured),
		cmocka_unit_test(test_packet_truncated),
		cmocka_unit_test(test_payload_truncated),
		cmocka_unit_test(test_oversized),
		cmocka_unit_test(test_bad_fields),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_banner),
		cmocka_unit_test(test_plan),
		cmocka_unit_test(test_choose),
		cmocka_unit_test(test_banner_fault_order),
		cmocka_unit_test(test_group_exchange_opt_in),
		cmocka_unit_test(test_default_hostkeys),
		cmocka_unit_test(test_report_ok),
		cmocka_unit_test(test_report_rsa_only),
		cmocka_unit_test(test_report_sha1_mac),
		cmocka_unit_test(test_report_tinyssh),
		cmocka_unit_test(test_report_chacha_no_mac),
		cmocka_unit_test(test_report_chacha_gcm_no_mac),
		cmocka_unit_test(test_report_gcm_etm),
		cmocka_unit_test(test_report_each_default),
		cmocka_unit_test(test_report_cbc_only),
		cmocka_unit_test(test_report_cbc_only_dropbear),
	};

	return cmocka_run_group_tests(tests, test_setup, NULL);
}

/* Unit tests for server.c: which server a version banner names. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "server.h"

/* Banners as the servers send them, and look-alikes that are not. */
static void
test_server_kind_banners(void **state)
{
	(void)state;
	assert_int_equal(server_kind("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3"),
	    SERVER_OPENSSH);
	assert_int_equal(server_kind("SSH-1.99-OpenSSH_3.9p1"), SERVER_OPENSSH);
	assert_int_equal(server_kind("SSH-2.0-dropbear_2022.83"),
	    SERVER_DROPBEAR);
	assert_int_equal(server_kind("SSH-2.0-dropbear"), SERVER_DROPBEAR);
	assert_int_equal(server_kind("SSH-2.0-tinyssh_noversion"),
	    SERVER_TINYSSH);
	assert_int_equal(server_kind("SSH-2.0-libssh_0.10.4"), SERVER_OTHER);
	/* The software is the field after the protocol version only. */
	assert_int_equal(server_kind("SSH-2.0-Go OpenSSH"), SERVER_OTHER);
	assert_int_equal(server_kind("OpenSSH_9.2"), SERVER_OTHER);
	assert_int_equal(server_kind("SSH-2.0"), SERVER_OTHER);
	assert_int_equal(server_kind(""), SERVER_OTHER);
	assert_int_equal(server_kind(NULL), SERVER_OTHER);
}

/* Advice names each server's own settings, and no OpenSSH one otherwise. */
static void
test_server_advice(void **state)
{
	char	*s;

	(void)state;
	assert_non_null(strstr(server_forwarding_advice(SERVER_OPENSSH, 0),
	    "AllowTcpForwarding and PermitOpen"));
	assert_non_null(strstr(server_forwarding_advice(SERVER_OPENSSH, 1),
	    "PermitListen"));
	assert_non_null(strstr(server_forwarding_advice(SERVER_DROPBEAR, 0),
	    "-j"));
	assert_non_null(strstr(server_forwarding_advice(SERVER_DROPBEAR, 1),
	    "-k"));
	assert_null(strstr(server_forwarding_advice(SERVER_DROPBEAR, 0),
	    "sshd_config"));
	assert_null(strstr(server_forwarding_advice(SERVER_TINYSSH, 1),
	    "sshd_config"));
	assert_null(strstr(server_hostkey_advice(SERVER_DROPBEAR), "HostKey"));
	s = server_algorithms_advice(SERVER_OPENSSH, "Ciphers");
	assert_string_equal(s, "OpenSSH: Ciphers");
	free(s);
	s = server_algorithms_advice(SERVER_DROPBEAR, "Ciphers");
	assert_null(strstr(s, "Ciphers"));
	assert_non_null(strstr(s, "localoptions.h"));
	free(s);
	assert_string_equal(server_kind_name(SERVER_TINYSSH), "tinysshd");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_server_kind_banners),
		cmocka_unit_test(test_server_advice),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

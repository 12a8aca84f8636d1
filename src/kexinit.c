/* SSH_MSG_KEXINIT parsing: see kexinit.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kexinit.h"
#include "wire.h"
#include "xmalloc.h"

static const char *kexinit_list_names[KEXINIT_NLISTS] = {
	"kex_algorithms",
	"server_host_key_algorithms",
	"encryption_algorithms_client_to_server",
	"encryption_algorithms_server_to_client",
	"mac_algorithms_client_to_server",
	"mac_algorithms_server_to_client",
	"compression_algorithms_client_to_server",
	"compression_algorithms_server_to_client",
	"languages_client_to_server",
	"languages_server_to_client"
};

/* The RFC's name of list I. */
const char *
kexinit_list_name(enum kexinit_list i)
{
	if ((unsigned int)i >= KEXINIT_NLISTS)
		return "?";
	return kexinit_list_names[i];
}

/* Read name-list I into K. Returns 0 or -1 with ERR. */
static int
kexinit_get_list(struct wire_reader *r, enum kexinit_list i,
    struct kexinit *k, char *err, size_t errlen)
{
	const unsigned char	*p;
	uint32_t		 n;
	char			 why[128];

	if (wire_get_u32(r, &n) != 0) {
		snprintf(err, errlen, "truncated in the length of %s",
		    kexinit_list_name(i));
		return -1;
	}
	if (n > wire_left(r)) {
		snprintf(err, errlen, "%s: name-list length %u exceeds the "
		    "%zu bytes left in the packet", kexinit_list_name(i), n,
		    wire_left(r));
		return -1;
	}
	(void)wire_get_bytes(r, n, &p);
	if (wire_check_namelist(p, n, why, sizeof why) != 0) {
		snprintf(err, errlen, "%s: %s", kexinit_list_name(i), why);
		return -1;
	}
	k->lists[i] = xstrndup((const char *)p, n);
	return 0;
}

/* Parse a KEXINIT payload, see kexinit.h. */
int
kexinit_parse_payload(const unsigned char *payload, size_t len,
    struct kexinit *k, char *err, size_t errlen)
{
	struct wire_reader	 r;
	const unsigned char	*cookie;
	uint8_t			 msg, follows;
	int			 i;

	memset(k, 0, sizeof *k);
	wire_reader_init(&r, payload, len);
	if (wire_get_u8(&r, &msg) != 0) {
		snprintf(err, errlen, "empty payload");
		return -1;
	}
	if (msg != KEXINIT_MSG) {
		snprintf(err, errlen, "message number %u where KEXINIT (%d) "
		    "was expected", msg, KEXINIT_MSG);
		return -1;
	}
	if (wire_get_bytes(&r, KEXINIT_COOKIE_LEN, &cookie) != 0) {
		snprintf(err, errlen, "truncated in the cookie");
		return -1;
	}
	memcpy(k->cookie, cookie, KEXINIT_COOKIE_LEN);
	for (i = 0; i < KEXINIT_NLISTS; i++) {
		if (kexinit_get_list(&r, i, k, err, errlen) != 0)
			goto bad;
	}
	if (wire_get_u8(&r, &follows) != 0) {
		snprintf(err, errlen, "truncated in first_kex_packet_follows");
		goto bad;
	}
	if (follows > 1) {
		snprintf(err, errlen, "first_kex_packet_follows is %u, not a "
		    "boolean", follows);
		goto bad;
	}
	k->first_kex_packet_follows = follows;
	if (wire_get_u32(&r, &k->reserved) != 0) {
		snprintf(err, errlen, "truncated in the reserved field");
		goto bad;
	}
	if (wire_left(&r) != 0) {
		snprintf(err, errlen, "%zu unexpected bytes after the reserved "
		    "field", wire_left(&r));
		goto bad;
	}
	k->payload = xmalloc(len);
	memcpy(k->payload, payload, len);
	k->payloadlen = len;
	return 0;
bad:
	kexinit_clear(k);
	return -1;
}

/* Parse a packet carrying a KEXINIT, see kexinit.h. */
int
kexinit_parse_packet(const unsigned char *buf, size_t len, struct kexinit *k,
    size_t *used, char *err, size_t errlen)
{
	const unsigned char	*payload;
	size_t			 plen, n;
	int			 rc;

	memset(k, 0, sizeof *k);
	rc = wire_frame(buf, len, &payload, &plen, &n, err, errlen);
	if (rc != WIRE_OK)
		return rc;
	if (kexinit_parse_payload(payload, plen, k, err, errlen) != 0)
		return WIRE_ERROR;
	*used = n;
	return WIRE_OK;
}

/* Free what a parse allocated. */
void
kexinit_clear(struct kexinit *k)
{
	int	i;

	for (i = 0; i < KEXINIT_NLISTS; i++)
		free(k->lists[i]);
	free(k->payload);
	memset(k, 0, sizeof *k);
}

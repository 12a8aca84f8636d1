/*
 * SSH_MSG_KEXINIT (RFC 4253 §7.1): the message in which each side lists
 * the algorithms it speaks. A pure parser, for the server's KEXINIT that
 * jumpgate probe and scan read without authenticating.
 */
#ifndef JUMPGATE_KEXINIT_H
#define JUMPGATE_KEXINIT_H

#include <stddef.h>
#include <stdint.h>

#define KEXINIT_MSG		20
#define KEXINIT_COOKIE_LEN	16
#define KEXINIT_NLISTS		10

/* The ten name-lists, in wire order. */
enum kexinit_list {
	KEXINIT_KEX,
	KEXINIT_HOSTKEY,
	KEXINIT_ENC_CS,
	KEXINIT_ENC_SC,
	KEXINIT_MAC_CS,
	KEXINIT_MAC_SC,
	KEXINIT_COMP_CS,
	KEXINIT_COMP_SC,
	KEXINIT_LANG_CS,
	KEXINIT_LANG_SC
};

struct kexinit {
	unsigned char	 cookie[KEXINIT_COOKIE_LEN];
	char		*lists[KEXINIT_NLISTS];	/* NUL-terminated */
	int		 first_kex_packet_follows;
	uint32_t	 reserved;
	unsigned char	*payload;	/* the whole payload, for the */
	size_t		 payloadlen;	/* exchange hash (I_S) */
};

/* The RFC's name of list I, e.g. "mac_algorithms_client_to_server". */
const char	*kexinit_list_name(enum kexinit_list);

/*
 * Parse the payload of a KEXINIT message (message number included).
 * Returns 0 with K filled (free with kexinit_clear), or -1 with ERR saying
 * precisely what is wrong and where; K is then empty.
 */
int	kexinit_parse_payload(const unsigned char *, size_t,
	    struct kexinit *k, char *err, size_t errlen);

/*
 * Parse an unencrypted binary packet carrying a KEXINIT at the start of
 * BUF. Returns WIRE_OK with K filled and *USED the packet's size,
 * WIRE_MORE when the packet is not complete, WIRE_ERROR with ERR.
 */
int	kexinit_parse_packet(const unsigned char *buf, size_t len,
	    struct kexinit *k, size_t *used, char *err, size_t errlen);

void	kexinit_clear(struct kexinit *);

#endif

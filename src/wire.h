/*
 * SSH wire encoding (RFC 4251 §5, RFC 4253 §4.2 and §6) without any I/O:
 * reading uint32s, strings and name-lists from a buffer, framing an
 * unencrypted binary packet, reading the version line, and building
 * packets. Nothing here trusts a length it has not checked against the
 * bytes it holds.
 */
#ifndef JUMPGATE_WIRE_H
#define JUMPGATE_WIRE_H

#include <stddef.h>
#include <stdint.h>

/* OpenSSH's limit on packet_length; RFC 4253 asks for at least 35000. */
#define WIRE_MAX_PACKET		(256 * 1024)
/* RFC 4253 §4.2: the version line, CR LF included. */
#define WIRE_MAX_BANNER		255
/* Lines a server may send before its version line. */
#define WIRE_MAX_PRELUDE	1024
/* RFC 4251 §6: an algorithm name is at most 64 characters. */
#define WIRE_MAX_NAME		64

/* Results of wire_frame and wire_banner. */
#define WIRE_OK		0
#define WIRE_MORE	1	/* not all there yet: feed more bytes */
#define WIRE_ERROR	(-1)	/* malformed: ERR says how */

/* A cursor over bytes that are not ours. */
struct wire_reader {
	const unsigned char	*p;
	size_t			 len;
	size_t			 off;
};

/* A growable byte buffer; free with wire_buf_free. */
struct wire_buf {
	unsigned char	*p;
	size_t		 len;
	size_t		 cap;
};

void	wire_reader_init(struct wire_reader *, const void *, size_t);
size_t	wire_left(const struct wire_reader *);
/* Each returns 0, or -1 (cursor unmoved) when the bytes run out. */
int	wire_get_u8(struct wire_reader *, uint8_t *);
int	wire_get_u32(struct wire_reader *, uint32_t *);
int	wire_get_u64(struct wire_reader *, uint64_t *);
int	wire_get_bytes(struct wire_reader *, size_t,
	    const unsigned char **);
int	wire_get_string(struct wire_reader *, const unsigned char **,
	    size_t *);

/*
 * Check that the LEN bytes at LIST form a name-list: names of printable
 * US-ASCII without commas or spaces, 1 to WIRE_MAX_NAME characters,
 * separated by single commas (an empty list is valid). Returns 0, or -1
 * with ERR saying what is wrong.
 */
int	wire_check_namelist(const unsigned char *list, size_t len, char *err,
	    size_t errlen);
/* Tell whether NAME is one of the comma-separated LIST (NULL: none). */
int	wire_namelist_has(const char *list, const char *name);

/*
 * Find one unencrypted binary packet at the start of BUF (LEN bytes).
 * WIRE_OK: *PAYLOAD and *PAYLOADLEN are its payload and *USED the bytes
 * it takes; WIRE_MORE: incomplete; WIRE_ERROR: ERR says why.
 */
int	wire_frame(const unsigned char *buf, size_t len,
	    const unsigned char **payload, size_t *payloadlen, size_t *used,
	    char *err, size_t errlen);

/*
 * Find the peer's version line at the start of BUF (LEN bytes), skipping
 * the lines a server may send before it (at most WIRE_MAX_PRELUDE bytes
 * in all). WIRE_OK: the line without CR LF is in OUT (WIRE_MAX_BANNER + 1
 * bytes) and *USED counts every byte up to its end; WIRE_MORE; WIRE_ERROR
 * with ERR (SSH-1 only, overlong, control characters, no version line).
 */
int	wire_banner(const unsigned char *buf, size_t len, char *out,
	    size_t *used, char *err, size_t errlen);

void	wire_buf_free(struct wire_buf *);
void	wire_put(struct wire_buf *, const void *, size_t);
void	wire_put_u8(struct wire_buf *, uint8_t);
void	wire_put_u32(struct wire_buf *, uint32_t);
void	wire_put_string(struct wire_buf *, const void *, size_t);
void	wire_put_cstring(struct wire_buf *, const char *);
/* An mpint from a big-endian unsigned magnitude. */
void	wire_put_mpint(struct wire_buf *, const unsigned char *, size_t);
/* Frame PAYLOAD as an unencrypted packet with random padding into OUT. */
void	wire_packet(struct wire_buf *out, const struct wire_buf *payload);

#endif

/* SSH wire encoding without I/O: see wire.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "log.h"
#include "wire.h"
#include "vis.h"
#include "xmalloc.h"

/* RFC 4253 §6: padding makes an unencrypted packet a multiple of 8. */
#define WIRE_BLOCK		8
#define WIRE_MIN_PADDING	4

/* Start reading LEN bytes at P. */
void
wire_reader_init(struct wire_reader *r, const void *p, size_t len)
{
	r->p = p;
	r->len = len;
	r->off = 0;
}

/* Bytes not read yet. */
size_t
wire_left(const struct wire_reader *r)
{
	return r->len - r->off;
}

/* Read one byte. */
int
wire_get_u8(struct wire_reader *r, uint8_t *v)
{
	if (wire_left(r) < 1)
		return -1;
	*v = r->p[r->off++];
	return 0;
}

/* Read a big-endian uint32. */
int
wire_get_u32(struct wire_reader *r, uint32_t *v)
{
	const unsigned char	*p;

	if (wire_left(r) < 4)
		return -1;
	p = r->p + r->off;
	*v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
	r->off += 4;
	return 0;
}

/* Read a big-endian uint64 (RFC 4251 §5). */
int
wire_get_u64(struct wire_reader *r, uint64_t *v)
{
	uint32_t	hi, lo;

	if (wire_left(r) < 8)
		return -1;
	(void)wire_get_u32(r, &hi);
	(void)wire_get_u32(r, &lo);
	*v = (uint64_t)hi << 32 | lo;
	return 0;
}

/* Point *OUT at the next N bytes. */
int
wire_get_bytes(struct wire_reader *r, size_t n, const unsigned char **out)
{
	if (wire_left(r) < n)
		return -1;
	*out = r->p + r->off;
	r->off += n;
	return 0;
}

/* Read a string (uint32 length and that many bytes). */
int
wire_get_string(struct wire_reader *r, const unsigned char **out,
    size_t *len)
{
	size_t		start = r->off;
	uint32_t	n;

	if (wire_get_u32(r, &n) != 0)
		return -1;
	if (wire_get_bytes(r, n, out) != 0) {
		r->off = start;
		return -1;
	}
	*len = n;
	return 0;
}

/* Check a name-list, see wire.h. */
int
wire_check_namelist(const unsigned char *list, size_t len, char *err,
    size_t errlen)
{
	size_t	i, name = 0, start = 0;

	for (i = 0; i < len; i++) {
		if (list[i] == ',') {
			if (name == 0) {
				snprintf(err, errlen, "empty name at byte %zu",
				    i);
				return -1;
			}
			name = 0;
			start = i + 1;
			continue;
		}
		if (list[i] <= 0x20 || list[i] >= 0x7f) {
			snprintf(err, errlen, "byte 0x%02x at offset %zu is "
			    "not printable US-ASCII", list[i], i);
			return -1;
		}
		if (++name > WIRE_MAX_NAME) {
			snprintf(err, errlen, "name at byte %zu is longer "
			    "than %d characters", start, WIRE_MAX_NAME);
			return -1;
		}
	}
	if (len > 0 && name == 0) {
		snprintf(err, errlen, "empty name at the end");
		return -1;
	}
	return 0;
}

/* Tell whether NAME is one of LIST's names. */
int
wire_namelist_has(const char *list, const char *name)
{
	size_t		 n = strlen(name);
	const char	*p = list, *end;

	if (list == NULL || n == 0)
		return 0;
	for (;;) {
		end = strchr(p, ',');
		if ((end == NULL ? strlen(p) : (size_t)(end - p)) == n &&
		    strncmp(p, name, n) == 0)
			return 1;
		if (end == NULL)
			return 0;
		p = end + 1;
	}
}

/* Find one unencrypted packet, see wire.h. */
int
wire_frame(const unsigned char *buf, size_t len,
    const unsigned char **payload, size_t *payloadlen, size_t *used,
    char *err, size_t errlen)
{
	struct wire_reader	r;
	uint32_t		plen;
	uint8_t			padlen;

	wire_reader_init(&r, buf, len);
	if (wire_get_u32(&r, &plen) != 0)
		return WIRE_MORE;
	if (plen > WIRE_MAX_PACKET) {
		snprintf(err, errlen, "packet_length %u exceeds the %d-byte "
		    "limit", plen, WIRE_MAX_PACKET);
		return WIRE_ERROR;
	}
	if (plen < 1 + WIRE_MIN_PADDING + 1) {
		snprintf(err, errlen, "packet_length %u is too short for a "
		    "message", plen);
		return WIRE_ERROR;
	}
	if ((plen + 4) % WIRE_BLOCK != 0) {
		snprintf(err, errlen, "packet_length %u + 4 is not a multiple "
		    "of %d", plen, WIRE_BLOCK);
		return WIRE_ERROR;
	}
	if (wire_left(&r) < plen)
		return WIRE_MORE;
	(void)wire_get_u8(&r, &padlen);
	if (padlen < WIRE_MIN_PADDING || (size_t)padlen + 1 >= plen) {
		snprintf(err, errlen, "padding_length %u does not fit "
		    "packet_length %u (at least %d, leaving a payload)",
		    padlen, plen, WIRE_MIN_PADDING);
		return WIRE_ERROR;
	}
	*payload = buf + 5;
	*payloadlen = plen - 1 - padlen;
	*used = 4 + (size_t)plen;
	return WIRE_OK;
}

/* Check a version line (without its line end). Returns 0 or -1. */
static int
wire_check_version(const unsigned char *line, size_t len, char *err,
    size_t errlen)
{
	size_t	i;
	char	text[72];

	for (i = 0; i < len; i++) {
		if (line[i] < 0x20 || line[i] == 0x7f) {
			snprintf(err, errlen, "control character 0x%02x in "
			    "the version line", line[i]);
			return -1;
		}
	}
	if ((len >= 8 && memcmp(line, "SSH-2.0-", 8) == 0 && len > 8) ||
	    (len >= 9 && memcmp(line, "SSH-1.99-", 9) == 0 && len > 9))
		return 0;
	(void)vis_text(text, sizeof text, line, len, 0);
	snprintf(err, errlen, "version line '%s' is not SSH-2.0-... or "
	    "SSH-1.99-... (an SSH-1 only server, or not SSH)", text);
	return -1;
}

/* Find the version line, see wire.h. */
int
wire_banner(const unsigned char *buf, size_t len, char *out, size_t *used,
    char *err, size_t errlen)
{
	const unsigned char	*nl;
	size_t			 start = 0, linelen, prelude;

	for (;;) {
		nl = memchr(buf + start, '\n', len - start);
		linelen = nl == NULL ? len - start :
		    (size_t)(nl - (buf + start)) + 1;
		if (len - start >= 4 && memcmp(buf + start, "SSH-", 4) == 0) {
			if (linelen > WIRE_MAX_BANNER) {
				snprintf(err, errlen, "version line longer "
				    "than %d bytes", WIRE_MAX_BANNER);
				return WIRE_ERROR;
			}
			if (nl == NULL)
				return WIRE_MORE;
			linelen--;
			if (linelen > 0 && buf[start + linelen - 1] == '\r')
				linelen--;
			if (wire_check_version(buf + start, linelen, err,
			    errlen) != 0)
				return WIRE_ERROR;
			memcpy(out, buf + start, linelen);
			out[linelen] = '\0';
			*used = (size_t)(nl - buf) + 1;
			return WIRE_OK;
		}
		/* The first fault in byte order, however the bytes came. */
		prelude = start + linelen > WIRE_MAX_PRELUDE ?
		    WIRE_MAX_PRELUDE - start : linelen;
		if (memchr(buf + start, '\0', prelude) != NULL) {
			snprintf(err, errlen, "NUL byte before the version "
			    "line (not an SSH server?)");
			return WIRE_ERROR;
		}
		if (start + linelen > WIRE_MAX_PRELUDE) {
			snprintf(err, errlen, "no SSH version line in the "
			    "first %d bytes (not an SSH server?)",
			    WIRE_MAX_PRELUDE);
			return WIRE_ERROR;
		}
		if (nl == NULL)
			return WIRE_MORE;
		start += linelen;
	}
}

/* Free a buffer's bytes, wiping them (they may hold key material). */
void
wire_buf_free(struct wire_buf *b)
{
	freezero(b->p, b->cap);
	memset(b, 0, sizeof *b);
}

/* Append N bytes. */
void
wire_put(struct wire_buf *b, const void *p, size_t n)
{
	unsigned char	*grown;
	size_t		 cap;

	if (n > SIZE_MAX / 2 - b->len)
		fatal("wire buffer overflow");
	if (b->len + n > b->cap) {
		cap = b->cap == 0 ? 256 : b->cap;
		while (cap < b->len + n)
			cap *= 2;
		grown = xmalloc(cap);
		if (b->len > 0)
			memcpy(grown, b->p, b->len);
		freezero(b->p, b->cap);
		b->p = grown;
		b->cap = cap;
	}
	if (n > 0)
		memcpy(b->p + b->len, p, n);
	b->len += n;
}

/* Append one byte. */
void
wire_put_u8(struct wire_buf *b, uint8_t v)
{
	wire_put(b, &v, 1);
}

/* Append a big-endian uint32. */
void
wire_put_u32(struct wire_buf *b, uint32_t v)
{
	unsigned char	p[4];

	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
	wire_put(b, p, 4);
}

/* Append a string. */
void
wire_put_string(struct wire_buf *b, const void *p, size_t n)
{
	if (n > UINT32_MAX)
		fatal("string too long for the wire: %zu bytes", n);
	wire_put_u32(b, (uint32_t)n);
	wire_put(b, p, n);
}

/* Append a C string as a string. */
void
wire_put_cstring(struct wire_buf *b, const char *s)
{
	wire_put_string(b, s, strlen(s));
}

/* Append an mpint of the unsigned big-endian magnitude P (N bytes). */
void
wire_put_mpint(struct wire_buf *b, const unsigned char *p, size_t n)
{
	while (n > 0 && *p == 0) {
		p++;
		n--;
	}
	if (n > 0 && (*p & 0x80)) {
		wire_put_u32(b, (uint32_t)n + 1);
		wire_put_u8(b, 0);
		wire_put(b, p, n);
	} else
		wire_put_string(b, p, n);
}

/* Frame PAYLOAD as an unencrypted packet into OUT. */
void
wire_packet(struct wire_buf *out, const struct wire_buf *payload)
{
	unsigned char	pad[2 * WIRE_BLOCK];
	size_t		padlen;

	padlen = WIRE_BLOCK - (4 + 1 + payload->len) % WIRE_BLOCK;
	if (padlen < WIRE_MIN_PADDING)
		padlen += WIRE_BLOCK;
	if (RAND_bytes(pad, (int)padlen) != 1)
		fatal("cannot get random bytes for packet padding");
	wire_put_u32(out, (uint32_t)(1 + payload->len + padlen));
	wire_put_u8(out, (uint8_t)padlen);
	wire_put(out, payload->p, payload->len);
	wire_put(out, pad, padlen);
}

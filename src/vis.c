/* Escape untrusted text for terminals and logs; see vis.h. */
#include <stdio.h>
#include <string.h>

#include "vis.h"
#include "xmalloc.h"

#define VIS_ELLIPSIS	"..."

/* Write the escape of byte C to OUT (at least 5 bytes); return its length. */
static size_t
vis_byte(unsigned char c, int flags, char *out)
{
	if (c == '\\' && !(flags & VIS_KEEP_BACKSLASH)) {
		memcpy(out, "\\\\", 2);
		return 2;
	}
	if ((c >= 0x20 && c < 0x7f) || (c == '\n' && (flags & VIS_NEWLINE))) {
		out[0] = (char)c;
		return 1;
	}
	snprintf(out, 5, "\\x%02x", c);
	return 4;
}

/*
 * Copy the escapes of SRC's LEN bytes into DST while they fit in LIMIT
 * characters; return how many characters were written.
 */
static size_t
vis_copy(char *dst, size_t limit, const unsigned char *src, size_t len,
    int flags)
{
	char	esc[5];
	size_t	i, n, used = 0;

	for (i = 0; i < len; i++) {
		n = vis_byte(src[i], flags, esc);
		if (used + n > limit)
			break;
		memcpy(dst + used, esc, n);
		used += n;
	}
	return used;
}

/* Escape LEN bytes at SRC into DST; see vis.h. */
size_t
vis_text(char *dst, size_t size, const void *src, size_t len, int flags)
{
	const unsigned char	*p = src;
	char			 esc[5];
	size_t			 i, need = 0, used;

	for (i = 0; i < len; i++)
		need += vis_byte(p[i], flags, esc);
	if (size == 0)
		return need;
	if (need < size) {
		used = vis_copy(dst, need, p, len, flags);
		dst[used] = '\0';
	} else if (size > sizeof VIS_ELLIPSIS) {
		used = vis_copy(dst, size - sizeof VIS_ELLIPSIS, p, len, flags);
		memcpy(dst + used, VIS_ELLIPSIS, sizeof VIS_ELLIPSIS);
	} else
		dst[0] = '\0';
	return need;
}

/* Return the escaped copy of LEN bytes at SRC; see vis.h. */
char *
vis_dup(const void *src, size_t len, int flags)
{
	size_t	 need = vis_text(NULL, 0, src, len, flags);
	char	*out = xmalloc(need + 1);

	(void)vis_text(out, need + 1, src, len, flags);
	return out;
}

/* Return the escaped copy of the string S; see vis.h. */
char *
vis_str(const char *s)
{
	if (s == NULL)
		return xstrdup("");
	return vis_dup(s, strlen(s), 0);
}

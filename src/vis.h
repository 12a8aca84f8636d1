/*
 * Make text from a server, a peer or a file safe to print: every byte
 * outside printable US-ASCII becomes a \xHH escape, so no terminal
 * control sequence (C0, DEL, C1 such as 0x9b CSI, or UTF-8 that a
 * terminal could read as one) reaches a terminal, a log or a status line.
 */
#ifndef JUMPGATE_VIS_H
#define JUMPGATE_VIS_H

#include <stddef.h>

/* Flags for vis_text. */
#define VIS_NEWLINE	0x1	/* keep '\n' (multi-line replies) */
#define VIS_KEEP_BACKSLASH 0x2	/* leave '\' alone (already escaped text) */

/*
 * Write the escaped form of the LEN bytes at SRC to DST (SIZE bytes,
 * always NUL-terminated when SIZE > 0). A backslash becomes "\\" unless
 * VIS_KEEP_BACKSLASH, so the escaped form is unambiguous. An escape is
 * never cut in half: what does not fit is left out, ending in "...".
 * Returns the length the whole escaped text needs (without the NUL).
 */
size_t	 vis_text(char *dst, size_t size, const void *src, size_t len,
	    int flags);

/* Return the escaped form of the LEN bytes at SRC; caller frees. */
char	*vis_dup(const void *src, size_t len, int flags);

/* Return the escaped form of the C string S (NULL gives ""); caller frees. */
char	*vis_str(const char *s);

#endif

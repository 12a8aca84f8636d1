/* Allocation that never returns NULL: out of memory is fatal. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "xmalloc.h"

/* Allocate SIZE bytes. */
void *
xmalloc(size_t size)
{
	void	*p;

	if ((p = malloc(size == 0 ? 1 : size)) == NULL)
		fatal("out of memory allocating %zu bytes", size);
	return p;
}

/* Allocate NMEMB zeroed elements of SIZE bytes. */
void *
xcalloc(size_t nmemb, size_t size)
{
	void	*p;

	if ((p = calloc(nmemb == 0 ? 1 : nmemb, size == 0 ? 1 : size)) == NULL)
		fatal("out of memory allocating %zu x %zu bytes", nmemb, size);
	return p;
}

/* Resize P to NMEMB elements of SIZE bytes, checking for overflow. */
void *
xreallocarray(void *p, size_t nmemb, size_t size)
{
	void	*n;

	if (size != 0 && nmemb > (size_t)-1 / size)
		fatal("allocation overflow: %zu x %zu bytes", nmemb, size);
	if ((n = realloc(p, nmemb * size == 0 ? 1 : nmemb * size)) == NULL)
		fatal("out of memory allocating %zu x %zu bytes", nmemb, size);
	return n;
}

/* Duplicate a string. */
char *
xstrdup(const char *s)
{
	char	*p;

	if ((p = strdup(s)) == NULL)
		fatal("out of memory duplicating a string");
	return p;
}

/* Duplicate at most N bytes of a string. */
char *
xstrndup(const char *s, size_t n)
{
	char	*p;

	if ((p = strndup(s, n)) == NULL)
		fatal("out of memory duplicating a string");
	return p;
}

/* Format into a new string stored in *RET; returns its length. */
int
xasprintf(char **ret, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vasprintf(ret, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatal("out of memory formatting a string");
	return n;
}

/* Wipe SIZE bytes at P, then free it. */
void
freezero(void *p, size_t size)
{
	if (p == NULL)
		return;
	explicit_bzero(p, size);
	free(p);
}

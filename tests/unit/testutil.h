/* Helpers shared by the unit tests: a work directory, commands and keys. */
#ifndef JUMPGATE_TESTUTIL_H
#define JUMPGATE_TESTUTIL_H

#include <stddef.h>

/* A key made by ssh-keygen, loaded from its .pub file. */
struct testutil_key {
	unsigned char	*blob;		/* decoded; testutil_key_free frees */
	size_t		 len;
	char		 text[1024];	/* "type base64", comment dropped */
	char		 type[64];
	char		 path[512];	/* the .pub file */
};

/* The work directory; everything below it goes at testutil_dir_remove. */
extern char	testutil_dir[256];

int	 testutil_dir_create(const char *);
int	 testutil_dir_remove(void);
void	 testutil_run(const char *, ...)
	    __attribute__((format(printf, 1, 2)));
char	*testutil_file(const char *, ...)
	    __attribute__((format(printf, 1, 2)));
char	*testutil_nofile(void);
char	*testutil_slurp(const char *);
void	 testutil_keygen(struct testutil_key *, const char *, const char *);
void	 testutil_key_free(struct testutil_key *);
void	 testutil_keygen_fp(const char *, char *, size_t);

#endif

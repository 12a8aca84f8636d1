/*
 * OpenSSH user certificates (PROTOCOL.certkeys) for a hop's certificate
 * key: the "TYPE BASE64 [COMMENT]" line ssh-keygen -s writes, the blob in
 * it, and the checks made before it is used: a user certificate, inside
 * its validity window, for the identity's key. Every length in a
 * certificate is checked against the bytes there are; nothing here
 * verifies the CA's signature (the server does).
 */
#ifndef JUMPGATE_CERT_H
#define JUMPGATE_CERT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Largest certificate file read. */
#define CERT_FILE_MAX		(64 * 1024)
/* Most principals in one certificate (OpenSSH's limit too). */
#define CERT_MAX_PRINCIPALS	256
/* Certificate types (PROTOCOL.certkeys). */
#define CERT_TYPE_USER		1
#define CERT_TYPE_HOST		2
/* valid_before of a certificate that never expires. */
#define CERT_FOREVER		UINT64_MAX
/* Room for cert_format_time's text. */
#define CERT_TIME_LEN		32

/* A parsed certificate. Text fields are escaped (vis.h) for printing. */
struct cert {
	unsigned char		*blob;		/* the whole certificate */
	size_t			 bloblen;
	const char		*type;		/* "ssh-ed25519-cert-v01@..." */
	const char		*key_type;	/* "ssh-ed25519" */
	int			 usable;	/* libssh2 can sign for it */
	const unsigned char	*key;		/* public key fields, in blob */
	size_t			 keylen;
	uint64_t		 serial;
	uint32_t		 cert_type;	/* CERT_TYPE_* */
	char			*key_id;
	char			*principals;	/* comma-separated; "" none */
	uint64_t		 valid_after;	/* seconds since the epoch */
	uint64_t		 valid_before;
};

/*
 * Parse the LEN bytes of a certificate blob. Returns the certificate
 * (caller frees with cert_free) or NULL with *CAUSE (caller frees), which
 * says what is wrong without naming a file.
 */
struct cert	*cert_parse(const void *blob, size_t len, char **cause);
/* Likewise for the first line of a certificate file, LEN bytes of TEXT. */
struct cert	*cert_parse_text(const char *text, size_t len, char **cause);
/*
 * Read and parse the certificate file PATH (a symbolic link is followed,
 * as for identity files). Returns it, or NULL with *CAUSE (caller frees)
 * naming PATH and saying what to do.
 */
struct cert	*cert_load(const char *path, char **cause);
void		 cert_free(struct cert *);

/*
 * Check that the certificate from PATH is valid at NOW. Returns 0, or -1
 * with *CAUSE (caller frees) giving the validity window in UTC.
 */
int		 cert_check_time(const struct cert *, const char *path,
		    time_t now, char **cause);
/*
 * Check that the certificate from PATH is for the key of the private key
 * file IDENTITY: in OpenSSH's format its public key is stored unencrypted.
 * Returns 0 when it is, or when that cannot be told without the
 * passphrase or the file (other key formats, unreadable files: the
 * identity is checked again before use); -1 with *CAUSE when it is not.
 */
int		 cert_check_identity(const struct cert *, const char *path,
		    const char *identity, char **cause);

/* Write T as "YYYY-MM-DD HH:MM:SS UTC" (or "forever") into BUF. */
void		 cert_format_time(uint64_t t, char *buf, size_t len);
/*
 * Describe the certificate in one line: key type, key ID, principals and
 * validity window. Caller frees.
 */
char		*cert_describe(const struct cert *);

#endif

/*
 * Authentication of a hop's session: a table of methods (publickey with
 * the identity file or with ssh-agent, keyboard-interactive for a password
 * and a one-time code, password), tried in its order as the server offers
 * them and the hop is configured for, each once, by one loop (hop_auth).
 * A new method is one entry of hop_auth_methods[].
 *
 * libssh2 (1.11.1 too) reports a partial success (sshd's
 * AuthenticationMethods "publickey,keyboard-interactive") as a failure:
 * it drops the flag of
 * SSH_MSG_USERAUTH_FAILURE. After any failure the methods are listed again
 * (a "none" request): if the method just used has left the list, the
 * server took it and wants the others; if it is still there, it failed.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <libssh2.h>

#include "cert.h"
#include "config.h"
#include "hop_int.h"
#include "log.h"
#include "otp.h"
#include "vis.h"
#include "wire.h"
#include "xmalloc.h"

/* Longest prompt text quoted in logs and errors. */
#define AUTH_PROMPT_MAX	80

/* What a method's step did. */
enum hop_auth_result {
	AUTH_SUCCESS,		/* authenticated */
	AUTH_WAIT,		/* call step again when something arrives */
	AUTH_REFUSED,		/* refused: list the methods again, then step
				   again if the server still lists it */
	AUTH_DONE,		/* nothing more to try: next method */
	AUTH_FAILED		/* the hop has been failed */
};

/* Where the loop in hop_auth stands. */
enum hop_auth_phase {
	AUTH_LIST,		/* ask which methods the server takes */
	AUTH_RELIST,		/* a method was refused: partial success? */
	AUTH_NEXT,		/* choose the next method */
	AUTH_STEP		/* the method under way goes on */
};

/*
 * A method: NAME as the protocol says it; ENABLED says whether the hop is
 * configured for it; START prepares it (0, or -1 when the hop has been
 * failed); STEP runs it, called again after AUTH_WAIT and, if the server
 * still lists NAME, after AUTH_REFUSED; CLEANUP drops what it held.
 */
struct hop_auth_method {
	const char	*name;
	int		(*enabled)(const struct config_hop *);
	int		(*start)(struct hop *);
	enum hop_auth_result (*step)(struct hop *);
	void		(*cleanup)(struct hop *);
};

/* Authentication state of one session (hop->auth). */
struct hop_auth {
	enum hop_auth_phase	 phase;
	const struct hop_auth_method *method;	/* the one under way */
	int			 tried;		/* methods begun, by bit */
	int			 partial;	/* methods the server took */
	int			 refused;	/* times the method was refused */
	char			*list;		/* methods the server named last */
	char			*failure;	/* why the last method failed */
	char			*error;		/* a callback's hard failure */

	LIBSSH2_AGENT		*agent;
	struct libssh2_agent_publickey *agent_key;
	int			 agent_tried;	/* agent keys offered */
	int			 agent_trying;	/* agent_key is under way */
	char			*passphrase;
	char			*certificate;	/* cert_describe of it, or NULL */
	char			*password;	/* wiped after each method */
	char			*otp;		/* one-time code, likewise */
	struct otp_job		*otp_job;
};

/* Wipe and free *SECRET. */
static void
hop_auth_wipe(char **secret)
{
	if (*secret != NULL) {
		freezero(*secret, strlen(*secret));
		*secret = NULL;
	}
}

/* Read a secret file of mode 0600; returns it (caller frees) or NULL. */
static char *
hop_read_secret(const char *path, char **cause)
{
	struct stat	 sb;
	char		 buf[1024], *secret;
	ssize_t		 n;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		xasprintf(cause, "cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &sb) == 0 && (sb.st_mode & 077) != 0) {
		xasprintf(cause, "%s is accessible by others (mode %04o); "
		    "run chmod 600 %s", path, (unsigned)(sb.st_mode & 07777),
		    path);
		close(fd);
		return NULL;
	}
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n < 0) {
		xasprintf(cause, "cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	secret = xstrdup(buf);
	explicit_bzero(buf, sizeof buf);
	return secret;
}

/* Return whether the hop has somewhere to take a password from. */
static int
hop_auth_has_password(const struct config_hop *conf)
{
	return conf->password_file != NULL || conf->password_env != NULL;
}

/* Say where the hop's password comes from, for messages. Caller frees. */
static char *
hop_auth_password_source(const struct config_hop *conf)
{
	char	*s;

	if (conf->password_file != NULL)
		xasprintf(&s, "password_file %s", conf->password_file);
	else if (conf->password_env != NULL)
		xasprintf(&s, "password_env %s", conf->password_env);
	else
		s = xstrdup("no password source");
	return s;
}

/* Fetch the hop's password into the auth state; 0, or -1 with *CAUSE. */
static int
hop_auth_load_password(struct hop *hop, char **cause)
{
	const struct config_hop	*conf = hop->conf;
	struct hop_auth		*a = hop->auth;
	const char		*value;

	hop_auth_wipe(&a->password);
	if (conf->password_file != NULL) {
		a->password = hop_read_secret(conf->password_file, cause);
		return a->password != NULL ? 0 : -1;
	}
	if (conf->password_env != NULL) {
		if ((value = getenv(conf->password_env)) == NULL) {
			xasprintf(cause, "password_env names %s, which is not "
			    "set in jumpgate's environment: set it, or use "
			    "password_file", conf->password_env);
			return -1;
		}
		a->password = xstrdup(value);
		return 0;
	}
	return 0;
}

/* Fail the hop with CAUSE and free it; returns -1. */
static int
hop_auth_fail_cause(struct hop *hop, char *cause)
{
	hop_fail(hop, 1, "%s", cause);
	free(cause);
	return -1;
}

/* Check the identity file before use; returns 0 or -1 with *CAUSE. */
static int
hop_check_identity(const char *path, char **cause)
{
	struct stat	sb;
	int		fd;

	if (stat(path, &sb) == -1) {
		xasprintf(cause, "identity %s: %s", path, strerror(errno));
		return -1;
	}
	if ((sb.st_mode & 077) != 0) {
		xasprintf(cause, "identity %s is accessible by others (mode "
		    "%04o); ssh refuses such keys too: run chmod 600 %s",
		    path, (unsigned)(sb.st_mode & 07777), path);
		return -1;
	}
	/* libssh2 would call an unreadable key a format problem. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		xasprintf(cause, "identity %s: %s (jumpgate runs as uid %ld)",
		    path, strerror(errno), (long)geteuid());
		return -1;
	}
	close(fd);
	return 0;
}

/* Remember why the current method failed, for the final error. */
static void
hop_auth_failed(struct hop *hop, const char *fmt, ...)
{
	va_list	ap;

	free(hop->auth->failure);
	va_start(ap, fmt);
	if (vasprintf(&hop->auth->failure, fmt, ap) < 0)
		fatal("out of memory");
	va_end(ap);
}

/* Copy a server's prompt for logs: printable, short. */
static void
hop_auth_prompt_text(const char *text, size_t len, char *out, size_t size)
{
	size_t	n;

	(void)vis_text(out, size < AUTH_PROMPT_MAX + 1 ? size :
	    AUTH_PROMPT_MAX + 1, text, len, 0);
	n = strlen(out);
	while (n > 0 && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
}

/* Return whether a prompt (lower case) asks for a one-time code. */
static int
hop_auth_prompt_is_otp(const char *lower)
{
	static const char *words[] = {
		"one-time", "one time", "otp", "code", "token",
		"verification"
	};
	size_t	i;

	for (i = 0; i < sizeof words / sizeof words[0]; i++) {
		if (strstr(lower, words[i]) != NULL)
			return 1;
	}
	return 0;
}

/*
 * Pick the answer to one prompt: the one-time code, the password, or none
 * (then hop->auth->error says why). Returns the secret or NULL.
 */
static const char *
hop_auth_answer(struct hop *hop, const char *text, int echo)
{
	char		 lower[AUTH_PROMPT_MAX + 1];
	const char	*what = NULL, *answer = NULL;
	size_t		 i;

	for (i = 0; text[i] != '\0'; i++)
		lower[i] = (char)tolower((unsigned char)text[i]);
	lower[i] = '\0';
	if (hop_auth_prompt_is_otp(lower)) {
		what = "one-time code";
		if ((answer = hop->auth->otp) == NULL)
			xasprintf(&hop->auth->error, "the server asks for a "
			    "one-time code ('%s') for %s: set otp_command to a "
			    "command that prints it", text, hop->conf->user);
	} else if (strstr(lower, "password") != NULL || !echo) {
		what = "password";
		if ((answer = hop->auth->password) == NULL)
			xasprintf(&hop->auth->error, "the server asks for a "
			    "password ('%s') for %s: set password_file or "
			    "password_env", text, hop->conf->user);
	} else {
		xasprintf(&hop->auth->error, "the server asks '%s' for %s "
		    "(keyboard-interactive), which jumpgate cannot answer: it "
		    "answers passwords (password_file, password_env) and "
		    "one-time codes (otp_command) only", text, hop->conf->user);
	}
	if (answer != NULL)
		log_debug("hop %s: prompt '%s' answered with the %s",
		    hop->label, text, what);
	return answer;
}

/* libssh2's keyboard-interactive callback: answer every prompt. */
static void
hop_auth_kbdint_cb(const char *name, int name_len, const char *instruction,
    int instruction_len, int num_prompts,
    const LIBSSH2_USERAUTH_KBDINT_PROMPT *prompts,
    LIBSSH2_USERAUTH_KBDINT_RESPONSE *responses, void **abstract)
{
	struct hop	*hop = *abstract;
	char		 text[AUTH_PROMPT_MAX + 1];
	const char	*answer;
	int		 i;

	(void)name;
	(void)name_len;
	(void)instruction;
	(void)instruction_len;
	for (i = 0; i < num_prompts; i++) {
		hop_auth_prompt_text((const char *)prompts[i].text,
		    prompts[i].length, text, sizeof text);
		answer = NULL;
		if (hop->auth->error == NULL)
			answer = hop_auth_answer(hop, text, prompts[i].echo);
		/* libssh2 frees these with the session's (wiping) free. */
		responses[i].text = xstrdup(answer != NULL ? answer : "");
		responses[i].length = (unsigned int)strlen(responses[i].text);
	}
}

/* libssh2's password-change callback: jumpgate never sets a password. */
static void
hop_auth_passwd_change_cb(LIBSSH2_SESSION *session, char **newpw,
    int *newpw_len, void **abstract)
{
	struct hop	*hop = *abstract;

	(void)session;
	*newpw = NULL;
	*newpw_len = 0;
	free(hop->auth->error);
	xasprintf(&hop->auth->error, "the server says the password of %s has "
	    "expired and must be changed: change it by hand (ssh %s@%s) and "
	    "update the hop's password source", hop->conf->user,
	    hop->conf->user, hop->conf->host);
}

/* Return whether the hop has secrets for keyboard-interactive. */
static int
hop_auth_has_secrets(const struct config_hop *conf)
{
	return hop_auth_has_password(conf) || conf->otp_command != NULL;
}

/* The identity method is for a hop with an identity file. */
static int
hop_auth_identity_enabled(const struct config_hop *conf)
{
	return conf->identity != NULL;
}

/*
 * Load the hop's certificate, if it has one, and check that it can be
 * used now. Returns it (caller frees), or NULL with *CAUSE (caller frees)
 * or without when the hop has none.
 */
static struct cert *
hop_auth_certificate(const struct config_hop *conf, char **cause)
{
	struct cert	*c;

	*cause = NULL;
	if (conf->certificate == NULL)
		return NULL;
	if ((c = cert_load(conf->certificate, cause)) == NULL)
		return NULL;
	if (!c->usable) {
		xasprintf(cause, "certificate %s is for an %s key, which "
		    "jumpgate cannot sign with; use an ed25519, ecdsa or rsa key",
		    conf->certificate, c->key_type);
	} else if (cert_check_time(c, conf->certificate, time(NULL),
	    cause) == 0)
		return c;
	cert_free(c);
	return NULL;
}

/* Check the hop's certificate before connecting; see hop_int.h. */
int
hop_auth_precheck(struct hop *hop, char **cause)
{
	struct cert	*c;

	c = hop_auth_certificate(hop->conf, cause);
	cert_free(c);
	return *cause != NULL ? -1 : 0;
}

/* Check the identity file and certificate, and read the passphrase. */
static int
hop_auth_identity_start(struct hop *hop)
{
	const struct config_hop	*conf = hop->conf;
	struct cert		*c;
	char			*cause;

	if (hop_check_identity(conf->identity, &cause) != 0)
		return hop_auth_fail_cause(hop, cause);
	if ((c = hop_auth_certificate(conf, &cause)) == NULL && cause != NULL)
		return hop_auth_fail_cause(hop, cause);
	if (c != NULL) {
		free(hop->auth->certificate);
		hop->auth->certificate = cert_describe(c);
		log_debug("hop %s: offering certificate %s: %s", hop->label,
		    conf->certificate, hop->auth->certificate);
		cert_free(c);
	}
	if (conf->identity_passphrase_file != NULL) {
		hop->auth->passphrase = hop_read_secret(
		    conf->identity_passphrase_file, &cause);
		if (hop->auth->passphrase == NULL)
			return hop_auth_fail_cause(hop, cause);
	}
	return 0;
}

/* Offer the identity file, once. */
static enum hop_auth_result
hop_auth_identity_step(struct hop *hop)
{
	const struct config_hop	*conf = hop->conf;
	struct hop_auth		*a = hop->auth;
	const char		*why;
	int			 rc;

	if (a->refused > 0)
		return AUTH_DONE;
	/* With a certificate, libssh2 offers it instead of the bare key. */
	rc = libssh2_userauth_publickey_fromfile_ex(hop->session, conf->user,
	    strlen(conf->user), conf->certificate, conf->identity,
	    a->passphrase);
	if (rc == LIBSSH2_ERROR_EAGAIN)
		return AUTH_WAIT;
	hop_auth_wipe(&a->passphrase);
	if (rc == 0)
		return AUTH_SUCCESS;
	why = hop_session_error(hop, NULL);
	if (rc == LIBSSH2_ERROR_FILE) {
		hop_fail(hop, 1, "cannot load identity %s%s%s (wrong or missing "
		    "identity_passphrase_file, or an unsupported key format): "
		    "%s", conf->identity, conf->certificate != NULL ?
		    " or certificate " : "", conf->certificate != NULL ?
		    conf->certificate : "", why);
		return AUTH_FAILED;
	}
	if (a->certificate != NULL) {
		hop_auth_failed(hop, "the server refused certificate %s (%s) "
		    "with key %s for user %s (%s); is the CA that signed it in "
		    "the server's TrustedUserCAKeys (or a cert-authority line "
		    "of authorized_keys), and is %s one of its principals (or "
		    "in the server's AuthorizedPrincipalsFile)?",
		    conf->certificate, a->certificate, conf->identity,
		    conf->user, why, conf->user);
		return AUTH_REFUSED;
	}
	hop_auth_failed(hop, "the server refused key %s for user %s (%s); "
	    "is its public key in the server's authorized_keys?",
	    conf->identity, conf->user, why);
	return AUTH_REFUSED;
}

/* Wipe the identity's passphrase; forget the certificate. */
static void
hop_auth_identity_cleanup(struct hop *hop)
{
	hop_auth_wipe(&hop->auth->passphrase);
	free(hop->auth->certificate);
	hop->auth->certificate = NULL;
}

/*
 * The agent method is for a hop without an identity file: with ssh-agent,
 * or, when the hop has no secrets either, to say that it needs one.
 */
static int
hop_auth_agent_enabled(const struct config_hop *conf)
{
	return conf->identity == NULL && (getenv("SSH_AUTH_SOCK") != NULL ||
	    !hop_auth_has_secrets(conf));
}

/* Connect to ssh-agent and list its keys. */
static int
hop_auth_agent_start(struct hop *hop)
{
	struct hop_auth	*a = hop->auth;

	if (getenv("SSH_AUTH_SOCK") == NULL) {
		hop_fail(hop, 1, "no identity configured and SSH_AUTH_SOCK is "
		    "not set: set identity = KEYFILE or start ssh-agent");
		return -1;
	}
	a->agent = libssh2_agent_init(hop->session);
	if (a->agent == NULL || libssh2_agent_connect(a->agent) != 0 ||
	    libssh2_agent_list_identities(a->agent) != 0) {
		hop_fail(hop, 1, "cannot use ssh-agent at %s: %s",
		    getenv("SSH_AUTH_SOCK"), hop_session_error(hop, NULL));
		return -1;
	}
	a->agent_key = NULL;
	a->agent_tried = 0;
	a->agent_trying = 0;
	return 0;
}

/* Offer the agent's next key. */
static enum hop_auth_result
hop_auth_agent_step(struct hop *hop)
{
	const struct config_hop	*conf = hop->conf;
	struct hop_auth		*a = hop->auth;
	int			 rc;

	if (!a->agent_trying) {
		rc = libssh2_agent_get_identity(a->agent, &a->agent_key,
		    a->agent_key);
		if (rc != 0) {
			hop_auth_failed(hop, "the server accepted none of the %d "
			    "keys ssh-agent offered for %s", a->agent_tried,
			    conf->user);
			return AUTH_DONE;
		}
		a->agent_tried++;
		a->agent_trying = 1;
	}
	rc = libssh2_agent_userauth(a->agent, conf->user, a->agent_key);
	if (rc == LIBSSH2_ERROR_EAGAIN)
		return AUTH_WAIT;
	a->agent_trying = 0;
	if (rc == 0)
		return AUTH_SUCCESS;
	log_debug("hop %s: agent key %s refused", hop->label,
	    a->agent_key->comment ? a->agent_key->comment : "");
	return AUTH_REFUSED;
}

/* Let go of ssh-agent. */
static void
hop_auth_agent_cleanup(struct hop *hop)
{
	struct hop_auth	*a = hop->auth;

	if (a->agent != NULL) {
		libssh2_agent_disconnect(a->agent);
		libssh2_agent_free(a->agent);
		a->agent = NULL;
		a->agent_key = NULL;
	}
}

/* The one-time code is there, or otp_command failed. */
static void
hop_auth_otp_done(char *code, const char *error, void *arg)
{
	struct hop	*hop = arg;

	hop->auth->otp_job = NULL;
	if (code == NULL) {
		hop_fail(hop, 1, "%s; no one-time code was sent to the server",
		    error);
		return;
	}
	hop->auth->otp = code;
	hop_kick(hop);
}

/*
 * Begin keyboard-interactive. The libssh2 prompt callback cannot wait, so
 * otp_command runs first, in the background, and its code is kept until
 * the step ends; a code the server then does not ask for is wasted.
 */
static int
hop_auth_kbdint_start(struct hop *hop)
{
	const struct config_hop	*conf = hop->conf;
	struct timeval		 tv = { conf->connect_timeout * 2, 0 };
	char			*cause;

	if (hop_auth_load_password(hop, &cause) != 0)
		return hop_auth_fail_cause(hop, cause);
	if (conf->otp_command == NULL)
		return 0;
	log_debug("hop %s: running otp_command for a one-time code",
	    hop->label);
	hop->auth->otp_job = otp_start(hop->base, conf->otp_command,
	    conf->otp_env, conf->password_env, conf->connect_timeout,
	    hop_auth_otp_done, hop, &cause);
	if (hop->auth->otp_job == NULL)
		return hop_auth_fail_cause(hop, cause);
	/* The command has connect_timeout; the rest of set-up as much. */
	evtimer_add(hop->ev_deadline, &tv);
	return 0;
}

/*
 * After a password or keyboard-interactive attempt returned RC (failures
 * already logged): wipe the password, then done, a hard failure the
 * responder recorded, or refused (partial success?).
 */
static enum hop_auth_result
hop_auth_answered(struct hop *hop, int rc)
{
	hop_auth_wipe(&hop->auth->password);
	if (rc == 0)
		return AUTH_SUCCESS;
	if (hop->auth->error != NULL) {
		hop_fail(hop, 1, "%s", hop->auth->error);
		return AUTH_FAILED;
	}
	return AUTH_REFUSED;
}

/* Answer the server's prompts, once the one-time code is there. */
static enum hop_auth_result
hop_auth_kbdint_step(struct hop *hop)
{
	const struct config_hop	*conf = hop->conf;
	struct hop_auth		*a = hop->auth;
	char			*source;
	int			 rc;

	if (a->otp_job != NULL)
		return AUTH_WAIT;	/* hop_auth_otp_done goes on */
	if (a->refused > 0)
		return AUTH_DONE;
	rc = libssh2_userauth_keyboard_interactive_ex(hop->session,
	    conf->user, strlen(conf->user), hop_auth_kbdint_cb);
	if (rc == LIBSSH2_ERROR_EAGAIN)
		return AUTH_WAIT;
	hop_auth_wipe(&a->otp);
	if (rc != 0 && a->error == NULL) {
		source = hop_auth_password_source(conf);
		hop_auth_failed(hop, "the server refused the keyboard-"
		    "interactive answers for %s (%s%s): check them",
		    conf->user, source, conf->otp_command != NULL ?
		    ", one-time code from otp_command" : "");
		free(source);
	}
	return hop_auth_answered(hop, rc);
}

/* Stop otp_command and wipe the secrets. */
static void
hop_auth_kbdint_cleanup(struct hop *hop)
{
	struct hop_auth	*a = hop->auth;

	if (a->otp_job != NULL) {
		otp_cancel(a->otp_job);
		a->otp_job = NULL;
	}
	hop_auth_wipe(&a->otp);
	hop_auth_wipe(&a->password);
}

/* Fetch the password. */
static int
hop_auth_password_start(struct hop *hop)
{
	char	*cause;

	if (hop_auth_load_password(hop, &cause) != 0)
		return hop_auth_fail_cause(hop, cause);
	return 0;
}

/* Send the password, once. */
static enum hop_auth_result
hop_auth_password_step(struct hop *hop)
{
	const struct config_hop	*conf = hop->conf;
	struct hop_auth		*a = hop->auth;
	char			*source;
	int			 rc;

	if (a->refused > 0)
		return AUTH_DONE;
	rc = libssh2_userauth_password_ex(hop->session, conf->user,
	    strlen(conf->user), a->password, strlen(a->password),
	    hop_auth_passwd_change_cb);
	if (rc == LIBSSH2_ERROR_EAGAIN)
		return AUTH_WAIT;
	if (rc != 0 && a->error == NULL) {
		source = hop_auth_password_source(conf);
		hop_auth_failed(hop, "the server refused the password for %s "
		    "(from %s): check it", conf->user, source);
		free(source);
	}
	return hop_auth_answered(hop, rc);
}

/* Wipe the password. */
static void
hop_auth_password_cleanup(struct hop *hop)
{
	hop_auth_wipe(&hop->auth->password);
}

/* The methods, in the order they are tried. */
static const struct hop_auth_method hop_auth_methods[] = {
	{ "publickey", hop_auth_identity_enabled, hop_auth_identity_start,
	  hop_auth_identity_step, hop_auth_identity_cleanup },
	{ "publickey", hop_auth_agent_enabled, hop_auth_agent_start,
	  hop_auth_agent_step, hop_auth_agent_cleanup },
	{ "keyboard-interactive", hop_auth_has_secrets, hop_auth_kbdint_start,
	  hop_auth_kbdint_step, hop_auth_kbdint_cleanup },
	{ "password", hop_auth_has_password, hop_auth_password_start,
	  hop_auth_password_step, hop_auth_password_cleanup },
};
#define HOP_AUTH_NMETHODS \
	(sizeof hop_auth_methods / sizeof hop_auth_methods[0])

/* Return the bit of method M in tried and partial. */
static int
hop_auth_bit(const struct hop_auth_method *m)
{
	return 1 << (m - hop_auth_methods);
}

/* Name the methods of MASK the server took, comma-separated. Caller frees. */
static char *
hop_auth_names(int mask)
{
	char	*names = NULL, *more;
	size_t	 i;

	for (i = 0; i < HOP_AUTH_NMETHODS; i++) {
		if (!(mask & (1 << i)) || (names != NULL &&
		    wire_namelist_has(names, hop_auth_methods[i].name)))
			continue;
		xasprintf(&more, "%s%s%s", names != NULL ? names : "",
		    names != NULL ? "," : "", hop_auth_methods[i].name);
		free(names);
		names = more;
	}
	return names != NULL ? names : xstrdup("none");
}

/* Fail the hop: no method is left. Returns -1. */
static int
hop_auth_give_up(struct hop *hop)
{
	const struct config_hop	*conf = hop->conf;
	struct hop_auth		*a = hop->auth;
	const char		*list = a->list;
	char			*source, *names;

	if (a->failure != NULL)
		hop_fail(hop, 1, "%s", a->failure);
	else if (a->partial != 0) {
		source = hop_auth_password_source(conf);
		names = hop_auth_names(a->partial);
		hop_fail(hop, 1, "the server accepted %s for %s but also wants "
		    "one of: %s, which this hop cannot answer (%s%s): set "
		    "password_file or password_env%s", names, conf->user, list,
		    source, conf->otp_command != NULL ? ", otp_command" : "",
		    conf->otp_command == NULL ? " (and otp_command for one-time "
		    "codes)" : "");
		free(names);
		free(source);
	} else if (!wire_namelist_has(list, "publickey") &&
	    !hop_auth_has_secrets(conf)) {
		hop_fail(hop, 1, "the server does not accept publickey "
		    "authentication for %s (it offers: %s); for password or "
		    "keyboard-interactive set password_file or password_env "
		    "(and otp_command for one-time codes)", conf->user, list);
	} else {
		hop_fail(hop, 1, "no authentication method left for %s: the "
		    "server offers %s; this hop has %s%s%s", conf->user, list,
		    conf->identity != NULL ? "an identity" : "no identity",
		    hop_auth_has_password(conf) ? ", a password" :
		    ", no password_file or password_env",
		    conf->otp_command != NULL ? ", otp_command" : "");
	}
	return -1;
}

/*
 * Ask the server which methods it takes, into a->list. Returns 0 when
 * listed, 1 to wait, 2 when authenticated already, -1 when failed.
 */
static int
hop_auth_list(struct hop *hop)
{
	const struct config_hop	*conf = hop->conf;
	struct hop_auth		*a = hop->auth;
	const char		*list, *why;
	int			 code;

	list = libssh2_userauth_list(hop->session, conf->user,
	    strlen(conf->user));
	if (list == NULL) {
		if (libssh2_userauth_authenticated(hop->session))
			return 2;
		why = hop_session_error(hop, &code);
		if (code == LIBSSH2_ERROR_EAGAIN)
			return 1;
		hop_fail(hop, 0, "asking for authentication methods: %s", why);
		return -1;
	}
	free(a->list);
	/* The server's words: escaped once, here, for logs and status. */
	a->list = vis_str(list);
	if (a->phase == AUTH_LIST)
		log_debug("hop %s: the server offers %s", hop->label, list);
	return 0;
}

/*
 * After the method under way was refused and the methods were listed
 * again: still listed, it really was refused (step it again: it may have
 * more to try); gone, the server took it and wants more (libssh2 drops
 * the partial-success flag, see above).
 */
static void
hop_auth_relisted(struct hop *hop)
{
	struct hop_auth	*a = hop->auth;

	if (wire_namelist_has(a->list, a->method->name)) {
		a->phase = AUTH_STEP;
		return;
	}
	log_info("hop %s: %s accepted; the server wants more: %s",
	    hop->label, a->method->name, a->list);
	a->partial |= hop_auth_bit(a->method);
	free(a->failure);
	a->failure = NULL;
	a->phase = AUTH_NEXT;
}

/*
 * End the method under way and begin the next one the server lists and
 * the hop is configured for. Returns 0, or -1 when the hop has been failed.
 */
static int
hop_auth_next(struct hop *hop)
{
	struct hop_auth			*a = hop->auth;
	const struct hop_auth_method	*m;
	size_t				 i;

	if (a->method != NULL) {
		a->method->cleanup(hop);
		a->method = NULL;
	}
	for (i = 0; i < HOP_AUTH_NMETHODS; i++) {
		m = &hop_auth_methods[i];
		if (!(a->tried & hop_auth_bit(m)) &&
		    wire_namelist_has(a->list, m->name) &&
		    m->enabled(hop->conf))
			break;
	}
	if (i == HOP_AUTH_NMETHODS)
		return hop_auth_give_up(hop);
	a->method = m;
	a->tried |= hop_auth_bit(m);
	a->refused = 0;
	a->phase = AUTH_STEP;
	return m->start(hop);
}

/* Run authentication as far as it goes; see hop_int.h. */
int
hop_auth(struct hop *hop)
{
	struct hop_auth	*a = hop->auth;
	int		 rc;

	for (;;) {
		switch (a->phase) {
		case AUTH_LIST:
		case AUTH_RELIST:
			if ((rc = hop_auth_list(hop)) != 0)
				return rc == 2 ? 0 : rc;
			if (a->phase == AUTH_RELIST)
				hop_auth_relisted(hop);
			else
				a->phase = AUTH_NEXT;
			continue;
		case AUTH_NEXT:
			if (hop_auth_next(hop) != 0)
				return -1;
			continue;
		case AUTH_STEP:
			break;
		}
		switch (a->method->step(hop)) {
		case AUTH_SUCCESS:
			return 0;
		case AUTH_WAIT:
			return 1;
		case AUTH_FAILED:
			return -1;
		case AUTH_REFUSED:
			a->refused++;
			a->phase = AUTH_RELIST;
			break;
		case AUTH_DONE:
			a->phase = AUTH_NEXT;
			break;
		}
	}
}

/* Start authenticating a session whose host key was verified. */
void
hop_auth_begin(struct hop *hop)
{
	hop_auth_clear(hop);
	hop->auth = xcalloc(1, sizeof *hop->auth);
	hop->auth->phase = AUTH_LIST;
}

/* Forget everything authentication held, wiping secrets. */
void
hop_auth_clear(struct hop *hop)
{
	struct hop_auth	*a = hop->auth;

	if (a == NULL)
		return;
	if (a->method != NULL)
		a->method->cleanup(hop);
	hop_auth_agent_cleanup(hop);
	hop_auth_kbdint_cleanup(hop);
	hop_auth_wipe(&a->passphrase);
	free(a->certificate);
	free(a->list);
	free(a->failure);
	free(a->error);
	free(a);
	hop->auth = NULL;
}

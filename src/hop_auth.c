/*
 * Authentication of a hop's session: publickey (an identity file or
 * ssh-agent), then keyboard-interactive (password and one-time code), then
 * password, as the server offers them and the hop is configured for.
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
#include <unistd.h>

#include <event2/event.h>
#include <libssh2.h>

#include "config.h"
#include "hop_int.h"
#include "log.h"
#include "otp.h"
#include "vis.h"
#include "wire.h"
#include "xmalloc.h"

#define AUTH_PUBLICKEY	0x1
#define AUTH_KBDINT_M	0x2
#define AUTH_PASSWORD_M	0x4

/* Longest prompt text quoted in logs and errors. */
#define AUTH_PROMPT_MAX	80

static int	hop_auth_next(struct hop *);

/* Return the protocol name of a method bit. */
static const char *
hop_auth_method_name(int method)
{
	switch (method) {
	case AUTH_PUBLICKEY:
		return "publickey";
	case AUTH_KBDINT_M:
		return "keyboard-interactive";
	case AUTH_PASSWORD_M:
		return "password";
	}
	return "none";
}

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

/* Fetch the hop's password into hop->password; 0, or -1 with *CAUSE. */
static int
hop_auth_load_password(struct hop *hop, char **cause)
{
	const struct config_hop	*conf = hop->conf;
	const char		*value;

	hop_auth_wipe(&hop->password);
	if (conf->password_file != NULL) {
		hop->password = hop_read_secret(conf->password_file, cause);
		return hop->password != NULL ? 0 : -1;
	}
	if (conf->password_env != NULL) {
		if ((value = getenv(conf->password_env)) == NULL) {
			xasprintf(cause, "password_env names %s, which is not "
			    "set in jumpgate's environment: set it, or use "
			    "password_file", conf->password_env);
			return -1;
		}
		hop->password = xstrdup(value);
		return 0;
	}
	return 0;
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

	free(hop->auth_failure);
	va_start(ap, fmt);
	if (vasprintf(&hop->auth_failure, fmt, ap) < 0)
		fatal("out of memory");
	va_end(ap);
}

/*
 * Begin publickey: with the identity file, else with ssh-agent. Returns
 * as hop_auth does.
 */
static int
hop_auth_publickey(struct hop *hop)
{
	const struct config_hop	*conf = hop->conf;
	char			*cause;

	if (conf->identity != NULL) {
		if (hop_check_identity(conf->identity, &cause) != 0)
			goto fail;
		if (conf->identity_passphrase_file != NULL) {
			hop->passphrase = hop_read_secret(
			    conf->identity_passphrase_file, &cause);
			if (hop->passphrase == NULL)
				goto fail;
		}
		hop->auth_step = AUTH_IDENTITY;
		return hop_auth(hop);
	}
	if (getenv("SSH_AUTH_SOCK") == NULL) {
		hop_fail(hop, 1, "no identity configured and SSH_AUTH_SOCK is "
		    "not set: set identity = KEYFILE or start ssh-agent");
		return -1;
	}
	hop->agent = libssh2_agent_init(hop->session);
	if (hop->agent == NULL || libssh2_agent_connect(hop->agent) != 0 ||
	    libssh2_agent_list_identities(hop->agent) != 0) {
		hop_fail(hop, 1, "cannot use ssh-agent at %s: %s",
		    getenv("SSH_AUTH_SOCK"), hop_session_error(hop, NULL));
		return -1;
	}
	hop->agent_key = NULL;
	hop->agent_tried = 0;
	hop->auth_step = AUTH_AGENT_NEXT;
	return hop_auth(hop);

fail:
	hop_fail(hop, 1, "%s", cause);
	free(cause);
	return -1;
}

/* The one-time code is there, or otp_command failed. */
static void
hop_auth_otp_done(char *code, const char *error, void *arg)
{
	struct hop	*hop = arg;

	hop->otp_job = NULL;
	if (code == NULL) {
		hop_fail(hop, 1, "%s; no one-time code was sent to the server",
		    error);
		return;
	}
	hop->otp = code;
	hop->auth_step = AUTH_KBDINT;
	hop_kick(hop);
}

/*
 * Begin keyboard-interactive. The libssh2 prompt callback cannot wait, so
 * otp_command runs first, in the background, and its code is kept until
 * the step ends; a code the server then does not ask for is wasted.
 */
static int
hop_auth_kbdint(struct hop *hop)
{
	const struct config_hop	*conf = hop->conf;
	struct timeval		 tv = { conf->connect_timeout * 2, 0 };
	char			*cause;

	if (hop_auth_load_password(hop, &cause) != 0)
		goto fail;
	if (conf->otp_command == NULL) {
		hop->auth_step = AUTH_KBDINT;
		return hop_auth(hop);
	}
	log_debug("hop %s: running otp_command for a one-time code",
	    hop->label);
	hop->otp_job = otp_start(hop->base, conf->otp_command, conf->otp_env,
	    conf->password_env, conf->connect_timeout, hop_auth_otp_done, hop,
	    &cause);
	if (hop->otp_job == NULL)
		goto fail;
	/* The command has connect_timeout; the rest of set-up as much. */
	evtimer_add(hop->ev_deadline, &tv);
	hop->auth_step = AUTH_OTP;
	return 1;

fail:
	hop_fail(hop, 1, "%s", cause);
	free(cause);
	return -1;
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
 * (then hop->auth_error says why). Returns the secret or NULL.
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
		if ((answer = hop->otp) == NULL)
			xasprintf(&hop->auth_error, "the server asks for a "
			    "one-time code ('%s') for %s: set otp_command to a "
			    "command that prints it", text, hop->conf->user);
	} else if (strstr(lower, "password") != NULL || !echo) {
		what = "password";
		if ((answer = hop->password) == NULL)
			xasprintf(&hop->auth_error, "the server asks for a "
			    "password ('%s') for %s: set password_file or "
			    "password_env", text, hop->conf->user);
	} else {
		xasprintf(&hop->auth_error, "the server asks '%s' for %s "
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
		if (hop->auth_error == NULL)
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
	free(hop->auth_error);
	xasprintf(&hop->auth_error, "the server says the password of %s has "
	    "expired and must be changed: change it by hand (ssh %s@%s) and "
	    "update the hop's password source", hop->conf->user,
	    hop->conf->user, hop->conf->host);
}

/*
 * Choose the next method: publickey if configured, then keyboard-
 * interactive, then password, each once, as the server lists them.
 */
static int
hop_auth_next(struct hop *hop)
{
	const struct config_hop	*conf = hop->conf;
	const char		*list = hop->auth_list;
	char			*cause, *source;
	int			 secrets;

	secrets = hop_auth_has_password(conf) || conf->otp_command != NULL;
	if (!(hop->auth_tried & AUTH_PUBLICKEY) &&
	    wire_namelist_has(list, "publickey") && (conf->identity != NULL ||
	    getenv("SSH_AUTH_SOCK") != NULL || !secrets)) {
		hop->auth_tried |= hop->auth_method = AUTH_PUBLICKEY;
		return hop_auth_publickey(hop);
	}
	if (!(hop->auth_tried & AUTH_KBDINT_M) &&
	    wire_namelist_has(list, "keyboard-interactive") && secrets) {
		hop->auth_tried |= hop->auth_method = AUTH_KBDINT_M;
		return hop_auth_kbdint(hop);
	}
	if (!(hop->auth_tried & AUTH_PASSWORD_M) &&
	    wire_namelist_has(list, "password") && hop_auth_has_password(conf)) {
		hop->auth_tried |= hop->auth_method = AUTH_PASSWORD_M;
		if (hop_auth_load_password(hop, &cause) != 0) {
			hop_fail(hop, 1, "%s", cause);
			free(cause);
			return -1;
		}
		hop->auth_step = AUTH_PASSWORD;
		return hop_auth(hop);
	}

	if (hop->auth_failure != NULL)
		hop_fail(hop, 1, "%s", hop->auth_failure);
	else if (hop->auth_partial != 0) {
		source = hop_auth_password_source(conf);
		hop_fail(hop, 1, "the server accepted %s for %s but also wants "
		    "one of: %s, which this hop cannot answer (%s%s): set "
		    "password_file or password_env%s", hop_auth_method_name(
		    hop->auth_partial), conf->user, list, source,
		    conf->otp_command != NULL ? ", otp_command" : "",
		    conf->otp_command == NULL ? " (and otp_command for one-time "
		    "codes)" : "");
		free(source);
	} else if (!wire_namelist_has(list, "publickey") && !secrets) {
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
 * The methods listed again after METHOD failed: still listed, it really
 * failed; gone, the server took it and wants more (a partial success).
 */
static int
hop_auth_relisted(struct hop *hop)
{
	int	method = hop->auth_method;

	if (wire_namelist_has(hop->auth_list, hop_auth_method_name(method))) {
		if (method == AUTH_PUBLICKEY && hop->agent != NULL) {
			hop->auth_step = AUTH_AGENT_NEXT;
			return hop_auth(hop);
		}
		return hop_auth_next(hop);
	}
	log_info("hop %s: %s accepted; the server wants more: %s",
	    hop->label, hop_auth_method_name(method), hop->auth_list);
	hop->auth_partial |= method;
	free(hop->auth_failure);
	hop->auth_failure = NULL;
	return hop_auth_next(hop);
}

/* After a method failed: list the methods again. */
static int
hop_auth_relist(struct hop *hop)
{
	hop->auth_step = AUTH_RELIST;
	return hop_auth(hop);
}

/*
 * After a password or keyboard-interactive attempt returned RC (failures
 * already logged): wipe the password, then done, a hard failure the
 * responder recorded, or list the methods again (partial success?).
 */
static int
hop_auth_answered(struct hop *hop, int rc)
{
	hop_auth_wipe(&hop->password);
	if (rc == 0)
		return 0;
	if (hop->auth_error != NULL) {
		hop_fail(hop, 1, "%s", hop->auth_error);
		return -1;
	}
	return hop_auth_relist(hop);
}

/* One step of authentication; see hop_int.h. */
int
hop_auth(struct hop *hop)
{
	const struct config_hop	*conf = hop->conf;
	const char		*list, *why;
	char			*source;
	int			 rc, code;

	switch (hop->auth_step) {
	case AUTH_LIST:
	case AUTH_RELIST:
		list = libssh2_userauth_list(hop->session, conf->user,
		    strlen(conf->user));
		if (list == NULL) {
			if (libssh2_userauth_authenticated(hop->session))
				return 0;
			why = hop_session_error(hop, &code);
			if (code == LIBSSH2_ERROR_EAGAIN)
				return 1;
			hop_fail(hop, 0, "asking for authentication methods: "
			    "%s", why);
			return -1;
		}
		free(hop->auth_list);
		/* The server's words: escaped once, here, for logs and status. */
		hop->auth_list = vis_str(list);
		if (hop->auth_step == AUTH_RELIST)
			return hop_auth_relisted(hop);
		log_debug("hop %s: the server offers %s", hop->label, list);
		return hop_auth_next(hop);

	case AUTH_IDENTITY:
		rc = libssh2_userauth_publickey_fromfile_ex(hop->session,
		    conf->user, strlen(conf->user), NULL, conf->identity,
		    hop->passphrase);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return 1;
		hop_auth_wipe(&hop->passphrase);
		if (rc == 0)
			return 0;
		why = hop_session_error(hop, NULL);
		if (rc == LIBSSH2_ERROR_FILE) {
			hop_fail(hop, 1, "cannot load identity %s (wrong or "
			    "missing identity_passphrase_file, or an unsupported "
			    "key format): %s", conf->identity, why);
			return -1;
		}
		hop_auth_failed(hop, "the server refused key %s for user %s "
		    "(%s); is its public key in the server's authorized_keys?",
		    conf->identity, conf->user, why);
		return hop_auth_relist(hop);

	case AUTH_AGENT_NEXT:
		rc = libssh2_agent_get_identity(hop->agent, &hop->agent_key,
		    hop->agent_key);
		if (rc != 0) {
			hop_auth_failed(hop, "the server accepted none of the %d "
			    "keys ssh-agent offered for %s", hop->agent_tried,
			    conf->user);
			libssh2_agent_disconnect(hop->agent);
			libssh2_agent_free(hop->agent);
			hop->agent = NULL;
			hop->agent_key = NULL;
			return hop_auth_next(hop);
		}
		hop->agent_tried++;
		hop->auth_step = AUTH_AGENT_TRY;
		/* FALLTHROUGH */
	case AUTH_AGENT_TRY:
		rc = libssh2_agent_userauth(hop->agent, conf->user,
		    hop->agent_key);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return 1;
		if (rc == 0)
			return 0;
		log_debug("hop %s: agent key %s refused", hop->label,
		    hop->agent_key->comment ? hop->agent_key->comment : "");
		return hop_auth_relist(hop);

	case AUTH_OTP:
		return 1;	/* hop_auth_otp_done goes on */

	case AUTH_KBDINT:
		rc = libssh2_userauth_keyboard_interactive_ex(hop->session,
		    conf->user, strlen(conf->user), hop_auth_kbdint_cb);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return 1;
		hop_auth_wipe(&hop->otp);
		if (rc != 0 && hop->auth_error == NULL) {
			source = hop_auth_password_source(conf);
			hop_auth_failed(hop, "the server refused the keyboard-"
			    "interactive answers for %s (%s%s): check them",
			    conf->user, source, conf->otp_command != NULL ?
			    ", one-time code from otp_command" : "");
			free(source);
		}
		return hop_auth_answered(hop, rc);

	case AUTH_PASSWORD:
		rc = libssh2_userauth_password_ex(hop->session, conf->user,
		    strlen(conf->user), hop->password, strlen(hop->password),
		    hop_auth_passwd_change_cb);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return 1;
		if (rc != 0 && hop->auth_error == NULL) {
			source = hop_auth_password_source(conf);
			hop_auth_failed(hop, "the server refused the password "
			    "for %s (from %s): check it", conf->user, source);
			free(source);
		}
		return hop_auth_answered(hop, rc);
	}
	return 1;
}

/* Start authenticating a session whose host key was verified. */
void
hop_auth_begin(struct hop *hop)
{
	hop_auth_clear(hop);
	hop->auth_step = AUTH_LIST;
}

/* Forget everything authentication held, wiping secrets. */
void
hop_auth_clear(struct hop *hop)
{
	if (hop->otp_job != NULL) {
		otp_cancel(hop->otp_job);
		hop->otp_job = NULL;
	}
	if (hop->agent != NULL) {
		libssh2_agent_disconnect(hop->agent);
		libssh2_agent_free(hop->agent);
		hop->agent = NULL;
		hop->agent_key = NULL;
	}
	hop_auth_wipe(&hop->passphrase);
	hop_auth_wipe(&hop->password);
	hop_auth_wipe(&hop->otp);
	free(hop->auth_list);
	hop->auth_list = NULL;
	free(hop->auth_failure);
	hop->auth_failure = NULL;
	free(hop->auth_error);
	hop->auth_error = NULL;
	hop->auth_tried = hop->auth_method = hop->auth_partial = 0;
}

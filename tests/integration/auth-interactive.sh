#!/usr/bin/env bash
# Password, keyboard-interactive and one-time codes against real sshd with
# PAM: keyboard-interactive with password_file and with password_env,
# password authentication, a password plus an OATH one-time code from
# otp_command, AuthenticationMethods chains (publickey,keyboard-interactive
# and publickey,password), and clear errors for a wrong password, a chain
# without a password source, a failing or hanging otp_command and a
# password file readable by others. No secret in any log.
#
# sshd names its PAM service after its program name, so it runs through a
# symlink called jg-sshd-kbd-PID with /etc/pam.d/jg-sshd-kbd-PID written for
# this run only (removed on exit). The stacks are Debian's own modules:
# pam_exec compares the typed password (expose_authtok) with the test's;
# pam_oath checks an HOTP code and prompts "One-time password (OATH) for
# `USER':", a prompt that contains "password" but must get the code.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/jumpgate.sh"

if [[ $(id -u) != 0 ]]; then
	echo "SKIP: writing /etc/pam.d needs root" >&2
	exit 77
fi
pam_oath=$(find /lib /usr/lib -name pam_oath.so 2>/dev/null | head -1)
if [[ -z $pam_oath ]] || ! command -v oathtool >/dev/null; then
	jg__hard_error "pam_oath.so or oathtool missing: install the Debian" \
	    "packages libpam-oath and oathtool (scripts/install-deps)"
fi
jg_setup
service=jg-sshd-kbd-$$
pamfile=/etc/pam.d/$service
trap 'rc=$?; rm -f "$pamfile"; (exit $rc); jg__cleanup' EXIT

jg_keygen ed
jg_echo_start target
realsshd=$SSHD
SSHD=$JG_DIR/$service
ln -s "$realsshd" "$SSHD"

secret="pw-$RANDOM$RANDOM-staple"
wrong="pw-wrong-$RANDOM$RANDOM"
printf '%s\n' "$secret" >"$JG_DIR/expected"
printf '%s\n' "$secret" >"$JG_DIR/password"
printf '%s\n' "$wrong" >"$JG_DIR/wrong"
chmod 600 "$JG_DIR/password" "$JG_DIR/wrong" "$JG_DIR/expected"
cat >"$JG_DIR/check-password" <<CHECK
#!/bin/sh
# pam_exec expose_authtok: the typed password on stdin.
IFS= read -r typed || true
[ "\$typed" = "\$(cat '$JG_DIR/expected')" ]
CHECK
chmod 755 "$JG_DIR/check-password"

# HOTP secret; otp.sh prints the code for the next counter and notes every
# code it printed, to check that none reaches a log.
otpkey=$(od -An -tx1 -N20 /dev/urandom | tr -d ' \n')
printf 'HOTP\t%s\t-\t%s\n' "$JG_USER" "$otpkey" >"$JG_DIR/users.oath"
chmod 600 "$JG_DIR/users.oath"
echo 0 >"$JG_DIR/otp-counter"
cat >"$JG_DIR/otp.sh" <<OTP
#!/bin/sh
c=\$(cat '$JG_DIR/otp-counter')
echo \$((c + 1)) >'$JG_DIR/otp-counter'
code=\$(oathtool --hotp -c "\$c" '$otpkey') || exit 1
echo "\$code" >>'$JG_DIR/otp-codes'
echo "\$code"
OTP
chmod 755 "$JG_DIR/otp.sh"

# pam_stack password|password+otp: the PAM stack sshd uses from now on.
pam_stack() {
	{
		echo "auth required pam_exec.so expose_authtok quiet $JG_DIR/check-password"
		if [[ $1 == password+otp ]]; then
			echo "auth required $pam_oath usersfile=$JG_DIR/users.oath window=20"
		fi
		# pam_setcred needs one module that does not ignore it.
		echo "auth required pam_permit.so"
		echo "account required pam_permit.so"
		echo "session required pam_permit.so"
	} >"$pamfile"
}
pam_stack password

common=("UsePAM yes" "PermitRootLogin yes" "LogLevel DEBUG1")
jg_sshd_start kbd "${common[@]}" "KbdInteractiveAuthentication yes" \
    "PasswordAuthentication no" "PubkeyAuthentication no"
jg_sshd_start pw "${common[@]}" "KbdInteractiveAuthentication no" \
    "PasswordAuthentication yes" "PubkeyAuthentication no"
jg_sshd_start chainkbd "${common[@]}" "KbdInteractiveAuthentication yes" \
    "PasswordAuthentication no" \
    "AuthenticationMethods publickey,keyboard-interactive"
jg_sshd_start chainpw "${common[@]}" "KbdInteractiveAuthentication no" \
    "PasswordAuthentication yes" "AuthenticationMethods publickey,password"

# run_case NAME SSHD ok|refused PATTERN HOPLINE...: one jumpgate, one
# tunnel, one client; PATTERN must appear in the log.
run_case() {
	local name=$1 sshd=$2 expect=$3 pattern=$4 upper port pin cfg log
	shift 4
	upper=$(printf '%s' "$sshd" | tr '[:lower:]' '[:upper:]')
	port=${upper}_PORT
	pin=${upper}_HOSTKEY_ED25519
	cfg=$JG_DIR/$name.ini
	log=$JG_DIR/$name.log
	{
		printf '[jumpgate]\nlog_level = debug\n\n'
		printf '[hop h]\nhost = 127.0.0.1\nport = %s\nuser = %s\n' \
		    "${!port}" "$JG_USER"
		printf 'host_key = %s\n' "$(jg_fingerprint "${!pin}")"
		printf '%s\n' "$@"
	} >"$cfg"
	jg_try_tunnel "$cfg" "$log" "$expect" "$pattern"
	jg_pass "$name: $(grep -Eo -- "$pattern.*" "$log" | head -1 | cut -c1-160)"
}

run_case kbd-password-file kbd ok "prompt 'Password:' answered with the password" \
    "password_file = $JG_DIR/password"
grep -q "Accepted keyboard-interactive/pam for $JG_USER" "$KBD_LOG" ||
    jg_fail "sshd kbd did not log a keyboard-interactive login"
export JG_TEST_PASSWORD=$secret
run_case kbd-password-env kbd ok 'hop h: ready' "password_env = JG_TEST_PASSWORD"
unset JG_TEST_PASSWORD
run_case password-env-unset kbd refused \
    'password_env names JG_TEST_PASSWORD, which is not set' \
    "password_env = JG_TEST_PASSWORD"
run_case password pw ok 'hop h: ready' "password_file = $JG_DIR/password"
grep -q "Accepted password for $JG_USER" "$PW_LOG" ||
    jg_fail "sshd pw did not log a password login"
run_case wrong-kbd kbd refused \
    "the server refused the keyboard-interactive answers for $JG_USER \(password_file $JG_DIR/wrong\): check them" \
    "password_file = $JG_DIR/wrong"
run_case wrong-password pw refused \
    "the server refused the password for $JG_USER \(from password_file $JG_DIR/wrong\): check it" \
    "password_file = $JG_DIR/wrong"
chmod 644 "$JG_DIR/wrong"
run_case password-file-mode pw refused \
    "$JG_DIR/wrong is accessible by others \(mode 0644\); run chmod 600" \
    "password_file = $JG_DIR/wrong"
run_case no-password-source kbd refused \
    "the server does not accept publickey authentication for $JG_USER \(it offers: keyboard-interactive\); for password or keyboard-interactive set password_file or password_env"

# Chains: the first method succeeds partially, libssh2 calls it a failure.
run_case chain-kbd chainkbd ok \
    'publickey accepted; the server wants more: keyboard-interactive' \
    "identity = $ED_KEY" "password_file = $JG_DIR/password"
grep -q "Accepted keyboard-interactive/pam for $JG_USER" "$CHAINKBD_LOG" ||
    jg_fail "sshd chainkbd did not log the second method"
run_case chain-password chainpw ok \
    'publickey accepted; the server wants more: password' \
    "identity = $ED_KEY" "password_file = $JG_DIR/password"
grep -q "Accepted password for $JG_USER" "$CHAINPW_LOG" ||
    jg_fail "sshd chainpw did not log the second method"
run_case chain-no-password chainpw refused \
    "the server accepted publickey for $JG_USER but also wants one of: password, which this hop cannot answer" \
    "identity = $ED_KEY"

# A password and a one-time code in one keyboard-interactive exchange.
pam_stack password+otp
run_case otp kbd ok "prompt 'One-time password \(OATH\) for .$JG_USER.:' answered with the one-time code" \
    "password_file = $JG_DIR/password" "otp_command = $JG_DIR/otp.sh"
grep -q "prompt 'Password:' answered with the password" "$JG_DIR/otp.log" ||
    jg_fail "the password prompt was not answered in the OTP case"
# otp_command gets a small environment, never the password's variable,
# and no descriptor but 0, 1 and 2. The dump runs before otp.sh.
cat >"$JG_DIR/otp-dump.sh" <<DUMP
#!/bin/sh
env >'$JG_DIR/otp-child.env'
ls -l /proc/self/fd/ >'$JG_DIR/otp-child.fd'
exec '$JG_DIR/otp.sh'
DUMP
chmod 755 "$JG_DIR/otp-dump.sh"
export JG_TEST_PASSWORD=$secret JG_TEST_LISTED=listed-$$ JG_TEST_UNLISTED=unlisted-$$
run_case otp-env kbd ok "prompt 'One-time password \(OATH\) for .$JG_USER.:' answered with the one-time code" \
    "password_env = JG_TEST_PASSWORD" "otp_command = $JG_DIR/otp-dump.sh" \
    "otp_env = JG_TEST_LISTED"
unset JG_TEST_PASSWORD JG_TEST_LISTED JG_TEST_UNLISTED
env=$JG_DIR/otp-child.env
if grep -qF -e "$secret" -e JG_TEST_PASSWORD -e JG_TEST_UNLISTED "$env"; then
	jg_fail "otp_command saw the password or an unlisted variable: $(tr '\n' ' ' <"$env")"
fi
grep -qx "JG_TEST_LISTED=listed-$$" "$env" ||
    jg_fail "otp_command did not get the otp_env variable: $(tr '\n' ' ' <"$env")"
names=$(sed 's/=.*//' "$env" | grep -vx -e PATH -e HOME -e USER -e LOGNAME \
    -e LANG -e TZ -e JG_TEST_LISTED -e PWD -e SHLVL -e _ -e OLDPWD || true)
[[ -z $names ]] || jg_fail "otp_command got more than its environment: $names"
# ls's own descriptor on /proc/self/fd aside, only 0, 1 and 2.
fds=$(awk '$NF !~ "^/proc/[0-9]+/fd$" && $(NF-1) == "->" { print $(NF-2) "->" $NF }' \
    "$JG_DIR/otp-child.fd" | grep -v -e '^0->' -e '^1->' -e '^2->' || true)
[[ -z $fds ]] || jg_fail "otp_command inherited descriptors: $fds"
jg_pass "otp_command's environment: $(sed 's/=.*//' "$env" | sort | tr '\n' ' ')and descriptors 0-2 only"
cfg=$JG_DIR/otp-env-password.ini
printf '[hop h]\nhost = h\nuser = u\nhost_key = %s\n%s\n%s\n%s\n' \
    "$(jg_fingerprint "$KBD_HOSTKEY_ED25519")" "password_env = JG_TEST_PASSWORD" \
    "otp_command = $JG_DIR/otp.sh" "otp_env = LANGUAGE, JG_TEST_PASSWORD" >"$cfg"
if out=$("$JUMPGATE" check "$cfg" 2>&1); then
	jg_fail "otp_env listing the password_env variable was accepted: $out"
fi
[[ $out == *"$cfg:7: otp_env lists JG_TEST_PASSWORD, the variable password_env names: the password is never handed to otp_command"* ]] ||
    jg_fail "otp_env listing the password variable: unexpected error: $out"
jg_pass "otp_env listing the password_env variable: $(head -1 <<<"$out")"
run_case otp-missing kbd refused \
    "the server asks for a one-time code \('One-time password \(OATH\) for .$JG_USER.:'\) for $JG_USER: set otp_command" \
    "password_file = $JG_DIR/password"
run_case otp-fails kbd refused \
    'otp_command exited with status 3 \(its error output is not logged: run it by hand to see why\); no one-time code was sent' \
    "password_file = $JG_DIR/password" "otp_command = echo oops-not-logged >&2; exit 3"
grep -q oops-not-logged "$JG_DIR/otp-fails.log" &&
    jg_fail "otp_command's error output reached the log"
run_case otp-hangs kbd refused 'otp_command did not finish within 2 s \(connect_timeout\); it was killed' \
    "password_file = $JG_DIR/password" \
    "otp_command = echo \$\$ >$JG_DIR/otp-hang.pid; exec sleep 60" \
    "connect_timeout = 2"
kill -0 "$(cat "$JG_DIR/otp-hang.pid")" 2>/dev/null &&
    jg_fail "the hung otp_command was not killed"
jg_pass "a hung otp_command was killed"

# No secret at any level: the cases ran at debug.
[[ -s $JG_DIR/otp-codes ]] || jg_fail "otp.sh printed no code"
for f in "$JG_DIR"/*.log; do
	if grep -qF -e "$secret" -e "$wrong" "$f" ||
	    grep -qwFf "$JG_DIR/otp-codes" "$f"; then
		jg_fail "a password or one-time code leaked into $f"
	fi
done
jg_pass "no password or one-time code in any of $(ls "$JG_DIR"/*.log | wc -l) logs"

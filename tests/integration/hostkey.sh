#!/usr/bin/env bash
# Host-key verification against real sshd: a wrong pin is refused before any
# authentication; a pin of a non-default key type is steered to; known_hosts
# with [host]:port semantics; tofu records then refuses a changed key;
# insecure warns.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/jumpgate.sh"
jg_setup

jg_keygen user
jg_echo_start target

# Run jumpgate on CONFIG with one tunnel and one client, see jg_try_tunnel.
#   scenario NAME CONFIG expect(ok|refused)
scenario() {
	jg_try_tunnel "$2" "$JG_DIR/$1.log" "$3"
}

# Fail if sshd log FILE shows any authentication attempt.
no_auth_in() {
	if grep -Eq 'userauth-request|Accepted |Failed publickey|Postponed' "$1"; then
		jg_fail "authentication was attempted: $(grep -E 'userauth|Accepted|Failed' "$1" | head -3)"
	fi
}

# 1. Wrong pin: refused, one line naming hop and fingerprints, no auth;
# clients arriving during the backoff are closed at once without any new
# connection to the server.
jg_sshd_start wrongpin
wrong=$(jg_fingerprint "$USER_PUB")
ed=$(jg_fingerprint "$WRONGPIN_HOSTKEY_ED25519")
ec=$(jg_fingerprint "$WRONGPIN_HOSTKEY_ECDSA")
cfg=$JG_DIR/wrongpin.ini
jg_config "$cfg" h wrongpin user "host_key = $wrong"
port=$(jg_free_port)
jg_config_tunnel "$cfg" t "$port" "127.0.0.1:$TARGET_PORT" h
log=$JG_DIR/wrongpin.log
jg_jumpgate_start "$cfg" "$log"
jg_wait_log "$log" 'host key REFUSED' 10 "$JUMPGATE_PID"
before=$(jg_count "$WRONGPIN_LOG" 'Connection from')
for i in 1 2 3; do
	"$JGT" expect-close --connect "127.0.0.1:$port" --timeout 5 >/dev/null ||
	    jg_fail "client $i was not closed during the backoff"
done
after=$(jg_count "$WRONGPIN_LOG" 'Connection from')
[[ $after -eq $before ]] ||
    jg_fail "clients during the backoff caused $((after - before)) new connections to sshd"
jg_jumpgate_stop "$log"
line=$(grep 'host key REFUSED' "$log" | head -1)
[[ -n $line ]] || jg_fail "no refusal logged"
for want in "hop h:" "$wrong" "$ed" "$ec" "no authentication was attempted"; do
	[[ $line == *"$want"* ]] || jg_fail "refusal line lacks '$want': $line"
done
[[ $(jg_count "$log" 'host key REFUSED') -ge 1 ]]
grep -q 'hop h: .*ready' "$log" && jg_fail "hop became ready with a wrong pin"
no_auth_in "$WRONGPIN_LOG"
grep -q 'connection from .* closed (host key REFUSED' "$log" ||
    jg_fail "the waiting client was not closed with the reason"
jg_pass "wrong pin refused before authentication: $line"

# 2. A pin of the ECDSA key: jumpgate asks for that type and succeeds.
jg_sshd_start steer
cfg=$JG_DIR/steer.ini
jg_config "$cfg" h steer user "host_key = $(jg_fingerprint "$STEER_HOSTKEY_ECDSA")"
scenario steer "$cfg" ok
grep -q "matches a host_key pin" "$JG_DIR/steer.log" ||
    jg_fail "ECDSA pin not reported as matched"
grep -q "(ecdsa-sha2-nistp256) matches" "$JG_DIR/steer.log" ||
    jg_fail "the ECDSA key was not the one verified"
jg_pass "a pin of the ECDSA host key is steered to and trusted"

# 3. known_hosts, strict: [host]:port entry trusted; a bare-host entry for a
# non-22 port is not (OpenSSH semantics, unlike libssh2's fallback).
jg_sshd_start known
kh=$JG_DIR/known_hosts
jg_known_hosts known "$kh"
cfg=$JG_DIR/known.ini
jg_config "$cfg" h known user "known_hosts = $kh"
scenario known "$cfg" ok
grep -q "matches $kh:" "$JG_DIR/known.log" || jg_fail "known_hosts match not logged"
bare=$JG_DIR/known_hosts.bare
sed 's/^\[127.0.0.1\]:[0-9]*/127.0.0.1/' "$kh" >"$bare"
cfg=$JG_DIR/bare.ini
jg_config "$cfg" h known user "known_hosts = $bare"
scenario bare "$cfg" refused
grep -q 'host key REFUSED.*is not in' "$JG_DIR/bare.log" ||
    jg_fail "bare-host entry satisfied a non-22 port"
jg_pass "known_hosts: [host]:port entry trusted, bare-host entry not used for port $KNOWN_PORT"

# 4. tofu: first key recorded (0600, readable by ssh-keygen -F), then a
# changed key is refused with no authentication.
jg_sshd_start tofu
kh=$JG_DIR/tofu_known_hosts
cfg=$JG_DIR/tofu.ini
jg_config "$cfg" h tofu user "known_hosts = $kh" "host_key_policy = tofu"
scenario tofu "$cfg" ok
[[ -f $kh ]] || jg_fail "tofu did not create $kh"
[[ $(stat -c %a "$kh") == 600 ]] || jg_fail "tofu file mode is $(stat -c %a "$kh")"
ssh-keygen -F "[127.0.0.1]:$TOFU_PORT" -f "$kh" >/dev/null ||
    jg_fail "ssh-keygen -F cannot find the recorded key"
grep -q 'first use: recorded' "$JG_DIR/tofu.log" || jg_fail "tofu record not logged"
jg_pass "tofu recorded the first key in $kh (mode 600)"

jg_sshd_rekey tofu
: >"$TOFU_LOG"
sed -i '/^\[tunnel/,$d' "$cfg"
scenario tofu2 "$cfg" refused
grep -q 'host key REFUSED.*MAN-IN-THE-MIDDLE' "$JG_DIR/tofu2.log" ||
    jg_fail "a changed key was not refused as a possible MITM"
no_auth_in "$TOFU_LOG"
[[ $(grep -c . "$kh") -eq 1 ]] || jg_fail "tofu recorded the changed key"
jg_pass "tofu: the changed key was refused, nothing authenticated or recorded"

# 5. insecure: works, with a warning on connect.
cfg=$JG_DIR/insecure.ini
jg_config "$cfg" h tofu user "host_key_policy = insecure"
scenario insecure "$cfg" ok
grep -q 'warn: hop h: host key .* WITHOUT verification' "$JG_DIR/insecure.log" ||
    jg_fail "insecure policy did not warn"
jg_pass "insecure: accepted with a warning"

# 5b. insecure does not let a man in the middle switch key types: the
# server presents only ed25519 while known_hosts knows the host by its
# ECDSA key; the hop asks for ECDSA only and refuses, as strict does.
jg_sshd_start onetype "HostKeyAlgorithms ssh-ed25519"
kh=$JG_DIR/onetype_known_hosts
jg_known_hosts onetype | grep ecdsa >"$kh"
cfg=$JG_DIR/onetype.ini
jg_config "$cfg" h onetype user "known_hosts = $kh" "host_key_policy = insecure"
scenario onetype "$cfg" refused
grep -q 'WITHOUT verification' "$JG_DIR/onetype.log" &&
    jg_fail "insecure accepted an ed25519 key for a host known by ECDSA"
grep -q 'hop h: .*ready' "$JG_DIR/onetype.log" &&
    jg_fail "the hop became ready with a key type known_hosts does not list"
grep -Eq 'REFUSED|no (common|matching) host key' "$JG_DIR/onetype.log" ||
    jg_fail "no refusal logged: $(grep -m3 'hop h' "$JG_DIR/onetype.log")"
no_auth_in "$ONETYPE_LOG"
jg_pass "insecure: a host known by ECDSA presenting ed25519 is refused: $(grep -m1 -E 'REFUSED|host key' "$JG_DIR/onetype.log")"

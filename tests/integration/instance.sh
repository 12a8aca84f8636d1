#!/usr/bin/env bash
# A running instance stays reachable from the command line whatever the file
# says now: with control_socket set, a typo elsewhere still lets status and
# reload find it, and both show the FILE:LINE errors; reload's exit code
# comes from the reply's status line; a second run of the same file names
# the running instance (pid, socket) instead of a taken port. Data keeps
# flowing (SHA-256 checked) through all of it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/jumpgate.sh"
jg_setup

jg_keygen user
jg_sshd_start bastion
jg_echo_start target
pin=$(jg_fingerprint "$BASTION_HOSTKEY_ED25519")
port=$(jg_free_port)
ctldir=$JG_DIR/ctl
mkdir -m 700 "$ctldir"
sock=$ctldir/dev.sock

cfg=$JG_DIR/dev.ini
jg_config "$cfg" bastion bastion user "host_key = $pin"
sed -i "s|^log_level = info|log_level = info\ncontrol_socket = $sock|" "$cfg"
jg_config_tunnel "$cfg" echo "$port" "127.0.0.1:$TARGET_PORT" bastion
log=$JG_DIR/jumpgate.log
jg_jumpgate_start "$cfg" "$log"
jg_wait_log "$log" 'hop bastion: ready' 10 "$JUMPGATE_PID"
[[ -S $sock ]] || jg_fail "no control socket at $sock"
# The default socket must not be the one that answers below.
[[ ! -e $XDG_RUNTIME_DIR/jumpgate/dev.sock ]] || jg_fail "a socket at the default path"

# Run jumpgate with "$@": sets rc, out (stdout) and err (stderr).
run() {
	set +e
	"$JUMPGATE" "$@" >"$JG_DIR/out" 2>"$JG_DIR/err"
	rc=$?
	set -e
	out=$(cat "$JG_DIR/out")
	err=$(cat "$JG_DIR/err")
}

# echo_ok WHAT: 1 MiB through the tunnel with matching checksums.
echo_ok() {
	local got
	got=$("$JGT" client --connect "127.0.0.1:$port" --bytes 1M --timeout 30) ||
	    jg_fail "$1: the tunnel does not serve: $got"
}

run status "$cfg"
[[ $rc -eq 0 && -z $err && $out == *"echo "*listening* ]] ||
    jg_fail "status of a good file: rc $rc: $out $err"
echo_ok "a good file"
jg_pass "status answers on control_socket $sock"

# A typo after control_socket: status still finds the instance, exit 0,
# and shows the errors on stderr.
cp "$cfg" "$cfg.good"
sed -i 's/^connect_timeout = /conect_timeout = /' "$cfg"
printf '[tunnel broken]\nlisten = nonsense\nvia = nowhere\n' >>"$cfg"
typo_line=$(grep -n '^conect_timeout' "$cfg" | cut -d: -f1)
run status "$cfg"
[[ $rc -eq 0 ]] || jg_fail "status of a running instance whose file has a typo exited $rc: $err"
[[ $out == *"echo "*listening* ]] || jg_fail "status did not show the instance: $out"
for want in "$cfg:$typo_line: unknown key 'conect_timeout'" \
    ": bad listen address 'nonsense'" "via 'nowhere' names no hop" \
    "$cfg: 4 errors (the running instance keeps the configuration it loaded; a reload would refuse this file)"; do
	[[ $err == *"$want"* ]] || jg_fail "status did not show '$want': $err"
done
[[ $err != *"no jumpgate is answering"* ]] || jg_fail "status looked at the wrong socket: $err"
jg_pass "status with a typo in the file: the instance answers (exit 0), 4 FILE:LINE errors on stderr"

# reload of that file: the instance's own FILE:LINE errors, exit 1 from
# the reply's status line; the old configuration keeps serving.
run reload "$cfg"
[[ $rc -eq 1 ]] || jg_fail "reload of a file with errors exited $rc: $out $err"
for want in ":$typo_line: unknown key 'conect_timeout'" \
    "still running the previous configuration"; do
	[[ $out == *"$want"* ]] || jg_fail "reload did not show '$want': $out"
done
echo_ok "after a refused reload"
jg_pass "reload of a file with a typo: errors with FILE:LINE, exit 1, the old configuration serves"

# An error that would look like success in the old text protocol.
cp "$cfg.good" "$cfg"
run reload "$cfg"
[[ $rc -eq 0 && $out == *": reloaded: hops 1 kept"* ]] ||
    jg_fail "reload of the fixed file: rc $rc: $out $err"
jg_pass "reload of the fixed file: exit 0 ($out)"

# The reply starts with its status line, on the wire.
reply=$(socat - "UNIX-CONNECT:$sock" <<<status)
[[ $(head -n1 <<<"$reply") == ok ]] || jg_fail "status reply does not start with ok: $reply"
reply=$(socat - "UNIX-CONNECT:$sock" <<<bogus)
[[ $(head -n1 <<<"$reply") == error && $reply == *"unknown command 'bogus'"* ]] ||
    jg_fail "an unknown command is not an error reply: $reply"
jg_pass "control replies start with ok / error"

# A second run of the same file: named as already running, with its pid
# and socket; no listener was opened, the first instance still serves.
set +e
out=$(timeout 10 "$JUMPGATE" run "$cfg" 2>&1)
rc=$?
set -e
[[ $rc -eq 1 ]] || jg_fail "a second run exited $rc: $out"
want="$cfg is already running: jumpgate pid $JUMPGATE_PID answers on control socket $sock"
[[ $out == *"$want"* ]] || jg_fail "a second run did not say '$want': $out"
[[ $out != *"required = no"* && $out != *"Address already in use"* ]] ||
    jg_fail "a second run still blames the port: $out"
echo_ok "after a second run"
jg_pass "a second run: '$want', exit 1; the first still serves"

# The same with -d: said on stderr before detaching.
set +e
out=$(timeout 10 "$JUMPGATE" run -d "$cfg" 2>&1)
rc=$?
set -e
[[ $rc -eq 1 && $out == *"$want"* ]] || jg_fail "run -d of a running file: rc $rc: $out"
jg_pass "run -d of a running file says so too, exit 1"

jg_jumpgate_stop "$log"
run status "$cfg"
[[ $rc -eq 1 && $err == *"no jumpgate is answering on $sock"*"start one with 'jumpgate run -d $cfg'"* ]] ||
    jg_fail "status after stop: rc $rc: $err"
jg_pass "after stop, status names the configured socket and how to start"

#!/usr/bin/env bash
# A running instance stays reachable from the command line whatever the file
# says now: with control_socket set, a typo elsewhere still lets status and
# reload find it, and both show the FILE:LINE errors; reload's exit code
# comes from the reply's status line; a second run of the same file names
# the running instance (pid, socket) instead of a taken port. Data keeps
# flowing (SHA-256 checked) through all of it. status starts with a summary
# line, coloured on a terminal only (not with NO_COLOR); --watch repeats
# it every second until SIGINT.
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

# status for a glance: a summary line first, with the connections held.
jg_bg "$JG_DIR/hold.log" "$JGT" hold --connect "127.0.0.1:$port" --conns 3 \
    --seconds 60 >/dev/null
hold=$JG_LAST_PID
jg_wait_log "$JG_DIR/hold.log" '3 of 3 connected' 10
sleep 0.3
run status "$cfg"
summary=$(head -n1 <<<"$out")
[[ $rc -eq 0 && $summary =~ ^dev:\ 1/1\ hops\ ready,\ 1\ tunnel,\ 3\ connections,\ up\ [0-9]+s$ ]] ||
    jg_fail "status summary line: '$summary' (rc $rc)"
[[ $(sed -n 2p <<<"$out") == "" && $(sed -n 3p <<<"$out") == CHAIN* ]] ||
    jg_fail "the table does not follow the summary and a blank line: $out"
[[ $out != *$'\e'* ]] || jg_fail "colour on a pipe: $out"
jg_pass "status summary: $summary"

# Colour only on a terminal (script(1) gives it one), never with NO_COLOR.
script -qec "'$JUMPGATE' status '$cfg'" /dev/null >"$JG_DIR/tty.out" </dev/null ||
    jg_fail "status on a terminal failed: $(cat "$JG_DIR/tty.out")"
grep -q $'^\e\\[1;32mdev: 1/1 hops ready' "$JG_DIR/tty.out" ||
    jg_fail "no green summary on a terminal: $(cat -v "$JG_DIR/tty.out")"
NO_COLOR=1 script -qec "'$JUMPGATE' status '$cfg'" /dev/null >"$JG_DIR/nocolor.out" </dev/null ||
    jg_fail "status with NO_COLOR failed"
! grep -q $'\e' "$JG_DIR/nocolor.out" ||
    jg_fail "colour despite NO_COLOR: $(cat -v "$JG_DIR/nocolor.out")"
grep -q '^dev: 1/1 hops ready' "$JG_DIR/nocolor.out" || jg_fail "no summary with NO_COLOR"
jg_pass "status colours its summary on a terminal only, and not with NO_COLOR"

# --watch: asks every second until SIGINT, then exits 0.
set +e
timeout --preserve-status -s INT 3.5 "$JUMPGATE" status --watch "$cfg" >"$JG_DIR/watch.out" 2>&1
rc=$?
set -e
frames=$(grep -c '^dev: 1/1 hops ready, 1 tunnel, 3 connections' "$JG_DIR/watch.out" || true)
[[ $rc -eq 0 ]] || jg_fail "status --watch exited $rc on SIGINT: $(cat "$JG_DIR/watch.out")"
(( frames >= 3 && frames <= 5 )) || jg_fail "status --watch showed $frames frames in 3.5 s: $(cat "$JG_DIR/watch.out")"
jg_pass "status --watch: $frames frames in 3.5 s, exit 0 on SIGINT"
jg_stop "$hold"

jg_jumpgate_stop "$log"
run status "$cfg"
[[ $rc -eq 1 && $err == *"no jumpgate is answering on $sock"*"start one with 'jumpgate run -d $cfg'"* ]] ||
    jg_fail "status after stop: rc $rc: $err"
jg_pass "after stop, status names the configured socket and how to start"

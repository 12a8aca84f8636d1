#!/usr/bin/env bash
# Running as a service: status (table and JSON) reflects states, counts and
# bytes; reload keeps a live connection through an unchanged tunnel, starts
# an added one, moves a changed one, closes a removed one and keeps the old
# config when the new file is invalid (also on SIGHUP); SIGTERM drains a
# transfer that ends in time and cuts one that does not; systemd notify;
# -d with a pidfile; the control socket is 0600 and refuses other users.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/jumpgate.sh"
jg_setup

jg_keygen user
jg_sshd_start bastion
jg_echo_start target
pin="host_key = $(jg_fingerprint "$BASTION_HOSTKEY_ED25519")"

# Write the service config with tunnels: NAME:LISTENPORT ...
write_cfg() {
	local cfg=$1 spec
	shift
	jg_config "$cfg" bastion bastion user "$pin"
	sed -i 's/^log_level = info/log_level = info\nshutdown_timeout = 8/' "$cfg"
	for spec in "$@"; do
		jg_config_tunnel "$cfg" "${spec%%:*}" "${spec#*:}" \
		    "127.0.0.1:$TARGET_PORT" bastion
	done
}

cfg=$JG_DIR/svc.ini
log=$JG_DIR/svc.log
pa=$(jg_free_port); pb=$(jg_free_port); pc=$(jg_free_port); pb2=$(jg_free_port)
write_cfg "$cfg" "keep:$pa" "move:$pb" "drop:$pc"

# systemd notify: a datagram socket that records what jumpgate says.
notify=$JG_DIR/notify.sock
jg_bg "$JG_DIR/notify.log" socat -u "UNIX-RECV:$notify" STDOUT >/dev/null
for ((i = 0; i < 50; i++)); do [[ -S $notify ]] && break; sleep 0.1; done
NOTIFY_SOCKET=$notify jg_jumpgate_start "$cfg" "$log"
jg_wait_log "$log" 'hop bastion: ready' 10 "$JUMPGATE_PID"
jg_wait_log "$JG_DIR/notify.log" 'READY=1' 5
jg_wait_log "$JG_DIR/notify.log" 'STATUS=1/1 hops ready, 3 tunnels' 10
jg_pass "systemd notify: READY=1 and STATUS= received"

# The control socket: 0600, our user only.
sock=$XDG_RUNTIME_DIR/jumpgate/svc.sock
[[ -S $sock ]] || jg_fail "no control socket at $sock"
[[ $(stat -c %a "$sock") == 600 ]] || jg_fail "control socket mode $(stat -c %a "$sock")"
chmod 755 "$JG_DIR" "$XDG_RUNTIME_DIR" "$XDG_RUNTIME_DIR/jumpgate"
if out=$(su nobody -s /bin/sh -c "'$JUMPGATE' status '$cfg'" 2>&1); then
	jg_fail "another user could read the status: $out"
fi
chmod 700 "$XDG_RUNTIME_DIR/jumpgate"
jg_pass "control socket $sock is 0600; user nobody was refused ($out)"

# status reflects bytes and connections measured here.
"$JGT" client --connect "127.0.0.1:$pa" --bytes 1M --timeout 30 >/dev/null
"$JGT" client --connect "127.0.0.1:$pa" --bytes 2M --timeout 30 >/dev/null
jg_bg "$JG_DIR/hold.log" "$JGT" hold --connect "127.0.0.1:$pb" --conns 3 \
    --seconds 60 >/dev/null
hold=$JG_LAST_PID
jg_wait_log "$JG_DIR/hold.log" '3 of 3 connected' 10
sleep 0.3
json=$("$JUMPGATE" status --json "$cfg")
jq -e . >/dev/null <<<"$json" || jg_fail "status --json is not JSON: $json"
check() {
	local got
	got=$(jq -r "$1" <<<"$json")
	[[ $got == "$2" ]] || jg_fail "status: $1 is '$got', expected '$2' in $json"
}
check '.hops[0].chain' bastion
check '.hops[0].state' ready
check '.hops[0].fingerprint' "$(jg_fingerprint "$BASTION_HOSTKEY_ED25519")"
check '.tunnels | length' 3
check '.tunnels[] | select(.name == "keep") | .bytes_up' $((3 * 1048576))
check '.tunnels[] | select(.name == "keep") | .bytes_down' $((3 * 1048576))
check '.tunnels[] | select(.name == "keep") | .active' 0
check '.tunnels[] | select(.name == "move") | .active' 3
check '.tunnels[] | select(.name == "move") | .state' listening
check '.tunnels[] | select(.name == "drop") | .type' local
table=$("$JUMPGATE" status "$cfg")
grep -Eq "^bastion +ready " <<<"$table" || jg_fail "table lacks the hop: $table"
grep -Eq "^keep +local +127.0.0.1:$pa +127.0.0.1:$TARGET_PORT +bastion +listening +0 +3145728 +3145728 " <<<"$table" ||
    jg_fail "table row for keep is wrong: $table"
grep -Eq "^move .* 3 +0 +0 " <<<"$table" || jg_fail "table row for move is wrong: $table"
jg_pass "status table and JSON show 3 MiB each way on keep, 3 open on move"
jg_stop "$hold"

# Reload with a live transfer through the unchanged tunnel.
jg_bg "$JG_DIR/live.log" "$JGT" client --connect "127.0.0.1:$pa" --bytes 512M \
    --timeout 120 >/dev/null
live=$JG_LAST_PID
sleep 1
pd=$(jg_free_port)
write_cfg "$cfg" "keep:$pa" "move:$pb2" "added:$pd"
out=$("$JUMPGATE" reload "$cfg") || jg_fail "reload failed: $out"
[[ $out == *"hops 1 kept, 0 changed, 0 added, 0 removed; tunnels 1 kept, 1 changed, 1 added, 1 removed"* ]] ||
    jg_fail "unexpected reload summary: $out"
sleep 1
before=$(stat -c %s "$JG_DIR/live.log")
jg__alive "$live" || jg_fail "the live transfer died at the reload: $(cat "$JG_DIR/live.log")"
out=$("$JGT" client --connect "127.0.0.1:$pd" --bytes 1M --timeout 30) ||
    jg_fail "the added tunnel does not serve: $out"
out=$("$JGT" client --connect "127.0.0.1:$pb2" --bytes 1M --timeout 30) ||
    jg_fail "the moved tunnel does not serve on its new port: $out"
jg__probe "$pb" && jg_fail "the moved tunnel still listens on its old port"
jg__probe "$pc" && jg_fail "the removed tunnel still listens"
jg_pass "reload: added tunnel serves, changed one moved to its new port, removed one closed"

# An invalid file: every error reported, the old configuration runs on.
cp "$cfg" "$cfg.good"
printf '[tunnel broken]\nlisten = nonsense\nvia = nowhere\n' >>"$cfg"
if out=$("$JUMPGATE" reload "$cfg"); then
	jg_fail "reload of an invalid file succeeded: $out"
fi
[[ $out == *"$cfg:"*": bad listen address 'nonsense'"* && $out == *"via 'nowhere' names no hop"* &&
    $out == *"still running the previous configuration"* ]] ||
    jg_fail "reload did not report the errors: $out"
out=$("$JGT" client --connect "127.0.0.1:$pd" --bytes 1M --timeout 30) ||
    jg_fail "the running config broke after an invalid reload: $out"
jg_pass "invalid file: errors reported with FILE:LINE, the old config still serves"
cp "$cfg.good" "$cfg"
kill -HUP "$JUMPGATE_PID"
jg_wait_log "$log" 'SIGHUP: reloading' 5
jg_wait_log "$log" 'reloaded .*: hops 1 kept, 0 changed, 0 added, 0 removed; tunnels 1 kept, 1 changed, 1 added, 1 removed' 5

wait "$live" || jg_fail "the transfer that was live during the reloads failed: $(cat "$JG_DIR/live.log")"
jg_pass "a 512 MiB transfer live across two reloads completed: $(cat "$JG_DIR/live.log")"

# SIGTERM: a transfer that ends within shutdown_timeout (8 s; 64 MiB takes
# under a second here, ~5 s under sanitizers) completes; a connection that
# stays open is cut at 8 s; exit 0.
jg_bg "$JG_DIR/short.log" "$JGT" client --connect "127.0.0.1:$pa" \
    --bytes 64M --timeout 60 >/dev/null
short=$JG_LAST_PID
jg_bg "$JG_DIR/held.log" "$JGT" hold --connect "127.0.0.1:$pd" --conns 1 \
    --seconds 60 >/dev/null
held=$JG_LAST_PID
jg_wait_log "$JG_DIR/held.log" '1 of 1 connected' 10
sleep 0.3
t0=${EPOCHREALTIME/[.,]/}
jg_jumpgate_stop "$log"
elapsed=$(( (${EPOCHREALTIME/[.,]/} - t0) / 1000 ))
wait "$short" || jg_fail "a transfer that could finish was cut: $(cat "$JG_DIR/short.log")"
grep -q 'cutting 1 connection still open after shutdown_timeout (8 s)' "$log" ||
    jg_fail "the held connection was not cut at shutdown_timeout"
(( elapsed >= 7500 && elapsed < 11000 )) || jg_fail "stopping took $elapsed ms with shutdown_timeout 8 s"
jg_wait_log "$JG_DIR/notify.log" 'STOPPING=1' 3
jg_pass "SIGTERM: 64 MiB transfer finished, held connection cut, exit 0 after $elapsed ms"
jg_stop "$held"

# -d: detach, write the pidfile, answer status, remove it on SIGTERM.
pidfile=$JG_DIR/jumpgate.pid
sed -i "s|^shutdown_timeout = 8|shutdown_timeout = 8\npidfile = $pidfile|" "$cfg"
# A relative path: the detached process changed directory, reload must
# still find the file.
(cd "$(dirname "$cfg")" && "$JUMPGATE" run -d "$(basename "$cfg")") ||
    jg_fail "run -d failed"
for ((i = 0; i < 50; i++)); do [[ -s $pidfile ]] && break; sleep 0.1; done
pid=$(cat "$pidfile")
kill -0 "$pid" || jg_fail "no process $pid from the pidfile"
out=$("$JUMPGATE" status "$cfg") || jg_fail "status of the detached instance failed: $out"
out=$(cd "$(dirname "$cfg")" && "$JUMPGATE" reload "$(basename "$cfg")") ||
    jg_fail "reload of the detached instance (relative path) failed: $out"
kill -TERM "$pid"
for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid" 2>/dev/null && jg_fail "the detached instance did not stop"
[[ ! -e $pidfile ]] || jg_fail "the pidfile was left behind"
[[ ! -e $sock ]] || jg_fail "the control socket was left behind"
jg_pass "run -d with a relative path: pidfile $pid, status and reload answered, stopped on SIGTERM, pidfile and socket removed"

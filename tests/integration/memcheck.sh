#!/usr/bin/env bash
# Every feature once, with small transfers, so that the whole daemon can
# run under valgrind memcheck (scripts/check-valgrind sets JG_JUMPGATE_WRAP)
# within the time limits: local forwards through one and two hops, a remote
# forward, a refused target, a refused host key, status, reload, SIGHUP, a
# bastion restart with the chain above it, and a draining stop.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/jumpgate.sh"
jg_setup

jg_keygen user
jg_sshd_start bastion
jg_sshd_start app
jg_echo_start target
dead=$(jg_free_port)
pl=$(jg_free_port); pc=$(jg_free_port); pr=$(jg_free_port); pd=$(jg_free_port)
pb=$(jg_free_port); pn=$(jg_free_port)

cfg=$JG_DIR/memcheck.ini
log=$JG_DIR/memcheck.log
write_cfg() {
	cat >"$cfg" <<INI
[jumpgate]
log_level = debug
shutdown_timeout = 10

[hop bastion]
host = 127.0.0.1
port = $BASTION_PORT
user = $JG_USER
identity = $USER_KEY
host_key = $(jg_fingerprint "$BASTION_HOSTKEY_ED25519")
keepalive_interval = 2
reconnect_max = 2
connect_timeout = 30

[hop app]
host = 127.0.0.1
port = $APP_PORT
via = bastion
user = $JG_USER
identity = $USER_KEY
host_key = $(jg_fingerprint "$APP_HOSTKEY_ECDSA")
reconnect_max = 2
connect_timeout = 30

[hop wrong]
host = 127.0.0.1
port = $APP_PORT
via = bastion
user = $JG_USER
identity = $USER_KEY
host_key = $(jg_fingerprint "$USER_PUB")
connect_timeout = 30

[tunnel local]
listen = $pl
connect = 127.0.0.1:$TARGET_PORT
via = bastion

[tunnel chain]
listen = $pc
connect = 127.0.0.1:$TARGET_PORT
via = app

[tunnel remote]
type = remote
listen = 127.0.0.1:$pr
connect = 127.0.0.1:$TARGET_PORT
via = bastion

[tunnel dead]
listen = $pd
connect = 127.0.0.1:$dead
via = bastion

[tunnel bad]
listen = $pb
connect = 127.0.0.1:$TARGET_PORT
via = wrong
INI
	printf '%s' "${1:-}" >>"$cfg"
}
write_cfg
jg_jumpgate_start "$cfg" "$log"
jg_wait_log "$log" 'hop bastion -> app: ready' 60 "$JUMPGATE_PID"
jg_wait_log "$log" "tunnel remote: bastion listens on 127.0.0.1:$pr" 60

client() {
	local out
	out=$("$JGT" client --connect "127.0.0.1:$1" "${@:2}" --timeout 180) ||
	    jg_fail "client to port $1 failed: $out"
	echo "$out"
}
client "$pl" --bytes 2M >/dev/null
client "$pc" --bytes 1M >/dev/null
client "$pl" --bytes 64K --conns 10 >/dev/null
client "$pr" --bytes 1M >/dev/null
"$JGT" expect-close --connect "127.0.0.1:$pd" --timeout 60 >/dev/null ||
    jg_fail "dead target: client not closed"
"$JGT" expect-close --connect "127.0.0.1:$pb" --timeout 60 >/dev/null ||
    jg_fail "wrong pin: client not closed"
jg_wait_log "$log" 'hop bastion -> wrong: host key REFUSED' 30
jg_pass "local (1 and 2 hops), remote, refused target, refused host key"

"$JUMPGATE" status "$cfg" >/dev/null || jg_fail "status failed"
"$JUMPGATE" status --json "$cfg" | jq -e '.tunnels | length == 5' >/dev/null ||
    jg_fail "status --json is wrong"
write_cfg "$(printf '\n[tunnel new]\nlisten = %s\nconnect = 127.0.0.1:%s\nvia = app\n' "$pn" "$TARGET_PORT")"
out=$("$JUMPGATE" reload "$cfg") || jg_fail "reload failed: $out"
client "$pn" --bytes 256K >/dev/null
kill -HUP "$JUMPGATE_PID"
jg_wait_log "$log" 'SIGHUP: reloading' 30
jg_pass "status, reload (tunnel added through the chain), SIGHUP"

jg_sshd_restart bastion
jg_wait_log "$log" 'hop bastion -> app: lost with bastion' 60
client "$pc" --bytes 256K >/dev/null
jg_pass "bastion restart: the chain above it went down and came back"

jg_bg "$JG_DIR/held.log" "$JGT" hold --connect "127.0.0.1:$pl" --conns 2 \
    --seconds 2 >/dev/null
jg_wait_log "$JG_DIR/held.log" '2 of 2 connected' 60
jg_jumpgate_stop "$log"
jg_pass "drained 2 connections and exited 0${JG_JUMPGATE_WRAP:+ under ${JG_JUMPGATE_WRAP%% *}}"

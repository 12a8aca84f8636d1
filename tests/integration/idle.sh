#!/usr/bin/env bash
# A hop answers its server whatever it is doing: an idle hop with
# keepalive_interval = 0 answers sshd's ClientAlive probes (no reconnect
# and no new login in 30 s). When the server stops reading mid-transfer
# (its session process stopped), the progress watchdog logs exactly one
# warning with the hop's counters.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/jumpgate.sh"
jg_setup

IDLE_SECONDS=30		# how long the idle hop is watched
ALIVE_INTERVAL=2	# sshd ClientAliveInterval
ALIVE_COUNT=2		# sshd ClientAliveCountMax

jg_keygen user
jg_sshd_start bastion "ClientAliveInterval $ALIVE_INTERVAL" \
    "ClientAliveCountMax $ALIVE_COUNT"
jg_echo_start target
pin="host_key = $(jg_fingerprint "$BASTION_HOSTKEY_ED25519")"

# ---- 1. Idle hop, keepalive_interval = 0, server keepalives every 2 s.
cfg=$JG_DIR/idle.ini
log=$JG_DIR/idle.log
jg_config "$cfg" h bastion user "$pin" "keepalive_interval = 0"
port=$(jg_free_port)
jg_config_tunnel "$cfg" t "$port" "127.0.0.1:$TARGET_PORT" h
jg_jumpgate_start "$cfg" "$log"
jg_wait_log "$log" 'hop h: ready' 10 "$JUMPGATE_PID"
logins0=$(jg_count "$BASTION_LOG" 'Accepted publickey')
out=$("$JGT" client --connect "127.0.0.1:$port" --bytes 1M --timeout 30) ||
    jg_fail "echo before the idle period failed: $out"
sleep "$IDLE_SECONDS"
ready=$(jg_count "$log" 'hop h: ready')
lost=$(jg_count "$log" 'hop h: .*(closed|lost|retrying)')
logins=$(($(jg_count "$BASTION_LOG" 'Accepted publickey') - logins0))
timeouts=$(jg_count "$BASTION_LOG" 'Timeout, client not responding')
((ready == 1 && lost == 0 && logins == 0 && timeouts == 0)) ||
    jg_fail "idle hop with keepalive_interval = 0 against ClientAliveInterval $ALIVE_INTERVAL: $((ready - 1)) reconnects, $lost loss lines, $logins new logins, sshd timed out $timeouts times in $IDLE_SECONDS s"
out=$("$JGT" client --connect "127.0.0.1:$port" --bytes 1M --timeout 30) ||
    jg_fail "echo after the idle period failed: $out"
jg_pass "idle hop, keepalive_interval = 0, sshd ClientAliveInterval" \
    "$ALIVE_INTERVAL x $ALIVE_COUNT: 0 reconnects and 0 new logins in" \
    "$IDLE_SECONDS s; 1 MiB echoed after it"
jg_jumpgate_stop "$log"

# ---- 2. The watchdog: the server's session process stops mid-upload.
jg_echo_start sink --sink
cfg=$JG_DIR/watch.ini
log=$JG_DIR/watch.log
jg_config "$cfg" w bastion user "$pin" "keepalive_interval = 2" \
    "keepalive_count_max = 5"
port=$(jg_free_port)
jg_config_tunnel "$cfg" up "$port" "127.0.0.1:$SINK_PORT" w
jg_jumpgate_start "$cfg" "$log"
jg_wait_log "$log" 'hop w: ready' 10 "$JUMPGATE_PID"
jg_bg "$JG_DIR/upload.log" "$JGT" client --connect "127.0.0.1:$port" \
    --bytes 1G --no-echo --timeout 60 >/dev/null
upload=$JG_LAST_PID
sleep 1
# The connection's sshd processes: every descendant of the listener.
read -r -a session <<<"$(jg__tree "$BASTION_PID")"
session=("${session[@]:1}")
((${#session[@]} > 0)) || jg_fail "no sshd session process to stop"
kill -STOP "${session[@]}"
jg_wait_log "$log" 'hop w: nothing moved for 2 s while data waits' \
    20 "$JUMPGATE_PID"
kill -CONT "${session[@]}"
warn=$(grep -m1 'nothing moved' "$log")
for what in 'channels open' 'opens queued' 'transport input' \
    'not taken by the transport' 'unsent in the kernel' 'smallest send window'; do
	[[ $warn == *"$what"* ]] || jg_fail "the watchdog line lacks '$what': $warn"
done
[[ $(jg_count "$log" 'nothing moved') -eq 1 ]] ||
    jg_fail "the watchdog warned more than once for one stall: $(grep 'nothing moved' "$log")"
jg_stop "$upload"
jg_pass "watchdog: ${warn#* }"
jg_jumpgate_stop "$log"

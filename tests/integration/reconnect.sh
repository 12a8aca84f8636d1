#!/usr/bin/env bash
# Never silently dead: the bastion's sshd killed -9 mid-transfer and started
# again; a silently stalled session (SIGSTOP) detected within
# keepalive_interval x keepalive_count_max; the bastion down at start and up
# 5 s later; a listen port in use with required = no; a wrong identity
# retried no more often than reconnect_max. Listeners stay up throughout.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/jumpgate.sh"
jg_setup

jg_keygen user
jg_sshd_start bastion
jg_echo_start target
pin="host_key = $(jg_fingerprint "$BASTION_HOSTKEY_ED25519")"
INTERVAL=1
COUNT=3

# Milliseconds since the epoch.
now_ms() {
	echo $(( ${EPOCHREALTIME/[.,]/} / 1000 ))
}

# Milliseconds since the epoch of the first log line matching REGEX.
log_ms() {
	local line
	line=$(grep -E -m1 -- "$2" "$1") || return 1
	date -d "${line%% *}" +%s%3N
}

cfg=$JG_DIR/reconnect.ini
log=$JG_DIR/reconnect.log
jg_config "$cfg" h bastion user "$pin" "keepalive_interval = $INTERVAL" \
    "keepalive_count_max = $COUNT" "reconnect_min = 1" "reconnect_max = 2"
port=$(jg_free_port)
jg_config_tunnel "$cfg" t "$port" "127.0.0.1:$TARGET_PORT" h
jg_jumpgate_start "$cfg" "$log"
jg_wait_log "$log" 'hop h: ready' 10 "$JUMPGATE_PID"

# 1. kill -9 of sshd and its sessions mid-transfer, then a restart.
jg_bg "$JG_DIR/killed.log" "$JGT" client --connect "127.0.0.1:$port" \
    --bytes 1G --timeout 60 >/dev/null
client=$JG_LAST_PID
sleep 1
read -r -a procs <<<"$(jg__tree "$BASTION_PID")"
kill -9 "${procs[@]}"
t_kill=$(now_ms)
rc=0
wait "$client" || rc=$?
t_closed=$(now_ms)
[[ $rc -eq 1 ]] || jg_fail "the client of a killed bastion exited $rc: $(cat "$JG_DIR/killed.log")"
jg_pass "client saw the close $((t_closed - t_kill)) ms after kill -9"
jg__probe "$port" || jg_fail "the listener stopped accepting while the bastion was down"
# A client arriving while the bastion is down waits for it.
jg_bg "$JG_DIR/waiting.log" "$JGT" client --connect "127.0.0.1:$port" \
    --bytes 32M --timeout 60 >/dev/null
waiting=$JG_LAST_PID
sleep 2
jg_sshd_restart bastion
t_up=$(now_ms)
wait "$waiting" || jg_fail "32 MiB after the restart failed: $(cat "$JG_DIR/waiting.log")"
ready_after=$(grep -E 'hop h: ready' "$log" | tail -1 | cut -d' ' -f1)
recovery=$(( $(date -d "$ready_after" +%s%3N) - t_up ))
jg_pass "listener kept accepting; 32 MiB from a client that waited: $(cat "$JG_DIR/waiting.log"); hop ready ${recovery} ms after sshd came back"

# 2. A silently dead path: stop the session's sshd processes.
read -r -a procs <<<"$(jg__tree "$BASTION_PID")"
[[ ${#procs[@]} -gt 1 ]] || jg_fail "no sshd session process to stop"
before=$(jg_count "$log" 'no response from')
kill -STOP "${procs[@]:1}"
t_stop=$(now_ms)
jg_wait_log "$log" 'hop h: no response from .* for [0-9.]+ s' $((INTERVAL * COUNT + 5))
t_dead=$(log_ms "$log" 'hop h: no response from')
detect=$((t_dead - t_stop))
(( detect <= (INTERVAL * COUNT + 1) * 1000 )) ||
    jg_fail "detection took $detect ms, limit $(( (INTERVAL * COUNT + 1) * 1000 )) ms"
kill -CONT "${procs[@]:1}"
t_cont=$(now_ms)
out=$("$JGT" client --connect "127.0.0.1:$port" --bytes 8M --timeout 30) ||
    jg_fail "no recovery after SIGCONT: $out"
jg_pass "SIGSTOP detected after $detect ms (interval $INTERVAL s x count $COUNT); served again $(( $(now_ms) - t_cont )) ms after SIGCONT"
grep -q 'probe channel' "$log" && grep -q 'no probe channel' "$log" &&
    jg_fail "the probe channel was refused"
jg_jumpgate_stop "$log"

# 3. Bastion down at start, up 5 s later: served without a restart.
jg_sshd_stop bastion
cfg2=$JG_DIR/late.ini
log2=$JG_DIR/late.log
jg_config "$cfg2" h bastion user "$pin" "reconnect_max = 2"
port2=$(jg_free_port)
jg_config_tunnel "$cfg2" t "$port2" "127.0.0.1:$TARGET_PORT" h
jg_jumpgate_start "$cfg2" "$log2"
jg_wait_log "$log2" 'hop h: cannot connect' 5 "$JUMPGATE_PID"
sleep 5
jg_sshd_restart bastion
t_up=$(now_ms)
jg_wait_log "$log2" 'hop h: ready' 10 "$JUMPGATE_PID"
out=$("$JGT" client --connect "127.0.0.1:$port2" --bytes 32M --timeout 60) ||
    jg_fail "no service after the bastion came up: $out"
jg_pass "bastion up 5 s after start: ready $(( $(log_ms "$log2" 'hop h: ready') - t_up )) ms later; $out"
jg_jumpgate_stop "$log2"

# 4. A listen port in use with required = no: run logs it, keeps retrying
# and listens once the port is free.
jg_echo_start holder
cfg3=$JG_DIR/busy.ini
log3=$JG_DIR/busy.log
jg_config "$cfg3" h bastion user "$pin"
jg_config_tunnel "$cfg3" t "$HOLDER_PORT" "127.0.0.1:$TARGET_PORT" h
printf 'required = no\n' >>"$cfg3"
jg_jumpgate_start "$cfg3" "$log3"
jg_wait_log "$log3" "tunnel t: cannot listen on 127.0.0.1:$HOLDER_PORT: Address already in use.*retrying \(required = no\)" 5
kill "$HOLDER_PID"
jg_wait_log "$log3" "tunnel t: listening on 127.0.0.1:$HOLDER_PORT" 10 "$JUMPGATE_PID"
out=$("$JGT" client --connect "127.0.0.1:$HOLDER_PORT" --bytes 1M --timeout 30) ||
    jg_fail "the late listener does not serve: $out"
jg_pass "required = no: port in use logged, bound once free, serving"
jg_jumpgate_stop "$log3"

# 5. A wrong identity: retried no more often than reconnect_max.
cfg4=$JG_DIR/wrongkey.ini
log4=$JG_DIR/wrongkey.log
stranger=$JG_DIR/stranger_key	# not in authorized_keys
ssh-keygen -q -t ed25519 -N '' -f "$stranger" -C stranger
jg_config "$cfg4" h bastion user "$pin" "reconnect_min = 1" "reconnect_max = 2"
sed -i "s|^identity = .*|identity = $stranger|" "$cfg4"
port4=$(jg_free_port)
jg_config_tunnel "$cfg4" t "$port4" "127.0.0.1:$TARGET_PORT" h
# Run jumpgate on CONFIG (LOG) whose key the server refuses while 6 clients
# arrive a second apart; each must be closed at once. Sets attempts (failed
# logins in sshd's log, each logged once by jumpgate), elapsed and limit
# (the most attempts reconnect_max 2 s allows in that time).
refused_key_run() {
	local cfg=$1 log=$2 before logged i
	before=$(jg_count "$BASTION_LOG" 'Failed publickey')
	jg_jumpgate_start "$cfg" "$log"
	for i in 1 2 3 4 5 6; do
		"$JGT" expect-close --connect "127.0.0.1:$port4" --timeout 5 \
		    >/dev/null ||
		    jg_fail "$cfg: client $i was not closed while the key is refused"
		sleep 1
	done
	# A refusal sshd has logged may still be on its way to jumpgate (it
	# lists the methods again before it gives up: a refused key could be a
	# partial success). Stop once jumpgate caught up; the next attempt is
	# reconnect_max away.
	jg__deadline 5
	while (($(jg_count "$BASTION_LOG" 'Failed publickey') - before !=
	    $(jg_count "$log" 'error: hop h: the server refused key'))); do
		jg__before_deadline || break
		sleep 0.05
	done
	jg_jumpgate_stop "$log"
	attempts=$(( $(jg_count "$BASTION_LOG" 'Failed publickey') - before ))
	logged=$(jg_count "$log" 'error: hop h: the server refused key')
	# An attempt that began just before the stop: sshd may have refused
	# it, but jumpgate was gone before the answer came.
	if grep -E 'hop h: (connecting|the server refused)' "$log" | tail -1 |
	    grep -q 'connecting' && ((attempts == logged + 1)); then
		attempts=$logged
	fi
	[[ $logged -eq $attempts ]] ||
	    jg_fail "$cfg: sshd saw $attempts failed logins, jumpgate logged $logged"
	elapsed=$(( $(log_ms "$log" 'info: stopped') - $(log_ms "$log" 'running') ))
	limit=$(( elapsed / 2000 + 1 ))
}

refused_key_run "$cfg4" "$log4"
(( attempts >= 2 && attempts <= limit )) ||
    jg_fail "$attempts authentication attempts in $elapsed ms with reconnect_max 2 s (at most $limit allowed, at least 2 expected)"
jg_pass "wrong identity: $attempts attempts (counted in sshd's log) in $elapsed ms with reconnect_max 2 s, each logged as an error; 6 clients meanwhile closed at once"

# 5b. The same with lazy = yes: nobody waits between clients, yet clients
# arriving every second must not pace the attempts either.
cfg4b=$JG_DIR/wrongkey-lazy.ini
log4b=$JG_DIR/wrongkey-lazy.log
sed 's/^reconnect_max = 2$/reconnect_max = 2\nlazy = yes/' "$cfg4" >"$cfg4b"
grep -q '^lazy = yes' "$cfg4b" || jg_fail "could not make the lazy config"
refused_key_run "$cfg4b" "$log4b"
(( attempts >= 1 && attempts <= limit )) ||
    jg_fail "lazy hop: $attempts attempts in $elapsed ms with reconnect_max 2 s (at most $limit)"
jg_pass "lazy hop with a refused key: $attempts attempts in $elapsed ms for 6 clients (reconnect_max 2 s)"

# 6. lazy = yes: no connection until a client comes; idle_timeout drops the
# session when nothing used it for that long; the next client reconnects.
cfg5=$JG_DIR/lazy.ini
log5=$JG_DIR/lazy.log
jg_config "$cfg5" h bastion user "$pin" "lazy = yes" "idle_timeout = 2"
port5=$(jg_free_port)
jg_config_tunnel "$cfg5" t "$port5" "127.0.0.1:$TARGET_PORT" h
logins=$(jg_count "$BASTION_LOG" 'Accepted publickey')
jg_jumpgate_start "$cfg5" "$log5"
sleep 1.5
[[ $(jg_count "$BASTION_LOG" 'Accepted publickey') -eq $logins ]] ||
    jg_fail "a lazy hop connected before anyone used it"
grep -q 'hop h: connecting' "$log5" && jg_fail "a lazy hop started connecting at start-up"
out=$("$JGT" client --connect "127.0.0.1:$port5" --bytes 1M --timeout 30) ||
    jg_fail "first use of a lazy hop failed: $out"
t_last=$(now_ms)
jg_wait_log "$log5" 'hop h: unused for 2 s \(idle_timeout\)' 6 "$JUMPGATE_PID"
idle=$(( $(log_ms "$log5" 'hop h: unused for') - t_last ))
out=$("$JGT" client --connect "127.0.0.1:$port5" --bytes 1M --timeout 30) ||
    jg_fail "use after idle_timeout failed: $out"
[[ $(( $(jg_count "$BASTION_LOG" 'Accepted publickey') - logins )) -eq 2 ]] ||
    jg_fail "expected exactly two logins (first use, use after idle)"
jg_jumpgate_stop "$log5"
jg_pass "lazy: no login until first use; idle session dropped ${idle} ms after the last client; next client logged in again"

# 7. The server forbids forwarding: the client is closed with a message
# that names the setting to check.
jg_sshd_start noforward "AllowTcpForwarding no"
cfg6=$JG_DIR/noforward.ini
log6=$JG_DIR/noforward.log
jg_config "$cfg6" h noforward user \
    "host_key = $(jg_fingerprint "$NOFORWARD_HOSTKEY_ED25519")"
jg_try_tunnel "$cfg6" "$log6" refused \
    'refused by the server: administratively prohibited \(h: check AllowTcpForwarding and PermitOpen in its sshd_config\)'
jg_pass "AllowTcpForwarding no: $(grep -o 'refused by the server: .*sshd_config)' "$log6" | head -1)"

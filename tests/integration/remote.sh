#!/usr/bin/env bash
# Remote forwards (ssh -R) against real sshd: the bastion's and an inner
# hop's sshd listen and forward to an echo service on this machine. Clients
# run inside the hop's network namespace (where the server listens). 32 MiB
# both ways via each, port 0, 50 concurrent, a local target that is down,
# the forward restored after the hop's sshd restarts, a refusal retried with
# backoff, cancel-tcpip-forward on shutdown.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/jumpgate.sh"
jg_setup
jg_topology 2
jg_note "remote forward test mode: $JG_NETNS_MODE"

jg_keygen user
JG_HOST=1 jg_sshd_start bastion
JG_HOST=2 jg_sshd_start app
JG_HOST=1 jg_sshd_start local_only "AllowTcpForwarding local"
jg_echo_start target
dead_port=$(jg_free_port)

# hop_section NAME SSHNAME [VIA]
hop_section() {
	local upper
	upper=$(tr '[:lower:]' '[:upper:]' <<<"$2")
	local addr=${upper}_ADDR port=${upper}_PORT key=${upper}_HOSTKEY_ED25519
	printf '[hop %s]\nhost = %s\nport = %s\nuser = %s\nidentity = %s\n' \
	    "$1" "${!addr}" "${!port}" "$JG_USER" "$USER_KEY"
	printf 'host_key = %s\nreconnect_min = 1\nreconnect_max = 2\n' \
	    "$(jg_fingerprint "${!key}")"
	printf 'keepalive_interval = 1\nkeepalive_count_max = 2\n'
	[[ -z ${3:-} ]] || printf 'via = %s\n' "$3"
	printf '\n'
}
# remote_tunnel NAME LISTENPORT CONNECT VIA
remote_tunnel() {
	printf '[tunnel %s]\ntype = remote\nlisten = 127.0.0.1:%s\nconnect = %s\nvia = %s\n\n' \
	    "$1" "$2" "$3" "$4"
}

# A free port inside host K (the hosts have their own port spaces).
host_free_port() {
	jg_host_exec "$1" "$JGT" free-port
}

p1=$(host_free_port 1); p2=$(host_free_port 2); p3=$(host_free_port 1)
cfg=$JG_DIR/remote.ini
log=$JG_DIR/remote.log
{
	printf '[jumpgate]\nlog_level = info\n\n'
	hop_section bastion bastion
	hop_section app app bastion
	remote_tunnel webhook "$p1" "127.0.0.1:$TARGET_PORT" bastion
	remote_tunnel inner "$p2" "127.0.0.1:$TARGET_PORT" app
	remote_tunnel down "$p3" "127.0.0.1:$dead_port" bastion
	remote_tunnel anyport 0 "127.0.0.1:$TARGET_PORT" bastion
} >"$cfg"
jg_jumpgate_start "$cfg" "$log"
jg_wait_log "$log" "tunnel webhook: bastion listens on 127.0.0.1:$p1" 15 "$JUMPGATE_PID"
jg_wait_log "$log" "tunnel inner: bastion -> app listens on 127.0.0.1:$p2" 15 "$JUMPGATE_PID"
jg_wait_log "$log" 'tunnel anyport: bastion listens on 127.0.0.1:[0-9]+ \(port chosen by the server\)' 15
anyport=$(grep -oE 'tunnel anyport: bastion listens on 127.0.0.1:[0-9]+' "$log" | grep -oE '[0-9]+$')
[[ $anyport -gt 0 ]] || jg_fail "no port reported for listen port 0"

out=$(jg_host_exec 1 "$JGT" client --connect "127.0.0.1:$p1" --bytes 32M --timeout 60) ||
    jg_fail "32 MiB through the bastion's remote forward failed: $out"
jg_pass "via bastion: $out"
out=$(jg_host_exec 2 "$JGT" client --connect "127.0.0.1:$p2" --bytes 32M --timeout 60) ||
    jg_fail "32 MiB through the inner hop's remote forward failed: $out"
jg_pass "via bastion -> app: $out"
out=$(jg_host_exec 1 "$JGT" client --connect "127.0.0.1:$anyport" --bytes 1M --timeout 60) ||
    jg_fail "the server-chosen port $anyport does not forward: $out"
jg_pass "listen port 0: the server chose $anyport, logged, forwarding"
out=$(jg_host_exec 1 "$JGT" client --connect "127.0.0.1:$p1" --bytes 256K --conns 50 --timeout 60) ||
    jg_fail "50 concurrent through the remote forward failed: $out"
jg_pass "50 concurrent: $out"

# A local target that is down: only that forwarded connection closes.
jg_host_exec 1 "$JGT" expect-close --connect "127.0.0.1:$p3" --timeout 10 >/dev/null ||
    jg_fail "a client of a remote forward to a dead target was not closed"
jg_wait_log "$log" "tunnel down: connection from 127.0.0.1:$p3 on bastion closed \(cannot connect to 127.0.0.1:$dead_port: Connection refused\)" 5
[[ $(jg_count "$log" "tunnel down: .*closed") -eq 1 ]] || jg_fail "expected one log line for the dead target"
out=$(jg_host_exec 1 "$JGT" client --connect "127.0.0.1:$p1" --bytes 1M --timeout 30) ||
    jg_fail "the other remote forward broke: $out"
jg_pass "a dead local target closed only its connection, one log line"

# The hop's sshd restarts: the forward is requested again and works.
jg_sshd_restart bastion
jg_wait_log "$log" "tunnel webhook: remote listener lost" 15
for ((i = 0; i < 100; i++)); do
	[[ $(jg_count "$log" "tunnel webhook: bastion listens on 127.0.0.1:$p1") -ge 2 ]] && break
	sleep 0.1
done
out=$(jg_host_exec 1 "$JGT" client --connect "127.0.0.1:$p1" --bytes 8M --timeout 30) ||
    jg_fail "the remote forward did not come back after the restart: $out"
jg_pass "restored after the bastion's sshd restarted: $out"

# A silently dead session still holds the port on the server: after
# liveness declares it dead, the new session's request is refused until the
# old session goes away, and retried until it works.
read -r -a procs <<<"$(jg__tree "$BASTION_PID")"
kill -STOP "${procs[@]:1}"
jg_wait_log "$log" 'hop bastion: no response from' 10
jg_wait_log "$log" "tunnel webhook: bastion refused to listen on 127.0.0.1:$p1 .*retrying" 15
kill -CONT "${procs[@]:1}"
t_cont=${EPOCHREALTIME/[.,]/}
for ((i = 0; i < 150; i++)); do
	[[ $(jg_count "$log" "tunnel webhook: bastion listens on 127.0.0.1:$p1") -ge 3 ]] && break
	sleep 0.1
done
out=$(jg_host_exec 1 "$JGT" client --connect "127.0.0.1:$p1" --bytes 8M --timeout 30) ||
    jg_fail "the remote forward did not come back once the old session let go: $out"
jg_pass "port held by the dead session: refused $(jg_count "$log" "tunnel webhook: bastion refused") times, listening again $(( (${EPOCHREALTIME/[.,]/} - t_cont) / 1000 )) ms after the old session resumed and let go"

# Shutdown cancels the forwards before disconnecting.
before=$(jg_count "$BASTION_LOG" 'rtype cancel-tcpip-forward')
jg_jumpgate_stop "$log"
cancels=$(( $(jg_count "$BASTION_LOG" 'rtype cancel-tcpip-forward') - before ))
[[ $cancels -ge 3 ]] || jg_fail "expected cancel-tcpip-forward for 3 forwards on bastion, sshd saw $cancels"
jg_pass "shutdown sent cancel-tcpip-forward ($cancels on bastion)"

# A server that allows only local forwarding refuses: reported, retried
# with backoff (reconnect_min 1, reconnect_max 2), not in a tight loop.
cfg=$JG_DIR/refused.ini
log=$JG_DIR/refused.log
{
	hop_section h local_only
	remote_tunnel refused "$(host_free_port 1)" "127.0.0.1:$TARGET_PORT" h
} >"$cfg"
jg_jumpgate_start "$cfg" "$log"
sleep 6
jg_jumpgate_stop "$log"
refusals=$(jg_count "$log" 'tunnel refused: h refused to listen on 127.0.0.1:[0-9]+ \(check AllowTcpForwarding and PermitListen in its sshd_config, and whether the port is in use there\); retrying in')
(( refusals >= 2 && refusals <= 5 )) ||
    jg_fail "$refusals refusals in 6 s with backoff 1 s to 2 s (expected 2 to 5)"
jg_pass "AllowTcpForwarding local: refused $refusals times in 6 s, each reported: $(grep -o 'h refused to listen.*' "$log" | head -1)"

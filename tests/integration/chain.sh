#!/usr/bin/env bash
# Jump chains: laptop -> bastion -> app -> db, each hop in its own network
# namespace reachable only from the hop before it (loopback with proof from
# sshd logs where namespaces cannot be made). 32 MiB both ways through 2 and
# 3 hops; tunnels sharing a chain prefix share its sessions; a wrong pin on
# an inner hop is refused before any authentication there; killing the
# middle sshd closes the clients, names the hop, and the chain comes back.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/jumpgate.sh"
jg_setup
jg_topology 3
jg_note "chain test mode: $JG_NETNS_MODE"

jg_keygen user
JG_HOST=1 jg_sshd_start bastion
JG_HOST=2 jg_sshd_start app
JG_HOST=3 jg_sshd_start db
JG_HOST=3 jg_echo_start target
if [[ $JG_NETNS_MODE == netns ]]; then
	! jg_reachable "$APP_ADDR" "$APP_PORT" ||
	    jg_fail "app's sshd is reachable directly; the test would prove nothing"
	! jg_reachable "$TARGET_ADDR" "$TARGET_PORT" ||
	    jg_fail "the target is reachable directly"
	jg_pass "app, db and the target are unreachable from here except through the chain"
fi

# hop_section NAME SSHNAME VIA [EXTRA...]
hop_section() {
	local name=$1 upper via=$3
	upper=$(tr '[:lower:]' '[:upper:]' <<<"$2")
	local addr=${upper}_ADDR port=${upper}_PORT key=${upper}_HOSTKEY_ED25519
	shift 3
	printf '[hop %s]\nhost = %s\nport = %s\nuser = %s\nidentity = %s\n' \
	    "$name" "${!addr}" "${!port}" "$JG_USER" "$USER_KEY"
	[[ $# -gt 0 && $1 == host_key* ]] || printf 'host_key = %s\n' "$(jg_fingerprint "${!key}")"
	[[ -z $via ]] || printf 'via = %s\n' "$via"
	printf '%s\n' "$@"
	printf '\n'
}

cfg=$JG_DIR/chain.ini
log=$JG_DIR/chain.log
{
	printf '[jumpgate]\nlog_level = info\n\n'
	hop_section bastion bastion ""
	hop_section app app bastion
	hop_section db db app
} >"$cfg"
p2=$(jg_free_port); p3=$(jg_free_port)
jg_config_tunnel "$cfg" two "$p2" "$TARGET_ADDR:$TARGET_PORT" app
jg_config_tunnel "$cfg" three "$p3" "$TARGET_ADDR:$TARGET_PORT" db
jg_jumpgate_start "$cfg" "$log"
jg_wait_port "$p3" 10 "$JUMPGATE_PID"

out=$("$JGT" client --connect "127.0.0.1:$p2" --bytes 32M --timeout 120) ||
    jg_fail "32 MiB through 2 hops failed: $out"
jg_pass "2 hops: $out"
out=$("$JGT" client --connect "127.0.0.1:$p3" --bytes 32M --timeout 120) ||
    jg_fail "32 MiB through 3 hops failed: $out"
jg_pass "3 hops: $out"
out=$("$JGT" client --connect "127.0.0.1:$p3" --bytes 256K --conns 50 --timeout 120) ||
    jg_fail "50 concurrent through 3 hops failed: $out"
jg_pass "3 hops, 50 concurrent: $out"

# The path really is the chain: each sshd forwarded to the next one and
# saw its login come from the host before it.
grep -q "server_request_direct_tcpip: .*target $APP_ADDR port $APP_PORT" "$BASTION_LOG" ||
    jg_fail "bastion did not forward to app"
grep -q "server_request_direct_tcpip: .*target $DB_ADDR port $DB_PORT" "$APP_LOG" ||
    jg_fail "app did not forward to db"
grep -q "server_request_direct_tcpip: .*target $TARGET_ADDR port $TARGET_PORT" "$DB_LOG" ||
    jg_fail "db did not forward to the target"
if [[ $JG_NETNS_MODE == netns ]]; then
	grep -q "Accepted publickey .* from $JG_HOST2_PEER" "$APP_LOG" ||
	    jg_fail "app's login did not come from the bastion's host"
	grep -q "Accepted publickey .* from $JG_HOST3_PEER" "$DB_LOG" ||
	    jg_fail "db's login did not come from app's host"
fi
for name in BASTION APP DB; do
	var=${name}_LOG
	n=$(jg_count "${!var}" 'Accepted publickey')
	[[ $n -eq 1 ]] || jg_fail "${name,,} saw $n logins; tunnels sharing the chain must share its sessions"
done
jg_pass "sshd logs show bastion -> app -> db -> target, one session per hop for both tunnels"

# Kill the middle sshd (and its sessions) during a transfer: the client
# sees a close, not a hang; the log names the hop; the chain comes back.
jg_bg "$JG_DIR/cut.log" "$JGT" client --connect "127.0.0.1:$p3" --bytes 1G \
    --timeout 60 >/dev/null
cut_pid=$JG_LAST_PID
sleep 1
jg_sshd_stop app
rc=0
wait "$cut_pid" || rc=$?
[[ $rc -eq 1 ]] || jg_fail "the client of a cut chain exited $rc (2 = hung until timeout): $(cat "$JG_DIR/cut.log")"
jg_wait_log "$log" 'hop bastion -> app: connection closed by .* \(through bastion\)' 10
jg_wait_log "$log" 'hop bastion -> app -> db: lost with bastion -> app' 10
grep -q 'tunnel three: connection from .* closed (hop bastion -> app -> db lost' "$log" ||
    jg_fail "the cut connection's close does not name the hop"
jg_pass "killing app's sshd closed the client ($(tail -1 "$JG_DIR/cut.log" | cut -c1-80)...) and named the hop"
jg_sshd_restart app
out=$("$JGT" client --connect "127.0.0.1:$p3" --bytes 8M --timeout 60) ||
    jg_fail "the chain did not come back after app's sshd restarted: $out"
jg_pass "chain back after restart: $out"
jg_jumpgate_stop "$log"

# A wrong pin on the inner hop: refused, nothing authenticated on app.
cfg=$JG_DIR/wrongpin.ini
log=$JG_DIR/wrongpin.log
{
	hop_section bastion bastion ""
	hop_section app app bastion "host_key = $(jg_fingerprint "$USER_PUB")"
} >"$cfg"
p=$(jg_free_port)
jg_config_tunnel "$cfg" two "$p" "$TARGET_ADDR:$TARGET_PORT" app
before=$(jg_count "$APP_LOG" 'userauth-request|Accepted |Failed ')
jg_jumpgate_start "$cfg" "$log"
jg_wait_port "$p" 10 "$JUMPGATE_PID"
"$JGT" expect-close --connect "127.0.0.1:$p" --timeout 10 >/dev/null ||
    jg_fail "the client was not closed after the inner pin mismatch"
jg_wait_log "$log" 'hop bastion -> app: host key REFUSED' 10
after=$(jg_count "$APP_LOG" 'userauth-request|Accepted |Failed ')
[[ $after -eq $before ]] || jg_fail "authentication was attempted on app after a pin mismatch"
grep -q 'hop bastion: ready' "$log" || jg_fail "the bastion itself should have been fine"
jg_jumpgate_stop "$log"
jg_pass "wrong inner pin: $(grep -o 'hop bastion -> app: host key REFUSED.\{0,60\}' "$log" | head -1)..."

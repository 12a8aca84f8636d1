#!/usr/bin/env bash
# Local forwards through one verified hop: 32 MiB echoed with SHA-256 both
# ways, 100 concurrent connections, clients that arrive before the hop is
# ready, a target that refuses (only that connection closes), clean exit.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/jumpgate.sh"
jg_setup

jg_keygen user
jg_sshd_start bastion
jg_sshd_start rekey "RekeyLimit 1M"
jg_echo_start target
pin=$(jg_fingerprint "$BASTION_HOSTKEY_ED25519")
dead_port=$(jg_free_port)
echo_port=$(jg_free_port)
refused_port=$(jg_free_port)

# Bastion down at start: clients must wait for it, not be dropped.
jg_sshd_stop bastion
cfg=$JG_DIR/forward.ini
# A 4 KiB send buffer on the hop socket makes the kernel take less than
# libssh2 sends all the time: the partial-send path (BAD_USE in 1.10, a
# stuck EAGAIN in 1.11.1, if libssh2 saw it) is exercised on every
# transfer, not only under load.
jg_config "$cfg" bastion bastion user "host_key = $pin" \
    "socket_send_buffer = 4096"
jg_config_tunnel "$cfg" echo "$echo_port" "127.0.0.1:$TARGET_PORT" bastion
jg_config_tunnel "$cfg" refused "$refused_port" "127.0.0.1:$dead_port" bastion
unresolved_port=$(jg_free_port)
jg_config_tunnel "$cfg" unresolved "$unresolved_port" "no-such-host.invalid:80" bastion
rekey_port=$(jg_free_port)
cat >>"$cfg" <<INI
[hop rekey]
host = 127.0.0.1
port = $REKEY_PORT
user = $JG_USER
identity = $USER_KEY
host_key = $(jg_fingerprint "$REKEY_HOSTKEY_ED25519")

INI
jg_config_tunnel "$cfg" rekeyed "$rekey_port" "127.0.0.1:$TARGET_PORT" rekey
log=$JG_DIR/jumpgate.log
jg_jumpgate_start "$cfg" "$log"
jg_wait_port "$echo_port" 10 "$JUMPGATE_PID"

jg_bg "$JG_DIR/early.log" "$JGT" client --connect "127.0.0.1:$echo_port" \
    --bytes 1M --conns 5 --timeout 30 >/dev/null
early_pid=$JG_LAST_PID
sleep 1.5
jg_sshd_restart bastion
if ! wait "$early_pid"; then
	jg_fail "clients that arrived before the hop was ready failed: $(cat "$JG_DIR/early.log")"
fi
jg_pass "5 clients that connected while the bastion was down were served once it came up"

out=$("$JGT" client --connect "127.0.0.1:$echo_port" --bytes 32M --timeout 60) ||
    jg_fail "32 MiB echo failed: $out"
jg_pass "32 MiB echoed: $out"

out=$("$JGT" client --connect "127.0.0.1:$echo_port" --bytes 256K --conns 100 \
    --timeout 60) || jg_fail "100 concurrent connections failed: $out"
jg_pass "100 concurrent: $out"

# A burst of clients must not wait for SYN retransmits: the listener queues
# 4,096 (or what net.core.somaxconn allows).
want=$(( $(cat /proc/sys/net/core/somaxconn) < 4096 ?
    $(cat /proc/sys/net/core/somaxconn) : 4096 ))
backlog=$(ss -Hltn "sport = :$echo_port" | awk '{print $3; exit}')
[[ $backlog == "$want" ]] ||
    jg_fail "listen backlog of the tunnel is ${backlog:-unknown}, expected $want"
jg_pass "listen backlog $backlog"

# Both directions at once on several channels, to fill socket buffers and
# exercise deferred sends (libssh2 must never see a partial send).
out=$("$JGT" client --connect "127.0.0.1:$echo_port" --bytes 16M --conns 4 \
    --timeout 60) || jg_fail "4 x 16 MiB failed: $out"
jg_pass "4 concurrent 16 MiB: $out"

# A target that refuses: only that client closes, with one log line that
# names the tunnel and the reason.
"$JGT" expect-close --connect "127.0.0.1:$refused_port" --timeout 10 >/dev/null ||
    jg_fail "a client of a refusing target was not closed"
jg_wait_log "$log" "tunnel refused: connection from .* closed \(bastion could not connect to 127.0.0.1:$dead_port" 5
out=$("$JGT" client --connect "127.0.0.1:$echo_port" --bytes 1M --timeout 30) ||
    jg_fail "the other tunnel stopped working after a refused target: $out"
jg_pass "refused target closed only its client; the other tunnel still works"

"$JGT" expect-close --connect "127.0.0.1:$unresolved_port" --timeout 10 >/dev/null ||
    jg_fail "a client of an unresolvable target was not closed"
jg_wait_log "$log" "tunnel unresolved: connection from .* closed \(bastion could not connect to no-such-host.invalid:80" 5
jg_pass "unresolvable target: only that client closed, with the reason"

# Rekeying mid-transfer: an sshd that rekeys every megabyte.
before=$(jg_count "$REKEY_LOG" 'SSH2_MSG_KEXINIT received')
out=$("$JGT" client --connect "127.0.0.1:$rekey_port" --bytes 32M --timeout 60) ||
    jg_fail "32 MiB through a hop that rekeys every 1 MiB failed: $out"
rekeys=$(( $(jg_count "$REKEY_LOG" 'SSH2_MSG_KEXINIT received') - before ))
[[ $rekeys -ge 10 ]] || jg_fail "expected many key re-exchanges, sshd logged $rekeys"
jg_pass "32 MiB echoed across $rekeys key re-exchanges: $out"

jg_jumpgate_stop "$log"
grep -q 'info: stopped' "$log" || jg_fail "no clean stop logged"
grep -Eq 'sends deferred' "$log" || jg_fail "no session summary logged"
if grep -q 'BAD_USE\|error -39\|(-39)' "$log"; then
	jg_fail "libssh2 reported BAD_USE"
fi
deferred=$(grep -Eo '[0-9]+ sends deferred' "$log" | awk '{s += $1} END {print s + 0}')
[[ $deferred -gt 0 ]] ||
    jg_fail "no send was ever deferred: the partial-send path was not exercised"
jg_note "sends deferred to the output buffer (kernel took less): $deferred"
jg_pass "SIGTERM: clean exit, session summary logged, no BAD_USE"

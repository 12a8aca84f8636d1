#!/usr/bin/env bash
# Extra sessions per hop (channels_per_session): with a limit of 4, 20
# concurrent echoes (SHA-256 checked both ways) spread over 5 sessions, each
# verified and authenticated (5 logins in sshd's log); later connections
# reuse them; status counts the sessions; clean exit.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/jumpgate.sh"
jg_setup

jg_keygen user
jg_sshd_start bastion
jg_echo_start target
pin=$(jg_fingerprint "$BASTION_HOSTKEY_ED25519")
port=$(jg_free_port)
cfg=$JG_DIR/pool.ini
log=$JG_DIR/pool.log
jg_config "$cfg" bastion bastion user "host_key = $pin" \
    "channels_per_session = 4"
jg_config_tunnel "$cfg" echo "$port" "127.0.0.1:$TARGET_PORT" bastion
jg_jumpgate_start "$cfg" "$log"
jg_wait_log "$log" 'hop bastion: ready' 10 "$JUMPGATE_PID"
logins0=$(jg_count "$BASTION_LOG" 'Accepted publickey')

# 20 at once: 4 on the first session, then 4 on each of 4 more.
out=$("$JGT" client --connect "127.0.0.1:$port" --bytes 2M --conns 20 \
    --timeout 60) || jg_fail "20 concurrent echoes over pooled sessions: $out"
logins=$(( $(jg_count "$BASTION_LOG" 'Accepted publickey') - logins0 ))
((logins == 4)) ||
    jg_fail "expected 4 more logins for 20 channels at 4 per session, sshd logged $logins"
for n in 2 3 4 5; do
	grep -q "hop bastion#$n: ready" "$log" ||
	    jg_fail "no 'hop bastion#$n: ready' in the log"
done
grep -q "hop bastion#2: host key $pin" "$log" ||
    jg_fail "session 2 did not verify the host key: $(grep -m1 'bastion#2' "$log")"
jg_pass "20 concurrent over channels_per_session = 4: 4 extra logins, each verified; $out"

sessions=$("$JUMPGATE" status --json "$cfg" | jq '.hops[0].sessions')
[[ $sessions == 5 ]] || jg_fail "status shows $sessions sessions, expected 5"

# The sessions stay: 20 more open no new login.
out=$("$JGT" client --connect "127.0.0.1:$port" --bytes 1M --conns 20 \
    --timeout 60) || jg_fail "second round: $out"
logins=$(( $(jg_count "$BASTION_LOG" 'Accepted publickey') - logins0 ))
((logins == 4)) || jg_fail "second round logged in again: $logins extra logins"
jg_pass "status: $sessions sessions; 20 more reuse them (no login): $out"
jg_jumpgate_stop "$log"

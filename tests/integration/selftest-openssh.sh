#!/bin/bash
#
# selftest-openssh: prove the harness with OpenSSH alone (no jumpgate).
# sshd + echo server + "ssh -N -L"; data through the tunnel must come back
# intact, a tunnel to a closed port must close, and jgt must notice a
# broken echo.

set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

jg_setup
if ! command -v ssh >/dev/null; then
	echo "ssh not found: install the Debian package openssh-client" >&2
	exit 99
fi

jg_keygen user
jg_sshd_start bastion
jg_echo_start echo
jg_echo_start sink --sink

known=$JG_DIR/known_hosts
jg_known_hosts bastion "$known"
jg_note "bastion host key $(jg_fingerprint "$BASTION_HOSTKEY_ED25519")"

# Forwards: to the echo server, to the sink, and to a port nobody listens on.
fwd_echo=$(jg_free_port)
fwd_sink=$(jg_free_port)
fwd_dead=$(jg_free_port)
dead=$(jg_free_port)
ssh_pid=$(jg_bg ssh.log ssh -N -v -F /dev/null \
    -o StrictHostKeyChecking=yes \
    -o UserKnownHostsFile="$known" \
    -o GlobalKnownHostsFile=/dev/null \
    -o CheckHostIP=no \
    -o UpdateHostKeys=no \
    -o ExitOnForwardFailure=yes \
    -o BatchMode=yes \
    -o IdentitiesOnly=yes \
    -i "$USER_KEY" \
    -p "$BASTION_PORT" \
    -L "127.0.0.1:$fwd_echo:127.0.0.1:$ECHO_PORT" \
    -L "127.0.0.1:$fwd_sink:127.0.0.1:$SINK_PORT" \
    -L "127.0.0.1:$fwd_dead:127.0.0.1:$dead" \
    "$JG_USER@127.0.0.1")
jg_wait_log "$JG_DIR/ssh.log" 'Authenticated to 127\.0\.0\.1' 10 "$ssh_pid"
jg_wait_port "$fwd_echo" 10 "$ssh_pid"
jg_wait_port "$fwd_dead" 10 "$ssh_pid"
jg_note "ssh -L running (pid $ssh_pid)"
jg_wait_log "$BASTION_LOG" "Accepted publickey for $JG_USER" 5

"$JGT" client --connect "127.0.0.1:$fwd_echo" --bytes 32M --timeout 60 ||
    jg_fail "32 MiB through ssh -L did not come back intact"
jg_pass "32 MiB echoed through ssh -L"

"$JGT" client --connect "127.0.0.1:$fwd_echo" --conns 100 --bytes 256K \
    --timeout 60 || jg_fail "100 x 256 KiB through ssh -L failed"
jg_pass "100 concurrent connections echoed through ssh -L"

"$JGT" client --connect "127.0.0.1:$fwd_sink" --bytes 8M --no-echo \
    --timeout 60 || jg_fail "8 MiB one-way into the sink failed"
jg_pass "8 MiB one-way through ssh -L into a sink"

"$JGT" expect-close --connect "127.0.0.1:$fwd_dead" --timeout 10 ||
    jg_fail "the tunnel to a closed port did not close"
jg_wait_log "$JG_DIR/ssh.log" "open failed|Connection refused" 5
jg_pass "tunnel to a closed port closes"

# The harness must notice a broken echo: a sink sends nothing back.
set +e
out=$("$JGT" client --connect "127.0.0.1:$fwd_sink" --bytes 1M --conns 2 \
    --timeout 20 2>&1)
rc=$?
set -e
printf '%s\n' "$out" | sed 's/^/    /'
if [[ $rc -ne 1 || $out != *"closed early"* ]]; then
	jg_fail "jgt client against a sink exited $rc without 'closed early'"
fi
jg_pass "jgt client reports a target that does not echo"

# ... and a tunnel that stays open is not a close.
set +e
out=$("$JGT" expect-close --connect "127.0.0.1:$fwd_echo" --send 16 \
    --timeout 5 2>&1)
rc=$?
set -e
printf '%s\n' "$out" | sed 's/^/    /'
if [[ $rc -ne 1 || $out != *"received 16 bytes"* ]]; then
	jg_fail "jgt expect-close against an echo exited $rc"
fi
jg_pass "jgt expect-close reports data instead of a close"

jg_stop "$ssh_pid"
jg_pass "harness works with OpenSSH"

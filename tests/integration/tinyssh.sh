#!/usr/bin/env bash
# tinysshd (Debian 12's 20230101, which offers only curve25519/sntrup761,
# ssh-ed25519 and chacha20-poly1305) as a hop: the host key is pinned, an
# ed25519 key authenticates, the session negotiates chacha20-poly1305 and
# stays up across keepalive probes; probe says OK and that this tinysshd
# offers no strict key exchange. tinysshd has no port forwarding, so a
# tunnel through it is refused by the server and its client closed, with
# the server's reason logged. tinysshd runs under socat, in a mount
# namespace whose /root is the test's own directory (it reads the user's
# ~/.ssh/authorized_keys and takes no other path).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/jumpgate.sh"
jg_setup

command -v tinysshd >/dev/null ||
    jg_fail "tinysshd not found: install Debian package tinysshd (scripts/install-deps)"
[[ $(id -u) == 0 && $JG_USER == root ]] ||
    jg_fail "tinyssh.sh runs as root (tinysshd reads root's authorized_keys)"

jg_keygen ed
jg_echo_start target
keydir=$JG_DIR/tinyssh-keys
tinysshd-makekey "$keydir" >/dev/null
tinysshd-printkey "$keydir" | grep '^ssh-ed25519 ' >"$JG_DIR/tinyssh_host.pub"
port=$(jg_free_port)
jg_bg_with_home tinysshd.log tinyssh socat \
    "TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr,fork" \
    "EXEC:tinysshd -v $keydir" >/dev/null
jg_wait_port "$port" 10

# probe: a chacha20-only server jumpgate can talk to, without strict kex.
rc=0
"$JUMPGATE" probe "127.0.0.1:$port" >"$JG_DIR/probe.out" || rc=$?
[[ $rc -eq 0 ]] &&
    grep -q '^cipher client->server: chacha20-poly1305@openssh.com$' "$JG_DIR/probe.out" &&
    grep -q '^strict kex: no' "$JG_DIR/probe.out" ||
    jg_fail "probe of tinysshd: exit $rc: $(cat "$JG_DIR/probe.out")"
jg_pass "probe of tinysshd: OK, $(grep '^cipher client->server' "$JG_DIR/probe.out"); $(grep '^strict kex' "$JG_DIR/probe.out" | cut -c1-60)..."

cfg=$JG_DIR/tinyssh.ini
log=$JG_DIR/tinyssh.log
{
	printf '[jumpgate]\nlog_level = debug\n\n'
	printf '[hop h]\nhost = 127.0.0.1\nport = %s\nuser = %s\n' "$port" \
	    "$JG_USER"
	printf 'identity = %s\nhost_key = %s\nkeepalive_interval = 1\n' \
	    "$ED_KEY" "$(jg_fingerprint "$JG_DIR/tinyssh_host.pub")"
	printf 'lazy = no\n'
} >"$cfg"
listen=$(jg_free_port)
jg_config_tunnel "$cfg" t "$listen" "127.0.0.1:$TARGET_PORT" h
jg_jumpgate_start "$cfg" "$log"
jg_wait_log "$log" 'hop h: ready' 10 "$JUMPGATE_PID"
grep -q 'hop h: negotiated kex .*, host key ssh-ed25519, ciphers chacha20-poly1305@openssh.com / chacha20-poly1305@openssh.com' "$log" ||
    jg_fail "tinysshd: not chacha20-poly1305: $(grep negotiated "$log")"
grep -q 'matches a host_key pin' "$log" ||
    jg_fail "tinysshd: the host key was not checked against the pin"
jg_pass "tinysshd hop ready: $(grep -o 'negotiated kex [^,]*, host key [^,]*, ciphers [^/]*' "$log" | head -1)"

# Three keepalive intervals: the hop stays up.
sleep 3.5
grep -q 'hop h: session ended\|hop h: .*dead\|retrying in' "$log" &&
    jg_fail "tinysshd: the hop went down: $(grep 'hop h' "$log" | tail -3)"
jg_pass "tinysshd hop still up after 3 keepalive intervals"

# No port forwarding in tinysshd: the client is closed, the reason logged.
"$JGT" expect-close --connect "127.0.0.1:$listen" --timeout 10 >/dev/null ||
    jg_fail "tinysshd: the tunnel's client was not closed"
jg_wait_log "$log" "tunnel t: connection from .* closed .127.0.0.1:$TARGET_PORT refused by the server: administratively prohibited \\(h: tinysshd has no port forwarding at all: forward through another server\\)" 10
! grep -Eq 'AllowTcpForwarding|PermitOpen|sshd_config' "$log" ||
    jg_fail "advice for tinysshd names OpenSSH settings"
jg_jumpgate_stop "$log"
jg_pass "tunnel through tinysshd refused, client closed: $(grep -o "127.0.0.1:$TARGET_PORT refused by the server[^)]*" "$log" | head -1)"

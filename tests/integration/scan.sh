#!/usr/bin/env bash
# jumpgate scan and probe against real sshd, never authenticating: scan
# gives the keys ssh-keyscan gives (ed25519, ecdsa, and RSA as rsa-sha2-512)
# and pins ssh-keygen -lf agrees with; --hash output is accepted by
# ssh-keygen -F and by a strict hop; pasted pins let jumpgate run connect;
# probe says OK to a default sshd and to ones that offer only rsa-sha2
# host keys or only AES-GCM, and names the list and the fix for one that
# offers only CBC ciphers; through a bastion
# (network namespaces: the inner sshd is reachable only through it) scan
# and probe work, and a wrong bastion pin stops them with the refusal.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/jumpgate.sh"
jg_setup
jg_topology 2
jg_keygen user
jg_echo_start target

# Fail if sshd log FILE shows any authentication attempt.
no_auth_in() {
	if grep -Eq 'userauth-request|Accepted |Failed publickey|Postponed' "$1"; then
		jg_fail "authentication was attempted on $1: $(grep -E 'userauth|Accepted|Failed' "$1" | head -3)"
	fi
}

# Print the known_hosts lines of scan output (no comments, no pins), sorted.
known_lines() {
	grep -v -e '^#' -e '^host_key = ' | sort
}

# Print the pins of scan output's host_key line, one a line, sorted.
pin_lines() {
	sed -n 's/^host_key = //p' | tr ',' '\n' | tr -d ' ' | sort
}

# Print SHA256 fingerprints of public key files, sorted.
keygen_fps() {
	local f
	for f in "$@"; do
		jg_fingerprint "$f"
	done | sort
}

# An RSA host key besides the ed25519 and ECDSA keys lib.sh makes.
ssh-keygen -q -t rsa -b 3072 -N '' -f "$JG_DIR/rsa_host_key" </dev/null
jg_sshd_start plain "HostKey $JG_DIR/rsa_host_key"
hostpubs=("$PLAIN_HOSTKEY_ED25519" "$PLAIN_HOSTKEY_ECDSA" "$JG_DIR/rsa_host_key.pub")

# 1. The same keys as ssh-keyscan; pins as ssh-keygen -lf prints them.
out=$("$JUMPGATE" scan "127.0.0.1:$PLAIN_PORT" 2>"$JG_DIR/scan1.err") ||
    jg_fail "scan failed: $(cat "$JG_DIR/scan1.err")"
printf '%s\n' "$out" >"$JG_DIR/scan1.out"
conns=$(jg_count "$PLAIN_LOG" 'Connection from')
ssh-keyscan -p "$PLAIN_PORT" -t ed25519,ecdsa,rsa 127.0.0.1 2>/dev/null |
    sort >"$JG_DIR/keyscan.out"
[[ $(wc -l <"$JG_DIR/keyscan.out") -eq 3 ]] ||
    jg_fail "ssh-keyscan found $(wc -l <"$JG_DIR/keyscan.out") keys, not 3"
diff <(known_lines <"$JG_DIR/scan1.out") "$JG_DIR/keyscan.out" ||
    jg_fail "scan and ssh-keyscan disagree"
diff <(pin_lines <"$JG_DIR/scan1.out") <(keygen_fps "${hostpubs[@]}") ||
    jg_fail "pins differ from ssh-keygen -lf of the host keys"
grep -q "^# 127.0.0.1:$PLAIN_PORT SSH-2.0-OpenSSH" "$JG_DIR/scan1.out" ||
    jg_fail "no header line naming the server"
grep -q '^# ssh-rsa SHA256:.* (verified: rsa-sha2-512 signature)' "$JG_DIR/scan1.out" ||
    jg_fail "the RSA key was not fetched with rsa-sha2-512"
[[ $conns -eq 3 ]] ||
    jg_fail "scan made $conns connections, expected one per key type (3)"
jg_pass "scan = ssh-keyscan (3 keys, rsa-sha2-512 verified), pins = ssh-keygen -lf"

# 2. --hash: ssh-keygen -F finds every key; a strict hop accepts the file.
kh=$JG_DIR/hashed_known_hosts
"$JUMPGATE" scan --hash --known-hosts "127.0.0.1:$PLAIN_PORT" >"$kh"
grep -q '^host_key' "$kh" && jg_fail "--known-hosts printed pins"
[[ $(grep -c '^|1|' "$kh") -eq 3 ]] || jg_fail "expected 3 hashed lines: $(cat "$kh")"
grep -q "127.0.0.1" "$kh" && jg_fail "--hash left the host name in clear"
found=$(ssh-keygen -F "[127.0.0.1]:$PLAIN_PORT" -f "$kh" | grep -vc '^#')
[[ $found -eq 3 ]] || jg_fail "ssh-keygen -F found $found of 3 hashed entries"
no_auth_in "$PLAIN_LOG"
jg_pass "--hash: ssh-keygen -F finds all 3 entries; nothing authenticated on the scanned sshd"
cfg=$JG_DIR/hashed.ini
jg_config "$cfg" h plain user "known_hosts = $kh" "host_key_policy = strict"
jg_try_tunnel "$cfg" "$JG_DIR/hashed.log" ok
grep -q 'hop h: .*known_hosts' "$JG_DIR/hashed.log" ||
    jg_fail "the hop was not verified through the hashed known_hosts"
jg_pass "a strict hop with the hashed file connects"

# 3. Pins pasted into a config: jumpgate run connects.
cfg=$JG_DIR/pins.ini
pins=$("$JUMPGATE" scan --pins "127.0.0.1:$PLAIN_PORT")
[[ $(grep -vc '^#' <<<"$pins") -eq 1 && $(grep -c '^host_key = SHA256:' <<<"$pins") -eq 1 ]] ||
    jg_fail "--pins did not print exactly one host_key line: $pins"
jg_config "$cfg" h plain user "$(grep '^host_key' <<<"$pins")"
jg_try_tunnel "$cfg" "$JG_DIR/pins.log" ok
jg_pass "pasted pins: $(grep '^host_key' <<<"$pins" | cut -c1-60)..."

# 4. probe: a default sshd can be talked to.
rc=0
"$JUMPGATE" probe "127.0.0.1:$PLAIN_PORT" >"$JG_DIR/probe1.out" || rc=$?
[[ $rc -eq 0 ]] || jg_fail "probe exited $rc: $(cat "$JG_DIR/probe1.out")"
for list in kex_algorithms server_host_key_algorithms \
    encryption_algorithms_client_to_server encryption_algorithms_server_to_client \
    mac_algorithms_client_to_server mac_algorithms_server_to_client \
    compression_algorithms_client_to_server compression_algorithms_server_to_client \
    languages_client_to_server languages_server_to_client; do
	grep -q "^$list = " "$JG_DIR/probe1.out" || jg_fail "probe did not print $list"
done
grep -q "^OK: jumpgate can talk to 127.0.0.1:$PLAIN_PORT" "$JG_DIR/probe1.out" ||
    jg_fail "no OK verdict"
jg_pass "probe: ten lists printed, verdict OK"

# 5. Only rsa-sha2 host keys: scan gets the key; probe says OK.
ssh-keygen -q -t rsa -b 3072 -N '' -f "$JG_DIR/rsa2_host_key" </dev/null
jg_sshd_start rsaonly "HostKey $JG_DIR/rsa2_host_key" "HostKeyAlgorithms rsa-sha2-512"
rc=0
"$JUMPGATE" probe "127.0.0.1:$RSAONLY_PORT" >"$JG_DIR/probe2.out" || rc=$?
[[ $rc -eq 0 ]] || jg_fail "probe of an rsa-sha2-only server exited $rc, not 0: $(cat "$JG_DIR/probe2.out")"
grep -q '^host key: rsa-sha2-512$' "$JG_DIR/probe2.out" ||
    jg_fail "probe did not choose rsa-sha2-512: $(grep 'host key' "$JG_DIR/probe2.out")"
out=$("$JUMPGATE" scan --known-hosts "127.0.0.1:$RSAONLY_PORT")
diff <(known_lines <<<"$out") <(ssh-keyscan -p "$RSAONLY_PORT" -t rsa 127.0.0.1 2>/dev/null) ||
    jg_fail "scan of the rsa-sha2-512-only server differs from ssh-keyscan"
jg_pass "rsa-sha2-512 only: probe exits 0 with '$(grep '^host key' "$JG_DIR/probe2.out")'; scan gets the RSA key"

jg_sshd_start gcmonly "Ciphers aes128-gcm@openssh.com"
rc=0
"$JUMPGATE" probe "127.0.0.1:$GCMONLY_PORT" >"$JG_DIR/probe3.out" || rc=$?
[[ $rc -eq 0 ]] || jg_fail "probe of an AES-GCM-only server exited $rc, not 0: $(cat "$JG_DIR/probe3.out")"
grep -q '^cipher client->server: aes128-gcm@openssh.com$' "$JG_DIR/probe3.out" &&
    grep -q '^mac client->server: none needed (aes128-gcm@openssh.com)$' "$JG_DIR/probe3.out" ||
    jg_fail "probe did not choose AES-GCM: $(cat "$JG_DIR/probe3.out")"
jg_pass "AES-GCM only: probe exits 0: $(grep '^mac client->server' "$JG_DIR/probe3.out")"

jg_sshd_start cbconly "Ciphers aes128-cbc"
rc=0
"$JUMPGATE" probe "127.0.0.1:$CBCONLY_PORT" >"$JG_DIR/probe4.out" || rc=$?
[[ $rc -eq 1 ]] || jg_fail "probe of a CBC-only server exited $rc, not 1"
grep -q '^FAIL: .*encryption_algorithms_client_to_server has no algorithm' "$JG_DIR/probe4.out" ||
    jg_fail "probe did not name the cipher list"
grep -q "^cipher client->server: NO COMMON ALGORITHM: .*add chacha20-poly1305@openssh.com, aes256-gcm@openssh.com or aes128-ctr to the server's Ciphers" "$JG_DIR/probe4.out" ||
    jg_fail "probe did not say what to do about ciphers: $(cat "$JG_DIR/probe4.out")"
no_auth_in "$RSAONLY_LOG"
no_auth_in "$GCMONLY_LOG"
no_auth_in "$CBCONLY_LOG"
jg_pass "CBC only: probe exits 1 naming encryption_algorithms_client_to_server"

# 6. Unreachable and silent servers: one line, nonzero, no hang.
port=$(jg_free_port)
rc=0
err=$("$JUMPGATE" scan "127.0.0.1:$port" 2>&1 >/dev/null) || rc=$?
[[ $rc -eq 1 && $err == *"cannot connect to 127.0.0.1:$port: Connection refused"* &&
    $(wc -l <<<"$err") -eq 1 ]] || jg_fail "unreachable: exit $rc, '$err'"
rc=0
t0=$SECONDS
err=$("$JUMPGATE" probe --timeout 2 "127.0.0.1:$TARGET_PORT" 2>&1 >/dev/null) || rc=$?
[[ $rc -eq 2 && $err == *"within 2 s (--timeout)"* ]] ||
    jg_fail "a server that never sends KEXINIT: exit $rc, '$err'"
((SECONDS - t0 <= 4)) || jg_fail "--timeout 2 took $((SECONDS - t0)) s"
jg_pass "refused and silent servers: one line each, e.g. '$err'"

# 7. Through a bastion: the inner sshd is reachable only through it.
ssh-keygen -q -t rsa -b 3072 -N '' -f "$JG_DIR/rsa3_host_key" </dev/null
JG_HOST=1 jg_sshd_start bastion
JG_HOST=2 jg_sshd_start inner "HostKey $JG_DIR/rsa3_host_key"
if [[ $JG_NETNS_MODE == netns ]]; then
	! jg_reachable "$INNER_ADDR" "$INNER_PORT" ||
	    jg_fail "the inner sshd is reachable directly; the test would prove nothing"
	rc=0
	"$JUMPGATE" scan --timeout 3 "$INNER_ADDR:$INNER_PORT" >/dev/null 2>&1 || rc=$?
	[[ $rc -eq 1 ]] || jg_fail "a direct scan of the inner sshd exited $rc"
fi
cfg=$JG_DIR/via.ini
printf '[hop bastion]\nhost = %s\nport = %s\nuser = %s\nidentity = %s\nhost_key = %s\n' \
    "$BASTION_ADDR" "$BASTION_PORT" "$JG_USER" "$USER_KEY" \
    "$(jg_fingerprint "$BASTION_HOSTKEY_ED25519")" >"$cfg"
out=$("$JUMPGATE" scan --via bastion --config "$cfg" "$INNER_ADDR:$INNER_PORT" 2>"$JG_DIR/via.err") ||
    jg_fail "scan --via failed: $(cat "$JG_DIR/via.err")"
printf '%s\n' "$out" >"$JG_DIR/via.out"
diff <(known_lines <"$JG_DIR/via.out") \
    <(jg_host_exec 1 ssh-keyscan -p "$INNER_PORT" -t ed25519,ecdsa,rsa "$INNER_ADDR" 2>/dev/null | sort) ||
    jg_fail "scan --via differs from ssh-keyscan run on the bastion's host"
diff <(pin_lines <"$JG_DIR/via.out") \
    <(keygen_fps "$INNER_HOSTKEY_ED25519" "$INNER_HOSTKEY_ECDSA" "$JG_DIR/rsa3_host_key.pub") ||
    jg_fail "scan --via pins differ from the inner host keys"
grep -q "^# $INNER_ADDR:$INNER_PORT SSH-2.0-.* through bastion" "$JG_DIR/via.out" ||
    jg_fail "the header does not say 'through bastion'"
grep -q "server_request_direct_tcpip: .*target $INNER_ADDR port $INNER_PORT" "$BASTION_LOG" ||
    jg_fail "the bastion did not forward to the inner sshd"
[[ $(jg_count "$BASTION_LOG" 'Accepted publickey') -eq 1 ]] ||
    jg_fail "the bastion saw $(jg_count "$BASTION_LOG" 'Accepted publickey') logins; the 3 scans share one session"
jg_pass "scan --via bastion: the inner sshd's 3 keys, one bastion session"

rc=0
"$JUMPGATE" probe --via bastion --config "$cfg" "$INNER_ADDR:$INNER_PORT" >"$JG_DIR/via-probe.out" || rc=$?
[[ $rc -eq 0 ]] || jg_fail "probe --via exited $rc: $(cat "$JG_DIR/via-probe.out")"
grep -q "^OK: jumpgate can talk to $INNER_ADDR:$INNER_PORT" "$JG_DIR/via-probe.out" ||
    jg_fail "probe --via gave no verdict"
if [[ $JG_NETNS_MODE == netns ]]; then
	grep -q "Connection from $JG_HOST2_PEER" "$INNER_LOG" ||
	    jg_fail "the inner sshd's connections did not come from the bastion's host"
fi
no_auth_in "$INNER_LOG"
jg_pass "probe --via bastion: OK; nothing authenticated on the inner sshd"

# A wrong bastion pin: refused before authentication, scan fails with it.
cfg2=$JG_DIR/wrongpin.ini
sed "s|^host_key = .*|host_key = $(jg_fingerprint "$USER_PUB")|" "$cfg" >"$cfg2"
before=$(jg_count "$INNER_LOG" 'Connection from')
rc=0
err=$("$JUMPGATE" scan --via bastion --config "$cfg2" "$INNER_ADDR:$INNER_PORT" 2>&1 >/dev/null) || rc=$?
[[ $rc -ne 0 ]] || jg_fail "scan --via with a wrong bastion pin succeeded"
[[ $err == *"jumpgate scan: cannot reach $INNER_ADDR:$INNER_PORT through bastion: host key REFUSED"* ]] ||
    jg_fail "scan --via with a wrong pin did not give the refusal: $err"
[[ $(jg_count "$INNER_LOG" 'Connection from') -eq $before ]] ||
    jg_fail "the inner sshd was contacted through a refused bastion"
[[ $(jg_count "$BASTION_LOG" 'Accepted publickey') -eq 2 ]] ||
    jg_fail "authentication was attempted on a refused bastion"
jg_pass "wrong bastion pin: exit $rc, '$(grep -o 'host key REFUSED.\{0,50\}' <<<"$err" | head -1)...'"

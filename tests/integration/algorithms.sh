#!/usr/bin/env bash
# Algorithms per hop against real sshd (OpenSSH 9.2): the secure default
# negotiates curve25519 and chacha20-poly1305 with strict key exchange
# (sshd's debug log says so, and probe); aes256-gcm, aes256-ctr with
# hmac-sha2-512 and aes128-ctr with hmac-sha2-256-etm are what get
# negotiated when a hop lists them; an RSA host key is asked for as
# rsa-sha2-512 and pinned; a chacha20-only server works and probe says so;
# a server with chacha20 and AES-GCM but only a UMAC works by default
# (AES-GCM, no MAC) and probe says so, while a hop that lists only chacha20
# fails there (libssh2 wants a MAC even with chacha20), as its error says,
# and a chacha20-only server with a UMAC fails by default, as probe says;
# a server with only CBC ciphers, or only SHA-1 key exchange, is refused
# with a message naming the list that failed and what to enable (never
# CBC); a server with only SHA-1 MACs is refused likewise; a server with
# only an ssh-rsa (SHA-1) host key is refused by default and accepted with
# allow_ssh_rsa_sha1 = yes, with a warning on every connect; probe says
# the same of those servers as the hops do; every MAC jumpgate allows
# (hmac-sha2-256 and -512, plain and -etm) carries 8 MiB checksummed both
# ways across key re-exchanges.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/jumpgate.sh"
jg_setup

jg_keygen ed
jg_echo_start target
jg_sshd_start modern "LogLevel DEBUG3"
jg_sshd_start cbc "Ciphers aes128-cbc,aes256-cbc"
jg_sshd_start sha1mac "Ciphers aes128-ctr" "MACs hmac-sha1"
jg_sshd_start sha1kex "KexAlgorithms diffie-hellman-group14-sha1"
jg_sshd_start chacha "Ciphers chacha20-poly1305@openssh.com"
jg_sshd_start aeadumac "Ciphers chacha20-poly1305@openssh.com,aes256-gcm@openssh.com" \
    "MACs umac-128-etm@openssh.com"
jg_sshd_start chachaumac "Ciphers chacha20-poly1305@openssh.com" \
    "MACs umac-128-etm@openssh.com"
jg_sshd_start rekeymac "RekeyLimit 1M"
rsahost=$JG_DIR/rsa_host_key
ssh-keygen -q -t rsa -b 2048 -N '' -f "$rsahost" -C rsa-host
jg_sshd_start rsaonly "HostKeyAlgorithms ssh-rsa" "HostKey $rsahost"
jg_sshd_start rsasha2 "HostKeyAlgorithms rsa-sha2-512,rsa-sha2-256" \
    "HostKey $rsahost"

# run_case NAME SSHD PIN ok|refused PATTERN HOPLINE...
run_case() {
	local name=$1 sshd=$2 pin=$3 expect=$4 pattern=$5 upper port cfg log
	shift 5
	upper=$(printf '%s' "$sshd" | tr '[:lower:]' '[:upper:]')
	port=${upper}_PORT
	cfg=$JG_DIR/$name.ini
	log=$JG_DIR/$name.log
	{
		printf '[jumpgate]\nlog_level = debug\n\n'
		printf '[hop h]\nhost = 127.0.0.1\nport = %s\nuser = %s\n' \
		    "${!port}" "$JG_USER"
		printf 'identity = %s\nhost_key = %s\n' "$ED_KEY" \
		    "$(jg_fingerprint "$pin")"
		printf '%s\n' "$@"
	} >"$cfg"
	jg_try_tunnel "$cfg" "$log" "$expect" "$pattern"
	jg_pass "$name: $(grep -Eo -- "$pattern.*" "$log" | head -1 | cut -c1-160)"
}

run_case default modern "$MODERN_HOSTKEY_ED25519" ok \
    'negotiated kex curve25519-sha256, host key ssh-ed25519, ciphers chacha20-poly1305@openssh.com / chacha20-poly1305@openssh.com'
grep -q 'will use strict KEX ordering' "$MODERN_LOG" ||
    jg_fail "sshd did not log strict key exchange (kex-strict) for the default hop"
jg_pass "strict key exchange: sshd logged '$(grep -o 'will use strict KEX ordering' "$MODERN_LOG" | head -1)' for $(jg_count "$MODERN_LOG" 'will use strict KEX ordering') sessions"
run_case gcm modern "$MODERN_HOSTKEY_ED25519" ok \
    'negotiated kex curve25519-sha256, host key ssh-ed25519, ciphers aes256-gcm@openssh.com / aes256-gcm@openssh.com' \
    "ciphers = aes256-gcm@openssh.com"
run_case aes256 modern "$MODERN_HOSTKEY_ED25519" ok \
    'negotiated kex curve25519-sha256, host key ssh-ed25519, ciphers aes256-ctr / aes256-ctr, MACs hmac-sha2-512 / hmac-sha2-512' \
    "ciphers = aes256-ctr" "macs = hmac-sha2-512"
run_case etm modern "$MODERN_HOSTKEY_ED25519" ok \
    'negotiated kex curve25519-sha256, host key ssh-ed25519, ciphers aes128-ctr / aes128-ctr, MACs hmac-sha2-256-etm@openssh.com / hmac-sha2-256-etm@openssh.com' \
    "ciphers = aes128-ctr" "macs = hmac-sha2-256-etm@openssh.com"
run_case ecdh modern "$MODERN_HOSTKEY_ECDSA" ok \
    'negotiated kex ecdh-sha2-nistp256, host key ecdsa-sha2-nistp256' \
    "kex = ecdh-sha2-nistp256" "host_key_algorithms = ecdsa-sha2-nistp256"
run_case chacha-server chacha "$CHACHA_HOSTKEY_ED25519" ok \
    'negotiated kex curve25519-sha256, host key ssh-ed25519, ciphers chacha20-poly1305@openssh.com'
# chacha20-poly1305 and AES-GCM with only a UMAC: libssh2 agrees on
# chacha20 (the default's first) and then wants a MAC in common even with
# chacha20, so the default hop fails and says to offer AES-GCM; a hop that
# lists AES-GCM first works, and one that lists only chacha20 fails too.
run_case aead-umac-default aeadumac "$AEADUMAC_HOSTKEY_ED25519" refused \
    "the server shares no MAC with this hop .*libssh2 wants a MAC in common even with chacha20-poly1305@openssh.com, which was agreed on"
run_case aead-umac-gcm aeadumac "$AEADUMAC_HOSTKEY_ED25519" ok \
    'negotiated kex curve25519-sha256, host key ssh-ed25519, ciphers aes256-gcm@openssh.com / aes256-gcm@openssh.com, MACs INTEGRATED-AES-GCM' \
    "ciphers = aes256-gcm@openssh.com,chacha20-poly1305@openssh.com"
run_case aead-umac-chacha aeadumac "$AEADUMAC_HOSTKEY_ED25519" refused \
    "the server shares no MAC with this hop .*or aes256-gcm@openssh.com, which needs no MAC \\(OpenSSH: Ciphers; a hop that sets ciphers must list it too\\); libssh2 wants a MAC in common even with chacha20-poly1305@openssh.com, which was agreed on" \
    "ciphers = chacha20-poly1305@openssh.com"
run_case chacha-umac-server chachaumac "$CHACHAUMAC_HOSTKEY_ED25519" refused \
    'the server shares no MAC with this hop .*; libssh2 wants a MAC in common even with chacha20-poly1305@openssh.com, which was agreed on'
# A hop's own ciphers that a chacha20-only server lacks: the error blames
# the hop's list, not the server (no "CBC" guess).
run_case chacha-hop-ctr chacha "$CHACHA_HOSTKEY_ED25519" refused \
    "the server shares no cipher with this hop \\(ciphers offered: aes128-ctr, this hop's ciphers\\): list some the server has \\('jumpgate probe' shows them\\), or leave ciphers out for the secure default" \
    "ciphers = aes128-ctr"
run_case rsa-sha2 rsasha2 "$rsahost.pub" ok \
    'negotiated kex curve25519-sha256, host key rsa-sha2-512,'
grep -q "host key $(jg_fingerprint "$rsahost.pub") (ssh-rsa) matches a host_key pin" \
    "$JG_DIR/rsa-sha2.log" ||
    jg_fail "rsa-sha2: the RSA key was not checked against its pin: $(grep 'host key' "$JG_DIR/rsa-sha2.log")"
! grep -q 'ssh-rsa (SHA-1' "$JG_DIR/rsa-sha2.log" ||
    jg_fail "rsa-sha2: a SHA-1 warning for an rsa-sha2-512 host key"
run_case cbc-server cbc "$CBC_HOSTKEY_ED25519" refused \
    'the server shares no cipher with this hop \(ciphers offered: chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com,aes256-ctr,aes192-ctr,aes128-ctr, the secure default\).*enable chacha20-poly1305@openssh.com, aes128-gcm@openssh.com or aes128-ctr on the server'
run_case sha1mac-server sha1mac "$SHA1MAC_HOSTKEY_ED25519" refused \
    'the server shares no MAC with this hop \(macs offered: hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,hmac-sha2-256,hmac-sha2-512, the secure default\)'
run_case sha1kex-server sha1kex "$SHA1KEX_HOSTKEY_ED25519" refused \
    'the server shares no key exchange method or host key algorithm with this hop \(kex offered: curve25519-sha256,'
run_case rsa-refused rsaonly "$rsahost.pub" refused \
    'shares no key exchange method or host key algorithm .*host keys offered: ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,rsa-sha2-512,rsa-sha2-256\).*allow_ssh_rsa_sha1 = yes for an RSA-only legacy server'
for f in cbc-server sha1kex-server rsa-refused; do
	[[ $(jg_count "$JG_DIR/$f.log" 'retrying in 60') -ge 1 ]] ||
	    jg_fail "$f: no common algorithm should retry after the longest backoff"
done
jg_pass "no common algorithm is a hard failure (retry after 60 s)"

# Every MAC jumpgate allows carries data, checksummed both ways, across key
# re-exchanges (this sshd rekeys every MiB), so the MAC keys change in the
# middle of the transfer (libssh2 patch 0002 keeps a keyed HMAC context
# per direction and must replace it at each new key).
for mac in hmac-sha2-256 hmac-sha2-256-etm@openssh.com hmac-sha2-512 \
    hmac-sha2-512-etm@openssh.com; do
	cfg=$JG_DIR/mac-$mac.ini
	log=$JG_DIR/mac-$mac.log
	{
		printf '[jumpgate]\nlog_level = debug\n\n'
		printf '[hop h]\nhost = 127.0.0.1\nport = %s\nuser = %s\n' \
		    "$REKEYMAC_PORT" "$JG_USER"
		printf 'identity = %s\nhost_key = %s\n' "$ED_KEY" \
		    "$(jg_fingerprint "$REKEYMAC_HOSTKEY_ED25519")"
		printf 'ciphers = aes128-ctr\nmacs = %s\n' "$mac"
	} >"$cfg"
	port=$(jg_free_port)
	jg_config_tunnel "$cfg" t "$port" "127.0.0.1:$TARGET_PORT" h
	before=$(jg_count "$REKEYMAC_LOG" 'SSH2_MSG_KEXINIT received')
	jg_jumpgate_start "$cfg" "$log"
	jg_wait_port "$port" 10 "$JUMPGATE_PID"
	out=$("$JGT" client --connect "127.0.0.1:$port" --bytes 8M \
	    --timeout 60) || jg_fail "$mac: 8 MiB echo failed: $out"
	jg_jumpgate_stop "$log"
	grep -q "ciphers aes128-ctr / aes128-ctr, MACs $mac / $mac" "$log" ||
	    jg_fail "$mac was not negotiated: $(grep negotiated "$log")"
	kex=$(( $(jg_count "$REKEYMAC_LOG" 'SSH2_MSG_KEXINIT received') - before ))
	[[ $kex -ge 4 ]] ||
	    jg_fail "$mac: expected key re-exchanges, sshd logged $kex key exchanges"
	jg_pass "$mac: 8 MiB echoed across $kex key exchanges: $out"
done

# probe agrees with the hops: ssh-rsa only works with the opt-in, which it
# names; SHA-1 MACs are refused and no setting allows them.
rc=0
"$JUMPGATE" probe "127.0.0.1:$RSAONLY_PORT" >"$JG_DIR/probe-rsa.out" || rc=$?
[[ $rc -eq 1 ]] || jg_fail "probe of the ssh-rsa-only server exited $rc, not 1"
grep -q "^host key: NO COMMON ALGORITHM: ssh-rsa .*'allow_ssh_rsa_sha1 = yes' on the hop, which means accepting SHA-1 signatures" \
    "$JG_DIR/probe-rsa.out" ||
    jg_fail "probe did not name allow_ssh_rsa_sha1: $(cat "$JG_DIR/probe-rsa.out")"
rc=0
"$JUMPGATE" probe "127.0.0.1:$SHA1MAC_PORT" >"$JG_DIR/probe-mac.out" || rc=$?
[[ $rc -eq 1 ]] || jg_fail "probe of the SHA-1-MAC server exited $rc, not 1"
grep -q "^mac client->server: NO COMMON ALGORITHM: common but refused by jumpgate's policy, and no setting allows them: hmac-sha1 (a SHA-1 MAC)" \
    "$JG_DIR/probe-mac.out" ||
    jg_fail "probe did not refuse hmac-sha1: $(cat "$JG_DIR/probe-mac.out")"
rc=0
"$JUMPGATE" probe "127.0.0.1:$MODERN_PORT" >"$JG_DIR/probe-modern.out" || rc=$?
[[ $rc -eq 0 ]] && grep -q '^host key: ssh-ed25519$' "$JG_DIR/probe-modern.out" &&
    grep -q '^cipher client->server: chacha20-poly1305@openssh.com$' "$JG_DIR/probe-modern.out" &&
    grep -q '^mac client->server: hmac-sha2-256-etm@openssh.com$' "$JG_DIR/probe-modern.out" &&
    grep -q '^strict kex: yes' "$JG_DIR/probe-modern.out" ||
    jg_fail "probe of the modern server does not match what the default hop negotiated: $(cat "$JG_DIR/probe-modern.out")"
jg_pass "probe: $(grep '^host key' "$JG_DIR/probe-rsa.out" | cut -c1-120)..."
jg_pass "probe of OpenSSH 9.2: $(grep '^strict kex' "$JG_DIR/probe-modern.out")"
# A chacha20-only server is fine, and a CBC-only one is never told to
# enable CBC (nor are its MACs blamed).
rc=0
"$JUMPGATE" probe "127.0.0.1:$CHACHA_PORT" >"$JG_DIR/probe-chacha.out" || rc=$?
[[ $rc -eq 0 ]] && grep -q '^cipher server->client: chacha20-poly1305@openssh.com$' "$JG_DIR/probe-chacha.out" &&
    ! grep -qi 'cbc' "$JG_DIR/probe-chacha.out" ||
    jg_fail "probe of the chacha20-only server: exit $rc: $(cat "$JG_DIR/probe-chacha.out")"
rc=0
"$JUMPGATE" probe "127.0.0.1:$CBC_PORT" >"$JG_DIR/probe-cbc.out" || rc=$?
[[ $rc -eq 1 ]] &&
    grep -q "^cipher client->server: NO COMMON ALGORITHM: .*add chacha20-poly1305@openssh.com, aes256-gcm@openssh.com or aes128-ctr to the server's Ciphers" "$JG_DIR/probe-cbc.out" ||
    jg_fail "probe of the CBC-only server: exit $rc: $(cat "$JG_DIR/probe-cbc.out")"
jg_pass "probe: chacha20-only server OK, CBC-only server told: $(grep -o 'add chacha20.*' "$JG_DIR/probe-cbc.out" | head -1)"
# chacha20 and AES-GCM with only a UMAC: probe fails as the default hop
# did (chacha20 agreed on, no MAC in common) and names nothing weaker.
rc=0
"$JUMPGATE" probe "127.0.0.1:$AEADUMAC_PORT" >"$JG_DIR/probe-aead.out" 2>&1 || rc=$?
[[ $rc -ne 0 ]] &&
    grep -q 'mac_algorithms_client_to_server has no algorithm in common' "$JG_DIR/probe-aead.out" &&
    ! grep -Eqi 'cbc|sha1|md5' "$JG_DIR/probe-aead.out" ||
    jg_fail "probe of the chacha20+GCM, UMAC-only server: exit $rc: $(cat "$JG_DIR/probe-aead.out")"
jg_pass "probe: chacha20+GCM, UMAC only: OK, $(grep '^mac client->server' "$JG_DIR/probe-aead.out")"
# chacha20 and only a UMAC: probe fails as the default hop did, says that
# libssh2 wants a MAC even with chacha20, and asks for nothing weaker.
rc=0
"$JUMPGATE" probe "127.0.0.1:$CHACHAUMAC_PORT" >"$JG_DIR/probe-chachaumac.out" || rc=$?
[[ $rc -eq 1 ]] &&
    grep -q "^mac client->server: NO COMMON ALGORITHM: libssh2 [0-9.]* wants a MAC in common even with chacha20-poly1305@openssh.com, though it does not use it: add hmac-sha2-256-etm@openssh.com or hmac-sha2-256 to the server's MACs, or aes256-gcm@openssh.com, which needs none, to its Ciphers$" "$JG_DIR/probe-chachaumac.out" &&
    ! grep -Eqi 'cbc|sha1|md5' "$JG_DIR/probe-chachaumac.out" ||
    jg_fail "probe of the chacha20, UMAC-only server: exit $rc: $(cat "$JG_DIR/probe-chachaumac.out")"
jg_pass "probe: chacha20, UMAC only: $(grep '^mac client->server' "$JG_DIR/probe-chachaumac.out" | cut -c1-140)..."

# Opted in: accepted, and a warning on each connect (the server restarts
# in between, so the hop connects twice).
cfg=$JG_DIR/rsa-allowed.ini
log=$JG_DIR/rsa-allowed.log
{
	printf '[jumpgate]\nlog_level = debug\n\n'
	printf '[hop h]\nhost = 127.0.0.1\nport = %s\nuser = %s\n' \
	    "$RSAONLY_PORT" "$JG_USER"
	printf 'identity = %s\nhost_key = %s\nallow_ssh_rsa_sha1 = yes\n' \
	    "$ED_KEY" "$(jg_fingerprint "$rsahost.pub")"
} >"$cfg"
port=$(jg_free_port)
jg_config_tunnel "$cfg" t "$port" "127.0.0.1:$TARGET_PORT" h
jg_jumpgate_start "$cfg" "$log"
jg_wait_port "$port" 10 "$JUMPGATE_PID"
"$JGT" client --connect "127.0.0.1:$port" --bytes 256K --timeout 20 >/dev/null ||
    jg_fail "no data through the ssh-rsa hop"
jg_sshd_restart rsaonly
jg__deadline 20
while (($(jg_count "$log" 'hop h: ready') < 2)); do
	jg__before_deadline || jg_fail "the hop did not reconnect"
	sleep 0.1
done
"$JGT" client --connect "127.0.0.1:$port" --bytes 256K --timeout 20 >/dev/null ||
    jg_fail "no data through the ssh-rsa hop after the reconnect"
jg_jumpgate_stop "$log"
warnings=$(jg_count "$log" "hop h: the server's host key signature uses ssh-rsa \(SHA-1 signatures\), accepted because allow_ssh_rsa_sha1 = yes")
[[ $warnings -eq 2 ]] || jg_fail "expected 2 ssh-rsa warnings (one per connect), got $warnings"
grep -q 'negotiated kex curve25519-sha256, host key ssh-rsa' "$log" ||
    jg_fail "ssh-rsa was not what was negotiated"
jg_pass "allow_ssh_rsa_sha1 = yes: ssh-rsa host key accepted, warned on each of 2 connects"

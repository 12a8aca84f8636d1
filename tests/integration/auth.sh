#!/usr/bin/env bash
# Authentication against real sshd: ed25519 and ECDSA keys, an encrypted key
# with identity_passphrase_file, ssh-agent; clear errors for a wrong
# passphrase, a key readable by others, a key the server does not know, a
# server without publickey. RSA keys, from a file and from ssh-agent,
# authenticate with rsa-sha2-512 (sshd's log says which) against OpenSSH
# 9.2, which refuses SHA-1 signatures, without allow_ssh_rsa_sha1. Tunnels
# of one hop share one session. No secret in any log.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/jumpgate.sh"
jg_setup

jg_keygen ed
jg_keygen ec ecdsa
jg_keygen rsa rsa
jg_sshd_start bastion
jg_echo_start target
pin="host_key = $(jg_fingerprint "$BASTION_HOSTKEY_ED25519")"
secret="correct horse battery $RANDOM$RANDOM"

# An encrypted ed25519 key (not in authorized_keys yet: appended below).
enc=$JG_DIR/enc_key
ssh-keygen -q -t ed25519 -N "$secret" -f "$enc" -C enc
cat "$enc.pub" >>"$JG_AUTHORIZED_KEYS"
passfile=$JG_DIR/enc_pass
printf '%s\n' "$secret" >"$passfile"
chmod 600 "$passfile"
wrongpass=$JG_DIR/wrong_pass
printf 'not the passphrase\n' >"$wrongpass"
chmod 600 "$wrongpass"

# A key the server does not know.
stranger=$JG_DIR/stranger_key
ssh-keygen -q -t ed25519 -N '' -f "$stranger" -C stranger

n=0
# run_case NAME expect(ok|refused) PATTERN HOPLINE...: one jumpgate, one
# tunnel, one client; PATTERN must appear in the log.
run_case() {
	local name=$1 expect=$2 pattern=$3 cfg log
	shift 3
	n=$((n + 1))
	cfg=$JG_DIR/$name.ini
	log=$JG_DIR/$name.log
	{
		printf '[jumpgate]\nlog_level = debug\n\n'
		printf '[hop h]\nhost = 127.0.0.1\nport = %s\nuser = %s\n%s\n' \
		    "$BASTION_PORT" "$JG_USER" "$pin"
		printf '%s\n' "$@"
	} >"$cfg"
	jg_try_tunnel "$cfg" "$log" "$expect" "$pattern"
	jg_pass "$name: $(grep -Eo -- "$pattern.*" "$log" | head -1 | cut -c1-150)"
}

run_case ed25519 ok 'hop h: ready' "identity = $ED_KEY"
run_case ecdsa ok 'hop h: ready' "identity = $EC_KEY"
run_case passphrase ok 'hop h: ready' "identity = $enc" \
    "identity_passphrase_file = $passfile"
run_case wrong-passphrase refused 'cannot load identity' "identity = $enc" \
    "identity_passphrase_file = $wrongpass"
chmod 644 "$passfile"
run_case passfile-mode refused "$passfile is accessible by others \(mode 0644\); run chmod 600" \
    "identity = $enc" "identity_passphrase_file = $passfile"
chmod 600 "$passfile"
cp "$ED_KEY" "$JG_DIR/loose_key"
chmod 644 "$JG_DIR/loose_key"
run_case key-mode refused "identity $JG_DIR/loose_key is accessible by others \(mode 0644\)" \
    "identity = $JG_DIR/loose_key"
run_case unknown-key refused "the server refused key $stranger for user $JG_USER" \
    "identity = $stranger"
before=$(jg_count "$BASTION_LOG" 'Accepted publickey for .*: RSA ')
run_case rsa ok 'hop h: ready' "identity = $RSA_KEY"
[[ $(jg_count "$BASTION_LOG" 'Accepted publickey for .*: RSA ') -gt $before ]] ||
    jg_fail "rsa: sshd did not log an accepted RSA key"
grep -q 'userauth_pubkey: .*pkalg rsa-sha2-512' "$BASTION_LOG" ||
    jg_fail "rsa: sshd did not see an rsa-sha2-512 signature: $(grep 'userauth_pubkey' "$BASTION_LOG" | tail -2)"
jg_pass "rsa: sshd: $(grep -o 'userauth_pubkey: .*pkalg rsa-sha2-512[^ ]*' "$BASTION_LOG" | tail -1 | cut -c1-100)"

# ssh-agent holding the ECDSA key; no identity in the file.
agent_sock=$JG_DIR/agent.sock
jg_bg "$JG_DIR/agent.log" ssh-agent -D -a "$agent_sock" >/dev/null
for ((i = 0; i < 50; i++)); do [[ -S $agent_sock ]] && break; sleep 0.1; done
SSH_AUTH_SOCK=$agent_sock ssh-add -q "$EC_KEY"
export SSH_AUTH_SOCK=$agent_sock
run_case agent ok 'hop h: ready'
SSH_AUTH_SOCK=$agent_sock ssh-add -q -D 2>/dev/null
SSH_AUTH_SOCK=$agent_sock ssh-add -q "$RSA_KEY"
before=$(jg_count "$BASTION_LOG" 'Accepted publickey for .*: RSA ')
run_case agent-rsa ok 'hop h: ready'
[[ $(jg_count "$BASTION_LOG" 'Accepted publickey for .*: RSA ') -gt $before ]] ||
    jg_fail "agent-rsa: sshd did not log an accepted RSA key"
unset SSH_AUTH_SOCK
run_case no-agent refused 'no identity configured and SSH_AUTH_SOCK is not set'

# A server that does not take public keys.
jg_sshd_start nopk "PubkeyAuthentication no" "PasswordAuthentication yes"
pin="host_key = $(jg_fingerprint "$NOPK_HOSTKEY_ED25519")"
BASTION_PORT=$NOPK_PORT run_case no-publickey refused \
    'does not accept publickey authentication for .* \(it offers: password' \
    "identity = $ED_KEY"
pin="host_key = $(jg_fingerprint "$BASTION_HOSTKEY_ED25519")"

# Two tunnels on one hop, several connections each: one SSH session.
cfg=$JG_DIR/shared.ini
log=$JG_DIR/shared.log
jg_config "$cfg" h bastion ed "$pin"
p1=$(jg_free_port); p2=$(jg_free_port)
jg_config_tunnel "$cfg" one "$p1" "127.0.0.1:$TARGET_PORT" h
jg_config_tunnel "$cfg" two "$p2" "127.0.0.1:$TARGET_PORT" h
before=$(jg_count "$BASTION_LOG" 'Accepted publickey')
jg_jumpgate_start "$cfg" "$log"
jg_wait_port "$p2" 10 "$JUMPGATE_PID"
"$JGT" client --connect "127.0.0.1:$p1" --bytes 256K --conns 10 --timeout 20 >/dev/null
"$JGT" client --connect "127.0.0.1:$p2" --bytes 256K --conns 10 --timeout 20 >/dev/null
jg_jumpgate_stop "$log" "$JUMPGATE_PID" INT
sessions=$(( $(jg_count "$BASTION_LOG" 'Accepted publickey') - before ))
[[ $sessions -eq 1 ]] || jg_fail "two tunnels used $sessions SSH sessions"
jg_pass "20 connections over two tunnels of one hop used 1 SSH session; SIGINT exits 0"

# No secret at any level (the cases above ran at debug): the passphrase
# appears in no log.
for f in "$JG_DIR"/*.log; do
	if grep -qF -- "$secret" "$f"; then
		jg_fail "the passphrase leaked into $f"
	fi
done
jg_pass "the passphrase appears in none of $(ls "$JG_DIR"/*.log | wc -l) logs"

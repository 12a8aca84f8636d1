#!/usr/bin/env bash
# Advice that leads somewhere. A server that signs only with ssh-rsa
# (SHA-1): scan --pins names allow_ssh_rsa_sha1 = yes next to the pin it
# prints; the pin alone is refused with the same setting named; pin and
# setting together carry 1 MiB with matching checksums. A Dropbear that
# refuses forwarding is told about by its own start-up options (-j, -k),
# never by OpenSSH's sshd_config settings. (A second run of a running
# file, the third advice, is in instance.sh.)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/jumpgate.sh"
jg_setup

command -v dropbear >/dev/null || PATH=$PATH:/usr/sbin
command -v dropbear >/dev/null && command -v dropbearkey >/dev/null ||
    jg_fail "dropbear not found: install Debian package dropbear-bin (scripts/install-deps)"
[[ $(id -u) == 0 && $JG_USER == root ]] ||
    jg_fail "advice.sh runs as root (dropbear reads root's authorized_keys)"

jg_keygen user
jg_echo_start target

# --- An RSA-only server that signs with ssh-rsa (SHA-1) only.
rsahost=$JG_DIR/rsa_host_key
ssh-keygen -q -t rsa -b 2048 -N '' -f "$rsahost" -C rsa-host
jg_sshd_start rsaonly "HostKeyAlgorithms ssh-rsa" "HostKey $rsahost"
pin=$(jg_fingerprint "$rsahost.pub")
scan=$("$JUMPGATE" scan --pins "127.0.0.1:$RSAONLY_PORT") ||
    jg_fail "scan --pins of the RSA-only server failed: $scan"
grep -qx "host_key = $pin" <<<"$scan" || jg_fail "scan --pins did not print the pin: $scan"
want="# this server signs only with ssh-rsa (SHA-1): a hop accepts this key only with allow_ssh_rsa_sha1 = yes in its [hop] section, next to the pin; better, let the server sign with rsa-sha2-512 or give it an ed25519 key (OpenSSH 7.2 or later: HostKeyAlgorithms in sshd_config)"
grep -qxF "$want" <<<"$scan" || jg_fail "scan --pins did not say which setting accepts the key: $scan"
jg_pass "scan --pins of an ssh-rsa-only server names allow_ssh_rsa_sha1 = yes next to the pin"

cfg=$JG_DIR/rsa-pin.ini
jg_config "$cfg" h rsaonly user "host_key = $pin"
jg_try_tunnel "$cfg" "$JG_DIR/rsa-pin.log" refused \
    'allow_ssh_rsa_sha1 = yes for an RSA-only legacy server'
grep -q 'scan --pins' "$JG_DIR/rsa-pin.log" &&
    jg_fail "the pin printed by scan --pins is refused with advice to run scan --pins"
jg_pass "the pin alone: refused, naming allow_ssh_rsa_sha1 = yes (not scan --pins again)"

# The same key in known_hosts: not "check for a man in the middle" alone,
# but the setting that accepts the SHA-1 signature.
kh=$JG_DIR/rsa_known_hosts
printf '[127.0.0.1]:%s %s\n' "$RSAONLY_PORT" "$(cut -d' ' -f1-2 "$rsahost.pub")" >"$kh"
cfg=$JG_DIR/rsa-known.ini
jg_config "$cfg" h rsaonly user "known_hosts = $kh"
jg_try_tunnel "$cfg" "$JG_DIR/rsa-known.log" refused \
    'the key is right but the server signs only with SHA-1: set allow_ssh_rsa_sha1 = yes to accept it'
cfg=$JG_DIR/rsa-known-allowed.ini
jg_config "$cfg" h rsaonly user "known_hosts = $kh" "allow_ssh_rsa_sha1 = yes"
jg_try_tunnel "$cfg" "$JG_DIR/rsa-known-allowed.log" ok
jg_pass "the key in known_hosts: refused naming allow_ssh_rsa_sha1 = yes; with it, 1 MiB echoed"

cfg=$JG_DIR/rsa-allowed.ini
jg_config "$cfg" h rsaonly user "host_key = $pin" "allow_ssh_rsa_sha1 = yes"
jg_try_tunnel "$cfg" "$JG_DIR/rsa-allowed.log" ok \
    "hop h: the server's host key signature uses ssh-rsa \\(SHA-1 signatures\\), accepted because allow_ssh_rsa_sha1 = yes"
grep -qF "host key $pin (ssh-rsa) matches a host_key pin" "$JG_DIR/rsa-allowed.log" ||
    jg_fail "the RSA key was not checked against the pin scan printed"
jg_pass "pin and allow_ssh_rsa_sha1 = yes, as scan said: 1 MiB echoed, checksums match"

# --- Dropbear refusing forwarding: its options, not sshd_config's.
dropbearkey -t ed25519 -f "$JG_DIR/dropbear_ed25519" >"$JG_DIR/dropbearkey.out" 2>&1 ||
    jg_fail "dropbearkey failed: $(cat "$JG_DIR/dropbearkey.out")"
grep '^ssh-ed25519 ' "$JG_DIR/dropbearkey.out" >"$JG_DIR/dropbear_ed25519.pub"
dbpin=$(jg_fingerprint "$JG_DIR/dropbear_ed25519.pub")
dbport=$(jg_free_port)
# -j: no local forwarding, -k: no remote forwarding.
jg_bg_with_home dropbear.log dropbear dropbear -F -E -s -j -k \
    -p "127.0.0.1:$dbport" -r "$JG_DIR/dropbear_ed25519" \
    -P "$JG_DIR/dropbear.pid" >/dev/null
jg_wait_port "$dbport" 10

# Write a config for hop h on the Dropbear.
dropbear_cfg() {
	printf '[jumpgate]\nlog_level = info\n\n[hop h]\nhost = 127.0.0.1\nport = %s\nuser = %s\nidentity = %s\nhost_key = %s\n\n' \
	    "$dbport" "$JG_USER" "$USER_KEY" "$dbpin" >"$1"
}

cfg=$JG_DIR/dropbear-local.ini
dropbear_cfg "$cfg"
jg_try_tunnel "$cfg" "$JG_DIR/dropbear-local.log" refused \
    'refused by the server: administratively prohibited \(h: this Dropbear may have been started with -j \(no local forwarding\)\)'
grep -Eq 'AllowTcpForwarding|PermitOpen|sshd_config' "$JG_DIR/dropbear-local.log" &&
    jg_fail "advice for Dropbear names OpenSSH settings: $(grep -E 'AllowTcp|PermitOpen|sshd_config' "$JG_DIR/dropbear-local.log")"
jg_pass "Dropbear -j: $(grep -o 'administratively prohibited (h: .*forwarding))' "$JG_DIR/dropbear-local.log" | head -1)"

cfg=$JG_DIR/dropbear-remote.ini
dropbear_cfg "$cfg"
rport=$(jg_free_port)
printf '[tunnel back]\nlisten = 127.0.0.1:%s\nconnect = 127.0.0.1:%s\nvia = h\ntype = remote\n' \
    "$rport" "$TARGET_PORT" >>"$cfg"
log=$JG_DIR/dropbear-remote.log
jg_jumpgate_start "$cfg" "$log"
jg_wait_log "$log" "h refused to listen on 127.0.0.1:$rport \\(this Dropbear may have been started with -k \\(no remote forwarding\\), or the port is in use there" 15 "$JUMPGATE_PID"
jg_jumpgate_stop "$log"
grep -Eq 'AllowTcpForwarding|PermitListen|sshd_config' "$log" &&
    jg_fail "advice for Dropbear names OpenSSH settings: $(grep -E 'AllowTcp|PermitListen|sshd_config' "$log")"
jg_pass "Dropbear -k: $(grep -o 'h refused to listen.*-k (no remote forwarding)' "$log" | head -1)"

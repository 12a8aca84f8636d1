#!/usr/bin/env bash
# OpenSSH user certificates (certificate = FILE next to identity) against
# sshd with TrustedUserCAKeys, the user keys in no authorized_keys: an
# ed25519 certificate (named through a symbolic link) authenticates and
# carries data, an RSA one (signed rsa-sha2-512-cert-v01) and an ECDSA one
# too; the bare key is refused. An expired or not yet valid certificate is refused at config
# load with its validity window in UTC; one from an untrusted CA or for
# another principal is refused by the server with a clear hop error. A
# certificate that expires while jumpgate runs is not used again: the hop
# fails before connecting, and jumpgate status still finds the instance
# and shows why.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/jumpgate.sh"
jg_setup

ca=$JG_DIR/ca
rogue=$JG_DIR/rogue_ca
ssh-keygen -q -t ed25519 -N '' -C ca -f "$ca"
ssh-keygen -q -t ed25519 -N '' -C rogue -f "$rogue"
jg_sshd_start bastion "TrustedUserCAKeys $ca.pub"
jg_echo_start target
pin="host_key = $(jg_fingerprint "$BASTION_HOSTKEY_ED25519")"

# User keys that no authorized_keys lists.
ed=$JG_DIR/user_ed
rsa=$JG_DIR/user_rsa
ec=$JG_DIR/user_ec
ssh-keygen -q -t ed25519 -N '' -C user-ed -f "$ed"
ssh-keygen -q -t ecdsa -N '' -C user-ec -f "$ec"
ssh-keygen -q -t rsa -b 3072 -N '' -C user-rsa -f "$rsa"
[[ ! -s $JG_AUTHORIZED_KEYS ]] || jg_fail "authorized_keys is not empty"

# sign NAME KEY CA PRINCIPALS VALIDITY: certificate NAME for KEY.pub.
sign() {
	local name=$1 key=$2 signer=$3 principals=$4 validity=$5
	cp "$key.pub" "$JG_DIR/$name.pub"
	ssh-keygen -q -s "$signer" -I "$name" -n "$principals" -V "$validity" \
	    "$JG_DIR/$name.pub"
	rm "$JG_DIR/$name.pub"
	echo "$JG_DIR/$name-cert.pub"
}

ed_cert=$(sign ed "$ed" "$ca" "$JG_USER" -5m:+1h)
ln -s "$ed_cert" "$JG_DIR/current-cert.pub"
rsa_cert=$(sign rsa "$rsa" "$ca" "$JG_USER" -5m:+1h)
ec_cert=$(sign ec "$ec" "$ca" "$JG_USER" -5m:+1h)
expired=$(sign expired "$ed" "$ca" "$JG_USER" 20200101000000Z:20210101000000Z)
future=$(sign future "$ed" "$ca" "$JG_USER" +1d:+2d)
untrusted=$(sign untrusted "$ed" "$rogue" "$JG_USER" -5m:+1h)
stranger=$(sign stranger "$ed" "$ca" "someone-else,nobody" -5m:+1h)

# write_config NAME HOPLINE...: a config with hop h; prints its path.
write_config() {
	local name=$1 cfg=$JG_DIR/$1.ini
	shift
	{
		printf '[jumpgate]\nlog_level = debug\n\n'
		printf '[hop h]\nhost = 127.0.0.1\nport = %s\nuser = %s\n%s\n' \
		    "$BASTION_PORT" "$JG_USER" "$pin"
		printf '%s\n' "$@"
	} >"$cfg"
	echo "$cfg"
}

# run_case NAME ok|refused PATTERN HOPLINE...: one jumpgate, one tunnel,
# one client (1 MiB checked with SHA-256 when ok); PATTERN in the log.
run_case() {
	local name=$1 expect=$2 pattern=$3 cfg
	shift 3
	cfg=$(write_config "$name" "$@")
	jg_try_tunnel "$cfg" "$JG_DIR/$name.log" "$expect" "$pattern"
	jg_pass "$name: $(grep -Eo -- "$pattern.*" "$JG_DIR/$name.log" | head -1 | cut -c1-160)"
}

# load_refused NAME PATTERN HOPLINE...: jumpgate check fails with PATTERN.
load_refused() {
	local name=$1 pattern=$2 cfg out
	shift 2
	cfg=$(write_config "$name" "$@")
	if out=$("$JUMPGATE" check "$cfg" 2>&1); then
		jg_fail "$name: jumpgate check accepted $cfg"
	fi
	grep -Eq -- "^$cfg:[0-9]+: $pattern" <<<"$out" ||
	    jg_fail "$name: expected '$pattern' in: $out"
	jg_pass "$name: $(head -1 <<<"$out" | cut -c1-220)"
}

accepted() {
	jg_count "$BASTION_LOG" "Accepted publickey for $JG_USER .*: $1 .* ID $2 "
}

run_case bare-key refused "the server refused key $ed for user $JG_USER" \
    "identity = $ed"

before=$(accepted ED25519-CERT ed)
run_case ed25519 ok 'hop h: ready' "identity = $ed" \
    "certificate = $JG_DIR/current-cert.pub"
[[ $(accepted ED25519-CERT ed) -gt $before ]] ||
    jg_fail "ed25519: sshd did not accept the certificate: $(grep Accepted "$BASTION_LOG" | tail -1)"
jg_pass "ed25519: sshd: $(grep -o 'Accepted publickey.*ED25519-CERT.*' "$BASTION_LOG" | tail -1 | cut -c1-120)"

before=$(accepted RSA-CERT rsa)
run_case rsa ok 'hop h: ready' "identity = $rsa" "certificate = $rsa_cert"
[[ $(accepted RSA-CERT rsa) -gt $before ]] ||
    jg_fail "rsa: sshd did not accept the certificate: $(grep Accepted "$BASTION_LOG" | tail -1)"
grep -q 'userauth_pubkey: .*pkalg rsa-sha2-512-cert-v01@openssh.com' "$BASTION_LOG" ||
    jg_fail "rsa: sshd did not see rsa-sha2-512-cert-v01: $(grep userauth_pubkey "$BASTION_LOG" | tail -2)"
jg_pass "rsa: sshd: $(grep -o 'userauth_pubkey: .*pkalg rsa-sha2-512-cert[^ ]*' "$BASTION_LOG" | tail -1 | cut -c1-100)"

before=$(accepted ECDSA-CERT ec)
run_case ecdsa ok 'hop h: ready' "identity = $ec" "certificate = $ec_cert"
[[ $(accepted ECDSA-CERT ec) -gt $before ]] ||
    jg_fail "ecdsa: sshd did not accept the certificate: $(grep Accepted "$BASTION_LOG" | tail -1)"

load_refused expired "certificate $expired has expired \(valid from 2020-01-01 00:00:00 UTC to 2021-01-01 00:00:00 UTC; it is now [0-9-]+ [0-9:]+ UTC\)" \
    "identity = $ed" "certificate = $expired"
load_refused not-yet-valid "certificate $future is not valid yet \(valid from [0-9-]+ [0-9:]+ UTC to [0-9-]+ [0-9:]+ UTC" \
    "identity = $ed" "certificate = $future"
load_refused other-key "certificate $ed_cert is for an ssh-ed25519 key but identity $rsa is an ssh-rsa key" \
    "identity = $rsa" "certificate = $ed_cert"
load_refused not-a-cert "certificate $ed.pub: it is not an OpenSSH certificate" \
    "identity = $ed" "certificate = $ed.pub"
load_refused no-identity "\[hop h\] has a certificate but no identity" \
    "certificate = $ed_cert"

run_case untrusted-ca refused "the server refused certificate $untrusted \(.*key ID \"untrusted\".*TrustedUserCAKeys" \
    "identity = $ed" "certificate = $untrusted"
run_case wrong-principal refused "the server refused certificate $stranger \(.*principals someone-else,nobody.*is $JG_USER one of its principals" \
    "identity = $ed" "certificate = $stranger"
grep -q 'name is not a listed principal' "$BASTION_LOG" ||
    jg_fail "wrong-principal: sshd did not log the principal mismatch"

# A certificate that expires while jumpgate runs: after the server goes
# away, the hop does not connect again with it.
short=$(sign short "$ed" "$ca" "$JG_USER" -1m:+12s)
cfg=$(write_config short "identity = $ed" "certificate = $short" \
    "reconnect_min = 1" "reconnect_max = 2")
# Its own control socket: status must find it once the certificate expired.
sed -i "2a control_socket = $JG_DIR/short.sock" "$cfg"
log=$JG_DIR/short.log
port=$(jg_free_port)
jg_config_tunnel "$cfg" t "$port" "127.0.0.1:$TARGET_PORT" h
jg_jumpgate_start "$cfg" "$log"
jg_wait_port "$port" 10 "$JUMPGATE_PID"
"$JGT" client --connect "127.0.0.1:$port" --bytes 256K --timeout 20 >/dev/null ||
    jg_fail "short: data did not flow before the certificate expired"
expires=$(ssh-keygen -Lf "$short" | sed -n 's/.*Valid: from .* to //p')
while [[ $(date +%Y-%m-%dT%H:%M:%S) < $expires ]]; do sleep 0.5; done
sleep 1
conns=$(jg_count "$BASTION_LOG" 'Connection from 127.0.0.1')
jg_sshd_restart bastion
jg_wait_log "$log" "hop h: certificate $short has expired \(valid from .* UTC to .* UTC; it is now" 20
out=$("$JUMPGATE" status "$cfg") ||
    jg_fail "short: jumpgate status failed once the certificate expired: $out"
grep -q "certificate $short has expired" <<<"$out" ||
    jg_fail "short: jumpgate status does not say the certificate expired: $out"
"$JGT" expect-close --connect "127.0.0.1:$port" --timeout 10 >/dev/null ||
    jg_fail "short: a client was not closed after the certificate expired"
sleep 3	# a retry or two
[[ $(jg_count "$BASTION_LOG" 'Connection from 127.0.0.1') -eq $conns ]] ||
    jg_fail "short: jumpgate connected to sshd with an expired certificate"
jg_jumpgate_stop "$log"
jg_pass "short: $(grep -Eo 'hop h: certificate .* has expired.*' "$log" | head -1 | cut -c1-160)"

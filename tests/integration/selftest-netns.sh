#!/bin/bash
#
# selftest-netns: prove the jump-chain hosts with OpenSSH alone (no
# jumpgate). jg_topology 3 puts an sshd in each of three hosts, each
# reachable only from the one before it, and an echo server in host 3;
# "ssh -J" through hosts 1 and 2 must reach it with data intact, also after
# restarting and rekeying sshds in the chain. In loopback mode (no network
# namespaces here, or JG_NETNS=0) the reachability checks are skipped.
# Last, a test that fails or is killed must leave no namespace, veth or
# route behind.

set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

jg_setup
if ! command -v ssh >/dev/null; then
	echo "ssh not found: install the Debian package openssh-client" >&2
	exit 99
fi

jg_topology 3
jg_note "mode $JG_NETNS_MODE"

jg_keygen user
JG_HOST=1 jg_sshd_start hop1
JG_HOST=2 jg_sshd_start hop2
JG_HOST=3 jg_sshd_start hop3
JG_HOST=3 jg_echo_start echo

# Each server listens where its host's address says.
for v in HOP1:1 HOP2:2 HOP3:3 ECHO:3; do
	name=${v%:*}_ADDR
	host=JG_HOST${v#*:}_ADDR
	if [[ ${!name} != "${!host}" ]]; then
		jg_fail "$name is '${!name}', not $host '${!host}'"
	fi
done
if [[ $JG_NETNS_MODE == netns ]]; then
	for k in 1 2 3; do
		addr=JG_HOST${k}_ADDR
		ns=JG_HOST${k}_NS
		[[ ${!addr} == 169.254.* && -n ${!ns} ]] ||
		    jg_fail "host $k: address '${!addr}', namespace '${!ns}'"
		out=$(jg_host_exec "$k" cat /proc/sys/net/ipv4/ip_forward)
		[[ $out == 0 ]] || jg_fail "host $k forwards (ip_forward $out)"
		out=$(jg_host_exec "$k" ip route show default)
		[[ -z $out ]] || jg_fail "host $k has a default route: $out"
	done
	jg_pass "hosts on link-local addresses, no forwarding, no default route"
elif [[ $JG_NETNS_MODE == loopback ]]; then
	[[ $HOP1_ADDR == 127.0.0.1 && -z $JG_HOST3_NS ]] ||
	    jg_fail "loopback mode, but host 1 is '$HOP1_ADDR' in '$JG_HOST3_NS'"
else
	jg_fail "JG_NETNS_MODE is '$JG_NETNS_MODE'"
fi

# Who reaches whom: only the host before.
if [[ $JG_NETNS_MODE == netns ]]; then
	jg_reachable "$HOP1_ADDR" "$HOP1_PORT" ||
	    jg_fail "host 1's sshd is not reachable from the root namespace"
	for v in HOP2 HOP3 ECHO; do
		addr=${v}_ADDR
		port=${v}_PORT
		if jg_reachable "${!addr}" "${!port}"; then
			jg_fail "${v,,} (${!addr}:${!port}) is reachable from the" \
			    "root namespace"
		fi
	done
	JG_HOST=1 jg_reachable "$HOP2_ADDR" "$HOP2_PORT" ||
	    jg_fail "host 2's sshd is not reachable from host 1"
	if JG_HOST=1 jg_reachable "$HOP3_ADDR" "$HOP3_PORT"; then
		jg_fail "host 3's sshd is reachable from host 1"
	fi
	JG_HOST=2 jg_reachable "$HOP3_ADDR" "$HOP3_PORT" ||
	    jg_fail "host 3's sshd is not reachable from host 2"
	JG_HOST=2 jg_reachable "$ECHO_ADDR" "$ECHO_PORT" ||
	    jg_fail "host 3's echo server is not reachable from host 2"
	jg_pass "root reaches only host 1, host 1 only host 2, host 2 host 3"
else
	jg_note "loopback mode: reachability checks skipped"
fi

# One ssh_config for the jump hops (the "ssh -W" that ProxyJump runs for
# them gets -F but not -o), each with its own known_hosts; the last hop's
# options are given with -o.
known_hosts() {
	: >"$JG_DIR/known_hosts.$1"
	jg_known_hosts "$1" "$JG_DIR/known_hosts.$1"
}
for k in 1 2 3; do
	known_hosts "hop$k"
done
cfg=$JG_DIR/ssh_config
{
	for k in 1 2; do
		addr=HOP${k}_ADDR
		port=HOP${k}_PORT
		printf 'Host hop%s\n\tHostName %s\n\tPort %s\n' \
		    "$k" "${!addr}" "${!port}"
		printf '\tUserKnownHostsFile %s\n' "$JG_DIR/known_hosts.hop$k"
	done
	printf 'Host *\n\tUser %s\n\tIdentityFile %s\n' "$JG_USER" "$USER_KEY"
	printf '\tIdentitiesOnly yes\n\tBatchMode yes\n'
	printf '\tStrictHostKeyChecking yes\n\tGlobalKnownHostsFile /dev/null\n'
	printf '\tCheckHostIP no\n\tUpdateHostKeys no\n'
} >"$cfg"

# Start "ssh -J hop1,hop2 hop3 -L ..." logging to $1; sets ssh_pid, fwd.
start_ssh() {
	local log=$1
	fwd=$(jg_free_port)
	ssh_pid=$(jg_bg "$log" ssh -N -v -F "$cfg" \
	    -o BatchMode=yes \
	    -o StrictHostKeyChecking=yes \
	    -o UserKnownHostsFile="$JG_DIR/known_hosts.hop3" \
	    -o ProxyJump=hop1,hop2 \
	    -o ExitOnForwardFailure=yes \
	    -i "$USER_KEY" \
	    -p "$HOP3_PORT" \
	    -L "127.0.0.1:$fwd:$ECHO_ADDR:$ECHO_PORT" \
	    "$JG_USER@$HOP3_ADDR")
	jg_wait_log "$JG_DIR/$log" \
	    "Authenticated to ${HOP3_ADDR//./\\.} \\(via proxy\\)" 20 "$ssh_pid"
	jg_wait_port "$fwd" 10 "$ssh_pid"
	jg_note "ssh -J running (pid $ssh_pid), forwarding 127.0.0.1:$fwd"
}

# Send $1 through the tunnel; it must come back with matching checksums.
send() {
	local out
	out=$("$JGT" client --connect "127.0.0.1:$fwd" --bytes "$1" \
	    --timeout 60) || jg_fail "$1 through ssh -J did not come back intact"
	printf '%s\n' "$out" | sed 's/^/    /'
	[[ $out == *"checksums match"* ]] ||
	    jg_fail "jgt client did not report matching checksums"
}

start_ssh ssh.log
# Each hop was entered from the host before it.
jg_wait_log "$HOP1_LOG" \
    "Accepted publickey for $JG_USER from ${JG_HOST1_PEER//./\\.} " 5
jg_wait_log "$HOP2_LOG" \
    "Accepted publickey for $JG_USER from ${JG_HOST2_PEER//./\\.} " 5
jg_wait_log "$HOP3_LOG" \
    "Accepted publickey for $JG_USER from ${JG_HOST3_PEER//./\\.} " 5
jg_wait_log "$HOP1_LOG" \
    "direct_tcpip: .*target ${HOP2_ADDR//./\\.} port $HOP2_PORT([^0-9]|$)" 5
jg_wait_log "$HOP2_LOG" \
    "direct_tcpip: .*target ${HOP3_ADDR//./\\.} port $HOP3_PORT([^0-9]|$)" 5
jg_pass "ssh -J went root -> host 1 -> host 2 -> host 3"

send 8M
jg_pass "8 MiB echoed through ssh -J hop1,hop2 from host 3"
jg_stop "$ssh_pid"

# Restart the middle hop and rekey the last: same hosts, addresses, ports.
old_port=$HOP2_PORT
jg_sshd_restart hop2
[[ $HOP2_PORT == "$old_port" && $HOP2_ADDR == "$JG_HOST2_ADDR" ]] ||
    jg_fail "hop2 moved to $HOP2_ADDR:$HOP2_PORT"
jg_sshd_rekey hop3
if [[ $JG_NETNS_MODE == netns ]]; then
	if jg_reachable "$HOP2_ADDR" "$HOP2_PORT"; then
		jg_fail "restarted hop2 is reachable from the root namespace"
	fi
	JG_HOST=1 jg_reachable "$HOP2_ADDR" "$HOP2_PORT" ||
	    jg_fail "restarted hop2 is not reachable from host 1"
fi
# The old known_hosts of hop3 must now be refused...
fwd=$(jg_free_port)
set +e
ssh -N -F "$cfg" -o BatchMode=yes -o StrictHostKeyChecking=yes \
    -o UserKnownHostsFile="$JG_DIR/known_hosts.hop3" -o ProxyJump=hop1,hop2 \
    -i "$USER_KEY" -p "$HOP3_PORT" "$JG_USER@$HOP3_ADDR" true \
    >"$JG_DIR/ssh-oldkey.log" 2>&1
rc=$?
set -e
if [[ $rc == 0 ]] ||
    ! grep -q "REMOTE HOST IDENTIFICATION HAS CHANGED" "$JG_DIR/ssh-oldkey.log"; then
	jg_fail "ssh -J accepted hop3's new host key (status $rc)"
fi
jg_pass "ssh -J refuses hop3's new host key against the old known_hosts"
# ... and the new one accepted.
known_hosts hop3
start_ssh ssh2.log
send 1M
jg_pass "ssh -J works after restarting hop2 and rekeying hop3"
jg_stop "$ssh_pid"

# A test that fails, or is killed, with hosts and an sshd inside them must
# leave nothing behind. $1: fail or term; expected exit status $2.
check_cleanup() {
	local how=$1 want=$2 out=$JG_DIR/child-$1.out rc mode ns1 ns2 addr pid
	local net
	set +e
	# shellcheck disable=SC2016 # expanded by the child shell
	JG_DIR='' JG_KEEP='' JG_TEST=selftest-netns-$how bash -c '
		set -euo pipefail
		. "$1"
		jg_setup
		jg_topology 2
		JG_HOST=2 jg_sshd_start inner
		printf "%s\n" "$JG_NETNS_MODE" "$JG_HOST1_NS" "$JG_HOST2_NS" \
		    "$JG_HOST2_ADDR" "$INNER_PID" >"$2"
		if [[ $3 == term ]]; then
			kill -TERM "$$"
			sleep 5
		fi
		jg_fail "forced failure"
	' _ "$(dirname "$0")/lib.sh" "$out" "$how" \
	    >"$JG_DIR/child-$how.log" 2>&1
	rc=$?
	set -e
	if [[ $rc != "$want" || ! -s $out ]]; then
		jg__tail "$JG_DIR/child-$how.log"
		jg_fail "child ($how) exited $rc, not $want"
	fi
	{ read -r mode && read -r ns1 && read -r ns2 && read -r addr &&
	    read -r pid; } <"$out"
	if jg__alive "$pid"; then
		jg_fail "child ($how) left its sshd (pid $pid) running"
	fi
	if [[ $mode == netns ]]; then
		net=${addr%.*}
		if ip netns list | grep -Eq "^($ns1|$ns2)( |\$)"; then
			jg_fail "child ($how) left a namespace: $(ip netns list)"
		fi
		if ip -o link show | grep -q ": ${ns1%h1}l"; then
			jg_fail "child ($how) left a veth:" \
			    "$(ip -o link show | grep ": ${ns1%h1}l")"
		fi
		if [[ -n $(ip -4 route show table all root "$net.0/24") ]]; then
			jg_fail "child ($how) left a route:" \
			    "$(ip -4 route show table all root "$net.0/24")"
		fi
		if [[ $net == "${JG_HOST1_ADDR%.*}" ]]; then
			jg_fail "child ($how) claimed this test's $net.0/24"
		fi
	fi
	jg_pass "a $how exit ($rc) removes its hosts ($mode mode)"
}
check_cleanup fail 1
check_cleanup term 143

jg_pass "jump-chain hosts work with OpenSSH ($JG_NETNS_MODE mode)"

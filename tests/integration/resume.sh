#!/usr/bin/env bash
# Back in seconds after sleep or a network change. jumpgate, the sshds of
# a bastion and of an app host behind it (a chain: hop b via hop h) and the
# target run in one network namespace (host 1 of jg_topology). The
# bastion's session is made silently dead by stopping the sshd processes
# that serve it (SIGSTOP: TCP stays up, nothing answers; the chain inside
# it dies with it), then:
#   - nothing else: keepalives notice (interval 2 s x 3), the baseline;
#   - an address added in the namespace (rtnetlink);
#   - a default route added (rtnetlink);
#   - a sleep, injected through JUMPGATE_TEST_BOOTTIME_FILE;
# each time the time from the change to data flowing again through both
# tunnels (1 MiB each, SHA-256) is measured and must be well under the
# baseline of the same run. An injected sleep is read within 100 ms (the
# test clock file is read that often, standing in for the timerfd that
# wakes jumpgate at once on a real resume, which a test cannot trigger
# without setting the machine's clock). Then the same changes undone, and a sleep, with the
# session alive: it must be probed and kept (same sshd session, no new
# session in the log). Without network namespaces only the sleep runs.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/jumpgate.sh"
jg_setup
jg_topology 1
jg_note "resume test mode: $JG_NETNS_MODE"

jg_keygen user
JG_HOST=1 jg_sshd_start bastion
JG_HOST=1 jg_sshd_start app
JG_HOST=1 jg_echo_start target
in_ns=()
if [[ $JG_NETNS_MODE == netns ]]; then
	in_ns=(ip netns exec "$JG_HOST1_NS")
fi

# Milliseconds since the epoch.
now_ms() {
	echo $(( ${EPOCHREALTIME/[.,]/} / 1000 ))
}

clock=$JG_DIR/boottime-offset
echo 0 >"$clock"
cfg=$JG_DIR/resume.ini
log=$JG_DIR/resume.log
port=$(jg_free_port)
port2=$(jg_free_port)
cat >"$cfg" <<INI
[jumpgate]
log_level = info

[hop h]
host = $BASTION_ADDR
port = $BASTION_PORT
user = $JG_USER
identity = $USER_KEY
host_key = $(jg_fingerprint "$BASTION_HOSTKEY_ED25519")
keepalive_interval = 2
keepalive_count_max = 3
reconnect_min = 1
reconnect_max = 2

[hop b]
host = $APP_ADDR
port = $APP_PORT
user = $JG_USER
identity = $USER_KEY
host_key = $(jg_fingerprint "$APP_HOSTKEY_ED25519")
via = h
keepalive_interval = 2
keepalive_count_max = 3
reconnect_min = 1
reconnect_max = 2

[tunnel t]
listen = 127.0.0.1:$port
connect = $TARGET_ADDR:$TARGET_PORT
via = h

[tunnel t2]
listen = 127.0.0.1:$port2
connect = $TARGET_ADDR:$TARGET_PORT
via = b
INI
export JUMPGATE_TEST_BOOTTIME_FILE=$clock
JG_JUMPGATE_WRAP="${in_ns[*]} ${JG_JUMPGATE_WRAP:-}" jg_jumpgate_start "$cfg" "$log"
jg_wait_log "$log" 'hop h: ready' 10 "$JUMPGATE_PID"
jg_wait_log "$log" 'hop h -> b: ready' 10 "$JUMPGATE_PID"
grep -q 'JUMPGATE_TEST_BOOTTIME_FILE is set' "$log" ||
    jg_fail "jumpgate did not say that the test clock offset is in use"

# 1 MiB through each tunnel, checked; fails after S seconds (default 3).
through() {
	local p
	for p in "$port" "$port2"; do
		"${in_ns[@]}" "$JGT" client --connect "127.0.0.1:$p" \
		    --bytes 1M --timeout "${1:-3}" --quiet >/dev/null 2>&1 ||
		    return 1
	done
}
through 10 || jg_fail "no data through the tunnel at start"

stopped=()
# Stop the sshd processes serving the current session (not the listener,
# not those stopped before): the session goes silently dead.
kill_session() {
	local -a procs live=()
	local p s
	read -r -a procs <<<"$(jg__tree "$BASTION_PID")"
	for p in "${procs[@]:1}"; do
		for s in "${stopped[@]}"; do
			[[ $p == "$s" ]] && continue 2
		done
		live+=("$p")
	done
	((${#live[@]} > 0)) || jg_fail "no live sshd session process to stop"
	kill -STOP "${live[@]}"
	stopped+=("${live[@]}")
}

# Milliseconds from T0 until 1 MiB passes through both tunnels (30 s at
# most).
recovered_after() {
	local t0=$1
	jg__deadline 30
	while jg__before_deadline; do
		if through 3; then
			echo $(( $(now_ms) - t0 ))
			return 0
		fi
		sleep 0.05
	done
	jg_fail "the tunnel did not work again within 30 s"
}

# Baseline: keepalives alone.
kill_session
t0=$(now_ms)
keepalive_ms=$(recovered_after "$t0")
grep -q 'probing' "$log" && jg_fail "a probe ran without any change: $(grep probing "$log")"
jg_pass "keepalives only (2 s x 3): both tunnels working again after $keepalive_ms ms"

# Check a measured recovery: well under the baseline; say how it compares
# with the 2 s target.
judge() {
	local what=$1 ms=$2
	(( ms * 2 < keepalive_ms )) ||
	    jg_fail "$what: $ms ms, not under half of the keepalive time ($keepalive_ms ms)"
	jg_pass "$what: working again after $ms ms (keepalives: $keepalive_ms ms; target 2000 ms: $( ((ms <= 2000)) && echo met || echo missed on this machine))"
}

if [[ $JG_NETNS_MODE == netns ]]; then
	dev=$(ip netns exec "$JG_HOST1_NS" ip -o -4 addr show to \
	    "$JG_HOST1_ADDR/32" | awk '{print $2; exit}')
	[[ -n $dev ]] || jg_fail "no interface holds $JG_HOST1_ADDR in $JG_HOST1_NS"
	extra=10.213.0.7

	kill_session
	t0=$(now_ms)
	ip netns exec "$JG_HOST1_NS" ip addr add "$extra/32" dev "$dev"
	ms=$(recovered_after "$t0")
	grep -q "address $extra/32 added on $dev: probing 2 hops" "$log" ||
	    jg_fail "no log line saying why the probe ran"
	grep -Eq "hop h: no answer from .* within 1\.[0-9] s of a probe after address $extra/32 added" "$log" ||
	    jg_fail "the dead session was not failed by the probe"
	probes=$(grep -c "probing 2 hops" "$log")
	[[ $probes == 1 ]] || jg_fail "$probes probes for one address"
	judge "address added" "$ms"
	addr_ms=$ms

	kill_session
	t0=$(now_ms)
	ip netns exec "$JG_HOST1_NS" ip route add default via "$JG_HOST1_PEER"
	ms=$(recovered_after "$t0")
	grep -q "default route via $JG_HOST1_PEER on $dev added: probing" "$log" ||
	    jg_fail "no log line for the default route"
	judge "default route added" "$ms"
	route_ms=$ms
fi

kill_session
t0=$(now_ms)
echo 60 >"$clock"
ms=$(recovered_after "$t0")
grep -Eq 'a resume from sleep \(60\.[0-9] s asleep\): probing 2 hops' "$log" ||
    jg_fail "no log line saying the probe followed a sleep"
judge "resume from sleep (injected)" "$ms"
clock_ms=$ms

# A live session is probed and kept.
live=()
read -r -a procs <<<"$(jg__tree "$BASTION_PID")"
for p in "${procs[@]:1}"; do
	[[ " ${stopped[*]} " == *" $p "* ]] || live+=("$p")
done
((${#live[@]} > 0)) || jg_fail "no live sshd session"
read -r -a procs <<<"$(jg__tree "$APP_PID")"
n=${#live[@]}
for p in "${procs[@]:1}"; do
	jg__alive "$p" && [[ $(awk '/^State:/ {print $2}' "/proc/$p/status") != T ]] &&
	    live+=("$p")
done
((${#live[@]} > n)) || jg_fail "no live sshd session of the app host"
ready=$(jg_count "$log" 'hop h(| -> b): ready')
kept=$(jg_count "$log" 'answered [0-9]+ ms after a probe')
sleep 1.2	# past the minimum gap between two probes
echo 180 >"$clock"
jg_wait_log "$log" 'answered [0-9]+ ms after a probe for a resume from sleep \(120\.' 5
if [[ $JG_NETNS_MODE == netns ]]; then
	sleep 1.2
	ip netns exec "$JG_HOST1_NS" ip addr del "$extra/32" dev "$dev"
	jg_wait_log "$log" "answered [0-9]+ ms after a probe for address $extra/32 removed" 5
	sleep 1.2
	ip netns exec "$JG_HOST1_NS" ip route del default
	jg_wait_log "$log" "answered [0-9]+ ms after a probe for default route .* removed" 5
fi
through 10 || jg_fail "no data through the live session after the probes"
[[ $(jg_count "$log" 'hop h(| -> b): ready') == "$ready" ]] ||
    jg_fail "a live session was replaced after a probe: $(grep -E 'hop h(| -> b): ready' "$log" | tail -1)"
for p in "${live[@]}"; do
	jg__alive "$p" || jg_fail "the live session's sshd process $p is gone"
done
jg_pass "live session probed $(( $(jg_count "$log" 'answered [0-9]+ ms after a probe') - kept )) times and kept (same sshd processes ${live[*]}, no new session)"

kill -CONT "${stopped[@]}" 2>/dev/null || true
jg_jumpgate_stop "$log"
if [[ $JG_NETNS_MODE == netns ]]; then
	jg_note "figures: keepalives $keepalive_ms ms; address $addr_ms ms; default route $route_ms ms; sleep $clock_ms ms"
else
	jg_note "figures: keepalives $keepalive_ms ms; sleep $clock_ms ms (no network namespaces: netlink not tested)"
fi

#!/usr/bin/env bash
# Load on a busy machine: with a busy loop on every core, 1,000 concurrent
# connections of random sizes (0 to 1 MiB, echoed, SHA-256 both ways)
# through one hop, then 300 through a 2-hop chain (bastion -> app, the
# inner session carried in a channel of the outer). Every connection must
# finish intact and be logged once as done, with no warning or error in
# jumpgate's log (the progress watchdog would name a stall there). The
# seed is printed; JG_SEED=N repeats the sizes. Last, a burst of 3,000
# held connections on one session with connect_timeout = 1: channels open
# one at a time, so most wait their turn far longer than 1 s, and all must
# reach the target.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/jumpgate.sh"
jg_setup

ONE_HOP_CONNS=${JG_STRESS_CONNS:-1000}
CHAIN_CONNS=${JG_STRESS_CHAIN_CONNS:-300}
BURST_CONNS=${JG_STRESS_BURST_CONNS:-3000}	# held, opened one at a time
MAX_SIZE=1M
# Only a guard against a hang: a stall shows as the watchdog's warning or
# the hop declared dead long before this.
CLIENT_TIMEOUT=900

ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
nofile=$(ulimit -n)
if [[ $nofile != unlimited ]] && ((nofile < ONE_HOP_CONNS * 2 + 200)); then
	jg__hard_error "ulimit -n is $nofile: $ONE_HOP_CONNS connections need" \
	    "$((ONE_HOP_CONNS * 2 + 200))"
fi
seed=${JG_SEED:-$((RANDOM * 32768 + RANDOM))}
jg_note "seed $seed (JG_SEED=$seed repeats the sizes)"

jg_keygen user
jg_sshd_start bastion
jg_sshd_start app
jg_echo_start target

# hop_section NAME SSHNAME [VIA [CONNECT_TIMEOUT]]
hop_section() {
	local name=$1 upper via=${3:-} timeout=${4:-10}
	upper=$(tr '[:lower:]' '[:upper:]' <<<"$2")
	local port=${upper}_PORT key=${upper}_HOSTKEY_ED25519
	printf '[hop %s]\nhost = 127.0.0.1\nport = %s\nuser = %s\n' \
	    "$name" "${!port}" "$JG_USER"
	printf 'identity = %s\nhost_key = %s\n' "$USER_KEY" \
	    "$(jg_fingerprint "${!key}")"
	# The default, 10: a client waiting its turn behind opens that
	# complete must not be failed by it (the burst below uses 1).
	printf 'connect_timeout = %s\n' "$timeout"
	# Probes and the progress watchdog every 5 s: a stall of 5 to 10 s
	# gets its counters logged (and fails the test).
	printf 'keepalive_interval = 5\nkeepalive_count_max = 12\n'
	[[ -z $via ]] || printf 'via = %s\n' "$via"
	printf '\n'
}

cfg=$JG_DIR/stress.ini
log=$JG_DIR/stress.log
{
	printf '[jumpgate]\nlog_level = info\n\n'
	hop_section bastion bastion
	hop_section app app bastion
	hop_section burst bastion "" 1
	printf 'channels_per_session = %d\n\n' "$((BURST_CONNS + 1))"
} >"$cfg"
one=$(jg_free_port)
two=$(jg_free_port)
three=$(jg_free_port)
jg_config_tunnel "$cfg" one "$one" "127.0.0.1:$TARGET_PORT" bastion
jg_config_tunnel "$cfg" two "$two" "127.0.0.1:$TARGET_PORT" app
jg_config_tunnel "$cfg" three "$three" "127.0.0.1:$TARGET_PORT" burst
jg_jumpgate_start "$cfg" "$log"
jg_wait_log "$log" 'hop bastion -> app: ready' 30 "$JUMPGATE_PID"
jg_wait_log "$log" 'hop burst: ready' 30 "$JUMPGATE_PID"

jg_cpu_hog

# run_load NAME PORT CONNS SEED: the load through one tunnel, checked.
# Print, for the first failed connections in jgt's output $1, what
# jumpgate logged about them since log line $2 (found by local port).
failed_connection_story() {
	local port
	for port in $(grep -Eo '\(local port [0-9]+\)' <<<"$1" |
	    grep -Eo '[0-9]+' | head -n 3); do
		jg_note "jumpgate's log of the failed connection from port $port:"
		tail -n "+$(($2 + 1))" "$log" | grep -E "127\.0\.0\.1:$port( |:|$)" |
		    head -n 20 >&2 || true
	done
}

run_load() {
	local name=$1 port=$2 conns=$3 s=$4 mark t0 t1 out done_lines noise
	mark=$(wc -l <"$log")
	t0=${EPOCHREALTIME/[.,]/}
	out=$("$JGT" client --connect "127.0.0.1:$port" --conns "$conns" \
	    --random-sizes "$MAX_SIZE" --seed "$s" \
	    --timeout "$CLIENT_TIMEOUT" 2>&1) || {
		failed_connection_story "$out" "$mark"
		jg_fail "$name: $conns connections failed under a CPU hog (JG_SEED=$seed): $(tail -n 20 <<<"$out"); jumpgate: $(tail -n "+$((mark + 1))" "$log" | grep -E ' (warn|error): |closed \((|[^d]|d[^o])' | head -n 5)"
	}
	t1=${EPOCHREALTIME/[.,]/}
	jg__alive "$JUMPGATE_PID" || jg_fail "$name: jumpgate is gone"
	done_lines=$(tail -n "+$((mark + 1))" "$log" |
	    grep -c "tunnel $name: connection from .* closed (done)" || true)
	[[ $done_lines -eq $conns ]] ||
	    jg_fail "$name: $done_lines of $conns connections logged as done"
	noise=$(tail -n "+$((mark + 1))" "$log" | grep -E ' (warn|error): ' |
	    head -n 3 || true)
	[[ -z $noise ]] || jg_fail "$name: warnings or errors under load: $noise"
	jg_pass "$name under a CPU hog: $conns connections in" \
	    "$(((t1 - t0) / 1000)) ms: $out; jumpgate VmHWM" \
	    "$(($(awk '$1 == "VmHWM:" {print $2}' "/proc/$JUMPGATE_PID/status") / 1024)) MiB"
}

run_load one "$one" "$ONE_HOP_CONNS" "$seed"
run_load two "$two" "$CHAIN_CONNS" "$((seed + 1))"

# The burst: held connections, counted where they arrive (established at
# the echo server), held until all are through or jgt gives up (120 s).
mark=$(wc -l <"$log")
t0=${EPOCHREALTIME/[.,]/}
jg_bg "$JG_DIR/burst.log" "$JGT" hold --connect "127.0.0.1:$three" \
    --conns "$BURST_CONNS" --seconds 120 >/dev/null
hold=$JG_LAST_PID
peak=0
t_all=
while jg__alive "$hold"; do
	n=$(ss -tnH state established "( sport = :$TARGET_PORT )" | wc -l)
	((n <= peak)) || peak=$n
	if ((peak >= BURST_CONNS)); then
		t_all=$(((${EPOCHREALTIME/[.,]/} - t0) / 1000))
		break
	fi
	sleep 0.2
done
jg_stop "$hold"
failed=$(tail -n "+$((mark + 1))" "$log" | grep 'tunnel three: .* closed (' |
    grep -v 'closed (done)' | head -n 3 || true)
[[ -n $t_all && -z $failed ]] ||
    jg_fail "burst: $peak of $BURST_CONNS held connections reached the target: $(tail -n 1 "$JG_DIR/burst.log"); jumpgate: $failed"
jg_pass "burst under a CPU hog: all $BURST_CONNS held connections reached" \
    "the target through one session with connect_timeout = 1, the last" \
    "after $t_all ms"
jg_jumpgate_stop "$log"

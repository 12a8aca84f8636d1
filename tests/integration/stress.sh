#!/usr/bin/env bash
# Load on a busy machine: with a busy loop on every core, 1,000 concurrent
# connections of random sizes (0 to 1 MiB, echoed, SHA-256 both ways)
# through one hop, then 300 through a 2-hop chain (bastion -> app, the
# inner session carried in a channel of the outer). Every connection must
# finish intact and be logged once as done, with no warning or error in
# jumpgate's log (the progress watchdog would name a stall there). The
# seed is printed; JG_SEED=N repeats the sizes.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/jumpgate.sh"
jg_setup

ONE_HOP_CONNS=${JG_STRESS_CONNS:-1000}
CHAIN_CONNS=${JG_STRESS_CHAIN_CONNS:-300}
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

# hop_section NAME SSHNAME [VIA]
hop_section() {
	local name=$1 upper via=${3:-}
	upper=$(tr '[:lower:]' '[:upper:]' <<<"$2")
	local port=${upper}_PORT key=${upper}_HOSTKEY_ED25519
	printf '[hop %s]\nhost = 127.0.0.1\nport = %s\nuser = %s\n' \
	    "$name" "${!port}" "$JG_USER"
	printf 'identity = %s\nhost_key = %s\n' "$USER_KEY" \
	    "$(jg_fingerprint "${!key}")"
	# Opens are queued one at a time per session: give the last of a
	# thousand time to reach its turn on a loaded machine (ASan too).
	printf 'connect_timeout = 300\n'
	[[ -z $via ]] || printf 'via = %s\n' "$via"
	printf '\n'
}

cfg=$JG_DIR/stress.ini
log=$JG_DIR/stress.log
{
	printf '[jumpgate]\nlog_level = info\n\n'
	hop_section bastion bastion
	hop_section app app bastion
} >"$cfg"
one=$(jg_free_port)
two=$(jg_free_port)
jg_config_tunnel "$cfg" one "$one" "127.0.0.1:$TARGET_PORT" bastion
jg_config_tunnel "$cfg" two "$two" "127.0.0.1:$TARGET_PORT" app
jg_jumpgate_start "$cfg" "$log"
jg_wait_log "$log" 'hop bastion -> app: ready' 30 "$JUMPGATE_PID"

jg_cpu_hog

# run_load NAME PORT CONNS SEED: the load through one tunnel, checked.
run_load() {
	local name=$1 port=$2 conns=$3 s=$4 mark t0 t1 out done_lines noise
	mark=$(wc -l <"$log")
	t0=${EPOCHREALTIME/[.,]/}
	out=$("$JGT" client --connect "127.0.0.1:$port" --conns "$conns" \
	    --random-sizes "$MAX_SIZE" --seed "$s" \
	    --timeout "$CLIENT_TIMEOUT" 2>&1) ||
	    jg_fail "$name: $conns connections failed under a CPU hog (JG_SEED=$seed): $(tail -n 20 <<<"$out"); jumpgate: $(tail -n "+$((mark + 1))" "$log" | grep -E ' (warn|error): ' | head -n 5)"
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
jg_jumpgate_stop "$log"

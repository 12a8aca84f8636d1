#!/usr/bin/env bash
# Per-tunnel limits against local users who hold connections: 1,000
# clients that never read, against a target that floods. With
# max_connections = 100 the other 900 are closed at once with a few
# rate-limited lines; with client_idle_timeout the 100 close once nothing
# moves; meanwhile round trips through another tunnel take under 50 ms
# (their median; or 20 times the unloaded median where that is more). The
# slowest meet the flood's first seconds ahead of them in the hop's one TCP
# stream: they are reported. jumpgate's RSS is reported with and without
# limits. A reload that turns client_idle_timeout off keeps idle
# connections open.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/jumpgate.sh"
jg_setup

CLIENTS=1000
MAX_CONNS=100
IDLE=4			# client_idle_timeout of the limited tunnel
HOLD=20			# seconds the clients stay connected without reading

ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
nofile=$(ulimit -n)
if [[ $nofile != unlimited ]] && ((nofile < CLIENTS * 3 + 200)); then
	jg__hard_error "ulimit -n is $nofile: $CLIENTS clients need $((CLIENTS * 3 + 200))"
fi

jg_keygen user
jg_sshd_start bastion
jg_echo_start target
jg_echo_start flood --source 1G
pin="host_key = $(jg_fingerprint "$BASTION_HOSTKEY_ED25519")"

# ping PORT COUNT INTERVAL: round trips on one connection through PORT;
# prints jgt's line (min, median, max ms). The timeout only guards against
# a hang: without limits the first round trip waits for a channel behind a
# thousand flood opens (over 30 s under ASan on a loaded machine), and it
# is not counted.
ping() {
	local out
	out=$("$JGT" ping --connect "127.0.0.1:$1" --count "$2" \
	    --interval "$3" --timeout 180) ||
	    jg_fail "round trips through port $1 failed: $out"
	echo "$out"
}

# The median (field "median") or maximum ("max") of a ping line, rounded
# up to whole milliseconds.
ping_ms() {
	awk -v f="$2" '{for (i = 1; i < NF; i++) if ($i == f) {
	    v = $(i + 1); printf "%d\n", v == int(v) ? v : int(v) + 1 }}' <<<"$1"
}

# rss_kib PID [HWM]: resident set (or its peak) in KiB.
rss_kib() {
	awk -v f="Vm${2:-RSS}:" '$1 == f {print $2}' "/proc/$1/status"
}

# run_flood NAME LIMIT_LINES...: jumpgate with a flood tunnel (extra lines
# LIMIT_LINES) and an echo tunnel; CLIENTS non-reading clients on the flood
# tunnel while round trips go through the echo tunnel for HOLD seconds.
# Sets FLOOD_LOG, RSS_BEFORE, RSS_PEAK, BASE (round trips before the
# flood) and DURING (round trips during it).
run_flood() {
	local name=$1 cfg log fport eport
	shift
	cfg=$JG_DIR/$name.ini
	log=$JG_DIR/$name.log
	jg_config "$cfg" h bastion user "$pin"
	fport=$(jg_free_port)
	eport=$(jg_free_port)
	jg_config_tunnel "$cfg" flood "$fport" "127.0.0.1:$FLOOD_PORT" h
	printf '%s\n' "$@" >>"$cfg"
	printf '\n' >>"$cfg"
	jg_config_tunnel "$cfg" echo "$eport" "127.0.0.1:$TARGET_PORT" h
	jg_jumpgate_start "$cfg" "$log"
	jg_wait_log "$log" 'hop h: ready' 10 "$JUMPGATE_PID"
	BASE=$(ping "$eport" 20 0.05)
	RSS_BEFORE=$(rss_kib "$JUMPGATE_PID")
	jg_bg "$JG_DIR/$name-clients.log" "$JGT" client \
	    --connect "127.0.0.1:$fport" --fetch 1G --conns "$CLIENTS" \
	    --pause-read "$((HOLD + 30))" --timeout "$((HOLD + 60))" >/dev/null
	clients=$JG_LAST_PID
	DURING=$(ping "$eport" "$((HOLD * 4))" 0.25)
	RSS_PEAK=$(rss_kib "$JUMPGATE_PID" HWM)
	jg_stop "$clients"
	FLOOD_LOG=$log
	jg_jumpgate_stop "$log"
}

# The longest round trip allowed under the flood: 50 ms, or 20 times the
# unloaded median on a machine where that is more.
rtt_limit() {
	local l=$(($(ping_ms "$BASE" median) * 20))
	((l < 50)) && l=50
	echo "$l"
}

# ---- 1. Without limits (the defaults: 4,096 connections, no idle timeout).
run_flood nolimit
nolimit_rss=$((RSS_PEAK - RSS_BEFORE))
opened=$(jg_count "$FLOOD_LOG" 'tunnel flood: connection from [^ ]+ to ')
jg_note "without limits: $opened connections accepted, RSS $((RSS_BEFORE / 1024)) MiB before, peak $((RSS_PEAK / 1024)) MiB; round trips through the other tunnel: ${BASE#*: } unloaded, ${DURING#*: } under the flood"

# ---- 2. max_connections = 100 and client_idle_timeout = 4.
run_flood limited "max_connections = $MAX_CONNS" "client_idle_timeout = $IDLE"
accepted=$(jg_count "$FLOOD_LOG" 'tunnel flood: connection from [^ ]+ to ')
((accepted == MAX_CONNS)) ||
    jg_fail "$accepted flood connections were forwarded with max_connections = $MAX_CONNS"
first=$(jg_count "$FLOOD_LOG" "tunnel flood: $MAX_CONNS connections open \(max_connections\): closing new ones at once")
[[ $first -ge 1 ]] || jg_fail "no line says max_connections was reached"
lines=$(jg_count "$FLOOD_LOG" 'tunnel flood: (closed [0-9]+ more new|[0-9]+ connections open \(max_connections\))')
refused=$(grep -Eo 'closed [0-9]+ more new' "$FLOOD_LOG" | awk '{n += $2} END {print n + 0}')
# The first refusal is counted by its own line, not in "closed N more".
((refused + first >= CLIENTS - MAX_CONNS - 1)) ||
    jg_fail "the refusal lines count $refused + $first closed clients, expected $((CLIENTS - MAX_CONNS))"
((lines <= HOLD + 5)) ||
    jg_fail "$lines lines about refused clients in $HOLD s: not rate-limited"
idle_closed=$(jg_count "$FLOOD_LOG" "tunnel flood: connection from .* closed \(no byte either way for [0-9]+ s: client_idle_timeout\)")
((idle_closed == MAX_CONNS)) ||
    jg_fail "$idle_closed of $MAX_CONNS connections closed by client_idle_timeout = $IDLE"
early=$(grep -E "closed \(no byte either way for [0-9]+ s" "$FLOOD_LOG" |
    grep -Eo 'for [0-9]+ s' | awk '$2 < '"$IDLE"' {n++} END {print n + 0}')
((early == 0)) || jg_fail "$early connections were closed before $IDLE s of idleness"
other=$(grep -E 'tunnel echo: .* closed' "$FLOOD_LOG" | grep -vc 'closed (done)' || true)
((other == 0)) || jg_fail "the other tunnel lost connections: $(grep 'tunnel echo' "$FLOOD_LOG" | grep -v 'closed (done)' | head -n 3)"
limit=$(rtt_limit)
typical=$(ping_ms "$DURING" median)
((typical <= limit)) ||
    jg_fail "round trips through the other tunnel took $typical ms (median) during the flood (limit $limit ms): ${DURING#*: }; before: ${BASE#*: }"
limited_rss=$((RSS_PEAK - RSS_BEFORE))
((limited_rss < nolimit_rss)) ||
    jg_fail "the limits did not lower the memory taken: +$((limited_rss / 1024)) MiB with, +$((nolimit_rss / 1024)) MiB without"
jg_pass "max_connections $MAX_CONNS: $accepted of $CLIENTS non-reading clients" \
    "forwarded, the rest closed at once in $lines log lines;" \
    "client_idle_timeout $IDLE s closed all $idle_closed once nothing moved;" \
    "RSS +$((limited_rss / 1024)) MiB with the limits, +$((nolimit_rss / 1024)) MiB" \
    "without ($opened clients); round trips through the other tunnel" \
    "during the flood: ${DURING#*: } (limit $limit ms; before: ${BASE#*: })"

# ---- 3. A reload that turns client_idle_timeout off keeps idle connections.
cfg=$JG_DIR/reload.ini
log=$JG_DIR/reload.log
jg_config "$cfg" h bastion user "$pin"
port=$(jg_free_port)
jg_config_tunnel "$cfg" t "$port" "127.0.0.1:$TARGET_PORT" h
printf 'client_idle_timeout = %d\n' "$IDLE" >>"$cfg"
jg_jumpgate_start "$cfg" "$log"
jg_wait_log "$log" 'hop h: ready' 10 "$JUMPGATE_PID"
jg_bg "$JG_DIR/idle-hold.log" "$JGT" hold --connect "127.0.0.1:$port" \
    --conns 1 --seconds "$((IDLE * 3))" >/dev/null
hold=$JG_LAST_PID
jg_wait_log "$JG_DIR/idle-hold.log" 'holding for' 10 "$hold"
sed -i "s/^client_idle_timeout = $IDLE\$/client_idle_timeout = 0/" "$cfg"
out=$("$JUMPGATE" reload "$cfg") || jg_fail "reload failed: $out"
rc=0
wait "$hold" || rc=$?
jg__unregister "$hold"
closed=$(jg_count "$log" 'client_idle_timeout\)')
((rc == 0 && closed == 0)) ||
    jg_fail "an idle connection was closed after a reload set client_idle_timeout = 0: $(tail -n 1 "$JG_DIR/idle-hold.log")"
jg_pass "reload to client_idle_timeout = 0: an idle connection stayed open" \
    "$((IDLE * 3)) s: $(tail -n 1 "$JG_DIR/idle-hold.log")"
jg_jumpgate_stop "$log"

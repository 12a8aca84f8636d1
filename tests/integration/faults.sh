#!/usr/bin/env bash
# Faults and load: the bastion's sshd swapped for one with other host keys
# mid-session (a man in the middle); a target that resets mid-transfer; a
# client that stops reading while 200 MiB come its way (memory stays
# bounded); 1,000 concurrent connections of random sizes; an unreadable
# config and a missing or unreadable identity; file descriptors exhausted
# (accepting pauses, no spinning). Figures go into the PASS lines.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/jumpgate.sh"
jg_setup

# Sizes and limits (the whole file runs under ASan too, about 8x slower).
SLOW_BYTES=200M		# pushed towards the slow reader
SLOW_PAUSE=10		# seconds it does not read
SLOW_RSS_LIMIT_KIB=$((64 * 1024))	# growth allowed during the pause
MANY_CONNS=1000		# concurrent connections
MANY_MAX=1M		# largest of their random sizes
EMFILE_LIMIT=64		# ulimit -n of jumpgate in the last scenario
EMFILE_HOLD=100		# connections held open against it
EMFILE_CPU_MS=500	# CPU time allowed during 3 s of exhaustion
HZ=$(getconf CLK_TCK)

# Milliseconds since the epoch.
now_ms() {
	echo $((${EPOCHREALTIME/[.,]/} / 1000))
}

# Resident set size of process $1 in KiB (its peak so far with "HWM").
rss_kib() {
	awk -v f="Vm${2:-RSS}:" '$1 == f {print $2}' "/proc/$1/status"
}

# User plus system CPU time of process $1 in clock ticks (1/HZ s).
cpu_ticks() {
	local line rest
	local -a f
	read -r line <"/proc/$1/stat"
	rest=${line##*) }
	read -r -a f <<<"$rest"
	# Fields 14 and 15 of stat; rest starts at field 3.
	echo $((f[11] + f[12]))
}

# Open descriptors of process $1.
fd_count() {
	local -a fds=("/proc/$1/fd/"*)
	echo "${#fds[@]}"
}

# Fail unless process $1 (jumpgate) is still running.
alive_or_fail() {
	jg__alive "$1" || jg_fail "jumpgate (pid $1) is gone: $2"
}

# Lines of FILE after line N (the log since a mark).
since() {
	tail -n "+$(($2 + 1))" "$1"
}

# The first line of FILE after line N that matches the extended REGEX
# (nothing if none). No early-exiting reader in a pipe: under pipefail the
# writer's SIGPIPE would fail the assignment.
first_after() {
	awk -v n="$2" -v re="$3" 'NR > n && $0 ~ re { print; exit }' "$1"
}

# Its line number.
first_after_no() {
	awk -v n="$2" -v re="$3" 'NR > n && $0 ~ re { print NR; exit }' "$1"
}

# The first N (default 1) lines of the standard input matching REGEX.
pick() {
	awk -v re="$1" -v max="${2:-1}" '$0 ~ re && n < max { print; n++ }'
}

# Checks that found a fault in jumpgate: reported, the other scenarios still
# run, and the test fails at the end.
DEFERRED=()
defer_fail() {
	jg__msg FAIL "$*" >&2
	DEFERRED+=("$*")
}

# Raise the descriptor limit as far as allowed: jumpgate needs about two per
# connection, sshd and the echo server one each more.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
nofile=$(ulimit -n)
if [[ $nofile != unlimited ]] && ((nofile < MANY_CONNS * 2 + 200)); then
	MANY_CONNS=$(((nofile - 200) / 2))
	((MANY_CONNS >= 100)) ||
	    jg__hard_error "ulimit -n is $nofile: too low for the load test"
	jg_note "ulimit -n allows only $nofile descriptors: $MANY_CONNS" \
	    "concurrent connections instead of 1000"
fi
jg_note "ulimit -n $nofile"

jg_keygen user
jg_sshd_start bastion
jg_echo_start target
pin="host_key = $(jg_fingerprint "$BASTION_HOSTKEY_ED25519")"

# ---- 1. Man in the middle: other host keys on the same port mid-session.
jg_sshd_start mitm
old_fp=$(jg_fingerprint "$MITM_HOSTKEY_ED25519")
cfg=$JG_DIR/mitm.ini
log=$JG_DIR/mitm.log
jg_config "$cfg" m mitm user "host_key = $old_fp" "reconnect_min = 1" \
    "reconnect_max = 2"
mitm_port=$(jg_free_port)
jg_config_tunnel "$cfg" t "$mitm_port" "127.0.0.1:$TARGET_PORT" m
jg_jumpgate_start "$cfg" "$log"
jg_wait_log "$log" 'hop m: ready' 10 "$JUMPGATE_PID"
jg_bg "$JG_DIR/mitm-live.log" "$JGT" client --connect "127.0.0.1:$mitm_port" \
    --bytes 4G --timeout 60 >/dev/null
live=$JG_LAST_PID
sleep 1
jg__alive "$live" || jg_fail "the live transfer ended before the swap: $(cat "$JG_DIR/mitm-live.log")"
mark=$(wc -l <"$log")
# jg_sshd_rekey stops sshd with its session processes (the live session
# drops), makes new host keys and starts it on the same port.
jg_sshd_rekey mitm
t_swap=$(now_ms)
sshd_mark=$(grep -n '==== jg: starting sshd' "$MITM_LOG" | tail -1 | cut -d: -f1)
new_ed=$(jg_fingerprint "$MITM_HOSTKEY_ED25519")
new_ec=$(jg_fingerprint "$MITM_HOSTKEY_ECDSA")
rc=0
wait "$live" || rc=$?
t_closed=$(now_ms)
[[ $rc -eq 1 ]] ||
    jg_fail "the live client exited $rc (1: saw a close, 2: hung until its timeout): $(cat "$JG_DIR/mitm-live.log")"
live_why=$(pick 'connection 0: ' <"$JG_DIR/mitm-live.log")
live_why=${live_why#*connection 0: }
jg_wait_log "$log" 'host key REFUSED' 15 "$JUMPGATE_PID"
t_refused=$(now_ms)
# Clients arriving now are closed at once, with no new login attempt. "At
# once" is judged against what this machine does now: a 1 KiB echo with
# the echo server directly (process start, connect, round trip).
base_t0=$(now_ms)
"$JGT" client --connect "127.0.0.1:$TARGET_PORT" --bytes 1K --timeout 30 \
    >/dev/null || jg_fail "a direct echo to the target failed"
close_limit=$((($(now_ms) - base_t0) * 20))
((close_limit >= 1000)) || close_limit=1000
worst=0
for i in 1 2 3; do
	t0=$(now_ms)
	"$JGT" expect-close --connect "127.0.0.1:$mitm_port" --timeout 5 \
	    >/dev/null || jg_fail "new client $i was not closed after the refusal"
	t1=$(now_ms)
	((t1 - t0 > worst)) && worst=$((t1 - t0))
done
((worst < close_limit)) ||
    jg_fail "a new client took $worst ms to be closed (limit $close_limit ms: 20 direct echoes)"
# Let it retry (reconnect_max 2 s): every attempt must be refused too. Each
# takes the backoff plus what the first refusal took after the swap.
refused_re=' error: hop m: host key REFUSED'
retry_ms=$((2 * (2000 + t_refused - t_swap)))
deadline=$(($(now_ms) + 3 * retry_ms + 5000))
while (($(since "$log" "$mark" | grep -c "$refused_re") < 3)); do
	(($(now_ms) < deadline)) ||
	    jg_fail "fewer than 3 refusals within $(((3 * retry_ms + 5000) / 1000)) s"
	alive_or_fail "$JUMPGATE_PID" "after refusing the host key"
	sleep 0.2
done
alive_or_fail "$JUMPGATE_PID" "after refusing the host key"
refusals=$(since "$log" "$mark" | grep -c "$refused_re")
# From the first refusal on, the refusals are the only errors.
first_at=$(first_after_no "$log" "$mark" "$refused_re")
others=$(since "$log" "$((first_at - 1))" | grep ' error: ' |
    grep -v "$refused_re" || true)
[[ -z $others ]] || jg_fail "errors other than the refusal: $(pick . 3 <<<"$others")"
while IFS= read -r line; do
	for want in "$old_fp" "$new_ed" "$new_ec" "no authentication was attempted"; do
		[[ $line == *"$want"* ]] || jg_fail "refusal line lacks '$want': $line"
	done
done < <(since "$log" "$mark" | grep "$refused_re")
[[ -z $(first_after "$log" "$mark" 'hop m: ready') ]] ||
    jg_fail "the hop became ready with the impostor's key"
# The pattern does see a login (before the swap), so none after it counts.
before_swap=$(head -n "$sshd_mark" "$MITM_LOG")
grep -q 'userauth-request' <<<"$before_swap" ||
    jg_fail "sshd's log shows no userauth-request even for the real login"
after_swap=$(tail -n "+$sshd_mark" "$MITM_LOG")
conns_after=$(grep -c 'Connection from' <<<"$after_swap" || true)
((conns_after >= 1)) || jg_fail "jumpgate never reached the new sshd"
if grep -Eq 'userauth-request|Accepted |Postponed|Failed publickey' <<<"$after_swap"; then
	jg_fail "authentication was attempted against the impostor: $(pick 'userauth-request|Accepted' 2 <<<"$after_swap")"
fi
live_close=$(first_after "$log" "$mark" 'tunnel t: connection from .* closed')
[[ -n $live_close ]] || jg_fail "the live connection's close was not logged"
jg_jumpgate_stop "$log"
first=$(first_after "$log" "$mark" "$refused_re")
swap_error=$(first_after "$log" "$mark" ' error: ')
jg_pass "MITM: live client saw the close $((t_closed - t_swap)) ms after the swap ($live_why;" \
    "jumpgate: ${swap_error#* }; ${live_close#* }); first refusal $((t_refused - t_swap)) ms" \
    "after it; $refusals refusals in" \
    "$((($(now_ms) - t_refused) / 1000)) s, each one error line with both" \
    "fingerprints, $conns_after TCP connections to the impostor and no" \
    "authentication; new clients closed within $worst ms; jumpgate kept" \
    "running and exited cleanly. Line: ${first#* }"

# ---- One jumpgate for scenarios 2 to 4 (through the same hop).
jg_echo_start resetter --reset-after 4M --reset-conn 2
jg_echo_start source --source "$SLOW_BYTES"
cfg=$JG_DIR/main.ini
log=$JG_DIR/main.log
# 1,000 channel opens are queued one at a time: give them time (ASan).
JG_CONNECT_TIMEOUT=120 jg_config "$cfg" h bastion user "$pin"
reset_port=$(jg_free_port)
source_port=$(jg_free_port)
echo_port=$(jg_free_port)
jg_config_tunnel "$cfg" reset "$reset_port" "127.0.0.1:$RESETTER_PORT" h
# shellcheck disable=SC2153 # exported by jg_echo_start
jg_config_tunnel "$cfg" source "$source_port" "127.0.0.1:$SOURCE_PORT" h
jg_config_tunnel "$cfg" echo "$echo_port" "127.0.0.1:$TARGET_PORT" h
jg_jumpgate_start "$cfg" "$log"
jg_wait_log "$log" 'hop h: ready' 10 "$JUMPGATE_PID"
# Warm up: the first transfer allocates what any transfer does.
out=$("$JGT" client --connect "127.0.0.1:$echo_port" --bytes 8M --timeout 60) ||
    jg_fail "warm-up echo failed: $out"

# ---- 2. A target that resets (RST) after 4 MiB, with another connection
# of the same tunnel in flight: only that one closes.
mark=$(wc -l <"$log")
jg_bg "$JG_DIR/reset-other.log" "$JGT" client --connect \
    "127.0.0.1:$reset_port" --bytes 128M --timeout 180 >/dev/null
other=$JG_LAST_PID
# The echo server resets its 2nd connection: make sure this one is 1st.
jg_wait_log "$log" 'tunnel reset: connection from' 10 "$JUMPGATE_PID"
t0=$(now_ms)
rc=0
out=$("$JGT" client --connect "127.0.0.1:$reset_port" --bytes 1G \
    --timeout 30 2>&1) || rc=$?
t1=$(now_ms)
[[ $rc -eq 1 ]] ||
    jg_fail "the client of the resetting target exited $rc (1: closed, 2: hung): $out"
victim_why=$(pick 'connection 0: ' <<<"$out")
victim_why=${victim_why#*connection 0: }
jg_wait_log "$RESETTER_LOG" 'connection 2: reset after' 5
jg__alive "$other" ||
    jg_fail "the other connection ended before the reset: sizes too small to overlap"
rc=0
wait "$other" || rc=$?
[[ $rc -eq 0 ]] || jg_fail "the other connection of the tunnel failed: $(cat "$JG_DIR/reset-other.log")"
alive_or_fail "$JUMPGATE_PID" "after the target reset"
closes=$(since "$log" "$mark" | grep -c 'tunnel reset: connection from .* closed' || true)
[[ $closes -eq 2 ]] || jg_fail "expected 2 close lines (victim, other), got $closes"
victim_line=$(since "$log" "$mark" | grep 'tunnel reset: connection from .* closed' |
    grep -v 'closed (done)' || true)
[[ $(grep -c . <<<"$victim_line") -eq 1 ]] ||
    jg_fail "expected exactly one close line not 'done' (the reset one): $victim_line"
noise=$(since "$log" "$mark" | grep -E ' (warn|error): ' || true)
[[ -z $noise ]] || jg_fail "the reset caused warnings or errors: $noise"
jg_pass "target RST after 4 MiB: its client saw a close after $((t1 - t0)) ms" \
    "($victim_why); one log line: ${victim_line#* }; the other connection:" \
    "$(cat "$JG_DIR/reset-other.log")"

# ---- 3. A slow reader: 200 MiB pushed at a client that reads nothing for
# 10 s. jumpgate's memory must stay bounded (2 MiB channel window, 256 KiB
# client buffer, 1 MiB hop buffers), then everything arrives intact.
rss_before=$(rss_kib "$JUMPGATE_PID")
slow_log=$JG_DIR/slow.log
jg_bg "$slow_log" "$JGT" client --connect "127.0.0.1:$source_port" \
    --fetch "$SLOW_BYTES" --pause-read "$SLOW_PAUSE" --timeout 600 >/dev/null
slow=$JG_LAST_PID
jg_wait_log "$slow_log" 'reading paused' 30 "$slow"
peak=$rss_before
samples=0
queued=
unread=
while ! grep -q 'reading resumed' "$slow_log"; do
	jg__alive "$slow" || break
	alive_or_fail "$JUMPGATE_PID" "while the client did not read"
	rss=$(rss_kib "$JUMPGATE_PID")
	((rss > peak)) && peak=$rss
	samples=$((samples + 1))
	# In the kernel: unsent on jumpgate's socket to the client (Send-Q;
	# the client sent EOF: CLOSE-WAIT) and unread at the client (Recv-Q).
	q=$(ss -tnH "( sport = :$source_port )" 2>/dev/null |
	    awk '{print $3}') || true
	[[ -n $q ]] && queued=$q
	q=$(ss -tnH "( dport = :$source_port )" 2>/dev/null |
	    awk '{print $2}') || true
	[[ -n $q ]] && unread=$q
	sleep 0.5
done
rss_pause_end=$(rss_kib "$JUMPGATE_PID")
rc=0
wait "$slow" || rc=$?
[[ $rc -eq 0 ]] || jg_fail "the slow reader did not get all data intact (exit $rc): $(cat "$slow_log")"
rss_after=$(rss_kib "$JUMPGATE_PID")
growth=$((peak - rss_before))
((samples >= SLOW_PAUSE)) || jg_fail "only $samples RSS samples during the pause"
((growth < SLOW_RSS_LIMIT_KIB)) ||
    jg_fail "jumpgate's RSS grew by $((growth / 1024)) MiB while a client did not read (limit $((SLOW_RSS_LIMIT_KIB / 1024)) MiB): before $rss_before KiB, peak $peak KiB"
jg_pass "slow reader: jumpgate VmRSS before $((rss_before / 1024)) MiB," \
    "peak during the ${SLOW_PAUSE} s pause $((peak / 1024)) MiB (+$((growth / 1024)).$((growth % 1024 * 10 / 1024)) MiB," \
    "$samples samples), at the end of the pause $((rss_pause_end / 1024)) MiB," \
    "after $((rss_after / 1024)) MiB; in the kernel at the end of the pause:" \
    "${queued:-?} bytes unsent by jumpgate, ${unread:-?} unread by the client;" \
    "$(grep 'fetched' "$slow_log")"

# ---- 4. 1,000 concurrent connections of random sizes (0 to 1 MiB).
seed=${JG_SEED:-$((RANDOM * 32768 + RANDOM))}
mark=$(wc -l <"$log")
t0=$(now_ms)
out=$("$JGT" client --connect "127.0.0.1:$echo_port" --conns "$MANY_CONNS" \
    --random-sizes "$MANY_MAX" --seed "$seed" --timeout 600 2>&1) ||
    jg_fail "$MANY_CONNS concurrent connections failed (JG_SEED=$seed repeats the sizes): $(tail -n 25 <<<"$out")"
t1=$(now_ms)
alive_or_fail "$JUMPGATE_PID" "after $MANY_CONNS connections"
done_lines=$(since "$log" "$mark" | grep -c 'tunnel echo: connection from .* closed (done)' || true)
[[ $done_lines -eq $MANY_CONNS ]] ||
    jg_fail "$done_lines of $MANY_CONNS connections logged as done: $(since "$log" "$mark" | grep 'closed' | grep -v 'closed (done)' | pick . 3)"
noise=$(since "$log" "$mark" | pick ' (warn|error): ' 3)
[[ -z $noise ]] || jg_fail "warnings or errors under load: $noise"
rss_many=$(rss_kib "$JUMPGATE_PID")
hwm_many=$(rss_kib "$JUMPGATE_PID" HWM)
jg_pass "$MANY_CONNS concurrent connections in $((t1 - t0)) ms: $out;" \
    "each logged once as done; jumpgate VmRSS before $((rss_after / 1024)) MiB," \
    "peak (VmHWM) $((hwm_many / 1024)) MiB, afterwards $((rss_many / 1024)) MiB"
jg_jumpgate_stop "$log"

# ---- 5. An unreadable config; a missing or unreadable identity.
# Root reads files of any mode, so unreadable means: run as nobody.
if [[ $(id -u) == 0 ]]; then
	nobody_uid=$(id -u nobody) || jg__hard_error "no user nobody"
	nobody_gid=$(id -g nobody)
	# Let nobody reach its own directory inside the work directory.
	chmod 711 "$JG_DIR"
	ndir=$JG_DIR/nobody
	mkdir -m 700 "$ndir" "$ndir/run"
	chown "$nobody_uid:$nobody_gid" "$ndir" "$ndir/run"
	# A command prefix that runs as nobody (setpriv execs: the pid stays
	# the command's).
	if command -v setpriv >/dev/null; then
		UNPRIV=(env "XDG_RUNTIME_DIR=$ndir/run" setpriv
		    --reuid="$nobody_uid" --regid="$nobody_gid" --clear-groups)
	else
		# shellcheck disable=SC2016 # for the inner shell
		UNPRIV=(env "XDG_RUNTIME_DIR=$ndir/run" su nobody -s /bin/sh -c
		    'exec "$0" "$@"')
	fi
	who="as nobody"
else
	ndir=$JG_DIR/nobody
	mkdir -m 700 "$ndir"
	UNPRIV=(env)
	who="as $JG_USER"
fi

# Run "jumpgate CMD FILE" ($1 $2, as $3: root or unpriv) and check: exit 1,
# FILE named with "cannot open" or "cannot read" and the reason ($4).
unreadable_config() {
	local cmd=$1 file=$2 how=$3 reason=$4 rc=0 out
	local -a pre=()
	[[ $how == unpriv ]] && pre=("${UNPRIV[@]}")
	out=$(timeout 20 "${pre[@]}" "$JUMPGATE" "$cmd" "$file" 2>&1) || rc=$?
	[[ $rc -eq 1 ]] || jg_fail "jumpgate $cmd on $file exited $rc, not 1: $out"
	grep -Eq "^$file: cannot (open|read): $reason\$" <<<"$out" ||
	    jg_fail "jumpgate $cmd on $file: no '$file: cannot open: $reason' line: $out"
	if grep -Eq 'AddressSanitizer|runtime error:|Segmentation' <<<"$out"; then
		jg_fail "jumpgate $cmd on $file crashed: $out"
	fi
	pick "^$file: cannot" <<<"$out"
}

mkdir "$JG_DIR/dir.ini"
msgs=()
for cmd in check run; do
	msgs+=("$(unreadable_config "$cmd" "$JG_DIR/dir.ini" root 'Is a directory')")
done
cp "$JG_DIR/mitm.ini" "$ndir/secret.ini"
if [[ $(id -u) == 0 ]]; then
	# A copy nobody cannot reach (the work directory's root-only part) and
	# one it can reach but not read (mode 000).
	mkdir -m 700 "$JG_DIR/private"
	cp "$JG_DIR/mitm.ini" "$JG_DIR/private/cfg.ini"
	for cmd in check run; do
		msgs+=("$(unreadable_config "$cmd" "$JG_DIR/private/cfg.ini" unpriv 'Permission denied')")
	done
	chown "$nobody_uid:$nobody_gid" "$ndir/secret.ini"
fi
chmod 000 "$ndir/secret.ini"
for cmd in check run; do
	msgs+=("$(unreadable_config "$cmd" "$ndir/secret.ini" unpriv 'Permission denied')")
done
jg_pass "unreadable config ($who): check and run exit 1 with" \
    "$(printf '%s\n' "${msgs[@]}" | sed "s|$JG_DIR/||" | sort -u | paste -sd '|' | sed 's/|/; /g')"

# Identities: a good one (the others' control), a missing one, one nobody
# cannot read (0600, owned by root), one readable by others (0644).
good=$ndir/good_key
cp "$USER_KEY" "$good"
chmod 600 "$good"
[[ $(id -u) == 0 ]] && chown "$nobody_uid:$nobody_gid" "$good"
missing=$ndir/missing_key
loose=$ndir/loose_key
cp "$USER_KEY" "$loose"
chmod 644 "$loose"
cfg=$ndir/identity.ini
log=$JG_DIR/identity.log
ports=()
{
	printf '[jumpgate]\nlog_level = info\n\n'
	for h in good missing unreadable loose; do
		case $h in
		good) key=$good ;;
		missing) key=$missing ;;
		unreadable) key=$USER_KEY ;;
		loose) key=$loose ;;
		esac
		printf '[hop %s]\nhost = 127.0.0.1\nport = %s\nuser = %s\n' \
		    "$h" "$BASTION_PORT" "$JG_USER"
		printf 'identity = %s\n%s\nreconnect_max = 2\n\n' "$key" "$pin"
		p=$(jg_free_port)
		ports+=("$p")
		printf '[tunnel %s]\nlisten = 127.0.0.1:%s\nconnect = 127.0.0.1:%s\nvia = %s\n\n' \
		    "t$h" "$p" "$TARGET_PORT" "$h"
	done
} >"$cfg"
[[ $(id -u) == 0 ]] && chown "$nobody_uid:$nobody_gid" "$cfg" "$loose"
"${UNPRIV[@]}" "$JUMPGATE" check "$cfg" >/dev/null ||
    jg_fail "jumpgate check $cfg: $("${UNPRIV[@]}" "$JUMPGATE" check "$cfg" 2>&1)"
jg_bg "$log" "${UNPRIV[@]}" "$JUMPGATE" run "$cfg" >/dev/null
JUMPGATE_PID=$JG_LAST_PID
jg_wait_log "$log" 'jumpgate .* running' 10 "$JUMPGATE_PID"
jg_wait_log "$log" 'hop good: ready' 10 "$JUMPGATE_PID"
for h in missing unreadable loose; do
	jg_wait_log "$log" "error: hop $h: " 10 "$JUMPGATE_PID"
done
declare -A idline
for h in missing unreadable loose; do
	idline[$h]=$(first_after "$log" 0 "error: hop $h: ")
done
[[ ${idline[missing]} == *"$missing"*"No such file or directory"* ]] ||
    jg_fail "the missing identity's error lacks the file or the reason: ${idline[missing]}"
[[ ${idline[loose]} == *"$loose"*"accessible by others"* ]] ||
    jg_fail "the 0644 identity's error lacks the file or the reason: ${idline[loose]}"
for i in 1 2 3; do
	"$JGT" expect-close --connect "127.0.0.1:${ports[1]}" --timeout 5 >/dev/null ||
	    jg_fail "a client of the hop with a missing identity was not closed"
	out=$("$JGT" client --connect "127.0.0.1:${ports[0]}" --bytes 1M --timeout 30) ||
	    jg_fail "the tunnel of the good hop stopped working: $out"
done
alive_or_fail "$JUMPGATE_PID" "after identity failures"
unreadable_ok=1
if [[ $(id -u) == 0 ]]; then
	[[ ${idline[unreadable]} == *"$USER_KEY"* ]] ||
	    jg_fail "the unreadable identity's error does not name the file: ${idline[unreadable]}"
	[[ ${idline[unreadable]} == *"Permission denied"* ]] || unreadable_ok=0
fi
jg_jumpgate_stop "$log"
jg_pass "identities ($who): missing: ${idline[missing]#* }; 0644: ${idline[loose]#* };" \
    "unreadable: ${idline[unreadable]#* }; jumpgate kept running and the" \
    "good hop's tunnel echoed 1 MiB three times meanwhile"
if ((!unreadable_ok)); then
	defer_fail "an identity that cannot be read is reported without the" \
	    "reason (Permission denied), as a passphrase or format problem:" \
	    "${idline[unreadable]#* }"
fi

# ---- 6. Descriptors exhausted: jumpgate under ulimit -n 64, 100 clients.
cfg=$JG_DIR/emfile.ini
log=$JG_DIR/emfile.log
jg_config "$cfg" h bastion user "$pin"
emfile_port=$(jg_free_port)
jg_config_tunnel "$cfg" t "$emfile_port" "127.0.0.1:$TARGET_PORT" h
# shellcheck disable=SC2016 # for the inner shell
jg_bg "$log" bash -c 'ulimit -n "$0" && exec "$1" run "$2"' "$EMFILE_LIMIT" \
    "$JUMPGATE" "$cfg" >/dev/null
JUMPGATE_PID=$JG_LAST_PID
jg_wait_log "$log" 'hop h: ready' 10 "$JUMPGATE_PID"
limit=$(awk '/^Max open files/ {print $4}' "/proc/$JUMPGATE_PID/limits")
[[ $limit == "$EMFILE_LIMIT" ]] || jg_fail "jumpgate's descriptor limit is $limit, not $EMFILE_LIMIT"
grep -q "file descriptor limit $EMFILE_LIMIT (hard limit $EMFILE_LIMIT) caps jumpgate at about $((EMFILE_LIMIT - 16)) concurrent connections; raise the hard limit" "$log" ||
    jg_fail "no warning at start that the descriptor limit caps connections: $(grep -m1 'descriptor limit' "$log")"
fds_idle=$(fd_count "$JUMPGATE_PID")
hold_log=$JG_DIR/hold.log
jg_bg "$hold_log" "$JGT" hold --connect "127.0.0.1:$emfile_port" \
    --conns "$EMFILE_HOLD" --seconds 8 >/dev/null
hold=$JG_LAST_PID
jg_wait_log "$log" "tunnel t: cannot accept: Too many open files; pausing" 20 "$JUMPGATE_PID"
jg_wait_log "$hold_log" 'holding for' 20 "$hold"
sleep 0.5
fds_full=$(fd_count "$JUMPGATE_PID")
pauses0=$(jg_count "$log" 'cannot accept: Too many open files')
cpu0=$(cpu_ticks "$JUMPGATE_PID")
t0=$(now_ms)
sleep 3
cpu1=$(cpu_ticks "$JUMPGATE_PID")
t1=$(now_ms)
pauses1=$(jg_count "$log" 'cannot accept: Too many open files')
alive_or_fail "$JUMPGATE_PID" "while out of descriptors"
cpu=$(((cpu1 - cpu0) * 1000 / HZ))
((cpu < EMFILE_CPU_MS)) ||
    jg_fail "jumpgate used $cpu ms of CPU in $((t1 - t0)) ms while out of descriptors (busy loop?)"
((pauses1 - pauses0 <= 5)) ||
    jg_fail "$((pauses1 - pauses0)) accept pauses logged in 3 s (expected about 3)"
served=$(jg_count "$log" 'tunnel t: connection from .* to ')
rc=0
wait "$hold" || rc=$?
hold_out=$(grep -E 'connections?,' "$hold_log" || cat "$hold_log")
# The held connections are gone: jumpgate must serve again.
out=$("$JGT" client --connect "127.0.0.1:$emfile_port" --bytes 1M --timeout 30) ||
    jg_fail "no service after the descriptors were freed: $out"
deadline=$(($(now_ms) + 10000))
while (($(fd_count "$JUMPGATE_PID") > fds_idle)) && (($(now_ms) < deadline)); do
	sleep 0.1
done
fds_after=$(fd_count "$JUMPGATE_PID")
((fds_after <= fds_idle)) ||
    jg_fail "jumpgate holds $fds_after descriptors after the clients left (idle: $fds_idle)"
jg_jumpgate_stop "$log"
jg_pass "descriptors exhausted (ulimit -n $EMFILE_LIMIT, $EMFILE_HOLD clients):" \
    "$served accepted and forwarded, 'cannot accept: Too many open files;" \
    "pausing 1 s' logged $((pauses1 - pauses0)) times in $((t1 - t0)) ms," \
    "CPU $cpu ms in that time; descriptors idle $fds_idle, full" \
    "$fds_full, after $fds_after; hold (exit $rc): $hold_out; then 1 MiB" \
    "echoed: $out"

# A soft limit below the hard one is raised at start, and the log says so.
log=$JG_DIR/fdlimit.log
hard=$(ulimit -Hn)
soft=256
if [[ $hard == unlimited ]] || ((hard <= soft)); then
	jg_note "descriptor limit raise not checked: hard limit $hard"
else
	# shellcheck disable=SC2016 # for the inner shell
	jg_bg "$log" bash -c 'ulimit -Sn "$0" && exec "$1" run "$2"' "$soft" \
	    "$JUMPGATE" "$cfg" >/dev/null
	JUMPGATE_PID=$JG_LAST_PID
	jg_wait_log "$log" 'hop h: ready' 10 "$JUMPGATE_PID"
	limit=$(awk '/^Max open files/ {print $4}' "/proc/$JUMPGATE_PID/limits")
	[[ $limit == "$hard" ]] ||
	    jg_fail "soft descriptor limit $soft not raised to the hard limit $hard (now $limit)"
	line=$(grep -m1 "file descriptor limit $hard (was $soft)" "$log") ||
	    jg_fail "the raised descriptor limit is not logged"
	jg_jumpgate_stop "$log"
	jg_pass "descriptor limit raised at start: ${line#*: }"
fi

if ((${#DEFERRED[@]} > 0)); then
	jg_fail "${#DEFERRED[@]} fault(s) found above: $(printf '%s; ' "${DEFERRED[@]}")"
fi

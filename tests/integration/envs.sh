#!/usr/bin/env bash
# Environments by name (a developer's day): two environments started by
# name from $XDG_CONFIG_HOME/jumpgate with run -d, data through both
# (SHA-256 checked); list shows both (table and JSON, which parses), one
# of them found through its registration because its file sets
# control_socket elsewhere; status NAME; reload NAME of a file with a typo
# shows the FILE:LINE errors and keeps the instance; stop NAME stops it
# gracefully and waits, then list shows one; a second stop cuts the wait
# for a live connection; stop of an environment not running exits 3; a
# stale socket and a stale registration are not listed; a bad name and a
# missing one are refused, saying where it looked. What an instance
# answers is hostile: a fake one's control sequences are escaped by list,
# stop signals only the pid the kernel names as the listener and gives up
# on a process that ignores SIGTERM after shutdown_timeout + 5 s. The
# session is printed as a transcript.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/jumpgate.sh"
jg_setup

jg_keygen user
jg_sshd_start bastion
jg_echo_start target
pin="host_key = $(jg_fingerprint "$BASTION_HOSTKEY_ED25519")"

XDG_CONFIG_HOME=$JG_DIR/config
export XDG_CONFIG_HOME
envdir=$XDG_CONFIG_HOME/jumpgate
mkdir -p -m 700 "$envdir" "$JG_DIR/ctl"
runtime=$XDG_RUNTIME_DIR/jumpgate
transcript=$JG_DIR/transcript

# Run "jumpgate $@" from / (names, not paths); sets rc, out, err and adds
# the command and what it printed to the transcript.
jg() {
	set +e
	(cd / && "$JUMPGATE" "$@") >"$JG_DIR/out" 2>"$JG_DIR/err"
	rc=$?
	set -e
	out=$(cat "$JG_DIR/out")
	err=$(cat "$JG_DIR/err")
	{
		printf '$ jumpgate %s\n' "$*"
		[[ -z $out ]] || printf '%s\n' "$out"
		[[ -z $err ]] || printf '%s\n' "$err"
		[[ $rc -eq 0 ]] || printf '(exit %d)\n' "$rc"
	} >>"$transcript"
}

# Write environment NAME with a tunnel on PORT, and EXTRA [jumpgate] lines.
write_env() {
	local name=$1 port=$2 extra=$3 f=$envdir/$1.ini
	jg_config "$f" bastion bastion user "$pin"
	sed -i "s|^log_level = info|log_level = info\nshutdown_timeout = 3\nlog_file = $JG_DIR/$name.log\npidfile = $JG_DIR/$name.pid$extra|" "$f"
	jg_config_tunnel "$f" echo "$port" "127.0.0.1:$TARGET_PORT" bastion
}

# Wait for NAME's pidfile and register the daemon for clean-up; prints the pid.
daemon_pid() {
	local i pid
	for ((i = 0; i < 100; i++)); do
		[[ -s $JG_DIR/$1.pid ]] && break
		sleep 0.05
	done
	pid=$(cat "$JG_DIR/$1.pid") || jg_fail "no pidfile for $1"
	jg__register "$pid" "$JG_DIR/$1.log" "jumpgate $1"
	echo "$pid"
}

# Whether process $1 has exited (a zombie nobody reaped yet counts).
gone() {
	local state
	state=$(awk '/^State:/ {print $2}' "/proc/$1/status" 2>/dev/null || true)
	[[ -z $state || $state == Z ]]
}

# Until LIST_WANT appears in "jumpgate list" (10 s).
wait_list() {
	local i
	for ((i = 0; i < 100; i++)); do
		out=$("$JUMPGATE" list 2>&1) || true
		grep -Eq -- "$1" <<<"$out" && return 0
		sleep 0.1
	done
	jg_fail "jumpgate list never showed /$1/: $out"
}

pstaging=$(jg_free_port)
pdev=$(jg_free_port)
write_env staging "$pstaging" ""
write_env dev "$pdev" "\ncontrol_socket = $JG_DIR/ctl/dev.sock"

# 1. Started by name, from another directory.
jg run -d staging
[[ $rc -eq 0 ]] || jg_fail "run -d staging: rc $rc: $err"
jg run -d dev
[[ $rc -eq 0 ]] || jg_fail "run -d dev: rc $rc: $err"
spid=$(daemon_pid staging)
dpid=$(daemon_pid dev)
jg_wait_port "$pstaging" 10 "$spid"
jg_wait_port "$pdev" 10 "$dpid"
for port in "$pstaging" "$pdev"; do
	got=$("$JGT" client --connect "127.0.0.1:$port" --bytes 1M --timeout 30) ||
	    jg_fail "tunnel on $port: $got"
done
jg_pass "run -d staging and run -d dev found $envdir/*.ini; 1 MiB through each tunnel, SHA-256 equal"

# 2. list: both, hops ready; dev through its registration file.
[[ -S $runtime/staging.sock ]] || jg_fail "no default socket for staging"
[[ ! -e $runtime/dev.sock && -f $runtime/instance-$dpid ]] ||
    jg_fail "dev is not registered as $runtime/instance-$dpid: $(ls -l "$runtime")"
[[ $(stat -c %a "$runtime/instance-$dpid") == 600 ]] ||
    jg_fail "registration mode $(stat -c %a "$runtime/instance-$dpid")"
wait_list "^dev .* 1/1 "
wait_list "^staging .* 1/1 "
jg list
[[ $rc -eq 0 && -z $err ]] || jg_fail "list: rc $rc: $err"
[[ $(head -n1 <<<"$out") == NAME*FILE*PID*UPTIME*HOPS*TUNNELS*CONNECTIONS ]] ||
    jg_fail "list heading: $out"
[[ $(wc -l <<<"$out") -eq 3 ]] || jg_fail "list does not show two instances: $out"
grep -Eq "^dev +$envdir/dev.ini +$dpid +[0-9]+s +1/1 +1 +0\$" <<<"$out" ||
    jg_fail "list row of dev: $out"
grep -Eq "^staging +$envdir/staging.ini +$spid +[0-9]+s +1/1 +1 +0\$" <<<"$out" ||
    jg_fail "list row of staging: $out"
jg list --json
[[ $rc -eq 0 ]] || jg_fail "list --json: rc $rc: $err"
python3 -m json.tool <<<"$out" >/dev/null || jg_fail "list --json is not JSON: $out"
python3 - "$out" "$spid" "$dpid" "$envdir" "$JG_DIR/ctl/dev.sock" <<'PY' || jg_fail "list --json: $out"
import json, sys
rows = json.loads(sys.argv[1])
assert [r["name"] for r in rows] == ["dev", "staging"], rows
dev, staging = rows
assert dev["pid"] == int(sys.argv[3]) and staging["pid"] == int(sys.argv[2])
assert dev["file"] == sys.argv[4] + "/dev.ini"
assert dev["control_socket"] == sys.argv[5]
for r in rows:
    assert (r["hops_ready"], r["hops"], r["tunnels"]) == (1, 1, 1), r
    assert r["connections"] == 0 and r["uptime_seconds"] >= 0, r
    assert r["started"].endswith("Z"), r
PY
jg_pass "list: both instances (dev through its registration), 1/1 hops, 1 tunnel each; --json parses with the same pids"

# 3. status NAME.
jg status staging
[[ $rc -eq 0 && $(head -n1 <<<"$out") == "staging: 1/1 hops ready, 1 tunnel"* ]] ||
    jg_fail "status staging: rc $rc: $out $err"
jg_pass "status staging: $(head -n1 <<<"$out")"

# 4. A typo in dev.ini: reload dev shows FILE:LINE, dev keeps serving.
sed -i 's/^connect_timeout = /conect_timeout = /' "$envdir/dev.ini"
line=$(grep -n '^conect_timeout' "$envdir/dev.ini" | cut -d: -f1)
jg reload dev
[[ $rc -eq 1 ]] || jg_fail "reload of dev with a typo exited $rc: $out $err"
[[ "$out$err" == *"$envdir/dev.ini:$line: unknown key 'conect_timeout'"* ]] ||
    jg_fail "reload dev did not show FILE:LINE: $out $err"
got=$("$JGT" client --connect "127.0.0.1:$pdev" --bytes 1M --timeout 30) ||
    jg_fail "dev stopped serving after a refused reload: $got"
jg_pass "reload dev with a typo: $envdir/dev.ini:$line shown, exit 1, dev still serves"

# 5. stop dev: graceful, waits, says so; list then shows staging only.
jg stop dev
stopped=$out
[[ $rc -eq 0 && $out =~ ^stopped\ dev\ \(pid\ $dpid\)\ after\ [0-9.]+\ s$ ]] ||
    jg_fail "stop dev: rc $rc: $out $err"
gone "$dpid" || jg_fail "dev (pid $dpid) still runs after stop"
jg__unregister "$dpid"
grep -q 'SIGTERM\|Terminated' "$JG_DIR/dev.log" ||
    jg_fail "dev did not stop as on SIGTERM: $(tail -n 5 "$JG_DIR/dev.log")"
[[ ! -e $runtime/instance-$dpid && ! -e $JG_DIR/ctl/dev.sock ]] ||
    jg_fail "dev left its registration or socket: $(ls -l "$runtime" "$JG_DIR/ctl")"
jg list
[[ $rc -eq 0 && $(wc -l <<<"$out") -eq 2 && $out == *$'\n'staging* ]] ||
    jg_fail "list after stop dev: $out $err"
jg_pass "stop dev: '$stopped': pid $dpid, registration removed; list shows staging only"
jg stop dev
[[ $rc -eq 3 && $err == *"is not running"* ]] || jg_fail "stop dev again: rc $rc: $err"
jg_pass "stop of an environment not running: exit 3 ($err)"
jg status dev
[[ $rc -eq 1 && $err == *"start one with 'jumpgate run -d dev' once the errors above are fixed" ]] ||
    jg_fail "status of dev, stopped: rc $rc: $err"
jg_pass "status of an environment not running (its file has a typo) says: ${err##*: }"

# 6. A stale socket and a stale registration are not listed; the
# registration of a dead process is removed.
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' \
    "$runtime/ghost.sock"
sh -c 'exit 0' &
dead=$!
wait "$dead"
printf '%s\n' "$JG_DIR/ctl/ghost.sock" >"$runtime/instance-$dead"
chmod 600 "$runtime/instance-$dead"
jg list
[[ $rc -eq 0 && $(wc -l <<<"$out") -eq 2 && $out != *ghost* ]] ||
    jg_fail "list with a stale socket and registration: $out $err"
[[ ! -e $runtime/instance-$dead ]] || jg_fail "stale registration instance-$dead kept"
jg_pass "a stale socket is not listed; the registration of dead pid $dead is removed"

# 7. Names: a bad one is refused (exit 2), a missing one says where it looked.
jg status 'st@ging'
[[ $rc -eq 2 && $err == *"'st@ging' is neither a file nor an environment name"* ]] ||
    jg_fail "bad name: rc $rc: $err"
jg run -d .hidden
[[ $rc -eq 2 ]] || jg_fail "name starting with a dot: rc $rc: $err"
jg stop prod
[[ $rc -eq 1 && $err == *"no environment 'prod': neither $envdir/prod.ini nor /etc/jumpgate/prod.ini exists"* ]] ||
    [[ -f /etc/jumpgate/prod.ini ]] || jg_fail "missing name: rc $rc: $err"
jg check staging
[[ $rc -eq 0 && $out == "$envdir/staging.ini: OK" ]] || jg_fail "check staging: rc $rc: $out $err"
jg_pass "names: bad ones refused (exit 2), a missing one names both directories, check staging works"

# 8. stop staging with a connection open: it drains, up to shutdown_timeout.
jg_bg "$JG_DIR/hold.log" "$JGT" hold --connect "127.0.0.1:$pstaging" --conns 1 \
    --seconds 60 >/dev/null
hold=$JG_LAST_PID
wait_list "^staging .* 1\$"
jg stop staging
[[ $rc -eq 0 && $out =~ ^stopped\ staging\ \(pid\ $spid\)\ after\ ([0-9.]+)\ s$ ]] ||
    jg_fail "stop staging: rc $rc: $out $err"
[[ $err == "stopping staging (pid $spid): 1 connection open, waiting up to 3 s for it (shutdown_timeout)" ]] ||
    jg_fail "stop staging did not say it waits for the connection: $err"
secs=${BASH_REMATCH[1]}
gone "$spid" || jg_fail "staging (pid $spid) still runs after stop"
jg__unregister "$spid"
jg_stop "$hold"
awk -v s="$secs" 'BEGIN { exit !(s >= 2.5 && s < 8) }' ||
    jg_fail "stop with a live connection took $secs s (shutdown_timeout 3)"
jg list
[[ $rc -eq 0 && $out == "no jumpgate instance of yours is running"* ]] ||
    jg_fail "list with nothing running: $out $err"
jg list --json
[[ $out == "[]" ]] || jg_fail "list --json with nothing running: $out"
jg_pass "stop staging waited $secs s for a live connection (shutdown_timeout 3); list is empty"

# 8b. A second stop while the first waits for a connection ends the
# instance at once, and both say so.
pqa=$(jg_free_port)
write_env qa "$pqa" ""
jg run -d qa
[[ $rc -eq 0 ]] || jg_fail "run -d qa: rc $rc: $err"
qpid=$(daemon_pid qa)
jg_wait_port "$pqa" 10 "$qpid"
# The hop ready and jg_wait_port's own connection gone: else that one is
# the connection the stops wait for, and it ends on its own.
wait_list "^qa .* 1/1 +1 +0\$"
jg_bg "$JG_DIR/hold-qa.log" "$JGT" hold --connect "127.0.0.1:$pqa" --conns 1 \
    --seconds 60 >/dev/null
hold=$JG_LAST_PID
wait_list "^qa .* 1\$"
start=$EPOCHREALTIME
(cd / && "$JUMPGATE" stop qa) >"$JG_DIR/stop1.out" 2>&1 &
first=$!
sleep 0.5
jg stop qa
wait "$first" || jg_fail "the first stop of qa failed: $(cat "$JG_DIR/stop1.out")"
took=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
[[ $rc -eq 0 && $out == "stopped qa (pid $qpid) after "* ]] ||
    jg_fail "the second stop of qa: rc $rc: $out $err"
grep -q "^stopped qa (pid $qpid) after " "$JG_DIR/stop1.out" ||
    jg_fail "the first stop of qa: $(cat "$JG_DIR/stop1.out")"
awk -v t="$took" 'BEGIN { exit !(t < 2.5) }' ||
    jg_fail "two stops took $took s: the second did not cut the drain (shutdown_timeout 3)"
gone "$qpid" || jg_fail "qa (pid $qpid) still runs"
jg__unregister "$qpid"
jg_stop "$hold"
jg_pass "a second stop cut qa's drain: both stops reported it stopped, $took s after the first"

# 9. What an instance answers is not trusted. Fake instances of our user
# answer on the default sockets of environments: "fake" sends control
# sequences in its name and file and ignores SIGTERM; "liar" gives the pid
# of another process (a signal would kill it); "old" has no "info".
jg_bg "$JG_DIR/victim.log" sleep 600 >/dev/null
victim=$JG_LAST_PID
for name in fake liar old; do
	printf '[jumpgate]\n' >"$envdir/$name.ini"
done
cat >"$JG_DIR/fake.py" <<'PY'
import os, signal, socket, sys, threading
runtime, victim = sys.argv[1], sys.argv[2]
signal.signal(signal.SIGTERM, signal.SIG_IGN)
info = ("ok\nname %s\nfile /x\x9b[31m.ini\npid %s\nstarted 1\nhops 1 1\n"
        "tunnels 1\nconnections 0\nshutdown_timeout 0\n")
me = str(os.getpid())
replies = {
    "fake": {"info": info % ("evil\x1b[2J", me), "ping": "ok\npong %s\n" % me},
    "liar": {"info": info % ("liar", victim), "ping": "ok\npong %s\n" % victim},
    "old": {"ping": "ok\npong %s\n" % me},
}
def serve(name):
    s = socket.socket(socket.AF_UNIX)
    s.bind(os.path.join(runtime, name + ".sock"))
    s.listen(8)
    while True:
        c, _ = s.accept()
        line = c.makefile("rb").readline().decode().strip()
        reply = replies[name].get(line, "error\nunknown command '%s'\n" % line)
        c.sendall(reply.encode("latin-1"))
        c.close()
for name in replies:
    threading.Thread(target=serve, args=(name,), daemon=True).start()
print("serving", flush=True)
threading.Event().wait()
PY
jg_bg "$JG_DIR/fake.log" python3 "$JG_DIR/fake.py" "$runtime" "$victim" >/dev/null
fake=$JG_LAST_PID
jg_wait_log "$JG_DIR/fake.log" serving 10
jg list
[[ $rc -eq 0 ]] || jg_fail "list with fake instances: rc $rc: $err"
[[ $out == *'evil\x1b[2J'*'/x\x9b[31m.ini'* ]] || jg_fail "list did not escape the fake's text: $out"
! LC_ALL=C grep -q $'[\x1b\x9b]' "$JG_DIR/out" || jg_fail "list printed a control byte"
[[ $err == *"old.sock does not answer 'info'"* ]] || jg_fail "list on an old instance: $err"
jg list --json
python3 -c 'import json, sys; r = json.load(sys.stdin); assert r[0]["name"] == "evil\\x1b[2J", r' \
    <"$JG_DIR/out" || jg_fail "list --json of the fake: $out"
jg_pass "list escapes what an instance says (evil\\x1b[2J) in the table and JSON; an instance without 'info' is named on stderr"
jg stop liar
[[ $rc -eq 1 && $err == *"says it is pid $victim, but the kernel says pid $fake listens there"* ]] ||
    jg_fail "stop of an instance giving another pid: rc $rc: $out $err"
kill -0 "$victim" || jg_fail "stop signalled pid $victim, which the liar named"
jg_pass "stop refuses an instance whose pid is not the kernel's ($err)"
jg stop fake
[[ $rc -eq 1 && $err == *"still running 5 s after SIGTERM"*"kill -KILL $fake"* ]] ||
    jg_fail "stop of an instance that ignores SIGTERM: rc $rc: $out $err"
! LC_ALL=C grep -q $'[\x1b\x9b]' "$JG_DIR/err" || jg_fail "stop printed a control byte"
jg stop old
[[ $rc -eq 1 && $err == *"does not answer 'info'"* ]] || jg_fail "stop of an old instance: rc $rc: $err"
jg_pass "stop gives up after shutdown_timeout + 5 s (exit 1, names kill -KILL); an instance without 'info' is refused"

jg_note "transcript of the session:"
sed 's/^/    /' "$transcript"

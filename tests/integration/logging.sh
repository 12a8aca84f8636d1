#!/usr/bin/env bash
# Where the lines go: log_file written (start-up on stderr too, then the
# file only), renamed away and reopened on SIGHUP (logrotate) and on
# "reload"; log_format = json writes lines python3 -m json.tool accepts,
# hostile text from a bad reload escaped; run -d where /dev/log is absent
# (a mount namespace without it) says so on stderr before detaching and
# logs to a file under the runtime directory; a log_file that cannot be
# opened stops start-up with the reason.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/jumpgate.sh"
jg_setup
command -v python3 >/dev/null || { echo "python3 not found" >&2; exit 99; }

jg_keygen user
jg_sshd_start bastion
jg_echo_start target
pin="host_key = $(jg_fingerprint "$BASTION_HOSTKEY_ED25519")"

# 1 MiB through the tunnel on PORT, checked.
through() {
	"$JGT" client --connect "127.0.0.1:$1" --bytes 1M --timeout 20 \
	    --quiet >/dev/null || jg_fail "no data through port $1"
}

# 1. log_file, text; renamed and reopened on SIGHUP, then on reload.
cfg=$JG_DIR/text.ini
err=$JG_DIR/text.stderr
file=$JG_DIR/logs/jumpgate.log
mkdir -m 700 "$JG_DIR/logs"
jg_config "$cfg" h bastion user "$pin"
port=$(jg_free_port)
jg_config_tunnel "$cfg" t "$port" "127.0.0.1:$TARGET_PORT" h
sed -i "s|^log_level = info|log_level = info\nlog_file = logs/jumpgate.log|" "$cfg"
jg_jumpgate_start "$cfg" "$err"
jg_wait_log "$file" 'hop h: ready' 10 "$JUMPGATE_PID"
grep -q 'jumpgate .* running' "$file" || jg_fail "no start-up line in $file"
[[ $(stat -c %a "$file") == 600 ]] || jg_fail "$file is mode $(stat -c %a "$file")"
through "$port"
jg_wait_log "$file" 'tunnel t: connection from .* closed' 5
grep -q 'tunnel t: connection from' "$err" &&
    jg_fail "lines after start-up still go to stderr"
jg_pass "log_file: start-up on stderr and in the file (mode 600), then the file only"

mv "$file" "$file.1"
kill -HUP "$JUMPGATE_PID"
jg_wait_log "$file" "reloaded $cfg" 10 "$JUMPGATE_PID"
through "$port"
jg_wait_log "$file" 'tunnel t: connection from .* closed' 5
grep -q 'SIGHUP: reloading' "$file.1" ||
    jg_fail "the renamed file did not get the lines before the reopen"
[[ $(jg_count "$file.1" 'connection from .* closed') == 1 ]] ||
    jg_fail "the renamed file got lines after SIGHUP"
mv "$file" "$file.2"
out=$("$JUMPGATE" reload "$cfg") || jg_fail "reload failed: $out"
jg_wait_log "$file" "reloaded $cfg" 10 "$JUMPGATE_PID"
jg_pass "renamed away and reopened on SIGHUP and on reload; old files keep their lines"
jg_jumpgate_stop "$err"
grep -q 'stopped' "$file" || jg_fail "the last line did not reach the file"

# 2. log_format = json, with hostile text in a failed reload.
cfg=$JG_DIR/json.ini
err=$JG_DIR/json.stderr
file=$JG_DIR/logs/json.log
jg_config "$cfg" h bastion user "$pin"
port=$(jg_free_port)
jg_config_tunnel "$cfg" t "$port" "127.0.0.1:$TARGET_PORT" h
sed -i "s|^log_level = info|log_level = debug\nlog_file = $file\nlog_format = json|" "$cfg"
jg_jumpgate_start "$cfg" "$err"
jg_wait_log "$file" '"message":"hop h: ready' 10 "$JUMPGATE_PID"
through "$port"
cp "$cfg" "$cfg.good"
printf 'b"a\\d\tk\033[31mey = 1\n' >>"$cfg"
"$JUMPGATE" reload "$cfg" >/dev/null 2>&1 && jg_fail "a reload of a bad file succeeded"
jg_wait_log "$file" 'still running the previous configuration' 10
cp "$cfg.good" "$cfg"
jg_jumpgate_stop "$err"
python3 -m json.tool --json-lines "$file" >/dev/null ||
    jg_fail "$file does not parse as JSON lines: $(python3 -m json.tool --json-lines "$file" 2>&1 | tail -1)"
python3 - "$file" <<'PY' || jg_fail "json fields wrong"
import json, sys
n = 0
hostile = False
for line in open(sys.argv[1], encoding="ascii"):
    o = json.loads(line)
    assert set(o) == {"time", "pid", "level", "message"}, o
    assert o["level"] in ("error", "warn", "info", "debug"), o
    assert o["time"].endswith("Z") and isinstance(o["pid"], int), o
    assert not any(ord(c) < 0x20 for c in o["message"]), o
    if "reload:" in o["message"] and 'b"a\\' in o["message"]:
        hostile = True
    n += 1
assert n > 10 and hostile, (n, hostile)
PY
jg_pass "log_format = json: $(wc -l <"$file") lines parse (json.tool --json-lines), fields time/pid/level/message, a quote, backslash, tab and escape from a bad reload escaped"

# 3. run -d with no /dev/log: a mount namespace hides it.
if ! unshare -m true 2>/dev/null; then
	jg_note "no mount namespaces here: run -d without /dev/log not tested"
else
	cfg=$JG_DIR/nosyslog.ini
	jg_config "$cfg" h bastion user "$pin"
	port=$(jg_free_port)
	jg_config_tunnel "$cfg" t "$port" "127.0.0.1:$TARGET_PORT" h
	pidfile=$JG_DIR/nosyslog.pid
	sed -i "s|^log_level = info|log_level = info\npidfile = $pidfile|" "$cfg"
	: >"$JG_DIR/empty"
	# shellcheck disable=SC2016 # expanded by the inner shell
	out=$(unshare -m sh -c '
		if [ -e /dev/log ] || [ -L /dev/log ]; then
			mount --bind "$1" /dev/log || exit 97
		fi
		exec "$2" run -d "$3"' sh "$JG_DIR/empty" "$JUMPGATE" "$cfg" 2>&1) ||
	    jg_fail "run -d failed without /dev/log: $out"
	fallback=$XDG_RUNTIME_DIR/jumpgate/nosyslog.log
	[[ $out == *"syslog is not reachable (/dev/log: "*"): logging to $fallback instead"* ]] ||
	    jg_fail "run -d did not say on stderr where it logs: $out"
	for ((i = 0; i < 50; i++)); do grep -q '^[0-9]' "$pidfile" 2>/dev/null && break; sleep 0.1; done
	pid=$(cat "$pidfile")
	jg__register "$pid" "$fallback" "jumpgate run -d"
	jg_wait_log "$fallback" 'hop h: ready' 10
	through "$port"
	jg_wait_log "$fallback" 'tunnel t: connection from .* closed' 5
	grep -q 'syslog is not reachable' "$fallback" ||
	    jg_fail "the fallback file does not say why it is used"
	mv "$fallback" "$fallback.1"
	kill -HUP "$pid"
	jg_wait_log "$fallback" "reloaded $cfg" 10
	kill -TERM "$pid"
	for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$pid" 2>/dev/null && jg_fail "run -d did not stop on SIGTERM"
	jg__unregister "$pid"
	grep -q 'stopped' "$fallback" || jg_fail "no 'stopped' in $fallback"
	jg_pass "run -d without /dev/log: said on stderr, logged to $fallback, reopened on SIGHUP"
fi

# 3b. run -d with log_file: nothing on stderr, everything in the file.
cfg=$JG_DIR/detached.ini
jg_config "$cfg" h bastion user "$pin"
port=$(jg_free_port)
jg_config_tunnel "$cfg" t "$port" "127.0.0.1:$TARGET_PORT" h
pidfile=$JG_DIR/detached.pid
file=$JG_DIR/logs/detached.log
sed -i "s|^log_level = info|log_level = info\npidfile = $pidfile\nlog_file = $file|" "$cfg"
out=$("$JUMPGATE" run -d "$cfg" 2>&1) || jg_fail "run -d with log_file failed: $out"
for ((i = 0; i < 50; i++)); do grep -q '^[0-9]' "$pidfile" 2>/dev/null && break; sleep 0.1; done
pid=$(cat "$pidfile")
jg__register "$pid" "$file" "jumpgate run -d"
jg_wait_log "$file" 'hop h: ready' 10
through "$port"
kill -TERM "$pid"
for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid" 2>/dev/null && jg_fail "run -d did not stop on SIGTERM"
jg__unregister "$pid"
grep -q 'stopped' "$file" || jg_fail "no 'stopped' in $file"
[[ $out != *syslog* ]] || jg_fail "run -d with log_file spoke of syslog: $out"
jg_pass "run -d with log_file: start to stop in the file ($(wc -l <"$file") lines), only the $(grep -c . <<<"$out") start-up lines on stderr"

# 4. A log_file that cannot be opened stops start-up, saying why.
cfg=$JG_DIR/bad.ini
jg_config "$cfg" h bastion user "$pin"
jg_config_tunnel "$cfg" t "$(jg_free_port)" "127.0.0.1:$TARGET_PORT" h
mkdir -m 777 "$JG_DIR/open"
chmod 777 "$JG_DIR/open"
sed -i "s|^log_level = info|log_level = info\nlog_file = $JG_DIR/open/j.log|" "$cfg"
if out=$(timeout 10 "$JUMPGATE" run "$cfg" 2>&1); then
	jg_fail "run wrote its log into a directory anyone can write: $out"
fi
[[ $out == *"log_file: "*"$JG_DIR/open"*"mode 0777"* ]] ||
    jg_fail "run did not say why it refused the log file: $out"
[[ ! -e $JG_DIR/open/j.log ]] || jg_fail "the refused log file was created"
jg_pass "log_file in a directory anyone can write: refused ($(grep -o 'log_file: .*' <<<"$out" | cut -c1-120)...)"

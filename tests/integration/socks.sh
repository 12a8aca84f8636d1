#!/usr/bin/env bash
# SOCKS tunnels (type = socks) through one verified hop: curl
# --socks5-hostname downloads a multi-megabyte file from an HTTP server
# behind the bastion (SHA-256 checked, clients in parallel; timed next to
# a local forward of the same hop), echo data
# through SOCKS5 and SOCKS4a, a SOCKS tunnel on a Unix socket listener,
# every kind of bad request answered with its
# reply code or closed (tests/tools/socks-client.py), a handshake that
# never finishes closed after connect_timeout while another client works,
# one log line per refusal, status showing destinations, a reload that
# changes the allow-list keeping live connections, reply 2 for a channel
# the server refuses (PermitOpen) and 3 for a hop that is down, and check
# refusing a SOCKS tunnel without an allow-list.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/jumpgate.sh"
jg_setup

command -v curl >/dev/null ||
    jg__hard_error "curl not found: install the Debian package curl"
CLIENT=$TESTS_SRCDIR/tools/socks-client.py

jg_keygen user
jg_sshd_start bastion
# A bastion whose sshd opens channels to one port only.
jg_sshd_start strict "PermitOpen 127.0.0.1:9"
jg_echo_start target
jg_echo_start late
pin=$(jg_fingerprint "$BASTION_HOSTKEY_ED25519")

# The HTTP server behind the bastion, serving 24 MiB of random bytes.
www=$JG_DIR/www
mkdir "$www"
head -c 24M /dev/urandom >"$www/big.bin"
want=$(sha256sum <"$www/big.bin" | cut -d' ' -f1)
http_port=$(jg_free_port)
jg_bg "$JG_DIR/http.log" python3 -m http.server --bind 127.0.0.1 \
    --directory "$www" "$http_port" >/dev/null
jg_wait_port "$http_port" 10 "$JG_LAST_PID"

socks_port=$(jg_free_port)
strict_socks_port=$(jg_free_port)
web_port=$(jg_free_port)
denied_port=$(jg_free_port)
dead_port=$(jg_free_port)
cfg=$JG_DIR/socks.ini
JG_CONNECT_TIMEOUT=3 jg_config "$cfg" bastion bastion user "host_key = $pin"
allow="localhost:$http_port, 127.0.0.0/8:$TARGET_PORT, 127.0.0.1:$dead_port, *.invalid:80"
cat >>"$cfg" <<INI
[tunnel proxy]
type = socks
listen = 127.0.0.1:$socks_port
via = bastion
allow = $allow

[hop strict]
host = 127.0.0.1
port = $STRICT_PORT
user = $JG_USER
identity = $USER_KEY
connect_timeout = 3
host_key = $(jg_fingerprint "$STRICT_HOSTKEY_ED25519")

[tunnel strict]
type = socks
listen = 127.0.0.1:$strict_socks_port
via = strict
allow = 127.0.0.1:*

[tunnel sockssock]
type = socks
listen = unix:$JG_DIR/proxy/socks.sock
via = bastion
allow = localhost:$http_port

[tunnel web]
listen = 127.0.0.1:$web_port
connect = 127.0.0.1:$http_port
via = bastion

INI
log=$JG_DIR/jumpgate.log
jg_jumpgate_start "$cfg" "$log"
jg_wait_port "$socks_port" 10 "$JUMPGATE_PID"
grep -q "tunnel proxy: SOCKS on 127.0.0.1:$socks_port via bastion, allowing" "$log" ||
    jg_fail "no start line for the SOCKS tunnel"

# curl resolves nothing itself: the far side resolves "localhost".
start=${EPOCHREALTIME/[.,]/}
got=$(curl -sS --max-time 60 --socks5-hostname "127.0.0.1:$socks_port" \
    "http://localhost:$http_port/big.bin" | sha256sum | cut -d' ' -f1)
ms=$(( (${EPOCHREALTIME/[.,]/} - start) / 1000 ))
[[ $got == "$want" ]] || jg_fail "24 MiB over SOCKS5: SHA-256 $got, want $want"
jg_pass "curl --socks5-hostname: 24 MiB, SHA-256 matches ($ms ms, $(( 24 * 1000 / (ms > 0 ? ms : 1) )) MiB/s)"

# The same file through a local forward of the same hop, for comparison;
# and the time to the first byte of a small request both ways (the SOCKS
# handshake adds two round trips between curl and jumpgate, none over SSH).
start=${EPOCHREALTIME/[.,]/}
got=$(curl -sS --max-time 60 "http://127.0.0.1:$web_port/big.bin" |
    sha256sum | cut -d' ' -f1)
ms2=$(( (${EPOCHREALTIME/[.,]/} - start) / 1000 ))
[[ $got == "$want" ]] || jg_fail "24 MiB over the local forward: SHA-256 $got"
echo hi >"$www/small.txt"
ttfb_socks=$(curl -sS -o /dev/null -w '%{time_starttransfer}' \
    --socks5-hostname "127.0.0.1:$socks_port" "http://localhost:$http_port/small.txt")
ttfb_local=$(curl -sS -o /dev/null -w '%{time_starttransfer}' \
    "http://127.0.0.1:$web_port/small.txt")
jg_note "24 MiB: SOCKS $ms ms, local forward $ms2 ms; first byte of a small file: SOCKS ${ttfb_socks} s, local forward ${ttfb_local} s"
jg_pass "the same 24 MiB through a local forward: SHA-256 matches ($ms2 ms)"

pids=()
for i in 1 2 3 4; do
	curl -sS --max-time 60 --socks5-hostname "127.0.0.1:$socks_port" \
	    -o "$JG_DIR/par$i.bin" "http://localhost:$http_port/big.bin" &
	pids+=($!)
done
for p in "${pids[@]}"; do
	wait "$p" || jg_fail "a parallel curl failed"
done
for i in 1 2 3 4; do
	got=$(sha256sum <"$JG_DIR/par$i.bin" | cut -d' ' -f1)
	[[ $got == "$want" ]] || jg_fail "parallel curl $i: SHA-256 $got"
done
jg_pass "4 parallel curl downloads of 24 MiB, SHA-256 matches"

# A SOCKS tunnel on a Unix socket listener: only its owner can use it
# (mode 0600 in a 0700 directory), curl reaches it through the socket.
sock=$JG_DIR/proxy/socks.sock
[[ -S $sock && $(stat -c %a "$sock") == 600 && $(stat -c %a "${sock%/*}") == 700 ]] ||
    jg_fail "the SOCKS socket is not a 0600 socket in a 0700 directory: $(ls -la "${sock%/*}")"
grep -q "tunnel sockssock: listening on unix:$sock (mode 0600) -> SOCKS, allowing localhost:$http_port via bastion" "$log" ||
    jg_fail "no start line for the SOCKS tunnel on a Unix socket"
got=$(curl -sS --max-time 60 --proxy "socks5h://localhost$sock" \
    "http://localhost:$http_port/big.bin" | sha256sum | cut -d' ' -f1)
[[ $got == "$want" ]] || jg_fail "24 MiB over SOCKS5 on a Unix socket: SHA-256 $got"
jg_pass "SOCKS5 on a Unix socket listener (0600): curl gets 24 MiB, SHA-256 matches"

# A destination outside the allow-list: curl fails, one log line says why.
if curl -sS --max-time 10 --socks5-hostname "127.0.0.1:$socks_port" \
    "http://localhost:$denied_port/" >/dev/null 2>"$JG_DIR/curl-denied.err"; then
	jg_fail "curl reached a destination outside the allow-list"
fi
grep -q "not allowed\|connection not allowed" "$JG_DIR/curl-denied.err" ||
    jg_note "curl said: $(cat "$JG_DIR/curl-denied.err")"
jg_wait_log "$log" "tunnel proxy: connection from 127.0.0.1:[0-9]+ closed \(SOCKS request refused: localhost:$denied_port is not in the allow-list; reply 2, connection not allowed\)" 5
[[ $(jg_count "$log" "localhost:$denied_port") -eq 1 ]] ||
    jg_fail "a refused destination should give exactly one log line"
jg_pass "refused destination: curl fails, one log line with reply 2"

# Echo data, with the first bytes in the same segment as the request.
out=$(python3 "$CLIENT" "$socks_port" echo 127.0.0.1 "$TARGET_PORT" 8388608) ||
    jg_fail "8 MiB echo over SOCKS5 failed: $out"
jg_pass "SOCKS5 echo of 8 MiB (data pipelined after the request): $out"
out=$(python3 "$CLIENT" "$socks_port" echo 127.0.0.1 "$TARGET_PORT" 1048576 4) ||
    jg_fail "1 MiB echo over SOCKS4a failed: $out"
jg_pass "SOCKS4a echo of 1 MiB: $out"

# Every kind of bad request.
if ! python3 "$CLIENT" "$socks_port" bad "$TARGET_PORT" "$denied_port" \
    "$dead_port" >"$JG_DIR/bad.out" 2>&1; then
	cat "$JG_DIR/bad.out" >&2
	jg_fail "a bad request was not answered as it should be"
fi
jg_note "$(cat "$JG_DIR/bad.out")"
jg_pass "$(grep -c '^ok' "$JG_DIR/bad.out") kinds of bad request answered with the right reply or closed"
grep -Eq "closed \(bastion could not connect to 127.0.0.1:$dead_port .*SOCKS reply 5, connection refused\)" "$log" ||
    jg_fail "no log line for the refused connection"
grep -Eq "closed \(bad SOCKS handshake: not a SOCKS client" "$log" ||
    jg_fail "no log line for a client that does not speak SOCKS"
jg_pass "channel failures and bad handshakes logged with their reply"

# A handshake that never finishes is closed after connect_timeout (3 s),
# and a client meanwhile is served.
jg_bg "$JG_DIR/slow.out" python3 "$CLIENT" "$socks_port" slow 20 >/dev/null
slow_pid=$JG_LAST_PID
sleep 0.5
out=$(python3 "$CLIENT" "$socks_port" echo 127.0.0.1 "$TARGET_PORT" 1048576) ||
    jg_fail "a client failed while a slow handshake was pending: $out"
wait "$slow_pid" || jg_fail "slow client: $(cat "$JG_DIR/slow.out")"
read -r secs _ <"$JG_DIR/slow.out"
awk -v s="$secs" 'BEGIN { exit !(s >= 2.5 && s <= 6) }' ||
    jg_fail "the unfinished handshake was closed after $secs s, not about 3"
jg_wait_log "$log" "closed \(no complete SOCKS request within 3 s \(connect_timeout\)\)" 5
jg_pass "unfinished handshake closed after $secs s (connect_timeout 3) while another client was served"

# Status names each SOCKS connection's destination; a reload that adds to
# the allow-list keeps the tunnel and its live connection.
jg_bg "$JG_DIR/hold.out" python3 "$CLIENT" "$socks_port" hold 127.0.0.1 \
    "$TARGET_PORT" 6 >/dev/null
hold_pid=$JG_LAST_PID
for ((i = 0; i < 100; i++)); do
	out=$("$JUMPGATE" status "$cfg") || jg_fail "status failed: $out"
	grep -Eq "^proxy +socks +127.0.0.1:$socks_port +127.0.0.1:$TARGET_PORT " <<<"$out" &&
	    break
	sleep 0.05
done
grep -Eq "^proxy +socks +127.0.0.1:$socks_port +127.0.0.1:$TARGET_PORT " <<<"$out" ||
    jg_fail "status does not show the SOCKS connection's destination: $out"
json=$("$JUMPGATE" status --json "$cfg") || jg_fail "status --json failed"
grep -q "\"type\":\"socks\",\"listen\":\"127.0.0.1:$socks_port\",\"connect\":\"127.0.0.1:$TARGET_PORT\"" <<<"$json" ||
    jg_fail "status --json does not show the destination: $json"
jg_pass "status and status --json show the destination of the live SOCKS connection"

python3 "$CLIENT" "$socks_port" echo localhost "$LATE_PORT" 1000 >/dev/null 2>&1 &&
    jg_fail "localhost:$LATE_PORT was reached before the allow-list had it"
sed -i "0,/^allow = /s|^allow = .*|allow = $allow, localhost:$LATE_PORT|" "$cfg"
out=$("$JUMPGATE" reload "$cfg") || jg_fail "reload failed: $out"
grep -q "tunnels 4 kept, 0 changed" <<<"$out" || jg_fail "the SOCKS tunnel was not kept: $out"
jg_wait_log "$log" "tunnel proxy: allow-list now .*, localhost:$LATE_PORT \(open connections stay\)" 5
out=$(python3 "$CLIENT" "$socks_port" echo localhost "$LATE_PORT" 1048576) ||
    jg_fail "the reloaded allow-list did not let localhost:$LATE_PORT through: $out"
wait "$hold_pid" || jg_fail "the live connection broke across the reload: $(cat "$JG_DIR/hold.out")"
grep -q held "$JG_DIR/hold.out" || jg_fail "the held connection did not finish"
jg_pass "reload: the kept SOCKS tunnel took the new allow-list; its live connection went on"

# A channel the server refuses (PermitOpen): reply 2. A hop that is down:
# reply 3 once connect_timeout (3 s) has passed.
out=$(python3 "$CLIENT" "$strict_socks_port" expect 127.0.0.1 "$TARGET_PORT" 2) ||
    jg_fail "a channel the server refused: $out"
jg_wait_log "$log" "tunnel strict: connection from .* closed \(127.0.0.1:$TARGET_PORT refused by the server: administratively prohibited .*SOCKS reply 2" 5
jg_pass "a channel the server refuses (PermitOpen): reply 2 after $out s"
jg_sshd_stop strict
out=$(python3 "$CLIENT" "$strict_socks_port" expect 127.0.0.1 9 3) ||
    jg_fail "a hop that is down: $out"
awk -v s="$out" 'BEGIN { exit !(s >= 2.5 && s <= 8) }' ||
    jg_fail "reply 3 for a hop that is down came after $out s, not about 3"
jg_pass "a hop that is down: reply 3 (network unreachable) after $out s"

jg_jumpgate_stop "$log"
grep -q 'info: stopped' "$log" || jg_fail "no clean stop logged"
jg_pass "SIGTERM: clean exit"

# check: a SOCKS tunnel without an allow-list, or with a bad entry.
bad=$JG_DIR/bad.ini
jg_config "$bad" bastion bastion user "host_key = $pin"
printf '[tunnel open]\ntype = socks\nlisten = 1080\nvia = bastion\n\n' >>"$bad"
printf '[tunnel typo]\ntype = socks\nlisten = 1081\nvia = bastion\nallow = 10.0.0.1/8:443\n' >>"$bad"
out=$("$JUMPGATE" check "$bad" 2>&1) && jg_fail "check accepted a SOCKS tunnel without allow"
grep -q "^$bad:[0-9]*: \[tunnel open\] is a socks tunnel without an allow-list" <<<"$out" ||
    jg_fail "check did not name the missing allow-list: $out"
grep -q "^$bad:[0-9]*: bad allow: bad entry '10.0.0.1/8:443'" <<<"$out" ||
    jg_fail "check did not name the bad allow entry: $out"
jg_pass "check: FILE:LINE errors for a missing allow-list and a bad entry"

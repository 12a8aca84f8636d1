#!/usr/bin/env bash
# Unix-domain socket tunnel ends against real sshd: listen = unix:PATH
# (mode, group, the directory's checks, stale sockets, retries, removal on
# reload and shutdown), connect = unix:PATH over
# direct-streamlocal@openssh.com (also through a jump chain), a remote
# forward to a local Unix socket, AllowStreamLocalForwarding no, status,
# check's errors, psql and pgbench through a socket listener. Data is
# checked with SHA-256 both ways (jgt).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/jumpgate.sh"
jg_setup

jg_keygen user
jg_sshd_start bastion
jg_sshd_start nostream "AllowStreamLocalForwarding no"
jg_sshd_start app
jg_echo_start target

# A far-side target that listens only on a Unix socket (sshd connects to
# it as the login user, root here).
far=$JG_DIR/far
mkdir -m 700 "$far"
far_sock=$far/echo.sock
jg_bg echo-far.log "$JGT" echo-server --listen "unix:$far_sock" \
    --port-file "$JG_DIR/echo-far.port" >/dev/null
for ((i = 0; i < 100; i++)); do [[ -s $JG_DIR/echo-far.port ]] && break; sleep 0.05; done
[[ -S $far_sock ]] || jg_fail "the far-side echo server did not create $far_sock"

run=$XDG_RUNTIME_DIR
lsock=$run/jg/tcp.sock		# unix listener -> TCP target
usock=$run/jg/unix.sock		# unix listener -> unix target
csock=$run/jg/chain.sock	# the same through bastion -> app
gone=$run/jg/gone.sock		# removed by reload
tcp2unix=$(jg_free_port)
denied=$(jg_free_port)
rport=$(jg_free_port)
rdead=$(jg_free_port)
cfg=$JG_DIR/unix.ini
log=$JG_DIR/unix.log
# write_config [EXTRA TUNNEL...]: the config, gone.sock unless told not.
write_config() {
	jg_config "$cfg" bastion bastion user \
	    "host_key = $(jg_fingerprint "$BASTION_HOSTKEY_ED25519")"
	{
		printf '[hop nostream]\nhost = 127.0.0.1\nport = %s\nuser = %s\n' \
		    "$NOSTREAM_PORT" "$JG_USER"
		printf 'identity = %s\nhost_key = %s\n\n' "$USER_KEY" \
		    "$(jg_fingerprint "$NOSTREAM_HOSTKEY_ED25519")"
		printf '[hop app]\nhost = 127.0.0.1\nport = %s\nuser = %s\nvia = bastion\n' \
		    "$APP_PORT" "$JG_USER"
		printf 'identity = %s\nhost_key = %s\n\n' "$USER_KEY" \
		    "$(jg_fingerprint "$APP_HOSTKEY_ED25519")"
		printf '[tunnel chain2sock]\nlisten = unix:%s\nconnect = unix:%s\nvia = app\n\n' \
		    "$csock" "$far_sock"
		printf '[tunnel sock2tcp]\nlisten = unix:%s\nlisten_mode = %s\nconnect = 127.0.0.1:%s\nvia = bastion\n\n' \
		    "$lsock" "${SOCK2TCP_MODE:-0600}" "$TARGET_PORT"
		printf '[tunnel sock2sock]\nlisten = unix:%s\nconnect = unix:%s\nvia = bastion\n\n' \
		    "$usock" "$far_sock"
		printf '[tunnel tcp2sock]\nlisten = 127.0.0.1:%s\nconnect = unix:%s\nvia = bastion\n\n' \
		    "$tcp2unix" "$far_sock"
		printf '[tunnel r2sock]\ntype = remote\nlisten = 127.0.0.1:%s\nconnect = unix:%s\nvia = bastion\n\n' \
		    "$rport" "$far_sock"
		printf '[tunnel r2none]\ntype = remote\nlisten = 127.0.0.1:%s\nconnect = unix:%s/none.sock\nvia = bastion\n\n' \
		    "$rdead" "$far"
		printf '[tunnel denied]\nlisten = 127.0.0.1:%s\nconnect = unix:%s\nvia = nostream\n\n' \
		    "$denied" "$far_sock"
		[[ ${1:-} == no-gone ]] ||
		    printf '[tunnel gone]\nlisten = unix:%s\nconnect = 127.0.0.1:%s\nvia = bastion\n\n' \
		    "$gone" "$TARGET_PORT"
	} >>"$cfg"
}
write_config

# A stale socket (its server died) where sock2tcp listens: replaced.
mkdir -m 700 "$run/jg"
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$lsock"
[[ -S $lsock ]] || jg_fail "could not plant a stale socket"
jg_jumpgate_start "$cfg" "$log"
jg_wait_log "$log" "tunnel sock2tcp: listening on unix:$lsock \(mode 0600\) -> 127.0.0.1:$TARGET_PORT via bastion" 10
jg_wait_log "$log" "tunnel sock2sock: listening on unix:$usock \(mode 0600\) -> unix:$far_sock via bastion" 10
jg_wait_log "$log" "tunnel tcp2sock: listening on 127.0.0.1:$tcp2unix -> unix:$far_sock via bastion" 10
[[ $(stat -c %a "$lsock") == 600 ]] || jg_fail "$lsock is mode $(stat -c %a "$lsock"), not 600"
jg_pass "a stale socket was replaced; the socket is mode 600 in a directory of mode $(stat -c %a "$run/jg")"

jg_wait_log "$log" "tunnel chain2sock: listening on unix:$csock \(mode 0600\) -> unix:$far_sock via bastion -> app" 10
for t in "$lsock" "$usock" "$csock"; do
	out=$("$JGT" client --connect "unix:$t" --bytes 16M --timeout 60) ||
	    jg_fail "16 MiB through unix:$t failed: $out"
	jg_pass "unix:$t: $out"
done
out=$("$JGT" client --connect "127.0.0.1:$tcp2unix" --bytes 16M --timeout 60) ||
    jg_fail "16 MiB to the far side's Unix socket failed: $out"
jg_pass "TCP listener -> direct-streamlocal to unix:$far_sock: $out"
jg_wait_log "$log" "tunnel r2sock: bastion listens on 127.0.0.1:$rport -> unix:$far_sock on this machine" 10
out=$("$JGT" client --connect "127.0.0.1:$rport" --bytes 16M --timeout 60) ||
    jg_fail "16 MiB through the remote forward to a local Unix socket failed: $out"
jg_pass "remote forward -> local unix:$far_sock: $out"
jg_wait_log "$log" "tunnel r2none: bastion listens on 127.0.0.1:$rdead" 10
"$JGT" expect-close --connect "127.0.0.1:$rdead" --timeout 10 >/dev/null ||
    jg_fail "a client of a remote forward to a missing socket was not closed"
jg_wait_log "$log" "tunnel r2none: connection from .* closed \(cannot connect to unix:$far/none.sock: No such file or directory\)" 5
jg_pass "remote forward to a missing local socket: the client is closed, one line"
out=$("$JGT" client --connect "unix:$usock" --bytes 256K --conns 50 --timeout 60) ||
    jg_fail "50 concurrent unix -> unix failed: $out"
jg_pass "50 concurrent unix -> unix: $out"
grep -q 'direct-streamlocal' "$BASTION_LOG" ||
    jg_fail "sshd did not log a direct-streamlocal channel"
grep -q 'direct-streamlocal' "$APP_LOG" ||
    jg_fail "the inner hop's sshd did not log a direct-streamlocal channel"
jg_wait_log "$log" "tunnel sock2tcp: connection from pid [0-9]+ uid 0 to 127.0.0.1:$TARGET_PORT via bastion" 5

# Only the socket's owner (root here: uid 0 passes any mode, so try as
# nobody) may connect.
if out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups \
    "$JGT" client --connect "unix:$usock" --bytes 1K --timeout 5 2>&1); then
	jg_fail "user nobody connected to a mode 0600 socket: $out"
fi
grep -q 'Permission denied' <<<"$out" ||
    jg_fail "user nobody failed for another reason than permissions: $out"
jg_pass "user nobody is refused (a directory of mode 0700 on the way): $(head -1 <<<"$out")"

# AllowStreamLocalForwarding no: the client is closed, one clear line.
"$JGT" expect-close --connect "127.0.0.1:$denied" --timeout 10 >/dev/null ||
    jg_fail "a client of a refused streamlocal channel was not closed"
jg_wait_log "$log" "tunnel denied: connection from .* closed \(.*AllowStreamLocalForwarding" 10
[[ $(jg_count "$log" "AllowStreamLocalForwarding") -eq 1 ]] ||
    jg_fail "expected one line naming AllowStreamLocalForwarding, got $(jg_count "$log" AllowStreamLocalForwarding)"
jg_pass "AllowStreamLocalForwarding no: $(grep -o 'tunnel denied: connection from.*closed.*' "$log" | head -1 | cut -c1-300)"

# status and status --json show the socket ends.
out=$("$JUMPGATE" status "$cfg") || jg_fail "status failed: $out"
grep -q "unix:$usock" <<<"$out" || jg_fail "status does not show unix:$usock: $out"
"$JUMPGATE" status --json "$cfg" | jq -e --arg l "unix:$usock" --arg c "unix:$far_sock" \
    '.tunnels[] | select(.name == "sock2sock") | .listen == $l and .connect == $c' >/dev/null ||
    jg_fail "status --json does not show the socket ends: $("$JUMPGATE" status --json "$cfg")"
jg_pass "status and status --json show unix:PATH ends"

# Reload: an unchanged socket tunnel keeps its live connections; a removed
# one removes its socket file.
hold_out=$JG_DIR/hold.out
"$JGT" hold --connect "unix:$usock" --conns 3 --seconds 4 >"$hold_out" 2>&1 &
hold_pid=$!
for ((i = 0; i < 100; i++)); do
	grep -q 'holding' "$hold_out" 2>/dev/null && break
	sleep 0.05
done
[[ -S $gone ]] || jg_fail "$gone is missing before the reload"
SOCK2TCP_MODE=0660 write_config no-gone
out=$("$JUMPGATE" reload "$cfg") || jg_fail "reload failed: $out"
jg_wait_log "$log" "tunnel gone: removed by reload" 5
jg_wait_log "$log" "tunnel sock2tcp: changed by reload" 5
jg_wait_log "$log" "tunnel sock2tcp: listening on unix:$lsock \(mode 0660\)" 5
[[ $(stat -c %a "$lsock") == 660 ]] || jg_fail "after the reload $lsock is mode $(stat -c %a "$lsock"), not 660"
out=$("$JGT" client --connect "unix:$lsock" --bytes 1M --timeout 30) ||
    jg_fail "the changed socket tunnel does not forward after the reload: $out"
[[ ! -e $gone ]] || jg_fail "the removed tunnel's socket $gone is still there"
wait "$hold_pid" || jg_fail "connections on the kept socket tunnel broke in the reload: $(<"$hold_out")"
out=$("$JGT" client --connect "unix:$usock" --bytes 1M --timeout 30) ||
    jg_fail "the kept socket tunnel does not forward after the reload: $out"
jg_pass "reload kept sock2sock's 3 live connections ($(tail -1 "$hold_out")); removed gone.sock; tcp.sock, changed to mode 0660, listens again"

# Shutdown removes the socket files.
jg_jumpgate_stop "$log"
for t in "$lsock" "$usock"; do
	[[ ! -e $t ]] || jg_fail "$t is still there after shutdown"
done
jg_pass "shutdown removed the socket files"

# start_fails CONFIG PATTERN WHAT: jumpgate run exits non-zero, saying it.
start_fails() {
	local out rc=0
	out=$(timeout 20 "$JUMPGATE" run "$1" 2>&1) || rc=$?
	[[ $rc -ne 0 && $rc -ne 124 ]] || jg_fail "$3: jumpgate did not refuse to start (exit $rc): $out"
	grep -Eq -- "$2" <<<"$out" || jg_fail "$3: expected /$2/ in: $out"
	jg_pass "$3: $(grep -Eo -- "$2.*" <<<"$out" | head -1 | cut -c1-200)"
}
# one_tunnel FILE LISTEN [EXTRA LINE]
one_tunnel() {
	jg_config "$1" bastion bastion user \
	    "host_key = $(jg_fingerprint "$BASTION_HOSTKEY_ED25519")"
	printf '[tunnel t]\nlisten = %s\nconnect = 127.0.0.1:%s\nvia = bastion\n%s\n' \
	    "$2" "$TARGET_PORT" "${3:-}" >>"$1"
}
bad=$JG_DIR/bad.ini

# Something answers on the path: not replaced.
mkdir -m 700 "$run/busy"
jg_bg busy.log "$JGT" echo-server --listen "unix:$run/busy/s" >/dev/null
for ((i = 0; i < 100; i++)); do [[ -S $run/busy/s ]] && break; sleep 0.05; done
one_tunnel "$bad" "unix:$run/busy/s"
start_fails "$bad" "another program listens on $run/busy/s" "a live socket"
# A file that is not a socket: left alone.
mkdir -m 700 "$run/file"
echo keep >"$run/file/s"
one_tunnel "$bad" "unix:$run/file/s"
start_fails "$bad" "$run/file/s exists and is not a socket" "a regular file"
[[ $(<"$run/file/s") == keep ]] || jg_fail "the regular file was changed"
# A directory other users can write, or that is not ours.
mkdir -m 770 "$run/shared"
one_tunnel "$bad" "unix:$run/shared/s"
start_fails "$bad" "refusing socket directory $run/shared: it is mode 0770" "a group-writable directory"
mkdir -m 700 "$run/theirs"
chown nobody "$run/theirs"
one_tunnel "$bad" "unix:$run/theirs/s"
start_fails "$bad" "refusing socket directory $run/theirs: .*belongs to uid $(id -u nobody)" "another user's directory"
# A symbolic link planted by another user on the way.
mkdir -m 1777 "$JG_DIR/tmp"
mkdir -m 700 "$JG_DIR/tmp/real"
ln -s "$JG_DIR/tmp/real" "$JG_DIR/tmp/link"
chown -h nobody "$JG_DIR/tmp/link"
one_tunnel "$bad" "unix:$JG_DIR/tmp/link/s"
start_fails "$bad" "refusing socket directory $JG_DIR/tmp/link: .*symbolic link" "another user's symbolic link"
[[ ! -e $JG_DIR/tmp/real/s ]] || jg_fail "a socket was created through another user's link"

# required = no: a directory that is not safe yet is retried until fixed.
mkdir -m 770 "$run/later"
cfg4=$JG_DIR/later.ini
log4=$JG_DIR/later.log
one_tunnel "$cfg4" "unix:$run/later/s" "required = no"
jg_jumpgate_start "$cfg4" "$log4"
jg_wait_log "$log4" "tunnel t: refusing socket directory $run/later: .*retrying" 10
chmod 700 "$run/later"
jg_wait_log "$log4" "tunnel t: listening on unix:$run/later/s" 15
out=$("$JGT" client --connect "unix:$run/later/s" --bytes 1M --timeout 30) ||
    jg_fail "the retried socket listener does not forward: $out"
jg_jumpgate_stop "$log4"
jg_pass "required = no: an unsafe directory was retried, and listened once fixed: $out"

# listen_mode 0660 with listen_group: a member of the group may connect,
# other users may not. Every user may search the directories here, so
# that only the socket's own mode and group decide.
grp=jgunix$$
groupadd "$grp" 2>/dev/null || jg_fail "groupadd $grp failed"
trap 'groupdel "$grp" 2>/dev/null || true; jg__cleanup' EXIT
chmod 711 "$JG_DIR" "$run"
mkdir -m 711 "$run/grp"
cfg2=$JG_DIR/group.ini
log2=$JG_DIR/group.log
one_tunnel "$cfg2" "unix:$run/grp/s" "listen_mode = 0660
listen_group = $grp"
printf '\n[tunnel mine]\nlisten = unix:%s\nconnect = 127.0.0.1:%s\nvia = bastion\n' \
    "$run/grp/mine" "$TARGET_PORT" >>"$cfg2"
jg_jumpgate_start "$cfg2" "$log2"
jg_wait_log "$log2" "tunnel t: listening on unix:$run/grp/s \(mode 0660, group $(getent group "$grp" | cut -d: -f3)\)" 10
[[ $(stat -c '%a %G' "$run/grp/s") == "660 $grp" ]] ||
    jg_fail "the socket is $(stat -c '%a %G' "$run/grp/s"), not 660 $grp"
out=$(setpriv --reuid=nobody --regid="$grp" --clear-groups \
    "$JGT" client --connect "unix:$run/grp/s" --bytes 1M --timeout 30 2>&1) ||
    jg_fail "a member of $grp could not use the socket: $out"
jg_pass "listen_group $grp, mode 660: a member connects: $out"
if out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups \
    "$JGT" client --connect "unix:$run/grp/s" --bytes 1K --timeout 5 2>&1); then
	jg_fail "a non-member connected to a 0660 socket: $out"
fi
grep -q 'Permission denied' <<<"$out" ||
    jg_fail "a non-member failed for another reason than the socket's mode: $out"
jg_pass "a non-member is refused by the socket's mode: $(head -1 <<<"$out")"
# The default mode, 0600, in the same directory: not even the group.
jg_wait_log "$log2" "tunnel mine: listening on unix:$run/grp/mine \(mode 0600\)" 10
if out=$(setpriv --reuid=nobody --regid="$grp" --clear-groups \
    "$JGT" client --connect "unix:$run/grp/mine" --bytes 1K --timeout 5 2>&1); then
	jg_fail "another user connected to a 0600 socket: $out"
fi
grep -q 'Permission denied' <<<"$out" ||
    jg_fail "another user failed for another reason than the socket's mode: $out"
jg_jumpgate_stop "$log2"
jg_pass "listen_mode 0600 (the default): another user is refused: $(head -1 <<<"$out")"

# PostgreSQL listening only on its Unix socket on the far side (no TCP):
# psql -h DIR through a socket listener, data both ways with SHA-256, and
# pgbench -S through the socket listener next to a TCP one. PostgreSQL
# refuses to run as root: as user postgres (or nobody).
PGBIN=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
if [[ ! -x $PGBIN/postgres ]] || ! command -v psql >/dev/null; then
	jg_fail "no PostgreSQL: install the Debian packages postgresql and postgresql-client (scripts/install-deps)"
fi
pguser=postgres
getent passwd postgres >/dev/null || pguser=nobody
as_pg=(setpriv --reuid="$pguser" --regid="$(id -g "$pguser")" --init-groups)
PGDATA=$JG_DIR/pg
pgsock=$JG_DIR/pgsock
PG_PORT=$(jg_free_port)
mkdir -m 700 "$PGDATA" "$pgsock"
chown "$pguser:" "$PGDATA" "$pgsock"
"${as_pg[@]}" "$PGBIN/initdb" -D "$PGDATA" -U bench --auth=trust \
    --no-sync >"$JG_DIR/initdb.log" 2>&1 || {
	jg__tail "$JG_DIR/initdb.log"
	jg_fail "initdb failed"
}
cat >>"$PGDATA/postgresql.conf" <<CONF
listen_addresses = ''
port = $PG_PORT
unix_socket_directories = '$pgsock'
max_connections = 50
dynamic_shared_memory_type = mmap
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
echo "local all all trust" >"$PGDATA/pg_hba.conf"
jg_bg postgres.log "${as_pg[@]}" "$PGBIN/postgres" -D "$PGDATA" >/dev/null
for ((i = 0; i < 300; i++)); do [[ -S $pgsock/.s.PGSQL.$PG_PORT ]] && break; sleep 0.1; done
[[ -S $pgsock/.s.PGSQL.$PG_PORT ]] || jg_fail "PostgreSQL did not create its socket"

pgdir=$run/prod-pg
pgtcp=$(jg_free_port)
cfg3=$JG_DIR/pg.ini
log3=$JG_DIR/pg.log
jg_config "$cfg3" bastion bastion user \
    "host_key = $(jg_fingerprint "$BASTION_HOSTKEY_ED25519")"
printf '[tunnel pg]\nlisten = unix:%s/.s.PGSQL.5432\nconnect = unix:%s/.s.PGSQL.%s\nvia = bastion\n\n' \
    "$pgdir" "$pgsock" "$PG_PORT" >>"$cfg3"
printf '[tunnel pgtcp]\nlisten = 127.0.0.1:%s\nconnect = unix:%s/.s.PGSQL.%s\nvia = bastion\n\n' \
    "$pgtcp" "$pgsock" "$PG_PORT" >>"$cfg3"
jg_jumpgate_start "$cfg3" "$log3"
jg_wait_log "$log3" "tunnel pg: listening on unix:$pgdir/.s.PGSQL.5432" 10
[[ $(stat -c %a "$pgdir") == 700 ]] || jg_fail "jumpgate created $pgdir mode $(stat -c %a "$pgdir"), not 700"
export PGUSER=bench PGDATABASE=postgres
out=$(psql -h "$pgdir" -p 5432 -Atc 'select 6 * 7') || jg_fail "psql -h $pgdir failed: $out"
[[ $out == 42 ]] || jg_fail "psql through the socket listener said '$out', not 42"
head -c 4M /dev/urandom | od -An -v -tx1 -w32 | tr -d ' ' >"$JG_DIR/rows.txt"
psql -h "$pgdir" -p 5432 -qc 'create table blob (line text)' ||
    jg_fail "create table failed"
psql -h "$pgdir" -p 5432 -qc "\\copy blob from '$JG_DIR/rows.txt'" ||
    jg_fail "copy in through the socket listener failed"
psql -h "$pgdir" -p 5432 -qc "\\copy blob to '$JG_DIR/rows.out'" ||
    jg_fail "copy out through the socket listener failed"
[[ $(sha256sum <"$JG_DIR/rows.txt") == "$(sha256sum <"$JG_DIR/rows.out")" ]] ||
    jg_fail "the rows that came back differ from those sent"
jg_pass "psql -h $pgdir: 'select 6 * 7' = 42; $(stat -c %s "$JG_DIR/rows.txt") bytes copied in and out, SHA-256 equal"

"$PGBIN/pgbench" -h "$pgdir" -p 5432 -i -q -s 2 >"$JG_DIR/pgbench-init.log" 2>&1 || {
	jg__tail "$JG_DIR/pgbench-init.log"
	jg_fail "pgbench -i through the socket listener failed"
}
# tps HOST PORT: read-only pgbench for 3 s with 4 clients.
tps() {
	"$PGBIN/pgbench" -h "$1" -p "$2" -S -n -T 3 -c 4 -j 2 2>&1 |
	    awk '/^tps/ {printf "%.0f", $3}'
}
tps_unix=$(tps "$pgdir" 5432)
tps_tcp=$(tps 127.0.0.1 "$pgtcp")
tps_direct=$(tps "$pgsock" "$PG_PORT")
[[ -n $tps_unix && $tps_unix -gt 0 && -n $tps_tcp && $tps_tcp -gt 0 ]] ||
    jg_fail "pgbench -S gave no result (unix '$tps_unix', tcp '$tps_tcp')"
jg_pass "pgbench -S -c 4 -T 3 (tps): socket listener $tps_unix, TCP listener $tps_tcp, PostgreSQL's socket without jumpgate $tps_direct"
jg_jumpgate_stop "$log3"
[[ ! -e $pgdir/.s.PGSQL.5432 ]] || jg_fail "the PostgreSQL socket listener was not removed"

# Bad values: jumpgate check names FILE:LINE and what to do.
{
	printf '[hop h]\nhost = 127.0.0.1\nuser = u\n\n'
	printf '[tunnel a]\nlisten = unix:relative/s\nconnect = 127.0.0.1:1\nvia = h\n\n'
	printf '[tunnel b]\nlisten = unix:/tmp/x/s\nlisten_mode = 0999\nconnect = unix:\nvia = h\n\n'
	printf '[tunnel c]\nlisten = 127.0.0.1:1\nlisten_mode = 0600\nlisten_group = no-such-group-jg\nconnect = 127.0.0.1:1\nvia = h\n\n'
	printf '[tunnel d]\ntype = remote\nlisten = unix:/tmp/x/d\nconnect = 127.0.0.1:1\nvia = h\n\n'
	printf '[tunnel e]\nlisten = unix:/tmp/x/s\nconnect = 127.0.0.1:1\nvia = h\n'
} >"$bad"
if out=$("$JUMPGATE" check "$bad" 2>&1); then
	jg_fail "check accepted bad socket settings: $out"
fi
for want in \
    "$bad:6: bad listen socket 'unix:relative/s': the path must be absolute" \
    "$bad:12: bad listen_mode '0999'" \
    "$bad:13: bad connect socket 'unix:': no path after 'unix:'" \
    "$bad:18: listen_mode applies only to a Unix socket listener" \
    "$bad:19: unknown group 'no-such-group-jg' in listen_group" \
    "$bad:25: listen = unix:PATH is for local and socks tunnels" \
    "$bad:30: listen socket unix:/tmp/x/s is already used by [tunnel b] at line 11"; do
	grep -qF -- "$want" <<<"$out" || jg_fail "check did not say '$want': $out"
done
jg_pass "check: $(wc -l <<<"$out") errors with FILE:LINE, e.g. $(head -1 <<<"$out")"

#!/usr/bin/env bash
# The command line: check prints FILE: OK or every FILE:LINE problem and
# exits non-zero; run refuses a bad file and a taken listen port, naming it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
jg_setup

good=$JG_DIR/good.ini
cat >"$good" <<'INI'
[jumpgate]
log_level = info

[hop bastion]
host = bastion.example.com
user = deploy
host_key = SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8

[tunnel postgres]
listen = 15432
connect = db.internal:5432
via = bastion
INI
out=$("$JUMPGATE" check "$good") || jg_fail "check of a good file failed: $out"
[[ $out == "$good: OK" ]] || jg_fail "unexpected output: $out"
jg_pass "check: $out"

bad=$JG_DIR/bad.ini
cat >"$bad" <<'INI'
[jumpgate]
log_level = loud

[hop bastion]
host = bastion.example.com
port = 99999
user = deploy
host_key = SHA256:tooshort

[tunnel postgres]
listen = 15432
connect = db.internal:5432
via = nowhere

[tunnel pg2]
listen = 127.0.0.1:15432
connect = db.internal:5432
via = bastion
colour = blue
INI
set +e
out=$("$JUMPGATE" check "$bad" 2>&1)
rc=$?
set -e
[[ $rc -ne 0 ]] || jg_fail "check of a bad file exited 0"
for want in "$bad:2: unknown log_level 'loud'" "$bad:6: bad port '99999'" \
    "$bad:8: bad host_key pin" "$bad:13: via 'nowhere' names no hop" \
    "$bad:16: listen address 127.0.0.1:15432 is already used by [tunnel postgres]" \
    "$bad:19: unknown key 'colour'" "$bad: 6 errors"; do
	[[ $out == *"$want"* ]] || jg_fail "missing '$want' in: $out"
done
[[ $out != *"$bad: OK"* ]] || jg_fail "a bad file was called OK"
jg_pass "check reports every problem with FILE:LINE and exits $rc"

# type = remote: listen port 0 leaves the port to the hop's sshd; a local
# tunnel may not ask for it, and the error names its listen line.
remote=$JG_DIR/remote.ini
cat >"$remote" <<'INI'
[hop bastion]
host = bastion.example.com
user = deploy
host_key = SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8

[tunnel expose]
listen = 0
connect = 127.0.0.1:8080
via = bastion
type = remote

[tunnel web]
listen = 0
connect = web.internal:80
via = bastion
INI
set +e
out=$("$JUMPGATE" check "$remote" 2>&1)
rc=$?
set -e
[[ $rc -ne 0 ]] || jg_fail "check accepted listen port 0 for a local tunnel"
for want in "$remote:13: listen port 0 lets the server choose a port: only for type = remote" \
    "$remote: 1 error"; do
	[[ $out == *"$want"* ]] || jg_fail "missing '$want' in: $out"
done
sed -i '/^\[tunnel web\]/,$ s/^via = bastion$/via = bastion\ntype = remote/' "$remote"
out=$("$JUMPGATE" check "$remote") || jg_fail "check of remote tunnels failed: $out"
jg_pass "check: listen port 0 only for type = remote"

set +e
out=$("$JUMPGATE" run "$bad" 2>&1)
rc=$?
set -e
[[ $rc -ne 0 && $out == *"$bad: 6 errors"* ]] || jg_fail "run accepted a bad file: $out"
out=$("$JUMPGATE" check "$JG_DIR/missing.ini" 2>&1) && jg_fail "missing file accepted"
[[ $out == *"missing.ini: cannot open: No such file or directory"* ]] ||
    jg_fail "unexpected output for a missing file: $out"
jg_pass "run refuses a bad file; a missing file is named"

# A listen port already taken: run exits non-zero naming the address.
jg_echo_start holder
taken=$JG_DIR/taken.ini
sed "s/^listen = 15432/listen = 127.0.0.1:$HOLDER_PORT/" "$good" >"$taken"
set +e
out=$(timeout 10 "$JUMPGATE" run "$taken" 2>&1)
rc=$?
set -e
[[ $rc -eq 1 ]] || jg_fail "run with a taken port exited $rc: $out"
[[ $out == *"cannot listen on 127.0.0.1:$HOLDER_PORT: Address already in use"* ]] ||
    jg_fail "the taken address is not named: $out"
jg_pass "run exits 1 when a listen port is taken, naming 127.0.0.1:$HOLDER_PORT"

# A listener on a non-loopback address is allowed when written out, with a
# warning; a bare port stays on 127.0.0.1.
wide=$JG_DIR/wide.ini
wport=$(jg_free_port)
sed -e "s/^listen = 15432/listen = 0.0.0.0:$wport/" \
    -e 's/^host_key = .*/host_key_policy = insecure/' "$good" >"$wide"
printf '[tunnel narrow]\nlisten = %s\nconnect = db:1\nvia = bastion\n' \
    "$(jg_free_port)" >>"$wide"
jg_bg "$JG_DIR/wide.log" "$JUMPGATE" run "$wide" >/dev/null
wide_pid=$JG_LAST_PID
jg_wait_log "$JG_DIR/wide.log" "warn: tunnel postgres: listening on 0.0.0.0:$wport, which is reachable from other machines" 10 "$wide_pid"
jg_wait_log "$JG_DIR/wide.log" 'tunnel narrow: listening on 127.0.0.1:' 10 "$wide_pid"
grep -q 'warn: tunnel narrow' "$JG_DIR/wide.log" && jg_fail "a loopback listener was warned about"
kill -TERM "$wide_pid"
wait "$wide_pid" || jg_fail "jumpgate did not exit cleanly"
jg_pass "0.0.0.0 listener warned about; a bare port listens on 127.0.0.1 without warning"

# Every example shipped in etc/ parses.
for f in "$TESTS_SRCDIR"/../etc/*.ini; do
	out=$("$JUMPGATE" check "$f" 2>&1) || jg_fail "shipped example $f: $out"
done
jg_pass "every etc/*.ini example passes check"

out=$("$JUMPGATE" 2>&1) && jg_fail "no arguments accepted"
[[ $out == *usage:* ]] || jg_fail "no usage printed: $out"
jg_pass "usage printed without arguments"

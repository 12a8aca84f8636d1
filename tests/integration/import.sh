#!/usr/bin/env bash
# jumpgate import: an ~/.ssh/config (Include of a relative glob, Host
# wildcards and negation, %h/%p/%r/%u tokens, a Match that must not run, a
# chain of three ProxyJumps to four real sshds, one of them accept-new)
# becomes an INI that "jumpgate check" accepts and "jumpgate run" runs:
# 16 MiB with checksums through a LocalForward at the end of the chain
# (and 4 MiB through an [::1]:port one where there is IPv6 loopback),
# each sshd forwarding to the next. What ssh -G resolves for the hosts
# agrees with the INI. A DynamicForward is written as a socks tunnel that
# check refuses, naming the line, until its allow-list is filled in.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/jumpgate.sh"
jg_setup

jg_keygen user
jg_sshd_start jump1
jg_sshd_start jump2
jg_sshd_start jump3
jg_sshd_start db
jg_echo_start target

# The developer's ~/.ssh: a key named after the user, known_hosts for
# three of the four servers (jump3 is accept-new: learned on first use).
export HOME=$JG_DIR/home
mkdir -m 700 "$HOME" "$HOME/.ssh" "$HOME/.ssh/conf.d"
cp "$USER_KEY" "$HOME/.ssh/id_$JG_USER"
chmod 600 "$HOME/.ssh/id_$JG_USER"
kh=$HOME/.ssh/known_hosts_$JG_USER
for s in jump1 jump2 db; do
	jg_known_hosts "$s" "$kh"
done
chmod 600 "$kh"
lport=$(jg_free_port)
dport=$(jg_free_port)

cfg=$HOME/.ssh/config
cat >"$cfg" <<EOF
# The chain: jump1 -> jump2 -> jump3 -> db.
Include conf.d/*.conf

Match host db exec "touch $JG_DIR/match-ran"
    User nobody

Host db
    ProxyJump jump2,jump3
    LocalForward 127.0.0.1:$lport $TARGET_ADDR:$TARGET_PORT
    StrictHostKeyChecking=yes
    ForwardAgent yes

Host jump* !jump3
    StrictHostKeyChecking yes

Host jump3
    StrictHostKeyChecking accept-new

Host *
    HostName 127.0.0.1
    User $JG_USER
    IdentityFile "~/.ssh/id_%r"
    UserKnownHostsFile ~/.ssh/known_hosts_%u
    IdentityFile ~/.ssh/%h-%p.key
EOF
cat >"$HOME/.ssh/conf.d/10-ports.conf" <<EOF
Host jump1
    Port $JUMP1_PORT
Host jump2
    Port $JUMP2_PORT
    ProxyJump jump1
Host jump3
    Port $JUMP3_PORT
Host db
    Port $DB_PORT
EOF
# An IPv6 [addr]:port forward, where this machine has ::1.
v6port=
if python3 -c 'import socket; s = socket.socket(socket.AF_INET6); s.bind(("::1", 0))' 2>/dev/null; then
	v6port=$(jg_free_port)
	printf 'Host db\n    LocalForward [::1]:%s %s:%s\n' "$v6port" \
	    "$TARGET_ADDR" "$TARGET_PORT" >>"$HOME/.ssh/conf.d/10-ports.conf"
fi
cat >"$HOME/.ssh/conf.d/20-socks.conf" <<EOF
Host socks
    HostName 127.0.0.1
    Port $DB_PORT
    DynamicForward $dport
EOF
chmod 600 "$cfg" "$HOME"/.ssh/conf.d/*.conf

ini=$JG_DIR/imported.ini
"$JUMPGATE" import --ssh-config "$cfg" db >"$ini" 2>"$JG_DIR/import.err" ||
    jg_fail "import failed: $(cat "$JG_DIR/import.err")"
[[ ! -s $JG_DIR/import.err ]] || jg_fail "import wrote errors: $(cat "$JG_DIR/import.err")"
[[ ! -e $JG_DIR/match-ran ]] || jg_fail "import ran a Match exec command"
grep -q "^; not mapped: $cfg:4: Match host db exec" "$ini" ||
    jg_fail "the Match line is not reported with its file and line: $(cat "$ini")"
grep -q "^; not mapped: $cfg:11: ForwardAgent yes" "$ini" ||
    jg_fail "ForwardAgent is not reported as not mapped"
for h in jump1 jump2 jump3 db; do
	grep -q "^\[hop $h\]$" "$ini" || jg_fail "no [hop $h] in: $(cat "$ini")"
done
vias=$(awk '/^\[/{h=""} /^\[hop /{h=$2} h != "" && /^via = /{print h $3}' "$ini" | tr -d ']' | tr '\n' ' ')
[[ $vias == "jump2jump1 jump3jump2 dbjump3 " ]] ||
    jg_fail "hops are not chained jump1 -> jump2 -> jump3 -> db: $vias"
grep -A9 '^\[hop jump3\]' "$ini" | grep -q '^host_key_policy = tofu$' ||
    jg_fail "accept-new did not become tofu"
grep -q "^identity = $HOME/.ssh/id_$JG_USER$" "$ini" ||
    jg_fail "IdentityFile ~/.ssh/id_%r was not expanded"
grep -q "^; not mapped: $cfg:[0-9]*: IdentityFile $HOME/.ssh/127.0.0.1-$DB_PORT.key (" "$ini" ||
    jg_fail "IdentityFile ~/.ssh/%h-%p.key was not expanded for db"
jg_pass "imported: 4 hops chained through 3 ProxyJumps, Match and ForwardAgent noted with FILE:LINE, no command run"

out=$("$JUMPGATE" check "$ini" 2>&1) || jg_fail "check of the imported file failed: $out"
jg_pass "check: ${out#"$JG_DIR/"}"

# Cross-check with OpenSSH's own resolution, when ssh is installed. ssh -G
# runs Match exec commands (why import does not use it): compare on a copy
# without the Match block, which import notes as not applied.
if command -v ssh >/dev/null; then
	nomatch=$HOME/.ssh/config-nomatch
	sed '4,5d' "$cfg" >"$nomatch"
	for h in jump1 jump2 jump3 db; do
		g=$(ssh -F "$nomatch" -G "$h" 2>/dev/null | grep -E '^(hostname|port|user) ' | sort | tr '\n' ' ')
		mine=$(awk -v h="[hop $h]" '$0==h{on=1;next} /^\[/{on=0} on && /^(host|port|user) = /{print}' "$ini")
		port=$(awk '$1=="port"{print $3}' <<<"$mine")
		want="hostname $(awk '$1=="host"{print $3}' <<<"$mine") port ${port:-22} user $(awk '$1=="user"{print $3}' <<<"$mine") "
		[[ $g == "$want" ]] || jg_fail "ssh -G $h says '$g', the INI '$want'"
	done
	jg_pass "ssh -G agrees on hostname, port and user of the four hosts"
else
	jg_note "ssh not installed: no cross-check with ssh -G"
fi

log=$JG_DIR/jumpgate.log
jg_jumpgate_start "$ini" "$log"
jg_wait_port "$lport" 20 "$JUMPGATE_PID"
out=$("$JGT" client --connect "127.0.0.1:$lport" --bytes 16M --timeout 120) ||
    jg_fail "16 MiB through the imported chain failed: $out"
jg_pass "run: $out"
if [[ -n $v6port ]]; then
	grep -q "^listen = \[::1\]:$v6port$" "$ini" || jg_fail "no [::1]:$v6port listener in the INI"
	out=$("$JGT" client --connect "[::1]:$v6port" --bytes 4M --timeout 60) ||
	    jg_fail "4 MiB through the [::1] forward failed: $out"
	jg_pass "IPv6 [::1]:$v6port forward: $out"
else
	jg_note "no IPv6 loopback: the [::1] forward is not tried"
fi
grep -q "server_request_direct_tcpip: .*target 127.0.0.1 port $JUMP2_PORT" "$JUMP1_LOG" ||
    jg_fail "jump1 did not forward to jump2"
grep -q "server_request_direct_tcpip: .*target 127.0.0.1 port $JUMP3_PORT" "$JUMP2_LOG" ||
    jg_fail "jump2 did not forward to jump3"
grep -q "server_request_direct_tcpip: .*target 127.0.0.1 port $DB_PORT" "$JUMP3_LOG" ||
    jg_fail "jump3 did not forward to db"
grep -q "server_request_direct_tcpip: .*target $TARGET_ADDR port $TARGET_PORT" "$DB_LOG" ||
    jg_fail "db did not forward to the target"
grep -q "^\[127.0.0.1\]:$JUMP3_PORT " "$kh" ||
    jg_fail "jump3's key was not recorded on first use (accept-new -> tofu)"
jg_pass "sshd logs show jump1 -> jump2 -> jump3 -> db -> target; jump3's key learned on first use"
jg_jumpgate_stop "$log"

# A DynamicForward: a socks tunnel that check refuses until allow is set.
socks=$JG_DIR/socks.ini
"$JUMPGATE" import --ssh-config "$cfg" socks >"$socks" ||
    jg_fail "import of the DynamicForward host failed"
grep -q '^type = socks$' "$socks" || jg_fail "no socks tunnel: $(cat "$socks")"
grep -q '^; allow = REQUIRED' "$socks" || jg_fail "no allow placeholder"
line=$(grep -n '^type = socks$' "$socks" | cut -d: -f1)
if out=$("$JUMPGATE" check "$socks" 2>&1); then
	jg_fail "check accepted a socks tunnel without allow: $out"
fi
# Without SOCKS tunnels: the type is refused at its line; with them: the
# missing allow-list.
grep -Eq "^$socks:($line: unknown type 'socks'|[0-9]+: .*allow)" <<<"$out" ||
    jg_fail "check's refusal does not name the line and the socks tunnel: $out"
jg_pass "DynamicForward -> socks tunnel that check refuses: $(grep -E "socks'|allow" <<<"$out" | head -1 | sed "s|$JG_DIR/||")"

# Bad input: an error with FILE:LINE, nothing written.
bad=$HOME/.ssh/bad.conf
printf 'Host x\n    Port 99999\n' >"$bad"
chmod 600 "$bad"
if out=$("$JUMPGATE" import --ssh-config "$bad" x 2>&1 >/dev/null); then
	jg_fail "import accepted Port 99999"
fi
grep -q "^$bad:2: Port '99999': expected a number from 1 to 65535" <<<"$out" ||
    jg_fail "unexpected error for a bad port: $out"
chmod 666 "$bad"
if out=$("$JUMPGATE" import --ssh-config "$bad" x 2>&1 >/dev/null); then
	jg_fail "import read a file others can write"
fi
grep -q "bad owner or permissions" <<<"$out" || jg_fail "unexpected error: $out"
jg_pass "bad port and a world-writable file refused with FILE:LINE"

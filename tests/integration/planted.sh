#!/usr/bin/env bash
# Files written where another local user (nobody) can plant links: a tofu
# known_hosts and a pidfile in a sticky world-writable directory (like
# /tmp) are not written through nobody's symbolic links (the file they name
# keeps its content, owner and mode, and jumpgate names what it refused); a
# pidfile is 0644 whatever the umask; a control socket directory that others
# can write or that another user owns is refused; a socket of another user's
# where ours should be neither stops jumpgate from starting nor answers
# `jumpgate status`.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/jumpgate.sh"
jg_setup

if [[ $(id -u) != 0 ]] || ! id nobody >/dev/null 2>&1; then
	jg_note "needs root and a user nobody"
	exit 77
fi

# Run a command as user nobody, without our groups.
as_nobody() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"
}

# Content hash, owner and mode of FILE, to compare before and after.
snapshot() {
	printf '%s %s\n' "$(stat -c '%U:%G %a %F' "$1")" \
	    "$(sha256sum <"$1" | cut -d' ' -f1)"
}

chmod 711 "$JG_DIR"
shared=$JG_DIR/shared		# like /tmp
mkdir -m 1777 "$shared"
chmod 1777 "$shared"
nb=$JG_DIR/nobody		# nobody's own directory
mkdir -m 755 "$nb"
chown nobody:nogroup "$nb"
victim=$nb/victim
as_nobody sh -c "printf 'precious\n' >'$victim' && chmod 644 '$victim'"
before=$(snapshot "$victim")

jg_keygen user
jg_sshd_start bastion
jg_echo_start target

# 1. tofu: nobody links $shared/known_hosts to the victim. jumpgate refuses
# the key (it cannot record it) instead of rewriting the victim.
kh=$shared/known_hosts
as_nobody ln -s "$victim" "$kh"
cfg=$JG_DIR/tofu.ini
log=$JG_DIR/tofu.log
jg_config "$cfg" h bastion user "known_hosts = $kh" "host_key_policy = tofu"
jg_try_tunnel "$cfg" "$log" refused
[[ $(snapshot "$victim") == "$before" ]] ||
    jg_fail "tofu wrote through nobody's link: $(snapshot "$victim") (was $before)"
[[ -L $kh ]] || jg_fail "the link $kh was replaced"
grep -q "recording the key failed: refusing to write $kh: $kh is a symbolic link of uid 65534 (nobody) in $shared (mode 1777), which other users can write" "$log" ||
    jg_fail "the refusal does not say what it refused: $(grep -i refus "$log" | head -3)"
jg_pass "tofu: nobody's link $kh -> $victim refused, victim unchanged ($before)"

# tofu still records into a file of ours in the same directory.
kh2=$shared/mine_known_hosts
jg_config "$cfg" h bastion user "known_hosts = $kh2" "host_key_policy = tofu"
jg_try_tunnel "$cfg" "$JG_DIR/tofu2.log" ok
[[ $(stat -c '%U %a' "$kh2") == "root 600" ]] ||
    jg_fail "tofu file $kh2 is $(stat -c '%U %a' "$kh2")"
jg_pass "tofu: a new file of ours in the sticky directory is recorded, 0600"

# 2. pidfile: nobody links $shared/jumpgate.pid to the victim. run -d
# refuses before detaching, on stderr.
port=$(jg_free_port)
cfg=$JG_DIR/pid.ini
pidfile=$shared/jumpgate.pid
as_nobody ln -s "$victim" "$pidfile"
jg_config "$cfg" h bastion user \
    "host_key = $(jg_fingerprint "$BASTION_HOSTKEY_ED25519")"
jg_config_tunnel "$cfg" t "$port" "127.0.0.1:$TARGET_PORT" h
sed -i "s|^log_level = info|log_level = info\npidfile = $pidfile|" "$cfg"
if out=$("$JUMPGATE" run -d "$cfg" 2>&1); then
	# The old code detached: stop what it started.
	sleep 1
	pid=$(sed -n 1p "$victim" 2>/dev/null || true)
	[[ $pid =~ ^[0-9]+$ ]] && kill "$pid" 2>/dev/null
	jg_fail "run -d started with nobody's link as pidfile; victim now $(snapshot "$victim")"
fi
[[ $(snapshot "$victim") == "$before" ]] ||
    jg_fail "the pidfile was written through nobody's link: $(snapshot "$victim")"
[[ $out == *"refusing to write pidfile $pidfile: $pidfile is a symbolic link of uid 65534 (nobody) in $shared (mode 1777)"* ]] ||
    jg_fail "run -d did not say what it refused: $out"
jg_pass "pidfile: nobody's link refused before detaching ($(grep -o 'refusing.*' <<<"$out"))"

# A pidfile of ours is 0644 even under umask 000.
pidfile=$JG_DIR/own.pid
sed -i "s|^pidfile = .*|pidfile = $pidfile|" "$cfg"
(umask 000 && "$JUMPGATE" run -d "$cfg") || jg_fail "run -d failed"
for ((i = 0; i < 50; i++)); do grep -q '^[0-9]' "$pidfile" && break; sleep 0.1; done
pid=$(cat "$pidfile")
kill -0 "$pid" || jg_fail "no process $pid from the pidfile"
mode=$(stat -c %a "$pidfile")
kill -TERM "$pid"
for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
[[ $mode == 644 ]] || jg_fail "pidfile mode $mode under umask 000"
[[ ! -e $pidfile ]] || jg_fail "the pidfile was left behind"
jg_pass "pidfile: mode 644 under umask 000, removed at exit"

# 3. Control socket directories: one that others can write, or that
# nobody owns (with nobody's listener answering "pong" in it), is refused
# with its mode and owner; jumpgate does not take it for a running instance.
cfg=$JG_DIR/ctl.ini
jg_config "$cfg" h bastion user \
    "host_key = $(jg_fingerprint "$BASTION_HOSTKEY_ED25519")"
jg_config_tunnel "$cfg" t "$(jg_free_port)" "127.0.0.1:$TARGET_PORT" h
ctldir=$JG_DIR/ctl
mkdir -m 777 "$ctldir"
chmod 777 "$ctldir"
sed -i "s|^log_level = info|log_level = info\ncontrol_socket = $ctldir/x.sock|" "$cfg"
if out=$(timeout 10 "$JUMPGATE" run "$cfg" 2>&1); then
	jg_fail "run used a control socket directory of mode 0777: $out"
fi
[[ $out == *"refusing control socket directory $ctldir: it is mode 0777"*"chmod 700 $ctldir"* ]] ||
    jg_fail "run did not refuse the 0777 directory clearly: $out"
jg_pass "control socket: a 0777 directory is refused"

as_nobody mkdir -m 755 "$nb/ctl"
jg_bg "$JG_DIR/fake.log" as_nobody socat "UNIX-LISTEN:$nb/ctl/x.sock,fork" \
    "EXEC:/bin/echo pong" >/dev/null
fake=$JG_LAST_PID
for ((i = 0; i < 50; i++)); do [[ -S $nb/ctl/x.sock ]] && break; sleep 0.1; done
sed -i "s|^control_socket = .*|control_socket = $nb/ctl/x.sock|" "$cfg"
if out=$(timeout 10 "$JUMPGATE" run "$cfg" 2>&1); then
	jg_fail "run used nobody's directory for its control socket: $out"
fi
[[ $out == *"refusing control socket directory $nb/ctl: $nb belongs to uid 65534 (nobody), not to root: its owner can replace anything in it"* ]] ||
    jg_fail "run did not refuse nobody's directory clearly: $out"
jg_pass "control socket: nobody's directory is refused, not taken for a running jumpgate"

# 4. A socket of nobody's where ours belongs (moved in by root, as only
# root could): `status` does not believe it, and run replaces it.
sock=$XDG_RUNTIME_DIR/jumpgate/ctl.sock
sed -i '/^control_socket = /d' "$cfg"
mkdir -p "$XDG_RUNTIME_DIR/jumpgate"
mv "$nb/ctl/x.sock" "$sock"
if out=$("$JUMPGATE" status "$cfg" 2>&1); then
	jg_fail "status believed nobody's socket: $out"
fi
[[ $out == *"the process answering on $sock runs as uid 65534, not as you (uid 0) or root: refusing to talk to it"* ]] ||
    jg_fail "status did not say why it refused nobody's socket: $out"
jg_pass "status: an answer from nobody's process is refused ($out)"
log=$JG_DIR/ctl.log
jg_jumpgate_start "$cfg" "$log"
[[ $(stat -c '%U %a %F' "$sock") == "root 600 socket" ]] ||
    jg_fail "control socket is $(stat -c '%U %a %F' "$sock")"
out=$("$JUMPGATE" status "$cfg") || jg_fail "status failed: $out"
[[ $out == *listening* ]] || jg_fail "unexpected status: $out"
jg_jumpgate_stop "$log"
jg_stop "$fake"
jg_pass "run: nobody's socket in our directory was not taken for a running instance"

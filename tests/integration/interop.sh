#!/usr/bin/env bash
# Interoperability across rekeys: every cipher/MAC pair jumpgate allows (as
# "jumpgate check" lists them; the AEAD ciphers chacha20-poly1305 and
# aes*-gcm pair with no MAC, the others with every allowed MAC, -etm
# included) carries JG_INTEROP_BYTES (default 8M) each way through a
# tunnel, one jumpgate per pair, with SHA-256 compared by jgt, to:
#
# - OpenSSH sshd with RekeyLimit 1M: its debug log must show one session
#   whose every key exchange (the first and each rekey) chose exactly that
#   cipher and MAC both ways, and at least one rekey per 2 MiB each way
#   (sshd makes about two);
# - Dropbear (Debian 12's 2022.83, on 127.0.0.1 with host keys made here by
#   dropbearkey, the test's key in authorized_keys): the pairs it offers
#   (its list as probe prints it; 2022.83 has chacha20-poly1305,
#   aes128-ctr and aes256-ctr, hmac-sha1 and hmac-sha2-256) must negotiate
#   that pair (the hop's debug log; Dropbear logs no key exchange). The
#   others are listed as not offered. Dropbear starts a rekey only after
#   1 GiB sent plus received (KEX_REKEY_DATA, compile time) or 8 hours,
#   and libssh2 never starts one, so at 8M no rekey happens with Dropbear.
#
# With JG_INTEROP_DROPBEAR_REKEY_BYTES (scripts/interop sets 1G) gdb counts
# the rekeys inside jumpgate: a breakpoint that never stops, on libssh2's
# curve25519 key generation (once per key exchange), set once the hop is
# ready. Its count must equal sshd's on one OpenSSH pair first; then it
# counts the Dropbear pairs and the first Dropbear pair carries that many
# bytes each way, which must rekey at least once.
#
# A pair that negotiates anything else, a checksum that differs or an
# OpenSSH session with too few rekeys fails the test. The last lines are a
# table of the pairs: bytes each way, seconds, rekeys.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/jumpgate.sh"
jg_setup

bytes=${JG_INTEROP_BYTES:-8M}
db_rekey_bytes=${JG_INTEROP_DROPBEAR_REKEY_BYTES:-}

command -v dropbear >/dev/null || PATH=$PATH:/usr/sbin
if ! command -v dropbear >/dev/null || ! command -v dropbearkey >/dev/null; then
	jg_fail "dropbear not found: install Debian package dropbear-bin (scripts/install-deps)"
fi
[[ $(id -u) == 0 && $JG_USER == root ]] ||
    jg_fail "interop.sh runs as root (dropbear reads root's authorized_keys)"
if [[ -n $db_rekey_bytes ]]; then
	command -v gdb >/dev/null ||
	    jg_fail "gdb not found (counts Dropbear's rekeys): install Debian package gdb (scripts/install-deps)"
fi

# Print N (jgt's size syntax: 8M, 1G, 4096) in bytes.
size_bytes() {
	local n=${1%[KMGkmg]} m=1
	case $1 in
	*[Kk]) m=1024 ;;
	*[Mm]) m=$((1024 * 1024)) ;;
	*[Gg]) m=$((1024 * 1024 * 1024)) ;;
	esac
	[[ $n =~ ^[0-9]+$ ]] || jg_fail "not a size: '$1'"
	echo $((n * m))
}

# The lists jumpgate allows, from its own error for an unknown name.
printf '[hop h]\nhost = 127.0.0.1\nuser = u\nhost_key_policy = insecure\nciphers = x\nmacs = x\n' \
    >"$JG_DIR/lists.ini"
"$JUMPGATE" check "$JG_DIR/lists.ini" >"$JG_DIR/lists.out" 2>&1 || true
ciphers=$(sed -n 's/.*ciphers: unknown cipher.*use some of \([^ ]*\), or leave.*/\1/p' "$JG_DIR/lists.out")
macs=$(sed -n 's/.*macs: unknown MAC.*use some of \([^ ]*\), or leave.*/\1/p' "$JG_DIR/lists.out")
[[ -n $ciphers && -n $macs ]] ||
    jg_fail "cannot read the allowed ciphers and MACs from: $(cat "$JG_DIR/lists.out")"
pairs=()
for c in ${ciphers//,/ }; do
	case $c in
	chacha20-poly1305@openssh.com | *-gcm@openssh.com)
		pairs+=("$c/")
		;;
	*)
		for m in ${macs//,/ }; do
			pairs+=("$c/$m")
		done
		;;
	esac
done
jg_note "ciphers $ciphers; MACs $macs: ${#pairs[@]} pairs, $bytes each way"

jg_keygen ed
jg_echo_start target
jg_sshd_start openssh "LogLevel DEBUG" "RekeyLimit 1M"

# Dropbear in a mount namespace whose /root is the test's own directory
# (it reads the user's ~/.ssh/authorized_keys and takes no other path).
dropbearkey -t ed25519 -f "$JG_DIR/dropbear_ed25519" >"$JG_DIR/dropbearkey.out" 2>&1 ||
    jg_fail "dropbearkey failed: $(cat "$JG_DIR/dropbearkey.out")"
grep '^ssh-ed25519 ' "$JG_DIR/dropbearkey.out" >"$JG_DIR/dropbear_ed25519.pub"
dbport=$(jg_free_port)
# -W: a 2 MiB receive window, as jumpgate's own (the default 24 KiB
# crawls); -s: no passwords.
jg_bg_with_home dropbear.log dropbear dropbear -F -E -s -W 2097152 \
    -p "127.0.0.1:$dbport" -r "$JG_DIR/dropbear_ed25519" \
    -P "$JG_DIR/dropbear.pid" >/dev/null
jg_wait_port "$dbport" 10
"$JUMPGATE" probe "127.0.0.1:$dbport" >"$JG_DIR/probe-dropbear.out" ||
    jg_fail "probe of dropbear: $(cat "$JG_DIR/probe-dropbear.out")"
jg_note "dropbear on 127.0.0.1:$dbport: $(head -1 "$JG_DIR/probe-dropbear.out" | cut -d' ' -f3)"

# Succeed if the probed server offers NAME in both directions of LIST
# (encryption or mac).
dropbear_offers() {
	local list=$1 name=$2 dir v
	for dir in client_to_server server_to_client; do
		v=$(sed -n "s/^${list}_algorithms_${dir} = //p" "$JG_DIR/probe-dropbear.out")
		[[ ,$v, == *,"$name",* ]] || return 1
	done
}

# Lines of FILE after the first SKIP.
after() {
	tail -n "+$(($2 + 1))" "$1"
}

# Start a gdb that counts libssh2's curve25519 key generations (one per
# key exchange) in jumpgate PID without stopping it, from now on (the
# hop's first key exchange is done: what it counts are rekeys); sets
# GDB_PID, GDB_OUT.
kex_counter_start() {
	local pid=$1 name=$2
	GDB_OUT=$JG_DIR/gdb-$name.out
	printf '%s\n' 'set pagination off' 'set confirm off' \
	    'break _libssh2_curve25519_new' 'ignore 1 100000000' \
	    'echo counting\n' 'continue' 'info breakpoints' \
	    >"$JG_DIR/gdb-$name.cmd"
	gdb -q -batch -nx -p "$pid" -x "$JG_DIR/gdb-$name.cmd" \
	    >"$GDB_OUT" 2>&1 </dev/null &
	GDB_PID=$!
	jg__register "$GDB_PID" "$GDB_OUT" gdb
	jg_wait_log "$GDB_OUT" '^counting$' 30 "$GDB_PID"
	grep -q '^Breakpoint 1 at ' "$GDB_OUT" ||
	    jg_fail "gdb could not set its breakpoint (is libssh2 the bundled one?): $(cat "$GDB_OUT")"
}

# Wait for the gdb of kex_counter_start (jumpgate has exited) and set
# GDB_REKEYS to how many key exchanges it counted.
kex_counter_end() {
	jg_wait_log "$GDB_OUT" '^Num +Type' 30
	wait "$GDB_PID" || true
	jg__unregister "$GDB_PID"
	GDB_REKEYS=$(sed -n 's/.*breakpoint already hit \([0-9]*\) time.*/\1/p' "$GDB_OUT")
	[[ -n $GDB_REKEYS ]] || GDB_REKEYS=0
}

table=()

# Run one pair through a fresh jumpgate: run_pair SERVER CIPHER MAC BYTES
# [count]. SERVER is openssh or dropbear; MAC empty for AEAD ciphers.
# With "count", gdb counts the rekeys in jumpgate. Sets REKEYS (seen in
# sshd's log, or counted by gdb for Dropbear; "-" when nothing counted
# them) and GDB_REKEYS (gdb's count).
run_pair() {
	local server=$1 cipher=$2 mac=$3 size=$4 count=${5:-}
	local name cfg log port hostkey out skip=0 secs t0 timeout n want listen
	local cs sc total bad min
	name=$server-${cipher%@*}${mac:+-${mac%@*}}${count:+-$count}
	cfg=$JG_DIR/$name.ini
	log=$JG_DIR/$name.log
	if [[ $server == openssh ]]; then
		port=$OPENSSH_PORT
		hostkey=$OPENSSH_HOSTKEY_ED25519
		skip=$(wc -l <"$OPENSSH_LOG")
	else
		port=$dbport
		hostkey=$JG_DIR/dropbear_ed25519.pub
	fi
	{
		printf '[jumpgate]\nlog_level = debug\n\n'
		printf '[hop h]\nhost = 127.0.0.1\nport = %s\nuser = %s\n' \
		    "$port" "$JG_USER"
		printf 'identity = %s\nhost_key = %s\n' "$ED_KEY" \
		    "$(jg_fingerprint "$hostkey")"
		printf 'kex = curve25519-sha256\nciphers = %s\n' "$cipher"
		if [[ -n $mac ]]; then
			printf 'macs = %s\n' "$mac"
		fi
		printf 'lazy = no\n\n'
	} >"$cfg"
	listen=$(jg_free_port)
	jg_config_tunnel "$cfg" t "$listen" "127.0.0.1:$TARGET_PORT" h
	jg_jumpgate_start "$cfg" "$log"
	jg_wait_log "$log" 'hop h: ready' 20 "$JUMPGATE_PID"
	GDB_REKEYS=
	if [[ -n $count ]]; then
		kex_counter_start "$JUMPGATE_PID" "$name"
	fi
	jg_wait_port "$listen" 10 "$JUMPGATE_PID"
	timeout=$((120 + $(size_bytes "$size") / 1000000))
	t0=${EPOCHREALTIME/[.,]/}
	out=$("$JGT" client --connect "127.0.0.1:$listen" --bytes "$size" \
	    --timeout "$timeout" 2>&1) ||
	    jg_fail "$name: $out"
	secs=$(((${EPOCHREALTIME/[.,]/} - t0) / 10000))
	secs=$((secs / 100)).$(printf '%02d' $((secs % 100)))
	[[ $out == *"checksums match"* ]] || jg_fail "$name: $out"
	jg_jumpgate_stop "$log"
	if [[ -n $count ]]; then
		kex_counter_end
	fi

	# What the hop negotiated (jumpgate's side).
	want="ciphers $cipher / $cipher"
	if [[ -n $mac ]]; then
		want+=", MACs $mac / $mac"
	fi
	grep -qF "hop h: negotiated kex curve25519-sha256, host key ssh-ed25519, $want" "$log" ||
	    jg_fail "$name: jumpgate did not negotiate $want: $(grep -o 'negotiated.*' "$log")"
	[[ $(jg_count "$log" 'hop h: negotiated') -eq 1 ]] ||
	    jg_fail "$name: the hop connected more than once: $(grep 'hop h' "$log" | tail -5)"

	REKEYS=-
	if [[ $server == openssh ]]; then
		# Every key exchange of the one session, both ways.
		after "$OPENSSH_LOG" "$skip" >"$JG_DIR/$name.sshd.log"
		n=$(jg_count "$JG_DIR/$name.sshd.log" 'Accepted publickey for ')
		[[ $n -eq 1 ]] || jg_fail "$name: $n sessions in sshd's log, not 1"
		cs=$(jg_count "$JG_DIR/$name.sshd.log" 'kex: client->server cipher: ')
		sc=$(jg_count "$JG_DIR/$name.sshd.log" 'kex: server->client cipher: ')
		want="cipher: $cipher MAC: ${mac:-<implicit>} compression: none"
		bad=$(grep -E 'kex: (client->server|server->client) cipher: ' \
		    "$JG_DIR/$name.sshd.log" | grep -vF "$want" || true)
		[[ -z $bad ]] ||
		    jg_fail "$name: sshd chose something else than '$want': $(head -3 <<<"$bad")"
		[[ $cs -eq $sc ]] ||
		    jg_fail "$name: sshd logged $cs client->server and $sc server->client choices"
		total=$(jg_count "$JG_DIR/$name.sshd.log" 'SSH2_MSG_NEWKEYS received')
		[[ $total -eq $cs ]] ||
		    jg_fail "$name: sshd logged $cs key exchanges but $total NEWKEYS received"
		# About one rekey per MiB each way is what sshd does; ask for
		# half of one per MiB, and at least one.
		min=$(($(size_bytes "$size") / 2097152))
		((min >= 1)) || min=1
		((cs - 1 >= min)) ||
		    jg_fail "$name: $((cs - 1)) rekeys in sshd's log with RekeyLimit 1M after $size each way, expected at least $min"
		REKEYS=$((cs - 1))
		if [[ -n $GDB_REKEYS && $GDB_REKEYS != $((cs - 1)) ]]; then
			jg_fail "$name: gdb counted $GDB_REKEYS rekeys in jumpgate, sshd $((cs - 1)) ($(tail -3 "$GDB_OUT"))"
		fi
	elif [[ -n $GDB_REKEYS ]]; then
		REKEYS=$GDB_REKEYS
	fi
	table+=("$(printf '%-9s %-30s %-30s %6s %8s %7s' "$server" "$cipher" \
	    "${mac:--}" "$size" "$secs" "$REKEYS")")
	jg_pass "$name: $size each way, checksums match, $secs s, $want, rekeys: $REKEYS"
}

for p in "${pairs[@]}"; do
	run_pair openssh "${p%%/*}" "${p#*/}" "$bytes"
done

count=
if [[ -n $db_rekey_bytes ]]; then
	# The gdb counter must agree with sshd's log.
	p=${pairs[0]}
	run_pair openssh "${p%%/*}" "${p#*/}" 16M count
	jg_pass "gdb's rekey count agrees with sshd's log ($GDB_REKEYS)"
	count=count
fi

dbpairs=()
for p in "${pairs[@]}"; do
	c=${p%%/*}
	m=${p#*/}
	if ! dropbear_offers encryption "$c" ||
	    { [[ -n $m ]] && ! dropbear_offers mac "$m"; }; then
		table+=("$(printf '%-9s %-30s %-30s %s' dropbear "$c" "${m:--}" \
		    'not offered by this dropbear')")
		continue
	fi
	dbpairs+=("$p")
	run_pair dropbear "$c" "$m" "$bytes" $count
done
((${#dbpairs[@]} > 0)) || jg_fail "dropbear offers none of the pairs"

if [[ -n $db_rekey_bytes ]]; then
	# Dropbear rekeys after 1 GiB sent plus received.
	p=${dbpairs[0]}
	run_pair dropbear "${p%%/*}" "${p#*/}" "$db_rekey_bytes" long
	((GDB_REKEYS >= 1)) ||
	    jg_fail "dropbear: no rekey after $db_rekey_bytes each way"
fi

jg_note "server    cipher                         MAC                              bytes  seconds  rekeys"
for line in "${table[@]}"; do
	jg_note "$line"
done

# shellcheck shell=bash
#
# lib.sh: helpers for jumpgate's integration tests. Source it, then call
# jg_setup. Safe under "set -euo pipefail".
#
# Environment (set by "make check"; defaults for running by hand):
#   JUMPGATE      the daemon ($JG_BUILDDIR/src/jumpgate)
#   JGT           the test tool ($JG_BUILDDIR/tests/tools/jgt)
#   SSHD          sshd to run (empty: /usr/sbin/sshd)
#   TESTS_SRCDIR  the tests source directory
#   JG_BUILDDIR   build tree used for the defaults (the source tree)
#   JG_KEEP=1     keep the work directory
#   JG_LOG_LINES  lines of each log shown on failure (40)
#   JG_SSHD_USEPAM  UsePAM of the test sshds (no); a non-root sshd with
#                 UsePAM no may refuse the user as "locked": set it to yes
#   JG_NETNS      jg_topology: 0 forces loopback mode, 1 requires network
#                 namespaces (exit 99 without them); unset: namespaces if
#                 they can be made, else loopback mode
#   JG_HOST=K     run jg_sshd_start / jg_echo_start inside host K of
#                 jg_topology (listening on JG_HOSTK_ADDR), or probe from
#                 there (jg_reachable); unset: the root namespace, 127.0.0.1
#
# Functions:
#   jg_setup                      work dir, cleanup trap, checks (exit 99)
#   jg_keygen NAME [TYPE]         user key; exports NAME_KEY, NAME_PUB
#   jg_sshd_start NAME [LINE...]  sshd; exports NAME_ADDR, NAME_PORT,
#                                 NAME_LOG, NAME_PID, NAME_HOSTKEY_ED25519,
#                                 NAME_HOSTKEY_ECDSA, NAME_CONFIG, NAME_DIR
#   jg_cpu_hog                    a busy loop per core until the test ends
#   jg_sshd_stop NAME             stop it and its session processes
#   jg_sshd_restart NAME          stop, start again (same host, address,
#                                 port, keys)
#   jg_sshd_rekey NAME            new host keys (restarts it if running)
#   jg_known_hosts NAME [FILE]    known_hosts lines for NAME's host keys
#   jg_fingerprint PUBFILE        prints SHA256:...
#   jg_echo_start NAME [ARG...]   jgt echo-server; exports NAME_ADDR,
#                                 NAME_PORT, NAME_PID, NAME_LOG
#   jg_topology N                 N hosts (1..4): a chain of network
#                                 namespaces, host 1 reachable from here,
#                                 host K+1 only from host K; exports
#                                 JG_NETNS_MODE (netns or loopback),
#                                 JG_HOSTS=N and for each host K
#                                 JG_HOSTK_NS, JG_HOSTK_ADDR (where its
#                                 servers listen) and JG_HOSTK_PEER (host
#                                 K-1's address on the same link); all
#                                 removed at exit
#   jg_host_exec K CMD...         run CMD inside host K (no shell
#                                 functions; directly in loopback mode)
#   jg_reachable ADDR PORT        a TCP connect works within 2 s (from the
#                                 root namespace, or from host $JG_HOST)
#   jg_bg LOGFILE CMD...          background process, killed at exit;
#                                 prints the pid (also in JG_LAST_PID
#                                 unless called in $(...))
#   jg_stop PID                   stop a jg_bg process and its children
#   jg_wait_log FILE REGEX SECS [PID]
#                                 wait for a matching line (stop early if
#                                 PID exits)
#   jg_wait_port PORT SECS [PID]  wait until 127.0.0.1:PORT accepts
#   jg_free_port                  prints a free port
#   jg_note / jg_pass / jg_fail MSG
#
# NAME is an identifier; variables are exported with NAME upper-cased
# (jg_sshd_start bastion: BASTION_PORT) and, when that differs, also with
# NAME as given (bastion_PORT).

JG_TEST=${JG_TEST:-$(basename "${0%.sh}")}
JG__LIBDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
JG__T0=${EPOCHREALTIME/[.,]/}
: "${JG_BUILDDIR:=$JG__LIBDIR/../..}"
: "${TESTS_SRCDIR:=$JG__LIBDIR/..}"
: "${JGT:=$JG_BUILDDIR/tests/tools/jgt}"
: "${JUMPGATE:=$JG_BUILDDIR/src/jumpgate}"
: "${SSHD:=}"
if [[ -z $SSHD ]]; then
	SSHD=/usr/sbin/sshd
fi
JG_USER=$(id -un)
JG_DIR=${JG_DIR:-}
export JGT JUMPGATE SSHD TESTS_SRCDIR JG_USER

# Print a prefixed line with the time since the test started.
jg__msg() {
	local level=$1 now e
	shift
	now=${EPOCHREALTIME/[.,]/}
	e=$((now - JG__T0))
	printf '[%s +%d.%03ds] %s: %s\n' "$JG_TEST" $((e / 1000000)) \
	    $((e / 1000 % 1000)) "$level" "$*"
}

# Print a note.
jg_note() {
	jg__msg note "$@"
}

# Print a passed check.
jg_pass() {
	jg__msg PASS "$@"
}

# Print a failure and exit 1 (the exit trap shows the logs).
jg_fail() {
	jg__msg FAIL "$@" >&2
	exit 1
}

# Print a set-up problem and exit 99 (a hard error for automake).
jg__hard_error() {
	jg__msg ERROR "$@" >&2
	exit 99
}

# Make a path absolute.
jg__abspath() {
	case $1 in
	/*) printf '%s\n' "$1" ;;
	*) printf '%s\n' "$PWD/$1" ;;
	esac
}

# Fail unless $1 can be used in variable names.
jg__check_name() {
	if [[ ! $1 =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]]; then
		jg_fail "invalid instance name '$1' (letters, digits, _)"
	fi
}

# Export NAME_SUFFIX=VALUE (upper-cased NAME, and NAME as given).
jg__export() {
	local name=$1 suffix=$2 value=$3 upper=${1^^}
	printf -v "${upper}_${suffix}" '%s' "$value"
	export "${upper}_${suffix}"
	if [[ $name != "$upper" ]]; then
		printf -v "${name}_${suffix}" '%s' "$value"
		export "${name}_${suffix}"
	fi
}

# Set JG__DEADLINE to now plus $1 seconds (fractions allowed).
jg__deadline() {
	local t=$1 int frac=
	int=${t%%.*}
	if [[ $t == *.* ]]; then
		frac=${t#*.}
	fi
	frac=${frac}000000
	frac=${frac:0:6}
	if [[ ! $int =~ ^[0-9]+$ || ! $frac =~ ^[0-9]+$ ]]; then
		jg_fail "invalid timeout '$t'"
	fi
	JG__DEADLINE=$((${EPOCHREALTIME/[.,]/} + int * 1000000 + 10#$frac))
}

# Succeed while the deadline has not passed.
jg__before_deadline() {
	((${EPOCHREALTIME/[.,]/} < JG__DEADLINE))
}

# Print the last lines of a file to stderr.
jg__tail() {
	local file=$1 n=${2:-${JG_LOG_LINES:-40}}
	{
		if [[ -s $file ]]; then
			printf -- '---- last %d lines of %s ----\n' "$n" "$file"
			tail -n "$n" -- "$file"
			printf -- '---- end of %s ----\n' "$file"
		else
			printf -- '---- %s is empty or missing ----\n' "$file"
		fi
	} >&2
}

# Succeed if process $1 exists and is not a zombie.
jg__alive() {
	local line rest
	{ read -r line <"/proc/$1/stat"; } 2>/dev/null || return 1
	rest=${line##*) }
	[[ ${rest:0:1} != Z ]]
}

# Print the given pids and all their descendants.
jg__tree() {
	local -A kids=()
	local f line rest pid ppid
	local -a queue=("$@") out=()

	for f in /proc/[0-9]*/stat; do
		{ read -r line <"$f"; } 2>/dev/null || continue
		pid=${line%% *}
		rest=${line##*) }
		rest=${rest#* }
		ppid=${rest%% *}
		kids[$ppid]+=" $pid"
	done
	while ((${#queue[@]} > 0)); do
		pid=${queue[0]}
		queue=("${queue[@]:1}")
		out+=("$pid")
		for f in ${kids[$pid]:-}; do
			queue+=("$f")
		done
	done
	echo "${out[*]}"
}

# The command line of process $1, or "gone".
jg__cmdline() {
	local cmd
	cmd=$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null) || cmd=
	echo "${cmd:-gone}"
}

# Stop processes and their descendants: TERM, then KILL after 5 s.
jg__stop_pids() {
	local -a all
	local pid left

	(($# > 0)) || return 0
	read -r -a all <<<"$(jg__tree "$@")"
	for pid in "${all[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
		# A stopped process (kill -STOP in a test) acts on TERM only
		# once it runs again.
		kill -CONT "$pid" 2>/dev/null || true
	done
	jg__deadline 5
	while jg__before_deadline; do
		left=0
		for pid in "${all[@]}"; do
			if jg__alive "$pid"; then
				left=1
				break
			fi
		done
		((left)) || break
		sleep 0.05
	done
	for pid in "${all[@]}"; do
		if jg__alive "$pid"; then
			jg__msg note "process $pid ($(jg__cmdline "$pid")) did" \
			    "not exit within 5 s of SIGTERM, killing it" >&2
			kill -KILL "$pid" 2>/dev/null || true
		fi
	done
	for pid in "$@"; do
		{ wait "$pid"; } 2>/dev/null || true
	done
}

# Register a background process for cleanup.
jg__register() {
	local pid=$1 log=$2 what=$3
	printf '%s\t%s\t%s\n' "$pid" "$log" "$what" >>"$JG_DIR/.pids"
}

# Forget a process that was stopped.
jg__unregister() {
	local pid=$1 p log what
	local tmp=$JG_DIR/.pids.tmp
	: >"$tmp"
	while IFS=$'\t' read -r p log what; do
		if [[ $p != "$pid" ]]; then
			printf '%s\t%s\t%s\n' "$p" "$log" "$what" >>"$tmp"
		fi
	done <"$JG_DIR/.pids"
	mv -f "$tmp" "$JG_DIR/.pids"
}

# Kill everything started through the library, newest first.
jg__kill_all() {
	local -a pids=()
	local p log what i

	[[ -f $JG_DIR/.pids ]] || return 0
	while IFS=$'\t' read -r p log what; do
		pids+=("$p")
	done <"$JG_DIR/.pids"
	for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
		jg__stop_pids "${pids[i]}"
	done
}

# Show the tail of every log in the work directory.
jg__dump_logs() {
	local -A seen=()
	local -a logs=()
	local p log what f

	if [[ -f $JG_DIR/.pids.all ]]; then
		while IFS=$'\t' read -r p log what; do
			logs+=("$log")
		done <"$JG_DIR/.pids.all"
	fi
	while IFS= read -r -d '' f; do
		logs+=("$f")
	done < <(find "$JG_DIR" -type f -name '*.log' -print0 2>/dev/null | sort -z)
	for f in "${logs[@]}"; do
		[[ -z ${seen[$f]:-} ]] || continue
		seen[$f]=1
		jg__tail "$f"
	done
}

# Explain well-known set-up problems found in the sshd logs.
jg__hints() {
	local f
	for f in "$JG_DIR"/sshd-*/sshd.log; do
		[[ -f $f ]] || continue
		if grep -q "not allowed because account is locked" "$f"; then
			jg__msg hint "sshd refuses user $JG_USER as locked:" \
			    "with UsePAM no, sshd checks the password field" \
			    "itself (and, when not root, cannot read" \
			    "/etc/shadow); run the tests as root or set" \
			    "JG_SSHD_USEPAM=yes" >&2
			return 0
		fi
	done
}

# Exit trap: stop processes, show logs on failure, remove the work dir.
jg__cleanup() {
	local rc=$?

	set +e
	trap - EXIT ERR
	if [[ -n $JG_DIR && -d $JG_DIR ]]; then
		jg__kill_all
		jg__topology_cleanup
		if ((rc != 0 && rc != 77)); then
			jg__dump_logs
			jg__hints
		fi
		if [[ ${JG_KEEP:-0} == 1 ]]; then
			jg_note "keeping work directory $JG_DIR"
		else
			rm -rf -- "$JG_DIR"
			if ((rc != 0 && rc != 77)); then
				jg_note "set JG_KEEP=1 to keep the work directory"
			fi
		fi
	fi
	if ((rc != 0 && rc != 77)); then
		jg__msg note "exit status $rc" >&2
	fi
	exit "$rc"
}

# ERR trap: under set -e, say which command stopped the test.
jg__err_trap() {
	local rc=$? line=$1 cmd=$2
	if [[ $- == *e* ]]; then
		jg__msg FAIL "command failed (status $rc) at line $line: $cmd" >&2
	fi
}

# Make HUP, INT and TERM exit (through the exit trap).
jg__signal_traps() {
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

# Create the work directory, install the cleanup trap, check the tools.
jg_setup() {
	if [[ -n $JG_DIR ]]; then
		jg_fail "jg_setup called twice"
	fi
	if [[ $SSHD != */* ]]; then
		SSHD=$(command -v "$SSHD" || echo "$SSHD")
	fi
	SSHD=$(jg__abspath "$SSHD")
	if [[ ! -x $SSHD ]]; then
		jg__hard_error "sshd not found at '$SSHD': install the Debian" \
		    "package openssh-server, or set SSHD=/path/to/sshd"
	fi
	if ! command -v ssh-keygen >/dev/null; then
		jg__hard_error "ssh-keygen not found: install the Debian" \
		    "package openssh-client"
	fi
	JGT=$(jg__abspath "$JGT")
	JUMPGATE=$(jg__abspath "$JUMPGATE")
	if [[ ! -x $JGT ]]; then
		jg__hard_error "jgt not found at '$JGT': build it" \
		    "(make check builds tests/tools/jgt) or set JGT"
	fi
	export SSHD JGT JUMPGATE

	JG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/jg-$JG_TEST.XXXXXX") ||
	    jg__hard_error "mktemp -d failed"
	export JG_DIR
	: >"$JG_DIR/.pids"
	: >"$JG_DIR/.pids.all"
	JG_AUTHORIZED_KEYS=$JG_DIR/authorized_keys
	: >"$JG_AUTHORIZED_KEYS"
	chmod 600 "$JG_AUTHORIZED_KEYS"
	export JG_AUTHORIZED_KEYS
	# Each test's jumpgate instances keep their control sockets here, so
	# tests running at once never meet in /run/jumpgate.
	XDG_RUNTIME_DIR=$JG_DIR/run
	mkdir -m 700 "$XDG_RUNTIME_DIR"
	export XDG_RUNTIME_DIR
	trap jg__cleanup EXIT
	trap 'jg__err_trap "$LINENO" "$BASH_COMMAND"' ERR
	jg__signal_traps
	jg_note "work directory $JG_DIR, user $JG_USER, sshd $SSHD"
}

# Print a port on 127.0.0.1 that was free a moment ago and that this test
# has not been given before (a port given but not yet bound is still free,
# and two servers told the same port meet each other).
jg_free_port() {
	local port tries given=${JG_DIR:+$JG_DIR/ports-given}
	for tries in 1 2 3 4 5 6 7 8 9 10; do
		port=$("$JGT" free-port) || jg_fail "jgt free-port failed"
		if [[ -z $given ]]; then
			echo "$port"
			return 0
		fi
		if ! grep -qx "$port" "$given" 2>/dev/null; then
			echo "$port" >>"$given"
			echo "$port"
			return 0
		fi
	done
	jg_fail "jgt free-port gave only ports this test already holds"
}

# Generate a user key pair (no passphrase) and authorize it for all sshds.
jg_keygen() {
	local name=${1:?jg_keygen NAME [TYPE]} type=${2:-ed25519} key
	jg__check_name "$name"
	key=$JG_DIR/key-$name
	if [[ -e $key ]]; then
		jg_fail "key '$name' already exists"
	fi
	ssh-keygen -q -t "$type" -N '' -C "jg-$name@$JG_TEST" -f "$key" \
	    </dev/null || jg_fail "ssh-keygen -t $type failed"
	chmod 600 "$key"
	cat "$key.pub" >>"$JG_AUTHORIZED_KEYS"
	jg__export "$name" KEY "$key"
	jg__export "$name" PUB "$key.pub"
}

# Start a background command, registered for cleanup; print its pid.
jg_bg() {
	local log=${1:?jg_bg LOGFILE CMD...} pid
	shift
	(($# > 0)) || jg_fail "jg_bg: no command"
	[[ $log == /* ]] || log=$JG_DIR/$log
	"$@" >>"$log" 2>&1 </dev/null &
	pid=$!
	jg__register "$pid" "$log" "$1"
	printf '%s\t%s\t%s\n' "$pid" "$log" "$1" >>"$JG_DIR/.pids.all"
	# shellcheck disable=SC2034 # for callers
	JG_LAST_PID=$pid
	echo "$pid"
}

# Start a server that reads the user's ~/.ssh/authorized_keys and takes
# no path for it (tinysshd, dropbear): CMD runs in a private mount
# namespace with $JG_DIR/NAME-home, holding the test's authorized keys,
# mounted over /root (run as root). Like jg_bg, prints the pid.
#   jg_bg_with_home LOGFILE NAME CMD...
jg_bg_with_home() {
	local log=${1:?jg_bg_with_home LOGFILE NAME CMD...} home
	home=$JG_DIR/${2:?jg_bg_with_home LOGFILE NAME CMD...}-home
	shift 2
	mkdir -m 700 "$home" "$home/.ssh"
	cp "$JG_AUTHORIZED_KEYS" "$home/.ssh/authorized_keys"
	chmod 600 "$home/.ssh/authorized_keys"
	# shellcheck disable=SC2016 # expanded by the inner shell
	jg_bg "$log" unshare -m --propagation private sh -c \
	    'mount --bind "$1" /root && shift && exec "$@"' sh "$home" "$@"
}

# Keep every core busy until the test ends: one busy loop per core (as
# nproc counts them), stopped by the exit trap. Exports JG_HOG_PIDS.
jg_cpu_hog() {
	local i n
	n=$(nproc)
	JG_HOG_PIDS=
	for ((i = 0; i < n; i++)); do
		jg_bg cpu-hog.log sh -c 'while :; do :; done' >/dev/null
		JG_HOG_PIDS+=" $JG_LAST_PID"
	done
	export JG_HOG_PIDS
	jg_note "CPU hog: $n busy loops (pids$JG_HOG_PIDS)"
}

# Stop a process started with jg_bg (and its descendants).
jg_stop() {
	local pid=${1:?jg_stop PID}
	jg__stop_pids "$pid"
	jg__unregister "$pid"
}

# Succeed if port $1 of address $2 (127.0.0.1) accepts a connection (2 s
# limit), connecting from inside network namespace $3 if given.
jg__probe() {
	local port=$1 addr=${2:-127.0.0.1} ns=${3:-}
	local -a pre=()
	if [[ -n $ns ]]; then
		pre=(ip netns exec "$ns")
	fi
	# shellcheck disable=SC2016 # expanded by the inner shell
	"${pre[@]}" timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$addr" \
	    "$port" 2>/dev/null
}

# Fail at once if process $1 (if given) has exited while waiting for $2.
jg__check_pid() {
	if [[ -n ${1:-} ]] && ! jg__alive "$1"; then
		jg_fail "process $1 exited while waiting for $2"
	fi
}

# Wait until 127.0.0.1:PORT accepts connections (fail early if PID exits).
jg_wait_port() {
	local port=${1:?jg_wait_port PORT TIMEOUT [PID]} timeout=${2:-10}
	local pid=${3:-}
	jg__deadline "$timeout"
	while jg__before_deadline; do
		if jg__probe "$port"; then
			return 0
		fi
		jg__check_pid "$pid" "127.0.0.1:$port to accept"
		sleep 0.05
	done
	jg_fail "nothing accepted connections on 127.0.0.1:$port within" \
	    "$timeout s"
}

# Wait until FILE has a line matching the extended REGEX (fail early if
# PID exits).
jg_wait_log() {
	local file=${1:?jg_wait_log FILE REGEX TIMEOUT [PID]} re=${2:?} \
	    timeout=${3:-10} pid=${4:-}
	jg__deadline "$timeout"
	while :; do
		if grep -Eq -- "$re" "$file" 2>/dev/null; then
			return 0
		fi
		jg__before_deadline || break
		jg__check_pid "$pid" "/$re/ in $file"
		sleep 0.05
	done
	# Logs in the work directory are shown by the exit trap anyway.
	if [[ $file != "$JG_DIR"/* ]]; then
		jg__tail "$file"
	fi
	jg_fail "no line matching /$re/ in $file within $timeout s"
}

# Print the SHA256 fingerprint of a public key file.
jg_fingerprint() {
	local pub=${1:?jg_fingerprint PUBFILE} out fp rest
	out=$(ssh-keygen -E sha256 -lf "$pub") ||
	    jg_fail "ssh-keygen -lf $pub failed"
	read -r _ fp rest <<<"$out"
	echo "$fp"
}

# Write the sshd_config of instance $1 listening on port $2 (of the
# address in its file addr, 127.0.0.1 without one).
jg__sshd_config() {
	local name=$1 port=$2 dir=$JG_DIR/sshd-$1 line in_match=0 addr
	local -a pre=() post=()

	addr=$(jg__read_or "$dir/addr" 127.0.0.1)

	# sshd keeps the first value of a keyword, so extra lines go before
	# the defaults to override them; Match blocks must come last.
	if [[ -f $dir/extra.conf ]]; then
		while IFS= read -r line; do
			if [[ $line =~ ^[[:space:]]*[Mm][Aa][Tt][Cc][Hh][[:space:]] ]]; then
				in_match=1
			fi
			if ((in_match)); then
				post+=("$line")
			else
				pre+=("$line")
			fi
		done <"$dir/extra.conf"
	fi
	{
		echo "# sshd '$name' for test $JG_TEST (generated by lib.sh)"
		if ((${#pre[@]} > 0)); then
			echo "# extra lines"
			printf '%s\n' "${pre[@]}"
		fi
		echo "# defaults"
		echo "ListenAddress $addr"
		echo "Port $port"
		echo "HostKey $dir/ssh_host_ed25519_key"
		echo "HostKey $dir/ssh_host_ecdsa_key"
		echo "PidFile $dir/sshd.pid"
		echo "AuthorizedKeysFile $JG_AUTHORIZED_KEYS"
		echo "StrictModes no"
		echo "UsePAM ${JG_SSHD_USEPAM:-no}"
		echo "PasswordAuthentication no"
		echo "KbdInteractiveAuthentication no"
		echo "PermitRootLogin prohibit-password"
		echo "AllowTcpForwarding yes"
		echo "LogLevel DEBUG1"
		echo "PrintMotd no"
		echo "UseDNS no"
		if ((${#post[@]} > 0)); then
			echo "# extra Match blocks"
			printf '%s\n' "${post[@]}"
		fi
	} >"$dir/sshd_config"
	echo "$port" >"$dir/port"
}

# Generate the host keys of instance $1.
jg__sshd_hostkeys() {
	local name=$1 dir=$JG_DIR/sshd-$1 t
	for t in ed25519 ecdsa; do
		rm -f "$dir/ssh_host_${t}_key" "$dir/ssh_host_${t}_key.pub"
		ssh-keygen -q -t "$t" -N '' -C "jg-$name-host" \
		    -f "$dir/ssh_host_${t}_key" </dev/null ||
		    jg_fail "ssh-keygen -t $t (host key of '$name') failed"
	done
}

# Start sshd instance $1 from its config (inside the namespace in its file
# ns, if any); 0 when listening, 1 if it died.
jg__sshd_launch() {
	local name=$1 dir=$JG_DIR/sshd-$1 port pid out log skip tries=0
	local addr ns host
	local -a pre=()
	log=$dir/sshd.log
	read -r port <"$dir/port"
	addr=$(jg__read_or "$dir/addr" 127.0.0.1)
	ns=$(jg__read_or "$dir/ns" "")
	host=$(jg__read_or "$dir/host" "")
	if [[ -n $ns ]]; then
		pre=(ip netns exec "$ns")
	fi
	if [[ $(id -u) == 0 ]]; then
		mkdir -p /run/sshd
		chmod 0755 /run/sshd
	fi
	if ! out=$("$SSHD" -t -f "$dir/sshd_config" 2>&1); then
		jg__msg note "sshd -t rejects $dir/sshd_config: $out" >&2
		cat -n "$dir/sshd_config" >&2
		jg_fail "sshd '$name' has an invalid configuration"
	fi
	echo "==== jg: starting sshd '$name' on port $port$(jg__where "$host" \
	    "$ns")" >>"$log"
	skip=$(($(wc -l <"$log") + 1))
	# shellcheck disable=SC2094 # both append
	"${pre[@]}" "$SSHD" -D -e -f "$dir/sshd_config" -E "$log" </dev/null \
	    >>"$log" 2>&1 &
	pid=$!
	jg__register "$pid" "$log" "sshd-$name"
	printf '%s\t%s\t%s\n' "$pid" "$log" "sshd-$name" >>"$JG_DIR/.pids.all"
	echo "$pid" >"$dir/pid"
	jg__deadline 10
	while jg__before_deadline; do
		if ! jg__alive "$pid"; then
			{ wait "$pid"; } 2>/dev/null || true
			jg__unregister "$pid"
			return 1
		fi
		# Probe only late: a LogLevel quieter than INFO hides the line.
		if tail -n "+$skip" "$log" |
		    grep -qF "Server listening on $addr port $port." ||
		    { ((++tries > 60)) && jg__probe "$port" "$addr" "$ns"; }; then
			if jg__alive "$pid"; then
				jg__export "$name" PID "$pid"
				return 0
			fi
		fi
		sleep 0.05
	done
	jg__stop_pids "$pid"
	jg__unregister "$pid"
	return 1
}

# Start an sshd instance on a free port with its own host keys (inside
# host $JG_HOST of jg_topology if set).
jg_sshd_start() {
	local name=${1:?jg_sshd_start NAME [sshd_config lines...]} dir port _
	local host=${JG_HOST:-} ns addr where
	shift
	jg__check_name "$name"
	dir=$JG_DIR/sshd-$name
	if [[ -e $dir ]]; then
		jg_fail "sshd instance '$name' already exists"
	fi
	jg__host_resolve "$host"
	ns=$JG__H_NS
	addr=$JG__H_ADDR
	where=$(jg__where "$host" "$ns")
	mkdir "$dir"
	printf '%s\n' "$host" >"$dir/host"
	printf '%s\n' "$ns" >"$dir/ns"
	printf '%s\n' "$addr" >"$dir/addr"
	jg__sshd_hostkeys "$name"
	if (($# > 0)); then
		printf '%s\n' "$@" >"$dir/extra.conf"
	fi
	jg__export "$name" LOG "$dir/sshd.log"
	jg__export "$name" CONFIG "$dir/sshd_config"
	jg__export "$name" DIR "$dir"
	jg__export "$name" HOSTKEY_ED25519 "$dir/ssh_host_ed25519_key.pub"
	jg__export "$name" HOSTKEY_ECDSA "$dir/ssh_host_ecdsa_key.pub"
	jg__export "$name" ADDR "$addr"
	for _ in 1 2 3 4 5; do
		if [[ -n $ns ]]; then
			port=$(jg__free_port_in "$ns")
		else
			port=$(jg_free_port)
		fi
		jg__sshd_config "$name" "$port"
		jg__export "$name" PORT "$port"
		if jg__sshd_launch "$name"; then
			jg_note "sshd '$name' listening on $addr:$port$where" \
			    "(pid $(<"$dir/pid"), log $dir/sshd.log)"
			return 0
		fi
		if grep -q 'Address already in use' "$dir/sshd.log"; then
			jg_note "port $port was taken, trying another"
			continue
		fi
		break
	done
	jg__tail "$dir/sshd.log"
	jg_fail "sshd '$name' did not start"
}

# Fail unless sshd instance $1 exists.
jg__sshd_check() {
	jg__check_name "$1"
	if [[ ! -f $JG_DIR/sshd-$1/sshd_config ]]; then
		jg_fail "no sshd instance '$1'"
	fi
}

# Stop an sshd instance, including its per-connection processes.
jg_sshd_stop() {
	local name=${1:?jg_sshd_stop NAME} dir pid
	jg__sshd_check "$name"
	dir=$JG_DIR/sshd-$name
	[[ -f $dir/pid ]] || return 0
	read -r pid <"$dir/pid"
	jg__stop_pids "$pid"
	jg__unregister "$pid"
	rm -f "$dir/pid"
	echo "==== jg: stopped sshd '$name'" >>"$dir/sshd.log"
	jg_note "sshd '$name' stopped"
}

# Restart an sshd instance on the same host, address and port with the
# same host keys.
jg_sshd_restart() {
	local name=${1:?jg_sshd_restart NAME} dir addr
	jg__sshd_check "$name"
	dir=$JG_DIR/sshd-$name
	addr=$(jg__read_or "$dir/addr" 127.0.0.1)
	jg_sshd_stop "$name"
	if ! jg__sshd_launch "$name"; then
		jg__tail "$dir/sshd.log"
		jg_fail "sshd '$name' did not restart on port $(<"$dir/port")"
	fi
	jg_note "sshd '$name' restarted on $addr:$(<"$dir/port")$(jg__where \
	    "$(jg__read_or "$dir/host" "")" "$(jg__read_or "$dir/ns" "")")" \
	    "(pid $(<"$dir/pid"))"
}

# Give an sshd instance new host keys (old .pub files kept as .pub.old).
jg_sshd_rekey() {
	local name=${1:?jg_sshd_rekey NAME} dir t running=0
	jg__sshd_check "$name"
	dir=$JG_DIR/sshd-$name
	if [[ -f $dir/pid ]]; then
		running=1
		jg_sshd_stop "$name"
	fi
	for t in ed25519 ecdsa; do
		cp -f "$dir/ssh_host_${t}_key.pub" "$dir/ssh_host_${t}_key.pub.old"
	done
	jg__sshd_hostkeys "$name"
	jg_note "sshd '$name' has new host keys:" \
	    "$(jg_fingerprint "$dir/ssh_host_ed25519_key.pub")"
	if ((running)); then
		jg_sshd_restart "$name"
	fi
}

# Print (or append to FILE) known_hosts lines for an sshd instance, named
# [ADDR]:PORT as ssh looks them up.
jg_known_hosts() {
	local name=${1:?jg_known_hosts NAME [FILE]} dir port t type key rest
	local addr host
	jg__sshd_check "$name"
	dir=$JG_DIR/sshd-$name
	read -r port <"$dir/port"
	addr=$(jg__read_or "$dir/addr" 127.0.0.1)
	host="[$addr]:$port"
	if [[ $port == 22 ]]; then
		host=$addr
	fi
	for t in ed25519 ecdsa; do
		read -r type key rest <"$dir/ssh_host_${t}_key.pub"
		if (($# > 1)); then
			echo "$host $type $key" >>"$2"
		else
			echo "$host $type $key"
		fi
	done
}

# Start a jgt echo-server (extra arguments, e.g. --sink, are passed on),
# inside host $JG_HOST of jg_topology if set.
jg_echo_start() {
	local name=${1:?jg_echo_start NAME [jgt echo-server args]} pf log pid
	local port host=${JG_HOST:-} ns addr
	local -a pre=() listen=()
	shift
	jg__check_name "$name"
	pf=$JG_DIR/echo-$name.port
	log=$JG_DIR/echo-$name.log
	if [[ -e $log ]]; then
		jg_fail "echo server '$name' already exists"
	fi
	jg__host_resolve "$host"
	ns=$JG__H_NS
	addr=$JG__H_ADDR
	if [[ -n $host ]]; then
		listen=(--listen "$addr:0")
	fi
	if [[ -n $ns ]]; then
		pre=(ip netns exec "$ns")
	fi
	rm -f "$pf"
	"${pre[@]}" "$JGT" echo-server --port-file "$pf" "${listen[@]}" "$@" \
	    </dev/null >>"$log" 2>&1 &
	pid=$!
	jg__register "$pid" "$log" "echo-$name"
	printf '%s\t%s\t%s\n' "$pid" "$log" "echo-$name" >>"$JG_DIR/.pids.all"
	jg__deadline 10
	while [[ ! -s $pf ]]; do
		if ! jg__alive "$pid" || ! jg__before_deadline; then
			jg__tail "$log"
			jg_fail "echo server '$name' did not start"
		fi
		sleep 0.02
	done
	read -r port <"$pf"
	if [[ -n $host ]]; then
		# Probe from where its clients will be (one extra connection).
		jg__deadline 10
		until jg__probe "$port" "$addr" "$ns"; do
			if ! jg__alive "$pid" || ! jg__before_deadline; then
				jg__tail "$log"
				jg_fail "echo server '$name' does not accept on" \
				    "$addr:$port$(jg__where "$host" "$ns")"
			fi
			sleep 0.05
		done
	fi
	jg__export "$name" ADDR "$addr"
	jg__export "$name" PORT "$port"
	jg__export "$name" PID "$pid"
	jg__export "$name" LOG "$log"
	jg_note "echo server '$name' on $addr:$port$(jg__where "$host" "$ns")" \
	    "(pid $pid${*:+, $*})"
}

# ---- Hosts: a chain of network namespaces (jg_topology) ----
#
# Link K joins host K-1 (K=1: the root namespace) to host K, with the
# addresses $net.(4K-3) on host K-1's side and $net.(4K-2) on host K's,
# both /30, where $net is a 169.254.X (X from 1 to 254, not 169) that this
# run claims by adding an "unreachable" route for 169.254.X.0/24 in the
# root namespace: the claim fails if another run holds X, and connections
# from the root namespace to hosts 2 and beyond fail at once instead of
# following the default route. No namespace forwards, none has a default
# route. Made objects are listed in $JG_DIR/.netns for the exit trap.

# Print the first line of file $1, or $2 if it is missing or empty.
jg__read_or() {
	local line=
	if [[ -s $1 ]]; then
		read -r line <"$1" || true
	fi
	printf '%s\n' "${line:-$2}"
}

# Print " in host K (namespace NS)" for host $1 and namespace $2 (nothing
# without a host).
jg__where() {
	if [[ -z $1 ]]; then
		return 0
	elif [[ -n $2 ]]; then
		printf ' in host %s (namespace %s)' "$1" "$2"
	else
		printf ' in host %s (loopback mode)' "$1"
	fi
}

# Print a port that was free a moment ago inside network namespace $1.
jg__free_port_in() {
	ip netns exec "$1" "$JGT" free-port ||
	    jg_fail "jgt free-port in namespace $1 failed"
}

# Set JG__H_NS and JG__H_ADDR for host $1 of jg_topology (empty $1: the
# root namespace, 127.0.0.1).
jg__host_resolve() {
	local k=$1 v
	JG__H_NS=
	JG__H_ADDR=127.0.0.1
	[[ -n $k ]] || return 0
	if [[ -z ${JG__TOPOLOGY:-} ]]; then
		jg_fail "host '$k' (JG_HOST) used before jg_topology"
	fi
	if [[ ! $k =~ ^[1-9][0-9]*$ ]] || ((k > JG__TOPOLOGY)); then
		jg_fail "no host '$k' (JG_HOST): jg_topology made hosts" \
		    "1..$JG__TOPOLOGY"
	fi
	v=JG_HOST${k}_NS
	JG__H_NS=${!v}
	v=JG_HOST${k}_ADDR
	JG__H_ADDR=${!v}
}

# Run a topology step; on failure keep its message in JG__NS_ERR.
jg__ns_step() {
	local out
	if ! out=$("$@" 2>&1); then
		JG__NS_ERR="$*: ${out:-failed}"
		return 1
	fi
}

# Remember a made object for jg__topology_cleanup: KIND (ns, link or
# route) and NAME.
jg__ns_register() {
	printf '%s\t%s\n' "$1" "$2" >>"$JG_DIR/.netns"
}

# Run a step (CMD...) that makes object NAME of KIND, with HUP, INT and
# TERM held until it is registered, so that the exit trap removes it.
jg__ns_make() {
	local kind=$1 name=$2 rc=0
	shift 2
	JG__PENDING=
	trap 'JG__PENDING=129' HUP
	trap 'JG__PENDING=130' INT
	trap 'JG__PENDING=143' TERM
	if jg__ns_step "$@"; then
		jg__ns_register "$kind" "$name"
	else
		rc=1
	fi
	jg__signal_traps
	if [[ -n $JG__PENDING ]]; then
		exit "$JG__PENDING"
	fi
	return "$rc"
}

# Claim a 169.254.X.0/24 for this run; sets JG__NS_NET=169.254.X.
jg__ns_claim() {
	local i x
	JG__NS_NET=
	for ((i = 0; i < 254; i++)); do
		x=$((($$ + i) % 254 + 1))
		((x != 169)) || continue
		# Anything of the machine's own inside it would beat the route.
		if [[ -n $(ip -4 -o addr show to "169.254.$x.0/24" 2>&1) ||
		    -n $(ip -4 route show table all root "169.254.$x.0/24" \
		    2>&1) ]]; then
			continue
		fi
		if jg__ns_make route "169.254.$x.0/24" \
		    ip route add unreachable "169.254.$x.0/24"; then
			JG__NS_NET=169.254.$x
			return 0
		fi
		[[ $JG__NS_ERR == *"File exists"* ]] || return 1
	done
	JG__NS_ERR="no free 169.254.X.0/24 in the root namespace"
	return 1
}

# Make the namespaces, veths and addresses for $1 hosts; on failure set
# JG__NS_ERR and return 1 (what was made is in $JG_DIR/.netns).
jg__topology_build() {
	local n=$1 p=jg$$ k ns prev='' a b base
	local -a in_prev

	JG__NS_ERR=
	if ! command -v ip >/dev/null; then
		JG__NS_ERR="no ip command (Debian package iproute2)"
		return 1
	fi
	for ((k = 1; k <= n; k++)); do
		ns=${p}h$k
		if ! jg__ns_make ns "$ns" ip netns add "$ns"; then
			if [[ $(id -u) != 0 ]]; then
				JG__NS_ERR="not root: $JG__NS_ERR"
			fi
			return 1
		fi
		jg__ns_step ip -n "$ns" link set lo up || return 1
		# New namespaces may inherit ip_forward=1 from the root one;
		# this also checks that "ip netns exec" works here.
		jg__ns_step ip netns exec "$ns" sh -c \
		    'echo 0 >/proc/sys/net/ipv4/ip_forward' || return 1
		if ((k == 1)); then
			jg__ns_claim || return 1
		fi
		a=${p}l${k}a
		b=${p}l${k}b
		jg__ns_make link "$a" ip link add "$a" type veth peer name "$b" ||
		    return 1
		jg__ns_step ip link set "$b" netns "$ns" || return 1
		in_prev=()
		if [[ -n $prev ]]; then
			jg__ns_step ip link set "$a" netns "$prev" || return 1
			in_prev=(-n "$prev")
		fi
		base=$((4 * (k - 1)))
		jg__ns_step ip "${in_prev[@]}" addr add \
		    "$JG__NS_NET.$((base + 1))/30" dev "$a" || return 1
		jg__ns_step ip -n "$ns" addr add "$JG__NS_NET.$((base + 2))/30" \
		    dev "$b" || return 1
		jg__ns_step ip "${in_prev[@]}" link set "$a" up || return 1
		jg__ns_step ip -n "$ns" link set "$b" up || return 1
		prev=$ns
	done
}

# Remove what jg_topology made, newest first, and the processes still in
# its namespaces; say so on stderr if something stays.
jg__topology_cleanup() {
	local f=$JG_DIR/.netns kind name i pids
	local -a kinds=() names=() left=()

	[[ -s $f ]] || return 0
	while IFS=$'\t' read -r kind name; do
		kinds+=("$kind")
		names+=("$name")
	done <"$f"
	for ((i = 0; i < ${#kinds[@]}; i++)); do
		[[ ${kinds[i]} == ns ]] || continue
		pids=$(ip netns pids "${names[i]}" 2>/dev/null) || continue
		if [[ -n $pids ]]; then
			# shellcheck disable=SC2086 # a list of pids
			jg__stop_pids $pids
		fi
	done
	for ((i = ${#kinds[@]} - 1; i >= 0; i--)); do
		name=${names[i]}
		case ${kinds[i]} in
		ns)
			ip netns delete "$name" 2>/dev/null || true
			if [[ -e /run/netns/$name ]]; then
				left+=("namespace $name")
			fi
			;;
		link)
			# Only the root namespace's: the others go with theirs.
			if ip link show dev "$name" >/dev/null 2>&1; then
				ip link delete dev "$name" 2>/dev/null || true
			fi
			if ip link show dev "$name" >/dev/null 2>&1; then
				left+=("link $name")
			fi
			;;
		route)
			ip route delete unreachable "$name" 2>/dev/null || true
			if [[ -n $(ip route show type unreachable "$name" \
			    2>/dev/null) ]]; then
				left+=("route unreachable $name")
			fi
			;;
		esac
	done
	: >"$f"
	if ((${#left[@]} > 0)); then
		jg__msg note "could not remove: ${left[*]}" >&2
	fi
}

# Build N hosts (1..4) in a chain of network namespaces, or fall back to
# loopback mode; see the header for the variables.
jg_topology() {
	local n=${1:?jg_topology N} k mode=netns net='' ns addr peer
	if [[ -z $JG_DIR ]]; then
		jg_fail "jg_topology: call jg_setup first"
	fi
	if [[ ! $n =~ ^[1-4]$ ]]; then
		jg_fail "jg_topology: N must be 1 to 4, not '$n'"
	fi
	if [[ -n ${JG__TOPOLOGY:-} ]]; then
		jg_fail "jg_topology called twice"
	fi
	case ${JG_NETNS:-} in
	0)
		mode=loopback
		jg_note "JG_NETNS=0: hosts 1..$n are 127.0.0.1 (loopback mode)"
		;;
	'' | 1)
		if jg__topology_build "$n"; then
			net=$JG__NS_NET
		else
			jg__topology_cleanup
			if [[ ${JG_NETNS:-} == 1 ]]; then
				jg__hard_error "JG_NETNS=1 but network namespaces" \
				    "cannot be made: $JG__NS_ERR"
			fi
			mode=loopback
			jg_note "no network namespaces ($JG__NS_ERR): hosts 1..$n" \
			    "are 127.0.0.1 (loopback mode)"
		fi
		;;
	*)
		jg_fail "JG_NETNS must be 0, 1 or unset, not '$JG_NETNS'"
		;;
	esac
	JG__TOPOLOGY=$n
	export JG_NETNS_MODE=$mode JG_HOSTS=$n
	for ((k = 1; k <= n; k++)); do
		ns='' addr=127.0.0.1 peer=127.0.0.1
		if [[ $mode == netns ]]; then
			ns=jg$$h$k
			addr=$net.$((4 * k - 2))
			peer=$net.$((4 * k - 3))
		fi
		printf -v "JG_HOST${k}_NS" '%s' "$ns"
		printf -v "JG_HOST${k}_ADDR" '%s' "$addr"
		printf -v "JG_HOST${k}_PEER" '%s' "$peer"
		export "JG_HOST${k}_NS" "JG_HOST${k}_ADDR" "JG_HOST${k}_PEER"
		if [[ $mode == netns ]]; then
			jg_note "host $k: namespace $ns, address $addr" \
			    "(reached from $peer)"
		fi
	done
}

# Run a command inside host K of jg_topology (directly in loopback mode).
jg_host_exec() {
	local k=${1:?jg_host_exec HOST CMD...}
	shift
	(($# > 0)) || jg_fail "jg_host_exec: no command"
	jg__host_resolve "$k"
	if [[ -n $JG__H_NS ]]; then
		ip netns exec "$JG__H_NS" "$@"
	else
		"$@"
	fi
}

# Succeed if ADDR:PORT accepts a TCP connection within 2 s, connecting from
# the root namespace (or from inside host $JG_HOST).
jg_reachable() {
	local addr=${1:?jg_reachable ADDR PORT} port=${2:?jg_reachable ADDR PORT}
	jg__host_resolve "${JG_HOST:-}"
	jg__probe "$port" "$addr" "$JG__H_NS"
}

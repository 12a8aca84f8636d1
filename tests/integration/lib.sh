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
#
# Functions:
#   jg_setup                      work dir, cleanup trap, checks (exit 99)
#   jg_keygen NAME [TYPE]         user key; exports NAME_KEY, NAME_PUB
#   jg_sshd_start NAME [LINE...]  sshd; exports NAME_PORT, NAME_LOG,
#                                 NAME_PID, NAME_HOSTKEY_ED25519,
#                                 NAME_HOSTKEY_ECDSA, NAME_CONFIG, NAME_DIR
#   jg_sshd_stop NAME             stop it and its session processes
#   jg_sshd_restart NAME          stop, start again (same port, keys)
#   jg_sshd_rekey NAME            new host keys (restarts it if running)
#   jg_known_hosts NAME [FILE]    known_hosts lines for NAME's host keys
#   jg_fingerprint PUBFILE        prints SHA256:...
#   jg_echo_start NAME [ARG...]   jgt echo-server; exports NAME_PORT,
#                                 NAME_PID, NAME_LOG
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

# Stop processes and their descendants: TERM, then KILL after 5 s.
jg__stop_pids() {
	local -a all
	local pid left

	(($# > 0)) || return 0
	read -r -a all <<<"$(jg__tree "$@")"
	for pid in "${all[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
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
			jg__msg note "process $pid ignored SIGTERM, killing it" >&2
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
	trap jg__cleanup EXIT
	trap 'jg__err_trap "$LINENO" "$BASH_COMMAND"' ERR
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 143' TERM
	jg_note "work directory $JG_DIR, user $JG_USER, sshd $SSHD"
}

# Print a port on 127.0.0.1 that was free a moment ago.
jg_free_port() {
	"$JGT" free-port || jg_fail "jgt free-port failed"
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

# Stop a process started with jg_bg (and its descendants).
jg_stop() {
	local pid=${1:?jg_stop PID}
	jg__stop_pids "$pid"
	jg__unregister "$pid"
}

# Succeed if 127.0.0.1:$1 accepts a connection (2 s limit).
jg__probe() {
	# shellcheck disable=SC2016 # expanded by the inner shell
	timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" \
	    2>/dev/null
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

# Write the sshd_config of instance $1 listening on port $2.
jg__sshd_config() {
	local name=$1 port=$2 dir=$JG_DIR/sshd-$1 line in_match=0
	local -a pre=() post=()

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
		echo "ListenAddress 127.0.0.1"
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

# Start sshd instance $1 from its config; 0 when listening, 1 if it died.
jg__sshd_launch() {
	local name=$1 dir=$JG_DIR/sshd-$1 port pid out log skip tries=0
	log=$dir/sshd.log
	read -r port <"$dir/port"
	if [[ $(id -u) == 0 ]]; then
		mkdir -p /run/sshd
		chmod 0755 /run/sshd
	fi
	if ! out=$("$SSHD" -t -f "$dir/sshd_config" 2>&1); then
		jg__msg note "sshd -t rejects $dir/sshd_config: $out" >&2
		cat -n "$dir/sshd_config" >&2
		jg_fail "sshd '$name' has an invalid configuration"
	fi
	echo "==== jg: starting sshd '$name' on port $port" >>"$log"
	skip=$(($(wc -l <"$log") + 1))
	# shellcheck disable=SC2094 # both append
	"$SSHD" -D -e -f "$dir/sshd_config" -E "$log" </dev/null >>"$log" 2>&1 &
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
		    grep -q "Server listening on 127.0.0.1 port $port\\." ||
		    { ((++tries > 60)) && jg__probe "$port"; }; then
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

# Start an sshd instance on a free port with its own host keys.
jg_sshd_start() {
	local name=${1:?jg_sshd_start NAME [sshd_config lines...]} dir port _
	shift
	jg__check_name "$name"
	dir=$JG_DIR/sshd-$name
	if [[ -e $dir ]]; then
		jg_fail "sshd instance '$name' already exists"
	fi
	mkdir "$dir"
	jg__sshd_hostkeys "$name"
	if (($# > 0)); then
		printf '%s\n' "$@" >"$dir/extra.conf"
	fi
	jg__export "$name" LOG "$dir/sshd.log"
	jg__export "$name" CONFIG "$dir/sshd_config"
	jg__export "$name" DIR "$dir"
	jg__export "$name" HOSTKEY_ED25519 "$dir/ssh_host_ed25519_key.pub"
	jg__export "$name" HOSTKEY_ECDSA "$dir/ssh_host_ecdsa_key.pub"
	for _ in 1 2 3 4 5; do
		port=$(jg_free_port)
		jg__sshd_config "$name" "$port"
		jg__export "$name" PORT "$port"
		if jg__sshd_launch "$name"; then
			jg_note "sshd '$name' listening on 127.0.0.1:$port" \
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

# Restart an sshd instance on the same port with the same host keys.
jg_sshd_restart() {
	local name=${1:?jg_sshd_restart NAME} dir
	jg__sshd_check "$name"
	dir=$JG_DIR/sshd-$name
	jg_sshd_stop "$name"
	if ! jg__sshd_launch "$name"; then
		jg__tail "$dir/sshd.log"
		jg_fail "sshd '$name' did not restart on port $(<"$dir/port")"
	fi
	jg_note "sshd '$name' restarted on 127.0.0.1:$(<"$dir/port")" \
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

# Print (or append to FILE) known_hosts lines for an sshd instance.
jg_known_hosts() {
	local name=${1:?jg_known_hosts NAME [FILE]} dir port t type key rest
	jg__sshd_check "$name"
	dir=$JG_DIR/sshd-$name
	read -r port <"$dir/port"
	for t in ed25519 ecdsa; do
		read -r type key rest <"$dir/ssh_host_${t}_key.pub"
		if (($# > 1)); then
			echo "[127.0.0.1]:$port $type $key" >>"$2"
		else
			echo "[127.0.0.1]:$port $type $key"
		fi
	done
}

# Start a jgt echo-server (extra arguments, e.g. --sink, are passed on).
jg_echo_start() {
	local name=${1:?jg_echo_start NAME [jgt echo-server args]} pf log pid
	local port
	shift
	jg__check_name "$name"
	pf=$JG_DIR/echo-$name.port
	log=$JG_DIR/echo-$name.log
	if [[ -e $log ]]; then
		jg_fail "echo server '$name' already exists"
	fi
	rm -f "$pf"
	"$JGT" echo-server --port-file "$pf" "$@" </dev/null >>"$log" 2>&1 &
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
	jg__export "$name" PORT "$port"
	jg__export "$name" PID "$pid"
	jg__export "$name" LOG "$log"
	jg_note "echo server '$name' on 127.0.0.1:$port (pid $pid${*:+, $*})"
}

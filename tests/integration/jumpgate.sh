# shellcheck shell=bash
# jumpgate.sh: helpers for scenarios that run jumpgate itself. Source after
# lib.sh and jg_setup.

# Write a config with one hop NAME to sshd instance SSHNAME, using user key
# KEYNAME. Extra hop lines follow on stdin... Prints the config path.
#   jg_config FILE HOP SSHNAME KEYNAME [HOP LINE...]
# The [jumpgate] section and the hop are written; tunnels are appended by
# jg_config_tunnel.
jg_config() {
	local file=${1:?} hop=${2:?} sshname=${3:?} keyname=${4:?} upper line
	shift 4
	upper=$(printf '%s' "$sshname" | tr '[:lower:]' '[:upper:]')
	keyvar=$(printf '%s' "$keyname" | tr '[:lower:]' '[:upper:]')_KEY
	portvar=${upper}_PORT
	{
		printf '[jumpgate]\nlog_level = %s\n\n' "${JG_LOG_LEVEL:-info}"
		printf '[hop %s]\nhost = 127.0.0.1\nport = %s\nuser = %s\n' \
		    "$hop" "${!portvar}" "$JG_USER"
		printf 'identity = %s\nconnect_timeout = %s\n' "${!keyvar}" \
		    "${JG_CONNECT_TIMEOUT:-10}"
		for line in "$@"; do
			printf '%s\n' "$line"
		done
		printf '\n'
	} >"$file"
}

# Append a tunnel: jg_config_tunnel FILE NAME LISTENPORT CONNECT VIA
jg_config_tunnel() {
	printf '[tunnel %s]\nlisten = 127.0.0.1:%s\nconnect = %s\nvia = %s\n\n' \
	    "${2:?}" "${3:?}" "${4:?}" "${5:?}" >>"${1:?}"
}

# Start jumpgate on CONFIG, logging to LOG; exports JUMPGATE_PID.
#   jg_jumpgate_start CONFIG LOG
jg_jumpgate_start() {
	local config=${1:?} log=${2:?}
	"$JUMPGATE" check "$config" >/dev/null ||
	    jg_fail "jumpgate check $config failed: $("$JUMPGATE" check "$config" 2>&1)"
	# JG_JUMPGATE_WRAP (e.g. valgrind and its options) runs jumpgate.
	# shellcheck disable=SC2086 # word splitting intended
	jg_bg "$log" ${JG_JUMPGATE_WRAP:-} "$JUMPGATE" run "$config" >/dev/null
	JUMPGATE_PID=$JG_LAST_PID
	export JUMPGATE_PID
	jg_wait_log "$log" 'jumpgate .* running' 30 "$JUMPGATE_PID"
}

# Count lines of FILE matching REGEX (0 when none).
jg_count() {
	grep -Ec -- "${2:?}" "${1:?}" || true
}

# Stop jumpgate with SIGTERM (or SIG) and insist on a clean exit: status 0
# within 30 s and no sanitizer or valgrind report in its log.
#   jg_jumpgate_stop LOG [PID [SIG]]
jg_jumpgate_stop() {
	local log=${1:?} pid=${2:-$JUMPGATE_PID} sig=${3:-TERM} rc=0 i state
	kill -"$sig" "$pid" 2>/dev/null || true
	for ((i = 0; i < 300; i++)); do
		state=$(awk '/^State:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
		[[ -z $state || $state == Z ]] && break
		sleep 0.1
	done
	[[ -z $state || $state == Z ]] ||
	    jg_fail "jumpgate $pid did not exit within 30 s of SIG$sig"
	wait "$pid" || rc=$?
	jg__unregister "$pid"
	[[ $rc -eq 0 ]] || jg_fail "jumpgate exited with status $rc after SIG$sig (log $log)"
	if grep -Eq 'AddressSanitizer|LeakSanitizer|runtime error:|==[0-9]+== [A-Z][a-z]+ (read|write)|definitely lost' "$log"; then
		jg_fail "sanitizer or valgrind report in $log"
	fi
}

# Add tunnel t (via hop h, to the echo server at TARGET_PORT) to CONFIG,
# run jumpgate on it and check one client: "ok" echoes 1 MiB with SHA-256,
# "refused" expects the client to be closed. With PATTERN, also wait for it
# in LOG. Stops jumpgate and checks it exited cleanly.
#   jg_try_tunnel CONFIG LOG ok|refused [PATTERN]
jg_try_tunnel() {
	local cfg=${1:?} log=${2:?} expect=${3:?} pattern=${4:-} port out
	port=$(jg_free_port)
	jg_config_tunnel "$cfg" t "$port" "127.0.0.1:${TARGET_PORT:?}" h
	jg_jumpgate_start "$cfg" "$log"
	jg_wait_port "$port" 10 "$JUMPGATE_PID"
	if [[ $expect == ok ]]; then
		out=$("$JGT" client --connect "127.0.0.1:$port" --bytes 1M \
		    --timeout 20) || jg_fail "$cfg: data did not flow: $out"
	else
		"$JGT" expect-close --connect "127.0.0.1:$port" --timeout 10 \
		    >/dev/null || jg_fail "$cfg: the client was not closed"
	fi
	[[ -z $pattern ]] || jg_wait_log "$log" "$pattern" 10
	jg_jumpgate_stop "$log"
}

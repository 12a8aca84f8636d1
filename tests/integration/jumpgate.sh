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
	jg_bg "$log" "$JUMPGATE" run "$config" >/dev/null
	JUMPGATE_PID=$JG_LAST_PID
	export JUMPGATE_PID
	jg_wait_log "$log" 'jumpgate .* running' 10 "$JUMPGATE_PID"
}

# Count lines of FILE matching REGEX (0 when none).
jg_count() {
	grep -Ec -- "${2:?}" "${1:?}" || true
}

#!/usr/bin/env bash
# The command line explains itself: an unknown command, option or extra
# argument is named (with a suggestion for a near miss) before the usage,
# on stderr, exit 2; --help, -h, help and help COMMAND print to stdout and
# exit 0. Errors that quote a file escape its control bytes.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
jg_setup

cfg=$JG_DIR/dev.ini
printf '[hop h]\nhost = 127.0.0.1\nuser = u\nhost_key_policy = insecure\n' >"$cfg"

# Run jumpgate with "$@": sets rc, out (stdout) and err (stderr).
run() {
	set +e
	"$JUMPGATE" "$@" >"$JG_DIR/out" 2>"$JG_DIR/err"
	rc=$?
	set -e
	out=$(cat "$JG_DIR/out")
	err=$(cat "$JG_DIR/err")
}

# misunderstood WANT ARGS...: exit 2, WANT then a usage line on stderr,
# nothing on stdout.
misunderstood() {
	local want=$1
	shift
	run "$@"
	[[ $rc -eq 2 ]] || jg_fail "jumpgate $* exited $rc, expected 2: $err"
	[[ -z $out ]] || jg_fail "jumpgate $* printed to stdout: $out"
	[[ $(head -n1 <<<"$err") == "$want" ]] ||
	    jg_fail "jumpgate $*: first line is '$(head -n1 <<<"$err")', expected '$want'"
	[[ $(sed -n 2p <<<"$err") == usage:* ]] ||
	    jg_fail "jumpgate $*: no usage after what was not understood: $err"
	jg_pass "jumpgate ${*@Q}: $want (exit 2)"
}

misunderstood "jumpgate: unknown command 'bogus'" bogus
misunderstood "jumpgate: unknown command 'stauts' (did you mean status?)" stauts
misunderstood "jumpgate: unknown option '-x'" -x
misunderstood "jumpgate: run: unknown option '-x' (did you mean -d?)" run -x "$cfg"
misunderstood "jumpgate: status: unknown option '--jsn' (did you mean --json?)" status --jsn "$cfg"
misunderstood "jumpgate: check: unexpected argument 'b'" check a b
misunderstood "jumpgate: reload: unexpected argument 'extra'" reload "$cfg" extra
misunderstood "jumpgate: run: NAME or FILE is missing" run -d
misunderstood "jumpgate: version: unexpected argument 'now'" version now
misunderstood "jumpgate: help: unknown command 'nothing'" help nothing
misunderstood "jumpgate: a command is missing"
# What the user typed is shown, never a control sequence in it.
misunderstood "jumpgate: unknown command 'x\\x1b[2Jy'" $'x\e[2Jy'
# scan and probe parse their own options and still end with the usage.
misunderstood "jumpgate scan: unknown option '--bogus'" scan --bogus host

# help: stdout, exit 0.
for args in --help -h help; do
	run $args
	[[ $rc -eq 0 && -z $err ]] || jg_fail "jumpgate $args exited $rc: $err"
	for cmd in check run status reload scan probe version help; do
		grep -q "jumpgate $cmd" <<<"$out" || jg_fail "jumpgate $args does not list $cmd: $out"
	done
done
jg_pass "--help, -h and help print every command to stdout, exit 0"
for cmd in check run status reload scan probe version help; do
	run help "$cmd"
	[[ $rc -eq 0 && -z $err && $(head -n1 <<<"$out") == "usage: jumpgate $cmd"* ]] ||
	    jg_fail "help $cmd: rc $rc, out '$out', err '$err'"
	[[ $(wc -l <<<"$out") -ge 3 ]] || jg_fail "help $cmd says too little: $out"
done
run status --help
[[ $rc -eq 0 && $out == "usage: jumpgate status [--json | --watch] NAME|FILE"* ]] ||
    jg_fail "status --help: rc $rc: $out $err"
run scan -h
[[ $rc -eq 0 && $out == "usage: jumpgate scan "* ]] || jg_fail "scan -h: rc $rc: $out $err"
jg_pass "help COMMAND and COMMAND --help print that command's help, exit 0"

# Nobody running: say how to start one.
run status "$cfg"
want="jumpgate: $cfg: no jumpgate is answering on $XDG_RUNTIME_DIR/jumpgate/dev.sock (No such file or directory): start one with 'jumpgate run -d $cfg'"
[[ $rc -eq 1 && $err == "$want" ]] || jg_fail "status with nobody running: rc $rc: $err"
jg_pass "status with nobody running says how to start one (exit 1)"

# A file's bytes in its errors are escaped, for check and for status.
esc=$JG_DIR/esc.ini
printf '[hop b\033[2Jx]\nhost = 127.0.0.1\n' >"$esc"
run check "$esc"
[[ $rc -eq 1 && $err == *"$esc:1: bad hop name 'b\\x1b[2Jx'"* && $err != *$'\e'* ]] ||
    jg_fail "check let a terminal sequence from the file through: $(cat -v "$JG_DIR/err")"
run status "$esc"
[[ $rc -eq 1 && $err == *"$esc:1: bad hop name 'b\\x1b[2Jx'"* && $err != *$'\e'* ]] ||
    jg_fail "status let a terminal sequence from the file through: $(cat -v "$JG_DIR/err")"
jg_pass "errors quoting the file escape its control bytes (check, status)"

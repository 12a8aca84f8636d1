#!/usr/bin/env bash
# Bash completion (etc/jumpgate.bash-completion), sourced into bash and
# called as bash calls it (COMP_WORDS, COMP_CWORD): the commands, which
# are the ones "jumpgate help" lists; each command's options, which its
# synopsis names; environment names from $XDG_CONFIG_HOME/jumpgate (and
# /etc/jumpgate) and .ini files and directories where a NAME or FILE goes;
# nothing after the one NAME; any file after --config or --ssh-config.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
jg_setup

script=$TESTS_SRCDIR/../etc/jumpgate.bash-completion
[[ -f $script ]] || jg_fail "no $script"
# shellcheck source=/dev/null
. "$script"
[[ $(complete -p jumpgate) == "complete -F _jumpgate jumpgate" ]] ||
    jg_fail "the script does not register _jumpgate: $(complete -p jumpgate 2>&1)"

XDG_CONFIG_HOME=$JG_DIR/config
export XDG_CONFIG_HOME
mkdir -p "$XDG_CONFIG_HOME/jumpgate" "$JG_DIR/cwd/sub"
: >"$XDG_CONFIG_HOME/jumpgate/staging.ini"
: >"$XDG_CONFIG_HOME/jumpgate/dev.ini"
: >"$XDG_CONFIG_HOME/jumpgate/notes.txt"
: >"$JG_DIR/cwd/local.ini"
: >"$JG_DIR/cwd/readme.txt"
cd "$JG_DIR/cwd"

# Complete the words given (the last one is being typed): prints the
# candidates sorted, one a line.
comp() {
	local COMP_WORDS=("$@") COMP_CWORD=$(($# - 1)) COMPREPLY=()
	_jumpgate
	((${#COMPREPLY[@]} == 0)) || printf '%s\n' "${COMPREPLY[@]}" | sort -u
}

# expect WANT WORDS...: the candidates are exactly WANT (space-separated).
expect() {
	local want=$1 got
	shift
	got=$(comp "$@" | tr '\n' ' ')
	got=${got% }
	[[ $got == "$want" ]] ||
	    jg_fail "completing '$*': got '$got', expected '$want'"
}

# has WANT WORDS...: the candidates include every word of WANT.
has() {
	local want=$1 got w
	shift
	got=$(comp "$@")
	for w in $want; do
		grep -qx -- "$w" <<<"$got" ||
		    jg_fail "completing '$*' does not offer '$w': $(tr '\n' ' ' <<<"$got")"
	done
}

# The commands: exactly those of "jumpgate help".
listed=$("$JUMPGATE" help | sed -n 's/^\(usage:\)\{0,1\} *jumpgate \([a-z]*\).*/\2/p' | sort | tr '\n' ' ')
offered=$(comp jumpgate "" | grep -v '^-' | tr '\n' ' ')
[[ -n $listed && $offered == "$listed" ]] ||
    jg_fail "commands offered '$offered', jumpgate help lists '$listed'"
expect "status stop" jumpgate st
expect "reload" jumpgate help rel
jg_pass "commands: the $(wc -w <<<"$listed") of jumpgate help; 'st' gives status stop"

# Options, each in the command's synopsis.
expect "--help --json --watch" jumpgate status --
expect "-d" jumpgate run -d
expect "--help --json" jumpgate list -
for cmd in run status list scan probe import; do
	synopsis=$("$JUMPGATE" help "$cmd" | head -n 2)
	for opt in $(comp jumpgate "$cmd" -); do
		[[ $opt == --help || $synopsis == *"$opt"* ]] ||
		    jg_fail "completion offers $opt for $cmd, not in: $synopsis"
	done
done
jg_pass "options: status --json --watch, run -d, list --json; each in its command's synopsis"

# with_system WORDS: WORDS and the names of /etc/jumpgate, sorted.
with_system() {
	{
		printf '%s\n' $1
		for f in /etc/jumpgate/*.ini; do
			[[ -f $f ]] && basename "$f" .ini
		done
	} | sort -u | tr '\n' ' ' | sed 's/ $//'
}

# Names and .ini files where a NAME or FILE goes.
expect "$(with_system "dev local.ini staging sub")" jumpgate run ""
expect "$(with_system "dev local.ini staging sub")" jumpgate status --json ""
has "staging" jumpgate stop sta
has "dev" jumpgate reload d
has "dev staging" jumpgate check ""
expect "" jumpgate stop staging ""
expect "" jumpgate list ""
# A relative XDG_CONFIG_HOME is ignored: ~/.config is used.
XDG_CONFIG_HOME=relative HOME=$JG_DIR/home \
    expect "$(with_system "local.ini sub")" jumpgate run ""
jg_pass "names from \$XDG_CONFIG_HOME/jumpgate, .ini files and directories; nothing after the NAME"

# Files after --config and --ssh-config.
expect "local.ini sub" jumpgate scan --config ""
expect "local.ini readme.txt sub" jumpgate import --ssh-config ""
expect "" jumpgate scan --timeout ""
jg_pass "--config offers .ini files, --ssh-config any file, --timeout nothing"

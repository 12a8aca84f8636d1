#!/usr/bin/env bash
# Packaging: "make install DESTDIR=..." puts the daemon, both manuals, every
# etc/*.ini example, the systemd system and user units and the bash
# completion where configure said; the manuals render without warnings;
# the installed units name the installed binary and configuration files
# and pass systemd-analyze verify; the installed completion completes;
# "make uninstall" takes it all away again.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
jg_setup

build=$(cd "$(dirname "$JUMPGATE")/.." && pwd)
[[ -f $build/Makefile ]] || jg_fail "no Makefile in $build, the build tree" \
    "of $JUMPGATE: run configure first"
dest=$JG_DIR/destdir
export LC_ALL=C MANWIDTH=80
# A make of our own, without the jobserver or variables of a "make check"
# that runs this test.
unset MAKEFLAGS MFLAGS MAKELEVEL

# Print the value of Makefile variable $1 of the build tree.
make_var() {
	printf 'jg-print-var:\n\t@echo $(%s)\n' "$1" |
	    make -s --no-print-directory -C "$build" -f Makefile -f - \
	    jg-print-var
}

# Run make with arguments, its output in $JG_DIR/make-$1.log.
run_make() {
	local log=$JG_DIR/make-$1.log
	if ! make --no-print-directory -C "$build" "$@" DESTDIR="$dest" \
	    >"$log" 2>&1; then
		tail -n 40 "$log" >&2
		jg_fail "make $* DESTDIR=$dest failed"
	fi
}

bindir=$(make_var bindir)
man5dir=$(make_var man5dir)
man8dir=$(make_var man8dir)
mandir=$(make_var mandir)
confdir=$(make_var examplesdir)
sysconfdir=$(make_var sysconfdir)
unitdir=$(make_var systemdsystemunitdir)
userunitdir=$(make_var systemduserunitdir)
completiondir=$(make_var bashcompletiondir)
[[ $bindir == /* && $man8dir == /* && $confdir == /* ]] ||
    jg_fail "unexpected install directories: bindir '$bindir'," \
    "man8dir '$man8dir', jumpgateconfdir '$confdir'"

run_make install
jg_note "installed into $dest"

bin=$dest$bindir/jumpgate
[[ -x $bin ]] || jg_fail "no executable $bin"
out=$("$bin" version) || jg_fail "installed $bin version failed: $out"
[[ $out == "jumpgate "* ]] || jg_fail "unexpected version output: $out"
jg_pass "binary: $bindir/jumpgate ($out)"

# Both manuals, each rendered without a warning.
pages=("$dest$man8dir/jumpgate.8" "$dest$man5dir/jumpgate.ini.5")
for page in "${pages[@]}"; do
	[[ -f $page ]] || jg_fail "manual $page not installed"
done
if man --version 2>/dev/null | grep -q '^man '; then
	render=(man --warnings -l)
elif command -v groff >/dev/null; then
	render=(groff -mandoc -Tutf8 -ww)
else
	render=()
	jg_note "neither man-db nor groff: manuals not rendered"
fi
if ((${#render[@]} > 0)); then
	for page in "${pages[@]}"; do
		text=$("${render[@]}" "$page" 2>"$JG_DIR/render.err") ||
		    jg_fail "${render[*]} $page failed:" \
		    "$(cat "$JG_DIR/render.err")"
		[[ ! -s $JG_DIR/render.err ]] || jg_fail "${render[*]} $page" \
		    "warns: $(cat "$JG_DIR/render.err")"
		[[ $text == *jumpgate* ]] || jg_fail "$page renders empty"
	done
	jg_pass "manuals: $man8dir/jumpgate.8 and $man5dir/jumpgate.ini.5" \
	    "render without warnings (${render[0]})"
fi

# Every example of the source tree, installed, still valid.
n=0
for src in "$TESTS_SRCDIR"/../etc/*.ini; do
	f=$dest$confdir/$(basename "$src")
	[[ -f $f ]] || jg_fail "example $(basename "$src") not installed in" \
	    "$confdir"
	cmp -s "$src" "$f" || jg_fail "installed $f differs from $src"
	out=$("$bin" check "$f" 2>&1) || jg_fail "installed example: $out"
	n=$((n + 1))
done
((n >= 3)) || jg_fail "only $n examples in $TESTS_SRCDIR/../etc"
jg_pass "examples: $n files in $confdir, each passes check"

# The unit, with this installation's paths.
if [[ -z $unitdir ]]; then
	jg_note "configured --without-systemdsystemunitdir: no unit to check"
else
	unit=$dest$unitdir/jumpgate@.service
	[[ -f $unit ]] || jg_fail "unit not installed as $unit"
	if left=$(grep -n '@[a-z_]*@' "$unit"); then
		jg_fail "unsubstituted placeholders in $unit: $left"
	fi
	exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
	want="$bindir/jumpgate run $sysconfdir/jumpgate/%i.ini"
	[[ $exec_start == "$want" ]] ||
	    jg_fail "ExecStart is '$exec_start', expected '$want'"
	jg_pass "unit: $unitdir/jumpgate@.service runs $want"

	if ! command -v systemd-analyze >/dev/null; then
		jg_note "systemd-analyze not found: unit not verified"
	else
		# Verify a copy that runs the DESTDIR binary, which exists.
		mkdir "$JG_DIR/unit"
		copy=$JG_DIR/unit/jumpgate@.service
		sed "s|^ExecStart=$bindir/|ExecStart=$dest$bindir/|" "$unit" \
		    >"$copy"
		# Documentation=man: links must resolve to the new manuals.
		man_opt=()
		if ! command -v man >/dev/null; then
			man_opt=(--man=no)
			jg_note "no man command: Documentation= links not checked"
		fi
		set +e
		out=$(MANPATH=$dest$mandir SYSTEMD_LOG_COLOR=0 \
		    systemd-analyze verify "${man_opt[@]}" "$copy" 2>&1)
		rc=$?
		set -e
		if ((rc != 0)) || [[ $out == *jumpgate* ]]; then
			jg_fail "systemd-analyze verify $copy (exit $rc): $out"
		fi
		if [[ -n $out ]]; then
			jg_note "systemd-analyze verify, about other units: $out"
		fi
		jg_pass "systemd-analyze verify: no complaint ($(systemd-analyze \
		    --version | head -n 1))"
		if out=$(systemd-analyze security --offline=true "$copy" \
		    2>/dev/null | grep 'Overall exposure level'); then
			jg_note "systemd-analyze security: ${out#→ }"
		fi
	fi
fi

# The user unit, installed as jumpgate@.service for systemctl --user.
if [[ -z $userunitdir ]]; then
	jg_note "configured --without-systemduserunitdir: no user unit to check"
else
	unit=$dest$userunitdir/jumpgate@.service
	[[ -f $unit ]] || jg_fail "user unit not installed as $unit"
	if left=$(grep -n '@[a-z_]*@' "$unit"); then
		jg_fail "unsubstituted placeholders in $unit: $left"
	fi
	exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
	want="$bindir/jumpgate run %h/.config/jumpgate/%i.ini"
	[[ $exec_start == "$want" ]] ||
	    jg_fail "user unit ExecStart is '$exec_start', expected '$want'"
	exec_reload=$(sed -n 's/^ExecReload=//p' "$unit")
	[[ $exec_reload == "$bindir/jumpgate reload %h/.config/jumpgate/%i.ini" ]] ||
	    jg_fail "user unit ExecReload is '$exec_reload'"
	for line in Type=notify WantedBy=default.target \
	    'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX AF_NETLINK'; do
		grep -qx "$line" "$unit" || jg_fail "user unit lacks $line"
	done
	! grep -q '^User=' "$unit" || jg_fail "a user unit cannot set User="
	jg_pass "user unit: $userunitdir/jumpgate@.service runs $want"

	if ! command -v systemd-analyze >/dev/null; then
		jg_note "systemd-analyze not found: user unit not verified"
	else
		mkdir -p "$JG_DIR/userunit"
		copy=$JG_DIR/userunit/jumpgate@.service
		sed -e "s|^ExecStart=$bindir/|ExecStart=$dest$bindir/|" \
		    -e "s|^ExecReload=$bindir/|ExecReload=$dest$bindir/|" \
		    "$unit" >"$copy"
		man_opt=()
		command -v man >/dev/null || man_opt=(--man=no)
		set +e
		out=$(MANPATH=$dest$mandir SYSTEMD_LOG_COLOR=0 \
		    systemd-analyze --user verify "${man_opt[@]}" "$copy" 2>&1)
		rc=$?
		set -e
		# Without a user session, --user may not be possible: verify
		# as a system unit then (the same checks of the file).
		if ((rc != 0)) && [[ $out != *jumpgate* ]]; then
			jg_note "systemd-analyze --user verify: $out; verifying as a system unit"
			set +e
			out=$(MANPATH=$dest$mandir SYSTEMD_LOG_COLOR=0 \
			    systemd-analyze verify "${man_opt[@]}" "$copy" 2>&1)
			rc=$?
			set -e
		fi
		if ((rc != 0)) || [[ $out == *jumpgate* ]]; then
			jg_fail "systemd-analyze verify $copy (exit $rc): $out"
		fi
		jg_pass "systemd-analyze verify of the user unit: no complaint"
		if out=$(systemd-analyze --user security --offline=true "$copy" \
		    2>/dev/null | grep 'Overall exposure level'); then
			jg_note "systemd-analyze --user security: ${out#→ }" \
			    "(no mount namespaces in a user manager)"
		fi
	fi
fi

# The bash completion, installed as "jumpgate", completes.
if [[ -z $completiondir ]]; then
	jg_note "configured --without-bashcompletiondir: no completion to check"
else
	comp=$dest$completiondir/jumpgate
	[[ -f $comp ]] || jg_fail "bash completion not installed as $comp"
	out=$(bash --norc --noprofile -c '. "$1" && COMP_WORDS=(jumpgate st) &&
	    COMP_CWORD=1 && _jumpgate && echo "${COMPREPLY[*]}"' _ "$comp") ||
	    jg_fail "installed completion $comp fails: $out"
	[[ $out == "status stop" ]] || jg_fail "installed completion of 'st': '$out'"
	jg_pass "bash completion: $completiondir/jumpgate completes 'st' to '$out'"
fi

run_make uninstall
if left=$(find "$dest" ! -type d); then
	[[ -z $left ]] || jg_fail "make uninstall left: $left"
fi
jg_pass "make uninstall removes every installed file"

#!/usr/bin/env bats
# make install / make uninstall into a temporary DESTDIR: the
# binary, both man pages and the three completion scripts where man,
# bash-completion, zsh and fish look for them, each then found by its tool.
#
# The Makefile's install target depends on `all`, so it is run with the
# build folder of the binary under test (under `make check`, MFA_BUILD and
# the folder of MFA_BIN), where everything is up to date and nothing is
# rebuilt; without those, a private build folder is used (a full build).
load helpers

setup() {
	mfa_setup
	command -v make > /dev/null || skip "make not installed"
	ROOT="$T/root"
	bin_dir=$(cd "$(dirname "$MFA_BIN")" && pwd)
	if [ "$(basename "$MFA_BIN")" = mfa ] && [ -n "${MFA_BUILD:-}" ]; then
		MK_BUILD=$MFA_BUILD MK_OUT=$bin_dir
	elif [ "$(basename "$MFA_BIN")" = mfa ] && [ -f "$bin_dir/src/cli/main.o" ]; then
		MK_BUILD=$bin_dir MK_OUT=$bin_dir # make BUILD=x OUT=x
	else
		MK_BUILD=build/install-test MK_OUT=build/install-test
	fi
}

teardown() {
	mfa_teardown
}

mk() {
	make -s --no-print-directory BUILD="$MK_BUILD" OUT="$MK_OUT" \
		DESTDIR="$ROOT" "$@"
}

FILES="bin/mfa share/man/man1/mfa.1 share/man/man5/mfa-vault.5
share/bash-completion/completions/mfa share/zsh/site-functions/_mfa
share/fish/vendor_completions.d/mfa.fish"

@test "make install PREFIX=/usr puts every file in place, make uninstall removes them" {
	run mk install PREFIX=/usr
	[ "$status" -eq 0 ] || { echo "$output" >&2; false; }
	for f in $FILES; do
		[ -f "$ROOT/usr/$f" ] || { echo "missing /usr/$f" >&2; false; }
	done
	[ "$(stat -c %a "$ROOT/usr/bin/mfa")" = 755 ]
	[ "$(stat -c %a "$ROOT/usr/share/man/man1/mfa.1")" = 644 ]
	run "$ROOT/usr/bin/mfa" --version
	[ "$status" -eq 0 ]
	[[ "$output" == "mfa "* ]]
	cmp "$ROOT/usr/share/man/man1/mfa.1" man/mfa.1
	cmp "$ROOT/usr/share/man/man5/mfa-vault.5" man/mfa-vault.5
	cmp "$ROOT/usr/share/bash-completion/completions/mfa" <("$ROOT/usr/bin/mfa" completion bash)
	cmp "$ROOT/usr/share/zsh/site-functions/_mfa" <("$ROOT/usr/bin/mfa" completion zsh)
	cmp "$ROOT/usr/share/fish/vendor_completions.d/mfa.fish" <("$ROOT/usr/bin/mfa" completion fish)

	run mk uninstall PREFIX=/usr
	[ "$status" -eq 0 ] || { echo "$output" >&2; false; }
	for f in $FILES; do
		[ ! -e "$ROOT/usr/$f" ] || { echo "left behind: /usr/$f" >&2; false; }
	done
}

@test "the default PREFIX is /usr/local, and make install is repeatable" {
	mk install
	mk install
	for f in $FILES; do
		[ -f "$ROOT/usr/local/$f" ] || { echo "missing /usr/local/$f" >&2; false; }
	done
	mk uninstall
	for f in $FILES; do
		[ ! -e "$ROOT/usr/local/$f" ]
	done
}

@test "man finds both installed pages" {
	command -v man > /dev/null || skip "man-db not installed"
	mk install PREFIX=/usr
	run env MANPATH="$ROOT/usr/share/man" man -w mfa
	[ "$status" -eq 0 ]
	[ "$output" = "$ROOT/usr/share/man/man1/mfa.1" ]
	run env MANPATH="$ROOT/usr/share/man" man -w 5 mfa-vault
	[ "$status" -eq 0 ]
	[ "$output" = "$ROOT/usr/share/man/man5/mfa-vault.5" ]
	run env MANPATH="$ROOT/usr/share/man" MANWIDTH=80 man 1 mfa
	[ "$status" -eq 0 ]
	[[ "$output" == *"virtual MFA device"* ]]
}

@test "bash-completion loads the installed script on demand" {
	bc=/usr/share/bash-completion/bash_completion
	[ -r "$bc" ] || skip "bash-completion not installed (Debian package bash-completion)"
	mk install PREFIX=/usr
	# Loaded the first time mfa is completed, from
	# $XDG_DATA_DIRS/bash-completion/completions (/usr/local/share and
	# /usr/share when unset).
	run bash --norc --noprofile -c "
		source $bc
		complete -p mfa 2>/dev/null && exit 3
		XDG_DATA_DIRS='$ROOT/usr/share'
		__load_completion mfa && complete -p mfa"
	[ "$status" -eq 0 ]
	[ "$output" = "complete -F _mfa mfa" ]
}

@test "zsh finds _mfa in site-functions" {
	command -v zsh > /dev/null || skip "zsh not installed"
	mk install PREFIX=/usr
	run zsh -f -c "fpath=('$ROOT/usr/share/zsh/site-functions' \$fpath)
		autoload -Uz compinit && compinit -u -d '$T/zcd'
		print -r -- \$_comps[mfa]"
	[ "$status" -eq 0 ]
	[ "$output" = _mfa ]
}

@test "fish finds mfa.fish in vendor_completions.d" {
	command -v fish > /dev/null || skip "fish not installed"
	mk install PREFIX=/usr
	# fish looks in $XDG_DATA_DIRS/fish/vendor_completions.d for the
	# completions of a command it finds in PATH.
	run env XDG_DATA_DIRS="$ROOT/usr/share:/usr/share" HOME="$T" \
		PATH="$ROOT/usr/bin:$PATH" \
		XDG_CONFIG_HOME="$T/config" XDG_DATA_HOME="$T/data" \
		fish -c 'complete -C "mfa co"'
	[ "$status" -eq 0 ]
	[ "$(cut -f1 <<< "$output" | sort | tr '\n' ' ')" = "code completion " ]
}

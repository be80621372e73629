#!/usr/bin/env bats
# The man pages: both lint clean under mandoc and groff, and
# mfa(1) documents what the program really has: every command of `mfa help`
# in SYNOPSIS and COMMANDS, every option of `mfa help COMMAND` in that
# command's part of COMMANDS, every environment variable the sources read
# in ENVIRONMENT, every format, and examples that the parser accepts.
load helpers

MAN1=man/mfa.1
MAN5=man/mfa-vault.5

setup() {
	mfa_setup
	command -v mandoc > /dev/null || skip "mandoc not installed (Debian package mandoc)"
	mandoc -T ascii -O width=250 "$MAN1" | col -bx > "$T/mfa.txt"
}

teardown() {
	mfa_teardown
}

# The text of section $1 of the rendered page (headings excluded).
section() {
	awk -v s="$1" '
		/^[A-Z][A-Z ]*[A-Z]$/ { on = ($0 == s); next }
		on' "$T/mfa.txt"
}

# The text of the subsections of COMMANDS whose title is $1 or starts with
# "$1 " (aws: "aws enroll", "aws codes", "aws session").
command_part() {
	section COMMANDS | awk -v c="$1" '
		/^   [^ ]/ { t = substr($0, 4); on = (t == c || index(t, c " ") == 1); next }
		on'
}

help_commands() {
	"$MFA_BIN" help | sed -n '/^Commands:/,/^$/p' | awk 'NF > 1 { print $1 }'
}

# Every command path: the commands and their subcommands ("aws session").
help_paths() {
	local c s
	for c in $(help_commands); do
		echo "$c"
		for s in $("$MFA_BIN" help "$c" | sed -n '/^Subcommands:/,/^$/p' | awk 'NF > 1 { print $1 }'); do
			echo "$c $s"
		done
	done
}

# The options of a command path that are its own (help's "Options:").
help_long_opts() {
	"$MFA_BIN" help $1 | sed -n '/^Options:/,/^$/p' |
		grep -oE -- '--[a-z0-9][a-z0-9-]*' | sort -u
}

# Environment variables the sources read: getenv("X") and the wrappers
# around it (pass_env("X"), clip_env_set("X")...), and getenv(MACRO) with
# MACRO #defined to a string.
source_env_vars() {
	{
		grep -rhoE '[a-z_]*env[a-z_]*\("[A-Z][A-Z0-9_]*"' src |
			sed -E 's/.*\("//; s/"$//'
		for m in $(grep -rhoE 'getenv\([A-Z][A-Z0-9_]*\)' src |
			sed -E 's/getenv\(//; s/\)//' | sort -u); do
			grep -rhE "^#define $m \"" src include |
				sed -E 's/.*"(.*)".*/\1/'
		done
	} | sort -u
}

@test "mandoc -T lint: both pages clean" {
	for p in "$MAN1" "$MAN5"; do
		[ -f "$p" ] || { echo "missing $p" >&2; false; }
		run mandoc -T lint "$p"
		[ -z "$output" ] || { echo "$output" >&2; false; }
		[ "$status" -eq 0 ]
	done
}

@test "groff (man --warnings): both pages clean" {
	command -v man > /dev/null || skip "man-db not installed"
	for p in "$MAN1" "$MAN5"; do
		[ -f "$p" ] || { echo "missing $p" >&2; false; }
		run sh -c "MANWIDTH=80 LC_ALL=C.UTF-8 man --warnings -l '$p' 2>&1 > /dev/null"
		[ -z "$output" ] || { echo "$output" >&2; false; }
		[ "$status" -eq 0 ]
	done
}

@test "mfa.1 has the sections a user looks for" {
	for s in NAME SYNOPSIS DESCRIPTION OPTIONS COMMANDS FORMATS ENVIRONMENT \
		FILES "EXIT STATUS" SECURITY EXAMPLES "SEE ALSO"; do
		grep -qx "$s" "$T/mfa.txt" || { echo "no section $s" >&2; false; }
	done
}

@test "every command of mfa help is in SYNOPSIS and has its part in COMMANDS" {
	cmds=$(help_paths)
	[ "$(wc -l <<< "$cmds")" -ge 18 ]
	syn=$(section SYNOPSIS)
	while IFS= read -r c; do
		grep -qE "^ *mfa $c( |$)" <<< "$syn" ||
			{ echo "mfa $c not in SYNOPSIS" >&2; false; }
		[ -n "$(command_part "$c")" ] ||
			{ echo "no part for $c in COMMANDS" >&2; false; }
	done <<< "$cmds"
	# Subcommands were walked too.
	grep -qx "aws session" <<< "$cmds"
}

@test "every option of every command is documented in that command's part" {
	while IFS= read -r c; do
		part=$(command_part "$c")
		for o in $(help_long_opts "$c"); do
			grep -qE -- "(^|[^a-z-])$o([^a-z-]|$)" <<< "$part" ||
				{ echo "$c $o not documented in COMMANDS" >&2; false; }
		done
	done <<< "$(help_paths)"
}

@test "the global options are documented in OPTIONS" {
	opts=$(section OPTIONS)
	glob=$("$MFA_BIN" help code | sed -n '/^Global options:/,/^$/p' |
		grep -oE -- '--[a-z0-9][a-z0-9-]*' | sort -u)
	[ -n "$glob" ]
	for o in $glob --version; do
		grep -qE -- "(^|[^a-z-])$o([^a-z-]|$)" <<< "$opts" ||
			{ echo "$o not in OPTIONS" >&2; false; }
	done
}

@test "every environment variable the sources read is in ENVIRONMENT" {
	vars=$(source_env_vars)
	for v in MFA_VAULT MFA_PASSPHRASE_FILE MFA_CACHE_TTL; do
		grep -qx "$v" <<< "$vars" # the extraction itself works
	done
	env=$(section ENVIRONMENT)
	for v in $vars; do
		grep -qE "^       $v( |\$)" <<< "$env" ||
			{ echo "$v not in ENVIRONMENT" >&2; false; }
	done
	# And the ones DESIGN.md and the issues name, read or not.
	for v in MFA_VAULT XDG_DATA_HOME MFA_PASSPHRASE_FILE MFA_PASSPHRASE_COMMAND \
		MFA_PASSPHRASE MFA_NEW_PASSPHRASE_FILE MFA_NEW_PASSPHRASE \
		MFA_IMPORT_PASSPHRASE_FILE MFA_IMPORT_PASSPHRASE MFA_CACHE_TTL \
		MFA_AWS_CLI MFA_CLIP_TIME NO_COLOR AWS_SHARED_CREDENTIALS_FILE; do
		grep -qE "^       $v( |\$)" <<< "$env" ||
			{ echo "$v not in ENVIRONMENT" >&2; false; }
	done
	# MFA_PASSPHRASE is documented as the weakest source.
	awk '/^       MFA_PASSPHRASE$/ { on = 1; next } /^       [A-Z]/ { on = 0 } on' <<< "$env" |
		grep -q weakest
}

@test "FILES, EXIT STATUS and SEE ALSO say what the contract says" {
	files=$(section FILES)
	for f in mfa/vault vault.bak vault.lock; do
		grep -qF "$f" <<< "$files"
	done
	ex=$(section "EXIT STATUS")
	for n in 0 1 2 3; do
		grep -qE "^       $n( |$)" <<< "$ex"
	done
	see=$(section "SEE ALSO")
	for m in 'mfa-vault(5)' 'oathtool(1)' 'zbarimg(1)' 'aws(1)'; do
		grep -qF "$m" <<< "$see"
	done
}

@test "FORMATS describes every import and export format mfa accepts" {
	fmts=$(section FORMATS)
	# Import formats, as `mfa help import` lists them.
	imp=$("$MFA_BIN" help import | grep -E -- '--format' |
		sed -E 's/.*--format FORMAT *//; s/\(.*//; s/,| or / /g')
	[ "$(wc -w <<< "$imp")" -ge 8 ]
	for f in $imp; do
		grep -qE "^       $f( |$)" <<< "$fmts" ||
			{ echo "import format $f not in FORMATS" >&2; false; }
		# ...and the program takes the name.
		run "$MFA_BIN" import -f "$f" --dry-run /dev/null
		[[ "$output" != *"unknown format"* ]]
	done
	# Export formats, as `mfa help export` lists them.
	exp=$("$MFA_BIN" help export | grep -E -- '--format' |
		sed -E 's/.*--format FORMAT *//; s/\(default\)//; s/,| or / /g')
	[ "$(wc -w <<< "$exp")" -ge 4 ]
	for f in $exp; do
		awk '/^   Export formats/ { on = 1; next } /^   [^ ]/ { on = 0 } on' <<< "$fmts" |
			grep -qE "^       $f( |$)" ||
			{ echo "export format $f not in FORMATS" >&2; false; }
	done
}

@test "the JSON example in FORMATS is what mfa import reads" {
	awk '/^   The mfa JSON format/ { on = 1; next } /^   [^ ]/ { on = 0 } on' \
		<<< "$(section FORMATS)" | sed -n '/^ *{ *$/,$p' | tac |
		sed -n '/^ *} *$/,$p' | tac > "$T/example.json"
	/usr/bin/python3 -m json.tool "$T/example.json" > /dev/null
	run mfa import -f json --dry-run "$T/example.json"
	[ "$status" -eq 0 ]
	[[ "$output" == *"would import Example:alice@example.com (totp)"* ]]
	# Imported for real, it gives the codes oathtool gives for its secret.
	mfa_init
	mfa import "$T/example.json" > /dev/null 2>&1
	secret=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["entries"][0]["secret"])' "$T/example.json")
	[ "$(mfa code alice --at 1111111109)" = "$(oathtool --totp -N @1111111109 "$(b32hex "$secret")")" ]
}

@test "every mfa command line in EXAMPLES is accepted by the parser" {
	ex=$(section EXAMPLES)
	# Join continued lines, keep "$ mfa ..." lines and credential_process
	# lines, cut at && or |.
	lines=$(sed -e ':a' -e '/\\$/N; s/\\\n *//; ta' <<< "$ex" |
		sed -nE 's/^ *\$ (mfa .*)/\1/p; s/^ *credential_process = (mfa .*)/\1/p' |
		sed -E 's/ (&&|\|) .*//')
	[ "$(wc -l <<< "$lines")" -ge 15 ]
	grep -q 'mfa aws session .*--format credential-process' <<< "$lines"
	grep -q 'mfa import .*Screenshot' <<< "$lines"
	grep -q 'mfa import aegis' <<< "$lines"
	export MFA_VAULT="$T/none/vault"
	while IFS= read -r l; do
		# --help after the options: parsed in full, nothing run.
		run bash -c "set -f; eval \"set -- \${1#mfa }\"; exec \"\$MFA_BIN\" \"\$@\" --help" \
			bash "$l"
		[ "$status" -eq 0 ] || { echo "example not accepted: $l: $output" >&2; false; }
	done <<< "$lines"
}

@test "the man page's MFA_CACHE_TTL and MFA_CLIP_TIME defaults match the program" {
	env=$(section ENVIRONMENT)
	grep -A2 -E '^       MFA_CACHE_TTL$' <<< "$env" | grep -q 'default 300'
	grep -A2 -E '^       MFA_CLIP_TIME$' <<< "$env" | grep -q 'default'
	"$MFA_BIN" help unlock | grep -q 'or 300'
	"$MFA_BIN" help code | grep -qE 'MFA_CLIP_TIME seconds \(default 45\)'
	grep -A3 -E '^       MFA_CLIP_TIME$' <<< "$env" | grep -q '45'
}

#!/usr/bin/env bats
# The command model: one parser for every command and option, global options
# anywhere on the line, help generated from the same tables.

load helpers
bats_require_minimum_version 1.5.0

setup() {
	mfa_setup
}

teardown() {
	mfa_teardown
}

# Every command path mfa help lists, subcommands included ("aws session").
command_paths() {
	local c s
	for c in $("$MFA_BIN" help | sed -n '/^Commands:/,/^$/p' | awk 'NF > 1 { print $1 }'); do
		echo "$c"
		for s in $("$MFA_BIN" help "$c" | sed -n '/^Subcommands:/,/^$/p' | awk 'NF > 1 { print $1 }'); do
			echo "$c $s"
		done
	done
}

# The options `mfa help PATH` lists (its own, its parents', the global
# ones), one a line: "--name" or "--name ARG".
path_options() {
	"$MFA_BIN" help $1 | sed -n '/^Options/,$p' |
		sed -nE 's/^ +(-[a-zA-Z], )?(--[a-z0-9-]+)( [A-Za-z]+)?  .*/\2\3/p' | sort -u
}

# Positionals that satisfy PATH: the required words of its usage line
# ("QUERY NEW"; a word list gives its first word; FILE... one file).
path_positionals() {
	local line w out=()
	line=$("$MFA_BIN" help $1 | sed -n '1p' | sed -E "s/^usage: mfa $1 ?//")
	for w in $line; do
		[[ $w == \[* ]] && break
		w=${w%...}
		w=${w%%|*}
		out+=("$w")
	done
	echo "${out[@]}"
}

@test "every option of every command parses before and after the positionals, as --opt V and --opt=V" {
	local n=0 path opt name arg pos a b late
	while read -r path; do
		[ "$path" = help ] && continue
		pos=$(path_positionals "$path")
		while read -r opt; do
			[ -n "$opt" ] || continue
			name=${opt%% *}
			arg=
			[[ $opt == *" "* ]] && arg=V1
			[ "$name" = --help ] || [ "$name" = --version ] && continue
			a=$("$MFA_BIN" parse -- $path $name $arg $pos < /dev/null) || {
				echo "parse failed: $path $name $arg $pos" >&2
				return 1
			}
			late=$name
			[ -n "$arg" ] && late=$name=$arg
			b=$("$MFA_BIN" parse -- $path $pos $late < /dev/null) || {
				echo "parse failed: $path $pos $name=$arg" >&2
				return 1
			}
			# The same command, option and positionals either way.
			[ "$a" = "$b" ] || { echo "differ: $path $name: $a / $b" >&2; return 1; }
			grep -qxF -- "command=$path" <<< "$a"
			grep -qxF -- "$name=${arg}" <<< "$a"
			n=$((n + 1))
		done <<< "$(path_options "$path")"
	done <<< "$(command_paths)"
	# Every command and the aws subcommands were walked.
	echo "checked $n" >&3; [ "$n" -ge 100 ]
}

@test "global options stand before the command, after it, and after its arguments" {
	for form in "--vault X code Q" "code --vault X Q" "code Q --vault X" "code Q --vault=X" "--vault=X code Q"; do
		run "$MFA_BIN" parse -- $form
		[ "$status" -eq 0 ]
		[ "$output" = "$(printf 'command=code\n--vault=X\narg=Q')" ]
	done
}

@test "mfa --passphrase-fd=3 list works as mfa list --passphrase-fd=3 does" {
	mfa_init
	echo JBSWY3DPEHPK3PXP | mfa add alice > /dev/null
	unset MFA_PASSPHRASE_FILE
	run notty "$MFA_BIN" --passphrase-fd=3 list 3< "$T/pass"
	[ "$status" -eq 0 ]
	[[ "$output" == *alice* ]]
	run notty "$MFA_BIN" list --passphrase-fd 3 3< "$T/pass"
	[ "$status" -eq 0 ]
	[[ "$output" == *alice* ]]
	# Without it there is no passphrase: the option really was used.
	run notty "$MFA_BIN" list
	[ "$status" -eq 1 ]
}

@test "-- ends options: a name that starts with a dash" {
	run "$MFA_BIN" parse -- code -- --at
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'command=code\narg=--at')" ]
	mfa_init
	echo JBSWY3DPEHPK3PXP | mfa add -- -dash > /dev/null
	run mfa list
	[[ "$output" == *-dash* ]]
}

@test "short options: clusters, attached and separate values" {
	run "$MFA_BIN" parse -- add -fd8 x
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'command=add\n--force=\n--digits=8\narg=x')" ]
	run "$MFA_BIN" parse -- add -d 8 -f x
	[ "$output" = "$(printf 'command=add\n--digits=8\n--force=\narg=x')" ]
}

@test "usage errors name the fault, once, with the command's usage" {
	run --separate-stderr "$MFA_BIN" code --at
	[ "$status" -eq 2 ]
	[ "$(grep -c '^mfa: ' <<< "$stderr")" -eq 1 ]
	[ "$(grep -c '^usage: ' <<< "$stderr")" -eq 1 ]
	[[ "$stderr" == *"option '--at' needs a value"* ]]
	run --separate-stderr "$MFA_BIN" list --json=yes
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"option '--json' takes no value"* ]]
	run --separate-stderr "$MFA_BIN" --issuer x add
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"takes no --issuer (it is an option of mfa add)"* ]]
	run --separate-stderr "$MFA_BIN" add --totp --hotp x
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"--totp and --hotp exclude each other"* ]]
	run --separate-stderr "$MFA_BIN" rename onlyone
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"too few arguments"* ]]
	run --separate-stderr "$MFA_BIN" code a b
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"unexpected argument 'b'"* ]]
	run --separate-stderr "$MFA_BIN" code --version
	[ "$status" -eq 2 ]
}

@test "long options may be shortened to a unique prefix; an ambiguous one is an error" {
	run "$MFA_BIN" parse -- export --form json
	[ "$status" -eq 0 ]
	[[ "$output" == *"--format=json"* ]]
	run --separate-stderr "$MFA_BIN" parse -- add --no x
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"ambiguous option '--no'"* ]]
}

@test "help for a subcommand shows its own options, its parents' and the global ones" {
	run "$MFA_BIN" help aws session
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "usage: mfa aws session"* ]]
	[[ "$output" == *"--role-arn ARN"* ]]
	[[ "$output" == *"Global options:"* ]]
	[[ "$output" != *"--user-name"* ]]
	run "$MFA_BIN" aws session --help
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "usage: mfa aws session"* ]]
	run --separate-stderr "$MFA_BIN" help aws nope
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"unknown aws subcommand 'nope'"* ]]
}

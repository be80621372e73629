#!/usr/bin/env bats
# Codes sent to AWS are spent whichever command prints them, names people
# can type, the README's AWS examples run as written, and what mfa's
# children (the AWS CLI, the passphrase command, clipboard programs) get.
#
# AWS: Debian's AWS CLI v2 (/usr/bin/aws) through tests/tools/aws/aws-wrapper
# (--endpoint-url), against moto_server (accepts any code) and
# tests/tools/aws/standin.py (checks codes with python3-pyotp and refuses a
# step it has seen). A missing server or tool skips the tests that need it,
# with the reason.

bats_require_minimum_version 1.5.0

TOOLS="$BATS_TEST_DIRNAME/../tools/aws"
ACCT=123456789012

setup_file() {
	export AWS_T
	AWS_T=$(mktemp -d "${BATS_TMPDIR:-/tmp}/mfa-steps.XXXXXX")
	export MOTO_WHY="" STANDIN_WHY=""
	if [ ! -x /usr/bin/aws ]; then
		MOTO_WHY="Debian's awscli (/usr/bin/aws) is not installed"
		STANDIN_WHY=$MOTO_WHY
	else
		start_servers "$AWS_T"
	fi
	printf 'test passphrase\n' > "$AWS_T/pass"
}

# start_servers DIR: moto and the stand-in, their ports in DIR; sets
# MOTO_WHY / STANDIN_WHY when one cannot run.
start_servers() {
	local rc=0
	"$TOOLS/moto-start" "$1" || rc=$?
	case $rc in
	0) ;;
	77) MOTO_WHY="no moto_server (not in PATH, nor ${MFA_BUILD:-build}/moto/bin; make deps or pip install 'moto[server]')" ;;
	*) MOTO_WHY="moto_server did not start: $(tail -3 "$1/moto.log")" ;;
	esac
	rc=0
	"$TOOLS/standin-start" "$1" || rc=$?
	case $rc in
	0) ;;
	77) STANDIN_WHY="python3-pyotp is missing for /usr/bin/python3" ;;
	*) STANDIN_WHY="the stand-in server did not start: $(cat "$1/standin.err")" ;;
	esac
}

stop_servers() {
	"$TOOLS/server-stop" "$1" moto
	"$TOOLS/server-stop" "$1" standin
}

teardown_file() {
	stop_servers "$AWS_T"
	rm -rf "$AWS_T"
}

setup() {
	MFA_BIN=${MFA_BIN:-./mfa}
	case "$MFA_BIN" in
	/*) ;;
	*) MFA_BIN="$PWD/$MFA_BIN" ;;
	esac
	[ -x "$MFA_BIN" ] || skip "no mfa binary at $MFA_BIN"
	export MFA_BIN
	T=$BATS_TEST_TMPDIR
	export HOME="$T/home"
	mkdir -p "$HOME"
	export MFA_PASSPHRASE_FILE="$AWS_T/pass" MFA_CACHE_TTL=0
	export MFA_VAULT="$T/vault"
	unset MFA_PASSPHRASE MFA_PASSPHRASE_COMMAND MFA_AWS_NESTED MFA_NEW_PASSPHRASE \
		MFA_NEW_PASSPHRASE_FILE MFA_IMPORT_PASSPHRASE MFA_IMPORT_PASSPHRASE_FILE
	export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
	export AWS_DEFAULT_REGION=us-east-1
	export AWS_CONFIG_FILE="$T/aws-config"
	export AWS_SHARED_CREDENTIALS_FILE="$T/aws-credentials"
	unset AWS_PROFILE AWS_SESSION_TOKEN AWS_DEFAULT_PROFILE
	export MFA_AWS_CLI="$(cd "$TOOLS" && pwd)/aws-wrapper"
}

mfa_init() {
	"$MFA_BIN" init --kdf-ops 1 --kdf-mem 1 > /dev/null 2>&1
}

# py CODE ARGS...: Debian's Python (the one with python3-pyotp).
py() {
	local code=$1
	shift
	/usr/bin/python3 -c "$code" "$@"
}

need_pyotp() {
	/usr/bin/python3 -c 'import pyotp' 2> /dev/null ||
		skip "python3-pyotp is missing for /usr/bin/python3"
}

# --- the passphrase prompt ---------------------------------------------------

@test "echo comes back when mfa dies at a passphrase prompt, crashes included" {
	command -v /usr/bin/python3 > /dev/null || skip "no /usr/bin/python3"
	unset MFA_PASSPHRASE_FILE
	for sig in INT TERM HUP QUIT SEGV ABRT BUS FPE ILL TRAP SYS; do
		run "$TOOLS/ptysig" 'assphrase: ' "$sig" "$MFA_BIN" init
		echo "$sig: $output"
		[ "$status" -eq 0 ]
		[[ "$output" == "killed by SIG$sig; echo at the prompt: off; echo after: on" ]]
	done
	# Ctrl-Z: echo on while stopped, off again when the prompt resumes.
	run "$TOOLS/ptysig" 'assphrase: ' TSTP "$MFA_BIN" init
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "stopped: echo on; continued: echo off" ]]
	[ ! -e "$MFA_VAULT" ]
}

# --- what mfa's children get -------------------------------------------------

# childcheck_json ROLE EXPR: a Python expression over the report r.
childcheck() {
	py 'import json,sys; r = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' \
		"$CHILDCHECK_DIR/$1.json" "$2"
}

setup_childcheck() {
	export CHILDCHECK_DIR="$T/cc"
	mkdir -p "$CHILDCHECK_DIR" "$T/ccbin"
	for p in wl-copy:copy wl-paste:paste; do
		printf '#!/bin/sh\nexec "%s" %s "$@"\n' "$TOOLS/childcheck" "${p#*:}" > "$T/ccbin/${p%:*}"
		chmod +x "$T/ccbin/${p%:*}"
	done
	printf 'not for children\n' > "$T/other-fd"
}

@test "the passphrase command: stdin /dev/null, no descriptor or passphrase variable of ours" {
	need_pyotp
	setup_childcheck
	mfa_init
	unset MFA_PASSPHRASE_FILE
	export MFA_PASSPHRASE_COMMAND="'$TOOLS/childcheck' pass"
	export CHILDCHECK_SAY="test passphrase"
	export MFA_NEW_PASSPHRASE_FILE="$AWS_T/pass" MFA_IMPORT_PASSPHRASE=import-secret
	# The secret is piped to mfa: the helper must not be able to take it.
	run --separate-stderr "$MFA_BIN" add piped 7< "$T/other-fd" <<< JBSWY3DPEHPK3PXP
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	[ "$(childcheck pass 'repr(r["stdin"])')" = "''" ]
	[ "$(childcheck pass 'r["fds"]["0"]')" = /dev/null ]
	[ "$(childcheck pass 'sorted(r["fds"])')" = "['0', '1', '2']" ]
	[ "$(childcheck pass '[v for v in r["mfa_vars"] if "PASSPHRASE" in v]')" = "[]" ]
	# The secret reached the vault whole.
	t=$(date +%s)
	[ "$("$MFA_BIN" code piped --at "$t")" = \
		"$(py 'import pyotp,sys; print(pyotp.TOTP("JBSWY3DPEHPK3PXP").at(int(sys.argv[1])))' "$t")" ]
}

@test "the AWS CLI: stdin /dev/null, no descriptor or passphrase variable of ours" {
	setup_childcheck
	mfa_init
	echo JBSWY3DPEHPK3PXP | "$MFA_BIN" add solo --serial "arn:aws:iam::$ACCT:mfa/solo" > /dev/null
	export MFA_AWS_CLI="$T/ccbin/aws"
	printf '#!/bin/sh\nexec "%s" aws "$@"\n' "$TOOLS/childcheck" > "$MFA_AWS_CLI"
	chmod +x "$MFA_AWS_CLI"
	export MFA_NEW_PASSPHRASE=new-secret
	run --separate-stderr "$MFA_BIN" --passphrase-fd 8 aws session solo \
		7< "$T/other-fd" 8< "$AWS_T/pass" <<< "stdin of mfa"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"(AccessDenied)"*childcheck* ]]
	[ "$(childcheck aws 'r["fds"]["0"]')" = /dev/null ]
	[ "$(childcheck aws 'repr(r["stdin"])')" = "''" ]
	[ "$(childcheck aws 'sorted(r["fds"])')" = "['0', '1', '2']" ]
	[ "$(childcheck aws '[v for v in r["mfa_vars"] if "PASSPHRASE" in v]')" = "[]" ]
	# And the loop guard.
	[ "$(childcheck aws '"MFA_AWS_NESTED" in r["mfa_vars"]')" = True ]
}

@test "clipboard programs: the code on stdin and nothing else of ours" {
	setup_childcheck
	mfa_init
	echo JBSWY3DPEHPK3PXP | "$MFA_BIN" add github > /dev/null
	export WAYLAND_DISPLAY=wayland-test PATH="$T/ccbin:$PATH" MFA_CLIP_TIME=1
	unset DISPLAY TMUX STY
	run --separate-stderr "$MFA_BIN" code github --copy 7< "$T/other-fd"
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	[[ "$output" =~ ^[0-9]{6}$ ]]
	[ "$(childcheck copy 'r["stdin"]')" = "$output" ]
	[ "$(childcheck copy 'sorted(r["fds"])')" = "['0', '1', '2']" ]
	[ "$(childcheck copy '[v for v in r["mfa_vars"] if "PASSPHRASE" in v]')" = "[]" ]
	# The helper reads the clipboard back a second later to clear it.
	for i in $(seq 50); do
		[ -s "$CHILDCHECK_DIR/paste.json" ] && break
		sleep 0.1
	done
	[ "$(childcheck paste 'r["fds"]["0"]')" = /dev/null ]
	[ "$(childcheck paste 'sorted(r["fds"])')" = "['0', '1', '2']" ]
	[ "$(childcheck paste '[v for v in r["mfa_vars"] if "PASSPHRASE" in v]')" = "[]" ]
}

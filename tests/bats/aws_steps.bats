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

# --- --format credentials-file ----------------------------------------------

# An account with a serial, and the stand-in AWS CLI that hands out the
# session credentials the test chooses (tests/tools/aws/fake-sts).
setup_fake_sts() {
	mfa_init
	echo JBSWY3DPEHPK3PXP | "$MFA_BIN" add solo --serial "arn:aws:iam::$ACCT:mfa/solo" > /dev/null
	export MFA_AWS_CLI="$TOOLS/fake-sts" FAKESTS_LOG="$T/fakests.log"
}

# cp_view FILE: the file as botocore reads it (configparser's
# RawConfigParser), as sorted JSON, or "unreadable: ..." when it cannot.
cp_view() {
	py 'import configparser, json, sys
c = configparser.RawConfigParser()
try:
    c.read(sys.argv[1])
except configparser.Error as e:
    print("unreadable:", type(e).__name__)
    sys.exit(0)
print(json.dumps({s: dict(c[s]) for s in c.sections()}, sort_keys=True))' "$1"
}

# cp_expect BEFORE PROFILE: what cp_view must show after mfa wrote the
# fake-sts session as PROFILE into a file that read as BEFORE: the same,
# except PROFILE's session keys ("expiration" set to the word "any").
cp_expect() {
	py 'import json, sys
v = json.loads(sys.argv[1])
ours = ("aws_access_key_id", "aws_secret_access_key", "aws_session_token",
        "aws_security_token", "expiration")
s = {k: x for k, x in v.get(sys.argv[2], {}).items() if k not in ours}
s.update(aws_access_key_id="ASIAFAKESTS0000000001",
         aws_secret_access_key="fake/secret+key",
         aws_session_token="FwoGZXIvYXdzEfake", expiration="any")
v[sys.argv[2]] = s
print(json.dumps(v, sort_keys=True))' "$1" "$2"
}

# cp_any_expiration JSON: the expiration of every section said as "any"
# (after checking that it is an ISO-8601 time).
cp_any_expiration() {
	py 'import json, re, sys
v = json.loads(sys.argv[1])
for s in v.values():
    if "expiration" in s:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", s["expiration"]), s
        s["expiration"] = "any"
print(json.dumps(v, sort_keys=True))' "$1"
}

@test "credentials-file: read as configparser reads it (indents, continuations, CR line ends)" {
	setup_fake_sts
	f=$AWS_SHARED_CREDENTIALS_FILE
	n=0
	while IFS= read -r -d '' case; do
		n=$((n + 1))
		prof=${case%%|*}
		printf '%b' "${case#*|}" > "$f"
		before=$(cp_view "$f")
		[[ "$before" != unreadable* ]]
		want=$(cp_expect "$before" "$prof")
		run --separate-stderr "$MFA_BIN" aws session solo --format credentials-file \
			--credentials-profile "$prof"
		echo "case $n ($prof): $(printf '%q' "${case#*|}")"
		[ "$status" -eq 0 ] || { echo "$stderr"; false; }
		after=$(cp_any_expiration "$(cp_view "$f")")
		echo "want: $want"
		echo "got:  $after"
		[ "$after" = "$want" ]
		# Written again: the same file.
		sum=$(sha256sum < "$f")
		"$MFA_BIN" aws session solo --format credentials-file --credentials-profile "$prof" > /dev/null
		[ "$(sha256sum < "$f")" = "$sum" ] || [ "$(cp_any_expiration "$(cp_view "$f")")" = "$want" ]
	done < <(printf '%s\0' \
		'p|[p]\naws_session_token = OLD\n  [other]\nregion = x\n' \
		'p|[p]\n  region = x\n  output = json\n' \
		'p|[p]\n\t[q]\nk = v\n' \
		'p|[a]\rk = v\r[p]\raws_session_token = OLD\r  more\rregion = r\r' \
		'p|[a]\r\nk = v\r\n[p]\r\naws_session_token = OLD\r\nregion = r\r\n' \
		'p|[p]\naws_session_token = OLD\n\n   after a blank line\nregion = y\n' \
		'p|[p]\nregion = x\n  aws_session_token = part of region\n' \
		'p|[x]\nk = v\n  [p]\n  aws_access_key_id = AKIALONGTERM\n' \
		'p|[p]\naws_session_token = OLD\n  # a comment\n  more\n; another\nregion = z\n' \
		'p|[p] ; a note\nAWS_Session_Token: OLD\nregion = z' \
		'p|# only a comment\n' \
		'p|[p]\n\n\n' \
		'p|[q]\nk = v\n   [p]')
	[ "$n" -eq 13 ]
	# Only our session was ever fetched: the rest came from the cache.
	[ "$(grep -c get-session-token "$FAKESTS_LOG")" -eq 1 ]
}

@test "credentials-file: a file the AWS CLI cannot read is left alone, naming the line" {
	setup_fake_sts
	f=$AWS_SHARED_CREDENTIALS_FILE
	printf '[a]\nk = v\nno delimiter here\n' > "$f"
	[[ "$(cp_view "$f")" == unreadable* ]]
	sum=$(sha256sum < "$f")
	run --separate-stderr "$MFA_BIN" aws session solo --format credentials-file
	[ "$status" -eq 1 ]
	[ "$stderr" = "mfa: $f: line 3 is neither a [section], an option nor a continuation, so the AWS CLI cannot read this file: fix it first" ]
	[ "$(sha256sum < "$f")" = "$sum" ]
	printf 'k = v\n[a]\n' > "$f"
	run --separate-stderr "$MFA_BIN" aws session solo --format credentials-file
	[ "$status" -eq 1 ]
	[ "$stderr" = "mfa: $f: line 1 is neither a [section], an option nor a continuation, so the AWS CLI cannot read this file: fix it first" ]
}

@test "credentials-file: control characters in the values from STS are refused" {
	setup_fake_sts
	f=$AWS_SHARED_CREDENTIALS_FILE
	printf '[base]\naws_access_key_id = AKIALONGTERM\naws_secret_access_key = s\n' > "$f"
	sum=$(sha256sum < "$f")
	# Each call spends a time step: one account each, so none waits.
	n=0
	for v in FAKESTS_TOKEN FAKESTS_KEY FAKESTS_SECRET; do
		for bad in $'tok\n[base]\naws_access_key_id = EVIL' $'tok\rx' $'a\tb' $'a\033[2Jb'; do
			n=$((n + 1))
			for a in "f$n" "e$n"; do
				echo JBSWY3DPEHPK3PXP | "$MFA_BIN" add "$a" \
					--serial "arn:aws:iam::$ACCT:mfa/$a" > /dev/null
			done
			export "$v=$bad"
			run --separate-stderr "$MFA_BIN" aws session "f$n" --format credentials-file
			[ "$status" -eq 1 ]
			[[ "$stderr" == "mfa: session for f$n: the AWS CLI returned credentials with a control character in them"* ]]
			[ "$(sha256sum < "$f")" = "$sum" ]
			# Never printed in another format, nor cached.
			run --separate-stderr "$MFA_BIN" aws session "e$n" --format env
			[ "$status" -eq 1 ]
			[ -z "$output" ]
			[[ "$stderr" == *"control character"* ]]
			unset "$v"
		done
	done
	[ "$n" -eq 12 ]
	[ "$(grep -c get-session-token "$FAKESTS_LOG")" -eq 24 ]
	# Nothing was cached: a clean answer now costs a new call.
	run --separate-stderr "$MFA_BIN" aws session f1 --format env
	[ "$status" -eq 0 ]
	[ "$(grep -c get-session-token "$FAKESTS_LOG")" -eq 25 ]
}

@test "credentials-file: parallel writers keep every profile (the file is locked)" {
	setup_fake_sts
	f=$AWS_SHARED_CREDENTIALS_FILE
	printf '[base]\naws_access_key_id = AKIALONGTERM\naws_secret_access_key = s\n' > "$f"
	# One session, cached; then twelve writers at once, three times.
	"$MFA_BIN" aws session solo --format credentials-file --credentials-profile p0 > /dev/null
	for round in 1 2 3; do
		pids=()
		for i in $(seq 1 12); do
			"$MFA_BIN" aws session solo --format credentials-file \
				--credentials-profile "r$round-p$i" > "$T/w$i.out" 2>&1 &
			pids+=($!)
		done
		for p in "${pids[@]}"; do
			wait "$p"
		done
	done
	view=$(cp_view "$f")
	[ "$(py 'import json,sys; print(len(json.loads(sys.argv[1])))' "$view")" -eq 38 ]
	for round in 1 2 3; do
		for i in $(seq 1 12); do
			[ "$(py 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]]["aws_session_token"])' \
				"$view" "r$round-p$i")" = FwoGZXIvYXdzEfake ]
		done
	done
	[ "$(grep -c get-session-token "$FAKESTS_LOG")" -eq 1 ]
	[ "$(stat -c %a "$f")" = 600 ]
}

# --- enroll, interrupted ------------------------------------------------------

use_moto() {
	[ -z "$MOTO_WHY" ] || skip "$MOTO_WHY"
	export MFA_TEST_ENDPOINT="http://127.0.0.1:$(cat "$AWS_T/moto.port")"
}

use_standin() {
	[ -z "$STANDIN_WHY" ] || skip "$STANDIN_WHY"
	export MFA_TEST_ENDPOINT="http://127.0.0.1:$(cat "$AWS_T/standin.port")"
}

awscli() {
	"$TOOLS/aws-wrapper" "$@"
}

# enroll_killed N OP WHEN SIG [group]: mfa aws enroll (device dN, account
# aN, user uN unless OP is get-user) paused WHEN (before/after) the AWS call
# OP, SIG sent to mfa there (to its whole process group with "group", as a
# terminal's Ctrl-C is), then let go. Sets killed_status, killed_err, and
# checks that no file of the run's $TMPDIR is left.
enroll_killed() {
	local n=$1 op=$2 when=$3 sig=$4 group=${5:-} pid i
	export PAUSE_OP=$op PAUSE_WHEN=$when PAUSE_DIR="$T/pause$n"
	mkdir -p "$PAUSE_DIR" "$T/tmp$n"
	local args=(aws enroll --device-name "d$n" --name "a$n")
	if [ "$op" != get-user ]; then
		awscli iam create-user --user-name "u$n" > /dev/null
		args+=(--user-name "u$n")
	fi
	# A job started with & ignores SIGINT: undo that, as a shell does for
	# a job in the foreground (in a group of its own with "group").
	TMPDIR="$T/tmp$n" MFA_AWS_CLI="$TOOLS/aws-pause" /usr/bin/python3 -c '
import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
signal.signal(signal.SIGQUIT, signal.SIG_DFL)
if sys.argv[1] == "group":
    os.setsid()
os.execv(sys.argv[2], sys.argv[2:])' "${group:-one}" "$MFA_BIN" "${args[@]}" \
		> "$T/out$n" 2> "$T/err$n" < /dev/null &
	pid=$!
	for i in $(seq 600); do
		[ -e "$PAUSE_DIR/paused" ] && break
		sleep 0.05
	done
	[ -e "$PAUSE_DIR/paused" ] || { cat "$T/err$n"; return 1; }
	if [ -n "$group" ]; then
		kill "-$sig" -- "-$pid"
	else
		kill "-$sig" "$pid"
	fi
	touch "$PAUSE_DIR/go"
	killed_status=0
	wait "$pid" || killed_status=$?
	killed_err=$(cat "$T/err$n")
	# The seed never touched a disk: nothing in $TMPDIR, ever.
	[ -z "$(ls -A "$T/tmp$n")" ]
}

# The device dN as moto has it: "none", "made SEED" or "enabled SEED USER".
moto_device() {
	awscli iam list-virtual-mfa-devices --output json | py 'import base64, json, sys
for d in json.load(sys.stdin)["VirtualMFADevices"]:
    if d["SerialNumber"].endswith("/" + sys.argv[1]):
        seed = base64.b64decode(d["Base32StringSeed"]).decode()
        if "User" in d:
            print("enabled", seed, d["User"]["UserName"])
        else:
            print("made", seed)
        break
else:
    print("none")' "d$1"
}

# The secret mfa keeps for account aN ("none" when there is none).
vault_seed() {
	"$MFA_BIN" show "a$1" --uri 2> /dev/null | sed -n 's/.*[?&]secret=\([A-Z2-7]*\).*/\1/p' | grep . || echo none
}

@test "enroll killed at each point: the seed never on disk, AWS and the vault agree" {
	use_moto
	mfa_init
	n=0
	while read -r op when sig group state status; do
		n=$((n + 1))
		[ "$group" = - ] && group=""
		enroll_killed "$n" "$op" "$when" "$sig" "$group"
		dev=$(moto_device "$n")
		vs=$(vault_seed "$n")
		echo "$n: $op $when $sig $group: status $killed_status, device $dev, vault $vs"
		echo "$killed_err"
		[ "$killed_status" -eq "$status" ]
		set -- $dev
		case $state in
		none)
			[ "$dev" = none ]
			[ "$vs" = none ]
			[ "${killed_err##*$'\n'}" = "mfa: enroll: interrupted before the device was made: nothing was changed" ]
			;;
		saved)
			[ "$1" = made ]
			[ "$vs" = "$2" ]
			[[ "$killed_err" == *"mfa: the virtual MFA device arn:aws:iam::$ACCT:mfa/d$n exists but is NOT enabled; its seed is safe in the vault as \"Amazon Web Services:a$n\""* ]]
			[ "${killed_err##*$'\n'}" = "mfa: enroll: interrupted before the device was enabled" ]
			;;
		enabled)
			[ "$1" = enabled ] && [ "$3" = "u$n" ]
			[ "$vs" = "$2" ]
			grep -q "enabled it for IAM user u$n" "$T/out$n"
			;;
		lost)
			# SIGKILL cannot be caught: the device stays without a
			# seed, but no seed is left behind anywhere either.
			[ "$1" = made ]
			[ "$vs" = none ]
			;;
		esac
	done <<-EOF
	get-user before TERM - none 143
	get-user before INT group none 130
	create-virtual-mfa-device before INT - saved 130
	create-virtual-mfa-device after TERM - saved 143
	create-virtual-mfa-device after HUP - saved 129
	create-virtual-mfa-device after INT group saved 130
	enable-mfa-device before TERM - enabled 0
	enable-mfa-device before INT group enabled 0
	enable-mfa-device after HUP - enabled 0
	create-virtual-mfa-device after KILL - lost 137
	EOF
	[ "$n" -eq 10 ]
}

# --- codes sent to AWS are spent, whichever command prints them ---------------

# Every time step the stand-in accepted for SERIAL, one request a line.
standin_steps() {
	py 'import json,sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r.get("serial") == sys.argv[2] and r["ok"] and "steps" in r:
        print(" ".join(map(str, r["steps"])))' "$AWS_T/standin.log" "$1"
}

# totp SECRET STEP: the code of that step, from pyotp.
totp() {
	py 'import pyotp,sys; print(pyotp.TOTP(sys.argv[1]).at(int(sys.argv[2]) * 30))' "$1" "$2"
}

# Until at least $1 seconds are left in the current 30-second step, so that
# what follows happens within one step (alignment, not a measurement).
align_step() {
	while [ $((30 - $(date +%s) % 30)) -lt "$1" ]; do
		sleep 0.2
	done
}

@test "mfa code for an AWS account: spends its step, says why it waits, on stderr" {
	need_pyotp
	mfa_init
	s=JBSWY3DPEHPK3PXP
	echo "$s" | "$MFA_BIN" add waiter --issuer "Amazon Web Services" \
		--serial "arn:aws:iam::$ACCT:mfa/waiter" > /dev/null
	echo "$s" | "$MFA_BIN" add plain --issuer GitHub > /dev/null
	align_step 8
	step=$(($(date +%s) / 30))
	one=$("$MFA_BIN" code waiter 2> "$T/err1")
	two=$("$MFA_BIN" code waiter 2> "$T/err2")
	# The first is this step's code, said without a word; the second
	# waited for the next step, said so in one line on stderr, and
	# printed nothing but the code.
	[ "$one" = "$(totp "$s" "$step")" ]
	[ ! -s "$T/err1" ]
	[ "$two" = "$(totp "$s" $((step + 1)))" ]
	[ "$(wc -l < "$T/err2")" -eq 1 ]
	[[ "$(cat "$T/err2")" =~ ^mfa:\ waiting\ ([0-9]+)s\ for\ a\ fresh\ code\ \(this\ time\ step\'s\ code\ was\ already\ used\ for\ this\ AWS\ account,\ and\ AWS\ refuses\ a\ code\ used\ twice\)$ ]]
	[ "${BASH_REMATCH[1]}" -ge 1 ] && [ "${BASH_REMATCH[1]}" -le 30 ]
	# --at and --next neither wait nor record: the vault stays as it is.
	sum=$(sha256sum < "$MFA_VAULT")
	[ "$("$MFA_BIN" code waiter --at $(((step + 1) * 30)) 2> "$T/err3")" = "$(totp "$s" $((step + 1)))" ]
	[ "$("$MFA_BIN" code waiter --next 2>> "$T/err3")" = "$(totp "$s" $(($(date +%s) / 30 + 1)))" ]
	[ ! -s "$T/err3" ]
	[ "$(sha256sum < "$MFA_VAULT")" = "$sum" ]
	# An account without a serial: as before, nothing recorded.
	[ "$("$MFA_BIN" code plain)" = "$(totp "$s" $(($(date +%s) / 30)))" ]
	[ "$(sha256sum < "$MFA_VAULT")" = "$sum" ]
	# The recorded step is the one aws session starts after.
	run --separate-stderr "$MFA_BIN" aws codes waiter
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^code\ 1\ \(step\ ([0-9]+)\): ]]
	[ "${BASH_REMATCH[1]}" -gt $((step + 1)) ]
}

@test "the strict stand-in: the README's one-liner after enroll, then session, then code again" {
	use_standin
	need_pyotp
	export MFA_VAULT="$AWS_T/standin.vault"
	mfa_init
	run --separate-stderr "$MFA_BIN" aws enroll
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	serial="arn:aws:iam::$ACCT:mfa/alice"
	# Right after enroll: enroll's steps are spent, mfa code waits.
	out=$(awscli sts get-session-token --serial-number "$serial" \
		--token-code "$("$MFA_BIN" code alice)" --output json)
	[ "$(py 'import json,sys; print(json.loads(sys.argv[1])["Credentials"]["AccessKeyId"][:4])' "$out")" = ASIA ]
	# A session after mfa code: never the step mfa code handed out.
	run --separate-stderr "$MFA_BIN" --no-cache aws session alice --format json
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	# And mfa code after a session.
	out=$(awscli sts get-session-token --serial-number "$serial" \
		--token-code "$("$MFA_BIN" code alice)" --output json)
	[ -n "$out" ]
	# Four calls, five steps, each later than the one before; the
	# stand-in refused nothing.
	run standin_steps "$serial"
	[ "${#lines[@]}" -eq 4 ]
	all=$(printf '%s\n' "${lines[@]}" | tr ' ' '\n')
	[ "$(printf '%s\n' "$all" | sort -n | uniq | wc -l)" -eq 5 ]
	[ "$(printf '%s\n' "$all" | sort -n)" = "$all" ]
	run grep -c '"ok": false' "$AWS_T/standin.log"
	[ "$output" = 0 ]
}

# --- names a person can type ---------------------------------------------------

@test "QUERY also matches an AWS device's name, its path and its serial" {
	need_pyotp
	mfa_init
	a=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ b=JBSWY3DPEHPK3PXP c=MFRGGZDFMZTWQ2LK
	echo "$a" | "$MFA_BIN" add work --issuer "Amazon Web Services" \
		--serial "arn:aws:iam::$ACCT:mfa/alice" > /dev/null
	echo "$b" | "$MFA_BIN" add alicex --issuer GitHub > /dev/null
	echo "$c" | "$MFA_BIN" add ops --issuer "Amazon Web Services" \
		--serial "arn:aws:iam::210987654321:mfa/team/carol" > /dev/null
	t=1111111109
	for q in alice ALICE "arn:aws:iam::$ACCT:mfa/alice" work; do
		[ "$("$MFA_BIN" code "$q" --at $t)" = "$(totp "$a" $((t / 30)))" ]
	done
	for q in carol team/carol Team/Carol; do
		[ "$("$MFA_BIN" code "$q" --at $t)" = "$(totp "$c" $((t / 30)))" ]
	done
	# A device name beats a substring (alice of GitHub:alicex)...
	[ "$("$MFA_BIN" code alicex --at $t)" = "$(totp "$b" $((t / 30)))" ]
	# ...an exact account name beats a device name...
	echo "$b" | "$MFA_BIN" add carol --issuer GitLab > /dev/null
	[ "$("$MFA_BIN" code carol --at $t)" = "$(totp "$b" $((t / 30)))" ]
	# ...and two devices of one name are ambiguous, named both.
	echo "$c" | "$MFA_BIN" add other --issuer "Amazon Web Services" \
		--serial "arn:aws:iam::111122223333:mfa/alice" > /dev/null
	run --separate-stderr "$MFA_BIN" code alice --at $t
	[ "$status" -eq 1 ]
	[ "$stderr" = "mfa: account 'alice' is ambiguous; candidates: Amazon Web Services:work, Amazon Web Services:other" ]
	# aws session and codes take the same names.
	run --separate-stderr "$MFA_BIN" aws codes carol
	[ "$status" -eq 0 ]
}

@test "AccessDenied: the hint names a used step first, then the device, then the clock" {
	use_standin
	mfa_init
	echo JBSWY3DPEHPK3PXP | "$MFA_BIN" add ghost --issuer "Amazon Web Services" \
		--serial "arn:aws:iam::$ACCT:mfa/ghost" > /dev/null
	run --separate-stderr "$MFA_BIN" aws session ghost
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$stderr" = "mfa: session for Amazon Web Services:ghost: An error occurred (AccessDenied) when calling the GetSessionToken operation: MultiFactorAuthentication failed with invalid MFA one time pass code. (likeliest first: this time step's code was already used for the device, e.g. by another authenticator with the same seed or from 'mfa list' or 'mfa watch': run it again, mfa takes the next step; the device is not enabled for the IAM user of these credentials; the clock is off by over 30 s)" ]
}

# --- the README ------------------------------------------------------------------

@test "every example of the README's AWS part runs as written (moto and the strict stand-in)" {
	[ -z "$MOTO_WHY" ] || skip "$MOTO_WHY"
	[ -z "$STANDIN_WHY" ] || skip "$STANDIN_WHY"
	# The AWS CLI v1 (the pyenv one on PATH here), pointed at the servers
	# with AWS_ENDPOINT_URL: see tests/tools/aws/readme-run.
	v1=$("$TOOLS/readme-run" --find-v1) || skip "$v1"
	# Servers of its own: the README's user alice starts from nothing.
	mkdir -p "$T/srv"
	MOTO_WHY="" STANDIN_WHY=""
	start_servers "$T/srv"
	[ -z "$MOTO_WHY$STANDIN_WHY" ] || { echo "$MOTO_WHY$STANDIN_WHY"; false; }
	readme="$BATS_TEST_DIRNAME/../../README.md"
	# Both at once: each waits for fresh time steps, as the README says.
	for k in moto standin; do
		mkdir "$T/$k"
		"$TOOLS/readme-run" "$readme" "$k" "$T/srv" "$T/$k" > "$T/$k.log" 2>&1 &
		eval "pid_$k=$!"
	done
	rc_moto=0 rc_standin=0
	wait "$pid_moto" || rc_moto=$?
	wait "$pid_standin" || rc_standin=$?
	stop_servers "$T/srv"
	for k in moto standin; do
		echo "=== $k"
		cat "$T/$k.log"
	done
	[ "$rc_moto" -eq 0 ]
	[ "$rc_standin" -eq 0 ]
	grep -q '^moto: [0-9]* blocks, all as the README says$' "$T/moto.log"
	grep -q '^standin: [0-9]* blocks, all as the README says$' "$T/standin.log"
	# The strict stand-in refused no code.
	[ "$(grep -c '"mfa": "reused' "$T/srv/standin.log")" -eq 0 ]
}

@test "the docs never teach a secret typed into a command line (echo SECRET | mfa ...)" {
	command -v mandoc > /dev/null || skip "mandoc not installed (Debian package mandoc)"
	root="$BATS_TEST_DIRNAME/../.."
	# The README's shell blocks, and the man page's example lines.
	py 'import re, sys
text = open(sys.argv[1]).read()
for b in re.findall(r"^ *```sh\n(.*?)^ *```", text, re.S | re.M):
    print(b)' "$root/README.md" > "$T/examples"
	mandoc -T ascii "$root/man/mfa.1" | col -bx | sed -n 's/^ *\$ //p' >> "$T/examples"
	[ "$(grep -c 'mfa ' "$T/examples")" -ge 30 ]
	# Text echoed, printed or here-stringed into mfa: a secret in the
	# shell's history (an otpauth:// URI holds one too).
	run grep -nE '(echo|printf)[^|]*\|[^|]*mfa|mfa[^<]*<<<|<<< *[^ ]* *mfa' "$T/examples"
	echo "$output"
	[ "$status" -eq 1 ]
	# What they show instead: the hidden prompt and the clipboard.
	grep -q 'hidden prompt' "$root/README.md"
	grep -q 'wl-paste | mfa add' "$T/examples"
}

#!/usr/bin/env bats
# mfa aws enroll|codes|session, end to end.
#
# The AWS CLI used is Debian's awscli v2 at /usr/bin/aws -- NOT the `aws` on
# PATH, which on these machines is a pyenv AWS CLI v1 shim -- run through
# tests/tools/aws/aws-wrapper (given to mfa as $MFA_AWS_CLI), which adds
# --endpoint-url for one of two servers started here on free loopback ports:
#   - moto_server, the AWS emulator of this image's Python (it accepts any
#     MFA code, so it checks the flow, not the codes);
#   - tests/tools/aws/standin.py, our stand-in IAM/STS, which checks every
#     code with python3-pyotp (valid_window=1) and refuses a (device, step)
#     pair it has seen: a code sent twice fails there.
# A server's program missing: its tests are skipped with the reason, never
# passed; a server that does not start fails them. Some tests wait for the next 30-second step (that is the point of
# them); the whole file stays under about three minutes.
#
# The tests run in file order and share the servers and two vaults: one per
# server.

bats_require_minimum_version 1.5.0

TOOLS="$BATS_TEST_DIRNAME/../tools/aws"
ACCT=123456789012

setup_file() {
	export AWS_T
	AWS_T=$(mktemp -d "${BATS_TMPDIR:-/tmp}/mfa-aws.XXXXXX")
	# *_WHY: a tool is missing, the tests skip; *_ERR: a server did not
	# start, the tests fail.
	export MOTO_WHY="" STANDIN_WHY="" MOTO_ERR="" STANDIN_ERR=""
	if [ ! -x /usr/bin/aws ]; then
		MOTO_WHY="Debian's awscli (/usr/bin/aws) is not installed"
		STANDIN_WHY=$MOTO_WHY
		return 0
	fi
	rc=0
	"$TOOLS/moto-start" "$AWS_T" || rc=$?
	case $rc in
	0) ;;
	77) MOTO_WHY="no moto_server (not in PATH, nor ${MFA_BUILD:-build}/moto/bin; make deps or pip install 'moto[server]')" ;;
	*) MOTO_ERR="moto_server did not start: $(tail -3 "$AWS_T/moto.log")" ;;
	esac
	rc=0
	"$TOOLS/standin-start" "$AWS_T" || rc=$?
	case $rc in
	0) ;;
	77) STANDIN_WHY="python3-pyotp is missing for /usr/bin/python3" ;;
	*) STANDIN_ERR="the stand-in server did not start: $(cat "$AWS_T/standin.err")" ;;
	esac
	printf 'test passphrase\n' > "$AWS_T/pass"
	for v in moto standin fresh; do
		MFA_PASSPHRASE_FILE="$AWS_T/pass" "${MFA_BIN:-$PWD/mfa}" \
			--vault "$AWS_T/$v.vault" init --kdf-ops 1 --kdf-mem 1 \
			> /dev/null 2>&1 || true
	done
}

teardown_file() {
	"$TOOLS/server-stop" "$AWS_T" moto
	"$TOOLS/server-stop" "$AWS_T" standin
	rm -rf "$AWS_T"
}

setup() {
	MFA_BIN=${MFA_BIN:-./mfa}
	case "$MFA_BIN" in
	/*) ;;
	*) MFA_BIN="$PWD/$MFA_BIN" ;;
	esac
	[ -x "$MFA_BIN" ] || { echo "no mfa binary at $MFA_BIN (make all)" >&2; return 1; }
	export MFA_BIN
	export HOME="$AWS_T/home"
	mkdir -p "$HOME"
	export MFA_PASSPHRASE_FILE="$AWS_T/pass" MFA_CACHE_TTL=0
	unset MFA_PASSPHRASE MFA_PASSPHRASE_COMMAND MFA_AWS_NESTED
	# Fake long-term credentials (user alice on the stand-in), and the
	# AWS CLI's files in the test folder.
	export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
	export AWS_DEFAULT_REGION=us-east-1
	export AWS_CONFIG_FILE="$AWS_T/config"
	export AWS_SHARED_CREDENTIALS_FILE="$AWS_T/credentials"
	unset AWS_PROFILE AWS_SESSION_TOKEN AWS_DEFAULT_PROFILE
	export MFA_AWS_CLI="$(cd "$TOOLS" && pwd)/aws-wrapper"
}

use_moto() {
	[ -z "$MOTO_WHY" ] || skip "$MOTO_WHY"
	[ -z "$MOTO_ERR" ] || { echo "$MOTO_ERR" >&2; return 1; }
	export MFA_TEST_ENDPOINT="http://127.0.0.1:$(cat "$AWS_T/moto.port")"
	export MFA_VAULT="$AWS_T/moto.vault"
}

use_standin() {
	[ -z "$STANDIN_WHY" ] || skip "$STANDIN_WHY"
	[ -z "$STANDIN_ERR" ] || { echo "$STANDIN_ERR" >&2; return 1; }
	export MFA_TEST_ENDPOINT="http://127.0.0.1:$(cat "$AWS_T/standin.port")"
	export MFA_VAULT="$AWS_T/standin.vault"
}

awscli() {
	"$MFA_AWS_CLI" "$@"
}

# py CODE ARGS...: Debian's Python (the one with python3-pyotp).
py() {
	local code=$1
	shift
	/usr/bin/python3 -c "$code" "$@"
}

# How many successful requests of ACTION the stand-in has answered.
standin_count() {
	py 'import json,sys
print(sum(1 for l in open(sys.argv[1]) if (lambda r: r["action"] == sys.argv[2] and r["ok"])(json.loads(l))))' \
		"$AWS_T/standin.log" "$1"
}

# Every time step the stand-in accepted for SERIAL, in order.
standin_steps() {
	py 'import json,sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r.get("serial") == sys.argv[2] and r["ok"] and "steps" in r:
        print(" ".join(map(str, r["steps"])))' "$AWS_T/standin.log" "$1"
}

# The access key id of the last successful ACTION at the stand-in.
standin_last_akid() {
	py 'import json,sys
a = [json.loads(l) for l in open(sys.argv[1])]
print([r for r in a if r["action"] == sys.argv[2] and r["ok"]][-1]["akid"])' \
		"$AWS_T/standin.log" "$1"
}

# jget JSON KEY...: a value out of JSON text.
jget() {
	py 'import json,sys
v = json.loads(sys.argv[1])
for k in sys.argv[2:]:
    v = v[int(k)] if isinstance(v, list) else v[k]
print(v)' "$@"
}

@test "moto: enroll creates, saves and enables a device (user given)" {
	use_moto
	awscli iam create-user --user-name alice > /dev/null
	run --separate-stderr "$MFA_BIN" aws enroll --user-name alice
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	[[ "$output" == *"created the virtual MFA device arn:aws:iam::$ACCT:mfa/alice"* ]]
	[[ "$output" == *"saved its seed in the vault as \"Amazon Web Services:alice\""* ]]
	[[ "$output" == *"enabled it for IAM user alice"* ]]
	# moto: assigned to alice.
	run awscli iam list-virtual-mfa-devices --assignment-status Assigned --output json
	[ "$status" -eq 0 ]
	[ "$(jget "$output" VirtualMFADevices 0 SerialNumber)" = "arn:aws:iam::$ACCT:mfa/alice" ]
	[ "$(jget "$output" VirtualMFADevices 0 User UserName)" = alice ]
	# The vault holds the serial, and the very seed moto made.
	run "$MFA_BIN" list --json
	[ "$(jget "$output" 0 serial)" = "arn:aws:iam::$ACCT:mfa/alice" ]
	[ "$(jget "$output" 0 issuer)" = "Amazon Web Services" ]
	run awscli iam list-virtual-mfa-devices --output json
	moto_seed=$(py 'import json,sys,base64
d = [x for x in json.loads(sys.argv[1])["VirtualMFADevices"] if x["SerialNumber"].endswith("/alice")][0]
print(base64.b64decode(d["Base32StringSeed"]).decode())' "$output")
	run "$MFA_BIN" show alice --uri
	[ "$status" -eq 0 ]
	[[ "$output" == *"secret=$moto_seed"* ]]
}

@test "stand-in: enroll with the caller's user, codes accepted by pyotp" {
	use_standin
	run --separate-stderr "$MFA_BIN" aws enroll
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	[[ "$output" == *"enabled it for IAM user alice (codes of time steps "* ]]
	[ "$(standin_count GetUser)" -eq 1 ]
	[ "$(standin_count EnableMFADevice)" -eq 1 ]
	run standin_steps "arn:aws:iam::$ACCT:mfa/alice"
	[ "${#lines[@]}" -eq 1 ]
	set -- ${lines[0]}
	[ "$2" -eq $(($1 + 1)) ]
	# The steps mfa reports are the ones the stand-in accepted.
	run "$MFA_BIN" list --json
	[ "$(jget "$output" 0 serial)" = "arn:aws:iam::$ACCT:mfa/alice" ]
}

@test "stand-in: session --format env, with a fresh step, works with aws" {
	use_standin
	run --separate-stderr "$MFA_BIN" aws session alice --format env
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	# Nothing but the exports on stdout, nothing on stderr.
	[ -z "$stderr" ]
	[ "${#lines[@]}" -eq 4 ]
	[[ "${lines[0]}" == "export AWS_ACCESS_KEY_ID=ASIA"* ]]
	[[ "${lines[1]}" == "export AWS_SECRET_ACCESS_KEY="* ]]
	[[ "${lines[2]}" == "export AWS_SESSION_TOKEN="* ]]
	[[ "${lines[3]}" =~ ^export\ AWS_CREDENTIAL_EXPIRATION=[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$ ]]
	[ "$(standin_count GetSessionToken)" -eq 1 ]
	# The stand-in would have refused the enroll's steps: this one is new.
	run standin_steps "arn:aws:iam::$ACCT:mfa/alice"
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[1]}" -gt "${lines[0]##* }" ]
	# The AWS CLI itself signs with them (the stand-in checks the token).
	out=$(eval "$("$MFA_BIN" aws session alice --format env)" &&
		unset AWS_PROFILE && awscli sts get-caller-identity --output json)
	[ "$(jget "$out" Arn)" = "arn:aws:iam::$ACCT:user/alice" ]
	[[ "$(standin_last_akid GetCallerIdentity)" == ASIA* ]]
	[ "$(standin_count GetSessionToken)" -eq 1 ]
}

@test "stand-in: session --format json comes from the cache (no new code)" {
	use_standin
	run --separate-stderr "$MFA_BIN" aws session alice --format json
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[[ "$(jget "$output" AccessKeyId)" == ASIA* ]]
	[ -n "$(jget "$output" SecretAccessKey)" ]
	[ -n "$(jget "$output" SessionToken)" ]
	[ -n "$(jget "$output" Expiration)" ]
	[ "$(py 'import json,sys; print(sorted(json.loads(sys.argv[1])))' "$output")" = \
		"['AccessKeyId', 'Expiration', 'MfaAuthTime', 'SecretAccessKey', 'SessionToken']" ]
	[ "$(standin_count GetSessionToken)" -eq 1 ]
}

@test "stand-in: session --format credential-process is the AWS CLI's JSON" {
	use_standin
	run --separate-stderr "$MFA_BIN" aws session --format credential-process
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "${#lines[@]}" -eq 1 ]
	[ "$(jget "$output" Version)" = 1 ]
	[[ "$(jget "$output" AccessKeyId)" == ASIA* ]]
	[ "$(standin_count GetSessionToken)" -eq 1 ]
}

@test "stand-in: a credential_process profile makes the AWS CLI use mfa" {
	use_standin
	key=$(jget "$("$MFA_BIN" aws session alice --format json)" AccessKeyId)
	cat > "$AWS_CONFIG_FILE" <<-EOF
	[profile mfa]
	credential_process = $MFA_BIN --vault $MFA_VAULT aws session alice --format credential-process
	EOF
	run --separate-stderr awscli sts get-caller-identity --profile mfa --output json
	rm -f "$AWS_CONFIG_FILE"
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	[ "$(jget "$output" Arn)" = "arn:aws:iam::$ACCT:user/alice" ]
	# Signed with the session mfa handed over, not with "testing".
	[ "$(standin_last_akid GetCallerIdentity)" = "$key" ]
	[ "$(standin_count GetSessionToken)" -eq 1 ]
}

@test "stand-in: session --format credentials-file writes a profile, keeps the rest" {
	use_standin
	cat > "$AWS_SHARED_CREDENTIALS_FILE" <<-EOF
	# my long-term keys
	[default]
	aws_access_key_id = testing
	aws_secret_access_key = testing

	[other]
	region = eu-west-1
	EOF
	chmod 644 "$AWS_SHARED_CREDENTIALS_FILE"
	run --separate-stderr "$MFA_BIN" aws session alice --format credentials-file
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	[[ "$output" == "wrote profile [default-mfa] to $AWS_SHARED_CREDENTIALS_FILE (expires "* ]]
	[ "$(stat -c %a "$AWS_SHARED_CREDENTIALS_FILE")" = 600 ]
	grep -q '^# my long-term keys$' "$AWS_SHARED_CREDENTIALS_FILE"
	grep -q '^region = eu-west-1$' "$AWS_SHARED_CREDENTIALS_FILE"
	# The AWS CLI reads it back and signs with it.
	run --separate-stderr awscli sts get-caller-identity --profile default-mfa --output json
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	[[ "$(standin_last_akid GetCallerIdentity)" == ASIA* ]]
	run awscli configure get aws_access_key_id --profile default
	[ "$output" = testing ]
	# A named profile; never one holding long-term keys.
	run --separate-stderr "$MFA_BIN" aws session alice --format credentials-file \
		--credentials-profile work-mfa
	[ "$status" -eq 0 ]
	grep -q '^\[work-mfa\]$' "$AWS_SHARED_CREDENTIALS_FILE"
	run --separate-stderr "$MFA_BIN" aws session alice --format credentials-file \
		--credentials-profile default
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"profile mfa calls AWS with"* ]]
	sed -i 's/^\[default\]$/[keys]/' "$AWS_SHARED_CREDENTIALS_FILE"
	before=$(sha256sum < "$AWS_SHARED_CREDENTIALS_FILE")
	run --separate-stderr "$MFA_BIN" aws session alice --format credentials-file \
		--credentials-profile keys
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"profile [keys] in $AWS_SHARED_CREDENTIALS_FILE holds long-term keys"* ]]
	[ "$(sha256sum < "$AWS_SHARED_CREDENTIALS_FILE")" = "$before" ]
	[ "$(standin_count GetSessionToken)" -eq 1 ]
}

@test "stand-in: --no-cache takes a new code from a new step" {
	use_standin
	run --separate-stderr "$MFA_BIN" --no-cache aws session alice --format credential-process
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	# Any wait was said on the terminal (there is none here), never on
	# stdout or stderr.
	[ -z "$stderr" ]
	[ "$(jget "$output" Version)" = 1 ]
	[ "$(standin_count GetSessionToken)" -eq 2 ]
}

@test "stand-in: assume-role with MFA" {
	use_standin
	run --separate-stderr "$MFA_BIN" aws session alice \
		--role-arn "arn:aws:iam::$ACCT:role/Admin" --format json --duration 900
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	[ "$(standin_count AssumeRole)" -eq 1 ]
	session=$(py 'import json,sys
print([json.loads(l) for l in open(sys.argv[1]) if "AssumeRole" in l][-1]["session"])' "$AWS_T/standin.log")
	[[ "$session" =~ ^mfa-alice-[0-9]+$ ]]
	out=$(AWS_ACCESS_KEY_ID=$(jget "$output" AccessKeyId) \
		AWS_SECRET_ACCESS_KEY=$(jget "$output" SecretAccessKey) \
		AWS_SESSION_TOKEN=$(jget "$output" SessionToken) \
		awscli sts get-caller-identity --output json)
	[ "$(jget "$out" Arn)" = "arn:aws:sts::$ACCT:assumed-role/Admin/$session" ]
	# Cached per role: again costs nothing.
	run --separate-stderr "$MFA_BIN" aws session alice \
		--role-arn "arn:aws:iam::$ACCT:role/Admin" --format json --duration 900
	[ "$status" -eq 0 ]
	[ "$(standin_count AssumeRole)" -eq 1 ]
}

@test "stand-in: no step was sent twice (enroll, session, --no-cache, assume-role)" {
	use_standin
	run standin_steps "arn:aws:iam::$ACCT:mfa/alice"
	# enroll's pair, then get-session-token twice, then assume-role.
	[ "${#lines[@]}" -eq 4 ]
	all=$(printf '%s\n' "${lines[@]}" | tr ' ' '\n')
	[ "$(printf '%s\n' "$all" | sort -n | uniq | wc -l)" -eq 5 ]
	# Each later than the one before.
	[ "$(printf '%s\n' "$all" | sort -n)" = "$all" ]
	# And the stand-in refused nothing for this device.
	[ "$(grep -c '"mfa": "reused' "$AWS_T/standin.log")" -eq 0 ]
}

@test "stand-in: enabling fails: the state, the seed kept, commands that finish or undo" {
	use_standin
	run --separate-stderr "$MFA_BIN" aws enroll --user-name nobody --device-name half
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"the virtual MFA device arn:aws:iam::$ACCT:mfa/half exists but is NOT enabled"* ]]
	[[ "$stderr" == *"its seed is safe in the vault as \"Amazon Web Services:half\""* ]]
	[[ "$stderr" == *"mfa aws codes half"* ]]
	[[ "$stderr" == *"iam enable-mfa-device --user-name nobody --serial-number arn:aws:iam::$ACCT:mfa/half --authentication-code1 CODE1 --authentication-code2 CODE2"* ]]
	enroll_err=$stderr
	[[ "${stderr##*$'\n'}" == "mfa: enabling arn:aws:iam::$ACCT:mfa/half for IAM user nobody failed: An error occurred (NoSuchEntity) when calling the EnableMFADevice operation: The user with name nobody cannot be found." ]]
	run "$MFA_BIN" list --json
	[[ "$output" == *"arn:aws:iam::$ACCT:mfa/half"* ]]
	# Device not enabled: AWS's refusal, with what it may mean.
	run --separate-stderr "$MFA_BIN" aws session half
	[ "$status" -eq 1 ]
	[[ "$stderr" == "mfa: session for Amazon Web Services:half: An error occurred (AccessDenied) when calling the GetSessionToken operation: MultiFactorAuthentication failed with invalid MFA one time pass code. (likeliest first: this time step's code was already used"* ]]
	# The printed undo command works as printed.
	undo=$(printf '%s\n' "$enroll_err" | grep 'delete-virtual-mfa-device')
	[ -n "$undo" ]
	eval "$undo"
	[ "$(standin_count DeleteVirtualMFADevice)" -eq 1 ]
}

@test "stand-in: credentials AWS refuses: the AWS CLI's own message" {
	use_standin
	AWS_ACCESS_KEY_ID=wrong run --separate-stderr "$MFA_BIN" aws enroll
	[ "$status" -eq 1 ]
	[ "$stderr" = "mfa: enroll: An error occurred (InvalidClientTokenId) when calling the GetUser operation: The security token included in the request is invalid." ]
	# A session: the one account with a serial is taken without QUERY.
	export MFA_VAULT="$AWS_T/fresh.vault"
	echo JBSWY3DPEHPK3PXP | "$MFA_BIN" add solo --issuer "Amazon Web Services" \
		--serial "arn:aws:iam::$ACCT:mfa/solo" > /dev/null
	AWS_ACCESS_KEY_ID=wrong run --separate-stderr "$MFA_BIN" aws session
	[ "$status" -eq 1 ]
	[ "$stderr" = "mfa: session for Amazon Web Services:solo: An error occurred (InvalidClientTokenId) when calling the GetSessionToken operation: The security token included in the request is invalid." ]
}

@test "stand-in: role credentials: enroll explains that a user is needed" {
	use_standin
	AWS_ACCESS_KEY_ID=role-testing run --separate-stderr "$MFA_BIN" aws enroll
	[ "$status" -eq 1 ]
	[[ "$stderr" == "mfa: enroll: the AWS credentials in use are arn:aws:sts::$ACCT:assumed-role/Admin/sso, not an IAM user;"*"--user-name" ]]
}

@test "no AWS CLI: clear errors for PATH and for MFA_AWS_CLI" {
	export MFA_VAULT="$AWS_T/fresh.vault"
	mkdir -p "$AWS_T/emptybin"
	run --separate-stderr env -u MFA_AWS_CLI PATH="$AWS_T/emptybin" "$MFA_BIN" aws session solo
	[ "$status" -eq 1 ]
	[ "$stderr" = "mfa: the AWS CLI ('aws') was not found in PATH: install it (Debian: apt install awscli) or set MFA_AWS_CLI to its path" ]
	MFA_AWS_CLI=/nonexistent/aws run --separate-stderr "$MFA_BIN" aws enroll
	[ "$status" -eq 1 ]
	[ "$stderr" = "mfa: cannot use the AWS CLI named by MFA_AWS_CLI: cannot run '/nonexistent/aws': No such file or directory" ]
	touch "$AWS_T/not-exec"
	MFA_AWS_CLI="$AWS_T/not-exec" run --separate-stderr "$MFA_BIN" aws session solo
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"'$AWS_T/not-exec': not an executable file" ]]
}

@test "session without QUERY: none or several accounts with a serial" {
	export MFA_VAULT="$AWS_T/none.vault"
	"$MFA_BIN" init --kdf-ops 1 --kdf-mem 1 > /dev/null 2>&1
	echo JBSWY3DPEHPK3PXP | "$MFA_BIN" add plain > /dev/null
	run --separate-stderr "$MFA_BIN" aws session
	[ "$status" -eq 1 ]
	[[ "$stderr" == "mfa: no account has an AWS MFA serial"* ]]
	run --separate-stderr "$MFA_BIN" aws session plain
	[ "$status" -eq 1 ]
	[[ "$stderr" == "mfa: account plain has no AWS MFA serial (attach one with 'mfa edit plain --serial ARN')" ]]
	echo JBSWY3DPEHPK3PXP | "$MFA_BIN" add a1 --serial arn:aws:iam::1:mfa/a1 > /dev/null
	echo JBSWY3DPEHPK3PXP | "$MFA_BIN" add a2 --serial arn:aws:iam::1:mfa/a2 > /dev/null
	run --separate-stderr "$MFA_BIN" aws session
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"2 accounts have an AWS MFA serial, name one: a1 a2"* ]]
}

@test "usage: subcommands and their options" {
	run --separate-stderr "$MFA_BIN" aws
	[ "$status" -eq 2 ]
	run --separate-stderr "$MFA_BIN" aws frobnicate
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"unknown aws subcommand 'frobnicate' (enroll, codes"* ]]
	run --separate-stderr "$MFA_BIN" aws enroll --role-arn x
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"aws enroll takes no --role-arn"* ]]
	run --separate-stderr "$MFA_BIN" aws session --format yaml
	[ "$status" -eq 2 ]
	run --separate-stderr "$MFA_BIN" aws session --duration 60
	[ "$status" -eq 2 ]
	run --separate-stderr "$MFA_BIN" aws session --role-session-name s
	[ "$status" -eq 2 ]
	run --separate-stderr "$MFA_BIN" aws codes a b
	[ "$status" -eq 2 ]
}

@test "a credential_process loop is stopped" {
	export MFA_VAULT="$AWS_T/fresh.vault"
	MFA_AWS_NESTED=1 run --separate-stderr "$MFA_BIN" aws session solo
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"(a loop)"* ]]
}

@test "codes: two labelled codes of consecutive steps that pyotp accepts" {
	[ -x /usr/bin/python3 ] && py 'import pyotp' 2> /dev/null ||
		skip "python3-pyotp is missing for /usr/bin/python3"
	export MFA_VAULT="$AWS_T/fresh.vault"
	seed=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ
	echo "$seed" | "$MFA_BIN" add console --issuer "Amazon Web Services" > /dev/null
	run --separate-stderr "$MFA_BIN" aws codes console
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	[[ "${lines[0]}" =~ ^code\ 1\ \(step\ ([0-9]+)\):\ ([0-9]{6})$ ]]
	s1=${BASH_REMATCH[1]} c1=${BASH_REMATCH[2]}
	[[ "${lines[1]}" =~ ^code\ 2\ \(step\ ([0-9]+)\):\ ([0-9]{6})$ ]]
	s2=${BASH_REMATCH[1]} c2=${BASH_REMATCH[2]}
	[ "$s2" -eq $((s1 + 1)) ]
	[[ "${lines[2]}" =~ ^valid\ together\ for\ [0-9]+\ more\ seconds ]]
	[ "$(py 'import pyotp,sys; t=pyotp.TOTP(sys.argv[1]); print(t.at(int(sys.argv[2])*30), t.at(int(sys.argv[3])*30))' \
		"$seed" "$s1" "$s2")" = "$c1 $c2" ]
}

@test "moto: session in every format and a credential_process profile" {
	use_moto
	run --separate-stderr "$MFA_BIN" aws session alice --format env
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	[[ "${lines[0]}" == "export AWS_ACCESS_KEY_ID="* ]]
	run --separate-stderr "$MFA_BIN" aws session alice --format json
	[ "$status" -eq 0 ]
	[ -n "$(jget "$output" SessionToken)" ]
	run --separate-stderr "$MFA_BIN" aws session alice --format credential-process
	[ "$status" -eq 0 ]
	[ "$(jget "$output" Version)" = 1 ]
	tok=$(jget "$output" SessionToken)
	rm -f "$AWS_SHARED_CREDENTIALS_FILE"
	run --separate-stderr "$MFA_BIN" aws session alice --format credentials-file
	[ "$status" -eq 0 ]
	[ "$(awscli configure get aws_session_token --profile default-mfa)" = "$tok" ]
	cat > "$AWS_CONFIG_FILE" <<-EOF
	[profile mfa]
	credential_process = $MFA_BIN --vault $MFA_VAULT aws session alice --format credential-process
	EOF
	run --separate-stderr awscli sts get-caller-identity --profile mfa --output json
	rm -f "$AWS_CONFIG_FILE"
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	[ "$(jget "$output" Account)" = "$ACCT" ]
}

@test "a wait for a fresh step is said on the terminal, not on stdout or stderr" {
	use_standin
	command -v script > /dev/null || skip "script(1) (util-linux) is not installed"
	export MFA_VAULT="$AWS_T/wait.vault"
	"$MFA_BIN" init --kdf-ops 1 --kdf-mem 1 > /dev/null 2>&1
	echo JBSWY3DPEHPK3PXP | "$MFA_BIN" add waiter --issuer "Amazon Web Services" \
		--serial "arn:aws:iam::$ACCT:mfa/waiter" > /dev/null
	# codes takes the current step only with 10 s or more left in it, so
	# the session right after must wait for the next step.
	run --separate-stderr "$MFA_BIN" aws codes waiter
	[ "$status" -eq 0 ]
	script -qec "'$MFA_BIN' aws session waiter --format credential-process \
		> '$AWS_T/wait.out' 2> '$AWS_T/wait.err'" /dev/null > "$AWS_T/wait.tty" || true
	grep -q 'mfa: waiting [0-9]*s for a fresh code' "$AWS_T/wait.tty"
	[ ! -s "$AWS_T/wait.out" ]
	run ! grep -q waiting "$AWS_T/wait.err"
	# The stand-in does not know this device: AWS's refusal, as usual.
	grep -q '(AccessDenied)' "$AWS_T/wait.err"
}

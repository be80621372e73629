#!/usr/bin/env bats
# mfa aws keys|creds|exec|rotate|login: long-term AWS keys in the
# vault, used in mfa's own process only.
#
# Servers, on free loopback ports:
#   - moto_server (the `python3` on PATH has it): IAM, STS, S3;
#   - tests/tools/aws/keys-proxy.py in front of it (also that Python, for
#     botocore): mfa talks to the proxy (AWS_ENDPOINT_URL). It logs every
#     request, checks every SigV4 signature with botocore's signer when it
#     knows the key, injects the failures a test asks for, stands in for
#     AWS's federation (console sign-in) endpoint, and tunnels CONNECT for
#     HTTPS_PROXY;
#   - the same proxy with TLS (a self-signed certificate) for AWS_CA_BUNDLE.
# moto takes any MFA code, so the codes mfa sent are checked here with
# Debian's /usr/bin/python3 and python3-pyotp against the device's seed.
# The AWS CLI consumer is Debian's v2 at /usr/bin/aws (the `aws` on PATH is
# a v1 shim), given --endpoint-url since v2.9 ignores AWS_ENDPOINT_URL.
# Users are made with boto3 (tests/tools/aws/moto-admin.py), one per test
# that sends codes, so that no test waits for a fresh 30-second step.

bats_require_minimum_version 1.5.0

TOOLS="$BATS_TEST_DIRNAME/../tools/aws"
ACCT=123456789012

setup_file() {
	export AWS_T
	AWS_T=$(mktemp -d "${BATS_TMPDIR:-/tmp}/mfa-keys.XXXXXX")
	export K_WHY="" K_ERR=""
	if [ ! -x /usr/bin/aws ]; then
		K_WHY="Debian's awscli (/usr/bin/aws) is not installed"
		return 0
	fi
	if ! /usr/bin/python3 -c 'import pyotp' 2> /dev/null; then
		K_WHY="python3-pyotp is missing for /usr/bin/python3"
		return 0
	fi
	rc=0
	"$TOOLS/moto-start" "$AWS_T" || rc=$?
	case $rc in
	0) ;;
	77)
		K_WHY="no moto_server (make deps, or pip install 'moto[server]')"
		return 0
		;;
	*)
		K_ERR="moto_server did not start: $(tail -3 "$AWS_T/moto.log")"
		return 0
		;;
	esac
	moto="http://127.0.0.1:$(cat "$AWS_T/moto.port")"
	rc=0
	"$TOOLS/keys-proxy-start" "$AWS_T" "$moto" || rc=$?
	[ $rc -eq 77 ] && K_WHY="the python3 on PATH has no botocore" && return 0
	[ $rc -ne 0 ] && K_ERR="the proxy did not start: $(cat "$AWS_T/proxy.err")" && return 0
	"$TOOLS/keys-proxy-start" "$AWS_T" "$moto" --tls ||
		K_ERR="the TLS proxy did not start: $(cat "$AWS_T/tls.err")"
	printf 'test passphrase\n' > "$AWS_T/pass"
	echo '{}' > "$AWS_T/proxy.secrets"
	MFA_PASSPHRASE_FILE="$AWS_T/pass" "${MFA_BIN:-$PWD/mfa}" \
		--vault "$AWS_T/vault" init --kdf-ops 1 --kdf-mem 1 > /dev/null 2>&1 || true
}

teardown_file() {
	"$TOOLS/server-stop" "$AWS_T" proxy
	"$TOOLS/server-stop" "$AWS_T" tls
	"$TOOLS/server-stop" "$AWS_T" moto
	rm -rf "$AWS_T"
}

setup() {
	[ -z "$K_WHY" ] || skip "$K_WHY"
	[ -z "$K_ERR" ] || { echo "$K_ERR" >&2; return 1; }
	MFA_BIN=${MFA_BIN:-./mfa}
	case "$MFA_BIN" in
	/*) ;;
	*) MFA_BIN="$PWD/$MFA_BIN" ;;
	esac
	[ -x "$MFA_BIN" ] || { echo "no mfa binary at $MFA_BIN (make all)" >&2; return 1; }
	export MFA_BIN
	# The program itself, which mfa names in the config lines it prints:
	# MFA_BIN may be a wrapper script (the valgrind run of run-all).
	MFA_ELF=$MFA_BIN
	if [ "$(head -c 4 "$MFA_BIN" | od -An -c | tr -d ' ')" != '177ELF' ]; then
		MFA_ELF=$(grep -o '[^ ]*/mfa\b' "$MFA_BIN" | tail -1)
	fi
	export HOME="$AWS_T/home"
	mkdir -p "$HOME/.aws"
	export MFA_VAULT="$AWS_T/vault" MFA_PASSPHRASE_FILE="$AWS_T/pass" MFA_CACHE_TTL=0
	unset MFA_PASSPHRASE MFA_PASSPHRASE_COMMAND MFA_AWS_NESTED MFA_AWS_EXEC \
		MFA_AWS_CLI MFA_AWS_ROTATE_WAIT
	# No credentials of the environment: mfa must use the vault's.
	unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE \
		AWS_DEFAULT_PROFILE AWS_CA_BUNDLE AWS_REGION AWS_ENDPOINT_URL_STS \
		AWS_ENDPOINT_URL_IAM HTTPS_PROXY https_proxy HTTP_PROXY http_proxy \
		ALL_PROXY all_proxy NO_PROXY no_proxy
	export AWS_DEFAULT_REGION=us-east-1
	export AWS_CONFIG_FILE="$HOME/.aws/config" AWS_SHARED_CREDENTIALS_FILE="$HOME/.aws/credentials"
	MOTO="http://127.0.0.1:$(cat "$AWS_T/moto.port")"
	PROXY="http://127.0.0.1:$(cat "$AWS_T/proxy.port")"
	export AWS_ENDPOINT_URL="$PROXY" MFA_AWS_FEDERATION_URL="$PROXY/federation"
	rm -f "$AWS_T/proxy.rules"
}

teardown() {
	[ -S "$AWS_T/tmux.sock" ] && tmux -S "$AWS_T/tmux.sock" kill-server 2> /dev/null
	rm -f "$AWS_T/proxy.rules"
	[ -d "$MFA_VAULT.lock" ] && rmdir "$MFA_VAULT.lock"
	true
}

# py CODE ARGS...: Debian's Python (stdlib, python3-pyotp).
py() {
	local code=$1
	shift
	/usr/bin/python3 -c "$code" "$@"
}

jget() {
	py 'import json,sys
v = json.loads(sys.argv[1])
for k in sys.argv[2:]:
    v = v[int(k)] if isinstance(v, list) else v[k]
print(v)' "$@"
}

admin() {
	python3 "$TOOLS/moto-admin.py" "$MOTO" "$@"
}

# The AWS CLI v2 as the consumer: through the proxy, our files, no keys.
awscli() {
	/usr/bin/aws --endpoint-url "$PROXY" "$@"
}

rules() {
	printf '%s\n' "$1" > "$AWS_T/proxy.rules"
}

# Tell the proxy a key's secret, so that it can check signatures.
proxy_knows() {
	py 'import json,sys
f = sys.argv[1]; d = json.load(open(f)); d[sys.argv[2]] = sys.argv[3]
json.dump(d, open(f, "w"))' "$AWS_T/proxy.secrets" "$1" "$2"
}

# new_user NAME [PROFILE]: a moto user with a key and an enabled MFA
# device whose seed is in the vault; with PROFILE, its key added there.
# Sets AKID, SECRET, SERIAL, SEED.
new_user() {
	local j
	j=$(admin user "$1")
	AKID=$(jget "$j" akid)
	SECRET=$(jget "$j" secret)
	SERIAL=$(jget "$j" serial)
	SEED=$(jget "$j" seed)
	proxy_knows "$AKID" "$SECRET"
	printf '%s\n' "$SEED" | "$MFA_BIN" add "$1" --issuer "Amazon Web Services" \
		--serial "$SERIAL" > /dev/null 2>&1
	if [ -n "${2:-}" ]; then
		printf '%s\n%s\n' "$AKID" "$SECRET" | "$MFA_BIN" aws keys add "$2" > /dev/null 2>&1
	fi
}

# Lines of the proxy's log, as JSON, that satisfy a Python expression on r.
plog() {
	py 'import json,sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if eval(sys.argv[2]):
        print(json.dumps(r))' "$AWS_T/proxy.log" "$1"
}

plog_count() {
	plog "$1" | wc -l
}

# Every request signed with a known key was signed right.
no_bad_signatures() {
	[ "$(plog_count 'r.get("sig") == "bad"')" -eq 0 ]
}

# The TOTP code of each GetSessionToken for SERIAL was valid at the time it
# was sent (pyotp, valid_window=1), and no step was sent twice.
codes_valid() {
	py 'import json,sys,pyotp
serial, seed = sys.argv[2], sys.argv[3]
t = pyotp.TOTP(seed); steps = []
for l in open(sys.argv[1]):
    r = json.loads(l)
    p = r.get("params", {})
    if p.get("SerialNumber") != serial or "TokenCode" not in p:
        continue
    assert t.verify(p["TokenCode"], for_time=int(r["time"]), valid_window=1), r
    s = [s for s in range(int(r["time"]) // 30 - 1, int(r["time"]) // 30 + 2)
         if t.at(s * 30) == p["TokenCode"]][0]
    assert s not in steps, ("step sent twice", s)
    steps.append(s)
assert steps, "no code was sent"
print(len(steps))' "$AWS_T/proxy.log" "$1" "$2"
}

@test "mfa links only libc (libsodium and libkeyutils statically); mfa code never opens libcurl" {
	run ldd "$MFA_ELF"
	[ "$status" -eq 0 ]
	libs=$(printf '%s\n' "$output" | awk '/=>/ {print $1}' | sort | tr '\n' ' ')
	# A sanitizer build (make asan) adds its runtimes and what they need.
	case $libs in *libasan.so*)
		libs=$(printf '%s\n' $libs | grep -Ev '^lib(asan|ubsan|m|gcc_s|stdc\+\+)\.so' | tr '\n' ' ') ;;
	esac
	# LINK=dynamic links libsodium and libkeyutils as shared objects.
	[ "$libs" = "libc.so.6 " ] || [ "$libs" = "libc.so.6 libkeyutils.so.1 libsodium.so.23 " ]
	command -v strace > /dev/null || skip "strace is not installed"
	# LeakSanitizer (make asan) cannot run under ptrace.
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
	echo JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP | "$MFA_BIN" add ldd-probe > /dev/null 2>&1
	strace -f -e trace=openat,open -o "$AWS_T/strace.code" "$MFA_BIN" code ldd-probe > /dev/null
	run ! grep -q libcurl "$AWS_T/strace.code"
	# ... while a command that calls AWS itself does.
	rules '[{"action": "GetCallerIdentity", "signer": "AKIAPROBEPROBEPROBE1",
		"fail": {"status": 403, "code": "InvalidClientTokenId", "message": "no"}}]'
	printf 'AKIAPROBEPROBEPROBE1\nprobe\n' |
		strace -f -e trace=openat,open -o "$AWS_T/strace.keys" "$MFA_BIN" \
			aws keys add probe > /dev/null 2>&1 || true
	grep -q 'libcurl.so.4' "$AWS_T/strace.keys"
	"$MFA_BIN" rm --yes ldd-probe > /dev/null
	run "$MFA_BIN" aws keys list
	[ -z "$output" ]
}

@test "keys add: a key AWS refuses is not kept, and the vault is untouched" {
	rules '[{"action": "GetCallerIdentity", "signer": "AKIAREFUSEDREFUSED12",
		"fail": {"status": 403, "code": "InvalidClientTokenId",
		"message": "The security token included in the request is invalid."}}]'
	before=$(sha256sum < "$MFA_VAULT")
	run --separate-stderr "$MFA_BIN" aws keys add bad <<< $'AKIAREFUSEDREFUSED12\nrefusedsecret'
	[ "$status" -eq 1 ]
	[ "$stderr" = "mfa: profile bad: the key AKIAREFUSEDREFUSED12 does not work: An error occurred (InvalidClientTokenId) when calling the GetCallerIdentity operation: The security token included in the request is invalid." ]
	[ "$(sha256sum < "$MFA_VAULT")" = "$before" ]
	# Malformed input: one line saying what is wrong.
	run --separate-stderr "$MFA_BIN" aws keys add bad < <(printf 'AKIAONLYONELINE12345')
	[ "$status" -eq 1 ]
	[ "$stderr" = "mfa: standard input: want two lines, the access key id and the secret access key" ]
	run --separate-stderr "$MFA_BIN" aws keys add bad <<< 'AKIAONLYONELINE12345'
	[ "$status" -eq 1 ]
	[ "$stderr" = "mfa: an access key id and a secret access key are needed" ]
	run --separate-stderr "$MFA_BIN" aws keys add 'bad]name' <<< $'a\nb'
	[ "$status" -eq 2 ]
	[[ "$stderr" == "mfa: 'bad]name' cannot be a profile name"* ]]
	[ "$(sha256sum < "$MFA_VAULT")" = "$before" ]
}

@test "keys add: checked with GetCallerIdentity, linked to the device; list and show hide the secret" {
	new_user alice
	run --separate-stderr "$MFA_BIN" aws keys add alice-p <<< "$AKID"$'\n'"$SECRET"
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	[[ "$stderr" == *"stored the key $AKID of arn:aws:iam::$ACCT:user/alice for profile alice-p"* ]]
	[[ "$stderr" == *"profile alice-p: sessions use the MFA device $SERIAL"* ]]
	[ "${lines[0]}" = "[profile alice-p]" ]
	[ "${lines[1]}" = "credential_process = $MFA_ELF aws creds alice-p" ]
	# Signed by the key itself, and botocore agrees with the signature.
	[ "$(plog_count "r.get(\"action\") == \"GetCallerIdentity\" and r.get(\"akid\") == \"$AKID\" and r.get(\"sig\") == \"ok\"")" -ge 1 ]
	run "$MFA_BIN" aws keys list
	[ "$status" -eq 0 ]
	[[ "$output" == *$'alice-p\t'"$AKID"$'\t'"$SERIAL"$'\t'"arn:aws:iam::$ACCT:user/alice"* ]]
	[[ "$output" != *"$SECRET"* ]]
	run "$MFA_BIN" aws keys list --json
	[ "$(jget "$output" 0 access_key_id)" = "$AKID" ]
	[[ "$output" != *"$SECRET"* ]]
	run "$MFA_BIN" aws keys show alice-p
	[ "$status" -eq 0 ]
	[[ "$output" == *"access key id: $AKID"* ]]
	[[ "$output" == *"secret access key: (hidden; --secret shows it)"* ]]
	[[ "$output" == *"mfa device: $SERIAL (account Amazon Web Services:alice)"* ]]
	[[ "$output" != *"$SECRET"* ]]
	run "$MFA_BIN" aws keys show alice-p --secret
	[[ "$output" == *"secret access key: $SECRET"* ]]
	# A second add of the profile needs --force.
	run --separate-stderr "$MFA_BIN" aws keys add alice-p <<< "$AKID"$'\n'"$SECRET"
	[ "$status" -eq 1 ]
	[ "$stderr" = "mfa: profile alice-p already has a key in the vault (--force replaces it)" ]
	no_bad_signatures
}

@test "creds: the AWS CLI v2 gets MFA sessions through credential_process; codes pass pyotp; cached" {
	cat > "$AWS_CONFIG_FILE" <<-EOF
	[profile alice-p]
	credential_process = $MFA_BIN aws creds alice-p
	EOF
	SERIAL="arn:aws:iam::$ACCT:mfa/alice"
	run --separate-stderr awscli sts get-caller-identity --profile alice-p --output json
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	[ "$(jget "$output" Account)" = "$ACCT" ]
	# mfa asked for the session with the device's serial and a code ...
	run plog 'r.get("action") == "GetSessionToken"'
	[ "${#lines[@]}" -eq 1 ]
	[ "$(jget "${lines[0]}" params SerialNumber)" = "$SERIAL" ]
	session=$(jget "${lines[0]}" issued)
	# ... and the AWS CLI signed its call with that session, not the key.
	run plog 'r.get("action") == "GetCallerIdentity" and r.get("token")'
	[ "$(jget "${lines[-1]}" akid)" = "$session" ]
	[ "$(jget "${lines[-1]}" sig)" = ok ]
	seed=$("$MFA_BIN" show alice --uri | sed 's/.*secret=\([A-Z2-7]*\).*/\1/')
	[ "$(codes_valid "$SERIAL" "$seed")" -eq 1 ]
	# Cached: a second command costs no code; and S3 works the same way.
	admin bucket alice-bucket
	run --separate-stderr /usr/bin/aws --endpoint-url "$MOTO" s3 ls --profile alice-p
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	[[ "$output" == *alice-bucket* ]]
	[ "$(plog_count 'r.get("action") == "GetSessionToken"')" -eq 1 ]
	# Other formats for people and scripts.
	run --separate-stderr "$MFA_BIN" aws creds alice-p --format env
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "export AWS_ACCESS_KEY_ID=$session" ]]
	run --separate-stderr "$MFA_BIN" aws creds alice-p --format credentials-file
	[ "$status" -eq 2 ]
	run --separate-stderr "$MFA_BIN" aws creds nobody
	[ "$status" -eq 1 ]
	[ "$stderr" = "mfa: no AWS key for profile nobody in the vault (mfa aws keys add or import)" ]
	no_bad_signatures
}

@test "creds: a two-role chain, each role assumed with the one before; the chained one capped at an hour" {
	r1="arn:aws:iam::$ACCT:role/First" r2="arn:aws:iam::$ACCT:role/Second"
	n0=$(plog_count 'r.get("action") == "AssumeRole"')
	run --separate-stderr "$MFA_BIN" aws creds alice-p --role-arn "$r1" --role-arn "$r2" \
		--duration 7200 --format json
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	run plog 'r.get("action") == "AssumeRole"'
	[ "${#lines[@]}" -eq $((n0 + 2)) ]
	first=${lines[-2]} second=${lines[-1]}
	base=$(jget "$(plog 'r.get("action") == "GetSessionToken"' | tail -1)" issued)
	[ "$(jget "$first" params RoleArn)" = "$r1" ]
	[ "$(jget "$first" akid)" = "$base" ]
	[ "$(jget "$first" params DurationSeconds)" = 7200 ]
	[ "$(jget "$second" params RoleArn)" = "$r2" ]
	[ "$(jget "$second" akid)" = "$(jget "$first" issued)" ]
	[ "$(jget "$second" params DurationSeconds)" = 3600 ]
	[[ "$(jget "$second" params RoleSessionName)" =~ ^mfa-alice-p-[0-9]+$ ]]
	# No new code: the base session came from the cache.
	[ "$(plog_count 'r.get("action") == "GetSessionToken"')" -eq 1 ]
	# The cap is said on the terminal (never on stdout or stderr).
	command -v script > /dev/null || skip "script (bsdutils) is missing"
	run script -qec "$MFA_BIN aws creds alice-p --role-arn $r2 --role-arn $r1 --duration 7200 > /dev/null" /dev/null
	[[ "$output" == *"AWS caps a chained role session at one hour: --duration 7200 is lowered to 3600"* ]]
	no_bad_signatures
}

@test "exec: only session credentials reach the command; AWS_PROFILE removed; its exit status; no nesting" {
	session=$(jget "$(plog 'r.get("action") == "GetSessionToken"' | tail -1)" issued)
	export AWS_PROFILE=alice-p AWS_ACCESS_KEY_ID=AKIAFROMTHEENVIRONMT AWS_REGION=eu-west-3
	run --separate-stderr "$MFA_BIN" aws exec alice-p -- sh -c 'env > "$1"; umask >> "$1"; exit 7' sh "$AWS_T/exec.env"
	[ "$status" -eq 7 ]
	grep -qx "AWS_ACCESS_KEY_ID=$session" "$AWS_T/exec.env"
	grep -q '^AWS_SECRET_ACCESS_KEY=.' "$AWS_T/exec.env"
	grep -q '^AWS_SESSION_TOKEN=.' "$AWS_T/exec.env"
	grep -Eq '^AWS_CREDENTIAL_EXPIRATION=[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$' "$AWS_T/exec.env"
	grep -qx 'MFA_AWS_EXEC=alice-p' "$AWS_T/exec.env"
	grep -qx 'AWS_REGION=eu-west-3' "$AWS_T/exec.env"
	run ! grep -q '^AWS_PROFILE=' "$AWS_T/exec.env"
	# The user's umask, not mfa's 077.
	[ "$(tail -1 "$AWS_T/exec.env")" = "$(umask)" ]
	unset AWS_ACCESS_KEY_ID AWS_PROFILE AWS_REGION
	# The real AWS CLI inside, signing with the session.
	run --separate-stderr "$MFA_BIN" aws exec alice-p -- /usr/bin/aws --endpoint-url "$PROXY" \
		sts get-caller-identity --output json
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	[ "$(jget "$output" Account)" = "$ACCT" ]
	[ "$(jget "$(plog 'r.get("action") == "GetCallerIdentity"' | tail -1)" akid)" = "$session" ]
	# Nested: refused.
	run --separate-stderr "$MFA_BIN" aws exec alice-p -- "$MFA_BIN" aws exec alice-p -- true
	[ "$status" -eq 1 ]
	[ "$stderr" = "mfa: already inside 'mfa aws exec alice-p' (MFA_AWS_EXEC is set): a nested session would mix two; leave that one first" ]
	# Without a command: $SHELL.
	run --separate-stderr env SHELL=/bin/sh "$MFA_BIN" aws exec alice-p <<< 'echo "in $MFA_AWS_EXEC"'
	[ "$status" -eq 0 ]
	[ "$output" = "in alice-p" ]
	run --separate-stderr "$MFA_BIN" aws exec alice-p -- /nonexistent/cmd
	[ "$status" -eq 1 ]
	[ "$stderr" = "mfa: cannot run '/nonexistent/cmd': No such file or directory" ]
	[ "$(plog_count 'r.get("action") == "GetSessionToken"')" -eq 1 ]
}

@test "login: a federation token's sign-in URL (--print); the stand-in saw that very session" {
	run --separate-stderr "$MFA_BIN" aws login alice-p --print
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	fed=$(plog 'r.get("action") == "GetFederationToken"' | tail -1)
	[ "$(jget "$fed" akid)" = "$(jget "$("$MFA_BIN" aws keys list --json)" 0 access_key_id)" ]
	[ "$(jget "$fed" sig)" = ok ]
	[ "$(jget "$fed" params Name)" = mfa-alice-p ]
	[[ "$(jget "$fed" params Policy)" == *'"Effect":"Allow"'* ]]
	tok=$(plog 'r.get("federation") == "getSigninToken"' | tail -1)
	[ "$(jget "$tok" ok)" = True ]
	[ "$(jget "$tok" session_id)" = "$(jget "$fed" issued)" ]
	# A federation token's session takes no SessionDuration.
	[ "$(jget "$tok" params)" = "{'Action': 'getSigninToken'}" ]
	token=$(jget "$tok" signin_token)
	[ "$output" = "$PROXY/federation?Action=login&Issuer=mfa&Destination=https%3A%2F%2Fconsole.aws.amazon.com%2Fconsole%2Fhome%3Fregion%3Dus-east-1&SigninToken=$token" ]
}

@test "login: a role's sign-in URL, opened with xdg-open (a stand-in records it)" {
	mkdir -p "$AWS_T/bin"
	cat > "$AWS_T/bin/xdg-open" <<-'EOF'
	#!/bin/sh
	printf '%s\n' "$@" > "$XDG_OPEN_LOG"
	EOF
	chmod +x "$AWS_T/bin/xdg-open"
	role="arn:aws:iam::$ACCT:role/Console"
	run --separate-stderr env XDG_OPEN_LOG="$AWS_T/xdg.log" PATH="$AWS_T/bin:$PATH" \
		"$MFA_BIN" aws login alice-p --role-arn "$role" --duration 1800
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	[ -z "$output" ]
	assumed=$(plog 'r.get("action") == "AssumeRole"' | tail -1)
	[ "$(jget "$assumed" params RoleArn)" = "$role" ]
	tok=$(plog 'r.get("federation") == "getSigninToken"' | tail -1)
	[ "$(jget "$tok" session_id)" = "$(jget "$assumed" issued)" ]
	[ "$(jget "$tok" params SessionDuration)" = 1800 ]
	[ "$(cat "$AWS_T/xdg.log")" = "$PROXY/federation?Action=login&Issuer=mfa&Destination=https%3A%2F%2Fconsole.aws.amazon.com%2Fconsole%2Fhome%3Fregion%3Dus-east-1&SigninToken=$(jget "$tok" signin_token)" ]
	# No xdg-open: the URL is printed instead, with a word why.
	mkdir -p "$AWS_T/nobin"
	run --separate-stderr env PATH="$AWS_T/nobin" "$MFA_BIN" aws login alice-p --role-arn "$role" --duration 1800
	[ "$status" -eq 0 ]
	[[ "$stderr" == "mfa: xdg-open could not open the URL"* ]]
	[[ "$output" == "$PROXY/federation?Action=login&"* ]]
}

@test "keys add on a terminal: two hidden prompts; the secret never shows" {
	command -v tmux > /dev/null || skip "tmux is not installed"
	new_user tina
	sock="$AWS_T/tmux.sock"
	tmux -S "$sock" new-session -d -x 120 -y 20 \
		"env HOME='$HOME' MFA_VAULT='$MFA_VAULT' MFA_PASSPHRASE_FILE='$MFA_PASSPHRASE_FILE' MFA_CACHE_TTL=0 AWS_ENDPOINT_URL='$PROXY' AWS_DEFAULT_REGION=us-east-1 '$MFA_BIN' aws keys add tina-p; echo exit=\$?; sleep 30"
	pane() { tmux -S "$sock" capture-pane -p; }
	wait_for() {
		local i=0
		while [ $i -lt 100 ]; do
			pane | grep -qF -- "$1" && return 0
			sleep 0.1
			i=$((i + 1))
		done
		pane >&2
		return 1
	}
	wait_for "AWS access key id:"
	tmux -S "$sock" send-keys -l "$AKID"
	tmux -S "$sock" send-keys Enter
	wait_for "AWS secret access key:"
	tmux -S "$sock" send-keys -l "$SECRET"
	tmux -S "$sock" send-keys Enter
	wait_for "exit=0"
	screen=$(pane)
	tmux -S "$sock" kill-server
	[[ "$screen" == *"stored the key $AKID of arn:aws:iam::$ACCT:user/tina for profile tina-p"* ]]
	[[ "$screen" != *"$SECRET"* ]]
	[[ "$("$MFA_BIN" aws keys show tina-p --secret)" == *"secret access key: $SECRET"* ]]
}

@test "keys import PROFILE --remove: only that profile leaves, every other byte stays" {
	new_user bob
	cat > "$AWS_SHARED_CREDENTIALS_FILE" <<-EOF
	# my keys
	[default]
	aws_access_key_id = AKIADEFAULTDEFAULT12
	aws_secret_access_key = defaultsecret ; not a comment for configparser

	# bob's work account
	[bob-p]
	aws_access_key_id = $AKID
	aws_secret_access_key=$SECRET
	region = eu-west-1

	[other]
	region = ap-south-1
	output = json
	[session-only]
	aws_access_key_id = ASIASESSIONSESSION12
	aws_secret_access_key = x
	aws_session_token = y
	EOF
	# The file as it must be afterwards: bob-p's four lines gone.
	awk '/^\[bob-p\]$/ {skip = 1; next} /^\[/ {skip = 0} skip && /^(aws_|region)/ {next} {print}' \
		"$AWS_SHARED_CREDENTIALS_FILE" > "$AWS_T/expected"
	run --separate-stderr "$MFA_BIN" aws keys import bob-p --remove
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	cmp "$AWS_T/expected" "$AWS_SHARED_CREDENTIALS_FILE"
	[ "$(stat -c %a "$AWS_SHARED_CREDENTIALS_FILE")" = 600 ]
	[[ "$stderr" == *"imported profile bob-p: the key $AKID of arn:aws:iam::$ACCT:user/bob"* ]]
	[[ "$stderr" == *"profile bob-p: sessions use the MFA device arn:aws:iam::$ACCT:mfa/bob"* ]]
	[[ "$stderr" == *"removed 1 profile from $AWS_SHARED_CREDENTIALS_FILE"* ]]
	[ "${lines[0]}" = "[profile bob-p]" ]
	[ "${lines[1]}" = "region = eu-west-1" ]
	[ "${lines[2]}" = "credential_process = $MFA_ELF aws creds bob-p" ]
	[ "${#lines[@]}" -eq 3 ]
	run "$MFA_BIN" aws keys show bob-p
	[[ "$output" == *"region: eu-west-1"* ]]
	# A profile with session credentials is not long-term keys.
	run --separate-stderr "$MFA_BIN" aws keys import session-only
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"holds session credentials (aws_session_token), not long-term keys" ]]
	run --separate-stderr "$MFA_BIN" aws keys import nope
	[ "$status" -eq 1 ]
	[ "$stderr" = "mfa: $AWS_SHARED_CREDENTIALS_FILE has no profile [nope]" ]
	cmp "$AWS_T/expected" "$AWS_SHARED_CREDENTIALS_FILE"
}

@test "rotate: refused when the user already has two keys; nothing changes" {
	new_user r1 r1
	second=$(jget "$(admin key r1)" akid)
	run --separate-stderr "$MFA_BIN" aws rotate r1
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"mfa: nothing changed: the vault still holds $AKID; no new key was made in IAM"* ]]
	[[ "${stderr##*$'\n'}" == "mfa: rotate r1: IAM user r1 already has 2 access keys (AWS allows two): delete the one the vault does not hold (it holds $AKID) and rotate again" ]]
	[ "$(admin keys r1 | sort)" = "$(printf '%s\n' "$AKID" "$second" | sort)" ]
	[[ "$("$MFA_BIN" aws keys show r1 --secret)" == *"secret access key: $SECRET"* ]]
}

@test "rotate: CreateAccessKey fails: nothing made, the old key kept" {
	new_user r2 r2
	rules '[{"action": "CreateAccessKey", "fail": {"status": 500, "code": "ServiceFailure", "message": "injected"}}]'
	run --separate-stderr "$MFA_BIN" aws rotate r2
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"nothing changed: the vault still holds $AKID"* ]]
	[[ "${stderr##*$'\n'}" == "mfa: rotate r2: creating a new access key: An error occurred (ServiceFailure) when calling the CreateAccessKey operation: injected" ]]
	[ "$(admin keys r2)" = "$AKID" ]
	[[ "$("$MFA_BIN" aws keys show r2 --secret)" == *"secret access key: $SECRET"* ]]
	# IAM was called with an MFA session, not with the key itself.
	[ "$(jget "$(plog 'r.get("action") == "ListAccessKeys"' | tail -1)" token)" = True ]
}

@test "rotate: the vault cannot save the new key: it is deleted again" {
	new_user r3 r3
	rules "[{\"action\": \"CreateAccessKey\", \"run\": \"rm -f '$MFA_VAULT.lock' && mkdir '$MFA_VAULT.lock'\"}]"
	run --separate-stderr "$MFA_BIN" aws rotate r3
	[ "$status" -eq 1 ]
	new=$(jget "$(plog 'r.get("action") == "CreateAccessKey"' | tail -1)" issued)
	[[ "$stderr" == *"mfa: the new key $new was deleted again: the vault still holds $AKID"* ]]
	[[ "${stderr##*$'\n'}" == "mfa: rotate r3: saving the new key $new in the vault: cannot lock the vault" ]]
	rmdir "$MFA_VAULT.lock"
	[ "$(admin keys r3)" = "$AKID" ]
	[[ "$("$MFA_BIN" aws keys show r3 --secret)" == *"secret access key: $SECRET"* ]]
}

@test "rotate: the new key never works (bounded retries): deleted again" {
	new_user r4 r4
	rules "[{\"action\": \"GetCallerIdentity\", \"signer_not\": \"$AKID\", \"fail\": {\"status\": 403, \"code\": \"InvalidClientTokenId\", \"message\": \"The security token included in the request is invalid.\"}}]"
	MFA_AWS_ROTATE_WAIT=3 run --separate-stderr "$MFA_BIN" aws rotate r4
	[ "$status" -eq 1 ]
	new=$(jget "$(plog 'r.get("action") == "CreateAccessKey"' | tail -1)" issued)
	[[ "${stderr##*$'\n'}" == "mfa: rotate r4: the new key did not work: An error occurred (InvalidClientTokenId) when calling the GetCallerIdentity operation: The security token included in the request is invalid." ]]
	[[ "$stderr" == *"the new key $new was deleted again"* ]]
	tries=$(plog_count "r.get(\"action\") == \"GetCallerIdentity\" and r.get(\"akid\") == \"$new\"")
	[ "$tries" -ge 2 ] && [ "$tries" -le 4 ]
	[ "$(admin keys r4)" = "$AKID" ]
	run "$MFA_BIN" aws keys show r4
	[[ "$output" != *pending* ]]
}

@test "rotate: a new key neither saved nor deletable: says so and how to delete it" {
	new_user r5 r5
	rules "[{\"action\": \"CreateAccessKey\", \"run\": \"rm -f '$MFA_VAULT.lock' && mkdir '$MFA_VAULT.lock'\"},
		{\"action\": \"DeleteAccessKey\", \"fail\": {\"status\": 500, \"code\": \"ServiceFailure\", \"message\": \"injected\"}}]"
	run --separate-stderr "$MFA_BIN" aws rotate r5
	[ "$status" -eq 1 ]
	new=$(jget "$(plog 'r.get("action") == "CreateAccessKey"' | tail -1)" issued)
	[[ "$stderr" == *"the new key $new exists in IAM but is saved nowhere"*"the vault still holds $AKID (it works)"* ]]
	rmdir "$MFA_VAULT.lock"
	rm -f "$AWS_T/proxy.rules"
	[ "$(admin keys r5 | sort)" = "$(printf '%s\n' "$AKID" "$new" | sort)" ]
	# The printed command works as printed (aws: the v1 CLI on PATH, which
	# reads AWS_ENDPOINT_URL; the mfa word is this mfa).
	undo=$(printf '%s\n' "$stderr" | grep 'delete-access-key' | sed "s|^ *mfa |$MFA_BIN |")
	[[ "$undo" == *"--user-name r5 --access-key-id $new" ]]
	eval "$undo"
	[ "$(admin keys r5)" = "$AKID" ]
}

@test "rotate: kept as pending when it neither works nor can be undone; the next rotate finishes it" {
	new_user r6 r6
	rules "[{\"action\": \"GetCallerIdentity\", \"signer_not\": \"$AKID\", \"fail\": {\"status\": 403, \"code\": \"InvalidClientTokenId\", \"message\": \"not yet\"}},
		{\"action\": \"DeleteAccessKey\", \"fail\": {\"status\": 500, \"code\": \"ServiceFailure\", \"message\": \"injected\"}}]"
	MFA_AWS_ROTATE_WAIT=2 run --separate-stderr "$MFA_BIN" aws rotate r6
	[ "$status" -eq 1 ]
	new=$(jget "$(plog 'r.get("action") == "CreateAccessKey"' | tail -1)" issued)
	[[ "$stderr" == *"mfa: the vault still uses $AKID (it works) and keeps the new key $new as pending; both exist in IAM. 'mfa aws rotate r6' finishes the rotation"* ]]
	run "$MFA_BIN" aws keys show r6
	[[ "$output" == *"access key id: $AKID"* ]]
	[[ "$output" == *"pending: $new"* ]]
	rm -f "$AWS_T/proxy.rules"
	n=$(plog_count 'r.get("action") == "CreateAccessKey"')
	run --separate-stderr "$MFA_BIN" aws rotate r6
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	[[ "$output" == "rotated profile r6: the vault holds the new key $new (it worked after 1 try); the old key $AKID is deleted (an interrupted rotation finished)" ]]
	[ "$(plog_count 'r.get("action") == "CreateAccessKey"')" -eq "$n" ]
	[ "$(admin keys r6)" = "$new" ]
	run "$MFA_BIN" aws keys show r6
	[[ "$output" != *pending* ]]
}

@test "rotate: the old key cannot be deleted: the vault uses the new one and says how to delete the old" {
	new_user r7 r7
	rules "[{\"action\": \"DeleteAccessKey\", \"param\": {\"AccessKeyId\": \"$AKID\"}, \"fail\": {\"status\": 500, \"code\": \"ServiceFailure\", \"message\": \"injected\"}}]"
	run --separate-stderr "$MFA_BIN" aws rotate r7
	[ "$status" -eq 1 ]
	new=$(jget "$(plog 'r.get("action") == "CreateAccessKey"' | tail -1)" issued)
	[[ "$stderr" == *"mfa: the vault now holds the new key $new (it works); the old key $AKID still exists in IAM. Delete it with:"* ]]
	[[ "$stderr" == *"mfa aws exec r7 -- aws iam delete-access-key --user-name r7 --access-key-id $AKID"* ]]
	[[ "${stderr##*$'\n'}" == "mfa: rotate r7: deleting the old key: An error occurred (ServiceFailure) when calling the DeleteAccessKey operation: injected" ]]
	[ "$(admin keys r7 | sort)" = "$(printf '%s\n' "$AKID" "$new" | sort)" ]
	[[ "$("$MFA_BIN" aws keys show r7)" == *"access key id: $new"* ]]
}

@test "rotate: the vault cannot switch to the new key: deleted again; the next rotate clears up and rotates" {
	new_user r8 r8
	rules "[{\"action\": \"GetCallerIdentity\", \"signer_not\": \"$AKID\", \"run\": \"rm -f '$MFA_VAULT.lock' && mkdir '$MFA_VAULT.lock'\"}]"
	run --separate-stderr "$MFA_BIN" aws rotate r8
	[ "$status" -eq 1 ]
	new=$(jget "$(plog 'r.get("action") == "CreateAccessKey"' | tail -1)" issued)
	[[ "${stderr##*$'\n'}" == "mfa: rotate r8: making $new the vault's key: cannot lock the vault" ]]
	[[ "$stderr" == *"the new key $new was deleted again: the vault still holds $AKID"* ]]
	rmdir "$MFA_VAULT.lock"
	[ "$(admin keys r8)" = "$AKID" ]
	[[ "$("$MFA_BIN" aws keys show r8 --secret)" == *"secret access key: $SECRET"* ]]
	# IAM is eventually consistent: the new key fails twice, then works.
	rules '[{"action": "GetCallerIdentity", "signer_not": "'"$AKID"'", "times": 2, "fail": {"status": 403, "code": "InvalidClientTokenId", "message": "not yet"}}]'
	run --separate-stderr "$MFA_BIN" aws rotate r8
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	new=$(jget "$(plog 'r.get("action") == "CreateAccessKey"' | tail -1)" issued)
	[ "$output" = "rotated profile r8: the vault holds the new key $new (it worked after 3 tries); the old key $AKID is deleted" ]
	[ "$(admin keys r8)" = "$new" ]
	# The key in the vault is the one IAM made, and it works.
	secret=$("$MFA_BIN" aws keys show r8 --secret | sed -n 's/^secret access key: //p')
	[ "$(py 'import json,sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r.get("akid") == sys.argv[2]: print(r["secret"])' "$AWS_T/proxy.learned" "$new")" = "$secret" ]
	out=$(AWS_ACCESS_KEY_ID=$new AWS_SECRET_ACCESS_KEY=$secret /usr/bin/aws --endpoint-url "$MOTO" \
		sts get-caller-identity --output json)
	[ "$(jget "$out" Arn)" = "arn:aws:iam::$ACCT:user/r8" ]
	no_bad_signatures
}

@test "AWS_CA_BUNDLE: an HTTPS endpoint with a private CA works with it, and fails without" {
	tls="https://127.0.0.1:$(cat "$AWS_T/tls.port")"
	new_user tlsu
	run --separate-stderr env AWS_ENDPOINT_URL="$tls" AWS_CA_BUNDLE=/nonexistent/ca.pem \
		"$MFA_BIN" aws keys add tls-p <<< "$AKID"$'\n'"$SECRET"
	[ "$status" -eq 1 ]
	[[ "$stderr" == "mfa: profile tls-p: checking the key $AKID: cannot reach $tls/: "* ]]
	run --separate-stderr env AWS_ENDPOINT_URL="$tls" "$MFA_BIN" aws keys add tls-p <<< "$AKID"$'\n'"$SECRET"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"cannot reach $tls/: "*"certificate"* ]]
	run --separate-stderr env AWS_ENDPOINT_URL="$tls" AWS_CA_BUNDLE="$AWS_T/tls.pem" \
		"$MFA_BIN" aws keys add tls-p <<< "$AKID"$'\n'"$SECRET"
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	[[ "$stderr" == *"stored the key $AKID of arn:aws:iam::$ACCT:user/tlsu for profile tls-p"* ]]
}

@test "HTTPS_PROXY: requests go through the proxy (CONNECT); AWS_ENDPOINT_URL_STS wins over AWS_ENDPOINT_URL" {
	port=$(cat "$AWS_T/tls.port")
	# sts.mfa.test resolves nowhere: only the proxy can reach it.
	new_user proxu
	run --separate-stderr env AWS_ENDPOINT_URL=http://127.0.0.1:9/ \
		AWS_ENDPOINT_URL_STS="https://sts.mfa.test:$port" HTTPS_PROXY="$PROXY" \
		AWS_CA_BUNDLE="$AWS_T/tls.pem" "$MFA_BIN" aws keys add proxied <<< "$AKID"$'\n'"$SECRET"
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	[ "$(plog_count "r.get(\"connect\") == \"sts.mfa.test:$port\"")" -ge 1 ]
	# Signed for the host it went to, and botocore agrees.
	run plog "r.get(\"host\") == \"sts.mfa.test:$port\""
	[ "${#lines[@]}" -ge 1 ]
}

@test "export --include-aws-keys: the keys only when named" {
	run "$MFA_BIN" export --format json
	[ "$status" -eq 0 ]
	[[ "$output" != *aws_keys* ]]
	[[ "$output" != *secret_access_key* ]]
	run "$MFA_BIN" export --format json --include-aws-keys
	[ "$status" -eq 0 ]
	secret=$("$MFA_BIN" aws keys show alice-p --secret | sed -n 's/^secret access key: //p')
	py 'import json,sys
d = json.loads(sys.argv[1])
k = [k for k in d["aws_keys"] if k["profile"] == "alice-p"][0]
assert k["secret_access_key"] == sys.argv[2], k
assert k["serial"].endswith(":mfa/alice")
assert d["entries"], "the accounts are still there"' "$output" "$secret"
	run --separate-stderr "$MFA_BIN" export --format uri --include-aws-keys
	[ "$status" -eq 2 ]
	[[ "$stderr" == "mfa: --include-aws-keys goes with --format json"* ]]
}

@test "keys rm: the key leaves the vault (and its cached sessions); IAM is named" {
	run --separate-stderr "$MFA_BIN" aws keys rm tls-p
	[ "$status" -eq 2 ]
	[[ "$stderr" == "mfa: not removing the key of profile tls-p without --yes"* ]]
	akid=$("$MFA_BIN" aws keys show tls-p | sed -n 's/^access key id: //p')
	run --separate-stderr "$MFA_BIN" aws keys rm tls-p --yes
	[ "$status" -eq 0 ]
	[ "$output" = "removed the key $akid of profile tls-p from the vault" ]
	[[ "$stderr" == *"delete-access-key --access-key-id $akid --user-name tlsu"* ]]
	run "$MFA_BIN" aws keys list
	[[ "$output" != *tls-p* ]]
	[ ! -e "$MFA_VAULT.bak" ]
}

@test "the long-term secret reaches no child's argv or environment, and no file" {
	command -v strace > /dev/null || skip "strace is not installed"
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
	new_user watch watch-p
	mkdir -p "$AWS_T/bin"
	cat > "$AWS_T/bin/xdg-open" <<-'EOF'
	#!/bin/sh
	# What mfa (our parent) and we were given.
	{ printf '%s\n' "$@"; cat /proc/$$/environ /proc/$PPID/environ /proc/$PPID/cmdline; } > "$XDG_OPEN_LOG" 2>&1
	EOF
	chmod +x "$AWS_T/bin/xdg-open"
	cat > "$AWS_CONFIG_FILE" <<-EOF
	[profile watch-p]
	credential_process = $MFA_BIN aws creds watch-p
	EOF
	t="$AWS_T/trace"
	mkdir -p "$t"
	# Every process each command starts, with its whole argv and environ.
	trace() {
		strace -f -qq -v -s 65536 -e trace=execve -o "$t/$1" "${@:2}"
	}
	trace creds /usr/bin/aws --endpoint-url "$PROXY" sts get-caller-identity --profile watch-p > /dev/null
	trace exec "$MFA_BIN" aws exec watch-p -- sh -c 'cat /proc/$$/environ /proc/$$/cmdline > "$1"' sh "$AWS_T/exec.proc"
	XDG_OPEN_LOG="$AWS_T/xdg.proc" PATH="$AWS_T/bin:$PATH" trace login "$MFA_BIN" aws login watch-p
	trace rotate "$MFA_BIN" aws rotate watch-p > /dev/null
	printf '[watch-imp]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$AKID" "$SECRET" > "$AWS_T/watch.cred"
	trace import "$MFA_BIN" aws keys import --from "$AWS_T/watch.cred" --remove > /dev/null 2>&1
	# The new key the rotation made is a long-term secret too.
	new=$(py 'import json,sys
print([json.loads(l)["secret"] for l in open(sys.argv[1]) if json.loads(l)["kind"] == "CreateAccessKey"][-1])' "$AWS_T/proxy.learned")
	# The traces saw the children (not vacuous) ...
	grep -q 'execve("/usr/bin/sh\|execve("/bin/sh' "$t/exec"
	grep -q 'MFA_AWS_EXEC=watch-p' "$t/exec"
	grep -q '"aws", "creds", "watch-p"' "$t/creds"
	grep -q 'xdg-open' "$t/login"
	grep -q SigninToken= "$AWS_T/xdg.proc"
	grep -q 'MFA_AWS_EXEC=watch-p' "$AWS_T/exec.proc"
	# ... and neither secret anywhere in them, nor in any file left behind
	# (the vault is encrypted; the credentials file was rewritten).
	for s in "$SECRET" "$new"; do
		run ! grep -rqF -- "$s" "$t" "$AWS_T/exec.proc" "$AWS_T/xdg.proc" "$HOME" "$AWS_T/watch.cred"
		run ! grep -qF -- "$s" "$MFA_VAULT" "$MFA_VAULT.bak"
	done
	! grep -q aws_secret_access_key "$AWS_T/watch.cred" || false
}

@test "done when: keys in ~/.aws/credentials -> import --remove -> two lines in ~/.aws/config -> MFA sessions, no plaintext, no code typed" {
	new_user dora
	rm -f "$AWS_CONFIG_FILE"
	cat > "$AWS_SHARED_CREDENTIALS_FILE" <<-EOF
	[default]
	aws_access_key_id = $AKID
	aws_secret_access_key = $SECRET
	EOF
	# The README's command as written (its one sh block there), with no
	# terminal and nothing on stdin: nobody can type a code.
	readme=$(py 'import sys
t = open(sys.argv[1]).read()
t = t[t.index("## AWS long-term keys"):]
sh = t[t.index("```sh\n") + 6:]
print(sh[:sh.index("```")].split("  #")[0].strip())
ini = t[t.index("```ini\n") + 7:]
print(ini[:ini.index("```")].rstrip())' "$BATS_TEST_DIRNAME/../../README.md")
	l=$(head -n 1 <<< "$readme")
	[ "$l" = "mfa aws keys import --remove" ]
	# mfa on PATH, as the README's user has it: the lines then name it so.
	export PATH="$(dirname "$MFA_BIN"):$PATH"
	run --separate-stderr setsid -w bash -c "$l" < /dev/null
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	[ "${#lines[@]}" -eq 2 ]
	printf '%s\n' "${lines[@]}" >> "$AWS_CONFIG_FILE"
	# Exactly the README's two lines (with the program's full path when
	# the mfa on PATH is a wrapper, as under make valgrind).
	want=$(tail -n +2 <<< "$readme")
	[ "$MFA_BIN" = "$MFA_ELF" ] || want=$(sed "s|= mfa |= $MFA_ELF |" <<< "$want")
	[ "$(cat "$AWS_CONFIG_FILE")" = "$want" ]
	[[ "$want" == "[default]
credential_process = "*"mfa aws creds default" ]]
	run ! grep -q "$SECRET" "$AWS_SHARED_CREDENTIALS_FILE"
	run ! grep -rqF -- "$SECRET" "$HOME"
	n=$(plog_count 'r.get("action") == "GetSessionToken"')
	run --separate-stderr setsid -w /usr/bin/aws --endpoint-url "$PROXY" sts get-caller-identity --output json < /dev/null
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	run --separate-stderr setsid -w /usr/bin/aws --endpoint-url "$MOTO" s3 ls < /dev/null
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	# One MFA session for both, with a code pyotp accepts for dora's device.
	[ "$(plog_count 'r.get("action") == "GetSessionToken"')" -eq $((n + 1)) ]
	gst=$(plog 'r.get("action") == "GetSessionToken"' | tail -1)
	[ "$(jget "$gst" params SerialNumber)" = "$SERIAL" ]
	[ "$(jget "$gst" akid)" = "$AKID" ]
	[ "$(codes_valid "$SERIAL" "$SEED")" -eq 1 ]
	[ "$(jget "$(plog 'r.get("action") == "GetCallerIdentity"' | tail -1)" akid)" = "$(jget "$gst" issued)" ]
	no_bad_signatures
}

#!/usr/bin/env bats
# mfa aws audit|devices|resync|deactivate, end to end.
#
# The AWS CLI used is Debian's awscli v2 at /usr/bin/aws (not the v1 `aws`
# on PATH), through tests/tools/aws/aws-wrapper, which adds --endpoint-url
# (v2 ignores endpoint_url in its config) for one of two servers started
# here on free loopback ports:
#   - moto_server, the AWS emulator of this image's Python, run through
#     tests/tools/aws/moto-clock.py so that the tests can set IAM's clock
#     back: users, keys and key uses are planted 5 to 200 days in the past
#     and moto's own credential report shows them. moto's report has no
#     <root_account> row;
#   - tests/tools/aws/standin_hyg.py, our stand-in (standin.py plus
#     ResyncMFADevice, which moto lacks, DeactivateMFADevice,
#     ListMFADevices, a report served from a file, failures on demand); it
#     checks every code with python3-pyotp and refuses a step seen before.
# A server missing: its tests are skipped with the reason. The tests run in
# file order and share the servers and one vault per server.

bats_require_minimum_version 1.5.0

TOOLS="$BATS_TEST_DIRNAME/../tools/aws"
ACCT=123456789012
DAY=86400

setup_file() {
	export AWS_T
	AWS_T=$(mktemp -d "${BATS_TMPDIR:-/tmp}/mfa-hyg.XXXXXX")
	export MOTO_WHY="" STANDIN_WHY=""
	if [ ! -x /usr/bin/aws ]; then
		MOTO_WHY="Debian's awscli (/usr/bin/aws) is not installed"
		STANDIN_WHY=$MOTO_WHY
		return 0
	fi
	# moto with a clock: the Python that runs moto_server runs it.
	local moto py="" rc=0
	moto=$(command -v moto_server 2> /dev/null) ||
		moto="${MFA_BUILD:-build}/moto/bin/moto_server"
	for c in "$(dirname "$moto")/python3" python3; do
		if "$c" -c 'import moto.server, moto.iam.models' 2> /dev/null; then
			py=$c
			break
		fi
	done
	export MOTO_PY=$py
	if [ -z "$py" ]; then
		MOTO_WHY="no Python with moto (make deps, or pip install 'moto[server]')"
	else
		printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$py" "$(cd "$TOOLS" && pwd)/moto-clock.py" \
			> "$AWS_T/moto-clock"
		chmod +x "$AWS_T/moto-clock"
		export MFA_MOTO_SHIFT_FILE="$AWS_T/moto.shift"
		MFA_MOTO_SERVER="$AWS_T/moto-clock" "$TOOLS/moto-start" "$AWS_T" || rc=$?
		[ "$rc" -eq 0 ] || MOTO_WHY="moto_server did not start: $(tail -3 "$AWS_T/moto.log")"
	fi
	rc=0
	MFA_STANDIN="$TOOLS/standin_hyg.py" "$TOOLS/standin-start" "$AWS_T" || rc=$?
	case $rc in
	0) ;;
	77) STANDIN_WHY="python3-pyotp is missing for /usr/bin/python3" ;;
	*) STANDIN_WHY="the stand-in did not start: $(cat "$AWS_T/standin.err")" ;;
	esac
	printf 'test passphrase\n' > "$AWS_T/pass"
	for v in moto standin; do
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
	[ -x "$MFA_BIN" ] || skip "no mfa binary at $MFA_BIN"
	export MFA_BIN
	export HOME="$AWS_T/home"
	mkdir -p "$HOME"
	export MFA_PASSPHRASE_FILE="$AWS_T/pass" MFA_CACHE_TTL=0
	unset MFA_PASSPHRASE MFA_PASSPHRASE_COMMAND MFA_AWS_NESTED MFA_TIME_OFFSET
	export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
	export AWS_DEFAULT_REGION=us-east-1
	export AWS_CONFIG_FILE="$AWS_T/config"
	export AWS_SHARED_CREDENTIALS_FILE="$AWS_T/credentials"
	unset AWS_PROFILE AWS_SESSION_TOKEN AWS_DEFAULT_PROFILE
	export MFA_AWS_CLI="$(cd "$TOOLS" && pwd)/aws-wrapper"
}

teardown() {
	[ -z "${AWS_T:-}" ] || rm -f "$AWS_T"/fail.* "$AWS_T/moto.shift"
	[ -z "${TTY_DIR:-}" ] || "${TT[@]}" kill-server 2> /dev/null || true
	[ -z "${TTY_DIR:-}" ] || rm -rf "$TTY_DIR"
}

use_moto() {
	[ -z "$MOTO_WHY" ] || skip "$MOTO_WHY"
	export MFA_TEST_ENDPOINT="http://127.0.0.1:$(cat "$AWS_T/moto.port")"
	export MFA_VAULT="$AWS_T/moto.vault"
}

use_standin() {
	[ -z "$STANDIN_WHY" ] || skip "$STANDIN_WHY"
	export MFA_TEST_ENDPOINT="http://127.0.0.1:$(cat "$AWS_T/standin.port")"
	export MFA_VAULT="$AWS_T/standin.vault"
}

awscli() {
	"$MFA_AWS_CLI" "$@"
}

py() {
	local code=$1
	shift
	/usr/bin/python3 -c "$code" "$@"
}

# plant 'STEPS': set moto's IAM up with boto3, in one process of moto's
# Python (an AWS CLI run per call would take minutes). In STEPS: at(N) sets
# IAM's clock N days back; user(NAME); key(NAME) returns a key; use(KEY)
# makes one call signed with it, which moto records as the key's last use;
# iam is the client.
plant() {
	"$MOTO_PY" - "$MFA_TEST_ENDPOINT" "$MFA_MOTO_SHIFT_FILE" <<-EOF
	import sys, boto3
	ep, shift = sys.argv[1], sys.argv[2]
	kw = dict(endpoint_url=ep, region_name="us-east-1")
	iam = boto3.client("iam", aws_access_key_id="testing", aws_secret_access_key="testing", **kw)
	def at(days):
	    open(shift, "w").write(str(-days * $DAY))
	def user(name):
	    iam.create_user(UserName=name)
	def key(name):
	    return iam.create_access_key(UserName=name)["AccessKey"]
	def use(k):
	    boto3.client("sts", aws_access_key_id=k["AccessKeyId"],
	                 aws_secret_access_key=k["SecretAccessKey"], **kw).get_caller_identity()
	try:
	$(sed 's/^/    /' <<< "$1")
	finally:
	    at(0)
	EOF
}

# moto's own credential report, by boto3 and Python's csv module: one line
# "user value" for the column asked.
moto_report() {
	"$MOTO_PY" - "$MFA_TEST_ENDPOINT" "$1" <<-EOF
	import sys, csv, io, boto3
	iam = boto3.client("iam", endpoint_url=sys.argv[1], region_name="us-east-1",
	                   aws_access_key_id="testing", aws_secret_access_key="testing")
	iam.generate_credential_report()
	iam.generate_credential_report()
	text = iam.get_credential_report()["Content"].decode()
	for r in csv.DictReader(io.StringIO(text)):
	    print(r["user"], r[sys.argv[2]])
	EOF
}

# new_key USER: an access key of USER as "ID SECRET".
new_key() {
	awscli iam create-access-key --user-name "$1" --output json |
		py 'import json,sys; k=json.load(sys.stdin)["AccessKey"]; print(k["AccessKeyId"], k["SecretAccessKey"])'
}

# The findings of `mfa aws audit --json` as sorted "kind who key days" lines.
findings() {
	py 'import json,sys
for f in json.loads(sys.argv[1])["findings"]:
    print(f["kind"], f["who"], f["key"] if f["key"] is not None else "-", f["days"] if f["days"] is not None else "-")' "$1" | sort
}

jget() {
	py 'import json,sys
v = json.loads(sys.argv[1])
for k in sys.argv[2:]:
    v = v[int(k)] if isinstance(v, list) else v[k]
print(json.dumps(v) if isinstance(v, (dict, list)) or v is None else v)' "$@"
}

# moto's own credential report, parsed by Python's csv module: one line
# "user column value" for the column asked.
moto_report() {
	awscli iam generate-credential-report > /dev/null
	awscli iam generate-credential-report > /dev/null
	awscli iam get-credential-report --output json |
		py 'import base64,csv,io,json,sys
rows = list(csv.DictReader(io.StringIO(base64.b64decode(json.load(sys.stdin)["Content"]).decode())))
for r in rows:
    print(r["user"], r[sys.argv[1]])' "$1"
}

# Whole days from an ISO date to now, by Python's datetime.
days_since() {
	py 'import datetime,sys
t = datetime.datetime.fromisoformat(sys.argv[1])
print((datetime.datetime.now(datetime.timezone.utc) - t).days)' "$1"
}

standin_count() {
	py 'import json,sys
print(sum(1 for l in open(sys.argv[1]) if (lambda r: r["action"] == sys.argv[2] and r["ok"] == (sys.argv[3] == "ok"))(json.loads(l))))' \
		"$AWS_T/standin.log" "$1" "${2:-ok}"
}

standin_steps() {
	py 'import json,sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r["action"] == sys.argv[2] and r["ok"] and "steps" in r:
        print(" ".join(map(str, r["steps"])))' "$AWS_T/standin.log" "$1"
}

# --- moto ------------------------------------------------------------------

@test "moto: a clean account: audit exits 0 and says what it checked" {
	use_moto
	# A key made 10 days ago, used yesterday; a user with MFA (enrolled
	# by mfa below) and no password or key.
	plant 'at(10); user("clean"); k = key("clean"); at(1); use(k)
user("withmfa")'
	run --separate-stderr "$MFA_BIN" aws enroll --user-name withmfa
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	run --separate-stderr "$MFA_BIN" aws audit
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[[ "${lines[0]}" == "0 findings: 2 users and 1 virtual MFA device checked (report of "* ]]
	[[ "$output" == *"the report has no <root_account> row: the root user was not checked"* ]]
	[[ "$output" != *"WHO"* ]]
	run "$MFA_BIN" aws audit --json
	[ "$status" -eq 0 ]
	[ "$(jget "$output" findings)" = "[]" ]
	[ "$(jget "$output" users)" = 2 ]
	[ "$(jget "$output" root_checked)" = False ]
}

@test "moto: audit finds every planted problem and nothing else" {
	use_moto
	plant '
# A key 200 days old, used yesterday.
at(200); user("oldkey"); k = key("oldkey"); at(1); use(k)
# A key 100 days old, last used 60 days ago.
at(100); user("idlekey"); k = key("idlekey"); at(60); use(k)
# A key made 5 days ago and never used.
at(5); user("unusedkey"); key("unusedkey")
# Two active keys, both in use.
at(1); user("twokeys"); k1 = key("twokeys"); k2 = key("twokeys"); use(k1); use(k2)
# A console password and no MFA (moto: never used).
at(0); user("nomfa"); iam.create_login_profile(UserName="nomfa", Password="Passw0rd!x")
# A virtual MFA device nobody has (a failed enrolment leaves one).
iam.create_virtual_mfa_device(VirtualMFADeviceName="orphan")'

	# The planting worked: moto's report, read by Python's csv, shows it.
	run moto_report access_key_1_last_rotated
	[ "$(days_since "$(awk '$1 == "oldkey" { print $2 }' <<< "$output")")" -eq 200 ]
	[ "$(days_since "$(awk '$1 == "idlekey" { print $2 }' <<< "$output")")" -eq 100 ]
	run moto_report access_key_1_last_used_date
	[ "$(days_since "$(awk '$1 == "idlekey" { print $2 }' <<< "$output")")" -eq 60 ]
	[ "$(awk '$1 == "unusedkey" { print $2 }' <<< "$output")" = N/A ]
	nusers=$(wc -l <<< "$output")

	run --separate-stderr "$MFA_BIN" aws audit --json --max-key-age 180 --max-idle 30
	[ "$status" -eq 4 ] || { echo "$output $stderr"; false; }
	[ -z "$stderr" ]
	json=$output
	run findings "$json"
	echo "$output"
	[ "$output" = "$(sort <<-EOF
	key-old oldkey 1 200
	key-unused idlekey 1 60
	key-never-used unusedkey 1 5
	two-active-keys twokeys - -
	password-without-mfa nomfa - -
	password-never-used nomfa - 0
	device-unassigned arn:aws:iam::$ACCT:mfa/orphan - -
	EOF
	)" ]
	[ "$(jget "$json" users)" -eq "$nusers" ]
	ndev=$(awscli iam list-virtual-mfa-devices --output json |
		py 'import json,sys; print(len(json.load(sys.stdin)["VirtualMFADevices"]))')
	[ "$(jget "$json" virtual_mfa_devices)" -eq "$ndev" ]
	[ "$(jget "$json" max_key_age_days)" -eq 180 ]
}

@test "moto: the table, most urgent first, with the default limits and the fixes" {
	use_moto
	run --separate-stderr "$MFA_BIN" aws audit
	echo "$output"
	[ "$status" -eq 4 ]
	[ -z "$stderr" ]
	[[ "${lines[0]}" == "WHO "*"FINDING" ]]
	[[ "${lines[1]}" =~ ^nomfa\ +console\ password\ without\ MFA$ ]]
	# 90 days: idlekey's 100-day-old key is now old, its 60 idle days fine.
	grep -qE '^oldkey +access key 1 is 200 days old \(limit 90\)$' <<< "$output"
	grep -qE '^idlekey +access key 1 is 100 days old \(limit 90\)$' <<< "$output"
	[[ "$output" != *"unused for"* ]]
	grep -qE "^arn:aws:iam::$ACCT:mfa/orphan +virtual MFA device assigned to no one" <<< "$output"
	# Rows in the order of urgency: passwords, keys, then the device.
	[ "$(grep -nE '^nomfa +console' <<< "$output" | head -1 | cut -d: -f1)" -lt \
		"$(grep -nE '^oldkey' <<< "$output" | cut -d: -f1)" ]
	[ "$(grep -nE '^twokeys' <<< "$output" | cut -d: -f1)" -lt \
		"$(grep -nE '^arn:' <<< "$output" | cut -d: -f1)" ]
	grep -qx '  key-old: rotate the key: create a new one, move its users over, then delete the old one' <<< "$output"
	grep -qE '^  device-unassigned: delete it \(aws iam delete-virtual-mfa-device\)' <<< "$output"
	grep -qE '^7 findings: 7 users and 2 virtual MFA devices checked' <<< "$output"
}

@test "moto: audit's limits are checked as numbers" {
	use_moto
	run "$MFA_BIN" aws audit --max-idle soon
	[ "$status" -eq 2 ]
	[[ "${lines[0]}" == "mfa: --max-idle wants a number, not 'soon'" ]]
}

@test "moto: devices: the caller's device, the orphan, and a stale vault account" {
	use_moto
	# Accounts the vault holds: one whose device this AWS account no longer
	# has, one of another AWS account (not judged).
	echo JBSWY3DPEHPK3PXP | "$MFA_BIN" add gone --issuer Amazon \
		--serial "arn:aws:iam::$ACCT:mfa/gone" > /dev/null 2>&1
	echo JBSWY3DPEHPK3PXP | "$MFA_BIN" add elsewhere --issuer Amazon \
		--serial "arn:aws:iam::999999999999:mfa/elsewhere" > /dev/null 2>&1
	set -- $(new_key withmfa)
	run --separate-stderr env AWS_ACCESS_KEY_ID=$1 AWS_SECRET_ACCESS_KEY=$2 \
		"$MFA_BIN" aws devices --json
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	json=$output
	[ "$(jget "$json" account)" = "$ACCT" ]
	[ "$(jget "$json" caller)" = "arn:aws:iam::$ACCT:user/withmfa" ]
	[ "$(jget "$json" user)" = withmfa ]
	run py 'import json,sys
for d in json.loads(sys.argv[1])["devices"]:
    print(d["serial"], d["kind"], d["of_user"], d["assigned_to"], d["vault"])' "$json"
	[ "$output" = "arn:aws:iam::$ACCT:mfa/withmfa virtual True withmfa Amazon Web Services:withmfa
arn:aws:iam::$ACCT:mfa/orphan virtual False None None" ]
	[ "$(jget "$json" stale)" = "[{\"vault\": \"Amazon:gone\", \"serial\": \"arn:aws:iam::$ACCT:mfa/gone\"}]" ]
	# The serials are the ones the AWS CLI lists itself.
	want=$(awscli iam list-virtual-mfa-devices --output json |
		py 'import json,sys; print(" ".join(sorted(d["SerialNumber"] for d in json.load(sys.stdin)["VirtualMFADevices"])))')
	got=$(py 'import json,sys; print(" ".join(sorted(d["serial"] for d in json.loads(sys.argv[1])["devices"])))' "$json")
	[ "$got" = "$want" ]
	# The table says the same.
	run --separate-stderr env AWS_ACCESS_KEY_ID=$1 AWS_SECRET_ACCESS_KEY=$2 \
		"$MFA_BIN" aws devices
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "account $ACCT, asked as arn:aws:iam::$ACCT:user/withmfa" ]
	grep -qE "^arn:aws:iam::$ACCT:mfa/withmfa +virtual +withmfa +Amazon Web Services:withmfa$" <<< "$output"
	grep -qE "^arn:aws:iam::$ACCT:mfa/orphan +virtual +\(no one\) +-$" <<< "$output"
	grep -qx "withmfa has 1 MFA device" <<< "$output"
	grep -qx "  Amazon:gone  arn:aws:iam::$ACCT:mfa/gone" <<< "$output"
	[[ "$output" != *elsewhere* ]]
	# Another user's devices: none.
	run "$MFA_BIN" aws devices --user-name nomfa
	[ "$status" -eq 0 ]
	grep -qx "nomfa has 0 MFA devices" <<< "$output"
	"$MFA_BIN" rm gone --yes > /dev/null
	"$MFA_BIN" rm elsewhere --yes > /dev/null
}

@test "moto: deactivate without a terminal or --yes changes nothing" {
	use_moto
	before=$(sha256sum "$MFA_VAULT")
	run --separate-stderr setsid -w "$MFA_BIN" aws deactivate withmfa < /dev/null
	[ "$status" -eq 2 ]
	[[ "$stderr" == "mfa: deactivate asks before it removes the account from the vault: give --yes (no terminal to ask on)"* ]]
	[ "$(sha256sum "$MFA_VAULT")" = "$before" ]
	run awscli iam list-virtual-mfa-devices --assignment-status Assigned --output json
	[[ "$output" == *"mfa/withmfa"* ]]
}

@test "moto: deactivate --delete --yes: each step said, the device and the account gone" {
	use_moto
	run --separate-stderr "$MFA_BIN" aws deactivate withmfa --delete --yes
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	[ "${lines[0]}" = "deactivated arn:aws:iam::$ACCT:mfa/withmfa for IAM user withmfa" ]
	[ "${lines[1]}" = "deleted the virtual MFA device arn:aws:iam::$ACCT:mfa/withmfa" ]
	[ "${lines[2]}" = "removed Amazon Web Services:withmfa from the vault" ]
	run awscli iam list-virtual-mfa-devices --output json
	[[ "$output" != *"mfa/withmfa"* ]]
	run awscli iam list-mfa-devices --user-name withmfa --output json
	[[ "$output" != *"mfa/withmfa"* ]]
	run "$MFA_BIN" list --json
	[[ "$output" != *withmfa* ]]
	# The previous vault file, which still had the seed, is gone too.
	[ ! -e "$MFA_VAULT.bak" ]
}

# --- the stand-in ------------------------------------------------------------

# A credential report in IAM's layout, dates relative to now (Python).
standin_report() {
	py 'import datetime
now = datetime.datetime.now(datetime.timezone.utc)
d = lambda n: (now - datetime.timedelta(days=n)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
print("user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated")
print("<root_account>,arn:aws:iam::123456789012:root,%s,not_supported,%s,not_supported,not_supported,false,true,%s,%s,us-east-1,iam,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A" % (d(900), d(3), d(400), d(2)))
print("alice,arn:aws:iam::123456789012:user/alice,%s,true,%s,%s,N/A,true,true,%s,%s,us-east-1,sts,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A" % (d(500), d(1), d(100), d(300), d(0)))
print("\"ops,admin\",arn:aws:iam::123456789012:user/ops-admin,%s,true,no_information,%s,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A" % (d(40), d(40)))
'
}

@test "stand-in: audit polls until the report is made, root first, quoted names" {
	use_standin
	standin_report > "$AWS_T/report.csv"
	run --separate-stderr "$MFA_BIN" aws audit
	echo "$output"
	[ "$status" -eq 4 ] || { echo "$stderr"; false; }
	# STARTED, INPROGRESS, COMPLETE.
	[ "$(standin_count GenerateCredentialReport)" -eq 3 ]
	[ "$(standin_count GetCredentialReport)" -eq 1 ]
	[[ "${lines[1]}" =~ ^\<root_account\>\ +the\ root\ user\ has\ no\ MFA$ ]]
	[[ "${lines[2]}" =~ ^\<root_account\>\ +the\ root\ user\ has\ an\ active\ access\ key\ 1\ \(400\ days\ old\)$ ]]
	[[ "${lines[3]}" =~ ^ops,admin\ +console\ password\ without\ MFA$ ]]
	# (the AWS CLI v2 writes the time its own way)
	grep -qxE '5 findings: 3 users and 0 virtual MFA devices checked \(report of 2026-01-02T03:04:05(Z|\+00:00)\)' <<< "$output"
	[[ "$output" != *"no <root_account> row"* ]]
	run "$MFA_BIN" aws audit --json
	[ "$status" -eq 4 ]
	[ "$(standin_count GenerateCredentialReport)" -eq 4 ]
	run findings "$output"
	[ "$output" = "$(sort <<-EOF
	root-no-mfa <root_account> - -
	root-access-key <root_account> 1 400
	password-without-mfa ops,admin - -
	password-never-used ops,admin - 40
	key-old alice 1 300
	EOF
	)" ]
}

@test "stand-in: a report that is not CSV is an error naming the line" {
	use_standin
	printf 'user,arn\nbob,x\n"carol,y\n' > "$AWS_T/report.csv"
	run --separate-stderr "$MFA_BIN" aws audit
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$stderr" = "mfa: audit: the credential report is not CSV: a quote that is never closed on line 3" ]
	printf 'user,arn\nbob,x\n' > "$AWS_T/report.csv"
	run --separate-stderr "$MFA_BIN" aws audit
	[ "$status" -eq 1 ]
	[ "$stderr" = "mfa: audit: the credential report has no column password_enabled" ]
}

@test "stand-in: resync right after enroll, refused, then accepted: never a step twice" {
	use_standin
	run --separate-stderr "$MFA_BIN" aws enroll
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	set -- $(standin_steps EnableMFADevice)
	enrolled=$2
	# AWS refuses: the error says why; the codes were sent all the same.
	echo "not allowed to resync today" > "$AWS_T/fail.ResyncMFADevice"
	run --separate-stderr "$MFA_BIN" aws resync alice
	rm "$AWS_T/fail.ResyncMFADevice"
	[ "$status" -eq 1 ]
	[[ "$stderr" == "mfa: resyncing arn:aws:iam::$ACCT:mfa/alice (account Amazon Web Services:alice) for IAM user alice: An error occurred (AccessDenied)"*"not allowed to resync today" ]]
	refused=$(py 'import json,sys
print(" ".join(map(str, [json.loads(l) for l in open(sys.argv[1]) if "sent" in l][-1]["sent"])))' "$AWS_T/standin.log")
	set -- $refused
	[ "$1" -gt "$enrolled" ]
	refused=$2
	# Accepted: consecutive steps after the refused ones (which the
	# stand-in would take, never having accepted them: mfa must not send
	# them again), and the ones mfa says it sent.
	run --separate-stderr "$MFA_BIN" aws resync alice
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	[ "$(standin_count ResyncMFADevice)" -eq 1 ]
	set -- $(standin_steps ResyncMFADevice)
	[ "$2" -eq $(($1 + 1)) ]
	[ "$1" -gt "$refused" ]
	[ "$output" = "resynced arn:aws:iam::$ACCT:mfa/alice for IAM user alice (codes of time steps $1 and $2)" ]
}

@test "stand-in: session ages: MfaAuthTime kept with the cache, --max-mfa-age refuses an older one" {
	use_standin
	run --separate-stderr "$MFA_BIN" aws session alice --format json --show-mfa-time
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	t1=$(jget "$output" MfaAuthTime)
	n=$(standin_count GetSessionToken)
	# The time the stand-in got the code, to the second or so.
	at=$(py 'import json,sys
print(int([json.loads(l) for l in open(sys.argv[1]) if "GetSessionToken" in l][-1]["time"]))' "$AWS_T/standin.log")
	d=$(py 'import datetime,sys
print(abs(datetime.datetime.fromisoformat(sys.argv[1].replace("Z", "+00:00")).timestamp() - int(sys.argv[2])))' "$t1" "$at")
	[ "${d%.*}" -le 2 ]
	[[ "$stderr" =~ ^mfa:\ MFA\ authentication\ at\ $t1,\ [0-9]+\ s\ ago\ \(a\ new\ session\)$ ]]
	sleep 2
	# From the cache: the same time, no new code.
	run --separate-stderr "$MFA_BIN" aws session alice --format json --show-mfa-time --max-mfa-age 3600
	[ "$status" -eq 0 ]
	[ "$(jget "$output" MfaAuthTime)" = "$t1" ]
	[[ "$stderr" == *"(a cached session)" ]]
	[ "$(standin_count GetSessionToken)" -eq "$n" ]
	# Too old for the policy: a new session with a new code.
	run --separate-stderr "$MFA_BIN" aws session alice --format json --max-mfa-age 1
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	[ "$(standin_count GetSessionToken)" -eq $((n + 1)) ]
	t2=$(jget "$output" MfaAuthTime)
	[[ "$t2" > "$t1" ]]
	# credential_process output is what the AWS CLI reads: no extra member.
	run "$MFA_BIN" aws session alice --format credential-process
	[ "$status" -eq 0 ]
	[[ "$output" != *MfaAuthTime* ]]
	run "$MFA_BIN" aws session alice --max-mfa-age 0
	[ "$status" -eq 2 ]
}

@test "stand-in: devices names a security key's kind and what it cannot do" {
	use_standin
	echo "arn:aws:iam::$ACCT:u2f/user/alice/yubi-EXAMPLEKEY" > "$AWS_T/keys.alice"
	run --separate-stderr "$MFA_BIN" aws devices
	rm "$AWS_T/keys.alice"
	echo "$output"
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	grep -qE "^arn:aws:iam::$ACCT:u2f/user/alice/yubi-EXAMPLEKEY +security key +alice +-$" <<< "$output"
	grep -qE "^arn:aws:iam::$ACCT:mfa/alice +virtual +alice +Amazon Web Services:alice$" <<< "$output"
	grep -qx "alice has 2 MFA devices" <<< "$output"
	grep -q "^note: a security key (FIDO) signs in to the AWS console only; AWS takes no$" <<< "$output"
}

@test "stand-in: a deactivation AWS refuses leaves the seed and the device" {
	use_standin
	before=$(sha256sum "$MFA_VAULT")
	secret=$("$MFA_BIN" show alice --uri)
	: > "$AWS_T/fail.DeactivateMFADevice"
	run --separate-stderr "$MFA_BIN" aws deactivate alice --delete --yes
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[[ "$stderr" == "mfa: deactivating arn:aws:iam::$ACCT:mfa/alice for IAM user alice (the seed stays in the vault as Amazon Web Services:alice): An error occurred (AccessDenied)"* ]]
	[ "$(sha256sum "$MFA_VAULT")" = "$before" ]
	[ "$("$MFA_BIN" show alice --uri)" = "$secret" ]
	[ "$(standin_count DeleteVirtualMFADevice)" -eq 0 ]
	run awscli iam list-mfa-devices --output json
	[[ "$output" == *"mfa/alice"* ]]
}

@test "stand-in: resync of a device AWS does not have" {
	use_standin
	echo JBSWY3DPEHPK3PXP | "$MFA_BIN" add nodev --serial "arn:aws:iam::$ACCT:mfa/nodev" > /dev/null 2>&1
	run --separate-stderr "$MFA_BIN" aws resync nodev
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$stderr" = "mfa: the AWS account has no virtual MFA device arn:aws:iam::$ACCT:mfa/nodev (see 'mfa aws devices')" ]
	[ "$(standin_count ResyncMFADevice)" -eq 1 ]
	"$MFA_BIN" rm nodev --yes > /dev/null
}

@test "stand-in: deactivate at a terminal: 'n' keeps the seed, then --yes removes it" {
	use_standin
	command -v tmux > /dev/null || skip "tmux is not installed"
	TTY_DIR=$(mktemp -d /tmp/mfa-tmux.XXXXXX)
	TT=(tmux -S "$TTY_DIR/sock" -f /dev/null)
	"${TT[@]}" new-session -d -x 150 -y 30 -s t "env PS1='$ ' bash --norc --noprofile"
	"${TT[@]}" send-keys -t t -l "'$MFA_BIN' aws deactivate alice; echo EXIT=\$?"
	"${TT[@]}" send-keys -t t Enter
	for i in $(seq 100); do
		"${TT[@]}" capture-pane -p -t t | grep -q 'for good? \[y/N\]' && break
		sleep 0.1
	done
	"${TT[@]}" send-keys -t t n Enter
	for i in $(seq 100); do
		"${TT[@]}" capture-pane -p -t t | grep -q 'EXIT=' && break
		sleep 0.1
	done
	screen=$("${TT[@]}" capture-pane -p -t t)
	echo "$screen"
	grep -q "^deactivated arn:aws:iam::$ACCT:mfa/alice for IAM user alice$" <<< "$screen"
	grep -q "Remove Amazon Web Services:alice and its seed from the vault for good? \[y/N\] n" <<< "$screen"
	grep -q "^kept Amazon Web Services:alice in the vault$" <<< "$screen"
	grep -q "^EXIT=0$" <<< "$screen"
	"$MFA_BIN" show alice --uri > /dev/null
	run awscli iam list-mfa-devices --output json
	[[ "$output" != *"mfa/alice"* ]]
	# Now with --yes: nothing left to deactivate, then the vault.
	run --separate-stderr "$MFA_BIN" aws deactivate alice --yes
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	[ "${lines[0]}" = "arn:aws:iam::$ACCT:mfa/alice is assigned to no IAM user: nothing to deactivate" ]
	[ "${lines[1]}" = "removed Amazon Web Services:alice from the vault" ]
	run "$MFA_BIN" show alice --uri
	[ "$status" -ne 0 ]
}

# The lines of the README's ```sh block under "### Account hygiene".
readme_hygiene() {
	py 'import sys
lines = open(sys.argv[1]).read().split("\n")
i = lines.index("### Account hygiene")
while lines[i].strip() != "```sh":
    i += 1
i += 1
while lines[i].strip() != "```":
    print(lines[i].split("  #")[0].rstrip())
    i += 1' "$BATS_TEST_DIRNAME/../../README.md"
}

@test "stand-in: the README's account-hygiene block runs as written" {
	[ -z "$STANDIN_WHY" ] || skip "$STANDIN_WHY"
	command -v tmux > /dev/null || skip "tmux is not installed"
	# A stand-in of its own (the file's shared one has been through the
	# tests above), a vault with the device AWS gave alice, and no
	# credentials but the profile the README names.
	d="$AWS_T/readme"
	mkdir -p "$d"
	MFA_STANDIN="$TOOLS/standin_hyg.py" "$TOOLS/standin-start" "$d"
	export MFA_TEST_ENDPOINT="http://127.0.0.1:$(cat "$d/standin.port")"
	export MFA_VAULT="$d/vault"
	"$MFA_BIN" init --kdf-ops 1 --kdf-mem 1 > /dev/null 2>&1
	unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
	printf '[admin]\naws_access_key_id = testing\naws_secret_access_key = testing\n' \
		> "$AWS_SHARED_CREDENTIALS_FILE"
	standin_report > "$d/report.csv"
	"$MFA_BIN" aws enroll --profile admin > /dev/null 2>&1
	n=0
	while IFS= read -r l; do
		n=$((n + 1))
		case "$l" in
		"mfa aws audit --profile admin")
			run bash -c "PATH='$(dirname "$MFA_BIN")':\$PATH; $l"
			# exit 4: the report's findings, most urgent first
			[ "$status" -eq 4 ]
			[[ "${lines[1]}" =~ ^\<root_account\>\ +the\ root\ user\ has\ no\ MFA$ ]]
			;;
		"mfa aws devices --profile admin")
			run bash -c "PATH='$(dirname "$MFA_BIN")':\$PATH; $l"
			[ "$status" -eq 0 ]
			[[ "$output" == *"arn:aws:iam::$ACCT:mfa/alice"* ]]
			[[ "$output" == *"Amazon Web Services:alice"* ]]
			;;
		"mfa aws resync alice")
			# The user's shell names the profile for the lines without
			# --profile.
			run bash -c "PATH='$(dirname "$MFA_BIN")':\$PATH; export AWS_PROFILE=admin; $l"
			[ "$status" -eq 0 ]
			[[ "$output" == "resynced arn:aws:iam::$ACCT:mfa/alice for IAM user alice (codes of time steps "* ]]
			;;
		"mfa aws deactivate alice --delete")
			# Asked on the terminal before the seed leaves the vault.
			TTY_DIR=$(mktemp -d /tmp/mfa-tmux.XXXXXX)
			TT=(tmux -S "$TTY_DIR/sock" -f /dev/null)
			"${TT[@]}" new-session -d -x 150 -y 30 -s t "env PS1='$ ' bash --norc --noprofile"
			"${TT[@]}" send-keys -t t -l "export PATH='$(dirname "$MFA_BIN")':\$PATH AWS_PROFILE=admin; $l; echo EXIT=\$?"
			"${TT[@]}" send-keys -t t Enter
			for i in $(seq 100); do
				"${TT[@]}" capture-pane -p -t t | grep -q 'for good? \[y/N\]' && break
				sleep 0.1
			done
			"${TT[@]}" send-keys -t t y Enter
			for i in $(seq 100); do
				"${TT[@]}" capture-pane -p -t t | grep -q '^EXIT=' && break
				sleep 0.1
			done
			screen=$("${TT[@]}" capture-pane -p -t t)
			echo "$screen"
			grep -q "^deactivated arn:aws:iam::$ACCT:mfa/alice for IAM user alice$" <<< "$screen"
			grep -q "^removed Amazon Web Services:alice from the vault$" <<< "$screen"
			grep -q "^EXIT=0$" <<< "$screen"
			run "$MFA_BIN" show alice --uri
			[ "$status" -ne 0 ]
			run awscli iam list-virtual-mfa-devices --output json --profile admin
			[[ "$output" != *"mfa/alice"* ]]
			;;
		*)
			echo "a README line with no check in aws_hygiene.bats: $l" >&2
			false
			;;
		esac
	done < <(readme_hygiene)
	[ "$n" -eq 4 ]
	"$TOOLS/server-stop" "$d" standin
}

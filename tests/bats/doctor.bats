#!/usr/bin/env bats
# mfa doctor: each fault it is shown, with its fix, checked
# against an independent reading of the same thing: the kernel's clock
# state read by Python's ctypes (adjtimex), file modes by stat(1), the
# keyring by keyctl(1) and by `mfa unlock` itself, the AWS CLI's version by
# running it, AWS's clock through the Date header of our stand-in
# (tests/tools/aws/standin_hyg.py, shifted by a file) reached by Debian's
# AWS CLI v2 (/usr/bin/aws) through tests/tools/aws/aws-wrapper.
#
# Every run is checked for the exit status contract: 4 when a line says
# FAIL, 0 when none does.
bats_require_minimum_version 1.5.0
load helpers

TOOLS="$BATS_TEST_DIRNAME/../tools/aws"

setup_file() {
	export DOC_T STANDIN_WHY=""
	DOC_T=$(mktemp -d "${BATS_TMPDIR:-/tmp}/mfa-doctor.XXXXXX")
	if [ ! -x /usr/bin/aws ]; then
		STANDIN_WHY="Debian's awscli (/usr/bin/aws) is not installed"
		return 0
	fi
	rc=0
	MFA_STANDIN="$TOOLS/standin_hyg.py" "$TOOLS/standin-start" "$DOC_T" || rc=$?
	case $rc in
	0) ;;
	77) STANDIN_WHY="python3-pyotp is missing for /usr/bin/python3" ;;
	*) STANDIN_WHY="the stand-in did not start: $(cat "$DOC_T/standin.err")" ;;
	esac
}

teardown_file() {
	"$TOOLS/server-stop" "$DOC_T" standin
	rm -rf "$DOC_T"
}

setup() {
	mfa_setup
	unset MFA_TIME_OFFSET MFA_AWS_CLI
	export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
	export AWS_DEFAULT_REGION=us-east-1 AWS_CONFIG_FILE=/dev/null
	export AWS_SHARED_CREDENTIALS_FILE=/dev/null
}

teardown() {
	rm -f "${DOC_T:-/nonexistent}/dateshift"
	mfa_teardown
}

# doctor [VAR=VALUE...] [ARGS...]: run doctor in that environment and check
# the exit contract.
doctor() {
	local envs=()
	while [[ "${1:-}" == [A-Z]*=* ]]; do
		envs+=("$1")
		shift
	done
	run --separate-stderr env "${envs[@]}" "$MFA_BIN" doctor "$@"
	echo "$output"
	[ -z "$stderr" ] || { echo "stderr: $stderr"; return 1; }
	if grep -q '^FAIL ' <<< "$output"; then
		[ "$status" -eq 4 ]
	else
		[ "$status" -eq 0 ]
	fi
}

# The line of check $1 (its name as doctor prints it).
line_of() {
	grep -E "^(ok|--|FAIL) +$1  " <<< "$output" ||
		grep -E "^(ok|--|FAIL) +$1 " <<< "$output"
}

@test "doctor: the clock line says what the kernel's adjtimex says" {
	unsync=$(/usr/bin/python3 - <<-'EOF'
	import ctypes
	class timex(ctypes.Structure):
	    _fields_ = [("modes", ctypes.c_uint), ("offset", ctypes.c_long),
	                ("freq", ctypes.c_long), ("maxerror", ctypes.c_long),
	                ("esterror", ctypes.c_long), ("status", ctypes.c_int),
	                ("rest", ctypes.c_long * 40)]
	t = timex()
	ctypes.CDLL(None).adjtimex(ctypes.byref(t))
	print("yes" if t.status & 0x40 else "no")   # STA_UNSYNC
	EOF
	)
	mfa_init
	doctor
	l=$(line_of clock)
	if [ "$unsync" = yes ]; then
		[[ "$l" == "FAIL  clock        the kernel says the system clock is not synchronised (adjtimex: STA_UNSYNC, max error "*" s); fix: start a time service (timedatectl set-ntp true, or install chrony or systemd-timesyncd)" ]]
	else
		[[ "$l" == "ok    clock        the kernel says the system clock is synchronised"* ]]
	fi
}

@test "doctor: a vault others can read, and its folder: each with a fix that works" {
	mfa_init
	chmod 644 "$MFA_VAULT"
	chmod 755 "$T/v"
	doctor
	[ "$status" -eq 4 ]
	l=$(line_of vault)
	[ "$l" = "FAIL  vault        $MFA_VAULT is mode 0644: everyone can read it; fix: chmod 600 '$MFA_VAULT'" ]
	l=$(line_of "vault folder")
	[ "$l" = "FAIL  vault folder $T/v is mode 0755: everyone can read it; fix: chmod 700 '$T/v'" ]
	# The fixes, as printed, make those two checks pass.
	for check in vault "vault folder"; do
		fix=$(line_of "$check" | sed 's/.*; fix: //')
		eval "$fix"
	done
	[ "$(stat -c %a "$MFA_VAULT") $(stat -c %a "$T/v")" = "600 700" ]
	doctor
	[ "$(line_of vault)" = "ok    vault        $MFA_VAULT is yours, mode 0600" ]
	[ "$(line_of "vault folder")" = "ok    vault folder $T/v is yours, mode 0700" ]
	# Writable by the group only.
	chmod 620 "$MFA_VAULT"
	doctor
	[ "$(line_of vault)" = "FAIL  vault        $MFA_VAULT is mode 0620: your group can change it; fix: chmod 600 '$MFA_VAULT'" ]
}

@test "doctor: a vault that is someone else's" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to give the vault away"
	mfa_init
	chown 65534 "$MFA_VAULT"
	doctor
	[ "$status" -eq 4 ]
	[ "$(line_of vault)" = "FAIL  vault        $MFA_VAULT belongs to uid 65534, not to you (uid 0); fix: chown 0 '$MFA_VAULT' (or use a vault of your own)" ]
}

@test "doctor: no vault, and a vault backup checked like the vault" {
	doctor
	[ "$status" -eq 4 ]
	[ "$(line_of vault)" = "FAIL  vault        no vault at $MFA_VAULT; fix: 'mfa init' makes one (or name yours with --vault or \$MFA_VAULT)" ]
	# Needs no passphrase: none was asked.
	mfa_init
	echo JBSWY3DPEHPK3PXP | mfa add x > /dev/null 2>&1
	[ -e "$MFA_VAULT.bak" ]
	chmod 604 "$MFA_VAULT.bak"
	doctor
	[ "$(line_of "vault backup")" = "FAIL  vault backup $MFA_VAULT.bak is mode 0604: everyone can read it; fix: chmod 600 '$MFA_VAULT.bak'" ]
}

@test "doctor: no aws in PATH, a bad MFA_AWS_CLI, then the real one and its version" {
	mfa_init
	mkdir "$T/empty"
	doctor PATH="$T/empty" --aws
	[ "$status" -eq 4 ]
	[ "$(line_of "aws CLI")" = "FAIL  aws CLI      the AWS CLI ('aws') is not in PATH: the mfa aws commands cannot work; fix: install it (Debian: apt install awscli) or set MFA_AWS_CLI to its path" ]
	[ "$(line_of "AWS clock")" = "FAIL  AWS clock    cannot ask AWS the time without the AWS CLI; fix: install the AWS CLI first" ]
	doctor MFA_AWS_CLI="$T/nonexistent"
	[ "$(line_of "aws CLI")" = "FAIL  aws CLI      MFA_AWS_CLI: cannot run '$T/nonexistent': No such file or directory; fix: point MFA_AWS_CLI at the AWS CLI, or unset it to use 'aws' in PATH" ]
	# Something that runs but is no AWS CLI.
	doctor MFA_AWS_CLI=/bin/true
	[ "$(line_of "aws CLI")" = "FAIL  aws CLI      /bin/true does not run as the AWS CLI: '/bin/true --version' did not print an AWS CLI version; fix: reinstall it (Debian: apt install awscli), or set MFA_AWS_CLI to one that works" ]
	[ -x /usr/bin/aws ] || skip "Debian's awscli (/usr/bin/aws) is not installed"
	doctor MFA_AWS_CLI=/usr/bin/aws
	[ "$(line_of "aws CLI")" = "ok    aws CLI      /usr/bin/aws ($(/usr/bin/aws --version))" ]
}

@test "doctor: the unlock cache where the keyring takes keys, and where it is denied" {
	command -v keyctl > /dev/null || skip "keyctl is not installed (Debian package keyutils)"
	mfa_init
	export MFA_CACHE_TTL=300
	# A keyring of our own that takes keys.
	run --separate-stderr keyctl session - "$MFA_BIN" doctor
	grep -qx "ok    unlock cache the session keyring takes keys; a passphrase is good for 300 s (MFA_CACHE_TTL)" <<< "$output"
	# A session keyring that grants nothing, even to us: the kernel
	# refuses keys there, as keyctl(1) shows, and so does a real unlock.
	run keyctl session - sh -c 'keyctl setperm @s 0 && keyctl add user probe x @s'
	[ "$status" -ne 0 ]
	[[ "$output" == *"Permission denied"* ]]
	run --separate-stderr keyctl session - sh -c 'keyctl setperm @s 0 && exec "$MFA_BIN" doctor'
	echo "$output"
	[ "$status" -eq 4 ]
	l=$(grep '^FAIL  unlock cache' <<< "$output")
	[[ "$l" == "FAIL  unlock cache the kernel refuses a key in the "*" keyring (Permission denied): every command will ask for the passphrase; fix: run mfa in a session with a keyring (keyctl session), allow keyctl in the container (Docker's default seccomp profile denies it), or set MFA_CACHE_TTL=0" ]]
	run --separate-stderr keyctl session - sh -c 'keyctl setperm @s 0 && exec "$MFA_BIN" unlock'
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"mfa: unlock cache for $MFA_VAULT: kernel keyring unavailable" ]]
	# Off: said, not a fault.
	doctor MFA_CACHE_TTL=0
	[ "$(line_of "unlock cache")" = "--    unlock cache off (MFA_CACHE_TTL=0 or --no-cache): every command asks for the passphrase" ]
}

@test "doctor: MFA_TIME_OFFSET is reported; a bad one is a FAIL, and other commands refuse it" {
	mfa_init
	doctor MFA_TIME_OFFSET=-90
	[ "$(line_of "time offset")" = "--    time offset  MFA_TIME_OFFSET=-90: codes use the system clock -90 s" ]
	doctor MFA_TIME_OFFSET=soon
	[ "$status" -eq 4 ]
	[ "$(line_of "time offset")" = "FAIL  time offset  MFA_TIME_OFFSET='soon' is not a number of seconds: every other command refuses to run; fix: unset MFA_TIME_OFFSET, or set it to a whole number of seconds such as -90" ]
	run --separate-stderr env MFA_TIME_OFFSET=soon "$MFA_BIN" list
	[ "$status" -eq 1 ]
	[ "$stderr" = "mfa: MFA_TIME_OFFSET must be a whole number of seconds such as -90 or +30, not 'soon'" ]
}

# The Date header the stand-in sends now, minus our clock (Python).
standin_skew() {
	/usr/bin/python3 -c 'import email.utils,sys,time,urllib.request,urllib.error
try:
    r = urllib.request.urlopen(urllib.request.Request(sys.argv[1], data=b"Action=GetCallerIdentity"))
except urllib.error.HTTPError as e:
    r = e
print(round(email.utils.parsedate_to_datetime(r.headers["Date"]).timestamp() - time.time()))' "$1"
}

@test "doctor --aws: AWS's clock from the Date of an unsigned STS answer" {
	[ -z "$STANDIN_WHY" ] || skip "$STANDIN_WHY"
	mfa_init
	export MFA_AWS_CLI="$(cd "$TOOLS" && pwd)/aws-wrapper"
	export MFA_TEST_ENDPOINT="http://127.0.0.1:$(cat "$DOC_T/standin.port")"
	# AWS 300 s ahead (the stand-in's Date, as Python reads it).
	echo 300 > "$DOC_T/dateshift"
	s=$(standin_skew "$MFA_TEST_ENDPOINT")
	[ "$s" -ge 299 ] && [ "$s" -le 301 ]
	doctor --aws
	[ "$status" -eq 4 ]
	l=$(line_of "AWS clock")
	[[ "$l" =~ ^FAIL\ \ AWS\ clock\ \ \ \ AWS\'s\ clock\ is\ (299|300|301)\ s\ ahead\ of\ ours:\ codes\ will\ fail\;\ fix:\ set\ the\ system\ clock\ right\ \(timedatectl\ set-ntp\ true,\ or\ chronyc\ makestep\)\;\ until\ then\ export\ MFA_TIME_OFFSET=(299|300|301)$ ]]
	# The request carried no credentials: the stand-in saw no key.
	last=$(tail -1 "$DOC_T/standin.log")
	[[ "$last" == *'"action": "GetCallerIdentity"'* ]]
	[[ "$last" == *'"error": "InvalidClientTokenId"'* ]]
	[[ "$last" != *akid* ]]
	# The offset the fix names makes up for it.
	off=$(sed 's/.*MFA_TIME_OFFSET=//' <<< "$l")
	doctor MFA_TIME_OFFSET=$off --aws
	[[ "$(line_of "AWS clock")" =~ ^ok\ \ \ \ AWS\ clock\ \ \ \ AWS\'s\ clock\ is\ \+(299|300|301)\ s\ from\ ours,\ and\ MFA_TIME_OFFSET=\+(299|300|301)\ makes\ up\ for\ it$ ]]
	# Behind.
	echo -120 > "$DOC_T/dateshift"
	doctor --aws
	[[ "$(line_of "AWS clock")" =~ ^FAIL\ \ AWS\ clock\ \ \ \ AWS\'s\ clock\ is\ (119|120|121)\ s\ behind\ ours ]]
	# In step.
	echo 0 > "$DOC_T/dateshift"
	doctor --aws
	[[ "$(line_of "AWS clock")" =~ ^ok\ \ \ \ AWS\ clock\ \ \ \ AWS\'s\ clock\ and\ ours\ agree ]]
	# An endpoint nobody answers: the reason, and the fix.
	doctor MFA_TEST_ENDPOINT=http://127.0.0.1:1 --aws
	[[ "$(line_of "AWS clock")" == "FAIL  AWS clock    cannot get the time from AWS: "*"; fix: check the network and the AWS CLI's settings, or leave out --aws" ]]
}

@test "doctor: the libraries in use, and libzbar loading" {
	mfa_init
	doctor
	l=$(line_of libraries)
	# libsodium's own answer, through ctypes.
	want=$(/usr/bin/python3 -c 'import ctypes
f = ctypes.CDLL("libsodium.so.23").sodium_version_string
f.restype = ctypes.c_char_p
print(f().decode())' 2> /dev/null || true)
	[[ "$l" == "--    libraries    linked: libsodium "* ]]
	[ -z "$want" ] || [[ "$l" == *"libsodium $want,"* ]]
	# Each library opened on first use, loaded for real.
	for lib in jansson libcrypto protobuf-c libpng libjpeg libqrencode ncursesw libfido2; do
		[[ "$(line_of $lib)" == "ok    $lib "*"loads (for "* ]]
	done
	[ "$(line_of libzbar)" = "ok    libzbar      loads (QR images can be imported)" ]
}

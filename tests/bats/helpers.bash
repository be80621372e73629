# Shared set-up for the CLI tests: a private vault in a temp folder, a tiny
# KDF, the passphrase from a file, and no unlock cache unless a test asks.
: "${MFA_BIN:=$PWD/mfa}"
export MFA_BIN

# The third-party fixtures stay outside the repository (their licences
# differ): the folder $MFA_FIXTURES, else ../shared/fixtures. need_fixtures
# skips a test when they are absent, saying "fixtures absent" (run-all
# counts those), and fails it under CI=true.
MFA_FIXTURES=${MFA_FIXTURES:-../shared/fixtures}
need_fixtures() {
	[ -d "$MFA_FIXTURES" ] && return 0
	if [ "${CI:-}" = true ]; then
		echo "fixtures absent at $MFA_FIXTURES: CI=true needs them" >&2
		return 1
	fi
	skip "fixtures absent ($MFA_FIXTURES; set MFA_FIXTURES)"
}

# Skips unless keyutils is installed and the kernel keyring takes a key
# here: probed with keyctl, not with mfa, so that a failing unlock cache is
# a failure, not a skip.
need_keyring() {
	local id
	command -v keyctl > /dev/null || skip "keyutils not installed"
	id=$(keyctl add user mfa-test-probe x @u 2> /dev/null) ||
		skip "no kernel keyring here (keyctl add failed)"
	keyctl unlink "$id" @u > /dev/null 2>&1 || true
}

mfa_setup() {
	[ -x "$MFA_BIN" ] || { echo "no mfa binary at $MFA_BIN (make all)" >&2; return 1; }
	T=$(mktemp -d "${BATS_TMPDIR:-/tmp}/mfa-test.XXXXXX")
	export MFA_VAULT="$T/v/vault"
	printf 'test passphrase\n' > "$T/pass"
	export MFA_PASSPHRASE_FILE="$T/pass"
	export MFA_CACHE_TTL=0
	unset MFA_PASSPHRASE MFA_PASSPHRASE_COMMAND MFA_NEW_PASSPHRASE \
		MFA_NEW_PASSPHRASE_FILE MFA_IMPORT_PASSPHRASE MFA_IMPORT_PASSPHRASE_FILE
}

mfa_teardown() {
	[ -n "${T:-}" ] && rm -rf "$T"
}

mfa() {
	"$MFA_BIN" "$@"
}

# A vault with tiny KDF costs.
mfa_init() {
	"$MFA_BIN" init --kdf-ops 1 --kdf-mem 1 2> /dev/null > /dev/null
}

# Hex of a base32 secret, for oathtool, with /usr/bin/python3's stdlib.
b32hex() {
	/usr/bin/python3 -c 'import base64,sys; s=sys.argv[1].upper().replace(" ",""); s+="="*(-len(s)%8); print(base64.b32decode(s).hex())' "$1"
}

sha() {
	sha256sum "$1" | cut -d' ' -f1
}

# Run without a controlling terminal, so no prompt is possible.
notty() {
	setsid -w "$@" < /dev/null
}

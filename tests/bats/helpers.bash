# Shared set-up for the CLI tests: a private vault in a temp folder, a tiny
# KDF, the passphrase from a file, and no unlock cache unless a test asks.
: "${MFA_BIN:=$PWD/mfa}"
export MFA_BIN

mfa_setup() {
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

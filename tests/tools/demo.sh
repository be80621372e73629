#!/bin/sh
# make demo: the main job of mfa on a throwaway vault in a temp folder.
set -eu
MFA=${MFA_BIN:-$(pwd)/mfa}
REPO=$(pwd)
dir=$(mktemp -d "${TMPDIR:-/tmp}/mfa-demo.XXXXXX")
trap 'rm -rf "$dir"' EXIT INT TERM
export MFA_VAULT="$dir/vault" MFA_CACHE_TTL=0
printf 'correct horse battery staple\n' > "$dir/pass"
export MFA_PASSPHRASE_FILE="$dir/pass"

# Commands in bold on a terminal; into a pipe or under NO_COLOR, plain text.
bold="" plain=""
if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
	bold=$(printf '\033[1m') plain=$(printf '\033[0m')
fi
say() { printf '\n%s$ %s%s\n' "$bold" "$*" "$plain"; }
m() { say "mfa $*"; "$MFA" "$@"; }

echo "mfa demo: a throwaway vault in $dir (removed at the end)"
m init --kdf-ops 1 --kdf-mem 8 2>/dev/null
if [ -f "$REPO/contrib/demo/aws-mfa-qr.png" ]; then
	say "mfa import contrib/demo/aws-mfa-qr.png   # the QR code AWS shows at enrolment"
	"$MFA" import "$REPO/contrib/demo/aws-mfa-qr.png" --serial arn:aws:iam::123456789012:mfa/alice
fi
say "echo GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ | mfa add rfc6238 --issuer Example"
echo GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ | "$MFA" add rfc6238 --issuer Example
say "echo 'otpauth://hotp/ACME:bob?secret=JBSWY3DPEHPK3PXP&counter=0' | mfa add"
echo 'otpauth://hotp/ACME:bob?secret=JBSWY3DPEHPK3PXP&counter=0' | "$MFA" add
m list
m list --codes
say "mfa code rfc6238          # the code alone on stdout, for \$(...)"
code=$("$MFA" code rfc6238)
echo "$code"
m code rfc6238 --next
m code bob
m code bob
say "mfa verify rfc6238 $code"
"$MFA" verify rfc6238 "$code"
if [ -f "$REPO/contrib/demo/aws-mfa-qr.png" ]; then
	m show alice
	say 'aws sts get-session-token --serial-number arn:aws:iam::123456789012:mfa/alice --token-code "$(mfa code alice)"'
	echo "(with a real AWS account; the code would be $("$MFA" code alice))"
fi
echo "demo done; the vault is removed."

#!/usr/bin/env bats
# The README's examples outside its AWS part, run as written, line by line,
# each in a fresh bash with pipefail: "Everyday use" (both blocks) and the
# sync block. Every line of those blocks must have a check here, so a line
# added to the README without one fails (the AWS part runs in
# aws_steps.bats, through tests/tools/aws/readme-run). The user has no
# MFA_VAULT: the vault is the default one under $HOME. Codes are checked
# against oathtool; the QR image is made with qrencode.
bats_require_minimum_version 1.5.0

load helpers

GH=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXQ
GL=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ
AWS=MFRGGZDFMZTWQ2LKMFRGGZDFMZTWQ2LKMFRGGZDFMZTWQ2LKMFRGGZDFMZTWQ2LK
SITE=ONSWG4TFOQQHO2DBORZWC3DMMVZXAZLD

setup() {
	mfa_setup
	command -v oathtool > /dev/null || skip "oathtool not installed"
	unset MFA_VAULT MFA_SYNC_AUTOPUSH
	export HOME="$T/home" GIT_CONFIG_NOSYSTEM=1
	mkdir -p "$HOME" "$T/bin" "$T/work"
	ln -s "$MFA_BIN" "$T/bin/mfa"
	export PATH="$T/bin:$BATS_TEST_DIRNAME/../tools/fakeclip:$PATH"
	export FAKECLIP_DIR="$T/clip"
	mkdir -p "$FAKECLIP_DIR"
	cd "$T/work"
}

teardown() {
	mfa_teardown
}

# The lines of the Nth ```sh block (from 1) under the heading H, one per
# line, without comment-only and blank lines.
readme_lines() {
	/usr/bin/python3 - "$BATS_TEST_DIRNAME/../../README.md" "$1" "$2" << 'EOF'
import re, sys
lines = open(sys.argv[1]).read().split("\n")
start = lines.index(sys.argv[2])
end = next((i for i in range(start + 1, len(lines))
            if lines[i].startswith("## ")), len(lines))
blocks, cur = [], None
for line in lines[start:end]:
    if cur is None and line.strip() == "```sh":
        cur = []
    elif cur is not None and line.strip() == "```":
        blocks.append(cur)
        cur = None
    elif cur is not None and line.strip() and not line.strip().startswith("#"):
        cur.append(line)
n = int(sys.argv[3])
if n > len(blocks):
    sys.exit("no block %d under %s" % (n, sys.argv[2]))
if n == 0:
    print(len(blocks))
else:
    print("\n".join(blocks[n - 1]))
EOF
}

# One README line, as written, in a fresh bash; status and output in
# $status and $output (stderr too).
line() {
	run bash -o pipefail -c "$1"
}

# The TOTP code of a base32 secret now or one period before (a line may
# cross a period boundary).
now_or_before() {
	local hex t
	hex=$(b32hex "$1")
	t=$(date +%s)
	echo "$(oathtool --totp -N "@$t" "$hex") $(oathtool --totp -N "@$((t - 30))" "$hex")"
}

@test "README: every line of 'Everyday use' runs as written" {
	command -v qrencode > /dev/null || skip "qrencode not installed"
	[ "$(readme_lines '## Everyday use' 0)" = 2 ]
	# What the user has at hand: the QR code AWS showed, a secret to paste
	# for github, gitlab's in the clipboard.
	qrencode -o aws-qr.png "otpauth://totp/Amazon%20Web%20Services:alice@123456789012?secret=$AWS&issuer=Amazon%20Web%20Services"
	printf '%s\n' "$GL" > "$FAKECLIP_DIR/clipboard"
	n=0
	while IFS= read -r l; do
		n=$((n + 1))
		case "$l" in
		"mfa init "* | "mfa init")
			line "$l"
			[ "$status" -eq 0 ]
			[ -f "$HOME/.local/share/mfa/vault" ]
			;;
		"mfa import aws-qr.png "*)
			line "$l"
			[ "$status" -eq 0 ]
			[[ "$output" == *"alice"* ]]
			;;
		"mfa add github "*)
			run bash -o pipefail -c "$l" <<< "$GH"
			[ "$status" -eq 0 ]
			;;
		"wl-paste | mfa add gitlab "*)
			line "$l"
			[ "$status" -eq 0 ]
			grep -q '^wl-paste' "$FAKECLIP_DIR/log"
			;;
		"mfa list --codes "*)
			line "$l"
			[ "$status" -eq 0 ]
			[ "$(echo "$output" | grep -c -E 'GitHub|GitLab|Amazon Web Services')" -eq 3 ]
			[[ " $(now_or_before $GH) " == *" $(echo "$output" | grep GitHub | grep -o -E '[0-9]{3} ?[0-9]{3}' | head -n 1 | tr -d ' ') "* ]]
			;;
		"mfa code github "* | "mfa code github")
			line "$l"
			[ "$status" -eq 0 ]
			[[ " $(now_or_before $GH) " == *" $output "* ]]
			;;
		"mfa verify github 123456 "*)
			line "$l"
			# 123456 is (almost surely) not the code: exit 3, said.
			[ "$status" -eq 3 ] || [ "$status" -eq 0 ]
			[ -n "$output" ]
			;;
		"mfa show github --qr "*)
			line "$l"
			[ "$status" -eq 0 ]
			# A code drawn in half blocks (import.bats reads one back).
			[[ "$output" == *"█▀▀▀▀▀█"* ]]
			[ "$(echo "$output" | wc -l)" -gt 20 ]
			;;
		"mfa export --format aegis -o backup.json "*)
			# The backup's passphrase, as typed at its prompt.
			printf 'backup passphrase\n' > "$T/newpass"
			MFA_NEW_PASSPHRASE_FILE="$T/newpass" line "$l"
			[ "$status" -eq 0 ]
			[ "$(stat -c %a backup.json)" = 600 ]
			# Opened as Aegis does (scrypt, AES-256-GCM), with
			# python3-cryptography; every secret is there.
			/usr/bin/python3 -c 'import base64, json, sys
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
f = json.load(open("backup.json"))
s = [s for s in f["header"]["slots"] if s["type"] == 1][0]
k = Scrypt(salt=bytes.fromhex(s["salt"]), length=32, n=s["n"], r=s["r"],
           p=s["p"]).derive(b"backup passphrase")
kp = s["key_params"]
mk = AESGCM(k).decrypt(bytes.fromhex(kp["nonce"]),
                       bytes.fromhex(s["key"] + kp["tag"]), None)
hp = f["header"]["params"]
db = json.loads(AESGCM(mk).decrypt(bytes.fromhex(hp["nonce"]),
                base64.b64decode(f["db"]) + bytes.fromhex(hp["tag"]), None))
got = sorted((e["issuer"], e["info"]["secret"]) for e in db["entries"])
want = sorted(zip(["Amazon Web Services", "GitHub", "GitLab"], sys.argv[1:]))
assert got == want, got' "$AWS" "$GH" "$GL" || false
			;;
		*)
			echo "a README line with no check in readme.bats: $l" >&2
			false
			;;
		esac
	done < <(readme_lines '## Everyday use' 1)
	[ "$n" -eq 10 ]

	# The second block: no vault at all.
	mkdir -p "$HOME/secrets"
	printf '%s\n' "$SITE" > "$HOME/secrets/site.b32"
	n=0
	while IFS= read -r l; do
		n=$((n + 1))
		case "$l" in
		"mfa code --secret-stdin -d 8 -a SHA256 --at 2005-03-18T01:58:29Z "*)
			# RFC 6238's SHA-256 key, pasted.
			run bash -o pipefail -c "$l" <<< GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA
			[ "$status" -eq 0 ]
			[ "$output" = 68084774 ]
			[ "$output" = "$(oathtool --totp=sha256 -d 8 -N @1111111109 3132333435363738393031323334353637383930313233343536373839303132)" ]
			;;
		"mfa code --secret-stdin < ~/secrets/site.b32 "*)
			line "$l"
			[ "$status" -eq 0 ]
			[[ " $(now_or_before $SITE) " == *" $output "* ]]
			;;
		*)
			echo "a README line with no check in readme.bats: $l" >&2
			false
			;;
		esac
	done < <(readme_lines '## Everyday use' 2)
	[ "$n" -eq 2 ]
}

@test "README: the sync block runs as written on two machines" {
	command -v git > /dev/null || skip "git not installed"
	[ "$(readme_lines '## Several machines: sync through git' 0)" = 1 ]
	# The server: a bare repository where the README's URL points.
	git init -q --bare "$T/remote.git"
	url=$(readme_lines '## Several machines: sync through git' 1 | head -n 1 | awk '{ print $4 }')
	[[ "$url" == ssh://* ]]
	for m in m1 m2; do
		mkdir -p "$T/$m"
		git config --file "$T/$m/.gitconfig" url."$T/remote.git".insteadOf "$url"
	done
	# Machine 1 has a vault with an account.
	HOME="$T/m1" mfa init > /dev/null 2>&1
	HOME="$T/m1" mfa add github --issuer GitHub <<< "$GH" > /dev/null
	n=0
	while IFS= read -r l; do
		n=$((n + 1))
		case "$n:$l" in
		"1:mfa sync init $url "*)
			HOME="$T/m1" line "$l"
			[ "$status" -eq 0 ]
			[ -n "$(git --git-dir="$T/remote.git" log --oneline)" ]
			;;
		"2:mfa sync init $url "*)
			HOME="$T/m2" line "$l"
			[ "$status" -eq 0 ]
			[ -f "$T/m2/.local/share/mfa/vault" ]
			[[ " $(now_or_before $GH) " == *" $(HOME="$T/m2" mfa code github) "* ]]
			;;
		"3:mfa sync "*)
			# Both machines change the vault meanwhile; sync on each.
			HOME="$T/m1" mfa add gitlab --issuer GitLab <<< "$GL" > /dev/null
			HOME="$T/m2" mfa add site --issuer Site <<< "$SITE" > /dev/null
			HOME="$T/m1" line "$l"
			[ "$status" -eq 0 ]
			HOME="$T/m2" line "$l"
			[ "$status" -eq 0 ]
			[[ "$output" == *"added GitLab:gitlab"* ]]
			HOME="$T/m1" line "$l"
			[ "$status" -eq 0 ]
			[[ "$output" == *"added Site:site"* ]]
			for m in m1 m2; do
				run env HOME="$T/$m" mfa list
				[ "$(echo "$output" | awk 'NR > 1 { print $2 }' | sort | tr '\n' ' ')" = "github gitlab site " ]
			done
			;;
		*)
			echo "a README line with no check in readme.bats: $l" >&2
			false
			;;
		esac
	done < <(readme_lines '## Several machines: sync through git' 1)
	[ "$n" -eq 3 ]
}

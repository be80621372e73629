#!/usr/bin/env bats
# import, export and show --qr/--png from the command line: real
# files in, real tools (zbarimg, protoc, oathtool, pyotp) to check what
# comes out, and the vault byte-for-byte unchanged on every error.

bats_require_minimum_version 1.5.0

load helpers

F=$MFA_FIXTURES
Q=tests/fixtures/qr
AWS_SECRET=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP

setup() {
	mfa_setup
	mfa_init
}

teardown() {
	mfa_teardown
}

count() {
	mfa list --json | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'
}

@test "an AWS QR PNG imports as issuer Amazon Web Services, name alice@123456789012" {
	run mfa import "$Q/aws.png" --serial arn:aws:iam::123456789012:mfa/alice
	[ "$status" -eq 0 ]
	mfa list --json | /usr/bin/python3 -c '
import json,sys
a=json.load(sys.stdin)[0]
assert a["issuer"]=="Amazon Web Services" and a["name"]=="alice@123456789012", a
assert a["serial"]=="arn:aws:iam::123456789012:mfa/alice", a'
	[ "$(mfa code alice --at 59)" = "$(oathtool --totp -N @59 "$(b32hex $AWS_SECRET)")" ]
}

@test "every image form of the AWS QR decodes to the same account" {
	for f in aws.jpg aws.pgm aws.ppm aws16.pgm aws_gray_alpha.png aws_interlaced.png aws_palette8.png aws_rgb16.png aws_progressive.jpg screenshot_rgba.png; do
		run mfa import --dry-run "$Q/$f"
		[ "$status" -eq 0 ]
		[[ "$output" == *"would import Amazon Web Services:alice@123456789012 (totp)"* ]]
	done
}

@test "a fresh qrencode PNG and its JPEG import; codes match oathtool" {
	command -v qrencode > /dev/null || skip "qrencode missing"
	command -v convert > /dev/null || skip "ImageMagick's convert missing"
	S=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ
	qrencode -o "$T/q.png" "otpauth://totp/Example:bob?secret=$S&issuer=Example&digits=8&algorithm=SHA256"
	mfa import "$T/q.png"
	[ "$(mfa code bob --at 1111111109)" = "$(oathtool --totp=sha256 -d 8 -N @1111111109 "$(b32hex $S)")" ]
	convert "$T/q.png" -quality 85 "$T/q.jpg"
	run mfa import "$T/q.jpg"
	[[ "$output" == *"skipped Example:bob (already in the vault)"* ]]
}

@test "bad images: clear one-line errors naming the file, vault unchanged" {
	before=$(sha "$MFA_VAULT")
	run mfa import "$Q/no_qr.png"
	[ "$status" -eq 1 ]
	[[ "$output" == "mfa: file $Q/no_qr.png: "* ]]
	run mfa import "$Q/url.png"
	[ "$status" -eq 1 ]
	[[ "$output" == "mfa: file $Q/url.png: its QR code holds no otpauth or migration URI" ]]
	run mfa import "$Q/truncated.png"
	[ "$status" -eq 1 ]
	[[ "$output" == "mfa: file $Q/truncated.png: "* ]]
	run mfa import "$Q/noise.png"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	run mfa import "$Q/huge_header.png"
	[ "$status" -eq 1 ]
	run mfa import "$T/does-not-exist.png"
	[ "$status" -eq 1 ]
	[ "$output" = "mfa: file $T/does-not-exist.png: no such file" ]
	[ "$(sha "$MFA_VAULT")" = "$before" ]
}

@test "one import is one transaction: a bad second file saves nothing" {
	need_fixtures
	before=$(sha "$MFA_VAULT")
	run mfa import "$F/aegis/importers/plain.txt" "$Q/noise.png"
	[ "$status" -eq 1 ]
	[ "$(sha "$MFA_VAULT")" = "$before" ]
	[ "$(count)" = 0 ]
}

@test "otpauth list, Google migration text and QR, from files and stdin" {
	need_fixtures
	mfa import "$F/aegis/importers/plain.txt"
	[ "$(count)" = 7 ]
	mfa import - < "$F/google-migration/scito/example_export.txt"
	run mfa import "$F/qr/scito_example_export.png"
	[ "$status" -eq 0 ]
	[[ "$output" == *"imported Test2:test2@example2.com (totp)"* ]]
	[ "$(mfa code Test2 --at 59)" = "$(oathtool --totp -N @59 "$(b32hex JBSWY3DPEHPK3PXQ)")" ]
	# Deno:Mason from the Aegis vector table.
	[ "$(mfa code Deno:Mason --at 1000)" = "$(oathtool --totp -N @1000 "$(b32hex 4SJHB4GSD43FZBAI7C2HLRJGPQ)")" ]
}

@test "encrypted Aegis, andOTP and 2FAS exports with their passwords" {
	need_fixtures
	I=$F/aegis/importers
	MFA_IMPORT_PASSPHRASE=test run mfa import "$I/aegis_encrypted.json"
	[ "$status" -eq 0 ]
	[ "$(count)" = 7 ]
	echo test > "$T/ip"
	MFA_IMPORT_PASSPHRASE_FILE="$T/ip" run mfa import --dry-run "$I/andotp_encrypted.bin"
	[ "$status" -eq 0 ]
	run mfa import --dry-run --import-passphrase-fd 4 "$I/2fas_authenticator_encrypted_v4.2fas" 4< "$T/ip"
	[ "$status" -eq 0 ]
	[[ "$output" == *"already in the vault"* ]]
	MFA_IMPORT_PASSPHRASE=wrong run mfa import "$I/2fas_authenticator_encrypted_v3.2fas"
	[ "$status" -eq 1 ]
	[[ "$output" == "mfa: file $I/2fas_authenticator_encrypted_v3.2fas: "* ]]
	run notty "$MFA_BIN" import "$I/aegis_encrypted.json"
	[ "$status" -eq 1 ]
}

@test "an AWS Base32StringSeed file needs --name and takes --serial" {
	run mfa import tests/fixtures/io/aws_seed.txt
	[ "$status" -eq 1 ]
	[ "$output" = "mfa: file tests/fixtures/io/aws_seed.txt: the account has no name: give --name NAME (an AWS seed file holds only the secret)" ]
	mfa import tests/fixtures/io/aws_seed.txt --name work --serial arn:aws:iam::111122223333:mfa/work
	S=$(tr -d ' \n' < tests/fixtures/io/aws_seed.txt)
	[ "$(mfa code work --at 59)" = "$(oathtool --totp -N @59 "$(b32hex "$S")")" ]
	[[ "$(mfa show work)" == *"arn:aws:iam::111122223333:mfa/work"* ]]
}

@test "--dry-run lists and changes nothing, and needs no vault" {
	need_fixtures
	before=$(sha "$MFA_VAULT")
	run mfa import --dry-run "$F/aegis/importers/plain.txt"
	[ "$status" -eq 0 ]
	[[ "$output" == *"would import Boeing:Sophia (steam)"* ]]
	[[ "$output" != *4SJHB4GSD43FZBAI7C2HLRJGPQ* ]]
	[ "$(sha "$MFA_VAULT")" = "$before" ]
	MFA_VAULT="$T/none/vault" run mfa import --dry-run "$F/aegis/importers/plain.txt"
	[ "$status" -eq 0 ]
}

@test "export uri -> import into a new vault gives the same codes" {
	need_fixtures
	mfa import "$F/aegis/importers/plain.txt"
	mfa export -o "$T/all.txt"
	[ "$(stat -c %a "$T/all.txt")" = 600 ]
	MFA_VAULT="$T/w/vault" "$MFA_BIN" init --kdf-ops 1 --kdf-mem 1 > /dev/null 2>&1
	MFA_VAULT="$T/w/vault" "$MFA_BIN" import "$T/all.txt"
	for q in Deno:Mason SPDX:James Airbnb:Elijah Boeing:Sophia; do
		[ "$(mfa code "$q" --at 123456)" = "$(MFA_VAULT="$T/w/vault" "$MFA_BIN" code "$q" --at 123456)" ]
	done
	# pyotp reads our URIs too.
	head -1 "$T/all.txt" | /usr/bin/python3 -c 'import pyotp,sys; t=pyotp.parse_uri(sys.stdin.read().strip()); print(t.at(123456))' > "$T/py"
	[ "$(cat "$T/py")" = "$(mfa code Deno:Mason --at 123456)" ]
}

@test "export google -> protoc --decode_raw holds the same secrets; re-import is a no-op" {
	command -v protoc > /dev/null || skip "protoc missing"
	S=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ
	for i in $(seq 1 12); do echo "$S$i" | tr 0-9 A-J | mfa add "acct$i" > /dev/null; done
	mfa export --format google > "$T/g.txt"
	[ "$(wc -l < "$T/g.txt")" = 2 ]
	while read -r line; do
		data=$(printf '%s' "${line#*data=}" | /usr/bin/python3 -c 'import sys,urllib.parse; print(urllib.parse.unquote(sys.stdin.read()))')
		printf '%s' "$data" | base64 -d | protoc --decode_raw >> "$T/raw"
	done < "$T/g.txt"
	[ "$(grep -c '^  2: "acct' "$T/raw")" = 12 ]
	run mfa import "$T/g.txt"
	[[ "$output" == *"imported 0 accounts, skipped 12"* ]]
}

@test "export aegis (encrypted) -> import aegis gives the same accounts" {
	need_fixtures
	mfa import "$F/aegis/importers/plain.txt"
	echo "aegis pass" > "$T/ap"
	MFA_NEW_PASSPHRASE_FILE="$T/ap" mfa export --format aegis -o "$T/aegis.json"
	run ! grep -q 4SJHB4GSD43FZBAI7C2HLRJGPQ "$T/aegis.json"
	MFA_VAULT="$T/w/vault" "$MFA_BIN" init --kdf-ops 1 --kdf-mem 1 > /dev/null 2>&1
	MFA_IMPORT_PASSPHRASE_FILE="$T/ap" MFA_VAULT="$T/w/vault" "$MFA_BIN" import "$T/aegis.json"
	[ "$(MFA_VAULT="$T/w/vault" "$MFA_BIN" list)" = "$(mfa list)" ]
	mfa export --format aegis --plain -o "$T/plain.json"
	grep -q 4SJHB4GSD43FZBAI7C2HLRJGPQ "$T/plain.json"
}

@test "show --png is read back by zbarimg; --qr draws a code" {
	command -v zbarimg > /dev/null || skip "zbarimg missing"
	echo JBSWY3DPEHPK3PXP | mfa add github --issuer GitHub
	mfa show github --png "$T/g.png"
	[ "$(stat -c %a "$T/g.png")" = 600 ]
	[ "$(zbarimg -q --raw "$T/g.png" 2> /dev/null)" = "$(mfa show github --uri)" ]
	run mfa show github --qr
	[ "$status" -eq 0 ]
	[[ "$output" == *"█"* ]]
	run mfa show github --uri --qr
	[ "$status" -eq 2 ]
}

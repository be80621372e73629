#!/usr/bin/env bats
# The encrypted vault and the account commands, end to end.

bats_require_minimum_version 1.5.0

load helpers

setup() {
	mfa_setup
}

teardown() {
	mfa_teardown
}

S1=JBSWY3DPEHPK3PXP
RFC=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ

@test "init creates a 0600 vault in a 0700 folder" {
	run mfa init --kdf-ops 1 --kdf-mem 1
	[ "$status" -eq 0 ]
	[[ "$output" == *"below libsodium's INTERACTIVE"* ]]
	[ "$(stat -c %a "$T/v")" = 700 ]
	[ "$(stat -c %a "$T/v/vault")" = 600 ]
	head -c 16 "$T/v/vault" | od -An -c | grep -q '\\0'
}

@test "init refuses to overwrite a vault" {
	mfa_init
	before=$(sha "$MFA_VAULT")
	run mfa init --kdf-ops 1 --kdf-mem 1
	[ "$status" -eq 1 ]
	[[ "$output" == *"mfa: vault $MFA_VAULT: already exists"* ]]
	[ "$(sha "$MFA_VAULT")" = "$before" ]
}

@test "a missing vault says to run mfa init" {
	run mfa list
	[ "$status" -eq 1 ]
	[[ "$output" == "mfa: vault $MFA_VAULT: no vault here (run 'mfa init' first)" ]]
}

@test "add from stdin, list, code matches oathtool" {
	mfa_init
	echo "$S1" | mfa add github --issuer GitHub
	run mfa list
	[[ "$output" == *GitHub*github*totp* ]]
	for t in 0 59 1111111109 2000000000 20000000000; do
		want=$(oathtool --totp -N "@$t" "$(b32hex $S1)")
		[ "$(mfa code github --at "$t")" = "$want" ]
	done
}

@test "codes from the vault match oathtool for every hash, digits and period" {
	mfa_init
	for h in SHA1 SHA256 SHA512; do
		for d in 6 7 8; do
			for p in 15 30 60; do
				echo "$RFC" | mfa add "a-$h-$d-$p" -a "$h" -d "$d" -p "$p" > /dev/null
				oh=$(echo "$h" | tr A-Z a-z)
				want=$(oathtool --totp="$oh" -d "$d" -s "${p}s" -N @1234567890 "$(b32hex $RFC)")
				[ "$(mfa code "a-$h-$d-$p" --at 1234567890)" = "$want" ]
			done
		done
	done
}

@test "add takes a whole otpauth URI with its parameters" {
	mfa_init
	echo "otpauth://totp/ACME%20Co:alice@example.com?secret=$RFC&issuer=ACME%20Co&algorithm=SHA256&digits=8&period=60" | mfa add
	run mfa list --json
	echo "$output" | /usr/bin/python3 -c '
import json,sys
a=json.load(sys.stdin)[0]
assert a["name"]=="alice@example.com" and a["issuer"]=="ACME Co", a
assert a["algorithm"]=="SHA256" and a["digits"]==8 and a["period"]==60, a'
	want=$(oathtool --totp=sha256 -d 8 -s 60s -N @1000000 "$(b32hex $RFC)")
	[ "$(mfa code alice --at 1000000)" = "$want" ]
}

@test "a secret on the command line is refused with a reason" {
	mfa_init
	run mfa add github "$S1"
	[ "$status" -eq 2 ]
	[[ "$output" == *"never taken from the command line"* ]]
	run mfa add "$S1$S1"
	[ "$status" -eq 2 ]
	run mfa add "otpauth://totp/x?secret=$S1"
	[ "$status" -eq 2 ]
}

@test "bad and empty secrets fail with one line naming the problem" {
	mfa_init
	before=$(sha "$MFA_VAULT")
	run mfa add x <<< "JBSWY3DP!HPK3PXP"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == "mfa: secret from stdin: character '!' at position 9: invalid base32 character" ]]
	run mfa add x < /dev/null
	[ "$status" -eq 1 ]
	[[ "$output" == "mfa: secret from stdin: empty secret" ]]
	run mfa add x <<< "otpauth://totp/x?digits=8"
	[ "$status" -eq 1 ]
	[[ "$output" == *"no secret in URI"* ]]
	[ "$(sha "$MFA_VAULT")" = "$before" ]
}

@test "a duplicate name and issuer is refused unless --force" {
	mfa_init
	echo "$S1" | mfa add github --issuer GitHub
	run mfa add github --issuer GitHub <<< "$RFC"
	[ "$status" -eq 1 ]
	[[ "$output" == *"already exists"* ]]
	echo "$RFC" | mfa add github --issuer GitHub --force
	[ "$(mfa list --json | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 1 ]
	[ "$(mfa code github --at 59)" = "$(oathtool --totp -N @59 "$(b32hex $RFC)")" ]
}

@test "wrong passphrase: clear error, vault untouched" {
	mfa_init
	echo "$S1" | mfa add github
	before=$(sha "$MFA_VAULT")
	echo wrong > "$T/wrong"
	MFA_PASSPHRASE_FILE="$T/wrong" run mfa code github
	[ "$status" -eq 1 ]
	[ "$output" = "mfa: vault $MFA_VAULT: wrong passphrase, or the vault was modified" ]
	MFA_PASSPHRASE_FILE="$T/wrong" run mfa add other <<< "$RFC"
	[ "$status" -eq 1 ]
	[ "$(sha "$MFA_VAULT")" = "$before" ]
}

@test "passphrase sources: fd, file, command, variable; first set wins" {
	mfa_init
	echo "$S1" | mfa add github
	unset MFA_PASSPHRASE_FILE
	run mfa --passphrase-fd 3 code github 3< "$T/pass"
	[ "$status" -eq 0 ]
	MFA_PASSPHRASE_COMMAND="cat '$T/pass'" run mfa code github
	[ "$status" -eq 0 ]
	MFA_PASSPHRASE="test passphrase" run mfa code github
	[ "$status" -eq 0 ]
	# The file wins over a wrong variable.
	MFA_PASSPHRASE_FILE="$T/pass" MFA_PASSPHRASE=wrong run mfa code github
	[ "$status" -eq 0 ]
	# The command's child never sees MFA_PASSPHRASE.
	MFA_PASSPHRASE_COMMAND="env > '$T/env'; cat '$T/pass'" MFA_PASSPHRASE="x" run mfa code github
	[ "$status" -eq 0 ]
	run ! grep -q '^MFA_PASSPHRASE=' "$T/env"
}

@test "no passphrase source and no terminal: a clear error" {
	mfa_init
	unset MFA_PASSPHRASE_FILE
	run notty "$MFA_BIN" list
	[ "$status" -eq 1 ]
	[[ "$output" == "mfa: no passphrase: no terminal to ask on"* ]]
}

@test "corrupted and truncated vaults: clear error, file untouched" {
	mfa_init
	echo "$S1" | mfa add github
	cp "$MFA_VAULT" "$T/good"
	size=$(stat -c %s "$MFA_VAULT")
	for off in 0 9 40 $((size / 2)) $((size - 1)); do
		cp "$T/good" "$MFA_VAULT"
		printf '\x55' | dd of="$MFA_VAULT" bs=1 seek="$off" conv=notrunc 2> /dev/null
		[ "$(sha "$MFA_VAULT")" != "$(sha "$T/good")" ] || continue
		before=$(sha "$MFA_VAULT")
		run mfa code github
		[ "$status" -eq 1 ]
		[[ "$output" == "mfa: vault $MFA_VAULT: "* ]]
		run mfa add x <<< "$RFC"
		[ "$status" -eq 1 ]
		[ "$(sha "$MFA_VAULT")" = "$before" ]
	done
	for n in 0 1 8 30 $((size - 1)); do
		head -c "$n" "$T/good" > "$MFA_VAULT"
		run mfa list
		[ "$status" -eq 1 ]
		[[ "$output" == "mfa: vault $MFA_VAULT: "* ]]
	done
}

@test "the vault file holds neither secrets nor names nor issuers" {
	mfa_init
	echo "$S1" | mfa add VeryDistinctName --issuer UnmistakableIssuer --note SomeNoteText
	run ! grep -qa VeryDistinctName "$MFA_VAULT"
	run ! grep -qa UnmistakableIssuer "$MFA_VAULT"
	run ! grep -qa SomeNoteText "$MFA_VAULT"
	run ! grep -qa "$S1" "$MFA_VAULT"
	raw=$(printf '%s' "$S1" | /usr/bin/python3 -c 'import base64,sys; sys.stdout.buffer.write(base64.b32decode(sys.stdin.read()))' | od -An -tx1 | tr -d ' \n')
	run ! grep -q "$raw" <<< "$(od -An -tx1 "$MFA_VAULT" | tr -d ' \n')"
}

@test "the payload is padded: one account or five, same size" {
	mfa_init
	echo "$S1" | mfa add a1
	s1=$(stat -c %s "$MFA_VAULT")
	for i in 2 3 4 5; do echo "$S1" | mfa add "a$i" > /dev/null; done
	[ "$(stat -c %s "$MFA_VAULT")" = "$s1" ]
}

@test "QUERY: exact, issuer:name, substring; ambiguous lists candidates" {
	mfa_init
	echo "$S1" | mfa add alice --issuer AWS
	echo "$RFC" | mfa add alice --issuer GitHub
	echo "$RFC" | mfa add bob --issuer GitHub
	run mfa code alice
	[ "$status" -eq 1 ]
	[[ "$output" == "mfa: account 'alice' is ambiguous; candidates: AWS:alice, GitHub:alice" ]]
	[ "$(mfa code AWS:alice --at 59)" = "$(oathtool --totp -N @59 "$(b32hex $S1)")" ]
	[ "$(mfa code hub:ali --at 59)" = "$(oathtool --totp -N @59 "$(b32hex $RFC)")" ]
	[ "$(mfa code BOB --at 59)" = "$(oathtool --totp -N @59 "$(b32hex $RFC)")" ]
	run mfa code nobody
	[ "$status" -eq 1 ]
	[ "$output" = "mfa: account 'nobody': no such account" ]
}

@test "code decodes only what QUERY may name; its saves keep every account" {
	mfa_init
	for n in acct7 acct70 acct8 other; do
		echo "$RFC" | mfa add "$n" --issuer Bench -d 8 > /dev/null
	done
	echo "$RFC" | mfa add laptop --serial arn:aws:iam::123456789012:mfa/dev-7 > /dev/null
	echo "$RFC" | mfa add counter7 --hotp -c 5 > /dev/null
	want=$(oathtool --totp -N @59 "$(b32hex $RFC)")
	# The device's name is only in the serial.
	[ "$(mfa code DEV-7 --at 59)" = "$want" ]
	[ "$(mfa code bench:ACCT8 --at 59)" = "$(oathtool --totp -d 8 -N @59 "$(b32hex $RFC)")" ]
	run mfa code 7
	[ "$status" -eq 1 ]
	[[ "$output" == "mfa: account '7' is ambiguous; candidates: Bench:acct7, Bench:acct70, counter7" ]]
	# HOTP and AWS codes save the vault: every account is still there.
	[ "$(mfa code counter7)" = "$(oathtool --hotp -c 5 "$(b32hex $RFC)")" ]
	mfa code dev-7 > /dev/null
	run mfa list
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | awk 'NR > 1 { print $2 }' | sort | tr '\n' ' ')" = "acct7 acct70 acct8 counter7 laptop other " ]
	[ "$(mfa code counter7)" = "$(oathtool --hotp -c 6 "$(b32hex $RFC)")" ]
}

@test "HOTP: the counter is saved before the code is printed" {
	mfa_init
	echo "$RFC" | mfa add counter --hotp -c 5
	key=$(b32hex $RFC)
	[ "$(mfa code counter)" = "$(oathtool --hotp -c 5 "$key")" ]
	[ "$(mfa code counter)" = "$(oathtool --hotp -c 6 "$key")" ]
	[ "$(mfa list --json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["counter"])')" = 7 ]
	# A failed save prints no code.
	chmod 500 "$T/v"
	if ! touch "$T/v/probe" 2> /dev/null; then
		run mfa code counter
		[ "$status" -eq 1 ]
		[[ "$output" != *[0-9][0-9][0-9][0-9][0-9][0-9]* ]]
	fi
	chmod 700 "$T/v"
}

@test "code --next and --fresh" {
	mfa_init
	echo "$S1" | mfa add github
	[ "$(mfa code github --at 59 --next)" = "$(oathtool --totp -N @89 "$(b32hex $S1)")" ]
	run mfa code github --fresh 0
	[ "$status" -eq 0 ]
	run mfa code github --fresh abc
	[ "$status" -eq 2 ]
}

@test "list --json has the documented fields and no secret" {
	mfa_init
	echo "$S1" | mfa add github --issuer GitHub --serial arn:aws:iam::1:mfa/x
	run mfa list --json --codes
	[ "$status" -eq 0 ]
	[[ "$output" != *"$S1"* ]]
	echo "$output" | /usr/bin/python3 -c '
import json,sys
a=json.load(sys.stdin)[0]
for k in ("id","name","issuer","type","algorithm","digits","period","counter","serial","code","remaining"):
    assert k in a, k
assert "secret" not in a
assert a["serial"]=="arn:aws:iam::1:mfa/x"'
}

@test "show: details without the secret; --uri round-trips" {
	mfa_init
	echo "$S1" | mfa add github --issuer "Git Hub" -d 8
	run mfa show github
	[[ "$output" != *"$S1"* ]]
	[[ "$output" == *"digits     8"* ]]
	uri=$(mfa show github --uri)
	[[ "$uri" == "otpauth://totp/Git%20Hub:github?secret=$S1&issuer=Git%20Hub"* ]]
	/usr/bin/python3 -c 'import pyotp,sys; t=pyotp.parse_uri(sys.argv[1]); assert t.at(59)==sys.argv[2], t.at(59)' "$uri" "$(mfa code github --at 59)"
}

@test "rm: confirmation required without a terminal; --yes removes" {
	mfa_init
	echo "$S1" | mfa add github
	before=$(sha "$MFA_VAULT")
	run notty "$MFA_BIN" rm github
	[ "$status" -eq 2 ]
	[[ "$output" == *"without --yes"* ]]
	[ "$(sha "$MFA_VAULT")" = "$before" ]
	run mfa rm github --yes
	[ "$status" -eq 0 ]
	run mfa code github
	[ "$status" -eq 1 ]
}

@test "rename and edit" {
	mfa_init
	echo "$S1" | mfa add github --issuer GitHub
	echo "$RFC" | mfa add gitlab --issuer GitLab
	mfa rename github gh
	run mfa rename gh gitlab
	[ "$status" -eq 0 ]
	run mfa edit GitHub:gitlab --issuer GitLab
	[ "$status" -eq 1 ]
	[[ "$output" == *"already exists"* ]]
	mfa edit GitHub:gitlab -d 8 -a SHA256 --serial arn:aws:iam::1:mfa/y --note hi
	[ "$(mfa code GitHub:gitlab --at 59)" = "$(oathtool --totp=sha256 -d 8 -N @59 "$(b32hex $S1)")" ]
	run mfa edit GitHub:gitlab --name ""
	[ "$status" -eq 2 ]
	run mfa edit GitHub:gitlab -d 11
	[ "$status" -eq 2 ]
}

@test "passwd: the old passphrase stops working, the new one works" {
	mfa_init
	echo "$S1" | mfa add github
	echo "new passphrase" > "$T/new"
	MFA_NEW_PASSPHRASE_FILE="$T/new" mfa passwd
	run mfa code github
	[ "$status" -eq 1 ]
	MFA_PASSPHRASE_FILE="$T/new" run mfa code github
	[ "$status" -eq 0 ]
}

@test "verify: exit 0 with the offset, 3 when invalid" {
	mfa_init
	echo "$S1" | mfa add github
	key=$(b32hex $S1)
	# Offsets and windows; each code is accepted once only without
	# --allow-reuse (verify.bats).
	run mfa verify github "$(oathtool --totp -N @1000 "$key")" --at 1000 --allow-reuse
	[ "$status" -eq 0 ]
	[ "$output" = 0 ]
	run mfa verify github "$(oathtool --totp -N @970 "$key")" --at 1000 --allow-reuse
	[ "$status" -eq 0 ]
	[ "$output" = -1 ]
	run mfa verify github "$(oathtool --totp -N @1030 "$key")" --at 1000 --allow-reuse
	[ "$output" = +1 ]
	run mfa verify github "$(oathtool --totp -N @1060 "$key")" --at 1000 --allow-reuse
	[ "$status" -eq 3 ]
	run mfa verify github "$(oathtool --totp -N @1060 "$key")" --at 1000 --window 2 --allow-reuse
	[ "$status" -eq 0 ]
	[ "$output" = +2 ]
}

@test "verify HOTP resynchronises the counter" {
	mfa_init
	echo "$S1" | mfa add h --hotp
	key=$(b32hex $S1)
	run mfa verify h "$(oathtool --hotp -c 3 "$key")"
	[ "$status" -eq 0 ]
	[ "$output" = +3 ]
	[ "$(mfa code h)" = "$(oathtool --hotp -c 4 "$key")" ]
}

@test "unlock cache: fill, use without a passphrase, lock, expiry" {
	need_keyring
	mfa_init
	echo "$S1" | mfa add github
	export MFA_CACHE_TTL=300
	run mfa unlock
	[ "$status" -eq 0 ]
	[[ "$output" == *"keyring"* ]]
	unset MFA_PASSPHRASE_FILE
	run notty "$MFA_BIN" code github
	[ "$status" -eq 0 ]
	run notty "$MFA_BIN" --no-cache code github
	[ "$status" -eq 1 ]
	mfa lock
	run notty "$MFA_BIN" code github
	[ "$status" -eq 1 ]
	MFA_PASSPHRASE_FILE="$T/pass" mfa unlock --ttl 1
	for i in 1 2 3 4 5 6 7 8 9 10; do
		notty "$MFA_BIN" code github > /dev/null 2>&1 || break
		sleep 1
	done
	run notty "$MFA_BIN" code github
	[ "$status" -eq 1 ]
}

@test "two vaults never share a cached key" {
	need_keyring
	mfa_init
	MFA_VAULT="$T/w/vault" "$MFA_BIN" init --kdf-ops 1 --kdf-mem 1 > /dev/null 2>&1
	MFA_CACHE_TTL=300 run mfa unlock
	[[ "$output" == *"keyring"* ]]
	unset MFA_PASSPHRASE_FILE
	MFA_CACHE_TTL=300 MFA_VAULT="$T/w/vault" run notty "$MFA_BIN" list
	[ "$status" -eq 1 ]
	MFA_CACHE_TTL=300 mfa lock
}

@test "vault folder or file writable by others is refused" {
	mfa_init
	chmod 722 "$T/v"
	run mfa list
	[ "$status" -eq 1 ]
	[[ "$output" == "mfa: vault $MFA_VAULT: unsafe"* ]]
	chmod 700 "$T/v"
	chmod 666 "$MFA_VAULT"
	run mfa list
	[ "$status" -eq 1 ]
	chmod 600 "$MFA_VAULT"
	run mfa list
	[ "$status" -eq 0 ]
}

@test "two processes adding 50 accounts each end with 100" {
	mfa_init
	for p in a b; do
		(for i in $(seq 1 50); do echo "$S1" | "$MFA_BIN" add "$p$i" > /dev/null || exit 1; done) &
	done
	wait
	[ "$(mfa list --json | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 100 ]
}

@test "100 writers killed at random never break the vault or leave a stale lock" {
	mfa_init
	saved=0
	for i in $(seq 1 100); do
		( echo "$S1" | "$MFA_BIN" add "k$i" > "$T/out.$i" 2>&1 ) &
		pid=$!
		sleep "0.00$((RANDOM % 10))"
		kill -9 "$pid" 2> /dev/null || true
		wait "$pid" 2> /dev/null || true
		grep -q "^added" "$T/out.$i" 2> /dev/null && saved=$((saved + 1))
	done
	run timeout 20 "$MFA_BIN" list --json
	[ "$status" -eq 0 ]
	n=$(echo "$output" | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
	[ "$n" -ge "$saved" ]
	# No stale lock: a write goes through at once.
	echo "$S1" | timeout 20 "$MFA_BIN" add after
	[ -z "$(ls -A "$T/v" | grep -vE '^vault(\.bak|\.lock)?$')" ]
}

@test "a write that runs out of space fails cleanly, vault intact, no temp file" {
	mfa_init
	echo "$S1" | mfa add small
	before=$(sha "$MFA_VAULT")
	big=$(head -c 20000 /dev/zero | tr '\0' x)
	run bash -c "ulimit -f 8; echo $S1 | '$MFA_BIN' add big --note '$big'"
	[ "$status" -eq 1 ]
	[[ "$output" == *"no space left"* ]]
	[ "$(sha "$MFA_VAULT")" = "$before" ]
	[ -z "$(ls -A "$T/v" | grep -vE '^vault(\.bak|\.lock)?$')" ]
	run mfa code small
	[ "$status" -eq 0 ]
}

@test "HOTP verify: a code is accepted once, even by racing processes" {
	mfa_init
	echo "$S1" | mfa add h --hotp
	code=$(oathtool --hotp -c 0 "$(b32hex $S1)")
	for i in $(seq 1 10); do
		( "$MFA_BIN" verify h "$code" -w 0 > /dev/null 2>&1 && echo ok >> "$T/wins" ) &
	done
	wait
	[ "$(wc -l < "$T/wins")" = 1 ]
	run mfa verify h "$code" -w 0
	[ "$status" -eq 3 ]
}

@test "verify and code at the end of the HOTP counter range fail promptly" {
	mfa_init
	echo "$S1" | mfa add h --hotp -c 9223372036854775807
	run timeout 10 "$MFA_BIN" verify h 123456
	[ "$status" -eq 1 ]
	run timeout 10 "$MFA_BIN" code h
	[ "$status" -eq 1 ]
	echo "$S1" | mfa add h2 --hotp -c 9223372036854775797
	run timeout 10 "$MFA_BIN" verify h2 123456
	[ "$status" -eq 3 ]
}

@test "rm and passwd leave no backup holding the old secret or passphrase" {
	mfa_init
	echo "$S1" | mfa add gone
	echo "$RFC" | mfa add stays
	# The previous version, which holds gone's secret, is kept until rm.
	[ -e "$MFA_VAULT.bak" ]
	mfa rm gone --yes
	[ ! -e "$MFA_VAULT.bak" ]
	echo "new passphrase" > "$T/new"
	MFA_NEW_PASSPHRASE_FILE="$T/new" mfa passwd
	[ ! -e "$MFA_VAULT.bak" ]
	echo "$S1" | MFA_PASSPHRASE_FILE="$T/new" mfa add later
	[ -e "$MFA_VAULT.bak" ]
	run mfa --vault "$MFA_VAULT.bak" list
	[ "$status" -eq 1 ]
}

@test "control characters in names never reach the terminal" {
	mfa_init
	echo "otpauth://totp/Evil%1B%5D0%3Bpwned%07%0Aforged?secret=$S1&issuer=X%1B%5B2J" | mfa add
	for cmd in "list" "show Evil" "list --codes"; do
		run mfa $cmd
		[ "$status" -eq 0 ]
		out=$output
		run ! grep -q $'\033' <<< "$out"
		run ! grep -q $'\007' <<< "$out"
	done
	run mfa verify Evil 000000
	[ "${#lines[@]}" -eq 1 ]
}

@test "MFA_CACHE_TTL that is not a number turns the cache off" {
	need_keyring
	mfa_init
	echo "$S1" | mfa add github
	MFA_CACHE_TTL=off mfa code github > /dev/null
	unset MFA_PASSPHRASE_FILE
	MFA_CACHE_TTL=300 run notty "$MFA_BIN" code github
	[ "$status" -eq 1 ]
}

@test "lock drops the key of a vault that moved; lock --all drops every one" {
	need_keyring
	mfa_init
	export MFA_CACHE_TTL=300
	run mfa unlock
	[[ "$output" == *keyring* ]]
	mv "$MFA_VAULT" "$T/v/moved"
	run mfa lock
	[ "$status" -eq 0 ]
	[[ "$output" == *"dropped"* ]]
	mv "$T/v/moved" "$MFA_VAULT"
	unset MFA_PASSPHRASE_FILE
	run notty "$MFA_BIN" list
	[ "$status" -eq 1 ]
	MFA_PASSPHRASE_FILE="$T/pass" mfa unlock
	run mfa lock --all
	[[ "$output" == "dropped "* ]]
	run notty "$MFA_BIN" list
	[ "$status" -eq 1 ]
}

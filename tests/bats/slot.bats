#!/usr/bin/env bats
# Key slots and FIDO2 security keys, end to end. No hardware is
# available, so the keys are softfido (tests/tools/softfido): software keys
# speaking CTAPHID and CTAP2 that libfido2 reaches through the test
# transport. Only build/tests/mfa-fido links that transport; the release
# mfa ($MFA_BIN) is checked to ignore it. Codes are checked against
# oathtool; the keys' own counters (touches, PIN retries) are read from
# their state files.
load helpers
bats_require_minimum_version 1.5.0
load ../tools/mfa-tty

S1=JBSWY3DPEHPK3PXP

setup() {
	mfa_setup
	: "${MFA_BUILD:=build}"
	case $MFA_BUILD in /*) ;; *) MFA_BUILD=$PWD/$MFA_BUILD ;; esac
	FIDO_BIN=$MFA_BUILD/tests/mfa-fido
	SOFTFIDO=$MFA_BUILD/tests/softfido
	# Built by `make unit`: a missing one is a failure, not a skip.
	[ -x "$FIDO_BIN" ] || { echo "no $FIDO_BIN (make unit)" >&2; false; }
	[ -x "$SOFTFIDO" ] || { echo "no $SOFTFIDO (make unit)" >&2; false; }
	export MFA_SOFTFIDO=$SOFTFIDO
	"$SOFTFIDO" init "$T/k1"
	"$SOFTFIDO" init "$T/k2"
	export MFA_TEST_FIDO2=$T/k1
	unset MFA_TEST_FIDO2_LIB
	mfa_init
	echo "$S1" | mfa add gh > /dev/null
}

teardown() {
	tty_stop
	mfa_teardown
}

f() {
	"$FIDO_BIN" "$@"
}

touches() {
	"$SOFTFIDO" get "$1" touches
}

# A code for gh, checked against oathtool: the vault really opened.
code_ok() {
	local c
	c=$("$@" code gh --at 1111111109) || return 1
	[ "$c" = "$(oathtool --totp -N @1111111109 "$(b32hex "$S1")")" ]
}

# Without any passphrase source (and no terminal), only a key can open it.
nopass() {
	env -u MFA_PASSPHRASE_FILE -u MFA_PASSPHRASE setsid -w "$@" < /dev/null
}

@test "slot list: the passphrase slot of a new vault, without unlocking" {
	run nopass "$FIDO_BIN" slot list
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "ID  TYPE                         CREATED           LABEL" ]
	[[ "${lines[1]}" =~ ^1\ +passphrase\ +-\ +-$ ]]
	[ "${lines[2]}" = "Opens with: the passphrase." ]
	[ "${#lines[@]}" -eq 3 ]
}

@test "slot add --fido2: enrol with two touches; a touch then opens the vault" {
	run f slot add --fido2 --label blue
	[ "$status" -eq 0 ]
	[ "$output" = "added slot 2: fido2 'blue' (security key $T/k1)" ]
	[ "$(touches "$T/k1")" = 2 ]
	run f slot list
	[[ "${lines[2]}" =~ ^2\ +fido2\ +[0-9]{4}-[0-9]{2}-[0-9]{2}\ [0-9:]{5}Z\ +blue$ ]]
	[ "${lines[3]}" = "Opens with: the passphrase, or one of its security keys alone." ]
	# No passphrase anywhere: the key opens it, with one touch.
	nopass bash -c "$(declare -f code_ok b32hex); S1=$S1; code_ok '$FIDO_BIN'"
	[ "$(touches "$T/k1")" = 3 ]
	# The passphrase still does, with the key unplugged.
	MFA_TEST_FIDO2= code_ok f
	[ "$(touches "$T/k1")" = 3 ]
}

@test "a key that is not enrolled is refused, without being asked to touch" {
	f slot add --fido2 > /dev/null
	# Key-only vault: remove the passphrase slot.
	run f slot rm 1 --yes
	[ "$status" -eq 0 ]
	[[ "$output" == *"warning: slot 1 is the last passphrase slot"* ]]
	export MFA_TEST_FIDO2=$T/k2
	run nopass "$FIDO_BIN" code gh
	[ "$status" -eq 1 ]
	[ "$output" = "mfa: vault $MFA_VAULT opens only with one of its security keys: no enrolled security key is plugged in" ]
	[ "$(touches "$T/k2")" = 0 ]
	# The passphrase does not open a key-only vault either.
	run f code gh
	[ "$status" -eq 1 ]
	[[ "$output" == *"opens only with one of its security keys"* ]]
	# The enrolled key does.
	MFA_TEST_FIDO2=$T/k1 nopass bash -c "$(declare -f code_ok b32hex); S1=$S1; code_ok '$FIDO_BIN'"
}

@test "key absent: the passphrase as usual, and an error without one" {
	f slot add --fido2 > /dev/null
	export MFA_TEST_FIDO2=$T/k2 # another key is there, not ours
	code_ok f
	[ "$(touches "$T/k2")" = 0 ]
	export MFA_TEST_FIDO2=$T/none
	code_ok f
	run nopass "$FIDO_BIN" code gh
	[ "$status" -eq 1 ]
	[[ "$output" == "mfa: no passphrase: no terminal to ask on"* ]]
}

@test "--require-fido2: the passphrase AND a key; neither alone opens it" {
	cp "$MFA_VAULT" "$T/before"
	run f slot add --fido2 --require-fido2 --label blue
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "added slot 1: fido2 + passphrase 'blue' (security key $T/k1)" ]
	[[ "${lines[1]}" == "the passphrase alone no longer opens"* ]]
	# The backup, which opened with the passphrase alone, is gone.
	[ ! -e "$MFA_VAULT.bak" ]
	run f slot list
	[[ "${lines[1]}" =~ ^1\ +fido2\ \+\ passphrase\ + ]]
	[ "${lines[2]}" = "Opens with: the passphrase AND one of its security keys (--require-fido2: the passphrase alone does not)." ]
	[ "${#lines[@]}" -eq 3 ]
	# The passphrase alone: refused.
	MFA_TEST_FIDO2= run f code gh
	[ "$status" -eq 1 ]
	[ "$output" = "mfa: vault $MFA_VAULT opens only with one of its security keys and the passphrase: no enrolled security key is plugged in" ]
	# So is the release mfa, which has no way to reach a key here.
	run "$MFA_BIN" code gh
	[ "$status" -eq 1 ]
	# The key alone: refused.
	run nopass "$FIDO_BIN" code gh
	[ "$status" -eq 1 ]
	[[ "$output" == "mfa: no passphrase"* ]]
	# The key and a wrong passphrase: refused.
	echo wrong > "$T/wrong"
	MFA_PASSPHRASE_FILE=$T/wrong run f code gh
	[ "$status" -eq 1 ]
	[ "$output" = "mfa: vault $MFA_VAULT (slot 1): wrong passphrase, or the vault was modified" ]
	# Both: open.
	code_ok f
	# The old copy still opens with the passphrase: said in mfa(1).
	MFA_VAULT=$T/before MFA_TEST_FIDO2= code_ok f
	# passwd would undo it: refused.
	run f passwd
	[ "$status" -eq 1 ]
	[[ "$output" == *"is bound to its security keys"* ]]
}

@test "--require-fido2 is refused while a key opens the vault alone" {
	f slot add --fido2 > /dev/null
	sha=$(sha "$MFA_VAULT")
	MFA_TEST_FIDO2=$T/k2 run f slot add --fido2 --require-fido2
	[ "$status" -eq 1 ]
	[ "$output" = "mfa: slot add --require-fido2: slot 2 opens the vault with its security key alone: remove it first (mfa slot rm 2), then enrol that key again with --require-fido2" ]
	[ "$(sha "$MFA_VAULT")" = "$sha" ]
}

@test "two keys enrolled: either opens the vault; --device picks one" {
	f slot add --fido2 --label blue > /dev/null
	export MFA_TEST_FIDO2=$T/k1:$T/k2
	# Two keys plugged in: which one?
	run f slot add --fido2
	[ "$status" -eq 1 ]
	[ "$output" = "mfa: slot add --fido2: 2 security keys are plugged in ($T/k1, $T/k2): choose one with --device PATH" ]
	# The enrolled one again: refused, found without a touch.
	before=$(touches "$T/k1")
	run f slot add --fido2 --device "$T/k1"
	[ "$status" -eq 1 ]
	[ "$output" = "mfa: security key $T/k1 is already enrolled in slot 2" ]
	run f slot add --fido2 --device "$T/k2" --label spare
	[ "$status" -eq 0 ]
	[ "$output" = "added slot 3: fido2 'spare' (security key $T/k2)" ]
	for k in k1 k2; do
		MFA_TEST_FIDO2=$T/$k nopass bash -c "$(declare -f code_ok b32hex); S1=$S1; code_ok '$FIDO_BIN'"
	done
	[ "$(touches "$T/k2")" = 3 ]
	# With both plugged in, one touch of one of them.
	t1=$(touches "$T/k1")
	t2=$(touches "$T/k2")
	nopass bash -c "$(declare -f code_ok b32hex); S1=$S1; code_ok '$FIDO_BIN'"
	[ $(($(touches "$T/k1") + $(touches "$T/k2"))) -eq $((t1 + t2 + 1)) ]
	# Remove the lost spare: it no longer opens the vault.
	run f slot rm 3
	[ "$status" -eq 0 ]
	[ "$output" = "removed slot 3 (fido2, spare)" ]
	MFA_TEST_FIDO2=$T/k2 run nopass "$FIDO_BIN" code gh
	[ "$status" -eq 1 ]
}

@test "slot rm: never the last slot; the last passphrase slot only when confirmed" {
	run f slot rm 1
	[ "$status" -eq 1 ]
	[ "$output" = "mfa: slot rm: slot 1 is the only slot of $MFA_VAULT: without it nothing would open the vault" ]
	f slot add --fido2 > /dev/null
	sha=$(sha "$MFA_VAULT")
	run notty "$MFA_BIN" slot rm 1
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" == "mfa: warning: slot 1 is the last passphrase slot of $MFA_VAULT: afterwards only a security key opens the vault" ]]
	[[ "${lines[1]}" == "mfa: slot rm: slot 1 is the last passphrase slot: give --yes"* ]]
	[ "$(sha "$MFA_VAULT")" = "$sha" ]
	run f slot rm 3
	[ "$status" -eq 1 ]
	[ "$output" = "mfa: slot rm: vault $MFA_VAULT has no slot 3 (it has 2)" ]
	for bad in 0 x -1 1x; do
		run f slot rm -- "$bad"
		[ "$status" -eq 2 ]
		[[ "$output" == "mfa: slot rm: '$bad' is not a slot number"* ]]
	done
	[ "$(sha "$MFA_VAULT")" = "$sha" ]
	# Removing the key slot needs no confirmation.
	run f slot rm 2
	[ "$status" -eq 0 ]
	[ "$(f slot list | tail -1)" = "Opens with: the passphrase." ]
}

@test "slot rm asks on the terminal before removing the last passphrase slot" {
	need_tmux
	f slot add --fido2 > /dev/null
	tty_start
	tty_run "MFA_TEST_FIDO2='$T/k1' MFA_SOFTFIDO='$SOFTFIDO' MFA_VAULT='$MFA_VAULT' MFA_CACHE_TTL=0 '$FIDO_BIN' slot rm 1; echo EXIT=\$?"
	wait_until 100 tty_has 'Remove it\? \[y/N\]'
	tty_has 'Touch your security key'
	tty_send n Enter
	wait_until 100 tty_has 'EXIT=1'
	[ "$(f slot list | tail -1)" = "Opens with: the passphrase, or one of its security keys alone." ]
	tty_run "MFA_TEST_FIDO2='$T/k1' MFA_SOFTFIDO='$SOFTFIDO' MFA_VAULT='$MFA_VAULT' MFA_CACHE_TTL=0 '$FIDO_BIN' slot rm 1; echo EXIT=\$?"
	wait_until 100 tty_has 'Remove it\? \[y/N\] *$'
	tty_send y Enter
	wait_until 100 tty_has 'EXIT=0'
	[ "$(f slot list | tail -1)" = "Opens with: one of its security keys alone (no passphrase slot)." ]
}

@test "a tampered slot is rejected by the header's authentication" {
	f slot add --fido2 --label blue > /dev/null
	cp "$MFA_VAULT" "$T/good"
	# Flip the label's first byte ("blue" -> "clue"): still well formed.
	/usr/bin/python3 - "$MFA_VAULT" << 'EOF'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
i = b.index(b"blue")
b[i] ^= 0x01
open(p, "wb").write(bytes(b))
EOF
	sha=$(sha "$MFA_VAULT")
	run f slot list
	[[ "$output" == *" clue"* ]]
	run nopass "$FIDO_BIN" code gh
	[ "$status" -eq 1 ]
	[ "$output" = "mfa: vault $MFA_VAULT (slot 2): wrong passphrase, or the vault was modified" ]
	MFA_TEST_FIDO2= run f code gh
	[ "$status" -eq 1 ]
	[ "$output" = "mfa: vault $MFA_VAULT: wrong passphrase, or the vault was modified" ]
	[ "$(sha "$MFA_VAULT")" = "$sha" ]
	cp "$T/good" "$MFA_VAULT"
	nopass bash -c "$(declare -f code_ok b32hex); S1=$S1; code_ok '$FIDO_BIN'"
}

@test "--pin: the PIN on the terminal at enrolment and unlock; a wrong one refused" {
	need_tmux
	"$SOFTFIDO" init "$T/kp" --pin 4321
	export MFA_TEST_FIDO2=$T/kp
	# A key with a PIN needs --pin; a key without one refuses it.
	run f slot add --fido2
	[ "$status" -eq 1 ]
	[ "$output" = "mfa: security key $T/kp has a PIN: add --pin (it will be asked at every unlock)" ]
	MFA_TEST_FIDO2=$T/k1 run f slot add --fido2 --pin
	[ "$status" -eq 1 ]
	[[ "$output" == "mfa: security key $T/k1 has no PIN"* ]]
	# Without a terminal, the PIN cannot be asked.
	run notty "$FIDO_BIN" slot add --fido2 --pin
	[ "$status" -eq 1 ]
	[[ "$output" == "mfa: --pin: the PIN is asked on a terminal"* ]]
	envs="MFA_TEST_FIDO2='$T/kp' MFA_SOFTFIDO='$SOFTFIDO' MFA_VAULT='$MFA_VAULT' MFA_CACHE_TTL=0"
	tty_start
	tty_run "$envs MFA_PASSPHRASE_FILE='$T/pass' '$FIDO_BIN' slot add --fido2 --pin --label pinned; echo EXIT=\$?"
	wait_until 100 tty_has 'PIN for security key'
	tty_send -l 4321
	tty_send Enter
	wait_until 100 tty_has 'EXIT=[0-9]'
	tty_has "added slot 2: fido2 \+ PIN 'pinned'"
	tty_has 'Touch your security key to create a credential \(1/2\)'
	tty_has 'Touch your security key again \(2/2\)'
	tty_has 'EXIT=0'
	# Unlock by the key: a wrong PIN is refused and counted.
	tty_run "clear; $envs '$FIDO_BIN' code gh --at 1111111109; echo EXIT=\$?"
	wait_until 100 tty_has 'PIN for security key'
	tty_send -l 0000
	tty_send Enter
	wait_until 100 tty_has 'EXIT=[0-9]'
	tty_has "mfa: security key $T/kp: wrong PIN \(7 attempts left\)"
	tty_has 'EXIT=1'
	[ "$("$SOFTFIDO" get "$T/kp" retries)" = 7 ]
	tty_run "clear; $envs '$FIDO_BIN' code gh --at 1111111109; echo EXIT=\$?"
	wait_until 100 tty_has 'PIN for security key'
	tty_send -l 4321
	tty_send Enter
	wait_until 100 tty_has 'EXIT=[0-9]'
	tty_has "^$(oathtool --totp -N @1111111109 "$(b32hex "$S1")")\$"
	tty_has 'EXIT=0'
	[ "$("$SOFTFIDO" get "$T/kp" retries)" = 8 ]
	# The PIN never shows on the screen.
	tty_lacks 4321
	tty_lacks 0000
	run f slot list
	[[ "${lines[2]}" =~ ^2\ +fido2\ \+\ PIN\ + ]]
}

@test "unlock cache: one touch per MFA_CACHE_TTL, not per code" {
	command -v keyctl > /dev/null || skip "keyutils not installed"
	f slot add --fido2 > /dev/null
	keyctl session - bash -c "
		export MFA_CACHE_TTL=300
		$(declare -f code_ok b32hex); S1=$S1
		unset MFA_PASSPHRASE_FILE
		code_ok '$FIDO_BIN' < /dev/null || exit 1
		code_ok '$FIDO_BIN' < /dev/null || exit 2
		code_ok '$FIDO_BIN' < /dev/null || exit 3
		'$FIDO_BIN' lock > /dev/null || exit 4
		code_ok '$FIDO_BIN' < /dev/null || exit 5
	" > "$T/out" 2>&1 || { cat "$T/out"; false; }
	# Enrolment 2, first unlock 1, after lock 1.
	[ "$(touches "$T/k1")" = 4 ]
}

@test "a key that is not touched: the passphrase then, or an error; the vault as it was" {
	f slot add --fido2 > /dev/null
	"$SOFTFIDO" set "$T/k1" touch no
	# The passphrase slot opens it after all.
	code_ok f
	[ "$("$SOFTFIDO" get "$T/k1" refused)" = 1 ]
	run nopass "$FIDO_BIN" code gh
	[ "$status" -eq 1 ]
	[[ "$output" == "mfa: no passphrase"* ]]
	# Without a passphrase slot, the key's failure is the error.
	"$SOFTFIDO" set "$T/k1" touch yes
	f slot rm 1 --yes > /dev/null 2>&1
	"$SOFTFIDO" set "$T/k1" touch no
	sha=$(sha "$MFA_VAULT")
	run f code gh
	[ "$status" -eq 1 ]
	[ "$output" = "mfa: security key $T/k1 was not touched in time" ]
	[ "$(sha "$MFA_VAULT")" = "$sha" ]
}

@test "slot add: usage and device errors name the cause, vault unchanged" {
	sha=$(sha "$MFA_VAULT")
	run f slot add
	[ "$status" -eq 2 ]
	[[ "${lines[0]}" == "mfa: slot add: which kind of slot? --fido2"* ]]
	run f slot add --fido2 --label "$(printf 'x%.0s' $(seq 65))"
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "mfa: --label: at most 64 bytes" ]
	MFA_TEST_FIDO2= run f slot add --fido2
	[ "$status" -eq 1 ]
	[ "$output" = "mfa: slot add --fido2: no security key found: plug one in (or name it with --device PATH)" ]
	run f slot add --fido2 --device "$T/nokey"
	[ "$status" -eq 1 ]
	[[ "$output" == "mfa: cannot open security key $T/nokey:"* ]]
	"$SOFTFIDO" init "$T/old" --no-hmac-secret
	MFA_TEST_FIDO2=$T/old run f slot add --fido2
	[ "$status" -eq 1 ]
	[ "$output" = "mfa: security key $T/old does not support the hmac-secret extension" ]
	# A wrong passphrase: nothing is asked of the key.
	echo wrong > "$T/wrong"
	MFA_PASSPHRASE_FILE=$T/wrong run f slot add --fido2
	[ "$status" -eq 1 ]
	[[ "$output" == *"wrong passphrase"* ]]
	[ "$(touches "$T/k1")" = 0 ]
	[ "$(sha "$MFA_VAULT")" = "$sha" ]
}

@test "without libfido2: every other command runs; slot add names the package" {
	f slot add --fido2 > /dev/null
	export MFA_TEST_FIDO2_LIB=libmfa-test-no-such-library.so.1
	# The passphrase opens the vault as usual.
	code_ok f
	echo "$S1" | f add other > /dev/null
	f list > /dev/null
	run f slot list
	[ "$status" -eq 0 ]
	run f slot add --fido2
	[ "$status" -eq 1 ]
	[[ "$output" == "mfa: slot add --fido2: cannot load libfido2.so.1 ("*"): install the Debian package libfido2-1" ]]
	# A key-only vault says why it cannot be opened.
	unset MFA_TEST_FIDO2_LIB
	f slot rm 1 --yes > /dev/null 2>&1
	export MFA_TEST_FIDO2_LIB=libmfa-test-no-such-library.so.1
	run f code gh
	[ "$status" -eq 1 ]
	[[ "$output" == "mfa: vault $MFA_VAULT opens only with one of its security keys: cannot load libfido2.so.1 ("*"): install the Debian package libfido2-1" ]]
}

@test "a release mfa ignores MFA_TEST_FIDO2: it has no code that reads it" {
	run grep -c MFA_TEST_FIDO2 "$MFA_BIN"
	[ "$output" = 0 ]
	grep -q MFA_TEST_FIDO2 "$FIDO_BIN"
	run "$MFA_BIN" slot add --fido2
	[ "$status" -eq 1 ]
	[ "$(touches "$T/k1")" = 0 ]
	[ "$(mfa slot list | tail -1)" = "Opens with: the passphrase." ]
}

@test "passwd with a key slot: the vault key stays (the key still opens it), and mfa says so" {
	f slot add --fido2 > /dev/null
	printf 'new passphrase\n' > "$T/new"
	run --separate-stderr env MFA_NEW_PASSPHRASE_FILE="$T/new" "$FIDO_BIN" passwd
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"the vault key stays"* ]]
	# The key opens the vault as before, without any passphrase.
	nopass bash -c "$(declare -f code_ok b32hex); S1=$S1; code_ok '$FIDO_BIN'"
	# The new passphrase opens it, the old one no more.
	MFA_TEST_FIDO2= MFA_PASSPHRASE_FILE="$T/new" code_ok f
	run env MFA_TEST_FIDO2= "$FIDO_BIN" code gh
	[ "$status" -eq 1 ]
	# A passphrase-only vault is re-keyed, with no such note.
	export MFA_VAULT=$T/v2/vault
	mfa_init
	run --separate-stderr env MFA_NEW_PASSPHRASE_FILE="$T/new" "$MFA_BIN" passwd
	[ "$status" -eq 0 ]
	[[ "$stderr" != *"the vault key stays"* ]]
}

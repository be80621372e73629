#!/usr/bin/env bats
# verify as a server must (RFC 6238, section 5.2): a TOTP code is accepted
# once; its step and every earlier one are refused afterwards. Codes come
# from oathtool, not from mfa.
load helpers
bats_require_minimum_version 1.5.0

RFC=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ
KEY=3132333435363738393031323334353637383930

setup() {
	mfa_setup
	mfa_init
	echo "$RFC" | mfa add rfc > /dev/null
}

teardown() {
	mfa_teardown
}

# The oathtool code of step $1 (30 s steps).
code_at_step() {
	oathtool --totp -N "@$(($1 * 30))" "$KEY"
}

@test "a TOTP code verifies once; the second time it is 'already used' (exit 3)" {
	c=$(code_at_step 37037036)
	run mfa verify rfc "$c" --at 1111111109
	[ "$status" -eq 0 ]
	[ "$output" = 0 ]
	run --separate-stderr mfa verify rfc "$c" --at 1111111109
	[ "$status" -eq 3 ]
	[[ "$stderr" == "mfa: code for rfc already used (step +0 was accepted before;"* ]]
	# A code that matches nothing still says so, not "already used".
	run --separate-stderr mfa verify rfc 00000000 --at 1111111109
	[ "$status" -eq 3 ]
	[ "$stderr" = "mfa: code for rfc did not verify" ]
}

@test "after a step is accepted, earlier steps in the window are refused; later ones are not" {
	now=1111111109
	run mfa verify rfc "$(code_at_step 37037037)" --at $now
	[ "$status" -eq 0 ]
	[ "$output" = +1 ]
	# The step before it, still inside the window: already used.
	run --separate-stderr mfa verify rfc "$(code_at_step 37037036)" --at $now
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"already used (step +1 was accepted before"* ]]
	# A later step is a new code.
	run mfa verify rfc "$(code_at_step 37037038)" --at $((now + 30))
	[ "$status" -eq 0 ]
	[ "$output" = +1 ]
}

@test "--allow-reuse: the old behaviour, nothing recorded" {
	c=$(code_at_step 37037036)
	for i in 1 2; do
		run mfa verify rfc "$c" --at 1111111109 --allow-reuse
		[ "$status" -eq 0 ]
	done
	# Nothing was recorded: the first verify without the flag passes.
	run mfa verify rfc "$c" --at 1111111109
	[ "$status" -eq 0 ]
}

@test "verify NAME - reads the code from stdin, not argv" {
	c=$(code_at_step 37037036)
	run mfa verify rfc - --at 1111111109 <<< "$c"
	[ "$status" -eq 0 ]
	[ "$output" = 0 ]
	run mfa verify rfc - --at 1111111109 <<< "$c"
	[ "$status" -eq 3 ]
	run mfa verify rfc - --at 1111111109 < /dev/null
	[ "$status" -eq 2 ]
}

@test "ten verifications of one code at once: exactly one succeeds" {
	c=$(code_at_step 37037036)
	for i in $(seq 10); do
		# errexit holds in the subshell: keep the status, do not die.
		(rc=0
		 "$MFA_BIN" verify rfc "$c" --at 1111111109 > /dev/null 2>&1 || rc=$?
		 echo $rc > "$T/rc.$i") &
	done
	wait
	[ "$(ls "$T"/rc.* | wc -l)" -eq 10 ]
	[ "$(cat "$T"/rc.* | grep -c '^0$')" -eq 1 ]
	[ "$(cat "$T"/rc.* | grep -c '^3$')" -eq 9 ]
}

@test "the accepted step is kept in the vault: another process refuses it too" {
	c=$(code_at_step 37037036)
	mfa verify rfc "$c" --at 1111111109 > /dev/null
	# A fresh process, the vault read anew.
	run env MFA_CACHE_TTL=0 "$MFA_BIN" verify rfc "$c" --at 1111111109
	[ "$status" -eq 3 ]
	# HOTP is unaffected: a match moves the counter as before.
	echo "$RFC" | mfa add h --hotp > /dev/null
	run mfa verify h "$(oathtool --hotp -c 0 "$KEY")"
	[ "$status" -eq 0 ]
	run mfa verify h "$(oathtool --hotp -c 0 "$KEY")"
	[ "$status" -eq 3 ]
}

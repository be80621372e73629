#!/usr/bin/env bats
# verify --window up to 10^7 steps either side, against oathtool's codes:
# the RFC 6238 key with 8 digits at 2005-03-18T01:58:29Z (step 37037036),
# where oathtool -d 8 gives 99530764 at step +123456.

load helpers

setup() {
	mfa_setup
	command -v oathtool > /dev/null || skip "oathtool not installed"
	mfa_init
	echo GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ | mfa add rfc -d 8
	key=3132333435363738393031323334353637383930
}

teardown() {
	mfa_teardown
}

@test "verify --window: a code 123456 steps away, found only when the window reaches it" {
	code=$(oathtool --totp -d 8 -N @$(((37037036 + 123456) * 30)) $key)
	[ "$code" = 99530764 ]
	run mfa verify rfc "$code" --at 1111111109 --window 123456 --allow-reuse
	[ "$status" -eq 0 ]
	[ "$output" = +123456 ]
	run mfa verify rfc "$code" --at 1111111109 --window 123455 --allow-reuse
	[ "$status" -eq 3 ]
	[ "$output" = "mfa: code for rfc did not verify" ]
	code=$(oathtool --totp -d 8 -N @$(((37037036 - 123456) * 30)) $key)
	run mfa verify rfc "$code" --at 1111111109 --window 250000 --allow-reuse
	[ "$status" -eq 0 ]
	[ "$output" = -123456 ]
}

@test "verify --window: 10^7 is the widest, one more is a usage error" {
	# An HOTP counter near the top: the lookahead is clipped, so cheap.
	echo GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ | mfa add h --hotp -c 9223372036854775802
	run mfa verify h 123456 --window 10000000
	[ "$status" -eq 3 ]
	run mfa verify h 123456 --window 10000001
	[ "$status" -eq 2 ]
	[[ "$output" == *window* ]]
}

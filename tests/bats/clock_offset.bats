#!/usr/bin/env bats
# --offset SECONDS and $MFA_TIME_OFFSET: codes made with a clock
# known to be off by that much, checked against oathtool asked for the
# moved time (-N @T), for code, list --codes, verify, watch and the codes
# mfa sends to AWS.
bats_require_minimum_version 1.5.0
load ../tools/mfa-tty

setup() {
	mfa_env
	mk_vault > /dev/null
}

teardown() {
	tty_stop
	fake_cleanup
}

# Wait, if needed, until at least 5 s are left in the current 30 s step,
# so that mfa and oathtool see the same step.
steady() {
	while [ $(($(date +%s) % 30)) -gt 24 ]; do
		sleep 1
	done
}

# oathtool's code for SECRET at now + OFFSET seconds.
oath_at() {
	oathtool --totp -b -N "@$(($(date +%s) + $2))" "$1"
}

@test "code --offset and MFA_TIME_OFFSET give the code of the moved clock" {
	for off in 3600 -3600 +90 -45 0; do
		steady
		[ "$("$MFA_BIN" code github --offset "$off")" = "$(oath_at $SECRET_GITHUB "$off")" ]
		[ "$(MFA_TIME_OFFSET=$off "$MFA_BIN" code github)" = "$(oath_at $SECRET_GITHUB "$off")" ]
	done
	# --offset wins over the variable.
	steady
	[ "$(MFA_TIME_OFFSET=-3600 "$MFA_BIN" code github --offset=600)" = "$(oath_at $SECRET_GITHUB 600)" ]
	# --at is a time of its own: no offset applies to it.
	[ "$("$MFA_BIN" code github --at 1111111109 --offset 3600)" = \
		"$(oathtool --totp -b -N @1111111109 $SECRET_GITHUB)" ]
	# An hour off is really another code (the test can fail).
	steady
	[ "$("$MFA_BIN" code github --offset 3600)" != "$(oath_at $SECRET_GITHUB 0)" ]
}

@test "list --codes --offset, as a table and as JSON" {
	steady
	run "$MFA_BIN" list --codes --offset -600
	[ "$status" -eq 0 ]
	grep -qE "^GitHub +github +totp +$(oath_at $SECRET_GITHUB -600) " <<< "$output"
	steady
	run "$MFA_BIN" list --codes --json --offset 600
	[ "$status" -eq 0 ]
	code=$(/usr/bin/python3 -c 'import json,sys; print([e for e in json.loads(sys.argv[1]) if e["name"] == "gitlab"][0]["code"])' "$output")
	[ "$code" = "$(oath_at $SECRET_GITLAB 600)" ]
}

@test "verify: the step offset of one code tells the skew; --offset makes up for it" {
	steady
	code=$(oath_at $SECRET_GITHUB 300)
	# A device 300 s ahead: not within the default window...
	run "$MFA_BIN" verify github "$code"
	[ "$status" -eq 3 ]
	# ...found 10 steps ahead in a wide one (--allow-reuse: the same
	# code is checked three times here)...
	run "$MFA_BIN" verify github "$code" -w 12 --allow-reuse
	[ "$status" -eq 0 ]
	[ "$output" = "+10" ]
	# ...and right on time once the offset is given.
	run "$MFA_BIN" verify github "$code" --offset 300 --allow-reuse
	[ "$status" -eq 0 ]
	[ "$output" = "0" ]
	MFA_TIME_OFFSET=300 run "$MFA_BIN" verify github "$code"
	[ "$status" -eq 0 ]
	[ "$output" = "0" ]
}

@test "a bad --offset is a usage error" {
	run --separate-stderr "$MFA_BIN" code github --offset soon
	[ "$status" -eq 2 ]
	[[ "$stderr" == "mfa: --offset wants a whole number of seconds such as -90 or +30, not 'soon'"* ]]
	run --separate-stderr "$MFA_BIN" code github --offset 99999999999
	[ "$status" -eq 2 ]
	run --separate-stderr "$MFA_BIN" verify github 123456 --offset 1.5
	[ "$status" -eq 2 ]
}

@test "watch --offset shows the codes of the moved clock" {
	steady
	tty_start
	tty_run "'$MFA_BIN' watch github --offset 3600"
	wait_until 100 tty_has 'q quit'
	row=$(tty_row ' github ')
	echo "$row"
	got=$(sed -E 's/^ *[0-9]+ +[^ ]+ +github +//' <<< "$row" | grep -oE '^[0-9]{3} [0-9]{3}' | tr -d ' ')
	t=$(($(date +%s) + 3600))
	one_of "$got" $(for s in $((t - 30)) $t $((t + 30)); do
		oathtool --totp -b -N "@$s" $SECRET_GITHUB
	done)
	tty_send q
}

@test "the codes mfa sends to AWS follow MFA_TIME_OFFSET" {
	echo "$SECRET_AWS" | "$MFA_BIN" add bob --issuer "Amazon Web Services" \
		--serial arn:aws:iam::123456789012:mfa/bob > /dev/null
	run --separate-stderr env MFA_TIME_OFFSET=-3600 "$MFA_BIN" aws codes bob
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	s1=$(sed -nE 's/^code 1 \(step ([0-9]+)\): .*/\1/p' <<< "$output")
	c1=$(sed -nE 's/^code 1 \(step [0-9]+\): (.*)/\1/p' <<< "$output")
	c2=$(sed -nE 's/^code 2 \(step [0-9]+\): (.*)/\1/p' <<< "$output")
	# The step of an hour ago (the later code is the current step's).
	now_step=$((($(date +%s) - 3600) / 30))
	[ $((s1 + 1)) -ge $((now_step - 1)) ] && [ $((s1 + 1)) -le "$now_step" ]
	[ "$c1" = "$(oathtool --totp -b -N "@$((s1 * 30))" "$SECRET_AWS")" ]
	[ "$c2" = "$(oathtool --totp -b -N "@$(((s1 + 1) * 30))" "$SECRET_AWS")" ]
}

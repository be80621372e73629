#!/usr/bin/env bats
# mfa watch, driven in a real terminal: a private tmux server per test,
# keys sent with send-keys, the screen read back with capture-pane. Codes
# are checked against oathtool for the same secret and time window (the
# current step or a neighbour, as a step may end between the two).

bats_require_minimum_version 1.5.0

load ../tools/mfa-tty

setup() {
	mfa_env
	mk_vault > /dev/null
	BIN=$(fake_bin xclip)
}

teardown() {
	tty_stop
	fake_cleanup
}

# Run a shell line in the terminal from a script, so that the markers it
# prints never appear on the screen as typed text.
tty_script() {
	local f
	f=$(mktemp "$BATS_TEST_TMPDIR/run.XXXXXX")
	printf '%s\n' "$@" > "$f"
	tty_run "bash $f"
}

# Start watch (extra words are passed on) with the stand-in xclip; the
# script reports the exit status and whether stty settings came back.
start_watch() {
	tty_start
	tty_script 'echo BEFORE-WATCH' 's1=$(stty -g)' \
		"PATH='$BIN':\$PATH DISPLAY=:77 '$MFA_BIN' watch $*" \
		'echo EXIT=$?' '[ "$s1" = "$(stty -g)" ] && echo TTY-SAME'
	wait_until 100 tty_has 'q quit'
}

# The seconds-left column of the row of $1.
seconds_of() {
	tty_row " $1 " | grep -oE '[0-9]+s$'
}

# The code shown on the row of $1 (after number, issuer and name), spaces
# removed.
code_of() {
	tty_row " $1 " | sed -E "s/^ *[0-9]+ +[^ ]+ +$1 +//" |
		grep -oE '^([0-9]+ [0-9]+|[2-9A-Z]{5}|[0-9]+)' | tr -d ' '
}

@test "watch without a terminal fails with a clear message" {
	run "$MFA_BIN" watch < /dev/null
	[ "$status" -eq 1 ]
	[[ "$output" == *"mfa: watch needs a terminal"* ]]
}

@test "watch shows every account with its code grouped, HOTP without one" {
	start_watch
	wait_until 50 tty_has ' steamy '
	run tty_cap
	echo "$output"
	[[ "$output" == *"5 of 5 accounts"* ]]
	# 6 digits as 123 456, 8 as 1234 5678, Steam as it is.
	tty_row ' github ' | grep -qE ' [0-9]{3} [0-9]{3} '
	tty_row ' alice ' | grep -qE ' [0-9]{4} [0-9]{4} '
	tty_row ' steamy ' | grep -qE ' [2-9BCDFGHJKMNPQRTVWXY]{5} '
	tty_row ' counter ' | grep -q '\[Enter\]'
	run ! grep -qE '[0-9]{3} [0-9]{3}' <<< "$(tty_row ' counter ')"
	one_of "$(code_of github)" $(totp_window $SECRET_GITHUB)
	one_of "$(code_of alice)" $(totp_window $SECRET_AWS -d8 -s60)
	# Each row counts down its own period.
	[ "$(seconds_of alice | tr -d s)" -le 60 ]
	[ "$(seconds_of github | tr -d s)" -le 30 ]
}

@test "the seconds left tick" {
	start_watch
	first=$(seconds_of github)
	[ -n "$first" ]
	changed() { [ "$(seconds_of github)" != "$first" ]; }
	wait_until 100 changed
}

@test "QUERY keeps only the matching rows" {
	start_watch lab
	wait_until 50 tty_has ' gitlab '
	tty_has '1 of 5 accounts matching lab'
	tty_lacks ' github '
}

@test "a QUERY that matches nothing is an error, with the terminal left alone" {
	tty_start
	tty_script "'$MFA_BIN' watch nosuchthing" 'echo EXIT=$?'
	wait_until 100 tty_has '^EXIT='
	tty_has "^mfa: account 'nosuchthing': no such account"
	tty_has '^EXIT=1'
}

@test "/ filters as you type, Esc clears" {
	start_watch
	wait_until 50 tty_has ' github '
	tty_send /
	tty_send -l lab
	wait_until 50 tty_lacks ' github '
	tty_has ' gitlab '
	tty_has '^/lab'
	tty_has '1 of 5 accounts'
	tty_send Escape
	wait_until 50 tty_has ' github '
	tty_has ' gitlab '
	tty_has '5 of 5 accounts'
}

@test "Enter copies the selected code through the clipboard program" {
	start_watch
	wait_until 50 tty_has ' gitlab '
	tty_send j
	tty_send Enter
	wait_until 100 tty_has 'copied'
	tty_has 'GitLab:gitlab: copied to the clipboard; clears in 45 s'
	one_of "$(clipboard)" $(totp_window $SECRET_GITLAB)
	grep -qx 'xclip -selection clipboard' "$FAKECLIP_DIR/log"
}

@test "a row number selects the row, Enter copies it" {
	start_watch
	wait_until 50 tty_has ' alice '
	tty_send 3
	tty_send Enter
	wait_until 100 tty_has 'AWS:alice: copied'
	one_of "$(clipboard)" $(totp_window $SECRET_AWS -d8 -s60)
}

@test "Enter on an HOTP row saves the next counter, then shows and copies" {
	start_watch
	wait_until 50 tty_has ' counter '
	tty_send 4
	tty_send Enter
	wait_until 100 tty_has 'counter: copied'
	want=$(oathtool -c 5 -b $SECRET_GITHUB)
	[ "$(clipboard)" = "$want" ]
	[ "$(code_of counter)" = "$want" ]
	tty_row ' counter ' | grep -q 'counter 6'
	run "$MFA_BIN" list --json
	[ "$(echo "$output" | grep -c '"counter": 6')" -eq 1 ]
	# The next one is the next counter's code.
	tty_send Enter
	want=$(oathtool -c 6 -b $SECRET_GITHUB)
	has_next() { [ "$(clipboard)" = "$want" ]; }
	wait_until 100 has_next
}

@test "q leaves and restores the screen and the terminal settings" {
	start_watch
	wait_until 50 tty_has ' github '
	[ "$("${TT[@]}" display -p -t t '#{alternate_on}')" = 1 ]
	tty_lacks BEFORE-WATCH
	tty_send q
	wait_until 100 tty_has '^EXIT=0'
	tty_has '^BEFORE-WATCH$'
	tty_has '^TTY-SAME$'
	tty_lacks ISSUER
	[ "$("${TT[@]}" display -p -t t '#{alternate_on}')" = 0 ]
}

@test "Ctrl-C leaves with the terminal restored" {
	start_watch
	wait_until 50 tty_has ' github '
	tty_send C-c
	wait_until 100 tty_has '^EXIT=0'
	tty_has '^TTY-SAME$'
	tty_lacks ISSUER
	[ "$("${TT[@]}" display -p -t t '#{alternate_on}')" = 0 ]
}

@test "SIGTERM leaves with the terminal restored" {
	start_watch
	wait_until 50 tty_has ' github '
	# The pane's shell runs the script, which runs watch.
	shell=$("${TT[@]}" display -p -t t '#{pane_pid}')
	script=$(ps -o pid= --ppid "$shell" | tr -d ' ' | head -1)
	watch_pid=$(ps -o pid= --ppid "$script" | tr -d ' ' | head -1)
	[ "$(ps -o comm= -p "$watch_pid")" = mfa ]
	kill -TERM "$watch_pid"
	wait_until 100 tty_has '^EXIT=1'
	tty_has '^mfa: watch: Terminated'
	tty_has '^TTY-SAME$'
	[ "$("${TT[@]}" display -p -t t '#{alternate_on}')" = 0 ]
}

# SGR colour parameters: 30-37, 40-47, 90-97, 100-107, 38/48 (256/RGB).
has_colour_sgr() {
	tty_cap -e | grep -qE $'\e\\[([0-9]*;)*(3[0-8]|4[0-8]|9[0-7]|10[0-7])(;[0-9]*)*m'
}

@test "codes are coloured, and not at all under NO_COLOR" {
	start_watch
	wait_until 50 tty_has ' github '
	has_colour_sgr
	tty_send q
	wait_until 100 tty_has '^EXIT=0'
	tty_script clear "NO_COLOR=1 '$MFA_BIN' watch" 'echo EXIT2=$?'
	wait_until 100 tty_has 'q quit'
	wait_until 50 tty_has ' github '
	run ! has_colour_sgr
	# Still readable: the selected row in reverse video.
	tty_cap -e | grep -qE $'\e\\[([0-9]*;)*7(;[0-9]*)*m'
	tty_send q
	wait_until 100 tty_has '^EXIT2=0'
}

@test "a dumb terminal gets a clear error, not a garbled screen" {
	tty_start
	tty_script "TERM=dumb '$MFA_BIN' watch" 'echo EXIT=$?'
	wait_until 100 tty_has '^EXIT='
	tty_has "^mfa: watch: terminal type 'dumb' cannot move the cursor"
	tty_has '^EXIT=1'
}

@test "a resize redraws for the new size" {
	start_watch
	wait_until 50 tty_has ' github '
	"${TT[@]}" resize-window -t t -x 60 -y 12
	# The help line follows the bottom edge; the rows still fit.
	at_bottom() { tty_cap | sed -n 12p | grep -q 'q quit'; }
	wait_until 100 at_bottom
	# Laid out again: the seconds still end each row (not cut off).
	[ -n "$(seconds_of github)" ]
	"${TT[@]}" resize-window -t t -x 100 -y 30
	at_bottom30() { tty_cap | sed -n 30p | grep -q 'q quit'; }
	wait_until 100 at_bottom30
}

@test "without X or Wayland, Enter copies by OSC 52 (into tmux's buffer)" {
	tty_start
	"${TT[@]}" set -g set-clipboard on
	tty_script "'$MFA_BIN' watch github" 'echo EXIT=$?'
	wait_until 100 tty_has ' github '
	tty_send Enter
	wait_until 100 tty_has 'copied'
	buffer() { "${TT[@]}" show-buffer 2> /dev/null; }
	wait_until 50 buffer
	one_of "$(buffer)" $(totp_window $SECRET_GITHUB)
	tty_send q
	wait_until 100 tty_has '^EXIT=0'
}

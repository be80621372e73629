#!/usr/bin/env bats
# Codes in everyday use: `mfa code` on a terminal and in pipes, and --copy
# through stand-in clipboard programs (tests/tools/fakeclip: they record
# their stdin, arguments and environment), through OSC 52 on a pty (script)
# and into tmux's buffer. Codes are checked against oathtool.

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

# The log lines of the stand-ins, one call each.
calls() {
	cat "$FAKECLIP_DIR/log"
}

clipboard_is_empty() {
	[ ! -s "$FAKECLIP_DIR/clipboard" ]
}

@test "code piped: stdout is the code and a newline, nothing else" {
	# Every byte, stderr included (not a terminal: no seconds left).
	out=$("$MFA_BIN" code github 2>&1 | od -An -c | tr -d ' \n')
	[[ "$out" =~ ^([0-9]{6})\\n$ ]]
	one_of "${BASH_REMATCH[1]}" $(totp_window $SECRET_GITHUB)
}

@test "code on a terminal also says the seconds left, on stderr" {
	command -v script > /dev/null || skip "script (util-linux) is not installed"
	run script -q -e -c "'$MFA_BIN' code github 2>&1 > '$BATS_TEST_TMPDIR/out'" /dev/null
	[ "$status" -eq 0 ]
	[[ "$output" =~ \(([0-9]+)s\ left\) ]]
	[ "${BASH_REMATCH[1]}" -ge 1 ]
	[ "${BASH_REMATCH[1]}" -le 30 ]
	one_of "$(cat "$BATS_TEST_TMPDIR/out")" $(totp_window $SECRET_GITHUB)
}

@test "--copy with xclip: the code on its stdin, not in argv or environment" {
	bin=$(fake_bin xclip)
	run env PATH="$bin:$PATH" DISPLAY=:77 "$MFA_BIN" code github --copy
	[ "$status" -eq 0 ]
	code=$output
	one_of "$code" $(totp_window $SECRET_GITHUB)
	[ "$(clipboard)" = "$code" ]
	[ "$(calls)" = "xclip -selection clipboard" ]
	run ! grep -q "$code" "$FAKECLIP_DIR/log"
	run ! grep -q "$code" "$FAKECLIP_DIR/env"
	# Nor the passphrase: children get a clean environment.
	run ! grep -q MFA_PASSPHRASE "$FAKECLIP_DIR/env"
	grep -q '^DISPLAY=:77$' "$FAKECLIP_DIR/env"
}

@test "--copy uses xsel when xclip is missing" {
	bin=$(fake_bin xsel)
	# A PATH without xclip, whatever is installed: the stand-in and the
	# few tools it runs.
	mkdir "$BATS_TEST_TMPDIR/tools"
	for t in sh dirname env cat mv; do
		ln -s "$(command -v $t)" "$BATS_TEST_TMPDIR/tools/$t"
	done
	run env PATH="$bin:$BATS_TEST_TMPDIR/tools" DISPLAY=:77 "$MFA_BIN" code gitlab --copy
	[ "$status" -eq 0 ]
	one_of "$output" $(totp_window $SECRET_GITLAB)
	[ "$(clipboard)" = "$output" ]
	[ "$(calls)" = "xsel --clipboard --input" ]
}

@test "--copy prefers wl-copy under Wayland" {
	bin=$(fake_bin wl-copy wl-paste xclip)
	run env PATH="$bin:$PATH" DISPLAY=:77 WAYLAND_DISPLAY=wayland-9 \
		"$MFA_BIN" code alice --copy
	[ "$status" -eq 0 ]
	one_of "$output" $(totp_window $SECRET_AWS -d8 -s60)
	[ "$(clipboard)" = "$output" ]
	[ "$(calls)" = "wl-copy " ]
}

@test "--copy with HOTP copies the code of the counter it saved" {
	bin=$(fake_bin xclip)
	run env PATH="$bin:$PATH" DISPLAY=:77 "$MFA_BIN" code counter --copy
	[ "$status" -eq 0 ]
	[ "$output" = "$(oathtool -c 5 -b $SECRET_GITHUB)" ]
	[ "$(clipboard)" = "$output" ]
	run "$MFA_BIN" list --json
	[ "$(echo "$output" | grep -c '"counter": 6')" -eq 1 ]
}

@test "--copy with --secret-stdin, no vault" {
	bin=$(fake_bin xclip)
	run env PATH="$bin:$PATH" DISPLAY=:77 MFA_VAULT=/nonexistent/vault \
		"$MFA_BIN" code --secret-stdin --copy <<< "$SECRET_GITLAB"
	[ "$status" -eq 0 ]
	one_of "$output" $(totp_window $SECRET_GITLAB)
	[ "$(clipboard)" = "$output" ]
}

@test "xclip: the clipboard is cleared after MFA_CLIP_TIME" {
	bin=$(fake_bin xclip)
	PATH="$bin:$PATH" DISPLAY=:77 MFA_CLIP_TIME=1 "$MFA_BIN" code github --copy
	[ -s "$FAKECLIP_DIR/clipboard" ]
	wait_until 150 clipboard_is_empty
	# Read back first, then cleared through xclip's stdin.
	calls | grep -qx 'xclip -selection clipboard -o'
	[ "$(calls | tail -1)" = "xclip -selection clipboard" ]
}

@test "xsel: the clipboard is cleared after MFA_CLIP_TIME" {
	bin=$(fake_bin xsel)
	PATH="$bin:/usr/bin:/bin" DISPLAY=:77 MFA_CLIP_TIME=1 "$MFA_BIN" code github --copy
	[ "$(calls | head -1)" = "xsel --clipboard --input" ]
	wait_until 150 clipboard_is_empty
	calls | grep -qx 'xsel --clipboard --output'
	calls | grep -qx 'xsel --clipboard --clear'
}

@test "wl-copy: the clipboard is cleared after MFA_CLIP_TIME" {
	bin=$(fake_bin wl-copy wl-paste)
	PATH="$bin:$PATH" WAYLAND_DISPLAY=wayland-9 MFA_CLIP_TIME=1 "$MFA_BIN" code github --copy
	wait_until 150 clipboard_is_empty
	calls | grep -qx 'wl-paste --no-newline'
	calls | grep -qx 'wl-copy --clear'
}

@test "a clipboard that changed meanwhile is left alone" {
	bin=$(fake_bin xclip)
	PATH="$bin:$PATH" DISPLAY=:77 MFA_CLIP_TIME=3 "$MFA_BIN" code github --copy
	# The user copies something else before the time is up.
	printf 'something else' > "$FAKECLIP_DIR/clipboard"
	read_back() { calls | grep -qx 'xclip -selection clipboard -o'; }
	wait_until 150 read_back
	# Had it been cleared, the clear would follow the read-back at once;
	# give it ample time to (wrongly) happen.
	cleared() { [ "$(calls | wc -l)" -gt 2 ]; }
	run ! wait_until 20 cleared
	[ "$(clipboard)" = "something else" ]
}

@test "\$(mfa code --copy) returns at once: nothing holds its stdout" {
	bin=$(fake_bin xclip)
	# Like the real xclip, the stand-in leaves a process behind holding
	# whatever stdout and stderr it was given; MFA_CLIP_TIME stays 45 s.
	run timeout 10 env PATH="$bin:$PATH" DISPLAY=:77 FAKECLIP_LINGER=1 \
		bash -c 'c=$("$MFA_BIN" code github --copy 2>&1); echo "got:$c"'
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^got:[0-9]{6}$ ]]
	[ -s "$FAKECLIP_DIR/pids" ]
}

@test "the clearing helper holds no passphrase and no descriptor of ours" {
	[ "$(id -u)" -eq 0 ] || skip "reading a non-dumpable process needs root"
	bin=$(fake_bin xclip)
	PATH="$bin:$PATH" DISPLAY=:77 MFA_CLIP_TIME=30 "$MFA_BIN" code github --copy \
		> "$BATS_TEST_TMPDIR/out" 7> "$BATS_TEST_TMPDIR/fd7"
	helper=
	for p in /proc/[0-9]*; do
		[ "$(cat "$p/comm" 2> /dev/null)" = mfa-clip ] || continue
		tr '\0' '\n' < "$p/environ" 2> /dev/null |
			grep -qx "FAKECLIP_DIR=$FAKECLIP_DIR" || continue
		helper=${p#/proc/}
	done
	[ -n "$helper" ]
	env_of_helper=$(tr '\0' '\n' < "/proc/$helper/environ")
	fds_of_helper=$(ls -l "/proc/$helper/fd/")
	sid_of_helper=$(ps -o sid= -p "$helper" | tr -d ' ')
	kill "$helper"
	# The variable is there (the kernel's copy), its value blanked.
	echo "$env_of_helper" | grep -q '^MFA_PASSPHRASE='
	run ! grep -q 'test-passphrase' <<< "$env_of_helper"
	# A session of its own (led by the first child, which is gone, so it
	# can never gain a controlling terminal), and none of our files.
	[ "$sid_of_helper" != "$(ps -o sid= -p $$ | tr -d ' ')" ]
	[ "$sid_of_helper" != "$helper" ]
	run ! grep -q "$BATS_TEST_TMPDIR" <<< "$fds_of_helper"
}

@test "no X, no Wayland: OSC 52 on the terminal, then an empty one to clear" {
	command -v script > /dev/null || skip "script (util-linux) is not installed"
	code_b64() { printf '%s' "$1" | base64; }
	ts=$BATS_TEST_TMPDIR/typescript
	clear_seq=$(printf '\033]52;c;\a')
	# Inside the pty, wait (bounded) for the clearing sequence to arrive.
	run timeout 30 script -q -f -e -c "
		MFA_CLIP_TIME=1 '$MFA_BIN' code github --copy > '$BATS_TEST_TMPDIR/out'
		i=0; while [ \$i -lt 150 ] && ! grep -qF '$clear_seq' '$ts'; do sleep 0.1; i=\$((i+1)); done" "$ts"
	[ "$status" -eq 0 ]
	code=$(cat "$BATS_TEST_TMPDIR/out")
	one_of "$code" $(totp_window $SECRET_GITHUB)
	grep -qF "$(printf '\033]52;c;%s\a' "$(code_b64 "$code")")" "$ts"
	grep -qF "$clear_seq" "$ts"
	grep -q 'copied to the clipboard; clears in 1 s' "$ts"
}

@test "OSC 52 inside \$(...) on a terminal returns at once too" {
	command -v script > /dev/null || skip "script (util-linux) is not installed"
	ts=$BATS_TEST_TMPDIR/typescript
	run timeout 10 script -q -e -c "c=\$('$MFA_BIN' code github --copy); echo got:\$c" "$ts"
	[ "$status" -eq 0 ]
	[[ "$output" =~ got:[0-9]{6} ]]
	grep -qF "$(printf '\033]52;c;')" "$ts"
}

@test "--copy without any clipboard fails clearly" {
	command -v setsid > /dev/null || skip "setsid (util-linux) is not installed"
	# A new session has no controlling terminal: no /dev/tty for OSC 52.
	run setsid -w "$MFA_BIN" code github --copy
	[ "$status" -eq 1 ]
	[[ "$output" == *"mfa: --copy: no clipboard"* ]]
}

@test "tmux: OSC 52 lands in tmux's buffer, which is deleted after MFA_CLIP_TIME" {
	tty_start
	"${TT[@]}" set -g set-clipboard on
	tty_run "MFA_CLIP_TIME=2 '$MFA_BIN' code github --copy > '$BATS_TEST_TMPDIR/out'"
	buffer() { "${TT[@]}" show-buffer 2> /dev/null; }
	no_buffer() { ! buffer > /dev/null; }
	wait_until 100 buffer
	wait_until 50 test -s "$BATS_TEST_TMPDIR/out"
	code=$(cat "$BATS_TEST_TMPDIR/out")
	[ "$(buffer)" = "$code" ]
	one_of "$code" $(totp_window $SECRET_GITHUB)
	wait_until 150 no_buffer
}

@test "tmux: a buffer that changed meanwhile is left alone" {
	tty_start
	"${TT[@]}" set -g set-clipboard on
	tty_run "MFA_CLIP_TIME=3 '$MFA_BIN' code github --copy > '$BATS_TEST_TMPDIR/out'; echo DONE"
	wait_until 100 tty_has '^DONE'
	"${TT[@]}" set-buffer "something else"
	n_before=$("${TT[@]}" list-buffers | wc -l)
	# Nothing to wait for when nothing happens: give the helper, due in
	# 3 s, ample time to (wrongly) delete the buffer.
	sleep 6
	[ "$("${TT[@]}" show-buffer)" = "something else" ]
	[ "$("${TT[@]}" list-buffers | wc -l)" -eq "$n_before" ]
}

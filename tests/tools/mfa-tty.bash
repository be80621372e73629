# Helpers for the bats tests of watch and --copy (load with
# `load ../tools/mfa-tty`): a vault with known accounts, stand-in clipboard
# programs, a private tmux server to drive full-screen programs, and the
# codes oathtool gives for the current time window.

# Secrets of the accounts mk_vault creates.
SECRET_GITHUB=JBSWY3DPEHPK3PXP
SECRET_GITLAB=GEZDGNBVGY3TQOJQ
SECRET_AWS=MFRGGZDFMZTWQ2LK
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
FAKECLIP_SRC=$REPO_ROOT/tests/tools/fakeclip

# An absolute MFA_BIN (tmux panes do not start in our folder) and an
# environment with tiny KDF costs, no unlock cache and no clipboard.
mfa_env() {
	: "${MFA_BIN:=./mfa}"
	case $MFA_BIN in /*) ;; *) MFA_BIN=$(pwd)/$MFA_BIN ;; esac
	export MFA_BIN
	[ -x "$MFA_BIN" ] || { echo "no mfa binary at $MFA_BIN (make all)" >&2; return 1; }
	export MFA_VAULT=$BATS_TEST_TMPDIR/vault
	export MFA_PASSPHRASE=test-passphrase MFA_CACHE_TTL=0
	unset MFA_PASSPHRASE_FILE MFA_PASSPHRASE_COMMAND MFA_CLIP_TIME
	unset DISPLAY WAYLAND_DISPLAY TMUX STY NO_COLOR
	export FAKECLIP_DIR=$BATS_TEST_TMPDIR/clip
	mkdir -p "$FAKECLIP_DIR"
	: > "$FAKECLIP_DIR/log"
}

# GitHub:github (6 digits), GitLab:gitlab, AWS:alice (8 digits, 60 s),
# counter (HOTP at counter 5), steamy (Steam).
mk_vault() {
	"$MFA_BIN" init --kdf-ops 1 --kdf-mem 1 2> /dev/null
	echo "$SECRET_GITHUB" | "$MFA_BIN" add github --issuer GitHub
	echo "$SECRET_GITLAB" | "$MFA_BIN" add gitlab --issuer GitLab
	echo "$SECRET_AWS" | "$MFA_BIN" add alice --issuer AWS -d 8 -p 60
	echo "$SECRET_GITHUB" | "$MFA_BIN" add counter --hotp -c 5
	echo "$SECRET_GITLAB" | "$MFA_BIN" add steamy --steam
}

# A folder holding only the named stand-ins, to put first on PATH.
fake_bin() {
	local d=$BATS_TEST_TMPDIR/bin p
	mkdir -p "$d"
	cp "$FAKECLIP_SRC/fakeclip.sh" "$d/"
	for p in "$@"; do
		cp "$FAKECLIP_SRC/$p" "$d/$p"
	done
	echo "$d"
}

clipboard() {
	cat "$FAKECLIP_DIR/clipboard" 2> /dev/null
}

# End the lingering processes the stand-ins left (by their ids).
fake_cleanup() {
	local p
	[ -f "$FAKECLIP_DIR/pids" ] || return 0
	while read -r p; do
		kill "$p" 2> /dev/null || true
	done < "$FAKECLIP_DIR/pids"
}

# Codes oathtool accepts as "now": the current step and its neighbours,
# since a step may end between our reading and oathtool's.
# Usage: totp_window SECRET [oathtool options...]
totp_window() {
	local secret=$1 period=30 now t a
	shift
	for a in "$@"; do
		case $a in -s*) period=${a#-s} ;; esac
	done
	now=$(date +%s)
	for t in $((now - period)) $now $((now + period)); do
		oathtool --totp "$@" -N "@$t" -b "$secret"
	done
}

# Is $1 one of the remaining words?
one_of() {
	local x=$1 w
	shift
	for w in "$@"; do
		[ "$x" = "$w" ] && return 0
	done
	return 1
}

# Poll until cmd succeeds; at most $1 tenths of a second. Never asserts
# how long it took, only that it happened.
wait_until() {
	local n=$1 i=0
	shift
	while ! "$@"; do
		i=$((i + 1))
		[ "$i" -ge "$n" ] && return 1
		sleep 0.1
	done
}

# --- tmux: a private server per test -----------------------------------

need_tmux() {
	command -v tmux > /dev/null || skip "tmux is not installed"
}

tty_start() {
	need_tmux
	TTY_DIR=$(mktemp -d /tmp/mfa-tmux.XXXXXX)
	TT=(tmux -S "$TTY_DIR/sock" -f /dev/null)
	"${TT[@]}" new-session -d -x 100 -y 30 -s t \
		"env PS1='$ ' bash --norc --noprofile"
	"${TT[@]}" set -g history-limit 0 > /dev/null
	wait_until 50 tty_has '^\$'
}

tty_stop() {
	[ -n "${TTY_DIR:-}" ] || return 0
	"${TT[@]}" kill-server 2> /dev/null || true
	rm -rf "$TTY_DIR"
	TTY_DIR=
}

tty_send() {
	"${TT[@]}" send-keys -t t "$@"
}

# Type a command line and run it.
tty_run() {
	"${TT[@]}" send-keys -t t -l "$1"
	"${TT[@]}" send-keys -t t Enter
}

tty_cap() {
	"${TT[@]}" capture-pane -p -t t "$@"
}

tty_has() {
	tty_cap | grep -qE "$1"
}

tty_lacks() {
	! tty_cap | grep -qE "$1"
}

# The row of the screen (1-based) that matches $1, fields split on spaces.
tty_row() {
	tty_cap | grep -E "$1" | head -1
}

#!/usr/bin/env bats
# The EXAMPLES of mfa(1) as a user pastes them: every "$ " line outside the
# AWS and Security keys parts runs as written, in order, each in a fresh
# bash (a line without a check here fails, so the page cannot drift). Those
# two parts need AWS and a security key; their lines are parsed by
# man.bats, and the same commands run in aws*.bats (against moto and the
# strict stand-in) and slot.bats (the software security key). The user has
# no MFA_VAULT; programs mfa's examples call that this machine lacks or
# that need a desktop (pass, xdotool, the clipboard) are stand-ins in PATH
# that record what they were given. Codes are checked against oathtool.
bats_require_minimum_version 1.5.0

load helpers
load ../tools/mfa-tty

GH=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXQ
GL=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ
PIC=MFRGGZDFMZTWQ2LKMFRGGZDFMZTWQ2LKMFRGGZDFMZTWQ2LK
RFC256=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA

setup() {
	mfa_setup
	command -v oathtool > /dev/null || skip "oathtool not installed"
	command -v mandoc > /dev/null || skip "mandoc not installed (Debian package mandoc)"
	unset MFA_VAULT MFA_SYNC_AUTOPUSH DISPLAY WAYLAND_DISPLAY TMUX
	export HOME="$T/home" GIT_CONFIG_NOSYSTEM=1 MFA_CLIP_TIME=1
	mkdir -p "$HOME" "$T/bin" "$T/work"
	ln -s "$MFA_BIN" "$T/bin/mfa"
	# pass(1) holding the vault's passphrase; xdotool typing into a log.
	printf '#!/bin/sh\n[ "$*" = "show mfa" ] && cat "%s"\n' "$T/pass" > "$T/bin/pass"
	printf '#!/bin/sh\nprintf "%%s\\n" "$*" >> "%s/typed"\n' "$T" > "$T/bin/xdotool"
	chmod +x "$T/bin/pass" "$T/bin/xdotool"
	export PATH="$T/bin:$BATS_TEST_DIRNAME/../tools/fakeclip:$PATH"
	export FAKECLIP_DIR="$T/clip"
	mkdir -p "$FAKECLIP_DIR"
	cd "$T/work"
}

teardown() {
	tty_stop
	mfa_teardown
}

# "PART<US>LINE" (US: the unit separator) for every "$ " line of EXAMPLES (continuations joined);
# PART is the subsection, "" before the first.
man_lines() {
	mandoc -T ascii "$BATS_TEST_DIRNAME/../../man/mfa.1" | col -bx |
		/usr/bin/python3 -c 'import re, sys
part, on, cur = "", False, None
for line in sys.stdin.read().split("\n"):
    if re.match(r"^[A-Z]", line):
        on = line.strip() == "EXAMPLES"
        continue
    if not on:
        continue
    m = re.match(r"^   (\S.*)$", line)
    if m:
        part = m.group(1).strip()
        continue
    if cur is not None:
        cur += " " + line.strip()
    else:
        m = re.match(r"^ +\$ (.*)$", line)
        if not m:
            continue
        cur = m.group(1)
    if cur.endswith("\\"):
        cur = cur[:-1].rstrip()
        continue
    print(part + "\x1f" + re.sub(r"\s+#.*$", "", cur))
    cur = None'
}

line() {
	run bash -o pipefail -c "$1"
}

# The TOTP code of a base32 secret now or one period before; oathtool's
# options (default --totp) may follow.
now_or_before() {
	local hex t s=$1
	shift
	[ $# -gt 0 ] || set -- --totp
	hex=$(b32hex "$s")
	t=$(date +%s)
	echo "$(oathtool "$@" -N "@$t" "$hex") $(oathtool "$@" -N "@$((t - 30))" "$hex")"
}

names_are() {
	run mfa list
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | awk 'NR > 1 { print $1 ":" $2 }' | sort | tr '\n' ' ')" = "$1" ]
}

@test "mfa(1) EXAMPLES: every line outside AWS and Security keys runs as written" {
	need_fixtures
	need_tmux
	command -v qrencode > /dev/null || skip "qrencode not installed"
	command -v git > /dev/null || skip "git not installed"
	command -v keyctl > /dev/null || skip "keyutils not installed"
	fx=$MFA_FIXTURES
	mkdir -p "$HOME/Pictures"
	qrencode -o "$HOME/Pictures/qr-screenshot.png" "otpauth://totp/Picture:pic?secret=$PIC&issuer=Picture"
	git init -q --bare "$T/remote.git"
	ran=0 elsewhere=0
	while IFS=$'\x1f' read -r part l; do
		case "$part" in
		AWS | "Security keys")
			elsewhere=$((elsewhere + 1))
			continue
			;;
		esac
		ran=$((ran + 1))
		case "$l" in
		"mfa init")
			line "$l"
			[ "$status" -eq 0 ]
			;;
		"mfa add alice@example.com --issuer GitHub")
			# The secret the web site shows, pasted at the prompt.
			run bash -o pipefail -c "$l" <<< "$GH"
			[ "$status" -eq 0 ]
			;;
		"wl-paste | mfa add")
			printf 'otpauth://totp/GitLab:bob?secret=%s&issuer=GitLab\n' "$GL" > "$FAKECLIP_DIR/clipboard"
			line "$l"
			[ "$status" -eq 0 ]
			names_are "GitHub:alice@example.com GitLab:bob "
			;;
		"mfa import ~/Pictures/qr-screenshot.png")
			line "$l"
			[ "$status" -eq 0 ]
			names_are "GitHub:alice@example.com GitLab:bob Picture:pic "
			;;
		"mfa list --codes")
			line "$l"
			[ "$status" -eq 0 ]
			got=$(echo "$output" | grep GitHub | grep -oE '[0-9]{3} ?[0-9]{3}' | head -n 1 | tr -d ' ')
			[[ " $(now_or_before $GH) " == *" $got "* ]]
			;;
		"mfa code github")
			line "$l"
			[ "$status" -eq 0 ]
			[[ " $(now_or_before $GH) " == *" $output "* ]]
			;;
		"mfa code github --copy --fresh 5")
			# A Wayland desktop: wl-copy (the stand-in) gets the code.
			WAYLAND_DISPLAY=wayland-0 line "$l"
			[ "$status" -eq 0 ]
			[[ " $(now_or_before $GH) " == *" $output "* ]]
			grep -q '^wl-copy' "$FAKECLIP_DIR/log"
			;;
		'xdotool type "$(mfa code github)"')
			line "$l"
			[ "$status" -eq 0 ]
			[[ " $(now_or_before $GH) " == *" $(tail -n 1 "$T/typed" | sed 's/^type //') "* ]]
			;;
		"mfa watch")
			tty_start
			tty_run "cd '$T/work' && HOME='$HOME' PATH='$PATH' MFA_PASSPHRASE_FILE='$T/pass' MFA_CACHE_TTL=0 $l; echo EXIT=\$?"
			# The vault has the default KDF (the example's mfa init):
			# a generous ceiling, as under make valgrind it takes
			# most of a minute.
			wait_until 1800 tty_has 'q quit'
			tty_has 'alice@example\.com'
			tty_has 'pic'
			tty_send q
			wait_until 600 tty_has '^EXIT=0'
			tty_stop
			;;
		"mfa verify github 492039 && echo valid")
			line "$l"
			# 492039 is (almost surely) not the code now: 3, no "valid".
			if [ "$status" -eq 0 ]; then
				[[ "$output" == *valid ]]
			else
				[ "$status" -eq 3 ]
				[[ "$output" != *valid ]]
			fi
			;;
		"export MFA_PASSPHRASE_COMMAND='pass show mfa'")
			# Kept for the next line, in a keyring of its own.
			exported=$l
			;;
		"mfa unlock --ttl 3600")
			[ -n "${exported:-}" ]
			run keyctl session - bash -o pipefail -c "unset MFA_PASSPHRASE_FILE MFA_CACHE_TTL; $exported; $l && MFA_PASSPHRASE_COMMAND=false mfa code github"
			[ "$status" -eq 0 ]
			[[ "$output" == *"unlocked"* ]]
			[[ " $(now_or_before $GH) " == *" $(echo "$output" | tail -n 1) "* ]]
			;;
		"mfa code --secret-stdin -d 8 -a SHA256")
			run bash -o pipefail -c "$l" <<< "$RFC256"
			[ "$status" -eq 0 ]
			[[ " $(now_or_before $RFC256 --totp=sha256 -d 8) " == *" $output "* ]]
			;;
		"wl-paste | mfa code --secret-stdin -d 8 -a SHA256")
			printf '%s\n' "$RFC256" > "$FAKECLIP_DIR/clipboard"
			line "$l"
			[ "$status" -eq 0 ]
			[[ " $(now_or_before $RFC256 --totp=sha256 -d 8) " == *" $output "* ]]
			;;
		"mfa import --dry-run Screenshot_*.png")
			# Google Authenticator's export, as screenshots.
			cp "$fx/qr/scito_example_export.png" Screenshot_20261129-1.png
			line "$l"
			[ "$status" -eq 0 ]
			[[ "$output" == *"would import 3 accounts"* ]]
			names_are "GitHub:alice@example.com GitLab:bob Picture:pic "
			;;
		"mfa import Screenshot_*.png")
			line "$l"
			[ "$status" -eq 0 ]
			[[ "$output" == *"imported 3 accounts"* ]]
			;;
		"rm Screenshot_*.png")
			line "$l"
			[ "$status" -eq 0 ]
			[ -z "$(ls Screenshot_* 2> /dev/null)" ]
			;;
		"mfa import aegis-export.json")
			cp "$fx/aegis/importers/aegis_encrypted.json" aegis-export.json
			# The password, as typed at its prompt.
			printf 'test\n' > "$T/aegis-pw"
			MFA_IMPORT_PASSPHRASE_FILE="$T/aegis-pw" line "$l"
			[ "$status" -eq 0 ]
			[[ "$output" == *"imported 7 accounts"* ]]
			;;
		"shred -u aegis-export.json")
			line "$l"
			[ "$status" -eq 0 ]
			[ ! -e aegis-export.json ]
			;;
		"MFA_IMPORT_PASSPHRASE_FILE=~/aegis-pw mfa import aegis-export.json")
			# The script's own copy, and the password in ~/aegis-pw.
			cp "$fx/aegis/importers/aegis_encrypted.json" aegis-export.json
			printf 'test\n' > "$HOME/aegis-pw"
			line "$l"
			# The same 7 accounts again: all skipped as duplicates.
			[ "$status" -eq 0 ]
			[[ "$output" == *"imported 0 accounts, skipped 7"* ]]
			;;
		"mfa sync init ssh://host/srv/git/mfa.git")
			# First the machine with the vault, then a second one.
			url=${l#mfa sync init }
			if [ -z "${second:-}" ]; then
				git config --global url."$T/remote.git".insteadOf "$url"
				line "$l"
				[ "$status" -eq 0 ]
				second=1
			else
				mkdir -p "$T/m2"
				cp "$HOME/.gitconfig" "$T/m2/.gitconfig"
				HOME="$T/m2" line "$l"
				[ "$status" -eq 0 ]
				[[ " $(now_or_before $GH) " == *" $(HOME="$T/m2" mfa code github) "* ]]
				HOME="$T/m2" mfa add second --issuer Two <<< "$GL" > /dev/null
			fi
			;;
		"mfa sync")
			# The second machine's change goes up first.
			HOME="$T/m2" mfa sync > /dev/null
			line "$l"
			[ "$status" -eq 0 ]
			[[ "$output" == *"added Two:second"* ]]
			;;
		"mfa unlock")
			# Run with the next line, in a keyring of its own.
			unlock=$l
			;;
		"git -C ~/.local/share/mfa log -p")
			# Locked: no names, no secrets.
			line "$l"
			[ "$status" -eq 0 ]
			[[ "$output" == *"<vault locked>"* ]]
			[[ "$output" != *"alice@example.com"* ]]
			[ -n "${unlock:-}" ]
			run keyctl session - bash -o pipefail -c "unset MFA_CACHE_TTL; $unlock > /dev/null && $l"
			[ "$status" -eq 0 ]
			# Account names through mfa's textconv, never a secret.
			[[ "$output" == *"alice@example.com"* ]]
			[[ "$output" != *"$GH"* ]]
			[[ "$output" != *"$GL"* ]]
			;;
		"mfa show github --history")
			line "$l"
			[ "$status" -eq 0 ]
			[[ "$output" == *"alice@example.com"* ]]
			[[ "$output" != *"$GH"* ]]
			;;
		"mfa export --format google --qr")
			# The Aegis backup brought accounts Google Authenticator
			# cannot hold: refused, each named, nothing drawn.
			line "$l"
			[ "$status" -eq 1 ]
			[[ "$output" == "mfa: export google: cannot carry 4 accounts: SPDX:James (Google Authenticator cannot hold 7-digit codes), "*"; --skip-unsupported leaves them out" ]]
			[[ "$output" != *"█"* ]]
			line "$l --skip-unsupported"
			[ "$status" -eq 4 ]
			[[ "$output" == *"█▀▀▀▀▀█"* ]]
			;;
		"mfa export --format aegis -o aegis-backup.json")
			printf 'backup passphrase\n' > "$T/newpass"
			MFA_NEW_PASSPHRASE_FILE="$T/newpass" line "$l"
			[ "$status" -eq 0 ]
			[ "$(stat -c %a aegis-backup.json)" = 600 ]
			grep -q '"slots"' aegis-backup.json
			;;
		"mfa show github --qr")
			line "$l"
			[ "$status" -eq 0 ]
			[[ "$output" == *"█▀▀▀▀▀█"* ]]
			;;
		*)
			echo "an example in mfa(1) with no check in man_examples.bats: [$part] $l" >&2
			false
			;;
		esac
	done < <(man_lines)
	[ "$ran" -ge 25 ]
	[ "$elsewhere" -ge 20 ]
}

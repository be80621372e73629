#!/usr/bin/env bats
# Shell completion: `mfa completion bash|zsh|fish`, each script
# driven in its own shell. bash: the completion function called as bash
# calls it (COMP_WORDS, COMP_CWORD), with bash-completion's helpers when the
# Debian package is installed, and a real interactive bash in tmux for what
# readline itself does (quoting, colons). zsh: a real interactive zsh on a
# pty (zsh/zpty) with compadd watched. fish: `complete -C`.
#
# Account names come from `mfa list --names`, which must use the unlock
# cache only: the tests fill it with `mfa unlock` and check that, once it is
# dropped with `mfa lock`, nothing is completed and nothing is asked for,
# with a terminal present to ask on.
load helpers

BASH_COMPLETION=/usr/share/bash-completion/bash_completion

setup() {
	mfa_setup
	mkdir -p "$T/bin" "$T/files"
	# The scripts run `mfa`: make that the binary under test.
	ln -s "$MFA_BIN" "$T/bin/mfa"
	export PATH="$T/bin:$PATH"
	"$MFA_BIN" completion bash > "$T/mfa.bash"
	touch "$T/files/alpha.png" "$T/files/beta.txt"
}

teardown() {
	if [ -n "${T:-}" ] && [ -e "${MFA_VAULT:-/nonexistent}" ]; then
		"$MFA_BIN" lock > /dev/null 2>&1 || true
	fi
	if [ -S "${T:-/nonexistent}/tmux.sock" ]; then
		tmux -S "$T/tmux.sock" kill-server 2> /dev/null || true
	fi
	mfa_teardown
}

# A vault with a few accounts (one name with a space, two accounts sharing
# a name), its key in the unlock cache, and no passphrase source left set.
names_vault() {
	need_keyring
	mfa_init
	echo JBSWY3DPEHPK3PXP | mfa add alice --issuer Example > /dev/null
	echo JBSWY3DPEHPK3PXQ | mfa add "bob smith" --issuer "Big Co" > /dev/null
	echo JBSWY3DPEHPK3PXR | mfa add alice --issuer Other > /dev/null
	export MFA_CACHE_TTL=300
	MFA_PASSPHRASE="test passphrase" MFA_PASSPHRASE_FILE= "$MFA_BIN" unlock > /dev/null
	# A key in the cache must be enough: no passphrase source from here on.
	unset MFA_PASSPHRASE_FILE
}

# The commands `mfa help` lists.
help_commands() {
	"$MFA_BIN" help | sed -n '/^Commands:/,/^$/p' | awk 'NF > 1 { print $1 }'
}

# The long options in the "Options:" block of `mfa help CMD`.
help_long_opts() {
	"$MFA_BIN" help "$1" | sed -n '/^Options:/,/^$/p' |
		grep -oE -- '--[a-z0-9][a-z0-9-]*' | sort -u
}

# comp_bash WORD...: run the bash completion function on the words as
# readline splits them (the last is the one being completed) and print the
# candidates, one a line. COMP_LINE joins the words as typed: around ':' and
# '=' there is no space (readline makes them words of their own).
comp_bash() {
	bash --norc --noprofile -c '
		[ -r "$1" ] && source "$1"
		source "$2"
		shift 2
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE=
		for w in "${COMP_WORDS[@]}"; do
			case $w:$COMP_LINE in
			[:=]:* | *:*[:=]) COMP_LINE+=$w ;;
			*) COMP_LINE+="${COMP_LINE:+ }$w" ;;
			esac
		done
		COMP_POINT=${#COMP_LINE}
		COMPREPLY=()
		_mfa mfa "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}"' \
		bash "$BASH_COMPLETION" "$T/mfa.bash" "$@"
}

# has LIST WORD...: every WORD is a line of LIST.
has() {
	local list=$1 w
	shift
	for w in "$@"; do
		if ! grep -qxF -- "$w" <<< "$list"; then
			echo "missing '$w' in:" >&2
			echo "$list" >&2
			return 1
		fi
	done
}

# hasnt LIST WORD...: no WORD is a line of LIST.
hasnt() {
	local list=$1 w
	shift
	for w in "$@"; do
		if grep -qxF -- "$w" <<< "$list"; then
			echo "unexpected '$w' in:" >&2
			echo "$list" >&2
			return 1
		fi
	done
}

# Run a command on a pseudo-terminal of its own (so /dev/tty exists and a
# prompt would wait there), stdin empty; give up after 20 s.
on_pty() {
	timeout 20 script -qec "$*" /dev/null < /dev/null
}

@test "completion prints a script for bash, zsh and fish; other shells are a usage error" {
	run mfa completion bash
	[ "$status" -eq 0 ]
	[[ "$output" == *"complete -F _mfa mfa"* ]]
	run mfa completion zsh
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "#compdef mfa" ]]
	run mfa completion fish
	[ "$status" -eq 0 ]
	[[ "$output" == *"complete -c mfa"* ]]
	run mfa completion tcsh
	[ "$status" -eq 2 ]
	[[ "$output" == *"tcsh"* ]]
	run mfa completion
	[ "$status" -eq 2 ]
}

@test "bash: the script parses and registers _mfa for mfa" {
	run bash --norc -n "$T/mfa.bash"
	[ "$status" -eq 0 ]
	run bash --norc -c "source '$T/mfa.bash'; complete -p mfa"
	[ "$status" -eq 0 ]
	[[ "$output" == "complete -F _mfa mfa" ]]
}

@test "bash: every command of mfa help completes, and prefixes narrow them" {
	[ -r "$BASH_COMPLETION" ] || skip "bash-completion not installed (Debian package bash-completion)"
	cmds=$(help_commands)
	[ -n "$cmds" ]
	out=$(comp_bash mfa "")
	for c in $cmds; do
		has "$out" "$c"
	done
	# Options for the scripts' own use stay hidden.
	out=$(comp_bash mfa list --)
	hasnt "$out" --names
	out=$(comp_bash mfa co)
	[ "$(sort <<< "$out" | tr '\n' ' ')" = "code completion " ]
	out=$(comp_bash mfa ver)
	[ "$out" = verify ]
}

@test "bash: each command's options (from mfa help COMMAND) complete after it" {
	[ -r "$BASH_COMPLETION" ] || skip "bash-completion not installed"
	for c in $(help_commands); do
		out=$(comp_bash mfa "$c" --)
		for o in $(help_long_opts "$c"); do
			[ "$o" = --names ] && continue
			has "$out" "$o"
		done
		# The global options apply after any command too.
		has "$out" --vault --no-cache --passphrase-fd --help
	done
	# Before the command: the global options and --version.
	out=$(comp_bash mfa --)
	has "$out" --vault --no-cache --passphrase-fd --version
	hasnt "$out" --dry-run
}

@test "bash: format names for import -f, export --format and aws session --format" {
	[ -r "$BASH_COMPLETION" ] || skip "bash-completion not installed"
	out=$(comp_bash mfa import -f "")
	has "$out" uri google aegis andotp 2fas aws-seed image json
	out=$(comp_bash mfa import --format a)
	[ "$(sort <<< "$out" | tr '\n' ' ')" = "aegis andotp aws-seed " ]
	# --format=VALUE in one word, and a command given by a prefix.
	out=$(comp_bash mfa exp --format = "")
	[ "$(sort <<< "$out" | tr '\n' ' ')" = "aegis google json uri " ]
	out=$(comp_bash mfa add -a "")
	[ "$(sort <<< "$out" | tr '\n' ' ')" = "SHA1 SHA256 SHA512 " ]
	out=$(comp_bash mfa completion "")
	[ "$(sort <<< "$out" | tr '\n' ' ')" = "bash fish zsh " ]
	out=$(comp_bash mfa help "")
	has "$out" code import help
	out=$(comp_bash mfa aws session --format "")
	has "$out" env json credential-process credentials-file
	out=$(comp_bash mfa aws "")
	has "$out" enroll codes session
}

@test "bash: mfa aws offers each subcommand only its own options" {
	[ -r "$BASH_COMPLETION" ] || skip "bash-completion not installed"
	out=$(comp_bash mfa aws enroll --)
	has "$out" --user-name --device-name --name --profile --region --vault
	hasnt "$out" --role-arn --format --duration
	out=$(comp_bash mfa aws session --)
	has "$out" --role-arn --role-session-name --duration --format --profile --region --no-cache
	hasnt "$out" --user-name --device-name
	out=$(comp_bash mfa aws codes --)
	has "$out" --vault --no-cache
	hasnt "$out" --user-name --role-arn --profile
	# Before the subcommand: the subcommands.
	out=$(comp_bash mfa aws "")
	has "$out" enroll codes session
	out=$(comp_bash mfa aws session --format "")
	[ "$(sort <<< "$out" | tr '\n' ' ')" = "credential-process credentials-file env json " ]
}

@test "bash: files where a file is expected, and only there" {
	[ -r "$BASH_COMPLETION" ] || skip "bash-completion not installed"
	out=$(comp_bash mfa import "$T/files/")
	has "$out" "$T/files/alpha.png" "$T/files/beta.txt"
	out=$(comp_bash mfa import x.png "$T/files/a")
	[ "$out" = "$T/files/alpha.png" ]
	out=$(comp_bash mfa show github --png "$T/files/b")
	[ "$out" = "$T/files/beta.txt" ]
	out=$(comp_bash mfa export -o "$T/files/al")
	[ "$out" = "$T/files/alpha.png" ]
	out=$(comp_bash mfa --vault "$T/files/be")
	[ "$out" = "$T/files/beta.txt" ]
	# A code or a new name is not a file.
	out=$(comp_bash mfa verify github "$T/files/")
	[ -z "$out" ]
	out=$(comp_bash mfa add "$T/files/")
	[ -z "$out" ]
}

@test "bash: account names for QUERY arguments, from the unlock cache" {
	[ -r "$BASH_COMPLETION" ] || skip "bash-completion not installed"
	names_vault
	# Candidates come quoted for the command line, as readline inserts them.
	out=$(comp_bash mfa code "")
	has "$out" "Example:alice" "Other:alice" 'bob\ smith'
	[ "$(wc -l <<< "$out")" -eq 3 ]
	out=$(comp_bash mfa rm b)
	[ "$out" = 'bob\ smith' ]
	out=$(comp_bash mfa rm 'bob\ s')
	[ "$out" = 'bob\ smith' ]
	out=$(comp_bash mfa aws session --profile p b)
	[ "$out" = 'bob\ smith' ]
	# "issuer:name": readline splits at ':', the candidate is what follows.
	out=$(comp_bash mfa show Other : a)
	[ "$out" = alice ]
	# The positional after an option's value, and the second one of rename.
	out=$(comp_bash mfa verify --at 1111111109 E)
	[ "$out" = "Example:alice" ]
	out=$(comp_bash mfa rename "bob smith" "")
	[ -z "$out" ]
	# --vault on the command line is the vault whose names complete.
	v=$MFA_VAULT
	unset MFA_VAULT
	out=$(comp_bash mfa --vault "$v" code b)
	[ "$out" = 'bob\ smith' ]
	out=$(comp_bash mfa code --vault "$v" b)
	[ "$out" = 'bob\ smith' ]
	out=$(comp_bash mfa code b)
	[ -z "$out" ]
	export MFA_VAULT=$v
}

@test "bash without bash-completion: the script still completes" {
	need_keyring
	nobc() {
		BASH_COMPLETION=/nonexistent comp_bash "$@"
	}
	out=$(nobc mfa co)
	[ "$(sort <<< "$out" | tr '\n' ' ')" = "code completion " ]
	out=$(nobc mfa import -f a)
	[ "$(sort <<< "$out" | tr '\n' ' ')" = "aegis andotp aws-seed " ]
	# readline's own split of --format=VALUE: "--format" "=" "VALUE".
	out=$(nobc mfa export --format = j)
	[ "$out" = json ]
	out=$(nobc mfa export --format =)
	[ "$(sort <<< "$out" | tr '\n' ' ')" = "aegis google json uri " ]
	out=$(nobc mfa import "$T/files/al")
	[ "$out" = "$T/files/alpha.png" ]
	names_vault
	out=$(nobc mfa code b)
	[ "$out" = 'bob\ smith' ]
	# "Other:a" arrives as "Other" ":" "a"; the candidate is what follows ':'.
	out=$(nobc mfa show Other : a)
	[ "$out" = alice ]
	out=$(nobc mfa verify Other : alice "")
	[ -z "$out" ]
}

@test "list --names never prompts: locked vault on a terminal prints nothing, exit 0" {
	names_vault
	"$MFA_BIN" lock > /dev/null
	# The harness does see a prompt: plain list asks, and waits, on the pty.
	run on_pty "$MFA_BIN" list
	[ "$status" -ne 0 ]
	[[ "$output" == *"Passphrase for $MFA_VAULT"* ]]
	run on_pty "$MFA_BIN" list --names
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	# No vault at all: the same silence.
	run on_pty "$MFA_BIN" --vault "$T/none/vault" list --names
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	# And unlocked again, the names come back.
	MFA_PASSPHRASE="test passphrase" "$MFA_BIN" unlock > /dev/null
	run "$MFA_BIN" list --names
	[ "$status" -eq 0 ]
	[[ "$output" == *"bob smith"* ]]
}

@test "bash: after mfa lock, names complete to nothing and nothing is asked" {
	names_vault
	"$MFA_BIN" lock > /dev/null
	cat > "$T/comp.sh" << EOF
$(declare -f comp_bash)
BASH_COMPLETION=$BASH_COMPLETION
T=$T
out=\$(comp_bash mfa code "")
printf 'candidates:[%s]\n' "\$out"
EOF
	run on_pty bash --norc "$T/comp.sh"
	[ "$status" -eq 0 ]
	[[ "$output" == *"candidates:[]"* ]]
	[[ "$output" != *Passphrase* ]]
}

# tmux: a real interactive bash, keys typed, the screen read back.
tmux_bash() {
	command -v tmux > /dev/null || skip "tmux not installed"
	[ -r "$BASH_COMPLETION" ] || skip "bash-completion not installed"
	cat > "$T/rc" << EOF
PS1='READY\$ '
source $BASH_COMPLETION
source $T/mfa.bash
EOF
	TERM=xterm tmux -S "$T/tmux.sock" new-session -d -x 150 -y 40 \
		"bash --noprofile --rcfile $T/rc -i"
	tmux_wait 'READY\$'
}

# Wait (up to 20 s) until the screen matches the ERE $1.
tmux_wait() {
	local i
	for i in $(seq 200); do
		if tmux -S "$T/tmux.sock" capture-pane -p | grep -qE -- "$1"; then
			return 0
		fi
		sleep 0.1
	done
	echo "screen never matched /$1/:" >&2
	tmux -S "$T/tmux.sock" capture-pane -p >&2
	return 1
}

@test "bash in tmux: Tab completes commands and quotes account names" {
	names_vault
	tmux_bash
	tmux -S "$T/tmux.sock" send-keys 'mfa co' Tab Tab
	tmux_wait '^code +completion *$'
	# The X typed after Tab shows the space a finished word gets.
	tmux -S "$T/tmux.sock" send-keys C-u 'mfa code bo' Tab X
	tmux_wait 'READY\$ mfa code bob\\ smith X$'
	tmux -S "$T/tmux.sock" send-keys C-u 'mfa show Exa' Tab X
	tmux_wait 'READY\$ mfa show Example:alice X$'
	tmux -S "$T/tmux.sock" send-keys C-u 'mfa import --format=goo' Tab X
	tmux_wait 'READY\$ mfa import --format=google X$'
}

# zsh: an interactive zsh on a pty (zsh/zpty), with compadd wrapped so that
# every candidate offered is also written to a file; prints them.
comp_zsh() {
	cat > "$T/zdrive.zsh" << 'EOF'
zmodload zsh/zpty || exit 77
local fdir=$1 out=$2 line=$3 zd=$4 o
mkdir -p $zd
cat > $zd/.zshrc << RC
PS1='zp> '
unsetopt beep
fpath=($fdir \$fpath)
autoload -Uz compinit && compinit -u -d $zd/.zcompdump
compadd() {
	if (( \${@[(I)-[OAD]*]} )); then builtin compadd "\$@"; return; fi
	local -a hits
	builtin compadd -A hits "\$@"
	(( \$#hits )) && print -rl -- \$hits >> $out
	builtin compadd "\$@"
}
RC
zpty z "ZDOTDIR=$zd zsh -i"
# Type only once zle is reading (the prompt after READY is drawn), then
# clear the line and wait for the end.
zpty -w z "print -r RE''ADY"
zpty -r z o '*READY*zp> *' || exit 1
zpty -w -n z "$line"$'\t'
zpty -w -n z $'\C-u'
zpty -w z "print -r EN''D"
ended=0
while zpty -r z o; do [[ $o == *END* && $o != *EN\'\'D* ]] && { ended=1; break; }; done
zpty -d z
(( ended ))
EOF
	rm -f "$T/zout"
	# The drive must reach its end; no candidate at all writes no file.
	timeout 30 zsh -f "$T/zdrive.zsh" "$T/zfunc" "$T/zout" "$1" "$T/zdot" > /dev/null || return
	[ ! -f "$T/zout" ] || cat "$T/zout"
}

@test "zsh: the script parses, autoloads as _mfa and completes" {
	command -v zsh > /dev/null || skip "zsh not installed"
	mkdir -p "$T/zfunc"
	"$MFA_BIN" completion zsh > "$T/zfunc/_mfa"
	run zsh -n "$T/zfunc/_mfa"
	[ "$status" -eq 0 ]
	run zsh -f -c "fpath=($T/zfunc \$fpath); autoload -Uz compinit; compinit -u -d $T/zcd; print -r -- \$_comps[mfa]"
	[ "$status" -eq 0 ]
	[ "$output" = _mfa ]
	# Or sourced after compinit, as ~/.zshrc would.
	run zsh -f -c "autoload -Uz compinit; compinit -u -d $T/zcd2; source <(\"\$MFA_BIN\" completion zsh); print -r -- \$_comps[mfa]"
	[ "$status" -eq 0 ]
	[ "$output" = _mfa ]
	out=$(comp_zsh 'mfa co')
	[ -n "$out" ]
	[ "$(sort -u <<< "$out" | tr '\n' ' ')" = "code completion " ]
	out=$(comp_zsh 'mfa ')
	for c in $(help_commands); do
		has "$out" "$c"
	done
	out=$(comp_zsh 'mfa import -f ')
	has "$out" uri google aegis andotp 2fas aws-seed image json
	out=$(comp_zsh 'mfa exp --format=')
	[ "$(sort -u <<< "$out" | tr '\n' ' ')" = "aegis google json uri " ]
	out=$(comp_zsh 'mfa import --')
	for o in $(help_long_opts import); do
		has "$out" "$o"
	done
	out=$(comp_zsh "mfa show x --png $T/files/al")
	grep -q alpha.png <<< "$out"
	out=$(comp_zsh 'mfa completion ')
	has "$out" bash zsh fish
	out=$(comp_zsh 'mfa aws session --')
	has "$out" --role-arn --format --profile
	hasnt "$out" --user-name
	out=$(comp_zsh 'mfa aws enroll --')
	has "$out" --user-name --profile
	hasnt "$out" --role-arn
}

@test "zsh: account names from the unlock cache, none when locked" {
	command -v zsh > /dev/null || skip "zsh not installed"
	need_keyring
	mkdir -p "$T/zfunc"
	"$MFA_BIN" completion zsh > "$T/zfunc/_mfa"
	names_vault
	out=$(comp_zsh 'mfa code ')
	[ -n "$out" ]
	grep -q 'Example:alice' <<< "$out"
	grep -q 'Other:alice' <<< "$out"
	grep -q 'bob' <<< "$out"
	"$MFA_BIN" lock > /dev/null
	out=$(comp_zsh 'mfa code ')
	[[ "$out" != *alice* ]]
}

comp_fish() {
	fish --no-config -c "source $T/mfa.fish; complete -C '$1'" | cut -f1
}

@test "fish: commands, options, formats, files and names" {
	command -v fish > /dev/null || skip "fish not installed"
	need_keyring
	"$MFA_BIN" completion fish > "$T/mfa.fish"
	run fish --no-config -n "$T/mfa.fish"
	[ "$status" -eq 0 ]
	out=$(comp_fish 'mfa co')
	[ "$(sort <<< "$out" | tr '\n' ' ')" = "code completion " ]
	out=$(comp_fish 'mfa ')
	for c in $(help_commands); do
		has "$out" "$c"
	done
	out=$(comp_fish 'mfa import -f ')
	has "$out" uri google aegis andotp 2fas aws-seed image json
	out=$(comp_fish 'mfa exp --format ')
	[ "$(sort <<< "$out" | tr '\n' ' ')" = "aegis google json uri " ]
	for c in $(help_commands); do
		out=$(comp_fish "mfa $c --")
		for o in $(help_long_opts "$c"); do
			[ "$o" = --names ] && continue
			has "$out" "$o"
		done
	done
	out=$(comp_fish "mfa import $T/files/a")
	[ "$out" = "$T/files/alpha.png" ]
	out=$(comp_fish "mfa code $T/files/a")
	[ -z "$out" ]
	out=$(comp_fish 'mfa completion ')
	[ "$(sort <<< "$out" | tr '\n' ' ')" = "bash fish zsh " ]
	out=$(comp_fish 'mfa aws session --')
	has "$out" --role-arn --format --profile
	hasnt "$out" --user-name
	out=$(comp_fish 'mfa aws enroll --')
	has "$out" --user-name --profile
	hasnt "$out" --role-arn
	out=$(comp_fish 'mfa aws session --format ')
	has "$out" env json credential-process credentials-file
	names_vault
	out=$(comp_fish 'mfa code ')
	has "$out" "Example:alice" "Other:alice" "bob smith"
	out=$(comp_fish 'mfa rename bob')
	[ "$out" = "bob smith" ]
	"$MFA_BIN" lock > /dev/null
	run on_pty fish --no-config -c "\"source $T/mfa.fish; complete -C 'mfa code '\""
	[ "$status" -eq 0 ]
	[[ "$output" != *alice* ]]
	[[ "$output" != *Passphrase* ]]
}

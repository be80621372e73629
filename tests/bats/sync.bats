#!/usr/bin/env bats
# Sync through git, with real git: a bare repository as the
# remote and two folders as two machines (A and B), each with its own
# vault path and the same passphrase. Concurrent adds, renames, removals,
# HOTP use and AWS steps on both; git pull with merge and with rebase; a
# criss-cross history; add/add; stash pop; a fresh clone without config;
# a tampered commit; a passphrase changed on one machine; exit codes; and
# every git object and file searched for every secret. Codes are checked
# against oathtool. Tests that cache a key run inside `keyctl session -`.
load helpers

S1=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXQ
S2=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ
S3=MFRGGZDFMZTWQ2LKMFRGGZDFMZTWQ2LK
S4=ONSWG4TFOQQHO2DBORZWC3DMMVZXAZLD
S5=KRUGKIDROVUWG2ZAMJZG653OEBTG66BA

setup() {
	mfa_setup
	command -v git > /dev/null || skip "git not installed"
	# git's own configuration: none of the user's, and no identity, so
	# that mfa's commits must work without one.
	export HOME="$T/home" GIT_CONFIG_NOSYSTEM=1
	mkdir -p "$HOME"
	unset GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME \
		GIT_COMMITTER_EMAIL MFA_SYNC_AUTOPUSH MFA_SYNC_PARENT
	git init -q --bare "$T/remote.git"
	R="$T/remote.git"
}

teardown() {
	mfa_teardown
}

A() { MFA_VAULT="$T/a/vault" "$MFA_BIN" "$@"; }
B() { MFA_VAULT="$T/b/vault" "$MFA_BIN" "$@"; }
C() { MFA_VAULT="$T/c/vault" "$MFA_BIN" "$@"; }

# git as the user runs it by hand: with an identity.
ugit() {
	GIT_AUTHOR_NAME=u GIT_AUTHOR_EMAIL=u@example.com \
		GIT_COMMITTER_NAME=u GIT_COMMITTER_EMAIL=u@example.com git "$@"
}

# Machine A with three accounts, synced to the remote; B fetched from it.
two_machines() {
	MFA_VAULT="$T/a/vault" mfa_init
	echo "$S1" | A add github > /dev/null
	echo "$S2" | A add --issuer Bank bob > /dev/null
	echo "$S3" | A add --hotp gitlab > /dev/null
	A sync init "$R" > /dev/null
	B sync init "$R" > /dev/null
}

names() {
	"$@" list --json | /usr/bin/python3 -c '
import json, sys
print("\n".join(sorted((e["issuer"] + ":" if e["issuer"] else "") + e["name"] for e in json.load(sys.stdin))))'
}

counter() {
	"$1" list --json | /usr/bin/python3 -c '
import json, sys
print([e["counter"] for e in json.load(sys.stdin) if e["name"] == sys.argv[1]][0])' "$2"
}

@test "sync init: a repository with the driver, textconv, attributes and hooks, committed" {
	mfa_init
	echo "$S1" | mfa add github > /dev/null
	d="$T/v"
	run mfa sync init
	[ "$status" -eq 0 ]
	[[ "$output" == *"$d is a git repository now (committed)"* ]]
	grep -qx '/vault -text merge=mfa diff=mfa' "$d/.gitattributes"
	grep -qx '/vault.bak' "$d/.gitignore"
	grep -qx '/vault.lock' "$d/.gitignore"
	drv=$(git -C "$d" config merge.mfa.driver)
	conv=$(git -C "$d" config diff.mfa.textconv)
	[[ "$drv" == *" --vault '$d/vault' merge-driver %O %A %B %P" ]]
	[[ "$conv" == *" --vault '$d/vault' textconv" ]]
	# The absolute path of the running mfa, which runs.
	exe=$(eval "set -- $drv"; echo "$1")
	[ "${exe:0:1}" = / ]
	[ "$("$exe" --version)" = "$("$MFA_BIN" --version)" ]
	if [ "$(head -c 2 "$MFA_BIN")" != "#!" ]; then
		[ "$exe" = "$(readlink -f "$MFA_BIN")" ]
	fi
	[ "$(git -C "$d" config pull.rebase)" = false ]
	run git -C "$d" config diff.mfa.cachetextconv
	[ "$status" -ne 0 ]
	for h in post-checkout post-merge post-rewrite; do
		[ -x "$d/.git/hooks/$h" ]
	done
	[ "$(git -C "$d" log --format=%s)" = "mfa sync init" ]
	[ -z "$(git -C "$d" status --porcelain)" ]
	[ "$(stat -c %a "$d/vault")" = 600 ]
	# Again: nothing new.
	run mfa sync init
	[ "$status" -eq 0 ]
	[ "$(git -C "$d" log --format=%s | wc -l)" -eq 1 ]
	# No remote yet: mfa sync says how to add one.
	run mfa sync
	[ "$status" -eq 1 ]
	[[ "$output" == *"has no remote"*"mfa sync init REMOTE"* ]]
}

@test "a second machine fetches the vault; both give oathtool's codes" {
	two_machines
	[ -f "$T/b/vault" ]
	[ "$(stat -c %a "$T/b/vault")" = 600 ]
	[ "$(names B)" = "$(names A)" ]
	[ "$(names B)" = "$(printf 'Bank:bob\ngithub\ngitlab')" ]
	want=$(oathtool --totp -N @1111111109 "$(b32hex "$S1")")
	[ "$(B code github --at 1111111109)" = "$want" ]
	# A remote with nothing yet is not a vault to fetch.
	git init -q --bare "$T/empty.git"
	run C sync init "$T/empty.git"
	[ "$status" -eq 1 ]
	[[ "$output" == *"holds no vault yet"* ]]
}

@test "every command that writes the vault commits it, in account terms" {
	two_machines
	echo "$S4" | A add --issuer AWS dev > /dev/null
	A rename github gh > /dev/null
	A rm --yes Bank:bob > /dev/null
	A code gitlab > /dev/null
	A edit gh --note "work account" > /dev/null
	# A TOTP code writes nothing, commits nothing.
	A code gh > /dev/null
	run git -C "$T/a" log --format=%s -5
	[ "$output" = "$(printf '%s\n' 'edit gh' 'hotp counter gitlab' \
		'rm Bank:bob' 'rename github -> gh' 'add AWS:dev')" ]
	[ -z "$(git -C "$T/a" status --porcelain)" ]
	# Not pushed without MFA_SYNC_AUTOPUSH...
	[ "$(git -C "$R" log --format=%s -1)" = "mfa sync init" ]
	# ...and pushed with it.
	echo "$S5" | MFA_SYNC_AUTOPUSH=1 A add pushed > /dev/null
	[ "$(git -C "$R" log --format=%s -1)" = "add pushed" ]
}

@test "concurrent changes on two machines end in identical vaults" {
	two_machines
	# A: an account, a rename, two HOTP codes, an AWS step.
	echo "$S4" | A add aa > /dev/null
	A rename github gh > /dev/null
	A code gitlab > /dev/null
	A code gitlab > /dev/null
	A aws codes gh > /dev/null
	# B: a removal, an account, three HOTP codes, a verified code.
	B rm --yes Bank:bob > /dev/null
	echo "$S5" | B add bb > /dev/null
	for i in 1 2 3; do B code gitlab > /dev/null; done
	now=$(date +%s)
	B verify github "$(oathtool --totp -N "@$now" "$(b32hex "$S1")")" > /dev/null
	run A sync
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "in sync with origin" ]
	run B sync
	[ "$status" -eq 0 ]
	[[ "$output" == *"added aa"* ]]
	[[ "$output" == *"renamed github -> gh"* ]]
	run A sync
	[ "$status" -eq 0 ]
	[[ "$output" == *"added bb"* ]]
	[[ "$output" == *"removed Bank:bob"* ]]
	cmp "$T/a/vault" "$T/b/vault"
	# Both machines' histories meet in one.
	[ "$(git -C "$T/a" rev-parse HEAD)" = "$(git -C "$T/b" rev-parse HEAD)" ]
	[ "$(git -C "$T/a" log -1 --format=%p | wc -w)" -eq 2 ]
	[ "$(names A)" = "$(printf 'aa\nbb\ngh\ngitlab')" ]
	# The HOTP counter is the larger: the next code is counter 3's.
	[ "$(counter A gitlab)" = 3 ]
	[ "$(B code gitlab)" = "$(oathtool --hotp -c 3 "$(b32hex "$S3")")" ]
}

@test "both machines change one account: the newer wins, mfa show --history has the other" {
	two_machines
	A rename github ga > /dev/null
	A edit gitlab --digits 8 > /dev/null
	B rename github gb > /dev/null
	B edit gitlab --digits 7 > /dev/null
	A sync > /dev/null
	run B sync
	[ "$status" -eq 0 ]
	[[ "$output" == *"mfa: note: "*"both machines changed it"*"--history"* ]]
	A sync > /dev/null
	cmp "$T/a/vault" "$T/b/vault"
	won=$(names A | grep -x 'g[ab]')
	lost=$([ "$won" = ga ] && echo gb || echo ga)
	run A show "$won" --history
	[ "$status" -eq 0 ]
	[[ "$output" == *"labels: $lost"* ]]
	# The credential that lost keeps its seed: --uri reveals it.
	run A show gitlab --history --uri
	[ "$status" -eq 0 ]
	[[ "$output" == *"credential: hotp SHA1, "[78]" digits"* ]]
	uri=$(grep -o 'otpauth://[^ ]*' <<< "$output")
	[[ "$uri" == *"secret=$S3"* ]]
	[[ "$uri" == *digits=[78]* ]]
	run A show "$won" --history --qr
	[ "$status" -eq 2 ]
}

@test "the last AWS step and the last verified step take the max across machines" {
	need_keyring
	two_machines
	keyctl session - bash -c '
		set -e
		A() { MFA_VAULT="'"$T"'/a/vault" "$MFA_BIN" "$@"; }
		B() { MFA_VAULT="'"$T"'/b/vault" "$MFA_BIN" "$@"; }
		A aws codes github > /dev/null
		B rm --yes gitlab > /dev/null
		A sync > /dev/null
		B sync > /dev/null
		export MFA_CACHE_TTL=300
		A unlock > /dev/null
		B unlock > /dev/null
		A textconv "'"$T"'/a/vault" > "'"$T"'/a.txt"
		B textconv "'"$T"'/b/vault" > "'"$T"'/b.txt"
	'
	step=$(awk '$1 == "aws" && $2 == "step" { print $3 }' "$T/b.txt")
	[ -n "$step" ]
	now=$(date +%s)
	[ "$step" -ge $(((now - 90) / 30)) ]
	grep -q "aws step *$step" "$T/a.txt"
	! grep -q "account gitlab" "$T/b.txt" || false
}

@test "the merge driver uses the cached key, and asks nothing" {
	need_keyring
	two_machines
	echo "$S4" | A add aa > /dev/null
	A sync > /dev/null
	echo "$S5" | B add bb > /dev/null
	keyctl session - bash -c '
		export MFA_CACHE_TTL=300 MFA_VAULT="'"$T"'/b/vault"
		"$MFA_BIN" unlock > /dev/null
		unset MFA_PASSPHRASE_FILE
		setsid -w git -C "'"$T"'/b" -c user.name=u -c user.email=u@x \
			pull -q --no-rebase < /dev/null > "'"$T"'/pull.out" 2>&1
	'
	[ "$(names B)" = "$(printf 'Bank:bob\naa\nbb\ngithub\ngitlab')" ]
	[ "$(git -C "$T/b" log -1 --format=%p | wc -w)" -eq 2 ]
	! grep -q "mfa:" "$T/pull.out" || false
}

@test "git pull with merge, and with rebase, merges through the driver" {
	two_machines
	echo "$S4" | A add aa > /dev/null
	A sync > /dev/null
	echo "$S5" | B add bb > /dev/null
	run ugit -C "$T/b" pull
	[ "$status" -eq 0 ]
	[ "$(names B)" = "$(printf 'Bank:bob\naa\nbb\ngithub\ngitlab')" ]
	[ "$(git -C "$T/b" log -1 --format=%p | wc -w)" -eq 2 ]
	B sync > /dev/null
	A sync > /dev/null
	# Rebase: B's commit is replayed on A's.
	A rename aa aa2 > /dev/null
	A sync > /dev/null
	B rm --yes bb > /dev/null
	run ugit -C "$T/b" pull --rebase
	[ "$status" -eq 0 ]
	[ "$(names B)" = "$(printf 'Bank:bob\naa2\ngithub\ngitlab')" ]
	[ "$(git -C "$T/b" log -1 --format=%p | wc -w)" -eq 1 ]
	[ "$(git -C "$T/b" log -1 --format=%s)" = "rm bb" ]
	[ "$(stat -c %a "$T/b/vault")" = 600 ]
}

@test "a criss-cross history merges through a virtual base" {
	two_machines
	echo "$S4" | A add x1 > /dev/null
	echo "$S5" | B add y1 > /dev/null
	ugit -C "$T/a" push -q origin HEAD:refs/heads/xa
	ugit -C "$T/b" push -q origin HEAD:refs/heads/yb
	ugit -C "$T/a" fetch -q origin
	ugit -C "$T/b" fetch -q origin
	# Each merges the other's commit: two merge bases from now on.
	ugit -C "$T/a" merge -q --no-edit origin/yb
	ugit -C "$T/b" merge -q --no-edit origin/xa
	A rm --yes github > /dev/null
	echo "$S2" | B add y2 > /dev/null
	ugit -C "$T/b" push -q origin HEAD:refs/heads/yb2
	ugit -C "$T/a" fetch -q origin
	[ "$(git -C "$T/a" merge-base --all HEAD origin/yb2 | wc -l)" -eq 2 ]
	run ugit -C "$T/a" merge --no-edit origin/yb2
	[ "$status" -eq 0 ]
	[ "$(names A)" = "$(printf 'Bank:bob\ngitlab\nx1\ny1\ny2')" ]
}

@test "two separate vaults are never merged: export and import" {
	two_machines
	export MFA_VAULT="$T/c/vault"
	mfa_init
	echo "$S4" | C add mine > /dev/null
	before=$(sha "$T/c/vault")
	run C sync init "$R"
	[ "$status" -eq 1 ]
	[[ "$output" == *"mfa export"*"mfa import"* ]]
	[ "$(sha "$T/c/vault")" = "$before" ]
	[ "$(names C)" = mine ]
	run git -C "$T/c" rev-parse -q --verify MERGE_HEAD
	[ "$status" -ne 0 ]
	[ -z "$(git -C "$T/c" status --porcelain)" ]
}

@test "add/add of one vault copied by hand: merged, as it shares a key" {
	MFA_VAULT="$T/a/vault" mfa_init
	echo "$S1" | A add github > /dev/null
	mkdir -m 700 "$T/c"
	cp -p "$T/a/vault" "$T/c/vault"
	echo "$S4" | A add aa > /dev/null
	echo "$S5" | C add cc > /dev/null
	A sync init "$R" > /dev/null
	run C sync init "$R"
	[ "$status" -eq 0 ]
	[[ "$output" == *"added aa"* ]]
	[ "$(names C)" = "$(printf 'aa\ncc\ngithub')" ]
	A sync > /dev/null
	cmp "$T/a/vault" "$T/c/vault"
}

@test "git stash pop merges the vault through the driver" {
	two_machines
	# An uncommitted change on B, made while the folder was no repository.
	mv "$T/b/.git" "$T/b.git-away"
	echo "$S4" | B add stashed > /dev/null
	mv "$T/b.git-away" "$T/b/.git"
	[ -n "$(git -C "$T/b" status --porcelain vault)" ]
	echo "$S5" | A add aa > /dev/null
	A sync > /dev/null
	ugit -C "$T/b" stash -q
	ugit -C "$T/b" pull -q
	run ugit -C "$T/b" stash pop
	[ "$status" -eq 0 ]
	[ -z "$(git -C "$T/b" stash list)" ]
	[ "$(names B)" = "$(printf 'Bank:bob\naa\ngithub\ngitlab\nstashed')" ]
}

@test "a fresh clone without config: plain git conflicts, mfa sync resolve finishes" {
	two_machines
	(umask 022 && git clone -q "$R" "$T/c")
	# git checked it out readable by others: mfa names the fix.
	run C list
	[ "$status" -eq 1 ]
	[[ "$output" == *"chmod 600 $T/c/vault"* ]]
	chmod 600 "$T/c/vault"
	chmod 700 "$T/c"
	run git -C "$T/c" config merge.mfa.driver
	[ "$status" -ne 0 ]
	echo "$S4" | C add cc > /dev/null
	echo "$S5" | A add aa > /dev/null
	A sync > /dev/null
	run ugit -C "$T/c" pull --no-rebase
	[ "$status" -ne 0 ]
	[[ "$output" == *CONFLICT* ]]
	# mfa sync does not walk over a merge in progress.
	run C sync
	[ "$status" -eq 1 ]
	[[ "$output" == *"in the middle of a merge"*"mfa sync resolve"* ]]
	run C sync resolve
	[ "$status" -eq 0 ]
	[[ "$output" == *"added aa"* ]]
	[[ "$output" == *"resolved vault and committed the merge"* ]]
	[ "$(names C)" = "$(printf 'Bank:bob\naa\ncc\ngithub\ngitlab')" ]
	# mfa sync puts the driver in place again, and pushes.
	run C sync
	[ "$status" -eq 0 ]
	git -C "$T/c" config merge.mfa.driver > /dev/null
	A sync > /dev/null
	cmp "$T/a/vault" "$T/c/vault"
	# Nothing left to resolve.
	run C sync resolve
	[ "$status" -eq 1 ]
	[[ "$output" == *"nothing to resolve"* ]]
}

# A commit whose vault had one ciphertext byte flipped, pushed by a third
# clone.
push_tampered() {
	git clone -q "$R" "$T/evil"
	/usr/bin/python3 -c '
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[-20] ^= 1
open(p, "wb").write(b)' "$T/evil/vault"
	ugit -C "$T/evil" commit -q -am "add nothing"
	ugit -C "$T/evil" push -q
}

@test "a tampered commit is refused, and the vault stays as it was" {
	two_machines
	push_tampered
	# Fast-forward: no driver runs, mfa sync checks the result.
	before=$(sha "$T/a/vault")
	head=$(git -C "$T/a" rev-parse HEAD)
	run A sync
	[ "$status" -eq 1 ]
	[[ "$output" == *"modified"* ]]
	[ "$(sha "$T/a/vault")" = "$before" ]
	[ "$(git -C "$T/a" rev-parse HEAD)" = "$head" ]
	A list > /dev/null
	# A true merge: the driver and mfa sync both refuse.
	echo "$S4" | B add bb > /dev/null
	before=$(sha "$T/b/vault")
	run B sync
	[ "$status" -eq 1 ]
	[[ "$output" == *"does not authenticate"* ]]
	[ "$(sha "$T/b/vault")" = "$before" ]
	run git -C "$T/b" rev-parse -q --verify MERGE_HEAD
	[ "$status" -ne 0 ]
	[ "$(names B)" = "$(printf 'Bank:bob\nbb\ngithub\ngitlab')" ]
	# And git pull by hand: the driver leaves ours, git a conflict.
	run ugit -C "$T/b" pull --no-rebase
	[ "$status" -ne 0 ]
	[[ "$output" == *"does not authenticate"* ]]
	[ "$(sha "$T/b/vault")" = "$before" ]
	run B sync resolve
	[ "$status" -eq 1 ]
	[ "$(sha "$T/b/vault")" = "$before" ]
}

@test "mfa passwd on one machine: the other asks for that passphrase to merge" {
	two_machines
	printf 'new passphrase\n' > "$T/newpass"
	printf 'third passphrase\n' > "$T/third"
	MFA_NEW_PASSPHRASE_FILE="$T/newpass" A passwd > /dev/null 2>&1
	[ "$(git -C "$T/a" log -1 --format=%s)" = "passwd" ]
	MFA_PASSPHRASE_FILE="$T/newpass" A sync > /dev/null
	echo "$S4" | B add bb > /dev/null
	before=$(sha "$T/b/vault")
	# No way to ask for it: refused, nothing changed.
	run notty env MFA_VAULT="$T/b/vault" "$MFA_BIN" sync
	[ "$status" -eq 1 ]
	[[ "$output" == *"another vault key"*"no passphrase for it"* ]]
	[ "$(sha "$T/b/vault")" = "$before" ]
	run git -C "$T/b" rev-parse -q --verify MERGE_HEAD
	[ "$status" -ne 0 ]
	# With the other machine's passphrase: merged, under its key.
	run env MFA_IMPORT_PASSPHRASE_FILE="$T/newpass" \
		MFA_VAULT="$T/b/vault" "$MFA_BIN" sync
	[ "$status" -eq 0 ]
	run B list
	[ "$status" -eq 1 ]
	[ "$(MFA_PASSPHRASE_FILE="$T/newpass" names B)" = \
		"$(printf 'Bank:bob\nbb\ngithub\ngitlab')" ]
	# By hand: git pull's driver refuses, mfa sync resolve asks.
	export MFA_PASSPHRASE_FILE="$T/newpass"
	A sync > /dev/null
	MFA_NEW_PASSPHRASE_FILE="$T/third" A passwd > /dev/null 2>&1
	MFA_PASSPHRASE_FILE="$T/third" A sync > /dev/null
	echo "$S5" | B add aa > /dev/null
	before=$(sha "$T/b/vault")
	run notty git -C "$T/b" -c user.name=u -c user.email=u@x pull --no-rebase
	[ "$status" -ne 0 ]
	[[ "$output" == *"another vault key"*"mfa sync resolve"* ]]
	[ "$(sha "$T/b/vault")" = "$before" ]
	run env MFA_IMPORT_PASSPHRASE_FILE="$T/third" \
		MFA_VAULT="$T/b/vault" "$MFA_BIN" sync resolve
	[ "$status" -eq 0 ]
	[[ "$output" == *"resolved vault and committed the merge"* ]]
	[ "$(MFA_PASSPHRASE_FILE="$T/third" names B)" = \
		"$(printf 'Bank:bob\naa\nbb\ngithub\ngitlab')" ]
}

@test "key slots changed on both machines are refused" {
	two_machines
	printf 'pa\n' > "$T/pa"
	printf 'pb\n' > "$T/pb"
	MFA_NEW_PASSPHRASE_FILE="$T/pa" A passwd > /dev/null 2>&1
	MFA_PASSPHRASE_FILE="$T/pa" A sync > /dev/null
	MFA_NEW_PASSPHRASE_FILE="$T/pb" B passwd > /dev/null 2>&1
	before=$(sha "$T/b/vault")
	run env MFA_PASSPHRASE_FILE="$T/pb" MFA_IMPORT_PASSPHRASE_FILE="$T/pa" \
		MFA_VAULT="$T/b/vault" "$MFA_BIN" sync
	[ "$status" -eq 1 ]
	[[ "$output" == *"changed on both sides"* ]]
	[ "$(sha "$T/b/vault")" = "$before" ]
}

@test "the merge driver: locked, or given garbage, it leaves ours and exits 1" {
	two_machines
	cp "$T/a/vault" "$T/o"
	cp "$T/a/vault" "$T/x"
	head -c 3000 /dev/urandom > "$T/t"
	before=$(sha "$T/x")
	cd "$T/a"
	run "$MFA_BIN" --vault "$T/a/vault" merge-driver "$T/o" "$T/x" "$T/t" vault
	[ "$status" -eq 1 ]
	[[ "$output" == *"mfa: cannot merge vault: their version of the vault: not an mfa vault"* ]]
	[ "$(sha "$T/x")" = "$before" ]
	# A child of mfa sync never asks: no cached key, no merge.
	cp "$T/a/vault" "$T/t"
	run env MFA_SYNC_PARENT=1 "$MFA_BIN" --vault "$T/a/vault" merge-driver \
		"$T/o" "$T/x" "$T/t" vault
	[ "$status" -eq 1 ]
	[[ "$output" == *"locked"*"mfa sync resolve"* ]]
	[ "$(sha "$T/x")" = "$before" ]
	# With a key it merges, and writes A 0600.
	run "$MFA_BIN" --vault "$T/a/vault" merge-driver "$T/o" "$T/x" "$T/t" vault
	[ "$status" -eq 0 ]
	[ "$(stat -c %a "$T/x")" = 600 ]
	# textconv: no key, no text, and success for git.
	run "$MFA_BIN" --vault "$T/a/vault" textconv "$T/x"
	[ "$status" -eq 0 ]
	[ "$output" = "<vault locked>" ]
	run "$MFA_BIN" --vault "$T/a/vault" textconv "$T/o.none"
	[ "$status" -eq 1 ]
	echo hello > "$T/plain"
	run "$MFA_BIN" textconv "$T/plain"
	[ "$status" -eq 0 ]
	[ "$output" = "<not an mfa vault>" ]
	# Hidden from help and completion.
	run "$MFA_BIN" help
	[[ "$output" != *merge-driver* ]]
	[[ "$output" != *textconv* ]]
}

@test "git log -p shows names and fields, never a secret" {
	need_keyring
	two_machines
	A rename github gh > /dev/null
	A code gitlab > /dev/null
	run git -C "$T/a" show --textconv HEAD:vault
	[ "$status" -eq 0 ]
	[ "$output" = "<vault locked>" ]
	keyctl session - bash -c '
		export MFA_CACHE_TTL=300 MFA_VAULT="'"$T"'/a/vault"
		"$MFA_BIN" unlock > /dev/null
		git -C "'"$T"'/a" log -p > "'"$T"'/log.txt"
	'
	grep -q '^-account github' "$T/log.txt"
	grep -q '^+account gh' "$T/log.txt"
	grep -q '^-  counter     0' "$T/log.txt"
	grep -q '^+  counter     1' "$T/log.txt"
	grep -q '<redacted>' "$T/log.txt"
	for s in $S1 $S2 $S3; do
		! grep -qi "$s" "$T/log.txt" || false
		! grep -q "$(b32hex "$s")" "$T/log.txt" || false
	done
	# git never kept that text.
	[ -z "$(find "$T/a/.git" -path '*textconv*')" ]
}

@test "no secret anywhere in .git, the remote or the work trees" {
	two_machines
	echo "$S4" | A add aa > /dev/null
	echo "$S5" | B add bb > /dev/null
	A code gitlab > /dev/null
	A sync > /dev/null
	B sync > /dev/null
	A sync > /dev/null
	printf 'control %s\n' "$S4" > "$T/control"
	/usr/bin/python3 - "$T" $S1 $S2 $S3 $S4 $S5 <<-'EOF'
		import base64, os, subprocess, sys
		root, secrets = sys.argv[1], sys.argv[2:]
		needles = []
		for s in secrets:
		    raw = base64.b32decode(s)
		    needles += [s.encode(), s.lower().encode(), raw, raw.hex().encode()]
		def hits(data):
		    return [n for n in needles if n in data]
		# The search finds what is there.
		assert hits(open(os.path.join(root, "control"), "rb").read())
		blobs = []
		for repo in ("a", "b", "remote.git"):
		    path = os.path.join(root, repo)
		    out = subprocess.run(["git", "-C", path, "cat-file",
		        "--batch-all-objects", "--batch"], capture_output=True,
		        check=True).stdout
		    assert len(out) > 1000
		    blobs.append((repo + " objects", out))
		    for d, _, files in os.walk(path):
		        for f in files:
		            p = os.path.join(d, f)
		            blobs.append((p, open(p, "rb").read()))
		bad = [(name, h) for name, data in blobs for h in hits(data)]
		if bad:
		    print(bad)
		    sys.exit(1)
	EOF
}

@test "git run by hand with umask 022 leaves the vault 0600" {
	two_machines
	echo "$S4" | A add aa > /dev/null
	A sync > /dev/null
	(umask 022 && ugit -C "$T/b" pull -q)
	[ "$(stat -c %a "$T/b/vault")" = 600 ]
	B list > /dev/null
}

@test "sync outside a repository, and resolve with nothing to do, fail clearly" {
	mfa_init
	run mfa sync
	[ "$status" -eq 1 ]
	[[ "$output" == "mfa: $T/v is not a sync repository: run 'mfa sync init' first" ]]
	run mfa sync resolve
	[ "$status" -eq 1 ]
	run env MFA_VAULT="$T/none/vault" "$MFA_BIN" sync init
	[ "$status" -eq 1 ]
	[[ "$output" == *"no vault at $T/none/vault"* ]]
}

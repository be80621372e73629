#!/usr/bin/env bats
# The vault against other users and the file system (issues 9, 10, 13): the
# unlock cache is out of reach of other uids, lock/unlock say which keyring
# they used, passwd keeps the KDF cost, unsafe permissions and file system
# errors are named. Tests that cache a key run inside `keyctl session -`
# or as a uid of their own, so they never see or drop another test's key.
load helpers

# A uid of the tests' own: its per-user keyrings are nobody else's.
U=4242

setup() {
	mfa_setup
}

teardown() {
	if [ -n "${T:-}" ] && [ -d "$T/u" ] && [ "$(id -u)" = 0 ]; then
		as_u "$MFA_BIN" lock --all > /dev/null 2>&1 || true
		as_u keyctl session - "$MFA_BIN" lock --all > /dev/null 2>&1 || true
	fi
	mfa_teardown
}

S1=JBSWY3DPEHPK3PXP

need_keyctl() {
	command -v keyctl > /dev/null || skip "keyutils (keyctl) not installed"
}

need_setpriv() {
	command -v setpriv > /dev/null || skip "setpriv (util-linux) not installed"
	[ "$(id -u)" = 0 ] || skip "switching uid needs root"
}

# Run as uid $U with a home, vault and passphrase file of its own in $T/u.
as_u() {
	setpriv --reuid=$U --regid=$U --clear-groups \
		env HOME="$T/u" MFA_VAULT="$T/u/v/vault" \
		MFA_PASSPHRASE_FILE="$T/u/pass" MFA_CACHE_TTL=300 "$@"
}

u_setup() {
	# Under run-all's valgrind wrapper, uid $U's reports go beside ours.
	if [ "$(head -c 2 "$MFA_BIN")" = "#!" ]; then
		vg=$(sed -n 's|.*--log-file=\([^ ]*\)/%p\..*|\1|p' "$MFA_BIN")
		[ -z "$vg" ] || chmod 1777 "$vg"
	fi
	chmod 711 "$T"
	mkdir -m 700 "$T/u"
	printf 'test passphrase\n' > "$T/u/pass"
	chown -R $U:$U "$T/u"
	as_u "$MFA_BIN" init --kdf-ops 1 --kdf-mem 1 > /dev/null 2>&1
	echo "$S1" | as_u "$MFA_BIN" add github > /dev/null
}

# The ids of the cached mfa keys in the keyrings this process can see.
cached_ids() {
	keyctl show @s 2> /dev/null | awk '/user: mfa:vault:/ { print $1 }'
}

# The last line of a `run`: after keyctl's "Joined session keyring", after
# init's warning about a tiny KDF cost.
last() {
	printf '%s' "${lines[${#lines[@]}-1]}"
}

# Whether uid $U's processes here have no session keyring of their own (the
# kernel then lends them the user-session keyring).
u_lent() {
	[ "$(as_u keyctl id @s)" = "$(as_u keyctl id @us)" ]
}

# Offsets 66 and 74: the passphrase slot's opslimit and memlimit (u64).
kdf_of() {
	od -An -t u8 -j 66 -N 16 "$1" | tr -s ' ' | sed 's/^ //'
}

@test "the cached key is unreadable by another uid that shares the session keyring" {
	need_keyctl
	need_setpriv
	mfa_init
	echo "$S1" | mfa add github > /dev/null
	# The session keyring is inherited across setpriv, as across su/sudo.
	run keyctl session - bash -c '
		"$MFA_BIN" unlock --ttl 60 > /dev/null || exit 10
		id=$(keyctl show @s | awk "/user: mfa:vault:/ { print \$1 }")
		[ -n "$id" ] || exit 11
		# The owner reads all 32 bytes of it ...
		[ "$(keyctl pipe "$id" | wc -c)" = 32 ] || exit 12
		# ... user nobody nothing, by id or by search.
		if setpriv --reuid=65534 --regid=65534 --clear-groups \
			keyctl pipe "$id" > "$1/stolen" 2> /dev/null; then
			exit 13
		fi
		[ ! -s "$1/stolen" ] || exit 14
		desc=$(keyctl rdescribe "$id" | sed "s/.*;//")
		if setpriv --reuid=65534 --regid=65534 --clear-groups \
			keyctl search @s user "$desc" > /dev/null 2>&1; then
			exit 15
		fi
		"$MFA_BIN" lock > /dev/null || exit 16
	' _ "$T"
	[ "$status" -eq 0 ]
}

@test "unlock names the keyring it used: session or user-session" {
	need_keyctl
	need_setpriv
	u_setup
	# A session keyring of its own.
	run as_u keyctl session - "$MFA_BIN" unlock --ttl 60
	[ "$status" -eq 0 ]
	[ "$(last)" = "unlocked $T/u/v/vault for 60s (session keyring)" ]
	# Its session keyring revoked: no keyring it could use, and it says so.
	run as_u keyctl session - sh -c 'keyctl revoke @s && "$MFA_BIN" unlock --ttl 60'
	[ "$status" -eq 1 ]
	[ "$(last)" = "mfa: unlock cache for $T/u/v/vault: kernel keyring unavailable" ]
	# This process's own: the user-session keyring when it has no session
	# keyring, else that session keyring.
	if u_lent; then
		want="user-session keyring"
	else
		want="session keyring"
	fi
	run as_u "$MFA_BIN" unlock --ttl 60
	[ "$status" -eq 0 ]
	[ "$output" = "unlocked $T/u/v/vault for 60s ($want)" ]
}

@test "lock says what it dropped, fails when nothing was cached, and --all reaches the user-session keyring" {
	need_keyctl
	need_setpriv
	u_setup
	as_u "$MFA_BIN" unlock --ttl 60 > /dev/null
	# Another session finds nothing of this vault in its own keyring.
	run as_u keyctl session - "$MFA_BIN" lock
	[ "$status" -eq 1 ]
	[ "$(last)" = "mfa: unlock cache for $T/u/v/vault (session keyring): nothing was cached here" ]
	# The key is still there for this process.
	run as_u env -u MFA_PASSPHRASE_FILE setsid -w "$MFA_BIN" code github < /dev/null
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^[0-9]{6}$ ]]
	run as_u keyctl session - "$MFA_BIN" lock --all
	if u_lent; then
		# It was in the user-session keyring: --all from another
		# session reaches it there.
		[ "$status" -eq 0 ]
		[ "$(last)" = "dropped 1 cached vault key" ]
		run as_u env -u MFA_PASSPHRASE_FILE setsid -w "$MFA_BIN" code github < /dev/null
		[ "$status" -eq 1 ]
	else
		# It was in this process's session keyring, which another
		# session cannot reach; this one can.
		[ "$status" -eq 1 ]
		run as_u "$MFA_BIN" lock --all
		[ "$status" -eq 0 ]
		[ "$output" = "dropped 1 cached vault key" ]
	fi
	# Nothing left anywhere that a new session reaches.
	run as_u keyctl session - "$MFA_BIN" lock --all
	[ "$status" -eq 1 ]
	[ "$(last)" = "mfa: unlock cache (session and user-session keyrings): nothing was cached here" ]
	# Plain lock in the keyring unlock used says what it dropped.
	run as_u keyctl session - sh -c '"$MFA_BIN" unlock --ttl 60 > /dev/null && "$MFA_BIN" lock && "$MFA_BIN" lock'
	[ "$status" -eq 1 ]
	[ "${lines[1]}" = "locked $T/u/v/vault (dropped its key from the session keyring)" ]
	[ "${lines[2]}" = "mfa: unlock cache for $T/u/v/vault (session keyring): nothing was cached here" ]
}

@test "passwd keeps the KDF cost; lowering it takes --weaker-kdf" {
	mfa init --kdf-ops 2 --kdf-mem 9 > /dev/null 2>&1
	echo "$S1" | mfa add github > /dev/null
	[ "$(kdf_of "$MFA_VAULT")" = "2 $((9 << 20))" ]
	echo "second passphrase" > "$T/new"
	MFA_NEW_PASSPHRASE_FILE="$T/new" run mfa passwd
	[ "$status" -eq 0 ]
	[ "$(kdf_of "$MFA_VAULT")" = "2 $((9 << 20))" ]
	before=$(sha "$MFA_VAULT")
	MFA_PASSPHRASE_FILE="$T/new" MFA_NEW_PASSPHRASE_FILE="$T/pass" \
		run mfa passwd --kdf-ops 1 --kdf-mem 8
	[ "$status" -eq 2 ]
	[[ "$output" == *"--weaker-kdf"* ]]
	[ "$(sha "$MFA_VAULT")" = "$before" ]
	# One option raised, the other kept.
	MFA_PASSPHRASE_FILE="$T/new" MFA_NEW_PASSPHRASE_FILE="$T/pass" \
		run mfa passwd --kdf-ops 3
	[ "$status" -eq 0 ]
	[ "$(kdf_of "$MFA_VAULT")" = "3 $((9 << 20))" ]
	MFA_NEW_PASSPHRASE_FILE="$T/pass" \
		run mfa passwd --kdf-ops 1 --kdf-mem 8 --weaker-kdf
	[ "$status" -eq 0 ]
	[ "$(kdf_of "$MFA_VAULT")" = "1 $((8 << 20))" ]
	[ "$(mfa code github --at 59)" = "$(oathtool --totp -N @59 "$(b32hex $S1)")" ]
}

@test "passwd changes the vault key: a cached old key no longer opens the vault" {
	need_keyctl
	mfa_init
	echo "$S1" | mfa add github > /dev/null
	echo "second passphrase" > "$T/new"
	run keyctl session - bash -c '
		export MFA_CACHE_TTL=300
		"$MFA_BIN" unlock > /dev/null || exit 10
		old=$(keyctl pipe "$(keyctl show @s | awk "/user: mfa:vault:/ { print \$1 }")" | od -An -tx1 | tr -d " \n")
		[ ${#old} = 64 ] || exit 11
		MFA_NEW_PASSPHRASE_FILE="$1/new" "$MFA_BIN" passwd > /dev/null || exit 12
		# The old key was dropped with the change ...
		[ -z "$(keyctl show @s | awk "/user: mfa:vault:/ { print \$1 }")" ] || exit 13
		# ... and the new passphrase caches a different one.
		MFA_PASSPHRASE_FILE="$1/new" "$MFA_BIN" unlock > /dev/null || exit 14
		new=$(keyctl pipe "$(keyctl show @s | awk "/user: mfa:vault:/ { print \$1 }")" | od -An -tx1 | tr -d " \n")
		[ ${#new} = 64 ] || exit 15
		[ "$old" != "$new" ] || exit 16
		"$MFA_BIN" lock > /dev/null
	' _ "$T"
	[ "$status" -eq 0 ]
}

@test "a vault readable by group or others is refused, with the chmod that fixes it" {
	mfa_init
	for m in 640 604 644; do
		chmod $m "$MFA_VAULT"
		run mfa list
		[ "$status" -eq 1 ]
		[ "$output" = "mfa: vault $MFA_VAULT: readable by group or others: run chmod 600 $MFA_VAULT" ]
	done
	chmod 600 "$MFA_VAULT"
	run mfa list
	[ "$status" -eq 0 ]
	# Writable by others: the folder's fix is named too.
	chmod 770 "$T/v"
	run mfa list
	[ "$status" -eq 1 ]
	[ "$output" = "mfa: vault $MFA_VAULT: unsafe ownership or permissions (owned by another user, or writable by others): run chmod go-w $T/v" ]
}

@test "a directory given as the vault: is a directory" {
	mkdir -p "$T/d"
	run mfa --vault "$T/d" list
	[ "$status" -eq 1 ]
	[ "$output" = "mfa: vault $T/d: is a directory" ]
	run mfa --vault "$T/d" init --kdf-ops 1 --kdf-mem 1
	[ "$status" -eq 1 ]
	[ "$(last)" = "mfa: vault $T/d: is a directory" ]
	[ -z "$(ls -A "$T/d")" ]
}

@test "a read-only file system: reads work, writes say read-only file system" {
	[ "$(id -u)" = 0 ] || skip "mounting a file system needs root"
	mfa_init
	echo "$S1" | mfa add github > /dev/null
	mkdir "$T/ro"
	mount -t tmpfs -o size=1m,mode=700 none "$T/ro"
	cp -a "$T/v" "$T/ro/v"
	mount -o remount,ro "$T/ro"
	before=$(sha "$T/ro/v/vault")
	MFA_VAULT="$T/ro/v/vault" run mfa code github --at 59
	ok=$status
	MFA_VAULT="$T/ro/v/vault" run mfa add gitlab <<< "$S1"
	add_status=$status add_output=$output
	MFA_VAULT="$T/ro/new/vault" run mfa init --kdf-ops 1 --kdf-mem 1
	init_status=$status init_output=$(last)
	after=$(sha "$T/ro/v/vault")
	umount "$T/ro"
	[ "$ok" -eq 0 ]
	[ "$add_status" -eq 1 ]
	[ "$add_output" = "mfa: account gitlab: read-only file system" ]
	[ "$init_status" -eq 1 ]
	[ "$init_output" = "mfa: vault $T/ro/new/vault: read-only file system" ]
	[ "$before" = "$after" ]
}

@test "a folder without write permission: permission denied" {
	need_setpriv
	u_setup
	chmod 500 "$T/u/v"
	before=$(sha "$T/u/v/vault")
	run as_u "$MFA_BIN" add gitlab <<< "$S1"
	[ "$status" -eq 1 ]
	[ "$output" = "mfa: account gitlab: permission denied" ]
	[ "$(sha "$T/u/v/vault")" = "$before" ]
	run as_u "$MFA_BIN" --vault "$T/elsewhere/vault" init --kdf-ops 1 --kdf-mem 1
	[ "$status" -eq 1 ]
	[ "$(last)" = "mfa: vault $T/elsewhere/vault: permission denied" ]
	chmod 700 "$T/u/v"
}

# Runs "mfa ARGS" as uid $U under `ulimit -l KIB`: stdout in $output, the
# warnings in $T/u/err.
big_mfa() {
	local kib=$1
	shift
	run as_u sh -c 'ulimit -l "$1" && shift && exec "$@" 2> "$T/u/err"' \
		_ "$kib" "$MFA_BIN" --vault "$T/u/big/vault" "$@"
}

@test "100,000 accounts as an ordinary user, mlock limited to 8 MiB and to 64 KiB" {
	need_setpriv
	scale=${MFA_BUILD:-build}/tests/test_vault_scale
	# The fixture maker is built with the unit tests: its absence fails.
	[ -x "$scale" ]
	u_setup
	export T
	chmod 711 "$T/u"
	as_u "$scale" --make "$T/u/big/vault" 100000 "test passphrase"
	chmod 700 "$T/u"
	# 100-line otpauth lists whose secrets oathtool knows too.
	for kib in 8192 64; do
		/usr/bin/python3 -c '
import base64, sys
k = int(sys.argv[1]) % 251
for i in range(100):
    s = base64.b32encode(bytes([i, k] * 10)).decode().rstrip("=")
    print("otpauth://totp/Imp:r%d-%d?secret=%s&issuer=Imp" % (k, i, s))
' $kib > "$T/u/l$kib.txt"
	done
	chown $U:$U "$T/u"/l*.txt
	n=100000
	for kib in 8192 64; do
		want=$(oathtool --totp -N @59 "$("$scale" --secret 54321)")
		big_mfa $kib code user054321@example.com --at 59
		[ "$status" -eq 0 ]
		[ "$output" = "$want" ]
		# code decodes only the accounts its query may name: one
		# secret, locked even under 64 KiB.
		[ ! -s "$T/u/err" ]
		t=$(date +%s)
		big_mfa $kib list --codes
		[ "$status" -eq 0 ]
		[ "${#lines[@]}" -eq $((n + 1)) ]
		got=$(printf '%s\n' "${lines[@]}" | awk '$2 == "user054321@example.com" { print $4 }')
		[ "$got" = "$(oathtool --totp -N "@$t" "$("$scale" --secret 54321)")" ] ||
			[ "$got" = "$(oathtool --totp -N "@$((t + 30))" "$("$scale" --secret 54321)")" ]
		# Every secret is locked under 8 MiB; under 64 KiB mfa works on
		# and says, once, what to raise (where mlock can be refused at
		# all: not for root, nor under ASan, whose mlock does nothing).
		if [ $kib = 64 ] && [ "$(as_u "$scale" --mlock 64)" = refused ]; then
			[ "$(grep -c "ulimit -l" "$T/u/err")" = 1 ]
			[[ "$(cat "$T/u/err")" == "mfa: warning: "*"could not be locked in memory (RLIMIT_MEMLOCK is 64 KiB)"* ]]
		else
			[ ! -s "$T/u/err" ]
		fi
		big_mfa $kib list
		[ "$status" -eq 0 ]
		[ "${#lines[@]}" -eq $((n + 1)) ]
		[ "$(printf '%s\n' "${lines[@]}" | grep -c ' user054321@example.com ')" = 1 ]
		big_mfa $kib add "added$kib" <<< "$S1"
		[ "$status" -eq 0 ]
		[ "$(as_u "$MFA_BIN" --vault "$T/u/big/vault" code "added$kib" --at 59)" = \
			"$(oathtool --totp -N @59 "$(b32hex $S1)")" ]
		gone=user00000$((kib % 10))@example.com
		big_mfa $kib rm --yes "$gone"
		[ "$status" -eq 0 ]
		big_mfa $kib code "$gone"
		[ "$status" -eq 1 ]
		big_mfa $kib import "$T/u/l$kib.txt"
		[ "$status" -eq 0 ]
		[ "${#lines[@]}" -eq 100 ]
		grep -qx "imported 100 accounts, skipped 0" "$T/u/err"
		s42=$(/usr/bin/python3 -c 'import sys; print(bytes([42, int(sys.argv[1]) % 251] * 10).hex())' $kib)
		big_mfa $kib code "Imp:r$((kib % 251))-42" --at 59
		[ "$output" = "$(oathtool --totp -N @59 "$s42")" ]
		n=$((n + 100))
	done
	big_mfa 8192 list
	[ "${#lines[@]}" -eq $((n + 1)) ]
}

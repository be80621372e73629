#!/usr/bin/env bats
# The CLI frame: --version, help, usage errors, and `mfa code --secret-stdin`
# (no vault) against published vectors. Expected codes come from RFC 4226
# Appendix D, RFC 6238 Appendix B (with the RFC's per-hash seeds: 20, 32 and
# 64 bytes) and codes made by the real Steam app (KeePassXC's tests); none
# comes from mfa itself. Nothing here reads the clock except through --at.
#
# MFA_BIN: the binary under test (default ./mfa, from the repo root).

bats_require_minimum_version 1.5.0

SHA1_SEED=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ
SHA256_SEED=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA====
SHA512_SEED=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNA=

setup() {
	MFA_BIN=${MFA_BIN:-./mfa}
	case "$MFA_BIN" in
	/*) ;;
	*) MFA_BIN="$PWD/$MFA_BIN" ;;
	esac
	[ -x "$MFA_BIN" ] || { echo "no mfa binary at $MFA_BIN (make all)" >&2; return 1; }
	# Never touch a real vault or unlock cache.
	export HOME="$BATS_TEST_TMPDIR/home"
	export XDG_DATA_HOME="$HOME/.local/share"
	export MFA_VAULT="$BATS_TEST_TMPDIR/no-such-vault"
	export MFA_CACHE_TTL=0
	unset MFA_PASSPHRASE MFA_PASSPHRASE_FILE MFA_PASSPHRASE_COMMAND
	mkdir -p "$HOME"
}

# code STDIN ARGS...: run `mfa code --secret-stdin ARGS` with STDIN.
code() {
	local in=$1
	shift
	run --separate-stderr "$MFA_BIN" code --secret-stdin "$@" <<<"$in"
}

# The run printed CODE and a newline on stdout, nothing on stderr, exit 0.
is_code() {
	[ "$status" -eq 0 ] || {
		echo "exit $status, stderr: $stderr"
		return 1
	}
	[ "$output" = "$1" ] || {
		echo "got '$output', want '$1'"
		return 1
	}
	[ -z "$stderr" ] || {
		echo "stderr: $stderr"
		return 1
	}
}

@test "--version prints a version and exits 0" {
	run --separate-stderr "$MFA_BIN" --version
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^mfa\ [0-9]+\.[0-9]+ ]]
	[ "${#lines[@]}" -eq 1 ]
}

@test "help lists the commands" {
	run --separate-stderr "$MFA_BIN" help
	[ "$status" -eq 0 ]
	for c in init add import list code show verify rm rename edit export \
		passwd unlock lock completion help; do
		[[ "$output" == *"$c"* ]] || {
			echo "help does not list $c"
			return 1
		}
	done
}

@test "help code shows the code usage" {
	run --separate-stderr "$MFA_BIN" help code
	[ "$status" -eq 0 ]
	[[ "$output" == *"usage: mfa code"* ]]
	[[ "$output" == *"--secret-stdin"* ]]
	[[ "$output" == *"--at"* ]]
}

@test "code --help shows the code usage" {
	run --separate-stderr "$MFA_BIN" code --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"usage: mfa code"* ]]
	[[ "$output" == *"--secret-stdin"* ]]
}

@test "an unknown command prints usage on stderr and exits 2" {
	run --separate-stderr "$MFA_BIN" frobnicate
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[[ "$stderr" == *"frobnicate"* ]]
	[[ "$stderr" == *"usage:"* ]]
}

@test "an unknown option prints usage on stderr and exits 2" {
	run --separate-stderr "$MFA_BIN" code --secret-stdin --frobnicate <<<"$SHA1_SEED"
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[[ "$stderr" == *"--frobnicate"* ]]
	[[ "$stderr" == *"usage:"* ]]
	run --separate-stderr "$MFA_BIN" --frobnicate
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[[ "$stderr" == *"usage:"* ]]
}

@test "RFC 6238 at 59 s, 8 digits, SHA1/SHA256/SHA512" {
	code "$SHA1_SEED" --at 59 -d 8
	is_code 94287082
	code "$SHA256_SEED" --at 59 -d 8 -a SHA256
	is_code 46119246
	code "$SHA512_SEED" --at 59 -d 8 -a SHA512
	is_code 90693936
}

@test "RFC 6238 rows past 2038 (64-bit time)" {
	code "$SHA1_SEED" --at 20000000000 -d 8
	is_code 65353130
	code "$SHA512_SEED" --at 20000000000 -d 8 -a sha512
	is_code 47863826
}

@test "default is 6-digit SHA1 TOTP with 30 s steps" {
	code "$SHA1_SEED" --at 1234567890
	is_code 005924
	code "$SHA1_SEED" --totp --at 1111111109
	is_code 081804
}

@test "lower case, spaced and padded secrets work" {
	code "gezdgnbvgy3tqojqgezdgnbvgy3tqojq" --at 59 -d 8
	is_code 94287082
	code "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ" --at 59 -d 8
	is_code 94287082
	code "gezd-gnbv-gy3t-qojq-gezd-gnbv-gy3t-qojq" --at 59 -d 8
	is_code 94287082
	code "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA" --at 59 -d 8 -a SHA256
	is_code 46119246
	code "$SHA256_SEED" --at 59 -d 8 -a SHA256
	is_code 46119246
}

@test "a bad base32 secret: exit 1, one line naming the position" {
	code "GEZD0NBVGY3TQOJQ" --at 59
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == "mfa: "* ]]
	# The '0' is the 5th character.
	[[ "$stderr" == *"position 5"* ]]
}

@test "empty stdin: exit 1 with an error line" {
	run --separate-stderr "$MFA_BIN" code --secret-stdin --at 59 </dev/null
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == "mfa: "* ]]
}

@test "an otpauth URI on stdin applies its parameters" {
	# period=60: 119 s is step 1, the RFC's step at 59 s.
	code "otpauth://totp/RFC:sha256?secret=$SHA256_SEED&digits=8&algorithm=SHA256&period=60" --at 119
	is_code 46119246
	# 89 s would be step 2 with 30 s steps; with 60 s it is still step 1.
	code "otpauth://totp/RFC:sha256?secret=$SHA256_SEED&digits=8&algorithm=SHA256&period=60" --at 89
	is_code 46119246
	code "otpauth://totp/RFC:sha1?secret=$SHA1_SEED&digits=8" --at 59
	is_code 94287082
	code "otpauth://hotp/RFC:hotp?secret=$SHA1_SEED&counter=9" --at 59
	is_code 520489
}

@test "--next gives the next period's code" {
	# 1111111109 is step 0x23523EC; the next step is RFC's 1111111111 row.
	code "$SHA1_SEED" --at 1111111109 -d 8 --next
	is_code 14050471
	code "$SHA256_SEED" --at 1111111109 -d 8 -a SHA256 --next
	is_code 67062674
}

@test "--at takes ISO-8601 UTC" {
	code "$SHA1_SEED" --at 2005-03-18T01:58:29Z -d 8
	is_code 07081804
	code "$SHA1_SEED" --at 2009-02-13T23:31:30Z -d 8
	is_code 89005924
	code "$SHA1_SEED" --at 2603-10-11T11:33:20Z -d 8
	is_code 65353130
}

@test "--at garbage is a usage error" {
	code "$SHA1_SEED" --at yesterday
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[[ "$stderr" == "mfa: "* ]]
}

@test "stdout holds exactly the code and a newline" {
	"$MFA_BIN" code --secret-stdin --at 59 -d 8 <<<"$SHA1_SEED" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err"
	printf '94287082\n' >"$BATS_TEST_TMPDIR/want"
	cmp "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/want"
	[ ! -s "$BATS_TEST_TMPDIR/err" ]
}

@test "HOTP with -c (RFC 4226)" {
	code "$SHA1_SEED" --hotp -c 0
	is_code 755224
	code "$SHA1_SEED" --hotp -c 5
	is_code 254676
	code "$SHA1_SEED" --hotp -c 9
	is_code 520489
	code "$SHA1_SEED" --hotp -c 5 --next
	is_code 287922
	code "$SHA1_SEED" --hotp -c 1 -d 8
	is_code 94287082
}

@test "HOTP with a 64-bit counter (oathtool's vectors)" {
	# key DEADBEEF, counter 2^63 and 2^64-1
	code "32W353Y=" --hotp -c 9223372036854775808
	is_code 657352
	code "32W353Y=" --hotp -c 18446744073709551615
	is_code 044040
}

@test "Steam with --steam (codes from the real Steam app)" {
	code "63BEDWCQZKTQWPESARIERL5DTTQFCJTK" --steam --at 1511200518
	is_code FR8RV
	code "63BEDWCQZKTQWPESARIERL5DTTQFCJTK" --steam --at 1511200714
	is_code 9P3VP
	code "otpauth://totp/Steam:me?secret=63BEDWCQZKTQWPESARIERL5DTTQFCJTK&encoder=steam" --at 1511200518
	is_code FR8RV
}

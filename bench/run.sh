#!/bin/sh
# make bench: mfa's speed and scale against independent references measured
# in the same run on the same machine, as ratios from interleaved runs
# (A B A B ..., bench/pair.py), plus instruction counts under callgrind
# where wall times of a few milliseconds are noise. Prints one line per
# target of the performance issue, with its goal and whether it is met.
# Needs: cc, pkg-config, python3, oathtool, qrencode's library, zbarimg,
# valgrind (optional). Makes its own images; no ImageMagick.
# Environment: MFA_BIN (default ./mfa), BENCH_RUNS (pairs for the quick
# commands, default 100), BENCH_MAX (largest vault, default 100000).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
MFA=${MFA_BIN:-$(pwd)/mfa}
N=${BENCH_RUNS:-100}
MAX=${BENCH_MAX:-100000}
PY=$(command -v python3 || echo /usr/bin/python3)
KEY_HEX=3132333435363738393031323334353637383930
KEY_B32=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ
T=1111111109

# Cached keys live in the session keyring: use one of our own.
if [ -z "${MFA_BENCH_SESSION:-}" ] && command -v keyctl > /dev/null; then
	MFA_BENCH_SESSION=1 exec keyctl session - sh "$0" "$@"
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/mfa-bench.XXXXXX")
chmod 755 "$dir"
trap 'rm -rf "$dir"' EXIT INT TERM
unset MFA_PASSPHRASE MFA_PASSPHRASE_COMMAND MFA_VAULT
printf 'bench\n' > "$dir/pass"
export MFA_PASSPHRASE_FILE="$dir/pass" MFA_CACHE_TTL=3600
echo "$KEY_B32" > "$dir/secret"

pair() { "$PY" "$here/pair.py" "$@"; }
field() { echo "$1" | cut -d' ' -f"$2"; }
ms() { awk -v s="$1" 'BEGIN { printf "%.2f ms", s * 1000 }'; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }
verdict() { if [ "$1" = 0 ]; then echo met; else echo "NOT MET"; fi; }
row() { printf '%-3s %-46s %s\n' "$1" "$2" "$3"; }

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
flags=$(grep -m1 '^flags' /proc/cpuinfo | grep -o -w 'sha_ni\|avx2' | tr '\n' ' ')
echo "mfa bench: $(date -u +%Y-%m-%dT%H:%MZ) on ${cpu:-unknown CPU}, $(nproc) cores" \
	"($flags), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)"
echo "ratios are mfa / reference (below 1: mfa is faster), medians of per-pair ratios"
echo

# Helpers built here from their sources in bench/.
cc -O2 -o "$dir/mkimg" "$here/mkimg.c" $(pkg-config --cflags --libs libqrencode libpng) -ljpeg
cc -O2 -o "$dir/argon2ref" "$here/argon2ref.c" $(pkg-config --cflags --libs libsodium)

# URI lists: n accounts with distinct random secrets, 10,000 a file.
urilist() {
	"$PY" - "$1" "$2" << 'PYEOF'
import base64, os, sys
n, out = int(sys.argv[1]), sys.argv[2]
for f in range(0, n, 10000):
    with open("%s.%06d" % (out, f), "w") as fh:
        for i in range(f, min(n, f + 10000)):
            s = base64.b32encode(os.urandom(20)).decode().rstrip("=")
            fh.write("otpauth://totp/Bench:acct%d?secret=%s&issuer=Bench\n" % (i, s))
PYEOF
}
# A vault of n accounts (tiny KDF) at $dir/vN/vault; prints the import's
# wall seconds, or FAIL and the error.
mkvault() {
	rm -rf "$dir/v$1"
	mkdir -p "$dir/v$1"
	urilist "$1" "$dir/v$1/uris"
	MFA_VAULT="$dir/v$1/vault" "$MFA" init --kdf-ops 1 --kdf-mem 8 > /dev/null 2>&1
	s=$(date +%s%N)
	if MFA_VAULT="$dir/v$1/vault" timeout 600 "$MFA" import "$dir/v$1"/uris.* \
		> /dev/null 2> "$dir/err"; then
		e=$(date +%s%N)
		awk -v a="$s" -v b="$e" 'BEGIN { printf "%.3f", (b - a) / 1e9 }'
	else
		echo "FAIL $(head -c 200 "$dir/err" | head -n 1)"
	fi
}

# --- 2. code QUERY, cached key, 100 accounts, against oathtool -b --------
v=$(mkvault 100)
export MFA_VAULT="$dir/v100/vault"
"$MFA" unlock > /dev/null 2>&1 || true
r=$(pair "$N" "$MFA code acct42 --at $T" "oathtool --totp -b -N @$T $KEY_B32")
ok=1
le "$(field "$r" 7)" 1.5 && ok=0
row 2 "code QUERY, 100 accounts, cached key" \
	"$(ms "$(field "$r" 1)") vs oathtool $(ms "$(field "$r" 2)"): ratio $(field "$r" 7) (cpu $(field "$r" 8)), goal <= 1.5: $(verdict $ok)"
if command -v valgrind > /dev/null; then
	cnt() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 |
		sed -n 's/.*Collected : \([0-9]*\).*/\1/p'; }
	oi=$(cnt oathtool --totp -b -N @$T $KEY_B32)
	mi=$(cnt "$MFA" code acct42 --at $T)
	row "" "  instructions (callgrind)" "mfa $mi, oathtool $oi: ratio $(awk -v a="$mi" -v b="$oi" 'BEGIN { printf "%.2f", a / b }')"
	mi=$(cnt "$MFA" code --secret-stdin --at $T < "$dir/secret")
	oi=$(cnt oathtool --totp -N @$T $KEY_HEX)
	row "" "  code --secret-stdin (callgrind)" "mfa $mi, oathtool $oi: ratio $(awk -v a="$mi" -v b="$oi" 'BEGIN { printf "%.2f", a / b }')"
	row "" "  mfa --version (callgrind)" "$(cnt "$MFA" --version) instructions"
fi

# --- 5. verify --window 250000, a code in no step of the window ----------
for c in 000000 111111 222222 333333 444444 555555 666666 777777 888888 999999 \
	012345 123456 234567 345678 456789; do
	if ! "$MFA" verify acct42 "$c" --window 250000 --at $T > /dev/null 2>&1 &&
		! oathtool --totp -w 250000 -N @$T $KEY_HEX "$c" > /dev/null 2>&1; then
		break
	fi
done
# acct42's secret is random: oathtool needs it in hex.
r=$(pair 5 "$MFA verify acct42 $c --window 250000 --at $T" \
	"oathtool --totp -w 250000 -N @$T $KEY_HEX $c")
ok=1
le "$(field "$r" 7)" 0.3 && ok=0
row 5 "verify --window 250000 (no match)" \
	"$(ms "$(field "$r" 1)") vs oathtool -w $(ms "$(field "$r" 2)"): ratio $(field "$r" 7) (cpu $(field "$r" 8)), goal <= 0.3: $(verdict $ok)"
"$MFA" lock > /dev/null 2>&1 || true

# --- 6. QR images, against zbarimg --------------------------------------
uri="otpauth://totp/Amazon%20Web%20Services:alice@123456789012?secret=$KEY_B32&issuer=Amazon%20Web%20Services"
"$dir/mkimg" screenshot "$dir/shot.png" "$uri"
"$dir/mkimg" photo "$dir/photo.jpg" "$uri"
for img in shot.png photo.jpg; do
	z=$(zbarimg -q --raw "$dir/$img" 2> /dev/null || true)
	m=$(MFA_VAULT="$dir/none" "$MFA" import --dry-run "$dir/$img" 2>&1 || true)
	case "$m" in *"would import Amazon Web Services:alice"*) ;; *) m=FAIL ;; esac
	r=$(pair 5 "env MFA_VAULT=$dir/none $MFA import --dry-run $dir/$img" "zbarimg -q --raw $dir/$img")
	ok=1
	[ "$m" != FAIL ] && [ "$z" = "$uri" ] && le "$(field "$r" 7)" 0.4 && ok=0
	case $img in shot.png) what="1080x2400 screenshot PNG" ;; *) what="12 MP photo JPEG (4000x3000)" ;; esac
	row 6 "import --dry-run $what" \
		"$(ms "$(field "$r" 1)") vs zbarimg $(ms "$(field "$r" 2)"): ratio $(field "$r" 7) (cpu $(field "$r" 8)), goal <= 0.4: $(verdict $ok)"
done

# --- 7. unlock with the default KDF, against a bare Argon2id MODERATE ---
mkdir -p "$dir/vkdf"
MFA_VAULT="$dir/vkdf/vault" "$MFA" init > /dev/null 2>&1
echo "$KEY_B32" | MFA_VAULT="$dir/vkdf/vault" "$MFA" --no-cache add one > /dev/null 2>&1
r=$(pair 5 "env MFA_VAULT=$dir/vkdf/vault $MFA --no-cache code one" "$dir/argon2ref")
ok=1
le 0.8 "$(field "$r" 7)" && le "$(field "$r" 7)" 2.0 && ok=0
row 7 "unlock, default KDF (code --no-cache)" \
	"$(ms "$(field "$r" 1)") vs Argon2id MODERATE $(ms "$(field "$r" 2)"): ratio $(field "$r" 7), goal 0.8 to 2.0: $(verdict $ok)"

# --- 4. import of 100,000 URIs; 3. list --codes; 2. code at 100,000 ----
echo
echo "scale (vaults built by one 'mfa import' of N URIs each, tiny KDF):"
printf '    %8s %12s %14s %12s %12s %14s\n' accounts "import s" "list --codes" "per account" "code QUERY" "peak memory"
for n in 1000 10000 $MAX; do
	[ "$n" -le "$MAX" ] || continue
	t=$(mkvault "$n")
	eval "imp_$n=\"\$t\""
	case "$t" in FAIL*)
		printf '    %8s %s\n' "$n" "$t"
		continue ;;
	esac
	export MFA_VAULT="$dir/v$n/vault"
	"$MFA" unlock > /dev/null 2>&1 || true
	l=$(pair 3 "$MFA list --codes")
	c=$(pair 5 "$MFA code acct7 --at $T")
	eval "list_$n=$(field "$l" 1) code_$n=$(field "$c" 1)"
	printf '    %8s %12s %14s %12s %12s %11s KiB\n' "$n" "$t" "$(ms "$(field "$l" 1)")" \
		"$(awk -v s="$(field "$l" 1)" -v n="$n" 'BEGIN { printf "%.1f us", s * 1e6 / n }')" \
		"$(ms "$(field "$c" 1)")" "$(field "$l" 5)"
	"$MFA" lock > /dev/null 2>&1 || true
done
ok=1
t=$(eval echo "\${imp_$MAX:-FAIL}")
case "$t" in FAIL*) ;; *) le "$t" 5 && ok=0 ;; esac
case "$t" in FAIL*) ;; *) t="$t s" ;; esac
row 4 "import of $MAX URIs" "$t, goal <= 5 s: $(verdict $ok)"
ok=1
l=$(eval echo "\${list_10000:-}") c=$(eval echo "\${code_10000:-}")
[ -n "$l" ] && [ -n "$c" ] && le "$(awk -v a="$l" -v b="$c" 'BEGIN { print a / b }')" 10 && ok=0
row 3 "list --codes at 10,000 vs one code there" \
	"$([ -n "$l" ] && awk -v a="$l" -v b="$c" 'BEGIN { printf "ratio %.2f", a / b }' || echo "no vault"), goal <= 10: $(verdict $ok)"
ok=1
c=$(eval echo "\${code_$MAX:-}")
[ -n "$c" ] && le "$c" 0.05 && ok=0
row 2 "code QUERY at $MAX accounts, cached key" "$([ -n "$c" ] && ms "$c" || echo "no vault"), goal <= 50 ms: $(verdict $ok)"

# --- 1. every command on the largest vault, as an ordinary user ---------
t=$(eval echo "\${imp_$MAX:-FAIL}")
if [ "${t#FAIL}" = "$t" ] && [ "$(id -u)" = 0 ] && command -v setpriv > /dev/null; then
	for lim in 8192 64; do
		cp -r "$dir/v$MAX" "$dir/u$lim"
		chown -R nobody "$dir/u$lim"
		chmod 700 "$dir/u$lim"
		chmod 644 "$dir/pass"
		fail=""
		for cmd in "code acct7" "list" "list --codes" "verify acct7 000000" \
			"show acct7 --uri" "export --format uri" "rename acct7 renamed7" \
			"rm acct8 --yes" "add added1"; do
			if ! echo "$KEY_B32" | setpriv --reuid=nobody --regid=nogroup --clear-groups \
				sh -c "ulimit -l $lim; MFA_VAULT=$dir/u$lim/vault timeout 120 $MFA --no-cache $cmd" \
				> /dev/null 2> "$dir/err"; then
				case "$cmd" in verify*) grep -q "did not verify" "$dir/err" && continue ;; esac
				fail="$fail; '$cmd': $(tail -n 1 "$dir/err")"
			fi
		done
		row 1 "$MAX accounts, ordinary user, ulimit -l $lim KiB" \
			"$([ -z "$fail" ] && echo "every command works: met" || echo "NOT MET${fail}")"
	done
else
	row 1 "$MAX accounts as an ordinary user" "not run (needs the $MAX-account vault, root to become nobody, setpriv): NOT MET"
fi

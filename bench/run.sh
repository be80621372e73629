#!/bin/sh
# make bench: how fast mfa is, as ratios against oathtool and zbarimg
# measured in the same run on the same machine (absolute times on shared
# machines mean little; ratios much more). Never part of `make check`.
set -eu
MFA=${MFA_BIN:-$(pwd)/mfa}
N=${BENCH_RUNS:-200}
dir=$(mktemp -d "${TMPDIR:-/tmp}/mfa-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT INT TERM
KEY_HEX=3132333435363738393031323334353637383930
KEY_B32=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ

# Median wall time of N runs of a command line, in microseconds.
median_us() {
	i=0
	: > "$dir/times"
	while [ "$i" -lt "$N" ]; do
		s=$(date +%s%N)
		sh -c "$1" > /dev/null 2>&1
		e=$(date +%s%N)
		echo $(((e - s) / 1000)) >> "$dir/times"
		i=$((i + 1))
	done
	sort -n "$dir/times" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'
}

row() {
	printf '%-44s %8s us   %-10s %8s us   ratio %s\n' "$1" "$2" "$3" "$4" "$(ratio "$2" "$4")"
}

echo "mfa bench: median of $N runs each (ratio = mfa / reference; < 1 is faster)"
echo "$KEY_B32" > "$dir/secret"

m=$(median_us "$MFA code --secret-stdin --at 1111111109 < $dir/secret")
o=$(median_us "oathtool --totp -N @1111111109 $KEY_HEX")
row "code --secret-stdin (TOTP SHA1)" "$m" oathtool "$o"

m=$(median_us "$MFA code --secret-stdin -a SHA512 -d 8 --at 1111111109 < $dir/secret")
o=$(median_us "oathtool --totp=sha512 -d 8 -N @1111111109 $KEY_HEX")
row "code --secret-stdin (TOTP SHA512, 8 digits)" "$m" oathtool "$o"

# The everyday path: a vault with 50 accounts, key from the unlock cache
# where the kernel keyring works, else from a passphrase with a tiny KDF.
export MFA_VAULT="$dir/v/vault" MFA_CACHE_TTL=600
printf 'bench\n' > "$dir/pass"
export MFA_PASSPHRASE_FILE="$dir/pass"
"$MFA" init --kdf-ops 1 --kdf-mem 1 > /dev/null 2>&1
i=0
while [ "$i" -lt 50 ]; do
	echo "$KEY_B32" | "$MFA" add "acct$i" > /dev/null
	i=$((i + 1))
done
"$MFA" unlock > /dev/null 2>&1 || true
m=$(median_us "$MFA code acct42 --at 1111111109")
row "code QUERY (vault of 50, cached key)" "$m" oathtool "$o"
"$MFA" lock > /dev/null 2>&1 || true

if command -v zbarimg > /dev/null && command -v qrencode > /dev/null; then
	qrencode -o "$dir/qr.png" -s 4 "otpauth://totp/Amazon%20Web%20Services:alice@123456789012?secret=$KEY_B32&issuer=Amazon%20Web%20Services"
	N=$((N / 4 + 1))
	m=$(median_us "$MFA import --dry-run $dir/qr.png")
	z=$(median_us "zbarimg -q --raw $dir/qr.png")
	row "import --dry-run AWS QR PNG" "$m" zbarimg "$z"
	if command -v convert > /dev/null; then
		convert -size 1080x2400 xc:white "$dir/qr.png" -geometry +300+900 -composite "$dir/shot.png"
		m=$(median_us "$MFA import --dry-run $dir/shot.png")
		z=$(median_us "zbarimg -q --raw $dir/shot.png")
		row "import --dry-run 1080x2400 screenshot" "$m" zbarimg "$z"
	fi
fi

if command -v valgrind > /dev/null; then
	cnt() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'; }
	mi=$(cnt "$MFA" code --secret-stdin --at 1111111109 < "$dir/secret")
	oi=$(cnt oathtool --totp -N @1111111109 "$KEY_HEX")
	printf '%-44s %8s ins  %-10s %8s ins  ratio %s (instructions, repeatable)\n' \
		"code --secret-stdin under callgrind" "$mi" oathtool "$oi" "$(ratio "$mi" "$oi")"
fi

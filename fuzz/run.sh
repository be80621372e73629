#!/bin/sh
# Build every libFuzzer harness fuzz/fuzz_<layer>_<what>.c with clang
# (-fsanitize=fuzzer,address,undefined) against the sources of its layer and
# the layers below it (the Makefile's DEPS_<layer>), seed a corpus, and run
# each for $FUZZ_SECONDS seconds (default 30).
#
#   sh fuzz/run.sh [fuzz/fuzz_x.c ...]     (no arguments: every harness)
#
# Environment: FUZZ_SECONDS, FUZZ_BUILD (default build/fuzz), FUZZ_CC
# (default clang), MFA_FIXTURES (the third-party fixtures, as for the
# tests; default ../shared/fixtures).
# Seeds: files under tests/fixtures/<layer>/<harness>/, plus what the shared
# fixtures hold for the harness (otpauth URIs, base32 secrets). The corpus is
# kept in $FUZZ_BUILD/corpus/<harness> between runs; crashes are written to
# $FUZZ_BUILD/artifacts/. Exit status: 0 when every harness ran clean.
set -eu

FUZZ_SECONDS=${FUZZ_SECONDS:-30}
OUT=${FUZZ_BUILD:-build/fuzz}
CC=${FUZZ_CC:-clang}
SHARED=${MFA_FIXTURES:-../shared/fixtures}
PKGS="libcrypto libsodium zbar libqrencode libpng libkeyutils jansson libprotobuf-c"

cd "$(dirname "$0")/.."

apt_install() {
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	echo "fuzz: installing Debian package(s): $*"
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
		--no-install-recommends "$@" >/dev/null
}

if ! command -v "$CC" >/dev/null 2>&1; then
	[ "$CC" = clang ] || { echo "fuzz: $CC not found" >&2; exit 1; }
	apt_install clang
fi

mkdir -p "$OUT/gen" "$OUT/corpus" "$OUT/artifacts" "$OUT/logs"

# libFuzzer's runtime comes with clang on Debian 12 (libclang-rt-14-dev);
# make sure it links before building anything.
probe="$OUT/probe.c"
printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
	'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
	'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)' \
	'{ (void)d; (void)n; return 0; }' >"$probe"
if ! "$CC" -fsanitize=fuzzer,address,undefined -o "$OUT/probe" "$probe" \
	2>/dev/null; then
	apt_install libclang-rt-dev
	"$CC" -fsanitize=fuzzer,address,undefined -o "$OUT/probe" "$probe"
fi

deps_of() {
	case "$1" in
	otp) echo otp ;;
	vault) echo vault otp ;;
	io) echo io otp lazy ;;
	qr) echo qr otp lazy ;;
	aws) echo aws vault otp lazy ;;
	cli) echo cli aws io qr vault otp lazy ;;
	*) return 1 ;;
	esac
}

# Protobuf sources for the io layer, generated once.
gen_proto() {
	for p in src/io/*.proto; do
		[ -f "$p" ] || continue
		b=$(basename "$p" .proto)
		if [ ! -f "$OUT/gen/$b.pb-c.c" ] || [ "$p" -nt "$OUT/gen/$b.pb-c.c" ]; then
			protoc-c --c_out="$OUT/gen" --proto_path=src/io "$p"
		fi
	done
}

# One file per seed, named by its content's checksum.
add_seed() {
	printf '%s' "$2" >"$1/seed-$(printf '%s' "$2" | cksum | cut -d' ' -f1)"
}

seed_corpus() {
	name=$1 layer=$2 dir="$OUT/corpus/$1"
	mkdir -p "$dir"
	if [ -d "tests/fixtures/$layer/$name" ]; then
		cp -f "tests/fixtures/$layer/$name"/* "$dir"/ 2>/dev/null || :
	fi
	[ -d "$SHARED" ] || return 0
	case "$name" in
	*uri*)
		grep -rhoE 'otpauth://[^"[:space:]]+' "$SHARED" 2>/dev/null |
			sort -u | head -n 400 | while IFS= read -r u; do
			add_seed "$dir" "$u"
		done
		;;
	*base32*)
		{
			grep -rhoE 'secret=[A-Za-z2-7=%]+' "$SHARED" |
				sed 's/^secret=//'
			grep -rhoE '"key_base32": "[^"]*"' "$SHARED" |
				sed 's/^"key_base32": "//; s/"$//'
		} 2>/dev/null | sort -u | head -n 300 | while IFS= read -r s; do
			add_seed "$dir" "$s"
		done
		;;
	esac
}

if [ $# -eq 0 ]; then
	set -- fuzz/fuzz_*.c
fi

CFLAGS="-std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer -Wall \
-Iinclude -Isrc -I$OUT/gen -DMFA_VERSION=\"fuzz\" -include io/lazy_protobuf.h \
$(pkg-config --cflags $PKGS)"
SAN="-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined"
LIBS="$(pkg-config --libs $PKGS) -ljpeg"

failed=0
ran=0
for h in "$@"; do
	[ -f "$h" ] || { echo "fuzz: no such harness: $h" >&2; failed=1; continue; }
	name=$(basename "$h" .c)
	layer=$(echo "$name" | cut -d_ -f2)
	if ! layers=$(deps_of "$layer"); then
		echo "fuzz: $name: unknown layer '$layer'" >&2
		failed=1
		continue
	fi
	srcs=""
	for l in $layers; do
		for f in src/"$l"/*.c; do
			[ -f "$f" ] || continue
			[ "$f" = src/cli/main.c ] && continue
			srcs="$srcs $f"
		done
		if [ "$l" = io ]; then
			gen_proto
			srcs="$srcs $(ls "$OUT"/gen/*.pb-c.c 2>/dev/null | tr '\n' ' ')"
		fi
	done
	echo "fuzz: building $name ($layers)"
	# shellcheck disable=SC2086
	if ! "$CC" $CFLAGS $SAN -o "$OUT/$name" "$h" $srcs $LIBS \
		>"$OUT/logs/$name.build" 2>&1; then
		cat "$OUT/logs/$name.build" >&2
		echo "fuzz: $name: build failed" >&2
		failed=1
		continue
	fi
	seed_corpus "$name" "$layer"
	echo "fuzz: running $name for ${FUZZ_SECONDS}s ($(ls "$OUT/corpus/$name" | wc -l) corpus files)"
	if UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		"$OUT/$name" -max_total_time="$FUZZ_SECONDS" -timeout=10 \
		-rss_limit_mb=2048 -max_len=4096 -print_final_stats=1 \
		-artifact_prefix="$OUT/artifacts/$name-" \
		"$OUT/corpus/$name" >"$OUT/logs/$name.log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' \
			"$OUT/logs/$name.log")
		echo "fuzz: $name: ok (${runs:-?} runs)"
		ran=$((ran + 1))
	else
		tail -n 40 "$OUT/logs/$name.log" >&2
		echo "fuzz: $name: FAILED (log $OUT/logs/$name.log, artifacts in $OUT/artifacts/)" >&2
		failed=1
	fi
done
echo "fuzz: $ran harness(es) clean, $([ $failed -eq 0 ] && echo 0 || echo some) failed"
exit $failed

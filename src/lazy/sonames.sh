#!/bin/sh
# Write lazy_sonames.h for the libraries mfa opens on first use: for each
# KEY:LIBFLAG:PACKAGE argument, the run-time name (SONAME) the linker
# records for -lLIBFLAG on this machine, and the Debian package that owns
# that file (dpkg -S), else PACKAGE. Usage: sonames.sh CC KEY:LIB:PKG ...
set -eu
cc=$1
shift
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mfa-soname.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
echo 'int main(void) { return 0; }' > "$tmp/m.c"
echo "/* Made by src/lazy/sonames.sh at build time; do not edit. */"
for arg in "$@"; do
	key=${arg%%:*}
	rest=${arg#*:}
	lib=${rest%%:*}
	pkg=${rest#*:}
	"$cc" -o "$tmp/m" "$tmp/m.c" -Wl,--no-as-needed "-l$lib" 2> /dev/null || continue
	so=$(LC_ALL=C objdump -p "$tmp/m" | sed -n 's/^ *NEEDED *//p' | grep "^lib$lib\.so" | head -n 1)
	[ -n "$so" ] || continue
	path=$(LC_ALL=C ldconfig -p 2> /dev/null | sed -n "s|^[[:space:]]*$so (.*) => ||p" | head -n 1)
	if [ -n "$path" ] && command -v dpkg > /dev/null; then
		real=$(readlink -f "$path")
		owner=$(dpkg -S "$real" 2> /dev/null || dpkg -S "$path" 2> /dev/null || true)
		owner=${owner%%:*}
		[ -n "$owner" ] && pkg=$owner
	fi
	echo "#define LAZY_SONAME_$key \"$so\""
	echo "#define LAZY_PACKAGE_$key \"$pkg\""
done

#!/bin/sh
# The README's quick start on a bare Debian machine. Builds a minimal Debian
# root (the essential packages, apt, make and sudo: no compiler, no
# pkg-config), copies in a clean clone of this repository's HEAD with the
# fixtures beside it at ../shared/fixtures, and runs the README's two
# commands as written, `make demo` then `make check`, as root in a chroot,
# printing each one's wall time and result.
#
# Slow (every package mfa needs is installed, then every test runs), so it
# is not part of `make check`. Needs root; installs mmdebstrap with apt when
# it is missing. Only committed work is copied.
#
#   sh tests/tools/fresh-machine.sh
#
# Environment: FRESH_SUITE (bookworm), FRESH_SOURCES (the apt sources the
# root uses; default this machine's), MFA_FIXTURES (the fixtures to copy;
# default ../shared/fixtures), FRESH_DIR (work folder, kept; default a temp
# folder, removed at the end).
set -eu

say() { printf 'fresh-machine: %s\n' "$*"; }
die() { say "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "needs root (it builds a chroot)"
top=$(git rev-parse --show-toplevel)
commit=$(git -C "$top" rev-parse HEAD)
suite=${FRESH_SUITE:-bookworm}
sources=${FRESH_SOURCES:-/etc/apt/sources.list.d/debian.sources}
[ -f "$sources" ] || sources=/etc/apt/sources.list
[ -f "$sources" ] || die "no apt sources at $sources: set FRESH_SOURCES"
fixtures=${MFA_FIXTURES:-$top/../shared/fixtures}
[ -d "$fixtures" ] || die "no fixtures at $fixtures: set MFA_FIXTURES"
[ -z "$(git -C "$top" status --porcelain)" ] ||
	say "note: uncommitted changes are not copied (testing $commit)"

if ! command -v mmdebstrap > /dev/null 2>&1; then
	say "installing mmdebstrap"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mmdebstrap > /dev/null
fi

if [ -n "${FRESH_DIR:-}" ]; then
	work=$FRESH_DIR keep=1
	mkdir -p "$work"
else
	work=$(mktemp -d "${TMPDIR:-/var/tmp}/mfa-fresh.XXXXXX") keep=""
fi
root=$work/root
cleanup() {
	# The chroot's mounts live in a private mount namespace that is gone
	# by now; refuse to delete through a mount all the same.
	if [ -z "$keep" ] && ! grep -q " $root/" /proc/mounts; then
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Check-Valid-Until as this machine has it: its sources may be a snapshot.
say "building a minimal $suite root in $root"
t0=$(date +%s)
mmdebstrap --quiet --variant=apt --include=make,sudo \
	--aptopt='Acquire::Check-Valid-Until "false"' \
	"$suite" "$root" "$sources" > "$work/mmdebstrap.log" 2>&1 ||
	{ tail -20 "$work/mmdebstrap.log"; die "mmdebstrap failed"; }
say "root ready in $(($(date +%s) - t0)) s: $(chroot "$root" dpkg-query -W | wc -l) packages, $(for t in gcc cc pkg-config make sudo apt-get; do chroot "$root" sh -c "command -v $t" > /dev/null && printf '%s ' "$t"; done)on PATH"
cp /etc/resolv.conf "$root/etc/resolv.conf"

mkdir -p "$root/src/shared"
git clone -q --no-hardlinks "$top" "$root/src/mfa"
git -C "$root/src/mfa" checkout -q --detach "$commit"
cp -a "$fixtures" "$root/src/shared/fixtures"
say "clean clone of $commit at /src/mfa, fixtures at /src/shared/fixtures"

# One README command in the chroot, in a mount namespace of its own so that
# /dev, /proc and /sys vanish with it; a login-like environment.
run() {
	log=$work/$(echo "$1" | tr ' ' -).log
	start=$(date +%s)
	set +e
	unshare --mount --propagation private sh -c '
		root=$1; shift
		mount --rbind /dev "$root/dev" &&
		mount -t proc proc "$root/proc" &&
		mount -t sysfs sysfs "$root/sys" &&
		mount -t tmpfs tmpfs "$root/tmp" &&
		exec chroot "$root" /usr/bin/env -i HOME=/root USER=root LOGNAME=root \
			SHELL=/bin/bash TERM=xterm-256color \
			PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			sh -c "cd /src/mfa && $*"' sh "$root" "$1" < /dev/null > "$log" 2>&1
	rc=$?
	set -e
	secs=$(($(date +%s) - start))
	result=$([ "$rc" -eq 0 ] && echo ok || echo "FAILED (exit $rc)")
	say "$1: $result in $((secs / 60)) min $((secs % 60)) s; last line: $(tail -1 "$log")"
	[ "$rc" -eq 0 ] || tail -40 "$log" | sed 's/^/    /'
	echo "$1 $rc $secs" >> "$work/results"
	return 0
}
run "make demo"
run "make check"

fail=$(awk '$3 != 0 { n++ } END { print n + 0 }' "$work/results")
[ -n "$keep" ] && say "logs in $work"
[ "$fail" -eq 0 ] || die "$fail of the README's commands failed"
say "both README commands passed on a bare $suite"

#!/bin/sh
# Install the Debian packages mfa needs that are missing; do nothing when all
# are present. Uses sudo when not root.
set -eu
moto() {
	# The AWS tests need moto_server; this image's Python has it. Elsewhere
	# put moto into a virtual environment under the build folder; where
	# that cannot be had (no network), the AWS tests report themselves
	# skipped.
	command -v moto_server > /dev/null 2>&1 && return 0
	venv=${MFA_BUILD:-build}/moto
	[ -x "$venv/bin/moto_server" ] && return 0
	echo "make deps: moto_server not found; installing moto[server] into $venv"
	if python3 -m venv "$venv" > /dev/null 2>&1 &&
	    "$venv/bin/pip" install -q 'moto[server]' > /dev/null 2>&1; then
		echo "make deps: moto installed in $venv"
	else
		echo "make deps: could not install moto; the AWS tests will be skipped"
	fi
}

missing=""
for p in "$@"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		missing="$missing $p"
	fi
done
if [ -z "$missing" ]; then
	moto
	exit 0
fi
echo "make deps: installing Debian packages:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "make deps: done"
moto

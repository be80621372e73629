#!/bin/sh
# Stand-in clipboard programs for the tests (xclip, xsel, wl-copy, wl-paste
# are small wrappers that exec this with their own name first). The
# clipboard is the file $FAKECLIP_DIR/clipboard; every call appends
# "NAME ARGS" to $FAKECLIP_DIR/log and its environment to $FAKECLIP_DIR/env.
# FAKECLIP_LINGER=1 makes a copy leave a process behind that keeps the
# inherited stdout and stderr open, as the real xclip and wl-copy do.
set -u
name=$1
shift
dir=${FAKECLIP_DIR:?FAKECLIP_DIR not set}
clip=$dir/clipboard
echo "$name $*" >> "$dir/log"
env >> "$dir/env"

do_paste() {
	[ -s "$clip" ] || { echo "$name: nothing in the clipboard" >&2; exit 1; }
	cat "$clip"
	exit 0
}
copy() {
	cat > "$clip.tmp" && mv "$clip.tmp" "$clip"
	if [ "${FAKECLIP_LINGER:-}" = 1 ]; then
		sleep 60 &
		echo $! >> "$dir/pids"
	fi
	exit 0
}
clear_clip() {
	: > "$clip"
	exit 0
}

case $name in
xclip)
	for a; do
		case $a in -o | -out) do_paste ;; esac
	done
	copy
	;;
xsel)
	for a; do
		case $a in
		-o | --output) do_paste ;;
		-c | --clear) clear_clip ;;
		esac
	done
	copy
	;;
wl-copy)
	for a; do
		case $a in -c | --clear) clear_clip ;; esac
	done
	copy
	;;
wl-paste)
	do_paste
	;;
esac
echo "fakeclip: unknown program $name" >&2
exit 2

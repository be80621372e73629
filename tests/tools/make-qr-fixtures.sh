#!/bin/sh
# Regenerate tests/fixtures/qr/ from scratch with the real qrencode and
# ImageMagick's convert (plus /usr/bin/python3 for the two hand-made byte
# files). The generated files are committed, so the unit tests never need
# these tools; run this only to change or re-create a fixture, then update
# tests/fixtures/qr/PROVENANCE.md if anything but the bytes changed.
#
# Usage: sh tests/tools/make-qr-fixtures.sh   (from the repository root)
set -eu

out=tests/fixtures/qr
py=${PYTHON:-/usr/bin/python3}
for t in qrencode convert "$py"; do
	if ! command -v "$t" >/dev/null 2>&1; then
		echo "make-qr-fixtures: $t is missing (apt-get install qrencode imagemagick python3)" >&2
		exit 1
	fi
done
[ -d tests/unit ] || { echo "make-qr-fixtures: run from the repository root" >&2; exit 1; }
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

aws='otpauth://totp/Amazon%20Web%20Services:alice@123456789012?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Amazon%20Web%20Services'
url='https://example.com/'
one='otpauth://totp/Example:one@example.com?secret=GEZDGNBVGY3TQOJQ&issuer=Example'
utf8='otpauth://totp/Bänk:jörg@example.com?secret=JBSWY3DPEHPK3PXP&issuer=Bänk'
two='otpauth://hotp/Example:two@example.com?secret=MFRGGZDFMZTWQ2LK&issuer=Example&counter=7'

# ImageMagick writes a creation date into PNGs unless told not to; strip it
# so that regenerating gives the same bytes.
im() {
	convert "$@"
}
png_clean='-strip -define png:exclude-chunks=date,time'

# The AWS console's "Show QR code": a ~200 px PNG. qrencode writes a 1-bit
# palette PNG, which is also our plain palette case.
qrencode -l M -s 4 -m 4 -o "$out/aws.png" "$aws"

# The same code through every decoder path.
im "$out/aws.png" -quality 85 "$out/aws.jpg"
im "$out/aws.png" -interlace JPEG -quality 80 "$out/aws_progressive.jpg"
# Print workflows' CMYK: refused with a clear reason.
im "$out/aws.png" -colorspace CMYK -quality 60 "$out/aws_cmyk.jpg"
# shellcheck disable=SC2086
im "$out/aws.png" $png_clean -define png:color-type=2 -define png:bit-depth=16 \
	-depth 16 "$out/aws_rgb16.png"
# shellcheck disable=SC2086
im "$out/aws.png" $png_clean -fill '#1a237e' -opaque black -fill '#fff9c4' -opaque white \
	-define png:color-type=3 -define png:bit-depth=8 "$out/aws_palette8.png"
# Light modules fully transparent over a black colour value: stripping the
# alpha channel instead of composing over white would give a black square.
# shellcheck disable=SC2086
im "$out/aws.png" -colorspace Gray \( +clone -negate \) -alpha off \
	-compose CopyOpacity -composite -fill black -colorize 100 $png_clean \
	-define png:color-type=4 -define png:bit-depth=8 "$out/aws_gray_alpha.png"
# shellcheck disable=SC2086
im "$out/aws.png" $png_clean -interlace PNG -define png:color-type=0 \
	-define png:bit-depth=8 "$out/aws_interlaced.png"
# Netpbm files are uncompressed: draw them at 2 pixels per module.
qrencode -l M -s 2 -m 4 -o "$tmp/aws_s2.png" "$aws"
im "$tmp/aws_s2.png" -depth 8 "ppm:$out/aws.ppm"
im "$tmp/aws_s2.png" -colorspace Gray -depth 8 "pgm:$out/aws.pgm"
im "$tmp/aws_s2.png" -colorspace Gray -depth 16 "pgm:$out/aws16.pgm"
im "$tmp/aws_s2.png" -colorspace Gray -depth 8 -compress none "pgm:$out/aws_plain.pgm"

# Dark mode: light modules on a dark background.
# shellcheck disable=SC2086
im "$out/aws.png" $png_clean -negate -define png:color-type=0 -define png:bit-depth=8 \
	"$out/aws_inverted.png"

# One pixel per module: small enough that zbar alone may miss it.
qrencode -l M -s 1 -m 2 -o "$out/aws_tiny.png" "$aws"

qrencode -l M -s 6 -m 4 -o "$out/url.png" "$url"
# Raw UTF-8 in 8-bit mode: zbar must hand the bytes back unchanged.
qrencode -l M -s 4 -m 4 -8 -o "$out/utf8.png" "$utf8"

# A 1080x2400 RGBA phone "screenshot": status bar, cards, and the QR code
# placed off-centre on a white card.
qrencode -l M -s 8 -m 0 -o "$tmp/shot_qr.png" "$aws"
# shellcheck disable=SC2086
im -size 1080x2400 gradient:'#263238-#eceff1' \
	-fill '#000000' -draw 'rectangle 0,0 1079,90' \
	-fill '#ffffff' -draw 'rectangle 40,20 200,70' \
	-fill '#ff7043' -draw 'roundrectangle 60,200 1020,520 30,30' \
	-fill '#42a5f5' -draw 'circle 160,360 160,440' \
	-fill '#ffffff' -draw 'roundrectangle 140,800 900,1560 40,40' \
	-fill '#9e9e9e' -draw 'rectangle 80,1700 1000,1760' \
	-fill '#9e9e9e' -draw 'rectangle 80,1800 700,1860' \
	"$tmp/shot_qr.png" -geometry +240+920 -composite \
	-alpha set $png_clean -define png:color-type=6 -define png:bit-depth=8 \
	"$out/screenshot_rgba.png"

# Two codes side by side in one picture.
qrencode -l M -s 5 -m 4 -o "$tmp/one.png" "$one"
qrencode -l M -s 5 -m 4 -o "$tmp/two.png" "$two"
# shellcheck disable=SC2086
im "$tmp/one.png" "$tmp/two.png" +append $png_clean -define png:color-type=0 \
	-define png:bit-depth=8 "$out/two_codes.png"

# No QR code at all: shapes and a gradient.
# shellcheck disable=SC2086
im -size 320x240 gradient:'#ffffff-#607d8b' \
	-fill black -draw 'rectangle 20,20 120,120' \
	-fill '#e53935' -draw 'circle 220,120 220,180' \
	$png_clean -define png:color-type=2 "$out/no_qr.png"

# Broken inputs.
n=$(wc -c <"$out/aws.png")
head -c $((n / 2)) "$out/aws.png" >"$out/truncated.png"
"$py" - "$out" <<'EOF'
import random, struct, sys, zlib
out = sys.argv[1]
# Noise: fixed seed, so the file is the same every time.
rng = random.Random(20240601)
with open(out + "/noise.png", "wb") as f:
    f.write(bytes(rng.randrange(256) for _ in range(3000)))
# A valid PNG whose IHDR claims 100000x100000 gray pixels: a decoder that
# trusts it would try to allocate 10 GB.
def chunk(kind, data):
    return (struct.pack(">I", len(data)) + kind + data +
            struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))
ihdr = struct.pack(">IIBBBBB", 100000, 100000, 8, 0, 0, 0, 0)
idat = zlib.compress(b"\0" + b"\xff" * 64)
with open(out + "/huge_header.png", "wb") as f:
    f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) +
            chunk(b"IDAT", idat) + chunk(b"IEND", b""))
EOF

# Seeds for fuzz/fuzz_qr_image.c (fuzz/run.sh takes them from here and cuts
# inputs at 4096 bytes): one small file per decoder path.
seeds="$out/fuzz_qr_image"
mkdir -p "$seeds"
for f in aws.png aws_palette8.png aws_gray_alpha.png aws_interlaced.png \
	aws_rgb16.png aws_tiny.png two_codes.png huge_header.png; do
	cp "$out/$f" "$seeds/$f"
done
qrencode -l M -s 1 -m 2 -o "$tmp/hi.png" "hi"
im "$tmp/hi.png" -colorspace Gray -depth 8 "pgm:$seeds/hi.pgm"
im "$tmp/hi.png" -colorspace Gray -depth 16 "pgm:$seeds/hi16.pgm"
im "$tmp/hi.png" -depth 8 "ppm:$seeds/hi.ppm"
im "$tmp/hi.png" -colorspace Gray -depth 8 -compress none "pgm:$seeds/hi_plain.pgm"
qrencode -l M -s 3 -m 2 -o "$tmp/hi3.png" "hi"
im "$tmp/hi3.png" -quality 50 "$seeds/hi.jpg"
im "$tmp/hi3.png" -interlace JPEG -quality 50 "$seeds/hi_progressive.jpg"

echo "make-qr-fixtures: wrote $(find "$out" -type f | wc -l) files, $(du -sk "$out" | cut -f1) KiB"
